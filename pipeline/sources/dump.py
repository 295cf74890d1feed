"""MediaWiki XML dumps (pages-articles, `.xml`, `.xml.bz2`, `.xml.zst`, `.xml.gz`) as a stream of RawInputs.

The compression is recognised by content (magic bytes), not by name. bz2 is decompressed by
indexed_bzip2 on several threads (it finds the block boundaries itself, so single-stream and
multistream files alike), with the standard library's bz2 as the fallback where the package is
absent or gives up on a damaged file; zstd (any number of frames, e.g. `infobox-etl transcode`'s
output) by zstandard; gzip (any number of members) by the standard library.

The file is decompressed and parsed a chunk (1 MiB) at a time by pyexpat, the stdlib binding
of libexpat, with a few handlers that keep only the text of the elements a page needs (title,
ns, id, redirect, the revision's id, timestamp and text): memory stays bounded by about one
chunk and one page however large the dump, and no element tree is built. The parser is locked
down as defusedxml's forbid_dtd/forbid_entities/forbid_external are: a DTD, entity
declarations and external entities are refused (billion-laughs and XXE payloads stop the read
with a clear message), parameter entities are never parsed, undefined entities are errors.
Only the article namespace (0) is yielded; other namespaces are skipped. A dump that is not
well-formed yields what was read before the fault, then a ReadFailure naming the position.
"""
from __future__ import annotations

import bz2
import gzip
import io
import os
import re
from datetime import datetime
from pathlib import Path
from typing import IO, Iterator
from xml.parsers import expat

import zstandard
from defusedxml.common import (DefusedXmlException, DTDForbidden, EntitiesForbidden,
                               ExternalReferenceForbidden)

from pipeline.core.untrusted import clean_and_hash, clean_text, int64, utc_instant
from pipeline.records import RawInput
from pipeline.sources.files import ReadFailure

try:  # parallel bz2; the standard library reads the same bytes on one core where it is missing
    import indexed_bzip2
except ImportError:  # pragma: no cover - the package is a pinned dependency
    indexed_bzip2 = None

BZ2_MAGIC = b"BZh"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_IN = 1 << 13       # compressed bytes per zstd call: bounds one call's output (a zstd bomb
                         # expands at most ~32,000-fold, so 256 MB; a real dump's ~5-fold, 40 KB)
CHUNK = 1 << 20          # decompressed bytes handed to the parser per call
_RAW = 1 << 18           # compressed bytes read from the file per call
HEAD = 1 << 16           # bytes looked at to recognise an export
MAX_TEXT = 20_000_000    # characters of one page's text (as Config.max_input_bytes for files)
# What may come before the root element of an export: a BOM, an XML declaration, comments (a
# licence notice can be long), processing instructions, a DOCTYPE (refused later by the reader,
# with its reason), whitespace.
# Every piece is read one way only (possessive), so a prolog of 64 KB of spaces, dashes or "?"
# is scanned once: "(\s+)*" would try every way of splitting a run of spaces (exponential).
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?(?:\s++|<\?(?:[^?>]++|\?(?!>))*+\?>|<!--(?:[^-]++|-(?!->))*+-->"
                     rb"|<!DOCTYPE(?:[^\[>]++|\[[^\]]*+\])*+>)*+<mediawiki[\s>/]")


def is_dump(path: Path) -> bool:
    """True when the file's content is a MediaWiki XML export (plain or bz2), whatever its name:
    its root element is <mediawiki>, after at most HEAD bytes of prolog (declaration, comments)."""
    try:
        with open(path, "rb") as fh:
            head = b""
            chunks = _chunks(fh, HEAD, threads=0)
            try:
                for piece in chunks:
                    head += piece
                    if len(head) >= HEAD:
                        break
            finally:
                chunks.close()
    except (OSError, EOFError, ValueError):
        return False
    return _PROLOG.match(head[:HEAD]) is not None


