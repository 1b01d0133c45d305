"""Rotation rounds over participants: :func:`rm_match.rounds.rotate`.

Each round is checked by :func:`rm_match.verify` against the problem (rules, capacities and
the history); the whole plan repeats no pair; the joint plan is at least as good as greedy
round-by-round matching, and equals brute force on tiny cohorts.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rm_match as rm
from rm_match import People, Problem, Programme, goals, rules, synthetic, verify, verify_rounds
from rm_match.errors import InfeasibleError, ValidationError
from rm_match.rounds import Rotation, Round, Shortfall, rotate
from solvers.test_rotation import brute_rounds

SMALL = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PROG = Programme(rules=[rules.CrossDepartment(), rules.SeniorityDirection(1)])


def _check_plan(rot: Rotation, k: int) -> None:
    """Every round verified, no pair twice, sessions and sit-outs consistent."""
    assert len(rot.rounds) == k
    assert [r.number for r in rot.rounds] == list(range(1, k + 1))
    for r in rot.rounds:
        # a required pair is made in one round: the others' checks miss it
        assert [v for v in verify(r.id_pairs, rot.problem) if v.rule != "required_pairs"] == []
        in_round_m = {p.mentor for p in r.pairs}
        in_round_e = {p.mentee for p in r.pairs}
        assert not in_round_m & set(r.sit_outs["mentors"])
        assert not in_round_e & set(r.sit_outs["mentees"])
    keys = [p[:2] for p in rot.pairs]
    assert len(keys) == len(set(keys)), "a pair repeated across rounds"
    counted: dict = {}
    for m, _, _ in rot.pairs:
        counted[m] = counted.get(m, 0) + 1
    assert {m: c for m, c in rot.sessions["mentors"].items() if c} == counted
    assert rot.objective == pytest.approx(sum(p.score for r in rot.rounds for p in r.pairs))
    assert rot.bound >= rot.objective - 1e-9


def _greedy(mentors, mentees, programme, k):
    """k calls of match, each excluding the pairs of the rounds before."""
    seen: list = []
    total, count = 0.0, 0
    for _ in range(k):
        prog = programme
        if seen:
            prog = Programme(
                rules=[*programme.rules, rules.ExcludePrevious(seen)],
                weights=programme.weights,
                diversity_attributes=programme.diversity_attributes,
            )
        m = rm.match(mentors, mentees, prog)
        total += m.objective
        count += len(m)
        seen += m.id_pairs
    return count, total


def test_rotation_basic_cohort():
    mentors, mentees = synthetic.cohort(30, 20, rng=7)
    rot = rotate(mentors, mentees, PROG, rounds=3)
    _check_plan(rot, 3)
    assert rot.status == "optimal" and rot.method == "flow"
    assert len(rot.to_records()) == len(rot) == len(rot.pairs)
    rec = rot.to_records()[0]
    assert {"round", "mentor", "mentee", "score", "reason", "required"} <= set(rec)
    assert all(isinstance(r, Round) for r in rot.rounds)
    assert len(rot.sit_outs) == 3
    assert "Rotation(rounds=3" in repr(rot) and "Round(number=1" in repr(rot.rounds[0])


@SMALL
@given(
    st.integers(2, 7),
    st.integers(2, 7),
    st.integers(1, 3),
    st.integers(0, 10_000),
    st.sampled_from([1, 2]),
)
def test_joint_at_least_greedy(n_m, n_e, k, seed, cap):
    mentors, mentees = synthetic.cohort(n_m, n_e, rng=seed, mentor_capacity=cap)
    rot = rotate(mentors, mentees, PROG, rounds=k, fair=False)
    _check_plan(rot, k)
    count, total = _greedy(mentors, mentees, PROG, k)
    assert len(rot) >= count
    if len(rot) == count:
        assert rot.objective >= total - 1e-9
    fair = rotate(mentors, mentees, PROG, rounds=k)
    _check_plan(fair, k)
    assert len(fair) == len(rot)
    assert fair.objective <= rot.objective + 1e-9


@contextmanager
def _crossover(cells: int):
    """``auto``'s sparse crossover set to ``cells`` within the block."""
    from rm_match.solvers import registry

    old = registry.SPARSE_MIN_CELLS
    registry.SPARSE_MIN_CELLS = cells
    try:
        yield
    finally:
        registry.SPARSE_MIN_CELLS = old


