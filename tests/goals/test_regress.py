"""Regressions on the goal paths: the score bound under ``max_matched`` when a goal lowers the
pair count, :class:`~rm_match.goals.MinPairScore` (what ``objective`` and ``bound`` mean, the
lexicographic ``weight=None``, required pairs, an empty set of pairs), and the infeasibility
diagnosis (only what is proven is named, within the caller's time limit)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from ortools.sat.python import cp_model

import rm_match as rm
from rm_match import InfeasibleError, assign, rules
from rm_match import goals as G
from rm_match.goals import GoalContext, check_goals, compile_goals
from rm_match.results import MIN_GROUP
from rm_match.solvers.constrained import fair, pipeline
from rm_match.solvers.constrained.model import score_bound

# -- the score bound when a goal lowers the count (issue item 2) -------------------------------


def _gender_cohort():
    mentors, mentees = rm.synthetic.cohort(40, 50, rng=11)
    return mentors, mentees, [rules.CrossDepartment()], G.Share(same="gender", at_least=1.0)


def test_goal_lowering_the_count_is_proven_optimal():
    mentors, mentees, hard, share = _gender_cohort()
    m = rm.match(mentors, mentees, rm.Programme(rules=hard, goals=[share]), rng=0, time_limit=30)
    # the goal allows 38 of the 40 pairs capacities allow; HiGHS proves the weight optimal
    assert len(m) == 38
    assert np.isfinite(m.bound) and m.gap <= 1e-9
    assert m.status == "optimal"


def test_score_bound_uses_a_positive_minimum():
    scores = np.array([[0.3, 0.4], [0.5, 0.35]])
    feasible = np.ones((2, 2), dtype=bool)
    ctx = _ctx(scores, feasible)
    mask = np.array([[True, False], [False, False]])
    model, _ = compile_goals(
        [G.Share(pairs=mask, at_least=1.0)], ctx, scores[ctx.mi, ctx.ei], "max_matched"
    )
    # one pair (0, 0) is the most the goal allows: a bound below what two pairs weigh at
    # least (2·bonus + 0.3 + 0.35) proves it, even when above 2·bonus
    assert model.most_pairs == 2
    assert score_bound(model, 1, 0.3 + model.bonus) == pytest.approx(0.3)
    assert score_bound(model, 1, 2 * model.bonus + 0.5) == pytest.approx(model.bonus + 0.5)
    # a bound two pairs at the lowest scores could reach proves nothing
    assert score_bound(model, 1, 2 * model.bonus + 0.3 + 0.35) == np.inf


def _same_gender_arrays():
    """The gender cohort at the array level: scores, mask, and the same-gender property."""
    mentors, mentees, hard, _ = _gender_cohort()
    problem = rm.Problem(mentors, mentees, rm.Programme(rules=hard))
    arrays = problem.compile()
    c_m, c_e = problem.cohort.attribute_codes("gender")
    same = (c_m[:, None] == c_e[None, :]) & (c_m[:, None] >= 0) & (c_e[None, :] >= 0)
    return arrays.scores, arrays.feasible, same


def test_min_pair_score_is_optimised_when_a_goal_lowers_the_count():
    mentors, mentees, hard, share = _gender_cohort()
    prog = rm.Programme(rules=hard, goals=[share, G.MinPairScore()])
    m = rm.match(mentors, mentees, prog, rng=0, time_limit=60)
    assert "not optimised" not in m.assignment.message
    assert m.status == "optimal"
    got = np.array([p.score for p in m.pairs])
    # oracle: HiGHS on the array problem, bisecting the threshold on the lowest score
    scores, feasible, same = _same_gender_arrays()
    goal = [G.Share(pairs=same, at_least=1.0)]
    count = len(assign(scores, feasible, goals=goal, method="milp").pairs)
    assert len(got) == count
    levels = np.unique(scores[feasible])
    lo, hi = 0, len(levels) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        a = assign(scores, feasible & (scores >= levels[mid]), goals=goal, method="milp")
        lo, hi = (mid, hi) if len(a.pairs) == count else (lo, mid - 1)
    best = assign(scores, feasible & (scores >= levels[lo]), goals=goal, method="milp")
    assert got.min() == pytest.approx(levels[lo])
    assert got.sum() == pytest.approx(best.objective)
    assert m.objective == pytest.approx(got.sum())


_SCORES = np.array(
    [
        [0.19, 0.67, 0.57, 0.16, 0.95, 0.15],
        [0.51, 0.14, 0.72, 0.28, 0.13, 0.05],
        [0.17, 0.19, 0.54, 0.45, 0.96, 0.95],
        [0.8, 0.67, 0.85, 0.94, 0.02, 0.12],
        [0.36, 0.09, 0.6, 0.26, 0.26, 0.29],
        [0.1, 0.74, 0.65, 0.61, 0.03, 0.43],
    ]
)
_FEASIBLE = np.array(
    [
        [0, 1, 1, 1, 1, 1],
        [1, 1, 0, 1, 1, 0],
        [1, 1, 0, 0, 1, 1],
        [1, 1, 0, 1, 1, 0],
        [0, 1, 1, 1, 1, 0],
        [0, 1, 0, 0, 0, 0],
    ],
    dtype=bool,
)
_MASK = np.array(
    [
        [0, 1, 1, 1, 0, 0],
        [0, 1, 0, 1, 1, 1],
        [0, 0, 0, 0, 0, 0],
        [0, 0, 1, 1, 0, 0],
        [1, 1, 0, 0, 0, 1],
        [1, 1, 1, 0, 1, 1],
    ],
    dtype=bool,
)


def _meets_share(p):
    return 5 * int(_MASK[p[:, 0], p[:, 1]].sum()) >= 3 * len(p)  # ≥ 60 % in the mask


@pytest.mark.parametrize("weight", [None, 1.0])
def test_unproven_count_is_proven_then_min_optimised(weight, monkeypatch):
    # a first solve that does not prove its 5 pairs the most possible (as a time-limited or
    # Lagrangian solve may not): the count is proven by a solve asking for 6
    solve_model = pipeline.solve_model

    def unproven(model, **kw):
        out = solve_model(model, **kw)
        if model.bonus:
            out.bound, out.status = np.inf, "feasible"
        return out

    monkeypatch.setattr(pipeline, "solve_model", unproven)
    share = G.Share(pairs=_MASK, at_least=0.6)
    goals = [share, G.MinPairScore(weight=weight)]
    a = assign(_SCORES, _FEASIBLE, goals=goals, rng=0, time_limit=20)
    # before: "most pairs not proven, min pair score not optimised", bound inf
    assert "not optimised" not in a.message and "not proven" not in a.message
    assert a.status == "optimal"
    count, key = _brute(_SCORES, _FEASIBLE, [share], weight, meets=_meets_share)
    got = _SCORES[a.pairs[:, 0], a.pairs[:, 1]]
    assert len(got) == count == 5
    if weight is None:
        assert (got.min(), got.sum()) == pytest.approx(key)
    else:
        assert got.sum() + weight * got.min() == pytest.approx(key)


def test_most_pairs_finds_more_pairs_and_proves_the_most():
    ctx = _ctx(_SCORES, _FEASIBLE)
    share = G.Share(pairs=_MASK, at_least=0.6)
    model, _ = compile_goals([share], ctx, _SCORES[ctx.mi, ctx.ei], "max_matched")
    empty = np.zeros(model.n_edges, dtype=bool)  # meets the share: a start with no pair
    deadline = time.perf_counter() + 20
    x, proven = fair._most_pairs(model, empty, deadline, 0, 1, "lp")
    assert proven and int(x.sum()) == 5 and model.feasible(x)
    assert model.most_pairs == 6  # capacities alone would allow one more


# -- MinPairScore: objective, bound, report (issue item 5) --------------------------------------


def _ctx(scores, feasible):
    n_m, n_e = scores.shape
    mi, ei = np.nonzero(feasible)
    cap_m, cap_e = np.ones(n_m, dtype=np.int64), np.ones(n_e, dtype=np.int64)
    return GoalContext(n_m, n_e, mi, ei, np.empty((0, 2), dtype=np.int64), cap_m, cap_e)


def _assignments(feasible):
    """Every 1:1 assignment on the allowed pairs, as a (k, 2) array (tiny cases only)."""
    n_m, n_e = feasible.shape

    def grow(i, used, pairs):
        if i == n_m:
            yield np.array(pairs, dtype=np.int64).reshape(-1, 2)
            return
        yield from grow(i + 1, used, pairs)
        for j in range(n_e):
            if feasible[i, j] and not used & (1 << j):
                yield from grow(i + 1, used | (1 << j), [*pairs, (i, j)])

    return grow(0, 0, [])


def _brute(scores, feasible, goals, weight, floor=None, policy="max_matched", meets=None):
    """(pairs, key) of the best 1:1 assignment: ``key`` is ``(lowest, total)`` for
    ``weight=None``, else ``total + weight·lowest``; the lowest counts ``floor`` (0 with no
    pair at all). ``meets(pairs)``: the goals' test (default: :func:`check_goals`)."""
    ctx = _ctx(scores, feasible)
    if meets is None:

        def meets(p):
            return all(c.met for c in check_goals(goals, ctx, p[:, 0], p[:, 1]))

    best = None
    for p in _assignments(feasible):
        if not meets(p):
            continue
        s = scores[p[:, 0], p[:, 1]]
        low = min([*s.tolist(), *([] if floor is None else [floor])], default=0.0)
        total = float(s.sum())
        key = (low, total) if weight is None else total + weight * low
        full = (len(p), key) if policy == "max_matched" else (key,)
        if best is None or full > best:
            best = full
    return (best[0], best[1]) if policy == "max_matched" else (None, best[0])


