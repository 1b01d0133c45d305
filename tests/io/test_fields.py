"""Cell parsers: missing values, label keys, list splitting, time zones, generations."""

import datetime
import decimal
import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_match.errors import ValidationError
from rm_match.io.fields import (
    EXCEL_ERRORS,
    GENERATIONS,
    NA_VALUES,
    TIMEZONE_ABBREVIATIONS,
    TIMEZONE_CITIES,
    generation,
    is_missing,
    label_key,
    split_items,
    timezone_offset,
)

WINTER = datetime.date(2025, 1, 15)
SUMMER = datetime.date(2025, 7, 15)


# -- missing values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,
        float("nan"),
        np.nan,
        np.float32("nan"),
        np.datetime64("NaT"),
        decimal.Decimal("NaN"),
        "",
        "   ",
        "\t\n",
        "\u200b",
        *sorted(NA_VALUES),
    ],
)
def test_missing(value):
    assert is_missing(value)


@pytest.mark.parametrize("value", [0, 0.0, "0", "-", "NAME", "none of them", False, [], (1,)])
def test_not_missing(value):
    assert not is_missing(value)


@pytest.mark.parametrize("text", ["<NA>", "NaT", "#NA", "-nan"])
def test_more_missing_texts(text):
    assert text in NA_VALUES and is_missing(f" {text} ")


def test_excel_errors_are_not_missing():
    assert not any(is_missing(e) for e in EXCEL_ERRORS) and "#REF!" in EXCEL_ERRORS


def test_pandas_markers_are_missing_without_importing_pandas_here():
    pd = pytest.importorskip("pandas")
    assert is_missing(pd.NA) and is_missing(pd.NaT)
    assert not is_missing(pd.Timestamp("2020-01-01"))


def test_custom_na_values_replace_the_defaults():
    assert is_missing("-", na_values={"-"})
    assert not is_missing("NA", na_values={"-"})
    assert is_missing("  ", na_values=())  # blank is always missing


def test_label_key():
    assert label_key(" Data   Science ") == label_key("data science") == "data science"
    assert label_key("ＩＴ") == label_key("it")  # full-width letters (NFKC)
    assert label_key("Straße") == label_key("STRASSE")  # case folding, not lower()


# -- lists ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("English; German", ["English", "German"]),
        ("cycling, jazz", ["cycling", "jazz"]),
        ("a | b |c", ["a", "b", "c"]),
        ("a\nb\r\nc", ["a", "b", "c"]),
        ("Data (Excel, SQL), cycling", ["Data (Excel, SQL)", "cycling"]),
        ("x [1; 2]; y {a, b}", ["x [1; 2]", "y {a, b}"]),
        ("unbalanced ), a, b", ["unbalanced )", "a", "b"]),
        ("• English\n• German", ["English", "German"]),
        ("- one\n- two-part", ["one", "two-part"]),
        (" ;, a ;; ", ["a"]),
        ("", []),
        ("a (b, c; d", ["a (b", "c", "d"]),  # never closed: split as if it were not there
        ("x (1, 2), y [3; z", ["x (1, 2)", "y [3", "z"]),
        ("英語；日本語、中国語，韓国語｜タイ語", ["英語", "日本語", "中国語", "韓国語", "タイ語"]),
        ("データ（Excel、SQL）、統計", ["データ（Excel、SQL）", "統計"]),
        ("ＩＴ; IT", ["ＩＴ", "IT"]),  # items as written: no NFKC here
    ],
)
def test_split_items_default(text, items):
    assert split_items(text) == items


_ITEM = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
        blacklist_characters=";,|([{)]}•·▪◦*-–\x1c\x1d\x1e\x1f\x85；，｜、（［｛）］｝",
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(items=st.lists(_ITEM, max_size=5), sep=st.sampled_from(["; ", ",", " | ", "\n"]))
def test_split_items_inverts_join(items, sep):
    assert split_items(sep.join(items)) == items


def test_split_items_given_separator_splits_on_it_only():
    assert split_items("a, b / c", separator="/") == ["a, b", "c"]
    assert split_items("a and b", separator=" and ") == ["a", "b"]


