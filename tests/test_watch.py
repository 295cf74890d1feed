"""A run you can watch: a progress bar with a total, the stages after extraction, titles in
quarantine lines, --quiet/--verbose, and --log-json (JSON lines) for schedulers."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Config
from pipeline.run import _progress

ROOT = Path(__file__).resolve().parents[1]


def test_the_progress_bar_knows_its_total(capsys):
    list(_progress(iter(range(7)), 7, Config(progress=True)))
    err = capsys.readouterr().err
    assert "7/7" in err and "extract" in err


@pytest.mark.slow
def test_quiet_run_with_a_json_log(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "rendered_variant.txt", raw)
    (raw / "Broken_page.wikitext").write_bytes(b"\xff\xfe not utf-8 \xff")
    log = tmp_path / "logs" / "run.jsonl"
    common = ["run", "--raw", str(raw), "--out", str(tmp_path / "c"), "--reports", str(tmp_path / "r"),
              "--expectations", str(ROOT / "expectations"), "--workers", "0", "--fail-on", "never"]
    r = CliRunner().invoke(cli, [*common, "--quiet", "--log-json", str(log)])
    assert r.exit_code == 0, r.output
    assert r.stderr == ""                          # quiet: nothing but errors on stderr
    assert "run " in r.stdout                      # the summary still goes to stdout
    assert "quarantined          Broken page (Broken_page.wikitext) [read]" in r.stdout
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert all({"time", "level", "message", "event"} <= set(e) for e in events)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and events[0]["inputs"] == 2 and kinds[-1] == "end"
    stages = [e["stage"] for e in events if e["event"] == "stage"]
    assert stages == ["read+extract+transform", "tables", "validate", "load", "report"]
    assert all(isinstance(e["seconds"], float) for e in events if e["event"] == "stage")
    q = next(e for e in events if e["event"] == "quarantine")
    assert q["level"] == "warning" and q["source"] == "Broken_page.wikitext" and q["stage"] == "read"
    end = events[-1]
    assert end["exit_code"] == 0 and end["published"] is True and end["quarantined"] == 1

    r = CliRunner().invoke(cli, [*common, "--verbose", "--no-progress"])
    assert r.exit_code == 0
    assert "infobox-etl: validate: " in r.stderr and "; load…" in r.stderr
    assert "infobox-etl: quarantined Broken page (Broken_page.wikitext) at read" in r.stderr


def test_a_multistream_dump_knows_its_article_count_from_its_index(tmp_path):
    from pipeline.records import RawInput
    from pipeline.sources import iter_dump
    from pipeline.sources.multistream import count_pages, index_path_for, iter_index
    from tests.test_multistream import DUMP, write_multistream
    if not DUMP.exists():  # as every test of the shared corpus's dump
        pytest.skip("needs ../shared/corpus")

    dump = write_multistream(tmp_path)
    articles = sum(isinstance(x, RawInput) for x in iter_dump(DUMP))
    indexed = sum(1 for _ in iter_index(index_path_for(dump)))
    assert count_pages(dump) == articles
    assert articles < indexed          # the index lists the other namespaces' pages too
    assert count_pages(dump, namespaces=frozenset(range(-2, 3000))) == indexed
    assert count_pages(tmp_path / "missing.xml.bz2", tmp_path / "missing-index.txt.bz2") is None


def test_logging_set_up_for_a_run_is_undone_after_it(tmp_path):
    import logging

    from pipeline.cli import setup_logging
    root = logging.getLogger("pipeline")
    before = (list(root.handlers), root.level, root.propagate)
    restore = setup_logging("verbose", tmp_path / "log.jsonl")
    logging.getLogger("pipeline.run").info("hello", extra={"data": {"event": "x", "n": 1}})
    restore()
    assert (list(root.handlers), root.level, root.propagate) == before
    line = json.loads((tmp_path / "log.jsonl").read_text())
    assert line["message"] == "hello" and line["event"] == "x" and line["n"] == 1 and line["level"] == "info"
