"""Lagrangian relaxation of the goal rows, with the exact assignment inside.

For multipliers ``λ ≥ 0`` on the rows ``G x + H y ≥ b`` (goal rows and indicator links, see
:meth:`GoalModel.ge_rows`), every goal-feasible ``(x, y)`` satisfies ``λ·(G x + H y − b) ≥ 0``,
so the best objective is at most

    L(λ) = max over assignments x of  Σ (w + Gᵀλ)_e x_e  +  Σ_k max(0, (Hᵀλ)_k)  −  λ·b,

an assignment problem with modified weights (solved exactly by :func:`rm_match.assign`, whose
own proven bound is used, so ``L`` is a valid upper bound even on the sparse path). ``L`` is
convex and piecewise linear in ``λ``; each inner solution gives a cut ``L(λ') ≥ w·x +
λ'·(G x + H y − b)``, and a Kelley cutting-plane master (a tiny LP, HiGHS) in a trust region
picks the next ``λ``. Inner solutions that meet every goal are feasible answers; if none does,
*repair* raises the multipliers of the broken rows until the inner solution meets them.

Reduced-cost fixing: with node potentials ``u, v ≥ 0`` of the inner assignment at the best
``λ`` (from the flow solver's residual network) and ``rc_e = w'_e − u_i − v_j``, any
goal-feasible solution using pair ``e`` scores at most ``D + rc_e`` (``D`` the dual value), so
pairs with ``D + rc_e`` below the best known answer can be dropped before CP-SAT.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from ._problem import ArrayProblem
from .flow import flow_on_edges
from .goal_model import GoalModel


@dataclass
class DualResult:
    bound: float  # best (smallest) proven L(λ)
    lam: np.ndarray  # multipliers at the best bound
    incumbent: np.ndarray | None  # best goal-feasible x found (edge mask), or None
    incumbent_value: float  # its weight (−inf if none)
    iterations: int = 0
    repaired: bool = False
    hint: np.ndarray | None = None  # best inner solution (for a CP-SAT hint when infeasible)


class Inner:
    """The assignment with modified weights, solved exactly on the model's edges."""

    def __init__(self, model: GoalModel) -> None:
        self.model = model
        n_m, n_e = model.n_m, model.n_e
        self.index = np.full((n_m, n_e), -1, dtype=np.int64)
        self.index[model.mi, model.ei] = np.arange(model.n_edges)
        self.dense = np.zeros((n_m, n_e))
        self.mask = np.zeros((n_m, n_e), dtype=bool)

    def solve(self, w: np.ndarray) -> tuple[np.ndarray, float]:
        """Best assignment for edge weights ``w`` (pairs with ``w ≤ 0`` left out): the 0/1
        edge vector and a proven upper bound on its value."""
        from . import _choose  # late import: the package imports this module

        m = self.model
        x = np.zeros(m.n_edges, dtype=bool)
        pos = w > 0
        if not pos.any() or m.k_max == 0:
            return x, 0.0
        self.dense[m.mi, m.ei] = w
        self.mask[:] = False
        self.mask[m.mi[pos], m.ei[pos]] = True
        # the arrays are ours and valid: skip assign()'s validation copies
        problem = ArrayProblem(
            self.dense, self.mask, m.m_cap, m.e_cap, "max_score", None, np.random.default_rng(0)
        )
        pairs, slack, _ = _choose(problem, "auto").solve(problem)
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        x[self.index[pairs[:, 0], pairs[:, 1]]] = True
        return x, float(w[x].sum()) + float(slack)


def dual(
    model: GoalModel,
    deadline: float,
    *,
    max_iter: int = 60,
    tol: float = 1e-7,
) -> DualResult:
    """Minimise ``L(λ)`` by Kelley cutting planes in a trust region; keep feasible inner
    solutions. Stops at ``max_iter``, at ``deadline`` (``time.perf_counter()``), or when the
    master's lower estimate is within ``tol`` (relative) of the best bound."""
    g, h, b, tot, _ = model.ge_rows
    inner = Inner(model)
    w = model.weights
    n_rows = len(b)
    res = DualResult(np.inf, np.zeros(n_rows), None, -np.inf)
    zero = np.zeros(model.n_edges, dtype=bool)
    if model.feasible(zero):
        res.incumbent, res.incumbent_value = zero, 0.0
    # multipliers live on the score scale (a pair's score against a row coefficient), not on
    # the coverage bonus's: start the trust region there and let it grow
    span = float(np.ptp(model.scores)) if model.n_edges else 1.0
    coef = max(float(abs(g).max()) if g.nnz else 1.0, float(np.abs(tot).max(initial=1.0)))
    span = max(span, 1e-9) / max(coef, 1.0)
    radius = span
    lam = np.zeros(n_rows)
    center = lam
    cuts_c: list[float] = []
    cuts_g: list[np.ndarray] = []
    best_viol = np.inf
    for it in range(1, max_iter + 1):
        res.iterations = it
        x, ub, sub, value = _evaluate(model, inner, g, h, b, tot, w, lam)
        if ub < res.bound:
            improved = res.bound - ub
            res.bound, res.lam = ub, lam.copy()
            center = lam
            if improved > 0:
                radius = min(radius * 2.0, 1e6 * span)
        else:
            radius = max(radius * 0.5, 1e-9 * span)
        _keep_primal(model, res, x, value)
        viol = float(np.maximum(-sub, 0).sum())
        if viol < best_viol:
            best_viol, res.hint = viol, x
        cuts_c.append(value)
        cuts_g.append(sub)
        if n_rows == 0 or time.perf_counter() > deadline:
            break
        lam, theta = _master(np.array(cuts_c), np.array(cuts_g), center, radius)
        if res.bound - theta <= tol * max(1.0, abs(res.bound)):
            break
        if res.incumbent is not None and res.bound - res.incumbent_value <= tol * max(
            1.0, abs(res.bound)
        ):
            break
    if n_rows and (res.incumbent is None or not res.incumbent.any()):
        _repair(model, inner, g, h, b, tot, w, res, deadline, span)
    return res


