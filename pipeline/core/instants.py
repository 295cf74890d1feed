"""Dates, times and durations as Wikipedia infoboxes and prose write them, in UTC.

Rules (after MOS:DATE, the Manual of Style's date formats, and {{start date}}):
- Day-month-year, month-day-year, ISO 8601, "Month YYYY" and bare "YYYY" are read; the first
  date in the text wins, with the time written next to it (before or after, "at", ",", "T").
- A time without a zone is UTC (what spaceflight infoboxes use); a named zone (EDT, MSK, GFT,
  ...) or an offset ("UTC+3", "(UTC+05:30)", "+02:00") is converted to UTC. "CST" is US
  Central. "24:00" is midnight at the end of the day; a leap second ":60" rolls over.
- Nothing is guessed: a missing day or month gives a coarser precision (never today's), an
  all-numeric date is read only when its day/month order is unambiguous ("24/12/1999",
  "10/10/2007", "1999/12/24" yes; "01/10/2007" no), two-digit years and BC/BCE years are
  rejected.
- Approximation and bound markers ("~", "c.", "about", "NET", "No earlier than",
  "(planned)") are ignored: "NET 2025" reads as the year 2025. Callers that need to know the
  value is a bound must look for the marker themselves.

Error policy: bad data is data. Nothing here raises on text; an unreadable or impossible date
(30 February, month 13, hour 25) gives None.
"""
from __future__ import annotations

import re
from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from dateutil.parser import isoparse
from dateutil.relativedelta import relativedelta

from pipeline.core.mediawiki import FOOTNOTE_MARK
from pipeline.core.patterns import caseless, finditer_at, has_digit, occurrences
from pipeline.core.quantities import clean_text, parse_time_span, unit_code

PRECISIONS = ("year", "month", "day", "hour", "minute", "second")
# How precise each precision is, coarse to fine, and how long the span it names lasts at most
# (a month is up to 31 days, a year up to 366).
PRECISION_RANK = {p: i for i, p in enumerate(PRECISIONS)}
PRECISION_SPAN = {"second": timedelta(seconds=1), "minute": timedelta(minutes=1),
                  "hour": timedelta(hours=1), "day": timedelta(days=1),
                  "month": timedelta(days=31), "year": timedelta(days=366)}
# English month names, as MOS:DATE writes them.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def month_number(name: str) -> int | None:
    """1-12 for a month's English name or an abbreviation of at least three letters ("Sept.",
    "jun"), or its number as text; None otherwise."""
    name = name.strip().rstrip(".").lower()
    if name.isdigit():
        return int(name) if 1 <= int(name) <= 12 else None
    if len(name) < 3:
        return None
    return next((i for i, m in enumerate(MONTHS, start=1) if m.lower().startswith(name)), None)


def floor_to(t: datetime, precision: str) -> datetime:
    """The start of the day, month or year that t falls in, for those precisions; t otherwise."""
    if precision in ("day", "month", "year"):
        t = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision in ("month", "year"):
        t = t.replace(day=1)
    if precision == "year":
        t = t.replace(month=1)
    return t


# The length of one unit of each precision, as calendar arithmetic (dateutil's relativedelta):
# a month is its own length, a year 365 or 366 days.
_STEP = {"year": relativedelta(years=1), "month": relativedelta(months=1),
         "day": relativedelta(days=1), "hour": relativedelta(hours=1),
         "minute": relativedelta(minutes=1), "second": relativedelta(seconds=1)}


@dataclass(frozen=True)
class Instant:
    """A point in time (tz-aware, UTC) known to the given precision.

    It stands for an interval: `utc` is the start ("22 May 2021" is 00:00 that day) and `end`
    the exclusive end (00:00 the next day). Comparisons of instants of different precision
    must use the interval (see `certainly_before`), never `utc` alone.
    """

    utc: datetime
    precision: str

    @property
    def end(self) -> datetime:
        """The exclusive end of the interval; an unknown precision is taken as a second."""
        return interval_end(self.utc, self.precision)


