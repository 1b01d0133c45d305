"""People tables: validation on entry (one test per error), immutability, privacy, records."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_match import People, RmMatchError, ValidationError

SKILLS = ("ai_tools", "strategy")

#: Attribute values that must never appear in a repr or an error message.
SECRETS = ("female", "nonbinary", "TOPSECRET")


def base(**overrides):
    """Keyword arguments of a valid two-person table with every field and two attributes."""
    kwargs = {
        "ids": ["a", "b"],
        "skills": SKILLS,
        "offers": [[0.9, 0.1], [0.2, 0.8]],
        "wants": [[0.0, 1.0], [0.5, 0.5]],
        "department": ["IT", "Sales"],
        "grade": [1, 5],
        "manager": [None, "a"],
        "languages": [{"en"}, {"en", "de"}],
        "timezone": [0.0, 5.5],
        "interests": [{"chess"}, set()],
        "attributes": {"gender": ["female", "nonbinary"], "code": ["TOPSECRET-1", None]},
        "capacity": [1, 2],
    }
    kwargs.update(overrides)
    return kwargs


def build(**overrides) -> People:
    kwargs = base(**overrides)
    return People(kwargs.pop("ids"), **kwargs)


def records(**overrides) -> list[dict]:
    """Records equivalent to :func:`base` (overrides replace whole records' keys per id)."""
    recs = [
        {
            "id": "a",
            "offers": {"ai_tools": 0.9, "strategy": 0.1},
            "wants": {"strategy": 1.0},
            "department": "IT",
            "grade": 1,
            "manager": None,
            "languages": {"en"},
            "timezone": 0.0,
            "interests": {"chess"},
            "attributes": {"gender": "female", "code": "TOPSECRET-1"},
            "capacity": 1,
        },
        {
            "id": "b",
            "offers": {"ai_tools": 0.2, "strategy": 0.8},
            "wants": {"ai_tools": 0.5, "strategy": 0.5},
            "department": "Sales",
            "grade": 5,
            "manager": "a",
            "languages": {"en", "de"},
            "timezone": 5.5,
            "interests": set(),
            "attributes": {"gender": "nonbinary"},
            "capacity": 2,
        },
    ]
    for pid, changes in overrides.items():
        rec = next(r for r in recs if r["id"] == pid)
        for key, value in changes.items():
            if value is _DROP:
                rec.pop(key)
            else:
                rec[key] = value
    return recs


_DROP = object()
_NONE = object()


def check(err: ValidationError, *, argument, participant=_NONE) -> str:
    """Common checks on a raised error; returns its message."""
    msg = str(err)
    assert isinstance(err, ValueError)
    assert isinstance(err, RmMatchError)
    assert err.argument == argument
    if participant is _NONE:
        assert err.participant is None
    else:
        assert err.participant == participant
        assert f"participant {participant!r}" in msg or repr(participant) in msg
    for secret in SECRETS:
        assert secret not in msg, f"attribute value {secret!r} leaked into {msg!r}"
    return msg


def raises(match: str, *, argument, participant=_NONE, **overrides) -> str:
    with pytest.raises(ValidationError, match=match) as info:
        build(**overrides)
    return check(info.value, argument=argument, participant=participant)


def raises_records(match: str, recs, *, argument, participant=_NONE, skills=SKILLS) -> str:
    with pytest.raises(ValidationError, match=match) as info:
        People.from_records(recs, skills=skills)
    return check(info.value, argument=argument, participant=participant)


# -- the valid table -----------------------------------------------------------------------


def test_valid_table_has_every_field():
    p = build()
    assert p.n == len(p) == 2
    assert p.fields == [
        "offers",
        "wants",
        "department",
        "grade",
        "manager",
        "languages",
        "timezone",
        "interests",
        "capacity",
    ]
    assert p.ids.tolist() == ["a", "b"]
    assert p.grade.dtype == np.int64 and p.grade.tolist() == [1, 5]
    assert p.languages == (frozenset({"en"}), frozenset({"en", "de"}))
    assert p.interests == (frozenset({"chess"}), frozenset())
    assert p.capacity.tolist() == [1, 2]
    assert p.index("b") == 1 and "a" in p and "z" not in p and ["unhashable"] not in p
    assert sorted(p.attributes) == ["code", "gender"]


def test_minimal_table_defaults():
    p = People([3, 1, 2])
    assert p.skills == ()
    assert p.offers.shape == (3, 0) and p.wants.shape == (3, 0)
    assert p.capacity.tolist() == [1, 1, 1]
    assert p.fields == ["offers", "wants", "capacity"]
    assert not p.has("department") and p.department is None


def test_index_of_unknown_id_is_a_validation_error():
    p = build()
    with pytest.raises(ValidationError, match="unknown participant id 'zz'") as info:
        p.index("zz")
    assert info.value.participant == "zz"


# -- ids and skills ---------------------------------------------------------------------------


def test_duplicate_ids():
    # ids are checked first, so the other (two-entry) columns do not matter here
    raises(
        r"duplicate id 'a' in `ids` \(rows 0 and 2\)",
        argument="ids",
        participant="a",
        ids=["a", "b", "a"],
    )


def test_duplicate_int_ids():
    with pytest.raises(ValidationError, match=r"duplicate id 7 in `ids`") as info:
        People([7, 8, 7])
    check(info.value, argument="ids", participant=7)


@pytest.mark.parametrize("bad", ["", 1.5, True, None, ("a",)])
def test_invalid_id_entry(bad):
    with pytest.raises(ValidationError, match=r"`ids` entry 1 is not a valid id") as info:
        People(["a", bad])
    check(info.value, argument="ids")


def test_ids_must_be_a_sequence():
    with pytest.raises(ValidationError, match=r"`ids` must be a sequence") as info:
        People("ab")
    check(info.value, argument="ids")


@pytest.mark.parametrize(
    ("skills", "match"),
    [
        (["ai", "ai"], r"duplicate skill 'ai' in `skills`"),
        (["ai", ""], r"`skills` must be a sequence of non-empty skill names"),
        (["ai", 3], r"`skills` must be a sequence of non-empty skill names"),
        ("ai", r"`skills` must be a sequence of non-empty skill names"),
    ],
)
def test_bad_skills(skills, match):
    with pytest.raises(ValidationError, match=match) as info:
        People(["a"], skills=skills)
    check(info.value, argument="skills")


# -- offers and wants ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["offers", "wants"])
@pytest.mark.parametrize(
    "value",
    [
        [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]],  # d = 3, not 2
        [[0.1, 0.2]],  # one row for two people
        [0.1, 0.2],  # 1-D
        [[[0.1, 0.2]], [[0.1, 0.2]]],  # 3-D
    ],
    ids=["too-many-columns", "too-few-rows", "1d", "3d"],
)
def test_skill_matrix_wrong_shape(field, value):
    raises(
        rf"`{field}` must have shape \(n, d\) = \(2, 2\); got \(",
        argument=field,
        **{field: value},
    )


