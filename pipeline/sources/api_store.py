"""Fetched pages stored in raw/api/: `<stem>.wikitext` plus `<stem>.wikitext.meta.json`.

The wikitext file holds exactly the revision text (UTF-8); the sidecar holds `title`, `page_id`,
`rev_id`, `rev_timestamp`, `sha1` (the API's), `fetched_at`, `source_url`, `api`, `requested_as`
and `source_format` ("api"), which the raw/ reader (files.py) attaches to the input. Every file is
written to a hidden temporary file and renamed over the old one, so an interrupted fetch leaves
whole files only (the wikitext first: a sidecar never names a revision whose text is not there).
A page whose stored revision is the one fetched is left alone. Each run appends what was asked
and what became of every title to the hidden `.fetch-log.json`.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
from contextlib import contextmanager
import os
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Iterable
from urllib.parse import quote, urlsplit

from pipeline.core.untrusted import utc_instant
from pipeline.sources.api import (DEFAULT_TEMPLATE, ApiError, FetchedPage, MediaWikiClient, TitleOutcome,
                                  redact_url)

API_FOLDER = "api"
TEXT_SUFFIX = ".wikitext"
META_SUFFIX = ".wikitext.meta.json"
LOG_NAME = ".fetch-log.json"       # hidden: the raw/ reader skips it
TMP_PREFIX = ".tmp-fetch-"         # hidden too, and removed by the next run if left behind
MAX_STEM_BYTES = 150
_KEEP = frozenset("-,()'!+=@")
_WINDOWS_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])", re.IGNORECASE)


def safe_stem(title: str, *, with_hash: bool = False) -> str:
    """A file name stem for a page title that cannot leave its folder or break a file system.

    Spaces become `_` (as in article URLs). Letters and digits (of any script) and `-,()'!+=@`
    stay; a `.` stays unless it leads, ends or touches another `.`; everything else -- `/`, `\\`,
    `:`, `%`, `_`, `~`, NUL and other control characters, symbols -- is percent-encoded (UTF-8),
    so distinct titles get distinct stems, and Windows device names (CON, NUL, ...) get their first
    letter encoded. A stem over 150 bytes is cut and ends with `~` and 8 hex digits of the title's
    SHA-256, as does every stem when `with_hash` (for titles that would collide on a
    case-insensitive file system, such as "Apollo 11" and "APOLLO 11")."""
    n = len(title)
    pieces: list[str] = []
    for i, ch in enumerate(title):
        if ch == " ":
            pieces.append("_")
            continue
        if ch == ".":
            keep = 0 < i < n - 1 and title[i - 1] != "." and title[i + 1] != "."
        elif ch.isascii():
            keep = ch.isalnum() or ch in _KEEP
        else:
            keep = ch.isalnum()
        pieces.append(ch if keep else "".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    if pieces and _WINDOWS_RESERVED.fullmatch("".join(pieces).split(".")[0]):
        pieces[0] = f"%{ord(pieces[0]):02X}"
    stem = "".join(pieces)
    if with_hash or not stem or len(stem.encode("utf-8")) > MAX_STEM_BYTES:
        kept, size = [], 0
        for piece in pieces:  # cut between characters, never inside a %XX sequence
            size += len(piece.encode("utf-8"))
            if size > MAX_STEM_BYTES - 9:
                break
            kept.append(piece)
        stem = "".join(kept) + "~" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
    return stem


def article_url(api_url: str, title: str) -> str:
    """The article's URL on the API's host: `/wiki/<Title>` beside a `/w/api.php` (Wikimedia's
    layout), else `index.php?title=<Title>` beside the api.php (works on any MediaWiki)."""
    parts = urlsplit(redact_url(api_url))
    name = quote(title.replace(" ", "_"), safe=";@$!*(),/~:")
    path = parts.path
    if path.endswith("/w/api.php"):
        return f"{parts.scheme}://{parts.netloc}{path[:-len('/w/api.php')]}/wiki/{name}"
    return f"{parts.scheme}://{parts.netloc}{path.rsplit('/', 1)[0]}/index.php?title={name}"


def read_titles_file(path: Path) -> list[str]:
    """Titles from a UTF-8 file, one per line; blank lines and lines starting with `#` are skipped.
    Raises ValueError when the file is not UTF-8."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path} is not UTF-8 text (byte {e.start})") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso_z(timestamp: str | None) -> str | None:
    t = utc_instant(timestamp, assume_utc=True)  # None when unreadable or out of range
    return t.strftime("%Y-%m-%dT%H:%M:%SZ") if t else None


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to a hidden temporary file beside `path`, flush it to disk, rename it over `path`.
    On any failure (or interruption) the temporary file is removed and `path` is untouched."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class _Folder:
    """raw/api/ and what it already holds, indexed from the sidecars."""

    def __init__(self, folder: Path):
        self.dir = folder
        self.by_title: dict[str, tuple[str, dict]] = {}
        self.by_page: dict[int, str] = {}
        self.owner: dict[str, str] = {}  # casefolded stem -> title (case-insensitive file systems)
        stale = time.time() - 3600  # younger ones may belong to a fetch running right now
        for tmp in folder.glob(TMP_PREFIX + "*"):  # left by an interrupted run
            with contextlib.suppress(OSError):
                if tmp.stat().st_mtime < stale:
                    tmp.unlink()
        for meta_path in sorted(folder.glob("*" + META_SUFFIX)):
            stem = meta_path.name[:-len(META_SUFFIX)]
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a broken sidecar: the page will be written again
            if isinstance(meta, dict) and isinstance(meta.get("title"), str):
                self._claim(stem, meta)

    def _claim(self, stem: str, meta: dict) -> None:
        self.by_title[meta["title"]] = (stem, meta)
        self.owner[stem.casefold()] = meta["title"]
        if isinstance(meta.get("page_id"), int):
            self.by_page[meta["page_id"]] = stem

    def stem_for(self, title: str) -> str:
        if title in self.by_title:
            return self.by_title[title][0]
        stem = safe_stem(title)
        if self.owner.get(stem.casefold(), title) != title:
            stem = safe_stem(title, with_hash=True)
        return stem

    def store(self, page: FetchedPage, api_url: str | None, *, source_format: str = "api",
              source_url: str | None = None) -> tuple[str, str, str | None]:
        """(status `stored` or `unchanged`, file relative to raw/, title it was stored under before).
        A page backfilled from a dump has no API: source_format `dump`, source_url the dump page."""
        stem = self.stem_for(page.title)
        text_path, meta_path = self.dir / (stem + TEXT_SUFFIX), self.dir / (stem + META_SUFFIX)
        rel = f"{API_FOLDER}/{text_path.name}"
        data = page.content.encode("utf-8")
        known = self.by_title.get(page.title)
        if (known and known[1].get("rev_id") == page.rev_id and text_path.is_file()
                and text_path.read_bytes() == data):
            return "unchanged", rel, None
        meta = {"title": page.title, "page_id": page.page_id, "rev_id": page.rev_id,
                "rev_timestamp": _iso_z(page.rev_timestamp), "sha1": page.sha1, "fetched_at": _now(),
                "source_url": source_url or article_url(api_url, page.title),
                "api": redact_url(api_url) if api_url else None,
                "requested_as": page.requested_as, "source_format": source_format}
        atomic_write(text_path, data)
        atomic_write(meta_path, (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        moved_from = None
        old = self.by_page.get(page.page_id) if page.page_id is not None else None
        if old is not None and old != stem:  # the page was renamed: one page, one file
            old_meta = self.dir / (old + META_SUFFIX)
            try:
                previous = json.loads(old_meta.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                previous = None
            if isinstance(previous, dict) and previous.get("page_id") == page.page_id:
                moved_from = previous.get("title")
                for path in (old_meta, self.dir / (old + TEXT_SUFFIX)):
                    path.unlink(missing_ok=True)
                self.by_title.pop(moved_from, None)
        self._claim(stem, meta)
        return "stored", rel, moved_from


@dataclass
class FetchReport:
    """What one fetch asked and what became of every asked title (`outcomes`, one dict each)."""

    api: str
    folder: Path
    mode: str                      # "titles" or "template"
    template: str | None
    limit: int | None
    started_at: str = field(default_factory=_now)
    finished_at: str | None = None
    outcomes: list[dict] = field(default_factory=list)
    pages_written: int = 0
    pages_unchanged: int = 0
    requests: int = 0
    retries: int = 0
    error: str | None = None

    def counts(self) -> dict[str, int]:
        status = Counter(o["status"] for o in self.outcomes)
        return {"asked": len(self.outcomes), "stored": status["stored"], "unchanged": status["unchanged"],
                "missing": status["missing"], "invalid": status["invalid"], "not_fetched": status["not_fetched"],
                "redirected": sum(1 for o in self.outcomes if o.get("redirected_to")),
                "normalised": sum(1 for o in self.outcomes if o.get("normalized_to")),
                "pages_written": self.pages_written, "pages_unchanged": self.pages_unchanged,
                "requests": self.requests, "retries": self.retries}

    def to_json(self) -> dict:
        return {"started_at": self.started_at, "finished_at": self.finished_at, "api": self.api,
                "mode": self.mode, "template": self.template, "limit": self.limit, "error": self.error,
                "counts": self.counts(), "outcomes": self.outcomes}

    def summary(self) -> str:
        c = self.counts()
        source = f"template {self.template}" if self.mode == "template" else "the titles given"
        lines = [f"fetched {source} from {self.api} into {self.folder}",
                 f"  asked       {c['asked']}  (stored {c['stored']}, unchanged {c['unchanged']},"
                 f" missing {c['missing']}, invalid {c['invalid']}"
                 + (f", not fetched {c['not_fetched']})" if c["not_fetched"] else ")"),
                 f"  resolved    redirected {c['redirected']}, normalised {c['normalised']}",
                 f"  pages       {c['pages_written']} written, {c['pages_unchanged']} unchanged",
                 f"  requests    {c['requests']} sent  (retries {c['retries']})"]
        for o in [o for o in self.outcomes if o["status"] in ("missing", "invalid")][:5]:
            lines.append(f"  {o['status']:<11} {o['asked']!r}: {o['reason']}")
        return "\n".join(lines)


def outcome_row(o: TitleOutcome, **extra) -> dict:
    row = {"asked": o.asked, "status": o.status, "title": o.title, "page_id": o.page_id,
           "normalized_to": o.normalized_to, "redirected_to": o.redirected_to, "reason": o.reason}
    row.update(extra)
    return row


def _append_log(folder: Path, report: FetchReport) -> None:
    """Add this run to the fetch log (a JSON list); an unreadable log is kept aside, not lost."""
    path = folder / LOG_NAME
    runs: list = []
    if path.exists():
        try:
            runs = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(runs, list):
                raise ValueError("not a list")
        except (OSError, ValueError):
            path.replace(folder / f"{LOG_NAME}.unreadable-{report.started_at.replace(':', '')}")
            runs = []
    runs.append(report.to_json())
    atomic_write(path, (json.dumps(runs, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))


@contextmanager
def logged_fetch(client: MediaWikiClient, folder: Path, report: FetchReport, titles: list | None):
    """The bookkeeping around one fetch run (API or REST): the requests and retries it made, the
    log entry written whatever happens, and when the server fails for good (ApiError) the run
    stopped, not raised: `error` says why and the titles not reached are `not_fetched`."""
    requests_before, calls_before = client.requests_sent, client.calls
    try:
        yield
    except ApiError as e:
        report.error = str(e)
        accounted = {o["asked"] for o in report.outcomes}
        for title in dict.fromkeys(titles or ()):  # titles the run never got to
            if title not in accounted:
                report.outcomes.append(outcome_row(TitleOutcome(title, "not_fetched", reason="the fetch stopped"),
                                                   rev_id=None, file=None))
    except BaseException:
        report.error = "interrupted"
        raise
    finally:
        report.requests = client.requests_sent - requests_before
        report.retries = report.requests - (client.calls - calls_before)
        report.finished_at = _now()
        _append_log(folder, report)


def fetch_to_raw(client: MediaWikiClient, raw_dir: Path, *, titles: Iterable[str] | None = None,
                 template: str = DEFAULT_TEMPLATE, limit: int | None = None) -> FetchReport:
    """Store the pages of `titles` -- or, when no titles are given, of every article transcluding
    `template` -- in raw_dir/api/, and log the run.

    Missing and invalid titles are recorded, not raised. When the API fails for good (ApiError)
    the run stops there: what was stored stays, the report's `error` says why, and asked titles
    not reached yet are recorded as `not_fetched`."""
    folder_path = raw_dir / API_FOLDER
    folder_path.mkdir(parents=True, exist_ok=True)
    folder = _Folder(folder_path)
    if titles is not None:
        titles = list(islice(titles, limit) if limit is not None else titles)
    report = FetchReport(api=client.display_url, folder=folder_path, limit=limit,
                         mode="template" if titles is None else "titles",
                         template=template if titles is None else None)
    asked = client.embedded_in(template, 0, limit) if titles is None else titles
    done: dict[int, tuple[str, str]] = {}  # page id -> (status, file): one page, stored once per run
    with logged_fetch(client, folder_path, report, titles):
        for item in client.fetch_pages(asked):
            if isinstance(item, TitleOutcome):
                report.outcomes.append(outcome_row(item, rev_id=None, file=None))
                continue
            if item.page_id not in done:
                status, rel, moved_from = folder.store(item, client.api_url)
                done[item.page_id] = (status, rel)
                if status == "stored":
                    report.pages_written += 1
                else:
                    report.pages_unchanged += 1
                extra = {"renamed_from": moved_from} if moved_from else {}
            else:
                extra = {}
            status, rel = done[item.page_id]
            for o in item.asked:
                report.outcomes.append(outcome_row(o, status=status, rev_id=item.rev_id, file=rel, **extra))
    return report
