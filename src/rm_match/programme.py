"""The declarative programme: what a good pair is, and which pairs are allowed.

A :class:`Programme` says *what* a good programme is: score terms and their weights, skill
weights, how much the reverse direction counts, which attributes make a pair diverse, the
hard rules and the cohort goals. It stores and validates its parameters and holds no data
logic: :class:`~rm_match.Problem` (:mod:`rm_match.problem`) binds it to two tables and
compiles it.
"""

from __future__ import annotations

import dataclasses
import json
import numbers
import os
import re
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import get_close_matches
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from . import _toml
from . import goals as _goals
from . import rules as _rules
from ._checks import (
    ReadOnlyDict,
    check_choice,
    check_real,
    check_sequence,
    check_weights,
    is_collection,
    shown,
)
from .errors import ValidationError
from .goals import Goal
from .rules import Rule
from .terms import LEARNING_NORMS, TERMS

__all__ = [
    "DEFAULT_WEIGHTS",
    "GOAL_KINDS",
    "PREFERENCE_WEIGHT",
    "PROGRAMME_KEYS",
    "RULE_KINDS",
    "Programme",
    "rule_labels",
]

#: Term weights used when a programme gives none. Terms whose data a cohort lacks are dropped.
#: (With participants' preferences, the ``preference`` term joins them at
#: :data:`PREFERENCE_WEIGHT`; it is not in this mapping, so that ``{**DEFAULT_WEIGHTS, ...}``
#: stays a valid ``weights`` without preferences.)
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "learning": 1.0,
    "interests": 0.2,
    "language": 0.1,
    "timezone": 0.1,
    "diversity": 0.2,
}
#: The ``preference`` term's weight when a programme gives no weights and preferences are
#: given (as much as the learning value).
PREFERENCE_WEIGHT = 1.0


