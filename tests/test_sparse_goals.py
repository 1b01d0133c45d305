"""Goals without the dense matrix (:mod:`rm_match.sparse_goals`): the goals' pair tables, the
table source, and ``match(method="sparse")`` with goals against an independent MILP oracle
(:mod:`goal_oracle`) and against the dense goal pipeline."""

from __future__ import annotations

import logging
import time
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import goal_oracle as oracle
import rm_match as rm
from rm_match import goals as G
from rm_match import sparse_goals
from rm_match.goals import GoalContext, compile_goals
from rm_match.screen import ProblemSource
from rm_match.solvers.constrained.budget import Budget
from rm_match.solvers.constrained.core import multipliers, repair
from rm_match.solvers.constrained.lp import relax, round_columns
from rm_match.solvers.sparse import DenseSource, TableSource

# -- the goals' pair tables --------------------------------------------------------------------


def _dense_rows(model) -> np.ndarray:
    """Each row's coefficient on each edge (``total`` aside), from the rows' edge lists."""
    out = np.zeros((len(model.rows), model.n_edges), dtype=np.int64)
    for k, r in enumerate(model.rows):
        out[k, r.x_idx] = r.x_val
    return out


@st.composite
def _goal_sets(draw):
    n_m, n_e = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    k = draw(st.integers(1, 4))
    codes = st.integers(-3, k - 1)  # any negative code: unknown
    c_m = np.array(draw(st.lists(codes, min_size=n_m, max_size=n_m)), dtype=np.int64)
    c_e = np.array(draw(st.lists(codes, min_size=n_e, max_size=n_e)), dtype=np.int64)
    share = st.sampled_from([0.0, 0.25, 0.4, 0.5, 2 / 3, 0.8, 1.0])
    groups = (c_m, c_e)
    goals = [
        draw(
            st.sampled_from(
                [
                    G.Share(cross=groups, at_least=draw(share)),
                    G.Share(same=groups, at_most=draw(share)),
                    G.Count(cross=groups, at_least=draw(st.integers(0, 5))),
                    G.Count(at_most=draw(st.integers(0, 5))),
                    G.Spread(groups, at_most=draw(st.integers(0, 3))),
                    G.Spread(groups, at_most_share=draw(share), symmetric=draw(st.booleans())),
                ]
            )
        )
        for _ in range(draw(st.integers(1, 3)))
    ]
    allowed = np.array(
        draw(st.lists(st.booleans(), min_size=n_m * n_e, max_size=n_m * n_e)), dtype=bool
    ).reshape(n_m, n_e)
    return n_m, n_e, goals, allowed


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(case=_goal_sets())
def test_pair_tables_are_the_rows_on_every_pair(case):
    """A keyed row's table gives its coefficient on each edge, and on a core of the pairs
    (with the whole cohort's most pairs) the rows read the same as over every pair."""
    n_m, n_e, goals, allowed = case
    cap_m, cap_e = np.ones(n_m, np.int64), np.ones(n_e, np.int64)
    fixed = np.empty((0, 2), dtype=np.int64)
    mi, ei = np.nonzero(np.ones((n_m, n_e), bool))
    full = GoalContext(n_m, n_e, mi, ei, fixed, cap_m, cap_e)
    model, _ = compile_goals(goals, full, np.zeros(len(mi)), "max_score")
    dense = _dense_rows(model)
    for k, r in enumerate(model.rows):
        assert r.keyed is not None
        np.testing.assert_array_equal(r.keyed.on(mi, ei), dense[k])
        # the table reads the goal's own pair property (what its check counts)
        g = goals[r.goal]
        if isinstance(g, G.Spread):
            c_m, c_e, _ = full.groups(g.groups, g.name)
            inside = g._cells(c_m, c_e, mi, ei) == r.keyed.match
        else:
            inside = full.pair_flags(g, mi, ei)
        np.testing.assert_array_equal(r.keyed.on(mi, ei) != 0, inside)
    # a core: some of the pairs, the most pairs of the whole cohort
    cm, ce = np.nonzero(allowed)
    most = min(n_m, n_e)
    core = GoalContext(n_m, n_e, cm, ce, fixed, cap_m, cap_e, most=most)
    sub, _ = compile_goals(goals, core, np.zeros(len(cm)), "max_score")
    dense_sub = _dense_rows(sub)
    same = {(r.goal, r.lo, r.hi, r.total, r.keyed.table.tobytes()) for r in model.rows}
    for k, r in enumerate(sub.rows):
        # every core row is a row of the whole cohort's model (Spread drops the rows its
        # core cannot break), restricted to the core's pairs
        assert (r.goal, r.lo, r.hi, r.total, r.keyed.table.tobytes()) in same
        np.testing.assert_array_equal(r.keyed.on(cm, ce), dense_sub[k])


