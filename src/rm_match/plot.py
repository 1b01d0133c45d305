"""Figures of a matching, a sweep and a Pareto front, in scikit-learn's Display style.

Each figure is a small class: the constructor stores the data to draw (no logic), a
``from_*`` class method computes that data from an rm_match object and calls
:meth:`plot`, and ``plot(ax=None, ...)`` draws on ``ax`` (a new figure when ``None``),
keeps the axes as ``ax_``, the figure as ``figure_`` and the main artists (``bars_``,
``im_``, ``lines_``, …), and returns the display itself.

- :class:`ScoreDistributionDisplay`: pair scores and each score term, as histograms;
- :class:`DepartmentFlowDisplay`: pairs by mentor × mentee department, as a heat map;
- :class:`SkillCoverageDisplay`: per skill, the people who want it and those covered;
- :class:`SweepDisplay`: one or more columns of a sweep against the varied value;
- :class:`ParetoDisplay`: the points of an ε-constraint front, the non-dominated joined.

matplotlib is an optional extra (``pip install "rm-match[plot]"``): it is imported when a
figure is drawn, never when this module is, and nothing here changes matplotlib's global
state (style, backend, rcParams).

Only aggregates are drawn: counts and score distributions, never an id or an attribute
value. A department is named in the flow map only when it has at least 5 people on that
side; smaller ones are pooled as ``"(groups under 5)"`` (see :mod:`rm_match.reporting`), and
a cell of 1 to 4 pairs reads ``"<5"`` without a colour for its value. The score figure needs
at least 5 pairs, and draws the ``diversity`` term (which speaks of protected attributes)
only when asked for it by name.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self

import numpy as np

from .results import MIN_GROUP

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.collections import PathCollection
    from matplotlib.colorbar import Colorbar
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure, SubFigure
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D
    from matplotlib.patches import StepPatch

    from .people import People
    from .results import Matching

__all__ = [
    "DepartmentFlowDisplay",
    "ParetoDisplay",
    "ScoreDistributionDisplay",
    "SkillCoverageDisplay",
    "SweepDisplay",
]

_EXTRA = 'rm_match.plot needs matplotlib: pip install "rm-match[plot]"'


def _pyplot() -> Any:
    """``matplotlib.pyplot``, or an ImportError naming the ``plot`` extra."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(_EXTRA) from exc
    return plt


def _axes(ax: Axes | None) -> tuple[Axes, Figure | SubFigure]:
    """``ax`` and its figure, or a new figure's axes when ``ax`` is None."""
    plt = _pyplot()  # also when ``ax`` is given: the message beats an AttributeError
    if ax is None:
        _, ax = plt.subplots(layout="constrained")  # this figure's layout, nothing global
    assert ax is not None
    return ax, ax.figure


def _floats(values: object, argument: str) -> np.ndarray:
    """``values`` as a 1-d float array (None → NaN), or a ValueError naming ``argument``."""
    try:
        arr = np.asarray(
            [math.nan if v is None else v for v in np.ravel(np.asarray(values, dtype=object))],
            dtype=float,
        )
    except (TypeError, ValueError):
        raise ValueError(f"`{argument}` must be a sequence of numbers.") from None
    return arr


