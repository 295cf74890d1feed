"""Per-stage cost on mission pages of two checkouts, side by side in one session.

    python bench/ab_prose.py OLD_CHECKOUT NEW_CHECKOUT [--rounds 2] [--pages 40]

Pages: the first mission pages of the small bench corpus (bench/scratch/corpus-2000, built by
`bench/run.py --small`; Apollo 11 and Apollo 8 replicas, with their prose), then the current
infoboxes of the shared corpus (no prose). Each round runs each checkout in a fresh process
(OLD first, then NEW); a process reports, per page, the best of 3 passes of its CPU time
(time.process_time, less disturbed by other processes than wall time) in each stage:
extract_page, prose made (every section's text), map_page, reconcile (prose events, gap
filling). The figure for a checkout is the median over rounds.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CURRENT = HERE.parents[1] / "shared" / "corpus" / "wikitext" / "current"
STAGES = ("extract", "prose", "map", "reconcile")

_CHILD = r"""
import json, sys, time
from pathlib import Path
root, bench, current, n = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
sys.path.insert(0, str(root))   # (not bench/run.py: it puts its own checkout first)
from pipeline.extract import extract_page
from pipeline.records import RawInput
from pipeline.sources.dump import iter_dump
from pipeline.transform.mapper import map_page
from pipeline.transform.reconcile import reconcile
from pipeline.wikitext.scan import may_have_infobox
assert Path(sys.modules["pipeline"].__file__).parent == root / "pipeline"
def mission_sample(dump, n):   # as bench/run.py's
    out = []
    for item in iter_dump(dump):
        if isinstance(item, RawInput) and may_have_infobox(item.content):
            out.append(item)
            if len(out) == n:
                break
    return out
sets = {"missions": mission_sample(bench / "scratch" / "corpus-2000" / "pages-articles.xml.bz2", n),
        "current": [RawInput(source=p.name, fmt="wikitext", source_format="wikitext",
                             content=p.read_text(encoding="utf-8"), title=p.stem.replace("_", " "))
                    for p in sorted(current.glob("*.wikitext"))]}
def stages(items):
    acc = dict.fromkeys(("extract", "prose", "map", "reconcile"), 0.0)
    clock = time.process_time
    for raw in items:
        t0 = clock(); page = extract_page(raw); t1 = clock()
        for s in page.sections:
            s.text
        t2 = clock(); b = map_page(page, page.title or raw.source); t3 = clock()
        if b is not None:
            reconcile(b, page)
        t4 = clock()
        for k, v in zip(acc, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            acc[k] += v
    return {k: v * 1000 / len(items) for k, v in acc.items()}
out = {}
for name, items in sets.items():
    stages(items[:2])
    out[name] = min((stages(items) for _ in range(3)), key=lambda a: sum(a.values()))
print(json.dumps(out))
"""


def measure(checkout: Path, pages: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(checkout), str(HERE), str(CURRENT), str(pages)],
                         capture_output=True, text=True, check=True, cwd="/")
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--pages", type=int, default=40)
    args = ap.parse_args()
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    for i in range(args.rounds):
        for which, path in (("old", args.old), ("new", args.new)):
            runs[which].append(measure(path.resolve(), args.pages))
        print(f"round {i + 1} done", flush=True)
    for name in ("missions", "current"):
        print(f"\n{name}: ms per page (median of {args.rounds} rounds, CPU time)")
        print("| stage | old | new | new/old |\n|---|---|---|---|")
        for stage in (*STAGES, "total"):
            vals = {}
            for which in ("old", "new"):
                per = [sum(r[name].values()) if stage == "total" else r[name][stage] for r in runs[which]]
                vals[which] = statistics.median(per)
            ratio = vals["new"] / vals["old"] if vals["old"] else float("nan")
            print(f"| {stage} | {vals['old']:.2f} | {vals['new']:.2f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
