"""Rematch after drop-outs against rebuilding from scratch (issue "programme over time", part 2).

Usage::

    python benchmarks/rematch.py --sizes 2000 5000 10000

A synthetic cohort of n mentors and n mentees (``rng=11``) under the demo programme
(:func:`rm_match.cli.demo_programme`) is matched (the previous round, not timed); then 5 % of
each side drop out (drawn with ``rng=12``). On the remaining tables, one run each of

- ``rematch``: :func:`rm_match.rematch` with ``compare=False`` (the lexicographic
  solve alone: most pairs, then most previous pairs kept, then score). Column ``path``:
  ``keep all, solve the rest`` when every keepable pair was kept and the rest solved as
  ``match`` solves it (the optimum whenever that has the most pairs), ``bonus`` when the
  dense solve with a bonus per kept pair answered;
- ``rebuild``: a plain :func:`rm_match.match` on the current tables (what the rematch's
  price of stability compares with).

``--repeats`` runs of each, alternately; medians and ranges. Columns: seconds, pairs,
previous pairs kept, objective (total score), status and gap, the violations
:func:`rm_match.verify` finds, and for the rematch the score given up against the rebuild
and the ratio of the two median times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from statistics import median

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _results import save

import rm_match as rm
from rm_match.cli import demo_programme
from rm_match.rounds import rematch

#: what a rematch that kept every keepable pair and solved the rest says in its message
KEEP_ALL = "every keepable previous pair kept"


def run(n: int, drop: float, repeats: int) -> list[str]:
    """The two table rows for size ``n``."""
    mentors, mentees = rm.synthetic.cohort(n, n, rng=11)
    prog = demo_programme()
    before = rm.match(mentors, mentees, prog)
    gen = np.random.default_rng(12)
    k = max(1, round(drop * n))
    gone = [*gen.choice(mentors.ids, k, replace=False), *gen.choice(mentees.ids, k, replace=False)]
    gone = [str(g) for g in gone]

    chart = None
    t_re, t_plain = [], []
    for _ in range(repeats):  # alternately, so that both see the same machine
        t = time.perf_counter()
        r = rematch(before, mentors, mentees, prog, left=gone, compare=False)
        t_re.append(time.perf_counter() - t)
        chart = r.problem.cohort.org_chart or None
        t = time.perf_counter()
        plain = rm.match(r.problem.mentors, r.problem.mentees, prog, org_chart=chart)
        t_plain.append(time.perf_counter() - t)
    path = "keep all, solve the rest" if KEEP_ALL in r.matching.assignment.message else "bonus"
    previous = set(before.id_pairs)
    rows = []
    for name, m, times in (("rematch", r.matching, t_re), ("rebuild", plain, t_plain)):
        kept = sum(p in previous for p in m.id_pairs)
        bad = len(rm.verify(m, r.problem))
        given = f"{plain.objective - m.objective:.6f}" if name == "rematch" else "—"
        ratio = f"{median(t_re) / median(t_plain):.2f}" if name == "rematch" else "—"
        how = path if name == "rematch" else "match"
        rows.append(
            f"| {n} | {name} | {median(times):.2f} | {min(times):.2f}–{max(times):.2f} | "
            f"{ratio} | {len(m)} | {kept} | {r.keepable} | {m.objective:.6f} | {given} | "
            f"{m.status} | {m.gap:.1e} | {m.method} | {how} | {bad} |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10000])
    parser.add_argument("--drop", type=float, default=0.05, help="share of each side leaving")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each; medians")
    parser.add_argument("--name", default="rematch")
    args = parser.parse_args()
    head = (
        "| n | method | s (median) | range | ÷ rebuild | pairs | kept | keepable | objective "
        "| score given up | status | gap | solver | path | violations |\n"
        "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|---:|"
    )
    rows = [row for n in args.sizes for row in run(n, args.drop, args.repeats)]
    cmd = "python benchmarks/rematch.py " + " ".join(sys.argv[1:])
    save(args.name, "Rematch after drop-outs", cmd.strip(), "\n".join([head, *rows]))


if __name__ == "__main__":
    main()
