"""Atomic publish: snapshots, the _current swap, leftovers, determinism."""
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import load
from pipeline.schema import TABLES, to_table


def _tables(run_id, n=2):
    rows = {name: [] for name in TABLES}
    rows["inputs"] = [{"source": f"a{i}.txt", "format": "text", "outcome": "no_mission", "missions": 0}
                      for i in range(n)]
    return {name: to_table(name, rows[name], run_id) for name in TABLES}


def test_publish_makes_every_table_readable_through_the_stable_names(tmp_path):
    load.publish(_tables("r1"), tmp_path, "r1")
    for name in TABLES:
        t = pq.read_table(tmp_path / f"{name}.parquet")
        assert t.schema.equals(TABLES[name]), name
    assert pq.read_table(tmp_path / "inputs.parquet").num_rows == 2
    assert load.read_manifest(tmp_path)["run_id"] == "r1"


def test_second_publish_swaps_and_keeps_previous_snapshot(tmp_path):
    load.publish(_tables("r1", 2), tmp_path, "r1")
    load.publish(_tables("r2", 5), tmp_path, "r2")
    assert pq.read_table(tmp_path / "inputs.parquet").num_rows == 5
    assert (tmp_path / "_snapshots" / "r1" / "inputs.parquet").exists()
    assert os.readlink(tmp_path / "_current") == "_snapshots/r2"


def test_old_snapshots_are_pruned_but_never_the_current(tmp_path):
    for i in range(5):
        load.publish(_tables(f"r{i}"), tmp_path, f"r{i}", keep=2)
    left = sorted(p.name for p in (tmp_path / "_snapshots").iterdir())
    assert left == ["r3", "r4"]


def test_leftovers_of_a_killed_run_are_removed_and_do_not_show(tmp_path):
    load.publish(_tables("r1"), tmp_path, "r1")
    junk = tmp_path / "_snapshots" / ".tmp-r2-999"
    junk.mkdir()
    (junk / "missions.parquet").write_bytes(b"half")
    load.publish(_tables("r2"), tmp_path, "r2")
    assert not junk.exists()


def test_run_ids_are_unique(tmp_path):
    load.publish(_tables("r1"), tmp_path, "r1")
    with pytest.raises(FileExistsError):
        load.publish(_tables("r1"), tmp_path, "r1")


def test_content_hash_ignores_run_id_but_not_data():
    a, b = _tables("r1")["inputs"], _tables("r2")["inputs"]
    assert load.content_hash(a) == load.content_hash(b)
    assert load.content_hash(a) != load.content_hash(_tables("r1", 3)["inputs"])


def test_to_table_rejects_unknown_columns():
    with pytest.raises(KeyError):
        to_table("inputs", [{"source": "x", "outcom": "curated"}], "r")


def _mixed(n, run_id="r1"):
    from datetime import datetime, timezone
    rows = [{"mission_id": f"m{i}", "title": None if i % 4 == 0 else f"Mission {i} é", "launch_utc":
             None if i % 3 == 0 else datetime(2000 + i % 20, 1, 1 + i % 28, tzinfo=timezone.utc),
             "crew_size": None if i % 5 == 0 else i, "mission_types": None if i % 6 == 0 else ["a"] * (i % 3),
             "satcats": [i, i + 1] if i % 2 else None, "apogee_km": None if i % 7 == 0 else i / 3}
            for i in range(n)]
    return to_table("missions", rows, run_id)


def test_content_hash_does_not_depend_on_the_layout(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "HASH_BLOCK", 7)   # many blocks, cut inside chunks
    table = _mixed(40)
    pq.write_table(table, tmp_path / "m.parquet", row_group_size=9)
    back = pq.read_table(tmp_path / "m.parquet")
    want = load.content_hash(table)
    assert load.content_hash(back) == want
    bigger = pa.concat_tables([_mixed(3, "x"), table, _mixed(5, "y")])
    assert load.content_hash(bigger.slice(3, 40)) == want            # a slice, other run_id
    hasher = load.TableHasher(table.schema)
    for start, size in ((0, 1), (1, 12), (13, 3), (16, 24)):         # batches of any size
        hasher.update(back.slice(start, size))
    assert hasher.hexdigest() == want


def test_content_hash_sees_a_value_a_null_and_the_order():
    table = _mixed(20)
    want = load.content_hash(table)
    rows = table.to_pylist()
    for change in ({"title": "Mission 1 e"}, {"title": None}, {"crew_size": None},
                   {"mission_types": []}, {"mission_types": None}, {"apogee_km": 0.0}):
        changed = [dict(r, **change) if i == 1 else r for i, r in enumerate(rows)]
        assert load.content_hash(pa.Table.from_pylist(changed, schema=table.schema)) != want, change
    assert load.content_hash(pa.Table.from_pylist(rows[::-1], schema=table.schema)) != want