@pytest.mark.parametrize("field", ["offers", "wants"])
@pytest.mark.parametrize(
    "value",
    [[[0.1, 0.2], [0.3]], [[0.1, 0.2], [0.3, {}]], [[0.1, 0.2], [0.3, "high"]]],
    ids=["ragged", "dict", "text"],
)
def test_skill_matrix_not_numeric(field, value):
    raises(
        rf"`{field}` must be a numeric array of shape \(n, d\) = \(2, 2\)",
        argument=field,
        **{field: value},
    )


@pytest.mark.parametrize("field", ["offers", "wants"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_skill_matrix_non_finite(field, bad):
    raises(
        rf"participant 'b': `{field}` has a non-finite value \(NaN or inf\) \(skill column 1\); "
        r"1 such entries in all",
        argument=field,
        participant="b",
        **{field: [[0.5, 0.5], [0.5, bad]]},
    )


def test_none_skill_level_reads_as_nan_and_is_rejected():
    raises(
        r"participant 'b': `offers` has a non-finite value \(NaN or inf\) \(skill column 0\)",
        argument="offers",
        participant="b",
        offers=[[0.5, 0.5], [None, 0.5]],
    )


def test_non_finite_is_reported_before_out_of_range():
    # 'a' is out of range, 'b' has a NaN: the NaN is the error reported
    raises(
        r"participant 'b': `offers` has a non-finite value",
        argument="offers",
        participant="b",
        offers=np.array([[1.5, 0.0], [0.0, np.nan]]),
    )


@pytest.mark.parametrize("field", ["offers", "wants"])
@pytest.mark.parametrize("bad", [-0.01, 1.01, 7.0])
def test_skill_matrix_outside_unit_interval(field, bad):
    raises(
        rf"participant 'a': `{field}` has a value outside \[0, 1\] \(skill column 0\); "
        r"2 such entries in all",
        argument=field,
        participant="a",
        **{field: [[bad, 0.0], [bad, 1.0]]},
    )


def test_skill_matrix_bounds_are_inclusive():
    p = build(offers=[[0.0, 1.0], [1.0, 0.0]], wants=np.eye(2))
    assert p.offers.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert p.wants.tolist() == [[1.0, 0.0], [0.0, 1.0]]


# -- department, grade, manager --------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", 3])
def test_bad_department(bad):
    raises(
        r"participant 'b': `department` must be a non-empty string",
        argument="department",
        participant="b",
        department=["IT", bad],
    )


@pytest.mark.parametrize("bad", [2.5, 2.0, "3", True])
def test_non_integer_grade(bad):
    raises(
        r"participant 'b': `grade` must be an integer",
        argument="grade",
        participant="b",
        grade=[1, bad],
    )


def test_numpy_integer_grades_are_accepted():
    p = build(grade=np.array([3, -2], dtype=np.int32))
    assert p.grade.tolist() == [3, -2] and p.grade.dtype == np.int64


def test_self_manager():
    raises(
        r"participant 'b': `manager` refers to the participant itself",
        argument="manager",
        participant="b",
        manager=[None, "b"],
    )


def test_self_manager_int_ids():
    with pytest.raises(ValidationError, match=r"participant 2: `manager` refers to") as info:
        People([1, 2], manager=[2, 2])
    check(info.value, argument="manager", participant=2)


@pytest.mark.parametrize("bad", [1.5, "", True, ["a"]])
def test_bad_manager_type(bad):
    raises(
        r"participant 'a': `manager` must be an id \(str or int\) or None",
        argument="manager",
        participant="a",
        manager=[bad, None],
    )


def test_manager_may_name_somebody_outside_the_table():
    # cross-table checks belong to Cohort; a single table accepts any id
    assert build(manager=["boss", 17]).manager.tolist() == ["boss", 17]


# -- capacity --------------------------------------------------------------------------------


def test_negative_capacity_scalar():
    raises(
        r"participant 'a': `capacity` must be a non-negative integer",
        argument="capacity",
        participant="a",
        capacity=-1,
    )


@pytest.mark.parametrize("bad", [-1, 1.5, True, None])
def test_bad_capacity_entry(bad):
    raises(
        r"participant 'b': `capacity` must be a non-negative integer",
        argument="capacity",
        participant="b",
        capacity=[1, bad],
    )


def test_zero_capacity_is_allowed():
    assert build(capacity=0).capacity.tolist() == [0, 0]


def test_missing_department_grade_and_timezone_are_none():
    p = build(department=["IT", None], grade=[1, None], timezone=[0, None])
    assert p.department.tolist() == ["IT", None]
    assert p.known("grade").tolist() == [True, False]
    assert p.known("timezone").tolist() == [True, False]
    assert math.isnan(build(timezone=[0, math.nan]).timezone[1])


# -- timezone --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [14.5, -12.5, math.inf, "UTC+1", True])
def test_bad_timezone(bad):
    raises(
        r"participant 'b': `timezone` must be a UTC offset in hours within \[-12, 14\]",
        argument="timezone",
        participant="b",
        timezone=[0, bad],
    )


def test_timezone_bounds_are_inclusive():
    assert build(timezone=[-12, 14]).timezone.tolist() == [-12.0, 14.0]


# -- languages and interests -----------------------------------------------------------------


@pytest.mark.parametrize("field", ["languages", "interests"])
@pytest.mark.parametrize(
    "bad", [[""], ["en", 3], 5, [None]], ids=["empty", "int", "scalar", "none"]
)
def test_bad_label_sets(field, bad):
    raises(
        rf"participant 'b': `{field}` must be a collection of non-empty strings",
        argument=field,
        participant="b",
        **{field: [["en"], bad]},
    )


def test_label_sets_accept_a_single_string_and_none():
    p = build(languages=["en", None], interests=[("chess", "go"), []])
    assert p.languages == (frozenset({"en"}), frozenset())
    assert p.interests == (frozenset({"chess", "go"}), frozenset())


# -- attributes ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["grade", "department", "id", "attributes", "capacity", ""])
def test_attribute_name_clashing_with_a_field(name):
    msg = raises(
        r"attribute name .* is not a non-empty string distinct from the built-in fields",
        argument="attributes",
        attributes={"gender": ["female", "nonbinary"], name: ["female", "nonbinary"]},
    )
    assert repr(name) in msg


def test_attribute_name_not_a_string():
    raises(
        r"attribute name 3 is not a non-empty string",
        argument="attributes",
        attributes={3: ["female", "nonbinary"]},
    )


def test_attributes_must_be_a_mapping():
    raises(
        r"`attributes` must be a mapping of attribute name to values",
        argument="attributes",
        attributes=[("gender", ["female", "nonbinary"])],
    )


@pytest.mark.parametrize("bad", [2.5, ("female",), ["female"]])
def test_bad_attribute_value(bad):
    raises(
        r"participant 'b': attribute 'gender' must be a str, an int or None",
        argument="gender",
        participant="b",
        attributes={"gender": ["female", bad]},
    )


# -- column lengths --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("department", ["IT"]),
        ("grade", [1, 2, 3]),
        ("manager", []),
        ("languages", [{"en"}]),
        ("timezone", [0.0, 1.0, 2.0]),
        ("interests", [set()]),
        ("capacity", [1, 1, 1]),
    ],
)
def test_wrong_column_length(field, value):
    raises(
        rf"`{field}` has {len(value)} entries; expected 2 \(one per participant\)",
        argument=field,
        **{field: value},
    )


