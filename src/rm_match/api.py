"""The two entry points: :func:`assign` (arrays) and :func:`match` (people, explained).

Both take one path. The shared options are checked once
(:func:`~rm_match.solvers.options.check_options`); the backend comes from the one registry
(:func:`~rm_match.solvers.registry.choose`); independent parts are solved apart and joined
in one place (:func:`~rm_match.solvers.decompose.join`); goals compile through one context
and one solve (:func:`_with_goals`). :func:`match` is *compile (dense) or screen (sparse) →
assign → explain*.

Logging (``rm_match.api``, INFO): the compile (size, pairs allowed, seconds), the backend
chosen and why, the solve and the explanations (seconds, counts, objective values); the
solvers log their own stages below (``rm_match.solvers.…``). Never ids nor attribute values.
"""

from __future__ import annotations

import importlib
import logging
import math
import numbers
import os
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import numpy as np

from ._checks import check_sequence
from ._progress import ProgressReporter, progress_reporter
from .errors import InfeasibleError, MemoryBudgetError, SolverError, ValidationError
from .explain import explain_matching, name_rules
from .goals import Goal, GoalContext, check_goals, compile_goals, goal_conflicts
from .people import People
from .preferences import Preferences
from .problem import Problem, ProblemArrays
from .programme import Programme
from .results import Assignment, Matching
from .screen import ProblemSource, keyed_parts
from .solvers import (
    ArrayProblem,
    Needs,
    Options,
    check_options,
    choose,
    registry,
    solve,
    solve_goals,
    solve_source,
    validate,
)
from .solvers._problem import _capacity as capacity_of
from .solvers._problem import max_pairs as max_pairs_of
from .solvers.decompose import join, run
from .solvers.edges import edges_of, is_sparse, solve_edges
from .solvers.registry import memory_budget
from .solvers.solve import _solve, reason
from .solvers.sparse import SubSource
from .sparse_goals import solve_goals_sparse, unsupported

__all__ = ["assign", "match"]

log = logging.getLogger(__name__)

#: Threads for the sparse path's blockwise scans when no thread pool is given (``threads``
#: lowers it).
_SCAN_THREADS = min(4, os.cpu_count() or 1)

#: Up to this many pairs the sparse path scans on the calling thread when no pool is given:
#: BLAS spreads each block's product over the cores already, and a pool of scan threads
#: added contention. ``match`` end to end on ``peers.py``'s cohorts (2 cores, BLAS threads
#: as the environment leaves them), medians of 8–12 interleaved fresh runs, serial against
#: 2 threads: 0.200 / 0.230 s at 1 000 per side, 0.358 / 0.390 s at 2 000, 0.555 / 0.605 s
#: at 3 000, 1.53 / 1.67 s at 5 000 (4 runs), 3.37 / 3.53 s at 10 000 (4 runs); level at
#: 20 000 (9.7 / 9.3 s, 3 runs).
SERIAL_SCAN_CELLS = 10**8


@contextmanager
def _thread_limits(threads: int | None) -> Iterator[None]:
    """Within the block, BLAS and OpenMP pools use at most ``threads`` threads, when
    ``threadpoolctl`` is installed (``None``: no limit set). Without it they follow the
    environment (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``)."""
    if threads is None:
        yield
        return
    try:
        threadpoolctl = importlib.import_module("threadpoolctl")
    except ImportError:
        log.debug(
            "threads=%d: threadpoolctl is not installed; BLAS threads follow the environment",
            threads,
        )
        yield
        return
    with threadpoolctl.threadpool_limits(limits=threads):
        yield


def _scan_threads(opts: Options, cells: int) -> tuple[Executor | None, int]:
    """Where the sparse path's blockwise scans run over ``cells`` pairs: the caller's thread
    pool or cluster executor (:class:`~rm_match.solvers.sparse.cluster.DaskScans`; only when
    ``threads`` is not set), and else how many threads of their own (1: serially; always up
    to :data:`SERIAL_SCAN_CELLS` pairs)."""
    own = 1 if cells <= SERIAL_SCAN_CELLS else _SCAN_THREADS
    if opts.threads is None:
        ex = opts.executor
        pool = ex if isinstance(ex, ThreadPoolExecutor) or hasattr(ex, "remote") else None
        return pool, own
    return None, min(opts.threads, own)


