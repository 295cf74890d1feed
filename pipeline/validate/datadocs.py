"""Great Expectations Data Docs for one run, made to work offline.

GE renders the site (index, one page per suite, one per validation result) from an in-memory
context whose only docs site is a local folder at an absolute path. Its templates then load
Bootstrap, bootstrap-table, jQuery, Font Awesome and Vega from CDNs, and the logo from S3: with no
network the index tables stay empty (bootstrap-table fills them from JavaScript) and the pages
lose their layout. `make_offline` therefore rewrites every page it wrote:

- every <link>/<script> that points at http(s) is removed, and in their place the page loads
  static/offline/offline.css and offline.js, copied from pipeline/validate/assets/. Those two files
  were written for this project: a small subset of Bootstrap's classes, and a few dozen lines that
  stand in for the jQuery / bootstrap-table / Bootstrap calls the pages make (tables from data,
  tabs, collapses, row links, search, sort). Nothing is copied from the CDN bundles;
- remote images and CSS url()s that GE also ships locally (its logos under static/images/) are
  pointed at the local copy; any other remote one is dropped;
- plain <a href="https://..."> links (GE's homepage, newsletter) stay: they load nothing.
"""
from __future__ import annotations

import copy
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

ASSETS = Path(__file__).parent / "assets"
OFFLINE_DIR = "static/offline"
SITE_NAME = "local_site"

_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']https?://[^>]*>\s*", re.I)
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']https?://[^>]*>\s*</script>\s*", re.I)
_REMOTE_IMG_SRC = re.compile(r"(<img\b[^>]*?\bsrc\s*=\s*)([\"'])(https?://[^\"']*)\2", re.I | re.S)
_REMOTE_CSS_URL = re.compile(r"url\(\s*([\"']?)(https?://[^)\"']*)\1\s*\)", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)


def build_data_docs(ge_results: list, site_dir: Path, run_id: str) -> Path:
    """Render Data Docs for `ge_results` into site_dir (replaced if present); return index.html.

    site_dir is made absolute here, since GE would resolve a relative one against its own root.
    """
    from pipeline.validate.suites import gx_context, gx_module
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier, ValidationResultIdentifier)

    gx = gx_module()
    site_dir = Path(site_dir).resolve()
    if site_dir.exists():
        shutil.rmtree(site_dir)
    context = gx_context(site_dir)
    run = RunIdentifier(run_name=run_id, run_time=datetime.now(timezone.utc))
    for result in ge_results:
        # A copy: the page title and "Data asset" line read batch_spec.data_asset_name, which the
        # in-memory batch leaves empty; the caller's result stays as GE returned it.
        result = copy.deepcopy(result)
        asset = _asset_name(result)
        result.meta.setdefault("batch_spec", {})["data_asset_name"] = asset
        context.suites.add_or_update(gx.ExpectationSuite(
            name=result.suite_name, expectations=[r.expectation_config for r in result.results]))
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
            run_id=run, batch_identifier=asset)
        context.validation_results_store.set(key, result)
    context.build_data_docs(site_names=[SITE_NAME])
    make_offline(site_dir)
    return site_dir / "index.html"


def _asset_name(result) -> str:
    meta = result.meta or {}
    name = (meta.get("active_batch_definition") or {}).get("data_asset_name")
    if isinstance(name, str) and name:
        return name.split("__", 1)[0]  # suites.run_suites names assets "<table>__<suite>"
    return result.suite_name


def make_offline(site_dir: Path) -> None:
    """Rewrite the pages under site_dir to use bundled assets instead of CDNs (see module doc)."""
    site_dir = Path(site_dir)
    target = site_dir / OFFLINE_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name in ("offline.css", "offline.js"):
        shutil.copyfile(ASSETS / name, target / name)
    images = site_dir / "static" / "images"
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        page.write_text(_rewrite(html, page.parent, target, images), encoding="utf-8")


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def _rewrite(html: str, page_dir: Path, offline: Path, images: Path) -> str:
    html = _REMOTE_LINK.sub("", html)
    html = _REMOTE_SCRIPT.sub("", html)

    def local_image(url: str) -> str | None:
        local = images / url.split("?", 1)[0].rsplit("/", 1)[-1]
        return _rel(local, page_dir) if local.is_file() else None

    def img(m: re.Match) -> str:
        local = local_image(m.group(3))
        return f"{m.group(1)}{m.group(2)}{local or ''}{m.group(2)}"

    def css_url(m: re.Match) -> str:
        local = local_image(m.group(2))
        return f"url('{local}')" if local else "none"

    html = _REMOTE_IMG_SRC.sub(img, html)
    html = _REMOTE_CSS_URL.sub(css_url, html)
    tags = (f'\n<link rel="stylesheet" href="{_rel(offline / "offline.css", page_dir)}">'
            f'\n<script src="{_rel(offline / "offline.js", page_dir)}"></script>')
    # First thing in <head>: the CSS must come before GE's inline styles (which refine it) and
    # the script before the inline scripts in <body> that call $(...) as the page parses.
    html, n = _HEAD.subn(lambda m: m.group(0) + tags, html, count=1)
    if not n:
        html = tags + html
    return html
