"""The command line with participants' survey answers and stable matchings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from rm_match.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TABLES = ["--mentors", str(EXAMPLES / "juniors.csv"), "--mentees", str(EXAMPLES / "seniors.csv")]


def _config(tmp_path: Path) -> list[str]:
    """The example programme without its goal (stable matchings take none), with the
    survey weighted and vetoes as a rule."""
    text = (EXAMPLES / "programme.toml").read_text(encoding="utf-8")
    head, _, tail = text.partition("[[programme.goals]]")
    tail = tail[tail.index("[match]") :]
    head = head.replace("diversity = 0.2\n", "diversity = 0.2\npreference = 0.5\n", 1)
    head += '[[programme.rules]]\nrule = "vetoes"\n\n'
    path = tmp_path / "programme.toml"
    path.write_text(head + tail, encoding="utf-8")
    return [*TABLES, "--config", str(path)]


def _ids(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [row["Work email"].strip().lower() for row in csv.DictReader(f)]


def _survey(tmp_path: Path) -> tuple[Path, str, str]:
    juniors, seniors = _ids(EXAMPLES / "juniors.csv"), _ids(EXAMPLES / "seniors.csv")
    path = tmp_path / "survey.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["who", "about", "rank", "veto"])
        for k, s in enumerate(seniors[:20]):
            w.writerow([s, juniors[k % len(juniors)], 1, ""])
        w.writerow([juniors[0], seniors[1], "", "yes"])
    return path, juniors[0], seniors[1]


def test_match_takes_survey_answers(capsys, tmp_path):
    survey, vetoer, vetoed = _survey(tmp_path)
    files = _config(tmp_path)
    out = tmp_path / "pairs.json"
    assert main(["check", *files, "--preferences", str(survey)]) == 0
    assert "vetoes" in capsys.readouterr().out
    assert main(["match", *files, "--preferences", str(survey), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "preference" in text  # the term is reported among the mean terms
    pairs = json.loads(out.read_text())["pairs"]
    assert pairs and not any(p["mentor"] == vetoer and p["mentee"] == vetoed for p in pairs)


def test_match_stable_reports_the_price_of_stability(capsys, tmp_path):
    survey, _, _ = _survey(tmp_path)
    files = _config(tmp_path)
    out = tmp_path / "pairs.csv"
    code = main(
        ["match", *files, "--preferences", str(survey), "--stable", "mentees", "--out", str(out)]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "stable (mentee-optimal, preferences from data + survey): 0 blocking pairs" in text
    assert "price of stability" in text and "status stable" in text
    assert out.exists()


def test_a_survey_naming_nobody_exits_2(capsys, tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text("who,about,rank\nnobody@example.com,x@example.com,1\n", encoding="utf-8")
    files = _config(tmp_path)
    assert (
        main(["match", *files, "--preferences", str(path), "--out", str(tmp_path / "p.csv")]) == 2
    )
    assert "'nobody@example.com' is neither a mentor nor a mentee" in capsys.readouterr().err


def test_survey_columns_and_one_readable_warning(capsys, tmp_path):
    survey, _, _ = _survey(tmp_path)
    text = survey.read_text(encoding="utf-8").replace("who,about,rank,veto", "From,To,Rank,Veto")
    renamed = tmp_path / "renamed.csv"
    renamed.write_text(text, encoding="utf-8")
    files = [*TABLES, "--config", str(EXAMPLES / "programme.toml")]  # weights without it
    cols = "who=From,about=To,rank=Rank,veto=Veto"
    code = main(["check", *files, "--preferences", str(renamed), "--survey-columns", cols])
    assert code == 0
    err = capsys.readouterr().err
    assert err.count("rm-match: warning: `preferences` were given but change nothing") == 1
    assert "[programme.weights]" in err and "UserWarning" not in err
    bad = main(["check", *files, "--preferences", str(renamed), "--survey-columns", "who"])
    assert bad == 2 and "is not field=column" in capsys.readouterr().err


def test_stable_with_goals_names_the_file_and_the_report_takes_stable(capsys, tmp_path):
    goals = [*TABLES, "--config", str(EXAMPLES / "programme.toml")]
    code = main(["match", *goals, "--stable", "mentees", "--out", str(tmp_path / "p.csv")])
    assert code == 2
    assert "programme.toml has cohort goals ([[programme.goals]])" in capsys.readouterr().err
    survey, _, _ = _survey(tmp_path)
    out = tmp_path / "report.html"
    args = ["report", *_config(tmp_path), "--preferences", str(survey), "--stable", "score"]
    assert main([*args, "--out", str(out), "--no-plots"]) == 0
    assert "Stability" in out.read_text(encoding="utf-8")
