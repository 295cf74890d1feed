"""Multistream dumps: the same pages as iter_dump, in order, from blocks read in parallel."""
import bz2
import os
import time
import re
from pathlib import Path

import pytest

from pipeline.records import RawInput
from pipeline.sources.dump import iter_dump
from pipeline.sources.files import ReadFailure
from pipeline.sources.multistream import blocks, index_path_for, iter_index, iter_multistream

DUMP = (Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dumps"
        / "gensim-enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
_PAGE = re.compile(rb"  <page>.*?</page>\n", re.S)

pytestmark = pytest.mark.skipif(not DUMP.exists(), reason="needs ../shared/corpus")


def write_multistream(tmp_path: Path, per_stream: int = 40, corrupt: int | None = None,
                      inject: bytes | None = None) -> Path:
    """The real 206-page dump rewritten as Wikimedia writes multistream dumps: header stream,
    one stream per `per_stream` pages, footer stream, and the "offset:page_id:title" index.
    corrupt: the block number whose bytes are damaged; inject: XML put into the first block."""
    data = bz2.open(DUMP).read()
    pages = _PAGE.findall(data)
    header = data[:_PAGE.search(data).start()]
    out = tmp_path / "test-pages-articles-multistream.xml.bz2"
    lines = []
    with open(out, "wb") as fh:
        fh.write(bz2.compress(header))
        for b, i in enumerate(range(0, len(pages), per_stream)):
            chunk = pages[i:i + per_stream]
            offset = fh.tell()
            raw = b"".join(chunk)
            if b == 0 and inject:
                raw = inject + raw
            blob = bz2.compress(raw)
            if b == corrupt:
                blob = blob[:len(blob) // 2] + b"\x00" * 64 + blob[len(blob) // 2 + 64:]
            fh.write(blob)
            for page in chunk:
                pid = re.search(rb"</ns>\s*<id>(\d+)</id>", page).group(1).decode()
                title = re.search(rb"<title>(.*?)</title>", page).group(1).decode()
                lines.append(f"{offset}:{pid}:{title}")
        fh.write(bz2.compress(b"</mediawiki>\n"))
    with bz2.open(index_path_for(out), "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return out


def fields(items):
    return [(x.source, x.title, x.page_id, x.rev_id, x.rev_timestamp, x.content)
            if isinstance(x, RawInput) else ("failure", x.source) for x in items]


@pytest.fixture(scope="module")
def expected():
    return fields(iter_dump(DUMP, source_name="d.xml.bz2"))


@pytest.mark.parametrize("workers", [1, 2])
def test_same_pages_in_the_same_order_as_iter_dump(tmp_path, expected, workers):
    path = write_multistream(tmp_path)
    got = fields(iter_multistream(path, workers=workers, source_name="d.xml.bz2", window=2))
    assert got == expected
    assert len(got) > 150


def test_index_names_and_blocks(tmp_path):
    path = write_multistream(tmp_path, per_stream=100)
    assert index_path_for(path).name == "test-pages-articles-multistream-index.txt.bz2"
    rows = list(iter_index(index_path_for(path)))
    assert rows[0][1:] == (10, "AccessibleComputing")
    found = list(blocks(index_path_for(path), path.stat().st_size))
    assert [n for _, _, n in found] == [100, 100, 6]
    assert found[-1][0] + found[-1][1] == path.stat().st_size
    assert all(a + la == b for (a, la, _), (b, _, _) in zip(found, found[1:]))


def test_a_damaged_block_is_one_failure_and_the_others_still_come(tmp_path, expected):
    path = write_multistream(tmp_path, corrupt=1)
    got = list(iter_multistream(path, workers=1, source_name="d.xml.bz2"))
    failures = [x for x in got if isinstance(x, ReadFailure)]
    assert len(failures) == 1 and "#offset=" in failures[0].source
    pages = fields(x for x in got if isinstance(x, RawInput))
    assert pages[:30] == expected[:30] and pages[-30:] == expected[-30:]
    assert len(pages) < len(expected)


@pytest.mark.parametrize("payload", [
    b'<!DOCTYPE page [<!ENTITY lol "lol">]>',
    b'<page><title>x</title><ns>0</ns><id>1</id><revision><text>&lol;</text></revision></page>',
])
def test_dtd_and_entities_are_refused(tmp_path, payload):
    path = write_multistream(tmp_path, inject=payload)
    got = list(iter_multistream(path, workers=1))
    assert isinstance(got[0], ReadFailure) and "skipped" in got[0].reason
    assert all(isinstance(x, RawInput) for x in got[1:])


def test_keep_drops_pages_in_the_workers(tmp_path):
    path = write_multistream(tmp_path)
    got = list(iter_multistream(path, workers=2, keep=_mentions_apollo))
    assert got and all("Apollo" in x.content for x in got)
    assert {"Apollo 11", "Apollo 8"} <= {x.title for x in got}


def _mentions_apollo(text: str) -> bool:
    return "Apollo" in text


def test_missing_index_is_a_read_failure(tmp_path):
    path = write_multistream(tmp_path)
    index_path_for(path).unlink()
    got = list(iter_multistream(path))
    assert len(got) == 1 and isinstance(got[0], ReadFailure) and "index" in got[0].reason


@pytest.mark.slow
def test_cli_run_on_a_multistream_dump_equals_the_single_stream_run(tmp_path):
    import shutil
    import pyarrow.parquet as pq
    from click.testing import CliRunner
    from pipeline.cli import cli
    multi = write_multistream(tmp_path)
    single = tmp_path / "single" / multi.name      # the same name, no index beside it
    single.parent.mkdir()
    shutil.copy(DUMP, single)
    exp = Path(__file__).resolve().parents[1] / "expectations"
    out = {}
    for name, dump in (("multi", multi), ("single", single)):
        r = CliRunner().invoke(cli, ["run", "--dump", str(dump), "--out", str(tmp_path / name / "curated"),
                                     "--reports", str(tmp_path / name / "reports"),
                                     "--expectations", str(exp), "--fail-on", "never", "--no-progress"])
        assert r.exit_code == 0, r.output
        out[name] = {t: pq.read_table(tmp_path / name / "curated" / f"{t}.parquet").drop_columns(["run_id"])
                     .to_pylist() for t in ("missions", "inputs", "crew")}
    assert out["multi"] == out["single"]
    assert len(out["multi"]["inputs"]) == 205
    assert sorted(m["title"] for m in out["multi"]["missions"]) == ["Apollo 11", "Apollo 8"]
    assert {m["source_format"] for m in out["multi"]["missions"]} == {"dump"}


# --- lying indexes and killed runs (issue 18) ------------------------------------------------

def _rewrite_index(dump: Path, keep) -> None:
    path = index_path_for(dump)
    lines = bz2.open(path, "rt", encoding="utf-8").read().splitlines()
    offsets = sorted({int(line.split(":", 1)[0]) for line in lines})
    with bz2.open(path, "wt", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines if keep(offsets.index(int(line.split(":", 1)[0])), line)))


def _failures(items) -> list[tuple[str, str]]:
    return [(x.source.split("#", 1)[1], x.reason) for x in items if isinstance(x, ReadFailure)]


@pytest.mark.slow
def test_an_index_that_lies_is_never_silent(tmp_path, expected):
    """Attack: index lines missing for a block in the middle, for the first block, an empty
    index, a dump cut before the blocks its index lists. Pages vanished without a row (an empty
    snapshot was even published). Guarantee: a ReadFailure names each discrepancy."""
    dump = write_multistream(tmp_path)
    _rewrite_index(dump, lambda block, line: block != 2)  # block 2 is read as part of block 1
    items = list(iter_multistream(dump, workers=1, source_name="d.xml.bz2"))
    assert [f for f in fields(items) if f[0] != "failure"] == expected  # every page still read
    assert _failures(items) == [(f"offset={_offsets(dump)[1]}#count",
                                 "the index lists 40 pages at this offset, the dump holds 80 there")]

    dump = write_multistream(tmp_path)
    _rewrite_index(dump, lambda block, line: block != 0)
    failures = _failures(iter_multistream(dump, workers=1))
    assert failures[-1][0] == "index" and failures[-1][1].endswith("pages before it unread")

    dump = write_multistream(tmp_path)
    _rewrite_index(dump, lambda block, line: False)
    assert _failures(iter_multistream(dump, workers=1)) == [("index", "the multistream index lists no pages")]

    dump = write_multistream(tmp_path)
    with open(dump, "r+b") as fh:
        fh.truncate(_offsets(dump)[-1])
    assert _failures(iter_multistream(dump, workers=1))[-1][1].endswith("the dump holds 0 there")


def _offsets(dump: Path) -> list[int]:
    return sorted({o for o, _, _ in iter_index(index_path_for(dump))})


_READER = """
import sys, time
from pipeline.sources.multistream import iter_multistream
for item in iter_multistream(sys.argv[1], workers=2, window=2):
    print("page", flush=True)
    time.sleep(0.5)
"""


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields_ = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields_[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_killing_a_multistream_run_leaves_no_reader_behind(tmp_path):
    """Attack: SIGKILL a run reading a multistream dump. Its pool workers and the resource
    tracker stayed alive. Guarantee: they die with it."""
    import signal
    import subprocess
    import sys
    import time

    dump = write_multistream(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", _READER, str(dump)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "page\n"
    children = _children(proc.pid)
    assert len(children) >= 2  # the readers (and the resource tracker)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [c for c in children if _alive(c)]


# --- partitions: byte ranges read where they run (issue 17) ----------------------------------

def test_partitions_read_the_same_items_as_the_iteration(tmp_path, expected):
    import pickle

    from pipeline.sources.multistream import MultistreamDump
    path = write_multistream(tmp_path, corrupt=2)
    index_lines = bz2.open(index_path_for(path), "rt").read().splitlines()
    with bz2.open(index_path_for(path), "wt") as fh:   # the first block's lines lost: a failure last
        fh.write("\n".join(index_lines[40:]) + "\n")
    dump = MultistreamDump(path, workers=1, source_name="d.xml.bz2")
    parts = [pickle.loads(pickle.dumps(p)) for p in dump.partitions(blocks_per_partition=2)]
    assert len(parts) == 3 + 1   # blocks 2-3, 4-5, 6, then the index's failures
    items = [x for p in parts for x in p()]
    assert fields(items) == fields(dump)
    assert [x.source.split("#", 1)[1] for x in items if isinstance(x, ReadFailure)] == [
        f"offset={list(blocks(index_path_for(path), path.stat().st_size))[1][0]}", "index"]


@pytest.mark.slow
def test_dask_workers_read_their_own_byte_ranges_and_give_the_local_rows(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from pipeline import parts
    from pipeline.config import Config
    from pipeline.run import run
    from pipeline.sources.multistream import MultistreamDump
    path = write_multistream(tmp_path)
    exp = Path(__file__).resolve().parents[1] / "expectations"

    def tables(name, **kw):
        cfg = Config(raw_dir=tmp_path / "raw", out_dir=tmp_path / name / "curated",
                     reports_dir=tmp_path / name / "reports", expectations_dir=exp, progress=False,
                     incremental=False, fail_on="never", **kw)
        r = run(cfg, MultistreamDump(path, workers=1, source_name="d.xml.bz2"))
        return {t: pq.read_table(tmp_path / name / "curated" / f"{t}.parquet").drop_columns(["run_id"])
                .to_pylist() for t in r.manifest["tables"]}

    local = tables("local", workers=0)

    def no_driver_reads(self):
        raise AssertionError("the driver read the dump")
    monkeypatch.setattr(MultistreamDump, "__iter__", no_driver_reads)
    dask = tables("dask", engine="dask", workers=2)
    assert dask == local
    assert len(local["inputs"]) == 205 and len(local["missions"]) == 2
    # the local engine's isolated workers read their blocks and write their parts the same way
    arrived = []
    real = parts.Staging.take

    def spy(self, result):   # where each page's infobox_params rows are when they reach the driver
        arrived.append("worker's part" if result.params_at is not None
                       else "rows" if result.params else "none")
        return real(self, result)
    monkeypatch.setattr(parts.Staging, "take", spy)
    assert tables("workers", workers=2) == local
    assert "worker's part" in arrived and "rows" not in arrived


def test_a_page_crosses_processes_as_utf8_and_reads_back_the_same():
    """A RawInput is pickled with its text as UTF-8 (the driver relays pages without decoding
    them); the text read after unpickling is the text before, a lone surrogate included."""
    import pickle

    from pipeline.records import RawInput

    page = RawInput("d.xml#page=1", "wikitext", "Été \U0001F680 \ud800 x", "dump", title="Été", cleaned=False)
    relayed = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(page))))  # reader -> driver -> worker
    assert "content" not in vars(pickle.loads(pickle.dumps(page)))          # not decoded until read
    assert relayed == page and relayed.content == page.content and hash(relayed) == hash(page)


# --- local isolated workers read their own blocks too (issue 17) -----------------------------

def page_title(item):
    """A stand-in for pipeline.run.process: what the worker saw of the item."""
    return ("page", item.title) if isinstance(item, RawInput) else ("failure", item.source)


def stuck_on_a_page(item):
    if isinstance(item, RawInput) and item.title == "Algeria":   # one real page of the dump
        time.sleep(60)
    return page_title(item)


def dies_on_a_page(item):
    if isinstance(item, RawInput) and item.title == "Algeria":
        os._exit(7)
    return page_title(item)


def over_limit(item, reason):
    return ("limit", item.title, reason)


def test_local_workers_read_the_blocks_and_the_driver_never_sees_a_page(tmp_path, monkeypatch):
    from pipeline.config import Config
    from pipeline.engines import process_all
    from pipeline.sources.multistream import MultistreamDump
    path = write_multistream(tmp_path, corrupt=2)
    dump = MultistreamDump(path, workers=1, source_name="d.xml.bz2")
    expected = [page_title(x) for x in dump]

    def no_driver_reads(self):
        raise AssertionError("the driver read the dump")
    monkeypatch.setattr(MultistreamDump, "__iter__", no_driver_reads)
    got = list(process_all(dump, Config(workers=2), page_title, over_limit, reuse=None))
    assert got == expected and sum(x[0] == "failure" for x in got) == 1   # the damaged block


@pytest.mark.parametrize("fn, reason", [(stuck_on_a_page, "page exceeded 1 s"),
                                        (dies_on_a_page, "worker died: exit code 7")])
def test_a_block_over_its_limits_is_done_again_page_by_page(tmp_path, fn, reason):
    """Only the page at fault is quarantined, with the per-page reason; its block's other
    pages, and every other block, give their results, in order."""
    from pipeline.config import Config
    from pipeline.engines import process_all
    from pipeline.sources.multistream import MultistreamDump
    dump = MultistreamDump(write_multistream(tmp_path), workers=1, source_name="d.xml.bz2")
    expected = [over_limit(x, reason) if x.title == "Algeria" else page_title(x) for x in dump]
    assert sum(e[0] == "limit" for e in expected) == 1
    got = list(process_all(dump, Config(workers=2, page_seconds=1), fn, over_limit, reuse=None))
    assert got == expected


def test_a_redone_block_is_logged_with_its_reason(tmp_path, caplog):
    from pipeline.config import Config
    from pipeline.engines import process_all
    from pipeline.sources.multistream import MultistreamDump
    dump = MultistreamDump(write_multistream(tmp_path), workers=1, source_name="d.xml.bz2")
    with caplog.at_level("WARNING", logger="pipeline.engines"):
        list(process_all(dump, Config(workers=1, page_seconds=1), dies_on_a_page, over_limit, reuse=None))
    assert [r.getMessage() for r in caplog.records] == [
        "a block of the dump went over its limits (worker died: exit code 7): its pages are done "
        "again one by one"]


def test_a_bz2_block_decompresses_exactly_as_the_standard_library_or_fails_as_it_does():
    """Blocks are read by indexed_bzip2 on one thread; a damaged or cut one falls back to the
    standard library, so the bytes or the error are the stdlib's."""
    from pipeline.sources.dump import decompress_all, indexed_bzip2
    assert indexed_bzip2 is not None  # a pinned dependency: the fast path is what is tested
    text = "".join(f"<page><title>Page {i}</title><text>é – {i * 7919}</text></page>\n"
                   for i in range(3000)).encode()
    block = bz2.compress(text)
    assert decompress_all(block) == text
    assert decompress_all(block + bz2.compress(b"</mediawiki>")) == text + b"</mediawiki>"
    flipped = bytearray(block)
    flipped[len(block) // 2] ^= 0xFF
    for bad in (block[:-7], block[: len(block) // 2], bytes(flipped), b"BZh9"):
        with pytest.raises((OSError, ValueError, EOFError)) as got:
            decompress_all(bad)
        with pytest.raises((OSError, ValueError, EOFError)) as expected:
            bz2.decompress(bad)
        assert (type(got.value), str(got.value)) == (type(expected.value), str(expected.value))


def test_reading_a_block_keeps_no_reference_to_it_and_no_file_open():
    """A worker reads thousands of blocks: each must be freed once read. indexed_bzip2 1.7 keeps
    a reference to a Python file object it reads (io.BytesIO), which kept every block a worker
    read in its memory; and closing its reader does not close a file descriptor given to it."""
    import sys

    from pipeline.sources.dump import decompress_all
    block = bz2.compress(b"".join(b"<page><title>P %d</title></page>\n" % i for i in range(5000)))
    fds = len(os.listdir("/proc/self/fd"))
    before = sys.getrefcount(block)
    for _ in range(3):
        decompress_all(block)
    assert sys.getrefcount(block) == before
    assert len(os.listdir("/proc/self/fd")) == fds


def test_reading_a_whole_bz2_dump_leaves_no_file_open(tmp_path):
    from pipeline.sources.dump import _chunks
    path = tmp_path / "d.xml.bz2"
    path.write_bytes(bz2.compress(b"<mediawiki>" + b"x" * 100_000 + b"</mediawiki>"))
    fds = len(os.listdir("/proc/self/fd"))
    for threads in (1, 2, 0):
        with open(path, "rb") as fh:
            assert sum(len(c) for c in _chunks(fh, threads=threads)) == 100_023
    assert len(os.listdir("/proc/self/fd")) == fds


def _one_shot(block: bytes, name: str = "d.xml.bz2"):
    """What read_block parsed before it fed the block in pieces: one joined document."""
    from xml.parsers.expat import ExpatError

    from defusedxml import DefusedXmlException

    from pipeline.sources.dump import PageParser, _why
    body = block.rstrip()
    if body.endswith(b"</mediawiki>"):
        body = body[:-len(b"</mediawiki>")]
    reader = PageParser(name, frozenset({0}), nested=False)
    try:
        reader.parse(b"<mediawiki>" + body + b"</mediawiki>", True)
    except (DefusedXmlException, ExpatError) as e:
        return ("failure", f"dump block skipped: {_why(e)}")
    return fields(reader.pages)


@pytest.mark.parametrize("tail", [b"", b"\n", b"  \n\t\x0b\x0c\r\n", b"</mediawiki>\n", b"</mediawiki>",
                                  b"\n</mediawiki>\n\n", b"</mediawiki></mediawiki>", b"<page><title>cut",
                                  b"<page>", b"</page>", b"x\n", b"\x85", b"</mediawiki"])
def test_a_block_fed_in_pieces_reads_as_the_joined_document(tmp_path, tail):
    """read_block feeds <mediawiki>, the block (trailing space and footer left out, no copy) and
    </mediawiki> to the parser one after the other: the pages, or the failure and its position,
    are those of the document joined in one piece."""
    from pipeline.sources.multistream import read_block
    data = bz2.open(DUMP).read()
    pages = b"".join(_PAGE.findall(data)[:5])
    for block in (pages + tail, tail + pages + tail, b"  <page><title>A</title><ns>0</ns><id>1</id>"
                  b"<revision><id>2</id><text>x &amp; y</text></revision></page>" + tail):
        path = tmp_path / "block.bz2"
        path.write_bytes(bz2.compress(block))
        got = read_block(str(path), 0, path.stat().st_size, "d.xml.bz2")
        want = _one_shot(block)
        if isinstance(want, tuple):
            assert len(got) == 1 and isinstance(got[0], ReadFailure)
            assert got[0].reason == want[1]
        else:
            assert fields(got) == want