@dataclass(frozen=True)
class Programme:
    """What makes a good pair, and which pairs are allowed.

    Parameters
    ----------
    rules : iterable of Rule, optional
        Hard rules (see :mod:`rm_match.rules`); a pair is allowed when all allow it.
    weights : mapping of str to float, optional
        Weights of the score terms ``learning``, ``interests``, ``language``, ``timezone``,
        ``diversity``, ``preference`` (participants' own answers, given to
        :func:`~rm_match.match` as ``preferences=``). Default :data:`DEFAULT_WEIGHTS` (and
        the ``preference`` term at :data:`PREFERENCE_WEIGHT` when preferences are given),
        keeping only the terms the cohort has data for; a term weighted explicitly must
        have its data, and so must every attribute named in ``diversity_attributes``.
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
        representation, fairness. They make the problem a constrained one (solved by LP
        column generation, rounding and HiGHS, with a proven bound and gap); see
        ``docs/goals.md``.

    See Also
    --------
    Programme.load, Programme.save : a programme as a ``.toml`` or ``.json`` file.
    Programme.to_dict, Programme.from_dict : the same as plain data.

    Notes
    -----
    **Programme files.** :meth:`save` and :meth:`to_toml` write, and :meth:`load` and
    :meth:`from_toml` read, a TOML file of the keys in :data:`PROGRAMME_KEYS` (JSON holds the
    same keys and values)::

        reverse_weight = 0.3
        learning_norm = "wants"
        diversity_attributes = ["gender", "generation"]

        [weights]
        learning = 1.0
        diversity = 0.2

        [skill_weights]
        ai_tools = 2.0
        "stakeholder management" = 0.5   # a key that is not bare is quoted

        [[rules]]
        rule = "cross_department"

        [[rules]]
        rule = "no_reporting_line"
        depth = 2

        [[rules]]
        rule = "forbidden_pairs"
        pairs = [["M001", "E007"], ["M002", "E001"]]   # [mentor id, mentee id]

        [[goals]]
        goal = "share"
        cross = "gender"
        at_least = 0.4          # or exactly, as a fraction in quotes: "2/5"

        [[goals]]
        goal = "representation"
        groups = "gender"
        side = "mentor"

        [goals.floor]           # the floor of the goal just above, per group label
        F = 0.3

    Each ``[[rules]]`` table names its kind with ``rule`` (one of :data:`RULE_KINDS`: the
    snake_case of the class, e.g. ``same_group`` for :class:`~rm_match.rules.SameGroup`)
    and gives the class's parameters by name; each ``[[goals]]`` table names its kind with
    ``goal`` (one of :data:`GOAL_KINDS`: the class's ``kind``) likewise. Any key may be
    left out to take its default; unknown or misspelt keys, kinds and parameters are
    errors that name them. A file names groups and pair properties by attribute: a goal
    given arrays (``pairs=`` a mask, ``groups=`` code arrays) cannot be saved.

    Examples
    --------
    >>> from rm_match import Programme, goals, rules
    >>> p = Programme(rules=[rules.CrossDepartment()], weights={"learning": 1.0},
    ...               reverse_weight=0.3)
    >>> p.rule_names
    ('cross_department',)

    A programme as plain data, and back:

    >>> p = Programme(rules=[rules.NoReportingLine(depth=1)],
    ...               goals=[goals.Share(cross="gender", at_least=0.4)])
    >>> d = p.to_dict()
    >>> d["rules"], d["goals"]
    ([{'rule': 'no_reporting_line', 'depth': 1}],
     [{'goal': 'share', 'cross': 'gender', 'at_least': 0.4}])
    >>> Programme.from_dict(d) == p == Programme.from_toml(p.to_toml())
    True
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

    # -- plain data and files ---------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The programme as plain data (str, int, float, bool, lists and dicts only), ready
        for JSON or TOML; :meth:`from_dict` reads it back to an equal programme.

        ``reverse_weight`` and ``learning_norm`` are always written (a saved programme keeps
        its meaning if a default changes); ``weights``, ``skill_weights`` when given; rules,
        goals and diversity attributes when there are any. Each rule is a dict with its kind
        under ``"rule"`` and its parameters, each goal likewise under ``"goal"`` (parameters
        left at ``None`` are left out). An exact share given as a
        :class:`~fractions.Fraction` that no float holds is written as text, ``"1/3"``.

        Returns
        -------
        dict

        Raises
        ------
        ValidationError
            If the programme holds what a file cannot: a goal given arrays (a ``pairs`` mask,
            ``groups``/``cross``/``same`` code arrays: name the attribute instead), a rule or
            goal class that is not rm_match's own, participant ids in a pair rule that are
            not str or int, skill or group labels that are not strings.

        Examples
        --------
        >>> from rm_match import Programme, rules
        >>> Programme(rules=[rules.SameGroup("region")]).to_dict()
        {'reverse_weight': 0.5, 'learning_norm': 'wants', 'rules': [{'rule': 'same_group', \
'attribute': 'region'}]}
        """
        out: dict[str, Any] = {
            "reverse_weight": self.reverse_weight,
            "learning_norm": self.learning_norm,
        }
        if self.diversity_attributes:
            out["diversity_attributes"] = list(self.diversity_attributes)
        if self.weights is not None:
            out["weights"] = dict(self.weights)
        if self.skill_weights is not None:
            for k in self.skill_weights:
                if not isinstance(k, str):
                    raise ValidationError(
                        "`skill_weights` cannot be saved: skill names must be strings; got "
                        f"{type(k).__name__}.",
                        argument="skill_weights",
                    )
            out["skill_weights"] = dict(self.skill_weights)
        if self.rules:
            out["rules"] = [_rule_to_dict(r, i) for i, r in enumerate(self.rules)]
        if self.goals:
            out["goals"] = [_goal_to_dict(g, i) for i, g in enumerate(self.goals)]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Programme:
        """A programme from plain data: what :meth:`to_dict` writes, or a parsed file.

        Parameters
        ----------
        data : mapping
            The keys of :data:`PROGRAMME_KEYS`, all optional: ``rules`` and ``goals`` as
            lists of mappings, each naming its kind under ``"rule"`` / ``"goal"`` with its
            parameters beside it (see the Notes of :class:`Programme`); the other keys as
            the constructor takes them. A share (``at_least``, ``at_most``,
            ``at_most_share``, ``floor``, ``weight`` of a goal) may be a fraction in text,
            ``"1/3"``, read exactly.

        Returns
        -------
        Programme

        Raises
        ------
        ValidationError
            On an unknown key (named, with the valid ones and the closest), an unknown rule
            or goal kind (the kinds listed), a missing ``rule``/``goal`` key, an unknown or
            missing parameter (named, with the valid ones), a value of the wrong type, and
            whatever the rule, goal or programme itself rejects. ``argument`` locates the
            fault: ``"rules[1].detph"``.

        Examples
        --------
        >>> from rm_match import Programme
        >>> p = Programme.from_dict({"rules": [{"rule": "seniority_direction", "min_gap": 2}],
        ...                          "goals": [{"goal": "coverage", "k": 3}]})
        >>> p.rules, p.goals
        ((SeniorityDirection(min_gap=2),), (Coverage(groups='department', k=3, exclude_own=True),))
        >>> Programme.from_dict({"rules": [{"rule": "no_reporting_line", "detph": 1}]})
        Traceback (most recent call last):
        ...
        rm_match.errors.ValidationError: `rules[0]`: unknown parameter 'detph' of rule \
no_reporting_line (did you mean 'depth'?); its parameters are ['depth'].
        """
        if not isinstance(data, Mapping):
            raise ValidationError(
                f"a programme must be a table (a mapping) of {list(PROGRAMME_KEYS)}; got "
                f"{type(data).__name__}.",
                argument="programme",
            )
        for k in data:
            if k not in PROGRAMME_KEYS:
                hint = _closest(k, PROGRAMME_KEYS)
                if k == "programme":
                    hint = " (pass the programme's own table, not a file's sections)"
                raise ValidationError(
                    f"unknown key {k!r} in the programme{hint}; the valid keys are "
                    f"{list(PROGRAMME_KEYS)}.",
                    argument=str(k),
                )
        kwargs = {k: v for k, v in data.items() if k not in ("rules", "goals")}
        kwargs["rules"] = tuple(
            _rule_from_dict(e, i) for i, e in enumerate(_entries(data, "rules", "rule"))
        )
        kwargs["goals"] = tuple(
            _goal_from_dict(e, i) for i, e in enumerate(_entries(data, "goals", "goal"))
        )
        return cls(**kwargs)

    def to_toml(self) -> str:
        """The programme as a TOML document (the file :meth:`save` writes for ``.toml``).

        Raises
        ------
        ValidationError
            As :meth:`to_dict`.

        Examples
        --------
        >>> from rm_match import Programme, rules
        >>> print(Programme(rules=[rules.ForbiddenPairs([("M1", "E2")])]).to_toml())
        reverse_weight = 0.5
        learning_norm = "wants"
        <BLANKLINE>
        [[rules]]
        rule = "forbidden_pairs"
        pairs = [["M1", "E2"]]
        <BLANKLINE>
        """
        return _toml.dumps(self.to_dict())

    @classmethod
    def from_toml(cls, text: str) -> Programme:
        """A programme from a TOML document (see the Notes of :class:`Programme`).

        Raises
        ------
        ValidationError
            If ``text`` is not valid TOML (the message gives the line and column, ``row``
            the line), and as :meth:`from_dict`.

        Examples
        --------
        >>> Programme.from_toml('[[rules]]\\nrule = "common_language"\\n').rule_names
        ('common_language',)
        """
        _check_text(text, "TOML")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"line (\d+)", str(exc))
            raise ValidationError(
                f"malformed TOML: {exc}.",
                argument="text",
                row=int(found.group(1)) if found else None,
            ) from None
        return cls.from_dict(data)

    def to_json(self) -> str:
        """The programme as a JSON document (indented; the file :meth:`save` writes for
        ``.json``).

        Raises
        ------
        ValidationError
            As :meth:`to_dict`.

        Examples
        --------
        >>> from rm_match import Programme
        >>> print(Programme(diversity_attributes=["gender"]).to_json())
        {
          "reverse_weight": 0.5,
          "learning_norm": "wants",
          "diversity_attributes": [
            "gender"
          ]
        }
        """
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> Programme:
        """A programme from a JSON document: an object of the keys of :data:`PROGRAMME_KEYS`.

        Raises
        ------
        ValidationError
            If ``text`` is not valid JSON (the message gives the line and column, ``row``
            the line), and as :meth:`from_dict`.

        Examples
        --------
        >>> Programme.from_json('{"reverse_weight": 0.25}').reverse_weight
        0.25
        """
        _check_text(text, "JSON")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.",
                argument="text",
                row=exc.lineno,
            ) from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Programme:
        """Read a programme file: TOML for ``.toml``, JSON for ``.json`` (UTF-8).

        Parameters
        ----------
        path : str or path-like

        Raises
        ------
        ValidationError
            If the suffix is neither, the file is not UTF-8 or not valid TOML/JSON, or
            :meth:`from_dict` rejects its content; the message starts with the file's path
            and ``file`` holds it.
        OSError
            If the file cannot be read (``FileNotFoundError``, ...).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from rm_match import Programme, rules
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "programme.toml"
        >>> p = Programme(rules=[rules.MaxTimezoneDiff(hours=3)])
        >>> p.save(path)
        >>> Programme.load(path) == p
        True
        """
        p, kind = _file(path)
        try:
            try:
                text = p.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise ValidationError("the file is not UTF-8 text.", argument="path") from None
            return cls.from_toml(text) if kind == "toml" else cls.from_json(text)
        except ValidationError as exc:
            raise ValidationError(
                f"{p}: {exc}",
                argument=exc.argument,
                participant=exc.participant,
                file=str(p),
                row=exc.row,
                column=exc.column,
            ) from exc

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the programme to a file: TOML for ``.toml``, JSON for ``.json`` (UTF-8).

        Nothing is written when the programme cannot be saved.

        Raises
        ------
        ValidationError
            If the suffix is neither ``.toml`` nor ``.json``, or as :meth:`to_dict`.
        """
        p, kind = _file(path)
        text = self.to_toml() if kind == "toml" else self.to_json() + "\n"
        p.write_text(text, encoding="utf-8")


def rule_labels(rules: Sequence[Rule]) -> tuple[str, ...]:
    """One distinct label per rule: its name, with a 1-based number among the rules of the
    same name when there are several (``forbidden_pairs[2]`` is the second one)."""
    return numbered([r.name for r in rules])


def numbered(names: Sequence[str]) -> tuple[str, ...]:
    """Each name, with a 1-based number among the equal names when there are several
    (``["a", "b", "a"]`` → ``("a[1]", "b", "a[2]")``): distinct labels of rules or goals."""
    total = Counter(names)
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(f"{name}[{seen[name]}]" if total[name] > 1 else name)
    return tuple(out)


# -- plain data: kinds, parameters, conversions ----------------------------------------------

#: The keys of a programme as plain data (:meth:`Programme.to_dict`) and of a programme file:
#: the constructor's parameters.
PROGRAMME_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Programme))

#: Goal parameters that are shares or weights: in plain data they may be a fraction in text
#: (``"1/3"``), read as a :class:`~fractions.Fraction`, so that exact shares survive a file.
_FRACTION_PARAMS = frozenset({"at_least", "at_most", "at_most_share", "floor", "weight"})
#: Goal parameters that name an attribute (or, in code only, hold code arrays).
_ATTRIBUTE_PARAMS = ("groups", "cross", "same")
_REQUIRED = object()


def _snake(name: str) -> str:
    """``"NoReportingLine"`` → ``"no_reporting_line"``.

    >>> _snake("NoReportingLine"), _snake("SameGroup")
    ('no_reporting_line', 'same_group')
    """
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _kinds(module: Any, base: type, kind_of: Any) -> dict[str, Any]:
    """The public dataclass subclasses of ``base`` a module exports, by kind."""
    out: dict[str, Any] = {}
    for name in module.__all__:
        obj = getattr(module, name)
        if (
            isinstance(obj, type)
            and issubclass(obj, base)
            and obj is not base
            and dataclasses.is_dataclass(obj)
        ):
            kind = kind_of(obj)
            assert kind not in out, f"two classes of kind {kind!r}"
            out[kind] = obj
    return out


#: The rule kinds a programme file names (``rule = "no_reporting_line"``): the snake_case of
#: each rule class of :mod:`rm_match.rules`, mapped to the class.
RULE_KINDS: Mapping[str, type[Rule]] = ReadOnlyDict(
    _kinds(_rules, Rule, lambda c: _snake(c.__name__))
)
#: The goal kinds a programme file names (``goal = "share"``): each goal class's ``kind``,
#: mapped to the class.
GOAL_KINDS: Mapping[str, type[Goal]] = ReadOnlyDict(_kinds(_goals, Goal, lambda c: c.kind))
_RULE_KIND_OF = {cls: kind for kind, cls in RULE_KINDS.items()}


def _params(cls: type) -> dict[str, dataclasses.Field[Any]]:
    """The constructor parameters of a rule or goal class (its dataclass fields)."""
    return {f.name: f for f in dataclasses.fields(cls) if f.init}


def _file_params(cls: type) -> dict[str, dataclasses.Field[Any]]:
    """The parameters a file may give: a goal's ``pairs`` mask is for code only."""
    params = _params(cls)
    if issubclass(cls, Goal):
        params.pop("pairs", None)
    return params


