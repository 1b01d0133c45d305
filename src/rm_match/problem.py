"""A programme bound to its participants, and its compilation to plain arrays.

:class:`Problem` binds a :class:`~rm_match.Programme` to two :class:`~rm_match.People`
tables: it checks that they fit together, places the required pairs and compiles, blockwise,
a :class:`ProblemArrays` — each score term's matrix kept apart, their weighted sum, the
feasibility mask and the capacities — which is all the solvers ever see.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import cast

import numpy as np

from ._checks import ReadOnlyDict
from .cohort import Cohort
from .errors import InfeasibleError, ValidationError
from .goals import GoalContext
from .people import People
from .preferences import Preferences
from .programme import DEFAULT_WEIGHTS, PREFERENCE_WEIGHT, Programme
from .rules import RequiredPairs
from .solvers.registry import COMPILE_BLOCK_CELLS
from .terms import TERM_FIELDS, TermSpec, combine, pair_terms

__all__ = ["Problem", "ProblemArrays", "Visit"]

#: Called by :meth:`Problem.compile_visiting` with each block's mentor rows (all mentees) and
#: the block's term values.
Visit = Callable[[np.ndarray, Mapping[str, np.ndarray]], None]

#: Pairs per compile block: bounds the term arrays to a few hundred MiB (the registry's
#: memory estimates count one block).
_BLOCK_ELEMENTS = COMPILE_BLOCK_CELLS


def active_weights(programme: Programme, cohort: Cohort) -> dict[str, float]:
    """The positive term weights of ``programme`` that apply to ``cohort`` (validated
    against its data): default terms whose data the cohort lacks are dropped; a term
    weighted explicitly, or the diversity term with attributes named, must have its data."""
    explicit = programme.weights is not None
    weights = dict(programme.weights or {}) if explicit else dict(DEFAULT_WEIGHTS)
    if not explicit:
        weights["preference"] = PREFERENCE_WEIGHT  # kept only where preferences are given
    out = {}
    for name, w in weights.items():
        if w <= 0:
            continue
        needs = list(TERM_FIELDS[name])
        asked = explicit
        if name == "diversity":
            if not programme.diversity_attributes:
                continue
            needs += programme.diversity_attributes
            asked = True  # naming the attributes asks for the term
        if not asked and not all(_has(cohort, f) for f in needs):
            continue
        for f in needs:
            fix = (
                "or leave the attribute out of `diversity_attributes`"
                if f in programme.diversity_attributes
                else "or give the term weight 0 in `weights`"
            )
            cohort.require(f, f"score term {name}", fix)
        out[name] = w
    return out


def _has(cohort: Cohort, name: str) -> bool:
    if name == "preferences":
        return cohort.preferences is not None
    return cohort.mentors.has(name) and cohort.mentees.has(name)


@dataclass(frozen=True)
class ProblemArrays:
    """A compiled programme: plain arrays, all a solver sees.

    Attributes
    ----------
    scores : ndarray of float, shape (n_mentors, n_mentees)
        Pair scores in [0, 1] (higher is better): the weighted mean of ``terms``.
    feasible : ndarray of bool, same shape
        ``True`` where every hard rule allows the pair (and it is not already fixed).
    mentor_capacity, mentee_capacity : ndarray of int
        Capacities left after placing the fixed (required) pairs.
    fixed : ndarray of int, shape (k, 2)
        Required pairs, placed before solving, as (mentor index, mentee index).
    rule_allowed : dict of str to int
        For each rule (by label), how many pairs it allows on its own.
    terms : mapping of str to ndarray
        Each active score term's matrix (values in [0, 1]), kept apart so that
        :meth:`reweight` costs one weighted sum.
    weights : mapping of str to float
        The term weights ``scores`` was combined with.

    Examples
    --------
    >>> from rm_match import Problem, synthetic
    >>> arrays = Problem(*synthetic.cohort(5, 4, rng=0)).compile()
    >>> sorted(arrays.terms)
    ['interests', 'language', 'learning', 'timezone']
    >>> learning_only = arrays.reweight({"learning": 1.0})
    >>> bool((learning_only.scores == arrays.terms["learning"]).all())
    True
    """

    scores: np.ndarray
    feasible: np.ndarray
    mentor_capacity: np.ndarray
    mentee_capacity: np.ndarray
    fixed: np.ndarray
    rule_allowed: dict[str, int]
    terms: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)
    weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        """(n_mentors, n_mentees)."""
        return self.scores.shape

    def reweight(self, weights: Mapping[str, float]) -> ProblemArrays:
        """The same problem scored with other term weights: one weighted sum of the kept
        term matrices, no recompile (rules, mask and capacities are shared).

        Parameters
        ----------
        weights : mapping of str to float
            Weights ≥ 0 of kept terms (a term left out weighs 0); at least one positive.

        Raises
        ------
        ValidationError
            If a weight names a term that was not compiled, or none is positive, or the
            arrays were compiled without their terms (``compile(keep_terms=False)``).
        """
        from ._checks import check_weights

        if not self.terms and self.weights:
            raise ValidationError(
                "these arrays were compiled without their term matrices "
                "(`Problem.compile(keep_terms=False)`); `Problem.compile()` keeps them.",
                argument="weights",
            )
        w = check_weights(weights, known=tuple(self.terms), argument="weights")
        active = {k: v for k, v in w.items() if v > 0}
        scores = combine(self.terms, active)
        scores.flags.writeable = False
        return replace(self, scores=scores, weights=ReadOnlyDict(active))


class Problem:
    """A programme bound to its participants: validation, compilation and explanation.

    Parameters
    ----------
    mentors, mentees : People
    programme : Programme, optional
        Default: no rules, default weights.
    org_chart : mapping of id to id or None, optional
        Managers of people outside the programme (see :class:`~rm_match.cohort.Cohort`).
    preferences : Preferences, optional
        Participants' rankings, ratings and vetoes (:mod:`rm_match.preferences`), read by
        the ``preference`` term and the rules :class:`~rm_match.rules.Vetoes` and
        :class:`~rm_match.rules.MutuallyAcceptable`.

    Raises
    ------
    ValidationError
        If the tables do not fit together or lack what a rule or weighted term needs.

    Examples
    --------
    >>> from rm_match import Problem, synthetic
    >>> mentors, mentees = synthetic.cohort(4, 3, rng=0)
    >>> Problem(mentors, mentees).compile().shape
    (4, 3)
    """

    def __init__(
        self,
        mentors: People,
        mentees: People,
        programme: Programme | None = None,
        *,
        org_chart: Mapping[Hashable, Hashable | None] | None = None,
        preferences: Preferences | None = None,
    ) -> None:
        if programme is None:
            programme = Programme()
        if not isinstance(programme, Programme):
            raise ValidationError(
                f"`programme` must be a Programme; got {type(programme).__name__}.",
                argument="programme",
            )
        self.cohort = Cohort(mentors, mentees, org_chart, preferences)
        self.programme = programme
        #: the participants' answers as given (``cohort.preferences`` holds them bound)
        self.preferences = preferences
        for r in programme.rules:
            r.check(self.cohort)
        self.weights = active_weights(programme, self.cohort)
        unused = "preference" not in self.weights and not any(
            "preferences" in r.fields for r in programme.rules
        )
        if preferences is not None and unused:
            warnings.warn(
                "`preferences` were given but change nothing: the programme's `weights` "
                "leave out the `preference` term and no rule reads them (add `preference` "
                "to `weights` — in a programme file `preference = 0.5` under "
                "[programme.weights] — or the rule Vetoes: `[[programme.rules]] rule = "
                '"vetoes"`).',
                UserWarning,
                stacklevel=3,
            )
        self._compiled: ProblemArrays | None = None
        self.spec = TermSpec(
            programme.skill_weight_vector(mentors.skills),
            programme.reverse_weight,
            # Programme stores its `diversity_attributes` as a tuple
            cast(tuple[str, ...], programme.diversity_attributes),
            programme.learning_norm,
        )

    @property
    def mentors(self) -> People:
        return self.cohort.mentors

    @property
    def mentees(self) -> People:
        return self.cohort.mentees

    # -- evaluation ---------------------------------------------------------------------------

    def allowed(
        self, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True
    ) -> dict[str, np.ndarray]:
        """Each rule's flags for a block of pairs (outer) or pair-wise, keyed by the rule's
        label (:attr:`Programme.rule_names`: distinct, so every rule instance is applied)."""
        mi, ei = self._indices(mi, ei, outer)
        prog = self.programme
        return {
            label: r.allowed(self.cohort, mi, ei, outer=outer)
            for label, r in zip(prog.rule_names, prog.rules, strict=True)
        }

    def permitted(self, mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
        """Whether every rule allows each pair ``(mi[k], ei[k])``."""
        mi, ei = self._indices(mi, ei, False)
        ok = np.ones(len(mi), dtype=bool)
        for r in self.programme.rules:  # the indices are checked: not again per rule
            ok &= r.allowed(self.cohort, mi, ei, outer=False)
        return ok

    def terms(self, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True) -> dict[str, np.ndarray]:
        """Each active score term for a block of pairs (outer) or pair-wise."""
        mi, ei = self._indices(mi, ei, outer)
        return pair_terms(self.cohort, self.spec, mi, ei, outer=outer, terms=self.weights)

    def scores(self, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True) -> np.ndarray:
        """Pair scores for a block of pairs (outer) or pair-wise."""
        return combine(self.terms(mi, ei, outer=outer), self.weights)

    def _indices(
        self, mi: object, ei: object, outer: bool, names: tuple[str, str] = ("mi", "ei")
    ) -> tuple[np.ndarray, np.ndarray]:
        """``mi``, ``ei`` as 1-D integer index arrays within the two sides (of one length
        when not ``outer``), or a named error."""
        out = []
        for value, name, n in zip((mi, ei), names, self.cohort.shape, strict=True):
            a = np.asarray(value) if not isinstance(value, (str, bytes)) else np.asarray(None)
            if a.ndim != 1 or (a.dtype.kind not in "iu" and a.size):
                raise ValidationError(
                    f"`{name}` must be a one-dimensional array of indices.", argument=name
                )
            a = a.astype(np.intp, copy=False)
            if a.size and (a.min() < 0 or a.max() >= n):
                raise ValidationError(
                    f"`{name}` holds an index outside 0 … {n - 1}.", argument=name
                )
            out.append(a)
        if not outer and len(out[0]) != len(out[1]):
            raise ValidationError(
                f"`{names[0]}` and `{names[1]}` must have one length for pair-wise values; got "
                f"{len(out[0])} and {len(out[1])}.",
                argument=names[1],
            )
        return out[0], out[1]

    def goal_groups(self, name: str) -> tuple[np.ndarray, np.ndarray, list]:
        """Codes of attribute ``name`` (or ``"department"``) on both sides for goals (-1 for
        unknown) and the label of each code."""
        self.cohort.require(name, "a goal")
        return self.cohort.attribute_groups(name)

    def goal_context(
        self,
        feasible: np.ndarray | None = None,
        *,
        edges: tuple[np.ndarray, np.ndarray] | None = None,
        most: int | None = None,
    ) -> GoalContext:
        """What the programme's goals compile against: the pairs ``feasible`` allows
        (default: the compiled mask) between participants with capacity left, the required
        pairs, the capacities left, attributes by name and ids for messages.

        ``edges``: the candidate pairs ``(mi, ei)`` instead (allowed pairs of participants
        with capacity left: a core of the cohort's pairs, no matrix compiled), and ``most``
        the most pairs (required ones included) any answer over every pair can have (see
        :class:`~rm_match.goals.GoalContext`)."""
        fixed, m_cap, e_cap = self.placement()
        if edges is not None:
            mi, ei = (np.asarray(a, dtype=np.int64) for a in edges)
        else:
            if feasible is None:
                feasible = self.compile(keep_terms=False).feasible
            ok = feasible & (m_cap > 0)[:, None] & (e_cap > 0)
            mi, ei = np.nonzero(ok)
        n_m, n_e = self.cohort.shape
        return GoalContext(
            n_m,
            n_e,
            mi,
            ei,
            fixed,
            m_cap,
            e_cap,
            attribute=self.goal_groups,
            ids=(self.mentors.ids, self.mentees.ids),
            most=most,
        )

    def check_context(self) -> GoalContext:
        """The context for checking goals on a finished set of pairs (required ones
        included): no candidate pairs, no fixed pairs, the full capacities."""
        n_m, n_e = self.cohort.shape
        empty = np.empty(0, dtype=np.int64)
        return GoalContext(
            n_m,
            n_e,
            empty,
            empty,
            np.empty((0, 2), dtype=np.int64),
            self.mentors.capacity,
            self.mentees.capacity,
            attribute=self.goal_groups,
        )

    def block(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scores and the feasibility mask of the block ``rows × cols`` (required pairs are
        placed already, so they are not feasible): a part of the problem, compiled alone, a
        block of rows at a time like :meth:`compile`."""
        rows, cols = self._indices(rows, cols, True, names=("rows", "cols"))
        scores = np.zeros((len(rows), len(cols)))
        ok = np.ones(scores.shape, dtype=bool)
        self._fill(rows, cols, scores, ok)
        fixed = self.placement()[0]
        if len(fixed):
            pos_m = np.full(self.cohort.shape[0], -1)
            pos_m[rows] = np.arange(len(rows))
            pos_e = np.full(self.cohort.shape[1], -1)
            pos_e[cols] = np.arange(len(cols))
            r, c = pos_m[fixed[:, 0]], pos_e[fixed[:, 1]]
            inside = (r >= 0) & (c >= 0)
            ok[r[inside], c[inside]] = False
        return scores, ok

    def required_pairs(self) -> np.ndarray:
        """All required pairs as a (k, 2) index array, in the order given."""
        parts = [
            r.index_pairs(self.cohort) for r in self.programme.rules if isinstance(r, RequiredPairs)
        ]
        return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)

    # -- compilation --------------------------------------------------------------------------

    def compile(self, *, keep_terms: bool = True) -> ProblemArrays:
        """Score matrix, feasibility mask and capacities, computed in blocks of mentor rows
        (computed once; later calls return the same arrays).

        Parameters
        ----------
        keep_terms : bool, default True
            Keep each score term's matrix (:attr:`ProblemArrays.terms`), so that
            :meth:`ProblemArrays.reweight` costs one weighted sum. ``False`` skips them: one
            matrix instead of one per term (at 5 000 × 5 000 with four terms, 0.7 GiB instead
            of 1.5 GiB, and a third of the time); :func:`rm_match.match` solves that way.

        Raises
        ------
        InfeasibleError
            If a required pair breaks another rule, or required pairs exceed a capacity.
        """
        if self._compiled is None or (keep_terms and len(self._compiled.terms) < len(self.weights)):
            self._compiled = self._compile(keep_terms)
        return self._compiled

    def compile_visiting(self, visit: Visit) -> ProblemArrays:
        """:meth:`compile` (without the term matrices), calling ``visit(rows, terms)`` on
        each block of mentor rows with the block's term values while they are at hand — for
        a caller that needs more from the terms (each side's view of the pair, in
        :func:`rm_match.stable_match`) without computing them twice. The result is kept as
        :meth:`compile`'s."""
        self._compiled = self._compile(False, visit)
        return self._compiled

    def _compile(self, keep_terms: bool, visit: Visit | None = None) -> ProblemArrays:
        n_m, n_e = self.cohort.shape
        terms = {name: np.empty((n_m, n_e)) for name in self.weights} if keep_terms else {}
        scores = np.zeros((n_m, n_e))
        feasible = np.ones((n_m, n_e), dtype=bool)
        counts = dict.fromkeys(self.programme.rule_names, 0)
        self._fill(
            np.arange(n_m),
            np.arange(n_e),
            scores,
            feasible,
            terms=terms,
            counts=counts,
            visit=visit,
        )
        fixed, m_cap, e_cap = self.placement()
        feasible[fixed[:, 0], fixed[:, 1]] = False
        for a in (scores, feasible, m_cap, e_cap, fixed, *terms.values()):
            a.flags.writeable = False
        return ProblemArrays(
            scores,
            feasible,
            m_cap,
            e_cap,
            fixed,
            counts,
            terms=ReadOnlyDict(terms),
            weights=ReadOnlyDict(dict(self.weights)),
        )

    def _fill(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        scores: np.ndarray,
        feasible: np.ndarray,
        *,
        terms: dict[str, np.ndarray] | None = None,
        counts: dict[str, int] | None = None,
        visit: Visit | None = None,
    ) -> None:
        """Scores (and ``terms``, when given) and the rules' mask of mentors ``rows`` ×
        mentees ``cols`` into the arrays given, :data:`_BLOCK_ELEMENTS` pairs at a time (the
        term arrays of one block exist at a time); ``counts``: pairs each rule allows."""
        step = max(1, _BLOCK_ELEMENTS // max(len(cols), 1))
        for start in range(0, len(rows), step):
            at = slice(start, min(start + step, len(rows)))  # a slice: plain copies, no gathers
            mi = rows[at]
            block = self.terms(mi, cols)
            if terms:
                for name, values in block.items():
                    terms[name][at] = values
            if block:  # the weighted sum while the block is at hand: no whole-matrix temporaries
                scores[at] = combine(block, self.weights)
            if visit is not None:
                visit(mi, block)
            del block  # the block's terms go before the rules' flags are made
            for name, ok in self.allowed(mi, cols).items():
                if counts is not None:
                    counts[name] += int(ok.sum())
                feasible[at] &= ok

    def placement(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Required pairs placed first: ``(fixed pairs, mentor capacity left, mentee capacity
        left)``.

        Raises
        ------
        InfeasibleError
            If a required pair breaks another rule, or required pairs exceed a capacity.
        """
        return self._placement

    @cached_property
    def _placement(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        fixed = self._place_required()
        m_cap = self.mentors.capacity.copy()
        e_cap = self.mentees.capacity.copy()
        np.subtract.at(m_cap, fixed[:, 0], 1)
        np.subtract.at(e_cap, fixed[:, 1], 1)
        for a in (m_cap, e_cap, fixed):
            a.flags.writeable = False
        return fixed, m_cap, e_cap

    def _place_required(self) -> np.ndarray:
        req = self.required_pairs()
        if len(req) == 0:
            return req
        ids_m, ids_e = self.mentors.ids, self.mentees.ids
        keys, first = np.unique(
            req[:, 0] * max(self.cohort.shape[1], 1) + req[:, 1], return_index=True
        )
        if len(keys) < len(req):
            dup = np.setdiff1d(np.arange(len(req)), first)[0]
            m, e = req[dup]
            raise ValidationError(
                f"required pair ({ids_m[m]!r}, {ids_e[e]!r}) is listed twice.",
                argument="pairs",
                participant=ids_m[m],
            )
        ok = self.permitted(req[:, 0], req[:, 1])
        if not ok.all():
            m, e = req[np.flatnonzero(~ok)[0]]
            flags = self.allowed(np.array([m]), np.array([e]), outer=False)
            broken = [name for name, ok in flags.items() if not ok[0]]
            raise InfeasibleError(
                f"required pair ({ids_m[m]!r}, {ids_e[e]!r}) breaks rule(s) {', '.join(broken)}.",
                rules=("required_pairs", *broken),
                participants=(ids_m[m], ids_e[e]),
            )
        for col, side, role in ((0, self.mentors, "mentor"), (1, self.mentees, "mentee")):
            used = np.bincount(req[:, col], minlength=side.n)
            over = np.flatnonzero(used > side.capacity)
            if len(over):
                i = over[0]
                raise InfeasibleError(
                    f"{role} {side.ids[i]!r} is in {used[i]} required pairs but has capacity "
                    f"{side.capacity[i]}.",
                    rules=("required_pairs", "capacity"),
                    participants=(side.ids[i],),
                )
        return req

    def explain_unplaced(self, side: str, idx: Iterable[int], taken: np.ndarray) -> list[str]:
        """Why each participant of ``side`` ('mentor' or 'mentee') in ``idx`` has no partner
        (see :func:`rm_match.explain.unplaced_reasons`; each reason has a ``kind``).

        ``taken`` is the number of partners each participant of the other side ended with.
        """
        from .explain import unplaced_reasons

        return list(unplaced_reasons(self, side, idx, taken))

    def __repr__(self) -> str:
        n_m, n_e = self.cohort.shape
        return (
            f"Problem(n_mentors={n_m}, n_mentees={n_e}, rules={list(self.programme.rule_names)}, "
            f"terms={list(self.weights)})"
        )
