"""Empty sides: every method, on 0 × n, n × 0 and 0 × 0, through assign and match.

An empty cohort side is a valid programme with nothing to pair: every path returns an
empty, verified, optimal answer (everyone on the other side unmatched, with a reason), or
a named error where that is the honest answer (a goal that needs pairs cannot hold).
"""

from __future__ import annotations

import numpy as np
import pytest

from rm_match import (
    InfeasibleError,
    People,
    Problem,
    Programme,
    assign,
    goals,
    match,
    rules,
    synthetic,
    verify,
)
from rm_match.problem import ProblemArrays
from rm_match.solvers import registry

SHAPES = [(0, 4), (4, 0), (0, 0)]
PLAIN = ["auto", "lsa", "flow", "sparse"]
GOAL_METHODS = ["lp", "lagrangian", "cpsat", "milp"]

# every kind of rule: keyed ones (the sparse path screens them, match splits the cohort by
# them) and rules on identities (reporting lines, pair lists)
ALL_RULES = [
    rules.CrossDepartment(),
    rules.NoReportingLine(),
    rules.SeniorityDirection(1),
    rules.MaxTimezoneDiff(6),
    rules.CommonLanguage(),
    rules.SameGroup("region"),
    rules.ForbiddenPairs([]),
    rules.ExcludePrevious([]),
    rules.RequiredPairs([]),
]

# goals that an empty answer meets
TRIVIAL_GOALS = [
    goals.Count(at_most=5),
    goals.Share(cross="gender", at_least=0.4),
    goals.Spread("department", at_most=2),
    goals.MinPairScore(weight=1.0),
]


def cohort(n_m: int, n_e: int) -> tuple[People, People]:
    return synthetic.cohort(n_m, n_e, rng=1, regions=2)


def check_empty_matching(result, mentors, mentees, prog):
    assert len(result) == 0
    assert result.status == "optimal"
    assert result.objective == 0.0
    assert verify(result, Problem(mentors, mentees, prog)) == []
    # everyone on the other side is unmatched, each with a reason
    assert sorted(result.unmatched_mentors) == sorted(mentors.ids.tolist())
    assert sorted(result.unmatched_mentees) == sorted(mentees.ids.tolist())
    reasons = [*result.unmatched_mentors.values(), *result.unmatched_mentees.values()]
    assert all(isinstance(r, str) and r for r in reasons)
    assert result.report.pairs == 0


@pytest.mark.parametrize("shape", SHAPES)
def test_the_issue_example_takes_every_plain_method(shape):
    # issue 17 item 8: `People([], skills=["s1"], timezone=[])` crashed the sparse screen
    n_m, n_e = shape
    mentors = People([f"m{i}" for i in range(n_m)], skills=["s1"], timezone=[0.0] * n_m)
    mentees = People([f"e{i}" for i in range(n_e)], skills=["s1"], timezone=[1.0] * n_e)
    prog = Programme(rules=[rules.MaxTimezoneDiff(3)])
    for method in PLAIN:
        result = match(mentors, mentees, prog, method=method)
        check_empty_matching(result, mentors, mentees, prog)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", PLAIN)
@pytest.mark.parametrize("with_rules", [False, True])
@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
def test_match_without_goals(shape, method, with_rules, policy):
    mentors, mentees = cohort(*shape)
    prog = Programme(rules=ALL_RULES if with_rules else [], diversity_attributes=("gender",))
    result = match(mentors, mentees, prog, method=method, policy=policy, rng=0)
    check_empty_matching(result, mentors, mentees, prog)
    assert result.method == ("lsa" if method == "auto" else method)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_rules", [False, True])
def test_auto_on_the_sparse_path(monkeypatch, shape, with_rules):
    # from 0 cells up, `auto` takes the sparse path: it screens the empty side too
    monkeypatch.setattr(registry, "SPARSE_MIN_CELLS", 0)
    mentors, mentees = cohort(*shape)
    prog = Programme(rules=ALL_RULES if with_rules else [])
    result = match(mentors, mentees, prog)
    check_empty_matching(result, mentors, mentees, prog)
    assert result.method == "sparse"


@pytest.mark.parametrize("shape", [(4100, 0), (0, 4100)])
def test_sparse_path_with_one_side_large_and_the_other_empty(shape):
    # one side large enough for the pilot, the other empty: nothing to sample the pilot
    # from (it raised numpy's "a must be a positive integer")
    a = assign(np.zeros(shape), method="sparse")
    assert a.status == "optimal" and a.pairs.shape == (0, 2)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", ["auto", *GOAL_METHODS])
@pytest.mark.parametrize("with_rules", [False, True])
@pytest.mark.parametrize("goal", TRIVIAL_GOALS, ids=lambda g: g.name)
def test_match_with_goals_an_empty_answer_meets(shape, method, with_rules, goal):
    mentors, mentees = cohort(*shape)
    prog = Programme(rules=ALL_RULES if with_rules else [], goals=[goal])
    result = match(mentors, mentees, prog, method=method, time_limit=5, rng=0)
    check_empty_matching(result, mentors, mentees, prog)
    assert result.method == ("lp" if method == "auto" else method)
    assert [g.met for g in result.goals] == [True]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", ["auto", *GOAL_METHODS])
