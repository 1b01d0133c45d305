"""Compiled kernels of the sparse path (the ``fast`` extra: ``pip install rm-match[fast]``,
numba). Optional: without numba the plain numpy code runs, with the same answers.

- :func:`relax`: the certificate's shortest paths as a queue-based label-correcting loop
  (each node re-examined only when its label fell), where the plain :func:`._relax` does
  whole passes over the arcs of every node that changed. Shortest distances are unique, so
  both give the same labels.
- :func:`pair_scores`: the exact score of given pairs in one loop over the pairs (the terms'
  arrays read in place, no gathered rows), from the arrays :func:`rm_match.terms.fused_scores`
  prepares; the same scores as the terms' numpy code to rounding (a different order of
  additions: within 1e-15 on scores in [0, 1]). At n = 20 000 per side 5–8× faster on
  random pairs (about 0.1 µs per pair against 0.5–0.8 µs).
- :func:`residual` and :func:`warm`: a flow's residual network in CSR order (a counting
  sort) and successive shortest paths on it, for the warm re-solves of :mod:`.warm`.
- :func:`auction` and :func:`group`: an ε-scaling auction over a graph grouped by person (a
  counting sort), for the one-to-one rounds of :mod:`.auction`.
- :func:`select` and :func:`group_max`: the candidate pass's cuts of each screened block in
  one pass each (the same cells as its numpy comparisons; a third of their time), and
  :func:`masked_max` the pilot's extension of its potentials to everyone.

Numba compiles a kernel on its first call in a process (about a second; cached on disk where
the package directory is writable, and then importing numba and loading the kernel still
take about a second): the kernels load only for work large enough for that to pay
(:data:`MIN_ARCS`; the scorer: :data:`MIN_CELLS`). Once loaded — by such work, or by
:func:`load` at a service's start — they run on every graph of :data:`MIN_ARCS_LOADED` arcs
or more and every score source. ``RM_MATCH_FAST=0`` in the environment turns them off.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

#: Graphs with fewer arcs use the plain code unless the kernels are loaded already (loading
#: them would cost more than they save).
MIN_ARCS = 1_000_000
#: Once loaded, the kernels run on graphs of this many arcs or more (below, the numpy code's
#: few passes are as quick).
MIN_ARCS_LOADED = 10_000
#: Score sources of fewer pairs (mentors × mentees) score pairs with the terms' numpy code
#: unless the kernels are loaded already: from 20 000 per side the sparse path scores
#: millions of pairs exactly (candidates and pricing checks), several seconds in numpy.
MIN_CELLS = 400_000_000

_kernels: dict[str, Callable[..., Any]] = {}
_numba: Any = None
_tried = False
_lock = threading.Lock()


def enabled() -> bool:
    """Whether the compiled kernels run: numba importable, not turned off (loads them)."""
    return _allowed() and _load() is not None


def _allowed() -> bool:
    return os.environ.get("RM_MATCH_FAST", "1") != "0"


def load() -> bool:
    """Load the kernels now (importing numba, compiling or reading them from the disk cache):
    for a service, at its start, so that no request pays for it and graphs from
    :data:`MIN_ARCS_LOADED` arcs (and every score source) use them. Whether they are
    available."""
    if not _allowed() or _load() is None:
        return False
    relax(
        np.zeros(2, dtype=np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(1, dtype=np.int64),
        1,
    )
    pair_scores(np.zeros(1, np.int64), np.zeros(1, np.int64), empty_terms(1, 1))
    one = np.ones(1, np.int64)
    indptr, tail, head, twin, cost, res, _ = residual(
        np.zeros(1, np.int64), one, one, np.zeros(1, np.int64), one, 2
    )
    warm(indptr, tail, head, twin, cost, res, np.zeros(2, np.int64), np.zeros(2, np.int64), 1)
    reach(indptr, head, res, 0, 1, 0)
    at, _ = group(np.zeros(1, np.int64), 1)
    auction(at, np.zeros(1, np.int64), one, np.zeros(1, np.int64), -one, -one.copy(), 1, 8, 8, 1)
    relax(
        np.zeros(2, dtype=np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(1, dtype=np.int64),
        1,
        np.zeros(1),
    )
    cell = np.zeros((1, 1), np.float32)
    select(cell, np.zeros(1, np.float32), np.zeros(1, np.float32), -1.0)
    group_max(cell, 1)
    masked_max(cell, -1.0, 0)
    return True


def use_for(arcs: int) -> bool:
    """Whether a graph of ``arcs`` arcs takes the kernels (loading them if it is large)."""
    if not _allowed():
        return False
    if arcs >= MIN_ARCS:
        return _load() is not None
    return arcs >= MIN_ARCS_LOADED and "relax" in _kernels


def use_scorer(cells: int) -> bool:
    """Whether a score source of ``cells`` pairs scores pairs with :func:`pair_scores`
    (loading the kernel if the source is large: :data:`MIN_CELLS`)."""
    if not _allowed():
        return False
    if "scores" in _kernels:
        return True
    return cells >= MIN_CELLS and _kernel("scores") is not None


def _load() -> Callable[..., Any] | None:
    return _kernel("relax")


def _kernel(name: str) -> Callable[..., Any] | None:
    """The compiled kernel ``name`` (built on first use; None without numba)."""
    global _numba, _tried
    with _lock:  # sources score pairs on several threads at once
        if name in _kernels:
            return _kernels[name]
        if not _tried:
            _tried = True
            try:
                import numba

                _numba = numba
            except ImportError:
                _numba = None
        if _numba is None:
            return None
        _kernels[name] = _BUILD[name](_numba)
        return _kernels[name]


def _build_relax(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def spfa(indptr, dst, cost, d, max_pops):  # pragma: no cover - compiled
        n = len(d)
        queued = np.ones(n, dtype=np.bool_)
        queue = np.arange(n)
        head = 0
        size = n
        pops = 0
        while size > 0:
            node = queue[head]
            head += 1
            if head == n:
                head = 0
            size -= 1
            queued[node] = False
            pops += 1
            if pops > max_pops:
                return pops, False
            base = d[node]
            for a in range(indptr[node], indptr[node + 1]):
                to = dst[a]
                label = base + cost[a]
                if label < d[to]:
                    d[to] = label
                    if not queued[to]:
                        queued[to] = True
                        tail = head + size
                        if tail >= n:
                            tail -= n
                        queue[tail] = to
                        size += 1
        return pops, True

    return spfa


def _build_scores(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def scores(
        mi, ei, out, w, lam, lm, le, ib_m, ic_m, ib_e, ic_e, lb_m, lb_e, tz_m, tz_e, c_m, c_e, pop
    ):  # pragma: no cover - compiled
        d = lm.shape[1] // 2
        n_i, n_l, n_a = ib_m.shape[1], lb_m.shape[1], c_m.shape[1]
        for p in range(len(mi)):
            i = mi[p]
            j = ei[p]
            acc = 0.0
            if w[0] != 0.0:  # learning: (forward + λ·reverse) / (1 + λ), at most 1
                fw = 0.0
                rv = 0.0
                for k in range(d):
                    fw += lm[i, k] * le[j, k]
                for k in range(d, 2 * d):
                    rv += lm[i, k] * le[j, k]
                v = (fw + lam * rv) / (1.0 + lam)
                acc += min(v, 1.0) * w[0]
            if w[1] != 0.0:  # interests: Jaccard of the two sets (0 when both are empty)
                inter = 0
                for k in range(n_i):
                    inter += pop[ib_m[i, k] & ib_e[j, k]]
                union = ic_m[i] + ic_e[j] - inter
                if union > 0:
                    acc += inter / union * w[1]
            if w[2] != 0.0:  # language: one in common
                for k in range(n_l):
                    if lb_m[i, k] & lb_e[j, k]:
                        acc += w[2]
                        break
            if w[3] != 0.0:  # time zone: 1 - Δ/12 (0 where either is missing)
                x = abs(tz_m[i] - tz_e[j])
                if x == x:
                    if x >= 24.0:
                        x = np.fmod(x, 24.0)
                    x = min(x, 24.0 - x)
                    acc += (1.0 - x / 12.0) * w[3]
            if w[4] != 0.0:  # diversity: share of the attributes that differ (both known)
                diff = 0
                for k in range(n_a):
                    a = c_m[i, k]
                    b = c_e[j, k]
                    if a != b and a >= 0 and b >= 0:
                        diff += 1
                acc += diff / n_a * w[4]
            out[p] = acc

    return scores


def _build_warm(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def warm(indptr, tail, head, twin, cost, res, pi, excess, budget):  # pragma: no cover
        """Successive shortest paths from each node with an excess to the nearest node with
        a deficit (Dijkstra on the reduced costs ``cost + pi[tail] - pi[head]``, all >= 0),
        over residual arcs in CSR order (``twin``: the reverse arc's position). Returns
        (settled, heap pops)."""
        n = len(pi)
        inf = np.iinfo(np.int64).max
        dist = np.full(n, inf, dtype=np.int64)
        pred = np.full(n, -1, dtype=np.int64)  # the residual arc into the node
        done = np.zeros(n, dtype=np.bool_)
        touched = np.empty(n, dtype=np.int64)
        heap_k = np.empty(1024, dtype=np.int64)
        heap_v = np.empty(1024, dtype=np.int64)
        pops = 0
        sources = np.flatnonzero(excess > 0)
        units = 0  # excess to move, and moved so far
        for s in sources:
            units += excess[s]
        moved = 0
        for s in sources:
            while excess[s] > 0:
                n_t = 1
                touched[0] = s
                dist[s] = 0
                heap_k[0] = 0
                heap_v[0] = s
                size = 1
                target = -1
                best = inf  # the nearest deficit reached so far (final once the heap's
                best_t = -1  # smallest key is not below it)
                while size > 0:
                    key = heap_k[0]
                    node = heap_v[0]
                    if key >= best:
                        break
                    size -= 1
                    if size > 0:  # sift the last entry down from the root
                        lk = heap_k[size]
                        lv = heap_v[size]
                        pos = 0
                        while True:
                            child = 2 * pos + 1
                            if child >= size:
                                break
                            if child + 1 < size and heap_k[child + 1] < heap_k[child]:
                                child += 1
                            if heap_k[child] >= lk:
                                break
                            heap_k[pos] = heap_k[child]
                            heap_v[pos] = heap_v[child]
                            pos = child
                        heap_k[pos] = lk
                        heap_v[pos] = lv
                    if done[node] or key > dist[node]:
                        continue  # a stale entry
                    done[node] = True
                    pops += 1
                    if pops > budget:
                        best_t = -1
                        break
                    pu = pi[node]
                    for q in range(indptr[node], indptr[node + 1]):
                        if res[q] <= 0:
                            continue
                        v = head[q]
                        if done[v]:
                            continue
                        nd = key + cost[q] + pu - pi[v]
                        if nd < dist[v]:
                            if dist[v] == inf:
                                touched[n_t] = v
                                n_t += 1
                            dist[v] = nd
                            pred[v] = q
                            if excess[v] < 0 and nd < best:
                                best = nd
                                best_t = v
                            if size == len(heap_k):
                                heap_k = np.concatenate((heap_k, np.empty(size, np.int64)))
                                heap_v = np.concatenate((heap_v, np.empty(size, np.int64)))
                            pos = size
                            size += 1
                            while pos > 0:
                                parent = (pos - 1) // 2
                                if heap_k[parent] <= nd:
                                    break
                                heap_k[pos] = heap_k[parent]
                                heap_v[pos] = heap_v[parent]
                                pos = parent
                            heap_k[pos] = nd
                            heap_v[pos] = v
                target = best_t
                if target >= 0:
                    done[target] = True  # its distance is final: nothing left is nearer
                    dt = dist[target]
                    # settled nodes move by their distance less the target's: the reduced
                    # costs stay >= 0 and the path's become 0
                    for k in range(n_t):
                        x = touched[k]
                        if done[x]:
                            pi[x] += dist[x] - dt
                    amount = min(excess[s], -excess[target])
                    x = target
                    while x != s:
                        q = pred[x]
                        amount = min(amount, res[q])
                        x = tail[q]
                    x = target
                    while x != s:
                        q = pred[x]
                        res[q] -= amount
                        res[twin[q]] += amount
                        x = tail[q]
                    excess[s] -= amount
                    excess[target] += amount
                    moved += amount
                for k in range(n_t):
                    x = touched[k]
                    dist[x] = inf
                    done[x] = False
                    pred[x] = -1
                if target < 0:
                    return False, pops
                if moved >= 8 and pops * units > budget * moved:
                    return False, pops  # at this rate the budget will not do
        return True, pops

    return warm


def _build_residual(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def residual(tail_f, head_f, cap_f, flow_f, cost_f, n):  # pragma: no cover - compiled
        """The residual arcs of a flow in CSR order by tail (a counting sort): arc ``a``
        gives a forward arc (what it can still take) and a reverse one (its flow)."""
        m = 2 * len(tail_f)
        indptr = np.zeros(n + 1, dtype=np.int64)
        for a in range(len(tail_f)):
            indptr[tail_f[a] + 1] += 1
            indptr[head_f[a] + 1] += 1
        for k in range(n):
            indptr[k + 1] += indptr[k]
        fill = indptr[:-1].copy()
        tail = np.empty(m, np.int64)
        head = np.empty(m, np.int64)
        cost = np.empty(m, np.int64)
        res = np.empty(m, np.int64)
        twin = np.empty(m, np.int64)
        fwd = np.empty(len(tail_f), np.int64)  # each arc's forward position
        for a in range(len(tail_f)):
            t, h = tail_f[a], head_f[a]
            p, q = fill[t], fill[h]
            fill[t] += 1
            fill[h] += 1
            tail[p], head[p], cost[p], res[p], twin[p] = t, h, cost_f[a], cap_f[a] - flow_f[a], q
            tail[q], head[q], cost[q], res[q], twin[q] = h, t, -cost_f[a], flow_f[a], p
            fwd[a] = p
        return indptr, tail, head, twin, cost, res, fwd

    return residual


def _build_reach(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def reach(indptr, head, res, skip_a, skip_b, s):  # pragma: no cover - compiled
        """The nodes reached from ``s`` over arcs with residual capacity (but two)."""
        n = len(indptr) - 1
        seen = np.zeros(n, dtype=np.bool_)
        stack = np.empty(n, dtype=np.int64)
        seen[s] = True
        stack[0] = s
        top = 1
        while top > 0:
            top -= 1
            node = stack[top]
            for q in range(indptr[node], indptr[node + 1]):
                if res[q] > 0 and q != skip_a and q != skip_b:
                    v = head[q]
                    if not seen[v]:
                        seen[v] = True
                        stack[top] = v
                        top += 1
        return seen

    return reach


def _build_auction(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def auction(
        indptr, obj, benefit, price, owner, assigned, eps0, theta, max_bids, big
    ):  # pragma: no cover - compiled
        """Forward auction with ε-scaling (Gauss–Seidel: one bidder at a time). Persons
        ``p`` (rows of the CSR ``indptr``) bid for objects ``obj`` of value ``benefit -
        price``; ``owner`` / ``assigned`` hold the assignment both ways (-1: none) and,
        with ``price``, are moved in place. Each phase first frees every assigned person
        not within ε of its best value. Returns (status, bids, phases): 0 done at ε = 1,
        -1 a person has no object, -2 a price past 2⁶², -3 more than ``max_bids`` bids."""
        none = np.int64(-(1 << 62))
        cap = np.int64(1 << 62)
        n_p = len(indptr) - 1
        stack = np.empty(n_p, np.int64)
        eps = max(np.int64(1), eps0)
        bids = 0
        phases = 0
        while True:
            phases += 1
            top = 0
            for p in range(n_p):
                if indptr[p] == indptr[p + 1]:
                    continue  # no edge: not a bidder
                j = assigned[p]
                if j < 0:
                    stack[top] = p
                    top += 1
                    continue
                own = none
                best = none
                for e in range(indptr[p], indptr[p + 1]):
                    val = benefit[e] - price[obj[e]]
                    if obj[e] == j and val > own:
                        own = val
                    if val > best:
                        best = val
                if own < best - eps:
                    owner[j] = -1
                    assigned[p] = -1
                    stack[top] = p
                    top += 1
            while top > 0:
                top -= 1
                p = stack[top]
                best = none
                second = none
                bj = -1
                for e in range(indptr[p], indptr[p + 1]):
                    val = benefit[e] - price[obj[e]]
                    if val > best:
                        second = best
                        best = val
                        bj = obj[e]
                    elif val > second:
                        second = val
                if bj < 0:
                    return -1, bids, phases
                if second == none:
                    second = best - big  # one object: bid it well above the rest
                price[bj] += best - second + eps
                if price[bj] > cap:
                    return -2, bids, phases
                old = owner[bj]
                owner[bj] = p
                assigned[p] = bj
                if old >= 0:
                    assigned[old] = -1
                    stack[top] = old
                    top += 1
                bids += 1
                if bids > max_bids:
                    return -3, bids, phases
            if eps == 1:
                return 0, bids, phases
            eps = max(np.int64(1), eps // theta)

    return auction


def _build_group(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def group(keys, n):  # pragma: no cover - compiled
        """A counting sort of ``keys`` in ``[0, n)``: (indptr, order), stable."""
        indptr = np.zeros(n + 1, dtype=np.int64)
        for k in keys:
            indptr[k + 1] += 1
        for k in range(n):
            indptr[k + 1] += indptr[k]
        fill = indptr[:-1].copy()
        order = np.empty(len(keys), np.int64)
        for i in range(len(keys)):
            order[fill[keys[i]]] = i
            fill[keys[i]] += 1
        return indptr, order

    return group


def _build_select(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def select(block, col_thr, row_thr, floor):  # pragma: no cover - compiled
        """Flat (row-major) indices of the cells ``x`` of ``block`` with ``x >= col_thr[col]``
        or ``x >= row_thr[row]``, and ``x > floor``: rows are counted first (a loop the
        compiler vectorises), read again only where they hold one."""
        n, w = block.shape
        out = np.empty(1024, np.int64)
        cnt = 0
        for i in range(n):
            row = block[i]
            rt = row_thr[i]
            hits = 0
            for j in range(w):
                x = row[j]
                hits += (x >= col_thr[j]) | (x >= rt)
            if hits == 0:
                continue
            if cnt + hits > len(out):
                bigger = np.empty(max(2 * len(out), cnt + hits), np.int64)
                bigger[:cnt] = out[:cnt]
                out = bigger
            for j in range(w):
                x = row[j]
                if ((x >= col_thr[j]) | (x >= rt)) and x > floor:
                    out[cnt] = i * w + j
                    cnt += 1
        return out[:cnt]

    return select


def _build_group_max(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def group_max(block, group):  # pragma: no cover - compiled
        """Column maxima over each run of ``group`` rows (the last may be shorter)."""
        n, w = block.shape
        n_groups = (n + group - 1) // group
        out = np.empty((n_groups, w), block.dtype)
        for g in range(n_groups):
            o = out[g]
            o[:] = block[g * group]
            for i in range(g * group + 1, min(n, (g + 1) * group)):
                row = block[i]
                for j in range(w):
                    o[j] = max(o[j], row[j])
        return out

    return group_max


def _build_guided(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def sift_down(keys, nodes, vals, i, size):  # pragma: no cover - compiled
        """Move entry ``i`` of the heap's first ``size`` down to its place."""
        while True:
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and keys[c + 1] < keys[c]:
                c += 1
            if keys[c] >= keys[i]:
                break
            keys[i], keys[c] = keys[c], keys[i]
            nodes[i], nodes[c] = nodes[c], nodes[i]
            vals[i], vals[c] = vals[c], vals[i]
            i = c

    @numba.njit(cache=True, nogil=True)
    def guided(indptr, dst, cost, d, guide, max_pops):  # pragma: no cover - compiled
        """Label-correcting shortest paths that visit the node of least ``d - guide`` first
        (a binary heap; stale entries skipped): Dijkstra on the reduced costs when
        ``guide`` is a potential, and still exact when it is not (a node is visited again
        whenever its label falls)."""
        n = len(d)
        cap = 2 * n + 16
        keys = np.empty(cap, np.float64)
        nodes = np.empty(cap, np.int64)
        vals = np.empty(cap, np.int64)  # the label an entry was pushed with
        size = 0
        for v in range(n):  # every node starts as the queue does: a heap by key
            keys[size] = d[v] - guide[v]
            nodes[size] = v
            vals[size] = d[v]
            size += 1
        for start in range(size // 2 - 1, -1, -1):
            sift_down(keys, nodes, vals, start, size)
        pops = 0
        while size > 0:
            node = nodes[0]
            val = vals[0]
            size -= 1
            keys[0], nodes[0], vals[0] = keys[size], nodes[size], vals[size]
            sift_down(keys, nodes, vals, 0, size)
            if val != d[node]:
                continue  # stale: the node was pushed again with a lower label
            pops += 1
            if pops > max_pops:
                return pops, False
            for a in range(indptr[node], indptr[node + 1]):
                to = dst[a]
                label = val + cost[a]
                if label < d[to]:
                    d[to] = label
                    if size == len(keys):
                        keys = np.concatenate((keys, np.empty(size, np.float64)))
                        nodes = np.concatenate((nodes, np.empty(size, np.int64)))
                        vals = np.concatenate((vals, np.empty(size, np.int64)))
                    i = size
                    keys[i], nodes[i], vals[i] = label - guide[to], to, label
                    size += 1
                    while i > 0:
                        parent = (i - 1) // 2
                        if keys[parent] <= keys[i]:
                            break
                        keys[i], keys[parent] = keys[parent], keys[i]
                        nodes[i], nodes[parent] = nodes[parent], nodes[i]
                        vals[i], vals[parent] = vals[parent], vals[i]
                        i = parent
        return pops, True

    return guided


def _build_masked_max(numba: Any) -> Callable[..., Any]:
    @numba.njit(cache=True, nogil=True)
    def masked_max(block, floor, axis):  # pragma: no cover - compiled
        """Maxima of ``block`` along ``axis`` over the cells above ``floor`` (-inf where
        none is), in float64."""
        n, w = block.shape
        out = np.full(w if axis == 0 else n, -np.inf)
        for i in range(n):
            row = block[i]
            if axis == 0:
                for j in range(w):
                    x = row[j]
                    if x > floor and x > out[j]:
                        out[j] = x
            else:
                best = -np.inf
                for j in range(w):
                    x = row[j]
                    if x > floor and x > best:
                        best = x
                out[i] = best
        return out

    return masked_max


_BUILD: dict[str, Callable[[Any], Callable[..., Any]]] = {
    "relax": _build_relax,
    "scores": _build_scores,
    "warm": _build_warm,
    "residual": _build_residual,
    "reach": _build_reach,
    "auction": _build_auction,
    "group": _build_group,
    "select": _build_select,
    "group_max": _build_group_max,
    "guided": _build_guided,
    "masked_max": _build_masked_max,
}


def relax(
    indptr: np.ndarray,
    dst: np.ndarray,
    cost: np.ndarray,
    d: np.ndarray,
    max_passes: int,
    guide: np.ndarray | None = None,
) -> tuple[np.ndarray, int, bool]:
    """Shortest distances over the arcs in CSR form (``indptr`` by tail, ``dst``, ``cost``),
    lowering ``d`` in place from its starting labels; at most ``max_passes`` node visits per
    node on average. Returns ``(d, passes, converged)`` as :func:`._relax` does (``passes``:
    node visits over the number of nodes, rounded up).

    ``guide``: a potential, or nearly one (per node; e.g. an auction's prices), to visit
    the nodes in order of ``d - guide`` (a heap) instead of a FIFO queue: nearly Dijkstra's
    one visit per node where the FIFO made 40-50. The labels are the same either way
    (shortest distances are unique); a poor guide costs only visits."""
    kernel = _load()
    assert kernel is not None, "numba is not installed (the fast extra)"
    n = len(d)
    budget = max(1, max_passes) * max(n, 1)
    if guide is not None:
        guided = _kernel("guided")
        assert guided is not None
        pops, converged = guided(indptr, dst, cost, d, np.asarray(guide, np.float64), budget)
    else:
        pops, converged = kernel(indptr, dst, cost, d, budget)
    return d, -(-int(pops) // max(n, 1)), bool(converged)


def warm(
    indptr: np.ndarray,
    tail: np.ndarray,
    head: np.ndarray,
    twin: np.ndarray,
    cost: np.ndarray,
    res: np.ndarray,
    pi: np.ndarray,
    excess: np.ndarray,
    budget: int,
) -> tuple[bool, int]:
    """Successive shortest paths over residual arcs in CSR order (``indptr`` by tail; arc
    ``q``'s reverse at ``twin[q]``) until no node has an excess, moving ``res``, ``pi`` and
    ``excess`` in place (see :mod:`.warm`). Returns ``(done, heap pops)``; not done when
    ``budget`` pops ran out, or once 8 units have moved, when the pops so far per unit
    moved say the rest will not fit in it."""
    kernel = _kernel("warm")
    assert kernel is not None, "numba is not installed (the fast extra)"
    done, pops = kernel(indptr, tail, head, twin, cost, res, pi, excess, budget)
    return bool(done), int(pops)


def residual(
    tail: np.ndarray, head: np.ndarray, cap: np.ndarray, flow: np.ndarray, cost: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The residual network of a flow on arcs ``tail → head`` (``cap``, ``flow``, ``cost``)
    over ``n`` nodes, in CSR order by tail: ``(indptr, tail, head, twin, cost, res, fwd)``
    with ``twin`` each residual arc's reverse and ``fwd`` each arc's forward position."""
    kernel = _kernel("residual")
    assert kernel is not None, "numba is not installed (the fast extra)"
    indptr, tail_s, head_s, twin, cost_s, res, fwd = kernel(tail, head, cap, flow, cost, n)
    return indptr, tail_s, head_s, twin, cost_s, res, fwd


def reach(
    indptr: np.ndarray, head: np.ndarray, res: np.ndarray, skip_a: int, skip_b: int, s: int
) -> np.ndarray:
    """Which nodes ``s`` reaches over the residual arcs in CSR order with capacity left,
    arcs ``skip_a`` and ``skip_b`` left out (a mask)."""
    kernel = _kernel("reach")
    assert kernel is not None, "numba is not installed (the fast extra)"
    seen: np.ndarray = kernel(indptr, head, res, int(skip_a), int(skip_b), int(s))
    return seen


def auction(
    indptr: np.ndarray,
    obj: np.ndarray,
    benefit: np.ndarray,
    price: np.ndarray,
    owner: np.ndarray,
    assigned: np.ndarray,
    eps0: int,
    theta: int,
    max_bids: int,
    big: int,
) -> tuple[int, int, int]:
    """An ε-scaling forward auction over persons in CSR form (``indptr``; their objects
    ``obj`` and integer ``benefit``), from ε = ``eps0`` down to 1, dividing by ``theta``;
    ``price``, ``owner`` and ``assigned`` (-1: none) start it and are moved in place. A
    person with one object bids ``big`` above it. Returns ``(status, bids, phases)``:
    status 0 when every person with an object holds one at ε = 1, negative when it gave up
    (a person without objects, a price past 2⁶², or ``max_bids`` bids spent) — see
    :mod:`.auction`."""
    kernel = _kernel("auction")
    assert kernel is not None, "numba is not installed (the fast extra)"
    status, bids, phases = kernel(
        indptr, obj, benefit, price, owner, assigned, int(eps0), int(theta), int(max_bids), int(big)
    )
    return int(status), int(bids), int(phases)


def group(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, order)``: ``keys[order]`` sorted (stable; a counting sort), and where each
    key ``k`` in ``[0, n)`` starts in it."""
    kernel = _kernel("group")
    assert kernel is not None, "numba is not installed (the fast extra)"
    indptr, order = kernel(np.ascontiguousarray(keys, dtype=np.int64), int(n))
    return indptr, order


def use_select(cells: int) -> bool:
    """Whether a source of ``cells`` pairs selects its candidates with :func:`select` and
    :func:`group_max` (the rule of :func:`use_scorer`)."""
    if not _allowed():
        return False
    if "select" in _kernels:
        return True
    return cells >= MIN_CELLS and _kernel("select") is not None


def select(block: np.ndarray, col_thr: np.ndarray, row_thr: np.ndarray, floor: float) -> np.ndarray:
    """Flat indices, in order, of the cells of ``block`` at or above their column's or their
    row's threshold and above ``floor`` (compared in ``block``'s dtype, as numpy does).

    Like :func:`group_max` and :func:`masked_max`, it reads screened blocks, which hold no
    NaN (scores are finite); on a NaN the maxima would skip it where numpy returns it."""
    kernel = _kernel("select")
    assert kernel is not None, "numba is not installed (the fast extra)"
    dtype = block.dtype
    flat: np.ndarray = kernel(
        np.ascontiguousarray(block),
        np.ascontiguousarray(col_thr, dtype=dtype),
        np.ascontiguousarray(row_thr, dtype=dtype),
        dtype.type(floor),
    )
    return flat


def group_max(block: np.ndarray, group: int) -> np.ndarray:
    """Column maxima over each run of ``group`` rows of ``block``."""
    kernel = _kernel("group_max")
    assert kernel is not None, "numba is not installed (the fast extra)"
    out: np.ndarray = kernel(np.ascontiguousarray(block), int(group))
    return out


def masked_max(block: np.ndarray, floor: float, axis: int) -> np.ndarray:
    """Maxima of ``block`` along ``axis`` (0 or 1) over its cells above ``floor`` (compared
    in ``block``'s dtype), ``-inf`` where there is none; float64."""
    kernel = _kernel("masked_max")
    assert kernel is not None, "numba is not installed (the fast extra)"
    out: np.ndarray = kernel(np.ascontiguousarray(block), block.dtype.type(floor), int(axis))
    return out


#: Set bits of each byte value.
POPCOUNT = np.array([bin(b).count("1") for b in range(256)], dtype=np.uint8)


class ScoreArrays(NamedTuple):
    """What :func:`pair_scores` reads, per side (``_m`` mentors, ``_e`` mentees); built by
    :func:`rm_match.terms.fused_scores`. A term of weight 0 is not read."""

    #: weights of learning, interests, language, time zone, diversity (over their total)
    w: np.ndarray
    #: λ, the weight of what the mentee teaches back
    lam: float
    #: learning factors: ``[offers, ŵants]`` per mentor, ``[ŵants, offers]`` per mentee
    learn_m: np.ndarray
    learn_e: np.ndarray
    #: interest sets as packed bits, and their sizes
    interests_m: np.ndarray
    sizes_m: np.ndarray
    interests_e: np.ndarray
    sizes_e: np.ndarray
    #: language sets as packed bits
    languages_m: np.ndarray
    languages_e: np.ndarray
    #: UTC offsets in hours (NaN: missing)
    tz_m: np.ndarray
    tz_e: np.ndarray
    #: codes of the diversity attributes, one column each (-1: unknown)
    codes_m: np.ndarray
    codes_e: np.ndarray


def empty_terms(n_m: int, n_e: int) -> ScoreArrays:
    """:class:`ScoreArrays` with every weight 0 (no term), for ``n_m`` mentors and ``n_e``
    mentees: each absent term's arrays in their dtypes and no columns."""
    f64, u8 = np.float64, np.uint8
    return ScoreArrays(
        w=np.zeros(5),
        lam=0.0,
        learn_m=np.zeros((n_m, 0), f64),
        learn_e=np.zeros((n_e, 0), f64),
        interests_m=np.zeros((n_m, 0), u8),
        sizes_m=np.zeros(n_m, f64),
        interests_e=np.zeros((n_e, 0), u8),
        sizes_e=np.zeros(n_e, f64),
        languages_m=np.zeros((n_m, 0), u8),
        languages_e=np.zeros((n_e, 0), u8),
        tz_m=np.zeros(n_m, f64),
        tz_e=np.zeros(n_e, f64),
        codes_m=np.zeros((n_m, 0), np.int64),
        codes_e=np.zeros((n_e, 0), np.int64),
    )


def pair_scores(mi: np.ndarray, ei: np.ndarray, arrays: ScoreArrays) -> np.ndarray:
    """Weighted term sums of the pairs ``(mi[p], ei[p])`` from the terms' arrays."""
    kernel = _kernel("scores")
    assert kernel is not None, "numba is not installed (the fast extra)"
    out = np.empty(len(mi))
    kernel(
        np.ascontiguousarray(mi, dtype=np.int64),
        np.ascontiguousarray(ei, dtype=np.int64),
        out,
        *arrays,
        POPCOUNT,
    )
    return out
