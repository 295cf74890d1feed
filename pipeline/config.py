"""One frozen Config, built once by the CLI (or a test) and passed down; no stage reads env."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FAIL_LEVELS = ("error", "warning", "new", "never")
ENGINES = ("local", "dask")


@dataclass(frozen=True)
class Config:
    raw_dir: Path = Path("raw")
    out_dir: Path = Path("curated")
    reports_dir: Path = Path("reports")
    expectations_dir: Path = Path("expectations")
    fail_on: str = "error"
    progress: bool | None = None        # None: show a bar only on a terminal and long runs
    keep_snapshots: int = 3              # published snapshots kept in out_dir/_snapshots
    max_input_bytes: int = 20_000_000    # larger inputs are quarantined at read time
    incremental: bool = True             # reuse rows of inputs unchanged since the last snapshot
    engine: str = "local"                # local (isolated worker processes) or dask
    scheduler: str | None = None         # dask scheduler address; None: a local cluster
    workers: int = 2                     # worker processes; 0: in-process, no per-page limits
    page_seconds: float = 30.0           # wall-clock limit per page (local engine)
    page_memory_mb: int = 1024           # memory limit per page (local engine)
    keep_reports: int = 30               # newest run folders kept in reports_dir (0: keep all)
    allow_shrink: bool = False           # accept a missions table more than 20 % smaller than published

    def __post_init__(self):
        if self.fail_on not in FAIL_LEVELS:
            raise ValueError(f"fail_on must be one of {FAIL_LEVELS}, not {self.fail_on!r}")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {self.engine!r}")
        if self.scheduler is not None and self.engine != "dask":
            raise ValueError("a scheduler address needs the dask engine")
        if self.keep_reports < 0:
            raise ValueError(f"keep_reports must be >= 0, not {self.keep_reports}")
        if self.workers < 0:
            raise ValueError(f"workers must be >= 0, not {self.workers}")
