"""The independent checker catches every kind of violation."""

from __future__ import annotations

import numpy as np
import pytest

import rm_match as rm
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


# -- rounds -----------------------------------------------------------------------------------


def _two_by_two(**prog):
    from rm_match import Programme

    m = rm.People(["j1", "j2"], department=["IT", "HR"])
    e = rm.People(["s1", "s2"], department=["IT", "Sales"])
    return rm.Problem(m, e, Programme(**prog))


def test_rounds_each_checked_and_no_pair_met_twice():
    prob = _two_by_two()
    good = [[("j1", "s1"), ("j2", "s2")], [("j1", "s2"), ("j2", "s1")]]
    assert rm.verify_rounds(good, prob) == []
    bad = [[("j1", "s1"), ("j2", "s2")], [("j1", "s1"), ("j1", "s2")]]
    got = [(v.rule, v.round, v.mentor, v.mentee) for v in rm.verify_rounds(bad, prob)]
    assert ("capacity", 1, "j1", None) in got  # j1 twice in round 1
    assert ("repeat", 1, "j1", "s1") in got
    texts = [v.message for v in rm.verify_rounds(bad, prob)]
    assert "round 1: pair ('j1', 's1') met before, in round 0" in texts


def test_rounds_rules_and_history():
    from rm_match import rules

    prob = _two_by_two(rules=[rules.CrossDepartment()])
    got = rm.verify_rounds([[("j1", "s1")]], prob)
    assert [(v.rule, v.round) for v in got] == [("cross_department", 0)]
    # history may mention people who have left
    history = [("j2", "s1"), ("gone", "s2")]
    got = rm.verify_rounds([[("j2", "s1")]], prob, history=history)
    assert [(v.rule, v.message) for v in got] == [
        ("repeat", "round 0: pair ('j2', 's1') met before, in history")
    ]


def test_rounds_of_an_object_with_rounds():
    class Rotation:
        rounds = ([("j1", "s1")], [("j1", "s2")])

    assert rm.verify_rounds(Rotation(), _two_by_two()) == []


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rounds": 3}, r"`rounds` must be an iterable of rounds"),
        ({"rounds": [], "history": 3}, r"`history` must be an iterable of \(mentor id"),
        ({"rounds": [], "history": [("a",)]}, r"`history` entry 0 must be a \(mentor id"),
        ({"rounds": [], "problem": "p"}, r"`problem` must be a Problem"),
    ],
)
def test_rounds_bad_input(kwargs, match):
    args = {"problem": _two_by_two(), **kwargs}
    with pytest.raises(rm.ValidationError, match=match):
        rm.verify_rounds(args.pop("rounds"), args.pop("problem"), **args)
