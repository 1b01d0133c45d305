"""Participants' own views of their candidates: rankings, ratings and vetoes.

A survey asks each participant about people on the other side: a ranked "top 5", a rating
from 1 to 5, or a veto ("not this person"). :class:`Preferences` holds the answers by
participant id; bound to a cohort (:meth:`Preferences.bind`) they become arrays that the
programme uses in three ways:

- the **``preference`` score term** (:mod:`rm_match.terms`), weighted like any term: for a
  pair, ``mentor_share · u(mentor → mentee) + (1 - mentor_share) · u(mentee → mentor)``,
  where each side's utility ``u`` in [0, 1] is, by the documented mapping
  (:func:`rank_utility`, :func:`rating_utility`):

  - a **rank** ``r`` (1 is best) among the ``L`` candidates a person ranked (or their
    largest rank, where higher): ``(L - r + 1) / L`` — the first choice 1, the last
    ``1/L``;
  - a **rating** ``x`` on the scale ``(lo, hi)``: ``(x - lo) / (hi - lo)``;
  - a candidate the person did not mention, or vetoed: 0.

- **vetoes as hard rules** (:class:`rm_match.rules.Vetoes`): a vetoed pair is never
  chosen, whichever side vetoed it;
- **mutual acceptability** as an option (:class:`rm_match.rules.MutuallyAcceptable`): only
  pairs in which each side ranked or rated the other.

Preferences are participant data, like the org chart: they go to :func:`rm_match.match`
(and :func:`rm_match.stable_match`, :func:`rm_match.rotate`, :func:`rm_match.rematch`,
:class:`rm_match.Problem` — which :func:`rm_match.verify` takes —, :func:`rm_match.report`,
:func:`rm_match.learn_weights`, …) as ``preferences=``, while the programme says how much
they weigh. Ids are checked when bound: an answer that names
an unknown id, names someone on the same side, or answers about the same person twice is a
:class:`~rm_match.ValidationError` naming the entry and the participant. Reprs and messages
carry ids and counts, never the answers.

Examples
--------
>>> from rm_match import People, Preferences
>>> mentors = People(["j1", "j2"], skills=["ai"], offers=[[1.0], [0.5]], wants=[[0], [0]])
>>> mentees = People(["s1", "s2"], skills=["ai"], offers=[[0.0], [0.0]], wants=[[1], [1]])
>>> prefs = Preferences.from_rankings({"s1": ["j2", "j1"], "j1": ["s2"]}, vetoes={"s2": ["j2"]})
>>> prefs
Preferences(entries=4, people=3, ranks=3, ratings=0, vetoes=1)
>>> bound = prefs.bind(mentors, mentees)
>>> bound.mentee_utility.toarray().tolist()  # s1 ranked j2 first (1.0), j1 second (0.5)
[[0.5, 0.0], [1.0, 0.0]]
>>> bound.vetoed.toarray().tolist()
[[False, False], [False, True]]
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._checks import check_real, is_collection
from .errors import TableError, ValidationError
from .people import People

__all__ = [
    "Answer",
    "BoundPreferences",
    "Preferences",
    "rank_utility",
    "rating_utility",
]


def rank_utility(rank: np.ndarray, listed: np.ndarray) -> np.ndarray:
    """Utility in (0, 1] of a rank ``r`` (1 is best) among ``L`` ranked candidates:
    ``(L - r + 1) / L``. ``listed`` is ``L`` for each rank: the number of candidates the
    person ranked, or their largest rank where that is higher (ranks 1, 2, 4 count 4).

    Examples
    --------
    >>> rank_utility(np.array([1, 2, 5]), np.array([5, 5, 5])).tolist()
    [1.0, 0.8, 0.2]
    """
    length = np.maximum(listed, rank).astype(np.float64)
    return (length - rank + 1.0) / length


def rating_utility(rating: np.ndarray, scale: tuple[float, float]) -> np.ndarray:
    """Utility in [0, 1] of a rating ``x`` on the scale ``(lo, hi)``: ``(x - lo) / (hi - lo)``.

    Examples
    --------
    >>> rating_utility(np.array([1.0, 3.0, 5.0]), (1, 5)).tolist()
    [0.0, 0.5, 1.0]
    """
    lo, hi = scale
    return (np.asarray(rating, dtype=np.float64) - lo) / (hi - lo)


@dataclass(frozen=True)
class Answer:
    """One participant's answer about one candidate: exactly one of a rank, a rating or a
    veto.

    Attributes
    ----------
    who : hashable
        The participant answering (either side).
    about : hashable
        The candidate, on the other side.
    rank : int or None
        1 is the first choice.
    rating : float or None
        On the preferences' scale.
    veto : bool
        ``True``: the pair must never be chosen.
    """

    who: Hashable
    about: Hashable
    rank: int | None = None
    rating: float | None = None
    veto: bool = False


def _is_missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _truthy(v: object, where: str, pid: Hashable) -> bool:
    if _is_missing(v):
        return False
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, numbers.Integral) and int(v) in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in (
        "true",
        "yes",
        "y",
        "1",
        "false",
        "no",
        "n",
        "0",
        "",
    ):
        return v.strip().lower() in ("true", "yes", "y", "1")
    raise ValidationError(
        f"{where}: `veto` must be true or false (or blank).", argument="veto", participant=pid
    )


class Preferences:
    """Participants' rankings, ratings and vetoes of candidates on the other side.

    Parameters
    ----------
    answers : iterable of Answer, optional
        The answers; each person answers about a candidate at most once, and uses ranks or
        ratings, not both (vetoes go with either).
    scale : (float, float), default (1, 5)
        The rating scale's lowest and highest values.
    mentor_share : float in [0, 1], default 0.5
        The share of the ``preference`` term that comes from mentors' answers (the rest
        from mentees').

    Raises
    ------
    ValidationError
        An answer without a rank, rating or veto (or with two of them), a rank below 1, a
        rating outside the scale, a person who answers about the same candidate twice or
        mixes ranks and ratings — naming the entry (1-based) and the participant.

    See Also
    --------
    Preferences.from_records, Preferences.from_rankings : build from plain data.
    rm_match.io.read_preferences : read a survey table (long format).

    Examples
    --------
    >>> from rm_match import Preferences
    >>> p = Preferences.from_records([
    ...     {"who": "s1", "about": "j1", "rating": 5},
    ...     {"who": "s1", "about": "j2", "rating": 2},
    ...     {"who": "j2", "about": "s1", "veto": True},
    ... ])
    >>> len(p), p.people
    (3, 2)
    """

    def __init__(
        self,
        answers: Iterable[Answer] = (),
        *,
        scale: tuple[float, float] = (1, 5),
        mentor_share: float = 0.5,
    ) -> None:
        if not is_collection(answers) and not isinstance(answers, Iterable):
            raise ValidationError(
                f"`answers` must be an iterable of Answer; got {type(answers).__name__}.",
                argument="answers",
            )
        self.scale = _check_scale(scale)
        self.mentor_share = check_real(mentor_share, "mentor_share", low=0, high=1)
        items = tuple(answers)
        seen: set[tuple[Hashable, Hashable]] = set()
        kinds: dict[Hashable, str] = {}
        for i, a in enumerate(items, start=1):
            if not isinstance(a, Answer):
                raise ValidationError(
                    f"answer {i}: must be an Answer; got {type(a).__name__}.", argument="answers"
                )
            where = f"answer {i} (from {a.who!r})"
            _check_id(a.who, where, "who")
            _check_id(a.about, where, "about")
            if not isinstance(a.veto, (bool, np.bool_)):
                raise ValidationError(
                    f"{where}: `veto` must be True or False.",
                    argument="veto",
                    participant=a.who,
                )
            given = [a.rank is not None, a.rating is not None, bool(a.veto)]
            if sum(given) != 1:
                raise ValidationError(
                    f"{where}: give exactly one of a rank, a rating or a veto (got {sum(given)}).",
                    argument="answers",
                    participant=a.who,
                )
            if a.rank is not None and (
                not isinstance(a.rank, numbers.Integral) or isinstance(a.rank, bool) or a.rank < 1
            ):
                raise ValidationError(
                    f"{where}: a rank must be an integer ≥ 1 (1 is the first choice).",
                    argument="rank",
                    participant=a.who,
                )
            if a.rating is not None:
                r = a.rating
                lo, hi = self.scale
                ok = isinstance(r, numbers.Real) and not isinstance(r, bool)
                if not ok or not lo <= float(r) <= hi:
                    raise ValidationError(
                        f"{where}: a rating must be a number from {lo:g} to {hi:g} (the `scale`).",
                        argument="rating",
                        participant=a.who,
                    )
            if (a.who, a.about) in seen:
                raise ValidationError(
                    f"{where}: {a.who!r} answers about {a.about!r} twice.",
                    argument="answers",
                    participant=a.who,
                )
            seen.add((a.who, a.about))
            if not a.veto:
                kind = "rank" if a.rank is not None else "rating"
                if kinds.setdefault(a.who, kind) != kind:
                    raise ValidationError(
                        f"{where}: {a.who!r} gives both ranks and ratings; use one or the other.",
                        argument="answers",
                        participant=a.who,
                    )
        self.answers: tuple[Answer, ...] = items

    # -- constructors ---------------------------------------------------------------------------

    @classmethod
    def from_records(
        cls,
        records: Iterable[Mapping[str, Any]],
        *,
        scale: tuple[float, float] = (1, 5),
        mentor_share: float = 0.5,
    ) -> Preferences:
        """Preferences from long-format records: ``who``, ``about`` and one of ``rank``,
        ``rating`` or ``veto`` per record (missing values — ``None``, NaN — are absent).

        Examples
        --------
        >>> Preferences.from_records([{"who": "s1", "about": "j1", "rank": 1}]).answers
        (Answer(who='s1', about='j1', rank=1, rating=None, veto=False),)
        """
        if isinstance(records, Mapping) or not isinstance(records, Iterable):
            raise ValidationError(
                "`records` must be an iterable of mappings (who, about, rank | rating | veto).",
                argument="records",
            )
        answers = []
        for i, rec in enumerate(records, start=1):
            if not isinstance(rec, Mapping):
                raise ValidationError(
                    f"record {i}: must be a mapping; got {type(rec).__name__}.",
                    argument="records",
                )
            unknown = set(rec) - {"who", "about", "rank", "rating", "veto"}
            if unknown:
                raise ValidationError(
                    f"record {i}: unknown key(s) {sorted(map(str, unknown))}; expected who, "
                    "about and one of rank, rating, veto.",
                    argument="records",
                    participant=rec.get("who"),
                )
            for key in ("who", "about"):
                if _is_missing(rec.get(key)):
                    raise ValidationError(f"record {i}: `{key}` is missing.", argument=key)
            who, about = rec["who"], rec["about"]
            rank, rating = rec.get("rank"), rec.get("rating")
            answers.append(
                Answer(
                    who,
                    about,
                    rank=None if _is_missing(rank) else _as_rank(rank, i, who),
                    rating=None if _is_missing(rating) else _as_rating(rating, i, who),
                    veto=_truthy(rec.get("veto"), f"record {i}", who),
                )
            )
        return cls(answers, scale=scale, mentor_share=mentor_share)

    @classmethod
    def from_rankings(
        cls,
        rankings: Mapping[Hashable, Sequence[Hashable]],
        *,
        vetoes: Mapping[Hashable, Iterable[Hashable]] | None = None,
        mentor_share: float = 0.5,
    ) -> Preferences:
        """Preferences from ordered lists: ``{who: [first choice, second, …]}``, and
        optionally ``{who: [vetoed, …]}``.

        Examples
        --------
        >>> Preferences.from_rankings({"s1": ["j2", "j1"]}).answers[0].rank
        1
        """
        for name, value in (("rankings", rankings), ("vetoes", vetoes)):
            if (value is not None or name == "rankings") and not isinstance(value, Mapping):
                raise ValidationError(
                    f"`{name}` must be a mapping of participant id to a list of ids.",
                    argument=name,
                )
        answers = []
        for who, ranked in rankings.items():
            if not is_collection(ranked):
                raise ValidationError(
                    f"`rankings[{who!r}]` must be a list of ids, first choice first.",
                    argument="rankings",
                    participant=who,
                )
            answers += [Answer(who, about, rank=r) for r, about in enumerate(ranked, start=1)]
        for who, vetoed in (vetoes or {}).items():
            if not is_collection(vetoed):
                raise ValidationError(
                    f"`vetoes[{who!r}]` must be a list of ids.",
                    argument="vetoes",
                    participant=who,
                )
            answers += [Answer(who, about, veto=True) for about in vetoed]
        return cls(answers, mentor_share=mentor_share)

    # -- views ----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.answers)

    @property
    def people(self) -> int:
        """How many participants answered."""
        return len({a.who for a in self.answers})

    def to_records(self) -> list[dict[str, Any]]:
        """The answers as long-format records (the inverse of :meth:`from_records`)."""
        out = []
        for a in self.answers:
            rec: dict[str, Any] = {"who": a.who, "about": a.about}
            if a.rank is not None:
                rec["rank"] = a.rank
            elif a.rating is not None:
                rec["rating"] = a.rating
            else:
                rec["veto"] = True
            out.append(rec)
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Preferences):
            return NotImplemented
        return (self.answers, self.scale, self.mentor_share) == (
            other.answers,
            other.scale,
            other.mentor_share,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        ranks = sum(a.rank is not None for a in self.answers)
        ratings = sum(a.rating is not None for a in self.answers)
        vetoes = sum(a.veto for a in self.answers)
        return (
            f"Preferences(entries={len(self)}, people={self.people}, ranks={ranks}, "
            f"ratings={ratings}, vetoes={vetoes})"
        )

    def among(self, mentors: People, mentees: People) -> Preferences:
        """The answers between people of these tables only: those by or about anybody
        else (a participant who has left) are dropped.

        Examples
        --------
        >>> from rm_match import People
        >>> m = People(["j1"], skills=["ai"], offers=[[1]], wants=[[0]])
        >>> e = People(["s1"], skills=["ai"], offers=[[0]], wants=[[1]])
        >>> Preferences.from_rankings({"s1": ["j1", "j9"], "s9": ["j1"]}).among(m, e)
        Preferences(entries=1, people=1, ranks=1, ratings=0, vetoes=0)
        """
        here = [
            a
            for a in self.answers
            if all(
                _known(x, mentors, mentees) in mentors or _known(x, mentors, mentees) in mentees
                for x in (a.who, a.about)
            )
        ]
        return Preferences(here, scale=self.scale, mentor_share=self.mentor_share)

    # -- binding --------------------------------------------------------------------------------

    def bind(self, mentors: People, mentees: People) -> BoundPreferences:
        """The answers as (n_mentors × n_mentees) sparse arrays over this cohort.

        Raises
        ------
        ValidationError
            An answer whose ``who`` or ``about`` is nobody in the cohort, or who answers
            about someone on their own side (naming the entry and the participant).
        """
        n_m, n_e = mentors.n, mentees.n
        k = len(self.answers)
        is_mentor = np.zeros(k, dtype=bool)  # the answer is a mentor's
        mi, ei = np.zeros(k, dtype=np.intp), np.zeros(k, dtype=np.intp)
        folded = _folded(mentors, mentees)
        problems: list[ValidationError] = []
        for i, a in enumerate(self.answers):
            where = f"preferences, answer {i + 1} (from {a.who!r})"
            who = _known(a.who, mentors, mentees, folded)
            about = _known(a.about, mentors, mentees, folded)
            if who in mentors:
                side, own, others, other = "mentor", mentors, mentees, "mentees"
            elif who in mentees:
                side, own, others, other = "mentee", mentees, mentors, "mentors"
            else:
                problems.append(
                    ValidationError(
                        f"{where}: {a.who!r} is neither a mentor nor a mentee.",
                        argument="preferences",
                        participant=a.who,
                    )
                )
                continue
            if about not in others:
                why = (
                    f"is on the same side ({side}s answer about {other})"
                    if about in own
                    else f"is none of the {other}"
                )
                problems.append(
                    ValidationError(
                        f"{where}: the candidate {a.about!r} {why}.",
                        argument="preferences",
                        participant=a.who,
                    )
                )
                continue
            is_mentor[i] = side == "mentor"
            mine, theirs = own.index(who), others.index(about)
            mi[i], ei[i] = (mine, theirs) if is_mentor[i] else (theirs, mine)
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise TableError(problems, summary=f"{len(problems)} answers name nobody here:")
        veto = np.array([a.veto for a in self.answers], dtype=bool)
        ranked = np.array([a.rank is not None for a in self.answers], dtype=bool)
        value = np.array(
            [a.rank if a.rank is not None else (a.rating or 0.0) for a in self.answers],
            dtype=np.float64,
        )
        shape = (n_m, n_e)
        person = np.where(is_mentor, mi, n_m + ei)  # one number per person, both sides
        # L: how many candidates the person ranked, or their largest rank if above
        length = np.bincount(person[ranked], minlength=n_m + n_e)
        np.maximum.at(length, person[ranked], np.minimum(value[ranked], 2**62).astype(np.int64))
        util = np.zeros(k)
        util[ranked] = rank_utility(value[ranked], length[person[ranked]])
        rated = ~ranked & ~veto
        util[rated] = rating_utility(value[rated], self.scale)

        def sparse(sel: np.ndarray, data: np.ndarray) -> sp.csr_array:
            return sp.csr_array((data[sel], (mi[sel], ei[sel])), shape=shape)

        answered = ~veto
        ones = np.ones(k, dtype=bool)
        return BoundPreferences(
            mentor_utility=sparse(answered & is_mentor, util),
            mentee_utility=sparse(answered & ~is_mentor, util),
            mentor_listed=sparse(answered & is_mentor, ones),
            mentee_listed=sparse(answered & ~is_mentor, ones),
            # a pair vetoed by both sides appears twice: summed, still True
            vetoed=sp.csr_array(sparse(veto, ones.astype(np.int64)) > 0),
            mentor_share=self.mentor_share,
        )


@dataclass(frozen=True)
class BoundPreferences:
    """:class:`Preferences` over a cohort: sparse (n_mentors × n_mentees) arrays.

    Attributes
    ----------
    mentor_utility, mentee_utility : scipy.sparse.csr_array of float
        Each side's utility in [0, 1] of each pair (0 where not mentioned):
        ``mentor_utility[i, j]`` is mentor i's view of mentee j, ``mentee_utility[i, j]``
        mentee j's view of mentor i.
    mentor_listed, mentee_listed : scipy.sparse.csr_array of bool
        Where each side ranked or rated the other (vetoes excluded).
    vetoed : scipy.sparse.csr_array of bool
        Pairs vetoed by either side.
    mentor_share : float
        The share of the ``preference`` term from mentors' answers.
    """

    mentor_utility: sp.csr_array
    mentee_utility: sp.csr_array
    mentor_listed: sp.csr_array
    mentee_listed: sp.csr_array
    vetoed: sp.csr_array
    mentor_share: float

    @property
    def term(self) -> sp.csr_array:
        """The ``preference`` term's values (0 where neither side said anything)."""
        s = self.mentor_share
        return sp.csr_array(s * self.mentor_utility + (1.0 - s) * self.mentee_utility)

    @property
    def mutual(self) -> sp.csr_array:
        """Pairs each side ranked or rated (and neither vetoed)."""
        both = self.mentor_listed.multiply(self.mentee_listed)
        return sp.csr_array(both > self.vetoed)


