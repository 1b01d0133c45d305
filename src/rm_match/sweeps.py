"""Trade-off sweeps, Pareto fronts and the price of each rule and goal: one compile, many
solves.

- :func:`sweep` varies one thing of a programme over a list of values and solves each point;
- :func:`pareto` traces the trade-off between two objectives by the ε-constraint method;
- :func:`price_of_rules` says what each hard rule and each goal costs the objective.

The cohort is compiled once: each score term's matrix is kept apart (a weight or λ is a
re-weighting, one weighted sum), each rule's mask is compiled once (a rule on or off is an
``and`` of masks), and the goal context is shared by the points whose scores and mask are
the same. Each point is then solved as :func:`rm_match.match` solves that programme — the
same backend, the same goal pipeline, the same seed — so a point's answer is the one an
independent ``match`` call gives (its objective within the solvers' tolerance; goal solves
stopped by the wall clock, rather than by their work, may differ).

What a sweep can vary (``vary=``):

==========================  ==========================================================  ============
``vary``                    each point's programme                                      values
==========================  ==========================================================  ============
``"weight:<term>"``         the term's weight (the others as the programme has them)    reals ≥ 0
``"reverse_weight"``        λ; the learning term's two directions are kept apart        reals ≥ 0
``"goal:<i>.<param>"``      goal ``i`` (an index, or the goal's name, e.g.              what the
                            ``"goal:share_cross_gender.at_least"``) with ``param`` set  goal takes
                            to the value
``"rule:<label>"``          the rule with that label (:attr:`Programme.rule_names`) on  True, False
                            (``True``) or off (``False``)
==========================  ==========================================================  ============

Warm starts: the goal levels of a sweep share the scores and the mask, so the best
assignment with the goals set aside (what the goal pipeline computes first at every point)
is solved once; every point it meets is answered by it, optimal by its own bound, without
building its goal model.

Without goals, on a cohort large enough for :func:`rm_match.match` to take its sparse path
(no n × n matrix is ever built), a dense compile would cost more than the points save: each
point is then solved from the tables as ``match`` solves it.

Points run as tasks, on an optional :class:`concurrent.futures.Executor` (a process pool, a
Dask ``Client.get_executor()``, …); each task carries its point's arrays only (the score
matrix and the mask, never the kept term matrices). ``progress=`` reports one step per
point (see :mod:`rm_match._progress`); nothing is written to the logs.

Examples
--------
>>> import rm_match as rm
>>> mentors, mentees = rm.synthetic.cohort(30, 30, rng=1)
>>> prog = rm.Programme(rules=[rm.rules.CrossDepartment()],
...                     goals=[rm.goals.Share(cross="gender", at_least=0.5)])
>>> s = rm.sweep(mentors, mentees, prog, vary="goal:0.at_least", values=[0.5, 0.9], rng=0)
>>> [(row["value"], row["status"]) for row in s.rows]
[(0.5, 'optimal'), (0.9, 'optimal')]
>>> s.rows[1]["goal:share_cross_gender"] >= 0.9, s.rows[0]["changed"]
(True, 0)
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import time
from collections import deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, cast

import numpy as np

from ._checks import check_int, check_real, is_collection, shown
from ._progress import ProgressReporter, progress_reporter
from .api import _solve_problem, _with_goals
from .errors import InfeasibleError, MemoryBudgetError, SolverError, ValidationError
from .goals import Goal, GoalCheck, GoalContext, Share, check_goals
from .people import People
from .preferences import Preferences
from .problem import Problem, active_weights
from .programme import Programme, numbered
from .results import relative_gap
from .rules import RequiredPairs
from .solvers import ArrayProblem, Needs, check_options, choose, goal_memo, solve
from .solvers.options import check_executor
from .solvers.registry import COMPILE_BLOCK_CELLS, memory_budget
from .terms import TERMS, _learning_parts, combine, pair_terms

__all__ = ["ParetoFront", "RulePrices", "SweepResult", "pareto", "price_of_rules", "sweep"]

#: Goal methods whose first step is the best assignment with the goals aside (``L(0)``):
#: a sweep may solve that once for all the points that share scores and mask.
_ROOT_METHODS = ("auto", "lp")

#: Tasks a sweep keeps in flight on an executor (each holds its point's arrays).
_IN_FLIGHT = 8

#: Relative tolerance of the Pareto front's dominance test.
_DOMINANCE_TOL = 1e-9


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    """The points of a :func:`sweep`, one row per value.

    Attributes
    ----------
    vary : str
        What was varied (as given to :func:`sweep`).
    values : tuple
        The values, in order.
    rows : tuple of dict
        One row per value: ``"value"``; ``"objective"`` (total score, required pairs
        included, as :attr:`Matching.objective`), ``"bound"``, ``"gap"``, ``"status"``
        (``"optimal"``, ``"feasible"``, ``"infeasible"`` or ``"unsolved"`` — no answer
        found within the time limit; those two have NaN figures and the reason in
        ``"message"``); ``"pairs"``; ``"goal:<name>"``: each goal's achieved figure
        (:attr:`GoalCheck.value`, NaN when suppressed); ``"term:<name>"``: each score term's
        mean over the pairs; ``"changed"``: pairs not among the first point's; ``"time"``:
        seconds of the point's solve; ``"method"`` and ``"message"``.
    pairs : tuple of ndarray
        Each point's pairs as a (k, 2) array of (mentor index, mentee index), required
        pairs included (empty for a point without an answer).
    programmes : tuple of Programme
        Each point's programme: ``match(mentors, mentees, s.programmes[i])`` solves point
        ``i`` on its own.
    seconds : float
        Wall-clock seconds of the whole sweep, the compile included.

    Examples
    --------
    >>> import rm_match as rm
    >>> mentors, mentees = rm.synthetic.cohort(20, 20, rng=0)
    >>> s = rm.sweep(mentors, mentees, vary="weight:learning", values=[0.0, 1.0, 4.0])
    >>> len(s), [r["status"] for r in s.rows]
    (3, ['optimal', 'optimal', 'optimal'])
    >>> s.rows[2]["term:learning"] >= s.rows[0]["term:learning"]
    True
    """

    vary: str
    values: tuple[Any, ...]
    rows: tuple[dict[str, Any], ...]
    pairs: tuple[np.ndarray, ...] = field(repr=False)
    programmes: tuple[Programme, ...] = field(repr=False)
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.rows)

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (needs pandas), one row per value."""
        return _frame(self.rows, "SweepResult")

    def __repr__(self) -> str:
        return f"SweepResult(vary={self.vary!r}, points={len(self.rows)})"


