"""Per-page rows staged as Parquet parts (pipeline/parts.py) and committed with the snapshot."""
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field

import pyarrow.parquet as pq
import pytest

from pipeline import load, parts
from pipeline.parts import Staging, clean_staging, write_task_part
from pipeline.schema import TABLES, to_table

ROOT_EXPECTATIONS = __import__("pathlib").Path(__file__).resolve().parents[1] / "expectations"


@dataclass
class Result:
    """What Staging needs of a result (pipeline.run.PageResult has the same fields)."""
    params: list = field(default_factory=list)
    params_at: tuple | None = None
    n_params: int = 0


def _page(source: str, rng: random.Random) -> list[dict]:
    names = rng.sample(["name", "launch_date", "crew", "mass", "orbit", "Operator", "é", "z"], rng.randint(1, 6))
    return [{"source": source, "title": source.upper(), "infobox": box, "template": "Infobox x",
             "param": p, "raw": f"[[{p}]]", "text": p * 3, "parent": None if box == 0 else 0}
            for box in range(rng.randint(1, 2)) for p in names]


def _pages(n: int, seed: int = 1) -> list[list[dict]]:
    rng = random.Random(seed)
    # sources in an order that is not their sorted order (as a dump's page ids are)
    return [_page(f"dump.xml.bz2#page={rng.randint(1, 10**6)}-{i}", rng) for i in range(n)]


def _published(out, run_id):
    return pq.read_table(out / "infobox_params.parquet")


def test_driver_parts_merge_to_the_table_to_table_builds(tmp_path, small_parts):
    small_parts(40, 15, 7, 5, 3)
    pages = _pages(60)
    with Staging(tmp_path) as staging:
        results = [staging.take(Result(params=list(p))) for p in pages]
        staging.finish()
        assert len(staging.parts) > parts.FANIN            # merged in passes
        assert all(r.params == [] and r.params_at for r in results)
        assert staging.num_rows() == sum(map(len, pages))
        manifest = load.publish({}, tmp_path, "r1", staged={"infobox_params": staging})
    want = to_table("infobox_params", [r for p in pages for r in p], "r1")
    got = _published(tmp_path, "r1")
    assert got.equals(want)
    assert manifest["tables"]["infobox_params"] == {"rows": want.num_rows, "sha256": load.content_hash(want)}
    assert not (tmp_path / parts.STAGING).exists()        # the staging folder goes with the run


def test_worker_parts_and_driver_rows_mix_in_input_order(tmp_path, small_parts):
    small_parts(40, 15, 7, 5, 3)
    pages = _pages(50, seed=2)
    with Staging(tmp_path) as staging:
        results = []
        for i in range(0, 50, 10):
            chunk = [Result(params=list(p)) for p in pages[i:i + 10]]
            if i % 20 == 0:   # a Dask task: the worker writes the part, the result names it
                chunk = write_task_part(str(staging.folder), chunk)
            results += [staging.take(r) for r in chunk]
        staging.finish()
        load.publish({}, tmp_path, "r1", staged={"infobox_params": staging})
    assert _published(tmp_path, "r1").equals(to_table("infobox_params", [r for p in pages for r in p], "r1"))


def test_rows_of_inputs_quarantined_afterwards_are_left_out(tmp_path, small_parts):
    small_parts(40, 15, 7, 5, 3)
    pages = _pages(30, seed=3)
    pages[20] = [dict(r, source=pages[4][0]["source"]) for r in pages[20]]   # a duplicate source
    with Staging(tmp_path) as staging:
        results = [staging.take(Result(params=list(p))) for p in pages]
        staging.finish()
        staging.drop([results[20], results[7]])
        assert staging.num_rows() == sum(len(p) for i, p in enumerate(pages) if i not in (7, 20))
        manifest = load.publish({}, tmp_path, "r1", staged={"infobox_params": staging})
    want = to_table("infobox_params", [r for i, p in enumerate(pages) if i not in (7, 20) for r in p], "r1")
    assert _published(tmp_path, "r1").equals(want)
    assert manifest["tables"]["infobox_params"]["rows"] == want.num_rows


def test_a_part_a_killed_worker_left_half_written_is_never_published(tmp_path, monkeypatch):
    pages = _pages(8, seed=4)
    with Staging(tmp_path) as staging:
        real = pq.write_table

        def dies(table, where, **kw):   # the worker dies while writing its part
            with open(where, "wb") as fh:
                fh.write(b"PAR1 half a part")
            raise SystemExit("killed")
        monkeypatch.setattr(parts.pq, "write_table", dies)
        with pytest.raises(SystemExit):
            write_task_part(str(staging.folder), [Result(params=list(p)) for p in pages[:4]])
        monkeypatch.setattr(parts.pq, "write_table", real)
        assert [p.name.endswith(".inprogress") for p in staging.folder.glob("*.parquet*")] == [True]
        # the task runs again (Dask's retry) under a new part name; only that one is named
        results = write_task_part(str(staging.folder), [Result(params=list(p)) for p in pages[:4]])
        results += [Result(params=list(p)) for p in pages[4:]]
        for r in results:
            staging.take(r)
        staging.finish()
        load.publish({}, tmp_path, "r1", staged={"infobox_params": staging})
    assert _published(tmp_path, "r1").equals(to_table("infobox_params", [r for p in pages for r in p], "r1"))


