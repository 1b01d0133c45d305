"""Goal instances shared by the goal tests: hypothesis strategies (tiny instances with a
brute-force optimum, medium ones for HiGHS and CP-SAT) and the exhaustive oracle."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from rm_match import goals as G
from rm_match.goals import GoalContext, check_goals

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ctx(scores, feasible, m_cap=1, e_cap=1):
    n_m, n_e = scores.shape
    m_cap = np.full(n_m, m_cap) if np.isscalar(m_cap) else np.asarray(m_cap)
    e_cap = np.full(n_e, e_cap) if np.isscalar(e_cap) else np.asarray(e_cap)
    mi, ei = np.nonzero(feasible & (m_cap > 0)[:, None] & (e_cap > 0))
    return GoalContext(n_m, n_e, mi, ei, np.empty((0, 2), dtype=np.int64), m_cap, e_cap)


def _brute(scores, feasible, goals, policy, m_cap=1):
    """Lexicographic optimum by enumerating every assignment (tiny cases only)."""
    n_m, n_e = scores.shape
    ctx = _ctx(scores, feasible, m_cap)
    edges = list(zip(*np.nonzero(feasible), strict=True))
    best = None
    for r in range(len(edges) + 1):
        for sub in itertools.combinations(edges, r):
            p = np.array(sub, dtype=np.int64).reshape(-1, 2)
            if (np.bincount(p[:, 0], minlength=n_m) > m_cap).any():
                continue
            if (np.bincount(p[:, 1], minlength=n_e) > 1).any():
                continue
            if not all(c.met for c in check_goals(goals, ctx, p[:, 0], p[:, 1])):
                continue
            s = float(scores[p[:, 0], p[:, 1]].sum())
            key = (len(p), s) if policy == "max_matched" else (s,)
            if best is None or key > best:
                best = key
    return best


@st.composite
def instances(draw, max_n=4):
    n_m = draw(st.integers(1, max_n))
    n_e = draw(st.integers(1, max_n))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((n_m, n_e)), 2)
    feasible = rng.random((n_m, n_e)) < 0.8
    gm = rng.integers(0, 2, n_m)
    ge = rng.integers(0, 2, n_e)
    kind = draw(st.sampled_from(["share", "count", "spread", "coverage", "represent", "mix"]))
    cross = gm[:, None] != ge[None, :]
    p = draw(st.sampled_from([0.25, 0.5, 0.75]))
    goals = {
        "share": [G.Share(pairs=cross, at_least=p)],
        "count": [G.Count(pairs=cross, at_least=1), G.Count(at_most=max(1, n_e - 1))],
        "spread": [G.Spread(groups=(gm, ge), at_most=1, symmetric=False)],
        "coverage": [G.Coverage(groups=(gm, ge), k=1, exclude_own=False)],
        "represent": [G.Representation(groups=(gm, ge))],
        "mix": [G.Share(pairs=cross, at_most=p), G.Spread(groups=(gm, ge), at_most_share=0.5)],
    }[kind]
    policy = draw(st.sampled_from(["max_matched", "max_score"]))
    return scores, feasible, goals, policy


@st.composite
def medium(draw):
    n = draw(st.integers(6, 14))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    scores = rng.random((n, n))
    feasible = rng.random((n, n)) < 0.7
    gm, ge = rng.integers(0, 3, n), rng.integers(0, 3, n)
    cross = gm[:, None] != ge[None, :]
    goals = [
        G.Share(pairs=cross, at_least=draw(st.sampled_from([0.5, 0.7, 0.9]))),
        G.Spread(groups=(gm, ge), at_most=draw(st.integers(1, 3))),
        G.Coverage(groups=(gm, ge), k=draw(st.integers(1, 2))),
    ]
    m_cap = draw(st.sampled_from([1, 2]))
    return scores, feasible, goals, draw(st.sampled_from(["max_matched", "max_score"])), m_cap
