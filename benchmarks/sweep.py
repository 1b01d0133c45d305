"""Trade-off sweeps: :func:`rm_match.sweep` against a hand loop of :func:`rm_match.match` calls.

Usage::

    python benchmarks/sweep.py --sizes 1000 5000 --gap-limit 1e-3

For each size: a synthetic cohort (n mentors, n mentees, ``rng=2026``), the demo programme's
rules (:func:`rm_match.cli.demo_programme`) and a cross-gender goal
``goals.Share(cross="gender", at_least=p)`` swept over p = 0, 10 %, …, 80 % (9 points), under
two score settings:

- ``demo``: the demo programme's diversity reward on gender and generation (the best
  assignment is about 95 % cross-gender: no level binds);
- ``binding``: the diversity reward on generation only (about 49 % cross-gender: the levels
  from 50 % bind, and each of those points is a goal solve);
- ``weights`` (not run by default): no goal; the diversity weight swept over 0, 0.25, …, 2
  instead (``vary="weight:diversity"``: each point a re-weighting and an assignment).

Four runs per size and setting, in this process, one after the other:

- ``hand loop``: ``match`` once per level (compile, goal model, solve each time);
- ``sweep``: ``rm.sweep(..., vary="goal:0.at_least")`` (compiled once; the best assignment
  with the goals aside solved once and reused wherever it meets the level);
- each again on a 2-process pool (started and warmed before the clock starts): the hand loop
  submits one ``match`` per level, the sweep gets ``executor=``.

"same answers": every point's objective against the serial hand loop's (largest relative
difference) and the statuses. Each point uses ``rng=0`` and one CP-SAT/HiGHS worker, so the
goal solves are deterministic unless the wall clock stops one (the column ``clock`` counts
the points where it did: those may differ).
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _results import Plot, save

import rm_match as rm
from rm_match.cli import demo_programme

LEVELS = [round(0.1 * k, 1) for k in range(9)]


#: the ``weights`` setting's values of the diversity weight (no goal)
WEIGHTS = [0.25 * k for k in range(9)]


def programme(setting: str, level: float = 0.0) -> rm.Programme:
    base = demo_programme()
    if setting == "weights":  # the diversity weight at ``level``, the others as the demo's
        weights = {**rm.DEFAULT_WEIGHTS, "diversity": level}
        return replace(base, weights=weights)
    if setting == "binding":
        base = replace(base, diversity_attributes=("generation",))
    return replace(base, goals=[rm.goals.Share(cross="gender", at_least=level)])


def _levels(setting: str) -> list[float]:
    return WEIGHTS if setting == "weights" else LEVELS


def _one(n: int, setting: str, level: float, time_limit: float, gap_limit) -> tuple:
    """One hand-loop point (module level: the pool runs it); the cohort is rebuilt from its
    seed in the worker, as a user's script would load it."""
    mentors, mentees = _cohort(n)
    return _match(mentors, mentees, setting, level, time_limit, gap_limit)


_COHORTS: dict[int, tuple] = {}


def _cohort(n: int) -> tuple:
    if n not in _COHORTS:
        _COHORTS[n] = rm.synthetic.cohort(n, n, rng=2026)
    return _COHORTS[n]


def _match(mentors, mentees, setting, level, time_limit, gap_limit) -> tuple:
    t = time.perf_counter()
    m = rm.match(
        mentors,
        mentees,
        programme(setting, level),
        rng=0,
        time_limit=time_limit,
        gap_limit=gap_limit,
    )
    stopped = bool(m.assignment.stats.get("clock_stopped", False))
    return m.objective, m.status, time.perf_counter() - t, stopped


def hand_loop(n, setting, time_limit, gap_limit, pool: Executor | None) -> list[tuple]:
    if pool is None:
        mentors, mentees = _cohort(n)
        return [
            _match(mentors, mentees, setting, p, time_limit, gap_limit) for p in _levels(setting)
        ]
    futures = [pool.submit(_one, n, setting, p, time_limit, gap_limit) for p in _levels(setting)]
    return [f.result() for f in futures]