def test_a_crash_while_merging_leaves_the_old_snapshot_whole(tmp_path, monkeypatch, small_parts):
    small_parts(40, 15, 7, 5, 3)
    old = _pages(5, seed=5)
    with Staging(tmp_path) as staging:
        for p in old:
            staging.take(Result(params=list(p)))
        staging.finish()
        load.publish({"inputs": to_table("inputs", [], "r1")}, tmp_path, "r1",
                     staged={"infobox_params": staging})
    before = pq.read_table(tmp_path / "infobox_params.parquet")

    class Crash(Exception):
        pass

    class Hasher(load.TableHasher):
        seen = 0

        def update(self, table):
            Hasher.seen += 1
            if Hasher.seen == 2:   # part of the new table is written already
                raise Crash
            super().update(table)
    monkeypatch.setattr(load, "TableHasher", Hasher)
    with Staging(tmp_path) as staging:
        for p in _pages(40, seed=6):
            staging.take(Result(params=list(p)))
        staging.finish()
        with pytest.raises(Crash):
            load.publish({"inputs": to_table("inputs", [], "r2")}, tmp_path, "r2",
                         staged={"infobox_params": staging})
    assert os.readlink(tmp_path / "_current") == "_snapshots/r1"
    assert pq.read_table(tmp_path / "infobox_params.parquet").equals(before)
    assert [p.name for p in (tmp_path / "_snapshots").iterdir() if not p.name.startswith(".")] == ["r1"]


def test_staging_of_a_dead_run_is_removed_and_a_live_one_kept(tmp_path):
    live = Staging(tmp_path)
    (live.folder / "infobox_params-a.parquet").write_bytes(b"x")
    root = tmp_path / parts.STAGING
    dead = root / "123-dead"
    dead.mkdir()
    (dead / "infobox_params-b.parquet.inprogress").write_bytes(b"x")
    lock = root / ("123-dead" + parts.LOCK)
    # a run that died: its lock file is there, its lock gone (a child process takes and drops it)
    subprocess.run([sys.executable, "-c", "import fcntl,sys; f=open(sys.argv[1],'a+'); "
                    "fcntl.flock(f.fileno(), fcntl.LOCK_EX)", str(lock)], check=True)
    stray = root / "456-no-lock"    # a folder with no lock file is nobody's
    stray.mkdir()
    assert sorted(clean_staging(tmp_path)) == [dead, stray]
    assert live.folder.is_dir() and not dead.exists() and not lock.exists() and not stray.exists()
    load.publish({"inputs": to_table("inputs", [], "r1")}, tmp_path, "r1")   # cleans under its lock
    assert live.folder.is_dir()
    live.close()
    assert not root.exists()


def test_two_runs_stage_side_by_side(tmp_path):
    a, b = Staging(tmp_path), Staging(tmp_path)
    assert a.folder != b.folder and clean_staging(tmp_path) == []
    a.close()
    assert b.folder.is_dir() and clean_staging(tmp_path) == []
    b.close()
    assert not (tmp_path / parts.STAGING).exists()


def test_the_published_file_is_one_parquet_file_with_the_contract_schema(tmp_path):
    with Staging(tmp_path) as staging:
        for p in _pages(3, seed=7):
            staging.take(Result(params=list(p)))
        staging.finish()
        load.publish({}, tmp_path, "r1", staged={"infobox_params": staging})
    t = pq.read_table(tmp_path / "infobox_params.parquet")
    assert t.schema.equals(TABLES["infobox_params"]) and set(t["run_id"].to_pylist()) == {"r1"}


def _article(name: str, kind: str = "Infobox spaceflight") -> str:
    return (f"{{{{{kind}\n| name = {name}\n| mission_type = Test\n"
            f"| launch_date = {{{{start date|2020|1|1}}}}\n}}}}\n'''{name}''' was a test flight.\n")


