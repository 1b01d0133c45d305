"""Stable matchings, and the stability of any matching.

The optimal matching (:func:`rm_match.match`) maximises the programme's total score, but it
may leave two people who would both rather be together than with their partners — a
*blocking pair*. Where participants choose freely (a voluntary programme, people who can
swap partners on their own), a **stable** matching, one with no blocking pair, holds better.

Each side's preferences
-----------------------
Stability needs to know what each person prefers. rm_match reads it from the programme,
with each side seeing the pair from its own end (:func:`side_preferences`):

- a **mentee** prefers the mentors who can teach what the mentee wants — the *forward*
  direction of the learning term — and a **mentor** the mentees who can teach the mentor
  (the reverse direction); the compatibility and diversity terms count for both, with the
  programme's weights;
- with the participants' own answers (``preferences=``, :mod:`rm_match.preferences`) the
  ``preference`` term is, for each side, that side's own utility of the candidate (its
  rank or rating), weighted as the programme weighs the term — so survey answers lead and
  the data orders the candidates nobody mentioned.

Hard rules (vetoes included, :class:`~rm_match.rules.Vetoes`) make a pair unacceptable: it
is never chosen and never blocks. Ties are broken by the candidate's position in its table
(the one listed first wins), so every answer is deterministic.

Which stable matching (:func:`stable_match`)
---------------------------------------------
- ``proposer="mentees"`` (default) or ``"mentors"``: deferred acceptance (Gale & Shapley
  1962, with capacities): the proposing side's optimal stable matching;
- ``objective="score"``: the stable matching of highest total pair score, and
  ``objective="egalitarian"``: of least total rank of the partners over both sides — found
  through the rotation poset and a minimum cut (Irving, Leather & Gusfield 1987).

The result is a :class:`~rm_match.Matching` with ``status == "stable"`` and a
:class:`~rm_match.results.Stability`: its blocking pairs (none) and the **price of
stability** against the optimal matching, with how many pairs block that optimum.
:func:`blocking_pairs` lists, for any matching (ours, a peer's, a spreadsheet's), each
blocking pair with both sides' reasons.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, cast

import numpy as np

from ._checks import check_choice
from .api import _solve_problem
from .errors import SolverError, ValidationError
from .explain import explain_matching
from .people import People
from .preferences import Preferences, pick
from .problem import Problem
from .programme import Programme
from .results import Assignment, Matching, Stability
from .solvers.options import check_options
from .solvers.registry import Needs, choose, memory_budget
from .terms import _learning_parts

__all__ = [
    "PROPOSERS",
    "STABLE_OBJECTIVES",
    "BlockingPair",
    "blocking_pairs",
    "side_preferences",
    "stable_match",
]

#: Who proposes in deferred acceptance (and so gets their optimal stable matching).
PROPOSERS = ("mentees", "mentors")
#: What :func:`stable_match` may optimise over the stable matchings.
STABLE_OBJECTIVES = ("score", "egalitarian")

#: Pairs per block when the two sides' preference matrices are built.
_BLOCK = 1 << 22


def side_preferences(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Each side's view of every pair: ``(mentor_pref, mentee_pref)``, both
    (n_mentors × n_mentees), higher is better (see the module docstring).

    ``mentor_pref[i, j]`` is how much mentor ``i`` likes mentee ``j``: the programme's
    weighted mean of the terms, with the learning term replaced by what the mentor learns
    (the reverse direction) and the preference term by the mentor's own answer;
    ``mentee_pref[i, j]`` the same from mentee ``j``'s end (the forward direction, the
    mentee's own answer).

    Examples
    --------
    >>> from rm_match import People, Problem
    >>> m = People(["j1"], skills=["ai", "strategy"], offers=[[1, 0]], wants=[[0, 1]])
    >>> e = People(["s1", "s2"], skills=["ai", "strategy"], offers=[[0, 1], [0, 0]],
    ...            wants=[[1, 0], [1, 0]])
    >>> mentor_pref, mentee_pref = side_preferences(Problem(m, e))
    >>> mentor_pref.tolist(), mentee_pref.tolist()  # j1 learns strategy from s1 only
    ([[1.0, 0.0]], [[1.0, 1.0]])
    """
    views = _Views(problem)
    n_m, n_e = problem.cohort.shape
    step = max(1, _BLOCK // max(n_e, 1))
    for s in range(0, n_m, step):
        rows = np.arange(s, min(n_m, s + step))
        views(rows, problem.terms(rows, np.arange(n_e)))
    return views.mentor, views.mentee


class _Views:
    """Builds the two sides' preference matrices block by block from the blocks' terms
    (a :data:`~rm_match.problem.Visit` of the compile, or called on its own)."""

    def __init__(self, problem: Problem, order: Literal["C", "F"] = "C") -> None:
        self.problem = problem
        n_m, n_e = problem.cohort.shape
        # "F" (mentee-major) when mentees propose: deferred acceptance reads each
        # proposer's row of both tables, and reads these in place
        self.mentor = np.zeros((n_m, n_e), order=order)
        self.mentee = np.zeros((n_m, n_e), order=order)
        weights = problem.weights
        self.total = sum(weights.values())
        self.shared = {k: w for k, w in weights.items() if k not in ("learning", "preference")}

    def __call__(self, rows: np.ndarray, terms: Mapping[str, np.ndarray]) -> None:
        if self.total <= 0 or not len(rows):
            return
        problem, weights, total = self.problem, self.problem.weights, self.total
        cols = np.arange(problem.cohort.shape[1])
        both = np.zeros((len(rows), len(cols)))
        for name, w in self.shared.items():
            both += terms[name] * (w / total)
        mine, theirs = both.copy(), both
        if "learning" in weights:
            forward, reverse = _learning_parts(problem.cohort, problem.spec, rows, cols, True)
            c = weights["learning"] / total
            mine += c * reverse
            theirs += c * forward
        if "preference" in weights:
            prefs = problem.cohort.preferences
            assert prefs is not None  # required of an active term
            c = weights["preference"] / total
            mine += c * pick(prefs.mentor_utility, rows, cols, True)
            theirs += c * pick(prefs.mentee_utility, rows, cols, True)
        self.mentor[rows] = mine
        self.mentee[rows] = theirs


def stable_match(
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    preferences: Preferences | None = None,
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    proposer: str = "mentees",
    objective: str | None = None,
    compare: bool = True,
    memory_limit: float | None = None,
) -> Matching:
    """A stable matching: no two people would both rather be with each other.

    Parameters
    ----------
    mentors, mentees : People
    programme : Programme, optional
        Rules (unacceptable pairs), term weights and capacities as for
        :func:`rm_match.match`; cohort goals do not apply to stable matchings (a
        :class:`SolverError` says so). Required pairs are placed first; stability is then
        over the places left.
    preferences : Preferences, optional
        The participants' own rankings, ratings and vetoes (see the module docstring for
        how they enter each side's preferences).
    org_chart : mapping of id to id or None, optional
        As in :func:`rm_match.match`.
    proposer : {"mentees", "mentors"}, default "mentees"
        Without ``objective``: the side that proposes in deferred acceptance and gets its
        optimal stable matching (each of its members has the best partner they have in any
        stable matching; the other side the worst).
    objective : {"score", "egalitarian"}, optional
        Instead, the stable matching of highest total pair score (``"score"``), or of least
        total rank of the partners over both sides (``"egalitarian"``), by the rotation
        poset and a minimum cut (``proposer`` then plays no part). Capacities above one on
        one side at most.
    compare : bool, default True
        Also solve the optimal matching (as :func:`rm_match.match` would) and report the
        price of stability and how many pairs block the optimum (``result.stability``).
    memory_limit : float, optional
        As in :func:`rm_match.match`; the stable matching itself holds three n × n
        matrices (scores and the two sides' preferences).

    Returns
    -------
    Matching
        With ``status == "stable"``, ``method`` ``"deferred_acceptance"`` or
        ``"stable_optimal"``, ``bound == objective`` and ``gap == 0`` (it is exactly the
        stable matching asked for), and :attr:`~rm_match.Matching.stability`.

    Raises
    ------
    ValidationError
        Bad tables, programme or options; unknown ids in ``preferences``.
    SolverError
        The programme has cohort goals; or ``objective`` with capacities above one on both
        sides.

    See Also
    --------
    blocking_pairs : the blocking pairs of any matching, with reasons.

    Examples
    --------
    >>> import rm_match as rm
    >>> mentors, mentees = rm.synthetic.cohort(30, 30, rng=3)
    >>> s = rm.stable_match(mentors, mentees)
    >>> s.status, s.method, s.stability.blocking_pairs
    ('stable', 'deferred_acceptance', 0)
    >>> 0 <= s.stability.price < 0.2  # the score given up to be stable
    True
    >>> best = rm.stable_match(mentors, mentees, objective="score")
    >>> best.objective >= s.objective - 1e-9
    True
    """
    from .solvers.stable import blocking_pairs as blocking_array
    from .solvers.stable import deferred_acceptance

    start = time.perf_counter()
    proposer = check_choice(proposer, "proposer", PROPOSERS)
    if objective is not None:
        objective = check_choice(objective, "objective", STABLE_OBJECTIVES)
    if not isinstance(compare, bool):
        raise ValidationError("`compare` must be True or False.", argument="compare")
    opts = check_options(memory_limit=memory_limit, start=start)
    problem = Problem(mentors, mentees, programme, org_chart=org_chart, preferences=preferences)
    if problem.programme.goals:
        raise SolverError(
            "stable matching does not take cohort goals (a goal may need a pair that blocks); "
            "drop `goals` from the programme, or use rm_match.match for an optimal matching "
            "with goals and rm_match.blocking_pairs to see what blocks it."
        )
    _, m_cap, e_cap = problem.placement()
    needs = replace(Needs.of(m_cap, e_cap, compile=True), stable=True)
    backend = choose(needs, "auto", budget=memory_budget(opts.memory_limit))
    # each side's view, from the compile's own term blocks
    views = _Views(problem, "F" if proposer == "mentees" and objective is None else "C")
    arrays = problem.compile_visiting(views)
    mentor_pref, mentee_pref = views.mentor, views.mentee
    acceptable = arrays.feasible
    caps = {"mentor_capacity": m_cap, "mentee_capacity": e_cap}
    kind = f"{proposer[:-1]}-optimal"
    extremes: dict[str, float] = {}
    rotations = None
    pairs, rotations = cast(Any, backend).solve_stable(
        mentor_pref,
        mentee_pref,
        acceptable,
        proposer=proposer,
        objective=objective,
        weights=arrays.scores if objective == "score" else None,
        **caps,
    )
    if objective is None:
        method = "deferred_acceptance"
    else:
        method = "stable_optimal"
        kind = "best score" if objective == "score" else "egalitarian"
        for side in ("mentees", "mentors"):
            other = deferred_acceptance(mentor_pref, mentee_pref, acceptable, proposer=side, **caps)
            extremes[f"{side[:-1]}_optimal"] = _total(arrays.scores, other) + _fixed_total(problem)
    total = _total(arrays.scores, pairs)
    free = Assignment.build(
        pairs,
        total,
        0.0,
        method=method,
        policy="stable",
        start=start,
        message=f"{kind} stable matching",
    )
    free = replace(free, status="stable")
    matching = explain_matching(problem, arrays, free, start)
    blocking = len(blocking_array(pairs, mentor_pref, mentee_pref, acceptable, **caps))
    stability = Stability(
        kind=kind,
        preferences="data + survey" if "preference" in problem.weights else "data",
        blocking_pairs=blocking,
        rotations=rotations,
        mentee_optimal=extremes.get("mentee_optimal"),
        mentor_optimal=extremes.get("mentor_optimal"),
    )
    if compare:
        best, _ = _solve_problem(problem, opts)
        fixed = _fixed_total(problem)
        optimum = best.objective + fixed
        stability = replace(
            stability,
            optimum=optimum,
            optimum_pairs=len(best.pairs) + len(problem.placement()[0]),
            optimum_blocking_pairs=len(
                blocking_array(best.pairs, mentor_pref, mentee_pref, acceptable, **caps)
            ),
            price=max(0.0, (optimum - matching.objective) / optimum) if optimum > 0 else 0.0,
        )
    report = matching.report
    if report is not None:
        report = replace(report, stability=stability.as_dict())
    return replace(
        matching,
        stability=stability,
        report=report,
        wall_time=time.perf_counter() - start,
    )


def _total(scores: np.ndarray, pairs: np.ndarray) -> float:
    return float(scores[pairs[:, 0], pairs[:, 1]].sum()) if len(pairs) else 0.0


def _fixed_total(problem: Problem) -> float:
    fixed = problem.placement()[0]
    if not len(fixed):
        return 0.0
    return float(problem.scores(fixed[:, 0], fixed[:, 1], outer=False).sum())


# -- diagnostics -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockingPair:
    """Two people who would both rather be together than with (one of) their partners.

    Attributes
    ----------
    mentor, mentee : hashable
        Their ids.
    mentor_reason, mentee_reason : str
        Why each side would switch: ``"has a free place"``, or ``"ranks S7 3rd, above
        S2 (9th)"`` — the candidate's rank in their order, and the partner they would drop
        (the least preferred one) with its rank. Ranks count the acceptable candidates
        only (1 is the first choice).
    """

    mentor: Hashable
    mentee: Hashable
    mentor_reason: str
    mentee_reason: str


def blocking_pairs(
    matching: Matching | Iterable[tuple[Hashable, Hashable]],
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    preferences: Preferences | None = None,
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    limit: int | None = None,
) -> list[BlockingPair]:
    """The blocking pairs of any matching, with each side's reason.

    Parameters
    ----------
    matching : Matching or iterable of (mentor id, mentee id)
        Ours, a peer's, or a spreadsheet's pairs.
    mentors, mentees, programme, preferences, org_chart
        Whose preferences to judge it by (see :func:`side_preferences`): the same as for
        :func:`stable_match`. Required pairs are fixed, as :func:`stable_match` places
        them: they neither block nor are dropped, and stability is judged over the places
        left.
    limit : int, optional
        Return at most this many (the most-wanted first: by the sum of the two sides'
        ranks); the count of all is ``len(...)`` without it.

    Returns
    -------
    list of BlockingPair
        Sorted by the sum of the two ranks (the pairs most wanting each other first), then
        by mentor and mentee position.

    Raises
    ------
    ValidationError
        A pair names someone not in the tables, is listed twice, breaks a hard rule, or a
        participant has more partners than their capacity.

    Examples
    --------
    >>> import rm_match as rm
    >>> mentors, mentees = rm.synthetic.cohort(20, 20, rng=1)
    >>> optimum = rm.match(mentors, mentees)
    >>> blocking = rm.blocking_pairs(optimum, mentors, mentees)
    >>> stable = rm.stable_match(mentors, mentees)
    >>> rm.blocking_pairs(stable, mentors, mentees)
    []
    >>> len(blocking) == stable.stability.optimum_blocking_pairs
    True
    """
    from .solvers.stable import blocking_pairs as blocking_array

    problem = Problem(mentors, mentees, programme, org_chart=org_chart, preferences=preferences)
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
        raise ValidationError("`limit` must be an integer ≥ 0 or None.", argument="limit")
    pairs = _index_pairs(matching, problem)
    mentor_pref, mentee_pref = side_preferences(problem)
    feasible = np.ones(problem.cohort.shape, dtype=bool)
    for rows in _row_blocks(problem):
        feasible[rows] = np.logical_and.reduce(
            list(problem.allowed(rows, np.arange(mentees.n)).values())
            or [np.ones((len(rows), mentees.n), dtype=bool)]
        )
    bad = ~feasible[pairs[:, 0], pairs[:, 1]] if len(pairs) else np.zeros(0, dtype=bool)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        i, j = pairs[k]
        raise ValidationError(
            f"the pair ({mentors.ids[i]!r}, {mentees.ids[j]!r}) breaks a hard rule of the "
            "programme (rm_match.verify says which).",
            argument="matching",
            participant=mentors.ids[i],
        )
    for side, col, people in (("mentor", 0, mentors), ("mentee", 1, mentees)):
        load = np.bincount(pairs[:, col], minlength=people.n)
        over = np.flatnonzero(load > people.capacity)
        if len(over):
            pid = people.ids[over[0]]
            raise ValidationError(
                f"{side} {pid!r} has {load[over[0]]} partners, above their capacity "
                f"{people.capacity[over[0]]}.",
                argument="matching",
                participant=pid,
            )
    # required pairs are fixed, as in stable_match: stability over the places left
    fixed, cap_m, cap_e = problem.placement()
    if len(fixed):
        is_fixed = np.zeros(problem.cohort.shape, dtype=bool)
        is_fixed[fixed[:, 0], fixed[:, 1]] = True
        pairs = pairs[~is_fixed[pairs[:, 0], pairs[:, 1]]]
        feasible &= ~is_fixed
    found = blocking_array(
        pairs,
        mentor_pref,
        mentee_pref,
        feasible,
        mentor_capacity=cap_m,
        mentee_capacity=cap_e,
    )
    if not len(found):
        return []
    rank_m = _rank_of(mentor_pref, feasible, found[:, 0], found[:, 1], by_row=True)
    rank_e = _rank_of(mentee_pref, feasible, found[:, 0], found[:, 1], by_row=False)
    order = np.lexsort((found[:, 1], found[:, 0], rank_m + rank_e))
    if limit is not None:
        order = order[:limit]
    out = []
    for k in order.tolist():
        i, j = (int(x) for x in found[k])
        out.append(
            BlockingPair(
                mentor=mentors.ids[i],
                mentee=mentees.ids[j],
                mentor_reason=_reason(
                    i, j, int(rank_m[k]), pairs, mentor_pref, feasible, mentees, cap_m, True
                ),
                mentee_reason=_reason(
                    j, i, int(rank_e[k]), pairs, mentee_pref, feasible, mentors, cap_e, False
                ),
            )
        )
    return out


def _row_blocks(problem: Problem) -> Iterable[np.ndarray]:
    n_m, n_e = problem.cohort.shape
    step = max(1, _BLOCK // max(n_e, 1))
    for s in range(0, n_m, step):
        yield np.arange(s, min(n_m, s + step))


def _index_pairs(matching: object, problem: Problem) -> np.ndarray:
    """The matching's pairs as (mentor index, mentee index), checked."""
    if isinstance(matching, Matching):
        id_pairs = matching.id_pairs
    elif isinstance(matching, (str, bytes, Mapping)) or not isinstance(matching, Iterable):
        raise ValidationError(
            "`matching` must be a Matching or an iterable of (mentor id, mentee id) pairs; got "
            f"{type(matching).__name__}.",
            argument="matching",
        )
    else:
        id_pairs = list(matching)
    m, e = problem.mentors, problem.mentees
    out = np.empty((len(id_pairs), 2), dtype=np.int64)
    seen = set()
    for k, pair in enumerate(id_pairs):
        if (
            isinstance(pair, (str, bytes))
            or not isinstance(pair, Iterable)
            or len(tuple(pair)) != 2
        ):
            raise ValidationError(
                f"`matching` item {k}: must be a (mentor id, mentee id) pair.",
                argument="matching",
            )
        a, b = tuple(pair)
        if a not in m:
            raise ValidationError(
                f"`matching` item {k}: {a!r} is not a mentor.", argument="matching", participant=a
            )
        if b not in e:
            raise ValidationError(
                f"`matching` item {k}: {b!r} is not a mentee.", argument="matching", participant=b
            )
        if (a, b) in seen:
            raise ValidationError(
                f"`matching` lists the pair ({a!r}, {b!r}) twice.",
                argument="matching",
                participant=a,
            )
        seen.add((a, b))
        out[k] = m.index(a), e.index(b)
    return out


def _rank_of(
    pref: np.ndarray, acceptable: np.ndarray, mi: np.ndarray, ei: np.ndarray, *, by_row: bool
) -> np.ndarray:
    """1-based rank of each pair's candidate in the chooser's strict order (utility
    descending, then position ascending), among acceptable candidates: the mentor ``mi``
    ranking mentee ``ei`` (``by_row``) or the mentee ranking the mentor."""
    out = np.empty(len(mi), dtype=np.int64)
    for k, (i, j) in enumerate(zip(mi.tolist(), ei.tolist(), strict=True)):
        row = pref[i] if by_row else pref[:, j]
        ok = acceptable[i] if by_row else acceptable[:, j]
        me = j if by_row else i
        v = row[me]
        idx = np.arange(len(row))
        out[k] = int((ok & ((row > v) | ((row == v) & (idx < me)))).sum()) + 1
    return out


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _reason(
    me: int,
    cand: int,
    cand_rank: int,
    pairs: np.ndarray,
    pref: np.ndarray,
    acceptable: np.ndarray,
    others: People,
    capacity: np.ndarray,
    is_mentor: bool,
) -> str:
    """Why ``me`` would take ``cand``: a free place, or a worse partner to drop."""
    col = 0 if is_mentor else 1
    partners = pairs[pairs[:, col] == me, 1 - col]
    if len(partners) < capacity[me]:
        return "has a free place"
    mi = np.full(len(partners), me) if is_mentor else partners
    ei = partners if is_mentor else np.full(len(partners), me)
    ranks = _rank_of(pref, acceptable, mi, ei, by_row=is_mentor)
    worst = int(np.argmax(ranks))
    return (
        f"ranks {others.ids[cand]!r} {_ordinal(cand_rank)}, above {others.ids[partners[worst]]!r} "
        f"({_ordinal(int(ranks[worst]))})"
    )
