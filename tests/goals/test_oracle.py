"""Every goal method against an independent oracle (:mod:`goal_oracle`: each goal written
from its documented meaning as a MILP for HiGHS, and an exact checker), on random array
problems with 1–3 goals, both policies.

For every answer: (a) it breaks no rule, capacity or goal (the oracle's own checker); its
objective is what its pairs score; it is no better than the optimum; (b) when rm_match says
``"optimal"`` its objective (and, under ``max_matched``, its pair count) equals the oracle's;
(c) its bound is at least the oracle's optimum; (d) ``InfeasibleError`` exactly when the oracle
finds the goals infeasible.

``RM_MATCH_HYPOTHESIS_EXAMPLES=N`` runs ``N`` random examples per test (default: a small,
derandomised run that keeps this file quick).
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import goal_oracle as oracle
from rm_match import InfeasibleError, SolverError, assign
from rm_match import goals as G

METHODS = ("auto", "milp", "cpsat", "lagrangian")
POLICIES = ("max_matched", "max_score")
TIME_LIMIT = 5.0
TOL = 1e-6

_EXPLORE = int(os.environ.get("RM_MATCH_HYPOTHESIS_EXAMPLES", "0"))
ORACLE = settings(
    max_examples=_EXPLORE or 6,
    deadline=None,
    derandomize=not _EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    # the quick run does not shrink: a failure there is reported as found
    phases=tuple(Phase) if _EXPLORE else (Phase.explicit, Phase.generate),
)

#: shares as users write them: exact decimals, Fractions, and near misses of simple ratios
SHARES = [
    0.5,
    0.25,
    0.4,
    Fraction(1, 3),
    0.6,
    Fraction(2, 3),
    0.75,
    0.1,
    0.9,
    0.0,
    1.0,
    0.2,
    0.8,
    0.12345,
    0.3334,
    0.6666,
    0.4999,
    0.2501,
]


# -- the case ----------------------------------------------------------------------------------


def _arr(a: np.ndarray) -> str:
    if a.dtype == bool:
        return f"np.array({a.astype(int).tolist()}, dtype=bool)"
    return f"np.array({a.tolist()})"


def _goal_repr(g: G.Goal) -> str:
    """A goal as code (arrays included, which the dataclass repr leaves out)."""
    name = type(g).__name__
    kw = []
    for f in (
        "pairs",
        "groups",
        "at_least",
        "at_most",
        "at_most_share",
        "k",
        "exclude_own",
        "symmetric",
        "side",
        "floor",
        "weight",
    ):
        if not hasattr(g, f):
            continue
        v = getattr(g, f)
        if f == "pairs" and v is not None:
            kw.append(f"pairs={_arr(np.asarray(v))}")
        elif f == "groups":
            kw.append(f"groups=({_arr(np.asarray(v[0]))}, {_arr(np.asarray(v[1]))})")
        elif v is not None or f == "weight":
            kw.append(f"{f}={v!r}")
    return f"G.{name}({', '.join(kw)})"


@dataclass(frozen=True)
class Case:
    scores: np.ndarray
    feasible: np.ndarray
    m_cap: np.ndarray
    e_cap: np.ndarray
    policy: str
    goals: tuple[Any, ...]

    def __repr__(self) -> str:
        goals = ", ".join(_goal_repr(g) for g in self.goals)
        return (
            f"assign({_arr(self.scores)}, {_arr(self.feasible)}, "
            f"mentor_capacity={_arr(self.m_cap)}, mentee_capacity={_arr(self.e_cap)}, "
            f"policy={self.policy!r}, goals=[{goals}])"
        )

    def _repr_pretty_(self, p, cycle) -> None:  # how hypothesis prints a failing case
        p.text(repr(self))

    def oracle(self) -> oracle.OracleResult:
        return oracle.solve(
            self.scores, self.feasible, self.m_cap, self.e_cap, self.policy, self.goals
        )

    def violations(self, pairs) -> list[str]:
        return oracle.violations(
            self.scores, self.feasible, self.m_cap, self.e_cap, self.goals, pairs
        )

    def assign(self, method: str):
        return assign(
            self.scores,
            self.feasible,
            mentor_capacity=self.m_cap,
            mentee_capacity=self.e_cap,
            policy=self.policy,
            goals=list(self.goals),
            method=method,
            time_limit=TIME_LIMIT,
            rng=0,
            workers=1,
        )


# -- strategies --------------------------------------------------------------------------------


def _matrix(draw, n_m, n_e, elements):
    return np.array(draw(st.lists(elements, min_size=n_m * n_e, max_size=n_m * n_e))).reshape(
        n_m, n_e
    )


def _mask(draw, n_m, n_e):
    return _matrix(draw, n_m, n_e, st.booleans()).astype(bool)


def _groups(draw, n_m, n_e):
    n_g = draw(st.integers(1, 4))
    code = st.sampled_from([*range(n_g), -1])
    return (
        np.array(draw(st.lists(code, min_size=n_m, max_size=n_m)), dtype=np.int64),
        np.array(draw(st.lists(code, min_size=n_e, max_size=n_e)), dtype=np.int64),
    )


def _bounds(draw, values):
    which = draw(st.sampled_from(["at_least", "at_most", "both"]))
    lo = draw(values) if which != "at_most" else None
    hi = draw(values) if which != "at_least" else None
    return {"at_least": lo, "at_most": hi}


@st.composite
def goal(draw, kind, n_m, n_e):
    share = st.sampled_from(SHARES)
    if kind == "share":
        return G.Share(pairs=_mask(draw, n_m, n_e), **_bounds(draw, share))
    if kind == "count":
        pairs = _mask(draw, n_m, n_e) if draw(st.booleans()) else None
        return G.Count(pairs=pairs, **_bounds(draw, st.integers(0, 8)))
    if kind == "everyone":
        return G.EveryoneMatched(side=draw(st.sampled_from(["mentee", "mentor"])))
    groups = _groups(draw, n_m, n_e)
    if kind == "coverage":
        return G.Coverage(groups=groups, k=draw(st.integers(0, 4)), exclude_own=draw(st.booleans()))
    if kind == "spread":
        symmetric = draw(st.booleans())
        if draw(st.booleans()):
            return G.Spread(groups=groups, at_most=draw(st.integers(0, 5)), symmetric=symmetric)
        return G.Spread(groups=groups, at_most_share=draw(share), symmetric=symmetric)
    if kind == "representation":
        side = draw(st.sampled_from(["mentor", "mentee"]))
        floor = draw(st.sampled_from(["none", "one", "map"]))
        if floor == "one":
            floor = draw(share)
        elif floor == "map":
            codes = sorted(set(groups[0 if side == "mentor" else 1].tolist()) - {-1})
            keys = draw(st.lists(st.sampled_from(codes), unique=True)) if codes else []
            floor = {k: draw(share) for k in keys}
        else:
            floor = None
        return G.Representation(groups=groups, side=side, floor=floor)
    raise AssertionError(kind)


KINDS = ["share", "count", "everyone", "coverage", "spread", "representation", "fair"]


@st.composite
def cases(draw, kinds=tuple(KINDS), max_m=8, max_e=10, max_goals=3, policy=None, min_m=1, min_e=1):
    n_m = draw(st.integers(min_m, max_m))
    n_e = draw(st.integers(min_e, max_e))
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=max_goals))
    fair = "fair" in chosen
    goals = [draw(goal(k, n_m, n_e)) for k in chosen if k != "fair"]
    if fair:  # one MinPairScore at most; with it, positive scores (the lowest pair is defined)
        goals.append(G.MinPairScore(weight=draw(st.sampled_from([None, 0.0, 1.0, 0.5, 2.5, 10.0]))))
    low = 1 if fair else -100
    scores = _matrix(draw, n_m, n_e, st.integers(low, 100)) / 100.0
    density = draw(st.integers(3, 10))
    feasible = _matrix(draw, n_m, n_e, st.integers(0, 9)) < density
    cap = st.sampled_from([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 0])
    m_cap = np.array(draw(st.lists(cap, min_size=n_m, max_size=n_m)), dtype=np.int64)
    e_cap = np.array(draw(st.lists(cap, min_size=n_e, max_size=n_e)), dtype=np.int64)
    policy = draw(st.sampled_from(POLICIES)) if policy is None else policy
    return Case(scores, feasible, m_cap, e_cap, policy, tuple(goals))


# -- the comparison ----------------------------------------------------------------------------


def compare(case: Case, method: str, ref: oracle.OracleResult | None = None) -> list[str]:
    """What is wrong with ``method``'s answer on ``case``, each as ``"tag: detail"``."""
    return compare_answer(case, method, ref)[0]


