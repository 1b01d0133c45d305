"""Hard rules: which mentor→mentee pairs a programme allows.

A rule is a small frozen object. Compiled, it is a boolean mask: a forbidden pair is ``False``
and is never chosen, whatever its score (rules are never turned into penalties). Every rule
evaluates in two modes over index arrays ``mi`` (mentors) and ``ei`` (mentees):

- *outer* (``outer=True``): a ``(len(mi), len(ei))`` block of the mask, used to compile the
  problem blockwise;
- *paired* (``outer=False``): one flag per pair ``(mi[k], ei[k])``, used by
  :func:`rm_match.verify` and to explain unmatched participants.

Rules compose by listing them in a :class:`~rm_match.Programme`; a pair is allowed when every
rule allows it.

Examples
--------
>>> from rm_match import rules
>>> r = (rules.CrossDepartment(), rules.SeniorityDirection(min_gap=2))
>>> [x.name for x in r]
['cross_department', 'seniority_direction']
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from ._checks import is_collection
from .cohort import Cohort
from .errors import ValidationError
from .people import MISSING_GRADE
from .preferences import pick

__all__ = [
    "CommonLanguage",
    "CrossDepartment",
    "ExcludePrevious",
    "ForbiddenPairs",
    "MaxTimezoneDiff",
    "MutuallyAcceptable",
    "NoReportingLine",
    "RequiredPairs",
    "Rule",
    "SameGroup",
    "SeniorityDirection",
    "Vetoes",
]


def _sides(a_m: np.ndarray, a_e: np.ndarray, outer: bool) -> tuple[np.ndarray, np.ndarray]:
    """Mentor and mentee values shaped to broadcast to the block (outer) or pair-wise."""
    return (a_m[:, None], a_e[None, :]) if outer else (a_m, a_e)


def _dot(a_m: np.ndarray, a_e: np.ndarray, outer: bool) -> np.ndarray:
    """Row inner products: all pairs (outer) or pair-wise."""
    return a_m @ a_e.T if outer else np.einsum("ij,ij->i", a_m, a_e)


def circular_hours(tz_m: np.ndarray, tz_e: np.ndarray) -> np.ndarray:
    """Clock difference in hours between UTC offsets, taking the shorter way round (≤ 12;
    NaN where either is missing)."""
    d = np.asarray(np.abs(tz_m - tz_e), dtype=np.float64)
    if d.size and np.nanmax(d, initial=0.0) >= 48.0:  # offsets beyond a day either way
        np.fmod(d, 24.0, out=d)
    else:  # below 48 h one subtraction reduces mod 24: an order of magnitude faster
        np.subtract(d, 24.0, out=d, where=d >= 24.0)
    np.minimum(d, 24.0 - d, out=d)
    return d


class Rule:
    """Base class of hard rules.

    Subclasses set :attr:`name` and :attr:`fields` and implement :meth:`allowed`.
    """

    #: Name used in reports, explanations and error messages.
    name: ClassVar[str] = "rule"
    #: Columns the rule needs on both sides.
    fields: ClassVar[tuple[str, ...]] = ()
    #: ``True`` when the verdict for a pair depends on nothing but the two people's
    #: :attr:`fields` (so it can be tabulated per distinct mentor value on large cohorts).
    #: Rules that look at identities (reporting lines, pair lists) leave it ``False`` and are
    #: checked pair by pair on the candidates.
    keyed: ClassVar[bool] = False

    def check(self, cohort: Cohort) -> None:
        """Raise a :class:`ValidationError` if the cohort lacks what the rule needs."""
        for f in self.fields:
            cohort.require(f, f"rule {self.name}", "or leave the rule out")

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        """Boolean flags: the block of pairs (outer) or each pair ``(mi[k], ei[k])``."""
        raise NotImplementedError


@dataclass(frozen=True)
class CrossDepartment(Rule):
    """Mentor and mentee must work in different departments.

    A missing department is no department: a person without one is not in the same
    department as anybody (two people with none may pair).

    Examples
    --------
    >>> CrossDepartment().name
    'cross_department'
    """

    name: ClassVar[str] = "cross_department"
    fields: ClassVar[tuple[str, ...]] = ("department",)
    keyed: ClassVar[bool] = True

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        d_m, d_e = cohort.departments
        a, b = _sides(d_m[mi], d_e[ei], outer)
        return (a != b) | (a < 0)  # code -1: missing, the same as nobody


@dataclass(frozen=True)
class NoReportingLine(Rule):
    """No pair within a reporting line: neither may manage the other, up to ``depth`` levels.

    ``depth=1`` forbids a junior mentoring their own manager (and a manager mentoring their
    own report); ``depth=2`` (default) adds the skip-level manager; and so on. Reporting lines
    are followed through the org chart, including managers outside the programme. A person
    whose manager is missing has no line above them: only the lines the data states are
    forbidden.

    Parameters
    ----------
    depth : int, default 2
        How many management levels up to forbid (≥ 1).

    Examples
    --------
    >>> NoReportingLine(depth=1).depth
    1
    """

    depth: int = 2
    name: ClassVar[str] = "no_reporting_line"

    def __post_init__(self) -> None:
        d = self.depth
        if not isinstance(d, numbers.Integral) or isinstance(d, bool) or d < 1:
            raise ValidationError(
                "`depth` of no_reporting_line must be an integer ≥ 1.", argument="depth"
            )

    def check(self, cohort: Cohort) -> None:
        if cohort.mentors.manager is None and cohort.mentees.manager is None:
            raise ValidationError(
                "rule no_reporting_line needs `manager` on at least one side; neither table "
                "has it.",
                argument="manager",
            )

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        depth = max(1, min(self.depth, cohort.org_height))  # no line is longer
        mentor_up, mentee_up = cohort.ancestors(depth)
        mi = np.asarray(mi)
        ei = np.asarray(ei)
        ok = None
        for k in range(depth):
            # neither is the other's manager k+1 levels up
            a, b = _sides(mentor_up[mi, k], ei, outer)
            c, d = _sides(mi, mentee_up[ei, k], outer)
            level = (a != b) & (c != d)
            ok = level if ok is None else ok & level
        assert ok is not None  # depth ≥ 1: at least one level
        return ok


@dataclass(frozen=True)
class SeniorityDirection(Rule):
    """The mentee's grade must be at least ``min_gap`` above the mentor's.

    A pair where either grade is missing is not allowed: the gap the rule asks for cannot be
    shown (such people are reported unmatched under this rule).

    Parameters
    ----------
    min_gap : int, default 1
        Minimum of ``grade[mentee] - grade[mentor]``. Zero allows peers; negative values
        allow the mentor to be up to ``-min_gap`` grades above.

    Examples
    --------
    >>> SeniorityDirection(min_gap=3).min_gap
    3
    """

    min_gap: int = 1
    name: ClassVar[str] = "seniority_direction"
    fields: ClassVar[tuple[str, ...]] = ("grade",)
    keyed: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not isinstance(self.min_gap, numbers.Integral) or isinstance(self.min_gap, bool):
            raise ValidationError(
                "`min_gap` of seniority_direction must be an integer.", argument="min_gap"
            )

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        g_m, g_e = cohort.mentors.grade, cohort.mentees.grade
        assert g_m is not None and g_e is not None  # required by `check`
        a, b = _sides(g_m[mi], g_e[ei], outer)
        known = (a != MISSING_GRADE) & (b != MISSING_GRADE)
        # grades lie within ±2^62, so the difference of two known ones cannot overflow
        gap = np.where(known, b, 0) - np.where(known, a, 0)
        return known & (gap >= self.min_gap)


@dataclass(frozen=True)
class MaxTimezoneDiff(Rule):
    """The clock difference between mentor and mentee is at most ``hours``.

    Offsets are compared the short way round the clock (UTC-11 and UTC+13 are 0 h apart).
    A pair where either time zone is missing is not allowed (the difference is not known).

    Examples
    --------
    >>> MaxTimezoneDiff(hours=3).hours
    3
    """

    hours: float = 4.0
    name: ClassVar[str] = "max_timezone_diff"
    fields: ClassVar[tuple[str, ...]] = ("timezone",)
    keyed: ClassVar[bool] = True

    def __post_init__(self) -> None:
        h = self.hours
        if not isinstance(h, numbers.Real) or isinstance(h, bool) or not 0 <= h <= 12:
            raise ValidationError(
                "`hours` of max_timezone_diff must be a number in [0, 12].", argument="hours"
            )

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        tz_m, tz_e = cohort.mentors.timezone, cohort.mentees.timezone
        assert tz_m is not None and tz_e is not None  # required by `check`
        a, b = _sides(tz_m[mi], tz_e[ei], outer)
        return circular_hours(a, b) <= self.hours


@dataclass(frozen=True)
class CommonLanguage(Rule):
    """Mentor and mentee must share at least one language.

    A person with no language stated shares none, so has no allowed pair under this rule.

    Examples
    --------
    >>> CommonLanguage().name
    'common_language'
    """

    name: ClassVar[str] = "common_language"
    fields: ClassVar[tuple[str, ...]] = ("languages",)
    keyed: ClassVar[bool] = True

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        l_m, l_e = cohort.languages
        return _dot(l_m[mi], l_e[ei], outer) > 0


@dataclass(frozen=True)
class SameGroup(Rule):
    """Mentor and mentee must share the value of a categorical attribute, e.g. the office or
    region of a programme that meets in person. A pair where either value is unknown is not
    allowed.

    Such a rule splits the cohort into independent parts, which :func:`rm_match.match` solves
    separately (on the ``executor`` when one is given).

    Parameters
    ----------
    attribute : str
        An attribute present in both tables (or ``"department"``).

    Examples
    --------
    >>> SameGroup("region").name
    'same_region'
    """

    attribute: str
    keyed: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not isinstance(self.attribute, str) or not self.attribute:
            raise ValidationError(
                "rule same_group: `attribute` must be an attribute name.", argument="attribute"
            )

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"same_{self.attribute}"

    @property
    def fields(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.attribute,)

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        c_m, c_e = cohort.attribute_codes(self.attribute)
        a, b = _sides(c_m[mi], c_e[ei], outer)
        return (a == b) & (a >= 0)


@dataclass(frozen=True)
class _PairList(Rule):
    """A rule given as a list of (mentor id, mentee id) pairs."""

    pairs: tuple[tuple[Hashable, Hashable], ...] = field(default=())

    def __init__(self, pairs: Iterable[tuple[Hashable, Hashable]] = ()) -> None:
        if not is_collection(pairs):
            raise ValidationError(
                f"rule {self.name}: each pair must be (mentor id, mentee id); `pairs` must be "
                "an iterable of such pairs.",
                argument="pairs",
            )
        items = []
        for k, p in enumerate(pairs):
            if not isinstance(p, (tuple, list)) or len(p) != 2:
                raise ValidationError(
                    f"rule {self.name}: each pair must be (mentor id, mentee id); "
                    f"entry {k} is not.",
                    argument="pairs",
                )
            items.append((p[0], p[1]))
        object.__setattr__(self, "pairs", tuple(items))

    def check(self, cohort: Cohort) -> None:
        for m, e in self.pairs:
            for pid, side, role in ((m, cohort.mentors, "mentor"), (e, cohort.mentees, "mentee")):
                if pid not in side:
                    raise ValidationError(
                        f"rule {self.name}: {role} id {pid!r} is not among the {role}s.",
                        argument="pairs",
                        participant=pid,
                    )

    def index_pairs(self, cohort: Cohort) -> np.ndarray:
        """The pairs as a (k, 2) array of (mentor index, mentee index), once per cohort."""

        def compute() -> tuple[_PairList, np.ndarray]:
            out = np.empty((len(self.pairs), 2), dtype=np.int64)
            for k, (m, e) in enumerate(self.pairs):
                out[k] = cohort.mentors.index(m), cohort.mentees.index(e)
            return self, out  # holding the rule keeps its id from being reused

        # keyed by identity: a long pair list is costly to hash for every block
        return cohort.memo(("pairs", id(self)), compute)[1]

    def _listed(self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, outer: bool) -> np.ndarray:
        """Flags: is the pair in the list (block or pair-wise)."""
        idx = self.index_pairs(cohort)
        n_e = cohort.shape[1]
        keys = idx[:, 0] * n_e + idx[:, 1]
        mi = np.asarray(mi)
        ei = np.asarray(ei)
        if not outer:
            return np.isin(mi * n_e + ei, keys)
        if len(np.unique(mi)) < len(mi) or len(np.unique(ei)) < len(ei):
            # repeated indices: evaluate pair-wise (the scatter below needs distinct ones)
            gi, gj = np.meshgrid(mi, ei, indexing="ij")
            return np.isin(gi * n_e + gj, keys)
        hit = np.zeros((len(mi), len(ei)), dtype=bool)
        pos_m = np.full(cohort.shape[0], -1, dtype=np.int64)
        pos_m[mi] = np.arange(len(mi))
        pos_e = np.full(n_e, -1, dtype=np.int64)
        pos_e[ei] = np.arange(len(ei))
        r, c = pos_m[idx[:, 0]], pos_e[idx[:, 1]]
        keep = (r >= 0) & (c >= 0)
        hit[r[keep], c[keep]] = True
        return hit


class ForbiddenPairs(_PairList):
    """These (mentor id, mentee id) pairs are never allowed.

    Examples
    --------
    >>> ForbiddenPairs([("m1", "e1")]).pairs
    (('m1', 'e1'),)
    """

    name: ClassVar[str] = "forbidden_pairs"

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        return ~self._listed(cohort, mi, ei, outer)


class ExcludePrevious(_PairList):
    """Pairs of a previous round are not repeated.

    Examples
    --------
    >>> ExcludePrevious([("m1", "e1")]).name
    'exclude_previous'
    """

    name: ClassVar[str] = "exclude_previous"

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        return ~self._listed(cohort, mi, ei, outer)


class RequiredPairs(_PairList):
    """These (mentor id, mentee id) pairs must be in the programme.

    Required pairs are placed first (they use capacity on both sides) and must satisfy every
    other rule; a required pair that breaks one, or more required pairs than a participant's
    capacity, makes the programme infeasible (:class:`~rm_match.InfeasibleError`). The rule
    forbids no pair by itself.

    Examples
    --------
    >>> RequiredPairs([("m1", "e1")]).name
    'required_pairs'
    """

    name: ClassVar[str] = "required_pairs"

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        shape = (len(mi), len(ei)) if outer else (len(mi),)
        return np.ones(shape, dtype=bool)


@dataclass(frozen=True)
class Vetoes(Rule):
    """No pair that either side vetoed in the participants' preferences
    (:mod:`rm_match.preferences`; given as ``preferences=``).

    Examples
    --------
    >>> from rm_match import People, Preferences, Problem, Programme
    >>> m = People(["j1", "j2"], skills=["ai"], offers=[[1], [1]], wants=[[0], [0]])
    >>> e = People(["s1"], skills=["ai"], offers=[[0]], wants=[[1]])
    >>> prefs = Preferences.from_rankings({}, vetoes={"s1": ["j2"]})
    >>> p = Problem(m, e, Programme(rules=[Vetoes()]), preferences=prefs)
    >>> p.compile().feasible.tolist()
    [[True], [False]]
    """

    name: ClassVar[str] = "vetoes"
    fields: ClassVar[tuple[str, ...]] = ("preferences",)

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        assert cohort.preferences is not None  # checked by `check`
        return ~pick(cohort.preferences.vetoed, mi, ei, outer).astype(bool)


@dataclass(frozen=True)
class MutuallyAcceptable(Rule):
    """Only pairs in which each side ranked or rated the other (and neither vetoed): the
    participants' lists (:mod:`rm_match.preferences`) are the acceptable partners.

    Examples
    --------
    >>> from rm_match import People, Preferences, Problem, Programme
    >>> m = People(["j1", "j2"], skills=["ai"], offers=[[1], [1]], wants=[[0], [0]])
    >>> e = People(["s1"], skills=["ai"], offers=[[0]], wants=[[1]])
    >>> prefs = Preferences.from_rankings({"s1": ["j1", "j2"], "j2": ["s1"]})
    >>> Problem(m, e, Programme(rules=[MutuallyAcceptable()]), preferences=prefs
    ...         ).compile().feasible.tolist()
    [[False], [True]]
    """

    name: ClassVar[str] = "mutually_acceptable"
    fields: ClassVar[tuple[str, ...]] = ("preferences",)

    def allowed(
        self, cohort: Cohort, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> np.ndarray:
        assert cohort.preferences is not None  # checked by `check`
        return pick(cohort.preferences.mutual, mi, ei, outer).astype(bool)
