"""CSV export of the published tables, safe to open in a spreadsheet.

Article text is untrusted: a value such as `=HYPERLINK("http://evil","x")` or `@SUM(A1)` would
run as a formula in Excel or LibreOffice. Every text cell that starts with one of = + - @ or a
tab / carriage return is prefixed with a single quote (the OWASP "CSV injection" advice), so it
is shown as text. Numbers and timestamps are written as they are. Lists are joined with "; ".
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

import pyarrow.parquet as pq

from pipeline import load
from pipeline.schema import TABLES

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet cannot take for a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return neutralise("; ".join("" if v is None else str(v) for v in value))
    if isinstance(value, str):
        return neutralise(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def export_csv(out_dir: Path, dest: Path, tables: list[str] | None = None) -> list[Path]:
    """Write <dest>/<table>.csv for the published snapshot in out_dir; returns the files."""
    snap = load.current_snapshot(out_dir)
    if snap is None:
        raise FileNotFoundError(f"no published snapshot in {out_dir}: run `infobox-etl run` first")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in tables or list(TABLES):
        path = snap / f"{name}.parquet"
        if not path.exists():
            continue
        table = pq.read_table(path)
        target = dest / f"{name}.csv"
        tmp = dest / f".tmp-{name}-{os.getpid()}.csv"
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(table.column_names)
            for batch in table.to_batches(10_000):
                for row in batch.to_pylist():
                    writer.writerow([_cell(row[c]) for c in table.column_names])
        os.replace(tmp, target)
        written.append(target)
    return written
