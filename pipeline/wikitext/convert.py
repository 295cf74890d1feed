"""{{convert}} and {{coord}} arithmetic for pipeline.wikitext.render.

{{convert}} renders its metric number and unit symbol without thousands separators ("45702 kg"),
rounded like Module:Convert's default (input decimals shifted by the log10 of the factor, at
least two significant figures); ctx.quantities gets one Quantity per stated number. Bad input
never raises: a value or unit that cannot be read is shown as written.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

from pipeline.records import Quantity
from pipeline.core.quantities import convert_value, unit_code

_RANGE = {"to": " to ", "-": "–", "–": "–", "and": " and ", "or": " or ", "by": " × ",
          "x": " × ", "×": " × ", "+/-": " ± ", "±": " ± ", "to(-)": " to ", "&": " & ",
          "and(-)": " and ", "~": "–", "+": " + "}


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.I)
_NEGATIVE_ZERO = re.compile(r"-0\.?0*")


def _number(s: str) -> tuple[float, int] | None:
    """(value, decimals) of a number as {{convert}} accepts it ("100,756", "−3", "1.5e3")."""
    if s.isascii() and s.replace(".", "", 1).isdigit():
        # ASCII digits with at most one "." (most values: "30", "193.3"): the steps below
        # change nothing and the regex matches (tests/wikitext/test_render.py compares)
        v = float(s)
        point = s.find(".")
        return (v, 0 if point == -1 else len(s) - point - 1) if math.isfinite(v) else None
    s = s.replace(",", "").replace("−", "-").strip()
    if not _NUMBER.fullmatch(s):
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    mant = s.lower().split("e")[0]
    return (v, len(mant.split(".")[1]) if "." in mant else 0) if math.isfinite(v) else None


def _fmt_number(v: float, decimals: int) -> str:
    decimals = max(0, min(decimals, 12))
    out = f"{v:.{decimals}f}"
    return "0" if out[0] == "-" and _NEGATIVE_ZERO.fullmatch(out) else out


@lru_cache(maxsize=1024)
def _metric_target(target: str) -> str | None:
    """The target itself when it is a metric unit (it converts to itself), else None. Cached:
    pages name a few targets over and over, and the answer is the units table's alone."""
    metric = convert_value(1.0, target)
    return target if metric and unit_code(target) == metric[1] else None


def render_convert(p: list[str], ctx) -> str:
    """{{convert|value|unit|target}} and its ranges (value|to|value|unit) and compound inputs
    (5|ft|11|in|m): the metric text, one Quantity per stated number."""
    first = _number(p[0]) if p else None
    if first is None or len(p) < 2:
        return " ".join(x for x in p[:2] if x)
    numbers, words, i = [first], [], 1
    while i + 1 < len(p) and p[i].strip().lower() in _RANGE and _number(p[i + 1]):
        words.append(_RANGE[p[i].strip().lower()])
        numbers.append(_number(p[i + 1]))
        i += 2
    unit = p[i].strip() if i < len(p) else ""
    i += 1
    if not words and i + 1 < len(p) and _number(p[i]) and unit_code(p[i + 1].strip() or "?"):
        extra = convert_value(_number(p[i])[0], p[i + 1].strip(), unit)  # 5 ft 11 in
        if extra:
            numbers = [(first[0] + extra[0], max(first[1], 1))]
        i += 2
    target = p[i].split()[0] if i < len(p) and p[i].strip() else None
    precision = _number(p[i + 1]) if i + 1 < len(p) else None
    metric_target = _metric_target(target) if target else None
    shown = []
    quantities = None if ctx.text_only else ctx.quantities  # (only the text is wanted)
    for value, decimals in numbers:
        to_metric = convert_value(value, unit, metric_target) or convert_value(value, unit, None)
        if quantities is not None:
            quantities.append(Quantity(value, unit, to_metric[0] if to_metric else None,
                                       to_metric[1] if to_metric else None))
        if to_metric is None:
            shown.append((_fmt_number(value, decimals), unit))
        elif unit_code(unit) == to_metric[1]:
            shown.append((_fmt_number(value, decimals), to_metric[1]))
        else:
            factor = to_metric[0] / value if value else 1.0
            dec = decimals - round(math.log10(abs(factor))) if factor else decimals
            if to_metric[0]:
                dec = max(dec, 1 - math.floor(math.log10(abs(to_metric[0]))))
            if precision is not None and precision[1] == 0:
                dec = int(precision[0])
            shown.append((_fmt_number(to_metric[0], dec), to_metric[1]))
    text = shown[0][0]
    for word, (num, _) in zip(words, shown[1:]):
        text += word + num
    return f"{text} {shown[-1][1]}"


def parse_coord(p: list[str]) -> tuple[float, float] | None:
    """(lat, lon) from {{Coord}} positional arguments: d[m[s]] N|S d[m[s]] E|W, or decimal
    "lat|lon". Out-of-range or unreadable input gives None."""
    try:
        hemis = [i for i, x in enumerate(p) if x.upper() in ("N", "S", "E", "W")]
        if len(hemis) >= 2:
            i, j = hemis[0], hemis[1]
            lat = _dms(p[:i]) * (-1 if p[i].upper() == "S" else 1)
            lon = _dms(p[i + 1:j]) * (-1 if p[j].upper() == "W" else 1)
            if p[i].upper() in ("E", "W"):
                lat, lon = lon, lat
        elif len(p) >= 2:
            lat, lon = float(p[0].replace("−", "-")), float(p[1].replace("−", "-"))
        else:
            return None
    except (ValueError, IndexError):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
        return None
    return round(lat, 6), round(lon, 6)


def _dms(parts: list[str]) -> float:
    if not 1 <= len(parts) <= 3:
        raise ValueError("dms")
    nums = [float(x.replace("−", "-")) for x in parts]
    return sum(n / 60 ** k for k, n in enumerate(nums))
