"""The ``rm-match`` command line.

``rm-match demo``
    Pairs a synthetic cohort under a typical programme and prints a summary (pairs matched,
    score, gap, rule and diversity statistics, time) and the first pairs with the reasons
    they were chosen.
``rm-match check --mentors F --mentees F --config programme.toml``
    Reads and checks both HR tables and the programme file, and prints counts, warnings and
    the share of pairs each rule allows; writes nothing.
``rm-match match --mentors F --mentees F --config programme.toml --out pairs.xlsx``
    Pairs them and writes the pairs, the unmatched and a summary (``.xlsx``, ``.csv`` or
    ``.json``).
``rm-match report --mentors F --mentees F --config programme.toml [--out report.html]``
    Pairs them and writes the programme report (:func:`rm_match.report`): one
    self-contained HTML page (``.html``) or text (``.txt``); without ``--out`` it prints
    the text. Aggregates only, groups under 5 suppressed.
``rm-match init-config [--out programme.toml]``
    Writes a commented starting programme file.

Exit codes: 0 done; 2 bad input (every problem of the tables is listed at once, with file,
row, column and participant id); 1 anything else (an infeasible programme, a solver error,
a file that cannot be written). Only ids, counts and aggregates are printed, never an
attribute's value.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import Counter
from collections.abc import Collection, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__, rules, synthetic
from .api import match
from .errors import DataWarning, RmMatchError, ValidationError
from .people import FIELDS
from .preferences import Preferences
from .problem import Problem
from .programme import Programme
from .reporting import KIND_TEXT
from .results import MIN_GROUP, Matching
from .solvers import BACKENDS, POLICIES

if TYPE_CHECKING:  # pragma: no cover - the io edge is imported when a command needs it
    from .io import Config, Intake

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
    head = (
        f"rm_match {__version__} demo: synthetic cohort of {mentors.n} mentors (juniors) "
        f"and {mentees.n} mentees (seniors), seed {args.seed}, mentor capacity "
        f"{args.capacity}"
    )
    out = _summary(head, prog, result, f"time: cohort {t_cohort:.2f} s, ")
    shown = result.pairs[: args.show]
    if shown:
        out.append("")
        out.append(f"first {len(shown)} pairs:")
        out.append(f"  {'mentor':<8} {'mentee':<8} {'score':>6}  why")
        for p in shown:
            out.append(f"  {p.mentor!s:<8} {p.mentee!s:<8} {p.score:6.3f}  {p.reason}")
    print("\n".join(out))
    return 0


def _summary(head: str, prog: Programme, result: Matching, timing: str) -> list[str]:
    """The lines the demo and ``match`` print: aggregates only."""
    st = result.report
    assert st is not None  # match() always reports
    out = [
        head,
        "rules: " + (", ".join(prog.rule_names) or "none"),
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
        "diversity (of the pairs where both values are known): "
        + ", ".join(f"cross-{k} {_pct(v)}" for k, v in st.cross_share.items()),
        f"{timing}match {result.wall_time:.2f} s (scores + rules + solve + explanations)",
    ]
    stab = result.stability
    if stab is not None:
        line = f"stable ({stab.kind}, preferences from {stab.preferences}): 0 blocking pairs"
        if stab.price is not None:
            line += (
                f"; price of stability {_pct(stab.price)} of the optimum's score, which "
                f"{stab.optimum_blocking_pairs} pairs block"
            )
        out.insert(5, line)
    for g in result.goals:
        out.append(
            f"goal {g.goal}: {g.required}; achieved {g.achieved} — "
            + ("met" if g.met else "NOT met")
        )
    for role, lonely in (
        ("mentees", result.unmatched_mentees),
        ("mentors", result.unmatched_mentors),
    ):
        if lonely:
            out.append(f"unmatched {role}: {len(lonely)} — " + _reasons_by_kind(lonely.values()))
    return out


# -- real data: check, match, init-config ------------------------------------------------------

#: Most pairs whose rule verdicts ``check`` counts exactly; above it, a uniform sample.
_CHECK_EXACT = 4_000_000


def _read(args: argparse.Namespace) -> tuple[Config, Intake]:
    """The programme file and both tables, read and checked (problems collected)."""
    from .io import load_config

    cfg = load_config(args.config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # printed below, once, from the intake
        intake = cfg.read(args.mentors, args.mentees, errors=args.errors)
    return cfg, intake


def _intake_lines(args: argparse.Namespace, intake: Intake) -> list[str]:
    m, e = intake.mentors.people, intake.mentees.people
    out = [
        f"mentors: {m.n} from {Path(args.mentors).name}; mentees: {e.n} from "
        f"{Path(args.mentees).name}; {len(m.skills)} skills; programme {Path(args.config).name}",
        f"time zones converted at {intake.reference_date.isoformat()}",
    ]
    if intake.org_chart:
        named = Counter(
            boss
            for people in (m, e)
            if people.manager is not None
            for boss in people.manager.tolist()
            if boss in intake.org_chart
        )
        # the managers named by fewest people first: a typo is named once
        listed = sorted(named.items(), key=lambda kv: (kv[1], str(kv[0])))[:_LIST]
        more = len(named) - len(listed)
        out.append(
            f"managers outside the programme: {len(intake.org_chart)} — "
            + ", ".join(f"{boss} ×{k}" for boss, k in listed)
            + (f", … and {more} more" if more > 0 else "")
            + " (people naming each; one named once may be a typo)"
        )
    for side, people in (("mentors", m), ("mentees", e)):
        missing = []
        for f in (*FIELDS[2:], *people.attributes):
            if f == "capacity" or not people.has(f):
                continue
            k = int((~people.known(f)).sum())
            if k and f in people.attributes and k < MIN_GROUP:
                missing.append(f"{f} fewer than {MIN_GROUP}")  # a protected attribute, perhaps
            elif k:
                missing.append(f"{f} {k}")
        if missing:
            out.append(f"{side} with no value: " + ", ".join(missing))
    out.extend(f"warning: {w}" for w in intake.warnings)
    return out


#: Most ids ``check`` lists in one line (the rest are counted).
_LIST = 20

#: What a missing value of a rule's field does (see docs/data.md, "Missing values").
_MISSING_FORBIDS = {"grade": "grade", "timezone": "time zone", "languages": "language"}


def _lonely(problem: Problem, side: int, lonely: np.ndarray, alone: dict[str, np.ndarray]) -> str:
    """``"j1 (max_timezone_diff: no time zone), j7 (all rules together)"``: the ids of one
    side with no allowed partner, each with the rules that on their own leave them none."""
    people = problem.mentors if side == 0 else problem.mentees
    prog = problem.programme
    parts = []
    for i in np.flatnonzero(lonely)[:_LIST].tolist():
        why = []
        for label, rule in zip(prog.rule_names, prog.rules, strict=True):
            if alone[label][i]:
                continue  # this rule alone leaves the person some partner
            fields = [f for f in rule.fields if f in _MISSING_FORBIDS or f in people.attributes]
            blank = [f for f in fields if people.has(f) and not people.known(f)[i]]
            what = ", ".join(f"no {_MISSING_FORBIDS.get(f, f)}" for f in blank)
            why.append(f"{label}: {what}" if what else label)
        parts.append(f"{people.ids[i]} ({'; '.join(why) or 'the rules together'})")
    more = int(lonely.sum()) - len(parts)
    return ", ".join(parts) + (f", … and {more} more" if more > 0 else "")


def _rule_lines(problem: Problem, rng_seed: int = 0) -> list[str]:
    """The share of pairs each rule allows (exact up to :data:`_CHECK_EXACT` pairs), and the
    participants no pair is allowed for."""
    n_m, n_e = problem.cohort.shape
    prog = problem.programme
    if not prog.rules or not n_m or not n_e:
        return ["rules: none" if not prog.rules else "rules: no pairs to check"]
    labels = prog.rule_names
    passed = dict.fromkeys(labels, 0)
    together = 0
    if n_m * n_e <= _CHECK_EXACT:
        any_m = np.zeros(n_m, dtype=bool)
        any_e = np.zeros(n_e, dtype=bool)
        # per rule: who has some partner under that rule alone
        alone_m = {k: np.zeros(n_m, dtype=bool) for k in labels}
        alone_e = {k: np.zeros(n_e, dtype=bool) for k in labels}
        step = max(1, _CHECK_EXACT // (4 * max(n_e, 1)))
        for start in range(0, n_m, step):
            mi = np.arange(start, min(n_m, start + step))
            flags = problem.allowed(mi, np.arange(n_e))
            ok = np.ones((len(mi), n_e), dtype=bool)
            for k in labels:
                passed[k] += int(flags[k].sum())
                alone_m[k][mi] |= flags[k].any(axis=1)
                alone_e[k] |= flags[k].any(axis=0)
                ok &= flags[k]
            together += int(ok.sum())
            any_m[mi] |= ok.any(axis=1)
            any_e |= ok.any(axis=0)
        total, how = n_m * n_e, "of all"
    else:
        rng = np.random.default_rng(rng_seed)
        total = 1_000_000
        sample_m, sample_e = rng.integers(0, n_m, total), rng.integers(0, n_e, total)
        flags = problem.allowed(sample_m, sample_e, outer=False)
        hit = np.ones(total, dtype=bool)
        for k in labels:
            passed[k] = int(flags[k].sum())
            hit &= flags[k]
        together = int(hit.sum())
        how, any_m, any_e = "of a uniform sample of", None, None
    out = [
        f"rules allow {_pct(together / total)} {how} {total:,} pairs; each on its own: "
        + ", ".join(f"{k} {_pct(v / total)}" for k, v in passed.items())
    ]
    if any_m is not None and any_e is not None:
        out.append(
            f"no allowed partner: {int((~any_m).sum())} mentors, {int((~any_e).sum())} mentees"
        )
        for side, name, anyone, alone in (
            (0, "mentors", any_m, alone_m),
            (1, "mentees", any_e, alone_e),
        ):
            if not anyone.all():
                out.append(f"  {name}: " + _lonely(problem, side, ~anyone, alone))
    return out


def _preferences(args: argparse.Namespace) -> Preferences | None:
    """The survey answers of ``--preferences``, if given (``--survey-columns`` names the
    columns: ``who=Respondent,about=Candidate,rank=Rank``)."""
    if args.preferences is None:
        return None
    from .io import read_preferences

    columns = None
    if args.survey_columns:
        columns = {}
        for item in args.survey_columns.split(","):
            field, sep, name = item.partition("=")
            if not sep or not field.strip() or not name.strip():
                raise ValidationError(
                    f"--survey-columns: {item!r} is not field=column (e.g. who=Respondent).",
                    argument="survey_columns",
                )
            columns[field.strip()] = name.strip()
    return read_preferences(args.preferences, columns=columns)


def _check_cmd(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    cfg, intake = _read(args)
    prefs = _preferences(args)
    problem = Problem(
        intake.mentors.people,
        intake.mentees.people,
        cfg.programme,
        org_chart=intake.org_chart,
        preferences=prefs,
    )
    t_read = time.perf_counter() - t0
    out = _intake_lines(args, intake)
    out.extend(_rule_lines(problem))
    out.append(f"read and checked in {t_read:.2f} s; nothing written")
    print("\n".join(out))
    return 0


def _match_cmd(args: argparse.Namespace) -> int:
    from .io import write_matching

    out_path = Path(args.out)
    if out_path.suffix.lower() not in (".xlsx", ".csv", ".json"):
        raise ValidationError(
            f"--out {out_path.name}: unknown suffix {out_path.suffix!r}; use .xlsx, .csv or .json.",
            argument="out",
        )
    t0 = time.perf_counter()
    cfg, intake = _read(args)
    t_read = time.perf_counter() - t0
    prefs = _preferences(args)
    result = _result(args, cfg, intake, prefs)
    written = write_matching(
        result,
        out_path,
        mentor_columns=intake.mentors.carry,
        mentee_columns=intake.mentees.carry,
    )
    head = (
        f"rm_match {__version__}: {intake.mentors.people.n} mentors from "
        f"{Path(args.mentors).name}, {intake.mentees.people.n} mentees from "
        f"{Path(args.mentees).name}, programme {Path(args.config).name}"
    )
    out = _summary(head, cfg.programme, result, f"time: read {t_read:.2f} s, ")
    out.extend(f"warning: {w}" for w in intake.warnings)
    out.append("wrote " + ", ".join(str(p) for p in written))
    print("\n".join(out))
    return 0


def _result(
    args: argparse.Namespace, cfg: Config, intake: Intake, prefs: Preferences | None
) -> Matching:
    """The optimal matching of the file's programme, or with ``--stable`` a stable one."""
    if args.stable is None:
        overrides: dict[str, Any] = (
            {} if args.time_limit is None else {"time_limit": args.time_limit}
        )
        return cfg.match(intake, preferences=prefs, **overrides)
    from .stability import stable_match

    if cfg.programme.goals:
        raise ValidationError(
            f"--stable: the programme file {Path(args.config).name} has cohort goals "
            "([[programme.goals]]), which a stable matching cannot take (a goal may need a "
            "pair that blocks); leave --stable out for the optimal matching with its goals, "
            "or remove the goals.",
            argument="stable",
        )
    how = (
        {"proposer": args.stable}
        if args.stable in ("mentees", "mentors")
        else {"objective": args.stable}
    )
    return stable_match(
        intake.mentors.people,
        intake.mentees.people,
        cfg.programme,
        preferences=prefs,
        org_chart=intake.org_chart,
        **how,
    )