def test_wrong_attribute_column_length():
    msg = raises(
        r"`attributes\['gender'\]` has 3 entries; expected 2",
        argument="attributes['gender']",
        attributes={"gender": ["female", "nonbinary", "female"]},
    )
    assert "gender" in msg


@pytest.mark.parametrize("field", ["department", "grade", "timezone"])
@pytest.mark.parametrize("value", ["IT", 3])
def test_column_must_be_a_sequence(field, value):
    raises(
        rf"`{field}` must be a sequence with one entry per participant",
        argument=field,
        **{field: value},
    )


def test_attribute_column_must_be_a_sequence():
    raises(
        r"`attributes\['gender'\]` must be a sequence with one entry per participant",
        argument="attributes['gender']",
        attributes={"gender": "female"},
    )


# -- from_records ----------------------------------------------------------------------------


def test_from_records_unknown_record_key():
    recs = records(b={"gender": "female"})
    msg = raises_records(
        r"participant 'b': unknown field\(s\) \['gender'\]; known fields are",
        recs,
        argument="gender",
        participant="b",
    )
    assert "'attributes'" in msg


@pytest.mark.parametrize("field", ["offers", "wants"])
def test_from_records_unknown_skill(field):
    recs = records(b={field: {"ai_tools": 0.5, "juggling": 0.5}})
    raises_records(
        rf"participant 'b': unknown skill 'juggling' in `{field}`; the skill space is "
        r"\['ai_tools', 'strategy'\]",
        recs,
        argument=field,
        participant="b",
    )


