"""One truth in every view: Data Docs name each check as dq.md/dq.json do, with its severity; a
warnings-only suite is not "Failed"; every table is covered or the report says why; dq.md rounds
numbers for people, escapes text once and labels counts in words."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from pipeline.schema import TABLES, to_table
from pipeline.validate import validate, write_report
from pipeline.validate.report import render_markdown
from tests.validate.test_report import EXPECTATIONS, mission

RUN = "20260101T021500000Z-0000abcd"


def text_of(page: Path) -> str:
    h = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", h)))


@pytest.fixture(scope="module")
def warnings_only(tmp_path_factory):
    rows = [mission("apollo-8", "Apollo 8", launch_precision="day"), mission("apollo-11", "Apollo 11")]
    result = validate({"missions": to_table("missions", rows, RUN)}, expectations_dir=EXPECTATIONS)
    assert not any(o for o in result.outcomes if not o.success and o.severity == "error")
    reports = tmp_path_factory.mktemp("reports")
    paths = write_report(result, run_dir=reports / RUN, run_id=RUN, summary={}, titles={})
    return result, paths


def test_data_docs_show_severity_and_the_report_names(warnings_only):
    result, paths = warnings_only
    page = next((paths["json"].parent / "datadocs" / "validations").rglob("missions.html"))
    text = text_of(page)
    dq = json.loads(paths["json"].read_text())
    for e in dq["expectations"]:
        if e["table"] == "missions" and e["scope"] != "publish" and e["columns"] != []:
            assert f"[{e['severity']}] {e['name']}:" in text, e["name"]
    assert "[warning] launch_time_present:" in text
    assert "dq_duration_tolerance_s >= dq_duration_gap_s" not in text   # helper columns are not names


def test_a_warnings_only_suite_is_not_failed(warnings_only):
    _, paths = warnings_only
    page = next((paths["json"].parent / "datadocs" / "validations").rglob("missions.html"))
    text = text_of(page)
    assert "Status: Succeeded" in text and "Status: Failed" not in text
    index = (paths["json"].parent / "datadocs" / "index.html").read_text(encoding="utf-8")
    assert '"_validation_success_text": "Success"' in index or "Success" in index


def test_every_table_is_covered_or_says_why(warnings_only):
    _, paths = warnings_only
    dq = json.loads(paths["json"].read_text())
    assert set(dq["tables"]) == set(TABLES)
    assert dq["tables"]["missions"]["checks"] > 0 and dq["tables"]["missions"]["why_unchecked"] is None
    for name, t in dq["tables"].items():
        assert t["checks"] > 0 or "no expectation suite" in t["why_unchecked"], name
    md = paths["markdown"].read_text()
    assert "Checks per table: missions (" in md and "Not checked: " in md and "crew" in md.split("Not checked: ")[1]


def test_dq_md_rounds_for_people_escapes_once_and_labels_in_words(warnings_only):
    _, paths = warnings_only
    dq = json.loads(paths["json"].read_text())
    dq["run"] = {"run_id": RUN, "inputs_read": 1605, "inputs_curated": 1600, "inputs_no_mission": 3,
                 "inputs_quarantined": 2, "inputs_reused": 0, "missions_curated": 1600,
                 "expectations_failed": {"error": 0, "warning": 4},
                 "values_lost_by_param": {"launch_date": 2, "landing_date": 1},
                 "timings_s": {"extract": 10.2, "validate": 4.450000000000001, "report": 0.000000000000001},
                 "published": True}
    dq["expectations"][0].update(success=False, detail="3 -> 1 rows against snapshot <b>x</b>")
    md = render_markdown(dq)
    assert "14.650000000000002" not in md and "seconds: 14.7" in md
    assert "inputs read: 1,605 (curated 1,600, no mission 3, quarantined 2, reused 0)" in md
    assert "values lost in rendering: 3" in md and "checks failed: 0 error, 4 warning" in md
    for raw_key in ("timings s", "values lost by param", "expectations failed:"):
        assert raw_key not in md
    assert "3 -> 1 rows" in md and "-&gt;" not in md
    assert "&lt;b>x&lt;/b>" in md and "<b>" not in md   # no HTML gets through


def test_the_share_of_failing_rows_is_of_all_rows(tmp_path):
    # One of three missions has no crew count: the crew check's share is 1 in 3, not 1 in 2.
    rows = [mission("apollo-8", "Apollo 8", crew_size=2), mission("apollo-11", "Apollo 11"),
            mission("soyuz-ms-25", "Soyuz MS-25", crew_size=None)]
    result = validate({"missions": to_table("missions", rows, RUN)}, expectations_dir=EXPECTATIONS)
    paths = write_report(result, run_dir=tmp_path / RUN, run_id=RUN, summary={}, titles={})
    text = text_of(next((paths["json"].parent / "datadocs" / "validations").rglob("missions.html")))
    shares = re.findall(r"unexpected values? found\. (\S+) of (\d+) total rows", text)
    assert shares and all(total == "3" for _, total in shares)
    assert ("50%", "3") not in shares and ("≈33.33%", "3") in shares
