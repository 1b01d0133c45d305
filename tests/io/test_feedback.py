"""Reading feedback tables: read_feedback."""

import csv

import numpy as np
import pytest

from rm_match import People
from rm_match.errors import TableError, ValidationError
from rm_match.io.feedback import read_feedback


def _csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


HEADER = ["Mentor", "Mentee", "Round", "Mentor score", "Mentee score", "Skills gained"]
COLS = {
    "mentor": "Mentor",
    "mentee": "Mentee",
    "round": "Round",
    "mentor_rating": "Mentor score",
    "mentee_rating": "Mentee score",
    "gained": "Skills gained",
}


def test_read_csv(tmp_path):
    path = _csv(
        tmp_path / "fb.csv",
        [
            HEADER,
            ["J1", "S1", "0", "4", "5", "ai_tools; strategy"],
            ["J2", "S2", "0", "", "3", ""],
            ["J1", "S1", "1", "2.5", "n/a", "ai_tools"],
        ],
    )
    fb = read_feedback(path, columns=COLS)
    assert len(fb) == 3
    assert fb.round.tolist() == [0, 0, 1]
    np.testing.assert_allclose(fb.mentor_rating, [4, np.nan, 2.5])
    np.testing.assert_allclose(fb.mentee_rating, [5, 3, np.nan])
    assert fb.gained == (("ai_tools", "strategy"), (), ("ai_tools",))
    mi, ei = fb.check(People(["J2", "J1"], skills=["ai_tools", "strategy"]), People(["S1", "S2"]))
    assert mi.tolist() == [1, 0, 1] and ei.tolist() == [0, 1, 0]


def test_default_column_names_and_int_ids(tmp_path):
    path = _csv(tmp_path / "fb.csv", [["mentor", "mentee", "mentee_rating"], ["1", "7", "4"]])
    fb = read_feedback(path)
    assert fb.mentor.tolist() == ["1"] and fb.mentee.tolist() == ["7"]  # as read
    mi, ei = fb.check(People([1]), People([5, 7]))  # a text id matches an integer id
    assert (mi.tolist(), ei.tolist()) == ([0], [1])


def test_errors_name_file_row_column_and_participant(tmp_path):
    path = _csv(
        tmp_path / "fb.csv",
        [HEADER, ["J1", "S1", "0", "four", "5", ""], ["J2", "S2", "0", "9", "", ""]],
    )
    with pytest.raises(TableError, match=r"2 problem\(s\) in the feedback") as info:
        read_feedback(path, columns=COLS)
    first, second = info.value.problems
    assert str(first).endswith(
        "fb.csv, row 2, column 'Mentor score', participant 'J1': the rating is not a number."
    )
    assert (first.row, first.column, first.participant) == (2, "Mentor score", "J1")
    assert first.file.endswith("fb.csv")
    assert str(second).endswith(
        "row 3, column 'Mentor score', participant 'J2': the rating is outside the scale 1 to 5."
    )
    assert "9" not in str(second).split("participant")[-1]  # a rating is never shown


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            ["J1", "S1", "x", "3", "3", ""],
            "row 2, column 'Round', participant 'J1': the round must",
        ),
        (["J1", "S1", "-2", "3", "3", ""], "the round must be a whole number ≥ 0"),
        (["", "S1", "0", "3", "3", ""], "row 2, column 'Mentor': the mentor id is missing."),
        (["J1", "S1", "0", "", "", ""], "both ratings are missing"),
    ],
)
def test_cell_errors(tmp_path, row, message):
    path = _csv(tmp_path / "fb.csv", [HEADER, row])
    with pytest.raises(ValidationError, match=message):
        read_feedback(path, columns=COLS)


@pytest.mark.parametrize("bad_round", ["-1", "x", "1.5"])
def test_bad_round_is_not_also_a_duplicate(tmp_path, bad_round):
    """A row whose round is bad gets one error, not also "rated twice with no round given"
    against a row of the same pair without a round."""
    rows = [HEADER, ["J1", "S1", bad_round, "4", "4", ""], ["J1", "S1", "", "3", "3", ""]]
    path = _csv(tmp_path / "fb.csv", rows)
    with pytest.raises(ValidationError, match="the round must be a whole number ≥ 0") as info:
        read_feedback(path, columns=COLS)
    assert not isinstance(info.value, TableError)
    assert (info.value.row, info.value.column) == (2, "Round")


def test_pair_rated_twice(tmp_path):
    rows = [HEADER, ["J1", "S1", "1", "3", "3", ""], ["J1", "S1", "1.0", "4", "4", ""]]
    path = _csv(tmp_path / "fb.csv", rows)
    with pytest.raises(
        ValidationError,
        match=r"row 3, column 'Mentee', participant 'J1': the pair .* is rated "
        r"twice in round 1 \(first at row 2\)",
    ):
        read_feedback(path, columns=COLS)


def test_scale(tmp_path):
    path = _csv(tmp_path / "fb.csv", [HEADER, ["J1", "S1", "0", "9", "10", ""]])
    fb = read_feedback(path, columns=COLS, scale=(0, 10))
    assert fb.scaled("both").tolist() == [0.95]


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"score": "Mentor score"}, "unknown feedback field 'score' in `columns`"),
        ({"mentor": 3}, r"`columns\['mentor'\]` must be a column name"),
        ({"mentor_rating": "Nope"}, "column 'Nope' \\(for `mentor_rating`\\) is not in the table"),
        ("Mentor", "`columns` must be a mapping"),
    ],
)
def test_column_option_errors(tmp_path, columns, message):
    path = _csv(tmp_path / "fb.csv", [HEADER, ["J1", "S1", "0", "3", "3", ""]])
    with pytest.raises(ValidationError, match=message):
        read_feedback(path, columns=columns)


def test_required_columns():
    with pytest.raises(ValidationError, match="no `mentee` column; map one with"):
        read_feedback({"mentor": ["J1"], "mentor_rating": [3]})
    with pytest.raises(ValidationError, match="no rating column; map `mentor_rating`"):
        read_feedback({"mentor": ["J1"], "mentee": ["S1"]})


def test_dataframe_positions():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"mentor": ["J1", "J2"], "mentee": ["S1", "S2"], "mentee_rating": [4.0, float("nan")]}
    )
    with pytest.raises(
        ValidationError,
        match=r"<feedback DataFrame>, position 1, column 'mentee_rating', "
        r"participant 'J2': both ratings are missing",
    ) as info:
        read_feedback(frame)
    assert info.value.row == 1
    frame.loc[1, "mentee_rating"] = 2
    fb = read_feedback(frame)
    assert fb.mentee_rating.tolist() == [4.0, 2.0]


def test_unknown_id_after_reading(tmp_path):
    path = _csv(
        tmp_path / "fb.csv",
        [HEADER, ["J1", "S1", "0", "3", "3", ""], ["J9", "S1", "1", "3", "3", ""]],
    )
    fb = read_feedback(path, columns=COLS)
    with pytest.raises(
        ValidationError,
        match=r"fb\.csv, row 3, column 'Mentor', participant 'J9': "
        r"unknown mentor id 'J9'\.",
    ) as info:
        fb.check(People(["J1"]), People(["S1"]))
    assert info.value.row == 3 and info.value.column == "Mentor"
