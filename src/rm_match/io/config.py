"""Programme files: one TOML (or JSON) file that says how to read the HR tables and what
the programme is.

A programme file has up to six sections; only ``[mentors]`` (which column holds the id) is
required:

``[programme]``
    The :class:`~rm_match.Programme`: rules, goals, weights, skill weights, λ, the learning
    normalisation, diversity attributes (:meth:`Programme.from_dict`).
``[match]``
    Options of :func:`rm_match.match`: ``policy``, ``method``, ``time_limit``, ``gap_limit``,
    ``rng`` (a seed), ``workers``.
``[skills]``
    The skill space: ``names`` and, under ``[skills.aliases]``, other spellings of each skill
    as survey answers write them.
``[data]``
    How cells are read: ``reference_date`` (time zones are converted at this date),
    ``unknown_managers``, ``unknown_skills``, ``separator`` (one for every list column, or
    per field under ``[data.separator]``: ``languages = "/"``), ``levels``, ``na_values``,
    ``sheet`` and, under ``[data.grade_map]``, grade band labels → grades.
``[mentors]``, ``[mentees]``
    Which column holds which field (:class:`~rm_match.io.Columns`); ``[mentees]`` defaults
    to the mentors' mapping. Free categorical columns go under ``[mentors.attributes]``.

:func:`init_config` writes a commented starting file; :func:`load_config` reads one and
checks every key (an unknown or misspelt key is a :class:`~rm_match.ValidationError` naming
it and listing the valid ones).
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import get_close_matches
from os import PathLike
from pathlib import Path
from typing import Any

from ..api import match
from ..errors import ValidationError
from ..programme import Programme
from ..results import Matching
from .read import Columns, Intake, SkillVocabulary, read_cohort

__all__ = ["CONFIG_SECTIONS", "Config", "init_config", "load_config"]

#: The sections of a programme file, in the order :func:`init_config` writes them.
CONFIG_SECTIONS = ("programme", "match", "skills", "data", "mentors", "mentees")

_MATCH_KEYS = ("policy", "method", "time_limit", "gap_limit", "rng", "workers")
_SKILL_KEYS = ("names", "aliases")
_DATA_KEYS = (
    "reference_date",
    "unknown_managers",
    "unknown_skills",
    "separator",
    "levels",
    "na_values",
    "sheet",
    "grade_map",
)


def _unknown(keys: object, valid: tuple[str, ...], where: str) -> None:
    """A named error for the first key of ``keys`` that is not in ``valid``."""
    assert isinstance(keys, Mapping)
    for key in keys:
        if key not in valid:
            close = get_close_matches(str(key), valid, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValidationError(
                f"unknown key {key!r} in {where}{hint}; the valid keys are {list(valid)}.",
                argument=str(key),
            )


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"{where} must be a table (`[{key}]`); got {type(value).__name__}.", argument=key
        )
    return value


@dataclass(frozen=True)
class Config:
    """A programme file, read and checked: everything ``rm-match check`` and ``rm-match
    match`` need besides the two tables.

    Attributes
    ----------
    programme : Programme
    mentor_columns, mentee_columns : Columns
    skills : SkillVocabulary
    read_options : dict
        Keyword arguments of :func:`rm_match.io.read_cohort` (``reference_date``,
        ``unknown_managers``, ...), as given.
    match_options : dict
        Keyword arguments of :func:`rm_match.match` (``policy``, ``time_limit``, ...).
    source : str
        The file it was read from (``"<dict>"`` for :meth:`from_dict`).

    Examples
    --------
    >>> from rm_match.io import Config
    >>> cfg = Config.from_dict({
    ...     "skills": {"names": ["ai_tools", "strategy"]},
    ...     "mentors": {"id": "Work email", "department": "Department"},
    ...     "programme": {"rules": [{"rule": "cross_department"}]},
    ...     "match": {"time_limit": 30},
    ... })
    >>> cfg.programme.rule_names, cfg.mentee_columns.id, cfg.match_options
    (('cross_department',), 'Work email', {'time_limit': 30})
    >>> intake = cfg.read({"Work email": ["j1", "j2"], "Department": ["IT", "HR"]},
    ...                   {"Work email": ["s1"], "Department": ["it"]})
    >>> cfg.match(intake).id_pairs  # "it" is the juniors' "IT": only j2 may pair
    [('j2', 's1')]
    """

    programme: Programme
    mentor_columns: Columns
    mentee_columns: Columns
    skills: SkillVocabulary
    read_options: Mapping[str, Any] = field(default_factory=dict)
    match_options: Mapping[str, Any] = field(default_factory=dict)
    source: str = "<dict>"

    def read(self, mentors: object, mentees: object, *, errors: str = "raise") -> Intake:
        """Both tables read under this file's column mappings, skills and ``[data]``
        options: :func:`~rm_match.io.read_cohort` with them."""
        return read_cohort(
            mentors,
            mentees,
            columns=self.mentor_columns,
            mentee_columns=self.mentee_columns,
            skills=self.skills,
            errors=errors,
            **self.read_options,
        )

    def match(self, intake: Intake, **options: Any) -> Matching:
        """:func:`rm_match.match` of the tables read, under this file's programme and
        ``[match]`` options (``options`` override them)."""
        return match(
            intake.mentors.people,
            intake.mentees.people,
            self.programme,
            org_chart=intake.org_chart,
            **{**self.match_options, **options},
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> Config:
        """A configuration from the parsed file (see the module docstring for the keys)."""
        if not isinstance(data, Mapping):
            raise ValidationError(
                f"a programme file must hold a table of sections; got {type(data).__name__}.",
                argument="config",
            )
        _unknown(data, CONFIG_SECTIONS, f"programme file {source}")
        programme = Programme.from_dict(_table(data, "programme", "[programme]"))
        match_opts = dict(_table(data, "match", "[match]"))
        _unknown(match_opts, _MATCH_KEYS, "[match]")
        skills_sec = _table(data, "skills", "[skills]")
        _unknown(skills_sec, _SKILL_KEYS, "[skills]")
        names = skills_sec.get("names", [])
        aliases = _table(skills_sec, "aliases", "[skills.aliases]")
        skills = SkillVocabulary(names, aliases)
        read_opts = dict(_table(data, "data", "[data]"))
        _unknown(read_opts, _DATA_KEYS, "[data]")
        if "grade_map" in read_opts:
            read_opts["grade_map"] = dict(_table(read_opts, "grade_map", "[data.grade_map]"))
        if "levels" in read_opts:
            lv = read_opts["levels"]
            if not (isinstance(lv, list) and len(lv) == 2):
                raise ValidationError(
                    "[data] `levels` must be a pair [lowest, highest], e.g. [1, 5] for a "
                    "Likert scale.",
                    argument="levels",
                )
            read_opts["levels"] = tuple(lv)
        if "reference_date" in read_opts:
            read_opts["reference_date"] = _date(read_opts["reference_date"])
        if "mentors" not in data:
            raise ValidationError(
                f"programme file {source} has no [mentors] section: it must say at least "
                'which column holds the id (`id = "Work email"`).',
                argument="mentors",
            )
        mentor_columns = _columns(data, "mentors", source)
        mentee_columns = _columns(data, "mentees", source) if "mentees" in data else mentor_columns
        return cls(programme, mentor_columns, mentee_columns, skills, read_opts, match_opts, source)


def _columns(data: Mapping[str, Any], section: str, source: str) -> Columns:
    """The column mapping of one side, its errors naming the section and the file."""
    try:
        return Columns.from_dict(_table(data, section, f"[{section}]"))
    except ValidationError as exc:
        raise ValidationError(
            f"[{section}] of programme file {source}: {exc}",
            argument=exc.argument,
            file=source,
        ) from None


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError(
        "[data] `reference_date` must be a date, e.g. 2027-01-15.", argument="reference_date"
    )


def load_config(path: str | PathLike[str]) -> Config:
    """Read and check a programme file (``.toml`` or ``.json``).

    Raises
    ------
    ValidationError
        If the file is missing or malformed, or a key is unknown or a value invalid; the
        message names the file, the key and (for TOML/JSON syntax) the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rm_match.io import load_config
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "programme.toml"
    >>> _ = path.write_text('[mentors]\\nid = "email"\\n[skills]\\nnames = ["ai_tools"]\\n')
    >>> load_config(path).mentor_columns.id
    'email'
    """
    p = Path(path)
    if p.suffix.lower() not in (".toml", ".json"):
        raise ValidationError(
            f"programme file {p.name}: unknown suffix {p.suffix!r}; use .toml or .json.",
            argument="config",
        )
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"programme file {p.name} is not UTF-8 text (byte {exc.start}); save it as UTF-8.",
            argument="config",
            file=p.name,
        ) from None
    except OSError as exc:
        raise ValidationError(
            f"cannot read programme file {str(p)!r}: {exc.strerror or exc}.", argument="config"
        ) from None
    try:
        data = tomllib.loads(text) if p.suffix.lower() == ".toml" else json.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            f"programme file {p.name} is not valid TOML: {exc}.", argument="config"
        ) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"programme file {p.name} is not valid JSON: {exc.msg} (line {exc.lineno}).",
            argument="config",
        ) from None
    return Config.from_dict(data, source=p.name)


_TEMPLATE = """\
# rm-match programme file: how to read the two HR tables, and what the programme is.
# Check it against your files with
#   rm-match check --mentors juniors.csv --mentees seniors.csv --config programme.toml
# and pair with
#   rm-match match --mentors juniors.csv --mentees seniors.csv --config programme.toml \\
#       --out pairs.xlsx

