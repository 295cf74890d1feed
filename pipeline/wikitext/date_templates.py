"""Dates and durations as the renderer shows them (the date templates of pipeline.wikitext.render).

"July 16, 1969, 13:32:00 UTC" (mdy) or "16 July 1969, 13:32:00 UTC" (df=y, or free text written
day-first): date, then time when given, then the zone when given (Z and UTC both print "UTC",
offsets print "UTC-04:00"). Free text that says more than a date, time and zone ("NET 2025") is
shown as written. Bad input never raises: unreadable parts are left out, or the text is kept.
"""
from __future__ import annotations

import datetime as _dt
import re

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
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


def _month(s: str) -> int | None:
    s = s.strip().rstrip(".").lower()
    if s.isdigit():
        return int(s) if 1 <= int(s) <= 12 else None
    if len(s) < 3:
        return None
    return next((i + 1 for i, m in enumerate(MONTHS) if m.lower().startswith(s)), None)


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
    out = {"y": int(g["y"]), "mo": _month(g["m"]) if g.get("m") else None,
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


def render_numeric(p: list[str], dmy: bool = False, tz: str = "", as_of: bool = False) -> str:
    """{{Start date|y|m|d|h|mi|s|zone}}-style positional parts; unreadable parts are left out.
    The seventh part is the time zone ("Z" or an offset such as "+01:00"), as in Template:Start
    date; tz (the named argument) is used when it is absent. A zone is shown only with a time."""
    nums: list[int | None] = []
    for i, x in enumerate(p[:6]):
        x = x.strip()
        nums.append(_month(x) if i == 1 else int(x) if x.isdigit() else None)
    nums += [None] * (6 - len(nums))
    y, mo, d, h, mi, s = nums
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


def render_interval(start: str, end: str, show: str = "", sep: str = "") -> str:
    """{{time interval|start|end|show=dhms|sep=,}} as "8 days, 3 hours and 5 minutes" (with
    sep=, or sep=comma: commas throughout); "" if a date is unreadable or missing (a missing
    date means the day of reading, which is not a fact of the page)."""
    t0, t1 = _moment(start), _moment(end)
    if t0 is None or t1 is None:
        return ""
    secs = int(abs((t1 - t0).total_seconds()))
    keep = [k for k in ("d", "h", "m", "s") if k in (show or "dhms")] or ["d"]
    parts: dict[str, int] = {}
    for key in keep:
        size = {"d": 86400, "h": 3600, "m": 60, "s": 1}[key]
        parts[key], secs = divmod(secs, size)
    last = ", " if sep.strip().lower() in (",", "comma") else " and "
    # Units that come out zero are not shown (Module:Age), unless all of them are.
    shown = {k: v for k, v in parts.items() if v} or {keep[-1]: 0}
    return render_parts(shown, last)


def render_days(start: str, end: str) -> str:
    """{{age in days|start|end}}: the whole days between two dates ("5511"); "" when a date is
    unreadable or missing."""
    t0, t1 = _moment(start), _moment(end)
    if t0 is None or t1 is None:
        return ""
    return str(abs((t1.date() - t0.date()).days))


def render_years_days(start: str, end: str, sep: str = "") -> str:
    """{{age in years and days|start|end}}: "15 years and 32 days" (whole years, then days; sep=,
    joins with a comma); "" when a date is unreadable or missing."""
    t0, t1 = _moment(start), _moment(end)
    if t0 is None or t1 is None:
        return ""
    a, b = sorted((t0.date(), t1.date()))
    years = b.year - a.year - ((b.month, b.day) < (a.month, a.day))
    try:
        anniversary = a.replace(year=a.year + years)
    except ValueError:  # 29 February in a year without one
        anniversary = a.replace(year=a.year + years, day=28)
    days = (b - anniversary).days
    last = ", " if sep.strip().lower() in (",", "comma") else " and "
    return render_parts({"y": years, "d": days} if years else {"d": days}, last)


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
    local = utc + _dt.timedelta(hours=offset)
    hour12 = local.hour % 12 or 12
    ampm = "am" if local.hour < 12 else "pm"
    local_clock = f"{hour12}:{local:%M:%S}" if seconds else f"{hour12}:{local:%M}"
    day = format_date(local.year, local.month, local.day, dmy=dmy)
    return f"{day}, {local_clock} {ampm} {zone.strip().upper()} ({clock} UTC)"
