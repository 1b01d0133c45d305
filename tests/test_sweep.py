"""Sweeps, Pareto fronts and rule prices (:mod:`rm_match.sweeps`): every point against an
independent :func:`rm_match.match` call, executors against the serial run, the Pareto front
against brute force on a tiny cohort, and one ``pytest.raises(match=...)`` per message."""

from __future__ import annotations

import itertools
import logging
import math
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest

import rm_match as rm
from rm_match import goals as G
from rm_match import rules as R
from rm_match.sweeps import ParetoFront, RulePrices, SweepResult, pareto, price_of_rules, sweep

N = 40


@pytest.fixture(scope="module")
def cohort() -> tuple[rm.People, rm.People]:
    return rm.synthetic.cohort(N, N, rng=11)


@pytest.fixture(scope="module")
def prog() -> rm.Programme:
    # diversity on generation only: the cross-gender goal binds from about half the pairs
    return rm.Programme(
        rules=[R.CrossDepartment(), R.NoReportingLine(), R.SeniorityDirection(1)],
        diversity_attributes=("generation",),
        goals=[G.Share(cross="gender", at_least=0.5)],
    )


def _same_as_match(s: SweepResult, mentors: rm.People, mentees: rm.People) -> None:
    """Each point equals an independent match of its programme: objective, pairs count,
    status, goals and term means."""
    for row, pairs, programme in zip(s.rows, s.pairs, s.programmes, strict=True):
        ref = rm.match(mentors, mentees, programme, rng=0)
        assert row["status"] in ("optimal", "feasible")
        assert row["objective"] == pytest.approx(ref.objective, rel=1e-6, abs=1e-9)
        assert row["gap"] <= 1e-6 and ref.gap <= 1e-6
        assert row["pairs"] == len(ref) == len(pairs)
        assert (
            rm.verify(_ids(pairs, mentors, mentees), rm.Problem(mentors, mentees, programme)) == []
        )
        for check in ref.goals:
            if check.value is not None:
                assert row[f"goal:{check.goal}"] == pytest.approx(check.value)
        problem = rm.Problem(mentors, mentees, programme)
        terms = problem.terms(pairs[:, 0], pairs[:, 1], outer=False)
        for name, values in terms.items():
            assert row[f"term:{name}"] == pytest.approx(float(values.mean()), abs=1e-9)


def _ids(pairs: np.ndarray, mentors: rm.People, mentees: rm.People) -> list[tuple]:
    return [(mentors.ids[m], mentees.ids[e]) for m, e in pairs.tolist()]


# -- each vary kind against match ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("vary", "values"),
    [
        ("goal:0.at_least", [0.0, 0.5, 0.6, 0.7]),
        ("goal:share_cross_gender.at_least", [0.55, 0.65]),
        ("weight:learning", [0.0, 0.5, 3.0]),
        ("weight:diversity", [0.0, 1.0]),
        ("reverse_weight", [0.0, 0.5, 2.0]),
        ("rule:cross_department", [True, False]),
        ("rule:seniority_direction", [False, True]),
        ("rule:cross_department", [False, True, True]),
    ],
)
def test_points_equal_match(cohort, prog, vary, values) -> None:
    mentors, mentees = cohort
    s = sweep(mentors, mentees, prog, vary=vary, values=values, rng=0)
    assert s.vary == vary and len(s) == len(values)
    assert [r["value"] for r in s.rows] == list(s.values)
    _same_as_match(s, mentors, mentees)


def test_goal_levels_with_a_gap_limit_equal_match(cohort, prog) -> None:
    """The levels share what the goal row's dual met (a memo): each point is still the
    answer ``match`` gives with the same gap limit (pairs and all)."""
    mentors, mentees = cohort
    levels = [0.5, 0.6, 0.7, 0.8]
    s = sweep(mentors, mentees, prog, vary="goal:0.at_least", values=levels, rng=0, gap_limit=1e-3)
    for row, pairs, programme in zip(s.rows, s.pairs, s.programmes, strict=True):
        ref = rm.match(mentors, mentees, programme, rng=0, gap_limit=1e-3)
        assert row["objective"] == pytest.approx(ref.objective, rel=1e-12, abs=1e-12)
        assert row["status"] == ref.status and row["gap"] <= 1e-3
        assert sorted(_ids(pairs, mentors, mentees)) == sorted(ref.id_pairs)
        problem = rm.Problem(mentors, mentees, programme)
        assert rm.verify(_ids(pairs, mentors, mentees), problem) == []


