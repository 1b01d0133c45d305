"""The domain entry point :func:`match`: two tables of people in, an explained programme out."""

from __future__ import annotations

import time
from collections.abc import Hashable, Mapping
from concurrent.futures import Executor
from typing import Any

import numpy as np

from .matching import Assignment, Matching, PairExplanation, relative_gap
from .people import People
from .programme import Problem, Programme
from .scoring import combine, top_skills
from .screen import ProblemSource
from .solvers import assign, assign_source, prefer_sparse
from .solvers._problem import validate_options

__all__ = ["match"]

_MIN_GROUP = 5  # aggregate shares over fewer pairs are suppressed


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
        As in :func:`rm_match.assign`. With ``method="auto"``, cohorts from
        :data:`~rm_match.solvers.SPARSE_MIN_CELLS` pairs up (and capacities above one on at
        most one side) take the sparse path, which never builds the n × n matrix
        (``method="sparse"`` asks for it at any size).
    executor : concurrent.futures.Executor, optional
        Runs the sparse path's blockwise scans (a thread pool helps: numpy releases the GIL).

    Returns
    -------
    Matching

    Raises
    ------
    ValidationError
        If the tables or programme are malformed or do not fit together.
    InfeasibleError
        If required pairs conflict with other rules or capacities.

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
    problem = Problem(mentors, mentees, programme, org_chart=org_chart)
    fixed, m_cap, e_cap = problem.placement()
    if method == "sparse" or (method == "auto" and prefer_sparse(m_cap, e_cap)):
        gen = validate_options(policy, time_limit, rng)
        free, _ = assign_source(
            ProblemSource(problem, fixed),
            m_cap,
            e_cap,
            policy=policy,
            executor=executor,
            rng=gen,
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
    )
    return _explain(problem, arrays, fixed, free, start)


def _explain(problem: Problem, arrays, fixed, free: Assignment, start: float) -> Matching:
    mentors, mentees = problem.mentors, problem.mentees
    pairs = np.concatenate((fixed, free.pairs)) if len(fixed) else free.pairs
    required = np.zeros(len(pairs), dtype=bool)
    required[: len(fixed)] = True
    mi, ei = pairs[:, 0], pairs[:, 1]
    terms = problem.terms(mi, ei, outer=False)
    scores = combine(terms, problem.weights)
    teach, back = top_skills(problem.cohort, problem.programme, mi, ei)
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
    why_m = problem.explain_unplaced("mentor", lonely_m, taken_e)
    why_e = problem.explain_unplaced("mentee", lonely_e, taken_m)
    stats = _stats(problem, arrays, fixed, pairs, scores, terms)
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
        stats=stats,
    )


def _stats(problem: Problem, arrays, fixed, pairs: np.ndarray, scores, terms) -> dict[str, Any]:
    """Aggregate figures only: counts, means and shares (suppressed under 5 pairs).

    On the sparse path (``arrays`` is None) the shares of allowed pairs are not counted."""
    n_m, n_e = problem.cohort.shape
    total = n_m * n_e
    out: dict[str, Any] = {
        "mentors": n_m,
        "mentees": n_e,
        "pairs": len(pairs),
        "required_pairs": len(fixed),
        "mentees_matched": len(np.unique(pairs[:, 1])),
        "mentors_matched": len(np.unique(pairs[:, 0])),
        "mean_score": float(scores.mean()) if len(pairs) else None,
        "terms": list(terms),
        "mean_terms": {k: float(v.mean()) for k, v in terms.items()} if len(pairs) else {},
        "feasible_share": float(arrays.feasible.sum() + len(fixed)) / total
        if total and arrays is not None
        else None,
        "rule_pass_share": {k: v / total for k, v in arrays.rule_allowed.items()}
        if total and arrays is not None
        else {},
    }
    diversity = {}
    attrs = [*problem.programme.diversity_attributes]
    for name in attrs:
        if len(pairs) < _MIN_GROUP:
            diversity[name] = None
            continue
        c_m, c_e = problem.cohort.attribute_codes(name)
        a, b = c_m[pairs[:, 0]], c_e[pairs[:, 1]]
        known = (a >= 0) & (b >= 0)
        diversity[name] = (
            float((a[known] != b[known]).mean()) if known.sum() >= _MIN_GROUP else None
        )
    out["cross_share"] = diversity
    return out
