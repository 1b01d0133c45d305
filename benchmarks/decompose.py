"""Decomposition: a cohort split by a same-region rule, parts solved serially or on 2 processes.

Usage::

    python benchmarks/decompose.py --sizes 4000 10000 20000 --regions 4 --repeats 3

Synthetic cohort (``rm_match.synthetic.cohort(n, n, regions=R)``), the demo programme plus
``rules.SameGroup("region")``, 1:1, ``max_matched``. Three ways on the same instance:

- ``serial``: ``match`` solves the parts one after another in this process;
- ``2 processes``: ``match(..., executor=pool)`` with a 2-process pool (``spawn``, one BLAS
  thread per worker so the two do not fight over the 2 cores). The pool is started and warmed
  before the clock starts: a long-lived pool, as a service would keep;
- ``2 processes + start``: the same, pool start-up (imports in each worker) included.

Peak memory: this process (``peak MiB``) and the largest pool worker (``worker MiB``).

Each (n, mode) runs in a fresh subprocess; times are medians over ``--repeats``; every
answer is checked with ``rm_match.verify`` and the objectives must agree.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from _results import Plot, run_repeats, save

MODES = ("serial", "2 processes", "2 processes + start")


def _warm(_: object = None) -> int:
    import rm_match  # noqa: F401  (imports in the worker)

    return os.getpid()


def run_one(n: int, regions: int, mode: str) -> dict:
    import rm_match as rm
    from rm_match.cli import demo_programme

    mentors, mentees = rm.synthetic.cohort(n, n, rng=2026, regions=regions)
    base = demo_programme()
    prog = replace(base, rules=(*base.rules, rm.rules.SameGroup("region")))
    pool = None
    t0 = time.perf_counter()
    if mode != "serial":
        os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"
        pool = ProcessPoolExecutor(2, mp_context=mp.get_context("spawn"))
        assert len(set(pool.map(_warm, range(4)))) >= 1
        if mode == "2 processes":
            t0 = time.perf_counter()
    m = rm.match(mentors, mentees, prog, rng=0, executor=pool)
    total = time.perf_counter() - t0
    if pool is not None:
        pool.shutdown()
    ids = [(p.mentor, p.mentee) for p in m.pairs]
    return {
        "n": n,
        "mode": mode,
        "parts": int(m.assignment.message.split()[0])
        if "independent" in m.assignment.message
        else 1,
        "method": m.method,
        "total": total,
        "pairs": len(m),
        "objective": m.objective,
        "status": m.status,
        "gap": m.gap,
        "violations": len(rm.verify(ids, rm.Problem(mentors, mentees, prog))),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[4000, 10000, 20000])
    ap.add_argument("--regions", type=int, default=4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--one", nargs=2, metavar=("N", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(int(args.one[0]), args.regions, args.one[1])))
        return 0
    rows = []
    for n in args.sizes:
        for mode in MODES:
            cmd = [sys.executable, __file__, "--one", str(n), mode, "--regions", str(args.regions)]
            runs = run_repeats(cmd, args.repeats, args.timeout, f"n={n} {mode}")
            if runs is None:
                rows.append({"n": n, "mode": mode, "error": "failed or timed out"})
                continue
            row = dict(runs[0])
            row["times"] = [r["total"] for r in runs]
            row["total"] = statistics.median(row["times"])
            rows.append(row)
    table = _markdown(rows)
    save(
        "decompose",
        "Decomposition",
        f"python benchmarks/decompose.py --sizes {' '.join(map(str, args.sizes))} "
        f"--regions {args.regions} --repeats {args.repeats}",
        table,
        Plot("n", ("median s",), by="mode"),
    )
    return 0


def _markdown(rows) -> str:
    out = [
        "| n | mode | parts | method | median s | runs s | vs serial | pairs | objective "
        "| violations | peak MiB | worker MiB | status |",
        "|---:|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    serial = {r["n"]: r["total"] for r in rows if r.get("mode") == "serial" and "total" in r}
    for r in rows:
        if "error" in r:
            out.append(f"| {r['n']} | {r['mode']} | {r['error']} |" + " |" * 10)
            continue
        ratio = r["total"] / serial[r["n"]] if r["n"] in serial else float("nan")
        runs = " / ".join(f"{t:.2f}" for t in r["times"])
        out.append(
            f"| {r['n']} | {r['mode']} | {r['parts']} | {r['method']} | {r['total']:.2f} | {runs} "
            f"| {ratio:.2f} | {r['pairs']} | {r['objective']:.6f} | {r['violations']} "
            f"| {r['peak_mib']:.0f} | {r['worker_mib']:.0f} | {r['status']} |"
        )
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
