"""``assign`` with a ``scipy.sparse`` score matrix: the stored entries are the allowed pairs,
solved on them (:mod:`rm_match.solvers.edges`) — against the dense path with the same mask,
on OR-Library's sparse instances at their published optima, and the errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring_model import DATA
from rm_match import SolverError, ValidationError, assign, goals
from rm_match.solvers import edges


@settings(max_examples=80, deadline=None)
@given(
    n_m=st.integers(1, 20),
    n_e=st.integers(1, 20),
    density=st.floats(0.0, 1.0),
    caps=st.sampled_from(["1:1", "mentor", "mentee", "both"]),
    policy=st.sampled_from(["max_matched", "max_score"]),
    method=st.sampled_from(["auto", "flow"]),
    fmt=st.sampled_from(["csr", "coo", "csc"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_sparse_scores_equal_the_dense_path(n_m, n_e, density, caps, policy, method, fmt, seed):
    rng = np.random.default_rng(seed)
    scores = rng.random((n_m, n_e)).round(int(rng.integers(0, 3))) - 0.3  # ties, negatives
    allowed = rng.random((n_m, n_e)) < density
    m_cap = rng.integers(0, 3, n_m) if caps in ("mentor", "both") else 1
    e_cap = rng.integers(0, 3, n_e) if caps in ("mentee", "both") else 1
    rows, cols = np.nonzero(allowed)
    given_ = sp.coo_array((scores[rows, cols], (rows, cols)), shape=(n_m, n_e)).asformat(fmt)
    kw = {"mentor_capacity": m_cap, "mentee_capacity": e_cap, "policy": policy}
    got = assign(given_, method=method, **kw)
    ref = assign(scores, allowed, method="flow", **kw)
    assert got.objective == pytest.approx(ref.objective, abs=1e-9)
    assert len(got.pairs) == len(ref.pairs) or policy == "max_score"
    assert got.status == "optimal" and got.bound >= got.objective
    assert got.gap <= 1e-9
    if len(got.pairs):
        assert allowed[got.pairs[:, 0], got.pairs[:, 1]].all()
        assert (np.bincount(got.pairs[:, 0], minlength=n_m) <= m_cap).all()
        assert (np.bincount(got.pairs[:, 1], minlength=n_e) <= e_cap).all()
    assert got.method in ("lapjvsp", "flow")


def test_explicit_zeros_are_allowed_pairs():
    # a stored 0 is a pair with score 0, as in scipy's min_weight_full_bipartite_matching
    m = sp.csr_array((np.array([0.0, 0.0]), (np.array([0, 1]), np.array([1, 0]))), shape=(2, 2))
    a = assign(m)
    assert a.pairs.tolist() == [[0, 1], [1, 0]] and a.objective == 0.0
    assert a.method == "lapjvsp" and a.status == "optimal"


def test_tiny_scores_get_a_finite_scale():
    # 1e-300: the integer scale of the certificate (and of the flow) overflowed
    m = sp.csr_array(np.array([[1e-300, 0.0], [0.0, 2e-300]]))
    for method in ("auto", "flow"):
        a = assign(m, method=method)
        assert a.pairs.tolist() == [[0, 0], [1, 1]] and a.status == "optimal"


def test_no_whole_side_matching_falls_back_to_the_flow():
    # mentor 2 and mentee 1 have no allowed pair: no matching of a whole side (LAPJVsp
    # needs one), so the flow finds the most pairs
    m = sp.csr_array(np.array([[0.5, 0.0, 0.0], [0.9, 0.0, 0.7], [0.0, 0.0, 0.0]]))
    m.eliminate_zeros()
    a = assign(m)
    assert a.method == "flow" and a.pairs.tolist() == [[0, 0], [1, 2]]
    assert a.status == "optimal"


@pytest.mark.skipif(not DATA.is_dir(), reason="no shared external data")
@pytest.mark.parametrize("name", ["assignp800", "assignp1500", "assignp3000", "assignp5000"])
def test_or_library_sparse_instances_reach_their_published_optima(name):
    optima = {}
    for line in (DATA / "orlib" / "assignopt.txt").read_text().splitlines()[1:]:
        parts = line.split()
        if len(parts) == 2:
            optima[parts[0]] = float(parts[1])
    tokens = (DATA / "orlib" / f"{name}.txt").read_text().split()
    n = int(tokens[0])
    triples = np.array(tokens[1:], dtype=np.int64).reshape(-1, 3)
    rows, cols, cost = triples[:, 0] - 1, triples[:, 1] - 1, triples[:, 2].astype(float)
    m = sp.coo_array((-cost, (rows, cols)), shape=(n, n))  # maximise minus the cost
    a = assign(m)
    assert -a.objective == optima[name]
    assert a.status == "optimal" and len(a.pairs) == n and a.method == "lapjvsp"
    f = assign(m, method="flow")
    assert -f.objective == optima[name] and f.status == "optimal"


def test_bad_sparse_input():
    m = sp.csr_array(np.eye(3))
    with pytest.raises(ValidationError, match="`feasible` must be None with sparse `scores`"):
        assign(m, np.ones((3, 3), dtype=bool))
    with pytest.raises(ValidationError, match="cohort goals take a dense `scores`"):
        assign(m, goals=[goals.Count(at_least=1)])
    with pytest.raises(SolverError, match="method 'lsa' cannot solve sparse `scores`"):
        assign(m, method="lsa")
    bad = sp.csr_array(np.array([[np.nan, 1.0], [1.0, 1.0]]))
    with pytest.raises(ValidationError, match=r"entry \(0, 0\) is nan"):
        assign(bad)
    twice = sp.coo_array((np.ones(2), (np.array([0, 0]), np.array([1, 1]))), shape=(2, 2))
    with pytest.raises(ValidationError, match=r"stores pair \(0, 1\) more than once"):
        assign(twice)
    with pytest.raises(ValidationError, match="`mentor_capacity` must have shape"):
        assign(m, mentor_capacity=[1, 1])
    huge = sp.coo_array(([1e308], ([0], [0])), shape=(1, 1))
    with pytest.raises(ValidationError, match=r"must lie within ±1e\+100"):
        assign(huge)
    words = sp.csr_array(np.eye(2, dtype=np.complex128))
    with pytest.raises(ValidationError, match="must hold real numbers"):
        assign(words)
    assert edges.is_sparse(m) and not edges.is_sparse(np.eye(2))
