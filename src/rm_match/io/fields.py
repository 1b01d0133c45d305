"""Cell parsers for HR tables: missing values, labels, lists, time zones and generations.

Each function reads one cell (a string from a CSV file, or a value from a DataFrame) and
returns a plain Python value or raises :class:`~rm_match.ValidationError`. The messages never
repeat a cell's value, except where the value is vocabulary the user needs to fix the file
(an unknown time-zone text, with the closest known name). :func:`rm_match.io.read_people`
calls them once per distinct cell text, not once per row.

Time zones
----------
:func:`timezone_offset` accepts

- IANA names (``"Europe/Berlin"``; case, and spaces for underscores, do not matter) that
  :func:`zoneinfo.available_timezones` lists (not the system files ``localtime``,
  ``Factory`` or ``posixrules``, nor the ``posix/`` and ``right/`` copies), converted
  through :mod:`zoneinfo` at noon UTC of a reference date, so daylight saving time counts:
  Berlin is +1 in January and +2 in July;
- fixed offsets: ``"UTC+2"``, ``"GMT-3:30"``, ``"+05:30"``, ``"-0800"``, ``"UTC"``, ``"GMT"``,
  ``"Z"`` and plain numbers of hours (``"5.5"``, ``-3``). ``GMT+1`` means one hour *ahead* of
  UTC, as people write it (unlike the POSIX-style IANA name ``Etc/GMT+1``);
- common abbreviations (:data:`TIMEZONE_ABBREVIATIONS`), each mapped to a representative IANA
  zone and converted at the reference date like an IANA name: ``"CET"`` and ``"CEST"`` both
  mean Berlin time, whichever half of the year the date falls in. ``IST`` is India
  (Asia/Kolkata), not Israel or Ireland; ``CST`` is US Central, not China;
- city names alone, as an HR export's office column holds them (case, and spaces for
  underscores, do not matter): the city of exactly one IANA zone (``"Berlin"`` →
  Europe/Berlin, ``"Sao Paulo"`` → America/Sao_Paulo; names that are links to one zone, such
  as ``Istanbul`` under Europe/ and Asia/, count as one), or a common city that names no zone
  (:data:`TIMEZONE_CITIES`: ``"Mumbai"`` → Asia/Kolkata, ``"San Francisco"`` →
  America/Los_Angeles). Only the zones of the continents and oceans count (not the ``US/``,
  ``Etc/``, ... links), less the Australian states and compass points (``"Victoria"``,
  ``"West"``). A city is read as the zone named after it: ``"Cordoba"`` is Argentina's,
  not Spain's; give an IANA name or an offset where that is wrong. A city that names
  several zones of different offsets is a problem naming them.

An unknown text is a problem naming the closest known spelling: an IANA name, an
abbreviation or a city (with its zone: ``'Bengaluru' (Asia/Kolkata)`` for ``"Bengalore"``).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import numbers
import re
import unicodedata
from collections.abc import Collection, Mapping
from functools import lru_cache

from ..errors import ValidationError

__all__ = [
    "EXCEL_ERRORS",
    "GENERATIONS",
    "NA_VALUES",
    "TIMEZONE_ABBREVIATIONS",
    "TIMEZONE_CITIES",
    "generation",
    "is_missing",
    "label_key",
    "split_items",
    "timezone_offset",
]

#: Cell texts read as missing (after stripping), like pandas' defaults; an empty or
#: whitespace-only cell is always missing. They apply to whole cells, never to the items of a
#: multi-value cell.
NA_VALUES: frozenset[str] = frozenset(
    (
        "",
        "NA",
        "N/A",
        "n/a",
        "#N/A",
        "#NA",
        "<NA>",
        "NaN",
        "nan",
        "-nan",
        "NaT",
        "null",
        "NULL",
        "None",
    )
)

#: Excel's error values (a formula that failed): :func:`rm_match.io.read_people` reports a
#: cell holding one as a problem, never reads it as a label or an id. (``#N/A`` is missing:
#: see :data:`NA_VALUES`.)
EXCEL_ERRORS: frozenset[str] = frozenset(
    (
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
    )
)

#: Generations by birth year, as the Pew Research Center draws them:
#: ``(label, first year, last year)``, ``None`` for an open end.
GENERATIONS: tuple[tuple[str, int | None, int | None], ...] = (
    ("Silent", None, 1945),
    ("Boomer", 1946, 1964),
    ("Gen X", 1965, 1980),
    ("Millennial", 1981, 1996),
    ("Gen Z", 1997, 2012),
    ("Gen Alpha", 2013, None),
)

#: Time-zone abbreviations and the IANA zone each stands for (converted at the reference date,
#: so a summer abbreviation in winter gives the winter offset of the same place).
TIMEZONE_ABBREVIATIONS: Mapping[str, str] = {
    # Europe
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "MET": "Europe/Berlin",
    "MEST": "Europe/Berlin",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    "WET": "Europe/Lisbon",
    "WEST": "Europe/Lisbon",
    "BST": "Europe/London",
    "MSK": "Europe/Moscow",
    "TRT": "Europe/Istanbul",
    # the Americas
    "ET": "America/New_York",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "CT": "America/Chicago",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "MT": "America/Denver",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PT": "America/Los_Angeles",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "AST": "America/Halifax",
    "ADT": "America/Halifax",
    "NST": "America/St_Johns",
    "NDT": "America/St_Johns",
    "BRT": "America/Sao_Paulo",
    "ART": "America/Argentina/Buenos_Aires",
    # Africa and the Middle East
    "WAT": "Africa/Lagos",
    "CAT": "Africa/Maputo",
    "EAT": "Africa/Nairobi",
    "SAST": "Africa/Johannesburg",
    "GST": "Asia/Dubai",
    # Asia and the Pacific
    "PKT": "Asia/Karachi",
    "IST": "Asia/Kolkata",
    "ICT": "Asia/Bangkok",
    "WIB": "Asia/Jakarta",
    "SGT": "Asia/Singapore",
    "HKT": "Asia/Hong_Kong",
    "PHT": "Asia/Manila",
    "JST": "Asia/Tokyo",
    "KST": "Asia/Seoul",
    "AWST": "Australia/Perth",
    "ACST": "Australia/Adelaide",
    "ACDT": "Australia/Adelaide",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
}

#: Common cities (office sites) that name no IANA zone, and the zone each lies in. A city that
#: does name one (``Berlin``, ``Kolkata``, ``Toronto``, ``Sydney``, ``Dubai``) needs no entry:
#: :func:`timezone_offset` reads it as that zone.
TIMEZONE_CITIES: Mapping[str, str] = {
    # India
    "Mumbai": "Asia/Kolkata",
    "Delhi": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata",
    "Bangalore": "Asia/Kolkata",
    "Bengaluru": "Asia/Kolkata",
    "Chennai": "Asia/Kolkata",
    "Hyderabad": "Asia/Kolkata",
    "Pune": "Asia/Kolkata",
    "Gurgaon": "Asia/Kolkata",
    "Gurugram": "Asia/Kolkata",
    "Noida": "Asia/Kolkata",
    # China and Japan
    "Beijing": "Asia/Shanghai",
    "Shenzhen": "Asia/Shanghai",
    "Guangzhou": "Asia/Shanghai",
    "Osaka": "Asia/Tokyo",
    # the United States
    "San Francisco": "America/Los_Angeles",
    "Seattle": "America/Los_Angeles",
    "Washington": "America/New_York",
    "Washington DC": "America/New_York",
    "Boston": "America/New_York",
    "Atlanta": "America/New_York",
    "Miami": "America/New_York",
    "Dallas": "America/Chicago",
    "Houston": "America/Chicago",
    # Europe and the Middle East
    "Munich": "Europe/Berlin",
    "Frankfurt": "Europe/Berlin",
    "Hamburg": "Europe/Berlin",
    "Geneva": "Europe/Zurich",
    "Zug": "Europe/Zurich",
    "Barcelona": "Europe/Madrid",
    "Milan": "Europe/Rome",
    "Abu Dhabi": "Asia/Dubai",
}

_NA_TYPES = frozenset(("NAType", "NaTType"))
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def is_missing(value: object, na_values: Collection[str] = NA_VALUES) -> bool:
    """Whether a cell is missing: ``None``, a NaN (float, numpy, ``Decimal``), pandas ``NA`` or
    ``NaT``, an empty or whitespace-only string, or a string in ``na_values`` (after stripping).

    pandas is never imported: its missing markers are recognised by their type's name.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), "  ", "N/A", "n.a.", 0, "0")]
    [True, True, True, True, False, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        s = value.strip().strip(_ZERO_WIDTH)
        return not s or s in na_values
    if isinstance(value, float):
        return value != value
    if type(value).__name__ in _NA_TYPES:
        return True
    try:
        return bool(value != value)
    except Exception:  # an array, or a type whose comparison is not a bool
        return False


def _clean(text: str) -> str:
    """NFKC-normalised, stripped (ids, e-mails, skill and zone texts)."""
    if text.isascii():  # NFKC leaves ASCII alone, and zero-width characters are not ASCII
        return text.strip()
    return unicodedata.normalize("NFKC", text).strip().strip(_ZERO_WIDTH).strip()


def _strip(text: str) -> str:
    """Surrounding whitespace (and zero-width characters) removed, nothing else changed: how
    a label is spelled, for telling spellings apart."""
    if text.isascii():
        return text.strip()
    return text.strip().strip(_ZERO_WIDTH).strip()


def _display(text: str) -> str:
    """A label as kept: NFKC-normalised, stripped, internal whitespace collapsed to one space."""
    if text.isascii():
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFKC", text).strip(_ZERO_WIDTH).split())


def label_key(text: str) -> str:
    """The key two spellings of one categorical label share: NFKC-normalised, stripped,
    internal whitespace collapsed, case-folded.

    Examples
    --------
    >>> label_key("  Data   Science ") == label_key("data science") == label_key("ＤＡＴＡ SCIENCE")
    True
    """
    return _display(text).casefold()


_SEPARATORS = ";,|\n\r；，｜、"  # with the full-width forms and the ideographic comma
_SPLIT = re.compile(f"[{re.escape(_SEPARATORS)}]")
_OPEN, _CLOSE = "([{（［｛", ")]}）］｝"
_BULLET = re.compile(r"^(?:[•·▪◦*]|[-–]\s)\s*")


def split_items(text: str, separator: str | None = None) -> list[str]:
    """The items of a multi-value cell, stripped, empty ones dropped.

    Parameters
    ----------
    text : str
        The cell.
    separator : str, optional
        Split on this string only. By default a cell splits on ``;``, ``,``, ``|`` (and their
        full-width forms ``；``, ``，``, ``｜``), the ideographic comma ``、`` and line breaks
        that are not inside parentheses or brackets, so ``"Data (Excel, SQL)"`` stays one
        item; the part of a cell where a bracket is never closed splits as if it had none. A
        leading bullet (``•``, ``*``, ``"- "``) of a line is dropped. The items keep their
        characters (no NFKC here: telling spellings apart needs them as written).

    Examples
    --------
    >>> split_items("English; German")
    ['English', 'German']
    >>> split_items("Data (Excel, SQL), cycling | jazz")
    ['Data (Excel, SQL)', 'cycling', 'jazz']
    >>> split_items("a / b", separator="/")
    ['a', 'b']
    >>> split_items("Data (Excel, SQL), AI (GenAI, cycling")  # never closed: a plain split
    ['Data (Excel, SQL)', 'AI (GenAI', 'cycling']
    """
    if separator is not None:
        parts = text.split(separator)
    elif not any(c in text for c in _OPEN):
        parts = _SPLIT.split(text)
    else:
        parts, depth, start = [], 0, 0
        for i, c in enumerate(text):
            if c in _OPEN:
                depth += 1
            elif c in _CLOSE:
                depth = max(depth - 1, 0)
            elif depth == 0 and c in _SEPARATORS:
                parts.append(text[start:i])
                start = i + 1
        parts.append(text[start:])
        if depth:  # a bracket never closed would swallow the rest: split that part plainly
            parts[-1:] = _SPLIT.split(parts[-1])
    out = []
    for p in parts:
        p = p.strip()
        if separator is None and p:
            p = _BULLET.sub("", p)
        if p:
            out.append(p)
    return out


def generation(year: int) -> str:
    """The generation (:data:`GENERATIONS`, Pew Research Center bands) of a birth year.

    Silent ≤ 1945, Boomer 1946–1964, Gen X 1965–1980, Millennial 1981–1996, Gen Z 1997–2012,
    Gen Alpha ≥ 2013.

    Examples
    --------
    >>> generation(1964), generation(1965), generation(1996), generation(2001)
    ('Boomer', 'Gen X', 'Millennial', 'Gen Z')
    """
    if not isinstance(year, numbers.Integral) or isinstance(year, bool):
        raise ValidationError("`year` must be an integer year.", argument="year")
    for label, first, last in GENERATIONS:
        if (first is None or year >= first) and (last is None or year <= last):
            return label
    raise AssertionError("the bands cover every year")  # pragma: no cover


# -- time zones ----------------------------------------------------------------------------------

_FIXED = re.compile(
    r"(?:utc|gmt|ut)?(?P<sign>[+-]?)"
    r"(?:(?P<h>\d{1,2})(?::(?P<m>\d{2}))?|(?P<hh>\d{2})(?P<mm>\d{2})|(?P<dec>\d{1,2}\.\d+))"
)
_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "‐": "-"})


