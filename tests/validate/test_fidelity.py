"""The fidelity check: one revision read from its wikitext and from MediaWiki's HTML gives the
same typed values; a column that differs is an issue `rendering_differs` with both values."""
import json
import shutil
from pathlib import Path

from pipeline.validate.fidelity import CODE, agreement
from tools.fidelity import check_folder, main, pairs

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "tests" / "data" / "html" / "Apollo_11.html"


def _pair(folder: Path, html: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "raw" / "Apollo_11.wikitext", folder / "Apollo_11.wikitext")
    (folder / "Apollo_11.html").write_text(html or HTML.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_the_same_revision_agrees_on_every_mapped_column(tmp_path):
    comparisons, problems = check_folder(_pair(tmp_path / "p"))
    assert problems == []
    cols = agreement(comparisons)
    assert {"launch_utc", "landing_utc", "launch_site", "perigee_km", "landing_lat", "satcat"} <= set(cols)
    assert all(ok == n == 1 for n, ok in cols.values())


def test_a_difference_is_an_issue_with_both_values(tmp_path):
    html = HTML.read_text(encoding="utf-8").replace("Saturn V</a> SA-506", "Saturn V</a> SA-507")
    comparisons, _ = check_folder(_pair(tmp_path / "p", html))
    [bad] = [c for c in comparisons if not c.agree]
    issue = bad.issue("apollo-11")
    assert (issue.code, issue.field) == (CODE, "launch_rocket")
    assert "'Saturn V SA-506'" in issue.message and "'Saturn V SA-507'" in issue.message


def test_different_revisions_are_not_compared(tmp_path):
    folder = _pair(tmp_path / "p")
    (folder / "Apollo_11.wikitext.meta.json").write_text(json.dumps({"rev_id": 1, "source_format": "api"}))
    comparisons, problems = check_folder(folder)
    assert comparisons == [] and "revisions 1 and 716123666 differ" in problems[0]


def test_script_prints_agreement_per_column(tmp_path, capsys):
    folder = _pair(tmp_path / "p")
    (folder / "lonely.html").write_text("<html><body></body></html>")
    assert [p[1].name for p in pairs(folder)] == ["Apollo_11.html"]
    assert main([str(folder)]) == 0
    out = capsys.readouterr().out
    assert "launch_utc" in out and "100.0%" in out and "(1 paired pages)" in out
    assert main([str(tmp_path / "missing")]) == 2


def test_wikitext_and_html_fetched_into_two_folders_pair_up(tmp_path):
    wt, html = tmp_path / "raw" / "api", tmp_path / "raw_html" / "api"
    wt.mkdir(parents=True)
    html.mkdir(parents=True)
    shutil.copy(ROOT / "raw" / "Apollo_11.wikitext", wt / "Apollo_11.wikitext")
    shutil.copy(HTML, html / "Apollo_11.html")
    assert [(a.name, b.name) for a, b in pairs(tmp_path / "raw", tmp_path / "raw_html")] == [
        ("Apollo_11.wikitext", "Apollo_11.html")]
    comparisons, problems = check_folder(tmp_path / "raw", tmp_path / "raw_html")
    assert problems == [] and comparisons and all(c.agree for c in comparisons)
