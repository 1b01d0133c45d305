"""Score sources for the sparse path: the protocol, an in-memory matrix, a sub-block, exact re-
scoring in chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np

#: Screened values at or below this are pairs a (keyed) hard rule forbids ...
INFEASIBLE = -2.0


#: ... and a source screens those at or below this (scores lie in [0, 1]).
FORBIDDEN = -1023.0


class ScoreSource(Protocol):
    """What the sparse path needs to know about the (implicit) score matrix."""

    shape: tuple[int, int]

    def screen(
        self, rows: np.ndarray | None, cols: np.ndarray, u: np.ndarray | None, v: np.ndarray | None
    ) -> np.ndarray:
        """Approximate ``score - u[rows, None] - v[None, cols]`` for mentors ``rows`` (all when
        ``None``) and mentees ``cols``; pairs a keyed rule forbids are at most ``INFEASIBLE``."""

    def error(self, scale: float) -> float:
        """Bound on ``|screen - exact|`` for allowed pairs when ``|u| + |v| ≤ scale``."""

    def exact(self, mi: np.ndarray, ei: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact float64 scores and feasibility (every rule) of the pairs ``(mi[k], ei[k])``."""

    def refine(self, mi: np.ndarray, ei: np.ndarray, screened: np.ndarray) -> np.ndarray:
        """Screened values of the pairs ``(mi[k], ei[k])`` brought within ``error`` of the
        exact ones (a screen that is an upper bound removes its overestimate; cheap)."""


class DenseSource:
    """A :class:`ScoreSource` over an in-memory matrix (exact screen, ``δ = 0``).

    ``shift`` is added to every score as it is read (a shifted copy of the matrix would
    double its memory). The screen reads a value at or below :data:`INFEASIBLE` as a
    forbidden pair: under ``max_matched`` every allowed score must stay above it once
    shifted (the backend shifts by the lowest allowed score), else such pairs are lost and
    the answer, certified for the pairs left, has fewer pairs. Under ``max_score`` such a
    pair is never worth making, so nothing is lost.
    """

    def __init__(
        self, scores: np.ndarray, feasible: np.ndarray, shift: float = 0.0, *, filled: bool = False
    ) -> None:
        self.scores = scores
        self.feasible = feasible
        self.shift = float(shift)
        self.shape = scores.shape
        #: the forbidden cells of ``scores`` hold :data:`FORBIDDEN` already (no shift): the
        #: screen reads the matrix as it is (a third fewer passes over each block)
        self.filled = filled and not self.shift

    def screen(self, rows, cols, u, v):
        s = self.scores[:, cols] if rows is None else self.scores[np.ix_(rows, cols)]
        if self.filled:
            out = s  # a copy already (fancy indexing)
        else:
            f = self.feasible[:, cols] if rows is None else self.feasible[np.ix_(rows, cols)]
            if self.shift:
                s += self.shift  # a copy already (fancy indexing)
            out = np.where(f, s, FORBIDDEN)
        if u is not None:
            out -= (u if rows is None else u[rows])[:, None]
        if v is not None:
            out -= v[cols][None, :]
        return out

    def error(self, scale: float) -> float:
        return 4.0 * np.finfo(np.float64).eps * (1.0 + scale)

    def exact(self, mi, ei):
        s = self.scores[mi, ei]
        return (s + self.shift if self.shift else s), self.feasible[mi, ei]

    def refine(self, mi, ei, screened):
        return screened


class SubSource:
    """The part of a :class:`ScoreSource` on mentors ``rows`` × mentees ``cols``, indexed
    from 0 (an independent part of a decomposed problem).

    Potentials given for the part are placed into full-length vectors; the lifted arrays are
    cached by identity so that the underlying source's own per-call caches still hit.
    """

    def __init__(self, source, rows: np.ndarray, cols: np.ndarray) -> None:
        self.source = source
        self.rows = np.asarray(rows, dtype=np.intp)
        self.cols = np.asarray(cols, dtype=np.intp)
        self.shape = (len(self.rows), len(self.cols))
        self._lifted: dict = {}

    def _lift(self, a: np.ndarray | None, index: np.ndarray, n: int, *, take: bool):
        """``index[a]`` (``take``) or ``a`` scattered to length ``n`` at ``index``; cached."""
        if a is None:
            return index if take else None
        hit = self._lifted.get((id(a), take))
        if hit is not None and hit[0] is a:
            return hit[1]
        if take:
            out = index[a]
        else:
            out = np.zeros(n, dtype=np.asarray(a).dtype)
            out[index] = a
        if len(self._lifted) > 8:
            self._lifted.clear()
        self._lifted[(id(a), take)] = (a, out)
        return out

    def screen(self, rows, cols, u, v):
        n_m, n_e = self.source.shape
        return self.source.screen(
            self._lift(rows, self.rows, n_m, take=True),
            self.cols[cols],
            self._lift(u, self.rows, n_m, take=False),
            self._lift(v, self.cols, n_e, take=False),
        )

    def error(self, scale: float) -> float:
        return self.source.error(scale)

    def exact(self, mi, ei):
        return self.source.exact(self.rows[np.asarray(mi)], self.cols[np.asarray(ei)])

    def refine(self, mi, ei, screened):
        return self.source.refine(self.rows[np.asarray(mi)], self.cols[np.asarray(ei)], screened)


