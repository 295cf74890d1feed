from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.instants import (
    PRECISIONS,
    Duration,
    Instant,
    find_instants,
    format_instant,
    parse_duration,
    parse_instant,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


APOLLO_11 = Instant(utc(1969, 7, 16, 13, 32, 0), "second")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("July 16, 1969, 13:32:00 UTC", APOLLO_11),
        ("16 July 1969, 13:32:00 UTC", APOLLO_11),
        ("16 July 1969 13:32 UTC", Instant(utc(1969, 7, 16, 13, 32), "minute")),
        ("1969-07-16T13:32:00Z", APOLLO_11),
        ("1969-07-16 13:32", Instant(utc(1969, 7, 16, 13, 32), "minute")),
        ("December 24, 1968, ~02:30 UTC", Instant(utc(1968, 12, 24, 2, 30), "minute")),
        ("December 24, 1968, 9:59:20 UTC", Instant(utc(1968, 12, 24, 9, 59, 20), "second")),
        ("23 March 2024", Instant(utc(2024, 3, 23), "day")),
        ("March 23, 2024", Instant(utc(2024, 3, 23), "day")),
        ("March 2024", Instant(utc(2024, 3, 1), "month")),
        ("2024", Instant(utc(2024, 1, 1), "year")),
        ("13:32:00 UTC, 16 July 1969", APOLLO_11),
        ("16 July 1969, 09:32 EDT", Instant(utc(1969, 7, 16, 13, 32), "minute")),
        ("16 July 1969 13:32 UTC+3", Instant(utc(1969, 7, 16, 10, 32), "minute")),
        ("16 July 1969 13:32 (UTC+05:30)", Instant(utc(1969, 7, 16, 8, 2), "minute")),
        ("1969-07-16T15:32:00+02:00", APOLLO_11),
        ("16 July 1969, 24:00 UTC", Instant(utc(1969, 7, 17), "minute")),
        ("NET 2025", Instant(utc(2025, 1, 1), "year")),
        ("No earlier than March 2025", Instant(utc(2025, 3, 1), "month")),
        ("16 July 1969, 13:32:00 UTC UTC", APOLLO_11),
        ("23 March 2024 (planned)", Instant(utc(2024, 3, 23), "day")),
        ("[[16 July]] [[1969]], 13:32:00 UTC[1]", APOLLO_11),
        ("{{Start date|1969|07|16|13|32|00|Z}}", APOLLO_11),
        ("{{start date|2024|3|23}}", Instant(utc(2024, 3, 23), "day")),
        ("9:59 p.m. EST, December 24, 1968", Instant(utc(1968, 12, 25, 2, 59), "minute")),
        ("2024-03", Instant(utc(2024, 3, 1), "month")),
        ("1969-07-16T13Z", Instant(utc(1969, 7, 16, 13), "hour")),
        ("24/12/1968", Instant(utc(1968, 12, 24), "day")),
        ("mid-2024", Instant(utc(2024, 1, 1), "year")),
        ("31 December 2016, 23:59:60 UTC", Instant(utc(2017, 1, 1), "second")),
        ("23 March 2024, 12:36 MSK", Instant(utc(2024, 3, 23, 9, 36), "minute")),
        ("23 March 2024 (12:36:12 UTC)", Instant(utc(2024, 3, 23, 12, 36, 12), "second")),
        ("23 March 2024 (UTC)", Instant(utc(2024, 3, 23), "day")),
        ("2024-03-23 12:36:12.6 UTC", Instant(utc(2024, 3, 23, 12, 36, 12), "second")),
    ],
)
def test_parse_instant(text, expected):
    assert parse_instant(text) == expected


@pytest.mark.parametrize(
    "text",
    ["UTC", "", "   ", "TBD", "TBA", "30 February 2024", "31 April 2024", "2024-13-01",
     "16 July 1969, 25:00 UTC", "16 July 1969, 24:30 UTC", "16 July 1969, 13:61 UTC",
     "01/10/2007", "6 June 07", "300 BC", "January 20, 2001 BCE",
     "July 16", None, 1969],
)
def test_parse_instant_rejects(text):
    assert parse_instant(text) is None


