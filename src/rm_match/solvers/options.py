"""The options every solve path shares, checked in one place.

:func:`rm_match.assign` and :func:`rm_match.match` both take ``policy``, ``method``,
``time_limit``, ``rng``, ``workers``, ``gap_limit``, ``executor`` and ``threads``
(:func:`rm_match.match` also ``progress``); :func:`check_options` validates them once, before
any work (and before any task is sent to an executor), and returns an immutable
:class:`Options`.

Examples
--------
>>> from rm_match.solvers.options import check_options
>>> o = check_options(policy="max_score", time_limit=5, rng=1)
>>> o.policy, o.method, o.time_limit, o.workers, o.gap_limit
('max_score', 'auto', 5.0, 1, 0.0)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from .._checks import (
    POLICIES,
    check_gap_limit,
    check_int,
    check_policy,
    check_rng,
    check_time_limit,
    check_workers,
)
from .._progress import ProgressEvent, check_progress
from ..errors import ValidationError
from .registry import check_memory_limit, check_method

__all__ = ["DEFAULT_TIME_LIMIT", "MAX_THREADS", "POLICIES", "Options", "check_options"]

#: Default time limit (seconds) for the methods that need one (goals).
DEFAULT_TIME_LIMIT = 60.0

#: The largest ``threads`` accepted.
MAX_THREADS = 1024


@dataclass(frozen=True)
class Options:
    """Validated solve options (see :func:`rm_match.assign` for their meaning).

    ``start`` is when the caller's clock started (``time.perf_counter()``): a time limit
    counts from there, so building scores and models is inside it. ``progress``: where the
    long stages report their steps (see :mod:`rm_match._progress`); ``threads``: the most
    threads the sparse path's scans (and, with ``threadpoolctl``, BLAS) may use (``None``:
    the defaults).
    """

    policy: str = "max_matched"
    method: str = "auto"
    time_limit: float | None = None
    rng: np.random.Generator | None = None
    workers: int = 1
    gap_limit: float = 0.0
    executor: Executor | None = None
    start: float = 0.0
    memory_limit: float | None = None
    progress: Callable[[ProgressEvent], None] | bool | None = None
    threads: int | None = None

    @property
    def generator(self) -> np.random.Generator:
        """The random generator (a fresh unseeded one if none was given)."""
        return self.rng if self.rng is not None else np.random.default_rng()

    @property
    def limit(self) -> float:
        """The time limit in seconds (:data:`DEFAULT_TIME_LIMIT` when none was given)."""
        return DEFAULT_TIME_LIMIT if self.time_limit is None else self.time_limit

    @property
    def deadline(self) -> float:
        """``start + limit``, on the ``time.perf_counter()`` clock."""
        return self.start + self.limit


def check_executor(executor: object) -> Executor | None:
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise ValidationError(
            "`executor` must be a concurrent.futures.Executor (anything with submit()) or "
            f"None; got {type(executor).__name__}.",
            argument="executor",
        )
    return executor  # type: ignore[return-value]


def check_threads(threads: object) -> int | None:
    """``threads``: None (the defaults) or an integer from 1 to :data:`MAX_THREADS`."""
    if threads is None:
        return None
    return check_int(threads, "threads", low=1, high=MAX_THREADS)


def check_options(
    *,
    policy: object = "max_matched",
    method: object = "auto",
    time_limit: object = None,
    rng: object = None,
    workers: object = 1,
    gap_limit: object = None,
    executor: object = None,
    start: float | None = None,
    memory_limit: object = None,
    progress: object = None,
    threads: object = None,
) -> Options:
    """Every shared option checked once; a :class:`~rm_match.ValidationError` names the
    first one at fault. ``start``: the caller's clock (default: now)."""
    return Options(
        policy=check_policy(policy),
        method=check_method(method),
        time_limit=check_time_limit(time_limit),
        rng=check_rng(rng),
        workers=check_workers(workers),
        gap_limit=check_gap_limit(gap_limit),
        executor=check_executor(executor),
        start=time.perf_counter() if start is None else float(start),
        memory_limit=check_memory_limit(memory_limit),
        progress=check_progress(progress),
        threads=check_threads(threads),
    )
