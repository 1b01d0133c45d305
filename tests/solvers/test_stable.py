"""Stable matchings over arrays: checked against plain-Python oracles.

Oracles: every matching of tiny instances enumerated, the stable ones kept by a plain-Python
stability checker (written apart from the module, on explicit rank tables built with
``sorted``), and, at 40 × 40, the stable-marriage integer programme (Vande Vate / Rothblum
stability constraints) solved with :func:`scipy.optimize.milp`.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from rm_match.errors import SolverError, ValidationError
from rm_match.solvers.stable import (
    blocking_pairs,
    deferred_acceptance,
    optimal_stable,
    preference_ranks,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- plain-Python oracles ----------------------------------------------------------------------


def orders(u_m, u_e, acc):
    """Each person's strict list (utility descending, lower index first on ties)."""
    n_m, n_e = u_m.shape
    m_list = [
        sorted((j for j in range(n_e) if acc[i][j]), key=lambda j, i=i: (-u_m[i][j], j))
        for i in range(n_m)
    ]
    e_list = [
        sorted((i for i in range(n_m) if acc[i][j]), key=lambda i, j=j: (-u_e[i][j], i))
        for j in range(n_e)
    ]
    m_rank = [{j: k + 1 for k, j in enumerate(lst)} for lst in m_list]
    e_rank = [{i: k + 1 for k, i in enumerate(lst)} for lst in e_list]
    return m_rank, e_rank


def is_blocking(i, j, match, m_rank, e_rank, cap_m, cap_e):
    if j not in m_rank[i] or (i, j) in match:
        return False
    mine = [jj for (ii, jj) in match if ii == i]
    theirs = [ii for (ii, jj) in match if jj == j]
    want_m = len(mine) < cap_m[i] or any(m_rank[i][j] < m_rank[i][x] for x in mine)
    want_e = len(theirs) < cap_e[j] or any(e_rank[j][i] < e_rank[j][x] for x in theirs)
    return want_m and want_e


def blocking(match, m_rank, e_rank, cap_m, cap_e):
    n_m, n_e = len(m_rank), len(e_rank)
    return sorted(
        (i, j)
        for i in range(n_m)
        for j in range(n_e)
        if is_blocking(i, j, match, m_rank, e_rank, cap_m, cap_e)
    )


def all_matchings(acc, cap_m, cap_e):
    """Every set of acceptable pairs within the capacities."""
    n_m, n_e = len(acc), len(acc[0])
    cells = [(i, j) for i in range(n_m) for j in range(n_e) if acc[i][j]]
    out = []

    def rec(k, chosen, dm, de):
        if k == len(cells):
            out.append(frozenset(chosen))
            return
        rec(k + 1, chosen, dm, de)
        i, j = cells[k]
        if dm[i] < cap_m[i] and de[j] < cap_e[j]:
            dm[i] += 1
            de[j] += 1
            chosen.append((i, j))
            rec(k + 1, chosen, dm, de)
            chosen.pop()
            dm[i] -= 1
            de[j] -= 1

    rec(0, [], [0] * n_m, [0] * n_e)
    return out


def stable_matchings(u_m, u_e, acc, cap_m, cap_e):
    m_rank, e_rank = orders(u_m, u_e, acc)
    return [
        m for m in all_matchings(acc, cap_m, cap_e) if not blocking(m, m_rank, e_rank, cap_m, cap_e)
    ], (m_rank, e_rank)


def as_set(pairs):
    return frozenset(map(tuple, np.asarray(pairs).tolist()))


def partners_sorted(match, who, rank, side):
    """Per person, the ranks of its partners sorted best first."""
    out = []
    for p in range(len(rank)):
        mine = [jj if side == 0 else ii for (ii, jj) in match if (ii if side == 0 else jj) == p]
        out.append(sorted(rank[p][x] for x in mine))
    return out


@st.composite
def instances(draw, max_n=4, caps="1:1", tie_range=None):
    n_m = draw(st.integers(1, max_n))
    n_e = draw(st.integers(1, max_n))
    hi = tie_range if tie_range is not None else draw(st.sampled_from([2, 3, 100]))
    u_m = np.array(draw(st.lists(st.integers(0, hi), min_size=n_m * n_e, max_size=n_m * n_e)))
    u_e = np.array(draw(st.lists(st.integers(0, hi), min_size=n_m * n_e, max_size=n_m * n_e)))
    acc = np.array(draw(st.lists(st.booleans(), min_size=n_m * n_e, max_size=n_m * n_e))).reshape(
        n_m, n_e
    ) | draw(st.booleans())
    cap_m = np.ones(n_m, dtype=np.int64)
    cap_e = np.ones(n_e, dtype=np.int64)
    if caps in ("mentor", "both"):
        cap_m = np.array(draw(st.lists(st.integers(0, 2), min_size=n_m, max_size=n_m)))
    if caps in ("mentee", "both"):
        cap_e = np.array(draw(st.lists(st.integers(0, 2), min_size=n_e, max_size=n_e)))
    return (
        u_m.reshape(n_m, n_e).astype(float),
        u_e.reshape(n_m, n_e).astype(float),
        acc,
        cap_m,
        cap_e,
    )


