"""Carried validation: after a change, Great Expectations evaluates only the expectations whose
columns changed, and the result is the one a full validation gives (same outcomes, same GE
results in the same order), including checks that newly fail or newly pass."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.schema import TABLES, to_table
from pipeline.validate import carry, validate, write_report
from tests.validate.test_derived import utc
from tests.validate.test_report import EXPECTATIONS, mission

RUN = "20260101T021500000Z-0000abcd"
ROOT = Path(__file__).resolve().parents[2]


def outcomes(result):
    return [vars(o) for o in result.outcomes]


def ge_json(result) -> list[dict]:
    """Each suite's GE result as JSON, without the batch markers (GE's load time and frame
    fingerprint differ between any two GE calls)."""
    out = []
    for r in result.ge_results:
        d = json.loads(json.dumps(r.data if hasattr(r, "data") else r.to_json_dict(), default=str))
        d["meta"].pop("batch_markers", None)
        out.append(d)
    return out


def tables(**over) -> dict[str, pa.Table]:
    rows = [mission("apollo-8", "Apollo 8", launch_precision="day"), mission("apollo-11", "Apollo 11", **over)]
    events = [{"mission_id": "apollo-11", "event": "docking", "utc": utc("2024-05-01T00:00:00"),
               "precision": "day", "source": "infobox", "evidence": "docking_date"}]
    return {"missions": to_table("missions", rows, RUN), "events": to_table("events", events, RUN)}


def evaluated(caplog) -> int:
    event = [r.data for r in caplog.records if getattr(r, "data", {}).get("event") == "validation"][-1]
    return event["evaluated"]


def carried_and_full(cache, tabs, caplog):
    """validate() with the cache of an earlier run, and validate() by GE alone, on `tabs`."""
    caplog.set_level(logging.INFO, logger="pipeline.validate")
    caplog.clear()
    fast = validate(tabs, expectations_dir=EXPECTATIONS, cache_dir=cache)
    n = evaluated(caplog)
    full = validate(tabs, expectations_dir=EXPECTATIONS)
    assert outcomes(fast) == outcomes(full)
    assert ge_json(fast) == ge_json(full)
    return fast, n


@pytest.mark.parametrize("expectation, columns", [
    ({"type": "expect_column_values_to_be_between", "kwargs": {"column": "a", "min_value": 0}}, ["a", "id"]),
    ({"type": "expect_column_pair_values_to_be_equal", "kwargs": {
        "column_A": "a", "column_B": "b",
        "row_condition": {"type": "and", "conditions": [
            {"type": "comparison", "column": {"name": "c"}, "operator": ">", "parameter": 0},
            {"type": "comparison", "column": {"name": "d"}, "operator": "==", "parameter": True}]}}},
     ["a", "b", "c", "d", "id"]),
    ({"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["a", "b"]}}, ["a", "b", "id"]),
    ({"type": "expect_table_columns_to_match_ordered_list", "kwargs": {"column_list": ["a"]}}, []),
    ({"type": "expect_table_row_count_to_equal", "kwargs": {"value": 3}}, []),
    # what cannot be told depends on every column
    ({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "a", "row_condition": 'b > 0'}}, None),
    ({"type": "expect_column_values_to_be_in_set", "kwargs": {
        "column": "a", "row_condition": {"type": "comparison", "column": {"name": "b"}, "other": "c"}}}, None),
    ({"type": "unexpected_rows_expectation", "kwargs": {"unexpected_rows_query": "select 1"}}, None),
    ({"type": "expect_column_values_to_not_be_null", "kwargs": {}}, None),
])
def test_the_columns_an_expectation_reads(expectation, columns):
    assert carry.columns_read(expectation, ["id"]) == columns


def test_a_key_changes_with_the_columns_read_and_only_with_them():
    base = to_table("missions", [mission("a", "A"), mission("b", "B")], RUN)
    exps = [{"type": "expect_column_values_to_be_between", "kwargs": {"column": "inclination_deg", "max_value": 180}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "title"}},
            {"type": "expect_table_columns_to_match_ordered_list", "kwargs": {"column_list": ["x"]}}]

    def keys(table):
        return carry.expectation_keys("missions", "missions", exps, table, {"result_format": "COMPLETE"},
                                      ["mission_id"])
    before = keys(base)
    i = base.column_names.index("inclination_deg")
    changed = keys(base.set_column(i, "inclination_deg", pa.array([51.6, 191.0])))
    assert [a == b for a, b in zip(before, changed)] == [False, True, True]
    renamed = keys(base.rename_columns(["mission_id", *[c + "_" for c in base.column_names[1:]]]))
    assert all(a != b for a, b in zip(before, renamed))   # column names: every key
    shorter = keys(base.slice(0, 1))
    assert all(a != b for a, b in zip(before, shorter))    # row count: every key


@pytest.mark.slow
def test_a_check_that_newly_fails_is_reported_and_only_its_expectation_goes_to_ge(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.validate")
    cache = tmp_path / "cache"
    first = validate(tables(), expectations_dir=EXPECTATIONS, cache_dir=cache)
    assert evaluated(caplog) == 38   # 31 missions + 7 events expectations: all by GE
    assert "inclination_in_range" not in {o.name for o in first.failures()}

    fast, n = carried_and_full(cache, tables(inclination_deg=191.0), caplog)
    assert n == 1                    # inclination_in_range alone reads inclination_deg
    bad = next(o for o in fast.outcomes if o.name == "inclination_in_range")
    assert not bad.success and bad.failing_ids == ["apollo-11"] and bad.severity == "error"
    assert fast.quarantine_ids() == {"apollo-11": ["inclination_in_range"]}

    # and passes again when fixed (the cache keeps the last run's results only: GE is asked)
    again, n = carried_and_full(cache, tables(), caplog)
    assert n == 1
    assert "inclination_in_range" not in {o.name for o in again.failures()}


@pytest.mark.slow
def test_a_changed_helper_and_a_joined_table_are_evaluated_again(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.validate")
    cache = tmp_path / "cache"
    validate(tables(), expectations_dir=EXPECTATIONS, cache_dir=cache)
    # The events table is the same, but the mission it joins now lands before its docking:
    # dq_docking_outside_mission_s changes, so docking_within_mission is asked again and fails.
    fast, n = carried_and_full(cache, tables(landing_utc=utc("2024-04-01T00:00:00")), caplog)
    failed = {o.name: o for o in fast.failures()}
    assert failed["docking_within_mission"].failing_ids == ["apollo-11"]
    # landing_utc feeds dq_landing_end_utc (landing_after_launch, now another value) and the
    # docking helper; dq_landing_time_precision and the duration helpers read it too, but their
    # values are the same (a landing to the minute; no stated duration): those are carried.
    assert n == 2


@pytest.mark.slow
def test_an_expectation_that_raised_keeps_its_place_and_its_message(tmp_path, caplog):
    cache = tmp_path / "cache"
    validate(tables(), expectations_dir=EXPECTATIONS, cache_dir=cache)
    broken = tables()
    m = broken["missions"]
    i = m.column_names.index("perigee_km")
    broken["missions"] = m.set_column(i, "perigee_km", pa.array(["x"] * m.num_rows))
    fast, _ = carried_and_full(cache, broken, caplog)
    first = fast.ge_results[0].results[0]
    assert carry._raised(first)                       # GE puts the ones that raised first
    assert "perigee_km" in {c for o in fast.failures() if o.detail for c in o.columns}
    # and the carried result also makes Data Docs with every check
    paths = write_report(fast, run_dir=tmp_path / "reports" / RUN, run_id=RUN, summary={}, titles={})
    page = next((paths["datadocs"].parent / "validations").rglob("missions.html")).read_text()
    assert "perigee_nonnegative" in page and "inclination_in_range" in page


@pytest.mark.slow
def test_a_damaged_entry_is_evaluated_again(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="pipeline.validate")
    cache = tmp_path / "cache"
    validate(tables(), expectations_dir=EXPECTATIONS, cache_dir=cache)
    for path in cache.glob("*.json"):
        data = json.loads(path.read_text())
        data["result"]["results"][0]["expectation_config"] = "damaged"
        path.write_text(json.dumps(data))
    fast, n = carried_and_full(cache, tables(inclination_deg=191.0), caplog)
    assert n == 38   # a damaged file is not read at all: everything goes to GE again


@pytest.mark.slow
def test_the_bundled_articles_with_one_article_changed(tmp_path, caplog):
    """The three bundled articles, as a run builds them; then one mission's orbit count changes
    (a nightly edit) so that a check newly fails: the carried validation equals GE's full one."""
    from pipeline.config import Config
    from pipeline.run import _collect, process
    from pipeline.sources import iter_inputs

    caplog.set_level(logging.INFO, logger="pipeline.validate")
    rows = _collect([process(item) for item in iter_inputs(ROOT / "raw", Config().max_input_bytes)])
    tabs = {name: to_table(name, rows[name], RUN) for name in TABLES}
    cache = tmp_path / "cache"
    validate(tabs, expectations_dir=EXPECTATIONS, cache_dir=cache)
    for row in rows["missions"]:
        if row.get("orbits_completed"):
            row["orbits_completed"] *= 3          # now far from duration / period
            break
    changed = {name: to_table(name, rows[name], "20260102T021500000Z-0000abcd") for name in TABLES}
    fast, n = carried_and_full(cache, changed, caplog)
    assert n == 1   # orbits_match_duration, on dq_orbits_deviation and dq_orbits_tolerance
    assert "orbits_match_duration" in {o.name for o in fast.failures()}


