"""Kiwix ZIM archives: `run --zim` over an archive built here with libzim's own writer gives the
same mission rows as the wikitext of the same page, on the local and the Dask engine; redirects,
pages without an infobox and non-HTML entries are not inputs; bad archives and entries are
quarantined with the reason."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from libzim.writer import Creator, Hint, Item, StringProvider

from pipeline.config import Config
from pipeline.run import run
from pipeline.sources import iter_inputs
from pipeline.sources.files import ReadFailure
from pipeline.sources.zim import ZimStats, is_zim, iter_zim

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "html"
# Rounded by {{convert}} in what MediaWiki shows ("45,702 kg" for 100,756 lb): HTML carries
# the displayed figure, wikitext the exact conversion.
DISPLAY_ROUNDING = 1e-3
IDENTITY = {"source", "source_format", "page_id", "rev_id", "run_id"}


class _Entry(Item):
    def __init__(self, path: str, title: str, content: str, mimetype: str = "text/html"):
        super().__init__()
        self._path, self._title, self._content, self._mime = path, title, content, mimetype

    def get_path(self):
        return self._path

    def get_title(self):
        return self._title

    def get_mimetype(self):
        return self._mime

    def get_contentprovider(self):
        return StringProvider(self._content)

    def get_hints(self):
        return {Hint.FRONT_ARTICLE: self._mime == "text/html"}


def kiwix_page(saved_page: str) -> str:
    """A saved page in the shape mwoffliner stores articles: links relative to the archive
    (`./Title`), no skin around the content."""
    body = re.search(r'<div class="mw-content-ltr mw-parser-output".*?</div></div></div>', saved_page, re.S)
    title = re.search(r"<title>(.*?) - Wikipedia</title>", saved_page).group(1)
    content = body.group(0).replace('href="/wiki/', 'href="./')
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body class="mw-body mw-body-content"><h1 class="article-header">{title}</h1>{content}</body></html>')


def make_zim(path: Path, entries, redirects=()) -> Path:
    creator = Creator(path).config_indexing(False, "eng")
    with creator as c:
        c.add_metadata("Title", b"Test Wikipedia", "text/plain;charset=UTF-8")
        c.add_metadata("Language", b"eng", "text/plain;charset=UTF-8")
        for e in entries:
            c.add_item(e)
        for src, title, target in redirects:
            c.add_redirection(src, title, target, {Hint.FRONT_ARTICLE: True})
        c.set_mainpath(entries[0].get_path())
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("zim")
    apollo = kiwix_page((DATA / "Apollo_11.html").read_text(encoding="utf-8"))
    moon = ('<!DOCTYPE html><html><head><title>Moon</title></head><body><p>The <b>Moon</b> is '
            "Earth's only natural satellite.</p></body></html>")
    cut = apollo[: len(apollo) // 3]            # a truncated page: read safely, not curated
    return make_zim(tmp / "wikipedia_test.zim", [
        _Entry("Apollo_11", "Apollo 11", apollo),
        _Entry("Moon", "Moon", moon),
        _Entry("Cut_page", "Cut page", cut),
        _Entry("style.css", "", ".infobox{float:right}", "text/css"),
    ], redirects=[("Apollo_XI", "Apollo XI", "Apollo_11")])


def _run(tmp: Path, name: str, inputs=None, **kw):
    cfg = Config(raw_dir=tmp / name / "raw", out_dir=tmp / name / "curated", reports_dir=tmp / name / "reports",
                 expectations_dir=ROOT / "expectations", progress=False, incremental=False, **kw)
    (tmp / name / "raw").mkdir(parents=True, exist_ok=True)
    result = run(cfg, inputs)
    return {t: pq.read_table(tmp / name / "curated" / f"{t}.parquet").drop_columns(["run_id"]).to_pylist()
            for t in result.manifest["tables"]}


@pytest.fixture(scope="module")
def from_wikitext(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wt")
    (tmp / "wt" / "raw").mkdir(parents=True)
    shutil.copy(ROOT / "raw" / "Apollo_11.wikitext", tmp / "wt" / "raw")
    return _run(tmp, "wt", workers=0)


@pytest.fixture(scope="module")
def from_zim(archive, tmp_path_factory):
    return _run(tmp_path_factory.mktemp("z"), "zim", iter_zim(archive), workers=0)


def _same_mission(html_row: dict, wikitext_row: dict) -> None:
    for col, want in wikitext_row.items():
        if col in IDENTITY:
            continue
        got = html_row[col]
        if isinstance(want, float):
            assert got == pytest.approx(want, rel=DISPLAY_ROUNDING), col
        else:
            assert got == want, col


@pytest.mark.slow
def test_run_zim_gives_the_mission_row_of_the_wikitext(from_zim, from_wikitext):
    [html_row] = [m for m in from_zim["missions"] if m["source"].endswith("#Apollo_11")]
    [wikitext_row] = from_wikitext["missions"]
    _same_mission(html_row, wikitext_row)
    assert html_row["source_format"] == "html"
    assert html_row["source"] == "wikipedia_test.zim#Apollo_11"
    assert html_row["title"] == "Apollo 11"


def test_zim_infobox_events_and_crew_equal_the_wikitext(from_zim, from_wikitext):
    def infobox_events(t):
        return sorted((e["event"], e["utc"], e["detail"]) for e in t["events"]
                      if e["source"] == "infobox" and e["mission_id"] == "apollo-11")
    assert infobox_events(from_zim) == infobox_events(from_wikitext)
    def crew(t):
        return [(c["leg"], c["seat"], c["person"], c["person_key"], c["role"]) for c in t["crew"]
                if c["mission_id"] == "apollo-11"]
    assert crew(from_zim) == crew(from_wikitext)          # roles from the crew table in both


def test_only_articles_with_an_infobox_are_inputs(archive, from_zim):
    stats = ZimStats()
    items = list(iter_zim(archive, stats=stats))
    assert [i.source for i in items] == ["wikipedia_test.zim#Apollo_11", "wikipedia_test.zim#Cut_page"]
    assert stats.articles == 3 and stats.with_infobox == 2   # Moon has none; CSS and redirect skipped
    inputs = {r["source"]: r for r in from_zim["inputs"]}
    assert inputs["wikipedia_test.zim#Apollo_11"]["outcome"] == "curated"
    assert inputs["wikipedia_test.zim#Cut_page"]["outcome"] == "curated"   # its top rows survive the cut
    assert all(r["format"] == "html" for r in inputs.values())


@pytest.mark.slow
def test_dask_engine_gives_the_same_tables(archive, from_zim, tmp_path):
    got = _run(tmp_path, "dask", iter_zim(archive), engine="dask", workers=1)
    assert got == from_zim


def test_a_zim_in_raw_is_recognised_by_content(archive, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(archive, raw / "offline.bin")
    assert is_zim(raw / "offline.bin")
    assert [i.source for i in iter_inputs(raw, 10**7)] == ["offline.bin#Apollo_11", "offline.bin#Cut_page"]


def test_bad_archive_and_oversized_entry_are_read_failures(archive, tmp_path):
    fake = tmp_path / "fake.zim"
    fake.write_bytes(b"ZIM\x04" + b"\x00" * 100)
    [failure] = list(iter_zim(fake))
    assert isinstance(failure, ReadFailure) and "not a readable ZIM archive" in failure.reason
    small = [i for i in iter_zim(archive, max_bytes=2000) if isinstance(i, ReadFailure)]
    assert {f.source for f in small} >= {"wikipedia_test.zim#Apollo_11"}
    assert all("over the limit" in f.reason for f in small)


@pytest.mark.slow
def test_cli_run_zim(archive, tmp_path):
    out = subprocess.run([sys.executable, "-m", "pipeline", "run", "--zim", str(archive), "--workers", "0",
                          "--out", str(tmp_path / "curated"), "--reports", str(tmp_path / "reports"),
                          "--raw", str(tmp_path / "nowhere"), "--fail-on", "never"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "missions curated     2" in out.stdout   # Apollo 11 and what the cut page still shows
    both = subprocess.run([sys.executable, "-m", "pipeline", "run", "--zim", str(archive), "--dump", str(archive)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert both.returncode == 2 and "not both" in both.stderr