_NOT_ZONES = frozenset(("localtime", "factory", "posixrules"))


@lru_cache(maxsize=1)
def _available() -> dict[str, str]:
    """Case-folded IANA name → name (empty when the system has no time-zone database): the
    names :func:`zoneinfo.available_timezones` lists, less the system's helper files."""
    from zoneinfo import available_timezones

    return {
        name.casefold(): name
        for name in sorted(available_timezones())
        if name.casefold() not in _NOT_ZONES and not name.startswith(("posix/", "right/"))
    }


#: The areas whose zones are named after a city (not ``US/``, ``Etc/``, ``Canada/``, ...).
_CITY_AREAS = frozenset(
    (
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    )
)
#: Last components of those zones that are no city (Australian states, compass points).
_NOT_CITIES = frozenset(
    (
        "act",
        "nsw",
        "lhi",
        "north",
        "south",
        "west",
        "queensland",
        "tasmania",
        "victoria",
        "yancowinna",
    )
)


def _city_key(text: str) -> str:
    """How a city is compared: case-folded, underscores as spaces, spaces collapsed."""
    return " ".join(text.replace("_", " ").split()).casefold()


def _same_zone(names: list[str]) -> bool:
    """Whether zones keep one offset as each other (a name and its links), 1990–2040."""
    infos = [_zone_info(n) for n in names]
    if any(tz is None for tz in infos):
        return False
    for year in range(1990, 2041):
        for month in (1, 4, 7, 10):
            at = _dt.datetime(year, month, 1, 12, tzinfo=_dt.UTC)
            if len({at.astimezone(tz).utcoffset() for tz in infos}) > 1:
                return False
    return True


