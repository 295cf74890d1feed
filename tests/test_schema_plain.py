"""schema._plainly_fits (check_rows without Arrow) against the Arrow build it stands in for:
whatever it calls sure, to_table takes; whatever to_table refuses, check_rows refuses (with a
ValueError), on every column type, for odd values as well as the usual ones."""
import math
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import schema
from pipeline.schema import TABLES, _plainly_fits, check_rows, to_table

INT64 = (-2**63, 2**63 - 1)


def _outcome(table: str, rows: list[dict], plain: bool):
    """What check_rows does with the rows: None, or (the exception's type, its message); with
    plain False, as it did before any plain check (the Arrow build for every row)."""
    saved = schema._plainly_fits
    if not plain:
        schema._plainly_fits = lambda name, rows: False
    try:
        schema.check_rows(table, rows)
        return None
    except Exception as e:
        return type(e), str(e)
    finally:
        schema._plainly_fits = saved


def _builds(table: str, rows: list[dict]) -> bool:
    try:
        to_table(table, rows, "")
        return True
    except Exception:
        return False


def _agrees(table: str, rows: list[dict]) -> None:
    if _plainly_fits(table, rows):
        assert _builds(table, rows), (table, rows)
    assert _outcome(table, rows, plain=True) == _outcome(table, rows, plain=False), (table, rows)


class _Str(str):
    pass


class _Int(int):
    pass


class _When(datetime):
    pass


class _Odd(timezone.__base__):   # a tzinfo whose offset cannot be read
    def utcoffset(self, dt):
        raise RuntimeError("no offset")


EDGES = [
    None, "", "x", "\ud800 lone surrogate", "\ud83d\ude80 paired", "é", _Str("sub"),
    0, 1, -1, INT64[0], INT64[1], INT64[0] - 1, INT64[1] + 1, 2**53 + 1, _Int(3),
    True, False,
    0.0, -0.0, 1.5, float("nan"), float("inf"), float("-inf"), 1e308,
    datetime(1969, 7, 16, 13, 32), datetime(1969, 7, 16, 13, 32, tzinfo=timezone.utc),
    datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))),
    datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59))),
    datetime(2020, 3, 29, 1, 30, fold=1, tzinfo=timezone(timedelta(hours=2))),
    datetime(2000, 1, 1, tzinfo=_Odd()), _When(2000, 1, 1), date(2000, 1, 1),
    [], ["a"], ["a", None], [None], ["\ud800"], ["a", 1], [1, 2], [1, None], [True],
    [INT64[1] + 1], [1.0], [["a"]], ("a",), (1,), {"a": 1}, b"bytes", {"a"},
]


def test_every_edge_value_in_every_column_of_every_table():
    for table, schema in TABLES.items():
        for column in schema.names:
            for value in EDGES:
                _agrees(table, [{column: value}])


def test_the_usual_rows_are_plainly_sure():
    when = datetime(1969, 7, 16, 13, 32, tzinfo=timezone.utc)
    assert _plainly_fits("missions", [{"mission_id": "apollo-11", "rev_timestamp": when, "crewed": True,
                                       "names_list": ["Apollo 11"], "satcats": [4039, None],
                                       "launch_mass_kg": 45702.0, "crew_size": 3, "landing_utc": None}])
    assert _plainly_fits("events", [{"mission_id": "m", "event": "launch", "utc": datetime(1969, 7, 16)}])
    assert not _plainly_fits("missions", [{"crewed": 1}])
    assert not _plainly_fits("missions", [{"nope": None}])
    assert not _plainly_fits("missions", [{"launch_mass_kg": 1}])   # an int in a float column: Arrow's call


_TZ = st.one_of(st.none(), st.just(timezone.utc),
                st.builds(timezone, st.timedeltas(min_value=-timedelta(hours=23, minutes=59, seconds=59),
                                                  max_value=timedelta(hours=23, minutes=59, seconds=59))))
_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**64, max_value=2**64),
    st.sampled_from([INT64[0], INT64[1], INT64[0] - 1, INT64[1] + 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=8),
    st.text(alphabet=st.sampled_from(["a", "\ud800", "\udc00", "\ud83d", "\ude80", "é"]), max_size=4),
    st.datetimes(timezones=_TZ), st.dates(),
)
_VALUE = st.one_of(_SCALAR, st.lists(_SCALAR, max_size=4), st.lists(_SCALAR, max_size=3).map(tuple))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(TABLES)), st.data())
def test_random_rows_agree_with_the_arrow_build(table, data):
    columns = TABLES[table].names
    rows = data.draw(st.lists(st.dictionaries(st.sampled_from(columns), _VALUE, max_size=4),
                              min_size=1, max_size=3))
    _agrees(table, rows)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_random_values_of_each_column_type(data):
    # the type a column holds, with values mostly of that type: sure or not, Arrow agrees
    for table, schema in (("missions", TABLES["missions"]), ("events", TABLES["events"])):
        column = data.draw(st.sampled_from(schema.names))
        value = data.draw(_VALUE)
        _agrees(table, [{column: value}, {column: None}])


def test_nan_and_infinities_are_sure_floats():
    for v in (float("nan"), float("inf"), -math.inf):
        assert _plainly_fits("missions", [{"launch_mass_kg": v}])
        check_rows("missions", [{"launch_mass_kg": v}])