@pytest.mark.parametrize("field", ["offers", "wants"])
@pytest.mark.parametrize("bad", [[0.5, 0.5], 0.5, "ai_tools"], ids=["list", "float", "str"])
def test_from_records_skill_levels_must_be_a_mapping(field, bad):
    raises_records(
        rf"participant 'a': `{field}` must be a mapping of skill name to level",
        records(a={field: bad}),
        argument=field,
        participant="a",
    )


@pytest.mark.parametrize("bad", ["high", True, None, [0.5]])
def test_from_records_skill_level_must_be_a_number(bad):
    raises_records(
        r"participant 'b': `offers` level for skill 'strategy' must be a number in \[0, 1\]",
        records(b={"offers": {"strategy": bad}}),
        argument="offers",
        participant="b",
    )


@pytest.mark.parametrize(
    ("level", "match"),
    [(1.5, r"outside \[0, 1\]"), (math.nan, r"non-finite"), (-0.5, r"outside \[0, 1\]")],
)
def test_from_records_skill_level_range_names_participant(level, match):
    raises_records(
        rf"participant 'b': `wants` has .*{match}",
        records(b={"wants": {"strategy": level}}),
        argument="wants",
        participant="b",
    )


@pytest.mark.parametrize(
    "field", ["department", "grade", "manager", "languages", "timezone", "interests"]
)
def test_from_records_field_missing_from_some_records(field):
    raises_records(
        rf"participant 'b': `{field}` is missing but given for other participants",
        records(b={field: _DROP}),
        argument=field,
        participant="b",
    )


