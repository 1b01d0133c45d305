"""Rematch after changes: a new programme that keeps as many of the previous pairs as it can.

Between rounds people leave and join. :func:`rematch` takes the previous pairs, the current
tables and the ids of those who left, and solves the programme again with the previous pairs
*preferred*:

- ``policy="max_matched"`` (default): the most pairs first (as :func:`rm_match.match`), then
  as many previous pairs kept as possible, then the best total score. First every keepable
  previous pair is kept and the rest solved as :func:`rm_match.match` solves it (the sparse
  path at scale): no answer keeps more, so when that answer also has the most pairs any
  answer has (what the capacities allow, or the unconstrained optimum's count when
  ``compare=True`` solves it anyway) it is the optimum, certified by the rest's bound. At
  10 000 per side after 5 % drop-outs that took 1.4 s against 4.1 s for one ``match``
  (``benchmarks/rematch.py``). Otherwise — keeping them all would cost a pair — exactly, by
  a per-pair bonus ``M`` on every surviving previous pair, where ``M`` exceeds any total of
  scores (scores lie in [0, 1], so ``M`` = the most pairs that can be chosen + 1). That
  solve is the dense min-cost flow, whose integer scale is checked (see
  :mod:`rm_match.solvers.flow`); the objective and bound are reported in the original
  scores, with the rounding of ``score + M`` counted in the bound, so ``status`` is
  ``"optimal"`` only when proven. The answer's message says which of the two answered.
- ``policy="max_score"``: the most previous pairs kept first, then the best total score
  (always the first way: keeping every keepable pair is then the optimum).
- ``max_changes=c``: at most ``c`` of the previous pairs that could be kept are broken — a
  :class:`~rm_match.goals.Count` goal over the previous pairs, solved by the goal machinery
  (certified gap), then the programme's policy.
- ``break_price=p``: each previous pair that could be kept and is broken costs ``p`` (one
  solve, ``score + p`` on a kept pair).

Leavers are removed from the tables, but reporting lines through them are still followed: a
leaver becomes an ``org_chart`` entry (their id → their own manager), so
:class:`~rm_match.rules.NoReportingLine` still forbids a skip-level pair through a manager who
left. Late joiners are simply in the current tables.

Examples
--------
>>> from rm_match import synthetic
>>> from rm_match.rounds import rematch
>>> from rm_match import match
>>> mentors, mentees = synthetic.cohort(6, 6, rng=3)
>>> first = match(mentors, mentees)
>>> gone = first.id_pairs[0][1]  # a mentee leaves
>>> again = rematch(first, mentors, mentees, left=[gone])
>>> again.counts["left"], again.counts["kept"] >= 8, again.matching.status
(1, True, 'optimal')
"""

from __future__ import annotations

import math
import numbers
import time
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .. import api
from ..errors import InfeasibleError, ValidationError
from ..explain import explain_matching
from ..goals import Count
from ..people import People
from ..preferences import Preferences
from ..problem import Problem
from ..programme import Programme
from ..results import Assignment, Matching
from ..rules import RequiredPairs
from ..solvers import check_options
from ..solvers._problem import max_pairs

__all__ = ["STATUSES", "Rematch", "rematch"]

#: Each participant's status in a :class:`Rematch`, in the order counts list them.
STATUSES = ("kept", "new_partner", "newly_matched", "unmatched", "left")

Pair = tuple[Hashable, Hashable]


