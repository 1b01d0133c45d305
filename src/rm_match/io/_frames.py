"""Tables as columns of raw cells: files (CSV, TSV, Excel, Parquet), DataFrames and mappings.

:func:`read_table` turns any accepted source into a :class:`Table`: the header, one list of
raw cells per column and each record's row number. Nothing is parsed here (that is
:mod:`rm_match.io.read`'s job); the optional libraries are imported only when a source needs
them, and CSV needs none.
"""

from __future__ import annotations

import csv
import math
import numbers
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ValidationError

__all__ = ["SUFFIXES", "Table", "field_columns", "number", "read_table"]

#: File suffixes read, and how.
SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "txt",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class Table:
    """A table as read: raw cells by column, and where each record came from.

    Attributes
    ----------
    name : str
        The file as given, or ``"<DataFrame>"`` / ``"<table>"`` (with the side's role, e.g.
        ``"<mentors DataFrame>"``, when one was given).
    columns : dict of str to list
        Header name (stripped) → cells, one per record, as read.
    rows : sequence of int
        Each record's row: in a file, the spreadsheet row (header row 1, first record row 2,
        blank rows skipped but counted); in a DataFrame or mapping, the 0-based position.
    positional : bool
        Whether ``rows`` are positions (DataFrames, mappings) rather than file rows.
    duplicated : frozenset of str
        Header names that occur more than once (their first column is kept), in a file or a
        DataFrame.
    ragged : tuple of int
        File rows with non-empty cells beyond the header's width (such a row is kept even
        when its cells under the header are all blank).

    Examples
    --------
    >>> t = read_table({"id": ["a", "b"], "dept": ["IT", None]})
    >>> t.name, list(t.columns), list(t.rows), len(t)
    ('<table>', ['id', 'dept'], [0, 1], 2)
    """

    name: str
    columns: dict[str, list[Any]]
    rows: Sequence[int]
    positional: bool
    duplicated: frozenset[str] = frozenset()
    ragged: tuple[int, ...] = field(default=())

    def __len__(self) -> int:
        return len(self.rows)

    def where(self, row: int) -> str:
        """How a record is named in messages: ``"row 5"``, or ``"position 3"`` in a frame."""
        return f"{'position' if self.positional else 'row'} {row}"


def read_table(
    source: object,
    *,
    sheet: str | int | None = None,
    argument: str = "source",
    role: str | None = None,
) -> Table:
    """Read a file path, a DataFrame or a mapping of columns into a :class:`Table`.

    Parameters
    ----------
    source : str, os.PathLike, DataFrame or mapping
        A ``.csv`` (comma), ``.tsv`` (tab) or ``.txt`` (tab if the header has one, else comma)
        file read as UTF-8 (a byte-order mark is skipped; a quote never closed is an error,
        and cells may be of any length); an ``.xlsx``/``.xlsm`` workbook
        (needs ``openpyxl``); a ``.parquet`` file (needs ``pyarrow``); a pandas, polars or
        pyarrow table (through ``narwhals`` when installed); or a mapping of column name to
        a sequence of cells.
    sheet : str or int, optional
        The worksheet of an Excel file (name or 0-based index); the active one by default.
    argument : str
        The argument name errors carry (``"mentors"``, ``"mentees"``, ``"source"``).
    role : str, optional
        Named in the table's name when it is no file (``"<mentors DataFrame>"``).

    Raises
    ------
    ValidationError
        For a missing or unreadable file, an unknown suffix, a file without a header, a
        mapping of unequal columns, or a source of another type.
    ImportError
        When the optional library a file format needs is not installed.

    Examples
    --------
    >>> read_table({"id": ["a"], "email": ["a@x.org"]}, role="mentors").name
    '<mentors table>'
    """
    if (sheet is not None and not isinstance(sheet, (str, int))) or isinstance(sheet, bool):
        raise ValidationError(
            f"`sheet` must be a worksheet name, a 0-based index or None; got "
            f"{type(sheet).__name__}.",
            argument="sheet",
        )
    prefix = f"{role} " if role else ""
    if isinstance(source, (str, os.PathLike)):
        return _read_file(source, sheet, argument)
    if sheet is not None:
        raise ValidationError(
            f"`sheet` applies to Excel files only; `{argument}` is a {type(source).__name__}.",
            argument="sheet",
        )
    if isinstance(source, Mapping):
        return _from_mapping(source, f"<{prefix}table>", argument)
    source, duplicated = _unique_columns(source)
    columns = _frame_columns(source)
    if columns is None:
        raise ValidationError(
            f"`{argument}` must be a file path, a DataFrame (pandas, polars, pyarrow) or a "
            f"mapping of column name to values; got {type(source).__name__}.",
            argument=argument,
        )
    table = _from_mapping(columns, f"<{prefix}DataFrame>", argument)
    return replace(table, duplicated=table.duplicated | duplicated) if duplicated else table