def compression(head: bytes) -> str | None:
    """"bz2", "zstd" or "gzip" from a file's first bytes, None for anything else (plain XML)."""
    if head.startswith(BZ2_MAGIC):
        return "bz2"
    if head.startswith(ZSTD_MAGIC) or (len(head) >= 4 and head[1:4] == b"\x2a\x4d\x18"
                                       and 0x50 <= head[0] <= 0x5F):  # a skippable frame first
        return "zstd"
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    return None


def default_threads() -> int:
    """Decompression threads for a bz2 dump: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _chunks(fh: IO[bytes], size: int = CHUNK, threads: int | None = None) -> Iterator[bytes]:
    """The content of an open dump file, decompressed if it is bz2, zstd or gzip, in pieces of at
    most `size` bytes. A compressed file is read as its format's own tool reads it: streams,
    frames or members written end to end one after the other; one cut short raises EOFError
    once everything before the cut is out, a damaged one ValueError (or OSError).
    threads: bz2 decompression threads (None: default_threads(); 0: the standard library)."""
    kind = compression(fh.read(4))
    fh.seek(0)
    if kind == "bz2":
        yield from _bz2_chunks(fh, size, default_threads() if threads is None else threads)
    elif kind == "zstd":
        yield from _zstd_chunks(fh, size)
    elif kind == "gzip":
        with gzip.GzipFile(fileobj=fh, mode="rb") as gz:
            while block := gz.read(size):
                yield block
    else:
        while block := fh.read(size):
            yield block


def _bz2_chunks(fh: IO[bytes], size: int, threads: int) -> Iterator[bytes]:
    """bz2 by indexed_bzip2 on `threads` threads; where it fails (a damaged or truncated file),
    the standard library reads the file again from the start and goes on from the byte where
    indexed_bzip2 stopped, so what comes out, and where it ends, is exactly the stdlib's."""
    done = 0
    if indexed_bzip2 is not None and threads > 0:
        try:
            fd = os.dup(fh.fileno())
        except (OSError, AttributeError, ValueError):
            fd = None
        if fd is not None:
            reader = None
            try:
                reader = indexed_bzip2.open(fd, parallelization=threads)
                while block := reader.read(size):
                    done += len(block)
                    yield block
                return
            except (RuntimeError, OSError, ValueError, EOFError):
                pass  # the standard library says where and why, below
            finally:
                if reader is not None:
                    reader.close()
                os.close(fd)  # the reader does not own it: closing the reader leaves it open
            fh.seek(0)
    for block in _bz2_stdlib(fh, size):
        if done:
            if len(block) <= done:
                done -= len(block)
                continue
            block, done = block[done:], 0
        yield block


def _bz2_stdlib(fh: IO[bytes], size: int) -> Iterator[bytes]:
    """Reads as bz2.open().read() does, without its buffering layers: bz2 streams written end
    to end are read one after the other, bytes after the last stream that are not one are
    ignored, and a stream cut short raises EOFError once everything before the cut is out."""
    read, new = fh.read, bz2.BZ2Decompressor
    dec = new()
    while True:
        if dec.eof:  # the end of one stream: another one may follow
            data = dec.unused_data or read(_RAW)
            if not data:
                return
            dec = new()
            try:
                out = dec.decompress(data, size)
            except OSError:
                return  # trailing bytes that are not a bz2 stream, ignored as BZ2File does
        elif dec.needs_input:
            data = read(_RAW)
            if not data:
                raise EOFError("Compressed file ended before the end-of-stream marker was reached")
            out = dec.decompress(data, size)
        else:  # output held back by the size limit
            out = dec.decompress(b"", size)
        if out:
            yield out


