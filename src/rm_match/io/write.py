"""Matchings out: an Excel workbook, CSV files or JSON, with the caller's columns carried
through — and no spreadsheet formula smuggled in by a participant's data.

:func:`write_matching` picks the format by the file's suffix:

==========  =================================================================================
suffix      written
==========  =================================================================================
``.xlsx``   one workbook, sheets ``pairs``, ``unmatched`` and ``summary``
``.csv``    the pairs at ``path``; ``<stem>_unmatched.csv`` and ``<stem>_summary.csv`` beside
            it (UTF-8 with a byte-order mark, so Excel reads accents right; ``\\r\\n`` rows)
``.json``   :meth:`~rm_match.Matching.to_dict` with the carried columns in each pair and
            each unmatched participant (UTF-8, indented, no NaN)
==========  =================================================================================

Only the standard library is needed: no pandas, no openpyxl (the workbook is written by
:mod:`rm_match.io._xlsx`).

**Formula injection** (OWASP "CSV Injection"): a spreadsheet evaluates a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (and some read on after a leading tab or carriage return)
as a formula, so a participant named ``=HYPERLINK("http://evil", "click")`` could run code
or leak data on the programme manager's machine. Every *text* cell of the CSV files and
the workbook — carried columns, ids, reasons, headers, the summary — goes through
:func:`neutralise_formula`, which puts a single quote in front of such text. Numbers stay
numbers (a negative score is written as a number, not as text). JSON is data, not a
spreadsheet, and is written as it is.

**Privacy**: the files hold what the caller asks for — the ids, each pair's score, terms
and reason, the unmatched with their reasons, and the carried columns given. The per-pair
``diversity`` and ``preference`` terms are left out of every file: the first says whether
two people differ on protected attributes, the second what they said of each other in a
survey (:class:`~rm_match.results.PairExplanation`); they stay available in
process through :meth:`~rm_match.Matching.to_records`. The summary holds aggregates only,
those of the :class:`~rm_match.Report` (suppressed below 5 pairs).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import numbers
import os
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..results import (
    PRIVATE_TERMS,
    Matching,
    _json_safe,
    _pair_table,
    _reason_kind,
    _unmatched_table,
)
from ._xlsx import write_xlsx

__all__ = ["FORMULA_PREFIXES", "neutralise_formula", "write_matching"]

#: Leading characters that make a spreadsheet read text as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: Terms never written to a file (see the module docstring).
_PRIVATE_TERMS = PRIVATE_TERMS

#: Text of a summary figure that is withheld (fewer than 5 pairs) or undefined (no pairs).
_SUPPRESSED = "suppressed (fewer than 5 pairs)"
_NO_PAIRS = "n/a (no pairs)"

Table = tuple[list[str], list[dict[str, Any]]]


def neutralise_formula(value: Any) -> Any:
    """``value`` safe to put in a spreadsheet cell: text that starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return gets a leading single quote, so no spreadsheet reads
    it as a formula; anything else (numbers included) comes back unchanged.

    Parameters
    ----------
    value : object
        A cell's value.

    Returns
    -------
    object
        ``"'" + value`` for hostile text, else ``value``.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("-2+3"), neutralise_formula(-2.5), neutralise_formula("Ada")
    ("'-2+3", -2.5, 'Ada')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    """A value as a spreadsheet cell: ``None`` (blank), ``bool``, ``int``, finite ``float``
    or neutralised ``str``. Missing values (NaN, pandas' NA and NaT) are blank, lists are
    joined with ``"; "``, dates written in ISO 8601, anything else as its ``str``.

    >>> _cell(float("nan")), _cell(["a", "b"]), _cell("@SUM(A1)"), _cell(True)
    (None, 'a; b', "'@SUM(A1)", True)
    """
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        value = "; ".join(str(item) for item in value)
    return neutralise_formula(str(value))


def _grid(table: Table) -> list[list[Any]]:
    """A table (column names, row dicts) as rows of safe cells, header first."""
    columns, rows = table
    return [[_cell(c) for c in columns], *([_cell(row.get(c)) for c in columns] for row in rows)]


