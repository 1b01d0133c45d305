"""Progress of long calls: one optional mechanism for sweeps, sparse rounds and goal solves.

A long call takes ``progress=``:

- ``None`` or ``False`` (default): nothing is reported;
- ``True``: a ``tqdm`` progress bar on stderr (the ``progress`` extra; without tqdm, one
  plain line per step on stderr);
- a callable ``callback(event)`` receiving a :class:`ProgressEvent` per step — for a
  notebook widget, a web service's job status, or a test.

Progress is never written to the logs (the ``rm_match`` logger carries stage timings and
counts at INFO; see :mod:`rm_match`), and carries counts only, never participant data.

Examples
--------
>>> events = []
>>> with progress_reporter(events.append, "sweep", total=3) as bar:
...     for _ in range(3):
...         bar.update()
>>> [(e.stage, e.done, e.total) for e in events]
[('sweep', 1, 3), ('sweep', 2, 3), ('sweep', 3, 3)]
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from .errors import ValidationError

__all__ = ["ProgressEvent", "ProgressReporter", "check_progress", "progress_reporter"]


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a long call.

    Attributes
    ----------
    stage : str
        What is running (``"sweep"``, ``"pricing"``, ``"goal LP"``, …).
    done : int
        Steps done so far in this stage.
    total : int or None
        Steps expected (``None`` when not known in advance, e.g. pricing rounds).
    message : str
        A short account of the step (counts and values of the solve, never personal data).
    """

    stage: str
    done: int
    total: int | None = None
    message: str = ""


def check_progress(progress: object) -> Callable[[ProgressEvent], None] | bool | None:
    """``progress`` if it is None, a bool or a callable; else a named error."""
    if progress is None or isinstance(progress, bool) or callable(progress):
        return progress
    raise ValidationError(
        "`progress` must be None, True/False or a callable taking a ProgressEvent; got "
        f"{type(progress).__name__}.",
        argument="progress",
    )


class ProgressReporter:
    """Reports the steps of one stage to the caller's choice (see the module docstring);
    use as a context manager, calling :meth:`update` once per step."""

    def __init__(
        self,
        progress: Callable[[ProgressEvent], None] | bool | None,
        stage: str,
        total: int | None = None,
    ) -> None:
        self.stage = stage
        self.total = total
        self.done = 0
        self._callback = progress if callable(progress) else None
        self._bar: Any = None
        self._plain = False
        if progress is True:
            try:
                from tqdm.auto import tqdm  # the optional extra
            except ImportError:
                self._plain = True
            else:
                self._bar = tqdm(total=total, desc=stage, leave=False, file=sys.stderr)

    @property
    def active(self) -> bool:
        """Whether anything is reported (callers may skip building messages otherwise)."""
        return self._callback is not None or self._bar is not None or self._plain

    def update(self, n: int = 1, message: str = "") -> None:
        """``n`` more steps done."""
        self.done += n
        if self._callback is not None:
            self._callback(ProgressEvent(self.stage, self.done, self.total, message))
        elif self._bar is not None:
            self._bar.update(n)
            if message:
                self._bar.set_postfix_str(message, refresh=False)
        elif self._plain:
            of = f"/{self.total}" if self.total is not None else ""
            tail = f": {message}" if message else ""
            print(f"rm_match {self.stage} {self.done}{of}{tail}", file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def progress_reporter(
    progress: object, stage: str, *, total: int | None = None
) -> ProgressReporter:
    """A :class:`ProgressReporter` for ``progress`` (checked: see :func:`check_progress`)."""
    return ProgressReporter(check_progress(progress), stage, total)
