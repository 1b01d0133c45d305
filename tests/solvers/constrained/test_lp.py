"""The LP path of goal-constrained solving (:mod:`rm_match.solvers.constrained.lp`): the
Lagrangian bound and reduced-cost fixing are valid for any multipliers, column generation
bounds every pair, infeasibility proofs are sound, ``most_pairs`` is exact, the
large-neighbourhood search and ``gap_limit`` keep every goal, and ``improve`` never makes an
answer worse."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from goal_cases import FAST, _brute, _ctx, instances, medium
from rm_match import InfeasibleError, ValidationError, assign
from rm_match import goals as G
from rm_match.goals import GoalContext, check_goals, compile_goals
from rm_match.solvers._problem import capacities_on_both_sides
from rm_match.solvers.constrained import lp, pipeline
from rm_match.solvers.constrained.lagrangian import ExactLagrangian

TOL = 1e-7


def _model(scores, feasible, goals, policy, m_cap=1, e_cap=1):
    """The GoalModel exactly as ``assign`` builds it (edges where both sides have room)."""
    ctx = _ctx(scores, feasible, m_cap, e_cap)
    model, _ = compile_goals(goals, ctx, scores[ctx.mi, ctx.ei], policy)
    return model, ctx


def _capacity_subsets(model) -> np.ndarray:
    """Every edge mask that respects the capacities (rows of a bool matrix; tiny models)."""
    out: list[np.ndarray] = []
    chosen = np.zeros(model.n_edges, dtype=bool)
    dm = np.zeros(model.n_m, dtype=np.int64)
    de = np.zeros(model.n_e, dtype=np.int64)

    def rec(i: int) -> None:
        if i == model.n_edges:
            out.append(chosen.copy())
            return
        rec(i + 1)
        a, b = model.mi[i], model.ei[i]
        if dm[a] < model.m_cap[a] and de[b] < model.e_cap[b]:
            chosen[i] = True
            dm[a] += 1
            de[b] += 1
            rec(i + 1)
            chosen[i] = False
            dm[a] -= 1
            de[b] -= 1

    rec(0)
    return np.array(out, dtype=bool).reshape(len(out), model.n_edges)


def _goal_feasible(model) -> np.ndarray:
    """Every goal-feasible edge mask of ``model`` (capacities and rows ``lo ≤ Ax+Cy+tΣx ≤
    hi``, evaluated on all subsets at once)."""
    xs = _capacity_subsets(model)
    a, c, lo, hi = model.matrices
    lmat, _ = model.link
    xf = xs.T.astype(float)
    y = ((lmat @ xf) > 0.5).astype(float)
    vals = a @ xf + c @ y + model.totals[:, None] * xf.sum(axis=0)[None, :]
    ok = ((vals >= lo[:, None] - 1e-9) & (vals <= hi[:, None] + 1e-9)).all(axis=0)
    feas = xs[ok]
    # the vectorised check agrees with the model's own
    for x in feas[:3]:
        assert model.feasible(x)
    return feas


def _lp_duals(model, w):
    """Optimal duals ``(λ, u, v)`` of the LP relaxation over every pair (``0 ≤ x, y ≤ 1``,
    capacities, ``G x + H y + t·Σx ≥ b``), by HiGHS; ``None`` if the LP is infeasible."""
    g, h, b, t, _ = model.ge_rows
    n_x, n_y = model.n_edges, h.shape[1]
    if n_x + n_y == 0:
        return None
    cols = np.arange(n_x)
    cap_m = np.zeros((model.n_m, n_x))
    cap_m[model.mi, cols] = 1.0
    cap_e = np.zeros((model.n_e, n_x))
    cap_e[model.ei, cols] = 1.0
    a_ub = np.block(
        [
            [cap_m, np.zeros((model.n_m, n_y))],
            [cap_e, np.zeros((model.n_e, n_y))],
            [-(g.toarray() + t[:, None]), -h.toarray()],
        ]
    )
    b_ub = np.concatenate([model.m_cap, model.e_cap, -b]).astype(float)
    cost = -np.concatenate([w, np.zeros(n_y)])
    out = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0.0, 1.0), method="highs")
    if out.status != 0:
        return None
    duals = np.maximum(-out.ineqlin.marginals, 0.0)
    n_m, n_e = model.n_m, model.n_e
    return duals[n_m + n_e :], duals[:n_m], duals[n_m : n_m + n_e]


@st.composite
def capacitated(draw, max_n=4):
    """A tiny goal instance with per-participant capacities 0–2."""
    scores, feasible, goals, policy = draw(instances(max_n=max_n))
    n_m, n_e = scores.shape
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    ones = draw(st.booleans())
    m_cap = np.ones(n_m, dtype=np.int64) if ones else rng.integers(0, 3, n_m)
    e_cap = np.ones(n_e, dtype=np.int64) if ones else rng.integers(0, 3, n_e)
    return scores, feasible, goals, policy, m_cap, e_cap, seed


# -- 1. the Lagrangian bound and reduced-cost fixing hold for any λ, u, v ≥ 0 -----------------


@FAST
@given(
    capacitated(),
    st.sampled_from([0.0, 0.1, 1.0, 10.0]),
    st.sampled_from(["model", "signed", "zero"]),
    st.integers(0, 2**31 - 1),
)
def test_dual_value_bounds_every_feasible_assignment(inst, scale, kind, seed):
    scores, feasible, goals, policy, m_cap, e_cap, _ = inst
    model, _ = _model(scores, feasible, goals, policy, m_cap, e_cap)
    assume(model.n_edges <= 12)
    feas = _goal_feasible(model)
    rng = np.random.default_rng(seed)
    # the model's weights, or other weights as relax(weights=...) uses (zero: phase one)
    w = {
        "model": model.weights,
        "signed": np.round(rng.normal(size=model.n_edges), 2),
        "zero": np.zeros(model.n_edges),
    }[kind]
    n_rows = len(model.ge_rows[2])
    # the LP's own duals over every pair make the bound tight (random ones rarely are)
    m = _lp_duals(model, w)
    for k in range(5):
        # some multipliers exactly 0, the rest spread over [0, scale)
        lam = rng.random(n_rows) * scale * (rng.random(n_rows) < 0.7)
        u = rng.random(model.n_m) * scale * (rng.random(model.n_m) < 0.7)
        v = rng.random(model.n_e) * scale * (rng.random(model.n_e) < 0.7)
        if m is not None and k < 2:  # the LP duals, then a mix with the random ones
            t = 1.0 - 0.5 * k
            lam, u, v = (t * a + (1 - t) * b for a, b in zip(m, (lam, u, v), strict=True))
        rc, const = lp.reduced_costs(model, lam, u, v, None if kind == "model" else w)
        assert rc.shape == (model.n_edges,)
        rc_fix, d = lp.dual_value(model, rc, const, u, v)
        assert rc_fix.shape == (model.n_edges,)
        for x in feas:
            value = float(w[x].sum())
            assert value <= d + TOL, (value, d, lam, u, v)
            for e in np.flatnonzero(x):
                assert value <= d + min(rc_fix[e], 0.0) + TOL, (value, d, e, rc_fix[e])


def test_dual_value_takes_the_smaller_of_its_two_bounds():
    """At λ = u = v = 0: (a) pays every positive weight (6.5); (b) pays each mentor's
    largest (4) or each mentee's largest (5); D is the smallest, and still ≥ the optimum."""
    scores = np.array([[3.0, 2.0], [1.0, 0.5]])
    model, _ = _model(scores, np.ones((2, 2), bool), [G.Count(at_least=1)], "max_score")
    z_r, z_m, z_e = np.zeros(len(model.ge_rows[2])), np.zeros(2), np.zeros(2)
    rc, const = lp.reduced_costs(model, z_r, z_m, z_e)
    np.testing.assert_allclose(rc, model.weights)
    _, d = lp.dual_value(model, rc, const, z_m, z_e)
    # (b) by mentors: 3 + 1 = 4; by mentees: 3 + 2 = 5; (a): 6.5
    assert d == pytest.approx(4.0)
    assert d >= 3.0 + 0.5 - 1e-12  # the optimum


