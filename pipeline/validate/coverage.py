"""Field coverage of the missions table: how many missions have each column, and from where.

    {"missions": 3,
     "columns": {"launch_utc": {"present": 3, "share": 1.0,
                                "by_source": {"infobox": 2, "prose": 1, "derived": 0}},
                 "cospar_id": {"present": 2, "share": 0.6667}, ...}}

A mission "has" a column when the value is not null, not an empty or blank string and not an
empty list. Columns with a source column (SOURCE_COLUMNS) are split by that source among the
missions that have them; a value whose source is null counts as "unknown" (shown only when
there is one). run_id and schema_version are bookkeeping and are left out.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

SOURCE_COLUMNS = {"launch_utc": "launch_source", "landing_utc": "landing_source",
                  "duration_s": "duration_source"}
SOURCES = ("infobox", "prose", "derived")
SKIP = ("run_id", "schema_version")


def _has(v) -> bool:
    if v is None:
        return False
    if isinstance(v, str):
        return bool(v.strip())
    if isinstance(v, (list, tuple)):
        return bool(v)
    return True


def field_coverage(missions: "pa.Table") -> dict:
    n = missions.num_rows
    columns: dict[str, dict] = {}
    for name in missions.column_names:
        if name in SKIP or name.startswith("dq_"):
            continue
        values = missions[name].to_pylist()
        present = [_has(v) for v in values]
        entry = {"present": sum(present), "share": round(sum(present) / n, 4) if n else None}
        src = SOURCE_COLUMNS.get(name)
        if src and src in missions.column_names:
            by = dict.fromkeys(SOURCES, 0)
            for has, s in zip(present, missions[src].to_pylist()):
                if has:
                    key = s if isinstance(s, str) and s else "unknown"
                    by[key] = by.get(key, 0) + 1
            entry["by_source"] = by
        columns[name] = entry
    return {"missions": n, "columns": columns}
