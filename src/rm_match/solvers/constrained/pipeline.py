"""Goal-constrained assignment: the pipeline behind ``assign(..., goals=...)``.

``method="lp"`` (what ``"auto"`` takes for goals):

0. **One goal row** (a share or a count of pairs of a kind, and no indicator): its
   Lagrangian dual is one-dimensional and is solved first by a few exact assignments
   (:mod:`.parametric`); its answer, optimal at the dual's minimum, is returned when it is
   within the gap limit, else it is the incumbent of the steps below (which get the rest
   of the work: the dual's share is charged whatever it used).
1. **LP column generation** (:mod:`.lp`): the LP relaxation on a core of pairs, priced over
   every pair; its multipliers give the Lagrangian bound for the whole problem, evaluated
   exactly by one assignment (:func:`.lagrangian.value_at`) up to :data:`_INNER_EDGES` pairs.
2. **Rounding**: the LP's ones fixed, HiGHS completes the rest on the core. When that finds
   no answer, HiGHS looks for any answer on the whole model with what is left (or proves
   there is none: the programme is infeasible).
3. **Reduced-cost fixing**: pairs that cannot be in any answer better than the one in hand
   are dropped; HiGHS searches what is left exactly when it is small
   (:data:`_EXACT_EDGES`), else a large-neighbourhood search improves the answer.

``"lagrangian"``: Kelley cutting planes with the exact assignment inside (:mod:`.lagrangian`)
and repair, then the same fixing and search; when repair finds no answer, HiGHS looks for one
with what is left. ``"cpsat"`` runs CP-SAT on the whole model without hint or bound,
``"milp"`` HiGHS through :func:`scipy.optimize.milp` (:mod:`.highs`): both are there for
comparison and as oracles. Each method is a backend of the registry (:class:`GoalMethod`).

**Time.** Every stage spends deterministic work from one :class:`~.budget.Budget` (see
:mod:`.budget`): the LP gets 75 % of it (85 % with ``L(λ)`` every round), rounding up to half
of the rest, fixing and the search what is left; CP-SAT gets :data:`CPSAT_PER_WORK`
deterministic seconds per unit. The wall clock is a safety stop; a run it stopped says so in
its message and in ``stats["clock_stopped"]``.

**Logs and progress.** ``rm_match.solvers.constrained.pipeline`` logs at INFO one line per
column-generation round (columns, LP value, bound, incumbent, gap, seconds), the rounding,
the fixing and search, and each solve's final status; counts, values and seconds only. The
rounds are also the steps of the progress stage ``"goal LP"`` when a caller sets a reporter
with :func:`reporting` (as :func:`rm_match.solvers.solve_goals` does).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..._progress import ProgressReporter
from ...errors import SolverError
from ...results import OPTIMALITY_TOL, relative_gap
from .._problem import ArrayProblem, capacities_on_both_sides
from ..registry import Needs, Solution
from . import budget as cost
from . import highs, lp, parametric
from .budget import Budget, timings_text
from .lagrangian import Exact, ExactLagrangian, Inner, close_gap, dual, on_edge_list, value_at
from .model import GoalModel, build_model, score_bound

GOAL_METHODS = ("lp", "lagrangian", "cpsat", "milp")

log = logging.getLogger(__name__)

#: Where the column-generation rounds of the solves in this context report (see
#: :func:`reporting`): set by the caller, so that every solve of a goal model (the fairness
#: layer's several included) reports to one stage without passing it through each layer.
_PROGRESS: ContextVar[ProgressReporter | None] = ContextVar("rm_match_goal_lp", default=None)


@contextmanager
def reporting(reporter: ProgressReporter | None) -> Iterator[None]:
    """Within the block, each column-generation round of a goal solve is a step of
    ``reporter`` (``None``: none is reported)."""
    token = _PROGRESS.set(reporter)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


#: Default time limit (seconds) for goal-constrained problems.
DEFAULT_TIME_LIMIT = 60.0

#: CP-SAT's deterministic seconds per work unit (one worker): on the machine the units were
#: measured on, a deterministic second of CP-SAT took 3–10 s of wall clock on goal models.
CPSAT_PER_WORK = 0.25


@dataclass
class GoalOutcome:
    """What a goal-constrained solve returns (edge mask, quality, account)."""

    x: np.ndarray | None
    objective: float
    bound: float
    status: str  # "optimal", "feasible" or "infeasible"
    message: str
    stats: dict[str, Any] = field(default_factory=dict)
    #: multipliers on the model's rows (:attr:`~.model.GoalModel.ge_rows`) at the bound, when
    #: the method had them (the LP's; zeros when the goals were not needed); else ``None``
    lam: np.ndarray | None = None


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
    work: float | None = None,
    deadline: float | None = None,
    budget: Budget | None = None,
) -> GoalOutcome:
    """Solve ``model``; raises :class:`Unsolved` when no feasible answer is known.
    ``gap_limit``: stop once the relative gap is proven at most this.

    Time: a :class:`~.budget.Budget`, or one made of ``work`` units (default
    :data:`.budget.RATE` × ``time_limit``) and the wall-clock ``deadline``
    (``time.perf_counter()``; default ``time_limit`` seconds from now, 60 if ``None``).
    Within the work, the answer depends on the model and ``seed`` only (one worker)."""
    if budget is None:
        limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
        budget = Budget(
            cost.RATE * limit if work is None else work,
            time.perf_counter() + limit if deadline is None else deadline,
        )
    start = time.perf_counter()
    stats: dict[str, Any] = {"method": method, "edges": model.n_edges, "work": budget.work}
    if method == "milp":
        gap = max(_weight_gap(model, gap_limit), 1e-9)
        with budget.stage("HiGHS"):
            res = highs.solve_milp(model, gap=gap, budget=budget, essential=True)
        stats["solver_status"] = res.status
        stats["highs_nodes"] = res.nodes
        if res.x is None:
            if res.bound == -np.inf:
                raise Unsolved(True, f"milp: {res.status}")
            raise _not_found(budget, f"milp: {res.status}")
        return _outcome(model, res.x, res.bound, f"milp: {res.status}", stats, budget, start)
    if method == "cpsat":
        from . import cpsat  # OR-tools' CP-SAT loads on first use (0.3-0.5 s)

        # CP-SAT maximises the scores with the number of pairs fixed: the gap is theirs
        det = budget.left() * CPSAT_PER_WORK if workers == 1 else budget.wall()
        with budget.stage("CP-SAT"):
            res = cpsat.solve(
                model,
                time_limit=max(det, 0.01),
                seed=seed,
                workers=workers,
                gap=gap_limit,
                deadline=budget.deadline,
            )
        budget.charge(res.deterministic_time / CPSAT_PER_WORK)
        if res.timed_out or workers > 1:
            budget.stop_by_clock()  # more workers: wall-clock time, never repeatable
        stats["deterministic_time"] = res.deterministic_time
        stats["solver_status"] = res.status
        if res.x is None:
            if res.bound == -np.inf:
                raise Unsolved(True, f"cpsat: {res.status}")
            raise _not_found(budget, f"cpsat: {res.status}")
        return _outcome(model, res.x, res.bound, f"cpsat: {res.status}", stats, budget, start)
    if method == "lagrangian":
        return _lagrangian(model, budget, stats, seed, gap_limit, start)
    return _auto(model, budget, stats, seed, gap_limit, start)


def _lagrangian(model, budget, stats, seed, gap_limit, start) -> GoalOutcome:
    """The dual gets half the work at most (it usually converges well before); what is left
    closes the gap: reduced-cost fixing at its multipliers, then HiGHS or a search. With no
    answer from repair, HiGHS looks for one (or proves there is none) with what is left."""
    d = dual(model, budget.part(0.5), gap_limit=gap_limit)
    log.info(
        "goal lagrangian: %d iterations, bound %.6g, %s in %.2f s",
        d.iterations,
        d.bound,
        "an answer repaired" if d.repaired else "no answer repaired",
        time.perf_counter() - start,
    )
    stats.update(lagrangian_iterations=d.iterations, lagrangian_bound=d.bound)
    stats["repaired"] = d.repaired
    stats["dual_time"] = time.perf_counter() - start
    if d.infeasible:
        raise Unsolved(True, "lagrangian: its bound is below every assignment's weight")
    rng = np.random.default_rng(seed)
    kw = {"rng": rng, "gap_limit": gap_limit, "exact_edges": _EXACT_EDGES}
    x, bound, steps, more = close_gap(model, d, budget, **kw)
    stats.update(more)
    if x is None:
        if bound == -np.inf:
            raise Unsolved(True, "lagrangian: no assignment meets the goals (HiGHS)")
        y = _any_answer(model, budget, stats)  # an exact method with what is left
        if y is None:
            raise _not_found(budget, "lagrangian: no feasible answer found (repair failed)")
        d.incumbent, d.incumbent_value = y, float(model.weights[y].sum())
        x, bound, steps, more = close_gap(model, d, budget, **kw)
        assert x is not None  # an incumbent is never dropped
        stats.update(more)
        steps = " + HiGHS (an answer)" + steps
    return _outcome(model, x, bound, "lagrangian relaxation" + steps, stats, budget, start)


def _weight_gap(model: GoalModel, gap_limit: float) -> float:
    """A relative gap on the weights (score + coverage bonus) no looser than ``gap_limit``
    on the scores (for solvers that see only the weights)."""
    if gap_limit <= 0 or not model.bonus or model.n_edges == 0:
        return gap_limit
    low = float(np.abs(model.scores).min())
    return gap_limit * low / (low + model.bonus)


def _any_answer(model: GoalModel, budget: Budget, stats: dict) -> np.ndarray | None:
    """Any answer meeting every goal, by HiGHS on the whole model with the scores set aside,
    with what is left of ``budget`` (it runs whatever the work: no answer comes without it).
    Raises :class:`Unsolved` (proven) when HiGHS proves there is none; ``None`` when it
    finds none in time, or when the model cannot even be handed to HiGHS in time."""
    if budget.expired() or cost.EDGE * model.n_edges > budget.wall():
        budget.stop_by_clock()
        return None
    blank = replace(model, scores=np.zeros(model.n_edges), bonus=0.0)
    with budget.stage("HiGHS"):
        res = highs.solve_milp(blank, budget=budget, essential=True)
    stats["feasibility_status"] = res.status
    if res.x is None:
        if res.bound == -np.inf:
            raise Unsolved(True, "no integer answer meets every goal (HiGHS)")
        return None
    return res.x


def _not_found(budget: Budget, what: str) -> Unsolved:
    """An :class:`Unsolved` (not proven) saying what stopped the search and where the time
    went."""
    why = "the time limit" if budget.clock_stopped else "the work the time limit allows"
    where = timings_text(budget.timings)
    return Unsolved(False, f"{what}; stopped by {why}" + (f" (time: {where})" if where else ""))


def _auto(model, budget, stats, seed, gap_limit, start) -> GoalOutcome:
    """LP column generation with the Lagrangian bound over every pair, rounding, then HiGHS
    on the pairs reduced-cost fixing leaves, or a large-neighbourhood search when too many
    are left (see :mod:`.lp`)."""
    with budget.stage("model"):
        zero = np.zeros(model.n_edges, dtype=bool)
        x, value = (zero, 0.0) if model.empty_feasible() else (None, -np.inf)
        exact = ExactLagrangian(model) if _exact_each_round(model) else None
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
        with budget.stage("rounding"):
            y = lp.round_lp(model, rel, budget=lp_budget.part(0.2, at_most=5.0))
        if y is None or not e.covers(y) or _gap(model, y, e.bound) > gap_limit:
            return False
        early.append(y)
        return True

    # one goal row: its dual is one-dimensional (:mod:`.parametric`), solved by a few
    # exact assignments, which evaluate L(0) too (in a sweep sharing a memo, so does its
    # point without goals, for the others)
    memo = parametric.current_memo()
    one_row = parametric.applies(model, _EXACT_CELLS, empty=memo is not None)
    path = exact if exact is not None or not one_row else ExactLagrangian(model)
    # the best assignment over every pair, goals aside (L(0)): when it meets every goal it
    # is the optimum, proven by its own bound; else it joins the LP's first core
    at_zero: Exact | None
    first: tuple[np.ndarray, float] | None
    if one_row and memo is not None and memo.fits(model) and memo.at_zero is not None:
        at_zero = memo.at_zero  # the same pairs and scores as an earlier solve: no row in L(0)
        first = (at_zero.x, at_zero.bound)
        budget.charge(_sparse(model))  # as if evaluated: the work spent is the same
    else:
        first, at_zero = _best_assignment(model, budget, path if one_row else exact)
        if one_row and memo is not None and at_zero is not None and path is not None:
            memo.fits(model)
            memo.at_zero, memo.warm = at_zero, path.warm
    meets = first is not None and model.feasible(first[0])
    if first is not None:
        log.info(
            "goal LP: the best assignment with the goals aside (L(0)) has %d pairs, bound %.6g"
            "; it %s every goal (%.2f s)",
            int(first[0].sum()),
            first[1],
            "meets" if meets else "does not meet",
            time.perf_counter() - start,
        )
    if first is not None and meets:
        stats["lp_time"] = 0.0
        if exact is not None:
            stats["lagrangian_evaluations"] = exact.evaluations
        message = "the best assignment meets every goal (no LP needed)"
        lam = np.zeros(len(model.ge_rows[2]))
        return _outcome(model, first[0], first[1], message, stats, budget, start, lam)
    extra = None if first is None else first[0]
    # the dense L(0) bounds every answer (the sparse one only those with its count of pairs)
    zero_bound = first[1] if first is not None and at_zero is None else np.inf
    if one_row and at_zero is not None:
        assert path is not None
        found = _one_row(model, path, at_zero, budget, memo, stats)
        if found is not None and found.x is not None:
            y, e = found.x, found.exact
            if value < model.weights[y].sum():
                x, value = y, float(model.weights[y].sum())
            if (
                e is not None
                and e.covers(y)
                and _gap(model, y, e.bound) <= max(gap_limit, OPTIMALITY_TOL)
            ):
                message = (
                    f"the goal row's Lagrangian dual ({found.evaluations} exact assignments"
                    f"{'' if found.solved else ', not converged'})"
                )
                return _outcome(model, y, e.bound, message, stats, budget, start)
            at_zero = e if e is not None else at_zero  # the LP starts from the best bound
    # with L(λ) each round the bound comes from the LP phase and fixing prunes little at
    # that size: the LP gets more of what is left
    lp_budget = budget.part(0.85 if exact is not None else 0.75)
    bar = _PROGRESS.get()

    def on_round(rnd: lp.LPRound) -> None:
        """One column-generation round: a log line and a progress step."""
        # the incumbent: the best answer in hand (the empty one, one rounded in the LP phase)
        bound = min(rnd.bound, zero_bound)
        if log.isEnabledFor(logging.INFO):
            inc = early[0] if early else x
            has = inc is not None and bool(inc.any())  # the empty answer proves little
            log.info(
                "goal LP round %d: %d columns (+%d), LP %.6g, bound %.6g (weights), LP gap "
                "%.3g, slack %.3g, incumbent %s; %.2f s",
                rnd.round,
                rnd.columns,
                rnd.added,
                rnd.value,
                bound,
                relative_gap(rnd.value, bound) if np.isfinite(bound) else np.inf,
                rnd.slack,
                (
                    f"{int(inc.sum())} pairs, score {model.scores[inc].sum():.6g} (gap "
                    f"{_gap(model, inc, bound):.3g})"
                    if has and inc is not None
                    else "none"
                ),
                rnd.seconds,
            )
        if bar is not None and bar.active:
            bar.update(1, f"round {rnd.round}: {rnd.columns} columns, bound {bound:.6g}")

    r = lp.relax(
        model,
        lp_budget,
        gap=gap_limit,
        exact=exact,
        done=good_enough,
        extra=extra,
        at_zero=at_zero,
        on_round=on_round,
    )
    stats["lp_time"] = time.perf_counter() - start
    if exact is not None:
        stats["lagrangian_evaluations"] = exact.evaluations
    if r is None:
        if x is None or (not x.any() and _gap(model, x, zero_bound) > OPTIMALITY_TOL):
            # nothing found but the empty answer, not proven the best: not an answer to give
            raise _not_found(budget, "the LP relaxation was not solved")
        return _outcome(model, x, zero_bound, "LP relaxation not solved", stats, budget, start)
    bound = min(r.bound, zero_bound)
    stats.update(lp_rounds=r.rounds, lp_core=len(r.core), lp_value=r.value, lp_bound=r.bound)
    log.info(
        "goal LP: %d round(s), %d columns, LP %.6g, bound %.6g in %.2f s",
        r.rounds,
        len(r.core),
        r.value,
        bound,
        stats["lp_time"],
    )
    # a master that cannot meet every row even with the pairs priced in: is it infeasible?
    if r.slack > 1e-7 and lp.prove_infeasible(model, budget):
        raise Unsolved(True, "the LP relaxation is infeasible")
    if exact is None and model.n_edges <= _INNER_EDGES and budget.fits(_cells(model)):
        # the potentials' bound carries the LP's dual degeneracy; L(λ) itself does not
        with budget.stage("exact L"):
            bound = min(bound, value_at(model, r.lam))
        budget.charge(_cells(model))
        stats["lagrangian_bound"] = bound
    fix_bound, fix_rc = r.bound, r.rc

    def close(y) -> bool:
        return y is not None and _gap(model, y, bound) <= max(gap_limit, OPTIMALITY_TOL)

    if early and model.weights[early[0]].sum() > value:
        x, value = early[0], float(model.weights[early[0]].sum())  # rounded in the LP phase
    elif not close(x):
        t = time.perf_counter()
        with budget.stage("rounding"):
            rounded = lp.round_lp(model, r, budget=budget.part(0.5))
        stats["rounding_time"] = time.perf_counter() - t
        if rounded is not None and model.weights[rounded].sum() > value:
            x, value = rounded, float(model.weights[rounded].sum())
        _log_answer("rounding", model, rounded, bound, stats["rounding_time"])
    if x is None:
        # an LP that meets every row need not have an integer answer: HiGHS decides, scores
        # aside, with what is left (an exact method: an answer, or a proof there is none)
        t = time.perf_counter()
        x = _any_answer(model, budget, stats)
        _log_answer("HiGHS (any answer)", model, x, bound, time.perf_counter() - t)
        if x is None:
            raise _not_found(budget, "no answer meeting every goal found (LP rounding failed)")
        value = float(model.weights[x].sum())
    e = r.exact
    if e is not None and e.covers(x):
        # L(λ) over every pair bounds the answers with as many pairs as this one (the most)
        stats["lagrangian_bound"] = e.bound
        if e.bound < bound:
            bound = fix_bound = e.bound
            fix_rc = e.rc
    message = "LP column generation + rounding"
    if not close(x) and not budget.over():
        tol = OPTIMALITY_TOL * max(1.0, abs(bound))
        # no better answer uses a pair whose reduced cost puts it below the one in hand
        keep = (fix_bound + np.minimum(fix_rc, 0.0) >= value - tol) | x
        stats["kept_edges"] = int(keep.sum())
        log.info(
            "goal reduced-cost fixing: %d of %d pairs kept; %s",
            stats["kept_edges"],
            model.n_edges,
            "HiGHS searches them" if keep.sum() <= _EXACT_EDGES else "a neighbourhood search",
        )
        t = time.perf_counter()
        if keep.sum() <= _EXACT_EDGES:
            # few enough pairs left for HiGHS to prove the optimum over all of them
            count = int(x.sum())
            proven = model.bonus and np.isfinite(score_bound(model, count, bound))
            with budget.stage("HiGHS"):
                res = highs.solve_milp(
                    model.with_edges(keep),
                    min_pairs=count if proven else None,
                    gap=max(gap_limit if proven else _weight_gap(model, gap_limit), 1e-9),
                    budget=budget,
                )
            stats["solver_status"] = res.status
            if res.x is not None and res.value > value:
                x = np.zeros(model.n_edges, dtype=bool)
                x[np.flatnonzero(keep)[res.x]] = True
                value = res.value
            bound = min(bound, max(res.bound, value))
            message += f" + reduced-cost fixing + HiGHS: {res.status}"
            _log_answer(f"HiGHS ({res.status})", model, x, bound, time.perf_counter() - t)
        else:
            # too many for an exact search: improve the answer, keep the LP bound. The
            # search looks at the pairs whose reduced cost is nearest 0 (the ones an
            # optimum is likely to use), the LP's core and the answer: a neighbourhood over
            # every kept pair is too large for HiGHS to improve within its few seconds.
            if keep.sum() > 2 * _LNS_PAIRS_PER_PERSON * (model.n_m + model.n_e):
                rc = np.where(keep, fix_rc, -np.inf)
                keep = lp.top_per_participant(model, rc, _LNS_PAIRS_PER_PERSON) & (rc > -np.inf)
                keep[r.core] = True
                keep |= x
                budget.charge(_PASSES * cost.SCAN * model.n_edges)
            stats["lns_edges"] = int(keep.sum())
            with budget.stage("search"):
                x, rounds = lp.improve(
                    model, x, keep, budget, np.random.default_rng(seed), stop=close
                )
            stats["lns_rounds"] = rounds
            message += " + large-neighbourhood search (HiGHS)"
            what = f"neighbourhood search ({rounds} rounds on {stats['lns_edges']} pairs)"
            _log_answer(what, model, x, bound, time.perf_counter() - t)
    return _outcome(model, x, bound, message, stats, budget, start, r.lam)


def _log_answer(
    what: str, model: GoalModel, x: np.ndarray | None, bound: float, seconds: float
) -> None:
    """A stage's answer in the log: its pairs, score and gap under ``bound`` (weights)."""
    if not log.isEnabledFor(logging.INFO):
        return
    if x is None:
        log.info("goal %s: no answer (%.2f s)", what, seconds)
        return
    log.info(
        "goal %s: %d pairs, score %.6g, gap %.3g (%.2f s)",
        what,
        int(x.sum()),
        float(model.scores[x].sum()),
        _gap(model, x, bound),
        seconds,
    )


