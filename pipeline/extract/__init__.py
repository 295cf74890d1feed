"""Extraction: raw article text -> Page (infoboxes with their values, prose sections). No I/O."""
from __future__ import annotations

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