def _compile(problem: Problem) -> ProblemArrays:
    """The dense scores and mask of ``problem``, with the compile's size and time logged."""
    t = time.perf_counter()
    arrays = problem.compile(keep_terms=False)
    if log.isEnabledFor(logging.INFO):
        n_m, n_e = arrays.shape
        log.info(
            "compiled %d × %d scores and rules in %.2f s: %d pairs allowed",
            n_m,
            n_e,
            time.perf_counter() - t,
            int(np.count_nonzero(arrays.feasible)),
        )
    return arrays


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
    goals: Sequence[Goal] | None = None,
    workers: int = 1,
    gap_limit: float | None = None,
    executor: Executor | None = None,
    memory_limit: float | None = None,
    threads: int | None = None,
) -> Assignment:
    """Best set of mentor→mentee pairs for a score matrix, a feasibility mask and capacities.

    Parameters
    ----------
    scores : array_like or scipy.sparse matrix, shape (n_mentors, n_mentees)
        Pair scores, finite reals within ±1e100; higher is better. A ``scipy.sparse``
        matrix (or array) gives the allowed pairs as its stored entries (explicit zeros
        included; an edge list is ``scipy.sparse.coo_array((scores, (rows, cols)),
        shape=...)``), solved on those pairs without a dense matrix
        (:mod:`rm_match.solvers.edges`: scipy's LAPJVsp where a matching of a whole side
        exists, else the min-cost flow; certified either way); ``feasible`` is then
        ``None``, and goals take a dense matrix.
    feasible : array_like of bool, same shape, optional
        ``False`` forbids a pair outright: it is never chosen. Default: all allowed.
    mentor_capacity, mentee_capacity : int or array_like of int, default 1
        How many partners each mentor (row) / mentee (column) may take; 0 excludes.
    policy : {"max_matched", "max_score"}, default "max_matched"
        ``max_matched``: as many pairs as possible, then the best total score among those.
        ``max_score``: the best total score (a pair is made only where it adds score).
    method : str, default "auto"
        A backend of :data:`rm_match.BACKENDS` (see :mod:`rm_match.solvers.registry`):
        ``"lsa"``, ``"flow"``, ``"sparse"`` (exact, no goals) or ``"lp"``, ``"lagrangian"``,
        ``"cpsat"``, ``"milp"`` (goals; time-limited). ``auto`` takes the first that can
        solve the problem: ``lsa`` or ``flow`` without goals (``sparse`` from
        :data:`~rm_match.solvers.SPARSE_MIN_CELLS` cells), ``lp`` with goals (LP column
        generation with the Lagrangian bound over every pair, rounding, reduced-cost fixing,
        HiGHS; see ``docs/goals.md``). A named backend that cannot solve the problem raises
        :class:`~rm_match.SolverError` saying why.
    time_limit : float, optional
        Seconds for the whole call, from validation on (default
        :data:`~rm_match.solvers.DEFAULT_TIME_LIMIT` for the time-limited methods). The
        exact backends always finish and ignore it.
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
    memory_limit : float, optional
        Bytes the solve may plan to use (default: half the memory available, see
        :func:`~rm_match.solvers.registry.memory_budget`; ``math.inf``: no check). A named
        method whose plan would exceed it raises :class:`~rm_match.MemoryBudgetError`
        (naming the estimate, the budget and the methods that fit) before anything large is
        allocated; ``auto`` takes a method that fits.
    threads : int, optional
        The most threads BLAS and OpenMP may use during the call, when ``threadpoolctl`` is
        installed (else they follow the environment: ``OMP_NUM_THREADS``,
        ``OPENBLAS_NUM_THREADS``, …); 1 to 1024. Over a given matrix the ``sparse`` backend's
        scans run on the calling thread anyway. Default: no limit set.

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
    MemoryBudgetError
        If no method's plan fits ``memory_limit`` (a :class:`~rm_match.SolverError`).
    InfeasibleError
        With goals, when none can be met: the message names the goals proven to conflict.

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
    >>> import scipy.sparse as sp  # only the stored pairs are allowed
    >>> edges = sp.coo_array(([0.8, 0.7, 0.1], ([1, 1, 0], [0, 1, 1])), shape=(2, 2))
    >>> a = assign(edges)
    >>> a.pairs.tolist(), round(a.objective, 6), a.method
    ([[0, 1], [1, 0]], 0.9, 'lapjvsp')
    """
    opts = check_options(
        policy=policy,
        method=method,
        time_limit=time_limit,
        rng=rng,
        workers=workers,
        gap_limit=gap_limit,
        executor=executor,
        memory_limit=memory_limit,
        threads=threads,
    )
    checked = () if goals is None else check_sequence(goals, "goals", Goal, "Goal objects")
    if is_sparse(scores):
        return _assign_edges(scores, feasible, mentor_capacity, mentee_capacity, opts, checked)
    problem = validate(scores, feasible, mentor_capacity, mentee_capacity, opts)
    with _thread_limits(opts.threads):
        if checked:
            return _with_goals(checked, GoalContext.of_arrays(problem), problem.scores, opts)
        return solve(
            problem,
            opts.method,
            executor=opts.executor,
            start=opts.start,
            memory_limit=opts.memory_limit,
        )