#: The share of the work the one-row dual gets, at most the work of this many warm
#: evaluations (it converges in 4-10): all of it is charged, used or not, so that what the
#: LP pipeline after it gets does not depend on how fast the dual went (a sweep's memo).
_ONE_ROW_SHARE = 0.8
_ONE_ROW_EVALUATIONS = 24


def _one_row(model, exact, at_zero, budget, memo, stats) -> parametric.PathResult | None:
    """The one-row dual (:func:`.parametric.solve`) with its share of the work."""
    warm = cost.SPARSE_WARM_EDGE * model.n_edges + cost.CALL
    part = budget.part(_ONE_ROW_SHARE, at_most=_sparse(model) + _ONE_ROW_EVALUATIONS * warm)
    t = time.perf_counter()
    with budget.stage("row dual"):
        found = parametric.solve(
            model, exact, part, _sparse(model), warm, at_zero=at_zero, memo=memo
        )
    part.charge(max(part.left(), 0.0))
    if found is None:
        log.info("goal row dual: no certificate (%.2f s)", time.perf_counter() - t)
        return None
    stats["row_dual_evaluations"] = found.evaluations
    stats["row_dual_lambda"] = found.lam
    stats["row_dual_solved"] = found.solved
    log.info(
        "goal row dual: %d exact assignments, %s, bound %.6g (weights), λ %.3g; %.2f s",
        found.evaluations,
        "solved" if found.solved else "not solved",
        found.bound,
        found.lam,
        time.perf_counter() - t,
    )
    if found.x is not None:
        _log_answer("row dual", model, found.x, found.bound, time.perf_counter() - t)
    return found


