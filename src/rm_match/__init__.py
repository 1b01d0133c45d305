"""rm_match: optimal, explained pairing for reverse-mentoring programmes.

Two entry points:

- :func:`assign` — the array layer: a score matrix, a feasibility mask and capacities in, the
  best pairs out, with objective, bound, gap and status.
- :func:`match` — the domain layer: two :class:`People` tables and a :class:`Programme` in, an
  explained :class:`Matching` out.

HR exports and programme files are read, and matchings written, by :mod:`rm_match.io`; a
programme over time (rotation rounds, rematch after changes) is :func:`rotate` and
:func:`rematch`, its state :class:`ProgrammeState`.

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
from .people import People
from .problem import Problem, ProblemArrays
from .programme import DEFAULT_WEIGHTS, Programme
from .results import Assignment, Matching, PairExplanation, Report
from .rounds import Rematch, Rotation, Round, rematch, rotate
from .solvers import BACKENDS
from .state import ProgrammeState
from .verify import Violation, verify, verify_rounds

__version__ = "0.1.0"

__all__ = [
    "BACKENDS",
    "DEFAULT_WEIGHTS",
    "Assignment",
    "Cohort",
    "DataWarning",
    "GroupConflict",
    "InfeasibleError",
    "Matching",
    "MemoryBudgetError",
    "PairExplanation",
    "People",
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
    "TableError",
    "ValidationError",
    "Violation",
    "__version__",
    "assign",
    "goals",
    "io",
    "match",
    "rematch",
    "rotate",
    "rules",
    "synthetic",
    "verify",
    "verify_rounds",
]
