"""Lagrangian relaxation of the goal rows, with the exact assignment inside.

For multipliers ``λ ≥ 0`` on the rows ``G x + H y ≥ b`` (goal rows and indicator links, see
:meth:`GoalModel.ge_rows`), every goal-feasible ``(x, y)`` satisfies ``λ·(G x + H y − b) ≥ 0``,
so the best objective is at most

    L(λ) = max over assignments x of  Σ (w + Gᵀλ)_e x_e  +  Σ_k max(0, (Hᵀλ)_k)  −  λ·b,

an assignment problem with modified weights (solved exactly by :func:`rm_match.assign`, whose
own proven bound is used, so ``L`` is a valid upper bound even on the sparse path). ``L`` is
convex and piecewise linear in ``λ``; each inner solution gives a cut ``L(λ') ≥ w·x +
λ'·(G x + H y − b)``, and a Kelley cutting-plane master (a tiny LP, HiGHS) in a trust region
picks the next ``λ``. Inner solutions that meet every goal are feasible answers; if none does,
*repair* raises the multipliers of the broken rows until the inner solution meets them.

This is ``method="lagrangian"``; ``"lp"`` gets its bound from the LP master instead
(:mod:`.lp`), which converges in far fewer solves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from ...results import OPTIMALITY_TOL, relative_gap
from .._problem import ArrayProblem, capacities_on_both_sides
from ..sparse import FORBIDDEN, INFEASIBLE, DenseSource, solve_sparse
from . import budget as cost
from .budget import Budget
from .model import GoalModel, score_bound


@dataclass
class DualResult:
    bound: float  # best (smallest) proven L(λ)
    lam: np.ndarray  # multipliers at the best bound
    incumbent: np.ndarray | None  # best goal-feasible x found (edge mask), or None
    incumbent_value: float  # its weight (−inf if none)
    iterations: int = 0
    repaired: bool = False
    infeasible: bool = False  # proven: the bound fell below every assignment's weight


#: A model whose edges fill less than this share of its mentor × mentee matrix (and whose
#: matrix has more than :data:`_EDGE_LIST_CELLS` cells) is solved on its edge list: a core of
#: 700 000 pairs at 20 000 per side would otherwise hold three 20 000² arrays (6.8 GB).
_EDGE_LIST_SHARE = 1 / 16
_EDGE_LIST_CELLS = 1 << 22


def on_edge_list(model: GoalModel) -> bool:
    """Whether :class:`Inner` solves ``model`` on its edge list (not on the matrix)."""
    cells = model.n_m * model.n_e
    return cells > _EDGE_LIST_CELLS and model.n_edges < _EDGE_LIST_SHARE * cells


class Inner:
    """The assignment with modified weights, solved exactly on the model's edges: on the
    mentor × mentee matrix (the dense backends), or on the edge list (a certified min-cost
    flow, :func:`~..edges.solve_edges`) when the edges are few for the matrix."""

    def __init__(self, model: GoalModel) -> None:
        self.model = model
        n_m, n_e = model.n_m, model.n_e
        self.edge_list = on_edge_list(model)
        if self.edge_list:
            return
        self.index = np.full((n_m, n_e), -1, dtype=np.int64)
        self.index[model.mi, model.ei] = np.arange(model.n_edges)
        self.dense = np.zeros((n_m, n_e))
        self.mask = np.zeros((n_m, n_e), dtype=bool)

    def solve(self, w: np.ndarray) -> tuple[np.ndarray, float]:
        """Best assignment for edge weights ``w`` (pairs with ``w ≤ 0`` left out): the 0/1
        edge vector and a proven upper bound on its value."""
        from ..registry import Needs, choose

        m = self.model
        x = np.zeros(m.n_edges, dtype=bool)
        pos = w > 0
        if not pos.any() or m.k_max == 0:
            return x, 0.0
        if self.edge_list:
            from ..edges import solve_edges

            on = np.flatnonzero(pos)
            a = solve_edges(
                m.n_m,
                m.n_e,
                m.mi[on],
                m.ei[on],
                w[on],
                m.m_cap,
                m.e_cap,
                "max_score",
                method="flow",
            )
            x[m.edges_of(a.pairs[:, 0], a.pairs[:, 1])] = True
            return x, float(w[x].sum()) + max(float(a.bound - a.objective), 0.0)
        self.dense[m.mi, m.ei] = w
        self.mask[:] = False
        self.mask[m.mi[pos], m.ei[pos]] = True
        # the arrays are ours and valid: skip assign()'s validation copies
        problem = ArrayProblem(
            self.dense, self.mask, m.m_cap, m.e_cap, "max_score", None, np.random.default_rng(0)
        )
        pairs, slack, _ = choose(Needs.of_problem(problem)).solve(problem)
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        x[self.index[pairs[:, 0], pairs[:, 1]]] = True
        return x, float(w[x].sum()) + float(slack)


def dual(
    model: GoalModel,
    budget: Budget | float,
    *,
    max_iter: int | None = None,
    tol: float = OPTIMALITY_TOL,
    gap_limit: float = 0.0,
) -> DualResult:
    """Minimise ``L(λ)`` by Kelley cutting planes in a trust region; keep feasible inner
    solutions. Stops when ``budget`` is spent (a :class:`~.budget.Budget`, each iteration
    charged one exact assignment; or a ``time.perf_counter()`` deadline), at ``max_iter``
    (``None``: no cap), when the master's lower estimate is within ``tol`` of the best
    bound, or when the best feasible answer's gap on the scores is at most ``max(gap_limit,
    tol)``. Both tests are relative to the scores, not to the weights: under ``max_matched``
    the coverage bonus makes the weights ``k·bonus`` larger, and a tolerance on them is
    coarse.

    A bound below the weight of every assignment (``Σ min(w_e, 0)``: no assignment weighs
    less) proves that none meets the goals: ``infeasible`` is set and the search stops."""
    budget = Budget.of(budget)
    g, h, b, tot, _ = model.ge_rows
    # no assignment weighs less than its negative weights together
    floor = float(np.minimum(model.weights, 0.0).sum())
    inner = Inner(model)
    w = model.weights
    n_rows = len(b)
    res = DualResult(np.inf, np.zeros(n_rows), None, -np.inf)
    zero = np.zeros(model.n_edges, dtype=bool)
    if model.feasible(zero):
        res.incumbent, res.incumbent_value = zero, 0.0
    # multipliers live on the score scale (a pair's score against a row coefficient), not on
    # the coverage bonus's: start the trust region there and let it grow
    span = float(np.ptp(model.scores)) if model.n_edges else 1.0
    coef = max(float(abs(g).max()) if g.nnz else 1.0, float(np.abs(tot).max(initial=1.0)))
    span = max(span, 1e-9) / max(coef, 1.0)
    radius = span
    lam = np.zeros(n_rows)
    center = lam
    cuts_c: list[float] = []
    cuts_g: list[np.ndarray] = []
    it = 0
    while max_iter is None or it < max_iter:
        it += 1
        res.iterations = it
        with budget.stage("Lagrangian"):
            x, ub, sub, value = _evaluate(model, inner, g, h, b, tot, w, lam)
        budget.charge(_assignment_cost(model))
        if ub < res.bound:
            improved = res.bound - ub
            res.bound, res.lam = ub, lam.copy()
            center = lam
            if improved > 0:
                radius = min(radius * 2.0, 1e6 * span)
        else:
            radius = max(radius * 0.5, 1e-9 * span)
        _keep_primal(model, res, x, value)
        cuts_c.append(value)
        cuts_g.append(sub)
        if res.bound < floor - tol * max(1.0, abs(floor)):
            res.infeasible = True
            return res
        if n_rows == 0 or budget.over():
            break
        if res.incumbent is not None and score_gap(model, res.incumbent, res.bound) <= max(
            gap_limit, tol
        ):
            break
        lam, theta = _master(np.array(cuts_c), np.array(cuts_g), center, radius)
        budget.charge(cost.KELLEY)
        if res.bound - theta <= tol * _score_scale(model, res.bound):
            break
    if n_rows and (res.incumbent is None or not res.incumbent.any()):
        _repair(model, inner, g, h, b, tot, w, res, budget, span)
    return res


def _assignment_cost(model: GoalModel) -> float:
    """Work of one exact assignment over the model's pairs (:class:`Inner`)."""
    if on_edge_list(model):
        return cost.CALL + cost.SPARSE_EDGE * model.n_edges
    return cost.CALL + cost.CELL * float(model.n_m) * float(model.n_e)


