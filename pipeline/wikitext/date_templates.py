"""Dates and durations as the renderer shows them (the date templates of pipeline.wikitext.render).

"July 16, 1969, 13:32:00 UTC" (mdy) or "16 July 1969, 13:32:00 UTC" (df=y, or free text written
day-first): date, then time when given, then the zone when given (Z and UTC both print "UTC",
offsets print "UTC-04:00"). Free text that says more than a date, time and zone ("NET 2025") is
shown as written. Bad input never raises: unreadable parts are left out, or the text is kept.
"""
from __future__ import annotations

import datetime as _dt
import re

from dateutil.relativedelta import relativedelta

from pipeline.core.instants import MONTHS, month_number

_MONTH_RE = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|" \
            r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE_FORMS = [  # (regex, group order) for the date part of free text
    (re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?"), "ymd"),
    (re.compile(_MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{3,4})", re.I), "mdy"),
    (re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_RE + r",?\s+(\d{3,4})", re.I), "dmy"),
    (re.compile(_MONTH_RE + r",?\s+(\d{3,4})", re.I), "my"),
    (re.compile(r"\b(\d{4})\b"), "y"),
]
_TIME = re.compile(r"(?<![\d-])(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?", re.I)
_ZONE = re.compile(r"(?:\b|(?<=\d))(UTC|GMT|Z)\b\s*([+\-−]\d{1,2}(?::?\d{2})?)?"
                   r"|(?<=\d)\s*([+\-−]\d{2}:?\d{2})\b"
                   r"|\b(E[SD]T|C[SD]T|M[SD]T|P[SD]T|MSK|BST|CES?T|JST|IST|AEST|KST)\b")


def _zone(tz: str) -> str:
    """Display form of a time zone: Z/UTC/GMT -> "UTC", offsets "UTC+05:00"."""
    tz = tz.strip().replace("−", "-")
    if tz.upper() in ("Z", "UTC", "GMT", "UTC+0", "UTC+00:00", "+00:00"):
        return "UTC"
    m = re.fullmatch(r"(?:UTC)?([+-])(\d{1,2}):?(\d{2})?", tz, re.I)
    return f"UTC{m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}" if m else tz


def format_date(y: int | None, mo: int | None = None, d: int | None = None,
                h: int | None = None, mi: int | None = None, s: int | None = None,
                tz: str = "", dmy: bool = False) -> str:
    """'July 16, 1969, 13:32:00 UTC' (or '16 July 1969, ...' when dmy); parts left out when None."""
    if y is None:
        return ""
    date = str(y)
    if mo and 1 <= mo <= 12:
        date = f"{MONTHS[mo - 1]} {y}"
        if d:
            date = f"{d} {MONTHS[mo - 1]} {y}" if dmy else f"{MONTHS[mo - 1]} {d}, {y}"
    if h is not None:
        date += f", {h:02d}:{mi or 0:02d}" + (f":{s:02d}" if s is not None else "")
    return date + (" " + _zone(tz) if tz else "")


def parse_date_text(text: str) -> dict | None:
    """Date, time and zone parts of free text ("July 16, 1969, 13:32:00 UTC"); None if no date.
    "extra" is True when the text says more than that ("NET 2025", "(planned)")."""
    for rx, order in _DATE_FORMS:
        m = rx.search(text)
        if m:
            break
    else:
        return None
    g = dict(zip(order, m.groups())) if order != "ymd" else dict(zip("ymd", m.groups()))
    out = {"y": int(g["y"]), "mo": month_number(g["m"]) if g.get("m") else None,
           "d": int(g["d"]) if g.get("d") else None, "dmy": order in ("dmy", "ymd")}
    found = [m.span()]
    t = _TIME.search(text, m.end()) or _TIME.search(text, 0, m.start())
    if t and order == "y" and t.start() <= m.start() < t.end():
        t = None
    if t:
        h = int(t.group(1)) % 24
        if t.group(4):
            h = h % 12 + (12 if t.group(4).lower().startswith("p") else 0)
        out.update(h=h, mi=int(t.group(2)), s=int(t.group(3)) if t.group(3) else None)
        found.append(t.span())
    z = _ZONE.search(text, m.end()) or _ZONE.search(text, 0, m.start())
    out["tz"] = next((x for x in z.groups() if x), "") if z else ""
    if z and z.group(1) and z.group(2):
        out["tz"] = z.group(2)
    if z:
        found.append(z.span())
    rest = "".join(text[a:b] for a, b in zip([0] + [e for _, e in sorted(found)],
                                              [s for s, _ in sorted(found)] + [len(text)]))
    out["extra"] = bool(re.search(r"[^\W_]", re.sub(r"\b(?:T|at|on)\b", "", rest)))
    return out


