"""Goal-constrained assignment: the pipeline behind ``assign(..., goals=...)``.

``method="auto"`` (and ``"lagrangian"``):

1. **Lagrangian** (:mod:`.lagrangian`): a proven upper bound ``L`` and, from the inner
   solutions or after repair, a goal-feasible answer.
2. **Reduced-cost fixing**: pairs that cannot be in any answer better than the one in hand
   are dropped (typically most of them).
3. **CP-SAT** (:mod:`.cpsat`) on what is left, with the answer in hand as a hint, within the
   remaining time; its bound on the reduced model, the answer in hand and ``L`` together give
   the reported bound. ``"lagrangian"`` stops before this step.

``"cpsat"`` runs CP-SAT on the whole model without hint or bound, ``"milp"`` HiGHS through
:func:`scipy.optimize.milp`: both are there for comparison and as oracles.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import SolverError
from ..matching import OPTIMALITY_TOL, relative_gap
from . import cpsat
from .goal_model import GoalModel, Row, score_bound
from .lagrangian import dual, potentials

GOAL_METHODS = ("auto", "lagrangian", "cpsat", "milp")

#: Default time limit (seconds) for goal-constrained problems.
DEFAULT_TIME_LIMIT = 60.0


@dataclass
class GoalOutcome:
    """What a goal-constrained solve returns (edge mask, quality, account)."""

    x: np.ndarray | None
    objective: float
    bound: float
    status: str  # "optimal", "feasible" or "infeasible"
    message: str
    stats: dict[str, Any] = field(default_factory=dict)


class Unsolved(Exception):
    """No feasible answer: proven (``proven=True``) or not found in time."""

    def __init__(self, proven: bool, message: str) -> None:
        super().__init__(message)
        self.proven = proven


def solve_model(
    model: GoalModel,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    workers: int = 1,
) -> GoalOutcome:
    """Solve ``model``; raises :class:`Unsolved` when no feasible answer is known."""
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    start = time.perf_counter()
    deadline = start + limit
    stats: dict[str, Any] = {"method": method, "edges": model.n_edges}
    if method in ("cpsat", "milp"):
        run = cpsat.solve_milp if method == "milp" else cpsat.solve
        kwargs = {} if method == "milp" else {"seed": seed, "workers": workers}
        res = run(model, time_limit=limit, **kwargs)
        stats["solver_status"] = res.status
        if res.x is None:
            raise Unsolved(res.bound == -np.inf, f"{method}: {res.status}")
        return _outcome(model, res.x, res.bound, f"{method}: {res.status}", stats, start)

    lag_deadline = start + (limit if method == "lagrangian" else 0.4 * limit)
    d = dual(model, lag_deadline)
    stats.update(lagrangian_iterations=d.iterations, lagrangian_bound=d.bound, repaired=d.repaired)
    stats["lagrangian_time"] = time.perf_counter() - start
    bound, x, value = d.bound, d.incumbent, d.incumbent_value
    tol = OPTIMALITY_TOL * max(1.0, abs(bound))
    if method == "lagrangian" or (x is not None and bound - value <= tol):
        if x is None:
            raise Unsolved(False, "lagrangian: no feasible answer found (repair failed)")
        return _outcome(model, x, bound, "lagrangian relaxation", stats, start)

    rc, dval = potentials(model, d.lam)
    bound = min(bound, dval)
    if x is None or (not x.any() and model.k_max):
        # Core heuristic: CP-SAT on the pairs with the best reduced costs (a few per
        # participant) and the best inner solution, for a good answer in hand.
        core = _core_edges(model, rc, _CORE_K)
        if d.hint is not None:
            core |= d.hint
        budget = max(0.25 * (deadline - time.perf_counter()), 0.05)
        res = cpsat.solve(
            model.with_edges(core),
            time_limit=budget,
            seed=seed,
            workers=workers,
            hint=None if d.hint is None else d.hint[core],
        )
        stats["core_edges"], stats["core_status"] = int(core.sum()), res.status
        if res.x is not None and res.value > value:
            x = np.zeros(model.n_edges, dtype=bool)
            x[np.flatnonzero(core)[res.x]] = True
            value = res.value
    keep = np.ones(model.n_edges, dtype=bool)
    if x is not None:
        keep = dval + np.minimum(rc, 0.0) >= value - tol
        keep |= x
    if d.hint is not None:
        keep |= d.hint
    stats["kept_edges"] = int(keep.sum())
    reduced = model.with_edges(keep)
    hint = x if x is not None else d.hint
    remaining = max(deadline - time.perf_counter(), 0.05)
    proven_count = None
    if x is not None and model.bonus and np.isfinite(score_bound(model, int(x.sum()), bound)):
        proven_count = int(x.sum())
    res = cpsat.solve(
        reduced,
        time_limit=remaining,
        seed=seed,
        workers=workers,
        hint=None if hint is None else hint[keep],
        min_pairs=proven_count,
    )
    stats["solver_status"] = res.status
    stats["cpsat_time"] = res.wall_time
    if res.x is not None and res.value > value:
        x = np.zeros(model.n_edges, dtype=bool)
        x[np.flatnonzero(keep)[res.x]] = True
        value = res.value
    if x is None:
        # nothing dropped without an answer in hand: CP-SAT saw the whole model
        raise Unsolved(res.status == "INFEASIBLE", f"cp-sat: {res.status}")
    bound = min(bound, max(res.bound, value))
    message = f"lagrangian + reduced-cost fixing + cp-sat: {res.status}"
    return _outcome(model, x, bound, message, stats, start)


_CORE_K = 6  # pairs per participant in the core heuristic


def _core_edges(model: GoalModel, rc: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` pairs of best reduced cost of every mentor and of every mentee."""
    keep = np.zeros(model.n_edges, dtype=bool)
    for side in (model.mi, model.ei):
        order = np.lexsort((-rc, side))
        start = np.searchsorted(side[order], side[order], side="left")
        rank = np.arange(len(order)) - start
        keep[order[rank < k]] = True
    return keep


