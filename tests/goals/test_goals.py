"""Cohort goals: every answer meets every goal (checked without the rows), objectives equal
exact optima (brute force on tiny cases, HiGHS on small ones), bounds are never below the
optimum, and infeasible programmes name their conflict."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rm_match as rm
from goal_cases import FAST, _brute, _ctx, instances, medium
from rm_match import InfeasibleError, ValidationError, assign
from rm_match import goals as G
from rm_match.goals import GoalContext, check_goals
from rm_match.results import relative_gap


@FAST
@given(instances())
def test_goals_against_brute_force(inst):
    scores, feasible, goals, policy = inst
    best = _brute(scores, feasible, goals, policy)
    if best is None:
        with pytest.raises(InfeasibleError):
            assign(scores, feasible, goals=goals, policy=policy, rng=0)
        return
    a = assign(scores, feasible, goals=goals, policy=policy, rng=0, time_limit=20)
    ctx = _ctx(scores, feasible)
    assert all(c.met for c in check_goals(goals, ctx, a.pairs[:, 0], a.pairs[:, 1]))
    assert all(c.met for c in a.goals)
    assert feasible[a.pairs[:, 0], a.pairs[:, 1]].all()
    assert a.status == "optimal"
    if policy == "max_matched":
        assert len(a.pairs) == best[0]
    assert a.objective == pytest.approx(best[-1], abs=1e-9)
    assert a.bound >= best[-1] - 1e-9


@FAST
@given(medium())
def test_auto_equals_highs_and_cpsat(inst):
    scores, feasible, goals, policy, m_cap = inst
    kw = {"goals": goals, "policy": policy, "rng": 1, "mentor_capacity": m_cap, "time_limit": 30}
    try:
        ref = assign(scores, feasible, method="milp", **kw)
    except InfeasibleError:
        with pytest.raises(InfeasibleError):
            assign(scores, feasible, **kw)
        return
    for method in ("auto", "cpsat"):
        a = assign(scores, feasible, method=method, **kw)
        ctx = _ctx(scores, feasible, m_cap)
        assert all(c.met for c in check_goals(goals, ctx, a.pairs[:, 0], a.pairs[:, 1]))
        assert len(a.pairs) == len(ref.pairs)
        assert a.objective == pytest.approx(ref.objective, abs=1e-7)
        assert a.bound >= ref.objective - 1e-7
        assert a.gap == pytest.approx(relative_gap(a.objective, a.bound))


def test_lagrangian_and_lp_bounds_are_valid_and_reported():
    rng = np.random.default_rng(5)
    scores = rng.random((12, 12))
    g = rng.integers(0, 2, 12)
    cross = g[:, None] != rng.integers(0, 2, 12)[None, :]
    goals = [G.Share(pairs=cross, at_least=0.9)]
    # max_score: the bounds are on the score itself (no coverage bonus)
    ref = assign(scores, goals=goals, method="milp", policy="max_score")
    a = assign(scores, goals=goals, rng=0, policy="max_score")
    assert a.stats["lp_bound"] >= ref.objective - 1e-9
    assert a.stats["lp_bound"] >= a.bound - 1e-9
    assert a.bound >= ref.objective - 1e-9
    assert a.status == "optimal"
    lag = assign(scores, goals=goals, rng=0, policy="max_score", method="lagrangian")
    assert lag.stats["lagrangian_bound"] >= ref.objective - 1e-9
    assert lag.bound >= ref.objective - 1e-9
    assert lag.objective <= ref.objective + 1e-9


def test_min_pair_score_against_brute_force():
    rng = np.random.default_rng(2)
    for _ in range(6):
        scores = np.round(rng.random((4, 4)), 2)
        feasible = rng.random((4, 4)) < 0.85
        for weight in (None, 2.0):
            a = assign(scores, feasible, goals=[G.MinPairScore(weight=weight)], rng=0)
            best = None
            for perm in itertools.permutations(range(4)):
                p = [(i, j) for i, j in enumerate(perm) if feasible[i, j]]
                s = [scores[i, j] for i, j in p]
                if not s:
                    continue
                w = (10 * 5 + 1) if weight is None else weight
                key = (len(p), (min(s), sum(s)) if weight is None else sum(s) + w * min(s))
                best = key if best is None or key > best else best
            assert len(a.pairs) == best[0]
            got = scores[a.pairs[:, 0], a.pairs[:, 1]]
            if weight is None:
                assert got.min() == pytest.approx(best[1][0])
                assert got.sum() == pytest.approx(best[1][1])
            else:
                assert a.objective == pytest.approx(best[1])
            assert a.status == "optimal"


def _people(n, genders, depts, grade=None):
    return rm.People(
        [f"p{n}_{i}" for i in range(len(genders))],
        skills=["a"],
        offers=np.full((len(genders), 1), 0.5),
        wants=np.full((len(genders), 1), 0.5),
        department=depts,
        grade=grade,
        attributes={"gender": genders},
    )


def test_match_reports_goals_and_verify_checks_them():
    mentors, mentees = rm.synthetic.cohort(30, 30, rng=4)
    prog = rm.Programme(
        rules=[rm.rules.CrossDepartment()],
        goals=[G.Share(cross="gender", at_least=0.6), G.Spread("department", at_most=3)],
    )
    m = rm.match(mentors, mentees, prog, rng=0)
    assert [g.goal for g in m.goals] == ["share_cross_gender", "spread_department"]
    assert all(g.met for g in m.goals)
    problem = rm.Problem(mentors, mentees, prog)
    assert rm.verify(m, problem) == []
    # keep only a same-gender pair: every rule holds, the quota does not
    gender = {
        **dict(zip(mentors.ids, mentors.attributes["gender"], strict=True)),
        **dict(zip(mentees.ids, mentees.attributes["gender"], strict=True)),
    }
    same = [(p.mentor, p.mentee) for p in m if gender[p.mentor] == gender[p.mentee]]
    assert same
    assert [v.rule for v in rm.verify(same[:1], problem)] == ["share_cross_gender"]


def test_share_count_conflict_names_goals_and_numbers():
    mentors = _people(0, ["F"] * 2 + ["M"] * 4, ["A"] * 6)
    mentees = _people(1, ["M"] * 6, ["B"] * 6)
    prog = rm.Programme(goals=[G.Share(cross="gender", at_least=0.5), G.Count(at_least=6)])
    with pytest.raises(InfeasibleError) as err:
        rm.match(mentors, mentees, prog)
    msg = str(err.value)
    assert "share_cross_gender" in msg and "count" in msg
    assert set(err.value.rules) >= {"share_cross_gender", "count"}


def test_everyone_matched_names_participant_and_rules():
    mentors = _people(0, ["F", "M"], ["A", "B"], grade=[1, 1])
    mentees = _people(1, ["F", "M"], ["A", "C"], grade=[5, 1])
    prog = rm.Programme(
        rules=[rm.rules.CrossDepartment(), rm.rules.SeniorityDirection(2)],
        goals=[G.EveryoneMatched()],
    )
    with pytest.raises(InfeasibleError) as err:
        rm.match(mentors, mentees, prog)
    assert "p1_1" in str(err.value) and "seniority_direction" in str(err.value)
    assert err.value.participants == ("p1_1",)


def test_counting_bound_message():
    scores = np.ones((3, 3))
    g = np.array([0, 0, 1])
    cross = np.zeros((3, 3), dtype=bool)
    cross[2, :] = True
    with pytest.raises(InfeasibleError, match="needs 2 but at most 1"):
        assign(scores, goals=[G.Count(pairs=cross, at_least=2)])
    with pytest.raises(InfeasibleError, match="coverage"):
        assign(scores, goals=[G.Coverage(groups=(g, g), k=2)], mentee_capacity=2)


def test_goal_validation():
    with pytest.raises(ValidationError, match="at_least"):
        G.Share(cross="gender")
    with pytest.raises(ValidationError, match="fraction"):
        G.Share(cross="gender", at_least=1.5)
    with pytest.raises(ValidationError, match="one of"):
        G.Spread("department")
    with pytest.raises(ValidationError, match="Goal"):
        rm.Programme(goals=["share"])
    with pytest.raises(ValidationError, match="match"):
        assign(np.ones((2, 2)), goals=[G.Share(cross="gender", at_least=0.5)])
    mentors, mentees = rm.synthetic.cohort(5, 5, rng=0)
    with pytest.raises(ValidationError, match="religion"):
        rm.match(mentors, mentees, rm.Programme(goals=[G.Share(cross="religion", at_least=0.1)]))
    with pytest.raises(rm.SolverError, match="goals"):
        assign(np.ones((2, 2)), goals=[G.Count(at_least=1)], method="lsa")


def test_deterministic_with_seed():
    mentors, mentees = rm.synthetic.cohort(25, 25, rng=9)
    prog = rm.Programme(goals=[G.Share(cross="generation", at_least=0.8), G.Coverage(k=2)])
    a = rm.match(mentors, mentees, prog, rng=3)
    b = rm.match(mentors, mentees, prog, rng=3)
    assert a.id_pairs == b.id_pairs and a.objective == b.objective


# -- shares are never rounded -----------------------------------------------------------------


@pytest.mark.parametrize("method", ["auto", "milp", "cpsat", "lagrangian"])
def test_share_threshold_is_not_rounded(method):
    # 0.50001 was enforced as 1/2: two pairs, one with the property, passed
    scores = np.array([[1.0, 0.1], [0.1, 1.0]])
    prop = np.array([[True, False], [False, False]])
    goal = G.Share(pairs=prop, at_least=0.50001)
    a = assign(scores, goals=[goal], policy="max_matched", method=method, time_limit=5, rng=0)
    flags = prop[a.pairs[:, 0], a.pairs[:, 1]]
    assert flags.sum() * 100000 >= 50001 * len(a.pairs)
    assert a.pairs.tolist() == [[0, 0]] and a.goals[0].met


def test_share_check_is_exact():
    ctx = GoalContext(
        1,
        964,
        np.empty(0, np.int64),
        np.empty(0, np.int64),
        np.empty((0, 2), np.int64),
        np.ones(1, np.int64),
        np.ones(964, np.int64),
    )
    prop = np.zeros((1, 964), dtype=bool)
    prop[0, :119] = True  # 119 / 964 = 0.1234440 < 0.12345 (1000-denominator rounding passed it)
    mi, ei = np.zeros(964, np.int64), np.arange(964)
    assert not G.Share(pairs=prop, at_least=0.12345).check(ctx, mi, ei).met
    assert G.Share(pairs=prop, at_most=0.12345).check(ctx, mi, ei).met
    prop[0, 119] = True
    assert G.Share(pairs=prop, at_least=0.12345).check(ctx, mi, ei).met
    assert G.Share(pairs=prop, at_least=Fraction(120, 964)).check(ctx, mi, ei).met


@given(st.fractions(0, 1, max_denominator=10**6), st.integers(1, 60))
def test_share_within_keeps_every_small_share(p, n):
    from rm_match.goals.base import _share_within

    hi, lo = _share_within(p, n, up=True), _share_within(p, n, up=False)
    assert hi.denominator <= n and lo.denominator <= n and lo <= p <= hi
    for m in range(1, n + 1):
        for k in range(m + 1):
            share = Fraction(k, m)
            assert (share >= p) == (share >= hi) and (share <= p) == (share <= lo)
        assert (p.numerator * m) // p.denominator == (lo.numerator * m) // lo.denominator


def test_goal_checks_give_numbers_beside_the_text():
    import dataclasses
    import json

    mentors, mentees = rm.synthetic.cohort(30, 30, rng=3)
    goals = [
        G.Share(cross="gender", at_least=0.5),
        G.Count(at_least=5, at_most=40),
        G.Spread("department", at_most=6),
        G.MinPairScore(weight=1.0),
    ]
    m = rm.match(mentors, mentees, rm.Programme(goals=goals), rng=0, time_limit=30)
    by = {c.goal: c for c in m.goals}
    g_m = dict(zip(mentors.ids.tolist(), mentors.attributes["gender"].tolist(), strict=True))
    g_e = dict(zip(mentees.ids.tolist(), mentees.attributes["gender"].tolist(), strict=True))
    known = [(g_m[p.mentor], g_e[p.mentee]) for p in m.pairs]
    cross = sum(a is not None and b is not None and a != b for a, b in known)
    share = by["share_cross_gender"]
    assert share.value == pytest.approx(cross / len(m)) and share.at_least == 0.5
    assert share.at_most is None and share.met and share.value >= share.at_least
    count = by["count"]
    assert (count.value, count.at_least, count.at_most) == (float(len(m)), 5.0, 40.0)
    spread = by["spread_department"]
    assert spread.at_most == 6.0 and spread.value is not None and spread.value <= 6
    low = by["min_pair_score"]
    assert low.value == pytest.approx(min(p.score for p in m.pairs))
    for c in m.goals:  # numbers as numbers, and the record serialises as it is
        assert all(v is None or isinstance(v, float) for v in (c.value, c.at_least, c.at_most))
        json.dumps(dataclasses.asdict(c))
