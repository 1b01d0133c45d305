"""Cohort and Problem: cross-table validation, the org chart and its ancestor arrays."""

from __future__ import annotations

import ast
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_match import Cohort, People, Problem, Programme, ValidationError, match, rules

SKILLS = ("ai_tools", "strategy")


def side(ids, **kwargs) -> People:
    kwargs.setdefault("skills", SKILLS)
    return People(ids, **kwargs)


def via_cohort(mentors, mentees, org_chart=None):
    return Cohort(mentors, mentees, org_chart)


def via_problem(mentors, mentees, org_chart=None):
    return Problem(mentors, mentees, org_chart=org_chart).cohort


def via_match(mentors, mentees, org_chart=None):
    return match(mentors, mentees, org_chart=org_chart)


#: The three ways in: the validation must be the same whichever the caller uses.
BUILDERS = pytest.mark.parametrize(
    "build", [via_cohort, via_problem, via_match], ids=["Cohort", "Problem", "match"]
)


def cycle_in(message: str) -> list:
    """The list of ids printed in a reporting-cycle message."""
    found = re.search(r"reporting cycle through (\[.*\])", message)
    assert found, message
    return ast.literal_eval(found.group(1))


def is_rotation(got: list, cycle: list) -> bool:
    """``got`` walks ``cycle`` in the reporting direction, from any starting point."""
    n = len(cycle)
    return len(got) == n and any(got == cycle[k:] + cycle[:k] for k in range(n))


# -- the two sides together ------------------------------------------------------------------


@BUILDERS
def test_valid_pair_of_tables(build):
    m = side(["m1", "m2"], manager=["e1", None])
    e = side(["e1"], manager=["boss"])
    out = build(m, e, {"boss": None})
    assert out is not None


def test_cohort_basics():
    c = Cohort(side(["m1", "m2"]), side(["e1"]))
    assert c.shape == (2, 1)
    assert c.org_chart == {}
    assert repr(c) == "Cohort(n_mentors=2, n_mentees=1)"


@BUILDERS
@pytest.mark.parametrize(
    ("mentor_skills", "mentee_skills"),
    [
        (("ai_tools", "strategy"), ("strategy", "ai_tools")),  # same names, other order
        (("ai_tools", "strategy"), ("ai_tools",)),
        ((), ("ai_tools",)),
    ],
)
def test_skill_spaces_differ(build, mentor_skills, mentee_skills):
    m = People(["m1"], skills=mentor_skills)
    e = People(["e1"], skills=mentee_skills)
    with pytest.raises(ValidationError, match=r"must share one skill space") as info:
        build(m, e)
    assert info.value.argument == "skills"
    assert str(list(mentor_skills)) in str(info.value)
    assert str(list(mentee_skills)) in str(info.value)


@BUILDERS
@pytest.mark.parametrize("shared", ["x", 7])
def test_id_on_both_sides(build, shared):
    m = side(["m1", shared])
    e = side([shared, "e2"])
    with pytest.raises(
        ValidationError, match=rf"id {re.escape(repr(shared))} appears among both mentors"
    ) as info:
        build(m, e)
    assert info.value.participant == shared
    assert info.value.argument == "ids"


def test_sides_must_be_people_tables():
    with pytest.raises(ValidationError, match=r"`mentees` must be a People table; got list"):
        Cohort(side(["m1"]), ["e1"])
    with pytest.raises(ValidationError, match=r"`mentors` must be a People table; got dict") as e:
        Problem({}, side(["e1"]))
    assert e.value.argument == "mentors"


# -- the org chart ---------------------------------------------------------------------------


@BUILDERS
@pytest.mark.parametrize("where", ["mentor", "mentee", "org_chart"])
def test_manager_that_refers_to_nobody(build, where):
    m = side(["m1", "m2"], manager=["ghost" if where == "mentor" else None, "e1"])
    e = side(["e1", "e2"], manager=[None, "ghost" if where == "mentee" else "m1"])
    chart = {"o1": "ghost" if where == "org_chart" else None}
    who = {"mentor": "m1", "mentee": "e2", "org_chart": "o1"}[where]
    with pytest.raises(
        ValidationError,
        match=rf"participant '{who}': `manager` 'ghost' refers to nobody \(not a mentor, a "
        r"mentee, nor in `org_chart`\)",
    ) as info:
        build(m, e, chart)
    assert info.value.participant == who
    assert info.value.argument == "manager"


@BUILDERS
def test_org_chart_makes_an_outside_manager_valid(build):
    m = side(["m1"], manager=["ceo"])
    e = side(["e1"], manager=["cfo"])
    with pytest.raises(ValidationError, match="refers to nobody"):
        build(m, e)
    with pytest.raises(ValidationError, match=r"participant 'e1': `manager` 'cfo'"):
        build(m, e, {"ceo": None})
    assert build(m, e, {"ceo": None, "cfo": "ceo"}) is not None


