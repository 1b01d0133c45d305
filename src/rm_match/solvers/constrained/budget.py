"""What a goal solve may spend: deterministic *work units*, with the wall clock as a safety
stop.

A time limit used to be wall-clock seconds everywhere: how far each stage got (LP rounds,
the simplex, HiGHS, the neighbourhood search) depended on the machine's load, so the same
input and seed gave different answers (issue 17: 584 pairs apart at n = 1 200). Each stage
now spends *work*, counted by a cost model of what it does (simplex iterations, nodes of
HiGHS times the size of its model, one exact assignment per cell of the matrix, columns
added to the LP, CP-SAT's own deterministic time), never by reading the clock. The budget of
a solve is a function of the time limit and the model's size only (:func:`work_for`), so a
run that finishes within the wall-clock limit gives the same answer on any machine and under
any load.

The wall clock remains as a safety stop: each backend's own time limit is capped at what is
left before the deadline, and a stage that would start past it is skipped. A run the clock
stopped is marked (:attr:`Budget.clock_stopped`): its answer is the best found and its bound
is honest, but a rerun may differ; the solve's message says so.

One unit is about one second of one core of the machine the constants were measured on (two
noisy cores; see :data:`RATE`). On a faster machine a run ends early with the same answer; on
a much slower one the clock stops it first.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

#: Share of the time limit turned into work: the rest covers what the cost model misses
#: (a loaded machine, the steps outside the solver after it returns).
RATE = 0.8
#: Work that the steps before the solver are taken to cost (the score matrix, the rules,
#: the goal rows, loading the solvers on a first call): a constant, per mentor × mentee cell
#: and per candidate pair: part of the limit.
PRE_FIXED = 0.5
PRE_CELL = 2.5e-7
PRE_EDGE = 1.5e-7
#: The least work a solve gets, as a share of the time limit (when the estimate of the steps
#: before it leaves less).
MIN_SHARE = 0.1

#: The cost model (units per item). Preparing the model (row matrices, indicator links, the
#: first core): per candidate pair.
EDGE = 2.5e-7
#: One array pass over every candidate pair (reduced costs, pricing, fixing).
SCAN = 4.0e-8
#: Adding one column to the LP master (GLOP, through its Python API).
COLUMN = 3.0e-5
#: One simplex iteration of GLOP, per row + column of the master (and :data:`CALL` per
#: solve).
PIVOT = 1.2e-8
#: One step of the Lagrangian dual's cutting-plane master (a small LP).
KELLEY = 3.0e-3
#: One exact assignment over every pair, per mentor × mentee cell (dense) ...
CELL = 3.0e-7
#: ... plus this much per call, whatever the size (setting up, Python) ...
CALL = 1.0e-3
#: ... and per candidate pair on the sparse path (models above 4 M pairs) ...
SPARSE_EDGE = 5.0e-7
#: ... or, started from the potentials of a nearby solve (the one-row dual's later
#: evaluations: 1.1e-7 measured at n = 1 000, 1.0-1.7e-7 at n = 5 000).
SPARSE_WARM_EDGE = 1.2e-7
#: HiGHS's costs are in :mod:`.highs` (``ROOT``, ``NODE``).


def work_for(time_limit: float, n_m: int, n_e: int, n_edges: int) -> float:
    """The work a goal solve gets under ``time_limit`` seconds (counted from the caller's
    start, so the scores and rules built before it are inside): :data:`RATE` of the limit,
    less what the steps before the solver are taken to cost for a model of this size; at
    least :data:`MIN_SHARE` of the limit. A function of its arguments only."""
    pre = PRE_FIXED + PRE_CELL * float(n_m) * float(n_e) + PRE_EDGE * float(n_edges)
    return max(RATE * float(time_limit) - pre, MIN_SHARE * float(time_limit))


class Budget:
    """Work units to spend (:meth:`charge`) and a wall-clock deadline (a safety stop).

    :meth:`part` gives a stage a share of what is left; what the stage spends is charged
    here too. :meth:`expired` and :meth:`wall` read the clock; when the clock (rather than
    the work) ends a stage, :attr:`clock_stopped` is set on the whole tree of budgets.

    Examples
    --------
    >>> import time
    >>> b = Budget(10.0, time.perf_counter() + 60)
    >>> lp = b.part(0.75)
    >>> lp.charge(3.0)
    >>> round(lp.left(), 6), round(b.left(), 6), b.exhausted(), b.clock_stopped
    (4.5, 7.0, False, False)
    """

    def __init__(self, work: float, deadline: float, parent: Budget | None = None) -> None:
        self.work = float(work)
        self.spent = 0.0
        self.deadline = float(deadline)
        self.parent = parent
        self._clock = False
        self.timings: dict[str, float] = {} if parent is None else parent.timings

    @classmethod
    def of(cls, limit: Budget | float, work: float | None = None) -> Budget:
        """``limit`` itself, or a budget until the wall-clock deadline ``limit``
        (``time.perf_counter()``) with ``work`` units (unbounded if ``None``)."""
        if isinstance(limit, Budget):
            return limit
        return cls(float("inf") if work is None else work, limit)

    @classmethod
    def seconds(cls, time_limit: float, work: float | None = None) -> Budget:
        """A budget of ``time_limit`` wall seconds from now and ``work`` units (default: as
        many as seconds: a caller with no model-size estimate)."""
        limit = max(float(time_limit), 0.0)
        return cls(limit if work is None else work, time.perf_counter() + limit)

    # -- work -------------------------------------------------------------------------------

    def left(self) -> float:
        """Work units left (may be negative once overspent)."""
        return self.work - self.spent

    def exhausted(self) -> bool:
        """No work left (deterministic: reads no clock)."""
        return self.left() <= 0.0

    def charge(self, units: float) -> None:
        """Spend ``units`` here and in every budget above."""
        b: Budget | None = self
        while b is not None:
            b.spent += float(units)
            b = b.parent

    def part(self, share: float, *, at_most: float | None = None) -> Budget:
        """A child budget with ``share`` of the work left here (at most ``at_most``), the
        same deadline; its spending is charged here too."""
        work = max(self.left(), 0.0) * float(share)
        if at_most is not None:
            work = min(work, float(at_most))
        return Budget(work, self.deadline, self)

    # -- the wall clock (a safety stop) -----------------------------------------------------

    def wall(self) -> float:
        """Wall-clock seconds left before the deadline (may be negative)."""
        return self.deadline - time.perf_counter()

    def expired(self) -> bool:
        """Past the deadline; marks the run as stopped by the clock if so."""
        if self.wall() > 0.0:
            return False
        self.stop_by_clock()
        return True

    def over(self) -> bool:
        """Out of work, or past the deadline (which marks the run)."""
        return self.exhausted() or self.expired()

    def fits(self, units: float) -> bool:
        """Whether a step that cannot be stopped once started, costing ``units``, still fits
        before the deadline (reading the clock: when it does not, the run is marked)."""
        if units <= self.wall():
            return True
        self.stop_by_clock()
        return False

    def stop_by_clock(self) -> None:
        """Mark the run (every budget up to the root) as cut by the wall clock."""
        b: Budget | None = self
        while b is not None:
            b._clock = True
            b = b.parent

    @property
    def clock_stopped(self) -> bool:
        """Whether the wall clock, not the work, ended some stage (a rerun may differ)."""
        return self._clock

    def backend_limit(self, units: float | None = None) -> float:
        """A backend's own wall-clock limit: what is left before the deadline (at least
        10 ms), and with ``units`` at most a generous multiple of their cost model (a
        backend far over its model's estimate is cut, and marks the run)."""
        left = max(self.wall(), 0.01)
        if units is not None:
            left = min(left, max(_BACKSTOP * float(units), 1.0))
        return left

    def timed(self, backend_seconds: float, limit: float) -> bool:
        """Whether a backend that ran ``backend_seconds`` under the wall-clock ``limit`` was
        stopped by it; marks the run if so."""
        if backend_seconds >= _TIMED_OUT * limit:
            self.stop_by_clock()
            return True
        return False

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Record the wall time of a stage in :attr:`timings` (summed over repeats)."""
        t = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t


#: A backend's wall-clock limit is at most this many times its cost model's estimate (no
#: less than 1 s): a safety stop against a cost model far off, not a limit meant to bind.
_BACKSTOP = 20.0
#: A backend that returns after this share of its wall-clock limit was stopped by it.
_TIMED_OUT = 0.97


def timings_text(timings: dict[str, float], *, top: int = 4) -> str:
    """The stages that took the most wall time, e.g. ``"LP 1.20 s, model 0.40 s"``."""
    items = sorted(timings.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{k} {v:.2f} s" for k, v in items if v >= 0.005)
