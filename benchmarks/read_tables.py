"""How long reading an HR export takes: CSV files of n people per side into People tables.

The rows are the example export's (``examples/juniors.csv`` / ``seniors.csv``: messy
departments, mixed separators and time-zone forms, skills as free-text lists with aliases),
repeated to n rows per side with unique e-mails and managers rewired to people of the larger
files (or outside the programme), and read under ``examples/programme.toml`` exactly as
``rm-match match`` reads them. Each size runs in a fresh process (peak resident memory is the
process's); the time is the median of ``--repeats`` reads in that process. For scale, ``match``
on the same tables is timed up to ``--match-max`` per side (without the programme's goal,
which is not what this measures).

    .bench/bin/python benchmarks/read_tables.py --sizes 1000 10000 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or ()), list(reader)


def make_files(n: int, out: Path) -> tuple[Path, Path]:
    """``n`` juniors and ``n`` seniors, cycled from the example export with unique ids."""
    header, juniors = _rows(EXAMPLES / "juniors.csv")
    _, seniors = _rows(EXAMPLES / "seniors.csv")
    paths = []
    senior_ids = [f"s{k}@example.com" for k in range(n)]
    for side, rows, prefix in (("juniors", juniors, "j"), ("seniors", seniors, "s")):
        path = out / f"{side}-{n}.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            for k in range(n):
                row = dict(rows[k % len(rows)])
                row["Work email"] = f"{prefix}{k}@example.com"
                if prefix == "s":  # an earlier senior, or outside: no cycles
                    boss = senior_ids[k // 4] if k >= 8 else f"exec{k}@example.com"
                else:
                    boss = senior_ids[k % n] if k % 2 else f"lead{k % 997}@example.com"
                row["Manager email"] = boss
                writer.writerow(row)
        paths.append(path)
    return paths[0], paths[1]


def _one(n: int, repeats: int, match_max: int) -> dict[str, float]:
    """Run in a fresh process: read (and for small n match) one size."""
    import rm_match as rm
    from rm_match.io import load_config, read_cohort

    cfg = load_config(EXAMPLES / "programme.toml")
    with tempfile.TemporaryDirectory() as tmp:
        juniors, seniors = make_files(n, Path(tmp))
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            intake = read_cohort(
                juniors,
                seniors,
                columns=cfg.mentor_columns,
                mentee_columns=cfg.mentee_columns,
                skills=cfg.skills,
                **cfg.read_options,
            )
            times.append(time.perf_counter() - t0)
    out = {
        "n": n,
        "read_s": statistics.median(times),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "match_s": float("nan"),
    }
    if n <= match_max:
        prog = replace(cfg.programme, goals=())
        t0 = time.perf_counter()
        rm.match(
            intake.mentors.people,
            intake.mentees.people,
            prog,
            org_chart=intake.org_chart,
        )
        out["match_s"] = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--match-max", type=int, default=10000)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(_one(args.one, args.repeats, args.match_max)))
        return
    rows = []
    for n in args.sizes:
        res = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--repeats",
                str(args.repeats),
                "--match-max",
                str(args.match_max),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
        print(rows[-1], flush=True)
    date = time.strftime("%Y-%m-%d")
    lines = [
        f"# Reading HR exports: CSV → People ({date})",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {platform.python_version()}; "
        f"median of {args.repeats} reads per size, each size in a fresh process; "
        "`benchmarks/read_tables.py`. Both sides have n rows of the example export's 14 "
        "columns (ids unique, managers rewired); read under `examples/programme.toml`.",
        "",
        "| n per side | read both files (s) | per 1 000 rows (ms) | peak RSS (MiB) | "
        "match, no goals (s) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        match_s = "—" if r["match_s"] != r["match_s"] else f"{r['match_s']:.2f}"
        lines.append(
            f"| {r['n']:,} | {r['read_s']:.2f} | {1000 * r['read_s'] / (2 * r['n']) * 1000:.1f} "
            f"| {r['peak_mib']:.0f} | {match_s} |"
        )
    text = "\n".join(lines) + "\n"
    out = ROOT / "benchmarks" / "results" / f"read-tables-{date}.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
