"""Stable matching: rm_match's deferred acceptance and optimal stable matching against the PyPI
package ``matching`` (1.4.x), on the same preference matrices.

Usage::

    python benchmarks/stable.py --matching-venv /path/to/matching-venv
    python benchmarks/stable.py --cases hr sm --kinds correlated --hr-kinds uniform --repeats 3
    python benchmarks/stable.py --cases scale --sizes 1000 10000 50000

``matching`` installs a top-level package ``matching`` (so does ``mentor-match``), so it gets a
venv of its own, outside the project's::

    python3.11 -m venv .matching-venv && .matching-venv/bin/pip install 'matching==1.4.*' numpy

It is found at ``--matching-venv PATH``, else ``$RM_MATCH_MATCHING_VENV``, else
``.matching-venv`` at the repo root; without it the peer rows say "skipped" and ours still run.
``_stable_peer.py`` (run in that venv) turns the matrices into strict preference lists with
rm_match's rule (utility descending, ties to the lower index), builds the game with
``create_from_dictionaries`` (timed: ``build``) and solves it (timed: ``solve``).

Instances (``--kinds`` for the ``sm`` case, default all three; ``--hr-kinds``, default
``cohort``; ``--scale-kinds``, default ``correlated``, the hardest for deferred acceptance:
the defaults keep the whole run under 20 minutes; each more kind in ``hr`` adds 5-7),
n_mentors × n_mentees, every pair acceptable (full preference lists), continuous utilities so
that ties do not occur (they would be broken by the rule above, on both sides of the
comparison):

* ``cohort``: the directional scores of a synthetic cohort,
  ``rm_match.stability.side_preferences(Problem(*rm_match.synthetic.cohort(n_m, n_e,
  rng=seed)))`` under the default programme (what each side gains from the pair: the
  learning term in its own direction plus the shared terms; rules are not applied, so every
  pair stays acceptable);
* ``correlated``: rank-8 utilities plus noise, ``mentor_pref = A_m @ Q_e.T / √8 + 0.5·N(0, 1)``
  and ``mentee_pref = Q_m @ A_e.T / √8 + 0.5·N(0, 1)`` (shapes n_m × n_e), with qualities
  ``Q ~ N(0, 1)`` and tastes ``A ~ 0.5 + N(0, 1)`` (the shared 0.5 makes some people popular
  with most of the other side, as in a real cohort);
* ``uniform``: every utility i.i.d. uniform on [0, 1).

Cases (``--cases``):

* ``hr``: 2 000 mentees × 1 000 mentors of capacity 2 (``--hr-shape``); ours
  ``deferred_acceptance(..., mentor_capacity=2, proposer="mentees")`` against the peer's
  ``HospitalResident`` (residents = mentees, resident-optimal). One run of the peer takes
  5-7 minutes here (2 cores; its input checks and its list-rebuilding ``_forget`` are
  quadratic in the list lengths), so it runs ``--hr-peer-repeats`` (1) times per instance;
* ``sm``: 1:1 at ``--sm-sizes`` (200 400) per side; ours with each side proposing against the
  peer's ``StableMarriage`` (suitors = the proposing side, suitor-optimal);
* ``scale``: ours alone at ``--sizes`` (1 000 10 000 50 000) per side: deferred acceptance with
  each side proposing (mentees proposing on mentee-major tables, as ``stable_match`` builds
  them, and — ``da_mentees_c`` — on C-ordered ones, which costs a transposing copy of both),
  and ``optimal_stable`` with ``objective="score"`` (``weights`` =
  ``mentor_pref + mentee_pref``, computed before the clock starts) and with
  ``objective="egalitarian"`` (least total rank). Sizes from ``--float32-from`` (20 000) on get
  float32 matrices; a size whose memory, extrapolated (∝ n²) from the peak of the size before
  it, would not fit in the memory available is skipped, with the estimate as its reason.

Timing: ours is the call from the two matrices to its pairs (its order structures included);
the peer's ``build`` is ``create_from_dictionaries`` (players, its ``deepcopy`` of them and
its input checks) and its ``solve`` is ``game.solve``; turning the matrices into its dict
lists is reported apart (``prefs``) and in neither. Each (case, method) runs in a fresh
subprocess (so ``peak MiB`` is its own), all ``--repeats`` runs inside it, killed after
``--timeout`` seconds; the table gives medians and every run. The peer deep-copies its players
recursively and raises ``RecursionError`` under Python's default recursion limit (1 000) from
about 100 people per side; it is run as a user would first (default limit; one run, the error
recorded) and then with ``sys.setrecursionlimit(10**6)`` in a thread with a 1 GiB stack
(``--peer-recursion-limit``), the workaround a user would reach for.

Checks (outside the timings): ``blocking_pairs`` of rm_match on every answer, and an
independent check written here (numpy, not rm_match's code) of validity (capacities, each
mentee once) and of blocking pairs; ``same`` compares the peer's pairs with ours on the same
instance (ours: deferred acceptance with the same side proposing). ``utility`` is the sum of
both sides' utilities over the pairs, a common yardstick; ``objective`` is
``optimal_stable``'s own (the same sum for ``"score"``, the total rank for ``"egalitarian"``),
and its status cell gives its rotations and the objective of the two ends of the lattice.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _results import Plot, draw, save
from mentor_match_peer import _peak_mib

ROOT = Path(__file__).resolve().parent.parent
PEER = Path(__file__).resolve().parent / "_stable_peer.py"
HOW_TO = (
    "no matching venv at {venv}: create it with\n"
    "    python3.11 -m venv .matching-venv && "
    ".matching-venv/bin/pip install 'matching==1.4.*' numpy\n"
    "(or pass --matching-venv PATH / set RM_MATCH_MATCHING_VENV)"
)
OURS = ("da_mentees", "da_mentees_c", "da_mentors", "optimal_score", "optimal_egalitarian")
LABEL = {
    "da_mentees": "rm_match DA, mentees propose",
    "da_mentees_c": "rm_match DA, mentees propose, C-ordered tables (a transposing copy)",
    "da_mentors": "rm_match DA, mentors propose",
    "optimal_score": "rm_match optimal_stable, score",
    "optimal_egalitarian": "rm_match optimal_stable, egalitarian",
    "hr": "matching HospitalResident",
    "sm_mentees": "matching StableMarriage, mentees propose",
    "sm_mentors": "matching StableMarriage, mentors propose",
}


def default_venv() -> Path:
    """``$RM_MATCH_MATCHING_VENV`` or ``<repo>/.matching-venv``."""
    return Path(os.environ.get("RM_MATCH_MATCHING_VENV") or ROOT / ".matching-venv")


# -- instances ------------------------------------------------------------------------------


def utilities(kind: str, n_m: int, n_e: int, seed: int = 2026, dtype=np.float64):
    """``(mentor_pref, mentee_pref)``, both n_m × n_e (see the module docstring)."""
    dtype = np.dtype(dtype)
    if kind == "cohort":
        import rm_match as rm
        from rm_match.stability import side_preferences

        mentors, mentees = rm.synthetic.cohort(n_m, n_e, rng=seed)
        mentor_pref, mentee_pref = side_preferences(rm.Problem(mentors, mentees))
        return mentor_pref.astype(dtype, copy=False), mentee_pref.astype(dtype, copy=False)
    rng = np.random.default_rng([seed, n_m, n_e, 0 if kind == "uniform" else 1])
    if kind == "uniform":
        return rng.random((n_m, n_e), dtype=dtype), rng.random((n_m, n_e), dtype=dtype)
    if kind != "correlated":
        raise ValueError(f"unknown instance kind {kind!r}")
    r = 8

    def low_rank(rows: int, cols: int):
        taste = (0.5 + rng.standard_normal((rows, r))).astype(dtype)
        quality = rng.standard_normal((cols, r)).astype(dtype)
        return taste, quality

    a_m, q_e = low_rank(n_m, n_e)  # mentors' tastes, mentees' qualities
    a_e, q_m = low_rank(n_e, n_m)  # mentees' tastes, mentors' qualities
    out = []
    for left, right in ((a_m, q_e), (q_m, a_e)):
        u = np.empty((n_m, n_e), dtype=dtype)
        step = max(1, (1 << 24) // n_e)  # row blocks: no n² float64 temporaries
        for i in range(0, n_m, step):
            block = left[i : i + step] @ right.T
            block *= dtype.type(1 / math.sqrt(r))
            block += dtype.type(0.5) * rng.standard_normal(block.shape, dtype=dtype)
            u[i : i + step] = block
        out.append(u)
    return out[0], out[1]


# -- the independent check (not rm_match's code) ---------------------------------------------


def independent_check(pairs, mentor_pref, mentee_pref, capacity: int = 1) -> dict:
    """Validity and blocking pairs of ``pairs`` ((mentor, mentee) rows), every pair acceptable.

    Preferences: higher utility first, ties to the lower index. A pair (i, j) not matched to
    each other blocks when mentee j is unmatched or prefers i to its mentor, and mentor i has
    fewer than ``capacity`` mentees or prefers j to its worst one."""
    n_m, n_e = mentor_pref.shape
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    problems = []
    if len(pairs) and (pairs.min() < 0 or pairs[:, 0].max() >= n_m or pairs[:, 1].max() >= n_e):
        return {"valid": False, "problems": ["index out of range"], "blocking": None}
    if len(np.unique(pairs[:, 1])) != len(pairs):
        problems.append("a mentee matched more than once")
    count = np.bincount(pairs[:, 0], minlength=n_m)
    if count.max(initial=0) > capacity:
        problems.append(f"a mentor over capacity {capacity}")
    if problems:
        return {"valid": False, "problems": problems, "blocking": None}
    mentor_of = np.full(n_e, -1, dtype=np.int64)
    mentor_of[pairs[:, 1]] = pairs[:, 0]
    # each mentee's utility for its mentor (-inf unmatched)
    cur_e = np.full(n_e, -np.inf)
    matched = mentor_of >= 0
    cur_e[matched] = mentee_pref[mentor_of[matched], np.flatnonzero(matched)]
    # each mentor's worst mentee (lowest utility, the higher index on a tie), in plain Python
    worst = [-1] * n_m
    for i, j in pairs.tolist():
        w = worst[i]
        if w < 0 or (mentor_pref[i, j], -j) < (mentor_pref[i, w], -w):
            worst[i] = j
    worst = np.array(worst, dtype=np.int64)
    cur_m = np.where(worst >= 0, mentor_pref[np.arange(n_m), np.maximum(worst, 0)], -np.inf)
    full = count >= capacity
    cols = np.arange(n_e)
    found, first = 0, []
    step = max(1, (1 << 22) // max(n_e, 1))
    for i0 in range(0, n_m, step):
        rows = np.arange(i0, min(i0 + step, n_m))
        ue = mentee_pref[rows].astype(np.float64)
        um = mentor_pref[rows].astype(np.float64)
        mentee_wants = (ue > cur_e) | ((ue == cur_e) & (rows[:, None] < mentor_of))
        mentee_wants &= mentor_of[None, :] != rows[:, None]
        cm = cur_m[rows][:, None]
        mentor_wants = (
            ~full[rows][:, None] | (um > cm) | ((um == cm) & (cols < worst[rows][:, None]))
        )
        block = mentee_wants & mentor_wants
        k = int(block.sum())
        if k:
            found += k
            if len(first) < 5:
                r, c = np.nonzero(block)
                first += [(int(rows[a]), int(b)) for a, b in zip(r[:5], c[:5], strict=True)]
    return {"valid": True, "problems": [], "blocking": found, "first_blocking": first[:5]}


def rm_blocking(pairs, mentor_pref, mentee_pref, capacity: int = 1) -> int:
    from rm_match.solvers.stable import blocking_pairs

    return len(blocking_pairs(pairs, mentor_pref, mentee_pref, mentor_capacity=capacity))


def canonical(pairs) -> np.ndarray:
    p = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return p[np.lexsort((p[:, 1], p[:, 0]))]


# -- ours (child process) -------------------------------------------------------------------


def run_ours(spec: dict) -> dict:
    """All repeats of one of our methods on one instance, then the checks; one JSON row."""
    from rm_match.solvers.stable import deferred_acceptance, optimal_stable

    kind, n_m, n_e, cap = spec["kind"], spec["n_m"], spec["n_e"], spec["capacity"]
    t = time.perf_counter()
    mentor_pref, mentee_pref = utilities(kind, n_m, n_e, spec["seed"], spec["dtype"])
    method = spec["method"]
    if method == "da_mentees":
        # each step reads the proposer's row of both tables: mentee-major tables (as
        # rm_match.stable_match builds them when mentees propose) are read in place
        mentor_pref, mentee_pref = np.asfortranarray(mentor_pref), np.asfortranarray(mentee_pref)
    gen_s = time.perf_counter() - t
    weights = mentor_pref + mentee_pref if method == "optimal_score" else None
    times, result = [], None
    for _ in range(spec["repeats"]):
        t = time.perf_counter()
        if method == "optimal_score":
            result = optimal_stable(
                mentor_pref, mentee_pref, weights=weights, mentor_capacity=cap, objective="score"
            )
        elif method == "optimal_egalitarian":
            result = optimal_stable(
                mentor_pref, mentee_pref, mentor_capacity=cap, objective="egalitarian"
            )
        else:
            result = deferred_acceptance(
                mentor_pref,
                mentee_pref,
                mentor_capacity=cap,
                proposer="mentors" if method == "da_mentors" else "mentees",
            )
        times.append(time.perf_counter() - t)
    peak = _peak_mib()
    optimal = method.startswith("optimal")
    pairs = canonical(result.pairs if optimal else result)
    out = {
        "times": times,
        "gen_s": gen_s,
        "peak_mib": peak,
        "pairs": len(pairs),
        "utility": float(
            mentor_pref[pairs[:, 0], pairs[:, 1]].astype(np.float64).sum()
            + mentee_pref[pairs[:, 0], pairs[:, 1]].astype(np.float64).sum()
        ),
        "objective": float(result.objective) if optimal else None,
    }
    if optimal:
        out["rotations"] = int(result.n_rotations)
        out["eliminated"] = int(result.n_eliminated)
        out["ends"] = [
            float(result.mentor_optimal_objective),
            float(result.mentee_optimal_objective),
        ]
    t = time.perf_counter()
    out["blocking_rm"] = rm_blocking(pairs, mentor_pref, mentee_pref, cap)
    out["blocking_rm_s"] = time.perf_counter() - t
    out["check"] = independent_check(pairs, mentor_pref, mentee_pref, cap)
    if spec.get("pairs_out"):
        np.save(spec["pairs_out"], pairs)
    return out


def mem_available_mib() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("inf")


# -- parent ---------------------------------------------------------------------------------


def _subprocess(cmd: list[str], timeout: float) -> tuple[dict | None, str | None, float]:
    """Run ``cmd`` (printing one JSON line last); ``(row, error, wall seconds)``."""
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"killed (timeout {timeout:.0f} s)", time.perf_counter() - t
    wall = time.perf_counter() - t
    if p.returncode != 0:
        tail = p.stderr.strip().splitlines()[-1:] or [f"exit {p.returncode}"]
        print(p.stderr[-3000:], file=sys.stderr)
        why = "killed (out of memory?)" if p.returncode in (-9, 137) else "crashed"
        return None, f"{why}: {tail[0][:160]}", wall
    return json.loads(p.stdout.strip().splitlines()[-1]), None, wall


def ours(spec: dict, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--one", json.dumps(spec)]
    print(
        f"{spec['case']} {spec['kind']} {spec['n_m']}x{spec['n_e']} {spec['method']} "
        f"({spec['repeats']} runs) …",
        file=sys.stderr,
        flush=True,
    )
    got, err, _ = _subprocess(cmd, timeout)
    row = {k: spec[k] for k in ("case", "kind", "n_m", "n_e", "capacity", "dtype", "method")}
    if err:
        return {**row, "status": err}
    chk = got["check"]
    row.update(
        build=0.0,
        solve=statistics.median(got["times"]),
        runs=got["times"],
        pairs=got["pairs"],
        utility=got["utility"],
        objective=got["objective"],
        blocking_rm=got["blocking_rm"],
        blocking_ind=chk["blocking"] if chk["valid"] else "invalid: " + "; ".join(chk["problems"]),
        first_blocking=chk.get("first_blocking"),
        peak_mib=got["peak_mib"],
        status="ok",
    )
    if "rotations" in got:
        a, b = got["ends"]
        row["note"] = (
            f"{got['rotations']} rotations, {got['eliminated']} eliminated; "
            f"mentor- / mentee-optimal {a:.1f} / {b:.1f}"
        )
    return row


def peer(
    venv: Path,
    game: str,
    proposer: str,
    prefs: tuple[np.ndarray, np.ndarray],
    spec: dict,
    repeats: int,
    timeout: float,
    recursion_limit: int,
) -> tuple[dict, np.ndarray | None]:
    """Run the peer ``repeats`` times (each a fresh process in its venv); the row and its
    pairs (those of the first run; every run's pairs are checked equal)."""
    mentor_pref, mentee_pref = prefs
    method = "hr" if game == "hr" else f"sm_{proposer}"
    row = {k: spec[k] for k in ("case", "kind", "n_m", "n_e", "capacity", "dtype")}
    row["method"] = method
    row["recursion_limit"] = recursion_limit or "default"
    py = venv / "bin" / "python"
    if not py.exists():
        return {**row, "status": "skipped (no matching venv; see stable.py's docstring)"}, None
    runs, pairs, deadline = [], None, time.perf_counter() + timeout
    with tempfile.TemporaryDirectory(prefix="stable-peer-") as tmp:
        path = Path(tmp) / "instance.npz"
        np.savez(path, mentor_pref=mentor_pref, mentee_pref=mentee_pref, capacity=spec["capacity"])
        cmd = [str(py), str(PEER), str(path), "--game", game, "--proposer", proposer]
        if recursion_limit:
            cmd += ["--recursion-limit", str(recursion_limit)]
        for rep in range(repeats):
            left = deadline - time.perf_counter()
            print(
                f"{spec['case']} {spec['kind']} {spec['n_m']}x{spec['n_e']} {method} "
                f"(recursion limit {row['recursion_limit']}) run {rep + 1}/{repeats} …",
                file=sys.stderr,
                flush=True,
            )
            if left <= 0:
                break
            got, err, _ = _subprocess(cmd, left)
            if err or "error" in got:
                msg = err or "error: " + got["error"]
                if "traceback" in (got or {}):
                    print(got["traceback"], file=sys.stderr)
                if not runs:
                    return {**row, "status": msg, "peak_mib": (got or {}).get("peak_mib")}, None
                row["note"] = f"run {rep + 1}: {msg}"
                break
            p = canonical(got["pairs"])
            if pairs is None:
                pairs = p
            elif not np.array_equal(pairs, p):
                row["note"] = "runs gave different pairs"
            runs.append(got)
    if not runs:
        return {**row, "status": f"killed (timeout {timeout:.0f} s)"}, None
    row.update(
        prefs=statistics.median(r["prefs_s"] for r in runs),
        build=statistics.median(r["build_s"] for r in runs),
        solve=statistics.median(r["solve_s"] for r in runs),
        runs=[r["build_s"] + r["solve_s"] for r in runs],
        solve_runs=[r["solve_s"] for r in runs],
        peak_mib=statistics.median(r["peak_mib"] for r in runs),
        version=runs[0]["version"],
        pairs=len(pairs),
        utility=float(
            mentor_pref[pairs[:, 0], pairs[:, 1]].sum()
            + mentee_pref[pairs[:, 0], pairs[:, 1]].sum()
        ),
        status="ok" if len(runs) == repeats else f"ok ({len(runs)} of {repeats} runs in time)",
    )
    chk = independent_check(pairs, mentor_pref, mentee_pref, spec["capacity"])
    row["blocking_rm"] = rm_blocking(pairs, mentor_pref, mentee_pref, spec["capacity"])
    row["blocking_ind"] = (
        chk["blocking"] if chk["valid"] else "invalid: " + "; ".join(chk["problems"])
    )
    row["first_blocking"] = chk.get("first_blocking")
    return row, pairs


def compare(case_rows: list[dict], ours_pairs: dict, peer_pairs: dict) -> None:
    """Fill ``same`` (the peer's pairs against ours, same side proposing) and ``ratio``."""
    for r in case_rows:
        if r["method"] not in ("hr", "sm_mentees", "sm_mentors") or "solve" not in r:
            continue
        mine = "da_mentors" if r["method"] == "sm_mentors" else "da_mentees"
        key = (r["kind"], r["n_m"], r["n_e"])
        theirs = peer_pairs.get((key, r["method"], r["recursion_limit"]))
        ref = next(
            (
                o
                for o in case_rows
                if o["method"] == mine and (o["kind"], o["n_m"], o["n_e"]) == key
            ),
            None,
        )
        mp = ours_pairs.get((key, mine))
        if theirs is not None and mp is not None:
            diff = len({*map(tuple, theirs.tolist())} ^ {*map(tuple, mp.tolist())})
            r["same"] = "yes" if diff == 0 else f"NO ({diff} pairs differ)"
        if ref is not None and ref.get("status") == "ok" and "solve" in r:
            r["ratio_solve"] = r["solve"] / ref["solve"]
            r["ratio_total"] = (r["build"] + r["solve"]) / ref["solve"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--cases", nargs="+", default=["hr", "sm", "scale"], choices=("hr", "sm", "scale")
    )
    kinds = ("cohort", "correlated", "uniform")
    ap.add_argument("--kinds", nargs="+", default=list(kinds), choices=kinds)
    ap.add_argument("--hr-kinds", nargs="+", default=["cohort"], choices=kinds)
    ap.add_argument("--scale-kinds", nargs="+", default=["correlated"], choices=kinds)
    ap.add_argument("--repeats", type=int, default=3, help="runs per (case, method); medians")
    ap.add_argument(
        "--peer-repeats",
        type=int,
        help="runs of the peer in the sm case (default: --repeats; a run that fails or runs "
        "past the timeout ends that row)",
    )
    ap.add_argument("--hr-peer-repeats", type=int, default=1, help="runs of the peer in hr")
    ap.add_argument(
        "--hr-shape",
        type=int,
        nargs=3,
        default=[1000, 2000, 2],
        metavar=("MENTORS", "MENTEES", "CAPACITY"),
    )
    ap.add_argument("--sm-sizes", type=int, nargs="+", default=[200, 400])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    ap.add_argument("--float32-from", type=int, default=20000)
    ap.add_argument(
        "--timeout",
        type=float,
        default=600,
        help="seconds for each subprocess of ours, and for all runs of a peer row together",
    )
    ap.add_argument("--peer-recursion-limit", type=int, default=10**6)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--matching-venv", metavar="PATH")
    ap.add_argument("--name", default="stable")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_ours(json.loads(args.one))))
        return 0
    venv = Path(args.matching_venv).absolute() if args.matching_venv else default_venv()
    if not (venv / "bin" / "python").exists():
        print(HOW_TO.format(venv=venv), file=sys.stderr)
    peer_repeats = args.peer_repeats or args.repeats
    rows: list[dict] = []
    ours_pairs: dict = {}
    peer_pairs: dict = {}
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stable-bench-") as tmp:

        def spec_for(case, kind, n_m, n_e, cap, method, dtype="float64"):
            return {
                "case": case,
                "kind": kind,
                "n_m": n_m,
                "n_e": n_e,
                "capacity": cap,
                "dtype": dtype,
                "method": method,
                "seed": args.seed,
                "repeats": args.repeats,
                "pairs_out": str(Path(tmp) / f"{case}-{kind}-{n_m}-{n_e}-{method}.npy"),
            }

        def head_to_head(case, kind, n_m, n_e, cap, games, peer_repeats):
            case_rows = []
            for method in ("da_mentees", "da_mentors") if case == "sm" else ("da_mentees",):
                spec = spec_for(case, kind, n_m, n_e, cap, method)
                row = ours(spec, args.timeout)
                if row["status"] == "ok":
                    ours_pairs[((kind, n_m, n_e), method)] = np.load(spec["pairs_out"])
                case_rows.append(row)
            prefs = utilities(kind, n_m, n_e, args.seed)
            spec = spec_for(case, kind, n_m, n_e, cap, "-")
            for game, proposer in games:
                for limit, reps in ((0, 1), (args.peer_recursion_limit, peer_repeats)):
                    row, pairs = peer(venv, game, proposer, prefs, spec, reps, args.timeout, limit)
                    if pairs is not None:
                        peer_pairs[((kind, n_m, n_e), row["method"], row["recursion_limit"])] = (
                            pairs
                        )
                    case_rows.append(row)
                    if row["status"].startswith("skipped") or (not limit and row["status"] == "ok"):
                        break  # no venv; or it ran under the default limit: no workaround needed
            compare(case_rows, ours_pairs, peer_pairs)
            rows.extend(case_rows)

        if "hr" in args.cases:
            n_m, n_e, cap = args.hr_shape
            for kind in args.hr_kinds:
                head_to_head("hr", kind, n_m, n_e, cap, [("hr", "mentees")], args.hr_peer_repeats)
        if "sm" in args.cases:
            for n in args.sm_sizes:
                for kind in args.kinds:
                    head_to_head(
                        "sm", kind, n, n, 1, [("sm", "mentees"), ("sm", "mentors")], peer_repeats
                    )
        if "scale" in args.cases:
            for kind in args.scale_kinds:
                peak: dict[str, tuple[int, float]] = {}
                for n in args.sizes:
                    dtype = "float32" if n >= args.float32_from else "float64"
                    for method in OURS:
                        spec = spec_for("scale", kind, n, n, 1, method, dtype)
                        base = {
                            k: spec[k]
                            for k in ("case", "kind", "n_m", "n_e", "capacity", "dtype", "method")
                        }
                        need = _estimate_mib(n, dtype, peak.get(method))
                        have = mem_available_mib()
                        if need > 0.9 * have:
                            rows.append(
                                {
                                    **base,
                                    "status": f"skipped: needs about {need / 1024:.0f} GiB "
                                    f"({_estimate_why(n, dtype, peak.get(method))}), "
                                    f"{have / 1024:.1f} GiB available",
                                }
                            )
                            print(rows[-1]["status"], file=sys.stderr)
                            continue
                        row = ours(spec, args.timeout)
                        rows.append(row)
                        if row["status"] == "ok":
                            peak[method] = (n, row["peak_mib"] * (1 if dtype == "float64" else 2))
    elapsed = time.perf_counter() - t_all
    table = _markdown(rows)
    version = next((r["version"] for r in rows if r.get("version")), "not run")
    cmd = "python benchmarks/stable.py " + " ".join(sys.argv[1:])
    note = (
        f"\n\n`matching` {version} (PyPI) in its own venv; rm_match from the working tree. "
        f"{os.cpu_count()} CPU(s); whole run {elapsed / 60:.1f} min. Times are medians of the "
        "runs listed (`runs s`: build + solve of each run); ours is one call from the two "
        "matrices to its pairs (its order structures included), so its `build s` is 0. "
        "`peer ÷ ours` is the peer's solve (and build + solve) over our call with the same "
        "side proposing. `blocking (rm)` is rm_match's `blocking_pairs`, `blocking (ind.)` "
        "the independent numpy check of this script. `same`: the peer's pairs equal ours.\n"
        "Rows with the peer's `recursion limit` 'default' are a plain run under Python's "
        "limit of 1 000 (one run); the others raise it to the value shown and run in a "
        "thread with a 1 GiB stack.\n"
    )
    save(
        args.name,
        "Stable matching: rm_match vs matching (PyPI)",
        cmd,
        table + note,
        None,
    )
    if not args.no_plot:
        _plot(rows, save_path(args.name))
    return 0