def interval_end(start: datetime, precision: str | None) -> datetime:
    """The exclusive end of the interval that `start` stands for at `precision`.

    "2021-05-22" (day) ends 2021-05-23 00:00; "2024-02" (month) ends 2024-03-01; a year ends
    on 1 January of the next. Bad input: an unknown or missing precision counts as a second.
    """
    return start + _STEP.get(precision or "second", _STEP["second"])


def certainly_before(a: Instant, b: Instant) -> bool:
    """True when all of interval a ends before interval b starts (a.end <= b.utc): "22 May 2021"
    (day) is not certainly before "22 May 2021, 15:26" (minute), nor after it."""
    return a.end <= b.utc


def from_parts(year: int, month: int | None = None, day: int | None = None, hour: int | None = None,
               minute: int | None = None, second: int | None = None,
               offset_hours: float = 0.0) -> Instant | None:
    """The Instant of the numbered parts of a date template ({{Start date|1969|7|16|13|32}}),
    precision from the last part given; None when a part is impossible (month 13, day 45,
    hour 25), so that a bad template is never read as a coarser date.

    The parts are checked by dateutil's strict ISO 8601 reader (isoparse).
    Bad input: non-integers, a gap (a day without a month) or impossible values give None.
    """
    parts = [year, month, day, hour, minute, second]
    given = 0
    for part in parts:
        if part is None:
            break
        if not isinstance(part, int) or isinstance(part, bool) or part < 0:
            return None
        given += 1
    if given == 0 or any(p is not None for p in parts[given:]) or not 1 <= year <= 9999:
        return None
    if given == 4:   # an hour without minutes: ISO needs the minutes
        text = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:00"
    else:
        text = f"{year:04d}" + "".join(f"{sep}{p:02d}" for sep, p in
                                        zip(("-", "-", "T", ":", ":"), parts[1:given]))
    try:
        if given <= 2:   # isoparse reads "YYYY" and "YYYY-MM" as the first day
            if month is not None and not 1 <= month <= 12:
                return None
            utc = datetime(year, month or 1, 1, tzinfo=timezone.utc)
        else:
            utc = isoparse(text).replace(tzinfo=timezone.utc) - timedelta(hours=offset_hours)
    except (ValueError, OverflowError):
        return None
    return Instant(utc, PRECISIONS[given - 1])


@dataclass(frozen=True)
class Duration:
    """A length of time in whole seconds, with the smallest unit it was written in."""

    seconds: int
    precision: str


_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
# The lookbehind keeps a month out of the end of a word: "Ivanov 2020" is not November.
_MONTH = (r"(?<![^\W\d_])(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?")
_ERA = r"(?:\s*\b(?P<{0}>AD|CE|BCE|BC|AC)\b)?"
_DAY_RANGE = re.compile(r"(?<![\d:.])(\d{1,2})\s*[–—-]\s*\d{1,2}\s+(?=[A-Za-z])")


# The leading lookahead lets the regex engine skip every position where no date can start (a
# digit or a month name), which makes scanning prose about four times faster; written
# case-sensitively (the same characters as the caseless form) it is tested faster still.
_DATE_START = "|".join(["\\d", *(caseless(m) for m in _MONTHS)])
_DATE = re.compile(
    rf"""
    (?-i:(?={_DATE_START}))
    (?:(?P<iso>(?<![\d\-/.])(?P<iy>\d{{4}})-(?P<im>\d{{2}})(?:-(?P<id>\d{{2}}))?(?![\d\-/]))
    |(?P<dmy>(?<![\d.,])(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\.?\s*(?:of\s+)?(?P<m1>{_MONTH})
        \s*,?\s*(?P<y1>\d{{3,4}})(?![\d:]){_ERA.format("e1")})
    |(?P<mdy>(?P<m2>{_MONTH})\s*,?\s*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])\.?
        \s*,?\s*(?P<y2>\d{{3,4}})(?![\d:]){_ERA.format("e2")})
    |(?P<my>(?P<m3>{_MONTH})\s*,?\s+(?P<y3>\d{{4}})(?![\d:]){_ERA.format("e3")})
    |(?P<num>(?<![\d/.\-])(?P<na>\d{{1,2}})(?P<ns>[/.\-])(?P<nb>\d{{1,2}})(?P=ns)
        (?P<nc>\d{{4}})(?![\d/.\-]\d))
    |(?P<ymd>(?<![\d/.])(?P<ya>\d{{4}})/(?P<yb>\d{{1,2}})/(?P<yc>\d{{1,2}})(?![\d/]))
    |(?P<year>(?<![\d.,:/$#£€])(?<!\d-)(?P<y4>\d{{4}})(?![\d:]|[.,]\d|-\d){_ERA.format("e4")}))
    """,
    re.I | re.X,
)

