"""The command line on real-data files: ``check``, ``match``, ``init-config`` and exit codes
(0 done, 2 bad input with every problem listed, 1 anything else); the README's example line
runs as written."""

from __future__ import annotations

import csv
import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest

from rm_match.cli import main
from rm_match.io import load_config

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
JUNIORS, SENIORS, CONFIG = (
    EXAMPLES / "juniors.csv",
    EXAMPLES / "seniors.csv",
    EXAMPLES / "programme.toml",
)
FILES = ["--mentors", str(JUNIORS), "--mentees", str(SENIORS), "--config", str(CONFIG)]


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:  # our CSVs start with a BOM
        reader = csv.DictReader(f)
        return list(reader.fieldnames or ()), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _labels() -> set[str]:
    """Attribute values of the example files: none may appear in what the CLI prints."""
    values = set()
    for path in (JUNIORS, SENIORS):
        for row in _rows(path)[1]:
            for col in ("Department", "Gender", "Office", "Birth year"):
                if row[col].strip():
                    values.add(row[col].strip())
    return values


def test_readme_runs_the_example_files(capsys, tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1)
    line = next(x for x in block.splitlines() if "rm-match match" in x)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert line.strip() in ci  # CI runs the same line after installing
    args = shlex.split(line.split("rm-match", 1)[1])
    assert args[0] == "match" and args[args.index("--out") + 1] == "pairs.xlsx"
    args[args.index("--out") + 1] = str(tmp_path / "pairs.xlsx")  # not into the checkout
    monkeypatch.chdir(ROOT)  # the line's paths are relative to the repository
    assert main(args) == 0
    assert (tmp_path / "pairs.xlsx").stat().st_size > 0
    assert "status optimal" in capsys.readouterr().out


