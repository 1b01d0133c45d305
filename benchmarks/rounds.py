"""Rotation rounds: the joint plan (:func:`rm_match.rounds.rotate`) against greedy round by
round matching (``k`` calls of :func:`rm_match.match`, each excluding the pairs of the rounds
before).

Usage::

    python benchmarks/rounds.py --sizes 1000 5000 --rounds 4 6 --repeats 2

A synthetic cohort of n mentors and n mentees (``rng=11``) under the demo programme
(:func:`rm_match.cli.demo_programme`: cross-department, no reporting line up to the
skip-level, seniority gap 2, a common language, at most 6 h apart; diversity on gender and
generation). The cohort is built before the clock starts; each run is timed in this process
from the call to its return (the joint plan: compile, flow, colouring, explanations; greedy:
``k`` full ``match`` calls). Columns: the joint plan's solver (the dense flow, or the
sparse path above ``auto``'s crossover), sessions over all rounds, total score, the joint
plan's status and gap (greedy proves nothing about the plan), the fewest and most sessions
of a mentor, the exposure (distinct mentee departments a mentor meets over the plan), the
median seconds of the runs and their range, and ``verified``: every round passes
:func:`rm_match.verify` and no pair repeats.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _results import save


def greedy(mentors, mentees, programme, k):
    import rm_match as rm
    from rm_match import Programme, rules

    seen: list = []
    rounds = []
    for _ in range(k):
        prog = programme
        if seen:
            prog = Programme(
                rules=[*programme.rules, rules.ExcludePrevious(seen)],
                weights=programme.weights,
                skill_weights=programme.skill_weights,
                reverse_weight=programme.reverse_weight,
                diversity_attributes=programme.diversity_attributes,
                learning_norm=programme.learning_norm,
            )
        m = rm.match(mentors, mentees, prog)
        rounds.append(m.id_pairs)
        seen += m.id_pairs
    return rounds, sum(s for s in _scores(mentors, mentees, programme, seen))


def _scores(mentors, mentees, programme, pairs):
    import numpy as np

    from rm_match import Problem

    prob = Problem(mentors, mentees, programme)
    mi = np.array([mentors.index(m) for m, _ in pairs], dtype=np.intp)
    ei = np.array([mentees.index(e) for _, e in pairs], dtype=np.intp)
    return prob.scores(mi, ei, outer=False).tolist()


def departments_met(rounds, mentors, mentees) -> list[int]:
    """Per mentor, the distinct mentee departments met over all rounds (exposure)."""
    dept = dict(zip(mentees.ids.tolist(), mentees.department.tolist(), strict=True))
    met: dict = {m: set() for m in mentors.ids.tolist()}
    for r in rounds:
        for m, e in r:
            met[m].add(dept[e])
    return [len(v) for v in met.values()]


def verified(rounds, mentors, mentees, programme) -> bool:
    from rm_match import Problem, verify

    prob = Problem(mentors, mentees, programme)
    every = [p for r in rounds for p in r]
    return len(set(every)) == len(every) and all(verify(r, prob) == [] for r in rounds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--rounds", type=int, nargs="+", default=[4, 6])
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--name", default="rounds")
    args = ap.parse_args()

    import rm_match as rm
    from rm_match.cli import demo_programme
    from rm_match.rounds import rotate

    prog = demo_programme()
    head = (
        "| n per side | rounds | method | solver | sessions | total score | status | gap | "
        "mentor sessions min–max | mentee departments a mentor meets, min / median | "
        "seconds (median) | range | verified |"
    )
    lines = [head, "|" + "---|" * 13]
    for n in args.sizes:
        mentors, mentees = rm.synthetic.cohort(n, n, rng=11)
        for k in args.rounds:
            for method in ("joint", "greedy"):
                times, row = [], None
                for rep in range(args.repeats):
                    print(f"n={n} k={k} {method} run {rep + 1}", file=sys.stderr, flush=True)
                    t0 = time.perf_counter()
                    if method == "joint":
                        rot = rotate(mentors, mentees, prog, rounds=k)
                        times.append(time.perf_counter() - t0)
                        rounds = [r.id_pairs for r in rot.rounds]
                        total, status, gap = rot.objective, rot.status, f"{rot.gap:.1e}"
                        solver = rot.method
                        sessions = list(rot.sessions["mentors"].values())
                    else:
                        rounds, total = greedy(mentors, mentees, prog, k)
                        times.append(time.perf_counter() - t0)
                        status, gap, solver = "–", "–", "match"
                        count = {m: 0 for m in mentors.ids.tolist()}
                        for r in rounds:
                            for m, _ in r:
                                count[m] += 1
                        sessions = list(count.values())
                    if row is None:  # the answer is deterministic: checked once
                        ok = verified(rounds, mentors, mentees, prog)
                        depts = departments_met(rounds, mentors, mentees)
                        row = (
                            sum(len(r) for r in rounds),
                            total,
                            status,
                            gap,
                            sessions,
                            ok,
                            f"{min(depts)} / {statistics.median(depts):g}",
                            solver,
                        )
                assert row is not None
                count_, total_, status_, gap_, sessions_, ok_, depts_, solver_ = row
                lines.append(
                    f"| {n} | {k} | {method} | {solver_} | {count_} | {total_:.3f} | {status_} | "
                    f"{gap_} | {min(sessions_)}–{max(sessions_)} | {depts_} | "
                    f"{statistics.median(times):.2f} | {min(times):.2f}–{max(times):.2f} | "
                    f"{'yes' if ok_ else 'NO'} |"
                )
                print(lines[-1], file=sys.stderr, flush=True)
    import os

    cpus = os.cpu_count()
    note = (
        f"\n\n{args.repeats} runs each, in one process; {cpus} CPU(s). Joint: one "
        "b-matching over all rounds (certified by its bound; `solver` flow: the dense "
        "min-cost flow, sparse: the sparse path of `match`) and an edge colouring, "
        "`fair=True`. Greedy: one `match` per round excluding earlier pairs (no bound on the "
        "plan)."
    )
    cmd = "python benchmarks/rounds.py " + " ".join(sys.argv[1:])
    save(
        args.name,
        "Rotation rounds: joint plan vs greedy round by round",
        cmd,
        "\n".join(lines) + note,
    )


if __name__ == "__main__":
    main()