def _best_assignment(
    model: GoalModel, budget: Budget, exact: ExactLagrangian | None
) -> tuple[tuple[np.ndarray, float] | None, Exact | None]:
    """The best assignment over every pair with the goals set aside, and a bound on the
    weight of every answer it stands for (``L(0)``): by one dense assignment, or with
    ``exact`` by the sparse path (its :class:`.lagrangian.Exact` too, for the LP). ``None``
    when the clock is past the deadline, or the sparse path gives no certificate."""
    units = _cells(model) if exact is None else _sparse(model)
    if model.n_edges == 0 or not budget.fits(units):
        return None, None
    if exact is None:
        with budget.stage("assignment"):
            x, ub = Inner(model).solve(model.weights)
        budget.charge(units)
        return (x, ub), None
    with budget.stage("exact L"):
        e = exact.evaluate(np.zeros(len(model.ge_rows[2])))
    budget.charge(units)
    if e is None:
        return None, None
    return (e.x, e.bound), e


def _sparse(model: GoalModel) -> float:
    """Work of one exact assignment over every pair by the sparse path."""
    return cost.CALL + cost.SPARSE_EDGE * model.n_edges


def _cells(model: GoalModel) -> float:
    """Work of one exact assignment over the mentor × mentee matrix (or, for a model with
    few edges for its matrix, over its edge list: :func:`.lagrangian.on_edge_list`)."""
    if on_edge_list(model):
        return _sparse(model)
    return cost.CALL + cost.CELL * float(model.n_m) * float(model.n_e)


