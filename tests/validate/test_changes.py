"""--fail-on new: what is new or worse than the last published run (changes.py), and the
retention of report folders (prune_reports)."""
from __future__ import annotations

import json

from pipeline.validate.changes import compare, latest_published
from pipeline.validate.report import prune_reports


def check(name, success, ids=(), severity="warning", count=None, scope="row"):
    return {"name": name, "severity": severity, "scope": scope, "success": success,
            "failing_ids": list(ids), "failing_titles": {i: i.title() for i in ids},
            "unexpected_count": len(ids) if count is None else count, "detail": None}


def dq(run_id, checks, quarantine=(), published=True, blocked_by=()):
    return {"run_id": run_id, "expectations": checks,
            "run": {"published": published,
                    "quarantine": [{"source": s, "stage": "read", "reason": "empty"} for s in quarantine]},
            "publish": {"blocked": bool(blocked_by), "by": list(blocked_by)}}


STEADY = [check("launch_time_present", False, ["soyuz-ms-25"]), check("inclination_range", True,
                                                                          severity="error")]


def test_the_steady_state_is_not_a_change():
    before = dq("20260101T000000000Z-aaaaaaaa", STEADY, quarantine=["old.txt"])
    now = dq("20260102T000000000Z-aaaaaaaa", STEADY, quarantine=["old.txt"])
    assert compare(now, before) == {"against": before["run_id"], "items": []}


def test_a_newly_failing_check_a_worse_one_and_a_new_quarantine_are_changes():
    before = dq("20260101T000000000Z-aaaaaaaa", STEADY, quarantine=["old.txt"])
    now = dq("20260102T000000000Z-aaaaaaaa",
             [check("launch_time_present", False, ["soyuz-ms-25", "apollo-11"]),
              check("inclination_range", False, ["apollo-11"], severity="error"),
              check("brand_new_check", False, ["apollo-8"])],
             quarantine=["old.txt", "new.txt"])
    items = compare(now, before)["items"]
    kinds = {(c["kind"], c["name"]) for c in items}
    assert kinds == {("check_new", "inclination_range"), ("check_worse", "launch_time_present"),
                     ("check_new", "brand_new_check"), ("quarantined", "new.txt")}
    assert items[0]["severity"] == "error"  # errors first
    worse = next(c for c in items if c["kind"] == "check_worse")
    assert (worse["before"], worse["now"]) == (1, 2)
    assert "2 missions, 1 before" in worse["why"] and "newly failing: Apollo-11" in worse["why"]
    assert "now fails on 1 mission, passed before" in next(c["why"] for c in items if c["name"] == "inclination_range")
    assert next(c["why"] for c in items if c["kind"] == "quarantined") == "newly quarantined: new.txt [read] empty"


def test_fewer_failures_or_a_fixed_check_are_not_changes():
    before = dq("20260101T000000000Z-aaaaaaaa", [check("a", False, ["x", "y"]), check("b", False, ["z"])])
    now = dq("20260102T000000000Z-aaaaaaaa", [check("a", False, ["x"]), check("b", True)])
    assert compare(now, before)["items"] == []


def test_without_a_baseline_every_failure_is_new_and_a_blocked_publish_always_is():
    now = dq("20260102T000000000Z-aaaaaaaa", STEADY, published=False, blocked_by=["missions_row_count_drop"])
    out = compare(now, None)
    assert out["against"] is None
    assert [c["kind"] for c in out["items"]] == ["not_published", "check_new"]
    assert "no published run to compare with" in out["items"][1]["why"]


def test_the_baseline_is_the_newest_earlier_run_that_published():
    reports = [dq("20260101T000000000Z-aaaaaaaa", []), dq("20260102T000000000Z-aaaaaaaa", []),
               dq("20260103T000000000Z-aaaaaaaa", [], published=False),
               dq("20260104T000000000Z-aaaaaaaa", [])]
    assert latest_published(reports, before="20260104T000000000Z-aaaaaaaa")["run_id"] == \
        "20260102T000000000Z-aaaaaaaa"
    assert latest_published(reports)["run_id"] == "20260104T000000000Z-aaaaaaaa"
    assert latest_published([], before="x") is None


def _folders(reports, n, published=lambda i: True):
    for i in range(n):
        run_id = f"202601{i // 24 + 1:02d}T{i % 24:02d}0000000Z-0000abcd"
        d = reports / run_id
        d.mkdir(parents=True)
        (d / "dq.json").write_text(json.dumps(dq(run_id, [], published=published(i))))


def test_thirty_runs_leave_the_newest_n_folders_and_nothing_else_is_touched(tmp_path):
    _folders(tmp_path, 30)
    (tmp_path / "LATEST").write_text("x\n")
    (tmp_path / "notes").mkdir()
    removed = prune_reports(tmp_path, 7)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(removed) == 23
    assert left[:7] == sorted(p.name for p in tmp_path.iterdir() if p.name[0].isdigit())[-7:]
    assert left[-2:] == ["LATEST", "notes"] and len(left) == 9
    assert prune_reports(tmp_path, 0) == []


def test_the_last_published_run_survives_pruning_as_the_baseline(tmp_path):
    _folders(tmp_path, 10, published=lambda i: i < 4)   # the last six runs were blocked
    prune_reports(tmp_path, 3)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert len(left) == 4 and left[0].startswith("20260101T03")


def test_the_report_command_says_what_is_new():
    from pipeline.validate.report import format_summary
    now = dq("20260102T000000000Z-aaaaaaaa", [check("launch_time_present", False, ["soyuz-ms-25", "apollo-11"])])
    before = dq("20260101T000000000Z-aaaaaaaa", STEADY)
    data = {**now, "totals": {"checks": 1, "failed": {"error": 0, "warning": 1}}, "missions": [],
            "changes": compare(now, before)}
    text = format_summary(data)
    assert "New or worse than 20260101T000000000Z-aaaaaaaa: 1: warning check launch_time_present" in text
    assert len(text.splitlines()) <= 12
