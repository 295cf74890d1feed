"""The cheaper date scan reads what the plain one read (issue 17, branch events5): each shortcut
of pipeline.core.instants beside the straightforward form it replaces, on generated text."""
import re
from datetime import datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.core import instants as I

PIECES = ["1", "2", "12", "16", "969", "1969", "2024", "20241", "0000", "9999", "10000", "00", "0", "31", "29",
          "12:", "13:32", "13:32:00", "9:32", "24:00", "25:61", ":", " UTC", " GMT", "Z", " EDT", " (MSK)", "UTC+3",
          "+02:00", " a.m.", "pm", "h", " ", "  ", ", ", ".", ". ", "-", "/", "\u2013", "\u2212", "st", "th", " of ",
          "July", "july", "JULY", "Jul", "Jul.", "jul", "Sept", "sep", "\u017fep", "September", "Mar", "Mars",
          "march", "May", "may", "Dec", "decided", "junov", "Jan", "janov", "Ivanov", "Feb", "AD", " BC", " CE",
          "T", "on", " at ", "[[", "]]", "[1]", "&nbsp;", "\u00a0", "\u0661\u0669\u0666\u0669", "\u0661\u0662",
          "\u0130", "K\u212a", "$", "#", "\u00e9", "x", "km", " m", "1/2/", "12.3.", "1999/12/24", "1969-07-16",
          "-07", "T13:32:00Z", "07/16/1969", "12/13/2007"]


def _text(pieces=PIECES, max_size=30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


def _plain_date_from(match):
    """_date_from as it read every group (groupdict) before the lastgroup dispatch."""
    g = match.groupdict()
    day = month = None
    if g["iso"]:
        year, month, day = int(g["iy"]), int(g["im"]), I._int(g["id"])
    elif g["dmy"]:
        year, month, day = int(g["y1"]), I._month(g["m1"]), int(g["d1"])
    elif g["mdy"]:
        year, month, day = int(g["y2"]), I._month(g["m2"]), int(g["d2"])
    elif g["my"]:
        year, month = int(g["y3"]), I._month(g["m3"])
    elif g["num"]:
        first, second, year = int(g["na"]), int(g["nb"]), int(g["nc"])
        if first == second or first > 12:
            day, month = first, second
        elif second > 12:
            day, month = second, first
        else:
            return (match.start(), match.end(), year, None, None, False)
    elif g["ymd"]:
        year, month, day = int(g["ya"]), int(g["yb"]), int(g["yc"])
    else:
        year = int(g["y4"])
    era = g["e1"] or g["e2"] or g["e3"] or g["e4"]
    ok = _plain_valid(year, month, day) and (era is None or era.upper() in ("AD", "CE"))
    return (match.start(), match.end(), year, month, day, ok)


def _plain_valid(year, month, day):
    try:
        datetime(year, month or 1, day or 1)
    except (ValueError, OverflowError):
        return False
    return True


def _plain_scan(text):
    """_scan with every pattern tried everywhere (its path for short text)."""
    short, I._SHORT = I._SHORT, 10 ** 9
    try:
        return I._scan(text)
    finally:
        I._SHORT = short


def _outcome(scan, text):
    try:
        return scan(text)
    except (ValueError, OverflowError, IndexError) as e:   # (find_instants gives [] then)
        return type(e)


def _check(text):
    for match in I._DATE.finditer(text):
        assert tuple(I._date_from(match)) == _plain_date_from(match), (text, match)
    assert _outcome(I._scan, text) == _outcome(_plain_scan, text), text


@settings(max_examples=1500, deadline=None)
@given(_text())
@example("x 2024 1969-07-16 16 July 1969 at 13:32 UTC and on July 16, 1969 junov 2000")
def test_the_date_scan_tried_at_its_starts_reads_what_the_plain_scan_reads(text):
    _check(text)


@settings(max_examples=1500, deadline=None)
@given(_text(max_size=80))
def test_the_date_scan_on_long_text(text):
    _check(text)


PHRASES = ["16th of July 1969", "3 of may 2000", "16 July 1969", "July 16, 1969", "16 Jul. 1969", "16.7.1969",
           "16/07/1969", "1969-07-16", "1969/7/16", "at 13:32 UTC", "13:32:00", "9:32 a.m. EDT", "2024", "March 2024",
           "40 days", "12 of the", "2 st", "5 ofJuly 1969", "12- 3-2000", "1 ſep 1969", "x", "of", "1", "12", ","]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PHRASES), max_size=12).map(" ".join))
def test_the_date_scan_on_phrases(text):
    _check(text)


@settings(max_examples=3000, deadline=None)
@given(st.integers(-5, 10005), st.one_of(st.none(), st.integers(-2, 14)), st.one_of(st.none(), st.integers(-2, 33)))
def test_valid_as_the_datetime_test(year, month, day):
    assert I._valid(year, month, day) == _plain_valid(year, month, day)


def test_a_date_or_time_starts_only_at_a_run_of_one_two_or_four_digits():
    text = " ".join(["123 July 1969", "12345", "1969", "12 July 1969", "123:45 UTC", "12:45 UTC", "7/8/1999"])
    for pattern in (I._DATE, I._TIME):
        for m in pattern.finditer(text):
            run = re.match(r"\d+", text[m.start():])
            assert run is None or len(run.group()) in (1, 2, 4)
