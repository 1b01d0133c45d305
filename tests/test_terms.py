"""Score terms: definitions, ranges, block/pair agreement and programme validation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rm_match import People, Problem, Programme, ValidationError, synthetic
from rm_match.problem import _BLOCK_ELEMENTS


@pytest.fixture(scope="module")
def problem():
    mentors, mentees = synthetic.cohort(30, 25, rng=1)
    prog = Programme(
        diversity_attributes=("gender", "generation", "department"),
        skill_weights={"ai_tools": 3.0, "strategy": 0.5},
        reverse_weight=0.7,
    )
    return Problem(mentors, mentees, prog)


def test_terms_in_unit_interval_and_block_equals_pairwise(problem):
    n_m, n_e = problem.cohort.shape
    mi, ei = np.arange(n_m), np.arange(n_e)
    block = problem.terms(mi, ei)
    gi, gj = np.meshgrid(mi, ei, indexing="ij")
    pairwise = problem.terms(gi.ravel(), gj.ravel(), outer=False)
    for name, values in block.items():
        assert values.shape == (n_m, n_e)
        assert values.min() >= 0.0 and values.max() <= 1.0 + 1e-12, name
        np.testing.assert_allclose(values.ravel(), pairwise[name], err_msg=name)
    scores = problem.compile().scores
    assert scores.min() >= 0 and scores.max() <= 1 + 1e-12


def test_terms_match_their_definitions(problem):
    m, e = problem.mentors, problem.mentees
    w = problem.programme.skill_weight_vector(m.skills)
    lam = 0.7
    terms = problem.terms(np.arange(m.n), np.arange(e.n))
    skills_norm = Problem(m, e, replace(problem.programme, learning_norm="skills"))
    by_skills = skills_norm.terms(np.arange(m.n), np.arange(e.n))["learning"]
    for i, j in [(0, 0), (3, 7), (29, 24)]:
        fw = sum(w[k] * m.offers[i, k] * e.wants[j, k] for k in range(len(w)))
        rv = sum(w[k] * e.offers[j, k] * m.wants[i, k] for k in range(len(w)))
        # "wants" (default): each direction over what the learner wants
        want_e = sum(w[k] * e.wants[j, k] for k in range(len(w)))
        want_m = sum(w[k] * m.wants[i, k] for k in range(len(w)))
        assert terms["learning"][i, j] == pytest.approx(
            (fw / want_e + lam * rv / want_m) / (1 + lam)
        )
        # "skills": over the whole skill space
        assert by_skills[i, j] == pytest.approx((fw + lam * rv) / ((1 + lam) * w.sum()))
        a, b = m.interests[i], e.interests[j]
        jac = len(a & b) / len(a | b) if a | b else 0.0
        assert terms["interests"][i, j] == pytest.approx(jac)
        assert terms["language"][i, j] == float(bool(m.languages[i] & e.languages[j]))
        d = abs(m.timezone[i] - e.timezone[j]) % 24
        assert terms["timezone"][i, j] == pytest.approx(1 - min(d, 24 - d) / 12)
        differ = [
            m.attributes["gender"][i] != e.attributes["gender"][j]
            and None not in (m.attributes["gender"][i], e.attributes["gender"][j]),
            m.attributes["generation"][i] != e.attributes["generation"][j],
            m.department[i] != e.department[j],
        ]
        assert terms["diversity"][i, j] == pytest.approx(sum(differ) / 3)


def test_blockwise_compile_equals_one_block(monkeypatch, problem):
    whole = problem.compile()
    monkeypatch.setattr("rm_match.problem._BLOCK_ELEMENTS", 7)  # many tiny blocks
    again = Problem(problem.mentors, problem.mentees, problem.programme).compile()
    # BLAS may round the last bit differently for other block shapes
    np.testing.assert_allclose(whole.scores, again.scores, rtol=1e-14, atol=0)
    np.testing.assert_array_equal(whole.feasible, again.feasible)
    assert _BLOCK_ELEMENTS > 7


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": {"luck": 1.0}}, r"unknown score term 'luck' in `weights`"),
        ({"weights": {"learning": -1.0}}, r"`weights\['learning'\]` must be a finite number ≥ 0"),
        ({"weights": {"learning": 0.0}}, r"`weights` must give at least one term a positive"),
        ({"weights": {"diversity": 1.0}}, r"`diversity` term is weighted but `diversity_attr"),
        ({"reverse_weight": float("nan")}, r"`reverse_weight` must be a finite number"),
        ({"rules": ["cross_department"]}, r"`rules` must hold Rule objects; got str"),
        ({"diversity_attributes": "gender"}, r"`diversity_attributes` must be a sequence"),
    ],
)
def test_programme_validation(kwargs, match):
    with pytest.raises(ValidationError, match=match):
        Programme(**kwargs)


def test_unknown_skill_weight_and_diversity_attribute():
    m, e = People(["a"], skills=["x"]), People(["b"], skills=["x"])
    with pytest.raises(ValidationError, match=r"unknown skill\(s\) \['y'\] in `skill_weights`"):
        Problem(m, e, Programme(skill_weights={"y": 1.0}))
    with pytest.raises(ValidationError, match="score term diversity needs `gender`"):
        Problem(m, e, Programme(weights={"diversity": 1.0}, diversity_attributes=("gender",)))


def test_zero_skill_weights_give_zero_learning():
    m = People(["a"], skills=["x"], offers=[[1.0]], wants=[[1.0]])
    e = People(["b"], skills=["x"], offers=[[1.0]], wants=[[1.0]])
    p = Problem(m, e, Programme(skill_weights={"x": 0.0}))
    assert p.compile().scores.tolist() == [[0.0]]


def test_named_diversity_attribute_must_exist_even_with_default_weights():
    m, e = People(["a"], skills=["x"]), People(["b"], skills=["x"])
    with pytest.raises(ValidationError, match="score term diversity needs `gender` on both"):
        Problem(m, e, Programme(diversity_attributes=("gender",)))


def test_compile_keeps_terms_and_reweight_equals_recompile(problem):
    arrays = problem.compile()
    assert set(arrays.terms) == set(problem.weights)
    for name, values in arrays.terms.items():
        assert values.shape == arrays.shape and not values.flags.writeable, name
    np.testing.assert_allclose(arrays.scores, problem.scores(np.arange(30), np.arange(25)))
    weights = {"learning": 2.0, "interests": 0.0, "diversity": 1.5, "timezone": 0.3}
    again = arrays.reweight(weights)
    prog = Programme(
        weights=weights,
        diversity_attributes=problem.programme.diversity_attributes,
        skill_weights=problem.programme.skill_weights,
        reverse_weight=0.7,
    )
    fresh = Problem(problem.mentors, problem.mentees, prog).compile()
    np.testing.assert_allclose(again.scores, fresh.scores, rtol=0, atol=1e-12)
    assert dict(again.weights) == {"learning": 2.0, "diversity": 1.5, "timezone": 0.3}
    assert again.feasible is arrays.feasible and again.terms is arrays.terms
    with pytest.raises(ValidationError, match="unknown score term 'foo'"):
        arrays.reweight({"foo": 1.0})
    with pytest.raises(ValidationError, match="at least one term a positive weight"):
        arrays.reweight({"learning": 0.0})
    with pytest.raises(ValidationError, match="mapping"):
        arrays.reweight(["learning"])


def test_compile_without_terms_scores_alike_and_says_why_it_cannot_reweight(problem):
    lean = Problem(problem.mentors, problem.mentees, problem.programme)
    bare = lean.compile(keep_terms=False)
    assert dict(bare.terms) == {}
    assert lean.compile(keep_terms=False) is bare  # computed once
    np.testing.assert_array_equal(bare.scores, problem.compile().scores)
    np.testing.assert_array_equal(bare.feasible, problem.compile().feasible)
    with pytest.raises(ValidationError, match=r"compiled without their term matrices"):
        bare.reweight({"learning": 1.0})
    full = lean.compile()  # asked for the terms: compiled again, with them
    assert set(full.terms) == set(lean.weights) and lean.compile(keep_terms=False) is full
    np.testing.assert_array_equal(full.scores, bare.scores)


def test_programme_is_picklable_and_read_only():
    import pickle

    prog = Programme(weights={"learning": 1.0}, skill_weights={"ai_tools": 2.0})
    back = pickle.loads(pickle.dumps(prog))
    assert back == prog and dict(back.weights) == {"learning": 1.0}
    with pytest.raises(TypeError):
        prog.weights["learning"] = 5.0  # type: ignore[index]


def test_top_skills_are_the_largest_positive_contributions_in_order() -> None:
    """Each direction's names: the positive ``w·offers·wants`` of the pair, largest first
    (ties by skill order), at most k — checked pair by pair against the plain definition."""
    from rm_match import Cohort
    from rm_match.terms import TermSpec, top_skills

    mentors, mentees = synthetic.cohort(30, 40, rng=5)
    cohort = Cohort(mentors, mentees)
    rng = np.random.default_rng(0)
    spec = TermSpec(skill_weights=rng.random(len(mentors.skills)).round(1), reverse_weight=0.5)
    mi, ei = rng.integers(0, 30, 200), rng.integers(0, 40, 200)
    teach, back = top_skills(cohort, spec, mi, ei, k=3)
    w = spec.skill_weights
    for p, (i, j) in enumerate(zip(mi.tolist(), ei.tolist(), strict=True)):
        for got, c in (
            (teach[p], mentors.offers[i] * w * mentees.wants[j]),
            (back[p], mentees.offers[j] * w * mentors.wants[i]),
        ):
            ranked = sorted(range(len(c)), key=lambda s: (-c[s], s))
            assert got == tuple(mentors.skills[s] for s in ranked[:3] if c[s] > 0)
