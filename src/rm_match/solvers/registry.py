"""One registry of backends, each declaring what it can solve, in preference order.

A backend is *build → run → decode* behind one method, :meth:`Backend.solve`, over a
validated :class:`~rm_match.solvers._problem.ArrayProblem`; the goal-capable ones also solve a
compiled :class:`~rm_match.solvers.constrained.model.GoalModel`. Each declares its
:class:`Capabilities`; :func:`choose` reads them against what a problem :class:`Needs`:

- ``method="auto"`` takes the first backend, in registry order (dict insertion order is the
  preference, as in cvxpy), that can solve the problem and does not decline it as slower
  than a later one (the sparse path declines problems under :data:`SPARSE_MIN_CELLS` cells);
- a named method that cannot solve the problem raises :class:`~rm_match.SolverError` saying
  why; an unknown name raises :class:`~rm_match.ValidationError` listing the known ones.

Memory: each backend also declares an estimate of its peak working memory
(:attr:`Capabilities.memory`), and :func:`estimate` adds what its *plan* allocates around it
(under :func:`rm_match.match`, the dense backends first compile the n × n score matrix and
mask; the sparse path never does). Given a budget in bytes (:func:`memory_budget`: the
caller's ``memory_limit``, else :data:`MEMORY_LIMIT`, else :data:`MEMORY_SHARE` of the memory
available), ``auto`` skips the backends whose plan would not fit, and a named one that would
not fit raises :class:`~rm_match.errors.MemoryBudgetError` naming the estimate, the budget
and the methods that fit — before anything large is allocated.

Backends are imported when first used: ``import rm_match`` loads neither OR-tools nor the
goal machinery.

=============  =================================================================================
method         solves
=============  =================================================================================
``sparse``     candidates + pricing (:mod:`.sparse`), certified optimal without the n × n matrix;
               any capacities (each pair once); ``auto`` takes it from :data:`SPARSE_MIN_CELLS`
``lsa``        scipy ``linear_sum_assignment``: 1:1, or capacities on one side (expansion)
``flow``       OR-tools min-cost flow: any capacities (integer-scaled, slack reported)
``lp``         goals: LP column generation, rounding, reduced-cost fixing, HiGHS
               (:mod:`.constrained.pipeline`); ``auto`` takes it for goals
``lagrangian`` goals: Kelley cutting planes with the exact assignment inside, and repair
``cpsat``      goals: OR-tools CP-SAT on the whole model (deterministic with one worker)
``milp``       goals: HiGHS through :func:`scipy.optimize.milp` on the whole model
``stable``     stable matchings under both sides' preferences (:mod:`.stable`): deferred
               acceptance, the best stable matching by rotations; only for problems that
               ask for stability (:func:`rm_match.stable_match`), never an optimum
=============  =================================================================================

Examples
--------
>>> from rm_match.solvers.registry import Needs, choose
>>> choose(Needs(100, 100), "auto").name
'lsa'
>>> choose(Needs(100, 100, capacities="both sides"), "auto").name
'flow'
>>> choose(Needs(100, 100, goals=True), "auto").name
'lp'
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

import numpy as np

from ..errors import MemoryBudgetError, SolverError, ValidationError
from ._problem import ArrayProblem, capacities_on_both_sides

if TYPE_CHECKING:
    from .constrained.model import GoalModel
    from .constrained.pipeline import GoalOutcome

__all__ = [
    "BACKENDS",
    "COMPILE_BLOCK_CELLS",
    "MEMORY_LIMIT",
    "MEMORY_SHARE",
    "SPARSE_MIN_CELLS",
    "Backend",
    "Capabilities",
    "Needs",
    "Solution",
    "available_memory",
    "check_memory_limit",
    "choose",
    "estimate",
    "memory_budget",
    "register",
]

#: From this many cells (n_mentors × n_mentees) ``auto`` prefers the sparse path: about
#: 1 000 per side. Measured 2026-12-07 (medians of 5, synthetic cohorts, demo and empty
#: programmes, two seeds): sparse ÷ ``lsa`` 0.73–0.93 at 1 000, 0.68–1.49 at 900,
#: 0.85–1.26 at 600–800; 0.29–0.59 at 2 000, where ``lsa`` took 0.9–1.3 s. (It was
#: 2 048² while the sparse path kept every allowed pair of cohorts under 1 024 mentors.)
SPARSE_MIN_CELLS = 1_000_000

#: Bytes a solve may plan to use; ``None``: :data:`MEMORY_SHARE` of the memory available
#: when the call starts; ``math.inf``: no check. A call's ``memory_limit`` overrides it.
MEMORY_LIMIT: float | None = None
#: Share of the available memory a solve may plan to use when no limit is set.
MEMORY_SHARE = 0.5
#: Pairs per block of the dense compile (:meth:`rm_match.Problem.compile`): its term
#: arrays exist for one block at a time.
COMPILE_BLOCK_CELLS = 1 << 22

Shape = Literal["one-to-one", "one side", "both sides"]
_SHAPES: tuple[Shape, ...] = ("one-to-one", "one side", "both sides")


@dataclass(frozen=True)
class Capabilities:
    """What a backend can solve.

    Attributes
    ----------
    capacities : {"one-to-one", "one side", "both sides"}
        The widest capacity shape it takes: 1:1 only; above one on one side; on both.
    goals : bool
        Cohort goals (rows over the pairs, :mod:`rm_match.goals`).
    sparse : bool
        Solves from a score source, without the n × n matrix.
    exact : bool
        Always returns a proven optimum (ignores ``time_limit``); otherwise the answer
        carries the bound and gap it reached within the limit.
    stable : bool
        Stable matchings under preferences.
    """

    capacities: Shape = "one-to-one"
    goals: bool = False
    sparse: bool = False
    exact: bool = True
    stable: bool = False
    #: Peak working memory in bytes the backend is estimated to need for a problem with
    #: these :class:`Needs`, beyond its inputs (see :func:`estimate`); ``None``: unknown,
    #: never refused for memory.
    memory: Callable[[Needs], float] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Needs:
    """What a problem asks of a backend (see :func:`choose`)."""

    n_mentors: int
    n_mentees: int
    capacities: Shape = "one-to-one"
    goals: bool = False
    #: (rows, columns) once each participant is repeated per unit of capacity (capped by the
    #: other side's size): what a solver by expansion would hold
    expanded: tuple[int, int] = (0, 0)
    #: whether a dense backend must first compile the n × n scores and mask
    #: (:func:`rm_match.match`); under :func:`rm_match.assign` they are given
    compile: bool = False
    #: allowed pairs, where known before solving (a goal model's); default: every cell
    pairs: int | None = None
    #: a stable matching under both sides' preferences, not an optimum
    stable: bool = False

    @classmethod
    def of(
        cls,
        mentor_capacity: np.ndarray,
        mentee_capacity: np.ndarray,
        *,
        goals: bool = False,
        compile: bool = False,
        pairs: int | None = None,
    ) -> Needs:
        """The needs of a problem with these capacities (one per participant)."""
        n_m, n_e = len(mentor_capacity), len(mentee_capacity)
        if capacities_on_both_sides(mentor_capacity, mentee_capacity):
            shape: Shape = "both sides"
        elif (np.minimum(mentor_capacity, n_e) > 1).any() or (
            np.minimum(mentee_capacity, n_m) > 1
        ).any():
            shape = "one side"
        else:
            shape = "one-to-one"
        rows = int(np.minimum(mentor_capacity, n_e).sum())
        cols = int(np.minimum(mentee_capacity, n_m).sum())
        return cls(n_m, n_e, shape, goals, (rows, cols), compile, pairs)

    @classmethod
    def of_problem(cls, problem: ArrayProblem, *, goals: bool = False) -> Needs:
        return cls.of(problem.mentor_capacity, problem.mentee_capacity, goals=goals)

    @property
    def cells(self) -> int:
        return self.n_mentors * self.n_mentees

    @property
    def edges(self) -> int:
        """Allowed pairs (:attr:`pairs`), or every cell when unknown."""
        return self.cells if self.pairs is None else self.pairs


class Solution(NamedTuple):
    """A backend's answer: pairs (k × 2 indices), ``bound - objective`` (0 when proven
    optimal, ``inf`` when nothing is proven) and a message (the backend's own status)."""

    pairs: np.ndarray
    slack: float
    message: str


class Backend(Protocol):
    """What the registry holds (see the module docstring)."""

    name: str
    capabilities: Capabilities

    def unsupported(self, needs: Needs) -> str | None:
        """Why this backend cannot solve a problem its capabilities admit (e.g. too large),
        or ``None``."""

    def declines(self, needs: Needs) -> str | None:
        """Why ``auto`` should prefer a later backend, or ``None``."""

    def solve(self, problem: ArrayProblem) -> Solution:
        """The best pairs of ``problem`` (no goals)."""


class GoalBackend(Protocol):
    """A backend with ``capabilities.goals``: it also solves a compiled goal model."""

    name: str
    capabilities: Capabilities

    def solve_model(
        self,
        model: GoalModel,
        *,
        time_limit: float | None,
        seed: int,
        workers: int,
        gap_limit: float,
        work: float | None = None,
        deadline: float | None = None,
    ) -> GoalOutcome: ...


#: Registered backends, in preference order for ``method="auto"``.
BACKENDS: dict[str, Backend] = {}


def register(backend: Any) -> Any:
    """Add ``backend`` to :data:`BACKENDS` (after the ones already there); returns it."""
    if backend.name in BACKENDS or backend.name == "auto":
        raise ValueError(f"a backend named {backend.name!r} is already registered")
    BACKENDS[backend.name] = backend
    return backend


def why_not(backend: Backend, needs: Needs) -> str | None:
    """Why ``backend`` cannot solve a problem with ``needs``, or ``None``."""
    caps = backend.capabilities
    if needs.stable and not caps.stable:
        return "it finds optimal assignments, not stable matchings"
    if caps.stable and not needs.stable:
        return (
            "it finds stable matchings under both sides' preferences, not optimal "
            "assignments (see rm_match.stable_match)"
        )
    if needs.goals and not caps.goals:
        return "it does not take cohort goals"
    if _SHAPES.index(needs.capacities) > _SHAPES.index(caps.capacities):
        where = "both sides" if needs.capacities == "both sides" else "a side"
        return f"capacities above 1 on {where}"
    return backend.unsupported(needs)


def check_method(method: object) -> str:
    """``method`` if it is ``"auto"`` or a registered backend's name."""
    if not isinstance(method, str) or (method != "auto" and method not in BACKENDS):
        raise ValidationError(
            f"`method` must be 'auto' or one of {', '.join(map(repr, BACKENDS))}; got {method!r}.",
            argument="method",
        )
    return str(method)


def choose(needs: Needs, method: str = "auto", *, budget: float | None = None) -> Backend:
    """The backend for a problem with ``needs``: the named one, or ``auto``'s choice.

    Parameters
    ----------
    needs : Needs
    method : str, default "auto"
    budget : float, optional
        Bytes the plan may use (:func:`memory_budget`); ``None``: no memory check. ``auto``
        then takes the first backend that can solve the problem, fits, and does not decline
        it (or, if every one that fits declines, the first that fits).

    Raises
    ------
    ValidationError
        If ``method`` is neither ``"auto"`` nor a registered name.
    SolverError
        If the named backend cannot solve the problem (the message says why).
    MemoryBudgetError
        If the named backend's plan, or under ``auto`` every capable one's, would not fit
        ``budget``: the message names the estimate, the budget and the methods that fit.
    """
    check_method(method)
    if method == "auto":
        # in registry order, asking each backend only as far as the choice needs: a later
        # one's module is not imported (scipy.optimize behind the goal methods cost the
        # sparse path's first call 0.3 s)
        first_fit = None
        for b in BACKENDS.values():
            if why_not(b, needs) is not None or not _fits(b, needs, budget):
                continue
            if b.declines(needs) is None:
                return b
            first_fit = first_fit or b
        if first_fit is not None:  # every one that fits would rather leave it to another
            return first_fit
        able = [b for b in BACKENDS.values() if why_not(b, needs) is None]
        if not able:  # pragma: no cover - the flow backend and goal methods take anything
            raise SolverError("no registered backend can solve this problem.")
        preferred = next((b for b in able if b.declines(needs) is None), able[0])
        raise _over_budget(preferred, needs, budget, named=False)
    b = BACKENDS[method]
    why = why_not(b, needs)
    if why is not None:
        raise SolverError(f"method {method!r} cannot solve this problem: {why}.", method=method)
    if not _fits(b, needs, budget):
        raise _over_budget(b, needs, budget, named=True)
    return b


# -- memory ------------------------------------------------------------------------------------

#: Peak bytes per unit, fitted to peak RSS measured on synthetic cohorts (numpy 2.4, scipy
#: 1.17, OR-tools 9.15; two CPUs): the estimates came out 1.0-1.5 times the peaks measured
#: from 1 000 to 50 000 per side (goal methods: 150 to 1 500). Issue 17 has the table.
#: The compiled float64 score matrix and boolean mask, per cell ...
_COMPILE_CELL = 10.0
#: ... and the term arrays of one compile block, per pair of the block;
_COMPILE_BLOCK = 80.0
#: :func:`~rm_match.solvers.solve.solve` over a matrix: the allowed mask and the scans that
#: look for independent parts, per cell;
_SOLVE_CELL = 2.0
#: ``lsa``: the candidate mask and the negated cost matrix, per cell; a capacity expansion,
#: per expanded cell;
_LSA_CELL = 10.0
_LSA_EXPANDED = 8.0
#: ``flow``: the candidate mask per cell; per allowed pair, its indices and costs and the
#: min-cost flow's arc arrays;
_FLOW_CELL = 1.0
_FLOW_PAIR = 140.0
#: ``sparse``: per cell of a scan block, its float32 screens and masks (``match``, one block
#: per thread) or its float64 copy and masks (over a given matrix, one block at a time); per
#: cell of the pilot's sub-matrix; per participant, the candidate edges (about 2k + 4 each)
#: with the flow's arcs and the pricing pool;
_SPARSE_SCREEN_CELL = 6.5
_SPARSE_BLOCK_CELL = 20.0
_SPARSE_PILOT_CELL = 12.0
_SPARSE_PERSON = 10_000.0
#: cells per block of the sparse path's scans (``solve_sparse``'s ``block_elements``)
_SPARSE_BLOCK = 1 << 24
#: goal methods: the goal context, the model over the allowed pairs and the solver's own
#: copy, per pair; and the solver's own fixed share.
_GOAL_PAIR = {"lp": 120.0, "lagrangian": 160.0, "cpsat": 1500.0, "milp": 1200.0}
_GOAL_FIXED = {"lp": 0.0, "lagrangian": 0.0, "cpsat": 64.0 * 2**20, "milp": 48.0 * 2**20}


def _lsa_memory(needs: Needs) -> float:
    rows, cols = needs.expanded
    expanded = rows * cols if (rows, cols) != (needs.n_mentors, needs.n_mentees) else 0
    return _LSA_CELL * needs.cells + _LSA_EXPANDED * expanded


def _flow_memory(needs: Needs) -> float:
    return _FLOW_CELL * needs.cells + _FLOW_PAIR * needs.edges


def _sparse_memory(needs: Needs) -> float:
    from .sparse.rounds import DENSE_PILOT, default_pilot  # numpy only, like this module

    n_m, n_e = needs.n_mentors, needs.n_mentees
    n = max(n_m, n_e)
    block = min(needs.cells, _SPARSE_BLOCK)
    if needs.compile:  # float32 screens of the problem, on up to four threads
        scans = _SPARSE_SCREEN_CELL * block * min(4, os.cpu_count() or 1)
    else:  # blocks of the given matrix, one at a time
        scans = _SPARSE_BLOCK_CELL * block
    size = default_pilot(n_m, n_e)
    pilot = 0.0
    # a sub-cohort's screens as a dense matrix, solved over blocks of it (a larger one is
    # solved as the whole is, within the scans' and people's share)
    if n > 2 * size and size <= DENSE_PILOT:
        cells = max(1, size * n_m // n) * max(1, size * n_e // n)
        pilot = _SPARSE_PILOT_CELL * cells + _SPARSE_BLOCK_CELL * min(cells, _SPARSE_BLOCK)
    return max(scans, pilot) + _SPARSE_PERSON * (n_m + n_e)


def _goal_memory(name: str) -> Callable[[Needs], float]:
    def memory(needs: Needs) -> float:
        return _GOAL_FIXED[name] + _GOAL_PAIR[name] * needs.edges

    return memory


def estimate(backend: Backend, needs: Needs) -> float | None:
    """Peak bytes ``backend``'s plan for a problem with ``needs`` is estimated to allocate.

    The backend's working memory (:attr:`Capabilities.memory`), plus, on a matrix, the
    allowed mask :func:`~rm_match.solvers.solve.solve` scans for independent parts, plus,
    when a dense backend must compile the problem first (``needs.compile``), the float64
    score matrix and boolean mask — about 10 bytes per pair — with one block of term arrays
    while they are filled. The sparse path under :func:`rm_match.match` screens the scores
    blockwise and holds no n × n array. ``None`` when the backend declares no estimate.

    Examples
    --------
    >>> from rm_match.solvers.registry import BACKENDS, Needs, estimate
    >>> needs = Needs(60_000, 60_000, expanded=(60_000, 60_000), compile=True)
    >>> round(estimate(BACKENDS["lsa"], needs) / 2**30)  # GiB: the matrix, its costs, a mask
    74
    >>> estimate(BACKENDS["sparse"], needs) < 2**31
    True
    """
    memory = backend.capabilities.memory
    if memory is None:
        return None
    work = memory(needs)
    screened = backend.capabilities.sparse and needs.compile
    # a goal model keeps its own account; the sparse path under `match` has no matrix
    dense = 0.0 if needs.goals or screened else _SOLVE_CELL * needs.cells
    if needs.compile and not backend.capabilities.sparse:
        arrays = _COMPILE_CELL * needs.cells
        block = _COMPILE_BLOCK * min(needs.cells, COMPILE_BLOCK_CELLS)
        return max(arrays + block, arrays + dense + work)
    return dense + work


def _fits(backend: Backend, needs: Needs, budget: float | None) -> bool:
    if budget is None:
        return True
    need = estimate(backend, needs)
    return need is None or need <= budget


def _size(n: float) -> str:
    """Bytes for a message: ``'1.5 GiB'``, ``'300 MiB'``."""
    if n >= 2**30:
        return f"{n / 2**30:.1f} GiB"
    return f"{n / 2**20:.0f} MiB"


def _over_budget(
    backend: Backend, needs: Needs, budget: float | None, *, named: bool
) -> MemoryBudgetError:
    """The error for a plan over the memory budget: the estimate, the budget, what fits."""
    assert budget is not None  # only a budget can be exceeded
    need = estimate(backend, needs) or 0.0
    able = [b for b in BACKENDS.values() if why_not(b, needs) is None]
    fits = tuple(b.name for b in able if _fits(b, needs, budget))
    shape = f"{needs.n_mentors} mentors × {needs.n_mentees} mentees"
    what = f"method {backend.name!r}" if named else f"no method fits: {backend.name!r}"
    text = (
        f"{what} would need about {_size(need)} of memory for {shape}, over the budget of "
        f"{_size(budget)} (`memory_limit`, by default {MEMORY_SHARE:.0%} of the memory "
        "available); "
    )
    if fits:
        text += f"{', '.join(map(repr, fits))} {'fits' if len(fits) == 1 else 'fit'}."
    else:
        plain = replace(needs, goals=False)
        without = [
            b.name
            for b in BACKENDS.values()
            if why_not(b, plain) is None and _fits(b, plain, budget)
        ]
        hint = f"without goals, {without[0]!r} would fit" if needs.goals and without else ""
        if hint:
            text += hint + "; "
        elif named:
            text += "no method fits; "
        text += "raise `memory_limit` or split the cohort."
    return MemoryBudgetError(
        text, method=backend.name if named else None, estimate=need, budget=budget, fits=fits
    )


def available_memory() -> int | None:
    """Bytes of memory available to this process now, or ``None`` when unknown.

    Linux: ``MemAvailable`` of ``/proc/meminfo``, capped by the cgroup's limit less its use
    (containers); elsewhere the free physical pages (``os.sysconf``) where the system
    reports them. No dependency (psutil is not one).
    """
    avail: int | None = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError):
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, OSError, ValueError):
            return None
    try:  # cgroup v2: the container's limit
        with open("/sys/fs/cgroup/memory.max") as f:
            limit = f.read().strip()
        if limit != "max":
            with open("/sys/fs/cgroup/memory.current") as f:
                used = int(f.read().strip())
            avail = min(avail, max(int(limit) - used, 0))
    except (OSError, ValueError):
        pass
    return avail


