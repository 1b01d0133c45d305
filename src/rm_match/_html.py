"""Tiny HTML helpers for the notebook reprs and the programme report: escaping, cell
formatting, tables. Standard library only; every value goes through :func:`escape`.

Examples
--------
>>> print(table(["group", "share"], [["<b>", 0.5], ["x", None]]))
<table>
<thead><tr><th>group</th><th>share</th></tr></thead>
<tbody>
<tr><td>&lt;b&gt;</td><td class="num">0.5</td></tr>
<tr><td>x</td><td class="num">—</td></tr>
</tbody>
</table>
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["DASH", "cell", "escape", "keyvalues", "pct", "table"]

#: How a missing or suppressed figure is shown.
DASH = "—"


def escape(value: object) -> str:
    """``str(value)`` escaped for HTML text and attribute values (quotes included).

    >>> escape('a "b" <c> & d')
    'a &quot;b&quot; &lt;c&gt; &amp; d'
    """
    return html.escape(str(value), quote=True)


def pct(value: float | None, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage; :data:`DASH` for ``None``.

    >>> pct(0.4567), pct(None)
    ('45.7%', '—')
    """
    if value is None:
        return DASH
    return f"{100 * value:.{digits}f}%"


def cell(value: object) -> str:
    """The text of a table cell (not escaped): :data:`DASH` for ``None`` or NaN, ``yes`` /
    ``no`` for booleans, floats to 4 significant digits, anything else as ``str``.

    >>> cell(None), cell(True), cell(0.123456), cell(3), cell(float("nan"))
    ('—', 'yes', '0.1235', '3', '—')
    """
    if value is None:
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        return DASH if math.isnan(x) else f"{x:.4g}"
    return str(value)


def _is_number(value: object) -> bool:
    return value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool))


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
    cls: str | None = None,
) -> str:
    """An HTML table: escaped header and cells (each through :func:`cell` unless it is a
    ``str``), numbers (and missing figures) right-aligned with ``class="num"``.

    >>> table(["a"], [[1]], caption="c & d", cls="small").splitlines()[:2]
    ['<table class="small">', '<caption>c &amp; d</caption>']
    """
    out = [f'<table class="{escape(cls)}">' if cls else "<table>"]
    if caption:
        out.append(f"<caption>{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        tds = []
        for value in row:
            text = value if isinstance(value, str) else cell(value)
            attr = ' class="num"' if _is_number(value) else ""
            tds.append(f"<td{attr}>{escape(text)}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</tbody>")
    out.append("</table>")
    return "\n".join(out)


def keyvalues(items: Mapping[str, object], *, caption: str | None = None) -> str:
    """A two-column table of names and values (see :func:`table`).

    >>> "<td>pairs</td>" in keyvalues({"pairs": 3})
    True
    """
    return table(["figure", "value"], list(items.items()), caption=caption, cls="kv")
