"""Exact assignment with scipy's ``linear_sum_assignment`` (shortest augmenting paths).

One-to-one problems use the masked matrix directly; when only one side has capacities above
one, that side's rows (or columns) are repeated ("column expansion"), which is exact because a
participant copy can then never meet the same partner twice. Forbidden pairs get weight 0 and
are dropped from the answer, so they are never chosen; since every allowed pair has positive
weight, a maximum-weight *full* assignment restricted to its positive pairs is a maximum-weight
partial one.
"""

from __future__ import annotations

import numpy as np

from ._problem import ArrayProblem, coverage_bonus
from .registry import Needs, Solution

#: Largest expanded matrix (cells) the backend accepts for capacities via expansion.
MAX_EXPANDED_CELLS = 1 << 26


class LSABackend:
    name = "lsa"

    def unsupported(self, needs: Needs) -> str | None:
        rows, cols = needs.expanded
        if needs.capacities != "one-to-one" and rows * cols > MAX_EXPANDED_CELLS:
            return f"capacity expansion to {rows} × {cols} cells is too large"
        return None

    def declines(self, needs: Needs) -> str | None:
        return None

    def solve(self, problem: ArrayProblem) -> Solution:
        cand = problem.candidates()
        bonus = coverage_bonus(problem, cand) if problem.policy == "max_matched" else 0.0
        # Repeat each row (column) once per unit of capacity, capped by the other side's size.
        row_rep = np.minimum(problem.mentor_capacity, problem.shape[1])
        col_rep = np.minimum(problem.mentee_capacity, problem.shape[0])
        row_of = np.repeat(np.arange(problem.shape[0]), row_rep)
        col_of = np.repeat(np.arange(problem.shape[1]), col_rep)
        unit = (row_rep == 1).all() and (col_rep == 1).all()
        # The costs to minimise, -(score + bonus) and 0 where forbidden, are built in place in
        # one n × n array: scipy copies a matrix it must negate (``maximize``) or transpose
        # (more rows than columns), so it gets a wide one, negated, and copies nothing.
        flip = len(row_of) > len(col_of)
        scores, ok = (problem.scores.T, cand.T) if flip else (problem.scores, cand)
        cost = np.negative(scores, order="C")
        if bonus:
            cost -= bonus
        np.multiply(cost, ok, out=cost)
        if not unit:
            cost = cost[np.ix_(col_of, row_of) if flip else np.ix_(row_of, col_of)]
        # scipy.optimize loads on first use (0.3 s): `auto` asks this backend what it can
        # solve before it takes the sparse path, which never needs it
        from scipy.optimize import linear_sum_assignment

        r, c = linear_sum_assignment(cost)
        if flip:
            r, c = c, r
        pairs = np.column_stack((row_of[r], col_of[c]))
        pairs = pairs[cand[pairs[:, 0], pairs[:, 1]]]
        return Solution(pairs, 0.0, "scipy linear_sum_assignment: optimal")


backend = LSABackend()
