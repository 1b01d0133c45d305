"""Warm re-solves (:mod:`rm_match.solvers.sparse.warm`, the ``fast`` extra) against cold
OR-tools solves: after pairs join a solved graph, the repaired flow has the cold optimum on
the same integer costs, for both policies and capacities on either side."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_match.solvers._problem import max_pairs
from rm_match.solvers.flow import flow_on_edges
from rm_match.solvers.sparse import certificate
from rm_match.solvers.sparse.warm import warm_flow

pytest.importorskip("numba")


def _graph(rng, n_m, n_e, k):
    mi = np.repeat(np.arange(n_m), k)
    ei = rng.integers(0, n_e, n_m * k)
    key = np.unique(mi * n_e + ei)
    return key // n_e, key % n_e


def _solved(n_m, n_e, mi, ei, s, m_cap, e_cap, policy, k_max):
    """A cold solve and its integer labels, as a round leaves them."""
    used, rounded, scale, _ = flow_on_edges(n_m, n_e, mi, ei, s, m_cap, e_cap, policy, k_max)
    d, _, ok = certificate._potentials(
        n_m, n_e, mi, ei, rounded, used, m_cap, e_cap, policy, 100_000
    )
    assert ok
    return used, rounded, scale, d


@settings(max_examples=120, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 30),
    st.integers(1, 4),
    st.sampled_from([(1, 1), (2, 1), (1, 3), (2, 2)]),
    st.sampled_from(["max_matched", "max_score"]),
    st.integers(0, 2**31 - 1),
    st.sampled_from([0.0, 0.3, 1.0]),
)
def test_a_warm_re_solve_has_the_cold_optimum(n_m, n_e, k, caps, policy, seed, drop):
    rng = np.random.default_rng(seed)
    mi, ei = _graph(rng, n_m, n_e, k + 2)
    s = np.round(rng.random(len(mi)), 2)  # ties
    s[0] = 1.0  # the largest score is in the first graph: the rounding scale stays
    m_cap = rng.integers(0, caps[0] + 1, n_m)
    e_cap = rng.integers(0, caps[1] + 1, n_e)
    k_max = max_pairs(m_cap, e_cap)
    if k_max == 0:
        return
    first = np.ones(len(mi), dtype=bool)
    first[1:] = rng.random(len(mi) - 1) < 0.6  # the rest joins in the next round
    a = np.flatnonzero(first)
    used0, _, scale0, d = _solved(n_m, n_e, mi[a], ei[a], s[a], m_cap, e_cap, policy, k_max)
    # unused first-round pairs may leave (pruning); the new ones join
    keep = first.copy()
    keep[a[~used0]] &= rng.random(int((~used0).sum())) >= drop
    keep |= ~first
    keep[0] = True  # the largest score stays: so does the scale
    b = np.flatnonzero(keep)
    used_keys = np.sort(mi[a][used0] * n_e + ei[a][used0])
    rounded = np.rint(s[b] * scale0)
    out = warm_flow(
        n_m, n_e, mi[b], ei[b], rounded, m_cap, e_cap, policy, k_max, used_keys, d, 10**9
    )
    cold, rounded_c, scale_c, _ = flow_on_edges(
        n_m, n_e, mi[b], ei[b], s[b], m_cap, e_cap, policy, k_max
    )
    assert scale_c == scale0
    if out is None:  # max_matched with fewer than k_max pairs: a cold solve is needed
        assert policy == "max_matched" and used0.sum() < k_max
        return
    used, pi, _ = out
    r, r_c = rounded.astype(np.int64), rounded_c.astype(np.int64)  # exact sums
    assert r[used].sum() == r_c[cold].sum()
    assert used.sum() == cold.sum() or policy == "max_score"
    # a valid assignment: capacities hold
    assert (np.bincount(mi[b][used], minlength=n_m) <= m_cap).all()
    assert (np.bincount(ei[b][used], minlength=n_e) <= e_cap).all()
    # the certificate's labels start from the returned potentials
    _, _, ok = certificate._potentials(
        n_m, n_e, mi[b], ei[b], rounded, used, m_cap, e_cap, policy, 100_000, pi - pi.max()
    )
    assert ok


def test_a_spent_budget_gives_up() -> None:
    rng = np.random.default_rng(1)
    n = 40
    mi, ei = _graph(rng, n, n, 6)
    s = rng.random(len(mi))
    s[0] = 1.0
    caps = np.ones(n, np.int64)
    first = rng.random(len(mi)) < 0.3
    first[0] = True
    a = np.flatnonzero(first)
    used0, _, scale0, d = _solved(n, n, mi[a], ei[a], s[a], caps, caps, "max_score", n)
    used_keys = np.sort(mi[a][used0] * n + ei[a][used0])
    rounded = np.rint(s * scale0)
    args = (n, n, mi, ei, rounded, caps, caps, "max_score", n, used_keys, d)
    assert warm_flow(*args, 0) is None
    assert warm_flow(*args, 10**9) is not None


def test_a_used_pair_missing_from_the_graph_needs_a_cold_solve() -> None:
    mi, ei = np.array([0, 1]), np.array([0, 1])
    caps = np.ones(2, np.int64)
    d = np.zeros(6, np.int64)
    used_keys = np.array([0, 3])  # (0, 0) and (1, 1); the graph lost (0, 0)
    out = warm_flow(
        2, 2, mi[1:], ei[1:], np.ones(1), caps, caps, "max_score", 2, used_keys[1:], d, 10
    )
    assert out is not None
    assert (
        warm_flow(2, 2, mi[1:], ei[1:], np.ones(1), caps, caps, "max_score", 2, used_keys, d, 10)
        is None
    )


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
@pytest.mark.parametrize("caps", [(1, 1), (2, 1), (2, 3)])
def test_the_sparse_path_re_solves_warm_to_the_same_optimum(policy, caps, monkeypatch) -> None:
    """Rounds re-solved warm (budget unbounded, kernels on every graph) end with the cold
    rounds' optimum and a certificate as tight; with no budget every round is cold."""
    from rm_match.solvers.sparse import DenseSource, _fast, rounds, solve_sparse

    rng = np.random.default_rng(11)
    n_m, n_e = 160, 140
    scores = np.round(rng.random((n_m, n_e)), 3)
    feasible = rng.random((n_m, n_e)) < 0.6
    m_cap = np.full(n_m, caps[0])
    e_cap = np.full(n_e, caps[1])
    monkeypatch.setattr(_fast, "MIN_ARCS", 0)
    monkeypatch.setattr(rounds, "LAP_MOST_NODES", 0)  # the flow's rounds, not LAPJVsp's
    runs = {}
    for budget in (0.0, 1e9):
        monkeypatch.setattr(rounds, "WARM_BUDGET", budget)
        monkeypatch.setattr(rounds, "WARM_MOST", 1.0)  # try every round
        source = DenseSource(scores, feasible)
        pairs, slack, _, st = solve_sparse(source, m_cap, e_cap, policy, k=2, rng=0, pilot=0)
        runs[budget] = (scores[pairs[:, 0], pairs[:, 1]].sum(), len(pairs), slack, st)
    (obj0, n0, slack0, st0), (obj1, n1, slack1, st1) = runs[0.0], runs[1e9]
    assert st0.warm == 0
    assert st1.rounds > 1 and st1.warm >= 1  # later rounds went warm
    assert obj1 == pytest.approx(obj0, abs=1e-9) and n1 == n0
    assert slack0 < 1e-9 and slack1 < 1e-9


