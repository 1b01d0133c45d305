"""An independent oracle for goal-constrained assignment: each goal read from its documented
meaning (``docs/goals.md`` and the docstrings of :mod:`rm_match.goals`) and written directly as
a MILP for HiGHS (:func:`scipy.optimize.milp`), plus an exact checker of every rule, capacity
and goal on a finished set of pairs.

Nothing here uses rm_match's compiled rows (``Goal.compile``, ``GoalModel``) or its checks
(``Goal.check``, ``verify``): only the goal objects' fields are read, so a compile error in
rm_match shows up as a disagreement with this oracle. Shares are read exactly as documented
(a float as the decimal it prints as, a :class:`~fractions.Fraction` as itself) and compared in
integers.

Semantics, per goal (``n`` = the number of pairs, ``k`` = pairs with the property):

- ``Share(pairs=mask, at_least=p, at_most=q)``: ``k ≥ p·n`` and ``k ≤ q·n``; an empty
  programme meets any share.
- ``Count(pairs=mask | None, at_least=a, at_most=b)``: ``a ≤ k ≤ b`` (``k = n`` without a mask).
- ``EveryoneMatched(side)``: every participant of ``side`` with capacity > 0 has a partner.
- ``Coverage(groups=(cm, ce), k, exclude_own)``: every mentee group present (a mentee with a
  known code and capacity > 0) meets mentors of at least ``min(k, room)`` distinct known
  mentor groups (not its own when ``exclude_own``), ``room`` being the partners its mentees can
  take in all (capacities, each at most the number of mentors).
- ``Spread(groups=(cm, ce), at_most=q | at_most_share=p, symmetric)``: the pairs between any
  two known groups (mentor group a → mentee group b, counted with b → a when ``symmetric``;
  a = b included) number at most ``q`` (at most ``p·n``).
- ``Representation(groups=(cm, ce), side, floor)``: applicants are the participants of
  ``side`` with capacity > 0, the chosen those with a partner (``K`` of them); each group with
  applicants has at least ``⌊p·K⌋`` chosen, ``p`` its share of the applicants, or the floor
  (one for all, or a mapping from group code to floor; unlisted groups keep their share).
- ``MinPairScore(weight=w)``: the objective is ``total + w·(lowest pair score)`` (0 for the
  empty programme); ``weight=None``: the lowest pair score first, then the total, and the
  reported objective is the total.

Policies: ``max_score`` maximises the objective; ``max_matched`` maximises the number of pairs
first, then the objective among programmes with that many.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from rm_match import goals as G

__all__ = ["OracleResult", "exact_share", "solve", "violations"]


def exact_share(value: Any) -> Fraction:
    """A share as documented: a float is the decimal it prints as, a Fraction itself."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    return Fraction(repr(float(value)))


@dataclass(frozen=True)
class OracleResult:
    """The oracle's optimum: ``status`` ``"optimal"`` or ``"infeasible"``; ``objective`` as
    rm_match documents it (total, or total + weight × lowest pair score)."""

    status: str
    pairs: np.ndarray
    count: int
    total: float
    min_score: float | None
    objective: float


# -- the problem as the oracle sees it ---------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    scores: np.ndarray
    feasible: np.ndarray
    m_cap: np.ndarray
    e_cap: np.ndarray
    goals: tuple

    @property
    def shape(self) -> tuple[int, int]:
        return self.scores.shape


def _problem(scores, feasible, m_cap, e_cap, goals) -> _Problem:
    scores = np.asarray(scores, dtype=float)
    n_m, n_e = scores.shape
    feasible = np.ones((n_m, n_e), bool) if feasible is None else np.asarray(feasible, bool)
    return _Problem(
        scores,
        feasible,
        np.broadcast_to(np.asarray(m_cap, dtype=np.int64), (n_m,)).copy(),
        np.broadcast_to(np.asarray(e_cap, dtype=np.int64), (n_e,)).copy(),
        tuple(goals),
    )


