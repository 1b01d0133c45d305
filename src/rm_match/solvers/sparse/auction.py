"""One-to-one rounds by an ε-scaling auction (the ``fast`` extra's compiled kernel).

A round's flow under ``max_matched`` with every capacity one is an assignment problem:
when as many mentors as mentees have an edge and some matching pairs them all, the most
pairs is that many, and the best of those matchings is what the flow finds. Bertsekas'
forward auction solves it: each free mentee bids for the mentor of best value
``benefit - price``, raising that mentor's price by its margin over the second best plus
``ε``, and takes the mentor from whoever held it. An assignment in which every mentee is
within ``ε`` of its best value (ε-complementary slackness) is within ``n·ε`` of the
optimum; with the benefits the rounded integer scores times ``n + 1`` and a last phase at
``ε = 1`` it is optimal for those integers — as the flow's answer is for its own — so the
certificate's shortest paths settle and prove it, as after the flow. ε starts at a
hundredth of the benefits' range and falls eightfold a phase, keeping the prices (and the
assignments still within ε): each phase starts near the last one's answer.

Rounds start from the last round's prices (its certificate's mentor labels; the pilot's
mentor potentials in the first round) and from the last round's pairs. At 50 000 per side
the auction took 1.7 s on the first round's 3.5 M edges and 0.8–1.0 s on the later ones'
two million, against OR-tools' 6.0–6.1 s and 4.3–4.7 s, with the same optima.

It gives up (``None``, and the round's flow answers) when mentors and mentees with an edge
are not as many, or when the bids run past :data:`BIDS` per edge: no matching pairs
everyone (prices then rise without end), or a bidding war that would cost more than the
flow.
"""

from __future__ import annotations

import logging
import time

import numpy as np

from ..flow import power_of_two_scale
from . import _fast

log = logging.getLogger(__name__)

#: ε starts at the benefits' range over this ...
EPS_START = 100
#: ... and is divided by this each phase (at 50 000 per side, 4 and 16 were no faster).
THETA = 8
#: Bids per edge, plus ``4·θ`` per person and phase, before the auction gives up.
BIDS = 4


def _phases(eps0: int) -> int:
    """The phases from ε = ``eps0`` down to 1 (each divides by :data:`THETA`)."""
    phases, eps = 1, eps0
    while eps > 1:
        eps = max(1, eps // THETA)
        phases += 1
    return phases


def auction_on_edges(
    n_m: int,
    n_e: int,
    mi: np.ndarray,
    ei: np.ndarray,
    s: np.ndarray,
    prices: np.ndarray | None = None,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float, str, np.ndarray] | None:
    """The one-to-one ``max_matched`` flow over an edge list by auction, or ``None`` (see
    the module docstring). Needs the ``fast`` extra.

    Returns what :func:`~rm_match.solvers.flow.flow_on_edges` returns and a guide for the
    certificate's shortest paths (:func:`._fast.relax`): per node (mentors, mentees,
    source, sink) a label in rounded score units from the final prices, within one unit of
    a potential of the answer's residual network.

    ``prices``: per mentor, a price in score units to start from (e.g. dual potentials of
    a nearby problem); ``start``: a mask of edges to start from, a matching (its pairs
    keep each other while within ε of their best). Both are hints: the answer is optimal
    for the rounded scores ``rint(s·S)`` whatever they are. ``S`` is a power of two that
    keeps ``|rint(s·S)|·(n + 1)`` within 2⁵³.

    Examples
    --------
    >>> import numpy as np
    >>> from rm_match.solvers.sparse import _fast
    >>> mi, ei = np.array([0, 0, 1]), np.array([0, 1, 0])
    >>> got = auction_on_edges(2, 2, mi, ei, np.array([3.0, 1.0, 2.0]))
    >>> got is None or got[0].tolist() == [False, True, True]
    True
    """
    if len(mi) == 0 or not _fast.enabled():
        return None
    t0 = time.perf_counter()
    mi = np.asarray(mi, dtype=np.int64)
    ei = np.asarray(ei, dtype=np.int64)
    people = int((np.bincount(ei, minlength=n_e) > 0).sum())
    if int((np.bincount(mi, minlength=n_m) > 0).sum()) != people:
        return None  # not square: the most pairs is not "every mentee"
    n = n_m + n_e + 2
    scale = power_of_two_scale(s, n, budget=2.0**53)
    rounded = np.rint(s * scale)
    benefit = rounded.astype(np.int64) * (people + 1)
    spread = int(benefit.max() - benefit.min())
    eps0 = max(1, spread // EPS_START)
    indptr, order = _fast.group(ei, n_e)  # mentees bid for mentors
    obj = mi[order]
    price = np.zeros(n_m, np.int64)
    if prices is not None:
        if len(prices) != n_m:
            raise ValueError(f"prices has {len(prices)} entries for {n_m} mentors")
        p = np.asarray(prices, dtype=np.float64) * scale * (people + 1)
        if np.isfinite(p).all():
            # prices count up to a constant: the lowest at 0. One more than the benefits'
            # spread above it leaves its mentor worse than any other to every mentee: no
            # more use as a hint, and a war to undo
            price = np.rint(np.clip(p - p.min(), 0, spread)).astype(np.int64)
    owner = np.full(n_m, -1, np.int64)
    assigned = np.full(n_e, -1, np.int64)
    if start is not None and len(start) != len(mi):
        raise ValueError(f"start has {len(start)} entries for {len(mi)} edges")
    if start is not None and start.any():
        owner[mi[start]] = ei[start]
        assigned[ei[start]] = mi[start]
        # a matching: each end once (else the hint is dropped)
        if (owner[mi[start]] != ei[start]).any() or (assigned[ei[start]] != mi[start]).any():
            owner[:] = -1
            assigned[:] = -1
    status, bids, phases = _fast.auction(
        indptr,
        obj,
        benefit[order],
        price,
        owner,
        assigned,
        eps0,
        THETA,
        BIDS * len(mi) + 4 * THETA * people * _phases(eps0),
        spread + eps0,
    )
    seconds = time.perf_counter() - t0
    if status != 0:
        log.debug("auction gave up (status %d) after %d bids in %.2f s", status, bids, seconds)
        return None
    used = assigned[ei] == mi
    if int(used.sum()) != people:  # an edge listed twice: the flow decides
        return None
    log.debug("auction: %d bids in %d phases, %.2f s", bids, phases, seconds)
    message = f"auction: optimal ({bids} bids; score scale {scale:.3g})"
    # a mentor's price, a mentee's partner's price less the pair's score (pairs tight, every
    # other edge within ε of it); the source at the lowest mentor, the sink at the highest
    # mentee, and people without an edge there too
    guide = np.zeros(n)
    p_m = price / (people + 1)
    has_m = np.zeros(n_m, dtype=bool)
    has_m[mi[used]] = True
    has_e = np.zeros(n_e, dtype=bool)
    has_e[ei[used]] = True
    low = float(p_m[has_m].min(initial=0.0))
    guide[:n_m] = np.where(has_m, p_m, low)
    g_e = np.zeros(n_e)
    g_e[ei[used]] = p_m[mi[used]] - rounded[used]
    high = float(g_e[has_e].max(initial=0.0))
    guide[n_m : n_m + n_e] = np.where(has_e, g_e, high)
    guide[n - 2], guide[n - 1] = low, high
    return used, rounded, scale, message, guide
