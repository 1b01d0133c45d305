"""A small ``.xlsx`` writer: zipfile and Office Open XML (SpreadsheetML), no extras needed.

Enough of ECMA-376 for tables of values: one worksheet per table, strings as inline strings
(``t="inlineStr"``, no shared-strings part), finite numbers, booleans and blanks; a bold,
frozen header row; column widths from the longest value. Text is XML-escaped, characters
that XML 1.0 forbids are dropped, and a literal ``_xHHHH_`` is escaped so that Excel shows it
as written. The output is deterministic: same tables, same bytes (fixed zip timestamps).

Cells are written as they come: neutralising spreadsheet formulas is the caller's job (see
:func:`rm_match.io.write.neutralise_formula`); an inline string is never evaluated as a
formula by Excel anyway, but a copy saved back to CSV would be.

The parts written::

    [Content_Types].xml
    _rels/.rels
    xl/workbook.xml
    xl/_rels/workbook.xml.rels
    xl/styles.xml
    xl/worksheets/sheet1.xml, sheet2.xml, ...
"""

from __future__ import annotations

import math
import numbers
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from ..errors import ValidationError

__all__ = ["MAX_CELL_CHARS", "MAX_SHEET_NAME", "column_letter", "write_xlsx"]

#: Excel's limits: characters in a cell, in a sheet name; rows and columns of a sheet.
MAX_CELL_CHARS = 32767
MAX_SHEET_NAME = 31
_MAX_ROWS = 1_048_576
_MAX_COLS = 16_384

#: Integers beyond this are written as text: Excel keeps 15 significant digits.
_MAX_EXACT_INT = 10**15 - 1

# Characters XML 1.0 forbids (C0 controls but tab, newline and carriage return; lone
# surrogates; U+FFFE and U+FFFF).
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A literal ``_xHHHH_`` would be read by Excel as an escaped character: escape its ``_``.
_EXCEL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_BAD_SHEET_CHARS = set("[]:*?/\\")

# Fixed timestamp for every zip member (the zip epoch): deterministic output.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG = "http://schemas.openxmlformats.org/package/2006"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_STYLES = (
    f'{_DECL}<styleSheet xmlns="{_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """The spreadsheet name of the 0-based column ``index``: ``A`` … ``Z``, ``AA`` ….

    Examples
    --------
    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _text(value: str) -> str:
    """``value`` as XML element content: illegal characters dropped, ``_xHHHH_`` escaped,
    ``& < >`` escaped and carriage returns kept (as ``&#13;``, which no parser folds)."""
    value = _ILLEGAL_XML.sub("", value)
    value = _EXCEL_ESCAPE.sub(r"_x005F_\1", value)
    return escape(value, {"\r": "&#13;"})


