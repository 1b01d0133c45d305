"""Learning term weights from feedback, and evaluating what a programme achieved.

Three pieces:

- :class:`Feedback`: a validated, immutable table of rated pairs (one row per pair and
  round: the mentor's and the mentee's rating on a scale, and the skills reported gained).
  :meth:`Feedback.from_records` builds one from dicts; :func:`rm_match.io.read_feedback`
  reads one from a CSV file or a DataFrame; :func:`rm_match.synthetic.feedback` simulates
  one from known weights.
- :func:`learn_weights`: which score terms predict the ratings. It fits the ratings (scaled
  to [0, 1]) as ``intercept + Σ_t β_t·term_t(pair)`` with ``β ≥ 0`` (ridge-penalised
  non-negative least squares), and turns ``β`` into programme weights ``β / Σβ`` (the pair
  score is a weighted *mean* of the terms, so only ratios matter). The answer says how sure
  it is: bootstrap intervals per weight and cross-validated fit against the previous
  weights and a constant.
- :func:`evaluate_programme`: growth between a pre- and a post-programme skill
  self-assessment, per side and skill (mean change, paired t-test, Wilcoxon signed-rank
  test, Cohen's d_z), and which pair terms predicted it.

Reports carry ids, counts and aggregates only; a group of fewer than 5 people is
suppressed (its statistics are ``None``).

Examples
--------
>>> import numpy as np
>>> from rm_match import Programme, synthetic
>>> from rm_match.learn import learn_weights
>>> mentors, mentees = synthetic.cohort(40, 40, rng=1)
>>> gen = np.random.default_rng(2)
>>> pairs = [(mentors.ids[i], mentees.ids[j], r)
...          for r in range(4) for i, j in enumerate(gen.permutation(40))]
>>> truth = {"learning": 0.6, "interests": 0.2, "timezone": 0.2}
>>> fb = synthetic.feedback(mentors, mentees, pairs, weights=truth, noise=0.3, rng=3)
>>> fit = learn_weights(fb, mentors, mentees, Programme(weights={"learning": 1.0,
...                     "interests": 1.0, "timezone": 1.0}), n_bootstrap=50, rng=4)
>>> {t: round(w, 1) for t, w in fit.weights.items()}
{'learning': 0.6, 'interests': 0.2, 'timezone': 0.2}
>>> fit.cv["learned"]["r2"] > fit.cv["previous"]["r2"] > fit.cv["constant"]["r2"]
True
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings as _warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._checks import ReadOnlyDict, check_choice, check_int, check_real, check_rng, is_collection
from .errors import TableError, ValidationError
from .people import People
from .preferences import Preferences
from .problem import Problem
from .programme import Programme
from .terms import TERMS, scaled_wants

__all__ = [
    "FEEDBACK_FIELDS",
    "MIN_GROUP",
    "TARGETS",
    "Evaluation",
    "Feedback",
    "LearnedWeights",
    "evaluate_programme",
    "learn_weights",
]

#: The columns of a feedback table (and the keys of :meth:`Feedback.from_records`).
FEEDBACK_FIELDS = ("mentor", "mentee", "round", "mentor_rating", "mentee_rating", "gained")

#: Whose ratings :func:`learn_weights` fits.
TARGETS = ("both", "mentor", "mentee")

#: Groups smaller than this are suppressed in reports (and the smallest `min_group` allowed).
MIN_GROUP = 5

#: Below this many rated pairs :meth:`LearnedWeights.summary` warns.
FEW_PAIRS = 50

#: An interval wider than this (in share of the total weight) is called wide.
WIDE_INTERVAL = 0.25

_NOT_GIVEN = -1


class _Bad:
    """A cell a reader could not parse (already reported): skipped by the checks."""

    __slots__ = ()


#: The marker :func:`rm_match.io.read_feedback` passes for a cell it reported.
BAD = _Bad()


# -- feedback tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Locator:
    """Where a feedback row came from, for messages: ``"record 3"`` (in memory) or
    ``"feedback.csv, row 5"`` (a file read by :mod:`rm_match.io`)."""

    file: str | None = None
    rows: Sequence[int] | None = None
    positional: bool = True
    headers: Mapping[str, str] = field(default_factory=dict)

    def row(self, i: int) -> int:
        return i if self.rows is None else int(self.rows[i])

    def error(
        self, i: int | None, column: str | None, what: str, participant: Hashable = None
    ) -> ValidationError:
        parts = []
        if self.file is not None:
            parts.append(self.file)
        row = None
        if i is not None:
            row = self.row(i)
            noun = "record" if self.file is None else ("position" if self.positional else "row")
            parts.append(f"{noun} {row}")
        header = None if column is None else self.headers.get(column, column)
        if header is not None:
            parts.append(f"column {header!r}")
        if participant is not None:
            parts.append(f"participant {participant!r}")
        return ValidationError(
            f"{', '.join(parts)}: {what}" if parts else what,
            argument="feedback",
            participant=participant,
            file=self.file,
            row=row,
            column=header,
        )


def _raise(problems: Sequence[ValidationError]) -> None:
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise TableError(problems, summary=f"{len(problems)} problem(s) in the feedback:")


def _check_scale(scale: object) -> tuple[float, float]:
    bad = ValidationError(
        "`scale` must be a pair (lowest, highest) of finite numbers with lowest < highest.",
        argument="scale",
    )
    if not is_collection(scale):
        raise bad
    items = list(scale)
    if len(items) != 2:
        raise bad
    try:
        lo, hi = (check_real(v, "scale") for v in items)
    except ValidationError:
        raise bad from None
    if not lo < hi:
        raise bad
    return lo, hi


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, np.floating) and bool(np.isnan(value))


def _rating(value: object) -> float | None:
    """A rating cell as a float: a number, or a numeric text (``" 4 "``, ``"3.5"``); None for
    anything else (a non-numeric or non-finite text, a bool, another type)."""
    if isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            return None
        return x if math.isfinite(x) else None
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return None
    return float(value)


def _id(value: object) -> Hashable:
    """An id as a str or int, or None if it is not a valid id."""
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return None


def _columns(
    n: int,
    data: Mapping[str, Sequence[Any] | None],
    scale: tuple[float, float],
    loc: _Locator,
) -> tuple[dict[str, Any], list[ValidationError]]:
    """Check the raw columns of a feedback table: the normalised columns and every problem."""
    problems: list[ValidationError] = []
    lo, hi = scale
    ids: dict[str, list[Hashable]] = {}
    for side in ("mentor", "mentee"):
        col = data.get(side)
        out: list[Hashable] = []
        for i in range(n):
            v = None if col is None else col[i]
            if v is BAD:
                out.append(None)
                continue
            pid = None if _missing(v) else _id(v)
            if pid is None:
                what = "is missing" if _missing(v) else "is not a text or an integer"
                problems.append(loc.error(i, side, f"the {side} id {what}."))
            out.append(pid)
        ids[side] = out
    ratings: dict[str, np.ndarray] = {}
    given: dict[str, np.ndarray] = {}
    for name, rater in (("mentor_rating", "mentor"), ("mentee_rating", "mentee")):
        col = data.get(name)
        vals = np.full(n, np.nan)
        bad = np.zeros(n, dtype=bool)
        for i in range(0 if col is None else n):
            assert col is not None
            v = col[i]
            if v is BAD:
                bad[i] = True
                continue
            if _missing(v) or (isinstance(v, str) and not v.strip()):
                continue  # blank text (a CSV cell read by csv.DictReader) is not given
            pid = ids[rater][i]
            x = _rating(v)
            if x is None:
                problems.append(
                    loc.error(i, name, f"the rating is not a number ({type(v).__name__}).", pid)
                )
                bad[i] = True
                continue
            if not (math.isfinite(x) and lo <= x <= hi):
                # a rating is a person's opinion: the message never shows it
                problems.append(
                    loc.error(i, name, f"the rating is outside the scale {lo:g} to {hi:g}.", pid)
                )
                bad[i] = True
                continue
            vals[i] = x
        ratings[name] = vals
        given[name] = ~np.isnan(vals) | bad
    for i in np.flatnonzero(~given["mentor_rating"] & ~given["mentee_rating"]).tolist():
        column = "mentor_rating" if data.get("mentor_rating") is not None else "mentee_rating"
        problems.append(
            loc.error(
                i, column, "both ratings are missing (a row needs one or both).", ids["mentor"][i]
            )
        )
    rounds = np.full(n, _NOT_GIVEN, dtype=np.int64)
    # rows whose round is unknown (bad): left out of the duplicate check below, which would
    # take them for rows with no round given
    bad_round = np.zeros(n, dtype=bool)
    col = data.get("round")
    for i in range(0 if col is None else n):
        assert col is not None
        v = col[i]
        if v is BAD:
            bad_round[i] = True
            continue
        if _missing(v):
            continue
        ok = isinstance(v, numbers.Real) and not isinstance(v, bool)
        ok = ok and math.isfinite(float(v)) and float(v).is_integer() and float(v) >= 0
        if not ok:
            problems.append(
                loc.error(i, "round", "the round must be a whole number ≥ 0.", ids["mentor"][i])
            )
            bad_round[i] = True
            continue
        rounds[i] = int(float(v))
    gained: list[tuple[str, ...]] = []
    col = data.get("gained")
    for i in range(n):
        v = None if col is None else col[i]
        if v is BAD or v is None or (not is_collection(v) and _missing(v)):
            gained.append(())
            continue
        if not is_collection(v) or not all(isinstance(s, str) and s.strip() for s in v):
            problems.append(
                loc.error(
                    i,
                    "gained",
                    "`gained` must be a collection of skill names.",
                    ids["mentor"][i],
                )
            )
            gained.append(())
            continue
        gained.append(tuple(sorted({s.strip() for s in v})))
    seen: dict[tuple[Hashable, Hashable, int], int] = {}
    for i in range(n):
        m, e = ids["mentor"][i], ids["mentee"][i]
        if m is None or e is None or bad_round[i]:
            continue  # the row's pair or round is unknown (already reported)
        key = (m, e, int(rounds[i]))
        if key in seen:
            when = "with no round given" if key[2] == _NOT_GIVEN else f"in round {key[2]}"
            first = "record" if loc.file is None else ("position" if loc.positional else "row")
            problems.append(
                loc.error(
                    i,
                    "mentee",
                    f"the pair ({m!r}, {e!r}) is rated twice {when} (first at {first} "
                    f"{loc.row(seen[key])}).",
                    m,
                )
            )
        else:
            seen[key] = i
    columns: dict[str, Any] = {
        "mentor": ids["mentor"],
        "mentee": ids["mentee"],
        "round": rounds,
        "mentor_rating": ratings["mentor_rating"],
        "mentee_rating": ratings["mentee_rating"],
        "gained": tuple(gained),
    }
    return columns, problems


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


class Feedback:
    """Ratings of mentor–mentee pairs: a validated, immutable table, one row per rated pair
    and round.

    Parameters
    ----------
    mentor, mentee : sequence of str or int
        The pair of each row (participant ids).
    mentor_rating, mentee_rating : sequence of float or None, optional
        What the mentor and the mentee rated the pairing, on ``scale``: a number or a
        numeric text (``"4"``, ``" 3.5 "``); ``None``, NaN or a blank text where that side
        gave no rating. Each row needs at least one of the two.
    round : sequence of int or None, optional
        The programme round (rotation) each rating is about, a whole number ≥ 0; ``None``
        where not given (stored as -1). A pair may be rated once per round.
    gained : sequence of collections of str, optional
        Per row, the skills the pair reports as gained (by either side); skill names of the
        cohort's skill space (checked by :meth:`check`).
    scale : (float, float), default (1, 5)
        The lowest and highest rating.

    Attributes
    ----------
    mentor, mentee : ndarray of object
    round : ndarray of int (-1 where not given)
    mentor_rating, mentee_rating : ndarray of float (NaN where not given)
    gained : tuple of tuple of str
    scale : (float, float)

    Raises
    ------
    ValidationError
        A missing or malformed id, a rating that is not a number or is outside the scale, a
        row without any rating, a round that is not a whole number ≥ 0, a pair rated twice in
        one round. The message names the record (its 0-based position; a file row for a table
        read by :func:`rm_match.io.read_feedback`), the column and the participant, never the
        rating itself (a person's opinion); several problems are reported at once as a
        :class:`~rm_match.TableError`.

    Examples
    --------
    >>> fb = Feedback.from_records([
    ...     {"mentor": "J1", "mentee": "S1", "mentor_rating": 4, "mentee_rating": 5},
    ...     {"mentor": "J2", "mentee": "S2", "mentee_rating": 2, "gained": ["ai_tools"]},
    ... ])
    >>> fb
    Feedback(n=2, rounds=0, mentor_ratings=1, mentee_ratings=2, scale=(1, 5))
    >>> fb.scaled("both").tolist()  # ratings on [0, 1], the mean of the two sides
    [0.875, 0.25]
    >>> Feedback.from_records([{"mentor": "J1", "mentee": "S1", "mentor_rating": 7}])
    Traceback (most recent call last):
    ...
    rm_match.errors.ValidationError: record 0, column 'mentor_rating', participant 'J1': \
the rating is outside the scale 1 to 5.
    """

    __slots__ = (
        "_loc",
        "gained",
        "mentee",
        "mentee_rating",
        "mentor",
        "mentor_rating",
        "round",
        "scale",
    )

    mentor: np.ndarray
    mentee: np.ndarray
    round: np.ndarray
    mentor_rating: np.ndarray
    mentee_rating: np.ndarray
    gained: tuple[tuple[str, ...], ...]
    scale: tuple[float, float]
    _loc: _Locator

    def __init__(
        self,
        mentor: Sequence[Hashable],
        mentee: Sequence[Hashable],
        *,
        mentor_rating: Sequence[float | None] | None = None,
        mentee_rating: Sequence[float | None] | None = None,
        round: Sequence[int | None] | None = None,
        gained: Sequence[Iterable[str] | None] | None = None,
        scale: tuple[float, float] = (1, 5),
    ) -> None:
        self._build(
            {
                "mentor": mentor,
                "mentee": mentee,
                "mentor_rating": mentor_rating,
                "mentee_rating": mentee_rating,
                "round": round,
                "gained": gained,
            },
            scale,
            _Locator(),
            [],
        )

    def _build(
        self,
        data: Mapping[str, Any],
        scale: object,
        loc: _Locator,
        problems: list[ValidationError],
    ) -> None:
        lo, hi = _check_scale(scale)
        cols: dict[str, list[Any] | None] = {}
        n = None
        for name in FEEDBACK_FIELDS:
            value = data.get(name)
            if value is None:
                cols[name] = None
                continue
            if not is_collection(value):
                raise ValidationError(
                    f"`{name}` must be a sequence with one value per row; got "
                    f"{type(value).__name__}.",
                    argument=name,
                )
            items = value.tolist() if isinstance(value, np.ndarray) else list(value)
            if n is None:
                n = len(items)
            elif len(items) != n:
                raise ValidationError(
                    f"`{name}` has {len(items)} values; `mentor` has {n}.", argument=name
                )
            cols[name] = items
        if cols["mentor"] is None or cols["mentee"] is None:
            raise ValidationError("`mentor` and `mentee` ids must be given.", argument="mentor")
        if cols["mentor_rating"] is None and cols["mentee_rating"] is None:
            raise ValidationError(
                "no ratings: give `mentor_rating`, `mentee_rating` or both.",
                argument="mentor_rating",
            )
        out, found = _columns(n or 0, cols, (lo, hi), loc)
        # by row (a reader's problems and those found here), stable within a row
        _raise(sorted([*problems, *found], key=lambda p: -1 if p.row is None else p.row))
        set_ = object.__setattr__
        set_(self, "mentor", _readonly(np.array(out["mentor"] + [None], dtype=object)[:-1]))
        set_(self, "mentee", _readonly(np.array(out["mentee"] + [None], dtype=object)[:-1]))
        set_(self, "round", _readonly(out["round"]))
        set_(self, "mentor_rating", _readonly(out["mentor_rating"]))
        set_(self, "mentee_rating", _readonly(out["mentee_rating"]))
        set_(self, "gained", out["gained"])
        set_(self, "scale", (_num(lo), _num(hi)))
        set_(self, "_loc", loc)

    @classmethod
    def _from_table(
        cls,
        data: Mapping[str, Any],
        *,
        scale: object,
        loc: _Locator,
        problems: list[ValidationError],
    ) -> Feedback:
        """Build from parsed columns (cells a reader could not parse are :data:`BAD`), adding
        the reader's own ``problems`` to those found here (for :mod:`rm_match.io`)."""
        self = cls.__new__(cls)
        self._build(data, scale, loc, problems)
        return self

    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]], *, scale: tuple[float, float] = (1, 5)
    ) -> Feedback:
        """A feedback table from one mapping per rated pair.

        Parameters
        ----------
        records : iterable of mapping
            Keys from :data:`FEEDBACK_FIELDS` (``mentor`` and ``mentee`` required; the others
            optional, missing meaning not given).
        scale : (float, float), default (1, 5)

        Returns
        -------
        Feedback

        Raises
        ------
        ValidationError
            On a record that is not a mapping, an unknown key, and whatever
            :class:`Feedback` rejects.

        Examples
        --------
        >>> Feedback.from_records([{"mentor": 1, "mentee": 2, "round": 0, "mentee_rating": 3}],
        ...                       scale=(0, 10)).mentee_rating.tolist()
        [3.0]
        """
        rows = list(records) if is_collection(records) else None
        if rows is None:
            raise ValidationError(
                f"`records` must be an iterable of mappings; got {type(records).__name__}.",
                argument="records",
            )
        cols: dict[str, list[Any]] = {f: [] for f in FEEDBACK_FIELDS}
        for i, rec in enumerate(rows):
            if not isinstance(rec, Mapping):
                raise ValidationError(
                    f"record {i}: must be a mapping of column to value; got {type(rec).__name__}.",
                    argument="records",
                    row=i,
                )
            unknown = [k for k in rec if k not in FEEDBACK_FIELDS]
            if unknown:
                raise ValidationError(
                    f"record {i}: unknown key {unknown[0]!r}; the keys are "
                    f"{list(FEEDBACK_FIELDS)}.",
                    argument="records",
                    row=i,
                    column=str(unknown[0]),
                )
            for f in FEEDBACK_FIELDS:
                cols[f].append(rec.get(f))
        data: dict[str, Any] = dict(cols)
        return cls._from_table(data, scale=scale, loc=_Locator(), problems=[])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Feedback tables are immutable; build a new one instead.")

    def __len__(self) -> int:
        return len(self.mentor)

    @property
    def n(self) -> int:
        """Number of rows (rated pairs and rounds)."""
        return len(self.mentor)

    def __repr__(self) -> str:
        rounds = len(set(self.round[self.round >= 0].tolist()))
        return (
            f"Feedback(n={self.n}, rounds={rounds}, "
            f"mentor_ratings={int(np.sum(~np.isnan(self.mentor_rating)))}, "
            f"mentee_ratings={int(np.sum(~np.isnan(self.mentee_rating)))}, scale={self.scale})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per row, with the keys of :data:`FEEDBACK_FIELDS` (``None`` where not
        given); :meth:`from_records` reads it back.

        Examples
        --------
        >>> Feedback(["J1"], ["S1"], mentee_rating=[4]).to_records()
        [{'mentor': 'J1', 'mentee': 'S1', 'round': None, 'mentor_rating': None, \
'mentee_rating': 4.0, 'gained': ()}]
        """

        def num(x: float) -> float | None:
            return None if math.isnan(x) else float(x)

        return [
            {
                "mentor": self.mentor[i],
                "mentee": self.mentee[i],
                "round": None if self.round[i] < 0 else int(self.round[i]),
                "mentor_rating": num(self.mentor_rating[i]),
                "mentee_rating": num(self.mentee_rating[i]),
                "gained": self.gained[i],
            }
            for i in range(self.n)
        ]

    def scaled(self, target: str = "both") -> np.ndarray:
        """Each row's rating on [0, 1] (``(rating - lowest) / (highest - lowest)``): the
        mentor's (``"mentor"``), the mentee's (``"mentee"``) or the mean of those given
        (``"both"``); NaN where there is none."""
        target = check_choice(target, "target", TARGETS)
        lo, hi = self.scale
        m = (self.mentor_rating - lo) / (hi - lo)
        e = (self.mentee_rating - lo) / (hi - lo)
        if target == "mentor":
            return m
        if target == "mentee":
            return e
        stacked = np.vstack((m, e))
        count = np.sum(~np.isnan(stacked), axis=0)
        total = np.nansum(stacked, axis=0)
        return np.divide(total, count, out=np.full(self.n, np.nan), where=count > 0)

    def check(self, mentors: People, mentees: People) -> tuple[np.ndarray, np.ndarray]:
        """Check the table against a cohort, and map its ids to rows.

        An id read as text matches an integer id of the table and the reverse (``"17"`` is
        participant ``17``), as a CSV file cannot tell them apart.

        Parameters
        ----------
        mentors, mentees : People

        Returns
        -------
        mi, ei : ndarray of int
            Each row's mentor and mentee index.

        Raises
        ------
        ValidationError
            An id that is not in its table (the message says when it is in the other one:
            columns swapped), a gained skill outside the skill space.

        Examples
        --------
        >>> from rm_match import People
        >>> fb = Feedback(["J1", "J2"], ["S1", "S1"], mentee_rating=[4, 3], round=[0, 1])
        >>> fb.check(People(["J1", "J2"]), People(["S1"]))
        (array([0, 1]), array([0, 0]))
        """
        for name, table in (("mentors", mentors), ("mentees", mentees)):
            if not isinstance(table, People):
                raise ValidationError(
                    f"`{name}` must be a People table; got {type(table).__name__}.",
                    argument=name,
                )
        problems = []
        out = []
        for side, table, other in (("mentor", mentors, mentees), ("mentee", mentees, mentors)):
            idx = np.zeros(self.n, dtype=np.intp)
            for i, pid in enumerate(getattr(self, side).tolist()):
                row = _lookup(table, pid)
                if row is None:
                    where = (
                        f" (it is a {'mentee' if side == 'mentor' else 'mentor'} id: are the "
                        "columns swapped?)"
                        if _lookup(other, pid) is not None
                        else ""
                    )
                    problems.append(
                        self._loc.error(i, side, f"unknown {side} id {pid!r}{where}.", pid)
                    )
                else:
                    idx[i] = row
            out.append(idx)
        skills = set(mentors.skills)
        for i, g in enumerate(self.gained):
            unknown = [s for s in g if s not in skills]
            if unknown:
                problems.append(
                    self._loc.error(
                        i,
                        "gained",
                        f"unknown skill {unknown[0]!r}; the skills are {list(mentors.skills)}.",
                        self.mentor[i],
                    )
                )
        _raise(problems)
        return out[0], out[1]


def _num(x: float) -> float:
    """A whole float as an int (for reprs: ``(1, 5)``), else the float."""
    return int(x) if float(x).is_integer() else x


def _lookup(table: People, pid: Hashable) -> int | None:
    if pid in table:
        return table.index(pid)
    alt: Hashable = None
    if isinstance(pid, str):
        try:
            alt = int(pid)
        except ValueError:
            return None
    elif isinstance(pid, int):
        alt = str(pid)
    return table.index(alt) if alt is not None and alt in table else None


# -- learning weights --------------------------------------------------------------------------


def _fit(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[float, np.ndarray, np.ndarray]:
    """Ridge-penalised non-negative least squares ``y ≈ c + X β``, ``β ≥ 0``, the intercept
    unpenalised (by centring) and the penalty on the standardised coefficients.

    Returns the intercept, β (0 for a column without variation) and which columns varied.
    """
    from scipy.optimize import nnls

    mean_x = X.mean(axis=0)
    sd = X.std(axis=0)
    varies = sd > 1e-9 * np.maximum(1.0, np.abs(mean_x))
    beta = np.zeros(X.shape[1])
    y_mean = float(y.mean())
    k = int(varies.sum())
    if k:
        Z = (X[:, varies] - mean_x[varies]) / sd[varies]
        A = np.vstack((Z, math.sqrt(alpha) * np.eye(k)))
        b = np.concatenate((y - y_mean, np.zeros(k)))
        g, _ = nnls(A, b)
        beta[varies] = g / sd[varies]
    return y_mean - float(mean_x @ beta), beta, varies


def _shares(beta: np.ndarray, varies: np.ndarray, previous: np.ndarray) -> np.ndarray | None:
    """β as shares of the total weight: a column without variation keeps its previous share,
    the others share the rest in proportion to β; None when no β is positive."""
    total = float(beta[varies].sum())
    if total <= 0:
        return None
    rest = 1.0 - float(previous[~varies].sum())
    out = previous.astype(np.float64).copy()
    out[varies] = rest * beta[varies] / total
    return out


def _previous_fit(s: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Intercept and slope of ``y ≈ a + b·s`` (the previous weights' model)."""
    if s.std() <= 1e-12:
        return float(y.mean()), 0.0
    b, a = np.polyfit(s, y, 1)
    return float(a), float(b)


