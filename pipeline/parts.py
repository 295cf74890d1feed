"""Per-page tables written as Parquet parts while the pages are read, merged once at publish.

The bulk of a dump run is `infobox_params`: every parameter of every infobox of every page,
mission or not. Those rows need nothing from the rest of the run (no person keys, no ids to
reconcile), so they are not kept in the driver until the end. They go to part files in a
staging folder of the output folder as the pages are processed:

- on Dask, each task writes the part of its own pages in the worker (`write_task_part`) and
  returns the results without their rows; a part is written as `<name>.inprogress` and renamed
  when complete, so a worker killed mid-write leaves a file that no result names and that is
  never read (Dask runs the task again under a new part name);
- on the local engine, the driver appends each result's rows to a bounded buffer and writes it
  out as a sorted part every RUN_ROWS rows (the workers answer a few pages at a time, and a
  worker killed for a page over its time limit takes its unsent answers with it: those pages are
  done again elsewhere, so a part written by a worker could hold their rows twice).

Each part is sorted by the table's sort key (schema.SORT_KEYS) and carries a hidden `_page`
column: the page's number within its part. A result names its rows by (part, page), so the
driver can leave out the rows of an input it quarantines later in the run (a duplicate source
or title) without reading them. At publish, `Staging.write(name, path, run_id)` merges the parts
into the snapshot's one file per table (the contract: `curated/<table>.parquet`), streaming:
only MERGE_BATCH rows per part are in memory at a time (and at most FANIN parts are merged at once;
more are merged in passes), the rows in the same order as `schema.to_table` gives (the sort
keys are unique per row: one source per page, one parameter name per box), the content hash
computed on the way (`load.TableHasher`, the same hash as `load.content_hash`).

One row per page (the `inputs` table: an input's accounting row) is staged the same way by
`RowParts`: the driver adds each input's final row as it is accounted for, kept as Arrow and
written as a sorted part every RUN_ROWS rows; rows changed after they were staged (an input
held back by validation) are amended while the parts are merged (`amend`), by key.

The staging folder `<out>/_staging/<token>/` is alive while its run holds the lock file
`<token>.lock` beside it (flock), and removed when the run ends; a folder whose lock is free
is left over from a run that died and is removed under the publish lock by the next run
(`clean_staging`).
"""
from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from itertools import chain
from pathlib import Path
from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.schema import SORT_KEYS, TABLES, to_table

STAGING = "_staging"
LOCK = ".lock"                # suffix of the lock file beside a staging folder
PAGE = "_page"                 # hidden column: the page's number within its part
PART_TABLES = ("infobox_params", "inputs")   # tables published from their parts
RUN_ROWS = 32_768              # rows the driver buffers before writing a part (local engine)
CHUNK_ROWS = 4_096             # rows kept as dicts before they are made Arrow
ROW_GROUP = 8_192              # rows per row group of a part
MERGE_BATCH = 2_048            # rows the merge reads from a part at a time: what it holds per part
OUT_ROW_GROUP = 8_192          # rows per row group of the published file (held until written: 2 MB)
FANIN = 64                     # parts merged at once (more: merged in passes)


def _part_schema(name: str) -> pa.Schema:
    return TABLES[name].append(pa.field(PAGE, pa.int64()))


def _sort_keys(name: str) -> list[tuple[str, str]]:
    return [(k, "ascending", "at_start") for k in SORT_KEYS[name]]   # nulls first, as to_table


def _to_part_table(name: str, pages: list[list[dict]], first: int = 0, sort: bool = True) -> pa.Table:
    """The rows of `pages` (one list per page, numbered from `first`) as a part table, sorted by
    the table's key (unless `sort` is False). UTF-8's byte order is code point order, so Arrow
    orders strings as Python does (schema.to_table); nulls first, as there."""
    table = to_table(name, [r for rows in pages for r in rows], "", sort=False)  # run_id: at publish
    table = table.append_column(PAGE, pa.array([first + i for i, rows in enumerate(pages) for _ in rows],
                                                pa.int64()))
    return _sorted(name, table) if sort else table


def _sorted(name: str, table: pa.Table) -> pa.Table:
    return table.take(pc.sort_indices(table, sort_keys=_sort_keys(name)))


