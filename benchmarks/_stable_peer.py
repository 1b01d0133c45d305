"""Run the PyPI package ``matching`` (1.4.x) on one stable-matching instance; the helper of
``stable.py``, run inside the venv that has ``matching`` installed (never the project's: the
PyPI package ``mentor-match`` installs a top-level ``matching`` too).

Usage (``stable.py`` does this)::

    /path/to/matching-venv/bin/python benchmarks/_stable_peer.py INSTANCE.npz \\
        --game hr|sm [--proposer mentees|mentors] [--recursion-limit N]

``INSTANCE.npz`` holds ``mentor_pref`` and ``mentee_pref`` (both n_mentors × n_mentees;
``mentor_pref[i, j]``: how much mentor i likes mentee j, ``mentee_pref[i, j]``: how much
mentee j likes mentor i; higher is better) and ``capacity`` (mentor capacity, HR only). Every
pair is acceptable (full preference lists). Strict lists are derived with rm_match's rule:
utility descending, ties to the lower index (a stable sort of the negated utilities).

Games: ``hr`` is ``HospitalResident`` with the mentees as residents and the mentors as
hospitals (capacity ``capacity``), solved resident-optimal (the residents propose); ``sm`` is
``StableMarriage`` with the ``--proposer`` side as suitors, solved suitor-optimal.

Prints one JSON line: ``pairs`` ((mentor index, mentee index), sorted), ``prefs_s`` (the
lists from the matrices, numpy), ``build_s`` (``create_from_dictionaries``: players, its
``deepcopy`` of them and its input checks), ``solve_s`` (``game.solve``), peak RSS, versions,
and ``error`` (``"RecursionError: ..."`` etc.) with the stage it happened in if a stage
raised. Imports only the standard library, numpy and ``matching``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import traceback

from mentor_match_peer import _peak_mib  # standard library only, as this venv needs


def lists(pref, axis_rows: bool):
    """Strict preference lists from a utility matrix: for each row (``axis_rows``) or column,
    the other side's indices by utility descending, ties to the lower index."""
    import numpy as np

    u = pref if axis_rows else pref.T
    return np.argsort(-u, axis=1, kind="stable").tolist()


def run(path: str, game: str, proposer: str) -> dict:
    from importlib.metadata import version

    import numpy as np

    data = np.load(path)
    mentor_pref, mentee_pref = data["mentor_pref"], data["mentee_pref"]
    capacity = int(data["capacity"]) if "capacity" in data else 1
    n_m = mentor_pref.shape[0]
    out: dict = {
        "version": version("matching"),
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "recursion_limit": sys.getrecursionlimit(),
    }
    stage = "prefs"
    try:
        t = time.perf_counter()
        # names: "m<i>" mentors, "e<j>" mentees
        mentor_lists = {
            f"m{i}": [f"e{j}" for j in row] for i, row in enumerate(lists(mentor_pref, True))
        }
        mentee_lists = {
            f"e{j}": [f"m{i}" for i in row] for j, row in enumerate(lists(mentee_pref, False))
        }
        out["prefs_s"] = time.perf_counter() - t

        stage = "build"
        t = time.perf_counter()
        if game == "hr":
            from matching.games import HospitalResident

            g = HospitalResident.create_from_dictionaries(
                mentee_lists, mentor_lists, {f"m{i}": capacity for i in range(n_m)}
            )
        else:
            from matching.games import StableMarriage

            if proposer == "mentees":
                g = StableMarriage.create_from_dictionaries(mentee_lists, mentor_lists)
            else:
                g = StableMarriage.create_from_dictionaries(mentor_lists, mentee_lists)
        out["build_s"] = time.perf_counter() - t

        stage = "solve"
        t = time.perf_counter()
        matching = g.solve(optimal="resident" if game == "hr" else "suitor")
        out["solve_s"] = time.perf_counter() - t
    except Exception as e:  # reported, not hidden (RecursionError among them)
        out["error"] = f"{type(e).__name__} in {stage}: {str(e)[:200]}"
        out["traceback"] = traceback.format_exc()[-1500:]
        out["peak_mib"] = _peak_mib()
        return out

    pairs = []
    if game == "hr":
        for hospital, residents in matching.items():
            for r in residents:
                pairs.append((int(hospital.name[1:]), int(r.name[1:])))
    else:
        for s, r in matching.items():
            if r is None:
                continue
            a, b = (r, s) if proposer == "mentees" else (s, r)
            pairs.append((int(a.name[1:]), int(b.name[1:])))
    out["pairs"] = sorted(pairs)
    out["peak_mib"] = _peak_mib()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance")
    ap.add_argument("--game", choices=("hr", "sm"), required=True)
    ap.add_argument("--proposer", choices=("mentees", "mentors"), default="mentees")
    ap.add_argument(
        "--recursion-limit",
        type=int,
        default=0,
        help="raise Python's recursion limit to this and run in a thread with a 1 GiB stack "
        "(the peer deep-copies its players recursively); 0: Python's defaults",
    )
    args = ap.parse_args(argv)
    if args.recursion_limit:
        sys.setrecursionlimit(args.recursion_limit)
        threading.stack_size(1 << 30)
        box: dict = {}
        th = threading.Thread(
            target=lambda: box.update(run(args.instance, args.game, args.proposer))
        )
        th.start()
        th.join()
        out = box
    else:
        out = run(args.instance, args.game, args.proposer)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
