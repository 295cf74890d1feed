"""Numbers and physical quantities as Wikipedia infoboxes write them.

Unit codes follow Wikipedia's {{convert}} template (Module:Convert/data: "lb", "nmi", "km2",
"ST" short ton, "st" stone, ...). Conversion factors are the exact legal definitions
(international foot and pound, 1929 nautical mile, standard gravity); they sit in a fast-path
table so the hot path never needs pint. pint, slow to import and to build a registry, is loaded
lazily once per process and only for units the table does not know.

Error policy: bad data is data. Nothing here raises on bad text; an unknown unit, a missing
number or an incompatible unit gives None.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.core.mediawiki import FOOTNOTE_MARK

# Source: Wikipedia's Module:Convert/data unit codes; factors are the SI and international
# yard-and-pound definitions (1 ft = 0.3048 m, 1 lb = 0.45359237 kg, g0 = 9.80665 m/s2,
# 1 nmi = 1852 m), months and years Julian (30.436875 and 365.25 days).
# code | dimension | factor to the dimension's base unit | metric default | aliases
# Bases: m, kg, s, deg, m/s, N, m2, m3, Pa, W, J, Hz, m/s2.
_TABLE = """
m      | length       | 1                     | m      | metre, mtr
km     | length       | 1000                  | km     | kilometre, kms
cm     | length       | 0.01                  | cm     | centimetre
mm     | length       | 0.001                 | mm     | millimetre
um     | length       | 1e-06                 | um     | µm, μm, micrometre, micron
nm     | length       | 1e-09                 | nm     | nanometre
ft     | length       | 0.3048                | m      | foot, feet, ′, '
in     | length       | 0.0254                | cm     | inch, inches, ″, "
yd     | length       | 0.9144                | m      | yard, yds
mi     | length       | 1609.344              | km     | mile, statute mile
nmi    | length       | 1852                  | km     | nautical mile, n mi, nmi.
AU     | length       | 149597870700          | km     | au, astronomical unit
ly     | length       | 9460730472580800      | km     | light-year, light year
kg     | mass         | 1                     | kg     | kilogram, kilogramme, kgs
g      | mass         | 0.001                 | g      | gram, gramme, gm
mg     | mass         | 1e-06                 | mg     | milligram
t      | mass         | 1000                  | t      | tonne, metric ton, metric tonne
lb     | mass         | 0.45359237            | kg     | pound, lbs, lbm, #
oz     | mass         | 0.028349523125        | g      | ounce
st     | mass         | 6.35029318            | kg     | stone
ST     | mass         | 907.18474             | t      | short ton, ton, US ton
LT     | mass         | 1016.0469088          | t      | long ton, imperial ton
slug   | mass         | 14.593902937206364    | kg     |
s      | time         | 1                     | s      | sec, second, sec.
ms     | time         | 0.001                 | ms     | millisecond
min    | time         | 60                    | min    | minute, min., mn
h      | time         | 3600                  | h      | hr, hrs, hour, hr.
d      | time         | 86400                 | d      | day, dy
wk     | time         | 604800                | wk     | week
month  | time         | 2629746               | month  | mo, mth
yr     | time         | 31557600              | yr     | year, y
deg    | angle        | 1                     | deg    | °, º, degree, deg.
rad    | angle        | 57.29577951308232     | rad    | radian
arcmin | angle        | 0.016666666666666666  | arcmin | arcminute
arcsec | angle        | 0.0002777777777777778 | arcsec | arcsecond
m/s    | speed        | 1                     | m/s    | m s-1, m·s-1, mps, metres per second
km/s   | speed        | 1000                  | km/s   | kps, km per second, kilometres per second
km/h   | speed        | 0.2777777777777778    | km/h   | kph, kmh, km/hr, kmph, kilometres per hour
mph    | speed        | 0.44704               | km/h   | mi/h, miles per hour, mile per hour
ft/s   | speed        | 0.3048                | m/s    | fps, feet per second, foot per second
kn     | speed        | 0.5144444444444445    | km/h   | kt, kts, knot
mi/s   | speed        | 1609.344              | km/s   | miles per second, mile per second
N      | force        | 1                     | N      | newton
kN     | force        | 1000                  | kN     | kilonewton
MN     | force        | 1000000               | MN     | meganewton
lbf    | force        | 4.4482216152605       | kN     | pound-force, pounds-force, pound force
kgf    | force        | 9.80665               | N      | kilogram-force, kilograms-force, kp
tf     | force        | 9806.65               | kN     | tonne-force, tonnes-force
m2     | area         | 1                     | m2     | m², sq m, sqm, square metre
km2    | area         | 1000000               | km2    | km², sq km, sqkm, square kilometre
cm2    | area         | 0.0001                | cm2    | cm², square centimetre
mm2    | area         | 1e-06                 | mm2    | mm², square millimetre
ha     | area         | 10000                 | ha     | hectare
sqft   | area         | 0.09290304            | m2     | ft2, ft², sq ft, square foot, square feet
sqin   | area         | 0.00064516            | cm2    | in2, in², sq in, square inch
sqmi   | area         | 2589988.110336        | km2    | mi2, mi², sq mi, square mile
acre   | area         | 4046.8564224          | ha     | ac
m3     | volume       | 1                     | m3     | m³, cu m, cubic metre
km3    | volume       | 1000000000            | km3    | km³, cubic kilometre
cm3    | volume       | 1e-06                 | cm3    | cm³, cc, cubic centimetre
mm3    | volume       | 1e-09                 | mm3    | mm³, cubic millimetre
L      | volume       | 0.001                 | L      | l, litre, ltr
cuft   | volume       | 0.028316846592        | m3     | ft3, ft³, cu ft, cubic foot, cubic feet
cuin   | volume       | 1.6387064e-05         | cm3    | in3, in³, cu in, cubic inch, cubic inches
USgal  | volume       | 0.003785411784        | L      | gal, gallon, US gal, US gallon
impgal | volume       | 0.00454609            | L      | imp gal, imperial gallon
Pa     | pressure     | 1                     | Pa     | pascal
kPa    | pressure     | 1000                  | kPa    | kilopascal
MPa    | pressure     | 1000000               | MPa    | megapascal
bar    | pressure     | 100000                | bar    |
atm    | pressure     | 101325                | kPa    | atmosphere
psi    | pressure     | 6894.757293168361     | kPa    | lbf/in2, pounds per square inch, psia
W      | power        | 1                     | W      | watt
kW     | power        | 1000                  | kW     | kilowatt
MW     | power        | 1000000               | MW     | megawatt
hp     | power        | 745.6998715822702     | kW     | horsepower, bhp
J      | energy       | 1                     | J      | joule
kJ     | energy       | 1000                  | kJ     | kilojoule
MJ     | energy       | 1000000               | MJ     | megajoule
kWh    | energy       | 3600000               | kWh    | kilowatt-hour, kilowatt hour, kW·h
Hz     | frequency    | 1                     | Hz     | hertz
kHz    | frequency    | 1000                  | kHz    | kilohertz
MHz    | frequency    | 1000000               | MHz    | megahertz
GHz    | frequency    | 1000000000            | GHz    | gigahertz
g0     | acceleration | 9.80665               | g0     | gn, g-force, gees
m/s2   | acceleration | 1                     | m/s2   | m/s², metres per second squared
"""


def _spellings(name: str) -> set[str]:
    """A name with its plural ("inch" -> "inches", "km per hour" -> "kms per hour") and the
    American "-meter" spelling ("metres" -> "meters")."""
    names = {name}
    if len(name) >= 3 and name[-1].isalpha() and " per " not in name:
        names.add(name + ("es" if name.endswith(("ch", "sh", "x")) else "s"))
    if " per " in name:
        head, tail = name.split(" per ", 1)
        names |= {f"{head.rstrip('s')} per {tail}", f"{head.rstrip('s')}s per {tail}"}
    return names | {n.replace("metre", "meter") for n in names}


def _load_table() -> tuple[dict[str, tuple[str, float, str]], dict[str, str]]:
    units: dict[str, tuple[str, float, str]] = {}
    aliases: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        code, dimension, factor, default, names = (cell.strip() for cell in line.split("|"))
        units[code] = (dimension, float(factor), default)
        for name in (code, *(n.strip() for n in names.split(",") if n.strip())):
            for spelling in sorted(_spellings(name)):
                aliases.setdefault(spelling.lower(), code)
    for code in units:  # a code's own spelling beats another unit's alias
        aliases[code.lower()] = aliases.get(code.lower(), code)
    return units, aliases


_UNITS, _FOLDED = _load_table()
# Case matters for these: "NM" is the aviators' nautical mile, "nm" a nanometre.
_EXACT = {"NM": "nmi", "MT": "t"}


def unit_code(unit: str) -> str | None:
    """The canonical {{convert}} code for a unit name, symbol or alias.

    Bad input: an unknown or empty name gives None.
    """
    if not isinstance(unit, str):
        return None
    return _unit_code(unit)


@lru_cache(maxsize=4096)
def _unit_code(unit: str) -> str | None:
    # Cached: each {{convert}} asks for its units several times (a few names, read often).
    name = " ".join(unit.split())
    if name in _UNITS:
        return name
    if name in _EXACT:
        return _EXACT[name]
    folded = name.lower()
    if folded in _FOLDED:
        return _FOLDED[folded]
    folded = folded.rstrip(".")
    return _FOLDED.get(folded)


def unit_dimension(unit: str) -> str | None:
    """The dimension ("length", "mass", "time", "angle", ...) of a unit name or code.

    Bad input: an unknown unit gives None.
    """
    code = unit_code(unit)
    return _UNITS[code][0] if code else None


def convert_value(value: float, unit: str, target: str | None = None) -> tuple[float, str] | None:
    """Convert value from unit to target (a {{convert}} code or alias), default metric.

    With target None, customary units go to their metric default (lb->kg, nmi->km, ft->m,
    in->cm, lbf->kN, mph->km/h, ...) and metric units stay as they are. Returns the value and
    the canonical target code. Units outside the fast-path table are tried with pint.

    Bad input: an unknown unit, a target of another dimension, or a non-finite value gives None.
    """
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(value):
        return None
    temperature = _temperature(value, unit, target)
    if temperature is not _NOT_TEMPERATURE:
        return temperature
    src = unit_code(unit)
    dst = unit_code(target) if target is not None else None
    if src is not None and (target is None or dst is not None):
        dim, factor, default = _UNITS[src]
        dst = dst or default
        dst_dim, dst_factor, _ = _UNITS[dst]
        if dst_dim != dim:
            return None
        if dst == src:
            return value, dst
        return value * factor / dst_factor, dst
    return _pint_convert(value, unit, target)


# {{convert}}'s temperature codes. Temperatures have offsets, so they are not factors; and pint
# would read a bare "C" as coulombs and "F" as farads.
_TEMPERATURES = {"C": "C", "°C": "C", "degC": "C", "F": "F", "°F": "F", "degF": "F", "K": "K"}
_NOT_TEMPERATURE = object()


def _temperature(value: float, unit, target):
    """(value, code) when unit is a temperature (metric default: C); None when the target is not
    a temperature; _NOT_TEMPERATURE when unit is not one."""
    src = _TEMPERATURES.get(unit.strip()) if isinstance(unit, str) else None
    if src is None:
        return _NOT_TEMPERATURE
    dst = _TEMPERATURES.get(target.strip()) if isinstance(target, str) else ("C" if target is None else None)
    if dst is None:
        return None
    kelvin = {"C": value + 273.15, "F": (value - 32) * 5 / 9 + 273.15, "K": value}[src]
    return {"C": kelvin - 273.15, "F": (kelvin - 273.15) * 9 / 5 + 32, "K": kelvin}[dst], dst


def _pint_convert(value: float, unit: str, target: str | None) -> tuple[float, str] | None:
    """Slow path: pint for units the table lacks (None when pint does not know them either)."""
    registry = _registry()
    if registry is None or not isinstance(unit, str) or not unit.strip():
        return None
    try:
        quantity = registry.Quantity(value, _pint_name(unit))
        if target is None:
            out = quantity.to_base_units()
            label = f"{out.units:~}".replace(" ", "")
        else:
            out = quantity.to(_pint_name(target))
            label = unit_code(target) or target.strip()
        magnitude = float(out.magnitude)
    except Exception:  # pint raises a zoo of parse and dimensionality errors on user text.
        return None
    if not math.isfinite(magnitude):
        return None
    return magnitude, label


def _pint_name(unit: str) -> str:
    code = unit_code(unit)
    # pint spells a few {{convert}} codes differently.
    renamed = {"deg": "degree", "ST": "short_ton", "LT": "long_ton", "t": "tonne",
               "yr": "year", "kn": "knot"}
    return renamed.get(code or "", code or unit.strip())


@lru_cache(maxsize=1)
def _registry():
    """The process-wide pint UnitRegistry, built on first use; None if pint is unusable."""
    try:
        import pint
    except Exception:
        return None
    return pint.UnitRegistry()


# --------------------------------------------------------------------------------------------
# Text -> numbers and quantities

@dataclass(frozen=True)
class Measured:
    """A quantity in the requested unit, with the number and unit it was read from."""

    value: float
    unit: str
    source_value: float
    source_unit: str


_SPACE_CHARS = re.compile(r"[\u00a0\u2002-\u200a\u202f\u205f\u3000]")
_REF = re.compile(r"<ref[^>/]*/>|<ref[^>]*>.*?</ref>|<[^>]{0,200}>", re.S | re.I)
_FOOTNOTE = re.compile(FOOTNOTE_MARK, re.I)
_LINK = re.compile(r"\[\[(?:[^\[\]|]*\|)?([^\[\]|]*)\]\]")
_CONVERT = re.compile(
    r"\{\{\s*(?:convert|cvt)\s*\|\s*([^|{}]+?)\s*\|\s*([^|{}]+?)\s*(?:\|[^{}]*)?\}\}", re.I)
_X_TO_Y = re.compile(
    r"\{\{\s*([a-z0-9]+)\s+to\s+[a-z0-9]+\s*\|\s*([^|{}]+?)\s*(?:\|[^{}]*)?\}\}", re.I)
_TEMPLATE = re.compile(r"\{\{[^{}]*\}\}")
_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE]([-+]?\d{1,3}))?"
    r"(?![.,][.,\d])(?![\d])"
)
_MULTIPLIER = re.compile(r"\s*(thousand|million|billion|trillion)\b", re.I)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_TOKEN = re.compile(r"[^\s\d(),;:\[\]{}|<>~≈]+(?:\d(?![\d.,]))?")
_RANGE = re.compile(r"\s*(?:-|–|—|to|±|\+/-)\s*")
_DEG_SIGN = re.compile(r"\s?[°º]")
_MINUTES_OF_ARC = re.compile(
    r"\s*(\d{1,2}(?:\.\d+)?)\s*[′']\s*(?:(\d{1,2}(?:\.\d+)?)\s*[″\"])?")


def clean_text(text: str) -> str:
    """Rendered-text cleanup shared by the parsers: references, footnotes, links, spaces.

    Also rewrites {{convert|v|u|...}} and {{km to mi|v}} to "v u" and drops other templates.
    Bad input: anything that is not a string becomes "".
    """
    if not isinstance(text, str):
        return ""
    text = _SPACE_CHARS.sub(" ", text).replace("&nbsp;", " ").replace("\u2212", "-")
    text = _REF.sub(" ", text)
    text = _CONVERT.sub(lambda m: f"{m.group(1)} {m.group(2)}", text)
    text = _X_TO_Y.sub(lambda m: f"{m.group(2)} {m.group(1)}", text)
    text = _TEMPLATE.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _FOOTNOTE.sub(" ", text)
    return text


def _number_at(match: re.Match, text: str) -> float | None:
    """The float a _NUMBER match stands for, signed when a minus sign stands before it."""
    try:
        value = float(match.group(1).replace(",", ""))
        if match.group(2):
            value *= 10.0 ** int(match.group(2))
    except (ValueError, OverflowError):
        return None
    start = match.start()
    if start and text[start - 1] in "-−" and (start == 1 or text[start - 2] in " (~≈:=$\t\n"):
        value = -value
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class _Found:
    value: float
    unit: str | None     # canonical code, or None
    bare: bool           # nothing word-like after the number
    start: int
    end: int


def _unit_after(text: str, pos: int) -> tuple[str | None, int, bool]:
    """The unit written at text[pos:] (code, end position, bare)."""
    rest = text[pos:pos + 60]
    deg = _DEG_SIGN.match(rest)
    if deg and not rest[deg.end():deg.end() + 1].isalpha() or (
            deg and rest[deg.end():deg.end() + 1] in "NSEW"):
        return "deg", pos + deg.end(), False
    lead = len(rest) - len(rest.lstrip(" "))
    # Bare: nothing after the number but brackets, separators or the end ("3 (planned)");
    # "13:32" or "5/6" are not a number in the target unit.
    bare = not rest.strip() or rest.lstrip()[0] in "([{,;+)~≈|<."
    if lead > 2:
        return None, pos, bare
    tokens: list[re.Match] = []
    cursor = lead
    while len(tokens) < 4:
        match = _TOKEN.match(rest, cursor)
        if not match:
            break
        tokens.append(match)
        if rest[match.end():match.end() + 1] != " ":
            break
        cursor = match.end() + 1
    if not tokens:
        return None, pos, bare
    for count in range(len(tokens), 0, -1):
        words = rest[tokens[0].start():tokens[count - 1].end()]
        for candidate in (words, words.rstrip(".,;:!?'\"")):
            code = unit_code(candidate)
            if code:
                return code, pos + tokens[0].start() + len(candidate), False
    # "45kg/m" and similar: a known unit glued to more text is still that unit.
    head = re.match(r"[^\W\d_]+", rest[tokens[0].start():])
    if head and unit_code(head.group()) and head.group() in _UNITS:
        return head.group(), pos + tokens[0].start() + head.end(), False
    return None, pos, False


def _scan(text: str) -> list[_Found]:
    """Every number in text with the unit written after it (ranges share the later unit)."""
    found: list[_Found] = []
    matches = list(_NUMBER.finditer(text))
    consumed = 0
    for index, match in enumerate(matches):
        value = _number_at(match, text)
        if value is None or match.start() < consumed:
            continue
        end = match.end()
        scale = _MULTIPLIER.match(text, end)
        if scale:
            value *= _SCALE[scale.group(1).lower()]
            end = scale.end()
        unit, unit_end, bare = _unit_after(text, end)
        if unit == "deg":
            arc = _MINUTES_OF_ARC.match(text, unit_end)
            if arc:
                value += math.copysign(float(arc.group(1)) / 60 + float(arc.group(2) or 0) / 3600,
                                       value)
                unit_end = arc.end()
        if unit is None and index + 1 < len(matches):
            between = _RANGE.fullmatch(text, end, matches[index + 1].start())
            if between:
                later_unit, _, _ = _unit_after(text, matches[index + 1].end())
                if later_unit:
                    unit, bare = later_unit, False
        found.append(_Found(value, unit, bare, match.start(), unit_end if unit else end))
        consumed = found[-1].end
    return _merge_compounds(text, found)


# Customary quantities written in two parts: "15 ft 10 in", "5 lb 3 oz", "11 st 4 lb".
_COMPOUNDS = {("ft", "in"), ("lb", "oz"), ("st", "lb"), ("mi", "yd"), ("yd", "ft")}


def _merge_compounds(text: str, found: list[_Found]) -> list[_Found]:
    out: list[_Found] = []
    for item in found:
        last = out[-1] if out else None
        if (last and (last.unit, item.unit) in _COMPOUNDS and item.value >= 0
                and not text[last.end:item.start].strip(" ,")):
            extra = item.value * _UNITS[item.unit][1] / _UNITS[last.unit][1]
            out[-1] = _Found(last.value + math.copysign(extra, last.value), last.unit, False,
                             last.start, item.end)
        else:
            out.append(item)
    return out


def parse_number(text: str) -> float | None:
    """The first number in text: "2,944", "~30", "30+", "1.5e3", "3 (planned)", "12 million".

    Thousands separators are commas in groups of three; "1,5" is not a decimal.
    Bad input: no number (or a malformed one like "12.00.55") gives None.
    """
    for found in _scan(clean_text(text)):
        return found.value
    return None


def parse_int(text: str) -> int | None:
    """The first number in text when it is a whole number ("2,944" -> 2944, "1.5e3" -> 1500).

    Bad input: no number, or a fractional one like "2.5", gives None.
    """
    value = parse_number(text)
    if value is None or not value.is_integer() or abs(value) >= 2**63:
        return None
    return int(value)


_SPAN_PART = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*([^\W\d_]+\.?)(?![^\W\d_])")
_SPAN_SEP = re.compile(r"[\s,;]*(?:(?:and|&|plus)\s+)?")
_CLOCK = re.compile(
    r"(?<![\d:.])(\d{1,3}):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?(?![\d:])\s*([^\W\d_]+\.?)?")
# In a run of time parts "m" is a minute ("1h 32m"), and "y" a year.
_SPAN_WORDS = {"m": "min", "y": "yr", "mn": "min"}


def _time_code(word: str) -> str | None:
    word = word.lower().rstrip(".")
    code = _SPAN_WORDS.get(word) or unit_code(word)
    return code if code and _UNITS[code][0] == "time" else None


def _negative_before(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] == "-" and (start == 1 or not text[start - 2].isalnum())


def _time_part_at(text: str, pos: int) -> bool:
    part = _SPAN_PART.match(text, _SPAN_SEP.match(text, pos).end())
    return bool(part and _time_code(part.group(3)))


def parse_time_span(text: str) -> tuple[float, str] | None:
    """The first time span in text as (seconds, smallest unit code written).

    Reads runs of parts ("8 days, 3 hours, 18 minutes, 35 seconds", "8 d 3 h 18 min 35 s",
    "186d 6h 32m", "1 year, 2 days") and clock forms ("1:42:05", "2:35 h", "-2:08 min").
    Months are 30.436875 days and years 365.25 days (Julian).
    Bad input: no span, or a bare "2:35" whose h:mm / m:ss reading is ambiguous, gives None.
    """
    text = clean_text(text)
    parts = _first_part_run(text)
    clock = _CLOCK.search(text)
    if clock and (parts is None or clock.start() < parts[2]):
        from_clock = _clock_span(clock)
        if from_clock is not None:
            sign = -1.0 if _negative_before(text, clock.start()) else 1.0
            return sign * from_clock[0], from_clock[1]
    if parts is None:
        return None
    return parts[0], parts[1]


def _clock_span(match: re.Match) -> tuple[float, str] | None:
    first, second = int(match.group(1)), int(match.group(2))
    third = float(match.group(3)) if match.group(3) else None
    unit = _time_code(match.group(4)) if match.group(4) else None
    if third is not None:
        return first * 3600 + second * 60 + third, "s"
    if unit == "h":
        return first * 3600 + second * 60.0, "min"
    if unit == "min":
        return first * 60 + second * 1.0, "s"
    return None


def _first_part_run(text: str) -> tuple[float, str, int] | None:
    """(seconds, smallest unit, start) of the first run of number+time-unit parts."""
    for match in _SPAN_PART.finditer(text):
        if _time_code(match.group(3)) is None:
            continue
        if match.group(3).lower() == "m" and not _time_part_at(text, match.end()):
            continue  # a lone "70 m" is a length; "1h 32m" and "32m 10s" are times.
        if match.start() and (text[match.start() - 1].isalnum() or text[match.start() - 1] in ".,"):
            continue
        total, smallest, cursor = 0.0, None, match.start()
        while True:
            part = _SPAN_PART.match(text, cursor)
            code = _time_code(part.group(3)) if part else None
            if code is None:
                break
            number = float(part.group(1).replace(",", "") + (part.group(2) or ""))
            total += number * _UNITS[code][1]
            if smallest is None or _UNITS[code][1] < _UNITS[smallest][1]:
                smallest = code
            cursor = _SPAN_SEP.match(text, part.end()).end()
        if _negative_before(text, match.start()):
            total = -total
        return total, smallest, match.start()
    return None


def parse_quantity(text: str, target: str) -> Measured | None:
    """The quantity in text expressed in target ("km", "kg", "deg", "min", "s", "m", "km/s").

    Reads rendered infobox text: "54.5 nmi (100.9 km)" (a value already in the target unit
    wins over the first one), "6,560 kilograms (14,460 lb)", "51.66°", "~408 km",
    "Perigee: 412 km", "400–410 km" (the lower bound), and for time targets runs of parts like
    "1h 32m" or "2 hours". A number with no unit at all is taken to be in the target unit.
    source_value/source_unit are the number and unit the value was read from (for a run of
    time parts: the total in its smallest unit). Only a first number that stands alone
    ("92", "3 (planned)") is read without a unit.
    Bad input: no number, an unknown target, or only units of another dimension give None.
    """
    goal = unit_code(target) if isinstance(target, str) else None
    if goal is None:
        return None
    dimension = _UNITS[goal][0]
    text = clean_text(text)
    if dimension == "time":
        span = _first_part_run(text)
        clock = _CLOCK.search(text)
        if clock and _clock_span(clock) and (span is None or clock.start() < span[2]):
            seconds, smallest = parse_time_span(text)
            span = (seconds, smallest, clock.start())
        if span is not None:
            seconds, smallest, _ = span
            return Measured(seconds / _UNITS[goal][1], goal,
                            seconds / _UNITS[smallest][1], smallest)
    found = _scan(text)
    fitting = [f for f in found if f.unit and _UNITS[f.unit][0] == dimension]
    if fitting:
        best = next((f for f in fitting if f.unit == goal), fitting[0])
        converted = convert_value(best.value, best.unit, goal)
        if converted is None:
            return None
        return Measured(converted[0], goal, best.value, best.unit)
    if any(f.unit for f in found):
        return None
    if not found or not found[0].bare:
        return None
    return Measured(found[0].value, goal, found[0].value, goal)
