"""Agreement per column between the product's rendering and MediaWiki's, over a folder of pages.

    python tools/fidelity.py FOLDER

pairs the files of one stem in FOLDER (and below): `<stem>.wikitext` (or `.wiki`, `.mediawiki`,
`.txt` holding wikitext) with `<stem>.html` (a saved page, `fetch --format html`, a ZIM entry),
maps both with the same mapping and prints, per column, how many pages agree
(pipeline.validate.fidelity), then each disagreement as an issue `rendering_differs` with both
values. Pages whose revisions differ (sidecars, or the revision the HTML states) are not
compared: the check is per revision. Unreadable pages are listed, never a traceback.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from pipeline.extract import extract_page
from pipeline.sources.files import ReadFailure, list_inputs, read_file
from pipeline.validate.fidelity import Comparison, compare, report

WIKITEXT_SUFFIXES = (".wikitext", ".wiki", ".mediawiki", ".txt")
HTML_SUFFIXES = (".html", ".htm")


def pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(wikitext file, HTML file) for every stem that has both, in a stable order."""
    by_stem: dict[str, dict[str, Path]] = defaultdict(dict)
    for path in list_inputs(folder):
        name = path.relative_to(folder).as_posix()
        for kind, suffixes in (("wikitext", WIKITEXT_SUFFIXES), ("html", HTML_SUFFIXES)):
            suffix = next((s for s in suffixes if name.lower().endswith(s)), None)
            if suffix:
                by_stem[name[: -len(suffix)]][kind] = path
    return [(v["wikitext"], v["html"]) for _, v in sorted(by_stem.items()) if len(v) == 2]


def check_folder(folder: Path, max_bytes: int = 20_000_000):
    """(comparisons, problems): every comparison over the folder's pairs, and one line per pair
    that could not be compared."""
    comparisons: list[Comparison] = []
    problems: list[str] = []
    for wt_path, html_path in pairs(folder):
        raws = [read_file(p, folder, max_bytes) for p in (wt_path, html_path)]
        bad = [r for r in raws if isinstance(r, ReadFailure)]
        if bad:
            problems.extend(f"{r.source}: {r.reason}" for r in bad)
            continue
        wt, html = raws
        if wt.fmt != "wikitext" or html.fmt != "html":
            problems.append(f"{wt.source} / {html.source}: not wikitext and HTML ({wt.fmt}, {html.fmt})")
            continue
        try:
            wt_page, html_page = extract_page(wt), extract_page(html)
        except Exception as e:  # a bug on one pair must not end the check of the others
            problems.append(f"{wt.source}: extract failed: {type(e).__name__}: {e}")
            continue
        if None not in (wt_page.rev_id, html_page.rev_id) and wt_page.rev_id != html_page.rev_id:
            problems.append(f"{wt.source} / {html.source}: revisions {wt_page.rev_id} and "
                            f"{html_page.rev_id} differ")
            continue
        title = wt_page.title or html_page.title or Path(wt.source).stem.replace("_", " ")
        comparisons.extend(compare(wt_page, html_page, title))
    return comparisons, problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python tools/fidelity.py FOLDER  (pairs <stem>.wikitext with <stem>.html)",
              file=sys.stderr)
        return 2
    comparisons, problems = check_folder(Path(args[0]))
    print(report(comparisons, problems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