def _part_name(table: str) -> str:
    return f"{table}-{uuid.uuid4().hex}.parquet"


def _write_part(table: pa.Table, folder: Path, part: str) -> str:
    """Write `table` as the complete part file `part` (written aside, then renamed)."""
    tmp = folder / (part + ".inprogress")
    pq.write_table(table, tmp, row_group_size=ROW_GROUP, compression="zstd")
    os.rename(tmp, folder / part)
    return part


def write_task_part(folder: str, results: list) -> list:
    """On a worker: write the per-page rows of `results` (one task's pages) as one part of each
    part table into `folder`, and return the results with those rows replaced by their place
    (`params_at` = (part, page)). Called by the engines at the end of a task."""
    pages = [r.params for r in results]
    if any(pages):
        part = _write_part(_to_part_table("infobox_params", pages), Path(folder), _part_name("infobox_params"))
        for i, r in enumerate(results):
            if r.params:
                r.params_at, r.n_params, r.params = (part, i), len(r.params), []
    return results


def _try_lock(path: Path):
    """An open file holding an exclusive lock on path, or None when another process holds it."""
    fh = open(path, "a+")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        return None
    return fh


def clean_staging(out_dir: Path) -> list[Path]:
    """Remove the staging folders of runs that are gone: their lock file `<name>.lock` beside
    the folder is free (a live run holds it from before its folder exists until it is gone)."""
    removed = []
    root = out_dir / STAGING
    if not root.is_dir():
        return removed
    for lock in sorted(root.glob("*" + LOCK)):
        fh = _try_lock(lock)
        if fh is None:
            continue  # a live run's
        folder = root / lock.name[: -len(LOCK)].lstrip(".")
        shutil.rmtree(folder, ignore_errors=True)
        lock.unlink(missing_ok=True)
        fh.close()
        removed.append(folder)
    for folder in root.iterdir():  # a folder without its lock file is no live run's
        if folder.is_dir() and not folder.is_symlink() and not (root / (folder.name + LOCK)).exists():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _claim(root: Path) -> tuple[Path, object]:
    """A new staging folder under root and the lock that says it is alive. The lock file is
    locked under a hidden name and then renamed, so no cleaner ever sees it unlocked; another
    run's cleaner removing an empty root meanwhile only makes this try again."""
    for _ in range(5):
        name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        try:
            root.mkdir(parents=True, exist_ok=True)
            tmp = root / f".{name}{LOCK}"
            fh = _try_lock(tmp)
            if fh is None:
                continue
            try:
                os.rename(tmp, root / f"{name}{LOCK}")
                (root / name).mkdir()
            except FileNotFoundError:
                fh.close()
                continue
            return root / name, fh
        except FileNotFoundError:
            continue
    raise RuntimeError(f"cannot make a staging folder in {root}")


