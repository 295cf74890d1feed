"""Dumps compressed as zstd or gzip, and bz2 read by indexed_bzip2 or by the standard library:
the same pages as the stdlib bz2 path, and what is left of a damaged file. The real dumps of the
shared corpus are re-compressed here."""
import bz2
import gzip
import re
from pathlib import Path

import pytest
import zstandard

from pipeline.records import RawInput
from pipeline.sources import dump as D
from pipeline.sources.files import ReadFailure

DUMPS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dumps"
GENSIM = DUMPS / "gensim-enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
MINI = DUMPS / "dbpedia-minidump-en-wiki.xml.bz2"

pytestmark = pytest.mark.skipif(not GENSIM.exists(), reason="needs ../shared/corpus")


def fields(items):
    return [(x.source, x.title, x.page_id, x.rev_id, x.rev_timestamp, x.content, x.sha256)
            if isinstance(x, RawInput) else ("failure", x.source, x.reason) for x in items]


def zst(data: bytes, frames: int = 3) -> bytes:
    """data as `frames` zstd frames end to end (as transcode writes them)."""
    step = len(data) // frames + 1
    cctx = zstandard.ZstdCompressor(level=3, write_checksum=True)
    return b"".join(cctx.compress(data[i:i + step]) for i in range(0, len(data), step))


def gz(data: bytes) -> bytes:
    """data as two gzip members end to end (as `cat a.gz b.gz` makes)."""
    half = len(data) // 2
    return gzip.compress(data[:half]) + gzip.compress(data[half:])


@pytest.fixture(scope="module", params=[GENSIM, MINI], ids=["gensim", "dbpedia"])
def real(request):
    path = request.param
    return path, bz2.open(path).read(), fields(D.iter_dump(path, source_name="d", threads=0))


@pytest.mark.parametrize("pack", [zst, gz, bz2.compress], ids=["zstd", "gzip", "bz2"])
def test_every_format_yields_the_pages_of_the_stdlib_bz2_path(tmp_path, real, pack):
    _, data, expected = real
    path = tmp_path / "dump.bin"   # the name says nothing: the content does
    path.write_bytes(pack(data))
    assert D.is_dump(path)
    got = fields(D.iter_dump(path, source_name="d"))
    assert got == expected and len(got) > 20
    assert not [x for x in got if x[0] == "failure"]


def test_indexed_bzip2_on_two_threads_equals_the_standard_library(real, monkeypatch):
    path, _, expected = real
    assert D.indexed_bzip2 is not None  # pinned: the parallel path is the one tested here
    assert fields(D.iter_dump(path, source_name="d", threads=2)) == expected
    monkeypatch.setattr(D, "indexed_bzip2", None)  # an install without the package
    assert fields(D.iter_dump(path, source_name="d", threads=2)) == expected


def test_a_multistream_bz2_file_with_trailing_bytes_reads_as_bz2_does(tmp_path):
    data = bz2.open(GENSIM).read()
    path = tmp_path / "d.xml.bz2"
    path.write_bytes(bz2.compress(data[:100_000]) + bz2.compress(data[100_000:]) + b"trailing junk")
    with open(path, "rb") as fh:
        pieces = list(D._chunks(fh, size=65_536, threads=2))
    assert b"".join(pieces) == data and max(map(len, pieces)) <= 65_536


@pytest.mark.parametrize("pack,threads", [(zst, None), (gz, None), (bz2.compress, 2), (bz2.compress, 0)],
                         ids=["zstd", "gzip", "bz2-indexed", "bz2-stdlib"])
