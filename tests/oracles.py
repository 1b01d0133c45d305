"""Independent oracles for the solver tests: brute force, networkx and CP-SAT; and the array
problem :func:`rm_match.verify` checks answers against."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
from ortools.sat.python import cp_model

from rm_match import ProblemArrays


def arrays_problem(scores, feasible, m_cap, e_cap):
    """A :class:`ProblemArrays` for ``verify`` (capacities as ints or arrays, no fixed pairs)."""
    return ProblemArrays(
        scores=scores,
        feasible=feasible,
        mentor_capacity=np.broadcast_to(m_cap, scores.shape[:1]),
        mentee_capacity=np.broadcast_to(e_cap, scores.shape[1:]),
        fixed=np.empty((0, 2), dtype=np.int64),
        rule_allowed={},
    )


def brute_force(scores, feasible, mentor_cap, mentee_cap, policy):
    """Best (count, objective) by enumerating every assignment (tiny instances only).

    Returns the lexicographic optimum (count first) for ``max_matched`` and the best objective
    (with its count) for ``max_score``.
    """
    n_m, n_e = scores.shape
    options = []
    for j in range(n_e):
        allowed = [i for i in range(n_m) if feasible[i, j]]
        opts = []
        for k in range(min(int(mentee_cap[j]), len(allowed)) + 1):
            opts.extend(itertools.combinations(allowed, k))
        options.append(opts)
    best = None
    for choice in itertools.product(*options):
        used = np.zeros(n_m, dtype=int)
        for mentors in choice:
            for i in mentors:
                used[i] += 1
        if (used > mentor_cap).any():
            continue
        count = sum(len(c) for c in choice)
        total = sum(scores[i, j] for j, c in enumerate(choice) for i in c)
        key = (count, total) if policy == "max_matched" else (total,)
        if best is None or key > best[0]:
            best = (key, count, total)
    return best[1], best[2]


def networkx_one_to_one(scores, feasible, policy):
    """(count, objective) of the best 1:1 assignment via networkx's blossom algorithm.

    ``maxcardinality=True`` maximises the number of pairs first, then the weight — exactly
    the ``max_matched`` policy. For ``max_score`` only positive-score pairs are offered.
    """
    g = nx.Graph()
    for i, j in zip(*np.nonzero(feasible), strict=True):
        s = float(scores[i, j])
        if policy == "max_score" and s <= 0:
            continue
        # shift so that every weight is positive: with maxcardinality the count is fixed
        # first, and a constant per pair does not change which max-count matching is best
        g.add_edge(
            ("m", int(i)), ("e", int(j)), weight=s + (1000.0 if policy == "max_matched" else 0)
        )
    mate = nx.max_weight_matching(g, maxcardinality=policy == "max_matched")
    pairs = [(a[1], b[1]) if a[0] == "m" else (b[1], a[1]) for a, b in mate]
    return len(pairs), float(sum(scores[i, j] for i, j in pairs))


def cpsat(scores_int, feasible, mentor_cap, mentee_cap, policy):
    """(count, integer objective) by CP-SAT on a 0/1 model, lexicographic in two solves."""

    def solve(fix_count=None):
        model = cp_model.CpModel()
        pairs = list(zip(*np.nonzero(feasible), strict=True))
        x = {p: model.new_bool_var(f"x{p}") for p in pairs}
        # capacities
        for i in range(scores_int.shape[0]):
            model.add(sum(x[p] for p in pairs if p[0] == i) <= int(mentor_cap[i]))
        for j in range(scores_int.shape[1]):
            model.add(sum(x[p] for p in pairs if p[1] == j) <= int(mentee_cap[j]))
        count = sum(x.values())
        if fix_count is not None:
            model.add(count == fix_count)
            model.maximize(sum(int(scores_int[p]) * x[p] for p in pairs))
        elif policy == "max_matched":
            model.maximize(count)
        else:
            model.maximize(sum(int(scores_int[p]) * x[p] for p in pairs))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        status = solver.solve(model)
        assert status == cp_model.OPTIMAL
        chosen = [p for p in pairs if solver.value(x[p])]
        return len(chosen), int(sum(int(scores_int[p]) for p in chosen))

    if policy == "max_matched":
        k, _ = solve()
        return solve(fix_count=k)
    return solve()