def _gap(model: GoalModel, x: np.ndarray, bound: float) -> float:
    """The relative gap of answer ``x`` on the scores under ``bound`` on the weights."""
    objective = float(model.scores[x].sum())
    return relative_gap(objective, max(score_bound(model, int(x.sum()), bound), objective))


_EXACT_EDGES = 4000  # pairs left after fixing that HiGHS is asked to search exactly
_LNS_PAIRS_PER_PERSON = 10  # best pairs of each participant the neighbourhood search sees
_INNER_EDGES = 4_000_000  # pairs up to which L(λ) is evaluated once, after the LP
_EXACT_CELLS = 1 << 27  # above _INNER_EDGES, L(λ) is evaluated every round up to this many cells
_PASSES = 6  # array passes over every pair to pick the search's pairs


def _exact_each_round(model: GoalModel) -> bool:
    """Whether column generation evaluates ``L(λ)`` exactly every round: on models too
    large for the potentials' bound to converge in time, whose matrix fits in memory."""
    return (
        model.n_edges > _INNER_EDGES
        and model.n_m * model.n_e <= _EXACT_CELLS
        and not capacities_on_both_sides(model.m_cap, model.e_cap)
    )


def most_pairs_bound(model: GoalModel, value_bound: float) -> int:
    """The most pairs an answer can have when ``value_bound`` bounds every answer's weight
    (score + coverage bonus): ``K`` pairs weigh at least ``bonus·K`` plus the ``K`` lowest
    scores. At most the most the capacities and pairs allow."""
    most = min(model.k_max, model.most_pairs)
    if not model.bonus or not np.isfinite(value_bound) or most == 0:
        return most
    low = np.sort(np.partition(model.scores, most - 1)[:most]) if most < model.n_edges else None
    if low is None:
        low = np.sort(model.scores)
    least = model.bonus * np.arange(1, most + 1) + np.cumsum(low[:most])  # increasing in K
    return int(np.searchsorted(least, value_bound + 1e-9 * max(1.0, abs(value_bound)), "right"))


