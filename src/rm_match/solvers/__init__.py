"""Array-level solvers behind one function, :func:`assign`.

Backends sit in a registry in preference order (insertion order is the preference); each
declares what it cannot solve. ``method="auto"`` takes the first that can; asking for one that
cannot raises :class:`~rm_match.SolverError` with its reason.

=========  ==========================================================================
method     solves
=========  ==========================================================================
``lsa``    scipy ``linear_sum_assignment``: 1:1, or capacities on one side (expansion)
``flow``   OR-tools min-cost flow: any capacities (integer-scaled, slack reported)
``sparse`` candidates + pricing (:mod:`~rm_match.solvers.sparse`): 1:1 or one-sided
           capacities; ``auto`` takes it from :data:`SPARSE_MIN_CELLS` cells up
=========  ==========================================================================
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ..errors import SolverError, ValidationError
from ..matching import OPTIMALITY_TOL, Assignment, relative_gap
from . import flow, lsa, sparse
from ._problem import POLICIES, ArrayProblem, capacities_on_both_sides, validate

__all__ = ["BACKENDS", "POLICIES", "SPARSE_MIN_CELLS", "assign", "assign_source"]

#: Registered backends, in preference order for ``method="auto"``.
BACKENDS: dict[str, Any] = {b.name: b for b in (lsa.backend, flow.backend, sparse.backend)}

#: From this many cells (n_mentors × n_mentees) ``auto`` prefers the sparse path.
SPARSE_MIN_CELLS = 1 << 22


def prefer_sparse(mentor_capacity: np.ndarray, mentee_capacity: np.ndarray) -> bool:
    """Whether ``auto`` takes the sparse path for these capacities (one per participant)."""
    cells = len(mentor_capacity) * len(mentee_capacity)
    return cells >= SPARSE_MIN_CELLS and not capacities_on_both_sides(
        mentor_capacity, mentee_capacity
    )


def _choose(problem: ArrayProblem, method: str):
    if method == "auto":
        if prefer_sparse(problem.mentor_capacity, problem.mentee_capacity):
            return BACKENDS["sparse"]
        for b in BACKENDS.values():
            if b.unsupported(problem) is None:
                return b
        raise SolverError("no registered backend can solve this problem.")  # pragma: no cover
    if method not in BACKENDS:
        raise ValidationError(
            f"`method` must be 'auto' or one of {', '.join(map(repr, BACKENDS))}; got {method!r}.",
            argument="method",
        )
    b = BACKENDS[method]
    why = b.unsupported(problem)
    if why is not None:
        raise SolverError(f"method {method!r} cannot solve this problem: {why}.", method=method)
    return b


def assign(
    scores: Any,
    feasible: Any = None,
    *,
    mentor_capacity: Any = 1,
    mentee_capacity: Any = 1,
    policy: str = "max_matched",
    method: str = "auto",
    time_limit: float | None = None,
    rng: Any = None,
) -> Assignment:
    """Best set of mentor→mentee pairs for a score matrix, a feasibility mask and capacities.

    Parameters
    ----------
    scores : array_like, shape (n_mentors, n_mentees)
        Pair scores, finite reals; higher is better.
    feasible : array_like of bool, same shape, optional
        ``False`` forbids a pair outright: it is never chosen. Default: all allowed.
    mentor_capacity, mentee_capacity : int or array_like of int, default 1
        How many partners each mentor (row) / mentee (column) may take; 0 excludes.
    policy : {"max_matched", "max_score"}, default "max_matched"
        ``max_matched``: as many pairs as possible, then the best total score among those.
        ``max_score``: the best total score (a pair is made only where it adds score).
    method : {"auto", "lsa", "flow"}, default "auto"
        Backend; ``auto`` picks the first in :data:`BACKENDS` that can solve the problem.
    time_limit : float, optional
        Seconds. The exact backends here always finish; the limit is for heuristic and
        CP-SAT backends and is validated but unused by them.
    rng : None, int or numpy.random.Generator, optional
        Seed for randomised backends (``np.random.default_rng(rng)``). The exact backends are
        deterministic: the same input gives the same pairs.

    Returns
    -------
    Assignment
        ``pairs`` (k × 2 indices), ``objective``, ``status``, ``bound``, ``gap``, ``method``.

    Raises
    ------
    ValidationError
        For malformed arguments; the message names the argument.
    SolverError
        If the requested ``method`` cannot solve the problem, or a backend fails.

    Examples
    --------
    >>> import numpy as np
    >>> from rm_match import assign
    >>> scores = np.array([[0.9, 0.1], [0.8, 0.7]])
    >>> a = assign(scores)
    >>> a.pairs.tolist(), round(a.objective, 6), a.status
    ([[0, 0], [1, 1]], 1.6, 'optimal')
    >>> assign(scores, feasible=np.array([[False, True], [True, True]])).pairs.tolist()
    [[0, 1], [1, 0]]
    """
    start = time.perf_counter()
    problem = validate(scores, feasible, mentor_capacity, mentee_capacity, policy, time_limit, rng)
    backend = _choose(problem, method)
    pairs, slack, message = backend.solve(problem)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    objective = float(problem.scores[pairs[:, 0], pairs[:, 1]].sum())
    return _result(pairs, objective, slack, backend.name, problem.policy, start, message)


def _result(pairs, objective, slack, method, policy, start, message) -> Assignment:
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    bound = objective + slack
    gap = relative_gap(objective, bound)
    pairs.flags.writeable = False
    return Assignment(
        pairs=pairs,
        objective=objective,
        status="optimal" if gap <= OPTIMALITY_TOL else "feasible",
        bound=bound,
        gap=gap,
        method=method,
        policy=policy,
        wall_time=time.perf_counter() - start,
        message=message,
    )


def assign_source(
    source: sparse.ScoreSource,
    mentor_capacity: np.ndarray,
    mentee_capacity: np.ndarray,
    *,
    policy: str = "max_matched",
    k: int = 16,
    executor: Any = None,
    rng: Any = None,
) -> tuple[Assignment, sparse.SparseStats]:
    """The sparse path over a score source (no matrix): an :class:`Assignment` and what the
    path did. Used by :func:`rm_match.match` on large cohorts."""
    start = time.perf_counter()
    pairs, slack, message, stats = sparse.solve_sparse(
        source, mentor_capacity, mentee_capacity, policy, k=k, executor=executor, rng=rng
    )
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    s, _ = source.exact(pairs[:, 0], pairs[:, 1])
    return _result(pairs, float(np.sum(s)), slack, "sparse", policy, start, message), stats
