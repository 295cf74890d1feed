"""Rendered-text conventions shared by both renderings (the "- Key: Value" list and the
two-column table): a label is read as the template parameter it was rendered from, and a
value's reader text is cleaned of what renderers leave behind.

Bad input: any string gives a string (possibly empty).
"""
from __future__ import annotations

import html
import re
import unicodedata

from pipeline.core.mediawiki import FOOTNOTE_MARK

EMPTY_BRACKETS = re.compile(r"\(\s*[,;]?\s*\)|\[\s*\]")
# Footnote and maintenance markers that renderers keep from <ref>s and inline templates.
FOOTNOTE = re.compile(FOOTNOTE_MARK, re.IGNORECASE)
SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
# Label casing and punctuation vary between renderers; the parameter name is what matters.
_LABEL_JUNK = re.compile(r"[^0-9a-z]+")


def param_name(label: str) -> str:
    """'Launch Date' -> 'launch_date'; 'Orbit Inclination' -> 'orbit_inclination'."""
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return _LABEL_JUNK.sub("_", folded.strip().lower()).strip("_")


def clean_text(value: str) -> str:
    """Reader text of a rendered value: entities decoded, non-breaking characters made plain,
    empty brackets (a dropped {{Coord}} leaves "()") removed, whitespace collapsed."""
    text = html.unescape(value)
    text = FOOTNOTE.sub("", text)
    text = text.replace("\u2011", "-").replace("\u00ad", "")
    text = EMPTY_BRACKETS.sub("", text)
    text = SPACES.sub(" ", text)
    return text.strip(" ,;")