def _mask(goal, shape) -> np.ndarray:
    """The goal's pair property as an (n_m, n_e) mask (all pairs when it has none)."""
    if goal.cross is not None or goal.same is not None:
        raise NotImplementedError("the oracle reads array-level goals: `pairs=` masks only")
    if goal.pairs is None:
        return np.ones(shape, dtype=bool)
    return np.asarray(goal.pairs, dtype=bool)


def _codes(goal) -> tuple[np.ndarray, np.ndarray]:
    c_m, c_e = goal.groups
    return np.asarray(c_m, dtype=np.int64), np.asarray(c_e, dtype=np.int64)


def _cell(goal, a: int, b: int) -> tuple[int, int]:
    return (min(a, b), max(a, b)) if goal.symmetric else (a, b)


def _coverage_need(goal, prob: _Problem) -> dict[int, int]:
    """Mentee group → distinct mentor groups it must meet."""
    _c_m, c_e = _codes(goal)
    n_m = prob.shape[0]
    out = {}
    for g in sorted({int(c) for c, cap in zip(c_e, prob.e_cap, strict=True) if c >= 0 and cap}):
        room = int(np.minimum(prob.e_cap[c_e == g], n_m).sum())
        out[g] = min(int(goal.k), room)
    return out


def _representation_floors(goal, prob: _Problem) -> tuple[int, np.ndarray, dict[int, Fraction]]:
    """(side column, codes of that side, group → floor share) over the applicants."""
    c_m, c_e = _codes(goal)
    col = 0 if goal.side == "mentor" else 1
    codes, cap = (c_m, prob.m_cap) if col == 0 else (c_e, prob.e_cap)
    applicants = cap > 0
    n_app = int(applicants.sum())
    floors = {}
    for g in sorted({int(c) for c in codes[applicants] if c >= 0}):
        p = Fraction(int((applicants & (codes == g)).sum()), n_app)
        if isinstance(goal.floor, Mapping):
            if g in goal.floor:
                p = exact_share(goal.floor[g])
        elif goal.floor is not None:
            p = exact_share(goal.floor)
        floors[g] = p
    return col, codes, floors


# -- the exact checker -------------------------------------------------------------------------


def violations(scores, feasible, m_cap, e_cap, goals, pairs) -> list[str]:
    """Every broken rule (forbidden pair, repeat, capacity) and goal of ``pairs``, checked
    exactly from the goals' documented meaning; empty when all hold."""
    prob = _problem(scores, feasible, m_cap, e_cap, goals)
    n_m, n_e = prob.shape
    p = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    out = []
    if len(p) and ((p < 0).any() or (p[:, 0] >= n_m).any() or (p[:, 1] >= n_e).any()):
        return ["a pair index is out of range"]
    if len({(int(m), int(e)) for m, e in p}) < len(p):
        out.append("a pair appears twice")
    bad = [(int(m), int(e)) for m, e in p if not prob.feasible[m, e]]
    if bad:
        out.append(f"forbidden pairs {bad}")
    dm = np.bincount(p[:, 0], minlength=n_m)
    de = np.bincount(p[:, 1], minlength=n_e)
    if (dm > prob.m_cap).any() or (de > prob.e_cap).any():
        out.append(f"over capacity (mentors {dm.tolist()}, mentees {de.tolist()})")
    n = len(p)
    for goal in prob.goals:
        why = _goal_broken(goal, prob, p, n)
        if why:
            out.append(f"{type(goal).__name__}: {why}")
    return out


