"""Publish the curated tables atomically.

Layout of the output folder (default curated/):

    _snapshots/<run_id>/<table>.parquet   one complete, immutable snapshot per published run
    _snapshots/<run_id>/_manifest.json    row counts and content hashes of that snapshot
    _current -> _snapshots/<run_id>       the published snapshot (a relative symlink)
    <table>.parquet -> _current/<table>.parquet   what analysts open

A run writes its snapshot into a temporary folder, fsyncs it, renames it into _snapshots/ and
then swaps `_current` with one rename(2), which is atomic on POSIX: a reader sees the whole old
snapshot or the whole new one, never a mix or a half-written file. The previous snapshots stay
(the newest `keep` are kept). A crash leaves only a `.tmp-*` folder, removed by the next run.

Tables staged as parts while the pages were read (pipeline.parts: `infobox_params`) are merged
into the temporary snapshot folder like any other table, so they are published by the same
rename or not at all; a dead run's `_staging/` folder is removed by the next run.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import schema
from pipeline.parts import clean_staging

SNAPSHOTS = "_snapshots"
CURRENT = "_current"
MANIFEST = "_manifest.json"
LOCK = ".publish.lock"


HASH_BLOCK = 8_192    # rows hashed together (held until hashed): the hash does not depend on how rows are chunked


class TableHasher:
    """The content hash of a table (content_hash), fed in batches of any size: a table merged
    from parts is hashed as it is written, with the value content_hash gives the whole table.

    Values are hashed column by column per block of HASH_BLOCK rows with Arrow's own buffers,
    normalised so that Arrow's memory layout does not count (chunks, slice offsets, a validity
    bitmap present or not, string or large_string offsets, values under nulls): a table built
    in memory and the same table read back from Parquet hash alike."""

    def __init__(self, schema: pa.Schema):
        self._fields = [f.name for f in schema if f.name != "run_id"]
        # field names and types; list item names differ after a Parquet round trip (item/element)
        self._h = hashlib.sha256(json.dumps(
            [(f.name, re.sub(r"list<\w+: ", "list<", str(f.type))) for f in schema
             if f.name != "run_id"]).encode())
        self._pending: list[pa.Table] = []
        self._rows = 0

    def update(self, table: pa.Table) -> None:
        table = table.select(self._fields)
        while table.num_rows:
            take = min(HASH_BLOCK - self._rows, table.num_rows)
            self._pending.append(table.slice(0, take))
            self._rows += take
            table = table.slice(take)
            if self._rows == HASH_BLOCK:
                self._block()

    def _block(self) -> None:
        block = pa.concat_tables(self._pending)
        self._h.update(str(block.num_rows).encode())
        for column in block.columns:
            _hash_array(self._h, column.combine_chunks() if column.num_chunks != 1 else column.chunk(0))
        self._pending, self._rows = [], 0

    def hexdigest(self) -> str:
        if self._rows:
            self._block()
        return self._h.hexdigest()


def _hash_array(h, arr: pa.Array) -> None:
    """Feed the values of `arr` to h: which slots are null, then the values (nulls as zero or
    empty), lists as their lengths and their items."""
    nulls = arr.is_null().to_numpy(zero_copy_only=False)
    h.update(np.packbits(nulls).tobytes())
    t = arr.type
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        offsets = arr.offsets.to_numpy().astype(np.int64)   # the slice's own offsets
        lengths = np.diff(offsets)
        lengths[nulls] = 0
        h.update(lengths.tobytes())
        _hash_array(h, arr.flatten())
    elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t):
        arr = pc.if_else(nulls, pa.scalar("" if not pa.types.is_binary(t) else b"", t), arr) if nulls.any() else arr
        width = np.int64 if pa.types.is_large_string(t) else np.int32
        offsets = np.frombuffer(arr.buffers()[1], dtype=width)[arr.offset:arr.offset + len(arr) + 1]
        data = arr.buffers()[2]
        h.update(np.diff(offsets).astype(np.int64).tobytes())
        if data is not None and len(offsets):
            h.update(memoryview(data)[int(offsets[0]):int(offsets[-1])])
    elif pa.types.is_null(t):
        return
    else:  # numbers, booleans, timestamps: nulls as zero
        values = pc.fill_null(arr, pa.scalar(False if pa.types.is_boolean(t) else 0, t)) if nulls.any() else arr
        h.update(np.ascontiguousarray(values.to_numpy(zero_copy_only=False)).tobytes())


def content_hash(table: pa.Table) -> str:
    """SHA-256 of a table's schema and rows, without the per-run `run_id` column: equal for two
    runs over the same input, and for a published table read back from its Parquet file (the
    values are hashed, not Arrow's memory layout, which differs between the two)."""
    hasher = TableHasher(table.schema)
    hasher.update(table)
    return hasher.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def clean_leftovers(out_dir: Path) -> list[Path]:
    """Remove temporary folders and links that an interrupted run left behind. Called under the
    publish lock: a run that is still writing holds the lock, so what is found here is left over."""
    removed = clean_staging(out_dir)
    snaps = out_dir / SNAPSHOTS
    if snaps.is_dir():
        for p in snaps.glob(".tmp-*"):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    for p in out_dir.glob(".tmp-*"):
        if p.is_symlink() or p.is_file():  # ours are links; a foreign folder is left alone
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed


def _set_aside(path: Path, run_id: str) -> None:
    """A foreign entry where a link of ours belongs (`_current` or `<table>.parquet` as a real
    folder or file) is renamed `<name>.foreign-<run_id>`, not deleted: nothing is lost, and
    the publish goes on."""
    if path.is_symlink() or not path.exists():
        return
    os.rename(path, path.with_name(f"{path.name}.foreign-{run_id}"))


@contextmanager
def _publish_lock(out_dir: Path):
    """One publish at a time per output folder (overlapping scheduled runs wait, in turn)."""
    with open(out_dir / LOCK, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def current_snapshot(out_dir: Path) -> Path | None:
    link = out_dir / CURRENT
    if not link.is_symlink():
        return None
    target = (out_dir / os.readlink(link)).resolve()
    return target if target.is_dir() else None


def read_manifest(out_dir: Path) -> dict | None:
    """The current snapshot's manifest; None when there is none or it is not one (unreadable, not
    a JSON object: a foreign file is not trusted as a baseline)."""
    snap = current_snapshot(out_dir)
    if snap is None or not (snap / MANIFEST).is_file():
        return None
    try:
        data = json.loads((snap / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("tables"), dict) else None


def _replace_symlink(link: Path, target: str) -> None:
    tmp = link.parent / f".tmp-{link.name}-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def publish(tables: dict[str, pa.Table], out_dir: Path, run_id: str, keep: int = 3,
            extra: dict | None = None, guard: Callable[[dict | None], bool] | None = None,
            staged: dict | None = None) -> dict | None:
    """Write a snapshot of `tables` and make it the current one; returns its manifest.
    `staged` maps more table names to what writes them from their parts (pipeline.parts.Staging:
    `write(name, path, run_id, hasher)` -> rows), merged straight into the new snapshot.
    `extra` goes into the manifest as is (e.g. the code fingerprint for incremental runs).
    `guard(published manifest or None)` is asked under the publish lock, so that what it compares
    against is still current when the swap happens; when it says True nothing is written and
    None is returned."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with _publish_lock(out_dir):
        if guard is not None and guard(read_manifest(out_dir)):
            return None
        return _publish(tables, out_dir, run_id, keep, extra, staged or {})


def _publish(tables, out_dir: Path, run_id: str, keep: int, extra: dict | None,
             staged: dict | None = None) -> dict:
    staged = staged or {}
    clean_leftovers(out_dir)
    snaps = out_dir / SNAPSHOTS
    snaps.mkdir(exist_ok=True)
    final = snaps / run_id
    if final.exists():
        raise FileExistsError(f"snapshot {final} exists already: run ids must be unique")
    tmp = snaps / f".tmp-{run_id}-{os.getpid()}"
    tmp.mkdir()
    manifest = {**(extra or {}), "run_id": run_id, "tables": {}}
    for name in sorted([*tables, *staged]):
        path = tmp / f"{name}.parquet"
        if name in staged:
            hasher = TableHasher(schema.TABLES[name])
            rows = staged[name].write(name, path, run_id, hasher)
            manifest["tables"][name] = {"rows": rows, "sha256": hasher.hexdigest()}
        else:
            pq.write_table(tables[name], path, compression="zstd")
            manifest["tables"][name] = {"rows": tables[name].num_rows, "sha256": content_hash(tables[name])}
        with open(path, "rb+") as fh:
            os.fsync(fh.fileno())
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    _fsync_dir(tmp)
    os.rename(tmp, final)
    _fsync_dir(snaps)
    _set_aside(out_dir / CURRENT, run_id)
    _replace_symlink(out_dir / CURRENT, f"{SNAPSHOTS}/{run_id}")
    for name in [*tables, *staged]:
        link = out_dir / f"{name}.parquet"
        want = f"{CURRENT}/{name}.parquet"
        if not (link.is_symlink() and os.readlink(link) == want):
            if link.is_file() and not link.is_symlink():
                link.unlink()  # a plain file from an older layout
            _set_aside(link, run_id)
            _replace_symlink(link, want)
    _fsync_dir(out_dir)
    _prune(snaps, keep, run_id)
    return manifest


def _prune(snaps: Path, keep: int, current: str) -> None:
    runs = sorted((p for p in snaps.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.name)
    for old in runs[:-keep] if keep > 0 else []:
        if old.name != current:
            shutil.rmtree(old, ignore_errors=True)
