"""Tables in and out: HR exports to :class:`~rm_match.People`, matchings to CSV, Excel and JSON.

The optional edge of the library: nothing below it imports it. Files are read with the
standard library (CSV) or the optional extras (Excel: ``openpyxl``; Parquet: ``pyarrow``);
DataFrames (pandas, polars, pyarrow) are read as they are, and no DataFrame library is
needed for CSV in or CSV, Excel or JSON out.

- :func:`read_cohort` (both sides, checked together) and :func:`read_people` (one side):
  a table and a :class:`Columns` mapping in, :class:`Intake` / :class:`Roster` out
  (``.people`` for :func:`rm_match.match`, ``.carry`` for the output files).
- :func:`load_config` / :class:`Config`: a programme file (TOML or JSON) with the column
  mappings, the skill vocabulary, how cells are read, the :class:`~rm_match.Programme`
  and the options of :func:`rm_match.match`; :func:`init_config` writes a starting one.
- :func:`read_feedback`: check-in ratings of pairs to :class:`~rm_match.Feedback`.
- :func:`read_preferences`: survey answers (who, about whom, rank | rating | veto) to
  :class:`~rm_match.Preferences`.
- :func:`write_matching`: a :class:`~rm_match.Matching` to ``.xlsx`` (sheets pairs,
  unmatched, summary), ``.csv`` or ``.json``, with spreadsheet formulas neutralised.
- Field parsers: :func:`timezone_offset`, :func:`split_items`, :func:`generation`,
  :func:`label_key`, :func:`is_missing`.

Examples
--------
>>> import datetime, pathlib, tempfile
>>> from rm_match import Programme, match, rules
>>> from rm_match.io import Columns, read_cohort, write_matching
>>> cols = Columns(id="email", department="dept", timezone="tz", offers="teach",
...                wants="learn", carry=["name"])
>>> juniors = {"email": ["ana@x.org ", "bo@x.org"], "name": ["Ana", "Bo"],
...            "dept": ["IT", "Sales"], "tz": ["Europe/Berlin", "UTC+5:30"],
...            "teach": ["GenAI (ChatGPT); Excel", "TikTok"], "learn": ["", ""]}
>>> seniors = {"email": ["cy@x.org"], "name": ["Cy"], "dept": ["it"], "tz": ["CET"],
...            "teach": ["strategy"], "learn": ["AI tools, social media"]}
>>> skills = {"names": ["ai_tools", "data", "social_media", "strategy"],
...           "aliases": {"ai_tools": ["GenAI (ChatGPT)", "AI tools"],
...                       "data": ["Excel"], "social_media": ["TikTok"]}}
>>> from rm_match.io import SkillVocabulary
>>> import warnings
>>> with warnings.catch_warnings(record=True) as caught:  # "IT" and "it" are merged
...     intake = read_cohort(juniors, seniors, columns=cols,
...                          skills=SkillVocabulary(skills["names"], skills["aliases"]),
...                          reference_date=datetime.date(2027, 1, 15))
>>> intake.mentors.people.timezone.tolist(), intake.mentees.people.wants.tolist()
([1.0, 5.5], [[1.0, 0.0, 1.0, 0.0]])
>>> result = match(intake.mentors.people, intake.mentees.people,
...                Programme(rules=[rules.CrossDepartment()]))
>>> result.id_pairs  # "it" is the juniors' "IT": Ana may not mentor Cy
[('bo@x.org', 'cy@x.org')]
>>> out = pathlib.Path(tempfile.mkdtemp()) / "pairs.xlsx"
>>> [p.name for p in write_matching(result, out, mentor_columns=intake.mentors.carry,
...                                 mentee_columns=intake.mentees.carry)]
['pairs.xlsx']
"""

from __future__ import annotations

from .config import CONFIG_SECTIONS, Config, init_config, load_config
from .feedback import read_feedback
from .fields import (
    GENERATIONS,
    NA_VALUES,
    TIMEZONE_ABBREVIATIONS,
    TIMEZONE_CITIES,
    generation,
    is_missing,
    label_key,
    split_items,
    timezone_offset,
)
from .preferences import PREFERENCE_FIELDS, read_preferences
from .read import Columns, Intake, Roster, SkillVocabulary, read_cohort, read_people
from .write import FORMULA_PREFIXES, neutralise_formula, write_matching

__all__ = [
    "CONFIG_SECTIONS",
    "FORMULA_PREFIXES",
    "GENERATIONS",
    "NA_VALUES",
    "PREFERENCE_FIELDS",
    "TIMEZONE_ABBREVIATIONS",
    "TIMEZONE_CITIES",
    "Columns",
    "Config",
    "Intake",
    "Roster",
    "SkillVocabulary",
    "generation",
    "init_config",
    "is_missing",
    "label_key",
    "load_config",
    "neutralise_formula",
    "read_cohort",
    "read_feedback",
    "read_people",
    "read_preferences",
    "split_items",
    "timezone_offset",
    "write_matching",
]
