"""Compiled kernels of the sparse path (the ``fast`` extra: ``pip install rm-match[fast]``,
numba). Optional: without numba the plain numpy code runs, with the same answers.

- :func:`relax`: the certificate's shortest paths as a queue-based label-correcting loop
  (each node re-examined only when its label fell), where the plain :func:`._relax` does
  whole passes over the arcs of every node that changed. Shortest distances are unique, so
  both give the same labels.

Numba compiles a kernel on its first call in a process (about a second; cached on disk where
the package directory is writable, and then importing numba and loading the kernel still
take about a second): the kernels load only for graphs large enough for that to pay
(:data:`MIN_ARCS`). Once loaded — by such a graph, or by :func:`load` at a service's start —
they run on every graph of :data:`MIN_ARCS_LOADED` arcs or more. ``RM_MATCH_FAST=0`` in the
environment turns them off.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

#: Graphs with fewer arcs use the plain code unless the kernels are loaded already (loading
#: them would cost more than they save).
MIN_ARCS = 1_000_000
#: Once loaded, the kernels run on graphs of this many arcs or more (below, the numpy code's
#: few passes are as quick).
MIN_ARCS_LOADED = 10_000

_kernel: Callable[..., Any] | None = None
_tried = False


def enabled() -> bool:
    """Whether the compiled kernels run: numba importable, not turned off (loads them)."""
    return _allowed() and _load() is not None


def _allowed() -> bool:
    return os.environ.get("RM_MATCH_FAST", "1") != "0"


def load() -> bool:
    """Load the kernels now (importing numba, compiling or reading them from the disk cache):
    for a service, at its start, so that no request pays for it and graphs from
    :data:`MIN_ARCS_LOADED` arcs use them. Whether they are available."""
    if not _allowed() or _load() is None:
        return False
    relax(
        np.zeros(2, dtype=np.int64),
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
        np.zeros(1, dtype=np.int64),
        1,
    )
    return True


def use_for(arcs: int) -> bool:
    """Whether a graph of ``arcs`` arcs takes the kernels (loading them if it is large)."""
    if not _allowed():
        return False
    if arcs >= MIN_ARCS:
        return _load() is not None
    return arcs >= MIN_ARCS_LOADED and _kernel is not None


def _load() -> Callable[..., Any] | None:
    global _kernel, _tried
    if _tried:
        return _kernel
    _tried = True
    try:
        import numba
    except ImportError:
        return None

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

    _kernel = spfa
    return _kernel


def relax(
    indptr: np.ndarray, dst: np.ndarray, cost: np.ndarray, d: np.ndarray, max_passes: int
) -> tuple[np.ndarray, int, bool]:
    """Shortest distances over the arcs in CSR form (``indptr`` by tail, ``dst``, ``cost``),
    lowering ``d`` in place from its starting labels; at most ``max_passes`` node visits per
    node on average. Returns ``(d, passes, converged)`` as :func:`._relax` does (``passes``:
    node visits over the number of nodes, rounded up)."""
    kernel = _load()
    assert kernel is not None, "numba is not installed (the fast extra)"
    n = len(d)
    pops, converged = kernel(indptr, dst, cost, d, max(1, max_passes) * max(n, 1))
    return d, -(-int(pops) // max(n, 1)), bool(converged)