def test_match_with_a_goal_that_needs_pairs_is_infeasible(shape, method):
    # the honest answer, from every method alike (the Lagrangian one used to time out)
    mentors, mentees = cohort(*shape)
    prog = Programme(goals=[goals.Count(at_least=1)])
    with pytest.raises(InfeasibleError, match="no assignment meets the goals") as info:
        match(mentors, mentees, prog, method=method, time_limit=5)
    assert info.value.rules == ("count",)


@pytest.mark.parametrize("method", ["auto", *GOAL_METHODS])
def test_everyone_matched_on_the_empty_side_holds_and_on_the_other_fails(method):
    mentors, mentees = cohort(0, 4)
    holds = Programme(goals=[goals.EveryoneMatched(side="mentor")])
    result = match(mentors, mentees, holds, method=method, time_limit=5)
    check_empty_matching(result, mentors, mentees, holds)
    fails = Programme(goals=[goals.EveryoneMatched(side="mentee")])
    with pytest.raises(InfeasibleError, match="has no feasible partner") as info:
        match(mentors, mentees, fails, method=method, time_limit=5)
    assert info.value.rules == ("everyone_matched_mentee",)
    assert info.value.participants[0] in mentees.ids.tolist()


# -- assign ------------------------------------------------------------------------------------


def arrays_of(scores, feasible, m_cap, e_cap) -> ProblemArrays:
    return ProblemArrays(scores, feasible, m_cap, e_cap, np.empty((0, 2), np.int64), {})


def check_empty_assignment(a, n_m, n_e, feasible=None):
    assert a.pairs.shape == (0, 2)
    assert a.objective == 0.0
    assert a.bound == 0.0
    assert a.status == "optimal"
    f = np.ones((n_m, n_e), dtype=bool) if feasible is None else feasible
    caps = np.ones(n_m, np.int64), np.ones(n_e, np.int64)
    assert verify(a.pairs, arrays_of(np.zeros((n_m, n_e)), f, *caps)) == []


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", PLAIN)
@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
@pytest.mark.parametrize("masked", [False, True])
def test_assign_without_goals(shape, method, policy, masked):
    n_m, n_e = shape
    feasible = np.zeros(shape, dtype=bool) if masked else None
    a = assign(np.zeros(shape), feasible, method=method, policy=policy)
    check_empty_assignment(a, n_m, n_e, feasible)
    assert a.method == ("lsa" if method == "auto" else method)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", PLAIN)
def test_assign_with_capacity_arrays(shape, method):
    n_m, n_e = shape
    if method in ("lsa", "sparse"):  # one side only
        m_cap, e_cap = np.full(n_m, 3), np.ones(n_e, dtype=int)
    else:
        m_cap, e_cap = np.full(n_m, 3), np.full(n_e, 2)
    a = assign(np.zeros(shape), mentor_capacity=m_cap, mentee_capacity=e_cap, method=method)
    assert a.pairs.shape == (0, 2)
    assert a.status == "optimal"


def array_goals(n_m: int, n_e: int) -> list:
    codes = (np.zeros(n_m, dtype=int), np.zeros(n_e, dtype=int))
    return [
        goals.Count(at_most=5),
        goals.Share(pairs=np.zeros((n_m, n_e), dtype=bool), at_most=0.5),
        goals.Spread(groups=codes, at_most=2),
    ]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", ["auto", *GOAL_METHODS])
def test_assign_with_goals_an_empty_answer_meets(shape, method):
    n_m, n_e = shape
    a = assign(np.zeros(shape), method=method, goals=array_goals(n_m, n_e), time_limit=5)
    check_empty_assignment(a, n_m, n_e)
    assert a.method == ("lp" if method == "auto" else method)
    assert all(g.met for g in a.goals)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", ["auto", *GOAL_METHODS])
def test_assign_with_a_goal_that_needs_pairs_is_infeasible(shape, method):
    with pytest.raises(InfeasibleError, match="no assignment meets the goals") as info:
        assign(np.zeros(shape), method=method, goals=[goals.Count(at_least=1)], time_limit=5)
    assert info.value.rules == ("count",)


@pytest.mark.parametrize("method", ["auto", *GOAL_METHODS])
def test_assign_with_goals_and_every_pair_forbidden(method):
    # not an empty side, but no pair to choose either: the same honest answers
    scores = np.ones((3, 3))
    none = np.zeros((3, 3), dtype=bool)
    a = assign(scores, none, method=method, goals=[goals.Count(at_most=1)], time_limit=5)
    check_empty_assignment(a, 3, 3, none)
    with pytest.raises(InfeasibleError):
        assign(scores, none, method=method, goals=[goals.Count(at_least=1)], time_limit=5)


@pytest.mark.parametrize("method", ["auto", *PLAIN[1:], *GOAL_METHODS])
def test_nobody_with_capacity_is_like_an_empty_side(method):
    # not an empty table, but no one who can take a partner: the same empty answers
    mentors, mentees = cohort(3, 4)
    zero = People(
        mentors.ids.tolist(),
        skills=mentors.skills,
        offers=mentors.offers,
        wants=mentors.wants,
        capacity=0,
    )
    goal = [goals.Count(at_most=3)] if method in GOAL_METHODS else []
    prog = Programme(goals=goal)
    result = match(zero, mentees, prog, method=method, time_limit=5)
    check_empty_matching(result, zero, mentees, prog)
    assert set(result.unmatched_mentors.values()) == {"capacity 0"}
    a = assign(np.ones((3, 4)), mentor_capacity=0, method=method, goals=goal or None, time_limit=5)
    check_empty_assignment(a, 3, 4)
