"""Rotation rounds over arrays: k rounds of pairs, no pair twice, optimal over all rounds.

A programme of ``k`` rounds (speed-mentoring, rotating sessions) in which each participant
meets at most their capacity per round and no pair meets twice is, without cohort goals,
solved exactly in two steps:

1. **Sessions** — one b-matching with degree at most ``k × capacity`` per participant: a
   single min-cost flow (pair arcs have capacity 1, so no pair repeats), under the same
   policies as :func:`rm_match.assign` (``max_matched``: most sessions, then the best total;
   ``max_score``: the best total) and with the same certified bound. Optional per-person
   *lower* bounds on the number of sessions (``min_sessions``) enter the flow as node
   supplies and demands (:func:`rotate_arrays`).
2. **Rounds** — a bipartite edge colouring of the chosen pairs into ``k`` rounds
   (:func:`colour_rounds`; König: a bipartite multigraph of maximum degree ``Δ ≤ k`` has a
   proper ``k``-edge-colouring). Every participant with capacity ``c`` is split into
   ``ceil(degree / k) ≤ c`` copies of degree at most ``k``; the multigraph is padded to a
   ``k``-regular one, which splits into ``k`` perfect matchings.

The colouring keeps every pair, so the joint optimum of step 1 is the optimum of the
``k``-round problem, and its bound certifies it.

Examples
--------
>>> import numpy as np
>>> from rm_match.solvers.rotation import rotate_arrays
>>> scores = np.array([[0.9, 0.2, 0.4], [0.3, 0.8, 0.1], [0.5, 0.6, 0.7]])
>>> r = rotate_arrays(scores, None, 2)
>>> len(r.pairs), r.status, r.mentor_sessions.tolist()
(6, 'optimal', [2, 2, 2])
>>> sorted(np.bincount(r.rounds).tolist())  # three pairs a round
[3, 3]
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching

from .._checks import check_int, check_policy, check_time_limit
from ..errors import InfeasibleError, SolverError, ValidationError
from ..results import OPTIMALITY_TOL, relative_gap
from ._problem import ArrayProblem, _capacity, index_pairs, validate
from .flow import _FLOAT_EXACT, _INT_BUDGET
from .options import Options
from .solve import solve

__all__ = ["ArrayRotation", "colour_rounds", "fair_minimums", "max_sessions", "rotate_arrays"]

#: Most rounds a rotation may have (weekly sessions for twenty years): the colouring costs
#: one matching per round, so a mistyped huge count is refused rather than run for hours.
MAX_ROUNDS = 1000

#: Capacities and minimums are never capped below this when validated.
_NO_CAP = np.iinfo(np.int64).max


@dataclass(frozen=True)
class ArrayRotation:
    """``k`` rounds of (mentor index, mentee index) pairs with their quality certificate.

    Attributes
    ----------
    pairs : ndarray of int, shape (p, 2)
        Every pair of every round, sorted by round, then mentor, then mentee; no pair twice.
    rounds : ndarray of int, shape (p,)
        The round of each pair, ``0 … k - 1``.
    n_rounds : int
        ``k``.
    objective : float
        Sum of the scores of all pairs (required pairs included).
    bound : float
        Proven upper bound on the objective of any ``k``-round programme with the same
        policy and minimums (for ``max_matched``: among those with the most sessions).
    gap : float
        ``(bound - objective) / max(|objective|, 1)``.
    status : str
        ``"optimal"`` (gap within 1e-9) or ``"feasible"``.
    policy, method, message : str
        The policy, ``"flow"``, and the flow's account.
    wall_time : float
        Seconds, validation included.
    mentor_sessions, mentee_sessions : ndarray of int
        Sessions (pairs over all rounds) of each participant.
    min_sessions : tuple of two ndarray of int
        The lower bounds the answer meets (mentors', mentees'); zeros without any.
    stats : dict
        ``max_sessions`` (the most sessions the rules allow), and with minimums that the
        unconstrained optimum did not meet: ``unconstrained_objective`` (what the minimums
        cost) and, for ``min_sessions="fair"``, ``floor`` and ``lowered`` (participants
        whose floor clashed with others' and was lowered, per side).
    """

    pairs: np.ndarray
    rounds: np.ndarray
    n_rounds: int
    objective: float
    bound: float
    gap: float
    status: str
    policy: str
    method: str
    message: str
    wall_time: float
    mentor_sessions: np.ndarray
    mentee_sessions: np.ndarray
    min_sessions: tuple[np.ndarray, np.ndarray]
    stats: dict[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (
            f"ArrayRotation(rounds={self.n_rounds}, pairs={len(self.pairs)}, "
            f"objective={self.objective:.6g}, status={self.status!r}, gap={self.gap:.2g})"
        )


def coloured(
    every: np.ndarray,
    n_m: int,
    n_e: int,
    k: int,
    per_round: tuple[np.ndarray, np.ndarray],
    *,
    objective: float,
    bound: float,
    status: str,
    policy: str,
    method: str,
    message: str,
    wall_time: float,
    min_sessions: tuple[np.ndarray, np.ndarray],
    stats: dict[str, Any],
) -> ArrayRotation:
    """The :class:`ArrayRotation` of the plan ``every`` (all rounds' pairs): coloured into
    ``k`` rounds (``per_round``: each side's capacity in a round), sorted by round, mentor
    and mentee, read-only, with each participant's sessions."""
    colours = colour_rounds(every, n_m, n_e, k, per_round[0], per_round[1])
    order = np.lexsort((every[:, 1], every[:, 0], colours))
    every, colours = every[order], colours[order]
    for a in (every, colours):
        a.flags.writeable = False
    return ArrayRotation(
        pairs=every,
        rounds=colours,
        n_rounds=k,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        status=status,
        policy=policy,
        method=method,
        message=message,
        wall_time=wall_time,
        mentor_sessions=np.bincount(every[:, 0], minlength=n_m),
        mentee_sessions=np.bincount(every[:, 1], minlength=n_e),
        min_sessions=min_sessions,
        stats=stats,
    )


# -- step 2: rounds by edge colouring ----------------------------------------------------------


def colour_rounds(
    pairs: Any,
    n_m: int,
    n_e: int,
    k: int,
    mentor_capacity: Any = 1,
    mentee_capacity: Any = 1,
) -> np.ndarray:
    """A round ``0 … k - 1`` for each pair, so that nobody exceeds their capacity in a round.

    Parameters
    ----------
    pairs : array_like of int, shape (p, 2)
        Distinct (mentor index, mentee index) pairs (a pair met twice is not a rotation).
    n_m, n_e : int
        Participants on each side.
    k : int
        Rounds, at least 1.
    mentor_capacity, mentee_capacity : int or array_like of int, default 1
        Partners per round. Each participant's pairs must number at most ``k × capacity``.

    Returns
    -------
    ndarray of int, shape (p,)

    Raises
    ------
    ValidationError
        If an argument is malformed, or a participant has more pairs than ``k × capacity``.

    Notes
    -----
    A participant of degree ``d`` is split into ``ceil(d / k)`` copies (at most their
    capacity), their pairs dealt to the copies in turn, so each copy has degree at most
    ``k``. Both sides are padded to one size with dummy vertices and dummy edges (possibly
    parallel) join vertices of deficient degree until the multigraph is ``k``-regular; a
    ``k``-regular bipartite multigraph has a perfect matching (Hall), and removing one leaves
    a ``(k - 1)``-regular one, so ``k`` calls of
    :func:`scipy.sparse.csgraph.maximum_bipartite_matching` on the multiplicity matrix
    (decremented after each) split it into ``k`` perfect matchings. The real pairs of
    matching ``r`` get round ``r``. Cost: ``k`` Hopcroft-Karp runs on ``O(n)`` vertices and
    ``O(n k)`` edges.

    The rounds are then evened out (de Werra): while two rounds differ by more than one
    pair, alternating paths between them swap colours, so round sizes — and the number
    who sit out each round — differ by at most one.

    Examples
    --------
    >>> import numpy as np
    >>> pairs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> r = colour_rounds(pairs, 2, 2, 2)
    >>> sorted(np.bincount(r).tolist())
    [2, 2]
    >>> colour_rounds(pairs, 2, 2, 1, mentor_capacity=2, mentee_capacity=2).tolist()
    [0, 0, 0, 0]
    """
    n_m = check_int(n_m, "n_m")
    n_e = check_int(n_e, "n_e")
    k = check_int(k, "k", low=1, high=MAX_ROUNDS)
    p = index_pairs(pairs, n_m, n_e)
    keys = p[:, 0] * max(n_e, 1) + p[:, 1]
    if len(np.unique(keys)) < len(keys):
        distinct, counts = np.unique(keys, return_counts=True)
        m, e = divmod(int(distinct[counts > 1][0]), max(n_e, 1))
        raise ValidationError(
            f"`pairs` lists the pair ({m}, {e}) more than once; a rotation meets each pair once.",
            argument="pairs",
        )
    cap_m = _capacity(mentor_capacity, n_m, _NO_CAP, "mentor_capacity", "mentor")
    cap_e = _capacity(mentee_capacity, n_e, _NO_CAP, "mentee_capacity", "mentee")
    if len(p) == 0:
        return np.zeros(0, dtype=np.int64)
    left = _copies(p[:, 0], n_m, k, cap_m, "mentor")
    right = _copies(p[:, 1], n_e, k, cap_e, "mentee")
    n = int(max(left.max(), right.max())) + 1
    # pad to a k-regular bipartite multigraph: dummy edges between deficient vertices
    short_l = np.repeat(np.arange(n), k - np.bincount(left, minlength=n))
    short_r = np.repeat(np.arange(n), k - np.bincount(right, minlength=n))
    assert len(short_l) == len(short_r)  # both are n·k - p
    keys_real = left * n + right
    keys, counts = np.unique(np.concatenate((keys_real, short_l * n + short_r)), return_counts=True)
    real = np.searchsorted(keys, keys_real)
    order = np.argsort(real, kind="stable")  # real pairs grouped by cell
    first = np.searchsorted(real[order], np.arange(len(keys)))
    real_left = np.bincount(real, minlength=len(keys))
    taken = np.zeros(len(keys), dtype=np.int64)
    out = np.full(len(p), -1, dtype=np.int64)
    rows_all, cols_all = keys // n, keys % n
    for r in range(k):
        live = counts > 0
        graph = csr_matrix(
            (np.ones(int(live.sum()), dtype=np.int8), (rows_all[live], cols_all[live])),
            shape=(n, n),
        )
        match = maximum_bipartite_matching(graph, perm_type="column")
        # a k-regular bipartite multigraph always has a perfect matching
        assert (match >= 0).all(), "no perfect matching in a regular bipartite multigraph"
        cells = np.searchsorted(keys, np.arange(n) * n + match)
        counts[cells] -= 1
        use = cells[real_left[cells] > 0]  # a real pair of the cell, while any is left
        out[order[first[use] + taken[use]]] = r
        taken[use] += 1
        real_left[use] -= 1
    assert (out >= 0).all()
    return _balance(left, right, out, k, n)


def _balance(
    left: np.ndarray, right: np.ndarray, colours: np.ndarray, k: int, n: int
) -> np.ndarray:
    """The colouring made equitable: round sizes differ by at most one (de Werra).

    The pairs of the largest round ``a`` and the smallest ``b`` form, on the copy
    vertices, alternating paths and cycles; a component with one ``a``-pair more than
    ``b``-pairs is a path, and swapping its colours moves one pair from ``a`` to ``b``
    while keeping every copy at one pair per round. Half the difference of such paths are
    swapped at once, until no two rounds differ by more than one."""
    colours = colours.copy()
    for _ in range(4 * k * k):
        sizes = np.bincount(colours, minlength=k)
        a, b = int(sizes.argmax()), int(sizes.argmin())
        if sizes[a] - sizes[b] <= 1:
            break
        sel = np.flatnonzero((colours == a) | (colours == b))
        graph = csr_matrix(
            (np.ones(len(sel), dtype=np.int8), (left[sel], n + right[sel])), shape=(2 * n, 2 * n)
        )
        n_comp, label = connected_components(graph, directed=False)
        comp = label[left[sel]]
        diff = np.bincount(comp, weights=np.where(colours[sel] == a, 1, -1), minlength=n_comp)
        flip = np.flatnonzero(diff > 0)[: (sizes[a] - sizes[b]) // 2]
        at = sel[np.isin(comp, flip)]
        colours[at] = np.where(colours[at] == a, b, a)
    return colours


def _copies(ends: np.ndarray, n: int, k: int, cap: np.ndarray, side: str) -> np.ndarray:
    """The copy vertex of each pair end: participant ``i`` of degree ``d`` gets
    ``ceil(d / k)`` consecutive copies, their pairs dealt in turn (each copy ≤ k pairs)."""
    deg = np.bincount(ends, minlength=n)
    over = np.flatnonzero(deg > k * cap)
    if len(over):
        i = int(over[0])
        raise ValidationError(
            f"{side} {i} has {int(deg[i])} pairs, more than rounds × capacity = "
            f"{k} × {int(cap[i])}.",
            argument="pairs",
        )
    copies = -(-deg // k)
    offset = np.concatenate(([0], np.cumsum(copies)[:-1]))
    order = np.argsort(ends, kind="stable")
    rank = np.empty(len(ends), dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(deg)[:-1]))
    rank[order] = np.arange(len(ends)) - starts[ends[order]]
    return np.asarray(offset[ends] + rank % np.maximum(copies[ends], 1), dtype=np.int64)


# -- step 1: sessions by min-cost flow ---------------------------------------------------------


def max_sessions(
    mi: np.ndarray, ei: np.ndarray, n_m: int, n_e: int, u_m: np.ndarray, u_e: np.ndarray
) -> int:
    """The most pairs over the allowed pairs ``(mi[p], ei[p])`` with at most ``u_m`` /
    ``u_e`` per participant (a maximum flow).

    Examples
    --------
    >>> import numpy as np
    >>> max_sessions(np.array([0, 1]), np.array([0, 0]), 2, 1, np.ones(2, int), np.ones(1, int))
    1
    """
    if len(mi) == 0:
        return 0
    from ortools.graph.python import max_flow  # imported on first use

    source, sink = n_m + n_e, n_m + n_e + 1
    g = max_flow.SimpleMaxFlow()
    g.add_arcs_with_capacity(
        np.concatenate((mi, np.full(n_m, source), n_m + np.arange(n_e))),
        np.concatenate((n_m + ei, np.arange(n_m), np.full(n_e, sink))),
        np.concatenate((np.ones(len(mi), dtype=np.int64), u_m, u_e)),
    )
    status = g.solve(source, sink)
    if status != g.OPTIMAL:  # pragma: no cover - capacities are small integers
        raise SolverError(
            f"OR-tools max flow ended with status {status!r}.", method="flow", raw_status=status
        )
    return int(g.optimal_flow())


def fair_minimums(
    allowed_m: np.ndarray,
    allowed_e: np.ndarray,
    u_m: np.ndarray,
    u_e: np.ndarray,
    total: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """The fairness floors of :func:`rotate_arrays` (``min_sessions="fair"``), before any
    clash between them is resolved: ``(mentor floors, mentee floors, floor)``.

    On the larger side (by participants with ``u > 0``; both sides on a tie), each
    participant gets ``min(floor(total / n), allowed partners, u)``, where ``total`` is the
    most sessions possible; the other side gets 0.

    Examples
    --------
    >>> import numpy as np
    >>> lo_m, lo_e, floor = fair_minimums(np.array([3, 1, 3]), np.array([3, 3]),
    ...                                   np.full(3, 2), np.full(2, 3), 5)
    >>> lo_m.tolist(), lo_e.tolist(), floor
    ([1, 1, 1], [0, 0], 1)
    """
    n_m, n_e = int((u_m > 0).sum()), int((u_e > 0).sum())
    lo_m = np.zeros(len(u_m), dtype=np.int64)
    lo_e = np.zeros(len(u_e), dtype=np.int64)
    n = max(n_m, n_e)
    floor = total // n if n else 0
    if n_m >= n_e:
        lo_m = np.minimum(np.minimum(allowed_m, u_m), floor).astype(np.int64)
    if n_e >= n_m:
        lo_e = np.minimum(np.minimum(allowed_e, u_e), floor).astype(np.int64)
    return lo_m, lo_e, floor


def _scale(s: np.ndarray, n_nodes: int, total: int) -> float:
    """The score scale of :func:`~rm_match.solvers.flow.flow_on_edges`: no cost sum can
    overflow 64 bits, and no rounding loses the fraction being rounded."""
    top = float(np.abs(s).max()) if len(s) else 1.0
    top = top or 1.0
    return min(_FLOAT_EXACT / top, _INT_BUDGET / (top * (max(n_nodes, total) + 1)))


def _bounded_flow(
    n_m: int,
    n_e: int,
    mi: np.ndarray,
    ei: np.ndarray,
    s: np.ndarray,
    u_m: np.ndarray,
    u_e: np.ndarray,
    lo_m: np.ndarray,
    lo_e: np.ndarray,
    total: int,
    bypass: bool,
) -> tuple[np.ndarray | None, np.ndarray, float, str]:
    """Min-cost flow with lower bounds ``lo`` on the source → mentor and mentee → sink arcs.

    A lower bound ``l`` on an arc ``a → b`` becomes capacity ``u - l`` and ``l`` units of
    supply at ``b`` taken from ``a``: mentor ``m`` supplies ``lo_m[m]``, mentee ``e``
    demands ``lo_e[e]``, the source supplies ``total - Σ lo_m`` and the sink demands
    ``total - Σ lo_e``. Without ``bypass`` exactly ``total`` pairs are made; with it, a
    zero-cost arc source → sink lets flow skip the pairs (``max_score``). Returns (used
    mask, rounded scores, scale, message); the mask is ``None`` when the bounds cannot be
    met."""
    from ortools.graph.python import min_cost_flow  # imported on first use

    source, sink = n_m + n_e, n_m + n_e + 1
    n_nodes = n_m + n_e + 2
    scale = _scale(s, n_nodes, total)
    supplies = np.concatenate(
        (lo_m, -lo_e, [total - int(lo_m.sum()), -(total - int(lo_e.sum()))])
    ).astype(np.int64)
    for _ in range(16):
        rounded = np.rint(s * scale)
        f = min_cost_flow.SimpleMinCostFlow()
        # pairs: capacity 1 (no pair twice), cost -score
        pair_arcs = f.add_arcs_with_capacity_and_unit_cost(
            mi, n_m + ei, np.ones(len(mi), dtype=np.int64), -rounded.astype(np.int64)
        )
        # sessions above each participant's minimum
        f.add_arcs_with_capacity_and_unit_cost(
            np.full(n_m, source), np.arange(n_m), u_m - lo_m, np.zeros(n_m, dtype=np.int64)
        )
        f.add_arcs_with_capacity_and_unit_cost(
            n_m + np.arange(n_e), np.full(n_e, sink), u_e - lo_e, np.zeros(n_e, dtype=np.int64)
        )
        if bypass:  # flow that makes no pair
            f.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)
        f.set_nodes_supplies(np.arange(n_nodes), supplies)
        status = f.solve()
        if status != f.BAD_COST_RANGE:
            break
        scale /= 16.0
    if status == f.INFEASIBLE:
        return None, rounded, scale, "infeasible"
    if status != f.OPTIMAL:
        raise SolverError(
            f"OR-tools min-cost flow ended with status {status!r}.",
            method="flow",
            raw_status=status,
        )
    used = f.flows(pair_arcs) > 0
    return used, rounded, scale, f"OR-tools min-cost flow: {status.name} (score scale {scale:.3g})"


def _best_floors(
    n_m: int,
    n_e: int,
    mi: np.ndarray,
    ei: np.ndarray,
    u_m: np.ndarray,
    u_e: np.ndarray,
    lo_m: np.ndarray,
    lo_e: np.ndarray,
    total: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The floors that can be met together: a maximum flow (``total`` units) that meets as
    many units of the floors ``lo`` as it can (each unit below a floor costs -1); each
    participant's floor becomes what that flow gives them, up to their floor."""
    from ortools.graph.python import min_cost_flow  # imported on first use

    source, sink = n_m + n_e, n_m + n_e + 1
    m_nodes, e_nodes = np.arange(n_m), n_m + np.arange(n_e)
    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arcs_with_capacity_and_unit_cost(
        mi, n_m + ei, np.ones(len(mi), dtype=np.int64), np.zeros(len(mi), dtype=np.int64)
    )
    floor_m = f.add_arcs_with_capacity_and_unit_cost(
        np.full(n_m, source), m_nodes, lo_m, np.full(n_m, -1, dtype=np.int64)
    )
    f.add_arcs_with_capacity_and_unit_cost(
        np.full(n_m, source), m_nodes, u_m - lo_m, np.zeros(n_m, dtype=np.int64)
    )
    floor_e = f.add_arcs_with_capacity_and_unit_cost(
        e_nodes, np.full(n_e, sink), lo_e, np.full(n_e, -1, dtype=np.int64)
    )
    f.add_arcs_with_capacity_and_unit_cost(
        e_nodes, np.full(n_e, sink), u_e - lo_e, np.zeros(n_e, dtype=np.int64)
    )
    f.set_node_supply(source, total)
    f.set_node_supply(sink, -total)
    status = f.solve_max_flow_with_min_cost()
    if status != f.OPTIMAL:  # pragma: no cover - unit costs, small capacities
        raise SolverError(
            f"OR-tools min-cost flow ended with status {status!r}.",
            method="flow",
            raw_status=status,
        )
    return (
        np.minimum(lo_m, f.flows(floor_m)).astype(np.int64),
        np.minimum(lo_e, f.flows(floor_e)).astype(np.int64),
    )


def _short_by_side(
    n_m: int,
    n_e: int,
    mi: np.ndarray,
    ei: np.ndarray,
    u_m: np.ndarray,
    u_e: np.ndarray,
    lo_m: np.ndarray,
    lo_e: np.ndarray,
) -> str:
    """Why the minimums cannot be met, side by side (counts only)."""
    from ortools.graph.python import max_flow  # imported on first use

    source, sink = n_m + n_e, n_m + n_e + 1
    allowed_m = np.bincount(mi, minlength=n_m)
    allowed_e = np.bincount(ei, minlength=n_e)
    parts = []
    fits = True
    for side, lo, allowed, caps in (
        ("mentor", lo_m, allowed_m, (lo_m, u_e)),
        ("mentee", lo_e, allowed_e, (u_m, lo_e)),
    ):
        asked = int(lo.sum())
        if asked == 0:
            continue
        g = max_flow.SimpleMaxFlow()
        g.add_arcs_with_capacity(mi, n_m + ei, np.ones(len(mi), dtype=np.int64))
        arcs_m = g.add_arcs_with_capacity(np.full(n_m, source), np.arange(n_m), caps[0])
        arcs_e = g.add_arcs_with_capacity(n_m + np.arange(n_e), np.full(n_e, sink), caps[1])
        g.solve(source, sink)
        got = int(g.optimal_flow())
        if got < asked:
            fits = False
            given = g.flows(arcs_m if side == "mentor" else arcs_e)
            few = int((lo > allowed).sum())
            parts.append(
                f"the {side}s' minimums ({asked} sessions) fit at most {got} "
                f"({int((given < lo).sum())} {side}(s) short in a best attempt; {few} ask for "
                "more sessions than they have allowed partners)"
            )
    if fits:
        parts.append("each side's minimums can be met alone, but not both together")
    return "; ".join(parts)


def rotate_arrays(
    scores: Any,
    feasible: Any,
    rounds: int,
    *,
    mentor_capacity: Any = 1,
    mentee_capacity: Any = 1,
    policy: str = "max_matched",
    min_sessions: Any = None,
    required: Any = None,
    time_limit: float | None = None,
    memory_limit: float | None = None,
) -> ArrayRotation:
    """The best ``rounds``-round programme over a score matrix: no pair twice, capacities per
    round, optimal over all rounds jointly.

    Parameters
    ----------
    scores : array_like, shape (n_mentors, n_mentees)
        Pair scores, finite reals; higher is better.
    feasible : array_like of bool, same shape, or None
        ``False`` forbids a pair in every round (e.g. a previous round's pair). ``None``:
        all allowed.
    rounds : int
        Rounds ``k ≥ 1``.
    mentor_capacity, mentee_capacity : int or array_like of int, default 1
        Partners per round; over the programme each participant has at most
        ``rounds × capacity`` sessions (and at most one with each partner).
    policy : {"max_matched", "max_score"}, default "max_matched"
        ``max_matched``: the most sessions over all rounds, then the best total score;
        ``max_score``: the best total score.
    min_sessions : None, "fair" or (mentor minimums, mentee minimums), optional
        Per-participant lower bounds on the number of sessions (each an int or an int array;
        at most ``rounds × capacity``). ``"fair"``: with ``S`` the most sessions the rules
        allow, everyone on the larger side (counting participants with capacity; both sides
        on a tie) gets at least ``min(S // n, allowed partners, rounds × capacity)``
        sessions, ``n`` that side's size; where the rules make those floors clash (several
        people competing for the same few partners), they are lowered to what a maximum
        flow meeting as many floor units as possible gives each (``stats["lowered"]``).
        Minimums never reduce the number of sessions under ``max_matched`` (an augmenting
        path only adds sessions), only, perhaps, the total score
        (``stats["unconstrained_objective"]``).
    required : array_like of int, shape (r, 2), optional
        Pairs that must be in the programme whatever ``feasible`` says (the caller checked
        them); they use sessions, their scores count, and they get rounds like the others.
    time_limit : float, optional
        Accepted for the shape of the other entry points; the method is exact and always
        finishes.
    memory_limit : float, optional
        Bytes the flow may plan to use (as in :func:`rm_match.match`; default: half the
        memory available).

    Returns
    -------
    ArrayRotation

    Raises
    ------
    ValidationError
        For malformed arguments; the message names the argument.
    InfeasibleError
        If explicit ``min_sessions`` cannot all be met; the message says which side and how
        many participants fall short.
    MemoryBudgetError
        If the flow's plan exceeds ``memory_limit``.

    Examples
    --------
    Three juniors, two seniors, two rounds (four sessions): the best total gives two
    juniors two sessions each and the third none; with fairness everyone on the larger side
    has at least ``4 // 3 = 1``, at a price in score.

    >>> import numpy as np
    >>> scores = np.array([[0.9, 0.9], [0.8, 0.8], [0.1, 0.1]])
    >>> r = rotate_arrays(scores, None, 2)
    >>> r.mentor_sessions.tolist(), round(r.objective, 6)
    ([2, 2, 0], 3.4)
    >>> r = rotate_arrays(scores, None, 2, min_sessions="fair")
    >>> r.mentor_sessions.tolist(), round(r.objective, 6), r.status
    ([2, 1, 1], 2.7, 'optimal')
    >>> round(r.stats["unconstrained_objective"], 6), r.min_sessions[0].tolist()
    (3.4, [1, 1, 1])
    """
    start = time.perf_counter()
    policy = check_policy(policy)
    time_limit = check_time_limit(time_limit)
    k = check_int(rounds, "rounds", low=1, high=MAX_ROUNDS)
    opts = Options(policy=policy, time_limit=time_limit, rng=np.random.default_rng(0))
    base = validate(scores, feasible, mentor_capacity, mentee_capacity, opts)
    n_m, n_e = base.shape
    s = base.scores
    fixed = _required(required, n_m, n_e)
    used_m = np.bincount(fixed[:, 0], minlength=n_m)
    used_e = np.bincount(fixed[:, 1], minlength=n_e)
    full_m = np.minimum(k * base.mentor_capacity, n_e)
    full_e = np.minimum(k * base.mentee_capacity, n_m)
    for side, count, full in (("mentor", used_m, full_m), ("mentee", used_e, full_e)):
        over = np.flatnonzero(count > full)
        if len(over):
            i = int(over[0])
            raise ValidationError(
                f"`required` gives {side} {i} {int(count[i])} pairs, more than rounds × "
                f"capacity = {int(full[i])}.",
                argument="required",
            )
    ok = np.array(base.feasible, dtype=bool)
    ok[fixed[:, 0], fixed[:, 1]] = False  # a required pair is made once
    u_m, u_e = full_m - used_m, full_e - used_e
    free = ArrayProblem(s, ok, u_m, u_e, policy, time_limit, opts.generator)
    first = solve(free, "flow", memory_limit=memory_limit)
    pairs, slack, message = first.pairs, first.bound - first.objective, first.message
    stats: dict[str, Any] = {}
    lo_m = np.zeros(n_m, dtype=np.int64)
    lo_e = np.zeros(n_e, dtype=np.int64)
    if min_sessions is not None:
        cand = ok & (u_m > 0)[:, None] & (u_e > 0)
        mi, ei = np.nonzero(cand)
        most = (
            first.n_matched if policy == "max_matched" else max_sessions(mi, ei, n_m, n_e, u_m, u_e)
        )
        stats["max_sessions"] = most + len(fixed)
        fair = isinstance(min_sessions, str) and min_sessions == "fair"
        if fair:
            allowed = (base.feasible | _mask(fixed, (n_m, n_e))) & (full_m > 0)[:, None]
            allowed &= full_e > 0
            allowed_m, allowed_e = allowed.sum(axis=1), allowed.sum(axis=0)
            del allowed
            lo_m, lo_e, floor = fair_minimums(
                allowed_m, allowed_e, full_m, full_e, most + len(fixed)
            )
            stats["floor"] = floor
        else:
            lo_m, lo_e = _minimums(min_sessions, n_m, n_e, full_m, full_e)
        # what the free pairs must still give each participant
        need_m = np.maximum(lo_m - used_m, 0)
        need_e = np.maximum(lo_e - used_e, 0)
        got_m = np.bincount(pairs[:, 0], minlength=n_m)
        got_e = np.bincount(pairs[:, 1], minlength=n_e)
        if (got_m < need_m).any() or (got_e < need_e).any():
            total = most
            sc = s[mi, ei]
            bypass = policy == "max_score"
            used, rounded, scale, message = _bounded_flow(
                n_m, n_e, mi, ei, sc, u_m, u_e, need_m, need_e, total, bypass
            )
            if used is None and fair:
                best_m, best_e = _best_floors(n_m, n_e, mi, ei, u_m, u_e, need_m, need_e, total)
                stats["lowered"] = (
                    int((best_m < need_m).sum()),
                    int((best_e < need_e).sum()),
                )
                lo_m, lo_e = lo_m - (need_m - best_m), lo_e - (need_e - best_e)
                need_m, need_e = best_m, best_e
                used, rounded, scale, message = _bounded_flow(
                    n_m, n_e, mi, ei, sc, u_m, u_e, need_m, need_e, total, bypass
                )
            if used is None:
                raise InfeasibleError(
                    "`min_sessions` cannot all be met: "
                    + _short_by_side(n_m, n_e, mi, ei, u_m, u_e, need_m, need_e)
                    + ".",
                    rules=("min_sessions",),
                )
            stats["unconstrained_objective"] = first.objective + float(
                s[fixed[:, 0], fixed[:, 1]].sum()
            )
            pairs = np.column_stack((mi[used], ei[used])).astype(np.int64)
            worst = max(float((sc - rounded / scale).max()), 0.0) if len(sc) else 0.0
            slack = max(0.0, rounded[used].sum() / scale + total * worst - float(sc[used].sum()))
    every = np.concatenate((fixed, pairs)) if len(fixed) else pairs
    objective = float(s[every[:, 0], every[:, 1]].sum())
    bound = objective + (slack if math.isfinite(slack) else math.inf)
    return coloured(
        every,
        n_m,
        n_e,
        k,
        (base.mentor_capacity, base.mentee_capacity),
        objective=objective,
        bound=bound,
        status="optimal" if relative_gap(objective, bound) <= OPTIMALITY_TOL else "feasible",
        policy=policy,
        method="flow",
        message=message,
        wall_time=time.perf_counter() - start,
        min_sessions=(lo_m, lo_e),
        stats=stats,
    )


def _mask(pairs: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    out = np.zeros(shape, dtype=bool)
    out[pairs[:, 0], pairs[:, 1]] = True
    return out


def _required(required: Any, n_m: int, n_e: int) -> np.ndarray:
    """``required`` as distinct (r, 2) index pairs, or a named error."""
    if required is None:
        return np.empty((0, 2), dtype=np.int64)
    p = index_pairs(required, n_m, n_e, "required")
    keys = p[:, 0] * max(n_e, 1) + p[:, 1]
    if len(np.unique(keys)) < len(keys):
        raise ValidationError("`required` lists a pair twice.", argument="required")
    return p


def _minimums(
    value: Any, n_m: int, n_e: int, full_m: np.ndarray, full_e: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``min_sessions`` as two int arrays, each within ``rounds × capacity``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValidationError(
            "`min_sessions` must be None, 'fair' or a pair (mentor minimums, mentee minimums); "
            f"got {type(value).__name__}.",
            argument="min_sessions",
        )
    out = []
    for v, n, n_other, full, side in (
        (value[0], n_m, n_e, full_m, "mentor"),
        (value[1], n_e, n_m, full_e, "mentee"),
    ):
        lo = (
            np.zeros(n, dtype=np.int64)
            if v is None
            else _capacity(v, n, _NO_CAP, "min_sessions", side)
        )
        over = np.flatnonzero(lo > full)
        if len(over):
            i = int(over[0])
            raise ValidationError(
                f"`min_sessions` asks {side} {i} for {int(lo[i])} sessions, more than rounds × "
                f"capacity (at most {n_other} partners) = {int(full[i])}.",
                argument="min_sessions",
            )
        out.append(lo)
    return out[0], out[1]
