"""Pricing: blockwise scans of the dense score against the potentials, exact checks of every pair
that might improve.
"""

from __future__ import annotations

import numpy as np

from .certificate import _delta, _kinds, _reduced
from .sources import INFEASIBLE, _chunks, _exact, _map

#: Reduced costs at or below this are treated as zero (they would not change the answer).
PRICE_TOL = 1e-10


#: With violations to fix, pairs within this of violating are added too (fewer rounds: at
#: n = 20 000, 8 rounds instead of 11).
NEAR = 0.005


def _kth_largest(block: np.ndarray, k: int) -> np.ndarray:
    """Per column, about the ``k``-th largest value: exact on up to ``16·k`` rows, else the
    matching rank in an evenly spaced sample of that many rows (a contiguous copy, so the
    partition runs along memory: strided, it cost 5× the rest of the scan)."""
    n = len(block)
    step = max(1, n // (16 * k))
    sample = np.ascontiguousarray(block[::step].T)  # columns × sampled rows
    rank = max(1, min(sample.shape[1], round(k * sample.shape[1] / n)))
    return np.partition(sample, sample.shape[1] - rank, axis=1)[:, sample.shape[1] - rank]


def _price(source, cert, policy, m_ok, e_ok, block_elements, executor, margin=0.0, cap=None):
    """Pairs the certificate cannot rule out: (mi, ei, estimate, truncated) — every pair that
    may break the cover or whose reduced cost may exceed ``-margin``, with its score
    estimated within ``δ`` (the refined screen). Exact checks come after, on the pairs that
    need them.

    ``cap``: at most each mentee's ``cap`` best pairs are returned (by the refined screen;
    far from the optimum, after a first cut by the screen itself), which bounds memory: the
    rest would not be added this round anyway. ``truncated`` says whether a pair left out
    might break the cover or have a positive reduced cost: the scan then proves nothing."""
    n_m, n_e = source.shape
    delta = _delta(source, cert)
    rows_all = np.flatnonzero(m_ok)
    classes: list[tuple[np.ndarray, bool | None, int]]  # (mentors, b side or None, kind)
    if policy == "max_score":
        classes = [(rows_all, None, 1)]
    else:
        rows0, rows1 = rows_all[~cert.a[rows_all]], rows_all[cert.a[rows_all]]
        classes = [(rows0, False, 0), (rows0, True, 1), (rows1, False, 1)]

    def one(cols):
        cols = cols[e_ok[cols]]
        out = []
        cut = False
        for rows, b_side, kind in classes:
            cc = cols if b_side is None else cols[cert.b[cols] == b_side]
            if len(rows) == 0 or len(cc) == 0:
                continue
            if kind == 0:
                block = source.screen(rows, cc, None, None)
                flat = np.flatnonzero(block > INFEASIBLE)
                r, c = np.divmod(flat, len(cc))
                est = source.refine(rows[r], cc[c], block.ravel()[flat].astype(np.float64))
                if cap and len(r) > cap * len(cc):
                    top = _top_per_group(c, est, np.ones(len(c), dtype=bool), cap)
                    cut |= not top.all()  # any cover breaker left out could be the one
                    r, c, est = r[top], c[top], est[top]
            else:
                block = source.screen(rows, cc, cert.u, cert.v)
                thr = cert.mu - delta - margin
                flat = np.flatnonzero(block > thr)
                if cap and len(rows) > 2 * cap and len(flat) > 4 * cap * len(cc):
                    # far from the optimum: first about each mentee's 2·cap best by the
                    # screen, read off a sample of mentors
                    kth = _kth_largest(block, 2 * cap)
                    cut |= bool((kth > cert.mu - delta).any())
                    flat = np.flatnonzero(block >= np.maximum(kth, thr)[None, :])
                r, c = np.divmod(flat, len(cc))
                val = source.refine(rows[r], cc[c], block.ravel()[flat].astype(np.float64))
                keep = val > thr
                r, c, val = r[keep], c[keep], val[keep]
                if cap and len(r) > cap * len(cc) // 4:
                    # each mentee's cap best by the refined value (within δ of exact): a
                    # pair left out may improve only if it is within δ of doing so
                    top = _top_per_group(c, val, np.ones(len(c), dtype=bool), cap)
                    cut |= bool((val[~top] > cert.mu - delta).any())
                    r, c, val = r[top], c[top], val[top]
                est = val + cert.u[rows[r]] + cert.v[cc[c]]
            out.append((rows[r], cc[c], est))
        return out, cut

    blocks = list(_chunks(np.arange(n_e), n_m, block_elements))
    parts = list(_map(executor, one, blocks))
    found = [t for part, _ in parts for t in part]
    truncated = any(cut for _, cut in parts)
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), truncated
    pm, pe, ps = (np.concatenate(x) for x in zip(*found, strict=True))
    return pm, pe, ps, truncated


def _member(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """Which ``keys`` are in ``sorted_keys`` (binary search; no hashing of the large side)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[pos] == keys


def _check(source, pm, pe, ps, exact, cert, policy, delta, near=0.0, executor=None):
    """Exact scores (and every rule) for the pairs that may be added: those that may break
    the cover, or whose reduced cost may exceed ``-near`` (estimates are within ``δ``).
    Returns the pairs kept (rules that look at identities drop some), their scores and
    which of them are exact."""
    red = _reduced(ps, pm, pe, cert)
    kind = _kinds(pm, pe, cert, policy)
    need = ~exact & ((kind == 0) | ((kind == 1) & (red > -delta - near)))
    idx = np.flatnonzero(need)
    if len(idx) == 0:
        return pm, pe, ps, exact
    s_exact, ok = _exact(source, pm[idx], pe[idx], executor)
    ps, exact = ps.copy(), exact.copy()
    ps[idx] = s_exact
    exact[idx] = True
    keep = np.ones(len(pm), dtype=bool)
    keep[idx[~ok]] = False
    return pm[keep], pe[keep], ps[keep], exact[keep]


def _violations(pm, pe, ps, exact, cert, policy, k, near=0.0):
    """Which feasible pairs to add: (mask of at most ``k`` per mentee, reduced costs, kind).
    Only pairs whose score is ``exact`` (checked against every rule) are added.

    kind 0: the pair would break the cover (one more pair may be possible); kind 1: its
    reduced cost ``s - u - v - μ`` counts; kind 2: both ends in the cover, nothing to check.
    """
    red = _reduced(ps, pm, pe, cert)
    kind = _kinds(pm, pe, cert, policy)
    breaks_cover = kind == 0
    add = exact & (breaks_cover | ((kind == 1) & (red > PRICE_TOL)))
    if add.any() and near > 0:
        # with violations to fix, pairs just short of violating join too (saves rounds)
        add |= exact & (kind == 1) & (red > -near)
    if add.any():
        # per mentee: the cover breakers (best score first), then the largest reduced costs
        prio = np.where(breaks_cover, 1e6 + ps, red)
        add &= _top_per_group(pe, prio, add, k)
    return add, red, kind


def _top_per_group(groups, values, mask, k) -> np.ndarray:
    """Mask of the ``k`` largest ``values`` per group among entries where ``mask`` is set."""
    idx = np.flatnonzero(mask)
    order = idx[np.lexsort((-values[idx], groups[idx]))]
    g = groups[order]
    first = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    out = np.zeros(len(mask), dtype=bool)
    out[order[rank < k]] = True
    return out
