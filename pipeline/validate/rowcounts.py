"""Publish checks: this run's row counts against the previously published snapshot.

A parser regression or a half-read raw folder shows first as a table that suddenly shrinks.
Such a run must not replace the published snapshot: its outcomes have scope `publish` and
severity `error`, and ValidationResult.blocks_publish() returns them when they fail.

- missions: at most `max_drop` (default 20 %) fewer rows than the previous snapshot, and never
  from N to 0 (even with max_drop=1);
- crew, events, facts: never from N to 0 (their counts move with the articles' content, so only
  their vanishing is a sure sign of breakage).

`previous` is the previous snapshot's _manifest.json as a dict ({"run_id", "tables": {name:
{"rows", "sha256"}}}; pipeline.load.read_manifest(out_dir) reads it) or None for a first run,
which passes with a note. A table absent from `tables` or from the manifest is not checked.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

    from pipeline.validate.results import ExpectationOutcome

SUITE = "publish"
DROP_TABLES = ("missions",)
NOT_EMPTIED_TABLES = ("crew", "events", "facts")


def _rows(entry) -> int | None:
    if isinstance(entry, dict) and isinstance(entry.get("rows"), int) and not isinstance(entry["rows"], bool):
        return entry["rows"]
    return None


def check_row_counts(tables: dict[str, "pa.Table"], previous: dict | None,
                     max_drop: float = 0.2) -> list["ExpectationOutcome"]:
    """One `publish`-scope outcome per watched table present in `tables` (see module doc)."""
    from pipeline.validate.results import ExpectationOutcome

    if not 0 <= max_drop <= 1:
        raise ValueError(f"max_drop is a share between 0 and 1, not {max_drop!r}")
    prev_tables = (previous or {}).get("tables") if isinstance(previous, dict) else None
    prev_tables = prev_tables if isinstance(prev_tables, dict) else {}
    prev_run = (previous or {}).get("run_id") if isinstance(previous, dict) else None
    against = f"snapshot {prev_run}" if prev_run else "the previous snapshot"
    out = []
    for name in DROP_TABLES + NOT_EMPTIED_TABLES:
        if name not in tables:
            continue
        now = tables[name].num_rows
        before = _rows(prev_tables.get(name))
        ratio = name in DROP_TABLES
        if ratio:
            check, desc = (f"{name}_row_count_drop",
                           f"{name} has at most {max_drop:.0%} fewer rows than the published snapshot, "
                           f"and is not emptied.")
        else:
            check, desc = (f"{name}_not_emptied",
                           f"{name} is not emptied while the published snapshot has rows.")
        if previous is None:
            ok, lost, detail = True, 0, "no previous snapshot: nothing to compare"
        elif before is None:
            ok, lost, detail = True, 0, f"{name} is not in {against}"
        else:
            lost = max(before - now, 0)
            emptied = before > 0 and now == 0
            too_many = ratio and before > 0 and lost / before > max_drop
            ok = not (emptied or too_many)
            change = f"{before} -> {now} rows" + (f" (-{lost / before:.0%})" if before and lost else "")
            detail = f"{change} against {against}" + ("" if ok else (
                ": emptied" if emptied else f": more than {max_drop:.0%} fewer"))
        out.append(ExpectationOutcome(
            name=check, suite=SUITE, table=name, columns=[], severity="error", scope="publish",
            description=desc, success=ok, unexpected_count=0 if ok else lost, failing_ids=[],
            detail=detail))
    return out
