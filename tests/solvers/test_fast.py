"""The compiled kernels (the ``fast`` extra, :mod:`rm_match.solvers.sparse._fast`) against the
plain numpy code: the same shortest-path labels on random residual networks, the same
answers and certificates from the sparse path, and the switch that turns them off."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_match.solvers.flow import flow_on_edges
from rm_match.solvers.sparse import DenseSource, _fast, certificate, solve_sparse

pytest.importorskip("numba")


def _network(n_m, n_e, k, caps, policy, seed):
    """A residual network of an optimal flow: random candidate pairs, solved by OR-tools."""
    rng = np.random.default_rng(seed)
    mi = np.repeat(np.arange(n_m), k)
    ei = rng.integers(0, n_e, n_m * k)
    key = np.unique(mi * n_e + ei)
    mi, ei = key // n_e, key % n_e
    s = np.round(rng.random(len(mi)), 2)  # ties
    m_cap = rng.integers(0, caps + 1, n_m)
    e_cap = rng.integers(0, caps + 1, n_e)
    k_max = int(min(m_cap.sum(), e_cap.sum()))
    used, rounded, _, _ = flow_on_edges(n_m, n_e, mi, ei, s, m_cap, e_cap, policy, k_max)
    return mi, ei, rounded, used, m_cap, e_cap


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(1, 6),
    st.sampled_from([1, 2]),
    st.sampled_from(["max_matched", "max_score"]),
    st.integers(0, 2**31 - 1),
    st.booleans(),
    st.sampled_from([None, "labels", "noise"]),
)
def test_the_compiled_labels_are_the_plain_ones(
    n_m, n_e, k, caps, policy, seed, warm, guide
) -> None:
    """The compiled loop gives the plain labels, with its FIFO queue and with a heap
    guided by a potential (the labels themselves, slightly off) or by noise."""
    mi, ei, r, used, m_cap, e_cap = _network(n_m, n_e, k, caps, policy, seed)
    rng = np.random.default_rng(seed)
    n = n_m + n_e + 2
    d0 = None
    if warm:  # starting labels at most 0, as a later round's
        d0 = -rng.integers(0, 5, n)
    out = {}
    for fast in (False, True):
        original = certificate._relax

        def relax(*a, f=fast, original=original, **kw):
            return original(*a, fast=f, guide=kw.get("guide"))

        certificate._relax = relax
        try:
            out[fast] = certificate._potentials(
                n_m, n_e, mi, ei, r, used, m_cap, e_cap, policy, 10_000, d0
            )
            if fast and guide is not None:
                g = rng.normal(0.0, float(np.abs(r).max(initial=1.0)), n)
                if guide == "labels":
                    g = out[False][0] + rng.integers(-1, 2, n)
                out["guided"] = certificate._potentials(
                    n_m, n_e, mi, ei, r, used, m_cap, e_cap, policy, 10_000, d0, g
                )
        finally:
            certificate._relax = original
    (d_plain, _, ok_plain), (d_fast, _, ok_fast) = out[False], out[True]
    assert ok_plain and ok_fast
    np.testing.assert_array_equal(d_fast, d_plain)
    if guide is not None:
        d_guided, _, ok_guided = out["guided"]
        assert ok_guided
        np.testing.assert_array_equal(d_guided, d_plain)


def test_a_budget_too_small_is_not_converged() -> None:
    """A chain of negative arcs needs one visit per node in order: with a budget of one
    visit per node the queue still reaches the end (converged), with none it does not."""
    n = 50
    src = np.arange(n - 1)
    dst = np.arange(1, n)
    cost = -np.ones(n - 1, dtype=np.int64)
    for fast in (False, True):
        d, _, ok = certificate._relax(src, dst, cost, np.zeros(n, np.int64), 200, fast=fast)
        assert ok and d[-1] == -(n - 1)
    _, _, ok = certificate._relax(src, dst, cost, np.zeros(n, np.int64), 1, fast=False)
    assert not ok  # one numpy pass lowers each label once only


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
def test_the_sparse_path_answers_the_same_with_the_kernels(policy, monkeypatch) -> None:
    rng = np.random.default_rng(3)
    scores = np.round(rng.random((120, 90)), 3)
    feasible = rng.random((120, 90)) < 0.7
    caps = rng.integers(1, 3, 120), rng.integers(1, 3, 90)
    runs = {}
    for threshold in (10**12, 0):  # plain, then the kernel on every graph
        monkeypatch.setattr(_fast, "MIN_ARCS", threshold)
        source = DenseSource(scores, feasible)
        pairs, slack, _, st = solve_sparse(source, *caps, policy, k=4, rng=0)
        runs[threshold] = (pairs, slack, st.duals)
    (p0, s0, d0), (p1, s1, d1) = runs[10**12], runs[0]
    np.testing.assert_array_equal(p0, p1)
    assert s0 == s1
    for a, b in zip(d0[:2], d1[:2], strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_environment_turns_the_kernels_off(monkeypatch) -> None:
    monkeypatch.setenv("RM_MATCH_FAST", "0")
    assert not _fast.enabled()
    monkeypatch.setenv("RM_MATCH_FAST", "1")
    assert _fast.enabled()


def test_loaded_kernels_take_smaller_graphs(monkeypatch) -> None:
    """Before the kernels are loaded only graphs of ``MIN_ARCS`` arcs (and score sources of
    ``MIN_CELLS`` pairs) load them; once loaded (``load_fast_kernels``) graphs from
    ``MIN_ARCS_LOADED`` arcs and every source use them too."""
    import rm_match.solvers

    small = _fast.MIN_ARCS_LOADED
    monkeypatch.setattr(_fast, "_kernels", {})
    monkeypatch.setattr(_fast, "_numba", None)
    monkeypatch.setattr(_fast, "_tried", True)  # as if numba could not be imported
    assert not _fast.use_for(small) and not _fast.use_for(_fast.MIN_ARCS)
    assert not _fast.use_scorer(_fast.MIN_CELLS)
    assert not rm_match.solvers.load_fast_kernels()
    monkeypatch.setattr(_fast, "_tried", False)  # numba importable, nothing loaded yet
    assert not _fast.use_for(small)  # a small graph does not load them
    assert not _fast.use_scorer(_fast.MIN_CELLS - 1)
    assert not _fast.use_select(_fast.MIN_CELLS - 1)
    assert _fast._kernels == {}
    assert rm_match.solvers.load_fast_kernels()
    kernels = {"relax", "scores", "residual", "warm", "reach", "auction", "group"}
    kernels |= {"select", "group_max", "guided", "masked_max"}
    assert set(_fast._kernels) == kernels
    assert _fast.use_for(small) and not _fast.use_for(small - 1)
    assert _fast.use_scorer(1) and _fast.use_select(1)
    monkeypatch.setenv("RM_MATCH_FAST", "0")
    assert not _fast.use_select(1)
    assert not _fast.use_for(_fast.MIN_ARCS) and not rm_match.solvers.load_fast_kernels()
    assert not _fast.use_scorer(_fast.MIN_CELLS)


@pytest.mark.parametrize("source_kind", ["problem", "dense32", "dense64"])
@pytest.mark.parametrize("prior", [False, True])
def test_compiled_candidate_cuts_keep_the_same_pairs(source_kind, prior, monkeypatch) -> None:
    """The candidate pass with the compiled cuts (:func:`_fast.select`, :func:`_fast.group_max`)
    keeps exactly the pairs its numpy comparisons keep: float32 screens of a problem and of a
    float32 matrix, float64 blocks of a float64 one, with and without potentials, with
    forbidden pairs, ties and random pairs drawn."""
    import rm_match as rm
    from rm_match.cli import demo_programme
    from rm_match.screen import ProblemSource
    from rm_match.solvers.sparse import candidates as cand_mod

    rng = np.random.default_rng(7)
    n_m, n_e = 700, 500
    if source_kind == "problem":
        mentors, mentees = rm.synthetic.cohort(n_m, n_e, rng=3)
        problem = rm.Problem(mentors, mentees, demo_programme())
        source = ProblemSource(problem, np.empty((0, 2), dtype=int))
    else:
        dtype = np.float32 if source_kind == "dense32" else np.float64
        scores = rng.random((n_m, n_e)).round(2).astype(dtype)  # ties
        source = DenseSource(scores, rng.random((n_m, n_e)) < 0.7)
    m_ok = rng.random(n_m) < 0.95
    e_ok = rng.random(n_e) < 0.95
    pri = (rng.random(n_m) * 0.2, rng.random(n_e) * 0.2) if prior else None
    got = []
    for fast in (False, True):
        monkeypatch.setattr(_fast, "use_select", lambda cells, fast=fast: fast)
        mi, ei, s, _ = cand_mod.candidates(
            source, m_ok, e_ok, 8, block_elements=1 << 15, rng=0, prior=pri
        )
        order = np.lexsort((mi, ei))
        got.append((mi[order], ei[order], s[order]))
    assert len(got[0][0]) > 4 * n_e  # the cuts keep more than the drawn pairs
    for a, b in zip(*got, strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_pilot_extends_its_potentials_the_same_with_the_compiled_max(
    dtype, monkeypatch
) -> None:
    """The pilot's c-transforms (each mentee's best ``score - u`` over the sampled mentors,
    then each mentor's) with :func:`_fast.masked_max` equal the numpy ones, forbidden pairs
    included."""
    from rm_match.solvers.sparse import rounds

    rng = np.random.default_rng(11)
    n_m, n_e = 400, 300
    scores = rng.random((n_m, n_e)).round(3).astype(dtype)
    feasible = rng.random((n_m, n_e)) < 0.6
    feasible[:, :5] = False  # mentees with no allowed mentor
    caps = np.ones(n_m, np.int64), np.ones(n_e, np.int64)
    got = []
    for fast in (False, True):
        monkeypatch.setattr(_fast, "use_select", lambda cells, fast=fast: fast)
        source = DenseSource(scores, feasible)
        gen = np.random.default_rng(0)
        got.append(rounds._pilot(source, *caps, "max_matched", 80, 4, 1 << 14, gen))
    (u0, v0), (u1, v1) = got
    assert (v0[:5] == 0).all() and (u0 > 0).any()
    np.testing.assert_array_equal(u0, u1)
    np.testing.assert_array_equal(v0, v1)