def _outcome(model, x, value_bound, message, stats, start) -> GoalOutcome:
    objective = float(model.scores[x].sum())
    bound = score_bound(model, int(x.sum()), value_bound)
    bound = max(bound, objective)  # float noise never reports a bound below the answer
    gap = relative_gap(objective, bound)
    stats["time"] = time.perf_counter() - start
    if model.violated_goals(x) or not model.capacity_ok(x):  # pragma: no cover - a bug guard
        raise SolverError(f"internal: {message} returned an answer that breaks the goals.")
    status = "optimal" if gap <= OPTIMALITY_TOL else "feasible"
    return GoalOutcome(x, objective, bound, status, message, stats)


# -- fairness: total + weight × lowest pair score ---------------------------------------------


def solve_fair(
    model: GoalModel,
    weight: float | None,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    workers: int = 1,
) -> GoalOutcome:
    """Maximise ``Σ score + W·min score`` (``W = weight``; ``None``: the minimum first) over
    the goal-constrained assignments, by a search over score thresholds ``τ``.

    With ``f(τ)`` the best total using only pairs scoring ≥ ``τ``, the optimum is
    ``max_τ f(τ) + W·τ``; ``f`` never increases, so on levels ``[τ_a, τ_b]`` it is at most
    ``UB(τ_a) + W·τ_b``. Intervals are split (at the current answer's minimum, and by
    bisection) until no interval's bound beats the best answer. Under ``max_matched`` the
    number of pairs is fixed first (it must be proven the most possible).
    """
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    start = time.perf_counter()
    deadline = start + limit
    kw = {"method": method, "seed": seed, "workers": workers}
    first = solve_model(model, time_limit=limit / 3, **kw)
    stats: dict[str, Any] = {"threshold_solves": 1}
    s = model.scores
    count = int(first.x.sum())
    if model.bonus:
        if not np.isfinite(first.bound):
            first.message += "; most pairs not proven, min pair score not optimised"
            return first
        every = np.arange(model.n_edges)
        row = _count_row(len(model.goal_names), every, count)
        model = replace(model.with_rows((row,), ("pair_count",)), bonus=0.0, policy="max_score")
    w_eff = (model.k_max + 1) * float(np.ptp(s)) + 1.0 if weight is None else float(weight)
    levels = np.unique(s)

    def value(x):
        return float(s[x].sum()) + (w_eff * float(s[x].min()) if x.any() else 0.0)

    best_x, best = first.x, value(first.x)

    def level_of(x, a):
        return int(np.searchsorted(levels, s[x].min(), side="right") - 1) if x.any() else a

    # intervals: (a, b, ub_a, evaluated_at_a)
    j0 = level_of(first.x, 0)
    todo = [(0, j0, first.bound, True)]
    if j0 + 1 < len(levels):
        todo.append((j0 + 1, len(levels) - 1, first.bound, False))
    done_bound = -np.inf
    while todo:
        todo.sort(key=lambda t: t[2] + w_eff * levels[t[1]])
        a, b, ub, evaluated = todo.pop()
        top = ub + w_eff * levels[b]
        if top <= best + OPTIMALITY_TOL * max(1.0, abs(best)):
            done_bound = max(done_bound, top)
            break
        if evaluated or time.perf_counter() > deadline:
            done_bound = max(done_bound, top)
            continue
        m = a if b - a < 2 else (a + b + 1) // 2
        remaining = max(deadline - time.perf_counter(), 0.05)
        sub_keep = s >= levels[m]
        try:
            out = solve_model(model.with_edges(sub_keep), time_limit=remaining / 2, **kw)
        except Unsolved as exc:
            stats["threshold_solves"] += 1
            if m > a:
                todo.append((a, m - 1, ub, False))
            if not exc.proven:  # unknown beyond τ_m: keep its bound, stop refining it
                todo.append((m, b, ub, True))
            continue
        stats["threshold_solves"] += 1
        x = np.zeros(model.n_edges, dtype=bool)
        x[np.flatnonzero(sub_keep)[out.x]] = True
        if value(x) > best:
            best, best_x = value(x), x
        j = max(level_of(x, m), m)
        if m > a:
            todo.append((a, m - 1, ub, False))
        todo.append((m, min(j, b), min(ub, out.bound), True))
        if j + 1 <= b:
            todo.append((j + 1, b, min(ub, out.bound), False))
    bound = max([done_bound, best] + [t[2] + w_eff * levels[t[1]] for t in todo])
    stats.update(
        first.stats,
        threshold_solves=stats["threshold_solves"],
        fair_weight=w_eff,
        fair_value=best,
        fair_bound=bound,
    )
    objective = best
    stats["time"] = time.perf_counter() - start
    gap = relative_gap(objective, bound)
    status = "optimal" if gap <= OPTIMALITY_TOL else "feasible"
    msg = f"threshold search over min pair score ({stats['threshold_solves']} solves)"
    return GoalOutcome(best_x, objective, bound, status, msg, stats)


