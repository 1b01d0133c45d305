"""Logging, progress and the thread limit of :func:`rm_match.match`.

The ``rm_match`` logger has a ``NullHandler`` and nothing else (nothing printed unless the
application configures logging); each stage logs one INFO line of counts, sizes, timings and
objective values — never a participant id nor an attribute value (the cohorts here plant
distinctive ones and every record is searched for them). Progress reaches the optional
callback once per sparse pricing round (stage ``"pricing"``) and per column-generation round
of the goal LP (stage ``"goal LP"``). ``threads`` bounds the sparse path's scan threads (1:
none of their own) and, with ``threadpoolctl``, BLAS threads; bad values name the argument.
"""

from __future__ import annotations

import ast
import logging
import subprocess
import sys
import textwrap
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import rm_match as rm
from rm_match import InfeasibleError, People, Programme, ValidationError, assign, match, rules
from rm_match import goals as G
from rm_match._progress import ProgressEvent
from rm_match.solvers import solve_source
from rm_match.solvers.options import check_options
from rm_match.solvers.sparse import DenseSource

#: the globals ``match`` runs with (doctest collection may import a second copy of the module)
API = match.__globals__
SECRET = "qqsecret"  # in every id and attribute value of the cohorts below
SRC = Path(__file__).resolve().parents[1] / "src" / "rm_match"
#: the modules that log (this feature's files)
LOGGING_MODULES = [
    SRC / "api.py",
    SRC / "solvers" / "solve.py",
    SRC / "solvers" / "sparse" / "rounds.py",
    SRC / "solvers" / "constrained" / "pipeline.py",
]


def _side(prefix: str, n: int, seed: int) -> People:
    """``n`` people whose ids, departments, genders, generations and managers all carry
    :data:`SECRET` (a quarter report to the first person of their side)."""
    rng = np.random.default_rng(seed)
    ids = [f"{prefix}-{SECRET}-{i:04d}" for i in range(n)]
    return People(
        ids,
        skills=["a", "b", "c"],
        offers=rng.random((n, 3)),
        wants=rng.random((n, 3)),
        department=[f"dept-{SECRET}-{i % 4}" for i in range(n)],
        manager=[ids[0] if i % 4 == 1 else None for i in range(n)],
        attributes={
            "gender": [f"gender-{SECRET}-{'ab'[int(g)]}" for g in rng.random(n) < 0.5],
            "generation": [f"gen-{SECRET}-{i % 3}" for i in range(n)],
        },
    )


@pytest.fixture(scope="module")
def cohort() -> tuple[People, People]:
    return _side("mentor", 48, 1), _side("mentee", 40, 2)


RULES = [rules.CrossDepartment(), rules.NoReportingLine()]
GOAL = G.Share(cross="gender", at_least=0.9)  # binds: the best pairs cross about half


def _texts(records: list[logging.LogRecord]) -> list[str]:
    """Everything a handler could write of ``records``."""
    out = []
    for r in records:
        out += [r.getMessage(), str(r.msg), repr(r.args)]
    return out


def _clean(records: list[logging.LogRecord], *more: str) -> None:
    for text in [*_texts(records), *more]:
        assert SECRET not in text.lower(), text


def _rm_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("rm_match")]


def _has(records: list[logging.LogRecord], *needles: str) -> None:
    lines = [r.getMessage() for r in records]
    for needle in needles:
        assert any(needle in line for line in lines), (needle, lines)


# -- the logger --------------------------------------------------------------------------------


def test_the_package_logger_has_a_null_handler_and_no_other():
    root = logging.getLogger("rm_match")
    assert any(isinstance(h, logging.NullHandler) for h in root.handlers)
    assert all(isinstance(h, logging.NullHandler) for h in root.handlers)
    for name, logger in logging.root.manager.loggerDict.items():
        if name.startswith("rm_match.") and isinstance(logger, logging.Logger):
            assert logger.handlers == [], name