def test_a_pairs_mask_has_no_table():
    mask = np.eye(3, dtype=bool)
    mi, ei = np.nonzero(np.ones((3, 3), bool))
    ctx = GoalContext(3, 3, mi, ei, np.empty((0, 2), np.int64), np.ones(3, int), np.ones(3, int))
    model, _ = compile_goals([G.Share(pairs=mask, at_least=0.5)], ctx, np.zeros(9), "max_score")
    assert all(r.keyed is None for r in model.rows)


# -- the table source --------------------------------------------------------------------------


def test_table_source_adds_the_table_to_screen_and_exact():
    mentors, mentees = rm.synthetic.cohort(40, 30, rng=5)
    p = rm.Problem(mentors, mentees, rm.Programme(rules=[rm.rules.CrossDepartment()]))
    base = ProblemSource(p, np.empty((0, 2), dtype=np.int64))
    rng = np.random.default_rng(0)
    codes_m, codes_e = rng.integers(0, 3, 40), rng.integers(0, 4, 30)
    table = rng.uniform(-2.0, 2.0, (3, 4))
    src = TableSource(base, codes_m, codes_e, table)
    mi, ei = np.nonzero(np.ones((40, 30), bool))
    s, ok = src.exact(mi, ei)
    s0, ok0 = base.exact(mi, ei)
    np.testing.assert_allclose(s, s0 + table[codes_m[mi], codes_e[ei]], rtol=0, atol=1e-15)
    np.testing.assert_array_equal(ok, ok0)
    u, v = rng.uniform(0, 1, 40), rng.uniform(0, 1, 30)
    screened = src.screen(None, np.arange(30), u, v)
    refined = src.refine(mi, ei, screened.ravel())
    exact = s - u[mi] - v[ei]
    err = src.error(2.0)
    assert np.all(np.abs(refined - exact)[ok] <= err)
    assert np.all(screened.ravel()[~ok] <= -2.0)  # a forbidden pair stays forbidden


def test_table_source_refuses_a_table_too_large():
    src = DenseSource(np.zeros((2, 2)), np.ones((2, 2), bool))
    with pytest.raises(ValueError, match="within"):
        TableSource(src, np.zeros(2, int), np.zeros(2, int), np.array([[1e4]]))


# -- match(method="sparse") with goals: against the oracle -------------------------------------


def _oracle_goals(problem: rm.Problem, goals) -> list:
    """The goals as the oracle reads them: masks and code arrays from the cohort."""
    out = []
    for g in goals:
        if isinstance(g, G.Spread):
            c_m, c_e, _ = problem.goal_groups(g.groups)
            out.append(
                G.Spread(
                    (c_m, c_e),
                    at_most=g.at_most,
                    at_most_share=g.at_most_share,
                    symmetric=g.symmetric,
                )
            )
            continue
        attr = g.cross if g.cross is not None else g.same
        c_m, c_e, _ = problem.goal_groups(attr)
        a, b = c_m[:, None], c_e[None, :]
        mask = (a >= 0) & (b >= 0) & ((a != b) if g.cross is not None else (a == b))
        kind = type(g)
        out.append(kind(pairs=mask, at_least=g.at_least, at_most=g.at_most))
    return out


_SHARES = st.sampled_from([0.3, 0.5, 0.6, 0.7, 0.8])


@st.composite
def _programmes(draw):
    n_m, n_e = draw(st.integers(4, 12)), draw(st.integers(4, 12))
    seed = draw(st.integers(0, 10_000))
    pool = [
        G.Share(cross="gender", at_least=draw(_SHARES)),
        G.Share(cross="generation", at_least=draw(_SHARES)),
        G.Share(same="department", at_most=draw(st.sampled_from([0.0, 0.1, 0.3]))),
        G.Spread("department", at_most=draw(st.integers(1, 3))),
        G.Spread("generation", at_most_share=draw(st.sampled_from([0.3, 0.5, 0.7]))),
        G.Count(cross="gender", at_least=draw(st.integers(0, 4))),
    ]
    picked = draw(st.lists(st.sampled_from(range(len(pool))), min_size=1, max_size=3, unique=True))
    policy = draw(st.sampled_from(["max_matched", "max_score"]))
    rules = draw(st.sampled_from([[], [rm.rules.CrossDepartment()]]))
    return n_m, n_e, seed, [pool[k] for k in picked], policy, rules


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=_programmes(), large=st.booleans())
def test_sparse_goals_agree_with_the_oracle(case, large):
    """Whatever the answer, it meets every goal; its bound is never below the optimum; and
    it is the optimum when the method says so. ``large``: the core is solved as a large one
    is (one interior-point LP and repair), however small."""
    with mock.patch.object(sparse_goals, "PIPELINE_EDGES", -1 if large else 10**9):
        _agrees_with_the_oracle(case)