def compare_answer(case: Case, method: str, ref: oracle.OracleResult | None = None):
    """:func:`compare`'s list, and the answer (``None`` when rm_match raised)."""
    ref = case.oracle() if ref is None else ref
    try:
        a = case.assign(method)
    except InfeasibleError as exc:
        if ref.status == "infeasible":
            return [], None
        return [
            f"infeasible-error-on-feasible: {exc} (oracle: {ref.count} pairs, "
            f"objective {ref.objective:.6g})"
        ], None
    except SolverError as exc:
        what = "on infeasible" if ref.status == "infeasible" else "on feasible"
        return [f"solver-error-{what.replace(' ', '-')}: {exc}"], None
    except Exception as exc:  # anything else is a crash, reported with the case
        return [f"crash: {type(exc).__name__}: {exc}"], None
    if ref.status == "infeasible":
        return [f"answer-on-infeasible: {len(a.pairs)} pairs, breaks {case.violations(a.pairs)}"], a
    return _problems(case, a, ref), a


def _problems(case: Case, a, ref: oracle.OracleResult) -> list[str]:
    out = []
    bad = case.violations(a.pairs)
    if bad:
        out.append(f"breaks: {bad}")
    # the result's own per-goal report says the same as the oracle's checker
    names = {type(g).__name__ for g in case.goals}
    ours = any(b.split(":")[0] in names for b in bad)
    theirs = [c.goal for c in a.goals if not c.met]
    if ours != bool(theirs):
        out.append(f"report-disagrees: result reports unmet {theirs}, oracle finds {bad}")
    got = case.scores[a.pairs[:, 0], a.pairs[:, 1]]
    total = math.fsum(got.tolist())
    fair = [g for g in case.goals if isinstance(g, G.MinPairScore)]
    weight = fair[0].weight if fair else None
    low = float(got.min()) if len(got) else None
    value = total + (weight * low if weight is not None and low is not None else 0.0)
    tol = TOL * max(1.0, abs(ref.objective))
    if abs(a.objective - value) > tol:
        out.append(f"objective-not-its-pairs: reported {a.objective!r}, its pairs give {value!r}")
    # the answer itself, lexicographically: never better than the optimum
    if case.policy == "max_matched":
        key, best = (len(a.pairs), value), (ref.count, ref.objective)
    else:
        key, best = (value,), (ref.objective,)
    if fair and weight is None and len(got) and ref.min_score is not None:
        key = (*key[:-1], low, total)
        best = (*best[:-1], ref.min_score, ref.total)
    if not bad and _beats(key, best, tol):
        out.append(f"better-than-oracle: {key} > {best}")
    if a.status == "optimal":
        if case.policy == "max_matched" and len(a.pairs) != ref.count:
            out.append(f"optimal-wrong-count: {len(a.pairs)} pairs, oracle {ref.count}")
        elif (
            fair
            and weight is None
            and ref.min_score is not None
            and (low is None or abs(low - ref.min_score) > tol)
        ):
            out.append(f"optimal-wrong-min: lowest {low}, oracle {ref.min_score}")
        elif abs(value - ref.objective) > tol:
            out.append(f"optimal-wrong-objective: {value!r}, oracle {ref.objective!r}")
    if a.bound < ref.objective - tol:
        out.append(f"bound-below-optimum: bound {a.bound!r}, oracle {ref.objective!r}")
    return out


