"""The array layer: validation messages, exactness against oracles, metamorphic properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oracles import arrays_problem, brute_force, cpsat, networkx_one_to_one
from rm_match import BACKENDS, SolverError, ValidationError, assign, verify

POLICIES = ("max_matched", "max_score")
#: The backends that find optimal assignments (the ``stable`` one finds stable matchings).
METHODS = [name for name, b in BACKENDS.items() if not b.capabilities.stable]


def methods_for(m_cap, e_cap):
    both = (np.asarray(m_cap) > 1).any() and (np.asarray(e_cap) > 1).any()
    return ["flow"] if both else list(METHODS)


def agrees_with_oracle(scores, feasible, m_cap, e_cap, policy, count, total, methods, tol=1e-9):
    """Every method returns a verified answer with the oracle's objective (and count)."""
    for method in methods:
        a = assign(
            scores,
            feasible,
            mentor_capacity=m_cap,
            mentee_capacity=e_cap,
            policy=policy,
            method=method,
        )
        check(a, scores, feasible, m_cap, e_cap)
        assert a.objective == pytest.approx(total, abs=tol), method
        if policy == "max_matched":
            assert len(a.pairs) == count, method


def check(result, scores, feasible, m_cap, e_cap):
    """Every answer passes the independent checker and its numbers add up."""
    assert verify(result.pairs, arrays_problem(scores, feasible, m_cap, e_cap)) == []
    assert result.objective == pytest.approx(scores[tuple(result.pairs.T)].sum(), abs=1e-12)
    assert result.bound >= result.objective - 1e-12
    assert result.status == "optimal"


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scores": [1.0, 2.0]}, r"`scores` must be a two-dimensional array .* got 1 dimension"),
        ({"scores": [["a", "b"]]}, r"`scores` must be a two-dimensional array of real numbers"),
        ({"scores": [[1.0, np.nan]]}, r"`scores` must be finite; entry \(0, 1\) is nan"),
        ({"scores": [[1.0, -np.inf]]}, r"entry \(0, 1\) is -inf; forbid pairs with `feasible`"),
        ({"scores": [[np.inf]]}, r"`scores` must be finite"),
        # beyond 1e100 the flow's bonus leaves float64 (1e308 gave wrong pairs, "optimal")
        ({"scores": [[1.0, -1e308]]}, r"`scores` must lie within ±1e\+100 .* entry \(0, 1\)"),
        (
            {"scores": np.ones((2, 3)), "feasible": np.ones((3, 2), dtype=bool)},
            r"`feasible` must be a boolean array of the shape of `scores` \(2, 3\); "
            r"got shape \(3, 2\)",
        ),
        (
            {"scores": np.ones((2, 2)), "feasible": np.ones((2, 2))},
            r"`feasible` must be a boolean array .*\(or 0/1 integers\); got dtype float64",
        ),
        ({"scores": np.ones((2, 2)), "mentor_capacity": -1}, r"`mentor_capacity` must be ≥ 0"),
        (
            {"scores": np.ones((2, 2)), "mentee_capacity": [1, -2]},
            r"`mentee_capacity` must be ≥ 0; entry 1 is negative",
        ),
        (
            {"scores": np.ones((2, 2)), "mentor_capacity": [1, 1, 1]},
            r"`mentor_capacity` must have shape \(2,\)",
        ),
        (
            {"scores": np.ones((2, 2)), "mentor_capacity": [1.5, 1]},
            r"`mentor_capacity` must be a non-negative integer or an integer array",
        ),
        ({"scores": np.ones((2, 2)), "policy": "best"}, r"`policy` must be one of .*'best'"),
        ({"scores": np.ones((2, 2)), "method": "magic"}, r"`method` must be 'auto' or one of"),
        ({"scores": np.ones((2, 2)), "time_limit": -1}, r"`time_limit` must be a positive"),
        ({"scores": np.ones((2, 2)), "rng": "seed"}, r"`rng` must be None, an int seed"),
    ],
)
def test_invalid_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValidationError, match=match) as info:
        assign(**kwargs)
    assert isinstance(info.value, ValueError)


