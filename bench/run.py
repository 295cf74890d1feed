"""Benchmarks, side by side in one run: extraction against mwparserfromhell and wtf_wikipedia,
dump scans against plain bz2 decompression, peak memory against dump size, an end-to-end run
with each stage's share, and the CLI's cold start.

    python bench/run.py            # full: 20,000-page corpus (about 15 minutes the first time)
    python bench/run.py --small    # CI: 2,000-page corpus, under two minutes, npm optional
    python bench/run.py --only extract,scan
    python bench/run.py --only extract --merge --write-results   # re-run one part of a full run

Figures go to bench/results.json (git-ignored); a full run also rewrites the figures part of
bench/RESULTS.md (between the markers; the analysis around them is kept). Each comparison is
ours, baseline, ratio, target and whether it is met. Benchmarks are not tests: they time, they
do not fail the build (the exit code is 0 unless the benchmark itself breaks).

See bench/README.md for what each figure measures and how.
"""
from __future__ import annotations

import argparse
import bz2
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
WORK = BENCH / "scratch"
WTF = BENCH / "wtf"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import corpus  # noqa: E402  (bench/corpus.py)

PARTS = ("extract", "scan", "memory", "e2e", "cold")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def compare(name: str, ours: float | None, baseline: float | None, unit: str, target: float,
            baseline_name: str, note: str = "", lower_is_better: bool = False,
            skipped: bool = False) -> dict:
    """One comparison row. ratio = ours / baseline; for lower_is_better targets (memory, time)
    the target is an upper bound on ours / baseline (or on ours when baseline is None). A
    skipped baseline leaves the target unjudged (met None), never met by default."""
    if skipped:
        return {"name": name, "ours": ours, "baseline": None, "baseline_name": baseline_name,
                "unit": unit, "ratio": None, "target": target,
                "target_text": ("≤ " if lower_is_better else "≥ ") + f"{target:g}×", "met": None,
                "note": note}
    if ours is None:
        ratio, met = None, False
    elif baseline is None:
        ratio, met = None, (ours <= target if lower_is_better else ours >= target)
    else:
        ratio = ours / baseline if baseline else None
        met = ratio is not None and (ratio <= target if lower_is_better else ratio >= target)
    return {"name": name, "ours": ours, "baseline": baseline, "baseline_name": baseline_name,
            "unit": unit, "ratio": ratio, "target": target,
            "target_text": ("≤ " if lower_is_better else "≥ ") + (f"{target:g}×" if baseline is not None
                                                                  else f"{target:g} {unit}"),
            "met": met, "note": note}


# --- machine -----------------------------------------------------------------------------------

