"""Survey answers read from tables: rows located, every problem at once, ids in one form."""

from __future__ import annotations

from pathlib import Path

import pytest

import rm_match as rm
from rm_match import Preferences, TableError, ValidationError
from rm_match.io import read_preferences


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_survey_reads_into_the_same_preferences_as_records(tmp_path):
    path = _csv(
        tmp_path,
        "who,about,rank,rating,veto\nS1,J1,1,,\nS1,J2,2,,\nJ1,S1,,4,\nJ2,S1,,,yes\n",
    )
    got = read_preferences(path)
    want = Preferences.from_records(
        [
            {"who": "S1", "about": "J1", "rank": 1},
            {"who": "S1", "about": "J2", "rank": 2},
            {"who": "J1", "about": "S1", "rating": 4.0},
            {"who": "J2", "about": "S1", "veto": True},
        ]
    )
    assert got == want


def test_every_bad_row_is_reported_at_once_with_file_row_and_column(tmp_path):
    path = _csv(
        tmp_path,
        "who,about,rank,rating,veto\n"
        "S1,J1,first,,\n"  # row 2: not a number
        ",J2,1,,\n"  # row 3: who missing
        "S2,J1,1,,maybe\n"  # row 4: veto neither yes nor no
        "S3,J1,,,\n"  # row 5: nothing given: skipped
        "S3,J2,1,4,\n"  # row 6: a rank and a rating
        "S4,J1,,4,\n"
        "S4,J2,2,,\n"  # row 8: S4 mixes ratings and ranks
        "S5,J1,1,,\n"
        "S5,J1,2,,\n"  # row 10: twice
        "S6,J1,,9,\n",  # row 11: outside the scale
    )
    with pytest.raises(TableError) as err:
        read_preferences(path)
    problems = err.value.problems
    assert [(p.row, p.column) for p in problems] == [
        (2, "rank"),
        (3, "who"),
        (4, "veto"),
        (6, "rank"),
        (8, "rank"),
        (10, "about"),
        (11, "rating"),
    ]
    assert "9" not in str(err.value).split("problem(s)")[1].replace(str(path), "")
    assert problems[0].participant == "S1" and problems[0].file == str(path)
    assert "first" not in str(err.value)  # cell values stay out of messages


def test_answers_about_the_same_person_twice_name_the_row(tmp_path):
    path = _csv(tmp_path, "who,about,rank\nS1,J1,1\nS1,J1,2\n")
    with pytest.raises(ValidationError, match="row 3: 'S1' answers about 'J1' twice") as err:
        read_preferences(path)
    assert err.value.row == 3 and err.value.participant == "S1"


def test_a_survey_export_listing_every_candidate_skips_the_blank_ones(tmp_path):
    path = _csv(tmp_path, "who,about,rank,veto\nS1,J1,,\nS1,J2,1,\nS1,J3,,no\nS1,J4,,yes\n")
    p = read_preferences(path)
    assert [(a.about, a.rank, a.veto) for a in p.answers] == [("J2", 1, False), ("J4", None, True)]


def test_columns_name_other_headers_and_unknown_ones_are_errors():
    survey = {"from": ["S1"], "to": ["J1"], "score": [5]}
    p = read_preferences(survey, columns={"who": "from", "about": "to", "rating": "score"})
    assert p.answers[0].rating == 5.0
    with pytest.raises(ValidationError, match="unknown preferences field 'weight'"):
        read_preferences(survey, columns={"weight": "score"})
    with pytest.raises(ValidationError, match="no column 'nope'"):
        read_preferences(survey, columns={"who": "nope"})
    with pytest.raises(ValidationError, match="no column for `who`"):
        read_preferences({"about": ["J1"], "rank": [1]})
    with pytest.raises(ValidationError, match="no rank, rating or veto column"):
        read_preferences({"who": ["S1"], "about": ["J1"]})


def test_numeric_ids_take_the_form_of_text_ids(tmp_path):
    path = _csv(tmp_path, "who,about,rank\nS1,1,1\n")
    p = read_preferences(path)
    assert p.answers[0].about == "1"


def test_read_preferences_feed_match():
    mentors, mentees = rm.synthetic.cohort(4, 4, rng=0)
    survey = {
        "who": [mentees.ids[0], mentees.ids[1]],
        "about": [mentors.ids[3], mentors.ids[3]],
        "rank": [1, None],
        "veto": [None, "x"],
    }
    prefs = read_preferences(survey)
    prog = rm.Programme(rules=[rm.rules.Vetoes()], weights={"preference": 1.0, "learning": 0.1})
    r = rm.match(mentors, mentees, prog, preferences=prefs)
    assert (mentors.ids[3], mentees.ids[0]) in r.id_pairs
    assert (mentors.ids[3], mentees.ids[1]) not in r.id_pairs
