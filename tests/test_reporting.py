"""The programme report (:mod:`rm_match.reporting`): every section against plain-Python counts
on a hand-built cohort, suppression of groups under 5, the self-contained HTML page, the
notebook reprs, rotations and rematches, ``Matching.to_networkx`` and ``rm-match report``.

The cohort plants values that must never be shown: a gender label held by 3 mentors, a
department of 2 mentors, and a birth year per person.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import rm_match as rm
from rm_match import People, Programme, match, rules
from rm_match import goals as G
from rm_match.cli import main
from rm_match.errors import ValidationError
from rm_match.reporting import (
    NOT_STATED,
    SMALL_GROUPS,
    ProgrammeReport,
    department_flows,
    report,
    skill_coverage,
)
from rm_match.results import MIN_GROUP

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

SECRET_GENDER = "Xenogender-K9"  # 3 mentors
SECRET_DEPT = "Zebra-Unit-Q7"  # 2 mentors
SECRETS = (SECRET_GENDER, SECRET_DEPT)
SKILLS = ("ai", "strategy", "video")


def _cohort() -> tuple[People, People]:
    rng = np.random.default_rng(7)
    n_m, n_e = 16, 12
    m_ids = [f"m{i:02d}" for i in range(n_m)]
    e_ids = [f"e{i:02d}" for i in range(n_e)]
    m_dept = ["Eng"] * 7 + ["Ops"] * 6 + [SECRET_DEPT] * 2 + [None]
    e_dept = ["Sales"] * 6 + ["Eng"] * 5 + ["Tiny"]
    m_gender = ["f"] * 7 + ["m"] * 5 + [SECRET_GENDER] * 3 + [None]
    e_gender = ["f"] * 6 + ["m"] * 6
    m_generation = ["gen_z"] * 10 + ["millennial"] * 6
    e_generation = ["gen_x"] * 12
    # a birth-year-like attribute: one value per person (never a group of 5)
    m_birth = [1990 + i for i in range(n_m)]
    e_birth = [1960 + i for i in range(n_e)]
    mentors = People(
        m_ids,
        skills=SKILLS,
        offers=rng.uniform(0, 1, (n_m, 3)),
        wants=rng.uniform(0, 1, (n_m, 3)),
        department=m_dept,
        grade=[1, 2, 3] * 5 + [None],
        attributes={"gender": m_gender, "generation": m_generation, "birth_year": m_birth},
    )
    mentees = People(
        e_ids,
        skills=SKILLS,
        offers=rng.uniform(0, 1, (n_e, 3)),
        wants=rng.uniform(0, 1, (n_e, 3)),
        department=e_dept,
        grade=[6, 7, 8, 9] * 3,
        attributes={"gender": e_gender, "generation": e_generation, "birth_year": e_birth},
    )
    return mentors, mentees


PROGRAMME = Programme(
    rules=[rules.CrossDepartment()],
    diversity_attributes=("gender",),
    goals=[G.Share(cross="gender", at_least=0.3)],
)


@pytest.fixture(scope="module")
def case() -> tuple[People, People, rm.Matching, ProgrammeReport]:
    mentors, mentees = _cohort()
    result = match(mentors, mentees, PROGRAMME)
    return mentors, mentees, result, report(result, mentors, mentees, PROGRAMME)


# -- each section against plain-Python counts -----------------------------------------------------


def test_summary(case):
    _mentors, _mentees, result, rep = case
    pairs = result.id_pairs
    assert rep.kind == "matching"
    s = rep.summary
    assert s["pairs"] == len(pairs) == 12
    assert s["mentors"] == 16 and s["mentees"] == 12
    assert s["mentors_matched"] == len({m for m, _ in pairs})
    assert s["mentees_matched"] == len({e for _, e in pairs})
    assert s["mentor_match_rate"] == pytest.approx(s["mentors_matched"] / 16)
    assert s["mentee_match_rate"] == pytest.approx(s["mentees_matched"] / 12)
    assert s["mean_score"] == pytest.approx(np.mean([p.score for p in result.pairs]))
    assert (s["status"], s["gap"], s["objective"]) == (result.status, result.gap, result.objective)


def _plain_groups(table, values, pairs_per_id, scores_per_id):
    """Per label: n, matched, pairs, score sum — over everybody, labels as given."""
    out: dict[object, list[float]] = {}
    for pid, v in zip(table.ids.tolist(), values, strict=True):
        row = out.setdefault(v, [0, 0, 0, 0.0])
        row[0] += 1
        row[1] += pairs_per_id[pid] > 0
        row[2] += pairs_per_id[pid]
        row[3] += scores_per_id[pid]
    return out


def _plain_pool(values):
    """Each value's group by the documented rule, written plainly: groups of 5 or more
    named (those without a value as NOT_STATED), the rest pooled; while the pool holds 1 to
    4 people the smallest named group (those without a value first on a tie) joins it."""
    sizes = Counter(values)
    named = {k: n for k, n in sizes.items() if n >= MIN_GROUP}
    pool = sum(n for k, n in sizes.items() if k not in named)
    while 0 < pool < MIN_GROUP and named:
        k = sorted(named, key=lambda k: (named[k], k is not None, str(k)))[0]
        pool += named.pop(k)
    return {v: (NOT_STATED if v is None else v) if v in named else SMALL_GROUPS for v in sizes}


def test_by_group_counts_and_suppression(case):
    mentors, mentees, result, rep = case
    rows = {(g.side, g.attribute, g.group): g for g in rep.by_group}
    assert {g.attribute for g in rep.by_group} == {
        "department",
        "gender",
        "generation",
        "grade_band",
    }
    for side, table in (("mentors", mentors), ("mentees", mentees)):
        pairs_per_id = Counter({pid: 0 for pid in table.ids.tolist()})
        scores_per_id = dict.fromkeys(table.ids.tolist(), 0.0)
        for p in result.pairs:
            pid = p.mentor if side == "mentors" else p.mentee
            pairs_per_id[pid] += 1
            scores_per_id[pid] += p.score
        for attribute, values in (
            ("department", list(table.department)),
            ("gender", list(table.attributes["gender"])),
        ):
            group_of = _plain_pool(values)
            merged = _plain_groups(
                table, [group_of[v] for v in values], pairs_per_id, scores_per_id
            )
            shown = {(s, a, g) for (s, a, g) in rows if s == side and a == attribute}
            assert shown == {(side, attribute, g) for g in merged}
            for label, (n, matched, pairs, total) in merged.items():
                g = rows[(side, attribute, label)]
                assert n >= MIN_GROUP  # nothing under 5 is left, nor follows by subtraction
                assert (g.n, g.matched, g.pairs) == (n, matched, pairs)
                assert g.matched_share == pytest.approx(matched / n)
                want = pytest.approx(total / pairs) if pairs >= MIN_GROUP else None
                assert g.mean_score == want
            for v in values:  # a label of a group under 5 is never shown
                if v is not None and Counter(values)[v] < MIN_GROUP:
                    assert (side, attribute, v) not in rows
    # the secret labels are pooled
    assert all(g.n is None or g.n >= MIN_GROUP for g in rep.by_group)


def test_grade_bands_count_from_the_lowest_grade(case):
    mentors, mentees, result, rep = case
    bands = {(g.side, g.group): g.n for g in rep.by_group if g.attribute == "grade_band"}
    # mentors' grades 1, 2, 3 (×5) and one missing: bands 1–2 (10) and 3–4 (5); the one
    # without a grade would be a group of 1 (it follows from the total), so 3–4 joins it
    assert bands[("mentors", "grades 1–2")] == 10 and bands[("mentors", SMALL_GROUPS)] == 6
    # mentees' grades 6, 7, 8, 9 (×3): bands 5–6 (3, pooled), 7–8 (6), 9–10 (3, pooled)
    assert bands[("mentees", "grades 7–8")] == 6 and ("mentees", "grades 5–6") not in bands
    assert bands[("mentees", SMALL_GROUPS)] == 6  # 5–6 and 9–10 pooled (3 + 3)
    narrow = report(result, mentors, mentees, groups=["grade_band"], grade_band_width=3)
    # one band of 15 and one person without a grade: naming the band would give away the
    # one, so everybody is pooled
    assert {g.group for g in narrow.by_group if g.side == "mentors"} == {SMALL_GROUPS}
    wide = report(result, mentors, mentees, groups=["grade_band"], grade_band_width=2)
    assert ("mentors", "grades 1–2") in {(g.side, g.group) for g in wide.by_group}


def test_skill_coverage_both_directions(case):
    mentors, mentees, result, rep = case
    rows = {(r.skill, r.direction): r for r in skill_coverage(result, mentors, mentees)}
    assert tuple(rep.skills) == tuple(skill_coverage(result, mentors, mentees))
    partners: dict[object, list[object]] = {}
    for m, e in result.id_pairs:
        partners.setdefault(m, []).append(e)
        partners.setdefault(e, []).append(m)
    for direction, learners, teachers in (
        ("mentor teaches", mentees, mentors),
        ("mentee teaches", mentors, mentees),
    ):
        for k, skill in enumerate(SKILLS):
            wanted = covered = 0
            for i, pid in enumerate(learners.ids.tolist()):
                if learners.wants[i, k] >= 0.5:
                    wanted += 1
                    if any(
                        teachers.offers[teachers.index(q), k] >= 0.5 for q in partners.get(pid, [])
                    ):
                        covered += 1
            r = rows[(skill, direction)]
            assert (r.wanted, r.covered, r.unmet) == (wanted, covered, wanted - covered)
    strict = skill_coverage(result, mentors, mentees, threshold=0.9)
    assert all(a.wanted >= b.wanted for a, b in zip(rep.skills, strict, strict=True))
    with pytest.raises(ValidationError, match="threshold"):
        skill_coverage(result, mentors, mentees, threshold=0)


def test_department_flows(case):
    mentors, mentees, result, rep = case
    flows = department_flows(result, mentors, mentees)
    m_of = _plain_pool(list(mentors.department))
    e_of = _plain_pool(list(mentees.department))
    m_group = {
        pid: m_of[d] for pid, d in zip(mentors.ids.tolist(), mentors.department, strict=True)
    }
    e_group = {
        pid: e_of[d] for pid, d in zip(mentees.ids.tolist(), mentees.department, strict=True)
    }
    assert set(flows.mentor_groups) == set(m_group.values())
    assert set(flows.mentee_groups) == set(e_group.values())
    plain = Counter((m_group[m], e_group[e]) for m, e in result.id_pairs)
    for i, a in enumerate(flows.mentor_groups):
        for j, b in enumerate(flows.mentee_groups):
            assert flows.counts[i, j] == plain[(a, b)]
            if 0 < plain[(a, b)] < MIN_GROUP:
                assert flows.suppressed[i, j]
    # no row or column holds exactly one suppressed cell (it would follow from the totals)
    for lines in (flows.suppressed, flows.suppressed.T):
        if lines.shape[1] > 1:
            assert all(line.sum() != 1 for line in lines)
    assert flows.total == len(result.pairs)
    assert np.array_equal(rep.flows.counts, flows.counts)
    shown = flows.shown()
    assert all(v is None or v == 0 or v >= MIN_GROUP for v in shown.ravel())


def test_rules_goals_unmatched(case):
    mentors, mentees, result, rep = case
    assert dict(rep.rules) == dict(result.report.rule_pass_share)
    allowed = np.mean(
        [[a != b for b in mentees.department] for a in mentors.department]
        # a missing department: CrossDepartment's own verdict is read from the report
    )
    assert rep.rules["cross_department"] == pytest.approx(allowed, abs=1 / 16)
    (goal,) = rep.goals
    (check,) = result.goals
    assert (goal.goal, goal.met, goal.value, goal.at_least) == (
        check.goal,
        check.met,
        check.value,
        0.3,
    )
    m_gender = dict(zip(mentors.ids.tolist(), mentors.attributes["gender"], strict=True))
    e_gender = dict(zip(mentees.ids.tolist(), mentees.attributes["gender"], strict=True))
    # a pair with a gender not stated is not counted as cross-gender
    cross = np.mean(
        [m_gender[m] is not None and m_gender[m] != e_gender[e] for m, e in result.id_pairs]
    )
    assert goal.value == pytest.approx(cross)
    plain = Counter(r.kind for r in result.unmatched_mentors.values())
    assert dict(rep.unmatched["mentors"]) == dict(plain)
    assert sum(rep.unmatched["mentors"].values()) == 16 - rep.summary["mentors_matched"]
    assert dict(rep.unmatched["mentees"]) == {}
    kinds = {(side, pid): kind for side, pid, kind in rep.unmatched_ids}
    assert set(kinds) == {("mentor", pid) for pid in result.unmatched_mentors}


# -- renderings and privacy ------------------------------------------------------------------------


def _no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    visible = re.sub(r"<svg.*?</svg>", "", text, flags=re.S)  # numbers in SVG paths aside
    comments = " ".join(re.findall(r"<!--(.*?)-->", text, flags=re.S))  # SVG text labels
    for year in [*range(1990, 2006), *range(1960, 1972)]:
        pattern = rf"(?<![\d.]){year}(?![\d.])"  # the year, not digits of another number
        assert not re.search(pattern, visible) and not re.search(pattern, comments)


def test_html_page_is_self_contained_and_private(case):
    mentors, mentees, result, rep = case
    page = rep.to_html()
    for heading in (
        "Summary",
        "Match rate and score by group",
        "Skills wanted and covered",
        "Department flows",
        "Hard rules: share of pairs allowed",
        "Cohort goals: required and achieved",
        "Unmatched by reason",
    ):
        assert f">{heading}" in page
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page.lower() and "javascript:" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert page.count("<svg") == 3  # scores, flows, skills
    _no_secrets(page)
    with_ids = report(result, mentors, mentees, groups=["birth_year", "gender"]).to_html(
        include_ids=True, plots=False
    )
    _no_secrets(with_ids)
    assert "Unmatched participants" in with_ids
    assert "Unmatched participants" not in page and "m15" not in page


def test_text_reprs_and_dict_are_private(case):
    mentors, mentees, result, rep = case
    by_year = report(result, mentors, mentees, groups=["birth_year"])
    assert {g.group for g in by_year.by_group} == {SMALL_GROUPS}
    for text in (
        rep.to_text(),
        rep.to_text(include_ids=True),
        rep._repr_html_(),
        repr(rep),
        by_year.to_text(),
        json.dumps(rep.as_dict(include_ids=True), allow_nan=False),
        json.dumps(by_year.as_dict()),
        result._repr_html_(),
        result.report._repr_html_(),
        mentors._repr_html_(),
        mentees._repr_html_(),
    ):
        _no_secrets(text)
        assert "<script" not in text
    assert "Skills wanted and covered" in rep.to_text()
    assert "birth_year" in mentors._repr_html_()  # the column's name, not its values
    assert "<td>m00</td>" in result._repr_html_()  # ids of pairs are fine


def test_plots_note_without_matplotlib(case, monkeypatch):
    import sys

    _mentors, _mentees, _result, rep = case
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    page = rep.to_html()
    assert "<svg" not in page and "plot extra" in page


def test_tables_and_save(case, tmp_path):
    _mentors, _mentees, _result, rep = case
    frames = rep.tables()
    assert {"summary", "by_group", "skills", "flows", "rules", "goals", "unmatched"} <= set(frames)
    assert len(frames["skills"]) == 2 * len(SKILLS)
    assert list(frames["flows"].index) == list(rep.flows.mentor_groups)
    assert frames["flows"].isna().to_numpy().sum() == rep.flows.suppressed.sum()
    assert frames["by_group"]["people"].dropna().min() >= MIN_GROUP
    assert "unmatched_ids" not in frames and "unmatched_ids" in rep.tables(include_ids=True)
    assert rep.save(tmp_path / "r.html", plots=False).read_text().startswith("<!DOCTYPE")
    assert rep.save(tmp_path / "r.txt").read_text().startswith("Programme report")
    with pytest.raises(ValidationError, match="suffix"):
        rep.save(tmp_path / "r.pdf")


def test_small_cohort_suppresses_everything():
    mentors = People(["a", "b", "c"], skills=["ai"], offers=[[1.0]] * 3, department=["X"] * 3)
    mentees = People(["d", "e"], skills=["ai"], wants=[[1.0]] * 2, department=["Y", "Z"])
    rep = report(match(mentors, mentees), mentors, mentees)
    assert rep.summary["mean_score"] is None
    assert all(g.n is None and g.group in (SMALL_GROUPS, NOT_STATED) for g in rep.by_group)
    assert rep.flows.suppressed.sum() == 1 and rep.flows.total == 2
    assert "suppressed (<5)" in rep.to_text()
    for label in ("X", "Y", "Z"):
        assert f">{label}<" not in rep.to_html(plots=False)


# -- rotations, rematches, stable matchings --------------------------------------------------------


def test_rotation_report(case):
    mentors, mentees, _, _ = case
    rot = rm.rotate(mentors, mentees, PROGRAMME, rounds=2)
    rep = report(rot, mentors, mentees)
    assert rep.kind == "rotation" and rep.summary["rounds"] == 2
    assert rep.summary["pairs"] == len(rot) == sum(r["pairs"] for r in rep.rounds)
    for row, r in zip(rep.rounds, rot.rounds, strict=True):
        assert row["pairs"] == len(r.pairs)
        assert row["mentors_sitting_out"] == len(r.sit_outs["mentors"])
    met = {m for m, _, _ in rot.pairs}
    assert rep.summary["mentors_matched"] == len(met)
    assert sum(rep.unmatched["mentors"].values()) == 16 - len(met)
    assert set(rep.rules) == {"cross_department"}
    assert len(rep.goals) == len(rot.goals)
    flows = department_flows(rot, mentors, mentees)
    assert flows.total == len(rot)
    page = rep.to_html()
    assert ">Rounds<" in page
    _no_secrets(page)


def test_rematch_report(case):
    mentors, mentees, result, _ = case
    gone = ["m00", "e00"]
    rem = rm.rematch(result, mentors, mentees, PROGRAMME, left=gone)
    rep = report(rem, mentors, mentees)
    assert rep.kind == "rematch"
    assert rep.summary["mentors"] == 15 and rep.summary["mentees"] == 11
    assert rep.summary["pairs"] == len(rem.matching)
    assert rep.changes["kept_pairs"] == len(rem.kept_pairs)
    assert rep.changes["participants_left"] == 2
    assert sum(g.n or 0 for g in rep.by_group if g.attribute == "generation") <= 26
    _no_secrets(rep.to_html())


def test_stable_matching_has_a_stability_section(case):
    mentors, mentees, _, _ = case
    stable = rm.stable_match(mentors, mentees, Programme(rules=[rules.CrossDepartment()]))
    rep = report(stable, mentors, mentees)
    assert rep.stability is not None and rep.stability["blocking_pairs"] == 0
    assert ">Stability<" in rep.to_html(plots=False)


def test_bad_arguments(case):
    mentors, mentees, result, _ = case
    with pytest.raises(ValidationError, match="`result`"):
        report(object(), mentors, mentees)
    with pytest.raises(ValidationError, match="neither table"):
        report(result, mentors, mentees, groups=["shoe_size"])
    with pytest.raises(ValidationError, match="not in the `mentors` table"):
        report(result, mentors.drop(["m00", "m01", "m02"]), mentees)
    with pytest.raises(ValidationError, match="grade_band_width"):
        report(result, mentors, mentees, grade_band_width=0)


# -- to_networkx ---------------------------------------------------------------------------------


def test_to_networkx(case):
    from networkx.algorithms import bipartite

    mentors, _mentees, result, _ = case
    g = result.to_networkx()
    assert g.number_of_nodes() == 16 + 12  # the unmatched as isolated nodes
    assert g.number_of_edges() == len(result.pairs)
    assert bipartite.is_bipartite_node_set(
        g, [n for n, d in g.nodes(data=True) if d["bipartite"] == 0]
    )
    for node, data in g.nodes(data=True):
        assert set(data) == {"bipartite", "side"}
        assert data["bipartite"] == (0 if node in mentors else 1)
    for p in result.pairs:
        data = g.edges[p.mentor, p.mentee]
        assert data["score"] == p.score
        assert {k: data[k] for k in p.terms} == dict(p.terms)
    for pid in result.unmatched_mentors:
        assert g.degree(pid) == 0
    assert g.graph["status"] == result.status


# -- the command line ----------------------------------------------------------------------------


FILES = [
    "--mentors",
    str(EXAMPLES / "juniors.csv"),
    "--mentees",
    str(EXAMPLES / "seniors.csv"),
    "--config",
    str(EXAMPLES / "programme.toml"),
]


def test_cli_report_writes_a_page(capsys, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", *FILES, "--out", str(out), "--no-plots"]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Skills wanted and covered" in page
    assert "<script" not in page
    assert f"wrote {out}" in capsys.readouterr().out
    assert main(["report", *FILES]) == 0
    assert capsys.readouterr().out.startswith("Programme report (matching)")
    assert main(["report", *FILES, "--out", str(tmp_path / "r.pdf")]) == 2