def machine() -> dict:
    import mwparserfromhell
    node = shutil.which("node")
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() \
        if node else None
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)),
        "python": platform.python_version(), "platform": platform.platform(),
        "cpu": _cpu_model(), "mwparserfromhell": mwparserfromhell.__version__,
        "mwparserfromhell_c_tokenizer": bool(getattr(mwparserfromhell.parser, "use_c", False)),
        "node": node_version, "load_average": os.getloadavg(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# --- 1. extract + transform --------------------------------------------------------------------

def mission_sample(dump: Path, n: int) -> list:
    from pipeline.wikitext.scan import may_have_infobox
    from pipeline.records import RawInput
    from pipeline.sources.dump import iter_dump
    out = []
    for item in iter_dump(dump):
        if isinstance(item, RawInput) and may_have_infobox(item.content):
            out.append(item)
            if len(out) == n:
                break
    return out


def best_of(passes: int, fn, items) -> float:
    fn(items[:1])  # warm-up: first-use costs (imports, pint's registry) are not per page
    return min(_timed(fn, items) for _ in range(passes))


def _timed(fn, items) -> float:
    t = time.perf_counter()
    fn(items)
    return time.perf_counter() - t


def ours_extract(items) -> None:
    from pipeline.extract import extract_page
    from pipeline.transform.mapper import map_page
    for raw in items:
        page = extract_page(raw)
        map_page(page, page.title or raw.source)


# Process-wide singletons behind an lru_cache (the unit registry, the mapping files, compiled
# prefilter patterns): built once per process in any real run, not per page.
_SINGLETONS = {"_registry", "load_mappings", "_hint"}


def _pipeline_caches() -> list:
    """The lru_caches of the pipeline's modules that remember page content (template and
    parameter names, renderer lookups), not its process-wide singletons."""
    import pipeline.extract.wikitext  # noqa: F401 - imports the modules whose caches these are
    import pipeline.transform.mapper  # noqa: F401
    found = []
    for name, module in list(sys.modules.items()):
        if name.startswith("pipeline.") and module is not None:
            found += [f for f in vars(module).values() if callable(getattr(f, "cache_clear", None))
                      and getattr(f, "__name__", "") not in _SINGLETONS]
    return list({id(f): f for f in found}.values())


def ours_extract_cold(items) -> None:
    """As ours_extract, with every pipeline cache emptied before each page: the sample is
    replicas of two articles, so this bounds what the caches gain from repeated names."""
    from pipeline.extract import extract_page
    from pipeline.transform.mapper import map_page
    caches = _pipeline_caches()
    for raw in items:
        for f in caches:
            f.cache_clear()
        page = extract_page(raw)
        map_page(page, page.title or raw.source)


def ours_extract_prose(items) -> None:
    from pipeline.extract import extract_page
    from pipeline.transform.mapper import map_page
    for raw in items:
        page = extract_page(raw)
        for s in page.sections:
            s.text  # noqa: B018 - the prose is made lazily; make it
        map_page(page, page.title or raw.source)


def ours_reconcile(items) -> None:
    from pipeline.extract import extract_page
    from pipeline.transform.mapper import map_page
    from pipeline.transform.reconcile import reconcile
    for raw in items:
        page = extract_page(raw)
        bundle = map_page(page, page.title or raw.source)
        if bundle is not None:
            bundle = reconcile(bundle, page)


def baseline_mwparserfromhell(items) -> None:
    """The plain way: parse the whole page, filter the templates, strip_code each parameter."""
    import mwparserfromhell
    for raw in items:
        code = mwparserfromhell.parse(raw.content)
        boxes = []
        for t in code.filter_templates():
            if str(t.name).strip().lower().startswith("infobox"):
                boxes.append({str(p.name).strip(): p.value.strip_code().strip() for p in t.params})


def wtf_available(small: bool) -> tuple[bool, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        return False, "node is not installed"
    if (WTF / "node_modules" / "wtf_wikipedia").exists():
        return True, ""
    if small:
        return False, "bench/wtf/node_modules is absent (run `npm ci --prefix bench/wtf`, or a full run)"
    if npm is None:
        return False, "npm is not installed"
    log("installing wtf_wikipedia into bench/wtf (npm ci)")
    r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WTF, capture_output=True, text=True)
    if r.returncode != 0:
        return False, "npm ci failed: " + (r.stderr.strip().splitlines() or ["?"])[-1]
    return True, ""


def wtf_run(items, passes: int) -> dict:
    pages = WORK / "wtf-pages.jsonl"
    pages.write_text("".join(json.dumps(raw.content) + "\n" for raw in items), encoding="utf-8")
    r = subprocess.run(["node", str(WTF / "run.js"), str(pages), str(passes)], capture_output=True,
                       text=True, cwd=WTF)
    if r.returncode != 0:
        raise RuntimeError("wtf_wikipedia run failed: " + r.stderr.strip()[-500:])
    return json.loads(r.stdout)


def bench_extract(m: dict, small: bool) -> tuple[dict, list[dict]]:
    n = 40 if small else 300
    items = mission_sample(Path(m["paths"]["single"]), n)
    mb = sum(len(x.content.encode()) for x in items) / 1e6
    log(f"extract: {len(items)} spaceflight pages ({mb:.1f} MB of wikitext)")
    out: dict = {"pages": len(items), "wikitext_mb": mb}
    for key, fn, passes in (("ours", ours_extract, 3), ("ours_cold", ours_extract_cold, 3),
                            ("ours_prose", ours_extract_prose, 3),
                            ("ours_reconcile", ours_reconcile, 2 if small else 1),
                            ("mwparserfromhell", baseline_mwparserfromhell, 2 if small else 1)):
        secs = best_of(passes, fn, items)
        out[key] = {"seconds": secs, "pages_per_s": len(items) / secs, "passes": passes}
        log(f"  {key:18s} {len(items) / secs:8.1f} pages/s")
    ok, why = wtf_available(small)
    if ok:
        w = wtf_run(items, 3)
        out["wtf_wikipedia"] = {"seconds": w["seconds"], "pages_per_s": w["pages"] / w["seconds"],
                                "passes": w["passes"], "version": w["version"]}
        log(f"  {'wtf_wikipedia':18s} {out['wtf_wikipedia']['pages_per_s']:8.1f} pages/s")
    else:
        out["wtf_wikipedia"] = {"skipped": why}
        log(f"  wtf_wikipedia skipped: {why}")
    ours, prose = out["ours"]["pages_per_s"], out["ours_prose"]["pages_per_s"]
    base = out["mwparserfromhell"]["pages_per_s"]
    wtf = out["wtf_wikipedia"].get("pages_per_s")
    rows = [
        compare("extract+transform vs mwparserfromhell", ours, base, "pages/s", 10,
                "mwparserfromhell whole page + strip_code"),
        compare("extract+transform, caches emptied per page (informative) vs mwparserfromhell",
                out["ours_cold"]["pages_per_s"], base, "pages/s", 10,
                "mwparserfromhell whole page + strip_code"),
        compare("extract+transform (prose made) vs mwparserfromhell", prose, base, "pages/s", 10,
                "mwparserfromhell whole page + strip_code"),
        compare("extract+transform vs wtf_wikipedia", ours, wtf, "pages/s", 5,
                "wtf_wikipedia parse + infobox JSON", skipped=not wtf,
                note="" if wtf else "wtf_wikipedia skipped: " + out["wtf_wikipedia"]["skipped"]),
        compare("extract+transform (prose made) vs wtf_wikipedia", prose, wtf, "pages/s", 5,
                "wtf_wikipedia parse + infobox JSON", skipped=not wtf),
    ]
    return out, rows


# --- 2. dump scans -------------------------------------------------------------------------------

def decompress(path: Path) -> tuple[int, float]:
    t = time.perf_counter()
    n = 0
    with bz2.open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += len(chunk)
    return n, time.perf_counter() - t


def scan(items, prefilter: bool) -> tuple[int, int, float]:
    from pipeline.extract import extract_page
    from pipeline.wikitext.scan import may_have_infobox
    from pipeline.records import RawInput
    from pipeline.transform.mapper import map_page
    t = time.perf_counter()
    pages = missions = 0
    for item in items:
        pages += 1
        if prefilter and isinstance(item, RawInput) and may_have_infobox(item.content):
            page = extract_page(item)
            missions += map_page(page, page.title or item.source) is not None
    return pages, missions, time.perf_counter() - t


def bench_scan(m: dict) -> tuple[dict, list[dict]]:
    from pipeline.wikitext.scan import may_have_infobox
    from pipeline.sources.dump import iter_dump
    from pipeline.sources.multistream import iter_multistream
    single, multi = Path(m["paths"]["single"]), Path(m["paths"]["multistream"])
    xml_mb = m["xml_bytes"] / 1e6
    out: dict = {"xml_mb": xml_mb, "pages": m["pages"]}

    def record(key, pages, secs, **extra):
        out[key] = dict(pages=pages, seconds=secs, pages_per_s=pages / secs, mb_per_s=xml_mb / secs, **extra)
        log(f"  {key:32s} {pages / secs:8.0f} pages/s {xml_mb / secs:7.1f} MB/s")

    log(f"scan: {m['pages']} pages, {xml_mb:.0f} MB of XML")
    n, secs = decompress(single)
    record("bz2_decompress", m["pages"], secs, bytes=n)
    n2, secs2 = decompress(multi)
    record("bz2_decompress_multistream", m["pages"], secs2, bytes=n2)
    pages, _, secs = scan(iter_dump(single), prefilter=False)
    record("iter_dump", pages, secs)
    pages, missions, secs = scan(iter_dump(single), prefilter=True)
    record("iter_dump+prefilter+extract", pages, secs, missions=missions)
    pages, _, secs = scan(iter_multistream(multi, workers=2), prefilter=False)
    record("multistream_2_workers", pages, secs)
    pages, missions, secs = scan(iter_multistream(multi, workers=2, keep=may_have_infobox),
                                 prefilter=True)
    record("multistream_2_workers+prefilter+extract", m["pages"], secs, missions=missions)
    d = out["bz2_decompress"]["mb_per_s"]
    rows = [
        compare("dump scan (iter_dump) vs bz2 decompression, 1 core", out["iter_dump"]["mb_per_s"], d,
                "MB/s", 0.9, "bz2.open().read()"),
        compare("dump scan + prefilter + extract vs bz2 decompression, 1 core",
                out["iter_dump+prefilter+extract"]["mb_per_s"], d, "MB/s", 0.9, "bz2.open().read()",
                note="informative: the target is set for the raw scan"),
        compare("multistream scan, 2 workers vs 1-core bz2 decompression",
                out["multistream_2_workers"]["mb_per_s"], d, "MB/s", 1.6, "bz2.open().read()"),
        compare("multistream scan + prefilter + extract, 2 workers vs 1-core bz2 decompression",
                out["multistream_2_workers+prefilter+extract"]["mb_per_s"], d, "MB/s", 1.6,
                "bz2.open().read()", note="informative"),
    ]
    return out, rows


# --- 3. peak memory --------------------------------------------------------------------------------

def memscan(dump: Path, mode: str) -> dict:
    r = subprocess.run([sys.executable, str(BENCH / "memscan.py"), str(dump), mode],
                       capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise RuntimeError("memscan failed: " + r.stderr.strip()[-800:])
    return json.loads(r.stdout.strip().splitlines()[-1])


def bench_memory(small_m: dict, big_m: dict) -> tuple[dict, list[dict]]:
    out: dict = {}
    rows = []
    for mode, key in (("dump", "single"), ("multistream", "multistream")):
        a = memscan(Path(small_m["paths"][key]), mode)
        b = memscan(Path(big_m["paths"][key]), mode)
        out[mode] = {"small": dict(a, corpus_pages=small_m["pages"], xml_mb=small_m["xml_bytes"] / 1e6),
                     "big": dict(b, corpus_pages=big_m["pages"], xml_mb=big_m["xml_bytes"] / 1e6)}
        for label, x in (("small", a), ("big", b)):
            log(f"  memory {mode:12s} {label}: {x['pages']:6d} pages  peak {x['maxrss_mb']:6.0f} MB "
                f"(children {x['children_maxrss_mb']:.0f} MB)")
        growth = f"{big_m['pages'] // small_m['pages']}× pages"
        rows.append(compare(f"peak RSS of a {mode} scan at {big_m['pages']} vs {small_m['pages']} pages",
                            b["maxrss_mb"], a["maxrss_mb"], "MB", 1.25, f"{small_m['pages']} pages",
                            lower_is_better=True, note=f"{growth}; flat means ≤ 1.25×"))
        if mode == "multistream":
            rows.append(compare(f"peak RSS of a multistream worker at {big_m['pages']} vs {small_m['pages']} pages",
                                b["children_maxrss_mb"], a["children_maxrss_mb"], "MB", 1.25,
                                f"{small_m['pages']} pages", lower_is_better=True))
    return out, rows


# --- 4. end to end ---------------------------------------------------------------------------------

def bench_e2e(m: dict) -> tuple[dict, list[dict]]:
    run_dir = WORK / "e2e"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    timings = run_dir / "timings.json"
    cmd = [sys.executable, str(BENCH / "stagetimer.py"), str(timings), "run", "--dump",
           m["paths"]["single"], "--out", str(run_dir / "curated"), "--reports", str(run_dir / "reports"),
           "--full", "--fail-on", "never", "--workers", "2", "--no-progress"]
    log(f"e2e: {m['pages']} pages ({m['missions']} missions): {' '.join(cmd[1:])}")
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"the run exited {r.returncode}: " + r.stderr.strip()[-800:])
    stages = json.loads(timings.read_text())
    inside = stages.pop("inside_total")
    stages["startup+other"] = max(0.0, wall - sum(stages.values()))
    out = {"pages": m["pages"], "missions_in_corpus": m["missions"], "wall_seconds": wall,
           "seconds_in_process": inside, "stages": stages,
           "shares": {k: v / wall for k, v in stages.items()},
           "command": "python -m pipeline " + " ".join(cmd[3:]).replace(str(ROOT) + "/", "")}
    summary = _run_summary(run_dir / "reports")
    if summary:
        out["summary"] = {k: summary.get(k) for k in ("inputs_read", "missions_curated", "inputs_curated",
                                                      "inputs_no_mission", "inputs_quarantined",
                                                      "expectations_failed")}
    for k, v in stages.items():
        log(f"  {k:14s} {v:8.1f} s  {100 * v / wall:5.1f} %")
    log(f"  wall {wall:.1f} s")
    rows = [compare("validation share of the end-to-end run", stages["validate"] / wall * 100, None, "%",
                    20, "", lower_is_better=True, note=f"{m['missions']} mission pages of {m['pages']}")]
    return out, rows


def _run_summary(reports: Path) -> dict | None:
    """The run's summary, as its report wrote it (reports/LATEST names the run)."""
    try:
        run_id = (reports / "LATEST").read_text().strip()
        return json.loads((reports / run_id / "dq.json").read_text()).get("run")
    except (OSError, ValueError):
        return None


# --- 5. cold start -----------------------------------------------------------------------------------

def bench_cold() -> tuple[dict, list[dict]]:
    exe = ROOT / ".venv" / "bin" / "infobox-etl"
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "pipeline", "--help"]
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, cwd=ROOT, check=True)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    log(f"cold start: median {med * 1000:.0f} ms of {[round(x * 1000) for x in times]}")
    return ({"command": " ".join(cmd).replace(str(ROOT) + "/", ""), "seconds": times, "median": med},
            [compare("`infobox-etl --help` cold start (median of 5)", med, None, "s", 0.3, "",
                     lower_is_better=True)])


