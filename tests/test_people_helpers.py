"""People helpers: drop, subset, with_column, concat / add — each result equals the table built
directly from the expected rows, the source table never changes, and every error is named."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_match import People, ValidationError, synthetic
from rm_match.people import FIELDS

SKILLS = ("ai_tools", "strategy")

#: Attribute values that must never appear in an error message.
SECRETS = ("female", "nonbinary", "TOPSECRET")

#: One row per participant, with every field; missing values in b and 7.
ROWS: dict[object, dict] = {
    "a": {
        "offers": [0.9, 0.1],
        "wants": [0.0, 1.0],
        "department": "IT",
        "grade": 1,
        "manager": None,
        "languages": {"en"},
        "timezone": 0.0,
        "interests": {"chess"},
        "capacity": 1,
        "attributes": {"gender": "female", "code": "TOPSECRET-1"},
    },
    "b": {
        "offers": [0.2, 0.8],
        "wants": [0.5, 0.5],
        "department": None,
        "grade": None,
        "manager": "a",
        "languages": {"en", "de"},
        "timezone": None,
        "interests": set(),
        "capacity": 2,
        "attributes": {"gender": "nonbinary", "code": None},
    },
    "c": {
        "offers": [0.0, 0.0],
        "wants": [1.0, 0.0],
        "department": "Sales",
        "grade": 5,
        "manager": "a",
        "languages": set(),
        "timezone": 5.5,
        "interests": {"go", "chess"},
        "capacity": 0,
        "attributes": {"gender": None, "code": "TOPSECRET-2"},
    },
    7: {
        "offers": [1.0, 0.3],
        "wants": [0.0, 0.0],
        "department": "IT",
        "grade": -2,
        "manager": "b",
        "languages": {"fr"},
        "timezone": -3.5,
        "interests": {"music"},
        "capacity": 3,
        "attributes": {"gender": "female", "code": None},
    },
}
ALL = list(ROWS)


def make(ids, *, fields=FIELDS, attributes=("gender", "code"), skills=SKILLS) -> People:
    """The table of the rows ``ids`` of :data:`ROWS`, built directly by the constructor, with
    the given built-in ``fields`` and ``attributes`` (the others left out)."""
    ids = list(ids)
    kwargs = {f: [ROWS[i][f] for i in ids] for f in fields}
    if not ids:  # an empty table: the skill matrices have d columns
        kwargs.update({f: np.zeros((0, len(skills))) for f in ("offers", "wants") if f in fields})
    kwargs["attributes"] = {k: [ROWS[i]["attributes"][k] for i in ids] for k in attributes}
    return People(ids, skills=skills, **kwargs)


def assert_same(p: People, q: People) -> None:
    """Every column of ``p`` equals ``q``'s (values, types, dtypes, attributes in order)."""
    assert type(p) is type(q)
    assert repr(p) == repr(q)
    assert p.ids.tolist() == q.ids.tolist()
    assert [type(x) for x in p.ids.tolist()] == [type(x) for x in q.ids.tolist()]
    assert p.skills == q.skills
    assert p._index == q._index
    for name in ("offers", "wants", "department", "grade", "manager", "timezone", "capacity"):
        a, b = getattr(p, name), getattr(q, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a.dtype == b.dtype and a.shape == b.shape, name
            np.testing.assert_array_equal(a, b, err_msg=name)
            assert not a.flags.writeable, name
    assert p.languages == q.languages
    assert p.interests == q.interests
    assert list(p.attributes) == list(q.attributes)
    for name in p.attributes:
        assert p.attributes[name].tolist() == q.attributes[name].tolist(), name
        assert not p.attributes[name].flags.writeable


def raises(match: str, call, *, argument, participant=None) -> ValidationError:
    """``call()`` raises a ValidationError matching ``match``, with the given argument and
    participant, and no attribute value in its message."""
    with pytest.raises(ValidationError, match=match) as info:
        call()
    err = info.value
    assert isinstance(err, ValueError)
    assert err.argument == argument
    assert err.participant == participant
    for secret in SECRETS:
        assert secret not in str(err), f"attribute value {secret!r} leaked into {err}"
    return err


@pytest.fixture
def p():
    """The table of all rows; after the test, checked to be as built (immutability)."""
    table = make(ALL)
    yield table
    assert_same(table, make(ALL))


# -- _kwargs ---------------------------------------------------------------------------------


def test_kwargs_rebuild_the_table(p):
    kwargs = p._kwargs()
    assert set(kwargs) == {"ids", "skills", "attributes", *FIELDS}
    assert kwargs["grade"] == [1, None, 5, -2]
    assert kwargs["timezone"] == [0.0, None, 5.5, -3.5]
    assert_same(People(**kwargs), p)
    kwargs["attributes"]["extra"] = [1, 2, 3, 4]  # a fresh dict: the table does not see it
    assert list(p.attributes) == ["gender", "code"]


def test_kwargs_of_a_minimal_table():
    q = People([1, 2])
    kwargs = q._kwargs()
    assert kwargs["grade"] is kwargs["timezone"] is kwargs["department"] is None
    assert_same(People(**kwargs), q)


# -- drop ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gone", "left"),
    [
        (["a"], ["b", "c", 7]),
        ([7, "b"], ["a", "c"]),
        (["c", "c", "c"], ["a", "b", 7]),  # duplicates are fine
        ([], ALL),
        (ALL, []),
        (np.array([7]), ["a", "b", "c"]),
    ],
)
def test_drop(p, gone, left):
    assert_same(p.drop(gone), make(left))


