"""Checks shared by the tests of the sparse path's one-to-one round solvers (LAPJVsp and the
auction): random edge lists, the certificate's proof of an answer, and an answer spoiled on
purpose so that the round loop must hand the round to the flow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from rm_match.solvers.sparse.certificate import _certificate, _potentials, _slack


def random_edges(rng, n_m: int, n_e: int, density: float) -> tuple[np.ndarray, np.ndarray]:
    """Each pair with probability ``density``, in no particular order (as a round's are)."""
    keep = rng.random((n_m, n_e)) < density
    mi, ei = np.nonzero(keep)
    order = rng.permutation(len(mi))
    return mi[order], ei[order]


def assert_certified(n_m, n_e, mi, ei, s, used, rounded, scale, tol) -> None:
    """One-to-one under ``max_matched``: the residual network of ``used`` on the integers
    ``rounded`` has no negative cycle (labels settle within a pass per node), the König
    cover holds, and the certificate's slack is within ``tol``."""
    one = np.ones(n_m, np.int64), np.ones(n_e, np.int64)
    n_nodes = n_m + n_e + 2
    d, _, ok = _potentials(n_m, n_e, mi, ei, rounded, used, *one, "max_matched", n_nodes + 1)
    assert ok
    cert = _certificate(n_m, n_e, mi, ei, s, used, *one, "max_matched", d / scale)
    assert cert.cover_ok
    slack = _slack(mi, ei, s, used, *one, cert, "max_matched", np.empty(0))
    assert 0.0 <= slack <= tol


def spoiled(real: Callable[..., Any], calls: list) -> Callable[..., Any]:
    """``real`` with the integers of its answers negated (the answer is then not optimal
    for them: the potentials cannot settle); each answer given is noted in ``calls``."""

    def spoil(*args):
        got = real(*args)
        if got is None:
            return got
        calls.append(True)
        used, rounded, *rest = got
        return (used, -rounded, *rest)

    return spoil


def hall_violation(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Scores and allowed pairs of ``n`` a side where three mentees may only take mentor 0:
    at most ``n - 2`` pairs, so no matching pairs everyone."""
    rng = np.random.default_rng(seed)
    scores = rng.random((n, n)).round(2)
    feasible = rng.random((n, n)) < 0.5
    feasible[:, :3] = False
    feasible[0, :3] = True
    return scores, feasible


def assert_same_optimum(scores, pairs, pairs_flow, slack=None) -> None:
    """``pairs`` as many as the flow's and of the same total score (1e-9); ``slack``, when
    given, within 1e-9 of it."""
    assert len(pairs) == len(pairs_flow)
    obj = scores[pairs[:, 0], pairs[:, 1]].sum()
    assert obj == pytest.approx(scores[pairs_flow[:, 0], pairs_flow[:, 1]].sum(), abs=1e-9)
    if slack is not None:
        assert 0.0 <= slack <= 1e-9 * obj
