"""The independent checker catches every kind of violation."""

from __future__ import annotations

import numpy as np
import pytest

from rm_match import People, Problem, ProblemArrays, Programme, ValidationError, rules, verify


def arrays(feasible, m_cap=1, e_cap=1):
    feasible = np.asarray(feasible, dtype=bool)
    return ProblemArrays(
        scores=np.zeros(feasible.shape),
        feasible=feasible,
        mentor_capacity=np.broadcast_to(m_cap, feasible.shape[:1]),
        mentee_capacity=np.broadcast_to(e_cap, feasible.shape[1:]),
        fixed=np.empty((0, 2), dtype=np.int64),
        rule_allowed={},
    )


def kinds(violations):
    return sorted(v.rule for v in violations)


def test_array_checks():
    prob = arrays([[True, False], [True, True]])
    assert verify(np.array([[0, 0], [1, 1]]), prob) == []
    assert verify(np.empty((0, 2), dtype=int), prob) == []
    assert kinds(verify(np.array([[0, 1]]), prob)) == ["feasible"]
    assert kinds(verify(np.array([[0, 0], [0, 0]]), prob)) == ["capacity", "capacity", "duplicate"]
    assert kinds(verify(np.array([[1, 0], [1, 1]]), prob)) == ["capacity"]
    assert kinds(verify(np.array([[2, 0], [0, -1]]), prob)) == ["index", "index"]
    with pytest.raises(ValidationError, match="`pairs` must be a \\(k, 2\\) integer array"):
        verify(np.array([[0.5, 1.0]]), prob)


def test_capacity_violation_message_names_participant():
    v = verify(np.array([[0, 0], [0, 1]]), arrays([[True, True]], m_cap=1, e_cap=1))
    assert [x.message for x in v] == ["mentor 0 has 2 partners but capacity 1"]


@pytest.fixture
def problem():
    mentors = People(["j1", "j2"], department=["IT", "HR"], capacity=[1, 2])
    mentees = People(["s1", "s2", "s3"], department=["IT", "HR", "Ops"])
    prog = Programme(
        rules=[
            rules.CrossDepartment(),
            rules.ForbiddenPairs([("j2", "s3")]),
            rules.RequiredPairs([("j2", "s1")]),
        ]
    )
    return Problem(mentors, mentees, prog)


def test_domain_checks(problem):
    assert verify([("j2", "s1"), ("j1", "s2")], problem) == []
    v = verify([("j1", "s1"), ("j2", "s3"), ("x", "s2")], problem)
    assert kinds(v) == ["cross_department", "forbidden_pairs", "required_pairs", "unknown_id"]
    assert any("required pair ('j2', 's1') is missing" in x.message for x in v)
    v = verify([("j2", "s1"), ("j1", "s2"), ("j1", "s3")], problem)
    assert kinds(v) == ["capacity"]
    assert v[0].mentor == "j1"
    v = verify([("j2", "s1"), ("j2", "s1")], problem)
    assert "duplicate" in kinds(v)


def test_domain_check_rejects_the_wrong_problem_type():
    with pytest.raises(ValidationError, match="`problem` must be a Problem or ProblemArrays"):
        verify([], object())
