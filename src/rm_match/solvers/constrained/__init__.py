"""Goal-constrained assignment over a :class:`~.model.GoalModel` (arrays only).

=================  ===============================================================================
module             holds
=================  ===============================================================================
:mod:`.model`      the integer model every method reads: edges, capacities, indicators, goal rows
:mod:`.pipeline`   the methods behind one call (:func:`~.pipeline.solve_model`), the ``lp``
                   pipeline (column generation, rounding, reduced-cost fixing, HiGHS)
:mod:`.lp`         LP column generation with the Lagrangian bound priced over every pair
:mod:`.lagrangian` Kelley cutting planes with the exact assignment inside; gap closing
:mod:`.cpsat`      OR-tools CP-SAT on the model; unsatisfiable cores
:mod:`.highs`      HiGHS through :func:`scipy.optimize.milp`
:mod:`.fair`       :class:`~rm_match.goals.MinPairScore`: the threshold search
:mod:`.diagnose`   which goals of an infeasible model conflict, within the time limit
=================  ===============================================================================

Only :mod:`.model` is imported with the package: OR-tools loads when a method first runs.
"""

from __future__ import annotations

from .model import GoalModel, MipResult, Row, build_model, by_participant, score_bound

__all__ = ["GoalModel", "MipResult", "Row", "build_model", "by_participant", "score_bound"]
