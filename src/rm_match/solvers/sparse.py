"""Exact assignment without an n × n matrix: sparse candidates, then pricing.

For cohorts too large for a dense score matrix (DESIGN.md, "very large"):

1. **Candidates.** The score is screened block by block (mentee blocks against every mentor,
   never more than one block in memory per worker). Each mentee keeps its best ``k`` mentors
   and each mentor its best mentees (about ``k``, by a threshold estimated on a sample), plus
   a few mentors drawn at random per mentee (:data:`RANDOM_EDGES`, so that the graph holds
   an assignment of everyone), all re-scored exactly, with every hard rule checked.
2. **Sparse solve.** OR-tools min-cost flow on the candidate edges.
3. **Certificate.** Dual potentials come from shortest paths in the residual network of the
   sparse solution (a label-correcting Bellman–Ford, vectorised). For ``max_matched`` a
   minimum cover (König) certifies that no assignment has more pairs, and the potentials
   ``u`` (mentors), ``v`` (mentees) and ``μ`` (one per pair made) bound the score among
   those with as many pairs; for ``max_score``, ``u`` and ``v`` alone.
4. **Pricing.** The dense score is scanned again, blockwise, against the potentials. Any pair
   that would break the cover or has positive reduced cost ``s - u - v - μ`` is added to the
   candidates and the sparse problem is solved again; when no pair remains, the sparse
   answer is optimal for the dense problem. A scan also keeps the pairs just short of
   violating (a pool); while enough of those violate, rounds use the pool and skip the scan
   (:data:`POOL_MIN`). Each round's shortest paths start from the last round's labels.

The bound reported is weak LP duality evaluated exactly, so it holds whatever the quality of
the potentials: ``bound - objective`` is a sum of non-negative terms — complementary-slackness
violations of the chosen pairs, unused capacity with a positive potential, and every
positive reduced cost outside the answer.

The screen may be approximate (float32); a score source states an error bound ``δ`` and every
pair the screen cannot rule out (within ``δ``) is re-scored exactly before any decision. It may
also overestimate (an upper bound, like :class:`~rm_match.screen.ProblemSource`'s cosine for
the interests term): the pairs that pass a threshold are brought within ``δ`` by the source's
``refine`` and compared again, so a loose screen costs only extra pairs to refine.

Between rounds, unused edges far below zero reduced cost (``PRUNE``) leave the candidate
graph: the next scan brings back any that could improve the answer.

Supports one-to-one problems and capacities above one on one side only (both sides above one
would need edge duals in the certificate).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..errors import SolverError
from ._problem import ArrayProblem, capacities_on_both_sides, max_pairs
from .flow import flow_on_edges

#: Screened values at or below this are pairs a (keyed) hard rule forbids ...
INFEASIBLE = -2.0
#: ... and a source screens those at or below this (scores lie in [0, 1]).
FORBIDDEN = -1023.0
#: Reduced costs at or below this are treated as zero (they would not change the answer).
PRICE_TOL = 1e-10
#: With violations to fix, pairs within this of violating are added too (fewer rounds: at
#: n = 20 000, 8 rounds instead of 11).
NEAR = 0.005
#: After a pricing scan, unused edges with reduced cost below ``-PRUNE`` are dropped
#: (``None``: never).
PRUNE: float | None = 0.02
#: A round on the last scan's pool (no scan) only when it adds at least this fraction of what
#: that scan added; else the round scans at once. At n = 100 000 pool rounds adding 0.3-0.5 %
#: of the scan's pairs each cost a flow solve (20 s) and the scan followed anyway.
POOL_MIN = 0.05
#: Mentors drawn at random per mentee and added to the candidates (the allowed ones): a
#: random bipartite graph of this degree has an assignment of every mentee, so the first
#: solve's certificate starts from as many pairs as the dense problem has. Without them the
#: first graph lacked 0.3 % of the pairs at n = 50 000 and 100 000, and the first scan
#: against that certificate kept 36.7 M pairs instead of 13.3 M (100 000: 130 s → 50 s).
RANDOM_EDGES = 4
#: Mentors per group when estimating each mentee's k-th best mentor.
_GROUP = 32


class ScoreSource(Protocol):
    """What the sparse path needs to know about the (implicit) score matrix."""

    shape: tuple[int, int]

    def screen(
        self, rows: np.ndarray | None, cols: np.ndarray, u: np.ndarray | None, v: np.ndarray | None
    ) -> np.ndarray:
        """Approximate ``score - u[rows, None] - v[None, cols]`` for mentors ``rows`` (all when
        ``None``) and mentees ``cols``; pairs a keyed rule forbids are at most ``INFEASIBLE``."""

    def error(self, scale: float) -> float:
        """Bound on ``|screen - exact|`` for allowed pairs when ``|u| + |v| ≤ scale``."""

    def exact(self, mi: np.ndarray, ei: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact float64 scores and feasibility (every rule) of the pairs ``(mi[k], ei[k])``."""

    def refine(self, mi: np.ndarray, ei: np.ndarray, screened: np.ndarray) -> np.ndarray:
        """Screened values of the pairs ``(mi[k], ei[k])`` brought within ``error`` of the
        exact ones (a screen that is an upper bound removes its overestimate; cheap)."""


