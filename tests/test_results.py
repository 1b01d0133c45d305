"""Results: the typed Report and its suppression of small aggregates."""

from __future__ import annotations

import json

import rm_match as rm
from rm_match import Programme, Report, match, rules


def test_report_is_typed_and_serialises():
    mentors, mentees = rm.synthetic.cohort(40, 50, rng=3)
    prog = Programme(rules=[rules.CrossDepartment()], diversity_attributes=("gender",))
    result = match(mentors, mentees, prog)
    r = result.report
    assert isinstance(r, Report)
    assert (r.mentors, r.mentees, r.pairs) == (40, 50, len(result))
    assert r.mentees_matched == 40 and isinstance(r.mean_score, float)
    assert set(r.mean_terms) == set(r.terms) and all(
        isinstance(v, float) for v in r.mean_terms.values()
    )
    assert r.rule_pass_share.keys() == {"cross_department"}
    assert sum(r.unmatched["mentees"].values()) == len(result.unmatched_mentees) == 10
    assert result.stats == r.as_dict()
    json.dumps(r.as_dict())


def test_report_suppresses_figures_on_fewer_than_five_pairs():
    mentors, mentees = rm.synthetic.cohort(3, 3, rng=0)
    result = match(mentors, mentees, Programme(diversity_attributes=("gender",)))
    r = result.report
    assert r.pairs == 3
    assert r.mean_score is None
    assert all(v is None for v in r.mean_terms.values()) and "diversity" in r.mean_terms
    assert r.cross_share == {"gender": None}
    # shares of all pairs on a side of fewer than 5 speak of those few: withheld too
    assert r.feasible_share is None and r.rule_pass_share == {}
