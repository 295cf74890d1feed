"""End to end on mission pages (issue 17): the whole `run --dump` against a plain
mwparserfromhell extraction script over the same dump, side by side in one run.

    python bench/e2e_missions.py                  # 2,000 mission pages, about 6 minutes
    python bench/e2e_missions.py --pages 200      # a quick look (figures less steady)

The dump: bench/corpus.py with every page a mission (Apollo 11 and Apollo 8 replicas, each with
its own title, ids and shifted years), in the two layouts Wikimedia publishes: one bz2 stream
(the driver reads it and hands pages to the workers) and multistream with its index (each
worker reads its own blocks). Two articles underneath: the pipeline's
caches of template and parameter names gain from the repetition (bench/run.py's "caches emptied
per page" row bounds that at about 5 %); the baseline has no such caches.

- ours: `infobox-etl run --dump ... --full --workers 2` in a fresh process, wall time (start-up,
  prose events, validation, load and the report included), on each layout, alternated for
  --rounds rounds (the machine's own noise is about ±15 % between runs); the ratio is on the mean.
- baseline: the plain script a user would otherwise write, in a fresh process: stream the dump
  with the standard library (bz2 + xml.etree iterparse), `mwparserfromhell.parse` each page,
  `filter_templates()`, and `strip_code()` on every parameter of each infobox. It extracts and
  nothing else (no types, no prose, no checks, no Parquet). Timed on one process (the issue's
  baseline) and on two (the same script with a two-process pool), so the ratio against the
  two-core run is also given against a baseline using both cores. It reads the one-stream file
  (the standard library's bz2 reads both layouts at the same speed, and its time is the parse's).

Figures go to bench/scratch/e2e_missions.json; --write-results replaces the part of
bench/RESULTS.md between <!-- e2e-missions:begin --> and <!-- e2e-missions:end -->.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
WORK = BENCH / "scratch"
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402  (bench/corpus.py)
from scale import settle, write_results  # noqa: E402  (bench/scale.py)

TARGET = 5.0
ROUNDS = 2

# The baseline script, run as `python -c BASELINE DUMP PROCESSES`.
BASELINE = r"""
import bz2, sys
import xml.etree.ElementTree as ET
from multiprocessing import Pool
import mwparserfromhell

def infoboxes(text):
    code = mwparserfromhell.parse(text)
    boxes = []
    for t in code.filter_templates():
        if str(t.name).strip().lower().startswith("infobox"):
            boxes.append({str(p.name).strip(): p.value.strip_code().strip() for p in t.params})
    return boxes

def pages(path):
    for _, el in ET.iterparse(bz2.open(path, "rb")):
        if el.tag.endswith("}text") or el.tag == "text":
            yield el.text or ""
        elif el.tag.endswith("}page") or el.tag == "page":
            el.clear()

if __name__ == "__main__":
    path, procs = sys.argv[1], int(sys.argv[2])
    n = boxes = 0
    if procs == 1:
        results = map(infoboxes, pages(path))
    else:
        pool = Pool(procs)
        results = pool.imap(infoboxes, pages(path), chunksize=8)
    for found in results:
        n += 1
        boxes += len(found)
    print(n, boxes)
"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false")
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, **kw)
    return time.perf_counter() - t, r


LAYOUTS = {"single": "one bz2 stream", "multistream": "multistream bz2 with its index"}


def ours(dump: str, where: Path) -> tuple[float, dict, list[str]]:
    """One `run --dump` of ours in a fresh process: wall seconds, its dq.json, its arguments."""
    shutil.rmtree(where, ignore_errors=True)
    argv = ["run", "--dump", dump, "--out", str(where / "curated"), "--reports", str(where / "reports"),
            "--full", "--fail-on", "never", "--no-progress", "--workers", "2"]
    wall, r = timed([sys.executable, "-m", "pipeline", *argv])
    if r.returncode not in (0, 3):
        raise RuntimeError("the run failed: " + r.stderr.strip()[-800:])
    dq = json.loads((where / "reports" / (where / "reports" / "LATEST").read_text().strip() / "dq.json").read_text())
    return wall, dq, argv


