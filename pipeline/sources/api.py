"""Articles from a MediaWiki Action API (any api.php; Wikipedia by default), fetched politely.

`MediaWikiClient` follows the API etiquette (https://www.mediawiki.org/wiki/API:Etiquette): a
descriptive User-Agent with contact details, gzip, `maxlag=5`, `formatversion=2`, one request at
a time, at most 50 titles per request, and every `continue` followed to the end.

Retries: connection errors, resets, timeouts and HTTP 429/500/502/503/504 (honouring
Retry-After) are retried by urllib3's Retry, mounted on the session's adapter; what urllib3
cannot judge -- the `maxlag` error, which arrives with HTTP 200 and a Retry-After header, and a
truncated or invalid JSON body -- is retried by the client's own loop. Both draw on one budget of
`max_retries` attempts per API call, so a call never sends more requests than that. When the
budget is spent the call raises ApiUnavailable (or ApiError for an answer that cannot be used);
no other exception is expected from the network.

Titles the wiki does not have are data, not errors: `fetch_pages` yields a TitleOutcome for each
missing or invalid title, and a FetchedPage, carrying every asked title that led to it through
normalisation and redirects, for each page found. `fetch_to_raw` (in api_store) stores them.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass, replace
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from pipeline.core.untrusted import clean_text, fix_surrogates, int64

from pipeline.sources.useragent import require_contact

log = logging.getLogger(__name__)

DEFAULT_API = "https://en.wikipedia.org/w/api.php"
DEFAULT_TEMPLATE = "Template:Infobox spaceflight"
CONTACT = "https://example.org/infobox-etl; data-team@example.org"
BATCH_SIZE = 50            # titles per request: the API's limit without the apihighlimits right
MAXLAG = 5                 # seconds: Wikimedia's recommended value for non-interactive clients
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_API_ERRORS = frozenset({"maxlag", "ratelimited"})
MAX_WAIT = 120.0           # the longest single wait, whatever Retry-After or the backoff says
POST_OVER = 4000           # a longer query string goes in a POST body (URLs have length limits)
MAX_REDIRECT_HOPS = 20
DEADLINE = 300.0           # seconds one answer may take from request to last byte, however it trickles
MAX_ANSWER_BYTES = 256 << 20   # decompressed bytes of one answer (50 pages of at most 2 MB each fit)
MAX_CONTINUATIONS = 2000   # answers of one query (2000 x 500 titles); a server that never ends is cut
MAX_HTTP_REDIRECTS = 5
_READ = 1 << 16            # bytes per read of an answer


def default_user_agent() -> str:
    """`infobox-etl/<version> (<project URL>; <contact mail>) requests/<version>`."""
    try:
        own = version("infobox-etl")
    except PackageNotFoundError:
        own = "0"
    return f"infobox-etl/{own} ({CONTACT}) requests/{requests.__version__}"


def redact_url(url: str) -> str:
    """The URL without user name and password, for logs, messages and metadata."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class ApiError(Exception):
    """The API answered, but not with something usable (HTTP error, API error, broken JSON)."""


class ApiUnavailable(ApiError):
    """No usable answer after every allowed attempt: unreachable, overloaded or lagged."""


@dataclass(frozen=True)
class TitleOutcome:
    """What became of one asked title.

    status -- `found` (its page is in a FetchedPage), `missing` or `invalid`
    title  -- the title finally looked up, after normalisation and redirects
    """

    asked: str
    status: str
    title: str | None = None
    normalized_to: str | None = None
    redirected_to: str | None = None
    reason: str = ""
    page_id: int | None = None


@dataclass(frozen=True)
class FetchedPage:
    """The latest revision of one page, with every asked title that resolved to it."""

    title: str
    page_id: int | None   # None only for a dump page without <id> (backfill)
    ns: int
    rev_id: int | None
    rev_timestamp: str | None
    sha1: str
    content: str
    asked: tuple[TitleOutcome, ...]

    @property
    def requested_as(self) -> str:
        return self.asked[0].asked


