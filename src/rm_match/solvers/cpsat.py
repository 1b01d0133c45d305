"""OR-tools CP-SAT and HiGHS (``scipy.optimize.milp``) on a :class:`GoalModel`.

CP-SAT needs integer objective coefficients: weights are scaled by ``S`` and rounded, and a
bound from CP-SAT is turned back into a bound on the true weights by adding the largest
rounding error per pair times the most pairs (as for the flow backend).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.sat.python import cp_model
from scipy.optimize import Bounds, LinearConstraint, milp

from .goal_model import GoalModel, by_participant

_COEF_BUDGET = float(1 << 36)  # largest scaled weight
_SUM_BUDGET = float(1 << 60)  # largest sum of |scaled weights| over all pairs


@dataclass
class CpResult:
    x: np.ndarray | None  # best edge vector found, or None
    value: float  # its true weight (−inf if none)
    bound: float  # proven bound on the true weight over this model (inf if none)
    status: str  # CP-SAT status name
    wall_time: float


def _scale(w: np.ndarray) -> float:
    top = float(np.abs(w).max()) if len(w) else 1.0
    total = float(np.abs(w).sum()) if len(w) else 1.0
    return min(_COEF_BUDGET / max(top, 1e-12), _SUM_BUDGET / max(total, 1e-12))


def build(model: GoalModel, *, goal_literals: bool = False):
    """The CP-SAT model; returns (cp model, x vars, goal literals or None, scaled weights, S)."""
    cp = cp_model.CpModel()
    n = model.n_edges
    x = [cp.NewBoolVar("") for _ in range(n)]
    for side, cap in ((model.mi, model.m_cap), (model.ei, model.e_cap)):
        order, bounds = by_participant(side, len(cap))
        for p in np.flatnonzero(np.diff(bounds) > cap):
            cp.Add(sum(x[e] for e in order[bounds[p] : bounds[p + 1]].tolist()) <= int(cap[p]))
    y = []
    for s in model.indicators:
        v = cp.NewBoolVar("")
        if len(s):
            cp.AddMaxEquality(v, [x[e] for e in s.tolist()])
        else:
            cp.Add(v == 0)
        y.append(v)
    lits = [cp.NewBoolVar("") for _ in model.goal_names] if goal_literals else None
    n_pairs = None
    if any(r.total for r in model.rows):
        n_pairs = cp.NewIntVar(0, n, "pairs")
        cp.Add(n_pairs == sum(x))
    for r in model.rows:
        extra = [n_pairs] if r.total else []
        expr = cp_model.LinearExpr.WeightedSum(
            [x[e] for e in r.x_idx.tolist()] + [y[k] for k in r.y_idx.tolist()] + extra,
            [int(a) for a in r.x_val.tolist()]
            + [int(c) for c in r.y_val.tolist()]
            + ([int(r.total)] if r.total else []),
        )
        for ct in ([cp.Add(expr >= r.lo)] if r.lo is not None else []) + (
            [cp.Add(expr <= r.hi)] if r.hi is not None else []
        ):
            if lits is not None:
                ct.OnlyEnforceIf(lits[r.goal])
    scale = _scale(model.weights)
    scaled = np.rint(model.weights * scale).astype(np.int64)
    cp.Maximize(cp_model.LinearExpr.WeightedSum(x, scaled.tolist()))
    return cp, x, lits, scaled, scale


def _solver(time_limit: float, seed: int, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(float(time_limit), 0.01)
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = int(workers)
    return solver


def solve(
    model: GoalModel,
    *,
    time_limit: float,
    seed: int,
    workers: int = 1,
    gap: float = 0.0,
) -> CpResult:
    """Maximise the model's weight with CP-SAT (``gap``: relative gap to stop at)."""
    cp, x, _, scaled, scale = build(model)
    solver = _solver(time_limit, seed, workers)
    if gap > 0:
        solver.parameters.relative_gap_limit = float(gap)
    status = solver.Solve(cp)
    name = solver.StatusName(status)
    err = max(float((model.weights - scaled / scale).max(initial=0.0)), 0.0)
    slack = model.k_max * err
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        xs = np.array([solver.BooleanValue(v) for v in x], dtype=bool)
        bound = solver.BestObjectiveBound() / scale + slack
        return CpResult(xs, float(model.weights[xs].sum()), bound, name, solver.WallTime())
    bound = -np.inf if status == cp_model.INFEASIBLE else np.inf
    return CpResult(None, -np.inf, bound, name, solver.WallTime())