def score_gap(model: GoalModel, x: np.ndarray, bound: float) -> float:
    """The relative gap of answer ``x`` on the scores under ``bound`` on the weights."""
    objective = float(model.scores[x].sum())
    return relative_gap(objective, max(score_bound(model, int(x.sum()), bound), objective))


def _score_scale(model: GoalModel, bound: float) -> float:
    """What a bound on the weights is relative to: the scores' part of it (at least 1)."""
    if not np.isfinite(bound):
        return 1.0
    return max(1.0, abs(bound - model.bonus * min(model.k_max, model.most_pairs)))


def close_gap(
    model: GoalModel,
    res: DualResult,
    budget: Budget | float,
    *,
    rng: np.random.Generator,
    gap_limit: float = 0.0,
    exact_edges: int = 4000,
) -> tuple[np.ndarray | None, float, str, dict]:
    """Spend what is left of ``budget`` (a :class:`~.budget.Budget` or a
    ``time.perf_counter()`` deadline) on the answer: fix the pairs whose Lagrangian
    reduced cost at the best multipliers (:class:`ExactLagrangian`) puts every answer using
    them below the one in hand, then search the rest exactly with HiGHS when at most
    ``exact_edges`` pairs are left (its bound proves the optimum), else improve the answer
    by a large-neighbourhood search (HiGHS) under the Lagrangian bound.

    Returns ``(answer, bound on the weight, what was done, stats)``; the answer is ``None``
    only when none is known."""
    from . import highs, lp  # late import: lp imports this module

    budget = Budget.of(budget)
    x, bound = res.incumbent, res.bound
    stats: dict = {}
    done = max(gap_limit, OPTIMALITY_TOL)
    if model.n_edges == 0 or budget.over():
        return x, bound, "", stats
    if x is not None and score_gap(model, x, bound) <= done:
        return x, bound, "", stats
    keep = np.ones(model.n_edges, dtype=bool)
    steps = ""
    if x is not None and not capacities_on_both_sides(model.m_cap, model.e_cap):
        with budget.stage("exact L"):
            e = ExactLagrangian(model).evaluate(res.lam)
        budget.charge(cost.CALL + cost.SPARSE_EDGE * model.n_edges)
        if e is not None and e.covers(x):
            # L(λ) bounds the answers with as many pairs as this one (the most)
            bound = min(bound, e.bound)
            value = float(model.weights[x].sum())
            tol = OPTIMALITY_TOL * _score_scale(model, bound)
            keep = (bound + np.minimum(e.rc, 0.0) >= value - tol) | x
            steps = " + reduced-cost fixing"
    stats["kept_edges"] = int(keep.sum())
    if keep.sum() <= exact_edges:
        count = None if x is None else int(x.sum())
        proven = count is not None and model.bonus and np.isfinite(score_bound(model, count, bound))
        with budget.stage("HiGHS"):
            sub = highs.solve_milp(
                model.with_edges(keep),
                min_pairs=count if proven else None,
                gap=max(gap_limit if proven else _weight_gap(model, gap_limit), 1e-9),
                budget=budget,
                essential=x is None,  # the answer comes first
            )
        stats["solver_status"] = sub.status
        value = -np.inf if x is None else float(model.weights[x].sum())
        if sub.x is not None and sub.value > value:
            x = np.zeros(model.n_edges, dtype=bool)
            x[np.flatnonzero(keep)[sub.x]] = True
            value = sub.value
        if x is not None or sub.bound == -np.inf:
            bound = min(bound, max(sub.bound, value))
        return x, bound, f"{steps} + HiGHS: {sub.status}", stats
    if x is None:
        return x, bound, steps, stats
    with budget.stage("search"):
        x, rounds = lp.improve(
            model, x, keep, budget, rng, stop=lambda y: score_gap(model, y, bound) <= done
        )
    stats["lns_rounds"] = rounds
    return x, bound, f"{steps} + large-neighbourhood search (HiGHS)", stats


