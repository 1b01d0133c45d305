"""Time limits on the goal path (issue 17, items 2-4): an exact method when rounding finds
nothing, infeasibility said as such by every method, work budgets that make a run repeat
whatever the machine's load, a deadline kept (the wall clock as a safety stop, and a run it
stopped says so), an honest bound when the count of pairs is not proven.

Timed assertions are generous (the limit plus a stated overhead and a slack) or use a
slowed backend (a sleep in HiGHS), never a tight wall-clock figure."""

from __future__ import annotations

import time

import numpy as np
import pytest

import rm_match as rm
from goal_oracle import solve as oracle
from goal_oracle import violations
from rm_match import assign
from rm_match import goals as G
from rm_match.errors import InfeasibleError, SolverError
from rm_match.goals import GoalContext, compile_goals
from rm_match.solvers.constrained import budget as cost
from rm_match.solvers.constrained import highs, lagrangian, lp, pipeline
from rm_match.solvers.constrained.budget import Budget, work_for
from rm_match.solvers.constrained.model import score_bound
from rm_match.solvers.options import check_options
from rm_match.solvers.solve import solve_goals

TOL = 1e-9
METHODS = ["auto", "lagrangian", "milp", "cpsat"]


def _ctx(scores, feasible, m_cap=1, e_cap=1):
    n_m, n_e = scores.shape
    m_cap = np.full(n_m, m_cap) if np.isscalar(m_cap) else np.asarray(m_cap)
    e_cap = np.full(n_e, e_cap) if np.isscalar(e_cap) else np.asarray(e_cap)
    mi, ei = np.nonzero(feasible & (m_cap > 0)[:, None] & (e_cap > 0))
    return GoalContext(n_m, n_e, mi, ei, np.empty((0, 2), dtype=np.int64), m_cap, e_cap)


# -- item 2: the small feasible programme of the issue ------------------------------------------

_S = np.array([[0.3, 0.5], [0.4, 0.2], [0.5, 0.5], [0.5, 0.5]])
_F = np.array([[1, 1], [1, 1], [0, 0], [0, 0]], dtype=bool)
_CAP = [3, 3, 1, 1]
_GOALS = [G.Count(at_least=2), G.Representation(groups=(np.array([0, 1, 2, 2]), np.array([2, 0])))]


@pytest.mark.parametrize("method", METHODS)
def test_the_issue_programme_is_solved_by_every_method(method):
    ref = oracle(_S, _F, np.array(_CAP), np.ones(2, dtype=int), "max_matched", _GOALS)
    assert ref.status == "optimal"
    a = assign(_S, _F, mentor_capacity=_CAP, goals=_GOALS, time_limit=10, method=method, rng=0)
    assert a.pairs.tolist() == [[0, 0], [0, 1]]
    assert a.objective == pytest.approx(ref.objective, abs=TOL)
    assert a.status == "optimal"
    assert violations(_S, _F, np.array(_CAP), np.ones(2, dtype=int), _GOALS, a.pairs) == []


def test_auto_falls_back_to_an_exact_method_when_rounding_fails(monkeypatch):
    # rounding gave up with "LP rounding failed" after 0.02 s of 10: now HiGHS looks for an
    # answer on the whole model with the time left, and the search improves it
    monkeypatch.setattr(lp, "round_lp", lambda *a, **k: None)
    monkeypatch.setattr(pipeline, "_best_assignment", lambda *a: (None, None))
    a = assign(_S, _F, mentor_capacity=_CAP, goals=_GOALS, time_limit=10, rng=0)
    assert a.pairs.tolist() == [[0, 0], [0, 1]]
    assert a.status == "optimal"
    assert "feasibility_status" in a.stats


def test_lagrangian_falls_back_to_an_exact_method_when_repair_fails(monkeypatch):
    # no incumbent from the dual, too many pairs for close_gap's exact search: HiGHS finds one
    monkeypatch.setattr(lagrangian, "_repair", lambda *a, **k: None)
    monkeypatch.setattr(lagrangian, "_keep_primal", lambda *a, **k: None)
    monkeypatch.setattr(pipeline, "_EXACT_EDGES", 0)
    a = assign(_S, _F, mentor_capacity=_CAP, goals=_GOALS, time_limit=2, method="lagrangian", rng=0)
    assert a.pairs.tolist() == [[0, 0], [0, 1]]
    assert "HiGHS (an answer)" in a.message


