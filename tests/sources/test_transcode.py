"""transcode: a dump re-packed as zstd frames of N pages with an index reads back as the bz2
dump's pages, streamed or in parallel, and a damaged frame costs only its own pages."""
import bz2
from pathlib import Path

import pytest
import zstandard

from pipeline.records import RawInput
from pipeline.sources.dump import iter_dump
from pipeline.sources.files import ReadFailure
from pipeline.sources.multistream import blocks, index_path_for, iter_index, iter_multistream
from pipeline.sources.transcode import TranscodeError, transcode

DUMP = (Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dumps"
        / "gensim-enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")

pytestmark = pytest.mark.skipif(not DUMP.exists(), reason="needs ../shared/corpus")


def fields(items):
    return [(x.source, x.title, x.page_id, x.rev_id, x.rev_timestamp, x.content, x.sha256)
            if isinstance(x, RawInput) else ("failure", x.source) for x in items]


@pytest.fixture(scope="module")
def expected():
    return fields(iter_dump(DUMP, source_name="d.xml.bz2", threads=0))


@pytest.fixture(scope="module")
def packed(tmp_path_factory):
    out = tmp_path_factory.mktemp("zst") / "d.xml.zst"
    return transcode(DUMP, out, pages_per_frame=40)


def test_the_frames_are_the_xml_byte_for_byte_and_the_index_lists_every_page(packed):
    xml = bz2.open(DUMP).read()
    with open(packed.out, "rb") as fh:
        assert zstandard.ZstdDecompressor().stream_reader(fh, read_across_frames=True).read() == xml
    assert packed.index == index_path_for(packed.out) and packed.index.name == "d-index.txt.zst"
    rows = list(iter_index(packed.index))
    assert len(rows) == packed.pages == xml.count(b"<page>") == 206
    assert rows[0][1:] == (10, "AccessibleComputing")
    found = list(blocks(packed.index, packed.out.stat().st_size))
    assert [n for _, _, n in found] == [40] * 5 + [6]
    assert packed.frames == 1 + 6 + 1   # header, pages, footer
    assert packed.bytes_in == len(xml)


@pytest.mark.parametrize("workers", [1, 2])
def test_round_trip_equals_the_bz2_pages(packed, expected, workers):
    assert fields(iter_multistream(packed.out, workers=workers, source_name="d.xml.bz2", window=2)) == expected
    # without its index, the file is one zstd stream
    assert fields(iter_dump(packed.out, source_name="d.xml.bz2")) == expected


def test_a_damaged_frame_is_one_failure_and_the_other_frames_still_come(tmp_path, packed, expected):
    data = bytearray(packed.out.read_bytes())
    found = list(blocks(packed.index, len(data)))
    offset, length, _ = found[2]
    data[offset + length // 2: offset + length // 2 + 16] = b"\xff" * 16
    bad = tmp_path / "d.xml.zst"
    bad.write_bytes(bytes(data))
    index_path_for(bad).write_bytes(packed.index.read_bytes())
    got = list(iter_multistream(bad, workers=2, source_name="d.xml.bz2"))
    failures = [x for x in got if isinstance(x, ReadFailure)]
    assert len(failures) == 1 and failures[0].source == f"d.xml.bz2#offset={offset}"
    pages = fields(x for x in got if isinstance(x, RawInput))
    lost = {x[2] for x in expected} - {x[2] for x in pages}
    assert pages == [x for x in expected if x[2] not in lost]
    assert 30 <= len(lost) <= 40   # the 40 pages of that frame (some not articles)


def test_a_malformed_dump_is_not_re_packed(tmp_path):
    xml = bz2.open(DUMP).read()
    src = tmp_path / "bad.xml"
    src.write_bytes(xml[:200_000] + b"<page><title>x</titel>" + xml[200_000:])
    out = tmp_path / "bad.xml.zst"
    with pytest.raises(TranscodeError, match="not re-packed: malformed XML: mismatched tag"):
        transcode(src, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xml"]


def test_cli_transcode_then_run_reads_the_re_pack(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli
    out = tmp_path / "d.xml.zst"
    r = CliRunner().invoke(cli, ["transcode", str(DUMP), str(out), "--pages-per-frame", "50"])
    assert r.exit_code == 0, r.output
    assert "206 pages in 7 zstd frames" in r.output
    r = CliRunner().invoke(cli, ["transcode", str(DUMP), str(tmp_path / "x.bz2")])
    assert r.exit_code == 2 and "NAME.xml.zst" in r.output


@pytest.mark.slow
def test_cli_run_on_the_re_pack_equals_the_run_on_the_bz2_dump(tmp_path, packed):
    import shutil

    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from pipeline.cli import cli
    exp = Path(__file__).resolve().parents[2] / "expectations"
    single = tmp_path / "single" / "d.xml.bz2"
    single.parent.mkdir()
    shutil.copy(DUMP, single)
    repack = tmp_path / "zst" / "d.xml.zst"
    repack.parent.mkdir()
    shutil.copy(packed.out, repack)
    shutil.copy(packed.index, repack.parent / packed.index.name)
    out = {}
    for name, dump in (("zst", repack), ("single", single)):
        r = CliRunner().invoke(cli, ["run", "--dump", str(dump), "--out", str(tmp_path / name / "curated"),
                                     "--reports", str(tmp_path / name / "reports"), "--expectations", str(exp),
                                     "--fail-on", "never", "--no-progress", "--workers", "2"])
        assert r.exit_code == 0, r.output
        # rows name their dump file (d.xml.zst#page=662, d.xml.bz2#page=662): compared without it
        out[name] = {t: [{k: v.replace("d.xml.zst", "d.xml.bz2") if k == "source" and v else v
                          for k, v in row.items()}
                         for row in pq.read_table(tmp_path / name / "curated" / f"{t}.parquet")
                         .drop_columns(["run_id"]).to_pylist()]
                     for t in ("missions", "inputs", "crew", "infobox_params")}
    assert out["zst"] == out["single"]
    assert len(out["zst"]["inputs"]) == 205 and len(out["zst"]["missions"]) == 2