@dataclass(frozen=True)
class LearnedWeights:
    """Term weights learnt from feedback (:func:`learn_weights`), and how sure they are.

    Attributes
    ----------
    programme : Programme
        The programme given, with the learnt ``weights`` (and ``skill_weights`` when asked
        for); everything else unchanged. Its weights sum to 1. With ``terms``, the terms not
        learnt keep their previous shares and the learnt ones split the share the chosen
        terms held before (in the ratios of ``weights``).
    weights : mapping of str to float
        The learnt weights of the terms learnt, summing to 1.
    previous : mapping of str to float
        The programme's weights of the same terms, normalised to sum to 1 over them.
    intervals : mapping of str to (float, float)
        Bootstrap percentile intervals (at ``level``) of each weight, resampling the rated
        pairs (a pair rated in several rounds is resampled with all its rounds); empty when
        ``n_bootstrap`` was 0.
    cv : mapping of str to mapping of str to float or None
        Cross-validated fit (pooled over the folds; a pair's rounds are kept in one fold) of
        three models: ``"learned"`` (the fitted terms), ``"previous"`` (the previous weights'
        score, with only an intercept and a scale refitted) and ``"constant"`` (the mean
        rating). Each has ``"r2"`` (out of sample R²; ``None`` when the ratings do not vary,
        as R² is then not defined) and ``"rmse"`` (in rating points).
    n_pairs : int
        Rated pairs and rounds (rows with a rating for the target) used.
    target : str
        ``"both"``, ``"mentor"`` or ``"mentee"``: whose ratings were fitted.
    coefficients : mapping of str to float
        The fitted β: rating points per unit of each term (a term runs from 0 to 1).
    intercept : float
        The fitted rating (in rating points) of a pair whose terms are all 0.
    fixed : tuple of str
        Terms that did not vary among the rated pairs: not learnt, their share kept.
    skill_weights : mapping of str to float or None
        With ``skills=True``: the learnt skill weights: each previous weight times its
        fitted coefficient, rescaled so that the skills learnt keep their previous total
        (their mean is the previous mean: 1 with the default skill weights); a skill that did
        not vary among the rated pairs keeps its previous weight.
    previous_skill_weights : mapping of str to float or None
        With ``skills=True``: the skill weights before learning (those of the programme
        given; 1 for a skill it does not weight).
    skill_intervals : mapping of str to (float, float)
        Their bootstrap intervals.
    n_bootstrap : int
        Bootstrap resamples that gave a fit (resamples in which no term predicts the
        ratings give none).
    level : float
        The intervals' coverage.
    warnings : tuple of str
        Why the answer may not be trustworthy (few pairs, wide intervals, no better than
        the previous weights, ...); repeated by :meth:`summary`.
    """

    programme: Programme
    weights: Mapping[str, float]
    previous: Mapping[str, float]
    intervals: Mapping[str, tuple[float, float]]
    cv: Mapping[str, Mapping[str, float | None]]
    n_pairs: int
    target: str
    coefficients: Mapping[str, float]
    intercept: float
    fixed: tuple[str, ...] = ()
    skill_weights: Mapping[str, float] | None = None
    previous_skill_weights: Mapping[str, float] | None = None
    skill_intervals: Mapping[str, tuple[float, float]] = field(default_factory=ReadOnlyDict)
    n_bootstrap: int = 0
    level: float = 0.9
    folds: int = 5
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        w = {k: round(v, 3) for k, v in self.weights.items()}
        r2 = self.cv["learned"]["r2"]
        return (
            f"LearnedWeights(n_pairs={self.n_pairs}, target={self.target!r}, weights={w}, "
            f"cv_r2={None if r2 is None else round(r2, 3)})"
        )

    def summary(self) -> str:
        """What changed (previous → learnt weight per term, with its interval) and how sure
        the answer is (cross-validated fit, warnings), as text.

        Examples
        --------
        >>> from rm_match import synthetic
        >>> mentors, mentees = synthetic.cohort(20, 20, rng=0)
        >>> pairs = [(m, e, r) for r in range(2) for m, e in zip(mentors.ids,
        ...          np.random.default_rng(r).permutation(mentees.ids))]
        >>> fb = synthetic.feedback(mentors, mentees, pairs, weights={"learning": 1,
        ...                         "timezone": 1}, rng=0)
        >>> fit = learn_weights(fb, mentors, mentees, n_bootstrap=20, rng=0)
        >>> print(fit.summary())  # doctest: +ELLIPSIS
        Term weights learnt from 40 rated pairs (target: both; 5-fold CV, 20 bootstrap ...
        term        previous  learnt  90% interval
        learning    ...
        ...
        warning: only 40 rated pairs; 50 or more are advised...
        """
        lines = [
            f"Term weights learnt from {self.n_pairs} rated pairs (target: {self.target}; "
            f"{self.folds}-fold CV, {self.n_bootstrap} bootstrap resamples)",
            f"{'term':<11} {'previous':>8}  {'learnt':>6}  {round(self.level * 100):g}% interval",
        ]
        for t, w in self.weights.items():
            iv = self.intervals.get(t)
            shown = f"[{iv[0]:.3f}, {iv[1]:.3f}]" if iv else "—"
            note = "  (no variation: kept)" if t in self.fixed else ""
            lines.append(f"{t:<11} {self.previous[t]:>8.3f}  {w:>6.3f}  {shown}{note}")
        if self.skill_weights is not None:
            lines.append(f"{'skill':<20} {'previous':>8}  {'learnt':>6}")
            old = self.previous_skill_weights or {}
            for s, w in self.skill_weights.items():
                iv = self.skill_intervals.get(s)
                shown = f"  [{iv[0]:.2f}, {iv[1]:.2f}]" if iv else ""
                lines.append(f"{s:<20} {float(old.get(s, 1.0)):>8.3f}  {w:>6.3f}{shown}")
        lines.append("Cross-validated fit        R²    RMSE (rating points)")
        for name, label in (
            ("learned", "learnt weights"),
            ("previous", "previous weights"),
            ("constant", "constant (mean)"),
        ):
            c = self.cv[name]
            r2 = "n/a" if c["r2"] is None else format(c["r2"], ".3f")
            rmse = "n/a" if c["rmse"] is None else format(c["rmse"], ".3f")
            lines.append(f"{label:<22} {r2:>7}  {rmse:>6}")
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _check_terms(terms: object) -> list[str] | None:
    if terms is None:
        return None
    if not is_collection(terms) or not list(terms):
        raise ValidationError(
            "`terms` must be a non-empty sequence of term names or None.", argument="terms"
        )
    out = list(terms)
    for t in out:
        if t not in TERMS:
            raise ValidationError(
                f"unknown score term {t!r} in `terms`; terms are {list(TERMS)}.",
                argument="terms",
            )
    return list(dict.fromkeys(out))