# Offsets in hours east of UTC, for the zones launch reports use (GFT Kourou, MSK and ALMT
# Baikonur, JST Tanegashima, IST Sriharikota, BJT China, US zones for Florida and Texas).
# "CST" is US Central, not China Standard Time (documented in the module docstring).
_ZONES = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "MSD": 4, "SAMT": 4, "GST": 4, "IST": 5.5, "ALMT": 5,
    "QYZT": 6, "BJT": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "HST": -10, "AKST": -9, "AKDT": -8, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6,
    "CST": -6, "CDT": -5, "EST": -5, "EDT": -4, "AST": -4, "ADT": -3, "BRT": -3, "GFT": -3,
}
_ZONE_NAMES = "|".join(sorted((z for z in _ZONES if z != "Z"), key=len, reverse=True))
_OFFSET = r"[+\-−]\s?\d{1,2}(?::?\d{2})?"
_ZONE = (rf"(?:(?P<off2>[+\-−]\d{{2}}(?::?\d{{2}})?)(?![\d:])|(?P<zz>Z)(?![A-Za-z])"
         rf"|\s*\(?\s*(?P<tz>{_ZONE_NAMES})(?![A-Za-z])\s*(?P<off>{_OFFSET})?(?![\d:])\s*\)?"
         rf"|\s*\(\s*(?P<off3>{_OFFSET})\s*\))")
_TIME = re.compile(
    rf"""(?<![\d:.])(?:
        (?P<h>\d{{1,2}}):(?P<mi>\d{{2}})(?::(?P<s>\d{{2}})(?:[.,]\d+)?)?(?![\d:])
            (?:\s?(?P<ampm>[AaPp])\.?\s?[Mm]\.?(?![A-Za-z]))?
        |(?P<ho>\d{{1,2}})(?:\s?h(?:rs?)?)?(?=Z|\s*\(?\s*(?:UTC|GMT)(?![A-Za-z]))
    )(?:{_ZONE})?""",
    re.X,
)
_ZONE_AFTER = re.compile(rf"\s*\(\s*(?P<tz>{_ZONE_NAMES})\s*(?P<off>{_OFFSET})?\s*\)")
_DATE_TO_TIME = re.compile(
    r"[\s,;]*(?:(?:at|@|T|on|-|–)(?![A-Za-z])[\s,]*)?\(?\s*"
    r"(?:(?:~|≈|c\.|ca\.|circa|approx\.?|approximately|about|around)\s*)?", re.I)
_TIME_TO_DATE = re.compile(r"[\s,;]*(?:(?:on|of)\s+)?", re.I)
_LINK_SPACE = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]|]*)\]\]")
_DATE_TEMPLATE = re.compile(
    r"\{\{\s*(?:start|end|birth|death|launch|release|film)[ _]date(?:[ _]and[ _]age)?"
    r"\s*\|([^{}]*)\}\}|\{\{\s*(?:dts|bda|dda)\s*\|([^{}]*)\}\}", re.I)


# One date and one time read (tuples: one is made for every date and time of every sentence).
# _Time.offset: hours east of UTC, None when no zone was written; ok False for an impossible
# time ("25:00"), whose instant is then None.
_Date = namedtuple("_Date", "start end year month day ok")
_Time = namedtuple("_Time", "start end hour minute second offset ok", defaults=(True,))


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def _month(name: str) -> int:
    # casefold: re.IGNORECASE also lets "\u017fep" (long s) through, which lower() keeps
    return _MONTHS[name[:3].casefold()]


