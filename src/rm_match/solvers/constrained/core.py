"""Goal models too large for the LP pipeline's simplex (a core of several hundred thousand
pairs at 20 000 per side): the goal rows' multipliers from one interior-point LP on a set of
columns, and an answer by raising the multipliers of the rows an assignment breaks.

Measured on the core of the three-goal benchmark at 20 000 per side (470 000 pairs, 30
rows): GLOP's primal simplex (:mod:`.lp`) had not solved the first master of 109 000
columns after 200 s; HiGHS's interior point solved it in 62 s (crossover included), an
assignment on the 470 000 pairs takes 2.4 s (:func:`~..edges.solve_edges`), and Kelley's
cutting planes (:func:`.lagrangian.dual`) moved the bound by under 0.01 % in 8 iterations
(69 s). The LP's multipliers are then what :mod:`rm_match.sparse_goals` prices over every
pair.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from ..edges import solve_edges
from .model import GoalModel

__all__ = ["answer_at", "multipliers", "repair"]

#: The step by which :func:`repair` first raises a broken row's multiplier, as a share of
#: the largest multiplier (or of the score span when every one is 0).
REPAIR_STEP = 0.05


def multipliers(
    model: GoalModel, columns: np.ndarray, *, count: int | None, time_limit: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """The goal rows' multipliers (on :attr:`~.model.GoalModel.ge_rows`, ≥ 0) and the value
    of each column at a vertex optimum of the LP relaxation on the edges ``columns``:
    capacities, the goal rows with an elastic slack each (priced at a hundred times the
    largest score, so the LP is always feasible and a multiplier at that price says the row
    cannot hold on these columns), and under ``max_matched`` at least ``count`` pairs.
    Scores, not the coverage bonus, are the objective. ``None`` when HiGHS stops without an
    optimum within ``time_limit`` seconds.

    Examples
    --------
    >>> from rm_match.solvers.constrained.model import Row, build_model
    >>> mi, ei = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    >>> row = Row(0, np.array([1, 2]), np.array([1, 1]), np.array([], int), np.array([], int),
    ...           1, None)  # at least one cross pair: (0, 1) or (1, 0)
    >>> m = build_model(2, 2, mi, ei, np.array([1.0, 0.5, 0.5, 1.0]), np.ones(2, int),
    ...                 np.ones(2, int), "max_score", (row,), (), ("cross",))
    >>> lam, x = multipliers(m, np.arange(4), count=None, time_limit=10)
    >>> lam.round(6).tolist(), x.round(6).tolist()
    ([0.5], [0.5, 0.5, 0.5, 0.5])
    """
    from scipy.optimize import linprog

    g, h, b, t, owner = model.ge_rows
    if h.shape[1]:
        raise ValueError("multipliers: the model has indicator rows")
    columns = np.asarray(columns, dtype=np.int64)
    n = len(columns)
    s = model.scores[columns]
    n_rows = len(b)
    price = 100.0 * (1.0 + float(np.abs(model.scores).max(initial=0.0)))
    ones = np.ones(n)
    a_m = sp.csr_array((ones, (model.mi[columns], np.arange(n))), shape=(model.n_m, n))
    a_e = sp.csr_array((ones, (model.ei[columns], np.arange(n))), shape=(model.n_e, n))
    # G x + t·Σx + z ≥ b, written as −G x − t·Σx − z ≤ −b; the slacks z are the last columns
    # the share rows' coefficient on the number of pairs, on the rows that have one only
    rows = sp.csr_array(g[:, columns]) + sp.csr_array(t[:, None]) @ sp.csr_array(ones[None, :])
    blocks = [
        [a_m, sp.csr_array((model.n_m, n_rows))],
        [a_e, sp.csr_array((model.n_e, n_rows))],
        [-rows, -sp.identity(n_rows, format="csr")],
    ]
    b_ub = [model.m_cap, model.e_cap, -b]
    if count is not None:
        blocks.append([sp.csr_array(-ones[None, :]), sp.csr_array((1, n_rows))])
        b_ub.append(np.array([-float(count)]))
    a_ub = sp.block_array(blocks, format="csr")
    cost = np.concatenate((-s, np.full(n_rows, price)))
    bounds = np.column_stack(
        (np.zeros(n + n_rows), np.concatenate((np.ones(n), np.full(n_rows, np.inf))))
    )
    out = linprog(
        cost,
        A_ub=a_ub,
        b_ub=np.concatenate(b_ub).astype(float),
        bounds=bounds,
        method="highs-ipm",
        options={"time_limit": max(float(time_limit), 1.0)},
    )
    if out.status != 0:
        return None
    duals = -np.asarray(out.ineqlin.marginals)[model.n_m + model.n_e :][:n_rows]
    lam = np.maximum(duals, 0.0)
    lam[owner < 0] = 0.0  # indicator links (none here)
    return lam, np.asarray(out.x[:n])


def answer_at(model: GoalModel, lam: np.ndarray) -> np.ndarray:
    """The best assignment on the model's edges for the scores plus the rows' multipliers
    ``λ`` (under ``max_matched``: among those with the most pairs), as an edge mask."""
    g, _, _, t, _ = model.ge_rows
    w = model.scores + g.T @ lam + float(t @ lam)
    a = solve_edges(
        model.n_m, model.n_e, model.mi, model.ei, w, model.m_cap, model.e_cap, model.policy
    )
    x = np.zeros(model.n_edges, dtype=bool)
    x[model.edges_of(a.pairs[:, 0], a.pairs[:, 1])] = True
    return x


def repair(
    model: GoalModel, lam: np.ndarray, *, deadline: float, tries: int = 16
) -> tuple[np.ndarray | None, int]:
    """An answer meeting every goal row: the assignment at ``λ`` (:func:`answer_at`), each
    broken row's multiplier raised by a step that starts at :data:`REPAIR_STEP` of the
    largest multiplier and doubles while the row stays broken, so the answer gives up
    little more than it must. (Many rows that trade pairs — a tight
    :class:`~rm_match.goals.Spread` — can make it go round: :func:`.lp.round_columns` on
    the LP's own answer comes first.) Returns the answer (``None`` if none within ``tries``
    assignments or by ``deadline``, a ``time.perf_counter()`` time) and the assignments
    made."""
    g, _, b, t, _ = model.ge_rows
    lam = np.array(lam, dtype=float)
    top = float(lam.max(initial=0.0))
    if top <= 0:
        top = max(float(np.ptp(model.scores)) if model.n_edges else 1.0, 1e-9)
    step = np.full(len(lam), REPAIR_STEP * top)
    for k in range(1, tries + 1):
        x = answer_at(model, lam)
        if model.feasible(x):
            return x, k
        sub = g @ x.astype(float) + t * float(x.sum()) - b
        bad = sub < -1e-9
        if not bad.any() or time.perf_counter() > deadline:
            return None, k
        lam[bad] += step[bad]
        step[bad] *= 2.0
    return None, tries