def test_from_records_missing_capacity_defaults_to_one():
    p = People.from_records(records(a={"capacity": _DROP}), skills=SKILLS)
    assert p.capacity.tolist() == [1, 2]


def test_from_records_missing_skill_levels_and_attributes_are_allowed():
    p = People.from_records(
        records(a={"offers": _DROP, "attributes": _DROP}, b={"wants": None}), skills=SKILLS
    )
    assert p.offers.tolist() == [[0.0, 0.0], [0.2, 0.8]]
    assert p.wants.tolist() == [[0.0, 1.0], [0.0, 0.0]]
    assert p.attributes["gender"].tolist() == [None, "nonbinary"]


@pytest.mark.parametrize("rec", [["a"], {"department": "IT"}, "a"])
def test_from_records_record_needs_an_id(rec):
    with pytest.raises(ValidationError, match=r"record 1 must be a mapping with an 'id' key") as e:
        People.from_records([{"id": "a"}, rec], skills=())
    check(e.value, argument="records")


def test_from_records_attributes_must_be_a_mapping():
    raises_records(
        r"participant 'b': `attributes` must be a mapping",
        records(b={"attributes": ["female"]}),
        argument="attributes",
        participant="b",
    )


def test_from_records_duplicate_ids():
    recs = records()
    recs[1]["id"] = "a"
    raises_records(r"duplicate id 'a' in `ids`", recs, argument="ids", participant="a")


def test_from_records_attribute_clashing_with_a_field():
    raises_records(
        r"attribute name 'grade' is not a non-empty string distinct",
        records(b={"attributes": {"grade": "female"}}),
        argument="attributes",
    )


def test_from_records_bad_column_value_reaches_the_constructor():
    raises_records(
        r"participant 'b': `grade` must be an integer",
        records(b={"grade": "senior"}),
        argument="grade",
        participant="b",
    )


