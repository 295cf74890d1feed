"""Incremental runs: an input unchanged since the published snapshot keeps its rows.

An input is unchanged when its source, content hash (sha256) and revision id equal those in the
previous snapshot's inputs table, and the snapshot was made by the same pipeline code (a
fingerprint of the package's source and mappings, stored in the manifest). Its rows are copied
from that snapshot, so they stay identical; everything else is processed again and merged.
Inputs that were quarantined are always processed again.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pyarrow.parquet as pq

from pipeline import load
from pipeline.records import Issue

_PER_MISSION = ("crew", "events", "facts", "issues")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the package's Python sources and mapping files: any code change means a
    full re-run, never rows made by older code mixed with new ones."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _strip(row: dict) -> dict:
    row.pop("run_id", None)
    row.pop("schema_version", None)
    return row


class Previous:
    """The rows of the published snapshot, indexed for reuse."""

    def __init__(self, run_id: str, tables: dict[str, list[dict]]):
        self.run_id = run_id
        self.inputs = {r["source"]: r for r in tables["inputs"]}
        self.missions = defaultdict(list)
        for r in tables["missions"]:
            self.missions[r["source"]].append(r)
        self.params = defaultdict(list)
        for r in tables["infobox_params"]:
            self.params[r["source"]].append(r)
        self.per_mission = {t: defaultdict(list) for t in _PER_MISSION}
        for t in _PER_MISSION:
            for r in tables.get(t, []):
                self.per_mission[t][r["mission_id"]].append(r)

    @classmethod
    def load(cls, out_dir: Path) -> "Previous | None":
        manifest = load.read_manifest(out_dir)
        snap = load.current_snapshot(out_dir)
        if not manifest or snap is None or manifest.get("code") != code_fingerprint():
            return None
        tables = {}
        for name in ("inputs", "missions", "infobox_params", *_PER_MISSION):
            path = snap / f"{name}.parquet"
            if not path.exists():
                return None
            tables[name] = [_strip(r) for r in pq.read_table(path).to_pylist()]
        return cls(manifest["run_id"], tables)

    def reuse(self, source: str, sha256: str, rev_id: int | None):
        """(input row, params, missions, {table: rows}, issues) for an unchanged input, else None."""
        old = self.inputs.get(source)
        if (old is None or old["sha256"] != sha256 or old["rev_id"] != rev_id
                or old["outcome"] not in ("curated", "no_mission")):
            return None
        missions = self.missions.get(source, [])
        if old["outcome"] == "curated" and not missions:
            return None  # inconsistent snapshot: process again
        input_row = dict(old)
        rows = {t: [dict(r) for m in missions for r in self.per_mission[t].get(m["mission_id"], [])]
                for t in _PER_MISSION}
        issues = [Issue(r["code"], r["field"], r["message"], r["mission_id"]) for r in rows.pop("issues")]
        return input_row, [dict(r) for r in self.params.get(source, [])], [dict(m) for m in missions], rows, issues
