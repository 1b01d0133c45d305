"""Shared by the benchmark scripts: print a table and keep it, dated, under results/."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def save(name: str, title: str, command: str, table: str) -> Path:
    """Print ``table`` and write it to ``results/<name>-<date>.md``; returns the path."""
    print(table)
    RESULTS.mkdir(exist_ok=True)
    stamp = dt.date.today().isoformat()
    out = RESULTS / f"{name}-{stamp}.md"
    out.write_text(f"# {title}, {stamp}\n\n`{command}`\n\n{table}\n")
    print(f"wrote {out}", file=sys.stderr)
    return out