def _integer_infeasible():
    # 3 pairs, half of them in P and half not: the LP meets it with 1.5 each, no answer does
    rng = np.random.default_rng(0)
    p = rng.random((3, 3)) < 0.5
    goals = [G.Count(at_least=3), G.Share(pairs=p, at_least=0.5), G.Share(pairs=~p, at_least=0.5)]
    return rng.random((3, 3)), goals


@pytest.mark.parametrize("method", METHODS)
def test_every_method_says_infeasible_not_solver_error(method, monkeypatch):
    scores, goals = _integer_infeasible()
    ref = oracle(
        scores, np.ones((3, 3), bool), np.ones(3, int), np.ones(3, int), "max_matched", goals
    )
    assert ref.status == "infeasible"
    with pytest.raises(InfeasibleError, match="cannot all hold"):
        assign(scores, goals=goals, time_limit=10, method=method, rng=0)
    if method == "lagrangian":  # even with every pair left to the search, none found
        monkeypatch.setattr(pipeline, "_EXACT_EDGES", 0)
        with pytest.raises(InfeasibleError):
            assign(scores, goals=goals, time_limit=10, method=method, rng=0)


def test_lagrangian_proves_a_count_infeasible_without_waiting():
    # before: the dual ran half the limit (5 of 10 s) on a programme needing 3 of 2 pairs
    start = time.perf_counter()
    goals = [G.Count(at_least=3), _GOALS[1]]
    with pytest.raises(InfeasibleError, match="needs 3"):
        assign(_S, _F, mentor_capacity=_CAP, goals=goals, time_limit=20, method="lagrangian")
    assert time.perf_counter() - start < 5.0  # generous: it takes a fraction of a second


def test_the_dual_flags_a_bound_below_every_assignment():
    scores, goals = _integer_infeasible()
    ctx = _ctx(scores, np.ones((3, 3), bool))
    model, _ = compile_goals([*goals[:1], G.Count(at_most=1)], ctx, scores.ravel(), "max_score")
    d = lagrangian.dual(model, Budget(10.0, time.perf_counter() + 10))
    assert d.infeasible
    assert d.incumbent is None or not model.feasible(d.incumbent)


# -- budgets --------------------------------------------------------------------------------------


def test_budget_parts_charge_their_parents_and_the_clock_marks_the_tree():
    root = Budget(10.0, time.perf_counter() + 60)
    lp_part = root.part(0.75)
    inner = lp_part.part(0.5, at_most=1.0)
    assert lp_part.work == pytest.approx(7.5) and inner.work == pytest.approx(1.0)
    inner.charge(2.0)
    assert inner.exhausted() and not lp_part.exhausted()
    assert root.left() == pytest.approx(8.0) and lp_part.left() == pytest.approx(5.5)
    assert not root.clock_stopped
    late = Budget(5.0, time.perf_counter() - 1.0, inner)
    assert late.expired() and late.over()
    assert late.clock_stopped and inner.clock_stopped and root.clock_stopped
    assert Budget.of(time.perf_counter() + 5).work == np.inf


def test_work_depends_on_the_limit_and_the_size_only():
    a = work_for(10.0, 1000, 1000, 800_000)
    assert a == work_for(10.0, 1000, 1000, 800_000)
    assert work_for(20.0, 1000, 1000, 800_000) > a > work_for(10.0, 2000, 2000, 3_000_000)
    # the steps before the solver can take the whole limit: a floor share is left
    assert work_for(1.0, 5000, 5000, 20_000_000) == pytest.approx(cost.MIN_SHARE)


def test_highs_runs_only_when_the_work_buys_its_root():
    scores, feasible, goals = _binding(0)
    ctx = _ctx(scores, feasible, 2)
    model, _ = compile_goals(goals, ctx, scores[ctx.mi, ctx.ei], "max_score")
    broke = Budget(0.0, time.perf_counter() + 10)
    assert highs.solve_milp(model, budget=broke).status == highs.NOT_RUN
    assert broke.spent == 0.0
    res = highs.solve_milp(model, budget=broke, essential=True)  # no answer without it
    assert res.x is not None and broke.spent > 0 and not broke.clock_stopped


# -- items 3 and 4: the deadline kept, the same answer under any load ---------------------------