def _default(f: dataclasses.Field[Any]) -> object:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return _REQUIRED


def _closest(word: object, options: Sequence[str]) -> str:
    """`` (did you mean 'depth'?)``, or nothing when no option is close."""
    close = get_close_matches(str(word), list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- out --------------------------------------------------------------------------------------


def _plain(v: object, where: str, what: str, *, text: bool) -> object:
    """A scalar parameter as plain data. An exact share no float holds becomes text
    (``"1/3"``) where ``text`` is allowed; elsewhere it must be a float exactly."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, (Fraction, Decimal)):
        exact = Fraction(v)
        if exact.denominator == 1:
            return int(exact)
        as_float = float(v)
        # a float only when it is the same number and a goal reads it as the same decimal
        if as_float == exact and Fraction(repr(as_float)) == exact:
            return as_float
        if text:
            return str(exact)
        raise ValidationError(
            f"`{where}` of {what} cannot be saved: a {type(v).__name__} that no float holds "
            "exactly; give it as a float.",
            argument=where,
        )
    if isinstance(v, numbers.Real):
        return float(v)
    raise ValidationError(
        f"`{where}` of {what} cannot be saved: a {type(v).__name__} is not a number, a "
        "string or a bool.",
        argument=where,
    )


def _participant_id(pid: object, where: str, what: str) -> str | int:
    if isinstance(pid, str):
        return str(pid)
    if isinstance(pid, numbers.Integral) and not isinstance(pid, (bool, np.bool_)):
        return int(pid)
    raise ValidationError(
        f"`{where}` of {what} cannot be saved: participant ids must be str or int; got "
        f"{type(pid).__name__}.",
        argument=where,
    )


def _none_allowed(f: dataclasses.Field[Any], where: str, what: str) -> None:
    """A parameter left at ``None`` is left out of the data: only when ``None`` is its
    default does leaving it out give it back."""
    if _default(f) is not None:
        raise ValidationError(
            f"`{where}` of {what} cannot be saved: it is None, which a file cannot hold.",
            argument=where,
        )


def _rule_to_dict(rule: Rule, i: int) -> dict[str, Any]:
    where = f"rules[{i}]"
    kind = _RULE_KIND_OF.get(type(rule))
    if kind is None:
        raise ValidationError(
            f"`{where}` cannot be saved: a {type(rule).__name__} is not one of rm_match's rule "
            f"kinds {list(RULE_KINDS)}.",
            argument=where,
        )
    what = f"rule {kind}"
    out: dict[str, Any] = {"rule": kind}
    for name, f in _params(type(rule)).items():
        v = getattr(rule, name)
        here = f"{where}.{name}"
        if v is None:
            _none_allowed(f, here, what)
        elif name == "pairs":
            out[name] = [
                [
                    _participant_id(m, f"{here}[{k}]", what),
                    _participant_id(e, f"{here}[{k}]", what),
                ]
                for k, (m, e) in enumerate(v)
            ]
        else:
            out[name] = _plain(v, here, what, text=False)
    return out


def _goal_to_dict(goal: Goal, i: int) -> dict[str, Any]:
    where = f"goals[{i}]"
    if GOAL_KINDS.get(goal.kind) is not type(goal):
        raise ValidationError(
            f"`{where}` cannot be saved: a {type(goal).__name__} is not one of rm_match's goal "
            f"kinds {list(GOAL_KINDS)}.",
            argument=where,
        )
    what = f"goal {goal.name}"
    out: dict[str, Any] = {"goal": goal.kind}
    for name, f in _params(type(goal)).items():
        v = getattr(goal, name)
        here = f"{where}.{name}"
        if v is None:
            _none_allowed(f, here, what)
        elif name == "pairs":
            raise ValidationError(
                f"{what} cannot be saved: its `pairs` is a boolean mask (arrays are for "
                "code only); use an attribute name instead (`cross=` or `same=`, e.g. "
                '`cross="gender"`).',
                argument=here,
            )
        elif name in _ATTRIBUTE_PARAMS and not isinstance(v, str):
            raise ValidationError(
                f"{what} cannot be saved: its `{name}` holds group code arrays (arrays are "
                f'for code only); use an attribute name instead (`{name}="department"`).',
                argument=here,
            )
        elif isinstance(v, Mapping):  # Representation.floor: group label → share
            table = {}
            for label, x in v.items():
                if not isinstance(label, str):
                    raise ValidationError(
                        f"`{here}` of {what} cannot be saved: a file keys it by group labels "
                        f"as strings; got a {type(label).__name__} key.",
                        argument=here,
                    )
                table[str(label)] = _plain(x, here, what, text=name in _FRACTION_PARAMS)
            out[name] = table
        else:
            out[name] = _plain(v, here, what, text=name in _FRACTION_PARAMS)
    return out


# -- in ---------------------------------------------------------------------------------------


def _entries(data: Mapping[str, Any], key: str, kind_key: str) -> list[Any]:
    """The list under ``rules`` / ``goals`` (none: empty)."""
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, Mapping) or not is_collection(value):
        got = "one table" if isinstance(value, Mapping) else shown(value)
        raise ValidationError(
            f"`{key}` must be a list of tables ([[{key}]] in TOML), each naming its kind "
            f"under `{kind_key}`; got {got}.",
            argument=key,
        )
    return list(value)


def _kind_of(entry: object, where: str, kind_key: str, kinds: Mapping[str, type]) -> str:
    if not isinstance(entry, Mapping):
        raise ValidationError(
            f"`{where}` must be a table with a `{kind_key}` key naming its kind; got "
            f"{shown(entry)}.",
            argument=where,
        )
    if kind_key not in entry:
        raise ValidationError(
            f"`{where}` has no `{kind_key}` key: name its kind, one of {list(kinds)}.",
            argument=where,
        )
    kind = entry[kind_key]
    if not isinstance(kind, str) or kind not in kinds:
        raise ValidationError(
            f"`{where}`: unknown {kind_key} kind {shown(kind)}{_closest(kind, list(kinds))}; "
            f"the kinds are {list(kinds)}.",
            argument=f"{where}.{kind_key}",
        )
    return kind


def _params_of(
    entry: Mapping[str, Any],
    kind_key: str,
    valid: Mapping[str, dataclasses.Field[Any]],
    where: str,
    what: str,
) -> dict[str, Any]:
    """The entry's parameters, each one known and every required one there."""
    params = {k: v for k, v in entry.items() if k != kind_key}
    names = list(valid)
    for k in params:
        if k not in valid:
            listing = f"its parameters are {names}" if names else "it takes no parameters"
            raise ValidationError(
                f"`{where}`: unknown parameter {k!r} of {what}{_closest(k, names)}; {listing}.",
                argument=f"{where}.{k}",
            )
    for name, f in valid.items():
        if name not in params and _default(f) is _REQUIRED:
            raise ValidationError(
                f"`{where}`: {what} needs the parameter {name!r}.", argument=f"{where}.{name}"
            )
    return params


def _make(cls: type, params: Mapping[str, Any], where: str, what: str) -> Any:
    """``cls(**params)``: its own ValidationError propagates; a TypeError (a value of a
    type it cannot even compare) becomes one."""
    try:
        return cls(**params)
    except TypeError as exc:
        raise ValidationError(
            f"`{where}`: {what} rejects its parameters ({exc}).", argument=where
        ) from exc


def _rule_from_dict(entry: object, i: int) -> Rule:
    where = f"rules[{i}]"
    kind = _kind_of(entry, where, "rule", RULE_KINDS)
    assert isinstance(entry, Mapping)
    cls = RULE_KINDS[kind]
    what = f"rule {kind}"
    params = _params_of(entry, "rule", _file_params(cls), where, what)
    pairs = params.get("pairs")
    if is_collection(pairs):
        for k, pair in enumerate(pairs):
            if isinstance(pair, (list, tuple)) and len(pair) == 2:
                for pid in pair:
                    if not (
                        isinstance(pid, str)
                        or (isinstance(pid, numbers.Integral) and not isinstance(pid, bool))
                    ):
                        raise ValidationError(
                            f"`{where}.pairs[{k}]` of {what}: participant ids must be strings "
                            f"or integers; got {type(pid).__name__}.",
                            argument=f"{where}.pairs",
                        )
    rule: Rule = _make(cls, params, where, what)
    return rule


def _fraction_in(v: object, where: str) -> object:
    """A share or weight as given, a fraction in text (``"1/3"``) read exactly."""
    if isinstance(v, Mapping):
        return {k: _fraction_in(x, where) for k, x in v.items()}
    if isinstance(v, str):
        try:
            exact = Fraction(v.strip())
            return int(exact) if exact.denominator == 1 else exact
        except (ValueError, ZeroDivisionError):
            raise ValidationError(
                f'`{where}` must be a number, or a fraction in text such as "1/3"; got {shown(v)}.',
                argument=where,
            ) from None
    return v


def _goal_from_dict(entry: object, i: int) -> Goal:
    where = f"goals[{i}]"
    kind = _kind_of(entry, where, "goal", GOAL_KINDS)
    assert isinstance(entry, Mapping)
    cls = GOAL_KINDS[kind]
    what = f"goal {kind}"
    if "pairs" in entry and "pairs" in _params(cls):
        raise ValidationError(
            f"`{where}`: {what} takes `pairs` (a boolean mask) in code only; a programme file "
            'names the pair property by attribute: `cross = "gender"` or `same = "region"`.',
            argument=f"{where}.pairs",
        )
    params = _params_of(entry, "goal", _file_params(cls), where, what)
    for name in _ATTRIBUTE_PARAMS:
        v = params.get(name)
        if v is not None and not isinstance(v, str):
            raise ValidationError(
                f'`{where}.{name}` of {what} must be an attribute name (e.g. "department"); '
                f"got {shown(v)}.",
                argument=f"{where}.{name}",
            )
    for name in _FRACTION_PARAMS & set(params):
        params[name] = _fraction_in(params[name], f"{where}.{name}")
    goal: Goal = _make(cls, params, where, what)
    return goal


def _check_text(text: object, fmt: str) -> None:
    if not isinstance(text, str):
        hint = " (decode it first)" if isinstance(text, (bytes, bytearray)) else ""
        raise ValidationError(
            f"`text` must be a {fmt} document as a str{hint}; got {type(text).__name__}. To "
            "read a file, use Programme.load(path).",
            argument="text",
        )


def _file(path: object) -> tuple[Path, str]:
    """The path and its format, ``"toml"`` or ``"json"``, by suffix."""
    if not isinstance(path, (str, os.PathLike)):
        raise ValidationError(
            f"`path` must be a file path (str or path-like); got {shown(path)}.",
            argument="path",
        )
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise ValidationError(
            f"`path` must end in .toml or .json (the file's format); got "
            f"{repr(suffix) if suffix else 'no suffix'} ({p.name!r}).",
            argument="path",
            file=str(p),
        )
    return p, suffix[1:]
