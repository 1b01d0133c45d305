"""The machinery every goal shares: the compilation context, the base class, exact share
arithmetic, and compiling / checking a list of goals."""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Protocol, cast

import numpy as np
import numpy.typing as npt

from .._checks import is_collection, shown
from ..errors import GroupConflict, ValidationError
from ..results import MIN_GROUP
from ..solvers import ArrayProblem
from ..solvers.constrained.model import GoalModel, PairTable, Row, build_model

__all__ = [
    "Goal",
    "GoalCheck",
    "GoalContext",
    "GroupGoal",
    "check_goals",
    "compile_goals",
    "goal_conflicts",
]


@dataclass(frozen=True)
class GoalCheck:
    """A goal checked on a finished set of pairs: what it asks, what was achieved, and whether
    it holds — as numbers and as text. Aggregates only (no participant, no attribute value,
    no group label).

    A figure computed over fewer than :data:`~rm_match.results.MIN_GROUP` (5) pairs — or, for
    :class:`~rm_match.goals.Representation`, chosen participants — is suppressed: ``value``
    is ``None``, ``achieved`` says ``"suppressed (fewer than 5 pairs)"`` and ``suppressed``
    is true. On so few pairs a share or a count of pairs with a property says something
    about the people in them (a cross-gender share of 66.67 % on 3 pairs is 2 of them).
    ``met`` stays truthful whatever the size. With no pairs at all there is nothing to
    suppress (``value`` is ``None``, ``suppressed`` false).

    Attributes
    ----------
    goal : str
        The goal's name (e.g. ``"share_cross_gender"``): an attribute's name, never a value.
    required : str
        What the goal asks, as text: its own bounds and counts of the cohort (participants
        of a side, participants chosen, groups present — the last left out when counted
        among fewer than 5 people) — never a group's label.
    achieved : str
        What the pairs achieve, as text; ``"suppressed (fewer than 5 pairs)"`` when the
        figure is suppressed.
    met : bool
        Whether the goal holds — always the truth, also when the figure is suppressed.
    value : float or None
        The achieved figure the goal bounds: a share of pairs in [0, 1], a count, the fewest
        mentor groups a mentee group meets, the most pairs between two groups, the smallest
        margin over a floor, the lowest pair score; ``None`` when there is none (no pairs)
        or it is suppressed. Never suppressed, because they are counts of a whole side that
        :class:`~rm_match.Matching` lists participant by participant anyway: the count of
        pairs of a :class:`~rm_match.goals.Count` without a pair property, and the
        participants matched of :class:`~rm_match.goals.EveryoneMatched`.
    at_least, at_most : float or None
        The bounds ``value`` must respect (``None``: no such bound): the goal's own
        parameters.
    suppressed : bool
        Whether ``value`` and ``achieved`` are withheld (fewer than 5 pairs or people).

    Examples
    --------
    >>> c = GoalCheck("count", "≥ 3 pairs", "4", True, value=4.0, at_least=3.0)
    >>> c.met and c.value >= c.at_least
    True
    """

    goal: str
    required: str
    achieved: str
    met: bool
    value: float | None = None
    at_least: float | None = None
    at_most: float | None = None
    suppressed: bool = False


def _suppressed_text(unit: str = "pairs") -> str:
    """``"suppressed (fewer than 5 pairs)"``: the text of a withheld figure."""
    return f"suppressed (fewer than {MIN_GROUP} {unit})"


def _each(n_groups: int, people: int, what: str) -> str:
    """``"each of 4 mentee groups"``, or ``"each mentee group"`` when the groups were counted
    among fewer than :data:`MIN_GROUP` people (on 3 mentors, "1 group" says all 3 share it).

    >>> _each(4, 30, "mentee groups"), _each(1, 3, "groups")
    ('each of 4 mentee groups', 'each group')
    """
    return f"each of {n_groups} {what}" if people >= MIN_GROUP else f"each {what[:-1]}"


