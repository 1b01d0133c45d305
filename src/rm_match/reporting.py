"""The programme report: what a matching (or a rotation, or a rematch) achieved, in aggregate.

:func:`report` turns any result into a :class:`ProgrammeReport` — plain data, with sections:

``summary``
    pairs, match rate per side, mean score, status and gap (per-round pair counts for a
    rotation, kept/broken pairs for a rematch).
``by_group``
    per side, per attribute (department, generation, gender, grade band by default), per
    group: people, share matched, mean pair score.
``skills``
    per skill and direction: the participants who want it, how many of them a partner
    teaches it to, how many go without (:func:`skill_coverage`).
``flows``
    department × department pair counts (:func:`department_flows`).
``rules``
    per hard rule, the share of all mentor × mentee pairs it allows.
``goals``
    per cohort goal, what it requires and what was achieved — as numbers and as text.
``unmatched``
    the participants without a partner, counted by reason kind, per side.
``stability``
    for a stable matching: blocking pairs and the price of stability.

It renders as text (``rm-match report``), as HTML in a notebook, and as one self-contained
HTML page a sponsor can open (inline CSS, plots as inline SVG, no JavaScript, no external
links): :meth:`ProgrammeReport.save`.

Privacy
-------
Every count, share or mean over a group of fewer than :data:`~rm_match.results.MIN_GROUP`
(5) people or pairs is suppressed (``None``, shown as ``"—"``), and a group's *label* is
shown only for a group of at least 5 people on that side: smaller groups (and the people
without a value, when fewer than 5) are pooled into one row, ``"(groups under 5)"``. What
the shown figures give away by subtraction is suppressed too: while the pool would hold 1
to 4 people (its size follows from the side's total less the named groups'), the smallest
named group joins it; and a suppressed cell of the department flows never stands alone in
its row or column (the smallest other cell of that line is suppressed with it). No
participant's attribute value is ever shown; participant ids appear only
in the list of the unmatched (id and reason kind), and only on request (``include_ids``).
The skill counts (how many want a skill, how many are taught it) are about the skill
profiles the programme asks for, not protected attributes, and are never suppressed.

Examples
--------
>>> from rm_match import match, synthetic
>>> from rm_match.reporting import report
>>> mentors, mentees = synthetic.cohort(30, 30, rng=0)
>>> rep = report(match(mentors, mentees), mentors, mentees)
>>> rep.summary["pairs"], rep.summary["mentees_matched"]
(30, 30)
>>> "<script" in rep.to_html(plots=False)
False
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _html
from .errors import ValidationError
from .people import MISSING_GRADE, People
from .results import MIN_GROUP, Matching, PairExplanation, _json_safe, _reason_kind

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .preferences import Preferences
    from .problem import Problem
    from .programme import Programme

__all__ = [
    "NOT_STATED",
    "SMALL_GROUPS",
    "FlowTable",
    "GoalRow",
    "GroupRow",
    "ProgrammeReport",
    "SkillRow",
    "department_flows",
    "report",
    "skill_coverage",
]

#: The label of the row that pools every group of fewer than 5 people on a side.
SMALL_GROUPS = "(groups under 5)"

#: The label of the participants without a value for the attribute.
NOT_STATED = "(not stated)"


@dataclass(frozen=True)
class FlowTable:
    """Pairs between departments: mentor department × mentee department.

    Attributes
    ----------
    mentor_groups, mentee_groups : tuple of str
        The row and column labels: each department with at least 5 participants on that
        side (sorted), then :data:`SMALL_GROUPS` (smaller departments pooled) and
        :data:`NOT_STATED` (no department) where there are such participants.
    counts : ndarray of int, shape (len(mentor_groups), len(mentee_groups))
        Pairs from each mentor group to each mentee group (every pair of every round for a
        rotation).
    suppressed : ndarray of bool, same shape
        ``True`` where ``0 < count < 5``: a cell that must not be shown.

    Examples
    --------
    >>> t = FlowTable(("A",), ("B",), np.array([[3]]), np.array([[True]]))
    >>> t.shown().tolist()
    [[None]]
    """

    mentor_groups: tuple[str, ...]
    mentee_groups: tuple[str, ...]
    counts: np.ndarray
    suppressed: np.ndarray

    def shown(self) -> np.ndarray:
        """The counts as an object array with ``None`` in the suppressed cells."""
        out = self.counts.astype(object)
        out[self.suppressed] = None
        return out

    @property
    def total(self) -> int:
        """All pairs counted."""
        return int(self.counts.sum())


@dataclass(frozen=True)
class SkillRow:
    """How one skill's demand on one side is met by the partners.

    Attributes
    ----------
    skill : str
    direction : str
        ``"mentor teaches"`` (mentees want it, their mentor offers it) or
        ``"mentee teaches"`` (mentors want it, their mentee offers it: reverse learning).
    wanted : int
        Participants of the learning side (all of them, matched or not) whose ``wants`` for
        the skill is at least the threshold.
    covered : int
        Of those, the ones with at least one partner whose ``offers`` for the skill is at
        least the threshold.
    unmet : int
        ``wanted - covered`` (the unmatched who want it included).
    """

    skill: str
    direction: str
    wanted: int
    covered: int
    unmet: int

    @property
    def share(self) -> float | None:
        """``covered / wanted``; ``None`` when nobody wants the skill."""
        return self.covered / self.wanted if self.wanted else None


# -- the pairs of any result ---------------------------------------------------------------------


def _parts(result: object) -> tuple[Matching | None, tuple[tuple[PairExplanation, ...], ...]]:
    """The matching (``None`` for a rotation) and the pairs, one tuple per round (one round
    for a matching or a rematch)."""
    from .rounds import Rematch, Rotation

    if isinstance(result, Rematch):
        return result.matching, (result.matching.pairs,)
    if isinstance(result, Matching):
        return result, (result.pairs,)
    if isinstance(result, Rotation):
        return None, tuple(r.pairs for r in result.rounds)
    raise ValidationError(
        f"`result` must be a Matching, a Rotation or a Rematch; got {type(result).__name__}.",
        argument="result",
    )


def _check_people(mentors: object, mentees: object) -> None:
    for name, table in (("mentors", mentors), ("mentees", mentees)):
        if not isinstance(table, People):
            raise ValidationError(
                f"`{name}` must be a People table; got {type(table).__name__}.", argument=name
            )


def _rows(result: object, mentors: People, mentees: People) -> tuple[np.ndarray, np.ndarray]:
    """Mentor rows and mentee rows of every pair of every round."""
    _check_people(mentors, mentees)
    _, rounds = _parts(result)
    mi: list[int] = []
    ei: list[int] = []
    for pairs in rounds:
        for p in pairs:
            for table, pid, side, out in (
                (mentors, p.mentor, "mentor", mi),
                (mentees, p.mentee, "mentee", ei),
            ):
                if pid not in table:
                    raise ValidationError(
                        f"{side} {pid!r} of the result is not in the `{side}s` table; pass "
                        "the tables the result was made from.",
                        argument=f"{side}s",
                        participant=pid,
                    )
                out.append(table.index(pid))
    return np.asarray(mi, dtype=np.int64), np.asarray(ei, dtype=np.int64)


# -- groups --------------------------------------------------------------------------------------


def _natural(label: str) -> tuple[Any, ...]:
    """Sort key with numbers compared as numbers (``"grades 7–8"`` before ``"grades 11–12"``).

    >>> sorted(["grades 11–12", "grades 7–8", "b", "a"], key=_natural)
    ['a', 'b', 'grades 7–8', 'grades 11–12']
    """
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", label))


def _codes(values: Sequence[Hashable | None]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each person's group code and the group labels: groups of at least 5 by their label
    (sorted), then :data:`SMALL_GROUPS` and :data:`NOT_STATED` where there are such people.

    Groups under 5 (those without a value too) are pooled; and while the pool holds 1 to 4
    people, the smallest named group joins it — else the pool's size (and its figures) would
    follow from the side's total less the named groups'.

    >>> _codes(["a"] * 5 + ["b"] * 6 + [None] * 6)
    (array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]), ('a', 'b', '(not stated)'))
    >>> _codes(["a"] * 5 + ["c"] * 6 + ["b"] * 2)[1]  # "a" joins the pool of 2
    ('c', '(groups under 5)')
    """
    counts: dict[str | None, int] = {}
    labels: list[str | None] = [None if v is None else str(v) for v in values]
    for v in labels:
        counts[v] = counts.get(v, 0) + 1
    named = {k: n for k, n in counts.items() if n >= MIN_GROUP}
    pool = sum(n for k, n in counts.items() if k not in named)
    while 0 < pool < MIN_GROUP and named:
        smallest = min(named, key=lambda k: (named[k], k is not None, str(k)))
        pool += named.pop(smallest)
    big = sorted((k for k in named if k is not None), key=_natural)
    names: list[str] = list(big)
    if pool:
        names.append(SMALL_GROUPS)
    if None in named:
        names.append(NOT_STATED)
    index = {k: i for i, k in enumerate(names)}
    codes = np.array(
        [
            index[NOT_STATED]
            if v is None and None in named
            else index.get(v, -1)
            if v is not None and v in named
            else index[SMALL_GROUPS]
            for v in labels
        ],
        dtype=np.int64,
    )
    return codes, tuple(names)


