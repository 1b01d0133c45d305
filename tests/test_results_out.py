"""Matching out: to_frame with carried columns, unmatched_frame, and to_dict's JSON safety."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

import rm_match as rm
from rm_match import People, Programme, ValidationError, match
from rm_match import goals as G
from rm_match.results import PairExplanation, _json_safe

JSON_TYPES = (str, int, float, bool, type(None))


def _only_json_types(value: object, where: str = "$") -> None:
    """``value`` is made of plain str/int/float/bool/None/list/dict (str keys), no NaN."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str, f"{where}: key {key!r}"
            _only_json_types(item, f"{where}.{key}")
    elif isinstance(value, list):
        for k, item in enumerate(value):
            _only_json_types(item, f"{where}[{k}]")
    else:
        assert type(value) in JSON_TYPES, f"{where}: {type(value).__name__}"
        assert not (isinstance(value, float) and not math.isfinite(value)), where


@pytest.fixture(scope="module")
def cohort():
    return rm.synthetic.cohort(30, 25, rng=1)


@pytest.fixture(scope="module")
def result(cohort):
    # more mentors than mentees: 5 mentors unmatched
    return match(*cohort, Programme(diversity_attributes=("gender",)))


def _same(cell, expected):
    """A frame's cell holds ``expected`` (pandas shows a missing value as NaN or None)."""
    if expected is None:
        return cell is None or cell != cell
    return cell == expected


def _carried(people, prefix):
    # every third participant has no entry; the others have Name, and every other one email
    out = {}
    for k, pid in enumerate(people.ids):
        if k % 3 == 2:
            continue
        row = {"Name": f"{prefix} {pid}"}
        if k % 2 == 0:
            row["Work email"] = f"{pid}@example.com".lower()
        out[pid] = row
    return out


# -- to_frame -----------------------------------------------------------------------------------


def test_to_frame_without_arguments_keeps_its_columns(result):
    pd = pytest.importorskip("pandas")
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(result) == 25
    assert list(frame.columns) == [
        "mentor",
        "mentee",
        "score",
        *result.report.terms,
        "mentor_teaches",
        "mentee_teaches",
        "required",
        "reason",
    ]
    assert frame["score"].sum() == pytest.approx(result.objective)
    # skills come as "; "-joined strings (records keep lists)
    first = result.pairs[0]
    assert frame.loc[0, "mentor_teaches"] == "; ".join(first.mentor_teaches)
    assert result.to_records()[0]["mentor_teaches"] == list(first.mentor_teaches)


def test_to_frame_carries_columns_of_both_people(cohort, result):
    pytest.importorskip("pandas")
    mentors, mentees = cohort
    mc, ec = _carried(mentors, "Mentor"), _carried(mentees, "Mentee")
    frame = result.to_frame(mentor_columns=mc, mentee_columns=ec)
    assert list(frame.columns[:6]) == [
        "mentor",
        "mentee",
        "mentor_Name",
        "mentor_Work email",
        "mentee_Name",
        "mentee_Work email",
    ]
    assert list(frame.columns[6:]) == list(result.to_frame().columns[2:])
    for _, row in frame.iterrows():
        mentor_row, mentee_row = mc.get(row["mentor"], {}), ec.get(row["mentee"], {})
        assert _same(row["mentor_Name"], mentor_row.get("Name"))
        assert _same(row["mentor_Work email"], mentor_row.get("Work email"))
        assert _same(row["mentee_Name"], mentee_row.get("Name"))
        assert _same(row["mentee_Work email"], mentee_row.get("Work email"))
    # the frame and the records agree on everything else
    records = result.to_records()
    assert list(frame["mentor"]) == [r["mentor"] for r in records]
    assert list(frame["score"]) == [r["score"] for r in records]


def test_carried_columns_are_checked(result):
    with pytest.raises(ValidationError, match="`mentor_columns` must map each mentor id") as exc:
        result.to_frame(mentor_columns=[("J0001", {"Name": "Ada"})])
    assert exc.value.argument == "mentor_columns"
    with pytest.raises(ValidationError, match="entry of mentee 'S0001' is a str") as exc:
        result.to_frame(mentee_columns={"S0001": "Ada Secretname"})
    assert exc.value.participant == "S0001" and "Secretname" not in str(exc.value)
    with pytest.raises(ValidationError, match="column name of type int"):
        result.to_frame(mentee_columns={"S0001": {1: "x"}})
    # a carried column must not take the name of one the table has
    with pytest.raises(ValidationError, match="'teaches' would be written as 'mentor_teaches'"):
        result.to_frame(mentor_columns={"J0001": {"teaches": "x"}})
    with pytest.raises(ValidationError, match="'reason' would be written as 'reason'") as exc:
        result.unmatched_frame(mentee_columns={"S0001": {"reason": "x"}})
    assert exc.value.column == "reason"


# -- unmatched_frame ----------------------------------------------------------------------------


