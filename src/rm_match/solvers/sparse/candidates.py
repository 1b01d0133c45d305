"""Candidate pairs: each mentee's best mentors (and each mentor's best mentees) screened blockwise,
plus random allowed mentors.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np

from . import _fast
from .sources import FORBIDDEN, INFEASIBLE, _chunks, _exact, _map

#: Mentors drawn at random per mentee and added to the candidates (the allowed ones): a
#: random bipartite graph of this degree has an assignment of every mentee, so the first
#: solve's certificate starts from as many pairs as the dense problem has. Without them the
#: first graph lacked 0.3 % of the pairs at n = 50 000 and 100 000, and the first scan
#: against that certificate kept 36.7 M pairs instead of 13.3 M (100 000: 130 s → 50 s).
RANDOM_EDGES = 4


#: Mentors per group when estimating each mentee's k-th best mentor (fewer when there are
#: not twice ``k`` groups of this size: see :func:`_group_size`).
_GROUP = 32


def _group_size(n_m: int, k: int) -> int:
    """Mentors per group: :data:`_GROUP`, or fewer so that there are at least ``2k`` groups
    (the k-th largest group maximum then screens out most pairs). With 32 per group a
    cohort of at most ``32 k`` mentors had no more than ``k`` groups and kept every allowed
    pair as a candidate: 58 % of the pairs at 1 000 per side (k = 32), 1.0 s against
    0.26 s at 1 250."""
    return max(1, min(_GROUP, n_m // (2 * max(k, 1))))


def _group_max(block: np.ndarray, group: int = _GROUP) -> np.ndarray:
    """Column maxima over each run of ``group`` rows (the last run may be shorter); a
    reshaped reduction, 4-5× faster than ``np.maximum.reduceat`` on these shapes."""
    n = len(block)
    full = n - n % group
    out = block[:full].reshape(-1, group, block.shape[1]).max(axis=1)
    if full < n:
        out = np.vstack((out, block[full:].max(axis=0, keepdims=True)))
    return out


def _mentor_thresholds(source, m_ok, e_ok, k, block_elements, rng, u, v) -> np.ndarray:
    """Per mentor, a score that about ``k`` of its allowed mentees reach (estimated on a
    sample of mentees; min of two group maxima, so at least two sampled mentees reach it)."""
    n_m = source.shape[0]
    pool = np.flatnonzero(e_ok)
    if len(pool) <= 2 * k:  # small cohorts: every allowed pair is a candidate for mentors
        return np.full(n_m, -np.inf, dtype=np.float32)
    size = min(len(pool), math.ceil(2 * len(pool) / max(k, 1)))
    sample = np.sort(rng.choice(pool, size=size, replace=False))
    best = []
    for half in (sample[: size // 2], sample[size // 2 :]):
        acc = np.full(n_m, -np.inf, dtype=np.float32)
        for cols in _chunks(half, n_m, block_elements):
            np.maximum(acc, source.screen(None, cols, u, v).max(axis=1), out=acc)
        best.append(acc)
    thr = np.minimum(best[0], best[1]).astype(np.float32)
    thr[~m_ok] = np.inf
    return thr


def candidates(
    source, m_ok, e_ok, k, *, block_elements=1 << 24, executor=None, rng=None, prior=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Candidate pairs: each mentee's best ``k`` mentors, each mentor's best (about ``k``)
    mentees; re-scored exactly and filtered by every rule. Returns (mi, ei, scores, screened).

    "Best" is by ``score - u - v`` when ``prior = (u, v)`` estimates the potentials (a pair
    that is good for both, given the competition), else by score."""
    n_m, n_e = source.shape
    gen = np.random.default_rng(rng)
    u, v = prior if prior is not None else (None, None)
    # `prior` holds both potentials or neither: with u, v is an array too
    shift = (
        0.0
        if u is None
        else float(np.abs(u).max(initial=0) + np.abs(cast(np.ndarray, v)).max(initial=0))
    )
    if shift > -FORBIDDEN / 2:  # potentials too large to tell forbidden pairs apart: no prior
        u = v = None
        shift = 0.0
    delta = source.error(shift)
    floor = INFEASIBLE - shift
    m_thr = _mentor_thresholds(source, m_ok, e_ok, k, block_elements, gen, u, v)
    group = _group_size(n_m, k)
    n_groups = -(-n_m // group)
    rows_ok = np.flatnonzero(m_ok)
    spread = RANDOM_EDGES if n_groups > k and len(rows_ok) else 0
    drawn = rows_ok[gen.integers(0, max(len(rows_ok), 1), size=(n_e, spread))]
    fast = _fast.use_select(n_m * n_e)  # compiled cuts (the fast extra), large sources

    def one(cols: np.ndarray):
        cols = cols[e_ok[cols]]
        if len(cols) == 0 or n_m == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        block = source.screen(None, cols, u, v)
        if n_groups > k:
            gmax = _fast.group_max(block, group) if fast else _group_max(block, group)
            # k-th largest group maximum: k real values reach it, so the k best do too
            # (partitioned along memory: strided, it cost more than the scan)
            gmax_t = np.ascontiguousarray(gmax.T)
            e_thr = np.partition(gmax_t, n_groups - k, axis=1)[:, n_groups - k]
        else:
            e_thr = np.full(len(cols), -np.inf, dtype=block.dtype)
        if fast:
            # the same cells in one pass; the drawn pairs (above the floor) joined after
            flat = _fast.select(block, e_thr - delta, m_thr - delta, floor)
            w = len(cols)
            extra = (drawn[cols] * w + np.arange(w)[:, None]).ravel()
            extra = extra[block.ravel()[extra] > floor]
            r, c = np.divmod(np.union1d(flat, extra), w)
            ok = m_ok[r]
            return r[ok].astype(np.int64), cols[c[ok]]
        keep = block >= (e_thr - delta)[None, :]
        keep |= block >= (m_thr - delta)[:, None]
        keep[drawn[cols], np.arange(len(cols))[:, None]] = True
        flat = np.flatnonzero(keep)  # flat + divmod: several times faster than 2-D nonzero
        r, c = np.divmod(flat, len(cols))
        ok = (block.ravel()[flat] > floor) & m_ok[r]
        return r[ok].astype(np.int64), cols[c[ok]]

    parts = list(_map(executor, one, list(_chunks(np.arange(n_e), n_m, block_elements))))
    mi = np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int64)
    ei = np.concatenate([p[1] for p in parts]) if parts else np.empty(0, np.int64)
    s, ok = _exact(source, mi, ei, executor)
    return mi[ok], ei[ok], np.asarray(s, dtype=np.float64)[ok], n_m * int(e_ok.sum())