def save_path(name: str) -> Path:
    import datetime as dt

    from _results import RESULTS

    return RESULTS / f"{name}-{dt.date.today().isoformat()}.png"


def _estimate_mib(n: int, dtype: str, prev: tuple[int, float] | None) -> float:
    """Peak memory expected at n per side: the peak at the size before, ∝ n² (halved for
    float32 matrices), else the two input matrices alone."""
    item = 4 if dtype == "float32" else 8
    if prev is None:
        return 2 * n * n * item / 2**20
    n0, peak64 = prev
    return peak64 * (n / n0) ** 2 * (item / 8)


def _estimate_why(n: int, dtype: str, prev: tuple[int, float] | None) -> str:
    if prev is None:
        return f"two {dtype} {n}² matrices"
    n0, peak64 = prev
    shown = "" if dtype == "float64" else ", halved for float32"
    return f"peak at {n0} ({peak64 / 1024:.2f} GiB as float64) × ({n}/{n0})²{shown}"


def _fmt(x, spec=".3f") -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return format(x, spec)
    return str(x)


def _markdown(rows) -> str:
    head = (
        "| case | instance | n mentors | n mentees | capacity | dtype | method | "
        "recursion limit | prefs s | build s | solve s | total s | runs s | peer ÷ ours "
        "(solve / total) | pairs | utility | objective | blocking (rm) | blocking (ind.) | "
        "same | peak MiB | status |"
    )
    lines = [
        head,
        "|---|---|---:|---:|---:|---|---|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    for r in rows:
        ok = r.get("status", "").startswith("ok")
        total = r["build"] + r["solve"] if ok else None
        runs = " / ".join(f"{t:.3g}" for t in r.get("runs", []))
        ratio = f"{r['ratio_solve']:.0f} / {r['ratio_total']:.0f}" if "ratio_solve" in r else "—"
        status = r.get("status", "")
        if r.get("note"):
            status += f" ({r['note']})"
        if isinstance(r.get("blocking_ind"), int) and r["blocking_ind"]:
            status += f"; first blocking pairs {r['first_blocking']}"
        lines.append(
            "| "
            + " | ".join(
                [
                    r["case"],
                    r["kind"],
                    str(r["n_m"]),
                    str(r["n_e"]),
                    str(r["capacity"]),
                    r["dtype"],
                    LABEL.get(r["method"], r["method"]),
                    str(r.get("recursion_limit", "—")),
                    _fmt(r.get("prefs")),
                    _fmt(r.get("build") if ok else None),
                    _fmt(r.get("solve") if ok else None),
                    _fmt(total),
                    runs or "—",
                    ratio,
                    _fmt(r.get("pairs")),
                    _fmt(r.get("utility"), ".1f"),
                    _fmt(r.get("objective"), ".1f"),
                    _fmt(r.get("blocking_rm")),
                    _fmt(r.get("blocking_ind")),
                    r.get("same", "—"),
                    _fmt(r.get("peak_mib"), ".0f"),
                    status.replace("|", "/"),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def _plot(rows, path: Path) -> None:
    """Total seconds against mentees, one series per method (and instance kind)."""
    points = [
        {
            "n mentees": str(r["n_e"]),
            "method": f"{LABEL.get(r['method'], r['method'])} ({r['kind']})",
            "total s": str(r["build"] + r["solve"]),
        }
        for r in rows
        if r.get("status", "").startswith("ok")
    ]
    plot = Plot("n mentees", ("total s",), by="method", ylabel="seconds (median)")
    draw([points], plot, path, "Stable matching: rm_match vs matching (PyPI)")


if __name__ == "__main__":
    raise SystemExit(main())