def _evaluate(model, inner, g, h, b, tot, w, lam):
    wl = w + g.T @ lam + float(tot @ lam)
    ycoef = h.T @ lam
    x, ub = inner.solve(wl)
    y = ycoef > 0
    sub = g @ x.astype(float) + h @ y.astype(float) + tot * float(x.sum()) - b
    bound = ub + float(ycoef[y].sum()) - float(lam @ b)
    return x, bound, sub, float(w[x].sum())


def _keep_primal(model: GoalModel, res: DualResult, x: np.ndarray, value: float) -> None:
    if value > res.incumbent_value and model.feasible(x):
        res.incumbent, res.incumbent_value = x, value


def _master(cuts_c, cuts_g, center, radius):
    """Kelley master: min θ s.t. θ ≥ c_k + λ·g_k, λ ≥ 0 within ``radius`` of ``center``."""
    n = cuts_g.shape[1]
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    a_ub = np.hstack([cuts_g, -np.ones((len(cuts_c), 1))])
    bounds = [(max(0.0, c - radius), c + radius) for c in center] + [(None, None)]
    out = linprog(cost, A_ub=a_ub, b_ub=-cuts_c, bounds=bounds, method="highs")
    if out.status != 0:  # pragma: no cover - the box keeps the master bounded and feasible
        return center, -np.inf
    return np.maximum(out.x[:n], 0.0), float(out.x[-1])


def _repair(model, inner, g, h, b, tot, w, res, deadline, span) -> None:
    """Raise the multipliers of broken rows (doubling) until an inner solution meets every
    goal; ``res`` gets the first feasible one."""
    lam = res.lam.copy()
    for _ in range(24):
        if time.perf_counter() > deadline:
            return
        x, _, sub, value = _evaluate(model, inner, g, h, b, tot, w, lam)
        if model.feasible(x):
            _keep_primal(model, res, x, value)
            res.repaired = True
            return
        bad = sub < -1e-9
        if not bad.any():  # rows hold but capacities cannot break: numerical corner
            return
        lam[bad] = lam[bad] * 2.0 + 0.05 * span


def potentials(model: GoalModel, lam: np.ndarray) -> tuple[np.ndarray, float]:
    """Reduced costs ``rc`` of every edge at multipliers ``lam`` and the dual value ``D`` with
    ``w·x ≤ D + Σ_e min(rc_e, 0)·x_e`` for every goal-feasible ``x`` (positive ``rc`` from
    rounding are folded into ``D``)."""
    from .sparse import _certificate, _potentials

    g, h, b, tot, _ = model.ge_rows
    wl = model.weights + g.T @ lam + float(tot @ lam)
    ycoef = h.T @ lam
    const = float(np.maximum(ycoef, 0).sum()) - float(lam @ b)
    pos = np.flatnonzero(wl > 0)
    n_m, n_e = model.n_m, model.n_e
    if len(pos) == 0 or model.k_max == 0:
        rc = wl.copy()
        return rc, const + model.k_max * max(float(rc.max(initial=0.0)), 0.0)
    mi, ei, s = model.mi[pos], model.ei[pos], wl[pos]
    used, rounded, scale, _ = flow_on_edges(
        n_m, n_e, mi, ei, s, model.m_cap, model.e_cap, "max_score", model.k_max
    )
    d, _, ok = _potentials(
        n_m, n_e, mi, ei, rounded, used, model.m_cap, model.e_cap, "max_score", 10 * (n_m + n_e)
    )
    if not ok:  # pragma: no cover - integer residual networks have no negative cycle
        return np.zeros_like(wl), np.inf
    cert = _certificate(n_m, n_e, mi, ei, s, used, model.m_cap, model.e_cap, "max_score", d)
    u, v = cert.u / scale, cert.v / scale
    rc = wl - u[model.mi] - v[model.ei]
    # Shortest-path potentials need not be tight on the pairs in use; raising each mentor's
    # (or each mentee's, whichever costs less) potential by its largest positive reduced
    # cost makes every rc ≤ 0 and adds only what is needed to the dual value.
    m_cap = np.minimum(model.m_cap, n_e)
    e_cap = np.minimum(model.e_cap, n_m)
    up_m = np.zeros(n_m)
    up_e = np.zeros(n_e)
    np.maximum.at(up_m, model.mi, rc)
    np.maximum.at(up_e, model.ei, rc)
    if float((m_cap * up_m).sum()) <= float((e_cap * up_e).sum()):
        u = u + up_m
    else:
        v = v + up_e
    rc = wl - u[model.mi] - v[model.ei]
    value = float((m_cap * u).sum() + (e_cap * v).sum())
    return rc, value + const + model.k_max * max(float(rc.max()), 0.0)
