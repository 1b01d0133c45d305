"""Synthetic cohorts: reproducible, valid and shaped like a reverse-mentoring programme."""

from __future__ import annotations

import numpy as np
import pytest

from rm_match import Cohort, ValidationError, synthetic
from rm_match.synthetic import DIGITAL_SKILLS


def test_deterministic_for_an_int_seed():
    a = synthetic.cohort(80, 60, rng=123)
    b = synthetic.cohort(80, 60, rng=123)
    c = synthetic.cohort(80, 60, rng=124)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.offers, y.offers)
        assert x.manager.tolist() == y.manager.tolist()
        assert x.interests == y.interests
    assert not np.array_equal(a[0].offers, c[0].offers)


def test_shape_of_the_cohort():
    mentors, mentees = synthetic.cohort(400, 300, rng=0, mentor_capacity=2)
    assert (mentors.n, mentees.n) == (400, 300)
    assert (mentors.capacity == 2).all()
    d = len(DIGITAL_SKILLS)
    # juniors lead on digital skills, seniors on strategic ones, and want the other
    assert mentors.offers[:, :d].mean() > mentees.offers[:, :d].mean() + 0.2
    assert mentees.offers[:, d:].mean() > mentors.offers[:, d:].mean() + 0.2
    assert mentors.wants[:, d:].mean() > mentors.wants[:, :d].mean()
    assert mentors.grade.max() < mentees.grade.min()
    assert set(mentors.attributes["generation"]) <= {"gen_z", "millennial"}
    assert len(set(mentors.department)) > 4
    # the org chart resolves and has no cycle; some juniors report to a senior
    cohort = Cohort(mentors, mentees)
    up_m, _ = cohort.ancestors(1)
    assert 0.4 < (up_m[:, 0] >= 0).mean() < 0.8
    senior_ids = set(mentees.ids)
    for pid, boss in zip(mentees.ids, mentees.manager, strict=True):
        if boss is not None:
            assert boss in senior_ids
            assert mentees.grade[mentees.index(boss)] > mentees.grade[mentees.index(pid)]


def test_empty_and_invalid_sizes():
    mentors, mentees = synthetic.cohort(0, 3, rng=0)
    assert (mentors.n, mentees.n) == (0, 3)
    with pytest.raises(ValidationError, match="`n_mentors` must be an integer ≥ 0"):
        synthetic.cohort(-1, 3)


@pytest.mark.parametrize("d", [1, 7, 32])
def test_any_number_of_skills(d):
    mentors, mentees = synthetic.cohort(300, 200, rng=1, skills=d)
    names = synthetic.skill_names(d)
    assert mentors.skills == mentees.skills == names
    assert len(set(names)) == d and mentors.offers.shape == (300, d)
    lead = (d + 1) // 2  # the digital half, where juniors lead
    assert mentors.offers[:, :lead].mean() > mentees.offers[:, :lead].mean() + 0.2
    if d > 1:
        assert mentees.offers[:, lead:].mean() > mentors.offers[:, lead:].mean() + 0.2


def test_default_skills_are_the_named_ten():
    a = synthetic.cohort(50, 40, rng=9)
    b = synthetic.cohort(50, 40, rng=9, skills=10)
    assert a[0].skills == synthetic.SKILLS
    np.testing.assert_array_equal(a[0].offers, b[0].offers)
    with pytest.raises(ValidationError, match="`skills` must be an integer ≥ 1"):
        synthetic.cohort(5, 5, skills=0)