def _zstd_chunks(fh: IO[bytes], size: int) -> Iterator[bytes]:
    """zstd frames end to end (skippable frames skipped), fed _ZSTD_IN bytes at a time so that
    one call's output stays bounded; a frame cut short raises EOFError, a damaged one (or bytes
    after the last frame that are not one) ValueError."""
    dctx = zstandard.ZstdDecompressor()
    dec = dctx.decompressobj()
    pending = b""   # compressed bytes read, not yet given to the decompressor
    started = False  # the current frame has been given bytes
    while True:
        if dec.eof:  # a frame ended: what came after it starts the next one
            pending = dec.unused_data + pending
            dec, started = dctx.decompressobj(), False
        if not pending:
            pending = fh.read(_RAW)
            if not pending:
                if started:
                    raise EOFError("Compressed file ended before the end of a zstd frame was reached")
                return
        piece, pending = pending[:_ZSTD_IN], pending[_ZSTD_IN:]
        try:
            out = dec.decompress(piece)
        except zstandard.ZstdError as e:
            raise ValueError(f"zstd: {e}") from None
        started = True
        for i in range(0, len(out), size):
            yield out[i:i + size]


def decompress_all(data: bytes) -> bytes:
    """A whole (small) compressed block, bz2 or zstd (every stream or frame in it), or the bytes
    as they are. A damaged or cut block raises ValueError, OSError or EOFError."""
    kind = compression(data[:4])
    if kind == "bz2":
        return _bz2_block(data)
    if kind == "zstd":
        return b"".join(_zstd_chunks(io.BytesIO(data), CHUNK))
    return data


def _bz2_block(data: bytes) -> bytes:
    """bz2.decompress(data), by indexed_bzip2 on one thread where it can (a multistream block in
    a worker: about 0.83x the CPU time); a block it cannot read (damaged, cut short) is read by
    the standard library, so what comes out, or the error raised, is the stdlib's.

    indexed_bzip2 reads the block from an anonymous in-memory file (memfd), not from a Python
    file object: given one (io.BytesIO), indexed_bzip2 1.7 keeps a reference to it after
    close(), so every block a worker read stayed in its memory (+0.75 MB a block measured).
    Where memfd_create is missing (not Linux) the standard library reads the block."""
    fd = _memfd(data) if indexed_bzip2 is not None else None
    if fd is not None:
        reader = None
        try:
            reader = indexed_bzip2.open(fd, parallelization=1)
            return reader.read()
        except (RuntimeError, OSError, ValueError, EOFError):
            pass  # the standard library says why, below
        finally:
            if reader is not None:
                reader.close()
            os.close(fd)
    return bz2.decompress(data)