def _figure(value: float | None, pairs: int) -> float | str:
    if value is not None:
        return value
    return _NO_PAIRS if pairs == 0 else _SUPPRESSED


def _summary(matching: Matching, extra: Mapping[str, Any]) -> Table:
    """The summary as key/value rows: aggregates only."""
    report = matching.report
    n_pairs = len(matching.pairs)
    rows: list[tuple[str, Any]] = [("pairs", n_pairs)]
    if report is not None:
        rows += [
            ("mentors", report.mentors),
            ("mentors matched", report.mentors_matched),
            ("mentees", report.mentees),
            ("mentees matched", report.mentees_matched),
            ("required pairs", report.required_pairs),
        ]
    rows += [
        ("objective", matching.objective),
        ("bound", matching.bound),
        ("gap", matching.gap),
        ("status", matching.status),
        ("method", matching.method),
        ("policy", matching.policy),
        ("time (s)", matching.wall_time),
    ]
    if report is not None:
        rows.append(("mean score", _figure(report.mean_score, n_pairs)))
        rows += [
            (f"mean {term}", _figure(report.mean_terms.get(term), n_pairs)) for term in report.terms
        ]
    for check in matching.goals:
        name = getattr(check, "goal", "goal")
        rows += [
            (f"goal {name}: required", getattr(check, "required", None)),
            (f"goal {name}: achieved", getattr(check, "achieved", None)),
            (f"goal {name}: met", getattr(check, "met", None)),
        ]
    for side, unmatched in (
        ("mentors", matching.unmatched_mentors),
        ("mentees", matching.unmatched_mentees),
    ):
        rows.append((f"unmatched {side}", len(unmatched)))
        if report is not None and side in report.unmatched:
            by_kind: Mapping[str, int] = report.unmatched[side]
        else:
            by_kind = Counter(_reason_kind(r) or "other" for r in unmatched.values())
        rows += [(f"unmatched {side}: {kind}", count) for kind, count in by_kind.items()]
    rows += list(extra.items())
    return ["key", "value"], [{"key": key, "value": value} for key, value in rows]


def _write_csv(path: Path, table: Table) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(_grid(table))
    return path


def _csv(path: Path, pairs: Table, unmatched: Table, summary: Table, _: Matching) -> list[Path]:
    stem = path.with_suffix("")
    return [
        _write_csv(path, pairs),
        _write_csv(stem.with_name(f"{stem.name}_unmatched.csv"), unmatched),
        _write_csv(stem.with_name(f"{stem.name}_summary.csv"), summary),
    ]


def _xlsx(path: Path, pairs: Table, unmatched: Table, summary: Table, _: Matching) -> list[Path]:
    sheets = [("pairs", pairs), ("unmatched", unmatched), ("summary", summary)]
    return [write_xlsx(path, [(name, _grid(table)) for name, table in sheets])]


def _json(path: Path, pairs: Table, unmatched: Table, _: Table, matching: Matching) -> list[Path]:
    data = matching.to_dict()
    data["pairs"] = _json_safe(pairs[1])
    data["unmatched"] = {
        f"{side}s": [
            _json_safe({k: v for k, v in row.items() if k != "side"})
            for row in unmatched[1]
            if row["side"] == side
        ]
        for side in ("mentor", "mentee")
    }
    with path.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False, allow_nan=False)
        handle.write("\n")
    return [path]


Writer = Callable[[Path, Table, Table, Table, Matching], list[Path]]
_WRITERS: dict[str, Writer] = {".xlsx": _xlsx, ".csv": _csv, ".json": _json}