def match(
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    policy: str = "max_matched",
    method: str = "auto",
    time_limit: float | None = None,
    rng: Any = None,
    executor: Executor | None = None,
    workers: int = 1,
    gap_limit: float | None = None,
    memory_limit: float | None = None,
    priority: Mapping[Hashable, int] | None = None,
    preferences: Preferences | None = None,
    progress: Any = None,
    threads: int | None = None,
) -> Matching:
    """Pair mentors with mentees: optimal under the programme's rules, and explained.

    Builds the score matrix and feasibility mask from the two tables and the programme
    (blockwise), places required pairs, solves the rest exactly with the backend
    :func:`rm_match.assign` would choose, and maps the answer back to participant ids with
    per-pair explanations and a reason for everyone left unmatched.

    Parameters
    ----------
    mentors, mentees : People
        The two sides (usually juniors mentoring seniors).
    programme : Programme, optional
        Rules, score weights, diversity attributes, goals. Default: no rules, default
        weights.
    org_chart : mapping of id to id or None, optional
        Managers of people outside the programme, to follow reporting lines through them.
    policy, method, time_limit, rng, workers, gap_limit, memory_limit
        As in :func:`rm_match.assign` (``time_limit`` counts from the call: scores, rules
        and the goal model are built within it). With ``method="auto"``, cohorts (or
        independent parts) from :data:`~rm_match.solvers.SPARSE_MIN_CELLS` pairs up take
        the sparse path, which never builds the n × n matrix (``method="sparse"`` asks for
        it at any size).
    priority : mapping of id to int, optional
        A waitlist: a priority ≥ 0 per participant (either side; missing ids are 0), e.g. 1
        for first-timers or for people left out last round. Honoured after the policy's own
        goal (most pairs, under ``max_matched``) and before the score: among the answers
        with the most pairs, one matching the most priority — ``Σ priority[mentor] +
        priority[mentee]`` over the pairs, so a person of priority 2 counts as two of
        priority 1, and a mentor's priority counts once per mentee — and among those the
        best total score. Exact (a lexicographic tier on the min-cost flow); the dense
        matrix is built, so it takes ``method="auto"`` or ``"flow"``. Keep priorities small
        (0, 1, 2): the tier's bonus, about the number of pairs times the largest sum of two
        priorities, must stay below 2^22 (≈ 4.2 million) to keep the scores exact, else a
        :class:`SolverError` says so.
    preferences : Preferences, optional
        The participants' own rankings, ratings and vetoes (:mod:`rm_match.preferences`):
        they score as the ``preference`` term (weighted like any term; on by default when
        given), and the rules :class:`~rm_match.rules.Vetoes` and
        :class:`~rm_match.rules.MutuallyAcceptable` make them hard.
    executor : concurrent.futures.Executor, optional
        When the hard rules split the cohort into independent parts (no allowed pair between
        them, e.g. under :class:`~rm_match.rules.SameGroup`), the parts are solved separately,
        as tasks on this executor: a process pool, a Dask ``Client.get_executor()``, Ray, ….
        On an undivided large cohort, a ``ThreadPoolExecutor`` also runs the sparse path's
        blockwise scans (numpy releases the GIL); without one they run on a pool of up to
        four threads of their own above 10⁸ pairs, on the calling thread below
        (``SERIAL_SCAN_CELLS``: there BLAS's own threads did better alone). A
        :class:`~rm_match.solvers.sparse.cluster.DaskScans` runs them as tasks on a Dask
        cluster (the ``dask`` extra; the answer is the same).
    progress : None, bool or callable, optional
        Progress of the long stages, through the same mechanism as the sweeps
        (:mod:`rm_match._progress`): ``None`` or ``False`` (default) reports nothing;
        ``True`` shows a ``tqdm`` bar on stderr (the ``progress`` extra; without tqdm, a
        plain line per step on stderr); a callable receives a
        :class:`~rm_match._progress.ProgressEvent` per step. The steps are the sparse path's
        pricing rounds (stage ``"pricing"``, total unknown) and, with goals, the LP's
        column-generation rounds (stage ``"goal LP"``) or, for goals solved without the
        dense matrix, the core and bound rounds (stage ``"sparse goals"``). Events carry
        counts and values of the solve, never participant data. (Stage timings and counts go to the
        ``rm_match`` logger at INFO, whatever this is.)
    threads : int, optional
        The most threads the call may use for its own parallel work, 1 to 1024, so that a
        service can avoid oversubscribing its cores: the sparse path's blockwise scans then
        run on at most this many threads of their own (at most four, and one up to 10⁸
        pairs; 1: on the calling thread), never on ``executor``; and BLAS/OpenMP threads
        are limited to it during the call when ``threadpoolctl`` is installed (without it
        they follow the environment: ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``,
        ``MKL_NUM_THREADS``; the limit is process-wide while the call runs). The answer
        does not depend on it. Default: the scans as above, BLAS as configured.

    Returns
    -------
    Matching

    Raises
    ------
    ValidationError
        If the tables, programme or options are malformed or do not fit together.
    SolverError
        If the requested ``method`` cannot solve the programme (the message says why).
    MemoryBudgetError
        If no plan fits ``memory_limit``; the message names the methods that would.
    InfeasibleError
        If required pairs conflict with other rules or capacities, or no assignment meets the
        programme's goals (the message names the goals and rules proven to conflict).

    Examples
    --------
    >>> from rm_match import Programme, match, rules, synthetic
    >>> mentors, mentees = synthetic.cohort(30, 20, rng=7)
    >>> prog = Programme(rules=[rules.CrossDepartment(), rules.SeniorityDirection(2)])
    >>> m = match(mentors, mentees, prog)
    >>> m.status, len(m) + len(m.unmatched_mentees) == 20
    ('optimal', True)
    """
    opts = check_options(
        policy=policy,
        method=method,
        time_limit=time_limit,
        rng=rng,
        workers=workers,
        gap_limit=gap_limit,
        executor=executor,
        memory_limit=memory_limit,
        progress=progress,
        threads=threads,
    )
    problem = Problem(mentors, mentees, programme, org_chart=org_chart, preferences=preferences)
    bonus = _priority_bonus(priority, problem, method)
    log.info(
        "match: %d mentors × %d mentees, %d rule(s), %d goal(s); policy %s, method %s%s",
        problem.mentors.n,
        problem.mentees.n,
        len(problem.programme.rules),
        len(problem.programme.goals),
        opts.policy,
        opts.method,
        "" if bonus is None else ", with priorities",
    )
    with _thread_limits(opts.threads):
        if bonus is not None:
            p_m, p_e = bonus
            dense = _compile(problem)
            unit = tier_unit(problem, dense.scores)
            tier = unit * (p_m[:, None] + p_e[None, :])
            return solve_with_bonus(problem, tier, opts, unit=unit, what="priority", arrays=dense)
        free, arrays = _solve_problem(problem, opts)
        return _explain(problem, arrays, free, opts.start)