def _skill_features(problem: Problem, mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
    """Each skill's part of the learning term for the pairs ``(mi[p], ei[p])``: the columns
    sum to the learning term (before its clip at 1)."""
    spec = problem.spec
    m, e = problem.mentors, problem.mentees
    forward = m.offers[mi] * scaled_wants(e.wants[ei], spec)
    reverse = scaled_wants(m.wants[mi], spec) * e.offers[ei]
    lam = spec.reverse_weight
    return np.asarray((forward + lam * reverse) / (1.0 + lam))


def learn_weights(
    feedback: Feedback,
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    target: str = "both",
    alpha: float = 1.0,
    folds: int = 5,
    n_bootstrap: int = 200,
    skills: bool = False,
    terms: Sequence[str] | None = None,
    preferences: Preferences | None = None,
    level: float = 0.9,
    rng: Any = None,
) -> LearnedWeights:
    """Learn the programme's term weights from how participants rated their pairs.

    The ratings (scaled to [0, 1]; with ``target="both"`` the mean of the two sides' where
    both rated) are fitted as ``intercept + Σ_t β_t·term_t(pair)``, ``β ≥ 0``, over the
    terms (:mod:`rm_match.terms`) of each rated pair, by non-negative least squares with a
    ridge penalty ``alpha·Σ γ_t²`` on the standardised coefficients ``γ_t = β_t·sd_t``
    (``scipy.optimize.nnls`` on the augmented matrix; the intercept is not penalised). As the
    pair score is the weighted mean of the terms, the new weights are ``β / Σβ``.

    Parameters
    ----------
    feedback : Feedback
    mentors, mentees : People
        The cohort the feedback is about (every rated pair's ids must be in it).
    programme : Programme, optional
        The programme the pairs were made under (default ``Programme()``):
        its active terms are the terms learnt (all terms the cohort has data for when it
        weights none), and its other settings (skill weights, λ, diversity attributes) say
        what each term is.
    target : {"both", "mentor", "mentee"}, default "both"
        Whose ratings to fit.
    alpha : float, default 1.0
        Ridge strength (≥ 0), in units of rated pairs: with uncorrelated terms each
        standardised coefficient shrinks by ``n / (n + alpha)`` (so all shrink alike, and
        the weights, ratios of β, do not); ``alpha`` steadies them when terms are
        correlated.
    folds : int, default 5
        Folds of the cross-validation (2 to the number of distinct rated pairs). A pair
        rated in several rounds has all its rounds in one fold.
    n_bootstrap : int, default 200
        Bootstrap resamples for the intervals (0: none). The resampled unit is the pair:
        a pair rated in several rounds is drawn with all its rounds, so that repeated
        ratings of one pair do not make the intervals look surer than they are.
    skills : bool, default False
        Also learn the skill weights: a second model splits the learning term into one
        feature per skill (its part of the term under the current skill weights) and fits
        them with the other terms; each skill's weight is multiplied by its fitted
        coefficient and the weights of the skills learnt rescaled to their previous total
        (so their mean stays the previous mean). Under ``learning_norm="wants"`` this is one
        step of a fixed point: learning again from the result refines it.
    terms : sequence of str, optional
        The terms to learn instead of the programme's active ones (the cohort must have
        their data). The other terms of the programme keep their weights; the terms learnt
        split the share of the total weight they held before (when they held none, they
        are given the share of as many average terms, with a warning).
    preferences : Preferences, optional
        The participants' rankings, ratings and vetoes (:mod:`rm_match.preferences`): needed
        when the ``preference`` term is among the terms (the default programme weights it),
        and then learnt like any other term.
    level : float, default 0.9
        Coverage of the bootstrap intervals.
    rng : None, int or numpy.random.Generator, optional
        Seeds the fold split and the resamples.

    Returns
    -------
    LearnedWeights
        ``.programme`` is ready for :func:`rm_match.match` (with the same ``preferences``);
        ``.summary()`` says what changed and how sure.

    Raises
    ------
    ValidationError
        On invalid options, feedback that does not fit the cohort
        (:meth:`Feedback.check`), fewer than (terms + 2) rated pairs, ``skills=True``
        without the learning term, and a ``preference`` term without ``preferences``.

    Notes
    -----
    A term that takes one value over all rated pairs (all pairs share a language, say)
    cannot be learnt: it keeps its previous share and is listed in ``.fixed``. When no term
    predicts the ratings at all, or the ratings do not vary, the weights stay as they were,
    with a warning.

    Examples
    --------
    >>> from rm_match import synthetic
    >>> mentors, mentees = synthetic.cohort(30, 30, rng=5)
    >>> pairs = [(m, e, r) for r in range(3) for m, e in zip(mentors.ids,
    ...          np.random.default_rng(r).permutation(mentees.ids))]
    >>> fb = synthetic.feedback(mentors, mentees, pairs, weights={"learning": 1}, rng=6)
    >>> fit = learn_weights(fb, mentors, mentees, n_bootstrap=0, rng=7)
    >>> fit.n_pairs, max(fit.weights, key=fit.weights.get)
    (90, 'learning')
    """
    if not isinstance(feedback, Feedback):
        raise ValidationError(
            f"`feedback` must be a Feedback table; got {type(feedback).__name__}.",
            argument="feedback",
        )
    target = check_choice(target, "target", TARGETS)
    alpha = check_real(alpha, "alpha", low=0)
    folds = check_int(folds, "folds", low=2)
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=0, high=1_000_000)
    if not isinstance(skills, bool):
        raise ValidationError(f"`skills` must be True or False; got {skills!r}.", argument="skills")
    level = check_real(level, "level", low=0, high=1, low_open=True)
    wanted = _check_terms(terms)
    gen = check_rng(rng)
    prog = Programme() if programme is None else programme
    if wanted is not None:
        with _warnings.catch_warnings():
            if "preference" in wanted:  # the preferences are used by the terms learnt
                _warnings.filterwarnings("ignore", "`preferences` were given but change nothing")
            problem = Problem(mentors, mentees, prog, preferences=preferences)
        fit_problem = Problem(
            mentors,
            mentees,
            dataclasses.replace(prog, weights=dict.fromkeys(wanted, 1.0)),
            preferences=preferences,
        )
    else:
        problem = fit_problem = Problem(mentors, mentees, prog, preferences=preferences)
    names = list(fit_problem.weights)
    if not names:
        raise ValidationError(
            "no score term to learn: the programme weights none the cohort has data for; "
            "name some with `terms`.",
            argument="terms" if wanted is not None else "programme",
        )
    old = dict(problem.weights)
    old_total = sum(old.values())
    chosen_old = np.array([old.get(t, 0.0) for t in names], dtype=np.float64)
    chosen_total = float(chosen_old.sum())
    if chosen_total > 0:
        previous = chosen_old / chosen_total
    else:  # none of the asked terms is weighted now: start from equal
        previous = np.full(len(names), 1.0 / len(names))
    mi, ei = feedback.check(mentors, mentees)
    y_all = feedback.scaled(target)
    keep = ~np.isnan(y_all)
    mi, ei, y = mi[keep], ei[keep], y_all[keep]
    n, k = len(y), len(names)
    rated = {
        "both": "a rating from either side",
        "mentor": "a mentor rating",
        "mentee": "a mentee rating",
    }[target]
    if n < k + 2:
        raise ValidationError(
            f"`feedback` has {n} rated pair(s) with {rated}; learning {k} term "
            f"weight(s) needs at least {k + 2}.",
            argument="feedback",
        )
    # the unit of resampling and of the folds: a pair, with all the rounds it was rated in
    groups = _pair_groups(mi, ei, len(mentees))
    if folds > len(groups):
        raise ValidationError(
            f"`folds` must be at most the number of distinct rated pairs ({len(groups)}); "
            f"got {folds}.",
            argument="folds",
        )
    values = fit_problem.terms(mi, ei, outer=False)
    X = np.column_stack([values[t] for t in names])
    prev_score = X @ previous
    lo, hi = feedback.scale
    span = hi - lo
    varying = _varies(y)

    intercept, beta, varies = _fit(X, y, alpha)
    shares = _shares(beta, varies, previous) if varying else None
    warnings: list[str] = []
    if not varying:
        shares = previous.copy()
        warnings.append(
            "the ratings do not vary: nothing can be learnt from them; the weights are left "
            "as they were."
        )
    elif shares is None:
        shares = previous.copy()
        warnings.append("no term predicts the ratings: the weights are left as they were.")

    # skill weights: the learning term split into one feature per skill
    skill_names = tuple(mentors.skills)
    old_skill = problem.spec.skill_weights
    skill_out: dict[str, float] | None = None
    S: np.ndarray | None = None
    if skills:
        if "learning" not in names:
            raise ValidationError(
                "`skills=True` needs the learning term among the terms learnt.",
                argument="skills",
            )
        if not skill_names:
            raise ValidationError("`skills=True` needs a skill space.", argument="skills")
        S = np.hstack(
            (_skill_features(fit_problem, mi, ei), X[:, [t != "learning" for t in names]])
        )
        skill_new = _skill_step(S, y, alpha, old_skill) if varying else None
        if skill_new is None:
            if varying:
                warnings.append(
                    "no skill predicts the ratings: the skill weights are left as they were."
                )
            skill_new = old_skill.astype(np.float64)
        skill_out = dict(zip(skill_names, skill_new.tolist(), strict=True))

    # bootstrap intervals, resampling pairs (each with all its rounds)
    boot: list[np.ndarray] = []
    boot_skill: list[np.ndarray] = []
    for _ in range(n_bootstrap if varying else 0):
        idx = np.concatenate([groups[g] for g in gen.integers(0, len(groups), size=len(groups))])
        _, b, v = _fit(X[idx], y[idx], alpha)
        sh = _shares(b, v, previous)
        if sh is not None:
            boot.append(sh)
        if S is not None:
            sk = _skill_step(S[idx], y[idx], alpha, old_skill)
            if sk is not None:
                boot_skill.append(sk)
    q = (100 * (1 - level) / 2, 100 * (1 + level) / 2)
    intervals: dict[str, tuple[float, float]] = {}
    if boot:
        pct = np.percentile(np.array(boot), q, axis=0)
        intervals = {t: (float(pct[0, j]), float(pct[1, j])) for j, t in enumerate(names)}
    skill_intervals: dict[str, tuple[float, float]] = {}
    if boot_skill:
        pct = np.percentile(np.array(boot_skill), q, axis=0)
        skill_intervals = {
            s: (float(pct[0, j]), float(pct[1, j])) for j, s in enumerate(skill_names)
        }

    cv = _cross_validate(X, y, prev_score, alpha, folds, gen, span, groups)

    fixed = tuple(t for t, v in zip(names, varies, strict=True) if not v)
    if n < FEW_PAIRS:
        warnings.append(f"only {n} rated pairs; {FEW_PAIRS} or more are advised.")
    wide = [t for t, (a, b) in intervals.items() if b - a > WIDE_INTERVAL]
    if wide:
        warnings.append(
            f"wide intervals for {', '.join(wide)}: the ratings cannot pin these weights down."
        )
    if fixed:
        warnings.append(
            f"no variation among the rated pairs in {', '.join(fixed)}: kept as before."
        )
    learned_r2, previous_r2 = cv["learned"]["r2"], cv["previous"]["r2"]
    if learned_r2 is not None and previous_r2 is not None and learned_r2 <= previous_r2:
        warnings.append(
            "the learnt weights predict the ratings no better than the previous ones in "
            "cross-validation: keeping the previous weights is as good."
        )
    if n_bootstrap and varying and len(boot) < n_bootstrap:
        warnings.append(f"{n_bootstrap - len(boot)} bootstrap resample(s) gave no fit.")

    weights = dict(zip(names, shares.tolist(), strict=True))
    if wanted is None:
        prog_weights = weights
    else:
        # the terms not learnt keep their shares; the learnt ones split the chosen terms' share
        others = {t: w for t, w in old.items() if t not in weights}
        share = chosen_total / old_total if old_total > 0 else 1.0
        if chosen_total <= 0 and others:
            share = k / (len(others) + k)
            warnings.append(
                f"none of the terms learnt was weighted before: together they are given the "
                f"share of {k} average term(s) ({share:.3f} of the total weight); only their "
                "split was learnt."
            )
        rest = sum(others.values())
        prog_weights = {
            t: (weights[t] * share if t in weights else (1 - share) * w / rest)
            for t, w in {**old, **weights}.items()
        }
    new_prog = dataclasses.replace(prog, weights=prog_weights)
    if skill_out is not None:
        new_prog = dataclasses.replace(new_prog, skill_weights=skill_out)
    return LearnedWeights(
        programme=new_prog,
        weights=ReadOnlyDict(weights),
        previous=ReadOnlyDict(zip(names, previous.tolist(), strict=True)),
        intervals=ReadOnlyDict(intervals),
        cv=ReadOnlyDict({k2: ReadOnlyDict(v2) for k2, v2 in cv.items()}),
        n_pairs=n,
        target=target,
        coefficients=ReadOnlyDict(zip(names, (beta * span).tolist(), strict=True)),
        intercept=float(lo + intercept * span),
        fixed=fixed,
        skill_weights=None if skill_out is None else ReadOnlyDict(skill_out),
        previous_skill_weights=(
            None
            if skill_out is None
            else ReadOnlyDict(zip(skill_names, old_skill.astype(float).tolist(), strict=True))
        ),
        skill_intervals=ReadOnlyDict(skill_intervals),
        n_bootstrap=len(boot),
        level=level,
        folds=folds,
        warnings=tuple(warnings),
    )


