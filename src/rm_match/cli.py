"""The ``rm-match`` command line.

``rm-match demo`` pairs a synthetic cohort under a typical programme and prints a summary
(pairs matched, score, gap, rule and diversity statistics, time) and the first pairs with the
reasons they were chosen. Only aggregate figures are printed about protected attributes.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import replace

from . import __version__, rules, synthetic
from .api import match
from .errors import RmMatchError
from .programme import Programme
from .results import MIN_GROUP
from .solvers import BACKENDS, POLICIES

__all__ = ["demo_programme", "main"]


def demo_programme() -> Programme:
    """The programme the demo runs: a typical reverse-mentoring setup.

    Cross-department pairs only, no reporting line up to the skip-level manager, mentees at
    least two grades above their mentor, a shared language and at most six hours apart;
    default score weights, with a diversity reward on gender and generation.

    Examples
    --------
    >>> demo_programme().rule_names
    ('cross_department', 'no_reporting_line', 'seniority_direction', 'common_language', \
'max_timezone_diff')
    """
    return Programme(
        rules=[
            rules.CrossDepartment(),
            rules.NoReportingLine(depth=2),
            rules.SeniorityDirection(min_gap=2),
            rules.CommonLanguage(),
            rules.MaxTimezoneDiff(hours=6),
        ],
        diversity_attributes=("gender", "generation"),
    )


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _demo(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    mentors, mentees = synthetic.cohort(
        args.mentors,
        args.mentees,
        rng=args.seed,
        mentor_capacity=args.capacity,
        regions=args.regions,
    )
    t_cohort = time.perf_counter() - t0
    prog = demo_programme()
    if args.regions:
        prog = replace(prog, rules=(*prog.rules, rules.SameGroup("region")))
    with ProcessPoolExecutor(args.processes) if args.processes > 1 else nullcontext() as pool:
        result = match(
            mentors, mentees, prog, policy=args.policy, method=args.method, executor=pool
        )
    st = result.report
    assert st is not None  # match() always reports
    out = [
        f"rm_match {__version__} demo: synthetic cohort of {st.mentors} mentors (juniors) "
        f"and {st.mentees} mentees (seniors), seed {args.seed}, mentor capacity "
        f"{args.capacity}",
        "rules: " + ", ".join(prog.rule_names),
        (
            f"allowed pairs: {_pct(st.feasible_share)} of {st.mentors * st.mentees:,}"
            if st.feasible_share is not None
            else "allowed pairs: suppressed (fewer than 5 per side)"
            if min(st.mentors, st.mentees) < MIN_GROUP
            else "allowed pairs: not counted (large or split cohort: no full mask is built)"
        )
        + (
            " (on its own: "
            + ", ".join(f"{k} {_pct(v)}" for k, v in st.rule_pass_share.items())
            + ")"
            if any(v is not None for v in st.rule_pass_share.values())
            else ""
        ),
        f"matched: {st.pairs} pairs; mentees {st.mentees_matched}/{st.mentees}, "
        f"mentors {st.mentors_matched}/{st.mentors} (policy {result.policy})",
        f"objective {result.objective:.4f} (mean pair score "
        f"{'n/a' if st.mean_score is None else round(st.mean_score, 3)}), "
        f"bound {result.bound:.4f}, gap {result.gap:.1e}, status {result.status}, "
        f"solver {result.method}"
        + (
            f" ({result.assignment.message.split(';')[0]})"
            if "independent" in result.assignment.message
            else ""
        ),
        "mean terms: "
        + ", ".join(f"{k} {'n/a' if v is None else f'{v:.3f}'}" for k, v in st.mean_terms.items()),
        "diversity: " + ", ".join(f"cross-{k} pairs {_pct(v)}" for k, v in st.cross_share.items()),
        f"time: cohort {t_cohort:.2f} s, match {result.wall_time:.2f} s "
        "(scores + rules + solve + explanations)",
    ]
    for role, lonely in (
        ("mentees", result.unmatched_mentees),
        ("mentors", result.unmatched_mentors),
    ):
        if lonely:
            out.append(f"unmatched {role}: {len(lonely)} — " + _reasons_by_kind(lonely.values()))
    shown = result.pairs[: args.show]
    if shown:
        out.append("")
        out.append(f"first {len(shown)} pairs:")
        out.append(f"  {'mentor':<8} {'mentee':<8} {'score':>6}  why")
        for p in shown:
            out.append(f"  {p.mentor!s:<8} {p.mentee!s:<8} {p.score:6.3f}  {p.reason}")
    print("\n".join(out))
    return 0


#: How the CLI words each kind of reason (see :mod:`rm_match.explain`).
_KIND_TEXT = {
    "capacity_0": "capacity 0",
    "no_partner": "no partner passes the rules",
    "partners_closed": "feasible partners all have capacity 0",
    "partners_full": "feasible partners all at capacity with others",
    "goal": "pairing would break a goal",
    "score": "pairing would lower the objective",
    "not_proven": "answer not proven optimal",
}


def _reasons_by_kind(reasons: Collection[str]) -> str:
    """``"4 × feasible partners all at capacity with others; 2 × no partner passes the
    rules (cross_department + seniority_direction)"``: counted by kind, the rules and goals
    named for the most common set."""
    kinds = Counter(getattr(r, "kind", "score") for r in reasons)
    parts = []
    for kind, n in kinds.most_common():
        text = _KIND_TEXT[kind]
        if kind in ("no_partner", "goal"):
            named = Counter(
                str(r).split(" satisfies ")[-1].split(" would break ")[-1]
                for r in reasons
                if getattr(r, "kind", None) == kind and (" satisfies " in r or " break " in r)
            )
            if named:
                top, k = named.most_common(1)[0]
                text += f" ({top}" + (f" for {k}" if len(named) > 1 else "") + ")"
        parts.append(f"{n} × {text}")
    return "; ".join(parts)


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0; got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rm-match", description="Optimal, explained reverse-mentoring pairs."
    )
    parser.add_argument("--version", action="version", version=f"rm-match {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="pair a synthetic cohort and print a report")
    demo.add_argument("--mentors", type=int, default=200, help="number of mentors (juniors)")
    demo.add_argument("--mentees", type=int, default=200, help="number of mentees (seniors)")
    demo.add_argument("--seed", type=int, default=0, help="random seed of the cohort")
    demo.add_argument("--capacity", type=int, default=1, help="mentees per mentor")
    demo.add_argument("--policy", choices=POLICIES, default="max_matched")
    demo.add_argument("--method", choices=("auto", *BACKENDS), default="auto")
    demo.add_argument("--show", type=int, default=10, help="pairs to print")
    demo.add_argument(
        "--regions",
        type=_count,
        default=0,
        help="give everyone one of this many regions and pair within regions only",
    )
    demo.add_argument(
        "--processes", type=_count, default=1, help="solve independent parts on this many processes"
    )
    demo.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rm-match`` console script."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except RmMatchError as exc:
        print(f"rm-match: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