# -- mappings and DataFrames -------------------------------------------------------------------


def _as_list(values: object) -> list[Any]:
    tolist = getattr(values, "tolist", None)  # numpy arrays: Python scalars
    if callable(tolist) and type(values).__module__.startswith("numpy"):
        out = tolist()
        if isinstance(out, list):
            return out
    if isinstance(values, (str, bytes, Mapping)):
        raise TypeError
    return list(values)  # type: ignore[call-overload]


def _from_mapping(data: Mapping[Any, Any], name: str, argument: str) -> Table:
    columns: dict[str, list[Any]] = {}
    duplicated: set[str] = set()
    n = None
    for key, values in data.items():
        header = str(key).strip()
        try:
            cells = _as_list(values)
        except TypeError:
            raise ValidationError(
                f"`{argument}`: column {header!r} must be a sequence of cells; got "
                f"{type(values).__name__}.",
                argument=argument,
                file=name,
                column=header,
            ) from None
        if n is None:
            n = len(cells)
        elif len(cells) != n:
            raise ValidationError(
                f"`{argument}`: column {header!r} has {len(cells)} cells; the first column has "
                f"{n}.",
                argument=argument,
                file=name,
                column=header,
            )
        if header in columns:
            duplicated.add(header)
        else:
            columns[header] = cells
    return Table(name, columns, range(n or 0), True, frozenset(duplicated))


def _unique_columns(frame: object) -> tuple[object, frozenset[str]]:
    """A pandas or pyarrow table with the first of each duplicated column name only (their
    own conversions would keep the last, silently), and the names that were duplicated."""
    module = type(frame).__module__.split(".")[0]
    if module == "pandas" and type(frame).__name__ == "DataFrame":
        names = list(frame.columns)  # type: ignore[attr-defined]
    elif module == "pyarrow" and type(frame).__name__ in ("Table", "RecordBatch"):
        names = list(frame.column_names)  # type: ignore[attr-defined]
    else:
        return frame, frozenset()
    first: dict[str, int] = {}
    duplicated = set()
    for j, name in enumerate(names):
        key = str(name).strip()
        if key in first:
            duplicated.add(key)
        else:
            first[key] = j
    if not duplicated:
        return frame, frozenset()
    keep = list(first.values())
    if module == "pandas":
        return frame.iloc[:, keep], frozenset(duplicated)  # type: ignore[attr-defined]
    return frame.select(keep), frozenset(duplicated)  # type: ignore[attr-defined]


def _frame_columns(frame: object) -> dict[str, list[Any]] | None:
    """Column name → Python values of a pandas / polars / pyarrow table (or any table narwhals
    knows), or None for anything else."""
    try:
        import narwhals.stable.v1 as nw
    except ImportError:
        pass
    else:
        try:
            df = nw.from_native(frame, eager_only=True, pass_through=True)
            if isinstance(df, nw.DataFrame):
                return {str(c): df.get_column(c).to_list() for c in df.columns}
        except Exception:  # e.g. non-string column names: try the libraries' own methods
            pass
    module = type(frame).__module__.split(".")[0]
    kind = type(frame).__name__
    if module == "pyarrow" and kind in ("Table", "RecordBatch"):
        out = frame.to_pydict()  # type: ignore[attr-defined]
    elif module == "polars" and kind == "DataFrame":
        out = frame.to_dict(as_series=False)  # type: ignore[attr-defined]
    elif module == "pandas" and kind == "DataFrame":  # not a Series: it has a to_dict too
        out = frame.to_dict("list")  # type: ignore[attr-defined]
    else:
        return None
    return {str(k): list(v) for k, v in out.items()}


