"""Pricing: blockwise scans of the dense score against the potentials, exact checks of every pair
that might improve.

A **full scan** reads every pair. It also leaves a :class:`Reference`: the potentials it ran
at, the pairs it returned and, per mentee, the value ``θ_j`` no other pair of that mentee
exceeded. Every pair it did not return then had ``score - u⁰_i - v⁰_j ≤ θ_j + δ⁰``, so under
later potentials ``u, v, μ`` its reduced cost is at most ``θ_j + δ⁰ - Δu_i - Δv_j - μ``
(``Δ`` the change since the full scan): it can be positive only for mentors with
``Δu_i < θ_j + δ⁰ - μ - Δv_j``. A **restricted scan** reads those pairs only — with the
mentors sorted by ``Δu``, each mentee's are a prefix, and a block of mentees needs one matrix
product over the longest prefix among them — and re-reads the full scan's returned pairs from
their kept estimates. It finds every pair a full scan would find violating (a cover breaker,
or a positive reduced cost), so the certificate stays exact: the pairs it does not read are
bounded by the full scan. Potentials move little once the first rounds are done, and the
certifying scan reads a few thousandths of the pairs.

A full scan runs instead when there is no reference, when the König cover changed since
(``max_matched``: which pairs count as breaking it, and which reduced costs count, changed),
or when the region is over :data:`RESTRICT_MOST` of the pairs; that scan is the next
reference. Pairs with neither end in the cover (any such allowed pair breaks it) are read in
full by every scan.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from ...errors import SolverError
from .certificate import _delta, _kinds, _reduced
from .sources import INFEASIBLE, _chunks, _exact, _map

log = logging.getLogger(__name__)

#: Reduced costs at or below this are treated as zero (they would not change the answer).
PRICE_TOL = 1e-10


#: With violations to fix, pairs within this of violating are added too (fewer rounds: at
#: n = 20 000, 8 rounds instead of 11).
NEAR = 0.005

#: A restricted scan reading more than this fraction of the pairs is a full scan instead
#: (which then becomes the reference).
RESTRICT_MOST = 0.5

#: Added to each ``θ_j``: the screen compares float32 values against a threshold rounded to
#: float32, so a pair left out may exceed the float64 threshold by that rounding.
_F32 = 2.0 * float(np.finfo(np.float32).eps)


@dataclass
class Reference:
    """What a scan proved about the pairs it did not return (see the module docstring).

    ``bound[j]``: every allowed pair of mentee ``j`` outside ``(pm, pe)`` had
    ``score - u_i - v_j ≤ bound[j]`` (exact scores) — only the pairs with one end in the
    cover ``(a, b)`` (the others are read in full every time). ``ps``: the returned pairs'
    score estimates, within ``delta`` of exact.
    """

    u: np.ndarray
    v: np.ndarray
    bound: np.ndarray
    delta: float
    a: np.ndarray  # the cover it was read under
    b: np.ndarray
    pm: np.ndarray
    pe: np.ndarray
    ps: np.ndarray

    def applies(self, cert, policy: str) -> bool:
        """Whether a restricted scan may start from this reference at ``cert``."""
        if policy == "max_score":
            return True
        return bool(np.array_equal(self.a, cert.a) and np.array_equal(self.b, cert.b))


def _kth_largest(block: np.ndarray, k: int) -> np.ndarray:
    """Per column, about the ``k``-th largest value: exact on up to ``16·k`` rows, else the
    matching rank in an evenly spaced sample of that many rows (a contiguous copy, so the
    partition runs along memory: strided, it cost 5× the rest of the scan)."""
    n = len(block)
    step = max(1, n // (16 * k))
    sample = np.ascontiguousarray(block[::step].T)  # columns × sampled rows
    rank = max(1, min(sample.shape[1], round(k * sample.shape[1] / n)))
    return np.partition(sample, sample.shape[1] - rank, axis=1)[:, sample.shape[1] - rank]


def _classes(cert, policy, m_ok) -> list[tuple[np.ndarray, bool | None, int]]:
    """(mentors, mentees' side of the cover or None for all, kind) of the pairs a scan reads:
    kind 0 pairs break the cover if allowed, kind 1 pairs count by their reduced cost."""
    rows_all = np.flatnonzero(m_ok)
    if policy == "max_score":
        return [(rows_all, None, 1)]
    rows0, rows1 = rows_all[~cert.a[rows_all]], rows_all[cert.a[rows_all]]
    return [(rows0, False, 0), (rows0, True, 1), (rows1, False, 1)]


def _kind0(source, rows, cc, cap):
    """Every allowed pair of the block (each breaks the cover): (r, c, estimate, cut)."""
    block = source.screen(rows, cc, None, None)
    flat = np.flatnonzero(block > INFEASIBLE)
    r, c = np.divmod(flat, len(cc))
    est = source.refine(rows[r], cc[c], block.ravel()[flat].astype(np.float64))
    cut = False
    if cap and len(r) > cap * len(cc):
        top = _top_per_group(c, est, np.ones(len(c), dtype=bool), cap)
        cut = not top.all()  # any cover breaker left out could be the one
        r, c, est = r[top], c[top], est[top]
    return r, c, est, cut


def _kind1(source, rows, cc, cert, delta, margin, cap):
    """The block's pairs whose reduced cost may exceed ``-margin``: (r, c, estimate, cut,
    θ per column — no pair left out had a refined value above it)."""
    block = source.screen(rows, cc, cert.u, cert.v)
    thr = cert.mu - delta - margin
    theta = np.full(len(cc), thr)
    flat = np.flatnonzero(block > thr)
    cut = False
    if cap and len(rows) > 2 * cap and len(flat) > 4 * cap * len(cc):
        # far from the optimum: first about each mentee's 2·cap best by the screen, read
        # off a sample of mentors (the screen bounds the refined value from above)
        kth = _kth_largest(block, 2 * cap)
        cut = bool((kth > cert.mu - delta).any())
        theta = np.maximum(kth.astype(np.float64), thr)
        flat = np.flatnonzero(block >= theta.astype(block.dtype)[None, :])
    r, c = np.divmod(flat, len(cc))
    val = source.refine(rows[r], cc[c], block.ravel()[flat].astype(np.float64))
    keep = val > thr
    r, c, val = r[keep], c[keep], val[keep]
    if cap and len(r) > cap * len(cc) // 4:
        # each mentee's cap best by the refined value (within δ of exact): a pair left out
        # may improve only if it is within δ of doing so
        top = _top_per_group(c, val, np.ones(len(c), dtype=bool), cap)
        cut |= bool((val[~top] > cert.mu - delta).any())
        np.maximum.at(theta, c[~top], val[~top])
        r, c, val = r[top], c[top], val[top]
    est = val + cert.u[rows[r]] + cert.v[cc[c]]
    return r, c, est, cut, theta + _F32 * (1.0 + np.abs(theta))


def _gather(parts):
    """Concatenate (mentors, mentees, estimates) triples; empty arrays when none."""
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    pm, pe, ps = (np.concatenate(x) for x in zip(*parts, strict=True))
    return pm, pe, ps


def _full_scan(source, cert, policy, m_ok, e_ok, block_elements, executor, margin, cap):
    """Pairs the certificate cannot rule out: (mi, ei, estimate, truncated, the scan's
    :class:`Reference`) — every pair that may break the cover or whose reduced cost may
    exceed ``-margin``, with its score estimated within ``δ`` (the refined screen). Exact
    checks come after, on the pairs that need them.

    ``cap``: at most each mentee's ``cap`` best pairs are returned (by the refined screen;
    far from the optimum, after a first cut by the screen itself), which bounds memory: the
    rest would not be added this round anyway. ``truncated`` says whether a pair left out
    might break the cover or have a positive reduced cost: the scan then proves nothing."""
    n_m, n_e = source.shape
    delta = _delta(source, cert)
    classes = _classes(cert, policy, m_ok)
    theta = np.full(n_e, np.inf)  # mentees no kind-1 pair was read for: nothing known

    def one(cols):
        cols = cols[e_ok[cols]]
        out, bounds = [], []
        cut = False
        for rows, b_side, kind in classes:
            cc = cols if b_side is None else cols[cert.b[cols] == b_side]
            if len(rows) == 0 or len(cc) == 0:
                continue
            if kind == 0:
                r, c, est, cut_b = _kind0(source, rows, cc, cap)
            else:
                r, c, est, cut_b, th = _kind1(source, rows, cc, cert, delta, margin, cap)
                bounds.append((cc, th))
            cut |= cut_b
            out.append((rows[r], cc[c], est))
        return out, bounds, cut

    blocks = list(_chunks(np.arange(n_e), n_m, block_elements))
    parts = list(_map(executor, one, blocks))
    for _, bounds, _ in parts:
        for cc, th in bounds:
            theta[cc] = th
    truncated = any(cut for _, _, cut in parts)
    pm, pe, ps = _gather([t for part, _, _ in parts for t in part])
    one_kind = _kinds(pm, pe, cert, policy) == 1
    ref = Reference(
        cert.u.copy(),
        cert.v.copy(),
        theta + delta,
        delta,
        cert.a.copy(),
        cert.b.copy(),
        pm[one_kind],
        pe[one_kind],
        ps[one_kind],
    )
    return pm, pe, ps, truncated, ref


def _restricted_scan(
    source,
    cert,
    policy,
    m_ok,
    e_ok,
    block_elements,
    executor,
    margin,
    cap,
    refs,
    most=None,
    reach=None,
):
    """A scan of the pairs that may violate under every reference in ``refs`` (see the module
    docstring): (mi, ei, estimate, truncated, fraction of the pairs read, δ, the scan's own
    :class:`Reference`), or ``None`` when a reference does not apply or the region is over
    ``most`` of the pairs (default :data:`RESTRICT_MOST`): a full scan is due. Every pair a
    full scan at ``cert`` would find breaking the cover or with a positive reduced cost is
    among those returned, with an estimate within the returned ``δ``; so is every pair within
    ``reach`` (default :data:`NEAR`) of violating, the pairs a full scan would add beside
    the violations."""
    if not all(ref.applies(cert, policy) for ref in refs):
        return None
    t_start = time.perf_counter()
    most = RESTRICT_MOST if most is None else most
    reach = NEAR if reach is None else reach
    margin = max(margin, reach)  # every pair read within ``reach`` of violating is returned
    n_m, n_e = source.shape
    delta = _delta(source, cert)
    e_all = np.flatnonzero(e_ok)
    items = []  # (mentors, mentees, kind): the blocks to read
    # per mentee: which reference's order its block reads, and how far; per mentor: its place
    # in each reference's order (within its class)
    which = np.zeros(n_e, dtype=np.int64)
    prefix = np.zeros(n_e, dtype=np.int64)
    rank = np.zeros((len(refs), n_m), dtype=np.int64)
    read = total = 0
    for rows, b_side, kind in _classes(cert, policy, m_ok):
        cols = e_all if b_side is None else e_all[cert.b[e_all] == b_side]
        if len(rows) == 0 or len(cols) == 0:
            continue
        total += len(rows) * len(cols)
        if kind == 0:
            items += [(rows, cc, 0) for cc in _chunks(cols, len(rows), block_elements)]
            read += len(rows) * len(cols)
            continue
        orders, prefixes = [], []
        for t, ref in enumerate(refs):
            d_u = cert.u[rows] - ref.u[rows]
            order = np.argsort(d_u, kind="stable")
            rank[t, rows[order]] = np.arange(len(order))
            # a pair outside ``ref``'s pairs has score - u - v ≤ bound_j - Δu_i - Δv_j: it
            # is within ``reach`` of violating only if Δu_i < bound_j - μ - Δv_j + reach, a
            # prefix of the order
            limit = ref.bound[cols] - cert.mu - (cert.v[cols] - ref.v[cols]) + reach
            orders.append(rows[order])
            prefixes.append(np.searchsorted(d_u[order], limit, side="left"))
        # a pair may violate only if every reference allows it: read the shortest prefix
        choice = np.argmin(np.stack(prefixes), axis=0)
        for t, order in enumerate(orders):
            sel = choice == t
            p = prefixes[t][sel]
            blocks, done = _prefix_blocks(order, cols[sel], p, block_elements)
            items += blocks
            which[cols[sel]] = t
            # the reference pairs its block read (all of its first P mentors) are not
            # re-read from their estimates: each pair is returned once
            prefix[cols[sel]] = done
            read += int(p.sum())
    if read > most * max(total, 1):
        return None

    def one(item):
        rows, cc, kind = item
        if kind == 0:
            r, c, est, cut = _kind0(source, rows, cc, cap)
            return rows[r], cc[c], est, cut, None
        r, c, est, cut, th = _kind1(source, rows, cc, cert, delta, margin, cap)
        return rows[r], cc[c], est, cut, (cc, th)

    t0 = time.perf_counter()
    parts = list(_map(executor, one, items))
    t_read = time.perf_counter() - t0
    truncated = any(p[3] for p in parts)
    found = [p[:3] for p in parts]
    # the pairs a mentee's reference kept beyond the prefix read, from their estimates (its
    # bound covers every other pair there, those other references kept included; each
    # reference holds a pair once, so no pair comes twice)
    parts_k = []
    for t, ref in enumerate(refs):
        out = (which[ref.pe] == t) & (rank[t, ref.pm] >= prefix[ref.pe])
        parts_k.append((ref.pm[out], ref.pe[out], ref.ps[out]))
    km, ke, ks = _gather(parts_k)
    delta_all = max([delta] + [r.delta for r in refs])
    keep = _reduced(ks, km, ke, cert) > -delta_all - margin
    found.append((km[keep].astype(np.int64), ke[keep].astype(np.int64), ks[keep]))
    pm, pe, ps = _gather(found)
    # what this scan proves: pairs it did not read are bounded by μ - reach (that is how
    # they were left out), pairs read and not returned by the block's θ + δ, reference
    # pairs not kept by μ - margin
    bound = np.full(n_e, cert.mu - reach)
    for p in parts:
        if p[4] is not None:
            cc, th = p[4]
            bound[cc] = np.maximum(bound[cc], th + delta)
    one_kind = _kinds(pm, pe, cert, policy) == 1
    own = Reference(
        cert.u.copy(),
        cert.v.copy(),
        bound,
        delta_all,
        cert.a.copy(),
        cert.b.copy(),
        pm[one_kind],
        pe[one_kind],
        ps[one_kind],
    )
    log.debug(
        "restricted scan: %.4f of the pairs in %d blocks (%.2f s), %d reference pairs "
        "re-read, %d returned; %.2f s in all",
        read / max(total, 1),
        len(items),
        t_read,
        len(km),
        len(pm),
        time.perf_counter() - t_start,
    )
    return pm, pe, ps, truncated, read / max(total, 1), delta_all, own


#: Most distinct prefix lengths among a restricted scan's blocks (each costs one gather of
#: the mentor side, which the source caches per row array).
_PREFIX_STEPS = 64


def _prefix_blocks(order, cols, p, block_elements):
    """Blocks ``(order[:P], mentees, 1)`` covering each mentee's first ``p`` mentors, the
    mentees taken longest prefix first; ``P`` rounded up to one of :data:`_PREFIX_STEPS`
    lengths so that blocks share their row arrays. Returns (blocks, how many mentors each
    of ``cols`` has read: its block's ``P``)."""
    done = np.zeros(len(cols), dtype=np.int64)
    sel = np.flatnonzero(p > 0)
    if len(sel) == 0:
        return [], done
    step = max(1, -(-len(order) // _PREFIX_STEPS))
    by = sel[np.argsort(-p[sel], kind="stable")]
    quant = np.minimum(-(-p[by] // step) * step, len(order))
    done[by] = quant
    rows_of: dict[int, np.ndarray] = {}
    blocks = []
    start = 0
    while start < len(by):
        P = int(quant[start])
        width = max(1, block_elements // P)
        # a block ends where the prefix length steps down (one row array per block)
        end = min(start + width, int(np.searchsorted(-quant, -P, side="right")))
        rows = rows_of.setdefault(P, order[:P])
        blocks.append((rows, cols[by[start:end]], 1))
        start = end
    return blocks, done


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


def _compare_scans(
    source,
    cert,
    policy,
    m_ok,
    e_ok,
    block_elements,
    executor,
    margin,
    cap,
    found_m,
    found_e,
    edge_keys,
    n_cols,
    delta,
):
    """``pricing="check"``: scan every pair too and raise :class:`~rm_match.SolverError` if
    the full scan finds a pair it may add (a cover breaker, or a reduced cost within
    :data:`NEAR` of violating or above; checked exactly, not yet an edge) that the
    restricted scan found (``found_m``, ``found_e``, after its exact checks) does not
    hold — unless the cap left it out (its mentee has ``cap`` pairs found)."""
    pm, pe, ps, _, _ = _full_scan(
        source, cert, policy, m_ok, e_ok, block_elements, executor, margin, None
    )
    fresh = ~_member(pm * n_cols + pe, edge_keys)
    pm, pe, ps, px = _check(
        source,
        pm[fresh],
        pe[fresh],
        ps[fresh],
        np.zeros(int(fresh.sum()), bool),
        cert,
        policy,
        delta,
        NEAR,
        executor,
    )
    red, kind = _reduced(ps, pm, pe, cert), _kinds(pm, pe, cert, policy)
    # the pairs a full scan may add: cover breakers, and reduced costs within NEAR of zero
    viol = px & ((kind == 0) | ((kind == 1) & (red > -NEAR + 1e-12)))
    held = np.sort(found_m * n_cols + found_e)
    missed = viol & ~_member(pm * n_cols + pe, held)
    if cap:
        missed &= np.bincount(found_e, minlength=source.shape[1])[pe] < cap
    if missed.any():
        raise SolverError(
            f"restricted pricing missed {int(missed.sum())} pair(s) within NEAR of violating "
            f"that a full scan "
            f"found (mentees {np.unique(pe[missed])[:10].tolist()})"
        )


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
