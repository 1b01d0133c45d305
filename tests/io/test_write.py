"""Writing matchings: CSV, xlsx and JSON read back, and the formula-injection guard."""

from __future__ import annotations

import csv
import dataclasses
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

import rm_match as rm
from rm_match import People, Programme, ValidationError, match
from rm_match.io._xlsx import column_letter, write_xlsx
from rm_match.io.write import FORMULA_PREFIXES, neutralise_formula, write_matching

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_no_formula(cells) -> None:
    """No text cell starts with a formula character (numbers may be negative)."""
    for cell in cells:
        if isinstance(cell, str) and not _is_number(cell):
            assert not cell.startswith(FORMULA_PREFIXES), repr(cell)


@pytest.fixture(scope="module")
def hostile():
    """A matching whose ids, carried columns and reasons are all hostile."""
    n_m, n_e = len(HOSTILE) + 2, len(HOSTILE)
    m_ids = [*HOSTILE, "j1", "j2"]
    e_ids = [f"{h}e" for h in HOSTILE]
    rng = np.random.default_rng(0)
    mentors = People(
        m_ids, skills=["a", "b"], offers=rng.random((n_m, 2)), wants=rng.random((n_m, 2))
    )
    mentees = People(
        e_ids, skills=["a", "b"], offers=rng.random((n_e, 2)), wants=rng.random((n_e, 2))
    )
    result = match(mentors, mentees)
    assert len(result.unmatched_mentors) == 2
    # reasons written by hand: rm_match's own never start so, a peer's answer might
    result = dataclasses.replace(
        result,
        unmatched_mentors={pid: HOSTILE[k] for k, pid in enumerate(result.unmatched_mentors)},
    )
    mc = {
        pid: {"Name": HOSTILE[k % 6], HOSTILE[1]: HOSTILE[(k + 1) % 6]}
        for k, pid in enumerate(m_ids)
    }
    ec = {pid: {"Name": HOSTILE[(k + 2) % 6], "Score": -1.5} for k, pid in enumerate(e_ids)}
    return result, mc, ec


@pytest.fixture(scope="module")
def plain():
    mentors, mentees = rm.synthetic.cohort(30, 25, rng=1)
    result = match(mentors, mentees, Programme(diversity_attributes=("gender",)))
    mc = {pid: {"Name": f"Mentor {pid}", "Work email": f"{pid}@example.com"} for pid in mentors.ids}
    ec = {pid: {"Name": f"Mentee {pid}"} for pid in mentees.ids}
    return result, mc, ec


# -- the guard ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_neutralise_formula_quotes_hostile_text(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Ada", "", " =1", "1+1", "'=1", -2, -2.5, 0, None, True])
def test_neutralise_formula_leaves_the_rest(value):
    assert neutralise_formula(value) is value


# -- CSV ----------------------------------------------------------------------------------------


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_writes_three_files_with_carried_columns(tmp_path, plain):
    result, mc, ec = plain
    files = write_matching(result, tmp_path / "out.csv", mentor_columns=mc, mentee_columns=ec)
    assert [f.name for f in files] == ["out.csv", "out_unmatched.csv", "out_summary.csv"]
    assert files[0].read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    header, *rows = _read_csv(files[0])
    assert header[:5] == ["mentor", "mentee", "mentor_Name", "mentor_Work email", "mentee_Name"]
    assert "diversity" not in header  # speaks of protected attributes: never in a file
    assert "diversity" in result.to_records()[0]
    assert len(rows) == len(result)
    col = {name: k for k, name in enumerate(header)}
    for row, pair in zip(rows, result.pairs, strict=True):
        assert row[col["mentor"]] == pair.mentor and row[col["mentee"]] == pair.mentee
        assert row[col["mentor_Name"]] == f"Mentor {pair.mentor}"
        assert float(row[col["score"]]) == pair.score
        assert row[col["mentor_teaches"]] == "; ".join(pair.mentor_teaches)
        assert row[col["required"]] == "False" and row[col["reason"]] == pair.reason
    header, *rows = _read_csv(files[1])
    assert header == ["side", "id", "Name", "Work email", "reason", "reason_kind"]
    assert [r[1] for r in rows] == list(result.unmatched_mentors)
    assert {r[-1] for r in rows} == {"partners_full"}
    summary = dict(_read_csv(files[2])[1:])
    assert summary["pairs"] == "25" and summary["mentors"] == "30"
    assert summary["mentees matched"] == "25" and summary["status"] == "optimal"
    assert summary["unmatched mentors: partners_full"] == "5"
    assert float(summary["mean score"]) == pytest.approx(result.report.mean_score)
    assert not any("Mentor" in value for value in summary.values())  # aggregates only


