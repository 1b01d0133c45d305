"""Missing values are missing, not labels: what every rule and score term makes of them.

Each rule and term is checked pair by pair against a plain-Python reading of its docstring
on a cohort where every column has gaps; then whole matchings (dense and the sparse
screening path) are checked through :func:`rm_match.verify`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import rm_match as rm
from rm_match import People, Problem, Programme, rules
from rm_match.people import MISSING_GRADE

DEPTS = ["IT", "Sales", None]
LANGS = [("en",), ("de",), ("en", "de"), None, ()]


def _side(prefix: str, n: int, rng: np.random.Generator, grade_shift: int) -> People:
    pick = lambda seq: [seq[int(i)] for i in rng.integers(0, len(seq), n)]  # noqa: E731
    return People(
        [f"{prefix}{i}" for i in range(n)],
        skills=["a", "b", "c"],
        offers=rng.random((n, 3)) * (rng.random((n, 3)) < 0.5),
        wants=rng.random((n, 3)) * (rng.random((n, 3)) < 0.5),
        department=pick(DEPTS),
        grade=[None if x < 0.2 else int(x * 5) + grade_shift for x in rng.random(n)],
        timezone=[None if x < 0.2 else float(int(x * 10) - 3) for x in rng.random(n)],
        languages=pick(LANGS),
        interests=pick([("jazz",), ("jazz", "golf"), None, ()]),
        attributes={"gender": pick(["f", "m", None])},
    )


@pytest.fixture(scope="module")
def cohort() -> tuple[People, People]:
    rng = np.random.default_rng(5)
    return _side("m", 14, rng, 0), _side("e", 12, rng, 2)


def _pairs(cohort):
    m, e = cohort
    return [(i, j) for i in range(m.n) for j in range(e.n)]


def test_people_store_missing_values(cohort):
    m, _ = cohort
    assert (m.grade[~m.known("grade")] == MISSING_GRADE).all()
    assert np.isnan(m.timezone[~m.known("timezone")]).all()
    assert [d is None for d in m.department] == (~m.known("department")).tolist()
    assert m.known("languages").tolist() == [len(s) > 0 for s in m.languages]
    assert People(["a"], timezone=[math.nan]).known("timezone").tolist() == [False]


def _oracle(rule, m, e, i, j) -> bool:
    if isinstance(rule, rules.CrossDepartment):
        a, b = m.department[i], e.department[j]
        return a is None or b is None or a != b
    if isinstance(rule, rules.SeniorityDirection):
        a, b = m.grade[i], e.grade[j]
        return MISSING_GRADE not in (a, b) and b - a >= rule.min_gap
    if isinstance(rule, rules.MaxTimezoneDiff):
        a, b = m.timezone[i], e.timezone[j]
        if math.isnan(a) or math.isnan(b):
            return False
        d = abs(a - b) % 24
        return min(d, 24 - d) <= rule.hours
    if isinstance(rule, rules.CommonLanguage):
        return bool(m.languages[i] & e.languages[j])
    if isinstance(rule, rules.SameGroup):
        a, b = m.attributes["gender"][i], e.attributes["gender"][j]
        return a is not None and a == b
    raise AssertionError(rule)


RULES = [
    rules.CrossDepartment(),
    rules.SeniorityDirection(min_gap=1),
    rules.MaxTimezoneDiff(hours=3),
    rules.CommonLanguage(),
    rules.SameGroup("gender"),
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_rules_read_missing_values_as_their_docstrings_say(cohort, rule):
    m, e = cohort
    got = Problem(m, e, Programme(rules=[rule])).allowed(np.arange(m.n), np.arange(e.n))
    want = np.array([[_oracle(rule, m, e, i, j) for j in range(e.n)] for i in range(m.n)])
    assert (got[rule.name] == want).all()


def test_two_people_without_department_may_pair():
    m = People(["a"], department=[None])
    e = People(["b"], department=[None])
    result = rm.match(m, e, Programme(rules=[rules.CrossDepartment()]))
    assert result.id_pairs == [("a", "b")]


def test_missing_grade_is_reported_as_the_seniority_rule():
    m = People(["a"], grade=[None])
    e = People(["b"], grade=[9])
    result = rm.match(m, e, Programme(rules=[rules.SeniorityDirection()]))
    assert result.pairs == ()
    assert "seniority_direction" in result.unmatched_mentors["a"]


def test_missing_manager_forbids_no_pair():
    m = People(["a", "b"], manager=[None, "c"])
    e = People(["c", "d"], manager=[None, None])
    p = Problem(m, e, Programme(rules=[rules.NoReportingLine(depth=1)]))
    got = p.allowed(np.arange(2), np.arange(2))["no_reporting_line"]
    assert got.tolist() == [[True, True], [False, True]]


def test_terms_read_missing_values_as_zero(cohort):
    m, e = cohort
    prog = Programme(
        weights={"interests": 1, "language": 1, "timezone": 1, "diversity": 1},
        diversity_attributes=("gender", "department"),
    )
    t = Problem(m, e, prog).terms(np.arange(m.n), np.arange(e.n))
    for i in range(m.n):
        for j in range(e.n):
            a, b = m.timezone[i], e.timezone[j]
            if math.isnan(a) or math.isnan(b):
                assert t["timezone"][i, j] == 0.0
            else:
                d = abs(a - b) % 24
                assert t["timezone"][i, j] == pytest.approx(1 - min(d, 24 - d) / 12)
            shared = m.languages[i] & e.languages[j]
            assert t["language"][i, j] == (1.0 if shared else 0.0)
            union = m.interests[i] | e.interests[j]
            jac = len(m.interests[i] & e.interests[j]) / len(union) if union else 0.0
            assert t["interests"][i, j] == pytest.approx(jac)
            differ = 0
            for col_m, col_e in (
                (m.attributes["gender"], e.attributes["gender"]),
                (m.department, e.department),
            ):
                x, y = col_m[i], col_e[j]
                differ += x is not None and y is not None and x != y
            assert t["diversity"][i, j] == pytest.approx(differ / 2)
    assert np.isfinite(np.stack(list(t.values()))).all()


@pytest.mark.parametrize("method", ["auto", "sparse"])
def test_matchings_with_missing_values_verify(cohort, method):
    m, e = cohort
    prog = Programme(
        rules=RULES[:4],
        diversity_attributes=("gender",),
        weights={"learning": 1, "timezone": 0.3, "language": 0.1, "diversity": 0.2},
    )
    result = rm.match(m, e, prog, method=method)
    problem = Problem(m, e, prog)
    assert rm.verify(result, problem) == []
    dense = rm.match(m, e, prog, method="lsa")
    assert len(result.pairs) == len(dense.pairs)
    assert result.objective == pytest.approx(dense.objective, abs=1e-9)