# -- time zones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "winter", "summer"),
    [
        ("Europe/Berlin", 1.0, 2.0),
        ("europe/berlin", 1.0, 2.0),
        ("America/New York", -5.0, -4.0),
        ("America / New_York", -5.0, -4.0),
        ("Australia/Sydney", 11.0, 10.0),  # southern summer in January
        ("Asia/Kolkata", 5.5, 5.5),
        ("CET", 1.0, 2.0),
        ("CEST", 1.0, 2.0),  # the place's time at the date, whichever abbreviation
        ("cet", 1.0, 2.0),
        ("PST", -8.0, -7.0),
        ("EST", -5.0, -4.0),
        ("BST", 0.0, 1.0),
        ("IST", 5.5, 5.5),  # India
        ("JST", 9.0, 9.0),
        ("AEST", 11.0, 10.0),
    ],
)
def test_zone_names_follow_daylight_saving(text, winter, summer):
    assert timezone_offset(text, on=WINTER) == winter
    assert timezone_offset(text, on=SUMMER) == summer


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("UTC", 0.0),
        ("gmt", 0.0),
        ("Z", 0.0),
        ("UTC+2", 2.0),
        ("UTC +2", 2.0),
        ("UTC-3:30", -3.5),
        ("UTC−3", -3.0),  # a Unicode minus
        ("GMT+5:45", 5.75),
        ("GMT-08:00", -8.0),
        ("+05:30", 5.5),
        ("-0800", -8.0),
        ("UTC+5.5", 5.5),
        ("5.5", 5.5),
        ("-3", -3.0),
        ("+14", 14.0),
        (-12, -12.0),
        (9.5, 9.5),
    ],
)
def test_fixed_offsets(text, hours):
    assert timezone_offset(text, on=SUMMER) == hours
    assert timezone_offset(text, on=WINTER) == hours


def test_every_abbreviation_names_a_loadable_zone():
    for abbreviation in TIMEZONE_ABBREVIATIONS:
        assert -12 <= timezone_offset(abbreviation, on=WINTER) <= 14


@pytest.mark.parametrize("text", ["localtime", "Factory", "posixrules", "right/Europe/Berlin"])
def test_system_zone_files_are_no_zones(text):
    with pytest.raises(ValidationError, match=f"unknown time zone '{text}'"):
        timezone_offset(text, on=WINTER)


@pytest.mark.parametrize("value", ["-00:00", "UTC-0", "-0", -0.0])
def test_minus_zero_offset_is_zero(value):
    hours = timezone_offset(value, on=WINTER)
    assert hours == 0.0 and math.copysign(1.0, hours) == 1.0


def test_no_closest_search_for_long_texts():
    with pytest.raises(
        ValidationError, match=r"unknown time zone 'Europe/Berlin.*'; no close match"
    ):
        timezone_offset("Europe/Berlin/" + "x" * 40, on=WINTER)


def test_unknown_zone_names_the_text_and_the_closest():
    with pytest.raises(ValidationError, match=r"unknown time zone 'Europe/Berln'.*'Europe/Berlin'"):
        timezone_offset("Europe/Berln", on=WINTER)
    with pytest.raises(ValidationError, match=r"unknown time zone 'xq7'; no close match"):
        timezone_offset("xq7", on=WINTER)


@pytest.mark.parametrize("text", ["UTC+15", "-13", 20.0])
def test_offset_out_of_range(text):
    with pytest.raises(ValidationError, match=r"outside \[-12, 14\]"):
        timezone_offset(text, on=WINTER)


def test_offset_minutes_out_of_range():
    with pytest.raises(ValidationError, match="minutes ≥ 60"):
        timezone_offset("UTC+1:75")


def test_zone_of_wrong_type_and_bad_date():
    with pytest.raises(ValidationError, match="a text or a number of hours"):
        timezone_offset(["UTC"])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"`on` must be a datetime\.date"):
        timezone_offset("UTC", on="2025-01-01")  # type: ignore[arg-type]


def test_zone_at_a_datetime_uses_its_date():
    assert timezone_offset("Europe/Berlin", on=datetime.datetime(2025, 7, 1, 23, 0)) == 2.0