# -- deferred acceptance -----------------------------------------------------------------------


@FAST
@given(inst=instances(caps="1:1"), proposer=st.sampled_from(["mentees", "mentors"]))
def test_da_one_to_one_is_stable_and_proposer_optimal(inst, proposer):
    u_m, u_e, acc, cap_m, cap_e = inst
    stable, (m_rank, e_rank) = stable_matchings(u_m, u_e, acc, cap_m, cap_e)
    got = as_set(deferred_acceptance(u_m, u_e, acc, proposer=proposer))
    assert got in stable
    side, rank = (1, e_rank) if proposer == "mentees" else (0, m_rank)
    mine = partners_sorted(got, None, rank, side)
    for other in stable:
        theirs = partners_sorted(other, None, rank, side)
        for a, b in zip(mine, theirs, strict=True):
            assert len(a) == len(b)  # rural hospitals: same people matched
            assert all(x <= y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("caps", ["mentor", "mentee", "both"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), proposer=st.sampled_from(["mentees", "mentors"]))
def test_da_capacities_is_stable_and_proposer_optimal(caps, data, proposer):
    u_m, u_e, acc, cap_m, cap_e = data.draw(instances(max_n=4, caps=caps))
    stable, (m_rank, e_rank) = stable_matchings(u_m, u_e, acc, cap_m, cap_e)
    got = deferred_acceptance(
        u_m, u_e, acc, mentor_capacity=cap_m, mentee_capacity=cap_e, proposer=proposer
    )
    assert (np.lexsort((got[:, 1], got[:, 0])) == np.arange(len(got))).all()
    got = as_set(got)
    assert got in stable
    side, rank = (1, e_rank) if proposer == "mentees" else (0, m_rank)
    mine = partners_sorted(got, None, rank, side)
    for other in stable:
        theirs = partners_sorted(other, None, rank, side)
        for a, b in zip(mine, theirs, strict=True):
            # the k-th best partner is weakly better, and no fewer partners
            assert len(a) >= len(b)
            assert all(x <= y for x, y in zip(a, b, strict=False))


def test_da_ties_follow_the_index_rule():
    u = np.zeros((3, 3))
    # everyone indifferent: the lower index wins everywhere
    assert deferred_acceptance(u, u).tolist() == [[0, 0], [1, 1], [2, 2]]
    u_m = np.array([[1.0, 1.0], [1.0, 1.0]])
    u_e = np.array([[0.0, 0.0], [1.0, 1.0]])  # both mentees prefer mentor 1
    assert deferred_acceptance(u_m, u_e, proposer="mentors").tolist() == [[0, 1], [1, 0]]
    assert deferred_acceptance(u_m, u_e, proposer="mentees").tolist() == [[0, 1], [1, 0]]


@pytest.mark.parametrize("proposer", ["mentees", "mentors"])
@pytest.mark.parametrize("kind", ["random", "correlated", "identical", "ties"])
def test_da_medium_is_stable(kind, proposer):
    rng = np.random.default_rng(7)
    n_m, n_e = 300, 260
    if kind == "random":
        u_m, u_e = rng.random((n_m, n_e)), rng.random((n_m, n_e))
    elif kind == "correlated":
        u_m = rng.standard_normal((n_m, 4)) @ rng.standard_normal((4, n_e))
        u_e = rng.standard_normal((n_m, 4)) @ rng.standard_normal((4, n_e))
        u_m += 0.3 * rng.standard_normal((n_m, n_e))
    elif kind == "identical":
        u_m = np.tile(rng.random(n_e), (n_m, 1))
        u_e = np.tile(rng.random(n_m)[:, None], (1, n_e))
    else:
        u_m = rng.integers(0, 3, (n_m, n_e)).astype(float)
        u_e = rng.integers(0, 3, (n_m, n_e)).astype(float)
    acc = rng.random((n_m, n_e)) < 0.9
    cap_m = rng.integers(0, 3, n_m)
    for caps in ({}, {"mentor_capacity": cap_m}):
        got = deferred_acceptance(u_m, u_e, acc, proposer=proposer, **caps)
        assert len(blocking_pairs(got, u_m, u_e, acc, **caps)) == 0
        assert len(got) > 0


# -- blocking pairs and ranks ------------------------------------------------------------------


@FAST
@given(inst=instances(max_n=5, caps="both"), data=st.data())
def test_blocking_pairs_equal_the_plain_checker(inst, data):
    u_m, u_e, acc, cap_m, cap_e = inst
    m_rank, e_rank = orders(u_m, u_e, acc)
    cells = [(i, j) for i in range(len(cap_m)) for j in range(len(cap_e)) if acc[i, j]]
    chosen = data.draw(st.lists(st.sampled_from(cells), unique=True) if cells else st.just([]))
    match, dm, de = [], np.zeros_like(cap_m), np.zeros_like(cap_e)
    for i, j in chosen:  # drop pairs over a capacity
        if dm[i] < cap_m[i] and de[j] < cap_e[j]:
            match.append((i, j))
            dm[i] += 1
            de[j] += 1
    got = blocking_pairs(
        np.array(match, dtype=np.int64).reshape(-1, 2),
        u_m,
        u_e,
        acc,
        mentor_capacity=cap_m,
        mentee_capacity=cap_e,
    )
    assert [tuple(p) for p in got.tolist()] == blocking(set(match), m_rank, e_rank, cap_m, cap_e)


@FAST
@given(inst=instances(max_n=5))
def test_preference_ranks_equal_sorted_lists(inst):
    u_m, u_e, acc, _, _ = inst
    m_rank, e_rank = orders(u_m, u_e, acc)
    r_m, r_e = preference_ranks(u_m, u_e, acc)
    n_m, n_e = u_m.shape
    assert r_m.tolist() == [[m_rank[i].get(j, 0) for j in range(n_e)] for i in range(n_m)]
    assert r_e.tolist() == [[e_rank[j].get(i, 0) for j in range(n_e)] for i in range(n_m)]


def test_preference_ranks_large_rows_and_signed_zero():
    rng = np.random.default_rng(3)
    u_m = rng.integers(-2, 3, (5, 700)).astype(float)
    u_m[0, :] = 0.0
    u_m[0, ::3] = -0.0  # -0.0 equals 0.0: index order
    u_e = rng.random((5, 700)) * 1e-12 + 1.0  # values differing in the lowest bits
    r_m, r_e = preference_ranks(u_m, u_e)
    for i in range(5):
        want = sorted(range(700), key=lambda j, i=i: (-u_m[i, j], j))
        assert r_m[i, want].tolist() == list(range(1, 701))
    for j in range(700):
        want = sorted(range(5), key=lambda i, j=j: (-u_e[i, j], i))
        assert r_e[want, j].tolist() == list(range(1, 6))


# -- optimal stable matchings ------------------------------------------------------------------


def brute_best(stable, m_rank, e_rank, w, kind, mid=None, eid=None):
    def value(m):
        if kind == "score":
            return sum(w[i][j] for i, j in m)
        return -sum(m_rank[i][j] + e_rank[j][i] for i, j in m)

    return max(value(m) for m in stable)


@FAST
@given(
    inst=instances(max_n=5),
    kind=st.sampled_from(["score", "egalitarian"]),
    data=st.data(),
)
def test_optimal_stable_matches_enumeration(inst, kind, data):
    u_m, u_e, acc, cap_m, cap_e = inst
    n_m, n_e = u_m.shape
    w = np.array(
        data.draw(st.lists(st.integers(-5, 9), min_size=n_m * n_e, max_size=n_m * n_e)), float
    ).reshape(n_m, n_e)
    stable, (m_rank, e_rank) = stable_matchings(u_m, u_e, acc, cap_m, cap_e)
    r = optimal_stable(u_m, u_e, acc, weights=w if kind == "score" else None, objective=kind)
    got = as_set(r.pairs)
    assert got in stable
    best = brute_best(stable, m_rank, e_rank, w, kind)
    sign = 1 if kind == "score" else -1
    assert sign * r.objective == pytest.approx(best)
    assert r.n_rotations >= (len(stable) > 1)


@pytest.mark.parametrize("caps", ["mentor", "mentee"])
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), kind=st.sampled_from(["score", "egalitarian"]))
def test_optimal_stable_one_side_capacities(caps, data, kind):
    u_m, u_e, acc, cap_m, cap_e = data.draw(instances(max_n=4, caps=caps))
    n_m, n_e = u_m.shape
    w = np.array(
        data.draw(st.lists(st.integers(-5, 9), min_size=n_m * n_e, max_size=n_m * n_e)), float
    ).reshape(n_m, n_e)
    stable, (m_rank, e_rank) = stable_matchings(u_m, u_e, acc, cap_m, cap_e)
    r = optimal_stable(
        u_m,
        u_e,
        acc,
        weights=w if kind == "score" else None,
        objective=kind,
        mentor_capacity=cap_m,
        mentee_capacity=cap_e,
    )
    assert as_set(r.pairs) in stable
    sign = 1 if kind == "score" else -1
    assert sign * r.objective == pytest.approx(brute_best(stable, m_rank, e_rank, w, kind))