def _goal_check(
    goal: str,
    required: str,
    achieved: str,
    met: bool,
    *,
    value: float | None,
    over: int,
    unit: str = "pairs",
    at_least: float | None = None,
    at_most: float | None = None,
) -> GoalCheck:
    """A :class:`GoalCheck` whose figure (``achieved``, ``value``) is an aggregate over
    ``over`` pairs (or people: ``unit``), suppressed when ``0 < over <`` :data:`MIN_GROUP`.

    >>> _goal_check("share_cross_gender", "≥ 40% of pairs", "66.67%", True, value=2 / 3,
    ...             over=3).achieved
    'suppressed (fewer than 5 pairs)'
    """
    if 0 < over < MIN_GROUP:
        return GoalCheck(
            goal,
            required,
            _suppressed_text(unit),
            bool(met),
            value=None,
            at_least=at_least,
            at_most=at_most,
            suppressed=True,
        )
    return GoalCheck(
        goal, required, achieved, bool(met), value=value, at_least=at_least, at_most=at_most
    )


def _ratio(value: object, what: str) -> Fraction:
    """A share in [0, 1] exactly as the user wrote it: a float is read as the decimal it
    prints as (``0.12345`` is 2469/20000, not the nearest binary fraction), a Fraction or
    integer as itself. Nothing is rounded here; :func:`_share_within` makes the coefficients
    small without changing what the goal allows."""
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, bool)
        or not math.isfinite(float(value))
        or not 0.0 <= float(value) <= 1.0
    ):
        raise ValidationError(
            f"{what} must be a fraction in [0, 1]; got {shown(value)}.", argument=what
        )
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, Decimal):
        return Fraction(value)
    return Fraction(repr(float(value)))


def _share_within(p: Fraction, n: int, *, up: bool) -> Fraction:
    """The fraction nearest ``p`` from above (``up``) or below with denominator at most
    ``n``: its neighbour in the Farey sequence of order ``n``.

    Every share ``k / m`` with ``m ≤ n`` is ≥ ``p`` exactly when it is ≥ the upper
    neighbour, and ≤ ``p`` exactly when it is ≤ the lower one, and ``⌊p·m⌋`` equals
    ``⌊lower·m⌋``: so a goal on at most ``n`` pairs allows exactly what it would with ``p``
    itself, with coefficients no larger than ``n``.

    >>> _share_within(Fraction(12345, 100000), 10, up=True), _share_within(Fraction(1, 3), 10,
    ...                                                                    up=False)
    (Fraction(1, 8), Fraction(1, 3))
    """
    n = max(int(n), 1)
    if p.denominator <= n:
        return p
    # continued-fraction convergents p0/q0, p1/q1 until the next denominator exceeds n
    p0, q0, p1, q1 = 0, 1, 1, 0
    num, den = p.numerator, p.denominator
    while True:
        a = num // den
        q2 = q0 + a * q1
        if q2 > n:
            break
        p0, q0, p1, q1 = p1, q1, p0 + a * p1, q2
        num, den = den, num - a * den
    k = (n - q0) // q1
    b1, b2 = Fraction(p0 + k * p1, q0 + k * q1), Fraction(p1, q1)
    lo, hi = min(b1, b2), max(b1, b2)  # p's two neighbours in the Farey sequence of order n
    return hi if up else lo


def _most_pairs(ctx: GoalContext) -> int:
    """An upper bound on the number of pairs (fixed ones included) of any answer (the
    context's own, when it has one: see :class:`GoalContext`)."""
    if ctx.most is not None:
        return ctx.most
    free = min(
        len(ctx.mi),
        int(np.minimum(ctx.m_cap, ctx.n_e).sum()),
        int(np.minimum(ctx.e_cap, ctx.n_m).sum()),
    )
    return len(ctx.fixed) + max(free, 0)


