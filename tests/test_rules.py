"""Hard rules against plain-Python oracles: outer masks, paired flags and end-to-end matches.

Every rule of :mod:`rm_match.rules` is checked three ways on random small cohorts:

(a) the outer-mode mask over all pairs (and over random sub-blocks) equals a per-pair oracle
    written here with independent logic;
(b) paired mode agrees with the outer mask, for every pair and for random pair lists;
(c) :func:`rm_match.match` under the rule returns only pairs the oracle allows, as many as the
    oracle permits, and :func:`rm_match.verify` finds nothing wrong.

Then hand-built cases pin down the semantics (wrap-around time zones, reporting lines through
outsiders, negative seniority gaps), the rules' own validation and required pairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_match import (
    Cohort,
    InfeasibleError,
    People,
    Preferences,
    Problem,
    Programme,
    ValidationError,
    match,
    rules,
    verify,
)
from rm_match import goals as rm_goals

SKILLS = ("ai_tools", "strategy")
DEPARTMENTS = ("IT", "HR", "Ops")
LANGUAGES = ("en", "de", "fr")
SITES = ("Leeds", "Lyon", None)  # None: not stated

# -- random cohorts --------------------------------------------------------------------------


@dataclass
class World:
    """A small cohort: two tables, the outsiders' org chart, and everybody's manager."""

    mentors: People
    mentees: People
    org_chart: dict
    boss: dict  # id -> manager id or None, over mentors, mentees and outsiders
    preferences: Preferences | None = None  # participants' answers, for the rules reading them

    @cached_property
    def cohort(self) -> Cohort:
        return Cohort(self.mentors, self.mentees, self.org_chart, self.preferences)

    def prefs_for(self, rule) -> Preferences | None:
        """The answers, where the rule reads them (else none: they would change nothing)."""
        return self.preferences if "preferences" in rule.fields else None

    @property
    def shape(self) -> tuple[int, int]:
        return self.mentors.n, self.mentees.n

    def problem(self, rule) -> Problem:
        return Problem(
            self.mentors,
            self.mentees,
            Programme(rules=[rule]),
            org_chart=self.org_chart,
            preferences=self.prefs_for(rule),
        )


@st.composite
def worlds(draw, max_side: int = 5) -> World:
    n_m = draw(st.integers(0, max_side))
    n_e = draw(st.integers(0, max_side))
    n_o = draw(st.integers(0, 3))
    m_ids = [f"m{i}" for i in range(n_m)]
    e_ids = [f"e{i}" for i in range(n_e)]
    o_ids = [f"o{i}" for i in range(n_o)]
    # An acyclic org chart: everybody's manager comes earlier in a random order (or is None).
    order = draw(st.permutations(m_ids + e_ids + o_ids))
    boss = {}
    for k, pid in enumerate(order):
        j = draw(st.integers(-1, k - 1))
        boss[pid] = order[j] if j >= 0 else None
    # Which sides carry a `manager` column (the other side's people then have no manager).
    with_manager = draw(st.sampled_from(["both", "mentors", "mentees"]))
    for ids, side in ((m_ids, "mentors"), (e_ids, "mentees")):
        if with_manager not in ("both", side):
            for pid in ids:
                boss[pid] = None

    level = st.sampled_from([0.0, 0.25, 0.5, 1.0])

    def table(ids, side, capacity):
        n = len(ids)
        return People(
            ids,
            skills=SKILLS,
            offers=np.array([draw(level) for _ in range(2 * n)]).reshape(n, 2),
            wants=np.array([draw(level) for _ in range(2 * n)]).reshape(n, 2),
            department=[draw(st.sampled_from(DEPARTMENTS)) for _ in ids],
            grade=[draw(st.integers(1, 6)) for _ in ids],
            # quarter hours: exact in binary, so the oracle and the rule round alike
            timezone=[draw(st.integers(-48, 56)) / 4 for _ in ids],
            languages=[draw(st.frozensets(st.sampled_from(LANGUAGES))) for _ in ids],
            manager=[boss[p] for p in ids] if with_manager in ("both", side) else None,
            capacity=[draw(capacity) for _ in range(n)],
            attributes={"site": [draw(st.sampled_from(SITES)) for _ in ids]},
        )

    mentors = table(m_ids, "mentors", st.integers(0, 2))
    mentees = table(e_ids, "mentees", st.just(1))
    # survey answers: each person says something of up to two people on the other side
    answers = []
    for who, others in [(p, e_ids) for p in m_ids] + [(p, m_ids) for p in e_ids]:
        about = draw(st.lists(st.sampled_from(others), max_size=2, unique=True)) if others else []
        for r, other in enumerate(about, start=1):
            kind = draw(st.sampled_from(["rank", "veto"]))
            answers.append({"who": who, "about": other, kind: r if kind == "rank" else True})
    prefs = Preferences.from_records(answers)
    return World(mentors, mentees, {o: boss[o] for o in o_ids}, boss, prefs)


def pair_lists(world: World, *, matching: bool = False):
    """Random (mentor id, mentee id) lists over a world; a partial matching if asked."""
    m_ids, e_ids = world.mentors.ids.tolist(), world.mentees.ids.tolist()
    if matching:
        # distinct mentors with room and distinct mentees: always placeable
        open_m = [p for p, c in zip(m_ids, world.mentors.capacity, strict=True) if c > 0]
        return st.tuples(st.permutations(open_m), st.permutations(e_ids)).flatmap(
            lambda t: st.integers(0, min(len(t[0]), len(t[1]))).map(
                lambda k: list(zip(t[0][:k], t[1][:k], strict=True))
            )
        )
    if not m_ids or not e_ids:
        return st.just([])
    return st.lists(st.tuples(st.sampled_from(m_ids), st.sampled_from(e_ids)), max_size=8)


# -- oracles ---------------------------------------------------------------------------------


def chain(boss: dict, pid, depth: int) -> list:
    """The managers of ``pid``, up to ``depth`` levels, walking the org chart one step at a time."""
    out = []
    cur = boss.get(pid)
    while cur is not None and len(out) < depth:
        out.append(cur)
        cur = boss.get(cur)
    return out


def clock_gap(a: float, b: float) -> float:
    """Hours between two UTC offsets the short way round: try every whole-day shift."""
    return min(abs(a - b + 24 * k) for k in (-2, -1, 0, 1, 2))


def oracle_cross_department(rule, w, i, j):
    return str(w.mentors.department[i]) != str(w.mentees.department[j])


def oracle_no_reporting_line(rule, w, i, j):
    m, e = w.mentors.ids[i], w.mentees.ids[j]
    return e not in chain(w.boss, m, rule.depth) and m not in chain(w.boss, e, rule.depth)


def oracle_seniority(rule, w, i, j):
    return int(w.mentees.grade[j]) - int(w.mentors.grade[i]) >= rule.min_gap


def oracle_timezone(rule, w, i, j):
    return clock_gap(float(w.mentors.timezone[i]), float(w.mentees.timezone[j])) <= rule.hours


def oracle_language(rule, w, i, j):
    return len(set(w.mentors.languages[i]) & set(w.mentees.languages[j])) > 0


def oracle_same_site(rule, w, i, j):
    a, b = w.mentors.attributes["site"][i], w.mentees.attributes["site"][j]
    return a is not None and a == b


def oracle_not_listed(rule, w, i, j):
    return (w.mentors.ids[i], w.mentees.ids[j]) not in set(rule.pairs)


def oracle_anything(rule, w, i, j):
    return True


def _said(w, who, about, *, veto: bool) -> bool:
    return any(a.who == who and a.about == about and a.veto == veto for a in w.preferences.answers)


def oracle_vetoes(rule, w, i, j):
    m, e = w.mentors.ids[i], w.mentees.ids[j]
    return not (_said(w, m, e, veto=True) or _said(w, e, m, veto=True))


def oracle_mutual(rule, w, i, j):
    m, e = w.mentors.ids[i], w.mentees.ids[j]
    return (
        _said(w, m, e, veto=False) and _said(w, e, m, veto=False) and oracle_vetoes(rule, w, i, j)
    )


def oracle_mask(rule, oracle, w: World) -> np.ndarray:
    n_m, n_e = w.shape
    return np.array(
        [[oracle(rule, w, i, j) for j in range(n_e)] for i in range(n_m)], dtype=bool
    ).reshape(n_m, n_e)


def max_pairs(allowed: np.ndarray, m_cap, e_cap) -> int:
    """Most pairs any assignment can have under ``allowed`` and the capacities (networkx)."""
    g = nx.Graph()
    top = [("m", i, c) for i in range(allowed.shape[0]) for c in range(int(m_cap[i]))]
    g.add_nodes_from(top)
    for i, j in zip(*np.nonzero(allowed), strict=True):
        for c in range(int(m_cap[i])):
            for d in range(int(e_cap[j])):
                g.add_edge(("m", int(i), c), ("e", int(j), d))
    mate = nx.bipartite.hopcroft_karp_matching(g, top_nodes=[n for n in top if n in g])
    return sum(1 for n in mate if n[0] == "m")


# -- the rule cases --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    rules: object  # World -> strategy of rules
    oracle: object

    def __str__(self) -> str:
        return self.name


CASES = [
    Case("cross_department", lambda w: st.just(rules.CrossDepartment()), oracle_cross_department),
    Case(
        "no_reporting_line",
        lambda w: st.integers(1, 4).map(rules.NoReportingLine),
        oracle_no_reporting_line,
    ),
    Case(
        "seniority_direction",
        lambda w: st.integers(-3, 3).map(rules.SeniorityDirection),
        oracle_seniority,
    ),
    Case(
        "max_timezone_diff",
        lambda w: st.integers(0, 24).map(lambda h: rules.MaxTimezoneDiff(h / 2)),
        oracle_timezone,
    ),
    Case("common_language", lambda w: st.just(rules.CommonLanguage()), oracle_language),
    Case("same_site", lambda w: st.just(rules.SameGroup("site")), oracle_same_site),
    Case("forbidden_pairs", lambda w: pair_lists(w).map(rules.ForbiddenPairs), oracle_not_listed),
    Case("exclude_previous", lambda w: pair_lists(w).map(rules.ExcludePrevious), oracle_not_listed),
    Case(
        "required_pairs",
        lambda w: pair_lists(w, matching=True).map(rules.RequiredPairs),
        oracle_anything,
    ),
    Case("vetoes", lambda w: st.just(rules.Vetoes()), oracle_vetoes),
    Case("mutually_acceptable", lambda w: st.just(rules.MutuallyAcceptable()), oracle_mutual),
]

EACH_RULE = pytest.mark.parametrize("case", CASES, ids=str)
PROPERTY = settings(max_examples=30, deadline=None)


def test_every_rule_has_a_case():
    # SameGroup names itself after its attribute
    assert sorted(c.name for c in CASES) == sorted(
        rules.SameGroup("site").name if n == "SameGroup" else getattr(rules, n).name
        for n in rules.__all__
        if n != "Rule"
    )


@st.composite
def scenarios(draw, case: Case):
    world = draw(worlds())
    rule = draw(case.rules(world))
    assert rule.name == case.name
    return world, rule


@EACH_RULE
@PROPERTY
@given(data=st.data())
def test_outer_mask_equals_oracle(case, data):
    world, rule = data.draw(scenarios(case))
    expected = oracle_mask(rule, case.oracle, world)
    n_m, n_e = world.shape
    mask = rule.allowed(world.cohort, np.arange(n_m), np.arange(n_e), outer=True)
    assert mask.dtype == bool
    assert mask.shape == (n_m, n_e)
    np.testing.assert_array_equal(mask, expected)
    # any block of distinct rows and columns, in any order, is the same sub-mask
    mi = np.array(data.draw(st.permutations(range(n_m))), dtype=np.int64)
    ei = np.array(data.draw(st.permutations(range(n_e))), dtype=np.int64)
    mi = mi[: data.draw(st.integers(0, n_m))]
    ei = ei[: data.draw(st.integers(0, n_e))]
    block = rule.allowed(world.cohort, mi, ei, outer=True)
    np.testing.assert_array_equal(block, expected[np.ix_(mi, ei)])
    # and the compiled problem agrees, with per-rule counts
    arrays = world.problem(rule).compile()
    assert arrays.rule_allowed == {rule.name: int(expected.sum())}
    if case.name != "required_pairs":  # required pairs are fixed and leave the free mask
        np.testing.assert_array_equal(arrays.feasible, expected)


@EACH_RULE
@PROPERTY
@given(data=st.data())
def test_paired_mode_agrees_with_outer_mask(case, data):
    world, rule = data.draw(scenarios(case))
    n_m, n_e = world.shape
    mask = rule.allowed(world.cohort, np.arange(n_m), np.arange(n_e), outer=True)
    # every pair, in row-major order
    mi, ei = (a.ravel() for a in np.meshgrid(np.arange(n_m), np.arange(n_e), indexing="ij"))
    flags = rule.allowed(world.cohort, mi, ei, outer=False)
    assert flags.dtype == bool and flags.shape == (n_m * n_e,)
    np.testing.assert_array_equal(flags, mask.ravel())
    # random pairs, repeats allowed, any order
    if n_m and n_e:
        k = data.draw(st.integers(0, 12))
        mi = np.array(data.draw(st.lists(st.integers(0, n_m - 1), min_size=k, max_size=k)))
        ei = np.array(data.draw(st.lists(st.integers(0, n_e - 1), min_size=k, max_size=k)))
        mi, ei = mi.astype(np.int64), ei.astype(np.int64)
        flags = rule.allowed(world.cohort, mi, ei, outer=False)
        np.testing.assert_array_equal(flags, mask[mi, ei])
    empty = np.empty(0, dtype=np.int64)
    assert rule.allowed(world.cohort, empty, empty, outer=False).shape == (0,)


@EACH_RULE
@PROPERTY
@given(data=st.data())
def test_match_respects_the_rule(case, data):
    world, rule = data.draw(scenarios(case))
    expected = oracle_mask(rule, case.oracle, world)
    result = match(
        world.mentors,
        world.mentees,
        Programme(rules=[rule]),
        org_chart=world.org_chart,
        preferences=world.prefs_for(rule),
    )
    index_m = {p: i for i, p in enumerate(world.mentors.ids)}
    index_e = {p: j for j, p in enumerate(world.mentees.ids)}
    for m, e in result.id_pairs:
        assert expected[index_m[m], index_e[e]], (m, e)
    assert verify(result, world.problem(rule)) == []
    assert result.status == "optimal"
    # as many pairs as the oracle allows (the default policy is max_matched)
    m_cap = world.mentors.capacity.copy()
    e_cap = world.mentees.capacity.copy()
    required = list(rule.pairs) if case.name == "required_pairs" else []
    free = expected.copy()
    for m, e in required:
        assert (m, e) in result.id_pairs
        m_cap[index_m[m]] -= 1
        e_cap[index_e[e]] -= 1
        free[index_m[m], index_e[e]] = False
    assert len(result) == len(required) + max_pairs(free, m_cap, e_cap)
    assert sum(p.required for p in result.pairs) == len(required)


# -- hand-built cases ------------------------------------------------------------------------


def people(ids, **kwargs) -> People:
    kwargs.setdefault("skills", SKILLS)
    return People(ids, **kwargs)


def full_mask(rule, mentors, mentees, org_chart=None) -> np.ndarray:
    c = Cohort(mentors, mentees, org_chart)
    mask = rule.allowed(c, np.arange(mentors.n), np.arange(mentees.n), outer=True)
    flags = rule.allowed(
        c,
        np.repeat(np.arange(mentors.n), mentees.n),
        np.tile(np.arange(mentees.n), mentors.n),
        outer=False,
    )
    np.testing.assert_array_equal(flags, mask.ravel())
    return mask


def test_cross_department_mask():
    m = people(["m1", "m2"], department=["IT", "HR"])
    e = people(["e1", "e2", "e3"], department=["IT", "Ops", "HR"])
    assert full_mask(rules.CrossDepartment(), m, e).tolist() == [
        [False, True, True],
        [True, True, False],
    ]


@pytest.fixture
def reporting():
    """Reporting lines (child -> manager)::

    m1 -> e1                direct
    m2 -> o1 -> e2          through an outsider
    e3 -> o2 -> m3          through an outsider, mentee below mentor
    m4 -> m5 -> e4          through another mentor
    e5 -> e4 -> o3 -> m6    three levels up
    """
    m = people(["m1", "m2", "m3", "m4", "m5", "m6"], manager=["e1", "o1", None, "m5", "e4", None])
    e = people(["e1", "e2", "e3", "e4", "e5"], manager=[None, None, "o2", "o3", "e4"])
    return m, e, {"o1": "e2", "o2": "m3", "o3": "m6"}


def forbidden(mask, mentors, mentees) -> set:
    return {(mentors.ids[i], mentees.ids[j]) for i, j in zip(*np.nonzero(~mask), strict=True)}


def test_no_reporting_line_depth_one(reporting):
    m, e, chart = reporting
    mask = full_mask(rules.NoReportingLine(depth=1), m, e, chart)
    assert forbidden(mask, m, e) == {("m1", "e1"), ("m5", "e4")}


def test_no_reporting_line_depth_two_follows_outsiders(reporting):
    m, e, chart = reporting
    mask = full_mask(rules.NoReportingLine(depth=2), m, e, chart)
    assert forbidden(mask, m, e) == {
        ("m1", "e1"),
        ("m5", "e4"),
        ("m2", "e2"),  # m2 -> o1 -> e2
        ("m3", "e3"),  # e3 -> o2 -> m3
        ("m4", "e4"),  # m4 -> m5 -> e4
        ("m6", "e4"),  # e4 -> o3 -> m6
    }


def test_no_reporting_line_depth_three(reporting):
    m, e, chart = reporting
    mask = full_mask(rules.NoReportingLine(depth=3), m, e, chart)
    extra = forbidden(mask, m, e) - forbidden(
        full_mask(rules.NoReportingLine(depth=2), m, e, chart), m, e
    )
    assert extra == {("m6", "e5")}  # e5 -> e4 -> o3 -> m6
    assert rules.NoReportingLine().depth == 2


def test_no_reporting_line_in_match_and_verify(reporting):
    m, e, chart = reporting
    prog = Programme(rules=[rules.NoReportingLine(depth=2)])
    result = match(m, e, prog, org_chart=chart)
    assert verify(result, Problem(m, e, prog, org_chart=chart)) == []
    assert not set(result.id_pairs) & forbidden(full_mask(prog.rules[0], m, e, chart), m, e)
    assert len(result) == 5
    # verify flags a reporting-line pair on its own
    bad = verify([("m2", "e2")], Problem(m, e, prog, org_chart=chart))
    assert [(v.rule, v.mentor, v.mentee) for v in bad] == [("no_reporting_line", "m2", "e2")]


def test_no_reporting_line_with_manager_on_one_side():
    m = people(["m1", "m2"])
    e = people(["e1", "e2"], manager=["m2", "e1"])
    mask = full_mask(rules.NoReportingLine(depth=2), m, e)
    assert mask.tolist() == [[True, True], [False, False]]
    assert full_mask(rules.NoReportingLine(depth=1), m, e).tolist() == [
        [True, True],
        [False, True],
    ]


@pytest.mark.parametrize(
    ("min_gap", "expected"),
    [
        # mentors' grades 1, 3, 5 (rows) against mentees' 1, 3, 5 (columns)
        (2, [[False, True, True], [False, False, True], [False, False, False]]),
        (1, [[False, True, True], [False, False, True], [False, False, False]]),
        (3, [[False, False, True], [False, False, False], [False, False, False]]),
        (0, [[True, True, True], [False, True, True], [False, False, True]]),
        (-2, [[True, True, True], [True, True, True], [False, True, True]]),
        (-4, [[True, True, True], [True, True, True], [True, True, True]]),
        (5, [[False, False, False], [False, False, False], [False, False, False]]),
    ],
)
def test_seniority_direction(min_gap, expected):
    m = people(["m1", "m2", "m3"], grade=[1, 3, 5])
    e = people(["e1", "e2", "e3"], grade=[1, 3, 5])
    assert full_mask(rules.SeniorityDirection(min_gap=min_gap), m, e).tolist() == expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        # mentors at -11, -12, 0 (rows) against mentees at +13, +14, +12 (columns):
        # clock gaps [[0, 1, 1], [1, 2, 0], [11, 10, 12]]
        (0, [[True, False, False], [False, False, True], [False, False, False]]),
        (1, [[True, True, True], [True, False, True], [False, False, False]]),
        (2, [[True, True, True], [True, True, True], [False, False, False]]),
        (10, [[True, True, True], [True, True, True], [False, True, False]]),
        (11.5, [[True, True, True], [True, True, True], [True, True, False]]),
        (12, [[True, True, True], [True, True, True], [True, True, True]]),
    ],
)
def test_max_timezone_diff_wraps_around(hours, expected):
    m = people(["m1", "m2", "m3"], timezone=[-11, -12, 0])
    e = people(["e1", "e2", "e3"], timezone=[13, 14, 12])
    assert full_mask(rules.MaxTimezoneDiff(hours=hours), m, e).tolist() == expected


def test_max_timezone_diff_half_hours():
    m = people(["m1"], timezone=[5.5])
    e = people(["e1", "e2", "e3"], timezone=[0, 1, -12])
    assert full_mask(rules.MaxTimezoneDiff(hours=4.5), m, e).tolist() == [[False, True, False]]
    assert full_mask(rules.MaxTimezoneDiff(hours=5.5), m, e).tolist() == [[True, True, False]]


def test_common_language():
    m = people(["m1", "m2", "m3"], languages=[{"en"}, {"de", "fr"}, set()])
    e = people(["e1", "e2"], languages=[{"fr", "en"}, {"de"}])
    assert full_mask(rules.CommonLanguage(), m, e).tolist() == [
        [True, False],
        [True, True],
        [False, False],
    ]


@pytest.mark.parametrize("cls", [rules.ForbiddenPairs, rules.ExcludePrevious])
def test_pair_lists_forbid_exactly_their_pairs(cls):
    m = people(["m1", 2])
    e = people(["e1", "e2", 3])
    rule = cls([("m1", "e2"), [2, 3], ("m1", "e2")])
    assert rule.pairs == (("m1", "e2"), (2, 3), ("m1", "e2"))
    assert full_mask(rule, m, e).tolist() == [[True, False, True], [True, True, False]]
    assert full_mask(cls(), m, e).all()
    assert cls(iter([("m1", "e1")])).pairs == (("m1", "e1"),)


def test_required_pairs_forbid_nothing():
    m = people(["m1", "m2"])
    e = people(["e1"])
    assert full_mask(rules.RequiredPairs([("m1", "e1")]), m, e).all()


# -- the rules' own validation ---------------------------------------------------------------


@pytest.mark.parametrize("depth", [0, -1, 1.5, True, "2", None])
def test_no_reporting_line_depth_must_be_a_positive_integer(depth):
    with pytest.raises(
        ValidationError, match=r"`depth` of no_reporting_line must be an integer ≥ 1"
    ):
        rules.NoReportingLine(depth=depth)


@pytest.mark.parametrize("hours", [13, 12.5, -0.5, math.nan, math.inf, True, "4", None])
def test_max_timezone_diff_hours_must_be_within_a_half_day(hours):
    with pytest.raises(
        ValidationError, match=r"`hours` of max_timezone_diff must be a number in \[0, 12\]"
    ) as info:
        rules.MaxTimezoneDiff(hours=hours)
    assert info.value.argument == "hours"


@pytest.mark.parametrize("gap", [1.5, 1.0, True, "1", None])
def test_seniority_min_gap_must_be_an_integer(gap):
    with pytest.raises(
        ValidationError, match=r"`min_gap` of seniority_direction must be an integer"
    ) as info:
        rules.SeniorityDirection(min_gap=gap)
    assert info.value.argument == "min_gap"


def test_valid_rule_parameters_are_kept():
    assert rules.NoReportingLine(depth=np.int64(3)).depth == 3
    assert rules.MaxTimezoneDiff(hours=0).hours == 0
    assert rules.MaxTimezoneDiff(hours=12).hours == 12
    assert rules.SeniorityDirection(min_gap=-2).min_gap == -2
    assert rules.SeniorityDirection().min_gap == 1


PAIR_RULES = pytest.mark.parametrize(
    "cls", [rules.ForbiddenPairs, rules.ExcludePrevious, rules.RequiredPairs]
)


@PAIR_RULES
@pytest.mark.parametrize(
    "pairs",
    [
        [("m1",)],
        [("m1", "e1", "e2")],
        [("m1", "e1"), "me"],
        [b"me"],
        [()],
        "me",
    ],
    ids=["one", "three", "str-entry", "bytes-entry", "empty-entry", "str"],
)
def test_pair_list_with_malformed_entries(cls, pairs):
    with pytest.raises(
        ValidationError, match=rf"rule {cls.name}: each pair must be \(mentor id, mentee id\)"
    ) as info:
        cls(pairs)
    assert info.value.argument == "pairs"


@PAIR_RULES
@pytest.mark.parametrize(
    ("pairs", "who", "role"),
    [
        ([("m1", "e1"), ("zz", "e1")], "zz", "mentor"),
        ([("m1", "zz")], "zz", "mentee"),
        ([("e1", "m1")], "e1", "mentor"),  # the two ids swapped
        ([("m1", 1)], 1, "mentee"),
    ],
)
def test_pair_rule_naming_unknown_ids(cls, pairs, who, role):
    m = people(["m1", "m2"])
    e = people(["e1", "e2"])
    rule = cls(pairs)  # fine on its own: the ids are checked against the tables
    pattern = rf"rule {cls.name}: {role} id {who!r} is not among the {role}s"
    with pytest.raises(ValidationError, match=pattern) as info:
        Problem(m, e, Programme(rules=[rule]))
    assert info.value.participant == who
    assert info.value.argument == "pairs"
    with pytest.raises(ValidationError, match=pattern):
        match(m, e, Programme(rules=[rule]))


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (rules.CrossDepartment(), "department"),
        (rules.SeniorityDirection(), "grade"),
        (rules.MaxTimezoneDiff(), "timezone"),
        (rules.CommonLanguage(), "languages"),
    ],
    ids=lambda x: x if isinstance(x, str) else x.name,
)
@pytest.mark.parametrize("missing", ["mentors", "mentees", "both"])
def test_rule_needing_a_missing_field(rule, field, missing):
    values = {
        "department": ["IT"],
        "grade": [3],
        "timezone": [0.0],
        "languages": [{"en"}],
    }
    m = people(["m1"], **({} if missing in ("mentors", "both") else {field: values[field]}))
    e = people(["e1"], **({} if missing in ("mentees", "both") else {field: values[field]}))
    side = "mentors" if missing in ("mentors", "both") else "mentees"
    pattern = rf"rule {rule.name} needs `{field}` on both sides, but the {side} table has none"
    with pytest.raises(ValidationError, match=pattern) as info:
        Problem(m, e, Programme(rules=[rule]))
    assert info.value.argument == field
    with pytest.raises(ValidationError, match=pattern):
        match(m, e, Programme(rules=[rule]))


def test_no_reporting_line_needs_a_manager_column():
    m = people(["m1"], department=["IT"])
    e = people(["e1"], department=["HR"])
    with pytest.raises(
        ValidationError, match=r"rule no_reporting_line needs `manager` on at least one side"
    ) as info:
        Problem(m, e, Programme(rules=[rules.NoReportingLine()]))
    assert info.value.argument == "manager"


# -- required pairs --------------------------------------------------------------------------


@pytest.fixture
def trio():
    """Three mentors and mentees whose best free matching is the diagonal."""
    eye = np.eye(3)
    m = people(["m1", "m2", "m3"], skills=("a", "b", "c"), offers=eye, department=["IT"] * 3)
    e = people(["e1", "e2", "e3"], skills=("a", "b", "c"), wants=eye, department=["HR"] * 3)
    return m, e


def test_required_pairs_are_in_the_result(trio):
    m, e = trio
    free = match(m, e)
    assert sorted(free.id_pairs) == [("m1", "e1"), ("m2", "e2"), ("m3", "e3")]
    req = rules.RequiredPairs([("m1", "e2"), ("m3", "e1")])
    prog = Programme(rules=[req, rules.CrossDepartment()])
    result = match(m, e, prog)
    assert {("m1", "e2"), ("m3", "e1")} <= set(result.id_pairs)
    assert sorted(result.id_pairs) == [("m1", "e2"), ("m2", "e3"), ("m3", "e1")]
    assert {(p.mentor, p.mentee) for p in result.pairs if p.required} == set(req.pairs)
    assert result.stats["required_pairs"] == 2
    assert verify(result, Problem(m, e, prog)) == []
    # dropping a required pair is caught by verify
    missing = [p for p in result.id_pairs if p != ("m1", "e2")]
    assert [(v.rule, v.mentor, v.mentee) for v in verify(missing, Problem(m, e, prog))] == [
        ("required_pairs", "m1", "e2")
    ]


def test_required_pairs_use_capacity(trio):
    m, e = trio
    arrays = Problem(m, e, Programme(rules=[rules.RequiredPairs([("m2", "e3")])])).compile()
    assert arrays.fixed.tolist() == [[1, 2]]
    assert arrays.mentor_capacity.tolist() == [1, 0, 1]
    assert arrays.mentee_capacity.tolist() == [1, 1, 0]
    assert not arrays.feasible[1, 2] and arrays.feasible.sum() == 8


def test_required_pairs_within_a_larger_capacity():
    m = people(["m1", "m2"], capacity=[2, 1])
    e = people(["e1", "e2", "e3"])
    prog = Programme(rules=[rules.RequiredPairs([("m1", "e1"), ("m1", "e3")])])
    result = match(m, e, prog)
    assert {("m1", "e1"), ("m1", "e3"), ("m2", "e2")} == set(result.id_pairs)
    assert verify(result, Problem(m, e, prog)) == []


def test_required_pair_breaking_another_rule(trio):
    _, e = trio
    m = people(["m1", "m2", "m3"], skills=("a", "b", "c"), department=["IT", "IT", "HR"])
    prog = Programme(
        rules=[rules.RequiredPairs([("m1", "e1"), ("m3", "e2")]), rules.CrossDepartment()]
    )
    with pytest.raises(
        InfeasibleError, match=r"required pair \('m3', 'e2'\) breaks rule\(s\) cross_department"
    ) as info:
        match(m, e, prog)
    assert info.value.rules == ("required_pairs", "cross_department")
    assert info.value.participants == ("m3", "e2")
    with pytest.raises(InfeasibleError):
        Problem(m, e, prog).compile()


def test_required_pair_breaking_two_rules():
    m = people(["m1"], department=["IT"], grade=[5])
    e = people(["e1"], department=["IT"], grade=[2])
    prog = Programme(
        rules=[
            rules.SeniorityDirection(),
            rules.RequiredPairs([("m1", "e1")]),
            rules.CrossDepartment(),
        ]
    )
    with pytest.raises(
        InfeasibleError, match=r"breaks rule\(s\) seniority_direction, cross_department"
    ) as info:
        match(m, e, prog)
    assert info.value.rules == ("required_pairs", "seniority_direction", "cross_department")


@pytest.mark.parametrize("cls", [rules.ForbiddenPairs, rules.ExcludePrevious])
def test_required_pair_that_is_also_excluded(cls):
    m = people(["m1"])
    e = people(["e1"])
    prog = Programme(rules=[rules.RequiredPairs([("m1", "e1")]), cls([("m1", "e1")])])
    with pytest.raises(InfeasibleError, match=rf"breaks rule\(s\) {cls.name}") as info:
        match(m, e, prog)
    assert set(info.value.rules) == {"required_pairs", cls.name}


@pytest.mark.parametrize(
    ("pairs", "m_cap", "e_cap", "role", "who", "used", "cap"),
    [
        ([("m1", "e1"), ("m1", "e2")], 1, 1, "mentor", "m1", 2, 1),
        ([("m1", "e1"), ("m2", "e1")], 1, 1, "mentee", "e1", 2, 1),
        ([("m2", "e2")], [1, 0], 1, "mentor", "m2", 1, 0),
        ([("m1", "e1"), ("m1", "e2"), ("m1", "e3")], 2, 1, "mentor", "m1", 3, 2),
    ],
)
def test_required_pairs_over_capacity(pairs, m_cap, e_cap, role, who, used, cap):
    m = people(["m1", "m2"], capacity=m_cap)
    e = people(["e1", "e2", "e3"], capacity=e_cap)
    prog = Programme(rules=[rules.RequiredPairs(pairs)])
    with pytest.raises(
        InfeasibleError,
        match=rf"{role} '{who}' is in {used} required pairs but has capacity {cap}",
    ) as info:
        match(m, e, prog)
    assert info.value.rules == ("required_pairs", "capacity")
    assert info.value.participants == (who,)


def test_required_pair_listed_twice():
    m = people(["m1"], capacity=2)
    e = people(["e1"])
    for prog in (
        Programme(rules=[rules.RequiredPairs([("m1", "e1"), ("m1", "e1")])]),
        Programme(rules=[rules.RequiredPairs([("m1", "e1")]), rules.RequiredPairs([("m1", "e1")])]),
    ):
        with pytest.raises(ValidationError, match=r"required pair \('m1', 'e1'\) is listed twice"):
            match(m, e, prog)


# -- regressions: bugs found by these tests, fixed in src --------------------------------


@PAIR_RULES
@pytest.mark.parametrize("pairs", [[5], [{"m1", "e1"}], None], ids=["int", "set", "none"])
def test_pair_list_with_unsized_entries(cls, pairs):
    with pytest.raises(ValidationError, match=rf"rule {cls.name}"):
        cls(pairs)


@pytest.mark.parametrize(
    "rule",
    [rules.NoReportingLine(depth=1), rules.ForbiddenPairs([("m1", "e1")])],
    ids=["no_reporting_line", "forbidden_pairs"],
)
def test_outer_mode_with_repeated_indices(rule):
    # e1 reports to m1, and (m1, e1) is the listed pair: m1's row must be False every time
    m = people(["m1"])
    e = people(["e1"], manager=["m1"])
    c = Cohort(m, e)
    mask = rule.allowed(c, np.array([0, 0]), np.array([0]), outer=True)
    assert mask.tolist() == [[False], [False]]


def test_same_group_names_its_attribute_and_validates():
    assert rules.SameGroup("region").name == "same_region"
    assert rules.SameGroup("region").fields == ("region",)
    with pytest.raises(ValidationError, match="attribute name"):
        rules.SameGroup("")
    mentors = people(["m0"], attributes={"region": ["north"]})
    mentees = people(["e0"])
    with pytest.raises(ValidationError, match="same_region needs `region`"):
        Problem(mentors, mentees, Programme(rules=[rules.SameGroup("region")]))


# -- several rules of one kind (every instance applies) --------------------------------------


def _two_forbidden():
    m = people(["J0", "J1"])
    e = people(["S0", "S1"])
    rule_list = [rules.ForbiddenPairs([("J0", "S0")]), rules.ForbiddenPairs([("J1", "S0")])]
    return m, e, Programme(rules=rule_list)


@pytest.mark.parametrize("method", ["auto", "lsa", "flow", "sparse"])
def test_two_rules_of_one_kind_both_apply(method):
    m, e, prog = _two_forbidden()
    result = match(m, e, prog, method=method)
    assert ("J0", "S0") not in result.id_pairs and ("J1", "S0") not in result.id_pairs
    assert len(result) == 1 and result.id_pairs[0][1] == "S1"
    assert result.unmatched_mentees == {
        "S0": "no mentor satisfies forbidden_pairs[1] + forbidden_pairs[2]"
    }


def test_verify_checks_every_rule_of_one_kind():
    m, e, prog = _two_forbidden()
    problem = Problem(m, e, prog)
    assert [v.rule for v in verify([("J0", "S0")], problem)] == ["forbidden_pairs[1]"]
    assert [v.rule for v in verify([("J1", "S0")], problem)] == ["forbidden_pairs[2]"]
    assert problem.compile().feasible.tolist() == [[False, True], [False, True]]
    assert problem.compile().rule_allowed == {"forbidden_pairs[1]": 3, "forbidden_pairs[2]": 3}


def test_two_seniority_rules_and_goals_path_apply_both():
    m = people(["J0", "J1", "J2"], grade=[1, 2, 3])
    e = people(["S0", "S1", "S2"], grade=[3, 5, 9])
    prog = Programme(
        rules=[
            rules.SeniorityDirection(min_gap=2),
            rules.ExcludePrevious([("J0", "S1")]),
            rules.ExcludePrevious([("J1", "S2")]),
        ],
        goals=[rm_goals.Count(at_least=1)],
    )
    assert Programme(rules=prog.rules).rule_names == (
        "seniority_direction",
        "exclude_previous[1]",
        "exclude_previous[2]",
    )
    result = match(m, e, prog)
    problem = Problem(m, e, prog)
    assert verify(result, problem) == []
    assert ("J0", "S1") not in result.id_pairs and ("J1", "S2") not in result.id_pairs
