"""Pages' HTML from MediaWiki's REST API (Parsoid HTML, what the wiki itself renders), fetched as
politely as the Action API and stored beside the wikitext fetches.

`fetch --format html` lists titles as `fetch` does (the titles given, or the template's
transclusions through the Action API), then asks `rest.php/v1/page/<title>/with_html` for each:
one JSON answer with the page id, the latest revision's id and timestamp and its HTML
(https://www.mediawiki.org/wiki/API:REST_API/Reference#Get_HTML). The REST endpoint is found
beside the api.php given (`.../w/api.php` -> `.../w/rest.php`). Requests go through the same
client: User-Agent with contact, gzip, one at a time, and the same retry budget (connection
errors, timeouts, 429/5xx honouring Retry-After; a truncated JSON answer is retried too).

A 404 is a missing page and a 400 an invalid title (data, not errors); a redirect the server
follows is recorded as `redirected_to`, a change of spelling as `normalized_to`. Each page is
stored as `raw/api/<stem>.html` plus `<stem>.html.meta.json` (title, page_id, rev_id,
rev_timestamp, sha1 of the stored HTML, fetched_at, source_url, api, requested_as,
source_format `html`), written atomically; a page whose stored revision is current is left
alone; every run is appended to the same `.fetch-log.json`.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from itertools import islice
from pathlib import Path
from typing import Iterable
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from pipeline.core import names
from pipeline.core.untrusted import clean_text, int64
from pipeline.sources.api import (DEFAULT_TEMPLATE, ApiError, ApiUnavailable, FetchedPage, MediaWikiClient,
                                  TitleOutcome, redact_url)
from pipeline.sources.api_store import (API_FOLDER, FetchReport, _now, article_url, atomic_write,
                                        logged_fetch, outcome_row, safe_stem)

log = logging.getLogger(__name__)

HTML_SUFFIX = ".html"
HTML_META_SUFFIX = ".html.meta.json"
MAX_HTML = 50_000_000          # bytes of one answer; a larger page is not stored


def rest_url(api_url: str) -> str:
    """The REST endpoint beside an Action API endpoint: `https://w.org/w/api.php` ->
    `https://w.org/w/rest.php`."""
    parts = urlsplit(api_url)
    path = parts.path.rsplit("/", 1)[0] + "/rest.php"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class RestClient(MediaWikiClient):
    """MediaWikiClient (same session, etiquette and retry budget) with REST page requests."""

    def page_with_html(self, title: str) -> FetchedPage | TitleOutcome:
        """The latest revision of `title` with its HTML, or a missing/invalid TitleOutcome.
        Raises ApiUnavailable/ApiError as `call` does when no usable answer comes."""
        if not title.strip() or "|" in title:
            return TitleOutcome(title, "invalid", reason="empty title" if not title.strip()
                                else "a title cannot contain '|'")
        url = f"{rest_url(self.api_url)}/v1/page/{quote(title.replace(' ', '_'), safe='')}/with_html"
        self.calls += 1
        attempts = 0
        while True:
            left = self.max_retries - attempts
            self._adapter.max_retries = self._retry(left - 1)
            started, waited = time.monotonic(), self.waited
            try:
                response = self._session.get(url, timeout=self.timeout, stream=True)
            except requests.RequestException:
                self.requests_sent += left
                raise ApiUnavailable(f"cannot reach {redact_url(rest_url(self.api_url))} "
                                     f"(gave up after {self.max_retries} attempts)") from None
            history = getattr(getattr(response.raw, "retries", None), "history", None) or ()
            used = 1 + len(history)
            attempts += used
            self.requests_sent += used
            with response:
                status = response.status_code
                moved = [r for r in response.history if r.status_code in (301, 302, 303, 307, 308)]
                if status in (404, 400):
                    why = "no such page" if status == 404 else "invalid title"
                    return TitleOutcome(title, "missing" if status == 404 else "invalid", reason=why)
                if status >= 400:
                    raise (ApiUnavailable if status >= 500 or status == 429 else ApiError)(
                        f"{redact_url(rest_url(self.api_url))} answered HTTP {status} for {title!r} "
                        f"(gave up after {attempts} attempts)")
                # a total deadline and a size cap while reading (MediaWikiClient._body)
                body, problem = self._body(response, started + (self.waited - waited) + self.deadline,
                                           MAX_HTML)
                try:
                    data = json.loads(body.decode("utf-8")) if body is not None else None
                except (UnicodeDecodeError, ValueError, RecursionError) as e:
                    data, problem = None, f"the answer is not valid JSON (truncated?): {type(e).__name__}"
            if isinstance(data, dict):
                return _page(title, data, moved)
            if data is not None:
                problem = "the answer is not a JSON object"
            if attempts >= self.max_retries:
                raise ApiError(f"{redact_url(rest_url(self.api_url))}: {problem} (gave up after {attempts} attempts)")
            self._wait(self.backoff * 2 ** (attempts - 1))


def _page(asked: str, data: dict, moved: list) -> FetchedPage | TitleOutcome:
    html = data.get("html")
    latest = data.get("latest") if isinstance(data.get("latest"), dict) else {}
    page_id, rev_id, title = int64(data.get("id")), int64(latest.get("id")), data.get("title")
    if not isinstance(html, str) or page_id is None or rev_id is None or not isinstance(title, str):
        return TitleOutcome(asked, "invalid", reason="no page id, revision or HTML in the answer")
    # text cleaned where it enters (JSON can spell a lone surrogate; core.untrusted)
    sha1 = hashlib.sha1(html.encode("utf-8", "surrogatepass")).hexdigest()
    html, title = clean_text(html), clean_text(title)
    normal = redirect = None
    if title != asked:
        if names.normalise_title(asked) == title and not any(r.status_code in (302, 303, 307, 308) for r in moved):
            normal = title
        else:
            redirect = title
    outcome = TitleOutcome(asked, "found", title, normal, redirect, page_id=page_id)
    return FetchedPage(title=title, page_id=page_id, ns=0, rev_id=rev_id,
                       rev_timestamp=latest.get("timestamp") if isinstance(latest.get("timestamp"), str) else None,
                       sha1=sha1, content=html, asked=(outcome,))


def _store(folder: Path, page: FetchedPage, api_url: str) -> tuple[str, str]:
    """(`stored` or `unchanged`, file relative to raw/)."""
    stem = safe_stem(page.title)
    html_path, meta_path = folder / (stem + HTML_SUFFIX), folder / (stem + HTML_META_SUFFIX)
    rel = f"{API_FOLDER}/{html_path.name}"
    data = page.content.encode("utf-8")
    try:
        old = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    except (OSError, ValueError):
        old = {}
    if isinstance(old, dict) and old.get("rev_id") == page.rev_id and html_path.is_file() \
            and html_path.read_bytes() == data:
        return "unchanged", rel
    meta = {"title": page.title, "page_id": page.page_id, "rev_id": page.rev_id,
            "rev_timestamp": page.rev_timestamp, "sha1": page.sha1, "fetched_at": _now(),
            "source_url": article_url(api_url, page.title), "api": redact_url(rest_url(api_url)),
            "requested_as": page.requested_as, "source_format": "html"}
    atomic_write(html_path, data)
    atomic_write(meta_path, (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return "stored", rel


def fetch_html_to_raw(client: RestClient, raw_dir: Path, *, titles: Iterable[str] | None = None,
                      template: str = DEFAULT_TEMPLATE, limit: int | None = None) -> FetchReport:
    """Store the HTML of `titles` (or of every article transcluding `template`) in raw_dir/api/
    and log the run; missing and invalid titles are recorded, an API that fails for good stops
    the run with `error` set and the titles not reached recorded as `not_fetched`."""
    folder = raw_dir / API_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    if titles is not None:
        titles = list(islice(titles, limit) if limit is not None else titles)
    report = FetchReport(api=redact_url(rest_url(client.api_url)), folder=folder, limit=limit,
                         mode="template" if titles is None else "titles",
                         template=template if titles is None else None)
    done: dict[int, tuple[str, str]] = {}
    seen: set[str] = set()
    with logged_fetch(client, folder, report, titles):
        for asked in (client.embedded_in(template, 0, limit) if titles is None else titles):
            if asked in seen:
                continue
            seen.add(asked)
            item = client.page_with_html(asked)
            if isinstance(item, TitleOutcome):
                report.outcomes.append(outcome_row(item, rev_id=None, file=None))
                continue
            if item.page_id not in done:
                done[item.page_id] = _store(folder, item, client.api_url)
                report.pages_written += done[item.page_id][0] == "stored"
                report.pages_unchanged += done[item.page_id][0] == "unchanged"
            status, rel = done[item.page_id]
            report.outcomes.append(outcome_row(item.asked[0], status=status, rev_id=item.rev_id, file=rel))
    return report
