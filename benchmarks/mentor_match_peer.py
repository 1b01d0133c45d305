"""Run the PyPI package ``mentor-match`` on rm_match's synthetic cohort, in a venv of its own.

Usage::

    python3.11 -m venv .mm-venv && .mm-venv/bin/pip install mentor-match
    python benchmarks/mentor_match_peer.py --n 200 --venv .mm-venv

``mentor-match`` installs a top-level package named ``matching`` (it clashes with the PyPI
package ``matching``), so it never goes into the project's venv. This script has two halves:

* the **export / score** half runs in the project venv (imports rm_match): it builds
  ``rm_match.synthetic.cohort(n, n, rng=2026)``, writes ``mentors.csv`` and ``mentees.csv`` in
  mentor-match's format to a temporary folder, runs the other half in the mentor-match venv,
  then scores the pairs it gets back with *our* score matrix (``Problem(...).compile()``),
  checks them with ``rm_match.verify`` against ``rm_match.cli.demo_programme()`` and prints one
  JSON row shaped like ``peers.py``'s rows;
* the **run** half (``--run DIR``) runs inside the mentor-match venv and imports only the
  standard library and ``matching``: it loads the CSVs with
  ``matching.process.create_participant_list_from_path`` (timed: ``build``), matches with
  ``matching.process.process_data`` (one round, i.e. 1:1; timed: ``solve``, which covers its
  O(n²) ``Match``/rule scoring and its Munkres call) and prints the pairs, times and peak RSS.

Field mapping (mentor-match's ``Person`` keeps only ``email``, ``first name``, ``last name``,
``role``, ``organisation``, ``grade`` (int) and ``profession``; other CSV columns are dropped):

=================  ==========================================================================
mentor-match       from rm_match
=================  ==========================================================================
``email``          participant id (``J0001…`` mentors, ``S0001…`` mentees)
``organisation``   ``department`` (the Civil Service app's "different department" rule is on
                   ``organisation``)
``grade``          ``grade`` (int; mentees, the seniors, are grades 5–9, mentors 1–4)
``profession``     a one-label projection of the skill profiles: the mentor's strongest
                   offered skill, the mentee's most wanted skill (like the Civil Service app's
                   mentee *target* profession vs mentor *current* profession)
``role``           ``"<department> grade <g>"`` (informational only)
=================  ==========================================================================

Rules (``matching.rules.rule``), modelled on the Civil Service app's ``base_rules`` with the
grade direction reversed for reverse mentoring: ``Disqualify`` same ``organisation`` (our
``cross_department``); ``Disqualify`` a grade gap ``mentee - mentor < 2`` (our
``seniority_direction(min_gap=2)``); ``Grade`` +12 for a gap of exactly 2 and +9 for 3;
``Generic`` +10 when the two ``profession`` labels are equal; ``UnmatchedBonus(1)`` (+1 for any
allowed pair in a single round). Munkres then maximises the sum of these integer points;
disqualified pairs score 0 and, if Munkres still assigns one, it is dropped (not made).

What mentor-match cannot express from its data model: our skill-gap *learning* score (10 skill
levels and wants per person, reduced here to one label), interests, language and time-zone
scores, the diversity reward, and the hard rules ``no_reporting_line`` (managers),
``common_language`` and ``max_timezone_diff`` (none of these fields survive its CSV load), and
``max_matched``'s "most pairs first". So its answer optimises *its own* objective; we report
it under ours, and ``violations`` counts the rules it could not see. With ``--all-rules`` those
three hard rules are added as ``Disqualify`` callables that look the extra CSV columns up by
e-mail (its rule API accepts any callable, but that is our code, not its data model).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("email", "first name", "last name", "role", "organisation", "grade", "profession")
# extra columns, only read by our own --all-rules callables (mentor-match ignores them)
EXTRA = ("managers_up", "languages", "timezone")
HOW_TO = (
    "no mentor-match venv at {venv}: create it with\n"
    "    python3.11 -m venv .mm-venv && .mm-venv/bin/pip install mentor-match\n"
    "(or pass --venv PATH / set RM_MATCH_MM_VENV)"
)


def default_venv() -> Path:
    """``$RM_MATCH_MM_VENV`` or ``<repo>/.mm-venv``."""
    return Path(os.environ.get("RM_MATCH_MM_VENV") or ROOT / ".mm-venv")


def venv_python(venv: str | os.PathLike) -> Path:
    return Path(venv) / "bin" / "python"


# -- export / score half (project venv) ----------------------------------------------------


def export(n: int, folder: Path, seed: int = 2026):
    """Write ``mentors.csv`` and ``mentees.csv`` for ``cohort(n, n, rng=seed)``; returns the
    cohort and programme."""
    import rm_match as rm
    from rm_match.cli import demo_programme

    mentors, mentees = rm.synthetic.cohort(n, n, rng=seed)
    prog = demo_programme()
    boss = {}
    for side in (mentors, mentees):
        boss.update(
            (i, m) for i, m in zip(side.ids.tolist(), side.manager.tolist(), strict=True) if m
        )

    def up(pid: str, depth: int = 2) -> list[str]:
        chain = []
        while len(chain) < depth and pid in boss:
            pid = boss[pid]
            chain.append(pid)
        return chain

    for name, side, skill in (
        ("mentors", mentors, side_best(mentors.offers)),
        ("mentees", mentees, side_best(mentees.wants)),
    ):
        with open(folder / f"{name}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(FIELDS + EXTRA)
            for k, pid in enumerate(side.ids.tolist()):
                dept, grade = str(side.department[k]), int(side.grade[k])
                w.writerow(
                    [
                        *(pid, "", "", f"{dept} grade {grade}", dept, grade),
                        side.skills[skill[k]],
                        ";".join(up(pid)),
                        ";".join(sorted(side.languages[k])),
                        float(side.timezone[k]),
                    ]
                )
    return mentors, mentees, prog


def side_best(levels):
    """Index of each row's largest entry (the one skill label we can give mentor-match)."""
    return levels.argmax(axis=1).tolist()


