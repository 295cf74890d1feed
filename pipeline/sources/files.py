"""Inputs from a raw/ folder: every file is one input, its format recognised by content.

Formats: `text` (rendered plain text, "- Key: Value" infobox lines) and `wikitext`. Files named
README* / ATTRIBUTION* (documentation) and hidden files are not inputs. Bad input (empty,
binary, not UTF-8, too large, unrecognisable) is not an exception: it is yielded as a
ReadFailure, which the orchestrator quarantines at stage `read`.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

from pipeline.extract.html import looks_html
from pipeline.extract.text import looks_rendered
from pipeline.records import RawInput

_DOC_NAMES = re.compile(r"^(readme|attribution|license|notice)([._-].*)?$", re.IGNORECASE)
_WIKI_MARKERS = re.compile(r"\{\{|\[\[|'''|<ref|^#redirect|^==.*==\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ReadFailure:
    """An input that could not be read as an article, with the reason a person can act on."""

    source: str
    reason: str
    excerpt: str = ""
    sha256: str | None = None


META_SUFFIX = ".meta.json"


def is_input_file(path: Path) -> bool:
    return (path.is_file() and not path.name.startswith(".") and not _DOC_NAMES.match(path.name)
            and not path.name.endswith(META_SUFFIX))


def read_meta(path: Path) -> dict:
    """Revision metadata stored beside a fetched page (`<file>.meta.json`), or {}.
    A broken sidecar is ignored: the page is still read, without revision metadata."""
    meta = path.with_name(path.name + META_SUFFIX)
    if not meta.is_file():
        return {}
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _meta_int(meta: dict, key: str) -> int | None:
    v = meta.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _meta_time(meta: dict, key: str) -> datetime | None:
    v = meta.get(key)
    if not isinstance(v, str):
        return None
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else None


def list_inputs(raw_dir: Path) -> list[Path]:
    """Input files below raw_dir, in a stable order."""
    return sorted((p for p in raw_dir.rglob("*") if is_input_file(p)),
                  key=lambda p: p.relative_to(raw_dir).as_posix())


def detect_format(content: str) -> str | None:
    """'html' for MediaWiki's HTML of a page (saved, Parsoid or ZIM), 'text' for rendered plain
    text, 'wikitext' for MediaWiki markup, None when none of them."""
    if looks_html(content):
        return "html"
    if looks_rendered(content):
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
    """Read one file of raw_dir as a RawInput, or say why it cannot be read."""
    source = path.relative_to(raw_dir).as_posix()
    try:
        data = path.read_bytes()
    except OSError as e:
        return ReadFailure(source, f"cannot read file: {e.strerror or e}")
    text, failure = decode(data, source, max_bytes)
    if failure:
        return failure
    fmt = detect_format(text)
    if fmt is None:
        return ReadFailure(source, "neither rendered article text nor wikitext",
                           excerpt=text[:200], sha256=hashlib.sha256(data).hexdigest())
    meta = read_meta(path)
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    return RawInput(source=source, fmt=fmt, content=text,
                    source_format=meta["source_format"] if meta.get("source_format") in ("api", "dump") else fmt,
                    title=title, page_id=_meta_int(meta, "page_id"), rev_id=_meta_int(meta, "rev_id"),
                    rev_timestamp=_meta_time(meta, "rev_timestamp"))


def iter_raw(raw_dir: Path, max_bytes: int = 20_000_000) -> Iterator[RawInput | ReadFailure]:
    """Every input of raw_dir, read one at a time (memory stays bounded by one file)."""
    for path in list_inputs(raw_dir):
        yield read_file(path, raw_dir, max_bytes)