def by_sweep(n, setting, time_limit, gap_limit, pool: Executor | None) -> list[tuple]:
    mentors, mentees = _cohort(n)
    s = rm.sweep(
        mentors,
        mentees,
        programme(setting, 1.0 if setting == "weights" else 0.0),
        vary="weight:diversity" if setting == "weights" else "goal:0.at_least",
        values=_levels(setting),
        rng=0,
        time_limit=time_limit,
        gap_limit=gap_limit,
        executor=pool,
    )
    return [(r["objective"], r["status"], r["time"], "wall clock" in r["message"]) for r in s.rows]


def _warm(_: int) -> int:
    import rm_match  # noqa: F401  (the import is the warm-up)

    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--settings", nargs="+", default=["demo", "binding"])
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--gap-limit", type=float, default=1e-3)
    ap.add_argument("--modes", nargs="+", default=["serial", "pool"])
    ap.add_argument("--name", default="sweep")
    args = ap.parse_args()
    rows, detail = [], []
    for n in args.sizes:
        _cohort(n)
        for setting in args.settings:
            ref = None
            for mode in args.modes:
                pool = ProcessPoolExecutor(2) if mode == "pool" else None
                if pool is not None:
                    list(pool.map(_warm, range(2)))
                for how, fn in (("hand loop", hand_loop), ("sweep", by_sweep)):
                    print(f"n={n} {setting} {how} {mode} …", file=sys.stderr, flush=True)
                    t = time.perf_counter()
                    out = fn(n, setting, args.time_limit, args.gap_limit, pool)
                    secs = time.perf_counter() - t
                    if ref is None:
                        ref = out
                    diff = max(
                        abs(o[0] - r[0]) / max(1.0, abs(r[0]))
                        for o, r in zip(out, ref, strict=True)
                    )
                    rows.append(
                        {
                            "n": n,
                            "setting": setting,
                            "how": how,
                            "mode": mode,
                            "s": secs,
                            "diff": diff,
                            "same status": all(o[1] == r[1] for o, r in zip(out, ref, strict=True)),
                            "binding": "—"
                            if setting == "weights"
                            else sum(o[1] != ref[0][1] or o[0] < ref[0][0] - 1e-9 for o in out),
                            "clock": sum(o[3] for o in out),
                            "statuses": ",".join(sorted({o[1] for o in out})),
                        }
                    )
                    print(rows[-1], file=sys.stderr, flush=True)
                    if mode == "serial":
                        for p, o in zip(_levels(setting), out, strict=True):
                            detail.append((n, setting, how, p, o))
                if pool is not None:
                    pool.shutdown()
    lines = [
        "| n | setting | how | mode | s | ÷ hand loop | largest rel. objective diff | same status "
        "| points below the unconstrained optimum | clock-stopped points | statuses | series |",
        "|---:|---|---|---|---:|---:|---:|---|---:|---:|---|---|",
    ]
    for r in rows:
        hand = next(
            x["s"]
            for x in rows
            if (x["n"], x["setting"], x["mode"], x["how"])
            == (r["n"], r["setting"], r["mode"], "hand loop")
        )
        ratio = f"{hand / r['s']:.2f}× faster" if r["how"] == "sweep" else "—"
        lines.append(
            f"| {r['n']} | {r['setting']} | {r['how']} | {r['mode']} | {r['s']:.2f} | {ratio} | "
            f"{r['diff']:.1e} | {r['same status']} | {r['binding']} | {r['clock']} | "
            f"{r['statuses']} | {r['how']}, {r['mode']}, {r['setting']} |"
        )
    lines += [
        "",
        "Per point, serial (seconds of the point; a sweep's points exclude the one compile):",
        "",
        "| n | setting | how | level | objective | status | s |",
        "|---:|---|---|---:|---:|---|---:|",
    ]
    for n, setting, how, p, o in detail:
        lines.append(f"| {n} | {setting} | {how} | {p:g} | {o[0]:.6f} | {o[1]} | {o[2]:.2f} |")
    cmd = "python benchmarks/sweep.py " + " ".join(sys.argv[1:])
    save(
        args.name,
        "Cross-gender sweep, 0-80 % (9 points): sweep vs a hand loop of match",
        cmd.strip(),
        "\n".join(lines),
        Plot("n", ("s",), by="series"),
    )


if __name__ == "__main__":
    main()