class _Merged:
    """One table's parts in `folder` (in the order their pages were read) and which pages' rows
    are left out; merged into the published file at publish (`write`)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.parts: list[str] = []            # in the order their pages were read
        self.rows: dict[str, int] = {}        # part -> rows in it
        self.dropped: dict[str, set[int]] = {}
        self._dropped_rows = 0

    def num_rows(self) -> int:
        """Rows of the merged table: the parts' row counts less the rows left out."""
        return sum(self.rows.values()) - self._dropped_rows

    def _amended(self, batch: pa.Table) -> pa.Table:
        return batch                          # (RowParts: rows changed after they were staged)

    # --- at publish ---------------------------------------------------------------------------
    def write(self, name: str, path: Path, run_id: str, hasher) -> int:
        """Merge the parts into one Parquet file at `path`, with `run_id` in every row; feed
        every written batch to `hasher`; returns the rows written (checked against the rows
        the parts' metadata and the results said were staged)."""
        parts = [self.folder / p for p in self.parts]
        while len(parts) > FANIN:             # merge in passes: at most FANIN open at once
            merged = []
            for i in range(0, len(parts), FANIN):
                group = parts[i:i + FANIN]
                out = self.folder / f"merge-{uuid.uuid4().hex}.parquet"
                with pq.ParquetWriter(out, _part_schema(name), compression="zstd") as w:
                    for batch in self._merged(name, group):
                        w.write_table(batch, row_group_size=ROW_GROUP)
                merged.append(out)
            parts, self.dropped = merged, {}
        schema = TABLES[name]
        rows = 0
        i = schema.get_field_index("run_id")
        pending: list[pa.Table] = []          # up to one row group of the published file
        with pq.ParquetWriter(path, schema, compression="zstd") as w:
            for batch in chain(self._merged(name, parts), [None]):   # None: the end
                if batch is not None:
                    batch = self._amended(batch.drop_columns([PAGE]))
                    batch = batch.set_column(i, schema.field(i), pa.array([run_id] * batch.num_rows, pa.string()))
                    hasher.update(batch)
                    rows += batch.num_rows
                    pending.append(batch)
                if pending and (batch is None or sum(t.num_rows for t in pending) >= OUT_ROW_GROUP):
                    t = pa.concat_tables(pending)   # whole row groups; the rest waits for more
                    cut = t.num_rows if batch is None else t.num_rows - t.num_rows % OUT_ROW_GROUP
                    w.write_table(t.slice(0, cut), row_group_size=OUT_ROW_GROUP)
                    pending = [t.slice(cut)] if cut < t.num_rows else []
        if rows != self.num_rows():  # every staged page's rows once, or nothing is published
            raise RuntimeError(f"{name}: {rows:,} rows merged from the parts, {self.num_rows():,} staged")
        return rows

    def _merged(self, name: str, parts: list[Path]) -> Iterable[pa.Table]:
        """The rows of `parts` (each sorted) in the order of the table's key, as tables of
        about MERGE_BATCH * len(parts) rows at most."""
        key = SORT_KEYS[name][0]
        cursors = [_Cursor(p, self.dropped.get(p.name)) for p in parts]
        cursors = [c for c in cursors if c.fill()]
        while cursors:
            # every row up to the smallest of the buffers' last keys can go: no part still has
            # a smaller one unread (the keys of one source's rows may continue in the next row
            # group of the same part, and are taken in the next round, still in order)
            bound = min(c.last(key) for c in cursors)
            pieces = [c.take_upto(key, bound) for c in cursors]
            out = pa.concat_tables([p for p in pieces if p.num_rows])
            if out.num_rows:
                yield out.take(pc.sort_indices(out, sort_keys=_sort_keys(name)))
            cursors = [c for c in cursors if c.fill()]


class Staging(_Merged):
    """A run's staging folder and its `infobox_params` parts: the parts written so far, where
    each page's rows are, and which pages' rows are left out. Use as a context manager (the
    folder is removed at exit). Other tables stage into the same folder (`RowParts`)."""

    def __init__(self, out_dir: Path):
        # absolute: Dask workers write here, whatever their working directory
        folder, self._lock = _claim(Path(out_dir).resolve() / STAGING)
        super().__init__(folder)
        self._pages: list[list[dict]] = []    # the driver's buffer (local engine)
        self._buffered = 0
        self._chunks: list[pa.Table] = []     # the buffer made Arrow, every CHUNK_ROWS rows
        self._arrow_rows = 0
        self._count = 0                       # pages in the buffer's part so far
        self._first = 0                       # the number of the first page in self._pages
        self._current = ""                    # the name the buffer's part will have

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self._pages, self._buffered, self._chunks = [], 0, []
        shutil.rmtree(self.folder, ignore_errors=True)
        if self._lock is not None:
            (self.folder.parent / (self.folder.name + LOCK)).unlink(missing_ok=True)
            self._lock.close()
            self._lock = None
        try:
            self.folder.parent.rmdir()        # _staging/ itself, when no other run uses it
        except OSError:
            pass

    # --- while the pages come in --------------------------------------------------------------
    def take(self, result):
        """Keep `result`'s per-page rows here (in the driver's buffer, or in the worker's part
        it names); returns the result without them, naming where they are (`params_at`)."""
        if result.params_at is not None:      # written by a worker
            part = result.params_at[0]
            if part not in self.rows:
                self._flush()                 # the parts stay in the order of their pages
                self.parts.append(part)
                self.rows[part] = pq.ParquetFile(self.folder / part).metadata.num_rows
            return result
        if result.params:
            if not self._pages and not self._chunks:
                self._current, self._first = _part_name("infobox_params"), self._count
            result.params_at, result.n_params = (self._current, self._count), len(result.params)
            self._pages.append(result.params)
            self._count += 1
            self._buffered += len(result.params)
            result.params = []
            if self._buffered >= CHUNK_ROWS:   # the buffer as Arrow: a fraction of the memory
                self._to_arrow()
            if self._arrow_rows + self._buffered >= RUN_ROWS:
                self._flush()
        return result

    def _to_arrow(self) -> None:
        if self._pages:
            t = _to_part_table("infobox_params", self._pages, self._first, sort=False)
            self._chunks.append(t)
            self._arrow_rows += t.num_rows
            self._first += len(self._pages)
        self._pages, self._buffered = [], 0

    def _flush(self) -> None:
        """Write the driver's buffer as a part."""
        self._to_arrow()
        if not self._chunks:
            return
        _write_part(_sorted("infobox_params", pa.concat_tables(self._chunks)), self.folder, self._current)
        self.parts.append(self._current)
        self.rows[self._current] = self._arrow_rows
        self._chunks, self._arrow_rows, self._count = [], 0, 0

    def finish(self) -> None:
        """All pages are in: write what is left in the buffer."""
        self._flush()

    def drop(self, results: Iterable) -> None:
        """Leave out the rows of these results (inputs quarantined after their rows were
        staged: a duplicate source or title)."""
        for r in results:
            if r.params_at is not None:
                part, page = r.params_at
                self.dropped.setdefault(part, set()).add(page)
                self._dropped_rows += r.n_params


