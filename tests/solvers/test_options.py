"""The options both entry points share are checked in one place, before any work: each bad
value raises a ValidationError naming the argument, from assign and from match alike."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor

import numpy as np
import pytest

from rm_match import Programme, ValidationError, assign, match, rules, synthetic
from rm_match.solvers.options import DEFAULT_TIME_LIMIT, check_options

BAD = [
    ("policy", "max_pairs", r"`policy` must be one of 'max_matched', 'max_score'; got 'max_pairs'"),
    ("method", "hungarian", r"`method` must be 'auto' or one of"),
    ("time_limit", 0, r"`time_limit` must be a positive number of seconds \(at most .*\) or None"),
    ("time_limit", 1e17, r"`time_limit` must be a positive number of seconds \(at most"),
    ("time_limit", 1e308, r"`time_limit` must be a positive"),
    ("time_limit", -1.0, r"`time_limit` must be a positive"),
    ("time_limit", float("nan"), r"`time_limit` must be a positive"),
    ("time_limit", True, r"`time_limit` must be a positive"),
    ("time_limit", "10", r"`time_limit` must be a positive"),
    (
        "rng",
        "seed",
        r"`rng` must be None, an int seed ≥ 0, a sequence of them or a numpy Generator",
    ),
    ("rng", -1, r"`rng` must be None"),
    ("rng", [[1]], r"`rng` must be None"),
    ("rng", 1.5, r"`rng` must be None"),
    ("workers", 0, r"`workers` must be an integer ≥ 1"),
    ("workers", 2.0, r"`workers` must be an integer ≥ 1"),
    ("workers", True, r"`workers` must be an integer ≥ 1"),
    ("workers", "many", r"`workers` must be an integer ≥ 1"),
    ("workers", 10**6, r"`workers` must be an integer ≥ 1 and ≤ 1024"),
    ("gap_limit", -0.1, r"`gap_limit` must be a relative gap ≥ 0"),
    ("gap_limit", float("inf"), r"`gap_limit` must be a relative gap ≥ 0"),
    ("executor", object(), r"`executor` must be a concurrent.futures.Executor"),
    ("executor", "pool", r"`executor` must be a concurrent.futures.Executor"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD, ids=[f"{b[0]}={b[1]!r}" for b in BAD])
def test_assign_names_the_bad_option(name, value, message):
    with pytest.raises(ValidationError, match=message) as err:
        assign(np.ones((2, 2)), **{name: value})
    assert err.value.argument == name


@pytest.mark.parametrize(("name", "value", "message"), BAD, ids=[f"{b[0]}={b[1]!r}" for b in BAD])
def test_match_names_the_bad_option(name, value, message):
    mentors, mentees = synthetic.cohort(4, 4, rng=0)
    with pytest.raises(ValidationError, match=message) as err:
        match(mentors, mentees, **{name: value})
    assert err.value.argument == name


class _Recording(Executor):
    """An executor that records what it is asked to run (and runs nothing)."""

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        self.submitted += 1
        raise AssertionError("no task may be sent before the options are checked")


def test_bad_options_stop_match_before_any_part_is_sent():
    mentors, mentees = synthetic.cohort(40, 40, rng=2, regions=3)
    prog = Programme(rules=[rules.SameGroup("region")])  # three independent parts
    pool = _Recording()
    for kw in ({"policy": "nope"}, {"time_limit": -1}, {"method": "nope"}, {"workers": 0}):
        with pytest.raises(ValidationError):
            match(mentors, mentees, prog, executor=pool, **kw)
    assert pool.submitted == 0


def test_options_defaults_and_time():
    o = check_options(start=100.0)
    assert (o.policy, o.method, o.time_limit, o.workers, o.gap_limit, o.executor) == (
        "max_matched",
        "auto",
        None,
        1,
        0.0,
        None,
    )
    assert o.limit == DEFAULT_TIME_LIMIT and o.deadline == 100.0 + DEFAULT_TIME_LIMIT
    with ThreadPoolExecutor(1) as pool:
        assert check_options(executor=pool).executor is pool


def test_same_seed_same_generator_stream():
    a = check_options(rng=5).generator.integers(1 << 30, size=4)
    b = check_options(rng=5).generator.integers(1 << 30, size=4)
    assert a.tolist() == b.tolist()
