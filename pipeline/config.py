"""One frozen Config, built once by the CLI (or a test) and passed down; no stage reads env."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FAIL_LEVELS = ("error", "warning", "never")


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

    def __post_init__(self):
        if self.fail_on not in FAIL_LEVELS:
            raise ValueError(f"fail_on must be one of {FAIL_LEVELS}, not {self.fail_on!r}")