def _share_met(k: int, n: int, p: Fraction, *, at_least: bool) -> bool:
    """Whether ``k`` of ``n`` is a share ≥ (``at_least``) or ≤ ``p``, in exact integers."""
    return (
        k * p.denominator >= p.numerator * n if at_least else (k * p.denominator <= p.numerator * n)
    )


def _count(value: object, what: str) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"{what} must be an integer ≥ 0; got {shown(value)}.", argument=what)
    return int(value)


def _row(
    goal: int,
    x_idx: npt.ArrayLike,
    x_val: npt.ArrayLike,
    lo: int | None = None,
    hi: int | None = None,
    y_idx: npt.ArrayLike = (),
    y_val: npt.ArrayLike = (),
    label: str = "",
    total: int = 0,
    keyed: PairTable | None = None,
) -> Row:
    return Row(
        goal,
        np.asarray(x_idx, dtype=np.int64),
        np.asarray(x_val, dtype=np.int64),
        np.asarray(y_idx, dtype=np.int64),
        np.asarray(y_val, dtype=np.int64),
        None if lo is None else int(lo),
        None if hi is None else int(hi),
        label,
        int(total),
        keyed,
    )


def _pct(f: Fraction | float) -> str:
    return f"{100 * float(f):.4g}%"


# -- compilation context ----------------------------------------------------------------------