def render_free(text: str, dmy: bool | None = None, tz: str = "") -> str:
    """A free-text date template argument re-rendered canonically; text that says more than a
    date, time and zone ("NET 2025") or no date at all is shown as written (plus tz)."""
    parts = parse_date_text(text)
    if parts is None or parts["extra"]:
        return f"{text} {_zone(tz)}" if tz and parts and not parts["tz"] else text
    return format_date(parts["y"], parts["mo"], parts["d"], parts.get("h"), parts.get("mi"),
                       parts.get("s"), parts["tz"] or tz, parts["dmy"] if dmy is None else dmy)


def _possible(y, mo, d, h, mi, s) -> bool:
    """The given parts name a real calendar date and clock time (a leap second allowed)."""
    if y is None:
        return True
    try:
        _dt.datetime(y, mo or 1, d or 1, h or 0, mi or 0, min(s or 0, 59))
    except (ValueError, OverflowError):  # a year of 11 digits is out of C range, not just of datetime
        return False
    return s is None or s <= 60


def render_numeric(p: list[str], dmy: bool = False, tz: str = "", as_of: bool = False) -> str:
    """{{Start date|y|m|d|h|mi|s|zone}}-style positional parts; unreadable parts are left out.
    The seventh part is the time zone ("Z" or an offset such as "+01:00"), as in Template:Start
    date; tz (the named argument) is used when it is absent. A zone is shown only with a time."""
    nums: list[int | None] = []
    for i, x in enumerate(p[:6]):
        x = x.strip()
        nums.append(month_number(x) if i == 1 else int(x) if x.isdigit() else None)
    nums += [None] * (6 - len(nums))
    y, mo, d, h, mi, s = nums
    if not _possible(y, mo, d, h, mi, s):
        # Template:Start date shows an error for such parts; the text stays visibly wrong so
        # that it is reported as unparsed, never read as a coarser date ("2020").
        written = "-".join(x.strip() for x in p[:3] if x.strip())
        clock = ":".join(x.strip() for x in p[3:6] if x.strip())
        return "invalid date " + written + (" " + clock if clock else "")
    if not d:
        h = None
    zone = p[6].strip() if len(p) > 6 and p[6].strip() else tz
    out = format_date(y, mo, d if mo else None, h, mi, s, zone if h is not None else "", dmy)
    return ("As of " + out) if as_of and out else out


_DURATION_UNITS = {"y": "year", "mo": "month", "w": "week", "d": "day", "h": "hour",
                   "m": "minute", "s": "second"}


def render_parts(parts: dict[str, str | int], last: str = ", ") -> str:
    """{"d": 8, "h": 3} -> "8 days, 3 hours" (units in order, empty ones left out); `last`
    joins the last unit (" and " as Module:Age does by default)."""
    out = []
    for key, unit in _DURATION_UNITS.items():
        value = str(parts.get(key, "")).strip()
        if value and re.fullmatch(r"\d+(?:\.\d+)?", value):
            out.append(f"{value} {unit}" + ("" if value == "1" else "s"))
    if len(out) > 1 and last != ", ":
        return ", ".join(out[:-1]) + last + out[-1]
    return ", ".join(out)


def _moment(text: str):
    """The datetime (naive, UTC) a free-text date names, at least to the month; None if not."""
    x = parse_date_text(text)
    if not x or not x["mo"]:
        return None
    try:
        return _dt.datetime(x["y"], x["mo"], x["d"] or 1, x.get("h") or 0, x.get("mi") or 0,
                            x.get("s") or 0)
    except ValueError:
        return None


_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def _units(show: str) -> list[str]:
    """Module:Age's show= code as units: y, mo (an "m" before any "h"), w, d, h, m (minutes:
    an "m" after "h", or "M"), s. "ymd" -> [y, mo, d]; "dhm" -> [d, h, m]."""
    out: list[str] = []
    for ch in show:
        if ch == "m":
            out.append("m" if "h" in out else "mo")
        elif ch == "M":
            out.append("m")
        elif ch in "ywdhs" and ch not in out:
            out.append(ch)
    return [u for i, u in enumerate(out) if u not in out[:i]]