@dataclass(frozen=True)
class Rematch:
    """A programme solved again after changes, compared with the previous one.

    Attributes
    ----------
    matching : Matching
        The new programme (objective and bound in the original scores).
    status : mapping of id to str
        Every current participant and every leaver: ``"kept"`` (the same partners as
        before), ``"new_partner"`` (had a partner, now has a new one), ``"newly_matched"``
        (had none: unmatched before, or joined), ``"unmatched"``, ``"left"``.
    reasons : mapping of id to str
        The reason of each ``"unmatched"`` participant (from the matching's explanations).
    counts : mapping of str to int
        Participants per status (every status of :data:`STATUSES`, zeros included).
    kept_pairs : tuple of (mentor id, mentee id)
        Previous pairs in the new programme.
    broken_pairs : tuple of (mentor id, mentee id)
        Previous pairs whose two people are both still there, not in the new programme
        (those the rules now forbid included).
    ended_pairs : tuple of (mentor id, mentee id)
        Previous pairs with somebody who left.
    keepable : int
        Previous pairs that could be kept: both people still there and every rule allows
        the pair (the count ``max_changes`` is measured against).
    mode : str
        ``"lexicographic"``, ``"max_changes"`` or ``"break_price"``.
    optimum_objective : float or None
        Objective of the unconstrained optimum (a plain :func:`rm_match.match` on the same
        tables); ``None`` when not computed (``compare=False``).
    pairs_changed : int or None
        The price of stability in pairs: pairs of this programme that the unconstrained
        optimum does not have.
    score_given_up : float or None
        The price of stability in score: ``optimum_objective - matching.objective``.
    wall_time : float
        Seconds for the whole call.
    problem : Problem
        The programme as solved: the current tables (leavers removed) with the org chart
        through the leavers; for :func:`rm_match.verify`.
    """

    matching: Matching
    status: Mapping[Hashable, str] = field(repr=False)
    reasons: Mapping[Hashable, str] = field(repr=False)
    counts: Mapping[str, int]
    kept_pairs: tuple[Pair, ...] = field(repr=False)
    broken_pairs: tuple[Pair, ...] = field(repr=False)
    ended_pairs: tuple[Pair, ...] = field(repr=False)
    keepable: int
    mode: str
    optimum_objective: float | None
    pairs_changed: int | None
    score_given_up: float | None
    wall_time: float
    problem: Problem = field(repr=False)
    _partners: Mapping[Hashable, tuple[str, tuple[Hashable, ...], tuple[Hashable, ...]]] = field(
        default_factory=dict, repr=False
    )

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per participant (leavers included): ``side``, ``id``, ``status``,
        ``partners`` and ``previous_partners`` (lists of ids), ``reason`` (``None`` unless
        unmatched). Ids and statuses only, no attribute values.

        Examples
        --------
        >>> from rm_match import match, synthetic
        >>> from rm_match.rounds import rematch
        >>> mentors, mentees = synthetic.cohort(3, 3, rng=1)
        >>> rows = rematch(match(mentors, mentees), mentors, mentees).to_records()
        >>> sorted(rows[0]), {r["status"] for r in rows}
        (['id', 'partners', 'previous_partners', 'reason', 'side', 'status'], {'kept'})
        """
        return [
            {
                "side": side,
                "id": pid,
                "status": self.status[pid],
                "partners": list(now),
                "previous_partners": list(before),
                "reason": self.reasons.get(pid),
            }
            for pid, (side, now, before) in self._partners.items()
        ]

    def __repr__(self) -> str:
        price = "" if self.pairs_changed is None else f", pairs_changed={self.pairs_changed}"
        return (
            f"Rematch(pairs={len(self.matching)}, kept={len(self.kept_pairs)}, "
            f"broken={len(self.broken_pairs)}, ended={len(self.ended_pairs)}, "
            f"counts={dict(self.counts)}, mode={self.mode!r}, "
            f"status={self.matching.status!r}{price})"
        )


def rematch(
    previous: Matching | Iterable[Pair],
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    left: Iterable[Hashable] = (),
    max_changes: int | None = None,
    break_price: float | None = None,
    policy: str = "max_matched",
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    preferences: Preferences | None = None,
    compare: bool = True,
    time_limit: float | None = None,
    rng: Any = None,
    workers: int = 1,
    gap_limit: float | None = None,
) -> Rematch:
    """Solve a programme again after people left or joined, keeping previous pairs.

    Parameters
    ----------
    previous : Matching or iterable of (mentor id, mentee id)
        The previous programme. Pairs with people who have left, or ids in neither table,
        are accepted (history mentions people who have since gone).
    mentors, mentees : People
        The current tables: late joiners are in them; leavers may still be (they are
        removed through ``left``, and their reporting lines kept).
    programme : Programme, optional
        As in :func:`rm_match.match`.
    left : iterable of id, optional
        Participants who left: removed from the tables. A leaver becomes an ``org_chart``
        entry (their id → their manager), so reporting lines through them still count.
    max_changes : int, optional
        At most this many of the keepable previous pairs may be broken (a
        :class:`~rm_match.goals.Count` goal; solved by the goal machinery, certified gap).
    break_price : float, optional
        Each keepable previous pair that is broken costs this much score (finite, ≥ 0).
        Default (neither given): lexicographic — see the module docstring.
    policy : {"max_matched", "max_score"}, default "max_matched"
        ``max_matched``: most pairs, then most kept, then score. ``max_score``: most kept,
        then score.
    org_chart : mapping of id to id or None, optional
        Managers of people outside the programme (leavers are added to it).
    preferences : Preferences, optional
        The participants' answers, as in :func:`rm_match.match`; answers by or about
        leavers are dropped.
    compare : bool, default True
        Also solve the unconstrained optimum (a plain :func:`rm_match.match` on the same
        tables) for the price of stability; ``False`` skips that solve.
    time_limit, rng, workers, gap_limit
        As in :func:`rm_match.match` (they matter with goals).

    Returns
    -------
    Rematch

    Raises
    ------
    ValidationError
        On malformed arguments; a ``left`` id in neither table; a ``previous`` that shares
        nobody with the tables; both ``max_changes`` and ``break_price``.
    InfeasibleError
        If the programme (with the change budget) cannot be met.
    MemoryBudgetError
        If a dense plan (compiled scores and the min-cost flow over every allowed pair)
        exceeds the memory budget — about 12 GiB at 9 500 per side under the demo
        programme: with ``max_changes``, a ``break_price``, goals, or when keeping every
        keepable pair would cost a pair.

    Examples
    --------
    >>> from rm_match import match, synthetic
    >>> from rm_match.rounds import rematch
    >>> mentors, mentees = synthetic.cohort(8, 8, rng=5)
    >>> before = match(mentors, mentees)
    >>> leaver = before.id_pairs[0][0]
    >>> r = rematch(before, mentors, mentees, left=[leaver], max_changes=0)
    >>> len(r.broken_pairs), r.status[leaver], r.mode
    (0, 'left', 'max_changes')
    >>> rematch(before, mentors, mentees, break_price=-1)
    Traceback (most recent call last):
    ...
    rm_match.errors.ValidationError: `break_price` must be a finite number ≥ 0; got -1.
    """
    start = time.perf_counter()
    opts = check_options(
        policy=policy,
        time_limit=time_limit,
        rng=rng,
        workers=workers,
        gap_limit=gap_limit,
        start=start,
    )
    changes, price = _check_budget(max_changes, break_price)
    if not isinstance(compare, bool):
        raise ValidationError(
            f"`compare` must be True or False; got {type(compare).__name__}.", argument="compare"
        )
    for name, side in (("mentors", mentors), ("mentees", mentees)):
        if not isinstance(side, People):
            raise ValidationError(
                f"`{name}` must be a People table; got {type(side).__name__}.", argument=name
            )
    if programme is None:
        programme = Programme()
    if not isinstance(programme, Programme):
        raise ValidationError(
            f"`programme` must be a Programme; got {type(programme).__name__}.",
            argument="programme",
        )
    prev = _previous_pairs(previous)
    gone_m, gone_e = _leavers(left, mentors, mentees)
    if prev and not any(pid in mentors or pid in mentees for pair in prev for pid in pair):
        raise ValidationError(
            f"previous matching shares nobody with these tables: none of the ids in its "
            f"{len(prev)} pair(s) is a mentor or mentee.",
            argument="previous",
        )
    chart = _chart_through(gone_m + gone_e, mentors, mentees, org_chart)
    cur_m = mentors.drop(gone_m) if gone_m else mentors
    cur_e = mentees.drop(gone_e) if gone_e else mentees
    if preferences is not None and not isinstance(preferences, Preferences):
        raise ValidationError(
            f"`preferences` must be a Preferences; got {type(preferences).__name__}.",
            argument="preferences",
        )
    prefs = None if preferences is None else preferences.among(cur_m, cur_e)
    problem = Problem(cur_m, cur_e, programme, org_chart=chart, preferences=prefs)

    alive = [(m, e) for m, e in prev if m in cur_m and e in cur_e]
    pm = np.array([cur_m.index(m) for m, _ in alive], dtype=np.int64)
    pe = np.array([cur_e.index(e) for _, e in alive], dtype=np.int64)
    ok = problem.permitted(pm, pe) if len(pm) else np.zeros(0, dtype=bool)
    keepable = int(ok.sum())

    plain = _Plain(problem, opts)
    if changes is not None:
        mode = "max_changes"
        matching = _with_budget(problem, pm[ok], pe[ok], keepable - changes, opts, chart)
    elif price is not None:
        mode = "break_price"
        matching = _with_bonus(problem, pm, pe, price, opts)
    else:
        mode = "lexicographic"
        quick = _keep_all(problem, pm[ok], pe[ok], opts, chart, plain if compare else None)
        matching = quick if quick is not None else _with_bonus(problem, pm, pe, None, opts)
    optimum = plain.get()[:2] if compare else None
    gone = set(gone_m) | set(gone_e)
    return _result(matching, prev, mentors, mentees, gone, keepable, mode, optimum, start, problem)


# -- arguments ---------------------------------------------------------------------------------


def _check_budget(max_changes: object, break_price: object) -> tuple[int | None, float | None]:
    """``max_changes`` (an integer ≥ 0) and ``break_price`` (a finite number ≥ 0), at most one.

    >>> _check_budget(2, None)
    (2, None)
    >>> _check_budget(1, 0.5)
    Traceback (most recent call last):
    ...
    rm_match.errors.ValidationError: give at most one of `max_changes` and `break_price`.
    """
    if max_changes is not None and break_price is not None:
        raise ValidationError(
            "give at most one of `max_changes` and `break_price`.", argument="max_changes"
        )
    changes = None
    if max_changes is not None:
        if (
            not isinstance(max_changes, numbers.Integral)
            or isinstance(max_changes, bool)
            or max_changes < 0
        ):
            raise ValidationError(
                f"`max_changes` must be an integer ≥ 0; got {max_changes!r}.",
                argument="max_changes",
            )
        changes = int(max_changes)
    price = None
    if break_price is not None:
        if (
            not isinstance(break_price, numbers.Real)
            or isinstance(break_price, bool)
            or not math.isfinite(float(break_price))
            or break_price < 0
        ):
            raise ValidationError(
                f"`break_price` must be a finite number ≥ 0; got {break_price!r}.",
                argument="break_price",
            )
        price = float(break_price)
    return changes, price


def _previous_pairs(previous: object) -> list[Pair]:
    """The previous pairs as (mentor id, mentee id), each once, in order.

    >>> _previous_pairs([("a", "b"), ["a", "b"], ("c", "d")])
    [('a', 'b'), ('c', 'd')]
    """
    if isinstance(previous, Matching):
        return list(dict.fromkeys(previous.id_pairs))
    want = "`previous` must be a Matching or an iterable of (mentor id, mentee id) pairs"
    if isinstance(previous, (str, bytes, Mapping)) or not isinstance(previous, Iterable):
        raise ValidationError(f"{want}; got {type(previous).__name__}.", argument="previous")
    out: dict[Pair, None] = {}
    for k, p in enumerate(previous):
        if not isinstance(p, (tuple, list)) or len(p) != 2:
            raise ValidationError(f"{want}; entry {k} is not a pair.", argument="previous")
        try:
            out.setdefault((p[0], p[1]))
        except TypeError:
            raise ValidationError(
                f"{want}; entry {k} holds an id that is not hashable.", argument="previous"
            ) from None
    return list(out)


def _leavers(
    left: object, mentors: People, mentees: People
) -> tuple[list[Hashable], list[Hashable]]:
    """The ``left`` ids split by side (each once); an id in neither table is an error."""
    if isinstance(left, (str, bytes, Mapping)) or not isinstance(left, Iterable):
        raise ValidationError(
            f"`left` must be an iterable of participant ids; got {type(left).__name__}.",
            argument="left",
        )
    gone_m: dict[Hashable, None] = {}
    gone_e: dict[Hashable, None] = {}
    for pid in left:
        if pid in mentors:
            gone_m.setdefault(pid)
        elif pid in mentees:
            gone_e.setdefault(pid)
        else:
            raise ValidationError(
                f"`left`: id {pid!r} is neither a mentor nor a mentee of these tables.",
                argument="left",
                participant=pid,
            )
    return list(gone_m), list(gone_e)


def _chart_through(
    gone: list[Hashable],
    mentors: People,
    mentees: People,
    org_chart: Mapping[Hashable, Hashable | None] | None,
) -> dict[Hashable, Hashable | None] | None:
    """``org_chart`` with every leaver added as an entry (their id → their own manager), so
    reporting lines through them are still followed. A leaver the caller's chart already
    lists keeps the caller's entry."""
    if org_chart is not None and not isinstance(org_chart, Mapping):
        raise ValidationError(
            "`org_chart` must be a mapping of id to manager id (or None); "
            f"got {type(org_chart).__name__}.",
            argument="org_chart",
        )
    chart = dict(org_chart or {})
    for side in (mentors, mentees):
        if side.manager is None:
            continue
        for pid in gone:
            if pid in side and pid not in chart:
                chart[pid] = side.manager[side.index(pid)]
    return chart if chart or org_chart is not None else None