def test_unmatched_frame(cohort, result):
    pytest.importorskip("pandas")
    mentors, mentees = cohort
    mc, ec = _carried(mentors, "Mentor"), {pid: {"Office": "Berlin"} for pid in mentees.ids}
    frame = result.unmatched_frame(mentor_columns=mc, mentee_columns=ec)
    assert list(frame.columns) == [
        "side",
        "id",
        "Name",
        "Work email",
        "Office",
        "reason",
        "reason_kind",
    ]
    assert len(frame) == len(result.unmatched_mentors) + len(result.unmatched_mentees) == 5
    assert set(frame["side"]) == {"mentor"}
    assert list(frame["id"]) == list(result.unmatched_mentors)
    assert list(frame["reason"]) == [str(r) for r in result.unmatched_mentors.values()]
    assert set(frame["reason_kind"]) == {"partners_full"}
    for pid, name in zip(frame["id"], frame["Name"], strict=True):
        assert _same(name, mc.get(pid, {}).get("Name"))
    assert frame["Office"].isna().all()  # no unmatched mentee carries it
    # no one unmatched: the columns still come
    empty = match(*rm.synthetic.cohort(5, 5, rng=2)).unmatched_frame()
    assert len(empty) == 0 and list(empty.columns) == ["side", "id", "reason", "reason_kind"]


def test_unmatched_frame_lists_both_sides():
    pytest.importorskip("pandas")
    m = People(["j1", "j2"], department=["IT", "IT"], grade=[1, 1])
    e = People(["s1", "s2", "s3"], department=["HR", "IT", "HR"], grade=[5, 6, 1])
    prog = Programme(rules=[rm.rules.CrossDepartment()], weights={"learning": 1.0})
    result = match(m, e, prog)
    frame = result.unmatched_frame()
    assert list(frame["side"]) == ["mentee"] * len(result.unmatched_mentees)
    assert "s2" in set(frame["id"]) and "no_partner" in set(frame["reason_kind"])


# -- to_dict ------------------------------------------------------------------------------------


def test_to_dict_is_json_safe_and_round_trips(result):
    d = result.to_dict()
    _only_json_types(d)
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert set(d) == {
        "pairs",
        "unmatched",
        "objective",
        "bound",
        "gap",
        "status",
        "method",
        "policy",
        "wall_time",
        "goals",
        "report",
    }
    assert d["pairs"] == result.to_records()  # to_records is already plain
    assert len(d["unmatched"]["mentors"]) == 5 and d["unmatched"]["mentees"] == []
    assert d["unmatched"]["mentors"][0] == {
        "id": next(iter(result.unmatched_mentors)),
        "reason": str(next(iter(result.unmatched_mentors.values()))),
        "reason_kind": "partners_full",
    }
    assert d["report"] == result.report.as_dict()
    assert d["objective"] == result.objective and d["status"] == result.status


def test_to_dict_goals_as_numbers():
    mentors, mentees = rm.synthetic.cohort(12, 10, rng=4)
    prog = Programme(goals=[G.Share(cross="gender", at_least=0.3)])
    d = match(mentors, mentees, prog).to_dict()
    _only_json_types(d)
    (goal,) = d["goals"]
    assert list(goal) == [
        "goal",
        "met",
        "value",
        "at_least",
        "at_most",
        "suppressed",
        "required",
        "achieved",
    ]
    assert goal["goal"] == "share_cross_gender" and goal["met"] is True
    assert goal["at_least"] == 0.3 and goal["at_most"] is None and goal["suppressed"] is False
    assert isinstance(goal["value"], float) and goal["value"] >= 0.3


def test_to_dict_with_integer_ids():
    ids_m, ids_e = np.arange(6, dtype=np.int64), np.arange(100, 104, dtype=np.int32)
    m = People(ids_m, skills=["a"], offers=np.ones((6, 1)), wants=np.zeros((6, 1)))
    e = People(ids_e, skills=["a"], offers=np.zeros((4, 1)), wants=np.ones((4, 1)))
    d = match(m, e).to_dict()
    _only_json_types(d)
    assert {p["mentee"] for p in d["pairs"]} == {100, 101, 102, 103}
    assert all(type(u["id"]) is int for u in d["unmatched"]["mentors"])


def test_to_dict_converts_numpy_scalars_and_non_finite_numbers(result):
    # a matching built by hand (a peer's answer, a reloaded one) with numpy ids and numbers
    pair = PairExplanation(
        np.int64(7),
        np.str_("s1"),
        np.float64(0.5),
        {"learning": np.float32(0.25), "odd": float("nan")},
        (np.str_("ai_tools"),),
        (),
        np.bool_(True),
    )
    odd = dataclasses.replace(
        result,
        pairs=(pair,),
        unmatched_mentors={np.int64(8): "no partner", (1, 2): "tuple id"},
        unmatched_mentees={},
        bound=float("inf"),
        objective=np.float64(0.5),
        report=None,
        goals=(),
    )
    d = odd.to_dict()
    _only_json_types(d)
    json.dumps(d, allow_nan=False)
    (p,) = d["pairs"]
    assert p["mentor"] == 7 and p["mentee"] == "s1" and p["score"] == 0.5
    assert p["learning"] == 0.25 and p["odd"] is None and p["required"] is True
    assert p["mentor_teaches"] == ["ai_tools"]
    assert [u["id"] for u in d["unmatched"]["mentors"]] == [8, [1, 2]]
    assert d["unmatched"]["mentors"][0]["reason_kind"] is None
    assert d["bound"] is None and d["objective"] == 0.5 and d["report"] is None


def test_json_safe_helper():
    value = {
        np.int64(1): np.array([1.5, np.inf]),
        "s": {np.str_("k"): {3, 1}},
        "b": [np.bool_(False), None],
        "o": object,
    }
    out = _json_safe(value)
    _only_json_types(out)
    assert out == {"1": [1.5, None], "s": {"k": [1, 3]}, "b": [False, None], "o": str(object)}
