"""Wikimedia Enterprise HTML dumps (`<wiki>-NS0-<date>-ENTERPRISE-HTML.json.tar.gz`) as a stream
of RawInputs: rendered pages in bulk, with their page and revision ids.

The archive is a tar.gz of NDJSON files, one article a line, in the Enterprise article model
(https://enterprise.wikimedia.com/docs/data-dictionary/): `name` (the title), `identifier`
(the page id), `version.identifier` (the revision id), `date_modified`, `namespace.identifier`,
`url`, and `article_body.html` (Parsoid HTML; `article_body.wikitext` beside it). It is read
as one stream (`tarfile` in `r|gz` mode, lines read with a size limit): memory stays bounded by
one line, whatever the dump's size. Only namespace 0 is read, and only articles whose HTML
mentions an infobox are inputs (fmt `html`, source `<dump>#<page id>`). A plain `.ndjson` file of
the same records is read the same way.

Bad input is data: a line that is not JSON, not an article or over the size limit, a member or
archive that cannot be read, becomes a ReadFailure and the stream goes on where it can.
"""
from __future__ import annotations

import gzip
import json
import tarfile
from datetime import datetime
from pathlib import Path
from typing import IO, Iterator

from pipeline.core.untrusted import clean_text, int64, text_sha256, utc_instant
from pipeline.records import RawInput
from pipeline.sources.files import ReadFailure

GZIP_MAGIC = b"\x1f\x8b"
INFOBOX_MARK = "infobox"


def _first_line(fh: IO[bytes]) -> bytes:
    return fh.readline(65536)


def is_enterprise(path: Path) -> bool:
    """True for a tar.gz whose first member is NDJSON of Enterprise articles, or such an NDJSON
    file itself, whatever the name."""
    try:
        with open(path, "rb") as fh:
            if fh.read(2) != GZIP_MAGIC:
                fh.seek(0)
                return b'"article_body"' in _first_line(fh)
        with tarfile.open(path, "r|gz") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                f = tar.extractfile(member)
                return f is not None and b'"article_body"' in _first_line(f)
    except (OSError, EOFError, tarfile.TarError, gzip.BadGzipFile):
        return False
    return False


def _time(value) -> datetime | None:
    """An instant with an offset, in UTC and in range (core.untrusted), else None."""
    return utc_instant(value)


def _int(value) -> int | None:
    """An id Arrow's int64 holds (core.untrusted), else None."""
    return int64(value) if isinstance(value, int) else None


def _records(fh: IO[bytes], where: str, max_bytes: int) -> Iterator[RawInput | ReadFailure]:
    line_no = 0
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        line_no += 1
        source = f"{where}#line={line_no}"
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):       # skip the rest of the long line
                line = fh.readline(1 << 20)
            yield ReadFailure(source, f"record over the limit of {max_bytes:,} bytes")
            continue
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            yield ReadFailure(source, f"not a JSON record: {type(e).__name__}: {e}"[:300],
                              excerpt=repr(line[:120]))
            continue
        if not isinstance(rec, dict):
            yield ReadFailure(source, "not a JSON object")
            continue
        ns = rec.get("namespace")
        if isinstance(ns, dict) and ns.get("identifier") not in (0, None):
            continue
        body = rec.get("article_body") if isinstance(rec.get("article_body"), dict) else {}
        html = body.get("html")
        if not isinstance(html, str):
            yield ReadFailure(source, "no article_body.html in the record")
            continue
        if INFOBOX_MARK not in html:
            continue
        page_id = _int(rec.get("identifier"))
        version = rec.get("version") if isinstance(rec.get("version"), dict) else {}
        name = rec.get("name")  # text cleaned where it enters (JSON can spell a lone surrogate)
        yield RawInput(source=f"{where}#{page_id}" if page_id is not None else source, fmt="html",
                       content=clean_text(html), source_format="html",
                       title=clean_text(name) or None if isinstance(name, str) else None,
                       page_id=page_id, rev_id=_int(version.get("identifier")),
                       rev_timestamp=_time(rec.get("date_modified")), sha256=text_sha256(html))


def iter_enterprise(path: Path, max_bytes: int = 20_000_000,
                    source_name: str | None = None) -> Iterator[RawInput | ReadFailure]:
    """Every namespace-0 article with an infobox in the dump (see the module docstring)."""
    name = source_name or path.name
    try:
        with open(path, "rb") as fh:
            gz = fh.read(2) == GZIP_MAGIC
        if not gz:
            with open(path, "rb") as fh:
                yield from _records(fh, name, max_bytes)
            return
        with tarfile.open(path, "r|gz") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                f = tar.extractfile(member)
                if f is not None:
                    yield from _records(f, name, max_bytes)
    except (OSError, EOFError, tarfile.TarError, gzip.BadGzipFile) as e:
        yield ReadFailure(name, f"the Enterprise dump cannot be read further: {type(e).__name__}: {e}")
