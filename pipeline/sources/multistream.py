"""Wikimedia multistream dumps (and zstd re-packs with their index, pipeline.sources.transcode)
read on several cores, in page order, in bounded memory.

A `pages-articles-multistream.xml.bz2` is many bz2 streams end to end: the first holds the
<mediawiki> header and <siteinfo>, each following one holds 100 <page> elements, the last one
the closing tag. Its index (`...-multistream-index.txt.bz2`) has one line per page,
"offset:page_id:title", where offset is the byte offset of the stream that holds the page. A
block is one such stream: it decompresses on its own, so blocks can go to different processes.

iter_multistream() reads the index, hands the blocks to a process pool (2 workers by default),
and yields the pages as RawInputs in dump order, exactly as pipeline.sources.dump.iter_dump
would (same source names, fields and namespace filter). At most `window` blocks are between
being read and being yielded, so memory does not grow with the dump.

Each block's pages are parsed as one small document, <mediawiki> + the block + </mediawiki>,
by the dump reader's locked-down pyexpat parser (pipeline.sources.dump.PageParser): a DTD,
entity declarations and external entities are refused. A block that does not parse (or cannot
be read) becomes one ReadFailure naming its offset, and the pages of the other blocks still
come through. A missing or unreadable index is a ReadFailure too.
"""
from __future__ import annotations

import bz2
import multiprocessing
import re
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterator

import zstandard

from pipeline.isolate import die_with_parent
from pipeline.records import RawInput
from pipeline.sources.dump import _ZSTD_IN, compression, decompress_all
from pipeline.sources.files import ReadFailure

_OPEN, _CLOSE = b"<mediawiki>", b"</mediawiki>"
_SPACE = b" \t\n\r\x0b\x0c"   # what bytes.rstrip() strips


def index_path_for(dump: Path) -> Path:
    """Wikimedia's name for a multistream dump's index: ...-multistream-index.txt.bz2; for a
    zstd re-pack (pipeline.sources.transcode) NAME.xml.zst, NAME-index.txt.zst."""
    name = dump.name
    if name.endswith(".xml.zst"):
        return dump.with_name(name[:-len(".xml.zst")] + "-index.txt.zst")
    stem = name[:-len(".xml.bz2")] if name.endswith(".xml.bz2") else name.rsplit(".", 1)[0]
    return dump.with_name(stem + "-index.txt.bz2")


def iter_index(index: Path) -> Iterator[tuple[int, int | None, str]]:
    """(offset, page_id, title) per line of a (bz2 or plain) index; malformed lines are skipped."""
    with open(index, "rb") as fh:
        kind = compression(fh.read(4))
    opener = bz2.open if kind == "bz2" else zstandard.open if kind == "zstd" else open
    with opener(index, "rt", encoding="utf-8", errors="replace") as fh:
        for line in fh:
            offset, _, rest = line.rstrip("\n").partition(":")
            page_id, _, title = rest.partition(":")
            if not offset.isdigit():
                continue
            yield int(offset), int(page_id) if page_id.isdigit() else None, title


_NAMESPACE = re.compile(rb'<namespace\b[^>]*\bkey="(-?\d+)"[^>]*>([^<]*)</namespace>')


def count_pages(dump: Path, index: Path | None = None,
                namespaces: frozenset[int] = frozenset({0})) -> int | None:
    """How many pages of `namespaces` the dump holds, from its index: every index line whose
    title does not start with the name of another namespace (names from the <siteinfo> in the
    dump's first stream). For a progress bar's total; None when the dump or index cannot be
    read that way."""
    index = Path(index) if index is not None else index_path_for(Path(dump))
    try:
        first = next((offset for offset, _, _ in iter_index(index) if offset > 0), None)
        with open(dump, "rb") as fh:
            head = bz2.BZ2Decompressor().decompress(fh.read(min(first or 1 << 20, 1 << 20)))
        names = {m.group(2).decode("utf-8", "replace").strip().lower(): int(m.group(1))
                 for m in _NAMESPACE.finditer(head)}
        other = {n for n, key in names.items() if n and key not in namespaces}
        total = 0
        for _, _, title in iter_index(index):
            prefix, sep, _ = title.partition(":")
            if not (sep and prefix.strip().lower() in other):
                total += 1
        return total
    except (OSError, EOFError, ValueError):
        return None


