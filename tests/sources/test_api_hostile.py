"""The API client against hostile servers on 127.0.0.1 (issue 18): each attack, then the guarantee.

A server that drips its answer, one whose continuation never ends, a gzip bomb, a redirect to
another host, and JSON that spells a lone surrogate. The client must give up within its limits
with an ApiError (never hang, never exhaust memory, never silently fetch from elsewhere), and
what it stores must be text UTF-8 can hold.
"""
from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from pipeline.sources.api import ApiError, CrossHostRedirect, FetchedPage, MediaWikiClient
from pipeline.sources.api_store import fetch_to_raw

UA = "infobox-etl-tests/1.0 (https://example.org/infobox-etl; data-team@example.org)"


def _page(title: str, page_id: int, content_json: str) -> str:
    """A formatversion=2 page whose content is given as JSON text (to spell escapes verbatim)."""
    return ('{"pageid": %d, "ns": 0, "title": %s, "contentmodel": "wikitext", "lastrevid": %d, '
            '"revisions": [{"revid": %d, "timestamp": "2024-01-01T00:00:00Z", "slots": {"main": '
            '{"contentmodel": "wikitext", "content": %s}}}]}'
            % (page_id, json.dumps(title), page_id + 100, page_id + 100, content_json))


class Hostile(BaseHTTPRequestHandler):
    mode = "ok"
    calls = 0

    def log_message(self, *a):
        pass

    def _send(self, body: bytes, headers: dict | None = None, status: int = 200):
        self.send_response(status)
        for k, v in (headers or {"Content-Type": "application/json"}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return body

    def do_GET(self):
        cls = type(self)
        cls.calls += 1
        params = dict(parse_qsl(urlsplit(self.path).query))
        mode = cls.mode
        if mode == "drip":
            body = self._send(b'{"query": {"pages": []}}' + b" " * 100)
            for i in range(len(body)):
                try:
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)
            return
        if mode == "loop":  # a new token every time, never the end
            out = {"query": {"embeddedin": [{"ns": 0, "title": "Same"}]},
                   "continue": {"eicontinue": f"0|{cls.calls}", "continue": "-||"}}
            self.wfile.write(self._send(json.dumps(out).encode()))
            return
        if mode == "bomb":
            body = gzip.compress(b"[" + b" " * 60_000_000 + b"]", 9)
            self.wfile.write(self._send(body, {"Content-Type": "application/json", "Content-Encoding": "gzip"}))
            return
        if mode == "redirect-away":
            port = self.server.server_address[1]
            self.wfile.write(self._send(b"", {"Location": f"http://localhost:{port}/elsewhere/api.php"}, 302))
            return
        if mode == "redirect-home" and self.path.startswith("/w/api.php"):
            self.wfile.write(self._send(b"", {"Location": self.path.replace("/w/", "/new/", 1)}, 301))
            return
        titles = params.get("titles", "").split("|")
        pages = [_page(t, i + 1, '"X\\ud800 {{Infobox spaceflight|name=%s}}"' % t if t == "Bad" else
                       json.dumps("{{Infobox spaceflight|name=%s}}" % t)) for i, t in enumerate(titles)]
        self.wfile.write(self._send(('{"batchcomplete": true, "query": {"pages": [%s]}}'
                                     % ", ".join(pages)).encode()))


@pytest.fixture
def server():
    handler = type("H", (Hostile,), {"mode": "ok", "calls": 0})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{httpd.server_address[1]}/w/api.php"
    httpd.shutdown()
    httpd.server_close()


def client(url: str, **kw) -> MediaWikiClient:
    return MediaWikiClient(url, user_agent=UA, max_retries=1, sleep=lambda s: None, **kw)


def test_a_lone_surrogate_in_json_does_not_stop_the_fetch(server, tmp_path):
    """Attack: page content with a JSON `\\ud800` escape aborted the fetch (UnicodeEncodeError
    while storing), later pages not stored. Guarantee: stored with U+FFFD, the others too."""
    handler, url = server
    with client(url) as c:
        report = fetch_to_raw(c, tmp_path, titles=["Bad", "Good"])
    assert report.error is None
    assert [o["status"] for o in report.outcomes] == ["stored", "stored"]
    assert (tmp_path / "api" / "Bad.wikitext").read_text(encoding="utf-8").startswith("X\ufffd ")


def test_a_dripping_server_is_given_up_on_at_the_deadline(server):
    """Attack: a byte every 0.2 s; the per-read timeout never fires. Guarantee: the answer is
    given up on soon after the total deadline."""
    handler, url = server
    handler.mode = "drip"
    start = time.monotonic()
    with client(url, deadline=1.0, timeout=5.0) as c, pytest.raises(ApiError, match="took more than 1 s"):
        c.call({"list": "embeddedin", "eititle": "Template:X"})
    assert time.monotonic() - start < 3


def test_a_continuation_that_never_ends_is_cut(server):
    """Attack: every answer carries a new `continue` token. Guarantee: ApiError after the cap."""
    handler, url = server
    handler.mode = "loop"
    with client(url, max_continuations=30) as c, pytest.raises(ApiError, match="more than 30 answers"):
        list(c.embedded_in("Template:X"))
    assert handler.calls == 30


def test_a_gzip_bomb_is_stopped_at_the_size_cap(server):
    """Attack: 60 MB of JSON in a 60 KB gzip answer (the 1.5 MB -> 1.6 GB kind). Guarantee: the
    client stops decompressing at its cap and says why."""
    handler, url = server
    handler.mode = "bomb"
    with client(url, max_bytes=5_000_000) as c, pytest.raises(ApiError, match="over 5,000,000 bytes"):
        c.call({"list": "embeddedin", "eititle": "Template:X"})


def test_a_redirect_to_another_host_is_refused(server, tmp_path):
    """Attack: the API redirects to another host; the client followed it silently and recorded
    the original host. Guarantee: refused with a message naming the target; nothing stored."""
    handler, url = server
    handler.mode = "redirect-away"
    with client(url) as c:
        with pytest.raises(CrossHostRedirect, match="redirected to another host .*localhost"):
            c.call({"list": "embeddedin", "eititle": "Template:X"})
        report = fetch_to_raw(c, tmp_path, titles=["Apollo 11"])
    assert "redirected to another host" in report.error
    assert not list((tmp_path / "api").glob("*.wikitext"))


def test_a_redirect_on_the_same_host_is_followed(server):
    handler, url = server
    handler.mode = "redirect-home"
    with client(url) as c:
        pages = list(c.fetch_pages(["Good"]))
    assert isinstance(pages[0], FetchedPage) and pages[0].title == "Good"


def test_rest_answers_are_cleaned_and_range_checked_where_they_enter():
    """The REST client (fetch --format html) decodes JSON too: a lone surrogate in the HTML or the
    title is replaced before anything stores it, an id beyond int64 makes the answer invalid."""
    from pipeline.sources.rest import _page

    page = _page("X", {"html": "<p>a\ud800</p>", "id": 1, "title": "X\ud800", "latest": {"id": 2}}, [])
    assert (page.content, page.title) == ("<p>a\ufffd</p>", "X\ufffd")
    page.content.encode("utf-8")
    bad = _page("X", {"html": "<p/>", "id": 2**63, "title": "X", "latest": {"id": 2}}, [])
    assert bad.status == "invalid"