def _goal_broken(goal, prob: _Problem, p: np.ndarray, n: int) -> str | None:
    mi, ei = p[:, 0], p[:, 1]
    if isinstance(goal, G.Share | G.Count):
        k = int(_mask(goal, prob.shape)[mi, ei].sum())
        if isinstance(goal, G.Count):
            ok = (goal.at_least is None or k >= goal.at_least) and (
                goal.at_most is None or k <= goal.at_most
            )
            return None if ok else f"{k} pairs with the property"
        lo = None if goal.at_least is None else exact_share(goal.at_least)
        hi = None if goal.at_most is None else exact_share(goal.at_most)
        ok = (lo is None or k >= lo * n) and (hi is None or k <= hi * n)
        return None if ok else f"{k} of {n} pairs with the property"
    if isinstance(goal, G.EveryoneMatched):
        col = 0 if goal.side == "mentor" else 1
        cap = prob.m_cap if col == 0 else prob.e_cap
        got = np.zeros(len(cap), dtype=bool)
        got[p[:, col]] = True
        missing = np.flatnonzero((cap > 0) & ~got).tolist()
        return f"{goal.side}s {missing} have no partner" if missing else None
    if isinstance(goal, G.Coverage):
        c_m, c_e = _codes(goal)
        for g, need in _coverage_need(goal, prob).items():
            met = {int(c_m[m]) for m, e in zip(mi, ei, strict=True) if c_e[e] == g and c_m[m] >= 0}
            if goal.exclude_own:
                met.discard(g)
            if len(met) < need:
                return f"mentee group {g} meets {len(met)} mentor groups, needs {need}"
        return None
    if isinstance(goal, G.Spread):
        c_m, c_e = _codes(goal)
        cells: dict[tuple[int, int], int] = {}
        for m, e in zip(mi, ei, strict=True):
            if c_m[m] >= 0 and c_e[e] >= 0:
                key = _cell(goal, int(c_m[m]), int(c_e[e]))
                cells[key] = cells.get(key, 0) + 1
        top = max(cells.values(), default=0)
        limit = goal.at_most if goal.at_most is not None else exact_share(goal.at_most_share) * n
        return None if top <= limit else f"{top} pairs in one cell, at most {limit}"
    if isinstance(goal, G.Representation):
        col, codes, floors = _representation_floors(goal, prob)
        chosen = np.unique(p[:, col])
        big_k = len(chosen)
        for g, share in floors.items():
            have = int((codes[chosen] == g).sum())
            need = math.floor(share * big_k)
            if have < need:
                return f"group {g} has {have} of {big_k} chosen, needs {need}"
        return None
    if isinstance(goal, G.MinPairScore):
        return None
    raise NotImplementedError(f"the oracle does not know {type(goal).__name__}")


# -- the MILP ----------------------------------------------------------------------------------


class _Milp:
    """Binary variables ``x`` (one per candidate pair) and helpers; rows as dicts."""

    def __init__(self, prob: _Problem) -> None:
        self.prob = prob
        ok = prob.feasible & (prob.m_cap > 0)[:, None] & (prob.e_cap > 0)
        self.mi, self.ei = np.nonzero(ok)
        self.n_var = len(self.mi)
        self.rows: list[tuple[dict[int, float], float, float]] = []

    @property
    def edges(self) -> np.ndarray:
        return np.arange(len(self.mi))

    def new_var(self) -> int:
        self.n_var += 1
        return self.n_var - 1

    def add(self, coef: dict[int, float], lo: float = -np.inf, hi: float = np.inf) -> None:
        self.rows.append((coef, lo, hi))

    def count_of(self, where: np.ndarray) -> dict[int, float]:
        return {int(e): 1.0 for e in np.flatnonzero(where)}

    def or_var(self, edges: np.ndarray) -> int:
        """A binary that is 1 exactly when some edge of ``edges`` is chosen."""
        z = self.new_var()
        self.add({z: 1.0, **{int(e): -1.0 for e in edges}}, hi=0.0)  # z ≤ Σ x
        for e in edges.tolist():
            self.add({int(e): 1.0, z: -1.0}, hi=0.0)  # x_e ≤ z
        return z