def test_weight_none_is_lexicographic():
    # a total + W·min with the old W = (k + 1)·range + 1 picks a lower minimum here
    scores = np.array(
        [
            [0.381, 0.43, 0.489, 0.976],
            [0.776, 0.309, 0.27, 0.863],
            [0.881, 0.511, 0.344, 0.995],
            [0.316, 0.183, 0.88, 0.812],
        ]
    )
    feasible = np.array([[1, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0], [1, 1, 1, 1]], dtype=bool)
    a = assign(scores, feasible, goals=[G.MinPairScore()], rng=0)
    got = scores[a.pairs[:, 0], a.pairs[:, 1]]
    assert len(got) == 4
    assert got.min() == pytest.approx(0.381)
    assert got.sum() == pytest.approx(2.635)
    assert a.status == "optimal"


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
def test_weight_none_against_brute_force(policy):
    rng = np.random.default_rng(5)
    for _ in range(12):
        scores = np.round(rng.random((4, 4)) - (0.3 if policy == "max_score" else 0.0), 3)
        feasible = rng.random((4, 4)) < 0.8
        a = assign(scores, feasible, goals=[G.MinPairScore()], rng=0, policy=policy)
        count, (low, total) = _brute(scores, feasible, [], None, policy=policy)
        got = scores[a.pairs[:, 0], a.pairs[:, 1]]
        if count is not None:
            assert len(got) == count
        assert (float(got.min()) if len(got) else 0.0) == pytest.approx(low)
        # the objective is the total score of the pairs (the minimum goes in the report)
        assert a.objective == pytest.approx(got.sum()) == pytest.approx(total)
        assert a.bound >= a.objective - 1e-9
        assert a.status == "optimal"
        report = {c.goal: c for c in a.goals}["min_pair_score"]
        assert report.met
        if len(got) >= MIN_GROUP:
            assert f"{got.min():.6g}" in report.achieved
        elif len(got):  # the lowest of 1 to 4 pairs is withheld (it is their mean on one)
            assert report.suppressed and report.value is None
            assert report.achieved == "suppressed (fewer than 5 pairs)"