@lru_cache(maxsize=1)
def _cities() -> dict[str, tuple[str, tuple[str, ...]]]:
    """City key → (the city as shown, its zones): one zone where the city is unambiguous
    (zones that are links to one another count as one), several where it is not."""
    found: dict[str, list[str]] = {}
    for name in _available().values():
        area, _, city = name.rpartition("/")
        if area.split("/")[0] in _CITY_AREAS and _city_key(city) not in _NOT_CITIES:
            found.setdefault(_city_key(city), []).append(name)
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for key, names in found.items():
        shown = names[0].rpartition("/")[2].replace("_", " ")
        zones = names[:1] if len(names) == 1 or _same_zone(names) else names
        out[key] = (shown, tuple(zones))
    for city, zone in TIMEZONE_CITIES.items():
        out[_city_key(city)] = (city, (zone,))
    return out


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, tuple[str, str | None]]:
    """Spelling key (case-folded, underscores as spaces) → (the spelling as shown, the zone
    it stands for where that is not the spelling itself), for "closest known" hints: IANA
    names, abbreviations and unambiguous cities."""
    out: dict[str, tuple[str, str | None]] = {
        key: (shown, zones[0]) for key, (shown, zones) in _cities().items() if len(zones) == 1
    }
    out.update({k.casefold(): (k, None) for k in TIMEZONE_ABBREVIATIONS})
    out.update({_city_key(name): (name, None) for name in _available().values()})
    return out


