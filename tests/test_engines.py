"""The engines give the same tables, row for row: in-process, isolated workers, Dask."""
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import Config
from pipeline.run import run

pytestmark = pytest.mark.slow  # end-to-end runs: `make test-fast` leaves them out

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path, name, **kw):
    cfg = Config(raw_dir=tmp_path / "raw", out_dir=tmp_path / name / "curated",
                 reports_dir=tmp_path / name / "reports", expectations_dir=ROOT / "expectations",
                 progress=False, incremental=False, **kw)
    return run(cfg)


def _tables(result, tmp_path, name):
    return {t: pq.read_table(tmp_path / name / "curated" / f"{t}.parquet").drop_columns(["run_id"]).to_pylist()
            for t in result.manifest["tables"]}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("engines")
    shutil.copytree(ROOT / "raw", tmp / "raw")
    shutil.copy(ROOT / "tests" / "data" / "rocket_constructed.wikitext", tmp / "raw" / "Saturn_V.wikitext")
    (tmp / "raw" / "broken.bin").write_bytes(b"\x00\x01")
    return tmp


@pytest.fixture(scope="module")
def in_process(corpus):
    r = _run(corpus, "inproc", workers=0)
    return _tables(r, corpus, "inproc")


def test_isolated_workers_equal_in_process(corpus, in_process):
    r = _run(corpus, "workers", workers=2)
    assert _tables(r, corpus, "workers") == in_process


def test_dask_two_worker_local_cluster_equals_local_engine(corpus, in_process):
    pytest.importorskip("dask.distributed")
    r = _run(corpus, "dask", engine="dask", workers=2)
    got = _tables(r, corpus, "dask")
    assert got == in_process
    assert len(got["missions"]) == 3 and len(got["inputs"]) == 5