def _build(prob: _Problem, keep: np.ndarray | None = None) -> _Milp:
    """Capacities and every goal as rows; ``keep``: edges allowed (others fixed at 0)."""
    mdl = _Milp(prob)
    mi, ei = mdl.mi, mdl.ei
    n_m, n_e = prob.shape
    every = mdl.count_of(np.ones(len(mi), dtype=bool))
    # capacities
    for i in range(n_m):
        mdl.add(mdl.count_of(mi == i), hi=float(prob.m_cap[i]))
    for j in range(n_e):
        mdl.add(mdl.count_of(ei == j), hi=float(prob.e_cap[j]))
    if keep is not None:
        mdl.add(mdl.count_of(~keep), hi=0.0)
    for goal in prob.goals:
        if isinstance(goal, G.Count):
            has = mdl.count_of(_mask(goal, prob.shape)[mi, ei])
            lo = -np.inf if goal.at_least is None else float(goal.at_least)
            hi = np.inf if goal.at_most is None else float(goal.at_most)
            mdl.add(has, lo, hi)
        elif isinstance(goal, G.Share):
            flag = _mask(goal, prob.shape)[mi, ei]
            # den·k − num·n ≥ 0 (at least) and ≤ 0 (at most), in integers
            for bound, lower in ((goal.at_least, True), (goal.at_most, False)):
                if bound is None:
                    continue
                f = exact_share(bound)
                coef = {e: float(f.denominator * flag[e] - f.numerator) for e in every}
                mdl.add(coef, 0.0, np.inf) if lower else mdl.add(coef, -np.inf, 0.0)
        elif isinstance(goal, G.EveryoneMatched):
            side, cap = (mi, prob.m_cap) if goal.side == "mentor" else (ei, prob.e_cap)
            for i in np.flatnonzero(cap > 0).tolist():
                mdl.add(mdl.count_of(side == i), lo=1.0)
        elif isinstance(goal, G.Coverage):
            c_m, c_e = _codes(goal)
            for g, need in _coverage_need(goal, prob).items():
                met = {}
                for h in sorted(set(c_m[c_m >= 0].tolist()) - ({g} if goal.exclude_own else set())):
                    where = (c_e[ei] == g) & (c_m[mi] == h)
                    if where.any():
                        met[mdl.or_var(np.flatnonzero(where))] = 1.0
                mdl.add(met, lo=float(need))
        elif isinstance(goal, G.Spread):
            c_m, c_e = _codes(goal)
            known = (c_m[mi] >= 0) & (c_e[ei] >= 0)
            keys = [
                _cell(goal, int(a), int(b)) if k else None
                for a, b, k in zip(c_m[mi], c_e[ei], known, strict=True)
            ]
            for cell in sorted({k for k in keys if k is not None}):
                inside = np.array([k == cell for k in keys])
                if goal.at_most is not None:
                    mdl.add(mdl.count_of(inside), hi=float(goal.at_most))
                else:
                    f = exact_share(goal.at_most_share)
                    coef = {e: float(f.denominator * inside[e] - f.numerator) for e in every}
                    mdl.add(coef, hi=0.0)
        elif isinstance(goal, G.Representation):
            col, codes, floors = _representation_floors(goal, prob)
            side = mi if col == 0 else ei
            chosen = {}
            for i in range(len(codes)):
                if (side == i).any():
                    chosen[i] = mdl.or_var(np.flatnonzero(side == i))
            # have_g ≥ ⌊p·K⌋  ⟺  den·have_g − num·K ≥ 1 − den
            for g, f in floors.items():
                coef = {
                    z: float(f.denominator * (codes[i] == g) - f.numerator)
                    for i, z in chosen.items()
                }
                mdl.add(coef, lo=float(1 - f.denominator))
        elif isinstance(goal, G.MinPairScore):
            pass  # an objective term, handled by the caller
        else:
            raise NotImplementedError(f"the oracle does not know {type(goal).__name__}")
    return mdl


def _run(mdl: _Milp, objective: np.ndarray, extra: Sequence = ()) -> np.ndarray | None:
    """Maximise ``objective`` over the edges; the chosen-edge mask, or None if infeasible."""
    rows = list(mdl.rows) + list(extra)
    n = mdl.n_var
    c = np.zeros(n)
    c[: len(objective)] = -np.asarray(objective, dtype=float)
    if rows:
        r = [i for i, (coef, _, _) in enumerate(rows) for _ in coef]
        k = [j for coef, _, _ in rows for j in coef]
        v = [a for coef, _, _ in rows for a in coef.values()]
        a = sp.csr_matrix((v, (r, k)), shape=(len(rows), n))
        cons = [LinearConstraint(a, [lo for _, lo, _ in rows], [hi for _, _, hi in rows])]
    else:
        cons = []
    if n == 0:
        feasible = all(lo <= 0 <= hi for _, lo, hi in rows)
        return np.zeros(0, dtype=bool) if feasible else None
    out = milp(
        c,
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), np.ones(n)),
        constraints=cons,
        options={"disp": False, "mip_rel_gap": 0.0, "time_limit": 120.0},
    )
    if out.status == 2:
        return None
    if out.x is None or out.status != 0:
        raise RuntimeError(f"oracle MILP not solved: {out.message}")
    return out.x[: len(mdl.mi)] > 0.5