def test_method_that_cannot_solve_says_why():
    with pytest.raises(SolverError, match="method 'lsa' cannot solve this problem: capacities"):
        assign(np.ones((2, 2)), mentor_capacity=2, mentee_capacity=2, method="lsa")


def test_inputs_are_not_mutated():
    scores = np.array([[0.3, 0.9], [0.5, 0.1]])
    feasible = np.array([[True, False], [True, True]])
    before = scores.copy(), feasible.copy()
    assign(scores, feasible)
    np.testing.assert_array_equal(scores, before[0])
    np.testing.assert_array_equal(feasible, before[1])


# -- shapes and simple cases -----------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", [(0, 0), (0, 3), (3, 0)])
def test_empty_shapes(shape, method):
    a = assign(np.zeros(shape), method=method)
    assert a.pairs.shape == (0, 2)
    assert a.objective == 0.0
    assert a.status == "optimal"


@pytest.mark.parametrize("method", METHODS)
def test_rectangular_and_transposed(method):
    rng = np.random.default_rng(5)
    scores = rng.random((4, 7))
    a = assign(scores, method=method)
    b = assign(scores.T, method=method)
    assert len(a.pairs) == len(b.pairs) == 4
    assert a.objective == pytest.approx(b.objective)
    assert set(map(tuple, a.pairs.tolist())) == {(i, j) for j, i in b.pairs.tolist()}


@pytest.mark.parametrize("method", METHODS)
def test_forbidden_pair_is_never_chosen_even_when_it_pays(method):
    scores = np.array([[100.0, 0.0], [0.0, 0.0]])
    feasible = np.array([[False, True], [True, True]])
    a = assign(scores, feasible, method=method)
    assert (0, 0) not in set(map(tuple, a.pairs.tolist()))
    assert len(a.pairs) == 2


@pytest.mark.parametrize("method", METHODS)
def test_all_infeasible_row_is_left_out(method):
    scores = np.ones((3, 2))
    feasible = np.array([[False, False], [True, True], [True, True]])
    a = assign(scores, feasible, method=method)
    assert 0 not in a.pairs[:, 0]
    assert len(a.pairs) == 2


@pytest.mark.parametrize("method", METHODS)
def test_policies_differ_as_documented(method):
    # One pair scoring 1.0 versus two pairs scoring 0.1 each.
    scores = np.array([[1.0, 0.1], [0.1, -5.0]])
    feasible = np.array([[True, True], [True, False]])
    matched = assign(scores, feasible, policy="max_matched", method=method)
    best = assign(scores, feasible, policy="max_score", method=method)
    assert sorted(map(tuple, matched.pairs.tolist())) == [(0, 1), (1, 0)]
    assert best.pairs.tolist() == [[0, 0]]


@pytest.mark.parametrize("method", METHODS)
def test_max_score_skips_negative_pairs(method):
    scores = np.array([[-1.0, -2.0], [-0.5, 0.0]])
    assert assign(scores, policy="max_score", method=method).objective == 0.0
    assert len(assign(scores, policy="max_matched", method=method).pairs) == 2


def test_capacities_one_side_expansion_and_flow_agree():
    rng = np.random.default_rng(11)
    scores = rng.random((5, 12))
    cap = np.array([3, 2, 0, 4, 1])
    a = assign(scores, mentor_capacity=cap, method="lsa")
    b = assign(scores, mentor_capacity=cap, method="flow")
    assert a.objective == pytest.approx(b.objective, abs=1e-9)
    assert np.bincount(a.pairs[:, 0], minlength=5).tolist() == [3, 2, 0, 4, 1]


def test_flow_reports_its_rounding_bound():
    rng = np.random.default_rng(3)
    scores = rng.random((30, 30))
    a = assign(scores, method="flow")
    assert a.method == "flow"
    assert 0 <= a.bound - a.objective < 1e-6
    assert a.gap <= 1e-9


# -- exactness against oracles ---------------------------------------------------------------

score_values = st.sampled_from([0.0, 0.0, 0.25, 0.5, 0.5, 1.0, -0.5, 0.75, 2.0])


