"""Privacy: no attribute value or group label in any text rm_match writes, and every aggregate
over fewer than :data:`~rm_match.results.MIN_GROUP` pairs suppressed.

Each cohort carries distinctive labels (a department ``"Legal-XYZ"``, genders ``"g-secret-…"``)
and every exception, repr, report, goal check, violation and CLI line is searched for them.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

import rm_match as rm
from rm_match import InfeasibleError, People, Problem, Programme, match, rules, verify
from rm_match import goals as G
from rm_match.cli import main
from rm_match.errors import GroupConflict
from rm_match.results import MIN_GROUP, PairExplanation

SECRET = "XYZ"  # every department label below holds it
GENDERS = ("g-secret-a", "g-secret-b")
GENERATIONS = ("gen-secret-old", "gen-secret-young")


def _clean(*objects: object) -> None:
    """No label of the cohorts here in the str or repr of any of ``objects``."""
    for obj in objects:
        for text in (str(obj), repr(obj)):
            assert SECRET not in text and "secret" not in text, text


def _people(
    prefix: str,
    departments: list[str],
    genders: list[str | None] | None = None,
    *,
    capacity: int | list[int] = 1,
) -> People:
    n = len(departments)
    genders = genders if genders is not None else [GENDERS[i % 2] for i in range(n)]
    rng = np.random.default_rng(len(prefix) + n)
    return People(
        [f"{prefix}{i}" for i in range(n)],
        skills=["a", "b"],
        offers=rng.random((n, 2)),
        wants=rng.random((n, 2)),
        department=departments,
        attributes={
            "gender": genders,
            "generation": [GENERATIONS[i % 2] for i in range(n)],
        },
        capacity=capacity,
    )


def _texts(result: rm.Matching) -> list[object]:
    """Everything of a matching that is text or has a repr."""
    return [
        result,
        result.report,
        json.dumps(result.stats),
        *result.goals,
        *result.pairs,
        *(p.reason for p in result.pairs),
        *result.unmatched_mentors.values(),
        *result.unmatched_mentees.values(),
        result.assignment,
    ]


# -- infeasible programmes: the message names groups by handle, the error carries the label ------


def test_coverage_conflict_names_no_department():
    # the case: Legal's mentees have feasible pairs with 5 other departments, k = 6
    mentors = _people("J", ["Legal-XYZ", *(f"Ops-XYZ-{i}" for i in range(5))])
    mentees = _people("S", ["Legal-XYZ"] * 6)
    prog = Programme(rules=[rules.CrossDepartment()], goals=[G.Coverage("department", k=6)])
    with pytest.raises(InfeasibleError) as err:
        match(mentors, mentees, prog)
    exc = err.value
    msg = str(exc)
    assert "mentee department group #0 (6 mentees)" in msg
    assert "only 5 mentor group(s); it needs 6" in msg
    _clean(exc, exc.args, exc.groups, *exc.groups)
    # the structured details, label included, are the caller's to read in-process
    assert exc.groups == (
        GroupConflict("coverage_department", "department", "mentee", 0, "Legal-XYZ", 6, 5, 6),
    )
    assert exc.groups[0].label == "Legal-XYZ"
    assert "coverage_department" in exc.rules


def test_small_group_size_is_not_given():
    # each mentee department meets the 3 others at most; k = 4 (and room for 4 partners)
    mentors = _people("J", ["Legal-XYZ", "Ops-XYZ", "HR-XYZ", "Fin-XYZ"], capacity=2)
    mentees = _people("S", ["Legal-XYZ"] * 2 + ["HR-XYZ"] * 3, capacity=2)
    prog = Programme(rules=[rules.CrossDepartment()], goals=[G.Coverage("department", k=4)])
    with pytest.raises(InfeasibleError) as err:
        match(mentors, mentees, prog)
    msg = str(err.value)
    assert "(fewer than 5 mentees)" in msg and "more mentee group(s) fall short" in msg
    _clean(err.value, err.value.groups)
    assert {g.label: g.size for g in err.value.groups} == {"Legal-XYZ": 2, "HR-XYZ": 3}


def test_coverage_at_the_array_level_names_codes():
    codes = np.array([0, 0, 1])
    with pytest.raises(InfeasibleError, match=r"mentee group #\d \(fewer than 5 mentees\)"):
        rm.assign(
            np.ones((3, 3)), goals=[G.Coverage(groups=(codes, codes), k=2)], mentee_capacity=2
        )


@pytest.mark.parametrize(
    "goals",
    [
        [G.Share(cross="gender", at_least=1.0), G.Count(at_least=3)],
        [G.Count(cross="gender", at_least=3)],
        [G.Spread("department", at_most=0)],
        [G.EveryoneMatched()],
        [G.Representation("gender", floor={GENDERS[0]: 1.0})],
        [G.Coverage("department", k=3)],
    ],
    ids=lambda goals: "+".join(g.name for g in goals),
)
def test_no_label_in_any_outcome_of_a_small_programme(goals):
    mentors = _people("J", ["Legal-XYZ", "Ops-XYZ", "Ops-XYZ"], [GENDERS[0]] * 3)
    mentees = _people("S", ["Ops-XYZ", "Legal-XYZ", "HR-XYZ"], [GENDERS[0]] * 3)
    prog = Programme(rules=[rules.CrossDepartment()], goals=goals, diversity_attributes=("gender",))
    _clean(prog, *goals)
    try:
        result = match(mentors, mentees, prog, time_limit=20)
    except InfeasibleError as exc:
        _clean(exc, exc.args, exc.rules, exc.groups)
        return
    _clean(*_texts(result))
    _clean(*verify(result, Problem(mentors, mentees, prog)))


# -- goal checks: suppressed under 5 pairs, shown from 5 -------------------------------------------


def _share_programme(n: int) -> tuple[People, People, Programme]:
    mentors = _people("J", [f"A-XYZ-{i}" for i in range(n)])
    mentees = _people(
        "S", [f"B-XYZ-{i}" for i in range(n)], [GENDERS[(i + 1) % 2] for i in range(n)]
    )
    goals = [
        G.Share(cross="gender", at_least=0.2),
        G.Count(cross="gender", at_least=1),
        G.Count(at_least=1),
        G.Spread("department", at_most=3),
        G.Coverage("department", k=1),
        G.Representation("gender"),
        G.EveryoneMatched(),
        G.MinPairScore(weight=1.0),
    ]
    return mentors, mentees, Programme(goals=goals, diversity_attributes=("gender",))


#: never suppressed: counts of a whole side (the matching lists them person by person)
_ALWAYS_SHOWN = {"count", "everyone_matched_mentee"}


@pytest.mark.parametrize("n", [3, MIN_GROUP, 7])
def test_goal_figures_suppressed_under_five_pairs(n):
    mentors, mentees, prog = _share_programme(n)
    result = match(mentors, mentees, prog, time_limit=20)
    assert len(result) == n
    _clean(*_texts(result))
    for c in result.goals:
        assert c.met  # truthful whatever the size
        json.dumps(dataclasses.asdict(c))
        if n < MIN_GROUP and c.goal not in _ALWAYS_SHOWN:
            assert c.suppressed and c.value is None, c
            assert "suppressed (fewer than 5" in c.achieved
        else:
            assert not c.suppressed and c.value is not None, c
            assert "suppressed" not in c.achieved
    share = {c.goal: c for c in result.goals}["share_cross_gender"]
    if n >= MIN_GROUP:
        cross = sum(
            mentors.attributes["gender"][mentors.index(p.mentor)]
            != mentees.attributes["gender"][mentees.index(p.mentee)]
            for p in result.pairs
        )
        assert share.value == pytest.approx(cross / n)


def test_goal_check_at_the_array_level_is_suppressed_too():
    cross = np.eye(3, dtype=bool)
    a = rm.assign(np.eye(3), goals=[G.Share(pairs=cross, at_least=0.5)])
    (c,) = a.goals
    assert c.met and c.suppressed and c.value is None and "66.67" not in repr(a.goals)


def test_verify_words_a_suppressed_goal_figure():
    mentors, mentees, _ = _share_programme(3)
    prog = Programme(goals=[G.Share(cross="gender", at_least=1.0)])
    same = [(f"J{i}", f"S{(i + 1) % 3}") for i in range(3)]  # genders alternate: some agree
    problem = Problem(mentors, mentees, prog)
    (v,) = verify(same, problem)
    assert v.rule == "share_cross_gender"
    assert v.message == (
        "goal share_cross_gender not met: requires ≥ 100% of pairs, "
        "achieved suppressed (fewer than 5 pairs)"
    )
    _clean(v)


# -- the report --------------------------------------------------------------------------------


def test_report_suppresses_under_five_pairs_and_shows_from_five():
    for n in (3, 6):
        mentors, mentees, _ = _share_programme(n)
        prog = Programme(rules=[rules.CrossDepartment()], diversity_attributes=("gender",))
        r = match(mentors, mentees, prog).report
        assert r is not None and r.pairs == n
        _clean(r, json.dumps(r.as_dict()))
        small = n < MIN_GROUP
        assert (r.mean_score is None) == small
        assert all((v is None) == small for v in r.mean_terms.values())
        assert (r.cross_share["gender"] is None) == small
        assert (r.feasible_share is None) == small
        assert all((v is None) == small for v in r.rule_pass_share.values())
        assert r.rule_pass_share.keys() == {"cross_department"}


def test_diversity_mean_withheld_when_few_pairs_have_the_attribute():
    # 6 pairs, gender known on both sides of only 2: the diversity mean would give those
    # two away, and the mean score (with the other means and the weights) would give it back
    n = 6
    known = [GENDERS[0], GENDERS[1]] + [None] * (n - 2)
    mentors = _people("J", [f"A-XYZ-{i}" for i in range(n)], known)
    mentees = _people("S", [f"B-XYZ-{i}" for i in range(n)], [GENDERS[0]] * n)
    r = match(mentors, mentees, Programme(diversity_attributes=("gender",))).report
    assert r is not None and r.pairs == n
    assert r.cross_share == {"gender": None}
    assert r.mean_terms["diversity"] is None and r.mean_score is None
    assert r.mean_terms["learning"] is not None


def test_report_keeps_whole_cohort_counts():
    mentors, mentees, _ = _share_programme(3)
    result = match(mentors, mentees, Programme(rules=[rules.CrossDepartment()]))
    r = result.report
    assert r is not None
    assert (r.mentors, r.mentees, r.pairs, r.mentors_matched, r.mentees_matched) == (3, 3, 3, 3, 3)
    assert r.unmatched == {"mentors": {}, "mentees": {}}


# -- reprs ---------------------------------------------------------------------------------------


def test_goal_reprs_hide_labels_and_codes():
    rep = G.Representation("gender", floor={GENDERS[0]: 0.4, GENDERS[1]: 0.3})
    assert repr(rep) == (
        "Representation(groups='gender', side='mentor', floor=<floors for 2 groups>)"
    )
    cov = G.Coverage(groups=(np.array([0, 1]), np.array([1, 1])), k=2)
    assert repr(cov) == "Coverage(groups=<group codes>, k=2, exclude_own=True)"
    assert repr(G.Spread("department", at_most=4)) == (
        "Spread(groups='department', at_most=4, at_most_share=None, symmetric=True)"
    )
    assert rep == G.Representation("gender", floor={GENDERS[0]: 0.4, GENDERS[1]: 0.3})


def test_pair_repr_leaves_out_the_diversity_term():
    p = PairExplanation("J0", "S0", 0.5, {"learning": 0.2, "diversity": 1.0}, (), ())
    assert "diversity" not in repr(p) and "diversity" not in p.reason
    assert p.terms["diversity"] == 1.0  # the caller's data, in-process


def test_group_conflict_repr_has_no_label():
    c = GroupConflict("coverage_department", "department", "mentee", 2, "Legal-XYZ", 3, 1, 2)
    _clean(c)
    assert c.label == "Legal-XYZ"


# -- the command line ----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 6])
def test_cli_small_cohort_prints_no_label(capsys, n):
    assert main(["demo", "--mentors", str(n), "--mentees", str(n), "--seed", "1"]) == 0
    out = capsys.readouterr().out
    mentors, mentees = rm.synthetic.cohort(n, n, rng=1)
    labels = {
        str(v)
        for side in (mentors, mentees)
        for col in (side.department, *side.attributes.values())
        for v in col
        if v is not None
    }
    for label in labels:
        assert label not in out, label
    if n < MIN_GROUP:
        assert "mean pair score n/a" in out and "cross-gender n/a" in out
        assert "allowed pairs: suppressed (fewer than 5 per side)" in out


def test_assign_infeasible_goal_carries_the_groups_as_data():
    """assign() fills InfeasibleError.groups like match() does; the text has no codes' labels."""
    codes = (np.array([0, 0, 0]), np.array([0, 1, 1]))
    with pytest.raises(rm.InfeasibleError) as err:
        rm.assign(np.ones((3, 3)), goals=[rm.goals.Coverage(groups=codes, k=1)])
    assert err.value.groups and all(g.goal == "coverage" for g in err.value.groups)
    assert {g.side for g in err.value.groups} == {"mentee"}