def _memfd(data: bytes) -> int | None:
    """A file descriptor of an anonymous in-memory file holding data, at its start; None where
    the system has none to give."""
    try:
        fd = os.memfd_create("infobox-etl-block", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError:
        os.close(fd)
        return None
    return fd


def _timestamp(text: str | None) -> datetime | None:
    """A revision's instant in UTC (MediaWiki writes UTC), None when out of range or unreadable."""
    return utc_instant(text, assume_utc=True)


def _int(text: str | None) -> int | None:
    """An id Arrow's int64 holds, else None (pipeline.core.untrusted.int64)."""
    return int64(text)


def _forbid_dtd(name, sysid, pubid, has_internal_subset):
    raise DTDForbidden(name, sysid, pubid)


def _forbid_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _forbid_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _forbid_external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def locked_parser():
    """A pyexpat parser locked down as defusedxml's forbid_dtd/forbid_entities/forbid_external
    are (a DTD, entity declarations and external entities raise), tags as "namespace}local",
    text handed over in runs of up to 1 MiB (a page's text mostly in one piece: no join)."""
    p = expat.ParserCreate(namespace_separator="}")
    p.StartDoctypeDeclHandler = _forbid_dtd
    p.EntityDeclHandler = _forbid_entity
    p.UnparsedEntityDeclHandler = _forbid_unparsed_entity
    p.ExternalEntityRefHandler = _forbid_external
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True  # one call per run of text, not one per line or entity
    p.buffer_size = 1 << 20
    return p


_MISSING = object()  # a field whose element has not been seen (None: seen, without text)


class _Page:
    """The fields of one <page> being read."""
    __slots__ = ("depth", "title", "ns", "id", "redirect", "rev_id", "timestamp", "text",
                 "rev_id_at", "timestamp_at", "text_at", "oversize")

    def __init__(self, depth: int):
        self.depth = depth
        self.title = self.ns = self.id = _MISSING
        self.redirect = self.rev_id = self.timestamp = self.text = None
        # The revision fields come from the revision that starts last (its start number),
        # and within it from the last such child, as a walk of the page's tree would find them.
        self.rev_id_at = self.timestamp_at = self.text_at = -1
        self.oversize = 0     # characters of a revision text over max_text (not kept)


class PageParser:
    """pyexpat, locked down, with handlers that turn the <page> elements of a MediaWiki export
    into RawInputs (or ReadFailures for pages without revision text), appended to `pages` as
    each </page> is read; the caller feeds the bytes (parse) and drains `pages` between feeds.

    A page's title, ns and id are the first such elements in it (the page id comes before the
    revision's), the revision's id, timestamp and text its direct children, exactly as a walk of
    the page's element tree finds them. Tags are matched on their local name, namespaced or not.

    nested=True (a streamed dump) reads every <page> element, at any depth, as a page of its
    own (a page inside another one is not part of it); nested=False (a multistream block: one
    small document) reads only the root's <page> children, a <page> inside one being just part
    of it."""

    def __init__(self, dump_name: str, namespaces: frozenset[int] = frozenset({0}),
                 nested: bool = True, max_text: int = MAX_TEXT, clean_content: bool = True):
        self.dump_name, self.namespaces, self.nested = dump_name, namespaces, nested
        self.max_text, self.clean_content = max_text, clean_content
        self._size = 0                        # characters captured for the current element
        self.pages: list[RawInput | ReadFailure] = []
        self.pages_seen = 0                   # <page> elements closed, of every namespace
        self._tags: list[str] = []            # local names of the open elements
        self._open: list[_Page] = []          # the open pages, innermost last
        self._revisions: list[int] = []       # start numbers of the open <revision> elements
        self._seen = 0                        # elements started so far
        self._buf: list[str] | None = None    # text of the element being captured
        self._into: list[tuple] = []          # where that text goes
        p = locked_parser()
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        self.parser = p  # CharacterDataHandler is set only while a wanted element is open

    def parse(self, data: bytes, final: bool = False) -> None:
        """Feed bytes; raises ExpatError or a defusedxml exception where the XML is refused."""
        self.parser.Parse(data, final)

    def close(self) -> None:
        """Let go of the parser (its handlers hold this reader: a cycle the GC would free late)."""
        self.parser = None

    def _capture(self, data: str) -> None:
        """Text of a wanted element, kept up to max_text characters: a page's text over the cap is
        counted, not held (the cap applies while reading, not after)."""
        self._size += len(data)
        if self._size <= self.max_text:
            self._buf.append(data)
        elif self._buf:
            self._buf.clear()

    def _stop(self) -> None:
        """The captured element's text (before any child element, as Element.text) is known."""
        buf, self._buf = self._buf, None
        self.parser.CharacterDataHandler = None
        over = self._size if self._size > self.max_text else 0
        text = "".join(buf) if buf else None
        for page, field, at in self._into:
            if over and field == "text" and at >= page.text_at:
                page.oversize = over
            elif field == "text" and at >= page.text_at:
                page.oversize = 0
            if at < 0:
                setattr(page, field, text)
            elif at >= getattr(page, field + "_at"):
                setattr(page, field, text if field != "text" else text or "")
                setattr(page, field + "_at", at)
        self._into = []

    def _start(self, name: str, attrs: dict) -> None:
        if self._buf is not None:
            self._stop()
        tag = name.rpartition("}")[2]
        tags = self._tags
        depth = len(tags)
        parent = tags[-1] if tags else None
        tags.append(tag)
        self._seen += 1
        if tag == "page" and (self.nested or depth == 1):
            self._open.append(_Page(depth))
            return
        if tag == "revision":
            self._revisions.append(self._seen)
        if not self._open:
            return
        page = self._open[-1]
        into = []
        if tag == "title" or tag == "ns" or tag == "id":
            if getattr(page, tag) is _MISSING:
                setattr(page, tag, None)
                into.append((page, tag, -1))
        elif tag == "redirect":
            page.redirect = attrs.get("title")
        if parent == "revision" and (tag == "id" or tag == "timestamp" or tag == "text"):
            into.append((page, "rev_id" if tag == "id" else tag, self._revisions[-1]))
        if into:
            self._buf, self._into, self._size = [], into, 0
            self.parser.CharacterDataHandler = self._capture

    def _end(self, name: str) -> None:
        if self._buf is not None:
            self._stop()
        tags = self._tags
        tag = tags.pop()
        depth = len(tags)
        if tag == "revision":
            self._revisions.pop()
        if tag == "page" and self._open and self._open[-1].depth == depth:
            self.pages_seen += 1
            item = self._page(self._open.pop())
            if item is not None:
                self.pages.append(item)

    def _page(self, f: _Page) -> RawInput | ReadFailure | None:
        title = None if f.title is _MISSING else f.title
        ns = _int(None if f.ns is _MISSING else f.ns)
        if ns is not None and ns not in self.namespaces:
            return None
        page_id = _int(None if f.id is _MISSING else f.id)
        source = f"{self.dump_name}#page={page_id if page_id is not None else title}"
        title = clean_text(title) if title is not None else None
        source = clean_text(source)
        if f.oversize:
            return ReadFailure(source, f"page text is {f.oversize:,} characters, over the limit of "
                                       f"{self.max_text:,}", excerpt=title or "")
        text = f.text
        if text is None:
            return ReadFailure(source, "page without revision text", excerpt=title or "")
        redirect = f.redirect
        if redirect and not text.lstrip().lower().startswith("#"):
            text = f"#REDIRECT [[{clean_text(redirect)}]]\n" + text
        if not self.clean_content:  # cleaned and hashed where it is processed (RawInput.cleaned)
            return RawInput(source=source, fmt="wikitext", content=text, source_format="dump",
                            title=title, page_id=page_id, rev_id=_int(f.rev_id),
                            rev_timestamp=_timestamp(f.timestamp), cleaned=False)
        content, sha = clean_and_hash(text)
        return RawInput(source=source, fmt="wikitext", content=content, source_format="dump",
                        title=title, page_id=page_id, rev_id=_int(f.rev_id),
                        rev_timestamp=_timestamp(f.timestamp), sha256=sha)


def _why(e: Exception) -> str:
    """How a refused read is named: the defusedxml refusal, or expat's error and position."""
    return f"{type(e).__name__ if isinstance(e, DefusedXmlException) else 'malformed XML'}: {e}"


def iter_dump(path: Path, source_name: str | None = None,
              namespaces: frozenset[int] = frozenset({0}),
              max_text: int = MAX_TEXT, threads: int | None = None,
              clean_content: bool = True) -> Iterator[RawInput | ReadFailure]:
    """Every article page of the dump, one at a time; a page whose text is over max_text
    characters is a ReadFailure (its text is never held whole). threads: bz2 decompression
    threads (default: the cores available; 0: the standard library on this thread).
    clean_content=False leaves the page text as read (RawInput.cleaned False) for the worker
    that processes it to clean and hash: the reading process (a run's driver) does less."""
    name = source_name or path.name
    try:
        fh = open(path, "rb")
    except OSError as e:
        yield ReadFailure(name, f"cannot open dump: {e.strerror or e}")
        return
    with fh:
        reader = PageParser(name, namespaces, max_text=max_text, clean_content=clean_content)
        pages = reader.pages
        chunks = _chunks(fh, threads=threads)
        try:
            for chunk in chunks:
                reader.parse(chunk)
                if pages:
                    yield from pages
                    pages.clear()
            reader.parse(b"", True)
        except (DefusedXmlException, expat.ExpatError, EOFError, OSError, ValueError) as e:
            yield from pages  # the pages read before the fault
            yield ReadFailure(f"{name}#error", f"dump read stopped: {_why(e)}")
            return
        finally:
            chunks.close()
            reader.close()
        yield from pages
