"""The compiled pair scorer (``terms.fused_scores``, the ``fast`` extra) against the terms'
numpy code: the same scores to 1e-12 on random cohorts, programmes and pairs — every term,
both learning norms, missing values — and the sparse path's answers with it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rm_match as rm
from rm_match import People, Preferences, Problem, Programme
from rm_match.cli import demo_programme
from rm_match.screen import ProblemSource
from rm_match.solvers.sparse import _fast
from rm_match.terms import TERMS, fused_scores

pytest.importorskip("numba")

SKILLS = ["a", "b", "c", "d", "e"]
LABELS = ["x", "y", "z", "w", "v", "u", "t", "s", "r"]  # more than 8: two bytes of bits


def _people(prefix: str, n: int, rng: np.random.Generator) -> People:
    """People with every column, some values missing: no time zone, no interests or
    languages, unknown attributes, a learner who wants nothing."""

    def sets(p_empty: float) -> list[set[str]]:
        return [
            set()
            if rng.random() < p_empty
            else set(rng.choice(LABELS, int(rng.integers(1, 5)), replace=False).tolist())
            for _ in range(n)
        ]

    wants = np.round(rng.random((n, len(SKILLS))), 2)
    wants[rng.random(n) < 0.2] = 0.0
    return People(
        [f"{prefix}{k}" for k in range(n)],
        skills=SKILLS,
        offers=np.round(rng.random((n, len(SKILLS))), 2),
        wants=wants,
        department=rng.choice(["ops", "it", "hr"], n).tolist(),
        languages=sets(0.15),
        timezone=[
            None if rng.random() < 0.15 else float(rng.choice([-8.0, 0.0, 5.5, 13.0, -11.0]))
            for _ in range(n)
        ],
        interests=sets(0.25),
        attributes={
            "gender": [
                None if rng.random() < 0.2 else str(rng.choice(["f", "m"])) for _ in range(n)
            ],
            "site": rng.choice(["p", "q", "r"], n).tolist(),
        },
    )


def _survey(m: People, e: People, rng: np.random.Generator) -> Preferences:
    recs: list[dict[str, object]] = []
    for who in e.ids:
        for r, i in enumerate(rng.choice(m.n, min(2, m.n), replace=False), start=1):
            recs.append({"who": who, "about": m.ids[i], "rank": r})
    return Preferences.from_records(recs)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n_m=st.integers(1, 12),
    n_e=st.integers(1, 12),
    active=st.sets(st.sampled_from(TERMS), min_size=1),
    norm=st.sampled_from(["wants", "skills"]),
    lam=st.sampled_from([0.0, 0.3, 1.0]),
    attrs=st.sampled_from([("gender",), ("gender", "site", "department")]),
)
def test_the_fused_scores_are_the_numpy_scores(seed, n_m, n_e, active, norm, lam, attrs) -> None:
    rng = np.random.default_rng(seed)
    m, e = _people("j", n_m, rng), _people("s", n_e, rng)
    weights = {t: float(rng.choice([0.1, 1.0, 2.5])) for t in active}
    prog = Programme(
        weights=weights,
        skill_weights={"a": 3.0, "c": 0.5},
        reverse_weight=lam,
        learning_norm=norm,
        diversity_attributes=attrs,
    )
    prefs = _survey(m, e, rng) if "preference" in active else None
    p = Problem(m, e, prog, preferences=prefs)
    mi = rng.integers(0, n_m, 200)
    ei = rng.integers(0, n_e, 200)
    got = fused_scores(p.cohort, p.spec, p.weights, mi, ei)
    np.testing.assert_allclose(got, p.scores(mi, ei, outer=False), rtol=0, atol=1e-12)


def test_no_pairs_give_no_scores() -> None:
    p = Problem(*rm.synthetic.cohort(5, 4, rng=0))
    empty = np.zeros(0, dtype=np.int64)
    assert fused_scores(p.cohort, p.spec, p.weights, empty, empty).shape == (0,)


def test_a_source_scores_pairs_with_the_kernel_on_large_sources(monkeypatch) -> None:
    """``ProblemSource.exact`` takes the kernel from ``MIN_CELLS`` pairs (or once loaded),
    with the numpy scores to rounding; ``RM_MATCH_FAST=0`` keeps the numpy code."""
    p = Problem(*rm.synthetic.cohort(40, 30, rng=2))
    source = ProblemSource(p, np.empty((0, 2), dtype=np.int64))
    rng = np.random.default_rng(0)
    mi, ei = rng.integers(0, 40, 500), rng.integers(0, 30, 500)
    calls = []
    original = _fast.pair_scores

    def spy(*a):
        calls.append(len(a[0]))
        return original(*a)

    monkeypatch.setattr(_fast, "pair_scores", spy)
    monkeypatch.setattr(_fast, "MIN_CELLS", 0)
    fast, ok_fast = source.exact(mi, ei)
    assert calls == [500]
    monkeypatch.setenv("RM_MATCH_FAST", "0")
    plain, ok_plain = source.exact(mi, ei)
    assert calls == [500]  # not called again
    np.testing.assert_array_equal(ok_fast, ok_plain)
    np.testing.assert_allclose(fast, plain, rtol=0, atol=1e-12)


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
def test_the_sparse_path_answers_the_same_with_the_scorer(policy, monkeypatch) -> None:
    m, e = rm.synthetic.cohort(150, 130, rng=5)
    prog = demo_programme()
    runs = {}
    for fast in ("0", "1"):
        monkeypatch.setenv("RM_MATCH_FAST", fast)
        monkeypatch.setattr(_fast, "MIN_CELLS", 0)
        monkeypatch.setattr(_fast, "MIN_ARCS", 10**12)  # the certificate's kernel stays off
        runs[fast] = rm.match(m, e, prog, method="sparse", policy=policy, rng=0)
    plain, fast_ = runs["0"], runs["1"]
    assert plain.status == fast_.status == "optimal"
    assert fast_.objective == pytest.approx(plain.objective, abs=1e-9)
    assert len(fast_) == len(plain)
    assert not rm.verify(fast_.id_pairs, Problem(m, e, prog))
