"""Kiwix ZIM reading throughput beside the dump reader's, and the ZIM reader's peak memory.

    .venv/bin/python bench/zimscan.py [--pages 2000] [--big 8000]

The dump side is the benchmark corpus (bench/corpus.py, `--pages` pages, every tenth a mission)
read by `pipeline.sources.dump.iter_dump` from its single-stream bz2. The ZIM side is built here
with libzim's writer from the same titles in the same order: each mission page is the test
fixture tests/data/html/Apollo_11.html in the shape Kiwix stores articles (what MediaWiki
renders), each other page that page's wikitext as HTML paragraphs (no infobox; about the size of
the rendered article's text). Figures: pages walked per second and MB of page content per second
(XML text for the dump, HTML for the ZIM, decompressed), for the walk alone and with extract +
map_page of the pages each reader keeps (dump: the spaceflight prefilter; ZIM: HTML mentioning
an infobox). Peak memory (max RSS of a child process walking the archive) for `--pages` and
`--big` pages shows whether it stays flat as the archive grows. Small by design (seconds).
"""
from __future__ import annotations

import argparse
import html
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from pipeline.extract import extract_page  # noqa: E402
from pipeline.records import RawInput  # noqa: E402
from pipeline.sources.dump import iter_dump  # noqa: E402
from pipeline.sources.zim import ZimStats, iter_zim  # noqa: E402
from pipeline.transform.mapper import map_page  # noqa: E402
from pipeline.wikitext.scan import may_have_infobox  # noqa: E402

FIXTURE = ROOT / "tests" / "data" / "html" / "Apollo_11.html"
_TEXT = re.compile(rb"<text[^>]*>(.*?)</text>", re.S)
_TITLE = re.compile(rb"<title>(.*?)</title>", re.S)


def kiwix_html(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
            f'<body class="mw-body-content"><h1>{html.escape(title)}</h1>{body}</body></html>')


def build_zim(path: Path, n_pages: int) -> Path:
    from libzim.writer import Creator, Hint, Item, StringProvider

    class Page(Item):
        def __init__(self, p, t, c):
            super().__init__()
            self.p, self.t, self.c = p, t, c

        def get_path(self):
            return self.p

        def get_title(self):
            return self.t

        def get_mimetype(self):
            return "text/html"

        def get_contentprovider(self):
            return StringProvider(self.c)

        def get_hints(self):
            return {Hint.FRONT_ARTICLE: True}

    saved = FIXTURE.read_text(encoding="utf-8")
    box = re.search(r'<div class="mw-content-ltr mw-parser-output".*?</div></div></div>', saved, re.S).group(0)
    box = box.replace('href="/wiki/', 'href="./')
    if path.exists():
        return path          # built by an earlier run (bench/scratch/ is a cache)
    with Creator(path).config_indexing(False, "eng") as c:
        c.add_metadata("Title", b"Benchmark Wikipedia", "text/plain;charset=UTF-8")
        for page_id, title, xml, is_mission in corpus.generate(n_pages):
            if is_mission:
                content = kiwix_html(title, box)
            else:
                m = _TEXT.search(xml)
                text = html.unescape(m.group(1).decode("utf-8")) if m else ""
                body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
                content = kiwix_html(title, body)
            c.add_item(Page(f"A{page_id}", title, content))
    return path


def walk(items, keep, bytes_of) -> dict:
    start = time.perf_counter()
    pages = kept = curated = 0
    size = 0
    for item in items:
        pages += 1
        size += bytes_of(item)
        if keep(item):
            kept += 1
            page = extract_page(item)
            curated += map_page(page, page.title or "x") is not None
    return {"seconds": time.perf_counter() - start, "pages": pages, "kept": kept, "missions": curated,
            "mb": size / 1e6}


def timed(name, fn) -> dict:
    start = time.perf_counter()
    out = fn()
    out["seconds"] = out.get("seconds", time.perf_counter() - start)
    out["pages_per_s"] = out["pages"] / out["seconds"]
    out["mb_per_s"] = out["mb"] / out["seconds"]
    print(f"  {name:<34} {out['pages']:>6} pages  {out['mb']:8.1f} MB  {out['seconds']:6.2f} s  "
          f"{out['pages_per_s']:8.0f} pages/s  {out['mb_per_s']:6.1f} MB/s"
          + (f"  kept {out['kept']}, missions {out['missions']}" if "kept" in out else ""))
    return out


def zim_walk_only(path: Path) -> dict:
    stats = ZimStats()
    start = time.perf_counter()
    n = sum(1 for _ in iter_zim(path, stats=stats))
    return {"seconds": time.perf_counter() - start, "pages": stats.articles, "mb": stats.bytes_read / 1e6,
            "yielded": n}


def peak_rss(path: Path) -> float:
    # VmHWM of the child's own address space (ru_maxrss would carry the parent's over exec)
    code = ("import sys, re; from pipeline.sources.zim import iter_zim; "
            "n = sum(1 for _ in iter_zim(__import__('pathlib').Path(sys.argv[1]))); "
            "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return int(out.stdout.strip()) / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--big", type=int, default=8000)
    args = ap.parse_args()
    work = corpus.WORK
    work.mkdir(parents=True, exist_ok=True)
    manifest = corpus.build(args.pages, log=lambda *a: None)
    dump = Path(manifest["paths"]["single"])
    zim = build_zim(work / f"zim-{args.pages}.zim", args.pages)
    print(f"corpus: {args.pages} pages; dump {dump.stat().st_size / 1e6:.1f} MB bz2, "
          f"ZIM {zim.stat().st_size / 1e6:.1f} MB")
    results = {"pages": args.pages}
    results["dump_walk"] = timed("dump: iter_dump", lambda: walk(
        iter_dump(dump), lambda i: False, lambda i: len(i.content.encode("utf-8"))))
    results["zim_walk"] = timed("ZIM: iter_zim", lambda: zim_walk_only(zim))
    results["dump_extract"] = timed("dump: iter_dump + prefilter + extract", lambda: walk(
        iter_dump(dump), lambda i: may_have_infobox(i.content), lambda i: len(i.content.encode("utf-8"))))
    results["zim_extract"] = timed("ZIM: iter_zim + extract", lambda: walk(
        iter_zim(zim), lambda i: isinstance(i, RawInput), lambda i: len(getattr(i, "content", "").encode("utf-8"))))
    big = build_zim(work / f"zim-{args.big}.zim", args.big)
    results["peak_rss_mb"] = {str(args.pages): round(peak_rss(zim), 1), str(args.big): round(peak_rss(big), 1)}
    print(f"  peak RSS walking the ZIM: {results['peak_rss_mb']} MB "
          f"(archives of {zim.stat().st_size / 1e6:.1f} and {big.stat().st_size / 1e6:.1f} MB)")
    (work / "zimscan.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