@pytest.mark.slow  # whole runs
def test_a_run_stages_the_params_and_leaves_out_those_of_duplicates(tmp_path):
    """A dump with two pages under one id (the second is quarantined as a duplicate source), one
    title in two files (the second is a duplicate page), non-mission pages: infobox_params has
    the rows of the inputs kept, once each, and no staging is left behind."""
    from pipeline.config import Config
    from pipeline.run import run

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "Gamma_1.wikitext").write_text(_article("Gamma 1"))
    (raw / "Gamma_1.txt").write_text(_article("Gamma 1"))           # the same title again
    pages = [("Delta 7", 7, "Infobox spaceflight"), ("Delta 8", 7, "Infobox spaceflight"),
             ("Town", 9, "Infobox settlement"), ("Plain", 10, None)]
    body = "".join(
        f"<page><title>{t}</title><ns>0</ns><id>{i}</id><revision><id>1</id>"
        f"<timestamp>2024-01-01T00:00:00Z</timestamp><text>{_article(t, k) if k else 'Text.'}</text>"
        f"</revision></page>" for t, i, k in pages)
    (raw / "d.xml").write_text(f"<mediawiki>{body}</mediawiki>")
    out = tmp_path / "out"
    result = run(Config(raw_dir=raw, out_dir=out, reports_dir=tmp_path / "reports", progress=False,
                        workers=0, expectations_dir=ROOT_EXPECTATIONS))
    inputs = {r["source"]: r for r in pq.read_table(out / "inputs.parquet").to_pylist()}
    params = pq.read_table(out / "infobox_params.parquet").to_pylist()
    assert inputs["d.xml#page=7#duplicate=2"]["outcome"] == "quarantined"
    assert {r["title"] for r in params if r["source"] == "d.xml#page=7"} == {"Delta 7"}
    assert {r["template"] for r in params if r["source"] == "d.xml#page=9"} == {"Infobox settlement"}
    sources = {r["source"] for r in params}
    kept = {s for s, r in inputs.items() if r["outcome"] != "quarantined" and s != "d.xml#page=10"}
    assert sources == kept and len(kept) == 3
    assert len(params) == len({(r["source"], r["infobox"], r["param"]) for r in params}) == 3 * 3
    assert result.manifest["tables"]["infobox_params"]["rows"] == len(params)
    assert not (out / parts.STAGING).exists()


def test_the_merge_writes_bounded_row_groups(tmp_path, monkeypatch, small_parts):
    small_parts(40, 15, 7, 5, 3)
    monkeypatch.setattr(parts, "OUT_ROW_GROUP", 25)
    pages = _pages(40, seed=8)
    with Staging(tmp_path) as staging:
        for p in pages:
            staging.take(Result(params=list(p)))
        staging.finish()
        load.publish({}, tmp_path, "r1", staged={"infobox_params": staging})
    meta = pq.ParquetFile(tmp_path / "infobox_params.parquet").metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sum(sizes) == sum(map(len, pages)) and len(sizes) > 2
    assert set(sizes[:-1]) == {25} and 0 < sizes[-1] <= 25


def _facts(owner: int, rng: random.Random) -> list[dict]:
    mission = rng.choice(["apollo-11", "apollo-12", "été-1", "z"])
    return [{"mission_id": mission, "field": rng.choice(["crew", "launch", "mass", "é"]),
             "raw": rng.choice([None, "", "3 t", "[[x]]"]), "value": rng.choice([None, "1", "ü"]),
             "unit": rng.choice([None, "kg"]), "source": "infobox",
             "location": rng.choice([None, "crew", "launch_date"]), "rev_id": rng.choice([None, owner])}
            for _ in range(rng.randint(0, 9))]


def test_row_buffer_builds_the_table_to_table_builds(monkeypatch):
    """Rows kept as Arrow by owner: the table is to_table's of the kept owners' dicts in the
    order they were added (ties in the sort key stay in that order), renames applied per owner."""
    monkeypatch.setattr(parts, "CHUNK_ROWS", 7)   # many chunks
    rng = random.Random(3)
    pages = [_facts(i, rng) for i in range(60)]
    buf = parts.RowBuffer("facts")
    for i, rows in enumerate(pages):
        buf.add(i, [dict(r) for r in rows])
    keep = {i for i in range(60) if i % 7}
    renames = {(i, rows[0]["mission_id"]): rows[0]["mission_id"] + "-1a2b3c4d"
               for i, rows in enumerate(pages) if rows and i % 5 == 0}
    want = []
    for i, rows in enumerate(pages):
        if i in keep:
            want += [{**r, "mission_id": renames.get((i, r["mission_id"]), r["mission_id"])} for r in rows]
    got = buf.table("run-1", keep, renames)
    assert got.equals(to_table("facts", want, "run-1"))
    assert got.num_rows and parts.OWNER not in got.schema.names


def test_row_buffer_empty():
    assert parts.RowBuffer("facts").table("r", set(), {}).equals(to_table("facts", [], "r"))