def milp_best_stable(u_m, u_e, w):
    """max Σ w x over stable matchings (complete lists, 1:1): Vande Vate / Rothblum."""
    n_m, n_e = u_m.shape
    m_rank, e_rank = orders(u_m, u_e, np.ones((n_m, n_e), bool))
    nv = n_m * n_e

    def var(i, j):
        return i * n_e + j

    rows, lo, hi = [], [], []
    for i in range(n_m):
        row = np.zeros(nv)
        row[[var(i, j) for j in range(n_e)]] = 1
        rows.append(row)
        lo.append(0)
        hi.append(1)
    for j in range(n_e):
        row = np.zeros(nv)
        row[[var(i, j) for i in range(n_m)]] = 1
        rows.append(row)
        lo.append(0)
        hi.append(1)
    for i in range(n_m):
        for j in range(n_e):
            # x_ij + Σ_{j' ≻_i j} x_ij' + Σ_{i' ≻_j i} x_i'j ≥ 1
            row = np.zeros(nv)
            row[var(i, j)] = 1
            for jj in range(n_e):
                if m_rank[i][jj] < m_rank[i][j]:
                    row[var(i, jj)] = 1
            for ii in range(n_m):
                if e_rank[j][ii] < e_rank[j][i]:
                    row[var(ii, j)] = 1
            rows.append(row)
            lo.append(1)
            hi.append(np.inf)
    res = milp(
        -w.ravel(),
        constraints=LinearConstraint(np.array(rows), lo, hi),
        integrality=np.ones(nv),
        bounds=Bounds(0, 1),
    )
    assert res.success
    return -res.fun


