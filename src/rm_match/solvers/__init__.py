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

import math
import numbers
import time
from concurrent.futures import Executor
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import InfeasibleError, SolverError, ValidationError
from ..results import OPTIMALITY_TOL, Assignment, relative_gap
from . import constrained, decompose, flow, lsa, sparse
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
    goals: Any = None,
    workers: int = 1,
    gap_limit: float | None = None,
    executor: Executor | None = None,
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
    method : str, default "auto"
        Without goals: ``"lsa"``, ``"flow"`` or ``"sparse"`` (``auto`` picks the first in
        :data:`BACKENDS` that can solve the problem). With goals: ``"auto"`` (LP column
        generation with the Lagrangian bound over every pair, rounding, reduced-cost fixing,
        HiGHS; see ``docs/goals.md``), ``"lagrangian"`` (Kelley cutting planes with the exact
        assignment inside, and repair), ``"cpsat"`` (plain CP-SAT) or ``"milp"`` (HiGHS).
    time_limit : float, optional
        Seconds. The exact backends always finish and ignore it; with goals it bounds the
        whole call, from validation on (default
        :data:`~rm_match.solvers.constrained.DEFAULT_TIME_LIMIT`).
    rng : None, int or numpy.random.Generator, optional
        Seed for randomised backends (``np.random.default_rng(rng)``); CP-SAT's seed is drawn
        from it. The same input and seed give the same pairs (with ``workers=1``).
    goals : sequence of Goal, optional
        Cohort goals (:mod:`rm_match.goals`), with groups and pair properties given as
        arrays. The result's ``goals`` reports each one.
    workers : int, default 1
        CP-SAT search workers. One keeps runs deterministic; more may be faster.
    gap_limit : float, optional
        With goals: stop as soon as the relative gap (see ``Assignment.gap``) is proven at
        most this, e.g. ``1e-3``; default: search until optimal or out of time.
    executor : concurrent.futures.Executor, optional
        Without goals, when the allowed pairs fall into independent parts (no allowed pair
        between them, e.g. under a same-region rule), the parts are solved separately, and on
        this executor when one is given (a process pool, a Dask ``Client.get_executor()``, …).

    Returns
    -------
    Assignment
        ``pairs`` (k × 2 indices), ``objective``, ``status``, ``bound``, ``gap``, ``method``.

    Raises
    ------
    ValidationError
        For malformed arguments; the message names the argument.
    SolverError
        If the requested ``method`` cannot solve the problem, or a backend fails, or (with
        goals) no feasible assignment was found within the time limit.
    InfeasibleError
        With goals, when none can be met: the message names a small conflicting set.

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
    gap_limit = check_gap_limit(gap_limit)
    if goals:
        return _assign_goals(problem, goals, method, workers, gap_limit, start)
    backend = _choose(problem, method)
    ok = problem.feasible & (problem.mentor_capacity > 0)[:, None] & (problem.mentee_capacity > 0)
    parts = decompose.components(ok)
    if len(parts) > 1:
        pairs, slack, name, message = _solve_parts(problem, parts, method, executor)
    else:
        pairs, slack, message = backend.solve(problem)
        name = backend.name
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    objective = float(problem.scores[pairs[:, 0], pairs[:, 1]].sum())
    return _result(pairs, objective, slack, name, problem.policy, start, message)


def _solve_part(problem: ArrayProblem, method: str) -> tuple[np.ndarray, float, str, str]:
    """One independent part (module level: it may run in another process)."""
    backend = _choose(problem, method)
    pairs, slack, message = backend.solve(problem)
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2), float(slack), backend.name, message


def _solve_parts(problem: ArrayProblem, parts, method, executor):
    """Solve each part on its own (on ``executor`` if given) and join the answers."""
    seeds = problem.rng.integers(2**63 - 1, size=len(parts))
    tasks = [
        (
            replace(
                problem,
                scores=problem.scores[np.ix_(rows, cols)],
                feasible=problem.feasible[np.ix_(rows, cols)],
                mentor_capacity=problem.mentor_capacity[rows],
                mentee_capacity=problem.mentee_capacity[cols],
                rng=np.random.default_rng(seed),
            ),
            method,
        )
        for (rows, cols), seed in zip(parts, seeds, strict=True)
    ]
    out = decompose.run(_solve_part, tasks, executor)
    pairs = np.concatenate(
        [
            np.column_stack((rows[p[:, 0]], cols[p[:, 1]]))
            for (rows, cols), (p, *_) in zip(parts, out, strict=True)
        ]
    )
    slack = math.fsum(o[1] for o in out)
    name, message = decompose.summary(len(parts), (o[2] for o in out), (o[3] for o in out))
    return pairs, slack, name, message