def test_drop_keeps_managers_that_refer_to_a_dropped_person(p):
    q = p.drop(["a"])
    assert q.manager.tolist() == ["a", "a", "b"]
    assert "a" not in q


def test_drop_numpy_ids():
    q = People([1, 2, 3], grade=[1, None, 3])
    assert_same(q.drop([np.int64(2)]), People([1, 3], grade=[1, 3]))
    assert_same(q.drop(np.array([1, 3])), People([2], grade=[None]))


def test_drop_result_is_a_private_copy(p):
    q = p.drop(["b"])
    assert not np.shares_memory(q.offers, p.offers)
    assert not np.shares_memory(q.ids, p.ids)
    with pytest.raises(AttributeError, match="immutable"):
        q.grade = None


def test_drop_unknown_id(p):
    raises(
        r"unknown participant id 'zz' in `ids` \(2 unknown id\(s\) in all; the table has 4 "
        r"participants\)",
        lambda: p.drop(["a", "zz", 8]),
        argument="ids",
        participant="zz",
    )


def test_drop_int_id_is_not_its_string(p):
    raises(
        r"unknown participant id '7' in `ids`",
        lambda: p.drop(["7"]),
        argument="ids",
        participant="7",
    )


@pytest.mark.parametrize("bad", [None, True, "", 1.5, ("a",)])
def test_drop_entry_not_an_id(p, bad):
    raises(r"`ids` entry 1 is not a valid id", lambda: p.drop(["a", bad]), argument="ids")


@pytest.mark.parametrize("bad", ["a", 7, None, {"a": 1}])
def test_drop_ids_not_a_sequence(p, bad):
    raises(r"`ids` must be a sequence of participant ids", lambda: p.drop(bad), argument="ids")


# -- subset ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ids", [[7, "a"], ["c", "b", "a", 7], ["b"], [], ALL, ("c", 7), np.array(["c", "a"])]
)
def test_subset_ids_in_the_given_order(p, ids):
    assert_same(p.subset(ids), make(list(ids)))


@pytest.mark.parametrize(
    "mask",
    [
        [True, False, True, False],
        [False] * 4,
        [True] * 4,
        np.array([False, True, False, True]),
        [np.True_, np.False_, np.False_, np.True_],
    ],
)
def test_subset_mask_in_table_order(p, mask):
    left = [pid for pid, keep in zip(ALL, mask, strict=True) if keep]
    assert_same(p.subset(mask), make(left))