def test_check_reads_and_writes_nothing(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", *FILES]) == 0
    out = capsys.readouterr().out
    assert "mentors: 120 from juniors.csv; mentees: 80 from seniors.csv; 21 skills" in out
    assert "time zones converted at 2027-01-15" in out
    assert re.search(r"rules allow \d+\.\d% of all 9,600 pairs; each on its own: cross_d", out)
    assert "nothing written" in out and list(tmp_path.iterdir()) == []
    # who has no allowed partner, and why: ids and rule names, never values
    blank_tz = next(
        r["Work email"].strip()
        for r in _rows(JUNIORS)[1]
        if not r["Time zone"].strip() and r["Languages"].strip()
    )
    assert f"{blank_tz} (max_timezone_diff: no time zone)" in out
    assert re.search(r"managers outside the programme: 18 — \S+@example.com ×\d", out)
    assert re.search(r"mentors with no value: .*timezone \d+.*gender \d+", out)
    assert "warning: department (column 'Department')" in out
    printed = set(re.findall(r"[\w-]+", out))
    assert not (_labels() - {"Birth"}) & printed, "an attribute value was printed"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_match_writes_the_pairs(capsys, tmp_path, suffix):
    out = tmp_path / f"pairs{suffix}"
    assert main(["match", *FILES, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "status optimal" in text and "goal share_cross_gender" in text
    assert f"wrote {out}" in text
    juniors = {r["Work email"].strip(): r["Name"] for r in _rows(JUNIORS)[1]}
    if suffix == ".json":
        data = json.loads(out.read_text(encoding="utf-8"))
        pairs = data["pairs"]
        assert data["status"] == "optimal" and pairs
    elif suffix == ".csv":
        _, pairs = _rows(out)
        assert (tmp_path / "pairs_unmatched.csv").exists()
        assert (tmp_path / "pairs_summary.csv").exists()
        # the carried-through columns come with each pair, untouched
        for p in pairs:
            assert p["mentor_Name"] == juniors[p["mentor"]]
    else:
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.load_workbook(out, read_only=True)
        assert book.sheetnames == ["pairs", "unmatched", "summary"]
        rows = list(book["pairs"].iter_rows(values_only=True))
        assert rows[0][:3] == ("mentor", "mentee", "mentor_Name") and len(rows) > 50
    assert text.count("\n") < 30  # a summary, not the pairs


def test_bad_files_exit_2_with_every_problem(capsys, tmp_path):
    header, rows = _rows(JUNIORS)
    rows = [dict(r) for r in rows[:10]]
    rows.append(dict(rows[0]))  # a duplicate person
    rows[2]["Time zone"] = "Mars/Olympus"
    rows[3]["I can teach"] = "Blockchian"
    rows[4]["Band"] = "Z9"
    rows[5]["Manager email"] = rows[5]["Work email"]  # their own manager
    juniors = _write(tmp_path / "juniors.csv", header, rows)
    code = main(
        ["check", "--mentors", str(juniors), "--mentees", str(SENIORS), "--config", str(CONFIG)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("rm-match: bad input:")
    for what in ("Mars/Olympus", "Blockchian", "Z9", "duplicate", "own manager"):
        assert what in err, what
    assert "row 4" in err and "juniors.csv" in err
    assert "Traceback" not in err


def test_first_problem_only_with_errors_raise(capsys, tmp_path):
    header, rows = _rows(JUNIORS)
    rows = [dict(r) for r in rows[:10]]
    rows[2]["Time zone"] = "Mars/Olympus"
    rows[3]["Band"] = "Z9"
    juniors = _write(tmp_path / "juniors.csv", header, rows)
    args = ["check", "--mentors", str(juniors), "--mentees", str(SENIORS), "--config"]
    assert main([*args, str(CONFIG), "--errors", "raise"]) == 2
    err = capsys.readouterr().err
    assert "Mars/Olympus" in err and "Z9" not in err


def test_bad_programme_file_exits_2(capsys, tmp_path):
    data = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    text = CONFIG.read_text(encoding="utf-8").replace("depth = 2", "detph = 2")
    bad = tmp_path / "programme.toml"
    bad.write_text(text, encoding="utf-8")
    args = ["check", "--mentors", str(JUNIORS), "--mentees", str(SENIORS), "--config", str(bad)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "detph" in err and "depth" in err
    assert data["programme"]["rules"][1]["depth"] == 2


def test_an_infeasible_programme_exits_1(capsys, tmp_path):
    goal = 'goal = "share"\ncross = "gender"\nat_least = 0.4 '
    text = CONFIG.read_text(encoding="utf-8")
    assert goal in text
    text = text.replace(goal, 'goal = "count"\nat_least = 100 ')  # 80 mentees
    cfg = tmp_path / "programme.toml"
    cfg.write_text(text, encoding="utf-8")
    args = ["match", "--mentors", str(JUNIORS), "--mentees", str(SENIORS)]
    assert main([*args, "--config", str(cfg), "--out", str(tmp_path / "p.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rm-match: error:") and "count" in err
    assert not (tmp_path / "p.csv").exists()


def test_output_that_cannot_be_written_exits_1(capsys, tmp_path):
    out = tmp_path / "no" / "such" / "dir" / "pairs.csv"
    assert main(["match", *FILES, "--out", str(out)]) == 1
    assert "rm-match: error:" in capsys.readouterr().err


def test_unknown_output_suffix_exits_2_before_reading(capsys, tmp_path):
    assert main(["match", *FILES, "--out", str(tmp_path / "pairs.txt")]) == 2
    assert "unknown suffix '.txt'" in capsys.readouterr().err


def test_init_config_writes_a_loadable_file(capsys, tmp_path):
    path = tmp_path / "programme.toml"
    assert main(["init-config", "--out", str(path)]) == 0
    cfg = load_config(path)
    assert cfg.programme.rule_names[0] == "cross_department"
    assert cfg.mentor_columns.id == "Work email"
    assert main(["init-config", "--out", str(path)]) == 2  # no overwrite
    assert "--force" in capsys.readouterr().err
    assert main(["init-config", "--out", str(path), "--force"]) == 0
    assert main(["init-config"]) == 0
    assert "[programme]" in capsys.readouterr().out


def test_missing_table_file_exits_2(capsys, tmp_path):
    args = ["check", "--mentors", str(tmp_path / "nope.csv"), "--mentees", str(SENIORS)]
    assert main([*args, "--config", str(CONFIG)]) == 2
    err = capsys.readouterr().err
    assert "nope.csv" in err and "Traceback" not in err


def test_the_example_files_are_what_the_seeded_script_makes(tmp_path):
    import subprocess
    import sys

    script = EXAMPLES / "make_hr_export.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], check=True)
    for name in ("juniors.csv", "seniors.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name