class TableSource:
    """A :class:`ScoreSource` plus a table over the two people's codes: the pair ``(i, j)``
    scores ``source``'s score plus ``table[codes_m[i], codes_e[j]]`` — a Lagrangian's
    multipliers on goal rows keyed on attributes (see
    :class:`~rm_match.solvers.constrained.model.PairTable`), priced over every pair.

    The table's entries must stay within ±:data:`TABLE_MOST` (so that a forbidden pair still
    screens below :data:`INFEASIBLE`); the screen adds them in float32, the exact scores in
    float64.

    Examples
    --------
    >>> scores = np.array([[0.5, 0.2], [0.1, 0.9]])
    >>> src = TableSource(DenseSource(scores, np.ones((2, 2), bool)), np.array([0, 1]),
    ...                   np.array([0, 0]), np.array([[0.25], [0.0]]))
    >>> src.exact(np.array([0, 1]), np.array([1, 1]))[0].tolist()
    [0.45, 0.9]
    """

    def __init__(self, source, codes_m: np.ndarray, codes_e: np.ndarray, table: np.ndarray):
        self.source = source
        self.shape = source.shape
        self.codes_m = np.asarray(codes_m, dtype=np.intp)
        self.codes_e = np.asarray(codes_e, dtype=np.intp)
        self.table = np.asarray(table, dtype=np.float64)
        self.most = float(np.abs(self.table).max(initial=0.0))
        if not self.most <= TABLE_MOST:
            raise ValueError(f"table entries must lie within ±{TABLE_MOST:g}; got {self.most:g}")
        self._table32 = self.table.astype(np.float32)

    def screen(self, rows, cols, u, v):
        out = self.source.screen(rows, cols, u, v)
        codes = self.codes_m if rows is None else self.codes_m[rows]
        out += np.take(np.take(self._table32, self.codes_e[cols], axis=1), codes, axis=0)
        return out

    def error(self, scale: float) -> float:
        # the source's error on scores that may reach the table's most, and the addition
        eps = float(np.finfo(np.float32).eps)
        return self.source.error(scale + self.most) + 2.0 * eps * (2.0 + scale + self.most)

    def exact(self, mi, ei):
        s, ok = self.source.exact(mi, ei)
        return s + self.table[self.codes_m[np.asarray(mi)], self.codes_e[np.asarray(ei)]], ok

    def refine(self, mi, ei, screened):
        return self.source.refine(mi, ei, screened)


#: The most a :class:`TableSource`'s entries may add to or take from a score.
TABLE_MOST = 512.0


def _chunks(cols: np.ndarray, n_rows: int, block_elements: int) -> Iterator[np.ndarray]:
    """``cols`` in pieces of at most ``block_elements`` cells against ``n_rows`` rows."""
    step = max(1, block_elements // max(n_rows, 1))
    for start in range(0, len(cols), step):
        yield cols[start : start + step]


def _map(executor, fn, items):
    return map(fn, items) if executor is None else executor.map(fn, items)


def _exact(source, mi, ei, executor=None, chunk=1 << 19):
    """``source.exact`` in chunks on the executor (numpy releases the GIL: at n = 100 000 the
    exact checks were a tenth of the time, on one core)."""
    if len(mi) <= chunk:
        return source.exact(mi, ei)
    # each task carries its chunk (views here; on a cluster, only the chunk travels)
    chunks = [(mi[s : s + chunk], ei[s : s + chunk]) for s in range(0, len(mi), chunk)]
    parts = list(_map(executor, lambda c: source.exact(*c), chunks))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
