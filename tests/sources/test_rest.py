"""`fetch --format html` against a fake MediaWiki REST API on 127.0.0.1 (pytest-httpserver): pages'
HTML with their revision ids, missing and redirected titles, faults retried within the budget,
sidecars read back by the raw/ reader, and a curated mission with the revision id recorded."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug import Response

from pipeline.cli import cli
from pipeline.run import process
from pipeline.sources.files import list_inputs, read_file
from pipeline.sources.rest import RestClient, fetch_html_to_raw, rest_url

DATA = Path(__file__).resolve().parents[1] / "data" / "html"
UA = "infobox-etl-tests/1.0 (https://example.org/infobox-etl; data-team@example.org)"
PAGE = "/w/rest.php/v1/page/{}/with_html"


def with_html(title: str, page_id: int, rev_id: int, html: str) -> dict:
    """The shape of rest.php's answer (MediaWiki REST API reference, "Get HTML")."""
    return {"id": page_id, "key": title.replace(" ", "_"), "title": title,
            "latest": {"id": rev_id, "timestamp": "2016-04-20T01:32:15Z"}, "content_model": "wikitext",
            "license": {"url": "https://creativecommons.org/licenses/by-sa/4.0/", "title": "CC BY-SA 4.0"},
            "html": html}


@pytest.fixture
def apollo_html() -> str:
    return (DATA / "Apollo_11.html").read_text(encoding="utf-8")


@pytest.fixture
def client(httpserver):
    waits: list[float] = []
    c = RestClient(httpserver.url_for("/w/api.php"), user_agent=UA, max_retries=3, backoff=0.5,
                   sleep=waits.append)
    c.waits = waits
    yield c
    c.close()


def test_rest_url_sits_beside_api_php():
    assert rest_url("https://en.wikipedia.org/w/api.php") == "https://en.wikipedia.org/w/rest.php"


def test_pages_are_stored_with_revision_ids_and_read_back(httpserver, client, apollo_html, tmp_path):
    httpserver.expect_request(PAGE.format("Apollo_11")).respond_with_json(
        with_html("Apollo 11", 662, 716123666, apollo_html))
    httpserver.expect_request(PAGE.format("Apollo_XI")).respond_with_response(
        Response(status=307, headers={"Location": PAGE.format("Apollo_11")}))
    httpserver.expect_request(PAGE.format("No_such_mission")).respond_with_json(
        {"httpCode": 404, "httpReason": "Not Found"}, status=404)
    report = fetch_html_to_raw(client, tmp_path, titles=["Apollo 11", "Apollo XI", "No such mission"])
    assert report.error is None
    by = {o["asked"]: o for o in report.outcomes}
    assert by["Apollo 11"]["status"] == "stored" and by["Apollo 11"]["rev_id"] == 716123666
    assert by["Apollo XI"]["redirected_to"] == "Apollo 11" and by["Apollo XI"]["file"] == "api/Apollo_11.html"
    assert by["No such mission"]["status"] == "missing"
    assert report.pages_written == 1
    stored = tmp_path / "api" / "Apollo_11.html"
    assert stored.read_text(encoding="utf-8") == apollo_html
    meta = json.loads((tmp_path / "api" / "Apollo_11.html.meta.json").read_text(encoding="utf-8"))
    assert (meta["rev_id"], meta["page_id"], meta["source_format"]) == (716123666, 662, "html")
    assert all(r.headers["User-Agent"] == UA for r, _ in httpserver.log)
    assert [p.name for p in list_inputs(tmp_path)] == ["Apollo_11.html"]     # sidecar and log are not inputs
    raw = read_file(stored, tmp_path, 10**7)
    assert (raw.fmt, raw.source_format, raw.rev_id, raw.title) == ("html", "html", 716123666, "Apollo 11")
    result = process(raw)
    assert result.input_row["outcome"] == "curated"
    assert (result.bundle.row["rev_id"], result.bundle.row["source_format"]) == (716123666, "html")
    again = fetch_html_to_raw(client, tmp_path, titles=["Apollo 11"])
    assert again.pages_unchanged == 1 and again.pages_written == 0
    assert len(json.loads((tmp_path / "api" / ".fetch-log.json").read_text(encoding="utf-8"))) == 2


def test_503_waits_for_retry_after_and_broken_json_is_retried(httpserver, client, apollo_html, tmp_path):
    url = PAGE.format("Apollo_11")
    httpserver.expect_ordered_request(url).respond_with_response(
        Response("busy", status=503, headers={"Retry-After": "7"}))
    httpserver.expect_ordered_request(url).respond_with_data('{"id": 662, "html": "<ht',
                                                             content_type="application/json")
    httpserver.expect_ordered_request(url).respond_with_json(with_html("Apollo 11", 662, 716123666, apollo_html))
    report = fetch_html_to_raw(client, tmp_path, titles=["Apollo 11"])
    assert report.error is None and report.pages_written == 1
    assert client.waits[0] == 7.0 and len(client.waits) == 2
    assert report.requests == 3 and report.retries == 2


def test_a_server_that_stays_down_stops_the_run_with_the_reason(httpserver, client, tmp_path):
    httpserver.expect_request(PAGE.format("Apollo_11")).respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "1"}))
    report = fetch_html_to_raw(client, tmp_path, titles=["Apollo 11", "Apollo 12"])
    assert "HTTP 429" in report.error and "gave up after 3 attempts" in report.error
    assert {o["asked"]: o["status"] for o in report.outcomes} == {"Apollo 11": "not_fetched",
                                                                  "Apollo 12": "not_fetched"}
    assert len(httpserver.log) == 3                                 # the budget, not more


def test_fetch_command_html_template_mode(httpserver, apollo_html, tmp_path):
    httpserver.expect_request("/w/api.php").respond_with_json(
        {"batchcomplete": True, "query": {"embeddedin": [{"pageid": 662, "ns": 0, "title": "Apollo 11"}]}})
    httpserver.expect_request(PAGE.format("Apollo_11")).respond_with_json(
        with_html("Apollo 11", 662, 716123666, apollo_html))
    out = CliRunner().invoke(cli, ["fetch", "--format", "html", "--api", httpserver.url_for("/w/api.php"),
                                   "--raw", str(tmp_path), "--user-agent", UA])
    assert out.exit_code == 0, out.output
    assert "stored 1" in out.output
    listing = next(r for r, _ in httpserver.log if r.path == "/w/api.php")
    assert listing.args["list"] == "embeddedin" and listing.args["maxlag"] == "5"
    assert (tmp_path / "api" / "Apollo_11.html").is_file()
    bad = CliRunner().invoke(cli, ["fetch", "--format", "html", "--from-dump", str(DATA / "Apollo_11.html")])
    assert bad.exit_code == 2
