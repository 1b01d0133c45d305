"""Rotation rounds over arrays: the edge colouring is proper, the joint plan is optimal.

Oracles: brute force over every k-tuple of edge-disjoint matchings (tiny, 1:1), and a
HiGHS model (:func:`scipy.optimize.milp`) of the k-round problem itself — one binary per
(pair, round), capacities per round, each pair at most once — for capacities, minimums and
the ``max_score`` policy. Neither knows about flows or colourings.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from rm_match.errors import InfeasibleError, ValidationError
from rm_match.solvers.rotation import (
    colour_rounds,
    fair_minimums,
    max_sessions,
    rotate_arrays,
)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- oracles -----------------------------------------------------------------------------------


def _matchings(feasible):
    """Every (partial) 1:1 matching of the allowed pairs, as frozensets of pairs."""
    n_m, n_e = feasible.shape
    out = []
    for perm_len in range(min(n_m, n_e) + 1):
        for rows in itertools.combinations(range(n_m), perm_len):
            for cols in itertools.permutations(range(n_e), perm_len):
                if all(feasible[r, c] for r, c in zip(rows, cols, strict=True)):
                    out.append(frozenset(zip(rows, cols, strict=True)))
    return out


def brute_rounds(scores, feasible, k, policy):
    """(sessions, total) of the best k pairwise edge-disjoint 1:1 matchings."""
    ms = _matchings(feasible)
    best = None
    for combo in itertools.combinations_with_replacement(range(len(ms)), k):
        sets = [ms[i] for i in combo]
        union = frozenset().union(*sets)
        if len(union) != sum(len(s) for s in sets):  # a pair twice (the empty one may repeat)
            continue
        total = sum(scores[m, e] for m, e in union)
        key = (len(union), total) if policy == "max_matched" else (total,)
        if best is None or key > best[0]:
            best = (key, len(union), total)
    return best[1], best[2]


def milp_rounds(scores, feasible, k, m_cap, e_cap, policy, lo_m=None, lo_e=None):
    """(sessions, total) of the k-round problem solved as a MILP over x[pair, round];
    ``None`` when infeasible."""
    n_m, n_e = scores.shape
    mi, ei = np.nonzero(feasible)
    p = len(mi)
    nvar = p * k
    if nvar == 0:
        asked = any(lo is not None and np.any(lo > 0) for lo in (lo_m, lo_e))
        return None if asked else (0, 0.0)
    rows, lbs, ubs = [], [], []

    def add(coef, lo, hi):
        rows.append(coef)
        lbs.append(lo)
        ubs.append(hi)

    def var(q, r):
        return q * k + r

    for r in range(k):  # capacities per round
        for i in range(n_m):
            c = np.zeros(nvar)
            c[[var(q, r) for q in np.flatnonzero(mi == i)]] = 1
            add(c, 0, m_cap[i])
        for j in range(n_e):
            c = np.zeros(nvar)
            c[[var(q, r) for q in np.flatnonzero(ei == j)]] = 1
            add(c, 0, e_cap[j])
    for q in range(p):  # each pair at most once over the rounds
        c = np.zeros(nvar)
        c[[var(q, r) for r in range(k)]] = 1
        add(c, 0, 1)
    for lo, idx, n in ((lo_m, mi, n_m), (lo_e, ei, n_e)):
        if lo is None:
            continue
        for i in range(n):
            c = np.zeros(nvar)
            c[[var(q, r) for q in np.flatnonzero(idx == i) for r in range(k)]] = 1
            add(c, lo[i], np.inf)
    s = np.repeat(scores[mi, ei], k)
    cons = [LinearConstraint(np.array(rows), lbs, ubs)]
    integ = np.ones(nvar)
    box = Bounds(0, 1)
    if policy == "max_matched":
        first = milp(-np.ones(nvar), constraints=cons, integrality=integ, bounds=box)
        if first.x is None:
            return None
        count = round(-first.fun)
        cons.append(LinearConstraint(np.ones((1, nvar)), count, count))
    res = milp(-s, constraints=cons, integrality=integ, bounds=box)
    if res.x is None:
        return None
    x = np.round(res.x)
    return int(x.sum()), float(s @ x)


# -- strategies --------------------------------------------------------------------------------


@st.composite
def multigraphs(draw):
    """(pairs, n_m, n_e, k, mentor caps, mentee caps) with every degree ≤ k × capacity;
    pairs may repeat."""
    n_m = draw(st.integers(1, 7))
    n_e = draw(st.integers(1, 7))
    k = draw(st.integers(1, 4))
    cap_m = np.array(draw(st.lists(st.integers(1, 3), min_size=n_m, max_size=n_m)))
    cap_e = np.array(draw(st.lists(st.integers(1, 3), min_size=n_e, max_size=n_e)))
    raw = draw(st.lists(st.tuples(st.integers(0, n_m - 1), st.integers(0, n_e - 1)), max_size=60))
    deg_m, deg_e = np.zeros(n_m, int), np.zeros(n_e, int)
    pairs = []
    for m, e in raw:
        if deg_m[m] < k * cap_m[m] and deg_e[e] < k * cap_e[e]:
            deg_m[m] += 1
            deg_e[e] += 1
            pairs.append((m, e))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2), n_m, n_e, k, cap_m, cap_e


@st.composite
def small_problems(draw, max_m=3, max_e=3):
    n_m = draw(st.integers(1, max_m))
    n_e = draw(st.integers(1, max_e))
    seed = draw(st.integers(0, 2**31))
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((n_m, n_e)), 2)
    feasible = rng.random((n_m, n_e)) < draw(st.sampled_from([0.5, 0.8, 1.0]))
    return scores, feasible


def _assert_proper(pairs, rounds, n_m, n_e, k, cap_m, cap_e):
    assert rounds.shape == (len(pairs),)
    assert ((rounds >= 0) & (rounds < k)).all()
    sizes = np.bincount(rounds, minlength=k)
    assert sizes.max() - sizes.min() <= 1, "rounds not evened out"
    for r in range(k):
        at = pairs[rounds == r]
        assert (np.bincount(at[:, 0], minlength=n_m) <= cap_m).all()
        assert (np.bincount(at[:, 1], minlength=n_e) <= cap_e).all()


# -- colouring ---------------------------------------------------------------------------------


@FAST
@given(multigraphs())
def test_colouring_is_proper_on_random_graphs(case):
    pairs, n_m, n_e, k, cap_m, cap_e = case
    pairs = np.unique(pairs, axis=0).reshape(-1, 2)  # a rotation meets each pair once
    rounds = colour_rounds(pairs, n_m, n_e, k, cap_m, cap_e)
    _assert_proper(pairs, rounds, n_m, n_e, k, cap_m, cap_e)


def test_colouring_refuses_a_pair_twice_and_too_many_rounds():
    with pytest.raises(ValidationError, match=r"lists the pair \(0, 0\) more than once"):
        colour_rounds(np.array([[0, 0], [0, 0]]), 1, 1, 1, 2, 2)
    with pytest.raises(ValidationError, match=r"`k` must be an integer ≥ 1 and ≤ 1000"):
        colour_rounds(np.array([[0, 0]]), 1, 1, 10**6)


def test_colouring_of_a_complete_regular_graph_uses_every_round_fully():
    n, k = 6, 6
    pairs = np.array([(m, e) for m in range(n) for e in range(n)])
    rounds = colour_rounds(pairs, n, n, k)
    assert np.bincount(rounds).tolist() == [n] * k
    _assert_proper(pairs, rounds, n, n, k, np.ones(n, int), np.ones(n, int))


def test_colouring_large_random_graph():
    rng = np.random.default_rng(0)
    n, k = 2000, 5
    keys = rng.choice(n * n, size=n * k * 2, replace=False)
    pairs = np.column_stack((keys // n, keys % n))
    deg_ok = np.ones(len(pairs), bool)
    dm, de = np.zeros(n, int), np.zeros(n, int)
    for q, (m, e) in enumerate(pairs.tolist()):
        if dm[m] < k and de[e] < k:
            dm[m] += 1
            de[e] += 1
        else:
            deg_ok[q] = False
    pairs = pairs[deg_ok]
    rounds = colour_rounds(pairs, n, n, k)
    _assert_proper(pairs, rounds, n, n, k, np.ones(n, int), np.ones(n, int))


def test_colouring_empty_and_errors():
    assert colour_rounds(np.empty((0, 2), int), 3, 3, 2).tolist() == []
    assert colour_rounds([], 3, 3, 2).tolist() == []
    with pytest.raises(ValidationError, match="mentor 0 has 3 pairs, more than rounds"):
        colour_rounds([[0, 0], [0, 1], [0, 2]], 1, 3, 2)
    with pytest.raises(ValidationError, match="`pairs` must be a"):
        colour_rounds([[0.5, 1]], 2, 2, 1)
    with pytest.raises(ValidationError, match="outside the 2 × 2 sides"):
        colour_rounds([[0, 2]], 2, 2, 1)
    with pytest.raises(ValidationError, match="`k` must be an integer ≥ 1"):
        colour_rounds([[0, 0]], 1, 1, 0)
    with pytest.raises(ValidationError, match="`mentor_capacity`"):
        colour_rounds([[0, 0]], 1, 1, 1, mentor_capacity=-1)


# -- the joint optimum -------------------------------------------------------------------------


@FAST
@given(small_problems(), st.integers(1, 3), st.sampled_from(["max_matched", "max_score"]))
def test_rotation_equals_brute_force_one_to_one(case, k, policy):
    scores, feasible = case
    r = rotate_arrays(scores, feasible, k, policy=policy)
    count, total = brute_rounds(scores, feasible, k, policy)
    if policy == "max_matched":
        assert len(r.pairs) == count
    assert r.objective == pytest.approx(total, abs=1e-9)
    assert r.status == "optimal"
    assert r.bound >= r.objective
    _assert_proper(r.pairs, r.rounds, *scores.shape, k, 1, 1)
    assert feasible[r.pairs[:, 0], r.pairs[:, 1]].all()
    assert len({tuple(p) for p in r.pairs.tolist()}) == len(r.pairs)


@settings(max_examples=20, deadline=None)
@given(
    small_problems(max_m=4, max_e=4),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 2),
    st.sampled_from(["max_matched", "max_score"]),
)
def test_rotation_equals_milp_with_capacities(case, k, cm, ce, policy):
    scores, feasible = case
    n_m, n_e = scores.shape
    cap_m, cap_e = np.full(n_m, cm), np.full(n_e, ce)
    r = rotate_arrays(scores, feasible, k, mentor_capacity=cm, mentee_capacity=ce, policy=policy)
    count, total = milp_rounds(scores, feasible, k, cap_m, cap_e, policy)
    if policy == "max_matched":
        assert len(r.pairs) == count
    assert r.objective == pytest.approx(total, abs=1e-6)
    _assert_proper(r.pairs, r.rounds, n_m, n_e, k, cap_m, cap_e)


@settings(max_examples=20, deadline=None)
@given(small_problems(max_m=4, max_e=3), st.integers(1, 3), st.data())
def test_minimums_equal_milp(case, k, data):
    scores, feasible = case
    n_m, n_e = scores.shape
    top = min(k, n_e)
    lo_m = np.array(data.draw(st.lists(st.integers(0, top), min_size=n_m, max_size=n_m)))
    lo_e = np.zeros(n_e, int)
    want = milp_rounds(scores, feasible, k, np.ones(n_m), np.ones(n_e), "max_matched", lo_m, lo_e)
    if want is None:
        with pytest.raises(InfeasibleError, match="`min_sessions` cannot all be met"):
            rotate_arrays(scores, feasible, k, min_sessions=(lo_m, None))
        return
    r = rotate_arrays(scores, feasible, k, min_sessions=(lo_m, None))
    assert (r.mentor_sessions >= lo_m).all()
    assert (len(r.pairs), r.objective) == (want[0], pytest.approx(want[1], abs=1e-6))
    assert r.status == "optimal"


@FAST
@given(small_problems(max_m=5, max_e=3), st.integers(1, 3))
def test_fair_floors_are_met_and_never_cost_sessions(case, k):
    scores, feasible = case
    n_m, n_e = scores.shape
    plain = rotate_arrays(scores, feasible, k)
    fair = rotate_arrays(scores, feasible, k, min_sessions="fair")
    assert len(fair.pairs) == len(plain.pairs)  # floors cost no session
    assert fair.objective <= plain.objective + 1e-9
    lo_m, lo_e = fair.min_sessions
    assert (fair.mentor_sessions >= lo_m).all()
    assert (fair.mentee_sessions >= lo_e).all()
    want_m, want_e, _ = fair_minimums(
        feasible.sum(axis=1),
        feasible.sum(axis=0),
        np.full(n_m, min(k, n_e)),
        np.full(n_e, min(k, n_m)),
        len(plain.pairs),
    )
    if "lowered" in fair.stats:  # lowered only where they clash
        assert (lo_m <= want_m).all() and (lo_e <= want_e).all()
        assert sum(fair.stats["lowered"]) > 0
    else:
        assert (lo_m.tolist(), lo_e.tolist()) == (want_m.tolist(), want_e.tolist())


def test_fair_floors_lowered_when_they_clash():
    # juniors 0-2 may meet only senior 0, who has two rounds; junior 3 may meet seniors 1
    # and 2: S = 4 sessions over 4 juniors, floor 1 each, but juniors 0-2 compete for two
    feasible = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 1, 1]], bool)
    scores = np.full(feasible.shape, 0.5)
    r = rotate_arrays(scores, feasible, 2, min_sessions="fair")
    assert r.stats["floor"] == 1 and r.stats["lowered"] == (1, 0)
    assert len(r.pairs) == 4
    assert sorted(r.mentor_sessions[:3].tolist()) == [0, 1, 1]
    assert r.mentor_sessions[3] == 2
    assert (r.mentor_sessions >= r.min_sessions[0]).all()
    assert sorted(r.min_sessions[0].tolist()) == [0, 1, 1, 1]


def test_fair_floors_raise_the_worst_off():
    # the best total gives juniors 0 and 1 both sessions and junior 2 none
    scores = np.array([[0.9, 0.9], [0.8, 0.8], [0.1, 0.1]])
    assert rotate_arrays(scores, None, 2).mentor_sessions.tolist() == [2, 2, 0]
    r = rotate_arrays(scores, None, 2, min_sessions="fair")
    assert r.mentor_sessions.tolist() == [2, 1, 1]
    assert r.stats["unconstrained_objective"] == pytest.approx(3.4)
    assert r.objective == pytest.approx(2.7) and r.status == "optimal"


def test_fair_floor_capped_by_allowed_partners():
    # four juniors, three seniors, three rounds: S = 9, floor 9 // 4 = 2; junior 0 may meet
    # senior 0 only, so their floor is 1
    feasible = np.ones((4, 3), bool)
    feasible[0, 1:] = False
    r = rotate_arrays(np.full((4, 3), 0.5), feasible, 3, min_sessions="fair")
    assert r.stats["floor"] == 2
    assert r.min_sessions[0].tolist() == [1, 2, 2, 2]
    assert (r.mentor_sessions >= [1, 2, 2, 2]).all()
    assert r.min_sessions[1].tolist() == [0, 0, 0]


def test_required_pairs_are_kept_and_coloured():
    scores = np.array([[0.9, 0.1], [0.1, 0.9]])
    r = rotate_arrays(scores, np.ones((2, 2), bool), 2, required=[[0, 1]])
    assert {tuple(p) for p in r.pairs.tolist()} == {(0, 0), (0, 1), (1, 0), (1, 1)}
    r = rotate_arrays(scores, np.eye(2, dtype=bool), 1, required=[[0, 1]])
    assert r.pairs.tolist() == [[0, 1]]  # mentee 1 is taken, (1, 0) is not allowed
    assert r.objective == pytest.approx(0.1)
    with pytest.raises(ValidationError, match="`required` lists a pair twice"):
        rotate_arrays(scores, None, 2, required=[[0, 1], [0, 1]])
    with pytest.raises(ValidationError, match="more than rounds × capacity"):
        rotate_arrays(scores, None, 1, required=[[0, 1], [0, 0]])


def test_min_sessions_errors_and_diagnosis():
    scores = np.full((2, 2), 0.5)
    feasible = np.array([[1, 1], [1, 0]], bool)
    with pytest.raises(ValidationError, match="more than rounds × capacity"):
        rotate_arrays(scores, feasible, 2, min_sessions=([3, 0], None))
    with pytest.raises(ValidationError, match="`min_sessions` must be None, 'fair' or a pair"):
        rotate_arrays(scores, feasible, 2, min_sessions="even")
    with pytest.raises(
        InfeasibleError, match=r"mentors' minimums \(4 sessions\) fit at most 3"
    ) as exc:
        rotate_arrays(scores, feasible, 2, min_sessions=([2, 2], None))
    assert "1 ask for more sessions than they have allowed partners" in str(exc.value)
    # the mentees' side is diagnosed alike
    with pytest.raises(InfeasibleError, match=r"the mentees' minimums \(2 sessions\)"):
        rotate_arrays(scores, np.array([[1, 1], [0, 0]], bool), 1, min_sessions=(None, [1, 1]))
    # both sides' minimums, each met alone, are met together (Mendelsohn-Dulmage)
    r = rotate_arrays(scores, feasible, 1, min_sessions=([0, 1], [0, 1]))
    assert r.pairs.tolist() == [[0, 1], [1, 0]]


def test_rounds_and_argument_errors():
    with pytest.raises(ValidationError, match="`rounds` must be an integer ≥ 1"):
        rotate_arrays(np.ones((2, 2)), None, 0)
    with pytest.raises(ValidationError, match="`rounds` must be an integer"):
        rotate_arrays(np.ones((2, 2)), None, 1.5)
    with pytest.raises(ValidationError, match="`policy`"):
        rotate_arrays(np.ones((2, 2)), None, 1, policy="best")
    with pytest.raises(ValidationError, match="`scores` must be finite"):
        rotate_arrays(np.array([[np.nan]]), None, 1)


def test_more_rounds_than_partners_is_not_an_error():
    r = rotate_arrays(np.ones((2, 3)), None, 10)
    assert r.mentor_sessions.tolist() == [3, 3]
    assert r.n_rounds == 10 and r.rounds.max() < 10


def test_empty_and_nothing_allowed():
    r = rotate_arrays(np.zeros((0, 3)), None, 2)
    assert len(r.pairs) == 0 and r.status == "optimal"
    r = rotate_arrays(np.ones((2, 2)), np.zeros((2, 2), bool), 2, min_sessions="fair")
    assert len(r.pairs) == 0


def test_max_sessions_counts_a_b_matching():
    mi, ei = np.array([0, 0, 1]), np.array([0, 1, 0])
    assert max_sessions(mi, ei, 2, 2, np.array([2, 2]), np.array([2, 2])) == 3
    assert max_sessions(mi, ei, 2, 2, np.array([1, 1]), np.array([1, 1])) == 2
    assert max_sessions(mi[:0], ei[:0], 2, 2, np.ones(2, int), np.ones(2, int)) == 0
