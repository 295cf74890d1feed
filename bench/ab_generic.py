"""The generic layer's cost on non-mission pages, for two checkouts side by side, beside bz2.

    python bench/ab_generic.py OLD_CHECKOUT NEW_CHECKOUT [--pages 1000] [--rounds 3]
    python bench/ab_generic.py OLD NEW --missions --corpus bench/scratch/corpus-2000-m1 --pages 300

Pages: the first --pages pages of the benchmark corpus's single-stream dump
(bench/scratch/corpus-2000, built by bench/corpus.py), read once with the dump reader as a run's
driver reads them (text not cleaned); the non-mission ones (titled "... (copy N)": real 2016
articles, some with infoboxes, some without) are timed. Each round runs OLD then NEW, each in a
fresh process: `run.process` on every non-mission page (cleaning, hashing, infobox location and
parameters, rows, their type check) plus pickling its result (what a worker sends back), in ms
a page. The baseline, in the same rounds: one-core stdlib bz2 decompression of the same dump,
as ms for the share of the file's XML that those pages are (decompression has to be paid for
every page whatever the extraction costs). With --missions the mission pages (titled "... (R00017)")
are timed instead: the whole worker cost of a mission page (prose, prose events, rows, their
check, pickling), e.g. on bench/scratch/corpus-2000-m1 (`bench/corpus.py --pages 2000
--mission-every 1`), where every page is one. Times are CPU seconds of the process (time spent
waiting for a core on a busy machine is not counted); compare the ratios.
"""
from __future__ import annotations

import argparse
import bz2
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "bench" / "scratch" / "corpus-2000"

_CHILD = r"""
import pickle, sys, time
from pathlib import Path
root, dump, pages, missions = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
sys.path.insert(0, str(root))
from pipeline.run import process
from pipeline.sources.dump import iter_dump
items = []
for it in iter_dump(dump, threads=0, clean_content=False):
    items.append(it)
    if len(items) >= pages:
        break
other = [it for it in items if ("(copy " in (it.title or "")) != missions]  # corpus.py's titles
assert missions or len(other) >= 0.8 * len(items), "not the benchmark corpus's layout"
assert other, "no such pages among the first pages of the corpus"
for it in other[:20 if missions else 50]:
    process(it)
t = time.process_time()
for it in other:
    pickle.dumps(process(it), protocol=pickle.HIGHEST_PROTOCOL)
seconds = time.process_time() - t
print(seconds * 1000 / len(other), len(other), sum(len(it.content) for it in other), len(items))
"""


def per_page(checkout: Path, dump: Path, pages: int, missions: bool = False) -> tuple[float, int, int, int]:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(checkout), str(dump), str(pages), str(int(missions))],
                         capture_output=True, text=True, check=True, cwd="/",
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    ms, n, chars, total = out.stdout.split()
    return float(ms), int(n), int(chars), int(total)


def bz2_seconds(dump: Path) -> tuple[float, int]:
    """One-core stdlib bz2 decompression of the whole file: (CPU seconds, bytes of XML)."""
    t = time.process_time()
    d, n = bz2.BZ2Decompressor(), 0
    with open(dump, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += len(d.decompress(chunk))
    return time.process_time() - t, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--missions", action="store_true", help="time the mission pages instead")
    args = ap.parse_args()
    dump = args.corpus.resolve() / "pages-articles.xml.bz2"  # the child runs in /
    if not dump.exists():
        sys.exit(f"no corpus at {args.corpus}: python bench/corpus.py --pages 2000")
    old, new, base = [], [], []
    for i in range(args.rounds):
        ms_old, n, chars, _ = per_page(args.old.resolve(), dump, args.pages, args.missions)
        seconds, xml = bz2_seconds(dump)
        ms_new, *_ = per_page(args.new.resolve(), dump, args.pages, args.missions)
        # the pages' share of the XML, as characters of text over the file's bytes: a lower
        # bound of their share (markup and non-ASCII bytes not counted)
        ms_bz2 = seconds * 1000 * (chars / xml) / n
        old.append(ms_old)
        new.append(ms_new)
        base.append(ms_bz2)
        kind = "mission" if args.missions else "non-mission"
        print(f"round {i + 1}: {n} {kind} pages; old {ms_old:.2f} ms/page, new {ms_new:.2f} "
              f"ms/page; bz2 decompression of their text {ms_bz2:.2f} ms/page", flush=True)
    mo, mn, mb = (statistics.median(x) for x in (old, new, base))
    print(f"median: old {mo:.2f}, new {mn:.2f} ms/page (new/old {mn / mo:.2f}x, "
          f"{mo / mn:.2f}x faster); bz2 {mb:.2f} ms/page: old {mo / mb:.2f}x, new {mn / mb:.2f}x "
          "the decompression cost")


if __name__ == "__main__":
    main()
