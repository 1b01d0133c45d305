"""Cohort-level goals: quotas, coverage, spread, representation and fairness.

A goal is a small frozen object, listed in a :class:`~rm_match.Programme` (``goals=``) or passed
to :func:`rm_match.assign` (``goals=``). Each compiles to integer linear rows over the pair
variables (and, for coverage and representation, indicator variables ``y = OR(pairs)``), so
every solver reads the same model; each also checks itself on a finished set of pairs, without
the rows, which is what :func:`rm_match.verify` and the per-goal report use.

Groups and predicates are named by attribute (``"gender"``, ``"generation"``, ``"department"``)
in :func:`rm_match.match`; at the array level (:func:`rm_match.assign`) they are given as arrays
instead: ``groups=(mentor_codes, mentee_codes)`` (ints, -1 = unknown) or ``pairs=`` a boolean
(n_mentors, n_mentees) mask. Required (fixed) pairs count towards every goal.

=========================  ======================================================================
goal                       holds when
=========================  ======================================================================
:class:`Share`             pairs with the property are ≥ / ≤ a fraction of all pairs
:class:`Count`             pairs (with the property) number ≥ / ≤ a count
:class:`Coverage`          each mentee group meets mentors from ≥ k distinct (other) groups
:class:`Spread`            no two groups share more than q pairs (or a share of the pairs)
:class:`Representation`    each group's share of the *chosen* mentors (or mentees) is at least its
                           share of the applicants (or a floor), rounded down
:class:`EveryoneMatched`   every mentee (or mentor) with capacity gets a partner
:class:`MinPairScore`      objective: total score + ``weight`` × the lowest pair score
=========================  ======================================================================

Examples
--------
>>> from rm_match import Programme, goals, match, rules, synthetic
>>> mentors, mentees = synthetic.cohort(40, 40, rng=3)
>>> prog = Programme(rules=[rules.CrossDepartment()],
...                  goals=[goals.Share(cross="gender", at_least=0.5),
...                         goals.Spread("department", at_most=4)])
>>> m = match(mentors, mentees, prog, rng=0)
>>> [(g.goal, g.met) for g in m.goals]
[('share_cross_gender', True), ('spread_department', True)]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from .errors import ValidationError
from .solvers.goal_model import Row, by_participant

__all__ = [
    "Count",
    "Coverage",
    "EveryoneMatched",
    "Goal",
    "GoalCheck",
    "MinPairScore",
    "Representation",
    "Share",
    "Spread",
]


@dataclass(frozen=True)
class GoalCheck:
    """A goal checked on a finished set of pairs: what it asks, what was achieved, and whether
    it holds. Aggregates only (no participant, no attribute value)."""

    goal: str
    required: str
    achieved: str
    met: bool


# -- compilation context ----------------------------------------------------------------------


class GoalContext:
    """What goals compile against: the candidate pairs (edges), the fixed pairs, capacities,
    and a resolver for attribute names (domain level) or arrays (array level)."""

    def __init__(
        self,
        n_m: int,
        n_e: int,
        mi: np.ndarray,
        ei: np.ndarray,
        fixed: np.ndarray,
        m_cap: np.ndarray,
        e_cap: np.ndarray,
        attribute: Callable[[str], tuple[np.ndarray, np.ndarray, list]] | None = None,
        ids: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self.n_m, self.n_e = n_m, n_e
        self.mi, self.ei = mi, ei
        self.fixed = fixed
        self.m_cap, self.e_cap = m_cap, e_cap
        self._attribute = attribute
        self._ids = ids
        self.indicators: list[np.ndarray] = []

    def who(self, side: str, i: int) -> str:
        """``"mentee 'S017'"`` (domain level) or ``"mentee 17"`` (array level)."""
        if self._ids is None:
            return f"{side} {i}"
        return f"{side} {self._ids[0 if side == 'mentor' else 1][i]!r}"

    def groups(self, spec: Any, goal: str) -> tuple[np.ndarray, np.ndarray, list]:
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
        attr = goal.cross or goal.same
        if attr is None:
            return np.ones(len(mi), dtype=bool)
        c_m, c_e, _ = self.groups(attr, goal.name)
        a, b = c_m[mi], c_e[ei]
        known = (a >= 0) & (b >= 0)
        return known & ((a != b) if goal.cross else (a == b))

    def indicator(self, edges: np.ndarray, fixed_hit: bool) -> int | None:
        """Index of a new indicator ``y = OR(x[edges])``, or ``None`` when a fixed pair already
        makes it 1."""
        if fixed_hit:
            return None
        self.indicators.append(np.asarray(edges, dtype=np.int64))
        return len(self.indicators) - 1


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
        raise ValidationError(f"{what} must be a fraction in [0, 1]; got {value!r}.", argument=what)
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
    """An upper bound on the number of pairs (fixed ones included) of any answer."""
    free = min(len(ctx.mi), int(np.minimum(ctx.m_cap, ctx.n_e).sum()),
               int(np.minimum(ctx.e_cap, ctx.n_m).sum()))
    return len(ctx.fixed) + max(free, 0)


def _share_met(k: int, n: int, p: Fraction, *, at_least: bool) -> bool:
    """Whether ``k`` of ``n`` is a share ≥ (``at_least``) or ≤ ``p``, in exact integers."""
    return k * p.denominator >= p.numerator * n if at_least else (
        k * p.denominator <= p.numerator * n
    )


def _count(value: object, what: str) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"{what} must be an integer ≥ 0; got {value!r}.", argument=what)
    return int(value)


def _row(goal: int, x_idx, x_val, lo=None, hi=None, y_idx=(), y_val=(), label="", total=0) -> Row:
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
    )


def _pct(f: Fraction | float) -> str:
    return f"{100 * float(f):.4g}%"


# -- goals --------------------------------------------------------------------------------------


class Goal:
    """Base class of cohort goals. Subclasses implement :meth:`compile` and :meth:`check`."""

    kind: ClassVar[str] = "goal"
    #: an optional pair property (see :class:`Share`); ``None`` when the goal has none
    cross: str | None = None
    same: str | None = None
    pairs: Any = None

    @property
    def name(self) -> str:
        """Name used in reports and error messages (no attribute values)."""
        prop = (self.cross and f"cross_{self.cross}") or (self.same and f"same_{self.same}")
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

    def check(self, ctx: GoalContext, mi: np.ndarray, ei: np.ndarray) -> GoalCheck:
        """The goal evaluated on all chosen pairs ``(mi, ei)`` (fixed ones included)."""
        raise NotImplementedError

    def explain(self, ctx: GoalContext) -> str | None:
        """Why the goal cannot hold on its own, by counting; ``None`` if counting cannot
        tell."""
        return None


def _check_bounds(goal: Goal, convert: Callable[[object, str], object]) -> None:
    """``at_least`` or ``at_most`` given, and each one valid for ``convert``."""
    kind = type(goal).__name__
    if goal.at_least is None and goal.at_most is None:
        raise ValidationError(f"{kind} needs `at_least` or `at_most`.", argument="at_least")
    for w in ("at_least", "at_most"):
        if getattr(goal, w) is not None:
            convert(getattr(goal, w), f"{kind}.{w}")


def _bounds_text(goal: Goal, fmt: Callable[[Any], str]) -> str:
    """``"≥ a and ≤ b"`` for the bounds the goal has."""
    parts = [f"≥ {fmt(goal.at_least)}"] if goal.at_least is not None else []
    if goal.at_most is not None:
        parts.append(f"≤ {fmt(goal.at_most)}")
    return " and ".join(parts)


def _check_property(goal: Goal) -> None:
    given = [x is not None for x in (goal.cross, goal.same, goal.pairs)]
    if sum(given) > 1:
        raise ValidationError(
            f"goal {goal.kind}: give at most one of `cross`, `same` and `pairs`.",
            argument="pairs",
        )


@dataclass(frozen=True)
class Share(Goal):
    """At least / at most a fraction of all pairs have a property.

    Parameters
    ----------
    cross : str, optional
        Attribute (or ``"department"``) on which the two must differ (both known).
    same : str, optional
        Attribute on which the two must agree (both known).
    pairs : bool array (n_mentors, n_mentees), optional
        The property as a mask (array level).
    at_least, at_most : float in [0, 1], optional
        Bounds on the share of pairs with the property, kept exactly as written (a float
        is read as its decimal: 0.4 means 2/5, 0.12345 means 2469/20000; a
        :class:`fractions.Fraction` as itself). An empty programme meets any share.

    Examples
    --------
    >>> Share(cross="gender", at_least=0.4).name
    'share_cross_gender'
    """

    cross: str | None = None
    same: str | None = None
    pairs: Any = field(default=None, repr=False, compare=False)
    at_least: float | None = None
    at_most: float | None = None
    kind: ClassVar[str] = "share"

    def validate(self) -> None:
        _check_property(self)
        if self.cross is None and self.same is None and self.pairs is None:
            raise ValidationError(
                "Share needs a pair property: `cross`, `same` or `pairs`.", argument="pairs"
            )
        _check_bounds(self, _ratio)

    def compile(self, ctx, index):
        flag = ctx.pair_flags(self, ctx.mi, ctx.ei).astype(np.int64)
        fflag = ctx.pair_flags(self, ctx.fixed[:, 0], ctx.fixed[:, 1]).astype(np.int64)
        edges = np.arange(len(flag))
        rows = []
        most = _most_pairs(ctx)
        for bound, lower in ((self.at_least, True), (self.at_most, False)):
            if bound is None:
                continue
            p = _share_within(_ratio(bound, "share"), most, up=lower)
            # den·(pairs with the property) − num·(all pairs) ≥ (or ≤) 0, fixed pairs included
            const = int((p.denominator * fflag - p.numerator).sum())
            on = flag > 0
            rows.append(
                _row(
                    index,
                    edges[on],
                    np.full(int(on.sum()), p.denominator),
                    -const if lower else None,
                    None if lower else -const,
                    total=-p.numerator,
                )
            )
        return rows

    def check(self, ctx, mi, ei):
        n = len(mi)
        k = int(ctx.pair_flags(self, mi, ei).sum())
        share = k / n if n else 0.0
        ok = True
        if self.at_least is not None:
            ok &= n == 0 or _share_met(k, n, _ratio(self.at_least, "share"), at_least=True)
        if self.at_most is not None:
            ok &= n == 0 or _share_met(k, n, _ratio(self.at_most, "share"), at_least=False)
        return GoalCheck(self.name, _bounds_text(self, _pct) + " of pairs", _pct(share), bool(ok))


@dataclass(frozen=True)
class Count(Goal):
    """At least / at most a number of pairs (with a property, if one is given).

    Examples
    --------
    >>> Count(at_least=10).name, Count(cross="generation", at_least=5).name
    ('count', 'count_cross_generation')
    """

    cross: str | None = None
    same: str | None = None
    pairs: Any = field(default=None, repr=False, compare=False)
    at_least: int | None = None
    at_most: int | None = None
    kind: ClassVar[str] = "count"

    def validate(self) -> None:
        _check_property(self)
        _check_bounds(self, _count)

    def compile(self, ctx, index):
        flag = ctx.pair_flags(self, ctx.mi, ctx.ei)
        const = int(ctx.pair_flags(self, ctx.fixed[:, 0], ctx.fixed[:, 1]).sum())
        edges = np.flatnonzero(flag)
        lo = None if self.at_least is None else self.at_least - const
        hi = None if self.at_most is None else self.at_most - const
        return [_row(index, edges, np.ones(len(edges)), lo, hi)]

    def check(self, ctx, mi, ei):
        c = int(ctx.pair_flags(self, mi, ei).sum())
        ok = (self.at_least is None or c >= self.at_least) and (
            self.at_most is None or c <= self.at_most
        )
        return GoalCheck(self.name, _bounds_text(self, str) + " pairs", str(c), ok)


@dataclass(frozen=True)
class EveryoneMatched(Goal):
    """Every participant of ``side`` with capacity gets at least one partner.

    Examples
    --------
    >>> EveryoneMatched().name
    'everyone_matched_mentee'
    """

    side: str = "mentee"
    kind: ClassVar[str] = "everyone_matched"

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.side}"

    def validate(self) -> None:
        if self.side not in ("mentor", "mentee"):
            raise ValidationError(
                "EveryoneMatched.side must be 'mentor' or 'mentee'.", argument="side"
            )

    def _who(self, ctx):
        col = 0 if self.side == "mentor" else 1
        cap = ctx.m_cap if col == 0 else ctx.e_cap
        n = ctx.n_m if col == 0 else ctx.n_e
        placed = np.zeros(n, dtype=bool)
        placed[ctx.fixed[:, col]] = True
        return col, (cap > 0) & ~placed

    def compile(self, ctx, index):
        col, need = self._who(ctx)
        order, bounds = by_participant(ctx.mi if col == 0 else ctx.ei, len(need))
        return [
            _row(
                index,
                order[bounds[p] : bounds[p + 1]],
                np.ones(bounds[p + 1] - bounds[p]),
                1,
                label=ctx.who(self.side, int(p)),
            )
            for p in np.flatnonzero(need)
        ]

    def explain(self, ctx):
        from .solvers import assign

        col, need = self._who(ctx)
        if not need.any():
            return None
        side = ctx.mi if col == 0 else ctx.ei
        ok = need[side]
        w = np.zeros((ctx.n_m, ctx.n_e))
        w[ctx.mi[ok], ctx.ei[ok]] = 1.0
        caps = [ctx.m_cap, ctx.e_cap]
        caps[col] = np.minimum(caps[col], 1)
        a = assign(w, w > 0, mentor_capacity=caps[0], mentee_capacity=caps[1], policy="max_score")
        if a.n_matched < int(need.sum()):
            return (
                f"{self.name}: at most {a.n_matched} of the {int(need.sum())} {self.side}s "
                "can have a partner at once"
            )
        return None

    def check(self, ctx, mi, ei):
        col = 0 if self.side == "mentor" else 1
        cap = ctx.m_cap if col == 0 else ctx.e_cap
        n = ctx.n_m if col == 0 else ctx.n_e
        got = np.zeros(n, dtype=bool)
        got[(mi if col == 0 else ei)] = True
        placed = np.zeros(n, dtype=bool)
        placed[ctx.fixed[:, col]] = True
        need = (cap > 0) | placed
        missing = int((need & ~got).sum())
        return GoalCheck(
            self.name,
            f"all {int(need.sum())} {self.side}s matched",
            f"{int(need.sum()) - missing} matched",
            missing == 0,
        )


@dataclass(frozen=True)
class Coverage(Goal):
    """Each mentee group meets mentors from at least ``k`` distinct mentor groups.

    Parameters
    ----------
    groups : str or (array, array)
        Attribute (e.g. ``"department"``) or, at the array level, group codes per side.
    k : int
        Distinct mentor groups each mentee group must meet; a group whose mentees can take
        fewer than ``k`` partners in all must meet as many groups as it has partners.
    exclude_own : bool, default True
        Mentors of the mentee group's own group do not count.

    Examples
    --------
    >>> Coverage("department", k=3).name
    'coverage_department'
    """

    groups: Any = "department"
    k: int = 1
    exclude_own: bool = True
    kind: ClassVar[str] = "coverage"

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.groups}" if isinstance(self.groups, str) else self.kind

    def validate(self) -> None:
        _count(self.k, "Coverage.k")

    def _targets(self, ctx):
        c_m, c_e, _ = ctx.groups(self.groups, self.name)
        present = np.unique(c_e[(c_e >= 0) & (ctx.e_cap > 0)])
        return c_m, c_e, present

    def compile(self, ctx, index):
        c_m, c_e, present = self._targets(ctx)
        gm, ge = c_m[ctx.mi], c_e[ctx.ei]
        fm, fe = c_m[ctx.fixed[:, 0]], c_e[ctx.fixed[:, 1]]
        rows = []
        for g in present.tolist():
            y_idx, const = [], 0
            mentor_groups = np.unique(gm[(ge == g) & (gm >= 0)])
            for h in mentor_groups.tolist():
                if self.exclude_own and h == g:
                    continue
                y = ctx.indicator(
                    np.flatnonzero((ge == g) & (gm == h)), bool(((fe == g) & (fm == h)).any())
                )
                if y is None:
                    const += 1
                else:
                    y_idx.append(y)
            fixed_only = set(fm[(fe == g) & (fm >= 0)].tolist()) - set(mentor_groups.tolist())
            const += len(fixed_only - ({g} if self.exclude_own else set()))
            rows.append(
                _row(
                    index,
                    [],
                    [],
                    self._need(ctx, c_e, g) - const,
                    y_idx=y_idx,
                    y_val=[1] * len(y_idx),
                    label=f"mentee group {g}",
                )
            )
        return rows

    def explain(self, ctx):
        c_m, c_e, present = self._targets(ctx)
        _, _, labels = ctx.groups(self.groups, self.name)
        gm, ge = c_m[ctx.mi], c_e[ctx.ei]
        fm, fe = c_m[ctx.fixed[:, 0]], c_e[ctx.fixed[:, 1]]
        for g in present.tolist():
            hs = set(gm[(ge == g) & (gm >= 0)].tolist()) | set(fm[(fe == g) & (fm >= 0)].tolist())
            if self.exclude_own:
                hs.discard(g)
            label = repr(labels[g]) if self.groups == "department" else f"#{g}"
            need = self._need(ctx, c_e, g)
            if len(hs) < need:
                return (
                    f"{self.name}: mentee group {label} has feasible pairs with only "
                    f"{len(hs)} mentor group(s); it needs {need}"
                )
        return None

    def _need(self, ctx, c_e, g) -> int:
        """``k``, or fewer for a group that cannot take ``k`` partners in all."""
        fe = c_e[ctx.fixed[:, 1]]
        room = int(np.minimum(ctx.e_cap[c_e == g], ctx.n_m).sum()) + int((fe == g).sum())
        return min(self.k, room)

    def check(self, ctx, mi, ei):
        c_m, c_e, present = self._targets(ctx)
        a, b = c_m[mi], c_e[ei]
        worst, ok = None, True
        for g in present.tolist():
            hs = set(a[(b == g) & (a >= 0)].tolist())
            if self.exclude_own:
                hs.discard(g)
            ok &= len(hs) >= self._need(ctx, c_e, g)
            worst = len(hs) if worst is None else min(worst, len(hs))
        return GoalCheck(
            self.name,
            f"each of {len(present)} mentee groups meets ≥ {self.k} mentor groups "
            "(or as many as it can take)",
            f"fewest {0 if worst is None else worst}",
            bool(ok),
        )


@dataclass(frozen=True)
class Spread(Goal):
    """No two groups share more than ``at_most`` pairs (or ``at_most_share`` of all pairs).

    Parameters
    ----------
    groups : str or (array, array)
    at_most : int, optional
        Most pairs between any two groups.
    at_most_share : float in [0, 1], optional
        Most pairs between any two groups, as a share of all pairs.
    symmetric : bool, default True
        Count mentor-group A → mentee-group B and B → A together (the two groups *share* the
        pairs); ``False`` bounds each direction separately. Pairs within one group count too.

    Examples
    --------
    >>> Spread("department", at_most=4).name
    'spread_department'
    """

    groups: Any = "department"
    at_most: int | None = None
    at_most_share: float | None = None
    symmetric: bool = True
    kind: ClassVar[str] = "spread"

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.groups}" if isinstance(self.groups, str) else self.kind

    def validate(self) -> None:
        if (self.at_most is None) == (self.at_most_share is None):
            raise ValidationError(
                "Spread needs exactly one of `at_most` and `at_most_share`.", argument="at_most"
            )
        if self.at_most is not None:
            _count(self.at_most, "Spread.at_most")
        else:
            _ratio(self.at_most_share, "Spread.at_most_share")

    def _cells(self, c_m, c_e, mi, ei):
        a, b = c_m[mi], c_e[ei]
        known = (a >= 0) & (b >= 0)
        if self.symmetric:
            a, b = np.minimum(a, b), np.maximum(a, b)
        top = int(max(c_m.max(initial=0), c_e.max(initial=0))) + 1
        return np.where(known, a * top + b, -1)

    def compile(self, ctx, index):
        c_m, c_e, _ = ctx.groups(self.groups, self.name)
        cell = self._cells(c_m, c_e, ctx.mi, ctx.ei)
        fcell = self._cells(c_m, c_e, ctx.fixed[:, 0], ctx.fixed[:, 1])
        most = _most_pairs(ctx)
        rows = []
        for c in np.unique(cell[cell >= 0]).tolist():
            inside = cell == c
            f_in = int((fcell == c).sum())
            if self.at_most is not None:
                if int(inside.sum()) + f_in <= self.at_most:
                    continue  # cannot be broken
                rows.append(
                    _row(
                        index,
                        np.flatnonzero(inside),
                        np.ones(int(inside.sum())),
                        hi=self.at_most - f_in,
                    )
                )
            else:
                p = _share_within(_ratio(self.at_most_share, "share"), most, up=False)
                const = p.denominator * f_in - p.numerator * len(fcell)
                rows.append(
                    _row(
                        index,
                        np.flatnonzero(inside),
                        np.full(int(inside.sum()), p.denominator),
                        hi=-const,
                        total=-p.numerator,
                    )
                )
        return rows

    def check(self, ctx, mi, ei):
        c_m, c_e, _ = ctx.groups(self.groups, self.name)
        cell = self._cells(c_m, c_e, mi, ei)
        top = int(np.bincount(cell[cell >= 0]).max(initial=0)) if len(cell) else 0
        if self.at_most is not None:
            return GoalCheck(
                self.name,
                f"≤ {self.at_most} pairs per group pair",
                f"most {top}",
                top <= self.at_most,
            )
        share = top / len(mi) if len(mi) else 0.0
        ok = _share_met(top, len(mi), _ratio(self.at_most_share, "share"), at_least=False)
        return GoalCheck(
            self.name,
            f"≤ {_pct(self.at_most_share)} of pairs per group pair",
            f"most {_pct(share)}",
            ok,
        )


@dataclass(frozen=True)
class Representation(Goal):
    """Each group's share of the *chosen* participants of ``side`` (those with a partner) is at
    least its share of the applicants (those with capacity), or a given floor — rounded down:
    with ``K`` chosen, a group with share ``p`` gets at least ``⌊p·K⌋``.

    Parameters
    ----------
    groups : str or (array, array)
    side : {"mentor", "mentee"}, default "mentor"
    floor : float or mapping of group to float, optional
        A floor for every group, or per group (groups not listed keep the applicants' share).

    Examples
    --------
    >>> Representation("gender").name
    'representation_gender'
    """

    groups: Any = "gender"
    side: str = "mentor"
    floor: Any = None
    kind: ClassVar[str] = "representation"

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.groups}" if isinstance(self.groups, str) else self.kind

    def validate(self) -> None:
        if self.side not in ("mentor", "mentee"):
            raise ValidationError(
                "Representation.side must be 'mentor' or 'mentee'.", argument="side"
            )
        if isinstance(self.floor, Mapping):
            for v in self.floor.values():
                _ratio(v, "Representation.floor")
        elif self.floor is not None:
            _ratio(self.floor, "Representation.floor")

    def _targets(self, ctx):
        c_m, c_e, labels = ctx.groups(self.groups, self.name)
        col = 0 if self.side == "mentor" else 1
        codes, cap = (c_m, ctx.m_cap) if col == 0 else (c_e, ctx.e_cap)
        placed = np.zeros(len(codes), dtype=bool)
        placed[ctx.fixed[:, col]] = True
        applicants = (cap > 0) | placed
        out = {}
        n_app = int(applicants.sum())
        for g in np.unique(codes[applicants & (codes >= 0)]).tolist():
            share = Fraction(int((applicants & (codes == g)).sum()), max(n_app, 1))
            if isinstance(self.floor, Mapping):
                label = labels[g] if g < len(labels) else g
                if label in self.floor:
                    share = _ratio(self.floor[label], "floor")
            elif self.floor is not None:
                share = _ratio(self.floor, "floor")
            # exact for every count of chosen participants up to the side's size
            out[g] = _share_within(share, len(codes), up=False)
        return col, codes, placed, out

    def compile(self, ctx, index):
        col, codes, placed, floors = self._targets(ctx)
        side = ctx.mi if col == 0 else ctx.ei
        cap = ctx.m_cap if col == 0 else ctx.e_cap
        # "chosen" as a linear term: 1 with a fixed partner; with capacity 1, the
        # participant's own edges; otherwise an indicator over them
        order, bounds = by_participant(side, len(codes))
        x_edges = order[(~placed[side] & (cap[side] <= 1))[order]]
        y_people = np.flatnonzero((np.diff(bounds) > 0) & ~placed & (cap > 1))
        y_idx = np.array(
            [ctx.indicator(order[bounds[i] : bounds[i + 1]], False) for i in y_people.tolist()],
            dtype=np.int64,
        )
        c_people = np.flatnonzero(placed)
        rows = []
        for g, p in floors.items():
            den, num = p.denominator, p.numerator
            xv = den * (codes[side[x_edges]] == g) - num
            yv = den * (codes[y_people] == g) - num
            const = int((den * (codes[c_people] == g) - num).sum())
            kx, ky = xv != 0, yv != 0
            rows.append(
                _row(index, x_edges[kx], xv[kx], -den + 1 - const, y_idx=y_idx[ky], y_val=yv[ky])
            )
        return rows

    def check(self, ctx, mi, ei):
        col, codes, _, floors = self._targets(ctx)
        chosen = np.unique(mi if col == 0 else ei)
        k = len(chosen)
        worst, ok = None, True
        for g, p in floors.items():
            have = int((codes[chosen] == g).sum())
            need = p.numerator * k // p.denominator
            ok &= have >= need
            short = have - need
            worst = short if worst is None else min(worst, short)
        return GoalCheck(
            self.name,
            f"each of {len(floors)} groups ≥ its floor share of the {k} chosen {self.side}s",
            f"smallest margin {0 if worst is None else worst}",
            bool(ok),
        )


@dataclass(frozen=True)
class MinPairScore(Goal):
    """Fairness: maximise ``total score + weight × (lowest pair score)``.

    ``weight=None`` puts the lowest pair score first (max-min), then the total. Solved exactly
    by a search over score thresholds (each threshold a goal-constrained solve), with a proven
    bound on every threshold interval not searched. The lowest score counts the required
    pairs. The result's ``objective`` is ``total + weight × lowest`` with a weight and the
    total with ``None`` (its ``bound`` on the total among answers with the highest lowest
    score, ``inf`` while that is not proven); the goal report gives the lowest pair score.

    Examples
    --------
    >>> MinPairScore(weight=10.0).name
    'min_pair_score'
    """

    weight: float | None = None
    kind: ClassVar[str] = "min_pair_score"

    def validate(self) -> None:
        w = self.weight
        if w is not None and (
            not isinstance(w, numbers.Real) or isinstance(w, bool) or not np.isfinite(w) or w < 0
        ):
            raise ValidationError(
                "MinPairScore.weight must be a finite number ≥ 0 or None.", argument="weight"
            )

    def compile(self, ctx, index):
        return []

    def check(self, ctx, mi, ei, scores=None):
        """The lowest of ``scores`` (the chosen pairs' scores, fixed ones included): an
        objective term, always met."""
        required = (
            "lowest pair score first (max-min), then the total"
            if self.weight is None
            else f"objective: total + {self.weight:g} × lowest pair score"
        )
        scores = np.asarray([] if scores is None else scores, dtype=float)
        achieved = f"lowest pair score {scores.min():.6g}" if len(scores) else "no pairs"
        return GoalCheck(self.name, required, achieved, True)


def compile_goals(goals, ctx: GoalContext, scores: np.ndarray, policy: str):
    """The :class:`~rm_match.solvers.goal_model.GoalModel` of ``goals`` over the context's edges
    (``scores`` per edge), and the fairness weight (``False`` when no :class:`MinPairScore`)."""
    from .solvers.goal_model import GoalModel, lexicographic_bonus, max_pairs

    goals = tuple(goals)
    for g in goals:
        if not isinstance(g, Goal):
            raise ValidationError(
                f"`goals` must hold Goal objects; got {type(g).__name__}.", argument="goals"
            )
    fair = [g for g in goals if isinstance(g, MinPairScore)]
    if len(fair) > 1:
        raise ValidationError("give at most one MinPairScore goal.", argument="goals")
    rows: list[Row] = []
    for i, g in enumerate(goals):
        rows += g.compile(ctx, i)
    k_max = max_pairs(ctx.m_cap, ctx.e_cap)
    model = GoalModel(
        ctx.n_m,
        ctx.n_e,
        ctx.mi,
        ctx.ei,
        np.asarray(scores, dtype=float),
        ctx.m_cap,
        ctx.e_cap,
        policy,
        tuple(rows),
        tuple(ctx.indicators),
        tuple(g.name for g in goals),
        lexicographic_bonus(np.asarray(scores, dtype=float), k_max, policy),
    )
    return model, (fair[0].weight if fair else False)


def check_goals(
    goals, ctx: GoalContext, mi: np.ndarray, ei: np.ndarray, *, scores: np.ndarray | None = None
) -> list[GoalCheck]:
    """Every goal checked on the chosen pairs (the fixed pairs must be included). With
    ``scores`` (the pairs' scores), :class:`MinPairScore` reports the lowest; without, it is
    left out (an objective term, not a condition)."""
    return [
        g.check(ctx, mi, ei, scores) if isinstance(g, MinPairScore) else g.check(ctx, mi, ei)
        for g in goals
        if scores is not None or not isinstance(g, MinPairScore)
    ]