def test_large_cohort_without_goals_is_solved_as_match(cohort, prog, monkeypatch) -> None:
    """Where match's sparse path would solve each point (no dense compile to reuse), each
    point is solved as match solves it: here forced on a small cohort."""
    module = sys.modules["rm_match.sweeps"]
    monkeypatch.setattr(module, "_direct_pays", lambda *a: True)
    mentors, mentees = cohort
    free = replace(prog, goals=[])
    for vary, values in (("weight:learning", [0.5, 2.0]), ("rule:cross_department", [True, False])):
        s = sweep(mentors, mentees, free, vary=vary, values=values, rng=0)
        _same_as_match(s, mentors, mentees)
        assert s.rows[0]["changed"] == 0


def test_weight_of_a_term_not_compiled(cohort) -> None:
    """A term the programme does not weigh is compiled for the sweep (its data must exist)."""
    mentors, mentees = cohort
    base = rm.Programme(weights={"learning": 1.0})
    s = sweep(mentors, mentees, base, vary="weight:timezone", values=[0.0, 0.5])
    assert "term:timezone" in s.rows[0]
    _same_as_match(s, mentors, mentees)


def test_rule_toggle_with_required_pairs(cohort) -> None:
    """Turning a required-pairs rule off changes the placement: each point as match places."""
    mentors, mentees = cohort
    problem = rm.Problem(mentors, mentees, rm.Programme(rules=[R.CrossDepartment()]))
    ok = np.argwhere(problem.compile(keep_terms=False).feasible)[:1]
    pair = (mentors.ids[ok[0, 0]], mentees.ids[ok[0, 1]])
    prog = rm.Programme(rules=[R.CrossDepartment(), R.RequiredPairs([pair])])
    s = sweep(mentors, mentees, prog, vary="rule:required_pairs", values=[True, False])
    _same_as_match(s, mentors, mentees)
    required = (int(ok[0, 0]), int(ok[0, 1]))
    assert required in {tuple(p) for p in s.pairs[0].tolist()}


def test_changed_counts_pairs_not_in_the_first(cohort, prog) -> None:
    mentors, mentees = cohort
    s = sweep(mentors, mentees, prog, vary="goal:0.at_least", values=[0.0, 0.6, 0.8], rng=0)
    first = {tuple(p) for p in s.pairs[0].tolist()}
    for row, pairs in zip(s.rows, s.pairs, strict=True):
        assert row["changed"] == sum(tuple(p) not in first for p in pairs.tolist())
    assert s.rows[0]["changed"] == 0 and s.rows[2]["changed"] > 0
    # the level no answer needs: the best assignment, solved once for the sweep
    assert "solved once" in s.rows[0]["message"] and "solved once" not in s.rows[2]["message"]


def test_a_generator_seeds_each_point(cohort, prog) -> None:
    mentors, mentees = cohort
    kw = {"vary": "goal:0.at_least", "values": [0.6, 0.7]}
    a = sweep(mentors, mentees, prog, rng=np.random.default_rng(5), **kw)
    b = sweep(mentors, mentees, prog, rng=np.random.default_rng(5), **kw)
    assert _plain(a.rows) == _plain(b.rows)


def test_infeasible_point_is_a_row(cohort, prog) -> None:
    mentors, mentees = cohort
    s = sweep(
        mentors,
        mentees,
        replace(prog, goals=[G.Count(at_least=1)]),
        vary="goal:0.at_least",
        values=[1, 10 * N],
    )
    assert s.rows[0]["status"] == "optimal"
    assert s.rows[1]["status"] == "infeasible" and math.isnan(s.rows[1]["objective"])
    assert "goal" in s.rows[1]["message"] and len(s.pairs[1]) == 0
    assert math.isnan(s.rows[1]["changed"])


