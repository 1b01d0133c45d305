"""Every public entry point against one list of hostile values.

Each argument of each entry point gets every value of :data:`HOSTILE`. A value listed as
valid for that argument must work; every other value must raise a
:class:`~rm_match.ValidationError` (also a ``ValueError``) that names an argument, or,
where listed, an :class:`~rm_match.InfeasibleError` (a well-formed goal that cannot hold).
Nothing else: no numpy, Python or solver exception, no silent acceptance of garbage.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import rm_match as rm
from rm_match import goals as G
from rm_match import rules as R

HOSTILE: dict[str, Any] = {
    "None": None,
    "True": True,
    "0": 0,
    "-1": -1,
    "2**64": 2**64,
    "1.5": 1.5,
    "nan": math.nan,
    "inf": math.inf,
    "complex": 1 + 2j,
    "str": "x",
    "empty_str": "",
    "bytes": b"x",
    "[]": [],
    "[[]]": [[]],
    "{}": {},
    "dict": {"a": 1},
    "object": object(),
    "np_str": np.array("x"),
    "3d": np.zeros((2, 2, 2)),
    "lambda": lambda: 1,
    "nan_array": np.array([np.nan, 1.0]),
    "str_list": ["a", "b"],
    "np_int": np.int64(3),
    "neg_list": [-1, 2],
}

MENTORS, MENTEES = rm.synthetic.cohort(3, 3, rng=0)
PROBLEM = rm.Problem(MENTORS, MENTEES)
SCORES = np.array([[0.3, 0.5], [0.4, 0.2]])
GROUPS = (np.array([0, 1]), np.array([1, 0]))
SKILLS = ["s1", "s2"]


def _people(**kw: Any) -> rm.People:
    base: dict[str, Any] = {
        "skills": SKILLS,
        "offers": [[0.1, 0.2], [0.3, 0.4]],
        "wants": [[0.5, 0.1], [0.2, 0.2]],
        "department": ["A", "B"],
        "grade": [1, 2],
        "timezone": [0, 1],
        "attributes": {"g": ["x", "y"]},
    }
    base.update(kw)
    return rm.People(["p1", "p2"], **base)


_OTHER = rm.People(
    ["q1", "q2"],
    skills=SKILLS,
    offers=[[0.1, 0.2], [0.3, 0.4]],
    wants=[[0.5, 0.1], [0.2, 0.2]],
    department=["A", "B"],
    grade=[1, 2],
    timezone=[0, 1],
    attributes={"g": ["x", "y"]},
)


def _run(result: object) -> None:
    """An accepted value gives an answer: a solved result, or what it builds."""
    if isinstance(result, (rm.Matching, rm.Assignment)):
        assert result.status in ("optimal", "feasible")


# (entry point, argument) -> (call taking the value, valid values, values that are infeasible)
Case = tuple[Callable[[Any], object], set[str], set[str]]
CASES: dict[str, Case] = {}


def case(name: str, call: Callable[[Any], object], valid: set[str], infeasible=frozenset()):
    CASES[name] = (call, valid, set(infeasible))


def _kw(fn: Callable[..., object], arg: str, **base: Any) -> Callable[[Any], object]:
    return lambda v: fn(**{**base, arg: v})


# -- assign ------------------------------------------------------------------------------------
case("assign.scores", lambda v: rm.assign(v), {"[[]]"})
case("assign.feasible", lambda v: rm.assign(SCORES, v), {"None"})
for side in ("mentor_capacity", "mentee_capacity"):
    case(f"assign.{side}", _kw(rm.assign, side, scores=SCORES), {"0", "2**64", "np_int"})
for arg, valid in {
    "policy": set(),
    "method": set(),
    "time_limit": {"None", "1.5", "np_int"},
    "rng": {"None", "0", "2**64", "[]", "np_int"},
    "goals": {"None", "[]"},
    "workers": {"np_int"},
    "gap_limit": {"None", "0", "2**64", "1.5", "np_int"},
    "executor": {"None"},
}.items():
    case(f"assign.{arg}", _kw(rm.assign, arg, scores=SCORES), valid)

# -- match and Problem ---------------------------------------------------------------------------
case("match.mentors", lambda v: rm.match(v, MENTEES), set())
case("match.mentees", lambda v: rm.match(MENTORS, v), set())
case("match.programme", lambda v: rm.match(MENTORS, MENTEES, v), {"None"})
case("match.org_chart", lambda v: rm.match(MENTORS, MENTEES, org_chart=v), {"None", "{}"})
for arg, valid in {
    "policy": set(),
    "method": set(),
    "time_limit": {"None", "1.5", "np_int"},
    "rng": {"None", "0", "2**64", "[]", "np_int"},
    "workers": {"np_int"},
    "gap_limit": {"None", "0", "2**64", "1.5", "np_int"},
    "executor": {"None"},
}.items():
    case(f"match.{arg}", lambda v, a=arg: rm.match(MENTORS, MENTEES, **{a: v}), valid)
case("Problem.programme", lambda v: rm.Problem(MENTORS, MENTEES, v), {"None"})
for method in ("scores", "allowed", "terms"):
    case(f"Problem.{method}.mi", lambda v, f=method: getattr(PROBLEM, f)(v, [0]), {"[]"})
    case(f"Problem.{method}.ei", lambda v, f=method: getattr(PROBLEM, f)([0], v), {"[]"})
case("Problem.permitted.mi", lambda v: PROBLEM.permitted(v, []), {"[]"})
case("Problem.block.rows", lambda v: PROBLEM.block(v, [0, 1]), {"[]"})

# -- People --------------------------------------------------------------------------------------
case("People.ids", lambda v: rm.People(v, skills=SKILLS), {"[]", "str_list", "neg_list"})
for arg, valid in {
    "skills": set(),  # the other side's skills are s1, s2
    "offers": {"None"},
    "wants": {"None"},
    "department": {"None", "str_list"},
    "grade": {"None", "neg_list"},
    "manager": {"None"},
    "languages": {"None", "str_list"},
    "timezone": {"None", "neg_list", "nan_array"},  # NaN: a missing time zone
    "interests": {"None", "str_list"},
    "attributes": {"None", "{}"},
    "capacity": {"0", "np_int"},
}.items():
    case(f"People.{arg}", lambda v, a=arg: rm.match(_people(**{a: v}), _OTHER), valid)
case("from_records.records", lambda v: rm.People.from_records(v, skills=SKILLS), {"[]"})
case(
    "from_records.skills",
    lambda v: rm.People.from_records([{"id": 1}], skills=v),
    {"[]", "str_list"},
)

# -- Programme and rules -------------------------------------------------------------------------
for arg, valid in {
    "rules": {"[]"},
    "weights": {"None"},
    "skill_weights": {"None", "{}"},
    "reverse_weight": {"0", "2**64", "1.5", "np_int"},
    "diversity_attributes": {"[]"},
    "goals": {"[]"},
}.items():
    case(
        f"Programme.{arg}",
        lambda v, a=arg: rm.match(MENTORS, MENTEES, rm.Programme(**{a: v})),
        valid,
    )
for rule, arg, valid in (
    (R.ExcludePrevious, "pairs", {"[]"}),
    (R.ForbiddenPairs, "pairs", {"[]"}),
    (R.RequiredPairs, "pairs", {"[]"}),
    (R.MaxTimezoneDiff, "hours", {"0", "1.5", "np_int"}),
    (R.NoReportingLine, "depth", {"2**64", "np_int"}),
    (R.SameGroup, "attribute", set()),
    (R.SeniorityDirection, "min_gap", {"0", "-1", "2**64", "np_int"}),
):
    case(
        f"{rule.__name__}.{arg}",
        lambda v, r=rule, a=arg: rm.match(MENTORS, MENTEES, rm.Programme(rules=[r(**{a: v})])),
        valid,
    )


# -- goals (through match, and through assign with group codes) ----------------------------------
def _goal(cls: type, arg: str, **base: Any) -> Callable[[Any], object]:
    return lambda v: rm.match(
        MENTORS, MENTEES, rm.Programme(goals=[cls(**{**base, arg: v})]), time_limit=10
    )


def _goal_arrays(cls: type, arg: str, **base: Any) -> Callable[[Any], object]:
    return lambda v: rm.assign(SCORES, goals=[cls(**{**base, arg: v})], time_limit=10)


GOALS: list[tuple[type, str, dict[str, Any], set[str], set[str]]] = [
    (G.Count, "cross", {"at_least": 1}, {"None"}, set()),
    (G.Count, "same", {"at_least": 1}, {"None"}, set()),
    (G.Count, "pairs", {"at_least": 1}, {"None"}, set()),
    (G.Count, "at_least", {}, {"0", "np_int"}, {"2**64"}),
    (G.Count, "at_most", {}, {"0", "2**64", "np_int"}, set()),
    (G.Share, "cross", {"at_least": 0.1}, set(), set()),
    (G.Share, "same", {"at_least": 0.1}, set(), set()),
    (G.Share, "pairs", {"at_least": 0.1}, set(), set()),
    (G.Share, "at_least", {"cross": "gender"}, {"0"}, set()),
    (G.Share, "at_most", {"cross": "gender"}, {"0"}, set()),
    (G.Coverage, "groups", {}, set(), set()),
    (G.Coverage, "k", {}, {"0", "2**64", "np_int"}, set()),
    (G.Coverage, "exclude_own", {}, {"True"}, set()),
    (G.EveryoneMatched, "side", {}, set(), set()),
    (G.MinPairScore, "weight", {}, {"None", "0", "2**64", "1.5", "np_int"}, set()),
    (G.Representation, "groups", {}, set(), set()),
    (G.Representation, "side", {}, set(), set()),
    (G.Representation, "floor", {}, {"None", "0", "{}"}, set()),
    (G.Spread, "groups", {"at_most": 2}, set(), set()),
    (G.Spread, "at_most", {}, {"0", "2**64", "np_int"}, set()),
    (G.Spread, "at_most_share", {}, {"0"}, set()),
    (G.Spread, "symmetric", {"at_most": 2}, {"True"}, set()),
]
for cls, arg, base, valid, infeasible in GOALS:
    case(f"{cls.__name__}.{arg}", _goal(cls, arg, **base), valid, infeasible)
for cls, base in ((G.Coverage, {}), (G.Representation, {}), (G.Spread, {"at_most": 1})):
    case(f"{cls.__name__}.groups@assign", _goal_arrays(cls, "groups", **base), set())
case("Count.pairs@assign", _goal_arrays(G.Count, "pairs", at_least=1), {"None"})
case("Count.at_least@assign", _goal_arrays(G.Count, "at_least"), {"0"}, {"2**64", "np_int"})
case(
    "Representation.floor@assign",
    _goal_arrays(G.Representation, "floor", groups=GROUPS),
    {"None", "0", "{}"},
)

# -- verify and the synthetic cohorts ------------------------------------------------------------
case("verify.pairs", lambda v: rm.verify(v, PROBLEM), {"[]"})
case("verify.problem", lambda v: rm.verify([], v), set())
for arg, valid in {
    "n_mentors": {"0", "np_int"},
    "n_mentees": {"0", "np_int"},
    "rng": {"None", "0", "2**64", "[]", "np_int"},
    "mentor_capacity": {"0", "np_int"},
    "regions": {"0", "np_int"},
    "skills": {"np_int"},
}.items():
    case(
        f"cohort.{arg}",
        lambda v, a=arg: rm.synthetic.cohort(**{"n_mentors": 3, "n_mentees": 3, a: v}),
        valid,
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_hostile_value_is_named_or_valid(name: str) -> None:
    call, valid, infeasible = CASES[name]
    assert valid | infeasible <= set(HOSTILE), "the case names a value the battery lacks"
    wrong = []
    for label, value in HOSTILE.items():
        try:
            result = call(value)
        except rm.ValidationError as exc:
            if label in valid or label in infeasible:
                wrong.append(f"{label}: rejected ({exc})")
            elif not (isinstance(exc, ValueError) and exc.argument):
                wrong.append(f"{label}: the error names no argument ({exc})")
        except rm.InfeasibleError as exc:
            if label not in infeasible:
                wrong.append(f"{label}: infeasible ({exc})")
        except Exception as exc:  # the point: nothing else may escape
            wrong.append(f"{label}: raw {type(exc).__name__}: {exc}")
        else:
            if label not in valid:
                wrong.append(f"{label}: silently accepted")
            else:
                _run(result)
    assert not wrong, "\n".join(wrong)


# -- the cases of the report that asked for this battery, one by one ------------------------------


@pytest.mark.parametrize(
    ("scores", "kind"),
    [
        (np.array([["1", "2"], ["3", "4"]]), "string"),
        (np.array([[True, False], [False, True]]), "boolean"),
        (np.array([[1 + 1j, 2], [3, 4]]), "complex"),
    ],
)
def test_scores_that_are_not_real_numbers_are_named(scores, kind):
    with pytest.raises(rm.ValidationError, match=f"real numbers; got {kind} entries") as err:
        rm.assign(scores)
    assert err.value.argument == "scores"


def test_huge_capacities_are_exact():
    """2**63 and uint64's largest value mean 'unbounded': the same answer as capacity n."""
    scores = np.array([[0.3, 0.5], [0.4, 0.2]])
    want = rm.assign(scores, mentor_capacity=2).pairs.tolist()
    assert rm.assign(scores, mentor_capacity=2**63).pairs.tolist() == want
    big = np.array([2**64 - 1, 2**64 - 1], dtype=np.uint64)
    assert rm.assign(scores, mentor_capacity=big).pairs.tolist() == want
    with pytest.raises(rm.ValidationError, match="entry 1 is negative"):
        rm.assign(scores, mentor_capacity=np.array([1, -1], dtype=np.int8))