def run(n: int, venv: str | os.PathLike, *, all_rules: bool = False, seed: int = 2026) -> dict:
    """Export, run mentor-match in ``venv``, score under our scores; one peers.py-shaped row."""
    import rm_match as rm

    py = venv_python(venv)
    if not py.exists():
        raise FileNotFoundError(HOW_TO.format(venv=venv))
    with tempfile.TemporaryDirectory(prefix="mm-peer-") as tmp:
        t = time.perf_counter()
        mentors, mentees, prog = export(n, Path(tmp), seed)
        export_s = time.perf_counter() - t
        cmd = [str(py), str(Path(__file__).resolve()), "--run", tmp]
        if all_rules:
            cmd.append("--all-rules")
        t = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
        wall = time.perf_counter() - t
        if p.returncode != 0:
            raise RuntimeError(
                f"mentor-match run failed (exit {p.returncode}):\n{p.stderr[-3000:]}"
            )
        got = json.loads(p.stdout.strip().splitlines()[-1])
    problem = rm.Problem(mentors, mentees, prog)
    arrays = problem.compile()
    ids = [tuple(x) for x in got["pairs"]]
    r = [mentors.index(a) for a, _ in ids]
    c = [mentees.index(b) for _, b in ids]
    return {
        "n": n,
        "method": "mentor_match",
        "build": got["load_s"],
        "solve": got["solve_s"],
        "objective": float(arrays.scores[r, c].sum()),
        "pairs": len(ids),
        "status": "-",
        "gap": None,
        "backend": f"mentor-match {got['version']}, munkres {got['munkres']}"
        + (", all rules" if all_rules else ""),
        "violations": len(rm.verify(ids, problem)),
        "peak_mib": got["peak_mib"],
        "own_objective": got["own_objective"],
        "score_s": got["score_s"],
        "munkres_s": got["munkres_s"],
        "export_s": export_s,
        "subprocess_s": wall,
    }


# -- run half (mentor-match venv: stdlib + matching only) ----------------------------------


