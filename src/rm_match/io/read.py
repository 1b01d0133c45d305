"""Read HR tables (CSV, Excel, Parquet, DataFrames) into :class:`~rm_match.People`.

A :class:`Columns` map says which column holds which field; a :class:`SkillVocabulary` names
the skill space and the other spellings of each skill. :func:`read_people` reads one side
into a :class:`Roster`; :func:`read_cohort` reads both sides together into an :class:`Intake`,
normalising labels jointly (the mentors' "IT" and the mentees' "it" are one department) and
resolving manager references across both tables.

Each distinct cell text is parsed once and the columns are built as arrays, so 100 000 rows
per side read in seconds. Every problem is reported with its file, row, column and
participant id (never a personal value such as a department, a name or a birth year: only
ids, and the skill, time-zone and band texts that could not be read, are shown);
``errors="collect"`` reports all of them at once in a :class:`~rm_match.TableError`.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import functools
import numbers
import re
import sys
import unicodedata
import warnings
from collections.abc import Callable, Collection, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, cast

import numpy as np

from .._checks import ReadOnlyDict, check_choice, check_sequence, shown
from ..errors import DataWarning, TableError, ValidationError
from ..people import FIELDS, People
from ._frames import Table, read_table
from .fields import (
    _CLOSEST_MAX,
    EXCEL_ERRORS,
    NA_VALUES,
    _clean,
    _display,
    _strip,
    _zone_hours,
    generation,
    is_missing,
    label_key,
    split_items,
)

__all__ = ["Columns", "Intake", "Roster", "SkillVocabulary", "read_cohort", "read_people"]

#: The one-column fields of a Columns map: People's columns besides the skills, and the
#: birth year that becomes the ``generation`` attribute.
_SINGLE = (*(f for f in FIELDS if f not in ("offers", "wants")), "generation")
_RESERVED = frozenset(("id", "attributes", *FIELDS))


def _column_name(value: object, what: str, *, optional: bool = True) -> None:
    if (value is None and optional) or (isinstance(value, str) and value.strip()):
        return
    raise ValidationError(
        f"`columns.{what}` must be a column name (a non-empty str)"
        f"{' or None' if optional else ''}; got {shown(value)}.",
        argument="columns",
    )


@dataclass(frozen=True)
class Columns:
    """Which column of a table holds which field of :class:`~rm_match.People`, for one side.

    Parameters
    ----------
    id : str
        The participant id (e.g. an employee number or e-mail): stripped, unique, required.
    department, grade, manager, languages, timezone, interests, capacity : str, optional
        The columns of the built-in fields. ``grade`` holds integers, or band labels read
        through ``grade_map``; ``manager`` the manager's id; ``languages`` and ``interests``
        several values per cell (see ``separator``); ``timezone`` IANA names, offsets,
        abbreviations or city names (:func:`rm_match.io.fields.timezone_offset`);
        ``capacity`` a count (blank: 1).
    offers, wants : str or mapping of str to str, optional
        Either one column with a free-text list of skills (each item a skill name or alias,
        level 1), or a mapping of skill name to a column of levels (numbers in [0, 1], or a
        Likert scale through ``levels``).
    generation : str, optional
        A birth-year column (a year, a date, or an ISO date text), read into the attribute
        ``"generation"`` by the Pew Research Center bands: Silent ≤ 1945, Boomer 1946–1964,
        Gen X 1965–1980, Millennial 1981–1996, Gen Z 1997–2012, Gen Alpha ≥ 2013 (see
        :data:`rm_match.io.fields.GENERATIONS`). The years themselves are not kept.
    attributes : mapping of str to str, optional
        Free categorical attributes (``{"gender": "Gender", "office": "Site"}``): attribute
        name → column.
    carry : sequence of str, optional
        Columns carried through untouched (names, e-mails) for the output:
        :attr:`Roster.carry`.

    Every column name is stripped of surrounding whitespace, as the header names of a table
    are when it is read.

    Raises
    ------
    ValidationError
        For a column name that is not a non-empty string, or an attribute named like a
        built-in field.

    Examples
    --------
    >>> cols = Columns(id="Email", department="Dept", attributes={"gender": "Gender"})
    >>> cols.to_dict()
    {'id': 'Email', 'department': 'Dept', 'attributes': {'gender': 'Gender'}}
    >>> Columns.from_dict({"id": "Email", "dept": "Dept"})
    Traceback (most recent call last):
    ...
    rm_match.errors.ValidationError: unknown key 'dept' in the column map (did you mean
    'department'?); valid keys are ['id', 'department', 'grade', ...].
    """

    id: str
    department: str | None = None
    grade: str | None = None
    manager: str | None = None
    languages: str | None = None
    timezone: str | None = None
    interests: str | None = None
    capacity: str | None = None
    offers: str | Mapping[str, str] | None = None
    wants: str | Mapping[str, str] | None = None
    generation: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    carry: Sequence[str] = ()

    def __post_init__(self) -> None:
        _column_name(self.id, "id", optional=False)
        for name in _SINGLE:
            _column_name(getattr(self, name), name)
        for name in ("offers", "wants"):
            value = getattr(self, name)
            if isinstance(value, Mapping):
                for skill, col in value.items():
                    if not isinstance(skill, str) or not skill:
                        raise ValidationError(
                            f"`columns.{name}` must map skill names (non-empty str) to columns; "
                            f"got a key {shown(skill)}.",
                            argument="columns",
                        )
                    _column_name(col, f"{name}[{skill!r}]", optional=False)
                object.__setattr__(self, name, ReadOnlyDict(value))
            else:
                _column_name(value, name)
        if not isinstance(self.attributes, Mapping):
            raise ValidationError(
                "`columns.attributes` must be a mapping of attribute name to column; got "
                f"{shown(self.attributes)}.",
                argument="columns",
            )
        for attr, col in self.attributes.items():
            if not isinstance(attr, str) or not attr or attr in _RESERVED:
                raise ValidationError(
                    f"`columns.attributes`: {shown(attr)} is not an attribute name (a "
                    f"non-empty str other than {sorted(_RESERVED)}).",
                    argument="columns",
                )
            if attr == "generation" and self.generation is not None:
                raise ValidationError(
                    "`columns.attributes` names 'generation', which `columns.generation` "
                    "already fills from the birth-year column; drop one of them.",
                    argument="columns",
                )
            _column_name(col, f"attributes[{attr!r}]", optional=False)
        object.__setattr__(self, "attributes", ReadOnlyDict(self.attributes))
        carry = check_sequence(self.carry, "columns.carry", str, "column names")
        for col in carry:
            _column_name(col, "carry", optional=False)
        object.__setattr__(self, "carry", tuple(col.strip() for col in carry))
        # header names are stripped when read: so are the names given here
        for name in ("id", *_SINGLE, "offers", "wants"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, value.strip())
            elif isinstance(value, Mapping):
                object.__setattr__(
                    self, name, ReadOnlyDict({k: col.strip() for k, col in value.items()})
                )
        object.__setattr__(
            self,
            "attributes",
            ReadOnlyDict({attr: col.strip() for attr, col in self.attributes.items()}),
        )

    @classmethod
    def from_dict(cls, mapping: Mapping[str, Any]) -> Columns:
        """Columns from a mapping (a configuration file's table), checking its keys.

        Raises
        ------
        ValidationError
            For an unknown key (naming it, the closest valid key and all valid keys) or a
            missing ``id``.

        Examples
        --------
        >>> Columns.from_dict({"id": "Email", "carry": ["Name"]}).carry
        ('Name',)
        """
        if not isinstance(mapping, Mapping):
            raise ValidationError(
                f"the column map must be a mapping of field to column; got {shown(mapping)}.",
                argument="columns",
            )
        valid = [f.name for f in fields(cls)]
        for key in mapping:
            if key not in valid:
                close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.5)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValidationError(
                    f"unknown key {shown(key)} in the column map{hint}; valid keys are {valid}.",
                    argument="columns",
                )
        if "id" not in mapping:
            raise ValidationError(
                "the column map needs an 'id' key (the column of participant ids).",
                argument="columns",
            )
        return cls(**mapping)

    def to_dict(self) -> dict[str, Any]:
        """The fields that are set, as plain dicts and lists (the inverse of
        :meth:`from_dict`).

        Examples
        --------
        >>> Columns(id="Email", offers={"ai_tools": "AI"}).to_dict()
        {'id': 'Email', 'offers': {'ai_tools': 'AI'}}
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or (isinstance(value, (Mapping, tuple)) and not value):
                continue
            if isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


def _skill_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.replace("_", " ").replace("-", " ").split())