def measure(pages: int, rounds: int) -> dict:
    m = corpus.build(pages, log=log, mission_every=1)
    load = settle()
    res = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "cpus": len(os.sched_getaffinity(0)), "load_average_before": load,
           "pages": m["pages"], "missions": m["missions"], "xml_bytes": m["xml_bytes"], "rounds": rounds}
    where = WORK / "e2e-missions"
    for rnd in range(rounds):  # the two layouts alternated, so a slower spell touches both
        for layout in LAYOUTS:
            wall, dq, argv = ours(m["paths"][layout], where / layout)
            mine = res.setdefault(f"ours_{layout}", {
                "wall_s": [], "timings_s": [], "missions_curated": dq["run"].get("missions_curated"),
                "command": "infobox-etl " + " ".join(argv).replace(str(ROOT) + "/", "")})
            mine["wall_s"].append(round(wall, 2))
            mine["timings_s"].append(dq["run"].get("timings_s", {}))
            log(f"  ours, {LAYOUTS[layout]}, round {rnd + 1}: {wall:.1f} s")
    dump = m["paths"]["single"]
    for procs in (1, 2):
        secs, r = timed([sys.executable, "-c", BASELINE, dump, str(procs)])
        if r.returncode != 0:
            raise RuntimeError("the baseline failed: " + r.stderr.strip()[-800:])
        n, boxes = map(int, r.stdout.split())
        res[f"baseline_{procs}"] = {"wall_s": round(secs, 2), "pages": n, "infoboxes": boxes}
        log(f"  baseline, {procs} process(es): {secs:.1f} s ({n} pages, {boxes} infoboxes)")
    res["load_average_after"] = os.getloadavg()
    return res


def markdown(res: dict) -> str:
    b1, b2 = res["baseline_1"]["wall_s"], res["baseline_2"]["wall_s"]
    quiet = ("a quiet machine" if res["load_average_before"][0] < 1.5 else
             f"**not a quiet machine** (load average {res['load_average_before'][0]:.1f} before)")
    lines = [
        f"Measured {res['date']} on {res['cpus']} cores, {quiet}. Command: `python bench/e2e_missions.py"
        + (f" --pages {res['pages']}" if res["pages"] != 2000 else "")
        + (f" --rounds {res['rounds']}" if res["rounds"] != ROUNDS else "") + "`"
        + f"; dumps: the same {res['pages']:,} mission pages ({res['xml_bytes'] / 1e6:,.0f} MB of XML) "
        "in both layouts Wikimedia publishes; ours run on each, alternated, "
        f"{res['rounds']} round(s); the ratio is on the mean.",
        "",
        "| what | wall s | baseline (1 process) ÷ ours | baseline (2 processes) ÷ ours |",
        "|---|---|---|---|"]
    stages = []
    for layout, what in LAYOUTS.items():
        mine = res[f"ours_{layout}"]
        walls = mine["wall_s"]
        mean = statistics.fmean(walls)
        shown = " / ".join(f"{w:.1f}" for w in walls)
        lines.append(f"| ours, {what}: `{mine['command']}` (prose events, validation, Parquet, report; "
                     f"{mine['missions_curated']:,} missions curated) | {shown} | "
                     f"**{b1 / mean:.2f}×** (target ≥ {TARGET:.0f}×) | {b2 / mean:.2f}× |")
        last = mine["timings_s"][-1]
        stages.append(f"{what}: " + ", ".join(f"{k} {v:.1f}" for k, v in last.items()))
    lines += [
        f"| plain mwparserfromhell script, 1 process (parse, filter_templates, strip_code), one stream | {b1:.1f} | | |",
        f"| the same script, 2 processes | {b2:.1f} | | |",
        "",
        "Stages of ours, last round (s): " + "; ".join(stages) + "."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=ROUNDS, help="runs of ours on each dump layout")
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args(argv)
    res = measure(args.pages, args.rounds)
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "e2e_missions.json").write_text(json.dumps(res, indent=1, default=str) + "\n")
    text = markdown(res)
    print(text)
    if args.write_results:
        write_results(text, "e2e-missions", "End to end on mission pages (bench/e2e_missions.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