def test_to_frame(cohort, prog) -> None:
    mentors, mentees = cohort
    s = sweep(mentors, mentees, prog, vary="reverse_weight", values=[0.0, 1.0])
    frame = s.to_frame()
    assert list(frame["value"]) == [0.0, 1.0] and "term:learning" in frame.columns
    assert repr(s) == "SweepResult(vary='reverse_weight', points=2)"


# -- executors and progress ---------------------------------------------------------------------


def _plain(rows: tuple[dict, ...]) -> list[dict]:
    return [{k: v for k, v in r.items() if k not in ("time", "message")} for r in rows]


def test_executors_give_the_serial_rows(cohort, prog) -> None:
    mentors, mentees = cohort
    kw = {"vary": "goal:0.at_least", "values": [0.0, 0.6, 0.7], "rng": 0}
    serial = sweep(mentors, mentees, prog, **kw)
    with ThreadPoolExecutor(2) as threads:
        threaded = sweep(mentors, mentees, prog, executor=threads, **kw)
    with ProcessPoolExecutor(2) as processes:
        pooled = sweep(mentors, mentees, prog, executor=processes, **kw)
        weighed = sweep(
            mentors, mentees, prog, vary="weight:learning", values=[0.5, 2.0], executor=processes
        )
    for other in (threaded, pooled):
        assert _plain(other.rows) == _plain(serial.rows)
        for a, b in zip(other.pairs, serial.pairs, strict=True):
            np.testing.assert_array_equal(a, b)
    alone = sweep(mentors, mentees, prog, vary="weight:learning", values=[0.5, 2.0])
    assert _plain(weighed.rows) == _plain(alone.rows)


def test_an_executor_gets_consecutive_goal_points_in_pairs(cohort, prog) -> None:
    """Consecutive points with goals go to an executor two by two (they share the goal
    row's dual there); points without goals one by one."""
    from rm_match.sweeps import _chunks

    class P:
        def __init__(self, goals: bool) -> None:
            self.goals = (object(),) if goals else ()

    points = [P(g) for g in (True, True, True, False, True, True)]
    assert _chunks([0, 1, 2, 3, 4, 5], points) == [[0, 1], [2], [3], [4, 5]]
    assert _chunks([0, 2, 4, 5], points) == [[0], [2], [4, 5]]  # 1 was served already


def test_a_dask_cluster_gives_the_serial_rows(cohort, prog) -> None:
    # any concurrent.futures.Executor will do: here a Dask client's, on a local cluster
    distributed = pytest.importorskip("distributed")
    mentors, mentees = cohort
    kw = {"vary": "goal:0.at_least", "values": [0.0, 0.6, 0.7], "rng": 0}
    serial = sweep(mentors, mentees, prog, **kw)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = sweep(mentors, mentees, prog, executor=client.get_executor(), **kw)
    assert _plain(on_dask.rows) == _plain(serial.rows)
    for a, b in zip(on_dask.pairs, serial.pairs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_progress_bar_with_tqdm_and_plain_lines_without(cohort, prog, capsys, monkeypatch) -> None:
    auto = pytest.importorskip("tqdm.auto")
    steps: list[int] = []
    closed: list[bool] = []

    class Spy(auto.tqdm):
        def update(self, n=1):
            steps.append(n)
            return super().update(n)

        def close(self):
            closed.append(True)
            return super().close()

    mentors, mentees = cohort
    kw = {"vary": "goal:0.at_least", "values": [0.0, 0.4], "rng": 0}
    with monkeypatch.context() as m:
        m.setattr(auto, "tqdm", Spy)
        sweep(mentors, mentees, prog, progress=True, **kw)
    err = capsys.readouterr().err
    assert "sweep" in err and "/2" in err  # the bar on stderr: the stage and the total
    assert sum(steps) == 2 and closed  # one step per point, and the bar closed
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # as if the extra were not installed
    sweep(mentors, mentees, prog, progress=True, **kw)
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(":")[0] for line in lines] == ["rm_match sweep 1/2", "rm_match sweep 2/2"]
    for line in lines:  # counts and statuses, no participant's data
        assert not any(pid in line for pid in (*mentors.ids, *mentees.ids))


