"""Pre-flight: a run refuses before reading anything what would fail after publishing; fetch
refuses to talk to a Wikimedia wiki without a real contact (nothing is sent)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Config
from pipeline.run import PreflightError, preflight
from pipeline.sources.api import MediaWikiClient
from pipeline.sources.useragent import ContactRequired, is_wikimedia_host, user_agent_problem

ROOT = Path(__file__).resolve().parents[1]


def invoke(*args, env=None, cwd=None):
    return CliRunner(env=env).invoke(cli, list(args))


def test_scheduler_without_dask_is_a_usage_error(tmp_path):
    r = invoke("run", "--raw", str(ROOT / "raw"), "--out", str(tmp_path / "c"), "--reports", str(tmp_path / "r"),
               "--scheduler", "tcp://127.0.0.1:8786")
    assert r.exit_code == 2 and "--scheduler needs --engine dask" in r.output
    assert not (tmp_path / "c").exists()
    with pytest.raises(ValueError, match="dask"):
        Config(scheduler="tcp://127.0.0.1:8786")


@pytest.mark.parametrize("which", ["--out", "--reports"])
def test_an_unwritable_folder_stops_the_run_before_anything_is_published(tmp_path, which):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    folders = {"--out": tmp_path / "curated", "--reports": tmp_path / "reports"}
    folders[which] = blocker / "sub"
    r = invoke("run", "--raw", str(ROOT / "raw"), "--out", str(folders["--out"]),
               "--reports", str(folders["--reports"]), "--workers", "0")
    assert r.exit_code == 2, r.output
    assert f"{which} {blocker / 'sub'}: not a writable folder" in r.output
    assert not (tmp_path / "curated" / "_current").exists()
    with pytest.raises(PreflightError):
        preflight(Config(out_dir=folders["--out"], reports_dir=folders["--reports"]))


def test_preflight_leaves_no_trace(tmp_path):
    preflight(Config(out_dir=tmp_path / "c", reports_dir=tmp_path / "r"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "r"]
    assert not any((tmp_path / "c").iterdir()) and not any((tmp_path / "r").iterdir())


@pytest.mark.parametrize("host", ["en.wikipedia.org", "commons.wikimedia.org", "www.wikidata.org",
                                  "wikipedia.org", "de.wiktionary.org", "www.mediawiki.org"])
def test_wikimedia_hosts_are_recognised(host):
    assert is_wikimedia_host(host)


@pytest.mark.parametrize("host", ["wiki.example.org", "127.0.0.1", "notwikipedia.org", "wikipedia.org.evil.net", None])
def test_other_hosts_are_not(host):
    assert not is_wikimedia_host(host)


@pytest.mark.parametrize("ua", ["infobox-etl/0.1 (https://example.org/infobox-etl; data-team@example.org)",
                                "my-bot/1.0", "my-bot/1.0 (me@localhost)", "python-requests/2.34"])
def test_placeholders_and_no_contact_are_refused(ua):
    assert user_agent_problem(ua)


@pytest.mark.parametrize("ua", ["nightly-etl/1.0 (ops@spacedata.org)", "etl/2 (https://github.com/someone/etl)",
                                "etl/2 (User:Someone; https://example.org)"])
def test_a_real_contact_passes(ua):
    assert user_agent_problem(ua) is None


def test_fetch_refuses_wikipedia_with_the_default_user_agent_and_says_how(tmp_path, monkeypatch):
    monkeypatch.delenv("INFOBOX_ETL_USER_AGENT", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    r = invoke("fetch", "--titles", "Apollo 11", "--raw", str(tmp_path / "raw"))
    assert r.exit_code == 2
    assert "User-Agent policy" in r.output and "placeholder" in r.output
    assert "INFOBOX_ETL_USER_AGENT" in r.output and "infobox-etl.toml" in r.output
    assert not (tmp_path / "raw").exists()
    with pytest.raises(ContactRequired):
        MediaWikiClient("https://en.wikipedia.org/w/api.php")


class _Recorder(BaseHTTPRequestHandler):
    agents: list[str] = []

    def do_GET(self):
        self.agents.append(self.headers.get("User-Agent"))
        body = b'{"batchcomplete": true, "query": {"pages": [{"title": "X", "missing": true}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Recorder.agents = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/w/api.php"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize("how", ["env", "cwd-file", "xdg-file"])
def test_the_user_agent_comes_from_the_environment_or_a_config_file(server, tmp_path, monkeypatch, how):
    ua = f"nightly-etl/1.0 ({how}@spacedata.org)"
    monkeypatch.delenv("INFOBOX_ETL_USER_AGENT", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    if how == "env":
        monkeypatch.setenv("INFOBOX_ETL_USER_AGENT", ua)
    elif how == "cwd-file":
        (tmp_path / "infobox-etl.toml").write_text(f'[fetch]\nuser_agent = "{ua}"\n')
    else:
        (tmp_path / "cfg" / "infobox-etl").mkdir(parents=True)
        (tmp_path / "cfg" / "infobox-etl" / "config.toml").write_text(f'[fetch]\nuser_agent = "{ua}"\n')
    r = invoke("fetch", "--api", server, "--titles", "X", "--raw", str(tmp_path / "raw"), "--max-attempts", "1")
    assert r.exit_code == 0, r.output
    assert _Recorder.agents and set(_Recorder.agents) == {ua}


def test_a_broken_config_file_is_a_usage_error(server, tmp_path, monkeypatch):
    monkeypatch.delenv("INFOBOX_ETL_USER_AGENT", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "infobox-etl.toml").write_text("[fetch\nuser_agent = 1\n")
    r = invoke("fetch", "--api", server, "--titles", "X", "--raw", str(tmp_path / "raw"))
    assert r.exit_code == 2 and "infobox-etl.toml: not a readable TOML file" in r.output
    assert _Recorder.agents == []
