"""Both sides of a programme together: cross-table validation and shared encodings.

A :class:`Cohort` checks what no single :class:`~rm_match.People` table can: the two sides share
one skill space, no id is on both sides, every manager id refers to somebody (a mentor, a mentee,
or a person in the optional ``org_chart``) and the org chart has no cycle. It then encodes the
categorical columns of both sides on common integer codes and indicator matrices, so that rules
and score terms are array operations.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar, cast

import numpy as np

from .errors import ValidationError
from .people import People
from .preferences import BoundPreferences, Preferences

__all__ = ["Cohort"]

_T = TypeVar("_T")


def _codes(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Common integer codes for two object columns (``None`` becomes -1) and the label of
    each code."""
    vocab: dict[Hashable, int] = {}
    out = []
    for col in (left, right):
        codes = np.empty(len(col), dtype=np.int64)
        for i, v in enumerate(col):
            codes[i] = -1 if v is None else vocab.setdefault(v, len(vocab))
        out.append(codes)
    return out[0], out[1], list(vocab)


def _indicators(
    left: Sequence[frozenset[str]], right: Sequence[frozenset[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Indicator matrices (n × vocabulary) of two columns of label sets, on one vocabulary
    (the labels in sorted order)."""
    columns = []
    labels: list[str] = []
    for sets in (left, right):
        sizes = np.fromiter((len(s) for s in sets), np.int64, len(sets))
        columns.append((len(sets), sizes, len(labels)))
        labels.extend(label for s in sets for label in s)
    vocab = {label: j for j, label in enumerate(sorted(set(labels)))}
    codes = np.fromiter((vocab[label] for label in labels), np.int64, len(labels))
    out = []
    for n, sizes, first in columns:
        mat = np.zeros((n, max(len(vocab), 1)), dtype=np.float32)
        mat[np.repeat(np.arange(n), sizes), codes[first : first + int(sizes.sum())]] = 1.0
        out.append(mat)
    return out[0], out[1]


class Cohort:
    """Mentors and mentees validated together, with encodings shared by rules and scores.

    Parameters
    ----------
    mentors, mentees : People
        The two sides; they must share one skill space and have disjoint ids.
    org_chart : mapping of id to id or None, optional
        Managers of people outside the programme (e.g. executives who are neither mentor nor
        mentee), so that reporting lines can be followed through them.
    preferences : Preferences, optional
        Participants' rankings, ratings and vetoes of candidates (:mod:`rm_match.preferences`),
        bound to the two tables as :attr:`preferences`.

    Raises
    ------
    ValidationError
        If the skill spaces differ, an id is on both sides, a manager id refers to nobody, or
        the org chart has a cycle.
    """

    def __init__(
        self,
        mentors: People,
        mentees: People,
        org_chart: Mapping[Hashable, Hashable | None] | None = None,
        preferences: Preferences | None = None,
    ) -> None:
        for name, side in (("mentors", mentors), ("mentees", mentees)):
            if not isinstance(side, People):
                raise ValidationError(
                    f"`{name}` must be a People table; got {type(side).__name__}.",
                    argument=name,
                )
        if mentors.skills != mentees.skills:
            raise ValidationError(
                "mentors and mentees must share one skill space (same names, same order); "
                f"mentors have {list(mentors.skills)}, mentees {list(mentees.skills)}.",
                argument="skills",
            )
        for pid in mentors.ids:
            if pid in mentees:
                raise ValidationError(
                    f"id {pid!r} appears among both mentors and mentees.",
                    argument="ids",
                    participant=pid,
                )
        self.mentors = mentors
        self.mentees = mentees
        if org_chart is not None and not isinstance(org_chart, Mapping):
            raise ValidationError(
                "`org_chart` must be a mapping of id to manager id (or None); "
                f"got {type(org_chart).__name__}.",
                argument="org_chart",
            )
        self.org_chart = dict(org_chart or {})
        self._parent = self._build_org_chart()
        self._ancestor_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._memo: dict[object, object] = {}
        if preferences is not None and not isinstance(preferences, Preferences):
            raise ValidationError(
                "`preferences` must be a Preferences (see rm_match.Preferences.from_records); "
                f"got {type(preferences).__name__}.",
                argument="preferences",
            )
        #: The participants' answers as arrays over the cohort, or ``None``.
        self.preferences: BoundPreferences | None = (
            None if preferences is None else preferences.bind(mentors, mentees)
        )

    @property
    def shape(self) -> tuple[int, int]:
        """(n_mentors, n_mentees)."""
        return self.mentors.n, self.mentees.n

    # -- org chart ---------------------------------------------------------------------------

    def _build_org_chart(self) -> np.ndarray | None:
        """Parent-pointer array over mentors, mentees and outsiders (-1: no manager)."""
        m, e = self.mentors, self.mentees
        if m.manager is None and e.manager is None and not self.org_chart:
            return None
        nodes: dict[Hashable, int] = {}
        for pid in (*m.ids, *e.ids):
            nodes[pid] = len(nodes)
        for pid in self.org_chart:
            if pid in nodes:
                raise ValidationError(
                    f"`org_chart` entry {pid!r} is a programme participant; give the managers "
                    "of participants in their `manager` column.",
                    argument="org_chart",
                    participant=pid,
                )
            nodes[pid] = len(nodes)
        parent = np.full(len(nodes), -1, dtype=np.int64)
        managers = [
            *(m.manager if m.manager is not None else [None] * m.n),
            *(e.manager if e.manager is not None else [None] * e.n),
            *self.org_chart.values(),
        ]
        children = [*m.ids, *e.ids, *self.org_chart]
        for i, (pid, boss) in enumerate(zip(children, managers, strict=True)):
            if boss is None:
                continue
            try:
                j = nodes.get(boss)
            except TypeError:  # an unhashable value in `org_chart`
                j = None
            if j is None:
                raise ValidationError(
                    f"participant {pid!r}: `manager` {boss!r} refers to nobody (not a mentor, "
                    "a mentee, nor in `org_chart`); tables read by rm_match.io carry their "
                    "managers outside the programme in `intake.org_chart`: pass "
                    "`org_chart=intake.org_chart`.",
                    argument="manager",
                    participant=pid,
                )
            if j == i:
                raise ValidationError(
                    f"participant {pid!r}: `manager` refers to the participant itself.",
                    argument="manager",
                    participant=pid,
                )
            parent[i] = j
        # Cycle check by pointer doubling: after 2^k >= n jumps every chain must have left the
        # tree through a root (-1); whatever still points somewhere lies on or below a cycle.
        jump = parent.copy()
        for _ in range(max(1, int(np.ceil(np.log2(len(parent) + 1))) + 1)):
            alive = jump >= 0
            jump[alive] = jump[jump[alive]]
        if (jump >= 0).any():
            start = int(np.flatnonzero(jump >= 0)[0])
            import networkx as nx  # only to name a cycle: not at import time

            g = nx.DiGraph()
            g.add_edges_from((i, int(p)) for i, p in enumerate(parent) if p >= 0)
            cycle = [children[u] for u, _ in nx.find_cycle(g, source=start)]
            raise ValidationError(
                f"the org chart has a reporting cycle through {cycle!r}.",
                argument="manager",
                participant=cycle[0],
            )
        return parent

    @cached_property
    def org_height(self) -> int:
        """The most reporting levels above anyone (0 without an org chart): no reporting line
        is longer, so a rule's ``depth`` beyond it changes nothing."""
        if self._parent is None:
            return 0
        cur, height = np.arange(len(self._parent)), 0
        while True:
            cur = self._parent[cur]
            cur = cur[cur >= 0]
            if not len(cur):
                return height
            height += 1

    def ancestors(self, depth: int) -> tuple[np.ndarray, np.ndarray]:
        """Managers up to ``depth`` levels above each participant, on the other side.

        Returns
        -------
        mentor_up : ndarray of int, shape (n_mentors, depth)
            ``mentor_up[i, k]`` is the mentee index of mentor i's manager k+1 levels up, or -1
            when that manager is not a mentee (or does not exist).
        mentee_up : ndarray of int, shape (n_mentees, depth)
            The same for mentees, with mentor indices.
        """
        if depth in self._ancestor_cache:
            return self._ancestor_cache[depth]
        n_m, n_e = self.shape
        mentor_up = np.full((n_m, depth), -1, dtype=np.int64)
        mentee_up = np.full((n_e, depth), -1, dtype=np.int64)
        if self._parent is not None:
            cur = np.arange(n_m + n_e)
            for k in range(depth):
                alive = cur >= 0
                cur[alive] = self._parent[cur[alive]]
                up_m = cur[:n_m]
                hit = (up_m >= n_m) & (up_m < n_m + n_e)
                mentor_up[hit, k] = up_m[hit] - n_m
                up_e = cur[n_m:]
                hit = (up_e >= 0) & (up_e < n_m)
                mentee_up[hit, k] = up_e[hit]
        self._ancestor_cache[depth] = (mentor_up, mentee_up)
        return mentor_up, mentee_up

    # -- encodings ---------------------------------------------------------------------------

    @cached_property
    def departments(self) -> tuple[np.ndarray, np.ndarray]:
        """Department codes (mentors, mentees) on one vocabulary."""
        return self.attribute_groups("department")[:2]

    @cached_property
    def languages(self) -> tuple[np.ndarray, np.ndarray]:
        """Language indicator matrices (mentors, mentees) on one vocabulary."""
        l_m, l_e = self.mentors.languages, self.mentees.languages
        assert l_m is not None and l_e is not None  # required by the rule or term asking
        return _indicators(l_m, l_e)

    @cached_property
    def interests(self) -> tuple[np.ndarray, np.ndarray]:
        """Interest indicator matrices (mentors, mentees) on one vocabulary."""
        i_m, i_e = self.mentors.interests, self.mentees.interests
        assert i_m is not None and i_e is not None  # required by the term asking
        return _indicators(i_m, i_e)

    def attribute_codes(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Codes of a categorical attribute (or ``department``) on both sides; -1 = unknown."""
        return self.attribute_groups(name)[:2]

    def attribute_groups(self, name: str) -> tuple[np.ndarray, np.ndarray, list[Any]]:
        """:meth:`attribute_codes` and the label of each code."""
        cache: dict[str, tuple[np.ndarray, np.ndarray, list[Any]]]
        cache = self.__dict__.setdefault("_attr_cache", {})
        if name not in cache:
            cols: tuple[np.ndarray | None, np.ndarray | None]
            if name == "department":
                cols = (self.mentors.department, self.mentees.department)
            else:
                cols = (self.mentors.attributes[name], self.mentees.attributes[name])
            left, right = cols
            assert left is not None and right is not None  # required by the caller
            cache[name] = _codes(left, right)
        return cache[name]

    def require(self, field: str, user: str, fix: str = "") -> None:
        """Raise a :class:`ValidationError` unless both sides have ``field``; ``fix`` says
        what else the caller may do (``"or give the term weight 0"``). The field
        ``"preferences"`` asks for the participants' answers (``preferences=``)."""
        if field == "preferences":
            if self.preferences is None:
                raise ValidationError(
                    f"{user} needs the participants' preferences, but none were given (pass "
                    f"`preferences=`{', ' + fix if fix else ''}).",
                    argument="preferences",
                )
            return
        for side_name, side in (("mentors", self.mentors), ("mentees", self.mentees)):
            if not side.has(field):
                hint = f" (give both tables the column{', ' + fix if fix else ''})"
                raise ValidationError(
                    f"{user} needs `{field}` on both sides, but the {side_name} table has "
                    f"none{hint}.",
                    argument=field,
                )

    def memo(self, key: object, compute: Callable[[], _T]) -> _T:
        """``compute()`` once per cohort and key (for per-rule preprocessing)."""
        if key not in self._memo:
            self._memo[key] = compute()
        # a key is computed by one function, so its value has that function's type
        return cast(_T, self._memo[key])

    def __repr__(self) -> str:
        return f"Cohort(n_mentors={self.mentors.n}, n_mentees={self.mentees.n})"
