"""Tests of :func:`rm_match.rematch`: lexicographic optimality against an independent
MILP (scipy ``milp``, solved in stages), change budgets, break prices, leavers who manage
someone, statuses, and the messages of bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from rm_match import (
    InfeasibleError,
    People,
    Programme,
    ValidationError,
    match,
    rules,
    synthetic,
    verify,
)
from rm_match.cli import demo_programme
from rm_match.rounds import STATUSES, Rematch, rematch, rematching
from rm_match.solvers import check_options

LIGHT = Programme(rules=[rules.CrossDepartment(), rules.SeniorityDirection(min_gap=1)])


# -- the oracle --------------------------------------------------------------------------------


def _stages(scores, feasible, m_cap, e_cap, prev, objectives, *, min_kept=None):
    """Lexicographic MILP: maximise each objective of ``objectives`` in turn ("pairs",
    "kept", "score"), fixing the ones before at their optimum. Returns {name: value}."""
    ok = feasible & (m_cap > 0)[:, None] & (e_cap > 0)[None, :]
    mi, ei = np.nonzero(ok)
    n = len(mi)
    if n == 0:
        return dict.fromkeys(objectives, 0.0)
    n_m, n_e = scores.shape
    a = np.zeros((n_m + n_e, n))
    a[mi, np.arange(n)] = 1
    a[n_m + ei, np.arange(n)] = 1
    cons = [LinearConstraint(a, -np.inf, np.concatenate((m_cap, e_cap)))]
    vectors = {
        "pairs": np.ones(n),
        "kept": prev[mi, ei].astype(float),
        "score": scores[mi, ei],
    }
    if min_kept is not None:
        cons.append(LinearConstraint(vectors["kept"][None, :], min_kept, np.inf))
    out = {}
    for name in objectives:
        c = vectors[name]
        res = milp(-c, integrality=np.ones(n), bounds=Bounds(0, 1), constraints=cons)
        assert res.status == 0, res.message
        value = float(c @ np.round(res.x))
        out[name] = value
        if name != "score":  # integral: fix it exactly
            cons.append(LinearConstraint(c[None, :], round(value), round(value)))
    return out


def _oracle(r: Rematch, previous, objectives, *, min_kept=None):
    problem = r.problem
    arrays = problem.compile()
    prev = np.zeros(arrays.shape, dtype=bool)
    for m, e in previous:
        if m in problem.mentors and e in problem.mentees:
            prev[problem.mentors.index(m), problem.mentees.index(e)] = True
    return _stages(
        arrays.scores,
        arrays.feasible,
        problem.mentors.capacity,
        problem.mentees.capacity,
        prev,
        objectives,
        min_kept=min_kept,
    )


@st.composite
def scenarios(draw):
    """A small synthetic cohort, a previous matching on it (random pairs, as under other
    rules), some leavers and a programme."""
    n_m = draw(st.integers(2, 6))
    n_e = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**16))
    mentors, mentees = synthetic.cohort(n_m, n_e, rng=seed)
    gen = np.random.default_rng(seed)
    k = draw(st.integers(1, min(n_m, n_e)))
    pm = gen.permutation(n_m)[:k]
    pe = gen.permutation(n_e)[:k]
    previous = [(mentors.ids[i], mentees.ids[j]) for i, j in zip(pm, pe, strict=True)]
    gone = [mentors.ids[i] for i in range(n_m) if draw(st.booleans()) and draw(st.booleans())]
    gone += [mentees.ids[j] for j in range(n_e) if draw(st.booleans()) and draw(st.booleans())]
    prog = draw(st.sampled_from([Programme(), LIGHT, demo_programme()]))
    return mentors, mentees, previous, gone, prog


def _kept(r: Rematch) -> int:
    return len(r.kept_pairs)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-7 * max(1.0, abs(a), abs(b))


# -- lexicographic optimality ------------------------------------------------------------------

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(case=scenarios())
def test_max_matched_is_lexicographically_optimal(case):
    mentors, mentees, previous, gone, prog = case
    r = rematch(previous, mentors, mentees, prog, left=gone)
    best = _oracle(r, previous, ("pairs", "kept", "score"))
    assert len(r.matching) == best["pairs"]
    assert _kept(r) == best["kept"]
    assert _close(r.matching.objective, best["score"])
    assert r.matching.status == "optimal"
    assert r.matching.bound >= r.matching.objective
    assert verify(r.matching, r.problem) == []


@FAST
@given(case=scenarios())
def test_max_score_keeps_most_then_scores(case):
    mentors, mentees, previous, gone, prog = case
    r = rematch(previous, mentors, mentees, prog, left=gone, policy="max_score")
    best = _oracle(r, previous, ("kept", "score"))
    assert _kept(r) == best["kept"]
    assert _close(r.matching.objective, best["score"])
    assert r.matching.status == "optimal"
    assert verify(r.matching, r.problem) == []


@FAST
@given(case=scenarios(), changes=st.integers(0, 3))
def test_max_changes_is_honoured_and_optimal(case, changes):
    mentors, mentees, previous, gone, prog = case
    try:
        r = rematch(previous, mentors, mentees, prog, left=gone, max_changes=changes)
    except InfeasibleError:  # keeping that many breaks a rule or capacity: the oracle agrees
        return
    assert len(r.broken_pairs) - (r.keepable - _kept(r)) >= 0
    assert r.keepable - _kept(r) <= changes
    (count,) = [g for g in r.matching.goals if g.goal == "count_pairs"]
    assert count.met
    best = _oracle(r, previous, ("pairs", "score"), min_kept=r.keepable - changes)
    assert len(r.matching) == best["pairs"]
    assert _close(r.matching.objective, best["score"])
    assert r.matching.status == "optimal"
    assert verify(r.matching, r.problem) == []


@FAST
@given(case=scenarios())
def test_never_worse_than_requiring_the_previous_pairs(case):
    mentors, mentees, previous, gone, prog = case
    r = rematch(previous, mentors, mentees, prog, left=gone)
    alive = [(m, e) for m, e in previous if m in r.problem.mentors and e in r.problem.mentees]
    required = Programme(
        rules=[*prog.rules, rules.RequiredPairs(alive)],
        diversity_attributes=prog.diversity_attributes,
    )
    try:
        rebuilt = match(r.problem.mentors, r.problem.mentees, required, org_chart=_chart(r))
    except InfeasibleError:
        return
    kept = sum(p in set(previous) for p in rebuilt.id_pairs)
    # lexicographically no worse: (pairs, kept, score) under max_matched (requiring every
    # previous pair may cost pairs, which max_matched puts first)
    assert len(r.matching) >= len(rebuilt)
    if len(r.matching) == len(rebuilt):
        assert _kept(r) >= kept
        if _kept(r) == kept:
            assert r.matching.objective >= rebuilt.objective - 1e-9


def _chart(r: Rematch):
    return r.problem.cohort.org_chart or None


# -- keeping every keepable pair (the quick path) against the bonus solve -----------------------

KEEP_ALL = "every keepable previous pair kept"


def _by_bonus(r: Rematch, previous, policy="max_matched"):
    """The lexicographic answer by the bonus solve alone (the path the quick one replaces)."""
    problem = r.problem
    alive = [(m, e) for m, e in previous if m in problem.mentors and e in problem.mentees]
    pm = np.array([problem.mentors.index(m) for m, _ in alive], dtype=np.int64)
    pe = np.array([problem.mentees.index(e) for _, e in alive], dtype=np.int64)
    opts = check_options(policy=policy)
    return rematching._with_bonus(problem, pm, pe, None, opts)


@FAST
@given(case=scenarios(), policy=st.sampled_from(["max_matched", "max_score"]))
def test_keeping_every_pair_agrees_with_the_bonus_solve(case, policy):
    mentors, mentees, previous, gone, prog = case
    r = rematch(previous, mentors, mentees, prog, left=gone, policy=policy, compare=False)
    other = _by_bonus(r, previous, policy)
    kept_other = len(set(other.id_pairs) & set(previous))
    assert (len(r.matching), _kept(r)) == (len(other), kept_other)
    assert _close(r.matching.objective, other.objective)
    if policy == "max_score":  # kept, then score: keeping them all is always the optimum
        assert KEEP_ALL in r.matching.assignment.message
    if KEEP_ALL in r.matching.assignment.message:
        assert _kept(r) == r.keepable


@pytest.mark.parametrize("demo", [False, True])
def test_keeping_every_pair_at_scale_is_the_lexicographic_optimum(demo):
    mentors, mentees = synthetic.cohort(300, 300, rng=21)
    prog = demo_programme() if demo else LIGHT
    before = match(mentors, mentees, prog)
    gen = np.random.default_rng(3)
    gone = [*gen.choice(mentors.ids, 15, replace=False)]
    gone += [*gen.choice(mentees.ids, 15, replace=False)]
    r = rematch(before, mentors, mentees, prog, left=gone)
    other = _by_bonus(r, before.id_pairs)
    assert len(r.matching) == len(other) == 285
    assert _kept(r) == len(set(other.id_pairs) & set(before.id_pairs))
    assert _close(r.matching.objective, other.objective)
    assert r.matching.status == "optimal" and r.matching.bound >= r.matching.objective
    assert verify(r.matching, r.problem) == []
    if demo:  # keeping all 270 keepable pairs leaves 283 pairs at most: two are broken
        assert (r.keepable, _kept(r)) == (270, 268)
        assert KEEP_ALL not in r.matching.assignment.message
    else:
        assert KEEP_ALL in r.matching.assignment.message and _kept(r) == r.keepable
        # the kept pairs are explained as the programme's pairs, not as required ones
        assert not any(p.required for p in r.matching.pairs)


def _square():
    skills = ["ai", "strategy"]
    mentors = People(["A", "B"], skills=skills, offers=[[0.9, 0.1]] * 2, wants=[[0.1, 0.9]] * 2)
    mentees = People(["x", "y"], skills=skills, offers=[[0.1, 0.9]] * 2, wants=[[0.9, 0.1]] * 2)
    return mentors, mentees


def test_a_kept_pair_that_costs_a_pair_is_broken():
    # B can only have x: keeping (A, x) leaves B alone, and max_matched puts pairs first
    mentors, mentees = _square()
    prog = Programme(rules=[rules.ForbiddenPairs([("B", "y")])])
    r = rematch([("A", "x")], mentors, mentees, prog)
    assert set(r.matching.id_pairs) == {("A", "y"), ("B", "x")}
    assert r.broken_pairs == (("A", "x"),) and KEEP_ALL not in r.matching.assignment.message
    assert r.matching.status == "optimal"
    # under max_score the pair is kept (kept pairs come first)
    s = rematch([("A", "x")], mentors, mentees, prog, policy="max_score")
    assert ("A", "x") in s.matching.id_pairs and KEEP_ALL in s.matching.assignment.message


def test_kept_pairs_beyond_a_required_pairs_capacity():
    # x must be with B (a rule), so the previous (A, x) cannot be placed beside it: the quick
    # path's placement is infeasible and the bonus solve answers
    mentors, mentees = _square()
    prog = Programme(rules=[rules.RequiredPairs([("B", "x")])])
    r = rematch([("A", "x"), ("B", "x")], mentors, mentees, prog)
    assert set(r.matching.id_pairs) == {("B", "x"), ("A", "y")}
    assert r.kept_pairs == (("B", "x"),)
    assert verify(r.matching, r.problem) == []


# -- break prices ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(case=scenarios())
def test_break_price_zero_is_a_plain_match_and_huge_is_lexicographic(case):
    mentors, mentees, previous, gone, prog = case
    free = rematch(previous, mentors, mentees, prog, left=gone, break_price=0.0)
    assert free.mode == "break_price"
    assert free.optimum_objective is not None
    assert _close(free.matching.objective, free.optimum_objective)
    assert free.score_given_up is not None and abs(free.score_given_up) <= 1e-7
    lex = rematch(previous, mentors, mentees, prog, left=gone)
    huge = rematch(previous, mentors, mentees, prog, left=gone, break_price=1000.0)
    assert _kept(huge) == _kept(lex)
    assert len(huge.matching) == len(lex.matching)
    assert _close(huge.matching.objective, lex.matching.objective)
    for x in (free, huge):
        assert verify(x.matching, x.problem) == []


def test_break_price_trades_score_for_stability():
    mentors, mentees = synthetic.cohort(30, 30, rng=11)
    gen = np.random.default_rng(0)
    previous = list(zip(mentors.ids, mentees.ids[gen.permutation(30)], strict=True))
    kept = [
        len(rematch(previous, mentors, mentees, break_price=p, compare=False).kept_pairs)
        for p in (0.0, 0.05, 0.2, 2.0)
    ]
    assert kept == sorted(kept)


# -- the price of stability --------------------------------------------------------------------


def test_price_of_stability_against_a_plain_match():
    mentors, mentees = synthetic.cohort(40, 40, rng=2)
    gen = np.random.default_rng(1)
    previous = list(zip(mentors.ids, mentees.ids[gen.permutation(40)], strict=True))
    gone = [mentors.ids[0], mentees.ids[5]]
    r = rematch(previous, mentors, mentees, demo_programme(), left=gone)
    plain = match(r.problem.mentors, r.problem.mentees, demo_programme(), org_chart=_chart(r))
    assert r.optimum_objective is not None and _close(r.optimum_objective, plain.objective)
    assert r.score_given_up is not None and r.score_given_up >= -1e-9
    assert r.pairs_changed == len(set(r.matching.id_pairs) - set(plain.id_pairs))
    assert len(r.matching) == len(plain)  # max_matched: as many pairs as a plain match
    assert r.pairs_changed > 0  # the case is one where stability costs something
    assert len(r.kept_pairs) > len(set(plain.id_pairs) & set(previous))
    skipped = rematch(previous, mentors, mentees, demo_programme(), left=gone, compare=False)
    assert skipped.pairs_changed is None and skipped.score_given_up is None
    assert skipped.matching.id_pairs == r.matching.id_pairs


# -- leavers -----------------------------------------------------------------------------------


def _line():
    """Mentor J1 reports to mentee S0002, who reports to mentee S0001; S0003 is elsewhere."""
    skills = ["ai", "strategy"]
    mentors = People(
        ["J1", "J2"],
        skills=skills,
        offers=[[0.9, 0.1], [0.5, 0.1]],
        wants=[[0.1, 0.9], [0.1, 0.5]],
        manager=["S0002", None],
    )
    mentees = People(
        ["S0001", "S0002", "S0003"],
        skills=skills,
        offers=[[0.1, 1.0], [0.1, 0.9], [0.1, 0.1]],
        wants=[[1.0, 0.1], [0.9, 0.1], [0.1, 0.1]],
        manager=[None, "S0001", None],
    )
    return mentors, mentees


def test_leaver_who_manages_still_blocks_the_skip_level_pair():
    mentors, mentees = _line()
    prog = Programme(rules=[rules.NoReportingLine(depth=2)])
    # dropping the manager by hand loses the line: the table refers to nobody
    with pytest.raises(ValidationError, match="`manager` 'S0002' refers to nobody"):
        match(mentors, mentees.drop(["S0002"]), prog)
    previous = [("J1", "S0003"), ("J2", "S0002")]
    r = rematch(previous, mentors, mentees, prog, left=["S0002"])
    assert r.problem.cohort.org_chart == {"S0002": "S0001"}
    assert ("J1", "S0001") not in r.matching.id_pairs  # skip-level through the leaver
    assert set(r.matching.id_pairs) == {("J1", "S0003"), ("J2", "S0001")}
    assert r.status["S0002"] == "left" and r.status["J2"] == "new_partner"
    assert r.status["J1"] == "kept" and r.ended_pairs == (("J2", "S0002"),)
    assert verify(r.matching, r.problem) == []
    # without the rule the skip-level pair is the better one for J1
    free = rematch(previous, mentors, mentees, left=["S0002"], policy="max_score", break_price=0)
    assert ("J1", "S0001") in free.matching.id_pairs


def test_statuses_counts_and_records():
    mentors, mentees = _line()
    joined = People(["J3"], skills=["ai", "strategy"], offers=[[0.5, 0.5]], wants=[[0.5, 0.5]])
    mentors = People(
        [*mentors.ids, "J3"],
        skills=["ai", "strategy"],
        offers=np.vstack((mentors.offers, joined.offers)),
        wants=np.vstack((mentors.wants, joined.wants)),
        manager=[*mentors.manager, None],
    )
    previous = [("J1", "S0003"), ("J2", "S0002"), ("GONE", "S0001")]
    r = rematch(previous, mentors, mentees, left=["S0002"])
    assert r.counts["left"] == 1
    assert sum(r.counts.values()) == 6
    assert set(r.counts) == set(STATUSES)
    assert r.status["J3"] in ("newly_matched", "unmatched")
    assert r.status["S0001"] == "new_partner"  # its previous partner is history
    rows = {row["id"]: row for row in r.to_records()}
    assert rows["S0002"]["status"] == "left" and rows["S0002"]["partners"] == []
    assert rows["J1"]["previous_partners"] == ["S0003"]
    for pid, st_ in r.status.items():
        assert (rows[pid]["reason"] is not None) == (st_ == "unmatched")
        if st_ == "unmatched":
            assert r.reasons[pid] == rows[pid]["reason"]
    assert "J1" not in repr(r) and "kept=" in repr(r)


def test_previous_from_a_matching_and_history_ids_are_accepted():
    mentors, mentees = synthetic.cohort(6, 6, rng=4)
    before = match(mentors, mentees)
    r = rematch(before, mentors, mentees)
    assert len(r.kept_pairs) == len(before) and r.counts["kept"] == 2 * len(before)
    assert r.pairs_changed == 0 and r.score_given_up is not None
    assert abs(r.score_given_up) < 1e-9
    history = [*before.id_pairs, ("X-old", "Y-old")]
    assert len(rematch(history, mentors, mentees).kept_pairs) == len(before)


def test_required_previous_pair_counts_as_kept():
    mentors, mentees = synthetic.cohort(5, 5, rng=6)
    pair = (mentors.ids[0], mentees.ids[0])
    prog = Programme(rules=[rules.RequiredPairs([pair])])
    r = rematch([pair], mentors, mentees, prog)
    assert r.kept_pairs == (pair,)
    assert verify(r.matching, r.problem) == []


def test_with_programme_goals():
    from rm_match import goals

    mentors, mentees = synthetic.cohort(12, 12, rng=8)
    gen = np.random.default_rng(2)
    previous = list(zip(mentors.ids, mentees.ids[gen.permutation(12)], strict=True))
    prog = Programme(goals=[goals.Count(at_most=10)])
    r = rematch(previous, mentors, mentees, prog, time_limit=20, rng=0)
    assert len(r.matching) <= 10 and all(g.met for g in r.matching.goals)
    assert verify(r.matching, r.problem) == []
    plain = rematch(previous, mentors, mentees, Programme(), rng=0)
    assert len(r.kept_pairs) == min(len(plain.kept_pairs), 10)


# -- bad input ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tables():
    return synthetic.cohort(4, 4, rng=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"left": ["nobody"]}, r"`left`: id 'nobody' is neither a mentor nor a mentee"),
        ({"left": "J0000"}, r"`left` must be an iterable of participant ids; got str"),
        ({"max_changes": -1}, r"`max_changes` must be an integer ≥ 0; got -1"),
        ({"max_changes": 1.5}, r"`max_changes` must be an integer ≥ 0; got 1.5"),
        ({"max_changes": True}, r"`max_changes` must be an integer ≥ 0; got True"),
        ({"break_price": float("nan")}, r"`break_price` must be a finite number ≥ 0"),
        ({"break_price": float("inf")}, r"`break_price` must be a finite number ≥ 0"),
        ({"break_price": "1"}, r"`break_price` must be a finite number ≥ 0; got '1'"),
        ({"max_changes": 1, "break_price": 1.0}, r"at most one of `max_changes`"),
        ({"compare": 1}, r"`compare` must be True or False"),
        ({"policy": "best"}, r"policy"),
    ],
)
def test_bad_arguments(tables, kwargs, message):
    mentors, mentees = tables
    with pytest.raises(ValidationError, match=message) as info:
        rematch([(mentors.ids[0], mentees.ids[0])], mentors, mentees, **kwargs)
    if "left" in kwargs and isinstance(kwargs["left"], list):
        assert info.value.participant == "nobody"


def test_previous_sharing_nobody(tables):
    mentors, mentees = tables
    with pytest.raises(ValidationError, match="previous matching shares nobody with these tables"):
        rematch([("A1", "B1"), ("A2", "B2")], mentors, mentees)
    assert len(rematch([], mentors, mentees).kept_pairs) == 0  # no history: a plain match


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        (3, r"`previous` must be a Matching or an iterable .*; got int"),
        ("ab", r"`previous` must be a Matching or an iterable .*; got str"),
        ([("a", "b", "c")], r"entry 0 is not a pair"),
        ([("a", ["b"])], r"entry 0 holds an id that is not hashable"),
    ],
)
def test_bad_previous(tables, previous, message):
    mentors, mentees = tables
    with pytest.raises(ValidationError, match=message):
        rematch(previous, mentors, mentees)


def test_bad_tables_and_programme(tables):
    mentors, mentees = tables
    with pytest.raises(ValidationError, match="`mentees` must be a People table"):
        rematch([], mentors, [1, 2])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="`programme` must be a Programme"):
        rematch([], mentors, mentees, {"rules": []})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="`org_chart` must be a mapping"):
        rematch([], mentors, mentees, left=[mentors.ids[0]], org_chart=[1])  # type: ignore[arg-type]
