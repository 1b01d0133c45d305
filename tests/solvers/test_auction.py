"""The auction on the sparse path's larger one-to-one rounds (``sparse.auction``): the flow's
optimum, potentials that settle on its rounded scores, ``None`` where it cannot answer, and
the round loop's fall-backs to the flow."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from one_to_one_checks import (
    assert_certified,
    assert_same_optimum,
    hall_violation,
    random_edges,
    spoiled,
)
from rm_match.solvers.flow import flow_on_edges
from rm_match.solvers.sparse import DenseSource, _fast, solve_sparse
from rm_match.solvers.sparse.auction import auction_on_edges

pytestmark = pytest.mark.skipif(not _fast.enabled(), reason="the fast extra is not installed")


@settings(max_examples=150, deadline=None)
@given(
    n_m=st.integers(1, 30),
    n_e=st.integers(1, 30),
    density=st.floats(0.02, 1.0),
    magnitude=st.sampled_from([1e-6, 1.0, 1e3, 1e9]),
    digits=st.sampled_from([0, 1, 2, 8]),
    hints=st.sampled_from(["none", "prices", "start", "both", "bad start"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_the_auction_meets_the_flow_and_its_potentials_settle(
    n_m, n_e, density, magnitude, digits, hints, seed
):
    rng = np.random.default_rng(seed)
    mi, ei = random_edges(rng, n_m, n_e, density)
    if len(mi) == 0:
        assert auction_on_edges(n_m, n_e, mi, ei, np.empty(0)) is None
        return
    # ties on purpose (few digits), negative scores, one outlier an order above the rest
    s = (rng.random(len(mi)) * 2 - 0.5).round(digits) * magnitude
    s[rng.integers(len(s))] *= 10
    one = np.ones(n_m, np.int64), np.ones(n_e, np.int64)
    k_max = min(n_m, n_e)
    used_f, _, _, _ = flow_on_edges(n_m, n_e, mi, ei, s, *one, "max_matched", k_max)
    prices = start = None
    if hints in ("prices", "both"):  # any prices: hints only
        prices = rng.random(n_m) * magnitude * rng.choice([0.0, 1.0, 100.0])
    if hints in ("start", "both"):  # part of the flow's answer
        start = used_f & (rng.random(len(mi)) < 0.5)
    if hints == "bad start":  # not a matching: dropped
        start = rng.random(len(mi)) < 0.5
    got = auction_on_edges(n_m, n_e, mi, ei, s, prices, start)
    rows, cols = len(np.unique(mi)), len(np.unique(ei))
    if got is None:
        # only when mentors and mentees with an edge differ in number, or no matching
        # pairs them all
        assert rows != cols or used_f.sum() < rows
        return
    used, rounded, scale, message, guide = got
    assert "auction" in message
    assert rows == cols and used.sum() == used_f.sum() == rows
    assert np.bincount(mi[used], minlength=n_m).max() <= 1
    assert np.bincount(ei[used], minlength=n_e).max() <= 1
    assert rounded[used].sum() >= rounded[used_f].sum()  # optimal for its own integers
    # the guide: every pair arc's reduced cost under it is above -1 / (n + 1) (ε-CS at ε = 1
    # on the integers times n + 1); pairs made are tight
    n_nodes = n_m + n_e + 2
    assert guide.shape == (n_nodes,) and np.isfinite(guide).all()
    g_m, g_e = guide[mi], guide[n_m + ei]
    red = np.where(used, rounded + g_e - g_m, -rounded + g_m - g_e)
    ulps = 8 * np.finfo(float).eps * max(1.0, np.abs(guide).max(), np.abs(rounded).max())
    assert red.min() >= -1.0 / (rows + 1) - ulps  # floats: the prices reach 2⁵³
    objective = float(s[used].sum())
    tol = 1e-9 * max(1.0, abs(objective), magnitude)
    assert objective == pytest.approx(float(s[used_f].sum()), abs=tol)
    assert_certified(n_m, n_e, mi, ei, s, used, rounded, scale, tol)


def test_no_matching_of_everyone_gives_up():
    """Mentors 0 and 1 only to mentee 0, mentor 2 to mentees 1 and 2: three a side with
    edges, at most two pairs; the prices would rise for ever, the bids run out."""
    mi, ei = np.array([0, 1, 2, 2]), np.array([0, 0, 1, 2])
    assert auction_on_edges(3, 3, mi, ei, np.ones(4)) is None
    # more mentors with edges than mentees: the most pairs is not "every mentee"
    assert auction_on_edges(3, 2, np.array([0, 1, 2]), np.array([0, 0, 1]), np.ones(3)) is None


def test_prices_that_are_not_finite_are_ignored_and_lengths_are_checked():
    mi, ei = np.array([0, 0, 1]), np.array([0, 1, 0])
    s = np.array([3.0, 1.0, 2.0])
    used, *_ = auction_on_edges(2, 2, mi, ei, s, np.array([np.inf, 0.0]))
    assert used.tolist() == [False, True, True]
    with pytest.raises(ValueError, match="prices"):
        auction_on_edges(2, 2, mi, ei, s, np.zeros(1))
    with pytest.raises(ValueError, match="start"):
        auction_on_edges(2, 2, mi, ei, s, None, np.ones(2, dtype=bool))


def test_prices_count_up_to_a_constant():
    """Solved prices shifted by any constant are the same hint: the same bids and the
    same optimum either way (an all-positive hint used to be clipped flat)."""
    from rm_match.solvers.sparse.certificate import _potentials

    rng = np.random.default_rng(2)
    n = 300
    mi, ei = random_edges(rng, n, n, 0.1)
    s = 100.0 + rng.random(len(mi))
    first = auction_on_edges(n, n, mi, ei, s)
    assert first is not None
    used, rounded, scale, _, _ = first
    one = np.ones(n, np.int64)
    d, _, ok = _potentials(n, n, mi, ei, rounded, used, one, one, "max_matched", 10**6)
    assert ok
    prices = d[:n] / scale  # the certificate's mentor labels, in score units
    runs = [auction_on_edges(n, n, mi, ei, s, prices + shift) for shift in (0.0, -200.0, 5.0)]
    assert all(r is not None for r in runs)
    messages = {r[3] for r in runs}  # "... (B bids; ...)": the same count each time
    assert len(messages) == 1
    assert {float(rounded[r[0]].sum()) for r in runs} == {float(rounded[used].sum())}


def _with_and_without_auction(scores, feasible, monkeypatch, e_cap=None):
    """``solve_sparse`` under ``max_matched`` with the auction's rounds (the kernels on every
    graph, LAPJVsp off) and with the flow's only: the two ``(pairs, slack, message, stats)``."""
    from rm_match.solvers.sparse import rounds

    m_cap = np.ones(scores.shape[0], np.int64)
    e_cap = np.ones(scores.shape[1], np.int64) if e_cap is None else e_cap
    out = []
    for on in (True, False):
        with monkeypatch.context() as patch:
            patch.setattr(rounds, "LAP_MOST_NODES", 0)
            patch.setattr(_fast, "MIN_ARCS", 0)
            patch.setattr(_fast, "MIN_ARCS_LOADED", 0)
            if not on:
                patch.setattr(rounds, "auction_on_edges", lambda *a: None)
            source = DenseSource(scores, feasible)
            out.append(solve_sparse(source, m_cap, e_cap, "max_matched", k=2, rng=0, pilot=0))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_the_sparse_path_takes_the_auction_on_one_to_one_rounds(seed, monkeypatch):
    """The same optimum and a tight certificate with the auction's rounds as with the
    flow's; capacities above one keep the flow."""
    rng = np.random.default_rng(seed)
    n = 80
    scores = rng.random((n, n)).round(2)
    feasible = rng.random((n, n)) < 0.4
    auction, flow = _with_and_without_auction(scores, feasible, monkeypatch)
    (pairs, slack, message, stats), (pairs_f, slack_f, message_f, _) = auction, flow
    assert "auction" in message and "auction" not in message_f
    assert stats.auction == stats.rounds
    assert len(pairs) == len(pairs_f) == n
    obj = scores[pairs[:, 0], pairs[:, 1]].sum()
    assert obj == pytest.approx(scores[pairs_f[:, 0], pairs_f[:, 1]].sum(), abs=1e-9)
    assert 0.0 <= slack <= 1e-9 * obj and 0.0 <= slack_f <= 1e-9 * obj
    (_, _, message_c, stats_c), _ = _with_and_without_auction(
        scores, feasible, monkeypatch, e_cap=np.full(n, 2)
    )
    assert "auction" not in message_c and stats_c.auction == 0


