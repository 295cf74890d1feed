"""iter_dump: the pages of a MediaWiki export, read a chunk at a time, and what is left of a
damaged one. The reference is xml.etree's own reading of the same bytes."""
import bz2
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline.core.untrusted import clean_text
from pipeline.records import RawInput
from pipeline.sources import dump as D
from pipeline.sources.files import ReadFailure

DUMPS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "dumps"
GENSIM = DUMPS / "gensim-enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"

pytestmark = pytest.mark.skipif(not GENSIM.exists(), reason="needs ../shared/corpus")


def reference(xml: bytes) -> list[tuple]:
    """(title, page id, revision id, text) of every article page, as ElementTree reads them,
    text cleaned as every source cleans it where it enters (pipeline.core.untrusted: a stray C1
    control in "Austroasiatic languages" goes)."""
    out = []
    for page in ET.fromstring(xml).iter("{http://www.mediawiki.org/xml/export-0.10/}page"):
        ns = "{http://www.mediawiki.org/xml/export-0.10/}"
        if page.findtext(ns + "ns") != "0":
            continue
        rev = page.find(ns + "revision")
        text = rev.findtext(ns + "text") or ""
        redirect = page.find(ns + "redirect")
        if redirect is not None and not text.lstrip().lower().startswith("#"):
            text = f"#REDIRECT [[{redirect.get('title')}]]\n" + text
        out.append((clean_text(page.findtext(ns + "title")), int(page.findtext(ns + "id")),
                    int(rev.findtext(ns + "id")), clean_text(text)))
    return out


def got(items) -> list[tuple]:
    return [(x.title, x.page_id, x.rev_id, x.content) for x in items if isinstance(x, RawInput)]


@pytest.mark.parametrize("name", ["gensim-enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2",
                                  "dbpedia-minidump-en-wiki.xml.bz2"])
def test_every_article_page_as_elementtree_reads_it(name):
    path = DUMPS / name
    items = list(D.iter_dump(path))
    assert not [x for x in items if isinstance(x, ReadFailure)]
    assert got(items) == reference(bz2.open(path).read())
    assert all(x.source == f"{name}#page={x.page_id}" and x.rev_timestamp.tzinfo for x in items)


@pytest.mark.slow
def test_chunks_read_a_bz2_file_as_bz2_does(tmp_path):
    data = bz2.open(GENSIM).read()
    # several streams end to end, then bytes that are not a stream: read like bz2.open()
    path = tmp_path / "d.xml.bz2"
    path.write_bytes(bz2.compress(data[:100_000]) + bz2.compress(data[100_000:]) + b"trailing junk")
    with open(path, "rb") as fh:
        pieces = list(D._chunks(fh, size=65_536))
    assert b"".join(pieces) == data == bz2.open(path).read()
    assert max(map(len, pieces)) <= 65_536
    plain = tmp_path / "d.xml"
    plain.write_bytes(data)
    with open(plain, "rb") as fh:
        assert b"".join(D._chunks(fh, size=1000)) == data


def test_a_truncated_dump_gives_the_pages_before_the_cut_then_one_failure(tmp_path):
    data = bz2.open(GENSIM).read()
    packed = bz2.compress(data)
    path = tmp_path / "cut.xml.bz2"
    path.write_bytes(packed[: len(packed) * 3 // 5])
    items = list(D.iter_dump(path))
    failures = [x for x in items if isinstance(x, ReadFailure)]
    assert len(failures) == 1 and items[-1] is failures[0]
    assert failures[0].source == "cut.xml.bz2#error"
    assert failures[0].reason.startswith("dump read stopped: ")
    # every page whose end made it through decompression comes out, unchanged
    survived = bz2.BZ2Decompressor().decompress(path.read_bytes())
    whole = reference(data)
    complete = len(re.findall(rb"</page>", survived))
    pages = got(items)
    assert 0 < len(pages) <= complete and pages == whole[:len(pages)]
    assert len(pages) >= complete - 2  # at most the non-article pages among the last few


def test_malformed_xml_names_the_place_and_keeps_what_came_before(tmp_path):
    data = bz2.open(GENSIM).read()
    third = [m.end() for m in re.finditer(rb"</page>", data)][2]
    path = tmp_path / "bad.xml"
    path.write_bytes(data[:third] + b"\n  <page><title>x</titel></page>" + data[third:])
    items = list(D.iter_dump(path))
    assert got(items) == reference(data)[:3]
    failure = items[-1]
    assert isinstance(failure, ReadFailure) and failure.source == "bad.xml#error"
    assert re.search(r"malformed XML: mismatched tag: line \d+, column \d+", failure.reason)


def test_pages_without_a_namespace_declaration_read_the_same(tmp_path):
    data = bz2.open(GENSIM).read()
    plain = re.sub(rb'<mediawiki [^>]*>', b"<mediawiki>", data, count=1)
    path = tmp_path / "plain.xml"
    path.write_bytes(plain)
    assert got(D.iter_dump(path)) == got(D.iter_dump(GENSIM))


def test_a_page_without_text_is_a_failure_and_other_namespaces_are_skipped(tmp_path):
    path = tmp_path / "small.xml"
    path.write_text(
        "<mediawiki><page><title>Talk:A</title><ns>1</ns><id>1</id><revision><id>5</id>"
        "<text>x</text></revision></page><page><title>B</title><ns>0</ns><id>2</id>"
        "<revision><id>6</id></revision></page><page><title>C &amp; D</title><ns>0</ns><id>3</id>"
        "<revision><id>7</id><timestamp>2016-04-20T01:32:15Z</timestamp><text>a &lt;ref&gt;</text>"
        "</revision></page></mediawiki>", encoding="utf-8")
    items = list(D.iter_dump(path))
    assert isinstance(items[0], ReadFailure) and items[0].reason == "page without revision text"
    assert (items[1].title, items[1].content, items[1].rev_id) == ("C & D", "a <ref>", 7)
    assert str(items[1].rev_timestamp) == "2016-04-20 01:32:15+00:00"
    assert len(items) == 2
    assert [x.title for x in D.iter_dump(path, namespaces=frozenset({1}))] == ["Talk:A"]


@pytest.mark.parametrize("size", [100, (1 << 16) + 7, (1 << 20) - 3, (1 << 20) + 5, 3 * (1 << 20) + 11])
def test_a_text_longer_than_the_parsers_text_runs_reads_whole(tmp_path, size):
    """The parser hands text over in runs (locked_parser's buffer_size, 1 MiB): a page text
    longer than one run, entities and non-ASCII across the run ends, reads as ElementTree reads
    it, and the max_text cap counts the whole text, not one run."""
    unit = "é&amp;<x>ω&lt;ref&gt;"   # 1 + 5 + 3 + 1 + ... bytes: run ends fall inside characters
    body = (unit * (size // len(unit) + 1))[:size].rsplit("&", 1)[0]
    xml = ("<mediawiki><page><title>T</title><ns>0</ns><id>1</id><revision><id>2</id>"
           "<timestamp>2020-01-01T00:00:00Z</timestamp><text>" + body.replace("<x>", "&#x3c;x&#62;")
           + "</text></revision></page></mediawiki>").encode("utf-8")
    path = tmp_path / "d.xml"
    path.write_bytes(xml)
    text = ET.fromstring(xml).find("page/revision/text").text
    assert got(D.iter_dump(path)) == [("T", 1, 2, text)]
    [capped] = D.iter_dump(path, max_text=len(text) - 1)
    assert isinstance(capped, ReadFailure) and f"page text is {len(text):,} characters" in capped.reason
