"""How fast a small nightly run validates: the three bundled articles (raw/), changed or not.

    .venv/bin/python bench/small_run.py [--repeat 3]     # a few minutes; prints the figures

In-process (GE imported once, not timed by validate):
1. extract + transform the three articles (not timed), build the tables;
2. validate() by Great Expectations alone (no cache: every expectation), then validate() after
   an edit of one mission, carrying the rest from the cache of the previous call, then
   validate() of unchanged tables (the whole suites read back), each the median of --repeat.

Whole runs (`python -m pipeline run`, one fresh process each, in a scratch folder):
3. a first run publishes the three articles; its folder is kept as the starting point;
4. scenarios "one article changed" and "all three changed" (EDITS: one infobox value each, as an
   editor's correction): each run starts from a copy of that folder, edits, and runs either
   with the validation cache (carried: GE evaluates only the expectations whose columns
   changed) or with the cache removed (the full-GE baseline: every expectation, which is what
   any change of the tables cost before), interleaved, --repeat times each. Reported: wall
   seconds, the validate stage, the part of it spent waiting for the GE import begun in a
   thread at the start of the run, the expectations GE evaluated, the report stage (Data Docs);
5. the run after an unchanged night (same inputs again).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# One infobox value per article, as an editor would correct it (file, old text, new text).
EDITS = [("Soyuz_MS-25.txt", "- Orbits Completed: 2,944", "- Orbits Completed: 2,945"),
         ("Apollo_8.wikitext", "= 12&nbsp;degrees", "= 13&nbsp;degrees"),
         ("Apollo_11.wikitext", "= 1.25&nbsp;degrees", "= 1.5&nbsp;degrees")]
SCENARIOS = {"one article changed": EDITS[:1], "all three changed": EDITS}


def edit(raw: Path, edits) -> None:
    for name, old, new in edits:
        text = (raw / name).read_text(encoding="utf-8")
        if text.count(old) != 1:
            raise SystemExit(f"bench edit no longer applies: {old!r} in {name}")
        (raw / name).write_text(text.replace(old, new), encoding="utf-8")


def run_once(site: Path) -> dict:
    """One `pipeline run` in `site`; its wall seconds, stage seconds and validation event."""
    log = site / "run.jsonl"
    log.unlink(missing_ok=True)
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "pipeline", "run", "--quiet", "--log-json", str(log)],
                       cwd=site, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    wall = time.perf_counter() - t
    if p.returncode not in (0, 3):
        raise SystemExit(f"run failed ({p.returncode}): {p.stderr[-2000:]}")
    events = [json.loads(line) for line in log.read_text().splitlines()]
    stages = {e["stage"]: e["seconds"] for e in events if e["event"] == "stage"}
    v = next(e for e in events if e["event"] == "validation")
    return {"wall": wall, "validate": stages["validate"], "wait": v["ge_import_wait_s"],
            "evaluated": v["evaluated"], "expectations": v["expectations"], "report": stages["report"],
            "extract": stages["read+extract+transform"]}


def in_process(repeat: int) -> None:
    from pipeline.config import Config
    from pipeline.run import _collect, process
    from pipeline.schema import TABLES, to_table
    from pipeline.sources import iter_inputs

    rows = _collect([process(item) for item in iter_inputs(ROOT / "raw", Config().max_input_bytes)])
    tables = {name: to_table(name, rows[name], "bench") for name in TABLES}
    edited = next(r for r in rows["missions"] if r.get("orbits_completed"))
    edited["orbits_completed"] += 1
    changed = {name: to_table(name, rows[name], "bench") for name in TABLES}
    t = time.perf_counter()
    from pipeline.validate import suites, validate
    suites.gx_module()
    print(f"missions: {tables['missions'].num_rows}; import great_expectations: {time.perf_counter() - t:.2f} s")
    full, carried, same = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            cache = Path(tmp) / f"cache-{i}"
            t = time.perf_counter()
            validate(tables, expectations_dir=ROOT / "expectations", cache_dir=cache)
            full.append(time.perf_counter() - t)
            t = time.perf_counter()
            validate(changed, expectations_dir=ROOT / "expectations", cache_dir=cache)
            carried.append(time.perf_counter() - t)
            t = time.perf_counter()
            validate(changed, expectations_dir=ROOT / "expectations", cache_dir=cache)
            same.append(time.perf_counter() - t)
    m = statistics.median
    print(f"validate(), every expectation by GE (no cache):  median {m(full):.2f} s of {repeat}")
    print(f"validate(), one mission edited, rest carried:    median {m(carried):.2f} s "
          f"({m(full) / m(carried):.1f}x faster)")
    print(f"validate(), unchanged (suites read back):        median {m(same):.3f} s")


def whole_runs(repeat: int) -> None:
    m = statistics.median
    with tempfile.TemporaryDirectory() as tmp:
        start = Path(tmp) / "start"
        shutil.copytree(ROOT / "raw", start / "raw")
        shutil.copytree(ROOT / "expectations", start / "expectations")
        first = run_once(start)
        print(f"first run: {first['wall']:.1f} s wall, validate {first['validate']:.2f} s "
              f"(GE import wait {first['wait']:.2f}), report {first['report']:.2f}")
        print("| run (three articles) | mode | wall s | extract stage s | validate stage s "
              "| of which GE import wait s | GE evaluated | report stage s |")
        print("|---|---|---|---|---|---|---|---|")
        for scenario, edits in SCENARIOS.items():
            got: dict[str, list[dict]] = {"carried": [], "full GE (baseline)": []}
            for _ in range(repeat):
                for mode in got:       # interleaved, so both see the same load
                    site = Path(tmp) / "site"
                    shutil.rmtree(site, ignore_errors=True)
                    shutil.copytree(start, site)
                    edit(site / "raw", edits)
                    if mode != "carried":
                        shutil.rmtree(site / "reports" / "_validation_cache")
                    got[mode].append(run_once(site))
            for mode, runs in got.items():
                print(f"| {scenario} | {mode} | {m(r['wall'] for r in runs):.1f} | "
                      f"{m(r['extract'] for r in runs):.2f} | **{m(r['validate'] for r in runs):.2f}** | "
                      f"{m(r['wait'] for r in runs):.2f} | {runs[0]['evaluated']} of {runs[0]['expectations']} | "
                      f"{m(r['report'] for r in runs):.2f} |")
            base, fast = (m(r["validate"] for r in got[k]) for k in ("full GE (baseline)", "carried"))
            print(f"|   | validate stage, baseline / carried | | | {base / fast:.1f}x | | | |")
        again = run_once(site)   # the night after: the same inputs as the last run
        print(f"| unchanged (night after) | suites read back | {again['wall']:.1f} | {again['extract']:.2f} "
              f"| **{again['validate']:.2f}** "
              f"| {again['wait']:.2f} | {again['evaluated']} of {again['expectations']} | {again['report']:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-in-process", action="store_true")
    args = ap.parse_args()
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.skip_in_process:
        in_process(args.repeat)
    whole_runs(args.repeat)
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
