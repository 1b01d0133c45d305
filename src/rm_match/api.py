"""The domain entry point :func:`match`: two tables of people in, an explained programme out."""

from __future__ import annotations

import math
import os
import time
from collections import Counter
from collections.abc import Hashable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np

from .errors import InfeasibleError, ValidationError
from .explain import unplaced_reasons
from .goals import EveryoneMatched, GoalContext, check_goals, compile_goals
from .people import People
from .problem import Problem
from .programme import Programme
from .results import MIN_GROUP, Assignment, Matching, PairExplanation, Report, relative_gap
from .screen import ProblemSource, keyed_parts
from .solvers import (
    BACKENDS,
    _check_workers,
    _result,
    assign,
    assign_source,
    check_gap_limit,
    constrained,
    decompose,
    prefer_sparse,
    solve_goal_problem,
)
from .solvers._problem import validate_options
from .solvers.sparse import SubSource
from .terms import combine, top_skills

__all__ = ["match"]

#: Threads for the sparse path's blockwise scans when no thread pool is given.
_SCAN_THREADS = min(4, os.cpu_count() or 1)


def match(
    mentors: People,
    mentees: People,
    programme: Programme | None = None,
    *,
    org_chart: Mapping[Hashable, Hashable | None] | None = None,
    policy: str = "max_matched",
    method: str = "auto",
    time_limit: float | None = None,
    rng: Any = None,
    executor: Executor | None = None,
    workers: int = 1,
    gap_limit: float | None = None,
) -> Matching:
    """Pair mentors with mentees: optimal under the programme's rules, and explained.

    Builds the score matrix and feasibility mask from the two tables and the programme
    (blockwise), places required pairs, solves the rest exactly with :func:`rm_match.assign`,
    and maps the answer back to participant ids with per-pair explanations and a reason for
    everyone left unmatched.

    Parameters
    ----------
    mentors, mentees : People
        The two sides (usually juniors mentoring seniors).
    programme : Programme, optional
        Rules, score weights, diversity attributes. Default: no rules, default weights.
    org_chart : mapping of id to id or None, optional
        Managers of people outside the programme, to follow reporting lines through them.
    policy, method, time_limit, rng
        As in :func:`rm_match.assign` (with goals, ``time_limit`` counts from the call:
        scores, rules and the goal model are built within it). With ``method="auto"``,
        cohorts from :data:`~rm_match.solvers.SPARSE_MIN_CELLS` pairs up (and capacities
        above one on at most one side) take the sparse path, which never builds the n × n
        matrix (``method="sparse"`` asks for it at any size).
    executor : concurrent.futures.Executor, optional
        When the hard rules split the cohort into independent parts (no allowed pair between
        them, e.g. under :class:`~rm_match.rules.SameGroup`), the parts are solved separately,
        as tasks on this executor: a process pool, a Dask ``Client.get_executor()``, Ray, ….
        On an undivided large cohort, a ``ThreadPoolExecutor`` also runs the sparse path's
        blockwise scans (numpy releases the GIL); without one they run on a pool of up to
        four threads of their own.
    workers : int, default 1
        CP-SAT workers when the programme has goals (one keeps runs deterministic).
    gap_limit : float, optional
        With goals: stop once the relative gap is proven at most this (e.g. ``1e-3``).

    Returns
    -------
    Matching

    Raises
    ------
    ValidationError
        If the tables or programme are malformed or do not fit together.
    InfeasibleError
        If required pairs conflict with other rules or capacities, or no assignment meets the
        programme's goals (the message names the conflicting goals and rules).

    Examples
    --------
    >>> from rm_match import Programme, match, rules, synthetic
    >>> mentors, mentees = synthetic.cohort(30, 20, rng=7)
    >>> prog = Programme(rules=[rules.CrossDepartment(), rules.SeniorityDirection(2)])
    >>> m = match(mentors, mentees, prog)
    >>> m.status, len(m) + len(m.unmatched_mentees) == 20
    ('optimal', True)
    """
    start = time.perf_counter()
    gap_limit = check_gap_limit(gap_limit)
    problem = Problem(mentors, mentees, programme, org_chart=org_chart)
    fixed, m_cap, e_cap = problem.placement()
    if problem.programme.goals:
        return _match_goals(problem, policy, method, time_limit, rng, workers, gap_limit, start)
    parts = keyed_parts(problem, m_cap > 0, e_cap > 0)
    if parts is not None and len(parts) > 1:
        gen = validate_options(policy, time_limit, rng)
        if method != "auto" and method not in BACKENDS:  # before any task runs elsewhere
            raise ValidationError(
                f"`method` must be 'auto' or one of {', '.join(map(repr, BACKENDS))}; "
                f"got {method!r}.",
                argument="method",
            )
        options = (policy, method, gen)  # exact backends: no time limit to pass on
        free = _solve_parts(problem, fixed, m_cap, e_cap, parts, options, executor)
        return _explain(problem, None, fixed, free, start)
    if method == "sparse" or (method == "auto" and prefer_sparse(m_cap, e_cap)):
        gen = validate_options(policy, time_limit, rng)
        source = ProblemSource(problem, fixed)
        if isinstance(executor, ThreadPoolExecutor):
            free, _ = assign_source(source, m_cap, e_cap, policy=policy, executor=executor, rng=gen)
        else:  # blockwise scans on threads of our own (the answer does not depend on them)
            with ThreadPoolExecutor(_SCAN_THREADS) as threads:
                free, _ = assign_source(
                    source, m_cap, e_cap, policy=policy, executor=threads, rng=gen
                )
        return _explain(problem, None, fixed, free, start)
    arrays = problem.compile()
    free = assign(
        arrays.scores,
        arrays.feasible,
        mentor_capacity=arrays.mentor_capacity,
        mentee_capacity=arrays.mentee_capacity,
        policy=policy,
        method=method,
        time_limit=time_limit,
        rng=rng,
        executor=executor,
    )
    return _explain(problem, arrays, fixed, free, start)


