"""The goal-constrained assignment as a small integer model over the candidate pairs.

Variables: one binary ``x_e`` per candidate pair (edge) ``e = (mentor, mentee)``, and one
binary *indicator* ``y_k = OR(x_e for e in S_k)`` per indicator set ``S_k`` (e.g. "this mentee
department meets a mentor from that department", "this mentor is chosen"). Constraints:
capacities, and integer goal rows ``lo ≤ Σ a·x + Σ c·y ≤ hi``. Objective: maximise
``Σ w_e x_e`` where ``w`` is the pair score (plus the coverage bonus for ``max_matched``).

Every goal compiles to rows of this form (:mod:`rm_match.goals`); the Lagrangian, CP-SAT and
HiGHS paths all read this one model, so they solve the same problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from .._problem import max_pairs


@dataclass
class MipResult:
    """What an exact solver (CP-SAT, HiGHS) returns on a :class:`GoalModel`."""

    x: np.ndarray | None  # best edge vector found, or None
    value: float  # its true weight (−inf if none)
    bound: float  # proven bound on the true weight over this model (inf if none)
    status: str  # the solver's status name
    wall_time: float
    deterministic_time: float = 0.0  # CP-SAT's deterministic time spent (all phases)
    nodes: int = 0  # HiGHS's branch-and-bound nodes
    timed_out: bool = False  # the wall clock (not a work limit) stopped the solver


@dataclass(frozen=True)
class PairTable:
    """A goal row's coefficient on *any* pair, not only on the model's edges: mentor ``i``
    and mentee ``j`` read ``scale · table[codes_m[i], codes_e[j]]`` — or, with ``match``,
    ``scale`` where that entry equals ``match`` and 0 elsewhere (the rows of one
    :class:`~rm_match.goals.Spread` share one table of cell ids) — integers; the row's
    ``total`` comes on top. Goals on the people's attributes (:class:`~rm_match.goals.Share`,
    :class:`~rm_match.goals.Count`, :class:`~rm_match.goals.Spread`) give one, so that a
    Lagrangian bound can price every pair of a cohort too large to list its pairs.

    Examples
    --------
    >>> import numpy as np
    >>> t = PairTable(np.array([0, 1]), np.array([1, 1, 0]), np.array([[0, 2], [2, 0]]))
    >>> t.on(np.array([0, 1]), np.array([0, 2])).tolist()
    [2, 2]
    >>> PairTable(t.codes_m, t.codes_e, t.table, match=0, scale=5).on(np.array([0, 1]),
    ...                                                               np.array([0, 0])).tolist()
    [0, 5]
    """

    codes_m: np.ndarray  # (n_m,) row of the table of each mentor
    codes_e: np.ndarray  # (n_e,) column of the table of each mentee
    table: np.ndarray  # (K_m, K_e) int64
    match: int | None = None
    scale: int = 1

    def values(self, table: np.ndarray) -> np.ndarray:
        """Coefficients from entries of :attr:`table` (int64)."""
        if self.match is not None:
            table = table == self.match
        return self.scale * table.astype(np.int64)

    def on(self, mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
        """The coefficients of the pairs ``(mi[k], ei[k])`` (``total`` aside)."""
        return self.values(self.table[self.codes_m[mi], self.codes_e[ei]])

    def times(self, k: int) -> PairTable:
        """The same row with every coefficient multiplied by ``k`` (the table shared)."""
        return replace(self, scale=self.scale * int(k))


@dataclass(frozen=True)
class Row:
    """``lo ≤ Σ x_val·x[x_idx] + Σ y_val·y[y_idx] + total·Σ x ≤ hi`` (integers; ``None`` =
    unbounded). ``total`` keeps share rows ("≥ p of all pairs") sparse. ``keyed``: the
    row's coefficient on every pair of the cohort, edges or not (``None`` when the row has
    indicators or its goal cannot say; see :class:`PairTable`)."""

    goal: int  # index of the goal it encodes
    x_idx: np.ndarray
    x_val: np.ndarray
    y_idx: np.ndarray
    y_val: np.ndarray
    lo: int | None
    hi: int | None
    label: str = ""  # what the row is about (e.g. "mentee 'S017'"), for diagnosis
    total: int = 0  # coefficient on the number of pairs Σ x
    keyed: PairTable | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class GoalModel:
    """Candidate pairs, capacities, indicators and goal rows; see the module docstring."""

    n_m: int
    n_e: int
    mi: np.ndarray  # (E,) mentor of each edge
    ei: np.ndarray  # (E,) mentee of each edge
    scores: np.ndarray  # (E,) float pair scores
    m_cap: np.ndarray
    e_cap: np.ndarray
    policy: str
    rows: tuple[Row, ...]
    indicators: tuple[np.ndarray, ...]  # edge indices of each S_k
    goal_names: tuple[str, ...]
    bonus: float = field(default=0.0)

    @property
    def n_edges(self) -> int:
        return len(self.mi)

    @cached_property
    def k_max(self) -> int:
        return max_pairs(self.m_cap, self.e_cap)

    @cached_property
    def most_pairs(self) -> int:
        """The most pairs any assignment on these edges can have, goals aside (exact)."""
        return int(self.largest_assignment.sum())

    @cached_property
    def largest_assignment(self) -> np.ndarray:
        """An edge mask with the most pairs, scores and goals aside: Hopcroft–Karp when every
        capacity is 1, else a max flow on the edge list."""
        from scipy.sparse.csgraph import maximum_bipartite_matching

        from ..flow import flow_on_edges

        out = np.zeros(self.n_edges, dtype=bool)
        if self.n_edges == 0 or self.k_max == 0:
            return out
        if self.m_cap.max() <= 1 and self.e_cap.max() <= 1:
            ok = np.flatnonzero((self.m_cap[self.mi] > 0) & (self.e_cap[self.ei] > 0))
            graph = sp.csr_matrix(
                (np.ones(len(ok)), (self.mi[ok], self.ei[ok])), shape=(self.n_m, self.n_e)
            )
            mate = maximum_bipartite_matching(graph, perm_type="column")
            rows = np.flatnonzero(mate >= 0)
            out[self.edges_of(rows, mate[rows])] = True
            return out
        used, _, _, _ = flow_on_edges(
            self.n_m,
            self.n_e,
            self.mi,
            self.ei,
            np.ones(self.n_edges),
            self.m_cap,
            self.e_cap,
            "max_score",
            self.k_max,
        )
        return used

    @cached_property
    def _pair_keys(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Each edge's key ``mentor · n_e + mentee``, sorted, and the sorting order (``None``
        when the edges are in key order already, as ``np.nonzero`` lists them)."""
        key = self.mi * max(self.n_e, 1) + self.ei
        if np.all(key[1:] > key[:-1]):
            return key, None
        order = np.argsort(key)
        return key[order], order

    def edges_of(self, mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
        """Edge indices of the pairs ``(mi[k], ei[k])``, every one an edge of the model."""
        keys, order = self._pair_keys
        at = np.searchsorted(keys, np.asarray(mi) * max(self.n_e, 1) + np.asarray(ei))
        return at if order is None else order[at]

    @cached_property
    def degree_caps(self) -> tuple[np.ndarray, np.ndarray]:
        """Each mentor's and mentee's capacity, capped by how many edges it has."""
        return (
            np.minimum(self.m_cap, np.bincount(self.mi, minlength=self.n_m)),
            np.minimum(self.e_cap, np.bincount(self.ei, minlength=self.n_e)),
        )

    @cached_property
    def _segments(self):
        out = []
        for side in (self.mi, self.ei):
            order = None if np.all(side[1:] >= side[:-1]) else np.argsort(side, kind="stable")
            s = side if order is None else side[order]
            starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]]) if len(s) else s[:0]
            out.append((order, starts, s[starts]))
        return out

    def largest_per_participant(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``max(0, largest value on its edges)`` for every mentor and every mentee."""
        out = []
        for (order, starts, who), n in zip(self._segments, (self.n_m, self.n_e), strict=True):
            best = np.zeros(n)
            if len(starts):
                vals = values if order is None else values[order]
                best[who] = np.maximum(np.maximum.reduceat(vals, starts), 0.0)
            out.append(best)
        return out[0], out[1]

    @cached_property
    def weights(self) -> np.ndarray:
        """Objective weight per edge: score, plus the coverage bonus under ``max_matched``."""
        return self.scores + self.bonus

    def with_edges(self, keep: np.ndarray) -> GoalModel:
        """The same model on the edges where ``keep`` is true (rows and sets re-indexed)."""
        new = np.full(self.n_edges, -1, dtype=np.int64)
        new[keep] = np.arange(int(keep.sum()))

        def re(idx, val=None):
            j = new[idx]
            ok = j >= 0
            return (j[ok], val[ok]) if val is not None else j[ok]

        rows = []
        for r in self.rows:
            xi, xv = re(r.x_idx, r.x_val)
            rows.append(replace(r, x_idx=xi, x_val=xv))
        return replace(
            self,
            mi=self.mi[keep],
            ei=self.ei[keep],
            scores=self.scores[keep],
            rows=tuple(rows),
            indicators=tuple(re(s) for s in self.indicators),
        )

    # -- matrix form ----------------------------------------------------------------------------

    @cached_property
    def totals(self) -> np.ndarray:
        """Each row's coefficient on the number of pairs."""
        return np.array([r.total for r in self.rows], dtype=float)

    @cached_property
    def matrices(self) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray, np.ndarray]:
        """``(A, C, lo, hi)`` with rows ``lo ≤ A x + C y + t·Σx ≤ hi`` (±inf where unbounded;
        ``t`` is :attr:`totals`)."""
        lo = np.array([-np.inf if r.lo is None else r.lo for r in self.rows], dtype=float)
        hi = np.array([np.inf if r.hi is None else r.hi for r in self.rows], dtype=float)

        def mat(idx, val, width):
            # one row per goal row, in order: the CSR arrays directly, no COO sort
            indptr = np.concatenate([[0], np.cumsum([len(i) for i in idx], dtype=np.int64)])
            if not idx or indptr[-1] == 0:
                return sp.csr_matrix((len(self.rows), width))
            data = np.concatenate(val).astype(float)
            return sp.csr_matrix((data, np.concatenate(idx), indptr), shape=(len(self.rows), width))

        a = mat([r.x_idx for r in self.rows], [r.x_val for r in self.rows], self.n_edges)
        c = mat([r.y_idx for r in self.rows], [r.y_val for r in self.rows], len(self.indicators))
        return a, c, lo, hi

    @cached_property
    def link(self) -> tuple[sp.csr_matrix, np.ndarray]:
        """Indicator-edge incidence ``L`` (sets × edges) and each set's size."""
        if not self.indicators:
            return sp.csr_matrix((0, self.n_edges)), np.zeros(0, dtype=np.int64)
        size = np.array([len(s) for s in self.indicators], dtype=np.int64)
        # one row per set, in order: the CSR arrays directly (a COO build sorts every entry)
        cols = np.concatenate(self.indicators).astype(np.int64, copy=False)
        indptr = np.concatenate([[0], np.cumsum(size)])
        lmat = sp.csr_matrix(
            (np.ones(len(cols)), cols, indptr), shape=(len(self.indicators), self.n_edges)
        )
        return lmat, size

    @cached_property
    def ge_rows(self):
        """Every goal row and indicator link as ``G x + H y + t·Σx ≥ b``: ``(G, H, b, t,
        owner)`` with each row's goal index in ``owner`` (-1 for the links ``Σ_S x − y ≥ 0``
        and ``|S|·y − Σ_S x ≥ 0``)."""
        a, c, lo, hi = self.matrices
        tot = self.totals
        has_lo, has_hi = np.isfinite(lo), np.isfinite(hi)
        lmat, size = self.link
        n_y = len(self.indicators)
        eye = sp.identity(n_y, format="csr")
        g = sp.vstack([a[has_lo], -a[has_hi], lmat, -lmat], format="csr")
        h = sp.vstack(
            [c[has_lo], -c[has_hi], -eye, sp.diags(size.astype(float), format="csr")],
            format="csr",
        )
        b = np.concatenate([lo[has_lo], -hi[has_hi], np.zeros(2 * n_y)])
        t = np.concatenate([tot[has_lo], -tot[has_hi], np.zeros(2 * n_y)])
        goal = np.array([r.goal for r in self.rows], dtype=np.int64)
        owner = np.concatenate([goal[has_lo], goal[has_hi], np.full(2 * n_y, -1)])
        return g, h, b, t, owner

    # -- evaluation -----------------------------------------------------------------------------

    def indicator_values(self, x: np.ndarray) -> np.ndarray:
        """``y_k = OR(x over S_k)`` for a 0/1 edge vector ``x``."""
        lmat, _ = self.link
        return (lmat @ x.astype(float)) > 0.5

    def row_values(self, x: np.ndarray) -> np.ndarray:
        a, c, _, _ = self.matrices
        y = self.indicator_values(x)
        return a @ x.astype(float) + c @ y.astype(float) + self.totals * float(x.sum())

    def with_rows(self, rows: tuple[Row, ...], names: tuple[str, ...]) -> GoalModel:
        """The model with more rows (and goal names)."""
        return replace(self, rows=self.rows + rows, goal_names=self.goal_names + names)

    def violated_goals(self, x: np.ndarray) -> list[int]:
        """Indices of the goals whose rows ``x`` breaks (capacities are not checked)."""
        _, _, lo, hi = self.matrices
        v = self.row_values(x)
        bad = (v < lo - 1e-9) | (v > hi + 1e-9)
        return sorted({self.rows[k].goal for k in np.flatnonzero(bad)})

    def capacity_ok(self, x: np.ndarray) -> bool:
        dm = np.bincount(self.mi[x], minlength=self.n_m)
        de = np.bincount(self.ei[x], minlength=self.n_e)
        return bool((dm <= self.m_cap).all() and (de <= self.e_cap).all())

    def feasible(self, x: np.ndarray) -> bool:
        return self.capacity_ok(x) and not self.violated_goals(x)

    def empty_feasible(self) -> bool:
        """Whether the assignment with no pair meets every goal row: :meth:`feasible` of the
        zero vector, read off the rows' bounds (every row is 0 there; no matrix built)."""
        return all((r.lo is None or r.lo <= 0) and (r.hi is None or r.hi >= 0) for r in self.rows)