@dataclass(frozen=True)
class ParetoFront:
    """The points of a :func:`pareto` front.

    Attributes
    ----------
    x_name, y_name : str
        The two objectives, as given.
    constrained : str
        The one held to ``≥ ε`` (a share): ``y_name``, or ``x_name`` when only it is one.
    rows : tuple of dict
        One row per ε, in increasing ε: ``"epsilon"``, ``"x"``, ``"y"`` (the two measured
        on the answer), ``"objective"`` (the programme's total score), ``"pairs"``,
        ``"status"``, ``"gap"``, ``"dominated"`` (another row is at least as good on both
        and better on one; infeasible rows are marked dominated), ``"time"``.
    pairs : tuple of ndarray
        Each row's pairs, (k, 2) index arrays.

    Examples
    --------
    >>> import rm_match as rm
    >>> mentors, mentees = rm.synthetic.cohort(12, 12, rng=4)
    >>> f = rm.pareto(mentors, mentees, x="term:learning", y="share:cross:generation",
    ...               points=3, rng=0)
    >>> len(f.rows), all(r["x"] >= 0 for r in f.front)
    (3, True)
    """

    x_name: str
    y_name: str
    constrained: str
    rows: tuple[dict[str, Any], ...]
    pairs: tuple[np.ndarray, ...] = field(repr=False)

    @property
    def front(self) -> tuple[dict[str, Any], ...]:
        """The rows not dominated, by increasing ``x``."""
        return tuple(sorted((r for r in self.rows if not r["dominated"]), key=lambda r: r["x"]))

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (needs pandas)."""
        return _frame(self.rows, "ParetoFront")


@dataclass(frozen=True)
class RulePrices:
    """What each rule and goal costs: :func:`price_of_rules`.

    Attributes
    ----------
    objective : float
        The objective with every rule and goal (NaN when that programme has no answer).
    pairs : int
        Its pairs.
    status : str
        Its status.
    rows : tuple of dict
        One row per rule, then per goal: ``"name"`` (the rule's label or goal's name),
        ``"kind"`` (``"rule"`` or ``"goal"``), ``"objective_without"``,
        ``"pairs_without"``, ``"price"`` (``objective_without − objective``: what the
        rule or goal costs; under ``max_matched`` more pairs count too),
        ``"status_without"``, ``"gap_without"``, ``"time"``.

    Examples
    --------
    >>> import rm_match as rm
    >>> mentors, mentees = rm.synthetic.cohort(20, 20, rng=2)
    >>> prog = rm.Programme(rules=[rm.rules.CrossDepartment()])
    >>> p = rm.price_of_rules(mentors, mentees, prog)
    >>> [(r["name"], r["kind"], r["price"] >= 0) for r in p.rows]
    [('cross_department', 'rule', True)]
    """

    objective: float
    pairs: int
    status: str
    rows: tuple[dict[str, Any], ...]

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (needs pandas)."""
        return _frame(self.rows, "RulePrices")


def _frame(rows: Sequence[dict[str, Any]], owner: str) -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"{owner}.to_frame needs pandas: pip install 'rm-match[pandas]'") from exc
    return pd.DataFrame(list(rows))


# -- the compiled cohort ------------------------------------------------------------------------


class _Groups:
    """Attribute groups by name, resolved once in the caller: what a task's goal context
    reads instead of the whole :class:`Problem` (module level: it travels to processes)."""

    def __init__(self, table: Mapping[str, tuple[np.ndarray, np.ndarray, list[Any]]]) -> None:
        self.table = dict(table)

    def __call__(self, name: str) -> tuple[np.ndarray, np.ndarray, list[Any]]:
        if name not in self.table:  # pragma: no cover - every goal's attributes are resolved
            raise ValidationError(f"attribute {name!r} was not resolved for the sweep.")
        return self.table[name]


