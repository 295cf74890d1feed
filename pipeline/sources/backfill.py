"""Backfill raw/ from a MediaWiki XML dump: the pages that carry a mapped mission infobox are
stored in raw/api/ exactly as `infobox-etl fetch` stores API pages (same file names, same
sidecars, source_format `dump`), so a backfill and later API fetches share one layout and the
incremental run treats them alike. Pages without a mission infobox are counted, not stored.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.wikitext.scan import find_infoboxes
from pipeline.core.mappings import mapping_for
from pipeline.sources.api import FetchedPage, TitleOutcome
from pipeline.sources.api_store import API_FOLDER, _Folder
from pipeline.sources.dump import iter_dump
from pipeline.sources.files import ReadFailure


@dataclass
class BackfillReport:
    pages_read: int = 0
    stored: int = 0
    unchanged: int = 0
    skipped: int = 0                       # no mission infobox
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"pages read {self.pages_read}: stored {self.stored}, unchanged {self.unchanged}, "
                 f"without a mission infobox {self.skipped}, unreadable {len(self.failures)}"]
        lines += [f"  {f}" for f in self.failures[:5]]
        return "\n".join(lines)


def has_mission_infobox(wikitext: str) -> bool:
    """True when a top-level infobox of the page maps to the missions table."""
    for _, _, name in find_infoboxes(wikitext):
        m = mapping_for(name)
        if m is not None and m.table == "missions":
            return True
    return False


def backfill_from_dump(dump: Path, raw_dir: Path, limit: int | None = None) -> BackfillReport:
    """Store the dump's mission pages in raw_dir/api/; at most `limit` stored when given."""
    folder_path = raw_dir / API_FOLDER
    folder_path.mkdir(parents=True, exist_ok=True)
    folder = _Folder(folder_path)
    report = BackfillReport()
    seen: dict[object, str] = {}   # page id (or title, for a page without one) -> first source
    for item in iter_dump(dump):
        if isinstance(item, ReadFailure):
            report.failures.append(f"{item.source}: {item.reason}")
            continue
        report.pages_read += 1
        if not item.title or not has_mission_infobox(item.content):
            report.skipped += 1
            continue
        # A page id (or, without one, a title) met twice is one page: the first is stored, the
        # second reported; a page without an id is never taken for a rename of another.
        key = ("id", item.page_id) if item.page_id is not None else ("title", item.title)
        if key in seen or ("title", item.title) in seen:
            report.failures.append(f"{item.source}: duplicate {key[0]} {key[1]!r} in the dump "
                                   f"(first at {seen.get(key) or seen[('title', item.title)]}); not stored")
            continue
        seen[key] = seen[("title", item.title)] = item.source
        page = FetchedPage(
            title=item.title, page_id=item.page_id, ns=0, rev_id=item.rev_id,
            rev_timestamp=item.rev_timestamp.isoformat().replace("+00:00", "Z") if item.rev_timestamp else None,
            sha1=hashlib.sha1(item.content.encode("utf-8")).hexdigest(), content=item.content,
            asked=(TitleOutcome(asked=item.title, status="found", title=item.title, page_id=item.page_id),))
        status, _, _ = folder.store(page, None, source_format="dump", source_url=f"{dump.name}#page={item.page_id}")
        if status == "stored":
            report.stored += 1
        else:
            report.unchanged += 1
        if limit is not None and report.stored >= limit:
            break
    return report
