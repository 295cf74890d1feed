"""write_report: dq.json structure, dq.md naming missions by title worst first, offline Data Docs."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.schema import to_table
from pipeline.validate import ExpectationOutcome, ValidationResult, validate, write_report
from pipeline.validate.report import (build_dq, build_trend, earlier_reports, format_summary,
                                      render_markdown)

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = ROOT / "expectations"
RUN = "20240923T073100Z-abc123"


def utc(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=timezone.utc)


def mission(mid: str, title: str, **over) -> dict:
    row = {"mission_id": mid, "title": title, "source_format": "text", "source": f"{mid}.txt",
           "launch_utc": utc("2024-03-23T12:36:40"), "launch_precision": "second", "launch_source": "infobox",
           "landing_utc": utc("2024-09-23T07:31:00"), "landing_precision": "minute",
           "landing_source": "infobox", "crewed": True, "has_landing": True, "crew_size": 3,
           "crew_launch_count": 3, "lost_fields": [], "unknown_templates": []}
    row.update(over)
    return row


TITLES = {"soyuz-ms-25": "Soyuz MS-25", "apollo-8": "Apollo 8", "apollo-11": "Apollo 11"}
SUMMARY = {"run_id": RUN, "inputs_read": 4, "missions_curated": 2, "inputs_quarantined": 1,
           "issues": {"value_lost": 1}, "values_lost_by_param": {"launch_date": 1},
           "quarantine": [{"source": "x.txt", "stage": "read", "reason": "empty"}]}


@pytest.fixture(scope="module")
def result() -> ValidationResult:
    rows = [
        # error (held back) and a warning
        mission("soyuz-ms-25", "Soyuz MS-25", landing_utc=utc("2024-03-01T00:00:00"),
                lost_fields=["launch_date"]),
        # warning only
        mission("apollo-8", "Apollo 8", launch_precision="day"),
        mission("apollo-11", "Apollo 11"),
    ]
    return validate({"missions": to_table("missions", rows, RUN)}, expectations_dir=EXPECTATIONS)


# Two earlier runs in the same reports folder (older run ids), and a folder that is no run.
EARLIER = {
    "20240921T000000000Z-old1": {"landing_after_launch": (False, ["apollo-8", "apollo-11"]),
                                 "launch_time_present": (True, [])},
    "20240922T000000000Z-old2": {"landing_after_launch": (True, []), "retired_check": (False, ["x"])},
}


def _seed_earlier_runs(reports: Path) -> None:
    for run_id, checks in EARLIER.items():
        (reports / run_id).mkdir(parents=True)
        exps = [{"name": n, "severity": "error", "success": ok, "failing_ids": ids, "unexpected_count": len(ids)}
                for n, (ok, ids) in checks.items()]
        (reports / run_id / "dq.json").write_text(json.dumps({"run_id": run_id, "expectations": exps}))
    (reports / "LATEST").write_text("whatever\n")
    (reports / "broken").mkdir()
    (reports / "broken" / "dq.json").write_text("{not json")


@pytest.fixture(scope="module")
def report(result, tmp_path_factory) -> dict[str, Path]:
    reports = tmp_path_factory.mktemp("reports")
    _seed_earlier_runs(reports)
    return write_report(result, run_dir=reports / RUN, run_id=RUN, summary=SUMMARY, titles=TITLES)


def test_paths(report):
    assert set(report) == {"json", "markdown", "datadocs"}
    assert report["json"].name == "dq.json" and report["markdown"].name == "dq.md"
    assert report["datadocs"] == report["json"].parent / "datadocs" / "index.html"
    for p in report.values():
        assert p.is_file() and p.is_absolute()


def test_dq_json_structure(report, result):
    dq = json.loads(report["json"].read_text())
    assert dq["run_id"] == RUN
    assert dq["run"] == SUMMARY
    assert len(dq["expectations"]) == len(result.outcomes)
    keys = {"name", "suite", "table", "columns", "severity", "scope", "description", "success",
            "unexpected_count", "failing_ids", "failing_titles", "detail"}
    for e in dq["expectations"]:
        assert set(e) == keys
        assert e["severity"] in ("error", "warning") and e["scope"] in ("row", "table", "publish")
    exp = {e["name"]: e for e in dq["expectations"]}
    landing = exp["landing_after_launch"]
    assert landing["success"] is False and landing["table"] == "missions"
    assert landing["failing_ids"] == ["soyuz-ms-25"] and landing["unexpected_count"] == 1
    assert landing["failing_titles"] == {"soyuz-ms-25": "Soyuz MS-25"}
    assert landing["columns"] == ["landing_utc", "landing_precision", "launch_utc"]
    assert exp["launch_time_present"]["failing_ids"] == ["apollo-8"]
    assert exp["inclination_in_range"]["success"] is True
    assert dq["totals"]["failed"] == {"error": 1, "warning": 2}
    assert dq["totals"]["missions_held_back"] == 1
    assert dq["quarantine"] == {"soyuz-ms-25": ["landing_after_launch"]}
    assert [m["mission_id"] for m in dq["missions"]] == ["soyuz-ms-25", "apollo-8"]
    worst = dq["missions"][0]
    assert worst == {"mission_id": "soyuz-ms-25", "title": "Soyuz MS-25", "errors": ["landing_after_launch"],
                     "warnings": ["value_lost_in_rendering"], "held_back": True}
    assert dq["files"] == {"markdown": "dq.md", "datadocs": "datadocs/index.html"}
    assert list(dq) == ["run_id", "run", "totals", "publish", "expectations", "missions", "quarantine",
                        "coverage", "tables", "trend", "changes", "files"]
    assert dq["publish"] == {"blocked": False, "by": []}


def test_dq_json_coverage(report):
    cov = json.loads(report["json"].read_text())["coverage"]
    assert cov["missions"] == 3
    cols = cov["columns"]
    assert "run_id" not in cols and not any(c.startswith("dq_") for c in cols)
    assert cols["title"] == {"present": 3, "share": 1.0}
    assert cols["launch_utc"] == {"present": 3, "share": 1.0,
                                  "by_source": {"infobox": 3, "prose": 0, "derived": 0}}
    assert cols["duration_s"] == {"present": 0, "share": 0.0,
                                  "by_source": {"infobox": 0, "prose": 0, "derived": 0}}
    assert cols["lost_fields"]["present"] == 1       # an empty list is not a value


def test_coverage_by_source_and_from_published_tables():
    from pipeline.validate import field_coverage
    rows = [mission("a", "A", launch_source="prose", duration_s=5, duration_source="derived", cospar_id=" "),
            mission("b", "B", duration_s=7, duration_source=None),
            mission("c", "C", launch_utc=None, launch_precision=None, launch_source=None)]
    cov = field_coverage(to_table("missions", rows, RUN))
    assert cov["columns"]["launch_utc"]["by_source"] == {"infobox": 1, "prose": 1, "derived": 0}
    assert cov["columns"]["duration_s"]["by_source"] == {"infobox": 0, "prose": 0, "derived": 1, "unknown": 1}
    assert cov["columns"]["cospar_id"]["present"] == 0       # blank text is no value
    assert field_coverage(to_table("missions", [], RUN))["columns"]["title"] == {"present": 0, "share": None}


def test_dq_json_trend(report):
    trend = json.loads(report["json"].read_text())["trend"]
    assert trend["runs"] == [*EARLIER, RUN]
    assert trend["failed"] == {"error": [1, 1, 1], "warning": [0, 0, 2]}
    rows = {r["name"]: r for r in trend["expectations"]}
    assert rows["landing_after_launch"] == {"name": "landing_after_launch", "severity": "error",
                                            "failures": [2, 0, 1]}
    assert rows["retired_check"]["failures"] == [None, 1, None]
    assert rows["launch_time_present"]["failures"] == [0, None, 1]
    assert "inclination_in_range" not in rows                      # never failed
    assert [r["name"] for r in trend["expectations"]][0] == "landing_after_launch"   # errors first


def test_trend_keeps_the_newest_runs(tmp_path):
    for i in range(14):
        run = tmp_path / f"2024010{i // 10}T{i % 10}00000Z-r{i:02d}"
        run.mkdir()
        (run / "dq.json").write_text(json.dumps({"run_id": run.name, "expectations": [
            {"name": "c", "severity": "warning", "success": i % 2 == 0, "failing_ids": ["m"] * 0,
             "unexpected_count": i}]}))
    this = tmp_path / "20250101T000000000Z-now"
    earlier = earlier_reports(this, 9)
    assert len(earlier) == 9 and earlier[-1]["run_id"].endswith("r13")
    current = {"run_id": this.name, "expectations": []}
    trend = build_trend(current, earlier, 10)
    assert len(trend["runs"]) == 10 and trend["runs"][-1] == this.name and trend["runs"][0].endswith("r05")
    assert trend["expectations"][0]["failures"] == [5, 0, 7, 0, 9, 0, 11, 0, 13, None]


def test_dq_md_names_missions_by_title_worst_first(report):
    md = report["markdown"].read_text()
    assert md.startswith(f"# Data quality — run {RUN}")
    assert "Soyuz MS-25" in md and "Apollo 8" in md
    assert md.index("Soyuz MS-25") < md.index("Apollo 8")   # errors before warnings
    assert "Apollo 11" not in md                             # clean missions are not listed
    assert "| error | 1 |" in md and "| warning | 2 |" in md
    assert "inputs read: 4" in md
    assert len(md.splitlines()) <= 60                        # one screen
    assert "## Field coverage (3 missions)" in md
    assert "| launch_utc | 100% | 3 | 0 | 0 |" in md
    assert "## Trend (last 3 runs" in md
    assert "| `landing_after_launch` | error | 2 0 1 |" in md
    assert "| `retired_check` | error | – 1 – |" in md


def test_dq_md_fits_one_screen_however_bad_the_run():
    many = [_outcome(f"check_{i:02d}", "error" if i % 2 else "warning", [f"m{j:03d}" for j in range(i * 3)])
            for i in range(1, 40)]
    dq = build_dq(ValidationResult(outcomes=many), run_id="r", summary=SUMMARY, titles={},
                  coverage={"missions": 100, "columns": {
                      **{f"col_{i:02d}": {"present": i, "share": i / 100} for i in range(60)},
                      "launch_utc": {"present": 50, "share": 0.5,
                                     "by_source": {"infobox": 40, "prose": 8, "derived": 0, "unknown": 2}}}})
    earlier = [{"run_id": f"r{i}", "expectations": [{"name": f"check_{j:02d}", "severity": "error",
                                                      "success": False, "failing_ids": ["x"]} for j in range(30)]}
               for i in range(20)]
    dq["trend"] = build_trend(dq, earlier, 10)
    md = render_markdown(dq)
    assert len(md.splitlines()) <= 60, len(md.splitlines())
    assert "(worst first; 6 of 117, all in dq.json)" in md and "4 of 40 checks, all in dq.json" in md
    assert "Never present (1 columns): col_00." in md and "+17 more" in md


def _datadocs_pages(report) -> list[Path]:
    return sorted(report["datadocs"].parent.rglob("*.html"))


def test_datadocs_pages_exist(report):
    pages = _datadocs_pages(report)
    names = {p.relative_to(report["datadocs"].parent).parts[0] for p in pages}
    assert {"index.html", "expectations", "validations"} <= names
    index = report["datadocs"].read_text()
    assert "expectations/missions.html" in index


REMOTE = [
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(https?:)?//", re.I),
    re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", re.I),
    re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", re.I),
    re.compile(r"url\(\s*[\"']?(https?:)?//", re.I),
    re.compile(r"@import", re.I),
]


def test_datadocs_load_nothing_from_the_network(report):
    for page in _datadocs_pages(report):
        html = page.read_text()
        for pattern in REMOTE:
            assert not pattern.search(html), (page, pattern.pattern)


def test_datadocs_local_assets_resolve(report):
    for page in _datadocs_pages(report):
        html = page.read_text()
        refs = re.findall(r"<link\b[^>]*\bhref=\"([^\"]+)\"", html) + re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", html)
        assert any(r.endswith("offline/offline.css") for r in refs), page
        assert any(r.endswith("offline/offline.js") for r in refs), page
        for ref in refs:
            if ref.endswith(("offline.css", "offline.js")):
                assert (page.parent / ref).resolve().is_file(), (page, ref)
        # the offline assets come before GE's inline styles and scripts
        assert html.index("offline.css") < html.index("<style>")
        assert html.index("offline.js") < html.index("<body")


def test_relative_run_dir_gives_absolute_datadocs(result, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = write_report(result, run_dir=Path("reports") / "r1", run_id="r1", summary={}, titles={})
    assert paths["datadocs"] == (tmp_path / "reports" / "r1" / "datadocs" / "index.html")
    assert paths["datadocs"].is_file()


def test_format_summary(report):
    text = format_summary(json.loads(report["json"].read_text()))
    assert f"run {RUN}" in text
    assert "1 failed with severity error, 2 with severity warning" in text
    assert "landing_after_launch (1)" in text
    assert "  held back: 1 mission(s)" in text
    assert "Trend, failed checks over the last 3 runs (oldest first): errors 1 1 1; warnings 0 0 2" in text
    assert text.index("Soyuz MS-25") < text.index("Apollo 8")
    assert len(text.splitlines()) <= 12


def test_format_summary_worst_case_is_short():
    many = [_outcome(f"check_{i:02d}", "error" if i % 2 else "warning", [f"m{j:03d}" for j in range(i)])
            for i in range(1, 20)]
    dq = build_dq(ValidationResult(outcomes=many), run_id="r", summary={}, titles={})
    dq["publish"] = {"blocked": True, "by": ["missions_row_count_drop"]}
    dq["trend"] = build_trend(dq, [{"run_id": "q", "expectations": []}], 10)
    assert len(format_summary(dq).splitlines()) <= 12


def _outcome(name, severity, ids, scope="row", success=False):
    return ExpectationOutcome(name=name, suite="missions", table="missions", columns=["x"], severity=severity,
                              scope=scope, description=f"{name} holds", success=success,
                              unexpected_count=len(ids), failing_ids=ids)


def test_markdown_worst_first_and_escaped_without_ge():
    result = ValidationResult(outcomes=[
        _outcome("w1", "warning", ["a", "b"]), _outcome("w2", "warning", ["b"]),
        _outcome("e1", "error", ["c"]), _outcome("t1", "error", [], scope="table"),
        _outcome("ok", "error", [], success=True),
    ])
    dq = build_dq(result, run_id="r", summary={}, titles={"a": "Alpha | One", "c": "Gamma"})
    assert [m["mission_id"] for m in dq["missions"]] == ["c", "b", "a"]
    assert dq["quarantine"] == {"c": ["e1"]}
    md = render_markdown(dq)
    assert "Alpha \\| One" in md and "`b`" in md
    assert md.index("Gamma") < md.index("`b`") < md.index("Alpha")
    assert "`t1` [missions, table]" in md
