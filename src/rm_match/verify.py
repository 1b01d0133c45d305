"""An independent checker: does a set of pairs satisfy every rule and capacity?

:func:`verify` trusts no solver status and no compiled mask of a domain problem: it evaluates
each rule afresh, pair by pair, on the participants' data. Tests and benchmarks run every
answer — ours and other tools' — through it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ._checks import is_collection
from .errors import ValidationError
from .goals import check_goals
from .problem import Problem, ProblemArrays
from .results import Assignment, Matching
from .rules import RequiredPairs

__all__ = ["Violation", "verify", "verify_rounds"]


@dataclass(frozen=True)
class Violation:
    """One broken rule or capacity.

    Attributes
    ----------
    rule : str
        Rule name, or ``"capacity"``, ``"duplicate"``, ``"unknown_id"``, ``"index"``.
    mentor, mentee : id or int or None
        The pair (ids for a :class:`~rm_match.Problem`, indices for arrays), where the
        violation is about one; for a capacity, the participant over capacity.
    message : str
        Ids, rule and goal names and counts; never an attribute value or a group label (a
        goal's figure on fewer than 5 pairs reads ``suppressed``).
    round : int or None
        The round (0-based) a violation of :func:`verify_rounds` is in; ``None`` otherwise.
    """

    rule: str
    mentor: Hashable | None
    mentee: Hashable | None
    message: str
    round: int | None = None


def _capacity_violations(
    counts: Counter[int], capacity: np.ndarray, label: Callable[[int], Hashable], role: str
) -> list[Violation]:
    out = []
    for i, c in sorted(counts.items()):
        if c > capacity[i]:
            who = label(i)
            out.append(
                Violation(
                    "capacity",
                    who if role == "mentor" else None,
                    who if role == "mentee" else None,
                    f"{role} {who!r} has {c} partners but capacity {int(capacity[i])}",
                )
            )
    return out


def _verify_arrays(pairs: object, problem: ProblemArrays) -> list[Violation]:
    if isinstance(pairs, Assignment):
        pairs = pairs.pairs
    bad = ValidationError(
        "`pairs` must be an Assignment or a (k, 2) integer array of (mentor, mentee) indices; "
        f"got {type(pairs).__name__}.",
        argument="pairs",
    )
    if isinstance(pairs, (str, bytes, Mapping, Matching)):
        raise bad
    try:
        p = np.asarray(pairs)
    except (TypeError, ValueError):
        raise bad from None
    if p.size == 0:
        p = np.empty((0, 2), dtype=np.int64)
    if p.ndim != 2 or p.shape[1] != 2 or not np.issubdtype(p.dtype, np.integer):
        raise ValidationError(
            "`pairs` must be a (k, 2) integer array of (mentor, mentee) indices.",
            argument="pairs",
        )
    n_m, n_e = problem.shape
    out: list[Violation] = []
    inside = (p[:, 0] >= 0) & (p[:, 0] < n_m) & (p[:, 1] >= 0) & (p[:, 1] < n_e)
    for m, e in p[~inside]:
        out.append(Violation("index", int(m), int(e), f"pair ({m}, {e}) is out of range"))
    p = p[inside]
    _, first = np.unique(p[:, 0] * n_e + p[:, 1], return_index=True)
    repeat = np.ones(len(p), dtype=bool)
    repeat[first] = False
    for m, e in p[repeat].tolist():
        out.append(Violation("duplicate", m, e, f"pair ({m}, {e}) appears twice"))
    for m, e in p[~problem.feasible[p[:, 0], p[:, 1]]].tolist():
        out.append(Violation("feasible", m, e, f"pair ({m}, {e}) is not feasible"))
    out += _capacity_violations(Counter(p[:, 0].tolist()), problem.mentor_capacity, int, "mentor")
    out += _capacity_violations(Counter(p[:, 1].tolist()), problem.mentee_capacity, int, "mentee")
    return out


def _verify_problem(pairs: object, problem: Problem) -> list[Violation]:
    if isinstance(pairs, Matching):
        pairs = pairs.id_pairs
    mentors, mentees = problem.mentors, problem.mentees
    out: list[Violation] = []
    if not is_collection(pairs):
        raise ValidationError(
            "`pairs` must be a Matching or an iterable of (mentor id, mentee id) pairs; "
            f"got {type(pairs).__name__}.",
            argument="pairs",
        )
    mi, ei, ids = [], [], []
    for n, item in enumerate(pairs):
        if not is_collection(item) or not isinstance(item, Sequence):
            raise ValidationError(
                f"`pairs` entry {n} must be a (mentor id, mentee id) pair; "
                f"got {type(item).__name__}.",
                argument="pairs",
            )
        if len(item) != 2:
            raise ValidationError(
                f"`pairs` entry {n} must be a (mentor id, mentee id) pair; got {len(item)} items.",
                argument="pairs",
            )
        m, e = item
        if not (isinstance(m, Hashable) and isinstance(e, Hashable)):
            raise ValidationError(f"`pairs` entry {n} holds an unhashable id.", argument="pairs")
        if m not in mentors or e not in mentees:
            out.append(Violation("unknown_id", m, e, f"pair ({m!r}, {e!r}) names an unknown id"))
            continue
        mi.append(mentors.index(m))
        ei.append(mentees.index(e))
        ids.append((m, e))
    mi_a = np.array(mi, dtype=np.int64)
    ei_a = np.array(ei, dtype=np.int64)
    for (m, e), c in Counter(ids).items():
        if c > 1:
            out.append(Violation("duplicate", m, e, f"pair ({m!r}, {e!r}) appears {c} times"))
    if len(ids):
        for name, ok in problem.allowed(mi_a, ei_a, outer=False).items():
            for k in np.flatnonzero(~ok):
                m, e = ids[k]
                out.append(Violation(name, m, e, f"pair ({m!r}, {e!r}) breaks {name}"))
    out += _capacity_violations(Counter(mi), mentors.capacity, lambda i: mentors.ids[i], "mentor")
    out += _capacity_violations(Counter(ei), mentees.capacity, lambda i: mentees.ids[i], "mentee")
    if problem.programme.goals and len(out) == 0:
        out += _goal_violations(problem, mi_a, ei_a)
    chosen = set(ids)
    for r in problem.programme.rules:
        if isinstance(r, RequiredPairs):
            for m, e in r.pairs:
                if (m, e) not in chosen:
                    out.append(Violation(r.name, m, e, f"required pair ({m!r}, {e!r}) is missing"))
    return out


def _goal_violations(problem: Problem, mi: np.ndarray, ei: np.ndarray) -> list[Violation]:
    """Each cohort goal checked afresh on the pairs (not through the solver's rows). The
    message words the goal's check, whose figure is suppressed on fewer than 5 pairs
    (``"goal share_cross_gender not met: requires ≥ 40% of pairs, achieved suppressed
    (fewer than 5 pairs)"``)."""
    ctx = problem.check_context()
    return [
        Violation(
            c.goal,
            None,
            None,
            f"goal {c.goal} not met: requires {c.required}, achieved {c.achieved}",
        )
        for c in check_goals(problem.programme.goals, ctx, mi, ei)
        if not c.met
    ]


def verify(pairs: object, problem: Problem | ProblemArrays) -> list[Violation]:
    """Every violated rule, capacity, requirement and cohort goal of ``pairs``; empty when all
    hold (goals are checked once the pairs break nothing else).

    Parameters
    ----------
    pairs : Matching, iterable of (mentor id, mentee id), or (k, 2) int array
        Ids when ``problem`` is a :class:`~rm_match.Problem`; indices when it is a
        :class:`~rm_match.ProblemArrays` (then the compiled mask and capacities are checked).
    problem : Problem or ProblemArrays

    Returns
    -------
    list of Violation

    Examples
    --------
    >>> from rm_match import Problem, Programme, People, rules, verify
    >>> m = People(["j1", "j2"], department=["IT", "HR"])
    >>> e = People(["s1"], department=["IT"])
    >>> prob = Problem(m, e, Programme(rules=[rules.CrossDepartment()]))
    >>> verify([("j2", "s1")], prob)
    []
    >>> [v.rule for v in verify([("j1", "s1")], prob)]
    ['cross_department']
    """
    if isinstance(problem, ProblemArrays):
        return _verify_arrays(pairs, problem)
    if isinstance(problem, Problem):
        return _verify_problem(pairs, problem)
    raise ValidationError(
        f"`problem` must be a Problem or ProblemArrays; got {type(problem).__name__}.",
        argument="problem",
    )


def verify_rounds(rounds: object, problem: Problem, *, history: object = ()) -> list[Violation]:
    """Every violation of a programme run in rounds: each round checked on its own by
    :func:`verify` (rules, capacities per round, requirements, goals), and every pair met
    twice — in two rounds, or in a round and ``history``.

    Parameters
    ----------
    rounds : iterable of rounds, or an object with a ``rounds`` attribute (a rotation)
        Each round a :class:`~rm_match.Matching` or an iterable of (mentor id, mentee id).
    problem : Problem
        The programme the rounds were made under (capacities are per round).
    history : iterable of (mentor id, mentee id), optional
        Pairs of earlier rounds that none of ``rounds`` may repeat; ids no longer in the
        tables are fine (people leave).

    Returns
    -------
    list of Violation
        Each with its ``round``; a repeat has rule ``"repeat"``.

    Examples
    --------
    >>> from rm_match import Problem, People, verify_rounds
    >>> prob = Problem(People(["j1", "j2"]), People(["s1", "s2"]))
    >>> verify_rounds([[("j1", "s1"), ("j2", "s2")], [("j1", "s2"), ("j2", "s1")]], prob)
    []
    >>> [(v.rule, v.round) for v in verify_rounds([[("j1", "s1")], [("j1", "s1")]], prob)]
    [('repeat', 1)]
    """
    if not isinstance(problem, Problem):
        raise ValidationError(
            f"`problem` must be a Problem; got {type(problem).__name__}.", argument="problem"
        )
    rounds = getattr(rounds, "rounds", rounds)
    if not is_collection(rounds):
        raise ValidationError(
            "`rounds` must be an iterable of rounds (each a Matching or an iterable of "
            f"(mentor id, mentee id) pairs); got {type(rounds).__name__}.",
            argument="rounds",
        )
    if not is_collection(history):
        raise ValidationError(
            "`history` must be an iterable of (mentor id, mentee id) pairs; got "
            f"{type(history).__name__}.",
            argument="history",
        )
    met: dict[tuple[Hashable, Hashable], int | None] = {}
    for n, item in enumerate(history):
        if not (isinstance(item, Sequence) and len(item) == 2):
            raise ValidationError(
                f"`history` entry {n} must be a (mentor id, mentee id) pair.", argument="history"
            )
        met[(item[0], item[1])] = None
    out: list[Violation] = []
    for r, round_pairs in enumerate(rounds):
        # a Matching or a rotation's Round: their (mentor id, mentee id) pairs
        ids = getattr(round_pairs, "id_pairs", round_pairs)
        for v in verify(ids, problem):
            out.append(Violation(v.rule, v.mentor, v.mentee, f"round {r}: {v.message}", round=r))
        if not is_collection(ids):
            continue  # verify has named it
        for item in ids:
            if not (isinstance(item, Sequence) and len(item) == 2):
                continue  # verify has named it
            key = (item[0], item[1])
            if key in met:
                first = met[key]
                when = "in history" if first is None else f"in round {first}"
                out.append(
                    Violation(
                        "repeat",
                        key[0],
                        key[1],
                        f"round {r}: pair ({key[0]!r}, {key[1]!r}) met before, {when}",
                        round=r,
                    )
                )
            else:
                met[key] = r
    return out
