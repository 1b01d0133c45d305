"""The figures of rm_match.plot: artists, labels, privacy, ``ax=`` reuse and the extra."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)

import rm_match as rm  # noqa: E402
from rm_match.plot import (  # noqa: E402
    DepartmentFlowDisplay,
    ParetoDisplay,
    ScoreDistributionDisplay,
    SkillCoverageDisplay,
    SweepDisplay,
)
from rm_match.reporting import SMALL_GROUPS, department_flows, skill_coverage  # noqa: E402


class Flows(NamedTuple):
    mentor_groups: tuple[str, ...]
    mentee_groups: tuple[str, ...]
    counts: Any
    suppressed: Any


class Row(NamedTuple):
    skill: str
    direction: str
    wanted: int
    covered: int
    unmet: int


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def cohort():
    mentors, mentees = rm.synthetic.cohort(60, 60, rng=0)
    programme = rm.Programme(
        rules=[rm.rules.CrossDepartment(), rm.rules.SeniorityDirection(min_gap=2)],
        diversity_attributes=("gender",),
    )
    return rm.match(mentors, mentees, programme), mentors, mentees


def _texts(artists) -> list[str]:
    return [t.get_text() for t in artists]


# -- score distribution -------------------------------------------------------------------------


def test_scores_bars_steps_and_labels(cohort):
    matching, _, _ = cohort
    disp = ScoreDistributionDisplay.from_matching(matching, bins=12)
    assert len(disp.bars_) == 12
    assert sum(bar.get_height() for bar in disp.bars_) == len(matching)
    terms = [n for n in matching.pairs[0].terms if n != "diversity"]
    assert list(disp.steps_) == terms  # diversity is left out unless asked for
    for step in disp.steps_.values():
        assert step.get_data().values.sum() == len(matching)
    assert disp.ax_.get_xlabel() == "pair score"
    assert disp.ax_.get_ylabel() == "pairs"
    legend = _texts(disp.ax_.get_legend().get_texts())
    assert legend == ["pair score", *terms]


def test_scores_without_terms_and_by_name(cohort):
    matching, _, _ = cohort
    alone = ScoreDistributionDisplay.from_matching(matching, terms=False)
    assert alone.steps_ == {} and alone.ax_.get_legend() is None
    assert len(alone.bars_) == 20
    named = ScoreDistributionDisplay.from_matching(matching, terms=["diversity", "learning"])
    assert list(named.steps_) == ["diversity", "learning"]


@pytest.mark.parametrize(
    ("terms", "match"),
    [(["nope"], "no term 'nope'"), ("learning", "bool or a sequence")],
)
def test_scores_bad_terms(cohort, terms, match):
    with pytest.raises(ValueError, match=match):
        ScoreDistributionDisplay.from_matching(cohort[0], terms=terms)


def test_scores_need_five_pairs():
    small = rm.match(*rm.synthetic.cohort(4, 4, rng=1))
    with pytest.raises(ValueError, match="at least 5"):
        ScoreDistributionDisplay.from_matching(small)


@pytest.mark.parametrize("bins", [0, 2.5, True])
def test_scores_bad_bins(bins):
    with pytest.raises(ValueError, match="`bins` must be a positive integer"):
        ScoreDistributionDisplay([0.5] * 6).plot(bins=bins)


def test_scores_constructor_takes_arrays():
    disp = ScoreDistributionDisplay([0.1, 0.2, 1.4, None], {"x": [0.3, 0.3, 0.2, 0.1]}).plot(bins=5)
    assert disp.ax_.get_xlim()[1] >= 1.4  # the bins widen to the data
    assert sum(bar.get_height() for bar in disp.bars_) == 3  # None is missing, not drawn


# -- department flows ---------------------------------------------------------------------------


def test_flows_cells_and_suppression():
    flows = Flows(
        ("IT", "Sales", SMALL_GROUPS),
        ("HR", "IT"),
        [[12, 7], [3, 0], [None, 5]],  # a suppressed cell's count is never read
        [[False, False], [True, False], [True, False]],
    )
    disp = DepartmentFlowDisplay(flows).plot()
    assert disp.text_.shape == (3, 2)
    assert _texts(disp.text_.ravel()) == ["12", "7", "<5", "0", "<5", "5"]
    data = disp.im_.get_array()
    assert data.mask.tolist() == [[False, False], [True, False], [True, False]]
    assert data[0, 0] == 12 and disp.im_.get_clim() == (0.0, 12.0)
    assert _texts(disp.ax_.get_xticklabels()) == ["HR", "IT"]
    assert _texts(disp.ax_.get_yticklabels()) == ["IT", "Sales", SMALL_GROUPS]
    assert disp.ax_.get_xlabel() == "mentee department"
    assert disp.ax_.get_ylabel() == "mentor department"
    assert disp.colorbar_ is not None
    assert len(disp.figure_.axes) == 2  # the heat map and its colour bar


def test_flows_all_suppressed_without_colorbar():
    flows = Flows(("A",), ("B",), np.array([[3]]), np.array([[True]]))
    disp = DepartmentFlowDisplay(flows).plot(colorbar=False)
    assert disp.colorbar_ is None and len(disp.figure_.axes) == 1
    assert _texts(disp.text_.ravel()) == ["<5"]


def test_flows_from_matching(cohort):
    matching, mentors, mentees = cohort
    disp = DepartmentFlowDisplay.from_matching(matching, mentors, mentees)
    flows = department_flows(matching, mentors, mentees)
    assert _texts(disp.ax_.get_yticklabels()) == list(flows.mentor_groups)
    assert _texts(disp.ax_.get_xticklabels()) == list(flows.mentee_groups)
    expected = [
        "<5" if hidden else str(count)
        for count, hidden in zip(flows.counts.ravel(), flows.suppressed.ravel(), strict=True)
    ]
    assert _texts(disp.text_.ravel()) == expected
    assert "<5" in expected
    # departments of fewer than 5 people are never named
    small = {d for d, n in Counter(mentors.department).items() if n < 5}
    assert small and SMALL_GROUPS in flows.mentor_groups
    labels = set(_texts(disp.ax_.get_yticklabels()))
    assert not small & labels


# -- skill coverage -----------------------------------------------------------------------------


def test_skills_bars():
    rows = [
        Row("ai_tools", "mentor teaches", 40, 31, 9),
        Row("strategy", "mentee teaches", 5, 5, 0),
    ]
    disp = SkillCoverageDisplay(rows).plot()
    assert [b.get_width() for b in disp.bars_] == [40, 5]
    assert [b.get_width() for b in disp.covered_bars_] == [31, 5]
    assert [(b.get_x(), b.get_width()) for b in disp.unmet_bars_] == [(31, 9), (5, 0)]
    assert _texts(disp.ax_.get_yticklabels()) == [
        "ai_tools (mentor teaches)",
        "strategy (mentee teaches)",
    ]
    assert disp.ax_.yaxis_inverted()  # first row on top
    assert disp.ax_.get_xlabel() == "people"
    assert _texts(disp.ax_.get_legend().get_texts()) == ["wanted", "covered", "unmet"]


def test_skills_from_matching(cohort):
    matching, mentors, mentees = cohort
    disp = SkillCoverageDisplay.from_matching(matching, mentors, mentees, threshold=0.6)
    rows = skill_coverage(matching, mentors, mentees, threshold=0.6)
    assert len(disp.bars_) == len(rows) == 2 * len(mentors.skills)
    assert [b.get_width() for b in disp.unmet_bars_] == [r.unmet for r in rows]


# -- sweeps -------------------------------------------------------------------------------------


def _sweep_rows() -> list[dict[str, Any]]:
    return [
        {"value": w, "objective": 10.0 - w, "gap": 0.0, "goal:cross": None if w else 0.4}
        for w in (0.0, 0.5, 1.0)
    ]


def test_sweep_from_result():
    result = SimpleNamespace(rows=_sweep_rows(), vary="reverse_weight")
    disp = SweepDisplay.from_sweep(result)
    assert len(disp.lines_) == 1
    assert disp.lines_[0].get_xdata().tolist() == [0.0, 0.5, 1.0]
    assert disp.lines_[0].get_ydata().tolist() == [10.0, 9.5, 9.0]
    assert disp.ax_.get_xlabel() == "reverse_weight"
    assert disp.ax_.get_ylabel() == "objective"
    assert disp.ax_.get_legend() is None


def test_sweep_several_columns_from_rows():
    disp = SweepDisplay.from_sweep(_sweep_rows(), y=["objective", "goal:cross"], x="gap")
    assert len(disp.lines_) == 2
    assert disp.ax_.get_xlabel() == "gap"
    assert _texts(disp.ax_.get_legend().get_texts()) == ["objective", "goal:cross"]
    assert np.isnan(disp.lines_[1].get_ydata()[1:]).all()  # None is drawn as a gap


def test_sweep_labels_along_x():
    rows = [{"value": p, "objective": v} for p, v in (("max_matched", 3.0), ("max_score", 4.0))]
    disp = SweepDisplay.from_sweep(SimpleNamespace(rows=rows, vary="policy"))
    assert _texts(disp.ax_.get_xticklabels()) == ["max_matched", "max_score"]


@pytest.mark.parametrize(
    ("result", "kw", "match"),
    [
        ([], {}, "no rows"),
        (42, {}, "must be a sweep result"),
        ([1, 2], {}, "each row must be a dict"),
        (_sweep_rows(), {"y": "term:learning"}, r"row 0 has no column 'term:learning'"),
        (_sweep_rows(), {"y": []}, "at least one column"),
        ([{"value": 1, "objective": "x"}], {}, "non-numbers"),
    ],
)
def test_sweep_bad_input(result, kw, match):
    with pytest.raises(ValueError, match=match):
        SweepDisplay.from_sweep(result, **kw)


# -- Pareto front -------------------------------------------------------------------------------


def test_pareto_points_and_front():
    front = SimpleNamespace(
        rows=[
            {"x": 0.4, "y": 8.0, "dominated": False},
            {"x": 0.2, "y": 9.0, "dominated": False},
            {"x": 0.3, "y": 7.0, "dominated": True},
            {"x": 0.6, "y": 6.5, "dominated": False},
        ],
        x_name="cross-gender share",
        y_name="objective",
    )
    disp = ParetoDisplay.from_front(front)
    assert disp.points_.get_offsets().tolist() == [[0.2, 9.0], [0.4, 8.0], [0.6, 6.5]]
    assert disp.dominated_.get_offsets().tolist() == [[0.3, 7.0]]
    assert disp.line_.get_xdata().tolist() == [0.2, 0.4, 0.6]  # in order of x
    grey = matplotlib.colors.to_rgba("0.7")
    assert tuple(disp.dominated_.get_facecolor()[0]) == grey
    assert disp.ax_.get_xlabel() == "cross-gender share"
    assert disp.ax_.get_ylabel() == "objective"
    assert _texts(disp.ax_.get_legend().get_texts()) == ["dominated", "non-dominated"]


def test_pareto_bad_input():
    with pytest.raises(ValueError, match="no rows"):
        ParetoDisplay.from_front(SimpleNamespace(rows=[], x_name="a", y_name="b"))
    with pytest.raises(ValueError, match="one entry per point"):
        ParetoDisplay([1.0, 2.0], [1.0], [False, False], "a", "b").plot()


# -- every display ------------------------------------------------------------------------------


def _displays(cohort) -> dict[str, Any]:
    matching, mentors, mentees = cohort
    flows = Flows(("A",), ("B",), [[7]], [[False]])
    front = SimpleNamespace(rows=[{"x": 1, "y": 2, "dominated": False}], x_name="a", y_name="b")
    return {
        "scores": lambda ax: ScoreDistributionDisplay.from_matching(matching, ax=ax),
        "flows": lambda ax: DepartmentFlowDisplay(flows).plot(ax=ax),
        "flows_real": lambda ax: DepartmentFlowDisplay.from_matching(
            matching, mentors, mentees, ax=ax
        ),
        "skills": lambda ax: SkillCoverageDisplay.from_matching(matching, mentors, mentees, ax=ax),
        "sweep": lambda ax: SweepDisplay.from_sweep(_sweep_rows(), ax=ax),
        "pareto": lambda ax: ParetoDisplay.from_front(front, ax=ax),
    }


@pytest.mark.parametrize("name", ["scores", "flows", "flows_real", "skills", "sweep", "pareto"])
def test_ax_reuse_and_no_global_state(cohort, name):
    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    fig, (left, right) = plt.subplots(1, 2)
    disp = _displays(cohort)[name](right)
    assert disp.ax_ is right and disp.figure_ is fig
    assert not left.has_data()
    assert plt.get_fignums() == [fig.number]  # no new figure when ax is given
    assert dict(matplotlib.rcParams) == before and matplotlib.get_backend() == backend
    fresh = _displays(cohort)[name](None)
    assert fresh.figure_ is not fig and fresh.ax_ in fresh.figure_.axes


def test_plot_returns_self():
    disp = SweepDisplay([1, 2], [[3, 4]], ["objective"], "w")
    assert disp.plot() is disp
    again = disp.plot()  # a display can draw again, on a new figure
    assert again.figure_ is not None and len(plt.get_fignums()) == 2


# -- matplotlib is optional ---------------------------------------------------------------------


def test_missing_matplotlib_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=r'pip install "rm-match\[plot\]"'):
        SweepDisplay([1, 2], [[3, 4]], ["objective"], "w").plot()
    with pytest.raises(ImportError, match=r"rm-match\[plot\]"):
        ParetoDisplay([1], [2], [False], "a", "b").plot(ax=object())  # type: ignore[arg-type]


def test_import_without_matplotlib():
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import rm_match, rm_match.plot\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "try:\n"
        "    rm_match.plot.SweepDisplay([1], [[2]], ['y'], 'x').plot()\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert 'pip install "rm-match[plot]"' in out


def test_sweep_display_puts_a_share_on_a_second_axis():
    rows = [{"value": v, "objective": 700 - 10 * v, "goal:share": 0.4 + v / 2} for v in (0, 0.5, 1)]
    disp = SweepDisplay.from_sweep(
        rows, y=["objective", "goal:share"], secondary="goal:share", xlabel="quota"
    )
    assert disp.secondary_ax_ is not None
    assert disp.secondary_ax_.get_ylabel() == "goal:share"
    assert disp.ax_.get_ylabel() == "objective" and disp.ax_.get_xlabel() == "quota"
    assert list(disp.secondary_ax_.lines) == [disp.lines_[1]]
    assert [t.get_text() for t in disp.ax_.get_legend().get_texts()] == ["objective", "goal:share"]
    with pytest.raises(ValueError, match="`secondary`: 'gap' is not one of `y`"):
        SweepDisplay.from_sweep(rows, y=["objective"], secondary="gap")
    plt.close(disp.figure_)
