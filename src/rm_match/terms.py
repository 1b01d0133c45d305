"""Score terms: how much a mentor→mentee pair is worth, each term normalised to [0, 1].

Terms (all vectorised; no Python loop over pairs):

``learning``
    Two-way learning value ``(Σ_k w_k·offers[m,k]·wants[e,k] + λ·Σ_k w_k·offers[e,k]·wants[m,k])
    / ((1 + λ)·Σ_k w_k)``: what the mentor teaches the mentee, plus λ times what flows back.
    Two matrix products per block.
``interests``
    Jaccard similarity of the two interest sets (0 when both are empty).
``language``
    1 when the two share a language, else 0.
``timezone``
    Closeness of the clocks: ``1 - Δ/12`` with Δ the clock difference in hours (≤ 12).
``diversity``
    Share of the programme's ``diversity_attributes`` on which the two differ (an unknown
    value never counts as different).

The pair score is the weighted mean of the active terms, so it lies in [0, 1] too.

The terms take a :class:`TermSpec` (skill weights as a vector, λ, the diversity
attributes), never a programme: a compiled problem keeps each term's matrix apart, so that
re-weighting costs one weighted sum (:func:`combine`), not a recompile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .rules import _dot, _sides, circular_hours

if TYPE_CHECKING:  # pragma: no cover
    from .cohort import Cohort

__all__ = ["TERMS", "TERM_FIELDS", "TermSpec", "combine", "pair_terms", "top_skills"]

#: The score terms, in report order.
TERMS = ("learning", "interests", "language", "timezone", "diversity")

#: The columns each term needs on both sides.
TERM_FIELDS = {
    "learning": (),
    "interests": ("interests",),
    "language": ("languages",),
    "timezone": ("timezone",),
    "diversity": (),
}


@dataclass(frozen=True)
class TermSpec:
    """What the terms need besides the cohort: plain values, no programme.

    Attributes
    ----------
    skill_weights : ndarray of float, shape (d,)
        Weight of each skill of the cohort's skill space.
    reverse_weight : float
        λ, the weight of what the mentee teaches back.
    diversity_attributes : tuple of str
        Attributes on which a differing pair earns the diversity reward.
    """

    skill_weights: np.ndarray
    reverse_weight: float = 0.5
    diversity_attributes: tuple[str, ...] = ()


def _learning_parts(
    cohort: Cohort, w: np.ndarray, mi: np.ndarray, ei: np.ndarray, outer: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Un-normalised forward (mentor teaches) and reverse (mentee teaches) learning values."""
    m, e = cohort.mentors, cohort.mentees
    forward = _dot(m.offers[mi], e.wants[ei] * w, outer)
    reverse = _dot(m.wants[mi] * w, e.offers[ei], outer)
    return forward, reverse


def pair_terms(
    cohort: Cohort,
    spec: TermSpec,
    mi: np.ndarray,
    ei: np.ndarray,
    *,
    outer: bool = True,
    terms: Iterable[str] = TERMS,
) -> dict[str, np.ndarray]:
    """Values in [0, 1] of the given terms, for a block of pairs or pair-wise.

    Parameters
    ----------
    cohort : Cohort
    spec : TermSpec
    mi, ei : ndarray of int
        Mentor and mentee indices.
    outer : bool, default True
        ``True``: every pair of ``mi × ei`` (arrays of shape ``(len(mi), len(ei))``);
        ``False``: the pairs ``(mi[k], ei[k])`` (arrays of shape ``(len(mi),)``).
    terms : iterable of str, default all
        The terms to compute (``Problem.weights`` gives the active ones).

    Examples
    --------
    >>> import numpy as np
    >>> from rm_match import Cohort, People
    >>> m = People(["j1"], skills=["ai"], offers=[[1.0]], wants=[[0.0]])
    >>> e = People(["s1"], skills=["ai"], offers=[[0.0]], wants=[[0.5]])
    >>> t = pair_terms(Cohort(m, e), TermSpec(np.ones(1), 0.0), np.arange(1), np.arange(1),
    ...                terms=["learning"])
    >>> t["learning"].tolist()
    [[0.5]]
    """
    out: dict[str, np.ndarray] = {}
    weights = set(terms)
    if "learning" in weights:
        w = spec.skill_weights
        forward, reverse = _learning_parts(cohort, w, mi, ei, outer)
        lam = spec.reverse_weight
        total = (1.0 + lam) * w.sum()
        value = forward + lam * reverse
        out["learning"] = value / total if total > 0 else np.zeros_like(value)
    if "interests" in weights:
        i_m, i_e = cohort.interests
        inter = _dot(i_m[mi], i_e[ei], outer).astype(np.float64)
        a, b = _sides(i_m[mi].sum(axis=1, dtype=np.float64), i_e[ei].sum(axis=1), outer)
        union = a + b - inter
        out["interests"] = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    if "language" in weights:
        l_m, l_e = cohort.languages
        out["language"] = (_dot(l_m[mi], l_e[ei], outer) > 0).astype(np.float64)
    if "timezone" in weights:
        tz_m, tz_e = cohort.mentors.timezone, cohort.mentees.timezone
        assert tz_m is not None and tz_e is not None  # required of an active term
        a, b = _sides(tz_m[mi], tz_e[ei], outer)
        out["timezone"] = 1.0 - circular_hours(a, b) / 12.0
    if "diversity" in weights:
        attrs = spec.diversity_attributes
        acc = None
        for name in attrs:
            c_m, c_e = cohort.attribute_codes(name)
            a, b = _sides(c_m[mi], c_e[ei], outer)
            differ = ((a != b) & (a >= 0) & (b >= 0)).astype(np.float64)
            acc = differ if acc is None else acc + differ
        assert acc is not None  # the term is active only with attributes named
        out["diversity"] = acc / len(attrs)
    return out


def combine(terms: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted mean of the term values (the pair score, in [0, 1]): one weighted sum over
    the kept term arrays, whatever their shape; zeros of the terms' shape when no weight is
    positive (no term scores anything)."""
    total = sum(weights.values())
    acc: np.ndarray | None = None
    for name, w in weights.items():
        part = terms[name] * (w / total)
        acc = part if acc is None else acc + part
    if acc is None:
        shape = next((np.shape(v) for v in terms.values()), (0,))
        return np.zeros(shape)
    return acc


def top_skills(
    cohort: Cohort,
    spec: TermSpec,
    mi: np.ndarray,
    ei: np.ndarray,
    k: int = 3,
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """The skills that drive each pair's learning value, in each direction.

    Returns, for every pair ``(mi[p], ei[p])``, up to ``k`` skill names with a positive
    contribution ``w_s·offers·wants``, largest first: first what the mentor teaches, then what
    the mentee teaches back (nothing when ``reverse_weight`` is 0).
    """
    w = spec.skill_weights
    m, e = cohort.mentors, cohort.mentees
    skills = np.array(cohort.mentors.skills, dtype=object)
    out = []
    # with λ = 0 what the mentee knows counts for nothing: no skill is "taught back"
    back = e.offers[ei] * w * m.wants[mi] * (spec.reverse_weight > 0)
    for contrib in (m.offers[mi] * w * e.wants[ei], back):
        order = np.argsort(-contrib, axis=1, kind="stable")[:, :k]
        vals = np.take_along_axis(contrib, order, axis=1)
        out.append([tuple(skills[o[v > 0]]) for o, v in zip(order, vals, strict=True)])
    return out[0], out[1]