def test_subset_of_an_empty_table():
    q = People([], skills=SKILLS)
    assert_same(q.subset([]), q)
    assert_same(q.subset(np.array([], dtype=bool)), q)


def test_subset_unknown_id(p):
    raises(
        r"unknown participant id 'zz' in `ids_or_mask` \(1 unknown id\(s\) in all",
        lambda: p.subset(["a", "zz"]),
        argument="ids_or_mask",
        participant="zz",
    )


def test_subset_duplicate_id(p):
    raises(
        r"duplicate id 'b' in `ids_or_mask` \(entries 1 and 3\)",
        lambda: p.subset(["a", "b", 7, "b"]),
        argument="ids_or_mask",
        participant="b",
    )


@pytest.mark.parametrize(
    ("mask", "shape"),
    [
        ([True, False], r"\(2,\)"),
        ([True] * 5, r"\(5,\)"),
        (np.ones(3, dtype=bool), r"\(3,\)"),
        (np.ones((2, 2), dtype=bool), r"\(2, 2\)"),
        (np.array([], dtype=bool), r"\(0,\)"),
    ],
)
def test_subset_mask_of_the_wrong_length(p, mask, shape):
    raises(
        rf"`ids_or_mask` as a boolean mask must have shape \(4,\) \(one entry per "
        rf"participant\); got {shape}",
        lambda: p.subset(mask),
        argument="ids_or_mask",
    )


def test_subset_mixed_bools_and_ids(p):
    raises(
        r"`ids_or_mask` entry 0 is not a valid id",
        lambda: p.subset([True, "a"]),
        argument="ids_or_mask",
    )


@pytest.mark.parametrize("bad", ["a", 7, None, np.bool_(True)])
def test_subset_not_a_sequence(p, bad):
    raises(
        r"`ids_or_mask` must be a sequence of participant ids or a boolean mask",
        lambda: p.subset(bad),
        argument="ids_or_mask",
    )


# -- with_column -----------------------------------------------------------------------------


def replaced(field, values) -> People:
    """The table of all rows, built directly, with ``field`` set to ``values``."""
    q = make(ALL)._kwargs()
    if field in FIELDS:
        q[field] = values
    else:
        q["attributes"][field] = values
    return People(**q)


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("capacity", [4, 0, 1, 1]),
        ("capacity", 2),
        ("grade", [None, 3, None, 9]),
        ("manager", ["c", None, 7, "zz"]),
        ("offers", np.full((4, 2), 0.25)),
        ("wants", None),
        ("department", ["HR", "HR", None, "IT"]),
        ("department", None),
        ("timezone", [None, 1, 2.5, None]),
        ("languages", [None, "en", ["de", "fr"], set()]),
        ("interests", None),
        ("gender", [None, None, "female", "male"]),
    ],
)
def test_with_column_replaces_one_column(p, field, values):
    q = p.with_column(field, values)
    assert_same(q, replaced(field, values))
    assert_same(q, People(**{**q._kwargs()}))


def test_with_column_capacity_scalar(p):
    assert p.with_column("capacity", 2).capacity.tolist() == [2, 2, 2, 2]


def test_with_column_removes_an_optional_column(p):
    q = p.with_column("grade", None)
    assert not q.has("grade") and "grade" not in q.fields
    assert_same(q, make(ALL, fields=[f for f in FIELDS if f != "grade"]))


def test_with_column_adds_an_attribute(p):
    q = p.with_column("team", ["t1", None, 3, "t1"], attribute=True)
    assert list(q.attributes) == ["gender", "code", "team"]
    assert_same(q, replaced("team", ["t1", None, 3, "t1"]))


def test_with_column_replaces_an_attribute_with_attribute_true(p):
    q = p.with_column("code", [None] * 4, attribute=True)
    assert_same(q, replaced("code", [None] * 4))


def test_with_column_round_trips_every_column(p):
    kwargs = p._kwargs()
    for field in FIELDS:
        assert_same(p.with_column(field, kwargs[field]), p)
    for name, values in p.attributes.items():
        assert_same(p.with_column(name, values), p)