def _zone_info(name: str) -> _dt.tzinfo | None:
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # KeyError: ZoneInfoNotFoundError
        return None


def _shown_text(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


_CLOSEST_MAX = 40  # longer texts are no misspelt zone (an e-mail, a sentence): no search


@lru_cache(maxsize=4096)
def _closest_zone(text: str) -> str | None:
    """The known spelling most like ``text``, shown with its zone where it is a city
    (``'Bengaluru' (Asia/Kolkata)``), or None."""
    if len(text) > _CLOSEST_MAX:
        return None
    city = _cities().get(_city_key(text.rpartition("/")[2]))
    if "/" in text and city is not None and len(city[1]) == 1:  # "Asia/Mumbai"
        return f"{city[0]!r} ({city[1][0]})"
    names = _zone_names()
    hit = difflib.get_close_matches(_city_key(text), list(names), n=1, cutoff=0.6)
    if not hit:
        return None
    shown, zone = names[hit[0]]
    return repr(shown) if zone is None else f"{shown!r} ({zone})"


def _parse_zone(value: object, hint: bool = True) -> float | str:
    """A fixed offset in hours, or the IANA name a cell stands for; a named error otherwise
    (naming the closest known zone where ``hint``)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        hours = float(value)
        if not math.isfinite(hours):
            raise ValidationError("time zone is not a finite number of hours.", argument="timezone")
        return hours + 0.0  # -0.0 → 0.0
    if not isinstance(value, str):
        raise ValidationError(
            f"time zone must be a text or a number of hours; got {type(value).__name__}.",
            argument="timezone",
        )
    text = _clean(value)
    compact = re.sub(r"\s+", "", text.translate(_DASHES)).casefold()
    if compact in ("utc", "gmt", "ut", "z"):
        return 0.0
    m = _FIXED.fullmatch(compact)
    if m:
        if m["dec"] is not None:
            hours = float(m["dec"])
        else:
            h, mins = (m["h"], m["m"]) if m["h"] is not None else (m["hh"], m["mm"])
            if mins is not None and int(mins) >= 60:
                raise ValidationError(
                    f"time zone {_shown_text(text)} has minutes ≥ 60.", argument="timezone"
                )
            hours = int(h) + int(mins or 0) / 60
        return (-hours if m["sign"] == "-" else hours) + 0.0  # "-00:00" → 0.0, not -0.0
    abbreviation = TIMEZONE_ABBREVIATIONS.get(compact.upper())
    if abbreviation is not None:
        return abbreviation
    name = re.sub(r"\s+", "_", re.sub(r"\s*/\s*", "/", text))
    known = _available().get(name.casefold())
    if known is not None and _zone_info(known) is not None:
        return known
    city = _cities().get(_city_key(text)) if "/" not in text else None
    if city is not None and len(city[1]) == 1 and _zone_info(city[1][0]) is not None:
        return city[1][0]
    if not hint:
        raise ValidationError(f"unknown time zone {_shown_text(text)}.", argument="timezone")
    if city is not None and len(city[1]) > 1:
        raise ValidationError(
            f"unknown time zone {_shown_text(text)}; it is the city of several zones "
            f"({', '.join(city[1])}): give one of them.",
            argument="timezone",
        )
    best = _closest_zone(name)
    said = (
        f"closest known: {best}"
        if best
        else "no close match (give an IANA name such as 'Europe/Berlin' or an offset such as "
        "'UTC+1')"
    )
    if not _available():
        said += "; no time-zone database was found (pip install tzdata)"
    raise ValidationError(f"unknown time zone {_shown_text(text)}; {said}.", argument="timezone")


def _noon(on: _dt.date) -> _dt.datetime:
    return _dt.datetime(on.year, on.month, on.day, 12, tzinfo=_dt.UTC)


def _zone_hours(value: object, on: _dt.date, hint: bool = True) -> tuple[float, bool]:
    """``(hours, has_dst)``: the UTC offset of a cell's zone at noon UTC of ``on``, and whether
    the zone observes daylight saving time (so that the date matters)."""
    zone = _parse_zone(value, hint)
    if isinstance(zone, float):
        hours, dst = zone, False
    else:
        tz = _zone_info(zone)
        assert tz is not None  # _parse_zone returns only names that load
        offset = _noon(on).astimezone(tz).utcoffset()
        assert offset is not None
        hours = offset.total_seconds() / 3600
        jan = _dt.datetime(on.year, 1, 1, 12, tzinfo=_dt.UTC).astimezone(tz)
        jul = _dt.datetime(on.year, 7, 1, 12, tzinfo=_dt.UTC).astimezone(tz)
        dst = jan.utcoffset() != jul.utcoffset()
    if not -12.0 <= hours <= 14.0:
        raise ValidationError("time zone offset is outside [-12, 14] hours.", argument="timezone")
    return hours, dst


def timezone_offset(value: str | float, *, on: _dt.date | None = None) -> float:
    """The UTC offset in hours of a time-zone cell, at noon UTC of the date ``on``.

    Parameters
    ----------
    value : str or float
        An IANA name, a fixed offset, an abbreviation, a city or a number of hours (see the
        module docstring for the forms).
    on : datetime.date, optional
        The date the offset holds on (daylight saving time); today if omitted.

    Returns
    -------
    float
        Hours east of UTC, within [-12, 14].

    Raises
    ------
    ValidationError
        For a text that is no time zone (the message shows the text and the closest known
        name), or an offset outside [-12, 14].

    Examples
    --------
    >>> import datetime
    >>> winter, summer = datetime.date(2025, 1, 15), datetime.date(2025, 7, 15)
    >>> timezone_offset("Europe/Berlin", on=winter), timezone_offset("Europe/Berlin", on=summer)
    (1.0, 2.0)
    >>> timezone_offset("UTC+5:30"), timezone_offset("-03:00"), timezone_offset("IST")
    (5.5, -3.0, 5.5)
    >>> timezone_offset("PST", on=summer)
    -7.0
    >>> timezone_offset("berlin", on=winter), timezone_offset("Mumbai", on=winter)
    (1.0, 5.5)
    >>> timezone_offset("Europe/Berln")
    Traceback (most recent call last):
    ...
    rm_match.errors.ValidationError: unknown time zone 'Europe/Berln';
    closest known: 'Europe/Berlin'.
    """
    if on is not None and not isinstance(on, _dt.date):
        raise ValidationError(
            f"`on` must be a datetime.date; got {type(on).__name__}.", argument="on"
        )
    day = on if on is not None else _dt.date.today()
    if isinstance(day, _dt.datetime):
        day = day.date()
    return _zone_hours(value, day)[0]
