"""Score terms: how much a mentor→mentee pair is worth, each term normalised to [0, 1].

Terms (all vectorised; no Python loop over pairs):

``learning``
    Two-way learning value: what the mentor teaches the mentee, plus λ times what flows back,
    ``(F + λ·R) / (1 + λ)``, each direction scaled to [0, 1] by the programme's
    ``learning_norm``:

    - ``"wants"``: the share of what the learner wants that the teacher offers,
      ``F = Σ_k w_k·offers[m,k]·wants[e,k] / Σ_k w_k·wants[e,k]`` (and ``R`` the same the
      other way); 0 for a learner who wants nothing. It does not shrink as the skill space
      grows, so it stays meaningful on sparse survey answers (a few skills out of dozens).
    - ``"skills"``: per skill of the whole space, ``F = Σ_k w_k·offers[m,k]·wants[e,k] /
      Σ_k w_k``.

    Two matrix products per block. A skill level that was not stated is 0 (nothing offered,
    nothing wanted).
``interests``
    Jaccard similarity of the two interest sets (0 when both are empty: a person with no
    interests stated shares none).
``language``
    1 when the two share a language, else 0 (0 when either states none).
``timezone``
    Closeness of the clocks: ``1 - Δ/12`` with Δ the clock difference in hours (≤ 12); 0
    when either time zone is missing (closeness not known is not closeness).
``diversity``
    Share of the programme's ``diversity_attributes`` on which the two differ (a missing
    value never counts as different).
``preference``
    What the two said of each other in a survey (:mod:`rm_match.preferences`):
    ``s·u(mentor → mentee) + (1 - s)·u(mentee → mentor)`` with ``s`` the preferences'
    ``mentor_share``; a rank ``r`` of ``L`` is worth ``(L - r + 1)/L``, a rating its place
    on the scale, and a candidate not mentioned 0. Needs ``preferences=``.

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

from .preferences import pick
from .rules import _dot, _sides, circular_hours
from .solvers.sparse import _fast

if TYPE_CHECKING:  # pragma: no cover
    from .cohort import Cohort

__all__ = [
    "LEARNING_NORMS",
    "TERMS",
    "TERM_FIELDS",
    "TermSpec",
    "combine",
    "fused_scores",
    "packed_sets",
    "pair_terms",
    "scaled_wants",
    "top_skills",
]

#: The score terms, in report order.
TERMS = ("learning", "interests", "language", "timezone", "diversity", "preference")

#: How the learning term is scaled: by what the learner wants, or by the whole skill space.
LEARNING_NORMS = ("wants", "skills")

#: The columns each term needs on both sides.
TERM_FIELDS = {
    "learning": (),
    "interests": ("interests",),
    "language": ("languages",),
    "timezone": ("timezone",),
    "diversity": (),
    "preference": ("preferences",),
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
    learning_norm : str
        ``"wants"`` or ``"skills"``: how each direction of learning is scaled to [0, 1].
    """

    skill_weights: np.ndarray
    reverse_weight: float = 0.5
    diversity_attributes: tuple[str, ...] = ()
    learning_norm: str = "wants"


def scaled_wants(wants: np.ndarray, spec: TermSpec) -> np.ndarray:
    """``w·wants`` per row, divided so that ``offers · scaled_wants`` is one direction of the
    learning term in [0, 1]: by each learner's ``Σ w·wants`` (``"wants"``; rows wanting
    nothing stay 0) or by ``Σ w`` (``"skills"``)."""
    w = spec.skill_weights
    ww = wants * w
    if spec.learning_norm == "wants":
        total = ww.sum(axis=1, keepdims=True)
        return np.divide(ww, total, out=np.zeros_like(ww), where=total > 0)
    total_w = float(w.sum())
    return ww / total_w if total_w > 0 else np.zeros_like(ww)


