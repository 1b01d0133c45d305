"""The backend registry: declared capabilities, ``auto``'s choice in preference order, a named
backend that cannot solve the problem saying why, and every backend — goal methods included —
agreeing with a brute-force oracle on the problems it takes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oracles import arrays_problem, brute_force
from rm_match import (
    BACKENDS,
    Programme,
    SolverError,
    ValidationError,
    assign,
    match,
    rules,
    synthetic,
    verify,
)
from rm_match import goals as G
from rm_match.solvers import registry
from rm_match.solvers.registry import Capabilities, Needs, choose

GOAL_METHODS = [name for name, b in BACKENDS.items() if b.capabilities.goals]
EXACT_METHODS = [
    name for name, b in BACKENDS.items() if not (b.capabilities.goals or b.capabilities.stable)
]


def test_every_backend_declares_its_capabilities():
    assert list(BACKENDS) == [
        "sparse",
        "lsa",
        "flow",
        "lp",
        "lagrangian",
        "cpsat",
        "milp",
        "stable",
    ]
    for name, b in BACKENDS.items():
        assert b.name == name
        assert isinstance(b.capabilities, Capabilities)
        assert b.capabilities.goals == (name in ("lp", "lagrangian", "cpsat", "milp"))
        assert b.capabilities.exact == (not b.capabilities.goals)
        assert b.capabilities.stable == (name == "stable")
    assert BACKENDS["sparse"].capabilities.sparse
    assert BACKENDS["lsa"].capabilities.capacities == "one side"
    assert BACKENDS["flow"].capabilities.capacities == "both sides"
    assert BACKENDS["sparse"].capabilities.capacities == "both sides"


@pytest.mark.parametrize(
    ("needs", "chosen"),
    [
        (Needs(50, 60), "lsa"),
        (Needs(50, 60, capacities="one side", expanded=(100, 60)), "lsa"),
        (Needs(50, 60, capacities="both sides"), "flow"),
        (Needs(50, 60, goals=True), "lp"),
        (Needs(50, 60, capacities="both sides", goals=True), "lp"),
        (Needs(3000, 3000), "sparse"),  # 9e6 cells: from SPARSE_MIN_CELLS up
        (Needs(3000, 3000, capacities="both sides"), "sparse"),  # a b-matching too
        (Needs(3000, 3000, goals=True), "lp"),
    ],
)
def test_auto_takes_the_first_capable_backend(needs, chosen):
    assert choose(needs, "auto").name == chosen


def test_auto_prefers_flow_when_expansion_is_too_large(monkeypatch):
    monkeypatch.setattr("rm_match.solvers.lsa.MAX_EXPANDED_CELLS", 10)
    assert choose(Needs(3, 8, capacities="one side", expanded=(9, 8)), "auto").name == "flow"


def test_needs_of_capacities():
    one = np.ones(4, dtype=np.int64)
    assert Needs.of(one, one).capacities == "one-to-one"
    assert Needs.of(one * 2, one).capacities == "one side"
    assert Needs.of(one * 2, one * 3).capacities == "both sides"
    # a capacity above the other side's size can never be used: capped, as the solvers do
    assert Needs.of(np.array([5]), np.array([2, 1])).capacities == "one side"
    assert Needs.of(np.array([5]), np.array([2, 1])).expanded == (2, 2)
    assert Needs.of(np.array([1, 1]), np.array([9])).capacities == "one side"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"mentor_capacity": 2, "mentee_capacity": 2, "method": "lsa"},
            r"method 'lsa' cannot solve this problem: capacities above 1 on both sides",
        ),
        (
            {"goals": [G.Count(at_least=1)], "method": "flow"},
            r"method 'flow' cannot solve this problem: it does not take cohort goals",
        ),
        (
            {"goals": [G.Count(at_least=1)], "method": "lsa"},
            r"method 'lsa' cannot solve this problem: it does not take cohort goals",
        ),
    ],
)
def test_a_named_backend_that_cannot_solve_says_why(kwargs, message):
    scores = np.random.default_rng(0).random((4, 5))
    with pytest.raises(SolverError, match=message) as err:
        assign(scores, **kwargs)
    assert err.value.method == kwargs["method"]


def test_an_unknown_method_lists_the_registered_ones():
    with pytest.raises(ValidationError, match=r"`method` must be 'auto' or one of 'sparse', 'lsa'"):
        assign(np.ones((2, 2)), method="hungarian")
    with pytest.raises(ValidationError, match=r"one of .*'milp', 'stable'; got 'auto ?'"):
        assign(np.ones((2, 2)), method="auto ")


def test_match_checks_the_method_against_the_programme_before_solving():
    mentors, mentees = synthetic.cohort(12, 10, rng=1)
    prog = Programme(goals=[G.Count(at_least=2)])
    with pytest.raises(SolverError, match="does not take cohort goals"):
        match(mentors, mentees, prog, method="lsa")


def test_register_refuses_a_second_backend_of_one_name():
    with pytest.raises(ValueError, match="already registered"):
        registry.register(BACKENDS["lsa"])


def test_a_backend_repr_names_it_and_its_capabilities():
    # (that backends load on first use is tests/test_layers.py::test_import_is_light)
    b = BACKENDS["cpsat"]
    assert "cpsat" in repr(b) and "goals=True" in repr(b) and "exact=False" in repr(b)


@settings(max_examples=30, deadline=None)
@given(
    n_m=st.integers(1, 3),
    n_e=st.integers(1, 3),
    m_cap=st.integers(0, 2),
    e_cap=st.integers(1, 2),
    policy=st.sampled_from(["max_matched", "max_score"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_every_backend_agrees_with_brute_force(n_m, n_e, m_cap, e_cap, policy, seed):
    # the goal methods solve plain problems too (a model with no goal rows): exactly, on
    # problems this small, and they say so
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((n_m, n_e)) * 2 - 0.5, 2)
    feasible = rng.random((n_m, n_e)) < 0.8
    m = np.full(n_m, m_cap)
    e = np.full(n_e, e_cap)
    count, total = brute_force(scores, feasible, m, e, policy)
    needs = Needs.of(m, e)
    for name, b in BACKENDS.items():
        if registry.why_not(b, needs) is not None:
            continue
        a = assign(
            scores,
            feasible,
            mentor_capacity=m,
            mentee_capacity=e,
            policy=policy,
            method=name,
            rng=0,
            time_limit=20,
        )
        assert verify(a.pairs, arrays_problem(scores, feasible, m, e)) == [], name
        assert a.objective == pytest.approx(total, abs=1e-9), name
        if policy == "max_matched":
            assert len(a.pairs) == count, name
        assert a.status == "optimal" and a.bound >= a.objective - 1e-12, name
        assert a.method == name


@pytest.mark.parametrize("method", GOAL_METHODS)
def test_goal_methods_match_the_exact_backends_on_a_plain_cohort(method):
    mentors, mentees = synthetic.cohort(25, 20, rng=4)
    prog = Programme(rules=[rules.CrossDepartment(), rules.SeniorityDirection(1)])
    exact = match(mentors, mentees, prog, rng=0)
    got = match(mentors, mentees, prog, method=method, rng=0, time_limit=30)
    assert got.method == method and got.status == "optimal"
    assert len(got) == len(exact)
    assert got.objective == pytest.approx(exact.objective, abs=1e-9)


def test_auto_stops_at_its_choice():
    """Choosing the sparse path loads no later backend's module (the goal methods' and
    lsa's scipy.optimize cost a first call 0.3 s): in a fresh interpreter."""
    import subprocess
    import sys

    code = (
        "import sys; from rm_match.solvers.registry import BACKENDS, Needs, choose; "
        "b = choose(Needs(3000, 3000), 'auto'); "
        "print(b.name, [n for n, x in BACKENDS.items() if x._impl is not None], "
        "'scipy.optimize' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["sparse", "['sparse']", "False"]
