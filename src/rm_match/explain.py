"""Why a participant was left without a partner.

Each reason is a :class:`Reason`: the sentence a person reads (ids and counts only, never an
attribute value) with a ``kind`` that groups like reasons whatever their counts — reports
and the CLI count participants by kind.

=====================  ======================================================================
kind                   meaning
=====================  ======================================================================
``capacity_0``         the participant's own capacity is 0
``no_partner``         no one on the other side passes every hard rule (the text names a
                       minimal set of rules that together leave nobody)
``partners_closed``    the feasible partners all have capacity 0
``partners_full``      the feasible partners are all at capacity with others
``goal``               partners with room exist, but pairing with any of them breaks a
                       cohort goal (named)
``score``              partners with room exist, but pairing would lower the objective
``not_proven``         partners with room exist and the answer is not proven optimal
=====================  ======================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .problem import Problem

__all__ = ["REASON_KINDS", "Reason", "unplaced_reasons"]

#: The kinds of :class:`Reason`, in the order reports list them.
REASON_KINDS = (
    "capacity_0",
    "no_partner",
    "partners_closed",
    "partners_full",
    "goal",
    "score",
    "not_proven",
)

#: Partners with room tried per participant when looking for the goal that keeps one out.
_GOAL_TRIES = 64


class Reason(str):
    """A reason as text, with the ``kind`` it belongs to (see the module docstring).

    Examples
    --------
    >>> r = Reason("capacity 0", "capacity_0")
    >>> r, r.kind
    ('capacity 0', 'capacity_0')
    """

    kind: str

    def __new__(cls, text: str, kind: str) -> Reason:
        if kind not in REASON_KINDS:  # pragma: no cover - a bug guard
            raise ValueError(f"unknown reason kind {kind!r}")
        self = super().__new__(cls, text)
        self.kind = kind
        return self

    def __reduce__(self):  # pickles (process pools) keep the kind
        return (Reason, (str(self), self.kind))


#: ``breaks(side, i, partners)``: for participant ``i`` of ``side`` and candidate partners
#: (indices on the other side), the names of the goals that adding each pair would break
#: (an empty list where it breaks none).
GoalBreaks = Callable[[str, int, np.ndarray], list[list[str]]]


def unplaced_reasons(
    problem: Problem,
    side: str,
    idx: Iterable[int],
    taken: np.ndarray,
    *,
    goal_breaks: GoalBreaks | None = None,
    proven: bool = True,
    policy: str = "max_matched",
) -> list[Reason]:
    """Why each participant of ``side`` ('mentor' or 'mentee') in ``idx`` has no partner.

    ``taken`` is the number of partners each participant of the other side ended with.
    Works from the rules pair by pair (no score matrix needed). With cohort goals,
    ``goal_breaks`` says which goals adding a pair would break; ``proven`` is whether the
    answer is proven optimal (if not, a partner with room may just not have been found).
    """
    fixed = problem.placement()[0]
    idx = np.asarray(list(idx), dtype=np.int64)
    if len(idx) == 0:
        return []
    n_m, n_e = problem.cohort.shape
    mentee_side = side == "mentee"
    other_n = n_m if mentee_side else n_e
    other = np.arange(other_n)
    other_role = "mentor" if mentee_side else "mentee"
    own_cap = (problem.mentees if mentee_side else problem.mentors).capacity
    other_cap = (problem.mentors if mentee_side else problem.mentees).capacity
    reasons = []
    for i in idx.tolist():
        if own_cap[i] == 0:
            reasons.append(Reason("capacity 0", "capacity_0"))
            continue
        if other_n == 0:
            reasons.append(Reason(f"there are no {other_role}s", "no_partner"))
            continue
        mi, ei = (other, np.full(other_n, i)) if mentee_side else (np.full(other_n, i), other)
        flags = problem.allowed(mi, ei, outer=False)
        names = list(flags)
        row = np.ones(other_n, dtype=bool)
        for x in names:
            row &= flags[x]
        own_col = 1 if mentee_side else 0
        row[fixed[fixed[:, own_col] == i, 1 - own_col]] = False
        if row.any():
            cand = np.flatnonzero(row)
            open_ = cand[other_cap[cand] > 0]
            free = open_[taken[open_] < other_cap[open_]]
            if len(open_) == 0:
                reasons.append(
                    Reason(f"its {len(cand)} feasible {other_role}s have capacity 0",
                           "partners_closed")
                )
            elif len(free) == 0:
                reasons.append(
                    Reason(f"all {len(open_)} feasible {other_role}s are at capacity with others",
                           "partners_full")
                )
            else:
                reasons.append(
                    _with_room(side, i, free, other_role, goal_breaks, proven, policy)
                )
            continue
        # Deletion filter: a minimal set of rules that together leave nobody.
        core = list(names)
        for name in names:
            trial = [x for x in core if x != name]
            ok = np.ones(other_n, dtype=bool)
            for x in trial:
                ok &= flags[x]
            if not ok.any():
                core = trial
        # core is never empty here: with no rule failing, the row would not be empty
        # (a required pair's own row is empty, but its members are never unplaced)
        reasons.append(Reason(f"no {other_role} satisfies {' + '.join(core)}", "no_partner"))
    return reasons


def _with_room(
    side: str,
    i: int,
    free: np.ndarray,
    other_role: str,
    goal_breaks: GoalBreaks | None,
    proven: bool,
    policy: str,
) -> Reason:
    """The reason of a participant left out although partners with room exist."""
    n = len(free)
    if goal_breaks is not None:
        tried = free[:_GOAL_TRIES]
        broken = goal_breaks(side, i, tried)
        if all(broken):
            names = _in_order(g for b in broken for g in b)
            which = f"any of its {n}" if len(tried) == n else f"each of {len(tried)} (of {n})"
            return Reason(
                f"pairing with {which} feasible {other_role}s with room would break "
                f"{' + '.join(names)}",
                "goal",
            )
    if not proven:
        return Reason(
            f"{n} feasible {other_role}s have room, but the answer is not proven optimal "
            "(time or gap limit)",
            "not_proven",
        )
    what = "the total score" if policy == "max_score" or goal_breaks is None else "the objective"
    return Reason(f"{n} feasible {other_role}s have room, but pairing would lower {what}", "score")


def _in_order(names: Iterable[str]) -> Sequence[str]:
    return list(dict.fromkeys(names))