class _Compiled:
    """The cohort compiled once: each term's matrix, the mask of the rules not split off,
    each split rule's own mask, and (for λ) the learning term's two directions."""

    def __init__(
        self,
        problem: Problem,
        terms: Sequence[str],
        split: Sequence[str] = (),
        directions: bool = False,
    ) -> None:
        n_m, n_e = problem.cohort.shape
        self.problem = problem
        self.shape = (n_m, n_e)
        self.terms = {name: np.empty((n_m, n_e)) for name in terms}
        self.rest = np.ones((n_m, n_e), dtype=bool)
        self.masks = {label: np.ones((n_m, n_e), dtype=bool) for label in split}
        self.forward = np.empty((n_m, n_e)) if directions else None
        self.reverse = np.empty((n_m, n_e)) if directions else None
        rows, cols = np.arange(n_m), np.arange(n_e)
        step = max(1, COMPILE_BLOCK_CELLS // max(n_e, 1))
        for start in range(0, n_m, step):
            at = slice(start, min(start + step, n_m))
            mi = rows[at]
            if terms:
                block = pair_terms(problem.cohort, problem.spec, mi, cols, terms=terms)
                for name, values in block.items():
                    self.terms[name][at] = values
                del block
            if self.forward is not None and self.reverse is not None:
                f, r = _learning_parts(problem.cohort, problem.spec, mi, cols, True)
                self.forward[at], self.reverse[at] = f, r
            for label, ok in problem.allowed(mi, cols).items():
                target = self.masks.get(label, self.rest)
                target[at] &= ok
        for a in (self.rest, *self.masks.values(), *self.terms.values()):
            a.flags.writeable = False
        self.ids = (problem.mentors.ids, problem.mentees.ids)

    def learning(self, lam: float, mi: Any = slice(None), ei: Any = slice(None)) -> np.ndarray:
        """The learning term at ``λ = lam`` (as :func:`rm_match.terms.pair_terms` makes it),
        of the whole matrix or of the pairs ``(mi, ei)``."""
        assert self.forward is not None and self.reverse is not None
        f, r = self.forward[mi, ei], self.reverse[mi, ei]
        return np.minimum((f + lam * r) / (1.0 + lam), 1.0)

    def scores(self, weights: Mapping[str, float], lam: float | None = None) -> np.ndarray:
        """The score matrix under ``weights`` (and λ): one weighted sum of the kept terms, in
        the weights' order (as the compile sums them, so the same numbers)."""
        terms: Mapping[str, np.ndarray] = self.terms
        if lam is not None and "learning" in self.terms:
            terms = {**self.terms, "learning": self.learning(lam)}
        active = {k: v for k, v in weights.items() if v > 0}
        out = combine({k: terms[k] for k in active}, active) if active else np.zeros(self.shape)
        out.flags.writeable = False
        return out

    def mask(self, on: Sequence[str]) -> np.ndarray:
        """The rules not split off, and the split rules in ``on``."""
        out = self.rest
        for label in on:
            out = out & self.masks[label]
        return out


def _resolve_groups(
    problem: Problem, goal_lists: Sequence[Sequence[Goal]], more: Sequence[str] = ()
) -> _Groups:
    """The groups of every attribute the goals (and ``more``) name, resolved once."""
    names = set(more)
    for goals in goal_lists:
        for g in goals:
            for attr in (g.cross, g.same, getattr(g, "groups", None)):
                if isinstance(attr, str):
                    names.add(attr)
    return _Groups({name: problem.goal_groups(name) for name in sorted(names)})


# -- points and tasks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    """The solve options of every point (plain values: they travel to processes)."""

    policy: str
    method: str
    time_limit: float | None
    workers: int
    gap_limit: float | None
    memory_limit: float | None


@dataclass(frozen=True)
class _Task:
    """One point to solve: its arrays and goals (module level and plain: picklable)."""

    index: int
    scores: np.ndarray
    feasible: np.ndarray  # the rules' mask, required pairs excluded
    fixed: np.ndarray
    m_cap: np.ndarray
    e_cap: np.ndarray
    goals: tuple[Goal, ...]
    groups: _Groups
    ids: tuple[np.ndarray, np.ndarray]
    settings: _Settings
    seed: Any
    goal_path: bool = False  # solve by the goal pipeline even without goals (the root)


@dataclass(frozen=True)
class _Done:
    """A solved point: the free (non-required) pairs and their account."""

    index: int
    pairs: np.ndarray
    objective: float
    bound: float
    status: str
    method: str
    message: str
    checks: tuple[GoalCheck, ...]
    seconds: float


@dataclass
class _Point:
    """A point as the caller builds it: what its task needs, or why it has none."""

    value: Any
    programme: Programme
    scores: np.ndarray
    feasible: np.ndarray
    placement: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    goals: tuple[Goal, ...]
    shares_root: bool = False  # the scores and mask of the shared root
    lam: float | None = None
    failed: str | None = None  # why the point has no answer before solving (placement)


def _context(task: _Task) -> GoalContext:
    """The goal context of a task: its allowed pairs between participants with capacity."""
    n_m, n_e = task.scores.shape
    ok = task.feasible & (task.m_cap > 0)[:, None] & (task.e_cap > 0)
    mi, ei = np.nonzero(ok)
    return GoalContext(
        n_m, n_e, mi, ei, task.fixed, task.m_cap, task.e_cap, attribute=task.groups, ids=task.ids
    )


def _run_point(task: _Task) -> _Done:
    """Solve one point as :func:`rm_match.match` solves it (module level: a process pool
    can run it). An infeasible point, or one without an answer in time, is a row, not an
    error; a memory plan that does not fit is an error."""
    t0 = time.perf_counter()
    s = task.settings
    opts = check_options(
        policy=s.policy,
        method=s.method,
        time_limit=s.time_limit,
        rng=task.seed,
        workers=s.workers,
        gap_limit=s.gap_limit,
        memory_limit=s.memory_limit,
        start=t0,
    )
    try:
        if task.goals or task.goal_path:
            a = _with_goals(task.goals, _context(task), task.scores, opts)
        else:
            problem = ArrayProblem(
                task.scores,
                task.feasible,
                task.m_cap,
                task.e_cap,
                opts.policy,
                opts.time_limit,
                opts.generator,
            )
            a = solve(problem, opts.method, start=t0, memory_limit=opts.memory_limit)
    except MemoryBudgetError:
        raise
    except InfeasibleError as exc:
        return _failed(task.index, "infeasible", str(exc), time.perf_counter() - t0)
    except SolverError as exc:
        return _failed(task.index, "unsolved", str(exc), time.perf_counter() - t0)
    return _Done(
        task.index,
        np.asarray(a.pairs, dtype=np.int64).reshape(-1, 2),
        float(a.objective),
        float(a.bound),
        a.status,
        a.method,
        a.message,
        tuple(a.goals),
        time.perf_counter() - t0,
    )


def _run_points(tasks: Sequence[_Task]) -> list[_Done]:
    """Solve tasks one after the other, sharing what a goal row's dual met (module level:
    an executor runs it; see :func:`.solvers.goal_memo`)."""
    with goal_memo():
        return [_run_point(t) for t in tasks]


#: Points with goals that an executor gets together (consecutive levels of one goal share
#: the dual's work, as they do serially); the others go one by one.
_GOAL_CHUNK = 2


def _chunks(todo: Sequence[int], points: Sequence[_Point]) -> list[list[int]]:
    """``todo`` in submission order: runs of consecutive points with goals in chunks of
    :data:`_GOAL_CHUNK`, every other point alone."""
    out: list[list[int]] = []
    for i in todo:
        last = out[-1] if out else None
        if (
            last is not None
            and points[i].goals
            and points[last[-1]].goals
            and last[-1] == i - 1
            and len(last) < _GOAL_CHUNK
        ):
            last.append(i)
        else:
            out.append([i])
    return out


def _failed(index: int, status: str, message: str, seconds: float) -> _Done:
    return _Done(
        index,
        np.empty((0, 2), dtype=np.int64),
        math.nan,
        math.nan,
        status,
        "",
        message,
        (),
        seconds,
    )


@dataclass(frozen=True)
class _Direct:
    """A point solved as :func:`rm_match.match` solves it from the tables (the sparse path
    of a cohort too large for a dense compile to pay): module level and plain."""

    index: int
    mentors: People
    mentees: People
    programme: Programme
    org_chart: Any
    preferences: Any
    settings: _Settings
    seed: Any


def _run_direct(task: _Direct) -> tuple[_Done, np.ndarray, dict[str, float]]:
    """A :class:`_Direct` point: its answer, its pairs (required ones included) and each
    term's mean over them (the pairs' own values: no matrix is kept)."""
    t0 = time.perf_counter()
    s = task.settings
    opts = check_options(
        policy=s.policy,
        method=s.method,
        time_limit=s.time_limit,
        rng=task.seed,
        workers=s.workers,
        gap_limit=s.gap_limit,
        memory_limit=s.memory_limit,
        start=t0,
    )
    problem = Problem(
        task.mentors,
        task.mentees,
        task.programme,
        org_chart=task.org_chart,
        preferences=task.preferences,
    )
    empty = np.empty((0, 2), dtype=np.int64)
    try:
        fixed = problem.placement()[0]
        a, _ = _solve_problem(problem, opts)
    except MemoryBudgetError:
        raise
    except InfeasibleError as exc:
        return _failed(task.index, "infeasible", str(exc), time.perf_counter() - t0), empty, {}
    except SolverError as exc:
        return _failed(task.index, "unsolved", str(exc), time.perf_counter() - t0), empty, {}
    every = np.concatenate((fixed, a.pairs)) if len(fixed) else np.asarray(a.pairs)
    every = np.asarray(every, dtype=np.int64).reshape(-1, 2)
    terms = problem.terms(every[:, 0], every[:, 1], outer=False) if len(every) else {}
    fixed_total = float(combine(terms, problem.weights)[: len(fixed)].sum()) if terms else 0.0
    means = {name: float(v.mean()) for name, v in terms.items()}
    done = _Done(
        task.index,
        every,
        float(a.objective) + fixed_total,
        float(a.bound) + fixed_total,
        a.status,
        a.method,
        a.message,
        tuple(a.goals),
        time.perf_counter() - t0,
    )
    return done, every, means


def _direct_pays(problem: Problem, programmes: Sequence[Programme], s: _Settings) -> bool:
    """Whether :func:`rm_match.match` would solve every point without a dense compile (no
    goals, ``method="auto"``, a cohort its sparse path takes): then a compile of the kept
    terms costs more than it saves, and each point is solved as ``match`` solves it."""
    if s.method != "auto" or any(p.goals for p in programmes):
        return False
    m_cap, e_cap = problem.mentors.capacity, problem.mentees.capacity
    budget = memory_budget(s.memory_limit)
    backend = choose(Needs.of(m_cap, e_cap, compile=True), "auto", budget=budget)
    return bool(backend.capabilities.sparse)


def _sweep_direct(
    mentors: People,
    mentees: People,
    programmes: Sequence[Programme],
    values: Sequence[Any],
    org_chart: Any,
    preferences: Any,
    settings: _Settings,
    seeds: Sequence[Any],
    executor: Executor | None,
    bar: ProgressReporter,
) -> tuple[list[dict[str, Any]], list[np.ndarray]]:
    """The rows of a sweep whose points are solved as ``match`` solves them."""
    tasks = [
        _Direct(i, mentors, mentees, p, org_chart, preferences, settings, seeds[i])
        for i, p in enumerate(programmes)
    ]
    results: list[tuple[_Done, np.ndarray, dict[str, float]]] = []
    if executor is None:
        for t in tasks:
            results.append(_run_direct(t))
            bar.update(1, f"point {t.index + 1}: {results[-1][0].status}" if bar.active else "")
    else:
        futures = [executor.submit(_run_direct, t) for t in tasks]
        for f in futures:
            results.append(f.result())
            bar.update(1, f"point {len(results)}: {results[-1][0].status}" if bar.active else "")
    n_e = max(mentees.n, 1)
    rows: list[dict[str, Any]] = []
    first: np.ndarray | None = None
    for v, (d, every, means) in zip(values, results, strict=True):
        ok = d.status in ("optimal", "feasible")
        row: dict[str, Any] = {
            "value": v,
            "objective": d.objective,
            "bound": d.bound,
            "gap": relative_gap(d.objective, d.bound) if ok else math.nan,
            "status": d.status,
            "pairs": len(every),
        }
        row.update({f"term:{k}": m for k, m in means.items()})
        keys = np.sort(every[:, 0] * n_e + every[:, 1])
        if first is None:
            first = keys if ok else None
            row["changed"] = 0 if ok else math.nan
        else:
            row["changed"] = len(np.setdiff1d(keys, first)) if ok else math.nan
        row.update(time=d.seconds, method=d.method, message=d.message)
        rows.append(row)
    return rows, [r[1] for r in results]


class _Engine:
    """Solves a list of points: the shared root once (when it pays), the rest as tasks,
    serially or on the executor, one progress step per point."""

    def __init__(
        self,
        compiled: _Compiled,
        settings: _Settings,
        seeds: Sequence[Any],
        executor: Executor | None,
        groups: _Groups,
    ) -> None:
        self.c = compiled
        self.settings = settings
        self.seeds = seeds
        self.executor = executor
        self.groups = groups

    def task(self, i: int, p: _Point, *, goal_path: bool = False) -> _Task:
        assert p.placement is not None
        fixed, m_cap, e_cap = p.placement
        feasible = p.feasible
        if len(fixed):
            feasible = feasible.copy()
            feasible[fixed[:, 0], fixed[:, 1]] = False
        return _Task(
            i,
            p.scores,
            feasible,
            fixed,
            m_cap,
            e_cap,
            p.goals,
            self.groups,
            self.c.ids,
            self.settings,
            self.seeds[i],
            goal_path,
        )

    def run(self, points: Sequence[_Point], bar: ProgressReporter) -> list[_Done]:
        # the points solved here, one after the other, share what a goal row's dual met
        # (the same answers, with less work: see :func:`.solvers.goal_memo`)
        with goal_memo():
            return self._run(points, bar)

    def _run(self, points: Sequence[_Point], bar: ProgressReporter) -> list[_Done]:
        done: dict[int, _Done] = {}

        def finish(d: _Done) -> None:
            done[d.index] = d
            if bar.active:
                v = points[d.index].value
                what = v if isinstance(v, (bool, numbers.Real)) else type(v).__name__
                bar.update(1, f"value {what}: {d.status}")
            else:
                bar.update(1)

        for i, p in enumerate(points):
            if p.failed is not None:
                finish(_failed(i, "infeasible", p.failed, 0.0))
        served = self._from_root(points)
        for d in served:
            finish(d)
        todo = [i for i, p in enumerate(points) if i not in done]
        if self.executor is None:
            for i in todo:
                finish(_run_point(self.task(i, points[i])))
        else:
            queue: deque[Future[list[_Done]]] = deque()
            for chunk in _chunks(todo, points):
                if len(queue) >= _IN_FLIGHT:
                    for d in queue.popleft().result():
                        finish(d)
                tasks = [self.task(i, points[i]) for i in chunk]
                queue.append(self.executor.submit(_run_points, tasks))
            while queue:
                for d in queue.popleft().result():
                    finish(d)
        return [done[i] for i in range(len(points))]

    def _from_root(self, points: Sequence[_Point]) -> list[_Done]:
        """The points that the best assignment with the goals aside answers: solved once
        for every point with goals that shares its scores and mask (when two or more do),
        then each point's goals checked on it. Such a point's answer is the goal pipeline's
        own: its first step is that assignment, returned (optimal) when it meets the goals.
        """
        if self.settings.method not in _ROOT_METHODS:
            return []
        able = [
            i
            for i, p in enumerate(points)
            if p.failed is None
            and p.shares_root
            and p.goals
            and not any(g.objective_term for g in p.goals)
        ]
        if not able:
            return []
        one = points[able[0]]  # the points with its very scores and mask
        ready = [
            i for i in able if points[i].scores is one.scores and points[i].feasible is one.feasible
        ]
        if len(ready) < 2:
            return []
        first = points[ready[0]]
        seed = self.seeds[ready[0]]
        task = replace(self.task(ready[0], first, goal_path=True), goals=(), seed=seed)
        root = _run_point(task)
        if root.status != "optimal":  # only a proven optimum answers the others
            return []
        ctx = _context(task)
        out: list[_Done] = []
        for i in ready:
            t0 = time.perf_counter()
            p = points[i]
            fixed = task.fixed
            every = np.concatenate((fixed, root.pairs)) if len(fixed) else root.pairs
            mi, ei = every[:, 0], every[:, 1]
            checks = tuple(check_goals(p.goals, ctx, mi, ei, scores=p.scores[mi, ei]))
            if all(c.met for c in checks):
                message = (
                    "the best assignment meets every goal (no LP needed; solved once for the sweep)"
                )
                seconds = time.perf_counter() - t0
                if not out:  # the one solve counts on the first point it answers
                    seconds += root.seconds
                out.append(replace(root, index=i, checks=checks, seconds=seconds, message=message))
        return out


# -- checks -------------------------------------------------------------------------------------


def _values(values: object) -> tuple[Any, ...]:
    if not is_collection(values) or isinstance(values, (set, frozenset)):
        raise ValidationError(
            "`values` must be a sequence (a list, tuple or 1-D array) of the values to try; "
            f"got {shown(values)}.",
            argument="values",
        )
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ValidationError("`values` must be one-dimensional.", argument="values")
    out = tuple(values.tolist() if isinstance(values, np.ndarray) else values)
    if not out:
        raise ValidationError("`values` must hold at least one value.", argument="values")
    return out


def _seeds(rng: object, k: int) -> list[Any]:
    """Each point's seed: ``rng`` itself (each point seeded as ``match(rng=rng)`` would be),
    or, for a Generator, one seed per point drawn from it (independent of the order the
    points run in)."""
    if isinstance(rng, np.random.Generator):
        return [int(s) for s in rng.integers(2**63 - 1, size=k)]
    return [rng] * k


def _goal_labels(goals: Sequence[Goal]) -> list[str]:
    """A column name per goal: its name, numbered when several share it."""
    return list(numbered([g.name for g in goals]))


def _placement(
    problem: Problem, programme: Programme, org_chart: Any, preferences: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Required pairs placed under ``programme``'s rules (the problem's own placement when
    the rules are its own, or no rule places pairs)."""
    mine = tuple(problem.programme.rules)
    if len(mine) == len(programme.rules) and all(
        a is b for a, b in zip(mine, programme.rules, strict=True)
    ):
        return problem.placement()
    if not any(isinstance(r, RequiredPairs) for r in programme.rules):
        cap_m, cap_e = problem.mentors.capacity.copy(), problem.mentees.capacity.copy()
        cap_m.flags.writeable = cap_e.flags.writeable = False
        return np.empty((0, 2), dtype=np.int64), cap_m, cap_e
    other = Problem(
        problem.mentors,
        problem.mentees,
        replace(programme, goals=()),
        org_chart=org_chart,
        preferences=preferences,
    )
    return other.placement()


def _point(
    value: Any,
    programme: Programme,
    scores: np.ndarray,
    feasible: np.ndarray,
    placement: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]],
    **kw: Any,
) -> _Point:
    """A point, or one that failed to place its required pairs (its row says why)."""
    try:
        placed = placement()
    except InfeasibleError as exc:
        return _Point(value, programme, scores, feasible, None, (), failed=str(exc))
    return _Point(value, programme, scores, feasible, placed, tuple(programme.goals), **kw)


# -- sweep --------------------------------------------------------------------------------------


def _parse_vary(vary: object, programme: Programme) -> tuple[str, Any, str]:
    """``(kind, target, param)`` of a ``vary`` string, or a named error."""
    forms = "'weight:<term>', 'reverse_weight', 'goal:<index or name>.<param>' or 'rule:<label>'"
    if not isinstance(vary, str):
        raise ValidationError(f"`vary` must be a string, one of {forms}; got {shown(vary)}.")
    if vary == "reverse_weight":
        return "reverse_weight", None, ""
    kind, sep, rest = vary.partition(":")
    if kind == "weight" and sep:
        if rest not in TERMS:
            raise ValidationError(
                f"`vary`: unknown score term {rest!r}; the terms are {list(TERMS)}.",
                argument="vary",
            )
        return "weight", rest, ""
    if kind == "rule" and sep:
        labels = programme.rule_names
        if rest not in labels:
            raise ValidationError(
                f"`vary`: the programme has no rule labelled {rest!r}; its rules are "
                f"{list(labels)}.",
                argument="vary",
            )
        return "rule", rest, ""
    if kind == "goal" and sep:
        target, dot, param = rest.rpartition(".")
        if not dot or not target or not param:
            raise ValidationError(
                f"`vary`: a goal is varied as 'goal:<index or name>.<param>' (e.g. "
                f"'goal:0.at_least'); got {vary!r}.",
                argument="vary",
            )
        goals = tuple(programme.goals)
        named = _goal_labels(goals)
        if target.lstrip("-").isdigit():
            index = int(target)
            if not 0 <= index < len(goals):
                raise ValidationError(
                    f"`vary`: goal index {index} is out of range; the programme has "
                    f"{len(goals)} goal(s).",
                    argument="vary",
                )
        elif target in named:
            index = named.index(target)
        else:
            raise ValidationError(
                f"`vary`: the programme has no goal named {target!r}; its goals are {named}.",
                argument="vary",
            )
        params = [f.name for f in dataclasses.fields(goals[index]) if f.init]  # type: ignore[arg-type]
        if param not in params:
            raise ValidationError(
                f"`vary`: goal {named[index]} has no parameter {param!r}; its parameters are "
                f"{params}.",
                argument="vary",
            )
        return "goal", index, param
    raise ValidationError(f"unknown `vary` {vary!r}; use {forms}.", argument="vary")


def sweep(
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    vary: str,
    values: Sequence[Any],
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    preferences: Preferences | None = None,
    policy: str = "max_matched",
    method: str = "auto",
    time_limit: float | None = None,
    rng: Any = None,
    workers: int = 1,
    gap_limit: float | None = None,
    memory_limit: float | None = None,
    executor: Executor | None = None,
    progress: Any = None,
) -> SweepResult:
    """Solve a programme at each of ``values`` of one thing it sets: compiled once, each
    point re-weighted or re-bounded and solved.

    Parameters
    ----------
    mentors, mentees : People
    programme : Programme, optional
        The programme the points vary (default: no rules, default weights).
    vary : str
        What varies (see :mod:`rm_match.sweeps`): ``"weight:<term>"``, ``"reverse_weight"``,
        ``"goal:<index or name>.<param>"`` or ``"rule:<label>"``.
    values : sequence
        The values to try, in order (the first point is the reference of ``"changed"``).
    org_chart, preferences
        As in :func:`rm_match.match`.
    policy, method, time_limit, rng, workers, gap_limit, memory_limit
        As in :func:`rm_match.match`, for each point: ``time_limit`` is each point's (the
        compile is done once, before the points). An int ``rng`` (or ``None``) seeds every
        point as ``match(rng=rng)`` would; a Generator gives each point a seed drawn from
        it.
    executor : concurrent.futures.Executor, optional
        Where the points run, as tasks (a process pool, a Dask ``Client.get_executor()``,
        a thread pool); default: one after the other.
    progress : None, bool or callable, optional
        One step per point (see :mod:`rm_match._progress`); off by default.

    Returns
    -------
    SweepResult

    Raises
    ------
    ValidationError
        For an unknown ``vary``, ``values`` that are not a sequence or not valid for what
        varies (a goal's own checks name the parameter), and malformed tables or options.
    SolverError
        If ``method`` cannot solve the programme.

    See Also
    --------
    pareto : the trade-off between two objectives.
    price_of_rules : the objective without each rule and goal.

    Examples
    --------
    >>> import rm_match as rm
    >>> mentors, mentees = rm.synthetic.cohort(25, 25, rng=3)
    >>> prog = rm.Programme(rules=[rm.rules.CrossDepartment()])
    >>> s = rm.sweep(mentors, mentees, prog, vary="rule:cross_department",
    ...              values=[True, False])
    >>> s.rows[1]["objective"] >= s.rows[0]["objective"]
    True
    >>> s = rm.sweep(mentors, mentees, prog, vary="reverse_weight", values=[0.0, 0.5, 2.0])
    >>> [round(r["objective"], 3) > 0 for r in s.rows]
    [True, True, True]
    """
    t0 = time.perf_counter()
    kind, target, param = _parse_vary(vary, programme or Programme())
    vals = _values(values)
    settings, seeds, executor = _common(
        policy, method, time_limit, rng, workers, gap_limit, memory_limit, executor, len(vals)
    )
    problem = Problem(mentors, mentees, programme, org_chart=org_chart, preferences=preferences)
    prog = problem.programme
    weights = dict(problem.weights)
    names = list(weights)
    point_progs: list[Programme] = []
    if kind == "weight":
        checked = [check_real(v, f"values[{i}]", low=0) for i, v in enumerate(vals)]
        if target not in names:  # compiled too: its data must be there
            active_weights(replace(prog, weights={**weights, target: 1.0}), problem.cohort)
            names.append(target)
        point_progs = [replace(prog, weights={**weights, target: v}) for v in checked]
        vals = tuple(checked)
    elif kind == "reverse_weight":
        vals = tuple(check_real(v, f"values[{i}]", low=0) for i, v in enumerate(vals))
        point_progs = [replace(prog, reverse_weight=v) for v in vals]
    elif kind == "goal":
        goals = list(prog.goals)
        for v in vals:
            g = replace(goals[target], **{param: v})  # the goal's own checks
            point_progs.append(replace(prog, goals=[*goals[:target], g, *goals[target + 1 :]]))
    else:
        for i, v in enumerate(vals):
            if not isinstance(v, (bool, np.bool_)):
                raise ValidationError(
                    f"`values[{i}]`: a rule is on (True) or off (False); got {shown(v)}.",
                    argument="values",
                )
        vals = tuple(bool(v) for v in vals)
        labels = prog.rule_names
        point_progs = [
            replace(
                prog,
                rules=[r for r, lb in zip(prog.rules, labels, strict=True) if v or lb != target],
            )
            for v in vals
        ]
    _check_method(problem, point_progs, settings)
    if _direct_pays(problem, point_progs, settings):
        with progress_reporter(progress, "sweep", total=len(vals)) as bar:
            rows, pairs = _sweep_direct(
                mentors,
                mentees,
                point_progs,
                vals,
                org_chart,
                preferences,
                settings,
                seeds,
                executor,
                bar,
            )
        seconds = time.perf_counter() - t0
        return SweepResult(vary, vals, tuple(rows), tuple(pairs), tuple(point_progs), seconds)
    compiled = _Compiled(
        problem,
        names,
        split=[target] if kind == "rule" else (),
        directions=kind == "reverse_weight" and "learning" in names,
    )
    groups = _resolve_groups(problem, [p.goals for p in point_progs])
    base_scores = compiled.scores(weights)
    base_mask = compiled.mask([target] if kind == "rule" else [])
    placed: dict[tuple[Any, ...], Any] = {}

    def placement_of(p: Programme) -> Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]]:
        def get() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            key = tuple(id(r) for r in p.rules)
            if key not in placed:
                try:
                    placed[key] = _placement(problem, p, org_chart, preferences)
                except InfeasibleError as exc:
                    placed[key] = exc
            got = placed[key]
            if isinstance(got, InfeasibleError):
                raise got
            return got

        return get

    def make(v: Any, p: Programme) -> _Point:
        if kind == "weight":
            return _point(v, p, compiled.scores(p.weights or {}), base_mask, placement_of(p))
        if kind == "reverse_weight":
            s = compiled.scores(weights, lam=v)
            return _point(v, p, s, base_mask, placement_of(p), lam=v)
        if kind == "goal":
            return _point(v, p, base_scores, base_mask, placement_of(p), shares_root=True)
        mask = compiled.mask([target] if v else [])
        share = v is True
        return _point(v, p, base_scores, mask, placement_of(p), shares_root=share)

    points = [make(v, p) for v, p in zip(vals, point_progs, strict=True)]
    engine = _Engine(compiled, settings, seeds, executor, groups)
    with progress_reporter(progress, "sweep", total=len(points)) as bar:
        done = engine.run(points, bar)
    rows, pairs = _rows(compiled, points, done, base_lam=prog.reverse_weight)
    return SweepResult(
        vary,
        vals,
        tuple(rows),
        tuple(pairs),
        tuple(point_progs),
        time.perf_counter() - t0,
    )


def _common(
    policy: object,
    method: object,
    time_limit: object,
    rng: object,
    workers: object,
    gap_limit: object,
    memory_limit: object,
    executor: object,
    k: int,
) -> tuple[_Settings, list[Any], Executor | None]:
    """The shared options checked once (a named error for the first at fault)."""
    opts = check_options(
        policy=policy,
        method=method,
        time_limit=time_limit,
        rng=rng if not isinstance(rng, np.random.Generator) else None,
        workers=workers,
        gap_limit=gap_limit,
        memory_limit=memory_limit,
    )
    settings = _Settings(
        opts.policy,
        opts.method,
        opts.time_limit,
        opts.workers,
        None if gap_limit is None else opts.gap_limit,
        opts.memory_limit,
    )
    return settings, _seeds(rng, k), check_executor(executor)


def _check_method(problem: Problem, programmes: Sequence[Programme], s: _Settings) -> None:
    """The named method must suit every point (as :func:`rm_match.match` checks), before
    anything is compiled."""
    m_cap, e_cap = problem.mentors.capacity, problem.mentees.capacity
    for goals in sorted({bool(p.goals) for p in programmes}):
        choose(Needs.of(m_cap, e_cap, goals=goals), s.method)


def _rows(
    compiled: _Compiled,
    points: Sequence[_Point],
    done: Sequence[_Done],
    *,
    base_lam: float,
) -> tuple[list[dict[str, Any]], list[np.ndarray]]:
    """The table rows and each point's pairs (required ones included)."""
    n_e = max(compiled.shape[1], 1)
    rows: list[dict[str, Any]] = []
    every: list[np.ndarray] = []
    first_keys: np.ndarray | None = None
    for p, d in zip(points, done, strict=True):
        fixed = p.placement[0] if p.placement is not None else np.empty((0, 2), np.int64)
        ok = d.status in ("optimal", "feasible")
        pairs = (np.concatenate((fixed, d.pairs)) if len(fixed) else d.pairs) if ok else d.pairs
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        mi, ei = pairs[:, 0], pairs[:, 1]
        row: dict[str, Any] = {"value": p.value}
        if ok:
            fixed_total = float(p.scores[fixed[:, 0], fixed[:, 1]].sum()) if len(fixed) else 0.0
            objective = d.objective + fixed_total
            bound = d.bound + fixed_total
            row.update(
                objective=objective,
                bound=bound,
                gap=relative_gap(objective, bound),
                status=d.status,
                pairs=len(pairs),
            )
        else:
            row.update(objective=math.nan, bound=math.nan, gap=math.nan, status=d.status, pairs=0)
        for label, check in zip(_goal_labels(p.goals), d.checks, strict=False):
            row[f"goal:{label}"] = math.nan if check.value is None else float(check.value)
        for name, matrix in compiled.terms.items():
            if not ok or len(pairs) == 0:
                row[f"term:{name}"] = math.nan
            elif name == "learning" and p.lam is not None and compiled.forward is not None:
                row[f"term:{name}"] = float(compiled.learning(p.lam, mi, ei).mean())
            else:
                row[f"term:{name}"] = float(matrix[mi, ei].mean())
        keys = np.sort(mi * n_e + ei)
        if first_keys is None:
            first_keys = keys if ok else None
            row["changed"] = 0 if ok else math.nan
        else:
            row["changed"] = len(np.setdiff1d(keys, first_keys)) if ok else math.nan
        row.update(time=d.seconds, method=d.method, message=d.message)
        rows.append(row)
        every.append(pairs)
    return rows, every


# -- Pareto front -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Measure:
    """An objective of :func:`pareto`: its per-pair values and how a set of pairs scores."""

    name: str
    kind: str  # "objective", "term" or "share"
    values: np.ndarray  # per pair of the matrix
    attr: str = ""
    cross: bool = True

    def of(self, mi: np.ndarray, ei: np.ndarray) -> float:
        """The total (objective) or mean (term, share) over the pairs."""
        v = self.values[mi, ei]
        if self.kind == "objective":
            return float(v.sum())
        return float(v.mean()) if len(v) else math.nan

    def share_goal(self, at_least: Fraction) -> Share:
        """``Share`` of the pairs with this property at least ``at_least`` (exact)."""
        p = cast(float, at_least)  # Share keeps a Fraction exactly
        return (
            Share(cross=self.attr, at_least=p) if self.cross else Share(same=self.attr, at_least=p)
        )


def _parse_measure(name: object, argument: str) -> tuple[str, str, bool]:
    forms = "'objective', 'term:<term>', 'share:cross:<attribute>' or 'share:same:<attribute>'"
    if not isinstance(name, str):
        raise ValidationError(
            f"`{argument}` must be one of {forms}; got {shown(name)}.", argument=argument
        )
    if name == "objective":
        return "objective", "", True
    parts = name.split(":")
    if parts[0] == "term" and len(parts) == 2:
        if parts[1] not in TERMS:
            raise ValidationError(
                f"`{argument}`: unknown score term {parts[1]!r}; the terms are {list(TERMS)}.",
                argument=argument,
            )
        return "term", parts[1], True
    if parts[0] == "share" and len(parts) == 3 and parts[1] in ("cross", "same") and parts[2]:
        return "share", parts[2], parts[1] == "cross"
    raise ValidationError(f"unknown `{argument}` {name!r}; use {forms}.", argument=argument)


def pareto(
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    x: str,
    y: str,
    points: int = 9,
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    preferences: Preferences | None = None,
    policy: str = "max_matched",
    method: str = "auto",
    time_limit: float | None = None,
    rng: Any = None,
    workers: int = 1,
    gap_limit: float | None = None,
    memory_limit: float | None = None,
    executor: Executor | None = None,
    progress: Any = None,
) -> ParetoFront:
    """The trade-off between two objectives, by the ε-constraint method.

    One objective is held to ``≥ ε`` as a :class:`~rm_match.goals.Share` goal (added to
    the programme's own) while the other is maximised, for ``points`` values of ε evenly
    spread between the ends of its range: the share at the other objective's optimum, and
    the most it can reach (each end found by optimising one objective alone). Each solve
    maximises its objective plus a tiny multiple of the constrained one (the augmented
    ε-constraint method), so that among equally good answers the one better on both is
    taken: solved to optimality, every point is Pareto-optimal.

    Parameters
    ----------
    mentors, mentees : People
    programme : Programme, optional
        Rules and goals every point keeps (its weights define ``"objective"``).
    x, y : str
        The objectives to maximise: ``"objective"`` (the programme's total score),
        ``"term:<term>"`` (a score term's mean over the pairs, e.g. ``"term:learning"``),
        ``"share:cross:<attribute>"`` or ``"share:same:<attribute>"`` (the share of pairs
        that differ, or agree, on an attribute). ``y`` is the constrained one if it is a
        share, else ``x`` (one of them must be).
    points : int, default 9
        Values of ε (at least 2), ends included; equal ε are solved once.
    org_chart, preferences, policy, method, time_limit, rng, workers, gap_limit, \
memory_limit, executor, progress
        As in :func:`sweep` (progress: one step per solve, the two ends included).

    Returns
    -------
    ParetoFront

    Raises
    ------
    ValidationError
        For an unknown objective, neither of them a share, or ``points`` below 2.

    Examples
    --------
    >>> import rm_match as rm
    >>> mentors, mentees = rm.synthetic.cohort(15, 15, rng=5)
    >>> f = rm.pareto(mentors, mentees, x="term:learning", y="share:cross:gender", points=3)
    >>> f.constrained, [r["y"] >= r["epsilon"] - 1e-12 for r in f.rows]
    ('share:cross:gender', [True, True, True])
    """
    kx = _parse_measure(x, "x")
    ky = _parse_measure(y, "y")
    n_points = check_int(points, "points", low=2)
    if ky[0] == "share":
        c_spec, o_spec, c_name, o_name = ky, kx, y, x
    elif kx[0] == "share":
        c_spec, o_spec, c_name, o_name = kx, ky, x, y
    else:
        raise ValidationError(
            "`x` or `y` must be a share ('share:cross:<attribute>'): the ε-constraint holds "
            "one of them to at least ε.",
            argument="y",
        )
    settings, seeds, executor = _common(
        policy, method, time_limit, rng, workers, gap_limit, memory_limit, executor, 2 + n_points
    )
    problem = Problem(mentors, mentees, programme, org_chart=org_chart, preferences=preferences)
    prog = problem.programme
    weights = dict(problem.weights)
    names = list(weights)
    for spec in (kx, ky):
        if spec[0] == "term" and spec[1] not in names:
            active_weights(replace(prog, weights={**weights, spec[1]: 1.0}), problem.cohort)
            names.append(spec[1])
    choose(
        Needs.of(problem.mentors.capacity, problem.mentees.capacity, goals=True), settings.method
    )
    compiled = _Compiled(problem, names)
    attrs = [s[1] for s in (kx, ky) if s[0] == "share"]
    groups = _resolve_groups(problem, [prog.goals], attrs)

    def measure(spec: tuple[str, str, bool], name: str) -> _Measure:
        if spec[0] == "objective":
            return _Measure(name, "objective", compiled.scores(weights))
        if spec[0] == "term":
            return _Measure(name, "term", compiled.terms[spec[1]])
        c_m, c_e, _ = groups(spec[1])
        a, b = c_m[:, None], c_e[None, :]
        flags = (a >= 0) & (b >= 0) & ((a != b) if spec[2] else (a == b))
        return _Measure(name, "share", flags.astype(np.float64), spec[1], spec[2])

    obj, con = measure(o_spec, o_name), measure(c_spec, c_name)
    base = compiled.scores(weights)
    mask = compiled.rest
    fixed, m_cap, e_cap = problem.placement()
    k_max = max(int(np.minimum(m_cap, len(e_cap)).sum()), 1)
    # the objective plus a tiny multiple of the share: ties go to the better share
    span = float(np.ptp(obj.values)) if obj.values.size else 0.0
    primary = obj.values + 1e-6 * max(span, 1e-12) * con.values
    # the share plus less than one pair's worth of the objective: ties go to the objective
    secondary = con.values + (0.5 / (k_max + 1)) * (obj.values / max(span, 1e-12))
    for m in (primary, secondary):
        m.flags.writeable = False
    goals = tuple(prog.goals)
    engine = _Engine(compiled, settings, seeds, executor, groups)

    def placement() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return fixed, m_cap, e_cap

    with progress_reporter(progress, "pareto", total=2 + n_points) as bar:
        ends = engine.run(
            [
                _point("x end", prog, primary, mask, placement),
                _point("share end", prog, secondary, mask, placement),
            ],
            bar,
        )
        front: list[tuple[Fraction, _Done]] = []
        if any(d.status not in ("optimal", "feasible") for d in ends):
            bad = next(d for d in ends if d.status not in ("optimal", "feasible"))
            raise InfeasibleError(f"the programme has no answer: {bad.message}")

        def share_of(d: _Done) -> Fraction:
            every = np.concatenate((fixed, d.pairs)) if len(fixed) else d.pairs
            k = int(con.values[every[:, 0], every[:, 1]].sum())
            return Fraction(k, len(every)) if len(every) else Fraction(0)

        lo, hi = share_of(ends[0]), share_of(ends[1])
        hi = max(hi, lo)
        grid = sorted({lo + (hi - lo) * Fraction(k, n_points - 1) for k in range(n_points)})
        pts = [
            _point(
                float(eps),
                replace(prog, goals=[*goals, con.share_goal(eps)]),
                primary,
                mask,
                placement,
                shares_root=True,
            )
            for eps in grid[1:]
        ]
        engine.seeds = seeds[2:]
        if n_points > len(grid):  # equal ε: solved once
            bar.update(n_points - len(grid))
        solved = engine.run(pts, bar) if pts else []
        front = [(grid[0], ends[0]), *zip(grid[1:], solved, strict=True)]
    rows, pairs = [], []
    for eps, d in front:
        ok = d.status in ("optimal", "feasible")
        every = (np.concatenate((fixed, d.pairs)) if len(fixed) else d.pairs) if ok else d.pairs
        mi, ei = every[:, 0], every[:, 1]
        o_val, c_val = (obj.of(mi, ei), con.of(mi, ei)) if ok else (math.nan, math.nan)
        xv, yv = (c_val, o_val) if c_spec is kx else (o_val, c_val)
        gap = math.nan
        if ok:
            gap = relative_gap(d.objective, d.bound)
        rows.append(
            {
                "epsilon": float(eps),
                "x": xv,
                "y": yv,
                "objective": float(base[mi, ei].sum()) if ok else math.nan,
                "pairs": len(every) if ok else 0,
                "status": d.status,
                "gap": gap,
                "dominated": not ok,
                "time": d.seconds,
            }
        )
        pairs.append(every)
    _mark_dominated(rows)
    return ParetoFront(x, y, c_name, tuple(rows), tuple(pairs))


def _mark_dominated(rows: list[dict[str, Any]]) -> None:
    """Mark each row another row dominates: at least as good on both, better on one."""

    def tol(a: float, b: float) -> float:
        return _DOMINANCE_TOL * max(1.0, abs(a), abs(b))

    live = [r for r in rows if not r["dominated"]]
    for r in live:
        for o in live:
            if o is r:
                continue
            tx, ty = tol(o["x"], r["x"]), tol(o["y"], r["y"])
            geq = o["x"] >= r["x"] - tx and o["y"] >= r["y"] - ty
            better = o["x"] > r["x"] + tx or o["y"] > r["y"] + ty
            if geq and better:
                r["dominated"] = True
                break


# -- price of each rule and goal ----------------------------------------------------------------


def price_of_rules(
    mentors: People,
    mentees: People,
    programme: Programme,
    *,
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    preferences: Preferences | None = None,
    policy: str = "max_matched",
    method: str = "auto",
    time_limit: float | None = None,
    rng: Any = None,
    workers: int = 1,
    gap_limit: float | None = None,
    memory_limit: float | None = None,
    executor: Executor | None = None,
    progress: Any = None,
) -> RulePrices:
    """The objective with every rule and goal, and without each one in turn, on the same
    cohort: what each rule and goal costs.

    Parameters
    ----------
    mentors, mentees : People
    programme : Programme
    org_chart, preferences, policy, method, time_limit, rng, workers, gap_limit, \
memory_limit, executor, progress
        As in :func:`sweep` (progress: one step per solve).

    Returns
    -------
    RulePrices

    Examples
    --------
    >>> import rm_match as rm
    >>> mentors, mentees = rm.synthetic.cohort(25, 25, rng=6)
    >>> prog = rm.Programme(rules=[rm.rules.CrossDepartment(), rm.rules.SeniorityDirection(1)],
    ...                     goals=[rm.goals.Share(cross="gender", at_least=0.5)])
    >>> p = rm.price_of_rules(mentors, mentees, prog, rng=0)
    >>> [(r["name"], r["kind"]) for r in p.rows]
    [('cross_department', 'rule'), ('seniority_direction', 'rule'), ('share_cross_gender', 'goal')]
    >>> all(r["price"] >= -1e-6 for r in p.rows)
    True
    """
    if not isinstance(programme, Programme):
        raise ValidationError(
            f"`programme` must be a Programme; got {type(programme).__name__}.",
            argument="programme",
        )
    labels = programme.rule_names
    goals = tuple(programme.goals)
    k = 1 + len(labels) + len(goals)
    settings, seeds, executor = _common(
        policy, method, time_limit, rng, workers, gap_limit, memory_limit, executor, k
    )
    problem = Problem(mentors, mentees, programme, org_chart=org_chart, preferences=preferences)
    weights = dict(problem.weights)
    progs = [programme]
    progs += [
        replace(
            programme,
            rules=[r for r, lb in zip(programme.rules, labels, strict=True) if lb != label],
        )
        for label in labels
    ]
    progs += [replace(programme, goals=[*goals[:i], *goals[i + 1 :]]) for i in range(len(goals))]
    _check_method(problem, progs, settings)
    compiled = _Compiled(problem, list(weights), split=labels)
    groups = _resolve_groups(problem, [goals])
    scores = compiled.scores(weights)
    full = compiled.mask(labels)
    points: list[_Point] = []
    for i, p in enumerate(progs):
        if 1 <= i <= len(labels):
            mask = compiled.mask([lb for lb in labels if lb != labels[i - 1]])
            kw: dict[str, Any] = {}
        else:
            mask, kw = full, {"shares_root": True}

        def placement(p: Programme = p) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            return _placement(problem, p, org_chart, preferences)

        points.append(_point(i, p, scores, mask, placement, **kw))
    engine = _Engine(compiled, settings, seeds, executor, groups)
    with progress_reporter(progress, "price_of_rules", total=k) as bar:
        done = engine.run(points, bar)
    rows, _ = _rows(compiled, points, done, base_lam=programme.reverse_weight)
    with_all = rows[0]
    out = []
    names = [*labels, *_goal_labels(goals)]
    kinds = ["rule"] * len(labels) + ["goal"] * len(goals)
    for name, kind, row in zip(names, kinds, rows[1:], strict=True):
        out.append(
            {
                "name": name,
                "kind": kind,
                "objective_without": row["objective"],
                "pairs_without": row["pairs"],
                "price": row["objective"] - with_all["objective"],
                "status_without": row["status"],
                "gap_without": row["gap"],
                "time": row["time"],
            }
        )
    return RulePrices(with_all["objective"], int(with_all["pairs"]), with_all["status"], tuple(out))