# --- report ------------------------------------------------------------------------------------------

BEGIN, END = "<!-- figures:begin (bench/run.py rewrites this part) -->", "<!-- figures:end -->"


def table(rows: list[dict]) -> str:
    lines = ["| comparison | ours | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
    for r in rows:
        ours = _fmt(r["ours"], r["unit"])
        base = f"{_fmt(r['baseline'], r['unit'])} ({r['baseline_name']})" if r["baseline"] is not None else (
            "skipped" if r["baseline_name"] and "skipped" in r["note"] else "—")
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "—"
        met = "skipped" if r["met"] is None else "yes" if r["met"] else "**no**"
        note = f" ({r['note']})" if r["note"] else ""
        lines.append(f"| {r['name']}{note} | {ours} | {base} | {ratio} | {r['target_text']} | {met} |")
    return "\n".join(lines)


def _fmt(v, unit: str) -> str:
    if v is None:
        return "—"
    if unit == "s":
        return f"{v * 1000:.0f} ms"
    return f"{v:,.1f} {unit}" if v < 100 else f"{v:,.0f} {unit}"


def figures_md(results: dict, argv: list[str]) -> str:
    mach = results["machine"]
    lines = [BEGIN, "", f"Run of {mach['date']}: `python bench/run.py {' '.join(argv)}`".rstrip() + "  ",
             f"Machine: {mach['nproc']} cores ({mach['cpu']}), Python {mach['python']}, "
             f"mwparserfromhell {mach['mwparserfromhell']} (C tokenizer: {mach['mwparserfromhell_c_tokenizer']}), "
             f"node {mach['node']}, load average at start {', '.join(f'{x:.2f}' for x in mach['load_average'])}.",
             "", table(results["comparisons"]), ""]
    if "extract" in results:
        e = results["extract"]
        lines += [f"Extraction sample: {e['pages']} spaceflight pages ({e['wikitext_mb']:.1f} MB of wikitext), best pass.",
                  "", "| what | pages/s |", "|---|---|"]
        for key, label in (("ours", "extract_page + map_page (prose left lazy)"),
                           ("ours_cold", "the same, every pipeline cache emptied before each page"),
                           ("ours_prose", "extract_page + map_page, prose sections made"),
                           ("ours_reconcile", "extract_page + map_page + reconcile (prose events)"),
                           ("mwparserfromhell", "mwparserfromhell: parse, filter_templates, strip_code"),
                           ("wtf_wikipedia", "wtf_wikipedia: parse + infobox JSON (node)")):
            v = e.get(key, {})
            lines.append(f"| {label} | {v['pages_per_s']:.1f} |" if "pages_per_s" in v
                         else f"| {label} | skipped: {v.get('skipped', '?')} |")
        lines.append("")
    if "scan" in results:
        s = results["scan"]
        lines += [f"Dump scans: {s['pages']} pages, {s['xml_mb']:.0f} MB of XML.", "",
                  "| scan | pages/s | MB/s of XML | seconds |", "|---|---|---|---|"]
        for k, v in s.items():
            if isinstance(v, dict):
                lines.append(f"| {k} | {v['pages_per_s']:,.0f} | {v['mb_per_s']:.1f} | {v['seconds']:.1f} |")
        lines.append("")
    if "memory" in results:
        lines += ["| peak memory (fresh process) | pages | XML MB | peak RSS MB | largest child MB | seconds |",
                  "|---|---|---|---|---|---|"]
        for mode, v in results["memory"].items():
            for size in ("small", "big"):
                x = v[size]
                lines.append(f"| {mode} | {x['corpus_pages']} | {x['xml_mb']:.0f} | {x['maxrss_mb']:.0f} | "
                             f"{x['children_maxrss_mb']:.0f} | {x['seconds']:.1f} |")
        lines.append("")
    if "e2e" in results:
        e = results["e2e"]
        lines += [f"End to end: `{e['command']}` over {e['pages']} pages ({e['missions_in_corpus']} missions): "
                  f"{e['wall_seconds']:.1f} s wall.", "", "| stage | seconds | share |", "|---|---|---|"]
        for k, v in e["stages"].items():
            lines.append(f"| {k} | {v:.1f} | {100 * e['shares'][k]:.1f} % |")
        if e.get("summary"):
            lines += ["", "Run summary: " + json.dumps(e["summary"])]
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def write_results_md(results: dict, argv: list[str]) -> None:
    path = BENCH / "RESULTS.md"
    block = figures_md(results, argv)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def _part_of(name: str) -> str:
    if "RSS" in name:
        return "memory"
    if "extract+transform" in name:
        return "extract"
    if "scan" in name:
        return "scan"
    return "e2e" if "validation" in name else "cold"


# --- main -------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", action="store_true", help="2,000-page corpus, no npm install (CI)")
    ap.add_argument("--pages", type=int, help="corpus size (default 20,000; 2,000 with --small)")
    ap.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ",".join(PARTS))
    ap.add_argument("--write-results", action="store_true",
                    help="rewrite bench/RESULTS.md's figures (default: on full runs of every part)")
    ap.add_argument("--merge", action="store_true",
                    help="keep the other parts' figures from bench/results.json (re-run one part)")
    args = ap.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown parts: {', '.join(sorted(unknown))}")
    pages = args.pages or (2000 if args.small else 20000)
    WORK.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    results_path = BENCH / "results.json"
    results: dict = {}
    if args.merge and results_path.exists():
        results = json.loads(results_path.read_text())
    results.update({"machine": machine(), "mode": "small" if args.small else "full"})
    rows: dict = results.setdefault("rows", {})
    if not rows and results.get("comparisons"):  # a results.json written before "rows" existed
        for r in results["comparisons"]:
            rows.setdefault(_part_of(r["name"]), []).append(r)
    m = corpus.build(pages, log=log)
    results["corpus"] = {k: v for k, v in m.items() if k not in ("paths", "dir")}
    for part in parts:
        if part == "extract":
            results["extract"], rows[part] = bench_extract(m, args.small)
        elif part == "scan":
            results["scan"], rows[part] = bench_scan(m)
        elif part == "memory":
            small_m = corpus.build(max(100, pages // 10), log=log)
            results["memory"], rows[part] = bench_memory(small_m, m)
        elif part == "e2e":
            e2e_m = corpus.build(pages, log=log, mission_every=2) if not args.small else m
            results["e2e"], rows[part] = bench_e2e(e2e_m)
        elif part == "cold":
            results["cold_start"], rows[part] = bench_cold()
        results["comparisons"] = [r for p in PARTS for r in rows.get(p, [])]
        results_path.write_text(json.dumps(results, indent=1, default=str) + "\n")  # after each part
    results["bench_seconds"] = time.perf_counter() - t0
    results_path.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(table(results["comparisons"]))
    log(f"bench took {results['bench_seconds']:.0f} s; figures in bench/results.json")
    if args.write_results or (not args.small and set(parts) == set(PARTS)):
        write_results_md(results, argv)
        log("bench/RESULTS.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
