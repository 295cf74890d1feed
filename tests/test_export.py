"""CSV export: every table, and no cell a spreadsheet would run as a formula."""
import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Config
from pipeline.export import neutralise
from pipeline.run import run

ROOT = Path(__file__).resolve().parents[1]


def test_neutralise():
    for evil in ("=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert neutralise(evil).startswith("'")
    assert neutralise("Apollo 11") == "Apollo 11"


@pytest.mark.slow
def test_export_of_a_run_with_a_formula_in_the_article(tmp_path):
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    p = tmp_path / "raw" / "Apollo_8.wikitext"
    p.write_text(p.read_text().replace("| crew_callsign         = Apollo 8",
                                       '| crew_callsign         = =HYPERLINK("http://evil.example","x")'))
    run(Config(raw_dir=tmp_path / "raw", out_dir=tmp_path / "curated", reports_dir=tmp_path / "reports",
               expectations_dir=ROOT / "expectations", progress=False, workers=0))
    result = CliRunner().invoke(cli, ["export", "--out", str(tmp_path / "curated"), "--to", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(open(tmp_path / "csv" / "missions.csv", encoding="utf-8")))
    assert len(rows) == 3
    a8 = next(r for r in rows if r["mission_id"] == "apollo-8")
    assert a8["crew_callsign"].startswith("'=HYPERLINK")
    assert a8["launch_utc"] == "1968-12-21T12:51:00+00:00"
    for f in (tmp_path / "csv").glob("*.csv"):
        for row in csv.reader(open(f, encoding="utf-8")):
            assert not any(c.startswith(("=", "+", "@")) for c in row), (f.name, row)


def test_export_without_a_snapshot_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["export", "--out", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no published snapshot" in result.output