def _weight_gap(model: GoalModel, gap_limit: float) -> float:
    """A relative gap on the weights no looser than ``gap_limit`` on the scores."""
    if gap_limit <= 0 or not model.bonus or model.n_edges == 0:
        return gap_limit
    low = float(np.abs(model.scores).min())
    return gap_limit * low / (low + model.bonus)


def value_at(model: GoalModel, lam: np.ndarray) -> float:
    """``L(λ)`` itself, by one exact assignment over every pair: a bound no looser than the
    potentials' (which :mod:`.lp` uses while pricing, as it needs no assignment)."""
    g, h, b, tot, _ = model.ge_rows
    return _evaluate(model, Inner(model), g, h, b, tot, model.weights, lam)[1]


def _evaluate(model, inner, g, h, b, tot, w, lam):
    wl = w + g.T @ lam + float(tot @ lam)
    ycoef = h.T @ lam
    x, ub = inner.solve(wl)
    y = ycoef > 0
    sub = g @ x.astype(float) + h @ y.astype(float) + tot * float(x.sum()) - b
    bound = ub + float(ycoef[y].sum()) - float(lam @ b)
    return x, bound, sub, float(w[x].sum())


def _keep_primal(model: GoalModel, res: DualResult, x: np.ndarray, value: float) -> None:
    if value > res.incumbent_value and model.feasible(x):
        res.incumbent, res.incumbent_value = x, value


