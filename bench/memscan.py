"""One dump scan in a fresh process, for its peak memory (bench/run.py starts it).

Usage: python bench/memscan.py DUMP {dump|multistream}

Scans the dump as the pipeline would: every page read (pipeline.sources.dump.iter_dump, or the
multistream reader with 2 workers), pages passing the spaceflight prefilter extracted and
mapped (extract_page + map_page, prose included), nothing kept. Prints JSON: pages, missions,
seconds, and the peak resident set size of this process (VmHWM) and of its largest child
(ru_maxrss).
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_rss_mb() -> float:
    """This process's peak resident set size. On Linux it is VmHWM: ru_maxrss of an exec'd
    process starts from the peak of the process that started it (the kernel carries the old
    address space's high-water mark over on exec), so a large bench process would show through."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from pipeline.extract import extract_page
    from pipeline.wikitext.scan import may_have_infobox
    from pipeline.records import RawInput
    from pipeline.transform.mapper import map_page

    dump, mode = Path(sys.argv[1]), sys.argv[2]
    if mode == "multistream":
        from pipeline.sources.multistream import iter_multistream
        items = iter_multistream(dump, workers=2)
    else:
        from pipeline.sources.dump import iter_dump
        items = iter_dump(dump)
    t = time.perf_counter()
    pages = missions = 0
    for item in items:
        pages += 1
        if isinstance(item, RawInput) and may_have_infobox(item.content):
            page = extract_page(item)
            for s in page.sections:
                s.text  # noqa: B018 - make the prose, as reconcile would
            missions += map_page(page, page.title or item.source) is not None
    print(json.dumps({
        "pages": pages, "missions": missions, "seconds": time.perf_counter() - t,
        "maxrss_mb": _peak_rss_mb(),
        "children_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
