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
- plain <a href="https://..."> links (GE's homepage, newsletter) stay: they load nothing;
- two GE 1.24 slips are mended: a static/ reference that does not resolve from its page (the
  validation pages' favicon) is pointed at the site's copy, and the collapsible note boxes of
  a section, which all share one id, are numbered so that each toggle opens its own box.

Each expectation's meta (severity, name, scope, description) is shown as GE "notes" under it.
The checks made outside GE (the Arrow type checks of a suite, the publish checks against the
last snapshot) get a section of their own, on the suite's validation page and on the index, so
that every check of dq.md / dq.json appears in the site under the same name and severity.
"""
from __future__ import annotations

import copy
import html
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

ASSETS = Path(__file__).parent / "assets"
OFFLINE_DIR = "static/offline"
SHARED_STATIC = "_datadocs_static"   # beside the run folders: the assets every run's site uses
SITE_NAME = "local_site"

_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']https?://[^>]*>\s*", re.I)
_REMOTE_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']https?://[^>]*>\s*</script>\s*", re.I)
_REMOTE_IMG_SRC = re.compile(r"(<img\b[^>]*?\bsrc\s*=\s*)([\"'])(https?://[^\"']*)\2", re.I | re.S)
_REMOTE_CSS_URL = re.compile(r"url\(\s*([\"']?)(https?://[^)\"']*)\1\s*\)", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)
_INDENT = re.compile(r"\n[ \t]+")
# Local references into the site's static/ folder (GE 1.24 writes the favicon of validation
# pages one "../" short, so the browser asks for a file that is not there).
_LOCAL_STATIC = re.compile(
    r"""(<(?:link|script|img)\b[^>]*?\b(?:href|src)\s*=\s*)(["'])((?:\.{1,2}/)*static/[^"']+)\2""", re.I | re.S)
# GE 1.24 gives every collapsible box of a page section the same id (one uuid per render), so
# each toggle would open the first box only; _unique_collapse_ids numbers them in page order.
_COLLAPSE_REF = re.compile(r"""(href=["']#|\bid=["']?)([\w-]*collapse-body-[0-9a-f-]+)""")


def build_data_docs(ge_results: list, site_dir: Path, run_id: str, shared_static: Path | None = None,
                    outcomes: list | None = None) -> Path:
    """Render Data Docs for `ge_results` into site_dir (replaced if present); return index.html.

    site_dir is made absolute here, since GE would resolve a relative one against its own root.
    With `shared_static`, the static assets the pages use and the offline ones live once in
    that folder, shared by every run's site, instead of GE's 4 MB in site_dir/static.
    `outcomes` (the run's ExpectationOutcome list) adds the checks GE did not run (see module doc).
    """
    from pipeline.validate.suites import gx_context, gx_module
    gx = gx_module()  # first: it imports GE under a lock (a warm-up thread may be importing it)
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier, ValidationResultIdentifier)

    site_dir = Path(site_dir).resolve()
    if site_dir.exists():
        shutil.rmtree(site_dir)
    context = gx_context(site_dir)
    run = RunIdentifier(run_name=run_id, run_time=datetime.now(timezone.utc))
    for result in ge_results:
        if hasattr(result, "as_ge"):  # read back from the validation cache (suites.py)
            result = result.as_ge()
        # A copy: the page title and "Data asset" line read batch_spec.data_asset_name, which the
        # in-memory batch leaves empty; the caller's result stays as GE returned it.
        result = copy.deepcopy(result)
        asset = _asset_name(result)
        result.meta.setdefault("batch_spec", {})["data_asset_name"] = asset
        for r in result.results:
            _add_notes(r.expectation_config)
            _share_of_all_rows(r)
        # The suite "fails" in GE when any expectation does; here, as in dq.md, only an error
        # does: a warnings-only run is not shown as Failed.
        result.success = not any(not r.success and _severity(r.expectation_config) == "error"
                                 for r in result.results)
        context.suites.add_or_update(gx.ExpectationSuite(
            name=result.suite_name, expectations=[r.expectation_config for r in result.results]))
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
            run_id=run, batch_identifier=asset)
        context.validation_results_store.set(key, result)
    context.build_data_docs(site_names=[SITE_NAME])
    if shared_static is not None:
        shared_static = Path(shared_static).resolve()
        share_static(site_dir, shared_static)
    make_offline(site_dir, shared_static)
    if outcomes:
        add_outside_checks(site_dir, outcomes, {r.suite_name for r in ge_results})
    return site_dir / "index.html"


_SECTION_2 = re.compile(r'<div id="section-2"')
_SECTION_1 = re.compile(r'<div id="section-1"')


def add_outside_checks(site_dir: Path, outcomes: list, ge_suites: set[str]) -> None:
    """Put the checks GE did not run beside the ones it did: those of a suite GE validated on
    that suite's validation page(s), the others (publish checks) on the index page."""
    ge_names: set[str] = set()
    for page in (site_dir / "validations").rglob("*.html"):
        ge_names.update(re.findall(r"\[(?:error|warning)\] ([\w.-]+):", page.read_text(encoding="utf-8")))
    outside = [o for o in outcomes if o.name not in ge_names]
    by_suite: dict[str, list] = {}
    for o in outside:
        by_suite.setdefault(o.suite if o.suite in ge_suites else "", []).append(o)
    for suite, found in by_suite.items():
        if suite:
            targets = list((site_dir / "validations" / suite).rglob(f"{suite}.html"))
        else:
            targets = [site_dir / "index.html"]
        block = _outside_block(found)
        for page in targets:
            text = page.read_text(encoding="utf-8")
            m = _SECTION_2.search(text) or _SECTION_1.search(text)
            if m:
                page.write_text(text[:m.start()] + block + text[m.start():], encoding="utf-8")


def _outside_block(outcomes: list) -> str:
    rows = []
    for o in outcomes:
        icon = "fa-check-circle text-success" if o.success else "fa-times text-danger"
        detail = f"<br><small>{html.escape(o.detail)}</small>" if o.detail else ""
        rows.append(f'<tr><td><i class="fas {icon}"></i></td><td>'
                    f"[{html.escape(o.severity)}] {html.escape(o.name)}: {html.escape(o.description)}"
                    f"{detail}</td><td>{o.unexpected_count}</td></tr>")
    return ('<div class="ge-section container-fluid mb-1 pb-1 pl-sm-3 px-0 offline-outside-ge">'
            "<h4>Checks made outside Great Expectations</h4>"
            "<p>On the Arrow table (types GE's pandas frame cannot tell apart) or against the "
            "last published snapshot; reported in dq.md and dq.json under the same names.</p>"
            '<table class="table table-sm"><thead><tr><th>Status</th><th>Check</th>'
            "<th>Unexpected</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>\n")


def _used_assets(site_dir: Path, static: Path) -> set[str]:
    """Paths (relative to static/) of the assets the site's pages use: static/ references, the
    local copies of remote images, and what a used stylesheet refers to in turn."""
    used: set[str] = set()
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for m in _LOCAL_STATIC.finditer(html):
            used.add(m.group(3)[m.group(3).index("static/") + len("static/"):])
        for url in [m.group(3) for m in _REMOTE_IMG_SRC.finditer(html)] + \
                   [m.group(2) for m in _REMOTE_CSS_URL.finditer(html)]:
            name = "images/" + url.split("?", 1)[0].rsplit("/", 1)[-1]
            if (static / name).is_file():
                used.add(name)
    for css in [u for u in used if u.endswith(".css")]:
        text = (static / css).read_text(encoding="utf-8", errors="replace") if (static / css).is_file() else ""
        for m in re.finditer(r"url\(\s*[\"']?([^)\"'?#]+)", text):
            ref = m.group(1)
            if not ref.startswith(("http:", "https:", "data:", "/")):
                used.add(Path(os.path.normpath(Path(css).parent / ref)).as_posix())
    return {u for u in used if not u.startswith("..") and (static / u).is_file()}


def _put(src: Path, dest: Path) -> None:
    """Copy src to dest unless dest already has the same bytes; a rename makes it appear whole."""
    if dest.is_file() and dest.stat().st_size == src.stat().st_size and dest.read_bytes() == src.read_bytes():
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def share_static(site_dir: Path, shared: Path) -> None:
    """Move the assets the site's pages use (a favicon, a logo, a stylesheet: tens of KB of
    GE's 4 MB of fonts, GIFs and images, most of which no page loads) into `shared`, with the
    offline CSS and script, and drop site_dir/static. Files are only added or updated, never
    removed, so the pages of older runs keep theirs."""
    static = site_dir / "static"
    for rel in sorted(_used_assets(site_dir, static)):
        _put(static / rel, shared / rel)
    for name in ("offline.css", "offline.js"):
        _put(ASSETS / name, shared / "offline" / name)
    shutil.rmtree(static)


def _share_of_all_rows(r) -> None:
    """GE's line "1 unexpected values found. 50% of 3 total rows." puts the share among non-null
    values beside the count of all rows; show the share of all rows (33.33 %) instead."""
    res = r.result if isinstance(r.result, dict) else None
    if res and isinstance(res.get("unexpected_percent_total"), (int, float)):
        res["unexpected_percent"] = res["unexpected_percent_total"]


def _severity(config) -> str:
    return str((config.meta or {}).get("severity") or "error")


def _add_notes(config) -> None:
    """Show this project's meta in the pages, with the names dq.md and dq.json use: each
    expectation is described as "[severity] name: description" (GE renders a `description` in
    place of its own sentence about helper columns), and its `notes` (a collapsible box under
    it) give the scope and GE's own expectation type."""
    meta = config.meta or {}
    if not meta.get("name"):
        return
    text = f"[{_severity(config)}] {meta['name']}: {meta.get('description') or ''}".strip()
    config.description = text.replace("$", "$$")  # GE reads descriptions as string templates
    if not config.notes:
        config.notes = [f"**{_severity(config)}** · `{meta['name']}` · scope {meta.get('scope', '?')}",
                        f"Great Expectations: `{config.type}`"]


def _asset_name(result) -> str:
    meta = result.meta or {}
    name = (meta.get("active_batch_definition") or {}).get("data_asset_name")
    if isinstance(name, str) and name:
        return name.split("__", 1)[0]  # suites.run_suites names assets "<table>__<suite>"
    return result.suite_name


def make_offline(site_dir: Path, static: Path | None = None) -> None:
    """Rewrite the pages under site_dir to use bundled assets instead of CDNs (see module doc).
    `static` is where the site's static assets are (default site_dir/static; share_static)."""
    site_dir = Path(site_dir)
    static = Path(static) if static is not None else site_dir / "static"
    target = static / "offline"
    if static == site_dir / "static":
        target.mkdir(parents=True, exist_ok=True)
        for name in ("offline.css", "offline.js"):
            shutil.copyfile(ASSETS / name, target / name)
    images = static / "images"
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        page.write_text(_rewrite(html, page.parent, target, images), encoding="utf-8")


def _rel(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def _unique_collapse_ids(html: str) -> str:
    """Give each toggle (href="#X") and the box after it (id=X) their own id when X repeats."""
    ids = [m.group(2) for m in _COLLAPSE_REF.finditer(html) if m.group(1).startswith("href")]
    repeated = {x for x in ids if ids.count(x) > 1}
    seen: dict[str, int] = {}
    pending: dict[str, str] = {}

    def renumber(m: re.Match) -> str:
        prefix, ident = m.group(1), m.group(2)
        if ident not in repeated:
            return m.group(0)
        if prefix.startswith("href"):
            seen[ident] = seen.get(ident, 0) + 1
            pending[ident] = f"{ident}-{seen[ident]}"
            return prefix + pending[ident]
        return prefix + pending.pop(ident, ident)

    return _COLLAPSE_REF.sub(renumber, html)


def _fix_static_refs(html: str, page_dir: Path, static_dir: Path) -> str:
    """Point a static/ reference that does not resolve from the page at the site's (or the
    shared) static folder."""
    def fix(m: re.Match) -> str:
        ref = m.group(3)
        if (page_dir / ref).resolve().is_file():
            return m.group(0)
        target = static_dir / ref[ref.index("static/") + len("static/"):]
        return f"{m.group(1)}{m.group(2)}{_rel(target, page_dir)}{m.group(2)}" if target.is_file() else m.group(0)
    return _LOCAL_STATIC.sub(fix, html)


def _rewrite(html: str, page_dir: Path, offline: Path, images: Path) -> str:
    html = _fix_static_refs(html, page_dir, images.parent)
    html = _unique_collapse_ids(html)
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
    html = _INDENT.sub("\n", html)  # no <pre> in GE's pages: indentation is a third of their bytes
    tags = (f'\n<link rel="stylesheet" href="{_rel(offline / "offline.css", page_dir)}">'
            f'\n<script src="{_rel(offline / "offline.js", page_dir)}"></script>')
    # First thing in <head>: the CSS must come before GE's inline styles (which refine it) and
    # the script before the inline scripts in <body> that call $(...) as the page parses.
    html, n = _HEAD.subn(lambda m: m.group(0) + tags, html, count=1)
    if not n:
        html = tags + html
    return html