def _solve_part(problem, fixed, rows, cols, m_cap, e_cap, policy, method, seed):
    """One independent part of a large problem: (pairs, objective, slack, method, message).

    Module level, so a process pool can run it. The part is compiled densely unless the
    sparse path is asked for or ``auto`` prefers it at the part's size; then the sparse path
    runs over the part of the score source.
    """
    if method != "sparse" and not (method == "auto" and prefer_sparse(m_cap, e_cap)):
        scores = problem.scores(rows, cols)
        ok = np.ones(scores.shape, dtype=bool)
        for flags in problem.allowed(rows, cols).values():
            ok &= flags
        if len(fixed):
            pos_m = np.full(problem.cohort.shape[0], -1)
            pos_m[rows] = np.arange(len(rows))
            pos_e = np.full(problem.cohort.shape[1], -1)
            pos_e[cols] = np.arange(len(cols))
            r, c = pos_m[fixed[:, 0]], pos_e[fixed[:, 1]]
            inside = (r >= 0) & (c >= 0)
            ok[r[inside], c[inside]] = False
        a = assign(
            scores, ok, mentor_capacity=m_cap, mentee_capacity=e_cap, policy=policy, rng=seed
        )
    else:
        source = SubSource(ProblemSource(problem, fixed), rows, cols)
        a, _ = assign_source(source, m_cap, e_cap, policy=policy, rng=seed)
    pairs = np.column_stack((rows[a.pairs[:, 0]], cols[a.pairs[:, 1]]))
    return pairs, a.objective, a.bound - a.objective, a.method, a.message


def _solve_parts(problem, fixed, m_cap, e_cap, parts, options, executor):
    """Solve the parts (on ``executor`` if given) and join them into one Assignment."""
    start = time.perf_counter()
    if executor is not None:
        # fill the cohort's caches (org chart, codes) once here, so that every task receives
        # them with the problem instead of rebuilding them
        one = np.zeros(1, dtype=np.intp)
        problem.scores(one, one)
        problem.allowed(one, one)
    policy, method, gen = options
    seeds = gen.integers(2**63 - 1, size=len(parts))
    tasks = [
        (
            problem,
            fixed,
            rows,
            cols,
            m_cap[rows],
            e_cap[cols],
            policy,
            method,
            int(seed),
        )
        for (rows, cols), seed in zip(parts, seeds, strict=True)
    ]
    out = decompose.run(_solve_part, tasks, executor)
    pairs = np.concatenate([o[0] for o in out])
    name, message = decompose.summary(len(parts), (o[3] for o in out), (o[4] for o in out))
    return _result(
        pairs,
        math.fsum(o[1] for o in out),
        math.fsum(o[2] for o in out),
        name,
        policy,
        start,
        message,
    )