def check_memory_limit(memory_limit: object) -> float | None:
    """``memory_limit`` checked: bytes (a positive number; ``math.inf`` for no check), or
    ``None`` for the default (:data:`MEMORY_LIMIT`, else :data:`MEMORY_SHARE` of the
    memory available)."""
    if memory_limit is None:
        return None
    if (
        not isinstance(memory_limit, numbers.Real)
        or isinstance(memory_limit, bool)
        or math.isnan(memory_limit)
        or memory_limit <= 0
    ):
        raise ValidationError(
            "`memory_limit` must be a positive number of bytes, math.inf (no limit) or None "
            f"({MEMORY_SHARE:.0%} of the memory available).",
            argument="memory_limit",
        )
    return float(memory_limit)


def memory_budget(memory_limit: float | None = None) -> float | None:
    """Bytes a solve may plan to use: ``memory_limit``, else :data:`MEMORY_LIMIT`, else
    :data:`MEMORY_SHARE` of :func:`available_memory`; ``None`` (no check) when the limit is
    infinite or the available memory unknown."""
    limit = MEMORY_LIMIT if memory_limit is None else memory_limit
    if limit is None:
        avail = available_memory()
        return None if avail is None else MEMORY_SHARE * avail
    return None if math.isinf(limit) else float(limit)


