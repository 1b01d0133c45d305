"""Cohort goals without the n × n matrix: the goal pipeline on a core of pairs, bounded over
every pair by a Lagrangian that the sparse path prices.

:func:`rm_match.match` compiles every allowed pair into the goal model (about 90 GB at
100 000 per side). Goals on the people's attributes — :class:`~rm_match.goals.Share`,
:class:`~rm_match.goals.Count` and :class:`~rm_match.goals.Spread` by attribute name or group
codes — have a coefficient on every pair that reads a table at the two people's groups
(:class:`~rm_match.solvers.constrained.model.PairTable`). So, with no matrix:

1. **Goals aside.** The sparse path solves the cohort (certified optimal). When its answer
   meets every goal it is the answer, proven optimal by its own certificate. Otherwise its
   last candidate graph (every pair near zero reduced cost, and the answer) is the **core**.
2. **Core.** The goal model over the core's pairs is solved: up to :data:`PIPELINE_EDGES`
   pairs by the goal pipeline (LP column generation, rounding, fixing:
   :func:`~rm_match.solvers.constrained.pipeline.solve_model`, method ``lp``); above, by one
   interior-point LP on each person's best pairs and the answers so far, its vertex rounded
   (:func:`~rm_match.solvers.constrained.lp.round_columns`) or, failing that, repaired
   (:func:`~rm_match.solvers.constrained.core.repair`). Either gives an answer meeting every
   goal (the core's pairs are pairs of the cohort) and the LP's multipliers ``λ`` on the
   goal rows.
3. **Bound.** ``L(λ) = max_x Σ (s + Σ_r λ_r a_r)·x − Σ_r λ_r b_r`` over *every* pair is an
   upper bound on every answer meeting the goals (weak duality). The adjusted score is the
   score plus a table over the people's groups (:class:`~rm_match.solvers.sparse.TableSource`),
   so the sparse path solves it exactly, with its certificate: the bound is ``L``'s value plus
   the certificate's slack. Under ``max_matched`` it bounds the answers with the most pairs
   (the goals set aside), so it certifies an answer with that many pairs; an answer with
   fewer gets no bound.
4. **Columns.** ``L(λ)``'s candidate graph and answer hold the pairs worth adding at ``λ``:
   they join the core, and steps 2–3 repeat until the gap is within ``gap_limit``, a round
   moves neither the answer nor the bound, no pair is new, or the next round would not fit
   in the time limit.

:func:`rm_match.match` takes this path with ``method="sparse"``, and with ``"auto"`` from a
million pairs (as without goals: at 1 000 to 5 000 per side, three goals and a 1 % gap limit,
2.2–3.2× faster than the dense model, and a tenth of its memory at 5 000), or when no dense
goal plan fits the memory budget. Under ``"auto"``, a core without an answer hands the
programme to the dense model (which can prove the goals infeasible and name them).

Every answer is checked against the goals on all its pairs (required ones included) by the
goals themselves, as on the dense path.

The goals this path cannot take (a ``pairs`` mask, :class:`~rm_match.goals.Coverage`,
:class:`~rm_match.goals.Representation`, :class:`~rm_match.goals.EveryoneMatched`,
:class:`~rm_match.goals.MinPairScore`: their rows have indicators or per-person terms) are
named by :func:`unsupported`; ``match`` then compiles the matrix (if it fits the memory
budget).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ._progress import progress_reporter
from .errors import SolverError
from .goals import Count, Goal, Share, Spread, compile_goals
from .results import OPTIMALITY_TOL, Assignment, relative_gap
from .screen import ProblemSource, _keys
from .solvers.constrained import budget as cost
from .solvers.constrained.budget import Budget
from .solvers.constrained.model import GoalModel
from .solvers.sparse import TableSource, solve_sparse
from .solvers.sparse.sources import TABLE_MOST

if TYPE_CHECKING:
    from .problem import Problem
    from .solvers.options import Options

__all__ = ["solve_goals_sparse", "unsupported"]

log = logging.getLogger(__name__)

#: Most core / bound rounds (each: one goal solve on the core, one sparse solve of L(λ)).
MAX_ROUNDS = 8
#: Share of the time left that one core goal solve may take (the rest: L(λ), more rounds).
CORE_SHARE = 0.5
#: Cores of up to this many pairs are solved by the goal pipeline (method ``lp``); larger
#: ones by one interior-point LP and repair (:mod:`.solvers.constrained.core`).
PIPELINE_EDGES = 200_000
#: Best pairs per person among the interior-point LP's columns.
LP_PER_PERSON = 3
#: Change in the answer's score or the bound (relative) that counts as progress.
_TOL = 1e-9


def unsupported(goals: tuple[Goal, ...]) -> str | None:
    """Why the goals need the dense matrix (a goal's name and what it has), or ``None``
    when every one can be priced over the pairs without it.

    >>> from rm_match import goals as G
    >>> unsupported((G.Share(cross="gender", at_least=0.5), G.Spread("department", at_most=3)))
    >>> unsupported((G.Coverage("department", k=2),))
    'coverage_department: coverage has indicator rows (a group meets another), not pair tables'
    """
    for g in goals:
        if g.objective_term:
            return f"{g.name}: an objective term, not pair rows"
        if not isinstance(g, Share | Count | Spread):
            return f"{g.name}: {g.kind} has indicator rows (a group meets another), not pair tables"
        if g.pairs is not None:
            return f"{g.name}: a `pairs` mask names pairs, not groups"
    return None


class _Keys:
    """One code per person joining every attribute the rows read, and each joint code's
    codes in each row's table: the adjusted score is then one table over joint codes."""

    def __init__(self, rows: list[Any]) -> None:
        # the rows' distinct code arrays, by identity (a goal's rows share theirs)
        self.m_arrays: list[np.ndarray] = []
        self.e_arrays: list[np.ndarray] = []
        self._at: dict[int, tuple[int, int]] = {}
        for r in rows:
            t = r.keyed
            self._at[id(t)] = (
                self._index(self.m_arrays, t.codes_m),
                self._index(self.e_arrays, t.codes_e),
            )
        self.codes_m, self.reps_m = _joint(self.m_arrays)
        self.codes_e, self.reps_e = _joint(self.e_arrays)

    @staticmethod
    def _index(arrays: list[np.ndarray], a: np.ndarray) -> int:
        for k, b in enumerate(arrays):
            if b is a or (b.shape == a.shape and np.array_equal(b, a)):
                return k
        arrays.append(a)
        return len(arrays) - 1

    def table(self, row: Any) -> np.ndarray:
        """The row's coefficient table over (joint mentor code, joint mentee code)."""
        km, ke = self._at[id(row.keyed)]
        t = row.keyed
        return t.values(t.table[np.ix_(self.reps_m[:, km], self.reps_e[:, ke])]).astype(float)


def _joint(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The joint code of each person (the screen's keys), and each joint code's codes."""
    stacked = np.column_stack(arrays)
    codes, first = _keys(stacked)
    return codes, stacked[first]


def _adjustment(model: GoalModel, lam: np.ndarray, keys: _Keys) -> tuple[np.ndarray, float]:
    """``Σ_r λ_r a_r`` over joint codes, and the constant ``−Σ_r λ_r b_r``: the goal rows as
    :attr:`~.model.GoalModel.ge_rows` orders them (rows with a lower bound, then with an
    upper one, then the indicator links, which these goals do not have)."""
    _, _, b, _, _ = model.ge_rows
    lo_rows = [r for r in model.rows if r.lo is not None]
    hi_rows = [r for r in model.rows if r.hi is not None]
    table = np.zeros((len(keys.reps_m), len(keys.reps_e)))
    for k, (r, sign) in enumerate([(r, 1.0) for r in lo_rows] + [(r, -1.0) for r in hi_rows]):
        if lam[k] > 0:
            table += (sign * lam[k]) * (keys.table(r) + r.total)
    return table, -float(lam[: len(b)] @ b)


def _exact_scores(source: Any, mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
    s, ok = source.exact(mi, ei)
    if not ok.all():  # pragma: no cover - the sparse path keeps only allowed pairs
        raise SolverError("internal: the sparse path's graph holds a pair a rule forbids.")
    return s


def solve_goals_sparse(
    problem: Problem, goals: tuple[Goal, ...], opts: Options, executor: Any = None
) -> Assignment:
    """The free pairs of ``problem`` under ``goals`` with no n × n matrix (see the module
    docstring): an :class:`~rm_match.Assignment` whose bound holds over every pair (under
    ``max_matched``: for answers with the most pairs, goals aside; ``inf`` when the answer
    has fewer). ``executor``: where the sparse path's scans run. :func:`rm_match.match`
    calls it (``method="sparse"``, or ``"auto"``: see :mod:`rm_match.sparse_goals`).

    Raises
    ------
    SolverError
        When no answer meeting every goal was found on the core (the message says why:
        the core proven to have none, or the time limit). Not a proof that none exists.

    Examples
    --------
    >>> import rm_match as rm
    >>> from rm_match import goals as G
    >>> mentors, mentees = rm.synthetic.cohort(300, 300, rng=1)
    >>> prog = rm.Programme(goals=[G.Share(cross="gender", at_least=0.7)])
    >>> m = rm.match(mentors, mentees, prog, method="sparse", rng=0, gap_limit=1e-3)
    >>> m.assignment.method, m.goals[0].met, m.gap <= 1e-3
    ('sparse goals', True, True)
    """
    t_start = time.perf_counter()
    fixed, m_cap, e_cap = problem.placement()
    base = ProblemSource(problem, fixed)
    n_m, n_e = base.shape
    policy = opts.policy
    kw: dict[str, Any] = {"executor": executor, "rng": opts.generator}
    pairs, slack, _, st = solve_sparse(base, m_cap, e_cap, policy, **kw)
    count = len(pairs)  # under max_matched: the most pairs, goals aside
    s0 = _exact_scores(base, pairs[:, 0], pairs[:, 1])
    stats: dict[str, Any] = {"method": "sparse goals", "rounds": 0, "core": [], "core_methods": []}
    bound = float(s0.sum()) + slack  # L(0)
    ctx0 = problem.goal_context(edges=(pairs[:, 0], pairs[:, 1]))
    every = np.concatenate((fixed, pairs)) if len(fixed) else pairs
    met = all(g.check(ctx0, every[:, 0], every[:, 1]).met for g in goals)
    log.info(
        "sparse goals: the best assignment with the goals aside has %d pairs, score %.6g, "
        "bound %.6g; it %s every goal (%.2f s)",
        count,
        float(s0.sum()),
        bound,
        "meets" if met else "does not meet",
        time.perf_counter() - t_start,
    )
    if met:
        message = "sparse path; the best assignment meets every goal"
        return _answer(pairs, float(s0.sum()), bound, True, policy, opts, stats, message)
    # the core: L(0)'s candidate graph and answer
    n_cols = max(n_e, 1)
    key = np.union1d(_graph_keys(st, n_cols), pairs[:, 0] * n_cols + pairs[:, 1])
    core_m, core_e = key // n_cols, key % n_cols
    core_s = _exact_scores(base, core_m, core_e)
    most = len(fixed) + int(min(np.minimum(m_cap, n_e).sum(), np.minimum(e_cap, n_m).sum()))
    best: tuple[np.ndarray, float] | None = None  # free pairs, score
    # pairs the LP's first columns must hold (large cores): the answers of L(0) and L(λ)
    marked = pairs[:, 0] * n_cols + pairs[:, 1]
    prior = st.duals[:2] if st.duals is not None else None
    notes: list[str] = []  # why the rounds stopped, for the message
    with progress_reporter(opts.progress, "sparse goals") as bar:
        for rnd in range(1, MAX_ROUNDS + 1):
            stats["rounds"] = rnd
            stats["core"].append(len(core_m))
            t = time.perf_counter()
            ctx = problem.goal_context(edges=(core_m, core_e), most=most)
            model, _ = compile_goals(goals, ctx, core_s, policy)
            left = opts.deadline - time.perf_counter()
            if left <= 0:
                break
            x, lam, how = _solve_core(model, opts, left, count, marked)
            stats["core_methods"].append(how)
            t_core = time.perf_counter() - t
            improved = False
            if x is not None:
                value = float(model.scores[x].sum())
                if best is None or _better(int(x.sum()), value, len(best[0]), best[1], policy):
                    best = (np.column_stack((core_m[x], core_e[x])), value)
                    improved = True
            if lam is None:
                break
            keys = _Keys(list(model.rows))
            table, const = _adjustment(model, lam, keys)
            # under max_matched every answer L ranges over has the most pairs: a constant per
            # pair changes nothing, and keeps every allowed pair's adjusted score above zero
            shift = max(0.0, -float(table.min(initial=0.0))) if policy == "max_matched" else 0.0
            top = float(np.abs(table + shift).max(initial=0.0))
            if top > TABLE_MOST:
                # every λ ≥ 0 gives a bound: scaled down (a row at the elastic slack's price
                # on a thin core) it is priced, looser, and the round still adds columns
                f = 0.5 * TABLE_MOST / top
                log.info("sparse goals: multipliers scaled by %.3g to be priced", f)
                table, const, shift = table * f, const * f, shift * f
            t = time.perf_counter()
            src = TableSource(base, keys.codes_m, keys.codes_e, table + shift)
            lp_pairs, l_slack, _, lst = solve_sparse(src, m_cap, e_cap, policy, prior=prior, **kw)
            t_bound = time.perf_counter() - t
            log.debug(
                "sparse goals: L has %d pairs, slack %.3g, shift %.3g, const %.6g",
                len(lp_pairs),
                l_slack,
                shift,
                const,
            )
            if math.isfinite(l_slack) and (policy != "max_matched" or len(lp_pairs) == count):
                adj = _exact_scores(src, lp_pairs[:, 0], lp_pairs[:, 1])
                value_l = float(adj.sum()) + l_slack - shift * len(lp_pairs) + const
                improved |= value_l < bound - _TOL * max(1.0, abs(bound))
                bound = min(bound, value_l)
            if lst.duals is not None:
                prior = lst.duals[:2]
            gap = _gap(best, bound, count, policy)
            log.info(
                "sparse goals round %d: core %d pairs, answer %s, bound %.6g, gap %.3g "
                "(core solve %.2f s, bound %.2f s)",
                rnd,
                len(core_m),
                "none" if best is None else f"{len(best[0])} pairs, score {best[1]:.6g}",
                bound,
                gap,
                t_core,
                t_bound,
            )
            bar.update(1, f"round {rnd}: bound {bound:.6g}, gap {gap:.3g}")
            if best is not None and gap <= max(opts.gap_limit, OPTIMALITY_TOL):
                break
            if rnd > 1 and not improved:
                # neither the answer nor the bound moved: the core's multipliers price every
                # pair as before, and a larger core found nothing better
                notes.append(f"stopped after {rnd} rounds (no progress in the last)")
                break
            marked = np.union1d(marked, lp_pairs[:, 0] * n_cols + lp_pairs[:, 1])
            # the pairs of positive reduced cost at λ: L's graph and answer
            new = np.union1d(_graph_keys(lst, n_cols), lp_pairs[:, 0] * n_cols + lp_pairs[:, 1])
            new = np.setdiff1d(new, key, assume_unique=True)
            if len(new) == 0:
                notes.append("every pair priced (no new column)")
                break
            # a next round needs a core solve and a bound: stop when it would not fit
            if opts.deadline - time.perf_counter() < 1.5 * (t_core + t_bound):
                notes.append("stopped before the time limit")
                break
            key = np.union1d(key, new)
            core_s = _rescore(base, key, core_m, core_e, core_s, n_cols)
            core_m, core_e = key // n_cols, key % n_cols

    if best is None:
        how = (stats["core_methods"] or ["no time left"])[-1]
        raise SolverError(
            f"no assignment meeting every goal was found on the core of {len(core_m)} "
            f"candidate pairs ({how}); this is not a proof that none exists over every pair "
            "(the dense goal model can prove it, memory allowing; or allow more time).",
            method="sparse",
        )
    free, value = best
    proven = policy != "max_matched" or len(free) == count
    stats["time"] = time.perf_counter() - t_start
    message = (
        f"sparse goals: {stats['rounds']} round(s), last core {stats['core'][-1]} pairs "
        f"({stats['core_methods'][-1]}), bound L(λ) over every pair by the sparse path"
    )
    if not proven:
        notes.append(
            f"the most pairs is not proven ({len(free)} here, {count} with the goals aside): "
            "no bound on the score"
        )
    message = "; ".join([message, *notes])
    return _answer(free, value, bound, proven, policy, opts, stats, message)


def _solve_core(
    model: GoalModel, opts: Options, left: float, count: int, marked: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None, str]:
    """An answer on the core (an edge mask, or ``None``), the goal rows' multipliers, and
    how they were found. Up to :data:`PIPELINE_EDGES` pairs: the goal pipeline (method
    ``lp``) with a share of the time left; above, one interior-point LP on each person's
    best pairs and the ``marked`` ones (keys ``mentor · n_e + mentee``), then
    :func:`~.solvers.constrained.core.repair` from its multipliers."""
    # the goal solvers load scipy.optimize (0.3 s): only when goals are solved
    from .solvers.constrained import lp
    from .solvers.constrained.core import multipliers, repair
    from .solvers.constrained.pipeline import Unsolved, solve_model

    share = left * CORE_SHARE
    deadline = min(opts.deadline, time.perf_counter() + share)
    if model.n_edges <= PIPELINE_EDGES:
        try:
            out = solve_model(
                model,
                method="lp",
                time_limit=share,
                seed=int(opts.generator.integers(2**31 - 1)),
                gap_limit=opts.gap_limit,
                work=cost.work_for(share, 0, 0, model.n_edges),
                deadline=deadline,
            )
        except Unsolved as exc:
            if exc.proven:  # the core has no answer: no round will find one on it
                return None, None, "pipeline: the core has no answer meeting every goal"
            out = None
        lam = None if out is None else out.lam
        if lam is None:  # no multipliers from the solve: the LP's own, on the core
            r = lp.relax(
                model, time.perf_counter() + 0.5 * max(opts.deadline - time.perf_counter(), 0.0)
            )
            lam = None if r is None else r.lam
        return (None if out is None else out.x), lam, "pipeline"
    n_e = max(model.n_e, 1)
    on = np.isin(model.mi * n_e + model.ei, marked)
    columns = np.flatnonzero(lp.top_per_participant(model, model.scores, LP_PER_PERSON) | on)
    need = count if model.policy == "max_matched" else None
    solved = multipliers(model, columns, count=need, time_limit=share)
    if solved is None:
        return None, None, "interior point (not solved)"
    lam, x_lp = solved
    how = f"interior point on {len(columns)} columns"
    # the LP's answer rounded (its pairs at 1 kept, HiGHS on the rest); else repair
    budget = Budget(cost.work_for(share, 0, 0, len(columns)), deadline)
    x = lp.round_columns(model, columns, x_lp, budget=budget)
    if x is not None:
        return x, lam, how + " + rounding"
    x, tries = repair(model, lam, deadline=opts.deadline)
    return x, lam, how + f" + repair ({tries} assignments)"


def _better(count: int, value: float, best_count: int, best_value: float, policy: str) -> bool:
    """Whether an answer of ``count`` pairs scoring ``value`` beats the best so far: under
    ``max_matched`` more pairs first, then the score (by more than :data:`_TOL`).

    >>> _better(19, 10.0, 20, 9.0, "max_matched"), _better(19, 10.0, 20, 9.0, "max_score")
    (False, True)
    """
    if policy == "max_matched" and count != best_count:
        return count > best_count
    return value > best_value + _TOL


def _graph_keys(stats: Any, n_cols: int) -> np.ndarray:
    """The keys ``mentor · n_cols + mentee`` of a sparse solve's last candidate graph (none
    when it did not settle: its answer alone then joins the core)."""
    if stats.graph is None:
        return np.empty(0, dtype=np.int64)
    return stats.graph[0] * n_cols + stats.graph[1]


def _rescore(
    base: ProblemSource,
    key: np.ndarray,
    old_m: np.ndarray,
    old_e: np.ndarray,
    old_s: np.ndarray,
    n_cols: int,
) -> np.ndarray:
    """Exact scores of the core's pairs ``key``, reusing those of the old core."""
    old_key = old_m * n_cols + old_e
    out = np.empty(len(key))
    hit = np.isin(key, old_key, assume_unique=True)
    out[hit] = old_s[np.searchsorted(old_key, key[hit])]
    fresh = key[~hit]
    out[~hit] = _exact_scores(base, fresh // n_cols, fresh % n_cols)
    return out


def _gap(best: tuple[np.ndarray, float] | None, bound: float, count: int, policy: str) -> float:
    if best is None or (policy == "max_matched" and len(best[0]) != count):
        return math.inf
    return relative_gap(best[1], max(bound, best[1]))


def _answer(
    pairs: np.ndarray,
    value: float,
    bound: float,
    proven: bool,
    policy: str,
    opts: Options,
    stats: dict[str, Any],
    message: str,
) -> Assignment:
    bound = max(bound, value) if proven else math.inf
    a = Assignment.build(
        np.asarray(pairs, dtype=np.int64).reshape(-1, 2),
        value,
        bound - value,
        method="sparse goals",
        policy=policy,
        start=opts.start,
        message=message,
    )
    status = a.status if proven and a.gap <= OPTIMALITY_TOL else "feasible"
    log.info(
        "sparse goals: %s, %d pairs, objective %.6g, bound %.6g, gap %.3g in %.2f s",
        status,
        len(a.pairs),
        a.objective,
        a.bound,
        a.gap,
        time.perf_counter() - opts.start,
    )
    return replace(a, status=status, stats=stats)
