"""Independent parts of a problem: the connected components of the allowed-pair graph.

When hard rules split a cohort (mentors and mentees must share a region, say), no allowed pair
crosses from one part to another, so each part can be solved on its own: the best assignment
of the whole is the union of the parts' best assignments, for either policy (the number of
pairs and the total score both add up over parts), and the parts' bounds add up to a bound on
the whole. Parts are independent tasks, so they can run on any
:class:`concurrent.futures.Executor` (a process pool, a Dask ``Client.get_executor()``, Ray).

Examples
--------
>>> import numpy as np
>>> from rm_match.solvers.decompose import components
>>> allowed = np.array([[True, False, False], [False, True, True], [False, False, False]])
>>> [(m.tolist(), e.tolist()) for m, e in components(allowed)]
[([1], [1, 2]), ([0], [0])]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np

from ..results import Assignment

__all__ = ["components", "join", "run", "summary"]


def components(allowed: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The connected components of a bipartite graph given as a dense boolean matrix.

    Parameters
    ----------
    allowed : ndarray of bool, shape (n_mentors, n_mentees)
        ``True`` where a pair may be made (rules and capacities already applied).

    Returns
    -------
    list of (ndarray, ndarray)
        Sorted mentor indices and sorted mentee indices of each component that has at least
        one allowed pair, largest (mentors × mentees) first. Participants without any
        allowed pair belong to none.

    Notes
    -----
    Breadth-first search on the dense matrix: each level reads the rows of the mentors and
    the columns of the mentees reached last, so a whole run reads every cell about twice
    (``O(n_mentors · n_mentees)`` however deep the graph) and needs no edge list.
    """
    allowed = np.asarray(allowed, dtype=bool)
    n_m, n_e = allowed.shape
    left_m = allowed.any(axis=1)
    left_e = allowed.any(axis=0)
    parts = []
    while left_m.any():
        in_m = np.zeros(n_m, dtype=bool)
        in_e = np.zeros(n_e, dtype=bool)
        new_m = in_m.copy()
        new_m[int(np.argmax(left_m))] = True
        in_m |= new_m
        while True:
            new_e = allowed[new_m].any(axis=0) & ~in_e
            if not new_e.any():
                break
            in_e |= new_e
            new_m = allowed[:, new_e].any(axis=1) & ~in_m
            if not new_m.any():
                break
            in_m |= new_m
        left_m &= ~in_m
        left_e &= ~in_e
        parts.append((np.flatnonzero(in_m), np.flatnonzero(in_e)))
    parts.sort(key=lambda p: -len(p[0]) * len(p[1]))
    return parts


def run(fn: Callable[..., Any], tasks: Iterable[tuple], executor: Executor | None) -> list:
    """``[fn(*t) for t in tasks]``, on ``executor`` when one is given (in task order).

    ``fn`` and the tasks must be picklable for a process pool: module-level functions and
    plain arrays. Without an executor the tasks are drawn one at a time, so a generator
    holds one task's arguments at a time.
    """
    if executor is None:
        return [fn(*t) for t in tasks]
    futures = [executor.submit(fn, *t) for t in tasks]
    return [f.result() for f in futures]


def summary(n_parts: int, methods: Iterable[str], messages: Iterable[str]) -> tuple[str, str]:
    """The joined answer's ``method`` (the parts' backends, ``+``-joined) and ``message``.

    Examples
    --------
    >>> summary(2, ["lsa", "sparse", "lsa"], ["", "ok"])
    ('lsa+sparse', '2 independent parts; ok')
    """
    notes = sorted({m for m in messages if m})
    message = f"{n_parts} independent parts" + (f"; {'; '.join(notes)}" if notes else "")
    return "+".join(sorted(set(methods))), message


def join(parts: Sequence[Assignment], policy: str, start: float) -> Assignment:
    """The answers of independent parts (pairs in the whole problem's indices) as one:
    objectives and bounds add up over parts, for either policy."""
    pairs = np.concatenate([np.empty((0, 2), np.int64)] + [np.asarray(a.pairs) for a in parts])
    name, message = summary(len(parts), (a.method for a in parts), (a.message for a in parts))
    return Assignment.build(
        pairs,
        math.fsum(a.objective for a in parts),
        math.fsum(a.bound - a.objective for a in parts),
        method=name,
        policy=policy,
        start=start,
        message=message,
    )
