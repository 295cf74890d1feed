"""Agreement per column between the product's rendering and MediaWiki's, over a folder of pages.

    python tools/fidelity.py FOLDER [HTML_FOLDER]      # e.g. raw raw_html

pairs the files of one stem in FOLDER (and below): `<stem>.wikitext` (or `.wiki`, `.mediawiki`,
`.txt` holding wikitext) with `<stem>.html` (a saved page, `fetch --format html`, a ZIM entry)
in FOLDER or, when given, at the same place below HTML_FOLDER,
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


def pairs(folder: Path, html_folder: Path | None = None) -> list[tuple[Path, Path]]:
    """(wikitext file, HTML file) for every stem (path below its folder, suffix off) that has
    both, in a stable order; the HTML is looked for in html_folder when one is given."""
    by_stem: dict[str, dict[str, Path]] = defaultdict(dict)
    for kind, suffixes, root in (("wikitext", WIKITEXT_SUFFIXES, folder),
                                 ("html", HTML_SUFFIXES, html_folder or folder)):
        for path in list_inputs(root):
            name = path.relative_to(root).as_posix()
            suffix = next((s for s in suffixes if name.lower().endswith(s)), None)
            if suffix:
                by_stem[name[: -len(suffix)]][kind] = path
    return [(v["wikitext"], v["html"]) for _, v in sorted(by_stem.items()) if len(v) == 2]


def check_folder(folder: Path, html_folder: Path | None = None, max_bytes: int = 20_000_000):
    """(comparisons, problems): every comparison over the folder's pairs, and one line per pair
    that could not be compared."""
    comparisons: list[Comparison] = []
    problems: list[str] = []
    for wt_path, html_path in pairs(folder, html_folder):
        raws = [read_file(wt_path, folder, max_bytes), read_file(html_path, html_folder or folder, max_bytes)]
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
    if len(args) not in (1, 2) or not all(Path(a).is_dir() for a in args):
        print("usage: python tools/fidelity.py FOLDER [HTML_FOLDER]  (pairs <stem>.wikitext with <stem>.html)",
              file=sys.stderr)
        return 2
    comparisons, problems = check_folder(Path(args[0]), Path(args[1]) if len(args) == 2 else None)
    print(report(comparisons, problems))
    return 0


if __name__ == "__main__":
    sys.exit(main())