@dataclass(frozen=True)
class SkillVocabulary:
    """The skill space, in order, and other spellings of each skill.

    Cells are compared to names and aliases after NFKC normalisation and case folding, with
    ``_``, ``-`` and spaces alike and runs of them collapsed: ``"AI tools"``, ``"ai-tools"``
    and ``"AI_Tools"`` all read as ``ai_tools``.

    Parameters
    ----------
    names : sequence of str
        The skill names (the columns of ``offers`` and ``wants``).
    aliases : mapping of str to sequence of str, optional
        Skill name → other spellings, e.g. ``{"ai_tools": ["GenAI (ChatGPT)", "AI tools"]}``.

    Raises
    ------
    ValidationError
        For empty or duplicate names, an alias of an unknown skill, or two skills whose
        spellings read the same.

    Examples
    --------
    >>> vocab = SkillVocabulary(["ai_tools", "strategy"], aliases={"ai_tools": ["GenAI"]})
    >>> vocab.resolve("AI-Tools"), vocab.resolve("genai"), vocab.resolve("cooking")
    ('ai_tools', 'ai_tools', None)
    >>> vocab.closest("stratgy")
    'strategy'
    >>> vocab.closest_spelling("Gen AI!")
    ('GenAI', 'ai_tools')
    """

    names: tuple[str, ...]
    aliases: Mapping[str, Sequence[str]] = field(default_factory=dict)
    _lookup: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _spelled: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _closest: dict[str, str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = check_sequence(self.names, "skills", str, "skill names")
        if not all(s.strip() for s in names):
            raise ValidationError("`skills` must hold non-empty skill names.", argument="skills")
        if len(set(names)) != len(names):
            dup = next(s for s in names if names.count(s) > 1)
            raise ValidationError(f"duplicate skill {dup!r} in `skills`.", argument="skills")
        if not isinstance(self.aliases, Mapping):
            raise ValidationError(
                f"`aliases` must be a mapping of skill name to spellings; got "
                f"{shown(self.aliases)}.",
                argument="aliases",
            )
        lookup: dict[str, str] = {}
        written: dict[str, str] = {}  # key → the spelling as first written

        def add(text: str, skill: str, what: str) -> None:
            key = _skill_key(text)
            if not key:
                raise ValidationError(f"{what} {text!r} is empty.", argument="aliases")
            written.setdefault(key, text.strip())
            other = lookup.setdefault(key, skill)
            if other != skill:
                raise ValidationError(
                    f"{what} {text!r} of skill {skill!r} reads the same as a spelling of skill "
                    f"{other!r}.",
                    argument="aliases",
                )

        for s in names:
            add(s, s, "skill name")
        aliases: dict[str, tuple[str, ...]] = {}
        for skill, spellings in self.aliases.items():
            if skill not in names:
                close = difflib.get_close_matches(str(skill), names, n=1)
                hint = f" (closest: {close[0]!r})" if close else ""
                raise ValidationError(
                    f"`aliases` names {shown(skill)}, which is not a skill{hint}; the skills are "
                    f"{list(names)}.",
                    argument="aliases",
                )
            if isinstance(spellings, str):
                spellings = (spellings,)
            spelled = check_sequence(spellings, f"aliases[{skill!r}]", str, "spellings")
            for a in spelled:
                add(a, skill, "alias")
            aliases[skill] = spelled
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "aliases", ReadOnlyDict(aliases))
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_spelled", written)
        object.__setattr__(self, "_closest", {})

    def __len__(self) -> int:
        return len(self.names)

    def resolve(self, text: str) -> str | None:
        """The skill ``text`` names (a name or an alias, compared normalised), or None.

        Examples
        --------
        >>> SkillVocabulary(["data_literacy"]).resolve("  Data  Literacy ")
        'data_literacy'
        """
        return self._lookup.get(_skill_key(text))

    def closest(self, text: str) -> str | None:
        """The skill whose name or alias is most like ``text`` (difflib), or None; None
        without a search for a text much longer than every spelling (an e-mail, a sentence).

        Examples
        --------
        >>> SkillVocabulary(["social_media", "strategy"]).closest("socal media")
        'social_media'
        """
        hit = self.closest_spelling(text)
        return None if hit is None else hit[1]

    def closest_spelling(self, text: str) -> tuple[str, str] | None:
        """The name or alias most like ``text`` as written in the vocabulary, and the skill
        it spells: ``(spelling, skill)``; None as for :meth:`closest`.

        Examples
        --------
        >>> vocab = SkillVocabulary(["data_viz"], aliases={"data_viz": ["Power BI"]})
        >>> vocab.closest_spelling("Powr BI"), vocab.closest_spelling("data viss")
        (('Power BI', 'data_viz'), ('data_viz', 'data_viz'))
        """
        key = _skill_key(text)
        if key in self._closest:
            best = self._closest[key]
        else:
            best = None
            if len(key) <= max(_CLOSEST_MAX, *map(len, self._lookup)) + 10:
                hit = difflib.get_close_matches(key, list(self._lookup), n=1, cutoff=0.6)
                best = hit[0] if hit else None
            if len(self._closest) < 4096:
                self._closest[key] = best
        return None if best is None else (self._spelled[best], self._lookup[best])

    def _hint(self, text: str) -> str | None:
        """``'Power BI' (data_viz)`` (an alias, and the skill it spells) or ``'strategy'``
        (a name): the closest spelling, for a message; None without one."""
        hit = self.closest_spelling(text)
        if hit is None:
            return None
        spelling, skill = hit
        if _skill_key(spelling) == _skill_key(skill):  # the name itself
            return repr(skill)
        return f"{spelling!r} ({skill})"


class _Carry(Mapping[Hashable, Mapping[str, Any]]):
    """Participant id → {carried column: value}, built per id on access (no dict per row)."""

    __slots__ = ("_columns", "_people")

    def __init__(self, people: People, columns: Mapping[str, Sequence[Any]]) -> None:
        self._people = people
        self._columns = dict(columns)

    def __getitem__(self, pid: Hashable) -> Mapping[str, Any]:
        if pid not in self._people:
            raise KeyError(pid)
        i = self._people.index(pid)
        return ReadOnlyDict({col: cells[i] for col, cells in self._columns.items()})

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._people.ids.tolist())

    def __len__(self) -> int:
        return self._people.n

    def __repr__(self) -> str:  # the values are personal
        return f"<carried columns {list(self._columns)} of {self._people.n} participants>"


@dataclass(frozen=True, repr=False)
class Roster:
    """One side as read: the :class:`~rm_match.People` table and what came with it.

    Attributes
    ----------
    people : People
        The validated table.
    carry : mapping of id to mapping of str to object
        Participant id → {carried column: value}: each value exactly as read (nothing
        stripped or normalised, ``na_values`` texts kept), except that a blank cell (empty
        or whitespace only) and a DataFrame's missing marker (``None``, NaN, ``NA``,
        ``NaT``) are ``None``.
    rows : mapping of id to int
        Participant id → row in the source: the spreadsheet row for a file (header row 1),
        the 0-based position for a DataFrame or mapping.
    source : str
        The file as given, or ``"<DataFrame>"`` / ``"<table>"`` (in :func:`read_cohort`,
        ``"<mentors DataFrame>"`` and so on).
    warnings : tuple of str
        The :class:`~rm_match.DataWarning` texts that concern this side.

    Examples
    --------
    >>> r = read_people({"id": ["a", "b"], "name": ["Ann", "Bo"]},
    ...                 Columns(id="id", carry=["name"]), skills=["ai_tools"])
    >>> r
    Roster(source='<table>', n=2, carry=['name'], warnings=0)
    >>> r.carry["b"], r.rows["b"]
    ({'name': 'Bo'}, 1)
    """

    people: People
    carry: Mapping[Hashable, Mapping[str, Any]]
    rows: Mapping[Hashable, int]
    source: str
    warnings: tuple[str, ...] = ()
    carried: tuple[str, ...] = ()

    def __len__(self) -> int:
        return self.people.n

    def __repr__(self) -> str:  # never the carried values: they are personal
        return (
            f"Roster(source={self.source!r}, n={self.people.n}, carry={list(self.carried)}, "
            f"warnings={len(self.warnings)})"
        )


@dataclass(frozen=True, repr=False)
class Intake:
    """Both sides as read by :func:`read_cohort`.

    Attributes
    ----------
    mentors, mentees : Roster
        The two sides.
    org_chart : mapping of id to None
        Managers referenced but in neither table (``unknown_managers="outside"``), each with
        an unknown manager of their own: pass it to :func:`rm_match.match` as ``org_chart``.
    reference_date : datetime.date
        The date time zones were converted at.
    warnings : tuple of str
        Every :class:`~rm_match.DataWarning` text of the reading.

    Examples
    --------
    >>> import datetime
    >>> intake = read_cohort({"id": ["m1"]}, {"id": ["e1"]}, columns=Columns(id="id"),
    ...                      skills=["ai_tools"], reference_date=datetime.date(2025, 3, 1))
    >>> intake
    Intake(n_mentors=1, n_mentees=1, outside_managers=0, reference_date=2025-03-01, warnings=0)
    """

    mentors: Roster
    mentees: Roster
    org_chart: Mapping[Hashable, Hashable | None]
    reference_date: _dt.date
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"Intake(n_mentors={self.mentors.people.n}, n_mentees={self.mentees.people.n}, "
            f"outside_managers={len(self.org_chart)}, "
            f"reference_date={self.reference_date.isoformat()}, warnings={len(self.warnings)})"
        )


# -- options ---------------------------------------------------------------------------------------


#: The fields whose cells hold several values, each of which takes its own ``separator``.
_MULTI = ("languages", "interests", "offers", "wants")
_DEFAULT_SEPARATORS = "';' or ','"


@dataclass
class _Options:
    vocab: SkillVocabulary
    separators: Mapping[str, str | None]  # field of _MULTI → separator (None: the default)
    bands: dict[str, int] | None  # label key → grade
    band_labels: dict[str, str]  # label key → the label as given (for "closest")
    levels: tuple[float, float] | None
    day: _dt.date
    day_given: bool
    unknown_skills: str
    na: frozenset[str]
    collect: bool


