"""Exact assignment with capacities as a min-cost flow (OR-tools ``SimpleMinCostFlow``).

Network: source → mentor (capacity = mentor capacity) → mentee (capacity 1, one arc per
candidate pair, cost = -score scaled to an integer) → sink (capacity = mentee capacity).

- ``max_matched``: ``solve_max_flow_with_min_cost`` — the most pairs, then the best total.
- ``max_score``: a zero-cost bypass arc source → sink lets any amount of flow skip the pairs;
  a fixed supply of ``k_max`` units then routes through the pairs exactly where it pays.

Min-cost flow needs integer costs, so scores are scaled by ``S`` and rounded. ``S`` is chosen
so that no cost sum can overflow 64 bits and is checked against the solver's own range test.
With ``r`` the rounded scores, every assignment ``x`` has ``score(x) ≤ r(x)/S + k_max·e``
(``e`` the largest rounding-down error), and the flow maximises ``r``; so
``r(x*)/S + k_max·e`` is a proven bound, reported with the gap it implies (≈ 1e-12 relative
at n = 1 000).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import SolverError
from ._problem import ArrayProblem
from .registry import Needs, Solution

_INT_BUDGET = float(1 << 60)  # below 2^63 with room for the solver's own sums
_FLOAT_EXACT = float(1 << 52)  # beyond this, s·S would lose the fraction being rounded


def flow_scale(s: np.ndarray, n_nodes: int, k_max: int) -> float:
    """The factor :func:`flow_on_edges` first scales the scores ``s`` by before rounding them
    to integer costs (it divides it by 16 while the solver finds the range too wide)."""
    top = float(np.abs(s).max()) if len(s) else 0.0
    top = top or 1.0
    # The solver checks that every cost times (nodes + 1) fits; the total must fit too.
    scale = min(_FLOAT_EXACT / top, _INT_BUDGET / (top * (max(n_nodes, k_max) + 1)))
    return min(scale, 1e270)  # tiny scores (1e-300) made it inf; the bound counts rounding


def power_of_two_scale(s: np.ndarray, n_nodes: int, budget: float = _INT_BUDGET) -> float:
    """A power of two ``S`` with ``|s|·S·(n_nodes + 1)`` within ``budget``: integer (and
    dyadic) scores stay exact, and sums of ``n_nodes + 1`` rounded scores stay below it.

    Examples
    --------
    >>> power_of_two_scale(np.array([3.0, -1.0]), 6, budget=2.0**20)
    32768.0
    """
    top = float(np.abs(s).max()) if len(s) else 0.0
    top = top or 1.0
    exponent = math.floor(math.log2(budget) - math.log2(top) - math.log2(n_nodes + 1))
    return float(2.0 ** min(exponent, 900))  # tiny scores: a finite scale all the same


def flow_on_edges(
    n_m: int,
    n_e: int,
    mi: np.ndarray,
    ei: np.ndarray,
    s: np.ndarray,
    mentor_capacity: np.ndarray,
    mentee_capacity: np.ndarray,
    policy: str,
    k_max: int,
) -> tuple[np.ndarray, np.ndarray, float, str]:
    """Solve the flow over an edge list; returns (used mask, rounded scores, scale, message)."""
    source, sink = n_m + n_e, n_m + n_e + 1
    scale = flow_scale(s, n_m + n_e + 2, k_max)
    m_nodes = np.arange(n_m)
    e_nodes = n_m + np.arange(n_e)
    for _ in range(16):
        rounded = np.rint(s * scale)
        costs = -rounded.astype(np.int64)
        from ortools.graph.python import min_cost_flow  # imported on first use

        f = min_cost_flow.SimpleMinCostFlow()
        pair_arcs = f.add_arcs_with_capacity_and_unit_cost(
            mi, n_m + ei, np.ones(len(mi), dtype=np.int64), costs
        )
        f.add_arcs_with_capacity_and_unit_cost(
            np.full(n_m, source), m_nodes, mentor_capacity, np.zeros(n_m, dtype=np.int64)
        )
        f.add_arcs_with_capacity_and_unit_cost(
            e_nodes, np.full(n_e, sink), mentee_capacity, np.zeros(n_e, dtype=np.int64)
        )
        f.set_node_supply(source, k_max)
        f.set_node_supply(sink, -k_max)
        if policy == "max_matched":
            status = f.solve_max_flow_with_min_cost()
        else:
            f.add_arc_with_capacity_and_unit_cost(source, sink, k_max, 0)
            status = f.solve()
        if status != f.BAD_COST_RANGE:
            break
        scale /= 16.0
    if status != f.OPTIMAL:
        raise SolverError(
            f"OR-tools min-cost flow ended with status {status!r}.",
            method="flow",
            raw_status=status,
        )
    used = f.flows(pair_arcs) > 0
    return used, rounded, scale, f"OR-tools min-cost flow: {status.name} (score scale {scale:.3g})"


#: One-to-one edge lists under ``max_matched`` with at most this many people in all (both
#: sides) are solved by :func:`lap_on_edges` in the sparse path's rounds (about 1 250 per
#: side). LAPJVsp is faster on the first round's graph (1 000 per side: 27 ms against
#: OR-tools' 59 ms on 67 562 edges; 2 000: 95 ms against 135 ms on 133 414) and needs no
#: OR-tools import (45 ms), but slower on the later rounds' sparser graphs (10 ms against
#: 7 ms on 7 782 edges; 37 ms against 21 ms on 18 287). ``match`` end to end on
#: ``peers.py``'s cohorts, medians of 7 fresh processes interleaved (2 cores): 0.216 s
#: against 0.245 s at 1 000 per side, level at 1 250 (0.301 / 0.300 s), slower at 1 500
#: (0.375 / 0.322 s) and 2 000 (0.575 / 0.530 s).
LAP_MOST_NODES = 2500


def lap_on_edges(
    n_m: int, n_e: int, mi: np.ndarray, ei: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float, str] | None:
    """One-to-one under ``max_matched`` by scipy's LAPJVsp; returns what
    :func:`flow_on_edges` returns, or ``None`` when no matching covers a whole side of the
    people with an edge (or an edge is listed twice): the flow then finds the most pairs.

    The scores are rounded at a power-of-two scale ``S`` small enough that every sum of
    ``n_m + n_e + 1`` costs is an integer below 2⁵³, so LAPJVsp's float arithmetic is
    exact and its answer is optimal for the rounded scores ``rint(s·S)`` — the residual
    network's potentials then settle, as they do after the flow. ``S`` is about 2¹⁰ times
    coarser than the flow's at 1 000 per side (the certificate's slack, which counts the
    rounding, was 6.5e-13 there against 4.8e-16; the optimality tolerance is 1e-9).

    Examples
    --------
    >>> import numpy as np
    >>> mi, ei = np.array([0, 0, 1]), np.array([0, 1, 0])
    >>> used, rounded, scale, message = lap_on_edges(2, 2, mi, ei, np.array([3.0, 1.0, 2.0]))
    >>> used.tolist()
    [False, True, True]
    """
    import scipy.sparse as sp
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    if len(mi) == 0:
        return None
    rows, r_at = np.unique(mi, return_inverse=True)
    cols, c_at = np.unique(ei, return_inverse=True)
    keys = r_at.astype(np.int64) * len(cols) + c_at
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    if (keys[1:] == keys[:-1]).any():
        return None
    scale = power_of_two_scale(s, n_m + n_e + 2, budget=2.0**50)
    rounded = np.rint(s * scale)
    cost = 1.0 + (float(rounded.max()) - rounded)  # positive: a stored 0 reads as no edge
    # keys sorted by row, then column: a CSR matrix as it stands
    indptr = np.searchsorted(keys // len(cols), np.arange(len(rows) + 1))
    graph = sp.csr_array((cost[order], keys % len(cols), indptr), shape=(len(rows), len(cols)))
    try:
        got_r, got_c = min_weight_full_bipartite_matching(graph)
    except ValueError:  # no matching of a whole side
        return None
    at = np.searchsorted(keys, np.asarray(got_r, np.int64) * len(cols) + got_c)
    used = np.zeros(len(mi), dtype=bool)
    used[order[at]] = True
    return used, rounded, scale, f"scipy LAPJVsp: optimal (score scale {scale:.3g})"


class FlowBackend:
    name = "flow"

    def unsupported(self, needs: Needs) -> str | None:
        return None

    def declines(self, needs: Needs) -> str | None:
        return None

    def solve(self, problem: ArrayProblem) -> Solution:
        n_m, n_e = problem.shape
        cand = problem.candidates()
        mi, ei = np.nonzero(cand)
        k_max = problem.max_pairs()
        if len(mi) == 0 or k_max == 0:
            return Solution(
                np.empty((0, 2), dtype=np.int64), 0.0, "min-cost flow: nothing to assign"
            )
        s = problem.scores[mi, ei]
        used, rounded, scale, message = flow_on_edges(
            n_m,
            n_e,
            mi,
            ei,
            s,
            problem.mentor_capacity,
            problem.mentee_capacity,
            problem.policy,
            k_max,
        )
        pairs = np.column_stack((mi[used], ei[used])).astype(np.int64)
        worst = max(float((s - rounded / scale).max()), 0.0)
        slack = max(0.0, rounded[used].sum() / scale + k_max * worst - float(s[used].sum()))
        return Solution(pairs, slack, message)


backend = FlowBackend()
