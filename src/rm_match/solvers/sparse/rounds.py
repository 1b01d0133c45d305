"""The round loop: candidates, sparse flow, certificate and pricing until no pair can improve; the
``sparse`` backend.

Logging (``rm_match.solvers.sparse.rounds``): the candidates, one line per round (edges, pairs
added, flow, certificate and scan seconds, pool hits) and the certificate, at the level the
caller asks (INFO for :func:`rm_match.match`'s and the ``sparse`` backend's solve, DEBUG for
the inner solves of the pilot and of the goal pipeline). Counts, sizes and timings only.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np

from ..._progress import ProgressReporter
from ...results import OPTIMALITY_TOL
from .. import registry
from .._problem import ArrayProblem, max_pairs
from ..flow import LAP_MOST_NODES, flow_on_edges, flow_scale, lap_on_edges
from ..registry import Needs, Solution
from . import _fast
from .auction import auction_on_edges
from .candidates import candidates
from .certificate import _certificate, _delta, _kinds, _potentials, _reduced, _slack
from .pricing import (
    NEAR,
    _check,
    _compare_scans,
    _full_scan,
    _member,
    _restricted_scan,
    _top_per_group,
    _violations,
)
from .sources import INFEASIBLE, DenseSource, SubSource, _chunks, _map
from .warm import warm_flow

log = logging.getLogger(__name__)

#: How pricing scans after the first: ``"restricted"`` reads only the pairs that may violate
#: since the last full scan (:mod:`.pricing`), ``"full"`` every pair, ``"check"`` both,
#: raising :class:`~rm_match.SolverError` if the restricted scan misses a violation the full
#: one finds (a debugging aid; the environment variable ``RM_MATCH_PRICING`` sets it).
PRICING = os.environ.get("RM_MATCH_PRICING", "restricted")

#: After a pricing scan, unused edges with reduced cost below ``-PRUNE`` are dropped
#: (``None``: never).
PRUNE: float | None = 0.02

#: Rounds in which pruning runs; after them edges only join. A pair pruned in one round can
#: violate again after the next solve and be added back, and on small tie-heavy graphs an
#: add and a prune alternated for good (22 × 22, capacities 0–2: one violation a round for
#: all 200 rounds, no certificate). Column generation without deletion ends, so from this
#: round on it does; the large runs settle in about five rounds.
PRUNE_ROUNDS = 8


#: A round on the last scan's pool (no scan) only when it adds at least this fraction of what
#: that scan added; else the round scans at once. At n = 100 000 pool rounds adding 0.3-0.5 %
#: of the scan's pairs each cost a flow solve (20 s) and the scan followed anyway.
POOL_MIN = 0.05


@dataclass
class SparseStats:
    """What the sparse path did: sizes, rounds and timings (seconds)."""

    candidates: int = 0
    added: list[int] = field(default_factory=list)
    rounds: int = 0
    screened_pairs: int = 0
    bellman_ford_iterations: int = 0
    pilot: int = 0
    scans: int = 0
    pruned: int = 0
    restricted: int = 0  # scans restricted to the pairs that may violate
    warm: int = 0  # rounds re-solved warm from the last flow (:mod:`.warm`)
    auction: int = 0  # rounds solved by auction (:mod:`.auction`)
    read: list[float] = field(default_factory=list)  # fraction of the pairs each scan read
    times: dict[str, float] = field(default_factory=dict)
    duals: tuple | None = None  # (u, v, μ) of the certificate
    cover: tuple | None = None  # (mentors, mentees) in the König cover (``max_matched``)
    graph: tuple | None = None  # (mi, ei, exact scores) of the last round's candidate graph


#: A pilot of more people per side than this is solved on the source itself (matrix-free,
#: with a pilot of its own) rather than on its screened matrix in memory.
DENSE_PILOT = 8000


def _pilot(source, m_cap, e_cap, policy, size, k, block_elements, gen, executor=None):
    """Estimated potentials for everyone, from an exact solve on a random sub-cohort.

    The same fraction of each side is drawn, solved (screened scores, keyed rules), and its
    potentials extended to everyone by c-transforms: a mentee's ``v`` is its best
    ``score - u`` over the sampled mentors, then a mentor's ``u`` its best ``score - v``
    over the sampled mentees. Only a ranking hint for the candidates: correctness comes
    from pricing. Above :data:`DENSE_PILOT` per side the sub-cohort is solved as the whole
    is, on the source (coarse to fine: its own pilot is drawn from it).
    """
    n_m, n_e = source.shape
    frac = size / max(n_m, n_e)
    rows = np.sort(gen.choice(n_m, size=max(1, int(frac * n_m)), replace=False))
    cols = np.sort(gen.choice(n_e, size=max(1, int(frac * n_e)), replace=False))
    if max(len(rows), len(cols)) > DENSE_PILOT:
        part = SubSource(source, rows, cols)
        _, _, _, st = solve_sparse(
            part,
            m_cap[rows],
            e_cap[cols],
            policy,
            k=k,
            max_rounds=10,
            executor=executor,
            rng=gen,
            block_elements=block_elements,
        )
    else:
        sub = source.screen(rows, cols, None, None).astype(np.float64)
        ok = sub > INFEASIBLE
        dense = DenseSource(np.maximum(sub, 0.0, out=sub), ok)  # in place: one matrix
        _, _, _, st = solve_sparse(
            dense, m_cap[rows], e_cap[cols], policy, k=k, max_rounds=10, rng=gen
        )
    log.debug("sparse pilot: %d × %d sampled, %d round(s)", len(rows), len(cols), st.rounds)
    if st.duals is None:
        return None
    u_s, _, mu = st.duals
    u_s = u_s + mu  # fold the per-pair potential into the mentors (a constant shift)

    fast = _fast.use_select(n_m * n_e)  # one compiled pass a block (the fast extra)

    def best_minus(rws, cls, u, v, axis):
        def one(chunk):
            block = source.screen(rws, chunk, u, v)
            if fast:
                return _fast.masked_max(block, INFEASIBLE - 1e3, axis)
            block[block <= INFEASIBLE - 1e3] = -np.inf
            return block.max(axis=axis)

        chunks = list(_chunks(cls, n_m if rws is None else len(rws), block_elements))
        out = list(_map(executor, one, chunks))  # blockwise, on the scans' executor
        return np.concatenate(out) if axis == 0 else np.maximum.reduce(out)

    u_full = np.zeros(n_m)
    u_full[rows] = u_s
    v = best_minus(rows, np.arange(n_e), u_full, None, 0)
    v = np.where(np.isfinite(v), np.maximum(v, 0.0), 0.0)
    u = best_minus(None, cols, None, v, 1)
    u = np.where(np.isfinite(u), np.maximum(u, 0.0), 0.0)
    return u, v


#: From this many people on the larger side the pilot is a fifth of it (:func:`default_pilot`).
LARGE_PILOT_FROM = 50_000


def default_pilot(n_m: int, n_e: int) -> int:
    """People per side in the pilot solve by default (see :func:`solve_sparse`): a tenth of
    the larger side, between 2 000 and 5 000; from :data:`LARGE_PILOT_FROM` a fifth, up to
    20 000 (solved on the source, with a pilot of its own). It runs when the larger side
    is over twice that.

    With the auction's cheap rounds, a larger pilot pays for itself above 50 000 per side
    (its potentials leave fewer pairs for the restricted scans and a round less): 31 s
    instead of 35–41 s at 50 000 per side (a pilot of 10 000; 8 000, solved as a dense
    matrix, took 40 s), 117 s instead of 121 s (12 500) at 100 000 with a pilot of 20 000
    (152 s with 5 000, before restricted scans re-read fewer pairs). At 20 000 per side a
    pilot of 4 000 cost more than it saved (6.8 s against 5.3 s, medians of 3).

    Examples
    --------
    >>> default_pilot(20_000, 20_000), default_pilot(50_000, 50_000), default_pilot(10**6, 10)
    (2000, 10000, 20000)
    """
    n = max(n_m, n_e)
    if n >= LARGE_PILOT_FROM:
        return min(n // 5, 20_000)
    return min(max(2000, n // 10), 5000)


def solve_sparse(
    source,
    mentor_capacity: np.ndarray,
    mentee_capacity: np.ndarray,
    policy: str,
    *,
    k: int = 32,
    block_elements: int = 1 << 24,
    executor=None,
    rng=None,
    max_rounds: int = 200,
    max_bf_iterations: int = 20_000,
    pilot: int | None = None,
    margin: float = 0.01,
    stats: SparseStats | None = None,
    prior: tuple[np.ndarray, np.ndarray] | None = None,
    progress: ProgressReporter | None = None,
    level: int = logging.DEBUG,
    pricing: str | None = None,
) -> tuple[np.ndarray, float, str, SparseStats]:
    """Solve over a :class:`ScoreSource`; returns (pairs, bound slack, message, stats).

    ``bound slack`` is ``bound - objective`` (``inf`` when no certificate could be given).
    ``prior``: potentials ``(u, v)`` to rank the candidates by ``score - u - v`` instead of
    the pilot's (a warm start, e.g. the last solve's for nearby scores: at n = 5 000 a warm
    solve took 4.4 s against 6.6–8.5 s when started from the last solve's candidate pairs);
    a ranking hint only, pricing still checks every pair.
    ``pilot``: people per side in the pilot solve that estimates the potentials (0: none);
    by default a tenth of the larger side, between 2 000 and 5 000. A larger pilot ranks
    the first candidates better and saved a round at n = 50 000 (69-73 s instead of
    81-84 s) and 100 000 (301 s instead of 340 s); 8 000 cost more than it saved at 50 000.
    ``progress``: told of each round (one step per round, the total unknown). ``level``:
    the logging level of the candidates, round and certificate lines (DEBUG for inner
    solves, INFO for the caller's own). ``pricing``: ``"restricted"`` (scans after a full
    one read only the pairs that may violate since), ``"full"`` or ``"check"`` (both,
    compared); by default :data:`PRICING`. ``executor``: where the blockwise scans run
    (``map``); one with a ``remote(source)`` context (:class:`.cluster.DaskScans`) gets
    the source installed on its workers for the solve.
    """
    remote = getattr(executor, "remote", None)
    if callable(remote) and not getattr(source, "on_workers", False):
        # a cluster (:class:`.cluster.DaskScans`): the source goes to the workers once
        with remote(source) as on_workers:
            return solve_sparse(
                on_workers,
                mentor_capacity,
                mentee_capacity,
                policy,
                k=k,
                block_elements=block_elements,
                executor=executor,
                rng=rng,
                max_rounds=max_rounds,
                max_bf_iterations=max_bf_iterations,
                pilot=pilot,
                margin=margin,
                stats=stats,
                prior=prior,
                progress=progress,
                level=level,
                pricing=pricing,
            )
    pricing = pricing or PRICING
    if pricing not in ("restricted", "full", "check"):
        raise ValueError(f"pricing must be 'restricted', 'full' or 'check', not {pricing!r}")
    stats = stats or SparseStats()
    t_start = time.perf_counter()
    loud = log.isEnabledFor(level)
    n_m, n_e = source.shape
    if pilot is None:
        pilot = default_pilot(n_m, n_e)
    # no one takes more partners than the other side has (the König cover counts capacities)
    m_cap = np.minimum(np.asarray(mentor_capacity, dtype=np.int64), n_e)
    e_cap = np.minimum(np.asarray(mentee_capacity, dtype=np.int64), n_m)
    m_ok, e_ok = m_cap > 0, e_cap > 0
    k_max = max_pairs(m_cap, e_cap)
    t0 = time.perf_counter()
    gen = np.random.default_rng(rng)
    if prior is None and pilot and max(n_m, n_e) > 2 * pilot and min(n_m, n_e) > 0:
        prior = _pilot(source, m_cap, e_cap, policy, pilot, k, block_elements, gen, executor)
        stats.pilot = pilot
    stats.times["pilot"] = time.perf_counter() - t0
    if stats.pilot and loud:
        log.log(level, "sparse pilot: %d per side in %.2f s", pilot, stats.times["pilot"])
    t0 = time.perf_counter()
    mi, ei, s, screened = candidates(
        source,
        m_ok,
        e_ok,
        k,
        block_elements=block_elements,
        executor=executor,
        rng=gen,
        prior=prior,
    )
    if policy == "max_score":
        pos = s > 0
        mi, ei, s = mi[pos], ei[pos], s[pos]
    stats.screened_pairs += screened
    stats.candidates = len(mi)
    stats.times["candidates"] = time.perf_counter() - t0
    if loud:
        log.log(
            level,
            "sparse candidates: %d edges for %d × %d (%d pairs screened) in %.2f s",
            len(mi),
            n_m,
            n_e,
            screened,
            stats.times["candidates"],
        )
    stats.times.setdefault("solve", 0.0)
    stats.times.setdefault("certificate", 0.0)
    stats.times.setdefault("pricing", 0.0)
    message = "sparse: nothing to assign"
    n_cols = max(n_e, 1)
    edge_keys = np.sort(mi * n_cols + ei)
    # what the last full scan and the last scan proved (restricted scans start from them)
    references: list = []
    pool_m = pool_e = np.empty(0, np.int64)
    pool_s = np.empty(0)
    pool_x = np.empty(0, dtype=bool)  # pool_s exact (else an estimate within δ)
    d_last = None  # the last round's distances (in score units): the next round starts there
    last_flow = None  # (used pair keys, integer labels, scale) for a warm re-solve
    scan_added = 0  # pairs the last scan added
    # small one-to-one rounds: scipy's LAPJVsp (no OR-tools import, faster there)
    one_to_one = policy == "max_matched" and bool((m_cap <= 1).all() and (e_cap <= 1).all())
    lap = one_to_one and n_m + n_e <= LAP_MOST_NODES
    # larger ones: an auction (the fast extra), from the last round's prices and pairs
    auction = one_to_one and not lap
    for rnd in range(1, max_rounds + 1):
        stats.rounds = rnd
        t = t_round = time.perf_counter()
        edges = len(mi)
        warm = guide = None
        coarse = False  # solved on LAPJVsp's or the auction's integers, not the flow's
        if len(mi) and k_max:
            by_auction = solved = None
            if auction and _fast.use_for(len(mi)):
                by_auction = _auction(n_m, n_e, mi, ei, s, d_last, prior, last_flow, n_cols)
                # not square, no matching of everyone, or a bidding war: the flow from now on
                auction = coarse = by_auction is not None
                stats.auction += coarse
            if by_auction is None:
                solved = _warm(n_m, n_e, mi, ei, s, m_cap, e_cap, policy, k_max, last_flow, stats)
            if by_auction is not None:  # its prices guide the certificate's shortest paths
                used, rounded, scale, message, guide = by_auction
            elif solved is not None:
                used, rounded, scale, warm, message = solved
            else:
                got = lap_on_edges(n_m, n_e, mi, ei, s) if lap else None
                # no matching of a whole side: the flow from now on
                lap = coarse = got is not None
                used, rounded, scale, message = got or flow_on_edges(
                    n_m, n_e, mi, ei, s, m_cap, e_cap, policy, k_max
                )
        else:
            used, rounded, scale = np.zeros(len(mi), dtype=bool), np.zeros(len(mi)), 1.0
        t_flow = time.perf_counter() - t
        stats.times["solve"] += t_flow
        t = time.perf_counter()
        if warm is None and d_last is not None:
            warm = np.floor(d_last * scale)
        # optimal for its integers, LAPJVsp's or the auction's answer settles within a pass
        # per node
        passes = min(max_bf_iterations, n_m + n_e + 3) if coarse else max_bf_iterations
        d, iters, settled = _potentials(
            n_m, n_e, mi, ei, rounded, used, m_cap, e_cap, policy, passes, warm, guide
        )
        if coarse and not settled:  # not seen: the same graph once more, by the flow
            lap = auction = False
            log.debug("sparse round %d: the potentials did not settle; the flow", rnd)
            continue
        last_flow = (np.sort(mi[used] * n_cols + ei[used]), d, scale)
        d = d_last = d / scale
        stats.bellman_ford_iterations += iters
        cert = _certificate(n_m, n_e, mi, ei, s, used, m_cap, e_cap, policy, d)
        t_cert = time.perf_counter() - t
        stats.times["certificate"] += t_cert
        t = time.perf_counter()
        last = np.column_stack((mi[used], ei[used]))
        delta = _delta(source, cert)
        if len(pool_m):
            # a cheap round first: the pairs the last scan found near violating
            pool_m, pool_e, pool_s, pool_x = _check(
                source, pool_m, pool_e, pool_s, pool_x, cert, policy, delta, executor=executor
            )
            add, _, _ = _violations(pool_m, pool_e, pool_s, pool_x, cert, policy, k)
            if add.any() and add.sum() >= POOL_MIN * scan_added:
                stats.added.append(int(add.sum()))
                mi, ei, s = (
                    np.concatenate((x, y[add]))
                    for x, y in ((mi, pool_m), (ei, pool_e), (s, pool_s))
                )
                edge_keys = np.sort(np.concatenate((edge_keys, pool_m[add] * n_cols + pool_e[add])))
                pool_m, pool_e, pool_s, pool_x = (x[~add] for x in (pool_m, pool_e, pool_s, pool_x))
                stats.times["pricing"] += time.perf_counter() - t
                _round_done(
                    level,
                    progress,
                    rnd,
                    edges,
                    stats.added[-1],
                    t_flow,
                    t_cert,
                    0.0,
                    stats.added[-1],
                    time.perf_counter() - t_round,
                )
                continue

        t_scans = 0.0
        # what every scan of this round reads against (the cap and references follow)
        scan_on = (source, cert, policy, m_ok, e_ok, block_elements, executor, margin)
        for cap in (8 * k, None):
            t_scan = time.perf_counter()
            scan = None
            if references and pricing != "full":
                # uncapped: the region bounds its size. With each mentee's 256 best per
                # block it added 3 % fewer pairs than the capped full scan at n = 100 000
                # (9+ rounds instead of 5); uncapped, the same pairs
                scan = _restricted_scan(*scan_on, None, references)
            if scan is None:
                pm, pe, ps, truncated, full_ref = _full_scan(*scan_on, cap)
                references = [full_ref]
                read, d_scan = 1.0, delta
            else:
                pm, pe, ps, truncated, read, d_scan, own = scan
                # the last full scan and this one: a later region is where both allow
                references = [references[0], own]
                stats.restricted += 1
            stats.read.append(read)
            stats.screened_pairs += int(read * n_m * n_e)
            stats.scans += 1
            t_check = time.perf_counter()
            t_scans += t_check - t_scan
            stats.times["scan_time"] = stats.times.get("scan_time", 0.0) + t_check - t_scan
            # drop pairs already among the edges; exact scores where a pair may be added
            fresh = ~_member(pm * n_cols + pe, edge_keys)
            unchecked = np.zeros(int(fresh.sum()), dtype=bool)
            pm, pe, ps, px = _check(
                source,
                pm[fresh],
                pe[fresh],
                ps[fresh],
                unchecked,
                cert,
                policy,
                d_scan,
                NEAR,
                executor,
            )
            stats.times["exact_time"] = (
                stats.times.get("exact_time", 0.0) + time.perf_counter() - t_check
            )
            add, red, kind = _violations(pm, pe, ps, px, cert, policy, k, NEAR)
            if scan is not None and pricing == "check":
                # the restricted scan ran uncapped: no cap excuses a miss
                _compare_scans(*scan_on, None, pm, pe, edge_keys, n_cols, delta)
            if add.any() or not truncated:
                break
            # the capped scan proves nothing: scan again without the cap (rare). Capping
            # harder (from cap pairs per mentee on average, or exact checks of 2k per
            # mentee) took more rounds and scans at n = 50 000: 315 s instead of 290 s.
        stats.times["pricing"] += time.perf_counter() - t
        found = int(add.sum())
        _round_done(
            level,
            progress,
            rnd,
            edges,
            found,
            t_flow,
            t_cert,
            t_scans,
            0,
            time.perf_counter() - t_round,
        )
        if not add.any():
            # unconverged potentials still give a valid (looser) bound; no cover gives none.
            # Estimated pairs have reduced cost at most -δ + δ = 0: only exact ones count.
            slack = _slack(mi, ei, s, used, m_cap, e_cap, cert, policy, red[(kind == 1) & px])
            if not cert.cover_ok:
                slack = math.inf
            # the caller's objective: without the constant a shifted source adds per pair
            objective = float(s[used].sum()) - getattr(source, "shift", 0.0) * len(last)
            if coarse and slack > OPTIMALITY_TOL / 8 * max(abs(objective), 1.0):
                # LAPJVsp's or the auction's coarser integers leave too much slack for a
                # proof (one score far from the rest): the same graph once more, by the flow
                lap = auction = False
                log.debug("sparse round %d: slack %.3g on coarse integers; the flow", rnd, slack)
                continue
            stats.duals = (cert.u, cert.v, cert.mu)
            stats.cover = (cert.a, cert.b)
            stats.graph = (mi, ei, s)
            if loud:
                log.log(
                    level,
                    "sparse certificate: %s after %d round(s) and %d scan(s): %d pairs, "
                    "bound - objective %.3g, %d Bellman-Ford passes; %.2f s in all",
                    "cover and potentials" if cert.cover_ok else "potentials only (no cover)",
                    rnd,
                    stats.scans,
                    len(last),
                    slack,
                    stats.bellman_ford_iterations,
                    time.perf_counter() - t_start,
                )
            return last, slack, f"sparse + pricing ({rnd} round(s)); {message}", stats
        scan_added = found
        stats.added.append(scan_added)
        near = ~add & (kind == 1) & (red > -margin)
        near &= _top_per_group(pe, red, near, 8 * k)
        pool_m, pool_e, pool_s, pool_x = pm[near], pe[near], ps[near], px[near]
        if PRUNE is not None and rnd <= PRUNE_ROUNDS:
            # unused edges far below zero reduced cost leave the graph (pricing brings any
            # back that could matter): smaller flow solves and shortest-path passes
            red_e = _reduced(s, mi, ei, cert)
            stay = used | (_kinds(mi, ei, cert, policy) != 1) | (red_e > -PRUNE)
            stats.pruned += int((~stay).sum())
            mi, ei, s = mi[stay], ei[stay], s[stay]
        mi = np.concatenate((mi, pm[add]))
        ei = np.concatenate((ei, pe[add]))
        s = np.concatenate((s, ps[add]))
        edge_keys = np.sort(mi * n_cols + ei)
    log.log(
        level,
        "sparse: pricing did not settle in %d rounds (%.2f s): no certificate",
        max_rounds,
        time.perf_counter() - t_start,
    )
    return last, math.inf, f"sparse: pricing did not settle in {max_rounds} rounds", stats


#: A warm re-solve gives up (and OR-tools solves the round cold) after this many heap pops
#: per edge of the round's graph (a pop and its arcs cost about 0.6 of what OR-tools spends
#: per edge at 50 000 per side)...
WARM_BUDGET = 0.5
#: ... and is not tried when more than this share of the edges must be saturated (at
#: 50 000 per side a saturated pair cost about 500 pops).
WARM_MOST = 0.001


def _auction(n_m, n_e, mi, ei, s, d_last, prior, last_flow, n_cols):
    """The round by auction (:mod:`.auction`) from the last round's mentor labels (else the
    pilot's mentor potentials) and pairs, or None."""
    prices = d_last[:n_m] if d_last is not None else (prior[0] if prior is not None else None)
    start = None
    if last_flow is not None:
        start = _member(mi * n_cols + ei, last_flow[0])
    return auction_on_edges(n_m, n_e, mi, ei, s, prices, start)