def _agrees_with_the_oracle(case):
    n_m, n_e, seed, goals, policy, rules = case
    mentors, mentees = rm.synthetic.cohort(n_m, n_e, rng=seed)
    prog = rm.Programme(rules=rules, goals=goals)
    problem = rm.Problem(mentors, mentees, prog)
    arrays = problem.compile()
    ref = oracle.solve(
        arrays.scores,
        arrays.feasible,
        mentors.capacity,
        mentees.capacity,
        policy,
        _oracle_goals(problem, goals),
    )
    try:
        m = rm.match(mentors, mentees, prog, method="sparse", policy=policy, rng=0)
    except rm.SolverError:
        # a core without an answer is not a proof; here it must be right that none exists,
        # or the answers need more pairs than the goals aside left
        assert ref.status == "infeasible" or policy == "max_matched"
        return
    assert ref.status == "optimal"
    assert rm.verify(m, problem) == []
    pairs = np.array([(mentors.index(a), mentees.index(b)) for a, b in m.id_pairs]).reshape(-1, 2)
    assert (
        oracle.violations(
            arrays.scores,
            arrays.feasible,
            mentors.capacity,
            mentees.capacity,
            _oracle_goals(problem, goals),
            pairs,
        )
        == []
    )
    assert len(m) <= ref.count
    if policy == "max_matched" and len(m) < ref.count:
        assert m.status == "feasible" and not np.isfinite(m.bound)  # no false certificate
        return
    assert m.objective <= ref.objective + 1e-9
    assert m.bound >= ref.objective - 1e-9
    if m.status == "optimal":
        assert m.objective == pytest.approx(ref.objective, abs=1e-6)


# -- against the dense goal pipeline, and the routes -------------------------------------------


def _benchmark_programme(goals=None):
    return rm.Programme(
        rules=[rm.rules.CrossDepartment(), rm.rules.NoReportingLine()],
        goals=goals
        or [
            G.Share(cross="gender", at_least=0.6),
            G.Share(cross="generation", at_least=0.7),
            G.Spread("department", at_most_share=0.08),
        ],
    )


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
def test_sparse_goals_bound_the_dense_answer(policy):
    """At 300 per side: each method's answer lies under the other's bound."""
    mentors, mentees = rm.synthetic.cohort(300, 300, rng=2026)
    prog = _benchmark_programme()
    kw = {"policy": policy, "rng": 0, "gap_limit": 1e-3}
    sparse = rm.match(mentors, mentees, prog, method="sparse", **kw)
    dense = rm.match(mentors, mentees, prog, method="lp", **kw)
    problem = rm.Problem(mentors, mentees, prog)
    assert rm.verify(sparse, problem) == [] and rm.verify(dense, problem) == []
    assert sparse.assignment.method == "sparse goals"
    assert len(sparse) == len(dense)
    assert sparse.objective <= dense.bound + 1e-9
    assert dense.objective <= sparse.bound + 1e-9
    assert sparse.gap <= 1e-3