def department_flows(result: object, mentors: People, mentees: People) -> FlowTable:
    """Pairs between departments, with the cells of fewer than 5 pairs marked suppressed.

    Parameters
    ----------
    result : Matching, Rotation or Rematch
        For a rotation, every pair of every round counts.
    mentors, mentees : People
        The tables the result was made from (every paired id must be in them).

    Returns
    -------
    FlowTable
        Departments of fewer than 5 participants on a side are pooled into one group,
        :data:`SMALL_GROUPS`, so their names never appear; participants without a
        department form :data:`NOT_STATED`. A table without departments is one group.

    Raises
    ------
    ValidationError
        If ``result`` is not a result, or pairs an id missing from the tables.

    Examples
    --------
    >>> from rm_match import match, synthetic
    >>> mentors, mentees = synthetic.cohort(60, 60, rng=0)
    >>> flows = department_flows(match(mentors, mentees), mentors, mentees)
    >>> flows.total, flows.counts.shape == (len(flows.mentor_groups), len(flows.mentee_groups))
    (60, True)
    >>> bool(((flows.counts[flows.suppressed] > 0) & (flows.counts[flows.suppressed] < 5)).all())
    True
    """
    mi, ei = _rows(result, mentors, mentees)
    sides: list[tuple[np.ndarray, tuple[str, ...]]] = []
    for table in (mentors, mentees):
        if table.department is None:
            sides.append((np.zeros(table.n, dtype=np.int64), (NOT_STATED,)))
        else:
            sides.append(_codes(list(table.department)))
    (cm, gm), (ce, ge) = sides
    counts = np.zeros((len(gm), len(ge)), dtype=np.int64)
    np.add.at(counts, (cm[mi], ce[ei]), 1)
    return FlowTable(gm, ge, counts, _suppress(counts))


def _suppress(counts: np.ndarray) -> np.ndarray:
    """Cells of 1 to 4 pairs, and complementary cells: a row or column (whose total other
    figures give away) never holds exactly one suppressed cell, else it would follow by
    subtraction — the smallest other cell of that line is suppressed too, until none is alone.

    >>> _suppress(np.array([[2, 9, 6], [7, 8, 5], [6, 7, 9]])).astype(int).tolist()
    [[1, 0, 1], [1, 1, 1], [1, 1, 0]]
    """
    hidden = (counts > 0) & (counts < MIN_GROUP)
    changed = True
    while changed:
        changed = False
        for lines, cells in ((hidden, counts), (hidden.T, counts.T)):
            for r in range(lines.shape[0]):
                if lines[r].sum() == 1 and lines.shape[1] > 1:
                    others = np.where(lines[r], np.iinfo(np.int64).max, cells[r])
                    lines[r, int(np.argmin(others))] = True
                    changed = True
    return hidden


