"""Which goals of an infeasible model conflict: counting first, then CP-SAT's assumptions
shrunk by deletion, within the caller's time limit; a goal is named only when proven."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from .._problem import ArrayProblem
from . import cpsat
from .model import GoalModel

__all__ = ["diagnose"]


def diagnose(
    model: GoalModel,
    *,
    time_limit: float,
    seed: int,
    explain: Callable[[int], str | None] | None = None,
) -> tuple[list[int], str]:
    """A small set of goals that cannot hold together, and a message saying why.

    Cheap counting first (``explain(goal index)``: the goal's own count; a row whose largest
    possible value, or the largest count any assignment can reach, falls short), then CP-SAT
    assumptions shrunk by deletion; everything within ``time_limit`` seconds. A goal is named
    only when it is proven part of the conflict; when that is not proven in time, every goal
    is returned and the message says so."""
    from ..solve import solve  # late import: solve imports the goal machinery

    deadline = time.perf_counter() + max(float(time_limit), 0.0)
    for g in range(len(model.goal_names)) if explain else ():
        assert explain is not None  # the loop runs only with one
        why = explain(g)
        if why:
            return [g], why
    for r in model.rows:
        if r.lo is None:
            continue
        most = float(np.maximum(r.x_val, 0).sum() + np.maximum(r.y_val, 0).sum())
        what = f" ({r.label})" if r.label else ""
        name = model.goal_names[r.goal]
        if len(r.x_idx) == 0 and len(r.y_idx) == 0 and most < r.lo:
            return [r.goal], f"{name}{what}: no pair can count towards it"
        if time.perf_counter() < deadline and (
            len(r.y_idx) == 0 and (r.x_val > 0).all() and len(r.x_idx) > 1
        ):
            # the most any assignment reaches: one assignment over the row's pairs (tighter
            # than the sum, which ignores capacities)
            w = np.zeros((model.n_m, model.n_e))
            w[model.mi[r.x_idx], model.ei[r.x_idx]] = r.x_val
            plain = ArrayProblem(
                w, w > 0, model.m_cap, model.e_cap, "max_score", None, np.random.default_rng(0)
            )
            most = min(most, solve(plain).objective)
        if most < r.lo - 1e-9:
            return [r.goal], f"{name}{what}: needs {r.lo} but at most {_count(most)} are possible"
    core = cpsat.goal_core(model, time_limit=deadline - time.perf_counter(), seed=seed)
    if core.status == "infeasible":
        names = " + ".join(model.goal_names[g] for g in core.goals)
        if core.minimal:
            return core.goals, f"goals {names} cannot all hold"
        return core.goals, (
            f"goals {names} cannot all hold (not proven that each takes part: time limit)"
        )
    every = list(range(len(model.goal_names)))
    names = " + ".join(model.goal_names)
    why = "time limit" if core.status == "unknown" else "CP-SAT found them satisfiable"
    return every, f"goals {names} cannot all hold (not proven which goals take part: {why})"


def _count(x: float) -> str:
    """A reachable total as shown: whole counts as integers, weighted totals to 6 digits."""
    return str(round(x)) if abs(x - round(x)) < 1e-9 else f"{x:.6g}"
