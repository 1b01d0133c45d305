"""The LP relaxation of a goal model by column generation, its Lagrangian bound over every
pair, and rounding to an answer that meets every goal.

**Master.** The LP relaxation (``0 ≤ x, y ≤ 1``) on a *core* of candidate pairs, solved by
OR-tools GLOP in one model kept across rounds (each solve warm-starts): capacities, the goal
rows and indicator links of :attr:`GoalModel.ge_rows`, an elastic slack on each goal row
(priced high, so the master is always feasible) and one variable for the number of pairs (so
share rows stay sparse).

**Bound.** The master's duals give multipliers ``λ ≥ 0`` on the rows and potentials
``u, v ≥ 0`` on the capacities. For *any* such ``λ, u, v`` and every goal-feasible ``x`` over
*all* pairs (not only the core),

    w·x ≤ L(λ) ≤ Σ_i c_i u_i + Σ_j c_j v_j + Σ_k max(0, (Hᵀλ)_k) − λ·b + Σ_e max(0, rc_e),

with ``rc_e = w_e + (Gᵀλ)_e + t·λ − u_i − v_j`` the reduced cost of pair ``e`` (or the same with
``u`` or ``v`` raised so every ``rc_e ≤ 0``, whichever is smaller): :func:`reduced_costs`,
:func:`dual_value`. The bound is computed over every pair with array operations, so it holds
for the whole problem whatever the core. **Pricing** adds the pairs with ``rc_e > 0`` (the
best one per participant) and solves again, until none is left, the LP stops improving, or
time is up.

**Rounding.** Pairs at 1 in the LP are fixed, and HiGHS finishes the rest as a small MIP on the
core pairs between participants with room left (:func:`round_lp`).

**Infeasibility.** With zero weights and unit slack cost the same bound proves that no
assignment meets the rows when ``L(λ) < 0``.

**Work.** Every step spends from a :class:`~.budget.Budget`: a simplex iteration limit on
each master (from the work left: deterministic), columns, array passes over every pair and
the exact evaluations of ``L(λ)`` charged by their cost model; the wall clock only caps each
solve's own time limit and stops a round that would start past the deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from . import budget as cost
from . import highs
from .budget import Budget
from .lagrangian import Exact, ExactLagrangian
from .model import GoalModel

_CORE_K = 3  # pairs per participant in the first core
_DENSE_TOP_MIN = 1 << 20  # edges from which the first core is picked on a dense matrix
_DENSE_TOP_MAX = 1 << 26  # ... if the matrix has at most this many cells
_ADD_K = 1  # pairs per participant priced in per round (the master slows down as it grows)
_MAX_ITERATIONS = 1 << 40  # a simplex iteration limit that never binds
_PASSES = 6  # array passes over every pair per round (reduced costs, bound, pricing)
_ROUND_WORK = 2.0  # work one round of the neighbourhood search may spend at most


@dataclass
class Relaxation:
    """What column generation ends with."""

    core: np.ndarray  # edge indices in the last master
    x: np.ndarray  # LP value of each core edge
    value: float  # LP optimum on the core
    bound: float  # best proven bound over every pair (``inf`` if none)
    rc: np.ndarray  # reduced cost of every edge at the best bound (all ≤ the bound's slack)
    slack: float  # elastic slack in the LP optimum (0 when the rows hold)
    rounds: int
    lam: np.ndarray  # the multipliers at the best bound
    infeasible: bool = False  # proven: no assignment meets the goal rows
    exact: Exact | None = None  # the best exact Lagrangian bound, if evaluated
    pending: np.ndarray | None = None  # edges priced in after the last master (candidates)


@dataclass(frozen=True)
class LPRound:
    """One round of column generation, for progress and logs (see :func:`relax`'s
    ``on_round``): counts, values and seconds."""

    round: int
    columns: int  # pair columns in this round's master
    added: int  # columns priced in for the next round
    value: float  # the master's LP optimum (weights: score + coverage bonus)
    bound: float  # the best bound proven so far over every pair (weights)
    slack: float  # elastic slack in the LP optimum (0 when every goal row holds)
    seconds: float  # the round: master solve, pricing and any exact evaluation


def top_per_participant(
    model: GoalModel, value: np.ndarray, k: int, among: np.ndarray | None = None
) -> np.ndarray:
    """The ``k`` edges of largest ``value`` of every mentor and of every mentee: a mask over
    the edges, or with ``among`` (edge indices) a mask over ``among``."""
    val = value if among is None else value[among]
    keep = np.zeros(len(val), dtype=bool)
    if len(val) == 0:
        return keep
    if among is None and len(val) > _DENSE_TOP_MIN and model.n_m * model.n_e <= _DENSE_TOP_MAX:
        # most pairs are edges: partial sorts of the dense matrix beat sorting the edges
        dense = np.full((model.n_m, model.n_e), -np.inf)
        dense[model.mi, model.ei] = val
        index = np.full((model.n_m, model.n_e), -1, dtype=np.int64)
        index[model.mi, model.ei] = np.arange(len(val))
        for axis in (1, 0):
            kk = min(k, dense.shape[axis])
            part = np.argpartition(-dense, kk - 1, axis=axis).take(np.arange(kk), axis=axis)
            ids = np.take_along_axis(index, part, axis=axis).ravel()
            keep[ids[ids >= 0]] = True
        return keep
    best_first = np.argsort(-val, kind="stable")
    for side in (model.mi, model.ei):
        group = (side if among is None else side[among])[best_first]
        order = np.argsort(group, kind="stable")  # by participant, best first within each
        group = group[order]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        rank = np.arange(len(group)) - np.repeat(starts, np.diff(np.r_[starts, len(group)]))
        keep[best_first[order[rank < k]]] = True
    return keep


def reduced_costs(
    model: GoalModel,
    lam: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """``rc_e = w_e + (Gᵀλ)_e + t·λ − u_i − v_j`` for every edge, and the constant part of
    the Lagrangian, ``Σ_k max(0, (Hᵀλ)_k) − λ·b``."""
    g, h, b, t, _ = model.ge_rows
    w = model.weights if weights is None else weights
    rc = g.T @ lam  # in place from here: these arrays have one entry per pair
    rc += w
    rc += float(t @ lam)
    rc -= u[model.mi]
    rc -= v[model.ei]
    const = float(np.maximum(h.T @ lam, 0).sum()) - float(lam @ b)
    return rc, const


def dual_value(
    model: GoalModel, rc: np.ndarray, const: float, u: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, float]:
    """The bound ``D`` above from :func:`reduced_costs` at multipliers ``λ ≥ 0`` and
    potentials ``u, v ≥ 0``, and reduced costs ``rc'`` with ``w·x ≤ D + min(rc'_e, 0)`` for
    every goal-feasible ``x`` that uses pair ``e`` (reduced-cost fixing)."""
    cm, ce = model.degree_caps
    base = float(cm @ u + ce @ v) + const
    # (a) pay each positive reduced cost once
    d_a = base + float(np.maximum(rc, 0).sum())
    # (b) raise each mentor's (or each mentee's) potential by its largest reduced cost
    up_m, up_e = model.largest_per_participant(rc)
    if float(cm @ up_m) <= float(ce @ up_e):
        d_b, rc_b = base + float(cm @ up_m), rc - up_m[model.mi]
    else:
        d_b, rc_b = base + float(ce @ up_e), rc - up_e[model.ei]
    return (rc, d_a) if d_a <= d_b else (rc_b, d_b)


@dataclass
class _Solution:
    x: np.ndarray  # LP value of each column, in the order added
    lam: np.ndarray
    u: np.ndarray
    v: np.ndarray
    value: float
    slack: float


class _Master:
    """The LP on a growing core (see the module docstring), kept in one OR-tools GLOP model:
    pricing adds columns and each solve warm-starts from the last basis (a cold HiGHS solve
    per round was 3–10× slower on the benchmark models)."""

    def __init__(self, model: GoalModel, weights: np.ndarray, price: float) -> None:
        g, h, b, t, owner = model.ge_rows
        self.model, self.weights, self.g = model, weights, g
        s = self.solver = pywraplp.Solver.CreateSolver("GLOP")
        inf = s.infinity()
        self.cap_m = [s.Constraint(-inf, float(c)) for c in model.m_cap]
        self.cap_e = [s.Constraint(-inf, float(c)) for c in model.e_cap]
        self.rows = [s.Constraint(float(lo), inf) for lo in b]
        self.objective = s.Objective()
        self.objective.SetMaximization()
        # the number of pairs, so share rows stay sparse
        pairs = s.NumVar(0.0, inf, "")
        self.count = s.Constraint(0.0, 0.0)
        self.count.SetCoefficient(pairs, -1.0)
        for kt in np.flatnonzero(t):
            self.rows[kt].SetCoefficient(pairs, float(t[kt]))
        hc = h.tocsc()
        for k in range(hc.shape[1]):
            y = s.NumVar(0.0, 1.0, "")
            for r, a in zip(*self._column(hc, k), strict=True):
                self.rows[r].SetCoefficient(y, a)
        self.slacks = []
        for k in np.flatnonzero(owner >= 0).tolist():
            z = s.NumVar(0.0, inf, "")
            self.rows[k].SetCoefficient(z, 1.0)
            self.slacks.append(z)
        self.set_price(price)
        self.x: list = []
        self.fixed_columns = 1 + hc.shape[1] + len(self.slacks)
        self.iterations = 0  # simplex iterations of the last solve

    @property
    def size(self) -> int:
        """Rows + columns of the master (what one simplex iteration costs)."""
        n_rows = len(self.cap_m) + len(self.cap_e) + len(self.rows) + 1
        return n_rows + self.fixed_columns + len(self.x)

    @staticmethod
    def _column(mat, j):
        lo, hi = mat.indptr[j], mat.indptr[j + 1]
        return mat.indices[lo:hi].tolist(), mat.data[lo:hi].tolist()

    def set_price(self, price: float) -> None:
        for z in self.slacks:
            self.objective.SetCoefficient(z, -float(price))

    def add(self, edges: np.ndarray) -> None:
        m = self.model
        cols = self.g[:, edges].tocsc()  # the new columns only (not the whole matrix)
        for j, e in enumerate(edges.tolist()):
            var = self.solver.NumVar(0.0, 1.0, "")
            self.cap_m[m.mi[e]].SetCoefficient(var, 1.0)
            self.cap_e[m.ei[e]].SetCoefficient(var, 1.0)
            self.count.SetCoefficient(var, 1.0)
            for r, a in zip(*self._column(cols, j), strict=True):
                self.rows[r].SetCoefficient(var, a)
            self.objective.SetCoefficient(var, float(self.weights[e]))
            self.x.append(var)

    def solve(self, budget: Budget, work: float) -> _Solution | None:
        """The LP optimum and its duals; ``None`` if GLOP stops without one: at the simplex
        iteration limit that ``work`` units buy (deterministic; ``inf``: none), or at the
        wall-clock deadline of ``budget`` (which marks the run). The iterations are charged
        to ``budget``.

        Primal simplex: dual simplex solved the first n = 5 000 master 7× faster, but its
        optimal vertices round worse and stall column generation (n = 2 000: gap 1.5e-3
        at 60 s instead of 6.6e-6 in 10 s)."""
        size = self.size
        iterations = _MAX_ITERATIONS
        if np.isfinite(work):
            iterations = int(min(max(work, 0.0) / (cost.PIVOT * size), _MAX_ITERATIONS))
        self.solver.SetSolverSpecificParametersAsString(
            f"max_number_of_iterations: {max(iterations, 1)}"
        )
        limit = budget.backend_limit()
        self.solver.SetTimeLimit(max(int(limit * 1000), 10))
        t = time.perf_counter()
        status = self.solver.Solve()
        took = time.perf_counter() - t
        self.iterations = int(self.solver.iterations())
        budget.charge(cost.CALL + cost.PIVOT * size * self.iterations)
        if status != pywraplp.Solver.OPTIMAL:
            if self.iterations < iterations:  # not the iteration limit: the clock?
                budget.timed(took, limit)
            return None
        # maximisation: ≤ rows have duals ≥ 0, ≥ rows duals ≤ 0
        return _Solution(
            x=np.array([v.solution_value() for v in self.x]),
            lam=np.maximum([-c.dual_value() for c in self.rows], 0.0),
            u=np.maximum([c.dual_value() for c in self.cap_m], 0.0),
            v=np.maximum([c.dual_value() for c in self.cap_e], 0.0),
            value=float(self.objective.Value()),
            slack=float(sum(z.solution_value() for z in self.slacks)),
        )


def relax(
    model: GoalModel,
    budget: Budget | float,
    *,
    extra: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    penalty: float | None = None,
    max_rounds: int = 30,
    gap: float = 0.0,
    exact: ExactLagrangian | None = None,
    done=None,
    at_zero: Exact | None = None,
    on_round: Callable[[LPRound], None] | None = None,
) -> Relaxation | None:
    """Column generation (see the module docstring) until ``budget`` is spent (a
    :class:`~.budget.Budget`, or a ``time.perf_counter()`` deadline), or until the bound is
    within ``gap / 4`` (relative, on the scores) of the LP (room for rounding to lose as much
    again); ``extra``: edges to put in the first core. ``None`` if not even the first master
    was solved.

    The first master is solved whatever the work (no answer comes without it; only the wall
    clock stops it); each later one gets an iteration limit from the work left, and is not
    started when the last one's iterations would not fit.

    ``exact``: ``L(λ)`` is also evaluated exactly over every pair, at ``λ = 0`` before the
    first master and at each master's multipliers; its inner assignments join the core (the
    columns the Lagrangian problem wants, a whole assignment at once) and the best of its
    bounds is kept (:attr:`Relaxation.exact`). The potentials' bound converges far more
    slowly on large models (at n = 5 000: 2 459 after five rounds, against 2 209.5 for
    ``L(λ)`` at the same multipliers, the LP optimum being 2 208.7). A first core with the
    best assignment on the top pairs only, instead of over every pair, left the first master
    short of pairs at n = 5 000 (about 4 916 of 5 000, by its LP value).

    ``done(relaxation)``, called after each round's pricing, stops column generation when it
    returns true (e.g. an answer rounded from it is already within the gap asked for).

    ``on_round(LPRound)`` is told of each round whose master was solved (progress, logs).

    ``at_zero``: ``L(0)`` already evaluated by ``exact`` (the caller's), not evaluated
    again. Without ``exact``, the best assignment over every pair (goals aside) is best
    passed in ``extra``: on the issue-17 models (n = 1 200 and 1 500, three goals) the first
    master then reached the LP optimum itself, where the top pairs alone needed three rounds
    (1 486 pairs of 1 500 after two).

    The slack price starts at ten times the largest weight (a large price slows HiGHS down
    severalfold) and is raised a hundredfold, up to more than the whole objective, while the
    converged master still needs slack."""
    budget = Budget.of(budget)
    w = model.weights if weights is None else weights
    top = float(np.abs(w).max(initial=0.0))
    ceiling = 10.0 * (max(model.k_max, 1) * top + 1.0)  # more than any row is worth
    price = min(10.0 * (top + 1.0), ceiling) if penalty is None else penalty
    ceiling = max(ceiling, price)
    with budget.stage("model"):
        # the rows, the indicator links and the first core, over every pair
        budget.charge(cost.EDGE * model.n_edges)
        start = top_per_participant(model, w, _CORE_K)
        if extra is not None:
            start |= extra
        model.ge_rows  # noqa: B018 - built here, so that its time counts as the model's
    # at λ = 0 first: the best assignment over every pair joins the first core (the first
    # master can then have as many pairs as any answer, with pairs that score well)
    best_exact = at_zero
    evaluation = cost.CALL + cost.SPARSE_EDGE * model.n_edges  # one exact L(λ)
    if exact is not None and best_exact is None and budget.fits(evaluation):
        with budget.stage("exact L"):
            best_exact = exact.evaluate(np.zeros(len(model.ge_rows[2])))
        budget.charge(evaluation)
    if best_exact is not None:
        start |= best_exact.x
    core = np.flatnonzero(start)
    if budget.expired():
        return None
    with budget.stage("LP master"):
        master = _Master(model, w, price)
        master.add(core)
    budget.charge(cost.COLUMN * len(core))
    best: Relaxation | None = None
    last = -np.inf
    stalled = 0

    def report(rounds: int, m: _Solution, added: int, t: float) -> None:
        if on_round is not None:
            assert best is not None
            top = min(best.bound, best_exact.bound) if best_exact else best.bound
            seconds = time.perf_counter() - t
            on_round(LPRound(rounds, len(m.x), added, m.value, top, m.slack, seconds))

    for rounds in range(1, max_rounds + 1):
        t_round = time.perf_counter()
        if best is None:  # the first master: whatever the work, until the deadline
            with budget.stage("LP"):
                m = master.solve(budget, np.inf)
        else:
            # a master costs about what the last one did: not started if that will not fit
            if budget.left() < 0.5 * cost.PIVOT * master.size * master.iterations:
                break
            with budget.stage("LP"):
                m = master.solve(budget, budget.left())
        if m is None:
            break
        budget.charge(_PASSES * cost.SCAN * model.n_edges)  # reduced costs and pricing
        rc, const = reduced_costs(model, m.lam, m.u, m.v, weights)
        # with L(λ) evaluated exactly, the potentials' bound is only a fallback (for answers
        # with fewer pairs than L(λ) covers): the first round's is kept, the rest not computed
        if exact is None or best is None:
            rc_fix, bound = dual_value(model, rc, const, m.u, m.v)
            if best is None or bound < best.bound:
                best = Relaxation(core, m.x, m.value, bound, rc_fix, m.slack, rounds, m.lam)
        # the latest master's solution (the bound is the best one seen)
        best.core, best.x, best.value, best.slack, best.rounds = core, m.x, m.value, m.slack, rounds
        best.exact = best_exact
        if budget.over():
            report(rounds, m, 0, t_round)
            break
        wanted = np.empty(0, dtype=np.int64)
        if exact is not None and budget.fits(evaluation):
            with budget.stage("exact L"):
                ev = exact.evaluate(m.lam)
            budget.charge(evaluation)
            if ev is not None:
                wanted = np.flatnonzero(ev.x)
                if best_exact is None or ev.bound < best_exact.bound:
                    best.exact = best_exact = ev
        top_bound = min(best.bound, best_exact.bound) if best_exact else best.bound
        score = abs(m.value - model.bonus * float(m.x.sum())) if weights is None else 0.0
        stalled = stalled + 1 if m.value <= last + 1e-9 * max(1.0, abs(m.value)) else 0
        last = m.value
        pos = np.flatnonzero(rc > 1e-9 * max(1.0, top))
        most = 8 * _ADD_K * (model.n_m + model.n_e)
        if len(pos) > most:  # only the best of them can be added this round anyway
            pos = pos[np.argpartition(-rc[pos], most)[:most]]
        new = np.union1d(pos[top_per_participant(model, rc, _ADD_K, among=pos)], wanted)
        new = new[~np.isin(new, core)]
        best.pending = new
        report(rounds, m, len(new), t_round)
        if done is not None and done(best):
            break
        # converged: the bound meets the LP, no pair prices in, or the LP stopped moving
        # (what is left is dual degeneracy)
        close = top_bound - m.value <= max(1e-7, gap / 4) * max(1.0, score) and m.slack <= 1e-7
        if close or len(new) == 0 or stalled >= 2:
            if m.slack <= 1e-7 or price >= ceiling:
                break
            price, last, stalled = min(price * 100.0, ceiling), -np.inf, 0
            master.set_price(price)
            continue
        if budget.over():
            break  # no work for another master: rounding still sees these pairs
        with budget.stage("LP master"):
            master.add(new)
        budget.charge(cost.COLUMN * len(new))
        core = np.concatenate([core, new])
    return best


def prove_infeasible(model: GoalModel, budget: Budget | float) -> bool:
    """``True`` when no assignment meets the goal rows (the phase-one bound is negative);
    ``budget``: a :class:`~.budget.Budget` or a ``time.perf_counter()`` deadline."""
    r = relax(model, budget, weights=np.zeros(model.n_edges), penalty=1.0)
    return r is not None and r.bound < -1e-7


def round_lp(
    model: GoalModel,
    relaxation: Relaxation,
    *,
    time_limit: float | None = None,
    budget: Budget | None = None,
) -> np.ndarray | None:
    """An answer meeting every goal near the LP optimum: the pairs at 1 are fixed and HiGHS
    solves the rest on the core pairs between participants with room left. Returns an edge
    mask of ``model``, or ``None`` if none was found. HiGHS runs whatever the work left in
    ``budget`` (an answer comes first), within its wall clock; without a budget, within
    ``time_limit`` seconds."""
    if budget is None:
        budget = Budget.seconds(60.0 if time_limit is None else time_limit)
    return round_columns(
        model, relaxation.core, relaxation.x, budget=budget, pending=relaxation.pending
    )


def round_columns(
    model: GoalModel,
    columns: np.ndarray,
    x: np.ndarray,
    *,
    budget: Budget,
    pending: np.ndarray | None = None,
) -> np.ndarray | None:
    """:func:`round_lp` for an LP solved on the edges ``columns`` with values ``x`` (and
    ``pending`` edges the completion may use too): the pairs at 1 fixed, HiGHS on the rest."""
    candidates = np.zeros(model.n_edges, dtype=bool)
    candidates[columns] = True
    if pending is not None:
        candidates[pending] = True
    fixed = np.zeros(model.n_edges, dtype=bool)
    fixed[columns[x > 1.0 - 1e-6]] = True
    return _complete(model, candidates, fixed, budget, essential=True)[0]


def improve(
    model: GoalModel,
    x: np.ndarray,
    candidates: np.ndarray,
    budget: Budget | float,
    rng: np.random.Generator,
    *,
    share: float = 0.25,
    stop=None,
) -> tuple[np.ndarray, int]:
    """Large-neighbourhood search: free the pairs of a random ``share`` of the mentors in
    ``x``, keep the rest, and let HiGHS re-solve the freed part on the ``candidates`` pairs;
    keep any better answer. Runs until ``budget`` is spent (a :class:`~.budget.Budget`:
    rounds until the next one's HiGHS root does not fit in the work left; or a
    ``time.perf_counter()`` deadline) or until ``stop(answer)`` is true; returns the best
    answer and the rounds. Each round's HiGHS gets at most :data:`_ROUND_WORK` units."""
    budget = Budget.of(budget)
    # the search sees only the candidates (re-indexing every row of a large model per round
    # would cost more than the round's solve)
    where = np.flatnonzero(candidates | x)
    full, model = model, model.with_edges(candidates | x)
    candidates = np.ones(model.n_edges, dtype=bool)

    def lift(y: np.ndarray) -> np.ndarray:
        out = np.zeros(full.n_edges, dtype=bool)
        out[where[y]] = True
        return out

    best = x[where]
    value = float(model.weights[best].sum())
    rounds = 0
    while not budget.over() and not (stop and stop(lift(best))):
        mentors = np.unique(model.mi[best])
        if len(mentors) == 0:
            break
        free = rng.choice(mentors, size=max(1, int(share * len(mentors))), replace=False)
        fixed = best & ~np.isin(model.mi, free)
        part = budget.part(1.0, at_most=_ROUND_WORK)
        trial, status = _complete(model, candidates, fixed, part)
        if status == highs.NOT_RUN:
            break  # the work left does not buy this round's root: the search is over
        rounds += 1
        if trial is not None and float(model.weights[trial].sum()) > value + 1e-12:
            best, value = trial, float(model.weights[trial].sum())
    return lift(best), rounds


def _complete(
    model: GoalModel,
    candidates: np.ndarray,
    fixed: np.ndarray,
    budget: Budget,
    *,
    essential: bool = False,
) -> tuple[np.ndarray | None, str]:
    """The best completion of the ``fixed`` pairs by ``candidates`` pairs between
    participants with room left (HiGHS within ``budget``), or ``None``; and HiGHS's status."""
    room_m = model.m_cap - np.bincount(model.mi[fixed], minlength=model.n_m)
    room_e = model.e_cap - np.bincount(model.ei[fixed], minlength=model.n_e)
    keep = fixed | (candidates & (room_m[model.mi] > 0) & (room_e[model.ei] > 0))
    res = highs.solve_milp(
        model.with_edges(keep), fixed=fixed[keep], budget=budget, essential=essential
    )
    if res.x is None:
        return None, res.status
    out = np.zeros(model.n_edges, dtype=bool)
    out[np.flatnonzero(keep)[res.x]] = True
    return out, res.status