class ScoreDistributionDisplay:
    """Histogram of pair scores, with one step histogram per score term.

    Parameters
    ----------
    scores : array_like of float
        One score per pair.
    terms : mapping of str to array_like of float, optional
        Per term name, one value per pair; each is drawn as a step histogram on the
        scores' bins.

    Attributes
    ----------
    bars_ : matplotlib.container.BarContainer
        The score histogram's bars.
    steps_ : dict of str to matplotlib.patches.StepPatch
        Each term's step histogram.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        Its figure.

    See Also
    --------
    rm_match.Report : the mean score and term means, suppressed on fewer than 5 pairs.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import rm_match as rm
    >>> from rm_match.plot import ScoreDistributionDisplay
    >>> result = rm.match(*rm.synthetic.cohort(40, 40, rng=0))
    >>> disp = ScoreDistributionDisplay.from_matching(result, bins=10)
    >>> len(disp.bars_), sorted(disp.steps_), disp.ax_.get_xlabel()
    (10, ['interests', 'language', 'learning', 'timezone'], 'pair score')
    >>> import matplotlib.pyplot as plt; plt.close(disp.figure_)
    """

    def __init__(self, scores: Any, terms: Mapping[str, Any] | None = None) -> None:
        self.scores = scores
        self.terms = terms

    @classmethod
    def from_matching(
        cls,
        matching: Matching,
        *,
        terms: bool | Sequence[str] = True,
        bins: int = 20,
        ax: Axes | None = None,
    ) -> ScoreDistributionDisplay:
        """The distribution of a matching's pair scores (and terms).

        Parameters
        ----------
        matching : Matching
            A result of :func:`rm_match.match` (or any object whose ``pairs`` have a
            ``score`` and a ``terms`` dict).
        terms : bool or sequence of str, default True
            ``True``: every term but ``diversity``; ``False``: the scores alone; or the
            term names to draw (``"diversity"`` among them only when asked).
        bins : int, default 20
            Number of equal bins over [0, 1] (widened to the data if it goes beyond).
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.

        Returns
        -------
        ScoreDistributionDisplay

        Raises
        ------
        ValueError
            With fewer than 5 pairs (a distribution of so few shows the pairs
            themselves), or a term the pairs do not have.
        """
        pairs = list(matching.pairs)
        if len(pairs) < MIN_GROUP:
            raise ValueError(
                f"`matching` has {len(pairs)} pairs; a score distribution needs at least "
                f"{MIN_GROUP} (on fewer it would show the pairs themselves)."
            )
        present = list(dict.fromkeys(name for p in pairs for name in p.terms))
        if isinstance(terms, bool):
            names = [n for n in present if n != "diversity"] if terms else []
        elif isinstance(terms, str):
            raise ValueError(f"`terms` must be a bool or a sequence of term names, not {terms!r}.")
        else:
            names = list(dict.fromkeys(terms))
            unknown = [n for n in names if n not in present]
            if unknown:
                raise ValueError(
                    f"`terms`: the pairs have no term {unknown[0]!r}; they have {present}."
                )
        scores = np.array([p.score for p in pairs], dtype=float)
        values = {
            n: np.array([p.terms.get(n, math.nan) for p in pairs], dtype=float) for n in names
        }
        return cls(scores, values).plot(ax=ax, bins=bins)

    def plot(self, ax: Axes | None = None, *, bins: int = 20, **kwargs: Any) -> Self:
        """Draw the histograms.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.
        bins : int, default 20
            Number of equal bins over [0, 1] (widened to the data if it goes beyond).
        **kwargs
            Passed to ``ax.hist`` for the score bars.

        Returns
        -------
        ScoreDistributionDisplay
            ``self``, with ``ax_``, ``figure_``, ``bars_`` and ``steps_`` set.
        """
        if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or bins < 1:
            raise ValueError(f"`bins` must be a positive integer, not {bins!r}.")
        ax, fig = _axes(ax)
        scores = _floats(self.scores, "scores")
        terms = {str(n): _floats(v, f"terms[{n!r}]") for n, v in (self.terms or {}).items()}
        every = np.concatenate([scores, *terms.values()])
        every = every[np.isfinite(every)]
        low = min(0.0, float(every.min())) if every.size else 0.0
        high = max(1.0, float(every.max())) if every.size else 1.0
        edges = np.linspace(low, high, int(bins) + 1)

        kw = {"color": "0.75", "edgecolor": "white", "label": "pair score", **kwargs}
        _, _, bars = ax.hist(scores[np.isfinite(scores)], bins=edges, **kw)
        self.bars_: BarContainer = bars
        self.steps_: dict[str, StepPatch] = {}
        for i, (name, values) in enumerate(terms.items()):
            counts, _ = np.histogram(values[np.isfinite(values)], bins=edges)
            self.steps_[name] = ax.stairs(counts, edges, label=name, color=f"C{i}", linewidth=1.5)
        ax.set_xlabel("pair score")
        ax.set_ylabel("pairs")
        if terms:
            ax.legend(title="score and terms", frameon=False)
        self.ax_ = ax
        self.figure_ = fig
        return self