def _varies(y: np.ndarray) -> bool:
    """Whether the ratings vary (beyond rounding): with one value there is nothing to fit."""
    return bool(len(y)) and float(np.ptp(y)) > 1e-12 * max(1.0, float(np.abs(y).max()))


def _pair_groups(mi: np.ndarray, ei: np.ndarray, n_mentees: int) -> list[np.ndarray]:
    """The rows of each distinct pair (all the rounds it was rated in), the pairs in the
    order of their first row: with every pair rated once, one row each, in row order."""
    codes = mi.astype(np.int64) * max(n_mentees, 1) + ei.astype(np.int64)
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # group labels by first appearance
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    labels = rank[inverse.reshape(-1)]
    by_label = np.argsort(labels, kind="stable")
    bounds = np.cumsum(np.bincount(labels, minlength=len(order)))[:-1]
    return np.split(by_label, bounds)


def _skill_step(S: np.ndarray, y: np.ndarray, alpha: float, old: np.ndarray) -> np.ndarray | None:
    """New skill weights from the per-skill model (the first ``len(old)`` columns of ``S``):
    each old weight times its coefficient, rescaled to the old mean over the skills that
    varied; the others unchanged. None if no skill has a positive coefficient."""
    d = len(old)
    _, g, v = _fit(S, y, alpha)
    g, v = g[:d], v[:d]
    raw = old * g
    if not v.any() or raw[v].sum() <= 0:
        return None
    out = old.astype(np.float64).copy()
    out[v] = raw[v] * (old[v].sum() / raw[v].sum())
    return out