def skill_coverage(
    result: object, mentors: People, mentees: People, *, threshold: float = 0.5
) -> list[SkillRow]:
    """Skills wanted against skills taught by the chosen partners, both directions.

    A participant *wants* a skill when their ``wants`` value for it is at least
    ``threshold``, and is *covered* when at least one of their partners (any round, for a
    rotation) ``offers`` it at least ``threshold``.

    Parameters
    ----------
    result : Matching, Rotation or Rematch
    mentors, mentees : People
        The tables the result was made from; the skill spaces must agree.
    threshold : float, default 0.5
        In (0, 1].

    Returns
    -------
    list of SkillRow
        Each skill with ``direction="mentor teaches"`` (mentees' wants, mentors' offers),
        then each with ``"mentee teaches"`` (mentors' wants, mentees' offers).

    Raises
    ------
    ValidationError
        On a bad ``threshold``, different skill spaces, or an id missing from the tables.

    Examples
    --------
    >>> from rm_match import People, match
    >>> mentors = People(["j1", "j2"], skills=["ai"], offers=[[0.9], [0.1]])
    >>> mentees = People(["s1", "s2"], skills=["ai"], wants=[[0.8], [0.7]])
    >>> rows = skill_coverage(match(mentors, mentees), mentors, mentees)
    >>> rows[0]
    SkillRow(skill='ai', direction='mentor teaches', wanted=2, covered=1, unmet=1)
    """
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float, np.floating))
        or not 0.0 < float(threshold) <= 1.0
    ):
        raise ValidationError(
            f"`threshold` must be a number in (0, 1]; got {threshold!r}.", argument="threshold"
        )
    mi, ei = _rows(result, mentors, mentees)
    if tuple(mentors.skills) != tuple(mentees.skills):
        raise ValidationError(
            "`mentors` and `mentees` must share one skill space (the same `skills`).",
            argument="mentees",
        )
    out: list[SkillRow] = []
    for direction, learners, teachers, li, ti in (
        ("mentor teaches", mentees, mentors, ei, mi),
        ("mentee teaches", mentors, mentees, mi, ei),
    ):
        wants = learners.wants >= threshold  # (n_learners, d)
        taught = np.zeros_like(wants)
        if len(li):
            np.logical_or.at(taught, li, teachers.offers[ti] >= threshold)
        for k, skill in enumerate(learners.skills):
            wanted = int(wants[:, k].sum())
            covered = int((wants[:, k] & taught[:, k]).sum())
            out.append(SkillRow(skill, direction, wanted, covered, wanted - covered))
    return out


# -- the programme report ------------------------------------------------------------------------

#: The attributes :func:`report` breaks figures down by when ``groups`` is not given (each
#: where either table has it).
DEFAULT_GROUPS = ("department", "generation", "gender", "grade_band")

#: How each kind of reason for being unmatched reads (see :mod:`rm_match.explain` and, for a
#: rotation, :class:`rm_match.rounds.Shortfall`).
KIND_TEXT = {
    "capacity_0": "capacity 0",
    "no_partner": "no partner passes the rules",
    "partners_closed": "feasible partners all have capacity 0",
    "partners_full": "feasible partners all at capacity with others",
    "goal": "pairing would break a goal",
    "score": "pairing would lower the objective",
    "not_proven": "answer not proven optimal",
    "few_partners": "no allowed partner at all",
    "unstated": "no reason recorded",
}

#: Most mentor × mentee pairs whose rule verdicts are counted for the ``rules`` section when
#: the result does not carry them (a rotation, a matching without its report).
_MAX_RULE_CELLS = 4_000_000


@dataclass(frozen=True)
class GroupRow:
    """One group of one attribute on one side: its size, who was matched, the pair scores.

    A figure over fewer than 5 people (``n``, ``matched``, ``matched_share``) or 5 pairs
    (``pairs``, ``mean_score``) is ``None``; a group is named (``group``) only when it holds
    at least 5 people, else it is part of :data:`SMALL_GROUPS`.

    Attributes
    ----------
    side : str
        ``"mentors"`` or ``"mentees"``.
    attribute : str
        ``"department"``, ``"grade_band"`` or an attribute's name.
    group : str
        The group's label, :data:`SMALL_GROUPS` or :data:`NOT_STATED`.
    n : int or None
        People in the group.
    matched : int or None
        Of them, those with at least one partner.
    matched_share : float or None
        ``matched / n``.
    pairs : int or None
        Pairs (sessions, for a rotation) with a member of the group.
    mean_score : float or None
        Mean score of those pairs.
    """

    side: str
    attribute: str
    group: str
    n: int | None
    matched: int | None
    matched_share: float | None
    pairs: int | None
    mean_score: float | None


@dataclass(frozen=True)
class GoalRow:
    """A cohort goal: what it requires and what was achieved, as numbers and as text (from
    :class:`rm_match.goals.GoalCheck`; ``value`` is ``None`` when suppressed or when there
    are no pairs).

    Attributes
    ----------
    goal, required, achieved : str
    met : bool
    value, at_least, at_most : float or None
        The achieved figure and the bounds it must respect.
    suppressed : bool
    """

    goal: str
    required: str
    achieved: str
    met: bool
    value: float | None
    at_least: float | None
    at_most: float | None
    suppressed: bool


@dataclass(frozen=True)
class _Section:
    """One section, ready to render: raw rows (for frames) and their display text."""

    key: str
    title: str
    header: tuple[str, ...]
    rows: list[list[Any]]
    shown: list[list[str]]
    note: str = ""