class _Flows(Protocol):
    """What :func:`rm_match.reporting.department_flows` returns (a ``FlowTable``)."""

    @property
    def mentor_groups(self) -> Sequence[str]: ...  # pragma: no cover

    @property
    def mentee_groups(self) -> Sequence[str]: ...  # pragma: no cover

    @property
    def counts(self) -> Any: ...  # pragma: no cover

    @property
    def suppressed(self) -> Any: ...  # pragma: no cover


class DepartmentFlowDisplay:
    """Heat map of pairs by mentor department (rows) × mentee department (columns).

    Each cell holds its count; a cell of 1 to 4 pairs reads ``"<5"`` and is drawn in grey,
    not by value. Group labels are the table's (departments of fewer than 5 people already
    pooled as ``"(groups under 5)"`` by :func:`rm_match.reporting.department_flows`).

    Parameters
    ----------
    flows : FlowTable
        ``mentor_groups`` and ``mentee_groups`` (labels), ``counts`` (rows × columns of
        int) and ``suppressed`` (rows × columns of bool) — what
        :func:`rm_match.reporting.department_flows` returns, or anything with those fields.

    Attributes
    ----------
    im_ : matplotlib.image.AxesImage
        The heat map.
    text_ : ndarray of matplotlib.text.Text, shape (rows, columns)
        The cell annotations.
    colorbar_ : matplotlib.colorbar.Colorbar or None
        The colour bar, when drawn.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        Its figure.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from collections import namedtuple
    >>> from rm_match.plot import DepartmentFlowDisplay
    >>> Flows = namedtuple("Flows", "mentor_groups mentee_groups counts suppressed")
    >>> flows = Flows(["IT", "Sales"], ["HR", "IT"], [[12, 7], [3, 0]],
    ...               [[False, False], [True, False]])
    >>> disp = DepartmentFlowDisplay(flows).plot()
    >>> [t.get_text() for t in disp.text_.ravel()]
    ['12', '7', '<5', '0']
    >>> import matplotlib.pyplot as plt; plt.close(disp.figure_)
    """

    def __init__(self, flows: _Flows) -> None:
        self.flows = flows

    @classmethod
    def from_matching(
        cls,
        matching: Matching,
        mentors: People,
        mentees: People,
        *,
        ax: Axes | None = None,
        colorbar: bool = True,
    ) -> DepartmentFlowDisplay:
        """The department flows of a matching (:func:`rm_match.reporting.department_flows`).

        Parameters
        ----------
        matching : Matching
            A result of :func:`rm_match.match` on ``mentors`` and ``mentees``.
        mentors, mentees : People
            The two sides, for their departments.
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.
        colorbar : bool, default True
            Draw a colour bar.

        Returns
        -------
        DepartmentFlowDisplay

        Examples
        --------
        >>> import matplotlib; matplotlib.use("Agg")
        >>> import rm_match as rm
        >>> from rm_match.plot import DepartmentFlowDisplay
        >>> mentors, mentees = rm.synthetic.cohort(60, 60, rng=0)
        >>> result = rm.match(mentors, mentees, rm.Programme(rules=[rm.rules.CrossDepartment()]))
        >>> disp = DepartmentFlowDisplay.from_matching(result, mentors, mentees)
        >>> [t.get_text() for t in disp.ax_.get_yticklabels()][-1]
        '(groups under 5)'
        >>> import matplotlib.pyplot as plt; plt.close(disp.figure_)
        """
        from .reporting import department_flows

        return cls(department_flows(matching, mentors, mentees)).plot(ax=ax, colorbar=colorbar)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        cmap: str = "Blues",
        colorbar: bool = True,
        text_kw: Mapping[str, Any] | None = None,
    ) -> Self:
        """Draw the heat map.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.
        cmap : str, default "Blues"
            A matplotlib colour map name; suppressed cells are grey whatever the map.
        colorbar : bool, default True
            Draw a colour bar.
        text_kw : mapping, optional
            Passed to ``ax.text`` for each cell.

        Returns
        -------
        DepartmentFlowDisplay
            ``self``, with ``ax_``, ``figure_``, ``im_``, ``text_`` and ``colorbar_`` set.
        """
        ax, fig = _axes(ax)
        import matplotlib

        rows = [str(g) for g in self.flows.mentor_groups]
        cols = [str(g) for g in self.flows.mentee_groups]
        shape = (len(rows), len(cols))
        counts = np.asarray(self.flows.counts, dtype=object).reshape(shape)
        hidden = np.asarray(self.flows.suppressed, dtype=bool).reshape(shape)
        # a suppressed cell's count is never read: it may be None, 0 or the true count
        values = np.zeros(shape, dtype=float)
        values[~hidden] = [float(c) for c in counts[~hidden]]
        shown = np.ma.masked_array(values, mask=hidden)

        colours = matplotlib.colormaps[cmap].with_extremes(bad="0.85")  # a copy, not global
        high = float(values[~hidden].max()) if (~hidden).any() else 1.0
        self.im_: AxesImage = ax.imshow(
            shown, cmap=colours, vmin=0.0, vmax=max(high, 1.0), aspect="auto"
        )
        dark, light = colours(1.0), colours(0.0)
        text = np.empty(shape, dtype=object)
        kw = dict(text_kw or {})
        colour: Any
        for i, j in np.ndindex(*shape):
            if hidden[i, j]:
                label, colour = f"<{MIN_GROUP}", "black"
            else:
                label = f"{int(values[i, j])}"
                colour = light if values[i, j] > high / 2 else dark
            text[i, j] = ax.text(j, i, label, ha="center", va="center", **{"color": colour, **kw})
        self.text_: np.ndarray = text
        self.colorbar_: Colorbar | None = (
            fig.colorbar(self.im_, ax=ax, label="pairs") if colorbar else None
        )
        ax.set_xticks(
            range(len(cols)),
            cols,
            rotation=45 if len(cols) > 4 else 0,
            ha="right" if len(cols) > 4 else "center",
        )
        ax.set_yticks(range(len(rows)), rows)
        ax.set_xlabel("mentee department")
        ax.set_ylabel("mentor department")
        self.ax_ = ax
        self.figure_ = fig
        return self