def _cross_validate(
    X: np.ndarray,
    y: np.ndarray,
    prev_score: np.ndarray,
    alpha: float,
    folds: int,
    gen: np.random.Generator,
    span: float,
    groups: Sequence[np.ndarray],
) -> dict[str, dict[str, float | None]]:
    """Pooled out-of-fold R² and RMSE of the three models; the folds split the pairs
    (``groups``: the rows of each), so a pair's rounds are never on both sides."""
    n = len(y)
    parts = [
        np.concatenate([groups[g] for g in part]) if len(part) else np.zeros(0, dtype=np.intp)
        for part in np.array_split(gen.permutation(len(groups)), folds)
    ]
    sse = dict.fromkeys(("learned", "previous", "constant"), 0.0)
    for test in parts:
        train = np.setdiff1d(np.arange(n), test)
        c, b, _ = _fit(X[train], y[train], alpha)
        a0, a1 = _previous_fit(prev_score[train], y[train])
        preds = {
            "learned": c + X[test] @ b,
            "previous": a0 + a1 * prev_score[test],
            "constant": np.full(len(test), y[train].mean()),
        }
        for name, p in preds.items():
            sse[name] += float(np.sum((y[test] - p) ** 2))
    sst = float(np.sum((y - y.mean()) ** 2))
    defined = _varies(y) and sst > 0  # R² is not defined when the ratings do not vary
    return {
        name: {
            "r2": 1.0 - s / sst if defined else None,
            "rmse": math.sqrt(s / n) * span,
        }
        for name, s in sse.items()
    }