@pytest.mark.parametrize("seed", [0, 1])
def test_optimal_stable_matches_milp(seed):
    rng = np.random.default_rng(seed)
    n = 40
    u_m, u_e = rng.random((n, n)), rng.random((n, n))
    w = rng.integers(0, 100, (n, n)).astype(float)
    r = optimal_stable(u_m, u_e, weights=w)
    assert r.objective == pytest.approx(milp_best_stable(u_m, u_e, w))
    assert len(blocking_pairs(r.pairs, u_m, u_e)) == 0
    assert r.n_rotations > 0
    assert r.objective >= max(r.mentor_optimal_objective, r.mentee_optimal_objective) - 1e-9


def test_optimal_stable_extremes_are_the_da_matchings():
    rng = np.random.default_rng(5)
    u_m, u_e = rng.random((30, 25)), rng.random((30, 25))
    acc = rng.random((30, 25)) < 0.7
    men = deferred_acceptance(u_m, u_e, acc, proposer="mentors")
    women = deferred_acceptance(u_m, u_e, acc, proposer="mentees")
    r_m, r_e = preference_ranks(u_m, u_e, acc)
    # weights that favour mentors' ranks pick the mentor-optimal matching, and vice versa
    r = optimal_stable(u_m, u_e, acc, weights=-r_m.astype(float))
    assert as_set(r.pairs) == as_set(men)
    r = optimal_stable(u_m, u_e, acc, weights=-r_e.astype(float))
    assert as_set(r.pairs) == as_set(women)
    assert r.mentee_optimal_objective == pytest.approx(-r_e[women[:, 0], women[:, 1]].sum())


# -- errors ------------------------------------------------------------------------------------