class SkillCoverageDisplay:
    """Horizontal bars per skill: the people wanting it, and how many of them are covered.

    Parameters
    ----------
    rows : sequence of SkillRow
        Each with ``skill``, ``direction``, ``wanted``, ``covered`` and ``unmet`` — what
        :func:`rm_match.reporting.skill_coverage` returns, or anything with those fields.

    Attributes
    ----------
    bars_ : matplotlib.container.BarContainer
        The "wanted" bars (light, behind).
    covered_bars_ : matplotlib.container.BarContainer
        The "covered" bars.
    unmet_bars_ : matplotlib.container.BarContainer
        The unmet part, from the covered bar's end to the wanted bar's, highlighted.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        Its figure.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from collections import namedtuple
    >>> from rm_match.plot import SkillCoverageDisplay
    >>> Row = namedtuple("Row", "skill direction wanted covered unmet")
    >>> disp = SkillCoverageDisplay([Row("ai_tools", "mentor teaches", 40, 31, 9),
    ...                              Row("strategy", "mentee teaches", 25, 25, 0)]).plot()
    >>> [t.get_text() for t in disp.ax_.get_yticklabels()]
    ['ai_tools (mentor teaches)', 'strategy (mentee teaches)']
    >>> import matplotlib.pyplot as plt; plt.close(disp.figure_)
    """

    def __init__(self, rows: Sequence[Any]) -> None:
        self.rows = rows

    @classmethod
    def from_matching(
        cls,
        matching: Matching,
        mentors: People,
        mentees: People,
        *,
        threshold: float = 0.5,
        ax: Axes | None = None,
    ) -> SkillCoverageDisplay:
        """The skill coverage of a matching (:func:`rm_match.reporting.skill_coverage`).

        Parameters
        ----------
        matching : Matching
            A result of :func:`rm_match.match` on ``mentors`` and ``mentees``.
        mentors, mentees : People
            The two sides, for what each wants and offers.
        threshold : float, default 0.5
            Passed to :func:`~rm_match.reporting.skill_coverage`.
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.

        Returns
        -------
        SkillCoverageDisplay

        Examples
        --------
        >>> import matplotlib; matplotlib.use("Agg")
        >>> import rm_match as rm
        >>> from rm_match.plot import SkillCoverageDisplay
        >>> mentors, mentees = rm.synthetic.cohort(30, 30, rng=0)
        >>> disp = SkillCoverageDisplay.from_matching(rm.match(mentors, mentees), mentors, mentees)
        >>> len(disp.bars_) == 2 * len(mentors.skills)
        True
        >>> import matplotlib.pyplot as plt; plt.close(disp.figure_)
        """
        from .reporting import skill_coverage

        rows = skill_coverage(matching, mentors, mentees, threshold=threshold)
        return cls(rows).plot(ax=ax)

    def plot(self, ax: Axes | None = None) -> Self:
        """Draw the bars, first row at the top.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.

        Returns
        -------
        SkillCoverageDisplay
            ``self``, with ``ax_``, ``figure_``, ``bars_``, ``covered_bars_`` and
            ``unmet_bars_`` set.
        """
        ax, fig = _axes(ax)
        labels = [
            f"{r.skill} ({r.direction})" if getattr(r, "direction", None) else str(r.skill)
            for r in self.rows
        ]
        wanted = _floats([r.wanted for r in self.rows], "rows[].wanted")
        covered = _floats([r.covered for r in self.rows], "rows[].covered")
        unmet = _floats([r.unmet for r in self.rows], "rows[].unmet")
        y = np.arange(len(labels))
        self.bars_: BarContainer = ax.barh(
            y, wanted, height=0.8, color="0.85", edgecolor="0.6", label="wanted"
        )
        self.covered_bars_: BarContainer = ax.barh(
            y, covered, height=0.5, color="C0", label="covered"
        )
        self.unmet_bars_: BarContainer = ax.barh(
            y, unmet, left=covered, height=0.5, color="C3", label="unmet"
        )
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel("people")
        ax.set_ylabel("skill")
        ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3)
        self.ax_ = ax
        self.figure_ = fig
        return self


