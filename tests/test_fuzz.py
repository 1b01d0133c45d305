"""Whole programmes at random: tables, rules, goals and options drawn by hypothesis.

Whatever is drawn, :func:`rm_match.match` either returns pairs that :func:`rm_match.verify`
accepts (every rule, capacity, required pair and goal, checked afresh), or raises an
:class:`~rm_match.RmMatchError`. Nothing else. ``RM_MATCH_FUZZ_EXAMPLES`` enlarges the run.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import rm_match as rm
from rm_match import goals as G
from rm_match import rules as R

EXAMPLES = int(os.environ.get("RM_MATCH_FUZZ_EXAMPLES", "100"))
SKILLS = ("s1", "s2", "s3")
ORG_CHART = {"boss": None}  # the one manager outside the programme


@st.composite
def tables(draw: st.DrawFn, prefix: str) -> dict[str, Any]:
    """The columns of one side: a few people, each optional column present or not, with
    unknown values (None) where the column allows them."""
    n = draw(st.integers(0, 5))
    ids = [f"{prefix}{i}" for i in range(n)]
    level = st.floats(0, 1, allow_nan=False)
    cols: dict[str, Any] = {"ids": ids}

    def present() -> bool:  # mostly present: rules need their columns on both sides
        return draw(st.integers(0, 7)) > 0

    if present():
        cols["offers"] = [[draw(level) for _ in SKILLS] for _ in ids]
    if present():
        cols["wants"] = [[draw(level) for _ in SKILLS] for _ in ids]
    if present():
        cols["department"] = [draw(st.sampled_from("ABC")) for _ in ids]
    if present():
        cols["grade"] = [draw(st.integers(-1, 4)) for _ in ids]
    if present():
        cols["languages"] = [draw(st.sets(st.sampled_from(["en", "fr"]))) for _ in ids]
    if present():
        cols["timezone"] = [draw(st.sampled_from([-5, 0, 1, 9])) for _ in ids]
    if present():
        cols["interests"] = [draw(st.sets(st.sampled_from(["go", "ml", "art"]))) for _ in ids]
    if present():
        cols["attributes"] = {"gender": [draw(st.sampled_from(["f", "m", None])) for _ in ids]}
    cols["capacity"] = [draw(st.integers(0, 2)) for _ in ids]
    return cols


def _people(cols: dict[str, Any], managers: list[Any] | None) -> rm.People:
    kw = {k: v for k, v in cols.items() if k != "ids"}
    if managers is not None:
        kw["manager"] = managers
    return rm.People(cols["ids"], skills=SKILLS, **kw)


def _pairs(draw: st.DrawFn, m_ids: list[str], e_ids: list[str]) -> list[tuple[str, str]]:
    every = [(m, e) for m in m_ids for e in e_ids] * 5 + [("nobody", "none")]
    return draw(st.lists(st.sampled_from(every), max_size=2, unique=True))


@st.composite
def programmes(draw: st.DrawFn) -> tuple[rm.People, rm.People, rm.Programme, dict[str, Any]]:
    m_cols, e_cols = draw(tables("m")), draw(tables("e"))
    # managers: someone of the other side, of an outsider, or none (no cycles: mentees'
    # managers are outsiders or none)
    managers_m = managers_e = None
    if draw(st.booleans()):
        managers_e = [draw(st.sampled_from([None, "boss"])) for _ in e_cols["ids"]]
        managers_m = [draw(st.sampled_from([None, "boss", *e_cols["ids"]])) for _ in m_cols["ids"]]
    mentors, mentees = _people(m_cols, managers_m), _people(e_cols, managers_e)
    m_ids, e_ids = m_cols["ids"], e_cols["ids"]
    rule_choices = [
        R.CrossDepartment(),
        R.NoReportingLine(draw(st.integers(1, 3))),
        R.SeniorityDirection(draw(st.integers(-1, 2))),
        R.CommonLanguage(),
        R.MaxTimezoneDiff(draw(st.sampled_from([0, 2, 8]))),
        R.SameGroup("gender"),
        R.ForbiddenPairs(_pairs(draw, m_ids, e_ids)),
        R.RequiredPairs(_pairs(draw, m_ids, e_ids)),
        R.ExcludePrevious(_pairs(draw, m_ids, e_ids)),
    ]
    goal_choices = [
        G.Count(at_least=draw(st.integers(0, 4))),
        G.Count(cross="department", at_most=draw(st.integers(0, 3))),
        G.Share(cross="gender", at_least=draw(st.sampled_from([0.0, 0.25, 0.5, 1.0]))),
        G.Coverage("department", k=draw(st.integers(0, 2))),
        G.EveryoneMatched(draw(st.sampled_from(["mentor", "mentee"]))),
        G.Representation("gender", side=draw(st.sampled_from(["mentor", "mentee"]))),
        G.Spread("department", at_most=draw(st.integers(0, 3))),
        G.MinPairScore(draw(st.sampled_from([None, 0.5]))),
    ]
    chosen_rules = draw(st.lists(st.sampled_from(rule_choices), max_size=3, unique_by=repr))
    chosen_goals = draw(st.lists(st.sampled_from(goal_choices), max_size=2, unique_by=repr))
    diversity = ["gender"] if draw(st.booleans()) else []
    programme = rm.Programme(rules=chosen_rules, goals=chosen_goals, diversity_attributes=diversity)
    methods = ["auto", *rm.BACKENDS]
    options = {
        "policy": draw(st.sampled_from(["max_matched", "max_score"])),
        "method": draw(st.sampled_from(["auto"] * len(methods) + methods)),
        "rng": draw(st.integers(0, 3)),
        "time_limit": 10.0,
    }
    return mentors, mentees, programme, options


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=programmes())
def test_a_verified_answer_or_a_named_error(case):
    mentors, mentees, programme, options = case
    try:
        problem = rm.Problem(mentors, mentees, programme, org_chart=ORG_CHART)
        result = rm.match(mentors, mentees, programme, org_chart=ORG_CHART, **options)
    except rm.RmMatchError as exc:
        event(f"{type(exc).__name__}: {str(exc)[:70]}")
        return
    event("answer")
    assert rm.verify(result, problem) == []
    assert result.status in ("optimal", "feasible")
    assert np.isfinite(result.objective)
    matched = {m for m, _ in result.id_pairs} | {e for _, e in result.id_pairs}
    assert not matched & (set(result.unmatched_mentors) | set(result.unmatched_mentees))