def _learning_parts(
    cohort: Cohort, spec: TermSpec, mi: np.ndarray, ei: np.ndarray, outer: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Forward (mentor teaches) and reverse (mentee teaches) learning values, each in [0, 1]."""
    m, e = cohort.mentors, cohort.mentees
    key = (spec.learning_norm, spec.skill_weights.tobytes())
    # per person once per cohort and scaling (row-wise: the same numbers as scaling the
    # gathered rows, which cost a division per pair on the exact pair scorer)
    mentee_wants = cohort.memo(("scaled wants", 1, key), lambda: scaled_wants(e.wants, spec))
    mentor_wants = cohort.memo(("scaled wants", 0, key), lambda: scaled_wants(m.wants, spec))
    forward = _dot(m.offers[mi], mentee_wants[ei], outer)
    reverse = _dot(mentor_wants[mi], e.offers[ei], outer)
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
    >>> t["learning"].tolist()  # the mentor teaches all the mentee wants
    [[1.0]]
    >>> spec = TermSpec(np.ones(1), 0.0, learning_norm="skills")
    >>> pair_terms(Cohort(m, e), spec, np.arange(1), np.arange(1), terms=["learning"])[
    ...     "learning"].tolist()  # 1.0 × 0.5 over the one skill of the space
    [[0.5]]
    """
    out: dict[str, np.ndarray] = {}
    weights = set(terms)
    if "learning" in weights:
        forward, reverse = _learning_parts(cohort, spec, mi, ei, outer)
        lam = spec.reverse_weight
        # each direction is at most 1 (offers ≤ 1), so the mean stays within [0, 1]
        out["learning"] = np.minimum((forward + lam * reverse) / (1.0 + lam), 1.0)
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
        # a missing time zone (NaN) gives no closeness
        out["timezone"] = np.nan_to_num(1.0 - circular_hours(a, b) / 12.0, nan=0.0)
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
    if "preference" in weights:
        prefs = cohort.preferences
        assert prefs is not None  # required of an active term
        out["preference"] = pick(prefs.term, mi, ei, outer).astype(np.float64)
    return out


#: The terms :func:`fused_scores` adds up in one compiled loop, in the kernel's order (the
#: preference term, a sparse matrix, is added by numpy).
FUSED_TERMS = ("learning", "interests", "language", "timezone", "diversity")


def packed_sets(indicators: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of an indicator matrix packed into bytes (C order), and their sizes.

    Examples
    --------
    >>> bits, sizes = packed_sets(np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]))
    >>> bits.tolist(), sizes.tolist()  # 0b10100000: the first and third labels
    ([[160], [0]], [2.0, 0.0])
    """
    ind = np.asarray(indicators) > 0
    return np.ascontiguousarray(np.packbits(ind, axis=1)), ind.sum(axis=1).astype(np.float64)


def _fused_arrays(
    cohort: Cohort, spec: TermSpec, weights: Mapping[str, float]
) -> _fast.ScoreArrays:
    """The arrays of :func:`rm_match.solvers.sparse._fast.pair_scores` for these weights."""
    n_m, n_e = cohort.shape
    total = sum(weights.values())
    w = np.array([weights.get(t, 0.0) / total if total else 0.0 for t in FUSED_TERMS])
    arrays = _fast.empty_terms(n_m, n_e)._replace(w=w)
    m, e = cohort.mentors, cohort.mentees

    def c64(x: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(x, dtype=np.float64)

    if w[0]:
        arrays = arrays._replace(
            lam=float(spec.reverse_weight),
            learn_m=c64(np.hstack((m.offers, scaled_wants(m.wants, spec)))),
            learn_e=c64(np.hstack((scaled_wants(e.wants, spec), e.offers))),
        )
    if w[1]:
        (bits_m, sizes_m), (bits_e, sizes_e) = map(packed_sets, cohort.interests)
        arrays = arrays._replace(
            interests_m=bits_m, sizes_m=sizes_m, interests_e=bits_e, sizes_e=sizes_e
        )
    if w[2]:
        l_m, l_e = (packed_sets(x)[0] for x in cohort.languages)
        arrays = arrays._replace(languages_m=l_m, languages_e=l_e)
    if w[3]:
        assert m.timezone is not None and e.timezone is not None  # required of the term
        arrays = arrays._replace(tz_m=c64(m.timezone), tz_e=c64(e.timezone))
    if w[4]:
        codes = [cohort.attribute_codes(a) for a in spec.diversity_attributes]
        c_m, c_e = (
            np.ascontiguousarray(np.column_stack([c[side] for c in codes]), dtype=np.int64)
            for side in (0, 1)
        )
        arrays = arrays._replace(codes_m=c_m, codes_e=c_e)
    return arrays


def fused_scores(
    cohort: Cohort,
    spec: TermSpec,
    weights: Mapping[str, float],
    mi: np.ndarray,
    ei: np.ndarray,
) -> np.ndarray:
    """Pair scores ``combine(pair_terms(..., outer=False), weights)`` in one compiled loop
    (the ``fast`` extra; numba must be importable): each pair's terms read in place, no
    gathered rows. The same scores to rounding (within 1e-15; the additions run in another
    order); the arrays it reads are built once per cohort, spec and weights.

    Examples
    --------
    >>> import numpy as np
    >>> from rm_match import Problem, synthetic
    >>> from rm_match.solvers.sparse import _fast
    >>> p = Problem(*synthetic.cohort(30, 20, rng=0))
    >>> mi, ei = np.arange(20), np.arange(20)[::-1]
    >>> if _fast.enabled():  # numba installed
    ...     fast = fused_scores(p.cohort, p.spec, p.weights, mi, ei)
    ...     assert np.allclose(fast, p.scores(mi, ei, outer=False), rtol=0, atol=1e-12)
    """
    key = (
        "fused terms",
        tuple(weights.items()),
        spec.skill_weights.tobytes(),
        spec.reverse_weight,
        spec.diversity_attributes,
        spec.learning_norm,
    )
    arrays = cohort.memo(key, lambda: _fused_arrays(cohort, spec, weights))
    out = _fast.pair_scores(mi, ei, arrays)
    if "preference" in weights:
        prefs = cohort.preferences
        assert prefs is not None  # required of an active term
        share = weights["preference"] / sum(weights.values())
        out += pick(prefs.term, mi, ei, False).astype(np.float64) * share
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
        # largest first: the positive contributions are a prefix of each row
        positive = (np.take_along_axis(contrib, order, axis=1) > 0).sum(axis=1)
        names = skills[order].tolist()
        out.append([tuple(row[:c]) for row, c in zip(names, positive.tolist(), strict=True)])
    return out[0], out[1]