def write_matching(
    matching: Matching,
    path: str | os.PathLike[str],
    *,
    mentor_columns: Mapping[Any, Mapping[str, Any]] | None = None,
    mentee_columns: Mapping[Any, Mapping[str, Any]] | None = None,
    summary_extra: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write a matching — pairs, unmatched participants and a summary — to ``path``, in the
    format its suffix names.

    Parameters
    ----------
    matching : Matching
        The result of :func:`rm_match.match`.
    path : str or path-like
        The file to write; its suffix (any case) picks the format:

        - ``.xlsx``: one workbook with the sheets ``pairs``, ``unmatched`` and ``summary``;
        - ``.csv``: the pairs at ``path``, and beside it ``<stem>_unmatched.csv`` and
          ``<stem>_summary.csv`` (``pairs.csv`` → ``pairs_unmatched.csv``,
          ``pairs_summary.csv``), UTF-8 with a byte-order mark;
        - ``.json``: :meth:`Matching.to_dict`, each pair and unmatched participant with
          its carried columns.

        Existing files are replaced.
    mentor_columns, mentee_columns : mapping of id to mapping of str to value, optional
        Columns to carry through for each participant (names, e-mails), keyed by id. In
        the pairs they are prefixed ``mentor_`` / ``mentee_`` (``mentor_Name``); in the
        unmatched they keep their names. See :meth:`Matching.to_frame`.
    summary_extra : mapping of str to value, optional
        Rows added at the end of the summary (``{"programme": "programme.toml"}``).

    Returns
    -------
    list of pathlib.Path
        The files written, the pairs first.

    Raises
    ------
    ValidationError
        ``argument="path"`` for a suffix other than ``.xlsx``, ``.csv`` and ``.json``;
        ``argument="mentor_columns"`` (or ``mentee_columns``, ``summary_extra``,
        ``matching``) for a malformed argument. Nothing is written then.

    Notes
    -----
    The pairs have the columns of :meth:`Matching.to_frame` (skills joined with ``"; "``)
    less the per-pair ``diversity`` term; the unmatched those of
    :meth:`Matching.unmatched_frame`; the summary is key/value rows: pairs, participants
    and participants matched on each side, objective, bound, gap, status, method, policy,
    time, mean score and mean of each term (``"suppressed (fewer than 5 pairs)"`` where the
    report withholds it), each goal's required / achieved / met, the unmatched on each side
    by reason kind, then ``summary_extra``. Every text cell of the CSV files and the
    workbook is passed through :func:`neutralise_formula`.

    Examples
    --------
    >>> import csv, tempfile
    >>> from pathlib import Path
    >>> from rm_match import match, synthetic
    >>> mentors, mentees = synthetic.cohort(6, 5, rng=1)
    >>> m = match(mentors, mentees)
    >>> names = {i: {"Name": f"=Person {i}"} for i in mentors.ids}
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = write_matching(m, Path(tmp) / "pairs.csv", mentor_columns=names)
    ...     with files[0].open(encoding="utf-8-sig", newline="") as f:
    ...         rows = list(csv.DictReader(f))
    >>> [f.name for f in files]
    ['pairs.csv', 'pairs_unmatched.csv', 'pairs_summary.csv']
    >>> len(rows), rows[0]["mentor_Name"].startswith("'=Person")
    (5, True)
    """
    if not isinstance(matching, Matching):
        raise ValidationError(
            f"`matching` must be a Matching (the result of rm_match.match); got "
            f"{type(matching).__name__}.",
            argument="matching",
        )
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError(
            f"`path` must be a file path; got {type(path).__name__}.", argument="path"
        )
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _WRITERS:
        shown = repr(suffix) if suffix else "no suffix"
        raise ValidationError(
            f"`path` must end in {', '.join(_WRITERS)}; got {shown}.", argument="path"
        )
    extra = {} if summary_extra is None else summary_extra
    if not isinstance(extra, Mapping) or not all(isinstance(k, str) for k in extra):
        raise ValidationError(
            "`summary_extra` must be a mapping of str (the row's key) to value; got "
            f"{type(extra).__name__}.",
            argument="summary_extra",
        )
    pairs = _pair_table(
        matching,
        mentor_columns,
        mentee_columns,
        joined=suffix != ".json",
        drop_terms=_PRIVATE_TERMS,
    )
    unmatched = _unmatched_table(matching, mentor_columns, mentee_columns)
    summary = _summary(matching, extra)
    return _WRITERS[suffix](path, pairs, unmatched, summary, matching)