def _column(rows: Sequence[Mapping[str, Any]], key: str, argument: str) -> np.ndarray:
    """Column ``key`` of the rows: floats (None → NaN) or, if not all numbers, strings."""
    missing = [i for i, row in enumerate(rows) if key not in row]
    if missing:
        have = sorted(rows[missing[0]])
        raise ValueError(f"`{argument}`: row {missing[0]} has no column {key!r}; it has {have}.")
    values = [row[key] for row in rows]
    if all(v is None or (isinstance(v, numbers.Real) and not isinstance(v, bool)) for v in values):
        return np.array([math.nan if v is None else float(v) for v in values], dtype=float)
    return np.array([str(v) for v in values], dtype=object)


class SweepDisplay:
    """Lines of one or more sweep columns against the varied value.

    Parameters
    ----------
    x : array_like
        The varied value at each point (numbers, or labels).
    ys : sequence of array_like of float
        Each column to draw, one value per point.
    labels : sequence of str
        A label per column.
    xlabel : str
        What was varied.
    secondary : str, optional
        A column (one of ``labels``) drawn against a second y-axis on the right, with its
        own scale: a share next to a total score.

    Attributes
    ----------
    lines_ : list of matplotlib.lines.Line2D
        One line per column.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    secondary_ax_ : matplotlib.axes.Axes or None
        The right-hand axes of ``secondary``.
    figure_ : matplotlib.figure.Figure
        Its figure.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from rm_match.plot import SweepDisplay
    >>> rows = [{"value": w, "objective": 10 - w, "gap": 0.0} for w in (0.0, 0.5, 1.0)]
    >>> disp = SweepDisplay.from_sweep(rows, y=["objective", "gap"])
    >>> len(disp.lines_), disp.ax_.get_xlabel()
    (2, 'value')
    >>> import matplotlib.pyplot as plt; plt.close(disp.figure_)
    >>> disp = SweepDisplay.from_sweep(rows, y=["objective", "gap"], secondary="gap",
    ...                                xlabel="cross-gender share at least")
    >>> disp.secondary_ax_.get_ylabel(), disp.ax_.get_ylabel(), disp.ax_.get_xlabel()
    ('gap', 'objective', 'cross-gender share at least')
    >>> plt.close(disp.figure_)
    """

    def __init__(
        self,
        x: Any,
        ys: Sequence[Any],
        labels: Sequence[str],
        xlabel: str,
        secondary: str | None = None,
    ) -> None:
        self.x = x
        self.ys = ys
        self.labels = labels
        self.xlabel = xlabel
        self.secondary = secondary

    @classmethod
    def from_sweep(
        cls,
        result: Any,
        *,
        x: str | None = None,
        y: str | Sequence[str] = "objective",
        xlabel: str | None = None,
        secondary: str | None = None,
        ax: Axes | None = None,
    ) -> SweepDisplay:
        """Columns of a sweep's result against the varied value.

        Parameters
        ----------
        result : sweep result or list of dict
            Anything with ``rows`` (one dict per point) and ``vary`` (what was varied),
            such as an :mod:`rm_match.sweeps` result, or the list of rows itself.
        x : str, optional
            The column along x; default ``"value"`` (the varied value), labelled with
            ``vary``.
        y : str or sequence of str, default "objective"
            The column(s) to draw: ``"objective"``, ``"bound"``, ``"gap"``, ``"time"``,
            ``"changed"``, ``"goal:<name>"``, ``"term:<name>"``, …
        xlabel : str, optional
            The x-axis label (default: what was varied, e.g. ``"goal:0.at_least"``).
        secondary : str, optional
            One of ``y`` drawn against a second y-axis on the right (a share next to a
            total score, which would otherwise look flat).
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.

        Returns
        -------
        SweepDisplay

        Raises
        ------
        ValueError
            If the result has no rows, or a row lacks a column asked for.
        """
        if isinstance(result, Sequence) and not isinstance(result, str):
            rows, vary = list(result), None
        elif hasattr(result, "rows"):
            rows, vary = list(result.rows), getattr(result, "vary", None)
        else:
            raise ValueError(
                "`result` must be a sweep result (with `rows` and `vary`) or a list of dicts, "
                f"not {type(result).__name__}."
            )
        if not rows:
            raise ValueError("`result` has no rows: nothing to draw.")
        if not all(isinstance(row, Mapping) for row in rows):
            raise ValueError("`result`: each row must be a dict of column → value.")
        names = [y] if isinstance(y, str) else list(y)
        if not names:
            raise ValueError("`y` must name at least one column.")
        key = "value" if x is None else x
        xs = _column(rows, key, "x")
        ys = [_column(rows, name, "y") for name in names]
        for name, col in zip(names, ys, strict=True):
            if col.dtype == object:
                raise ValueError(f"`y`: column {name!r} holds non-numbers.")
        if secondary is not None and secondary not in names:
            raise ValueError(f"`secondary`: {secondary!r} is not one of `y` ({names}).")
        if xlabel is None:
            xlabel = str(vary) if x is None and vary else key
        return cls(xs, ys, names, xlabel, secondary).plot(ax=ax)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Self:
        """Draw the lines.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.
        **kwargs
            Passed to ``ax.plot`` for every line (default ``marker="o"``).

        Returns
        -------
        SweepDisplay
            ``self``, with ``ax_``, ``figure_`` and ``lines_`` set.
        """
        ax, fig = _axes(ax)
        if len(self.ys) != len(self.labels):
            raise ValueError(
                f"`labels` has {len(self.labels)} entries for {len(self.ys)} columns in `ys`."
            )
        kw = {"marker": "o", **kwargs}
        self.lines_: list[Line2D] = []
        right = ax.twinx() if self.secondary is not None else None
        for k, (values, label) in enumerate(zip(self.ys, self.labels, strict=True)):
            on = right if right is not None and label == self.secondary else ax
            line_kw: dict[str, Any] = {"color": f"C{k}", **kw}  # one colour cycle, two axes
            (line,) = on.plot(self.x, _floats(values, f"ys[{label!r}]"), label=label, **line_kw)
            self.lines_.append(line)
        ax.set_xlabel(self.xlabel)
        primary = [label for label in self.labels if label != self.secondary]
        if right is not None:
            right.set_ylabel(str(self.secondary))
        if len(primary) == 1:
            ax.set_ylabel(primary[0])
        if len(self.labels) > 1:
            ax.legend(self.lines_, list(self.labels), frameon=False)
        self.secondary_ax_ = right
        self.ax_ = ax
        self.figure_ = fig
        return self