def _date_from(match: re.Match) -> _Date:
    """Fields of one _DATE match; ok is False for impossible or unreadable dates. (The group of
    the alternative that matched closes last: lastgroup names it.)"""
    kind, group, era = match.lastgroup, match.group, None
    day = month = None
    if kind == "iso":
        year, month, day = int(group("iy")), int(group("im")), _int(group("id"))
    elif kind == "dmy":
        d, m, y, era = group("d1", "m1", "y1", "e1")
        year, month, day = int(y), _month(m), int(d)
    elif kind == "mdy":
        m, d, y, era = group("m2", "d2", "y2", "e2")
        year, month, day = int(y), _month(m), int(d)
    elif kind == "my":
        m, y, era = group("m3", "y3", "e3")
        year, month = int(y), _month(m)
    elif kind == "num":
        first, second, year = int(group("na")), int(group("nb")), int(group("nc"))
        if first == second or first > 12:
            day, month = first, second
        elif second > 12:
            day, month = second, first
        else:  # 01/10/2007 is 1 October or January 10: do not guess.
            return _Date(match.start(), match.end(), year, None, None, False)
    elif kind == "ymd":
        year, month, day = int(group("ya")), int(group("yb")), int(group("yc"))
    else:
        year, era = int(group("y4")), group("e4")
    ok = _valid(year, month, day) and (era is None or era.upper() in ("AD", "CE"))
    return _Date(match.start(), match.end(), year, month, day, ok)


def _valid(year: int, month: int | None, day: int | None) -> bool:
    if 0 < year < 10000 and (month is None or 0 < month < 13) and (day is None or 0 < day < 29):
        return True   # (the same answer, without making a datetime)
    try:
        datetime(year, month or 1, day or 1)
    except (ValueError, OverflowError):
        return False
    return True


def _offset_hours(text: str | None) -> float | None:
    if not text:
        return None
    text = text.replace("−", "-").replace(" ", "").replace(":", "")
    sign = -1 if text[0] == "-" else 1
    digits = text[1:]
    if len(digits) > 2:
        hours, minutes = int(digits[:-2] or 0), int(digits[-2:])
    else:
        hours, minutes = int(digits), 0
    if hours > 14 or minutes > 59:
        return None
    return sign * (hours + minutes / 60)


def _zone_offset(g: dict) -> tuple[float | None, bool]:
    """(offset hours, ok) from the zone groups of a _TIME or _ZONE_AFTER match."""
    if g.get("off2") or g.get("off3"):
        offset = _offset_hours(g.get("off2") or g.get("off3"))
        return offset, offset is not None
    if g.get("zz"):
        return 0.0, True
    if g.get("tz"):
        extra = _offset_hours(g.get("off")) if g.get("off") else 0.0
        if extra is None:
            return None, False
        return _ZONES[g["tz"]] + extra, True
    return None, True


def _time_from(match: re.Match) -> _Time:
    g = match.groupdict()
    end = match.end()
    while end > match.start() and match.string[end - 1].isspace():
        end -= 1
    bad = _Time(match.start(), end, 0, None, None, None, ok=False)
    offset, ok = _zone_offset(g)
    if not ok:
        return bad
    if g["ho"] is not None:
        hour, minute, second = int(g["ho"]), None, None
    else:
        hour, minute, second = int(g["h"]), int(g["mi"]), _int(g["s"])
    if g.get("ampm"):
        if not 1 <= hour <= 12:
            return bad
        hour = hour % 12 + (12 if g["ampm"] in "Pp" else 0)
    if hour > 24 or (minute or 0) > 59 or (second or 0) > 60:
        return bad
    if hour == 24 and (minute or second):
        return bad
    return _Time(match.start(), end, hour, minute, second, offset)