def _cell(ref: str, value: Any, style: str) -> str:
    """One ``<c>`` element, or ``""`` for a blank (``None``, a non-finite number)."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Integral) and abs(int(value)) <= _MAX_EXACT_INT:
        return f'<c r="{ref}"{style}><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        number = float(value)
        if not math.isfinite(number):
            return ""
        return f'<c r="{ref}"{style}><v>{number!r}</v></c>'
    text = str(value)
    if len(text) > MAX_CELL_CHARS:
        raise ValidationError(
            f"cell {ref} holds {len(text)} characters; a spreadsheet cell holds at most "
            f"{MAX_CELL_CHARS}.",
            argument="value",
        )
    return (
        f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>'
    )


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return min(len(f"{value:.10g}"), 12)
    return max((len(line) for line in str(value).splitlines()), default=0)


def _sheet(rows: Sequence[Sequence[Any]], *, header: bool, name: str = "") -> str:
    """The worksheet XML of ``rows`` (the first one bold and frozen when ``header``)."""
    n_cols = max((len(row) for row in rows), default=0)
    if len(rows) > _MAX_ROWS or n_cols > _MAX_COLS:
        raise ValidationError(
            f"a sheet holds at most {_MAX_ROWS} rows and {_MAX_COLS} columns; got {len(rows)} "
            f"rows and {n_cols} columns.",
            argument="rows",
        )
    letters = [column_letter(j) for j in range(n_cols)]
    widths = [0] * n_cols
    body = []
    for i, row in enumerate(rows, start=1):
        style = ' s="1"' if header and i == 1 else ""
        cells = []
        for j, value in enumerate(row):
            try:
                cells.append(_cell(f"{letters[j]}{i}", value, style))
            except ValidationError as exc:  # say where: sheet, row and column
                column = rows[0][j] if header and rows and j < len(rows[0]) else letters[j]
                raise ValidationError(
                    f"sheet {name!r}, row {i}, column {column!r}: {exc}",
                    argument=exc.argument,
                    row=i,
                    column=str(column),
                ) from None
            widths[j] = max(widths[j], _width(value))
        body.append(f'<row r="{i}">{"".join(cells)}</row>')
    parts = [f'{_DECL}<worksheet xmlns="{_NS}" xmlns:r="{_NS_R}">']
    if rows and n_cols:
        parts.append(f'<dimension ref="A1:{letters[-1]}{len(rows)}"/>')
    if header and len(rows) > 1:
        parts.append(
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        )
    else:
        parts.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    parts.append('<sheetFormatPr defaultRowHeight="15"/>')
    if n_cols:
        cols = "".join(
            f'<col min="{j + 1}" max="{j + 1}" width="{min(max(w, 6) + 2, 60)}" customWidth="1"/>'
            for j, w in enumerate(widths)
        )
        parts.append(f"<cols>{cols}</cols>")
    parts.append(f"<sheetData>{''.join(body)}</sheetData></worksheet>")
    return "".join(parts)


def _check_names(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if (
            not isinstance(name, str)
            or not 1 <= len(name) <= MAX_SHEET_NAME
            or set(name) & _BAD_SHEET_CHARS
            or name.startswith("'")
            or name.endswith("'")
            or _ILLEGAL_XML.search(name)
        ):
            raise ValidationError(
                f"sheet name {name!r} is not valid: 1 to {MAX_SHEET_NAME} characters, none of "
                "[ ] : * ? / \\, not starting or ending with an apostrophe.",
                argument="sheets",
            )
        if name.casefold() in seen:
            raise ValidationError(f"sheet name {name!r} is used twice.", argument="sheets")
        seen.add(name.casefold())


def write_xlsx(
    path: str | os.PathLike[str],
    sheets: Iterable[tuple[str, Sequence[Sequence[Any]]]],
    *,
    header: bool = True,
) -> Path:
    """Write ``sheets`` — ``(name, rows)`` pairs, each row a sequence of cell values — as one
    ``.xlsx`` workbook at ``path``.

    Parameters
    ----------
    path : str or path-like
        The file to write (replaced if it exists).
    sheets : iterable of (str, sequence of sequences)
        The sheets in order: a name (1 to 31 characters, none of ``[]:*?/\\``, unique
        whatever the case) and its rows. A cell is ``None`` (blank), a ``bool``, an integer
        (beyond 15 digits written as text, which Excel would round), a real number
        (non-finite ones written blank) or anything else, written as its ``str``.
    header : bool, default True
        Whether each sheet's first row is a header: bold, and frozen when scrolling.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValidationError
        On a bad or repeated sheet name, a cell of more than 32 767 characters, or a sheet
        larger than Excel allows.

    Examples
    --------
    >>> import tempfile, zipfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_xlsx(Path(tmp) / "t.xlsx", [("data", [["id", "score"], ["a", 0.5]])])
    ...     names = zipfile.ZipFile(out).namelist()
    >>> names[0], names[-1]
    ('[Content_Types].xml', 'xl/worksheets/sheet1.xml')
    """
    sheets = [(name, list(rows)) for name, rows in sheets]
    if not sheets:
        raise ValidationError("a workbook needs at least one sheet.", argument="sheets")
    _check_names([name for name, _ in sheets])
    n = len(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for k in range(1, n + 1)
    )
    content_types = (
        f'{_DECL}<Types xmlns="{_NS_PKG}/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'{_DECL}<Relationships xmlns="{_NS_PKG}/relationships">'
        f'<Relationship Id="rId1" Type="{_NS_R}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    sheet_list = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{k}" r:id="rId{k}"/>'
        for k, (name, _) in enumerate(sheets, start=1)
    )
    workbook = (
        f'{_DECL}<workbook xmlns="{_NS}" xmlns:r="{_NS_R}">'
        f'<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheet_list}</sheets></workbook>"
    )
    workbook_rels = (
        f'{_DECL}<Relationships xmlns="{_NS_PKG}/relationships">'
        + "".join(
            f'<Relationship Id="rId{k}" Type="{_NS_R}/worksheet" Target="worksheets/sheet{k}.xml"/>'
            for k in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_NS_R}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    parts = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", workbook_rels),
        ("xl/styles.xml", _STYLES),
    ]
    parts += [
        (f"xl/worksheets/sheet{k}.xml", _sheet(rows, header=header, name=name))
        for k, (name, rows) in enumerate(sheets, start=1)
    ]
    path = Path(path)
    with zipfile.ZipFile(path, "w") as archive:
        for name, xml in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            archive.writestr(info, xml.encode("utf-8"))
    return path
