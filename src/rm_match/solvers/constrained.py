"""Goal-constrained assignment: the pipeline behind ``assign(..., goals=...)``.

``method="auto"``:

1. **LP column generation** (:mod:`.lp`): the LP relaxation on a core of pairs, priced over
   every pair; its multipliers give the Lagrangian bound for the whole problem, evaluated
   exactly by one assignment (:func:`.lagrangian.value_at`) up to :data:`_INNER_EDGES` pairs.
2. **Rounding**: the LP's ones fixed, HiGHS completes the rest on the core.
3. **Reduced-cost fixing**: pairs that cannot be in any answer better than the one in hand
   are dropped; HiGHS searches what is left exactly when it is small
   (:data:`_EXACT_EDGES`), else a large-neighbourhood search improves the answer.

``"lagrangian"``: Kelley cutting planes with the exact assignment inside (:mod:`.lagrangian`)
and repair. ``"cpsat"`` runs CP-SAT on the whole model without hint or bound, ``"milp"``
HiGHS through :func:`scipy.optimize.milp`: both are there for comparison and as oracles.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import SolverError
from ..results import OPTIMALITY_TOL, relative_gap
from . import cpsat, lp
from ._problem import capacities_on_both_sides
from .goal_model import GoalModel, Row, score_bound
from .lagrangian import ExactLagrangian, close_gap, dual, value_at

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
            res = cpsat.solve_milp(model, time_limit=limit, gap=gap)
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
        res = cpsat.solve_milp(blank, time_limit=_left(deadline, 1.0))
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
            res = cpsat.solve_milp(
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


# -- fairness: total + weight × lowest pair score ---------------------------------------------


def solve_fair(
    model: GoalModel,
    weight: float | None,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    workers: int = 1,
    gap_limit: float = 0.0,
    floor: float | None = None,
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
    """
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    start = time.perf_counter()
    deadline = start + limit
    kw = {"method": method, "seed": seed, "workers": workers, "gap_limit": gap_limit}
    first = solve_model(model, time_limit=limit / 3, **kw)
    stats: dict[str, Any] = {"threshold_solves": 1}
    notes: list[str] = []
    count_proven = True
    need = 0  # pairs every answer has
    if model.bonus:
        x = first.x
        if not np.isfinite(first.bound):
            # prove the count with a solve asking for one pair more (or find more pairs)
            x, count_proven = _most_pairs(model, x, start + limit * 2 / 3, seed, workers, method)
            stats["count_proof"] = "proven" if count_proven else "unproven"
            if not count_proven:
                notes.append("most pairs not proven (time limit)")
        need = int(x.sum())
        row = _count_row(len(model.goal_names), np.arange(model.n_edges), need)
        model = replace(model.with_rows((row,), ("pair_count",)), bonus=0.0, policy="max_score")
        if not np.isfinite(first.bound) or need != int(first.x.sum()):
            # the score among answers with that many pairs: a bound on it needs a solve
            left = max(_left(deadline, 0.5), 0.05)
            status, out = _threshold_solve(model, np.ones(model.n_edges, bool), left, kw)
            stats["threshold_solves"] += 1
            if status == "feasible":
                first = out
            else:  # the answer in hand, without a bound
                first = replace(first, x=x, objective=float(model.scores[x].sum()), bound=np.inf)
    s = model.scores
    s_low = s if floor is None else np.minimum(s, float(floor))  # the minimum's view
    m0 = 0.0 if floor is None else float(floor)  # the minimum with no free pair
    zero = np.zeros(model.n_edges, dtype=bool)
    empty_ok = need == 0 and model.feasible(zero)
    if weight is None:
        out = _lexicographic(model, first, s_low, m0, empty_ok, need, deadline, kw, stats)
    else:
        out = _weighted(model, first, float(weight), s_low, m0, empty_ok, deadline, kw, stats)
    if not count_proven:
        out.bound = np.inf
    out.message += "".join(f"; {n}" for n in notes)
    gap = relative_gap(out.objective, out.bound)
    out.status = "optimal" if gap <= OPTIMALITY_TOL else "feasible"
    stats = {**first.stats, **stats, "fair_value": out.objective, "fair_bound": out.bound}
    stats["time"] = time.perf_counter() - start
    out.stats = stats
    return out


def _weighted(model, first, w, s_low, m0, empty_ok, deadline, kw, stats) -> GoalOutcome:
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
        if evaluated or time.perf_counter() > deadline:
            done_bound = max(done_bound, top)
            continue
        m = a if b - a < 2 else (a + b + 1) // 2
        remaining = max(deadline - time.perf_counter(), 0.05)
        status, out = _threshold_solve(model, s_low >= levels[m], remaining / 2, kw)
        stats["threshold_solves"] += 1
        if m > a:
            todo.append((a, m - 1, ub, False))
        if status != "feasible":
            if status == "unknown":  # unknown beyond τ_m: keep its bound, stop refining it
                todo.append((m, b, ub, True))
            continue
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