class CrossHostRedirect(ApiError):
    """The API answered with a redirect to another host: not followed (the data would come from
    a server nobody asked for, recorded under the one that was)."""


def _origin(url: str) -> tuple[str, int | None]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _no_query(url: str) -> str:
    """A URL for a message: no credentials, no query (which holds the titles asked)."""
    parts = urlsplit(redact_url(url))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class _Session(requests.Session):
    """requests' Session, following redirects only on the API's own host (http -> https allowed)."""

    def get_redirect_target(self, resp):
        target = super().get_redirect_target(resp)
        if target:
            new = urljoin(resp.url, target)
            if _origin(new)[0] != _origin(resp.url)[0]:
                raise CrossHostRedirect(f"{_no_query(resp.url)} redirected to another host "
                                        f"({_no_query(new)}); not followed: give that API with --api "
                                        "if it is the one meant")
        return target


class _Retry(Retry):
    """urllib3's Retry, waiting through the client's `sleep` so that waits are counted and capped."""

    sleeper: Callable[[float], None] = staticmethod(time.sleep)

    def new(self, **kw: Any) -> _Retry:
        retry = super().new(**kw)
        retry.sleeper = self.sleeper
        return retry

    def sleep(self, response=None) -> None:
        wait = None
        if response is not None and self.respect_retry_after_header:
            try:
                wait = self.get_retry_after(response)
            except InvalidHeader:  # an unreadable Retry-After: fall back to the backoff
                wait = None
        if wait is None:
            wait = self.get_backoff_time()
        if wait > 0:
            self.sleeper(wait)


