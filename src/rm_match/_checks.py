"""Shared argument checks: every public entry point validates its options through these.

Each check returns the normalised value or raises :class:`~rm_match.ValidationError` (also a
``ValueError``) whose message names the argument in backticks, says what was expected and
what came (its type, never a participant's attribute value), and carries
``argument=<name>``. This module imports nothing of rm_match but the errors, so every layer,
the solvers included, can use it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeGuard

import numpy as np

from .errors import ValidationError

__all__ = [
    "POLICIES",
    "ReadOnlyDict",
    "check_choice",
    "check_gap_limit",
    "check_int",
    "check_policy",
    "check_real",
    "check_rng",
    "check_sequence",
    "check_time_limit",
    "check_weights",
    "check_workers",
    "is_collection",
    "shown",
]

#: The policies every solve path accepts.
POLICIES = ("max_matched", "max_score")

#: The largest time limit taken (a year): beyond it a backend's own clock may overflow.
MAX_TIME_LIMIT = 365 * 24 * 3600.0


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_real(
    value: object,
    argument: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    what: str = "a number",
) -> float:
    """A finite real in ``[low, high]`` (``(low, high]`` with ``low_open``) as a float.

    >>> check_real(2, "reverse_weight", low=0)
    2.0
    >>> check_real(-1, "reverse_weight", low=0)
    Traceback (most recent call last):
    ...
    rm_match.errors.ValidationError: `reverse_weight` must be a finite number ≥ 0; got -1.
    """
    ok = _is_real(value) and math.isfinite(float(value))  # type: ignore[arg-type]
    x = float(value) if ok else math.nan  # type: ignore[arg-type]
    if ok and low is not None:
        ok = x > low if low_open else x >= low
    if ok and high is not None:
        ok = x <= high
    if not ok:
        bounds = []
        if low is not None:
            bounds.append(f"{'>' if low_open else '≥'} {low:g}")
        if high is not None:
            bounds.append(f"≤ {high:g}")
        want = f"a finite number{' ' + ' and '.join(bounds) if bounds else ''}"
        if what != "a number":
            want = what
        raise ValidationError(
            f"`{argument}` must be {want}; got {shown(value)}.", argument=argument
        )
    return x


def check_int(value: object, argument: str, *, low: int = 0, high: int | None = None) -> int:
    """An integer (not a bool) in ``[low, high]`` as a Python int.

    >>> check_int(3, "workers", low=1)
    3
    """
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if ok:
        ok = int(value) >= low and (high is None or int(value) <= high)  # type: ignore[call-overload]
    if not ok:
        rng = f"≥ {low}" + (f" and ≤ {high}" if high is not None else "")
        raise ValidationError(
            f"`{argument}` must be an integer {rng}; got {shown(value)}.", argument=argument
        )
    return int(value)  # type: ignore[call-overload]


def check_choice(value: object, argument: str, choices: Sequence[str]) -> str:
    """One of ``choices``.

    >>> check_choice("max_score", "policy", POLICIES)
    'max_score'
    """
    if not isinstance(value, str) or value not in choices:
        raise ValidationError(
            f"`{argument}` must be one of {', '.join(map(repr, choices))}; got {shown(value)}.",
            argument=argument,
        )
    return value


def check_policy(policy: object) -> str:
    """``policy`` as one of :data:`POLICIES`."""
    return check_choice(policy, "policy", POLICIES)


def check_time_limit(time_limit: object) -> float | None:
    """A positive number of seconds (at most a year) or None."""
    if time_limit is None:
        return None
    return check_real(
        time_limit,
        "time_limit",
        low=0,
        low_open=True,
        high=MAX_TIME_LIMIT,
        what=f"a positive number of seconds (at most {MAX_TIME_LIMIT:g}) or None",
    )


def check_gap_limit(gap_limit: object) -> float:
    """``gap_limit`` as a float ≥ 0 (``None``: 0, search until optimal)."""
    if gap_limit is None:
        return 0.0
    return check_real(gap_limit, "gap_limit", low=0, what="a relative gap ≥ 0 (e.g. 1e-3) or None")


def check_workers(workers: object) -> int:
    """CP-SAT workers: an integer from 1 to 1024."""
    return check_int(workers, "workers", low=1, high=1024)


def check_rng(rng: object) -> np.random.Generator:
    """``np.random.default_rng(rng)`` for None, an int seed ≥ 0, a flat sequence of them, a
    SeedSequence, BitGenerator or Generator; a named error for anything else.

    >>> int(check_rng(3).integers(10)) == int(check_rng(3).integers(10))
    True
    """
    bad = ValidationError(
        f"`rng` must be None, an int seed ≥ 0, a sequence of them or a numpy Generator; "
        f"got {shown(rng)}.",
        argument="rng",
    )
    if isinstance(rng, (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)):
        return np.random.default_rng(rng)
    if rng is None:
        return np.random.default_rng()
    flat = is_collection(rng)
    seeds = list(rng) if is_collection(rng) else [rng]
    if not all(isinstance(x, numbers.Integral) and not isinstance(x, bool) for x in seeds):
        raise bad
    ints = [int(x) for x in seeds]  # type: ignore[arg-type]  # Integral, checked above
    if any(x < 0 for x in ints):
        raise bad
    return np.random.default_rng(ints if flat else ints[0])


def check_weights(weights: object, *, known: Sequence[str], argument: str) -> dict[str, float]:
    """A mapping of names in ``known`` to finite weights ≥ 0, at least one positive.

    >>> check_weights({"learning": 1}, known=("learning", "timezone"), argument="weights")
    {'learning': 1.0}
    """
    if not isinstance(weights, Mapping):
        raise ValidationError(
            f"`{argument}` must be a mapping of term name to weight; got {shown(weights)}.",
            argument=argument,
        )
    out = {}
    for name, w in weights.items():
        if name not in known:
            raise ValidationError(
                f"unknown score term {name!r} in `{argument}`; terms are {list(known)}.",
                argument=argument,
            )
        out[name] = check_real(w, f"{argument}[{name!r}]", low=0)
    if not any(out.values()):
        raise ValidationError(
            f"`{argument}` must give at least one term a positive weight.", argument=argument
        )
    return out


def is_collection(value: object) -> TypeGuard[Iterable[Any]]:
    """Whether ``value`` can be read as a sequence of items: iterable, but not a string,
    bytes, a mapping (whose iteration gives its keys) or a zero-dimensional array.

    >>> is_collection([1, 2]), is_collection("ab"), is_collection({"a": 1})
    (True, False, False)
    """
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return False
    return not (isinstance(value, np.ndarray) and value.ndim == 0)


def check_sequence(value: object, argument: str, kind: type, what: str) -> tuple[Any, ...]:
    """Any iterable (not a str, not a single ``kind``) of ``kind`` objects, as a tuple."""
    if isinstance(value, kind):
        raise ValidationError(
            f"`{argument}` must be a sequence of {what}; got one {type(value).__name__} — "
            f"wrap it in a list.",
            argument=argument,
        )
    if not is_collection(value):
        raise ValidationError(
            f"`{argument}` must be a sequence of {what}; got {shown(value)}.", argument=argument
        )
    items = tuple(value)
    for item in items:
        if not isinstance(item, kind):
            raise ValidationError(
                f"`{argument}` must hold {what}; got {type(item).__name__}.", argument=argument
            )
    return items


def shown(value: object) -> str:
    """How a bad option is shown in a message: small scalars as they are, others by type
    (an option is never a participant's attribute value, but keep messages short)."""
    if (
        value is None
        or isinstance(value, (bool, numbers.Number))
        or (isinstance(value, str) and len(value) <= 40)
    ):
        return repr(value)
    return type(value).__name__


class ReadOnlyDict(Mapping[str, Any]):
    """A read-only mapping that pickles (``MappingProxyType`` does not, and problems travel
    to process pools).

    >>> d = ReadOnlyDict({"learning": 1.0})
    >>> d["learning"], dict(d)
    (1.0, {'learning': 1.0})
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __eq__(self, other: object) -> bool:
        return dict(self._data) == other if isinstance(other, Mapping) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[ReadOnlyDict], tuple[dict[str, Any]]]:
        return (ReadOnlyDict, (self._data,))
