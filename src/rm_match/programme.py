"""The declarative programme: what a good pair is, and which pairs are allowed.

A :class:`Programme` says *what* a good programme is: score terms and their weights, skill
weights, how much the reverse direction counts, which attributes make a pair diverse, the
hard rules and the cohort goals. It stores and validates its parameters and holds no data
logic: :class:`~rm_match.Problem` (:mod:`rm_match.problem`) binds it to two tables and
compiles it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ._checks import (
    ReadOnlyDict,
    check_choice,
    check_real,
    check_sequence,
    check_weights,
    is_collection,
)
from .errors import ValidationError
from .goals import Goal
from .rules import Rule
from .terms import LEARNING_NORMS, TERMS

__all__ = ["DEFAULT_WEIGHTS", "Programme", "rule_labels"]

#: Term weights used when a programme gives none. Terms whose data a cohort lacks are dropped.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "learning": 1.0,
    "interests": 0.2,
    "language": 0.1,
    "timezone": 0.1,
    "diversity": 0.2,
}


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
    learning_norm : {"wants", "skills"}, default "wants"
        How the ``learning`` term is scaled to [0, 1] (see :mod:`rm_match.terms`):
        ``"wants"`` — the share of what each side wants to learn that the other can teach,
        ``Σ w·offers·wants / Σ w·wants``; ``"skills"`` — per skill of the whole space,
        ``Σ w·offers·wants / Σ w``, which shrinks as the skill space grows.
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

    rules: Sequence[Rule] = ()
    weights: Mapping[str, float] | None = None
    skill_weights: Mapping[str, float] | None = None
    reverse_weight: float = 0.5
    diversity_attributes: Sequence[str] = field(default=())
    goals: Sequence[Goal] = ()
    learning_norm: str = "wants"

    def __post_init__(self) -> None:
        # stored as tuples and read-only mappings: a programme never changes once made
        set_ = object.__setattr__
        set_(self, "rules", check_sequence(self.rules, "rules", Rule, "Rule objects"))
        set_(self, "goals", check_sequence(self.goals, "goals", Goal, "Goal objects"))
        if self.weights is not None:
            w = check_weights(self.weights, known=TERMS, argument="weights")
            set_(self, "weights", ReadOnlyDict(w))
        if self.skill_weights is not None:
            if not isinstance(self.skill_weights, Mapping):
                raise ValidationError(
                    "`skill_weights` must be a mapping of skill name to weight; got "
                    f"{type(self.skill_weights).__name__}.",
                    argument="skill_weights",
                )
            sw = {
                k: check_real(v, f"skill_weights[{k!r}]", low=0)
                for k, v in self.skill_weights.items()
            }
            set_(self, "skill_weights", ReadOnlyDict(sw))
        set_(self, "reverse_weight", check_real(self.reverse_weight, "reverse_weight", low=0))
        set_(
            self, "learning_norm", check_choice(self.learning_norm, "learning_norm", LEARNING_NORMS)
        )
        attrs = self.diversity_attributes
        if not is_collection(attrs) or not all(isinstance(a, str) and a for a in attrs):
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
