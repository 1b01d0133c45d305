"""Feedback tables in: rated pairs from a CSV file, a spreadsheet or a DataFrame.

:func:`read_feedback` reads a table of rated pairs into a
:class:`~rm_match.learn.Feedback` for :func:`rm_match.learn.learn_weights`. Errors name the
file, the row as a spreadsheet shows it (or the position in a DataFrame), the column and the
participant id; every problem of the table is reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..learn import BAD, FEEDBACK_FIELDS, Feedback, _Locator
from ._frames import field_columns, number, read_table
from .fields import is_missing, split_items
from .read import _id_value, _integer

__all__ = ["read_feedback"]

_REQUIRED = ("mentor", "mentee")


class _BadId:
    """An id cell that is no valid id."""

    __slots__ = ()


_BAD_ID = _BadId()


def read_feedback(
    source: Any,
    *,
    columns: Mapping[str, str] | None = None,
    scale: tuple[float, float] = (1, 5),
    sheet: str | int | None = None,
    separator: str | None = None,
) -> Feedback:
    """Read a feedback table: one row per rated pair (and round).

    Parameters
    ----------
    source : str, os.PathLike, DataFrame or mapping
        A CSV/TSV/Excel/Parquet file, a pandas, polars or pyarrow table, or a mapping of
        column name to cells (see :func:`rm_match.io.read_cohort`).
    columns : mapping of str to str, optional
        Feedback field (:data:`~rm_match.learn.FEEDBACK_FIELDS`: ``mentor``, ``mentee``,
        ``round``, ``mentor_rating``, ``mentee_rating``, ``gained``) → column header. A field
        not mapped is read from the column of its own name when there is one. ``mentor``,
        ``mentee`` and at least one rating column are required.
    scale : (float, float), default (1, 5)
        The lowest and highest rating.
    sheet : str or int, optional
        The worksheet of an Excel file.
    separator : str, optional
        What separates the skills of a ``gained`` cell (default: ``;``, ``,``, ``|`` and line
        breaks, see :func:`rm_match.io.split_items`).

    Returns
    -------
    Feedback

    Raises
    ------
    ValidationError
        A required column missing, a mapped column not in the table, and every problem of
        the cells: a missing or malformed id, a rating that is not a number or is outside
        the scale, a row without any rating, a round that is not a whole number ≥ 0, a pair
        rated twice in one round. One problem is a :class:`~rm_match.ValidationError`
        naming the file, row, column and participant (never the rating itself: it is a
        person's opinion); several are a :class:`~rm_match.TableError` listing them all. A
        row whose round is bad is not also checked for a second rating of its pair.

    Examples
    --------
    >>> from rm_match.io.feedback import read_feedback
    >>> fb = read_feedback({"Mentor": ["J1", "J2"], "Mentee": ["S1", "S2"],
    ...                     "Score": ["4", ""], "Learnt": ["ai_tools; data_literacy", ""]},
    ...                    columns={"mentor": "Mentor", "mentee": "Mentee",
    ...                             "mentee_rating": "Score", "gained": "Learnt"})
    Traceback (most recent call last):
    ...
    rm_match.errors.ValidationError: <feedback table>, position 1, column 'Score', \
participant 'J2': both ratings are missing (a row needs one or both).
    >>> fb = read_feedback({"mentor": ["J1"], "mentee": ["S1"], "mentee_rating": [4.0],
    ...                     "gained": ["ai_tools; data_literacy"]})
    >>> fb, fb.gained
    (Feedback(n=1, rounds=0, mentor_ratings=0, mentee_ratings=1, scale=(1, 5)), \
(('ai_tools', 'data_literacy'),))
    """
    table = read_table(source, sheet=sheet, argument="source", role="feedback")
    header = list(table.columns)
    fields = field_columns(columns, FEEDBACK_FIELDS, header, "feedback")
    for name, col in fields.items():
        if col not in table.columns:
            raise ValidationError(
                f"{table.name}: column {col!r} (for `{name}`) is not in the table; its columns "
                f"are {header}.",
                argument="columns",
                file=table.name,
                column=col,
            )
    for name in _REQUIRED:
        if name not in fields:
            raise ValidationError(
                f"{table.name}: no `{name}` column; map one with `columns={{{name!r}: ...}}` "
                f"(the columns are {header}).",
                argument="columns",
                file=table.name,
            )
    if "mentor_rating" not in fields and "mentee_rating" not in fields:
        raise ValidationError(
            f"{table.name}: no rating column; map `mentor_rating` and/or `mentee_rating` in "
            f"`columns` (the columns are {header}).",
            argument="columns",
            file=table.name,
        )
    loc = _Locator(table.name, list(table.rows), table.positional, dict(fields))
    problems: list[ValidationError] = []
    data: dict[str, list[Any] | None] = dict.fromkeys(FEEDBACK_FIELDS)
    ids: dict[str, list[Any]] = {}
    for name in _REQUIRED:
        cells = table.columns[fields[name]]
        out: list[Any] = []
        for cell in cells:
            pid = None if is_missing(cell) else _id_value(cell)
            out.append(_BAD_ID if pid is None and not is_missing(cell) else pid)
        ids[name] = out
    for name in _REQUIRED:
        out = []
        for i, v in enumerate(ids[name]):
            if v is _BAD_ID:
                problems.append(
                    loc.error(i, name, f"{name} id is not a valid id (a text or a whole number).")
                )
                out.append(BAD)
            else:
                out.append(v)
        data[name] = out
    for name in ("mentor_rating", "mentee_rating"):
        if name not in fields:
            continue
        rater = name.split("_")[0]
        out = []
        for i, cell in enumerate(table.columns[fields[name]]):
            if is_missing(cell):
                out.append(None)
                continue
            x = number(cell)
            if x is None:
                who = ids[rater][i] if ids[rater][i] is not _BAD_ID else None
                problems.append(loc.error(i, name, "the rating is not a number.", who))
                out.append(BAD)
            else:
                out.append(x)
        data[name] = out
    if "round" in fields:
        out = []
        for i, cell in enumerate(table.columns[fields["round"]]):
            if is_missing(cell):
                out.append(None)
                continue
            r = _integer(cell)  # a negative round is reported by Feedback
            if r is None:
                who = ids["mentor"][i] if ids["mentor"][i] is not _BAD_ID else None
                problems.append(loc.error(i, "round", "the round must be a whole number ≥ 0.", who))
            out.append(BAD if r is None else r)
        data["round"] = out
    if "gained" in fields:
        gained: list[Any] = []
        for cell in table.columns[fields["gained"]]:
            if is_missing(cell):
                gained.append(None)
            elif isinstance(cell, str):
                gained.append(split_items(cell, separator))
            else:
                gained.append(cell)
        data["gained"] = gained
    return Feedback._from_table(data, scale=scale, loc=loc, problems=problems)