def test_weight_float_objective_is_total_plus_weight_times_min():
    rng = np.random.default_rng(8)
    for _ in range(6):
        scores = np.round(rng.random((4, 4)), 3)
        feasible = rng.random((4, 4)) < 0.8
        a = assign(scores, feasible, goals=[G.MinPairScore(weight=3.0)], rng=0)
        count, value = _brute(scores, feasible, [], 3.0)
        got = scores[a.pairs[:, 0], a.pairs[:, 1]]
        assert len(got) == count
        assert a.objective == pytest.approx(got.sum() + 3.0 * got.min()) == pytest.approx(value)
        assert a.bound >= a.objective - 1e-9 and a.status == "optimal"


@pytest.mark.parametrize("weight", [None, 2.0])
def test_no_pair_at_all(weight):
    a = assign(np.zeros((2, 3)), np.zeros((2, 3), dtype=bool), goals=[G.MinPairScore(weight)])
    assert len(a.pairs) == 0 and a.objective == 0.0 and a.status == "optimal"
    assert {c.goal: c.achieved for c in a.goals}["min_pair_score"] == "no pairs"


@pytest.mark.parametrize("weight", [None, 2.0])
def test_required_pairs_count_towards_the_minimum(weight):
    # a required pair scoring 0.2 caps the minimum: above 0.2, the total is what matters
    scores = np.array([[0.9, 0.3, 0.1], [0.25, 0.95, 0.3], [0.5, 0.5, 0.5]])
    feasible = np.ones((3, 3), dtype=bool)
    floor = 0.2
    ctx = _ctx(scores, feasible)
    model, _ = compile_goals([G.MinPairScore(weight)], ctx, scores[ctx.mi, ctx.ei], "max_matched")
    out = fair.solve_fair(model, weight, time_limit=10, floor=floor)
    x = out.x
    got = scores[ctx.mi[x], ctx.ei[x]]
    count, key = _brute(scores, feasible, [], weight, floor=floor)
    assert len(got) == count
    low = min(got.min(), floor)
    if weight is None:
        assert (low, got.sum()) == pytest.approx(key)
        assert got.sum() == pytest.approx(0.9 + 0.95 + 0.5)  # not the max-min 0.3 + 0.25 + 0.5
    else:
        assert got.sum() + weight * low == pytest.approx(key)
        assert out.objective == pytest.approx(key)
    assert out.status == "optimal"


