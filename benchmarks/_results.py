"""Shared by the benchmark scripts: print a table and keep it, dated, under results/."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
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