def check_gap_limit(gap_limit: object) -> float:
    """``gap_limit`` as a float (``None``: 0, search until optimal)."""
    if gap_limit is None:
        return 0.0
    if (
        not isinstance(gap_limit, numbers.Real)
        or isinstance(gap_limit, bool)
        or not math.isfinite(gap_limit)
        or gap_limit < 0
    ):
        raise ValidationError(
            "`gap_limit` must be a relative gap ≥ 0 (e.g. 1e-3) or None.", argument="gap_limit"
        )
    return float(gap_limit)


def _check_workers(workers: object) -> int:
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ValidationError("`workers` must be an integer ≥ 1.", argument="workers")
    return workers


def solve_goal_problem(
    model,
    fair,
    method,
    time_limit,
    gen,
    workers,
    explain=None,
    gap_limit=0.0,
    start=None,
    floor=None,
):
    """Solve a compiled goal model (``fair``: the MinPairScore weight, or ``False``);
    ``start``: when the caller's clock started (``time.perf_counter()``), if the time limit
    counts from there; ``floor``: the lowest score among required pairs (for MinPairScore).
    The diagnosis of an infeasible model runs within the same time limit.

    Returns a :class:`~rm_match.solvers.constrained.GoalOutcome`; raises
    :class:`InfeasibleError` (with the conflicting goals) or :class:`SolverError`."""
    if method not in constrained.GOAL_METHODS:
        raise SolverError(
            f"method {method!r} cannot solve a problem with goals; use one of "
            f"{', '.join(map(repr, constrained.GOAL_METHODS))}.",
            method=method,
        )
    seed = int(gen.integers(2**31 - 1))
    limit = constrained.DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    if start is not None:
        # the limit counts from the caller's start: building scores and model included
        time_limit = max(limit - (time.perf_counter() - start), 0.05 * limit)
    deadline = (time.perf_counter() if start is None else start) + limit
    kw = {
        "method": method,
        "time_limit": time_limit,
        "seed": seed,
        "workers": workers,
        "gap_limit": gap_limit,
    }
    try:
        if fair is False:
            return constrained.solve_model(model, **kw)
        return constrained.solve_fair(model, fair, floor=floor, **kw)
    except constrained.Unsolved as exc:
        if not exc.proven:
            raise SolverError(
                f"no assignment meeting every goal was found within the time limit ({exc}).",
                method=method,
            ) from None
        left = max(deadline - time.perf_counter(), 0.0)  # the diagnosis too: within the limit
        core, why = constrained.diagnose(model, time_limit=left, seed=seed, explain=explain)
        names = [model.goal_names[g] for g in core] or list(model.goal_names)
        raise InfeasibleError(
            f"no assignment meets the goals: {why or ' + '.join(names) + ' cannot all hold'}.",
            rules=tuple(names),
        ) from None


def _assign_goals(problem: ArrayProblem, goals, method, workers, gap_limit, start) -> Assignment:
    from ..goals import GoalContext, check_goals, compile_goals

    goals = tuple(goals)
    workers = _check_workers(workers)
    n_m, n_e = problem.shape
    ok = problem.feasible & (problem.mentor_capacity > 0)[:, None] & (problem.mentee_capacity > 0)
    mi, ei = np.nonzero(ok)
    ctx = GoalContext(
        n_m,
        n_e,
        mi,
        ei,
        np.empty((0, 2), dtype=np.int64),
        problem.mentor_capacity,
        problem.mentee_capacity,
    )
    model, fair = compile_goals(goals, ctx, problem.scores[mi, ei], problem.policy)
    out = solve_goal_problem(
        model,
        fair,
        method,
        problem.time_limit,
        problem.rng,
        workers,
        lambda g: goals[g].explain(ctx),
        gap_limit,
        start,
    )
    pairs = np.column_stack((mi[out.x], ei[out.x])).astype(np.int64)
    result = _result(
        pairs,
        out.objective,
        out.bound - out.objective,
        out.stats.get("method", method),
        problem.policy,
        start,
        out.message,
    )
    scores = problem.scores[pairs[:, 0], pairs[:, 1]]
    checks = tuple(check_goals(goals, ctx, pairs[:, 0], pairs[:, 1], scores=scores))
    return replace(result, goals=checks, stats=out.stats)


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
    k: int = 32,
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