# -- files ---------------------------------------------------------------------------------------


def _read_file(source: str | os.PathLike[str], sheet: str | int | None, argument: str) -> Table:
    name = os.fspath(source)
    if not isinstance(name, str):
        raise ValidationError(f"`{argument}` must be a text path; got bytes.", argument=argument)
    path = Path(name)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ValidationError(
            f"`{argument}`: cannot read {name!r}: unknown file type {path.suffix!r}; use "
            f"{', '.join(SUFFIXES)}, or pass a DataFrame.",
            argument=argument,
            file=name,
        )
    if not path.exists():
        raise ValidationError(f"`{argument}`: no such file {name!r}.", argument=argument, file=name)
    if not path.is_file():
        raise ValidationError(
            f"`{argument}`: {name!r} is not a file.", argument=argument, file=name
        )
    if sheet is not None and kind != "excel":
        raise ValidationError(
            f"`sheet` applies to Excel files only; {name!r} is not one.", argument="sheet"
        )
    try:
        if kind == "excel":
            records, first = _excel_records(path, name, sheet, argument)
        elif kind == "parquet":
            return _read_parquet(path, name, argument)
        else:
            records, first = _csv_records(path, name, kind, argument), 1
    except OSError as e:
        raise ValidationError(
            f"`{argument}`: cannot read {name!r} ({type(e).__name__}).",
            argument=argument,
            file=name,
        ) from None
    return _from_records(records, first, name, argument)


#: The longest cell a CSV file may hold while it is read (the csv module's default, 131 072
#: characters, would reject a long carried cell, and the whole file with it).
_FIELD_LIMIT = 2**31 - 1


def _csv_records(path: Path, name: str, kind: str, argument: str) -> list[list[Any]]:
    limit = csv.field_size_limit(_FIELD_LIMIT)  # process-wide: restored below
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            return _csv_rows(f, name, kind, argument)
    finally:
        csv.field_size_limit(limit)


def _csv_rows(f: Any, name: str, kind: str, argument: str) -> list[list[Any]]:
    records: list[list[Any]] = []
    line = 0  # the last line of the last record read
    try:
        if kind == "txt":
            head = f.readline()
            f.seek(0)
            delimiter = "\t" if "\t" in head else ","
        else:
            delimiter = "\t" if kind == "tsv" else ","
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        append = records.append
        for record in reader:
            append(record)
            line = reader.line_num
    except UnicodeDecodeError:
        raise ValidationError(
            f"`{argument}`: {name!r} is not UTF-8 text; save it as 'CSV UTF-8'.",
            argument=argument,
            file=name,
        ) from None
    except csv.Error as e:
        row = len(records) + 1  # records are rows, as a spreadsheet numbers them
        if "unexpected end of data" in str(e):
            what = (
                f"a quote opened in row {row} (line {line + 1}) is never closed, so the rest "
                "of the file would read as one cell; close it (a quote inside a quoted cell "
                'is written twice: "")'
            )
        else:
            what = f"row {row} (line {reader.line_num}) is not valid CSV ({e})"
        raise ValidationError(
            f"`{argument}`: {name!r}: {what}.", argument=argument, file=name, row=row
        ) from None
    return records


def _excel_records(
    path: Path, name: str, sheet: str | int | None, argument: str
) -> tuple[list[Any], int]:
    try:
        import openpyxl
    except ImportError:
        raise ImportError(
            f"reading the Excel file {name!r} needs openpyxl: pip install 'rm-match[excel]'"
        ) from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, InvalidFileException, KeyError, ...
        raise ValidationError(
            f"`{argument}`: cannot read {name!r} as an Excel workbook ({type(e).__name__}).",
            argument=argument,
            file=name,
        ) from None
    try:
        names = wb.sheetnames
        if sheet is None:
            ws = wb.active if wb.active is not None else wb[names[0]]
        elif isinstance(sheet, int):
            if not -len(names) <= sheet < len(names):
                raise ValidationError(
                    f"`sheet` {sheet} is out of range: {name!r} has {len(names)} sheet(s).",
                    argument="sheet",
                    file=name,
                )
            ws = wb[names[sheet]]
        else:
            if sheet not in names:
                raise ValidationError(
                    f"`sheet` {sheet!r} is not in {name!r}; its sheets are {names}.",
                    argument="sheet",
                    file=name,
                )
            ws = wb[sheet]
        return [list(r) for r in ws.iter_rows(min_row=1, values_only=True)], 1
    finally:
        wb.close()


