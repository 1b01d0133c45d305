"""A programme over time: rotation rounds, optimal over all rounds jointly.

:func:`rotate` plans ``k`` rounds (speed-mentoring, rotating sessions): each round a set of
pairs, each participant with at most their capacity per round, no pair twice (nor any pair
of ``history``), and the whole plan optimal — not greedy round by round. Without cohort
goals this is one min-cost flow with degree ``k × capacity`` (exact, certified by the flow's
bound) followed by an edge colouring into the ``k`` rounds (see
:mod:`rm_match.solvers.rotation`).

Each round is a light :class:`Round` — its pairs, explained like a
:class:`~rm_match.Matching`'s, and who sits out — rather than a full ``Matching``: the
certificate (objective, bound, gap, status) belongs to the whole plan, not to a round, and
a participant sits out a round because of the joint plan, not because a rule leaves them
without a partner, so a ``Matching``'s per-round bound and unmatched reasons would mislead.
The plan says instead who gets fewer sessions than ``rounds × capacity`` and why
(:attr:`Rotation.short`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .._checks import check_int, check_sequence, is_collection
from ..errors import ValidationError
from ..explain import explain_pairs
from ..people import People
from ..preferences import Preferences
from ..problem import Problem
from ..programme import Programme
from ..results import Assignment, Matching, PairExplanation
from ..rules import ExcludePrevious
from ..solvers.options import check_options
from ..solvers.registry import COMPILE_BLOCK_CELLS, Needs, choose, memory_budget
from ..solvers.rotation import MAX_ROUNDS, ArrayRotation, coloured, rotate_arrays

__all__ = ["SHORT_KINDS", "Exposure", "Rotation", "Round", "Shortfall", "rotate"]

#: The kinds of :class:`Shortfall`.
SHORT_KINDS = ("few_partners", "partners_full", "score")


@dataclass(frozen=True)
class Shortfall:
    """Why a participant has fewer sessions than ``rounds × capacity`` (counts only).

    Attributes
    ----------
    sessions : int
        Sessions the plan gives them.
    full : int
        ``rounds × capacity`` (capped by the other side's size): the most they could have.
    allowed : int
        Partners every hard rule and the history allow them (with capacity).
    kind : str
        ``"few_partners"``: they meet every allowed partner; ``"partners_full"``: every
        allowed partner they do not meet is fully booked; ``"score"``: partners with room
        exist, but more sessions would lower the total score (``policy="max_score"``).

    Examples
    --------
    >>> Shortfall(2, 4, 2, "few_partners").reason
    'met all 2 allowed partner(s); 4 session(s) possible'
    """

    sessions: int
    full: int
    allowed: int
    kind: str

    @property
    def reason(self) -> str:
        """One line for a person to read."""
        if self.kind == "few_partners":
            return f"met all {self.allowed} allowed partner(s); {self.full} session(s) possible"
        if self.kind == "partners_full":
            return (
                f"{self.sessions} of {self.full} session(s): every allowed partner not met is "
                "fully booked"
            )
        return (
            f"{self.sessions} of {self.full} session(s): more would lower the total score "
            "of the plan"
        )

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Round:
    """One round of a :class:`Rotation`: its pairs, explained, and who sits it out.

    Attributes
    ----------
    number : int
        ``1 … k``.
    pairs : tuple of PairExplanation
        The round's pairs (score, per-term values, top skills each way), sorted by mentor.
    sit_outs : mapping of str to tuple of id
        ``{"mentors": (...), "mentees": (...)}``: participants (with capacity) without a
        pair this round.
    objective : float
        Sum of the round's pair scores.
    """

    number: int
    pairs: tuple[PairExplanation, ...]
    sit_outs: Mapping[str, tuple[Hashable, ...]]
    objective: float

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[PairExplanation]:
        return iter(self.pairs)

    @property
    def id_pairs(self) -> list[tuple[Hashable, Hashable]]:
        """The pairs as (mentor id, mentee id): what :func:`rm_match.verify` takes."""
        return [(p.mentor, p.mentee) for p in self.pairs]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per pair: ``round``, ids, ``score``, each term, top skills (lists),
        ``required``, ``reason``."""
        return [_record(self.number, p) for p in self.pairs]

    def __repr__(self) -> str:
        return (
            f"Round(number={self.number}, pairs={len(self.pairs)}, "
            f"sit_outs=({len(self.sit_outs['mentors'])} mentors, "
            f"{len(self.sit_outs['mentees'])} mentees), objective={self.objective:.6g})"
        )


def _record(number: int, p: PairExplanation) -> dict[str, Any]:
    row: dict[str, Any] = {"round": number, "mentor": p.mentor, "mentee": p.mentee}
    row["score"] = p.score
    row.update(p.terms)
    row["mentor_teaches"] = list(p.mentor_teaches)
    row["mentee_teaches"] = list(p.mentee_teaches)
    row["required"] = p.required
    row["reason"] = p.reason
    return row


@dataclass(frozen=True)
class Rotation:
    """A plan of ``k`` rounds: pairs per round, sessions per person, and its certificate.

    Attributes
    ----------
    rounds : tuple of Round
        Round 1 to ``k``.
    objective : float
        Total score of all pairs of all rounds.
    bound : float
        Proven upper bound on the total of any ``k``-round plan under the same policy,
        rules, history and fairness floors.
    gap : float
        ``(bound - objective) / max(|objective|, 1)``.
    status : str
        ``"optimal"`` (gap within 1e-9) or ``"feasible"``.
    method, policy : str
        ``"flow"`` (the dense min-cost flow, then edge colouring), ``"sparse"`` (the
        sparse path of :func:`rm_match.match`, then edge colouring) or, with goals, the
        goal method; and the policy.
    wall_time : float
        Seconds for the whole call: compile, solve, colouring and explanations.
    sessions : mapping of str to mapping of id to int
        ``{"mentors": {id: sessions}, "mentees": {...}}`` for everyone.
    short : mapping of str to mapping of id to Shortfall
        Participants (with capacity) with fewer than ``rounds × capacity`` sessions, and why.
    min_sessions : mapping of str to mapping of id to int
        The fairness floors the plan meets (only participants with a floor above 0).
    stats : dict
        From the array layer: ``max_sessions``, ``floor``, ``unconstrained_objective``
        (the best total without floors, when they bind), ``lowered`` (floors lowered
        because they clashed, per side).
    problem : Problem
        The programme bound to the tables, with the history as an
        :class:`~rm_match.rules.ExcludePrevious` rule: ``verify(round.id_pairs, problem)``.
    assignment : ArrayRotation
        The array-layer result.
    goals : tuple of GoalCheck
        With cohort goals: each goal checked on all the plan's pairs (the goals are about
        the programme, not one round); empty without goals.
    """

    rounds: tuple[Round, ...]
    objective: float
    bound: float
    gap: float
    status: str
    method: str
    policy: str
    wall_time: float
    sessions: Mapping[str, Mapping[Hashable, int]]
    short: Mapping[str, Mapping[Hashable, Shortfall]]
    min_sessions: Mapping[str, Mapping[Hashable, int]]
    stats: dict[str, Any] = field(repr=False)
    problem: Problem = field(repr=False)
    assignment: ArrayRotation = field(repr=False)
    goals: tuple[Any, ...] = ()

    @property
    def pairs(self) -> list[tuple[Hashable, Hashable, int]]:
        """Every pair as (mentor id, mentee id, round number), round by round."""
        return [(p.mentor, p.mentee, r.number) for r in self.rounds for p in r.pairs]

    @property
    def sit_outs(self) -> tuple[Mapping[str, tuple[Hashable, ...]], ...]:
        """Per round, ``{"mentors": ids, "mentees": ids}`` of those without a pair."""
        return tuple(r.sit_outs for r in self.rounds)

    def __len__(self) -> int:
        return sum(len(r) for r in self.rounds)

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per pair, round by round: ``round`` (1 … k), ``mentor``, ``mentee``,
        ``score``, each term, ``mentor_teaches``, ``mentee_teaches``, ``required``,
        ``reason``.

        Examples
        --------
        >>> from rm_match import synthetic
        >>> from rm_match.rounds import rotate
        >>> rot = rotate(*synthetic.cohort(3, 3, rng=1), rounds=2)
        >>> [r["round"] for r in rot.to_records()]
        [1, 1, 1, 2, 2, 2]
        """
        return [row for r in self.rounds for row in r.to_records()]

    def __repr__(self) -> str:
        short = sum(len(v) for v in self.short.values())
        return (
            f"Rotation(rounds={len(self.rounds)}, pairs={len(self)}, short={short}, "
            f"objective={self.objective:.6g}, status={self.status!r}, gap={self.gap:.2g}, "
            f"method={self.method!r}, time={self.wall_time:.3g}s)"
        )


@dataclass(frozen=True)
class Exposure:
    """Per-person exposure over a rotation: whom each participant meets across the rounds.

    Parameters
    ----------
    attribute : str
        The partners' attribute (or ``"department"``) that makes the groups.
    side : {"mentee", "mentor"}, default "mentee"
        Whose exposure: ``"mentee"`` — each mentee (senior) over their sessions.
    at_least : int, optional
        Each participant of ``side`` meets partners of at least this many distinct groups
        (or as many as they have sessions, if fewer); ``side="mentee"`` only.
    at_most_per_group : int, optional
        Each participant of ``side`` meets at most this many partners of any one group
        (``1``: never the same department twice).

    A partner with no value for ``attribute`` is in no group: they count towards neither
    bound. Compiled into the goals :class:`~rm_match.goals.Coverage` and
    :class:`~rm_match.goals.Spread` over a per-person attribute, so the plan is solved
    through the goal path with a certified gap.

    Examples
    --------
    >>> Exposure("department", at_least=3)
    Exposure(attribute='department', side='mentee', at_least=3, at_most_per_group=None)
    """

    attribute: str
    side: str = "mentee"
    at_least: int | None = None
    at_most_per_group: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.attribute, str) or not self.attribute:
            raise ValidationError(
                "`attribute` of an Exposure must be an attribute name.", argument="attribute"
            )
        if self.side not in ("mentee", "mentor"):
            raise ValidationError(
                f"`side` of an Exposure must be 'mentee' or 'mentor'; got {self.side!r}.",
                argument="side",
            )
        if self.at_least is None and self.at_most_per_group is None:
            raise ValidationError(
                "an Exposure needs `at_least` or `at_most_per_group`.", argument="at_least"
            )
        if self.at_least is not None:
            check_int(self.at_least, "at_least", low=1)
            if self.side != "mentee":
                raise ValidationError(
                    "`at_least` distinct groups is supported for side='mentee' only.",
                    argument="side",
                )
        if self.at_most_per_group is not None:
            check_int(self.at_most_per_group, "at_most_per_group", low=1)

    def apply(self, mentors: People, mentees: People) -> tuple[People, People, list[Any]]:
        """The tables with the per-person attribute this exposure reads, and its goals."""
        from .. import goals as g

        groups_side, self_side = (mentors, mentees) if self.side == "mentee" else (mentees, mentors)
        if not groups_side.has(self.attribute):
            raise ValidationError(
                f"Exposure needs `{self.attribute}` on the "
                f"{'mentors' if self.side == 'mentee' else 'mentees'}' table.",
                argument="attribute",
            )
        col = (
            groups_side.department
            if self.attribute == "department"
            else groups_side.attributes[self.attribute]
        )
        assert col is not None  # checked by `has`
        labels = [None if v is None else f"g:{v}" for v in col.tolist()]
        selves = [f"self:{pid!r}" for pid in self_side.ids.tolist()]
        name = f"exposure_{self.side}_{self.attribute}"
        if self.side == "mentee":
            mentors = mentors.with_column(name, labels, attribute=True)
            mentees = mentees.with_column(name, selves, attribute=True)
        else:
            mentors = mentors.with_column(name, selves, attribute=True)
            mentees = mentees.with_column(name, labels, attribute=True)
        out: list[Any] = []
        if self.at_least is not None:
            out.append(g.Coverage(name, k=self.at_least, exclude_own=False))
        if self.at_most_per_group is not None:
            out.append(g.Spread(name, at_most=self.at_most_per_group, symmetric=False))
        return mentors, mentees, out


def rotate(
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    rounds: int,
    history: Iterable[Any] = (),
    fair: bool = True,
    min_sessions: int | Mapping[Hashable, int] | None = None,
    exposure: Iterable[Exposure] = (),
    policy: str = "max_matched",
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    preferences: Preferences | None = None,
    time_limit: float | None = None,
    rng: Any = None,
    memory_limit: float | None = None,
) -> Rotation:
    """Plan ``rounds`` rounds of pairs: no pair twice, optimal over all rounds jointly.

    Each round every participant has at most their capacity of partners; over the plan
    nobody meets the same partner twice, nor a partner of ``history``. The plan is one
    exact min-cost flow over the whole programme (each participant up to ``rounds ×
    capacity`` sessions) split into rounds by an edge colouring, so it is optimal over all
    rounds together — greedy round-by-round matching can do worse — and certified by the
    flow's bound. From about 1 000 per side (where :func:`rm_match.match`'s ``auto``
    takes its sparse path) the b-matching is solved on that path, without the n × n
    matrices (``method`` ``"sparse"``; 20 000 per side, 4 rounds: 21 s, 0.7 GB); with
    goals, exposure, ``min_sessions``, ``fair`` under ``max_score``, or fairness floors
    the optimum itself does not meet, the programme is compiled densely (the memory budget
    is checked first).

    Parameters
    ----------
    mentors, mentees : People
    programme : Programme, optional
        Rules, score weights and cohort goals. Goals hold over the whole plan (all rounds'
        pairs: "at least 40 % of all sessions cross-gender", "each department's seniors
        meet juniors of 3 departments over the programme"): the plan is then solved by the
        goal path of :func:`rm_match.match` on ``rounds ×`` the capacities (certified gap,
        :attr:`Rotation.goals`), without fairness floors, and coloured into rounds. Required
        pairs are made once, in some round (and, as in :func:`rm_match.match`, a
        participant may have at most their capacity of them).
    rounds : int
        Rounds ``k``, from 1 to :data:`~rm_match.solvers.rotation.MAX_ROUNDS` (1 000).
        More rounds than someone has allowed partners is not an error:
        they get fewer sessions, and :attr:`Rotation.short` says so.
    history : iterable, optional
        Pairs met before, never repeated: (mentor id, mentee id) pairs, (mentor id, mentee
        id, round) triples, or :class:`~rm_match.Matching`, :class:`Rotation` and
        :class:`Round` objects. Ids no longer in the tables are ignored.
    fair : bool, default True
        Even out the sessions: with ``S`` the most sessions the rules allow in all,
        everyone on the larger side (participants with capacity; both sides on a tie)
        gets at least ``min(S // n, their allowed partners, rounds × capacity)`` sessions,
        ``n`` that side's size. Where the rules make those floors clash (people competing
        for the same few partners), the floors are lowered to what a maximum flow that
        meets as many floor units as possible gives each (``stats["lowered"]``). Floors
        never cost sessions under ``max_matched``, only, perhaps, score
        (``stats["unconstrained_objective"]``). ``False``: the best total, whoever sits
        out.
    min_sessions : int or mapping of id to int, optional
        Sessions each participant must get, instead of the ``fair`` floors: an int for
        everyone with capacity (capped at ``rounds × capacity``: ``rounds - 1`` is "everyone
        gets at least k − 1 sessions"), or a mapping of participant id (either side) to
        their minimum. Minimums that cannot all be met raise :class:`InfeasibleError`.
    exposure : iterable of Exposure, optional
        Whom each person meets over the programme: ``Exposure("department", at_least=3)``
        (each senior meets juniors of 3 departments), ``Exposure("department",
        side="mentor", at_most_per_group=1)`` (no junior meets one senior department
        twice). Solved with the goals (certified gap; no fairness floors).
    policy : {"max_matched", "max_score"}, default "max_matched"
        ``max_matched``: the most sessions over all rounds, then the best total score;
        ``max_score``: the best total score.
    org_chart : mapping of id to id or None, optional
        As in :func:`rm_match.match`.
    preferences : Preferences, optional
        The participants' answers, as in :func:`rm_match.match` (the ``preference`` term,
        :class:`~rm_match.rules.Vetoes`, :class:`~rm_match.rules.MutuallyAcceptable`).
    time_limit : float, optional
        Checked, then unused: the method is exact and always finishes.
    rng : None, int or numpy.random.Generator, optional
        Checked, then unused: the method is deterministic.
    memory_limit : float, optional
        Bytes the plan may use, as in :func:`rm_match.match` (default: half the memory
        available). Checked before the dense compile.

    Returns
    -------
    Rotation

    Raises
    ------
    ValidationError
        If ``rounds`` is not an integer ≥ 1, ``history`` is malformed, or the tables,
        programme or options are.
    MemoryBudgetError
        If the dense plan (the compiled n × n matrices and the min-cost flow over every
        allowed pair) exceeds ``memory_limit``: raised before anything is compiled. About
        53 GiB at 20 000 per side.
    InfeasibleError
        If required pairs conflict with other rules (or the history) or capacities, or no
        plan meets the goals (the message names the goals and rules proven to conflict).

    Examples
    --------
    >>> from rm_match import Programme, rules, synthetic, verify
    >>> from rm_match.rounds import rotate
    >>> mentors, mentees = synthetic.cohort(30, 20, rng=7)
    >>> rot = rotate(mentors, mentees, Programme(rules=[rules.CrossDepartment()]), rounds=3)
    >>> rot.status, len(rot.rounds), len(rot)
    ('optimal', 3, 60)
    >>> min(rot.sessions["mentors"].values())  # 60 sessions over 30 juniors: 2 each
    2
    >>> all(verify(r.id_pairs, rot.problem) == [] for r in rot.rounds)
    True
    >>> again = rotate(mentors, mentees, rounds=1, history=[rot])
    >>> {p[:2] for p in again.pairs} & {p[:2] for p in rot.pairs}
    set()
    """
    start = time.perf_counter()
    opts = check_options(
        policy=policy, time_limit=time_limit, rng=rng, start=start, memory_limit=memory_limit
    )
    k = check_int(rounds, "rounds", low=1, high=MAX_ROUNDS)
    if not isinstance(fair, (bool, np.bool_)):
        raise ValidationError(
            f"`fair` must be True or False; got {type(fair).__name__}.", argument="fair"
        )
    if programme is None:
        programme = Programme()
    if not isinstance(programme, Programme):
        raise ValidationError(
            f"`programme` must be a Programme; got {type(programme).__name__}.",
            argument="programme",
        )
    if not isinstance(mentors, People) or not isinstance(mentees, People):
        raise ValidationError("`mentors` and `mentees` must be People tables.", argument="mentors")
    previous = _history(history, mentors, mentees)
    if previous:
        programme = replace(programme, rules=(*programme.rules, ExcludePrevious(previous)))
    goals: tuple[Any, ...] = ()
    cap_m, cap_e = mentors.capacity, mentees.capacity
    floors = _floors(min_sessions, mentors, mentees, k)
    if programme.goals and floors is not None:
        raise ValidationError(
            "`min_sessions` and cohort goals cannot be combined yet: give the minimum as a "
            "goal (e.g. goals.EveryoneMatched) or plan without the goals.",
            argument="min_sessions",
        )
    exposures = check_sequence(exposure, "exposure", Exposure, "Exposure objects")
    if exposures and floors is not None:
        raise ValidationError(
            "`min_sessions` and `exposure` cannot be combined yet.", argument="min_sessions"
        )
    if programme.goals or exposures:
        # goals across rounds (and exposure, as goals over a per-person attribute): the
        # same b-matching, with the goals, through the goal machinery (certified gap);
        # the rounds then checked without them
        plan_m, plan_e, extra = mentors, mentees, []
        for ex in exposures:
            plan_m, plan_e, more = ex.apply(plan_m, plan_e)
            extra.extend(more)
        planned = replace(programme, goals=(*programme.goals, *extra))
        problem = Problem(
            mentors,
            mentees,
            replace(programme, goals=()),
            org_chart=org_chart,
            preferences=preferences,
        )
        problem.placement()  # required pairs within the capacity of a round, before solving
        result, goals = _with_goals(plan_m, plan_e, planned, k, opts, org_chart, preferences)
        arrays = problem.compile(keep_terms=False)
    else:
        problem = Problem(mentors, mentees, programme, org_chart=org_chart, preferences=preferences)
        sparse = None
        if floors is None and (not fair or opts.policy == "max_matched"):
            sparse = _sparse_plan(problem, k, fair, opts)
        if sparse is not None:
            result, fixed = sparse
            return _rotation(problem, result, fixed, None, k, goals, start)
        # the plan before the compile: the flow over every pair, k × the capacities
        needs = Needs.of(k * cap_m, k * cap_e, compile=True)
        choose(needs, "flow", budget=memory_budget(opts.memory_limit))
        arrays = problem.compile(keep_terms=False)
        result = rotate_arrays(
            arrays.scores,
            arrays.feasible,
            k,
            mentor_capacity=cap_m,
            mentee_capacity=cap_e,
            policy=opts.policy,
            min_sessions=floors if floors is not None else ("fair" if fair else None),
            required=arrays.fixed,
            time_limit=opts.time_limit,
            memory_limit=opts.memory_limit,
        )
    return _rotation(problem, result, arrays.fixed, arrays.feasible, k, goals, start)


def _rotation(
    problem: Problem,
    result: ArrayRotation,
    fixed: np.ndarray,
    feasible: np.ndarray | None,
    k: int,
    goals: tuple[Any, ...],
    start: float,
) -> Rotation:
    """The :class:`Rotation` of a solved plan: rounds explained, sessions, shortfalls.
    ``feasible``: the rules' dense mask when there is one (else the rules are evaluated for
    the participants who fall short only)."""
    mentors, mentees = problem.mentors, problem.mentees
    full_m = np.minimum(k * mentors.capacity, mentees.n)
    full_e = np.minimum(k * mentees.capacity, mentors.n)
    rows: Callable[[int, np.ndarray], np.ndarray]
    if feasible is not None:
        allowed = feasible & (full_m > 0)[:, None] & (full_e > 0)
        allowed[fixed[:, 0], fixed[:, 1]] = True

        def dense_rows(axis: int, who: np.ndarray) -> np.ndarray:
            return allowed[who] if axis == 0 else allowed[:, who].T

        rows = dense_rows
    else:
        rows = _allowed_rows(problem, fixed, full_m, full_e)
    short = _shortfalls(result, rows, full_m, full_e, mentors, mentees)
    ids_m, ids_e = mentors.ids, mentees.ids
    return Rotation(
        rounds=_rounds(problem, result, fixed),
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        status=result.status,
        method=result.method,
        policy=result.policy,
        wall_time=time.perf_counter() - start,
        sessions={
            "mentors": dict(zip(ids_m.tolist(), result.mentor_sessions.tolist(), strict=True)),
            "mentees": dict(zip(ids_e.tolist(), result.mentee_sessions.tolist(), strict=True)),
        },
        short=short,
        min_sessions={
            side: {ids[i]: int(lo[i]) for i in np.flatnonzero(lo > 0).tolist()}
            for side, ids, lo in (
                ("mentors", ids_m, result.min_sessions[0]),
                ("mentees", ids_e, result.min_sessions[1]),
            )
        },
        stats=dict(result.stats),
        problem=problem,
        assignment=result,
        goals=goals,
    )


def _sparse_plan(
    problem: Problem, k: int, fair: bool, opts: Any
) -> tuple[ArrayRotation, np.ndarray] | None:
    """The plan without the n × n matrix, when ``match``'s ``auto`` would take the sparse
    path for the whole programme (each participant ``k ×`` their capacity, each pair once:
    the b-matching :func:`rm_match.match` solves with those capacities), then coloured into
    rounds. Returns ``(plan, required pairs)``, or ``None`` for the dense flow: below the
    sparse crossover, or when the fairness floors are not met by the optimum itself.

    The floors (``fair=True``, ``max_matched`` only) never need the rules' allowed counts
    here: each floor is at most ``min(S // n, k × capacity)`` (``S`` the most sessions, the
    plan's own count under ``max_matched``), so a plan that gives everyone on the larger
    side that many meets every floor, and being optimal without them it is the optimum
    with them. Otherwise ``None``: the dense path lowers clashing floors and re-solves."""
    mentors, mentees = problem.mentors, problem.mentees
    full_m = np.minimum(k * mentors.capacity, mentees.n)
    full_e = np.minimum(k * mentees.capacity, mentors.n)
    needs = Needs.of(full_m, full_e, compile=True)
    backend = choose(needs, "auto", budget=memory_budget(opts.memory_limit))
    if not backend.capabilities.sparse:
        return None
    # a participant has at most their capacity (of a round) of required pairs, as on the
    # dense path: the plan's k × capacity would accept more
    problem.placement()
    t0 = time.perf_counter()
    plan = Problem(
        mentors.with_column("capacity", full_m),
        mentees.with_column("capacity", full_e),
        problem.programme,
        org_chart=problem.cohort.org_chart or None,
        preferences=problem.preferences,
    )
    from .. import api  # the path of `match`

    free, _ = api._solve_problem(plan, replace(opts, method="sparse", start=t0))
    every, fixed = _placed(plan, free)
    n_m, n_e = problem.cohort.shape
    got_m = np.bincount(every[:, 0], minlength=n_m)
    got_e = np.bincount(every[:, 1], minlength=n_e)
    lo_m = np.zeros(n_m, dtype=np.int64)
    lo_e = np.zeros(n_e, dtype=np.int64)
    stats: dict[str, Any] = {"max_sessions": len(every)} if fair else {}
    if fair:
        c_m, c_e = int((full_m > 0).sum()), int((full_e > 0).sum())
        floor = len(every) // max(c_m, c_e, 1)
        if c_m >= c_e:
            lo_m = np.minimum(full_m, floor)
        if c_e >= c_m:
            lo_e = np.minimum(full_e, floor)
        if (got_m < lo_m).any() or (got_e < lo_e).any():
            return None
        stats["floor"] = floor
    result = _coloured(
        plan,
        every,
        fixed,
        free,
        k,
        (mentors.capacity, mentees.capacity),
        method="sparse",
        message=f"{free.message}; coloured into {k} round(s)",
        wall_time=time.perf_counter() - t0,
        min_sessions=(lo_m, lo_e),
        stats=stats,
    )
    return result, fixed


def _placed(big: Problem, free: Assignment) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of a plan solved over ``big`` (the required pairs, then the solved ones)
    and the required pairs."""
    fixed = big.placement()[0]
    every = np.concatenate((fixed, free.pairs)) if len(fixed) else free.pairs
    return np.asarray(every, dtype=np.int64).reshape(-1, 2), fixed


def _coloured(
    big: Problem,
    every: np.ndarray,
    fixed: np.ndarray,
    free: Assignment,
    k: int,
    per_round: tuple[np.ndarray, np.ndarray],
    *,
    method: str,
    message: str,
    wall_time: float,
    min_sessions: tuple[np.ndarray, np.ndarray],
    stats: dict[str, Any],
) -> ArrayRotation:
    """The :class:`ArrayRotation` of a plan solved as one b-matching over ``big``: its pairs
    coloured into ``k`` rounds (``per_round``: each side's capacity in a round), sorted by
    round, and its objective and bound with the required pairs' scores added."""
    n_m, n_e = big.cohort.shape
    fixed_total = float(big.scores(fixed[:, 0], fixed[:, 1], outer=False).sum())
    return coloured(
        every,
        n_m,
        n_e,
        k,
        per_round,
        objective=free.objective + fixed_total,
        bound=free.bound + fixed_total,
        status=free.status,
        policy=free.policy,
        method=method,
        message=message,
        wall_time=wall_time,
        min_sessions=min_sessions,
        stats=stats,
    )


def _allowed_rows(
    problem: Problem, fixed: np.ndarray, full_m: np.ndarray, full_e: np.ndarray
) -> Callable[[int, np.ndarray], np.ndarray]:
    """``rows(axis, who)``: which partners every rule allows the mentors (``axis`` 0) or
    mentees (1) ``who``, evaluated in blocks (no n × n mask); required pairs count."""
    n_m, n_e = problem.cohort.shape

    def rows(axis: int, who: np.ndarray) -> np.ndarray:
        other = np.arange(n_e if axis == 0 else n_m)
        out = np.zeros((len(who), len(other)), dtype=bool)
        step = max(1, COMPILE_BLOCK_CELLS // max(len(other), 1))
        for lo in range(0, len(who), step):
            part = who[lo : lo + step]
            mi, ei = (part, other) if axis == 0 else (other, part)
            ok = np.ones((len(mi), len(ei)), dtype=bool)
            for mask in problem.allowed(mi, ei).values():
                ok &= mask
            out[lo : lo + step] = ok if axis == 0 else ok.T
        out &= (full_e if axis == 0 else full_m)[None, :] > 0
        _mark(out, who, fixed, axis)
        return out

    return rows


def _floors(
    value: object, mentors: People, mentees: People, k: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """``min_sessions`` of :func:`rotate` as (mentor minimums, mentee minimums)."""
    if value is None:
        return None
    full_m = np.minimum(k * mentors.capacity, mentees.n)
    full_e = np.minimum(k * mentees.capacity, mentors.n)
    if isinstance(value, Mapping):
        lo_m = np.zeros(mentors.n, dtype=np.int64)
        lo_e = np.zeros(mentees.n, dtype=np.int64)
        for pid, v in value.items():
            n = check_int(v, f"min_sessions[{pid!r}]", low=0)
            if pid in mentors:
                lo_m[mentors.index(pid)] = n
            elif pid in mentees:
                lo_e[mentees.index(pid)] = n
            else:
                raise ValidationError(
                    f"`min_sessions` names {pid!r}, who is neither a mentor nor a mentee.",
                    argument="min_sessions",
                    participant=pid,
                )
        return lo_m, lo_e
    n = check_int(value, "min_sessions", low=0)
    return np.minimum(full_m, n), np.minimum(full_e, n)


def _with_goals(
    mentors: People,
    mentees: People,
    programme: Programme,
    k: int,
    opts: Any,
    org_chart: Mapping[Hashable, Hashable | None] | None,
    preferences: Preferences | None,
) -> tuple[ArrayRotation, tuple[Any, ...]]:
    """The plan under cohort goals over all its pairs: :func:`rm_match.match`'s goal path on
    the tables with ``k ×`` their capacities (each pair still at most once), then the edge
    colouring into rounds. No fairness floors (the goals are the programme's say on who
    meets whom)."""
    from .. import api  # the goal path of `match`

    big = Problem(
        mentors.with_column("capacity", mentors.capacity * k),
        mentees.with_column("capacity", mentees.capacity * k),
        programme,
        org_chart=org_chart,
        preferences=preferences,
    )
    free, _ = api._solve_problem(big, replace(opts, method="auto"))
    every, fixed = _placed(big, free)
    n_m, n_e = mentors.n, mentees.n
    result = _coloured(
        big,
        every,
        fixed,
        free,
        k,
        (mentors.capacity, mentees.capacity),
        method=free.method,
        message=free.message,
        wall_time=free.wall_time,
        min_sessions=(np.zeros(n_m, dtype=np.int64), np.zeros(n_e, dtype=np.int64)),
        stats={"goals": len(programme.goals), "fair": "not applied under cohort goals"},
    )
    return result, tuple(free.goals)


def _history(history: object, mentors: People, mentees: People) -> list[tuple[Hashable, Hashable]]:
    """The (mentor id, mentee id) pairs of ``history`` whose ids are both in the tables."""
    if not is_collection(history) or isinstance(history, Mapping):
        raise ValidationError(
            "`history` must be an iterable of (mentor id, mentee id) pairs or of Matching, "
            f"Rotation or Round objects; got {type(history).__name__}.",
            argument="history",
        )
    out: dict[tuple[Hashable, Hashable], None] = {}
    for n, item in enumerate(history):
        if isinstance(item, Rotation):
            pairs: Iterable[Sequence[Any]] = [p[:2] for p in item.pairs]
        elif isinstance(item, (Matching, Round)):
            pairs = item.id_pairs
        elif isinstance(item, (tuple, list)) and len(item) in (2, 3):
            pairs = [item]
        else:
            raise ValidationError(
                f"`history` entry {n} must be a (mentor id, mentee id) pair, a (mentor id, "
                "mentee id, round) triple, or a Matching, Rotation or Round; got "
                f"{type(item).__name__}.",
                argument="history",
            )
        for p in pairs:
            m, e = p[0], p[1]
            if not (isinstance(m, Hashable) and isinstance(e, Hashable)):
                raise ValidationError(
                    f"`history` entry {n} holds an unhashable id.", argument="history"
                )
            if m in mentors and e in mentees:
                out[(m, e)] = None
    return list(out)


def _rounds(problem: Problem, result: ArrayRotation, fixed: np.ndarray) -> tuple[Round, ...]:
    """Each round's pairs explained (as :func:`rm_match.match` explains its pairs) and its
    sit-outs."""
    mentors, mentees = problem.mentors, problem.mentees
    pairs = result.pairs
    mi, ei = pairs[:, 0], pairs[:, 1]
    n_e = max(mentees.n, 1)
    required = np.isin(mi * n_e + ei, fixed[:, 0] * n_e + fixed[:, 1])
    explained_all, scores, _ = explain_pairs(problem, pairs, required)
    ids_m, ids_e = mentors.ids, mentees.ids
    with_m = np.flatnonzero(mentors.capacity > 0)
    with_e = np.flatnonzero(mentees.capacity > 0)
    out = []
    for r in range(result.n_rounds):
        at = np.flatnonzero(result.rounds == r)
        explained = tuple(explained_all[p] for p in at.tolist())
        sit_m = np.setdiff1d(with_m, mi[at])
        sit_e = np.setdiff1d(with_e, ei[at])
        out.append(
            Round(
                number=r + 1,
                pairs=explained,
                sit_outs={
                    "mentors": tuple(ids_m[sit_m].tolist()),
                    "mentees": tuple(ids_e[sit_e].tolist()),
                },
                objective=float(scores[at].sum()),
            )
        )
    return tuple(out)


def _mark(rows: np.ndarray, who: np.ndarray, pairs: np.ndarray, axis: int) -> None:
    """Set, in the rows of participants ``who`` (sorted) of side ``axis`` (0 mentors, 1
    mentees), each partner ``pairs`` gives them (in place)."""
    mine, theirs = pairs[:, axis], pairs[:, 1 - axis]
    at = np.searchsorted(who, mine)
    hit = (at < len(who)) & (who[np.minimum(at, len(who) - 1)] == mine)
    rows[at[hit], theirs[hit]] = True


def _shortfalls(
    result: ArrayRotation,
    rows: Callable[[int, np.ndarray], np.ndarray],
    full_m: np.ndarray,
    full_e: np.ndarray,
    mentors: People,
    mentees: People,
) -> dict[str, dict[Hashable, Shortfall]]:
    """Everyone with capacity and fewer than ``full`` sessions, with the reason;
    ``rows(axis, who)``: the partners the rules allow participants ``who`` (sorted) of a
    side (``axis`` 0 mentors, 1 mentees), one row each."""
    pairs = result.pairs
    out: dict[str, dict[Hashable, Shortfall]] = {}
    for side, got, full, other_got, other_full, ids, axis in (
        ("mentors", result.mentor_sessions, full_m, result.mentee_sessions, full_e, mentors.ids, 0),
        ("mentees", result.mentee_sessions, full_e, result.mentor_sessions, full_m, mentees.ids, 1),
    ):
        who = np.flatnonzero((full > 0) & (got < full))
        found: dict[Hashable, Shortfall] = {}
        if len(who):
            rows_ok = rows(axis, who)
            n_allowed = rows_ok.sum(axis=1)
            rows_met = np.zeros_like(rows_ok)
            _mark(rows_met, who, pairs, axis)
            room = np.asarray((rows_ok & ~rows_met & (other_got < other_full)).any(axis=1))
            for j, i in enumerate(who.tolist()):
                s, f, a = int(got[i]), int(full[i]), int(n_allowed[j])
                if s >= a:
                    kind = "few_partners"
                elif not room[j]:
                    kind = "partners_full"
                else:
                    kind = "score"
                found[ids[i]] = Shortfall(s, f, a, kind)
        out[side] = found
    return out
