"""The load stage alone, side by side: publish one run's tables with two checkouts' code.

Usage: python bench/publish_ab.py CURATED OLD_ROOT NEW_ROOT [--rounds 3]

Reads the tables of CURATED (a published curated/ folder), then in fresh processes, old then
new in each round, times pipeline.load.publish of those tables into a scratch folder with each
checkout's code (in the new one, infobox_params staged as parts first, as a run does, then
merged by the publish). Prints the seconds of each and the median ratio old/new.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys

CHILD = r"""
import sys, time, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import pyarrow.parquet as pq
from pipeline import load
from pipeline.schema import TABLES
curated = Path(sys.argv[2])
tables = {n: pq.read_table(curated / f"{n}.parquet") for n in TABLES}
out = Path(tempfile.mkdtemp())
Staging = None
if (Path(sys.argv[1]) / "pipeline" / "parts.py").exists():  # (an editable install would find ours)
    from pipeline.parts import Staging
t = time.perf_counter()
if Staging is None:
    load.publish(tables, out / "c", "r1")
else:
    staging = Staging(out / "c")
    params = tables.pop("infobox_params").drop_columns(["run_id", "schema_version"]).to_pylist()
    class R:
        pass
    by_source = {}
    for row in params:
        by_source.setdefault(row["source"], []).append(row)
    t = time.perf_counter()   # staging happens during extraction in a run: not counted
    for rows in by_source.values():
        r = R(); r.params, r.params_at, r.n_params = rows, None, 0
        staging.take(r)
    staging.finish()
    t = time.perf_counter()
    load.publish(tables, out / "c", "r1", staged={"infobox_params": staging})
    staging.close()
print(time.perf_counter() - t)
"""


def once(root: str, curated: str) -> float:
    r = subprocess.run([sys.executable, "-c", CHILD, root, curated], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr[-1500:])
    return float(r.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 3
    curated, old, new = argv[:3]
    pairs = []
    for _ in range(rounds):
        pairs.append((once(old, curated), once(new, curated)))
    print(json.dumps({"old_s": [round(a, 3) for a, _ in pairs], "new_s": [round(b, 3) for _, b in pairs],
                      "median_old_over_new": round(statistics.median(a / b for a, b in pairs), 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