def _difference(t0, t1, units: list[str]) -> dict[str, int]:
    """t1 - t0 (t0 <= t1) in the given units, calendar units first (dateutil.relativedelta:
    a month is its own length), the rest in whole weeks, days, hours, minutes, seconds."""
    parts: dict[str, int] = {}
    step = t0
    for unit, key in (("y", "years"), ("mo", "months")):
        if unit in units:
            rd = relativedelta(t1, step)
            n = rd.years if unit == "y" else rd.years * 12 + rd.months
            parts[unit] = n
            step = step + relativedelta(**{key: n})
    secs = int((t1 - step).total_seconds())
    for unit in ("w", "d", "h", "m", "s"):
        if unit in units:
            parts[unit], secs = divmod(secs, _UNIT_SECONDS[unit])
    return parts


def render_interval(start: str, end: str, show: str = "", sep: str = "") -> str:
    """{{time interval|start|end|show=dhms|sep=,}} as "8 days, 3 hours and 5 minutes" (with
    sep=, or sep=comma: commas throughout); show= as Module:Age reads it (ymd, dhm, hms, ...;
    default ymd for dates, dhms when a time is given). Units that come out zero are not shown,
    unless all are. "" if a date is unreadable or missing (a missing date means the day of
    reading, which is not a fact of the page)."""
    t0, t1 = _moment(start), _moment(end)
    if t0 is None or t1 is None:
        return ""
    t0, t1 = min(t0, t1), max(t0, t1)
    timed = any(x is not None and x.get("h") is not None
                for x in (parse_date_text(start), parse_date_text(end)))
    units = _units(show.strip()) or (["d", "h", "m", "s"] if timed else ["y", "mo", "d"])
    try:
        parts = _difference(t0, t1, units)
    except (OverflowError, ValueError):  # a step past the calendar's ends
        return ""
    shown = {k: v for k, v in parts.items() if v} or {units[-1]: 0}
    last = ", " if sep.strip().lower() in (",", "comma") else " and "
    return render_parts(shown, last)


def render_days(start: str, end: str) -> str:
    """{{age in days|start|end}}: the whole days between two dates ("5511"); "" when a date is
    unreadable or missing."""
    t0, t1 = _moment(start), _moment(end)
    if t0 is None or t1 is None:
        return ""
    return str(abs((t1.date() - t0.date()).days))


def render_years_days(start: str, end: str, sep: str = "") -> str:
    """{{age in years and days|start|end}}: "15 years and 32 days" (sep=, joins with a comma);
    "" when a date is unreadable or missing."""
    t0, t1 = _moment(start), _moment(end)
    if t0 is None or t1 is None:
        return ""
    a, b = sorted((t0.replace(hour=0, minute=0, second=0), t1.replace(hour=0, minute=0, second=0)))
    try:
        parts = _difference(a, b, ["y", "d"])
    except (OverflowError, ValueError):
        return ""
    last = ", " if sep.strip().lower() in (",", "comma") else " and "
    return render_parts({k: v for k, v in parts.items() if v} or {"d": 0}, last)


def render_local_time(date: str, h: str, mi: str, s: str, zone: str, offset: float | None,
                      dmy: bool) -> str:
    """{{ltime|date|h|mi|s|zone|DMY}}: the given time is UTC; shown as the local time in `zone`
    (offset hours east of UTC) then the UTC time in brackets, as Template:Ltime shows it:
    "11 December 2021, 9:00:42 am CST (15:00:42 UTC)". Without a known offset: the date and
    the UTC time. "" when the date or the time is unreadable."""
    x = parse_date_text(date)
    if not x or not x["mo"] or not x["d"] or not h.strip().isdigit():
        return ""
    try:
        utc = _dt.datetime(x["y"], x["mo"], x["d"], int(h), int(mi) if mi.strip().isdigit() else 0,
                           int(s) if s.strip().isdigit() else 0)
    except ValueError:
        return ""
    seconds = s.strip().isdigit()
    clock = f"{utc:%H:%M:%S}" if seconds else f"{utc:%H:%M}"
    if offset is None:
        return format_date(utc.year, utc.month, utc.day, utc.hour, utc.minute,
                           utc.second if seconds else None, "UTC", dmy)
    try:
        local = utc + _dt.timedelta(hours=offset)
    except OverflowError:  # past year 9999 or before year 1
        return ""
    hour12 = local.hour % 12 or 12
    ampm = "am" if local.hour < 12 else "pm"
    local_clock = f"{hour12}:{local:%M:%S}" if seconds else f"{hour12}:{local:%M}"
    day = format_date(local.year, local.month, local.day, dmy=dmy)
    return f"{day}, {local_clock} {ampm} {zone.strip().upper()} ({clock} UTC)"
