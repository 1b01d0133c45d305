"""OR-tools CP-SAT and HiGHS (``scipy.optimize.milp``) on a :class:`GoalModel`.

CP-SAT needs integer objective coefficients. The objective is scaled by ``S`` and rounded:
``S`` makes every value an integer when the values are multiples of a small fraction (scores
like 1/3 or whole costs: no rounding at all, so the LP bound CP-SAT proves is exact), else
it is as large as the coefficient budgets allow. A bound from CP-SAT is turned back into a
bound on the true values by adding the largest rounding error per pair times the most pairs
(as for the flow backend).

Under ``max_matched`` the coverage bonus is never put into CP-SAT's objective (a bonus of
``(k+1)·span`` per pair leaves the scores in the low bits of huge coefficients, where CP-SAT's
LP cannot close its bound): the most pairs is fixed first, then the scores alone are maximised
(:func:`solve`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from ortools.sat.python import cp_model

from .model import GoalModel, MipResult, by_participant

_COEF_BUDGET = float(1 << 36)  # largest scaled weight
_SUM_BUDGET = float(1 << 60)  # largest sum of |scaled weights| over all pairs
_DENOMINATOR = 1 << 16  # largest denominator of one value for an exact scale
#: a one-worker run stops at ``time_limit`` deterministic units; this many times the limit
#: (wall clock) is a backstop for a slow machine, and a run stopped by it is not reproducible
_WALL_BACKSTOP = 10.0


def _scale(w: np.ndarray) -> float:
    """The objective scale: exact (every ``S·w`` an integer) when the values allow it within
    the budgets, else the largest the budgets allow."""
    top = float(np.abs(w).max()) if len(w) else 1.0
    total = float(np.abs(w).sum()) if len(w) else 1.0
    most = min(_COEF_BUDGET / max(top, 1e-12), _SUM_BUDGET / max(total, 1e-12))
    exact = _exact_scale(w, most)
    return most if exact is None else exact


def _exact_scale(w: np.ndarray, most: float) -> float | None:
    """The least common denominator of the values (a few dozen sampled, then every value
    checked), if it is at most ``most``; ``None`` when the values are not such multiples."""
    values = np.unique(np.abs(w))
    if len(values) == 0:
        return 1.0
    den = 1
    for v in values[:: max(1, len(values) // 32)].tolist():
        f = Fraction(v).limit_denominator(_DENOMINATOR)
        if abs(float(f) - v) > 1e-12 * max(1.0, v):
            return None
        den = math.lcm(den, f.denominator)
        if den > most:
            return None
    y = values * den
    return float(den) if bool(np.all(np.abs(y - np.rint(y)) <= 1e-9 * np.maximum(1.0, y))) else None


def build(
    model: GoalModel,
    *,
    goal_literals: bool = False,
    objective: str = "weights",
    pairs: tuple[int | None, int | None] = (None, None),
):
    """The CP-SAT model; returns (cp model, x vars, goal literals or None, scaled objective
    coefficients, S). ``objective``: ``"weights"`` (score + coverage bonus), ``"scores"`` or
    ``"count"`` (the number of pairs, ``S = 1``); ``pairs``: bounds on the number of pairs."""
    cp = cp_model.CpModel()
    n = model.n_edges
    x = [cp.new_bool_var("") for _ in range(n)]
    # capacities: at most cap partners each (only where a participant has more edges)
    for side, cap in ((model.mi, model.m_cap), (model.ei, model.e_cap)):
        order, bounds = by_participant(side, len(cap))
        for p in np.flatnonzero(np.diff(bounds) > cap):
            cp.add(sum(x[e] for e in order[bounds[p] : bounds[p + 1]].tolist()) <= int(cap[p]))
    # indicators: y = OR(x over the set)
    y = []
    for s in model.indicators:
        v = cp.new_bool_var("")
        if len(s):
            cp.add_max_equality(v, [x[e] for e in s.tolist()])
        else:
            cp.add(v == 0)
        y.append(v)
    lits = [cp.new_bool_var("") for _ in model.goal_names] if goal_literals else None
    # the number of pairs, for share rows and the bounds on it
    n_pairs = None
    if any(r.total for r in model.rows) or pairs != (None, None):
        n_pairs = cp.new_int_var(0, n, "pairs")
        cp.add(n_pairs == sum(x))
        if pairs[0] is not None:
            cp.add(n_pairs >= int(pairs[0]))
        if pairs[1] is not None:
            cp.add(n_pairs <= int(pairs[1]))
    # goal rows: lo ≤ Σ a·x + Σ c·y + t·pairs ≤ hi (enforced by the goal's literal if asked)
    for r in model.rows:
        extra = [n_pairs] if r.total else []
        expr = cp_model.LinearExpr.weighted_sum(
            [x[e] for e in r.x_idx.tolist()] + [y[k] for k in r.y_idx.tolist()] + extra,
            [int(a) for a in r.x_val.tolist()]
            + [int(c) for c in r.y_val.tolist()]
            + ([int(r.total)] if r.total else []),
        )
        for ct in ([cp.add(expr >= r.lo)] if r.lo is not None else []) + (
            [cp.add(expr <= r.hi)] if r.hi is not None else []
        ):
            if lits is not None:
                ct.only_enforce_if(lits[r.goal])
    # objective: integer coefficients, scale checked against the budgets
    if objective == "count":
        scale, scaled = 1.0, np.ones(n, dtype=np.int64)
    else:
        values = model.weights if objective == "weights" else model.scores
        scale = _scale(values)
        scaled = np.rint(values * scale).astype(np.int64)
    cp.maximize(cp_model.LinearExpr.weighted_sum(x, scaled.tolist()))
    return cp, x, lits, scaled, scale


def _solver(
    time_limit: float, seed: int, workers: int, wall: float | None = None
) -> cp_model.CpSolver:
    """A CP-SAT solver with ``random_seed = seed``. One worker: the limit is in CP-SAT's
    deterministic time (roughly seconds; the same run stops at the same point on any
    machine), with a wall-clock backstop of :data:`_WALL_BACKSTOP` × the limit, and at most
    ``wall`` seconds when given (what is left before the caller's deadline). More workers:
    wall-clock seconds (at most ``wall``)."""
    solver = cp_model.CpSolver()
    limit = max(float(time_limit), 0.01)
    cap = np.inf if wall is None else max(float(wall), 0.01)
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = int(workers)
    if int(workers) == 1:
        solver.parameters.max_deterministic_time = limit
        solver.parameters.max_time_in_seconds = min(_WALL_BACKSTOP * limit, cap)
    else:
        solver.parameters.max_time_in_seconds = min(limit, cap)
    return solver


def solve(
    model: GoalModel,
    *,
    time_limit: float,
    seed: int,
    workers: int = 1,
    gap: float = 0.0,
    deadline: float | None = None,
) -> MipResult:
    """Maximise the model's weight with CP-SAT; ``gap``: relative gap on the scores to stop
    at. The bound in the result is on the weight (score + coverage bonus).

    ``max_score``: one solve of the scores. ``max_matched``: first the scores with the number
    of pairs fixed at the most the capacities allow (goals only lower it, so an answer proves
    it the most); if that is infeasible, the most pairs under the goals (a second solve, with
    fewer pairs), then the scores with that many. Each solve gets what is left of the limit.

    With ``workers=1`` the limit is CP-SAT's deterministic time (see :func:`_solver`): the
    same model and seed give the same answer whatever the machine's load, unless the
    wall-clock backstop stops a run first (``deadline``, a ``time.perf_counter()`` time,
    when given; the result's ``timed_out`` says so). What stays nondeterministic: that
    backstop, and a caller that derives ``time_limit`` from the wall clock (a limit
    differing by a hair may stop the search a step earlier or later). More workers run in
    parallel and are not reproducible.
    """
    start = time.perf_counter()
    clock = _Clock(time_limit, workers, deadline)
    if not model.bonus:
        res = _solve_once(model, clock, seed, workers, gap, "weights", (None, None))
        return clock.finish(res, start)
    most = min(model.k_max, model.most_pairs)
    res = _solve_once(model, clock, seed, workers, gap, "scores", (most, most))
    if res.status != "INFEASIBLE":
        return clock.finish(_with_bonus(model, res, most), start)
    if most == 0:  # no pair at all, and the goals need one
        return clock.finish(res, start)
    # goals keep the most pairs out of reach: the most they allow, then the scores with it
    count = _solve_once(model, clock, seed, workers, 0.0, "count", (None, most - 1))
    if count.x is None or count.status != "OPTIMAL":
        # no answer, infeasible, or the most pairs not proven: no finite bound on the weight
        bound = count.bound if count.x is None else np.inf
        value = -np.inf if count.x is None else float(model.weights[count.x].sum())
        return clock.finish(MipResult(count.x, value, bound, count.status, 0.0), start)
    k = int(count.x.sum())
    res = _solve_once(model, clock, seed, workers, gap, "scores", (k, k), hint=count.x)
    if res.x is None:  # out of time after the count: keep its answer, bound unproven
        res = MipResult(count.x, float(model.weights[count.x].sum()), np.inf, res.status, 0.0)
        return clock.finish(res, start)
    return clock.finish(_with_bonus(model, res, k), start)


class _Clock:
    """What is left of one time limit over several solves: deterministic time for one worker
    (CP-SAT reports what each solve spent), wall-clock seconds for more."""

    def __init__(self, time_limit: float, workers: int, deadline: float | None = None) -> None:
        self.limit = max(float(time_limit), 0.01)
        self.deterministic = int(workers) == 1
        self.deadline = time.perf_counter() + self.limit
        self.wall_deadline = deadline  # the caller's (a safety stop), if any
        self.spent = 0.0  # deterministic time so far
        self.timed_out = False

    def left(self) -> float:
        if self.deterministic:
            return max(self.limit - self.spent, 0.01)
        return max(self.deadline - time.perf_counter(), 0.01)

    def wall(self) -> float | None:
        """Wall-clock seconds left before the caller's deadline (``None``: no deadline)."""
        if self.wall_deadline is None:
            return None
        return self.wall_deadline - time.perf_counter()

    def charge(self, solver: cp_model.CpSolver, status: int) -> None:
        self.spent += float(solver.response_proto.deterministic_time)
        if status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            # stopped by a limit: the wall clock's, if it ran that long
            cap = solver.parameters.max_time_in_seconds
            self.timed_out |= float(solver.wall_time) >= 0.97 * cap

    def finish(self, res: MipResult, start: float) -> MipResult:
        res.wall_time = time.perf_counter() - start
        res.deterministic_time = self.spent
        res.timed_out = self.timed_out
        return res


def _solve_once(model, clock, seed, workers, gap, objective, pairs, hint=None) -> MipResult:
    """One CP-SAT solve; the bound is on the chosen objective (``"weights"``, ``"scores"``
    or ``"count"``) over the answers with ``pairs`` pairs."""
    cp, x, _, scaled, scale = build(model, objective=objective, pairs=pairs)
    if hint is not None:
        for v, on in zip(x, hint.tolist(), strict=True):
            cp.add_hint(v, bool(on))
    solver = _solver(clock.left(), seed, workers, clock.wall())
    if gap > 0:
        solver.parameters.relative_gap_limit = float(gap)
    status = solver.solve(cp)
    clock.charge(solver, status)
    name = solver.status_name(status)
    values = {"weights": model.weights, "scores": model.scores}.get(objective)
    # the objective's true values exceed the scaled ones by at most err per pair
    err = 0.0 if values is None else max(float((values - scaled / scale).max(initial=0.0)), 0.0)
    slack = model.k_max * err
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        xs = np.array([solver.boolean_value(v) for v in x], dtype=bool)
        bound = solver.best_objective_bound / scale + slack
        return MipResult(xs, float(model.weights[xs].sum()), bound, name, 0.0)
    bound = -np.inf if status == cp_model.INFEASIBLE else np.inf
    return MipResult(None, -np.inf, bound, name, 0.0)


def _with_bonus(model: GoalModel, res: MipResult, count: int) -> MipResult:
    """A scores solve with ``count`` pairs (proven the most): its bound on the weight."""
    if res.x is not None:
        res.bound = res.bound + model.bonus * count
    return res


@dataclass
class GoalCore:
    """What CP-SAT proved about the goals holding together (:func:`goal_core`).

    ``status``: ``"feasible"`` (an assignment meets every goal), ``"infeasible"`` (``goals``
    cannot all hold: proven) or ``"unknown"`` (not proven either way within the time limit).
    ``minimal``: every goal in ``goals`` was proven needed (dropping any one lets the rest
    hold); ``False`` when the time ran out while shrinking."""

    status: str
    goals: list[int]
    minimal: bool = False


def goal_core(model: GoalModel, *, time_limit: float, seed: int, shrink: bool = True) -> GoalCore:
    """Whether the goals can hold together and, when they cannot, a small set of them that
    cannot (indices into ``model.goal_names``): CP-SAT assumptions, shrunk by deletion
    (``shrink=False``: only the first answer). Every solve shares the one ``time_limit``; a
    solve that runs out of time proves nothing, so its goal stays in the set."""
    deadline = time.perf_counter() + max(float(time_limit), 0.0)
    cp, _, lits, _, _ = build(model, goal_literals=True)
    cp.clear_objective()

    def run(goals: list[int]) -> tuple[str, list[int]]:
        left = deadline - time.perf_counter()
        if left <= 0:
            return "unknown", []
        cp.clear_assumptions()
        cp.add_assumptions([lits[g] for g in goals])
        solver = _solver(left, seed, 1)
        status = solver.solve(cp)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return "feasible", []
        if status != cp_model.INFEASIBLE:
            return "unknown", []
        core = solver.sufficient_assumptions_for_infeasibility()
        index = {lits[g].Index(): g for g in goals}
        return "infeasible", sorted(index[i] for i in core if i in index) or goals

    status, core = run(list(range(len(model.goal_names))))
    if status != "infeasible":
        return GoalCore(status, [])
    if not shrink:
        return GoalCore(status, core)
    minimal = True
    for g in list(core):
        if g not in core:  # dropped with an earlier, smaller core
            continue
        trial = [h for h in core if h != g]
        if not trial:  # no goal at all: the empty assignment meets the capacities
            continue
        found, smaller = run(trial)
        if found == "infeasible":
            core = smaller
        elif found == "unknown":
            minimal = False
    return GoalCore("infeasible", core, minimal)
