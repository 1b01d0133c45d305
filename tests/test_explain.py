"""Explanations: why a pair was chosen, why someone was left out (by kind), and ids as given."""

from __future__ import annotations

import json

import numpy as np

import rm_match as rm
from rm_match import People, Problem, Programme, match, rules, verify
from rm_match import goals as G
from rm_match.cli import _reasons_by_kind
from rm_match.explain import REASON_KINDS, Reason


def test_left_out_by_a_goal_says_which_goal():
    # every pair must be cross-gender: S1 shares the gender of both mentors, so the goal
    # (not the score) keeps it out, although both mentors have room
    m = People(
        ["J0", "J1"],
        skills=["a"],
        offers=[[1.0], [1.0]],
        wants=[[0.0], [0.0]],
        attributes={"gender": ["f", "f"]},
        capacity=[2, 2],
    )
    e = People(
        ["S0", "S1"],
        skills=["a"],
        offers=[[0.0], [0.0]],
        wants=[[1.0], [1.0]],
        attributes={"gender": ["m", "f"]},
    )
    prog = Programme(goals=[G.Share(cross="gender", at_least=1.0)])
    result = match(m, e, prog, time_limit=10, rng=0)
    assert verify(result, Problem(m, e, prog)) == []
    assert set(result.unmatched_mentees) == {"S1"}
    why = result.unmatched_mentees["S1"]
    assert why.kind == "goal"
    assert (
        why == "pairing with any of its 2 feasible mentors with room would break share_cross_gender"
    )
    assert "lower the total score" not in why


def test_max_score_left_out_by_score():
    m = People(["J0"], skills=["a"], offers=[[0.0]], wants=[[0.0]])
    e = People(["S0"], skills=["a"], offers=[[0.0]], wants=[[0.0]])
    result = match(m, e, Programme(weights={"learning": 1.0}), policy="max_score")
    assert len(result) == 0
    assert result.unmatched_mentees["S0"].kind == "score"


def test_reasons_have_kinds_and_cli_groups_by_kind():
    mentors, mentees = rm.synthetic.cohort(30, 60, rng=2)
    prog = Programme(rules=[rules.CrossDepartment(), rules.SeniorityDirection(2)])
    result = match(mentors, mentees, prog)
    kinds = {r.kind for r in result.unmatched_mentees.values()}
    assert kinds and kinds <= set(REASON_KINDS)
    text = _reasons_by_kind(result.unmatched_mentees.values())
    # grouped by kind: one entry per kind, never one per count ("4 × all 63 …; 2 × all 65 …")
    assert text.count("×") == len(kinds)
    assert "at capacity with others" in text
    reasons = [
        Reason("all 63 feasible mentors are at capacity with others", "partners_full"),
        Reason("all 65 feasible mentors are at capacity with others", "partners_full"),
        Reason("no mentor satisfies cross_department", "no_partner"),
    ]
    assert _reasons_by_kind(reasons) == (
        "2 × feasible partners all at capacity with others; "
        "1 × no partner passes the rules (cross_department)"
    )


def test_no_teaching_back_without_reverse_weight():
    mentors, mentees = rm.synthetic.cohort(12, 12, rng=4)
    both = match(mentors, mentees, Programme(reverse_weight=0.5))
    assert any(p.mentee_teaches for p in both.pairs)
    one_way = match(mentors, mentees, Programme(reverse_weight=0.0))
    assert all(p.mentee_teaches == () for p in one_way.pairs)
    assert all("teaches back" not in p.reason for p in one_way.pairs)
    assert any(p.mentor_teaches for p in one_way.pairs)
    # without the learning term no skill drives a pair
    none = match(mentors, mentees, Programme(weights={"timezone": 1.0}))
    assert all(p.mentor_teaches == () == p.mentee_teaches for p in none.pairs)


def test_integer_ids_come_back_as_python_ints_and_serialise():
    ids_m, ids_e = np.arange(3), np.arange(10, 13, dtype=np.int32)
    m = People(ids_m, skills=["a"], offers=np.eye(3)[:, :1], wants=np.zeros((3, 1)))
    e = People(ids_e, skills=["a"], offers=np.zeros((3, 1)), wants=np.ones((3, 1)))
    assert all(type(x) is int for x in m.ids) and all(type(x) is int for x in e.ids)
    result = match(m, e)
    records = result.to_records()
    json.dumps(records)
    assert all(type(r["mentor"]) is int and type(r["mentee"]) is int for r in records)
    assert m.index(np.int64(1)) == 1
    s = People(np.array(["a", "b"]), skills=["x"])
    assert all(type(x) is str for x in s.ids)


def test_pair_explanations_carry_plain_values_equal_to_the_problems():
    """Every field a plain Python value (ids as given, floats, tuples of str, bool), the
    score and terms those of the problem pair by pair; no pair, no explanation."""
    from rm_match.explain import explain_pairs

    mentors, mentees = rm.synthetic.cohort(20, 25, rng=6)
    problem = Problem(mentors, mentees, Programme(weights={"learning": 1.0, "timezone": 0.5}))
    pairs = np.array([[0, 3], [7, 7], [19, 0]])
    required = np.array([False, True, False])
    explained, scores, terms = explain_pairs(problem, pairs, required)
    want = problem.scores(pairs[:, 0], pairs[:, 1], outer=False)
    for k, p in enumerate(explained):
        i, j = pairs[k].tolist()
        assert (p.mentor, p.mentee) == (mentors.ids[i], mentees.ids[j])
        assert type(p.score) is float and p.score == want[k] == scores[k]
        assert set(p.terms) == set(terms) and all(type(v) is float for v in p.terms.values())
        assert all(p.terms[name] == terms[name][k] for name in terms)
        assert all(type(x) is str for x in p.mentor_teaches + p.mentee_teaches)
        assert type(p.required) is bool and p.required == required[k]
    none, scores0, _ = explain_pairs(problem, np.empty((0, 2), np.int64), np.empty(0, bool))
    assert none == () and len(scores0) == 0