class ParetoDisplay:
    """The points of an ε-constraint front: non-dominated ones joined, dominated ones grey.

    Parameters
    ----------
    x, y : array_like of float
        The two objectives at each point.
    dominated : array_like of bool
        Whether each point is dominated by another.
    xlabel, ylabel : str
        The objectives' names.

    Attributes
    ----------
    points_ : matplotlib.collections.PathCollection
        The non-dominated points.
    dominated_ : matplotlib.collections.PathCollection
        The dominated points (grey).
    line_ : matplotlib.lines.Line2D
        The step line through the non-dominated points, in order of x.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        Its figure.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from rm_match.plot import ParetoDisplay
    >>> disp = ParetoDisplay([0.2, 0.4, 0.3], [9.0, 8.0, 7.0], [False, False, True],
    ...                      "cross-gender share", "objective").plot()
    >>> len(disp.points_.get_offsets()), len(disp.dominated_.get_offsets())
    (2, 1)
    >>> import matplotlib.pyplot as plt; plt.close(disp.figure_)
    """

    def __init__(self, x: Any, y: Any, dominated: Any, xlabel: str, ylabel: str) -> None:
        self.x = x
        self.y = y
        self.dominated = dominated
        self.xlabel = xlabel
        self.ylabel = ylabel

    @classmethod
    def from_front(cls, front: Any, *, ax: Axes | None = None) -> ParetoDisplay:
        """The points of a Pareto front.

        Parameters
        ----------
        front : Pareto front
            Anything with ``rows`` (dicts with ``"x"``, ``"y"`` and ``"dominated"``) and
            ``x_name``, ``y_name``, such as an :mod:`rm_match.sweeps` front.
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.

        Returns
        -------
        ParetoDisplay
        """
        rows = list(getattr(front, "rows", ()))
        if not rows:
            raise ValueError("`front` has no rows: nothing to draw.")
        x = _column(rows, "x", "front")
        y = _column(rows, "y", "front")
        dominated = np.array([bool(row.get("dominated", False)) for row in rows])
        xlabel = str(getattr(front, "x_name", "x"))
        ylabel = str(getattr(front, "y_name", "y"))
        return cls(x, y, dominated, xlabel, ylabel).plot(ax=ax)

    def plot(self, ax: Axes | None = None, *, where: Literal["pre", "post", "mid"] = "pre") -> Self:
        """Draw the points and the front.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.
        where : {"pre", "post", "mid"}, default "pre"
            The step line's ``where`` (``ax.step``): ``"pre"`` draws the boundary of what
            the front attains when both objectives are maximised; ``"post"`` when both are
            minimised.

        Returns
        -------
        ParetoDisplay
            ``self``, with ``ax_``, ``figure_``, ``points_``, ``dominated_`` and ``line_``
            set.
        """
        ax, fig = _axes(ax)
        x = _floats(self.x, "x")
        y = _floats(self.y, "y")
        dominated = np.asarray(self.dominated, dtype=bool).ravel()
        if not len(x) == len(y) == len(dominated):
            raise ValueError(
                f"`x`, `y` and `dominated` must have one entry per point; they have "
                f"{len(x)}, {len(y)} and {len(dominated)}."
            )
        front = np.flatnonzero(~dominated)
        front = front[np.argsort(x[front], kind="stable")]
        self.dominated_: PathCollection = ax.scatter(
            x[dominated], y[dominated], color="0.7", label="dominated", zorder=2
        )
        (self.line_,) = ax.step(x[front], y[front], where=where, color="C0", zorder=1)
        self.points_: PathCollection = ax.scatter(
            x[front], y[front], color="C0", label="non-dominated", zorder=3
        )
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        ax.legend(frameon=False)
        self.ax_ = ax
        self.figure_ = fig
        return self
