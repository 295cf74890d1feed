"""A dump backfill lands in raw/api/ like an API fetch, and the run reads it with its revisions."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.sources.backfill import backfill_from_dump, has_mission_infobox
from pipeline.sources.files import list_inputs, read_file

DUMP = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dumps" / \
    "gensim-enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def test_mission_infobox_detection():
    assert has_mission_infobox("{{Infobox spaceflight\n| name = X\n}}")
    assert has_mission_infobox("{{infobox space mission|name=X}}")
    assert not has_mission_infobox("{{Infobox person|name=X}}")
    assert not has_mission_infobox("<!-- {{Infobox spaceflight}} -->")


@pytest.mark.slow
@pytest.mark.skipif(not DUMP.exists(), reason="the shared corpus dump is not beside this checkout")
def test_backfill_from_the_real_dump(tmp_path):
    report = backfill_from_dump(DUMP, tmp_path)
    assert (report.stored, report.pages_read) == (2, 205)
    assert report.skipped == 203
    paths = list_inputs(tmp_path)
    assert sorted(p.name for p in paths) == ["Apollo_11.wikitext", "Apollo_8.wikitext"]
    meta = json.loads((tmp_path / "api" / "Apollo_11.wikitext.meta.json").read_text())
    assert (meta["page_id"], meta["rev_id"], meta["rev_timestamp"], meta["source_format"]) == \
        (662, 716123666, "2016-04-20T01:32:15Z", "dump")
    r = read_file(tmp_path / "api" / "Apollo_11.wikitext", tmp_path, 10**8)
    assert (r.source_format, r.page_id, r.rev_id) == ("dump", 662, 716123666)
    raw11 = Path(__file__).resolve().parents[2] / "raw" / "Apollo_11.wikitext"
    assert r.content == raw11.read_text(encoding="utf-8")
    again = backfill_from_dump(DUMP, tmp_path)
    assert (again.stored, again.unchanged) == (0, 2)


@pytest.mark.skipif(not DUMP.exists(), reason="the shared corpus dump is not beside this checkout")
def test_backfill_cli(tmp_path):
    result = CliRunner().invoke(cli, ["fetch", "--from-dump", str(DUMP), "--raw", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "stored 2" in result.output


def _dump(pages: list[tuple[str | None, str]]) -> str:
    body = "".join(f"<page><title>{t}</title><ns>0</ns>{f'<id>{i}</id><revision><id>1</id>' if i else '<revision>'}"
                   f"<timestamp>2024-01-01T00:00:00Z</timestamp><text>{{{{Infobox spaceflight|name={t}}}}}"
                   "</text></revision></page>" for i, t in pages)
    return f"<mediawiki>{body}</mediawiki>"


def test_pages_without_ids_or_with_one_id_are_not_renames(tmp_path):
    """Attack: `fetch --from-dump` on pages without <id> took each for a rename of the previous
    one (page id 0) and deleted its files while reporting them stored; duplicate ids did the
    same. Guarantee: pages without an id are stored side by side; a repeated id or title is
    reported and not stored; every file reported stored is there."""
    dump = tmp_path / "d.xml"
    dump.write_text(_dump([(None, "Alpha 1"), (None, "Beta 2"), ("7", "Gamma 3"), ("7", "Delta 4"),
                           (None, "Alpha 1")]))
    report = backfill_from_dump(dump, tmp_path / "raw")
    assert report.stored == 3 and len(report.failures) == 2
    assert "duplicate id 7" in report.failures[0] and "duplicate title 'Alpha 1'" in report.failures[1]
    stored = sorted(p.name for p in list_inputs(tmp_path / "raw"))
    assert stored == ["Alpha_1.wikitext", "Beta_2.wikitext", "Gamma_3.wikitext"]
    meta = json.loads((tmp_path / "raw" / "api" / "Alpha_1.wikitext.meta.json").read_text())
    assert meta["page_id"] is None
