"""Wikimedia Enterprise HTML dumps (tar.gz of NDJSON articles): read as one stream, namespace 0
articles with an infobox become inputs with their page and revision ids; bad records are
quarantined with the reason."""
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from pipeline.run import process
from pipeline.sources import iter_inputs
from pipeline.sources.enterprise import is_enterprise, iter_enterprise
from pipeline.sources.files import ReadFailure

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "tests" / "data" / "html" / "Apollo_11.html"


def record(name, page_id, rev_id, html, ns=0) -> dict:
    """The shape of the Enterprise article model (enterprise.wikimedia.com/docs/data-dictionary)."""
    return {"name": name, "identifier": page_id, "url": f"https://en.wikipedia.org/wiki/{name.replace(' ', '_')}",
            "date_modified": "2016-04-20T01:32:15Z", "namespace": {"identifier": ns},
            "in_language": {"identifier": "en"}, "version": {"identifier": rev_id},
            "article_body": {"html": html, "wikitext": "{{...}}"}}


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    lines = [json.dumps(record("Apollo 11", 662, 716123666, HTML.read_text(encoding="utf-8"))),
             json.dumps(record("Talk:Apollo 11", 9, 10, '<table class="infobox"></table>', ns=1)),
             json.dumps(record("Moon", 19331, 1, "<html><body><p>The Moon.</p></body></html>")),
             '{"name": "Cut", "identifier": 5, "article_bo',
             json.dumps({"name": "No body", "identifier": 6, "infobox": True})]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path = tmp_path_factory.mktemp("ent") / "enwiki-NS0-20160420-ENTERPRISE-HTML.json.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("enwiki_namespace_0_0.ndjson")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def test_articles_with_an_infobox_become_inputs_with_their_ids(dump):
    assert is_enterprise(dump)
    items = list(iter_enterprise(dump))
    [apollo] = [i for i in items if not isinstance(i, ReadFailure)]
    assert (apollo.source, apollo.title, apollo.page_id, apollo.rev_id) == (
        f"{dump.name}#662", "Apollo 11", 662, 716123666)
    assert apollo.fmt == "html" and apollo.rev_timestamp.isoformat() == "2016-04-20T01:32:15+00:00"
    failures = [i for i in items if isinstance(i, ReadFailure)]
    assert [f.reason.split(":")[0] for f in failures] == ["not a JSON record", "no article_body.html in the record"]
    result = process(apollo)
    assert result.input_row["outcome"] == "curated" and result.bundle.row["rev_id"] == 716123666


def test_records_over_the_limit_and_broken_archives(dump, tmp_path):
    small = list(iter_enterprise(dump, max_bytes=5000))
    assert any(isinstance(i, ReadFailure) and "over the limit" in i.reason for i in small)
    assert not any(getattr(i, "title", None) == "Apollo 11" for i in small)
    cut = tmp_path / "cut.json.tar.gz"
    cut.write_bytes(dump.read_bytes()[:2000])
    assert isinstance(list(iter_enterprise(cut))[-1], ReadFailure)
    assert not is_enterprise(HTML)


@pytest.mark.slow
def test_recognised_in_raw_and_by_run_dump(dump, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "bulk.bin").write_bytes(dump.read_bytes())
    assert [i.source for i in iter_inputs(raw, 10**7) if not isinstance(i, ReadFailure)] == ["bulk.bin#662"]
    out = subprocess.run([sys.executable, "-m", "pipeline", "run", "--dump", str(dump), "--workers", "0",
                          "--out", str(tmp_path / "curated"), "--reports", str(tmp_path / "reports"),
                          "--fail-on", "never"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "missions curated     1" in out.stdout and "quarantined 2" in out.stdout
