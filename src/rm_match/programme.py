"""The declarative programme and its compilation to plain arrays.

A :class:`Programme` says *what* a good programme is: score terms and their weights, skill
weights, how much the reverse direction counts, which attributes make a pair diverse, and the
hard rules. :class:`Problem` binds a programme to two :class:`~rm_match.People` tables and
compiles them, blockwise, into :class:`ProblemArrays` — a score matrix, a feasibility mask and
capacities — which is all the solvers ever see.
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .cohort import Cohort
from .errors import InfeasibleError, ValidationError
from .goals import Goal
from .people import People
from .rules import RequiredPairs, Rule
from .scoring import TERM_FIELDS, TERMS, combine, pair_terms

__all__ = ["DEFAULT_WEIGHTS", "Problem", "ProblemArrays", "Programme"]

#: Term weights used when a programme gives none. Terms whose data a cohort lacks are dropped.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "learning": 1.0,
    "interests": 0.2,
    "language": 0.1,
    "timezone": 0.1,
    "diversity": 0.2,
}

_BLOCK_ELEMENTS = 1 << 22  # pairs per compile block: bounds temporaries to tens of MiB


def _weight(value: object, what: str) -> float:
    if (
        not isinstance(value, numbers.Real)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValidationError(f"{what} must be a finite number ≥ 0.", argument=what)
    return float(value)


@dataclass(frozen=True)
class Programme:
    """What makes a good pair, and which pairs are allowed.

    Parameters
    ----------
    rules : iterable of Rule, optional
        Hard rules (see :mod:`rm_match.rules`); a pair is allowed when all allow it.
    weights : mapping of str to float, optional
        Weights of the score terms ``learning``, ``interests``, ``language``, ``timezone``,
        ``diversity``. Default :data:`DEFAULT_WEIGHTS`, keeping only the terms the cohort has
        data for; a term weighted explicitly must have its data, and so must every
        attribute named in ``diversity_attributes``.
    skill_weights : mapping of str to float, optional
        Programme objectives per skill (missing skills weigh 1).
    reverse_weight : float, default 0.5
        λ: how much what the mentee teaches back counts, relative to what the mentor teaches.
    diversity_attributes : iterable of str, optional
        Attributes (or ``"department"``) on which a pair that differs earns the diversity
        reward.
    goals : iterable of Goal, optional
        Cohort-level goals (:mod:`rm_match.goals`): quotas, coverage, spread,
        representation, fairness. They make the problem a constrained one (solved by
        Lagrangian relaxation + CP-SAT, with a proven bound); see ``docs/goals.md``.

    Examples
    --------
    >>> from rm_match import Programme, rules
    >>> p = Programme(rules=[rules.CrossDepartment()], weights={"learning": 1.0},
    ...               reverse_weight=0.3)
    >>> p.rule_names
    ('cross_department',)
    """

    rules: tuple[Rule, ...] = ()
    weights: Mapping[str, float] | None = None
    skill_weights: Mapping[str, float] | None = None
    reverse_weight: float = 0.5
    diversity_attributes: tuple[str, ...] = field(default=())
    goals: tuple[Goal, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        goals = tuple(self.goals)
        for g in goals:
            if not isinstance(g, Goal):
                raise ValidationError(
                    f"`goals` must hold Goal objects; got {type(g).__name__}.", argument="goals"
                )
        set_(self, "goals", goals)
        rules = tuple(self.rules)
        for r in rules:
            if not isinstance(r, Rule):
                raise ValidationError(
                    f"`rules` must hold Rule objects; got {type(r).__name__}.", argument="rules"
                )
        set_(self, "rules", rules)
        if self.weights is not None:
            weights = {}
            for name, w in dict(self.weights).items():
                if name not in TERMS:
                    raise ValidationError(
                        f"unknown score term {name!r} in `weights`; terms are {list(TERMS)}.",
                        argument="weights",
                    )
                weights[name] = _weight(w, f"`weights[{name!r}]`")
            if not any(weights.values()):
                raise ValidationError(
                    "`weights` must give at least one term a positive weight.",
                    argument="weights",
                )
            set_(self, "weights", weights)
        if self.skill_weights is not None:
            set_(
                self,
                "skill_weights",
                {k: _weight(v, f"`skill_weights[{k!r}]`") for k, v in self.skill_weights.items()},
            )
        set_(self, "reverse_weight", _weight(self.reverse_weight, "`reverse_weight`"))
        attrs = self.diversity_attributes
        if isinstance(attrs, str) or not all(isinstance(a, str) for a in attrs):
            raise ValidationError(
                "`diversity_attributes` must be a sequence of attribute names.",
                argument="diversity_attributes",
            )
        set_(self, "diversity_attributes", tuple(attrs))
        if self.weights and self.weights.get("diversity") and not self.diversity_attributes:
            raise ValidationError(
                "the `diversity` term is weighted but `diversity_attributes` is empty.",
                argument="diversity_attributes",
            )

    @property
    def rule_names(self) -> tuple[str, ...]:
        """A label per hard rule, in order: the rule's name, numbered when the programme has
        several rules of one kind (``forbidden_pairs[1]``, ``forbidden_pairs[2]``).

        Labels are for reports only: every rule instance is applied, whatever its name.
        """
        return rule_labels(self.rules)

    def skill_weight_vector(self, skills: tuple[str, ...]) -> np.ndarray:
        """Skill weights as an array aligned with ``skills``."""
        sw = self.skill_weights or {}
        unknown = set(sw) - set(skills)
        if unknown:
            raise ValidationError(
                f"unknown skill(s) {sorted(unknown)} in `skill_weights`; the skill space is "
                f"{list(skills)}.",
                argument="skill_weights",
            )
        return np.array([sw.get(s, 1.0) for s in skills])

    def active_weights(self, cohort: Cohort) -> dict[str, float]:
        """The positive term weights that apply to ``cohort`` (validated against its data)."""
        explicit = self.weights is not None
        weights = dict(self.weights) if explicit else dict(DEFAULT_WEIGHTS)
        out = {}
        for name, w in weights.items():
            if w <= 0:
                continue
            needs = list(TERM_FIELDS[name])
            asked = explicit
            if name == "diversity":
                if not self.diversity_attributes:
                    continue
                needs += self.diversity_attributes
                asked = True  # naming the attributes asks for the term
            if not asked and not all(_has(cohort, f) for f in needs):
                continue
            for f in needs:
                cohort.require(f, f"score term {name}")
            out[name] = w
        return out


def rule_labels(rules: Sequence[Rule]) -> tuple[str, ...]:
    """One distinct label per rule: its name, with a 1-based number among the rules of the
    same name when there are several (``forbidden_pairs[2]`` is the second one)."""
    names = [r.name for r in rules]
    total = Counter(names)
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(f"{name}[{seen[name]}]" if total[name] > 1 else name)
    return tuple(out)


def _has(cohort: Cohort, name: str) -> bool:
    return cohort.mentors.has(name) and cohort.mentees.has(name)


@dataclass(frozen=True)
class ProblemArrays:
    """A compiled programme: plain arrays, all a solver sees.

    Attributes
    ----------
    scores : ndarray of float, shape (n_mentors, n_mentees)
        Pair scores in [0, 1] (higher is better).
    feasible : ndarray of bool, same shape
        ``True`` where every hard rule allows the pair (and it is not already fixed).
    mentor_capacity, mentee_capacity : ndarray of int
        Capacities left after placing the fixed (required) pairs.
    fixed : ndarray of int, shape (k, 2)
        Required pairs, placed before solving, as (mentor index, mentee index).
    rule_allowed : dict of str to int
        For each rule, how many pairs it allows on its own.
    """

    scores: np.ndarray
    feasible: np.ndarray
    mentor_capacity: np.ndarray
    mentee_capacity: np.ndarray
    fixed: np.ndarray
    rule_allowed: dict[str, int]

    @property
    def shape(self) -> tuple[int, int]:
        """(n_mentors, n_mentees)."""
        return self.scores.shape


class Problem:
    """A programme bound to its participants: validation, compilation and explanation.

    Parameters
    ----------
    mentors, mentees : People
    programme : Programme, optional
        Default: no rules, default weights.
    org_chart : mapping of id to id or None, optional
        Managers of people outside the programme (see :class:`~rm_match.cohort.Cohort`).

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
    ) -> None:
        if programme is None:
            programme = Programme()
        if not isinstance(programme, Programme):
            raise ValidationError(
                f"`programme` must be a Programme; got {type(programme).__name__}.",
                argument="programme",
            )
        self.cohort = Cohort(mentors, mentees, org_chart)
        self.programme = programme
        for r in programme.rules:
            r.check(self.cohort)
        self.weights = programme.active_weights(self.cohort)
        programme.skill_weight_vector(mentors.skills)

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
        prog = self.programme
        return {
            label: r.allowed(self.cohort, mi, ei, outer=outer)
            for label, r in zip(prog.rule_names, prog.rules, strict=True)
        }

    def permitted(self, mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
        """Whether every rule allows each pair ``(mi[k], ei[k])``."""
        ok = np.ones(len(mi), dtype=bool)
        for flags in self.allowed(mi, ei, outer=False).values():
            ok &= flags
        return ok

    def terms(self, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True) -> dict[str, np.ndarray]:
        """Each active score term for a block of pairs (outer) or pair-wise."""
        return pair_terms(self.cohort, self.programme, mi, ei, outer=outer, terms=self.weights)

    def scores(self, mi: np.ndarray, ei: np.ndarray, *, outer: bool = True) -> np.ndarray:
        """Pair scores for a block of pairs (outer) or pair-wise."""
        return combine(self.terms(mi, ei, outer=outer), self.weights)

    def goal_groups(self, name: str) -> tuple[np.ndarray, np.ndarray, list]:
        """Codes of attribute ``name`` (or ``"department"``) on both sides for goals (-1 for
        unknown) and the label of each code."""
        self.cohort.require(name, "a goal")
        return self.cohort.attribute_groups(name)

    def required_pairs(self) -> np.ndarray:
        """All required pairs as a (k, 2) index array, in the order given."""
        parts = [
            r.index_pairs(self.cohort) for r in self.programme.rules if isinstance(r, RequiredPairs)
        ]
        return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)

    # -- compilation --------------------------------------------------------------------------

    def compile(self) -> ProblemArrays:
        """Score matrix, feasibility mask and capacities, computed in blocks of mentor rows.

        Raises
        ------
        InfeasibleError
            If a required pair breaks another rule, or required pairs exceed a capacity.
        """
        return self._arrays

    @cached_property
    def _arrays(self) -> ProblemArrays:
        n_m, n_e = self.cohort.shape
        scores = np.empty((n_m, n_e))
        feasible = np.ones((n_m, n_e), dtype=bool)
        counts = dict.fromkeys(self.programme.rule_names, 0)
        ei = np.arange(n_e)
        step = max(1, _BLOCK_ELEMENTS // max(n_e, 1))
        for start in range(0, n_m, step):
            mi = np.arange(start, min(start + step, n_m))
            scores[mi] = self.scores(mi, ei)
            for name, ok in self.allowed(mi, ei).items():
                counts[name] += int(ok.sum())
                feasible[mi] &= ok
        fixed, m_cap, e_cap = self.placement()
        feasible[fixed[:, 0], fixed[:, 1]] = False
        for a in (scores, feasible, m_cap, e_cap, fixed):
            a.flags.writeable = False
        return ProblemArrays(scores, feasible, m_cap, e_cap, fixed, counts)

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
