from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.quantities import (
    Measured,
    convert_value,
    parse_int,
    parse_number,
    parse_quantity,
    parse_time_span,
    unit_code,
)


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (1, "lb", None, (0.45359237, "kg")),
        (100756, "lb", None, (45702.15283172, "kg")),
        (54.5, "nmi", None, (100.934, "km")),
        (1, "mi", None, (1.609344, "km")),
        (1, "ft", None, (0.3048, "m")),
        (10, "in", None, (25.4, "cm")),
        (1000, "lbf", None, (4.4482216152605, "kN")),
        (60, "mph", None, (96.56064, "km/h")),
        (1, "sqmi", None, (2.589988110336, "km2")),
        (1, "ST", None, (0.90718474, "t")),
        (1, "st", None, (6.35029318, "kg")),
        (418, "km", None, (418, "km")),
        (45702, "kg", None, (45702, "kg")),
        (7.66, "km/s", None, (7.66, "km/s")),
        (51.6, "°", None, (51.6, "deg")),
        (2, "t", "kg", (2000, "kg")),
        (2, "hours", "min", (120, "min")),
        (90, "min", "h", (1.5, "h")),
        (1, "kilogram", None, (1, "kg")),
        (3, "pounds", "kg", (1.36077711, "kg")),
        (1, "nautical miles", "km", (1.852, "km")),
        (1, "NM", None, (1.852, "km")),
        (1, "kN", "N", (1000, "N")),
        (100, "m/s", "km/h", (360, "km/h")),
        (1, "rad", "deg", (57.29577951308232, "deg")),
    ],
)
def test_convert_value(value, unit, target, expected):
    got = convert_value(value, unit, target)
    assert got is not None
    assert got[1] == expected[1]
    assert got[0] == pytest.approx(expected[0], rel=1e-9)


@pytest.mark.parametrize(
    ("value", "unit", "target"),
    [(1, "km", "kg"), (1, "zorkmid", None), (1, "", None), (float("nan"), "kg", None),
     (1, "kg", "zorkmid"), (1, "deg", "s")],
)
def test_convert_value_rejects(value, unit, target):
    assert convert_value(value, unit, target) is None


def test_convert_value_falls_back_to_pint_for_units_outside_the_table():
    value, unit = convert_value(1, "furlong", "m")
    assert unit == "m" and value == pytest.approx(201.17, abs=0.01)


def test_importing_units_does_not_import_pint():
    code = ("import sys, pipeline.core.quantities as u; u.convert_value(1, 'lb'); "
            "u.parse_quantity('54.5 nmi', 'km'); print('pint' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("name", "code"),
    [("kilograms", "kg"), ("Pounds", "lb"), ("nautical miles", "nmi"), ("km/s", "km/s"),
     ("°", "deg"), ("degrees", "deg"), ("kilometers per hour", "km/h"), ("ST", "ST"),
     ("st", "st"), ("hrs", "h"), ("metres", "m"), ("lbf", "lbf"), ("nope", None)],
)
def test_unit_code(name, code):
    assert unit_code(name) == code


@pytest.mark.parametrize(
    ("text", "target", "value", "unit", "source_value", "source_unit"),
    [
        ("1.25 degrees", "deg", 1.25, "deg", 1.25, "deg"),
        ("51.66°", "deg", 51.66, "deg", 51.66, "deg"),
        ("51.6 deg", "deg", 51.6, "deg", 51.6, "deg"),
        ("51°38′N", "deg", 51 + 38 / 60, "deg", 51 + 38 / 60, "deg"),
        ("54.5 nmi (100.9 km)", "km", 100.9, "km", 100.9, "km"),
        ("100.9 km (54.5 nmi)", "km", 100.9, "km", 100.9, "km"),
        ("54.5 nmi", "km", 100.934, "km", 54.5, "nmi"),
        ("2 hours", "min", 120, "min", 2, "h"),
        ("88.5 minutes", "min", 88.5, "min", 88.5, "min"),
        ("1h 32m", "min", 92, "min", 92, "min"),
        ("92.7 min", "s", 5562, "s", 92.7, "min"),
        ("45,702 kg", "kg", 45702, "kg", 45702, "kg"),
        ("100,756 lb", "kg", 45702.15283172, "kg", 100756, "lb"),
        ("6,560 kilograms (14,460 lb)", "kg", 6560, "kg", 6560, "kg"),
        ("14,460 lb (6,560 kg)", "kg", 6560, "kg", 6560, "kg"),
        ("418 km", "km", 418, "km", 418, "km"),
        ("~408 km", "km", 408, "km", 408, "km"),
        ("Perigee: 412 km", "km", 412, "km", 412, "km"),
        ("400–410 km", "km", 400, "km", 400, "km"),
        ("418 km", "m", 418000, "m", 418, "km"),
        ("7.66 km/s", "km/s", 7.66, "km/s", 7.66, "km/s"),
        ("27,600 km/h", "km/s", 7.666666667, "km/s", 27600, "km/h"),
        ("92", "min", 92, "min", 92, "min"),
        ("408[1]", "km", 408, "km", 408, "km"),
        ("{{convert|250|mi|km}}", "km", 402.336, "km", 250, "mi"),
        ("12 million kg", "kg", 12e6, "kg", 12e6, "kg"),
        ("15 ft 10 in", "m", 4.826, "m", 15 + 10 / 12, "ft"),
        ("-2:08 min", "s", -128, "s", -128, "s"),
    ],
)
def test_parse_quantity(text, target, value, unit, source_value, source_unit):
    got = parse_quantity(text, target)
    assert isinstance(got, Measured)
    assert got.unit == unit and got.source_unit == source_unit
    assert got.value == pytest.approx(value, rel=1e-6)
    assert got.source_value == pytest.approx(source_value, rel=1e-6)