def blocks(index: Path, dump_size: int) -> Iterator[tuple[int, int, int]]:
    """(offset, length, pages) of each stream that holds pages, in file order. The last block
    runs to the end of the file (the footer stream is cut off after decompression)."""
    current, count = None, 0
    for offset, _, _ in iter_index(index):
        if offset != current:
            if current is not None:
                yield current, offset - current, count
            current, count = offset, 0
        count += 1
    if current is not None:
        yield current, dump_size - current, count


def read_block(path: str, offset: int, length: int, dump_name: str,
               namespaces: frozenset[int] = frozenset({0}),
               keep: Callable[[str], bool] | None = None,
               expected: int | None = None) -> list[RawInput | ReadFailure]:
    """The pages of one block (worker side). keep, if given, drops pages whose text it rejects
    before they are sent back to the parent (a cheap prefilter saves the copying). expected, if
    given, is how many pages the index lists at this offset: a block that holds another number
    (index lines missing, a dump cut short) adds a ReadFailure saying so after its pages."""
    from xml.parsers.expat import ExpatError

    from defusedxml import DefusedXmlException

    from pipeline.sources.dump import PageParser, _why

    where = f"{dump_name}#offset={offset}"
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = decompress_all(fh.read(length))
        # The document parsed is _OPEN + data.rstrip() (less the footer) + _CLOSE, fed in three
        # pieces: the block (megabytes) is neither stripped nor joined by copying it.
        end = len(data)
        while end and data[end - 1] in _SPACE:
            end -= 1
        if data.endswith(_CLOSE, 0, end):  # the last block carries the footer stream
            end -= len(_CLOSE)
        reader = PageParser(dump_name, namespaces, nested=False)
        try:
            reader.parse(_OPEN)
            reader.parse(memoryview(data)[:end])
            reader.parse(_CLOSE, True)
        finally:
            reader.close()
    except (DefusedXmlException, ExpatError) as e:
        return [ReadFailure(where, f"dump block skipped: {_why(e)}")]
    except (OSError, EOFError, ValueError) as e:
        return [ReadFailure(where, f"dump block skipped: cannot read it: {e}")]
    pages = reader.pages if keep is None else [
        item for item in reader.pages if not isinstance(item, RawInput) or keep(item.content)]
    if expected is not None and reader.pages_seen != expected:
        pages.append(ReadFailure(f"{where}#count", f"the index lists {expected} pages at this offset, "
                                                   f"the dump holds {reader.pages_seen} there"))
    return pages


def iter_multistream(path: Path, index: Path | None = None, *, workers: int = 2,
                     source_name: str | None = None,
                     namespaces: frozenset[int] = frozenset({0}),
                     keep: Callable[[str], bool] | None = None,
                     window: int | None = None) -> Iterator[RawInput | ReadFailure]:
    """Every article page of a multistream dump, in order, read by `workers` processes.

    index defaults to Wikimedia's name beside the dump (index_path_for). workers 0 or 1 reads
    in this process. keep (a picklable, top-level function of the page text) drops pages in the
    workers. window bounds the blocks in flight (default 4 per worker)."""
    path = Path(path)
    name = source_name or path.name
    index = Path(index) if index is not None else index_path_for(path)
    failures: list[ReadFailure] = []
    try:
        size = path.stat().st_size
        index.stat()
    except OSError as e:
        yield ReadFailure(f"{name}#index", f"cannot read the multistream dump or its index: {e}")
        return
    todo = _checked(_guarded(blocks(index, size), failures, name, index), path, failures, name)
    if workers <= 1:
        for offset, length, count in todo:
            yield from read_block(str(path), offset, length, name, namespaces, keep, count)
    else:
        ctx = multiprocessing.get_context("spawn")  # never fork a parent that may hold threads
        # Workers die with this process (a killed run leaves no readers, and then the resource
        # tracker, whose pipe they hold, ends too).
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=die_with_parent) as pool:
            def submit() -> bool:
                for offset, length, count in todo:
                    pending.append(pool.submit(read_block, str(path), offset, length, name,
                                               namespaces, keep, count))
                    return True
                return False

            pending: deque[Future] = deque()
            while len(pending) < (window or 4 * workers) and submit():
                pass
            while pending:
                items = pending.popleft().result()
                submit()
                yield from items
    yield from failures