@BUILDERS
@pytest.mark.parametrize("key", ["m1", "e1"])
def test_org_chart_key_that_is_a_participant(build, key):
    m = side(["m1"], manager=["ceo"])
    e = side(["e1"])
    with pytest.raises(
        ValidationError, match=rf"`org_chart` entry '{key}' is a programme participant"
    ) as info:
        build(m, e, {"ceo": None, key: "ceo"})
    assert info.value.participant == key
    assert info.value.argument == "org_chart"


def test_org_chart_outsider_managing_itself():
    with pytest.raises(ValidationError, match=r"participant 'ceo': `manager` refers to") as info:
        Cohort(side(["m1"], manager=["ceo"]), side(["e1"]), {"ceo": "ceo"})
    assert info.value.participant == "ceo"


@BUILDERS
def test_two_cycle_between_mentor_and_mentee(build):
    m = side(["m1", "m2"], manager=["e1", None])
    e = side(["e1"], manager=["m1"])
    with pytest.raises(ValidationError, match="the org chart has a reporting cycle") as info:
        build(m, e)
    assert is_rotation(cycle_in(str(info.value)), ["m1", "e1"])
    assert info.value.argument == "manager"
    assert info.value.participant in ("m1", "e1")


@BUILDERS
def test_three_cycle_across_mentors_and_mentees(build):
    # a -> b -> c -> a: mentor a reports to mentee b, who reports to mentor c, who reports to a
    # (d and x hang below the cycle and are not part of it)
    m = side(["d", "a", "c"], manager=["a", "b", "a"])
    e = side(["x", "b"], manager=["d", "c"])
    with pytest.raises(ValidationError, match="reporting cycle through") as info:
        build(m, e)
    got = cycle_in(str(info.value))
    assert is_rotation(got, ["a", "b", "c"]), got
    assert info.value.participant in ("a", "b", "c")


def test_cycle_through_outsiders_is_named():
    m = side(["m1"], manager=["o1"])
    e = side(["e1"], manager=["o3"])
    with pytest.raises(ValidationError, match="reporting cycle") as info:
        Cohort(m, e, {"o1": "o2", "o2": "e1", "o3": "o1"})
    assert is_rotation(cycle_in(str(info.value)), ["o1", "o2", "e1", "o3"])


def test_long_chain_is_not_a_cycle():
    # a deep, acyclic chain alternating sides: m0 -> e0 -> m1 -> e1 -> ... -> top
    n = 40
    mentors = [f"m{i}" for i in range(n)]
    mentees = [f"e{i}" for i in range(n)]
    m = side(mentors, manager=mentees)
    e = side(mentees, manager=[*mentors[1:], "top"])
    c = Cohort(m, e, {"top": None})
    up_m, up_e = c.ancestors(3)
    assert up_m[:, 0].tolist() == list(range(n))  # m_i -> e_i
    assert up_e[:-1, 0].tolist() == list(range(1, n))  # e_i -> m_{i+1}
    assert up_e[-1].tolist() == [-1, -1, -1]  # e_last -> top (outsider) -> nothing
    assert up_m[0].tolist() == [0, -1, 1]  # m0 -> e0 -> m1 -> e1


def test_ids_of_either_type_in_the_org_chart():
    m = side([1, 2], manager=[None, 10])
    e = side([10, 11], manager=["ceo", 1])
    c = Cohort(m, e, {"ceo": None})
    up_m, up_e = c.ancestors(2)
    assert up_m.tolist() == [[-1, -1], [0, -1]]
    assert up_e.tolist() == [[-1, -1], [0, -1]]


# -- ancestors -------------------------------------------------------------------------------


@pytest.fixture
def org():
    """A small org chart across both sides and two outsiders.

    Reporting lines (child -> manager)::

        m1 -> m0 -> e0 -> e1 -> o1 -> e2 -> m3
        m2 -> o1
        o2 (outsider, no manager, nobody reports to it)
    """
    m = side(["m0", "m1", "m2", "m3"], manager=["e0", "m0", "o1", None])
    e = side(["e0", "e1", "e2"], manager=["e1", "o1", "m3"])
    return Cohort(m, e, {"o1": "e2", "o2": None})


def test_ancestors_depth_one(org):
    up_m, up_e = org.ancestors(1)
    assert up_m.dtype == np.int64 and up_e.dtype == np.int64
    np.testing.assert_array_equal(up_m, [[0], [-1], [-1], [-1]])
    np.testing.assert_array_equal(up_e, [[-1], [-1], [3]])


def test_ancestors_depth_three(org):
    up_m, up_e = org.ancestors(3)
    np.testing.assert_array_equal(
        up_m,
        [
            [0, 1, -1],  # m0: e0, e1, o1
            [-1, 0, 1],  # m1: m0, e0, e1
            [-1, 2, -1],  # m2: o1, e2, m3
            [-1, -1, -1],  # m3: nobody
        ],
    )
    np.testing.assert_array_equal(
        up_e,
        [
            [-1, -1, -1],  # e0: e1, o1, e2
            [-1, -1, 3],  # e1: o1, e2, m3
            [3, -1, -1],  # e2: m3, nobody
        ],
    )