@dataclass(frozen=True)
class ProgrammeReport:
    """What a programme achieved, in aggregate: the sections of :func:`report` as plain data.

    Attributes
    ----------
    kind : str
        ``"matching"``, ``"rotation"`` or ``"rematch"``.
    summary : mapping of str to value
        ``status``, ``objective``, ``bound``, ``gap``, ``method``, ``policy``, ``mentors``,
        ``mentees`` (participants; leavers of a rematch excluded), ``pairs`` (every round's,
        for a rotation), ``mentors_matched``, ``mentees_matched`` (with at least one
        partner), ``mentor_match_rate``, ``mentee_match_rate``, ``mean_score`` (``None``
        on fewer than 5 pairs), ``mean_terms`` (per term; from the matching's report),
        ``feasible_share`` (all rules together), ``rounds`` (a rotation's ``k``).
    by_group : tuple of GroupRow
        Per side, per attribute, per group.
    skills : tuple of SkillRow
        Per skill and direction (:func:`skill_coverage`).
    flows : FlowTable or None
        Department × department pairs (:func:`department_flows`); ``None`` when neither
        table has departments.
    rules : mapping of str to float or None
        Per rule, the share of all mentor × mentee pairs it allows (``None`` when a side
        has fewer than 5 participants; empty when not counted).
    goals : tuple of GoalRow
        Per cohort goal.
    unmatched : mapping of str to mapping of str to int
        ``{"mentors": {kind: count}, "mentees": {...}}``; for a rotation, those with no
        session in any round, by :class:`~rm_match.rounds.Shortfall` kind.
    stability : mapping or None
        For a stable matching: :meth:`rm_match.Stability.as_dict`.
    rounds : tuple of mapping
        A rotation's rounds: ``round``, ``pairs``, ``mentors_sitting_out``,
        ``mentees_sitting_out``, ``objective``.
    changes : mapping or None
        A rematch's changes: ``mode``, ``kept_pairs``, ``broken_pairs``, ``ended_pairs``,
        ``keepable``, ``pairs_changed``, ``score_given_up`` and participants per status.
    unmatched_ids : tuple of (side, id, kind)
        Each unmatched participant (shown only on request: ``include_ids=True``).
    threshold : float
        The wants/offers level of the skills section.
    """

    kind: str
    summary: Mapping[str, Any]
    by_group: tuple[GroupRow, ...]
    skills: tuple[SkillRow, ...]
    flows: FlowTable | None
    rules: Mapping[str, float | None]
    goals: tuple[GoalRow, ...]
    unmatched: Mapping[str, Mapping[str, int]]
    stability: Mapping[str, Any] | None = None
    rounds: tuple[Mapping[str, Any], ...] = ()
    changes: Mapping[str, Any] | None = None
    unmatched_ids: tuple[tuple[str, Hashable, str], ...] = field(default=(), repr=False)
    threshold: float = 0.5
    #: The pair scores (no ids), for the score histogram; empty on fewer than 5 pairs.
    scores: tuple[float, ...] = field(default=(), repr=False)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"ProgrammeReport(kind={self.kind!r}, pairs={s.get('pairs')}, "
            f"mentors={s.get('mentors')}, mentees={s.get('mentees')}, "
            f"status={s.get('status')!r}, groups={len(self.by_group)}, "
            f"skills={len(self.skills)}, goals={len(self.goals)})"
        )

    # -- sections ---------------------------------------------------------------------------

    def _sections(self, include_ids: bool = False) -> list[_Section]:
        out = [_summary_section(self.kind, self.summary)]
        if self.rounds:
            header = ("round", "pairs", "mentors sitting out", "mentees sitting out", "objective")
            keys = ("round", "pairs", "mentors_sitting_out", "mentees_sitting_out", "objective")
            rows = [[r[k] for k in keys] for r in self.rounds]
            out.append(_Section("rounds", "Rounds", header, rows, _show(rows)))
        if self.changes is not None:
            rows = [[k.replace("_", " "), v] for k, v in self.changes.items()]
            out.append(
                _Section(
                    "changes",
                    "Changes since the previous matching",
                    ("figure", "value"),
                    rows,
                    _show(rows),
                    "Participants are counted per status: kept (same partners), new partner, "
                    "newly matched, unmatched, left.",
                )
            )
        rows = [
            [
                g.side,
                g.attribute,
                g.group,
                g.n,
                g.matched,
                g.matched_share,
                g.pairs,
                g.mean_score,
            ]
            for g in self.by_group
        ]
        out.append(
            _Section(
                "by_group",
                "Match rate and score by group",
                (
                    "side",
                    "attribute",
                    "group",
                    "people",
                    "matched",
                    "matched share",
                    "pairs",
                    "mean score",
                ),
                rows,
                _show(rows, pct_cols=(5,)),
                f"Groups of fewer than {MIN_GROUP} people are pooled as {SMALL_GROUPS!r} and "
                f"never named; a figure over fewer than {MIN_GROUP} people or pairs is "
                f"suppressed ({_html.DASH}). Grade bands: see the summary.",
            )
        )
        rows = [[r.skill, r.direction, r.wanted, r.covered, r.unmet, r.share] for r in self.skills]
        out.append(
            _Section(
                "skills",
                "Skills wanted and covered",
                ("skill", "direction", "wanted", "covered", "unmet", "covered share"),
                rows,
                _show(rows, pct_cols=(5,)),
                f"Wanted: a want of at least {self.threshold:g}; covered: a partner offers it "
                f"at least {self.threshold:g}; unmet: wanted and not covered (the unmatched "
                "included).",
            )
        )
        if self.flows is not None:
            f = self.flows
            shown = f.shown()
            rows = [[g, *shown[i].tolist()] for i, g in enumerate(f.mentor_groups)]
            out.append(
                _Section(
                    "flows",
                    "Department flows (mentor department → mentee department)",
                    ("mentor \\ mentee", *f.mentee_groups),
                    rows,
                    _show(rows),
                    f"Pairs per department pair; cells of 1 to {MIN_GROUP - 1} pairs are "
                    f"suppressed ({_html.DASH}), departments of fewer than {MIN_GROUP} people "
                    f"are pooled as {SMALL_GROUPS!r}.",
                )
            )
        rows = [[name, share] for name, share in self.rules.items()]
        if self.summary.get("feasible_share") is not None:
            rows.append(["(all rules)", self.summary["feasible_share"]])
        out.append(
            _Section(
                "rules",
                "Hard rules: share of pairs allowed",
                ("rule", "share of mentor × mentee pairs allowed"),
                rows,
                _show(rows, pct_cols=(1,)),
                "" if rows else "No rules, or the shares were not counted.",
            )
        )
        rows = [
            [g.goal, g.required, g.achieved, g.met, g.value, g.at_least, g.at_most]
            for g in self.goals
        ]
        out.append(
            _Section(
                "goals",
                "Cohort goals: required and achieved",
                ("goal", "required", "achieved", "met", "value", "at least", "at most"),
                rows,
                _show(rows),
                "" if rows else "No cohort goals.",
            )
        )
        rows = [
            [side, kind, KIND_TEXT.get(kind, kind), n]
            for side, kinds in self.unmatched.items()
            for kind, n in kinds.items()
        ]
        out.append(
            _Section(
                "unmatched",
                "Unmatched by reason",
                ("side", "reason kind", "meaning", "participants"),
                rows,
                _show(rows),
                "" if rows else "Everybody has a partner.",
            )
        )
        if self.stability is not None:
            rows = [[k.replace("_", " "), v] for k, v in self.stability.items()]
            out.append(_Section("stability", "Stability", ("figure", "value"), rows, _show(rows)))
        if include_ids:
            rows = [list(t) for t in self.unmatched_ids]
            out.append(
                _Section(
                    "unmatched_ids",
                    "Unmatched participants",
                    ("side", "id", "reason kind"),
                    rows,
                    _show(rows),
                    "" if rows else "None.",
                )
            )
        return out

    # -- renderings -------------------------------------------------------------------------

    def to_text(self, *, include_ids: bool = False) -> str:
        """The report as plain text: one aligned table per section.

        Parameters
        ----------
        include_ids : bool, default False
            Add the list of unmatched participants (id and reason kind).

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> mentors, mentees = synthetic.cohort(12, 10, rng=0)
        >>> text = report(match(mentors, mentees), mentors, mentees).to_text()
        >>> print(text.splitlines()[0])
        Programme report (matching)
        >>> "Skills wanted and covered" in text
        True
        """
        title = f"Programme report ({self.kind})"
        lines = [title, "=" * len(title)]
        for s in self._sections(include_ids):
            lines += ["", s.title, "-" * len(s.title)]
            if s.rows:
                lines += _text_table(s.header, s.shown)
            if s.note:
                lines.append(s.note)
        return "\n".join(lines) + "\n"

    def _body(self, *, plots: bool, include_ids: bool, level: int = 2) -> str:
        figures = _figures(self) if plots else {}
        parts = []
        for s in self._sections(include_ids):
            parts.append(f'<section id="{s.key}">')
            parts.append(f"<h{level}>{_html.escape(s.title)}</h{level}>")
            if s.rows:
                parts.append(_html.table(s.header, s.shown, cls=s.key))
            if s.note:
                parts.append(f'<p class="note">{_html.escape(s.note)}</p>')
            if s.key in figures:
                parts.append(f'<figure class="plot">{figures[s.key]}</figure>')
            parts.append("</section>")
        if plots and "_missing" in figures:
            parts.append(f'<p class="note">{figures["_missing"]}</p>')
        return "\n".join(parts)

    def to_html(self, *, plots: bool = True, include_ids: bool = False) -> str:
        """The report as one self-contained HTML page: inline CSS, tables, and (with
        matplotlib) the plots as inline SVG. No JavaScript, no external links or assets.

        Parameters
        ----------
        plots : bool, default True
            Draw the score histogram, the department flows and the skill coverage (needs
            matplotlib: the ``plot`` extra; without it the page says so).
        include_ids : bool, default False
            Add the list of unmatched participants (id and reason kind).

        Returns
        -------
        str

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> mentors, mentees = synthetic.cohort(12, 10, rng=0)
        >>> page = report(match(mentors, mentees), mentors, mentees).to_html(plots=False)
        >>> page.startswith("<!DOCTYPE html>"), "<script" in page, "http" in page
        (True, False, False)
        """
        title = f"Programme report ({self.kind})"
        s = self.summary
        lede = (
            f"{s.get('pairs')} pairs of {s.get('mentors')} mentors and {s.get('mentees')} "
            f"mentees; status {s.get('status')}."
        )
        return "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en">',
                "<head>",
                '<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f"<title>{_html.escape(title)}</title>",
                f"<style>{_CSS}</style>",
                "</head>",
                "<body>",
                "<main>",
                f"<h1>{_html.escape(title)}</h1>",
                f'<p class="lede">{_html.escape(lede)}</p>',
                self._body(plots=plots, include_ids=include_ids),
                '<section id="privacy">',
                "<h2>About these figures</h2>",
                f"<p>{_html.escape(_PRIVACY)}</p>",
                "</section>",
                "</main>",
                "</body>",
                "</html>",
                "",
            ]
        )

    def _repr_html_(self) -> str:
        """The report's tables for a notebook (no plots: see :meth:`to_html`)."""
        return (
            '<div class="rm-match-report">'
            f"<strong>{_html.escape(f'Programme report ({self.kind})')}</strong>\n"
            + self._body(plots=False, include_ids=False, level=4)
            + "</div>"
        )

    def save(self, path: str | Path, *, plots: bool = True, include_ids: bool = False) -> Path:
        """Write the report: ``.html`` (:meth:`to_html`) or ``.txt`` (:meth:`to_text`).

        Returns
        -------
        pathlib.Path
            The file written.

        Raises
        ------
        ValidationError
            On another suffix.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from rm_match import match, synthetic
        >>> mentors, mentees = synthetic.cohort(12, 10, rng=0)
        >>> rep = report(match(mentors, mentees), mentors, mentees)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     rep.save(pathlib.Path(d) / "report.txt").read_text().startswith("Programme")
        True
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            text = self.to_html(plots=plots, include_ids=include_ids)
        elif suffix == ".txt":
            text = self.to_text(include_ids=include_ids)
        else:
            raise ValidationError(
                f"`path` {path.name}: unknown suffix {path.suffix!r}; use .html or .txt.",
                argument="path",
            )
        path.write_text(text, encoding="utf-8")
        return path

    def tables(self, *, include_ids: bool = False) -> dict[str, pd.DataFrame]:
        """Each section as a pandas DataFrame (needs ``pandas``), keyed by section:
        ``summary``, ``rounds`` (rotation), ``changes`` (rematch), ``by_group``, ``skills``,
        ``flows`` (mentor groups × mentee groups, nullable ints, ``<NA>`` where suppressed),
        ``rules``, ``goals``, ``unmatched``, ``stability`` (stable matchings) and, with
        ``include_ids``, ``unmatched_ids``. Suppressed figures are ``None``/``<NA>``.

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> mentors, mentees = synthetic.cohort(12, 10, rng=0)
        >>> frames = report(match(mentors, mentees), mentors, mentees).tables()
        >>> list(frames["skills"].columns)
        ['skill', 'direction', 'wanted', 'covered', 'unmet', 'covered share']
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "ProgrammeReport.tables needs pandas: pip install 'rm-match[pandas]'"
            ) from exc
        out: dict[str, pd.DataFrame] = {}
        for s in self._sections(include_ids):
            if s.key == "flows" and self.flows is not None:
                f = self.flows
                frame = pd.DataFrame(
                    f.shown(), index=list(f.mentor_groups), columns=list(f.mentee_groups)
                ).astype("Int64")
                frame.index.name = "mentor department"
                frame.columns.name = "mentee department"
                out["flows"] = frame
            else:
                out[s.key] = pd.DataFrame.from_records(s.rows, columns=list(s.header))
        return out

    def as_dict(self, *, include_ids: bool = False) -> dict[str, Any]:
        """The report as a JSON-safe dict (suppressed figures ``None``).

        Examples
        --------
        >>> import json
        >>> from rm_match import match, synthetic
        >>> mentors, mentees = synthetic.cohort(12, 10, rng=0)
        >>> d = report(match(mentors, mentees), mentors, mentees).as_dict()
        >>> sorted(d)[:4], json.dumps(d, allow_nan=False) is not None
        (['by_group', 'changes', 'flows', 'goals'], True)
        """
        flows = None
        if self.flows is not None:
            flows = {
                "mentor_groups": list(self.flows.mentor_groups),
                "mentee_groups": list(self.flows.mentee_groups),
                "counts": self.flows.shown().tolist(),
            }
        out: dict[str, Any] = {
            "kind": self.kind,
            "summary": dict(self.summary),
            "by_group": [dataclasses.asdict(g) for g in self.by_group],
            "skills": [dataclasses.asdict(r) for r in self.skills],
            "flows": flows,
            "rules": dict(self.rules),
            "goals": [dataclasses.asdict(g) for g in self.goals],
            "unmatched": {k: dict(v) for k, v in self.unmatched.items()},
            "stability": None if self.stability is None else dict(self.stability),
            "rounds": [dict(r) for r in self.rounds],
            "changes": None if self.changes is None else dict(self.changes),
            "threshold": self.threshold,
        }
        if include_ids:
            out["unmatched_ids"] = [list(t) for t in self.unmatched_ids]
        safe: dict[str, Any] = _json_safe(out)
        return safe