@pytest.mark.parametrize(
    ("text", "target"),
    [("418 km", "kg"), ("45 kg", "min"), ("no data", "km"), ("", "km"), ("UTC", "s"),
     ("5 crew", "kg"), ("418 km", "parsec-ish"), ("TBD", "deg"), ("1,500,200,55 g", "kg"),
     ("13:32 UTC", "min"), ("5/6", "kg")],
)
def test_parse_quantity_rejects(text, target):
    assert parse_quantity(text, target) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [("2,944", 2944), ("2944", 2944), ("~30", 30), ("30+", 30), ("1.5e3", 1500),
     ("3 (planned)", 3), ("-20", -20), ("0.5", 0.5), (".5", 0.5), ("12 million", 12e6),
     ("approx. 1,234.5 kg", 1234.5), ("18,200<ref name=x/>", 18200)],
)
def test_parse_number(text, number):
    assert parse_number(text) == pytest.approx(number)


@pytest.mark.parametrize("text", ["", "none", "TBD", "12.00.55", "1,.2..00", None, 5])
def test_parse_number_rejects(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [("2,944", 2944), ("2944", 2944), ("~30", 30), ("30+", 30), ("1.5e3", 1500),
     ("3 (planned)", 3), ("2.5", None), ("", None), ("n/a", None), ("1e400", None)],
)
def test_parse_int(text, number):
    got = parse_int(text)
    assert got == number
    assert got is None or type(got) is int


@pytest.mark.parametrize(
    ("text", "seconds", "smallest"),
    [("8 days, 3 hours, 18 minutes, 35 seconds", 703115, "s"),
     ("8 d 3 h 18 min 35 s", 703115, "s"), ("186d 6h 32m", 16093920, "min"),
     ("1:42:05", 6125, "s"), ("2:35 h", 9300, "min"), ("90mins", 5400, "min"),
     ("32m 10s", 1930, "s")],
)
def test_parse_time_span(text, seconds, smallest):
    assert parse_time_span(text) == (pytest.approx(seconds), smallest)


@pytest.mark.parametrize("text", ["70 m", "2:35", "13:32 UTC", "16 July 1969", ""])
def test_parse_time_span_rejects(text):
    assert parse_time_span(text) is None


TARGETS = st.sampled_from(["km", "kg", "deg", "min", "s", "m", "km/s"])


@settings(max_examples=300, deadline=None)
@given(st.text(), TARGETS)
def test_parse_quantity_never_raises(text, target):
    got = parse_quantity(text, target)
    assert got is None or isinstance(got, Measured)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 .,-–~:°′hmsdkgnilb()[]/")),
               max_size=40),
       TARGETS)
def test_parse_quantity_never_raises_on_number_soup(text, target):
    parse_quantity(text, target)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_number_never_raises(text):
    assert parse_number(text) is None or isinstance(parse_number(text), float)
    parse_int(text)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
       st.sampled_from(["kg", "km", "m", "min", "s", "deg"]))
def test_parse_quantity_reads_back_what_was_written(value, unit):
    got = parse_quantity(f"{value:,.3f} {unit}", unit)
    assert got is not None and got.value == pytest.approx(round(value, 3), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("value,unit,target,want", [
    (-100, "C", None, (-100, "C")), (212, "F", None, (100, "C")), (-40, "F", "C", (-40, "C")),
    (0, "°C", "K", (273.15, "K")), (300, "K", "C", (26.85, "C")), (100, "C", "F", (212, "F")),
])
def test_temperatures_are_offsets_not_coulombs(value, unit, target, want):
    got = convert_value(value, unit, target)
    assert got[1] == want[1] and got[0] == pytest.approx(want[0])


def test_a_temperature_to_another_dimension_is_none():
    assert convert_value(20, "C", "kg") is None
