"""End-to-end time of ``rm_match.match`` on synthetic cohorts, split into its stages.

Usage: ``python benchmarks/match_scale.py --sizes 1000 2000 5000 --repeat 3``

Each size runs in a fresh subprocess (so peak RSS is that size's own); the table gives
medians over ``--repeat`` runs of: cohort generation, compile (scores + rules), solve and the
whole ``match`` call (compile + solve + explanations), with the objective and gap. The demo
programme of ``rm-match demo`` is used. Results are printed as markdown and written to
``benchmarks/results/match_scale-<date>.md``, with a log-log plot of the stages against n.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from _results import Plot, save

CHILD = r"""
import json, resource, sys, time
import rm_match as rm
from rm_match.cli import demo_programme
n, repeat = int(sys.argv[1]), int(sys.argv[2])
rows = []
for r in range(repeat):
    t = time.perf_counter(); mentors, mentees = rm.synthetic.cohort(n, n, rng=r)
    t_cohort = time.perf_counter() - t
    prog = demo_programme()
    t = time.perf_counter(); arrays = rm.Problem(mentors, mentees, prog).compile()
    t_compile = time.perf_counter() - t
    t = time.perf_counter(); a = rm.assign(arrays.scores, arrays.feasible)
    t_solve = time.perf_counter() - t
    t = time.perf_counter(); m = rm.match(mentors, mentees, prog)
    t_match = time.perf_counter() - t
    rows.append(dict(cohort=t_cohort, compile=t_compile, solve=t_solve, match=t_match,
                     method=m.method, pairs=len(m), objective=m.objective, gap=m.gap))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(dict(rows=rows, peak_mib=peak)))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    lines = [
        "| n per side | method | cohort s | compile s | solve s | match s | peak MiB | pairs "
        "| objective (seed 0) | gap |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in args.sizes:
        print(f"[match_scale] n={n} × {args.repeat} …", file=sys.stderr, flush=True)
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(args.repeat)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        res = json.loads(out)
        rows = res["rows"]
        med = {
            k: statistics.median(r[k] for r in rows)
            for k in ("cohort", "compile", "solve", "match")
        }
        first = rows[0]
        lines.append(
            f"| {n} | {first['method']} | {med['cohort']:.2f} | {med['compile']:.2f} | "
            f"{med['solve']:.2f} | {med['match']:.2f} | {res['peak_mib']:.0f} | "
            f"{first['pairs']} | {first['objective']:.4f} | {max(r['gap'] for r in rows):.1e} |"
        )
    save(
        "match_scale",
        f"match_scale (medians of {args.repeat} runs, seeds 0..{args.repeat - 1}, demo programme, "
        f"1:1, policy max_matched; python {sys.version.split()[0]})",
        f"python benchmarks/match_scale.py --sizes {' '.join(map(str, args.sizes))} "
        f"--repeat {args.repeat}",
        "\n".join(lines),
        Plot("n per side", ("cohort s", "compile s", "solve s", "match s")),
    )


if __name__ == "__main__":
    main()