# -- rendering helpers ---------------------------------------------------------------------------

_PRIVACY = (
    f"Aggregates only. Every count, share or mean over fewer than {MIN_GROUP} people or pairs "
    f"is suppressed ({_html.DASH}), and so is what would follow from the others by "
    f"subtraction; a group is named only when it holds at least {MIN_GROUP} "
    f"people on its side, smaller groups are pooled as {SMALL_GROUPS!r}. No participant's "
    "attribute values are shown."
)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
color:#1f2328;background:#fff;margin:0}
main{max-width:72rem;margin:0 auto;padding:1.5rem 2rem 3rem}
h1{font-size:1.7rem;margin:.2rem 0 .4rem}
h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
p.lede{color:#57606a;margin-top:0}
p.note{color:#57606a;font-size:.85rem;max-width:60rem}
table{border-collapse:collapse;font-size:.88rem;margin:.3rem 0}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#fbfcfd}
figure.plot{margin:.8rem 0}
figure.plot svg{max-width:100%;height:auto}
"""


def _show_value(value: object, as_pct: bool) -> str:
    if as_pct and isinstance(value, (int, float, np.floating)) and not isinstance(value, bool):
        return _html.pct(float(value))
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_html.cell(v)}" for k, v in value.items()) or _html.DASH
    return _html.cell(value)


def _show(rows: list[list[Any]], pct_cols: Sequence[int] = ()) -> list[list[str]]:
    """The display text of each cell (shares as percentages, ``—`` for ``None``)."""
    return [[_show_value(v, j in pct_cols) for j, v in enumerate(row)] for row in rows]


def _text_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned plain-text columns (numbers right-aligned).

    >>> print("\\n".join(_text_table(["a", "bb"], [["x", "1"], ["yyy", "22"]])))
    a    bb
    ---  --
    x     1
    yyy  22
    """
    widths = [max(len(str(h)), *(len(r[j]) for r in rows)) for j, h in enumerate(header)]
    numeric = [all(_numberish(r[j]) for r in rows) and bool(rows) for j in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _numberish(text: str) -> bool:
    return bool(re.fullmatch(r"-?[\d.,e+]+%?|" + _html.DASH, text))


#: Summary entries shown as percentages.
_PCT_KEYS = frozenset(("mentor_match_rate", "mentee_match_rate", "feasible_share"))

#: Summary entries and how they read.
_SUMMARY_TEXT = {
    "status": "status (optimal: no better set of pairs exists)",
    "objective": "objective (total score)",
    "bound": "proven bound (no answer can score more)",
    "gap": "relative gap to the bound (0: proven best)",
    "method": "solver",
    "policy": "policy",
    "rounds": "rounds",
    "mentors": "mentors",
    "mentees": "mentees",
    "pairs": "pairs",
    "mentors_matched": "mentors matched",
    "mentees_matched": "mentees matched",
    "mentor_match_rate": "mentor match rate",
    "mentee_match_rate": "mentee match rate",
    "mean_score": "mean pair score",
    "mean_terms": "mean of each term",
    "feasible_share": "share of pairs every rule allows",
    "grade_bands": "grade bands",
}


def _summary_section(kind: str, summary: Mapping[str, Any]) -> _Section:
    rows = [[_SUMMARY_TEXT.get(k, k.replace("_", " ")), v] for k, v in summary.items()]
    shown = []
    for k, v in summary.items():
        if v is None and k in ("mean_score", "feasible_share"):
            text = f"suppressed (<{MIN_GROUP})"
        else:
            text = _show_value(v, k in _PCT_KEYS)
        shown.append([_SUMMARY_TEXT.get(k, k.replace("_", " ")), text])
    return _Section("summary", "Summary", ("figure", "value"), rows, shown)


def _svg(figure: Any) -> str:
    """A matplotlib figure as inline SVG text: no XML prolog, no DOCTYPE, no namespace URLs
    (the HTML parser knows SVG), no metadata, fonts as paths."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "rm_match", "svg.fonttype": "path"}):
        figure.savefig(
            buf,
            format="svg",
            bbox_inches="tight",
            metadata={"Creator": None, "Date": None, "Format": None, "Type": None},
        )
    text = buf.getvalue()
    text = text[text.find("<svg") :]
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)


def _figures(rep: ProgrammeReport) -> dict[str, str]:
    """Section key → inline SVG of its plot; ``"_missing"`` → a note when matplotlib is
    missing. Each figure is a :class:`matplotlib.figure.Figure` of its own (not pyplot's),
    so nothing is shown or kept in a notebook."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return {"_missing": "Plots need matplotlib, the plot extra: pip install 'rm-match[plot]'."}
    from .plot import DepartmentFlowDisplay, ScoreDistributionDisplay, SkillCoverageDisplay

    out: dict[str, str] = {}
    if len(rep.scores) >= MIN_GROUP:
        fig = Figure(figsize=(6.4, 3.2))
        ScoreDistributionDisplay(np.asarray(rep.scores)).plot(ax=fig.subplots())
        out["summary"] = _svg(fig)
    if rep.flows is not None and rep.flows.total and len(rep.flows.mentor_groups) > 1:
        f = rep.flows
        fig = Figure(figsize=(1.6 + 0.7 * len(f.mentee_groups), 1.2 + 0.45 * len(f.mentor_groups)))
        DepartmentFlowDisplay(f).plot(ax=fig.subplots())
        out["flows"] = _svg(fig)
    if rep.skills:
        fig = Figure(figsize=(6.4, 1.0 + 0.22 * len(rep.skills)))
        SkillCoverageDisplay(list(rep.skills)).plot(ax=fig.subplots())
        out["skills"] = _svg(fig)
    return out


# -- report() ------------------------------------------------------------------------------------


def _band_labels(grades: np.ndarray, low: int, width: int) -> list[str | None]:
    """Each grade's band: ``width`` consecutive grades counted from ``low``.

    >>> _band_labels(np.array([1, 2, 3, MISSING_GRADE]), 1, 2)
    ['grades 1–2', 'grades 1–2', 'grades 3–4', None]
    """
    out: list[str | None] = []
    for g in grades.tolist():
        if g == MISSING_GRADE:
            out.append(None)
            continue
        start = low + (g - low) // width * width
        out.append(f"grade {start}" if width == 1 else f"grades {start}–{start + width - 1}")
    return out


def _group_values(table: People, name: str, low: int, width: int) -> list[Hashable | None] | None:
    """Each participant's value of the grouping ``name``; ``None`` when the table lacks it."""
    if name == "department":
        return None if table.department is None else list(table.department)
    if name == "grade_band":
        if table.grade is None:
            return None
        return list(_band_labels(table.grade, low, width))
    if name == "grade":
        if table.grade is None:
            return None
        return [None if g == MISSING_GRADE else g for g in table.grade.tolist()]
    if name in table.attributes:
        return list(table.attributes[name])
    return None


def _by_group(
    groups: Sequence[str],
    sides: Sequence[tuple[str, People, np.ndarray, np.ndarray, np.ndarray]],
    low: int,
    width: int,
) -> tuple[GroupRow, ...]:
    """Per side (name, table, active mask, pairs per person, score sum per person), per
    grouping, per group."""
    out = []
    for side, table, active, n_pairs, score_sum in sides:
        for name in groups:
            values = _group_values(table, name, low, width)
            if values is None:
                continue
            rows = np.flatnonzero(active)
            codes, labels = _codes([values[i] for i in rows])
            for c, label in enumerate(labels):
                members = rows[codes == c]
                n = len(members)
                matched = int((n_pairs[members] > 0).sum())
                pairs = int(n_pairs[members].sum())
                enough = n >= MIN_GROUP
                many = enough and pairs >= MIN_GROUP
                out.append(
                    GroupRow(
                        side,
                        name,
                        label,
                        n if enough else None,
                        matched if enough else None,
                        matched / n if enough else None,
                        # a count over the group's people, like `matched`; the mean score
                        # is over pairs, and needs 5 of them
                        pairs if enough else None,
                        float(score_sum[members].sum() / pairs) if many else None,
                    )
                )
    return tuple(out)


def _rule_shares(problem: Problem) -> dict[str, float | None]:
    """Per rule, the share of all pairs it allows (``None`` on a side of fewer than 5;
    empty when there are no rules or too many pairs to count)."""
    n_m, n_e = problem.cohort.shape
    names = problem.programme.rule_names
    if not names or n_m * n_e == 0 or n_m * n_e > _MAX_RULE_CELLS:
        return {}
    if min(n_m, n_e) < MIN_GROUP:
        return dict.fromkeys(names)
    flags = problem.allowed(np.arange(n_m), np.arange(n_e))
    return {k: float(np.mean(v)) for k, v in flags.items()}


def _goal_rows(checks: Sequence[Any]) -> tuple[GoalRow, ...]:
    return tuple(
        GoalRow(
            str(c.goal),
            str(c.required),
            str(c.achieved),
            bool(c.met),
            c.value,
            c.at_least,
            c.at_most,
            bool(c.suppressed),
        )
        for c in checks
    )


def _check_groups(groups: object) -> tuple[str, ...] | None:
    if groups is None:
        return None
    if isinstance(groups, str):
        groups = (groups,)
    if not isinstance(groups, Sequence) or not all(isinstance(g, str) and g for g in groups):
        raise ValidationError(
            '`groups` must be a sequence of attribute names ("department", '
            '"grade_band", or a name of the tables\' attributes).',
            argument="groups",
        )
    return tuple(dict.fromkeys(groups))


def report(
    result: object,
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    groups: Sequence[str] | None = None,
    preferences: Preferences | None = None,
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    threshold: float = 0.5,
    grade_band_width: int = 2,
) -> ProgrammeReport:
    """The programme report of a matching, a rotation or a rematch (aggregates only).

    Parameters
    ----------
    result : Matching, Rotation or Rematch
        A rotation's figures are over every pair of every round (a participant is matched
        when they have at least one session), with per-round counts added; a rematch's are
        over its new matching, with the changes added, leavers left out.
    mentors, mentees : People
        The tables the result was made from (for a rematch, the leavers may still be in
        them).
    programme : Programme, optional
        Only needed when the result does not carry what the report shows: the rules'
        shares of allowed pairs (a matching from the sparse path, or without its report)
        and the goal checks (a matching without them). With ``preferences`` and
        ``org_chart`` as in :func:`rm_match.match`.
    groups : sequence of str, optional
        What to break the figures down by: ``"department"``, ``"grade_band"``, ``"grade"``
        or an attribute's name. Default: :data:`DEFAULT_GROUPS` — department, generation,
        gender and grade band — where either table has them.
    preferences : Preferences, optional
    org_chart : mapping of id to id or None, optional
    threshold : float, default 0.5
        Level of ``wants`` and ``offers`` at which a skill counts as wanted and as
        taught (:func:`skill_coverage`).
    grade_band_width : int, default 2
        Grade bands are ``grade_band_width`` consecutive grades, counted from the lowest
        grade of either table: grades 1 to 8 make the bands 1–2, 3–4, 5–6 and 7–8.

    Returns
    -------
    ProgrammeReport

    Raises
    ------
    ValidationError
        If ``result`` is not a result, the tables do not hold its ids, or an argument is
        malformed (a grouping neither table has, say).

    Examples
    --------
    >>> from rm_match import match, synthetic
    >>> mentors, mentees = synthetic.cohort(40, 30, rng=0)
    >>> rep = report(match(mentors, mentees), mentors, mentees)
    >>> rep.summary["pairs"], rep.summary["mentor_match_rate"]
    (30, 0.75)
    >>> sorted({g.attribute for g in rep.by_group})
    ['department', 'gender', 'generation', 'grade_band']
    >>> all(g.n is None or g.n >= 5 for g in rep.by_group)
    True
    """
    from .rounds import Rematch, Rotation

    _check_people(mentors, mentees)
    names = _check_groups(groups)
    if isinstance(grade_band_width, bool) or not isinstance(grade_band_width, int):
        raise ValidationError(
            f"`grade_band_width` must be a positive integer; got {grade_band_width!r}.",
            argument="grade_band_width",
        )
    if grade_band_width < 1:
        raise ValidationError(
            f"`grade_band_width` must be a positive integer; got {grade_band_width}.",
            argument="grade_band_width",
        )
    matching, rounds = _parts(result)
    mi, ei = _rows(result, mentors, mentees)
    skills = tuple(skill_coverage(result, mentors, mentees, threshold=threshold))
    all_pairs = [p for r in rounds for p in r]
    scores = np.array([p.score for p in all_pairs], dtype=np.float64)

    # who takes part: a rematch's leavers do not
    left: set[Hashable] = set()
    if isinstance(result, Rematch):
        left = {pid for pid, st in result.status.items() if st == "left"}
    active_m = np.array([pid not in left for pid in mentors.ids.tolist()], dtype=bool)
    active_e = np.array([pid not in left for pid in mentees.ids.tolist()], dtype=bool)
    per = []
    for table, rows in ((mentors, mi), (mentees, ei)):
        n_pairs = np.bincount(rows, minlength=table.n)
        score_sum = np.bincount(rows, weights=scores, minlength=table.n)
        per.append((n_pairs, score_sum))

    # groups
    present = [
        g
        for g in DEFAULT_GROUPS
        if any(_group_values(t, g, 0, 1) is not None for t in (mentors, mentees))
    ]
    if names is None:
        names = tuple(present)
    else:
        unknown = [
            g for g in names if all(_group_values(t, g, 0, 1) is None for t in (mentors, mentees))
        ]
        if unknown:
            raise ValidationError(
                f"`groups`: neither table has {unknown[0]!r} (the tables have department, "
                "grade and their attributes, by name).",
                argument="groups",
            )
    known = [t.grade[t.grade != MISSING_GRADE] for t in (mentors, mentees) if t.grade is not None]
    low = int(min(int(k.min()) for k in known if len(k))) if any(len(k) for k in known) else 0
    by_group = _by_group(
        names,
        [
            ("mentors", mentors, active_m, *per[0]),
            ("mentees", mentees, active_e, *per[1]),
        ],
        low,
        grade_band_width,
    )
    flows = None
    if mentors.department is not None or mentees.department is not None:
        flows = department_flows(result, mentors, mentees)

    # the problem, when the result has one or the report needs one built
    problem: Problem | None = None
    if isinstance(result, (Rotation, Rematch)):
        problem = result.problem

    def built() -> Problem | None:
        if problem is not None or programme is None:
            return problem
        from .problem import Problem

        return Problem(mentors, mentees, programme, org_chart=org_chart, preferences=preferences)

    # summary
    n_m, n_e = int(active_m.sum()), int(active_e.sum())
    m_matched = int((per[0][0][active_m] > 0).sum())
    e_matched = int((per[1][0][active_e] > 0).sum())
    head: Matching | Any = matching if matching is not None else result
    summary: dict[str, Any] = {
        "status": head.status,
        "objective": head.objective,
        "bound": head.bound,
        "gap": head.gap,
        "method": head.method,
        "policy": head.policy,
    }
    if isinstance(result, Rotation):
        summary["rounds"] = len(result.rounds)
    summary |= {
        "mentors": n_m,
        "mentees": n_e,
        "pairs": len(all_pairs),
        "mentors_matched": m_matched,
        "mentees_matched": e_matched,
        "mentor_match_rate": m_matched / n_m if n_m else None,
        "mentee_match_rate": e_matched / n_e if n_e else None,
    }
    rep = matching.report if matching is not None else None
    if rep is not None:
        summary["mean_score"] = rep.mean_score
        summary["mean_terms"] = dict(rep.mean_terms)
    else:
        summary["mean_score"] = float(scores.mean()) if len(scores) >= MIN_GROUP else None
    if "grade_band" in names:
        summary["grade_bands"] = (
            f"{grade_band_width} consecutive grades from the lowest ({low})"
            if grade_band_width > 1
            else "one grade each"
        )

    # rules
    rules: dict[str, float | None] = {}
    if rep is not None and rep.rule_pass_share:
        rules = dict(rep.rule_pass_share)
        summary["feasible_share"] = rep.feasible_share
    else:
        p = built()
        if p is not None:
            rules = _rule_shares(p)

    # goals
    checks: Sequence[Any] = head.goals
    if not checks and programme is not None and programme.goals:
        from .goals import check_goals

        p = built()
        assert p is not None
        checks = check_goals(programme.goals, p.check_context(), mi, ei, scores=scores)

    # unmatched, by reason kind
    ids: list[tuple[str, Hashable, str]] = []
    if isinstance(result, Rotation):
        for side in ("mentors", "mentees"):
            for pid, n in result.sessions[side].items():
                if n == 0:
                    short = result.short[side].get(pid)
                    ids.append((side[:-1], pid, short.kind if short is not None else "capacity_0"))
    else:
        assert matching is not None
        for side, people in (
            ("mentor", matching.unmatched_mentors),
            ("mentee", matching.unmatched_mentees),
        ):
            ids.extend((side, pid, _reason_kind(why) or "unstated") for pid, why in people.items())
    unmatched = {
        f"{side}s": dict(Counter(kind for s, _, kind in ids if s == side))
        for side in ("mentor", "mentee")
    }

    stability = None
    if matching is not None and matching.stability is not None:
        stability = matching.stability.as_dict()
    elif rep is not None and rep.stability is not None:
        stability = dict(rep.stability)

    rounds_rows: tuple[Mapping[str, Any], ...] = ()
    if isinstance(result, Rotation):
        rounds_rows = tuple(
            {
                "round": r.number,
                "pairs": len(r.pairs),
                "mentors_sitting_out": len(r.sit_outs["mentors"]),
                "mentees_sitting_out": len(r.sit_outs["mentees"]),
                "objective": r.objective,
            }
            for r in result.rounds
        )
    changes = None
    if isinstance(result, Rematch):
        changes = {
            "mode": result.mode,
            "kept_pairs": len(result.kept_pairs),
            "broken_pairs": len(result.broken_pairs),
            "ended_pairs": len(result.ended_pairs),
            "keepable": result.keepable,
            "pairs_changed": result.pairs_changed,
            "score_given_up": result.score_given_up,
            **{f"participants_{k}": v for k, v in result.counts.items()},
        }

    return ProgrammeReport(
        kind="rotation"
        if isinstance(result, Rotation)
        else "rematch"
        if isinstance(result, Rematch)
        else "matching",
        summary=summary,
        by_group=by_group,
        skills=skills,
        flows=flows,
        rules=rules,
        goals=_goal_rows(checks),
        unmatched=unmatched,
        stability=stability,
        rounds=rounds_rows,
        changes=changes,
        unmatched_ids=tuple(ids),
        threshold=float(threshold),
        scores=tuple(sorted(scores.tolist())) if len(scores) >= MIN_GROUP else (),
    )
