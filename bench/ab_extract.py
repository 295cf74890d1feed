"""Extract + transform rate of two checkouts of this project, side by side in one session.

    python bench/ab_extract.py OLD_CHECKOUT NEW_CHECKOUT [--rounds 3] [--seconds 8]

Each round runs each checkout in a fresh process (OLD first, then NEW), so that a busy machine
slows both alike; the figure is pages per second of extract_page + map_all over the bundled
wikitext articles and the first 120 current infoboxes of the shared corpus. For a refactoring
("no slowdown beyond noise") compare the medians.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "wikitext" / "current"

_CHILD = r"""
import sys, time
from pathlib import Path
root, corpus, seconds = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3])
sys.path.insert(0, str(root))
from pipeline.extract import extract_page
from pipeline.records import RawInput
from pipeline.transform.mapper import map_all
paths = sorted((root / "raw").glob("*.wikitext")) + sorted(corpus.glob("*.wikitext"))[:120]
items = [RawInput(source=p.name, fmt="wikitext", source_format="wikitext",
                  content=p.read_text(encoding="utf-8"), title=p.stem.replace("_", " ")) for p in paths]
for it in items:
    map_all(extract_page(it), it.title)
n, t = 0, time.perf_counter()
while time.perf_counter() - t < seconds:
    for it in items:
        map_all(extract_page(it), it.title)
        n += 1
print(n / (time.perf_counter() - t))
"""


def rate(checkout: Path, seconds: float) -> float:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(checkout), str(CORPUS), str(seconds)],
                         capture_output=True, text=True, check=True, cwd="/")
    return float(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    old, new = [], []
    for i in range(args.rounds):
        old.append(rate(args.old.resolve(), args.seconds))
        new.append(rate(args.new.resolve(), args.seconds))
        print(f"round {i + 1}: old {old[-1]:.1f} pages/s, new {new[-1]:.1f} pages/s", flush=True)
    mo, mn = statistics.median(old), statistics.median(new)
    print(f"median: old {mo:.1f}, new {mn:.1f} pages/s, new/old = {mn / mo:.3f}")


if __name__ == "__main__":
    main()
