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

Backends are imported when first used: ``import rm_match`` loads neither OR-tools nor the
goal machinery.

=============  =================================================================================
method         solves
=============  =================================================================================
``sparse``     candidates + pricing (:mod:`.sparse`), certified optimal without the n × n matrix;
               1:1 or capacities on one side; ``auto`` takes it from :data:`SPARSE_MIN_CELLS`
``lsa``        scipy ``linear_sum_assignment``: 1:1, or capacities on one side (expansion)
``flow``       OR-tools min-cost flow: any capacities (integer-scaled, slack reported)
``lp``         goals: LP column generation, rounding, reduced-cost fixing, HiGHS
               (:mod:`.constrained.pipeline`); ``auto`` takes it for goals
``lagrangian`` goals: Kelley cutting planes with the exact assignment inside, and repair
``cpsat``      goals: OR-tools CP-SAT on the whole model (deterministic with one worker)
``milp``       goals: HiGHS through :func:`scipy.optimize.milp` on the whole model
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

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

import numpy as np

from ..errors import SolverError, ValidationError
from ._problem import ArrayProblem, capacities_on_both_sides

if TYPE_CHECKING:
    from .constrained.model import GoalModel
    from .constrained.pipeline import GoalOutcome

__all__ = [
    "BACKENDS",
    "SPARSE_MIN_CELLS",
    "Backend",
    "Capabilities",
    "Needs",
    "Solution",
    "choose",
    "register",
]

#: From this many cells (n_mentors × n_mentees) ``auto`` prefers the sparse path.
SPARSE_MIN_CELLS = 1 << 22

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

    @classmethod
    def of(
        cls, mentor_capacity: np.ndarray, mentee_capacity: np.ndarray, *, goals: bool = False
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
        return cls(n_m, n_e, shape, goals, (rows, cols))

    @classmethod
    def of_problem(cls, problem: ArrayProblem, *, goals: bool = False) -> Needs:
        return cls.of(problem.mentor_capacity, problem.mentee_capacity, goals=goals)

    @property
    def cells(self) -> int:
        return self.n_mentors * self.n_mentees


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


def choose(needs: Needs, method: str = "auto") -> Backend:
    """The backend for a problem with ``needs``: the named one, or ``auto``'s choice.

    Raises
    ------
    ValidationError
        If ``method`` is neither ``"auto"`` nor a registered name.
    SolverError
        If the named backend cannot solve the problem (the message says why).
    """
    check_method(method)
    if method == "auto":
        for b in BACKENDS.values():
            if why_not(b, needs) is None and b.declines(needs) is None:
                return b
        raise SolverError("no registered backend can solve this problem.")  # pragma: no cover
    b = BACKENDS[method]
    why = why_not(b, needs)
    if why is not None:
        raise SolverError(f"method {method!r} cannot solve this problem: {why}.", method=method)
    return b


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


def _goal(name: str) -> Any:
    def load() -> Any:
        from .constrained.pipeline import GoalMethod

        return GoalMethod(name)

    return load


register(_Lazy("sparse", Capabilities("one side", sparse=True), _sparse))
register(_Lazy("lsa", Capabilities("one side"), _lsa))
register(_Lazy("flow", Capabilities("both sides"), _flow))
for _name in ("lp", "lagrangian", "cpsat", "milp"):
    register(_Lazy(_name, Capabilities("both sides", goals=True, exact=False), _goal(_name)))
