"""A small TOML writer for rm_match's own plain data (the standard library reads TOML with
:mod:`tomllib` but cannot write it).

It writes what :meth:`rm_match.Programme.to_dict` produces and ``tomllib`` reads back to the
same value: strings, integers (64-bit), floats, booleans, lists, and tables (mappings with
string keys), nested to any depth; a list of tables becomes an array of tables
(``[[rules]]``). Strings are written as basic strings with every character TOML requires
escaped; keys that are not bare (letters, digits, ``_`` and ``-``) are quoted. Anything else
(``None``, dates, numpy scalars, non-string keys) is refused with a
:class:`~rm_match.ValidationError`: ``tomllib.loads(dumps(x)) == x`` for every ``x`` it
accepts (but a ``nan``, which TOML writes and reads, is never equal to itself).

Examples
--------
>>> print(dumps({"name": 'say "hi"', "n": 3, "tags": ["a", "b"], "sub": {"x": 0.1},
...              "items": [{"k": True}, {"k": False}]}))
name = "say \\"hi\\""
n = 3
tags = ["a", "b"]
<BLANKLINE>
[sub]
x = 0.1
<BLANKLINE>
[[items]]
k = true
<BLANKLINE>
[[items]]
k = false
<BLANKLINE>
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ValidationError

__all__ = ["dumps", "key", "value"]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_INT64 = (-(2**63), 2**63 - 1)
#: an array written inline up to this many characters, one item a line beyond
_WIDTH = 100


def _fail(message: str, where: str) -> ValidationError:
    return ValidationError(
        f"cannot write {where or 'the document'} as TOML: {message}", argument=where or "data"
    )


def _string(text: str, where: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            raise _fail("a string holds a lone surrogate (not a Unicode character).", where)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def key(name: object, where: str = "") -> str:
    """A table key: bare when it can be, a quoted basic string otherwise.

    >>> key("depth"), key("two words"), key("a.b"), key("")
    ('depth', '"two words"', '"a.b"', '""')
    """
    if not isinstance(name, str):
        raise _fail(f"keys must be strings; got {type(name).__name__}.", where)
    return name if _BARE.fullmatch(name) else _string(name, where)


def _is_table_array(v: object) -> bool:
    """A non-empty list of tables only: written as ``[[name]]`` sections."""
    return (
        isinstance(v, Sequence)
        and not isinstance(v, str)
        and len(v) > 0
        and all(isinstance(x, Mapping) for x in v)
    )


def value(v: object, where: str = "") -> str:
    """One value written inline (tables as inline tables ``{ a = 1 }``).

    >>> value(1e-9), value(0.1), value(-0.0), value([1, "a\\n"]), value({"x y": True})
    ('1e-09', '0.1', '-0.0', '[1, "a\\\\n"]', '{ "x y" = true }')
    """
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        if not _INT64[0] <= v <= _INT64[1]:
            raise _fail("an integer is outside TOML's 64-bit range.", where)
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)  # shortest text that reads back to the same float: 0.1, 1e-09, 1.0
    if isinstance(v, str):
        return _string(v, where)
    if isinstance(v, Mapping):
        items = [f"{key(k, where)} = {value(x, f'{where}.{k}')}" for k, x in v.items()]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x, f"{where}[{i}]") for i, x in enumerate(v)) + "]"
    raise _fail(
        f"{type(v).__name__} is not a TOML value (str, int, float, bool, list or table).", where
    )


def _assignment(name: str, v: object, where: str) -> str:
    text = value(v, where)
    if len(text) + len(name) + 3 > _WIDTH and isinstance(v, (list, tuple)) and v:
        # a long array: one item a line (TOML allows newlines inside arrays)
        items = [f"    {value(x, f'{where}[{i}]')}," for i, x in enumerate(v)]
        text = "[\n" + "\n".join(items) + "\n]"
    return f"{name} = {text}"


def _table(data: Mapping[str, Any], header: list[str], where: str, out: list[str]) -> None:
    """Write ``data``'s plain values, then its sub-tables, then its arrays of tables."""
    subtables, arrays = [], []
    for k, v in data.items():
        name = key(k, where)
        here = f"{where}.{k}" if where else str(k)
        if isinstance(v, Mapping):
            subtables.append((name, here, v))
        elif _is_table_array(v):
            arrays.append((name, here, v))
        else:
            out.append(_assignment(name, v, here))
    for name, here, v in subtables:
        path = [*header, name]
        out.extend(["", f"[{'.'.join(path)}]"])
        _table(v, path, here, out)
    for name, here, v in arrays:
        path = [*header, name]
        for i, item in enumerate(v):
            out.extend(["", f"[[{'.'.join(path)}]]"])
            _table(item, path, f"{here}[{i}]", out)


def dumps(data: Mapping[str, Any]) -> str:
    """``data`` as a TOML document that :func:`tomllib.loads` reads back to ``data``.

    Parameters
    ----------
    data : mapping of str to value
        Values are str, int (64-bit), float, bool, lists of values, and mappings with string
        keys; a non-empty list of mappings is written as an array of tables.

    Returns
    -------
    str
        The document, ending in a newline.

    Raises
    ------
    ValidationError
        If ``data`` holds anything else (``None``, a date, a non-string key, an integer
        beyond 64 bits, a string with a lone surrogate); the message names where.

    Examples
    --------
    >>> import tomllib
    >>> doc = {"a b": {"c.d": [1, 2.5]}, "s": "tab\\tquote\\"", "t": [{"x": 1}]}
    >>> tomllib.loads(dumps(doc)) == doc
    True
    """
    if not isinstance(data, Mapping):
        raise _fail(f"a document must be a table (a mapping); got {type(data).__name__}.", "")
    out: list[str] = []
    _table(data, [], "", out)
    text = "\n".join(out).lstrip("\n")
    return text + "\n" if text else ""
