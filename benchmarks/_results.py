"""Shared by the benchmark scripts: print a table and keep it, dated, under results/, with a
log-log plot of time against n drawn from the table itself."""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
#: Status cells of runs that gave no answer (their time is a limit, not a measurement).
_FAILED = ("error", "killed", "crashed")


@dataclass(frozen=True)
class Plot:
    """Which columns of a results table to plot: ``x`` against each of ``y`` (one series per
    column), or against ``y[0]`` with one series per value of ``by``. Rows whose ``y`` cell
    is not a number, or whose status says the run gave no answer, are left out; repeated
    rows give their median."""

    x: str
    y: tuple[str, ...]
    by: str | None = None
    ylabel: str = "seconds"


def save(name: str, title: str, command: str, table: str, plot: Plot | None = None) -> Path:
    """Print ``table`` and write it to ``results/<name>-<date>.md`` (and, with ``plot``, a
    log-log plot of it next to it, same name ``.png``); returns the path of the table."""
    print(table)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.date.today().isoformat()
    out = RESULTS / f"{name}-{stamp}.md"
    out.write_text(f"# {title}, {stamp}\n\n`{command}`\n\n{table}\n")
    print(f"wrote {out}", file=sys.stderr)
    if plot is not None:
        draw([parse_table(table)], plot, out.with_suffix(".png"), title)
    return out


def parse_table(text: str) -> list[dict[str, str]]:
    """The rows of the first markdown table in ``text``, as ``{column: cell}``."""
    lines = [ln.strip() for ln in text.splitlines()]
    start = next((i for i, ln in enumerate(lines) if ln.startswith("|")), None)
    if start is None or start + 1 >= len(lines):
        return []

    def cells(ln: str) -> list[str]:
        return [c.strip() for c in ln.strip("|").split("|")]

    head = cells(lines[start])
    rows = []
    for ln in lines[start + 2 :]:
        if not ln.startswith("|"):
            break
        rows.append(dict(zip(head, cells(ln), strict=False)))
    return rows


def _positive(cell: str | None) -> float | None:
    """The cell as a number if it is one above zero (a log axis shows no other)."""
    try:
        value = float(cell) if cell is not None else None
    except ValueError:
        return None
    return value if value is not None and value > 0 else None


def series(tables: list[list[dict[str, str]]], plot: Plot) -> dict[str, list[tuple[float, float]]]:
    """``{label: [(x, median y), ...]}`` sorted by x, from the rows of ``tables``."""
    points: dict[str, dict[float, list[float]]] = {}
    for rows in tables:
        for row in rows:
            x = _positive(row.get(plot.x))
            if x is None or row.get("status", "").startswith(_FAILED):
                continue
            for col in plot.y[:1] if plot.by else plot.y:
                y = _positive(row.get(col))
                if y is None:
                    continue
                label = row.get(plot.by, "?") if plot.by else col
                points.setdefault(label, {}).setdefault(x, []).append(y)
    return {
        label: sorted((x, statistics.median(ys)) for x, ys in by_x.items())
        for label, by_x in points.items()
    }


def draw(tables: list[list[dict[str, str]]], plot: Plot, path: Path, title: str) -> Path | None:
    """Write the log-log plot of ``tables`` to ``path`` (``None`` without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
        return None
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    # a marker and size per series, so that points on top of each other stay visible
    for i, (label, pts) in enumerate(series(tables, plot).items()):
        style = {"marker": "os^Dv<>p"[i % 8], "markersize": max(9 - 1.5 * i, 4), "alpha": 0.85}
        ax.loglog(*zip(*pts, strict=True), label=label, **style)
    ax.set_xlabel(plot.x)
    ax.set_ylabel(plot.ylabel)
    ax.set_title(title, fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}", file=sys.stderr)
    return path


def run_repeats(cmd: list[str], repeats: int, timeout: float, label: str) -> list[dict] | None:
    """Run ``cmd`` (a ``--one`` child printing one JSON line last) ``repeats`` times, each in a
    fresh process; the parsed rows, or ``None`` if a run failed or ran past ``timeout``."""
    runs = []
    for rep in range(repeats):
        print(f"{label} run {rep + 1}/{repeats} …", file=sys.stderr, flush=True)
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        if p.returncode != 0:
            print(p.stderr[-2000:], file=sys.stderr)
            return None
        runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
    return runs
