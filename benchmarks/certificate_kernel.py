"""The certificate's shortest paths: the numpy passes against the compiled kernel (the ``fast``
extra, numba) on the residual networks of random optimal flows.

Usage::

    python benchmarks/certificate_kernel.py --sizes 5000 20000 50000 --k 32 --repeats 3

For each size: ``n`` mentors and mentees, ``k`` random candidate pairs per mentor, scores
uniform in [0, 1), the optimal ``max_matched`` flow by OR-tools, then
:func:`rm_match.solvers.sparse.certificate._potentials` with ``_relax(fast=False)`` and
``fast=True`` (medians of ``--repeats``; the kernel's first call, which compiles or loads it,
is timed apart). Checked: the same labels.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from _results import save

from rm_match.solvers.flow import flow_on_edges
from rm_match.solvers.sparse import certificate


def labels(n, mi, ei, rounded, used, fast):
    ones = np.ones(n, np.int64)
    original = certificate._relax

    def relax(*a, **kw):
        return original(*a, fast=fast)

    certificate._relax = relax
    try:
        t = time.perf_counter()
        d, passes, ok = certificate._potentials(
            n, n, mi, ei, rounded, used, ones, ones, "max_matched", 20_000
        )
        return d, passes, ok, time.perf_counter() - t
    finally:
        certificate._relax = original


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 50000])
    ap.add_argument("--k", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    lines = [
        "| n | arcs | numpy s | numpy passes | kernel first call s | kernel s | ÷ | same labels |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    first = None
    for n in args.sizes:
        mi = np.repeat(np.arange(n), args.k)
        ei = rng.integers(0, n, n * args.k)
        key = np.unique(mi * n + ei)
        mi, ei = key // n, key % n
        s = rng.random(len(mi))
        ones = np.ones(n, np.int64)
        used, rounded, _, _ = flow_on_edges(n, n, mi, ei, s, ones, ones, "max_matched", n)
        if first is None:
            first = labels(n, mi, ei, rounded, used, True)[3]
        plain = [labels(n, mi, ei, rounded, used, False) for _ in range(args.repeats)]
        fast = [labels(n, mi, ei, rounded, used, True) for _ in range(args.repeats)]
        a = statistics.median(p[3] for p in plain)
        b = statistics.median(f[3] for f in fast)
        same = all(
            np.array_equal(p[0], f[0]) and p[2] and f[2] for p, f in zip(plain, fast, strict=True)
        )
        shown_first = f"{first:.3f}" if n == args.sizes[0] else "—"
        lines.append(
            f"| {n} | {len(mi)} | {a:.3f} | {plain[0][1]} | {shown_first} | {b:.3f} | "
            f"{a / b:.1f}× | {same} |"
        )
    save(
        "certificate-kernel",
        "The certificate's shortest paths: numpy passes against the compiled kernel",
        f"python benchmarks/certificate_kernel.py --sizes {' '.join(map(str, args.sizes))} "
        f"--k {args.k} --repeats {args.repeats}",
        "\n".join(lines),
    )


if __name__ == "__main__":
    main()
