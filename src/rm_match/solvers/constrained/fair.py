"""Fairness (:class:`~rm_match.goals.MinPairScore`): the total score plus a weight times the
lowest pair score, or the lowest pair score first (max-min), by a search over score
thresholds where each threshold is one goal-constrained solve.

The solves share one :class:`~.budget.Budget`: each gets a share of the work left, so the
search, like every goal solve, repeats exactly when the wall clock does not stop it."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np

from ...results import OPTIMALITY_TOL, relative_gap
from . import budget as cost
from . import highs, pipeline
from .budget import Budget
from .model import GoalModel, Row
from .pipeline import CPSAT_PER_WORK, DEFAULT_TIME_LIMIT, GoalOutcome, Unsolved

__all__ = ["solve_fair"]


def solve_fair(
    model: GoalModel,
    weight: float | None,
    *,
    method: str = "lp",
    time_limit: float | None = None,
    seed: int = 0,
    workers: int = 1,
    gap_limit: float = 0.0,
    floor: float | None = None,
    work: float | None = None,
    deadline: float | None = None,
) -> GoalOutcome:
    """Maximise ``Σ score + W·m`` (``W = weight``), or with ``weight=None`` the pair ``(m,
    Σ score)`` lexicographically, over the goal-constrained assignments; ``m`` is the lowest
    pair score, required pairs included (``floor``: their lowest score), and 0 when there is
    no pair at all.

    The outcome's ``objective`` is ``Σ score + W·m`` for a weight and the total ``Σ score``
    for ``None``, and ``bound`` is a bound on that same quantity: for ``None``, on the total
    of the assignments with the highest ``m``, and ``inf`` while that ``m`` is not proven.

    With ``f(τ)`` the best total using only pairs scoring ≥ ``τ``, the weighted optimum is
    ``max_τ f(τ) + W·τ``; ``f`` never increases, so on levels ``[τ_a, τ_b]`` it is at most
    ``UB(τ_a) + W·τ_b``. Intervals are split (at the current answer's minimum, and by
    bisection) until no interval's bound beats the best answer. For ``None``, a bisection
    finds the highest ``τ`` with an answer (proving the next level has none), then ``f(τ)``.
    Under ``max_matched`` the number of pairs is fixed first; when the first solve does not
    prove it the most possible, a solve asking for one pair more does (or finds more), within
    the time limit; if that is not proven either, the bound is ``inf``.

    Time: ``work`` units and the wall-clock ``deadline`` as in
    :func:`.pipeline.solve_model`; the first solve gets a third of the work.
    """
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    start = time.perf_counter()
    budget = Budget(
        cost.RATE * limit if work is None else work,
        start + limit if deadline is None else deadline,
    )
    kw: dict[str, Any] = {
        "method": method,
        "seed": seed,
        "workers": workers,
        "gap_limit": gap_limit,
    }
    first = pipeline.solve_model(model, budget=budget.part(1 / 3), **kw)
    stats: dict[str, Any] = {"threshold_solves": 1}
    notes: list[str] = []
    count_proven = True
    need = 0  # pairs every answer has
    if model.bonus:
        x = first.x
        unproven = not np.isfinite(first.bound) or not first.stats.get("pairs_proven_most", 1)
        if unproven:
            # prove the count with a solve asking for one pair more (or find more pairs)
            x, count_proven = _most_pairs(model, x, budget.part(0.5), seed, workers, method)
            stats["count_proof"] = "proven" if count_proven else "unproven"
            if not count_proven:
                notes.append("most pairs not proven (time limit)")
        assert x is not None and first.x is not None  # solve_model raises without an answer
        need = int(x.sum())
        row = _count_row(len(model.goal_names), np.arange(model.n_edges), need)
        model = replace(model.with_rows((row,), ("pair_count",)), bonus=0.0, policy="max_score")
        if unproven or need != int(first.x.sum()):
            # the score among answers with that many pairs: a bound on it needs a solve
            every = np.ones(model.n_edges, bool)
            status, out = _threshold_solve(model, every, budget.part(0.5), kw)
            stats["threshold_solves"] += 1
            if status == "feasible":
                assert out is not None  # "feasible" comes with an outcome
                first = out
            else:  # the answer in hand, without a bound
                first = replace(first, x=x, objective=float(model.scores[x].sum()), bound=np.inf)
    s = model.scores
    s_low = s if floor is None else np.minimum(s, float(floor))  # the minimum's view
    m0 = 0.0 if floor is None else float(floor)  # the minimum with no free pair
    zero = np.zeros(model.n_edges, dtype=bool)
    empty_ok = need == 0 and model.feasible(zero)
    if weight is None:
        out = _lexicographic(model, first, s_low, m0, empty_ok, need, budget, kw, stats)
    else:
        out = _weighted(model, first, float(weight), s_low, m0, empty_ok, budget, kw, stats)
    if not count_proven:
        out.bound = np.inf
    out.message += "".join(f"; {n}" for n in notes)
    gap = relative_gap(out.objective, out.bound)
    out.status = "optimal" if gap <= OPTIMALITY_TOL else "feasible"
    if budget.clock_stopped and "a rerun may differ" not in out.message:
        out.message += "; stopped by the wall clock before its work was spent: a rerun may differ"
    stats = {**first.stats, **stats, "fair_value": out.objective, "fair_bound": out.bound}
    stats["time"] = time.perf_counter() - start
    stats["work_spent"] = budget.spent
    stats["clock_stopped"] = budget.clock_stopped
    out.stats = stats
    return out


def _weighted(model, first, w, s_low, m0, empty_ok, budget, kw, stats) -> GoalOutcome:
    """The threshold search for ``Σ score + w·m`` (see :func:`solve_fair`)."""
    s = model.scores
    levels = np.unique(s_low)
    zero = np.zeros(model.n_edges, dtype=bool)

    def value(x):
        return float(s[x].sum()) + w * (float(s_low[x].min()) if x.any() else m0)

    best_x, best = first.x, value(first.x)
    if empty_ok and value(zero) > best:
        best_x, best = zero, value(zero)
    if len(levels) == 0:  # no pair to choose: the empty answer is the only one
        return GoalOutcome(best_x, best, best, "optimal", "no pair to choose", {})

    def level_of(x, a):
        return int(np.searchsorted(levels, s_low[x].min(), side="right") - 1) if x.any() else a

    # intervals: (a, b, ub_a, evaluated_at_a)
    j0 = level_of(first.x, 0)
    todo = [(0, j0, first.bound, True)]
    if j0 + 1 < len(levels):
        todo.append((j0 + 1, len(levels) - 1, first.bound, False))
    done_bound = -np.inf
    tol = max(OPTIMALITY_TOL, kw["gap_limit"])
    while todo:
        todo.sort(key=lambda t: t[2] + w * levels[t[1]])
        a, b, ub, evaluated = todo.pop()
        top = ub + w * levels[b]
        if top <= best + tol * max(1.0, abs(best)):
            done_bound = max(done_bound, top)
            break
        if evaluated or budget.over():
            done_bound = max(done_bound, top)
            continue
        m = a if b - a < 2 else (a + b + 1) // 2
        status, out = _threshold_solve(model, s_low >= levels[m], budget.part(0.5), kw)
        stats["threshold_solves"] += 1
        if m > a:
            todo.append((a, m - 1, ub, False))
        if status != "feasible":
            if status == "unknown":  # unknown beyond τ_m: keep its bound, stop refining it
                todo.append((m, b, ub, True))
            continue
        assert out is not None  # "feasible" comes with an outcome
        if value(out.x) > best:
            best, best_x = value(out.x), out.x
        j = max(level_of(out.x, m), m)
        todo.append((m, min(j, b), min(ub, out.bound), True))
        if j + 1 <= b:
            todo.append((j + 1, b, min(ub, out.bound), False))
    bound = max([done_bound, best] + [t[2] + w * levels[t[1]] for t in todo])
    stats["fair_weight"] = w
    msg = f"threshold search over min pair score ({stats['threshold_solves']} solves)"
    return GoalOutcome(best_x, best, bound, "", msg, {})


def _lexicographic(model, first, s_low, m0, empty_ok, need, budget, kw, stats) -> GoalOutcome:
    """The highest lowest score first, then the best total (see :func:`solve_fair`)."""
    s = model.scores
    levels = np.unique(s_low)
    zero = np.zeros(model.n_edges, dtype=bool)
    # the minimum is about answers with a pair: ask for one where nothing else does
    ne = model
    if not need:
        one = _count_row(len(model.goal_names), np.arange(model.n_edges), 1)
        ne = model.with_rows((one,), ("one_pair",))

    def level_of(x):
        return int(np.searchsorted(levels, s_low[x].min(), side="right") - 1)

    best = first if first.x.any() else None  # the best answer with a pair so far
    lo = level_of(first.x) if best is not None else -1  # highest level with an answer
    hi = len(levels) - 1  # highest level not proven to have none
    unknown = False
    while lo < hi:
        if budget.over():
            unknown = True
            break
        mid = (lo + hi + 1) // 2
        steps = int(np.ceil(np.log2(hi - lo + 1))) + 1
        status, out = _threshold_solve(ne, s_low >= levels[mid], budget.part(1 / steps), kw)
        stats["threshold_solves"] += 1
        if status == "feasible":
            assert out is not None  # "feasible" comes with an outcome
            best, lo = out, max(level_of(out.x), mid)
            hi = max(hi, lo)
        else:
            unknown |= status == "unknown"
            hi = mid - 1
    tol = max(OPTIMALITY_TOL, kw["gap_limit"])
    open_gap = best is not None and relative_gap(best.objective, best.bound) > tol
    if open_gap and not budget.over():  # the best total at that level: what is left
        assert best is not None  # open_gap says so
        status, out = _threshold_solve(ne, s_low >= levels[lo], budget.part(1.0), kw)
        stats["threshold_solves"] += 1
        if status == "feasible":
            assert out is not None  # "feasible" comes with an outcome
            bound = min(best.bound, out.bound)
            best = out if out.objective > best.objective else best
            best = replace(best, bound=bound)
    msg = f"threshold search over min pair score ({stats['threshold_solves']} solves)"
    if unknown:
        msg += "; highest lowest pair score not proven (time limit)"
    if best is None or (empty_ok and (m0, 0.0) > (float(levels[lo]), float(s[best.x].sum()))):
        # no answer with a pair beats the empty one: exact once the level is proven
        bound = 0.0 if best is None or levels[lo] < m0 else max(best.bound, 0.0)
        return GoalOutcome(zero, 0.0, np.inf if unknown else bound, "", msg, {})
    objective = float(s[best.x].sum())
    bound = np.inf if unknown else max(best.bound, objective)
    return GoalOutcome(best.x, objective, bound, "", msg, {})


def _threshold_solve(model, keep, budget, kw) -> tuple[str, GoalOutcome | None]:
    """Solve ``model`` on the edges ``keep``: ``("feasible", outcome)`` (its ``x`` an edge
    mask of ``model``, its bound on the score), ``("infeasible", None)`` when proven to have
    no answer, ``("unknown", None)`` when that is not known in time.

    The LP path proves only an infeasible relaxation, and the Lagrangian path proves nothing
    (it searches until its time is up): for them HiGHS first looks for any answer (scores
    aside) on small models and on the Lagrangian path, and again after a failed solve.
    Everything within ``budget`` (a :class:`~.budget.Budget`)."""
    sub = model.with_edges(keep)
    exact = kw["method"] in ("cpsat", "milp")
    blank = replace(sub, scores=np.zeros(sub.n_edges), bonus=0.0)

    def exists(part: Budget):
        """``(status, answer or None)`` from HiGHS on the model with the scores set aside."""
        res = highs.solve_milp(blank, budget=part)
        if res.x is not None:
            return "feasible", res.x
        return ("infeasible" if res.bound == -np.inf else "unknown"), None

    small = kw["method"] == "lagrangian" or sub.n_edges <= pipeline._EXACT_EDGES
    if not exact and small and exists(budget.part(0.3))[0] == "infeasible":
        return "infeasible", None
    try:
        out = pipeline.solve_model(sub, budget=budget.part(1.0 if exact else 0.7), **kw)
    except Unsolved as exc:
        if exc.proven or exact or budget.over():
            return ("infeasible" if exc.proven else "unknown"), None
        status, y = exists(budget)
        if y is None:
            return status, None
        objective = float(sub.scores[y].sum())
        out = GoalOutcome(y, objective, np.inf, "feasible", "HiGHS: feasible", {})
    x = np.zeros(model.n_edges, dtype=bool)
    x[np.flatnonzero(keep)[out.x]] = True
    return "feasible", replace(out, x=x)


def _most_pairs(model, x, budget, seed, workers, method) -> tuple[np.ndarray, bool]:
    """From answer ``x``, an answer with the most pairs the goals allow, and whether that is
    proven: each solve asks for one pair more than the best so far (scores aside), until one
    is proven to have no answer or ``budget`` is spent (a :class:`~.budget.Budget` or a
    ``time.perf_counter()`` deadline)."""
    budget = Budget.of(budget)
    blank = replace(model, scores=np.zeros(model.n_edges), bonus=0.0, policy="max_score")
    every = np.arange(model.n_edges)
    while int(x.sum()) < model.most_pairs:
        if budget.over():
            return x, False
        row = _count_row(len(model.goal_names), every, int(x.sum()) + 1)
        more = blank.with_rows((row,), ("pair_count",))
        if method == "cpsat":
            from . import cpsat  # loads OR-tools' CP-SAT

            det = budget.left() * CPSAT_PER_WORK if workers == 1 else budget.wall()
            res = cpsat.solve(
                more,
                time_limit=max(det, 0.01),
                seed=seed,
                workers=workers,
                deadline=budget.deadline,
            )
            budget.charge(res.deterministic_time / CPSAT_PER_WORK)
            if res.timed_out:
                budget.stop_by_clock()
        else:
            res = highs.solve_milp(more, budget=budget, essential=True)
        if res.x is None:
            return x, res.bound == -np.inf
        x = res.x
    return x, True


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