# -- programme evaluation -----------------------------------------------------------------------

_SIDES = ("mentor", "mentee")
ALL_SKILLS = "(all)"


def _assessment(side: object, argument: str) -> dict[Hashable, dict[str, float]] | None:
    """A side's self-assessment as id → skill → level: a People table (its ``offers``) or a
    mapping of id to a mapping of skill to level."""
    if side is None:
        return None
    if isinstance(side, People):
        return {
            pid: dict(zip(side.skills, row, strict=True))
            for pid, row in zip(side.ids.tolist(), side.offers.tolist(), strict=True)
        }
    if not isinstance(side, Mapping):
        raise ValidationError(
            f"`{argument}` must be a People table or a mapping of id to a mapping of skill to "
            f"level; got {type(side).__name__}.",
            argument=argument,
        )
    out: dict[Hashable, dict[str, float]] = {}
    for pid, levels in side.items():
        if not isinstance(levels, Mapping):
            raise ValidationError(
                f"`{argument}`: participant {pid!r} must map to a mapping of skill to level; "
                f"got {type(levels).__name__}.",
                argument=argument,
                participant=pid,
            )
        row: dict[str, float] = {}
        for skill, level in levels.items():
            if _missing(level):
                continue  # not assessed (None, NaN of any float type)
            ok = isinstance(level, numbers.Real) and not isinstance(level, bool)
            if not ok or not math.isfinite(float(level)):
                # the level is personal: never shown
                raise ValidationError(
                    f"`{argument}`: participant {pid!r}, skill {skill!r}: the level must be a "
                    f"finite number ({type(level).__name__} given).",
                    argument=argument,
                    participant=pid,
                )
            row[str(skill)] = float(level)
        out[pid] = row
    return out