def _warm(n_m, n_e, mi, ei, s, m_cap, e_cap, policy, k_max, last_flow, stats):
    """The round's flow re-solved from the last one (:mod:`.warm`), or None: no last flow,
    no compiled kernels, another rounding scale, or the budget spent."""
    if last_flow is None or not _fast.use_for(len(mi)):
        return None
    used_keys, labels, last_scale = last_flow
    scale = flow_scale(s, n_m + n_e + 2, k_max)
    if scale != last_scale:
        return None
    t = time.perf_counter()
    rounded = np.rint(s * scale)
    budget = int(WARM_BUDGET * len(mi))
    most = int(WARM_MOST * len(mi))
    out = warm_flow(
        n_m, n_e, mi, ei, rounded, m_cap, e_cap, policy, k_max, used_keys, labels, budget, most
    )
    seconds = time.perf_counter() - t
    if out is None:
        stats.times["warm_lost"] = stats.times.get("warm_lost", 0.0) + seconds
        log.debug("warm re-solve gave up after %.2f s: a cold solve", seconds)
        return None
    used, pi, pops = out
    stats.warm += 1
    log.debug("warm re-solve: %d heap pops in %.2f s", pops, seconds)
    # the labels it leaves are potentials of the new flow: the certificate starts there
    return used, rounded, scale, pi - pi.max(), f"warm re-solve ({pops} heap pops)"


