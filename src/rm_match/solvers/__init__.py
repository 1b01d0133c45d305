"""The array layer's solvers: they see score matrices, masks, capacities and goal rows, never
people, programmes, rules or goal objects.

- :mod:`.registry`: the backends, each declaring what it solves, in preference order;
  :func:`~.registry.choose` picks one (``method="auto"``) or says why the named one cannot.
- :mod:`.options`: the options every solve path shares, checked in one place.
- :mod:`.solve`: array problems to :class:`~rm_match.Assignment` — independent parts solved
  apart and joined (:mod:`.decompose`), the sparse path over a score source, goal models.
- Backends: :mod:`.lsa`, :mod:`.flow`, :mod:`.sparse` (candidates and pricing, certified
  optimal without the n × n matrix) and :mod:`.constrained` (the goal methods).

The public entry point over arrays is :func:`rm_match.assign`.
"""

from __future__ import annotations

from ._problem import ArrayProblem, capacities_on_both_sides, max_pairs, validate
from .options import DEFAULT_TIME_LIMIT, POLICIES, Options, check_options
from .registry import BACKENDS, SPARSE_MIN_CELLS, Capabilities, Needs, Solution, choose
from .solve import goal_memo, solve, solve_goals, solve_source


def load_fast_kernels() -> bool:
    """Load the ``fast`` extra's compiled kernels now (numba; about a second, once per
    process): a service calls it at its start, so that no request pays for it and every
    certificate and warm re-solve of 10 000 arcs or more and every exact pair scoring uses
    them (otherwise only graphs of a million arcs and sources of 20 000 per side load
    them). Returns whether they are available (numba installed, ``RM_MATCH_FAST`` not
    ``0``); the answers are the same either way (to rounding; among tied optima a warm
    re-solve may return another).

    Examples
    --------
    >>> import rm_match.solvers
    >>> isinstance(rm_match.solvers.load_fast_kernels(), bool)
    True
    """
    from .sparse import _fast

    return _fast.load()


__all__ = [
    "BACKENDS",
    "DEFAULT_TIME_LIMIT",
    "POLICIES",
    "SPARSE_MIN_CELLS",
    "ArrayProblem",
    "Capabilities",
    "Needs",
    "Options",
    "Solution",
    "capacities_on_both_sides",
    "check_options",
    "choose",
    "goal_memo",
    "load_fast_kernels",
    "max_pairs",
    "solve",
    "solve_goals",
    "solve_source",
    "validate",
]
