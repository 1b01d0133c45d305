"""
Stable matchings and their price
================================

Participants have a voice: a survey's top choices, ratings, vetoes. And a pairing they did
not choose can come apart: two people who would both rather be together than with their
assigned partners are a *blocking pair*. :func:`rm_match.stable_match` finds a matching with
none; :func:`rm_match.blocking_pairs` checks any matching; the result says what stability
costs against the optimum. See :doc:`/preferences` for the concepts.
"""

# %%
# A cohort and a survey
# ---------------------
# Each senior ranks three juniors; one junior vetoes a senior. Vetoes are a hard rule
# (``rules.Vetoes``), never a penalty; the answers also score as the ``preference`` term.
import matplotlib.pyplot as plt

import rm_match as rm
from rm_match import Preferences, Programme, rules

mentors, mentees = rm.synthetic.cohort(40, 40, rng=1)
rankings = {e: [mentors.ids[(k * 7 + r) % 40] for r in range(3)]
            for k, e in enumerate(mentees.ids)}
prefs = Preferences.from_rankings(rankings, vetoes={mentors.ids[0]: [mentees.ids[5]]})
print(prefs)

programme = Programme(rules=[rules.Vetoes(), rules.CrossDepartment()],
                      weights={"learning": 1.0, "preference": 0.5})

# %%
# The optimum, and who would walk away from it
# --------------------------------------------
# :func:`rm_match.match` maximises the total score. Its blocking pairs are listed with each
# side's reason, most-wanted first.
optimal = rm.match(mentors, mentees, programme, preferences=prefs)
print(optimal)
blocking = rm.blocking_pairs(optimal, mentors, mentees, programme, preferences=prefs)
print(len(blocking), "blocking pairs, e.g.")
for b in blocking[:3]:
    print(b.mentor, b.mentee, "|", b.mentor_reason, "|", b.mentee_reason)

# %%
# Stable matchings
# ----------------
# Deferred acceptance (Gale–Shapley with capacities) with either side proposing gives that
# side its best stable partners; ``objective="score"`` is the stable matching of highest
# total score, ``"egalitarian"`` of least total rank — both exact, through the rotation
# poset and a minimum cut.
variants = {
    "mentees propose": {},
    "mentors propose": {"proposer": "mentors"},
    "best score": {"objective": "score"},
    "egalitarian": {"objective": "egalitarian"},
}
stable = {name: rm.stable_match(mentors, mentees, programme, preferences=prefs, **kw)
          for name, kw in variants.items()}
for name, s in stable.items():
    st = s.stability
    print(f"{name:16s} objective {s.objective:.3f}  blocking pairs {st.blocking_pairs}  "
          f"price of stability {st.price:.1%}")

# %%
# Each is checked independently: no blocking pair.
print({name: len(rm.blocking_pairs(s, mentors, mentees, programme, preferences=prefs))
       for name, s in stable.items()})

# %%
# The price of stability
# ----------------------
# Here stability costs a few percent of the total score; the optimum has
# ``stability.optimum_blocking_pairs`` blocking pairs. When the price is small, prefer the
# stable matching; when it is large, the optimum's blocking pairs say whom to talk to.
names = ["optimum", *stable]
values = [optimal.objective, *(s.objective for s in stable.values())]
fig, ax = plt.subplots(figsize=(6.4, 3.2), layout="constrained")
bars = ax.bar(names, values, color=["tab:gray"] + ["tab:blue"] * len(stable))
ax.bar_label(bars, labels=[f"{len(blocking)} blocking"] + ["stable"] * len(stable))
ax.set_ylim(min(values) * 0.97, max(values) * 1.01)
ax.set_ylabel("total pair score")
ax.tick_params(axis="x", labelrotation=15)
plt.show()