def _lexicographic(model, first, s_low, m0, empty_ok, need, deadline, kw, stats) -> GoalOutcome:
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
        left = deadline - time.perf_counter()
        if left <= 0:
            unknown = True
            break
        mid = (lo + hi + 1) // 2
        steps = int(np.ceil(np.log2(hi - lo + 1))) + 1
        status, out = _threshold_solve(ne, s_low >= levels[mid], left / steps, kw)
        stats["threshold_solves"] += 1
        if status == "feasible":
            best, lo = out, max(level_of(out.x), mid)
            hi = max(hi, lo)
        else:
            unknown |= status == "unknown"
            hi = mid - 1
    tol = max(OPTIMALITY_TOL, kw["gap_limit"])
    if best is not None and relative_gap(best.objective, best.bound) > tol:
        left = deadline - time.perf_counter()
        if left > 0:  # the best total at that level: what time is left
            status, out = _threshold_solve(ne, s_low >= levels[lo], left, kw)
            stats["threshold_solves"] += 1
            if status == "feasible":
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


def _threshold_solve(model, keep, time_limit, kw) -> tuple[str, GoalOutcome | None]:
    """Solve ``model`` on the edges ``keep``: ``("feasible", outcome)`` (its ``x`` an edge
    mask of ``model``, its bound on the score), ``("infeasible", None)`` when proven to have
    no answer, ``("unknown", None)`` when that is not known in time.

    The LP path proves only an infeasible relaxation, and the Lagrangian path proves nothing
    (it searches until its time is up): for them HiGHS first looks for any answer (scores
    aside) on small models and on the Lagrangian path, and again after a failed solve."""
    sub = model.with_edges(keep)
    t0 = time.perf_counter()
    exact = kw["method"] in ("cpsat", "milp")
    blank = replace(sub, scores=np.zeros(sub.n_edges), bonus=0.0)

    def exists(limit: float):
        """``(status, answer or None)`` from HiGHS on the model with the scores set aside."""
        res = cpsat.solve_milp(blank, time_limit=limit)
        if res.x is not None:
            return "feasible", res.x
        return ("infeasible" if res.bound == -np.inf else "unknown"), None

    small = kw["method"] == "lagrangian" or sub.n_edges <= _EXACT_EDGES
    if not exact and small and exists(0.3 * time_limit)[0] == "infeasible":
        return "infeasible", None
    left = time_limit - (time.perf_counter() - t0)
    try:
        out = solve_model(sub, time_limit=max((1.0 if exact else 0.7) * left, 0.01), **kw)
    except Unsolved as exc:
        left = time_limit - (time.perf_counter() - t0)
        if exc.proven or exact or left <= 0:
            return ("infeasible" if exc.proven else "unknown"), None
        status, y = exists(left)
        if y is None:
            return status, None
        objective = float(sub.scores[y].sum())
        out = GoalOutcome(y, objective, np.inf, "feasible", "HiGHS: feasible", {})
    x = np.zeros(model.n_edges, dtype=bool)
    x[np.flatnonzero(keep)[out.x]] = True
    return "feasible", replace(out, x=x)


def _most_pairs(model, x, deadline, seed, workers, method) -> tuple[np.ndarray, bool]:
    """From answer ``x``, an answer with the most pairs the goals allow, and whether that is
    proven: each solve asks for one pair more than the best so far (scores aside), until one
    is proven to have no answer or the time is up."""
    blank = replace(model, scores=np.zeros(model.n_edges), bonus=0.0, policy="max_score")
    every = np.arange(model.n_edges)
    while int(x.sum()) < model.most_pairs:
        left = deadline - time.perf_counter()
        if left <= 0:
            return x, False
        row = _count_row(len(model.goal_names), every, int(x.sum()) + 1)
        more = blank.with_rows((row,), ("pair_count",))
        if method == "cpsat":
            res = cpsat.solve(more, time_limit=left, seed=seed, workers=workers)
        else:
            res = cpsat.solve_milp(more, time_limit=left)
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


# -- infeasibility diagnosis -------------------------------------------------------------------


def diagnose(
    model: GoalModel, *, time_limit: float, seed: int, explain=None
) -> tuple[list[int], str]:
    """A small set of goals that cannot hold together, and a message saying why.

    Cheap counting first (``explain(goal index)``: the goal's own count; a row whose largest
    possible value, or the largest count any assignment can reach, falls short), then CP-SAT
    assumptions shrunk by deletion; everything within ``time_limit`` seconds. A goal is named
    only when it is proven part of the conflict; when that is not proven in time, every goal
    is returned and the message says so."""
    from . import assign

    deadline = time.perf_counter() + max(float(time_limit), 0.0)
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
        if time.perf_counter() >= deadline:
            break  # the counting below solves an assignment per row: not past the deadline
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
