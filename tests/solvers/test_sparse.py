"""The sparse path: candidates + pricing must give the dense optimum, with a valid bound."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rm_match as rm
from rm_match import assign, rules, screen
from rm_match.cli import demo_programme
from rm_match.screen import ProblemSource
from rm_match.solvers.sparse import INFEASIBLE, DenseSource, SparseStats, solve_sparse

POLICIES = ("max_matched", "max_score")


def _objective(scores, pairs):
    return float(scores[pairs[:, 0], pairs[:, 1]].sum()) if len(pairs) else 0.0


@settings(max_examples=60, deadline=None)
@given(
    n_m=st.integers(1, 24),
    n_e=st.integers(1, 24),
    density=st.floats(0.05, 1.0),
    k=st.integers(1, 3),
    pilot=st.sampled_from([0, 3]),
    caps=st.sampled_from(["1:1", "mentor", "mentee", "both"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_sparse_equals_dense(n_m, n_e, density, k, pilot, caps, seed):
    rng = np.random.default_rng(seed)
    scores = rng.random((n_m, n_e)).round(int(rng.integers(1, 3)))  # ties on purpose
    feasible = rng.random((n_m, n_e)) < density
    m_cap = rng.integers(0, 4, n_m) if caps in ("mentor", "both") else np.ones(n_m, dtype=np.int64)
    e_cap = rng.integers(0, 4, n_e) if caps in ("mentee", "both") else np.ones(n_e, dtype=np.int64)
    for policy in POLICIES:
        ref = assign(
            scores,
            feasible,
            mentor_capacity=m_cap,
            mentee_capacity=e_cap,
            policy=policy,
            method="flow",
        )
        pairs, slack, _, _ = solve_sparse(
            DenseSource(scores, feasible), m_cap, e_cap, policy, k=k, pilot=pilot, rng=seed
        )
        obj = _objective(scores, pairs)
        assert obj == pytest.approx(ref.objective, abs=1e-9)
        if policy == "max_matched":
            assert len(pairs) == len(ref.pairs)
        assert 0.0 <= slack <= 1e-9 * max(1.0, abs(obj))  # the bound is tight and honest
        assert feasible[pairs[:, 0], pairs[:, 1]].all()
        assert (np.bincount(pairs[:, 0], minlength=n_m) <= m_cap).all()
        assert (np.bincount(pairs[:, 1], minlength=n_e) <= e_cap).all()


def test_pricing_adds_pairs_when_k_is_too_small():
    # popular mentors: every mentee ranks the same few mentors first, so top-1 candidates
    # cannot hold the optimum and pricing must bring pairs in
    rng = np.random.default_rng(3)
    n = 300
    scores = rng.random((n, 6)) @ rng.random((6, n)) / 6
    feasible = rng.random((n, n)) < 0.7
    for policy in POLICIES:
        dense = assign(scores, feasible, policy=policy, method="lsa")
        pairs, slack, _, stats = solve_sparse(
            DenseSource(scores, feasible),
            np.ones(n, int),
            np.ones(n, int),
            policy,
            k=1,
            pilot=0,
            rng=0,
        )
        assert stats.added and sum(stats.added) > 0
        assert stats.rounds > 1
        assert _objective(scores, pairs) == pytest.approx(dense.objective, abs=1e-9)
        assert len(pairs) == len(dense.pairs)
        assert slack <= 1e-9 * dense.objective


@pytest.mark.parametrize("policy", POLICIES)
def test_a_prior_changes_the_candidates_not_the_answer(policy):
    """Potentials handed in (``prior``, as a warm start) rank the candidates; good ones
    (the last solve's) or bad ones (random), the optimum and its certificate are the same."""
    rng = np.random.default_rng(4)
    n = 200
    scores = rng.random((n, 5)) @ rng.random((5, n)) / 5
    feasible = rng.random((n, n)) < 0.8
    ones = np.ones(n, int)
    src = DenseSource(scores, feasible)
    ref, _, _, st = solve_sparse(src, ones, ones, policy, k=4, pilot=0, rng=0)
    u, v, mu = st.duals
    for prior in ((u + mu, v), (rng.random(n), rng.random(n))):
        pairs, slack, _, _ = solve_sparse(src, ones, ones, policy, k=4, prior=prior, rng=0)
        assert len(pairs) == len(ref)
        assert _objective(scores, pairs) == pytest.approx(_objective(scores, ref), abs=1e-9)
        assert 0.0 <= slack <= 1e-9 * _objective(scores, ref)


def test_assign_auto_takes_sparse_for_large_matrices(monkeypatch):
    from rm_match.solvers import registry

    monkeypatch.setattr(registry, "SPARSE_MIN_CELLS", 100)
    rng = np.random.default_rng(0)
    scores = rng.random((20, 30))
    a = assign(scores)
    assert a.method == "sparse" and a.status == "optimal"
    assert a.objective == pytest.approx(assign(scores, method="lsa").objective, abs=1e-9)


def test_capacities_on_both_sides_with_a_pair_in_the_cut():
    """Mentors A, B (capacity 2) and mentees x, y (capacity 2), all four pairs allowed but
    only A-x scoring: under max_matched all four pairs are made, and the König certificate
    needs pairs of the cut itself (no end has capacity one to cover them)."""
    scores = np.array([[1.0, 0.0], [0.0, 0.0]])
    for policy in ("max_matched", "max_score"):
        a = assign(scores, mentor_capacity=2, mentee_capacity=2, method="sparse", policy=policy)
        ref = assign(scores, mentor_capacity=2, mentee_capacity=2, method="flow", policy=policy)
        assert a.status == "optimal" and a.objective == pytest.approx(ref.objective, abs=1e-12)
        assert len(a.pairs) == len(ref.pairs)
    rng = np.random.default_rng(4)
    scores = rng.random((60, 40))
    m_cap, e_cap = rng.integers(1, 4, 60), rng.integers(1, 6, 40)
    allowed = rng.random((60, 40)) < 0.3
    kw = {"mentor_capacity": m_cap, "mentee_capacity": e_cap}
    a = assign(scores, allowed, method="sparse", **kw)
    ref = assign(scores, allowed, method="flow", **kw)
    assert a.status == "optimal" and a.method == "sparse"
    assert a.objective == pytest.approx(ref.objective, abs=1e-9)
    assert len(a.pairs) == len(ref.pairs)


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
def test_capacities_above_the_other_side_still_certify(policy):
    """A capacity larger than the other side is the other side's size: the König cover
    counts capacities, and used to count 2 for a participant that can have 1 partner."""
    for scores, m_cap, e_cap in (
        (np.array([[0.64]]), 2, 2),
        (np.array([[0.5, 0.2, 0.9]]), 5, 1),
        (np.array([[0.5], [0.2], [0.9]]), 1, 4),
    ):
        a = assign(
            scores, mentor_capacity=m_cap, mentee_capacity=e_cap, method="sparse", policy=policy
        )
        ref = assign(
            scores, mentor_capacity=m_cap, mentee_capacity=e_cap, method="flow", policy=policy
        )
        assert a.status == "optimal" and a.gap == 0.0
        assert a.objective == pytest.approx(ref.objective)


@pytest.fixture(scope="module")
def problem():
    mentors, mentees = rm.synthetic.cohort(120, 100, rng=5)
    prog = demo_programme()
    prog = rm.Programme(
        rules=[
            *prog.rules,
            rules.NoReportingLine(depth=2),
            rules.ForbiddenPairs([(mentors.ids[0], mentees.ids[0])]),
        ],
        weights=prog.weights,
        diversity_attributes=prog.diversity_attributes,
    )
    return rm.Problem(mentors, mentees, prog)


@pytest.mark.parametrize("one_hot", [0, 64])
def test_screen_bounds_the_score_and_flags_keyed_rules(problem, monkeypatch, one_hot):
    # one_hot=0: every keyed component is gathered from its table, none joins the product
    monkeypatch.setattr(screen, "_ONE_HOT", one_hot)
    src = ProblemSource(problem, np.empty((0, 2), dtype=np.int64))
    assert bool(src._groups) == (one_hot == 0)
    n_m, n_e = problem.cohort.shape
    mi, ei = np.arange(n_m), np.arange(n_e)
    block = src.screen(None, ei, None, None)
    exact = problem.scores(mi, ei)
    keyed = np.ones((n_m, n_e), dtype=bool)
    for r in problem.programme.rules:
        if r.keyed:
            keyed &= r.allowed(problem.cohort, mi, ei)
    over = (block - exact)[keyed]
    # an upper bound (the interests term by its cosine), exact up to rounding elsewhere
    assert src.looseness == pytest.approx(
        problem.weights["interests"] / sum(problem.weights.values())
    )
    assert over.min() >= -src.error(0.0)
    assert over.max() <= src.looseness + src.error(0.0)
    assert over.max() > 1e-3  # the cosine bound is not tight on every pair
    assert (block[~keyed] <= INFEASIBLE).all()
    assert (block[keyed] > INFEASIBLE).all()
    # potentials fold in exactly: screen(u, v) = screen - u - v
    u, v = np.linspace(0, 1, n_m), np.linspace(0, 2, n_e)
    rows = np.arange(0, n_m, 3)
    shifted = src.screen(rows, ei, u, v)
    want = block[rows] - u[rows, None] - v[None, :]
    assert np.abs(shifted - want)[keyed[rows]].max() <= src.error(3.0)


def test_exact_checks_every_rule_and_skips_fixed_pairs(problem):
    fixed = np.array([[1, 2]])
    src = ProblemSource(problem, fixed)
    n_m, n_e = problem.cohort.shape
    mi, ei = np.repeat(np.arange(n_m), n_e), np.tile(np.arange(n_e), n_m)
    s, ok = src.exact(mi, ei)
    want = np.ones(len(mi), dtype=bool)
    for flags in problem.allowed(mi, ei, outer=False).values():
        want &= flags
    want[1 * n_e + 2] = False
    np.testing.assert_array_equal(ok, want)
    np.testing.assert_allclose(s, problem.scores(mi, ei, outer=False))


@pytest.mark.parametrize("capacity", [1, 2])
@pytest.mark.parametrize("policy", POLICIES)
def test_match_sparse_equals_dense(problem, capacity, policy):
    mentors, mentees = rm.synthetic.cohort(120, 100, rng=5, mentor_capacity=capacity)
    prog = problem.programme
    dense = rm.match(mentors, mentees, prog, method="lsa", policy=policy)
    sparse = rm.match(mentors, mentees, prog, method="sparse", policy=policy, rng=1)
    assert sparse.method == "sparse" and sparse.status == "optimal"
    assert sparse.objective == pytest.approx(dense.objective, abs=1e-9)
    assert len(sparse) == len(dense)
    assert rm.verify(sparse, rm.Problem(mentors, mentees, prog)) == []
    assert sparse.unmatched_mentees.keys() == dense.unmatched_mentees.keys() or (
        len(sparse.unmatched_mentees) == len(dense.unmatched_mentees)
    )
    assert sparse.stats["feasible_share"] is None  # not counted without the matrix


def test_refine_brings_the_screen_within_its_error(problem):
    src = ProblemSource(problem, np.empty((0, 2), dtype=np.int64))
    n_m, n_e = problem.cohort.shape
    block = src.screen(None, np.arange(n_e), None, None)
    mi, ei = (x.ravel() for x in np.meshgrid(np.arange(n_m), np.arange(n_e), indexing="ij"))
    exact, _ = src.exact(mi, ei)
    refined = src.refine(mi, ei, block.ravel().astype(np.float64))
    allowed = block.ravel() > INFEASIBLE
    assert np.abs(refined - exact)[allowed].max() <= src.error(0.0)


def test_a_capped_scan_keeps_each_mentees_best_and_says_it_cut():
    from rm_match.solvers.sparse.certificate import _Certificate
    from rm_match.solvers.sparse.pricing import _full_scan

    rng = np.random.default_rng(6)
    n = 40  # at most 16 x cap mentors: the cap-th best is exact, not sampled
    scores = rng.random((n, n))
    feasible = rng.random((n, n)) < 0.9
    src = DenseSource(scores, feasible)
    none = np.zeros(n, dtype=bool)
    # potentials this low leave every allowed pair with a positive reduced cost
    cert = _Certificate(np.zeros(n), np.zeros(n), -5.0, none, none, True)
    ok = np.ones(n, dtype=bool)
    pm, pe, est, cut, _ = _full_scan(src, cert, "max_score", ok, ok, 1 << 24, None, 0.0, None)
    assert not cut and len(pm) == feasible.sum()
    np.testing.assert_allclose(est, scores[pm, pe])
    pm, pe, est, cut, _ = _full_scan(src, cert, "max_score", ok, ok, 1 << 24, None, 0.0, 3)
    assert cut
    assert np.bincount(pe, minlength=n).max() == 3
    for j in range(n):  # the 3 best allowed mentors of each mentee
        best = np.sort(np.where(feasible[:, j], scores[:, j], -np.inf))[-3:]
        np.testing.assert_allclose(np.sort(est[pe == j]), best)


@pytest.mark.parametrize("n", [1, 31, 32, 33, 100])
def test_group_maxima_match_reduceat(n):
    from rm_match.solvers.sparse.candidates import _GROUP, _group_max

    block = np.random.default_rng(n).random((n, 7)).astype(np.float32)
    want = np.maximum.reduceat(block, np.arange(0, n, _GROUP), axis=0)
    np.testing.assert_array_equal(_group_max(block), want)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("seed", range(4))
def test_warm_started_potentials_still_certify_the_sparse_optimum(policy, seed):
    """Labels carried over from another round (any labels at most 0) end as a feasible
    potential: the certificate built on them is as tight as the cold one's."""
    from rm_match.solvers.flow import flow_on_edges
    from rm_match.solvers.sparse.certificate import _certificate, _potentials, _slack

    rng = np.random.default_rng(seed)
    n_m, n_e = 30, 25
    keep = rng.random((n_m, n_e)) < 0.3
    mi, ei = np.nonzero(keep)
    s = rng.random(len(mi)).round(2)  # ties on purpose
    m_cap = rng.integers(1, 3, n_m)
    e_cap = np.ones(n_e, dtype=np.int64)
    k_max = int(min(m_cap.sum(), e_cap.sum()))
    used, rounded, scale, _ = flow_on_edges(n_m, n_e, mi, ei, s, m_cap, e_cap, policy, k_max)
    args = (n_m, n_e, mi, ei, rounded, used, m_cap, e_cap, policy, 10_000)
    cold, _, ok = _potentials(*args)
    assert ok
    for d0 in (cold - rng.integers(0, 10**9, len(cold)), -rng.integers(0, 10**12, len(cold))):
        d, _, ok = _potentials(*args, d0)
        assert ok
        cert = _certificate(n_m, n_e, mi, ei, s, used, m_cap, e_cap, policy, d / scale)
        slack = _slack(mi, ei, s, used, m_cap, e_cap, cert, policy, np.empty(0))
        assert 0.0 <= slack <= 1e-9 * max(1.0, float(s[used].sum()))


@pytest.mark.parametrize("spread", [0, 4])
def test_candidates_take_random_allowed_mentors_besides_the_best(monkeypatch, spread):
    from rm_match.solvers.sparse import candidates

    monkeypatch.setattr(candidates, "RANDOM_EDGES", spread)
    rng = np.random.default_rng(8)
    n = 200
    rank_m, rank_e = (rng.permutation(np.linspace(0.1, 1.0, n)) for _ in range(2))
    scores = np.outer(rank_m, rank_e)  # everyone ranks the other side in the same order
    feasible = rng.random((n, n)) < 0.8
    ok = np.ones(n, dtype=bool)
    mi, ei, s, _ = candidates.candidates(DenseSource(scores, feasible), ok, ok, 2, rng=0)
    assert feasible[mi, ei].all()
    np.testing.assert_array_equal(s, scores[mi, ei])
    assert len(np.unique(mi * n + ei)) == len(mi)
    # pairs of nobody's favourites (neither among the other side's best few): random draws
    plain = (rank_m[mi] < 0.9) & (rank_e[ei] < 0.9)
    per_mentee = plain.sum() / (rank_e < 0.9).sum()
    if spread:
        assert 0.8 * spread * 0.5 < per_mentee <= spread
    else:
        assert per_mentee == 0


def test_exact_scores_in_chunks_on_an_executor_equal_serial(problem):
    from concurrent.futures import ThreadPoolExecutor

    from rm_match.solvers.sparse.sources import _exact

    src = ProblemSource(problem, np.empty((0, 2), dtype=int))
    rng = np.random.default_rng(9)
    n_m, n_e = src.shape
    mi, ei = rng.integers(0, n_m, 1000), rng.integers(0, n_e, 1000)
    want = src.exact(mi, ei)
    with ThreadPoolExecutor(2) as pool:
        got = _exact(src, mi, ei, pool, chunk=64)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def _tiny_tie_heavy():
    """22 × 22, ties, mentor capacities 0-2: where an add and a prune alternated for good."""
    rng = np.random.default_rng(18)
    scores = rng.random((22, 22)).round(int(rng.integers(1, 3)))
    feasible = rng.random((22, 22)) < 0.125
    return scores, feasible, rng.integers(0, 3, 22), np.ones(22, dtype=np.int64)


def test_pruning_stops_so_pricing_settles(monkeypatch):
    from rm_match.solvers.sparse import rounds

    scores, feasible, m_cap, e_cap = _tiny_tie_heavy()
    ref = assign(scores, feasible, mentor_capacity=m_cap, method="flow")
    pairs, slack, _, st = solve_sparse(
        DenseSource(scores, feasible), m_cap, e_cap, "max_matched", k=1, pilot=0, rng=18
    )
    assert slack <= 1e-9 and st.rounds > rounds.PRUNE_ROUNDS  # it settles after pruning ends
    assert _objective(scores, pairs) == pytest.approx(ref.objective, abs=1e-9)
    # pruning every round, the same instance never settles: the cycle the limit ends
    monkeypatch.setattr(rounds, "PRUNE_ROUNDS", 10**9)
    _, slack, message, _ = solve_sparse(
        DenseSource(scores, feasible),
        m_cap,
        e_cap,
        "max_matched",
        k=1,
        pilot=0,
        rng=18,
        max_rounds=60,
    )
    assert slack == np.inf and "did not settle" in message


def test_small_cohorts_are_screened():
    """Below 32 k mentors the screening groups shrink: at 1 000 per side (k = 32) the
    candidates are a small share of the pairs (with groups of 32 they were every pair)."""
    from rm_match.solvers.sparse.candidates import candidates

    rng = np.random.default_rng(0)
    source = DenseSource(rng.random((1000, 1000)), np.ones((1000, 1000), dtype=bool))
    ok = np.ones(1000, dtype=bool)
    mi, _, _, screened = candidates(source, ok, ok, 32, rng=0)
    assert screened == 1_000_000 and len(mi) < 0.2 * screened


def test_a_filled_dense_source_screens_as_the_masked_one() -> None:
    """``DenseSource(filled=True)`` reads FORBIDDEN from the matrix itself: every screen
    (whole columns or a block, with and without potentials) is the masked source's."""
    from rm_match.solvers.sparse.sources import FORBIDDEN

    rng = np.random.default_rng(4)
    scores = rng.random((30, 20))
    feasible = rng.random((30, 20)) < 0.6
    filled = np.where(feasible, scores, FORBIDDEN)
    a = DenseSource(scores, feasible)
    b = DenseSource(filled, feasible, filled=True)
    u, v = rng.random(30), rng.random(20)
    rows, cols = np.array([3, 7, 11]), np.array([0, 5, 6, 19])
    for r in (None, rows):
        for pot in ((None, None), (u, v)):
            np.testing.assert_array_equal(b.screen(r, cols, *pot), a.screen(r, cols, *pot))
    mi, ei = np.nonzero(feasible)
    np.testing.assert_array_equal(b.exact(mi, ei)[0], a.exact(mi, ei)[0])
    assert not DenseSource(filled, feasible, 1.0, filled=True).filled  # a shift reads the mask


def test_a_large_pilot_is_solved_on_the_source(monkeypatch) -> None:
    """A pilot above ``DENSE_PILOT`` per side is solved matrix-free on the source (with a
    pilot of its own): a ranking hint only, the same certified optimum."""
    from rm_match.solvers.sparse import rounds as sparse_rounds

    rng = np.random.default_rng(6)
    n = 400
    scores = rng.random((n, n))
    feasible = rng.random((n, n)) < 0.8
    ones = np.ones(n, np.int64)
    seen = []
    original = sparse_rounds.SubSource

    def spy(*a, **kw):
        seen.append(a[1:])
        return original(*a, **kw)

    monkeypatch.setattr(sparse_rounds, "SubSource", spy)
    out = {}
    for limit in (10**9, 60):
        monkeypatch.setattr(sparse_rounds, "DENSE_PILOT", limit)
        pairs, slack, _, st = solve_sparse(
            DenseSource(scores, feasible), ones, ones, "max_matched", pilot=150, rng=0
        )
        assert st.pilot == 150 and slack < 1e-9
        out[limit] = float(scores[pairs[:, 0], pairs[:, 1]].sum())
    assert len(seen) == 1  # only the second run's pilot went through the source
    assert out[60] == pytest.approx(out[10**9], abs=1e-9)


def test_a_seeded_solve_with_a_pilot_is_reproducible() -> None:
    """The pilot's own solve draws its random candidates from the caller's seed: it drew
    them from fresh entropy, so two runs with ``rng=0`` could add different pairs (the same
    optimum, other rounds)."""
    mentors, mentees = rm.synthetic.cohort(300, 260, rng=3)
    problem = rm.Problem(mentors, mentees, demo_programme())
    fixed, m_cap, e_cap = problem.placement()
    runs = []
    for _ in range(3):
        stats = SparseStats()
        pairs, slack, _, _ = solve_sparse(
            ProblemSource(problem, fixed),
            m_cap,
            e_cap,
            "max_matched",
            k=2,
            pilot=40,
            rng=0,
            stats=stats,
        )
        assert stats.pilot == 40
        runs.append((pairs.tolist(), slack, stats.candidates, stats.added, stats.read))
    assert runs[0] == runs[1] == runs[2]
