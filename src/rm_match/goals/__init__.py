"""Cohort-level goals: quotas, coverage, spread, representation and fairness.

A goal is a small frozen object, listed in a :class:`~rm_match.Programme` (``goals=``) or passed
to :func:`rm_match.assign` (``goals=``). Each compiles to integer linear rows over the pair
variables (and, for coverage and representation, indicator variables ``y = OR(pairs)``), so
every solver reads the same model; each also checks itself on a finished set of pairs, without
the rows, which is what :func:`rm_match.verify` and the per-goal report use.

Groups and predicates are named by attribute (``"gender"``, ``"generation"``, ``"department"``)
in :func:`rm_match.match`; at the array level (:func:`rm_match.assign`) they are given as arrays
instead: ``groups=(mentor_codes, mentee_codes)`` (ints, -1 = unknown) or ``pairs=`` a boolean
(n_mentors, n_mentees) mask. Required (fixed) pairs count towards every goal.

A missing value (``None``; code -1) puts a person in no group: a pair with a missing value is
neither "cross" nor "same" for :class:`Share` and :class:`Count` (it still counts among all
pairs), and such people are in no group that :class:`Coverage`, :class:`Spread` or
:class:`Representation` bounds.

No text a goal writes — its name, :class:`GoalCheck`, an infeasibility message, its repr —
holds a group's label: groups are named by attribute, code and size
(``"mentee department group #3 (6 mentees)"``), and a figure over fewer than 5 pairs is
suppressed (see :class:`GoalCheck`).

=========================  ======================================================================
goal                       holds when
=========================  ======================================================================
:class:`Share`             pairs with the property are ≥ / ≤ a fraction of all pairs
:class:`Count`             pairs (with the property) number ≥ / ≤ a count
:class:`Coverage`          each mentee group meets mentors from ≥ k distinct (other) groups
:class:`Spread`            no two groups share more than q pairs (or a share of the pairs)
:class:`Representation`    each group's share of the *chosen* mentors (or mentees) is at least its
                           share of the applicants (or a floor), rounded down
:class:`EveryoneMatched`   every mentee (or mentor) with capacity gets a partner
:class:`MinPairScore`      objective: total score + ``weight`` × the lowest pair score
=========================  ======================================================================

Examples
--------
>>> from rm_match import Programme, goals, match, rules, synthetic
>>> mentors, mentees = synthetic.cohort(40, 40, rng=3)
>>> prog = Programme(rules=[rules.CrossDepartment()],
...                  goals=[goals.Share(cross="gender", at_least=0.5),
...                         goals.Spread("department", at_most=4)])
>>> m = match(mentors, mentees, prog, rng=0)
>>> [(g.goal, g.met) for g in m.goals]
[('share_cross_gender', True), ('spread_department', True)]
"""

from __future__ import annotations

from .base import Goal, GoalCheck, GoalContext, check_goals, compile_goals, goal_conflicts
from .coverage import Coverage, EveryoneMatched, Representation
from .fairness import MinPairScore
from .shares import Count, Share, Spread

__all__ = [
    "Count",
    "Coverage",
    "EveryoneMatched",
    "Goal",
    "GoalCheck",
    "GoalContext",
    "MinPairScore",
    "Representation",
    "Share",
    "Spread",
    "check_goals",
    "compile_goals",
    "goal_conflicts",
]