def _options(
    *,
    skills: object,
    separator: object,
    grade_map: object,
    levels: object,
    reference_date: object,
    unknown_skills: object,
    na_values: object,
    errors: object,
) -> _Options:
    vocab = skills if isinstance(skills, SkillVocabulary) else SkillVocabulary(cast(Any, skills))
    separators = _separators(separator)
    bands: dict[str, int] | None = None
    band_labels: dict[str, str] = {}
    if grade_map is not None:
        if not isinstance(grade_map, Mapping) or not grade_map:
            raise ValidationError(
                "`grade_map` must be a non-empty mapping of band label to integer grade; got "
                f"{shown(grade_map)}.",
                argument="grade_map",
            )
        bands = {}
        for label, grade in grade_map.items():
            if not isinstance(label, str) or not label.strip():
                raise ValidationError(
                    f"`grade_map` labels must be non-empty strings; got {shown(label)}.",
                    argument="grade_map",
                )
            if not isinstance(grade, numbers.Integral) or isinstance(grade, bool):
                raise ValidationError(
                    f"`grade_map[{label!r}]` must be an integer grade; got {shown(grade)}.",
                    argument="grade_map",
                )
            key = _display(label).casefold()
            if bands.get(key, int(grade)) != int(grade):
                raise ValidationError(
                    f"`grade_map` gives {band_labels[key]!r} and {label!r}, which read the same, "
                    "different grades.",
                    argument="grade_map",
                )
            bands[key] = int(grade)
            band_labels.setdefault(key, label)
    span: tuple[float, float] | None = None
    if levels is not None:
        pair = tuple(levels) if isinstance(levels, (tuple, list)) else ()
        ok = len(pair) == 2 and all(
            isinstance(x, numbers.Real) and not isinstance(x, bool) and np.isfinite(float(x))
            for x in pair
        )
        if not ok or not float(pair[0]) < float(pair[1]):
            raise ValidationError(
                "`levels` must be None (levels in [0, 1]) or a pair (low, high) of finite numbers "
                f"with low < high, e.g. (1, 5); got {shown(levels)}.",
                argument="levels",
            )
        span = (float(pair[0]), float(pair[1]))
    if reference_date is not None and not isinstance(reference_date, _dt.date):
        raise ValidationError(
            f"`reference_date` must be a datetime.date or None; got {shown(reference_date)}.",
            argument="reference_date",
        )
    day = reference_date if reference_date is not None else _dt.date.today()
    if isinstance(day, _dt.datetime):
        day = day.date()
    if na_values is None:
        na = NA_VALUES
    else:
        items = check_sequence(na_values, "na_values", str, "cell texts")
        na = frozenset(s.strip() for s in items)
    return _Options(
        vocab=vocab,
        separators=separators,
        bands=bands,
        band_labels=band_labels,
        levels=span,
        day=day,
        day_given=reference_date is not None,
        unknown_skills=check_choice(unknown_skills, "unknown_skills", ("error", "ignore")),
        na=na,
        collect=check_choice(errors, "errors", ("raise", "collect")) == "collect",
    )