# -- the solves --------------------------------------------------------------------------------


def _with_bonus(
    problem: Problem, pm: np.ndarray, pe: np.ndarray, price: float | None, opts: Any
) -> Matching:
    """The programme with a bonus added to the score of every surviving previous pair
    ``(pm[k], pe[k])``: ``price`` when given, else a lexicographic tier (one kept pair more
    outweighs any total of scores in [0, 1]). Objective and bound are reported in the
    original scores (:func:`rm_match.api.solve_with_bonus`)."""
    arrays = problem.compile(keep_terms=False)
    unit = api.tier_unit(problem, arrays.scores) if price is None else None
    bonus = np.zeros(arrays.scores.shape)
    bonus[pm, pe] = price if price is not None else unit
    what = "previous pairs kept" if price is None else f"previous pairs +{price:g}"
    return api.solve_with_bonus(problem, bonus, opts, unit=unit, what=what, arrays=arrays)


class _Plain:
    """The unconstrained optimum of ``problem`` (a plain :func:`rm_match.match`), solved on
    first use: the price of stability compares with it, and under ``max_matched`` its
    number of pairs is the most any answer has."""

    def __init__(self, problem: Problem, opts: Any) -> None:
        self.problem, self.opts = problem, opts
        self._value: tuple[float, set[Pair], int, bool] | None = None

    def get(self) -> tuple[float, set[Pair], int, bool]:
        """``(objective, id pairs, number of pairs, proven optimal)``."""
        if self._value is None:
            problem = self.problem
            free, _ = api._solve_problem(problem, replace(self.opts, start=time.perf_counter()))
            fixed = problem.placement()[0]
            fixed_total = float(problem.scores(fixed[:, 0], fixed[:, 1], outer=False).sum())
            pairs = np.concatenate((fixed, free.pairs)) if len(fixed) else free.pairs
            m_ids, e_ids = problem.mentors.ids, problem.mentees.ids
            self._value = (
                free.objective + fixed_total,
                {(m_ids[m], e_ids[e]) for m, e in pairs.tolist()},
                len(pairs),
                free.status == "optimal",
            )
        return self._value


