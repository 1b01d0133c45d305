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
- :func:`write_matching`: a :class:`~rm_match.Matching` to ``.xlsx`` (sheets pairs,
  unmatched, summary), ``.csv`` or ``.json``, with spreadsheet formulas neutralised.
- Field parsers: :func:`timezone_offset`, :func:`split_items`, :func:`generation`,
  :func:`label_key`, :func:`is_missing`.

Examples
--------
>>> from pathlib import Path
>>> from rm_match import match
>>> from rm_match.io import load_config, read_cohort
>>> examples = Path(__file__).resolve().parents[3] / "examples"
>>> cfg = load_config(examples / "programme.toml")
>>> intake = read_cohort(examples / "juniors.csv", examples / "seniors.csv",
...                      columns=cfg.mentor_columns, skills=cfg.skills,
...                      **cfg.read_options)
>>> intake.mentors.people.n, intake.mentees.people.n
(120, 80)
>>> result = match(intake.mentors.people, intake.mentees.people, cfg.programme,
...                org_chart=intake.org_chart, **cfg.match_options)
>>> result.status
'optimal'
"""

from __future__ import annotations

from .config import CONFIG_SECTIONS, Config, init_config, load_config
from .fields import (
    GENERATIONS,
    NA_VALUES,
    TIMEZONE_ABBREVIATIONS,
    generation,
    is_missing,
    label_key,
    split_items,
    timezone_offset,
)
from .read import Columns, Intake, Roster, SkillVocabulary, read_cohort, read_people
from .write import FORMULA_PREFIXES, neutralise_formula, write_matching

__all__ = [
    "CONFIG_SECTIONS",
    "FORMULA_PREFIXES",
    "GENERATIONS",
    "NA_VALUES",
    "TIMEZONE_ABBREVIATIONS",
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
    "read_people",
    "split_items",
    "timezone_offset",
    "write_matching",
]