def _instant(date: _Date, time: _Time | None, offset: float | None) -> Instant | None:
    if not date.ok or (time is not None and not time.ok):
        return None
    if date.month is None:
        return Instant(datetime(date.year, 1, 1, tzinfo=timezone.utc), "year")
    if date.day is None:
        return Instant(datetime(date.year, date.month, 1, tzinfo=timezone.utc), "month")
    base = datetime(date.year, date.month, date.day, tzinfo=timezone.utc)
    if time is None:
        return Instant(base, "day")
    precision = "hour" if time.minute is None else "minute" if time.second is None else "second"
    delta = timedelta(hours=time.hour, minutes=time.minute or 0, seconds=time.second or 0)
    delta -= timedelta(hours=offset or 0.0)
    try:
        return Instant(base + delta, precision)
    except OverflowError:
        return None


# _DATE and _TIME start with lookarounds: on long text they are tried only where a match can
# start (pipeline.core.patterns), with the same matches: for _DATE a month name, a run of four
# digits (group 1: a year) or a run of one or two (a day or month, not preceded by a digit) that
# what follows lets start one (group 2 matches: a numeric date's separator, or a day's suffix,
# "of" and a month's first letters, as _DATE's alternatives write them); for _TIME a run of one
# or two (an hour).
_SHORT = 40
_AFTER_DAY = r"((?=[/.\-]|(?i:(?:st|nd|rd|th)?\.?\s*(?:of\s+)?(?:" + "|".join(_MONTHS) + "))))?"
_RUNS = re.compile(r"\d(?<!\d\d)(?:(\d\d\d)(?!\d)|\d?(?!\d)" + _AFTER_DAY + ")")
_ASCII_RUNS = re.compile(r"[0-9](?<![0-9][0-9])(?:([0-9][0-9][0-9])(?![0-9])|[0-9]?(?![0-9])"
                         + _AFTER_DAY + ")")   # the same, in ASCII text, faster


def _starts(text: str) -> tuple[list[int], list[int]]:
    """Where a _DATE match can start in text, and where a _TIME match can."""
    runs = list((_ASCII_RUNS if text.isascii() else _RUNS).finditer(text))
    return ([m.start() for m in runs if m.group(1) or m.group(2) is not None]
            + occurrences(text, _MONTHS, caseless=True),
            [m.start() for m in runs if m.group(1) is None])


def _scan(text: str) -> list[tuple[int, int, Instant | None]]:
    """Every date in text with the time written next to it; None for impossible dates."""
    if not has_digit(text):
        return []  # every date form has a digit (a year at least)
    timed = ":" in text or "Z" in text or "UTC" in text or "GMT" in text   # in every _TIME match
    if len(text) < _SHORT:   # finding the starts costs more than it saves
        date_matches, time_matches = _DATE.finditer(text), _TIME.finditer(text) if timed else ()
    else:
        date_starts, time_starts = _starts(text)
        date_matches = finditer_at(_DATE, text, date_starts)
        time_matches = finditer_at(_TIME, text, time_starts) if timed else ()
    dates = [_date_from(m) for m in date_matches]
    taken = [(d.start, d.end) for d in dates]
    times = []
    for match in time_matches:
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        times.append(_time_from(match))
    used: set[int] = set()
    out: list[tuple[int, int, Instant | None]] = []
    for date in dates:
        start, end, time = date.start, date.end, None
        if date.day is not None:
            time = _time_after(text, date, times, used) or _time_before(text, date, times, used)
        offset = time.offset if time else None
        if time is not None:
            used.add(time.start)
            start, end = min(start, time.start), max(end, time.end)
            if time.start < date.start and time.offset is None:
                zone = _ZONE_AFTER.match(text, date.end)
                if zone:
                    offset, ok = _zone_offset(zone.groupdict())
                    end = zone.end() if ok else end
        out.append((start, end, _instant(date, time, offset)))
    return out


def _time_after(text: str, date: _Date, times: list[_Time], used: set[int]) -> _Time | None:
    for time in times:
        if time.start >= date.end and time.start not in used:
            gap = _DATE_TO_TIME.match(text, date.end, time.start)
            return time if gap and gap.end() == time.start else None
    return None