def test_progress_one_event_per_point_and_no_log(cohort, prog, caplog) -> None:
    mentors, mentees = cohort
    events: list = []
    with caplog.at_level(logging.DEBUG, logger="rm_match"):
        sweep(
            mentors,
            mentees,
            prog,
            vary="goal:0.at_least",
            values=[0.0, 0.4, 0.6],
            progress=events.append,
            rng=0,
        )
    assert [(e.stage, e.done, e.total) for e in events] == [("sweep", k, 3) for k in (1, 2, 3)]
    assert not [r for r in caplog.records if r.name == "rm_match.sweeps"]
    assert not [r for r in caplog.records if "sweep" in r.getMessage()]


# -- price of each rule and goal ----------------------------------------------------------------


def test_price_of_rules_equals_separate_matches(cohort, prog) -> None:
    mentors, mentees = cohort
    p = price_of_rules(mentors, mentees, prog, rng=0)
    assert isinstance(p, RulePrices)
    whole = rm.match(mentors, mentees, prog, rng=0)
    assert p.objective == pytest.approx(whole.objective, rel=1e-6)
    assert p.pairs == len(whole) and p.status == whole.status
    assert [(r["name"], r["kind"]) for r in p.rows] == [
        *((label, "rule") for label in prog.rule_names),
        ("share_cross_gender", "goal"),
    ]
    for i, row in enumerate(p.rows):
        if row["kind"] == "rule":
            rules = [r for j, r in enumerate(prog.rules) if j != i]
            without = replace(prog, rules=rules)
        else:
            without = replace(prog, goals=[])
        ref = rm.match(mentors, mentees, without, rng=0)
        assert row["objective_without"] == pytest.approx(ref.objective, rel=1e-6)
        assert row["pairs_without"] == len(ref)
        assert row["price"] == pytest.approx(ref.objective - whole.objective, abs=1e-6)
    assert list(p.to_frame()["name"]) == [r["name"] for r in p.rows]


# -- Pareto front against brute force -----------------------------------------------------------


def _brute_force(mentors, mentees, programme, x_of, y_of) -> list[tuple[float, float]]:
    """(x, y) of every answer with the most pairs the rules allow (1:1, square)."""
    ok = rm.Problem(mentors, mentees, programme).compile(keep_terms=False).feasible
    n = ok.shape[0]
    best, out = 0, []
    # every matching with the most pairs is the allowed pairs of some permutation
    for perm in itertools.permutations(range(n)):
        pairs = np.array([(m, perm[m]) for m in range(n) if ok[m, perm[m]]]).reshape(-1, 2)
        k = len(pairs)
        if k < best or k == 0:
            continue
        if k > best:
            best, out = k, []
        out.append((x_of(pairs), y_of(pairs)))
    return out


def test_pareto_front_against_brute_force() -> None:
    mentors, mentees = rm.synthetic.cohort(6, 6, rng=9)
    programme = rm.Programme(rules=[R.CrossDepartment()])
    f = pareto(
        mentors, mentees, programme, x="term:learning", y="share:cross:generation", points=6, rng=0
    )
    assert isinstance(f, ParetoFront) and f.constrained == "share:cross:generation"
    problem = rm.Problem(mentors, mentees, programme)
    learning = rm.Problem(mentors, mentees, rm.Programme(weights={"learning": 1.0}))
    c_m, c_e, _ = problem.goal_groups("generation")

    def x_of(p: np.ndarray) -> float:
        return float(learning.scores(p[:, 0], p[:, 1], outer=False).mean())

    def y_of(p: np.ndarray) -> float:
        a, b = c_m[p[:, 0]], c_e[p[:, 1]]
        return float(((a != b) & (a >= 0) & (b >= 0)).mean())

    every = _brute_force(mentors, mentees, programme, x_of, y_of)
    front = f.front
    assert front
    for row, pairs in zip(f.rows, f.pairs, strict=True):
        assert row["y"] >= row["epsilon"] - 1e-12
        if row["dominated"]:
            continue
        assert rm.verify(_ids(pairs, mentors, mentees), problem) == []
        assert row["x"] == pytest.approx(x_of(pairs)) and row["y"] == pytest.approx(y_of(pairs))
        # no answer beats it on both (Pareto-optimal), by brute force
        for bx, by in every:
            assert not (
                bx >= row["x"] - 1e-9
                and by >= row["y"] - 1e-9
                and (bx > row["x"] + 1e-9 or by > row["y"] + 1e-9)
            )
    for a, b in itertools.permutations(front, 2):
        assert not (a["x"] >= b["x"] and a["y"] >= b["y"] and (a["x"] > b["x"] or a["y"] > b["y"]))
    # the ends: the best learning alone, and the most cross-generation pairs
    assert max(r["x"] for r in front) == pytest.approx(max(bx for bx, _ in every))
    assert max(r["y"] for r in front) == pytest.approx(max(by for _, by in every))