# -- generations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (1930, "Silent"),
        (1945, "Silent"),
        (1946, "Boomer"),
        (1964, "Boomer"),
        (1965, "Gen X"),
        (1980, "Gen X"),
        (1981, "Millennial"),
        (1996, "Millennial"),
        (1997, "Gen Z"),
        (2012, "Gen Z"),
        (2013, "Gen Alpha"),
        (np.int64(1990), "Millennial"),
    ],
)
def test_generation_bands(year, label):
    assert generation(year) == label


def test_generation_bands_cover_every_year_without_overlap():
    for (_, _, last), (_, first, _) in itertools.pairwise(GENERATIONS):
        assert first == last + 1


def test_generation_needs_an_integer():
    with pytest.raises(ValidationError, match="integer year"):
        generation(1990.5)  # type: ignore[arg-type]


# -- cities --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "winter"),
    [
        ("Berlin", 1.0),
        ("berlin", 1.0),
        ("Kolkata", 5.5),
        ("Mumbai", 5.5),
        ("new  delhi", 5.5),
        ("Bengaluru", 5.5),
        ("BANGALORE", 5.5),
        ("Hyderabad", 5.5),
        ("Beijing", 8.0),
        ("san_francisco", -8.0),
        ("Seattle", -8.0),
        ("Los Angeles", -8.0),
        ("Washington", -5.0),
        ("Toronto", -5.0),
        ("Miami", -5.0),
        ("Munich", 1.0),
        ("Geneva", 1.0),
        ("Zug", 1.0),
        ("Barcelona", 1.0),
        ("Milan", 1.0),
        ("Osaka", 9.0),
        ("Sydney", 11.0),
        ("Dubai", 4.0),
        ("Sao Paulo", -3.0),
        ("Buenos Aires", -3.0),  # America/Argentina/Buenos_Aires and its link: one zone
        ("Istanbul", 3.0),  # Europe/Istanbul and Asia/Istanbul: one zone
    ],
)
def test_city_names_are_time_zones(text, winter):
    assert timezone_offset(text, on=WINTER) == winter


def test_city_table_names_loadable_zones_and_only_cities_no_zone_names():
    from zoneinfo import available_timezones

    cities = {
        name.rpartition("/")[2].replace("_", " ").casefold() for name in available_timezones()
    }
    for city, zone in TIMEZONE_CITIES.items():
        assert zone in available_timezones(), city
        assert city.casefold() not in cities, city  # a zone's own city needs no entry


@pytest.mark.parametrize("text", ["Victoria", "North", "Pacific", "Eastern", "Office: Mumbai"])
def test_states_compass_points_and_links_outside_the_continents_are_no_cities(text):
    with pytest.raises(ValidationError, match=f"unknown time zone '{text}'"):
        timezone_offset(text, on=WINTER)


def test_city_of_several_zones_is_named_a_problem(monkeypatch):
    from rm_match.io import fields

    cities = {"springfield": ("Springfield", ("America/Chicago", "America/New_York"))}
    monkeypatch.setattr(fields, "_cities", lambda: cities)
    message = (
        r"unknown time zone 'springfield'; it is the city of several zones \(America/Chicago, "
        r"America/New_York\): give one of them\.$"
    )
    with pytest.raises(ValidationError, match=message):
        timezone_offset("springfield", on=WINTER)


def test_unknown_city_names_the_closest_city_and_its_zone():
    message = r"unknown time zone 'Mumbay'; closest known: 'Mumbai' \(Asia/Kolkata\)\.$"
    with pytest.raises(ValidationError, match=message):
        timezone_offset("Mumbay", on=WINTER)
    message = r"unknown time zone 'Berln'; closest known: 'Berlin' \(Europe/Berlin\)\.$"
    with pytest.raises(ValidationError, match=message):
        timezone_offset("Berln", on=WINTER)


def test_region_and_city_of_no_zone_names_the_city_zone():
    message = r"unknown time zone 'Asia/Mumbai'; closest known: 'Mumbai' \(Asia/Kolkata\)\.$"
    with pytest.raises(ValidationError, match=message):
        timezone_offset("Asia/Mumbai", on=WINTER)