def test_dual_value_counts_an_unused_indicator_as_zero():
    """A multiplier on the link ``x_00 − y_0 ≥ 0`` makes ``y_0``'s coefficient negative; the
    best answer leaves ``y_0`` at 0, so the bound must count it as 0, not as negative."""
    scores = np.array([[-1.0], [1.0]])
    goals = [G.Coverage(groups=(np.array([0, 1]), np.array([0])), k=1, exclude_own=False)]
    model, _ = _model(scores, np.ones((2, 1), bool), goals, "max_score")
    g, h, _, _, owner = model.ge_rows
    e00 = int(np.flatnonzero((model.mi == 0) & (model.ei == 0))[0])
    s0 = next(k for k, s in enumerate(model.indicators) if list(s) == [e00])
    link = [
        r
        for r in range(len(owner))
        if owner[r] == -1 and g[r, e00] == 1 and h[r, s0] == -1 and g[r].nnz == 1
    ]
    assert len(link) == 1
    lam = np.zeros(len(owner))
    lam[link[0]] = 0.5
    zero = np.zeros(2), np.zeros(1)
    rc, const = lp.reduced_costs(model, lam, *zero)
    rc_fix, d = lp.dual_value(model, rc, const, *zero)
    best = np.zeros(model.n_edges, dtype=bool)
    best[model.mi == 1] = True  # mentor 1 with the mentee: score 1
    assert model.feasible(best)
    assert d >= 1.0 - TOL
    assert d == pytest.approx(1.0)
    # reduced-cost fixing: no answer with pair (0, 0) reaches the best answer's 1
    assert d + min(rc_fix[e00], 0.0) < 1.0 - 0.25


