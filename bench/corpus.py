"""Build the benchmark corpus: a pages-articles dump of N pages made from real material.

Source: the 206-page enwiki dump of gensim's test data in ../shared/corpus/dumps (April 2016
revisions, CC BY-SA; see ../shared/corpus/README.md). Every page of the corpus is one of those
pages, replicated with its own title, page id and revision id:

* about one page in ten (every tenth) is a mission: Apollo 11 or Apollo 8 (the dump's two
  {{Infobox spaceflight}} articles), turned into a distinct mission: title "Apollo 11 (R00017)",
  the infobox `name` the same, every year of the article shifted by one offset per replica
  (1957-2024, so launch, landing and COSPAR year stay consistent) and the COSPAR launch number
  made per replica;
* the other pages cycle through the other 204 pages of the dump (articles, redirects), titled
  "Anarchism (copy 17)".

Written under bench/scratch/corpus-<N>/ (git-ignored), reused while its manifest matches:

  pages-articles.xml.bz2              one bz2 stream, like enwiki-*-pages-articles.xml.bz2
  pages-articles-multistream.xml.bz2  the header, then one bz2 stream per 100 pages, then the
                                      footer, like enwiki-*-pages-articles-multistream.xml.bz2
  pages-articles-multistream-index.txt.bz2   "offset:page_id:title" per page, offset = byte
                                      offset of the stream that holds the page
  manifest.json                       what was built (pages, missions, bytes, seconds)

`python bench/corpus.py --pages 2000` builds one by hand.
"""
from __future__ import annotations

import argparse
import bz2
import html
import json
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT.parent / "shared" / "corpus" / "dumps"
          / "gensim-enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
WORK = ROOT / "bench" / "scratch"
PAGES_PER_STREAM = 100  # as in Wikimedia's multistream dumps
VERSION = 1  # bump when the way pages are made changes: rebuilds cached corpora

_PAGE = re.compile(rb"  <page>.*?</page>\n", re.S)
_TITLE = re.compile(rb"<title>(.*?)</title>")
_PAGE_ID = re.compile(rb"(</ns>\s*<id>)\d+(</id>)")
_REV_ID = re.compile(rb"(<revision>\s*<id>)\d+(</id>)")
_MISSION = re.compile(rb"\{\{\s*[Ii]nfobox[ _]+spaceflight")
_YEAR = re.compile(rb"(?<![\d-])(19[5-9]\d|20[0-2]\d)(?!\d)")
_COSPAR = re.compile(rb"\b(\d{4})-(\d{3})([A-Z]{1,3})\b")
_NAME = re.compile(rb"(\|\s*name\s*=\s*)([^\n|]*)")


def source_pages(path: Path = SOURCE) -> tuple[bytes, list[bytes], list[bytes]]:
    """(XML header, mission pages, other pages) of the source dump, as raw XML."""
    data = bz2.open(path).read()
    first = _PAGE.search(data)
    header = data[:first.start()]
    pages = _PAGE.findall(data)
    missions = [p for p in pages if _MISSION.search(p)]
    others = [p for p in pages if not _MISSION.search(p)]
    return header, missions, others


def _retitle(page: bytes, title: str, page_id: int) -> bytes:
    page = _TITLE.sub(b"<title>" + html.escape(title, quote=False).encode() + b"</title>", page, 1)
    page = _PAGE_ID.sub(rb"\g<1>" + str(page_id).encode() + rb"\g<2>", page, 1)
    return _REV_ID.sub(rb"\g<1>" + str(900_000_000 + page_id).encode() + rb"\g<2>", page, 1)


def mission_page(page: bytes, k: int, page_id: int) -> tuple[bytes, str]:
    """Replica k of a mission page: its own title, name, years and COSPAR launch number."""
    base = html.unescape(_TITLE.search(page).group(1).decode())
    title = f"{base} (R{k:05d})"
    base_year = int(min(_YEAR.findall(page), key=lambda y: abs(int(y) - 1968)))
    shift = 1957 + (k * 7) % 68 - base_year

    def year(m: re.Match) -> bytes:
        return str(int(m.group(1)) + shift).encode()

    def cospar(m: re.Match) -> bytes:
        return m.group(1) + b"-" + f"{(k % 997) + 1:03d}".encode() + m.group(3)

    head, sep, body = page.partition(b"<text")
    body = _COSPAR.sub(cospar, _YEAR.sub(year, body))
    body = _NAME.sub(lambda m: m.group(1) + html.escape(title, quote=False).encode(), body, 1)
    return _retitle(head + sep + body, title, page_id), title


def other_page(page: bytes, k: int, page_id: int) -> tuple[bytes, str]:
    base = html.unescape(_TITLE.search(page).group(1).decode())
    title = f"{base} (copy {k})"
    return _retitle(page, title, page_id), title


