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
from pipeline.core.mappings import load_mappings
from pipeline.records import Issue

_PER_MISSION = ("crew", "events", "facts")


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
        self.keyed = defaultdict(list)          # source -> [(table, key column, row)]
        for table, key in _mapped_tables():
            for r in tables[table]:
                self.keyed[r["source"]].append((table, key, r))
        self.params = defaultdict(list)
        for r in tables["infobox_params"]:
            self.params[r["source"]].append(r)
        self.issues = defaultdict(list)
        for r in tables["issues"]:
            self.issues[r["source"]].append(r)
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
        for name in ("inputs", "infobox_params", "issues", *_PER_MISSION, *(t for t, _ in _mapped_tables())):
            path = snap / f"{name}.parquet"
            if not path.exists():
                return None
            tables[name] = [_strip(r) for r in pq.read_table(path).to_pylist()]
        return cls(manifest["run_id"], tables)

    def reuse(self, source: str, sha256: str, rev_id: int | None, *, title: str | None = None,
              page_id: int | None = None, rev_timestamp=None, source_format: str | None = None):
        """For an unchanged input: (input row, params, [(table, key, row)], {table: rows of its
        missions}, [(table, row_key, Issue)]); else None. Unchanged means the content and the
        revision, and also what a sidecar says about the page (title, page id, timestamp,
        source format): the rows carry those too."""
        old = self.inputs.get(source)
        if (old is None or old["sha256"] != sha256 or old["rev_id"] != rev_id
                or old["outcome"] not in ("curated", "no_mission")
                or (title is not None and old["title"] != title)):
            return None
        keyed = [(t, k, dict(r)) for t, k, r in self.keyed.get(source, [])]
        for _, _, r in keyed:
            if (r.get("page_id") != page_id or r.get("rev_timestamp") != rev_timestamp
                    or (source_format is not None and r.get("source_format") != source_format)):
                return None
        mission_ids = [r["mission_id"] for t, _, r in keyed if t == "missions"]
        if old["outcome"] == "curated" and not mission_ids:
            return None  # inconsistent snapshot: process again
        rows = {t: [dict(r) for m in mission_ids for r in self.per_mission[t].get(m, [])]
                for t in _PER_MISSION}
        issues = [(r["table"], r["row_key"], Issue(r["code"], r["field"], r["message"], r["mission_id"]))
                  for r in self.issues.get(source, [])]
        return dict(old), [dict(r) for r in self.params.get(source, [])], keyed, rows, issues


def _mapped_tables() -> list[tuple[str, str]]:
    return sorted({(m.table, m.key) for m in load_mappings()})