# -- 2. column generation bounds the optimum over every pair ---------------------------------


@FAST
@given(instances(), st.sampled_from([1, 2]))
def test_relax_bound_is_valid_with_a_tiny_first_core(inst, m_cap):
    scores, feasible, goals, policy = inst
    model, _ = _model(scores, feasible, goals, policy, m_cap)
    assume(model.n_edges <= 12)
    best = _brute(scores, feasible, goals, policy, m_cap)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lp, "_CORE_K", 1)  # the first core misses pairs: pricing must add them
        r = lp.relax(model, time.perf_counter() + 10.0)
        assert r is not None
        assert r.rounds >= 1
        assert r.rc.shape == (model.n_edges,)
        if best is None:
            return
        # the weight optimum: score, plus the bonus per pair under max_matched
        opt = best[-1] + (model.bonus * best[0] if policy == "max_matched" else 0.0)
        assert r.bound >= opt - TOL, (r.bound, opt)
        # a feasible programme is never declared infeasible
        assert not lp.prove_infeasible(model, time.perf_counter() + 10.0)


def test_relax_prices_in_pairs_outside_the_first_core(monkeypatch):
    """The best pairs are not in the first core (one per participant, by weight, all bad for
    the goal); the bound must still cover the optimum, which needs the other pairs."""
    monkeypatch.setattr(lp, "_CORE_K", 1)
    scores = np.array([[1.0, 0.9, 0.0], [0.9, 1.0, 0.0], [0.0, 0.0, 0.1]])
    cross = ~np.eye(3, dtype=bool)
    goals = [G.Share(pairs=cross, at_least=1.0), G.Count(at_least=2)]
    model, _ = _model(scores, np.ones((3, 3), bool), goals, "max_score")
    first = lp.top_per_participant(model, model.weights, 1)
    assert (model.mi[first] == model.ei[first]).all()  # the first core: the diagonal only
    r = lp.relax(model, time.perf_counter() + 10.0)
    best = _brute(scores, np.ones((3, 3), bool), goals, "max_score")
    assert best == (pytest.approx(1.8),)
    assert r.bound >= 1.8 - TOL
    assert r.rounds >= 2
    assert int(first.sum()) == 3 and len(r.core) > 3  # pricing added off-diagonal pairs
    assert (model.mi[r.core] != model.ei[r.core]).any()


# -- 3. infeasibility proofs -----------------------------------------------------------------


def test_prove_infeasible_count_beyond_capacity():
    scores = np.ones((3, 3))
    model, _ = _model(scores, np.ones((3, 3), bool), [G.Count(at_least=4)], "max_matched")
    assert lp.prove_infeasible(model, time.perf_counter() + 10.0)
    ok, _ = _model(scores, np.ones((3, 3), bool), [G.Count(at_least=3)], "max_matched")
    assert not lp.prove_infeasible(ok, time.perf_counter() + 10.0)