def pick(matrix: sp.csr_array, mi: np.ndarray, ei: np.ndarray, outer: bool) -> np.ndarray:
    """Dense values of a sparse (n_mentors × n_mentees) array: the block ``mi × ei``
    (outer) or the pairs ``(mi[k], ei[k])``."""
    if outer:
        return np.asarray(matrix[mi][:, ei].toarray())
    if len(mi) == 0:
        return np.zeros(0, dtype=matrix.dtype)
    return np.asarray(matrix[mi, ei]).ravel()


def _folded(mentors: People, mentees: People) -> dict[str, Hashable]:
    """Text ids by their case-folded, stripped form, where only one id has that form."""
    seen: dict[str, list[Hashable]] = {}
    for pid in [*mentors.ids.tolist(), *mentees.ids.tolist()]:
        if isinstance(pid, str):
            seen.setdefault(pid.strip().casefold(), []).append(pid)
    return {k: v[0] for k, v in seen.items() if len(v) == 1}


def _known(
    pid: Hashable, mentors: People, mentees: People, folded: Mapping[str, Hashable] | None = None
) -> Hashable:
    """``pid`` as the cohort writes it: an id read as text from a survey file (``"17"``)
    finds the participant whose id is the whole number 17, and the other way round; a text
    id that differs only in letter case or surrounding spaces finds the one id of that form
    (e-mail addresses typed by hand), as the HR tables' reader merges them."""
    if pid in mentors or pid in mentees:
        return pid
    if isinstance(pid, str) and pid.strip().lstrip("-").isdigit():
        alt: Hashable = int(pid.strip())
    elif isinstance(pid, numbers.Integral) and not isinstance(pid, bool):
        alt = str(pid)
    elif isinstance(pid, str):
        table = folded if folded is not None else _folded(mentors, mentees)
        alt = table.get(pid.strip().casefold(), pid)
    else:
        return pid
    return alt if alt in mentors or alt in mentees else pid


