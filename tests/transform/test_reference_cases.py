"""DBpedia's own parser test strings, run against our date and quantity parsers.

The cases are copied (with where they come from) into data/dbpedia_reference_cases.json.
"match" cases must give DBpedia's value, "differs" cases our documented value, and
"not_applicable" cases are skipped with their reason.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.core.instants import format_instant, parse_instant
from pipeline.core.quantities import parse_number, parse_quantity

DATA = json.loads((Path(__file__).parent / "data" / "dbpedia_reference_cases.json")
                  .read_text(encoding="utf-8"))


def _params(cases: list[dict]) -> list:
    params = []
    for number, case in enumerate(cases):
        marks = ()
        if case["status"] == "not_applicable":
            marks = (pytest.mark.skip(reason=case["reason"]),)
        params.append(pytest.param(case, marks=marks, id=f"{number}-{case['text'][:40]}"))
    return params


def test_data_file_says_where_it_comes_from():
    assert "dbpedia/extraction-framework" in DATA["source"]
    assert "dataparser" in DATA["source"]


def test_every_case_is_classified_and_skips_have_reasons():
    for case in DATA["dates"] + DATA["units"]:
        assert case["status"] in ("match", "differs", "not_applicable")
        if case["status"] != "match":
            assert case["reason"]


def test_english_cases_mostly_apply():
    english = [c for c in DATA["dates"] + DATA["units"] if c["lang"] == "en"]
    applied = [c for c in english if c["status"] != "not_applicable"]
    assert len(applied) >= 100


@pytest.mark.parametrize("case", _params(DATA["dates"]))
def test_dbpedia_date(case):
    got = parse_instant(case["text"])
    if case["expect"] is None:
        assert got is None
        return
    assert got is not None
    text = format_instant(got)
    if case["dbpedia_type"] == "gYear":
        assert (text, got.precision) == (case["expect"], "year")
    elif case["dbpedia_type"] == "gYearMonth":
        assert (text, got.precision) == (case["expect"], "month")
    else:
        assert text[:10] == case["expect"]
        assert got.precision in ("day", "hour", "minute", "second")


@pytest.mark.parametrize("case", _params(DATA["units"]))
def test_dbpedia_unit_value(case):
    if case["target"] is None:
        got = parse_number(case["text"])
    else:
        measured = parse_quantity(case["text"], case["target"])
        got = None if measured is None else measured.value
    if case["expect"] is None:
        assert got is None
    else:
        assert got == pytest.approx(case["expect"], rel=1e-3)