def test_prove_infeasible_share_of_impossible_pairs():
    scores = np.ones((3, 3))
    never = np.zeros((3, 3), dtype=bool)  # no pair has the property
    goals = [G.Share(pairs=never, at_least=1.0), G.EveryoneMatched()]
    model, _ = _model(scores, np.ones((3, 3), bool), goals, "max_score")
    assert lp.prove_infeasible(model, time.perf_counter() + 10.0)
    with pytest.raises(InfeasibleError):
        assign(scores, goals=goals, policy="max_score", rng=0, time_limit=10)
    # without EveryoneMatched the empty assignment meets the share
    alone, _ = _model(scores, np.ones((3, 3), bool), goals[:1], "max_score")
    assert not lp.prove_infeasible(alone, time.perf_counter() + 10.0)
    # with some pairs allowed, everyone can be matched
    some = np.ones((3, 3), dtype=bool)
    goals_ok = [G.Share(pairs=some, at_least=1.0), G.EveryoneMatched()]
    ok, _ = _model(scores, np.ones((3, 3), bool), goals_ok, "max_score")
    assert not lp.prove_infeasible(ok, time.perf_counter() + 10.0)


# -- 4. most_pairs is exact -------------------------------------------------------------------


@FAST
@given(
    st.integers(1, 7),
    st.integers(1, 7),
    st.integers(0, 2**31 - 1),
    st.sampled_from(["ones", "zero_one", "random"]),
    st.sampled_from([0.2, 0.5, 0.9]),
)
def test_most_pairs_equals_max_cardinality(n_m, n_e, seed, caps, density):
    rng = np.random.default_rng(seed)
    mask = rng.random((n_m, n_e)) < density
    if caps == "ones":  # Hopcroft–Karp path
        m_cap, e_cap = np.ones(n_m, dtype=np.int64), np.ones(n_e, dtype=np.int64)
    elif caps == "zero_one":  # Hopcroft–Karp path, some participants excluded
        m_cap, e_cap = rng.integers(0, 2, n_m), rng.integers(0, 2, n_e)
    else:  # the flow path (whenever some capacity is 2)
        m_cap, e_cap = rng.integers(0, 3, n_m), rng.integers(0, 3, n_e)
    ctx = GoalContext(
        n_m, n_e, *np.nonzero(mask), np.empty((0, 2), dtype=np.int64), m_cap, e_cap
    )  # edges where a side has no room too: most_pairs must ignore them
    model, _ = compile_goals([], ctx, np.ones(len(ctx.mi)), "max_matched")
    a = assign(
        np.ones((n_m, n_e)), mask, mentor_capacity=m_cap, mentee_capacity=e_cap, policy="max_score"
    )
    assert model.most_pairs == len(a.pairs)
    assert model.most_pairs <= model.k_max


# -- 5. the large-neighbourhood path ----------------------------------------------------------