@st.composite
def tiny_problems(draw, max_side=4, max_cap=2):
    n_m = draw(st.integers(0, max_side))
    n_e = draw(st.integers(0, max_side))
    cells = n_m * n_e
    scores = np.array(draw(st.lists(score_values, min_size=cells, max_size=cells)), dtype=float)
    feasible = np.array(draw(st.lists(st.booleans(), min_size=cells, max_size=cells)), dtype=bool)
    m_cap = np.array(
        draw(st.lists(st.integers(0, max_cap), min_size=n_m, max_size=n_m)), dtype=np.int64
    )
    e_cap = np.array(
        draw(st.lists(st.integers(0, max_cap), min_size=n_e, max_size=n_e)), dtype=np.int64
    )
    return scores.reshape(n_m, n_e), feasible.reshape(n_m, n_e), m_cap, e_cap


@settings(max_examples=150, deadline=None)
@given(problem=tiny_problems(), policy=st.sampled_from(POLICIES))
def test_matches_brute_force(problem, policy):
    scores, feasible, m_cap, e_cap = problem
    count, total = brute_force(scores, feasible, m_cap, e_cap, policy)
    agrees_with_oracle(
        scores, feasible, m_cap, e_cap, policy, count, total, methods_for(m_cap, e_cap)
    )


@settings(max_examples=25, deadline=None)
@given(
    n_m=st.integers(1, 25),
    n_e=st.integers(1, 25),
    density=st.floats(0.1, 1.0),
    ties=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
    policy=st.sampled_from(POLICIES),
)
def test_one_to_one_matches_networkx(n_m, n_e, density, ties, seed, policy):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 3, (n_m, n_e)) / 2.0 if ties else rng.normal(size=(n_m, n_e))
    feasible = rng.random((n_m, n_e)) < density
    count, total = networkx_one_to_one(scores, feasible, policy)
    agrees_with_oracle(scores, feasible, 1, 1, policy, count, total, METHODS, tol=1e-7)


@settings(max_examples=15, deadline=None)
@given(
    n_m=st.integers(1, 12),
    n_e=st.integers(1, 16),
    seed=st.integers(0, 2**32 - 1),
    policy=st.sampled_from(POLICIES),
)
def test_capacities_match_cpsat(n_m, n_e, seed, policy):
    rng = np.random.default_rng(seed)
    scores_int = rng.integers(-20, 100, (n_m, n_e))
    feasible = rng.random((n_m, n_e)) < 0.6
    m_cap = rng.integers(0, 4, n_m)
    e_cap = rng.integers(0, 3, n_e)
    count, total = cpsat(scores_int, feasible, m_cap, e_cap, policy)
    agrees_with_oracle(
        scores_int / 100.0,
        feasible,
        m_cap,
        e_cap,
        policy,
        count,
        total / 100.0,
        methods_for(m_cap, e_cap),
    )


# -- metamorphic properties ------------------------------------------------------------------