def test_max_matched_with_people_left_out_re_solves_warm() -> None:
    """Fewer pairs than the capacities allow (a mentor with no allowed pair): the return
    arc makes it one circulation, and the warm answer is the cold one."""
    rng = np.random.default_rng(4)
    n = 30
    mi, ei = _graph(rng, n, n, 5)
    keep = mi != 0  # mentor 0 has no allowed pair: at most n - 1 pairs
    mi, ei = mi[keep], ei[keep]
    s = np.round(rng.random(len(mi)), 3)
    s[0] = 1.0
    caps = np.ones(n, np.int64)
    first = rng.random(len(mi)) < 0.8  # already the most pairs: n - 1
    first[0] = True
    a = np.flatnonzero(first)
    used0, _, scale0, d = _solved(n, n, mi[a], ei[a], s[a], caps, caps, "max_matched", n)
    assert used0.sum() == n - 1
    used_keys = np.sort(mi[a][used0] * n + ei[a][used0])
    rounded = np.rint(s * scale0)
    out = warm_flow(n, n, mi, ei, rounded, caps, caps, "max_matched", n, used_keys, d, 10**9)
    assert out is not None
    cold, rounded_c, _, _ = flow_on_edges(n, n, mi, ei, s, caps, caps, "max_matched", n)
    used = out[0]
    assert used.sum() == cold.sum() == n - 1
    assert rounded.astype(np.int64)[used].sum() == rounded_c.astype(np.int64)[cold].sum()
