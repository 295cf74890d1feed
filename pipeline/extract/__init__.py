"""Extraction: raw article text -> Page (infoboxes with their values, prose sections). No I/O."""
from __future__ import annotations

from pipeline.core.mappings import mapping_for
from pipeline.records import Page, RawInput


def extract_page(raw: RawInput) -> Page:
    """Dispatch on the detected content format."""
    if raw.fmt == "text":
        from pipeline.extract.text import extract_text
        return extract_text(raw)
    if raw.fmt == "wikitext":
        from pipeline.extract.wikitext import extract_wikitext
        return extract_wikitext(raw)
    if raw.fmt == "html":
        from pipeline.extract.html import extract_html
        return extract_html(raw)
    raise ValueError(f"unknown input format {raw.fmt!r}")


def make_prose(page: Page) -> Page:
    """Make the prose sections of a page that has a mission infobox, so that whatever goes
    wrong in them goes wrong inside the extract stage. Wikitext sections are otherwise made
    when first read (most pages of a dump have no mission and never need their prose)."""
    if any((m := mapping_for(b.template)) is not None and m.table == "missions"
           for b in page.infoboxes if b.parent is None):
        for section in page.sections:
            section.text  # noqa: B018 - reading the text makes it
    return page