def _beats(key, best, tol) -> bool:
    for k, b in zip(key, best, strict=True):
        if k > b + tol:
            return True
        if k < b - tol:
            return False
    return False


def _check(case: Case, method: str) -> None:
    problems = compare(case, method)
    assert not problems, f"{method} on {case!r}:\n" + "\n".join(problems)


# -- the oracle itself, against enumeration ----------------------------------------------------


def _enumerate(case: Case):
    """(count, objective, lowest, total) of the best programme by enumeration (tiny cases)."""
    _n_m, _n_e = case.scores.shape
    ok = case.feasible & (case.m_cap > 0)[:, None] & (case.e_cap > 0)
    edges = list(zip(*np.nonzero(ok), strict=True))
    fair = [g for g in case.goals if isinstance(g, G.MinPairScore)]
    weight = fair[0].weight if fair else 0.0
    best = None
    for r in range(len(edges) + 1):
        for sub in itertools.combinations(edges, r):
            p = np.array(sub, dtype=np.int64).reshape(-1, 2)
            if case.violations(p):
                continue
            s = case.scores[p[:, 0], p[:, 1]]
            total = math.fsum(s.tolist())
            low = float(s.min()) if len(s) else None
            if fair and weight is None:
                value = (-np.inf, 0.0) if low is None else (low, total)
                objective = total
            else:
                objective = total + (weight * low if low is not None else 0.0)
                value = (objective,)
            key = ((len(p),) if case.policy == "max_matched" else ()) + value
            if best is None or key > best[0]:
                best = (key, len(p), objective, low, total)
    return best


