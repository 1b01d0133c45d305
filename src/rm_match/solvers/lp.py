"""The LP relaxation of a goal model by column generation, its Lagrangian bound over every
pair, and rounding to an answer that meets every goal.

**Master.** The LP relaxation (``0 ≤ x, y ≤ 1``) on a *core* of candidate pairs, solved by
HiGHS: capacities, the goal rows and indicator links of :attr:`GoalModel.ge_rows`, an elastic
slack on each goal row (priced high, so the master is always feasible) and one variable for the
number of pairs (so share rows stay sparse).

**Bound.** The master's duals give multipliers ``λ ≥ 0`` on the rows and potentials
``u, v ≥ 0`` on the capacities. For *any* such ``λ, u, v`` and every goal-feasible ``x`` over
*all* pairs (not only the core),

    w·x ≤ L(λ) ≤ Σ_i c_i u_i + Σ_j c_j v_j + Σ_k max(0, (Hᵀλ)_k) − λ·b + Σ_e max(0, rc_e),

with ``rc_e = w_e + (Gᵀλ)_e + t·λ − u_i − v_j`` the reduced cost of pair ``e`` (or the same with
``u`` or ``v`` raised so every ``rc_e ≤ 0``, whichever is smaller): :func:`reduced_costs`,
:func:`dual_value`. The
bound is computed over every pair with array operations, so it holds for the whole problem
whatever the core. **Pricing** adds the pairs with ``rc_e > 0`` (the best few per participant)
and solves again, until none is left, the LP stops improving, or time is up.

**Rounding.** Pairs at 1 in the LP are fixed, and HiGHS finishes the rest as a small MIP on the
core pairs between participants with room left (:func:`round_lp`).

**Infeasibility.** With zero weights and unit slack cost the same bound proves that no
assignment meets the rows when ``L(λ) < 0``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from . import cpsat
from .goal_model import GoalModel

_CORE_K = 3  # pairs per participant in the first core, and added per pricing round


@dataclass
class Relaxation:
    """What column generation ends with."""

    core: np.ndarray  # edge indices in the last master
    x: np.ndarray  # LP value of each core edge
    value: float  # LP optimum on the core
    bound: float  # best proven bound over every pair (``inf`` if none)
    rc: np.ndarray  # reduced cost of every edge at the best bound (all ≤ the bound's slack)
    slack: float  # elastic slack in the LP optimum (0 when the rows hold)
    rounds: int
    lam: np.ndarray  # the multipliers at the best bound
    infeasible: bool = False  # proven: no assignment meets the goal rows


def top_per_participant(model: GoalModel, value: np.ndarray, k: int) -> np.ndarray:
    """Mask of the ``k`` edges of largest ``value`` of every mentor and of every mentee."""
    keep = np.zeros(model.n_edges, dtype=bool)
    for side in (model.mi, model.ei):
        order = np.lexsort((-value, side))
        first = np.searchsorted(side[order], side[order], side="left")
        keep[order[np.arange(len(order)) - first < k]] = True
    return keep


def reduced_costs(
    model: GoalModel,
    lam: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """``rc_e = w_e + (Gᵀλ)_e + t·λ − u_i − v_j`` for every edge, and the constant part of
    the Lagrangian, ``Σ_k max(0, (Hᵀλ)_k) − λ·b``."""
    g, h, b, t, _ = model.ge_rows
    w = model.weights if weights is None else weights
    rc = w + g.T @ lam + float(t @ lam) - u[model.mi] - v[model.ei]
    const = float(np.maximum(h.T @ lam, 0).sum()) - float(lam @ b)
    return rc, const


def dual_value(
    model: GoalModel, rc: np.ndarray, const: float, u: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, float]:
    """The bound ``D`` above from :func:`reduced_costs` at multipliers ``λ ≥ 0`` and
    potentials ``u, v ≥ 0``, and reduced costs ``rc'`` with ``w·x ≤ D + min(rc'_e, 0)`` for
    every goal-feasible ``x`` that uses pair ``e`` (reduced-cost fixing)."""
    cm = np.minimum(model.m_cap, np.bincount(model.mi, minlength=model.n_m))
    ce = np.minimum(model.e_cap, np.bincount(model.ei, minlength=model.n_e))
    base = float(cm @ u + ce @ v) + const
    # (a) pay each positive reduced cost once
    d_a = base + float(np.maximum(rc, 0).sum())
    # (b) raise each mentor's (or each mentee's) potential by its largest reduced cost
    up_m = np.zeros(model.n_m)
    up_e = np.zeros(model.n_e)
    np.maximum.at(up_m, model.mi, rc)
    np.maximum.at(up_e, model.ei, rc)
    if float(cm @ up_m) <= float(ce @ up_e):
        d_b, rc_b = base + float(cm @ up_m), rc - up_m[model.mi]
    else:
        d_b, rc_b = base + float(ce @ up_e), rc - up_e[model.ei]
    return (rc, d_a) if d_a <= d_b else (rc_b, d_b)


@dataclass
class _Master:
    x: np.ndarray
    lam: np.ndarray
    u: np.ndarray
    v: np.ndarray
    value: float
    slack: float


def _master(model: GoalModel, core: np.ndarray, weights, penalty: float, time_limit: float):
    """The LP on the ``core`` edges (see the module docstring); ``None`` if HiGHS stops
    without an optimum."""
    g, h, b, t, owner = model.ge_rows
    n_x, n_y, n_r = len(core), h.shape[1], len(b)
    elastic = np.flatnonzero(owner >= 0)
    n_s = len(elastic)
    cols = np.arange(n_x)
    cap_m = sp.csr_matrix((np.ones(n_x), (model.mi[core], cols)), shape=(model.n_m, n_x))
    cap_e = sp.csr_matrix((np.ones(n_x), (model.ei[core], cols)), shape=(model.n_e, n_x))
    slack = sp.csr_matrix((np.ones(n_s), (elastic, np.arange(n_s))), shape=(n_r, n_s))

    def zeros(r, c):
        return sp.csr_matrix((r, c))

    # variables: x (core), y (indicators), p (number of pairs), s (slacks)
    a_ub = sp.vstack(
        [
            sp.hstack([cap_m, zeros(model.n_m, n_y + 1 + n_s)]),
            sp.hstack([cap_e, zeros(model.n_e, n_y + 1 + n_s)]),
            sp.hstack([-g[:, core], -h, -sp.csr_matrix(t.reshape(-1, 1)), -slack]),
        ],
        format="csr",
    )
    b_ub = np.concatenate([model.m_cap, model.e_cap, -b]).astype(float)
    a_eq = sp.hstack(
        [sp.csr_matrix(np.ones((1, n_x))), zeros(1, n_y), sp.csr_matrix([[-1.0]]), zeros(1, n_s)],
        format="csr",
    )
    cost = -np.concatenate([weights[core], np.zeros(n_y + 1), np.full(n_s, -penalty)])
    upper = np.concatenate([np.ones(n_x + n_y), np.full(1 + n_s, np.inf)])
    out = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=[0.0],
        bounds=np.column_stack([np.zeros(len(cost)), upper]),
        method="highs",
        options={"time_limit": max(float(time_limit), 0.01)},
    )
    if out.status != 0:
        return None
    duals = -out.ineqlin.marginals
    n_m, n_e = model.n_m, model.n_e
    return _Master(
        x=out.x[:n_x],
        lam=np.maximum(duals[n_m + n_e :], 0.0),
        u=np.maximum(duals[:n_m], 0.0),
        v=np.maximum(duals[n_m : n_m + n_e], 0.0),
        value=-float(out.fun),
        slack=float(out.x[n_x + n_y + 1 :].sum()),
    )


def relax(
    model: GoalModel,
    deadline: float,
    *,
    extra: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    penalty: float | None = None,
    max_rounds: int = 30,
) -> Relaxation | None:
    """Column generation (see the module docstring) until ``deadline``
    (``time.perf_counter()``); ``extra``: edges to put in the first core. ``None`` if not even
    the first master was solved in time.

    The slack price starts at ten times the largest weight (a large price slows HiGHS down
    severalfold) and is raised a hundredfold, up to more than the whole objective, while the
    converged master still needs slack."""
    w = model.weights if weights is None else weights
    top = float(np.abs(w).max(initial=0.0))
    ceiling = 10.0 * (max(model.k_max, 1) * top + 1.0)  # more than any row is worth
    price = min(10.0 * (top + 1.0), ceiling) if penalty is None else penalty
    ceiling = max(ceiling, price)
    first = top_per_participant(model, w, _CORE_K)
    if extra is not None:
        first |= extra
    core = np.flatnonzero(first)
    best: Relaxation | None = None
    last = -np.inf
    stalled = 0
    for rounds in range(1, max_rounds + 1):
        m = _master(model, core, w, price, deadline - time.perf_counter())
        if m is None:
            break
        rc, const = reduced_costs(model, m.lam, m.u, m.v, weights)
        rc_fix, bound = dual_value(model, rc, const, m.u, m.v)
        if best is None or bound < best.bound:
            best = Relaxation(core, m.x, m.value, bound, rc_fix, m.slack, rounds, m.lam)
        # the latest master's solution (the bound is the best one seen)
        best.core, best.x, best.value, best.slack, best.rounds = core, m.x, m.value, m.slack, rounds
        if time.perf_counter() > deadline:
            break
        score = abs(m.value - model.bonus * float(m.x.sum())) if weights is None else 0.0
        stalled = stalled + 1 if m.value <= last + 1e-9 * max(1.0, abs(m.value)) else 0
        last = m.value
        pos = rc > 1e-9 * max(1.0, top)
        new = top_per_participant(model, np.where(pos, rc, -np.inf), _CORE_K) & pos
        new[core] = False
        # converged: the bound meets the LP, no pair prices in, or the LP stopped moving
        # (what is left is dual degeneracy)
        if best.bound - m.value <= 1e-7 * max(1.0, score) or not new.any() or stalled:
            if m.slack <= 1e-7 or price >= ceiling:
                break
            price, last, stalled = min(price * 100.0, ceiling), -np.inf, 0
            continue
        core = np.union1d(core, np.flatnonzero(new))
    return best


def prove_infeasible(model: GoalModel, deadline: float) -> bool:
    """``True`` when no assignment meets the goal rows (the phase-one bound is negative)."""
    r = relax(model, deadline, weights=np.zeros(model.n_edges), penalty=1.0)
    return r is not None and r.bound < -1e-7


def round_lp(model: GoalModel, relaxation: Relaxation, *, time_limit: float) -> np.ndarray | None:
    """An answer meeting every goal near the LP optimum: the pairs at 1 are fixed and HiGHS
    solves the rest on the core pairs between participants with room left. Returns an edge
    mask of ``model``, or ``None`` if none was found."""
    candidates = np.zeros(model.n_edges, dtype=bool)
    candidates[relaxation.core] = True
    fixed = np.zeros(model.n_edges, dtype=bool)
    fixed[relaxation.core[relaxation.x > 1.0 - 1e-6]] = True
    return _complete(model, candidates, fixed, time_limit)


def improve(
    model: GoalModel,
    x: np.ndarray,
    candidates: np.ndarray,
    deadline: float,
    rng: np.random.Generator,
    *,
    share: float = 0.25,
    stop=None,
) -> tuple[np.ndarray, int]:
    """Large-neighbourhood search: free the pairs of a random ``share`` of the mentors in
    ``x``, keep the rest, and let HiGHS re-solve the freed part on the ``candidates`` pairs;
    keep any better answer. Runs until ``deadline`` or until ``stop(answer)`` is true;
    returns the best answer and the rounds."""
    best, value = x, float(model.weights[x].sum())
    rounds = 0
    while time.perf_counter() < deadline - 0.05 and not (stop and stop(best)):
        rounds += 1
        mentors = np.unique(model.mi[best])
        if len(mentors) == 0:
            break
        free = rng.choice(mentors, size=max(1, int(share * len(mentors))), replace=False)
        fixed = best & ~np.isin(model.mi, free)
        trial = _complete(model, candidates, fixed, min(2.0, deadline - time.perf_counter()))
        if trial is not None and float(model.weights[trial].sum()) > value + 1e-12:
            best, value = trial, float(model.weights[trial].sum())
    return best, rounds


def _complete(model, candidates, fixed, time_limit) -> np.ndarray | None:
    """The best completion of the ``fixed`` pairs by ``candidates`` pairs between
    participants with room left (HiGHS), or ``None``."""
    room_m = model.m_cap - np.bincount(model.mi[fixed], minlength=model.n_m)
    room_e = model.e_cap - np.bincount(model.ei[fixed], minlength=model.n_e)
    keep = fixed | (candidates & (room_m[model.mi] > 0) & (room_e[model.ei] > 0))
    res = cpsat.solve_milp(model.with_edges(keep), time_limit=time_limit, fixed=fixed[keep])
    if res.x is None:
        return None
    out = np.zeros(model.n_edges, dtype=bool)
    out[np.flatnonzero(keep)[res.x]] = True
    return out