def _time_before(text: str, date: _Date, times: list[_Time], used: set[int]) -> _Time | None:
    for time in reversed(times):
        if time.end <= date.start:
            if time.start in used:
                return None
            gap = _TIME_TO_DATE.match(text, time.end, date.start)
            return time if gap and gap.end() == date.start else None
    return None


def _from_template(match: re.Match) -> str:
    """{{start date|1969|7|16|13|32|0|Z}} and kin -> ISO text; other parameters are dropped.
    Impossible parts ({{Start date|2020|13|45}}) give no date at all (checked by from_parts),
    never the year alone."""
    params = [p.strip() for p in (match.group(1) or match.group(2) or "").split("|")]
    positional = [p for p in params if p and "=" not in p]
    numbers = []
    for value in positional[:6]:
        if not value.isdigit():
            break
        numbers.append(int(value))
    name = " ".join(match.group(0)[2:].split("|", 1)[0].replace("_", " ").lower().split())
    if name in ("bda", "dda") or name.endswith("and age"):
        numbers = numbers[:3]   # {{death date and age|1966|7|19|1887|5|21}}: the second date is the birth
    if not numbers or from_parts(*numbers) is None:
        return " "
    text = f"{numbers[0]:04d}"
    if len(numbers) > 1:
        text += f"-{numbers[1]:02d}"
    if len(numbers) > 2:
        text += f"-{numbers[2]:02d}"
    if len(numbers) > 4:
        text += "T" + ":".join(f"{n:02d}" for n in numbers[3:6])
        zone = positional[len(numbers)] if len(positional) > len(numbers) else "Z"
        text += zone if re.fullmatch(r"Z|[+\-]\d{2}:?\d{2}", zone) else "Z"
    return f" {text} "


# The form the infobox renderer writes dates in ("July 16, 1969, 13:32:00 UTC", "16 July 1969",
# render_dates.format_date), read without the general scan, which costs ~20 us a value. Only
# plainly valid values are read here; anything else takes the general path, which gives the
# same answer for every text this matches.
_RENDERED = re.compile(r"(?:([A-Z][a-z]{2,8}) (\d{1,2}),|(\d{1,2}) ([A-Z][a-z]{2,8})) (\d{4})"
                       r"(?:, (\d{1,2}):(\d{2})(?::(\d{2}))? UTC)?")
_MONTH_NAMES = {name: number for number, name in enumerate(MONTHS, start=1)}


def _rendered_instant(m: re.Match) -> Instant | None:
    """The Instant of a _RENDERED match, or None to leave it to the general path."""
    month = _MONTH_NAMES.get(m[1] or m[4])
    year, day = int(m[5]), int(m[2] or m[3])
    if month is None or year < 1000 or day == 0 or day > 28 and not _valid(year, month, day):
        return None
    base = datetime(year, month, day, tzinfo=timezone.utc)
    if m[6] is None:
        return Instant(base, "day")
    hour, minute, second = int(m[6]), int(m[7]), m[8]
    if hour > 23 or minute > 59 or second is not None and int(second) > 59:
        return None
    if second is None:
        return Instant(base + timedelta(hours=hour, minutes=minute), "minute")
    return Instant(base + timedelta(hours=hour, minutes=minute, seconds=int(second)), "second")


