"""Goal-constrained assignment: the pipeline behind ``assign(..., goals=...)``.

``method="lp"`` (what ``"auto"`` takes for goals):

1. **LP column generation** (:mod:`.lp`): the LP relaxation on a core of pairs, priced over
   every pair; its multipliers give the Lagrangian bound for the whole problem, evaluated
   exactly by one assignment (:func:`.lagrangian.value_at`) up to :data:`_INNER_EDGES` pairs.
2. **Rounding**: the LP's ones fixed, HiGHS completes the rest on the core.
3. **Reduced-cost fixing**: pairs that cannot be in any answer better than the one in hand
   are dropped; HiGHS searches what is left exactly when it is small
   (:data:`_EXACT_EDGES`), else a large-neighbourhood search improves the answer.

``"lagrangian"``: Kelley cutting planes with the exact assignment inside (:mod:`.lagrangian`)
and repair. ``"cpsat"`` runs CP-SAT on the whole model without hint or bound, ``"milp"``
HiGHS through :func:`scipy.optimize.milp` (:mod:`.highs`): both are there for comparison
and as oracles. Each method is a backend of the registry (:class:`GoalMethod`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ...errors import SolverError
from ...results import OPTIMALITY_TOL, relative_gap
from .._problem import ArrayProblem, capacities_on_both_sides
from ..registry import Needs, Solution
from . import cpsat, highs, lp
from .lagrangian import ExactLagrangian, close_gap, dual, value_at
from .model import GoalModel, build_model, score_bound

GOAL_METHODS = ("lp", "lagrangian", "cpsat", "milp")

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
    method: str = "lp",
    time_limit: float | None = None,
    seed: int = 0,
    workers: int = 1,
    gap_limit: float = 0.0,
) -> GoalOutcome:
    """Solve ``model``; raises :class:`Unsolved` when no feasible answer is known.
    ``gap_limit``: stop once the relative gap is proven at most this."""
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    start = time.perf_counter()
    deadline = start + limit
    stats: dict[str, Any] = {"method": method, "edges": model.n_edges}
    if method in ("cpsat", "milp"):
        if method == "milp":
            gap = max(_weight_gap(model, gap_limit), 1e-9)
            res = highs.solve_milp(model, time_limit=limit, gap=gap)
        else:
            # CP-SAT maximises the scores with the number of pairs fixed: the gap is theirs
            res = cpsat.solve(model, time_limit=limit, seed=seed, workers=workers, gap=gap_limit)
            stats["deterministic_time"] = res.deterministic_time
        stats["solver_status"] = res.status
        if res.x is None:
            raise Unsolved(res.bound == -np.inf, f"{method}: {res.status}")
        return _outcome(model, res.x, res.bound, f"{method}: {res.status}", stats, start)
    if method == "lagrangian":
        # the dual gets half the time at most (it usually converges well before); what is
        # left closes the gap: reduced-cost fixing at its multipliers, then HiGHS or a search
        d = dual(model, start + 0.5 * limit, gap_limit=gap_limit)
        stats.update(lagrangian_iterations=d.iterations, lagrangian_bound=d.bound)
        stats["repaired"] = d.repaired
        stats["dual_time"] = time.perf_counter() - start
        x, bound, steps, more = close_gap(
            model,
            d,
            deadline,
            rng=np.random.default_rng(seed),
            gap_limit=gap_limit,
            exact_edges=_EXACT_EDGES,
        )
        stats.update(more)
        if x is None:
            if bound == -np.inf:
                raise Unsolved(True, "lagrangian: no assignment meets the goals (HiGHS)")
            raise Unsolved(False, "lagrangian: no feasible answer found (repair failed)")
        return _outcome(model, x, bound, "lagrangian relaxation" + steps, stats, start)
    return _auto(model, start, deadline, stats, seed, gap_limit)


def _weight_gap(model: GoalModel, gap_limit: float) -> float:
    """A relative gap on the weights (score + coverage bonus) no looser than ``gap_limit``
    on the scores (for solvers that see only the weights)."""
    if gap_limit <= 0 or not model.bonus or model.n_edges == 0:
        return gap_limit
    low = float(np.abs(model.scores).min())
    return gap_limit * low / (low + model.bonus)


def _auto(model, start, deadline, stats, seed, gap_limit) -> GoalOutcome:
    """LP column generation with the Lagrangian bound over every pair, rounding, then HiGHS
    on the pairs reduced-cost fixing leaves, or a large-neighbourhood search when too many
    are left (see :mod:`.lp`)."""
    limit = deadline - start
    zero = np.zeros(model.n_edges, dtype=bool)
    x, value = (zero, 0.0) if model.feasible(zero) else (None, -np.inf)
    # rounding and fixing take a fraction of what the LP takes: most of the time goes to it.
    exact = ExactLagrangian(model) if _exact_each_round(model) else None
    # with L(λ) each round the bound comes from the LP phase and fixing prunes little at
    # that size: the LP gets more of the time
    share = 0.85 if exact is not None else 0.75
    early: list[np.ndarray] = []

    def good_enough(rel: lp.Relaxation) -> bool:
        """With a gap limit and L(λ) in hand: round now; stop the LP if that is enough."""
        e = rel.exact
        if gap_limit <= 0 or e is None:
            return False
        # rounding cannot beat the LP on the core: try only when that is within the gap
        lp_score = rel.value - model.bonus * float(rel.x.sum())
        if relative_gap(lp_score, score_bound(model, e.count or 0, e.bound)) > gap_limit:
            return False
        y = lp.round_lp(model, rel, time_limit=min(5.0, _left(deadline, 0.2)))
        if y is None or not e.covers(y) or _gap(model, y, e.bound) > gap_limit:
            return False
        early.append(y)
        return True

    r = lp.relax(model, start + share * limit, gap=gap_limit, exact=exact, done=good_enough)
    stats["lp_time"] = time.perf_counter() - start
    if exact is not None:
        stats["lagrangian_evaluations"] = exact.evaluations
    if r is None:
        if x is None:
            raise Unsolved(False, "the LP relaxation was not solved in time")
        return _outcome(model, x, np.inf, "LP relaxation not solved in time", stats, start)
    bound = r.bound
    stats.update(lp_rounds=r.rounds, lp_core=len(r.core), lp_value=r.value, lp_bound=r.bound)
    # a master that cannot meet every row even with the pairs priced in: is it infeasible?
    if r.slack > 1e-7 and lp.prove_infeasible(model, deadline):
        raise Unsolved(True, "the LP relaxation is infeasible")
    if exact is None and model.n_edges <= _INNER_EDGES:
        # the potentials' bound carries the LP's dual degeneracy; L(λ) itself does not
        bound = min(bound, value_at(model, r.lam))
        stats["lagrangian_bound"] = bound
    fix_bound, fix_rc = r.bound, r.rc

    def close(y) -> bool:
        return y is not None and _gap(model, y, bound) <= max(gap_limit, OPTIMALITY_TOL)

    if early and model.weights[early[0]].sum() > value:
        x, value = early[0], float(model.weights[early[0]].sum())  # rounded in the LP phase
    elif not close(x):
        rounded = lp.round_lp(model, r, time_limit=_left(deadline, 0.5))
        stats["rounding_time"] = time.perf_counter() - start - stats["lp_time"]
        if rounded is not None and model.weights[rounded].sum() > value:
            x, value = rounded, float(model.weights[rounded].sum())
    if x is None:
        # an LP that meets every row need not have an integer answer: HiGHS decides, scores
        # aside, with the time left
        blank = replace(model, scores=np.zeros(model.n_edges), bonus=0.0)
        res = highs.solve_milp(blank, time_limit=_left(deadline, 1.0))
        stats["feasibility_status"] = res.status
        if res.x is None:
            if res.bound == -np.inf:
                raise Unsolved(True, "no integer answer meets every goal (HiGHS)")
            raise Unsolved(False, "no answer meeting every goal found (LP rounding failed)")
        x, value = res.x, float(model.weights[res.x].sum())
    e = r.exact
    if e is not None and e.covers(x):
        # L(λ) over every pair bounds the answers with as many pairs as this one (the most)
        stats["lagrangian_bound"] = e.bound
        if e.bound < bound:
            bound = fix_bound = e.bound
            fix_rc = e.rc
    message = "LP column generation + rounding"
    if not close(x) and time.perf_counter() < deadline:
        tol = OPTIMALITY_TOL * max(1.0, abs(bound))
        # no better answer uses a pair whose reduced cost puts it below the one in hand
        keep = (fix_bound + np.minimum(fix_rc, 0.0) >= value - tol) | x
        stats["kept_edges"] = int(keep.sum())
        if keep.sum() <= _EXACT_EDGES:
            # few enough pairs left for HiGHS to prove the optimum over all of them
            count = int(x.sum())
            proven = model.bonus and np.isfinite(score_bound(model, count, bound))
            res = highs.solve_milp(
                model.with_edges(keep),
                time_limit=_left(deadline, 1.0),
                min_pairs=count if proven else None,
                gap=max(gap_limit if proven else _weight_gap(model, gap_limit), 1e-9),
            )
            stats["solver_status"] = res.status
            if res.x is not None and res.value > value:
                x = np.zeros(model.n_edges, dtype=bool)
                x[np.flatnonzero(keep)[res.x]] = True
                value = res.value
            bound = min(bound, max(res.bound, value))
            message += f" + reduced-cost fixing + HiGHS: {res.status}"
        else:
            # too many for an exact search in time: improve the answer, keep the LP bound.
            # The search looks at the pairs whose reduced cost is nearest 0 (the ones an
            # optimum is likely to use), the LP's core and the answer: a neighbourhood over
            # every kept pair is too large for HiGHS to improve within its few seconds.
            if keep.sum() > 2 * _LNS_PAIRS_PER_PERSON * (model.n_m + model.n_e):
                rc = np.where(keep, fix_rc, -np.inf)
                keep = lp.top_per_participant(model, rc, _LNS_PAIRS_PER_PERSON) & (rc > -np.inf)
                keep[r.core] = True
                keep |= x
            stats["lns_edges"] = int(keep.sum())
            x, rounds = lp.improve(
                model, x, keep, deadline, np.random.default_rng(seed), stop=close
            )
            stats["lns_rounds"] = rounds
            message += " + large-neighbourhood search (HiGHS)"
    return _outcome(model, x, bound, message, stats, start)


def _gap(model: GoalModel, x: np.ndarray, bound: float) -> float:
    """The relative gap of answer ``x`` on the scores under ``bound`` on the weights."""
    objective = float(model.scores[x].sum())
    return relative_gap(objective, max(score_bound(model, int(x.sum()), bound), objective))


_EXACT_EDGES = 4000  # pairs left after fixing that HiGHS is asked to search exactly
_LNS_PAIRS_PER_PERSON = 10  # best pairs of each participant the neighbourhood search sees
_INNER_EDGES = 4_000_000  # pairs up to which L(λ) is evaluated once, after the LP
_EXACT_CELLS = 1 << 27  # above _INNER_EDGES, L(λ) is evaluated every round up to this many cells


def _exact_each_round(model: GoalModel) -> bool:
    """Whether column generation evaluates ``L(λ)`` exactly every round: on models too
    large for the potentials' bound to converge in time, whose matrix fits in memory."""
    return (
        model.n_edges > _INNER_EDGES
        and model.n_m * model.n_e <= _EXACT_CELLS
        and not capacities_on_both_sides(model.m_cap, model.e_cap)
    )


