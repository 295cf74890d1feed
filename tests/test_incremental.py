"""Incremental runs: unchanged inputs keep their rows, changed ones are processed again."""
import pytest
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.config import Config
from pipeline.run import run

pytestmark = pytest.mark.slow  # end-to-end runs: `make test-fast` leaves them out

ROOT = Path(__file__).resolve().parents[1]


def _config(tmp_path, **kw):
    return Config(raw_dir=tmp_path / "raw", out_dir=tmp_path / "curated", reports_dir=tmp_path / "reports",
                  expectations_dir=ROOT / "expectations", progress=False, **kw)


def _rows(tmp_path, table):
    return pq.read_table(tmp_path / "curated" / f"{table}.parquet").drop_columns(["run_id"]).to_pylist()


def test_unchanged_inputs_are_reused_and_give_the_same_tables(tmp_path):
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    first = run(_config(tmp_path))
    assert first.summary.inputs_reused == 0
    before = {t: _rows(tmp_path, t) for t in ("missions", "crew", "events", "facts", "issues", "inputs")}
    second = run(_config(tmp_path))
    assert second.summary.inputs_reused == 3
    assert {t: v["sha256"] for t, v in first.manifest["tables"].items()} == \
           {t: v["sha256"] for t, v in second.manifest["tables"].items()}
    assert second.summary.values_lost_by_param == first.summary.values_lost_by_param
    assert {t: _rows(tmp_path, t) for t in before} == before


def test_a_changed_input_is_processed_again_and_only_its_rows_change(tmp_path):
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    run(_config(tmp_path))
    before = {m["mission_id"]: m for m in _rows(tmp_path, "missions")}
    path = tmp_path / "raw" / "Apollo_8.wikitext"
    path.write_text(path.read_text().replace("| orbit_inclination     = 12&nbsp;degrees",
                                             "| orbit_inclination     = 13&nbsp;degrees"))
    result = run(_config(tmp_path))
    assert result.summary.inputs_reused == 2
    after = {m["mission_id"]: m for m in _rows(tmp_path, "missions")}
    assert after["apollo-8"]["inclination_deg"] == 13
    assert after["apollo-11"] == before["apollo-11"] and after["soyuz-ms-25"] == before["soyuz-ms-25"]


def test_full_run_ignores_the_previous_snapshot(tmp_path):
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    run(_config(tmp_path))
    assert run(_config(tmp_path, incremental=False)).summary.inputs_reused == 0


def test_a_large_drop_in_missions_blocks_publishing_and_keeps_the_previous_snapshot(tmp_path):
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    first = run(_config(tmp_path))
    (tmp_path / "raw" / "Apollo_8.wikitext").unlink()
    (tmp_path / "raw" / "Apollo_11.wikitext").unlink()
    second = run(_config(tmp_path))
    assert second.exit_code == 3 and second.manifest is None
    assert second.summary.published is False
    assert len(_rows(tmp_path, "missions")) == 3          # the previous snapshot is still current
    from pipeline import load
    assert load.read_manifest(tmp_path / "curated")["run_id"] == first.run_id
