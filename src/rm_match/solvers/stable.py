"""Stable matchings over arrays: deferred acceptance, blocking pairs, optimal stable matchings.

Each side states how much it likes each candidate: ``mentor_pref[i, j]`` is how much mentor
``i`` likes mentee ``j``, ``mentee_pref[i, j]`` how much mentee ``j`` likes mentor ``i``
(both ``n_mentors × n_mentees``, higher is better). ``acceptable`` (default: every pair)
marks the pairs that may be matched at all: a pair outside it is never matched and never
blocks (hard rules, vetoes).

**Tie-breaking rule.** Every person's preferences are made a *strict* order: candidates by
utility, highest first, and among candidates of equal utility the one with the lower index
(the one listed first in the table) first. Deferred acceptance, blocking pairs, ranks and
the optimal stable matching all use this strict order, so every result is deterministic.

**Stability** (pairwise, with capacities): an acceptable pair ``(i, j)`` that is not matched
*blocks* when mentor ``i`` has a free place or prefers ``j`` to its worst current partner,
and mentee ``j`` has a free place or prefers ``i`` to its worst current partner.

- :func:`deferred_acceptance` — Gale–Shapley / McVitie–Wilson with either side proposing;
  the proposer-optimal stable matching (many-to-many with responsive preferences allowed).
  One proposer at a time proposes to the best candidate that would accept it now (the
  rejections on the way are certain and skipped in bulk, by a few vector operations over its
  row): one step per accepted proposal; the outcome does not depend on the order.
- :func:`optimal_stable` — the stable matching of best total score, or of least
  egalitarian cost, over the whole lattice of stable matchings: rotations found walking
  from the mentor-optimal to the mentee-optimal matching, their precedence (type-1 and
  type-2 predecessors) and a maximum-weight closure by a minimum cut (Irving, Leather &
  Gusfield 1987; Gusfield & Irving, *The Stable Marriage Problem*, 1989, ch. 2–3).
  Capacities above one on one side are reduced to one-to-one by cloning.
- :func:`blocking_pairs` and :func:`preference_ranks` — checks and ranks, vectorised.

Pairs are ``(k, 2)`` int64 arrays of (mentor index, mentee index) sorted by mentor, then
mentee.

Examples
--------
>>> import numpy as np
>>> from rm_match.solvers.stable import blocking_pairs, deferred_acceptance
>>> mentor_pref = np.array([[3.0, 1.0], [3.0, 1.0]])  # both mentors prefer mentee 0
>>> mentee_pref = np.array([[1.0, 2.0], [2.0, 1.0]])  # mentee 0 prefers mentor 1
>>> deferred_acceptance(mentor_pref, mentee_pref).tolist()
[[0, 1], [1, 0]]
>>> blocking_pairs([[0, 0], [1, 1]], mentor_pref, mentee_pref).tolist()
[[1, 0]]
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._checks import check_choice
from ..errors import SolverError, ValidationError
from ._problem import _capacity, index_pairs

__all__ = [
    "StableResult",
    "blocking_pairs",
    "deferred_acceptance",
    "optimal_stable",
    "preference_ranks",
]

#: Proposers whose lists are built at once (bounds the temporary float copies).
_BLOCK = 128
#: Rows per tile when reading a matrix column-wise (cache-friendly transposes).
_TILE = 512
#: Side of the square tiles of :func:`_transpose`.
_SQUARE = 256

PROPOSERS = ("mentees", "mentors")
OBJECTIVES = ("score", "egalitarian")


@dataclass(frozen=True)
class StableResult:
    """An optimal stable matching and the lattice walk that found it.

    Attributes
    ----------
    pairs : ndarray of int64, shape (k, 2)
        The (mentor, mentee) pairs, sorted by mentor then mentee.
    objective : float
        Its total score (``objective="score"``) or egalitarian cost (``"egalitarian"``:
        the sum over both sides of each partner's 1-based rank).
    objective_kind : str
        ``"score"`` (maximised) or ``"egalitarian"`` (minimised).
    n_rotations : int
        Rotations of the instance (one fewer than the stable matchings on a chain; zero when
        the stable matching is unique).
    n_eliminated : int
        Rotations eliminated from the mentor-optimal matching to reach this one.
    mentor_optimal_objective, mentee_optimal_objective : float
        The objective of the mentor-optimal and the mentee-optimal stable matchings.
    """

    pairs: np.ndarray
    objective: float
    objective_kind: str
    n_rotations: int
    n_eliminated: int
    mentor_optimal_objective: float
    mentee_optimal_objective: float

    def __repr__(self) -> str:
        return (
            f"StableResult(pairs={len(self.pairs)}, objective={self.objective:.6g}, "
            f"objective_kind={self.objective_kind!r}, n_rotations={self.n_rotations})"
        )


# -- validation --------------------------------------------------------------------------------


def _pref(value: object, argument: str) -> np.ndarray:
    """A two-dimensional finite float64 array (the caller's, read-only, when already so)."""
    want = f"`{argument}` must be a two-dimensional array of real numbers"
    if isinstance(value, (str, bytes, Mapping)) or value is None:
        raise ValidationError(f"{want}; got {type(value).__name__}.", argument=argument)
    try:
        a = np.asarray(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{want} (ragged or mixed input).", argument=argument) from None
    if a.dtype == object:
        if not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in a.flat):
            raise ValidationError(f"{want}; got non-numeric entries.", argument=argument)
        a = a.astype(np.float64)
    elif a.dtype.kind not in "iuf":
        raise ValidationError(f"{want}; got dtype {a.dtype}.", argument=argument)
    if a.ndim != 2:
        raise ValidationError(f"{want}; got {a.ndim} dimension(s).", argument=argument)
    view = np.asarray(a, dtype=np.float64).view()
    view.flags.writeable = False
    # a finite sum proves every entry finite (one pass, no mask); else check exactly
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduce(view, axis=None)
    if np.isfinite(total):
        return view
    finite = np.isfinite(view)
    if not finite.all():
        i, j = (int(x) for x in np.argwhere(~finite)[0])
        raise ValidationError(
            f"`{argument}` must be finite; entry ({i}, {j}) is {view[i, j]} "
            f"(forbid pairs with `acceptable` instead).",
            argument=argument,
        )
    return view


def _prefs(
    mentor_pref: object, mentee_pref: object, acceptable: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Both utility tables and the mask (``None`` when every pair is acceptable)."""
    u_m = _pref(mentor_pref, "mentor_pref")
    u_e = _pref(mentee_pref, "mentee_pref")
    if u_e.shape != u_m.shape:
        raise ValidationError(
            f"`mentee_pref` must have the shape of `mentor_pref` {u_m.shape} "
            f"(n_mentors × n_mentees); got {u_e.shape}.",
            argument="mentee_pref",
        )
    return u_m, u_e, _mask(acceptable, u_m.shape, "acceptable")


def _mask(value: object, shape: tuple[int, ...], argument: str) -> np.ndarray | None:
    if value is None:
        return None
    want = f"`{argument}` must be a boolean array of shape {shape} (n_mentors × n_mentees)"
    if isinstance(value, (str, bytes, Mapping)):
        raise ValidationError(f"{want}; got {type(value).__name__}.", argument=argument)
    try:
        f = np.asarray(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{want} (ragged or mixed input).", argument=argument) from None
    if f.shape != shape:
        raise ValidationError(f"{want}; got shape {f.shape}.", argument=argument)
    if f.dtype.kind in "iu" and f.size and ((f != 0) & (f != 1)).any():
        raise ValidationError(f"{want} (or 0/1 integers); got other integers.", argument=argument)
    if f.dtype != bool and f.dtype.kind not in "iu":
        raise ValidationError(f"{want}; got dtype {f.dtype}.", argument=argument)
    f = f.astype(bool, copy=False)
    return None if f.all() else f


def _caps(
    mentor_capacity: object, mentee_capacity: object, n_m: int, n_e: int
) -> tuple[np.ndarray, np.ndarray]:
    return (
        _capacity(mentor_capacity, n_m, n_e, "mentor_capacity", "mentor (row)"),
        _capacity(mentee_capacity, n_e, n_m, "mentee_capacity", "mentee (column)"),
    )


def _sorted_pairs(mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
    order = np.lexsort((ei, mi))
    return np.stack((mi[order], ei[order]), axis=1).astype(np.int64).reshape(-1, 2)


# -- strict orders -----------------------------------------------------------------------------


def _rows(m: np.ndarray, rows: np.ndarray, transposed: bool) -> np.ndarray:
    """A copy of rows ``rows`` of ``m`` (of ``m.T`` when ``transposed``, read in tiles)."""
    if not transposed:
        return np.array(m[rows])
    out = np.empty((len(rows), m.shape[0]), dtype=m.dtype)
    if len(rows) == 0:
        return out
    run = int(rows[-1]) - int(rows[0]) + 1 == len(rows) and bool((np.diff(rows) == 1).all())
    for r0 in range(0, m.shape[0], _TILE):
        tile = m[r0 : r0 + _TILE]
        sub = tile[:, int(rows[0]) : int(rows[-1]) + 1] if run else tile[:, rows]
        out[:, r0 : r0 + _TILE] = sub.T
    return out


def _utilities(
    u: np.ndarray, acc: np.ndarray | None, rows: np.ndarray, transposed: bool
) -> np.ndarray:
    """Utility rows of the given people, ``-inf`` where a pair is not acceptable."""
    v = _rows(u, rows, transposed)
    if acc is not None:
        v[~_rows(acc, rows, transposed)] = -np.inf
    return v


def _strict_order(v: np.ndarray) -> np.ndarray:
    """Each row's candidates in the strict order (utility descending, then index ascending).

    Sorts packed 64-bit keys (the utility's order-preserving bits with the low bits replaced
    by the column index) with numpy's vectorised integer sort, then checks the result
    against the exact values and re-sorts exactly the rows where the dropped bits (or a
    signed zero) mattered. ``v`` (C-contiguous float64) is not modified."""
    b, n = v.shape
    if n <= 1 or b == 0:
        return np.zeros((b, n), dtype=np.int64) + np.arange(n, dtype=np.int64)
    low = np.int64((1 << max(1, (n - 1).bit_length())) - 1)
    bits = np.ascontiguousarray(v).view(np.int64)
    keys = bits >> 63
    keys &= np.int64(0x7FFFFFFFFFFFFFFF)
    keys ^= bits  # ascending with the utility (as signed integers)
    np.invert(keys, out=keys)  # descending
    keys &= ~low
    keys |= np.arange(n, dtype=np.int64)
    keys.sort(axis=1)
    keys &= low
    order = keys
    vals = np.take_along_axis(v, order, axis=1)
    a, c = vals[:, :-1], vals[:, 1:]
    bad = (a < c) | ((a == c) & (order[:, :-1] > order[:, 1:]))
    for r in np.flatnonzero(bad.any(axis=1)):
        order[r] = np.argsort(-v[r], kind="stable")
    return order


# -- deferred acceptance -----------------------------------------------------------------------


def _transpose(m: np.ndarray) -> np.ndarray:
    """``m.T`` C-contiguous: a view when ``m`` is Fortran-ordered, else a copy made in square
    tiles (about 4x faster than numpy's own transposing copy on large matrices: both sides
    stay in cache)."""
    if m.flags.f_contiguous:
        return m.T
    out = np.empty((m.shape[1], m.shape[0]), dtype=m.dtype)
    t = _SQUARE
    for i in range(0, m.shape[0], t):
        for j in range(0, m.shape[1], t):
            out[j : j + t, i : i + t] = m[i : i + t, j : j + t].T
    return out


def _worst_held(held: list[int], u_r: np.ndarray, r: int) -> int:
    """The partner receiver ``r`` likes least: lowest utility, then highest index."""
    return min(held, key=lambda q: (float(u_r[q, r]), -q))


def _deferred(
    u_p: np.ndarray,
    u_r: np.ndarray,
    acc: np.ndarray | None,
    transposed: bool,
    cap_p: np.ndarray,
    cap_r: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Proposer-optimal stable matching as (proposer indices, receiver indices).

    ``transposed``: proposers are the columns of the (rows × columns) tables (``u_p`` gives
    their utilities by column, ``u_r[r, p]`` the receivers'); otherwise proposers are the rows
    and ``u_r[p, r]`` gives the receivers' utilities.

    McVitie–Wilson with the rejections skipped in bulk: one proposer at a time proposes to
    the best candidate, after the last one it proposed to, that would accept it *now* —
    every candidate it passes over holds someone it prefers, and a receiver's worst held
    partner only improves, so those would reject it at any later time too. Each step is a
    few vector operations over one proposer's row, and there is one step per accepted
    proposal (not per proposal). Proposers start in order of how much receivers like them
    on average, which makes displacements (and so steps) rare when tastes are alike. The
    result is the proposer-optimal stable matching whatever the order (Gale & Shapley
    1962; McVitie & Wilson 1971)."""
    n_p, n_r = len(cap_p), len(cap_r)
    if transposed:  # one row per proposer, contiguous: each step reads two rows
        u_p, u_r = _transpose(u_p), _transpose(u_r)
        acc = None if acc is None else _transpose(acc)
    idx = np.arange(n_r)
    # the worst partner each receiver holds once full: (utility, proposer); a receiver with
    # room takes anyone acceptable, one with no place nobody
    thr_u = np.where(cap_r > 0, -np.inf, np.inf)
    thr_p = np.full(n_r, n_p, dtype=np.int64)
    held: list[list[int]] = [[] for _ in range(n_r)]
    # the last candidate each proposer proposed to, in its strict order
    last_u = np.full(n_p, np.inf)
    last_i = np.full(n_p, -1, dtype=np.int64)
    count = np.zeros(n_p, dtype=np.int64)
    cap_r_l = cap_r.tolist()
    # the proposers receivers like most go first (popped from the end)
    appeal = u_r.mean(axis=1) if n_r else np.zeros(n_p)
    start = np.lexsort((-np.arange(n_p), appeal))
    stack = [int(x) for x in start if cap_p[x] > 0]
    cap_p_l = cap_p.tolist()
    neg_inf = -np.inf
    while stack:
        p = stack.pop()
        u, rp = u_p[p], u_r[p]
        a_row = None if acc is None else acc[p]
        while count[p] < cap_p_l[p]:
            lu = last_u[p]
            if lu == neg_inf:
                break
            ok = (u < lu) | ((u == lu) & (idx > last_i[p]))
            ok &= (rp > thr_u) | ((rp == thr_u) & (p < thr_p))
            if a_row is not None:
                ok &= a_row
            best = int(np.argmax(np.where(ok, u, neg_inf)))
            if not ok[best]:
                last_u[p] = neg_inf  # every candidate left rejects it, now and later
                break
            last_u[p], last_i[p] = u[best], best
            count[p] += 1
            here = held[best]
            here.append(p)
            if len(here) > cap_r_l[best]:  # full: the worst partner goes
                worst = _worst_held(here, u_r, best)
                here.remove(worst)
                count[worst] -= 1
                if worst != p:
                    stack.append(worst)
            if len(here) >= cap_r_l[best]:
                worst = _worst_held(here, u_r, best)
                thr_u[best], thr_p[best] = u_r[worst, best], worst
    recv = np.repeat(np.arange(n_r), [len(h) for h in held])
    props = np.array([q for h in held for q in h], dtype=np.int64)
    return props, recv


def deferred_acceptance(
    mentor_pref: Any,
    mentee_pref: Any,
    acceptable: Any = None,
    *,
    mentor_capacity: Any = 1,
    mentee_capacity: Any = 1,
    proposer: str = "mentees",
) -> np.ndarray:
    """The proposer-optimal stable matching, by deferred acceptance (Gale–Shapley).

    Proposers propose down their strict order of acceptable candidates until they hold
    ``capacity`` acceptances or run out; receivers keep their best ``capacity`` proposals.
    The result is pairwise stable, and every proposer weakly prefers it to every other
    stable matching (many-to-many included, with responsive preferences).

    Parameters
    ----------
    mentor_pref, mentee_pref : array_like of float, shape (n_mentors, n_mentees)
        ``mentor_pref[i, j]``: how much mentor ``i`` likes mentee ``j``;
        ``mentee_pref[i, j]``: how much mentee ``j`` likes mentor ``i``. Higher is better;
        ties are broken by index (see the module docstring).
    acceptable : array_like of bool, shape (n_mentors, n_mentees), optional
        Pairs that may be matched (default: all).
    mentor_capacity, mentee_capacity : int or array_like of int, default 1
        Partners per person (0 takes no partner).
    proposer : {"mentees", "mentors"}
        The side that proposes, and gets its optimal stable matching. Each step reads the
        proposer's row of both tables: when mentees propose, Fortran-ordered tables
        (``np.asfortranarray``, mentee-major) are read in place, C-ordered ones are first
        copied transposed (at 10 000 per side, two 0.8 GB copies).

    Returns
    -------
    ndarray of int64, shape (k, 2)
        (mentor, mentee) pairs sorted by mentor then mentee.

    Raises
    ------
    ValidationError
        A malformed table, mask, capacity or ``proposer``.

    Examples
    --------
    >>> import numpy as np
    >>> mentor_pref = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> mentee_pref = np.array([[1.0, 2.0], [2.0, 1.0]])
    >>> deferred_acceptance(mentor_pref, mentee_pref).tolist()  # mentees get their first choice
    [[0, 1], [1, 0]]
    >>> deferred_acceptance(mentor_pref, mentee_pref, proposer="mentors").tolist()
    [[0, 0], [1, 1]]
    >>> deferred_acceptance(mentor_pref, mentee_pref, mentor_capacity=[2, 0]).tolist()
    [[0, 0], [0, 1]]
    """
    u_m, u_e, acc = _prefs(mentor_pref, mentee_pref, acceptable)
    side = check_choice(proposer, "proposer", PROPOSERS)
    n_m, n_e = u_m.shape
    cap_m, cap_e = _caps(mentor_capacity, mentee_capacity, n_m, n_e)
    return _da_pairs(u_m, u_e, acc, cap_m, cap_e, side)


def _da_pairs(
    u_m: np.ndarray,
    u_e: np.ndarray,
    acc: np.ndarray | None,
    cap_m: np.ndarray,
    cap_e: np.ndarray,
    side: str,
) -> np.ndarray:
    if u_m.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    if side == "mentees":
        p, r = _deferred(u_e, u_m, acc, True, cap_e, cap_m)
        return _sorted_pairs(r, p)
    p, r = _deferred(u_m, u_e, acc, False, cap_m, cap_e)
    return _sorted_pairs(p, r)


# -- blocking pairs and ranks ------------------------------------------------------------------


def _check_pairs(
    pairs: Any, acc: np.ndarray | None, cap_m: np.ndarray, cap_e: np.ndarray
) -> np.ndarray:
    """``pairs`` as a (k, 2) int64 array of distinct acceptable pairs within capacities."""
    n_m, n_e = len(cap_m), len(cap_e)
    p = index_pairs(pairs, n_m, n_e)
    keys = p[:, 0] * n_e + p[:, 1]
    distinct, counts = np.unique(keys, return_counts=True)
    if (counts > 1).any():
        m, e = divmod(int(distinct[counts > 1][0]), n_e)
        raise ValidationError(
            f"`pairs` lists the pair ({m}, {e}) more than once.", argument="pairs"
        )
    if acc is not None:
        out = np.flatnonzero(~acc[p[:, 0], p[:, 1]])
        if len(out):
            m, e = (int(x) for x in p[out[0]])
            raise ValidationError(
                f"`pairs` holds the pair ({m}, {e}), which is not acceptable.", argument="pairs"
            )
    for col, cap, who in ((0, cap_m, "mentor"), (1, cap_e, "mentee")):
        over = np.flatnonzero(np.bincount(p[:, col], minlength=len(cap)) > cap)
        if len(over):
            raise ValidationError(
                f"`pairs` gives {who} {int(over[0])} more partners than its capacity "
                f"{int(cap[over[0]])}.",
                argument="pairs",
            )
    return p


def _worst(
    u: np.ndarray, who: np.ndarray, whom: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per person (``who``), the utility and index of its worst partner in the strict order
    (``+inf`` and ``-1`` without partners)."""
    worst_u = np.full(n, np.inf)
    worst_i = np.full(n, -1, dtype=np.int64)
    if len(who):
        o = np.lexsort((-whom, u, who))  # worst first: lowest utility, then highest index
        first = np.concatenate(([True], who[o][1:] != who[o][:-1]))
        sel = o[first]
        worst_u[who[sel]] = u[sel]
        worst_i[who[sel]] = whom[sel]
    return worst_u, worst_i


def blocking_pairs(
    pairs: Any,
    mentor_pref: Any,
    mentee_pref: Any,
    acceptable: Any = None,
    *,
    mentor_capacity: Any = 1,
    mentee_capacity: Any = 1,
) -> np.ndarray:
    """The pairs that block a matching (empty when it is stable).

    An acceptable pair ``(i, j)`` not in ``pairs`` blocks when mentor ``i`` has a free place
    or prefers ``j`` to its worst partner, and mentee ``j`` has a free place or prefers ``i``
    to its worst partner (strict orders, ties to the lower index). Vectorised over the whole
    table.

    Parameters
    ----------
    pairs : array_like of int, shape (k, 2)
        The matching: distinct acceptable (mentor, mentee) pairs within the capacities.
    mentor_pref, mentee_pref, acceptable, mentor_capacity, mentee_capacity
        As for :func:`deferred_acceptance`.

    Returns
    -------
    ndarray of int64, shape (b, 2)
        Blocking (mentor, mentee) pairs sorted by mentor then mentee.

    Raises
    ------
    ValidationError
        Malformed arguments, or ``pairs`` out of range, repeated, not acceptable or over a
        capacity.

    Examples
    --------
    >>> import numpy as np
    >>> u = np.array([[1.0, 1.0], [1.0, 1.0]])  # all ties: the lower index wins
    >>> blocking_pairs([[0, 1], [1, 0]], u, u).tolist()
    [[0, 0]]
    >>> blocking_pairs([[0, 0]], u, u, mentor_capacity=[1, 0]).tolist()
    []
    """
    u_m, u_e, acc = _prefs(mentor_pref, mentee_pref, acceptable)
    n_m, n_e = u_m.shape
    cap_m, cap_e = _caps(mentor_capacity, mentee_capacity, n_m, n_e)
    p = _check_pairs(pairs, acc, cap_m, cap_e)
    mi, ei = p[:, 0], p[:, 1]
    wu_m, wi_m = _worst(u_m[mi, ei], mi, ei, n_m)
    wu_e, wi_e = _worst(u_e[mi, ei], ei, mi, n_e)
    free_m = np.bincount(mi, minlength=n_m) < cap_m
    free_e = np.bincount(ei, minlength=n_e) < cap_e
    cols = np.arange(n_e)
    rows = np.arange(n_m)[:, None]
    want_m = (u_m > wu_m[:, None]) | ((u_m == wu_m[:, None]) & (cols < wi_m[:, None]))
    want_m |= free_m[:, None]
    want_e = (u_e > wu_e) | ((u_e == wu_e) & (rows < wi_e))
    want_e |= free_e
    block = want_m & want_e
    block[mi, ei] = False
    if acc is not None:
        block &= acc
    bi, bj = np.nonzero(block)
    return np.stack((bi, bj), axis=1).astype(np.int64).reshape(-1, 2)


def preference_ranks(
    mentor_pref: Any, mentee_pref: Any, acceptable: Any = None
) -> tuple[np.ndarray, np.ndarray]:
    """Every person's 1-based rank of each acceptable candidate in its strict order.

    Parameters
    ----------
    mentor_pref, mentee_pref, acceptable
        As for :func:`deferred_acceptance`.

    Returns
    -------
    mentor_rank, mentee_rank : ndarray of int64, shape (n_mentors, n_mentees)
        ``mentor_rank[i, j]``: mentor ``i``'s rank of mentee ``j``; ``mentee_rank[i, j]``:
        mentee ``j``'s rank of mentor ``i``; 0 where the pair is not acceptable.

    Examples
    --------
    >>> import numpy as np
    >>> mentor_pref = np.array([[1.0, 5.0, 1.0]])  # a tie: mentee 0 before mentee 2
    >>> mentee_pref = np.ones((1, 3))
    >>> r_m, r_e = preference_ranks(mentor_pref, mentee_pref, [[True, True, False]])
    >>> r_m.tolist(), r_e.tolist()
    ([[2, 1, 0]], [[1, 1, 0]])
    """
    u_m, u_e, acc = _prefs(mentor_pref, mentee_pref, acceptable)
    return _ranks(u_m, acc, False), _ranks(u_e, acc, True)


def _ranks(u: np.ndarray, acc: np.ndarray | None, transposed: bool) -> np.ndarray:
    n_m, n_e = u.shape
    out = np.zeros((n_m, n_e), dtype=np.int64)
    n_p = n_e if transposed else n_m
    n_c = n_m if transposed else n_e
    step = np.arange(1, n_c + 1, dtype=np.int64)
    for b0 in range(0, n_p, _BLOCK):
        rows = np.arange(b0, min(b0 + _BLOCK, n_p))
        v = _utilities(u, acc, rows, transposed)
        order = _strict_order(v)
        r = np.empty_like(order)
        np.put_along_axis(r, order, np.broadcast_to(step, order.shape), axis=1)
        r[v == -np.inf] = 0
        if transposed:
            out[:, b0 : b0 + len(rows)] = r.T
        else:
            out[b0 : b0 + len(rows)] = r
    return out


# -- optimal stable matchings ------------------------------------------------------------------


def optimal_stable(
    mentor_pref: Any,
    mentee_pref: Any,
    acceptable: Any = None,
    *,
    weights: Any = None,
    mentor_capacity: Any = 1,
    mentee_capacity: Any = 1,
    objective: str = "score",
) -> StableResult:
    """The best stable matching: most total ``weights``, or least egalitarian cost.

    The stable matchings form a distributive lattice; each is the mentor-optimal matching
    with a *closed* set of rotations eliminated (a set holding every predecessor of its
    members). The rotations are found walking from the mentor-optimal to the mentee-optimal
    matching (both by :func:`deferred_acceptance`), each with its type-1 and type-2
    predecessors; the best closed set is a maximum-weight closure, found by one minimum cut
    (Irving, Leather & Gusfield 1987). Incomplete lists and unequal sides are allowed (the
    same people are matched in every stable matching). Capacities above one on one side are
    reduced to one-to-one by cloning: a person of capacity ``c`` becomes ``c`` copies with
    the same list, ranked consecutively by the other side.

    Parameters
    ----------
    mentor_pref, mentee_pref, acceptable, mentor_capacity, mentee_capacity
        As for :func:`deferred_acceptance`.
    weights : array_like of float, shape (n_mentors, n_mentees), optional
        The score of each pair; required for ``objective="score"``.
    objective : {"score", "egalitarian"}
        ``"score"``: maximise the sum of ``weights`` over the pairs. ``"egalitarian"``:
        minimise the sum, over both sides, of each partner's 1-based rank in the person's
        strict order of acceptable candidates.

    Returns
    -------
    StableResult

    Raises
    ------
    ValidationError
        Malformed arguments, an unknown ``objective`` or missing ``weights``.
    SolverError
        Capacities above one on both sides.

    Examples
    --------
    >>> import numpy as np
    >>> mentor_pref = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> mentee_pref = np.array([[1.0, 2.0], [2.0, 1.0]])  # two stable matchings
    >>> r = optimal_stable(mentor_pref, mentee_pref, weights=[[5.0, 0.0], [0.0, 1.0]])
    >>> r.pairs.tolist(), r.objective, r.n_rotations
    ([[0, 0], [1, 1]], 6.0, 1)
    >>> r.mentor_optimal_objective, r.mentee_optimal_objective
    (6.0, 0.0)
    >>> optimal_stable(mentor_pref, mentee_pref, objective="egalitarian").objective
    6.0
    """
    u_m, u_e, acc = _prefs(mentor_pref, mentee_pref, acceptable)
    kind = check_choice(objective, "objective", OBJECTIVES)
    n_m, n_e = u_m.shape
    cap_m, cap_e = _caps(mentor_capacity, mentee_capacity, n_m, n_e)
    w: np.ndarray | None = None
    if kind == "score":
        if weights is None:
            raise ValidationError(
                "`weights` is required with objective='score' (the score of each pair); "
                "use objective='egalitarian' to optimise on ranks.",
                argument="weights",
            )
        w = _pref(weights, "weights")
        if w.shape != u_m.shape:
            raise ValidationError(
                f"`weights` must have the shape of `mentor_pref` {u_m.shape}; got {w.shape}.",
                argument="weights",
            )
    elif weights is not None:
        raise ValidationError("`weights` is only used with objective='score'.", argument="weights")
    if (cap_m > 1).any() and (cap_e > 1).any():
        raise SolverError(
            "optimal stable matching supports capacities above one on one side only "
            "(mentors or mentees); use deferred_acceptance for many-to-many.",
            method="stable",
        )
    # clones: person i of capacity c becomes c consecutive copies (c = 0: none)
    mid = np.repeat(np.arange(n_m), cap_m)
    eid = np.repeat(np.arange(n_e), cap_e)
    if (cap_m == 1).all() and (cap_e == 1).all():
        cu_m, cu_e, cacc = u_m, u_e, acc
    else:
        cu_m = np.ascontiguousarray(u_m[np.ix_(mid, eid)])
        cu_e = np.ascontiguousarray(u_e[np.ix_(mid, eid)])
        cacc = None if acc is None else acc[np.ix_(mid, eid)]
        if cacc is not None and cacc.all():
            cacc = None
    n_men, n_women = len(mid), len(eid)
    ones_m = np.ones(n_men, dtype=np.int64)
    ones_e = np.ones(n_women, dtype=np.int64)
    pm = np.full(n_men, -1, dtype=np.int64)
    pz = np.full(n_men, -1, dtype=np.int64)
    if n_men and n_women:
        p, r = _deferred(cu_m, cu_e, cacc, False, ones_m, ones_e)
        pm[p] = r
        p, r = _deferred(cu_e, cu_m, cacc, True, ones_e, ones_m)
        pz[r] = p
    walk = _Walk(cu_m, cu_e, cacc, pm, pz)
    walk.run()
    rot = np.asarray(walk.rot_id, dtype=np.int64)
    man = np.asarray(walk.rot_man, dtype=np.int64)
    old_w = np.asarray(walk.rot_old, dtype=np.int64)
    new_w = np.asarray(walk.rot_new, dtype=np.int64)
    n_rot = walk.n_rot
    # the value of every pair that may appear (in the original indices)
    matched = np.flatnonzero(pm >= 0)
    all_i = np.concatenate((mid[matched], mid[man]))
    all_j = np.concatenate((eid[pm[matched]], eid[new_w]))
    if kind == "score":
        assert w is not None
        val0 = w[mid[matched], eid[pm[matched]]]
        val_old = w[mid[man], eid[old_w]]
        val_new = w[mid[man], eid[new_w]]
    else:
        cost = _egalitarian_costs(u_m, u_e, acc, all_i, all_j)
        val0 = -cost[: len(matched)]
        val_new = -cost[len(matched) :]
        keys = zip(all_i.tolist(), all_j.tolist(), strict=True)
        lookup = dict(zip(keys, (-cost).tolist(), strict=True))
        olds = zip(mid[man].tolist(), eid[old_w].tolist(), strict=True)
        val_old = np.array([lookup[k] for k in olds], dtype=np.float64)
    delta = np.bincount(rot, weights=val_new - val_old, minlength=n_rot)
    base = float(val0.sum())
    chosen = _max_closure(delta, walk.edges)
    final = pm.copy()
    if chosen.any():
        take = chosen[rot]
        last = np.full(n_men, -1, dtype=np.int64)
        np.maximum.at(last, man[take], rot[take])
        # each man's moves are in rotation order: his last chosen move gives his partner
        moved = np.flatnonzero(take)
        is_last = rot[moved] == last[man[moved]]
        final[man[moved[is_last]]] = new_w[moved[is_last]]
    sign = 1.0 if kind == "score" else -1.0
    value = base + float(delta[chosen].sum())
    keep = np.flatnonzero(final >= 0)
    return StableResult(
        pairs=_sorted_pairs(mid[keep], eid[final[keep]]),
        objective=sign * value,
        objective_kind=kind,
        n_rotations=n_rot,
        n_eliminated=int(chosen.sum()),
        mentor_optimal_objective=sign * base,
        mentee_optimal_objective=sign * (base + float(delta.sum())),
    )


def _egalitarian_costs(
    u_m: np.ndarray, u_e: np.ndarray, acc: np.ndarray | None, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """``rank_mentor(i, j) + rank_mentee(j, i)`` for the given pairs (1-based ranks)."""
    n_m, n_e = u_m.shape
    if len(i) * (n_m + n_e) > 4 * n_m * n_e:  # cheaper to rank everyone
        r_m, r_e = _ranks(u_m, acc, False), _ranks(u_e, acc, True)
        return (r_m[i, j] + r_e[i, j]).astype(np.float64)
    out = np.zeros(len(i), dtype=np.float64)
    cols_e, cols_m = np.arange(n_e), np.arange(n_m)
    for b0 in range(0, len(i), _BLOCK):
        bi, bj = i[b0 : b0 + _BLOCK], j[b0 : b0 + _BLOCK]
        rows = u_m[bi]
        val = u_m[bi, bj][:, None]
        better = (rows > val) | ((rows == val) & (cols_e < bj[:, None]))
        if acc is not None:
            better &= acc[bi]
        rank = better.sum(axis=1) + 1
        rows = _rows(u_e, bj, True)
        val = u_e[bi, bj][:, None]
        better = (rows > val) | ((rows == val) & (cols_m < bi[:, None]))
        if acc is not None:
            better &= _rows(acc, bj, True)
        out[b0 : b0 + len(bi)] = rank + better.sum(axis=1) + 1
    return out


def _max_closure(delta: np.ndarray, edges: list[tuple[int, int]]) -> np.ndarray:
    """The closed set of rotations (every predecessor of a member is a member) of largest
    total ``delta``, as a mask: the source side of a minimum s-t cut (Picard 1976)."""
    n = len(delta)
    chosen = np.zeros(n, dtype=bool)
    if n == 0 or not (delta > 0).any():
        return chosen
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_node("s")
    g.add_node("t")
    for k in np.flatnonzero(delta > 0).tolist():
        g.add_edge("s", k, capacity=float(delta[k]))
    for k in np.flatnonzero(delta < 0).tolist():
        g.add_edge(k, "t", capacity=float(-delta[k]))
    # choosing a rotation forces its predecessors: infinite arcs (no capacity attribute)
    g.add_edges_from((b, a) for a, b in edges)
    _, (side, _) = nx.minimum_cut(g, "s", "t")
    members = [k for k in side if k != "s"]
    chosen[np.asarray(members, dtype=np.int64)] = True
    return chosen


class _Walk:
    """All rotations, walking from the men-optimal matching ``pm`` (men: the rows) to the
    women-optimal ``pz`` (Gusfield & Irving 1989, §2.5 and §3.3).

    Each man scans his list once, from ``pm`` to ``pz``; ``s(m)`` is the first woman after
    his partner who prefers him to hers, ``next(m)`` her partner, and a cycle of ``next`` is
    an exposed rotation. Predecessors: type 1, the previous rotation that moved the same man;
    type 2, for each woman a man skips on the way to his new partner, the rotation that moved
    her from a man she likes less than him to one she likes more."""

    def __init__(
        self,
        u_m: np.ndarray,
        u_e: np.ndarray,
        acc: np.ndarray | None,
        pm: np.ndarray,
        pz: np.ndarray,
    ) -> None:
        self.u_e = u_e
        self.pm, self.pz = pm, pz
        self.movers = np.flatnonzero(pm != pz)
        self.seg = _segments(u_m, acc, self.movers, pm, pz)
        self.rot_id: list[int] = []
        self.rot_man: list[int] = []
        self.rot_old: list[int] = []
        self.rot_new: list[int] = []
        self.edges: list[tuple[int, int]] = []
        self.n_rot = 0

    def _prefers(self, w: int, a: int, b: int) -> bool:
        """Whether woman ``w`` prefers man ``a`` to man ``b`` (strict order)."""
        ua, ub = self.u_e[a, w], self.u_e[b, w]
        return bool(ua > ub or (ua == ub and a < b))

    def run(self) -> None:
        n_men = len(self.pm)
        if not len(self.movers):
            return
        partner = self.pm.tolist()
        holder: dict[int, int] = {int(w): m for m, w in enumerate(partner) if w >= 0}
        history: dict[int, list[tuple[int, int]]] = {w: [(m, -1)] for w, m in holder.items()}
        nxt = dict.fromkeys(self.movers.tolist(), 1)
        pending: dict[int, list[int]] = {}
        last_rot: dict[int, int] = {}
        on_stack = [False] * n_men
        pz = self.pz.tolist()
        seg = self.seg

        def s(m: int) -> int:
            sg, k = seg[m], nxt[m]
            while True:
                if k >= len(sg):  # pragma: no cover - excluded by stability theory
                    raise SolverError("rotation walk left a man's stable range", method="stable")
                w = sg[k]
                h = holder[w]
                if self._prefers(w, m, h):
                    break
                hist = history[w]
                j = len(hist) - 1
                while j > 0 and self._prefers(w, hist[j - 1][0], m):
                    j -= 1
                if j > 0:
                    pending.setdefault(m, []).append(hist[j][1])
                k += 1
            nxt[m] = k
            return w

        stack: list[int] = []
        for m0 in self.movers.tolist():
            while partner[m0] != pz[m0]:
                if not stack:
                    stack.append(m0)
                    on_stack[m0] = True
                m = stack[-1]
                m2 = holder[s(m)]
                if not on_stack[m2]:
                    stack.append(m2)
                    on_stack[m2] = True
                    continue
                cycle: list[int] = []
                while True:
                    x = stack.pop()
                    on_stack[x] = False
                    cycle.append(x)
                    if x == m2:
                        break
                cycle.reverse()
                news = [seg[x][nxt[x]] for x in cycle]
                rid = self.n_rot
                self.n_rot += 1
                for x, nw in zip(cycle, news, strict=True):
                    self.rot_id.append(rid)
                    self.rot_man.append(x)
                    self.rot_old.append(partner[x])
                    self.rot_new.append(nw)
                    if x in last_rot:
                        self.edges.append((last_rot[x], rid))
                    self.edges.extend((q, rid) for q in pending.pop(x, ()))
                    last_rot[x] = rid
                for x, nw in zip(cycle, news, strict=True):
                    partner[x] = nw
                    holder[nw] = x
                    history[nw].append((x, rid))
                    nxt[x] += 1


def _segments(
    u_m: np.ndarray, acc: np.ndarray | None, men: np.ndarray, pm: np.ndarray, pz: np.ndarray
) -> dict[int, list[int]]:
    """Each man's strict order from his men-optimal to his women-optimal partner, inclusive."""
    out: dict[int, list[int]] = {}
    n_w = u_m.shape[1]
    cols = np.arange(n_w)
    for b0 in range(0, len(men), _BLOCK):
        rows = men[b0 : b0 + _BLOCK]
        v = _utilities(u_m, acc, rows, False)
        a, z = pm[rows][:, None], pz[rows][:, None]
        ua, uz = np.take_along_axis(v, a, axis=1), np.take_along_axis(v, z, axis=1)
        inside = ((v < ua) | ((v == ua) & (cols >= a))) & ((v > uz) | ((v == uz) & (cols <= z)))
        ri, ci = np.nonzero(inside)
        vals = v[ri, ci]
        o = np.lexsort((ci, -vals, ri))
        ri, ci = ri[o], ci[o]
        cuts = np.flatnonzero(np.diff(ri)) + 1
        for rr, cc in zip(np.split(ri, cuts), np.split(ci, cuts), strict=True):
            if len(rr):
                out[int(rows[rr[0]])] = cc.tolist()
    return out