def _explain(
    problem: Problem, arrays: ProblemArrays | None, free: Assignment, start: float
) -> Matching:
    """:func:`~rm_match.explain.explain_matching`, with its time and the outcome logged."""
    t = time.perf_counter()
    result = explain_matching(problem, arrays, free, start)
    log.info(
        "explained %d pairs and %d + %d unmatched in %.2f s",
        len(result),
        len(result.unmatched_mentors),
        len(result.unmatched_mentees),
        time.perf_counter() - t,
    )
    log.info(
        "match: %s, %d pairs, objective %.6g, bound %.6g, gap %.3g (%s) in %.2f s",
        result.status,
        len(result),
        result.objective,
        result.bound,
        result.gap,
        result.method,
        time.perf_counter() - start,
    )
    return result


def _priority_bonus(
    priority: object, problem: Problem, method: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """The checked priorities of each side as float arrays; None when none is positive."""
    if priority is None:
        return None
    if not isinstance(priority, Mapping):
        raise ValidationError(
            f"`priority` must be a mapping of participant id to priority; got "
            f"{type(priority).__name__}.",
            argument="priority",
        )
    m, e = problem.mentors, problem.mentees
    p_m, p_e = np.zeros(m.n), np.zeros(e.n)
    for pid, value in priority.items():
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if not ok or not 0 <= int(value) <= 1_000_000:
            raise ValidationError(
                f"participant {pid!r}: `priority` must be an integer in [0, 10^6].",
                argument="priority",
                participant=pid,
            )
        if pid in m:
            p_m[m.index(pid)] = int(value)
        elif pid in e:
            p_e[e.index(pid)] = int(value)
        else:
            raise ValidationError(
                f"`priority` names {pid!r}, who is neither a mentor nor a mentee.",
                argument="priority",
                participant=pid,
            )
    if not (p_m.any() or p_e.any()):
        return None
    if method not in ("auto", "flow"):
        raise ValidationError(
            f"`priority` is solved by the min-cost flow on the dense matrix; method {method!r} "
            "cannot take it (use 'auto' or 'flow').",
            argument="method",
        )
    return p_m, p_e


# -- the one path ------------------------------------------------------------------------------


def _solve_problem(problem: Problem, opts: Options) -> tuple[Assignment, ProblemArrays | None]:
    """Compile (dense) or screen (sparse), then solve: the free (non-required) pairs, and the
    compiled arrays when the whole problem was compiled (for the report).

    Every plan is held to the memory budget before anything large is allocated (a named
    method that would not fit raises :class:`~rm_match.errors.MemoryBudgetError`; ``auto``
    takes one that fits, e.g. the sparse path instead of a dense compile)."""
    _, m_cap, e_cap = problem.placement()
    goals = problem.programme.goals
    budget = memory_budget(opts.memory_limit)
    if goals and opts.method == "sparse":  # goals priced over the screen: no matrix
        why = unsupported(tuple(goals))
        if why is not None:
            raise SolverError(
                f"method 'sparse' cannot take these goals without the dense matrix: {why}.",
                method="sparse",
            )
        return _goals_on_screen(problem, tuple(goals), opts, "method 'sparse'"), None
    # the named method must suit the whole programme: checked before any part is sent off
    choose(Needs.of(m_cap, e_cap, goals=bool(goals)), opts.method)
    if goals:  # goals tie every pair together: one dense model, if it fits
        priced = opts.method == "auto" and unsupported(tuple(goals)) is None
        needs = Needs.of(m_cap, e_cap, goals=True, compile=True)
        try:
            choose(needs, opts.method, budget=budget)
        except MemoryBudgetError:
            if not priced:
                raise
            # auto: goals on the people's groups are priced over the screen instead
            why = "auto: no dense goal plan fits the memory budget"
            return _goals_on_screen(problem, tuple(goals), opts, why), None
        if priced and needs.cells >= registry.SPARSE_MIN_CELLS:
            # as without goals, from a million pairs: at 1 000 to 5 000 per side (three
            # goals, gap limit 1 %) 2.2-3.2x faster than the dense model, a tenth of the
            # memory at 5 000. A core with no answer proves nothing: the dense model then
            # decides (it can prove the goals infeasible and name them)
            why = f"auto: {needs.cells} cells ≥ {registry.SPARSE_MIN_CELLS}"
            try:
                return _goals_on_screen(problem, tuple(goals), opts, why), None
            except SolverError as exc:
                log.info("goals on the sparse path: %s; the dense goal model decides", exc)
        arrays = _compile(problem)
        spent = time.perf_counter() - opts.start
        if spent >= opts.limit:  # the goal model would start past the deadline
            raise SolverError(
                f"the time limit ({opts.limit:g} s) was spent building the scores and rules "
                f"({spent:.2f} s for {arrays.shape[0]} × {arrays.shape[1]}) before the goal "
                "model; raise `time_limit`.",
                method=opts.method,
            )
        ctx = problem.goal_context(arrays.feasible)

        def conflict(exc: InfeasibleError) -> InfeasibleError:
            return name_rules(problem, exc, opts.deadline)

        free = _with_goals(
            tuple(goals), ctx, arrays.scores, opts, on_infeasible=conflict, checked=True
        )
        return free, arrays
    parts = keyed_parts(problem, m_cap > 0, e_cap > 0)
    if parts is not None and len(parts) > 1:
        return _solve_parts(problem, parts, opts, budget), None
    needs = Needs.of(m_cap, e_cap, compile=True)
    backend = choose(needs, opts.method, budget=budget)
    if backend.capabilities.sparse:
        pool, own = _scan_threads(opts, needs.cells)
        if log.isEnabledFor(logging.INFO):
            why = reason(backend, needs, opts.method, budget)
            if opts.method == "auto":  # the first backend: chosen for its size or memory
                why = (
                    f"auto: {needs.cells} cells ≥ {registry.SPARSE_MIN_CELLS}"
                    if needs.cells >= registry.SPARSE_MIN_CELLS
                    else "auto: no dense plan fits the memory budget"
                )
            log.info(
                "backend sparse for %d × %d (%s): %s; no dense compile, scans on %s",
                needs.n_mentors,
                needs.n_mentees,
                needs.capacities,
                why,
                (
                    "the cluster"
                    if hasattr(pool, "remote")
                    else "the executor's threads"
                    if pool is not None
                    else f"{own} thread(s)"
                ),
            )
        a = _screened(problem, None, None, opts.policy, opts.generator, pool, own, opts.progress)
        return a, None
    arrays = _compile(problem)
    dense = ArrayProblem(
        arrays.scores,
        arrays.feasible,
        arrays.mentor_capacity,
        arrays.mentee_capacity,
        opts.policy,
        opts.time_limit,
        opts.generator,
    )
    left = _left(budget, arrays.scores, arrays.feasible)
    a = solve(dense, opts.method, executor=opts.executor, start=opts.start, memory_limit=left)
    return a, arrays


def _goals_on_screen(
    problem: Problem, goals: tuple[Goal, ...], opts: Options, why: str
) -> Assignment:
    """The goals solved on a core of pairs and bounded over every pair by the sparse path
    (:mod:`rm_match.sparse_goals`): no n × n matrix. Every goal is checked on the answer
    (required pairs included)."""
    n_m, n_e = problem.cohort.shape
    pool, own = _scan_threads(opts, n_m * n_e)
    log.info(
        "goals on the sparse path for %d × %d, %d goal(s) (%s): no dense compile",
        n_m,
        n_e,
        len(goals),
        why,
    )
    if pool is not None or own <= 1:
        free = solve_goals_sparse(problem, goals, opts, pool)
    else:
        with ThreadPoolExecutor(own) as scans:
            free = solve_goals_sparse(problem, goals, opts, scans)
    fixed = problem.placement()[0]
    every = np.concatenate((fixed, free.pairs)) if len(fixed) else free.pairs
    ctx = problem.goal_context(edges=(every[:, 0], every[:, 1]))
    return replace(free, goals=tuple(check_goals(goals, ctx, every[:, 0], every[:, 1])))


def _left(budget: float | None, *held: np.ndarray) -> float:
    """What remains of ``budget`` once the arrays ``held`` are allocated (``inf``: no
    check), for the solve that follows the compile."""
    if budget is None:
        return math.inf
    return max(budget - sum(a.nbytes for a in held), 1.0)


def _solve_parts(
    problem: Problem,
    parts: list[tuple[np.ndarray, np.ndarray]],
    opts: Options,
    budget: float | None = None,
) -> Assignment:
    """The independent parts (no allowed pair between them) solved apart, on the executor
    when one is given, and joined. Each part is held to ``budget`` (bytes; ``None``: no
    check) before any is solved: serially, one part's arrays exist at a time; on an
    executor, each task's."""
    _, m_cap, e_cap = problem.placement()
    for rows, cols in parts:
        choose(Needs.of(m_cap[rows], e_cap[cols], compile=True), opts.method, budget=budget)
    if opts.executor is not None:
        # fill the cohort's caches (org chart, codes) once here, so that every task receives
        # them with the problem instead of rebuilding them
        one = np.zeros(1, dtype=np.intp)
        problem.scores(one, one)
        problem.allowed(one, one)
    log.info(
        "%d independent parts (largest %d × %d), solved %s",
        len(parts),
        max(len(rows) for rows, _ in parts),
        max(len(cols) for _, cols in parts),
        "serially" if opts.executor is None else "as tasks on the executor",
    )
    seeds = opts.generator.integers(2**63 - 1, size=len(parts))
    t = time.perf_counter()
    # serially, the parts' pricing rounds report to one stage; a task sent to an executor
    # (another process, perhaps) reports nothing
    with progress_reporter(opts.progress if opts.executor is None else None, "pricing") as bar:
        tasks = [
            (
                problem,
                rows,
                cols,
                opts.policy,
                opts.method,
                opts.time_limit,
                int(seed),
                budget,
                bar if opts.executor is None else None,
            )
            for (rows, cols), seed in zip(parts, seeds, strict=True)
        ]
        a = join(run(_solve_part, tasks, opts.executor), opts.policy, opts.start)
    log.info(
        "parts solved and joined in %.2f s: %d pairs, objective %.6g",
        time.perf_counter() - t,
        len(a.pairs),
        a.objective,
    )
    return a


def _solve_part(
    problem: Problem,
    rows: np.ndarray,
    cols: np.ndarray,
    policy: str,
    method: str,
    time_limit: float | None,
    seed: int,
    budget: float | None = None,
    progress: ProgressReporter | None = None,
) -> Assignment:
    """One independent part, its pairs in the whole problem's indices (module level: a
    process pool can run it). Compiled densely, or screened when the backend for the part's
    size is the sparse path; ``budget``: the caller's, in bytes (the same choice as its
    check, wherever the task runs); ``progress``: where its pricing rounds report."""
    _, m_cap, e_cap = problem.placement()
    backend = choose(Needs.of(m_cap[rows], e_cap[cols], compile=True), method, budget=budget)
    log.debug("part of %d × %d: backend %s", len(rows), len(cols), backend.name)
    gen = np.random.default_rng(seed)
    if backend.capabilities.sparse:  # one task of several: its scans run serially
        return _screened(problem, rows, cols, policy, gen, None, 1, progress)
    scores, ok = problem.block(rows, cols)
    part = ArrayProblem(scores, ok, m_cap[rows], e_cap[cols], policy, time_limit, gen)
    # one part of several: its backend and solve are logged at DEBUG
    a = _solve(part, method, None, None, _left(budget, scores, ok), logging.DEBUG)
    return replace(a, pairs=np.column_stack((rows[a.pairs[:, 0]], cols[a.pairs[:, 1]])))


def _screened(
    problem: Problem,
    rows: np.ndarray | None,
    cols: np.ndarray | None,
    policy: str,
    gen: np.random.Generator,
    pool: Executor | None,
    threads: int,
    progress: Any = None,
) -> Assignment:
    """The sparse path over the problem's screen (or the part ``rows × cols`` of it): no
    n × n matrix. Its blockwise scans run on ``pool``, else on a pool of ``threads`` of
    their own (1: serially); the answer does not depend on them. ``progress``: where the
    pricing rounds report (see :func:`~rm_match.solvers.solve_source`); the path's lines
    are logged at INFO for the whole cohort, at DEBUG for a part."""
    fixed, m_cap, e_cap = problem.placement()
    source: Any = ProblemSource(problem, fixed)
    level = logging.INFO
    if rows is not None and cols is not None:
        source = SubSource(source, rows, cols)
        m_cap, e_cap = m_cap[rows], e_cap[cols]
        level = logging.DEBUG
    kw: dict[str, Any] = {"policy": policy, "rng": gen, "progress": progress, "level": level}
    if pool is not None or threads <= 1:
        a, _ = solve_source(source, m_cap, e_cap, executor=pool, **kw)
    else:
        with ThreadPoolExecutor(threads) as own:
            a, _ = solve_source(source, m_cap, e_cap, executor=own, **kw)
    if rows is not None and cols is not None:
        a = replace(a, pairs=np.column_stack((rows[a.pairs[:, 0]], cols[a.pairs[:, 1]])))
    return a


def _with_goals(
    goals: tuple[Goal, ...],
    ctx: GoalContext,
    scores: np.ndarray,
    opts: Options,
    *,
    on_infeasible: Callable[[InfeasibleError], InfeasibleError] | None = None,
    checked: bool = False,
) -> Assignment:
    """Compile the goals over the context's pairs (``scores``: the full matrix), solve
    within the time limit, and check every goal on the answer (required pairs included).
    ``on_infeasible(exc)``: the error to raise instead of an :class:`InfeasibleError`;
    ``checked``: the plan was held to the memory budget already (else the goal model is,
    before it is built). With no pair to choose, the answer is the empty one if it meets
    every goal, else the goals it breaks are the conflict, whatever the method."""
    needs = Needs.of(ctx.m_cap, ctx.e_cap, goals=True, pairs=len(ctx.mi))
    budget = None if checked else memory_budget(opts.memory_limit)
    backend = choose(needs, opts.method, budget=budget)
    if log.isEnabledFor(logging.INFO):
        log.info(
            "goal method %s for %d × %d, %d pairs allowed, %d goal(s): %s",
            backend.name,
            needs.n_mentors,
            needs.n_mentees,
            len(ctx.mi),
            len(goals),
            reason(backend, needs, opts.method, budget),
        )
    t = time.perf_counter()
    model, fair = compile_goals(goals, ctx, scores[ctx.mi, ctx.ei], opts.policy)
    log.info("goal model compiled in %.2f s", time.perf_counter() - t)
    fixed = ctx.fixed
    # MinPairScore's lowest score counts the required pairs too
    floor = float(scores[fixed[:, 0], fixed[:, 1]].min()) if len(fixed) else None
    try:
        if len(ctx.mi) == 0:
            free = _no_pairs(goals, ctx, scores, opts, backend.name)
        else:
            free = solve_goals(
                model, fair, opts, floor=floor, explain=lambda g: goals[g].explain(ctx)
            )
    except InfeasibleError as exc:
        if on_infeasible is not None:
            raise on_infeasible(exc) from None
        if exc.groups:
            raise
        groups = goal_conflicts([g for g in goals if g.name in exc.rules], ctx, exc.rules)
        raise InfeasibleError(
            str(exc), rules=exc.rules, participants=exc.participants, groups=groups
        ) from None
    every = np.concatenate((fixed, free.pairs)) if len(fixed) else free.pairs
    mi, ei = every[:, 0], every[:, 1]
    checks = tuple(check_goals(goals, ctx, mi, ei, scores=scores[mi, ei]))
    return replace(free, goals=checks)


def _assign_edges(
    scores: Any,
    feasible: Any,
    mentor_capacity: Any,
    mentee_capacity: Any,
    opts: Options,
    goals: Sequence[Goal],
) -> Assignment:
    """:func:`assign` for a ``scipy.sparse`` ``scores``: its stored entries are the allowed
    pairs, solved on them (:mod:`rm_match.solvers.edges`)."""
    if feasible is not None:
        raise ValidationError(
            "`feasible` must be None with sparse `scores`: the stored entries are the allowed "
            "pairs (leave a forbidden pair out of the matrix).",
            argument="feasible",
        )
    if goals:
        raise ValidationError(
            "cohort goals take a dense `scores` matrix (with `feasible`); sparse scores are "
            "solved without goals.",
            argument="goals",
        )
    if opts.method not in ("auto", "flow", "sparse"):
        raise SolverError(
            f"method {opts.method!r} cannot solve sparse `scores`: 'auto', 'sparse' and "
            "'flow' solve on the pairs given.",
            method=opts.method,
        )
    n_m, n_e, mi, ei, s = edges_of(scores)
    m_cap = capacity_of(mentor_capacity, n_m, n_e, "mentor_capacity", "mentor (row)")
    e_cap = capacity_of(mentee_capacity, n_e, n_m, "mentee_capacity", "mentee (column)")
    method = "flow" if opts.method == "flow" else "auto"
    return solve_edges(
        n_m, n_e, mi, ei, s, m_cap, e_cap, opts.policy, method=method, start=opts.start
    )


def _no_pairs(
    goals: tuple[Goal, ...], ctx: GoalContext, scores: np.ndarray, opts: Options, method: str
) -> Assignment:
    """The answer when no pair can be chosen (an empty side, or rules that allow nothing):
    no pairs, if the required ones alone meet every goal.

    Raises
    ------
    InfeasibleError
        Naming the goals the required pairs alone break: no choice of pairs can mend them.
    """
    fixed = ctx.fixed
    mi, ei = fixed[:, 0], fixed[:, 1]
    failed = {c.goal for c in check_goals(goals, ctx, mi, ei, scores=scores[mi, ei]) if not c.met}
    broken = [g for g in goals if g.name in failed]
    if broken:
        names = [g.name for g in broken]
        why = next((w for g in broken if (w := g.explain(ctx))), None)
        raise InfeasibleError(
            "no assignment meets the goals: "
            f"{why or ' + '.join(names) + ' cannot hold with no pair to choose'}.",
            rules=names,
        )
    return Assignment.build(
        np.empty((0, 2), dtype=np.int64),
        0.0,
        0.0,
        method=method,
        policy=opts.policy,
        start=opts.start,
        message="no pair to choose",
    )


# -- lexicographic tiers above the score: kept pairs (rematch), priorities ---------------------

#: Largest tier bonus: ``score + bonus`` must keep the score's fraction well below the
#: certification tolerance (``2^-52 · 2^22 ≈ 1e-9`` per pair at worst; the rounding is counted
#: in the bound either way).
MAX_BONUS = float(1 << 22)


def tier_unit(problem: Problem, scores: np.ndarray) -> float:
    """A bonus worth more than any change of the score total: the most pairs times the
    scores' range, plus one."""
    _, m_cap, e_cap = problem.placement()
    return float(max_pairs_of(m_cap, e_cap) * _score_range(scores) + 1.0)


def _score_range(scores: np.ndarray) -> float:
    """How far one pair's score can move a total: the span of the scores and 0."""
    return max(float(scores.max(initial=0.0)), 0.0) - min(float(scores.min(initial=0.0)), 0.0)


def solve_with_bonus(
    problem: Problem,
    bonus: np.ndarray,
    opts: Options,
    *,
    unit: float | None,
    what: str,
    arrays: ProblemArrays | None = None,
) -> Matching:
    """Solve ``problem`` with ``bonus`` (n_mentors × n_mentees, ≥ 0) added to the scores of
    its allowed pairs; objective and bound are reported in the original scores.

    With ``unit`` (the tier's smallest step, at least :func:`tier_unit`), the bonus is a
    lexicographic tier between the policy's goal and the score: the answer is checked to
    reach the tier's optimum (else a :class:`SolverError`), and the bound is on the score of
    any answer as good in the tier. Without it, the bonus is a plain price (one solve).
    ``what`` names the tier in the result's message.
    """
    if arrays is None:
        arrays = _compile(problem)
    fixed, m_cap, e_cap = problem.placement()
    scores, feasible = arrays.scores, arrays.feasible
    k_max = max_pairs_of(m_cap, e_cap)
    extra = np.where(feasible, bonus, 0.0)
    top = float(extra.max(initial=0.0))
    if unit is not None and top > MAX_BONUS:
        raise SolverError(
            f"the {what} bonus ({top:g}) for {k_max} pairs would lose the scores' precision.",
            method="flow",
        )
    boosted = np.array(scores, dtype=np.float64) + extra
    # rounding of score + bonus, exactly: (s + b) - b is exact (Sterbenz, s ≤ b), so this is
    # the loss
    rep = float(np.abs((boosted - extra) - scores)[extra > 0].max(initial=0.0))
    boosted.flags.writeable = False
    goals = tuple(problem.programme.goals)
    if goals:  # the goal machinery, on the boosted scores
        ctx = problem.goal_context(feasible)
        a = _with_goals(goals, ctx, boosted, opts)
    else:
        dense = ArrayProblem(
            boosted, feasible, m_cap, e_cap, opts.policy, opts.time_limit, opts.generator
        )
        a = solve(dense, "flow", start=opts.start)
    objective = float(scores[a.pairs[:, 0], a.pairs[:, 1]].sum())
    # any answer as good in the tier: its score ≤ bound - its bonus, each pair's rounding
    # counted
    slack = max(a.bound - a.objective, 0.0) + 2.0 * k_max * rep
    # one step more in the tier is worth at least `unit` minus any change of the score total
    if unit is not None and not goals and slack >= unit - k_max * _score_range(scores):
        raise SolverError(
            f"the {what} could not be proven optimal (bound too loose).", method="flow"
        )
    free = Assignment.build(
        a.pairs,
        objective,
        slack,
        method=a.method,
        policy=opts.policy,
        start=opts.start,
        message=f"{a.message}; {what} as a bonus (reported without it)",
    )
    if goals:  # each goal checked on the original scores (MinPairScore reads them)
        every = np.concatenate((fixed, a.pairs)) if len(fixed) else a.pairs
        mi, ei = every[:, 0], every[:, 1]
        checks = check_goals(goals, problem.goal_context(feasible), mi, ei, scores=scores[mi, ei])
        free = replace(free, goals=tuple(checks))
    return _explain(problem, arrays, free, opts.start)