def test_csv_neutralises_hostile_cells(tmp_path, hostile):
    result, mc, ec = hostile
    files = write_matching(
        result,
        tmp_path / "p.CSV",
        mentor_columns=mc,
        mentee_columns=ec,
        summary_extra={"note": "@SUM(A1)", "=key": 1},
    )
    cells = [cell for f in files for row in _read_csv(f) for cell in row]
    _assert_no_formula(cells)
    for text in HOSTILE:  # each came back, quoted
        assert "'" + text in cells
    assert "-1.5" in cells  # a negative number stays a number
    header = _read_csv(files[0])[0]
    assert f"mentor_{HOSTILE[1]}" in header  # a header starting "mentor_" is safe as it is
    assert "'=key" in cells


# -- xlsx ---------------------------------------------------------------------------------------


def test_xlsx_reads_back(tmp_path, plain):
    openpyxl = pytest.importorskip("openpyxl")
    result, mc, ec = plain
    (path,) = write_matching(
        result,
        tmp_path / "out.xlsx",
        mentor_columns=mc,
        mentee_columns=ec,
        summary_extra={"run": 3},
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["pairs", "unmatched", "summary"]
    header, *rows = book["pairs"].iter_rows(values_only=True)
    assert header[:5] == ("mentor", "mentee", "mentor_Name", "mentor_Work email", "mentee_Name")
    assert "diversity" not in header
    col = {name: k for k, name in enumerate(header)}
    for row, pair in zip(rows, result.pairs, strict=True):
        assert (row[col["mentor"]], row[col["mentee"]]) == (pair.mentor, pair.mentee)
        assert row[col["mentor_Work email"]] == f"{pair.mentor}@example.com"
        assert row[col["score"]] == pair.score  # a number, exactly
        assert row[col["required"]] is False
        assert row[col["mentee_teaches"]] == "; ".join(pair.mentee_teaches)
    header, *rows = book["unmatched"].iter_rows(values_only=True)
    assert header == ("side", "id", "Name", "Work email", "reason", "reason_kind")
    assert [r[1] for r in rows] == list(result.unmatched_mentors)
    summary = dict(book["summary"].iter_rows(min_row=2, values_only=True))
    assert summary["pairs"] == 25 and summary["mentors matched"] == 25
    assert summary["objective"] == result.objective and summary["run"] == 3


def test_xlsx_neutralises_hostile_cells(tmp_path, hostile):
    openpyxl = pytest.importorskip("openpyxl")
    result, mc, ec = hostile
    (path,) = write_matching(result, tmp_path / "p.xlsx", mentor_columns=mc, mentee_columns=ec)
    book = openpyxl.load_workbook(path)
    cells = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row]
    _assert_no_formula(cells)
    for text in HOSTILE:
        assert "'" + text in cells
    assert -1.5 in cells  # numbers stay numbers
    assert all(cell.data_type != "f" for ws in book for row in ws.iter_rows() for cell in row)


def test_xlsx_is_deterministic(tmp_path, plain):
    result, mc, _ = plain
    a = write_matching(result, tmp_path / "a.xlsx", mentor_columns=mc)[0].read_bytes()
    b = write_matching(result, tmp_path / "b.xlsx", mentor_columns=mc)[0].read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert archive.testzip() is None
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.namelist()[:5] == [
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
        ]


def test_xlsx_writer_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    rows = [
        ["text", "number", "flag"],
        ['a & <b> "c"', 1.5, True],
        ["bad\x00\x01\x0b\ud800 chars", float("nan"), False],
        ["é ñ 日本 🙂", 10**17, None],
        ["two\nlines", -3, np.float64(0.25)],
        ["\r=1", np.int64(7), np.bool_(True)],
    ]
    path = write_xlsx(tmp_path / "t.xlsx", [("a" * 31, rows), ("x y", [["only"]])])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["a" * 31, "x y"]
    got = list(book["a" * 31].iter_rows(values_only=True))
    assert got == [
        ("text", "number", "flag"),
        ('a & <b> "c"', 1.5, True),
        ("bad chars", None, False),
        ("é ñ 日本 🙂", "100000000000000000", None),  # beyond 15 digits: text, kept exact
        ("two\nlines", -3, 0.25),
        ("\r=1", 7, True),  # the writer keeps text as given: the guard is the caller's
    ]
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")  # never a formula


def test_xlsx_escapes_excel_escapes(tmp_path):
    # Excel reads "_x003D_" as "=": a literal one is written "_x005F_x003D_" (ECMA-376)
    path = write_xlsx(tmp_path / "e.xlsx", [("s", [["_x003D_HYPERLINK()"]])])
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "_x005F_x003D_HYPERLINK()" in xml


