"""The validated array problem every backend receives, and the helpers they share."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ValidationError

if TYPE_CHECKING:
    from .options import Options


@dataclass(frozen=True)
class ArrayProblem:
    """Arguments of :func:`rm_match.assign`, validated and normalised once."""

    scores: np.ndarray  # (n_mentors, n_mentees) float64, finite
    feasible: np.ndarray  # same shape, bool
    mentor_capacity: np.ndarray  # (n_mentors,) int64 >= 0
    mentee_capacity: np.ndarray  # (n_mentees,) int64 >= 0
    policy: str
    time_limit: float | None
    rng: np.random.Generator

    @property
    def shape(self) -> tuple[int, int]:
        n_m, n_e = self.scores.shape
        return int(n_m), int(n_e)

    def candidates(self) -> np.ndarray:
        """Pairs a solver may use: feasible, both capacities positive, and for ``max_score``
        a positive score (a pair scoring ≤ 0 never raises the total)."""
        ok = self.feasible & (self.mentor_capacity > 0)[:, None] & (self.mentee_capacity > 0)
        if self.policy == "max_score":
            ok &= self.scores > 0
        return ok

    def max_pairs(self) -> int:
        """An upper bound on the number of pairs in any assignment."""
        return max_pairs(self.mentor_capacity, self.mentee_capacity)


def max_pairs(mentor_capacity: np.ndarray, mentee_capacity: np.ndarray) -> int:
    """An upper bound on the number of pairs in any assignment (pairs are distinct, so a
    capacity above the other side's size cannot be used)."""
    n_m, n_e = len(mentor_capacity), len(mentee_capacity)
    return int(min(np.minimum(mentor_capacity, n_e).sum(), np.minimum(mentee_capacity, n_m).sum()))


def capacities_on_both_sides(mentor_capacity: np.ndarray, mentee_capacity: np.ndarray) -> bool:
    """Whether some mentor and some mentee can each take more than one partner."""
    n_m, n_e = len(mentor_capacity), len(mentee_capacity)
    return bool(
        (np.minimum(mentor_capacity, n_e) > 1).any()
        and (np.minimum(mentee_capacity, n_m) > 1).any()
    )


def _capacity(value: object, n: int, n_other: int, name: str, side: str) -> np.ndarray:
    """Capacities as int64, each capped at ``n_other`` (pairs are distinct, so a larger
    capacity cannot be used: capping changes no answer and keeps huge integers exact)."""
    want = (
        f"`{name}` must be a non-negative integer or an integer array of shape ({n},) "
        f"(one per {side})"
    )
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 0:
            raise ValidationError(f"`{name}` must be ≥ 0; got {int(value)}.", argument=name)
        return np.full(n, min(int(value), n_other), dtype=np.int64)
    if isinstance(value, (str, bytes, Mapping)):
        raise ValidationError(f"{want}; got {type(value).__name__}.", argument=name)
    try:
        a = np.asarray(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{want}; got {type(value).__name__}.", argument=name) from None
    if a.dtype == object and a.ndim == 1:
        if not all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in a):
            raise ValidationError(f"{want}; got non-integer entries.", argument=name)
        first = next((i for i, x in enumerate(a) if x < 0), None)
        if first is not None:
            raise ValidationError(
                f"`{name}` must be ≥ 0; entry {first} is negative.", argument=name
            )
        return np.array([min(int(x), n_other) for x in a], dtype=np.int64)
    if a.dtype.kind not in "iu":
        raise ValidationError(f"{want}; got dtype {a.dtype}.", argument=name)
    if a.shape != (n,):
        raise ValidationError(
            f"`{name}` must have shape ({n},) (one per {side}); got {a.shape}.", argument=name
        )
    neg = np.flatnonzero(a < 0)
    if len(neg):
        raise ValidationError(
            f"`{name}` must be ≥ 0; entry {int(neg[0])} is negative.", argument=name
        )
    return np.minimum(a, n_other).astype(np.int64)


def _scores(scores: object) -> np.ndarray:
    want = "`scores` must be a two-dimensional array of real numbers"
    if isinstance(scores, (str, bytes, Mapping)) or scores is None:
        raise ValidationError(f"{want}; got {type(scores).__name__}.", argument="scores")
    try:
        a = np.asarray(scores)
    except (TypeError, ValueError):
        raise ValidationError(f"{want} (ragged or mixed input).", argument="scores") from None
    if a.dtype == object:
        if not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in a.flat):
            raise ValidationError(f"{want}; got non-numeric entries.", argument="scores")
        try:
            a = a.astype(np.float64)
        except (TypeError, ValueError, OverflowError):
            raise ValidationError(f"{want}; got entries too large.", argument="scores") from None
    elif a.dtype.kind not in "iuf":
        kind = {"b": "boolean", "c": "complex", "U": "string", "S": "bytes"}.get(
            a.dtype.kind, str(a.dtype)
        )
        raise ValidationError(f"{want}; got {kind} entries.", argument="scores")
    if a.ndim != 2:
        raise ValidationError(f"{want}; got {a.ndim} dimension(s).", argument="scores")
    # float64 input is used as it is (no n × n copy), through a read-only view: no solver
    # may write to the caller's array
    view = np.asarray(a, dtype=np.float64).view()
    view.flags.writeable = False
    return view


