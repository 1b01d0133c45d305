"""Sources into tables: CSV, TSV, TXT, Excel, Parquet, DataFrames and mappings."""

import csv
import subprocess
import sys

import numpy as np
import pytest

from rm_match.errors import ValidationError
from rm_match.io._frames import read_table

ROWS = [["id", "dept", "grade"], ["a", "IT", "3"], ["b", "", "4"]]


def write_csv(path, rows, delimiter=",", bom=False):
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"
    path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8")
    return path


def test_csv_with_bom_and_rows(tmp_path):
    t = read_table(write_csv(tmp_path / "m.csv", ROWS, bom=True))
    assert list(t.columns) == ["id", "dept", "grade"]
    assert t.columns["id"] == ["a", "b"] and t.columns["dept"] == ["IT", ""]
    assert list(t.rows) == [2, 3] and not t.positional
    assert t.name == str(tmp_path / "m.csv") and t.where(2) == "row 2"


def test_blank_rows_are_skipped_but_counted(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("\n id , dept \na,IT\n,\n\nb,HR\n , \n", encoding="utf-8")
    t = read_table(path)
    assert list(t.columns) == ["id", "dept"]  # header names stripped
    assert t.columns["id"] == ["a", "b"]
    assert list(t.rows) == [3, 6]  # the header is row 2 here, "b" is on row 6


def test_quoted_cells_with_separators_and_line_breaks(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('id,langs\na,"English, German"\nb,"x\ny"\nc,z\n', encoding="utf-8")
    t = read_table(path)
    assert t.columns["langs"] == ["English, German", "x\ny", "z"]
    assert list(t.rows) == [2, 3, 4]  # records, as a spreadsheet numbers them


def test_tsv_and_txt(tmp_path):
    t = read_table(write_csv(tmp_path / "m.tsv", ROWS, delimiter="\t"))
    assert t.columns["grade"] == ["3", "4"]
    t = read_table(write_csv(tmp_path / "tab.txt", ROWS, delimiter="\t"))
    assert t.columns["grade"] == ["3", "4"]
    t = read_table(write_csv(tmp_path / "comma.txt", ROWS))
    assert t.columns["grade"] == ["3", "4"]


def test_short_rows_padded_long_rows_flagged(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("id,dept,grade\na,IT\nb,HR,3,,\nc,HR,3,oops\n", encoding="utf-8")
    t = read_table(path)
    assert t.columns["grade"] == [None, "3", "3"]
    assert t.ragged == (4,)  # trailing empty cells are no problem


def test_duplicate_headers_are_noted(tmp_path):
    t = read_table(write_csv(tmp_path / "m.csv", [["id", "x", "x"], ["a", "1", "2"]]))
    assert t.columns["x"] == ["1"] and t.duplicated == {"x"}


def test_excel(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Mentors"
    ws.append([None])
    ws.append(["id", "grade", "born"])
    ws.append(["a", 3, 1990])
    ws.append([None, None, None])
    ws.append(["b", 4.0, None])
    other = wb.create_sheet("Mentees")
    other.append(["id"])
    other.append(["x"])
    path = tmp_path / "people.xlsx"
    wb.save(path)
    t = read_table(path)
    assert t.columns["id"] == ["a", "b"] and t.columns["grade"] == [3, 4.0]
    assert list(t.rows) == [3, 5]
    assert read_table(path, sheet="Mentees").columns["id"] == ["x"]
    assert read_table(path, sheet=1).columns["id"] == ["x"]
    with pytest.raises(ValidationError, match=r"`sheet` 'Nope' is not in .*'Mentors', 'Mentees'"):
        read_table(path, sheet="Nope")
    with pytest.raises(ValidationError, match="`sheet` 5 is out of range"):
        read_table(path, sheet=5)


def test_corrupt_excel(tmp_path):
    pytest.importorskip("openpyxl")
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(ValidationError, match=r"cannot read .* as an Excel workbook"):
        read_table(path)


def test_excel_without_openpyxl(tmp_path, monkeypatch):
    path = tmp_path / "people.xlsx"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(ImportError, match=r"pip install 'rm-match\[excel\]'"):
        read_table(path)


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "people.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "grade": [3, None]}), path)
    t = read_table(path)
    assert t.columns == {"id": ["a", "b"], "grade": [3, None]}
    assert list(t.rows) == [2, 3] and not t.positional


def test_parquet_without_pyarrow(tmp_path, monkeypatch):
    path = tmp_path / "people.parquet"
    path.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(ImportError, match=r"pip install 'rm-match\[parquet\]'"):
        read_table(path)


def test_mapping_with_numpy_columns():
    t = read_table({"id": np.array(["a", "b"]), "grade": np.array([3, 4]), 7: [None, 1.5]})
    assert t.columns == {"id": ["a", "b"], "grade": [3, 4], "7": [None, 1.5]}
    assert type(t.columns["grade"][0]) is int
    assert list(t.rows) == [0, 1] and t.positional and t.where(0) == "position 0"


def test_mapping_of_unequal_columns():
    with pytest.raises(ValidationError, match="column 'b' has 1 cells; the first column has 2"):
        read_table({"a": [1, 2], "b": [1]}, argument="mentors")


def test_mapping_with_a_scalar_column():
    with pytest.raises(ValidationError, match="column 'a' must be a sequence of cells"):
        read_table({"a": "abc"})


FRAMES = ["pandas", "polars", "pyarrow"]


def make_frame(kind, data):
    if kind == "pandas":
        return pytest.importorskip("pandas").DataFrame(data)
    if kind == "polars":
        return pytest.importorskip("polars").DataFrame(data, strict=False)
    return pytest.importorskip("pyarrow").table(data)


@pytest.mark.parametrize("narwhals", [True, False])
@pytest.mark.parametrize("kind", FRAMES)
def test_frames(kind, narwhals, monkeypatch):
    if not narwhals:
        monkeypatch.setitem(sys.modules, "narwhals", None)
        monkeypatch.setitem(sys.modules, "narwhals.stable.v1", None)
    frame = make_frame(kind, {"id": ["a", "b", "c"], "grade": [3.0, None, 5.0]})
    t = read_table(frame, role="mentors")
    assert t.name == "<mentors DataFrame>" and t.positional and list(t.rows) == [0, 1, 2]
    assert t.columns["id"] == ["a", "b", "c"]
    grades = t.columns["grade"]
    assert grades[0] == 3.0 and grades[2] == 5.0
    assert grades[1] is None or grades[1] != grades[1]  # None or NaN


def test_unknown_source_type():
    with pytest.raises(ValidationError, match="`mentees` must be a file path, a DataFrame"):
        read_table(42, argument="mentees")


def test_unknown_suffix(tmp_path):
    with pytest.raises(ValidationError, match=r"unknown file type '\.json'"):
        read_table(tmp_path / "people.json")


def test_missing_file(tmp_path):
    with pytest.raises(ValidationError, match=r"`mentors`: no such file .*nobody\.csv") as info:
        read_table(tmp_path / "nobody.csv", argument="mentors")
    assert info.value.argument == "mentors"


def test_directory(tmp_path):
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(ValidationError, match="is not a file"):
        read_table(tmp_path / "dir.csv")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("id,dept\na,Büro\n".encode("latin-1"))
    with pytest.raises(ValidationError, match="not UTF-8 text; save it as 'CSV UTF-8'"):
        read_table(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("\n , \n", encoding="utf-8")
    with pytest.raises(ValidationError, match="is empty"):
        read_table(path)


def test_sheet_only_for_excel(tmp_path):
    with pytest.raises(ValidationError, match="`sheet` applies to Excel files only"):
        read_table(write_csv(tmp_path / "m.csv", ROWS), sheet="x")
    with pytest.raises(ValidationError, match="`sheet` applies to Excel files only"):
        read_table({"id": ["a"]}, sheet=0)
    with pytest.raises(ValidationError, match="`sheet` must be a worksheet name"):
        read_table({"id": ["a"]}, sheet=True)


def test_reading_imports_no_optional_library():
    code = (
        "import sys, rm_match.io.read, rm_match.io.fields, rm_match.io._frames\n"
        "heavy = ('pandas', 'polars', 'pyarrow', 'openpyxl', 'narwhals')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- what the reviewer found -------------------------------------------------------------------


def test_unclosed_quote_names_its_row_and_line(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('id,dept\na1,"IT\na2,HR\n', encoding="utf-8")
    message = r"m\.csv': a quote opened in row 2 \(line 2\) is never closed"
    with pytest.raises(ValidationError, match=message) as info:
        read_table(path)
    assert (info.value.file, info.value.row) == (str(path), 2)


def test_other_bad_quoting_names_its_row(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text('id,dept\n"a\nb",x\nc,"IT"x\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"row 3 \(line 4\) is not valid CSV") as info:
        read_table(path)
    assert info.value.row == 3


def test_long_cells_read_and_the_limit_is_restored(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("id,notes\na," + "x" * 200_000 + "\n", encoding="utf-8")
    before = csv.field_size_limit()
    assert len(read_table(path).columns["notes"][0]) == 200_000
    assert csv.field_size_limit() == before


def test_row_with_cells_only_beyond_the_header_is_kept(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("id,dept\na1,IT\n,,stray\na2,HR\n", encoding="utf-8")
    t = read_table(path)
    assert list(t.rows) == [2, 3, 4] and t.ragged == (3,) and t.columns["id"] == ["a1", "", "a2"]


@pytest.mark.parametrize("kind", ["pandas", "pyarrow"])
def test_duplicate_frame_columns_are_noted_first_kept(kind):
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        frame = pd.DataFrame([["a", "IT", "HR"]], columns=["id", "d", " d "])
    else:
        pa = pytest.importorskip("pyarrow")
        frame = pa.Table.from_arrays([pa.array(["a"]), pa.array(["IT"]), pa.array(["HR"])],
                                     names=["id", "d", "d"])  # fmt: skip
    t = read_table(frame)
    assert t.duplicated == {"d"} and t.columns["d"] == ["IT"] and t.columns["id"] == ["a"]


def test_a_series_is_no_table():
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValidationError, match="`source` must be a file path, a DataFrame"):
        read_table(pd.Series(["a"], name="id"))