def test_parse_instant_never_fills_in_today():
    got = parse_instant("March 2024")
    assert got.utc.day == 1 and got.precision == "month"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 23 September 2024 at 07:59 UTC",
         [("23 September 2024 at 07:59 UTC", Instant(utc(2024, 9, 23, 7, 59), "minute"))]),
        ("February 4, 2024 at 07:30:08 UTC",
         [("February 4, 2024 at 07:30:08 UTC", Instant(utc(2024, 2, 4, 7, 30, 8), "second"))]),
        ("on 25 February 2024, 4 June 2024, and 12 September 2024",
         [("25 February 2024", Instant(utc(2024, 2, 25), "day")),
          ("4 June 2024", Instant(utc(2024, 6, 4), "day")),
          ("12 September 2024", Instant(utc(2024, 9, 12), "day"))]),
        ("It docked at 13:00 UTC on 5 May 2025.",
         [("13:00 UTC on 5 May 2025", Instant(utc(2025, 5, 5, 13), "minute"))]),
        ("It climbed 2000 km in 2024.", [("2024", Instant(utc(2024, 1, 1), "year"))]),
        ("Launched [[23 March]] 2024[2] and landed 6 April 2024.",
         [("23 March]] 2024", Instant(utc(2024, 3, 23), "day")),
          ("6 April 2024", Instant(utc(2024, 4, 6), "day"))]),
        ("No dates here, only 30 February 2024 and 1,969 kg.", []),
    ],
)
def test_find_instants(text, expected):
    got = find_instants(text)
    assert [(text[start:end], instant) for start, end, instant in got] == expected


@pytest.mark.parametrize(
    ("text", "seconds", "precision"),
    [
        ("8 days, 3 hours, 18 minutes, 35 seconds", 703115, "second"),
        ("8 d 3 h 18 min 35 s", 703115, "second"),
        ("374 days", 374 * 86400, "day"),
        ("2 hours", 7200, "hour"),
        ("6 days, 3 hours, 42 minutes", 6 * 86400 + 3 * 3600 + 42 * 60, "minute"),
        ("186d 6h 32m", 186 * 86400 + 6 * 3600 + 32 * 60, "minute"),
        ("1 year, 2 days", 31557600 + 2 * 86400, "day"),
        ("approximately 6 months", round(6 * 30.436875 * 86400), "month"),
        ("195 days, 18 hours, 2 minutes and 24 seconds", 195 * 86400 + 18 * 3600 + 144, "second"),
        ("1:42:05", 6125, "second"),
    ],
)
def test_parse_duration(text, seconds, precision):
    assert parse_duration(text) == Duration(seconds, precision)


@pytest.mark.parametrize("text", ["", "TBD", "16 July 1969", "-2 min", "70 m", None])
def test_parse_duration_rejects(text):
    assert parse_duration(text) is None


@pytest.mark.parametrize(
    ("instant", "text"),
    [
        (Instant(utc(2024, 3, 23), "day"), "2024-03-23"),
        (APOLLO_11, "1969-07-16T13:32:00Z"),
        (Instant(utc(1969, 7, 16, 13, 32), "minute"), "1969-07-16T13:32Z"),
        (Instant(utc(1969, 7, 16, 13), "hour"), "1969-07-16T13Z"),
        (Instant(utc(2024, 3, 1), "month"), "2024-03"),
        (Instant(utc(2024, 1, 1), "year"), "2024"),
    ],
)
def test_format_instant(instant, text):
    assert format_instant(instant) == text


_TRUNCATE = {
    "year": dict(month=1, day=1, hour=0, minute=0, second=0),
    "month": dict(day=1, hour=0, minute=0, second=0),
    "day": dict(hour=0, minute=0, second=0),
    "hour": dict(minute=0, second=0),
    "minute": dict(second=0),
    "second": {},
}


@st.composite
def instants(draw):
    precision = draw(st.sampled_from(PRECISIONS))
    moment = draw(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9998, 12, 31)))
    moment = moment.replace(microsecond=0, tzinfo=timezone.utc, **_TRUNCATE[precision])
    return Instant(moment, precision)


@settings(max_examples=300, deadline=None)
@given(instants())
def test_format_then_parse_round_trips(instant):
    assert parse_instant(format_instant(instant)) == instant


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parsers_never_raise(text):
    got = parse_instant(text)
    assert got is None or (got.utc.tzinfo is not None and got.precision in PRECISIONS)
    for start, end, instant in find_instants(text):
        assert 0 <= start < end <= len(text)
        assert isinstance(instant, Instant)
    assert parse_duration(text) is None or parse_duration(text).seconds >= 0


DATEISH = st.lists(st.sampled_from(
    list("0123456789 ,.:-+/()~T") + ["July", "Feb", "UTC", "EDT", "at", "on", "BC", "Z", "24:00",
                                     "days", "h", "m", "NET", "[[", "]]", "{{start date|", "}}"]),
    max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(DATEISH)
def test_parsers_never_raise_on_date_soup(text):
    parse_instant(text)
    find_instants(text)
    parse_duration(text)


def test_a_day_range_is_read_as_its_first_day():
    assert parse_instant("23–24 March 2024") == Instant(datetime(2024, 3, 23, tzinfo=timezone.utc), "day")
    assert parse_instant("23-24 March 2024").utc.day == 23


# --- the renderer's own form, read without the general scan ------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("July 16, 1969, 13:32:00 UTC", Instant(utc(1969, 7, 16, 13, 32, 0), "second")),
    ("16 July 1969, 13:32 UTC", Instant(utc(1969, 7, 16, 13, 32), "minute")),
    ("December 24, 1968", Instant(utc(1968, 12, 24), "day")),
    ("February 29, 2024, 9:05:07 UTC", Instant(utc(2024, 2, 29, 9, 5, 7), "second")),
])
def test_the_rendered_form_is_read_without_the_general_scan(text, expected, monkeypatch):
    from pipeline.core import instants
    monkeypatch.setattr(instants, "_scan", lambda t: pytest.fail("scanned"))
    assert parse_instant(text) == expected


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["January", "February", "May", "September", "Sept", "Dec", "june", "Smarch"]),
       st.integers(0, 40), st.integers(0, 10000), st.booleans(),
       st.integers(0, 30), st.integers(0, 70), st.one_of(st.none(), st.integers(0, 70)),
       st.sampled_from([" UTC", " UTC+3", " UTC-04:00", "", " EDT"]), st.sampled_from(["", "~", " ", "NET "]))