class GoalContext:
    """What goals compile against: the candidate pairs (edges), the fixed pairs, capacities,
    and a resolver for attribute names (domain level) or arrays (array level).

    Built by :meth:`of_arrays` (:func:`rm_match.assign`) or
    :meth:`rm_match.Problem.goal_context` (:func:`rm_match.match`, :func:`rm_match.verify`).
    ``most``: an upper bound on the pairs of any answer (fixed ones included) over *every*
    pair of the cohort, for a context whose edges are only some of them (a core of
    candidate pairs): the share goals' rows then read the same as over every pair.
    """

    def __init__(
        self,
        n_m: int,
        n_e: int,
        mi: np.ndarray,
        ei: np.ndarray,
        fixed: np.ndarray,
        m_cap: np.ndarray,
        e_cap: np.ndarray,
        attribute: Callable[[str], tuple[np.ndarray, np.ndarray, list[Any]]] | None = None,
        ids: tuple[np.ndarray, np.ndarray] | None = None,
        most: int | None = None,
    ) -> None:
        self.n_m, self.n_e = n_m, n_e
        self.most = most
        self.mi, self.ei = mi, ei
        self.fixed = fixed
        self.m_cap, self.e_cap = m_cap, e_cap
        self._attribute = attribute
        self._ids = ids
        self.indicators: list[np.ndarray] = []

    @classmethod
    def of_arrays(cls, problem: ArrayProblem) -> GoalContext:
        """The context of an array problem: every allowed pair between participants with
        capacity is an edge; no fixed pairs; groups given as arrays."""
        n_m, n_e = problem.shape
        ok = problem.feasible & (problem.mentor_capacity > 0)[:, None]
        ok &= problem.mentee_capacity > 0
        mi, ei = np.nonzero(ok)
        fixed = np.empty((0, 2), dtype=np.int64)
        return cls(n_m, n_e, mi, ei, fixed, problem.mentor_capacity, problem.mentee_capacity)

    def who(self, side: str, i: int) -> str:
        """``"mentee 'S017'"`` (domain level) or ``"mentee 17"`` (array level)."""
        if self._ids is None:
            return f"{side} {i}"
        return f"{side} {self._ids[0 if side == 'mentor' else 1][i]!r}"

    def groups(self, spec: Any, goal: str) -> tuple[np.ndarray, np.ndarray, list[Any]]:
        """Group codes (mentors, mentees; -1 unknown) and the label of each code."""
        if isinstance(spec, str):
            if self._attribute is None:
                raise ValidationError(
                    f"goal {goal}: attribute names need match(); assign() takes "
                    "`groups=(mentor_codes, mentee_codes)`.",
                    argument="groups",
                )
            return self._attribute(spec)
        try:
            c_m, c_e = (np.asarray(a) for a in spec)
        except (TypeError, ValueError):
            raise ValidationError(
                f"goal {goal}: `groups` must be an attribute name or a pair of integer arrays "
                "(mentor codes, mentee codes).",
                argument="groups",
            ) from None
        for a, n, side in ((c_m, self.n_m, "mentor"), (c_e, self.n_e, "mentee")):
            if a.shape != (n,) or not np.issubdtype(a.dtype, np.integer):
                raise ValidationError(
                    f"goal {goal}: {side} group codes must be an integer array of shape ({n},).",
                    argument="groups",
                )
        top = int(max(c_m.max(initial=-1), c_e.max(initial=-1)))
        return c_m.astype(np.int64), c_e.astype(np.int64), list(range(top + 1))

    def pair_flags(self, goal: Goal, mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
        """The goal's pair property for pairs ``(mi[k], ei[k])``."""
        if goal.pairs is not None:
            mask = np.asarray(goal.pairs)
            if mask.dtype != bool or mask.shape != (self.n_m, self.n_e):
                raise ValidationError(
                    f"goal {goal.name}: `pairs` must be a boolean array of shape "
                    f"({self.n_m}, {self.n_e}).",
                    argument="pairs",
                )
            return mask[mi, ei]
        attr = goal.cross if goal.cross is not None else goal.same
        if attr is None:
            return np.ones(len(mi), dtype=bool)
        c_m, c_e, _ = self.groups(attr, goal.name)
        a, b = c_m[mi], c_e[ei]
        known = (a >= 0) & (b >= 0)
        return known & ((a != b) if goal.cross is not None else (a == b))

    def flag_table(self, goal: Goal) -> PairTable | None:
        """The goal's pair property as a table over the two people's group codes (1 where
        a pair has it), for every pair of the cohort; ``None`` for a ``pairs`` mask (which
        names pairs, not groups). Reads as :meth:`pair_flags` does."""
        if goal.pairs is not None:
            return None
        attr = goal.cross if goal.cross is not None else goal.same
        if attr is None:
            one = np.ones((1, 1), dtype=np.int64)
            return PairTable(np.zeros(self.n_m, np.int64), np.zeros(self.n_e, np.int64), one)
        c_m, c_e = (np.maximum(c, -1) for c in self.groups(attr, goal.name)[:2])  # -1: unknown
        top = int(max(c_m.max(initial=-1), c_e.max(initial=-1))) + 1
        a, b = np.arange(-1, top)[:, None], np.arange(-1, top)[None, :]
        flag = (a >= 0) & (b >= 0) & ((a != b) if goal.cross is not None else (a == b))
        return PairTable(c_m + 1, c_e + 1, flag.astype(np.int64))

    def indicator(self, edges: np.ndarray, fixed_hit: bool) -> int | None:
        """Index of a new indicator ``y = OR(x[edges])``, or ``None`` when a fixed pair already
        makes it 1."""
        if fixed_hit:
            return None
        self.indicators.append(np.asarray(edges, dtype=np.int64))
        return len(self.indicators) - 1


# -- goals --------------------------------------------------------------------------------------


class Goal:
    """Base class of cohort goals. Subclasses implement :meth:`compile` and :meth:`check`."""

    kind: ClassVar[str] = "goal"
    #: a term of the objective (:class:`~rm_match.goals.MinPairScore`), not a condition
    objective_term: ClassVar[bool] = False
    #: an optional pair property (see :class:`Share`); ``None`` when the goal has none
    cross: str | None = None
    same: str | None = None
    pairs: Any = None

    @property
    def name(self) -> str:
        """Name used in reports and error messages (no attribute values)."""
        prop = ""
        for kind in ("cross", "same"):
            v = getattr(self, kind)
            if v is not None:  # an attribute name, or code arrays (not shown)
                prop = f"{kind}_{v}" if isinstance(v, str) else kind
        if self.pairs is not None:
            prop = "pairs"
        return f"{self.kind}_{prop}" if prop else self.kind

    def __post_init__(self) -> None:  # subclasses are dataclasses: checked when made
        self.validate()

    def validate(self) -> None:
        """Raise :class:`~rm_match.ValidationError` on a malformed goal."""

    def compile(self, ctx: GoalContext, index: int) -> list[Row]:
        """Integer rows over the context's edges (and new indicators)."""
        raise NotImplementedError

    def check(
        self,
        ctx: GoalContext,
        mi: np.ndarray,
        ei: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> GoalCheck:
        """The goal evaluated on all chosen pairs ``(mi, ei)`` (fixed ones included);
        ``scores``: their scores, for goals on the objective."""
        raise NotImplementedError

    def explain(self, ctx: GoalContext) -> str | None:
        """Why the goal cannot hold on its own, by counting; ``None`` if counting cannot
        tell. Ids, counts and neutral group handles only: never a group's label."""
        return None

    def conflicts(self, ctx: GoalContext) -> tuple[GroupConflict, ...]:
        """The groups :meth:`explain` speaks of, with their labels, for
        :attr:`rm_match.InfeasibleError.groups`; empty for a goal not over groups."""
        return ()


class _Bounded(Protocol):
    """A goal with ``at_least`` / ``at_most`` bounds (:class:`~rm_match.goals.Share`,
    :class:`~rm_match.goals.Count`)."""

    @property
    def at_least(self) -> float | None: ...

    @property
    def at_most(self) -> float | None: ...


class GroupGoal(Goal):
    """A goal over groups, given by an attribute name (``match``) or code arrays
    (``assign``): it is named after the attribute (``coverage_department``).

    Its repr shows no group label or code: code arrays read ``<group codes>`` and a mapping
    keyed by group (``Representation.floor``) ``<floors for 2 groups>``."""

    groups: Any

    def __post_init__(self) -> None:
        _check_groups(self.groups, f"{self.kind}.groups")
        super().__post_init__()

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.groups}" if isinstance(self.groups, str) else self.kind

    @property
    def attribute(self) -> str | None:
        """The attribute's name (``"department"``); ``None`` for code arrays."""
        return self.groups if isinstance(self.groups, str) else None

    def handle(self, side: str, code: int, size: int | None = None) -> str:
        """The neutral text name of a group: its attribute, code and size, never its label.

        >>> from rm_match.goals import Coverage
        >>> Coverage("department").handle("mentee", 3, 6)
        'mentee department group #3 (6 mentees)'
        >>> Coverage("department").handle("mentee", 4, 2)
        'mentee department group #4 (fewer than 5 mentees)'
        """
        what = f"{side} {self.attribute} group" if self.attribute else f"{side} group"
        if size is None:
            return f"{what} #{code}"
        many = f"{size}" if size >= MIN_GROUP else f"fewer than {MIN_GROUP}"
        return f"{what} #{code} ({many} {side}s)"

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(cast(Any, self)):
            if not f.repr:
                continue
            v = getattr(self, f.name)
            if f.name == "groups" and not isinstance(v, str):
                text = "<group codes>"
            elif isinstance(v, Mapping):
                text = f"<floors for {len(v)} groups>"
            else:
                text = repr(v)
            parts.append(f"{f.name}={text}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _check_bounds(goal: _Bounded, convert: Callable[[object, str], object]) -> None:
    """``at_least`` or ``at_most`` given, and each one valid for ``convert``."""
    kind = type(goal).__name__
    if goal.at_least is None and goal.at_most is None:
        raise ValidationError(f"{kind} needs `at_least` or `at_most`.", argument="at_least")
    for w in ("at_least", "at_most"):
        if getattr(goal, w) is not None:
            convert(getattr(goal, w), f"{kind}.{w}")


def _bounds_text(goal: _Bounded, fmt: Callable[[float], str]) -> str:
    """``"≥ a and ≤ b"`` for the bounds the goal has."""
    parts = [f"≥ {fmt(goal.at_least)}"] if goal.at_least is not None else []
    if goal.at_most is not None:
        parts.append(f"≤ {fmt(goal.at_most)}")
    return " and ".join(parts)


def _check_groups(value: object, what: str) -> None:
    """An attribute name, or a pair (mentor codes, mentee codes) checked against the
    cohort when the goal is compiled."""
    ok = bool(value) if isinstance(value, str) else is_collection(value) and len(list(value)) == 2
    if not ok:
        raise ValidationError(
            f"{what} must be an attribute name or a pair (mentor codes, mentee codes); "
            f"got {shown(value)}.",
            argument=what,
        )


def _check_property(goal: Goal) -> None:
    for name in ("cross", "same"):
        if getattr(goal, name) is not None:
            _check_groups(getattr(goal, name), f"{goal.kind}.{name}")
    given = [x is not None for x in (goal.cross, goal.same, goal.pairs)]
    if sum(given) > 1:
        raise ValidationError(
            f"goal {goal.kind}: give at most one of `cross`, `same` and `pairs`.",
            argument="pairs",
        )


# -- compiling and checking -------------------------------------------------------------------


def compile_goals(
    goals: Sequence[Goal], ctx: GoalContext, scores: np.ndarray, policy: str
) -> tuple[GoalModel, float | bool | None]:
    """The :class:`~rm_match.solvers.constrained.model.GoalModel` of ``goals`` over the
    context's edges (``scores`` per edge), and the fairness weight of the
    :class:`~rm_match.goals.MinPairScore` goal (``None`` for max-min; ``False`` without one).

    Raises
    ------
    ValidationError
        If an item is not a :class:`Goal`, or more than one is a ``MinPairScore``.
    """
    goals = tuple(goals)
    for g in goals:
        if not isinstance(g, Goal):
            raise ValidationError(
                f"`goals` must hold Goal objects; got {type(g).__name__}.", argument="goals"
            )
    fair = [g for g in goals if g.objective_term]
    if len(fair) > 1:
        raise ValidationError("give at most one MinPairScore goal.", argument="goals")
    rows: list[Row] = []
    for i, g in enumerate(goals):
        rows += g.compile(ctx, i)
    model = build_model(
        ctx.n_m,
        ctx.n_e,
        ctx.mi,
        ctx.ei,
        scores,
        ctx.m_cap,
        ctx.e_cap,
        policy,
        tuple(rows),
        tuple(ctx.indicators),
        tuple(g.name for g in goals),
    )
    return model, (getattr(fair[0], "weight", None) if fair else False)


def check_goals(
    goals: Iterable[Goal],
    ctx: GoalContext,
    mi: np.ndarray,
    ei: np.ndarray,
    *,
    scores: np.ndarray | None = None,
) -> list[GoalCheck]:
    """Every goal checked on the chosen pairs (the fixed pairs must be included). With
    ``scores`` (the pairs' scores), goals on the objective report on them; without, they are
    left out (an objective term is not a condition)."""
    return [
        g.check(ctx, mi, ei, scores) for g in goals if scores is not None or not g.objective_term
    ]


def goal_conflicts(
    goals: Iterable[Goal], ctx: GoalContext, names: Iterable[str]
) -> tuple[GroupConflict, ...]:
    """The groups behind a conflict among the goals named ``names`` (e.g.
    :attr:`rm_match.InfeasibleError.rules`), as each goal counts them on ``ctx``: what
    :attr:`rm_match.InfeasibleError.groups` carries."""
    wanted = set(names)
    return tuple(c for g in goals if g.name in wanted for c in g.conflicts(ctx))


def _flag(value: object, what: str) -> bool:
    """A yes/no option: a bool (numpy's included), nothing else."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValidationError(f"{what} must be True or False; got {shown(value)}.", argument=what)
    return bool(value)
