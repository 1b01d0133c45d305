"""Explanations: why each pair was made, why a participant was left without a partner, the
aggregate report, and which hard rules take part in a goal conflict.

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

import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .errors import InfeasibleError
from .goals import EveryoneMatched, check_goals, compile_goals, goal_conflicts
from .results import MIN_GROUP, Assignment, Matching, PairExplanation, Report, relative_gap
from .terms import combine, top_skills

if TYPE_CHECKING:  # pragma: no cover
    from .problem import Problem, ProblemArrays

__all__ = [
    "REASON_KINDS",
    "Reason",
    "explain_matching",
    "make_report",
    "name_rules",
    "unplaced_reasons",
]

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

    def __reduce__(self) -> tuple[type[Reason], tuple[str, str]]:
        # pickles (process pools) keep the kind
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
                    Reason(
                        f"its {len(cand)} feasible {other_role}s have capacity 0", "partners_closed"
                    )
                )
            elif len(free) == 0:
                reasons.append(
                    Reason(
                        f"all {len(open_)} feasible {other_role}s are at capacity with others",
                        "partners_full",
                    )
                )
            else:
                reasons.append(_with_room(side, i, free, other_role, goal_breaks, proven, policy))
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


# -- the matching and its report ---------------------------------------------------------------


def explain_pairs(
    problem: Problem, pairs: np.ndarray, required: np.ndarray
) -> tuple[tuple[PairExplanation, ...], np.ndarray, dict[str, np.ndarray]]:
    """Each pair ``(mentor index, mentee index)`` explained — its score, each term, the
    skills that drive it each way, whether it was ``required`` — with the pairs' scores and
    term values (computed pair-wise, once)."""
    mentors, mentees = problem.mentors, problem.mentees
    mi, ei = pairs[:, 0], pairs[:, 1]
    terms = problem.terms(mi, ei, outer=False)
    scores = combine(terms, problem.weights)
    if "learning" in problem.weights:
        teach, back = top_skills(problem.cohort, problem.spec, mi, ei)
    else:  # the learning value is not scored: no skill drives the pair
        teach = back = [()] * len(pairs)
    # Python values column by column, then one explanation per pair
    names = list(terms)
    columns = (np.asarray(terms[name], dtype=float).tolist() for name in names)
    term_rows = (
        [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        if names
        else [{} for _ in range(len(pairs))]
    )
    explained = tuple(
        PairExplanation(
            mentor=m,
            mentee=e,
            score=score,
            terms=row,
            mentor_teaches=taught,
            mentee_teaches=taught_back,
            required=req,
        )
        for m, e, score, row, taught, taught_back, req in zip(
            mentors.ids[mi].tolist(),
            mentees.ids[ei].tolist(),
            scores.tolist(),
            term_rows,
            teach,
            back,
            required.tolist(),
            strict=True,
        )
    )
    return explained, scores, terms


def explain_matching(
    problem: Problem,
    arrays: ProblemArrays | None,
    free: Assignment,
    start: float,
) -> Matching:
    """The :class:`~rm_match.Matching` of ``free`` (the solved, non-required pairs) and the
    required pairs: per-pair explanations, every unmatched participant's reason, the
    report; ``arrays`` is the compiled problem when there is one (the dense path)."""
    mentors, mentees = problem.mentors, problem.mentees
    fixed = problem.placement()[0]
    pairs = np.concatenate((fixed, free.pairs)) if len(fixed) else free.pairs
    required = np.zeros(len(pairs), dtype=bool)
    required[: len(fixed)] = True
    mi, ei = pairs[:, 0], pairs[:, 1]
    explained, scores, terms = explain_pairs(problem, pairs, required)
    fixed_total = float(scores[: len(fixed)].sum())
    objective = free.objective + fixed_total
    bound = free.bound + fixed_total
    gap = relative_gap(objective, bound)
    taken_m = np.bincount(mi, minlength=mentors.n)
    taken_e = np.bincount(ei, minlength=mentees.n)
    lonely_m = np.flatnonzero(taken_m == 0)
    lonely_e = np.flatnonzero(taken_e == 0)
    goal_breaks = _goal_breaks(problem, pairs) if problem.programme.goals else None
    proven = free.status == "optimal"
    why_m = unplaced_reasons(
        problem,
        "mentor",
        lonely_m,
        taken_e,
        goal_breaks=goal_breaks,
        proven=proven,
        policy=free.policy,
    )
    why_e = unplaced_reasons(
        problem,
        "mentee",
        lonely_e,
        taken_m,
        goal_breaks=goal_breaks,
        proven=proven,
        policy=free.policy,
    )
    report = make_report(
        problem, arrays, fixed, pairs, scores, terms, {"mentors": why_m, "mentees": why_e}
    )
    return Matching(
        pairs=explained,
        unmatched_mentors=dict(zip(mentors.ids[lonely_m].tolist(), why_m, strict=True)),
        unmatched_mentees=dict(zip(mentees.ids[lonely_e].tolist(), why_e, strict=True)),
        objective=objective,
        bound=bound,
        gap=gap,
        status=free.status,
        method=free.method,
        policy=free.policy,
        wall_time=time.perf_counter() - start,
        assignment=free,
        report=report,
        goals=free.goals,
    )


def _goal_breaks(problem: Problem, pairs: np.ndarray) -> GoalBreaks:
    """For the unmatched: which goals adding a pair to ``pairs`` would break (each goal
    checked afresh on the pairs with the one added, as :func:`rm_match.verify` does)."""
    goals = problem.programme.goals
    ctx = problem.check_context()
    mi = np.append(pairs[:, 0], 0)
    ei = np.append(pairs[:, 1], 0)

    def breaks(side: str, i: int, partners: np.ndarray) -> list[list[str]]:
        out = []
        for j in partners.tolist():
            mi[-1], ei[-1] = (j, i) if side == "mentee" else (i, j)
            out.append([c.goal for c in check_goals(goals, ctx, mi, ei) if not c.met])
        return out

    return breaks


def make_report(
    problem: Problem,
    arrays: ProblemArrays | None,
    fixed: np.ndarray,
    pairs: np.ndarray,
    scores: np.ndarray,
    terms: Mapping[str, np.ndarray],
    unmatched: Mapping[str, Sequence[Reason]],
) -> Report:
    """Aggregate figures only: counts, means and shares, each suppressed (``None``) when it
    covers fewer than :data:`~rm_match.results.MIN_GROUP` pairs (see
    :class:`~rm_match.results.Report` for what each figure covers and why the counts are
    never suppressed).

    On the sparse path (``arrays`` is None) the shares of allowed pairs are not counted."""
    n_m, n_e = problem.cohort.shape
    total = n_m * n_e
    enough = len(pairs) >= MIN_GROUP
    # shares of all mentor x mentee pairs depend on every participant of both sides: on a
    # side of 1 to 4 they speak of those few (a 1 x 1 cohort's share is one pair's verdict)
    whole = min(n_m, n_e) >= MIN_GROUP
    diversity: dict[str, float | None] = {}
    few_known = False  # a diversity attribute known on 1 to 4 pairs
    for name in problem.programme.diversity_attributes:
        c_m, c_e = problem.cohort.attribute_codes(name)
        a, b = c_m[pairs[:, 0]], c_e[pairs[:, 1]]
        known = (a >= 0) & (b >= 0)
        n_known = int(known.sum())
        few_known |= 0 < n_known < MIN_GROUP
        diversity[name] = float((a[known] != b[known]).mean()) if n_known >= MIN_GROUP else None
    mean_terms: dict[str, float | None] = {
        k: float(v.mean()) if enough else None for k, v in terms.items()
    }
    hidden = few_known and mean_terms.get("diversity") is not None
    if hidden:
        # the diversity mean would give away the few pairs cross_share withholds; the mean
        # score with the other means and the weights would give the diversity mean back
        mean_terms["diversity"] = None
    rule_pass: dict[str, float | None] = {}
    if total and arrays is not None:
        rule_pass = {k: v / total if whole else None for k, v in arrays.rule_allowed.items()}
    return Report(
        mentors=n_m,
        mentees=n_e,
        pairs=len(pairs),
        required_pairs=len(fixed),
        mentors_matched=len(np.unique(pairs[:, 0])),
        mentees_matched=len(np.unique(pairs[:, 1])),
        terms=tuple(terms),
        mean_score=float(scores.mean()) if enough and not hidden else None,
        mean_terms=mean_terms,
        feasible_share=float(arrays.feasible.sum() + len(fixed)) / total
        if total and arrays is not None and whole
        else None,
        rule_pass_share=rule_pass,
        cross_share=diversity,
        unmatched={
            role: dict(Counter(r.kind for r in reasons)) for role, reasons in unmatched.items()
        },
    )


# -- goal conflicts ------------------------------------------------------------------------------


_MAX_RULE_CELLS = 1 << 22  # naming the rules behind a goal conflict re-solves once per rule


def name_rules(problem: Problem, exc: InfeasibleError, deadline: float) -> InfeasibleError:
    """Add to a goal conflict the participants without partners, the groups it is about
    (:attr:`~rm_match.InfeasibleError.groups`, labels included: the text names them by
    handle only) and the hard rules that cause it: a rule is named when dropping it alone is
    proven to let the conflicting goals hold. The solves share what is left before
    ``deadline`` (``time.perf_counter()``); when one runs out of time, the message says that
    the rules taking part are not proven."""
    from .solvers.constrained import cpsat

    goals = [g for g in problem.programme.goals if g.name in exc.rules]
    message = str(exc)
    ctx = problem.goal_context()
    groups = exc.groups or goal_conflicts(goals, ctx, exc.rules)
    for g in goals:
        if isinstance(g, EveryoneMatched):
            side = g.side
            col = 1 if side == "mentee" else 0
            _, need = g._who(ctx)
            have = np.zeros(len(need), dtype=bool)
            have[(ctx.ei if col else ctx.mi)] = True
            lonely = np.flatnonzero(need & ~have)
            if len(lonely):
                ids = (problem.mentees if col else problem.mentors).ids
                taken = np.zeros(problem.cohort.shape[1 - col], dtype=np.int64)
                why = problem.explain_unplaced(side, lonely[:1], taken)[0]
                message = f"{side} {ids[lonely[0]]!r} has no feasible partner: {why}."
                return InfeasibleError(
                    message, rules=exc.rules, participants=(ids[lonely[0]],), groups=groups
                )
    names = []
    unproven = False
    n_m, n_e = problem.cohort.shape
    rules = problem.programme.rules
    if rules and n_m * n_e <= _MAX_RULE_CELLS:
        flags = problem.allowed(np.arange(n_m), np.arange(n_e))
        fixed = problem.placement()[0]
        arrays = problem.compile(keep_terms=False)
        for k, r in enumerate(rules):
            left = deadline - time.perf_counter()
            if left <= 0:
                unproven = True
                break
            ok = np.ones((n_m, n_e), dtype=bool)
            for name, f in flags.items():
                if name != r.name:
                    ok &= f
            ok[fixed[:, 0], fixed[:, 1]] = False
            ctx = problem.goal_context(ok)
            model, _ = compile_goals(goals, ctx, arrays.scores[ctx.mi, ctx.ei], "max_score")
            # an equal share of the time left for each rule still to check
            core = cpsat.goal_core(model, time_limit=left / (len(rules) - k), seed=0, shrink=False)
            if core.status == "feasible":
                names.append(r.name)
            elif core.status == "unknown":
                unproven = True
    if names:
        message = message.rstrip(".") + f" under {' + '.join(names)}."
    if unproven:
        message = message.rstrip(".") + " (not proven which rules take part: time limit)."
    return InfeasibleError(
        message, rules=(*exc.rules, *names), participants=exc.participants, groups=groups
    )
