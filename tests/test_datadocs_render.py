"""Data Docs render offline: the HTML loads only local CSS/JS, and a headless Chromium shows it.

The report comes from the bundled raw/ articles (process -> tables -> validate -> write_report).
The browser tests need Debian's chromium (`apt-get install -y chromium`; `.ci/run` installs it)
and are skipped without it, unless INFOBOX_ETL_REQUIRE_BROWSER=1 (set by `.ci/run`) makes a
missing browser a failure; the HTML tests always run. The PNG is checked with the standard
library only.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # end-to-end runs: `make test-fast` leaves them out

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
RUN = "20261124T120000000Z-render"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
REQUIRE_BROWSER = os.environ.get("INFOBOX_ETL_REQUIRE_BROWSER") == "1"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not REQUIRE_BROWSER,
    reason="chromium is not installed (apt-get install -y chromium): "
           "the headless rendering checks need a browser")
WIDTH, HEIGHT = 1280, 900


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """datadocs/index.html of a report on the bundled articles."""
    from pipeline.run import _collect, process
    from pipeline.schema import to_table
    from pipeline.sources.files import list_inputs, read_file
    from pipeline.validate import validate, write_report

    rows = _collect([process(read_file(p, RAW, 10**8)) for p in list_inputs(RAW)])
    tables = {name: to_table(name, rows[name], RUN) for name in ("missions", "crew", "events")}
    result = validate(tables, expectations_dir=ROOT / "expectations")
    titles = {m["mission_id"]: m["title"] for m in rows["missions"]}
    paths = write_report(result, run_dir=tmp_path_factory.mktemp("reports") / RUN, run_id=RUN,
                         summary={"inputs_read": len(rows["inputs"])}, titles=titles)
    return paths["datadocs"]


def pages(site: Path) -> list[Path]:
    return sorted(site.parent.rglob("*.html"))


# --- the HTML ------------------------------------------------------------------------------------

_REF = re.compile(r"<(link|script|img)\b[^>]*?\b(href|src)\s*=\s*[\"']?([^\"'\s>]+)", re.I)
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def test_pages_reference_only_local_css_and_js(site):
    found = pages(site)
    assert len(found) >= 7    # index, 3 suites, 3 validation results
    for page in found:
        html = page.read_text(encoding="utf-8")
        refs = _REF.findall(html)
        kinds = {(tag.lower(), ref.rsplit("/", 1)[-1]) for tag, _, ref in refs}
        assert ("link", "offline.css") in kinds and ("script", "offline.js") in kinds, page
        for tag, _, ref in refs:
            assert not _REMOTE.match(ref) or ref.startswith("data:"), (page.name, tag, ref)
            if not ref.startswith("data:"):
                assert (page.parent / ref.split("?")[0].split("#")[0]).resolve().is_file(), (page.name, ref)
        assert not re.search(r"url\(\s*[\"']?(?:https?:)?//", html, re.I), page
        assert not re.search(r"@import", html, re.I), page


def test_collapsible_boxes_have_their_own_ids(site):
    """GE 1.24 reuses one id for every notes box of a section; make_offline numbers them."""
    suite_page = site.parent / "expectations" / "missions.html"
    html = suite_page.read_text(encoding="utf-8")
    targets = re.findall(r'data-toggle="collapse" href="#([^"]+)"', html)
    assert len(targets) > 20                      # one notes box per expectation, and more
    assert len(set(targets)) == len(targets)
    for t in targets:
        assert re.search(rf"\bid=[\"']?{re.escape(t)}[\"'\s>]", html), t
    assert "warning</strong> · <code>duration_matches_launch_landing</code>" in html   # the notes


# --- the browser ---------------------------------------------------------------------------------

def chromium(tmp_path: Path, *args: str, url: str) -> subprocess.CompletedProcess:
    assert CHROMIUM, "INFOBOX_ETL_REQUIRE_BROWSER=1 but chromium is not installed"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}", *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90)


def png_pixels(path: Path) -> tuple[int, int, list[bytes], int]:
    """(width, height, rows of raw pixel bytes, bytes per pixel) of an 8-bit non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and interlace == 0 and ctype in (2, 6), (depth, ctype, interlace)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(b"".join(idat)), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                line[i] = (line[i] + (((line[i - bpp] if i >= bpp else 0) + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


@needs_chromium
@pytest.mark.parametrize("page", ["index.html", "expectations/missions.html"])
def test_headless_screenshot_is_not_blank(site, tmp_path, page):
    png = tmp_path / "shot.png"
    done = chromium(tmp_path, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}",
                    url=(site.parent / page).as_uri())
    assert png.is_file() and png.stat().st_size > 10_000, done.stderr[-2000:]
    width, height, rows, bpp = png_pixels(png)
    assert (width, height) == (WIDTH, HEIGHT)
    colours, inked = set(), 0
    for row in rows[::3]:
        for x in range(0, len(row), bpp * 3):
            px = row[x:x + 3]
            colours.add(px)
            inked += px != b"\xff\xff\xff"
    samples = len(rows[::3]) * len(range(0, width * bpp, bpp * 3))
    assert len(colours) > 50, f"only {len(colours)} colours: the page looks blank"
    assert inked / samples > 0.05, f"{inked / samples:.1%} of the page is not white"


@needs_chromium
def test_offline_script_fills_the_index_tables(site, tmp_path):
    """The index lists runs and suites from JavaScript (bootstrap-table in GE, offline.js here):
    the DOM after load must hold a row linking each validation result and suite page."""
    done = chromium(tmp_path, "--dump-dom", "--virtual-time-budget=5000", url=site.as_uri())
    dom = done.stdout
    assert "offline-table" in dom, done.stderr[-2000:]
    for table in ("missions", "crew", "events"):
        assert re.search(rf'href="validations/{table}/[^"]+/{table}\.html"', dom), table
        assert f'href="expectations/{table}.html"' in dom, table
    # The bundled articles fail warning checks only: the run is shown as passed, as dq.md says
    # (GE's own status would be "Failed"), so every run row has the check icon, none the cross.
    assert "fa-check-circle" in dom and "fa-times" not in dom
    # the publish checks (run outside GE) are listed on the index under dq.md's names
    for check in dq_checks(site):
        if check["suite"] == "publish":
            assert f"[{check['severity']}] {check['name']}:" in dom, check["name"]


def dq_checks(site: Path) -> list[dict]:
    return json.loads((site.parent.parent / "dq.json").read_text(encoding="utf-8"))["expectations"]


@needs_chromium
@pytest.mark.parametrize("table", ["missions", "crew", "events"])
def test_rendered_results_show_severity_and_the_names_of_dq_md(site, tmp_path, table):
    """What the browser shows of a validation result (its DOM after the scripts ran) names every
    check of the suite as dq.json / dq.md do, with its severity beside the name, and marks the
    failed warnings as failed."""
    [page] = (site.parent / "validations" / table).rglob(f"{table}.html")
    done = chromium(tmp_path, "--dump-dom", "--virtual-time-budget=5000", url=page.as_uri())
    dom = done.stdout
    checks = [c for c in dq_checks(site) if c["suite"] == table]
    assert len(checks) >= 5 and "</html>" in dom, done.stderr[-2000:]
    markdown = (site.parent.parent / "dq.md").read_text(encoding="utf-8")
    for check in checks:
        name, severity = check["name"], check["severity"]
        line = dom.find(f"[{severity}] {name}:")                 # the expectation's own line
        assert line > 0, (table, name)
        icon = dom.rfind("<i class=\"fas fa-", 0, line)               # its status cell
        assert dom.startswith("fa-times" if not check["success"] else "fa-check-circle",
                              icon + len("<i class=\"fas ")), (table, name)
        if not check["success"]:
            assert f"| {name}" in markdown or f", {name}" in markdown, name  # the same name in dq.md
    assert "Checks made outside Great Expectations" in dom

    shot = tmp_path / "result.png"
    chromium(tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", url=page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000
