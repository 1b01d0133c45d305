"""Sparse inputs: ``assign`` on a ``scipy.sparse`` score matrix against scipy's own sparse
solver, on OR-Library's sparse assignment instances.

Usage::

    python benchmarks/sparse_inputs.py --repeats 5

For each of assignp800, assignp1500, assignp3000 and assignp5000
(``../shared/external-data/orlib/``, about 100 000 pairs each; the costs are minimised, so
``assign`` maximises minus the cost): the median seconds over ``--repeats`` runs, in this
process, of

- ``scipy``: :func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching` on the CSR
  cost matrix (the matching only: no bound);
- ``assign auto``: :func:`rm_match.assign` on the same pairs as a CSR matrix (LAPJVsp where
  a matching of a whole side exists, then the certificate: potentials, König cover, slack);
- ``assign flow``: ``method="flow"`` (the OR-tools min-cost flow on the edges, certified);
- ``assign auto, fast``: the same with the ``fast`` extra's kernels loaded beforehand
  (:func:`rm_match.solvers.load_fast_kernels`, as a service does at its start): the
  certificate's shortest paths compiled (when numba is installed);
- ``assign dense``: the dense path the issue measured, a full matrix with ``feasible``
  (``method="auto"``), run once.

Columns: the objective against the published optimum, the status and method, medians and
ranges, and the ratio to scipy's median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

sys.path.insert(0, str(Path(__file__).parent))

from _results import save

import rm_match as rm

DATA = Path(__file__).resolve().parents[2] / "shared" / "external-data" / "orlib"
NAMES = ["assignp800", "assignp1500", "assignp3000", "assignp5000"]


def load(name: str) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    tokens = (DATA / f"{name}.txt").read_text().split()
    n = int(tokens[0])
    t = np.array(tokens[1:], dtype=np.int64).reshape(-1, 3)
    return n, t[:, 0] - 1, t[:, 1] - 1, t[:, 2].astype(float)


def optima() -> dict[str, float]:
    out = {}
    for line in (DATA / "assignopt.txt").read_text().splitlines()[1:]:
        parts = line.split()
        if len(parts) == 2:
            out[parts[0]] = float(parts[1])
    return out


def timed(fn, repeats: int) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return times, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--name", default="sparse-inputs")
    args = ap.parse_args()
    best = optima()
    lines = [
        "| instance | pairs | how | objective | published | status | method | s (median) | "
        "range | ÷ scipy |",
        "|---|---:|---|---:|---:|---|---|---:|---|---:|",
    ]
    for name in NAMES:
        n, rows, cols, cost = load(name)
        costs = sp.csr_array((cost, (rows, cols)), shape=(n, n))
        scores = sp.csr_array((-cost, (rows, cols)), shape=(n, n))
        # warm-up: imports and first calls outside the clock
        min_weight_full_bipartite_matching(costs)
        rm.assign(scores)
        t_sc, (r, c) = timed(
            lambda costs=costs: min_weight_full_bipartite_matching(costs), args.repeats
        )
        ref = statistics.median(t_sc)
        runs = [("scipy", t_sc, float(costs[r, c].sum()), "–", "LAPJVsp")]
        os.environ["RM_MATCH_FAST"] = "0"  # the plain certificate first
        for how, kw in (("assign auto", {}), ("assign flow", {"method": "flow"})):
            t, a = timed(lambda kw=kw, scores=scores: rm.assign(scores, **kw), args.repeats)
            runs.append((how, t, -a.objective, a.status, a.method))
        os.environ["RM_MATCH_FAST"] = "1"
        if rm.solvers.load_fast_kernels():  # the fast extra, loaded as a service would
            t, a = timed(lambda scores=scores: rm.assign(scores), args.repeats)
            runs.append(("assign auto, fast", t, -a.objective, a.status, a.method))
        dense = np.zeros((n, n))
        allowed = np.zeros((n, n), dtype=bool)
        dense[rows, cols] = -cost
        allowed[rows, cols] = True
        t, a = timed(lambda dense=dense, allowed=allowed: rm.assign(dense, allowed), 1)
        runs.append(("assign dense", t, -a.objective, a.status, a.method))
        for how, t, obj, status, method in runs:
            lines.append(
                f"| {name} | {len(rows)} | {how} | {obj:.0f} | {best[name]:.0f} | {status} | "
                f"{method} | {statistics.median(t):.3f} | {min(t):.3f}–{max(t):.3f} | "
                f"{statistics.median(t) / ref:.2f} |"
            )
            print(lines[-1], file=sys.stderr, flush=True)
    note = (
        f"\n\n{args.repeats} runs each (the dense path once), in one process, after a warm-up "
        "call. scipy returns the matching only; `assign` returns it with a proven bound. "
        "`assign auto` and `assign flow` run with `RM_MATCH_FAST=0` (the numpy certificate); "
        "`assign auto, fast` with the fast extra's kernels loaded before the clock starts."
    )
    cmd = "python benchmarks/sparse_inputs.py " + " ".join(sys.argv[1:])
    save(
        args.name,
        "Sparse inputs: assign on scipy.sparse scores vs scipy",
        cmd.strip(),
        "\n".join(lines) + note,
    )


if __name__ == "__main__":
    main()