@pytest.mark.parametrize("field", ["grades", "ids", "skills", "attributes", "", 3, ["grade"]])
def test_with_column_unknown_field(p, field):
    err = raises(
        r"unknown field .*; the fields are \['offers', 'wants', 'department', 'grade', "
        r"'manager', 'languages', 'timezone', 'interests', 'capacity'\] and the attributes "
        r"\['code', 'gender'\] \(pass attribute=True to add an attribute\)",
        lambda: p.with_column(field, [1, 2, 3, 4]),
        argument="field",
    )
    assert repr(field) in str(err)


@pytest.mark.parametrize("name", ["grade", "id", "attributes", ""])
def test_with_column_attribute_named_like_a_field(p, name):
    raises(
        r"attribute name .* is not a non-empty string distinct from the built-in fields",
        lambda: p.with_column(name, ["female"] * 4, attribute=True),
        argument="attributes",
    )


@pytest.mark.parametrize(
    ("field", "values", "match", "participant"),
    [
        ("grade", [1, 2, 2.5, 4], r"participant 'c': `grade` must be an integer", "c"),
        ("manager", [None, "b", None, None], r"participant 'b': `manager` refers to", "b"),
        ("capacity", [1, -1, 1, 1], r"participant 'b': `capacity` must be a non-negative", "b"),
        ("timezone", [0, 0, 0, 20], r"participant 7: `timezone` must be a UTC offset", 7),
        ("offers", [[0.0, 0.0]] * 3, r"`offers` must have shape \(n, d\) = \(4, 2\)", None),
        ("department", ["IT"], r"`department` has 1 entries; expected 4", None),
        ("gender", ["female", 1.5, None, None], r"participant 'b': attribute 'gender' must", "b"),
    ],
)
def test_with_column_values_are_validated_like_the_constructor(
    p, field, values, match, participant
):
    argument = "gender" if field == "gender" else field
    raises(match, lambda: p.with_column(field, values), argument=argument, participant=participant)


def test_with_column_new_attribute_of_the_wrong_length(p):
    raises(
        r"`attributes\['team'\]` has 2 entries; expected 4",
        lambda: p.with_column("team", ["female", "x"], attribute=True),
        argument="attributes['team']",
    )


# -- concat and add --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parts", [[["a", "b"], ["c", 7]], [["c"], ["a"], [7, "b"]], [ALL], [[], ALL, []]]
)
def test_concat(parts):
    tables = [make(ids) for ids in parts]
    ids = [i for part in parts for i in part]
    assert_same(People.concat(*tables), make(ids))
    for t, part in zip(tables, parts, strict=True):
        assert_same(t, make(part))  # the sources are unchanged


def test_add_is_concat():
    a, b = make(["b", 7]), make(["a"])
    assert_same(a.add(b), People.concat(a, b))
    assert_same(a.add(b), make(["b", 7, "a"]))
    assert_same(a, make(["b", 7]))


def test_concat_fills_columns_missing_from_some_tables():
    left = make(
        ["a", "b"], fields=["offers", "grade", "department", "languages"], attributes=["gender"]
    )
    right = make(
        ["c", 7],
        fields=["wants", "timezone", "capacity", "manager", "interests"],
        attributes=["code"],
    )
    expected = People(
        ["a", "b", "c", 7],
        skills=SKILLS,
        offers=[ROWS["a"]["offers"], ROWS["b"]["offers"], [0.0, 0.0], [0.0, 0.0]],
        wants=[[0.0, 0.0], [0.0, 0.0], ROWS["c"]["wants"], ROWS[7]["wants"]],
        grade=[1, None, None, None],
        department=["IT", None, None, None],
        languages=[{"en"}, {"en", "de"}, set(), set()],
        timezone=[None, None, 5.5, -3.5],
        capacity=[1, 1, 0, 3],
        manager=[None, None, "a", "b"],
        interests=[set(), set(), {"go", "chess"}, {"music"}],
        attributes={
            "gender": ["female", "nonbinary", None, None],
            "code": [None, None, "TOPSECRET-2", None],
        },
    )
    assert_same(People.concat(left, right), expected)
    assert_same(left.add(right).subset(["c", 7]).drop([7]), expected.subset(["c"]))


