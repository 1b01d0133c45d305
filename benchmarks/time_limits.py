"""Time limits on the goal path: the time asked for against the time taken, and whether the
answer repeats (issue 17, items 3 and 4).

Usage::

    python benchmarks/time_limits.py --sizes 1000 --limits 1 5 20 --repeats 3
    python benchmarks/time_limits.py --sizes 5000 --limits 5 20 60 --repeats 2 --programmes issue
    python benchmarks/time_limits.py --sizes 1000 --pythonpath /tmp/base/src --name time-limits-base

The programme of issue 17 (item 3), scaled: a synthetic cohort of n mentors and n mentees
(``rng=11``), rules CrossDepartment, NoReportingLine(2), SeniorityDirection(2), and

- ``issue``: Share(cross="gender", at_least=0.4), Coverage("department", k=3),
  Spread("department", at_most_share=0.15) (the goals of the issue; the best assignment
  over every pair happens to meet them);
- ``binding``: Share(cross="gender", at_least=0.6), Share(cross="generation",
  at_least=0.7), Spread("department", at_most_share=0.08) (they bind: the LP, rounding and
  the search run).

Each run is a fresh process (the cohort is built before the clock starts; loading the
solvers is inside the limit, as in a user's first call) calling ``rm.match(..., time_limit=T,
rng=0)``. Columns: the median time taken from the call to its return (answer or error) and
the range over the runs; ``over``: median taken − asked (what the stated overhead is about);
``solver``: median seconds from the call to the solver's answer (``Assignment.wall_time``;
the explanations of the pairs come after); status, gap and pairs of the runs (one value when
all agree); ``same pairs``: whether every run that answered gave the same pairs; ``clock``:
runs the wall clock stopped (their message says a rerun may differ). An error is shown by its
kind and the start of its message.

``--pythonpath`` runs the code found there instead (e.g. an export of an earlier commit).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time

from _results import save

PROGRAMMES = ("issue", "binding")


def programme(name: str):
    import rm_match as rm
    from rm_match import goals as G

    goals = {
        "issue": [
            G.Share(cross="gender", at_least=0.4),
            G.Coverage("department", k=3),
            G.Spread("department", at_most_share=0.15),
        ],
        "binding": [
            G.Share(cross="gender", at_least=0.6),
            G.Share(cross="generation", at_least=0.7),
            G.Spread("department", at_most_share=0.08),
        ],
    }[name]
    rules = [
        rm.rules.CrossDepartment(),
        rm.rules.NoReportingLine(2),
        rm.rules.SeniorityDirection(2),
    ]
    return rm.Programme(rules=rules, goals=goals)


def run_one(n: int, name: str, limit: float) -> dict:
    import numpy as np

    import rm_match as rm

    mentors, mentees = rm.synthetic.cohort(n, n, rng=11)
    prog = programme(name)
    t0 = time.perf_counter()
    try:
        m = rm.match(mentors, mentees, prog, time_limit=limit, rng=0)
    except rm.RmMatchError as exc:
        why = str(exc).split("\n")[0].replace("|", "/")[:90]
        return {"status": f"{type(exc).__name__}: {why}", "taken": time.perf_counter() - t0}
    taken = time.perf_counter() - t0
    a = m.assignment
    pairs = np.ascontiguousarray(a.pairs, dtype=np.int64)
    return {
        "taken": taken,
        "solver": a.wall_time,
        "status": m.status,
        "gap": m.gap,
        "pairs": len(pairs),
        "hash": hashlib.sha1(pairs.tobytes()).hexdigest()[:12],
        "clock": bool(a.stats.get("clock_stopped", False)),
        "objective": m.objective,
    }


def _one_or_range(values: list, fmt: str) -> str:
    if not values:
        return "—"
    shown = sorted({format(v, fmt) for v in values})
    return shown[0] if len(shown) == 1 else " / ".join(shown)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--limits", type=float, nargs="+", default=[1.0, 5.0, 20.0])
    ap.add_argument("--programmes", nargs="+", default=list(PROGRAMMES), choices=PROGRAMMES)
    ap.add_argument("--repeats", type=int, default=3, help="runs per size, programme, limit")
    ap.add_argument("--pythonpath", default=None, help="run the rm_match found there")
    ap.add_argument("--name", default="time-limits", help="results file name (before the date)")
    ap.add_argument("--label", default=None, help="what code ran, for the title")
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.one[1], float(args.one[2]))))
        return
    env = dict(os.environ)
    if args.pythonpath:
        env["PYTHONPATH"] = args.pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    lines = [
        "| n | goals | asked s | runs | taken s (median) | taken range | over s | solver s "
        "| status | gap | pairs | same pairs | clock |",
        "|---:|---|---:|---:|---:|---|---:|---:|---|---|---|---|---:|",
    ]
    for n in args.sizes:
        for name in args.programmes:
            for limit in args.limits:
                runs = []
                for k in range(args.repeats):
                    print(
                        f"n={n} {name} limit={limit:g} run {k + 1} …", file=sys.stderr, flush=True
                    )
                    cmd = [sys.executable, __file__, "--one", str(n), name, str(limit)]
                    try:
                        out = subprocess.run(
                            cmd, capture_output=True, text=True, env=env, timeout=limit + 600
                        )
                        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                    except subprocess.TimeoutExpired:
                        runs.append({"status": "killed (timeout)", "taken": limit + 600})
                    except (IndexError, json.JSONDecodeError):
                        runs.append({"status": "crashed", "taken": float("nan")})
                taken = [r["taken"] for r in runs]
                solver = [r["solver"] for r in runs if "solver" in r]
                answered = [r for r in runs if "hash" in r]
                same = (
                    "—"
                    if len(answered) < 2
                    else ("yes" if len({r["hash"] for r in answered}) == 1 else "no")
                )
                med = statistics.median(taken)
                lines.append(
                    f"| {n} | {name} | {limit:g} | {len(runs)} | {med:.2f} | "
                    f"{min(taken):.2f}–{max(taken):.2f} | {med - limit:+.2f} | "
                    f"{(format(statistics.median(solver), '.2f') if solver else '—')} | "
                    f"{_one_or_range([r['status'] for r in runs], 's')} | "
                    f"{_one_or_range([r['gap'] for r in answered], '.1e')} | "
                    f"{_one_or_range([r['pairs'] for r in answered], 'd')} | {same} | "
                    f"{sum(r.get('clock', False) for r in answered)} |"
                )
    cmd = " ".join(["python benchmarks/time_limits.py", *sys.argv[1:]])
    title = "Time limits on the goal path: asked against taken"
    if args.label or args.pythonpath:
        title += f" ({args.label or 'code from ' + args.pythonpath})"
    save(args.name, title, cmd, "\n".join(lines))


if __name__ == "__main__":
    main()