@st.composite
def medium_problems(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_m, n_e = draw(st.integers(1, 30)), draw(st.integers(1, 30))
    scores = rng.random((n_m, n_e)).round(2)
    feasible = rng.random((n_m, n_e)) < draw(st.floats(0.2, 1.0))
    m_cap = rng.integers(1, 3, n_m) if draw(st.booleans()) else np.ones(n_m, dtype=np.int64)
    return scores, feasible, m_cap, rng


#: One pair worth 1.0, or two worth 0.5 each: under ``max_score`` both are optimal, and which
#: one a solver returns may change when the rows and columns are permuted (seed 3 does).
_TIED_COUNTS = (
    np.array([[1.0, 0.5], [0.5, 0.3]]),
    np.array([[True, True], [True, False]]),
    np.ones(2, dtype=np.int64),
)


@settings(max_examples=30, deadline=None)
@given(problem=medium_problems(), policy=st.sampled_from(POLICIES))
@example(problem=(*_TIED_COUNTS, np.random.default_rng(3)), policy="max_score")
@example(problem=(*_TIED_COUNTS, np.random.default_rng(3)), policy="max_matched")
def test_permuting_participants_leaves_objective_unchanged(problem, policy):
    scores, feasible, m_cap, rng = problem
    a = assign(scores, feasible, mentor_capacity=m_cap, policy=policy)
    pr, pc = rng.permutation(scores.shape[0]), rng.permutation(scores.shape[1])
    b = assign(scores[pr][:, pc], feasible[pr][:, pc], mentor_capacity=m_cap[pr], policy=policy)
    assert b.objective == pytest.approx(a.objective, abs=1e-9)
    if policy == "max_matched":  # under max_score the count is no part of the objective
        assert len(b.pairs) == len(a.pairs)


@settings(max_examples=30, deadline=None)
@given(problem=medium_problems())
def test_forbidding_a_pair_never_raises_relaxing_never_lowers(problem):
    scores, feasible, m_cap, rng = problem
    base = assign(scores, feasible, mentor_capacity=m_cap, policy="max_score")
    if len(base.pairs):
        i, j = base.pairs[rng.integers(len(base.pairs))]
        tighter = feasible.copy()
        tighter[i, j] = False
        t = assign(scores, tighter, mentor_capacity=m_cap, policy="max_score")
        assert t.objective <= base.objective + 1e-9
        # max_matched: never more pairs, and with as many pairs never a better score
        bm = assign(scores, feasible, mentor_capacity=m_cap)
        tm = assign(scores, tighter, mentor_capacity=m_cap)
        assert len(tm.pairs) <= len(bm.pairs)
        if len(tm.pairs) == len(bm.pairs):
            assert tm.objective <= bm.objective + 1e-9
    looser = feasible | (rng.random(feasible.shape) < 0.2)
    r = assign(scores, looser, mentor_capacity=m_cap, policy="max_score")
    assert r.objective >= base.objective - 1e-9


@settings(max_examples=20, deadline=None)
@given(problem=medium_problems(), policy=st.sampled_from(POLICIES))
def test_same_input_same_pairs(problem, policy):
    scores, feasible, m_cap, _ = problem
    for method in METHODS:
        a = assign(scores, feasible, mentor_capacity=m_cap, policy=policy, method=method, rng=1)
        b = assign(scores, feasible, mentor_capacity=m_cap, policy=policy, method=method, rng=1)
        np.testing.assert_array_equal(a.pairs, b.pairs)


def test_backends_agree_on_a_structured_instance():
    rng = np.random.default_rng(2024)
    scores = rng.random((120, 150)).round(3)  # rounding creates many near-ties
    feasible = rng.random((120, 150)) < 0.3
    results = [assign(scores, feasible, method=m) for m in METHODS]
    for r in results:
        check(r, scores, feasible, 1, 1)
    assert len({len(r.pairs) for r in results}) == 1
    assert max(r.objective for r in results) - min(r.objective for r in results) < 1e-9


def test_assignment_repr_and_count():
    a = assign(np.array([[0.5, 0.25]]))
    assert a.n_matched == 1
    assert repr(a) == "Assignment(pairs=1, objective=0.5, status='optimal', gap=0, method='lsa')"


def test_auto_falls_back_to_flow_when_expansion_is_too_large(monkeypatch):
    monkeypatch.setattr("rm_match.solvers.lsa.MAX_EXPANDED_CELLS", 10)
    scores = np.random.default_rng(0).random((3, 8))
    a = assign(scores, mentor_capacity=3)
    assert a.method == "flow"
    with pytest.raises(SolverError, match=r"capacity expansion to 9 × 8 cells is too large"):
        assign(scores, mentor_capacity=3, method="lsa")


def test_sparse_keeps_negative_scores_under_max_matched():
    # regression: the sparse path read a score at or below its INFEASIBLE sentinel (-2) as a
    # forbidden pair, and made no pair where max_matched requires one
    scores = np.array([[0.19, -0.52], [-0.41, -2.44]])
    feasible = np.array([[False, False], [False, True]])
    for method in ("lsa", "flow", "sparse"):
        a = assign(scores, feasible, method=method)
        assert a.pairs.tolist() == [[1, 1]], method
        assert a.objective == pytest.approx(-2.44)
    big = -np.arange(1.0, 10.0).reshape(3, 3) * 100
    ref = assign(big, method="lsa")
    a = assign(big, method="sparse")
    assert len(a.pairs) == 3 and a.objective == pytest.approx(ref.objective)