def test_ancestors_deeper_than_the_chart(org):
    up_m, up_e = org.ancestors(8)
    assert up_m.shape == (4, 8) and up_e.shape == (3, 8)
    # m1 -> m0 -> e0 -> e1 -> o1 -> e2 -> m3 -> (top)
    assert up_m[1].tolist() == [-1, 0, 1, -1, 2, -1, -1, -1]
    assert up_e[0].tolist() == [-1, -1, -1, 3, -1, -1, -1, -1]
    # the first columns agree with a shallower call
    np.testing.assert_array_equal(up_m[:, :3], org.ancestors(3)[0])
    np.testing.assert_array_equal(up_e[:, :3], org.ancestors(3)[1])


def test_ancestors_without_any_manager():
    c = Cohort(side(["m0", "m1"]), side(["e0"]))
    up_m, up_e = c.ancestors(2)
    np.testing.assert_array_equal(up_m, np.full((2, 2), -1))
    np.testing.assert_array_equal(up_e, np.full((1, 2), -1))


def test_ancestors_with_manager_on_one_side_only():
    c = Cohort(side(["m0", "m1"], manager=["e0", "m0"]), side(["e0"]))
    up_m, up_e = c.ancestors(2)
    assert up_m.tolist() == [[0, -1], [-1, 0]]
    assert up_e.tolist() == [[-1, -1]]


# -- cross-table requirements of rules -------------------------------------------------------


@pytest.mark.parametrize("missing", ["mentors", "mentees"])
def test_require_names_the_side_and_field(missing):
    m = side(["m1"], department=None if missing == "mentors" else ["IT"])
    e = side(["e1"], department=None if missing == "mentees" else ["HR"])
    with pytest.raises(
        ValidationError,
        match=rf"rule cross_department needs `department` on both sides, but the {missing} "
        "table has none",
    ) as info:
        Problem(m, e, Programme(rules=[rules.CrossDepartment()]))
    assert info.value.argument == "department"


def test_require_accepts_attributes():
    m = side(["m1"], attributes={"team": ["x"]})
    e = side(["e1"], attributes={"team": ["y"]})
    Cohort(m, e).require("team", "test")
    with pytest.raises(ValidationError, match=r"test needs `team` on both sides, but the mentees"):
        Cohort(m, side(["e1"])).require("team", "test")


def test_shared_encodings_use_one_vocabulary():
    m = side(["m1", "m2"], department=["IT", "HR"], languages=[{"en"}, {"de", "fr"}])
    e = side(["e1", "e2"], department=["HR", "Ops"], languages=[{"fr"}, set()])
    c = Cohort(m, e)
    d_m, d_e = c.departments
    assert d_m[1] == d_e[0] and d_m[0] != d_e[0] and len({*d_m, *d_e}) == 3
    l_m, l_e = c.languages
    assert (l_m @ l_e.T > 0).tolist() == [[False, False], [True, False]]


# -- regression: a bug found by these tests, fixed in src ------------------------------------


def test_unhashable_org_chart_manager_is_a_validation_error():
    with pytest.raises(ValidationError, match=r"participant 'o1': `manager`"):
        Cohort(side(["m1"], manager=["o1"]), side(["e1"]), {"o1": ["ceo"]})


def test_a_missing_column_says_how_else_to_fix_it():
    m = People(["a"], interests=[["jazz"]])
    e = People(["b"])
    with pytest.raises(ValidationError, match=r"or give the term weight 0 in `weights`\)"):
        Problem(m, e, Programme(weights={"learning": 1, "interests": 1}))
    with pytest.raises(ValidationError, match=r"or leave the rule out\)"):
        Problem(m, e, Programme(rules=[rules.CrossDepartment()]))
    with pytest.raises(ValidationError, match=r"or leave the attribute out of"):
        Problem(m, e, Programme(diversity_attributes=("gender",)))


@settings(max_examples=60, deadline=None)
@given(
    left=st.lists(st.frozensets(st.sampled_from("abcdefg")), max_size=8),
    right=st.lists(st.frozensets(st.sampled_from("defghij")), max_size=8),
)
def test_indicators_mark_each_persons_labels_on_one_vocabulary(left, right) -> None:
    from rm_match.cohort import _indicators

    a, b = _indicators(left, right)
    vocab = sorted(set().union(*left, *right))
    assert a.shape == (len(left), max(len(vocab), 1)) and b.shape[1] == a.shape[1]
    for mat, sets in ((a, left), (b, right)):
        want = [[float(label in s) for label in vocab] for s in sets]
        assert mat[:, : len(vocab)].tolist() == want
