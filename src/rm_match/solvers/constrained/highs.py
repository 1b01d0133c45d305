"""HiGHS (through :func:`scipy.optimize.milp`) on a :class:`~.model.GoalModel`: the exact
integer solver behind rounding, reduced-cost fixing, the neighbourhood search and
``method="milp"``.

Under a :class:`~.budget.Budget` a solve costs ``ROOT`` work per nonzero of its matrix for
the root and ``NODE`` per nonzero for every further node (the models it gets are nearly
integral: almost every solve ends at the root). It runs only when the budget affords the
root (or when the caller cannot go on without it), with a node limit for the rest: both
deterministic. Its wall-clock limit is what is left before the deadline; a solve stopped by
it marks the run (:meth:`.Budget.timed`)."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from .budget import Budget
from .model import GoalModel, MipResult

__all__ = ["NODE", "ROOT", "solve_milp"]

#: Work per nonzero of HiGHS's matrix for the root node (LP, cuts, heuristics) ...
ROOT = 1.5e-5
#: ... and for each node after it; plus a fixed cost per solve (scipy, building the model).
NODE = 1.5e-6
CALL = 5.0e-3
_MAX_NODES = 1 << 30
#: Nodes an essential solve gets even with no work left (rounding stopped at the root gave
#: 4 998 pairs of 5 000 at n = 5 000).
_ESSENTIAL_NODES = 200
#: The status of a solve that did not run: its cost was more than the work left.
NOT_RUN = "NOT_RUN(work limit)"


def solve_milp(
    model: GoalModel,
    *,
    time_limit: float | None = None,
    fixed: np.ndarray | None = None,
    min_pairs: int | None = None,
    gap: float = 1e-9,
    budget: Budget | None = None,
    essential: bool = False,
) -> MipResult:
    """The same model with HiGHS through :func:`scipy.optimize.milp`: variables ``x``, ``y``
    and the number of pairs ``p = Σx``; capacities, exact ``y = OR(x)`` links, rows.
    ``fixed``: edges forced in; ``min_pairs``: at least that many pairs, scores alone maximised
    (once that many is proven the most possible: a finer objective scale); ``gap``: HiGHS's
    relative gap to stop at. The bound is always on the model's weight.

    ``budget``: the work (a node limit; no run at all when the root costs more than is left,
    unless ``essential``: the caller has no answer without it) and the wall clock (capped
    further by ``time_limit`` if given). Without one, ``time_limit`` seconds of wall clock.
    A solve that did not run has status :data:`NOT_RUN`, no answer and bound ``inf``."""
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
    matrix = sp.vstack(rows, format="csr")
    options: dict = {"disp": False, "mip_rel_gap": gap}
    node_limit = _MAX_NODES
    nnz = max(int(matrix.nnz), 1)
    root = CALL + ROOT * nnz
    if budget is None:
        limit = 60.0 if time_limit is None else max(float(time_limit), 0.01)
    else:
        if (budget.left() < root and not essential) or budget.expired():
            return MipResult(None, -np.inf, np.inf, NOT_RUN, 0.0)
        spare = (budget.left() - root) / (NODE * nnz)
        if essential:  # the caller has no answer without it: a few nodes whatever the work
            spare = max(spare, _ESSENTIAL_NODES)
        node_limit = int(min(max(spare, 0.0) + 1.0, _MAX_NODES))
        options["node_limit"] = node_limit
        limit = budget.backend_limit(max(budget.left(), root))
        if time_limit is not None:
            limit = min(limit, max(float(time_limit), 0.01))
    options["time_limit"] = limit
    t = time.perf_counter()
    out = milp(
        -np.concatenate([w, np.zeros(k + 1)]),
        constraints=LinearConstraint(matrix, np.concatenate(lbs), np.concatenate(ubs)),
        integrality=np.ones(n_var),
        bounds=Bounds(lower, np.concatenate([np.ones(n + k), [n]])),
        options=options,  # milp pops from it: read node_limit, not options, after
    )
    took = time.perf_counter() - t
    nodes = int(out.mip_node_count or 0)
    timed_out = False
    if budget is not None:
        budget.charge(root + NODE * nnz * max(nodes - 1, 0))
        # status 1: a node or time limit; below the node limit, it was the clock
        if out.status == 1 and nodes < node_limit:
            timed_out = budget.timed(took, limit)
    elif out.status == 1:
        timed_out = took >= 0.97 * limit
    if out.x is None:
        status = "INFEASIBLE" if out.status == 2 else f"NO_SOLUTION({out.status})"
        bound = -np.inf if out.status == 2 else np.inf
        return MipResult(None, -np.inf, bound, status, took, nodes=nodes, timed_out=timed_out)
    xs = out.x[:n] > 0.5
    # with min_pairs (proven the most), every better answer has exactly that many pairs
    shift = 0.0 if min_pairs is None else model.bonus * int(min_pairs)
    bound = np.inf
    if out.mip_dual_bound is not None and np.isfinite(out.mip_dual_bound):
        bound = -float(out.mip_dual_bound) + shift
    status = "OPTIMAL" if out.status == 0 else "FEASIBLE"
    value = float(model.weights[xs].sum())
    return MipResult(xs, value, bound, status, took, nodes=nodes, timed_out=timed_out)