def solve(scores, feasible, m_cap, e_cap, policy, goals) -> OracleResult:
    """The optimum of ``assign(scores, feasible, mentor_capacity=m_cap,
    mentee_capacity=e_cap, policy=policy, goals=goals)`` by the goals' documented meaning."""
    prob = _problem(scores, feasible, m_cap, e_cap, goals)
    fair = [g for g in prob.goals if isinstance(g, G.MinPairScore)]
    mdl = _build(prob)
    s = prob.scores[mdl.mi, mdl.ei]
    every = mdl.count_of(np.ones(len(s), dtype=bool))
    fix: list = []
    if policy == "max_matched":
        most = _run(mdl, np.ones(len(s)))
        if most is None:
            return _result(prob, mdl, None, fair)
        k = int(most.sum())
        fix = [(every, float(k), float(k))]
    if not fair:
        return _result(prob, mdl, _run(mdl, s, fix), fair)
    return _result(prob, mdl, _fair(prob, mdl, s, fix, fair[0].weight), fair)


def _fair(prob, mdl, s, fix, weight) -> np.ndarray | None:
    """Threshold enumeration: with ``f(τ)`` the best total over programmes using pairs scoring
    ≥ ``τ`` only (and at least one pair), the optimum is the best of ``f(τ) + w·τ`` over the
    score levels, or the empty programme (objective 0) when it is allowed and better."""
    every = mdl.count_of(np.ones(len(s), dtype=bool))
    some = [(every, 1.0, np.inf)]
    empty = _run(mdl, np.zeros(len(s)), [*fix, (every, -np.inf, 0.0)])
    levels = np.unique(s)[::-1]  # highest first

    def best_at(tau):
        keep = s >= tau
        if not keep.any():
            return None
        return _run(_build(prob, keep), s, [*fix, *some])

    if weight is None:
        # the lowest pair first: the highest level with a programme (feasibility only grows
        # as the level falls), then the best total there
        for tau in levels:
            x = best_at(tau)
            if x is not None:
                return x
        return empty
    best, best_x = (0.0, empty) if empty is not None else (-np.inf, None)
    top = best_at(levels[-1]) if len(levels) else None
    if top is None:
        return best_x
    f_low = float(s[top].sum())  # f never increases: f(τ) ≤ f(lowest level)
    for tau in levels:
        if f_low + weight * tau <= best:
            break
        x = best_at(tau)
        if x is not None:
            v = float(s[x].sum()) + weight * float(s[x].min())
            if v > best:
                best, best_x = v, x
    return best_x


def _result(prob, mdl, x, fair) -> OracleResult:
    if x is None:
        return OracleResult("infeasible", np.empty((0, 2), np.int64), 0, -np.inf, None, -np.inf)
    pairs = np.column_stack((mdl.mi[x], mdl.ei[x])).astype(np.int64)
    bad = violations(prob.scores, prob.feasible, prob.m_cap, prob.e_cap, prob.goals, pairs)
    if bad:
        raise RuntimeError(f"oracle answer breaks its own checks: {bad}")
    chosen = prob.scores[pairs[:, 0], pairs[:, 1]]
    total = math.fsum(chosen.tolist())
    low = float(chosen.min()) if len(chosen) else None
    objective = total
    if fair and fair[0].weight is not None and low is not None:
        objective = total + fair[0].weight * low
    return OracleResult("optimal", pairs, len(pairs), total, low, objective)
