"""Fidelity of the product's rendering: the same revision read from its wikitext (our renderer)
and from MediaWiki's HTML (MediaWiki's renderer) must give the same typed values.

For each mapped column of the main infobox, both pages are mapped with the same mapping and the
typed values compared (numbers within a relative tolerance: MediaWiki shows {{convert}}'s
figures rounded, e.g. "45,702 kg" for 100,756 lb). A column that disagrees becomes an Issue with
the stable code `rendering_differs` naming both values and both texts; this is how the
renderers' template table proves itself against the one rendering with every template
expanded exactly.

    python tools/fidelity.py FOLDER     # agreement per column over paired pages (see there)
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from pipeline.core.mappings import mapping_for
from pipeline.records import Issue, Page
from pipeline.transform.mapper import find_boxes, map_page

TOLERANCE = 1e-3                          # relative, for numbers shown rounded
CODE = "rendering_differs"


@dataclass(frozen=True)
class Comparison:
    """One mapped column of one page, as read from the wikitext and from MediaWiki's HTML."""

    title: str
    column: str
    wikitext_value: object
    html_value: object
    wikitext_text: str | None
    html_text: str | None

    @property
    def agree(self) -> bool:
        return same(self.wikitext_value, self.html_value)

    def issue(self, mission_id: str | None) -> Issue:
        return Issue(CODE, self.column,
                     f"{self.column}: wikitext {self.wikitext_value!r} ({self.wikitext_text!r}) but MediaWiki's "
                     f"HTML {self.html_value!r} ({self.html_text!r})", mission_id)


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) or isinstance(b, float) and isinstance(a, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=TOLERANCE, abs_tol=1e-9)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def _texts(page: Page, params: tuple[str, ...]) -> str | None:
    boxes = find_boxes(page)
    if not boxes:
        return None
    box = boxes[0][0]
    for p in params:
        v = box.params.get(p)
        if v is not None and (v.text or v.coords):
            return v.text
    return None


def compare(wikitext: Page, html: Page, title: str) -> list[Comparison]:
    """The mapped columns of both pages' mission rows, side by side (a column neither gives is
    left out). [] when either page has no mission infobox."""
    a, b = map_page(wikitext, title), map_page(html, title)
    if a is None or b is None:
        return []
    mapping = mapping_for(find_boxes(wikitext)[0][0].template) if find_boxes(wikitext) else None
    params = {c.name: c.params for c in mapping.columns} if mapping else {}
    skip = {"mission_id", "title", "source_format", "source", "page_id", "rev_id", "rev_timestamp"}
    out = []
    for col in sorted(set(a.row) | set(b.row)):
        if col in skip:
            continue
        x, y = a.row.get(col), b.row.get(col)
        if x in (None, [], "") and y in (None, [], ""):
            continue
        ps = params.get(col, ())
        out.append(Comparison(title, col, x, y, _texts(wikitext, ps) if ps else None,
                              _texts(html, ps) if ps else None))
    return out


def agreement(comparisons: list[Comparison]) -> dict[str, tuple[int, int]]:
    """column -> (pages compared, pages agreeing)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in comparisons:
        out[c.column][0] += 1
        out[c.column][1] += c.agree
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


def report(comparisons: list[Comparison], problems: list[str], shown: int = 20) -> str:
    rows = agreement(comparisons)
    width = max([len(c) for c in rows] + [6])
    lines = [f"{'column':<{width}}  pages  agree  agreement"]
    for col, (n, ok) in rows.items():
        lines.append(f"{col:<{width}}  {n:>5}  {ok:>5}  {100.0 * ok / n:>8.1f}%")
    total = len(comparisons)
    agreed = sum(c.agree for c in comparisons)
    pages = len({c.title for c in comparisons})
    lines.append(f"{'all':<{width}}  {total:>5}  {agreed:>5}  {100.0 * agreed / total if total else 0:>8.1f}%"
                 f"   ({pages} paired pages)")
    differ = [c for c in comparisons if not c.agree]
    for c in differ[:shown]:
        lines.append(f"  {CODE}  {c.title}: {c.issue(None).message}")
    if len(differ) > shown:
        lines.append(f"  ... and {len(differ) - shown} more")
    lines.extend(f"  not compared: {p}" for p in problems)
    return "\n".join(lines)