def _count_row(goal: int, edges: np.ndarray, at_least: int) -> Row:
    return Row(
        goal,
        edges,
        np.ones(len(edges), dtype=np.int64),
        np.empty(0, dtype=np.int64),
        np.empty(0, dtype=np.int64),
        int(at_least),
        None,
        "pairs",
    )


# -- infeasibility diagnosis -------------------------------------------------------------------


def diagnose(
    model: GoalModel, *, time_limit: float, seed: int, explain=None
) -> tuple[list[int], str]:
    """A small set of goals that cannot hold together, and a message saying why.

    Cheap counting first (``explain(goal index)``: the goal's own count; a row whose largest
    possible value, or the largest count any assignment can reach, falls short), then CP-SAT
    assumptions shrunk by deletion."""
    from . import assign

    for g in range(len(model.goal_names)) if explain else ():
        why = explain(g)
        if why:
            return [g], why
    for r in model.rows:
        if r.lo is None:
            continue
        most = float(np.maximum(r.x_val, 0).sum() + np.maximum(r.y_val, 0).sum())
        what = f" ({r.label})" if r.label else ""
        name = model.goal_names[r.goal]
        if most < r.lo:
            if len(r.x_idx) == 0 and len(r.y_idx) == 0:
                return [r.goal], f"{name}{what}: no pair can count towards it"
            return [r.goal], f"{name}{what}: needs {r.lo} but at most {int(most)} are possible"
        if len(r.y_idx) == 0 and (r.x_val > 0).all() and len(r.x_idx) > 1:
            w = np.zeros((model.n_m, model.n_e))
            w[model.mi[r.x_idx], model.ei[r.x_idx]] = r.x_val
            best = assign(
                w,
                w > 0,
                mentor_capacity=model.m_cap,
                mentee_capacity=model.e_cap,
                policy="max_score",
            ).objective
            if best < r.lo - 1e-9:
                return [r.goal], (
                    f"{name}{what}: needs {r.lo} but at most {round(best)} are possible"
                )
    core = cpsat.goal_core(model, time_limit=time_limit, seed=seed)
    if core is None:
        return [], ""
    names = " + ".join(model.goal_names[g] for g in core)
    return core, f"goals {names} cannot all hold"