def _check_scale(scale: object) -> tuple[float, float]:
    values = list(scale) if is_collection(scale) else []
    ok = len(values) == 2 and all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) for v in values
    )
    if not ok or float(values[0]) >= float(values[1]):
        raise ValidationError(
            "`scale` must be two finite numbers (lowest, highest), lowest first.",
            argument="scale",
        )
    return float(values[0]), float(values[1])


def _check_id(pid: object, where: str, key: str) -> None:
    if _is_missing(pid) or not isinstance(pid, Hashable) or isinstance(pid, bool):
        raise ValidationError(f"{where}: `{key}` must be a participant id.", argument=key)


def _as_rank(v: object, i: int, who: Hashable) -> int:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, str) and v.strip().isdigit():
        v = int(v.strip())
    if not isinstance(v, numbers.Integral) or isinstance(v, bool):
        raise ValidationError(
            f"record {i} (from {who!r}): a rank must be an integer ≥ 1.",
            argument="rank",
            participant=who,
        )
    return int(v)


def _as_rating(v: object, i: int, who: Hashable) -> float:
    if isinstance(v, str):
        try:
            v = float(v.strip())
        except ValueError:
            v = None
    if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(float(v)):
        raise ValidationError(
            f"record {i} (from {who!r}): a rating must be a number.",
            argument="rating",
            participant=who,
        )
    return float(v)