def test_required_pairs_count_towards_the_goals():
    mentors, mentees = rm.synthetic.cohort(60, 60, rng=7)
    shares = [G.Share(cross="gender", at_least=0.6), G.Share(cross="generation", at_least=0.7)]
    prog = _benchmark_programme(shares)
    problem = rm.Problem(mentors, mentees, prog)
    plain = rm.match(mentors, mentees, prog, method="sparse", rng=0, gap_limit=1e-3)
    # require two pairs the answer did not make (allowed by the rules)
    taken = {a for a, _ in plain.id_pairs} | {b for _, b in plain.id_pairs}
    scores = problem.compile()
    ok = np.argwhere(scores.feasible)
    req = []
    for i, j in ok:
        a, b = mentors.ids[i], mentees.ids[j]
        if (a, b) not in set(plain.id_pairs) and not any(a == x or b == y for x, y in req):
            req.append((a, b))
        if len(req) == 2:
            break
    assert taken  # the answer has pairs
    prog2 = rm.Programme(rules=[*prog.rules, rm.rules.RequiredPairs(req)], goals=list(prog.goals))
    m = rm.match(mentors, mentees, prog2, method="sparse", rng=0, gap_limit=1e-3)
    assert set(req) <= set(m.id_pairs)
    assert rm.verify(m, rm.Problem(mentors, mentees, prog2)) == []
    dense = rm.match(mentors, mentees, prog2, method="lp", rng=0, gap_limit=1e-3)
    assert dense.objective <= m.bound + 1e-9 and m.objective <= dense.bound + 1e-9


def test_auto_takes_the_sparse_route_when_no_dense_plan_fits(caplog):
    mentors, mentees = rm.synthetic.cohort(200, 200, rng=1)
    prog = _benchmark_programme()
    with caplog.at_level(logging.INFO, logger="rm_match"):
        m = rm.match(mentors, mentees, prog, rng=0, memory_limit=2_000_000, gap_limit=1e-2)
    assert m.assignment.method == "sparse goals"
    assert "goals on the sparse path" in caplog.text
    assert rm.verify(m, rm.Problem(mentors, mentees, prog)) == []
    # goals it cannot price keep the memory error
    cover = _benchmark_programme([G.Coverage("department", k=2)])
    with pytest.raises(rm.MemoryBudgetError):
        rm.match(mentors, mentees, cover, rng=0, memory_limit=2_000_000)


def test_sparse_names_the_goal_it_cannot_take():
    mentors, mentees = rm.synthetic.cohort(20, 20, rng=1)
    prog = _benchmark_programme([G.Coverage("department", k=2)])
    with pytest.raises(rm.SolverError, match="coverage_department"):
        rm.match(mentors, mentees, prog, method="sparse", rng=0)


def test_the_answer_without_goals_is_returned_when_it_meets_them():
    mentors, mentees = rm.synthetic.cohort(50, 50, rng=3)
    prog = _benchmark_programme([G.Share(cross="gender", at_least=0.0)])
    m = rm.match(mentors, mentees, prog, method="sparse", rng=0)
    rules = _benchmark_programme().rules
    plain = rm.match(mentors, mentees, rm.Programme(rules=rules), method="sparse", rng=0)
    assert m.status == "optimal" and m.objective == pytest.approx(plain.objective)
    assert "meets every goal" in m.assignment.message


# -- the large-core solver ---------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
def test_interior_point_multipliers_price_the_lp_optimum(policy):
    """On every column, L at the interior-point LP's multipliers equals the LP optimum
    that GLOP's column generation reaches (strong duality), and repair from them meets
    every goal row."""
    mentors, mentees = rm.synthetic.cohort(120, 120, rng=4)
    prog = _benchmark_programme()
    problem = rm.Problem(mentors, mentees, prog)
    ctx = problem.goal_context()
    arrays = problem.compile()
    model, _ = compile_goals(prog.goals, ctx, arrays.scores[ctx.mi, ctx.ei], policy)
    count = 120 if policy == "max_matched" else None
    lp = relax(model, time.perf_counter() + 60.0)
    assert lp is not None
    lp_value = lp.value - model.bonus * float(lp.x.sum())
    solved = multipliers(model, np.arange(model.n_edges), count=count, time_limit=60)
    assert solved is not None
    lam, x_lp = solved
    assert (lam >= 0).all() and lam.any()
    assert model.scores @ x_lp == pytest.approx(lp_value, rel=1e-6)
    from rm_match.solvers.constrained.lagrangian import value_at

    # L(λ) on the model's weights, less the coverage bonus of its 120 pairs
    bonus = model.bonus * (count or 0)
    assert value_at(model, lam) - bonus == pytest.approx(lp_value, rel=1e-6)
    every = np.arange(model.n_edges)
    x = round_columns(model, every, x_lp, budget=Budget(1e6, time.perf_counter() + 60))
    assert x is not None and model.feasible(x)
    assert model.scores[x].sum() <= lp_value + 1e-9
    if policy == "max_score":  # repair from the multipliers (two shares: no Spread puzzle)
        two, _ = compile_goals(prog.goals[:2], ctx, arrays.scores[ctx.mi, ctx.ei], policy)
        solved = multipliers(two, np.arange(two.n_edges), count=None, time_limit=60)
        assert solved is not None
        y, tries = repair(two, solved[0], deadline=float("inf"))
        assert y is not None and two.feasible(y) and tries >= 1


