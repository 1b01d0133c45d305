"""Exact assignment without an n × n matrix: sparse candidates, then pricing.

For cohorts too large for a dense score matrix (DESIGN.md, "very large"):

1. **Candidates.** The score is screened block by block (mentee blocks against every mentor,
   never more than one block in memory per worker). Each mentee keeps its best ``k`` mentors
   and each mentor its best mentees (about ``k``, by a threshold estimated on a sample), plus
   a few mentors drawn at random per mentee (:data:`RANDOM_EDGES`, so that the graph holds
   an assignment of everyone), all re-scored exactly, with every hard rule checked.
2. **Sparse solve.** OR-tools min-cost flow on the candidate edges; small one-to-one rounds
   under ``max_matched``: scipy's LAPJVsp (:func:`~rm_match.solvers.flow.lap_on_edges`);
   larger ones with the ``fast`` extra: an ε-scaling auction (:mod:`.auction`).
3. **Certificate.** Dual potentials come from shortest paths in the residual network of the
   sparse solution (a label-correcting Bellman–Ford, vectorised). For ``max_matched`` a
   minimum cover (König) certifies that no assignment has more pairs, and the potentials
   ``u`` (mentors), ``v`` (mentees) and ``μ`` (one per pair made) bound the score among
   those with as many pairs; for ``max_score``, ``u`` and ``v`` alone.
4. **Pricing.** The dense score is scanned again, blockwise, against the potentials. Any pair
   that would break the cover or has positive reduced cost ``s - u - v - μ`` is added to the
   candidates and the sparse problem is solved again; when no pair remains, the sparse
   answer is optimal for the dense problem. A scan also keeps the pairs just short of
   violating (a pool); while enough of those violate, rounds use the pool and skip the scan
   (:data:`POOL_MIN`). Each round's shortest paths start from the last round's labels.
   Scans after the first are restricted to the pairs whose bound from the last full scan
   and from the last scan both allow a violation (:mod:`.pricing`; ``PRICING``).

The bound reported is weak LP duality evaluated exactly, so it holds whatever the quality of
the potentials: ``bound - objective`` is a sum of non-negative terms — complementary-slackness
violations of the chosen pairs, unused capacity with a positive potential, and every
positive reduced cost outside the answer.

The screen may be approximate (float32); a score source states an error bound ``δ`` and every
pair the screen cannot rule out (within ``δ``) is re-scored exactly before any decision. It may
also overestimate (an upper bound, like :class:`~rm_match.screen.ProblemSource`'s cosine for
the interests term): the pairs that pass a threshold are brought within ``δ`` by the source's
``refine`` and compared again, so a loose screen costs only extra pairs to refine.

Between rounds, unused edges far below zero reduced cost (``PRUNE``) leave the candidate
graph: the next scan brings back any that could improve the answer.

Any capacities: one-to-one, above one on one side, or on both (a b-matching where each pair
is made at most once). With capacities above one on both sides a used pair can itself be in
the minimum cut (neither end has capacity one to cover it at the same price): the König
cover then counts it as an edge of the cover, and every pair outside the candidate graph is
still classified by the vertices alone. The weak-duality slack needs no change: a pair's
upper bound of one is the ``max(0, rc)`` term. Checked against the dense min-cost flow on
random instances with capacities 0-4 on both sides (tests/solvers/test_sparse.py).

Modules: :mod:`.sources` (score sources), :mod:`.candidates`, :mod:`.certificate`,
:mod:`.pricing` and :mod:`.rounds` (the loop and the backend).
"""

from __future__ import annotations

from . import candidates, certificate, pricing, rounds, sources  # noqa: F401 - the parts
from .candidates import RANDOM_EDGES
from .pricing import NEAR, PRICE_TOL
from .rounds import POOL_MIN, PRUNE, SparseBackend, SparseStats, backend, solve_sparse
from .sources import FORBIDDEN, INFEASIBLE, DenseSource, ScoreSource, SubSource, TableSource

__all__ = [
    "FORBIDDEN",
    "INFEASIBLE",
    "NEAR",
    "POOL_MIN",
    "PRICE_TOL",
    "PRUNE",
    "RANDOM_EDGES",
    "DenseSource",
    "ScoreSource",
    "SparseBackend",
    "SparseStats",
    "SubSource",
    "TableSource",
    "backend",
    "candidates",
    "solve_sparse",
]