def _feasible(feasible: object, shape: tuple[int, ...]) -> np.ndarray:
    if feasible is None:
        return np.ones(shape, dtype=bool)
    want = f"`feasible` must be a boolean array of the shape of `scores` {shape}"
    if isinstance(feasible, (str, bytes, Mapping)):
        raise ValidationError(f"{want}; got {type(feasible).__name__}.", argument="feasible")
    try:
        f = np.asarray(feasible)
    except (TypeError, ValueError):
        raise ValidationError(f"{want} (ragged or mixed input).", argument="feasible") from None
    if f.shape != shape:
        raise ValidationError(f"{want}; got shape {f.shape}.", argument="feasible")
    if f.dtype == bool:
        return f
    if f.dtype.kind in "iu" and f.size:
        bad = np.flatnonzero((f != 0) & (f != 1))
        if not len(bad):
            return f.astype(bool)
        i, j = np.unravel_index(int(bad[0]), shape)
        raise ValidationError(
            f"{want}, or 0/1 integers; entry ({int(i)}, {int(j)}) is neither 0 nor 1.",
            argument="feasible",
        )
    if f.dtype.kind in "iu":
        return f.astype(bool)
    raise ValidationError(f"{want} (or 0/1 integers); got dtype {f.dtype}.", argument="feasible")


#: The largest score magnitude taken: beyond it the flow's per-pair bonus (the most pairs
#: times the score range) and its sums leave float64 (1e308 gave the wrong pairs, reported
#: optimal).
MAX_SCORE = 1e100


def score_range_error(i: int, j: int, value: float) -> str:
    """The message for a score beyond :data:`MAX_SCORE`."""
    return (
        f"`scores` must lie within ±{MAX_SCORE:g} (rescale them: only their order and "
        f"differences matter); entry ({i}, {j}) is {value:g}."
    )


def validate(
    scores: object,
    feasible: object,
    mentor_capacity: object,
    mentee_capacity: object,
    options: Options,
) -> ArrayProblem:
    """Check and normalise the array arguments of :func:`rm_match.assign` once (the shared
    options are checked by :func:`~rm_match.solvers.options.check_options`)."""
    s = _scores(scores)
    bad = ~np.isfinite(s)
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        hint = "; forbid pairs with `feasible` instead" if np.isinf(s[i, j]) else ""
        raise ValidationError(
            f"`scores` must be finite; entry ({i}, {j}) is {s[i, j]}{hint}.", argument="scores"
        )
    huge = np.abs(s) > MAX_SCORE
    if huge.any():
        i, j = (int(x) for x in np.argwhere(huge)[0])
        raise ValidationError(score_range_error(i, j, float(s[i, j])), argument="scores")
    f = _feasible(feasible, s.shape)
    n_m, n_e = s.shape
    m_cap = _capacity(mentor_capacity, n_m, n_e, "mentor_capacity", "mentor (row)")
    e_cap = _capacity(mentee_capacity, n_e, n_m, "mentee_capacity", "mentee (column)")
    return ArrayProblem(s, f, m_cap, e_cap, options.policy, options.time_limit, options.generator)


def coverage_bonus(problem: ArrayProblem, cand: np.ndarray) -> float:
    """A per-pair bonus that makes one more pair worth more than any score difference.

    With weights ``bonus + score`` a maximum-weight assignment first maximises the number of
    pairs, then the total score (the ``max_matched`` policy): an assignment with one pair more
    gains ``bonus + min score`` and loses at most ``k·(max - min score)`` elsewhere.
    """
    if not cand.any():
        return 1.0
    vals = problem.scores[cand]
    lo, hi = float(vals.min()), float(vals.max())
    k = problem.max_pairs()
    return (k + 1) * (hi - lo) + abs(lo) + 1.0


def index_pairs(pairs: object, n_m: int, n_e: int, argument: str = "pairs") -> np.ndarray:
    """``pairs`` as a (k, 2) int64 array of indices within the sides, or a named error."""
    try:
        p = np.asarray(pairs)
    except (TypeError, ValueError):
        p = np.asarray(None)
    if p.size == 0 and p.dtype.kind in "iufb":
        return np.empty((0, 2), dtype=np.int64)
    if p.ndim != 2 or p.shape[1] != 2 or p.dtype.kind not in "iu":
        raise ValidationError(
            f"`{argument}` must be a (k, 2) integer array of (mentor, mentee) indices.",
            argument=argument,
        )
    p = p.astype(np.int64)
    bad = (p[:, 0] < 0) | (p[:, 0] >= n_m) | (p[:, 1] < 0) | (p[:, 1] >= n_e)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValidationError(
            f"`{argument}` entry {i} is outside the {n_m} × {n_e} sides.", argument=argument
        )
    return p
