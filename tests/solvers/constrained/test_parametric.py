"""The one-row dual (:mod:`rm_match.solvers.constrained.parametric`): its minimum is the LP
bound (HiGHS on the relaxation), its answer meets the row and is optimal at ``λ*``, its
bound holds for every goal-feasible answer (brute force), a memo changes the work and not
the answers, and the pipeline around it still reaches HiGHS's optimum when the row cannot
be met with the most pairs."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import linprog

from goal_cases import FAST, _ctx
from rm_match import InfeasibleError, assign
from rm_match import goals as G
from rm_match.goals import check_goals, compile_goals
from rm_match.solvers.constrained import parametric
from rm_match.solvers.constrained.budget import Budget
from rm_match.solvers.constrained.lagrangian import ExactLagrangian

TOL = 1e-6


def _model(scores, feasible, goal, policy, m_cap=1):
    ctx = _ctx(scores, feasible, m_cap, 1)
    model, _ = compile_goals([goal], ctx, scores[ctx.mi, ctx.ei], policy)
    return model


def _solve(model, memo=None):
    budget = Budget(float("inf"), time.perf_counter() + 60)
    return parametric.solve(model, ExactLagrangian(model), budget, 0.0, memo=memo)


def _row(model, x):
    g, _, b, t, _ = model.ge_rows
    return float((g @ x.astype(float))[0] + t[0] * x.sum() - b[0])


def _lp_bound(model, count):
    """The LP relaxation's optimum on the weights (capacities, the row, and ``Σx = count``
    when ``count`` is given), by HiGHS; ``None`` when it is infeasible."""
    g, _, b, t, _ = model.ge_rows
    n = model.n_edges
    cols = np.arange(n)
    cap_m = np.zeros((model.n_m, n))
    cap_m[model.mi, cols] = 1.0
    cap_e = np.zeros((model.n_e, n))
    cap_e[model.ei, cols] = 1.0
    a_ub = np.vstack([cap_m, cap_e, -(g.toarray() + t[:, None])])
    b_ub = np.concatenate([model.m_cap, model.e_cap, -b]).astype(float)
    eq = {} if count is None else {"A_eq": np.ones((1, n)), "b_eq": [float(count)]}
    out = linprog(-model.weights, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs", **eq)
    return None if out.status != 0 else -out.fun


@st.composite
def one_row(draw, max_n=12):
    """A random instance with one goal that compiles to one row (a share or a count of
    cross pairs, at least or at most), capacities 1–2 on the mentors."""
    n_m = draw(st.integers(2, max_n))
    n_e = draw(st.integers(2, max_n))
    rng = np.random.default_rng(draw(st.integers(0, 2**31 - 1)))
    scores = rng.random((n_m, n_e))
    feasible = rng.random((n_m, n_e)) < draw(st.sampled_from([0.5, 0.8, 1.0]))
    cross = rng.integers(0, 2, n_m)[:, None] != rng.integers(0, 2, n_e)[None, :]
    kind = draw(st.sampled_from(["share_min", "share_max", "count_min", "count_max"]))
    p = draw(st.sampled_from([0.3, 0.5, 0.7, 0.9]))
    k = draw(st.integers(1, 4))
    goal = {
        "share_min": G.Share(pairs=cross, at_least=p),
        "share_max": G.Share(pairs=cross, at_most=p),
        "count_min": G.Count(pairs=cross, at_least=k),
        "count_max": G.Count(pairs=cross, at_most=k),
    }[kind]
    policy = draw(st.sampled_from(["max_matched", "max_score"]))
    return scores, feasible, goal, policy, draw(st.sampled_from([1, 2]))


@FAST
@given(one_row())
def test_the_minimum_is_the_lp_bound_and_the_answer_is_optimal_at_it(inst) -> None:
    scores, feasible, goal, policy, m_cap = inst
    model = _model(scores, feasible, goal, policy, m_cap)
    assume(parametric.applies(model, 1 << 27))
    found = _solve(model)
    assert found is not None and found.evaluations >= 1
    zero = ExactLagrangian(model).evaluate(np.zeros(1))
    count = zero.count  # max_matched: the bound covers answers with the most pairs
    lp = _lp_bound(model, count)
    if found.x is None:  # no assignment (with the most pairs) meets the row
        assert lp is None
        return
    assert found.solved
    x = found.x
    assert model.capacity_ok(x) and model.feasible(x) and _row(model, x) >= 0
    if count is not None:
        assert int(x.sum()) == count
    value = float(model.weights[x].sum())
    assert value <= found.bound + TOL
    assert lp is not None
    assert found.bound == pytest.approx(lp, abs=TOL)  # L's minimum = the LP bound
    # optimal at λ*: its line touches L there
    assert value + found.lam * _row(model, x) == pytest.approx(found.bound, abs=TOL)


def _every_assignment(model):
    out = []

    def rec(i, chosen, dm, de):
        if i == model.n_edges:
            out.append(np.array(chosen, dtype=bool))
            return
        rec(i + 1, [*chosen, False], dm, de)
        a, b = model.mi[i], model.ei[i]
        if dm[a] < model.m_cap[a] and de[b] < model.e_cap[b]:
            dm2, de2 = dm.copy(), de.copy()
            dm2[a] += 1
            de2[b] += 1
            rec(i + 1, [*chosen, True], dm2, de2)

    rec(0, [], np.zeros(model.n_m, int), np.zeros(model.n_e, int))
    return out


@FAST
@given(one_row(max_n=4))
def test_the_bound_holds_for_every_answer_it_covers(inst) -> None:
    """Brute force: every goal-feasible assignment (with the most pairs, under
    ``max_matched``) weighs at most the bound, and the answer is one of them."""
    scores, feasible, goal, policy, m_cap = inst
    model = _model(scores, feasible, goal, policy, m_cap)
    assume(parametric.applies(model, 1 << 27) and model.n_edges <= 12)
    found = _solve(model)
    assert found is not None
    count = ExactLagrangian(model).evaluate(np.zeros(1)).count
    covered = [
        x
        for x in _every_assignment(model)
        if model.feasible(x) and (count is None or int(x.sum()) == count)
    ]
    for x in covered:
        assert float(model.weights[x].sum()) <= found.bound + TOL
    if found.x is None:
        assert not covered
    else:
        assert any(np.array_equal(found.x, x) for x in covered)


def test_a_memo_changes_the_work_not_the_answers() -> None:
    """A sweep's levels solved one after the other with a memo: the same answers and bounds
    as fresh solves, with fewer evaluations in all."""
    rng = np.random.default_rng(5)
    n = 60
    scores = rng.random((n, n))
    feasible = rng.random((n, n)) < 0.8
    cross = rng.integers(0, 2, n)[:, None] != rng.integers(0, 2, n)[None, :]
    levels = [0.55, 0.6, 0.65, 0.7, 0.75, 0.8]
    memo = parametric.Memo()
    shared, fresh = [], []
    for p in levels:
        model = _model(scores, feasible, G.Share(pairs=cross, at_least=p), "max_matched")
        shared.append(_solve(model, memo))
        fresh.append(_solve(model))
    assert memo.solves  # the levels were recorded for the next guesses
    for a, b in zip(shared, fresh, strict=True):
        assert a.solved and b.solved
        assert np.array_equal(a.x, b.x)
        assert a.bound == pytest.approx(b.bound, rel=1e-12)
    assert sum(a.evaluations for a in shared) < sum(b.evaluations for b in fresh)


def test_a_memo_of_other_pairs_is_emptied() -> None:
    rng = np.random.default_rng(1)
    scores = rng.random((8, 8))
    cross = rng.integers(0, 2, 8)[:, None] != rng.integers(0, 2, 8)[None, :]
    goal = G.Share(pairs=cross, at_least=0.7)
    memo = parametric.Memo()
    _solve(_model(scores, np.ones((8, 8), bool), goal, "max_matched"), memo)
    assert memo.lines
    other = _model(scores + 1.0, np.ones((8, 8), bool), goal, "max_matched")
    assert not memo.fits(other)
    assert memo.lines == [] and memo.at_zero is None and memo.solves == []


def test_applies_to_one_row_without_indicators_only() -> None:
    rng = np.random.default_rng(0)
    scores = rng.random((5, 5))
    ok = np.ones((5, 5), bool)
    gm, ge = rng.integers(0, 2, 5), rng.integers(0, 2, 5)
    cross = gm[:, None] != ge[None, :]
    assert parametric.applies(_model(scores, ok, G.Share(pairs=cross, at_least=0.5), "x"), 99)
    two = G.Share(pairs=cross, at_least=0.2, at_most=0.8)  # two rows
    assert not parametric.applies(_model(scores, ok, two, "max_matched"), 99)
    coverage = G.Coverage(groups=(gm, ge), k=1)  # indicators
    assert not parametric.applies(_model(scores, ok, coverage, "max_matched"), 99)
    assert not parametric.applies(_model(scores, ok, G.Share(pairs=cross, at_least=0.5), "x"), 24)


def test_a_row_no_full_assignment_meets_goes_to_the_lp() -> None:
    """Under ``max_matched`` the dual covers answers with the most pairs; a row only fewer
    pairs meet leaves it without an answer, and the pipeline's LP finds HiGHS's optimum."""
    rng = np.random.default_rng(3)
    scores = rng.random((6, 6))
    ok = np.ones((6, 6), bool)
    goal = G.Count(at_most=4)  # six pairs are possible, at most four allowed
    model = _model(scores, ok, goal, "max_matched")
    assert parametric.applies(model, 1 << 27)
    found = _solve(model)
    assert found is not None and found.x is None and not found.solved
    kw = {"goals": [goal], "policy": "max_matched", "rng": 0, "time_limit": 30}
    a = assign(scores, ok, **kw)
    ref = assign(scores, ok, method="milp", **kw)
    assert len(a.pairs) == len(ref.pairs) == 4
    assert a.objective == pytest.approx(ref.objective, abs=1e-9)


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
@pytest.mark.parametrize("level", [0.75])
def test_assign_answers_by_the_dual_within_the_gap(policy, level) -> None:
    """With a gap limit, a binding one-row goal is answered by the dual: every goal met, the
    gap within the limit against HiGHS's optimum, and the message says which stage."""
    rng = np.random.default_rng(8)
    n = 100
    scores = rng.random((n, n))
    feasible = rng.random((n, n)) < 0.7
    cross = rng.integers(0, 2, n)[:, None] != rng.integers(0, 2, n)[None, :]
    goal = G.Share(pairs=cross, at_least=level)
    kw = {"goals": [goal], "policy": policy, "rng": 0, "time_limit": 60}
    try:
        ref = assign(scores, feasible, method="milp", **kw)
    except InfeasibleError:  # pragma: no cover - the seed is chosen feasible
        pytest.skip("infeasible")
    a = assign(scores, feasible, gap_limit=1e-3, **kw)
    assert "Lagrangian dual" in a.message
    ctx = _ctx(scores, feasible)
    assert all(c.met for c in check_goals([goal], ctx, a.pairs[:, 0], a.pairs[:, 1]))
    if policy == "max_matched":
        assert len(a.pairs) == len(ref.pairs)
    assert a.objective <= ref.objective + 1e-9
    assert a.bound >= ref.objective - 1e-9
    assert (ref.objective - a.objective) <= 1e-3 * abs(ref.objective) + 1e-9


def test_a_single_edge_breaking_the_row_leaves_the_empty_answer() -> None:
    """One allowed pair, flagged, under "at most 30 % flagged" and ``max_score``: the only
    answer meeting the row is the empty one. With one score there is no score range to
    scale the first step by; the search used to evaluate λ = 0 again and again (found by
    hypothesis in CI)."""
    scores = np.array([[6.9e-4, 0.4588], [0.8856, 0.2006]])
    feasible = np.array([[False, True], [False, False]])
    goal = G.Share(pairs=np.array([[False, True], [False, True]]), at_most=0.3)
    model = _model(scores, feasible, goal, "max_score")
    found = _solve(model)
    assert found is not None and found.solved
    assert found.x is not None and not found.x.any()
    assert found.bound == pytest.approx(0.0, abs=TOL)
    assert found.evaluations < 20