U = np.ones((2, 3))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: deferred_acceptance(U, np.ones((3, 2))), r"`mentee_pref` must have the shape"),
        (lambda: deferred_acceptance(np.ones(3), U), r"`mentor_pref` must be a two-dim"),
        (lambda: deferred_acceptance("x", U), r"`mentor_pref` must be a two-dim.*got str"),
        (lambda: deferred_acceptance(U, [["a"] * 3] * 2), r"`mentee_pref` .*dtype"),
        (lambda: deferred_acceptance(np.full((2, 3), np.nan), U), r"`mentor_pref` must be finite"),
        (lambda: deferred_acceptance(U, U, np.ones((3, 3), bool)), r"`acceptable` must be a bool"),
        (lambda: deferred_acceptance(U, U, np.full((2, 3), 2)), r"`acceptable` .*0/1 integers"),
        (lambda: deferred_acceptance(U, U, mentor_capacity=-1), r"`mentor_capacity` must be ≥ 0"),
        (lambda: deferred_acceptance(U, U, mentee_capacity=[1, 1]), r"`mentee_capacity` must have"),
        (lambda: deferred_acceptance(U, U, proposer="both"), r"`proposer` must be one of"),
        (lambda: optimal_stable(U, U), r"`weights` is required"),
        (lambda: optimal_stable(U, U, objective="fair"), r"`objective` must be one of"),
        (lambda: optimal_stable(U, U, weights=np.ones((3, 3))), r"`weights` must have the shape"),
        (lambda: optimal_stable(U, U, weights=U, objective="egalitarian"), r"only used with"),
        (lambda: optimal_stable(U, U, weights=U * np.inf), r"`weights` must be finite"),
        (lambda: blocking_pairs([[0, 5]], U, U), r"`pairs` entry 0 is outside"),
        (lambda: blocking_pairs([[0, 1], [0, 1]], U, U), r"`pairs` lists the pair \(0, 1\)"),
        (lambda: blocking_pairs([[0, 1], [0, 2]], U, U), r"`pairs` gives mentor 0 more partners"),
        (lambda: blocking_pairs([[0, 1], [1, 1]], U, U), r"`pairs` gives mentee 1 more partners"),
        (lambda: blocking_pairs([[0.5, 1]], U, U), r"`pairs` must be a \(k, 2\) integer"),
        (
            lambda: blocking_pairs([[0, 0]], U, U, [[False, 1, 1], [1, 1, 1]]),
            r"`pairs` holds the pair \(0, 0\), which is not acceptable",
        ),
        (lambda: preference_ranks(U, np.ones((2, 2))), r"`mentee_pref` must have the shape"),
    ],
)
def test_validation_errors(call, match):
    with pytest.raises(ValidationError, match=match) as info:
        call()
    assert info.value.argument is not None


def test_finiteness_check_survives_an_overflowing_sum():
    # the fast check sums the table; huge finite values overflow it and must still pass
    u = np.full((2, 3), 1e308)
    assert deferred_acceptance(u, -u).tolist() == [[0, 0], [1, 1]]
    for bad in (np.inf, -np.inf, np.nan):
        v = u.copy()
        v[1, 2] = bad
        with pytest.raises(ValidationError, match=r"entry \(1, 2\)"):
            deferred_acceptance(v, u)
        with pytest.raises(ValidationError, match=r"`mentee_pref` must be finite"):
            deferred_acceptance(u, v)


def test_capacities_on_both_sides_are_refused():
    with pytest.raises(SolverError, match="capacities above one on one side only"):
        optimal_stable(U, U, weights=U, mentor_capacity=2, mentee_capacity=2)


def test_empty_and_degenerate():
    empty = np.zeros((0, 3))
    assert deferred_acceptance(empty, empty).shape == (0, 2)
    assert blocking_pairs(np.zeros((0, 2), int), empty, empty).shape == (0, 2)
    r = optimal_stable(np.zeros((2, 0)), np.zeros((2, 0)), weights=np.zeros((2, 0)))
    assert r.pairs.shape == (0, 2) and r.objective == 0 and r.n_rotations == 0
    none = np.zeros((2, 2), bool)
    assert deferred_acceptance(U[:, :2], U[:, :2], none).shape == (0, 2)
    assert optimal_stable(U[:, :2], U[:, :2], none, objective="egalitarian").objective == 0


def test_itertools_oracle_sanity():
    # the enumeration oracle finds both stable matchings of the classic 2 × 2 cycle
    u_m = np.array([[2.0, 1.0], [1.0, 2.0]])
    u_e = np.array([[1.0, 2.0], [2.0, 1.0]])
    stable, _ = stable_matchings(u_m, u_e, np.ones((2, 2), bool), [1, 1], [1, 1])
    assert sorted(sorted(m) for m in stable) == [[(0, 0), (1, 1)], [(0, 1), (1, 0)]]
    assert len(list(itertools.permutations(range(2)))) == 2
