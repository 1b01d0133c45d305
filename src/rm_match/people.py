"""Participant tables: one :class:`People` per side of the programme.

A :class:`People` table is columnar: ids, a named skill space with ``offers`` and ``wants``
arrays (n × d, values in [0, 1]) and optional columns (department, grade, manager, languages,
time zone, interests, free categorical attributes, capacity). It is validated once, on entry,
and is immutable afterwards: every array is a private read-only copy.

Ids are opaque (``str`` or ``int``); names and e-mails stay with the caller. The repr and every
error message carry ids, field names and counts, never attribute values.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeGuard

import numpy as np

from ._checks import ReadOnlyDict, is_collection
from .errors import ValidationError

__all__ = ["FIELDS", "MISSING_GRADE", "People"]

#: The optional columns of a :class:`People` table, besides ids, skills and attributes.
FIELDS = (
    "offers",
    "wants",
    "department",
    "grade",
    "manager",
    "languages",
    "timezone",
    "interests",
    "capacity",
)

_RECORD_KEYS = frozenset(("id", "attributes", *FIELDS))

#: The value :attr:`People.grade` holds for a participant whose grade is missing (``None``):
#: below every valid grade (grades lie within ±2^62). :meth:`People.known` says which are.
MISSING_GRADE = np.iinfo(np.int64).min


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


_INT_LIMIT = 1 << 62


def _is_int(x: object) -> bool:
    """An integer (not a bool) that fits comfortably in int64."""
    if type(x) is int:  # the common case, without the ABC check
        return -_INT_LIMIT < x < _INT_LIMIT
    return (
        isinstance(x, numbers.Integral)
        and not isinstance(x, bool)
        and -_INT_LIMIT < int(x) < _INT_LIMIT
    )


def _object_column(values: list) -> np.ndarray:
    """A read-only 1-D object array (ids and labels keep their Python types)."""
    col = np.empty(len(values), dtype=object)
    col[:] = values
    return _readonly(col)


def _is_id(x: object) -> TypeGuard[str | numbers.Integral]:
    return (isinstance(x, str) and x != "") or (
        isinstance(x, numbers.Integral) and not isinstance(x, bool)
    )


def _column(field: str, values: object, n: int) -> list:
    """A per-participant column as a list of length ``n``, or a named error."""
    if not is_collection(values):
        raise ValidationError(
            f"`{field}` must be a sequence with one entry per participant.", argument=field
        )
    out = list(values)
    if len(out) != n:
        raise ValidationError(
            f"`{field}` has {len(out)} entries; expected {n} (one per participant).",
            argument=field,
        )
    return out


def _skill_matrix(field: str, values: object, ids: np.ndarray, d: int) -> np.ndarray:
    n = len(ids)
    if values is None:
        return _readonly(np.zeros((n, d)))
    not_numeric = ValidationError(
        f"`{field}` must be a numeric array of shape (n, d) = ({n}, {d}).", argument=field
    )
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError):  # ragged rows
        raise not_numeric from None
    if raw.dtype == object and all(
        v is None or (isinstance(v, numbers.Real) and not isinstance(v, bool)) for v in raw.ravel()
    ):
        # numbers mixed with None (a missing level): None becomes NaN, reported below
        raw = np.array([np.nan if v is None else v for v in raw.ravel()]).reshape(raw.shape)
    if raw.dtype.kind not in "iuf":  # no strings, booleans or other objects
        if n == 0 and raw.size == 0:
            return _readonly(np.zeros((0, d)))
        raise not_numeric
    a = np.array(raw, dtype=np.float64)
    if n == 0 and a.size == 0:
        a = a.reshape(0, d)
    if a.shape != (n, d):
        raise ValidationError(
            f"`{field}` must have shape (n, d) = ({n}, {d}); got {a.shape}.", argument=field
        )
    bad = ~np.isfinite(a)
    what = "a non-finite value (NaN or inf)"
    if not bad.any():
        bad = (a < 0.0) | (a > 1.0)
        what = "a value outside [0, 1]"
    if bad.any():
        i, k = np.argwhere(bad)[0]
        raise ValidationError(
            f"participant {ids[i]!r}: `{field}` has {what} (skill column {int(k)}); "
            f"{int(bad.sum())} such entries in all.",
            argument=field,
            participant=ids[i],
        )
    return _readonly(a)


def _label_set(field: str, value: object, pid: Hashable) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = (value,)
    items = list(value) if is_collection(value) else None
    if items is None or not all(isinstance(v, str) and v for v in items):
        raise ValidationError(
            f"participant {pid!r}: `{field}` must be a collection of non-empty strings.",
            argument=field,
            participant=pid,
        )
    return frozenset(items)


# -- one check per column (each raises a ValidationError naming the field and participant) ------


def _check_ids(ids: object) -> tuple[np.ndarray, dict[Hashable, int]]:
    """The ids as a read-only object column of plain ``str`` / ``int`` (numpy ints and strs
    become Python ones: results and records carry them as given, and they serialise as they
    are), and each id's row."""
    if not is_collection(ids):
        raise ValidationError("`ids` must be a sequence of str or int ids.", argument="ids")
    id_list: list[Hashable] = []
    for i, x in enumerate(ids):
        if not _is_id(x):
            raise ValidationError(
                f"`ids` entry {i} is not a valid id (expected a non-empty str or an int).",
                argument="ids",
            )
        id_list.append(str(x) if isinstance(x, str) else int(x))
    seen: dict[Hashable, int] = {}
    for i, x in enumerate(id_list):
        if x in seen:
            raise ValidationError(
                f"duplicate id {x!r} in `ids` (rows {seen[x]} and {i}).",
                argument="ids",
                participant=x,
            )
        seen[x] = i
    return _object_column(id_list), seen