def test_pareto_swaps_to_the_share(cohort) -> None:
    mentors, mentees = cohort
    f = pareto(mentors, mentees, x="share:cross:gender", y="objective", points=3, rng=0)
    assert f.constrained == "share:cross:gender"
    assert all(r["x"] >= r["epsilon"] - 1e-12 for r in f.rows)
    assert len(f.to_frame()) == len(f.rows)


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"vary": "colour", "values": [1]}, "unknown `vary` 'colour'"),
        ({"vary": 3, "values": [1]}, "`vary` must be a string"),
        ({"vary": "weight:charm", "values": [1]}, "unknown score term 'charm'"),
        ({"vary": "rule:same_group", "values": [True]}, "no rule labelled 'same_group'"),
        ({"vary": "goal:3.at_least", "values": [0.5]}, "goal index 3 is out of range"),
        ({"vary": "goal:spread.at_most", "values": [1]}, "no goal named 'spread'"),
        ({"vary": "goal:0.colour", "values": [1]}, "has no parameter 'colour'"),
        ({"vary": "goal:0", "values": [1]}, "'goal:<index or name>.<param>'"),
        ({"vary": "reverse_weight", "values": 0.5}, "`values` must be a sequence"),
        ({"vary": "reverse_weight", "values": {0.5}}, "`values` must be a sequence"),
        ({"vary": "reverse_weight", "values": []}, "at least one value"),
        ({"vary": "reverse_weight", "values": [-1]}, r"`values\[0\]` must be a finite number ≥ 0"),
        ({"vary": "weight:learning", "values": [0.5, "a"]}, r"`values\[1\]` must be a finite"),
        ({"vary": "rule:cross_department", "values": [1]}, "a rule is on \\(True\\) or off"),
        ({"vary": "goal:0.at_least", "values": [1.5]}, "Share.at_least must be a fraction"),
        ({"vary": "reverse_weight", "values": [1], "method": "lsa"}, "cannot solve"),
        ({"vary": "reverse_weight", "values": [1], "progress": 3}, "`progress` must be"),
        ({"vary": "reverse_weight", "values": [1], "executor": 3}, "`executor` must be"),
    ],
)
def test_sweep_errors(cohort, prog, kw, message) -> None:
    mentors, mentees = cohort
    with pytest.raises((rm.ValidationError, rm.SolverError), match=message):
        sweep(mentors, mentees, prog, **kw)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"x": "objective", "y": "term:learning"}, "`x` or `y` must be a share"),
        ({"x": "objective", "y": "share:cross:gender", "points": 1}, "`points` must be"),
        ({"x": "fun", "y": "share:cross:gender"}, "unknown `x` 'fun'"),
        ({"x": "term:charm", "y": "share:cross:gender"}, "unknown score term 'charm'"),
        ({"x": "objective", "y": "share:across:gender"}, "unknown `y`"),
    ],
)
def test_pareto_errors(cohort, kw, message) -> None:
    mentors, mentees = cohort
    with pytest.raises(rm.ValidationError, match=message):
        pareto(mentors, mentees, **kw)


def test_price_of_rules_needs_a_programme(cohort) -> None:
    with pytest.raises(rm.ValidationError, match="`programme` must be a Programme"):
        price_of_rules(*cohort, None)  # type: ignore[arg-type]
