"""Restricted pricing: a scan of the pairs that may violate since the last full scan finds every
violation a full scan finds, and every pair within ``NEAR`` of violating (issue 22, item 1)."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import rm_match as rm
from rm_match.cli import demo_programme
from rm_match.errors import SolverError
from rm_match.screen import ProblemSource
from rm_match.solvers.sparse import NEAR, DenseSource, SparseStats, pricing, rounds, solve_sparse
from rm_match.solvers.sparse.certificate import _Certificate
from rm_match.solvers.sparse.pricing import _full_scan, _restricted_scan

POLICIES = ("max_matched", "max_score")


def _violations(scores, allowed, cert, policy, m_ok, e_ok, near=NEAR):
    """Brute force: the pairs a full scan must find (cover breakers, positive reduced costs)
    and may add beside them (reduced costs within ``near`` of zero)."""
    if policy == "max_score":
        kind = np.ones(scores.shape, dtype=np.int8)
    else:
        kind = cert.a[:, None].astype(np.int8) + cert.b[None, :].astype(np.int8)
    red = scores - cert.u[:, None] - cert.v[None, :] - cert.mu
    viol = allowed & m_ok[:, None] & e_ok[None, :]
    viol &= (kind == 0) | ((kind == 1) & (red > -near + 1e-12))
    return np.argwhere(viol)


def _walk(source, scores, allowed, policy, rng, steps, cap, block_elements, jump):
    """A full scan, then ``steps`` restricted scans at potentials drifting from it; each must
    return every violation (unless it says its cap cut), with estimates within its δ."""
    n_m, n_e = scores.shape
    if policy == "max_score":
        a, b = np.zeros(n_m, dtype=bool), np.zeros(n_e, dtype=bool)
    else:
        a, b = rng.random(n_m) < 0.5, rng.random(n_e) < 0.5
    m_ok, e_ok = rng.random(n_m) < 0.9, rng.random(n_e) < 0.9
    u, v = rng.random(n_m) * 0.6, rng.random(n_e) * 0.6
    mu = float(rng.uniform(-0.2, 0.2)) if policy == "max_matched" else 0.0
    cert = _Certificate(u, v, mu, a, b, True)
    margin = float(rng.choice([0.0, 0.005, 0.05]))
    *_, ref = _full_scan(source, cert, policy, m_ok, e_ok, block_elements, None, margin, cap)
    refs = [ref]
    read_any = []
    for _ in range(steps):
        # most potentials stay, some move either way (as between rounds)
        moved_m, moved_e = rng.random(n_m) < jump, rng.random(n_e) < jump
        u = u + moved_m * rng.normal(0.0, 0.05, n_m)
        v = v + moved_e * rng.normal(0.0, 0.05, n_e)
        if policy == "max_matched":
            mu += float(rng.normal(0.0, 0.01))
        cert = _Certificate(u, v, mu, a, b, True)
        out = _restricted_scan(
            source, cert, policy, m_ok, e_ok, block_elements, None, margin, cap, refs, most=1.0
        )
        assert out is not None  # the cover did not change and any region is allowed
        pm, pe, ps, truncated, read, delta, own = out
        assert 0.0 <= read <= 1.0
        read_any.append(read)
        held = set(zip(pm.tolist(), pe.tolist(), strict=True))
        assert len(held) == len(pm)  # no pair twice (a block and the references' pairs)
        # a cap may leave out pairs near violating without saying so (only a pair that
        # may improve sets ``truncated``); the rounds' restricted scans run uncapped
        near = NEAR if cap is None else 0.0
        must = _violations(scores, allowed, cert, policy, m_ok, e_ok, near)
        missed = [tuple(x) for x in must]
        missed = [x for x in missed if x not in held]
        assert not missed or truncated, missed
        np.testing.assert_allclose(ps, scores[pm, pe], rtol=0, atol=delta + 1e-12)
        refs = [refs[0], own]
    return read_any, margin


@settings(max_examples=150, deadline=None)
@given(
    n_m=st.integers(1, 18),
    n_e=st.integers(1, 18),
    density=st.floats(0.1, 1.0),
    policy=st.sampled_from(POLICIES),
    cap=st.sampled_from([None, None, 2]),
    block=st.sampled_from([7, 40, 1 << 20]),
    jump=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    steps=st.sampled_from([64, 3, 1]),
    seed=st.integers(0, 2**31 - 1),
)
@example(
    n_m=12, n_e=9, density=1.0, policy="max_score", cap=None, block=7, jump=0.0, steps=64, seed=1
)
@example(  # a cap left out a pair 0.0009 short of violating: near pairs are not promised
    n_m=7, n_e=7, density=0.5, policy="max_score", cap=2, block=7, jump=0.0, steps=64, seed=1970
)
@example(  # blocks read past a mentee's prefix: those reference pairs were returned twice
    n_m=12, n_e=9, density=1.0, policy="max_score", cap=None, block=40, jump=0.5, steps=1, seed=0
)
def test_a_restricted_scan_finds_every_violation_a_full_scan_finds(
    n_m, n_e, density, policy, cap, block, jump, steps, seed
):
    rng = np.random.default_rng(seed)
    scores = rng.random((n_m, n_e)).round(2)  # ties on purpose
    allowed = rng.random((n_m, n_e)) < density
    with mock.patch.object(pricing, "_PREFIX_STEPS", steps):  # 1: every block reads all rows
        reads, margin = _walk(
            DenseSource(scores, allowed), scores, allowed, policy, rng, 3, cap, block, jump
        )
    if jump == 0.0 and margin > NEAR and policy == "max_score" and cap is None:
        # nothing moved: a pair left out (by no cap) was more than NEAR short of violating
        assert max(reads) == 0.0


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("seed", range(6))
def test_restricted_scans_of_the_float32_screen_find_every_violation(policy, seed):
    """The problem's own screen: float32 products, the interests term by its cosine upper
    bound (refined), keyed rules as penalties, identity rules left to the exact check."""
    mentors, mentees = rm.synthetic.cohort(60, 50, rng=seed)
    problem = rm.Problem(mentors, mentees, demo_programme())
    source = ProblemSource(problem, np.empty((0, 2), dtype=np.int64))
    n_m, n_e = problem.cohort.shape
    mi, ei = (x.ravel() for x in np.meshgrid(np.arange(n_m), np.arange(n_e), indexing="ij"))
    scores = problem.scores(mi, ei, outer=False).reshape(n_m, n_e)
    allowed = problem.permitted(mi, ei).reshape(n_m, n_e)
    rng = np.random.default_rng(seed)
    _walk(source, scores, allowed, policy, rng, 3, None, 333, 0.3)


def test_a_reference_of_another_cover_or_a_large_region_asks_for_a_full_scan():
    rng = np.random.default_rng(0)
    scores = rng.random((10, 10))
    source, ok = DenseSource(scores, np.ones((10, 10), dtype=bool)), np.ones(10, dtype=bool)
    a, b = np.zeros(10, dtype=bool), np.zeros(10, dtype=bool)
    a[:8] = True
    cert = _Certificate(np.full(10, 0.5), np.full(10, 0.5), 0.0, a, b, True)
    *_, ref = _full_scan(source, cert, "max_matched", ok, ok, 1 << 20, None, 0.01, None)
    args = (source, cert, "max_matched", ok, ok, 1 << 20, None, 0.01, None, [ref])
    out = _restricted_scan(*args)
    assert out is not None and out[4] == pytest.approx(0.2)  # unchanged: the uncovered pairs
    b2 = b.copy()
    b2[0] = True
    other = _Certificate(cert.u, cert.v, 0.0, a, b2, True)
    assert _restricted_scan(source, other, *args[2:]) is None  # the cover changed
    lower = _Certificate(cert.u - 0.4, cert.v, 0.0, a, b, True)  # every mentor's u fell
    assert _restricted_scan(source, lower, *args[2:]) is None  # a region over half the pairs
    assert _restricted_scan(source, lower, *args[2:9], [ref], most=1.0) is not None


def _instances(count, caps=False):
    for seed in range(count):
        rng = np.random.default_rng(seed)
        n_m, n_e = (int(x) for x in rng.integers(20, 45, 2))
        scores = rng.random((n_m, n_e)).round(2)
        allowed = rng.random((n_m, n_e)) < rng.uniform(0.2, 1.0)
        if caps:  # a b-matching: each pair at most once
            m_cap, e_cap = rng.integers(0, 4, n_m), rng.integers(0, 4, n_e)
        else:
            m_cap, e_cap = np.ones(n_m, np.int64), np.ones(n_e, np.int64)
        yield seed, DenseSource(scores, allowed), m_cap, e_cap


@pytest.mark.parametrize("policy", POLICIES)
def test_coarse_prefixes_and_capacities_on_both_sides_keep_each_pair_once(policy, monkeypatch):
    """Blocks that read past a mentee's prefix (one row array for all) once returned some
    pairs twice, from the block and from the references; with capacities on both sides a
    pair could then be used twice."""
    monkeypatch.setattr(pricing, "_PREFIX_STEPS", 1)
    restricted = 0
    for seed, source, m_cap, e_cap in _instances(10, caps=True):
        stats = SparseStats()
        pairs, slack, _, _ = solve_sparse(
            source, m_cap, e_cap, policy, k=1, pilot=0, rng=seed, stats=stats, pricing="check"
        )
        restricted += stats.restricted
        ref = rm.assign(
            source.scores,
            source.feasible,
            mentor_capacity=m_cap,
            mentee_capacity=e_cap,
            policy=policy,
            method="flow",
        )
        assert len({(int(i), int(j)) for i, j in pairs}) == len(pairs)
        assert (np.bincount(pairs[:, 0], minlength=len(m_cap)) <= m_cap).all()
        assert (np.bincount(pairs[:, 1], minlength=len(e_cap)) <= e_cap).all()
        assert source.exact(pairs[:, 0], pairs[:, 1])[0].sum() == pytest.approx(
            ref.objective, abs=1e-9
        )
        assert slack <= 1e-9
    assert restricted > 0


@pytest.mark.parametrize("policy", POLICIES)
def test_check_mode_compares_each_restricted_scan_with_a_full_one(policy):
    """``pricing="check"`` runs a full scan beside every restricted one (it raises on a miss);
    all three modes give the same optimum, certified."""
    restricted = 0
    for seed, source, m_cap, e_cap in _instances(12):
        answers = {}
        for mode in ("full", "restricted", "check"):
            stats = SparseStats()
            pairs, slack, _, _ = solve_sparse(
                source, m_cap, e_cap, policy, k=1, pilot=0, rng=seed, stats=stats, pricing=mode
            )
            assert slack <= 1e-9
            answers[mode] = (len(pairs), source.exact(pairs[:, 0], pairs[:, 1])[0].sum())
            if mode == "full":
                assert stats.restricted == 0 and stats.read == [1.0] * stats.scans
            else:
                restricted += stats.restricted
                assert len(stats.read) == stats.scans
        (n0, s0), *rest = answers.values()
        for n, s in rest:
            assert n == n0 and s == pytest.approx(s0, abs=1e-9)
    assert restricted > 10  # the restricted path ran


def test_check_mode_raises_when_a_restricted_scan_misses_a_violation(monkeypatch):
    real = rounds._restricted_scan

    def lossy(*args, **kwargs):
        out = real(*args, **kwargs)
        if out is None:
            return None
        pm, pe, ps, *rest = out
        return (pm[:0], pe[:0], ps[:0], *rest)  # finds nothing

    monkeypatch.setattr(rounds, "_restricted_scan", lossy)
    raised = 0
    for seed, source, m_cap, e_cap in _instances(12):
        try:
            solve_sparse(source, m_cap, e_cap, "max_score", k=1, pilot=0, rng=seed, pricing="check")
        except SolverError as exc:
            assert "restricted pricing missed" in str(exc)
            raised += 1
    assert raised > 0


def test_pricing_mode_is_checked():
    source = DenseSource(np.ones((2, 2)), np.ones((2, 2), dtype=bool))
    with pytest.raises(ValueError, match="pricing must be"):
        solve_sparse(source, np.ones(2, int), np.ones(2, int), "max_score", pricing="fast")


def test_restricted_scans_run_uncapped(monkeypatch):
    """Each mentee's 256 best per block (the full scan's cap) made restricted scans add fewer
    pairs than full ones at 100 000 per side; the region bounds their size instead."""
    real, caps = rounds._restricted_scan, []

    def spy(*args, **kwargs):
        caps.append(args[8])
        return real(*args, **kwargs)

    monkeypatch.setattr(rounds, "_restricted_scan", spy)
    for seed, source, m_cap, e_cap in _instances(4):
        solve_sparse(source, m_cap, e_cap, "max_score", k=1, pilot=0, rng=seed)
    assert caps and all(cap is None for cap in caps)
