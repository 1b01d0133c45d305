"""HiGHS (through :func:`scipy.optimize.milp`) on a :class:`~.model.GoalModel`: the exact
integer solver behind rounding, reduced-cost fixing, the neighbourhood search and
``method="milp"``."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from .model import GoalModel, MipResult

__all__ = ["solve_milp"]


def solve_milp(
    model: GoalModel,
    *,
    time_limit: float,
    fixed: np.ndarray | None = None,
    min_pairs: int | None = None,
    gap: float = 1e-9,
) -> MipResult:
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
        return MipResult(None, -np.inf, -np.inf if out.status == 2 else np.inf, status, 0.0)
    xs = out.x[:n] > 0.5
    # with min_pairs (proven the most), every better answer has exactly that many pairs
    shift = 0.0 if min_pairs is None else model.bonus * int(min_pairs)
    bound = np.inf
    if out.mip_dual_bound is not None and np.isfinite(out.mip_dual_bound):
        bound = -float(out.mip_dual_bound) + shift
    status = "OPTIMAL" if out.status == 0 else "FEASIBLE"
    return MipResult(xs, float(model.weights[xs].sum()), bound, status, 0.0)