def read_blocks(path: str, todo: list[tuple[int, int, int]], dump_name: str,
                namespaces: frozenset[int] = frozenset({0})) -> list[RawInput | ReadFailure]:
    """The pages of consecutive blocks (offset, length, pages listed), read where this runs."""
    return [item for offset, length, count in todo
            for item in read_block(path, offset, length, dump_name, namespaces, None, count)]


def _given(items: list) -> list:
    return items


class MultistreamDump:
    """A multistream dump (bz2, or a zstd re-pack) with its index, as the run reads it.

    Iterating it is iter_multistream (the driver reads the blocks on `workers` processes). A
    distributed engine can instead take partitions(): picklable calls, in dump order, each
    reading its own byte ranges where it runs, so the pages never pass through the driver.
    Both give the same items in the same order, the index's failures last."""

    def __init__(self, path: Path, index: Path | None = None, *, workers: int = 2,
                 source_name: str | None = None, namespaces: frozenset[int] = frozenset({0}),
                 window: int | None = None):
        self.path = Path(path)
        self.index = Path(index) if index is not None else index_path_for(self.path)
        self.workers, self.window, self.namespaces = workers, window, namespaces
        self.name = source_name or self.path.name

    def __iter__(self) -> Iterator[RawInput | ReadFailure]:
        return iter_multistream(self.path, self.index, workers=self.workers, source_name=self.name,
                                namespaces=self.namespaces, window=self.window)

    def partitions(self, blocks_per_partition: int = 4) -> Iterator[Callable[[], list]]:
        """Zero-argument picklable calls returning the items of `blocks_per_partition`
        consecutive blocks (functools.partial of read_blocks), then one returning the failures
        found in the index (a call returning [] when there are none)."""
        from functools import partial

        failures: list[ReadFailure] = []
        try:
            size = self.path.stat().st_size
            self.index.stat()
        except OSError as e:
            yield partial(_given, [ReadFailure(f"{self.name}#index",
                                               f"cannot read the multistream dump or its index: {e}")])
            return
        todo = _checked(_guarded(blocks(self.index, size), failures, self.name, self.index),
                        self.path, failures, self.name)
        group: list[tuple[int, int, int]] = []
        for block in todo:
            group.append(block)
            if len(group) == blocks_per_partition:
                yield partial(read_blocks, str(self.path), group, self.name, self.namespaces)
                group = []
        if group:
            yield partial(read_blocks, str(self.path), group, self.name, self.namespaces)
        yield partial(_given, failures)


def _header_end(path: Path) -> int | None:
    """Where the first bz2 stream or zstd frame (the <mediawiki> header and <siteinfo>) ends, or None."""
    read = 0
    try:
        with open(path, "rb") as fh:
            kind = compression(fh.read(4))
            fh.seek(0)
            if kind == "zstd":
                dec, step = zstandard.ZstdDecompressor().decompressobj(), _ZSTD_IN
            else:
                dec, step = bz2.BZ2Decompressor(), 1 << 16
            while not dec.eof:
                data = fh.read(step)
                if not data:
                    return None
                read += len(data)
                if kind == "zstd":
                    dec.decompress(data)
                else:
                    dec.decompress(data, 1 << 20)
                if read > 64 << 20:  # a header is a few KB: this is not one
                    return None
    except (OSError, EOFError, ValueError, zstandard.ZstdError):
        return None
    return read - len(dec.unused_data)


def _checked(todo, path: Path, failures: list, name: str):
    """The blocks, with a ReadFailure noted when the index lists none, or when its first block
    does not start where the header stream ends (index lines missing for the blocks before it:
    their pages would vanish unread)."""
    first = True
    for offset, length, count in todo:
        if first:
            first = False
            start = _header_end(path)
            if start is not None and offset != start:
                failures.append(ReadFailure(f"{name}#index", f"the index starts at byte {offset:,}, the "
                                                             f"first block at {start:,}: pages before it unread"))
        yield offset, length, count
    if first:
        failures.append(ReadFailure(f"{name}#index", "the multistream index lists no pages"))


def _guarded(it, failures: list, name: str, index: Path):
    """The blocks, ending (with a ReadFailure noted) where the index cannot be read further."""
    try:
        yield from it
    except (OSError, EOFError, ValueError) as e:
        failures.append(ReadFailure(f"{name}#index", f"multistream index {index} unreadable: {e}"))
