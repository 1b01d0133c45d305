"""Cohort goals: rm_match's auto method against plain CP-SAT and HiGHS on the same model.

Usage::

    python benchmarks/goals.py --sizes 200 500 1000 2000 --goals 3 --time-limit 60
    python benchmarks/goals.py --sizes 1000 --time-limit 60 --gap-limit 1e-3   # time to 0.1 %

For each size: a synthetic cohort (n mentors, n mentees), the demo rules, and two or three
quota goals (cross-gender share, cross-generation share, department spread). The model is
compiled once; each method solves that same model in its own subprocess (peak memory is its
own, and a stuck solver is killed at ``time limit + 60 s``):

- ``auto``: LP column generation with the Lagrangian bound over every pair, rounding,
  reduced-cost fixing, HiGHS or a large-neighbourhood search (rm_match);
- ``cpsat``: plain CP-SAT on the whole model, no hint, no bound (same scaling, 1 worker);
- ``highs``: HiGHS MIP through ``scipy.optimize.milp`` (same rows).

With ``--gap-limit`` every method stops once it has proven that relative gap (CP-SAT and
HiGHS get the equivalent gap on their weighted objective), so the time column reads "time to
that gap"; a method that never gets there runs to the limit.

Columns: time (scores, rules and the solver's model included), status, objective (total score of the
pairs), proven bound and relative gap, pairs, and whether the answer meets every goal (checked
afresh by ``rm_match.verify``).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from _results import Plot, save


def programme(n_goals: int):
    import rm_match as rm
    from rm_match import goals as G

    goals = [
        G.Share(cross="gender", at_least=0.6),
        G.Share(cross="generation", at_least=0.7),
        G.Spread("department", at_most_share=0.08),
    ][:n_goals]
    return rm.Programme(
        rules=[rm.rules.CrossDepartment(), rm.rules.NoReportingLine()],
        goals=goals,
    )


def run_one(n: int, method: str, n_goals: int, time_limit: float, gap_limit) -> dict:
    import rm_match as rm

    mentors, mentees = rm.synthetic.cohort(n, n, rng=2026)
    prog = programme(n_goals)
    t0 = time.perf_counter()
    try:
        m = rm.match(
            mentors,
            mentees,
            prog,
            method=method,
            time_limit=time_limit,
            rng=0,
            gap_limit=gap_limit,
        )
    except rm.RmMatchError as exc:
        # the message says why (e.g. nothing meeting every goal within the time limit)
        why = str(exc).split("\n")[0].replace("|", "/")[:120]
        return {"status": f"error: {type(exc).__name__}: {why}", "time": time.perf_counter() - t0}
    took = time.perf_counter() - t0
    ok = rm.verify(m, rm.Problem(mentors, mentees, prog)) == []
    return {
        "time": took,
        "status": m.status,
        "objective": m.objective,
        "bound": m.bound,
        "gap": m.gap,
        "pairs": len(m),
        "goals_met": ok,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "solver": m.assignment.stats.get("solver_status", ""),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 500, 1000, 2000])
    ap.add_argument("--goals", type=int, default=3, choices=[1, 2, 3])
    ap.add_argument("--methods", nargs="+", default=["auto", "cpsat", "milp"])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--gap-limit", type=float, default=None)
    ap.add_argument("--repeat", type=int, default=1, help="runs per size and method")
    ap.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        r = run_one(int(args.one[0]), args.one[1], args.goals, args.time_limit, args.gap_limit)
        print(json.dumps(r))
        return
    rows = []
    for n, method, run in (
        (n, m, k) for n in args.sizes for m in args.methods for k in range(args.repeat)
    ):
        print(f"n={n} {method} run {run + 1} …", file=sys.stderr, flush=True)
        cmd = [
            sys.executable,
            __file__,
            "--one",
            str(n),
            method,
            "--goals",
            str(args.goals),
            "--time-limit",
            str(args.time_limit),
        ] + (["--gap-limit", str(args.gap_limit)] if args.gap_limit is not None else [])
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.time_limit + 60)
            r = json.loads(out.stdout.strip().splitlines()[-1])
        except subprocess.TimeoutExpired:
            r = {"status": "killed (timeout)", "time": args.time_limit + 60}
        except (IndexError, json.JSONDecodeError):
            r = {"status": "crashed", "time": float("nan")}
        r.update(n=n, method={"milp": "highs"}.get(method, method), run=run + 1)
        rows.append(r)
    lines = [
        "| n | method | run | time s | status | objective | bound | gap | pairs | goals met "
        "| peak MiB |",
        "|---:|---|---:|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:

        def f(k, fmt, r=r):
            return format(r[k], fmt) if k in r else "—"

        lines.append(
            f"| {r['n']} | {r['method']} | {r['run']} | {r['time']:.2f} | {r['status']} "
            f"{('(' + r['solver'] + ')') if r.get('solver') else ''} | {f('objective', '.4f')} | "
            f"{f('bound', '.4f')} | {f('gap', '.2e')} | {f('pairs', 'd')} | "
            f"{r.get('goals_met', '—')} | {f('peak_mib', '.0f')} |"
        )
    cmd = " ".join(["python benchmarks/goals.py", *sys.argv[1:]])
    save(
        f"goals-t{args.time_limit:g}"
        + ("" if args.gap_limit is None else f"-gap{args.gap_limit:g}")
        + ("" if args.repeat == 1 else f"-x{args.repeat}"),
        f"Cohort goals ({args.goals} goals, limit {args.time_limit:g} s"
        + (f", gap limit {args.gap_limit:g})" if args.gap_limit is not None else ")"),
        cmd,
        "\n".join(lines),
        Plot("n", ("time s",), by="method", ylabel="seconds (to the gap limit, or the time limit)"),
    )


if __name__ == "__main__":
    main()
