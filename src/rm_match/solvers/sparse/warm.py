"""Warm re-solves of a round's flow: the last round's flow and potentials, repaired where the
new pairs break them (the ``fast`` extra's compiled kernel).

A round's graph is the last round's with the pairs pricing added (and unused pairs pruned).
The last flow is optimal for the old graph and the certificate's shortest-path labels are
potentials for it: every residual arc has a non-negative reduced cost
``cost + π[tail] - π[head]`` (costs are the flow solver's rounded integers, so this is
exact). A new pair with a negative reduced cost is saturated — one unit pushed through it,
leaving its mentee with an excess and its mentor with a deficit — after which every
residual arc's reduced cost is non-negative again, and successive shortest paths (Dijkstra
on the reduced costs, from each excess to the nearest deficit, the potentials moved as
they go) restore the balances. A flow with potentials under which no residual arc has a
negative reduced cost is a minimum-cost flow: the same optimum OR-tools finds (among tied
optima, perhaps another one), which :func:`warm_flow` checks on every arc before returning
it.

Under ``max_score`` a bypass arc source → sink of cost 0 takes the units not placed. Under
``max_matched`` a return arc sink → source of cost ``-RETURN`` (more than any path can
cost) turns "the most pairs, then the best score" into one min-cost circulation; the last
flow's labels are made potentials of it by lowering those of the nodes the source reaches
(see :func:`warm_flow`), and a round whose new pairs open an augmenting path (more pairs
than before) is solved cold. Each
saturated pair costs a Dijkstra that settles every node nearer than the pair's own undo —
near the optimum many are (about 500 heap pops a pair at 50 000 per side, 22 000 at
100 000) — so the round loop tries a warm solve only when few pairs need saturating (the
certifying round, mostly), under a budget of heap pops, and otherwise OR-tools solves the
round cold.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from . import _fast

log = logging.getLogger(__name__)

#: Earned by each pair under ``max_matched`` (the return arc's cost is ``-RETURN``): above
#: any simple path's cost, as the flow's rounding scale keeps every pair's cost times the
#: number of nodes within 2⁶⁰, so one more pair always pays.
RETURN = 1 << 60


def warm_flow(
    n_m: int,
    n_e: int,
    mi: np.ndarray,
    ei: np.ndarray,
    rounded: np.ndarray,
    m_cap: np.ndarray,
    e_cap: np.ndarray,
    policy: str,
    k_max: int,
    used_keys: np.ndarray,
    potentials: np.ndarray,
    budget: int,
    most: int | None = None,
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The round's optimal flow from the last one, or None where a cold solve is needed.

    ``rounded``: the integer scores of the edges (as the flow solver rounds them, on the
    last round's scale); ``used_keys``: sorted keys ``mentor * n_e + mentee`` of the last
    flow's pairs, all among the edges; ``potentials``: the last round's integer labels
    (nodes: mentors, mentees, source, sink). Returns ``(used, potentials, heap pops)``;
    None when the warm start does not apply, more than ``most`` pairs need saturating, or
    the ``budget`` of heap pops ran out.
    """
    n = n_m + n_e + 2
    S, T = n - 2, n - 1
    pi = np.asarray(potentials, dtype=np.int64).copy()
    if len(pi) != n:
        return None
    n_cols = max(n_e, 1)
    keys = mi * n_cols + ei
    if len(used_keys):
        pos = np.minimum(np.searchsorted(used_keys, keys), len(used_keys) - 1)
        flow_pairs = used_keys[pos] == keys
    else:
        flow_pairs = np.zeros(len(mi), dtype=bool)
    placed = int(flow_pairs.sum())
    if placed != len(used_keys):  # a used pair left the graph: not the last flow
        return None
    costs = -rounded.astype(np.int64)
    # the pairs to saturate: unused, of negative reduced cost (the rest of the network is
    # the last round's, its reduced costs non-negative — checked with the answer)
    reduced = costs + pi[mi] - pi[n_m + ei]
    neg_pairs = ~flow_pairs & (reduced < 0)
    saturated = int(neg_pairs.sum())
    if most is not None and saturated > most:
        log.debug("warm: %d pairs to saturate (more than %d): a cold solve", saturated, most)
        return None
    t0 = time.perf_counter()
    deg_m = np.bincount(mi[flow_pairs], minlength=n_m)
    deg_e = np.bincount(ei[flow_pairs], minlength=n_e)
    m_idx, e_idx = np.arange(n_m), n_m + np.arange(n_e)
    tails = [mi, np.full(n_m, S), e_idx]
    heads = [n_m + ei, m_idx, np.full(n_e, T)]
    caps = [np.ones(len(mi), np.int64), m_cap, e_cap]
    flows = [flow_pairs.astype(np.int64), deg_m, deg_e]
    cost_parts = [costs, np.zeros(n_m, np.int64), np.zeros(n_e, np.int64)]
    if policy == "max_score":  # the units not placed take the bypass
        tails.append(np.array([S]))
        heads.append(np.array([T]))
        caps.append(np.array([k_max]))
        flows.append(np.array([k_max - placed]))
        cost_parts.append(np.zeros(1, np.int64))
    else:  # the return arc: each unit placed earns RETURN, more than any path costs
        tails.append(np.array([T]))
        heads.append(np.array([S]))
        caps.append(np.array([k_max]))
        flows.append(np.array([placed]))
        cost_parts.append(np.array([-RETURN], np.int64))
    tail_f = np.concatenate(tails).astype(np.int64)
    head_f = np.concatenate(heads).astype(np.int64)
    cap_f = np.concatenate(caps).astype(np.int64)
    flow_f = np.concatenate(flows).astype(np.int64)
    cost_f = np.concatenate(cost_parts)
    # saturate: one unit through each such pair (its mentee gains an excess, its mentor a
    # deficit); every residual arc's reduced cost is then >= 0
    sat = np.flatnonzero(neg_pairs)
    flow_f[sat] = 1
    excess = np.zeros(n, np.int64)
    np.add.at(excess, n_m + ei[sat], 1)
    np.subtract.at(excess, mi[sat], 1)
    # the residual arcs in CSR order by tail (a node's arcs read in a row)
    indptr, tail_s, head_s, twin_s, cost_s, res_s, fwd = _fast.residual(
        tail_f, head_f, cap_f, flow_f, cost_f, n
    )
    if policy == "max_matched" and placed < k_max:
        # no pair can be added (the last flow has the most pairs): the nodes the source
        # reaches without the return arc, R, are closed and hold no sink; lowering their
        # labels by X makes the return arc tight both ways and keeps every other arc's
        # reduced cost (arcs into R gain X, none leave it)
        ret = fwd[-1]
        seen = _fast.reach(indptr, head_s, res_s, ret, twin_s[ret], S)
        x = RETURN + int(pi[S]) - int(pi[T])
        if seen[T] or x < 0:
            return None  # an augmenting path: the number of pairs grows, a cold solve
        pi[seen] -= x
    if int(pi.max()) - int(pi.min()) > 1 << 61:
        return None  # the Dijkstra sums must stay within 64 bits
    if ((res_s > 0) & (cost_s + pi[tail_s] - pi[head_s] < 0)).any():
        return None  # the labels are not the last flow's potentials
    t1 = time.perf_counter()
    ok, pops = _fast.warm(indptr, tail_s, head_s, twin_s, cost_s, res_s, pi, excess, budget)
    log.debug(
        "warm: %d pairs saturated, %d heap pops (done: %s); arcs %.2f s, paths %.2f s",
        saturated,
        pops,
        ok,
        t1 - t0,
        time.perf_counter() - t1,
    )
    if not ok:
        return None
    # the proof: balanced, and no residual arc of negative reduced cost
    bad = (res_s > 0) & (cost_s + pi[tail_s] - pi[head_s] < 0)
    if excess.any() or bad.any():  # never seen: a cold solve answers instead
        log.warning("warm re-solve: the repaired flow is not proven optimal; a cold solve")
        return None
    flow_pair = res_s[fwd[: len(mi)]] == 0  # no forward residual: the unit is on
    return flow_pair, pi, int(pops)
