"""Thirty nightly runs: at most --keep-reports run folders, Data Docs assets stored once, each
run's folder a few hundred KB; --allow-shrink accepts an intended drop of missions."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.run import run

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
KEEP = 5


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_thirty_nightly_runs_keep_n_small_report_folders(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "rendered_variant.txt", raw)   # a tiny input
    config = Config(raw_dir=raw, out_dir=tmp_path / "curated", reports_dir=tmp_path / "reports",
                    expectations_dir=ROOT / "expectations", workers=0, progress=False,
                    keep_reports=KEEP, fail_on="new")
    night = datetime(2026, 1, 1, 2, 15, tzinfo=timezone.utc)
    codes = []
    for n in range(30):
        codes.append(run(config, now=night + timedelta(days=n)).exit_code)
    assert codes[1:] == [0] * 29, "the same input every night: nothing new after the first"
    runs = sorted(p for p in config.reports_dir.iterdir() if p.is_dir() and p.name[0].isdigit())
    assert len(runs) == KEEP
    assert runs[-1].name == (config.reports_dir / "LATEST").read_text().strip()
    assert runs[0].name.startswith("20260126T")   # the newest five nights
    for r in runs:
        assert size(r) < 350_000, (r, size(r))
        assert not (r / "datadocs" / "static").exists()
    shared = config.reports_dir / "_datadocs_static"
    assert (shared / "offline" / "offline.css").is_file()
    assert size(shared) < 200_000          # only what the pages use, once
    assert size(config.reports_dir) < KEEP * 350_000 + 300_000


def test_allow_shrink_publishes_an_intended_drop(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "raw", raw)
    config = Config(raw_dir=raw, out_dir=tmp_path / "curated", reports_dir=tmp_path / "reports",
                    expectations_dir=ROOT / "expectations", workers=0, progress=False)
    assert run(config).summary.published
    (raw / "Apollo_8.wikitext").unlink()
    (raw / "Apollo_11.wikitext").unlink()
    blocked = run(config)
    assert blocked.exit_code == 3 and not blocked.summary.published
    from dataclasses import replace
    allowed = run(replace(config, allow_shrink=True))
    assert allowed.summary.published and allowed.exit_code == 0
    assert allowed.summary.missions_curated == 1