def _round_done(
    level: int,
    progress: ProgressReporter | None,
    rnd: int,
    edges: int,
    found: int,
    t_flow: float,
    t_cert: float,
    t_scan: float,
    pool_hits: int,
    seconds: float,
) -> None:
    """One round's log line and progress step (counts and seconds only)."""
    log.log(
        level,
        "sparse round %d: %d edges, %d violations found (%d from the pool), flow %.2f s, "
        "certificate %.2f s, scan %.2f s; %.2f s",
        rnd,
        edges,
        found,
        pool_hits,
        t_flow,
        t_cert,
        t_scan,
        seconds,
    )
    if progress is not None and progress.active:
        text = "no pair to add" if found == 0 else f"{found} pairs added"
        progress.update(1, f"round {rnd}: {edges} edges, {text}")


class SparseBackend:
    """``assign`` backend: the sparse path over an in-memory matrix (for testing and for
    matrices whose dense solve is slow); :func:`rm_match.match` uses it without the matrix."""

    name = "sparse"

    def unsupported(self, needs: Needs) -> str | None:
        return None  # the registry checks the capacities

    def declines(self, needs: Needs) -> str | None:
        if needs.cells < registry.SPARSE_MIN_CELLS:  # read at call time: tests lower it
            return f"below {registry.SPARSE_MIN_CELLS} cells a dense solve is faster"
        return None

    def solve(self, problem: ArrayProblem, *, k: int = 32) -> Solution:
        shift = 0.0
        if problem.policy == "max_matched" and problem.feasible.any():
            # screening reads scores at or below INFEASIBLE as forbidden; every answer has the
            # most pairs, so a constant per pair changes no choice (and no slack). The source
            # adds it as it reads: no shifted copy of the matrix
            low = float(np.min(problem.scores, where=problem.feasible, initial=np.inf))
            shift = -low if low < 0.0 else 0.0
        source = DenseSource(problem.scores, problem.feasible, shift)
        pairs, slack, message, _ = solve_sparse(
            source,
            problem.mentor_capacity,
            problem.mentee_capacity,
            problem.policy,
            k=k,
            rng=problem.rng,
            level=logging.INFO,
        )
        return Solution(pairs, slack, message)


backend = SparseBackend()
