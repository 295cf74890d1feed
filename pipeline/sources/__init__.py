"""Raw inputs: files in raw/ (rendered text, wikitext, HTML, XML dumps, ZIM archives), recognised by content."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from pipeline.records import RawInput
from pipeline.sources.dump import is_dump, iter_dump
from pipeline.sources.enterprise import is_enterprise, iter_enterprise
from pipeline.sources.files import ReadFailure, detect_format, list_inputs, read_file, walk
from pipeline.sources.zim import is_zim, iter_zim

__all__ = ["ReadFailure", "detect_format", "is_dump", "is_enterprise", "is_zim", "iter_enterprise", "iter_inputs",
           "iter_dump", "iter_zim", "list_inputs", "read_file", "walk"]


def iter_inputs(raw_dir: Path, max_bytes: int) -> Iterator[RawInput | ReadFailure]:
    """Every input below raw_dir in a stable order; a dump file contributes one input per page,
    a ZIM archive one per article with an infobox, an entry that cannot be read (files.walk)
    one ReadFailure."""
    for path in walk(raw_dir):
        if isinstance(path, ReadFailure):
            yield path
        elif is_dump(path):
            yield from iter_dump(path, source_name=path.relative_to(raw_dir).as_posix(), max_text=max_bytes)
        elif is_zim(path):
            yield from iter_zim(path, max_bytes, source_name=path.relative_to(raw_dir).as_posix())
        elif is_enterprise(path):
            yield from iter_enterprise(path, max_bytes, source_name=path.relative_to(raw_dir).as_posix())
        else:
            yield read_file(path, raw_dir, max_bytes)