[programme]
# How much what the mentee (the senior) teaches back counts, against what the mentor teaches.
reverse_weight = 0.5
# "wants": learning = the share of what each side wants to learn that the other can teach.
# "skills": per skill of the whole space (shrinks as the skill list grows).
learning_norm = "wants"
# A pair that differs on these earns the diversity reward (attribute names, see [mentors]).
diversity_attributes = ["gender", "generation"]

[programme.weights]
learning = 1.0
interests = 0.2
language = 0.1
timezone = 0.1
diversity = 0.2

# Hard rules: a pair is allowed only when every rule allows it.
[[programme.rules]]
rule = "cross_department"

[[programme.rules]]
rule = "no_reporting_line"
depth = 2          # own manager and skip-level manager

[[programme.rules]]
rule = "seniority_direction"
min_gap = 2        # the mentee at least two grades above the mentor

[[programme.rules]]
rule = "common_language"

[[programme.rules]]
rule = "max_timezone_diff"
hours = 6

# Cohort goals (optional), e.g. at least 40 % cross-gender pairs:
# [[programme.goals]]
# goal = "share"
# cross = "gender"
# at_least = 0.4

[match]
policy = "max_matched"   # as many pairs as possible, then the best total score
time_limit = 60          # seconds

[skills]
names = ["ai_tools", "social_media", "data_viz", "strategy", "stakeholder_mgmt"]