class RowParts(_Merged):
    """One table whose rows the driver adds one page at a time, final when added (the `inputs`
    table: each input's accounting row, once its outcome is known), staged in `folder` like
    `infobox_params`: kept as Arrow every CHUNK_ROWS rows, written as a sorted part every
    RUN_ROWS rows, merged at publish. The published table is `schema.to_table` of the rows in
    the order they were added (see RowBuffer on the order), with the amendments applied."""

    def __init__(self, name: str, folder: Path):
        super().__init__(folder)
        self.name = name
        self.added = 0                        # rows added so far
        self._rows: list[dict] = []
        self._chunks: list[pa.Table] = []
        self._arrow_rows = 0
        self._amend: dict[str, dict] = {}

    def add(self, row: dict) -> None:
        self._rows.append(row)
        self.added += 1
        if len(self._rows) >= CHUNK_ROWS:
            self._to_arrow()
            if self._arrow_rows >= RUN_ROWS:
                self._flush()

    def _to_arrow(self) -> None:
        if self._rows:
            t = to_table(self.name, self._rows, "", sort=False)   # run_id: at publish
            first = self.added - len(self._rows)
            self._chunks.append(t.append_column(PAGE, pa.array(range(first, self.added), pa.int64())))
            self._arrow_rows += t.num_rows
        self._rows = []

    def _flush(self) -> None:
        self._to_arrow()
        if self._chunks:
            part = _write_part(_sorted(self.name, pa.concat_tables(self._chunks)), self.folder,
                               _part_name(self.name))
            self.parts.append(part)
            self.rows[part] = self._arrow_rows
        self._chunks, self._arrow_rows = [], 0

    def finish(self) -> None:
        """All rows are in: write what is left in the buffer."""
        self._flush()

    def amend(self, changes: dict[str, dict]) -> None:
        """At publish, give the rows whose key (the table's first sort key) is in `changes` the
        values changes[key] (column -> value; every entry names the same columns)."""
        self._amend.update(changes)

    def _amended(self, batch: pa.Table) -> pa.Table:
        if not self._amend:
            return batch
        keys = list(self._amend)
        at = pc.index_in(batch[SORT_KEYS[self.name][0]], value_set=pa.array(keys, pa.string()))
        hit = pc.is_valid(at)
        if not pc.any(hit).as_py():
            return batch
        schema = TABLES[self.name]
        for column in self._amend[keys[0]]:
            f = schema.field(column)
            new = pc.take(pa.array([self._amend[k][column] for k in keys], f.type), at)
            batch = batch.set_column(batch.schema.get_field_index(column), f, pc.if_else(hit, new, batch[column]))
        return batch

    def read(self, columns: list[str]) -> Iterable[pa.Table]:
        """The staged rows' `columns` (after finish(); amendments not applied), part by part.
        (ParquetFile, not read_table: that loads pyarrow.dataset, tens of MB of libraries.)"""
        for part in self.parts:
            yield pq.ParquetFile(self.folder / part).read(columns=columns, use_threads=False)


