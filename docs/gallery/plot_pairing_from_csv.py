"""
Pairing from an HR export
=========================

A programme manager has two spreadsheets — juniors (the mentors) and seniors (the mentees) —
exported from the HR system, messy as such exports are: departments spelled three ways,
``"English; German"`` in one cell, ``"UTC+5:30"`` next to ``"CET"``, skills as free-text
survey answers. A programme file says which column holds what and what a good pair is.

This example reads ``examples/juniors.csv`` and ``examples/seniors.csv`` of the repository
under ``examples/programme.toml``, pairs them, and looks at the result: the pairs and why
each was made, who was left out and why, and the programme's aggregate report. The command
line does the same with ``rm-match match --mentors examples/juniors.csv --mentees
examples/seniors.csv --config examples/programme.toml --out pairs.xlsx``; see
:doc:`/data` for the programme file.
"""

# %%
# Read the programme file and both tables
# ---------------------------------------
# The example files are found by looking up from the working directory (the repository
# root, or this script's folder when the documentation is built), and shown relative to it.
# ``errors="collect"`` reports every bad cell of both files at once; the warnings (labels
# merged across spellings, for instance) are also kept in ``intake.warnings``.
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt

import rm_match as rm
from rm_match.io import load_config

here = Path.cwd()
root = next(p for p in (here, *here.parents) if (p / "examples" / "programme.toml").exists())
EXAMPLES = Path(os.path.relpath(root / "examples"))

cfg = load_config(EXAMPLES / "programme.toml")
with warnings.catch_warnings(record=True):
    intake = cfg.read(EXAMPLES / "juniors.csv", EXAMPLES / "seniors.csv", errors="collect")

print(intake.mentors.people)
print(intake.mentees.people)
for warning in intake.warnings:
    print("warning:", warning)

# %%
# Pair them under the file's programme
# ------------------------------------
# ``cfg.match`` is :func:`rm_match.match` with the programme, policy and options of the
# file: here the most pairs possible first, then the best total score, with five hard rules
# and a cohort goal (at least 40 % of pairs cross-gender).
result = cfg.match(intake)
print(result)
print(rm.verify(result, rm.Problem(intake.mentors.people, intake.mentees.people,
                                   cfg.programme, org_chart=intake.org_chart)))

# %%
# Each pair comes with its score, the value of every score term, the skills that drive the
# learning value in each direction, and a one-line reason.
best = max(result.pairs, key=lambda p: p.score)
print(best.mentor, "→", best.mentee, f"score {best.score:.3f}")
print(best.terms)
print(best.reason)

# %%
# The same as a table (``to_frame`` needs pandas: ``pip install "rm-match[pandas]"``).
pairs = result.to_frame()
pairs[["mentor", "mentee", "score", "reason"]].head(8)

# %%
# Who was left out, and why
# -------------------------
# Every unmatched participant has a reason: a senior whom no junior may mentor under the
# rules, or a junior whose possible partners all went to others.
for mentee, reason in result.unmatched_mentees.items():
    print(mentee, "—", reason)

# %%
# The cohort goal, required against achieved:
for check in result.goals:
    print(check.goal, check.required, check.achieved, "met" if check.met else "NOT met")

# %%
# What the rules allow
# --------------------
# The report aggregates and never shows a person's values. ``rule_pass_share`` is the share
# of all mentor–mentee pairs each rule allows; ``feasible_share`` the share all rules allow
# together.
report = result.report
names = list(report.rule_pass_share)
fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
ax.barh(names, [report.rule_pass_share[n] for n in names], color="tab:blue")
ax.axvline(report.feasible_share, color="tab:red", linestyle="--")
ax.set_title(f"all rules together (dashed): {report.feasible_share:.0%} of the pairs")
ax.set_xlim(0, 1)
ax.set_xlabel("share of mentor–mentee pairs each rule allows")
ax.invert_yaxis()
plt.show()