def test_from_records_round_trips_to_the_array_constructor():
    a = build()
    b = People.from_records(records(), skills=SKILLS)
    assert repr(a) == repr(b)
    for name in ("ids", "offers", "wants", "department", "grade", "manager", "timezone"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
        assert getattr(a, name).dtype == getattr(b, name).dtype, name
    assert a.skills == b.skills
    assert a.languages == b.languages and a.interests == b.interests
    np.testing.assert_array_equal(a.capacity, b.capacity)
    assert a.attributes.keys() == b.attributes.keys()
    for name in a.attributes:
        assert a.attributes[name].tolist() == b.attributes[name].tolist()


@st.composite
def random_records(draw):
    n = draw(st.integers(0, 5))
    level = st.floats(0.0, 1.0, allow_nan=False)
    recs = []
    for i in range(n):
        rec = {
            "id": draw(st.sampled_from([f"p{i}", i])),
            "offers": draw(st.dictionaries(st.sampled_from(SKILLS), level)),
            "wants": draw(st.dictionaries(st.sampled_from(SKILLS), level)),
            "grade": draw(st.integers(-3, 10)),
            "timezone": draw(st.sampled_from([-12, -3.5, 0, 5.5, 14])),
            "languages": draw(st.frozensets(st.sampled_from(["en", "de", "fr"]))),
            "capacity": draw(st.integers(0, 3)),
        }
        attrs = draw(st.dictionaries(st.sampled_from(["gender", "team"]), st.sampled_from("xyz")))
        if attrs:
            rec["attributes"] = attrs
        recs.append(rec)
    return recs


@settings(max_examples=40, deadline=None)
@given(random_records())
def test_from_records_round_trip_property(recs):
    p = People.from_records(recs, skills=SKILLS)
    assert p.ids.tolist() == [r["id"] for r in recs]
    for i, r in enumerate(recs):
        for field in ("offers", "wants"):
            expected = [r[field].get(s, 0.0) for s in SKILLS]
            assert getattr(p, field)[i].tolist() == expected
        assert p.grade[i] == r["grade"]
        assert p.timezone[i] == r["timezone"]
        assert p.languages[i] == r["languages"]
        assert p.capacity[i] == r["capacity"]
        for name, col in p.attributes.items():
            assert col[i] == r.get("attributes", {}).get(name)
    names = {k for r in recs for k in r.get("attributes", {})}
    assert set(p.attributes) == names
    # and the array constructor given the same columns agrees
    q = People(
        p.ids.tolist(),
        skills=SKILLS,
        offers=p.offers,
        wants=p.wants,
        grade=p.grade.tolist() if recs else None,
        timezone=p.timezone.tolist() if recs else None,
        languages=list(p.languages) if recs else None,
        attributes={k: v.tolist() for k, v in p.attributes.items()},
        capacity=p.capacity.tolist(),
    )
    assert repr(q) == repr(p)
    np.testing.assert_array_equal(q.offers, p.offers)
    np.testing.assert_array_equal(q.wants, p.wants)


# -- errors, immutability, privacy -----------------------------------------------------------


def test_validation_error_hierarchy():
    assert issubclass(ValidationError, ValueError)
    assert issubclass(ValidationError, RmMatchError)
    with pytest.raises(ValueError, match="duplicate id"):
        People(["x", "x"])
    with pytest.raises(RmMatchError, match="duplicate id"):
        People(["x", "x"])


def test_error_attributes_are_set():
    with pytest.raises(ValidationError) as info:
        build(grade=[1, 2.5])
    assert info.value.participant == "b"
    assert info.value.argument == "grade"
    err = ValidationError("plain")
    assert err.participant is None and err.argument is None and str(err) == "plain"


def test_inputs_are_not_mutated_and_arrays_are_private_read_only_copies():
    offers = np.array([[0.9, 0.1], [0.2, 0.8]])
    before = offers.copy()
    department = ["IT", "Sales"]
    gender = ["female", "nonbinary"]
    attributes = {"gender": gender}
    p = build(offers=offers, department=department, attributes=attributes)
    np.testing.assert_array_equal(offers, before)
    assert offers.flags.writeable
    assert department == ["IT", "Sales"] and attributes == {"gender": ["female", "nonbinary"]}
    assert not np.shares_memory(p.offers, offers)
    with pytest.raises(ValueError, match="read-only"):
        p.offers[0, 0] = 0.0
    # later changes to the caller's objects do not reach the table
    offers[0, 0] = 0.0
    department[0] = "HR"
    gender[0] = "male"
    assert p.offers[0, 0] == 0.9
    assert p.department[0] == "IT"
    assert p.attributes["gender"][0] == "female"


def test_every_column_is_read_only():
    p = build()
    arrays = [
        p.ids,
        p.offers,
        p.wants,
        p.department,
        p.grade,
        p.manager,
        p.timezone,
        p.capacity,
        *p.attributes.values(),
    ]
    for a in arrays:
        assert not a.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            a[0] = a[1]
    assert isinstance(p.languages, tuple) and isinstance(p.languages[0], frozenset)


def test_table_is_immutable():
    p = build()
    with pytest.raises(AttributeError, match="immutable"):
        p.grade = np.array([9, 9])
    with pytest.raises(AttributeError):
        p.new_field = 1
    assert p.grade.tolist() == [1, 5]


def test_repr_has_counts_and_never_attribute_values():
    p = build()
    text = repr(p)
    assert text == (
        "People(n=2, skills=2, fields=['offers', 'wants', 'department', 'grade', 'manager', "
        "'languages', 'timezone', 'interests', 'capacity'], attributes=['code', 'gender'])"
    )
    assert str(p) == text
    for secret in SECRETS:
        assert secret not in text
    assert re.search(r"n=2\b", text) and re.search(r"skills=2\b", text)


def test_no_error_message_carries_attribute_values():
    """A sweep of errors triggered on tables that carry attribute values."""
    triggers = [
        lambda: build(ids=["a", "a"]),
        lambda: build(offers=[[2.0, 0.0], [0.0, 0.0]]),
        lambda: build(wants=[[math.nan, 0.0], [0.0, 0.0]]),
        lambda: build(grade=[1, "female"]),
        lambda: build(department=["IT", ""]),
        lambda: build(manager=["a", None]),
        lambda: build(capacity=[-1, 1]),
        lambda: build(timezone=[0, 20]),
        lambda: build(languages=[["female"], [3]]),
        lambda: build(attributes={"gender": ["female", 1.5]}),
        lambda: build(attributes={"gender": ["female"]}),
        lambda: build(attributes={"grade": ["female", "nonbinary"]}),
        lambda: build(attributes={"gender": "female"}),
        lambda: People.from_records(records(b={"gender": "female"}), skills=SKILLS),
        lambda: People.from_records(records(b={"department": _DROP}), skills=SKILLS),
        lambda: People.from_records(records(b={"offers": {"juggling": 1.0}}), skills=SKILLS),
        lambda: People.from_records(records(b={"attributes": ["female"]}), skills=SKILLS),
    ]
    for trigger in triggers:
        with pytest.raises(ValidationError) as info:
            trigger()
        msg = str(info.value)
        for secret in SECRETS:
            assert secret not in msg, msg


# -- regressions: bugs found by these tests, fixed in src --------------------------------


@pytest.mark.parametrize("field", ["grade", "capacity"])
def test_huge_integer_column_is_a_validation_error(field):
    raises(rf"`{field}`", argument=field, participant="b", **{field: [1, 2**70]})


def test_skills_from_a_generator_are_kept():
    p = People(["a"], skills=(s for s in SKILLS), offers=[[0.5, 0.5]])
    assert p.skills == SKILLS


def test_numeric_strings_in_offers_are_rejected():
    with pytest.raises(ValidationError, match="`offers`"):
        People(["a"], skills=["x"], offers=[["0.5"]])


def test_from_records_array_levels_are_a_validation_error():
    with pytest.raises(ValidationError, match="`offers` must be a mapping"):
        People.from_records([{"id": "a", "offers": np.array([0.5, 0.2])}], skills=SKILLS)


def test_empty_table_accepts_empty_skill_lists():
    p = People([], skills=["x", "y"], offers=[], wants=[])
    assert p.offers.shape == p.wants.shape == (0, 2)
