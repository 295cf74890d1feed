"""Run `infobox-etl ...` with a stopwatch on each stage, without touching pipeline/run.py.

Usage: python bench/stagetimer.py TIMINGS.json run --dump ... (the CLI's own arguments)

The orchestrator has no stage timings yet (see bench/README.md for the `timings` dict it should
grow). Until then this wrapper times the stages from outside by wrapping the functions that
pipeline.run calls, then runs the CLI exactly as `infobox-etl` would:

  read       time the driver spends inside the input iterator (dump decompression + XML parse)
  extract    the rest of pipeline.engines.process_all: extract + transform + reconcile in the
             worker processes, as the driver waits for them
  assemble   pipeline.run._collect and schema.to_table (rows -> Arrow tables)
  validate   importing pipeline.validate (Great Expectations) + validate() + check_row_counts
             + holding back failed rows
  load       pipeline.load.publish (Parquet snapshot, atomic swap)
  report     pipeline.validate.write_report (dq.json, dq.md, Data Docs)

Seconds per stage go to TIMINGS.json when the CLI exits. A function that a later version of
pipeline.run no longer calls is simply reported as 0.
"""
from __future__ import annotations

import atexit
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

T: dict[str, float] = {k: 0.0 for k in ("read", "extract", "assemble", "validate", "load", "report")}
T0 = time.perf_counter()


def timed(stage: str, fn):
    def wrapper(*args, **kwargs):
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            T[stage] += time.perf_counter() - t
    return wrapper


class TimedIterator:
    def __init__(self, items) -> None:
        self.it = iter(items)

    def __iter__(self):
        return self

    def __next__(self):
        t = time.perf_counter()
        try:
            return next(self.it)
        finally:
            T["read"] += time.perf_counter() - t


def install() -> None:
    import pipeline.run as run
    from pipeline import load

    t = time.perf_counter()
    import pipeline.validate as validate  # Great Expectations comes in here
    T["validate"] += time.perf_counter() - t

    original = run.process_all

    def process_all(items, *args, **kwargs):
        t = time.perf_counter()
        read_before = T["read"]
        try:
            return list(original(TimedIterator(items), *args, **kwargs))  # a generator: time it all
        finally:
            T["extract"] += time.perf_counter() - t - (T["read"] - read_before)

    run.process_all = process_all
    for name in ("_collect", "to_table"):
        if hasattr(run, name):
            setattr(run, name, timed("assemble", getattr(run, name)))
    for name in ("validate", "check_row_counts"):
        if hasattr(validate, name):
            setattr(validate, name, timed("validate", getattr(validate, name)))
    if hasattr(run, "_hold_back"):
        run._hold_back = timed("validate", run._hold_back)
    load.publish = timed("load", load.publish)
    if hasattr(validate, "write_report"):
        validate.write_report = timed("report", validate.write_report)


def main() -> None:
    out = Path(sys.argv[1])
    sys.argv = ["infobox-etl"] + sys.argv[2:]

    def dump() -> None:
        out.write_text(json.dumps(dict(T, inside_total=time.perf_counter() - T0), indent=1) + "\n")

    atexit.register(dump)
    install()
    from pipeline.cli import main as cli_main
    cli_main()


if __name__ == "__main__":
    main()