def _check_skills(skills: object) -> tuple[str, ...]:
    if not is_collection(skills):
        raise ValidationError(
            "`skills` must be a sequence of non-empty skill names.", argument="skills"
        )
    names = tuple(skills)
    if not all(isinstance(s, str) and s for s in names):
        raise ValidationError(
            "`skills` must be a sequence of non-empty skill names.", argument="skills"
        )
    if len(set(names)) != len(names):
        dup = next(s for s in names if names.count(s) > 1)
        raise ValidationError(f"duplicate skill {dup!r} in `skills`.", argument="skills")
    return names


def _departments(values: object, pids: list[Hashable]) -> np.ndarray:
    vals = _column("department", values, len(pids))
    for pid, v in zip(pids, vals, strict=True):
        if v is not None and not (isinstance(v, str) and v):
            raise ValidationError(
                f"participant {pid!r}: `department` must be a non-empty string or None.",
                argument="department",
                participant=pid,
            )
    return _object_column(vals)


def _grades(values: object, pids: list[Hashable]) -> np.ndarray:
    vals = _column("grade", values, len(pids))
    for pid, v in zip(pids, vals, strict=True):
        if v is not None and not _is_int(v):
            raise ValidationError(
                f"participant {pid!r}: `grade` must be an integer (within ±2^62) or None.",
                argument="grade",
                participant=pid,
            )
    filled = [MISSING_GRADE if v is None else v for v in vals]
    return _readonly(np.array(filled, dtype=np.int64).reshape(len(pids)))


def _managers(values: object, pids: list[Hashable]) -> np.ndarray:
    vals = _column("manager", values, len(pids))
    for pid, v in zip(pids, vals, strict=True):
        if v is not None and not _is_id(v):
            raise ValidationError(
                f"participant {pid!r}: `manager` must be an id (str or int) or None.",
                argument="manager",
                participant=pid,
            )
        if v is not None and v == pid:
            raise ValidationError(
                f"participant {pid!r}: `manager` refers to the participant itself.",
                argument="manager",
                participant=pid,
            )
    return _object_column(vals)


def _label_sets(field: str, values: object, pids: list[Hashable]) -> tuple[frozenset[str], ...]:
    vals = _column(field, values, len(pids))
    # a frozenset shared by many rows (as table readers give them) is checked once
    seen: dict[int, frozenset[str]] = {}
    out = []
    for pid, v in zip(pids, vals, strict=True):
        if type(v) is frozenset:
            checked = seen.get(id(v))
            if checked is None:
                checked = seen[id(v)] = _label_set(field, v, pid)
            out.append(checked)
        else:
            out.append(_label_set(field, v, pid))
    return tuple(out)


def _timezones(values: object, pids: list[Hashable]) -> np.ndarray:
    vals = _column("timezone", values, len(pids))
    tz = np.empty(len(pids))
    for i, (pid, v) in enumerate(zip(pids, vals, strict=True)):
        if v is None or (isinstance(v, float) and math.isnan(v)):  # missing
            tz[i] = np.nan
            continue
        ok = type(v) is float or (isinstance(v, numbers.Real) and not isinstance(v, bool))
        if not ok or not math.isfinite(v) or not -12.0 <= v <= 14.0:
            raise ValidationError(
                f"participant {pid!r}: `timezone` must be a UTC offset in hours within [-12, 14] "
                "or None.",
                argument="timezone",
                participant=pid,
            )
        tz[i] = v
    return _readonly(tz)