def _report_cmd(args: argparse.Namespace) -> int:
    from .reporting import report

    out_path = None if args.out is None else Path(args.out)
    if out_path is not None and out_path.suffix.lower() not in (".html", ".htm", ".txt"):
        raise ValidationError(
            f"--out {out_path.name}: unknown suffix {out_path.suffix!r}; use .html or .txt.",
            argument="out",
        )
    cfg, intake = _read(args)
    prefs = _preferences(args)
    result = _result(args, cfg, intake, prefs)
    rep = report(
        result,
        intake.mentors.people,
        intake.mentees.people,
        cfg.programme,
        preferences=prefs,
        org_chart=intake.org_chart,
    )
    if out_path is None:
        sys.stdout.write(rep.to_text(include_ids=args.include_ids))
        return 0
    rep.save(out_path, plots=not args.no_plots, include_ids=args.include_ids)
    s = rep.summary
    print(
        f"rm_match {__version__}: {s['pairs']} pairs of {s['mentors']} mentors and "
        f"{s['mentees']} mentees, status {s['status']}; wrote {out_path}"
    )
    return 0


def _init_cmd(args: argparse.Namespace) -> int:
    from .io import init_config

    text = init_config()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    path = Path(args.out)
    if path.exists() and not args.force:
        raise ValidationError(f"{path} exists; pass --force to overwrite it.", argument="out")
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


