"""The registry's ``stable`` backend: stable matchings under both sides' preferences.

:func:`rm_match.stable_match` chooses it (``Needs(stable=True)``) and calls
:meth:`StableBackend.solve_stable` with the two sides' preference matrices; over a plain
:class:`~rm_match.solvers._problem.ArrayProblem` (one score matrix) both sides prefer by that
score, whose stable matching is unique (the greedy one, best pair first).
"""

from __future__ import annotations

import numpy as np

from ._problem import ArrayProblem
from .registry import Needs, Solution

__all__ = ["StableBackend", "backend"]


class StableBackend:
    """Deferred acceptance and the best stable matching (:mod:`rm_match.solvers.stable`)."""

    name = "stable"

    def unsupported(self, needs: Needs) -> str | None:
        return None

    def declines(self, needs: Needs) -> str | None:
        return None

    def solve(self, problem: ArrayProblem) -> Solution:
        """The stable matching when both sides prefer by ``problem.scores`` (no bound: a
        stable matching is not an optimum)."""
        from .stable import deferred_acceptance

        pairs = deferred_acceptance(
            problem.scores,
            problem.scores,
            problem.feasible,
            mentor_capacity=problem.mentor_capacity,
            mentee_capacity=problem.mentee_capacity,
        )
        return Solution(pairs, float("inf"), "stable under shared scores")

    def solve_stable(
        self,
        mentor_pref: np.ndarray,
        mentee_pref: np.ndarray,
        acceptable: np.ndarray,
        *,
        mentor_capacity: np.ndarray,
        mentee_capacity: np.ndarray,
        proposer: str = "mentees",
        objective: str | None = None,
        weights: np.ndarray | None = None,
    ) -> tuple[np.ndarray, int | None]:
        """The proposer-optimal stable matching (``objective=None``) or the best one by
        ``objective``; returns the pairs and, for the latter, the number of rotations."""
        from .stable import deferred_acceptance

        caps = {"mentor_capacity": mentor_capacity, "mentee_capacity": mentee_capacity}
        if objective is None:
            pairs = deferred_acceptance(
                mentor_pref, mentee_pref, acceptable, proposer=proposer, **caps
            )
            return pairs, None
        from .stable import optimal_stable

        res = optimal_stable(
            mentor_pref, mentee_pref, acceptable, weights=weights, objective=objective, **caps
        )
        return res.pairs, int(res.n_rotations)


backend = StableBackend()