def goal_core(model: GoalModel, *, time_limit: float, seed: int) -> list[int] | None:
    """A small set of goals that cannot hold together (indices into ``model.goal_names``),
    found with CP-SAT assumptions and shrunk by deletion; ``None`` if the goals are
    satisfiable or CP-SAT cannot tell within ``time_limit``."""
    cp, _, lits, _, _ = build(model, goal_literals=True)
    cp.ClearObjective()

    def infeasible(goals: list[int]) -> tuple[bool, list[int]]:
        cp.ClearAssumptions()
        cp.AddAssumptions([lits[g] for g in goals])
        solver = _solver(time_limit, seed, 1)
        status = solver.Solve(cp)
        if status != cp_model.INFEASIBLE:
            return False, []
        core = solver.SufficientAssumptionsForInfeasibility()
        index = {lits[g].Index(): g for g in goals}
        return True, sorted(index[i] for i in core if i in index) or goals

    ok, core = infeasible(list(range(len(model.goal_names))))
    if not ok:
        return None
    for g in list(core):
        trial = [h for h in core if h != g]
        if trial and infeasible(trial)[0]:
            core = trial
    return core


def solve_milp(
    model: GoalModel,
    *,
    time_limit: float,
    fixed: np.ndarray | None = None,
    min_pairs: int | None = None,
    gap: float = 1e-9,
) -> CpResult:
    """The same model with HiGHS through :func:`scipy.optimize.milp`: variables ``x``, ``y``
    and the number of pairs ``p = Σx``; capacities, exact ``y = OR(x)`` links, rows.
    ``fixed``: edges forced in; ``min_pairs``: at least that many pairs, scores alone maximised
    (once that many is proven the most possible: a finer objective scale); ``gap``: HiGHS's
    relative gap to stop at. The bound is always on the model's weight."""
    n, k = model.n_edges, len(model.indicators)
    n_var = n + k + 1
    a, c, lo, hi = model.matrices
    tot = sp.csr_matrix(model.totals.reshape(-1, 1))
    rows = [sp.hstack([a, c, tot], format="csr")]
    lbs, ubs = [lo], [hi]
    count = sp.hstack(
        [sp.csr_matrix(np.ones((1, n))), sp.csr_matrix((1, k)), sp.csr_matrix([[-1.0]])],
        format="csr",
    )
    rows.append(count)
    lbs.append(np.zeros(1))
    ubs.append(np.zeros(1))
    for side, cap in ((model.mi, model.m_cap), (model.ei, model.e_cap)):
        inc = sp.csr_matrix((np.ones(n), (side, np.arange(n))), shape=(len(cap), n_var))
        rows.append(inc)
        lbs.append(np.full(len(cap), -np.inf))
        ubs.append(cap.astype(float))
    if k:
        lmat, _ = model.link
        eye = sp.identity(k, format="csr")
        # y ≤ Σ_S x  and  x_e ≤ y for each e in S
        rows.append(sp.hstack([lmat, -eye, sp.csr_matrix((k, 1))], format="csr"))
        lbs.append(np.zeros(k))
        ubs.append(np.full(k, np.inf))
        set_of = np.concatenate([np.full(len(s), j) for j, s in enumerate(model.indicators)])
        members = np.concatenate(model.indicators)
        m = len(members)
        link = sp.csr_matrix(
            (
                np.concatenate([np.ones(m), -np.ones(m)]),
                (np.r_[np.arange(m), np.arange(m)], np.r_[members, n + set_of]),
            ),
            shape=(m, n_var),
        )
        rows.append(link)
        lbs.append(np.full(m, -np.inf))
        ubs.append(np.zeros(m))
    w = model.weights
    lower = np.zeros(n_var)
    if fixed is not None:
        lower[:n] = fixed
    if min_pairs is not None:
        lower[-1] = int(min_pairs)
        w = model.scores
    out = milp(
        -np.concatenate([w, np.zeros(k + 1)]),
        constraints=LinearConstraint(
            sp.vstack(rows, format="csr"), np.concatenate(lbs), np.concatenate(ubs)
        ),
        integrality=np.ones(n_var),
        bounds=Bounds(lower, np.concatenate([np.ones(n + k), [n]])),
        options={"time_limit": max(float(time_limit), 0.01), "disp": False, "mip_rel_gap": gap},
    )
    if out.x is None:
        status = "INFEASIBLE" if out.status == 2 else f"NO_SOLUTION({out.status})"
        return CpResult(None, -np.inf, -np.inf if out.status == 2 else np.inf, status, 0.0)
    xs = out.x[:n] > 0.5
    # with min_pairs (proven the most), every better answer has exactly that many pairs
    shift = 0.0 if min_pairs is None else model.bonus * int(min_pairs)
    bound = np.inf
    if out.mip_dual_bound is not None and np.isfinite(out.mip_dual_bound):
        bound = -float(out.mip_dual_bound) + shift
    status = "OPTIMAL" if out.status == 0 else "FEASIBLE"
    return CpResult(xs, float(model.weights[xs].sum()), bound, status, 0.0)
