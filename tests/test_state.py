"""A programme's state: rounds feed the next (no repeats), people leave and join, and the
whole state saves and loads as JSON exactly."""

from __future__ import annotations

import json

import numpy as np
import pytest

import rm_match as rm
from rm_match import People, Programme, ValidationError, rules
from rm_match.state import ProgrammeState, RoundRecord, people_from_dict, people_to_dict


@pytest.fixture(scope="module")
def cohort():
    return rm.synthetic.cohort(12, 10, rng=4)


def _same_people(a: People, b: People) -> None:
    assert a.ids.tolist() == b.ids.tolist() and a.skills == b.skills
    for f in ("offers", "wants", "capacity", "grade", "timezone"):
        x, y = getattr(a, f), getattr(b, f)
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_array_equal(x, y)
    for f in ("department", "manager", "languages", "interests"):
        x, y = getattr(a, f), getattr(b, f)
        assert (x is None and y is None) or list(x) == list(y)
    assert {k: v.tolist() for k, v in a.attributes.items()} == {
        k: v.tolist() for k, v in b.attributes.items()
    }


def test_people_round_trip_through_json(cohort):
    for people in cohort:
        _same_people(people_from_dict(json.loads(json.dumps(people_to_dict(people)))), people)
    gaps = People(
        [1, "b"],
        skills=["x"],
        department=[None, "IT"],
        grade=[None, 2],
        timezone=[None, 1.5],
        languages=[None, ["en"]],
        attributes={"gender": [None, "f"]},
    )
    _same_people(people_from_dict(json.loads(json.dumps(people_to_dict(gaps)))), gaps)


def test_rounds_feed_the_next_and_survive_leavers(cohort, tmp_path):
    mentors, mentees = cohort
    prog = Programme(rules=[rules.CrossDepartment()])
    state = ProgrammeState(mentors, mentees, prog)
    first = rm.match(mentors, mentees, state.next_programme())
    state = state.add_round(first, "round 1")
    second = rm.match(mentors, mentees, state.next_programme())
    assert not set(first.id_pairs) & set(second.id_pairs)
    state = state.add_round(second)
    assert [r.label for r in state.rounds] == ["round 1", "round 2"]
    assert len(state.history) == len(first.pairs) + len(second.pairs)
    # someone leaves: their pairs stay in the history, the next programme ignores them
    gone = first.id_pairs[0][0]
    boss = mentors.manager[mentors.index(gone)]
    state = state.with_people(mentors.drop([gone]), mentees, org_chart={gone: boss})
    assert (gone, first.id_pairs[0][1]) in state.history
    excluded = state.next_programme().rules[-1]
    assert isinstance(excluded, rules.ExcludePrevious)
    assert all(m != gone for m, _ in excluded.pairs)
    # the whole state, saved and loaded
    path = state.save(tmp_path / "state.json")
    again = ProgrammeState.load(path)
    assert again == state and again.history == state.history
    assert again.rounds[0] == RoundRecord("round 1", tuple(first.id_pairs))


def test_a_rotation_adds_each_of_its_rounds(cohort):
    class Rotation:
        rounds = ([("m1", "e1")], [("m1", "e2")])

    state = ProgrammeState(*cohort).add_round(Rotation(), "spring")
    assert [r.label for r in state.rounds] == ["spring (1)", "spring (2)"]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.update(version=9), r"programme state version 9 is not 1"),
        (lambda d: d.update(extra=1), r"unknown key\(s\) \['extra'\] in a programme state"),
        (lambda d: d["rounds"].append({"label": "x"}), r"round 0 must have a `label` and `pairs`"),
        (lambda d: d.update(org_chart=[["a"]]), r"`org_chart` must be a list of \[id, manager"),
        (lambda d: d["mentors"].update(colour=[1]), r"unknown column\(s\) \['colour'\]"),
    ],
)
def test_bad_states_are_named(cohort, change, match):
    data = ProgrammeState(*cohort).to_dict()
    change(data)
    with pytest.raises(ValidationError, match=match):
        ProgrammeState.from_dict(data)


def test_bad_arguments(cohort):
    with pytest.raises(ValidationError, match="`mentors` must be a People table"):
        ProgrammeState("x", cohort[1])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"`pairs` entry 0 must be a \(mentor id"):
        ProgrammeState(*cohort).add_round(["ab"])
    with pytest.raises(ValidationError, match="not valid JSON"):
        ProgrammeState.from_json("{")
