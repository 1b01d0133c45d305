"""Results: :class:`Assignment` (array layer) and :class:`Matching` (participants, explained).

Both are immutable and say how good they are: ``objective`` (total score of the chosen pairs),
``bound`` (a proven upper bound on the best objective under the same policy), relative ``gap``
``(bound - objective) / max(|objective|, 1)`` and ``status`` (``"optimal"`` when the gap is
within 1e-9, else ``"feasible"``; ``"infeasible"`` when nothing satisfies the rules).
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Assignment", "Matching", "PairExplanation", "Report", "relative_gap"]

#: Aggregates over fewer pairs (or people) than this are suppressed (``None``) in every
#: report: :class:`Report`, :class:`~rm_match.goals.GoalCheck`, and the texts made of them.
MIN_GROUP = 5

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
        # The diversity term stays out of the text: it speaks of protected attributes.
        extra = [
            f"{name} {value:.2f}"
            for name, value in self.terms.items()
            if name not in ("learning", "diversity")
        ]
        if extra:
            parts.append("; ".join(extra))
        return "; ".join(parts) if parts else "allowed pair, no learning value"

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.terms.items() if k != "diversity"}
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
        }


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
        """One dict per pair: ids, score, each term, top skills, reason.

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> m = match(*synthetic.cohort(3, 3, rng=1))
        >>> sorted(m.to_records()[0])
        ['interests', 'language', 'learning', 'mentee', 'mentee_teaches', 'mentor', \
'mentor_teaches', 'reason', 'required', 'score', 'timezone']
        """
        out = []
        for p in self.pairs:
            rec: dict[str, Any] = {"mentor": p.mentor, "mentee": p.mentee, "score": p.score}
            rec.update(p.terms)
            rec["mentor_teaches"] = list(p.mentor_teaches)
            rec["mentee_teaches"] = list(p.mentee_teaches)
            rec["required"] = p.required
            rec["reason"] = p.reason
            out.append(rec)
        return out

    def to_frame(self) -> pd.DataFrame:
        """The pairs as a pandas DataFrame (needs the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Matching.to_frame needs pandas: pip install 'rm-match[pandas]'"
            ) from exc
        return pd.DataFrame.from_records(
            self.to_records(),
            columns=[
                "mentor",
                "mentee",
                "score",
                *(self.report.terms if self.report is not None else ()),
                "mentor_teaches",
                "mentee_teaches",
                "required",
                "reason",
            ],
        )

    def __repr__(self) -> str:
        return (
            f"Matching(pairs={len(self.pairs)}, unmatched_mentors={len(self.unmatched_mentors)}, "
            f"unmatched_mentees={len(self.unmatched_mentees)}, objective={self.objective:.6g}, "
            f"status={self.status!r}, gap={self.gap:.2g}, method={self.method!r}, "
            f"time={self.wall_time:.3g}s)"
        )
