"""Inputs from a raw/ folder: every file is one input, its format recognised by content.

Formats: `text` (rendered plain text, "- Key: Value" infobox lines) and `wikitext`. Files named
README* / ATTRIBUTION* / LICENSE* / NOTICE* (documentation, unless a `.meta.json` sidecar says
they are fetched pages), sidecars and hidden files are not inputs. Every other entry below raw/
is accounted for: bad input (empty, binary, not UTF-8, too large, unrecognisable) and entries
that cannot be read as a file (a FIFO, a broken link, a link out of raw/, a folder that cannot be
listed, a name that is not UTF-8) are not exceptions: each is yielded as a ReadFailure, which
the orchestrator quarantines at stage `read`. Text and sidecar values are cleaned once here
(pipeline.core.untrusted).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from pipeline.core.untrusted import clean_text, int64, text_sha256, utc_instant
from pipeline.extract.html import looks_html
from pipeline.extract.text import looks_rendered
from pipeline.extract.text_table import looks_tabular
from pipeline.records import RawInput

_DOC_NAMES = re.compile(r"^(readme|attribution|license|notice)([._-].*)?$", re.IGNORECASE)
_WIKI_MARKERS = re.compile(r"\{\{|\[\[|'''|<ref|^#redirect|^==.*==\s*$", re.IGNORECASE | re.MULTILINE)
_MAX_META = 1 << 20   # a sidecar is a few hundred bytes; more is not one


@dataclass(frozen=True)
class ReadFailure:
    """An input that could not be read as an article, with the reason a person can act on."""

    source: str
    reason: str
    excerpt: str = ""
    sha256: str | None = None


META_SUFFIX = ".meta.json"


def is_input_file(path: Path) -> bool:
    """A regular file that is an input: not hidden, not a sidecar, not documentation. A file with
    a sidecar is a fetched page, whatever its title ("Readme", "License to Launch")."""
    return (path.is_file() and _is_input_name(path.name)
            and (not _DOC_NAMES.match(path.name) or _has_sidecar(os.fspath(path))))


def _is_input_name(name: str) -> bool:
    return not name.startswith(".") and not name.endswith(META_SUFFIX)


def _has_sidecar(path: str) -> bool:
    return os.path.isfile(path + META_SUFFIX)


def read_meta(path: Path) -> dict:
    """Revision metadata stored beside a fetched page (`<file>.meta.json`), or {}.
    A broken (or oversized) sidecar is ignored: the page is still read, without revision metadata."""
    meta = path.with_name(path.name + META_SUFFIX)
    if not meta.is_file():
        return {}
    try:
        with open(meta, "rb") as fh:
            data = json.loads(fh.read(_MAX_META + 1)[:_MAX_META].decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _printable(name: str) -> str:
    """A file name as the tables can hold it: bytes that are not UTF-8 shown as \\xNN."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _utf8_name(name: str) -> bool:
    try:
        os.fsencode(name).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return kind
    return "not a regular file"


def walk(raw_dir: Path) -> list[Path | ReadFailure]:
    """Every entry below raw_dir, in a stable order (by path relative to raw_dir): a Path for each
    input file, a ReadFailure for each entry that cannot be read as one, with the reason.

    Hidden entries, sidecars and documentation are not inputs and are left out (see the module).
    Everything else is accounted for: a folder that cannot be listed, a name that is not UTF-8, a
    FIFO, socket or device, a broken symbolic link, a link to a folder, and a link that leads out
    of raw_dir (never followed) each give a ReadFailure; a link to a file inside raw_dir is read.
    The walk keeps its own stack: folders nested thousands deep cost no recursion."""
    root = os.path.realpath(raw_dir)
    found: list[tuple[str, Path | ReadFailure]] = []
    stack: list[tuple[str, str]] = [(os.fspath(raw_dir), "")]
    while stack:
        folder, rel = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError as e:
            where = rel or "."
            found.append((where, ReadFailure(where, f"cannot list folder: {e.strerror or e}")))
            continue
        for entry in entries:
            if not _is_input_name(entry.name):
                continue
            source = f"{rel}/{_printable(entry.name)}" if rel else _printable(entry.name)
            item = _entry(entry, source, root)
            if item == "folder":
                stack.append((entry.path, source))
            elif item is not None:
                found.append((source, item))
    found.sort(key=lambda pair: pair[0])
    return [item for _, item in found]