class DenseSource:
    """A :class:`ScoreSource` over an in-memory matrix (exact screen, ``δ = 0``)."""

    def __init__(self, scores: np.ndarray, feasible: np.ndarray) -> None:
        self.scores = scores
        self.feasible = feasible
        self.shape = scores.shape

    def screen(self, rows, cols, u, v):
        s = self.scores[:, cols] if rows is None else self.scores[np.ix_(rows, cols)]
        f = self.feasible[:, cols] if rows is None else self.feasible[np.ix_(rows, cols)]
        out = np.where(f, s, FORBIDDEN)
        if u is not None:
            out -= (u if rows is None else u[rows])[:, None]
        if v is not None:
            out -= v[cols][None, :]
        return out

    def error(self, scale: float) -> float:
        return 4.0 * np.finfo(np.float64).eps * (1.0 + scale)

    def exact(self, mi, ei):
        return self.scores[mi, ei], self.feasible[mi, ei]

    def refine(self, mi, ei, screened):
        return screened


class SubSource:
    """The part of a :class:`ScoreSource` on mentors ``rows`` × mentees ``cols``, indexed
    from 0 (an independent part of a decomposed problem).

    Potentials given for the part are placed into full-length vectors; the lifted arrays are
    cached by identity so that the underlying source's own per-call caches still hit.
    """

    def __init__(self, source, rows: np.ndarray, cols: np.ndarray) -> None:
        self.source = source
        self.rows = np.asarray(rows, dtype=np.intp)
        self.cols = np.asarray(cols, dtype=np.intp)
        self.shape = (len(self.rows), len(self.cols))
        self._lifted: dict = {}

    def _lift(self, a: np.ndarray | None, index: np.ndarray, n: int, *, take: bool):
        """``index[a]`` (``take``) or ``a`` scattered to length ``n`` at ``index``; cached."""
        if a is None:
            return index if take else None
        hit = self._lifted.get((id(a), take))
        if hit is not None and hit[0] is a:
            return hit[1]
        if take:
            out = index[a]
        else:
            out = np.zeros(n, dtype=np.asarray(a).dtype)
            out[index] = a
        if len(self._lifted) > 8:
            self._lifted.clear()
        self._lifted[(id(a), take)] = (a, out)
        return out

    def screen(self, rows, cols, u, v):
        n_m, n_e = self.source.shape
        return self.source.screen(
            self._lift(rows, self.rows, n_m, take=True),
            self.cols[cols],
            self._lift(u, self.rows, n_m, take=False),
            self._lift(v, self.cols, n_e, take=False),
        )

    def error(self, scale: float) -> float:
        return self.source.error(scale)

    def exact(self, mi, ei):
        return self.source.exact(self.rows[np.asarray(mi)], self.cols[np.asarray(ei)])

    def refine(self, mi, ei, screened):
        return self.source.refine(self.rows[np.asarray(mi)], self.cols[np.asarray(ei)], screened)


@dataclass
class SparseStats:
    """What the sparse path did: sizes, rounds and timings (seconds)."""

    candidates: int = 0
    added: list[int] = field(default_factory=list)
    rounds: int = 0
    screened_pairs: int = 0
    bellman_ford_iterations: int = 0
    pilot: int = 0
    scans: int = 0
    pruned: int = 0
    times: dict[str, float] = field(default_factory=dict)
    duals: tuple | None = None  # (u, v, μ) of the certificate
    cover: tuple | None = None  # (mentors, mentees) in the König cover (``max_matched``)