def _attributes(attributes: object, pids: list[Hashable]) -> dict[str, np.ndarray]:
    if not isinstance(attributes, Mapping):
        raise ValidationError(
            "`attributes` must be a mapping of attribute name to values.",
            argument="attributes",
        )
    attrs: dict[str, np.ndarray] = {}
    for name, attr_values in attributes.items():
        if not isinstance(name, str) or not name or name in _RECORD_KEYS:
            raise ValidationError(
                f"attribute name {name!r} is not a non-empty string distinct from the "
                "built-in fields.",
                argument="attributes",
            )
        vals = _column(f"attributes[{name!r}]", attr_values, len(pids))
        for pid, v in zip(pids, vals, strict=True):
            if v is not None and not isinstance(v, (str, numbers.Integral)):
                raise ValidationError(
                    f"participant {pid!r}: attribute {name!r} must be a str, an int or None.",
                    argument=name,
                    participant=pid,
                )
        attrs[name] = _object_column(vals)
    return attrs


def _capacities(capacity: object, pids: list[Hashable], n: int) -> np.ndarray:
    if isinstance(capacity, numbers.Integral) and not isinstance(capacity, bool):
        vals: list[Any] = [capacity] * n
    else:
        vals = _column("capacity", capacity, n)
    for pid, v in zip(pids, vals, strict=True):
        if not _is_int(v) or v < 0:
            raise ValidationError(
                f"participant {pid!r}: `capacity` must be a non-negative integer.",
                argument="capacity",
                participant=pid,
            )
    return _readonly(np.array(vals, dtype=np.int64).reshape(n))