def parse_instant(text: str) -> Instant | None:
    """The first date (with its time, if written beside it) in text, as a UTC Instant.

    "July 16, 1969, 13:32:00 UTC", "16 July 1969 13:32 UTC+3", "13:32:00 UTC, 16 July 1969",
    "1969-07-16T13:32:00Z", "March 2024" (month precision), "NET 2025" (year precision),
    {{start date|...}} templates. See the module docstring for the rules.
    Bad input: no date, an impossible first date (30 February), or a non-string gives None.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    rendered = _RENDERED.fullmatch(text)
    if rendered is not None:
        instant = _rendered_instant(rendered)
        if instant is not None:
            return instant
    try:
        text = _DATE_TEMPLATE.sub(_from_template, text)
        text = _LINK_SPACE.sub(lambda m: f" {m.group(1)} ", text)
        text = _DAY_RANGE.sub(r"\1 ", text)   # a window "23–24 March 2024" starts on the 23rd
        found = _scan(clean_text(text))
    except (ValueError, OverflowError, IndexError):  # defensive: bad data must not raise
        return None
    return found[0][2] if found else None


_LINK_MARKUP = re.compile(r"\[\[[^\[\]|]*\||\[\[|\]\]|&nbsp;")
_NOTE_MARK = re.compile(FOOTNOTE_MARK, re.I)
_ODD_SPACE = re.compile(r"[\u00a0\u2002-\u200a\u202f]")


def _blank(match: re.Match) -> str:
    return " " * len(match.group(0))


def _same_length_clean(text: str) -> str:
    """Blank out markup that is not part of a date while keeping every character offset."""
    if "[" in text or "]" in text or "&" in text:  # each pass only where its markup can be
        text = _LINK_MARKUP.sub(_blank, text)
        if "[" in text:
            text = _NOTE_MARK.sub(_blank, text)
    if text.isascii():
        return text
    return _ODD_SPACE.sub(" ", text).replace("−", "-")


def find_instants(text: str) -> list[tuple[int, int, Instant]]:
    """Every date(-time) expression in a sentence as (start, end, Instant), spans into text.

    "on 23 September 2024 at 07:59 UTC" gives one minute-precision instant whose span covers
    the date, the time and the zone; dates without a time have day precision; "March 2024"
    and bare years ("in 2024", but not "2000 km") are found at month and year precision.
    Bad input: impossible dates are skipped; a non-string or text without dates gives [].
    """
    if not isinstance(text, str):
        return []
    try:
        clean = _same_length_clean(text)
        found = _scan(clean)
    except (ValueError, OverflowError, IndexError):  # defensive: bad data must not raise
        return []
    return [(start, end, instant) for start, end, instant in found if instant is not None
            and (instant.precision != "year" or not _unit_follows(clean, end))]


_UNIT_WORD = re.compile(r"\s*([^\W\d_]+(?:/[^\W\d_]+)?)")


def _unit_follows(text: str, pos: int) -> bool:
    word = _UNIT_WORD.match(text[pos:pos + 30])
    return bool(word and unit_code(word.group(1)) and len(word.group(1)) <= 3)


_DURATION_PRECISION = {"ms": "second", "s": "second", "min": "minute", "h": "hour", "d": "day",
                       "wk": "day", "month": "month", "yr": "year"}


def parse_duration(text: str) -> Duration | None:
    """The first duration in text: "8 days, 3 hours, 18 minutes, 35 seconds", "186d 6h 32m".

    Precision is the smallest unit written ("374 days" -> day, "approximately 6 months" ->
    month); months are 30.436875 days, years 365.25 days; seconds are rounded to whole.
    Bad input: no duration, a negative one, or a non-string gives None.
    """
    if not isinstance(text, str):
        return None
    try:
        span = parse_time_span(text)
        if span is None or span[0] < 0:
            return None
        return Duration(int(round(span[0])), _DURATION_PRECISION.get(span[1], "second"))
    except (ValueError, OverflowError):
        return None


def format_instant(instant: Instant) -> str:
    """ISO 8601 text cut to the precision: "2024", "2024-03", "2024-03-23", "…T13Z", "…T13:32Z".

    Bad input: an unknown precision is formatted to the second.
    """
    utc = instant.utc.astimezone(timezone.utc)
    precision = instant.precision
    if precision == "year":
        return f"{utc.year:04d}"
    if precision == "month":
        return f"{utc.year:04d}-{utc.month:02d}"
    date = f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
    if precision == "day":
        return date
    if precision == "hour":
        return f"{date}T{utc.hour:02d}Z"
    if precision == "minute":
        return f"{date}T{utc.hour:02d}:{utc.minute:02d}Z"
    return f"{date}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def zone_offset(abbreviation: str) -> float | None:
    """Hours east of UTC of a named zone this module reads ("CDT" -> -5.0); None if unknown."""
    offset = _ZONES.get(abbreviation.strip().upper())
    return None if offset is None else float(offset)