@SMALL
@given(
    st.integers(2, 14),
    st.integers(2, 14),
    st.integers(1, 4),
    st.integers(0, 10_000),
    st.sampled_from([1, 2]),
    st.booleans(),
    st.sampled_from(["max_matched", "max_score"]),
)
def test_sparse_plan_equals_the_dense_flow(n_m, n_e, k, seed, cap, fair, policy):
    """Above the crossover the plan is the sparse b-matching of ``match`` (no n × n matrix),
    coloured into rounds: the same sessions and score as the dense flow, certified, every
    round verified, the same people short for the same reasons."""
    mentors, mentees = synthetic.cohort(n_m, n_e, rng=seed, mentor_capacity=cap)
    history = [(mentors.ids[0], mentees.ids[0])]
    kw = {"rounds": k, "fair": fair, "policy": policy, "history": history}
    with _crossover(1 << 60):
        dense = rotate(mentors, mentees, PROG, **kw)
    with _crossover(0):
        plan = rotate(mentors, mentees, PROG, **kw)
    assert dense.method == "flow"
    if not fair:
        assert plan.method == "sparse"
    elif policy == "max_score":  # fair floors need the most sessions: the dense flow
        assert plan.method == "flow"
    # with floors, the sparse plan is kept only when the optimum meets them all
    assert len(plan) == len(dense)
    assert plan.objective == pytest.approx(dense.objective, abs=1e-9)
    assert plan.status == "optimal" and plan.bound >= plan.objective - 1e-12
    _check_plan(plan, k)
    assert verify_rounds(plan, plan.problem, history=history) == []
    if plan.method == "sparse":
        assert plan.min_sessions == dense.min_sessions
    for side in ("mentors", "mentees"):  # allowed partners do not depend on the answer
        both = set(plan.short[side]) & set(dense.short[side])
        assert all(plan.short[side][i].allowed == dense.short[side][i].allowed for i in both)


@pytest.mark.parametrize("cells", [0, 1 << 60])
def test_required_pairs_beyond_a_rounds_capacity_on_either_path(cells):
    # found by review: the sparse plan (k × capacity) accepted what the dense path refuses
    prog = Programme(rules=[rules.RequiredPairs([("A", "x"), ("A", "y")])])
    with _crossover(cells), pytest.raises(InfeasibleError, match="required pairs"):
        rotate(People(["A"]), People(["x", "y"]), prog, rounds=2)
    with pytest.raises(InfeasibleError, match="required pairs"):  # and under goals
        rotate(
            People(["A"]),
            People(["x", "y"]),
            Programme(rules=prog.rules, goals=[goals.Count(at_least=1)]),
            rounds=2,
        )


def test_sparse_plan_is_taken_at_scale():
    mentors, mentees = synthetic.cohort(60, 60, rng=3)
    with _crossover(1000):
        rot = rotate(mentors, mentees, PROG, rounds=3)
    assert rot.method == "sparse" and rot.status == "optimal"
    assert "coloured into 3 round(s)" in rot.assignment.message
    assert rot.min_sessions["mentors"] and min(rot.sessions["mentors"].values()) >= 1
    _check_plan(rot, 3)


@SMALL
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 10_000))
def test_joint_equals_brute_force_on_tiny_cohorts(n_m, n_e, k, seed):
    mentors, mentees = synthetic.cohort(n_m, n_e, rng=seed)
    rot = rotate(mentors, mentees, PROG, rounds=k, fair=False)
    arrays = Problem(mentors, mentees, PROG).compile()
    count, total = brute_rounds(arrays.scores, arrays.feasible, k, "max_matched")
    assert len(rot) == count
    assert rot.objective == pytest.approx(total, abs=1e-9)