def _goal_context(problem: Problem, feasible: np.ndarray) -> GoalContext:
    fixed, m_cap, e_cap = problem.placement()
    ok = feasible & (m_cap > 0)[:, None] & (e_cap > 0)
    mi, ei = np.nonzero(ok)
    n_m, n_e = problem.cohort.shape
    return GoalContext(
        n_m,
        n_e,
        mi,
        ei,
        fixed,
        m_cap,
        e_cap,
        attribute=problem.goal_groups,
        ids=(problem.mentors.ids, problem.mentees.ids),
    )


def _match_goals(
    problem: Problem, policy, method, time_limit, rng, workers, gap_limit, start
) -> Matching:
    gen = validate_options(policy, time_limit, rng)
    arrays = problem.compile()
    goals = problem.programme.goals
    ctx = _goal_context(problem, arrays.feasible)
    model, fair = compile_goals(goals, ctx, arrays.scores[ctx.mi, ctx.ei], policy)
    # MinPairScore's lowest score counts the required pairs too
    floor = None
    if len(ctx.fixed):
        floor = float(arrays.scores[ctx.fixed[:, 0], ctx.fixed[:, 1]].min())
    limit = constrained.DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    try:
        out = solve_goal_problem(
            model,
            fair,
            method,
            time_limit,
            gen,
            _check_workers(workers),
            lambda g: goals[g].explain(ctx),
            gap_limit,
            start,
            floor,
        )
    except InfeasibleError as exc:
        raise _name_rules(problem, exc, fair, start + limit) from None
    pairs = np.column_stack((ctx.mi[out.x], ctx.ei[out.x])).astype(np.int64)
    free = _result(
        pairs, out.objective, out.bound - out.objective, method, policy, start, out.message
    )
    allp = np.concatenate((ctx.fixed, pairs)) if len(ctx.fixed) else pairs
    checks = tuple(
        check_goals(
            goals, ctx, allp[:, 0], allp[:, 1], scores=arrays.scores[allp[:, 0], allp[:, 1]]
        )
    )
    free = replace(free, goals=checks, stats=out.stats)
    return replace(_explain(problem, arrays, ctx.fixed, free, start), goals=checks)


_MAX_RULE_CELLS = 1 << 22  # naming the rules behind a goal conflict re-solves once per rule


def _name_rules(problem: Problem, exc: InfeasibleError, fair, deadline: float) -> InfeasibleError:
    """Add to a goal conflict the participants without partners and the hard rules that
    cause it: a rule is named when dropping it alone is proven to let the conflicting goals
    hold. The solves share what is left before ``deadline`` (``time.perf_counter()``); when
    one runs out of time, the message says that the rules taking part are not proven."""
    from .solvers import cpsat

    goals = [g for g in problem.programme.goals if g.name in exc.rules]
    message = str(exc)
    for g in goals:
        if isinstance(g, EveryoneMatched):
            side = g.side
            col = 1 if side == "mentee" else 0
            ctx = _goal_context(problem, problem.compile().feasible)
            _, need = g._who(ctx)
            have = np.zeros(len(need), dtype=bool)
            have[(ctx.ei if col else ctx.mi)] = True
            lonely = np.flatnonzero(need & ~have)
            if len(lonely):
                ids = (problem.mentees if col else problem.mentors).ids
                taken = np.zeros(problem.cohort.shape[1 - col], dtype=np.int64)
                why = problem.explain_unplaced(side, lonely[:1], taken)[0]
                message = f"{side} {ids[lonely[0]]!r} has no feasible partner: {why}."
                return InfeasibleError(message, rules=exc.rules, participants=(ids[lonely[0]],))
    names = []
    unproven = False
    n_m, n_e = problem.cohort.shape
    rules = problem.programme.rules
    if rules and n_m * n_e <= _MAX_RULE_CELLS:
        flags = problem.allowed(np.arange(n_m), np.arange(n_e))
        fixed = problem.placement()[0]
        arrays = problem.compile()
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
            ctx = _goal_context(problem, ok)
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
    return InfeasibleError(message, rules=(*exc.rules, *names))