def test_match_reports_the_lowest_score_with_required_pairs():
    mentors, mentees = rm.synthetic.cohort(8, 8, rng=2)
    first = (mentors.ids[0], mentees.ids[0])
    prog = rm.Programme(rules=[rules.RequiredPairs([first])], goals=[G.MinPairScore()])
    m = rm.match(mentors, mentees, prog, rng=0, time_limit=20)
    low = min(p.score for p in m.pairs)
    report = {c.goal: c for c in m.goals}["min_pair_score"]
    assert f"{low:.6g}" in report.achieved
    assert m.objective == pytest.approx(sum(p.score for p in m.pairs))


# -- the infeasibility diagnosis (issue item 3) -------------------------------------------------


def _conflict(n=20, seed=3):
    """Goals that no assignment meets whatever the rules: every pair same-gender, at least
    half cross-gender, and at least one pair (not found by counting)."""
    mentors, mentees = rm.synthetic.cohort(n, n, rng=seed)
    goals = [
        G.Share(same="gender", at_least=1.0),
        G.Share(cross="gender", at_least=0.5),
        G.Count(at_least=1),
    ]
    hard = [rules.CrossDepartment(), rules.NoReportingLine(), rules.SeniorityDirection(2)]
    return mentors, mentees, rm.Programme(rules=hard, goals=goals)