def test_history_is_never_repeated():
    mentors, mentees = synthetic.cohort(12, 12, rng=3)
    first = rotate(mentors, mentees, rounds=2)
    before = {p[:2] for p in first.pairs}
    for history in (
        [first],
        first.pairs,  # (mentor, mentee, round) triples
        [p[:2] for p in first.pairs],
        list(first.rounds),
        [rm.match(mentors, mentees)],
    ):
        again = rotate(mentors, mentees, rounds=2, history=history)
        _check_plan(again, 2)
        excluded = before if not isinstance(history[0], rm.Matching) else set()
        if isinstance(history[0], rm.Matching):
            excluded = set(history[0].id_pairs)
        assert not {p[:2] for p in again.pairs} & excluded


def test_history_ids_no_longer_in_the_tables_are_ignored():
    mentors, mentees = synthetic.cohort(4, 4, rng=1)
    m0, e0 = mentors.ids[0], mentees.ids[0]
    rot = rotate(mentors, mentees, rounds=1, history=[("gone", e0), (m0, "left"), (m0, e0)])
    assert (m0, e0) not in {p[:2] for p in rot.pairs}
    rules_ = [type(r).__name__ for r in rot.problem.programme.rules]
    assert rules_ == ["ExcludePrevious"]
    assert rot.problem.programme.rules[0].pairs == ((m0, e0),)


def test_more_rounds_than_partners_says_who_is_short():
    mentors = People(["j1", "j2", "j3"], department=["A", "B", "B"])
    mentees = People(["s1", "s2", "s3"], department=["B", "A", "A"])
    prog = Programme(rules=[rules.CrossDepartment()])
    rot = rotate(mentors, mentees, prog, rounds=3, fair=False)
    _check_plan(rot, 3)
    # j1 may meet s1 only; j2, j3 may meet s2, s3
    assert rot.sessions["mentors"] == {"j1": 1, "j2": 2, "j3": 2}
    short = rot.short["mentors"]
    assert set(short) == {"j1", "j2", "j3"}
    assert short["j1"] == Shortfall(1, 3, 1, "few_partners")
    assert str(short["j1"]) == "met all 1 allowed partner(s); 3 session(s) possible"
    assert rot.short["mentees"]["s1"].kind == "few_partners"
    assert rot.sit_outs[0]["mentors"] or rot.sit_outs[1]["mentors"] or rot.sit_outs[2]["mentors"]


def test_partners_full_reason():
    mentors, mentees = synthetic.cohort(30, 20, rng=7)
    rot = rotate(mentors, mentees, rounds=2, fair=False)
    # 40 sessions for 30 juniors: some juniors get fewer than 2, their partners are full
    kinds = {s.kind for s in rot.short["mentors"].values()}
    assert kinds == {"partners_full"}
    assert not rot.short["mentees"]


def test_fairness_floors_on_unequal_sides():
    mentors, mentees = synthetic.cohort(30, 20, rng=7)
    prog = Programme(rules=[rules.CrossDepartment()])
    unfair = rotate(mentors, mentees, prog, rounds=4, fair=False)
    fair = rotate(mentors, mentees, prog, rounds=4)
    _check_plan(fair, 4)
    assert len(fair) == len(unfair) == 80  # 20 seniors × 4 rounds
    floor = fair.stats["floor"]
    assert floor == 80 // 30
    assert min(fair.sessions["mentors"].values()) >= floor
    assert fair.objective <= unfair.objective + 1e-9
    assert all(v == floor for v in fair.min_sessions["mentors"].values())
    assert fair.min_sessions["mentees"] == {}


def test_capacities_per_round_hold():
    mentors, mentees = synthetic.cohort(10, 20, rng=5, mentor_capacity=2)
    rot = rotate(mentors, mentees, rounds=3)
    _check_plan(rot, 3)
    assert max(rot.sessions["mentors"].values()) <= 6
    for r in rot.rounds:
        per = {}
        for p in r.pairs:
            per[p.mentor] = per.get(p.mentor, 0) + 1
        assert max(per.values()) <= 2