def test_nothing_is_printed_by_default(cohort, capsys):
    mentors, mentees = cohort
    match(mentors, mentees, Programme(rules=RULES))
    match(mentors, mentees, Programme(rules=RULES), method="sparse")
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_a_fresh_process_prints_nothing_even_at_debug():
    # without the NullHandler, a WARNING would reach logging.lastResort (stderr)
    code = textwrap.dedent(
        """
        import logging
        import rm_match as rm
        logging.getLogger("rm_match").setLevel(logging.DEBUG)
        logging.getLogger("rm_match.api").warning("a warning with no handler configured")
        m, e = rm.synthetic.cohort(30, 30, rng=0)
        rm.match(m, e, method="sparse")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout == "" and done.stderr == ""


@pytest.mark.parametrize("path", LOGGING_MODULES, ids=lambda p: p.name)
def test_log_calls_format_lazily_and_nothing_configures_logging(path):
    """Messages are %-templates with arguments (never f-strings or concatenations); no
    module but the package's ``__init__`` adds a handler or configures logging."""
    tree = ast.parse(path.read_text())
    levels = {"debug", "info", "warning", "error", "exception", "critical", "log"}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        assert node.func.attr not in ("basicConfig", "addHandler"), (path, node.lineno)
        if isinstance(node.func.value, ast.Name) and node.func.value.id == "print":
            raise AssertionError((path, node.lineno))
        if node.func.attr in levels and isinstance(node.func.value, ast.Name):
            if node.func.value.id != "log":
                continue
            message = node.args[1 if node.func.attr == "log" else 0]
            assert isinstance(message, ast.Constant), (path, node.lineno)
    assert "print(" not in path.read_text()


# -- the stage lines -----------------------------------------------------------------------------


def test_dense_match_logs_its_stages(cohort, caplog):
    mentors, mentees = cohort
    caplog.set_level(logging.DEBUG, logger="rm_match")
    m = match(mentors, mentees, Programme(rules=RULES))
    records = _rm_records(caplog)
    _has(
        records,
        "match: 48 mentors × 40 mentees, 2 rule(s), 0 goal(s)",
        "compiled 48 × 40 scores and rules in",
        "pairs allowed",
        "backend lsa for 48 × 40",
        "auto: not sparse: below",
        "lsa solved in",
        "explained 40 pairs",
        "match: optimal, 40 pairs",
    )
    assert {r.levelno for r in records} <= {logging.DEBUG, logging.INFO}
    _clean(records, repr(m.stats))


def test_sparse_match_logs_rounds_and_reports_progress(cohort, caplog):
    mentors, mentees = cohort
    caplog.set_level(logging.INFO, logger="rm_match")
    events: list[ProgressEvent] = []
    m = match(mentors, mentees, Programme(rules=RULES), method="sparse", progress=events.append)
    records = _rm_records(caplog)
    _has(
        records,
        "backend sparse for 48 × 40 (one-to-one): named by method='sparse'",
        "no dense compile",
        "sparse candidates:",
        "sparse round 1:",
        "violations found",
        "flow",
        "scan",
        "sparse certificate: cover and potentials",
        "match: optimal",
    )
    rounds = [r for r in records if r.getMessage().startswith("sparse round")]
    assert events and {e.stage for e in events} == {"pricing"}
    assert [e.done for e in events] == list(range(1, len(events) + 1))
    assert all(e.total is None for e in events)
    assert len(events) == len(rounds)
    _clean(records, *(e.message for e in events))
    assert m.status == "optimal"


def test_every_pricing_round_is_a_step_and_a_line(caplog):
    # few candidates per mentee (k = 2): several rounds, one of them on the pool
    rng = np.random.default_rng(0)
    n = 400
    scores, ok = rng.random((n, n)), rng.random((n, n)) < 0.9
    caplog.set_level(logging.INFO, logger="rm_match")
    events: list[ProgressEvent] = []
    ones = np.ones(n, dtype=np.int64)
    a, stats = solve_source(DenseSource(scores, ok), ones, ones, k=2, rng=0, progress=events.append)
    rounds = [
        r.getMessage() for r in _rm_records(caplog) if r.getMessage().startswith("sparse round")
    ]
    assert stats.rounds >= 2 and len(events) == len(rounds) == stats.rounds
    assert [e.done for e in events] == list(range(1, stats.rounds + 1))
    assert [e.stage for e in events] == ["pricing"] * stats.rounds
    assert "no pair to add" in events[-1].message and "pairs added" in events[0].message
    assert f"{stats.added[0]} violations found" in rounds[0]
    assert a.status == "optimal"
    assert a.objective == pytest.approx(assign(scores, ok).objective, abs=1e-9)


def test_goal_match_logs_lp_rounds_and_reports_progress(cohort, caplog):
    mentors, mentees = cohort
    caplog.set_level(logging.DEBUG, logger="rm_match")
    events: list[ProgressEvent] = []
    prog = Programme(rules=RULES, goals=[GOAL])
    m = match(mentors, mentees, prog, time_limit=30, rng=0, progress=events.append)
    records = _rm_records(caplog)
    _has(
        records,
        "match: 48 mentors × 40 mentees, 2 rule(s), 1 goal(s)",
        "compiled 48 × 40 scores and rules",
        "goal method lp for 48 × 40",
        "goal model: 48 × 40",
        "goal LP round 1:",
        "columns",
        "bound",
        "incumbent",
        "goal LP: ",
        "goal lp solve: ",
        "goal solve: ",
        "explained",
    )
    lp_rounds = [r for r in records if r.getMessage().startswith("goal LP round")]
    assert events and {e.stage for e in events} == {"goal LP"}
    assert [e.done for e in events] == list(range(1, len(events) + 1))
    assert len(events) == len(lp_rounds)
    _clean(records, *(e.message for e in events), repr(m.stats), *map(str, m.goals))
    assert all(c.met for c in m.goals)


def test_infeasible_goals_log_no_label(cohort, caplog):
    # each mentee department meets the three others at most: k = 4 cannot hold
    mentors, mentees = cohort
    caplog.set_level(logging.DEBUG, logger="rm_match")
    prog = Programme(rules=RULES, goals=[G.Coverage("department", k=4)])
    with pytest.raises(InfeasibleError):
        match(mentors, mentees, prog, time_limit=20, rng=0)
    records = _rm_records(caplog)
    _has(records, "goal model:", "goal solve: no answer", "goal diagnosis: 1 of 1 goals")
    _clean(records)


def test_decomposed_sparse_parts_report_progress(caplog, monkeypatch):
    from rm_match.solvers import registry

    monkeypatch.setattr(registry, "SPARSE_MIN_CELLS", 100)  # every part takes the sparse path
    mentors, mentees = rm.synthetic.cohort(40, 40, rng=2, regions=2)
    prog = Programme(rules=[rules.SameGroup("region")])
    caplog.set_level(logging.INFO, logger="rm_match")
    events: list[ProgressEvent] = []
    m = match(mentors, mentees, prog, progress=events.append)
    _has(_rm_records(caplog), "2 independent parts", "parts solved and joined")
    assert events and [e.done for e in events] == list(range(1, len(events) + 1))
    assert m.status == "optimal"


# -- threads -------------------------------------------------------------------------------------


class _Scans:
    """Records the executor each sparse solve of ``rm_match.api`` is handed (``None``: the
    scans run serially) and its number of threads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.handed: list[object] = []
        real = API["solve_source"]

        def spy(*args, **kw):
            self.handed.append(kw.get("executor"))
            return real(*args, **kw)

        monkeypatch.setitem(API, "solve_source", spy)

    @property
    def threads(self) -> list[int]:
        return [1 if e is None else e._max_workers for e in self.handed]  # type: ignore[attr-defined]


def test_small_cohorts_scan_serially_unless_a_pool_is_given(cohort, monkeypatch):
    mentors, mentees = cohort
    prog = Programme(rules=RULES)
    scans = _Scans(monkeypatch)
    assert len(mentors) * len(mentees) <= API["SERIAL_SCAN_CELLS"]
    match(mentors, mentees, prog, method="sparse", rng=3)
    match(mentors, mentees, prog, method="sparse", rng=3, threads=4)
    assert scans.handed == [None, None]
    with ThreadPoolExecutor(2) as mine:
        match(mentors, mentees, prog, method="sparse", rng=3, executor=mine)
        assert scans.handed[-1] is mine  # the caller's pool, whatever the size


def test_one_thread_scans_serially_with_the_same_answer(cohort, monkeypatch):
    mentors, mentees = cohort
    prog = Programme(rules=RULES)
    scans = _Scans(monkeypatch)
    monkeypatch.setitem(API, "SERIAL_SCAN_CELLS", 0)  # as large cohorts do
    default = match(mentors, mentees, prog, method="sparse", rng=3)
    assert scans.threads == [API["_SCAN_THREADS"]]  # today's default: up to four
    scans.handed.clear()
    single = match(mentors, mentees, prog, method="sparse", rng=3, threads=1)
    assert scans.handed == [None]
    assert single.id_pairs == default.id_pairs
    assert single.objective == pytest.approx(default.objective, abs=1e-9)
    assert single.status == default.status == "optimal"


def test_threads_bound_the_pool_and_bypass_the_callers(cohort, monkeypatch):
    mentors, mentees = cohort
    prog = Programme(rules=RULES)
    scans = _Scans(monkeypatch)
    monkeypatch.setitem(API, "SERIAL_SCAN_CELLS", 0)  # as large cohorts do
    with ThreadPoolExecutor(3) as mine:
        match(mentors, mentees, prog, method="sparse", executor=mine)
        assert scans.handed == [mine]  # no limit: the caller's thread pool runs the scans
        scans.handed.clear()
        match(mentors, mentees, prog, method="sparse", executor=mine, threads=2)
        assert scans.handed[0] is not mine
    assert scans.threads == [min(2, API["_SCAN_THREADS"])]
    scans.handed.clear()
    match(mentors, mentees, prog, method="sparse", threads=1024)
    assert scans.threads == [API["_SCAN_THREADS"]]  # a bound: never more than today


def test_blas_threads_are_limited_when_threadpoolctl_is_there(cohort, monkeypatch):
    calls: list[object] = []

    class _Limits:
        def __init__(self, limits=None, user_api=None):
            calls.append(limits)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            calls.append("restored")

    fake = types.ModuleType("threadpoolctl")
    fake.threadpool_limits = _Limits  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "threadpoolctl", fake)
    mentors, mentees = cohort
    match(mentors, mentees, Programme(rules=RULES))
    assert calls == []  # no limit unless asked
    match(mentors, mentees, Programme(rules=RULES), threads=2)
    assert calls == [2, "restored"]
    assign(np.eye(3), threads=1)
    assert calls == [2, "restored", 1, "restored"]


def test_without_threadpoolctl_threads_still_work(cohort, monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import fails
    mentors, mentees = cohort
    m = match(mentors, mentees, Programme(rules=RULES), threads=1)
    assert m.status == "optimal"


# -- validation ----------------------------------------------------------------------------------

BAD = [
    ("threads", 0, r"`threads` must be an integer ≥ 1 and ≤ 1024"),
    ("threads", 1025, r"`threads` must be an integer ≥ 1 and ≤ 1024"),
    ("threads", 1.5, r"`threads` must be an integer"),
    ("threads", True, r"`threads` must be an integer"),
    ("threads", "4", r"`threads` must be an integer"),
    ("progress", 3, r"`progress` must be None, True/False or a callable"),
    ("progress", "yes", r"`progress` must be None, True/False or a callable"),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD, ids=[f"{b[0]}={b[1]!r}" for b in BAD])
def test_match_names_the_bad_option(name, value, message):
    mentors, mentees = rm.synthetic.cohort(4, 4, rng=0)
    with pytest.raises(ValidationError, match=message) as err:
        match(mentors, mentees, **{name: value})
    assert err.value.argument == name


@pytest.mark.parametrize(("name", "value", "message"), BAD, ids=[f"{b[0]}={b[1]!r}" for b in BAD])
def test_check_options_names_the_bad_option(name, value, message):
    with pytest.raises(ValidationError, match=message) as err:
        check_options(**{name: value})
    assert err.value.argument == name


@pytest.mark.parametrize("value", [0, 2000, 2.0, False])
def test_assign_names_bad_threads(value):
    with pytest.raises(ValidationError, match="`threads`") as err:
        assign(np.eye(2), threads=value)
    assert err.value.argument == "threads"


def test_good_values_are_kept():
    o = check_options(threads=8, progress=True)
    assert (o.threads, o.progress) == (8, True)
    o = check_options()
    assert (o.threads, o.progress) == (None, None)
    o = check_options(threads=1024, progress=print)
    assert o.threads == 1024 and o.progress is print