def generate(n_pages: int, mission_every: int = 10):
    """Yield (page_id, title, xml bytes, is_mission) for the whole corpus, in order."""
    _, missions, others = source_pages()
    m = o = 0
    for i in range(n_pages):
        page_id = 100 + i
        if i % mission_every == mission_every - 1:
            xml, title = mission_page(missions[m % len(missions)], m, page_id)
            m += 1
            yield page_id, title, xml, True
        else:
            xml, title = other_page(others[o % len(others)], o // len(others), page_id)
            o += 1
            yield page_id, title, xml, False


def _compress(block: bytes) -> bytes:
    return bz2.compress(block, 9)


def build(n_pages: int, work: Path = WORK, force: bool = False, log=print,
          mission_every: int = 10) -> dict:
    """Write the corpus of n_pages (every mission_every-th a mission) under
    work/corpus-<n_pages>[-m<mission_every>]/ unless it is there already; returns its manifest
    (paths, pages, missions, bytes)."""
    out = work / (f"corpus-{n_pages}" + ("" if mission_every == 10 else f"-m{mission_every}"))
    manifest_path = out / "manifest.json"
    wanted = {"version": VERSION, "pages": n_pages, "source": SOURCE.name,
              "pages_per_stream": PAGES_PER_STREAM, "mission_every": mission_every}
    if manifest_path.exists() and not force:
        manifest = json.loads(manifest_path.read_text())
        if all(manifest.get(k) == v for k, v in wanted.items()) and all(
                (out / manifest["files"][k]).exists() for k in manifest["files"]):
            return _with_paths(manifest, out)
    out.mkdir(parents=True, exist_ok=True)
    log(f"building a {n_pages}-page corpus in {out} (bz2 -9: about a minute per 10,000 pages)")
    t0 = time.perf_counter()
    header, _, _ = source_pages()
    footer = b"</mediawiki>\n"
    files = {"single": "pages-articles.xml.bz2", "multistream": "pages-articles-multistream.xml.bz2",
             "index": "pages-articles-multistream-index.txt.bz2"}
    single = bz2.BZ2Compressor(9)
    xml_bytes = missions = 0
    index_lines: list[str] = []
    with open(out / (files["single"] + ".tmp"), "wb") as fs, \
            open(out / (files["multistream"] + ".tmp"), "wb") as fm, \
            ProcessPoolExecutor(1) as pool:
        fs.write(single.compress(header))
        fm.write(_compress(header))
        pending = []  # (future, [(page_id, title)]) in order

        def drain(keep: int) -> None:
            while len(pending) > keep:
                fut, ids = pending.pop(0)
                offset = fm.tell()
                fm.write(fut.result())
                index_lines.extend(f"{offset}:{pid}:{title}" for pid, title in ids)

        block, ids = [], []
        for page_id, title, xml, is_mission in generate(n_pages, mission_every):
            xml_bytes += len(xml)
            missions += is_mission
            fs.write(single.compress(xml))
            block.append(xml)
            ids.append((page_id, title))
            if len(block) == PAGES_PER_STREAM:
                pending.append((pool.submit(_compress, b"".join(block)), ids))
                block, ids = [], []
                drain(4)
        if block:
            pending.append((pool.submit(_compress, b"".join(block)), ids))
        drain(0)
        fs.write(single.compress(footer))
        fs.write(single.flush())
        fm.write(_compress(footer))
    with bz2.open(out / (files["index"] + ".tmp"), "wt", encoding="utf-8") as fi:
        fi.write("\n".join(index_lines) + "\n")
    for name in files.values():
        (out / (name + ".tmp")).replace(out / name)
    manifest = dict(wanted, missions=missions, xml_bytes=xml_bytes + len(header) + len(footer),
                    files=files, seconds=round(time.perf_counter() - t0, 1),
                    sizes={k: (out / v).stat().st_size for k, v in files.items()})
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    log(f"  done in {manifest['seconds']} s: {missions} missions, "
        f"{manifest['xml_bytes'] / 1e6:.0f} MB of XML")
    return _with_paths(manifest, out)


def _with_paths(manifest: dict, out: Path) -> dict:
    manifest = dict(manifest)
    manifest["paths"] = {k: str(out / v) for k, v in manifest["files"].items()}
    manifest["dir"] = str(out)
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--mission-every", type=int, default=10, help="every n-th page is a mission")
    ap.add_argument("--force", action="store_true", help="rebuild even when a matching corpus exists")
    args = ap.parse_args(argv)
    m = build(args.pages, force=args.force, mission_every=args.mission_every)
    json.dump({k: v for k, v in m.items()}, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