def test_required_pairs_appear_once():
    mentors, mentees = synthetic.cohort(5, 5, rng=2)
    req = [(mentors.ids[0], mentees.ids[1])]
    rot = rotate(mentors, mentees, Programme(rules=[rules.RequiredPairs(req)]), rounds=2)
    _check_plan(rot, 2)
    got = [(p.mentor, p.mentee, p.required) for r in rot.rounds for p in r.pairs]
    assert sum(1 for m, e, _ in got if (m, e) == req[0]) == 1
    assert [(m, e) for m, e, flag in got if flag] == req
    with pytest.raises(InfeasibleError, match="breaks rule"):
        rotate(
            mentors,
            mentees,
            Programme(rules=[rules.RequiredPairs(req)]),
            rounds=2,
            history=req,
        )


def test_errors():
    mentors, mentees = synthetic.cohort(4, 4, rng=0)
    for bad in (0, -1, 1.5, True, "2", None):
        with pytest.raises(ValidationError, match="`rounds` must be an integer ≥ 1"):
            rotate(mentors, mentees, rounds=bad)
    with pytest.raises(TypeError):
        rotate(mentors, mentees)  # rounds is required
    with pytest.raises(ValidationError, match="`history` must be an iterable"):
        rotate(mentors, mentees, rounds=1, history=5)
    with pytest.raises(ValidationError, match="`history` entry 0 must be a"):
        rotate(mentors, mentees, rounds=1, history=["M1"])
    with pytest.raises(ValidationError, match="`fair` must be True or False"):
        rotate(mentors, mentees, rounds=1, fair="yes")
    with pytest.raises(ValidationError, match="`policy`"):
        rotate(mentors, mentees, rounds=1, policy="best")
    with pytest.raises(ValidationError, match="`programme` must be a Programme"):
        rotate(mentors, mentees, {}, rounds=1)
    prog = Programme(goals=[goals.Count(at_least=10_000)])  # goals over the whole plan
    with pytest.raises(InfeasibleError, match="count"):
        rotate(mentors, mentees, prog, rounds=2)


def test_memory_limit_is_checked_before_the_compile(monkeypatch):
    mentors, mentees = synthetic.cohort(40, 40, rng=0)

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled before the memory check")

    with monkeypatch.context() as m:
        m.setattr(Problem, "compile", no_compile)
        with pytest.raises(rm.MemoryBudgetError, match="`memory_limit`") as info:
            rotate(mentors, mentees, rounds=3, memory_limit=1e5)
    assert info.value.budget == 1e5 and info.value.estimate > 1e5
    with pytest.raises(ValidationError, match="`memory_limit` must be a positive number"):
        rotate(mentors, mentees, rounds=3, memory_limit=-1)
    rot = rotate(mentors, mentees, rounds=3, memory_limit=math.inf)
    assert rot.status == "optimal" and len(rot) == 120


def test_max_score_policy_and_records():
    mentors, mentees = synthetic.cohort(8, 6, rng=4)
    rot = rotate(mentors, mentees, rounds=2, policy="max_score", fair=False)
    _check_plan(rot, 2)
    assert rot.policy == "max_score"
    arrays = Problem(mentors, mentees).compile()
    plain = rm.assign(arrays.scores, mentor_capacity=2, mentee_capacity=2, policy="max_score")
    assert rot.objective == pytest.approx(plain.objective)


def test_messages_and_reprs_carry_no_attribute_values():
    mentors, mentees = synthetic.cohort(6, 4, rng=9)
    rot = rotate(mentors, mentees, Programme(diversity_attributes=("gender",)), rounds=2)
    text = repr(rot) + "".join(repr(r) for r in rot.rounds)
    text += "".join(str(s) for side in rot.short.values() for s in side.values())
    for value in ("F", "M", "female", "male"):
        assert f"'{value}'" not in text


