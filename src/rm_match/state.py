"""A programme's state over time: the people, the programme and every round's pairs, for the
next round (no pair repeated across the whole programme) and for audit (saved as JSON).

:class:`ProgrammeState` is immutable: :meth:`ProgrammeState.add_round` and
:meth:`ProgrammeState.with_people` return a new state. Its :attr:`~ProgrammeState.history`
(every pair of every round) feeds ``rules.ExcludePrevious`` or the ``history`` of a rotation;
rounds keep pairs of people who have since left (that is what happened).

The JSON holds the participants' data as given (it is the audit trail of a programme), so it
is personal data: store it as such.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ._checks import is_collection
from .errors import ValidationError
from .people import FIELDS, People
from .programme import Programme
from .results import Matching

__all__ = ["ProgrammeState", "RoundRecord", "people_from_dict", "people_to_dict"]

#: The version of the JSON layout :meth:`ProgrammeState.to_dict` writes.
STATE_VERSION = 1


@dataclass(frozen=True)
class RoundRecord:
    """One round of a programme: its label and its (mentor id, mentee id) pairs.

    Attributes
    ----------
    label : str
        E.g. ``"round 1"``, ``"rematch after March check-in"``.
    pairs : tuple of (id, id)
    """

    label: str
    pairs: tuple[tuple[Hashable, Hashable], ...]


def _pairs_of(pairs: object) -> list[tuple[Hashable, Hashable]]:
    """(mentor id, mentee id) pairs of a Matching, an object with ``rounds`` (all its rounds'
    pairs) or an iterable of pairs."""
    id_pairs = getattr(pairs, "id_pairs", None)  # a Matching, or a rotation's Round
    if id_pairs is not None and not callable(id_pairs):
        return list(id_pairs)
    matching = getattr(pairs, "matching", None)  # a rematch result
    if isinstance(matching, Matching):
        return list(matching.id_pairs)
    nested = getattr(pairs, "rounds", None)  # a rotation: every round's pairs
    if nested is not None and is_collection(nested):
        return [p for r in nested for p in _pairs_of(r)]
    if not is_collection(pairs):
        raise ValidationError(
            "`pairs` must be a Matching, a rotation or an iterable of (mentor id, mentee id) "
            f"pairs; got {type(pairs).__name__}.",
            argument="pairs",
        )
    out = []
    for n, item in enumerate(pairs):
        if isinstance(item, (str, bytes)) or not (isinstance(item, Sequence) and len(item) == 2):
            raise ValidationError(
                f"`pairs` entry {n} must be a (mentor id, mentee id) pair.", argument="pairs"
            )
        out.append((item[0], item[1]))
    return out


# -- People as JSON (columnar) -------------------------------------------------------------------


def people_to_dict(people: People) -> dict[str, Any]:
    """A :class:`~rm_match.People` table as JSON-safe columns (``None`` for missing values):
    the constructor's own arguments (``People._kwargs``), as plain lists.

    Examples
    --------
    >>> from rm_match import People
    >>> p = People(["a", "b"], skills=["ai"], offers=[[0.5], [1]], grade=[3, None])
    >>> d = people_to_dict(p)
    >>> d["ids"], d["grade"], people_from_dict(d).known("grade").tolist()
    (['a', 'b'], [3, None], [True, False])
    """
    out: dict[str, Any] = {}
    for name, col in people._kwargs().items():
        if name == "attributes":
            if col:
                out[name] = {k: v.tolist() for k, v in col.items()}
        elif name in ("languages", "interests"):
            if col is not None:
                out[name] = [sorted(labels) for labels in col]
        elif col is not None:
            out[name] = col.tolist() if isinstance(col, np.ndarray) else list(col)
    return out


def people_from_dict(data: Mapping[str, Any]) -> People:
    """The table :func:`people_to_dict` wrote (validated again, like any table)."""
    if not isinstance(data, Mapping) or "ids" not in data:
        raise ValidationError(
            "a people table must be a mapping of columns with `ids`.", argument="people"
        )
    known = {"ids", "skills", "attributes", *FIELDS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValidationError(
            f"unknown column(s) {unknown} in a people table; the columns are {sorted(known)}.",
            argument=unknown[0],
        )
    kwargs = {k: v for k, v in data.items() if k != "ids"}
    return People(data["ids"], **kwargs)


@dataclass(frozen=True)
class ProgrammeState:
    """The people, the programme and every round so far.

    Parameters
    ----------
    mentors, mentees : People
        The current tables (people who left are no longer in them; their pairs stay in
        ``rounds``).
    programme : Programme
    rounds : sequence of RoundRecord, default ()
    org_chart : mapping of id to id or None, optional
        Managers outside the programme (and people who left, to follow lines through them).

    Examples
    --------
    >>> import rm_match as rm
    >>> from rm_match.state import ProgrammeState
    >>> mentors, mentees = rm.synthetic.cohort(6, 6, rng=1)
    >>> state = ProgrammeState(mentors, mentees, rm.Programme())
    >>> first = rm.match(mentors, mentees, state.programme)
    >>> state = state.add_round(first, "round 1")
    >>> again = rm.match(mentors, mentees, state.next_programme())  # no pair repeated
    >>> set(again.id_pairs) & set(first.id_pairs)
    set()
    >>> ProgrammeState.from_json(state.to_json()) == state
    True
    """

    mentors: People
    mentees: People
    programme: Programme = field(default_factory=Programme)
    rounds: tuple[RoundRecord, ...] = ()
    org_chart: Mapping[Hashable, Hashable | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("mentors", "mentees"):
            if not isinstance(getattr(self, name), People):
                raise ValidationError(
                    f"`{name}` must be a People table; got {type(getattr(self, name)).__name__}.",
                    argument=name,
                )
        if not isinstance(self.programme, Programme):
            raise ValidationError(
                f"`programme` must be a Programme; got {type(self.programme).__name__}.",
                argument="programme",
            )
        if not isinstance(self.org_chart, Mapping):
            raise ValidationError("`org_chart` must be a mapping.", argument="org_chart")
        rounds = tuple(self.rounds)
        if not all(isinstance(r, RoundRecord) for r in rounds):
            raise ValidationError("`rounds` must hold RoundRecord objects.", argument="rounds")
        object.__setattr__(self, "rounds", rounds)
        object.__setattr__(self, "org_chart", dict(self.org_chart))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProgrammeState):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable-looking content: no hash

    @property
    def history(self) -> tuple[tuple[Hashable, Hashable], ...]:
        """Every pair of every round, in order (repeats across rounds kept once)."""
        return tuple(dict.fromkeys(p for r in self.rounds for p in r.pairs))

    def add_round(self, pairs: object, label: str | None = None) -> ProgrammeState:
        """A new state with one more round: a :class:`~rm_match.Matching`, a rotation (each
        of its rounds is added), a rematch result or an iterable of (mentor id, mentee id)."""
        nested = getattr(pairs, "rounds", None)
        if nested is not None and is_collection(nested) and not isinstance(pairs, Matching):
            state = self
            for k, r in enumerate(nested):
                name = f"{label or f'round {len(self.rounds) + 1}'} ({k + 1})"
                state = state.add_round(r, name)
            return state
        if label is not None and not isinstance(label, str):
            raise ValidationError("`label` must be a string.", argument="label")
        record = RoundRecord(label or f"round {len(self.rounds) + 1}", tuple(_pairs_of(pairs)))
        return replace(self, rounds=(*self.rounds, record))

    def with_people(
        self,
        mentors: People,
        mentees: People,
        *,
        org_chart: Mapping[Hashable, Hashable | None] | None = None,
    ) -> ProgrammeState:
        """A new state with new tables (after people left or joined); the rounds stay."""
        chart = self.org_chart if org_chart is None else org_chart
        return replace(self, mentors=mentors, mentees=mentees, org_chart=chart)

    def next_programme(self) -> Programme:
        """The programme with every pair so far excluded (``rules.ExcludePrevious``), pairs of
        people who have left dropped from it."""
        from .rules import ExcludePrevious

        seen = [(m, e) for m, e in self.history if m in self.mentors and e in self.mentees]
        if not seen:
            return self.programme
        return replace(self.programme, rules=(*self.programme.rules, ExcludePrevious(seen)))

    # -- JSON ------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: the version, both tables, the programme, the org chart as pairs and every
        round."""
        return {
            "version": STATE_VERSION,
            "mentors": people_to_dict(self.mentors),
            "mentees": people_to_dict(self.mentees),
            "programme": self.programme.to_dict(),
            "org_chart": [[k, v] for k, v in self.org_chart.items()],
            "rounds": [
                {"label": r.label, "pairs": [[m, e] for m, e in r.pairs]} for r in self.rounds
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProgrammeState:
        """The state :meth:`to_dict` wrote; every part validated again."""
        if not isinstance(data, Mapping):
            raise ValidationError("a programme state must be a mapping.", argument="state")
        known = ("version", "mentors", "mentees", "programme", "org_chart", "rounds")
        unknown = sorted(set(map(str, data)) - set(known))
        if unknown:
            raise ValidationError(
                f"unknown key(s) {unknown} in a programme state; the keys are {list(known)}.",
                argument=unknown[0],
            )
        version = data.get("version")
        if version != STATE_VERSION:
            raise ValidationError(
                f"programme state version {version!r} is not {STATE_VERSION}, the one this "
                "rm_match reads.",
                argument="version",
            )
        chart = data.get("org_chart", [])
        if not is_collection(chart) or not all(
            isinstance(x, Sequence) and len(x) == 2 for x in chart
        ):
            raise ValidationError(
                "`org_chart` must be a list of [id, manager id or null] pairs.",
                argument="org_chart",
            )
        rounds = []
        for n, r in enumerate(data.get("rounds", [])):
            if not isinstance(r, Mapping) or set(r) != {"label", "pairs"}:
                raise ValidationError(
                    f"round {n} must have a `label` and `pairs`.", argument="rounds"
                )
            rounds.append(RoundRecord(str(r["label"]), tuple(_pairs_of(r["pairs"]))))
        return cls(
            people_from_dict(data["mentors"]),
            people_from_dict(data["mentees"]),
            Programme.from_dict(data.get("programme", {})),
            tuple(rounds),
            {k: v for k, v in chart},
        )

    def to_json(self) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> ProgrammeState:
        """The state from :meth:`to_json`'s text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"a programme state is not valid JSON: {exc.msg} (line {exc.lineno}).",
                argument="state",
                row=exc.lineno,
            ) from None
        return cls.from_dict(data)

    def save(self, path: str | PathLike[str]) -> Path:
        """Write the state as JSON (UTF-8) to ``path``; returns the path."""
        p = Path(path)
        p.write_text(self.to_json(), encoding="utf-8")
        return p

    @classmethod
    def load(cls, path: str | PathLike[str]) -> ProgrammeState:
        """Read a state :meth:`save` wrote."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValidationError(
                f"cannot read programme state {str(p)!r}: {exc}.", argument="path"
            ) from None
        return cls.from_json(text)