def test_auto_prices_goals_from_a_million_pairs_and_lets_the_dense_model_prove_none():
    """From 1 000 × 1 000 auto takes the sparse route for goals on groups; when the core
    has no answer, the dense model decides and names the goal it proves impossible."""
    mentors, mentees = rm.synthetic.cohort(1000, 1000, rng=11)
    prog = _benchmark_programme()
    m = rm.match(mentors, mentees, prog, rng=0, gap_limit=1e-2)
    assert m.assignment.method == "sparse goals" and m.gap <= 1e-2
    assert rm.verify(m, rm.Problem(mentors, mentees, prog)) == []
    # no rules: naming the rules behind a conflict re-solves once per rule (CP-SAT)
    impossible = rm.Programme(goals=[G.Count(cross="gender", at_least=1001)])
    with pytest.raises(rm.InfeasibleError) as info:
        rm.match(mentors, mentees, impossible, rng=0, time_limit=60)
    assert "count_cross_gender" in info.value.rules


def test_the_rows_of_a_spread_share_one_table():
    """One table of cell ids for all of a Spread's rows (a 0/1 table per cell was K⁴ cells:
    2 GB at 150 groups)."""
    rng = np.random.default_rng(0)
    c_m, c_e = rng.integers(0, 40, 60), rng.integers(0, 40, 60)
    mi, ei = np.nonzero(np.ones((60, 60), bool))
    ctx = GoalContext(
        60, 60, mi, ei, np.empty((0, 2), np.int64), np.ones(60, int), np.ones(60, int)
    )
    model, _ = compile_goals([G.Spread((c_m, c_e), at_most=0)], ctx, np.zeros(3600), "max_score")
    tables = {id(r.keyed.table) for r in model.rows}
    assert len(model.rows) > 100 and len(tables) == 1


def test_the_rounds_are_progress_steps():
    events = []
    mentors, mentees = rm.synthetic.cohort(200, 200, rng=2)
    prog = _benchmark_programme()
    rm.match(mentors, mentees, prog, method="sparse", rng=0, gap_limit=1e-3, progress=events.append)
    rounds = [e for e in events if e.stage == "sparse goals"]
    assert rounds and rounds[-1].done == len(rounds)
    assert all("gap" in e.message for e in rounds)


def test_multipliers_too_large_to_price_are_scaled_and_still_bound(caplog):
    """Any λ ≥ 0 gives a bound: with the table's limit set tiny, every round's multipliers
    are scaled down to it, and the bound still lies above the dense route's answer."""
    mentors, mentees = rm.synthetic.cohort(200, 200, rng=2026)
    prog = _benchmark_programme()
    with (
        mock.patch.object(sparse_goals, "TABLE_MOST", 0.01),
        caplog.at_level(logging.INFO, logger="rm_match.sparse_goals"),
    ):
        m = rm.match(mentors, mentees, prog, method="sparse", rng=0, gap_limit=1e-3)
    assert "multipliers scaled" in caplog.text
    dense = rm.match(mentors, mentees, prog, method="lp", rng=0, gap_limit=1e-3)
    assert rm.verify(m, rm.Problem(mentors, mentees, prog)) == []
    assert len(m) == len(dense) and dense.objective <= m.bound + 1e-9


def test_a_sparse_solve_without_its_graph_leaves_its_answer_to_the_core():
    """A sparse solve that did not settle keeps no candidate graph: its answer alone joins
    the core (an assert crashed here before)."""
    real = sparse_goals.solve_sparse

    def unsettled(*args, **kwargs):
        pairs, slack, message, stats = real(*args, **kwargs)
        stats.graph = None
        return pairs, slack, message, stats

    mentors, mentees = rm.synthetic.cohort(120, 120, rng=5)
    prog = _benchmark_programme(
        [G.Share(cross="gender", at_least=0.6), G.Share(cross="generation", at_least=0.7)]
    )
    with mock.patch.object(sparse_goals, "solve_sparse", unsettled):
        m = rm.match(mentors, mentees, prog, method="sparse", rng=0, gap_limit=1e-2)
    assert rm.verify(m, rm.Problem(mentors, mentees, prog)) == []