class MediaWikiClient:
    """A polite, retrying client for one MediaWiki Action API endpoint.

    max_retries -- attempts per API call, the first included (a call sends at most this many)
    backoff     -- seconds; waits grow as backoff * 2**n when the server gives no Retry-After
    timeout     -- seconds to connect and between bytes of the answer
    deadline    -- seconds one answer may take in all, request to last byte (a server that drips a
                   byte a second is given up on; checked between reads, so it may be passed by at
                   most one `timeout`)
    max_bytes   -- decompressed size of one answer, counted while reading (a gzip bomb stops there)
    max_continuations -- answers of one query before it is given up on
    sleep       -- how to wait (tests pass a recorder)

    Redirects are followed on the API's host only (at most 5); one to another host is refused
    with CrossHostRedirect (an ApiError).
    """

    def __init__(self, api_url: str = DEFAULT_API, user_agent: str | None = None, max_retries: int = 5,
                 backoff: float = 1.0, timeout: float = 30.0, sleep: Callable[[float], None] = time.sleep,
                 deadline: float = DEADLINE, max_bytes: int = MAX_ANSWER_BYTES,
                 max_continuations: int = MAX_CONTINUATIONS):
        if max_retries < 1:
            raise ValueError("max_retries counts attempts and must be at least 1")
        require_contact(api_url, user_agent or default_user_agent())
        self.api_url = api_url
        self.display_url = redact_url(api_url)
        self.max_retries, self.backoff, self.timeout = max_retries, backoff, timeout
        self.deadline, self.max_bytes, self.max_continuations = deadline, max_bytes, max_continuations
        self._sleep = sleep
        self.calls = 0           # API calls made (one per request that succeeded or finally failed)
        self.requests_sent = 0   # HTTP attempts, retries included
        self.waited = 0.0        # seconds spent waiting before retries
        self._session = _Session()
        self._session.max_redirects = MAX_HTTP_REDIRECTS
        self._session.headers.update({"User-Agent": user_agent or default_user_agent(),
                                      "Accept-Encoding": "gzip", "Accept": "application/json"})
        self._adapter = HTTPAdapter(max_retries=self._retry(max_retries - 1))
        self._session.mount("http://", self._adapter)
        self._session.mount("https://", self._adapter)

    @property
    def retries(self) -> int:
        return self.requests_sent - self.calls

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> MediaWikiClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _wait(self, seconds: float) -> None:
        seconds = min(max(seconds, 0.0), MAX_WAIT)
        if seconds:
            self.waited += seconds
            self._sleep(seconds)

    def _retry(self, total: int) -> _Retry:
        retry = _Retry(total=total, connect=total, read=total, status=total, backoff_factor=self.backoff,
                       backoff_max=MAX_WAIT, retry_after_max=MAX_WAIT, status_forcelist=RETRY_STATUSES,
                       allowed_methods=frozenset({"GET", "POST"}), respect_retry_after_header=True,
                       raise_on_status=False)
        retry.sleeper = self._wait
        return retry

    def _send(self, params: dict[str, str]) -> requests.Response:
        if len(urlencode(params)) > POST_OVER:
            return self._session.post(self.api_url, data=params, timeout=self.timeout, stream=True)
        return self._session.get(self.api_url, params=params, timeout=self.timeout, stream=True)

    def call(self, params: dict[str, str]) -> dict:
        """One API call (action=query unless given): the JSON object, after at most max_retries attempts.

        Raises ApiUnavailable when no usable answer came within the budget, ApiError for an HTTP
        error that is not worth retrying, an API error other than maxlag/ratelimited, or JSON that
        stayed broken."""
        params = {"action": "query", "format": "json", "formatversion": "2", "maxlag": str(MAXLAG),
                  **params}
        self.calls += 1
        attempts = 0
        while True:
            left = self.max_retries - attempts
            self._adapter.max_retries = self._retry(left - 1)  # urllib3 may use what is left, no more
            started, waited = time.monotonic(), self.waited
            try:
                response = self._send(params)
            except requests.RequestException as e:  # urllib3 spent every attempt left
                self.requests_sent += left
                raise ApiUnavailable(f"cannot reach {self.display_url}: {_reason(e)} "
                                     f"(gave up after {self.max_retries} attempts)") from None
            history = getattr(getattr(response.raw, "retries", None), "history", None) or ()
            used = 1 + len(history)
            attempts += used
            self.requests_sent += used
            with response:  # the deadline does not count urllib3's waits between its retries
                deadline = started + (self.waited - waited) + self.deadline
                data, problem, unavailable = self._read(response, attempts, deadline)
                retry_after = response.headers.get("Retry-After")
            if data is not None:
                return data
            if attempts >= self.max_retries:
                error = ApiUnavailable if unavailable else ApiError
                raise error(f"{self.display_url}: {problem} (gave up after {attempts} attempts)")
            wait = self._retry_after(retry_after)
            if wait is None:
                wait = self.backoff * 2 ** (attempts - 1)
            log.info("retrying in %.1f s: %s (attempt %d of %d)", wait, problem, attempts + 1,
                     self.max_retries)
            self._wait(wait)

    def _read(self, response: requests.Response, attempts: int,
              deadline: float) -> tuple[dict | None, str, bool]:
        """(data, '', _) for a usable answer, else (None, what went wrong, whether it is the server's
        availability); raises for answers that retrying cannot fix."""
        status = response.status_code
        answered = f"{self.display_url} answered HTTP {status} {response.reason or ''}".rstrip()
        if status in RETRY_STATUSES:  # urllib3 already spent the budget on these
            raise ApiUnavailable(f"{answered} (gave up after {attempts} attempts)")
        if status >= 400:
            raise ApiError(answered)
        body, problem = self._body(response, deadline)
        if body is None:
            return None, problem, True
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            return None, f"the answer is not valid JSON ({len(body)} bytes, truncated?): {e}", False
        if _SURROGATE_ESCAPE.search(body):  # JSON can spell a lone surrogate, UTF-8 cannot hold it
            data = _without_surrogates(data)
        if not isinstance(data, dict):
            return None, "the answer is not a JSON object", False
        error = data.get("error")
        if not error:
            warnings = data.get("warnings")
            for module, warning in (warnings.items() if isinstance(warnings, dict) else ()):
                log.info("API warning from %s: %s", module, str(warning)[:300])
            return data, "", False
        code = error.get("code") if isinstance(error, dict) else None
        info = str(error.get("info", ""))[:300] if isinstance(error, dict) else str(error)[:300]
        if code in RETRY_API_ERRORS:
            return None, f"API error {code}: {info}", True
        raise ApiError(f"{self.display_url} answered with API error {code}: {info}")

    def _body(self, response: requests.Response, deadline: float,
              max_bytes: int | None = None) -> tuple[bytes | None, str]:
        """The decompressed answer, read a piece at a time (urllib3 decompresses at most a piece
        per read): (None, why) past the deadline or past max_bytes (default self.max_bytes), as
        soon as either happens."""
        raw, out, cap = response.raw, bytearray(), min(max_bytes or self.max_bytes, self.max_bytes)
        try:
            while piece := raw.read1(_READ, decode_content=True):
                out += piece
                if len(out) > cap:
                    return None, f"the answer is over {cap:,} bytes (decompressed); not read further"
                if time.monotonic() > deadline:
                    return None, (f"the answer took more than {self.deadline:g} s "
                                  f"({len(out):,} bytes by then); given up")
        except (Urllib3Error, OSError, requests.RequestException) as e:
            return None, f"connection broken while reading the answer ({_reason(e)})"
        if time.monotonic() > deadline:
            return None, f"the answer took more than {self.deadline:g} s; given up"
        return bytes(out), ""

    def _retry_after(self, value: str | None) -> float | None:
        if not value:
            return None
        try:
            return self._retry(0).parse_retry_after(value)
        except InvalidHeader:
            return None

    def _continued(self, params: dict[str, str], most: int | None = None) -> Iterator[dict]:
        """Every answer of a query, following `continue` to the end; at most `most` answers
        (default and upper bound: max_continuations), then ApiError."""
        cont: dict[str, str] = {"continue": ""}  # "" asks MediaWiki 1.21-1.25 for the same style
        seen: set[str] = set()
        most = self.max_continuations if most is None else min(most, self.max_continuations)
        for _ in range(most):
            data = self.call({**params, **cont})
            yield data
            nxt = data.get("continue")
            if not nxt:
                return
            key = json.dumps(nxt, sort_keys=True)
            if not isinstance(nxt, dict) or key in seen:
                raise ApiError(f"{self.display_url}: continuation does not advance ({key[:200]})")
            seen.add(key)
            cont = {k: str(v) for k, v in nxt.items()}
        raise ApiError(f"{self.display_url}: more than {most} answers to one query; given up "
                       "(a server whose continuation never ends)")

    def embedded_in(self, template: str, namespace: int = 0, limit: int | None = None) -> Iterator[str]:
        """Titles of the pages in `namespace` that transclude `template` (the `Template:` prefix is
        added when the name has no namespace), each once, at most `limit`."""
        title = template if ":" in template else f"Template:{template}"
        params = {"list": "embeddedin", "eititle": title, "einamespace": str(namespace), "eilimit": "max"}
        seen: set[str] = set()
        for data in self._continued(params):
            for item in _items((data.get("query") or {}).get("embeddedin")):
                t = item.get("title")
                if isinstance(t, str) and t not in seen:
                    seen.add(t)
                    yield t
                    if limit is not None and len(seen) >= limit:
                        return

    def fetch_pages(self, titles: Iterable[str]) -> Iterator[FetchedPage | TitleOutcome]:
        """The latest revision of each title's page, 50 titles per request.

        Every distinct asked title comes back exactly once: inside one FetchedPage's `asked`
        (several titles can resolve to one page) or as a missing/invalid TitleOutcome. Exact
        duplicates in `titles` are asked once. A title with `|` (the API's separator, never legal
        in a title) or an empty one is invalid without asking."""
        seen: set[str] = set()
        batch: list[str] = []
        for asked in titles:
            if asked in seen:
                continue
            seen.add(asked)
            if not asked.strip() or "|" in asked:
                yield TitleOutcome(asked, "invalid", reason="empty title" if not asked.strip()
                                   else "a title cannot contain '|'")
                continue
            batch.append(asked)
            if len(batch) == BATCH_SIZE:
                yield from self._fetch_batch(batch)
                batch = []
        if batch:
            yield from self._fetch_batch(batch)

    def _fetch_batch(self, batch: list[str]) -> Iterator[FetchedPage | TitleOutcome]:
        params = {"prop": "revisions|info", "rvprop": "content|ids|timestamp|sha1", "rvslots": "main",
                  "redirects": "1", "titles": "|".join(batch)}
        normalized: dict[str, str] = {}
        converted: dict[str, str] = {}
        redirects: dict[str, str] = {}
        interwiki: dict[str, str] = {}
        pages: dict[str, dict] = {}
        # One page's content per answer at worst, plus the answers that only continue the rest.
        for data in self._continued(params, most=2 * BATCH_SIZE + 10):
            query = data.get("query") or {}
            if not isinstance(query, dict):
                raise ApiError(f"{self.display_url}: unexpected answer, `query` is not an object")
            for key, target in (("normalized", normalized), ("converted", converted),
                                ("redirects", redirects)):
                for m in _items(query.get(key)):
                    if isinstance(m.get("from"), str) and isinstance(m.get("to"), str):
                        target[m["from"]] = m["to"]
            for m in _items(query.get("interwiki")):
                if isinstance(m.get("title"), str):
                    interwiki[m["title"]] = str(m.get("iw", ""))
            raw_pages = query.get("pages") or []
            for page in _items(raw_pages.values() if isinstance(raw_pages, dict) else raw_pages):
                if isinstance(page.get("title"), str):
                    _merge(pages.setdefault(page["title"], {}), page)
        found: dict[str, list[TitleOutcome]] = {}
        order: list[str | TitleOutcome] = []
        for asked in batch:
            outcome = _resolve(asked, normalized, converted, redirects, interwiki, pages)
            if outcome.status != "found":
                order.append(outcome)
                continue
            if outcome.title not in found:
                found[outcome.title] = []
                order.append(outcome.title)
            found[outcome.title].append(outcome)
        for item in order:
            if isinstance(item, TitleOutcome):
                yield item
                continue
            page, outcomes = pages[item], found[item]
            built = _page(page, tuple(outcomes))
            if isinstance(built, tuple):  # no usable revision: every title asking for it is told why
                yield from (replace(o, status=built[0], reason=built[1]) for o in outcomes)
            else:
                yield built


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _without_surrogates(data: Any) -> Any:
    """The decoded answer with every string's surrogates paired or replaced (core.untrusted), so
    that no later step meets text UTF-8 cannot encode. Iterative: JSON may nest deeply."""
    root = [data]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        holder, key = stack.pop()
        value = holder[key]
        if isinstance(value, str):
            holder[key] = fix_surrogates(value)
        elif isinstance(value, list):
            stack.extend((value, i) for i in range(len(value)))
        elif isinstance(value, dict):
            for k in list(value):
                item = value.pop(k)
                value[fix_surrogates(k)] = item
            stack.extend((value, k) for k in value)
    return root[0]


