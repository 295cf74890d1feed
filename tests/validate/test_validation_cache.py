"""Fast small runs: a suite's GE result is kept under a key of everything it depends on, and a
run over the very same tables reads it back instead of asking Great Expectations again."""
from __future__ import annotations

import json

import pytest

from pipeline.schema import to_table
from pipeline.validate import suites, validate, write_report
from tests.validate.test_report import EXPECTATIONS, mission

pytestmark = pytest.mark.slow  # several Great Expectations validations each

RUN = "20260101T021500000Z-0000abcd"


def outcomes(result):
    return [(o.name, o.success, o.unexpected_count, o.failing_ids, o.detail) for o in result.outcomes]


def tables(**over):
    rows = [mission("apollo-8", "Apollo 8", launch_precision="day"), mission("apollo-11", "Apollo 11", **over)]
    return {"missions": to_table("missions", rows, RUN)}


def test_the_same_tables_are_validated_once(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = validate(tables(), expectations_dir=EXPECTATIONS, cache_dir=cache)
    assert len(list(cache.glob("*.json"))) == 1

    def no_ge():
        raise AssertionError("Great Expectations asked again for the same tables")
    monkeypatch.setattr(suites, "gx_context", no_ge)
    again = validate({"missions": to_table("missions", [r for r in tables()["missions"].to_pylist()],
                                           "20260102T021500000Z-0000abcd")},
                     expectations_dir=EXPECTATIONS, cache_dir=cache)   # another run id, same rows
    assert outcomes(again) == outcomes(first)
    assert any(not o.success for o in again.outcomes)
    monkeypatch.undo()
    # The cached result still makes Data Docs (read back as GE's own object).
    paths = write_report(again, run_dir=tmp_path / "reports" / RUN, run_id=RUN, summary={}, titles={})
    assert "launch_time_present" in next((paths["datadocs"].parent / "validations").rglob("missions.html")).read_text()


def test_a_changed_row_is_validated_again_and_the_old_entry_goes(tmp_path):
    cache = tmp_path / "cache"
    validate(tables(), expectations_dir=EXPECTATIONS, cache_dir=cache)
    before = {p.name for p in cache.glob("*.json")}
    changed = validate(tables(inclination_deg=191.0), expectations_dir=EXPECTATIONS, cache_dir=cache)
    after = {p.name for p in cache.glob("*.json")}
    assert before.isdisjoint(after) and len(after) == 1
    failed = {o.name for o in changed.outcomes if not o.success}
    assert "inclination_in_range" in failed


def test_a_damaged_cache_entry_is_ignored(tmp_path):
    cache = tmp_path / "cache"
    first = validate(tables(), expectations_dir=EXPECTATIONS, cache_dir=cache)
    entry = next(cache.glob("*.json"))
    entry.write_text("{not json")
    again = validate(tables(), expectations_dir=EXPECTATIONS, cache_dir=cache)
    assert outcomes(again) == outcomes(first)
    assert json.loads(entry.read_text())["result"]["results"]