def test_empty_side():
    mentors, none = synthetic.cohort(3, 0, rng=0)
    rot = rotate(mentors, none, rounds=2)
    assert len(rot) == 0 and len(rot.rounds) == 2
    assert rot.rounds[0].sit_outs["mentors"] == tuple(mentors.ids.tolist())
    assert np.isfinite(rot.bound)


# -- cohort goals across rounds ------------------------------------------------------------------


def _array_goals(problem):
    """The goals of the tests below as arrays, for the independent oracle."""
    c_m, c_e = problem.cohort.attribute_codes("gender")
    cross = (c_m[:, None] != c_e[None, :]) & (c_m[:, None] >= 0) & (c_e[None, :] >= 0)
    d_m, d_e = problem.cohort.attribute_codes("department")
    return [goals.Share(pairs=cross, at_least=0.7), goals.Coverage(groups=(d_m, d_e), k=2)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_goals_across_rounds_are_met_on_the_whole_plan_and_optimal(seed):
    import goal_oracle as oracle

    mentors, mentees = synthetic.cohort(9, 7, rng=seed)
    prog = Programme(
        rules=[rules.CrossDepartment()],
        goals=[goals.Share(cross="gender", at_least=0.7), goals.Coverage("department", k=2)],
        diversity_attributes=("gender",),
    )
    k = 2
    try:
        rot = rotate(mentors, mentees, prog, rounds=k, rng=0)
    except InfeasibleError:
        pytest.skip("goals infeasible for this cohort")
    assert [g.met for g in rot.goals] == [True, True]
    assert rot.status == "optimal"
    # each round on its own: rules and capacities (the goals are about the whole plan)
    assert verify_rounds(rot, rot.problem) == []
    # the whole plan, against the goals, with k x the capacities
    big = Problem(
        mentors.with_column("capacity", mentors.capacity * k),
        mentees.with_column("capacity", mentees.capacity * k),
        prog,
    )
    assert verify([p[:2] for p in rot.pairs], big) == []
    arrays = big.compile()
    best = oracle.solve(
        arrays.scores,
        arrays.feasible,
        big.mentors.capacity,
        big.mentees.capacity,
        "max_matched",
        _array_goals(big),
    )
    assert best.status == "optimal"
    assert len(rot) == best.count
    assert rot.objective == pytest.approx(best.objective, abs=1e-7)


def test_min_sessions_everyone_gets_at_least_k_minus_one():
    mentors, mentees = synthetic.cohort(30, 20, rng=3)
    prog = Programme(rules=[rules.CrossDepartment()])
    free = rotate(mentors, mentees, prog, rounds=3, fair=False)
    assert min(free.sessions["mentors"].values()) == 0  # the best plan leaves some out
    rot = rotate(mentors, mentees, prog, rounds=3, min_sessions=2)
    assert rot.status == "optimal" and len(rot) == len(free)
    assert min(rot.sessions["mentors"].values()) >= 2
    assert min(rot.sessions["mentees"].values()) >= 2
    assert rot.objective <= free.objective + 1e-9
    assert verify_rounds(rot, rot.problem) == []
    some = rotate(mentors, mentees, prog, rounds=3, min_sessions={"J0001": 3, "S0002": 3})
    assert some.sessions["mentors"]["J0001"] == 3 and some.sessions["mentees"]["S0002"] == 3


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"min_sessions": 3}, InfeasibleError, r"`min_sessions` cannot all be met"),
        ({"min_sessions": -1}, ValidationError, r"`min_sessions` must be an integer"),
        ({"min_sessions": {"X": 1}}, ValidationError, r"names 'X', who is neither"),
        (
            {"min_sessions": 1, "programme": Programme(goals=[goals.Count(at_least=1)])},
            ValidationError,
            r"`min_sessions` and cohort goals cannot be combined",
        ),
    ],
)
def test_min_sessions_errors(kwargs, error, match):
    mentors, mentees = synthetic.cohort(30, 20, rng=3)
    prog = kwargs.pop("programme", Programme(rules=[rules.CrossDepartment()]))
    with pytest.raises(error, match=match):
        rotate(mentors, mentees, prog, rounds=3, **kwargs)


