"""Survey answers in: participants' rankings, ratings and vetoes from a long-format table.

:func:`read_preferences` reads a table with one row per answer — who answers, about whom,
and a rank, a rating or a veto — into a :class:`~rm_match.Preferences`. Every problem of
the table is reported at once (a :class:`~rm_match.TableError`), each naming the file, the
row as a spreadsheet shows it (or the position in a DataFrame), the column and the
participant id; ids are checked against the cohort when the preferences are used.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from ..errors import TableError, ValidationError
from ..preferences import Answer, Preferences
from ._frames import field_columns, number, read_table
from .fields import is_missing
from .read import _id_value, _integer

__all__ = ["PREFERENCE_FIELDS", "read_preferences"]

#: The fields of a preferences table (each the default column name).
PREFERENCE_FIELDS = ("who", "about", "rank", "rating", "veto")

_YES = {"true", "yes", "y", "1", "x", "veto", "vetoed"}
_NO = {"false", "no", "n", "0"}


def read_preferences(
    source: object,
    *,
    columns: Mapping[str, str] | None = None,
    scale: tuple[float, float] = (1, 5),
    mentor_share: float = 0.5,
    sheet: str | int | None = None,
) -> Preferences:
    """Read survey answers (one row per answer) into :class:`~rm_match.Preferences`.

    Parameters
    ----------
    source : str, os.PathLike, DataFrame or mapping
        A CSV/TSV/Excel/Parquet file, a pandas/polars/pyarrow table or a mapping of columns
        (as :func:`rm_match.io.read_cohort` reads them).
    columns : mapping of str to str, optional
        Field → column header, for the fields ``who``, ``about``, ``rank``, ``rating`` and
        ``veto`` whose column is named otherwise; ``who`` and ``about`` are required, and at
        least one of the others. A rank is a whole number ≥ 1; a rating a number on
        ``scale``; a veto a yes/no cell (``yes``, ``true``, ``1``, ``x`` or blank). A row
        with none of the three (a candidate the export lists but nobody answered about) is
        skipped.
    scale : (float, float), default (1, 5)
        The ratings' scale.
    mentor_share : float, default 0.5
        As in :class:`~rm_match.Preferences`.
    sheet : str or int, optional
        The worksheet of an Excel file.

    Returns
    -------
    Preferences

    Raises
    ------
    TableError
        Every bad row at once: a missing id, a rank or rating that is no number, a rating
        outside the scale, a veto cell that is neither yes nor no, a row with two of rank,
        rating and veto, an answer about the same person twice, a person mixing ranks and
        ratings — each naming file, row, column and participant (never the cell's value).
    ValidationError
        A missing column, an unknown field in ``columns``, or a bad option.

    Examples
    --------
    >>> from rm_match.io import read_preferences
    >>> survey = {"respondent": ["s1", "s1", "j1"], "candidate": ["j1", "j2", "s1"],
    ...           "rank": [1, 2, None], "veto": [None, None, "yes"]}
    >>> p = read_preferences(survey, columns={"who": "respondent", "about": "candidate"})
    >>> p
    Preferences(entries=3, people=2, ranks=2, ratings=0, vetoes=1)
    """
    table = read_table(source, sheet=sheet, argument="source", role="preferences")
    header = list(table.columns)
    names = field_columns(columns, PREFERENCE_FIELDS, header, "preferences")
    for key, name in names.items():
        if name not in header:
            raise ValidationError(
                f"{table.name} has no column {name!r} (for `{key}`).",
                argument="columns",
                file=table.name,
                column=name,
            )
    for key in ("who", "about"):
        if key not in names:
            raise ValidationError(
                f"{table.name} has no column for `{key}` (name one in `columns`).",
                argument="columns",
                file=table.name,
            )
    if not any(k in names for k in ("rank", "rating", "veto")):
        raise ValidationError(
            f"{table.name} has no rank, rating or veto column (name one in `columns`).",
            argument="columns",
            file=table.name,
        )
    checked = Preferences((), scale=scale, mentor_share=mentor_share)  # the options
    lo, hi = checked.scale
    rows_of: list[tuple[int, str]] = []
    cells = {k: table.columns[c] for k, c in names.items()}
    problems: list[ValidationError] = []
    answers: list[Answer] = []
    raw_ids: list[tuple[Any, Any]] = []
    for k, row in enumerate(table.rows):
        where = table.where(row)

        def bad(
            field: str, what: str, pid: Any = None, *, _row: int = row, _where: str = where
        ) -> None:
            problems.append(
                ValidationError(
                    f"{table.name}, {_where}, column {names[field]!r}: {what}",
                    argument=field,
                    participant=pid,
                    file=table.name,
                    row=_row if not table.positional else None,
                    column=names[field],
                )
            )

        ids = []
        for field in ("who", "about"):
            cell = cells[field][k]
            value = None if is_missing(cell) else _id_value(cell)
            if value is None:
                bad(field, "missing or not an id.")
            ids.append(value)
        who, about = ids
        if who is None or about is None:
            continue
        rank = rating = None
        veto = False
        given = 0
        if "rank" in cells and not is_missing(cells["rank"][k]):
            rank = _integer(cells["rank"][k])
            given += 1
            if rank is None or rank < 1:
                bad("rank", "a rank must be a whole number ≥ 1.", who)
                continue
        if "rating" in cells and not is_missing(cells["rating"][k]):
            rating = number(cells["rating"][k])
            given += 1
            if rating is None:
                bad("rating", "a rating must be a number.", who)
                continue
        if "veto" in cells and not is_missing(cells["veto"][k]):
            flag = _flag(cells["veto"][k])
            if flag is None:
                bad("veto", "a veto must be yes or no (or blank).", who)
                continue
            veto = flag
            given += int(flag)
        if given == 0:  # a candidate listed but left unanswered
            continue
        if given > 1:
            field = next(f for f in ("rank", "rating", "veto") if f in names)
            bad(field, f"give one of a rank, a rating or a veto, not {given}.", who)
            continue
        if rating is not None and not lo <= rating <= hi:
            bad("rating", f"the rating is outside the scale {lo:g} to {hi:g}.", who)
            continue
        raw_ids.append((who, about))
        answers.append(Answer(who, about, rank=rank, rating=rating, veto=veto))
        rows_of.append((row, where))
    # ids in one form: where any is a text, whole numbers become texts (as read_cohort does)
    if any(isinstance(x, str) for pair in raw_ids for x in pair):
        answers = [
            Answer(str(a.who), str(a.about), rank=a.rank, rating=a.rating, veto=a.veto)
            for a in answers
        ]
    seen: set[tuple[Any, Any]] = set()
    kinds: dict[Any, str] = {}
    for a, (row, where) in zip(answers, rows_of, strict=True):
        field = "rank" if a.rank is not None else "rating" if a.rating is not None else "veto"
        if (a.who, a.about) in seen:
            problems.append(
                ValidationError(
                    f"{table.name}, {where}: {a.who!r} answers about {a.about!r} twice.",
                    argument="who",
                    participant=a.who,
                    file=table.name,
                    row=None if table.positional else row,
                    column=names["about"],
                )
            )
        seen.add((a.who, a.about))
        if field != "veto" and kinds.setdefault(a.who, field) != field:
            problems.append(
                ValidationError(
                    f"{table.name}, {where}: {a.who!r} gives both ranks and ratings; use one "
                    "or the other.",
                    argument=field,
                    participant=a.who,
                    file=table.name,
                    row=None if table.positional else row,
                    column=names[field],
                )
            )
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise TableError(problems, summary=f"{len(problems)} problem(s) in {table.name}:")
    return Preferences(answers, scale=checked.scale, mentor_share=checked.mentor_share)


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real) and float(value) in (0.0, 1.0):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in _YES:
            return True
        if text in _NO:
            return False
    return None
