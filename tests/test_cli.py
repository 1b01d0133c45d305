"""The rm-match console script."""

from __future__ import annotations

import pytest

from rm_match.cli import main


def test_demo_prints_summary_and_pairs(capsys):
    assert main(["demo", "--mentors", "120", "--mentees", "100", "--seed", "3", "--show", "4"]) == 0
    out = capsys.readouterr().out
    assert "synthetic cohort of 120 mentors (juniors) and 100 mentees (seniors), seed 3" in out
    assert "status optimal" in out
    assert "gap" in out
    assert "cross_department" in out
    assert "first 4 pairs:" in out
    assert len([line for line in out.splitlines() if line.startswith("  J")]) == 4
    for value in ("female", "gen_z", "boomer"):
        assert value not in out


def test_demo_with_capacity_and_flow(capsys):
    assert (
        main(
            [
                "demo",
                "--mentors",
                "30",
                "--mentees",
                "60",
                "--capacity",
                "2",
                "--method",
                "flow",
                "--policy",
                "max_score",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "solver flow" in out and "policy max_score" in out


def test_demo_reports_library_errors(capsys):
    assert main(["demo", "--mentors", "-3"]) == 2
    assert "rm-match: bad input: `n_mentors` must be an integer ≥ 0" in capsys.readouterr().err


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as info:
        main(["nonsense"])
    assert info.value.code == 2


def test_demo_with_regions_on_two_processes(capsys):
    args = ["demo", "--mentors", "80", "--mentees", "80", "--regions", "3", "--processes", "2"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "same_region" in out
    assert "independent parts)" in out
    assert "status optimal" in out
    for value in ("R1", "R2", "R3"):  # group labels stay out of the report
        assert value not in out.split("first")[0]