def _keep_all(
    problem: Problem,
    km: np.ndarray,
    ke: np.ndarray,
    opts: Any,
    chart: Mapping[Hashable, Hashable | None] | None,
    plain: _Plain | None,
) -> Matching | None:
    """The lexicographic answer when keeping every keepable previous pair is part of it:
    those pairs placed first (as :class:`~rm_match.rules.RequiredPairs`), the rest solved
    as :func:`rm_match.match` solves it — on the sparse path at scale, where the bonus
    solve needs the dense matrix. ``None`` when that is not proven optimal, and the caller
    solves with the bonus instead.

    Why it is the optimum: no answer keeps more previous pairs than all the keepable ones,
    and among the answers that keep them all the rest is the best completion (its bound
    says how good). Under ``max_score`` (kept, then score) that is the whole argument.
    Under ``max_matched`` the number of pairs comes first: the answer counts only when it
    has the most pairs any answer has — what the capacities allow, ``min(Σ mentor
    capacity, Σ mentee capacity)`` (each side's capped at the other side's size), or else
    the number of pairs of the unconstrained optimum (``plain``, proven optimal; the
    caller's comparison solves it anyway). With fewer, keeping every pair costs a pair
    elsewhere, and ``None`` is returned; so it is without ``plain`` (``compare=False``),
    where a plain solve would cost as much as the bonus solve it could save.
    Programmes with goals always take the bonus solve (keeping every pair may break a
    goal), as does a placement the kept pairs make infeasible (a participant whose own
    required pairs and kept pairs exceed their capacity)."""
    if problem.programme.goals:
        return None
    fixed = problem.placement()[0]
    mentors, mentees = problem.mentors, problem.mentees
    n_e = max(mentees.n, 1)
    # the kept pairs the programme does not already require
    new = ~np.isin(km * n_e + ke, fixed[:, 0] * n_e + fixed[:, 1])
    keep = np.column_stack((km[new], ke[new])).astype(np.int64)
    ids = tuple(
        zip(mentors.ids[keep[:, 0]].tolist(), mentees.ids[keep[:, 1]].tolist(), strict=True)
    )
    prog = replace(problem.programme, rules=(*problem.programme.rules, RequiredPairs(ids)))
    placed = Problem(mentors, mentees, prog, org_chart=chart, preferences=problem.preferences)
    try:
        free, _ = api._solve_problem(placed, opts)
    except InfeasibleError:
        return None
    count = len(fixed) + len(keep) + len(free.pairs)
    if opts.policy == "max_matched" and count < max_pairs(mentors.capacity, mentees.capacity):
        if plain is None:
            return None
        _, _, most, proven = plain.get()
        if not proven or count < most:
            return None
    # the same answer over ``problem``: the kept pairs join the solved ones
    pairs = np.concatenate((keep, free.pairs)) if len(keep) else free.pairs
    kept_total = float(problem.scores(keep[:, 0], keep[:, 1], outer=False).sum())
    answer = Assignment.build(
        pairs,
        free.objective + kept_total,
        free.bound - free.objective,
        method=free.method,
        policy=opts.policy,
        start=opts.start,
        message=(
            f"{free.message}; every keepable previous pair kept ({len(km)}) and the rest "
            "solved: no answer keeps more"
            + (", with the most pairs any answer has" if opts.policy == "max_matched" else "")
        ),
    )
    return explain_matching(problem, None, answer, opts.start)