def _master(cuts_c, cuts_g, center, radius):
    """Kelley master: min θ s.t. θ ≥ c_k + λ·g_k, λ ≥ 0 within ``radius`` of ``center``."""
    n = cuts_g.shape[1]
    cost = np.zeros(n + 1)
    cost[-1] = 1.0
    a_ub = np.hstack([cuts_g, -np.ones((len(cuts_c), 1))])
    bounds = [(max(0.0, c - radius), c + radius) for c in center] + [(None, None)]
    out = linprog(cost, A_ub=a_ub, b_ub=-cuts_c, bounds=bounds, method="highs")
    if out.status != 0:  # pragma: no cover - the box keeps the master bounded and feasible
        return center, -np.inf
    return np.maximum(out.x[:n], 0.0), float(out.x[-1])


def _repair(model, inner, g, h, b, tot, w, res, budget, span) -> None:
    """Raise the multipliers of broken rows until an inner solution meets every goal;
    ``res`` gets the first feasible one. Within ``budget``'s work and wall clock.

    Each broken row's multiplier goes up by a step that starts small (a hundredth of the
    score span, or of the multiplier) and doubles while the row stays broken: the answer
    gives up little more than it must. (Doubling the multiplier itself overshot: on the
    three-goal benchmark's core at 5 000 per side, 66 693 pairs and 30 rows, it met no
    answer in its tries; this repair met one 0.04 % under the bound.)"""
    lam = res.lam.copy()
    step = np.maximum(0.01 * lam, 0.01 * span)
    for _ in range(24):
        if budget.over():
            return
        x, _, sub, value = _evaluate(model, inner, g, h, b, tot, w, lam)
        budget.charge(_assignment_cost(model))
        if model.feasible(x):
            _keep_primal(model, res, x, value)
            res.repaired = True
            return
        bad = sub < -1e-9
        if not bad.any():  # rows hold but capacities cannot break: numerical corner
            return
        lam[bad] += step[bad]
        step[bad] *= 2.0


# -- the Lagrangian bound over every pair, warm-started, for column generation ------------------


@dataclass
class Exact:
    """``L(λ)`` evaluated exactly over every pair (see :class:`ExactLagrangian`)."""

    bound: float  # on the weights (score + bonus): w·x ≤ bound + min(rc_e, 0) for e in x
    rc: np.ndarray  # per edge; -inf where no answer it bounds can use the edge
    x: np.ndarray  # the inner assignment (edge mask)
    count: int | None  # the bound holds for answers with this many pairs (None: any)

    def covers(self, x: np.ndarray) -> bool:
        """Whether the bound holds for answer ``x`` (an edge mask)."""
        return self.count is None or self.count == int(x.sum())