def _entry(entry: os.DirEntry, source: str, root: str) -> Path | ReadFailure | str | None:
    """One directory entry: an input Path, a ReadFailure, "folder", or None (not an input)."""
    if not _utf8_name(entry.name):
        return ReadFailure(source, "name is not valid UTF-8; not read (rename it)")
    try:
        if entry.is_symlink():
            target = os.path.realpath(entry.path)
            if os.path.commonpath([root, target]) != root:
                return ReadFailure(source, "symbolic link to outside the input folder, not followed")
            if not os.path.exists(target):
                return ReadFailure(source, "broken symbolic link (its target does not exist)")
            if os.path.isdir(target):
                return ReadFailure(source, "symbolic link to a folder, not followed "
                                           "(the folder's own files are read where they are)")
            mode = os.stat(target).st_mode
        elif entry.is_dir(follow_symlinks=False):
            return "folder"
        else:
            mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as e:
        return ReadFailure(source, f"cannot inspect: {e.strerror or e}")
    if not stat.S_ISREG(mode):
        return ReadFailure(source, f"{_kind(mode)}, not a file; not read")
    if _DOC_NAMES.match(entry.name) and not _has_sidecar(entry.path):
        return None
    return Path(entry.path)


def list_inputs(raw_dir: Path) -> list[Path]:
    """Input files below raw_dir, in a stable order (walk() without its failures)."""
    return [p for p in walk(raw_dir) if isinstance(p, Path)]


def detect_format(content: str) -> str | None:
    """'html' for MediaWiki's HTML of a page (saved, Parsoid or ZIM), 'text' for rendered plain
    text ("- Key: Value" lines or a two-column label | value table), 'wikitext' for MediaWiki
    markup, None when none of them."""
    if looks_html(content):
        return "html"
    if looks_rendered(content) or looks_tabular(content):
        return "text"
    if _WIKI_MARKERS.search(content[:200000]):
        return "wikitext"
    return None


def decode(data: bytes, source: str, max_bytes: int) -> tuple[str | None, ReadFailure | None]:
    """Bytes -> text, or the reason it is not an article."""
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return None, ReadFailure(source, "empty input", sha256=digest)
    if len(data) > max_bytes:
        return None, ReadFailure(source, f"input is {len(data):,} bytes, over the limit of {max_bytes:,}",
                                 sha256=digest)
    if b"\x00" in data[:65536]:
        return None, ReadFailure(source, "binary content (NUL bytes), not an article",
                                 excerpt=repr(data[:80]), sha256=digest)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, ReadFailure(source, f"not valid UTF-8 (byte {e.start}: {e.reason})",
                                 excerpt=repr(data[max(0, e.start - 40):e.start + 40]), sha256=digest)
    if "\x00" in text:
        return None, ReadFailure(source, "binary content (NUL bytes), not an article",
                                 excerpt=repr(text[:80]), sha256=digest)
    return text, None


def read_file(path: Path, raw_dir: Path, max_bytes: int) -> RawInput | ReadFailure:
    """Read one file of raw_dir as a RawInput, or say why it cannot be read.

    At most max_bytes + 1 bytes are read: a larger file is refused without being loaded. The
    text and the sidecar's values are cleaned once, here (pipeline.core.untrusted); the RawInput
    keeps the hash of the text as read."""
    source = path.relative_to(raw_dir).as_posix()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO swapped in must not block the run
    except OSError as e:
        return ReadFailure(source, f"cannot read file: {e.strerror or e}")
    try:
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                return ReadFailure(source, f"{_kind(info.st_mode)}, not a file; not read")
            if info.st_size > max_bytes:
                return ReadFailure(source, f"input is {info.st_size:,} bytes, over the limit of {max_bytes:,}")
            data = fh.read(max_bytes + 1)
    except OSError as e:
        return ReadFailure(source, f"cannot read file: {e.strerror or e}")
    text, failure = decode(data, source, max_bytes)
    if failure:
        return failure
    fmt = detect_format(text)
    if fmt is None:
        return ReadFailure(source, "neither rendered article text nor wikitext",
                           excerpt=clean_text(text[:200]), sha256=hashlib.sha256(data).hexdigest())
    meta = read_meta(path)
    title = clean_text(meta["title"]).strip() if isinstance(meta.get("title"), str) else None
    return RawInput(source=source, fmt=fmt, content=clean_text(text),
                    source_format=meta["source_format"] if meta.get("source_format") in ("api", "dump") else fmt,
                    title=title or None, page_id=int64(meta.get("page_id")), rev_id=int64(meta.get("rev_id")),
                    rev_timestamp=utc_instant(meta.get("rev_timestamp")), sha256=text_sha256(text))


def iter_raw(raw_dir: Path, max_bytes: int = 20_000_000) -> Iterator[RawInput | ReadFailure]:
    """Every entry of raw_dir, read one at a time (memory stays bounded by one file)."""
    for item in walk(raw_dir):
        yield item if isinstance(item, ReadFailure) else read_file(item, raw_dir, max_bytes)