def _read_parquet(path: Path, name: str, argument: str) -> Table:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(
            f"reading the Parquet file {name!r} needs pyarrow: pip install 'rm-match[parquet]'"
        ) from None
    try:
        data = pq.read_table(path).to_pydict()
    except (ValueError, OSError) as e:  # pyarrow.ArrowInvalid is a ValueError
        raise ValidationError(
            f"`{argument}`: cannot read {name!r} as a Parquet file ({type(e).__name__}).",
            argument=argument,
            file=name,
        ) from None
    table = _from_mapping(data, name, argument)
    # a Parquet file has no spreadsheet rows: count like one (header row 1)
    return Table(name, table.columns, range(2, len(table) + 2), False, table.duplicated)


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _blank_row(rec: list[Any]) -> bool:
    try:
        return not "".join(rec).strip()  # CSV: all text, and fast
    except TypeError:  # Excel: numbers, dates, None
        return all(map(_blank, rec))


def _from_records(records: list[Any], first: int, name: str, argument: str) -> Table:
    """Header (the first non-blank record) and columns of a list of records; records are
    numbered from ``first``."""
    start = next((i for i, r in enumerate(records) if not _blank_row(r)), None)
    if start is None:
        raise ValidationError(
            f"`{argument}`: {name!r} is empty (no header row).", argument=argument, file=name
        )
    header = ["" if h is None else str(h).strip() for h in records[start]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    body = records[start + 1 :]
    blank = [_blank_row(r) for r in body]  # the whole record: cells beyond the header count
    ragged = []
    if any(len(r) != width for r in body):
        fitted = []
        for num, rec in enumerate(body, start=first + start + 1):
            if len(rec) > width:
                if not _blank_row(rec[width:]):
                    ragged.append(num)
                rec = rec[:width]
            elif len(rec) < width:
                rec = [*rec, *([None] * (width - len(rec)))]
            fitted.append(rec)
        body = fitted
    rows: Sequence[int] = range(first + start + 1, first + start + 1 + len(body))
    if any(blank):
        rows = [num for num, b in zip(rows, blank, strict=True) if not b]
        body = [r for r, b in zip(body, blank, strict=True) if not b]
    cols = list(zip(*body, strict=True)) if body else [() for _ in header]
    columns: dict[str, list[Any]] = {}
    duplicated = set()
    for h, cells in zip(header, cols, strict=True):
        if not h:
            continue
        if h in columns:
            duplicated.add(h)
        else:
            columns[h] = list(cells)
    return Table(name, columns, rows, False, frozenset(duplicated), tuple(ragged))


def field_columns(
    columns: object, fields: Sequence[str], header: Sequence[str], what: str
) -> dict[str, str]:
    """Field → column header of a long-format table (feedback, preferences): each field's
    own name where the header has it, then the caller's ``columns`` mapping (checked: a
    mapping of known fields to non-empty names); whether each named column is in the table
    is the caller's to say."""
    out = {f: f for f in fields if f in header}
    if columns is None:
        return out
    if not isinstance(columns, Mapping):
        raise ValidationError(
            f"`columns` must be a mapping of {what} field to column name; got "
            f"{type(columns).__name__}.",
            argument="columns",
        )
    for key, name in columns.items():
        if key not in fields:
            raise ValidationError(
                f"unknown {what} field {key!r} in `columns`; the fields are {list(fields)}.",
                argument="columns",
            )
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(f"`columns[{key!r}]` must be a column name.", argument="columns")
        out[key] = name.strip()
    return out


def number(value: object) -> float | None:
    """A cell as a finite number (a number, or a numeric text), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return x if math.isfinite(x) else None
