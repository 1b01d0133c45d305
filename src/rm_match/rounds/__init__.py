"""The programme over time: rotation rounds and rematch after changes.

- :func:`rotate` — k rounds of pairs, no pair repeated, each person at most their capacity
  per round, optimal over all rounds jointly: one min-cost flow (a b-matching of degree
  ≤ k × capacity, certified by its bound) split into k rounds by a bipartite edge colouring
  (König), with sit-outs spread fairly between people on the larger side.
- :func:`rematch` — after people leave or join: the new matching keeps as many of the
  previous pairs as possible (after the policy's own goal, before score), or within a change
  budget, or at a price per broken pair; leavers' reporting lines are still followed.

A programme's state across rounds (every pair so far, saved as JSON for audit) is
:class:`rm_match.ProgrammeState`; :func:`rm_match.verify_rounds` checks rounds independently.
"""

from __future__ import annotations

from .rematching import STATUSES, Rematch, rematch
from .rotation import SHORT_KINDS, Exposure, Rotation, Round, Shortfall, rotate

__all__ = [
    "SHORT_KINDS",
    "STATUSES",
    "Exposure",
    "Rematch",
    "Rotation",
    "Round",
    "Shortfall",
    "rematch",
    "rotate",
]