def test_rule_is_named_when_dropping_it_is_proven_to_help():
    mentors, mentees = rm.synthetic.cohort(20, 20, rng=3)
    goals = [G.Share(same="department", at_least=0.5), G.Count(at_least=1)]
    prog = rm.Programme(rules=[rules.CrossDepartment()], goals=goals)
    with pytest.raises(InfeasibleError, match="under cross_department") as err:
        rm.match(mentors, mentees, prog, rng=0, time_limit=20)
    assert "cross_department" in err.value.rules
    assert "not proven" not in str(err.value)


def test_no_rule_is_named_for_a_conflict_among_goals():
    mentors, mentees, prog = _conflict()
    with pytest.raises(InfeasibleError) as err:
        rm.match(mentors, mentees, prog, rng=0, time_limit=20)
    assert not set(err.value.rules) & {r.name for r in prog.rules}
    assert "not proven" not in str(err.value)


def _unknown(sleep: float):
    """A CP-SAT that proves nothing: it waits (up to ``sleep`` s of its time limit) and
    answers UNKNOWN."""

    def solve(self, model, *args, **kwargs):
        time.sleep(min(self.parameters.max_time_in_seconds, sleep))
        return cp_model.UNKNOWN

    return solve


def test_a_cpsat_timeout_names_no_rule(monkeypatch):
    mentors, mentees, prog = _conflict()
    monkeypatch.setattr(cp_model.CpSolver, "solve", _unknown(0.0))
    with pytest.raises(InfeasibleError) as err:
        rm.match(mentors, mentees, prog, rng=0, time_limit=20)
    assert not set(err.value.rules) & {r.name for r in prog.rules}
    assert "not proven which rules take part: time limit" in str(err.value)
    assert "not proven which goals take part: time limit" in str(err.value)


def test_diagnosis_runs_within_the_time_limit(monkeypatch):
    mentors, mentees, prog = _conflict()
    monkeypatch.setattr(cp_model.CpSolver, "solve", _unknown(1.0))
    t = time.perf_counter()
    with pytest.raises(InfeasibleError, match="not proven"):
        rm.match(mentors, mentees, prog, rng=0, time_limit=1.0)
    # before: up to 10 s for the goals and 5 s per rule, each solve here taking 1 s
    assert time.perf_counter() - t < 2.5


def test_goal_core_says_what_it_proved():
    from rm_match.solvers.constrained import cpsat

    scores = np.ones((3, 3))
    feasible = np.ones((3, 3), dtype=bool)
    ctx = _ctx(scores, feasible)
    goals = [G.Count(at_least=2), G.Count(at_most=1), G.Count(at_least=1)]
    model, _ = compile_goals(goals, ctx, scores[ctx.mi, ctx.ei], "max_score")
    core = cpsat.goal_core(model, time_limit=10, seed=0)
    assert (core.status, core.goals, core.minimal) == ("infeasible", [0, 1], True)
    ok, _ = compile_goals(goals[:1], ctx, scores[ctx.mi, ctx.ei], "max_score")
    assert cpsat.goal_core(ok, time_limit=10, seed=0).status == "feasible"
    assert cpsat.goal_core(model, time_limit=0, seed=0).status == "unknown"


# -- found in review ----------------------------------------------------------------------------


def test_integer_infeasible_goals_with_a_feasible_lp_are_proven_infeasible():
    # 3 pairs, half of them in P and half not: the LP meets it with 1.5 each, no answer does
    rng = np.random.default_rng(0)
    p = rng.random((3, 3)) < 0.5
    goals = [G.Count(at_least=3), G.Share(pairs=p, at_least=0.5), G.Share(pairs=~p, at_least=0.5)]
    # before: SolverError "not found within the time limit" (LP rounding failed)
    with pytest.raises(InfeasibleError, match="cannot all hold"):
        assign(rng.random((3, 3)), goals=goals, time_limit=5)