def _left(deadline: float, share: float) -> float:
    """``share`` of the time left before ``deadline`` (at least 10 ms)."""
    return max(share * (deadline - time.perf_counter()), 0.01)


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


class GoalMethod:
    """The registry's backend for one goal method (:data:`GOAL_METHODS`): it solves a
    compiled goal model, and a problem without goals as a model with no goal rows."""

    def __init__(self, name: str) -> None:
        if name not in GOAL_METHODS:
            raise ValueError(f"unknown goal method {name!r}")
        self.name = name

    def unsupported(self, needs: Needs) -> str | None:
        return None

    def declines(self, needs: Needs) -> str | None:
        return None

    def solve(self, problem: ArrayProblem) -> Solution:
        mi, ei = np.nonzero(problem.candidates())
        n_m, n_e = problem.shape
        model = build_model(
            n_m,
            n_e,
            mi,
            ei,
            problem.scores[mi, ei],
            problem.mentor_capacity,
            problem.mentee_capacity,
            problem.policy,
        )
        seed = int(problem.rng.integers(2**31 - 1))
        out = self.solve_model(
            model, time_limit=problem.time_limit, seed=seed, workers=1, gap_limit=0.0
        )
        assert out.x is not None  # without goals the empty set is an answer
        pairs = np.column_stack((mi[out.x], ei[out.x])).astype(np.int64)
        return Solution(pairs, out.bound - out.objective, out.message)

    def solve_model(
        self,
        model: GoalModel,
        *,
        time_limit: float | None,
        seed: int,
        workers: int,
        gap_limit: float,
    ) -> GoalOutcome:
        """Solve ``model``; raises :class:`Unsolved` when no answer is known."""
        return solve_model(
            model,
            method=self.name,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            gap_limit=gap_limit,
        )