def _reason(e: BaseException) -> str:
    """The innermost cause of a requests error, without URLs or headers."""
    inner: BaseException = e
    for _ in range(10):
        nxt = getattr(inner, "reason", None) or inner.__cause__ or inner.__context__
        if not isinstance(nxt, BaseException) or nxt is inner:
            break
        inner = nxt
    text = type(inner).__name__
    if isinstance(inner, OSError) and inner.strerror:
        text += f": {inner.strerror}"
    elif "timed out" in str(inner).lower() or "timeout" in text.lower():
        text += ": timed out"
    return text


def _items(value: Any) -> list[dict]:
    """The dicts of a JSON list (anything else is treated as empty)."""
    if not isinstance(value, Iterable) or isinstance(value, (str, bytes, dict)):
        return []
    return [v for v in value if isinstance(v, dict)]


def _flag(obj: dict, key: str) -> bool:
    """formatversion=2 says `"missing": true`; the older format says `"missing": ""`."""
    return key in obj and obj[key] is not False


def _merge(into: dict, page: dict) -> None:
    """Continued answers repeat a page; revisions arrive in only one of them."""
    revisions = page.get("revisions")
    into.update({k: v for k, v in page.items() if k != "revisions"})
    if revisions:
        into["revisions"] = revisions


def _resolve(asked: str, normalized: dict, converted: dict, redirects: dict, interwiki: dict,
             pages: dict) -> TitleOutcome:
    """Map an asked title through the answer's normalisation and redirects to its page."""
    title, normal, redirect = asked, None, None
    for step in (normalized, converted):
        if title in step:
            title = normal = step[title]
    if title in interwiki:
        return TitleOutcome(asked, "invalid", title, normal,
                            reason=f"interwiki title (prefix {interwiki[title]!r}), not a page of this wiki")
    hops = 0
    while title in redirects and hops < MAX_REDIRECT_HOPS:
        title = redirect = redirects[title]
        hops += 1
    page = pages.get(title)
    base = TitleOutcome(asked, "found", title, normal, redirect,
                        page_id=page.get("pageid") if page else None)
    if page is None:
        return replace(base, status="missing", reason="not in the API's answer")
    if _flag(page, "invalid"):
        return replace(base, status="invalid", reason=str(page.get("invalidreason") or "invalid title"))
    if _flag(page, "missing"):
        return replace(base, status="missing", reason="no such page")
    if _flag(page, "special"):
        return replace(base, status="invalid", reason="special page, no wikitext")
    return base