def _separators(separator: object) -> dict[str, str | None]:
    """``separator`` (None, one string, or field → string) as a separator for each field."""

    def one(value: object, where: str) -> str | None:
        if value is None or (isinstance(value, str) and value):
            return value
        also = ", a mapping of field name to separator," if where == "separator" else ""
        raise ValidationError(
            f"`{where}` must be a non-empty str{also} or None; got {shown(value)}.",
            argument="separator",
        )

    if not isinstance(separator, Mapping):
        sep = one(separator, "separator")
        return dict.fromkeys(_MULTI, sep)
    out: dict[str, str | None] = dict.fromkeys(_MULTI)
    for name, value in separator.items():
        if name not in _MULTI:
            close = difflib.get_close_matches(str(name), _MULTI, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValidationError(
                f"`separator` names the field {shown(name)}{hint}, which holds no lists; the "
                f"fields a separator can be given for are {list(_MULTI)}.",
                argument="separator",
            )
        out[name] = one(value, f"separator[{name!r}]")
    return out


def _hint_option(name: str, value: str) -> str:
    """An option as Python and a programme file write it."""
    return f'`{name}="{value}"`, or `{name} = "{value}"` under [data] in a programme file'


# -- cell parsers (each raises a ValidationError whose text never shows a personal value) ----------


class _Bad:
    """A cell that could not be read, and why."""

    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what


_INT_LIMIT = 1 << 62
#: A column is reported as a whole, not cell by cell, when at least this many of its cells,
#: and more than half of those not blank, fail its parser (a column mapped to the wrong field).
_COLUMN_FAILS = 5


def _integer(value: object) -> int | None:
    """An integral number or numeric text as an int (within ±2^62), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        out = int(value)
    elif isinstance(value, numbers.Real):
        x = float(value)
        if not x.is_integer():
            return None
        out = int(x)
    elif isinstance(value, str):
        text = _clean(value)
        try:
            out = int(text)
        except ValueError:
            try:
                x = float(text)
            except ValueError:
                return None
            if not x.is_integer():
                return None
            out = int(x)
    else:
        return None
    return out if -_INT_LIMIT < out < _INT_LIMIT else None


def _id_value(value: object) -> str | int | None:
    """An id as read: a text NFKC-normalised and stripped, or a whole number as an int (put
    in the one form of the whole read later, by :func:`_unify_ids`)."""
    if isinstance(value, str):
        return _clean(value)
    return _integer(value) if isinstance(value, numbers.Real) else None


def _parse_id(value: object) -> Hashable:
    out = _id_value(value)
    if out is None:
        raise ValidationError("the id is not a valid id (expected a text or a whole number).")
    return out


def _parse_manager(value: object) -> Hashable:
    out = _id_value(value)
    if out is None:
        raise ValidationError(
            "the manager reference is not a valid id (expected a text or a whole number)."
        )
    return out


def _parse_label(value: object) -> str:
    """A label (department, attribute, list item, band) as spelled, only stripped: whole
    numbers as ``str(int)`` so that ``1``, ``1.0`` and ``"1"`` agree. :func:`_resolve_labels`
    merges the spellings of one label (and warns)."""
    if isinstance(value, str):
        return _strip(value)
    out = _integer(value) if isinstance(value, numbers.Real) else None
    return str(out) if out is not None else _strip(str(value))


def _parse_capacity(value: object) -> int:
    out = _integer(value)
    if out is None:
        raise ValidationError("capacity is not an integer.")
    if out < 0:
        raise ValidationError("capacity is negative.")
    return out


def _parse_birth_year(value: object, last: int) -> str:
    year: int | None
    if isinstance(value, _dt.date):
        year = value.year
    elif isinstance(value, str):
        text = _clean(value)
        m = re.fullmatch(r"(\d{4})(?:-\d{1,2}-\d{1,2}(?:[T ].*)?)?", text)
        year = int(m[1]) if m else _integer(text)
    else:
        year = _integer(value) if isinstance(value, numbers.Real) else None
    if year is None:
        raise ValidationError("birth year is not a year.")
    if not 1900 <= year <= last:
        raise ValidationError(f"birth year is not a year from 1900 to {last}.")
    return generation(year)


def _mapped(columns: Columns) -> list[str]:
    """Every column a map names, in field order, each once."""
    names: list[str] = [columns.id]
    for name in (*_SINGLE, "offers", "wants"):
        value = getattr(columns, name)
        if isinstance(value, Mapping):
            names.extend(value.values())
        elif value is not None:
            names.append(value)
    names.extend(columns.attributes.values())
    names.extend(columns.carry)
    return list(dict.fromkeys(names))


class _Side:
    """One table being read: cells parsed column by column, problems and warnings noted."""

    def __init__(
        self,
        order: int,
        table: Table,
        columns: Columns,
        opts: _Options,
        problems: list[tuple[int, int, int, ValidationError]],
        argument: str,
    ) -> None:
        self.order = order
        self.table = table
        self.name = table.name
        self.columns = columns
        self.opts = opts
        self.problems = problems
        self.argument = argument
        self.n = len(table)
        self.rows = list(table.rows)
        self.ids: list[Any] = [None] * self.n
        self.refs: tuple[list[Any], list[Any], bool] | None = None  # manager cells, parsed
        self.values: dict[str, Any] = {}
        self.labels: dict[str, tuple[str, list[Any]]] = {}  # registry key → (column, cells)
        self.warnings: list[str] = []
        self.dst = False
        self.any_bad = False
        self.carried: dict[str, list[Any]] = {}
        self._looked: dict[str, list[Any] | None] = {}

    # -- reporting -------------------------------------------------------------------------------

    def problem(
        self,
        i: int | None,
        column: str | None,
        argument: str | None,
        what: str,
        *,
        row: int | None = None,
        sep: str = ": ",
    ) -> None:
        """Note a problem at position ``i`` (or at file ``row``, or of the whole table): the
        message is "file, row, column, participant" then ``sep`` then ``what``."""
        if i is not None:
            row = self.rows[i]
        pid = self.ids[i] if i is not None else None
        parts = [self.name]
        if row is not None:
            parts.append(self.table.where(row))
        if column is not None:
            parts.append(f"column {column!r}")
        if pid is not None:
            parts.append(f"participant {pid!r}")
        err = ValidationError(
            f"{', '.join(parts)}{sep}{what}",
            argument=argument,
            participant=pid,
            file=self.name,
            row=row,
            column=column,
        )
        self.problems.append((self.order, -1 if row is None else row, len(self.problems), err))

    def rows_text(self, positions: Sequence[int], cap: int = 10, *, named: bool = True) -> str:
        rows = sorted({self.rows[i] for i in positions})
        shown_rows = ", ".join(map(str, rows[:cap])) + (", …" if len(rows) > cap else "")
        noun = "position" if self.table.positional else "row"
        text = f"{noun}{'s' if len(rows) > 1 else ''} {shown_rows}"
        return f"{self.name} {text}" if named else text

    def column_fails(
        self,
        bad: Sequence[int],
        filled: int,
        column: str,
        what: str,
        noun: str,
        *,
        lists: bool = False,
        separator: str | None = None,
    ) -> bool:
        """Whether so many cells of ``column`` failed its parser that the column, not each
        cell, is reported (then one problem is noted, showing no cell's text). A column of
        ``lists`` asks about their ``separator`` too."""
        if len(bad) < _COLUMN_FAILS or 2 * len(bad) <= filled:
            return False
        ask = f"is `columns.{what}` the right column?"
        if lists:
            seps = _DEFAULT_SEPARATORS if separator is None else repr(separator)
            ask = (
                f"is `columns.{what}` the right column, and are the items separated by "
                f"{seps}? (set `separator` for another)"
            )
        self.problem(
            None,
            column,
            what.split("[")[0],
            f"does not look like {noun}: {len(bad)} of {filled} cells could not be read "
            f"(first at {self.rows_text(bad, 5, named=False)}); {ask}",
            sep=" ",
        )
        return True

    # -- columns ---------------------------------------------------------------------------------

    def check_header(self) -> None:
        """When the table has none of the mapped columns (not even ignoring case), one problem
        says why (no header row, or another delimiter) without showing the header, which may
        be the first person's values, and every column reads as absent without a problem
        each."""
        t = self.table
        names = _mapped(self.columns)
        header = list(t.columns)
        folded = {h.casefold() for h in header}
        if any(name in t.columns or name.casefold() in folded for name in names):
            return  # a header (a missing column then names the closest header name)
        listed = ", ".join(map(repr, names[:8])) + (", …" if len(names) > 8 else "")
        # a .csv file is always read with commas (no guessing): name the delimiter it has
        delimiter = None
        if len(header) == 1 and "\t" in header[0]:
            delimiter = "tabs"
        elif len(header) == 1 and ";" in header[0]:
            delimiter = "';'"
        if delimiter is not None:
            self.problem(
                None,
                None,
                self.argument,
                f"the header is one column holding {delimiter}: the file seems to use "
                f"{delimiter} as the delimiter; save it as comma-separated CSV (or .tsv for "
                "tabs).",
            )
        elif t.positional:
            self.problem(
                None,
                None,
                "columns",
                f"none of the mapped columns ({listed}) is a column of the table; its columns "
                f"are {header[:12]}{' …' if len(header) > 12 else ''}.",
            )
        else:  # the header row may be the first person's values: do not show it
            self.problem(
                None,
                None,
                "columns",
                f"none of the mapped columns ({listed}) is in the header; does the file start "
                "with a header row?",
            )
        self._looked.update(dict.fromkeys(names))

    def column(self, what: str, name: str) -> list[Any] | None:
        """The cells of column ``name`` (for ``columns.<what>``), or None (a problem noted)."""
        if name in self._looked:
            return self._looked[name]
        t = self.table
        cells = t.columns.get(name)
        if cells is None:
            header = list(t.columns)
            folded = {h.casefold(): h for h in header}
            best = folded.get(name.casefold())
            if best is None:
                close = difflib.get_close_matches(name, header, n=1, cutoff=0.5)
                best = close[0] if close else None
            if best is not None:
                hint = f"closest: {best!r}"
            else:
                hint = f"its columns are {header[:12]}{' …' if len(header) > 12 else ''}"
            self.problem(None, name, what, f"no column {name!r} (`columns.{what}`); {hint}.")
        elif name in t.duplicated:
            self.problem(None, name, what, f"column {name!r} appears more than once in the header.")
        self._looked[name] = cells
        return cells

    def cells(self, data: Sequence[Any], parse: Callable[[Any], Any]) -> list[Any]:
        """Each cell parsed, each distinct value once: None where missing, a :class:`_Bad`
        where it cannot be read. Sets ``self.any_bad``."""
        na = self.opts.na
        distinct = _distinct(data)
        if distinct is None:
            out = [_parse_one(v, parse, na) for v in data]
            self.any_bad = any(type(r) is _Bad for r in out)
            return out
        parsed = {k: _parse_one(k, parse, na) for k in distinct}
        self.any_bad = any(type(r) is _Bad for r in parsed.values())
        return [parsed[v] for v in data]

    def coded(
        self, data: Sequence[Any], parse: Callable[[Any], Any]
    ) -> tuple[list[Any], np.ndarray]:
        """The distinct cells parsed, and each row's index among them (for cells that are
        not hashable, one entry per row). Sets ``self.any_bad``."""
        na = self.opts.na
        distinct = _distinct(data)
        if distinct is None:
            values = [_parse_one(v, parse, na) for v in data]
            codes = np.arange(len(values))
        else:
            code = {k: j for j, k in enumerate(distinct)}
            values = [_parse_one(k, parse, na) for k in distinct]
            codes = np.fromiter(map(code.__getitem__, data), dtype=np.intp, count=len(data))
        self.any_bad = any(type(r) is _Bad for r in values)
        return values, codes

    def report(
        self,
        out: list[Any],
        data: Sequence[Any],
        column: str,
        what: str,
        noun: str,
        explain: Callable[[Any], Any] | None = None,
    ) -> list[Any]:
        """Note a problem for every bad cell of ``out`` (which then reads as missing), or one
        for the column when most of its cells are bad. ``explain``, a slower parser whose
        errors say more (the closest known name), is run only for the cells reported."""
        if not self.any_bad:
            return out
        bad = [i for i, r in enumerate(out) if type(r) is _Bad]
        filled = len(out) - out.count(None)
        if not self.column_fails(bad, filled, column, what, noun):
            said: dict[int, str] = {}  # one message per distinct cell (a _Bad is shared)
            for i in bad:
                text = said.get(id(out[i]))
                if text is None:
                    text = out[i].what if explain is None else _said(data[i], explain, self.opts)
                    said[id(out[i])] = text
                self.problem(i, column, what.split("[")[0], text)
        for i in bad:
            out[i] = None
        return out

    def read(
        self,
        what: str,
        name: str | None,
        parse: Callable[[Any], Any],
        noun: str,
        explain: Callable[[Any], Any] | None = None,
    ) -> list[Any] | None:
        if name is None:
            return None
        data = self.column(what, name)
        if data is None:
            return None
        return self.report(self.cells(data, parse), data, name, what, noun, explain)

    # -- ids and manager references ----------------------------------------------------------------

    def parse_ids(self) -> None:
        """The ids as read (the missing and the unreadable noted); :meth:`check_ids` looks
        for duplicates once :func:`_unify_ids` has put them in one form."""
        col = self.columns.id
        data = self.column("id", col)
        if data is None:
            return
        ids = self.cells(data, _parse_id)
        many = False
        if self.any_bad:
            bad = [i for i, r in enumerate(ids) if type(r) is _Bad]
            many = self.column_fails(bad, len(ids) - ids.count(None), col, "id", "ids")
        ragged = frozenset(self.table.ragged)
        for i, pid in enumerate(ids):
            if pid is None:
                if not ragged or self.rows[i] not in ragged:  # else: its stray cells, below
                    self.problem(i, col, "id", "missing id.")
            elif type(pid) is _Bad:
                if not many:
                    self.problem(i, col, "id", pid.what)
            else:
                self.ids[i] = pid

    def parse_refs(self) -> None:
        """The manager references as read; reported after :func:`_unify_ids`."""
        col = self.columns.manager
        if col is None:
            return
        data = self.column("manager", col)
        if data is not None:
            self.refs = (data, self.cells(data, _parse_manager), self.any_bad)

    def check_ids(self) -> None:
        col = self.columns.id
        seen: dict[Hashable, int] = {}
        for i, pid in enumerate(self.ids):
            if pid is None:
                continue
            first = seen.setdefault(pid, i)
            if first != i:
                self.problem(
                    i,
                    col,
                    "id",
                    f"duplicate id {pid!r} ({self.table.where(self.rows[first])} and "
                    f"{self.table.where(self.rows[i])}).",
                )

    def report_refs(self) -> None:
        if self.refs is None:
            return
        data, cells, self.any_bad = self.refs
        col = self.columns.manager
        assert col is not None
        self.values["manager"] = self.report(cells, data, col, "manager", "manager ids")

    def report_ragged(self) -> None:
        if not self.table.ragged:
            return
        at = {row: i for i, row in enumerate(self.rows)}
        for row in self.table.ragged:
            self.problem(
                at.get(row),
                None,
                self.argument,
                "has cells beyond the header (an unquoted separator in a cell?).",
                row=row,
                sep=" ",
            )

    # -- the fields ------------------------------------------------------------------------------

    def parse(self) -> None:
        """Every field but the ids and the manager references."""
        c, opts = self.columns, self.opts
        dept = self.read("department", c.department, _parse_label, "departments")
        if dept is not None:
            assert c.department is not None
            self.labels["department"] = (c.department, dept)
        self.parse_grades()
        for name in ("languages", "interests"):
            col = getattr(c, name)
            sep = opts.separators[name]
            sets = self.read(name, col, functools.partial(self.parse_items, separator=sep), name)
            if sets is not None:
                self.labels[name] = (col, sets)
                self.warn_slashes(name, col, sets)
        zones = self.read(
            "timezone",
            c.timezone,
            lambda v: _zone_hours(v, opts.day, False),
            "time zones",
            explain=lambda v: _zone_hours(v, opts.day),
        )
        if zones is not None:
            self.dst = any(z is not None and z[1] for z in zones)
            self.values["timezone"] = [None if z is None else z[0] for z in zones]
        caps = self.read("capacity", c.capacity, _parse_capacity, "capacities")
        if caps is not None:
            self.values["capacity"] = [1 if k is None else k for k in caps]
        for attr, col in c.attributes.items():
            cells = self.read(f"attributes[{attr!r}]", col, _parse_label, "labels")
            if cells is not None:
                self.labels[f"attributes[{attr!r}]"] = (col, cells)
        gens = self.read(
            "generation",
            c.generation,
            lambda v: _parse_birth_year(v, opts.day.year),
            "birth years",
        )
        if gens is not None:
            self.values["generation"] = gens
        for name in ("offers", "wants"):
            self.parse_skills(name, getattr(c, name))
        self.parse_carry()

    def parse_grades(self) -> None:
        col, opts = self.columns.grade, self.opts
        if col is None:
            return
        bands = opts.bands
        if bands is None:

            def parse(v: object) -> int:
                g = _integer(v)
                if g is None:
                    hint = (
                        " (to read band labels, give `grade_map`, or [data.grade_map] in a "
                        "programme file)"
                        if isinstance(v, str)
                        else ""
                    )
                    raise ValidationError(f"grade is not an integer{hint}.")
                return g

            grades = self.read("grade", col, parse, "grades")
            if grades is not None:
                self.values["grade"] = grades
            return

        def parse_band(v: object, hint: bool = False) -> tuple[int, str | None]:
            text = _parse_label(v)
            key = label_key(text)
            if key in bands:
                return bands[key], (text if isinstance(v, str) else None)
            if not hint:
                raise ValidationError("unknown band.")
            close = (
                difflib.get_close_matches(key, list(bands), n=1, cutoff=0.5)
                if len(key) <= _CLOSEST_MAX
                else []
            )
            hint_text = (
                f"closest: {opts.band_labels[close[0]]!r}"
                if close
                else f"the bands are {list(opts.band_labels.values())[:12]}"
            )
            raise ValidationError(f"unknown band {text[:60]!r} (not in `grade_map`); {hint_text}.")

        cells = self.read(
            "grade", col, parse_band, "grade bands", explain=lambda v: parse_band(v, True)
        )
        if cells is not None:
            self.values["grade"] = [None if g is None else g[0] for g in cells]
            self.labels["grade"] = (col, [None if g is None else g[1] for g in cells])

    def warn_slashes(self, name: str, column: str, sets: Sequence[Any]) -> None:
        """A warning when most of a list column's cells (at least 5, more than half of those
        not blank) hold a ``/`` and no cell was split into several items: the items are
        likely separated by ``/`` ("English/Spanish")."""
        slashed: list[int] = []
        filled = 0
        verdict: dict[tuple[str, ...], bool] = {}  # each distinct cell looked at once
        for i, cell in enumerate(sets):
            if type(cell) is not tuple:
                continue
            filled += 1
            if len(cell) > 1:
                return  # the separator in use does split this column
            has = verdict.get(cell)
            if has is None:
                has = verdict[cell] = any("/" in item for item in cell)
            if has:
                slashed.append(i)
        if len(slashed) < _COLUMN_FAILS or 2 * len(slashed) <= filled:
            return
        at = self.rows_text(slashed, named=False)
        self.warnings.append(
            f"{name} (column {column!r} of {self.name}): {len(slashed)} of {filled} cells hold "
            f"'/' and no cell was split into several items ({at}); if '/' "
            f'separates the items, set `separator={{"{name}": "/"}}`, or '
            f'`separator = {{{name} = "/"}}` under [data] in a programme file.'
        )

    def parse_items(self, value: object, separator: str | None = None) -> tuple[str, ...]:
        """A multi-value cell's labels. ``na_values`` apply to the whole cell (before this),
        never to an item."""
        if isinstance(value, str):
            items: Sequence[object] = split_items(value, separator)
        elif isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
            items = list(value)
        else:
            items = [value]
        out = []
        for item in items:
            if is_missing(item, ()):  # a None or NaN in a list cell, not an NA text
                continue
            label = _parse_label(item)
            if label and label not in out:
                out.append(label)
        return tuple(out)

    def parse_skills(self, name: str, spec: str | Mapping[str, str] | None) -> None:
        opts = self.opts
        vocab = opts.vocab
        index = {s: k for k, s in enumerate(vocab.names)}
        if spec is None:
            return
        mat = np.zeros((self.n, len(vocab)))
        if isinstance(spec, str):
            ignore = opts.unknown_skills == "ignore"
            separator = opts.separators[name]

            def parse(value: object, hint: bool = False) -> tuple[tuple[int, ...], tuple[str, ...]]:
                if isinstance(value, str):
                    items = split_items(value, separator)
                elif isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
                    items = [str(x) for x in value if not is_missing(x, ())]
                else:
                    items = [str(value)]
                known: list[int] = []
                unknown: list[str] = []
                for item in items:
                    skill = vocab.resolve(item)
                    if skill is None:
                        unknown.append(_clean(item))
                    elif index[skill] not in known:
                        known.append(index[skill])
                if unknown and not ignore:
                    if not hint:
                        raise ValidationError("unknown skill.")
                    hints = []
                    for u in unknown:
                        best = vocab._hint(u)
                        hints.append(
                            f"{u[:60]!r} ({'closest: ' + best if best else 'no close match'})"
                        )
                    raise ValidationError(
                        f"unknown skill{'s' if len(unknown) > 1 else ''} {', '.join(hints)}; "
                        "add a spelling to the vocabulary's aliases, or drop unknown items ("
                        + _hint_option("unknown_skills", "ignore")
                        + ")."
                    )
                return tuple(known), tuple(unknown)

            data = self.column(name, spec)
            if data is None:
                return
            values, codes = self.coded(data, parse)
            if self.any_bad:
                is_bad = np.array([type(v) is _Bad for v in values], dtype=bool)
                blank = np.array([v is None for v in values], dtype=bool)
                bad = np.flatnonzero(is_bad[codes]).tolist()
                filled = len(codes) - int(blank[codes].sum())
                if not self.column_fails(
                    bad, filled, spec, name, "skill lists", lists=True, separator=separator
                ):
                    said: dict[int, str] = {}
                    for i in bad:
                        j = int(codes[i])
                        if j not in said:
                            said[j] = _said(data[i], lambda v: parse(v, True), opts)
                        self.problem(i, spec, name, said[j])
            per_cell = np.zeros((len(values), len(vocab)))
            unknown_count = np.zeros(len(values), dtype=np.int64)
            names: dict[str, None] = {}
            for j, cell in enumerate(values):
                if type(cell) is tuple:
                    per_cell[j, list(cell[0])] = 1.0
                    unknown_count[j] = len(cell[1])
                    names.update(dict.fromkeys(cell[1]))
            mat = per_cell[codes]
            if names:
                per_row = unknown_count[codes]
                dropped = np.flatnonzero(per_row).tolist()
                listed = ", ".join(repr(u[:40]) for u in list(names)[:5])
                more = ", …" if len(names) > 5 else ""
                self.warnings.append(
                    f"{int(per_row.sum())} unknown skill name(s) in column {spec!r} of "
                    f"{self.name} were ignored ({listed}{more}; at {self.rows_text(dropped)})."
                )
        else:
            low, high = opts.levels if opts.levels is not None else (0.0, 1.0)
            scale = f"[{low:g}, {high:g}]"

            def parse_level(value: object) -> float:
                x: float | None = None
                if isinstance(value, numbers.Real) and not isinstance(value, bool):
                    x = float(value)
                elif isinstance(value, str):
                    try:
                        x = float(_clean(value))
                    except ValueError:
                        x = None
                if x is None or not np.isfinite(x):
                    raise ValidationError("level is not a number.")
                if not low <= x <= high:
                    raise ValidationError(f"level is outside {scale}.")
                return (x - low) / (high - low)

            seen: dict[str, str] = {}
            for skill, col in spec.items():
                resolved = vocab.resolve(skill)
                if resolved is not None and resolved in seen:
                    raise ValidationError(
                        f"`columns.{name}` gives skill {resolved!r} two columns, "
                        f"{seen[resolved]!r} and {col!r}.",
                        argument="columns",
                    )
                if resolved is None:
                    best = vocab._hint(skill)
                    raise ValidationError(
                        f"`columns.{name}` names the skill {skill!r}, which is not in the "
                        f"vocabulary{'; closest: ' + best if best else ''}; the skills are "
                        f"{list(vocab.names)}.",
                        argument="columns",
                    )
                seen[resolved] = col
                cells = self.read(f"{name}[{skill!r}]", col, parse_level, "skill levels")
                if cells is not None:
                    mat[:, index[resolved]] = [0.0 if x is None else x for x in cells]
        self.values[name] = mat

    def parse_carry(self) -> None:
        carried: dict[str, list[Any]] = {}
        for col in self.columns.carry:
            data = self.column("carry", col)
            if data is None:
                continue
            carried[col] = [
                v if type(v) is str and v.isascii() and v and not v.isspace() else _carry_cell(v)
                for v in data
            ]
        self.carried = carried

    # -- the table -------------------------------------------------------------------------------

    def build(self) -> Roster:
        v, c = self.values, self.columns
        kwargs: dict[str, Any] = {}
        for name in ("offers", "wants", "grade", "manager", "timezone", "capacity"):
            if name in v:
                kwargs[name] = v[name]
        for name in ("department", "languages", "interests"):
            if name in v:
                kwargs[name] = v[name]
        attributes = {attr: v[f"attributes[{attr!r}]"] for attr in c.attributes}
        if "generation" in v:
            attributes["generation"] = v["generation"]
        if attributes:
            kwargs["attributes"] = attributes
        try:
            people = People(self.ids, skills=self.opts.vocab.names, **kwargs)
        except ValidationError as e:  # a safety net: every check above should come first
            i = self.ids.index(e.participant) if e.participant in self.ids else None
            self.problem(i, None, e.argument, str(e))
            raise self.problems[-1][3] from None
        rows = dict(zip(self.ids, self.rows, strict=True))
        return Roster(
            people=people,
            carry=_Carry(people, self.carried),
            rows=cast(Mapping[Hashable, int], ReadOnlyDict(rows)),
            source=self.name,
            warnings=tuple(self.warnings),
            carried=tuple(self.carried),
        )


def _distinct(data: Sequence[Any]) -> dict[Any, None] | None:
    """The distinct cells in order of first appearance, or None where that cannot be had by
    hashing: unhashable cells, or booleans anywhere in the data (``True`` hashes and compares
    like ``1``, so among the distinct keys it may hide behind an earlier ``1``)."""
    try:
        distinct = dict.fromkeys(data)
    except TypeError:
        return None
    if (True in distinct or False in distinct) and bool in set(map(type, data)):
        return None  # a key equal to True or False (1, 0, 1.0, ...) may stand for both
    return distinct


def _carry_cell(value: object) -> Any:
    """A carried cell exactly as read; None for a blank cell or a DataFrame's missing marker
    (``na_values`` texts are kept: they are what the cell says)."""
    if type(value) is str and value.strip():
        return value
    return None if is_missing(value, ()) else value


def _parse_one(value: object, parse: Callable[[Any], Any], na: Collection[str]) -> Any:
    if type(value) is str:
        s = value.strip()
        if not s or s in na or (not s.isascii() and is_missing(s, na)):
            return None
        if s[0] == "#" and s in EXCEL_ERRORS:
            return _Bad(f"the cell is an Excel error value ({s}); fix the formula or clear it.")
    elif is_missing(value, na):
        return None
    try:
        return parse(value)
    except ValidationError as e:
        return _Bad(str(e))


def _said(value: object, explain: Callable[[Any], Any], opts: _Options) -> str:
    """Why a cell could not be read, by the parser that says more."""
    out = _parse_one(value, explain, opts.na)
    return out.what if type(out) is _Bad else "the cell could not be read."


# -- steps over both sides -----------------------------------------------------------------------


def _unify_ids(sides: Sequence[_Side]) -> None:
    """Ids and manager references in one form: where any of them (on either side) is a text,
    whole numbers become texts (``1`` and ``1.0`` → ``"1"``); else they stay ints."""
    lists = [s.ids for s in sides] + [s.refs[1] for s in sides if s.refs is not None]
    types = set().union(*(map(type, xs) for xs in lists))
    if str in types and int in types:
        for xs in lists:
            for i, x in enumerate(xs):
                if type(x) is int:
                    xs[i] = str(x)


def _columns_text(sides: Sequence[_Side], column: Callable[[_Side], str | None]) -> str:
    cols = {column(s) for s in sides}
    if len(cols) == 1:
        return f"column {next(iter(cols))!r}"
    return ", ".join(f"column {column(s)!r} of {s.name}" for s in sides)


@dataclass
class _Ids:
    """Every id of the read (both sides), and the text ids by case-folded key."""

    ids: dict[Any, None]
    single: dict[str, str]  # folded key → the id (the last one, where several share a key)
    groups: dict[str, list[str]]  # folded key → the ids, for the keys several ids share

    def folded(self, ref: object) -> list[Any]:
        """The ids a reference equals ignoring letter case."""
        key = str(ref).casefold()
        group = self.groups.get(key)
        if group is not None:
            return group
        return [self.single[key]] if key in self.single else []


def _fold_ids(sides: Sequence[_Side]) -> _Ids:
    ids: dict[Any, None] = {}
    for s in sides:
        ids.update(dict.fromkeys(s.ids))
    ids.pop(None, None)
    texts = [pid for pid in ids if type(pid) is str]
    keys = list(map(str.casefold, texts))
    single = dict(zip(keys, texts, strict=True))
    groups: dict[str, list[str]] = {}
    if len(single) < len(texts):
        for key, pid in zip(keys, texts, strict=True):
            groups.setdefault(key, []).append(pid)
        groups = {key: group for key, group in groups.items() if len(group) > 1}
    return _Ids(ids, single, groups)


def _warn_case_ids(sides: Sequence[_Side], known: _Ids) -> None:
    """A warning naming the rows of ids that differ from another id only in letter case."""
    if not known.groups:
        return
    clash = {pid for group in known.groups.values() for pid in group}
    at: dict[int, list[int]] = {}
    for s in sides:
        seen: set[str] = set()
        for i, pid in enumerate(s.ids):
            if pid in clash and pid not in seen:
                seen.add(pid)
                at.setdefault(s.order, []).append(i)
    involved = [s for s in sides if s.order in at]
    text = (
        f"{len(clash)} ids ({_columns_text(involved, lambda s: s.columns.id)}) differ from "
        "another id only in letter case ("
        + "; ".join(s.rows_text(at[s.order]) for s in involved)
        + "); they are read as different people, and a manager reference must match one of "
        "them exactly."
    )
    for s in involved:
        s.warnings.append(text)


def _resolve_labels(sides: Sequence[_Side]) -> None:
    """Labels normalised jointly over the sides: one key (NFKC, case-folded, whitespace
    collapsed: :func:`~rm_match.io.fields.label_key`) per label, kept as the first spelling
    seen (NFKC, spaces collapsed), with a warning where spellings (as written, only stripped)
    merged."""
    registry: dict[str, dict[str, dict[str, tuple[_Side, int]]]] = {}  # field → key → spelling
    keyed: dict[str, str] = {}  # spelling → key

    def key_of(label: str) -> str:
        key = keyed.get(label)
        if key is None:
            key = keyed[label] = label_key(label)
        return key

    for side in sides:
        for what, (_, cells) in side.labels.items():
            first: dict[Any, int] = {}  # each distinct cell's first row, in order
            for i, cell in enumerate(cells):
                if cell not in first:
                    first[cell] = i
            keys = registry.setdefault(what, {})
            for cell, i in first.items():
                labels = (cell,) if type(cell) is str else cell if type(cell) is tuple else ()
                for label in labels:
                    keys.setdefault(key_of(label), {}).setdefault(label, (side, i))
    for what, keys in registry.items():
        kept = {key: _display(next(iter(spellings))) for key, spellings in keys.items()}
        merged = {key: sp for key, sp in keys.items() if len(sp) > 1}
        if merged:
            _warn_merged(what, merged, sides)
        if what == "grade":
            continue  # the grades are read already; the spellings only for the warning
        sets = what in ("languages", "interests")
        for side in sides:
            if what not in side.labels:
                continue
            cells = side.labels[what][1]
            final: dict[Any, Any] = {}
            for cell in dict.fromkeys(cells):
                if type(cell) is str:
                    final[cell] = kept[key_of(cell)]
                elif type(cell) is tuple:
                    final[cell] = frozenset(kept[key_of(x)] for x in cell)
                else:  # None
                    final[cell] = frozenset() if sets else cell
            side.values[what] = [final[c] for c in cells]


def _warn_merged(
    what: str, merged: Mapping[str, Mapping[str, tuple[_Side, int]]], sides: Sequence[_Side]
) -> None:
    spellings = sum(len(sp) for sp in merged.values())
    at: dict[int, list[int]] = {}  # side → first rows of the variants (not the kept spellings)
    involved: dict[int, _Side] = {}
    for sp in merged.values():
        for k, (side, i) in enumerate(sp.values()):
            involved[side.order] = side
            if k:
                at.setdefault(side.order, []).append(i)
    col_text = _columns_text([s for s in sides if what in s.labels], lambda s: s.labels[what][0])
    field_text = what.replace("attributes[", "attribute ").rstrip("]")
    text = (
        f"{field_text} ({col_text}): {len(merged)} label(s) written in {spellings} spellings "
        "that differ only in letter case, character width or spacing were merged, each into "
        f"the spelling seen first; the other {spellings - len(merged)} spelling(s) first "
        "occur at " + "; ".join(s.rows_text(at[s.order]) for s in sides if s.order in at) + "."
    )
    for s in sorted(involved.values(), key=lambda s: s.order):
        s.warnings.append(text)


def _resolve_managers(
    sides: Sequence[_Side], known: _Ids, *, cohort: bool, unknown: str
) -> dict[Any, None]:
    """Manager references matched to ids (exactly, else ignoring case with a warning; one
    that matches several ids ignoring case is a problem); in a cohort, the others are errors
    or managers outside the programme."""
    if not any("manager" in s.values for s in sides):
        return {}
    ids = known.ids
    outside: dict[str, Any] = {}
    for side in sides:
        managers = side.values.get("manager")
        if managers is None:
            continue
        col = side.columns.manager
        case_rows: list[int] = []
        outside_rows: list[int] = []
        for i, ref in enumerate(managers):
            if ref is None:
                continue
            if ref not in ids:
                hits = known.folded(ref)
                if len(hits) == 1:
                    managers[i] = ref = hits[0]
                    case_rows.append(i)
                elif hits:
                    listed = ", ".join(map(repr, hits[:5])) + (", …" if len(hits) > 5 else "")
                    side.problem(
                        i,
                        col,
                        "manager",
                        f"the manager {ref!r} matches {len(hits)} ids ignoring case ({listed}); "
                        "write it exactly as one of them.",
                    )
                    managers[i] = None
                    continue
                elif cohort and unknown == "error":
                    side.problem(
                        i,
                        col,
                        "manager",
                        f"the manager {ref!r} is neither a mentor nor a mentee (to accept "
                        "managers outside the programme: "
                        + _hint_option("unknown_managers", "outside")
                        + ").",
                    )
                    managers[i] = None
                    continue
                elif cohort:
                    first = outside.setdefault(str(ref).casefold(), ref)
                    if first != ref:
                        managers[i] = ref = first
                        outside_rows.append(i)
            if side.ids[i] is not None and ref == side.ids[i]:
                side.problem(i, col, "manager", "the participant is their own manager.")
                managers[i] = None
        if case_rows:
            side.warnings.append(
                f"{len(case_rows)} manager reference(s) in column {col!r} match a participant "
                f"id only when letter case is ignored and were read as that id "
                f"({side.rows_text(case_rows)})."
            )
        if outside_rows:
            side.warnings.append(
                f"{len(outside_rows)} reference(s) in column {col!r} to managers outside the "
                "programme differ from an earlier one only in letter case and were read as it "
                f"({side.rows_text(outside_rows)})."
            )
    return dict.fromkeys(outside.values())


def _finish(
    problems: list[tuple[int, int, int, ValidationError]], sides: Sequence[_Side], collect: bool
) -> None:
    if not problems:
        return
    found = [p[3] for p in sorted(problems, key=lambda p: p[:3])]
    files = " and ".join(dict.fromkeys(s.name for s in sides))
    if collect:
        raise TableError(found, summary=f"{len(found)} problem(s) reading {files}:")
    first = found[0]
    more = (
        f" ({len(found) - 1} more problem(s) in {files}; to list them all: "
        '`errors="collect"`, or leave out `--errors raise` on the command line)'
        if len(found) > 1
        else ""
    )
    raise ValidationError(
        f"{first}{more}",
        argument=first.argument,
        participant=first.participant,
        file=first.file,
        row=first.row,
        column=first.column,
    )


def _dst_warning(sides: Sequence[_Side], opts: _Options) -> None:
    if opts.day_given:
        return
    text = (
        f"time zones with daylight saving time were converted at today's date, "
        f"{opts.day.isoformat()}; give the programme's date to convert them at "
        "(`reference_date=datetime.date(2027, 1, 15)`, or `reference_date = 2027-01-15` under "
        "[data] in a programme file)."
    )
    for s in sides:
        if s.dst:
            s.warnings.append(text)


def _read_sides(
    specs: Sequence[tuple[object, Columns, str | int | None, str, str | None]],
    opts: _Options,
    *,
    cohort: bool,
    unknown_managers: str,
) -> tuple[list[_Side], dict[Any, None]]:
    problems: list[tuple[int, int, int, ValidationError]] = []
    sides = []
    for order, (source, columns, sheet, argument, role) in enumerate(specs):
        table = read_table(source, sheet=sheet, argument=argument, role=role)
        side = _Side(order, table, columns, opts, problems, argument)
        side.check_header()
        side.parse_ids()
        side.parse_refs()
        sides.append(side)
    _unify_ids(sides)  # before any comparison of ids: duplicates, both lists, managers
    for side in sides:
        side.check_ids()
        side.report_refs()
        side.report_ragged()
        side.parse()
    if cohort:
        mentors, mentees = sides
        at = {pid: i for i, pid in enumerate(mentors.ids) if pid is not None}
        for i, pid in enumerate(mentees.ids):
            if pid is not None and pid in at:
                mentees.problem(
                    i,
                    mentees.columns.id,
                    "id",
                    f"id {pid!r} is on both lists: {mentors.name} "
                    f"{mentors.table.where(mentors.rows[at[pid]])} and {mentees.name} "
                    f"{mentees.table.where(mentees.rows[i])}.",
                )
    known = _fold_ids(sides)
    _warn_case_ids(sides, known)
    _resolve_labels(sides)
    org_chart = _resolve_managers(sides, known, cohort=cohort, unknown=unknown_managers)
    _dst_warning(sides, opts)
    texts = [t for s in sides for t in s.warnings]
    level = _user_stacklevel()
    for text in dict.fromkeys(texts):
        warnings.warn(text, DataWarning, stacklevel=level)
    _finish(problems, sides, opts.collect)
    return sides, org_chart


def _user_stacklevel() -> int:
    """The ``stacklevel`` at which a warning issued by this function's caller points at the
    first frame outside rm_match (the user's call, also through ``Config.read``)."""
    frame = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "rm_match":
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _columns_arg(columns: object, argument: str) -> Columns:
    if isinstance(columns, Columns):
        return columns
    if isinstance(columns, Mapping):
        return Columns.from_dict(columns)
    raise ValidationError(
        f"`{argument}` must be a Columns (or a mapping for Columns.from_dict); got "
        f"{shown(columns)}.",
        argument=argument,
    )


def read_people(
    source: object,
    columns: Columns | Mapping[str, Any],
    *,
    skills: SkillVocabulary | Sequence[str],
    separator: str | Mapping[str, str | None] | None = None,
    grade_map: Mapping[str, int] | None = None,
    levels: tuple[float, float] | None = None,
    reference_date: _dt.date | None = None,
    unknown_skills: str = "error",
    na_values: Collection[str] | None = None,
    sheet: str | int | None = None,
    errors: str = "raise",
) -> Roster:
    """Read one side of a programme from a file or a DataFrame.

    Parameters
    ----------
    source : str, os.PathLike, DataFrame or mapping
        A ``.csv``, ``.tsv`` or ``.txt`` file (UTF-8; read with the standard library), an
        ``.xlsx``/``.xlsm`` workbook (``pip install 'rm-match[excel]'``), a ``.parquet`` file
        (``pip install 'rm-match[parquet]'``), a pandas, polars or pyarrow table, or a
        mapping of column name to a sequence of cells.
    columns : Columns or mapping
        Which column holds which field (a mapping goes through :meth:`Columns.from_dict`).
    skills : SkillVocabulary or sequence of str
        The skill space (and other spellings of each skill).
    separator : str or mapping of str to str, optional
        How multi-value cells (languages, interests, free-text skill lists) split. By default
        on ``;``, ``,``, ``|`` and line breaks outside parentheses and brackets (so
        ``"Data (Excel, SQL)"`` is one item); a string given splits every list field on that
        string only. A mapping gives fields their own: ``{"languages": "/"}`` splits
        ``"English/Spanish"`` and leaves the skill lists to the default (keys
        ``"languages"``, ``"interests"``, ``"offers"``, ``"wants"``; a programme file's
        ``[data.separator]`` table).
    grade_map : mapping of str to int, optional
        Band label → integer grade, for a grade column of labels (``{"E1": 1, "E2": 2}``);
        labels are compared like categories (case, width and spacing ignored).
    levels : (float, float), optional
        The scale of per-skill level columns: None for levels already in [0, 1]; ``(1, 5)``
        for a Likert scale, mapped linearly onto [0, 1].
    reference_date : datetime.date, optional
        The date time zones are converted at (daylight saving time); today if omitted, with a
        :class:`~rm_match.DataWarning` naming it when a zone observes daylight saving.
    unknown_skills : {"error", "ignore"}
        What an item of a free-text skill list that names no skill is: a problem (naming the
        text, the closest name or alias and the skill it spells), or dropped with a warning
        counting them.
    na_values : collection of str, optional
        Cell texts read as missing (after stripping), replacing the default
        :data:`rm_match.io.fields.NA_VALUES` (``"NA"``, ``"N/A"``, ``"null"``, …); empty cells
        are always missing. They apply to whole cells only, never to an item of a
        multi-value cell: ``"English; NA"`` has the languages ``English`` and ``NA``, and
        ``"strategy; N/A"`` names an unknown skill ``N/A``. Carried columns keep them.
    sheet : str or int, optional
        The worksheet of an Excel file.
    errors : {"raise", "collect"}
        Raise at the first problem (in file order; the message counts the rest), or read
        everything and raise one :class:`~rm_match.TableError` listing every problem.

    Returns
    -------
    Roster
        The :class:`~rm_match.People` table, the carried columns and each id's row.

    Raises
    ------
    ValidationError
        For a bad option, a missing file or column (naming the closest existing column), or
        a bad cell: the error's ``file``, ``row``, ``column`` and ``participant`` say where.
        Rows are spreadsheet rows for files (header row 1, first person row 2) and 0-based
        positions for DataFrames and mappings. A CSV quote never closed is an error naming
        its row and line. A table with none of the mapped columns is one problem that does
        not show the header (without a header row it holds the first person's values); a
        header of one column holding ``;`` or tabs, one naming the delimiter (a ``.csv``
        file is always read as comma-separated: save it so, or as ``.tsv``).
    TableError
        With ``errors="collect"``: every problem, sorted by row.

    Warns
    -----
    DataWarning
        When spellings of one label differing only in letter case, character width or
        internal spacing were merged (surrounding spaces alone do not count: ``"IT "`` is
        ``"IT"`` without a warning), ids differ only in letter case (naming their rows),
        manager references matched only ignoring case, unknown skills were ignored, time
        zones were converted at today's date, or most cells of a languages or interests
        column hold a ``/`` that split nothing (suggesting ``separator={"languages": "/"}``).
        The texts name columns, rows and counts, never labels; they are also in
        :attr:`Roster.warnings`. They point at the code that called into rm_match (also
        through :meth:`rm_match.io.Config.read`).

    Notes
    -----
    Missing cells (``None``, NaN, pandas ``NA``/``NaT``, blank or ``na_values`` texts) are
    missing, never labels: department, grade, time zone, manager and attributes become
    ``None``; languages and interests empty; skill levels 0; capacity 1. A missing id is a
    problem. Blank rows of a file are skipped (and counted in the row numbers); a row whose
    only cells are beyond the header is no blank row but a problem. An Excel error value
    (:data:`rm_match.io.fields.EXCEL_ERRORS`: ``#REF!``, ``#VALUE!``, …) is a problem in any
    field but a carried one.

    Ids and manager references are put in one form before any comparison (duplicates,
    manager lookup and, in :func:`read_cohort`, the two lists): where any id or manager
    reference of the read is a text, whole-number cells (``1``, ``1.0``, as Excel and
    DataFrames give them) become texts (``"1"``), so that they equal the CSV text ``"1"``;
    where all are numbers, they stay integers (``1.0`` → ``1``). A text is kept as written
    (NFKC-normalised and stripped): ``"1.0"`` is not ``"1"``. A number that is not whole
    is no id. Ids are compared exactly: two that differ only in letter case are two people
    (with a warning), and a manager reference that matches several of them only ignoring
    case is a problem.

    Labels (departments, attributes, languages, interests, bands) are compared by
    :func:`rm_match.io.fields.label_key`; whole numbers read as their text, so an
    attribute ``1`` from Excel and ``"1"`` from a CSV file are one group.

    When at least 5 cells of a column, and more than half of those not blank, cannot be
    read (a column mapped to the wrong field), the column is one problem, showing no cell;
    otherwise each cell is one.

    Examples
    --------
    >>> import datetime
    >>> table = {"email": [" ana@x.org", "bo@x.org"], "dept": ["IT", None],
    ...          "tz": ["Europe/Berlin", "UTC-5"], "skills": ["AI tools; data", "Strategy"]}
    >>> cols = Columns(id="email", department="dept", timezone="tz", offers="skills")
    >>> roster = read_people(table, cols, skills=["ai_tools", "data", "strategy"],
    ...                      reference_date=datetime.date(2025, 1, 15))
    >>> roster.people.ids.tolist(), roster.people.department.tolist()
    (['ana@x.org', 'bo@x.org'], ['IT', None])
    >>> roster.people.offers.tolist(), roster.people.timezone.tolist()
    ([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]], [1.0, -5.0])
    """
    opts = _options(
        skills=skills,
        separator=separator,
        grade_map=grade_map,
        levels=levels,
        reference_date=reference_date,
        unknown_skills=unknown_skills,
        na_values=na_values,
        errors=errors,
    )
    cols = _columns_arg(columns, "columns")
    (side,), _ = _read_sides(
        [(source, cols, sheet, "source", None)], opts, cohort=False, unknown_managers="error"
    )
    return side.build()


def read_cohort(
    mentors: object,
    mentees: object,
    *,
    columns: Columns | Mapping[str, Any],
    mentee_columns: Columns | Mapping[str, Any] | None = None,
    skills: SkillVocabulary | Sequence[str],
    unknown_managers: str = "error",
    separator: str | Mapping[str, str | None] | None = None,
    grade_map: Mapping[str, int] | None = None,
    levels: tuple[float, float] | None = None,
    reference_date: _dt.date | None = None,
    unknown_skills: str = "error",
    na_values: Collection[str] | None = None,
    sheet: str | int | tuple[str | int | None, str | int | None] | None = None,
    errors: str = "raise",
) -> Intake:
    """Read both sides of a programme, checked and normalised together.

    On top of :func:`read_people` for each side: labels are normalised jointly (the mentors'
    ``"IT"`` and the mentees' ``"it"`` are one department, spelled as first seen), manager
    references are matched against both tables, and a person on both lists is a problem.

    Parameters
    ----------
    mentors, mentees : str, os.PathLike, DataFrame or mapping
        The two tables (see :func:`read_people`).
    columns : Columns or mapping
        The column map of the mentors' table, and of the mentees' unless ``mentee_columns``
        is given.
    mentee_columns : Columns or mapping, optional
        The column map of the mentees' table.
    skills : SkillVocabulary or sequence of str
        The skill space shared by both sides.
    unknown_managers : {"error", "outside"}
        A manager id that is neither a mentor nor a mentee: a problem, or a manager outside
        the programme (listed in :attr:`Intake.org_chart`, so that reporting-line rules still
        see two people with one manager).
    separator, grade_map, levels, reference_date, unknown_skills, na_values, errors
        As for :func:`read_people`.
    sheet : str, int or a pair of them, optional
        The worksheet of Excel files: one for both, or ``(mentors' sheet, mentees' sheet)``.

    Returns
    -------
    Intake
        Both rosters, the outside managers, the reference date and every warning.

    Raises
    ------
    ValidationError
        As for :func:`read_people`; also for an id on both lists (naming both files and rows)
        and an unknown manager under ``unknown_managers="error"``.
    TableError
        With ``errors="collect"``: every problem of both tables, the mentors' first, each
        file's by row.

    Notes
    -----
    Ids and manager references of both tables are put in one form together before they are
    compared (see :func:`read_people`): a mentor ``1`` from an Excel file and a mentee
    ``"1"`` from a CSV file are one person, on both lists. Ids of the two lists that differ
    only in letter case are a warning naming both rows.

    Examples
    --------
    >>> mentors = {"id": ["m1", "m2"], "dept": ["IT", "Sales"], "boss": ["e1", "ceo"]}
    >>> mentees = {"id": ["e1", "e2"], "dept": ["Sales", "HR"], "boss": [None, "ceo"]}
    >>> intake = read_cohort(mentors, mentees, skills=["ai_tools"],
    ...                      columns=Columns(id="id", department="dept", manager="boss"),
    ...                      unknown_managers="outside")
    >>> dict(intake.org_chart), intake.mentors.people.manager.tolist()
    ({'ceo': None}, ['e1', 'ceo'])
    """
    opts = _options(
        skills=skills,
        separator=separator,
        grade_map=grade_map,
        levels=levels,
        reference_date=reference_date,
        unknown_skills=unknown_skills,
        na_values=na_values,
        errors=errors,
    )
    unknown = check_choice(unknown_managers, "unknown_managers", ("error", "outside"))
    cols_m = _columns_arg(columns, "columns")
    cols_e = cols_m if mentee_columns is None else _columns_arg(mentee_columns, "mentee_columns")
    if isinstance(sheet, (tuple, list)):
        if len(sheet) != 2:
            raise ValidationError(
                "`sheet` must be one sheet for both files or a pair (mentors' sheet, mentees' "
                f"sheet); got a tuple of {len(sheet)}.",
                argument="sheet",
            )
        sheet_m, sheet_e = sheet
    else:
        sheet_m = sheet_e = sheet
    (side_m, side_e), org_chart = _read_sides(
        [
            (mentors, cols_m, sheet_m, "mentors", "mentors"),
            (mentees, cols_e, sheet_e, "mentees", "mentees"),
        ],
        opts,
        cohort=True,
        unknown_managers=unknown,
    )
    roster_m, roster_e = side_m.build(), side_e.build()
    return Intake(
        mentors=roster_m,
        mentees=roster_e,
        org_chart=cast(Mapping[Hashable, Hashable | None], ReadOnlyDict(org_chart)),
        reference_date=opts.day,
        warnings=tuple(dict.fromkeys([*roster_m.warnings, *roster_e.warnings])),
    )
