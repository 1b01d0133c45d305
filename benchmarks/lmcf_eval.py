"""LEMON-style network simplex (``pylmcf``) against the OR-tools flow the sparse path uses
(issue 22, item 2: evaluate it).

Usage (``pylmcf`` is not a dependency: a venv of its own, with rm_match installed)::

    python -m venv .lmcf && .lmcf/bin/pip install pylmcf -e .
    .lmcf/bin/python benchmarks/lmcf_eval.py --sizes 2000 5000 20000 --k 16 --repeats 3

The graphs are the sparse path's flow problems: ``n`` mentors and ``n`` mentees, ``k``
candidate pairs per mentor (random mentees), scores uniform in [0, 1), ``max_matched`` (the
most pairs, then the best total). OR-tools: :func:`rm_match.solvers.flow.flow_on_edges`
itself (scores scaled by up to 2^52). ``pylmcf``: the same network with non-negative costs
(``R − r`` on each pair arc) and the most pairs ``K`` as the supply, scores scaled by the
largest power of 2 its safe-range check accepts (:data:`LMCF_SCALE`). Checked: the same
number of pairs, the same total score within that scale's rounding, and whether
``pylmcf``'s reduced costs have the right sign on every residual arc (potentials that
certify the flow would save the certificate's Bellman–Ford). Its warm restarts
(``NetworkSimplexLCTDyn``) take supply changes only; the sparse path's rounds change costs
and add arcs, so every round would be a cold solve: not measured.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def instance(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mi = np.repeat(np.arange(n), k)
    ei = rng.integers(0, n, n * k)
    key = np.unique(mi * n + ei)  # one arc per pair
    mi, ei = key // n, key % n
    return mi, ei, rng.random(len(mi))


def ortools(n, mi, ei, s):
    from rm_match.solvers.flow import flow_on_edges

    ones = np.ones(n, dtype=np.int64)
    used, rounded, _, _ = flow_on_edges(n, n, mi, ei, s, ones, ones, "max_matched", n)
    return used, rounded


#: pylmcf refuses costs whose sums could leave its safe int64 range (the 2^52 scale
#: ``flow_on_edges`` uses is too large): scores are scaled to this instead.
LMCF_SCALE = 1.0


def network(n, mi, ei, s):
    """Nodes: mentors 0..n-1, mentees n..2n-1, source 2n, sink 2n+1; the source supplies the
    most pairs ``K`` (Hopcroft–Karp), so the flow is the best assignment with ``K`` pairs
    (``max_matched``) with no bypass arc: a bypass dear enough to come last made the costs
    too large for ``pylmcf``'s safe-range check at any useful scale."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import maximum_bipartite_matching

    graph = sp.csr_matrix((np.ones(len(mi)), (mi, ei)), shape=(n, n))
    k = int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())
    r = np.rint(s * LMCF_SCALE).astype(np.int64)
    top = int(r.max())
    src, snk = 2 * n, 2 * n + 1
    starts = np.concatenate([np.full(n, src), mi, n + np.arange(n)])
    ends = np.concatenate([np.arange(n), n + ei, np.full(n, snk)])
    caps = np.ones(len(starts), dtype=np.int64)
    costs = np.concatenate([np.zeros(n), top - r, np.zeros(n)]).astype(np.int64)
    supply = np.zeros(2 * n + 2, dtype=np.int64)
    supply[src], supply[snk] = k, -k
    return supply, starts.astype(np.int64), ends.astype(np.int64), caps, costs


def largest_scale(n, mi, ei, s) -> float:
    """The largest power of 2 up to 2^52 that ``pylmcf`` accepts as the score scale."""
    import pylmcf

    global LMCF_SCALE
    scale = float(1 << 52)
    while scale >= 1.0:
        LMCF_SCALE = scale
        try:
            pylmcf.NetworkSimplexLCT(*network(n, mi, ei, s))
            return scale
        except OverflowError:
            scale /= 2.0
    raise RuntimeError("pylmcf accepts no scale")


def lmcf(n, mi, ei, s):
    import pylmcf

    supply, starts, ends, caps, costs = network(n, mi, ei, s)
    t = time.perf_counter()
    ns = pylmcf.NetworkSimplexLCT(supply, starts, ends, caps, costs)
    ns.solve()
    seconds = time.perf_counter() - t
    flow = np.asarray(ns.result())
    return ns, flow, seconds, (supply, starts, ends, caps, costs)


def certifies(ns, flow, net) -> bool:
    """Whether the potentials give each residual arc a reduced cost of the right sign."""
    rc = np.asarray(ns.reduced_costs())
    _, _, _, caps, _ = net
    forward_open = flow < caps
    backward_open = flow > 0
    return bool((rc[forward_open] >= 0).all() and (rc[backward_open] <= 0).all())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    print(
        "| n | arcs | pylmcf's scale | OR-tools s | pylmcf s | pylmcf ÷ OR-tools | same pairs "
        "| same total | potentials certify |"
    )
    print("|---:|---:|---:|---:|---:|---:|---|---|---|")
    for n in args.sizes:
        mi, ei, s = instance(n, args.k, 7)
        scale = largest_scale(n, mi, ei, s)
        t_or, t_lm = [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            used, _ = ortools(n, mi, ei, s)
            t_or.append(time.perf_counter() - t)
            ns, flow, secs, net = lmcf(n, mi, ei, s)
            t_lm.append(secs)
            pair = flow[n : n + len(mi)] > 0
            same_pairs = int(pair.sum()) == int(used.sum())
            # each solver rounds the scores its own way: the totals agree within that
            same_total = abs(float(s[pair].sum()) - float(s[used].sum())) <= n / LMCF_SCALE
            ok = certifies(ns, flow, net)
        a, b = statistics.median(t_or), statistics.median(t_lm)
        print(
            f"| {n} | {len(mi) + 2 * n} | 2^{int(np.log2(scale))} | {a:.3f} | {b:.3f} | "
            f"{b / a:.2f} | {same_pairs} | {same_total} | {ok} |"
        )


if __name__ == "__main__":
    main()
