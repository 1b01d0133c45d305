"""Results: :class:`Assignment` (array layer) and :class:`Matching` (participants, explained).

Both are immutable and say how good they are: ``objective`` (total score of the chosen pairs),
``bound`` (a proven upper bound on the best objective under the same policy), relative ``gap``
``(bound - objective) / max(|objective|, 1)`` and ``status`` (``"optimal"`` when the gap is
within 1e-9, else ``"feasible"``; ``"infeasible"`` when nothing satisfies the rules).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import time
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ValidationError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Assignment", "Matching", "PairExplanation", "Report", "Stability", "relative_gap"]

#: Aggregates over fewer pairs (or people) than this are suppressed (``None``) in every
#: report: :class:`Report`, :class:`~rm_match.goals.GoalCheck`, and the texts made of them.
MIN_GROUP = 5

#: Score terms kept out of pair reasons, reprs and written files: ``diversity`` says whether
#: two people differ on protected attributes, ``preference`` what they said of each other
#: in a survey. Their values stay in :attr:`PairExplanation.terms` for code that needs them.
PRIVATE_TERMS = ("diversity", "preference")

#: Gap at or below which a solution is reported as optimal.
OPTIMALITY_TOL = 1e-9


def relative_gap(objective: float, bound: float) -> float:
    """``(bound - objective) / max(|objective|, 1)``, never negative.

    Examples
    --------
    >>> relative_gap(10.0, 10.5)
    0.05
    >>> relative_gap(0.2, 0.3)
    0.1
    """
    return max(0.0, (bound - objective) / max(abs(objective), 1.0))


@dataclass(frozen=True)
class Assignment:
    """A set of (mentor index, mentee index) pairs with its quality certificate.

    Attributes
    ----------
    pairs : ndarray of int, shape (k, 2)
        Chosen pairs, sorted by mentor then mentee index.
    objective : float
        Sum of the scores of the chosen pairs.
    status : str
        ``"optimal"``, ``"feasible"`` or ``"infeasible"``.
    bound : float
        Proven upper bound on the objective of any assignment under the same policy
        (for ``max_matched``: among those matching as many as possible).
    gap : float
        Relative gap, see :func:`relative_gap`.
    method : str
        The backend that solved it.
    policy : str
        ``"max_matched"`` or ``"max_score"``.
    wall_time : float
        Seconds spent in the solver, validation included.
    message : str
        The backend's account, with its raw status.
    goals : tuple of GoalCheck
        With cohort goals: each goal, what it asks and what was achieved.
    stats : dict
        With cohort goals: what the solver did (Lagrangian bound and iterations, pairs kept
        after reduced-cost fixing, CP-SAT status, times).
    """

    pairs: np.ndarray
    objective: float
    status: str
    bound: float
    gap: float
    method: str
    policy: str
    wall_time: float = 0.0
    message: str = ""
    goals: tuple[Any, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        pairs: np.ndarray,
        objective: float,
        slack: float,
        *,
        method: str,
        policy: str,
        start: float,
        message: str = "",
    ) -> Assignment:
        """An assignment with its pairs sorted (read-only), ``bound = objective + slack``,
        the gap and the status they imply, and ``wall_time`` since ``start``
        (``time.perf_counter()``)."""
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
        pairs.flags.writeable = False
        bound = objective + slack
        gap = relative_gap(objective, bound)
        return cls(
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

    @property
    def n_matched(self) -> int:
        """Number of pairs."""
        return len(self.pairs)

    def __repr__(self) -> str:
        return (
            f"Assignment(pairs={self.n_matched}, objective={self.objective:.6g}, "
            f"status={self.status!r}, gap={self.gap:.2g}, method={self.method!r})"
        )


@dataclass(frozen=True)
class PairExplanation:
    """Why a pair was chosen: its score, per-term values and the skills that drive it.

    ``terms`` holds the pair's diversity term, which speaks of protected attributes (with
    one diversity attribute it says whether the two differ): it is the caller's data to use
    in-process, and stays out of :attr:`reason` and the repr.

    Examples
    --------
    >>> PairExplanation("j1", "s1", 0.5, {"learning": 0.4, "diversity": 1.0}, ("ai",), ())
    PairExplanation(mentor='j1', mentee='s1', score=0.5, terms={'learning': 0.4}, \
mentor_teaches=('ai',), mentee_teaches=(), required=False)
    """

    mentor: Hashable
    mentee: Hashable
    score: float
    terms: Mapping[str, float]
    mentor_teaches: tuple[str, ...]
    mentee_teaches: tuple[str, ...]
    required: bool = False

    @property
    def reason(self) -> str:
        """A one-line, human-readable account (no attribute values)."""
        parts = []
        if self.required:
            parts.append("required pair")
        if self.mentor_teaches:
            parts.append("mentor teaches " + ", ".join(self.mentor_teaches))
        if self.mentee_teaches:
            parts.append("mentee teaches back " + ", ".join(self.mentee_teaches))
        # The diversity term stays out of the text (it speaks of protected attributes), and
        # so does the preference term (it gives away what a participant said in a survey).
        extra = [
            f"{name} {value:.2f}"
            for name, value in self.terms.items()
            if name not in ("learning", *PRIVATE_TERMS)
        ]
        if extra:
            parts.append("; ".join(extra))
        return "; ".join(parts) if parts else "allowed pair, no learning value"

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.terms.items() if k not in PRIVATE_TERMS}
        return (
            f"PairExplanation(mentor={self.mentor!r}, mentee={self.mentee!r}, "
            f"score={self.score!r}, terms={shown!r}, mentor_teaches={self.mentor_teaches!r}, "
            f"mentee_teaches={self.mentee_teaches!r}, required={self.required!r})"
        )


@dataclass(frozen=True)
class Report:
    """Aggregate figures of a programme: counts, means and shares, never a person's values.

    Every mean or share computed over fewer than :data:`MIN_GROUP` (5) pairs — or, for the
    shares of allowed pairs, on a side of fewer than 5 participants — is ``None``
    (suppressed): on so few a figure says something about the people in it (a cross-gender
    share on one pair is that pair's genders compared). Each field says below what it is
    computed over, and why the ones never suppressed are safe.

    Attributes
    ----------
    mentors, mentees : int
        Participants on each side. Never suppressed: the caller's own table sizes.
    stability : mapping or None
        For a stable matching (:func:`rm_match.stable_match`): its
        :class:`Stability` as a dict — counts of blocking pairs and total scores, never
        suppressed (they are about the whole cohort).
    pairs, required_pairs : int
        Pairs chosen (required ones included) and required pairs placed. Never suppressed:
        the matching lists every pair.
    mentors_matched, mentees_matched : int
        Participants with at least one partner. Never suppressed: counts of a whole side,
        which the matching lists person by person.
    terms : tuple of str
        The active score terms (names).
    mean_score : float or None
        Mean pair score; ``None`` on fewer than 5 pairs, and whenever the diversity term's
        mean is suppressed (the weights would give it back from the mean score and the other
        terms' means).
    mean_terms : mapping of str to float or None
        Mean of each term over the pairs; ``None`` on fewer than 5 pairs. The ``diversity``
        mean is also ``None`` when a diversity attribute is known on both sides of only 1 to
        4 of the pairs (it would give away those pairs, as ``cross_share`` would).
    feasible_share : float or None
        Share of all mentor × mentee pairs that every rule allows; ``None`` when either side
        has fewer than 5 participants (on a 1 × 1 cohort it says whether the two pass every
        rule), and on the sparse or split paths, which build no full mask.
    rule_pass_share : mapping of str to float or None
        For each rule (by label), the share of all mentor × mentee pairs it allows on its
        own; each ``None`` when either side has fewer than 5 participants (empty where no
        full mask was built).
    cross_share : mapping of str to float or None
        For each diversity attribute, the share of pairs (both values known) that differ;
        ``None`` when fewer than 5 pairs have both values known.
    unmatched : mapping of str to mapping of str to int
        ``{"mentors": {kind: count}, "mentees": {...}}``: the unmatched by reason kind (see
        :mod:`rm_match.explain`). Never suppressed: the kinds are about rules, capacities and
        goals, never attribute values, and the matching lists each unmatched participant
        with their reason anyway.

    Examples
    --------
    >>> from rm_match import Programme, match, synthetic
    >>> prog = Programme(diversity_attributes=("gender",))
    >>> r = match(*synthetic.cohort(3, 3, rng=0), prog).report
    >>> r.pairs, r.mean_score, r.cross_share, r.feasible_share
    (3, None, {'gender': None}, None)
    """

    mentors: int
    mentees: int
    pairs: int
    required_pairs: int
    mentors_matched: int
    mentees_matched: int
    terms: tuple[str, ...]
    mean_score: float | None
    mean_terms: Mapping[str, float | None]
    feasible_share: float | None
    rule_pass_share: Mapping[str, float | None]
    cross_share: Mapping[str, float | None]
    unmatched: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    #: For a stable matching: :meth:`Stability.as_dict` (blocking pairs, price of stability).
    stability: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The figures as a plain dict (JSON-serialisable).

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> r = match(*synthetic.cohort(8, 8, rng=1)).report
        >>> r.as_dict()["pairs"] == r.pairs == 8
        True
        """
        return {
            "mentors": self.mentors,
            "mentees": self.mentees,
            "pairs": self.pairs,
            "required_pairs": self.required_pairs,
            "mentees_matched": self.mentees_matched,
            "mentors_matched": self.mentors_matched,
            "mean_score": self.mean_score,
            "terms": list(self.terms),
            "mean_terms": dict(self.mean_terms),
            "feasible_share": self.feasible_share,
            "rule_pass_share": dict(self.rule_pass_share),
            "cross_share": dict(self.cross_share),
            "unmatched": {k: dict(v) for k, v in self.unmatched.items()},
            "stability": None if self.stability is None else dict(self.stability),
        }

    def _repr_html_(self) -> str:
        """The figures as HTML tables, for notebooks (aggregates only; ``—`` where
        suppressed).

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> html = match(*synthetic.cohort(8, 8, rng=1)).report._repr_html_()
        >>> html.startswith("<div") and "mean score" in html
        True
        """
        from . import _html

        figures: dict[str, object] = {
            "mentors": self.mentors,
            "mentees": self.mentees,
            "pairs": self.pairs,
            "required pairs": self.required_pairs,
            "mentors matched": self.mentors_matched,
            "mentees matched": self.mentees_matched,
            "mean score": self.mean_score,
            "share of pairs every rule allows": _html.pct(self.feasible_share),
        }
        figures.update((f"mean {k}", v) for k, v in self.mean_terms.items())
        figures.update((f"allowed by {k}", _html.pct(v)) for k, v in self.rule_pass_share.items())
        figures.update((f"cross-{k} pairs", _html.pct(v)) for k, v in self.cross_share.items())
        for side, kinds in self.unmatched.items():
            figures.update((f"unmatched {side}: {k}", n) for k, n in kinds.items())
        if self.stability is not None:
            figures.update((f"stability: {k}", v) for k, v in self.stability.items())
        return f"<div><strong>Report</strong>\n{_html.keyvalues(figures)}</div>"


@dataclass(frozen=True)
class Stability:
    """How a matching stands under the participants' preferences (see
    :func:`rm_match.stable_match` and :func:`rm_match.blocking_pairs`).

    A pair *blocks* a matching when the two would both rather be together than with (one
    of) their partners, or have a free place: nothing but goodwill keeps them apart.

    Attributes
    ----------
    kind : str
        ``"mentee-optimal"`` or ``"mentor-optimal"`` (deferred acceptance, that side
        proposing: each of its members gets the best partner of any stable matching),
        ``"best score"`` (the stable matching of highest total pair score) or
        ``"egalitarian"`` (the stable matching of least total rank of partners, both sides).
    preferences : str
        Where each side's preferences came from: ``"data"`` (directional scores: what each
        side can learn from the other, plus compatibility) or ``"data + survey"`` (the
        participants' own answers as the ``preference`` term of each side's view).
    blocking_pairs : int
        Blocking pairs of this matching (0 for a stable one).
    optimum : float or None
        Total score of the optimal matching of the same programme (what :func:`rm_match.match`
        returns), when it was compared.
    optimum_pairs : int or None
        Its number of pairs.
    optimum_blocking_pairs : int or None
        How many pairs block the optimal matching.
    price : float or None
        The price of stability: ``(optimum - objective) / optimum``, the share of the
        optimal total score given up to be stable (0 when the optimum is stable).
    rotations : int or None
        For ``"best score"`` and ``"egalitarian"``: the rotations between the two extreme
        stable matchings (0: the stable matching is unique).
    mentee_optimal, mentor_optimal : float or None
        Total scores of the two extreme stable matchings, where computed.
    """

    kind: str
    preferences: str
    blocking_pairs: int
    optimum: float | None = None
    optimum_pairs: int | None = None
    optimum_blocking_pairs: int | None = None
    price: float | None = None
    rotations: int | None = None
    mentee_optimal: float | None = None
    mentor_optimal: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The figures as a plain dict (JSON-serialisable)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Matching:
    """The programme: pairs of participant ids, explained, with quality and the unmatched.

    Attributes
    ----------
    pairs : tuple of PairExplanation
        Each chosen pair with its score, per-term breakdown and top skills each way.
    unmatched_mentors, unmatched_mentees : dict of id to str
        Participants left with spare capacity and no partner, with the reason.
    objective, bound, gap, status, method, policy
        As in :class:`Assignment` (``objective`` includes required pairs).
    wall_time : float
        Seconds for the whole call: compile, solve and explanations.
    assignment : Assignment
        The array-layer result for the free (non-required) part.
    report : Report
        Aggregate figures: pairs, rule pass rates, diversity shares (never per person).
    stats : dict
        ``report.as_dict()`` (kept for code that reads the figures by key).
    goals : tuple of GoalCheck
        Each cohort goal of the programme: what it asks, what was achieved, whether it holds.
    stability : Stability or None
        For a stable matching (:func:`rm_match.stable_match`, ``status == "stable"``): its
        kind, blocking pairs (none), and the price of stability against the optimum.
    """

    pairs: tuple[PairExplanation, ...]
    unmatched_mentors: dict[Hashable, str]
    unmatched_mentees: dict[Hashable, str]
    objective: float
    bound: float
    gap: float
    status: str
    method: str
    policy: str
    wall_time: float
    assignment: Assignment = field(repr=False)
    report: Report | None = field(default=None, repr=False)
    goals: tuple[Any, ...] = ()
    stability: Stability | None = field(default=None, repr=False)

    @property
    def stats(self) -> dict[str, Any]:
        """The report's figures as a dict (see :class:`Report`)."""
        return self.report.as_dict() if self.report is not None else {}

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[PairExplanation]:
        return iter(self.pairs)

    @property
    def id_pairs(self) -> list[tuple[Hashable, Hashable]]:
        """The pairs as (mentor id, mentee id)."""
        return [(p.mentor, p.mentee) for p in self.pairs]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per pair: ids, score, each term, top skills (as lists), required, reason.

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> m = match(*synthetic.cohort(3, 3, rng=1))
        >>> sorted(m.to_records()[0])
        ['interests', 'language', 'learning', 'mentee', 'mentee_teaches', 'mentor', \
'mentor_teaches', 'reason', 'required', 'score', 'timezone']
        """
        return _pair_table(self)[1]

    def to_frame(
        self,
        *,
        mentor_columns: Mapping[Any, Mapping[str, Any]] | None = None,
        mentee_columns: Mapping[Any, Mapping[str, Any]] | None = None,
    ) -> pd.DataFrame:
        """The pairs as a pandas DataFrame, one row per pair (needs the ``pandas`` extra).

        Columns, in order: ``mentor``, ``mentee``; the carried-through columns of the
        mentor, each prefixed ``mentor_`` (``mentor_Name``), then the mentee's
        (``mentee_Name``); ``score``; one column per score term; ``mentor_teaches`` and
        ``mentee_teaches`` as ``"; "``-joined strings (``"ai_tools; data_viz"``, ``""`` for
        none — spreadsheet-ready; :meth:`to_records` and :meth:`to_dict` keep them as
        lists); ``required``; ``reason``.

        Parameters
        ----------
        mentor_columns, mentee_columns : mapping of id to mapping of str to value, optional
            Columns to carry through for each participant (names, e-mails, ...), keyed by
            participant id: ``{"j1": {"Name": "Ada", "Work email": "ada@example.com"}}``.
            Every column named in any entry becomes a column of the frame; a participant
            without an entry, or without that column, gets ``None``.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ValidationError
            If a carried column mapping is malformed, or a prefixed name clashes with a
            column of the frame (a mentor column ``"teaches"``).

        See Also
        --------
        unmatched_frame : the participants left without a partner.

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> mentors, mentees = synthetic.cohort(3, 3, rng=1)
        >>> names = {i: {"Name": f"Person {i}"} for i in mentors.ids}
        >>> frame = match(mentors, mentees).to_frame(mentor_columns=names)
        >>> list(frame.columns[:4]), len(frame)
        (['mentor', 'mentee', 'mentor_Name', 'score'], 3)
        >>> frame.loc[0, "mentor_Name"] == f"Person {frame.loc[0, 'mentor']}"
        True
        """
        pd = _pandas("to_frame")
        columns, rows = _pair_table(self, mentor_columns, mentee_columns, joined=True)
        return pd.DataFrame.from_records(rows, columns=columns)

    def unmatched_frame(
        self,
        *,
        mentor_columns: Mapping[Any, Mapping[str, Any]] | None = None,
        mentee_columns: Mapping[Any, Mapping[str, Any]] | None = None,
    ) -> pd.DataFrame:
        """The participants left without a partner, one row each (needs ``pandas``).

        Columns, in order: ``side`` (``"mentor"`` or ``"mentee"``), ``id``, the carried
        columns (unprefixed: mentors' and mentees' column names in one set), ``reason`` and
        ``reason_kind`` (the reason's kind, e.g. ``"no_partner"``, see
        :mod:`rm_match.explain`). Mentors come first, each side in the matching's order.

        Parameters
        ----------
        mentor_columns, mentee_columns : mapping of id to mapping of str to value, optional
            As in :meth:`to_frame`.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ValidationError
            If a carried column mapping is malformed or names a column of the frame
            (``"id"``, ``"side"``, ``"reason"``, ``"reason_kind"``).

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> mentors, mentees = synthetic.cohort(5, 3, rng=1)
        >>> frame = match(mentors, mentees).unmatched_frame(
        ...     mentor_columns={i: {"Name": f"Person {i}"} for i in mentors.ids})
        >>> list(frame.columns), list(frame["side"])
        (['side', 'id', 'Name', 'reason', 'reason_kind'], ['mentor', 'mentor'])
        """
        pd = _pandas("unmatched_frame")
        columns, rows = _unmatched_table(self, mentor_columns, mentee_columns)
        return pd.DataFrame.from_records(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """The whole result as a JSON-safe dict: only ``str``, ``int``, ``float``, ``bool``,
        ``None``, ``list`` and ``dict`` (with ``str`` keys), so ``json.dumps(...,
        allow_nan=False)`` always works.

        Numpy scalars become Python numbers, ids that are neither ``str`` nor ``int``
        become their ``str``, and a non-finite float (an unbounded ``bound``, say) becomes
        ``None``.

        Returns
        -------
        dict
            ``pairs`` (as :meth:`to_records`); ``unmatched``: ``{"mentors": [...],
            "mentees": [...]}`` with one ``{"id", "reason", "reason_kind"}`` per
            participant; ``objective``, ``bound``, ``gap``, ``status``, ``method``,
            ``policy``, ``wall_time``; ``goals``: one dict per
            :class:`~rm_match.goals.GoalCheck` (``goal``, ``met``, ``value``, ``at_least``,
            ``at_most``, ``suppressed``, ``required``, ``achieved``); ``report``:
            :meth:`Report.as_dict` (``None`` without a report).

        Examples
        --------
        >>> import json
        >>> from rm_match import match, synthetic
        >>> m = match(*synthetic.cohort(6, 4, rng=1))
        >>> d = json.loads(json.dumps(m.to_dict(), allow_nan=False))
        >>> len(d["pairs"]), len(d["unmatched"]["mentors"]), d["status"]
        (4, 2, 'optimal')
        >>> sorted(d["unmatched"]["mentors"][0])
        ['id', 'reason', 'reason_kind']
        """
        out: dict[str, Any] = {
            "pairs": self.to_records(),
            "unmatched": {
                side: [
                    {"id": pid, "reason": str(reason), "reason_kind": _reason_kind(reason)}
                    for pid, reason in people.items()
                ]
                for side, people in (
                    ("mentors", self.unmatched_mentors),
                    ("mentees", self.unmatched_mentees),
                )
            },
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "status": self.status,
            "method": self.method,
            "policy": self.policy,
            "wall_time": self.wall_time,
            "goals": [
                {name: getattr(check, name, None) for name in _GOAL_FIELDS} for check in self.goals
            ],
            "report": self.report.as_dict() if self.report is not None else None,
        }
        safe: dict[str, Any] = _json_safe(out)
        return safe

    def to_networkx(self) -> Any:
        """The matching as a bipartite :class:`networkx.Graph`.

        Nodes are the participants, keyed by id: mentors with ``bipartite=0``, mentees with
        ``bipartite=1``, the unmatched included (as isolated nodes); each node's attributes
        are ``bipartite`` and ``side`` only, never a personal attribute (ids are unique
        across the two sides, :class:`~rm_match.Cohort` checks it).
        One edge per pair, with ``score``, each score term (by name) and ``required``. The
        graph's attributes: ``status``, ``objective``, ``bound``, ``gap``, ``method``.

        Returns
        -------
        networkx.Graph

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> g = match(*synthetic.cohort(5, 3, rng=1)).to_networkx()
        >>> g.number_of_nodes(), g.number_of_edges(), g.graph["status"]
        (8, 3, 'optimal')
        >>> u, v, data = next(iter(g.edges(data=True)))
        >>> sorted(set(data) - {"score", "required"})
        ['interests', 'language', 'learning', 'timezone']
        >>> sorted({d["bipartite"] for _, d in g.nodes(data=True)})
        [0, 1]
        """
        import networkx as nx

        mentors = dict.fromkeys([p.mentor for p in self.pairs] + list(self.unmatched_mentors))
        mentees = dict.fromkeys([p.mentee for p in self.pairs] + list(self.unmatched_mentees))
        graph = nx.Graph(
            status=self.status,
            objective=self.objective,
            bound=self.bound,
            gap=self.gap,
            method=self.method,
        )
        for side, part, ids in (("mentor", 0, mentors), ("mentee", 1, mentees)):
            graph.add_nodes_from((i, {"bipartite": part, "side": side}) for i in ids)
        for p in self.pairs:
            graph.add_edge(
                p.mentor,
                p.mentee,
                score=p.score,
                required=p.required,
                **{str(k): v for k, v in p.terms.items()},
            )
        return graph

    def _repr_html_(self) -> str:
        """Status, objective, gap, counts and the first 10 pairs (ids and scores only), for
        notebooks.

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> html = match(*synthetic.cohort(12, 12, rng=1))._repr_html_()
        >>> "first 10 of 12 pairs" in html, "<script" in html
        (True, False)
        """
        from . import _html

        figures = {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "method": self.method,
            "policy": self.policy,
            "pairs": len(self.pairs),
            "unmatched mentors": len(self.unmatched_mentors),
            "unmatched mentees": len(self.unmatched_mentees),
            "time (s)": self.wall_time,
        }
        shown = self.pairs[:10]
        rows = [[str(p.mentor), str(p.mentee), p.score, p.required] for p in shown]
        caption = (
            f"first {len(shown)} of {len(self.pairs)} pairs"
            if len(self.pairs) > len(shown)
            else f"{len(shown)} pairs"
        )
        return (
            "<div><strong>Matching</strong>\n"
            + _html.keyvalues(figures)
            + "\n"
            + _html.table(["mentor", "mentee", "score", "required"], rows, caption=caption)
            + "</div>"
        )

    def __repr__(self) -> str:
        return (
            f"Matching(pairs={len(self.pairs)}, unmatched_mentors={len(self.unmatched_mentors)}, "
            f"unmatched_mentees={len(self.unmatched_mentees)}, objective={self.objective:.6g}, "
            f"status={self.status!r}, gap={self.gap:.2g}, method={self.method!r}, "
            f"time={self.wall_time:.3g}s)"
        )


# -- tables of a matching: built once, for to_records, to_frame, to_dict and rm_match.io ------

#: The fields of a :class:`~rm_match.goals.GoalCheck`, in the order :meth:`Matching.to_dict`
#: gives them.
_GOAL_FIELDS = ("goal", "met", "value", "at_least", "at_most", "suppressed", "required", "achieved")

#: Carried-through columns, keyed by participant id (see :meth:`Matching.to_frame`).
_Carried = Mapping[Any, Mapping[str, Any]]


def _pandas(what: str) -> Any:
    """The pandas module, or an ImportError that says how to install it."""
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(f"Matching.{what} needs pandas: pip install 'rm-match[pandas]'") from exc
    return pd


def _reason_kind(reason: object) -> str | None:
    """The ``kind`` of an unmatched reason (:class:`rm_match.explain.Reason`), else ``None``.

    >>> _reason_kind("plain text") is None
    True
    """
    kind = getattr(reason, "kind", None)
    return kind if isinstance(kind, str) else None


def _json_safe(value: Any) -> Any:
    """``value`` made of ``str``, ``int``, ``float``, ``bool``, ``None``, ``list`` and ``dict``
    (``str`` keys) only: numpy scalars and arrays converted, non-finite floats to ``None``,
    ``str`` subclasses to plain ``str``, anything else to its ``str``.

    >>> _json_safe({"a": np.int64(3), 1: (np.float32(0.5), float("nan"), np.bool_(True))})
    {'a': 3, '1': [0.5, None, True]}
    """
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Mapping):
        return {
            (key if type(key) is str else str(_json_safe(key))): _json_safe(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_json_safe(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return [_json_safe(item) for item in sorted(value, key=repr)]
    return str(value)


def _carried(value: object, argument: str, side: str) -> tuple[_Carried, list[str]]:
    """``value`` checked as carried-through columns (id → column name → value), with the
    column names in order of first appearance. Messages name ids and types, never values."""
    if value is None:
        return {}, []
    expected = f"`{argument}` must map each {side} id to a mapping of column name to value"
    if not isinstance(value, Mapping):
        raise ValidationError(f"{expected}; got {type(value).__name__}.", argument=argument)
    names: dict[str, None] = {}
    for pid, row in value.items():
        if not isinstance(row, Mapping):
            raise ValidationError(
                f"{expected}; the entry of {side} {pid!r} is a {type(row).__name__}.",
                argument=argument,
                participant=pid,
            )
        for name in row:
            if not isinstance(name, str):
                raise ValidationError(
                    f"{expected}; the entry of {side} {pid!r} has a column name of type "
                    f"{type(name).__name__} (column names must be strings).",
                    argument=argument,
                    participant=pid,
                )
            names.setdefault(name)
    return value, list(names)


def _clash(argument: str, names: Mapping[str, str], fixed: list[str]) -> None:
    """Raise when a carried column (``names``: as given → as written) takes the name of a
    column the table already has."""
    for given, written in names.items():
        if written in fixed:
            raise ValidationError(
                f"`{argument}`: the carried column {given!r} would be written as "
                f"{written!r}, a column the table already has; rename it.",
                argument=argument,
                column=given,
            )


def _pair_table(
    matching: Matching,
    mentor_columns: object = None,
    mentee_columns: object = None,
    *,
    joined: bool = False,
    drop_terms: tuple[str, ...] = (),
) -> tuple[list[str], list[dict[str, Any]]]:
    """The column names and one row (dict) per pair of ``matching``.

    Columns: ``mentor``, ``mentee``, the carried columns (``mentor_<name>``, then
    ``mentee_<name>``), ``score``, each term (the report's, less ``drop_terms``),
    ``mentor_teaches``, ``mentee_teaches`` (lists, or ``"; "``-joined strings when
    ``joined``), ``required``, ``reason``.

    >>> from rm_match import match, synthetic
    >>> m = match(*synthetic.cohort(3, 3, rng=1))
    >>> columns, rows = _pair_table(m, {"J0000": {"Name": "Ada"}}, joined=True)
    >>> columns[:3], len(rows), type(rows[0]["mentor_teaches"]).__name__
    (['mentor', 'mentee', 'mentor_Name'], 3, 'str')
    """
    m_rows, m_names = _carried(mentor_columns, "mentor_columns", "mentor")
    e_rows, e_names = _carried(mentee_columns, "mentee_columns", "mentee")
    terms = list(matching.report.terms) if matching.report is not None else []
    for pair in matching.pairs:
        terms.extend(name for name in pair.terms if name not in terms)
    terms = [name for name in terms if name not in drop_terms]
    fixed = ["mentor", "mentee", "score", *terms, "mentor_teaches", "mentee_teaches"]
    fixed += ["required", "reason"]
    m_cols = {name: f"mentor_{name}" for name in m_names}
    e_cols = {name: f"mentee_{name}" for name in e_names}
    _clash("mentor_columns", m_cols, fixed)
    _clash("mentee_columns", e_cols, fixed)
    columns = [*fixed[:2], *m_cols.values(), *e_cols.values(), *fixed[2:]]

    rows = []
    for pair in matching.pairs:
        row: dict[str, Any] = {"mentor": pair.mentor, "mentee": pair.mentee}
        for carried, cols, pid in ((m_rows, m_cols, pair.mentor), (e_rows, e_cols, pair.mentee)):
            if cols:
                person = carried.get(pid) or {}
                row.update((written, person.get(given)) for given, written in cols.items())
        row["score"] = pair.score
        row.update((name, pair.terms.get(name)) for name in terms)
        for side, skills in (("mentor", pair.mentor_teaches), ("mentee", pair.mentee_teaches)):
            row[f"{side}_teaches"] = "; ".join(skills) if joined else list(skills)
        row["required"] = pair.required
        row["reason"] = pair.reason
        rows.append(row)
    return columns, rows


def _unmatched_table(
    matching: Matching, mentor_columns: object = None, mentee_columns: object = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """The column names and one row (dict) per unmatched participant of ``matching``:
    ``side``, ``id``, the carried columns (both sides' names in one set, unprefixed),
    ``reason``, ``reason_kind``. Mentors first.

    >>> from rm_match import match, synthetic
    >>> m = match(*synthetic.cohort(4, 3, rng=1))
    >>> columns, rows = _unmatched_table(m)
    >>> columns, len(rows), rows[0]["side"]
    (['side', 'id', 'reason', 'reason_kind'], 1, 'mentor')
    """
    m_rows, m_names = _carried(mentor_columns, "mentor_columns", "mentor")
    e_rows, e_names = _carried(mentee_columns, "mentee_columns", "mentee")
    fixed = ["side", "id", "reason", "reason_kind"]
    _clash("mentor_columns", {name: name for name in m_names}, fixed)
    _clash("mentee_columns", {name: name for name in e_names}, fixed)
    names = list(dict.fromkeys([*m_names, *e_names]))
    rows = []
    for side, unmatched, carried in (
        ("mentor", matching.unmatched_mentors, m_rows),
        ("mentee", matching.unmatched_mentees, e_rows),
    ):
        for pid, reason in unmatched.items():
            row: dict[str, Any] = {"side": side, "id": pid}
            if names:
                person = carried.get(pid) or {}
                row.update((name, person.get(name)) for name in names)
            row["reason"] = str(reason)
            row["reason_kind"] = _reason_kind(reason)
            rows.append(row)
    return [*fixed[:2], *names, *fixed[2:]], rows
