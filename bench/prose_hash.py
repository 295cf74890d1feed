"""A hash of every prose section one checkout makes, page by page, to show that two checkouts
make the same text (an optimisation must not change a byte).

    python bench/prose_hash.py CHECKOUT OUT.txt [--dump-pages 400] [--random 3000]
    diff BASE.txt NEW.txt            # no output: the same sections everywhere

Pages: the first --dump-pages pages of bench/scratch/corpus-2000 (built by `bench/run.py
--small`; any kind of page, not only missions), every file of the shared corpus's wikitext/
folders and of raw/ read as the pipeline reads them, then --random made-up pages (a fixed seed)
that mix the markup the prose flattener handles (links nested and unclosed, quotes, brackets,
templates with and without renderers, refs, entities, lists, headings, tables, odd spaces).
One line per page: its source, the number of sections and the sha256 of (heading, level, text)
of each section in order; the last line hashes all of them.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "corpus" / "wikitext"

_CHILD = r"""
import hashlib, random, sys
from pathlib import Path
root, bench, shared, n_dump, n_random, seed = (Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]),
                                               int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
sys.path.insert(0, str(root))
from pipeline.extract import extract_page
from pipeline.records import RawInput
from pipeline.sources import iter_inputs
from pipeline.sources.dump import iter_dump
assert Path(sys.modules["pipeline"].__file__).parent == root / "pipeline"

def pages():
    dump = bench / "scratch" / "corpus-2000" / "pages-articles.xml.bz2"
    for i, item in enumerate(iter_dump(dump)):
        if i == n_dump:
            break
        yield item
    for folder in (*sorted(p for p in shared.iterdir() if p.is_dir()), root / "raw"):
        yield from iter_inputs(folder, 50_000_000)
    yield from made_up(n_random, seed)

PIECES = ["[[", "]]", "[[a]]", "[[a|b]]", "[[File:x.jpg|thumb|c]]", "[[:Category:K]]", "[[de:X]]",
          "|", "''", "'''", "'", "''''", "'''''", " ", "  ", "(", ")", "( )", "(,)", "[ ]", "[", "]",
          ",", ";", ".", ":", " ,", " .", " )", "( ", "\n", "\n\n", "\n* ", "\n# ", "\n: ", "\n;",
          "\n== H ==\n", "\n=== Sub ''i'' ===\n", "=", "{{convert|47.5|lb|kg}}", "{{'s}}",
          "{{nowrap|[[Apollo 7]]}}", "{{quote|Said ''so''<ref>r</ref>}}", "{{cite web|url=u|title=t}}",
          "{{unknown x|1}}", "{{", "}}", "{{Infobox spaceflight|name=N}}", "<ref>{{cite book|title=B}}</ref>",
          "<ref name=a />", "<!-- c -->", "<br />", "<br>", "<span>s</span>", "<nowiki>[[x]]</nowiki>",
          "&nbsp;", "&#39;", "&amp;", "&#x27;", "\u00a0", "\u2009", "\u00ad", "\u200b", "\u2011", "UTC",
          " UTC UTC", "__NOTOC__", "[http://x.org y]", "[http://x.org]", "\n{|\n| c\n|}\n", "word", "Word",
          "July 16, 1969", "\ue010", "\x1e", "\t", "\r"]

def made_up(n, seed):
    rng = random.Random(seed)
    for i in range(n):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 60)))
        yield RawInput(source=f"made-up-{i}", fmt="wikitext", source_format="wikitext", content=text)

total = hashlib.sha256()
for raw in pages():
    if not isinstance(raw, RawInput):
        continue
    page = extract_page(raw)
    h = hashlib.sha256()
    for s in page.sections:
        h.update(repr((s.heading, s.level, s.text)).encode("utf-8", "surrogatepass"))
    line = f"{raw.source}\t{len(page.sections)}\t{h.hexdigest()[:24]}"
    total.update(line.encode("utf-8", "surrogatepass"))
    print(line)
print(f"ALL\t{total.hexdigest()}")
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkout", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--dump-pages", type=int, default=400)
    ap.add_argument("--random", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    out = subprocess.run([sys.executable, "-c", _CHILD, str(args.checkout.resolve()), str(HERE), str(SHARED),
                          str(args.dump_pages), str(args.random), str(args.seed)],
                         capture_output=True, text=True, check=True, cwd="/")
    args.out.write_text(out.stdout, encoding="utf-8")
    lines = out.stdout.splitlines()
    print(f"{len(lines) - 1} pages, {lines[-1]}")


if __name__ == "__main__":
    main()