def _sides(value: object, argument: str) -> tuple[Any, Any]:
    if isinstance(value, Mapping) and set(value) <= set(_SIDES) and value:
        return value.get("mentor"), value.get("mentee")
    if is_collection(value) and not isinstance(value, People):
        items = list(value)
        if len(items) == 2:
            return items[0], items[1]
    raise ValidationError(
        f"`{argument}` must be a pair (mentor side, mentee side), or a mapping with keys "
        f"'mentor' and/or 'mentee'; each side a People table, a mapping of id to skill "
        f"levels, or None; got {type(value).__name__}.",
        argument=argument,
    )


def _growth_row(
    side: str, skill: str, pre: np.ndarray, post: np.ndarray, min_group: int
) -> dict[str, Any]:
    from scipy import stats

    n = len(pre)
    row: dict[str, Any] = {
        "side": side,
        "skill": skill,
        "n": n,
        "mean_pre": None,
        "mean_post": None,
        "mean_change": None,
        "relative_change_pct": None,
        "t_pvalue": None,
        "wilcoxon_pvalue": None,
        "cohens_dz": None,
        "suppressed": n < min_group,
    }
    if n < min_group:
        return row
    d = post - pre
    mean_pre, mean_change = float(pre.mean()), float(d.mean())
    sd = float(d.std(ddof=1))
    if sd <= 1e-12 * max(1.0, abs(mean_change)):
        sd = 0.0  # all changes equal (up to rounding): no spread, no t-test
    row.update(
        mean_pre=mean_pre,
        mean_post=float(post.mean()),
        mean_change=mean_change,
        relative_change_pct=100.0 * mean_change / mean_pre if mean_pre != 0 else None,
    )
    if sd > 0:
        row["cohens_dz"] = mean_change / sd
        row["t_pvalue"] = float(stats.ttest_rel(post, pre).pvalue)
    if np.any(d != 0):
        row["wilcoxon_pvalue"] = float(stats.wilcoxon(post, pre).pvalue)
    return row


@dataclass(frozen=True)
class Evaluation:
    """What a programme achieved (:func:`evaluate_programme`).

    Attributes
    ----------
    table : tuple of dict
        One row per side and skill (and a ``"(all)"`` row per side: each person's mean
        change over the skills assessed both times): ``side``, ``skill``, ``n``,
        ``mean_pre``, ``mean_post``, ``mean_change``, ``relative_change_pct`` (the mean
        change as a percentage of the mean before), ``t_pvalue`` (paired t-test),
        ``wilcoxon_pvalue`` (Wilcoxon signed-rank), ``cohens_dz`` (mean change / sd of the
        changes) and ``suppressed``. A group of fewer than ``min_group`` people has every
        statistic ``None``; a statistic that is not defined (no variation) is ``None``.
    predictors : tuple of dict
        With pairs: per side (whose growth) and term, ``n`` participants, Pearson ``r`` with
        its Fisher-z interval (``r_low``, ``r_high``) and ``r_pvalue``, and the standardised
        coefficient ``beta`` of a regression of the growth on all the terms with its
        t interval (``beta_low``, ``beta_high``), and ``suppressed``. Each participant is one
        observation: their growth against the mean of their pairs' term values (a mentor
        with three mentees counts once, not three times). Fewer than ``min_group``
        participants: every statistic ``None``. Empty without pairs.
    level : float
        The intervals' coverage.
    min_group : int
        Groups smaller than this are suppressed (at least 5).
    """

    table: tuple[dict[str, Any], ...]
    predictors: tuple[dict[str, Any], ...] = ()
    level: float = 0.9
    min_group: int = MIN_GROUP

    def __repr__(self) -> str:
        sides = sorted({r["side"] for r in self.table})
        return (
            f"Evaluation(rows={len(self.table)}, sides={sides}, "
            f"suppressed={sum(r['suppressed'] for r in self.table)}, "
            f"predictors={len(self.predictors)})"
        )

    def to_frame(self, which: str = "growth") -> Any:
        """The ``"growth"`` table or the ``"predictors"`` table as a pandas DataFrame (needs
        pandas)."""
        which = check_choice(which, "which", ("growth", "predictors"))
        import pandas as pd

        return pd.DataFrame(list(self.table if which == "growth" else self.predictors))

    def summary(self) -> str:
        """The growth table and the predictors as text (suppressed groups marked).

        Examples
        --------
        >>> gain = [0.1, 0.3, 0.2, 0.25, 0.15, 0.35]
        >>> pre = {f"E{i}": {"ai_tools": 0.1 * i} for i in range(6)}
        >>> post = {f"E{i}": {"ai_tools": 0.1 * i + gain[i]} for i in range(6)}
        >>> print(evaluate_programme((None, pre), (None, post)).summary())
        ... # doctest: +NORMALIZE_WHITESPACE
        Growth from the pre- to the post-programme self-assessment
        side    skill                  n   change  relative    d_z   p (t)  p (Wilcoxon)
        mentee  (all)                  6   +0.225    +90.0%   2.41  0.0020  0.0312
        mentee  ai_tools               6   +0.225    +90.0%   2.41  0.0020  0.0312
        """

        def f(x: float | None, spec: str) -> str:
            return "—" if x is None else format(x, spec)

        lines = [
            "Growth from the pre- to the post-programme self-assessment",
            f"{'side':<7} {'skill':<20} {'n':>3} {'change':>8} {'relative':>9} {'d_z':>6} "
            f"{'p (t)':>7}  p (Wilcoxon)",
        ]
        for r in self.table:
            if r["suppressed"]:
                lines.append(
                    f"{r['side']:<7} {r['skill']:<20} {r['n']:>3}  suppressed (fewer than "
                    f"{self.min_group})"
                )
                continue
            rel = r["relative_change_pct"]
            lines.append(
                f"{r['side']:<7} {r['skill']:<20} {r['n']:>3} {f(r['mean_change'], '+.3f'):>8} "
                f"{(f(rel, '+.1f') + '%') if rel is not None else '—':>9} "
                f"{f(r['cohens_dz'], '.2f'):>6} {f(r['t_pvalue'], '.4f'):>7}  "
                f"{f(r['wilcoxon_pvalue'], '.4f')}"
            )
        if self.predictors:
            pct = f"{round(self.level * 100):g}%"
            lines.append(f"Which pair terms predicted growth ({pct} intervals)")
            lines.append(f"{'growth of':<9} {'term':<10} {'n':>4}  r [interval]  beta [interval]")
            for r in self.predictors:
                if r["suppressed"]:
                    lines.append(f"{r['side']:<9} {r['term']:<10} {r['n']:>4}  suppressed")
                    continue
                rr = (
                    f"{r['r']:+.2f} [{r['r_low']:+.2f}, {r['r_high']:+.2f}]"
                    if r["r"] is not None and r["r_low"] is not None
                    else f(r["r"], "+.2f")
                )
                bb = (
                    f"{r['beta']:+.2f} [{r['beta_low']:+.2f}, {r['beta_high']:+.2f}]"
                    if r["beta"] is not None and r["beta_low"] is not None
                    else f(r["beta"], "+.2f")
                )
                lines.append(f"{r['side']:<9} {r['term']:<10} {r['n']:>4}  {rr}  {bb}")
        return "\n".join(lines)


def _pair_ids(pairs: object) -> list[tuple[Hashable, Hashable]]:
    id_pairs = getattr(pairs, "id_pairs", None)
    if id_pairs is not None and not callable(id_pairs):
        return list(id_pairs)
    if not is_collection(pairs):
        raise ValidationError(
            f"`pairs` must be a Matching or a sequence of (mentor id, mentee id); got "
            f"{type(pairs).__name__}.",
            argument="pairs",
        )
    out = []
    for p in pairs:
        if not is_collection(p) or len(items := list(p)) != 2:
            raise ValidationError(
                "`pairs` must hold (mentor id, mentee id) pairs.", argument="pairs"
            )
        out.append((items[0], items[1]))
    return out


