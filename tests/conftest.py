"""Shared fixtures: the bundled raw/ articles and the shared corpus (when present)."""
import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "raw"
SHARED = ROOT.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    if not SHARED.is_dir():
        pytest.skip("the shared corpus (../shared/corpus) is not beside this checkout")
    return SHARED


def _best(fn, arg, rounds: int) -> float:
    import time
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        fn(arg)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.fixture
def assert_linear():
    """assert_linear(fn, make, n): fn(make(n)) costs about eight times fn(make(n // 8)).

    The guard against patterns and loops that backtrack or rescan: a linear step grows 8x from
    n/8 to n, a quadratic one 64x, an exponential one never returns. A ratio, not a time limit,
    so a loaded machine does not fail it (best of three for each size; under 50 ms for the
    whole input is fast enough whatever the ratio). A ratio over the bound is measured again, up
    to three times: a busy machine can stretch one measurement, a quadratic step fails all three."""
    def check(fn, make, n: int) -> None:
        small, big = make(max(1, n // 8)), make(n)
        fn(small)   # warm caches and compiled patterns
        for _attempt in range(3):
            t_small, t_big = _best(fn, small, 3), _best(fn, big, 3)
            if t_big < 0.05 or t_big < 24 * t_small:
                return
        raise AssertionError(f"{t_small * 1000:.1f} ms for n/8, {t_big * 1000:.1f} ms for n: not linear")
    return check


@pytest.fixture
def small_parts(monkeypatch):
    """small_parts(run_rows, chunk_rows, row_group, merge_batch, fanin): pipeline.parts with sizes
    of a few rows, so that a small test has many chunks, many parts and a merge in passes."""
    from pipeline import parts

    def shrink(run_rows: int, chunk_rows: int, row_group: int, merge_batch: int, fanin: int) -> None:
        for name, value in (("RUN_ROWS", run_rows), ("CHUNK_ROWS", chunk_rows), ("ROW_GROUP", row_group),
                            ("MERGE_BATCH", merge_batch), ("FANIN", fanin)):
            monkeypatch.setattr(parts, name, value)
    return shrink
