"""The content hash of every published table of one or more curated/ folders, side by side.

Usage: python bench/same_rows.py CURATED [CURATED ...]

For each folder, each table's pipeline.load.content_hash (this checkout's) as read back from
curated/<table>.parquet (rows, in order, and types; not the run_id), and whether the folder's
manifest says the same (it does not for snapshots made before the hash was vectorised). Used to
show that two runs (engines, or this code and an older checkout) published the same rows.
Exit 1 when they differ.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def hashes(curated: Path) -> dict[str, tuple[int, str, str | None]]:
    import pyarrow.parquet as pq

    from pipeline.load import content_hash, read_manifest
    manifest = (read_manifest(curated) or {}).get("tables", {})
    out = {}
    for path in sorted(curated.glob("*.parquet")):
        table = pq.read_table(path)
        out[path.stem] = (table.num_rows, content_hash(table), manifest.get(path.stem, {}).get("sha256"))
    return out


def main(argv: list[str]) -> int:
    folders = [Path(a) for a in argv]
    found = [hashes(f) for f in folders]
    same = True
    for name in sorted(set().union(*found)):
        row = [f.get(name) for f in found]
        equal = len({(r[0], r[1]) if r else None for r in row}) == 1
        same &= equal
        print(json.dumps({"table": name, "same": equal,
                          "runs": [{"rows": r[0], "sha256": r[1][:16], "manifest_agrees": r[1] == r[2]}
                                   if r else None for r in row]}))
    print("SAME" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
