"""LAPJVsp on the sparse path's small one-to-one rounds (``flow.lap_on_edges``): the flow's
optimum, potentials that settle on its rounded scores, and ``None`` where it cannot answer."""

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
from rm_match.solvers.flow import flow_on_edges, lap_on_edges
from rm_match.solvers.sparse import DenseSource, solve_sparse


@settings(max_examples=120, deadline=None)
@given(
    n_m=st.integers(1, 30),
    n_e=st.integers(1, 30),
    density=st.floats(0.02, 1.0),
    magnitude=st.sampled_from([1e-6, 1.0, 1e3, 1e9]),
    digits=st.sampled_from([0, 1, 2, 8]),
    seed=st.integers(0, 2**31 - 1),
)
def test_lap_meets_the_flow_and_its_potentials_settle(n_m, n_e, density, magnitude, digits, seed):
    rng = np.random.default_rng(seed)
    mi, ei = random_edges(rng, n_m, n_e, density)
    if len(mi) == 0:
        assert lap_on_edges(n_m, n_e, mi, ei, np.empty(0)) is None
        return
    # ties on purpose (few digits), negative scores, one outlier an order above the rest
    s = (rng.random(len(mi)) * 2 - 0.5).round(digits) * magnitude
    s[rng.integers(len(s))] *= 10
    one = np.ones(n_m, np.int64), np.ones(n_e, np.int64)
    k_max = min(n_m, n_e)
    used_f, _, _, _ = flow_on_edges(n_m, n_e, mi, ei, s, *one, "max_matched", k_max)
    got = lap_on_edges(n_m, n_e, mi, ei, s)
    rows, cols = len(np.unique(mi)), len(np.unique(ei))
    if got is None:
        # only when no matching covers a whole side of the people with an edge
        assert used_f.sum() < min(rows, cols)
        return
    used, rounded, scale, message = got
    assert "LAPJVsp" in message
    assert used.sum() == used_f.sum() == min(rows, cols)
    assert np.bincount(mi[used], minlength=n_m).max() <= 1
    assert np.bincount(ei[used], minlength=n_e).max() <= 1
    assert rounded[used].sum() >= rounded[used_f].sum()  # optimal for its own integers
    objective = float(s[used].sum())
    tol = 1e-9 * max(1.0, abs(objective), magnitude)
    assert objective == pytest.approx(float(s[used_f].sum()), abs=tol)
    assert_certified(n_m, n_e, mi, ei, s, used, rounded, scale, tol)


def test_an_edge_listed_twice_is_left_to_the_flow():
    mi, ei = np.array([0, 1, 0]), np.array([0, 1, 0])
    assert lap_on_edges(2, 2, mi, ei, np.array([1.0, 2.0, 3.0])) is None


def test_no_matching_of_a_whole_side_is_left_to_the_flow():
    mi, ei = np.array([0, 1, 2]), np.array([0, 0, 1])
    s = np.array([1.0, 2.0, 3.0])
    # three mentors with edges, two mentees: both mentees can be matched
    used, *_ = lap_on_edges(3, 2, mi, ei, s)
    assert mi[used].tolist() == [1, 2] and ei[used].tolist() == [0, 1]
    # a mentee with no edge is left out: mentee 0 takes the better of two mentors
    used, *_ = lap_on_edges(2, 2, mi[:2], ei[:2], s[:2])
    assert used.tolist() == [False, True]
    # mentors 0 and 1 only to mentee 0, mentor 2 to mentees 1 and 2: three a side with
    # edges, at most two pairs
    mi, ei = np.array([0, 1, 2, 2]), np.array([0, 0, 1, 2])
    assert lap_on_edges(3, 3, mi, ei, np.ones(4)) is None


def _with_and_without_lap(scores, feasible, monkeypatch):
    """``solve_sparse`` one-to-one under ``max_matched`` with LAPJVsp's rounds allowed and
    with the flow's only: the two ``(pairs, slack, message, stats)`` (the flow's rounds stay
    set on ``monkeypatch``)."""
    from rm_match.solvers.sparse import rounds

    m_cap = np.ones(scores.shape[0], np.int64)
    e_cap = np.ones(scores.shape[1], np.int64)
    out = []
    for most in (rounds.LAP_MOST_NODES, 0):
        monkeypatch.setattr(rounds, "LAP_MOST_NODES", most)
        source = DenseSource(scores, feasible)
        out.append(solve_sparse(source, m_cap, e_cap, "max_matched", k=2, rng=0, pilot=0))
    return out