@pytest.mark.slow
def test_a_suite_whose_meta_changed_carries_every_expectation(tmp_path, caplog):
    import shutil
    suites = tmp_path / "expectations"
    shutil.copytree(EXPECTATIONS, suites)
    validate(tables(), expectations_dir=suites, cache_dir=tmp_path / "cache")
    path = suites / "missions.json"
    data = json.loads(path.read_text())
    data["meta"]["owner"] = "data team"          # the suite's key changes, no expectation's does
    path.write_text(json.dumps(data))
    caplog.set_level(logging.INFO, logger="pipeline.validate")
    caplog.clear()
    fast = validate(tables(), expectations_dir=suites, cache_dir=tmp_path / "cache")
    assert evaluated(caplog) == 0
    full = validate(tables(), expectations_dir=suites)
    assert outcomes(fast) == outcomes(full) and ge_json(fast) == ge_json(full)


@pytest.mark.slow
def test_a_nightly_run_with_one_article_edited_reports_what_a_full_validation_does(tmp_path):
    """The whole command, twice: after an edit that makes an error check fail, the run that
    carries (GE asked for one expectation) writes the same checks, missions, hold-backs and
    totals in dq.json as the same run with its validation cache removed (GE asked for all)."""
    import shutil

    from click.testing import CliRunner

    from pipeline.cli import cli

    start = tmp_path / "start"
    shutil.copytree(ROOT / "raw", start / "raw")
    shutil.copytree(ROOT / "expectations", start / "expectations")

    def run(site: Path) -> tuple[dict, dict]:
        log = site / "run.jsonl"
        log.unlink(missing_ok=True)
        r = CliRunner().invoke(cli, ["run", "--raw", str(site / "raw"), "--out", str(site / "curated"),
                                     "--reports", str(site / "reports"), "--workers", "0", "--quiet",
                                     "--fail-on", "never", "--log-json", str(log)])
        assert r.exit_code == 0, r.output
        event = next(json.loads(line) for line in log.read_text().splitlines()
                     if json.loads(line)["event"] == "validation")
        latest = (site / "reports" / "LATEST").read_text().strip()
        return event, json.loads((site / "reports" / latest / "dq.json").read_text())

    run(start)
    for name in ("carried", "full"):
        site = tmp_path / name
        shutil.copytree(start, site)
        article = site / "raw" / "Apollo_11.wikitext"
        article.write_text(article.read_text().replace("= 1.25&nbsp;degrees", "= 191.25&nbsp;degrees"))
    shutil.rmtree(tmp_path / "full" / "reports" / "_validation_cache")
    carried_event, carried = run(tmp_path / "carried")
    full_event, full = run(tmp_path / "full")
    assert carried_event["evaluated"] == 1 and full_event["evaluated"] == full_event["expectations"]
    for key in ("expectations", "missions", "quarantine", "totals", "publish", "tables"):
        assert carried[key] == full[key], key
    bad = next(e for e in carried["expectations"] if e["name"] == "inclination_in_range")
    assert not bad["success"] and bad["failing_ids"] == ["apollo-11"]
