"""The domain layer: match() end to end, explanations, unmatched reasons, metamorphic tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_match import (
    InfeasibleError,
    People,
    Problem,
    Programme,
    ValidationError,
    assign,
    match,
    rules,
    synthetic,
    verify,
)
from rm_match.cli import demo_programme

ALL_RULES = demo_programme().rules


@pytest.fixture(scope="module")
def cohort():
    return synthetic.cohort(60, 50, rng=42)


def test_match_is_verified_and_optimal_for_its_compiled_problem(cohort):
    mentors, mentees = cohort
    prog = demo_programme()
    result = match(mentors, mentees, prog)
    problem = Problem(mentors, mentees, prog)
    assert verify(result, problem) == []
    arrays = problem.compile()
    direct = assign(arrays.scores, arrays.feasible)
    assert result.objective == pytest.approx(direct.objective)
    assert len(result) == len(direct.pairs)
    assert result.status == "optimal"
    assert result.bound >= result.objective


@pytest.mark.parametrize("method", ["lsa", "flow"])
@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
def test_methods_and_policies_agree(cohort, method, policy):
    mentors, mentees = cohort
    ref = match(mentors, mentees, demo_programme(), policy=policy, method="flow")
    got = match(mentors, mentees, demo_programme(), policy=policy, method=method)
    assert got.objective == pytest.approx(ref.objective, abs=1e-9)
    assert len(got) == len(ref)


def test_every_rule_holds_in_the_result(cohort):
    mentors, mentees = cohort
    result = match(mentors, mentees, demo_programme())
    mi = np.array([mentors.index(p.mentor) for p in result.pairs])
    ei = np.array([mentees.index(p.mentee) for p in result.pairs])
    assert (mentors.department[mi] != mentees.department[ei]).all()
    assert (mentees.grade[ei] - mentors.grade[mi] >= 2).all()
    d = np.abs(mentors.timezone[mi] - mentees.timezone[ei]) % 24
    assert (np.minimum(d, 24 - d) <= 6).all()
    for i, j in zip(mi, ei, strict=True):
        assert mentors.languages[i] & mentees.languages[j]
        assert mentors.manager[i] != mentees.ids[j]
        assert mentees.manager[j] != mentors.ids[i]


def test_capacity_groups(cohort):
    mentors, mentees = synthetic.cohort(20, 50, rng=3, mentor_capacity=3)
    result = match(mentors, mentees, Programme(rules=[rules.CrossDepartment()]))
    per_mentor = np.bincount([mentors.index(p.mentor) for p in result.pairs], minlength=20)
    assert per_mentor.max() <= 3
    assert len(result) == 50 - len(result.unmatched_mentees)
    assert (
        verify(result, Problem(mentors, mentees, Programme(rules=[rules.CrossDepartment()]))) == []
    )


def test_explanations(cohort):
    mentors, mentees = cohort
    prog = Programme(diversity_attributes=("gender", "generation"))
    result = match(mentors, mentees, prog)
    p = result.pairs[0]
    i, j = mentors.index(p.mentor), mentees.index(p.mentee)
    # learning term recomputed by hand from the definition
    w = np.ones(len(mentors.skills))
    lam = prog.reverse_weight
    # the default normalisation ("wants"): the share of what each learner wants
    fw = (w * mentors.offers[i] * mentees.wants[j]).sum() / (w * mentees.wants[j]).sum()
    rv = (w * mentees.offers[j] * mentors.wants[i]).sum() / (w * mentors.wants[i]).sum()
    assert p.terms["learning"] == pytest.approx((fw + lam * rv) / (1 + lam))
    assert set(p.terms) == {"learning", "interests", "language", "timezone", "diversity"}
    assert all(0.0 <= v <= 1.0 for v in p.terms.values())
    assert 0.0 <= p.score <= 1.0
    contrib = mentors.offers[i] * mentees.wants[j]
    assert p.mentor_teaches[0] == mentors.skills[int(np.argmax(contrib))]
    assert "mentor teaches" in p.reason
    assert sum(q.score for q in result.pairs) == pytest.approx(result.objective)


def test_records_frame_and_repr(cohort):
    mentors, mentees = cohort
    result = match(mentors, mentees, demo_programme())
    recs = result.to_records()
    assert len(recs) == len(result)
    assert {"mentor", "mentee", "score", "learning", "reason"} <= set(recs[0])
    pd = pytest.importorskip("pandas")
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == len(result)
    assert frame["score"].sum() == pytest.approx(result.objective)
    text = repr(result)
    assert "Matching(pairs=" in text and "status='optimal'" in text
    for value in ("female", "male", "gen_z", "boomer"):
        assert value not in text
        assert all(value not in p.reason for p in result.pairs)


def test_unmatched_reasons_name_the_rules():
    mentors = People(["j1", "j2"], department=["IT", "IT"], grade=[1, 1])
    mentees = People(["s1", "s2", "s3"], department=["HR", "IT", "HR"], grade=[5, 6, 1])
    prog = Programme(
        rules=[rules.CrossDepartment(), rules.SeniorityDirection(2)], weights={"learning": 1.0}
    )
    result = match(mentors, mentees, prog)
    assert result.unmatched_mentees["s2"] == "no mentor satisfies cross_department"
    assert result.unmatched_mentees["s3"] == "no mentor satisfies seniority_direction"
    assert len(result) == 1
    assert result.unmatched_mentors == {
        next(
            m for m in ("j1", "j2") if m not in {p.mentor for p in result.pairs}
        ): "all 1 feasible mentees are at capacity with others"
    }


def test_unmatched_reason_with_two_rules():
    mentors = People(["j1", "j2"], department=["IT", "HR"], grade=[5, 1])
    mentees = People(["s1"], department=["IT"], grade=[6])
    prog = Programme(
        rules=[rules.CrossDepartment(), rules.SeniorityDirection(2)], weights={"learning": 1.0}
    )
    result = match(mentors, mentees, prog)
    # j1 fails seniority, j2 fails cross-department: only both together leave nobody
    assert result.unmatched_mentees == {}  # j2: HR vs IT ok, grade 6-1 >= 2 ok
    mentees2 = People(["s1"], department=["HR"], grade=[6])
    result2 = match(mentors, mentees2, prog)
    assert result2.unmatched_mentees["s1"] == (
        "no mentor satisfies cross_department + seniority_direction"
    )


def test_capacity_zero_reason():
    mentors = People(["j1"], capacity=[0])
    mentees = People(["s1"])
    result = match(mentors, mentees)
    assert result.unmatched_mentors == {"j1": "capacity 0"}
    assert result.unmatched_mentees == {"s1": "its 1 feasible mentors have capacity 0"}


def test_required_pairs_are_kept_and_counted(cohort):
    mentors, mentees = cohort
    base = Programme(rules=[rules.CrossDepartment()])
    free = match(mentors, mentees, base)
    # require a pair the free optimum did not choose but the rules allow
    chosen = set(free.id_pairs)
    dept_m, dept_e = mentors.department, mentees.department
    m, e = next(
        (mentors.ids[i], mentees.ids[j])
        for i in range(mentors.n)
        for j in range(mentees.n)
        if dept_m[i] != dept_e[j] and (mentors.ids[i], mentees.ids[j]) not in chosen
    )
    prog = Programme(rules=[rules.CrossDepartment(), rules.RequiredPairs([(m, e)])])
    result = match(mentors, mentees, prog)
    assert (m, e) in result.id_pairs
    assert next(p for p in result.pairs if (p.mentor, p.mentee) == (m, e)).required
    assert verify(result, Problem(mentors, mentees, prog)) == []
    assert result.objective <= free.objective + 1e-9
    assert result.objective == pytest.approx(sum(p.score for p in result.pairs))


def test_required_pair_conflict_names_rules():
    mentors = People(["j1"], department=["IT"])
    mentees = People(["s1"], department=["IT"])
    prog = Programme(rules=[rules.CrossDepartment(), rules.RequiredPairs([("j1", "s1")])])
    with pytest.raises(InfeasibleError, match=r"breaks rule.*cross_department") as info:
        match(mentors, mentees, prog)
    assert set(info.value.rules) == {"required_pairs", "cross_department"}


def test_explicit_weight_on_missing_data_is_an_error():
    mentors = People(["j1"])
    mentees = People(["s1"])
    with pytest.raises(ValidationError, match="score term interests needs `interests`"):
        match(mentors, mentees, Programme(weights={"interests": 1.0}))


def test_default_weights_drop_terms_without_data():
    result = match(People(["j1"]), People(["s1"]))
    assert set(result.pairs[0].terms) == {"learning"}


# -- metamorphic and determinism ------------------------------------------------------------


def _permuted(people: People, order: np.ndarray) -> People:
    pick = order.tolist()
    return People(
        people.ids[order].tolist(),
        skills=people.skills,
        offers=people.offers[order],
        wants=people.wants[order],
        department=people.department[order].tolist(),
        grade=people.grade[order].tolist(),
        manager=people.manager[order].tolist(),
        languages=[people.languages[i] for i in pick],
        timezone=people.timezone[order].tolist(),
        interests=[people.interests[i] for i in pick],
        attributes={k: v[order].tolist() for k, v in people.attributes.items()},
        capacity=people.capacity[order].tolist(),
    )


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), policy=st.sampled_from(["max_matched", "max_score"]))
def test_permuting_participants_leaves_objective_unchanged(seed, policy):
    mentors, mentees = synthetic.cohort(25, 20, rng=seed)
    prog = demo_programme()
    a = match(mentors, mentees, prog, policy=policy)
    rng = np.random.default_rng(seed)
    pm = _permuted(mentors, rng.permutation(mentors.n))
    pe = _permuted(mentees, rng.permutation(mentees.n))
    b = match(pm, pe, prog, policy=policy)
    assert b.objective == pytest.approx(a.objective, abs=1e-9)
    assert len(b) == len(a)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(0, len(ALL_RULES) - 1))
def test_adding_a_rule_never_raises_removing_never_lowers(seed, k):
    mentors, mentees = synthetic.cohort(25, 25, rng=seed)
    full = Programme(rules=ALL_RULES)
    fewer = Programme(rules=ALL_RULES[:k] + ALL_RULES[k + 1 :])
    a = match(mentors, mentees, full, policy="max_score")
    b = match(mentors, mentees, fewer, policy="max_score")
    assert b.objective >= a.objective - 1e-9
    am = match(mentors, mentees, full)
    bm = match(mentors, mentees, fewer)
    assert len(bm) >= len(am)


def test_forbidding_a_chosen_pair_never_raises(cohort):
    mentors, mentees = cohort
    a = match(mentors, mentees, Programme(rules=[rules.CrossDepartment()]), policy="max_score")
    prog = Programme(rules=[rules.CrossDepartment(), rules.ForbiddenPairs(a.id_pairs[:3])])
    b = match(mentors, mentees, prog, policy="max_score")
    assert b.objective <= a.objective + 1e-9
    assert not set(a.id_pairs[:3]) & set(b.id_pairs)


def test_same_input_and_rng_give_identical_pairs():
    runs = [match(*synthetic.cohort(40, 40, rng=9), demo_programme(), rng=5) for _ in range(2)]
    assert runs[0].id_pairs == runs[1].id_pairs
    assert runs[0].objective == runs[1].objective


def test_problem_rejects_a_non_programme():
    with pytest.raises(ValidationError, match="`programme` must be a Programme; got dict"):
        Problem(People(["j1"]), People(["s1"]), {"rules": []})


def test_reason_when_pairing_would_lower_the_score():
    mentors = People(["j1"], skills=["x"], offers=[[1.0]])
    mentees = People(["s1", "s2"], skills=["x"], wants=[[1.0], [0.0]])
    # s2 learns nothing from j1 (score 0); j1 has room for two
    mentors2 = People(["j1"], skills=["x"], offers=[[1.0]], capacity=2)
    result = match(mentors2, mentees, Programme(weights={"learning": 1.0}), policy="max_score")
    assert result.id_pairs == [("j1", "s1")]
    assert result.unmatched_mentees == {
        "s2": "1 feasible mentors have room, but pairing would lower the total score"
    }
    assert match(mentors, mentees).unmatched_mentees == {
        "s2": "all 1 feasible mentors are at capacity with others"
    }


def test_reasons_with_required_and_forbidden_pairs():
    mentors = People(["j1"], department=["IT"])
    mentees = People(["s1", "s2"], department=["HR", "HR"])
    prog = Programme(rules=[rules.CrossDepartment(), rules.RequiredPairs([("j1", "s1")])])
    result = match(mentors, mentees, prog)
    assert result.unmatched_mentees == {"s2": "all 1 feasible mentors are at capacity with others"}
    mentees3 = People(["s1", "s2"], department=["HR", "HR"], capacity=[1, 1])
    mentors3 = People(["j1"], department=["IT"], capacity=[2])
    prog3 = Programme(
        rules=[
            rules.CrossDepartment(),
            rules.ForbiddenPairs([("j1", "s2")]),
            rules.RequiredPairs([("j1", "s1")]),
        ]
    )
    result3 = match(mentors3, mentees3, prog3)
    assert result3.unmatched_mentees == {"s2": "no mentor satisfies forbidden_pairs"}
    only = People(["s1"], department=["HR"], capacity=[2])
    result4 = match(mentors3, only, Programme(rules=[rules.RequiredPairs([("j1", "s1")])]))
    assert result4.id_pairs == [("j1", "s1")]
    assert result4.pairs[0].reason.startswith("required pair")


def test_zero_weight_term_is_dropped():
    mentors, mentees = synthetic.cohort(5, 5, rng=0)
    result = match(mentors, mentees, Programme(weights={"learning": 1.0, "interests": 0.0}))
    assert set(result.pairs[0].terms) == {"learning"}
