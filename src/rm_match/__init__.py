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

Logging: the package logs through ``logging.getLogger("rm_match")`` (each module's logger,
``rm_match.api``, ``rm_match.solvers.sparse.rounds``, …, is a child of it), which has a
``NullHandler`` and nothing else, so nothing is printed unless the application configures
logging. At INFO: one line per stage with counts, sizes, timings and objective values (the
compile, the backend chosen and why, the sparse path's candidates, pricing rounds and
certificate, the goal LP's column-generation rounds, rounding and final status, the
explanations); DEBUG adds finer detail. Never a participant id nor an attribute value.
For example ``logging.basicConfig()`` then
``logging.getLogger("rm_match").setLevel(logging.INFO)``. Progress of the long stages is a
separate, optional mechanism: ``match(..., progress=...)`` (see :mod:`rm_match._progress`).

Examples
--------
>>> import rm_match as rm
>>> mentors, mentees = rm.synthetic.cohort(40, 40, rng=0)
>>> prog = rm.Programme(rules=[rm.rules.CrossDepartment(), rm.rules.NoReportingLine()])
>>> result = rm.match(mentors, mentees, prog)
>>> result.status, rm.verify(result, rm.Problem(mentors, mentees, prog))
('optimal', [])
"""

import logging

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
from .reporting import ProgrammeReport, report
from .results import Assignment, Matching, PairExplanation, Report, Stability
from .rounds import Rematch, Rotation, Round, rematch, rotate
from .solvers import BACKENDS
from .stability import BlockingPair, blocking_pairs, stable_match
from .state import ProgrammeState
from .sweeps import ParetoFront, RulePrices, SweepResult, pareto, price_of_rules, sweep
from .verify import Violation, verify, verify_rounds

__version__ = "0.1.0"

# a library logs, the application decides where to: no output unless logging is configured
logging.getLogger("rm_match").addHandler(logging.NullHandler())

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
    "ParetoFront",
    "People",
    "Preferences",
    "Problem",
    "ProblemArrays",
    "Programme",
    "ProgrammeReport",
    "ProgrammeState",
    "Rematch",
    "Report",
    "RmMatchError",
    "Rotation",
    "Round",
    "RulePrices",
    "SolverError",
    "Stability",
    "SweepResult",
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
    "pareto",
    "price_of_rules",
    "rematch",
    "report",
    "rotate",
    "rules",
    "stable_match",
    "sweep",
    "synthetic",
    "verify",
    "verify_rounds",
]