[skills.aliases]
ai_tools = ["GenAI", "ChatGPT", "AI tools"]
stakeholder_mgmt = ["stakeholder management"]

[data]
# Time zones named like "Europe/Berlin" or "CET" are converted to UTC offsets at this date.
reference_date = 2027-01-15
# A manager e-mail that is nobody in either file: "error", or "outside" (accepted as a manager
# outside the programme, so reporting lines are still followed through them).
unknown_managers = "outside"
unknown_skills = "error"   # or "ignore"

[data.grade_map]
# band label = grade (higher is more senior)
A1 = 1
A2 = 2
B1 = 3
D1 = 8
E1 = 10

[mentors]   # the juniors' file: which column holds what
id = "Work email"
department = "Department"
grade = "Band"
manager = "Manager email"
languages = "Languages"
timezone = "Time zone"
interests = "Interests"
offers = "I can teach"
wants = "I want to learn"
generation = "Birth year"
carry = ["Name", "Work email"]   # copied to the output untouched

[mentors.attributes]
gender = "Gender"
office = "Office"

# [mentees] is the same mapping unless given.
"""


def init_config() -> str:
    """A commented starting programme file (TOML), to copy and edit.

    Examples
    --------
    >>> from rm_match.io import Config, init_config
    >>> import tomllib
    >>> cfg = Config.from_dict(tomllib.loads(init_config()))
    >>> cfg.programme.rule_names[0], cfg.mentor_columns.offers
    ('cross_department', 'I can teach')
    """
    return _TEMPLATE
