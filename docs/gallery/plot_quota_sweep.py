"""
A quota sweep: what a cross-gender goal costs
=============================================

A programme wants at least some share of its pairs to be cross-gender. How high can the
quota go before it costs learning value, and how much? :func:`rm_match.sweep` solves
the programme at each quota — the cohort compiled once, each point solved exactly as
:func:`rm_match.match` would solve it — and :class:`rm_match.plot.SweepDisplay` draws any
column of the result against the quota.

Here: 200 juniors and 200 seniors, three hard rules, and a cross-gender share goal from 0 %
to 80 %.
"""

# %%
# The programme and the sweep
# ---------------------------
# ``vary="goal:0.at_least"`` sets the ``at_least`` of the programme's first goal at each
# point. Every point is certified: its ``bound`` and ``gap`` come with it.
import matplotlib.pyplot as plt
import numpy as np

import rm_match as rm
from rm_match.plot import SweepDisplay

mentors, mentees = rm.synthetic.cohort(200, 200, rng=0)
programme = rm.Programme(
    rules=[rm.rules.CrossDepartment(), rm.rules.NoReportingLine(),
           rm.rules.SeniorityDirection(2)],
    goals=[rm.goals.Share(cross="gender", at_least=0.0)],
)
quotas = np.round(np.arange(0.0, 0.81, 0.05), 2).tolist()
result = rm.sweep(mentors, mentees, programme, vary="goal:0.at_least", values=quotas, rng=0)
print(result)

# %%
# One row per quota: the objective, its certificate, the share achieved and how many pairs
# changed against the first point (``to_frame`` needs pandas).
frame = result.to_frame()
frame[["value", "objective", "gap", "status", "goal:share_cross_gender", "changed"]]

# %%
# The objective against the quota
# -------------------------------
# Below the share the unconstrained optimum already has, the goal is free: the same
# pairs at every point. Above it, each step of the quota changes more pairs and costs a
# little more of the total score.
free = max(r["value"] for r in result.rows if r["changed"] == 0)
cost = 1 - result.rows[-1]["objective"] / result.rows[0]["objective"]
print(f"free up to {free:.0%}; at {quotas[-1]:.0%} the total score is {cost:.2%} lower")

display = SweepDisplay.from_sweep(result, y="objective")
display.ax_.axvline(free, color="tab:gray", linestyle=":", label="free up to here")
display.ax_.set_xlabel("at least this share of pairs cross-gender")
display.ax_.set_ylabel("total pair score")
display.ax_.legend()
plt.show()

# %%
# The share achieved follows the quota once it binds, and the pairs changed grow with it.
fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
SweepDisplay.from_sweep(result, y=["goal:share_cross_gender"], ax=ax)
ax.plot(quotas, quotas, color="tab:gray", linestyle="--", label="the quota")
ax.set_xlabel("at least this share of pairs cross-gender")
ax.set_ylabel("cross-gender share achieved")
ax.legend()
plt.show()
