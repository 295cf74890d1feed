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