@pytest.mark.parametrize("seed", range(3))
def test_the_sparse_path_takes_lap_on_small_one_to_one_rounds(seed, monkeypatch):
    """The same optimum and a tight certificate with LAPJVsp's rounds as with the flow's;
    capacities above one keep the flow."""
    from rm_match.solvers.sparse import rounds

    rng = np.random.default_rng(seed)
    n_m, n_e = 90, 70
    scores = rng.random((n_m, n_e)).round(2)
    feasible = rng.random((n_m, n_e)) < 0.4
    lap, flow = _with_and_without_lap(scores, feasible, monkeypatch)
    (pairs, slack, message, _), (pairs_f, slack_f, message_f, _) = lap, flow
    assert "LAPJVsp" in message and "OR-tools" in message_f
    assert len(pairs) == len(pairs_f)
    obj = scores[pairs[:, 0], pairs[:, 1]].sum()
    assert obj == pytest.approx(scores[pairs_f[:, 0], pairs_f[:, 1]].sum(), abs=1e-9)
    assert 0.0 <= slack <= 1e-9 * obj and 0.0 <= slack_f <= 1e-9 * obj
    monkeypatch.setattr(rounds, "LAP_MOST_NODES", 4096)
    two, ones_e = np.full(n_m, 2), np.ones(n_e, np.int64)
    _, _, message_c, _ = solve_sparse(
        DenseSource(scores, feasible), two, ones_e, "max_matched", k=2, rng=0, pilot=0
    )
    assert "OR-tools" in message_c


@pytest.mark.parametrize("outlier", [-1e4, 1e4])
def test_a_score_far_from_the_rest_still_gets_its_proof(outlier):
    """LAPJVsp's integers are coarser than the flow's: with one score four orders above the
    rest (never chosen when negative) its slack would be too wide for "optimal"; the last
    round is then solved again by the flow."""
    from rm_match import assign

    rng = np.random.default_rng(1)
    scores = rng.random((300, 300)) * 1e-3
    scores[0, 0] = outlier
    a = assign(scores, method="sparse", rng=0)
    b = assign(scores, method="flow")
    assert a.status == "optimal" and a.gap <= 1e-9
    assert a.objective == pytest.approx(b.objective, abs=1e-9)
    if outlier < 0:  # LAPJVsp alone left a slack of about 5e-7 on an objective of 0.3
        assert "OR-tools" in a.message


@pytest.mark.parametrize("fast", [False, True])
def test_no_matching_of_a_whole_side_hands_the_rounds_to_the_flow(fast, monkeypatch):
    """Three mentees whose only allowed mentor is mentor 0: LAPJVsp cannot match every
    mentee, the flow takes the first round and every later one (warm re-solves too, with
    the kernels on every graph), and the optimum is the flow-only one."""
    from rm_match.solvers.sparse import _fast

    if fast and not _fast.enabled():
        pytest.skip("the fast extra is not installed")
    n = 60
    scores, feasible = hall_violation(n)
    with monkeypatch.context() as patch:
        patch.setattr(_fast, "MIN_ARCS", 0 if fast else _fast.MIN_ARCS)
        lap, flow = _with_and_without_lap(scores, feasible, patch)
    (pairs, slack, message, _), (pairs_f, _, _, _) = lap, flow
    assert "LAPJVsp" not in message
    assert len(pairs) == n - 2
    assert_same_optimum(scores, pairs, pairs_f, slack)


def test_potentials_that_do_not_settle_hand_the_round_to_the_flow(monkeypatch):
    """A LAPJVsp answer that is not optimal for the integers it returns (here: their
    negation) leaves a negative cycle; the potentials stop after a pass per node and the
    flow solves the same graph, to the flow-only optimum."""
    from rm_match.solvers.sparse import rounds

    spoiled_calls: list = []
    monkeypatch.setattr(rounds, "lap_on_edges", spoiled(rounds.lap_on_edges, spoiled_calls))
    rng = np.random.default_rng(5)
    scores = rng.random((50, 40)).round(2)
    feasible = rng.random((50, 40)) < 0.5
    lap, flow = _with_and_without_lap(scores, feasible, monkeypatch)
    assert spoiled_calls == [True]  # tried once, then the flow from the same round on
    (pairs, slack, message, _), (pairs_f, _, _, _) = lap, flow
    assert "OR-tools" in message
    assert_same_optimum(scores, pairs, pairs_f, slack)
