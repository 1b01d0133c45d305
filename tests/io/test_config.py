"""Programme files: every section read and checked, one named error per kind of mistake."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest

from rm_match import DataWarning, ValidationError
from rm_match.io import CONFIG_SECTIONS, Config, init_config, load_config

ROOT = Path(__file__).resolve().parents[2]
BASE = {"mentors": {"id": "email"}, "skills": {"names": ["ai_tools", "strategy"]}}


def _cfg(**sections):
    return Config.from_dict({**BASE, **sections})


def test_the_example_file_reads_every_section():
    cfg = load_config(ROOT / "examples" / "programme.toml")
    assert cfg.source == "programme.toml"
    assert cfg.read_options["reference_date"] == dt.date(2027, 1, 15)
    assert cfg.read_options["unknown_managers"] == "outside"
    assert cfg.read_options["grade_map"]["E2"] == 11
    assert cfg.match_options == {"policy": "max_matched", "time_limit": 60, "rng": 0}
    assert cfg.skills.resolve("GenAI (ChatGPT)") == "ai_tools"
    assert cfg.mentee_columns == cfg.mentor_columns  # [mentees] left out
    assert [g.kind for g in cfg.programme.goals] == ["share"]


def test_init_config_is_a_valid_file_with_every_section():
    data = tomllib.loads(init_config())
    assert set(data) <= set(CONFIG_SECTIONS)
    cfg = Config.from_dict(data)
    assert cfg.programme.learning_norm == "wants" and len(cfg.programme.rules) == 5


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({**BASE, "programe": {}}, r"unknown key 'programe' .*did you mean 'programme'"),
        ({**BASE, "match": {"polcy": "max_score"}}, r"unknown key 'polcy' in \[match\]"),
        ({**BASE, "data": {"refrence_date": 1}}, r"unknown key 'refrence_date' in \[data\]"),
        ({**BASE, "skills": {"name": []}}, r"unknown key 'name' in \[skills\]"),
        ({**BASE, "data": {"levels": [1]}}, r"`levels` must be a pair \[lowest, highest\]"),
        ({**BASE, "data": {"reference_date": "soon"}}, r"`reference_date` must be a date"),
        ({**BASE, "data": {"grade_map": [1]}}, r"\[data.grade_map\] must be a table"),
        ({**BASE, "match": 3}, r"\[match\] must be a table"),
        ({"skills": {"names": ["x"]}}, r"has no \[mentors\] section"),
        ({**BASE, "mentees": {"idd": "x"}}, r"\[mentees\] of programme file <dict>: .*'idd'"),
        ({**BASE, "programme": {"rules": [{"rule": "nope"}]}}, r"unknown rule kind 'nope'"),
    ],
)
def test_each_mistake_is_named(data, match):
    with pytest.raises(ValidationError, match=match):
        Config.from_dict(data)


def test_not_a_table():
    with pytest.raises(ValidationError, match="must hold a table of sections"):
        Config.from_dict([1, 2])  # type: ignore[arg-type]


def test_files_toml_and_json(tmp_path):
    toml = tmp_path / "p.toml"
    toml.write_text('[mentors]\nid = "email"\n[data]\nreference_date = 2027-03-01\n')
    assert load_config(toml).read_options["reference_date"] == dt.date(2027, 3, 1)
    js = tmp_path / "p.json"
    js.write_text(json.dumps({**BASE, "data": {"reference_date": "2027-03-01"}}))
    assert load_config(js).read_options["reference_date"] == dt.date(2027, 3, 1)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("p.yaml", "x", r"unknown suffix '.yaml'; use .toml or .json"),
        ("p.toml", "[mentors\n", r"p.toml is not valid TOML"),
        ("p.json", "{", r"p.json is not valid JSON: .* \(line 1\)"),
        ("p.toml", b"[mentors]\nid = '\xff'\n", r"p.toml is not UTF-8 text"),
    ],
)
def test_bad_files(tmp_path, name, content, match):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(ValidationError, match=match):
        load_config(path)


def test_missing_file(tmp_path):
    with pytest.raises(ValidationError, match=r"cannot read programme file .*nope.toml"):
        load_config(tmp_path / "nope.toml")


def test_read_and_match_use_the_file():
    cfg = _cfg(
        mentors={"id": "email", "department": "dept", "offers": "teach", "wants": "learn"},
        programme={"rules": [{"rule": "cross_department"}], "weights": {"learning": 1.0}},
        match={"policy": "max_score"},
    )
    with pytest.warns(DataWarning, match=r"department \(column 'dept'\): 1 label"):
        intake = cfg.read(
            {
                "email": ["a", "b"],
                "dept": ["IT", "HR"],
                "teach": ["ai_tools", ""],
                "learn": ["", ""],
            },
            {"email": ["c"], "dept": ["Hr"], "teach": ["strategy"], "learn": ["AI tools"]},
        )
    result = cfg.match(intake)
    assert result.policy == "max_score" and result.id_pairs == [("a", "c")]
    assert cfg.match(intake, policy="max_matched").policy == "max_matched"