class ExactLagrangian:
    """``L(λ)`` over every pair by the sparse path (:func:`.sparse.solve_sparse`) on an
    in-memory matrix, each solve's candidates ranked by the last one's potentials.

    Under ``max_score`` the inner problem is ``max Σ (w + Gᵀλ + t·λ)_e x_e`` over all
    assignments, and the bound holds for every answer. Under ``max_matched`` the coverage
    bonus is left out of the inner weights (a bonus that large makes the flow's integer
    costs coarse and its solves 2–3× slower); the inner problem is the best assignment *with
    the most pairs* ``K``, so the bound holds for answers with ``K`` pairs only (``count``):
    the caller uses it when its answer has that many, which makes it lexicographically
    optimal in the count. Reduced costs come from the certificate's potentials ``u, v, μ``:
    for an answer ``x`` in that class, ``w'·x ≤ Σ c·u + Σ c·v + μ·K + Σ_{e∈x} rc_e``; pairs
    with both ends in the König cover are in no assignment with ``K`` pairs (``rc = -inf``).
    """

    def __init__(self, model: GoalModel) -> None:
        self.model = model
        # the cells of no edge hold FORBIDDEN for good; each evaluation writes the edges'
        self.dense = np.full((model.n_m, model.n_e), FORBIDDEN)
        self.mask = np.zeros((model.n_m, model.n_e), dtype=bool)
        # each edge's cell in the flat matrix: writing through it is 6× faster than (mi, ei)
        self.flat = model.mi.astype(np.int64) * model.n_e + model.ei
        self.mask.ravel()[self.flat] = True
        self.policy = "max_matched" if model.bonus else "max_score"
        self.warm: tuple[np.ndarray, np.ndarray] | None = None
        self.evaluations = 0

    def evaluate(self, lam: np.ndarray) -> Exact | None:
        """``L(λ)``, or ``None`` when the sparse path gives no certificate."""
        m = self.model
        if m.n_edges == 0:
            return None
        self.evaluations += 1
        g, h, b, tot, _ = m.ge_rows
        w = g.T @ lam
        w += m.scores
        w += float(tot @ lam)
        const = float(np.maximum(h.T @ lam, 0).sum()) - float(lam @ b)
        # the screen reads values at or below INFEASIBLE as forbidden pairs
        if self.policy == "max_matched":
            shift = max(0.0, -float(w.min(initial=0.0)))  # a constant per pair: same choice
            self.dense.ravel()[self.flat] = w + shift
        else:
            shift = 0.0
            self.dense.ravel()[self.flat] = np.maximum(w, INFEASIBLE / 2)  # ≤ 0: never chosen
        cm, ce = m.degree_caps  # no more partners than pairs: the cover counts capacities
        pairs, slack, _, st = solve_sparse(
            DenseSource(self.dense, self.mask, filled=True),
            cm,
            ce,
            self.policy,
            k=8,
            rng=0,
            prior=self.warm,
        )
        if not np.isfinite(slack) or st.duals is None:
            return None
        u, v, mu = st.duals
        self.warm = (u + mu, v)
        x = np.zeros(m.n_edges, dtype=bool)
        x[m.edges_of(pairs[:, 0], pairs[:, 1])] = True
        count = len(pairs)
        rc = w
        rc += shift - mu
        rc -= u[m.mi]
        rc -= v[m.ei]
        if self.policy == "max_matched":
            assert st.cover is not None  # max_matched always reports its cover
            in_a, in_b = st.cover
            rc[in_a[m.mi] & in_b[m.ei]] = -np.inf
        # Σ_{e∈x} rc_e ≤ (every positive rc) + min(rc_f, 0) for any f in x
        base = float(cm @ u + ce @ v) + mu * count + float(np.maximum(rc, 0).sum())
        if self.policy == "max_matched":
            return Exact(base - shift * count + const + m.bonus * count, rc, x, count)
        return Exact(base + const, rc, x, None)