class _Cursor:
    """One part read MERGE_BATCH rows at a time, the pages left out filtered away. On one
    thread: Arrow's reader threads keep tens of MB of their own (measured: +20 MB RSS)."""

    def __init__(self, path: Path, dropped: set[int] | None):
        self.file = pq.ParquetFile(path)
        self.batches = self.file.iter_batches(batch_size=MERGE_BATCH, use_threads=False)
        self.buffer: pa.Table | None = None
        self.dropped = pa.array(sorted(dropped), pa.int64()) if dropped else None

    def fill(self) -> bool:
        """True while there are rows left (reads the next batch when the buffer is empty)."""
        while self.buffer is None or self.buffer.num_rows == 0:
            batch = next(self.batches, None)
            if batch is None:
                return False
            t = pa.Table.from_batches([batch])
            if self.dropped is not None:
                t = t.filter(pc.invert(pc.is_in(t[PAGE], value_set=self.dropped)))
            self.buffer = t
        return True

    def last(self, key: str):
        return self.buffer[key][-1].as_py()

    def take_upto(self, key: str, bound) -> pa.Table:
        n = pc.sum(pc.less_equal(self.buffer[key], bound)).as_py() or 0  # the buffer is sorted
        taken, self.buffer = self.buffer.slice(0, n), self.buffer.slice(n)
        return taken


OWNER = "_owner"               # hidden column of a RowBuffer: the number of the rows' owner


class RowBuffer:
    """One table's rows kept in the driver as Arrow until the table is built, each row tagged
    with the number of its owner (a page's bundle). A mission's facts as row dicts take about
    three times their Arrow size, and they are most of a mission's rows; the table is the same
    as `schema.to_table` of the dicts in the order they were added (Arrow's sort is stable, and
    it orders UTF-8 strings and nulls as to_table does: see _to_part_table; a lone surrogate,
    which the exit guard turns into U+FFFD, is sorted here as replaced, there as it was)."""

    def __init__(self, name: str):
        self.name = name
        self._rows: list[dict] = []
        self._owners: list[int] = []
        self._chunks: list[pa.Table] = []

    def add(self, owner: int, rows: list[dict]) -> None:
        self._rows.extend(rows)
        self._owners.extend([owner] * len(rows))
        if len(self._rows) >= CHUNK_ROWS:
            self._to_arrow()

    def _to_arrow(self) -> None:
        if self._rows:
            t = to_table(self.name, self._rows, "", sort=False)   # run_id: in table()
            self._chunks.append(t.append_column(OWNER, pa.array(self._owners, pa.int64())))
        self._rows, self._owners = [], []

    def table(self, run_id: str, keep: set[int], renames: dict[tuple[int, str], str]) -> pa.Table:
        """The table of the rows of the owners in `keep`, sorted by the table's key, with
        `run_id`; renames[(owner, old)] = new replaces that owner's `mission_id` value `old`
        (a row id renamed after its rows were added: run._distinct_ids)."""
        self._to_arrow()
        schema = TABLES[self.name]
        chunks, self._chunks = self._chunks, []
        t = pa.concat_tables(chunks) if chunks else schema.append(pa.field(OWNER, pa.int64())).empty_table()
        del chunks
        t = t.filter(pc.is_in(t[OWNER], value_set=pa.array(sorted(keep), pa.int64())))
        key = "mission_id"
        if renames:
            owners, values = t[OWNER].to_pylist(), t[key].to_pylist()
            values = [renames.get((o, v), v) for o, v in zip(owners, values)]
            t = t.set_column(t.schema.get_field_index(key), schema.field(key), pa.array(values, schema.field(key).type))
        t = _sorted(self.name, t).drop_columns([OWNER])
        i = schema.get_field_index("run_id")
        return t.set_column(i, schema.field(i), pa.array([run_id] * t.num_rows, pa.string()))
