"""MediaWiki XML dumps (pages-articles, `.xml` or `.xml.bz2`) as a stream of RawInputs.

The file is parsed incrementally with defusedxml's iterparse: a DTD, entity declarations and
external entities are refused (billion-laughs and XXE payloads stop the read with a clear
message), and each <page> element is cleared once read, so memory stays bounded by one page
however large the dump. Only the article namespace (0) is yielded; other namespaces are
skipped. A dump that is not well-formed yields what was read before the fault, then a
ReadFailure naming the position.
"""
from __future__ import annotations

import bz2
from datetime import datetime
from pathlib import Path
from typing import IO, Iterator

from pipeline.records import RawInput
from pipeline.sources.files import ReadFailure

BZ2_MAGIC = b"BZh"


def is_dump(path: Path) -> bool:
    """True when the file's content is a MediaWiki XML export (plain or bz2), whatever its name."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head.startswith(BZ2_MAGIC):
            with bz2.open(path, "rb") as fh:
                head = fh.read(2048)
        else:
            with open(path, "rb") as fh:
                head = fh.read(2048)
    except (OSError, EOFError, ValueError):
        return False
    return b"<mediawiki" in head


def _open(path: Path) -> IO[bytes]:
    with open(path, "rb") as fh:
        magic = fh.read(3)
    return bz2.open(path, "rb") if magic == BZ2_MAGIC else open(path, "rb")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _timestamp(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def iter_dump(path: Path, source_name: str | None = None,
              namespaces: frozenset[int] = frozenset({0})) -> Iterator[RawInput | ReadFailure]:
    """Every article page of the dump, one at a time."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse
    from xml.etree.ElementTree import ParseError

    name = source_name or path.name
    try:
        stream = _open(path)
    except OSError as e:
        yield ReadFailure(name, f"cannot open dump: {e.strerror or e}")
        return
    with stream:
        events = iterparse(stream, events=("start", "end"), forbid_dtd=True,
                           forbid_entities=True, forbid_external=True)
        root = None
        try:
            for event, elem in events:
                if root is None and event == "start":
                    root = elem
                if event != "end" or _local(elem.tag) != "page":
                    continue
                item = _page(elem, name, namespaces)
                elem.clear()
                if root is not None:
                    root.clear()  # drop references to finished pages: bounded memory
                if item is not None:
                    yield item
        except (DefusedXmlException, ParseError, EOFError, OSError, ValueError) as e:
            why = type(e).__name__ if isinstance(e, DefusedXmlException) else "malformed XML"
            yield ReadFailure(f"{name}#error", f"dump read stopped: {why}: {e}")


def _page(elem, dump_name: str, namespaces) -> RawInput | ReadFailure | None:
    fields: dict[str, str | None] = {}
    text = None
    redirect = None
    for child in elem.iter():
        tag = _local(child.tag)
        if tag in ("title", "ns") and tag not in fields:
            fields[tag] = child.text
        elif tag == "id" and "id" not in fields:
            fields["id"] = child.text  # the page id comes before the revision's
        elif tag == "revision":
            for r in child:
                rt = _local(r.tag)
                if rt == "id":
                    fields["rev_id"] = r.text
                elif rt == "timestamp":
                    fields["timestamp"] = r.text
                elif rt == "text":
                    text = r.text or ""
        elif tag == "redirect":
            redirect = child.get("title")
    ns = _int(fields.get("ns"))
    if ns is not None and ns not in namespaces:
        return None
    page_id = _int(fields.get("id"))
    source = f"{dump_name}#page={page_id if page_id is not None else fields.get('title')}"
    if text is None:
        return ReadFailure(source, "page without revision text", excerpt=fields.get("title") or "")
    if redirect and not text.lstrip().lower().startswith("#"):
        text = f"#REDIRECT [[{redirect}]]\n" + text
    return RawInput(source=source, fmt="wikitext", content=text, source_format="dump",
                    title=fields.get("title"), page_id=page_id, rev_id=_int(fields.get("rev_id")),
                    rev_timestamp=_timestamp(fields.get("timestamp")))