#: How the CLI words each kind of reason (see :mod:`rm_match.explain`).
_KIND_TEXT = KIND_TEXT


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
    optimal = [name for name, b in BACKENDS.items() if not b.capabilities.stable]
    demo.add_argument("--method", choices=("auto", *optimal), default="auto")
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
    for name, helptext, func in (
        ("check", "read and check the HR tables and the programme file; write nothing", _check_cmd),
        ("match", "pair the people of two HR tables and write the pairs", _match_cmd),
        ("report", "pair the people of two HR tables and write the programme report", _report_cmd),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("--mentors", required=True, help="the mentors' table (.csv, .xlsx, …)")
        cmd.add_argument("--mentees", required=True, help="the mentees' table")
        cmd.add_argument("--config", required=True, help="the programme file (.toml or .json)")
        cmd.add_argument(
            "--errors",
            choices=("collect", "raise"),
            default="collect",
            help="list every problem of the tables at once (default), or stop at the first",
        )
        cmd.add_argument(
            "--preferences",
            default=None,
            help="participants' survey answers: one row per answer, columns who, about and "
            "rank, rating or veto (or as --survey-columns names them)",
        )
        cmd.add_argument(
            "--survey-columns",
            default=None,
            help="the survey's column names, e.g. who=Respondent,about=Candidate,rank=Rank",
        )
        if name == "match":
            cmd.add_argument(
                "--out", required=True, help="where to write the pairs: .xlsx, .csv or .json"
            )
        if name in ("match", "report"):
            cmd.add_argument(
                "--time-limit", type=float, default=None, help="seconds (overrides the file)"
            )
            cmd.add_argument(
                "--stable",
                choices=("mentees", "mentors", "score", "egalitarian"),
                default=None,
                help="a stable matching instead of the optimal one: that side's optimal "
                "(deferred acceptance), or the best stable one by score or egalitarian",
            )
        if name == "report":
            cmd.add_argument(
                "--out",
                default=None,
                help="where to write the report: .html (one self-contained page) or .txt; "
                "default: print the text",
            )
            cmd.add_argument(
                "--include-ids",
                action="store_true",
                help="list the unmatched participants by id (and reason kind)",
            )
            cmd.add_argument("--no-plots", action="store_true", help="leave the plots out")
        cmd.set_defaults(func=func)
    init = sub.add_parser("init-config", help="write a commented starting programme file")
    init.add_argument("--out", default=None, help="file to write (default: print it)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.set_defaults(func=_init_cmd)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rm-match`` console script: 0 done, 2 bad input, 1 otherwise."""
    args = _parser().parse_args(argv)
    try:
        with warnings.catch_warnings(record=True) as caught:
            # the library's own warnings, once each, as lines of the report (DataWarnings
            # of the tables are printed by the commands themselves)
            warnings.simplefilter("always", UserWarning)
            code = int(args.func(args))
        said: set[str] = set()
        for w in caught:
            text = str(w.message)
            if issubclass(w.category, DataWarning) or text in said:
                continue
            said.add(text)
            print(f"rm-match: warning: {text}", file=sys.stderr)
        return code
    except ValidationError as exc:
        print(f"rm-match: bad input: {exc}", file=sys.stderr)
        return 2
    except RmMatchError as exc:
        print(f"rm-match: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"rm-match: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