def test_a_method_that_cannot_solve_the_whole_programme_says_so_even_when_it_splits():
    """lsa cannot take capacities on both sides; a split cohort is no excuse to switch."""
    mentors, mentees = rm.synthetic.cohort(12, 12, rng=1, regions=3, mentor_capacity=2)
    mentees = rm.People(
        mentees.ids,
        skills=mentees.skills,
        offers=mentees.offers,
        wants=mentees.wants,
        attributes=dict(mentees.attributes),
        capacity=2,
    )
    prog = rm.Programme(rules=[R.SameGroup("region")])
    with pytest.raises(rm.SolverError, match="method 'lsa' cannot solve this problem"):
        rm.match(mentors, mentees, prog, method="lsa")
    with pytest.raises(rm.ValidationError, match="`executor` must be") as err:
        rm.match(mentors, mentees, prog, executor="pool")
    assert err.value.argument == "executor"


def test_count_infeasibility_gives_the_most_pairs_any_assignment_reaches():
    with pytest.raises(rm.InfeasibleError, match="needs 10 but at most 3 are possible"):
        rm.assign(np.ones((3, 3)), goals=[G.Count(at_least=10)])


def test_validated_tables_are_read_only_mappings_included():
    mentors = rm.People(["a", "b"], attributes={"g": ["x", "y"]})
    with pytest.raises(TypeError):
        mentors.attributes["g"] = np.array(["x"], dtype=object)  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        mentors.attributes["g"][0] = "z"
    with pytest.raises(AttributeError, match="immutable"):
        mentors.attributes = {}  # type: ignore[misc]
    for column in (mentors.ids, mentors.offers, mentors.wants, mentors.capacity):
        assert not column.flags.writeable


