"""Exceptions raised by rm_match.

The hierarchy::

    RmMatchError                  base of every error the library raises on purpose
    ├── ValidationError           bad input (also a ``ValueError``): names the argument,
    │                             participant and field at fault
    ├── InfeasibleError           the rules (and goals) admit no valid programme: names the
    │                             conflicting rules
    └── SolverError               a backend failed or cannot solve the problem as asked

Messages, like logs and reprs, carry participant ids and counts but never attribute values
(gender, age, ...): participant data is personal.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

__all__ = ["InfeasibleError", "RmMatchError", "SolverError", "ValidationError"]


class RmMatchError(Exception):
    """Base class of every exception rm_match raises on purpose."""


class ValidationError(RmMatchError, ValueError):
    """Invalid input: an argument, a participant or a rule is malformed.

    Attributes
    ----------
    argument : str or None
        The argument or field at fault (``"scores"``, ``"offers"``, ``"manager"``, ...).
    participant : hashable or None
        The id of the participant at fault, where there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        participant: Hashable | None = None,
    ) -> None:
        super().__init__(message)
        self.argument = argument
        self.participant = participant


class InfeasibleError(RmMatchError):
    """No programme satisfies the hard rules (and goals).

    Attributes
    ----------
    rules : tuple of str
        Names of a conflicting set of rules.
    participants : tuple
        Ids of the participants the conflict is about, where it is about some.
    """

    def __init__(
        self,
        message: str,
        *,
        rules: Sequence[str] = (),
        participants: Sequence[Hashable] = (),
    ) -> None:
        super().__init__(message)
        self.rules = tuple(rules)
        self.participants = tuple(participants)


class SolverError(RmMatchError):
    """A solver backend failed, or the requested method cannot solve the problem.

    Attributes
    ----------
    method : str or None
        The backend concerned.
    raw_status : object
        The backend's own status, kept for diagnosis.
    """

    def __init__(
        self, message: str, *, method: str | None = None, raw_status: object = None
    ) -> None:
        super().__init__(message)
        self.method = method
        self.raw_status = raw_status
