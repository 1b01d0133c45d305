"""The validated array problem every backend receives, and the helpers they share."""

from __future__ import annotations

import numbers
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


def _capacity(value: object, n: int, name: str, side: str) -> np.ndarray:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < 0:
            raise ValidationError(f"`{name}` must be ≥ 0; got {value}.", argument=name)
        return np.full(n, int(value), dtype=np.int64)
    a = np.asarray(value)
    if a.dtype == bool or not np.issubdtype(a.dtype, np.integer):
        raise ValidationError(
            f"`{name}` must be a non-negative integer or an integer array of shape ({n},) "
            f"(one per {side}).",
            argument=name,
        )
    if a.shape != (n,):
        raise ValidationError(
            f"`{name}` must have shape ({n},) (one per {side}); got {a.shape}.", argument=name
        )
    neg = np.flatnonzero(a < 0)
    if len(neg):
        raise ValidationError(
            f"`{name}` must be ≥ 0; entry {int(neg[0])} is negative.", argument=name
        )
    return a.astype(np.int64)


def validate(
    scores: object,
    feasible: object,
    mentor_capacity: object,
    mentee_capacity: object,
    options: Options,
) -> ArrayProblem:
    """Check and normalise the array arguments of :func:`rm_match.assign` once (the shared
    options are checked by :func:`~rm_match.solvers.options.check_options`)."""
    try:
        s = np.array(scores, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(
            "`scores` must be a two-dimensional array of real numbers.", argument="scores"
        ) from None
    if s.ndim != 2:
        raise ValidationError(
            f"`scores` must be a two-dimensional array of real numbers; got {s.ndim} dimension(s).",
            argument="scores",
        )
    bad = ~np.isfinite(s)
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        hint = "; forbid pairs with `feasible` instead" if np.isinf(s[i, j]) else ""
        raise ValidationError(
            f"`scores` must be finite; entry ({i}, {j}) is {s[i, j]}{hint}.", argument="scores"
        )
    if feasible is None:
        f = np.ones(s.shape, dtype=bool)
    else:
        f = np.asarray(feasible)
        if f.dtype != bool:
            raise ValidationError(
                f"`feasible` must be a boolean array; got dtype {f.dtype}.", argument="feasible"
            )
        if f.shape != s.shape:
            raise ValidationError(
                f"`feasible` must have the shape of `scores` {s.shape}; got {f.shape}.",
                argument="feasible",
            )
    m_cap = _capacity(mentor_capacity, s.shape[0], "mentor_capacity", "mentor (row)")
    e_cap = _capacity(mentee_capacity, s.shape[1], "mentee_capacity", "mentee (column)")
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
