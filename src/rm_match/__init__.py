"""rm_match: optimal, explained pairing for reverse-mentoring programmes.

Two entry points:

- :func:`assign` — the array layer: a score matrix, a feasibility mask and capacities in, the
  best pairs out, with objective, bound, gap and status.
- :func:`match` — the domain layer: two :class:`People` tables and a :class:`Programme` in, an
  explained :class:`Matching` out.

HR exports and programme files are read, and matchings written, by :mod:`rm_match.io`; a
programme over time (rotation rounds, rematch after changes) is :func:`rotate` and
:func:`rematch`, its state :class:`ProgrammeState`. Participants' own rankings, ratings and
vetoes are :class:`Preferences`; :func:`stable_match` finds a stable matching under both
sides' preferences and :func:`blocking_pairs` checks any matching's stability. Check-in
:class:`Feedback` refits the term weights (:func:`learn_weights`), and pre/post
self-assessments measure what the programme taught (:func:`evaluate_programme`).

Examples
--------
>>> import rm_match as rm
>>> mentors, mentees = rm.synthetic.cohort(40, 40, rng=0)
>>> prog = rm.Programme(rules=[rm.rules.CrossDepartment(), rm.rules.NoReportingLine()])
>>> result = rm.match(mentors, mentees, prog)
>>> result.status, rm.verify(result, rm.Problem(mentors, mentees, prog))
('optimal', [])
"""

from . import goals, io, rules, synthetic
from .api import assign, match
from .cohort import Cohort
from .errors import (
    DataWarning,
    GroupConflict,
    InfeasibleError,
    MemoryBudgetError,
    RmMatchError,
    SolverError,
    TableError,
    ValidationError,
)
from .learn import Evaluation, Feedback, LearnedWeights, evaluate_programme, learn_weights
from .people import People
from .preferences import Preferences
from .problem import Problem, ProblemArrays
from .programme import DEFAULT_WEIGHTS, Programme
from .results import Assignment, Matching, PairExplanation, Report, Stability
from .rounds import Rematch, Rotation, Round, rematch, rotate
from .solvers import BACKENDS
from .stability import BlockingPair, blocking_pairs, stable_match
from .state import ProgrammeState
from .verify import Violation, verify, verify_rounds

__version__ = "0.1.0"

__all__ = [
    "BACKENDS",
    "DEFAULT_WEIGHTS",
    "Assignment",
    "BlockingPair",
    "Cohort",
    "DataWarning",
    "Evaluation",
    "Feedback",
    "GroupConflict",
    "InfeasibleError",
    "LearnedWeights",
    "Matching",
    "MemoryBudgetError",
    "PairExplanation",
    "People",
    "Preferences",
    "Problem",
    "ProblemArrays",
    "Programme",
    "ProgrammeState",
    "Rematch",
    "Report",
    "RmMatchError",
    "Rotation",
    "Round",
    "SolverError",
    "Stability",
    "TableError",
    "ValidationError",
    "Violation",
    "__version__",
    "assign",
    "blocking_pairs",
    "evaluate_programme",
    "goals",
    "io",
    "learn_weights",
    "match",
    "rematch",
    "rotate",
    "rules",
    "stable_match",
    "synthetic",
    "verify",
    "verify_rounds",
]
