"""Array problems to :class:`~rm_match.Assignment`: the backend the registry chooses, the
independent parts of a problem solved apart and joined, score sources on the sparse path,
and goal models with their diagnosis when none can be met.

Logging (``rm_match.solvers.solve``, INFO): the backend chosen and why, each solve's size,
seconds and outcome (counts, timings and objective values; never ids).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, cast

import numpy as np

from .._progress import ProgressReporter, progress_reporter
from ..errors import InfeasibleError, SolverError
from ..results import Assignment
from . import decompose
from ._problem import ArrayProblem
from .constrained.model import GoalModel
from .options import Options
from .registry import (
    BACKENDS,
    Backend,
    GoalBackend,
    Needs,
    choose,
    estimate,
    memory_budget,
    why_not,
)

__all__ = ["reason", "solve", "solve_goals", "solve_source"]

log = logging.getLogger(__name__)


def reason(backend: Backend, needs: Needs, method: str, budget: float | None = None) -> str:
    """Why ``backend`` was chosen for ``needs``, in a few words, for the log: named by
    ``method``, or under ``auto`` what each backend before it lacked (capabilities, memory,
    or declined as slower)."""
    if method != "auto":
        return f"named by method={method!r}"
    skipped = []
    for b in BACKENDS.values():
        if b is backend:
            break
        if b.capabilities.stable != needs.stable or b.capabilities.goals < needs.goals:
            continue  # another question altogether (stable matchings; goals)
        why = why_not(b, needs)
        if why is None and budget is not None:
            need = estimate(b, needs)
            if need is not None and need > budget:
                why = f"its plan (~{need / 2**20:.0f} MiB) is over the memory budget"
        if why is None:
            why = b.declines(needs)
        if why is not None:
            skipped.append(f"not {b.name}: {why}")
    return "auto: " + ("; ".join(skipped) if skipped else "the first in order that can solve it")


def solve(
    problem: ArrayProblem,
    method: str = "auto",
    *,
    executor: Executor | None = None,
    start: float | None = None,
    memory_limit: float | None = None,
) -> Assignment:
    """The best pairs of ``problem`` (no goals): the allowed-pair graph's independent parts
    (:func:`~.decompose.components`) each solved by the backend ``method`` names or ``auto``
    picks for it, on ``executor`` when given, and joined.

    ``memory_limit``: bytes the solve may use (see :func:`~.registry.memory_budget`;
    ``None``: the default budget, ``math.inf``: no check). Every part is held to it before
    any is solved; ``auto`` takes a backend that fits (the sparse path needs no n × n
    working arrays). Serially, the parts' arrays are copied one part at a time.

    Raises
    ------
    SolverError
        If the named backend cannot solve the problem (checked on the whole first).
    MemoryBudgetError
        If the named backend (or, under ``auto``, every capable one) would not fit the
        budget on a part.
    """
    return _solve(problem, method, executor, start, memory_limit, logging.INFO)


def _solve(
    problem: ArrayProblem,
    method: str,
    executor: Executor | None,
    start: float | None,
    memory_limit: float | None,
    level: int,
) -> Assignment:
    """:func:`solve`, logging at ``level`` (DEBUG for the parts of a problem)."""
    start = time.perf_counter() if start is None else start
    budget = memory_budget(memory_limit)
    needs = Needs.of_problem(problem)
    backend = choose(needs, method)
    ok = problem.feasible & (problem.mentor_capacity > 0)[:, None] & (problem.mentee_capacity > 0)
    parts = decompose.components(ok)
    del ok
    if len(parts) <= 1:
        backend = choose(needs, method, budget=budget)
        if log.isEnabledFor(level):
            log.log(
                level,
                "backend %s for %d × %d (%s): %s",
                backend.name,
                needs.n_mentors,
                needs.n_mentees,
                needs.capacities,
                reason(backend, needs, method, budget),
            )
        t = time.perf_counter()
        pairs, slack, message = backend.solve(problem)
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        objective = float(problem.scores[pairs[:, 0], pairs[:, 1]].sum())
        log.log(
            level,
            "%s solved in %.2f s: %d pairs, objective %.6g, bound - objective %.3g",
            backend.name,
            time.perf_counter() - t,
            len(pairs),
            objective,
            slack,
        )
        return Assignment.build(
            pairs,
            objective,
            slack,
            method=backend.name,
            policy=problem.policy,
            start=start,
            message=message,
        )
    m_cap, e_cap = problem.mentor_capacity, problem.mentee_capacity
    # each part solves a copy of its block (float64 scores, boolean mask): what is left of
    # the budget beside it is the part's, checked for every part before any is solved
    limits = [
        math.inf if budget is None else max(budget - 9.0 * len(rows) * len(cols), 1.0)
        for rows, cols in parts
    ]
    for (rows, cols), limit in zip(parts, limits, strict=True):
        choose(Needs.of(m_cap[rows], e_cap[cols]), method, budget=memory_budget(limit))
    log.log(
        level,
        "%d independent parts (largest %d × %d), solved %s",
        len(parts),
        max(len(r) for r, _ in parts),
        max(len(c) for _, c in parts),
        "serially" if executor is None else "on the executor",
    )
    seeds = problem.rng.integers(2**63 - 1, size=len(parts))
    # a generator: run serially, the tasks copy one part's arrays at a time
    tasks = (
        (
            replace(
                problem,
                scores=problem.scores[np.ix_(rows, cols)],
                feasible=problem.feasible[np.ix_(rows, cols)],
                mentor_capacity=m_cap[rows],
                mentee_capacity=e_cap[cols],
                rng=np.random.default_rng(seed),
            ),
            method,
            rows,
            cols,
            limit,
        )
        for (rows, cols), seed, limit in zip(parts, seeds, limits, strict=True)
    )
    return decompose.join(decompose.run(_solve_part, tasks, executor), problem.policy, start)


def _solve_part(
    problem: ArrayProblem,
    method: str,
    rows: np.ndarray,
    cols: np.ndarray,
    memory_limit: float | None = None,
) -> Assignment:
    """One independent part, its pairs in the whole problem's indices (module level: it may
    run in another process)."""
    a = _solve(problem, method, None, None, memory_limit, logging.DEBUG)
    return replace(a, pairs=np.column_stack((rows[a.pairs[:, 0]], cols[a.pairs[:, 1]])))


def solve_source(
    source: Any,
    mentor_capacity: np.ndarray,
    mentee_capacity: np.ndarray,
    *,
    policy: str = "max_matched",
    k: int = 32,
    executor: Executor | None = None,
    rng: Any = None,
    progress: object = None,
    level: int = logging.INFO,
) -> tuple[Assignment, Any]:
    """The sparse path over a score source (no matrix): an :class:`Assignment` and the
    path's :class:`~.sparse.SparseStats`. :func:`rm_match.match` uses it on large cohorts.

    ``progress``: each pricing round is a step of stage ``"pricing"`` (total unknown): a
    :class:`~rm_match._progress.ProgressReporter` (shared by several solves), or anything
    :func:`~rm_match._progress.progress_reporter` takes. ``level``: the logging level of
    the path's lines (candidates, rounds, certificate)."""
    from .sparse import solve_sparse

    start = time.perf_counter()
    kw: dict[str, Any] = {"k": k, "executor": executor, "rng": rng, "level": level}
    if isinstance(progress, ProgressReporter):
        pairs, slack, message, stats = solve_sparse(
            source, mentor_capacity, mentee_capacity, policy, progress=progress, **kw
        )
    else:
        with progress_reporter(progress, "pricing") as bar:
            pairs, slack, message, stats = solve_sparse(
                source, mentor_capacity, mentee_capacity, policy, progress=bar, **kw
            )
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    s, _ = source.exact(pairs[:, 0], pairs[:, 1])
    a = Assignment.build(
        pairs,
        float(np.sum(s)),
        slack,
        method="sparse",
        policy=policy,
        start=start,
        message=message,
    )
    return a, stats