def test_verify_refuses_what_is_not_a_list_of_pairs():
    with pytest.raises(rm.ValidationError, match="`pairs` must be a Matching or an iterable"):
        rm.verify(5, PROBLEM)
    with pytest.raises(rm.ValidationError, match=r"entry 0 must be a .* pair; got 3 items"):
        rm.verify([("J0001", "S0001", "x")], PROBLEM)


def test_time_limits_beyond_a_year_are_named_not_overflowed():
    for limit in (1e17, 1e308):
        with pytest.raises(rm.ValidationError, match="`time_limit` must be a positive"):
            rm.assign(SCORES, goals=[G.Count(at_least=1)], time_limit=limit)


@pytest.mark.parametrize("entry", ["assign", "match"])
def test_memory_limit_is_an_argument_of_both_entry_points(entry):
    def call(**kw: Any) -> object:
        if entry == "assign":
            return rm.assign(np.ones((40, 40)), **kw)
        return rm.match(MENTORS, MENTEES, **kw)

    for bad in (0, -1.0, math.nan, "1GB", True, None.__class__):
        with pytest.raises(rm.ValidationError, match="`memory_limit` must be") as err:
            call(memory_limit=bad)
        assert err.value.argument == "memory_limit"
    with pytest.raises(rm.MemoryBudgetError) as err:
        call(memory_limit=100.0, method="lsa")  # bytes: nothing fits
    assert isinstance(err.value, rm.SolverError) and err.value.budget == 100.0
    assert call(memory_limit=math.inf).status == "optimal"


def test_a_0_1_integer_mask_is_a_mask_and_other_integers_are_named():
    mask = np.array([[1, 0], [1, 1]])
    want = rm.assign(SCORES, mask.astype(bool)).pairs.tolist()
    assert rm.assign(SCORES, mask).pairs.tolist() == want == [[0, 0], [1, 1]]
    with pytest.raises(rm.ValidationError, match=r"entry \(1, 0\) is neither 0 nor 1") as err:
        rm.assign(SCORES, np.array([[1, 0], [2, 1]]))
    assert err.value.argument == "feasible"