def _with_budget(
    problem: Problem,
    pm: np.ndarray,
    pe: np.ndarray,
    at_least: int,
    opts: Any,
    chart: Mapping[Hashable, Hashable | None] | None,
) -> Matching:
    """The programme with one more goal: at least ``at_least`` of the pairs ``(pm, pe)``
    kept (a :class:`~rm_match.goals.Count` over a mask of them), through the goal
    machinery of :func:`rm_match.match` (certified gap)."""
    n_m, n_e = problem.cohort.shape
    mask = np.zeros((n_m, n_e), dtype=bool)
    mask[pm, pe] = True
    mask.flags.writeable = False
    goal = Count(pairs=mask, at_least=max(at_least, 0))
    prog = replace(problem.programme, goals=(*problem.programme.goals, goal))
    budgeted = Problem(
        problem.mentors, problem.mentees, prog, org_chart=chart, preferences=problem.preferences
    )
    free, arrays = api._solve_problem(budgeted, opts)
    return explain_matching(budgeted, arrays, free, opts.start)


# -- the result --------------------------------------------------------------------------------


def _result(
    matching: Matching,
    prev: list[Pair],
    mentors: People,
    mentees: People,
    gone: set[Hashable],
    keepable: int,
    mode: str,
    optimum: tuple[float, set[Pair]] | None,
    start: float,
    problem: Problem,
) -> Rematch:
    now = set(matching.id_pairs)
    before_of: dict[Hashable, list[Hashable]] = {}
    for m, e in prev:
        before_of.setdefault(m, []).append(e)
        before_of.setdefault(e, []).append(m)
    now_of: dict[Hashable, list[Hashable]] = {}
    for m, e in matching.id_pairs:
        now_of.setdefault(m, []).append(e)
        now_of.setdefault(e, []).append(m)
    reasons = {**matching.unmatched_mentors, **matching.unmatched_mentees}
    status: dict[Hashable, str] = {}
    partners: dict[Hashable, tuple[str, tuple[Hashable, ...], tuple[Hashable, ...]]] = {}
    for side_name, side in (("mentor", mentors), ("mentee", mentees)):
        for pid in side.ids.tolist():
            was = tuple(before_of.get(pid, ()))
            has = tuple(now_of.get(pid, ()))
            if pid in gone:
                st = "left"
            elif not has:
                st = "unmatched"
            elif not was:
                st = "newly_matched"
            elif set(has) <= set(was):
                st = "kept"
            else:
                st = "new_partner"
            status[pid] = st
            partners[pid] = (side_name, has, was)
    kept = tuple(p for p in prev if p in now)
    ended = tuple(p for p in prev if p[0] in gone or p[1] in gone)
    broken = tuple(
        p
        for p in prev
        if p not in now
        and p[0] in mentors
        and p[1] in mentees
        and p[0] not in gone
        and p[1] not in gone
    )
    counts = Counter(status.values())
    best = changed = given_up = None
    if optimum is not None:
        best = optimum[0]
        changed = len(now - optimum[1])
        given_up = best - matching.objective
    return Rematch(
        matching=matching,
        status=status,
        reasons={pid: reasons[pid] for pid, st in status.items() if st == "unmatched"},
        counts={s: counts.get(s, 0) for s in STATUSES},
        kept_pairs=kept,
        broken_pairs=broken,
        ended_pairs=ended,
        keepable=keepable,
        mode=mode,
        optimum_objective=best,
        pairs_changed=changed,
        score_given_up=given_up,
        wall_time=time.perf_counter() - start,
        problem=problem,
        _partners=partners,
    )