def test_the_rendered_form_path_agrees_with_the_general_scan(month, day, year, dmy, hour, minute, second,
                                                              zone, before):
    from pipeline.core import instants
    date = f"{day} {month} {year}" if dmy else f"{month} {day}, {year}"
    clock = f", {hour}:{minute:02d}" + (f":{second:02d}" if second is not None else "") + zone
    for text in (before + date, before + date + clock):
        fast = parse_instant(text)
        real = instants._RENDERED
        try:
            instants._RENDERED = re.compile(r"(?!)")  # never matches: the general path only
            general = parse_instant(text)
        finally:
            instants._RENDERED = real
        assert fast == general, text


# --- issue 14: no month out of a word, impossible template parts, intervals (dateutil) ---------

def test_a_month_name_must_start_a_word():
    # "Ivanov" ends in "nov": that is not November
    assert parse_instant("Ivanov 2020") == Instant(utc(2020, 1, 1), "year")
    assert parse_instant("Nov 2020") == Instant(utc(2020, 11, 1), "month")
    assert parse_instant("Decembrist 1825") == Instant(utc(1825, 1, 1), "year")


@pytest.mark.parametrize("text", ["{{Start date|2020|13|45}}", "{{start date|2020|2|30}}",
                                  "{{Start date|2020|1|1|25|00}}", "{{End date|1969|7|24|16|61}}"])
def test_impossible_template_parts_give_no_date(text):
    assert parse_instant(text) is None


def test_from_parts_checks_with_isoparse():
    from pipeline.core.instants import from_parts
    assert from_parts(1969, 7, 16, 13, 32, 0) == APOLLO_11
    assert from_parts(2020, 2, 29) == Instant(utc(2020, 2, 29), "day")
    assert from_parts(2020, 2) == Instant(utc(2020, 2, 1), "month")
    assert from_parts(2020, 7, 1, 13) == Instant(utc(2020, 7, 1, 13), "hour")
    assert from_parts(2021, 2, 29) is None and from_parts(2020, 13) is None
    assert from_parts(2020, None, 3) is None and from_parts(0) is None
    # {{Start date|...|-04:00}}-style offsets are hours east of UTC
    assert from_parts(1969, 7, 16, 9, 32, offset_hours=-4.0) == Instant(utc(1969, 7, 16, 13, 32), "minute")


@pytest.mark.parametrize(("text", "end"), [
    ("22 May 2021", utc(2021, 5, 23)),                   # Virgin_Galactic_Unity_21 landing_date
    ("22 May 2021, 15:26 UTC", utc(2021, 5, 22, 15, 27)),  # its launch_date
    ("February 2024", utc(2024, 3, 1)),                  # a month is its own length
    ("February 2023", utc(2023, 3, 1)),
    ("2024", utc(2025, 1, 1)),
])
def test_an_instant_is_an_interval(text, end):
    assert parse_instant(text).end == end


def test_intervals_compare_honestly():
    from pipeline.core.instants import certainly_before
    landing, launch = parse_instant("22 May 2021"), parse_instant("22 May 2021, 15:26 UTC")
    assert not certainly_before(landing, launch) and not certainly_before(launch, landing)
    assert certainly_before(parse_instant("21 May 2021"), launch)


def test_the_date_scan_start_matches_what_ignorecase_matches():
    """Leading tests (_DATE, prose patterns) are written case-sensitively for speed: each
    letter's class must be exactly the characters re.IGNORECASE matches for it (the long s of
    "ſep", the Kelvin sign, the dotted and dotless i included)."""
    from pipeline.core.patterns import caseless
    any_letter = re.compile("[a-z]", re.I)
    near = [chr(c) for c in range(0x110000) if any_letter.fullmatch(chr(c))]   # one pass
    for letter in "abcdefghijklmnopqrstuvwxyz":
        ignorecase, written = re.compile(letter, re.I), re.compile(caseless(letter))
        assert {c for c in near if written.fullmatch(c)} == {c for c in near if ignorecase.fullmatch(c)}, letter
    assert find_instants("ſep 16, 1969") == find_instants("Sep 16, 1969")