def _rules(folder: Path, all_rules: bool) -> list:
    import operator

    import matching.rules.rule as rl

    rules = [
        rl.Disqualify(lambda m: m.mentor.organisation == m.mentee.organisation),
        rl.Disqualify(rl.Grade(-2, operator.gt).evaluate),  # mentor - mentee > -2: gap < 2
        rl.Grade(-2, operator.eq, {True: 12, False: 0}),
        rl.Grade(-3, operator.eq, {True: 9, False: 0}),
        rl.Generic({True: 10, False: 0}, lambda m: m.mentor.profession == m.mentee.profession),
        rl.UnmatchedBonus(1),
    ]
    if all_rules:
        extra = {}
        for name in ("mentors", "mentees"):
            with open(folder / f"{name}.csv", newline="") as f:
                for row in csv.DictReader(f):
                    extra[row["email"]] = (
                        set(filter(None, row["managers_up"].split(";"))),
                        set(filter(None, row["languages"].split(";"))),
                        float(row["timezone"]),
                    )

        def reporting(m) -> bool:
            a, b = m.mentor.email, m.mentee.email
            return a in extra[b][0] or b in extra[a][0]

        def no_language(m) -> bool:
            return not extra[m.mentor.email][1] & extra[m.mentee.email][1]

        def far(m) -> bool:
            d = abs(extra[m.mentor.email][2] - extra[m.mentee.email][2]) % 24.0
            return min(d, 24.0 - d) > 6.0

        rules[:0] = [rl.Disqualify(reporting), rl.Disqualify(no_language), rl.Disqualify(far)]
    return rules


def run_in_mm_venv(folder: Path, all_rules: bool) -> dict:
    """Load the CSVs and match with mentor-match's public API; pairs, times, peak RSS."""
    from importlib.metadata import version

    import munkres
    from matching import process
    from matching.mentee import Mentee
    from matching.mentor import Mentor

    t = time.perf_counter()
    mentors = process.create_participant_list_from_path(Mentor, folder)
    mentees = process.create_participant_list_from_path(Mentee, folder)
    load_s = time.perf_counter() - t
    rules = _rules(folder, all_rules)

    # time its two stages by wrapping the module functions process_data looks up at call
    # time; the Munkres wrapper also reads its own objective off the cost matrix it is given
    # (cost = sys.maxsize - points; a disqualified pair has 0 points)
    stage = {"score_s": 0.0, "munkres_s": 0.0, "own_objective": 0}
    score_fn, calc_fn = process.generate_match_matrix, process.calculate_matches

    def score(*args):
        t0 = time.perf_counter()
        try:
            return score_fn(*args)
        finally:
            stage["score_s"] += time.perf_counter() - t0

    def calculate(cost):
        t0 = time.perf_counter()
        try:
            chosen = calc_fn(cost)
        finally:
            stage["munkres_s"] += time.perf_counter() - t0
        stage["own_objective"] += sum(sys.maxsize - cost[i][j] for i, j in chosen)
        return chosen

    process.generate_match_matrix, process.calculate_matches = score, calculate
    try:
        t = time.perf_counter()
        mentors, mentees = process.process_data(mentors, mentees, [rules])
        solve_s = time.perf_counter() - t
    finally:
        process.generate_match_matrix, process.calculate_matches = score_fn, calc_fn
    pairs = [(m.email, e.email) for m in mentors for e in m.mentees]
    return {
        "pairs": pairs,
        "load_s": load_s,
        "solve_s": solve_s,
        **stage,
        "peak_mib": _peak_mib(),
        "version": version("mentor-match"),
        "munkres": getattr(munkres, "__version__", None) or version("munkres"),
        "python": sys.version.split()[0],
    }


def _peak_mib() -> float:
    """Peak RSS of this process in MiB. ``ru_maxrss`` survives fork + exec on Linux, so in a
    child of the (numpy-laden) export half it reports the parent's size at fork time; the
    kernel's ``VmHWM`` is per address space and starts afresh at exec, so it is used where
    there is one."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="participants per side")
    ap.add_argument(
        "--venv",
        default=None,
        help="mentor-match venv (default: $RM_MATCH_MM_VENV or .mm-venv at the repo root)",
    )
    ap.add_argument("--all-rules", action="store_true")
    ap.add_argument("--run", metavar="DIR", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(run_in_mm_venv(Path(args.run), args.all_rules)))
        return 0
    venv = Path(args.venv) if args.venv else default_venv()
    if not venv_python(venv).exists():
        print(HOW_TO.format(venv=venv), file=sys.stderr)
        return 2
    print(json.dumps(run(args.n, venv, all_rules=args.all_rules)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