def _medium(seed: int):
    """A random instance, n 8–14, two or three goals, mentor capacity 1 or 2."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 15))
    scores = rng.random((n, n))
    feasible = rng.random((n, n)) < 0.7
    gm, ge = rng.integers(0, 3, n), rng.integers(0, 3, n)
    cross = gm[:, None] != ge[None, :]
    pool = [
        G.Share(pairs=cross, at_least=float(rng.choice([0.5, 0.7, 0.9]))),
        G.Spread(groups=(gm, ge), at_most=int(rng.integers(1, 4))),
        G.Coverage(groups=(gm, ge), k=int(rng.integers(1, 3))),
        G.Count(pairs=~cross, at_most=int(rng.integers(0, 4))),
    ]
    which = sorted(rng.choice(4, size=int(rng.integers(2, 4)), replace=False))
    policy = ("max_matched", "max_score")[seed % 2]
    return scores, feasible, [pool[i] for i in which], policy, int(rng.integers(1, 3))


def _goals_met(scores, feasible, goals, m_cap, a) -> None:
    ctx = _ctx(scores, feasible, m_cap)
    assert all(c.met for c in check_goals(goals, ctx, a.pairs[:, 0], a.pairs[:, 1]))
    assert all(c.met for c in a.goals)
    assert feasible[a.pairs[:, 0], a.pairs[:, 1]].all()
    assert np.bincount(a.pairs[:, 0], minlength=len(scores)).max(initial=0) <= m_cap
    assert np.bincount(a.pairs[:, 1], minlength=len(scores)).max(initial=0) <= 1


def _check_search(seed: int):
    """Solve instance ``seed`` by ``auto`` with every pair left to the large-neighbourhood
    search and compare with HiGHS on the whole model; the ``auto`` answer (or ``None``)."""
    scores, feasible, goals, policy, m_cap = _medium(seed)
    kw = {"goals": goals, "policy": policy, "rng": 1, "mentor_capacity": m_cap}
    with pytest.MonkeyPatch.context() as mp:
        try:
            ref = assign(scores, feasible, method="milp", time_limit=30, **kw)
        except InfeasibleError:
            mp.setattr(pipeline, "_EXACT_EDGES", 0)
            with pytest.raises(InfeasibleError):
                assign(scores, feasible, method="auto", time_limit=2, **kw)
            return None
        mp.setattr(pipeline, "_EXACT_EDGES", 0)
        a = assign(scores, feasible, method="auto", time_limit=2, **kw)
    _goals_met(scores, feasible, goals, m_cap, a)
    assert a.bound >= ref.objective - TOL, (a.bound, ref.objective)
    if policy == "max_matched":  # lexicographic: (pairs, score) never beats the optimum
        assert len(a.pairs) <= len(ref.pairs)
        if len(a.pairs) == len(ref.pairs):
            assert a.objective <= ref.objective + TOL
    else:
        assert a.objective <= ref.objective + TOL
    if a.stats.get("kept_edges", 0) > 0:  # with _EXACT_EDGES = 0 every kept pair is searched
        assert "lns_rounds" in a.stats
        assert "large-neighbourhood" in a.message
        assert "solver_status" not in a.stats
    return a


@pytest.mark.parametrize("seed", [2, 13])
def test_large_neighbourhood_search_runs_and_keeps_goals(seed):
    a = _check_search(seed)
    assert a is not None
    assert a.stats["kept_edges"] > 0
    assert a.stats["lns_rounds"] >= 1


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1))
def test_large_neighbourhood_search_against_highs(seed):
    _check_search(seed)


# -- 6. gap_limit ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, -1e-9, float("nan"), float("inf"), True, "x", [0.1]])
def test_gap_limit_validation(bad):
    goals = [G.Count(at_least=1)]
    with pytest.raises(ValidationError, match="gap_limit"):
        assign(np.ones((2, 2)), goals=goals, gap_limit=bad)
    with pytest.raises(ValidationError, match="gap_limit"):
        assign(np.ones((2, 2)), gap_limit=bad)


def test_gap_limit_accepts_reals():
    goals = [G.Count(at_least=1)]
    for ok in (0, 0.0, 1e-3, np.float64(0.25), 2):
        a = assign(np.eye(2), goals=goals, gap_limit=ok, rng=0)
        assert len(a.pairs) == 2


def test_gap_limit_stops_the_search_early(monkeypatch):
    # instance 13 (max_score) goes to the search; its LP answer is within 10 % of the bound
    scores, feasible, goals, policy, m_cap = _medium(13)
    kw = {"goals": goals, "policy": policy, "rng": 1, "mentor_capacity": m_cap}
    monkeypatch.setattr(pipeline, "_EXACT_EDGES", 0)
    a = assign(scores, feasible, method="auto", time_limit=5, gap_limit=0.5, **kw)
    _goals_met(scores, feasible, goals, m_cap, a)
    assert a.gap <= 0.5
    assert a.wall_time < 2.5  # without the limit the search runs to the 5 s deadline
    ref = assign(scores, feasible, method="milp", time_limit=30, **kw)
    assert a.objective <= ref.objective + TOL
    assert a.bound >= ref.objective - TOL


@pytest.mark.parametrize("seed", [13, 14, 16])
def test_gap_limit_on_the_exact_path(seed):
    scores, feasible, goals, policy, m_cap = _medium(seed)
    kw = {"goals": goals, "policy": policy, "rng": 1, "mentor_capacity": m_cap}
    ref = assign(scores, feasible, method="milp", time_limit=30, **kw)
    a = assign(scores, feasible, method="auto", time_limit=10, gap_limit=0.5, **kw)
    _goals_met(scores, feasible, goals, m_cap, a)
    assert a.gap <= 0.5
    assert a.bound >= ref.objective - TOL
    for none in (None, 0.0):  # no limit: search until optimal, as before
        b = assign(scores, feasible, method="auto", time_limit=10, gap_limit=none, **kw)
        _goals_met(scores, feasible, goals, m_cap, b)
        assert b.status == "optimal"
        assert len(b.pairs) == len(ref.pairs)
        assert b.objective == pytest.approx(ref.objective, abs=TOL)


# -- 7. improve never makes an answer worse ---------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    capacitated(),
    st.integers(0, 2**31 - 1),
    st.sampled_from([0.0, 0.5, 1.0]),
    st.sampled_from(["worst", "random", "best"]),
)
def test_improve_never_worse_nor_infeasible(inst, seed, density, which):
    scores, feasible, goals, policy, m_cap, e_cap, _ = inst
    model, _ = _model(scores, feasible, goals, policy, m_cap, e_cap)
    assume(model.n_edges <= 12)
    feas = _goal_feasible(model)
    feas = feas[feas.any(axis=1)]  # with no pair there is no mentor to free
    assume(len(feas) > 0)
    values = feas.astype(float) @ model.weights
    rng = np.random.default_rng(seed)
    pick = {
        "worst": int(np.argmin(values)),  # room to improve
        "random": int(rng.integers(len(feas))),
        "best": int(np.argmax(values)),  # every move is a step down
    }[which]
    start = feas[pick].copy()
    candidates = rng.random(model.n_edges) < density
    opt = float(values.max())

    def reached(y):
        return float(model.weights[y].sum()) >= opt - 1e-9

    out, rounds = lp.improve(
        model,
        start,
        candidates,
        time.perf_counter() + (0.15 if which == "best" else 0.3),
        rng,
        stop=None if which == "best" else reached,
    )
    assert out.dtype == bool and out.shape == (model.n_edges,)
    assert model.feasible(out)
    got = float(model.weights[out].sum())
    assert got >= values[pick] - 1e-12
    assert got <= opt + 1e-9
    assert not (out & ~(start | candidates)).any()  # only the candidate pairs are added
    assert rounds >= 0
    if which == "best":  # nothing is strictly better: the input comes back
        assert rounds >= 1
        assert (out == start).all()


def test_improve_on_a_rounded_answer():
    scores, feasible, goals, policy, m_cap = _medium(13)
    ctx = _ctx(scores, feasible, m_cap)
    model, _ = compile_goals(goals, ctx, scores[ctx.mi, ctx.ei], policy)
    r = lp.relax(model, time.perf_counter() + 5.0)
    x = lp.round_lp(model, r, time_limit=5.0)
    assert x is not None and model.feasible(x)
    # the search may use every pair
    everything = np.ones(model.n_edges, dtype=bool)
    out, rounds = lp.improve(
        model, x, everything, time.perf_counter() + 0.5, np.random.default_rng(0)
    )
    assert rounds >= 1
    assert model.feasible(out)
    assert float(model.weights[out].sum()) >= float(model.weights[x].sum()) - 1e-12
    assert float(model.weights[out].sum()) <= r.bound + TOL
    # stop() true from the start: the input comes back untouched, no round run
    same, none = lp.improve(
        model,
        x,
        everything,
        time.perf_counter() + 5.0,
        np.random.default_rng(0),
        stop=lambda y: True,
    )
    assert none == 0 and (same == x).all()


# -- the exact Lagrangian bound (column generation on large models) ---------------------------


@FAST
@given(capacitated(), st.sampled_from([0.0, 0.1, 1.0]), st.integers(0, 2**31 - 1))
def test_exact_lagrangian_bounds_the_answers_it_claims_and_is_tight(inst, scale, seed):
    """``L(λ)`` by the warm-started sparse path: for every goal-feasible answer with the
    pairs it claims (the most, under ``max_matched``), ``w·x ≤ bound + min(rc_e, 0)`` for
    each pair ``e`` of ``x``; at ``λ = 0`` the bound is the best such assignment exactly."""
    scores, feasible, goals, policy, m_cap, e_cap, _ = inst
    model, _ = _model(scores, feasible, goals, policy, m_cap, e_cap)
    assume(0 < model.n_edges <= 12)
    assume(not capacities_on_both_sides(model.m_cap, model.e_cap))
    every = _capacity_subsets(model)
    feas = _goal_feasible(model)
    oracle = ExactLagrangian(model)
    rng = np.random.default_rng(seed)
    n_rows = len(model.ge_rows[2])
    m = _lp_duals(model, model.weights)
    for k in range(4):  # λ = 0, the LP's duals, random ones; each solve warm-starts the next
        lam = rng.random(n_rows) * scale * (rng.random(n_rows) < 0.7)
        if k == 0:
            lam = np.zeros(n_rows)
        elif k == 1 and m is not None:
            lam = m[0]
        ev = oracle.evaluate(lam)
        assert ev is not None
        assert model.capacity_ok(ev.x)
        counts = every.sum(axis=1)
        if policy == "max_matched":
            assert ev.count == counts.max() == model.most_pairs == int(ev.x.sum())
        else:
            assert ev.count is None
        if k == 0:  # no multipliers: the best assignment (with the most pairs), exactly
            pool = every if ev.count is None else every[counts == ev.count]
            best = max(float(model.weights[x].sum()) for x in pool)
            assert ev.bound == pytest.approx(best, abs=1e-6)
        for x in feas:
            if ev.count is not None and int(x.sum()) != ev.count:
                continue
            value = float(model.weights[x].sum())
            assert value <= ev.bound + 1e-6, (value, ev.bound, lam)
            for e in np.flatnonzero(x):
                assert value <= ev.bound + min(ev.rc[e], 0.0) + 1e-6


def _exact_path_and_highs(inst, **options):
    """``auto`` with ``L(λ)`` evaluated every round (the large-model pipeline, forced on a
    small instance) and HiGHS's optimum, after checking that the answer meets every goal
    and has as many pairs; ``None`` if the instance is infeasible."""
    scores, feasible, goals, policy, m_cap = inst
    kw = {"goals": goals, "policy": policy, "rng": 1, "mentor_capacity": m_cap, "time_limit": 30}
    try:
        ref = assign(scores, feasible, method="milp", **kw)
    except InfeasibleError:
        return None
    saved = pipeline._INNER_EDGES
    pipeline._INNER_EDGES = 0
    try:
        a = assign(scores, feasible, method="auto", **options, **kw)
    finally:
        pipeline._INNER_EDGES = saved
    ctx = _ctx(scores, feasible, m_cap)
    assert all(c.met for c in check_goals(goals, ctx, a.pairs[:, 0], a.pairs[:, 1]))
    if policy == "max_matched":  # under max_score the count is no part of the objective
        assert len(a.pairs) == len(ref.pairs)
    return a, ref


@FAST
@given(medium())
def test_auto_with_the_exact_bound_each_round_equals_highs(inst):
    """The large-model pipeline (``L(λ)`` every round, its assignments in the core, its
    reduced costs for fixing), forced on small instances: the HiGHS optimum."""
    out = _exact_path_and_highs(inst)
    if out is None:
        return
    a, ref = out
    assert a.objective == pytest.approx(ref.objective, abs=1e-7)
    assert a.bound >= ref.objective - 1e-7
    assert a.stats["lagrangian_evaluations"] >= 1


@FAST
@given(medium(), st.sampled_from([0.01, 0.05, 0.2]))
def test_exact_path_with_a_gap_limit_stops_within_it(inst, gap_limit):
    """With ``L(λ)`` each round and a gap limit, an answer rounded during column generation
    ends the LP once it is within the limit: every goal met, the gap within the limit and
    the bound at least the optimum (HiGHS)."""
    out = _exact_path_and_highs(inst, gap_limit=gap_limit)
    if out is None:
        return
    a, ref = out
    assert a.gap <= gap_limit + 1e-12
    assert a.bound >= ref.objective - 1e-7
    assert a.objective <= ref.objective + 1e-7
