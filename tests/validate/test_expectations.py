"""Each expectation passes on clean tables and fails, naming the right mission, on a row built to
break it. Great Expectations runs a handful of times per module (module-scoped fixtures): once
on clean tables, once on the same tables plus every breaking row, once on broken schemas.

The dirty run checks isolation too: each expectation's failing_ids must be exactly the ids of
the rows built to break it (plus the rows declared as also breaking it), so a breaking row that
trips an unrelated check, or a clean row that fails, makes a test fail.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.schema import TABLES, to_table
from pipeline.validate import ValidationResult, validate
from pipeline.validate import suites as S

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = ROOT / "expectations"
RUN = "test-run"


def utc(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=timezone.utc)


def mission(mid: str, **over) -> dict:
    """A crewed mission row that passes every check."""
    row = {
        "mission_id": mid, "title": (mid or "").replace("-", " ").title(), "source_format": "wikitext",
        "source": f"{mid}.wikitext", "page_id": 1, "rev_id": 2, "crew_size": 3,
        "launch_utc": utc("2024-03-23T12:36:40"), "launch_precision": "second", "launch_source": "infobox",
        "landing_utc": utc("2024-09-23T07:31:00"), "landing_precision": "minute", "landing_source": "infobox",
        "landing_lat": 47.36, "landing_lon": 69.59, "duration_s": 15_879_260,  # landing - launch
        "perigee_km": 415.0, "apogee_km": 422.0, "inclination_deg": 51.64, "period_min": 92.9,
        "orbits_completed": 2849, "orbit_regime": "Low Earth orbit", "cospar_id": "2024-063A",
        "duration_source": "infobox", "crewed": True, "has_landing": True,
        "crew_launch_count": 3, "crew_landing_count": 3, "lost_fields": [], "unknown_templates": [],
    }
    row.update(over)
    return row


CLEAN_MISSIONS = [
    mission("soyuz-ms-25", title="Soyuz MS-25", spacecraft="Soyuz MS-25 No. 756"),
    # conditions and "where both are present": these rows are outside the checks' reach
    mission("uncrewed-no-landing", crewed=False, has_landing=False, crew_size=None, crew_launch_count=0,
            crew_landing_count=0, landing_utc=None, landing_precision=None, landing_source=None,
            landing_lat=None, landing_lon=None, duration_s=None),
    mission("crewed-landing-unknown", has_landing=None, landing_utc=None, landing_precision=None,
            landing_source=None, duration_s=None),
    mission("crewed-landing-day-uncrewed", crewed=False, landing_precision="day"),
    mission("crew-size-unknown", crew_size=None),
    mission("crew-list-empty", crew_size=4, crew_launch_count=0),
    mission("lists-null", lost_fields=None, unknown_templates=None),
    mission("bounds-exact", landing_utc=utc("2024-03-23T12:36:40"), duration_s=0, perigee_km=0.0,
            apogee_km=0.0, inclination_deg=180.0, landing_lat=-90.0, landing_lon=180.0),
    mission("orbit-unknown", perigee_km=None, apogee_km=None, inclination_deg=None, period_min=None),
    mission("launch-hour", launch_precision="hour", launch_source="prose"),
    # the new checks' edges: within tolerance, or outside their reach
    mission("apollo-11", title="Apollo 11", spacecraft="Apollo CSM-107", cospar_id="2024-063AB"),
    mission("soyuz-tma-20m", title="Soyuz TMA-20M", spacecraft="Soyuz TMA-20M No. 715"),
    mission("duration-to-the-minute", duration_s=15_879_240),        # rounded down: 20 s off
    mission("duration-to-the-day", duration_s=184 * 86_400,          # 184 days vs 183 d 18 h 54 m
            landing_utc=utc("2024-09-23T00:00:00"), landing_precision="day", crewed=False),
    mission("duration-derived-only", duration_source="derived", duration_s=1, orbits_completed=None),
    mission("orbits-by-leo-rule", period_min=None, orbits_completed=2944),
    mission("orbits-lunar", orbit_reference="Selenocentric", period_min=120.0, orbits_completed=30),
    mission("orbits-no-duration", duration_s=None, duration_source=None, orbits_completed=5),
    # planned is not actual: a planned mission has no launch and is not asked for one
    # (Artemis_IV.wikitext: "Early 2028 (planned)"); one in progress has no landing yet
    mission("planned-no-launch", status="planned", launch_utc=None, launch_precision=None,
            launch_source=None, landing_utc=None, landing_precision=None, landing_source=None,
            duration_s=None, duration_source=None, orbits_completed=None, cospar_id=None,
            launch_planned_utc=utc("2028-01-01T00:00:00"), launch_planned_precision="year"),
    mission("in-progress-no-landing", status="in_progress", landing_utc=None, landing_precision=None,
            landing_source=None, duration_s=None, duration_source=None, orbits_completed=None),
    # Virgin_Galactic_Unity_21.wikitext (corpus/wikitext/current): launch "22 May 2021, 15:26 UTC",
    # landing "22 May 2021" -- a day-precision landing the same day is not before the launch
    mission("landing-day-of-launch", launch_utc=utc("2021-05-22T15:26:00"), launch_precision="minute",
            landing_utc=utc("2021-05-22T00:00:00"), landing_precision="day", crewed=False,
            duration_s=None, duration_source=None, orbits_completed=None, cospar_id=None,
            status="completed", duration_precision=None),
    mission("cospar-none", cospar_id=None),
    mission("cospar-year-utc", launch_utc=utc("2024-01-01T00:10:00"), cospar_id="2024-001A",
            duration_s=None, duration_source=None),
]

CLEAN_CREW = [
    {"mission_id": "soyuz-ms-25", "leg": leg, "seat": seat, "person": p, "person_key": p, "role": None,
     "source": "infobox"}
    for leg in ("launch", "landing")
    for seat, p in enumerate(["Oleg Novitsky", "Marina Vasilevskaya", "Tracy Caldwell Dyson"], start=1)
]

CLEAN_EVENTS = [
    {"mission_id": "soyuz-ms-25", "event": "launch", "utc": utc("2024-03-23T12:36:40"), "precision": "second",
     "outcome": "success", "source": "infobox", "evidence": "launch_date"},
    {"mission_id": "soyuz-ms-25", "event": "launch_attempt", "utc": utc("2024-03-21T13:21:19"),
     "precision": "second", "outcome": "scrubbed", "source": "prose", "evidence": "The launch was scrubbed."},
    {"mission_id": "soyuz-ms-25", "event": "docking", "utc": utc("2024-03-25T15:03:00"), "precision": "minute",
     "outcome": None, "source": "infobox", "evidence": "docking_date"},
    # within the mission, given the coarser precision: the landing day, launch day
    {"mission_id": "soyuz-ms-25", "event": "undocking", "utc": utc("2024-09-23T00:00:00"), "precision": "day",
     "outcome": None, "source": "prose", "evidence": "It undocked on 23 September."},
    {"mission_id": "soyuz-ms-25", "event": "berthing", "utc": utc("2024-03-23T00:00:00"), "precision": "day",
     "outcome": None, "source": "prose", "evidence": "It berthed on 23 March."},
    # no landing: only the launch bounds it; no such mission: not checked
    {"mission_id": "uncrewed-no-landing", "event": "docking", "utc": utc("2025-01-01T00:00:00"),
     "precision": "day", "outcome": None, "source": "infobox", "evidence": "docking_date"},
    {"mission_id": "not-a-mission", "event": "unberthing", "utc": utc("1990-01-01T00:00:00"),
     "precision": "day", "outcome": None, "source": "infobox", "evidence": "unberthing_date"},
]

# (expectation, table, id of the breaking row, overrides, other expectations the row also breaks)
# A "crew"/"events" breaker is a clean row of that table for the given mission id, changed.
BREAKERS: list[tuple[str, str, str, dict, tuple[str, ...]]] = [
    ("mission_id_slug", "missions", "Bad_Slug", {}, ()),
    ("title_present", "missions", "no-title", {"title": None}, ()),
    ("source_format_known", "missions", "bad-format", {"source_format": "pdf"}, ()),
    ("launch_time_present", "missions", "launch-date-only", {"launch_precision": "day"}, ()),
    ("launch_time_present", "missions", "launch-missing",
     {"launch_utc": None, "launch_precision": None, "launch_source": None}, ()),
    ("landing_time_present", "missions", "landing-date-only", {"landing_precision": "day"}, ()),
    ("landing_time_present", "missions", "landing-missing",
     {"landing_utc": None, "landing_precision": None, "landing_source": None}, ()),
    ("launch_precision_known", "missions", "launch-precision-odd", {"launch_precision": "week"},
     ("launch_time_present",)),
    ("landing_precision_known", "missions", "landing-precision-odd", {"landing_precision": "fortnight"},
     ("landing_time_present",)),
    ("launch_source_known", "missions", "launch-source-odd", {"launch_source": "guess"}, ()),
    ("landing_source_known", "missions", "landing-source-odd", {"landing_source": "guess"}, ()),
    ("landing_after_launch", "missions", "lands-before-launch",
     {"landing_utc": utc("2024-03-23T12:36:39"), "landing_precision": "second", "duration_s": None,
      "orbits_completed": None}, ()),
    # a landing known to the day ends at the next midnight: before launch only when the launch is later
    ("landing_after_launch", "missions", "lands-the-day-before-launch",
     {"landing_utc": utc("2024-03-22T00:00:00"), "landing_precision": "day", "duration_s": None,
      "orbits_completed": None}, ("landing_time_present",)),
    ("status_known", "missions", "status-odd", {"status": "flying"}, ()),
    ("duration_precision_known", "missions", "duration-precision-odd", {"duration_precision": "week"}, ()),
    ("inclination_in_range", "missions", "inclination-high", {"inclination_deg": 180.5}, ()),
    ("inclination_in_range", "missions", "inclination-negative", {"inclination_deg": -0.1}, ()),
    ("perigee_nonnegative", "missions", "perigee-negative", {"perigee_km": -5.0}, ()),
    ("apogee_nonnegative", "missions", "apogee-negative", {"apogee_km": -5.0, "perigee_km": None}, ()),
    ("perigee_not_above_apogee", "missions", "perigee-above-apogee", {"perigee_km": 500.0, "apogee_km": 400.0}, ()),
    ("landing_lat_in_range", "missions", "lat-out", {"landing_lat": 91.0}, ()),
    ("landing_lon_in_range", "missions", "lon-out", {"landing_lon": -181.0}, ()),
    ("duration_nonnegative", "missions", "duration-negative", {"duration_s": -60, "duration_source": "derived",
                                                                "orbits_completed": None}, ()),
    ("crew_size_matches_launch_crew", "missions", "crew-size-off", {"crew_size": 2}, ()),
    ("value_lost_in_rendering", "missions", "value-lost", {"lost_fields": ["launch_date"]}, ()),
    ("unknown_template_in_mapped_field", "missions", "unknown-template",
     {"unknown_templates": ["Infobox mystery"]}, ()),
    ("cospar_id_format", "missions", "cospar-short-number", {"cospar_id": "2024-63A"}, ()),
    ("cospar_id_format", "missions", "cospar-no-piece", {"cospar_id": "2024-063"}, ()),
    ("cospar_id_format", "missions", "cospar-lower-case", {"cospar_id": "2024-063a"}, ()),
    ("cospar_year_is_launch_year", "missions", "cospar-year-off", {"cospar_id": "2023-063A"}, ()),
    ("duration_matches_launch_landing", "missions", "duration-off-an-hour", {"duration_s": 15_879_260 + 3600}, ()),
    # Apollo 8's infobox: "6 days, 3 hours, 42 minutes" for a flight of 6 d 3 h 0 min 42 s
    ("duration_matches_launch_landing", "missions", "duration-minutes-for-seconds",
     {"launch_utc": utc("1968-12-21T12:51:00"), "landing_utc": utc("1968-12-27T15:51:42"),
      "landing_precision": "second", "duration_s": 531_720, "orbits_completed": None, "cospar_id": "1968-118A"}, ()),
    ("orbits_match_duration", "missions", "orbits-off-period", {"orbits_completed": 3000}, ()),
    ("orbits_match_duration", "missions", "orbits-off-leo-rule", {"period_min": None, "orbits_completed": 2500}, ()),
    ("infobox_agrees_with_prose", "missions", "prose-disagrees",
     {"prose_conflicts": ["launch: infobox 2024-03-23T12:36:40+00:00 (second) but prose 2024-03-21 (day)"]}, ()),
    ("spacecraft_names_own_mission", "missions", "soyuz-ms-24",
     {"title": "Soyuz MS-24", "spacecraft": "Soyuz MS-25 No. 755"}, ()),
    ("crew_leg_known", "crew", "crew-leg-odd", {"leg": "orbit"}, ()),
    ("crew_person_key_present", "crew", "crew-key-missing", {"person_key": None}, ()),
    ("crew_seat_positive", "crew", "crew-seat-zero", {"seat": 0}, ()),
    ("events_event_known", "events", "event-odd", {"event": "party"}, ()),
    ("events_precision_known", "events", "event-precision-odd", {"precision": "week"}, ()),
    ("events_utc_present", "events", "event-undated", {"utc": None, "precision": None}, ()),
    ("events_outcome_known", "events", "event-outcome-odd", {"outcome": "partial"}, ()),
    ("events_source_known", "events", "event-source-odd", {"source": "wiki"}, ()),
    # (dirty_tables adds a clean mission row for each of these two: the check joins missions)
    ("docking_within_mission", "events", "docks-after-landing",
     {"event": "docking", "utc": utc("2024-09-24T08:00:00"), "precision": "minute", "source": "infobox"}, ()),
    ("docking_within_mission", "events", "undocks-before-launch",
     {"event": "undocking", "utc": utc("2024-03-22T00:00:00"), "precision": "day", "source": "prose"}, ()),
]
# Events breakers whose mission must exist (as a clean row) for the check to reach them.
EVENT_MISSIONS = ("docks-after-landing", "undocks-before-launch")
# Breakers that need more than one row; their ids are listed here.
MULTI_ROW = {
    "mission_id_unique": ("missions", "twice"),
    "crew_person_once_per_leg": ("crew", "crew-person-twice"),
    "mission_id_present": ("missions", None),   # table scope: no id to name
}
SCHEMA_CHECKS = [f"{t}_schema_{k}" for t in ("missions", "crew", "events") for k in ("columns", "types")]


def expected_ids(name: str) -> set[str]:
    ids = {mid for exp, _, mid, _, also in BREAKERS if exp == name or name in also}
    if name in MULTI_ROW and MULTI_ROW[name][1]:
        ids.add(MULTI_ROW[name][1])
    return ids


def dirty_tables() -> dict[str, pa.Table]:
    missions, crew, events = list(CLEAN_MISSIONS), list(CLEAN_CREW), list(CLEAN_EVENTS)
    for _, table, mid, over, _ in BREAKERS:
        if table == "missions":
            missions.append(mission(mid, **over))
        elif table == "crew":
            crew.append({**CLEAN_CREW[0], "mission_id": mid, **over})
        else:
            events.append({**CLEAN_EVENTS[0], "mission_id": mid, **over})
    missions += [mission(mid) for mid in EVENT_MISSIONS]
    missions += [mission("twice"), mission("twice", title="Twice Again"), mission(None, title="No Id")]
    crew += [{**CLEAN_CREW[0], "mission_id": "crew-person-twice"},
             {**CLEAN_CREW[0], "mission_id": "crew-person-twice", "seat": 2}]
    return {"missions": to_table("missions", missions, RUN), "crew": to_table("crew", crew, RUN),
            "events": to_table("events", events, RUN)}


def clean_tables() -> dict[str, pa.Table]:
    return {"missions": to_table("missions", CLEAN_MISSIONS, RUN), "crew": to_table("crew", CLEAN_CREW, RUN),
            "events": to_table("events", CLEAN_EVENTS, RUN)}


def retype(table: pa.Table, column: str, typ: pa.DataType) -> pa.Table:
    i = table.schema.get_field_index(column)
    return table.set_column(i, pa.field(column, typ), table[column].cast(typ))


def broken_schema_tables() -> dict[str, pa.Table]:
    t = clean_tables()
    missions = retype(t["missions"].drop_columns(["programme"]), "satcat", pa.string())
    crew = retype(t["crew"], "seat", pa.float64()).append_column("shoe_size", pa.array([42] * t["crew"].num_rows))
    events = retype(t["events"].drop_columns(["evidence"]), "detail", pa.int64())
    return {"missions": missions, "crew": crew, "events": events}


def by_name(result: ValidationResult):
    return {o.name: o for o in result.outcomes}


@pytest.fixture(scope="module")
def clean() -> ValidationResult:
    return validate(clean_tables(), expectations_dir=EXPECTATIONS)


@pytest.fixture(scope="module")
def dirty() -> ValidationResult:
    return validate(dirty_tables(), expectations_dir=EXPECTATIONS)


@pytest.fixture(scope="module")
def broken_schema() -> ValidationResult:
    return validate(broken_schema_tables(), expectations_dir=EXPECTATIONS)


def declared_names() -> list[str]:
    return [c.name for s in S.load_suites(EXPECTATIONS) for c in s.checks]


def test_every_declared_check_has_a_breaking_test():
    covered = {b[0] for b in BREAKERS} | set(MULTI_ROW) | set(SCHEMA_CHECKS)
    assert set(declared_names()) == covered


@pytest.mark.parametrize("name", declared_names())
def test_passes_on_clean_tables(clean, name):
    o = by_name(clean)[name]
    assert o.success, (o.name, o.failing_ids, o.detail)
    assert o.failing_ids == [] and o.unexpected_count == 0


def test_clean_tables_quarantine_nothing(clean):
    assert clean.failures() == [] and clean.quarantine_ids() == {}


@pytest.mark.parametrize("name", sorted({b[0] for b in BREAKERS} | {"mission_id_unique", "crew_person_once_per_leg"}))
def test_fails_on_the_breaking_row(dirty, name):
    o = by_name(dirty)[name]
    want = expected_ids(name)
    assert not o.success
    assert o.failing_ids == sorted(want)
    assert o.unexpected_count >= len(want)
    held = dirty.quarantine_ids()
    for mid in want:
        if o.severity == "error" and o.scope == "row":
            assert name in held[mid]
        else:
            assert name not in held.get(mid, [])


@pytest.mark.parametrize("name", sorted(set(declared_names()) - set(SCHEMA_CHECKS) - {"mission_id_present"}))
def test_dirty_failures_are_exactly_the_breakers(dirty, name):
    """No clean row, and no breaker meant for another check, fails this one."""
    assert set(by_name(dirty)[name].failing_ids) == expected_ids(name)


def test_mission_without_id_fails_table_check_only(dirty):
    o = by_name(dirty)["mission_id_present"]
    assert not o.success and o.scope == "table" and o.severity == "error"
    assert o.unexpected_count == 1 and o.failing_ids == []


def test_warnings_and_table_checks_do_not_quarantine(dirty):
    held = dirty.quarantine_ids()
    assert "launch-date-only" not in held and "value-lost" not in held and "crew-size-off" not in held
    errors = {o.name for o in dirty.failures("error") if o.scope == "row"}
    for mid, names in held.items():
        assert names == sorted(names) and set(names) <= errors
    assert held["twice"] == ["mission_id_unique"]
    assert held["crew-person-twice"] == ["crew_person_once_per_leg"]


def test_failures_filter_by_severity(dirty):
    assert {o.severity for o in dirty.failures("warning")} == {"warning"}
    assert len(dirty.failures()) == len(dirty.failures("error")) + len(dirty.failures("warning"))


def test_schema_checks_fail_on_broken_schemas(broken_schema):
    o = by_name(broken_schema)
    assert not o["missions_schema_columns"].success and "programme" in o["missions_schema_columns"].detail
    assert not o["missions_schema_types"].success and "satcat" in o["missions_schema_types"].detail
    assert not o["crew_schema_columns"].success and "shoe_size" in o["crew_schema_columns"].detail
    assert not o["crew_schema_types"].success and "seat" in o["crew_schema_types"].detail
    assert not o["events_schema_columns"].success and "evidence" in o["events_schema_columns"].detail
    assert not o["events_schema_types"].success and "detail" in o["events_schema_types"].detail
    for name in SCHEMA_CHECKS:
        assert o[name].scope == "table" and o[name].severity == "error" and o[name].failing_ids == []
    assert broken_schema.quarantine_ids() == {}


def test_outcome_metadata_comes_from_the_suite(clean):
    o = by_name(clean)
    assert o["landing_after_launch"].columns == ["landing_utc", "landing_precision", "launch_utc"]
    assert o["launch_time_present"].columns == ["launch_utc", "launch_precision", "status"]  # via the dq_ helper
    assert (o["landing_after_launch"].severity, o["landing_after_launch"].scope) == ("error", "row")
    assert o["crew_person_once_per_leg"].table == "crew" and o["crew_person_once_per_leg"].suite == "crew"
    assert all(x.description for x in clean.outcomes)
    assert len(clean.ge_results) == 3


def test_empty_tables_pass():
    tables = {name: to_table(name, [], RUN) for name in ("missions", "crew", "events")}
    result = validate(tables, expectations_dir=EXPECTATIONS)
    assert result.failures() == []


def test_suite_files_load_in_great_expectations():
    gx = S.gx_module()
    for path in sorted(EXPECTATIONS.glob("*.json")):
        data = json.loads(path.read_text())
        suite = gx.ExpectationSuite(name=data["name"], expectations=data["expectations"], meta=data["meta"])
        assert len(suite.expectations) == len(data["expectations"])
        for exp in data["expectations"]:
            assert set(exp["meta"]) >= {"name", "severity", "scope", "description"}


def test_schema_parameter_follows_schema_py():
    assert S.schema_columns("crew") == TABLES["crew"].names
    assert S.schema_columns("missions")[: len(TABLES["missions"].names)] == TABLES["missions"].names


@pytest.mark.parametrize("bad, message", [
    ({"severity": "fatal"}, "severity"),
    ({"scope": "page"}, "scope"),
    ({"description": ""}, "description"),
])
def test_malformed_suite_is_rejected(tmp_path, bad, message):
    meta = {"name": "x_check", "severity": "error", "scope": "row", "description": "d", **bad}
    (tmp_path / "x.json").write_text(json.dumps({"name": "x", "meta": {"table": "missions"}, "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "title"}, "meta": meta}]}))
    with pytest.raises(S.SuiteError, match=message):
        S.load_suites(tmp_path)


def test_duplicate_names_and_unknown_helpers_are_rejected(tmp_path):
    exp = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "title"},
           "meta": {"name": "same", "severity": "error", "scope": "row", "description": "d"}}
    (tmp_path / "a.json").write_text(json.dumps({"name": "a", "meta": {"table": "missions"}, "expectations": [exp]}))
    (tmp_path / "b.json").write_text(json.dumps({"name": "b", "meta": {"table": "missions"}, "expectations": [exp]}))
    with pytest.raises(S.SuiteError, match="already used"):
        S.load_suites(tmp_path)
    (tmp_path / "b.json").unlink()
    helper = {**exp, "kwargs": {"column": "dq_nothing"}, "meta": {**exp["meta"], "name": "other"}}
    (tmp_path / "a.json").write_text(json.dumps({"name": "a", "meta": {"table": "missions"}, "expectations": [helper]}))
    with pytest.raises(S.SuiteError, match="dq_nothing"):
        S.load_suites(tmp_path)


def test_importing_the_package_does_not_load_great_expectations():
    code = ("import sys, pipeline.validate, pipeline.validate.suites, pipeline.validate.report, "
            "pipeline.validate.datadocs; print('great_expectations' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"
