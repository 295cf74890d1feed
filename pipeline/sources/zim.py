"""Kiwix ZIM archives of Wikipedia (`.zim`, openZIM) as a stream of RawInputs, read with libzim.

The archive's entries are walked once, in the archive's own order, with libzim (openZIM's
binding of the C++ library that Kiwix uses). Redirects, metadata and anything that is not
`text/html` are skipped, and so is every article whose HTML does not mention an infobox: only
those need parsing, and they are the inputs of the run (one RawInput per article, fmt `html`,
source `<archive name>#<entry path>`, title the entry's title). Memory stays bounded by one entry
and libzim's cluster cache, which is capped here (CLUSTER_CACHE bytes) whatever the archive's
size.

Bad input is data: a file that is not a ZIM archive, an entry libzim cannot read, one over the
size limit or not UTF-8 becomes a ReadFailure (quarantined at stage `read`) and the walk goes on.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from pipeline.core.untrusted import clean_text, text_sha256
from pipeline.records import RawInput
from pipeline.sources.files import ReadFailure, decode

ZIM_MAGIC = b"ZIM\x04"          # 72173914, little-endian: the first bytes of every ZIM file
CLUSTER_CACHE = 8 << 20          # bytes of decompressed clusters libzim may keep (its default: 16 MB)
DIRENT_CACHE = 4096              # directory entries libzim may keep
INFOBOX_MARK = b"infobox"        # an article whose HTML lacks this has no infobox table


def is_zim(path: Path) -> bool:
    """True when the file starts with the ZIM magic number, whatever its name."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == ZIM_MAGIC
    except OSError:
        return False


@dataclass
class ZimStats:
    """What a walk over an archive saw (for the run's log and the benchmark)."""

    entries: int = 0
    articles: int = 0          # text/html entries that are not redirects
    with_infobox: int = 0      # articles yielded as inputs
    bytes_read: int = 0


def iter_zim(path: Path, max_bytes: int = 20_000_000, source_name: str | None = None,
             stats: ZimStats | None = None) -> Iterator[RawInput | ReadFailure]:
    """Every article of the archive whose HTML carries an infobox, as a RawInput (see the module
    docstring); a ReadFailure for the archive or an entry that cannot be read."""
    from libzim.reader import Archive, set_cluster_cache_max_size

    name = source_name or path.name
    stats = stats if stats is not None else ZimStats()
    try:
        archive = Archive(path)
    except (RuntimeError, OSError, ValueError) as e:
        yield ReadFailure(name, f"not a readable ZIM archive: {e}")
        return
    set_cluster_cache_max_size(CLUSTER_CACHE)
    archive.dirent_cache_max_size = DIRENT_CACHE
    for i in range(archive.entry_count):
        stats.entries += 1
        source = f"{name}#entry={i}"
        try:
            entry = archive._get_entry_by_id(i)  # the binding's one way to walk all entries
            source = f"{name}#{entry.path}"
            if entry.is_redirect:
                continue
            item = entry.get_item()
            if not item.mimetype.startswith("text/html"):
                continue
            stats.articles += 1
            if item.size > max_bytes:
                yield ReadFailure(source, f"entry is {item.size:,} bytes, over the limit of {max_bytes:,}")
                continue
            data = bytes(item.content)
            title = entry.title
        except (RuntimeError, KeyError, OSError) as e:  # a corrupt entry or cluster
            yield ReadFailure(source, f"libzim cannot read this entry: {e}")
            continue
        stats.bytes_read += len(data)
        if INFOBOX_MARK not in data:
            continue
        text, failure = decode(data, source, max_bytes)
        if failure:
            yield failure
            continue
        stats.with_infobox += 1
        yield RawInput(source=clean_text(source), fmt="html", content=clean_text(text), source_format="html",
                       title=clean_text(title) or None, sha256=text_sha256(text))