def test_no_matching_of_everyone_hands_the_rounds_to_the_flow(monkeypatch):
    """Three mentees whose only allowed mentor is mentor 0: the auction gives up in the
    first round, the flow takes it and every later one, and the optimum is the flow-only
    one."""
    n = 60
    scores, feasible = hall_violation(n)
    auction, flow = _with_and_without_auction(scores, feasible, monkeypatch)
    (pairs, slack, message, stats), (pairs_f, _, _, _) = auction, flow
    assert "auction" not in message and stats.auction == 0
    assert len(pairs) == n - 2
    assert_same_optimum(scores, pairs, pairs_f, slack)


def test_potentials_that_do_not_settle_hand_the_round_to_the_flow(monkeypatch):
    """An auction answer that is not optimal for the integers it returns (here: their
    negation) leaves a negative cycle; the potentials stop after a pass per node and the
    flow solves the same graph, to the flow-only optimum."""
    from rm_match.solvers.sparse import rounds

    spoiled_calls: list = []
    monkeypatch.setattr(rounds, "auction_on_edges", spoiled(rounds.auction_on_edges, spoiled_calls))
    rng = np.random.default_rng(5)
    scores = rng.random((50, 50)).round(2)
    feasible = rng.random((50, 50)) < 0.5
    auction, flow = _with_and_without_auction(scores, feasible, monkeypatch)
    assert spoiled_calls == [True]  # tried once, then the flow from the same round on
    (pairs, _, message, _), (pairs_f, _, _, _) = auction, flow
    assert "OR-tools" in message
    assert_same_optimum(scores, pairs, pairs_f)


@pytest.mark.parametrize("outlier", [-1e4, 1e4])
def test_a_score_far_from_the_rest_still_gets_its_proof(outlier, monkeypatch):
    """The auction's integers are coarser than the flow's: with one score four orders
    below the rest (never chosen; ``assign`` shifts the scores up by it) the auction's
    slack is too wide for "optimal" on an objective of 0.15, and the last round is solved
    again by the flow. Four orders above (chosen) the auction's proof holds."""
    from rm_match import assign
    from rm_match.solvers.sparse import rounds

    rng = np.random.default_rng(1)
    scores = rng.random((300, 300)) * 1e-3
    scores[0, 0] = outlier
    b = assign(scores, method="flow")
    monkeypatch.setattr(rounds, "LAP_MOST_NODES", 0)
    monkeypatch.setattr(_fast, "MIN_ARCS", 0)
    monkeypatch.setattr(_fast, "MIN_ARCS_LOADED", 0)
    a = assign(scores, method="sparse", rng=0)
    assert ("OR-tools" if outlier < 0 else "auction") in a.message
    assert a.status == "optimal" and a.gap <= 1e-9
    assert a.objective == pytest.approx(b.objective, abs=1e-9)