def _chunks(cols: np.ndarray, n_rows: int, block_elements: int) -> Iterator[np.ndarray]:
    """``cols`` in pieces of at most ``block_elements`` cells against ``n_rows`` rows."""
    step = max(1, block_elements // max(n_rows, 1))
    for start in range(0, len(cols), step):
        yield cols[start : start + step]


def _map(executor, fn, items):
    return map(fn, items) if executor is None else executor.map(fn, items)


def _group_max(block: np.ndarray) -> np.ndarray:
    """Column maxima over each run of ``_GROUP`` rows (the last run may be shorter); a
    reshaped reduction, 4-5× faster than ``np.maximum.reduceat`` on these shapes."""
    n = len(block)
    full = n - n % _GROUP
    out = block[:full].reshape(-1, _GROUP, block.shape[1]).max(axis=1)
    if full < n:
        out = np.vstack((out, block[full:].max(axis=0, keepdims=True)))
    return out


def _mentor_thresholds(source, m_ok, e_ok, k, block_elements, rng, u, v) -> np.ndarray:
    """Per mentor, a score that about ``k`` of its allowed mentees reach (estimated on a
    sample of mentees; min of two group maxima, so at least two sampled mentees reach it)."""
    n_m = source.shape[0]
    pool = np.flatnonzero(e_ok)
    if len(pool) <= 2 * k:  # small cohorts: every allowed pair is a candidate for mentors
        return np.full(n_m, -np.inf, dtype=np.float32)
    size = min(len(pool), math.ceil(2 * len(pool) / max(k, 1)))
    sample = np.sort(rng.choice(pool, size=size, replace=False))
    best = []
    for half in (sample[: size // 2], sample[size // 2 :]):
        acc = np.full(n_m, -np.inf, dtype=np.float32)
        for cols in _chunks(half, n_m, block_elements):
            np.maximum(acc, source.screen(None, cols, u, v).max(axis=1), out=acc)
        best.append(acc)
    thr = np.minimum(best[0], best[1]).astype(np.float32)
    thr[~m_ok] = np.inf
    return thr


def _pilot(source, m_cap, e_cap, policy, size, k, block_elements, gen):
    """Estimated potentials for everyone, from an exact solve on a random sub-cohort.

    The same fraction of each side is drawn, solved (screened scores, keyed rules), and its
    potentials extended to everyone by c-transforms: a mentee's ``v`` is its best
    ``score - u`` over the sampled mentors, then a mentor's ``u`` its best ``score - v``
    over the sampled mentees. Only a ranking hint for the candidates: correctness comes
    from pricing.
    """
    n_m, n_e = source.shape
    frac = size / max(n_m, n_e)
    rows = np.sort(gen.choice(n_m, size=max(1, int(frac * n_m)), replace=False))
    cols = np.sort(gen.choice(n_e, size=max(1, int(frac * n_e)), replace=False))
    sub = source.screen(rows, cols, None, None).astype(np.float64)
    dense = DenseSource(np.maximum(sub, 0.0), sub > INFEASIBLE)
    _, _, _, st = solve_sparse(dense, m_cap[rows], e_cap[cols], policy, k=k, max_rounds=10)
    if st.duals is None:
        return None
    u_s, _, mu = st.duals
    u_s = u_s + mu  # fold the per-pair potential into the mentors (a constant shift)

    def best_minus(rws, cls, u, v, axis):
        out = []
        for chunk in _chunks(cls, n_m if rws is None else len(rws), block_elements):
            block = source.screen(rws, chunk, u, v)
            block[block <= INFEASIBLE - 1e3] = -np.inf
            out.append(block.max(axis=axis))
        return np.concatenate(out) if axis == 0 else np.maximum.reduce(out)

    u_full = np.zeros(n_m)
    u_full[rows] = u_s
    v = best_minus(rows, np.arange(n_e), u_full, None, 0)
    v = np.where(np.isfinite(v), np.maximum(v, 0.0), 0.0)
    u = best_minus(None, cols, None, v, 1)
    u = np.where(np.isfinite(u), np.maximum(u, 0.0), 0.0)
    return u, v


def candidates(
    source, m_ok, e_ok, k, *, block_elements=1 << 24, executor=None, rng=None, prior=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Candidate pairs: each mentee's best ``k`` mentors, each mentor's best (about ``k``)
    mentees; re-scored exactly and filtered by every rule. Returns (mi, ei, scores, screened).

    "Best" is by ``score - u - v`` when ``prior = (u, v)`` estimates the potentials (a pair
    that is good for both, given the competition), else by score."""
    n_m, n_e = source.shape
    gen = np.random.default_rng(rng)
    u, v = prior if prior is not None else (None, None)
    shift = 0.0 if u is None else float(np.abs(u).max(initial=0) + np.abs(v).max(initial=0))
    if shift > -FORBIDDEN / 2:  # potentials too large to tell forbidden pairs apart: no prior
        u = v = None
        shift = 0.0
    delta = source.error(shift)
    floor = INFEASIBLE - shift
    m_thr = _mentor_thresholds(source, m_ok, e_ok, k, block_elements, gen, u, v)
    n_groups = -(-n_m // _GROUP)
    rows_ok = np.flatnonzero(m_ok)
    spread = RANDOM_EDGES if n_groups > k and len(rows_ok) else 0
    drawn = rows_ok[gen.integers(0, max(len(rows_ok), 1), size=(n_e, spread))]

    def one(cols: np.ndarray):
        cols = cols[e_ok[cols]]
        if len(cols) == 0 or n_m == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        block = source.screen(None, cols, u, v)
        if n_groups > k:
            gmax = _group_max(block)
            # k-th largest group maximum: k real values reach it, so the k best do too
            # (partitioned along memory: strided, it cost more than the scan)
            gmax_t = np.ascontiguousarray(gmax.T)
            e_thr = np.partition(gmax_t, n_groups - k, axis=1)[:, n_groups - k]
        else:
            e_thr = np.full(len(cols), -np.inf, dtype=block.dtype)
        keep = block >= (e_thr - delta)[None, :]
        keep |= block >= (m_thr - delta)[:, None]
        keep[drawn[cols], np.arange(len(cols))[:, None]] = True
        flat = np.flatnonzero(keep)  # flat + divmod: several times faster than 2-D nonzero
        r, c = np.divmod(flat, len(cols))
        ok = (block.ravel()[flat] > floor) & m_ok[r]
        return r[ok].astype(np.int64), cols[c[ok]]

    parts = list(_map(executor, one, list(_chunks(np.arange(n_e), n_m, block_elements))))
    mi = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
    ei = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
    s, ok = _exact(source, mi, ei, executor)
    return mi[ok], ei[ok], np.asarray(s, dtype=np.float64)[ok], n_m * int(e_ok.sum())


def _potentials(n_m, n_e, mi, ei, r, used, m_cap, e_cap, policy, max_iter, d0=None):
    """Shortest-path distances from a virtual root in the residual network of the solution.

    Nodes: mentors, mentees, source ``S``, sink ``T``. Costs are ``-r`` on unused pair arcs
    mentor → mentee and ``+r`` on used ones reversed, with ``r`` the integer-rounded scores
    the flow solver optimised: in integers the residual network has no negative cycle, so the
    label-correcting loop ends with exact distances. Returns (d, iterations, converged).

    ``d0``: starting labels (at most 0), e.g. the last round's distances. The root's arcs
    then cost ``d0`` instead of 0, and the loop ends with shortest distances from that root:
    a feasible potential all the same (every residual arc has a non-negative reduced cost),
    which is all the certificate needs, in fewer passes when the network changed little
    (at n = 20 000, 0.23-0.33 s instead of 0.5 s).
    """
    n = n_m + n_e + 2
    S, T = n - 2, n - 1
    deg_m = np.bincount(mi[used], minlength=n_m)
    deg_e = np.bincount(ei[used], minlength=n_e)
    m_idx, e_idx = np.arange(n_m), np.arange(n_e)
    src = [mi[~used], n_m + ei[used]]
    dst = [n_m + ei[~used], mi[used]]
    r = r.astype(np.int64)
    cost = [-r[~used], r[used]]
    for cond, a, b in (
        (deg_m < m_cap, np.full(n_m, S), m_idx),
        (deg_m > 0, m_idx, np.full(n_m, S)),
        (deg_e < e_cap, n_m + e_idx, np.full(n_e, T)),
        (deg_e > 0, np.full(n_e, T), n_m + e_idx),
    ):
        src.append(a[cond])
        dst.append(b[cond])
        cost.append(np.zeros(int(cond.sum()), dtype=np.int64))
    if policy == "max_score":
        flow = int(used.sum())
        src.append(np.array([T] + ([S] if flow else [])))
        dst.append(np.array([S] + ([T] if flow else [])))
        cost.append(np.zeros(1 + bool(flow), dtype=np.int64))
    src_a = np.concatenate(src).astype(np.int64)
    dst_a = np.concatenate(dst).astype(np.int64)
    cost_a = np.concatenate(cost)
    d = np.zeros(n, dtype=np.int64) if d0 is None else np.minimum(d0, 0).astype(np.int64)
    return _relax(src_a, dst_a, cost_a, d, max_iter)


def _relax(src_a, dst_a, cost_a, d, max_iter):
    """Label-correcting shortest paths: lower ``d[dst]`` to ``d[src] + cost`` until no arc
    can (in place). Returns (d, passes, converged)."""
    n = len(d)
    # arcs grouped by tail (CSR): each pass reads only the arcs leaving the changed nodes
    order = np.argsort(src_a, kind="stable")
    dst_a, cost_a = dst_a[order], cost_a[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src_a, minlength=n), out=indptr[1:])
    active = np.arange(n)
    for it in range(1, max_iter + 1):
        starts, counts = indptr[active], indptr[active + 1] - indptr[active]
        total = int(counts.sum())
        if total == 0:
            return d, it, True
        # arc ids of the active nodes: each run starts[a] .. starts[a] + counts[a] - 1
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        arcs = offsets + np.arange(total)
        cand = np.repeat(d[active], counts) + cost_a[arcs]
        tgt = dst_a[arcs]
        better = cand < d[tgt]
        if not better.any():
            return d, it, True
        tgt, cand = tgt[better], cand[better]
        np.minimum.at(d, tgt, cand)
        changed = np.zeros(n, dtype=bool)
        changed[tgt] = True
        active = np.flatnonzero(changed)
    return d, max_iter, False


@dataclass
class _Certificate:
    u: np.ndarray
    v: np.ndarray
    mu: float
    a: np.ndarray  # mentors in the cover (max_matched) — all False for max_score
    b: np.ndarray  # mentees in the cover
    cover_ok: bool


def _certificate(n_m, n_e, mi, ei, s, used, m_cap, e_cap, policy, d) -> _Certificate:
    S, T = n_m + n_e, n_m + n_e + 1
    d_m, d_e = d[:n_m], d[n_m : n_m + n_e]
    u = np.maximum(d_m - d[S], 0.0)
    v = np.maximum(d[T] - d_e, 0.0)
    a = np.zeros(n_m, dtype=bool)
    b = np.zeros(n_e, dtype=bool)
    if policy == "max_score":
        return _Certificate(u, v, 0.0, a, b, True)
    mu = float(d[S] - d[T])
    # König: R = nodes reachable from S in the residual network; cover = mentors not in R
    # and mentees in R (a used pair leaving R puts its capacity-one end in the cover).
    deg_m = np.bincount(mi[used], minlength=n_m)
    in_m = (deg_m < m_cap) & (m_cap > 0)
    in_e = np.zeros(n_e, dtype=bool)
    unused_m, unused_e = mi[~used], ei[~used]
    used_m, used_e = mi[used], ei[used]
    while True:
        new_e = np.zeros(n_e, dtype=bool)
        new_e[unused_e[in_m[unused_m]]] = True
        new_e &= ~in_e
        if not new_e.any():
            break
        in_e |= new_e
        new_m = np.zeros(n_m, dtype=bool)
        new_m[used_m[new_e[used_e]]] = True
        new_m &= ~in_m
        in_m |= new_m
        if not new_m.any():
            break
    a = ~in_m & (m_cap > 0)
    b = in_e.copy()
    cross = in_m[used_m] & ~in_e[used_e]
    if cross.any():
        one_e = e_cap[used_e[cross]] <= 1
        b[used_e[cross][one_e]] = True
        a[used_m[cross][~one_e]] = True
    size = int(m_cap[a].sum() + e_cap[b].sum())
    return _Certificate(u, v, mu, a, b, size == int(used.sum()))


def _kth_largest(block: np.ndarray, k: int) -> np.ndarray:
    """Per column, about the ``k``-th largest value: exact on up to ``16·k`` rows, else the
    matching rank in an evenly spaced sample of that many rows (a contiguous copy, so the
    partition runs along memory: strided, it cost 5× the rest of the scan)."""
    n = len(block)
    step = max(1, n // (16 * k))
    sample = np.ascontiguousarray(block[::step].T)  # columns × sampled rows
    rank = max(1, min(sample.shape[1], round(k * sample.shape[1] / n)))
    return np.partition(sample, sample.shape[1] - rank, axis=1)[:, sample.shape[1] - rank]


def _price(source, cert, policy, m_ok, e_ok, block_elements, executor, margin=0.0, cap=None):
    """Pairs the certificate cannot rule out: (mi, ei, estimate, truncated) — every pair that
    may break the cover or whose reduced cost may exceed ``-margin``, with its score
    estimated within ``δ`` (the refined screen). Exact checks come after, on the pairs that
    need them.

    ``cap``: at most each mentee's ``cap`` best pairs are returned (by the refined screen;
    far from the optimum, after a first cut by the screen itself), which bounds memory: the
    rest would not be added this round anyway. ``truncated`` says whether a pair left out
    might break the cover or have a positive reduced cost: the scan then proves nothing."""
    n_m, n_e = source.shape
    delta = _delta(source, cert)
    rows_all = np.flatnonzero(m_ok)
    if policy == "max_score":
        classes = [(rows_all, None, 1)]
    else:
        rows0, rows1 = rows_all[~cert.a[rows_all]], rows_all[cert.a[rows_all]]
        classes = [(rows0, False, 0), (rows0, True, 1), (rows1, False, 1)]

    def one(cols):
        cols = cols[e_ok[cols]]
        out = []
        cut = False
        for rows, b_side, kind in classes:
            cc = cols if b_side is None else cols[cert.b[cols] == b_side]
            if len(rows) == 0 or len(cc) == 0:
                continue
            if kind == 0:
                block = source.screen(rows, cc, None, None)
                flat = np.flatnonzero(block > INFEASIBLE)
                r, c = np.divmod(flat, len(cc))
                est = source.refine(rows[r], cc[c], block.ravel()[flat].astype(np.float64))
                if cap and len(r) > cap * len(cc):
                    top = _top_per_group(c, est, np.ones(len(c), dtype=bool), cap)
                    cut |= not top.all()  # any cover breaker left out could be the one
                    r, c, est = r[top], c[top], est[top]
            else:
                block = source.screen(rows, cc, cert.u, cert.v)
                thr = cert.mu - delta - margin
                flat = np.flatnonzero(block > thr)
                if cap and len(rows) > 2 * cap and len(flat) > 4 * cap * len(cc):
                    # far from the optimum: first about each mentee's 2·cap best by the
                    # screen, read off a sample of mentors
                    kth = _kth_largest(block, 2 * cap)
                    cut |= bool((kth > cert.mu - delta).any())
                    flat = np.flatnonzero(block >= np.maximum(kth, thr)[None, :])
                r, c = np.divmod(flat, len(cc))
                val = source.refine(rows[r], cc[c], block.ravel()[flat].astype(np.float64))
                keep = val > thr
                r, c, val = r[keep], c[keep], val[keep]
                if cap and len(r) > cap * len(cc) // 4:
                    # each mentee's cap best by the refined value (within δ of exact): a
                    # pair left out may improve only if it is within δ of doing so
                    top = _top_per_group(c, val, np.ones(len(c), dtype=bool), cap)
                    cut |= bool((val[~top] > cert.mu - delta).any())
                    r, c, val = r[top], c[top], val[top]
                est = val + cert.u[rows[r]] + cert.v[cc[c]]
            out.append((rows[r], cc[c], est))
        return out, cut

    blocks = list(_chunks(np.arange(n_e), n_m, block_elements))
    parts = list(_map(executor, one, blocks))
    found = [t for part, _ in parts for t in part]
    truncated = any(cut for _, cut in parts)
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), truncated
    pm, pe, ps = (np.concatenate(x) for x in zip(*found, strict=True))
    return pm, pe, ps, truncated


def solve_sparse(
    source,
    mentor_capacity: np.ndarray,
    mentee_capacity: np.ndarray,
    policy: str,
    *,
    k: int = 32,
    block_elements: int = 1 << 24,
    executor=None,
    rng=None,
    max_rounds: int = 200,
    max_bf_iterations: int = 20_000,
    pilot: int | None = None,
    margin: float = 0.005,
    stats: SparseStats | None = None,
    prior: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, float, str, SparseStats]:
    """Solve over a :class:`ScoreSource`; returns (pairs, bound slack, message, stats).

    ``bound slack`` is ``bound - objective`` (``inf`` when no certificate could be given).
    ``prior``: potentials ``(u, v)`` to rank the candidates by ``score - u - v`` instead of
    the pilot's (a warm start, e.g. the last solve's for nearby scores: at n = 5 000 a warm
    solve took 4.4 s against 6.6–8.5 s when started from the last solve's candidate pairs);
    a ranking hint only, pricing still checks every pair.
    ``pilot``: people per side in the pilot solve that estimates the potentials (0: none);
    by default a tenth of the larger side, between 2 000 and 5 000. A larger pilot ranks
    the first candidates better and saved a round at n = 50 000 (69-73 s instead of
    81-84 s) and 100 000 (301 s instead of 340 s); 8 000 cost more than it saved at 50 000.
    """
    stats = stats or SparseStats()
    n_m, n_e = source.shape
    if pilot is None:
        pilot = min(max(2000, max(n_m, n_e) // 10), 5000)
    # no one takes more partners than the other side has (the König cover counts capacities)
    m_cap = np.minimum(np.asarray(mentor_capacity, dtype=np.int64), n_e)
    e_cap = np.minimum(np.asarray(mentee_capacity, dtype=np.int64), n_m)
    if capacities_on_both_sides(m_cap, e_cap):
        raise SolverError(
            "method 'sparse' cannot solve this problem: capacities above 1 on both sides.",
            method="sparse",
        )
    m_ok, e_ok = m_cap > 0, e_cap > 0
    k_max = max_pairs(m_cap, e_cap)
    t0 = time.perf_counter()
    gen = np.random.default_rng(rng)
    if prior is None and pilot and max(n_m, n_e) > 2 * pilot:
        prior = _pilot(source, m_cap, e_cap, policy, pilot, k, block_elements, gen)
        stats.pilot = pilot
    stats.times["pilot"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    mi, ei, s, screened = candidates(
        source,
        m_ok,
        e_ok,
        k,
        block_elements=block_elements,
        executor=executor,
        rng=gen,
        prior=prior,
    )
    if policy == "max_score":
        pos = s > 0
        mi, ei, s = mi[pos], ei[pos], s[pos]
    stats.screened_pairs += screened
    stats.candidates = len(mi)
    stats.times["candidates"] = time.perf_counter() - t0
    stats.times.setdefault("solve", 0.0)
    stats.times.setdefault("certificate", 0.0)
    stats.times.setdefault("pricing", 0.0)
    message = "sparse: nothing to assign"
    n_cols = max(n_e, 1)
    edge_keys = np.sort(mi * n_cols + ei)
    pool_m = pool_e = np.empty(0, np.int64)
    pool_s = np.empty(0)
    pool_x = np.empty(0, dtype=bool)  # pool_s exact (else an estimate within δ)
    d_last = None  # the last round's distances (in score units): the next round starts there
    scan_added = 0  # pairs the last scan added
    for rnd in range(1, max_rounds + 1):
        stats.rounds = rnd
        t = time.perf_counter()
        if len(mi) and k_max:
            used, rounded, scale, message = flow_on_edges(
                n_m, n_e, mi, ei, s, m_cap, e_cap, policy, k_max
            )
        else:
            used, rounded, scale = np.zeros(len(mi), dtype=bool), np.zeros(len(mi)), 1.0
        stats.times["solve"] += time.perf_counter() - t
        t = time.perf_counter()
        warm = None if d_last is None else np.floor(d_last * scale)
        d, iters, _ = _potentials(
            n_m, n_e, mi, ei, rounded, used, m_cap, e_cap, policy, max_bf_iterations, warm
        )
        d = d_last = d / scale
        stats.bellman_ford_iterations += iters
        cert = _certificate(n_m, n_e, mi, ei, s, used, m_cap, e_cap, policy, d)
        stats.times["certificate"] += time.perf_counter() - t
        t = time.perf_counter()
        last = np.column_stack((mi[used], ei[used]))
        delta = _delta(source, cert)
        if len(pool_m):
            # a cheap round first: the pairs the last scan found near violating
            pool_m, pool_e, pool_s, pool_x = _check(
                source, pool_m, pool_e, pool_s, pool_x, cert, policy, delta, executor=executor
            )
            add, _, _ = _violations(pool_m, pool_e, pool_s, pool_x, cert, policy, k)
            if add.any() and add.sum() >= POOL_MIN * scan_added:
                stats.added.append(int(add.sum()))
                mi, ei, s = (
                    np.concatenate((x, y[add]))
                    for x, y in ((mi, pool_m), (ei, pool_e), (s, pool_s))
                )
                edge_keys = np.sort(np.concatenate((edge_keys, pool_m[add] * n_cols + pool_e[add])))
                pool_m, pool_e, pool_s, pool_x = (x[~add] for x in (pool_m, pool_e, pool_s, pool_x))
                stats.times["pricing"] += time.perf_counter() - t
                continue

        for cap in (8 * k, None):
            t_scan = time.perf_counter()
            pm, pe, ps, truncated = _price(
                source, cert, policy, m_ok, e_ok, block_elements, executor, margin, cap=cap
            )
            stats.screened_pairs += n_m * n_e
            stats.scans += 1
            t_check = time.perf_counter()
            stats.times["scan_time"] = stats.times.get("scan_time", 0.0) + t_check - t_scan
            # drop pairs already among the edges; exact scores where a pair may be added
            fresh = ~_member(pm * n_cols + pe, edge_keys)
            unchecked = np.zeros(int(fresh.sum()), dtype=bool)
            pm, pe, ps, px = _check(
                source,
                pm[fresh],
                pe[fresh],
                ps[fresh],
                unchecked,
                cert,
                policy,
                delta,
                NEAR,
                executor,
            )
            stats.times["exact_time"] = (
                stats.times.get("exact_time", 0.0) + time.perf_counter() - t_check
            )
            add, red, kind = _violations(pm, pe, ps, px, cert, policy, k, NEAR)
            if add.any() or not truncated:
                break
            # the capped scan proves nothing: scan again without the cap (rare). Capping
            # harder (from cap pairs per mentee on average, or exact checks of 2k per
            # mentee) took more rounds and scans at n = 50 000: 315 s instead of 290 s.
        stats.times["pricing"] += time.perf_counter() - t
        if not add.any():
            # unconverged potentials still give a valid (looser) bound; no cover gives none.
            # Estimated pairs have reduced cost at most -δ + δ = 0: only exact ones count.
            slack = _slack(mi, ei, s, used, m_cap, e_cap, cert, policy, red[(kind == 1) & px])
            if not cert.cover_ok:
                slack = math.inf
            stats.duals = (cert.u, cert.v, cert.mu)
            stats.cover = (cert.a, cert.b)
            return last, slack, f"sparse + pricing ({rnd} round(s)); {message}", stats
        scan_added = int(add.sum())
        stats.added.append(scan_added)
        near = ~add & (kind == 1) & (red > -margin)
        near &= _top_per_group(pe, red, near, 8 * k)
        pool_m, pool_e, pool_s, pool_x = pm[near], pe[near], ps[near], px[near]
        if PRUNE is not None:
            # unused edges far below zero reduced cost leave the graph (pricing brings any
            # back that could matter): smaller flow solves and shortest-path passes
            red_e = _reduced(s, mi, ei, cert)
            stay = used | (_kinds(mi, ei, cert, policy) != 1) | (red_e > -PRUNE)
            stats.pruned += int((~stay).sum())
            mi, ei, s = mi[stay], ei[stay], s[stay]
        mi = np.concatenate((mi, pm[add]))
        ei = np.concatenate((ei, pe[add]))
        s = np.concatenate((s, ps[add]))
        edge_keys = np.sort(mi * n_cols + ei)
    return last, math.inf, f"sparse: pricing did not settle in {max_rounds} rounds", stats


def _delta(source, cert) -> float:
    """The screen's error bound at the certificate's potentials."""
    return source.error(float(cert.u.max(initial=0.0) + cert.v.max(initial=0.0) + abs(cert.mu)))


def _reduced(s, mi, ei, cert) -> np.ndarray:
    """Reduced costs ``s - u - v - μ`` of the pairs ``(mi[k], ei[k])`` with scores ``s``."""
    return s - cert.u[mi] - cert.v[ei] - cert.mu


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Which ``keys`` are in ``sorted_keys`` (binary search; no hashing of the large side)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[pos] == keys


def _exact(source, mi, ei, executor=None, chunk=1 << 19):
    """``source.exact`` in chunks on the executor (numpy releases the GIL: at n = 100 000 the
    exact checks were a tenth of the time, on one core)."""
    if len(mi) <= chunk:
        return source.exact(mi, ei)
    starts = range(0, len(mi), chunk)
    parts = list(
        _map(executor, lambda s: source.exact(mi[s : s + chunk], ei[s : s + chunk]), starts)
    )
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _check(source, pm, pe, ps, exact, cert, policy, delta, near=0.0, executor=None):
    """Exact scores (and every rule) for the pairs that may be added: those that may break
    the cover, or whose reduced cost may exceed ``-near`` (estimates are within ``δ``).
    Returns the pairs kept (rules that look at identities drop some), their scores and
    which of them are exact."""
    red = _reduced(ps, pm, pe, cert)
    kind = _kinds(pm, pe, cert, policy)
    need = ~exact & ((kind == 0) | ((kind == 1) & (red > -delta - near)))
    idx = np.flatnonzero(need)
    if len(idx) == 0:
        return pm, pe, ps, exact
    s_exact, ok = _exact(source, pm[idx], pe[idx], executor)
    ps, exact = ps.copy(), exact.copy()
    ps[idx] = s_exact
    exact[idx] = True
    keep = np.ones(len(pm), dtype=bool)
    keep[idx[~ok]] = False
    return pm[keep], pe[keep], ps[keep], exact[keep]


def _violations(pm, pe, ps, exact, cert, policy, k, near=0.0):
    """Which feasible pairs to add: (mask of at most ``k`` per mentee, reduced costs, kind).
    Only pairs whose score is ``exact`` (checked against every rule) are added.

    kind 0: the pair would break the cover (one more pair may be possible); kind 1: its
    reduced cost ``s - u - v - μ`` counts; kind 2: both ends in the cover, nothing to check.
    """
    red = _reduced(ps, pm, pe, cert)
    kind = _kinds(pm, pe, cert, policy)
    breaks_cover = kind == 0
    add = exact & (breaks_cover | ((kind == 1) & (red > PRICE_TOL)))
    if add.any() and near > 0:
        # with violations to fix, pairs just short of violating join too (saves rounds)
        add |= exact & (kind == 1) & (red > -near)
    if add.any():
        # per mentee: the cover breakers (best score first), then the largest reduced costs
        prio = np.where(breaks_cover, 1e6 + ps, red)
        add &= _top_per_group(pe, prio, add, k)
    return add, red, kind


def _kinds(mi, ei, cert, policy) -> np.ndarray:
    """Per pair, how many of its ends are in the cover (always 1 for ``max_score``)."""
    if policy == "max_score":
        return np.ones(len(mi), dtype=np.int8)
    return (cert.a[mi].astype(np.int8) + cert.b[ei].astype(np.int8)).astype(np.int8)


def _top_per_group(groups, values, mask, k) -> np.ndarray:
    """Mask of the ``k`` largest ``values`` per group among entries where ``mask`` is set."""
    idx = np.flatnonzero(mask)
    order = idx[np.lexsort((-values[idx], groups[idx]))]
    g = groups[order]
    first = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    out = np.zeros(len(mask), dtype=bool)
    out[order[rank < k]] = True
    return out


def _slack(mi, ei, s, used, m_cap, e_cap, cert, policy, outside_reduced) -> float:
    """``bound - objective`` as a sum of non-negative terms (see the module docstring)."""
    n_m, n_e = len(m_cap), len(e_cap)
    deg_m = np.bincount(mi[used], minlength=n_m)
    deg_e = np.bincount(ei[used], minlength=n_e)
    red = _reduced(s, mi, ei, cert)
    tight = _kinds(mi, ei, cert, policy) == 1
    inside = float(np.maximum(-red[used], 0.0).sum())
    unused_edges = float(np.maximum(red[~used & tight], 0.0).sum())
    spare = float(((m_cap - deg_m) * cert.u).sum() + ((e_cap - deg_e) * cert.v).sum())
    outside = float(np.maximum(outside_reduced, 0.0).sum())
    return inside + unused_edges + spare + outside


class SparseBackend:
    """``assign`` backend: the sparse path over an in-memory matrix (for testing and for
    matrices whose dense solve is slow); :func:`rm_match.match` uses it without the matrix."""

    name = "sparse"

    def unsupported(self, problem: ArrayProblem) -> str | None:
        if capacities_on_both_sides(problem.mentor_capacity, problem.mentee_capacity):
            return "capacities above 1 on both sides"
        return None

    def solve(self, problem: ArrayProblem, *, k: int = 32) -> tuple[np.ndarray, float, str]:
        scores = problem.scores
        if problem.policy == "max_matched" and problem.feasible.any():
            # screening reads scores at or below INFEASIBLE as forbidden; every answer has the
            # most pairs, so a constant per pair changes no choice (and no slack)
            low = float(scores[problem.feasible].min())
            if low < 0.0:
                scores = scores - low
        source = DenseSource(scores, problem.feasible)
        pairs, slack, message, _ = solve_sparse(
            source,
            problem.mentor_capacity,
            problem.mentee_capacity,
            problem.policy,
            k=k,
            rng=problem.rng,
        )
        return pairs, slack, message


backend = SparseBackend()
