"""Plot results tables (one or several, e.g. a 10 000-50 000 run and a 100 000 run) log-log.

Each benchmark script already writes a plot of its own table next to it; this draws one from
tables already written, merged:

    python benchmarks/plot.py results/scale-2026-11-24.md results/scale-100k-2026-11-24.md \\
        --x n --y total candidates solve certificate pricing -o results/scale-all.png
    python benchmarks/plot.py results/decompose-2026-11-23.md --x n --y "median s" --by mode

Rows whose cell is not a positive number (an error, a timeout) are left out; rows repeated
for one x (and series) give their median.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _results import Plot, draw, parse_table


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tables", nargs="+", type=Path, help="results/*.md files")
    ap.add_argument("--x", default="n", help="column for the x axis (default n)")
    ap.add_argument("--y", nargs="+", required=True, help="columns to plot (one series each)")
    ap.add_argument("--by", help="a column whose values name the series (with one --y)")
    ap.add_argument("--ylabel", default="seconds")
    ap.add_argument("--title", help="default: the first table's heading")
    ap.add_argument("-o", "--out", type=Path, help="default: the first table's name, .png")
    args = ap.parse_args(argv)
    texts = [p.read_text() for p in args.tables]
    tables = [parse_table(t) for t in texts]
    if not any(tables):
        ap.error("no markdown table in the files given")
    columns = set().union(*(row.keys() for rows in tables for row in rows))
    missing = [c for c in (args.x, *args.y, *([args.by] if args.by else [])) if c not in columns]
    if missing:
        ap.error(f"no column {missing} in the tables; they have {sorted(columns)}")
    title = args.title or texts[0].splitlines()[0].lstrip("# ").strip()
    out = args.out or args.tables[0].with_suffix(".png")
    plot = Plot(x=args.x, y=tuple(args.y), by=args.by, ylabel=args.ylabel)
    return 0 if draw(tables, plot, out, title) else 1


if __name__ == "__main__":
    raise SystemExit(main())
