"""rm_match side by side with the solvers a user would otherwise call, on the same instances.

Usage::

    python benchmarks/peers.py --sizes 500 1000 2000 --repeats 3

For each n (per side) a synthetic cohort (``rm_match.synthetic``, seed fixed) and the demo
programme (cross-department, no reporting line, seniority, common language, time zones,
diversity) are built once. Every peer gets the same pre-built matrix: weights
``score + bonus`` on allowed pairs and 0 elsewhere (the ``max_matched`` policy: most pairs,
then best score), so each solves exactly the problem ``rm_match.match`` solves. Each
(n, method) runs in a fresh subprocess so peak memory (max RSS) is its own; times are medians
over ``--repeats`` runs. Every answer is checked with ``rm_match.verify``.

``rm_match (end to end)`` includes building scores and rules from the two tables; the peers'
``build`` column is the dense compile they need, reported once, and ``solve`` is their raw
solver time on the pre-built matrix (OR-tools: loading arcs included).

``mentor_match`` is the PyPI package ``mentor-match``, run in a venv of its own (it installs a
top-level ``matching`` package) by ``mentor_match_peer.py`` on the same cohort written to its
CSV format: ``build`` is its CSV load, ``solve`` its ``process_data`` (rule scoring and
Munkres). It optimises its own integer points, not our scores, and cannot see every rule (see
that script's docstring), so its ``objective`` (ours) and ``violations`` say how its answer
fares on our problem. Its venv is ``--mentor-match-venv``, else ``$RM_MATCH_MM_VENV``, else
``.mm-venv`` at the repo root; without one the row says so and the rest runs as usual.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _results import Plot, draw, save

METHODS = (
    "rm_match",
    "scipy_lsa",
    "lapjv",
    "ortools_lsa",
    "ortools_flow",
    "networkx",
    "mentor_match",
)
# mentor_match: about 30 s at n = 1000 and 160 s at n = 2000 (2 cores, munkres 3.0.0)
LIMITS = {
    "networkx": 300,
    "ortools_lsa": 10000,
    "ortools_flow": 10000,
    "lapjv": 10000,
    "mentor_match": 1000,
}
MM_SKIPPED = "skipped (no mentor-match venv; see benchmarks/README.md)"


def instance(n: int, capacity: int = 1):
    """n mentees; with capacity c, ceil(n / c) mentors taking up to c mentees each."""
    import rm_match as rm
    from rm_match.cli import demo_programme

    n_m = -(-n // capacity)
    mentors, mentees = rm.synthetic.cohort(n_m, n, rng=2026, mentor_capacity=capacity)
    return mentors, mentees, demo_programme()


def dense(n: int, capacity: int = 1):
    import rm_match as rm

    mentors, mentees, prog = instance(n, capacity)
    t = time.perf_counter()
    arrays = rm.Problem(mentors, mentees, prog).compile()
    build = time.perf_counter() - t
    s, f = arrays.scores, arrays.feasible
    bonus = float(min(s.shape) + 2)
    w = np.where(f, s + bonus, 0.0)
    return mentors, mentees, prog, arrays, w, build


def run_one(
    n: int, method: str, mm_venv=None, mm_all_rules: bool = False, capacity: int = 1
) -> dict:
    import rm_match as rm

    out = {"n": n, "method": method}
    if method == "mentor_match":
        import mentor_match_peer

        return mentor_match_peer.run(
            n, mm_venv or mentor_match_peer.default_venv(), all_rules=mm_all_rules
        )
    if method == "rm_match":
        mentors, mentees, prog = instance(n, capacity)
        t = time.perf_counter()
        m = rm.match(mentors, mentees, prog, rng=0)
        out["solve"] = time.perf_counter() - t
        out["build"] = 0.0
        pairs = np.array([[mentors.index(p.mentor), mentees.index(p.mentee)] for p in m.pairs])
        out.update(
            objective=m.objective, pairs=len(m), status=m.status, gap=m.gap, backend=m.method
        )
        problem = rm.Problem(mentors, mentees, prog)
    else:
        mentors, mentees, prog, arrays, w, build = dense(n, capacity)
        out["build"] = build
        t = time.perf_counter()
        cap = np.asarray(arrays.mentor_capacity)
        if method == "ortools_flow":
            r, c = _ortools_flow(w, cap)
        elif cap.max(initial=1) > 1:  # one row per unit of mentor capacity
            owner = np.repeat(np.arange(len(cap)), cap)
            r, c = SOLVERS[method](w[owner])
            r = owner[r]
        else:
            r, c = SOLVERS[method](w)
        out["solve"] = time.perf_counter() - t
        keep = arrays.feasible[r, c]
        pairs = np.column_stack((r[keep], c[keep]))
        out.update(
            objective=float(arrays.scores[pairs[:, 0], pairs[:, 1]].sum()),
            pairs=len(pairs),
            status="-",
            gap=None,
            backend=method,
        )
        problem = rm.Problem(mentors, mentees, prog)
    ids = list(
        zip(mentors.ids[pairs[:, 0]].tolist(), mentees.ids[pairs[:, 1]].tolist(), strict=True)
    )
    out["violations"] = len(rm.verify(ids, problem))
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _scipy(w):
    from scipy.optimize import linear_sum_assignment

    return linear_sum_assignment(w, maximize=True)


def _lapjv(w):
    import lap

    _, x, _ = lap.lapjv(-w, extend_cost=True)
    r = np.flatnonzero(x >= 0)
    return r, x[r]


def _ortools_lsa(w):
    from ortools.graph.python import linear_sum_assignment

    n_m = w.shape[0]
    # its epsilon scaling multiplies costs by about 5 n (n + 1): keep that inside int64
    # (status POSSIBLE_OVERFLOW otherwise)
    scale = 2**62 / (8.0 * n_m * (n_m + 1) * max(float(w.max()), 1.0))
    a = linear_sum_assignment.SimpleLinearSumAssignment()
    r, c = np.nonzero(np.ones_like(w, dtype=bool))
    a.add_arcs_with_cost(r, c, -np.rint(w[r, c] * scale).astype(np.int64))
    status = a.solve()
    assert status == a.OPTIMAL, status
    rows = np.arange(n_m)
    return rows, np.array([a.right_mate(i) for i in rows])


def _ortools_flow(w, cap=None):
    from ortools.graph.python import min_cost_flow

    n_m, n_e = w.shape
    cap = np.ones(n_m, np.int64) if cap is None else np.asarray(cap, np.int64)
    r, c = np.nonzero(w > 0)
    scale = 2**40 / max(float(w.max()), 1.0)
    f = min_cost_flow.SimpleMinCostFlow()
    arcs = f.add_arcs_with_capacity_and_unit_cost(
        r, n_m + c, np.ones(len(r), np.int64), -np.rint(w[r, c] * scale).astype(np.int64)
    )
    s, t = n_m + n_e, n_m + n_e + 1
    f.add_arcs_with_capacity_and_unit_cost(
        np.full(n_m, s), np.arange(n_m), cap, np.zeros(n_m, np.int64)
    )
    f.add_arcs_with_capacity_and_unit_cost(
        n_m + np.arange(n_e), np.full(n_e, t), np.ones(n_e, np.int64), np.zeros(n_e, np.int64)
    )
    f.set_node_supply(s, min(int(cap.sum()), n_e))
    f.set_node_supply(t, -min(int(cap.sum()), n_e))
    status = f.solve_max_flow_with_min_cost()
    assert status == f.OPTIMAL, status
    used = f.flows(arcs) > 0
    return r[used], c[used]


def _networkx(w):
    import networkx as nx
    from networkx.algorithms import bipartite

    n_m = w.shape[0]
    g = nx.Graph()
    g.add_nodes_from(range(n_m), bipartite=0)
    r, c = np.nonzero(w > 0)
    top = float(w.max()) + 1.0
    g.add_weighted_edges_from(
        (int(i), n_m + int(j), top - w[i, j]) for i, j in zip(r, c, strict=True)
    )
    m = bipartite.minimum_weight_full_matching(g, top_nodes=range(n_m))
    rows = np.array([i for i in range(n_m) if i in m], dtype=np.int64)
    return rows, np.array([m[i] - n_m for i in rows], dtype=np.int64)


SOLVERS = {
    "scipy_lsa": _scipy,
    "lapjv": _lapjv,
    "ortools_lsa": _ortools_lsa,
    "ortools_flow": _ortools_flow,
    "networkx": _networkx,
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--methods", nargs="+", default=list(METHODS))
    ap.add_argument("--one", nargs=2, metavar=("N", "METHOD"), help=argparse.SUPPRESS)
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument(
        "--capacity",
        type=int,
        default=1,
        help="mentor capacity c: n mentees and ceil(n / c) mentors (LSA peers expand rows)",
    )
    ap.add_argument("--name", default="peers", help="results file name (before the date)")
    ap.add_argument(
        "--mentor-match-venv",
        metavar="PATH",
        help="venv with mentor-match installed (default: $RM_MATCH_MM_VENV, else .mm-venv at "
        "the repo root)",
    )
    ap.add_argument(
        "--mentor-match-all-rules",
        action="store_true",
        help="give mentor-match our reporting-line, language and time-zone rules too",
    )
    args = ap.parse_args(argv)
    if args.one:
        row = run_one(
            int(args.one[0]),
            args.one[1],
            args.mentor_match_venv,
            args.mentor_match_all_rules,
            args.capacity,
        )
        print(json.dumps(row))
        return 0
    mm_args, mm_ready = [], True
    if "mentor_match" in args.methods:
        import mentor_match_peer

        mm_venv = Path(args.mentor_match_venv or mentor_match_peer.default_venv()).absolute()
        mm_ready = mentor_match_peer.venv_python(mm_venv).exists()
        mm_args = ["--mentor-match-venv", str(mm_venv)]
        if args.mentor_match_all_rules:
            mm_args.append("--mentor-match-all-rules")
    rows = []
    for n in args.sizes:
        for method in args.methods:
            if n > LIMITS.get(method, 10**9):
                continue
            if method == "mentor_match" and args.capacity > 1:
                continue  # 1:1 only
            if method == "mentor_match" and not mm_ready:
                print(f"n={n} {method}: {MM_SKIPPED}", file=sys.stderr)
                rows.append({"n": n, "method": method, "error": MM_SKIPPED})
                continue
            extra = mm_args if method == "mentor_match" else []
            runs = []
            for rep in range(args.repeats):
                print(f"n={n} {method} run {rep + 1}/{args.repeats} …", file=sys.stderr, flush=True)
                p = subprocess.run(
                    [
                        *(sys.executable, __file__, "--one", str(n), method),
                        *("--capacity", str(args.capacity), *extra),
                    ],
                    capture_output=True,
                    text=True,
                )
                if p.returncode != 0:
                    print(p.stderr[-2000:], file=sys.stderr)
                    break
                runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
            if not runs:
                rows.append({"n": n, "method": method, "error": "failed (see stderr)"})
                continue
            row = dict(runs[0])
            row["runs"] = [r["build"] + r["solve"] for r in runs]
            for key in ("build", "solve", "peak_mib"):
                row[key] = statistics.median(r[key] for r in runs)
            rows.append(row)
    # optimality vs the best known objective among methods with the most pairs
    for n in args.sizes:
        mine = [r for r in rows if r["n"] == n and "error" not in r]
        if not mine:
            continue
        most = max(r["pairs"] for r in mine)
        best = max(r["objective"] for r in mine if r["pairs"] == most)
        for r in mine:
            r["vs_best"] = (
                (r["objective"] - best) / max(abs(best), 1.0) if r["pairs"] == most else None
            )
    table = _markdown(rows)
    out = save(
        args.name,
        "Peers" + (f" (mentor capacity {args.capacity})" if args.capacity > 1 else ""),
        f"python benchmarks/peers.py --sizes {' '.join(map(str, args.sizes))} "
        f"--repeats {args.repeats} --methods {' '.join(args.methods)}"
        + (f" --capacity {args.capacity}" if args.capacity > 1 else ""),
        table,
    )
    if not args.no_plot:
        _plot(rows, out.with_suffix(".png"))
    return 0


def _markdown(rows) -> str:
    head = (
        "| n | method | build s | solve s | end to end s | runs s | rm_match ÷ solve | peak MiB "
        "| pairs | objective | vs best | violations | status |\n"
        "|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|"
    )
    lines = [head]
    ours = {
        r["n"]: r["build"] + r["solve"]
        for r in rows
        if r["method"] == "rm_match" and "error" not in r
    }
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['n']} | {r['method']} | {r['error']} |||||||||||")
            continue
        ratio = (
            f"{ours[r['n']] / r['solve']:.2f}"
            if r["n"] in ours and r["method"] != "rm_match" and r["solve"] > 0
            else "—"
        )
        runs = " / ".join(f"{t:.2f}" for t in r.get("runs", []))
        vs = "—" if r.get("vs_best") is None else f"{r['vs_best']:.1e}"
        total = r["build"] + r["solve"]
        own = r["method"] in ("rm_match", "mentor_match")
        name = r["method"] + (f" ({r['backend']})" if own else "")
        lines.append(
            f"| {r['n']} | {name} | {r['build']:.2f} | {r['solve']:.2f} | {total:.2f} | {runs} | "
            f"{ratio} | {r['peak_mib']:.0f} | {r['pairs']} | {r['objective']:.6f} | {vs} | "
            f"{r['violations']} | {r['status']} |"
        )
    return "\n".join(lines)


def _plot(rows, path: Path) -> None:
    """Build + solve against n, one series per method (rm_match's dense and sparse rows
    together), through the shared log-log plot."""
    points = [
        {"n": str(r["n"]), "method": r["method"], "seconds": str(r["build"] + r["solve"])}
        for r in rows
        if "error" not in r
    ]
    plot = Plot("n", ("seconds",), by="method", ylabel="seconds (build + solve, median)")
    draw([points], plot, path, "Peers")


if __name__ == "__main__":
    raise SystemExit(main())