@pytest.mark.parametrize(
    ("sheets", "match"),
    [
        ([], "at least one sheet"),
        ([("a" * 32, [])], "not valid"),
        ([("a/b", [])], "not valid"),
        ([("'a", [])], "not valid"),
        ([("", [])], "not valid"),
        ([("Data", []), ("data", [])], "used twice"),
        ([("s", [["x" * 32768]])], "cell A1 holds 32768 characters"),
    ],
)
def test_xlsx_writer_rejects(tmp_path, sheets, match):
    with pytest.raises(ValidationError, match=match):
        write_xlsx(tmp_path / "bad.xlsx", sheets)
    assert not (tmp_path / "bad.xlsx").exists()


def test_column_letter():
    assert [column_letter(k) for k in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


# -- JSON ---------------------------------------------------------------------------------------


def _no_nan(text: str) -> None:
    raise AssertionError(f"non-finite number {text} in JSON")


def test_json_holds_to_dict_with_carried_columns(tmp_path, plain):
    result, mc, ec = plain
    (path,) = write_matching(result, tmp_path / "out.json", mentor_columns=mc, mentee_columns=ec)
    data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_nan)
    expected = result.to_dict()
    assert set(data) == set(expected)
    for key in ("objective", "bound", "gap", "status", "method", "policy", "goals", "report"):
        assert data[key] == expected[key]
    assert len(data["pairs"]) == len(result)
    for got, pair in zip(data["pairs"], result.pairs, strict=True):
        assert got["mentor"] == pair.mentor and got["score"] == pair.score
        assert got["mentor_Name"] == f"Mentor {pair.mentor}"
        assert got["mentee_Name"] == f"Mentee {pair.mentee}"
        assert got["mentor_teaches"] == list(pair.mentor_teaches)
        assert "diversity" not in got
    (first, *_) = data["unmatched"]["mentors"]
    assert first["Name"] == f"Mentor {first['id']}" and first["reason_kind"] == "partners_full"
    assert data["unmatched"]["mentees"] == []


def test_json_keeps_text_as_data(tmp_path, hostile):
    result, mc, ec = hostile
    (path,) = write_matching(result, tmp_path / "p.json", mentor_columns=mc, mentee_columns=ec)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {p["mentor"] for p in data["pairs"]} <= {*HOSTILE, "j1", "j2"}  # not a spreadsheet


# -- arguments and edge cases -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.txt", "out", "out.xls", "out.csv.gz"])
def test_unknown_suffix(tmp_path, plain, name):
    result, _, _ = plain
    with pytest.raises(ValidationError, match=r"must end in \.xlsx, \.csv, \.json") as exc:
        write_matching(result, tmp_path / name)
    assert exc.value.argument == "path"
    suffix = Path(name).suffix
    assert (repr(suffix) if suffix else "no suffix") in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments(tmp_path, plain):
    result, _, _ = plain
    with pytest.raises(ValidationError, match="`matching` must be a Matching") as exc:
        write_matching(result.assignment, tmp_path / "a.csv")
    assert exc.value.argument == "matching"
    with pytest.raises(ValidationError, match="`path` must be a file path"):
        write_matching(result, 3)
    with pytest.raises(ValidationError, match="`summary_extra` must be a mapping") as exc:
        write_matching(result, tmp_path / "a.csv", summary_extra={1: "x"})
    assert exc.value.argument == "summary_extra"
    with pytest.raises(ValidationError, match="`mentee_columns`") as exc:
        write_matching(result, tmp_path / "a.csv", mentee_columns={"S0001": ["Ada"]})
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_no_pairs_and_small_cohorts(tmp_path, suffix):
    # 3 pairs: the summary's means are suppressed; no pairs: headers only
    result = match(*rm.synthetic.cohort(3, 3, rng=0), Programme(diversity_attributes=("gender",)))
    files = write_matching(result, tmp_path / f"small{suffix}")
    empty = dataclasses.replace(result, pairs=())
    files += write_matching(empty, tmp_path / f"empty{suffix}")
    if suffix == ".csv":
        summary = dict(_read_csv(tmp_path / "small_summary.csv")[1:])
        assert (
            summary["mean score"] == summary["mean diversity"] == "suppressed (fewer than 5 pairs)"
        )
        assert _read_csv(tmp_path / "empty.csv")[1:] == []
    elif suffix == ".xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.load_workbook(tmp_path / "empty.xlsx")
        assert len(list(book["pairs"].iter_rows())) == 1
    else:
        assert json.loads((tmp_path / "empty.json").read_text())["pairs"] == []
    assert all(f.exists() for f in files)


def test_an_overlong_cell_is_named_by_sheet_row_and_column(tmp_path):
    from rm_match.io._xlsx import write_xlsx

    rows = [["name", "bio"], ["x", "y" * 40_000]]
    with pytest.raises(ValidationError, match=r"sheet 'pairs', row 2, column 'bio': cell B2 holds"):
        write_xlsx(tmp_path / "a.xlsx", [("pairs", rows)])
