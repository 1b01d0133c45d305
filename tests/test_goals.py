"""Cohort goals: every answer meets every goal (checked without the rows), objectives equal
exact optima (brute force on tiny cases, HiGHS on small ones), bounds are never below the
optimum, and infeasible programmes name their conflict."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rm_match as rm
from rm_match import InfeasibleError, ValidationError, assign
from rm_match import goals as G
from rm_match.goals import GoalContext, check_goals
from rm_match.results import relative_gap

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ctx(scores, feasible, m_cap=1, e_cap=1):
    n_m, n_e = scores.shape
    m_cap = np.full(n_m, m_cap) if np.isscalar(m_cap) else np.asarray(m_cap)
    e_cap = np.full(n_e, e_cap) if np.isscalar(e_cap) else np.asarray(e_cap)
    mi, ei = np.nonzero(feasible & (m_cap > 0)[:, None] & (e_cap > 0))
    return GoalContext(n_m, n_e, mi, ei, np.empty((0, 2), dtype=np.int64), m_cap, e_cap)


def _brute(scores, feasible, goals, policy, m_cap=1):
    """Lexicographic optimum by enumerating every assignment (tiny cases only)."""
    n_m, n_e = scores.shape
    ctx = _ctx(scores, feasible, m_cap)
    edges = list(zip(*np.nonzero(feasible), strict=True))
    best = None
    for r in range(len(edges) + 1):
        for sub in itertools.combinations(edges, r):
            p = np.array(sub, dtype=np.int64).reshape(-1, 2)
            if (np.bincount(p[:, 0], minlength=n_m) > m_cap).any():
                continue
            if (np.bincount(p[:, 1], minlength=n_e) > 1).any():
                continue
            if not all(c.met for c in check_goals(goals, ctx, p[:, 0], p[:, 1])):
                continue
            s = float(scores[p[:, 0], p[:, 1]].sum())
            key = (len(p), s) if policy == "max_matched" else (s,)
            if best is None or key > best:
                best = key
    return best


@st.composite
def instances(draw, max_n=4):
    n_m = draw(st.integers(1, max_n))
    n_e = draw(st.integers(1, max_n))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((n_m, n_e)), 2)
    feasible = rng.random((n_m, n_e)) < 0.8
    gm = rng.integers(0, 2, n_m)
    ge = rng.integers(0, 2, n_e)
    kind = draw(st.sampled_from(["share", "count", "spread", "coverage", "represent", "mix"]))
    cross = gm[:, None] != ge[None, :]
    p = draw(st.sampled_from([0.25, 0.5, 0.75]))
    goals = {
        "share": [G.Share(pairs=cross, at_least=p)],
        "count": [G.Count(pairs=cross, at_least=1), G.Count(at_most=max(1, n_e - 1))],
        "spread": [G.Spread(groups=(gm, ge), at_most=1, symmetric=False)],
        "coverage": [G.Coverage(groups=(gm, ge), k=1, exclude_own=False)],
        "represent": [G.Representation(groups=(gm, ge))],
        "mix": [G.Share(pairs=cross, at_most=p), G.Spread(groups=(gm, ge), at_most_share=0.5)],
    }[kind]
    policy = draw(st.sampled_from(["max_matched", "max_score"]))
    return scores, feasible, goals, policy


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


@st.composite
def medium(draw):
    n = draw(st.integers(6, 14))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    scores = rng.random((n, n))
    feasible = rng.random((n, n)) < 0.7
    gm, ge = rng.integers(0, 3, n), rng.integers(0, 3, n)
    cross = gm[:, None] != ge[None, :]
    goals = [
        G.Share(pairs=cross, at_least=draw(st.sampled_from([0.5, 0.7, 0.9]))),
        G.Spread(groups=(gm, ge), at_most=draw(st.integers(1, 3))),
        G.Coverage(groups=(gm, ge), k=draw(st.integers(1, 2))),
    ]
    m_cap = draw(st.sampled_from([1, 2]))
    return scores, feasible, goals, draw(st.sampled_from(["max_matched", "max_score"])), m_cap


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
