"""One cell of MediaWiki's HTML as a reader sees it, with what the markup states beside the text.

`read_cell(element)` walks the element once, without recursion (deep markup is safe): scripts,
styles, images, hidden spans (`display:none`), reference marks, edit links and the coordinates
of {{Coord}} are not text; line breaks, list items and blocks end items. Collected beside the
text: link targets (`/wiki/T`, `./T`, `T` as Kiwix stores them), flag icons (`flag:<Country>`),
the hidden ISO stamps of start/end date templates (`.dtstart`, `.dtend`, read leniently), the
geo microformat in the form {{Coord}} was given, and the cite_note ids of reference marks.
Text per cell is bounded (MAX_CELL characters).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from lxml import etree

from pipeline.core.mediawiki import is_text_link
from pipeline.core.mediawiki import link_target as wikilink_target
from pipeline.extract.text import clean_text

MAX_CELL = 20_000                  # characters of reader text per cell
_SKIP_TAGS = frozenset({"script", "style", "link", "meta", "noscript", "template", "img", "audio", "video",
                        "object", "embed", "iframe", "svg", "math", "input", "button", "select", "textarea"})
_SKIP_CLASSES = frozenset({"reference", "noprint", "mw-editsection", "geo-default", "geo-nondefault",
                           "geo-multi-punct", "geo", "mw-ref", "sortkey", "mw-cite-backlink", "metadata",
                           "navbar", "infobox-caption"})
_BREAK_TAGS = frozenset({"br", "li", "p", "div", "ul", "ol", "dl", "dd", "dt", "tr", "table", "hr",
                         "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figure"})
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_STAMP = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?"
                    r"(?:(?:T|UTC|\s)\s*(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$")
_DMS = re.compile(r"^\s*(\d{1,3}(?:\.\d+)?)°(?:\s*(\d{1,2}(?:\.\d+)?)′)?"
                  r"(?:\s*(\d{1,2}(?:\.\d+)?)″)?\s*([NSEW])\s*$")
_DEC = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*;\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_FLAG_FILE = re.compile(r"Flag_of_(?:the_)?([^/]+?)\.svg", re.IGNORECASE)
_NOT_ARTICLE = re.compile(r"^(?:file|image|media|category|special|template|help|wikipedia|portal|talk|user)"
                          r"(?:[ _]talk)?:", re.IGNORECASE)


def text_of(el) -> str:
    return "".join(el.itertext())


def classes(el) -> frozenset[str]:
    c = el.get("class")
    return frozenset(c.split()) if c else frozenset()


def _skipped(el) -> bool:
    if not isinstance(el.tag, str):  # comments, processing instructions
        return True
    if el.tag in _SKIP_TAGS:
        return True
    style = el.get("style")
    if style and _HIDDEN.search(style):
        return True
    return bool(classes(el) & _SKIP_CLASSES)


@dataclass
class _Cell:
    """Reader text and what the markup says beside it, for one cell (or paragraph)."""

    text: str = ""
    items: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    coords: tuple[float, float] | None = None
    instants: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)     # cite_note ids of the reference marks


def link_target(href: str | None) -> str | None:
    """The article a link points to, as a title ("./Neil_Armstrong", "/wiki/Neil_Armstrong",
    "Neil_Armstrong" in a Kiwix archive), or None for files, categories, special pages,
    fragments, external and edit links."""
    if not href or href.startswith("#"):
        return None
    parts = urlsplit(href)
    path = parts.path
    if parts.scheme or parts.netloc:
        if not path.startswith("/wiki/"):
            return None
        path = path[len("/wiki/"):]
    elif path.startswith("/wiki/"):
        path = path[len("/wiki/"):]
    elif path.startswith("./"):
        path = path[2:]
    elif path.startswith(("/", "../")) or parts.query:
        return None
    title = wikilink_target(unquote(path))
    if not title or not is_text_link(title) or _NOT_ARTICLE.match(title):
        return None
    return title


MAX_STAMP = 64   # characters of a stamp or coordinate span matched (the patterns are anchored)


def _stamp(text: str) -> str | None:
    """A date template's hidden stamp as ISO 8601, read leniently ("2024-03-23UTC12:36:10Z" as
    some templates emit it), or None."""
    m = _STAMP.match(text) if len(text) <= MAX_STAMP else None
    if not m:
        return None
    y, mo, d, h, mi, s, tz = m.groups()
    out = y + (f"-{mo}" if mo else "") + (f"-{d}" if d else "")
    if h is not None:
        out += f"T{h}:{mi}" + (f":{s}" if s else "")
        if tz:
            out += "Z" if tz == "Z" else tz[:3] + ":" + tz[-2:]
    return out


def _dms(text: str) -> float | None:
    if len(text) > MAX_STAMP:
        return None
    m = _DMS.match(text.replace("\u2032", "′").replace("'", "′").replace('"', "″"))
    if not m:
        return None
    deg, mins, secs, hemi = m.groups()
    v = float(deg) + float(mins or 0) / 60 + float(secs or 0) / 3600
    return -v if hemi in "SW" else v


def _coords(el) -> tuple[float, float] | None:
    """The first coordinate pair of the geo microformat inside `el`, in the form {{Coord}} was
    given (Module:Coordinates shows it as `.geo-default`; the other form is rounded from it): the
    DMS spans when the default is DMS, else the decimal `.geo` microformat."""
    spans = [s for s in el.iter("span") if classes(s) & {"geo-default", "geo-dms", "geo"}]
    if not spans:
        return None
    default = next((s for s in spans if "geo-default" in classes(s)), None)
    dms_first = default is not None and any("geo-dms" in classes(s) for s in default.iter("span"))
    dms = next((s for s in spans if "geo-dms" in classes(s)), None)
    dec = next((s for s in spans if "geo" in classes(s)), None)
    for form in ((dms, dec) if dms_first else (dec, dms)):
        if form is None:
            continue
        if form is dms:
            lat = next((s for s in form.iter("span") if "latitude" in classes(s)), None)
            lon = next((s for s in form.iter("span") if "longitude" in classes(s)), None)
            if lat is None or lon is None:
                continue
            la, lo = _dms(text_of(lat)), _dms(text_of(lon))
        else:
            dec = text_of(form)
            m = _DEC.match(dec) if len(dec) <= MAX_STAMP else None
            la, lo = (float(m.group(1)), float(m.group(2))) if m else (None, None)
        if la is not None and lo is not None and abs(la) <= 90 and abs(lo) <= 180:
            return round(la, 6), round(lo, 6)
    return None


def read_cell(el) -> _Cell:
    """Reader text of an element, walked once without recursion (deep markup is safe): hidden,
    script, style, reference and coordinate elements are not text; line breaks and list items
    end items. Links, flags, hidden date stamps and reference marks are collected beside."""
    cell = _Cell(coords=_coords(el))
    for s in el.iter():
        if not isinstance(s.tag, str):
            continue
        cls = classes(s)
        if cls & {"dtstart", "dtend"}:
            iso = _stamp(text_of(s))
            if iso:
                cell.instants.append(iso)
        elif cls & {"reference", "mw-ref"}:
            a = s.find(".//a[@href]")
            note = (a.get("href") or "").partition("#")[2] if a is not None else ""
            if note.startswith("cite_note"):
                cell.notes.append(note)
    out: list[str] = []
    size = 0
    open_links: list[tuple[object, int, str]] = []   # (element, position in out, target)
    walker = etree.iterwalk(el, events=("start", "end"))
    skipping = None
    for event, node in walker:
        if event == "start":
            if node is not el and _skipped(node):
                if node.tag == "img":
                    m = _FLAG_FILE.search(unquote(node.get("src", "") or "")[:2000])
                    if m:
                        country = m.group(1).replace("_", " ")
                        cell.links.append((country, "flag:" + country))
                walker.skip_subtree()
                skipping = node
                continue
            if node.tag in _BREAK_TAGS:
                out.append("\n")
            if node.tag == "a":
                target = link_target(node.get("href"))
                if target:
                    open_links.append((node, len(out), target))
            if node.text and size < MAX_CELL:
                out.append(node.text)
                size += len(node.text)
            continue
        if node is skipping:
            skipping = None
        elif node.tag in _BREAK_TAGS and node is not el:
            out.append("\n")
        if open_links and open_links[-1][0] is node:
            _, at, target = open_links.pop()
            label = clean_text("".join(out[at:]).replace("\n", " "))
            if label:
                cell.links.append((label, target))
        if node is not el and node.tail and size < MAX_CELL:
            out.append(node.tail)
            size += len(node.tail)
    text = "".join(out)[:MAX_CELL]
    cell.items = [t for t in (clean_text(line) for line in text.split("\n")) if t]
    cell.text = ", ".join(cell.items)
    return cell
