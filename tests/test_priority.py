"""A waitlist: ``match(priority=...)`` honours priorities after the policy's own goal and
before the score — checked against an independent staged MILP (most pairs, then most
priority, then best score)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

import rm_match as rm
from rm_match import Problem, Programme, ValidationError, rules, synthetic, verify
from rm_match.cli import demo_programme

LIGHT = Programme(rules=[rules.CrossDepartment(), rules.SeniorityDirection(min_gap=1)])


def _stages(problem: Problem, p_m, p_e, policy):
    """Lexicographic MILP over the allowed pairs: (pairs,) priority, score."""
    arrays = problem.compile()
    _, m_cap, e_cap = problem.placement()
    ok = arrays.feasible & (m_cap > 0)[:, None] & (e_cap > 0)[None, :]
    mi, ei = np.nonzero(ok)
    n = len(mi)
    if n == 0:
        return 0, 0.0, 0.0
    n_m, n_e = arrays.shape
    a = np.zeros((n_m + n_e, n))
    a[mi, np.arange(n)] = 1
    a[n_m + ei, np.arange(n)] = 1
    cons = [LinearConstraint(a, -np.inf, np.concatenate((m_cap, e_cap)))]
    vectors = {
        "pairs": np.ones(n),
        "priority": p_m[mi] + p_e[ei],
        "score": arrays.scores[mi, ei],
    }
    order = ("pairs", "priority", "score") if policy == "max_matched" else ("priority", "score")
    out = {"pairs": None}
    for name in order:
        c = vectors[name]
        res = milp(-c, integrality=np.ones(n), bounds=Bounds(0, 1), constraints=cons)
        assert res.status == 0, res.message
        x = np.round(res.x)
        out[name] = float(c @ x)
        if name != "score":
            cons.append(LinearConstraint(c[None, :], round(out[name]), round(out[name])))
        else:
            out["pairs"] = out["pairs"] if out["pairs"] is not None else float(x.sum())
    return out["pairs"], out["priority"], out["score"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_m=st.integers(2, 7),
    n_e=st.integers(2, 7),
    seed=st.integers(0, 2**16),
    cap=st.sampled_from([1, 2]),
    policy=st.sampled_from(["max_matched", "max_score"]),
    which=st.integers(0, 2),
)
def test_priority_is_lexicographic(n_m, n_e, seed, cap, policy, which):
    mentors, mentees = synthetic.cohort(n_m, n_e, rng=seed, mentor_capacity=cap)
    prog = (Programme(), LIGHT, demo_programme())[which]
    gen = np.random.default_rng(seed)
    prio = {pid: int(gen.integers(0, 3)) for pid in [*mentors.ids, *mentees.ids]}
    prio[mentors.ids[0]] = 1  # at least one positive
    result = rm.match(mentors, mentees, prog, policy=policy, priority=prio)
    problem = Problem(mentors, mentees, prog)
    assert verify(result, problem) == []
    assert result.status == "optimal"
    p_m = np.array([prio[x] for x in mentors.ids], dtype=float)
    p_e = np.array([prio[x] for x in mentees.ids], dtype=float)
    pairs, priority, score = _stages(problem, p_m, p_e, policy)
    got_priority = sum(prio[m] + prio[e] for m, e in result.id_pairs)
    if policy == "max_matched":
        assert len(result.pairs) == pairs
    assert got_priority == priority
    assert result.objective == pytest.approx(score, abs=1e-7)
    assert result.bound >= result.objective - 1e-9


def test_no_priority_is_a_plain_match():
    mentors, mentees = synthetic.cohort(20, 15, rng=1)
    plain = rm.match(mentors, mentees, LIGHT)
    zero = rm.match(mentors, mentees, LIGHT, priority={mentors.ids[0]: 0})
    assert zero.id_pairs == plain.id_pairs


def test_people_left_out_last_round_come_first():
    mentors, mentees = synthetic.cohort(12, 8, rng=5)
    first = rm.match(mentors, mentees, LIGHT)
    waiting = set(first.unmatched_mentors)
    assert waiting
    second = rm.match(mentors, mentees, LIGHT, priority=dict.fromkeys(waiting, 1))
    got = {m for m, _ in second.id_pairs}
    assert len(second.pairs) == len(first.pairs)
    assert len(got & waiting) == min(len(waiting), len(second.pairs))
    assert "priority as a bonus" in second.assignment.message


@pytest.mark.parametrize(
    ("priority", "kwargs", "match"),
    [
        ([1], {}, r"`priority` must be a mapping of participant id to priority"),
        ({"J0001": -1}, {}, r"participant 'J0001': `priority` must be an integer in \[0"),
        ({"J0001": 1.5}, {}, r"participant 'J0001': `priority` must be an integer"),
        ({"J0001": True}, {}, r"participant 'J0001': `priority` must be an integer"),
        ({"nobody": 1}, {}, r"`priority` names 'nobody', who is neither a mentor nor a mentee"),
        ({"J0001": 1}, {"method": "lsa"}, r"method 'lsa' cannot take it"),
    ],
)
def test_bad_priorities(priority, kwargs, match):
    mentors, mentees = synthetic.cohort(4, 4, rng=0)
    with pytest.raises(ValidationError, match=match):
        rm.match(mentors, mentees, priority=priority, **kwargs)
