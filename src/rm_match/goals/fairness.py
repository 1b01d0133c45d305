"""Fairness as a term of the objective: :class:`MinPairScore`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .._checks import check_real
from ..solvers.constrained.model import Row
from .base import Goal, GoalCheck, GoalContext, _goal_check

__all__ = ["MinPairScore"]


@dataclass(frozen=True)
class MinPairScore(Goal):
    """Fairness: maximise ``total score + weight × (lowest pair score)``.

    ``weight=None`` puts the lowest pair score first (max-min), then the total. Solved exactly
    by a search over score thresholds (each threshold a goal-constrained solve), with a proven
    bound on every threshold interval not searched. The lowest score counts the required
    pairs. The result's ``objective`` is ``total + weight × lowest`` with a weight and the
    total with ``None`` (its ``bound`` on the total among answers with the highest lowest
    score, ``inf`` while that is not proven); the goal report gives the lowest pair score.

    Examples
    --------
    >>> MinPairScore(weight=10.0).name
    'min_pair_score'
    """

    weight: float | None = None
    kind: ClassVar[str] = "min_pair_score"
    objective_term: ClassVar[bool] = True

    def validate(self) -> None:
        if self.weight is not None:
            check_real(
                self.weight,
                "MinPairScore.weight",
                low=0,
                what="a finite number ≥ 0 or None (max-min)",
            )

    def compile(self, ctx: GoalContext, index: int) -> list[Row]:
        return []

    def check(
        self,
        ctx: GoalContext,
        mi: np.ndarray,
        ei: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> GoalCheck:
        """The lowest of ``scores`` (the chosen pairs' scores, fixed ones included): an
        objective term, always met. Suppressed on fewer than 5 pairs, like the mean score
        of :class:`~rm_match.Report` (on one pair the lowest score is the mean)."""
        required = (
            "lowest pair score first (max-min), then the total"
            if self.weight is None
            else f"objective: total + {self.weight:g} × lowest pair score"
        )
        scores = np.asarray([] if scores is None else scores, dtype=float)
        achieved = f"lowest pair score {scores.min():.6g}" if len(scores) else "no pairs"
        value = float(scores.min()) if len(scores) else None
        return _goal_check(self.name, required, achieved, True, value=value, over=len(scores))