@contextmanager
def goal_memo() -> Iterator[None]:
    """Within the block, goal solves of one row over the same pairs and scores start from
    the assignments that the earlier ones met (:mod:`.constrained.parametric`): for a sweep
    over the row's level, solved one point after the other. The answers are a fresh solve's
    (up to ties among optimal assignments); only the work to reach them is less."""
    from .constrained.parametric import remembering

    with remembering():
        yield


def solve_goals(
    model: GoalModel,
    fair: float | bool | None,
    options: Options,
    *,
    floor: float | None = None,
    explain: Callable[[int], str | None] | None = None,
) -> Assignment:
    """Solve a compiled goal model within ``options``' time limit (counted from
    ``options.start``); ``fair``: the :class:`~rm_match.goals.MinPairScore` weight (``None``
    for max-min) or ``False``; ``floor``: the lowest score among required pairs.

    Returns the :class:`Assignment` of the model's pairs (indices of the whole problem) with
    the solver's account in ``stats``. The diagnosis of an infeasible model runs within the
    same time limit and names a goal only when it is proven part of the conflict.

    The solver spends deterministic work (:mod:`.constrained.budget`): as much as the time
    limit allows a model of this size, whatever the machine's load, so that the same model,
    seed and one worker give the same answer; the deadline is a safety stop, and an answer it
    cut short says so in its message (``stats["clock_stopped"]``).

    Raises
    ------
    InfeasibleError
        When no assignment meets the goals (``rules``: the goals proven to conflict, or all
        of them with the message saying that is not proven).
    SolverError
        When no answer was found within the time limit (at once when the limit was spent
        before the solver started), or the method takes no goals.
    """
    from .constrained import fair as fairness
    from .constrained.budget import work_for
    from .constrained.pipeline import Unsolved, reporting

    # the registry only returns a backend with goals among its capabilities here
    backend = cast(
        GoalBackend, choose(Needs.of(model.m_cap, model.e_cap, goals=True), options.method)
    )
    seed = int(options.generator.integers(2**31 - 1))
    left = options.deadline - time.perf_counter()
    if left <= 0:
        raise SolverError(_too_short(model, options), method=backend.name)
    kw: dict[str, Any] = {
        "time_limit": left,
        "seed": seed,
        "workers": options.workers,
        "gap_limit": options.gap_limit,
        # the work depends on the limit and the model's size, never on the clock
        "work": work_for(options.limit, model.n_m, model.n_e, model.n_edges),
        "deadline": options.deadline,
    }
    t = time.perf_counter()
    log.info(
        "goal model: %d × %d, %d candidate pairs, %d goal rows (%d goals)%s; method %s, "
        "%.2f s left",
        model.n_m,
        model.n_e,
        model.n_edges,
        len(model.rows),
        len(model.goal_names),
        "" if fair is False else ", with the lowest pair score",
        backend.name,
        left,
    )
    try:
        # the LP's column-generation rounds are the steps of stage "goal LP"
        with progress_reporter(options.progress, "goal LP") as bar, reporting(bar):
            if fair is False:
                out = backend.solve_model(model, **kw)
            else:
                assert not isinstance(fair, bool)
                out = fairness.solve_fair(model, fair, method=backend.name, floor=floor, **kw)
    except Unsolved as exc:
        log.info(
            "goal solve: no answer after %.2f s (%s)",
            time.perf_counter() - t,
            "proven infeasible" if exc.proven else "none found in time",
        )
        if not exc.proven:
            raise SolverError(
                f"no assignment meeting every goal was found within the time limit ({exc}).",
                method=backend.name,
            ) from None
        from .constrained.diagnose import diagnose  # loads CP-SAT: only when needed

        left = max(options.deadline - time.perf_counter(), 0.0)  # within the limit too
        t = time.perf_counter()
        core, why = diagnose(model, time_limit=left, seed=seed, explain=explain)
        log.info(
            "goal diagnosis: %d of %d goals proven to conflict in %.2f s",
            len(core),
            len(model.goal_names),
            time.perf_counter() - t,
        )
        names = [model.goal_names[g] for g in core] or list(model.goal_names)
        raise InfeasibleError(
            f"no assignment meets the goals: {why or ' + '.join(names) + ' cannot all hold'}.",
            rules=tuple(names),
        ) from None
    assert out.x is not None
    pairs = np.column_stack((model.mi[out.x], model.ei[out.x])).astype(np.int64)
    a = Assignment.build(
        pairs,
        out.objective,
        out.bound - out.objective,
        method=str(out.stats.get("method", backend.name)),
        policy=model.policy,
        start=options.start,
        message=out.message,
    )
    # "feasible" when the solver says so: e.g. the most pairs not proven, whatever the gap
    status = "feasible" if out.status == "feasible" else a.status
    log.info(
        "goal solve: %s in %.2f s: %d pairs, objective %.6g, bound %.6g, gap %.3g",
        status,
        time.perf_counter() - t,
        len(pairs),
        a.objective,
        a.bound,
        a.gap,
    )
    return replace(a, status=status, stats=out.stats)


def _too_short(model: GoalModel, options: Options) -> str:
    """Why a goal solve did not start: the time limit went to the steps before it."""
    spent = time.perf_counter() - options.start
    return (
        f"the time limit ({options.limit:g} s) was used up before the solver started: "
        f"{spent:.2f} s went to the scores, the rules and the goal model ({model.n_m} x "
        f"{model.n_e} participants, {model.n_edges} candidate pairs, {len(model.rows)} goal "
        "rows); allow more time."
    )
