"""Sparse inputs: the allowed pairs and their scores as a ``scipy.sparse`` matrix, solved on
the pairs given — no n × n matrix, no screening.

:func:`rm_match.assign` hands a sparse ``scores`` here: every *stored* entry (explicit zeros
included) is an allowed pair with that score, every other pair is forbidden — the
convention of :func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching`. The edge
list form is ``scipy.sparse.coo_array((scores, (rows, cols)), shape=(n_mentors,
n_mentees))``.

**Solve.** One-to-one under ``max_matched``: scipy's LAPJVsp
(:func:`~scipy.sparse.csgraph.min_weight_full_bipartite_matching`, on ``1 + max − score``
so every cost is positive) when a matching of every mentor or every mentee exists; else, and
for capacities or ``max_score``, the OR-tools min-cost flow on the edges
(:func:`~rm_match.solvers.flow.flow_on_edges`).

**Certificate.** As on the sparse path (:mod:`.sparse.certificate`): potentials from
shortest paths in the residual network of the answer, a König cover for ``max_matched``,
and the weak-duality slack ``bound − objective`` evaluated exactly over every given pair
(the pairs not given are forbidden, so nothing outside is priced). A LAPJVsp answer whose
potentials do not settle within :data:`LAPJVSP_PASSES` passes (ties broken differently
after the scores are made integers), or whose slack is not within the optimality tolerance,
is solved again by the flow. On OR-Library's assignp3000 / assignp5000 (about 100 000 pairs
each) this met scipy's own time within 2× (``benchmarks/sparse_inputs.py``).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..results import OPTIMALITY_TOL, Assignment
from ._problem import MAX_SCORE, max_pairs, score_range_error
from .flow import flow_on_edges, power_of_two_scale
from .sparse.certificate import _certificate, _potentials, _slack

__all__ = ["LAPJVSP_PASSES", "edges_of", "is_sparse", "solve_edges"]

#: Label-correcting passes the potentials of a LAPJVsp answer may take before the answer is
#: solved again by the flow (they take a few hundred when the answer is optimal for the
#: integer scores; a tie broken the other way never settles).
LAPJVSP_PASSES = 2000


def is_sparse(value: object) -> bool:
    """Whether ``value`` is a ``scipy.sparse`` matrix or array."""
    import scipy.sparse as sp

    return bool(sp.issparse(value))


def edges_of(scores: Any) -> tuple[int, int, np.ndarray, np.ndarray, np.ndarray]:
    """``(n_mentors, n_mentees, rows, cols, values)`` of a sparse ``scores``, checked: two
    dimensions, real finite values, no pair stored twice (a named
    :class:`~rm_match.ValidationError` otherwise)."""
    if scores.ndim != 2:
        raise ValidationError(
            f"`scores` must be 2-D (mentors × mentees); got {scores.ndim}-D.", argument="scores"
        )
    coo = scores.tocoo()
    n_m, n_e = (int(x) for x in coo.shape)
    if coo.data.dtype.kind not in "iuf":
        raise ValidationError(
            f"`scores` must hold real numbers; got dtype {coo.data.dtype}.", argument="scores"
        )
    rows = np.asarray(coo.row, dtype=np.int64)
    cols = np.asarray(coo.col, dtype=np.int64)
    vals = np.asarray(coo.data, dtype=np.float64)
    bad = ~np.isfinite(vals)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValidationError(
            f"`scores` must be finite; entry ({rows[k]}, {cols[k]}) is {vals[k]} (leave a "
            "forbidden pair out of the sparse matrix instead).",
            argument="scores",
        )
    huge = np.abs(vals) > MAX_SCORE
    if huge.any():
        k = int(np.flatnonzero(huge)[0])
        raise ValidationError(
            score_range_error(int(rows[k]), int(cols[k]), float(vals[k])), argument="scores"
        )
    keys = rows * max(n_e, 1) + cols
    if len(keys) > 1 and bool((keys[1:] > keys[:-1]).all()):  # CSR order: nothing to sort
        return n_m, n_e, rows, cols, vals
    order = np.argsort(keys, kind="stable")
    twice = np.flatnonzero(np.diff(keys[order]) == 0)
    if len(twice):
        k = int(order[twice[0]])
        raise ValidationError(
            f"`scores` stores pair ({rows[k]}, {cols[k]}) more than once (a COO matrix with "
            "duplicate entries): give each pair once.",
            argument="scores",
        )
    return n_m, n_e, rows[order], cols[order], vals[order]


def solve_edges(
    n_m: int,
    n_e: int,
    mi: np.ndarray,
    ei: np.ndarray,
    s: np.ndarray,
    mentor_capacity: np.ndarray,
    mentee_capacity: np.ndarray,
    policy: str,
    *,
    method: str = "auto",
    start: float | None = None,
) -> Assignment:
    """The best pairs among the edges ``(mi[k], ei[k])`` with scores ``s[k]`` (see the
    module docstring); ``method``: ``"auto"`` (LAPJVsp where it applies, else the flow) or
    ``"flow"``. Capacities are checked by the caller."""
    start = time.perf_counter() if start is None else start
    m_cap = np.asarray(mentor_capacity, dtype=np.int64)
    e_cap = np.asarray(mentee_capacity, dtype=np.int64)
    ok = (m_cap[mi] > 0) & (e_cap[ei] > 0)
    mi, ei, s = mi[ok], ei[ok], s[ok]
    k_max = max_pairs(m_cap, e_cap)
    if len(mi) == 0 or k_max == 0:
        return Assignment.build(
            np.empty((0, 2), dtype=np.int64),
            0.0,
            0.0,
            method="flow",
            policy=policy,
            start=start,
            message="no allowed pair between participants with capacity",
        )
    one_to_one = bool((m_cap <= 1).all() and (e_cap <= 1).all())
    if method == "auto" and one_to_one and policy == "max_matched":
        answer = _lapjvsp(n_m, n_e, mi, ei, s, m_cap, e_cap, start)
        if answer is not None:
            return answer
    used, rounded, scale, message = flow_on_edges(n_m, n_e, mi, ei, s, m_cap, e_cap, policy, k_max)
    slack, passes = _certified(n_m, n_e, mi, ei, s, used, rounded, scale, m_cap, e_cap, policy)
    return _answer(mi, ei, s, used, slack, "flow", policy, start, f"{message}; {passes} passes")


def _lapjvsp(n_m, n_e, mi, ei, s, m_cap, e_cap, start) -> Assignment | None:
    """LAPJVsp's answer with its certificate, or ``None`` (no matching of a whole side, or
    no tight certificate): then the flow solves."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    rows = np.flatnonzero(m_cap > 0)
    cols = np.flatnonzero(e_cap > 0)
    if len(rows) == 0 or len(cols) == 0:
        return None
    # only participants with capacity, renumbered: a matching of the smaller such side
    r_at = np.full(n_m, -1, dtype=np.int64)
    r_at[rows] = np.arange(len(rows))
    c_at = np.full(n_e, -1, dtype=np.int64)
    c_at[cols] = np.arange(len(cols))
    cost = 1.0 + (float(s.max()) - s)  # positive: stored zeros would be read as no edge
    # the edges are sorted by mentor, then mentee: a CSR matrix as it stands
    indptr = np.searchsorted(r_at[mi], np.arange(len(rows) + 1))
    graph = sp.csr_array((cost, c_at[ei], indptr), shape=(len(rows), len(cols)))
    try:
        got_r, got_c = min_weight_full_bipartite_matching(graph)
    except ValueError:  # no matching of a whole side: the flow finds the most pairs
        return None
    keys = mi * max(n_e, 1) + ei  # sorted (edges_of)
    want = rows[got_r] * max(n_e, 1) + cols[got_c]
    at = np.searchsorted(keys, want)
    used = np.zeros(len(mi), dtype=bool)
    used[at] = True
    scale = power_of_two_scale(s, n_m + n_e + 2)
    rounded = np.rint(s * scale)
    slack, passes = _certified(
        n_m, n_e, mi, ei, s, used, rounded, scale, m_cap, e_cap, "max_matched", LAPJVSP_PASSES
    )
    objective = float(s[used].sum())
    if not math.isfinite(slack) or slack > OPTIMALITY_TOL * max(1.0, abs(objective)):
        return None
    message = f"scipy LAPJVsp (min_weight_full_bipartite_matching); {passes} passes"
    return _answer(mi, ei, s, used, slack, "lapjvsp", "max_matched", start, message)


def _certified(
    n_m, n_e, mi, ei, s, used, rounded, scale, m_cap, e_cap, policy, max_passes=20_000
) -> tuple[float, int]:
    """``(bound − objective, passes)``: the weak-duality slack of ``used`` at the residual
    network's potentials (``inf`` without a König cover under ``max_matched``)."""
    d, passes, _ = _potentials(n_m, n_e, mi, ei, rounded, used, m_cap, e_cap, policy, max_passes)
    cert = _certificate(n_m, n_e, mi, ei, s, used, m_cap, e_cap, policy, d / scale)
    slack = _slack(mi, ei, s, used, m_cap, e_cap, cert, policy, np.empty(0))
    if not cert.cover_ok:
        slack = math.inf
    return max(float(slack), 0.0), passes


def _answer(mi, ei, s, used, slack, method, policy, start, message) -> Assignment:
    pairs = np.column_stack((mi[used], ei[used])).astype(np.int64)
    return Assignment.build(
        pairs,
        float(s[used].sum()),
        slack,
        method=method,
        policy=policy,
        start=start,
        message=message,
    )
