"""Rematch after drop-outs against rebuilding from scratch (issue "programme over time", part 2).

Usage::

    python benchmarks/rematch.py --sizes 2000 5000 10000

A synthetic cohort of n mentors and n mentees (``rng=11``) under the demo programme
(:func:`rm_match.cli.demo_programme`) is matched (the previous round, not timed); then 5 % of
each side drop out (drawn with ``rng=12``). On the remaining tables, one run each of

- ``rematch``: :func:`rm_match.rematch` with ``compare=False`` (the lexicographic
  solve alone: most pairs, then most previous pairs kept, then score);
- ``rebuild``: a plain :func:`rm_match.match` on the current tables (what the rematch's
  price of stability compares with).

Columns: seconds, pairs, previous pairs kept, objective (total score), status and gap, the
violations :func:`rm_match.verify` finds, and for the rematch the score given up against the
rebuild and the ratio of the two times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _results import save

import rm_match as rm
from rm_match.cli import demo_programme
from rm_match.rounds import rematch


def run(n: int, drop: float) -> list[str]:
    """The two table rows for size ``n``."""
    mentors, mentees = rm.synthetic.cohort(n, n, rng=11)
    prog = demo_programme()
    before = rm.match(mentors, mentees, prog)
    gen = np.random.default_rng(12)
    k = max(1, round(drop * n))
    gone = [*gen.choice(mentors.ids, k, replace=False), *gen.choice(mentees.ids, k, replace=False)]
    gone = [str(g) for g in gone]

    t = time.perf_counter()
    r = rematch(before, mentors, mentees, prog, left=gone, compare=False)
    t_re = time.perf_counter() - t

    chart = r.problem.cohort.org_chart or None
    t = time.perf_counter()
    plain = rm.match(r.problem.mentors, r.problem.mentees, prog, org_chart=chart)
    t_plain = time.perf_counter() - t

    previous = set(before.id_pairs)
    rows = []
    for name, m, secs in (("rematch", r.matching, t_re), ("rebuild", plain, t_plain)):
        kept = sum(p in previous for p in m.id_pairs)
        bad = len(rm.verify(m, r.problem))
        given = f"{plain.objective - m.objective:.6f}" if name == "rematch" else "—"
        ratio = f"{t_re / t_plain:.2f}" if name == "rematch" else "—"
        rows.append(
            f"| {n} | {name} | {secs:.2f} | {ratio} | {len(m)} | {kept} | {r.keepable} | "
            f"{m.objective:.6f} | {given} | {m.status} | {m.gap:.1e} | {m.method} | {bad} |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10000])
    parser.add_argument("--drop", type=float, default=0.05, help="share of each side leaving")
    parser.add_argument("--name", default="rematch")
    args = parser.parse_args()
    head = (
        "| n | method | s | ÷ rebuild | pairs | kept | keepable | objective | score given up "
        "| status | gap | solver | violations |\n"
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|"
    )
    rows = [row for n in args.sizes for row in run(n, args.drop)]
    cmd = "python benchmarks/rematch.py " + " ".join(sys.argv[1:])
    save(args.name, "Rematch after drop-outs", cmd.strip(), "\n".join([head, *rows]))


if __name__ == "__main__":
    main()