def _outcome(model, x, value_bound, message, stats, budget, start, lam=None) -> GoalOutcome:
    """The answer ``x`` with its score, an honest bound on the score and the account.

    Under ``max_matched`` a bound on the weights bounds the score among the answers with the
    most pairs once this answer's count is proven the most (:func:`.model.score_bound`).
    When it is not, ``value_bound − bonus·count`` still bounds the best answer's score (it
    has at least this many pairs): that is the bound given, the status is ``"feasible"`` and
    the message says the count is not proven (and the most possible, from the bound)."""
    objective = float(model.scores[x].sum())
    count = int(x.sum())
    bound = score_bound(model, count, value_bound)
    proven = True
    if not np.isfinite(bound) and np.isfinite(value_bound) and model.bonus:
        proven = False
        bound = value_bound - model.bonus * count
        most = most_pairs_bound(model, value_bound)
        stats["pairs_at_most"] = most
        message += (
            f"; the most pairs is not proven ({count} here, at most {most} possible): the "
            "bound is on the score of the best answer, which may have more pairs"
        )
    stats["pairs_proven_most"] = proven
    bound = max(bound, objective)  # float noise never reports a bound below the answer
    if not np.isfinite(bound):
        message += "; no bound proven"
    gap = relative_gap(objective, bound)
    stats["time"] = time.perf_counter() - start
    stats["work_spent"] = budget.spent
    stats["stage_times"] = dict(budget.timings)
    stats["clock_stopped"] = budget.clock_stopped
    if budget.clock_stopped:
        message += "; stopped by the wall clock before its work was spent: a rerun may differ"
    if model.violated_goals(x) or not model.capacity_ok(x):  # pragma: no cover - a bug guard
        raise SolverError(f"internal: {message} returned an answer that breaks the goals.")
    status = "optimal" if gap <= OPTIMALITY_TOL and proven else "feasible"
    log.info(
        "goal %s solve: %s, %d pairs, score %.6g, bound %.6g, gap %.3g; %.2f s, %.3g work%s",
        stats.get("method", "?"),
        status,
        count,
        objective,
        bound,
        gap,
        stats["time"],
        budget.spent,
        " (stopped by the clock)" if budget.clock_stopped else "",
    )
    return GoalOutcome(x, objective, bound, status, message, stats, lam)


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
        work: float | None = None,
        deadline: float | None = None,
    ) -> GoalOutcome:
        """Solve ``model``; raises :class:`Unsolved` when no answer is known. ``work`` and
        ``deadline``: see :func:`solve_model`."""
        return solve_model(
            model,
            method=self.name,
            time_limit=time_limit,
            seed=seed,
            workers=workers,
            gap_limit=gap_limit,
            work=work,
            deadline=deadline,
        )
