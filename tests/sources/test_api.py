"""The MediaWiki API source against a fake MediaWiki on 127.0.0.1 (never the network).

The fake answers from fixture answers derived from real API responses (fixtures/README.md): it
normalises titles, resolves redirects, marks missing and invalid pages as MediaWiki does, pages
through `continue`, and injects faults on demand. It records every request with its times, so
the tests can check etiquette (User-Agent, parameters, one request at a time) and waits.
"""
from __future__ import annotations

import copy
import gzip
import hashlib
import json
import logging
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import cli
from pipeline.sources import api_store
from pipeline.sources.api import ApiError, ApiUnavailable, FetchedPage, MediaWikiClient, TitleOutcome
from pipeline.sources.api_store import fetch_to_raw, safe_stem
from pipeline.sources.files import list_inputs, read_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
UA = "infobox-etl-tests/1.0 (https://example.org/infobox-etl; data-team@example.org)"
DEFAULT_UA = re.compile(r"^infobox-etl/\S+ \(https://\S+; \S+@\S+\) requests/\S+$")


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Recorded:
    start: float
    method: str
    params: dict
    headers: dict
    answered: float = 0.0    # just before the answer was written
    done: float = 0.0        # after it was written
    gzipped: bool = False
    fault: tuple | None = None


@dataclass
class FakeWiki:
    url: str = ""
    pages: dict = field(default_factory=dict)       # title -> page object (formatversion=2)
    redirects: dict = field(default_factory=dict)   # from -> to
    embedded: list = field(default_factory=list)    # titles transcluding the template
    ei_page: int = 500                              # titles per embeddedin answer
    rev_page: int = 50                              # pages with content per answer
    faults: list = field(default_factory=list)      # one per request, in order
    always: tuple | None = None                     # a fault for every request
    verbatim: dict | None = None                    # answer every query with this body
    delay: float = 0.0
    expected_ua: str = UA
    requests: list = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_page(self, title: str, content: str, page_id: int, rev_id: int = 1,
                 timestamp: str = "2024-01-01T00:00:00Z") -> None:
        self.pages[title] = {
            "pageid": page_id, "ns": 0, "title": title, "contentmodel": "wikitext", "lastrevid": rev_id,
            "revisions": [{"revid": rev_id, "parentid": 0, "timestamp": timestamp,
                           "sha1": hashlib.sha1(content.encode()).hexdigest(),
                           "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki",
                                              "content": content}}}]}

    # -- MediaWiki's behaviour, as far as these tests need it --------------------------------------
    @staticmethod
    def normalise(asked: str) -> tuple[str | None, str | None]:
        bad = re.search(r"%[0-9A-Fa-f]{2}|[#<>\[\]{}]", asked)
        if bad:
            return None, f'The requested page title contains invalid characters: "{bad.group(0)}".'
        title = " ".join(asked.replace("_", " ").split())
        if not title:
            return None, "The requested page title is empty or contains only the name of a namespace."
        return title[0].upper() + title[1:], None

    def answer(self, params: dict) -> dict:
        if self.verbatim is not None:
            return self.verbatim
        if params.get("list") == "embeddedin":
            start = int(params.get("eicontinue", "0|0").split("|")[1])
            chunk = self.embedded[start:start + self.ei_page]
            out = {"batchcomplete": True, "query": {"embeddedin": [
                {"pageid": 1000 + start + i, "ns": 0, "title": t} for i, t in enumerate(chunk)]}}
            if start + self.ei_page < len(self.embedded):
                out["continue"] = {"eicontinue": f"0|{start + self.ei_page}", "continue": "-||"}
            return out
        normalized, redirects, entries = [], [], {}
        for asked in params["titles"].split("|"):
            title, problem = self.normalise(asked)
            if problem:
                entries[asked] = {"title": asked, "invalidreason": problem, "invalid": True}
                continue
            if title != asked:
                normalized.append({"fromencoded": False, "from": asked, "to": title})
            if title in self.redirects:
                redirects.append({"from": title, "to": self.redirects[title]})
                title = self.redirects[title]
            page = self.pages.get(title)
            entries[title] = ({k: v for k, v in page.items() if k != "revisions"} if page
                              else {"ns": 0, "title": title, "missing": True, "contentmodel": "wikitext"})
        with_content = sorted((e for e in entries.values() if "pageid" in e), key=lambda e: e["pageid"])
        start = int(params.get("rvcontinue", "0"))
        for e in with_content[start:start + self.rev_page]:
            e["revisions"] = copy.deepcopy(self.pages[e["title"]]["revisions"])
        query = {"pages": list(entries.values())}
        if normalized:
            query["normalized"] = normalized
        if redirects:
            query["redirects"] = redirects
        out = {"query": query}
        if start + self.rev_page < len(with_content):
            out["continue"] = {"rvcontinue": str(start + self.rev_page), "continue": "||"}
        else:
            out["batchcomplete"] = True
        return out

    # -- HTTP ----------------------------------------------------------------------------------------
    def handle(self, h: BaseHTTPRequestHandler) -> None:
        params = dict(parse_qsl(urlsplit(h.path).query, keep_blank_values=True))
        if h.command == "POST":
            body = h.rfile.read(int(h.headers.get("Content-Length", "0")))
            params.update(parse_qsl(body.decode(), keep_blank_values=True))
        rec = Recorded(time.monotonic(), h.command, params, dict(h.headers.items()))
        with self.lock:
            self.requests.append(rec)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            rec.fault = self.faults.pop(0) if self.faults else self.always
            self._respond(h, params, rec)
        finally:
            with self.lock:
                if not rec.answered:
                    rec.answered = time.monotonic()
                    self.in_flight -= 1
            rec.done = rec.done or time.monotonic()

    def _send(self, h, rec, status: int, body: bytes, headers: dict, cut: bool = False) -> None:
        time.sleep(self.delay)
        if "gzip" in h.headers.get("Accept-Encoding", "") and not cut and status == 200:
            body = gzip.compress(body)
            headers = {**headers, "Content-Encoding": "gzip"}
            rec.gzipped = True
        with self.lock:
            rec.answered = time.monotonic()
            self.in_flight -= 1
        h.send_response(status)
        for k, v in {"Content-Type": "application/json; charset=utf-8", **headers}.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[:len(body) // 2] if cut else body)
        if cut:
            h.close_connection = True
        rec.done = time.monotonic()

    def _respond(self, h, params: dict, rec: Recorded) -> None:
        kind = rec.fault[0] if rec.fault else None
        if kind == "reset":  # RST instead of an answer
            h.rfile.close()
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            h.close_connection = True
            return
        if kind == "sleep":  # longer than the client's timeout
            time.sleep(rec.fault[1])
        if kind == "status":
            headers = {"Retry-After": rec.fault[2]} if rec.fault[2] else {}
            return self._send(h, rec, rec.fault[1], b"busy", {"Content-Type": "text/plain", **headers})
        if kind == "maxlag":
            error = {"error": {"code": "maxlag", "info": "Waiting for 10.64.48.35: 7 seconds lagged.",
                               "host": "10.64.48.35", "lag": 7, "type": "db"}, "servedby": "mw1234"}
            headers = {"X-Database-Lag": "7", **({"Retry-After": rec.fault[1]} if rec.fault[1] else {})}
            return self._send(h, rec, 200, json.dumps(error).encode(), headers)
        body = json.dumps(self.answer(params), ensure_ascii=False).encode()
        if kind == "truncate":  # a well-formed HTTP answer whose JSON is cut short
            return self._send(h, rec, 200, body[:len(body) // 2], {}, cut=False)
        self._send(h, rec, 200, body, {}, cut=(kind == "cut"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.wiki.handle(self)

    do_POST = do_GET

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # resets and abandoned answers are the point of some tests


def _base_wiki() -> FakeWiki:
    wiki = FakeWiki()
    for name in ("query_apollo.json", "query_argentina_ukraine_missing.json", "query_redirect_einstein.json"):
        answer = fixture(name)
        for page in answer["query"]["pages"]:
            if page.get("revisions"):
                wiki.pages[page["title"]] = page
        for r in answer["query"].get("redirects", []):
            wiki.redirects[r["from"]] = r["to"]
    return wiki


@pytest.fixture
def wiki():
    fake = _base_wiki()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.wiki = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/w/api.php"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    # Etiquette, checked after every test: who we are (with a contact) and gzip, on every request.
    for r in fake.requests:
        ua = r.headers.get("User-Agent", "")
        assert ua == fake.expected_ua or (fake.expected_ua == "default" and DEFAULT_UA.match(ua)), ua
        assert "gzip" in r.headers.get("Accept-Encoding", "")


def client(wiki: FakeWiki, **kw) -> MediaWikiClient:
    kw = {"user_agent": UA, "backoff": 0.01, "timeout": 5.0, **kw}
    return MediaWikiClient(kw.pop("url", wiki.url), **kw)


def api_files(raw: Path) -> list[str]:
    return sorted(p.name for p in (raw / "api").iterdir())


# -- storage and metadata ---------------------------------------------------------------------------

def test_real_wikitext_is_stored_byte_for_byte_with_its_metadata(wiki, tmp_path):
    report = fetch_to_raw(client(wiki), tmp_path, titles=["Apollo 11", "Apollo 8"])
    assert report.error is None and len(wiki.requests) == 1  # both pages in one answer
    port = urlsplit(wiki.url).port
    for title, page_id, rev_id, stamp in (("Apollo 11", 662, 716123666, "2016-04-20T01:32:15Z"),
                                          ("Apollo 8", 663, 716637143, "2016-04-22T21:55:10Z")):
        stem = title.replace(" ", "_")
        original = (RAW / f"{stem}.wikitext").read_bytes()
        assert (tmp_path / "api" / f"{stem}.wikitext").read_bytes() == original
        meta = json.loads((tmp_path / "api" / f"{stem}.wikitext.meta.json").read_text(encoding="utf-8"))
        fetched_at = meta.pop("fetched_at")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", fetched_at)
        assert meta == {"title": title, "page_id": page_id, "rev_id": rev_id, "rev_timestamp": stamp,
                        "sha1": hashlib.sha1(original).hexdigest(),
                        "source_url": f"http://127.0.0.1:{port}/wiki/{stem}", "api": wiki.url,
                        "requested_as": title, "source_format": "api"}
    # The raw/ reader takes the pages (not the sidecars or the log) with their revision metadata.
    inputs = list_inputs(tmp_path)
    assert [p.name for p in inputs] == ["Apollo_11.wikitext", "Apollo_8.wikitext"]
    read = read_file(inputs[0], tmp_path, 10**8)
    assert (read.source_format, read.title, read.page_id, read.rev_id) == ("api", "Apollo 11", 662, 716123666)
    assert report.counts()["stored"] == 2 and report.counts()["requests"] == 1


def test_unchanged_pages_are_not_rewritten_and_runs_are_logged(wiki, tmp_path):
    fetch_to_raw(client(wiki), tmp_path, titles=["Apollo 11", "Apollo 8"])
    text = tmp_path / "api" / "Apollo_8.wikitext"
    before = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (tmp_path / "api").glob("Apollo*")}
    again = fetch_to_raw(client(wiki), tmp_path, titles=["Apollo 11", "Apollo 8"])
    assert again.counts()["unchanged"] == 2 and again.pages_written == 0
    assert {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (tmp_path / "api").glob("Apollo*")} == before
    wiki.add_page("Apollo 8", "{{Infobox spaceflight\n| name = Apollo 8\n}}\nEdited.", 663, rev_id=999)
    third = fetch_to_raw(client(wiki), tmp_path, titles=["Apollo 11", "Apollo 8"])
    assert (third.counts()["stored"], third.counts()["unchanged"]) == (1, 1)
    assert text.read_text(encoding="utf-8").endswith("Edited.")
    assert json.loads((tmp_path / "api" / "Apollo_8.wikitext.meta.json").read_text())["rev_id"] == 999
    runs = json.loads((tmp_path / "api" / ".fetch-log.json").read_text(encoding="utf-8"))
    assert [r["counts"]["unchanged"] for r in runs] == [0, 2, 1]
    assert not any(p.name.startswith(".tmp-") for p in (tmp_path / "api").iterdir())


def test_interrupted_writes_leave_whole_files_only(wiki, tmp_path, monkeypatch):
    fetch_to_raw(client(wiki), tmp_path, titles=["Apollo 8"])
    old = (tmp_path / "api" / "Apollo_8.wikitext").read_bytes()
    wiki.add_page("Apollo 8", "new text " * 1000, 663, rev_id=999)
    wiki.add_page("Apollo 11", "new text " * 1000, 662, rev_id=998)

    def interrupted(src, dst):
        raise KeyboardInterrupt  # killed between writing the temporary file and renaming it

    monkeypatch.setattr(api_store.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fetch_to_raw(client(wiki), tmp_path, titles=["Apollo 11", "Apollo 8"])
    monkeypatch.undo()
    assert (tmp_path / "api" / "Apollo_8.wikitext").read_bytes() == old
    assert api_files(tmp_path) == [".fetch-log.json", "Apollo_8.wikitext", "Apollo_8.wikitext.meta.json"]


# -- etiquette ---------------------------------------------------------------------------------------

def test_every_request_is_polite_batched_and_sequential(wiki, tmp_path):
    wiki.delay = 0.01
    wiki.rev_page = 2  # content for two pages per answer: continuation inside each batch
    titles = ["Apollo 11", "Apollo 8", "Argentina", "Ukraine"] + [f"No such page {i}" for i in range(116)]
    report = fetch_to_raw(client(wiki), tmp_path, titles=titles)
    counts = report.counts()
    assert (counts["asked"], counts["stored"], counts["missing"]) == (120, 4, 116)
    batches = [r for r in wiki.requests if "titles" in r.params]
    assert sorted({len(r.params["titles"].split("|")) for r in batches}) == [20, 50]
    assert len({r.params["titles"] for r in batches}) == 3
    for r in wiki.requests:
        assert r.params["maxlag"] == "5" and r.params["formatversion"] == "2" and r.params["format"] == "json"
        assert (r.params["prop"], r.params["rvprop"], r.params["rvslots"], r.params["redirects"]) == \
            ("revisions|info", "content|ids|timestamp|sha1", "main", "1")
        assert r.gzipped  # the fake gzips when asked; the client decoded every answer
    assert any("rvcontinue" in r.params for r in wiki.requests)
    assert wiki.max_in_flight == 1
    for prev, nxt in zip(wiki.requests, wiki.requests[1:]):
        assert nxt.start >= prev.answered  # one request at a time
    assert counts["requests"] == len(wiki.requests) and counts["retries"] == 0


def test_default_user_agent_names_the_tool_and_a_contact(wiki):
    wiki.expected_ua = "default"
    with MediaWikiClient(wiki.url, backoff=0.01) as c:
        assert list(c.embedded_in("Infobox spaceflight")) == []
    assert DEFAULT_UA.match(wiki.requests[0].headers["User-Agent"])


def test_embeddedin_listing_follows_continue_and_stops_at_the_limit(wiki, tmp_path):
    wiki.embedded = ["Apollo 11", "Apollo 8", "Argentina", "Ukraine", "Albert Einstein"]
    wiki.ei_page = 2
    assert list(client(wiki).embedded_in("Infobox spaceflight")) == wiki.embedded
    assert len(wiki.requests) == 3
    for r in wiki.requests:
        assert (r.params["list"], r.params["eititle"], r.params["einamespace"], r.params["eilimit"]) == \
            ("embeddedin", "Template:Infobox spaceflight", "0", "max")
    assert [r.params.get("eicontinue") for r in wiki.requests] == [None, "0|2", "0|4"]
    wiki.requests.clear()
    assert list(client(wiki).embedded_in("Template:Infobox spaceflight", limit=3)) == wiki.embedded[:3]
    assert len(wiki.requests) == 2  # no request beyond the limit
    wiki.requests.clear()
    report = fetch_to_raw(client(wiki), tmp_path)  # template mode
    assert (report.mode, report.counts()["stored"]) == ("template", 5)
    assert len(api_files(tmp_path)) == 11  # five pages, their sidecars, the log


def test_revisions_arriving_after_continue_are_not_lost(wiki):
    wiki.rev_page = 1
    items = list(client(wiki).fetch_pages(["Apollo 11", "Apollo 8", "Argentina"]))
    assert sorted(i.title for i in items if isinstance(i, FetchedPage)) == ["Apollo 11", "Apollo 8", "Argentina"]
    assert [r.params.get("rvcontinue") for r in wiki.requests] == [None, "1", "2"]
    assert all(r.params["titles"] == "Apollo 11|Apollo 8|Argentina" for r in wiki.requests)
    apollo = next(i for i in items if i.title == "Apollo 11")
    assert apollo.content.encode() == (RAW / "Apollo_11.wikitext").read_bytes()


def test_long_title_lists_go_in_a_post_body(wiki):
    titles = ["Ю" * 60 + f" {i}" for i in range(50)]
    items = list(client(wiki).fetch_pages(titles))
    assert len(items) == 50 and {i.status for i in items} == {"missing"}
    assert [r.method for r in wiki.requests] == ["POST"]


# -- retries -----------------------------------------------------------------------------------------

def test_429_and_503_wait_for_retry_after(wiki, tmp_path):
    wiki.faults = [("status", 429, "1"), ("status", 503, "1")]
    report = fetch_to_raw(client(wiki), tmp_path, titles=["Apollo 8"])
    assert report.counts()["stored"] == 1 and (report.requests, report.retries) == (3, 2)
    for prev, nxt in zip(wiki.requests, wiki.requests[1:]):
        assert nxt.start - prev.done >= 1.0  # nothing sent before Retry-After elapsed


def test_maxlag_error_with_http_200_waits_for_retry_after(wiki):
    wiki.faults = [("maxlag", "1")]
    c = client(wiki)
    items = list(c.fetch_pages(["Apollo 8"]))
    assert isinstance(items[0], FetchedPage) and c.retries == 1
    first, second = wiki.requests
    assert second.start - first.done >= 1.0


def test_resets_and_timeouts_are_retried(wiki):
    wiki.faults = [("reset",), ("sleep", 1.5), ("cut",)]
    c = client(wiki, timeout=0.5)
    items = list(c.fetch_pages(["Apollo 8"]))
    assert isinstance(items[0], FetchedPage) and items[0].rev_id == 716637143
    assert (c.requests_sent, c.retries) == (4, 3)


def test_truncated_json_is_retried(wiki):
    wiki.faults = [("truncate",)]
    c = client(wiki)
    assert isinstance(next(iter(c.fetch_pages(["Apollo 8"]))), FetchedPage)
    assert c.retries == 1


def test_json_that_stays_broken_is_a_clear_error(wiki, tmp_path):
    wiki.always = ("truncate",)
    with pytest.raises(ApiError) as caught:
        list(client(wiki, max_retries=3).fetch_pages(["Apollo 8"]))
    assert not isinstance(caught.value, ApiUnavailable)
    assert "not valid JSON" in str(caught.value) and "3 attempts" in str(caught.value)
    assert len(wiki.requests) == 3
    wiki.requests.clear()
    result = CliRunner().invoke(cli, ["fetch", "--api", wiki.url, "--user-agent", UA, "--titles", "Apollo 8",
                                      "--raw", str(tmp_path), "--max-attempts", "2"])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and "not valid JSON" in result.stderr
    assert "Traceback" not in result.output


def test_attempts_are_bounded_and_waits_grow(wiki):
    waits: list[float] = []
    wiki.always = ("status", 503, None)
    with pytest.raises(ApiUnavailable, match="HTTP 503.*4 attempts"):
        list(client(wiki, max_retries=4, sleep=waits.append).fetch_pages(["Apollo 8"]))
    assert len(wiki.requests) == 4
    assert waits == sorted(waits) and len(set(waits)) == len(waits) and waits[-1] >= 2 * waits[0]
    wiki.requests.clear()
    waits.clear()
    wiki.always = ("maxlag", None)  # no Retry-After: exponential backoff
    with pytest.raises(ApiUnavailable, match="maxlag"):
        list(client(wiki, max_retries=4, sleep=waits.append).fetch_pages(["Apollo 8"]))
    assert len(wiki.requests) == 4 and waits == pytest.approx([0.01, 0.02, 0.04])


def test_unreachable_api_exits_1_with_one_line(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.run([sys.executable, "-m", "pipeline", "fetch", "--api", f"http://127.0.0.1:{port}/w/api.php",
                           "--titles", "Apollo 8", "--raw", str(tmp_path), "--max-attempts", "2"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "cannot reach" in proc.stderr and "Traceback" not in proc.stderr
    runs = json.loads((tmp_path / "api" / ".fetch-log.json").read_text())
    assert "cannot reach" in runs[0]["error"]
    assert [(o["asked"], o["status"]) for o in runs[0]["outcomes"]] == [("Apollo 8", "not_fetched")]


# -- what became of each title -----------------------------------------------------------------------

def test_every_asked_title_is_accounted_for_once(wiki, tmp_path):
    asked = ["apollo 11", "Apollo 11", "Apollo_11", "Einstein", "Albert Einstein",
             "WTF I just read? Make me unsee it", "It%27s not", "Argentina",
             "Why I am still trying this kind of stuff, huh?", "a|b", "", "Argentina"]
    report = fetch_to_raw(client(wiki), tmp_path, titles=asked)
    by_asked = {o["asked"]: o for o in report.outcomes}
    assert len(report.outcomes) == len(by_asked) == len(set(asked))
    assert by_asked["apollo 11"]["normalized_to"] == "Apollo 11"
    assert by_asked["Apollo_11"]["normalized_to"] == "Apollo 11"
    assert by_asked["Einstein"]["redirected_to"] == "Albert Einstein"
    assert {by_asked[t]["file"] for t in ("apollo 11", "Apollo 11", "Apollo_11")} == {"api/Apollo_11.wikitext"}
    assert {by_asked[t]["status"] for t in ("apollo 11", "Apollo 11", "Apollo_11", "Einstein", "Argentina")} \
        == {"stored"}
    assert by_asked["WTF I just read? Make me unsee it"]["status"] == "missing"
    assert by_asked["It%27s not"]["status"] == "invalid" and "%27" in by_asked["It%27s not"]["reason"]
    assert by_asked["a|b"]["status"] == by_asked[""]["status"] == "invalid"
    assert report.counts() | {"requests": 0} == {
        "asked": 11, "stored": 6, "unchanged": 0, "missing": 2, "invalid": 3, "not_fetched": 0,
        "redirected": 1, "normalised": 2, "pages_written": 3, "pages_unchanged": 0, "requests": 0, "retries": 0}
    assert api_files(tmp_path) == [".fetch-log.json"] + sorted(
        f"{s}.wikitext{x}" for s in ("Albert_Einstein", "Apollo_11", "Argentina") for x in ("", ".meta.json"))
    meta = json.loads((tmp_path / "api" / "Apollo_11.wikitext.meta.json").read_text())
    assert meta["requested_as"] == "apollo 11"
    logged = json.loads((tmp_path / "api" / ".fetch-log.json").read_text())[-1]
    assert logged["outcomes"] == report.outcomes and logged["mode"] == "titles"
    assert "missing 2, invalid 3" in report.summary() and "redirected 1, normalised 2" in report.summary()


def test_one_page_asked_in_two_batches_is_stored_once(wiki, tmp_path):
    asked = ["apollo 11"] + [f"Filler {i}" for i in range(49)] + ["Apollo 11"]
    report = fetch_to_raw(client(wiki), tmp_path, titles=asked)
    assert report.pages_written == 1 and report.counts()["stored"] == 2
    assert len([r for r in wiki.requests if "titles" in r.params]) == 2


def test_real_answers_of_the_older_shape_and_invalid_titles_are_read(wiki):
    wiki.verbatim = fixture("legacy_query_argentina_ukraine_missing.json")  # 2017, formatversion=1
    items = list(client(wiki).fetch_pages(["Argentina", "Ukraine", "WTF I just read? Make me unsee it"]))
    pages = {i.title: i for i in items if isinstance(i, FetchedPage)}
    assert pages["Argentina"].rev_id == 799647522 and pages["Argentina"].content.startswith("{{other uses}}")
    assert pages["Argentina"].sha1 == hashlib.sha1(pages["Argentina"].content.encode()).hexdigest()
    assert [i.status for i in items if isinstance(i, TitleOutcome)] == ["missing"]
    wiki.verbatim = fixture("query_invalid.json")
    (outcome,) = client(wiki).fetch_pages(["It%27s not"])
    assert outcome.status == "invalid" and "invalid characters" in outcome.reason


def test_logs_and_output_never_show_headers_or_secrets(wiki, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    wiki.faults = [("status", 503, None), ("maxlag", None)]
    secret_url = wiki.url.replace("http://", "http://bot:s3cret-token@")
    report = fetch_to_raw(client(wiki, url=secret_url), tmp_path, titles=["Apollo 8"])
    assert report.counts()["stored"] == 1 and "retrying" in caplog.text
    assert wiki.requests[-1].headers.get("Authorization")  # the credentials were used ...
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "api").iterdir())
    for text in (caplog.text, report.summary(), written):  # ... and never shown
        assert "s3cret" not in text and UA not in text and "Authorization" not in text


# -- file names --------------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_safe_stem_never_escapes_or_breaks_and_is_reversible(title):
    stem = safe_stem(title)
    assert "/" not in stem and "\\" not in stem and "\x00" not in stem and ".." not in stem
    assert not stem.startswith(".") and not stem.endswith(".")
    assert all(ch.isprintable() and not ch.isspace() for ch in stem)
    assert len(stem.encode("utf-8")) <= 150
    if "~" not in stem:  # not cut: the title can be read back from the name
        assert unquote(stem.replace("_", " ")) == title


def test_safe_stem_examples(tmp_path):
    assert safe_stem("Apollo 11") == "Apollo_11"
    assert len({safe_stem("AC/DC"), safe_stem("AC DC"), safe_stem("AC_DC")}) == 3
    for hostile in ("../../etc/passwd", "..", ".", "/abs", "a\\b", "NUL", "con.txt", "x\x00y", "\u202e"):
        stem = safe_stem(hostile)
        assert (tmp_path / stem).resolve().parent == tmp_path.resolve() and not stem.startswith(".")
    long_a, long_b = "Mission " * 40 + "A", "Mission " * 40 + "B"
    assert safe_stem(long_a) != safe_stem(long_b) and len(safe_stem(long_a).encode()) <= 150
    assert re.fullmatch(r".+~[0-9a-f]{8}", safe_stem("Шэньчжоу " * 20))


def test_titles_equal_ignoring_case_get_distinct_files(wiki, tmp_path):
    wiki.add_page("APOLLO 11", "{{Infobox spaceflight}} shouting", 9001)
    wiki.add_page("AC/DC", "{{Infobox band}}", 9002)
    wiki.add_page("AC DC", "{{Infobox band}} other", 9003)
    report = fetch_to_raw(client(wiki), tmp_path, titles=["Apollo 11", "APOLLO 11", "AC/DC", "AC DC"])
    files = [o["file"] for o in report.outcomes]
    assert len({f.casefold() for f in files}) == 4  # safe on case-insensitive file systems
    for o in report.outcomes:
        meta = json.loads((tmp_path / (o["file"] + ".meta.json")).read_text(encoding="utf-8"))
        assert meta["title"] == o["title"]
    again = fetch_to_raw(client(wiki), tmp_path, titles=["APOLLO 11", "Apollo 11"])
    assert again.counts()["unchanged"] == 2  # the hashed name is found again


# -- the command -------------------------------------------------------------------------------------

def test_fetch_command_prints_a_summary(wiki, tmp_path):
    titles = tmp_path / "titles.txt"
    titles.write_text("# missions\nApollo 8\n\nEinstein\nNo such mission\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["fetch", "--api", wiki.url, "--user-agent", UA, "--titles", "Apollo 11",
                                      "--titles-file", str(titles), "--raw", str(tmp_path / "raw")])
    assert result.exit_code == 0, result.output
    assert "asked       4  (stored 3, unchanged 0, missing 1, invalid 0)" in result.stdout
    assert "redirected 1, normalised 0" in result.stdout and "requests    1 sent  (retries 0)" in result.stdout
    assert sorted(p.name for p in list_inputs(tmp_path / "raw")) == \
        ["Albert_Einstein.wikitext", "Apollo_11.wikitext", "Apollo_8.wikitext"]


def test_fetch_command_template_mode_and_limit(wiki, tmp_path):
    wiki.embedded = ["Apollo 11", "Apollo 8", "Argentina"]
    result = CliRunner().invoke(cli, ["fetch", "--api", wiki.url, "--user-agent", UA, "--limit", "2",
                                      "--raw", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert wiki.requests[0].params["eititle"] == "Template:Infobox spaceflight"
    assert "asked       2  (stored 2" in result.stdout


@pytest.mark.parametrize("args", [["--limit", "0"], ["--limit", "-3"], ["--api", "not a url"],
                                  ["--template", "Infobox rocket", "--titles", "Apollo 8"],
                                  ["--titles-file", "/nonexistent/titles.txt"], ["--user-agent", " "]])
def test_fetch_command_usage_errors_exit_2(args, tmp_path):
    result = CliRunner().invoke(cli, ["fetch", "--raw", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "api").exists()