class _Lazy:
    """A backend whose module is imported on first use (OR-tools, the goal machinery)."""

    def __init__(self, name: str, capabilities: Capabilities, load: Any) -> None:
        self.name = name
        self.capabilities = capabilities
        self._load = load
        self._impl: Any = None

    @property
    def impl(self) -> Any:
        if self._impl is None:
            self._impl = self._load()
        return self._impl

    def unsupported(self, needs: Needs) -> str | None:
        return self.impl.unsupported(needs)

    def declines(self, needs: Needs) -> str | None:
        return self.impl.declines(needs)

    def solve(self, problem: ArrayProblem) -> Solution:
        return self.impl.solve(problem)

    def solve_model(self, model: GoalModel, **kw: Any) -> GoalOutcome:
        return self.impl.solve_model(model, **kw)

    def solve_stable(self, *args: Any, **kw: Any) -> Any:
        return self.impl.solve_stable(*args, **kw)

    def __repr__(self) -> str:
        return f"<backend {self.name!r}: {self.capabilities}>"


def _sparse() -> Any:
    from .sparse import backend

    return backend


def _lsa() -> Any:
    from .lsa import backend

    return backend


def _flow() -> Any:
    from .flow import backend

    return backend


def _stable() -> Any:
    from ._stable_backend import backend

    return backend


def _stable_memory(needs: Needs) -> float:
    # the two sides' preference matrices, their order structures and the masks
    return 40.0 * needs.cells


def _goal(name: str) -> Any:
    def load() -> Any:
        from .constrained.pipeline import GoalMethod

        return GoalMethod(name)

    return load


register(_Lazy("sparse", Capabilities("both sides", sparse=True, memory=_sparse_memory), _sparse))
register(_Lazy("lsa", Capabilities("one side", memory=_lsa_memory), _lsa))
register(_Lazy("flow", Capabilities("both sides", memory=_flow_memory), _flow))
for _name in ("lp", "lagrangian", "cpsat", "milp"):
    register(
        _Lazy(
            _name,
            Capabilities("both sides", goals=True, exact=False, memory=_goal_memory(_name)),
            _goal(_name),
        )
    )
register(_Lazy("stable", Capabilities("both sides", stable=True, memory=_stable_memory), _stable))