def _binding(seed: int, n: int = 40):
    """A random instance whose goals bind (the best assignment alone breaks them)."""
    rng = np.random.default_rng(seed)
    scores = rng.random((n, n))
    feasible = rng.random((n, n)) < 0.6
    gm, ge = rng.integers(0, 3, n), rng.integers(0, 3, n)
    cross = gm[:, None] != ge[None, :]
    goals = [
        G.Share(pairs=cross, at_least=0.8),
        G.Spread(groups=(gm, ge), at_most=n // 6),
        G.Coverage(groups=(gm, ge), k=2),
    ]
    return scores, feasible, goals


def _slow_highs(monkeypatch, seconds: float) -> None:
    """Every HiGHS solve waits ``seconds`` first: a slower (or loaded) machine."""
    plain = highs.milp

    def slowed(*args, **kw):
        time.sleep(seconds)
        return plain(*args, **kw)

    monkeypatch.setattr(highs, "milp", slowed)


def _search_bound_by_work(monkeypatch) -> None:
    """A start far from the optimum (any answer HiGHS finds, not the LP rounded) and every
    pair left to the neighbourhood search, each of whose rounds costs a fair share of the
    work (HiGHS's root priced high): a run the work ends, every round improving it."""
    monkeypatch.setattr(lp, "round_lp", lambda *a, **k: None)
    monkeypatch.setattr(pipeline, "_EXACT_EDGES", 0)
    monkeypatch.setattr(highs, "ROOT", 2e-4)


def test_a_run_stopped_by_its_work_repeats_on_a_slower_machine(monkeypatch):
    scores, feasible, goals = _binding(0)
    kw = {"goals": goals, "mentor_capacity": 2, "rng": 5, "time_limit": 8, "policy": "max_score"}
    _search_bound_by_work(monkeypatch)
    first = assign(scores, feasible, **kw)
    assert first.stats["lns_rounds"] >= 2 and not first.stats["clock_stopped"]
    assert first.stats["work_spent"] >= 0.8 * first.stats["work"]  # the work ended it
    ref = oracle(scores, feasible, np.full(40, 2), np.ones(40, int), "max_score", goals)
    assert first.bound >= ref.objective - TOL >= first.objective - 2 * TOL
    assert first.status == "feasible"  # stopped mid-search
    _slow_highs(monkeypatch, 0.03)
    second = assign(scores, feasible, **kw)
    assert not second.stats["clock_stopped"]
    assert second.wall_time > first.wall_time  # slower, yet ...
    assert second.pairs.tolist() == first.pairs.tolist()  # ... the same answer
    assert (second.objective, second.bound, second.status) == (
        first.objective,
        first.bound,
        first.status,
    )
    assert second.stats["lns_rounds"] == first.stats["lns_rounds"]


def test_the_deadline_is_kept_and_a_clock_stop_is_said(monkeypatch):
    # a machine so slow that the wall clock, not the work, ends the search: the answer comes
    # back within the limit plus one HiGHS solve (the stated overhead) and says it may differ
    scores, feasible, goals = _binding(3)
    _search_bound_by_work(monkeypatch)
    monkeypatch.setattr(highs, "ROOT", 1e-9)  # the work would buy thousands of rounds
    _slow_highs(monkeypatch, 0.25)
    limit = 2.0
    start = time.perf_counter()
    a = assign(
        scores,
        feasible,
        goals=goals,
        mentor_capacity=2,
        rng=5,
        time_limit=limit,
        policy="max_score",
    )
    took = time.perf_counter() - start
    assert took < limit + 0.25 + 1.0  # one slowed solve over, and a generous slack
    assert a.stats["clock_stopped"]
    assert "a rerun may differ" in a.message
    assert violations(scores, feasible, np.full(40, 2), np.ones(40, int), goals, a.pairs) == []


def test_a_limit_spent_before_the_solver_starts_fails_at_once():
    scores, feasible, goals = _binding(1)
    ctx = _ctx(scores, feasible, 2)
    model, _ = compile_goals(goals, ctx, scores[ctx.mi, ctx.ei], "max_matched")
    opts = check_options(time_limit=1.0, rng=0, start=time.perf_counter() - 3.0)
    t = time.perf_counter()
    with pytest.raises(SolverError, match="used up before the solver started") as err:
        solve_goals(model, False, opts)
    assert time.perf_counter() - t < 0.5
    assert "40 x 40 participants" in str(err.value)


def test_no_answer_in_time_says_what_took_the_time(monkeypatch):
    from ortools.linear_solver import pywraplp

    scores, feasible, goals = _binding(1)

    def stuck(self):  # an LP that does not finish before the deadline
        time.sleep(1.2)
        return pywraplp.Solver.NOT_SOLVED

    monkeypatch.setattr(pywraplp.Solver, "Solve", stuck)
    monkeypatch.setattr(pipeline, "_best_assignment", lambda *a: (None, None))
    start = time.perf_counter()
    with pytest.raises(SolverError, match="stopped by the time limit") as err:
        assign(scores, feasible, goals=goals, mentor_capacity=2, rng=0, time_limit=1.0)
    assert "(time: LP " in str(err.value)
    assert time.perf_counter() - start < 1.0 + 1.2 + 1.0  # one stuck solve over, and slack


# -- honest bounds ------------------------------------------------------------------------------


def test_an_unproven_count_still_gets_a_finite_honest_bound():
    scores, feasible, goals = _binding(2, n=12)
    m_cap = 2
    ctx = _ctx(scores, feasible, m_cap)
    model, _ = compile_goals(goals, ctx, scores[ctx.mi, ctx.ei], "max_matched")
    ref = oracle(scores, feasible, np.full(12, m_cap), np.ones(12, int), "max_matched", goals)
    # the optimum less one pair: a feasible answer with fewer pairs than possible
    x = np.zeros(model.n_edges, dtype=bool)
    x[model.edges_of(ref.pairs[:, 0], ref.pairs[:, 1])] = True
    for e in np.flatnonzero(x):
        y = x.copy()
        y[e] = False
        if model.feasible(y):
            break
    else:
        pytest.skip("no pair of the optimum can go")
    value_bound = float(model.weights[x].sum()) + 0.5  # a valid bound, not a tight one
    assert not np.isfinite(score_bound(model, int(y.sum()), value_bound))
    budget = Budget(1.0, time.perf_counter() + 10)
    out = pipeline._outcome(model, y, value_bound, "test", {}, budget, time.perf_counter())
    assert np.isfinite(out.bound) and out.bound >= ref.objective - TOL  # a true bound
    assert out.status == "feasible" and not out.stats["pairs_proven_most"]
    assert out.stats["pairs_at_most"] >= ref.count
    assert "most pairs is not proven" in out.message


def test_the_best_assignment_meeting_the_goals_is_proven_at_once():
    # the issue's programme at n = 1 200: the best assignment over every pair already met the
    # three goals, and the LP ran for nothing; a loose goal on a small cohort here
    rng = np.random.default_rng(4)
    scores, feasible = rng.random((30, 30)), rng.random((30, 30)) < 0.8
    goals = [G.Count(at_least=5)]
    a = assign(scores, feasible, goals=goals, time_limit=10, rng=0)
    ref = oracle(scores, feasible, np.ones(30, int), np.ones(30, int), "max_matched", goals)
    assert a.status == "optimal" and "no LP needed" in a.message
    assert a.objective == pytest.approx(ref.objective, abs=1e-9)
    assert len(a.pairs) == ref.count


def test_match_repeats_under_a_time_limit_on_the_issue_rules():
    # issue 17, item 4 in small: the same cohort, rules, goals, limit and rng give the same
    # pairs (the run ends by its work: its message would say if the clock had stopped it)
    mentors, mentees = rm.synthetic.cohort(120, 120, rng=11)
    prog = rm.Programme(
        rules=[
            rm.rules.CrossDepartment(),
            rm.rules.NoReportingLine(2),
            rm.rules.SeniorityDirection(2),
        ],
        goals=[
            G.Share(cross="gender", at_least=0.6),
            G.Share(cross="generation", at_least=0.7),
            G.Spread("department", at_most_share=0.08),
        ],
    )
    runs = [rm.match(mentors, mentees, prog, time_limit=20, rng=0) for _ in range(2)]
    for m in runs:
        assert rm.verify(m, rm.Problem(mentors, mentees, prog)) == []
        assert not m.assignment.stats["clock_stopped"]
    a, b = (m.assignment for m in runs)
    assert a.pairs.tolist() == b.pairs.tolist()
    assert (a.objective, a.bound) == (b.objective, b.bound)