# -- per-person exposure -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [3, 4])
def test_exposure_per_person_holds_and_is_optimal(seed):
    import goal_oracle as oracle
    from rm_match.rounds import Exposure

    mentors, mentees = synthetic.cohort(10, 8, rng=seed)
    prog = Programme(rules=[rules.CrossDepartment()])
    k = 3
    wide = Exposure("department", at_least=2)
    once = Exposure("department", side="mentor", at_most_per_group=1)
    try:
        rot = rotate(mentors, mentees, prog, rounds=k, exposure=[wide, once], rng=0)
    except InfeasibleError:
        pytest.skip("exposure infeasible for this cohort")
    assert rot.status == "optimal" and all(g.met for g in rot.goals)
    assert verify_rounds(rot, rot.problem) == []
    # read directly off the plan: each senior meets min(2, sessions) departments at least,
    # no junior meets two seniors of one department
    dept_m = dict(zip(mentors.ids.tolist(), mentors.department.tolist(), strict=True))
    dept_e = dict(zip(mentees.ids.tolist(), mentees.department.tolist(), strict=True))
    met: dict = {}
    cells: dict = {}
    for m, e, _ in rot.pairs:
        met.setdefault(e, set()).add(dept_m[m])
        cells[(m, dept_e[e])] = cells.get((m, dept_e[e]), 0) + 1
    for e, depts in met.items():
        assert len(depts) >= min(2, rot.sessions["mentees"][e])
    assert max(cells.values()) == 1
    # the independent oracle: the same plan as one assignment with k x the capacities
    big = Problem(
        mentors.with_column("capacity", mentors.capacity * k),
        mentees.with_column("capacity", mentees.capacity * k),
        prog,
    )
    arrays = big.compile()
    d_m, d_e = big.cohort.attribute_codes("department")
    n_m, n_e = arrays.shape
    top = int(max(d_m.max(), d_e.max())) + 1
    coverage = goals.Coverage(groups=(d_m, top + np.arange(n_e)), k=2, exclude_own=False)
    spread = goals.Spread(groups=(np.arange(n_m), n_m + d_e), at_most=1, symmetric=False)
    best = oracle.solve(
        arrays.scores,
        arrays.feasible,
        big.mentors.capacity,
        big.mentees.capacity,
        "max_matched",
        [coverage, spread],
    )
    assert best.status == "optimal"
    assert len(rot) == best.count
    assert rot.objective == pytest.approx(best.objective, abs=1e-7)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"attribute": ""}, r"`attribute` of an Exposure must be an attribute name"),
        ({"attribute": "department", "side": "both", "at_least": 1}, r"`side` of an Exposure"),
        ({"attribute": "department"}, r"an Exposure needs `at_least` or `at_most_per_group`"),
        ({"attribute": "department", "at_least": 0}, r"`at_least` must be an integer"),
        ({"attribute": "department", "side": "mentor", "at_least": 2}, r"side='mentee' only"),
    ],
)
def test_exposure_errors(kwargs, match):
    from rm_match.rounds import Exposure

    with pytest.raises(ValidationError, match=match):
        Exposure(**kwargs)


def test_exposure_needs_the_attribute_and_no_min_sessions():
    from rm_match.rounds import Exposure

    mentors, mentees = synthetic.cohort(6, 5, rng=1)
    with pytest.raises(ValidationError, match="Exposure needs `office` on the mentors' table"):
        rotate(mentors, mentees, rounds=2, exposure=[Exposure("office", at_least=2)])
    with pytest.raises(ValidationError, match="`min_sessions` and `exposure` cannot be combined"):
        rotate(
            mentors,
            mentees,
            rounds=2,
            min_sessions=1,
            exposure=[Exposure("department", at_least=2)],
        )
    with pytest.raises(ValidationError, match="wrap it in a list"):
        rotate(mentors, mentees, rounds=2, exposure=Exposure("department", at_least=2))
