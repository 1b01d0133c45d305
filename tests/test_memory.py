"""The memory guard: plans are estimated before anything large is allocated, and held to a
budget — a named method over it raises MemoryBudgetError (saying what fits), ``auto`` takes
one that fits (the sparse path instead of a dense compile)."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pytest

from rm_match import Problem, Programme, SolverError, assign, goals, match, rules, synthetic
from rm_match.errors import MemoryBudgetError, ValidationError
from rm_match.solvers import registry
from rm_match.solvers.registry import (
    BACKENDS,
    Needs,
    available_memory,
    check_memory_limit,
    choose,
    estimate,
    memory_budget,
)

MiB = 2**20
GiB = 2**30


def needs(n_m: int, n_e: int, **kw) -> Needs:
    return Needs.of(np.ones(n_m, dtype=int), np.ones(n_e, dtype=int), **kw)


@pytest.fixture
def no_compile(monkeypatch):
    """Fail the test if anything compiles the dense matrix."""

    def refuse(self, keep_terms):
        raise AssertionError("the dense matrix was compiled")

    monkeypatch.setattr(Problem, "_compile", refuse)


@pytest.fixture(scope="module")
def cohort():
    return synthetic.cohort(1000, 1000, rng=3)


# -- the estimates -----------------------------------------------------------------------------


def test_the_issue_case_is_estimated_far_over_any_laptop():
    # issue 17: 60 000 x 60 000 with lsa died allocating the 26.8 GiB score matrix
    big = needs(60_000, 60_000, compile=True)
    assert estimate(BACKENDS["lsa"], big) > 60 * GiB  # scores, mask, costs
    assert estimate(BACKENDS["flow"], big) > 26.8 * GiB * 10  # an arc per pair
    assert estimate(BACKENDS["lp"], needs(60_000, 60_000, goals=True, compile=True)) > 400 * GiB
    assert estimate(BACKENDS["sparse"], big) < 4 * GiB  # never the n x n matrix


def test_estimates_grow_with_the_problem_and_count_the_compile():
    for name in ("lsa", "flow", "sparse"):
        small, large = (estimate(BACKENDS[name], needs(n, n)) for n in (500, 5000))
        assert 0 < small < large
    plain, compiled = needs(3000, 3000), needs(3000, 3000, compile=True)
    for name in ("lsa", "flow"):  # a dense backend under match compiles ~10 bytes per pair
        gap = estimate(BACKENDS[name], compiled) - estimate(BACKENDS[name], plain)
        assert gap >= 9 * 3000 * 3000
    # a capacity expansion costs lsa the expanded matrix
    cap3 = Needs.of(np.full(1000, 3), np.ones(3000, dtype=int))
    assert estimate(BACKENDS["lsa"], cap3) > estimate(BACKENDS["lsa"], needs(1000, 3000))
    # a goal model counts its allowed pairs when known
    few = needs(1000, 1000, goals=True, pairs=10_000)
    assert estimate(BACKENDS["lp"], few) < estimate(BACKENDS["lp"], needs(1000, 1000, goals=True))


def test_estimate_within_a_factor_two_of_the_traced_peak_for_lsa(monkeypatch):
    # numpy's allocations are traced; with lsa's costs built wide and negated, scipy copies
    # nothing, so the traced peak is the whole of it
    monkeypatch.setattr(registry, "MEMORY_LIMIT", math.inf)
    assign(np.ones((2, 2)), method="lsa")  # the backend's modules load outside the trace
    n_m, n_e = 800, 1200
    gen = np.random.default_rng(0)
    scores, feasible = gen.random((n_m, n_e)), gen.random((n_m, n_e)) < 0.8
    for shape in ((n_m, n_e), (n_e, n_m)):  # wide and tall
        s = scores if shape == (n_m, n_e) else scores.T.copy()
        f = feasible if shape == (n_m, n_e) else feasible.T.copy()
        tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        assign(s, f, method="lsa")
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        # float64 scores are used as given (validate makes no copy)
        est = estimate(BACKENDS["lsa"], needs(*shape))
        assert 0.5 <= est / peak <= 2.0, (shape, est / MiB, peak / MiB)


def test_estimate_within_a_factor_two_of_the_traced_peak_for_match(cohort):
    mentors, mentees = cohort
    prog = Programme(rules=[rules.CrossDepartment()])
    match(*synthetic.cohort(3, 3, rng=0), prog, method="lsa")  # modules load untraced
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    match(mentors, mentees, prog, method="lsa")
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    est = estimate(BACKENDS["lsa"], needs(1000, 1000, compile=True))
    assert 0.5 <= est / peak <= 2.0, (est / MiB, peak / MiB)


# -- the budget --------------------------------------------------------------------------------


def test_budget_defaults_to_a_share_of_the_available_memory(monkeypatch):
    avail = available_memory()
    assert avail is None or avail > 0
    if avail is not None:
        assert memory_budget() == pytest.approx(registry.MEMORY_SHARE * available_memory(), 0.2)
    monkeypatch.setattr(registry, "MEMORY_LIMIT", 123 * MiB)
    assert memory_budget() == 123 * MiB
    assert memory_budget(5 * MiB) == 5 * MiB  # the call's own limit first
    assert memory_budget(math.inf) is None  # no check
    monkeypatch.setattr(registry, "available_memory", lambda: None)
    monkeypatch.setattr(registry, "MEMORY_LIMIT", None)
    assert memory_budget() is None  # unknown: no check rather than a guess


def test_memory_limit_is_checked():
    assert check_memory_limit(None) is None
    assert check_memory_limit(2 * GiB) == 2 * GiB
    assert check_memory_limit(math.inf) == math.inf
    for bad in (0, -1, float("nan"), "1G", True):
        with pytest.raises(ValidationError, match="`memory_limit` must be a positive number"):
            check_memory_limit(bad)


def test_choose_skips_what_does_not_fit_and_names_what_does():
    big = needs(20_000, 20_000, compile=True)
    budget = 2 * GiB
    assert choose(big, "auto", budget=budget).name == "sparse"
    assert choose(big, "lsa").name == "lsa"  # no budget, no check
    with pytest.raises(MemoryBudgetError) as info:
        choose(big, "lsa", budget=budget)
    err = info.value
    assert isinstance(err, SolverError)
    assert err.method == "lsa"
    assert err.estimate == estimate(BACKENDS["lsa"], big) > err.budget == budget
    assert err.fits == ("sparse",)
    assert "method 'lsa' would need about" in str(err)
    assert "over the budget of 2.0 GiB" in str(err)
    assert str(err).endswith("'sparse' fits.")
    # below the sparse path's size, auto still takes a dense backend that fits ...
    assert choose(needs(100, 100, compile=True), "auto", budget=budget).name == "lsa"
    # ... and the sparse path when only it fits, however small
    small = needs(1000, 1000, compile=True)
    tight = (estimate(BACKENDS["sparse"], small) + estimate(BACKENDS["lsa"], small)) / 2
    assert estimate(BACKENDS["sparse"], small) < tight < estimate(BACKENDS["lsa"], small)
    assert choose(small, "auto", budget=tight).name == "sparse"


def test_choose_with_goals_says_none_fits_and_what_would_without_them():
    big = needs(20_000, 20_000, goals=True, compile=True)
    with pytest.raises(MemoryBudgetError) as info:
        choose(big, "auto", budget=2 * GiB)
    assert info.value.method is None
    assert info.value.fits == ()
    assert "no method fits: 'lp' would need about" in str(info.value)
    assert "without goals, 'sparse' would fit" in str(info.value)


# -- the entry points, without allocating --------------------------------------------------------


def test_match_with_a_named_dense_method_raises_before_compiling(monkeypatch, cohort, no_compile):
    mentors, mentees = cohort
    monkeypatch.setattr(registry, "MEMORY_LIMIT", 1 * MiB)
    for method in ("lsa", "flow"):
        tracemalloc.start()
        with pytest.raises(MemoryBudgetError, match=f"method '{method}' would need") as info:
            match(mentors, mentees, method=method)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert info.value.method == method
        assert info.value.budget == 1 * MiB
        assert peak < 16 * MiB  # nothing near the n x n matrix was allocated
        assert "J0" not in str(info.value) and "S0" not in str(info.value)  # no ids, no data


def test_match_auto_takes_the_sparse_path_when_the_compile_would_not_fit(
    monkeypatch, cohort, no_compile
):
    mentors, mentees = cohort
    small = needs(1000, 1000, compile=True)
    tight = (estimate(BACKENDS["sparse"], small) + estimate(BACKENDS["lsa"], small)) / 2
    monkeypatch.setattr(registry, "MEMORY_LIMIT", tight)
    prog = Programme(rules=[rules.NoReportingLine()])
    result = match(mentors, mentees, prog)
    assert result.method == "sparse"
    assert result.status == "optimal"
    assert len(result) == 1000


def test_match_parts_are_each_held_to_the_budget(monkeypatch, no_compile):
    # a keyed rule splits the cohort; the parts are checked before any is solved
    mentors, mentees = synthetic.cohort(600, 600, rng=4, regions=3)
    prog = Programme(rules=[rules.SameGroup("region")])
    monkeypatch.setattr(registry, "MEMORY_LIMIT", 1 * MiB)
    with pytest.raises(MemoryBudgetError, match="method 'lsa' would need"):
        match(mentors, mentees, prog, method="lsa")


def test_match_with_goals_raises_before_compiling(monkeypatch, cohort, no_compile):
    mentors, mentees = cohort
    monkeypatch.setattr(registry, "MEMORY_LIMIT", 16 * MiB)
    prog = Programme(goals=[goals.Share(cross="gender", at_least=0.4)])
    # goals on groups: auto prices them over the screen instead (no compile either)
    m = match(mentors, mentees, prog)
    assert m.assignment.method == "sparse goals" and m.goals[0].met
    cover = Programme(goals=[goals.Coverage("department", k=1)])  # indicator rows
    with pytest.raises(MemoryBudgetError, match="no method fits: 'lp'") as info:
        match(mentors, mentees, cover)
    assert info.value.fits == ()
    for method in ("lp", "cpsat"):
        with pytest.raises(MemoryBudgetError, match=f"method '{method}' would need") as info:
            match(mentors, mentees, prog, method=method)
        assert info.value.method == method


def test_assign_named_methods_are_held_to_the_budget(monkeypatch):
    scores = np.random.default_rng(0).random((400, 400))
    monkeypatch.setattr(registry, "MEMORY_LIMIT", 1 * MiB)
    for method in ("lsa", "flow"):
        with pytest.raises(MemoryBudgetError, match=f"method '{method}'"):
            assign(scores, method=method)
    with pytest.raises(MemoryBudgetError, match="method 'lp'"):
        assign(scores, method="lp", goals=[goals.Count(at_least=1)])
    # within the budget all is as before
    monkeypatch.setattr(registry, "MEMORY_LIMIT", math.inf)
    assert assign(scores, method="lsa").n_matched == 400


def test_assign_checks_each_independent_part(monkeypatch):
    # two blocks with no allowed pair between them: each part is held to the budget, and a
    # budget the parts fit but the whole would not lets the solve go ahead
    n = 600
    scores = np.random.default_rng(1).random((2 * n, 2 * n))
    feasible = np.zeros((2 * n, 2 * n), dtype=bool)
    feasible[:n, :n] = feasible[n:, n:] = True
    whole, part = (estimate(BACKENDS["lsa"], needs(k, k)) for k in (2 * n, n))
    monkeypatch.setattr(registry, "MEMORY_LIMIT", (whole + part) / 2)
    assert assign(scores, feasible, method="lsa").n_matched == 2 * n
    monkeypatch.setattr(registry, "MEMORY_LIMIT", part / 2)
    with pytest.raises(MemoryBudgetError, match=f"for {n} mentors × {n} mentees"):
        assign(scores, feasible, method="lsa")


def test_a_part_compiles_blockwise_to_the_arrays_of_the_whole(monkeypatch):
    # a part of a split cohort is compiled a block of rows at a time (term arrays for one
    # block only), and to the same scores and mask as the whole compile's
    import rm_match.problem as problem_module

    mentors, mentees = synthetic.cohort(40, 30, rng=5)
    prog = Programme(
        rules=[
            rules.CrossDepartment(),
            rules.NoReportingLine(),
            rules.RequiredPairs([(mentors.ids[3], mentees.ids[7])]),
        ]
    )
    whole = Problem(mentors, mentees, prog).compile(keep_terms=False)
    monkeypatch.setattr(problem_module, "_BLOCK_ELEMENTS", 50)  # two rows per block
    rows = np.array([1, 3, 5, 8, 13, 21, 34])
    cols = np.array([0, 2, 7, 9, 29])
    scores, ok = Problem(mentors, mentees, prog).block(rows, cols)
    # (to rounding: the learning term's matrix product may sum in another order per shape)
    np.testing.assert_allclose(scores, whole.scores[np.ix_(rows, cols)], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ok, whole.feasible[np.ix_(rows, cols)])
    assert not ok[1, 2]  # the required pair is placed already