def _explain(problem: Problem, arrays, fixed, free: Assignment, start: float) -> Matching:
    mentors, mentees = problem.mentors, problem.mentees
    pairs = np.concatenate((fixed, free.pairs)) if len(fixed) else free.pairs
    required = np.zeros(len(pairs), dtype=bool)
    required[: len(fixed)] = True
    mi, ei = pairs[:, 0], pairs[:, 1]
    terms = problem.terms(mi, ei, outer=False)
    scores = combine(terms, problem.weights)
    if "learning" in problem.weights:
        teach, back = top_skills(problem.cohort, problem.spec, mi, ei)
    else:  # the learning value is not scored: no skill drives the pair
        teach = back = [()] * len(pairs)
    explained = tuple(
        PairExplanation(
            mentor=mentors.ids[m],
            mentee=mentees.ids[e],
            score=float(scores[k]),
            terms={name: float(v[k]) for name, v in terms.items()},
            mentor_teaches=teach[k],
            mentee_teaches=back[k],
            required=bool(required[k]),
        )
        for k, (m, e) in enumerate(pairs.tolist())
    )
    fixed_total = float(scores[: len(fixed)].sum())
    objective = free.objective + fixed_total
    bound = free.bound + fixed_total
    gap = relative_gap(objective, bound)
    taken_m = np.bincount(mi, minlength=mentors.n)
    taken_e = np.bincount(ei, minlength=mentees.n)
    lonely_m = np.flatnonzero(taken_m == 0)
    lonely_e = np.flatnonzero(taken_e == 0)
    goal_breaks = _goal_breaks(problem, pairs) if problem.programme.goals else None
    kw = {"goal_breaks": goal_breaks, "proven": free.status == "optimal", "policy": free.policy}
    why_m = unplaced_reasons(problem, "mentor", lonely_m, taken_e, **kw)
    why_e = unplaced_reasons(problem, "mentee", lonely_e, taken_m, **kw)
    report = _report(
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
    )


def _goal_breaks(problem: Problem, pairs: np.ndarray):
    """For the unmatched: which goals adding a pair to ``pairs`` would break (each goal
    checked afresh on the pairs with the one added, as :func:`rm_match.verify` does)."""
    goals = problem.programme.goals
    n_m, n_e = problem.cohort.shape
    empty = np.empty(0, dtype=np.int64)
    ctx = GoalContext(
        n_m, n_e, empty, empty, np.empty((0, 2), dtype=np.int64),
        problem.mentors.capacity, problem.mentees.capacity, attribute=problem.goal_groups,
    )
    mi = np.append(pairs[:, 0], 0)
    ei = np.append(pairs[:, 1], 0)

    def breaks(side: str, i: int, partners: np.ndarray) -> list[list[str]]:
        out = []
        for j in partners.tolist():
            mi[-1], ei[-1] = (j, i) if side == "mentee" else (i, j)
            out.append([c.goal for c in check_goals(goals, ctx, mi, ei) if not c.met])
        return out

    return breaks


def _report(
    problem: Problem, arrays, fixed, pairs: np.ndarray, scores, terms, unmatched
) -> Report:
    """Aggregate figures only: counts, means and shares, each suppressed (``None``) when it
    covers fewer than :data:`~rm_match.results.MIN_GROUP` pairs.

    On the sparse path (``arrays`` is None) the shares of allowed pairs are not counted."""
    n_m, n_e = problem.cohort.shape
    total = n_m * n_e
    enough = len(pairs) >= MIN_GROUP
    diversity: dict[str, float | None] = {}
    for name in problem.programme.diversity_attributes:
        c_m, c_e = problem.cohort.attribute_codes(name)
        a, b = c_m[pairs[:, 0]], c_e[pairs[:, 1]]
        known = (a >= 0) & (b >= 0)
        diversity[name] = (
            float((a[known] != b[known]).mean()) if known.sum() >= MIN_GROUP else None
        )
    return Report(
        mentors=n_m,
        mentees=n_e,
        pairs=len(pairs),
        required_pairs=len(fixed),
        mentors_matched=len(np.unique(pairs[:, 0])),
        mentees_matched=len(np.unique(pairs[:, 1])),
        terms=tuple(terms),
        mean_score=float(scores.mean()) if enough else None,
        mean_terms={k: float(v.mean()) if enough else None for k, v in terms.items()},
        feasible_share=float(arrays.feasible.sum() + len(fixed)) / total
        if total and arrays is not None
        else None,
        rule_pass_share={k: v / total for k, v in arrays.rule_allowed.items()}
        if total and arrays is not None
        else {},
        cross_share=diversity,
        unmatched={
            role: dict(Counter(r.kind for r in reasons))
            for role, reasons in unmatched.items()
        },
    )