def by_participant(side: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Edges grouped by participant: participant ``p``'s edges are
    ``order[bounds[p]:bounds[p + 1]]`` (``side`` is ``mi`` or ``ei``; ``n`` participants)."""
    order = np.argsort(side, kind="stable")
    return order, np.searchsorted(side[order], np.arange(n + 1))


def lexicographic_bonus(scores: np.ndarray, k_max: int, policy: str) -> float:
    """Per-pair bonus making one more pair worth more than any score difference
    (``max_matched``); 0 for ``max_score``. See :func:`.._problem.coverage_bonus`."""
    if policy != "max_matched" or len(scores) == 0:
        return 0.0
    lo, hi = float(scores.min()), float(scores.max())
    return (k_max + 1) * (hi - lo) + abs(lo) + 1.0


def score_bound(model: GoalModel, count: int, value_bound: float) -> float:
    """Turn a bound on ``Σ (score + bonus)`` into a bound on the score among assignments with
    the most pairs, given a solution with ``count`` pairs; ``inf`` if ``count`` is not proven
    the most (a solution with more pairs might exist).

    Every pair weighs ``score + bonus > 0``, so an assignment with ``c' > count`` pairs weighs
    at least ``bonus·(count + 1)`` plus the ``count + 1`` lowest scores. When ``value_bound``
    (a bound on every assignment's weight) is below that, no assignment has more pairs, and
    those with ``count`` pairs score at most ``value_bound − bonus·count``. A solver that
    proves its answer's weight optimal passes this test: one more pair outweighs any score
    difference (:func:`lexicographic_bonus`)."""
    if model.bonus == 0.0 or not np.isfinite(value_bound):
        return value_bound
    # capacities alone cap the count (cheap); else the exact most on these edges
    if count >= model.k_max or count >= model.most_pairs:  # goals only lower the most
        return value_bound - model.bonus * count
    # count < most_pairs ≤ n_edges: the count + 1 lowest scores exist
    low = float(np.partition(model.scores, count)[: count + 1].sum())
    if value_bound >= model.bonus * (count + 1) + low:
        return np.inf
    return value_bound - model.bonus * count


def build_model(
    n_m: int,
    n_e: int,
    mi: np.ndarray,
    ei: np.ndarray,
    scores: np.ndarray,
    m_cap: np.ndarray,
    e_cap: np.ndarray,
    policy: str,
    rows: tuple[Row, ...] = (),
    indicators: tuple[np.ndarray, ...] = (),
    goal_names: tuple[str, ...] = (),
) -> GoalModel:
    """A :class:`GoalModel` over the edges ``(mi, ei)`` with the coverage bonus of ``policy``
    (no rows: the plain assignment problem on those edges)."""
    s = np.asarray(scores, dtype=float)
    bonus = lexicographic_bonus(s, max_pairs(m_cap, e_cap), policy)
    return GoalModel(n_m, n_e, mi, ei, s, m_cap, e_cap, policy, rows, indicators, goal_names, bonus)
