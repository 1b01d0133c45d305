"""Exceptions raised by rm_match.

The hierarchy::

    RmMatchError                  base of every error the library raises on purpose
    ├── ValidationError           bad input (also a ``ValueError``): names the argument,
    │   │                         participant and field at fault (and, for a table, the
    │   │                         file, row and column)
    │   └── TableError            every problem of a table read with ``errors="collect"``,
    │                             one ``ValidationError`` each, in ``problems``
    ├── InfeasibleError           the rules (and goals) admit no valid programme: names the
    │                             conflicting rules (and, in ``groups``, the groups at fault)
    └── SolverError               a backend failed or cannot solve the problem as asked
        └── MemoryBudgetError     the plan would need more memory than the budget allows:
                                  names the estimate, the budget and the methods that fit

Messages, like logs and reprs, carry participant ids and counts but never attribute values
(gender, age, ...) nor group labels (a department's name is a value too): participant data is
personal. Where an error is about a group, its text names the group by a neutral handle
(``"mentee department group #3 (6 mentees)"``) and the exception carries the structured details
(:class:`GroupConflict`, label included) for the caller to inspect in-process.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "DataWarning",
    "GroupConflict",
    "InfeasibleError",
    "MemoryBudgetError",
    "RmMatchError",
    "SolverError",
    "TableError",
    "ValidationError",
]


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
    file : str or None
        The file the bad value was read from (tables read by :mod:`rm_match.io`).
    row : int or None
        Its row as a spreadsheet shows it: the header is row 1, the first person row 2.
    column : str or None
        The table column it was read from.
    """

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        participant: Hashable | None = None,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.argument = argument
        self.participant = participant
        self.file = file
        self.row = row
        self.column = column


class TableError(ValidationError):
    """Every problem found in the input tables, reported at once (``errors="collect"``).

    The message lists each problem on a line of its own (file, row, column, participant
    id and what is wrong: never the cell's value), so a programme manager can fix the file
    in one pass.

    Attributes
    ----------
    problems : tuple of ValidationError
        One error per problem, each with its ``file``, ``row``, ``column`` and
        ``participant``.
    """

    def __init__(self, problems: Sequence[ValidationError], *, summary: str = "") -> None:
        self.problems = tuple(problems)
        head = summary or f"{len(self.problems)} problem(s) in the input tables:"
        lines = [head, *(f"  - {p}" for p in self.problems)]
        first = self.problems[0] if self.problems else None
        super().__init__(
            "\n".join(lines),
            argument=first.argument if first else None,
            participant=first.participant if first else None,
            file=first.file if first else None,
            row=first.row if first else None,
            column=first.column if first else None,
        )


class DataWarning(UserWarning):
    """Something in the input data was accepted but may not mean what its author intended
    (two labels that differ only by case or spaces, merged into one; a cell left blank).

    Like error messages, the text names files, rows, columns and counts, never values.
    """


@dataclass(frozen=True)
class GroupConflict:
    """A group a goal cannot be met for: the structured account behind the neutral handle an
    error message gives it (``"mentee department group #3 (6 mentees)"``).

    The group's ``label`` (e.g. the department's name) is for the caller, who holds the data
    anyway; it is never part of any text rm_match writes, this object's repr included.

    Attributes
    ----------
    goal : str
        The goal's name (``"coverage_department"``).
    attribute : str or None
        The attribute the groups are of (``"department"``); ``None`` for group codes given as
        arrays (:func:`rm_match.assign`).
    side : str
        ``"mentor"`` or ``"mentee"``: the side the group is on.
    code : int
        The group's code: the ``#3`` of the message.
    label : hashable
        The group's value (e.g. the department's name); the code itself for group codes given
        as arrays. Kept out of the repr.
    size : int
        Participants of the group on its side.
    have, need : int
        What the group can reach and what the goal asks of it (for
        :class:`~rm_match.goals.Coverage`: distinct mentor groups it has feasible pairs with,
        and the ``k`` it must meet).

    Examples
    --------
    >>> GroupConflict("coverage_department", "department", "mentee", 3, "Legal", 6, 5, 6)
    GroupConflict(goal='coverage_department', attribute='department', side='mentee', code=3, \
size=6, have=5, need=6)
    """

    goal: str
    attribute: str | None
    side: str
    code: int
    label: Hashable = field(repr=False)
    size: int
    have: int
    need: int


class InfeasibleError(RmMatchError):
    """No programme satisfies the hard rules (and goals).

    Attributes
    ----------
    rules : tuple of str
        Names of a conflicting set of rules.
    participants : tuple
        Ids of the participants the conflict is about, where it is about some.
    groups : tuple of GroupConflict
        The groups the conflict is about, where it is about some (e.g. a mentee department
        that has feasible pairs with too few mentor departments for a
        :class:`~rm_match.goals.Coverage` goal). The message names each by a neutral handle
        (its attribute, code and size), never by its label; the label is here.
    """

    def __init__(
        self,
        message: str,
        *,
        rules: Sequence[str] = (),
        participants: Sequence[Hashable] = (),
        groups: Sequence[GroupConflict] = (),
    ) -> None:
        super().__init__(message)
        self.rules = tuple(rules)
        self.participants = tuple(participants)
        self.groups = tuple(groups)


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


class MemoryBudgetError(SolverError):
    """The solve would need more memory than its budget: raised before anything large is
    allocated (see :func:`rm_match.solvers.registry.estimate`).

    Attributes
    ----------
    method : str or None
        The backend asked for (``None`` when ``method="auto"`` found none that fits).
    estimate : float
        Bytes the plan is estimated to need at its peak.
    budget : float
        Bytes allowed (``memory_limit``, or a share of the memory available).
    fits : tuple of str
        Methods that can solve the problem within the budget (empty if none can).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        estimate: float,
        budget: float,
        fits: Sequence[str] = (),
    ) -> None:
        super().__init__(message, method=method)
        self.estimate = float(estimate)
        self.budget = float(budget)
        self.fits = tuple(fits)