class People:
    """One side of a programme (mentors or mentees) as a validated, columnar table.

    Parameters
    ----------
    ids : sequence of str or int
        Unique, opaque participant ids.
    skills : sequence of str
        Names of the skill space, e.g. ``("ai_tools", "strategy")``; d = ``len(skills)``.
    offers, wants : array_like of shape (n, d), optional
        How well each person can teach (``offers``) and wants to learn (``wants``) each skill,
        in [0, 1]. Missing means zeros.
    department : sequence of str or None, optional
        Department of each participant; ``None`` where it is missing.
    grade : sequence of int or None, optional
        Grade or seniority level (higher is more senior); ``None`` where it is missing
        (stored as :data:`MISSING_GRADE`).
    manager : sequence of id or None, optional
        Id of each participant's manager (the org chart). The id may belong to this table, the
        other side, or an ``org_chart`` given to :func:`rm_match.match`; ``None`` for none.
    languages, interests : sequence of collections of str, optional
        Languages spoken and interests of each participant (``None`` or empty: none stated).
    timezone : sequence of float or None, optional
        UTC offset in hours, in [-12, 14]; ``None`` where it is missing (stored as NaN).
    attributes : mapping of str to sequence, optional
        Free categorical attributes (e.g. ``gender``, ``generation``), one hashable value (or
        ``None`` for not stated) per participant. Used for pair diversity and aggregate reports
        only; never printed per person.
    capacity : int or sequence of int, default 1
        How many partners each participant may take (mentors: 1:k group formats).

    Raises
    ------
    ValidationError
        On duplicate ids, wrong shapes, NaN/inf or out-of-range skill values, non-integer grades,
        a self-managed participant, negative capacity, and similar; the message names the
        participant id and the field.

    Notes
    -----
    A missing value is missing, not a label: two people with no department are not "in the
    same department", and nobody is "as senior as" a person of unknown grade. What each rule
    and score term makes of a missing value is said in its docstring (:mod:`rm_match.rules`,
    :mod:`rm_match.terms`).

    Examples
    --------
    >>> from rm_match import People
    >>> p = People(["a", "b"], skills=["ai_tools", "strategy"],
    ...            offers=[[0.9, 0.1], [0.7, 0.2]], department=["IT", "Sales"])
    >>> p
    People(n=2, skills=2, fields=['offers', 'wants', 'department', 'capacity'], attributes=[])
    >>> p.index("b")
    1
    """

    __slots__ = (
        "_index",
        "attributes",
        "capacity",
        "department",
        "grade",
        "ids",
        "interests",
        "languages",
        "manager",
        "offers",
        "skills",
        "timezone",
        "wants",
    )

    ids: np.ndarray
    skills: tuple[str, ...]
    offers: np.ndarray
    wants: np.ndarray
    department: np.ndarray | None
    grade: np.ndarray | None
    manager: np.ndarray | None
    languages: tuple[frozenset[str], ...] | None
    timezone: np.ndarray | None
    interests: tuple[frozenset[str], ...] | None
    attributes: Mapping[str, np.ndarray]
    capacity: np.ndarray
    _index: dict[Hashable, int]

    def __init__(
        self,
        ids: Sequence[Hashable],
        *,
        skills: Sequence[str] = (),
        offers: Any = None,
        wants: Any = None,
        department: Sequence[str] | None = None,
        grade: Sequence[int] | None = None,
        manager: Sequence[Hashable | None] | None = None,
        languages: Sequence[Iterable[str]] | None = None,
        timezone: Sequence[float] | None = None,
        interests: Sequence[Iterable[str]] | None = None,
        attributes: Mapping[str, Sequence[Hashable | None]] | None = None,
        capacity: int | Sequence[int] = 1,
    ) -> None:
        id_arr, index = _check_ids(ids)
        n = len(id_arr)
        pids = id_arr.tolist()
        skill_names = _check_skills(skills)
        columns: dict[str, object] = {
            "ids": id_arr,
            "_index": index,
            "skills": skill_names,
            "offers": _skill_matrix("offers", offers, id_arr, len(skill_names)),
            "wants": _skill_matrix("wants", wants, id_arr, len(skill_names)),
            "department": None if department is None else _departments(department, pids),
            "grade": None if grade is None else _grades(grade, pids),
            "manager": None if manager is None else _managers(manager, pids),
            "languages": None if languages is None else _label_sets("languages", languages, pids),
            "timezone": None if timezone is None else _timezones(timezone, pids),
            "interests": None if interests is None else _label_sets("interests", interests, pids),
            "attributes": ReadOnlyDict(() if attributes is None else _attributes(attributes, pids)),
            "capacity": _capacities(capacity, pids, n),
        }
        for name, value in columns.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("People tables are immutable; build a new one instead.")

    # pickling (process pools): the validated columns as they are, read-only again on load
    def __getstate__(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__ if hasattr(self, k)}

    def __setstate__(self, state: dict[str, object]) -> None:
        for k, v in state.items():
            if isinstance(v, np.ndarray):
                _readonly(v)
            elif k == "attributes":
                assert isinstance(v, Mapping)  # __getstate__ stores the attributes dict
                for c in v.values():
                    _readonly(c)
            object.__setattr__(self, k, v)

    # -- constructors ------------------------------------------------------------------------

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, skills: Sequence[str]) -> People:
        """Build a table from one mapping per participant.

        Each record has an ``id`` and any of the fields of :class:`People`; ``offers`` and
        ``wants`` are mappings of skill name to level (missing skills are 0), ``attributes`` a
        mapping of attribute name to value. A field given for some records must be given for
        all (attributes may be missing: that reads as "not stated").

        Raises
        ------
        ValidationError
            On an unknown key or skill name, or a field missing from some records; the message
            names the participant.

        Examples
        --------
        >>> from rm_match import People
        >>> p = People.from_records(
        ...     [{"id": "m1", "offers": {"ai_tools": 0.9}, "department": "IT"},
        ...      {"id": "m2", "offers": {"strategy": 0.4}, "department": "Sales"}],
        ...     skills=["ai_tools", "strategy"])
        >>> p.offers.tolist()
        [[0.9, 0.0], [0.0, 0.4]]
        """
        skills = _check_skills(skills)
        if not is_collection(records):
            raise ValidationError(
                "`records` must be an iterable of mappings (one per participant); got "
                f"{type(records).__name__}.",
                argument="records",
            )
        recs = list(records)
        col = {s: k for k, s in enumerate(skills)}
        ids: list = []
        for i, r in enumerate(recs):
            if not isinstance(r, Mapping) or "id" not in r:
                raise ValidationError(
                    f"record {i} must be a mapping with an 'id' key.", argument="records"
                )
            ids.append(r["id"])
            unknown = set(r) - _RECORD_KEYS
            if unknown:
                raise ValidationError(
                    f"participant {r['id']!r}: unknown field(s) {sorted(map(str, unknown))}; "
                    f"known fields are {sorted(_RECORD_KEYS)} (put free categories under "
                    "'attributes').",
                    argument=str(sorted(map(str, unknown))[0]),
                    participant=r["id"],
                )
        kwargs: dict[str, Any] = {}
        for field in ("offers", "wants"):
            if not any(field in r for r in recs):
                continue
            mat = np.zeros((len(recs), len(skills)))
            for i, r in enumerate(recs):
                levels = r.get(field)
                levels = {} if levels is None else levels
                if not isinstance(levels, Mapping):
                    raise ValidationError(
                        f"participant {r['id']!r}: `{field}` must be a mapping of skill name "
                        "to level.",
                        argument=field,
                        participant=r["id"],
                    )
                for skill, level in levels.items():
                    if skill not in col:
                        raise ValidationError(
                            f"participant {r['id']!r}: unknown skill {skill!r} in `{field}`; "
                            f"the skill space is {list(skills)}.",
                            argument=field,
                            participant=r["id"],
                        )
                    if not isinstance(level, numbers.Real) or isinstance(level, bool):
                        raise ValidationError(
                            f"participant {r['id']!r}: `{field}` level for skill {skill!r} "
                            "must be a number in [0, 1].",
                            argument=field,
                            participant=r["id"],
                        )
                    mat[i, col[skill]] = level
            kwargs[field] = mat
        for field in FIELDS[2:]:
            present = [field in r for r in recs]
            if not any(present):
                continue
            if field != "capacity" and not all(present):
                pid = recs[present.index(False)]["id"]
                raise ValidationError(
                    f"participant {pid!r}: `{field}` is missing but given for other participants.",
                    argument=field,
                    participant=pid,
                )
            kwargs[field] = [r.get(field, 1) for r in recs]
        names: list[str] = []
        for r in recs:
            a = r.get("attributes") or {}
            if not isinstance(a, Mapping):
                raise ValidationError(
                    f"participant {r['id']!r}: `attributes` must be a mapping.",
                    argument="attributes",
                    participant=r["id"],
                )
            names.extend(k for k in a if k not in names)
        if names:
            kwargs["attributes"] = {
                k: [(r.get("attributes") or {}).get(k) for r in recs] for k in names
            }
        return cls(ids, skills=skills, **kwargs)

    # -- access ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n(self) -> int:
        """Number of participants."""
        return len(self.ids)

    def index(self, participant: Hashable) -> int:
        """Row of a participant id; raises :class:`ValidationError` for an unknown id."""
        try:
            return self._index[participant]
        except (KeyError, TypeError):
            raise ValidationError(
                f"unknown participant id {participant!r}.", participant=participant
            ) from None

    def __contains__(self, participant: object) -> bool:
        try:
            return participant in self._index
        except TypeError:
            return False

    def has(self, field: str) -> bool:
        """Whether the column ``field`` (a built-in field or an attribute name) was given."""
        if field in FIELDS:
            return getattr(self, field) is not None
        return field in self.attributes

    def known(self, field: str) -> np.ndarray:
        """Which participants have a value for ``field`` (a built-in field or an attribute),
        as a boolean array; all ``False`` when the column was not given.

        Examples
        --------
        >>> from rm_match import People
        >>> People(["a", "b"], grade=[3, None], timezone=[None, 1.0]).known("grade").tolist()
        [True, False]
        """
        n = self.n
        if field not in FIELDS and field not in self.attributes:
            raise ValidationError(
                f"unknown field {field!r}; the fields are {list(FIELDS)} and the attributes "
                f"{sorted(self.attributes)}.",
                argument="field",
            )
        col = self.attributes[field] if field in self.attributes else getattr(self, field)
        if col is None:
            return np.zeros(n, dtype=bool)
        if field == "grade":
            return np.asarray(col != MISSING_GRADE)
        if field in ("timezone", "offers", "wants"):
            a = np.asarray(col, dtype=np.float64)
            return ~np.isnan(a) if a.ndim == 1 else np.ones(n, dtype=bool)
        if field in ("languages", "interests"):
            return np.array([len(s) > 0 for s in col], dtype=bool)
        if field == "capacity":
            return np.ones(n, dtype=bool)
        return np.array([v is not None for v in col], dtype=bool)

    @property
    def fields(self) -> list[str]:
        """The columns present, in the order of :data:`FIELDS`."""
        return [f for f in FIELDS if getattr(self, f) is not None]

    def __repr__(self) -> str:
        return (
            f"People(n={self.n}, skills={len(self.skills)}, fields={self.fields}, "
            f"attributes={sorted(self.attributes)})"
        )

    def _repr_html_(self) -> str:
        """The table's shape for notebooks: participants, skills, and per column present how
        many have a value — counts only, never a value. A count of participants without a
        value of an attribute is shown as ``fewer than 5`` when it is 1 to 4 (an attribute
        may be protected).

        Examples
        --------
        >>> from rm_match import People
        >>> p = People(["a", "b"], skills=["ai"], department=["IT", None],
        ...            attributes={"gender": ["x", "y"]})
        >>> html = p._repr_html_()
        >>> "IT" in html, "<td>gender</td>" in html, "1 skills (ai)" in html
        (False, True, True)
        """
        from ._html import escape, table
        from .results import MIN_GROUP

        rows: list[list[object]] = []
        for name in [*self.fields, *sorted(self.attributes)]:
            missing = self.n - int(self.known(name).sum())
            attribute = name in self.attributes
            if attribute and 0 < missing < MIN_GROUP:
                rows.append(
                    [
                        name,
                        "attribute",
                        f"all but fewer than {MIN_GROUP}",
                        f"fewer than {MIN_GROUP}",
                    ]
                )
            else:
                rows.append(
                    [name, "attribute" if attribute else "field", self.n - missing, missing]
                )
        skills = ", ".join(self.skills) if self.skills else "none"
        return (
            f"<div><strong>People</strong>: {self.n} participants; "
            f"{len(self.skills)} skills ({escape(skills)})\n"
            + table(["column", "kind", "with a value", "without"], rows)
            + "</div>"
        )

    # -- new tables from this one (each validated by the constructor) ------------------------

    def _kwargs(self) -> dict[str, Any]:
        """The constructor's keyword arguments (``ids`` included) that rebuild this table.

        Columns are passed as stored (read-only arrays, tuples of frozensets), except that a
        missing grade (:data:`MISSING_GRADE`) and a missing time zone (NaN) turn back into
        ``None``; ``attributes`` is a fresh ``dict`` the caller may change. ``People(**kw)``
        validates them again, so every helper below inherits the constructor's checks.
        """
        grade = None
        if self.grade is not None:
            grade = [None if g == MISSING_GRADE else g for g in self.grade.tolist()]
        timezone = None
        if self.timezone is not None:
            timezone = [None if math.isnan(t) else t for t in self.timezone.tolist()]
        return {
            "ids": self.ids,
            "skills": self.skills,
            "offers": self.offers,
            "wants": self.wants,
            "department": self.department,
            "grade": grade,
            "manager": self.manager,
            "languages": self.languages,
            "timezone": timezone,
            "interests": self.interests,
            "attributes": dict(self.attributes),
            "capacity": self.capacity,
        }

    def _rows_of(self, ids: object, argument: str) -> list[int]:
        """The row of each id in ``ids`` (in the given order), or a named error."""
        if not is_collection(ids):
            raise ValidationError(
                f"`{argument}` must be a sequence of participant ids.", argument=argument
            )
        rows: list[int] = []
        unknown: list[Hashable] = []
        for i, x in enumerate(ids):
            if not _is_id(x):
                raise ValidationError(
                    f"`{argument}` entry {i} is not a valid id (expected a non-empty str or an "
                    "int).",
                    argument=argument,
                )
            key: Hashable = str(x) if isinstance(x, str) else int(x)
            row = self._index.get(key)
            if row is None:
                unknown.append(key)
            else:
                rows.append(row)
        if unknown:
            first = unknown[0]
            raise ValidationError(
                f"unknown participant id {first!r} in `{argument}` ({len(unknown)} unknown "
                f"id(s) in all; the table has {self.n} participants).",
                argument=argument,
                participant=first,
            )
        return rows

    def _take(self, rows: Sequence[int]) -> People:
        """A new table of the given rows, in the given order (validated by the constructor)."""
        idx = np.asarray(rows, dtype=np.intp).reshape(len(rows))
        kwargs: dict[str, Any] = {}
        for name, value in self._kwargs().items():
            if name == "skills" or value is None:
                kwargs[name] = value
            elif name == "attributes":
                kwargs[name] = {k: v[idx] for k, v in value.items()}
            elif isinstance(value, np.ndarray):
                kwargs[name] = value[idx]
            else:  # grade, timezone (lists), languages, interests (tuples)
                kwargs[name] = [value[i] for i in idx]
        return type(self)(**kwargs)

    def drop(self, ids: Iterable[Hashable]) -> People:
        """A new table without the participants ``ids``; this one is unchanged.

        Parameters
        ----------
        ids : sequence of str or int
            Ids of the participants to leave out, each in this table; an id may be given more
            than once.

        Returns
        -------
        People
            The remaining participants, in table order, with every column and attribute.

        Raises
        ------
        ValidationError
            If an id is not in this table (the message names it; ``argument="ids"``) or an
            entry is not an id.

        Notes
        -----
        The ``manager`` column is kept as it is: a remaining participant whose manager was
        dropped still names that manager, since the reporting line still exists. To follow
        org-chart lines through a dropped person, give that person as an ``org_chart`` entry
        to :func:`rm_match.match`.

        See Also
        --------
        subset : the given ids, in the given order.

        Examples
        --------
        >>> from rm_match import People
        >>> p = People(["a", "b", "c"], manager=[None, "a", "a"], grade=[5, 2, None])
        >>> q = p.drop(["a"])
        >>> q.ids.tolist(), q.manager.tolist(), q.known("grade").tolist()
        (['b', 'c'], ['a', 'a'], [True, False])
        >>> p.n
        3
        """
        gone = set(self._rows_of(ids, "ids"))
        return self._take([i for i in range(self.n) if i not in gone])

    def subset(self, ids_or_mask: Iterable[Hashable] | np.ndarray) -> People:
        """A new table of the given participants; this one is unchanged.

        Parameters
        ----------
        ids_or_mask : sequence of str or int, or sequence of bool
            Either ids of this table, each at most once (the new table has them in the given
            order), or a boolean mask with one entry per participant (the selected rows, in
            table order). A numpy ``bool`` array, or a non-empty sequence whose entries are
            all ``bool``, is read as a mask.

        Returns
        -------
        People
            The selected participants with every column and attribute; ``manager`` entries
            are kept as they are (see :meth:`drop`).

        Raises
        ------
        ValidationError
            On an id not in this table, an id given twice, an entry that is not an id, or a
            mask whose length is not :attr:`n` (``argument="ids_or_mask"``).

        See Also
        --------
        drop : the table without some participants.

        Examples
        --------
        >>> from rm_match import People
        >>> p = People(["a", "b", "c"], capacity=[1, 2, 3])
        >>> p.subset(["c", "a"]).ids.tolist()
        ['c', 'a']
        >>> p.subset([True, False, True]).capacity.tolist()
        [1, 3]
        """
        arg = "ids_or_mask"
        if not is_collection(ids_or_mask):
            raise ValidationError(
                f"`{arg}` must be a sequence of participant ids or a boolean mask.", argument=arg
            )

        def wrong_length(shape: tuple[int, ...]) -> ValidationError:
            return ValidationError(
                f"`{arg}` as a boolean mask must have shape ({self.n},) (one entry per "
                f"participant); got {shape}.",
                argument=arg,
            )

        if isinstance(ids_or_mask, np.ndarray) and ids_or_mask.dtype == bool:
            if ids_or_mask.shape != (self.n,):
                raise wrong_length(ids_or_mask.shape)
            return self._take(np.flatnonzero(ids_or_mask).tolist())
        items = list(ids_or_mask)
        if items and all(isinstance(v, (bool, np.bool_)) for v in items):
            if len(items) != self.n:
                raise wrong_length((len(items),))
            return self._take([i for i, keep in enumerate(items) if keep])
        rows = self._rows_of(items, arg)
        if len(set(rows)) != len(rows):
            seen: dict[int, int] = {}
            for k, r in enumerate(rows):
                if r in seen:
                    pid = self.ids[r]
                    raise ValidationError(
                        f"duplicate id {pid!r} in `{arg}` (entries {seen[r]} and {k}).",
                        argument=arg,
                        participant=pid,
                    )
                seen[r] = k
        return self._take(rows)

    def with_column(self, field: str, values: object, *, attribute: bool = False) -> People:
        """A new table with one column replaced or added; this one is unchanged.

        Parameters
        ----------
        field : str
            A built-in column (one of :data:`FIELDS`: ``"capacity"``, ``"grade"``,
            ``"manager"``, ``"offers"``, ...) or the name of an attribute of this table.
            With ``attribute=True``, the name of an attribute to replace or add.
        values : object
            The new column, in any form the constructor takes for it (for ``capacity`` a
            single int; for an optional built-in column ``None`` leaves it out).
        attribute : bool, default False
            Whether ``field`` names an attribute, which may be new. Without it, a name that
            is neither a built-in column nor an existing attribute is an error, so that a
            misspelt column does not become an attribute.

        Returns
        -------
        People
            The table built by the constructor from this table's columns with ``field``
            replaced by ``values``.

        Raises
        ------
        ValidationError
            On an unknown ``field`` (the message lists the fields and attributes;
            ``argument="field"``), or whatever the constructor rejects in ``values``
            (the message names the field and participant).

        Examples
        --------
        >>> from rm_match import People
        >>> p = People(["a", "b"], grade=[3, 5])
        >>> p.with_column("capacity", [2, 0]).capacity.tolist()
        [2, 0]
        >>> q = p.with_column("team", ["x", None], attribute=True)
        >>> sorted(q.attributes), sorted(p.attributes)
        (['team'], [])
        """
        kwargs = self._kwargs()
        if attribute or (
            isinstance(field, str) and field not in FIELDS and field in self.attributes
        ):
            kwargs["attributes"][field] = values
        elif isinstance(field, str) and field in FIELDS:
            kwargs[field] = values
        else:
            raise ValidationError(
                f"unknown field {field!r}; the fields are {list(FIELDS)} and the attributes "
                f"{sorted(self.attributes)} (pass attribute=True to add an attribute).",
                argument="field",
            )
        return type(self)(**kwargs)

    @classmethod
    def concat(cls, *tables: People) -> People:
        """One table of the rows of ``tables``, in order.

        Parameters
        ----------
        *tables : People
            At least one table; all over the same skill space (same names, same order).

        Returns
        -------
        People
            Every row of every table. A column present in some tables but not others is
            filled for the rows of the others as missing: ``department``, ``grade``,
            ``timezone`` and ``manager`` with ``None``, ``languages`` and ``interests`` with
            empty sets, and an attribute with ``None`` (not stated). ``offers``, ``wants``
            (zeros when not given) and ``capacity`` are in every table.

        Raises
        ------
        ValidationError
            If no table is given or an argument is not a :class:`People`
            (``argument="tables"``); if the skill spaces differ (the message names the
            differing skills); on an id in more than one table (the constructor's
            duplicate-id error, naming the id; ``argument="ids"``).

        See Also
        --------
        add : this table followed by another.

        Examples
        --------
        >>> from rm_match import People
        >>> a = People(["a"], skills=["x"], offers=[[0.5]], grade=[3])
        >>> b = People(["b"], skills=["x"], attributes={"team": ["t1"]})
        >>> c = People.concat(a, b)
        >>> c.ids.tolist(), c.known("grade").tolist(), c.attributes["team"].tolist()
        (['a', 'b'], [True, False], [None, 't1'])
        """
        if not tables:
            raise ValidationError("`tables`: concat needs at least one table.", argument="tables")
        for i, t in enumerate(tables):
            if not isinstance(t, People):
                raise ValidationError(
                    f"`tables` entry {i} must be a People table; got {type(t).__name__}.",
                    argument="tables",
                )
        skills = tables[0].skills
        for i, t in enumerate(tables[1:], start=1):
            if t.skills != skills:
                only_first = [s for s in skills if s not in t.skills]
                only_this = [s for s in t.skills if s not in skills]
                if only_first or only_this:
                    detail = f"only in table 0: {only_first}; only in table {i}: {only_this}"
                else:
                    k = next(
                        k for k, (s, u) in enumerate(zip(skills, t.skills, strict=True)) if s != u
                    )
                    detail = (
                        f"same skills in another order (position {k}: {skills[k]!r} in table "
                        f"0, {t.skills[k]!r} in table {i})"
                    )
                raise ValidationError(
                    f"`tables`: table {i} has a different skill space from table 0 ({detail}).",
                    argument="tables",
                )
        parts = [t._kwargs() for t in tables]
        sizes = [t.n for t in tables]
        d = len(skills)
        kwargs: dict[str, Any] = {
            "ids": [x for p in parts for x in p["ids"]],
            "skills": skills,
            "offers": np.concatenate([p["offers"] for p in parts]).reshape(sum(sizes), d),
            "wants": np.concatenate([p["wants"] for p in parts]).reshape(sum(sizes), d),
            "capacity": [c for p in parts for c in p["capacity"].tolist()],
        }
        for name in ("department", "grade", "manager", "languages", "timezone", "interests"):
            if all(p[name] is None for p in parts):
                kwargs[name] = None
                continue
            blank: frozenset[str] | None = (
                frozenset() if name in ("languages", "interests") else None
            )
            kwargs[name] = [
                v
                for p, n in zip(parts, sizes, strict=True)
                for v in ([blank] * n if p[name] is None else list(p[name]))
            ]
        names: list[str] = []
        for p in parts:
            names.extend(k for k in p["attributes"] if k not in names)
        kwargs["attributes"] = {
            k: [
                v
                for p, n in zip(parts, sizes, strict=True)
                for v in (p["attributes"][k].tolist() if k in p["attributes"] else [None] * n)
            ]
            for k in names
        }
        return cls(**kwargs)

    def add(self, other: People) -> People:
        """A new table of this table's rows followed by ``other``'s: ``People.concat(self,
        other)``; see :meth:`concat` for how columns present in one table only are filled.

        Examples
        --------
        >>> from rm_match import People
        >>> People(["a"]).add(People(["b"], grade=[2])).ids.tolist()
        ['a', 'b']
        """
        return type(self).concat(self, other)