def test_a_truncated_file_gives_the_pages_before_the_cut_then_one_failure(tmp_path, pack, threads):
    data = bz2.open(GENSIM).read()
    packed = pack(data)
    path = tmp_path / "cut.xml.x"
    path.write_bytes(packed[: len(packed) * 3 // 5])
    items = list(D.iter_dump(path, threads=threads))
    failures = [x for x in items if isinstance(x, ReadFailure)]
    assert len(failures) == 1 and items[-1] is failures[0]
    assert failures[0].source == "cut.xml.x#error"
    assert failures[0].reason.startswith("dump read stopped: ")
    # every page whose end made it through decompression comes out, unchanged
    with open(path, "rb") as fh:
        survived = b""
        try:
            for piece in D._chunks(fh, threads=0):
                survived += piece
        except (EOFError, ValueError, OSError):
            pass
    assert survived and data.startswith(survived)
    complete = len(re.findall(rb"</page>", survived))
    whole = [(x[1], x[5]) for x in fields(D.iter_dump(GENSIM, threads=0))]
    pages = [(x.title, x.content) for x in items if isinstance(x, RawInput)]
    assert 0 < len(pages) <= complete and pages == whole[:len(pages)]
    assert len(pages) >= complete - 2  # at most the non-article pages among the last few


def test_a_damaged_bz2_block_ends_where_the_standard_library_ends(tmp_path):
    data = bz2.open(GENSIM).read()
    packed = bytearray(bz2.compress(data))
    mid = len(packed) * 2 // 3
    packed[mid:mid + 32] = b"\x00" * 32
    path = tmp_path / "bad.xml.bz2"
    path.write_bytes(bytes(packed))
    parallel = fields(D.iter_dump(path, threads=2))
    assert parallel == fields(D.iter_dump(path, threads=0))
    assert parallel[-1][0] == "failure" and len(parallel) > 10


def test_a_damaged_zstd_frame_stops_the_read_with_the_pages_before_it(tmp_path):
    data = bz2.open(GENSIM).read()
    frames = [zstandard.ZstdCompressor(write_checksum=True).compress(data[i:i + 1_000_000])
              for i in range(0, len(data), 1_000_000)]
    bad = bytearray(frames[3])
    bad[len(bad) // 2:len(bad) // 2 + 16] = b"\xff" * 16
    path = tmp_path / "bad.xml.zst"
    path.write_bytes(b"".join(frames[:3]) + bytes(bad) + b"".join(frames[4:]))
    items = list(D.iter_dump(path))
    assert isinstance(items[-1], ReadFailure) and "zstd" in items[-1].reason
    pages = [x.title for x in items if isinstance(x, RawInput)]
    whole = [x.title for x in D.iter_dump(GENSIM, threads=0) if isinstance(x, RawInput)]
    assert pages == whole[:len(pages)]
    assert len(re.findall(rb"</page>", data[:3_000_000])) - 2 <= len(pages)


def test_not_a_dump_whatever_the_magic(tmp_path):
    for name, blob in (("a.zst", zst(b"just some text, not XML" * 100)), ("b.gz", gz(b"<html></html>")),
                       ("c.zst", b"\x28\xb5\x2f\xfd" + b"\x00" * 20)):
        path = tmp_path / name
        path.write_bytes(blob)
        assert not D.is_dump(path)


def test_text_left_for_the_worker_to_clean_gives_the_same_rows(tmp_path):
    """clean_content=False (run --dump): the driver hands the text as read; process() cleans and
    hashes it in the worker, and every row is the one the cleaned input gives."""
    from pipeline.run import process, quarantine_result

    box = ("{{Infobox spaceflight\n| name = Cafe\u0301 \u202eOne\u202c\n| launch_date = 4 May 2001"
           "\n| operator = NASA\u0085\n}}\n'''Cafe\u0301 One''' is a mission.\n")
    xml = ("<mediawiki><page><title>Cafe\u0301 One</title><ns>0</ns><id>7</id><revision><id>9</id>"
           "<timestamp>2016-04-20T01:32:15Z</timestamp><text>" + box.replace("<", "&lt;") + "</text>"
           "</revision></page><page><title>R</title><ns>0</ns><id>8</id><redirect title=\"Cafe\u0301 One\"/>"
           "<revision><id>10</id><text>{{R from move}}</text></revision></page></mediawiki>")
    path = tmp_path / "d.xml.gz"
    path.write_bytes(gzip.compress(xml.encode("utf-8")))
    clean = list(D.iter_dump(path))
    raw = list(D.iter_dump(path, clean_content=False))
    assert [x.cleaned for x in raw] == [False, False] and [x.sha256 for x in raw] == [None, None]
    assert raw[0].content != clean[0].content and "\u0085" in raw[0].content
    for a, b in zip(clean, raw):
        ra, rb = process(a), process(b)
        assert ra.rows() == rb.rows()
        qa, qb = quarantine_result(a, "page exceeded 20 s"), quarantine_result(b, "page exceeded 20 s")
        assert qa.rows() == qb.rows()
    assert process(raw[0]).input_row["outcome"] == "curated"
