"""How fast a small nightly run validates: the three bundled articles (raw/).

    .venv/bin/python bench/small_run.py          # about a minute; prints the figures

1. extract + transform the three articles in-process (not timed), build the tables;
2. import Great Expectations (timed once: a run does it in a warm-up thread while extracting);
3. validate() without a cache, then validate() with the cache filled by the previous call
   (the nightly steady state: same tables, suites and code), each the median of --repeat;
4. two real runs (`infobox-etl run`) in a scratch folder: the stage seconds of each (the second
   reuses every input and the cached validation).
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from pipeline.config import Config
    from pipeline.run import _collect, process
    from pipeline.schema import TABLES, to_table
    from pipeline.sources import iter_inputs

    results = [process(item) for item in iter_inputs(ROOT / "raw", Config().max_input_bytes)]
    rows = _collect(results)
    tables = {name: to_table(name, rows[name], "bench") for name in TABLES}
    t = time.perf_counter()
    from pipeline.validate import suites, validate
    suites.gx_module()
    print(f"missions: {tables['missions'].num_rows}; import great_expectations: {time.perf_counter() - t:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        cold, warm = [], []
        for i in range(args.repeat):
            cache = Path(tmp) / f"cache-{i}"
            t = time.perf_counter()
            validate(tables, expectations_dir=ROOT / "expectations", cache_dir=cache)
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            validate(tables, expectations_dir=ROOT / "expectations", cache_dir=cache)
            warm.append(time.perf_counter() - t)
        print(f"validate, GE (no cache):     median {statistics.median(cold):.2f} s of {args.repeat}")
        print(f"validate, unchanged (cache): median {statistics.median(warm):.3f} s of {args.repeat}")
        work = Path(tmp) / "site"
        shutil.copytree(ROOT / "raw", work / "raw")
        shutil.copytree(ROOT / "expectations", work / "expectations")
        for n in (1, 2):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pipeline", "run", "--quiet"], cwd=work, check=False,
                           capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            wall = time.perf_counter() - t
            latest = (work / "reports" / "LATEST").read_text().strip()
            stages = json.loads((work / "reports" / latest / "dq.json").read_text())["run"]["timings_s"]
            print(f"run {n}: {wall:.1f} s wall; " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