@settings(
    max_examples=_EXPLORE or 40,
    deadline=None,
    derandomize=not _EXPLORE,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=cases(max_m=3, max_e=3, max_goals=2))
def test_oracle_equals_enumeration(case):
    best = _enumerate(case)
    ref = case.oracle()
    if best is None:
        assert ref.status == "infeasible"
        return
    assert ref.status == "optimal"
    _, count, objective, low, total = best
    if case.policy == "max_matched":
        assert ref.count == count
    assert ref.objective == pytest.approx(objective, abs=1e-9)
    fair = [g for g in case.goals if isinstance(g, G.MinPairScore)]
    if fair and fair[0].weight is None:
        assert ref.total == pytest.approx(total, abs=1e-9)
        assert ref.min_score == pytest.approx(low, abs=1e-9)


def test_oracle_reads_shares_exactly():
    # 1 of 3 pairs meets ≥ 1/3 but not ≥ 0.3334 (a float read as its decimal)
    scores = np.ones((3, 3))
    mask = np.eye(3, dtype=bool)
    ok = oracle.violations(
        scores, None, 1, 1, [G.Share(pairs=mask, at_least=Fraction(1, 3))], [(0, 0), (1, 2), (2, 1)]
    )
    bad = oracle.violations(
        scores, None, 1, 1, [G.Share(pairs=mask, at_least=0.3334)], [(0, 0), (1, 2), (2, 1)]
    )
    assert ok == [] and len(bad) == 1


# -- every method against the oracle -----------------------------------------------------------

# combinations known to fail now (see the report of the hypothesis run); strict=False so that
# each one passes once fixed, and can then be un-marked
KNOWN: dict[tuple[str, str], str] = {}


def _params():
    for method in METHODS:
        for policy in POLICIES:
            why = KNOWN.get((method, policy))
            marks = [pytest.mark.xfail(strict=False, reason=why)] if why else []
            yield pytest.param(method, policy, marks=marks, id=f"{method}-{policy}")


@pytest.mark.parametrize(("method", "policy"), list(_params()))
@ORACLE
@given(data=st.data())
def test_method_agrees_with_oracle(method, policy, data):
    _check(data.draw(cases(policy=policy), label="case"), method)
