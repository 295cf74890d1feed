"""check_row_counts against the previous snapshot's manifest, and ValidationResult.blocks_publish."""
from __future__ import annotations

import pyarrow as pa
import pytest

from pipeline.schema import to_table
from pipeline.validate import ExpectationOutcome, ValidationResult, check_row_counts
from pipeline.validate.report import build_dq, format_summary, render_markdown


def tables(missions: int, crew: int = 3, events: int = 3, facts: int = 3) -> dict[str, pa.Table]:
    def rows(n, **kw):
        return [{"mission_id": f"m{i:03d}", **kw} for i in range(n)]
    return {"missions": to_table("missions", rows(missions), "r"),
            "crew": to_table("crew", rows(crew, leg="launch", seat=1), "r"),
            "events": to_table("events", rows(events, event="launch"), "r"),
            "facts": to_table("facts", rows(facts, field="x"), "r"),
            "quarantine": to_table("quarantine", [], "r")}


def manifest(missions: int, crew: int = 3, events: int = 3, facts: int = 3, **extra) -> dict:
    counts = {"missions": missions, "crew": crew, "events": events, "facts": facts, "quarantine": 4, **extra}
    return {"run_id": "20261101T000000000Z-prev", "tables": {k: {"rows": v, "sha256": "x"} for k, v in counts.items()}}


def by_name(outcomes):
    return {o.name: o for o in outcomes}


def test_outcomes_shape():
    out = check_row_counts(tables(10), manifest(10))
    assert [o.name for o in out] == ["missions_row_count_drop", "crew_not_emptied", "events_not_emptied",
                                     "facts_not_emptied"]
    for o in out:
        assert (o.severity, o.scope, o.suite) == ("error", "publish", "publish")
        assert o.success and o.failing_ids == [] and o.description


@pytest.mark.parametrize("before, now, ok", [
    (10, 8, True),      # exactly 20 % fewer
    (10, 7, False),     # 30 % fewer
    (10, 12, True),     # growth is fine
    (1, 0, False),      # from N to 0
    (0, 0, True),
    (100, 81, True),
    (100, 79, False),
])
def test_missions_drop(before, now, ok):
    o = by_name(check_row_counts(tables(now), manifest(before)))["missions_row_count_drop"]
    assert o.success is ok
    assert o.unexpected_count == (0 if ok else before - now)
    assert "20261101T000000000Z-prev" in o.detail and f"{before} -> {now}" in o.detail


def test_max_drop_is_a_parameter_and_zero_always_blocks():
    assert by_name(check_row_counts(tables(5), manifest(10), max_drop=0.5))["missions_row_count_drop"].success
    assert not by_name(check_row_counts(tables(0), manifest(10), max_drop=1.0))["missions_row_count_drop"].success
    with pytest.raises(ValueError):
        check_row_counts(tables(5), manifest(10), max_drop=1.5)


def test_other_tables_only_must_not_be_emptied():
    o = by_name(check_row_counts(tables(10, crew=1, events=0), manifest(10, crew=50, events=5)))
    assert o["crew_not_emptied"].success                       # 98 % fewer: content moves
    assert not o["events_not_emptied"].success and "emptied" in o["events_not_emptied"].detail
    assert "quarantine_not_emptied" not in o                    # an emptied quarantine is good news


def test_first_run_and_unknown_tables_pass_with_a_note():
    for o in check_row_counts(tables(0, 0, 0, 0), None):
        assert o.success and o.detail == "no previous snapshot: nothing to compare"
    o = by_name(check_row_counts(tables(3), {"run_id": "old", "tables": {}}))
    assert o["missions_row_count_drop"].success and "not in snapshot old" in o["missions_row_count_drop"].detail
    assert check_row_counts({}, manifest(3)) == []


def _outcome(name, severity, scope, success=False):
    return ExpectationOutcome(name=name, suite="s", table="missions", columns=[], severity=severity, scope=scope,
                              description="d", success=success, unexpected_count=0 if success else 1,
                              failing_ids=["m1"] if scope == "row" and not success else [])


def test_blocks_publish():
    result = ValidationResult(outcomes=[
        _outcome("row_error", "error", "row"), _outcome("table_warning", "warning", "table"),
        _outcome("schema", "error", "table"), _outcome("fine", "error", "publish", success=True),
    ])
    assert [o.name for o in result.blocks_publish()] == ["schema"]
    result.outcomes += check_row_counts(tables(2), manifest(10))
    assert [o.name for o in result.blocks_publish()] == ["schema", "missions_row_count_drop"]
    assert result.quarantine_ids() == {"m1": ["row_error"]}    # publish checks name no mission


def test_blocked_publish_in_the_report():
    result = ValidationResult(outcomes=check_row_counts(tables(0), manifest(10)))
    dq = build_dq(result, run_id="r", summary={}, titles={})
    assert dq["publish"] == {"blocked": True, "by": ["missions_row_count_drop"]}
    e = next(e for e in dq["expectations"] if e["name"] == "missions_row_count_drop")
    assert e["scope"] == "publish" and e["unexpected_count"] == 10
    md = render_markdown(dq)
    assert "**Not published**: `missions_row_count_drop` failed." in md
    assert "`missions_row_count_drop` [missions, publish]" in md
    assert "NOT PUBLISHED: missions_row_count_drop" in format_summary(dq)