def _predictors(
    outcome: dict[Hashable, float],
    ids: list[Hashable],
    X: np.ndarray,
    names: list[str],
    side: str,
    level: float,
    min_group: int,
) -> list[dict[str, Any]]:
    from scipy import stats

    # one row per participant (a mentor with three mentees counts once): their growth
    # against the mean of their pairs' term values
    rows_of: dict[Hashable, list[int]] = {}
    for p, pid in enumerate(ids):
        if pid in outcome:
            rows_of.setdefault(pid, []).append(p)
    y = np.array([outcome[pid] for pid in rows_of], dtype=np.float64)
    Xs = np.array([X[r].mean(axis=0) for r in rows_of.values()], dtype=np.float64).reshape(
        len(rows_of), X.shape[1]
    )
    n = len(y)
    rows: list[dict[str, Any]] = []
    blank = dict.fromkeys(("r", "r_low", "r_high", "r_pvalue", "beta", "beta_low", "beta_high"))
    if n < min_group:
        return [{"side": side, "term": t, "n": n, **blank, "suppressed": True} for t in names]
    sd_x = Xs.std(axis=0, ddof=1)
    sd_y = float(y.std(ddof=1))
    varies = sd_x > 1e-12
    z = stats.norm.ppf((1 + level) / 2)
    # standardised multiple regression over the terms that vary
    beta = np.full(len(names), np.nan)
    half = np.full(len(names), np.nan)
    k = int(varies.sum())
    dof = n - k - 1
    if sd_y > 0 and k and dof > 0:
        Z = (Xs[:, varies] - Xs[:, varies].mean(axis=0)) / sd_x[varies]
        zy = (y - y.mean()) / sd_y
        coef, *_ = np.linalg.lstsq(Z, zy, rcond=None)
        resid = zy - Z @ coef
        sigma2 = float(resid @ resid) / dof
        cov = sigma2 * np.linalg.pinv(Z.T @ Z)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        beta[varies] = coef
        half[varies] = stats.t.ppf((1 + level) / 2, dof) * se
    for j, t in enumerate(names):
        row: dict[str, Any] = {"side": side, "term": t, "n": n, **blank, "suppressed": False}
        if varies[j] and sd_y > 0:
            res = stats.pearsonr(Xs[:, j], y)
            r = float(res.statistic)
            row["r"], row["r_pvalue"] = r, float(res.pvalue)
            if n > 3 and abs(r) < 1:
                fz, se_z = math.atanh(r), 1 / math.sqrt(n - 3)
                row["r_low"], row["r_high"] = math.tanh(fz - z * se_z), math.tanh(fz + z * se_z)
        if not math.isnan(beta[j]):
            row["beta"] = float(beta[j])
            row["beta_low"] = float(beta[j] - half[j])
            row["beta_high"] = float(beta[j] + half[j])
        rows.append(row)
    return rows


def evaluate_programme(
    pre: Any,
    post: Any,
    *,
    pairs: Any = None,
    mentors: People | None = None,
    mentees: People | None = None,
    programme: Programme | None = None,
    preferences: Preferences | None = None,
    level: float = 0.9,
    min_group: int = MIN_GROUP,
) -> Evaluation:
    """Skill growth over a programme, per side and skill, and which pair terms predicted it.

    Parameters
    ----------
    pre, post : pair of (mentor side, mentee side), or mapping with keys "mentor", "mentee"
        The self-assessments before and after the programme. Each side is a
        :class:`~rm_match.People` table (its ``offers`` are the levels), a mapping of
        participant id to a mapping of skill to level (a skill left out, or ``None``, was not
        assessed), or ``None`` (not assessed). A participant counts for a skill when
        assessed on it both times.
    pairs : Matching or sequence of (mentor id, mentee id), optional
        The pairs of the programme: with ``mentors`` and ``mentees`` (and ``programme``), the
        growth of each side's participant (their mean change over the skills they were
        assessed on) is related to each pair term (:mod:`rm_match.terms`).
    mentors, mentees : People, optional
        The cohort the pairs are from (needed with ``pairs``).
    programme : Programme, optional
        Says which terms exist and what they are (default ``Programme()``).
    preferences : Preferences, optional
        The participants' rankings, ratings and vetoes: needed when the programme weights the
        ``preference`` term (the default programme does, when they are given).
    level : float, default 0.9
        Coverage of the intervals.
    min_group : int, default 5
        Groups of fewer participants are suppressed (their statistics ``None``), in the
        growth table and in the predictors (which count participants, not pairs). At least
        5: smaller groups could let a reader work out a person's own assessment.

    Returns
    -------
    Evaluation
        ``.table`` (growth), ``.predictors``, ``.summary()``, ``.to_frame()``.

    Raises
    ------
    ValidationError
        On malformed assessments (a level that is not a finite number names the participant
        and the skill, never the level), ``pairs`` without the cohort, and invalid options
        (``min_group`` below 5, the privacy floor).

    Notes
    -----
    The p-values are those of :func:`scipy.stats.ttest_rel` and
    :func:`scipy.stats.wilcoxon` (two-sided; zero changes dropped by Wilcoxon's default);
    Cohen's ``d_z`` is the mean change over the standard deviation of the changes.

    Examples
    --------
    >>> pre = {f"E{i}": {"strategy": 0.3, "ai_tools": 0.1 * i} for i in range(6)}
    >>> post = {f"E{i}": {"strategy": 0.3 + 0.05 * i, "ai_tools": 0.1 * i + 0.2 + 0.01 * i}
    ...         for i in range(6)}
    >>> ev = evaluate_programme({"mentee": pre}, {"mentee": post})
    >>> [(r["skill"], round(r["mean_change"], 3)) for r in ev.table]
    [('(all)', 0.175), ('strategy', 0.125), ('ai_tools', 0.225)]
    """
    level = check_real(level, "level", low=0, high=1, low_open=True)
    min_group = check_int(min_group, "min_group", low=1)
    if min_group < MIN_GROUP:
        raise ValidationError(
            f"`min_group` must be at least {MIN_GROUP} (groups smaller than that could "
            f"identify a person's own assessment); got {min_group}.",
            argument="min_group",
        )
    pre_sides = _sides(pre, "pre")
    post_sides = _sides(post, "post")
    rows: list[dict[str, Any]] = []
    growth: dict[str, dict[Hashable, float]] = {}
    for s, side in enumerate(_SIDES):
        a = _assessment(pre_sides[s], f"pre[{side!r}]")
        b = _assessment(post_sides[s], f"post[{side!r}]")
        if a is None or b is None:
            continue
        ids = [pid for pid in a if pid in b]
        skills: dict[str, None] = {}
        for pid in ids:
            skills.update(dict.fromkeys(a[pid]))
        person: dict[Hashable, list[float]] = {}
        skill_rows = []
        for skill in skills:
            both = [pid for pid in ids if skill in a[pid] and skill in b[pid]]
            x = np.array([a[pid][skill] for pid in both])
            y = np.array([b[pid][skill] for pid in both])
            for pid, d in zip(both, (y - x).tolist(), strict=True):
                person.setdefault(pid, []).append(d)
            skill_rows.append(_growth_row(side, skill, x, y, min_group))
        if not skills:
            continue
        growth[side] = {pid: float(np.mean(v)) for pid, v in person.items()}
        # each person's mean level over the skills assessed both times
        p_ids = list(person)
        mean_pre = np.array(
            [np.mean([a[pid][k] for k in skills if k in a[pid] and k in b[pid]]) for pid in p_ids]
        )
        mean_post = mean_pre + np.array([growth[side][pid] for pid in p_ids])
        rows.append(_growth_row(side, ALL_SKILLS, mean_pre, mean_post, min_group))
        rows.extend(skill_rows)
    predictors: list[dict[str, Any]] = []
    if pairs is not None:
        if mentors is None or mentees is None:
            raise ValidationError(
                "`pairs` needs the cohort: give `mentors` and `mentees` too.", argument="pairs"
            )
        problem = Problem(mentors, mentees, programme, preferences=preferences)
        id_pairs = list(dict.fromkeys(_pair_ids(pairs)))  # a pair listed twice counts once
        mi = np.array([mentors.index(m) for m, _ in id_pairs], dtype=np.intp)
        ei = np.array([mentees.index(e) for _, e in id_pairs], dtype=np.intp)
        names = list(problem.weights)
        values = problem.terms(mi, ei, outer=False)
        X = np.column_stack([values[t] for t in names]) if names else np.zeros((len(mi), 0))
        for s, side in enumerate(_SIDES):
            if side in growth:
                ids = [p[s] for p in id_pairs]
                predictors += _predictors(growth[side], ids, X, names, side, level, min_group)
    return Evaluation(tuple(rows), tuple(predictors), level, min_group)
