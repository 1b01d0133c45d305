"""The sparse path at scale: ``rm_match.match`` end to end, by stage, without an n × n matrix.

Usage::

    python benchmarks/scale.py --sizes 10000 20000 50000 --repeats 1 --timeout 600

Each size runs in a fresh subprocess (peak memory is its own) with a wall-clock limit; a run
that does not finish is reported as such. Synthetic cohort (d = 32 skills unless
``--skills``), demo programme, 1:1 (or ``--capacity``), ``max_matched``. Blockwise scans run
on a 2-thread pool; each worker's matrix products then run with ``--blas-threads`` BLAS
threads (default 1, set through ``OPENBLAS_NUM_THREADS`` and friends for the child process):
two workers each starting two BLAS threads on two cores made the scans about 15 % slower
(50 000: 88 s end to end instead of 84 s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from _results import Plot, run_repeats, save


def run_one(n: int, capacity: int, skills: int, executor: str = "threads") -> dict:
    import rm_match as rm
    from rm_match.cli import demo_programme
    from rm_match.screen import ProblemSource
    from rm_match.solvers import solve_source as assign_source

    if os.environ.get("RM_BENCH_PILOT"):  # an experiment: another pilot size
        from rm_match.solvers.sparse import rounds

        size, default = int(os.environ["RM_BENCH_PILOT"]), rounds.default_pilot
        rounds.default_pilot = lambda n_m, n_e: (
            size if max(n_m, n_e) > 2 * size else default(n_m, n_e)
        )
    n_m = -(-n // capacity)
    mentors, mentees = rm.synthetic.cohort(
        n_m, n, rng=2026, mentor_capacity=capacity, skills=skills
    )
    t0 = time.perf_counter()
    problem = rm.Problem(mentors, mentees, demo_programme())
    fixed, m_cap, e_cap = problem.placement()
    source = ProblemSource(problem, fixed)
    t1 = time.perf_counter()
    extra: dict = {}
    if executor == "dask":  # a 2-worker LocalCluster (one thread each) in place of threads
        from distributed import Client, LocalCluster

        from rm_match.solvers.sparse.cluster import DaskScans

        t_a = time.perf_counter()
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            extra["cluster_start"] = time.perf_counter() - t_a  # not counted in the total
            a, st = assign_source(source, m_cap, e_cap, executor=DaskScans(client), rng=0)
            t2 = time.perf_counter()
    else:
        with ThreadPoolExecutor(2) as pool:
            a, st = assign_source(source, m_cap, e_cap, executor=pool, rng=0)
        t2 = time.perf_counter()
    from rm_match.solvers.sparse import _fast, rounds

    return {
        "fast": _fast.enabled(),
        "n": n,
        "mentors": n_m,
        "d": skills,
        "executor": executor,
        **extra,
        "setup": t1 - t0,
        "total": t2 - t0 - extra.get("cluster_start", 0.0),
        **{k: round(v, 2) for k, v in st.times.items()},
        "rounds": st.rounds,
        "scans": st.scans,
        "restricted": st.restricted,
        "warm": st.warm,
        "auction": st.auction,
        "read": " ".join(f"{x:.3g}" for x in st.read),
        "pricing_mode": rounds.PRICING,
        "candidate_edges": st.candidates,
        "added": sum(st.added),
        "pruned": st.pruned,
        "pairs": len(a.pairs),
        "status": a.status,
        "gap": a.gap,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 20000])
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--capacity", type=int, default=1)
    ap.add_argument("--skills", type=int, default=32, help="skills per person (d)")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--blas-threads", type=int, default=1, help="BLAS threads per worker")
    ap.add_argument("--name", default="scale", help="results file name")
    ap.add_argument(
        "--executor",
        choices=["threads", "dask"],
        default="threads",
        help="scans on 2 threads, or on a 2-worker Dask LocalCluster (the dask extra)",
    )
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.capacity, args.skills, args.executor)))
        return 0
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.blas_threads)  # inherited by each run's process
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--capacity", str(args.capacity)]
        cmd += ["--skills", str(args.skills), "--executor", args.executor]
        runs = run_repeats(cmd, args.repeats, args.timeout, f"n={n}")
        if runs is None:
            rows.append({"n": n, "error": f"did not finish within {args.timeout:.0f} s"})
            continue
        row = dict(runs[0])
        row["total"] = statistics.median(r["total"] for r in runs)
        rows.append(row)
    cols = [
        "n",
        "mentors",
        "d",
        "setup",
        "pilot",
        "candidates",
        "solve",
        "certificate",
        "pricing",
        "scan_time",
        "exact_time",
        "total",
        "rounds",
        "scans",
        "restricted",
        "warm",
        "auction",
        "read",
        "pricing_mode",
        "executor",
        "candidate_edges",
        "added",
        "pruned",
        "pairs",
        "fast",
        "peak_mib",
        "status",
        "gap",
    ]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---:|" * len(cols)]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['n']} | {r['error']} |" + " |" * (len(cols) - 2))
            continue
        vals = []
        for c in cols:
            v = r.get(c, "")
            vals.append(
                f"{v:.2f}"
                if isinstance(v, float) and c != "gap"
                else (f"{v:.1e}" if c == "gap" else str(v))
            )
        lines.append("| " + " | ".join(vals) + " |")
    table = "\n".join(lines)
    fast = os.environ.get("RM_MATCH_FAST", "1") != "0"
    pilot = os.environ.get("RM_BENCH_PILOT")
    save(
        args.name,
        "Scale",
        ("" if fast else "RM_MATCH_FAST=0 ")
        + (f"RM_BENCH_PILOT={pilot} " if pilot else "")
        + f"python benchmarks/scale.py --sizes {' '.join(map(str, args.sizes))} "
        f"--repeats {args.repeats} --capacity {args.capacity} --skills {args.skills} "
        f"--blas-threads {args.blas_threads} --executor {args.executor} --name {args.name}",
        table,
        Plot("n", ("total", "candidates", "solve", "certificate", "pricing")),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