def test_concat_of_minimal_tables():
    assert_same(People.concat(People([1]), People([2, 3])), People([1, 2, 3]))


def test_concat_needs_a_table():
    raises(r"`tables`: concat needs at least one table", People.concat, argument="tables")


@pytest.mark.parametrize("bad", [None, ["a"], {"ids": ["a"]}])
def test_concat_of_something_else(bad):
    raises(
        r"`tables` entry 1 must be a People table; got ",
        lambda: People.concat(make(["a"]), bad),
        argument="tables",
    )


def test_concat_different_skills():
    other = People(["z"], skills=["strategy", "coding", "sales"])
    raises(
        r"`tables`: table 1 has a different skill space from table 0 \(only in table 0: "
        r"\['ai_tools'\]; only in table 1: \['coding', 'sales'\]\)",
        lambda: People.concat(make(["a"]), other),
        argument="tables",
    )


def test_concat_skills_in_another_order():
    other = People(["z"], skills=["strategy", "ai_tools"])
    raises(
        r"`tables`: table 2 has a different skill space from table 0 \(same skills in another "
        r"order \(position 0: 'ai_tools' in table 0, 'strategy' in table 2\)\)",
        lambda: People.concat(make(["a"]), make(["b"]), other),
        argument="tables",
    )


def test_concat_fewer_skills():
    raises(
        r"only in table 0: \['strategy'\]; only in table 1: \[\]",
        lambda: People.concat(make(["a"]), People(["z"], skills=["ai_tools"])),
        argument="tables",
    )


def test_concat_duplicate_ids():
    raises(
        r"duplicate id 'b' in `ids` \(rows 1 and 2\)",
        lambda: People.concat(make(["a", "b"]), make(["b", 7])),
        argument="ids",
        participant="b",
    )
    raises(
        r"duplicate id 7 in `ids` \(rows 0 and 1\)",
        lambda: make([7]).add(make([7])),
        argument="ids",
        participant=7,
    )


# -- properties ------------------------------------------------------------------------------


@st.composite
def split_tables(draw):
    """A small synthetic side, some grades and time zones blanked, and a random split of its
    ids: ``a`` in table order, ``b`` the rest in a random order."""
    n = draw(st.integers(0, 6))
    mentors, mentees = synthetic.cohort(
        n, n, rng=draw(st.integers(0, 2**16)), regions=draw(st.integers(0, 2))
    )
    p = draw(st.sampled_from([mentors, mentees]))
    blank = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    kwargs = p._kwargs()
    p = p.with_column(
        "grade", [None if b else g for b, g in zip(blank, kwargs["grade"], strict=True)]
    )
    p = p.with_column(
        "timezone", [None if b else t for b, t in zip(blank[::-1], kwargs["timezone"], strict=True)]
    )
    mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    ids = p.ids.tolist()
    a = [pid for pid, keep in zip(ids, mask, strict=True) if keep]
    b = draw(st.permutations([pid for pid, keep in zip(ids, mask, strict=True) if not keep]))
    return p, mask, a, list(b)


@settings(max_examples=60, deadline=None)
@given(split_tables())
def test_concat_of_subsets_is_the_subset_of_the_union(case):
    p, mask, a, b = case
    before = p._kwargs()
    assert_same(People.concat(p.subset(a), p.subset(b)), p.subset(a + b))
    assert_same(p.subset(a).add(p.subset(b)), p.subset(a + b))
    assert_same(p.drop(b), p.subset(a))
    assert_same(p.drop(b), p.subset(mask))
    assert_same(p.drop([]), p)
    assert_same(People.concat(p.drop(b), p.drop(a)).subset(p.ids.tolist()), p)
    assert_same(People(**before), p)  # p itself is unchanged
