"""One goal row: its Lagrangian dual in one dimension, by cutting planes on assignments' lines.

A model whose goals compile to a single row ``r(x) = g·x + t·Σx − b ≥ 0`` and no indicator
(a share of pairs, "at least / at most so many pairs of a kind", a cap on a group's pairs)
has the Lagrangian bound

    L(λ) = max over assignments x of  w·x + λ·r(x),    λ ≥ 0,

the upper envelope of one line ``ℓ_x(λ) = w·x + λ·r(x)`` per assignment: convex and piecewise
linear. Its minimum is the LP bound (the assignment polytope is integral) and sits where a
line that breaks the row (``r < 0``) crosses one that meets it (``r ≥ 0``). Every assignment
met so far gives a line below ``L``; the smallest value of their envelope is where ``L`` is
evaluated next (one exact assignment, :class:`.lagrangian.ExactLagrangian`), and when that
evaluation finds no line above the envelope there, the envelope's minimum is ``L``'s: the
dual is solved. Each evaluation adds a line, and there are finitely many assignments, so this
ends; in practice in a handful of evaluations.

**The answer.** The assignment that meets the row among those optimal at the dual's minimum
``λ*`` (the one with the least slack ``r``, i.e. the largest weight, when several are). Its
gap to the bound is ``λ*·r(x⁺)``: the row's slack at that breakpoint, priced at ``λ*`` —
typically one alternating cycle's worth of pairs, so tiny against the whole score. It is
defined by ``λ*`` alone, not by the path that found it, which is what lets a sweep over the
row's level start from the assignments of earlier levels (:class:`Memo`) and still give each
level the answer a fresh solve gives (up to ties among optimal assignments).

Under ``max_matched`` the inner problem is the best assignment with the most pairs ``K``
(the bound covers answers with ``K`` pairs, see :class:`.lagrangian.ExactLagrangian`), so
a row that no ``K``-pair assignment meets has no answer here: the caller's LP pipeline takes
over (it can give up pairs).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np

from .._problem import capacities_on_both_sides
from .budget import Budget
from .lagrangian import Exact, ExactLagrangian
from .model import GoalModel

#: Most evaluations of ``L`` one solve makes (it converges in far fewer).
MAX_EVALUATIONS = 60
#: Most assignments a :class:`Memo` keeps (the latest).
MEMO_LINES = 64
#: The relative tolerance (on the score's scale) below which a line is not above the
#: envelope: the dual is solved.
TOL = 1e-11


def applies(model: GoalModel, cells: int, *, empty: bool = False) -> bool:
    """Whether ``model`` has one goal row (or none, with ``empty``) and no indicator, and its
    matrix (``n_m × n_e``, at most ``cells``) fits the exact evaluation, which takes
    capacities on one side."""
    g, h, _, _, _ = model.ge_rows
    return (
        (g.shape[0] == 1 or (empty and g.shape[0] == 0))
        and h.shape[1] == 0
        and model.n_edges > 0
        and model.n_m * model.n_e <= cells
        and not capacities_on_both_sides(model.m_cap, model.e_cap)
    )


@dataclass
class Memo:
    """Assignments met while solving models with the same pairs, scores, capacities and
    policy (the points of a sweep over a row's level): each one's line bounds ``L`` at any
    level, so a later level starts with its breakpoint bracketed. Also keeps ``L(0)``, which
    no row changes. A warm start only: the answers are those of a fresh solve (see the
    module docstring)."""

    key: tuple[np.ndarray, ...] | None = None
    policy: str = ""
    lines: list[np.ndarray] = field(default_factory=list)  # each one's edge indices
    at_zero: Exact | None = None
    warm: tuple[np.ndarray, np.ndarray] | None = None
    ghat: np.ndarray | None = None  # the scaled row of the levels solved (see _Row)
    solves: list[tuple[float, float]] = field(default_factory=list)  # (level, λ*·scale)

    def fits(self, model: GoalModel) -> bool:
        """Whether the memo's assignments are assignments of ``model`` (taking it over,
        emptied, when they are not)."""
        key = (model.mi, model.ei, model.scores, model.m_cap, model.e_cap)
        same = (
            self.key is not None
            and model.policy == self.policy
            and all(
                a.shape == b.shape and np.array_equal(a, b)
                for a, b in zip(key, self.key, strict=True)
            )
        )
        if not same:
            self.key, self.policy = key, model.policy
            self.lines, self.at_zero, self.warm = [], None, None
            self.ghat, self.solves = None, []
        return same

    def add(self, edges: np.ndarray) -> None:
        self.lines.append(edges)
        del self.lines[:-MEMO_LINES]

    def guess(self, row: _Row) -> float | None:
        """λ* at ``row``'s level, extrapolated from the two nearest levels solved with the
        same scaled coefficients (and λ* = 0 where L(0)'s assignment meets the row)."""
        if self.ghat is None or not np.array_equal(self.ghat, row.ghat):
            return None
        known = [(row.met, 0.0), *self.solves]
        known.sort(key=lambda p: abs(p[0] - row.level))
        (l1, m1), rest = known[0], known[1:]
        other = next(((l2, m2) for l2, m2 in rest if abs(l2 - l1) > 1e-12), None)
        if other is None:
            return None
        l2, m2 = other
        mu = m1 + (m2 - m1) * (row.level - l1) / (l2 - l1)
        return mu / row.scale if mu > 0 and np.isfinite(mu) else None

    def solved(self, row: _Row, lam: float) -> None:
        """Record ``λ*`` at ``row``'s level."""
        if self.ghat is None or not np.array_equal(self.ghat, row.ghat):
            self.ghat, self.solves = row.ghat, []
        self.solves.append((row.level, lam * row.scale))


class _Row:
    """The row scaled to its largest coefficient: ``r(x)/g = ĝ·x − level`` for answers with
    ``k`` pairs; ``λ·g`` is then comparable across levels of one row (a sweep)."""

    def __init__(self, ghat: np.ndarray, scale: float, level: float, met: float) -> None:
        self.ghat, self.scale, self.level = ghat, scale, level
        self.met = met  # the level L(0)'s assignment meets exactly (λ* = 0 there)

    @classmethod
    def of(cls, lines: _Lines, k: int) -> _Row | None:
        scale = float(np.abs(lines.coef).max(initial=0.0))
        if not lines.xs or scale == 0.0:
            return None
        ghat = lines.coef / scale
        level = -(lines.t * k - lines.b) / scale
        return cls(ghat, scale, level, float(ghat[lines.xs[0]].sum()))


#: A guessed λ* is first evaluated, then this factor towards the other side of it.
_STEP = 1.15


#: The memo of the solves in this context (see :func:`remembering`).
_MEMO: ContextVar[Memo | None] = ContextVar("rm_match_goal_path", default=None)


@contextmanager
def remembering(memo: Memo | None = None) -> Iterator[Memo]:
    """Within the block, one-row goal solves share ``memo`` (a new one by default): for a
    sweep that solves the same pairs at several levels of a row, one after the other."""
    memo = Memo() if memo is None else memo
    token = _MEMO.set(memo)
    try:
        yield memo
    finally:
        _MEMO.reset(token)


def current_memo() -> Memo | None:
    return _MEMO.get()


@dataclass
class PathResult:
    """What :func:`solve` found."""

    x: np.ndarray | None  # the answer: meets the row, optimal at λ* (None: none found)
    bound: float  # the smallest certified L(λ) evaluated, on the weights
    exact: Exact | None  # that evaluation (its reduced costs fix pairs)
    lam: float  # where the smallest bound was evaluated (λ* once solved)
    evaluations: int
    solved: bool  # the dual's minimum was reached (else: out of work or evaluations)


class _Lines:
    """Assignments as lines ``a + λ·s`` (``a``: the weight less the bonus of the first
    line's count, so that the scale is the score's; ``s``: the row's value)."""

    def __init__(self, model: GoalModel) -> None:
        g, _, b, t, _ = model.ge_rows
        self.coef = np.asarray(g.toarray()).ravel()
        self.t, self.b = float(t[0]), float(b[0])
        self.model = model
        self.xs: list[np.ndarray] = []
        self.a: list[float] = []
        self.s: list[float] = []
        self.count0: int | None = None

    def add(self, edges: np.ndarray) -> tuple[int, bool]:
        """Add the line of the assignment on ``edges`` (sorted edge indices) once: its index
        and whether it is new."""
        for i, y in enumerate(self.xs):
            if np.array_equal(edges, y):
                return i, False
        m = self.model
        count = len(edges)
        if self.count0 is None:
            self.count0 = count
        self.xs.append(edges)
        self.a.append(float(m.scores[edges].sum()) + m.bonus * (count - self.count0))
        self.s.append(float(self.coef[edges].sum()) + self.t * count - self.b)
        return len(self.xs) - 1, True

    def mask(self, i: int) -> np.ndarray:
        x = np.zeros(self.model.n_edges, dtype=bool)
        x[self.xs[i]] = True
        return x

    def value(self, i: int, lam: float) -> float:
        return self.a[i] + lam * self.s[i]

    def envelope_min(self) -> tuple[float, float] | None:
        """``(λ, value)`` minimising the envelope over ``λ ≥ 0``; ``None`` when no line
        meets the row (the envelope falls without end)."""
        a, s = np.asarray(self.a), np.asarray(self.s)
        up, down = np.flatnonzero(s >= 0), np.flatnonzero(s < 0)
        if len(up) == 0:
            return None
        cand = [np.zeros(1)]
        if len(down):
            # where each falling line crosses each rising one
            lam = (a[down][:, None] - a[up][None, :]) / (s[up][None, :] - s[down][:, None])
            cand.append(lam[lam > 0].ravel())
        grid = np.concatenate(cand)
        env = (a[:, None] + s[:, None] * grid[None, :]).max(axis=0)
        k = int(np.argmin(env))
        return float(grid[k]), float(env[k])


def _secant(points: list[tuple[float, int]], slope: list[float], damp: list[float]) -> float | None:
    """Where the row's value, linear between the nearest evaluated points on either side
    of zero (each end's value times its ``damp``), is zero; ``None`` without both sides."""
    below = [p for p in points if slope[p[1]] < 0]
    above = [p for p in points if slope[p[1]] >= 0]
    if not below or not above:
        return None
    (l_lo, i_lo), (l_hi, i_hi) = max(below), min(above)
    s_lo, s_hi = slope[i_lo] * damp[0], slope[i_hi] * damp[1]
    if not l_lo < l_hi or not s_hi > s_lo:
        return None
    lam = l_lo - s_lo * (l_hi - l_lo) / (s_hi - s_lo)
    return lam if l_lo < lam < l_hi else None


def _ahead(points: list[tuple[float, int]], slope: list[float]) -> float | None:
    """With every evaluated point below zero: where the row's value, linear through the point
    of largest ``λ`` and the next one with another value, reaches zero, and as far again
    (``None`` without two such points)."""
    order = sorted(points)
    if not order:
        return None
    l2, i2 = order[-1]
    s2 = slope[i2]
    earlier = [(lam, i) for lam, i in order[:-1] if slope[i] < s2 and lam < l2]
    if not earlier:
        return None
    l1, i1 = earlier[-1]
    return l2 + 2.0 * (-s2) * (l2 - l1) / (s2 - slope[i1])


def solve(
    model: GoalModel,
    exact: ExactLagrangian,
    budget: Budget,
    units: float,
    warm_units: float | None = None,
    *,
    at_zero: Exact | None = None,
    memo: Memo | None = None,
) -> PathResult | None:
    """Minimise ``L`` over ``λ ≥ 0`` (see the module docstring); ``units``: the work of one
    evaluation, charged to ``budget`` (``warm_units`` for one started from the potentials of
    the last); ``at_zero``: ``L(0)`` when the caller has it.

    Returns ``None`` when an evaluation gives no certificate; a result with ``x = None``
    when no assignment met the row (under ``max_matched``: none with the most pairs)."""
    lines = _Lines(model)
    shared = memo is not None and memo.fits(model)
    if memo is not None:
        if at_zero is None and shared:
            at_zero = memo.at_zero
        if shared and memo.warm is not None and exact.warm is None:
            exact.warm = memo.warm
    evaluations = 0
    points: list[tuple[float, int]] = []  # (λ, line) of each evaluation here
    best: Exact | None = None
    best_lam = 0.0

    def evaluate(lam: float) -> tuple[Exact, int, bool] | None:
        """``L(λ)``, its assignment's line and whether that line is new (the point is kept
        in ``points``)."""
        nonlocal evaluations, best, best_lam
        warm = exact.warm is not None
        e = exact.evaluate(np.array([lam]))
        budget.charge(warm_units if warm and warm_units is not None else units)
        evaluations += 1
        if e is None:
            return None
        if best is None or e.bound < best.bound:
            best, best_lam = e, lam
        i, new = lines.add(np.flatnonzero(e.x))
        if new and memo is not None:
            memo.add(lines.xs[i])
        points.append((lam, i))
        return e, i, new

    if at_zero is None:
        first = evaluate(0.0)
        if first is None:
            return None
        at_zero = first[0]
    else:
        lines.add(np.flatnonzero(at_zero.x))
        points.append((0.0, 0))
        best = at_zero
    if memo is not None:
        memo.at_zero = at_zero
        if shared:
            for x in memo.lines:
                lines.add(x)
    g_max = float(np.abs(lines.coef).max(initial=0.0)) + abs(lines.t)
    spread = float(np.ptp(model.scores)) if model.n_edges else 0.0
    # λ beyond which one unit of the row outweighs every score (difference) of K pairs: the
    # inner assignment then has the row's largest value; if that breaks the row, none meets it
    k = max(int(at_zero.x.sum()), 1)
    top_score = float(np.abs(model.scores).max(initial=0.0))
    lam_far = (k * (spread + top_score) + 1.0) * 2.0
    # where to look first without a guess: a sixteenth of the score range per unit of the
    # row (λ* of the cross-gender shares of 50-80 % at n = 1 000: 2-35 % of it)
    # (all scores equal, e.g. one edge: the largest score instead)
    lam_next = max(spread or top_score, 1e-9) / max(g_max, 1.0) / 16.0
    # a first guess from the memo: the row's normalised level against λ* of the levels
    # solved before (and λ = 0 at the level L(0)'s assignment meets), extrapolated
    row = _Row.of(lines, k)
    guess = memo.guess(row) if shared and memo is not None and row is not None else None
    if guess is None and row is not None and row.level > row.met:
        # none: the score range per unit of the row, in proportion to the share of the
        # pairs the row is short by, over 16 (measured: 0.52-0.70 of λ* for the
        # cross-gender shares of 50-80 % at n = 1 000)
        guess = (spread or top_score) / row.scale * (row.level - row.met) / k / 16.0
    # a guess of 0 (no score to scale by) would be evaluated again and again at λ = 0
    guesses = [guess] if guess is not None and guess > 0 else []
    solved = False
    test = False  # the next point is the envelope's minimum (the test that ends the solve)
    last_side = 0
    damp = [1.0, 1.0]  # Illinois: the end of the bracket kept twice in a row counts half
    grow = 2.0
    while evaluations < MAX_EVALUATIONS and budget.left() > 0 and budget.fits(units):
        if guesses:
            lam = guesses.pop()
            got = evaluate(lam)
            if got is None:
                return None
            if not guesses and lam == guess:  # a step to the guess's other side
                guesses.append(lam / _STEP if lines.s[got[1]] >= 0 else lam * _STEP)
            continue
        env = lines.envelope_min()
        if env is None:  # nothing meets the row yet: look further out, ever faster
            top = max(p[0] for p in points)
            if top >= lam_far:
                break
            lam = top * grow if top > 0 else lam_next
            ahead = _ahead(points, lines.s)
            if ahead is not None and top < ahead < lam:
                lam = ahead  # the row's value heads for zero there: a step beyond it
            lam = min(lam, lam_far)
            grow *= 2.0
            got = evaluate(lam)
            if got is None:
                return None
            continue
        lam, low = env
        secant = False
        if not test:
            step = _secant(points, lines.s, damp)
            if step is not None:
                lam, secant = step, True
        got = evaluate(lam)
        if got is None:
            return None
        _, i, new = got
        if not secant:
            if lines.value(i, lam) <= low + TOL * max(1.0, abs(low)):
                solved = True
                break
            # a line above the envelope there: the next minimum is between it and the
            # bracket's other end, nearer λ* than a secant point (test again)
            continue
        side = -1 if lines.s[i] < 0 else 1
        flipped = side != last_side
        if flipped:
            damp = [1.0, 1.0]
        else:
            damp[1 if side < 0 else 0] *= 0.5  # the other end stayed: weigh it less
        last_side = side
        # test the envelope's minimum when a secant point found nothing new, or a new line
        # on the other side (the bracket's lines may then be the two at λ*)
        test = not new or flipped
    if solved and memo is not None and row is not None:
        memo.solved(row, lam)
    if memo is not None:
        memo.warm = exact.warm
    env = lines.envelope_min()
    if env is None:
        return PathResult(None, best.bound if best else np.inf, best, best_lam, evaluations, False)
    lam, low = env
    tol = TOL * max(1.0, abs(low)) * 10.0
    # the answer: the line meeting the row with the least slack among those at the minimum
    # (largest weight); short of the minimum, the best line meeting the row
    up = [i for i in range(len(lines.xs)) if lines.s[i] >= 0]
    tight = [i for i in up if lines.value(i, lam) >= low - tol] if solved else []
    pick = min(tight, key=lambda i: (lines.s[i], -lines.a[i])) if tight else None
    if pick is None:
        pick = max(up, key=lambda i: lines.a[i])
    return PathResult(
        lines.mask(pick), best.bound if best else np.inf, best, best_lam, evaluations, solved
    )