def _page(page: dict, outcomes: tuple[TitleOutcome, ...]) -> FetchedPage | tuple[str, str]:
    """The FetchedPage of one answered page, or (status, reason) when it has no usable revision."""
    revisions = page.get("revisions")
    rev = revisions[0] if isinstance(revisions, list) and revisions and isinstance(revisions[0], dict) else {}
    slots = rev.get("slots")
    slot = slots.get("main") if isinstance(slots, dict) and isinstance(slots.get("main"), dict) else rev
    content = slot.get("content", slot.get("*"))
    if not isinstance(content, str):
        hidden = _flag(slot, "texthidden") or _flag(rev, "texthidden")
        return "missing", "revision content hidden" if hidden else "no revision content in the answer"
    model = slot.get("contentmodel") or page.get("contentmodel") or "wikitext"
    if model != "wikitext":
        return "invalid", f"content model {model}, not wikitext"
    rev_id = int64(rev.get("revid", page.get("lastrevid")))
    page_id = int64(page.get("pageid"))
    if rev_id is None or page_id is None:
        return "invalid", "no page or revision id in the answer (or one out of range)"
    timestamp, sha1 = rev.get("timestamp"), rev.get("sha1")
    if not isinstance(sha1, str):  # older wikis (or rvprop without sha1): MediaWiki's is SHA-1 of the text
        sha1 = hashlib.sha1(content.encode("utf-8")).hexdigest()
    ns = page.get("ns")
    return FetchedPage(title=clean_text(page["title"]), page_id=page_id,
                       ns=ns if isinstance(ns, int) and not isinstance(ns, bool) else 0, rev_id=rev_id,
                       rev_timestamp=timestamp if isinstance(timestamp, str) else None,
                       sha1=sha1, content=clean_text(content),
                       asked=tuple(replace(o, page_id=page_id) for o in outcomes))
