"""Independent parts: components against networkx, answers against oracles, executors alike."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oracles import arrays_problem, cpsat, networkx_one_to_one
from rm_match import (
    People,
    Problem,
    Programme,
    ValidationError,
    assign,
    match,
    rules,
    synthetic,
    verify,
)
from rm_match.cli import demo_programme
from rm_match.screen import ProblemSource, keyed_parts
from rm_match.solvers.decompose import components
from rm_match.solvers.sparse import DenseSource, SubSource


def nx_components(allowed: np.ndarray) -> set:
    n_m = allowed.shape[0]
    g = nx.Graph()
    g.add_edges_from((int(i), n_m + int(j)) for i, j in zip(*np.nonzero(allowed), strict=True))
    return {
        (frozenset(v for v in c if v < n_m), frozenset(v - n_m for v in c if v >= n_m))
        for c in nx.connected_components(g)
    }


def block_problem(rng, sizes, density=0.6):
    """A score matrix whose allowed pairs fall into blocks (rows and columns shuffled)."""
    rows = np.repeat(np.arange(len(sizes)), [m for m, _ in sizes])
    cols = np.repeat(np.arange(len(sizes)), [e for _, e in sizes])
    rng.shuffle(rows)
    rng.shuffle(cols)
    allowed = (rows[:, None] == cols[None, :]) & (rng.random((len(rows), len(cols))) < density)
    return rng.random(allowed.shape).round(3), allowed


@settings(max_examples=60, deadline=None)
@given(
    n_m=st.integers(0, 12),
    n_e=st.integers(0, 12),
    blocks=st.integers(1, 4),
    density=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_components_equal_networkx(n_m, n_e, blocks, density, seed):
    rng = np.random.default_rng(seed)
    allowed = (rng.integers(blocks, size=n_m)[:, None] == rng.integers(blocks, size=n_e)) & (
        rng.random((n_m, n_e)) < density
    )
    parts = components(allowed)
    assert {(frozenset(m.tolist()), frozenset(e.tolist())) for m, e in parts} == nx_components(
        allowed
    )
    sizes = [len(m) * len(e) for m, e in parts]
    assert sizes == sorted(sizes, reverse=True)


def test_a_long_path_is_one_component():
    n = 200  # mentor i - mentee i - mentor i+1 - ...: as deep as a graph gets
    allowed = np.eye(n, dtype=bool) | np.eye(n, k=-1, dtype=bool)
    ((m, e),) = components(allowed)
    assert len(m) == len(e) == n


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), policy=st.sampled_from(["max_matched", "max_score"]))
def test_parts_give_the_oracle_optimum(seed, policy):
    rng = np.random.default_rng(seed)
    sizes = [(int(rng.integers(1, 9)), int(rng.integers(1, 9))) for _ in range(rng.integers(2, 5))]
    scores, allowed = block_problem(rng, sizes)
    count, total = networkx_one_to_one(scores, allowed, policy)
    for method in ("auto", "lsa", "flow", "sparse"):
        a = assign(scores, allowed, policy=policy, method=method)
        assert verify(a.pairs, arrays_problem(scores, allowed, 1, 1)) == []
        assert a.objective == pytest.approx(total, abs=1e-9), method
        assert a.status == "optimal" and a.bound >= a.objective - 1e-12
        if policy == "max_matched":
            assert len(a.pairs) == count


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), policy=st.sampled_from(["max_matched", "max_score"]))
def test_parts_with_capacities_give_the_cpsat_optimum(seed, policy):
    rng = np.random.default_rng(seed)
    sizes = [(int(rng.integers(1, 6)), int(rng.integers(1, 8))) for _ in range(3)]
    scores, allowed = block_problem(rng, sizes)
    m_cap = rng.integers(0, 4, scores.shape[0])
    e_cap = rng.integers(1, 3, scores.shape[1])
    count, total = cpsat(np.rint(scores * 1000).astype(int), allowed, m_cap, e_cap, policy)
    a = assign(scores, allowed, mentor_capacity=m_cap, mentee_capacity=e_cap, policy=policy)
    assert verify(a.pairs, arrays_problem(scores, allowed, m_cap, e_cap)) == []
    assert a.objective == pytest.approx(total / 1000, abs=1e-9)
    if policy == "max_matched":
        assert len(a.pairs) == count


def test_assign_reports_its_parts_and_executors_give_the_same_pairs():
    rng = np.random.default_rng(5)
    scores, allowed = block_problem(rng, [(30, 25), (20, 30), (10, 10)])
    serial = assign(scores, allowed, rng=1)
    assert serial.message.startswith("3 independent parts")
    with ThreadPoolExecutor(2) as threads:
        assert np.array_equal(assign(scores, allowed, rng=1, executor=threads).pairs, serial.pairs)
    with ProcessPoolExecutor(2) as procs:
        assert np.array_equal(assign(scores, allowed, rng=1, executor=procs).pairs, serial.pairs)


def test_one_component_is_solved_whole():
    rng = np.random.default_rng(0)
    a = assign(rng.random((6, 6)))
    assert "independent" not in a.message


# -- the domain layer -------------------------------------------------------------------------


def regional(n, regions=3, seed=11):
    mentors, mentees = synthetic.cohort(n, n, rng=seed, regions=regions)
    base = demo_programme()
    return mentors, mentees, replace(base, rules=(*base.rules, rules.SameGroup("region")))


@pytest.mark.parametrize("method", ["auto", "sparse"])
def test_match_splits_by_region_and_reaches_the_optimum(method):
    mentors, mentees, prog = regional(60)
    problem = Problem(mentors, mentees, prog)
    arrays = problem.compile()
    count, total = networkx_one_to_one(arrays.scores, arrays.feasible, "max_matched")
    m = match(mentors, mentees, prog, method=method, rng=0)
    assert int(m.assignment.message.split()[0]) >= 3  # "N independent parts; ..."
    assert m.status == "optimal"
    assert len(m) == count and m.objective == pytest.approx(total, abs=1e-9)
    ids = [(p.mentor, p.mentee) for p in m.pairs]
    assert verify(ids, problem) == []
    region_m = dict(zip(mentors.ids, mentors.attributes["region"], strict=True))
    region_e = dict(zip(mentees.ids, mentees.attributes["region"], strict=True))
    assert all(region_m[a] == region_e[b] for a, b in ids)


def test_match_parts_on_a_process_pool_equal_serial():
    mentors, mentees, prog = regional(40, regions=2)
    serial = match(mentors, mentees, prog, method="sparse", rng=3)
    with ProcessPoolExecutor(2) as procs:
        pooled = match(mentors, mentees, prog, method="sparse", rng=3, executor=procs)
    assert [(p.mentor, p.mentee) for p in pooled.pairs] == [
        (p.mentor, p.mentee) for p in serial.pairs
    ]
    assert pooled.objective == serial.objective and pooled.status == "optimal"


def test_keyed_parts_are_closed_under_allowed_pairs():
    mentors, mentees, prog = regional(50, regions=4)
    problem = Problem(mentors, mentees, prog)
    ok = problem.compile().feasible
    parts = keyed_parts(problem, np.ones(50, bool), np.ones(50, bool))
    assert len(parts) == 4
    label_m, label_e = np.full(50, -1), np.full(50, -1)
    for k, (rows, cols) in enumerate(parts):
        label_m[rows], label_e[cols] = k, k
    r, c = np.nonzero(ok)
    assert (label_m[r] >= 0).all() and (label_m[r] == label_e[c]).all()


def test_keyed_parts_without_keyed_rules_is_one_part():
    mentors, mentees = synthetic.cohort(5, 4, rng=0)
    problem = Problem(mentors, mentees, Programme())
    ((rows, cols),) = keyed_parts(problem, np.ones(5, bool), np.ones(4, bool))
    assert rows.tolist() == list(range(5)) and cols.tolist() == list(range(4))


def test_sub_source_is_the_block_of_its_source():
    rng = np.random.default_rng(2)
    scores, feasible = rng.random((9, 7)), rng.random((9, 7)) < 0.7
    rows, cols = np.array([1, 4, 5, 8]), np.array([0, 2, 6])
    sub = SubSource(DenseSource(scores, feasible), rows, cols)
    whole = DenseSource(scores[np.ix_(rows, cols)], feasible[np.ix_(rows, cols)])
    u, v = rng.random(4), rng.random(3)
    for r in (None, np.array([2, 0])):
        got = sub.screen(r, np.array([1, 2]), u, v)
        assert np.array_equal(got, whole.screen(r, np.array([1, 2]), u, v))
    s, ok = sub.exact(np.array([0, 3]), np.array([2, 1]))
    assert np.array_equal(s, scores[[1, 8], [6, 2]]) and np.array_equal(
        ok, feasible[[1, 8], [6, 2]]
    )


def test_problem_source_of_a_part_screens_like_the_whole():
    mentors, mentees, prog = regional(30)
    problem = Problem(mentors, mentees, prog)
    fixed = np.empty((0, 2), dtype=np.int64)
    whole = ProblemSource(problem, fixed)
    rows, cols = np.arange(3, 20), np.arange(5, 25)
    sub = SubSource(ProblemSource(problem, fixed), rows, cols)
    local = np.arange(len(cols))
    assert np.array_equal(sub.screen(None, local, None, None), whole.screen(rows, cols, None, None))


def test_people_survive_pickling_and_stay_read_only():
    mentors, _ = synthetic.cohort(6, 2, rng=1, regions=2)
    back = pickle.loads(pickle.dumps(mentors))
    assert back.ids.tolist() == mentors.ids.tolist()
    assert np.array_equal(back.offers, mentors.offers)
    assert back.attributes["region"].tolist() == mentors.attributes["region"].tolist()
    assert not back.offers.flags.writeable and not back.attributes["region"].flags.writeable
    with pytest.raises(AttributeError):
        back.ids = None


def test_regions_leave_the_other_columns_unchanged():
    plain, _ = synthetic.cohort(20, 5, rng=4)
    with_regions, _ = synthetic.cohort(20, 5, rng=4, regions=3)
    assert np.array_equal(plain.offers, with_regions.offers)
    assert set(with_regions.attributes["region"]) <= {"R1", "R2", "R3"}
    assert "region" not in plain.attributes


def _ids(m):
    return [(p.mentor, p.mentee) for p in m.pairs]


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
@pytest.mark.parametrize("method", ["auto", "lsa", "flow"])
def test_match_parts_with_required_pairs_and_policies(policy, method):
    mentors, mentees, prog = regional(45)
    problem = Problem(mentors, mentees, prog)
    whole = problem.compile()  # required pairs placed, the rest of the mask
    r, c = np.nonzero(whole.feasible)
    required = [(mentors.ids[r[0]], mentees.ids[c[0]])]
    prog = replace(prog, rules=(*prog.rules, rules.RequiredPairs(required)))
    problem = Problem(mentors, mentees, prog)
    arrays = problem.compile()
    m = match(mentors, mentees, prog, policy=policy, method=method, rng=0)
    assert "independent parts" in m.assignment.message
    assert required[0] in _ids(m)
    assert verify(_ids(m), problem) == []
    free = arrays.feasible & (arrays.mentor_capacity > 0)[:, None] & (arrays.mentee_capacity > 0)
    count, total = networkx_one_to_one(arrays.scores, free, policy)
    fixed_score = float(arrays.scores[tuple(arrays.fixed.T)].sum())
    assert m.objective == pytest.approx(total + fixed_score, abs=1e-9)
    assert m.status == "optimal" and m.bound >= m.objective - 1e-12
    if policy == "max_matched":
        assert len(m) == count + 1


def test_match_parts_with_capacities_on_both_sides():
    mentors, mentees = synthetic.cohort(30, 40, rng=3, regions=2, mentor_capacity=2)
    mentees = People(
        mentees.ids,
        skills=mentees.skills,
        offers=mentees.offers,
        wants=mentees.wants,
        department=mentees.department,
        grade=mentees.grade,
        languages=mentees.languages,
        timezone=mentees.timezone,
        attributes=dict(mentees.attributes),
        capacity=2,
    )
    prog = Programme(rules=[rules.CrossDepartment(), rules.SameGroup("region")])
    problem = Problem(mentors, mentees, prog)
    arrays = problem.compile()
    m = match(mentors, mentees, prog, rng=0)
    assert m.assignment.message.startswith("2 independent parts")
    assert verify(_ids(m), problem) == []
    ref = cpsat(
        np.rint(arrays.scores * 1e6).astype(int),
        arrays.feasible,
        arrays.mentor_capacity,
        arrays.mentee_capacity,
        "max_matched",
    )
    assert len(m) == ref[0]
    assert m.objective == pytest.approx(ref[1] / 1e6, abs=1e-4)


def test_an_unknown_method_is_named_before_parts_are_solved():
    mentors, mentees, prog = regional(20)
    with pytest.raises(ValidationError, match="`method` must be 'auto'"):
        match(mentors, mentees, prog, method="nope")
