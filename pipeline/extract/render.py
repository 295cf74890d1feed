"""Render parsed wikitext (an infobox parameter value, a small template) as a reader sees it.

Templates go through a registry, RENDERERS: lower-cased template name -> function(args, ctx)
returning text (names are matched case-insensitively because Wikipedia keeps redirects for the
common case variants). The functions live in render_templates.py, the date and
{{convert}}/{{coord}} arithmetic in render_dates.py and render_units.py; all of it stays
importable from here. Trees come from pipeline.extract.mwtree. Side results (links,
coordinates, quantities, citations, unknown templates, nested infoboxes) are collected on a
Context while rendering.

Conventions (see also pipeline.extract.wikitext):

* List items are separated by SEP while rendering; ``finish`` splits on it (``<br>``, bullets,
  ubl/plainlist/flatlist/hlist) and joins the items with ", " for the one-line text.
* Dates render as "July 16, 1969, 13:32:00 UTC" (mdy) or "16 July 1969, 13:32:00 UTC" (df=y,
  or free-text input written day-first): date, then time when given, then the zone when given
  (Z and UTC both print "UTC", offsets print "UTC-04:00"). A repeated "UTC UTC" collapses.
  Free text that says more than a date, time and zone ("NET 2025") is shown as written.
* {{convert}} renders its metric number and unit symbol without thousands separators
  ("45702 kg"), rounded like Module:Convert's default (input decimals shifted by the log10 of
  the factor, at least two significant figures); Value.quantities gets one Quantity per stated
  number: value and unit as written, converted_value/converted_unit = the metric figure shown
  (a metric input converts to itself). disp/order=flip, sp, adj, lk, abbr change nothing here.
* {{Coord}} renders "" and fills coords; lunar/planetary coordinate templates render "" and do
  not fill coords (Value has no field for another body).
* A template without a renderer renders "" and its name goes to unknown_templates.

Bad input never raises: a template with missing or junk arguments renders what it can, often "".
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache

from mwparserfromhell.nodes import (Argument, Comment, ExternalLink, Heading, HTMLEntity, Tag,
                                    Template, Text, Wikilink)
from mwparserfromhell.wikicode import Wikicode

from pipeline.extract import mwtree
# Re-exported: `from pipeline.extract.render import format_date, parse_coord, ...` keeps working.
from pipeline.extract.render_dates import (MONTHS, format_date, parse_date_text,  # noqa: F401
                                           render_free, render_interval, render_numeric,
                                           render_parts)
from pipeline.extract.render_units import parse_coord, render_convert  # noqa: F401

from pipeline.extract.locate import canonical_name, normalize_name
from pipeline.records import Citation, Quantity, Value

SEP = "\x1e"
# Brackets a flag's country: shown only when nothing else shares its list item (see finish).
FLAG_OPEN, FLAG_CLOSE = "\ue000", "\ue001"
# A literal apostrophe from an entity or {{'}}: kept apart from the '' and ''' markup until
# the quotes are stripped (MediaWiki emits &#39; for the same reason).
APOS = "\ue002"
_FLAG = re.compile("\ue000([^\ue000\ue001]*)\ue001")
_HIDDEN_TAGS = {"ref", "references", "math", "chem", "ce", "gallery", "templatestyles", "score",
                "timeline", "graph", "mapframe", "maplink", "templatedata", "imagemap", "hiero",
                "syntaxhighlight", "source", "inputbox", "categorytree", "section", "table",
                "includeonly", "style", "script"}
_LITERAL_TAGS = {"nowiki", "pre", "code", "tt"}
_BREAK_TAGS = {"br", "li", "dt", "dd", "hr", "tr", "p"}
_DROP_NS = {"file", "image", "category", "datei", "bild", "kategorie", "fichier", "catégorie",
            "archivo", "imagen", "categoría"}
_INTERWIKI = re.compile(r"^[a-z]{2,3}(?:-[a-z]{2,8})*$|^simple$")


class Context:
    """What rendering one value collects besides its text."""

    def __init__(self, on_infobox: Callable[[Template], None] | None = None) -> None:
        self.links: list[tuple[str, str]] = []
        self.coords: tuple[float, float] | None = None
        self.quantities: list[Quantity] = []
        self.citations: list[Citation] = []
        self.unknown_templates: list[str] = []
        self.on_infobox = on_infobox

    def render(self, code: Wikicode | None) -> str:
        """Text of a Wikicode with SEP between list items (call finish() on the result)."""
        if code is None:
            return ""
        return "".join([self.node(n) for n in code.nodes])

    def node(self, n) -> str:
        kind = type(n)  # exact types first: this runs for every node of every value
        if kind is Text:
            return n.value.replace(SEP, "").replace(FLAG_OPEN, "").replace(FLAG_CLOSE, "")
        if kind is Template:
            return self.template(n)
        if kind is Wikilink:
            return self.wikilink(n)
        if isinstance(n, Text):
            return n.value.replace(SEP, "").replace(FLAG_OPEN, "").replace(FLAG_CLOSE, "")
        if isinstance(n, Template):
            return self.template(n)
        if isinstance(n, Wikilink):
            return self.wikilink(n)
        if isinstance(n, HTMLEntity):
            try:
                return n.normalize().replace("'", APOS)
            except (ValueError, OverflowError):
                return str(n)
        if isinstance(n, Tag):
            return self.tag(n)
        if isinstance(n, ExternalLink):
            if n.brackets:
                return self.render(n.title) if n.title else ""
            return str(n.url)
        if isinstance(n, Heading):
            return self.render(n.title)
        if isinstance(n, Argument):
            return self.render(n.default) if n.default is not None else ""
        if isinstance(n, Comment):
            return ""
        return str(n)

    def template(self, t: Template) -> str:
        name = canonical_name(mwtree.to_str(t.name))
        if name.startswith("Infobox"):
            if self.on_infobox is not None:
                self.on_infobox(t)
            return ""
        fn = renderer_for(name)
        if fn is None:
            self.unknown_templates.append(name)
            return ""
        return fn(Args(t, self, name.lower()), self)

    def wikilink(self, link: Wikilink) -> str:
        title = plain(link.title)
        ns, colon, _ = title.partition(":")
        ns = ns.strip().lower()
        if colon and not title.startswith(":") and (ns in _DROP_NS or _INTERWIKI.match(ns)):
            return ""
        if link.text is not None:
            label = clean_inline(self.render(link.text))
            if not label:  # pipe trick: [[Foo (bar)|]] shows "Foo"
                label = _PIPE_TRICK.sub("", title.lstrip(":").split(":")[-1])
        else:
            label = clean_inline(title.lstrip(":").replace("_", " "))
        target = link_target(title)
        if target:
            self.links.append((label, target))
        return label

    def tag(self, tag: Tag) -> str:
        name = mwtree.to_str(tag.tag).strip().lower()
        if tag.wiki_markup in ("*", "#", ":", ";"):
            return SEP
        if name == "ref":
            self.citations.append(citation_from_ref(tag))
            return ""
        if name in _BREAK_TAGS:
            return SEP + (self.render(tag.contents) + SEP if tag.contents else "")
        if name in _LITERAL_TAGS:
            return str(tag.contents) if tag.contents is not None else ""
        if name in _HIDDEN_TAGS or tag.wiki_markup == "{|":
            return ""
        if tag.has("style") and _DISPLAY_NONE.search(str(tag.get("style").value)):
            return ""
        return self.render(tag.contents) if tag.contents is not None else ""


class Args:
    """A template's arguments, rendered on demand (unused arguments leave no side results)."""

    def __init__(self, t: Template, ctx: Context, name: str = "") -> None:
        self.template = t
        self.ctx = ctx
        self.name = name or canonical_name(mwtree.to_str(t.name)).lower()
        self.positional: list[Wikicode] = []
        self.named: dict[str, Wikicode] = {}
        for p in t.params:
            if p.showkey:
                self.named[normalize_param(mwtree.to_str(p.name))] = p.value
            else:
                self.positional.append(p.value)

    def text(self, i: int) -> str:
        """Positional argument i (0-based) rendered with side results, cleaned; "" if absent."""
        return clean_inline(self.ctx.render(self.positional[i])) if i < len(self.positional) else ""

    def plain(self, i: int) -> str:
        return plain(self.positional[i]) if i < len(self.positional) else ""

    def get(self, key: str, default: str = "") -> str:
        """Named argument rendered without side results (for options such as df, TZ)."""
        return plain(self.named[key]) if key in self.named else default

    def texts(self) -> list[str]:
        return [self.text(i) for i in range(len(self.positional))]

    def plains(self) -> list[str]:
        return [self.plain(i) for i in range(len(self.positional))]


_PIPE_TRICK = re.compile(r"\s*\([^)]*\)\s*$")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)
_PARAM_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_PARAM_SPACE = re.compile(r"\s+")
_TITLE_SPACE = re.compile(r"[\s_\u00a0]+")


@lru_cache(maxsize=8192)
def normalize_param(name: str) -> str:
    """MediaWiki parameter name as used in the records: comments dropped, trimmed, lower case,
    spaces as underscores. Positional parameters keep their number ("1")."""
    if "<!--" in name:
        name = _PARAM_COMMENT.sub("", name)
    return _PARAM_SPACE.sub("_", name.strip().lower())


def link_target(title: str) -> str:
    """A wikilink target as MediaWiki resolves it: fragment and leading colon dropped, entities
    decoded, "_" as space, whitespace collapsed, first letter upper case. "" for [[#section]]."""
    if "&" in title:
        title = html.unescape(title)
    title = title.split("#", 1)[0].lstrip(":")
    title = _TITLE_SPACE.sub(" ", title).strip()
    return title[:1].upper() + title[1:]


def plain(code: Wikicode | None) -> str:
    """Text of a Wikicode with no side results (refs, links and templates rendered away)."""
    if code is None:
        return ""
    return clean_inline(Context().render(code))


_SPACE_CHARS = re.compile(r"[\u00a0\u2007\u202f\u2009\u200a\u2002\u2003]")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1d\x1f\u00ad\u200b\u200e\u200f\ufeff]")
_QUOTES = re.compile(r"'{4,}")
# '' and ''' (the common runs) go without a callback; longer runs take _quotes.
_SHORT_QUOTES = re.compile(r"(?<!')'''?(?!')")
_EMPTY_BRACKETS = re.compile(r"\(\s*[,;]?\s*\)|\[\s*\]")
# "UTC" first so that the regex engine can skip ahead to it; the lookbehind is the \b before it.
_REPEATED_UTC = re.compile(r"UTC(?<!\wUTC)(?:\s+UTC\b)+")


def _quotes(m: re.Match) -> str:
    n = len(m.group(0))
    return "'" if n == 4 else "'" * (n - 5) if n > 5 else ""


_SPACE_BEFORE = re.compile(r" ([,;.:)])")


def clean_inline(s: str, sep: str = " ", keep_lines: bool = False) -> str:
    """One line of reader text: invisible characters dropped, non-breaking spaces and hyphens
    made plain, '' and ''' removed, empty brackets removed, whitespace collapsed. With
    keep_lines, newlines survive and each line is trimmed."""
    # Each step runs only when its trigger is present: this runs for every value, list item
    # and prose section, and the `in` tests cost far less than a regex pass.
    s = _INVISIBLE.sub("", s)
    if FLAG_OPEN in s:
        s = _FLAG.sub(r"\1", s)
    if SEP in s:
        s = s.replace(SEP, sep)
    s = _SPACE_CHARS.sub(" ", s)
    if "\u2011" in s:
        s = s.replace("\u2011", "-")
    if "''" in s:
        s = _SHORT_QUOTES.sub("", s)
        if "''''" in s:
            s = _QUOTES.sub(_quotes, s)
    if APOS in s:
        s = s.replace(APOS, "'")
    if "(" in s or "[" in s:
        s = _EMPTY_BRACKETS.sub("", s)
    # Runs of whitespace become one space: str.split() splits on exactly the characters \s
    # matches, and the ends it drops are stripped below anyway.
    if keep_lines:
        s = "\n".join([" ".join(line.split()) for line in s.split("\n")])
    else:
        s = " ".join(s.split())
    if "UTC" in s:
        s = _REPEATED_UTC.sub("UTC", s)
    if " " in s:
        s = _SPACE_BEFORE.sub(r"\1", s).replace("( ", "(")
    if keep_lines:
        return "\n".join([line.strip(" ,;") for line in s.split("\n")])
    return s.strip(" ,;")


def finish(s: str) -> tuple[str, list[str]]:
    """Rendered text -> (one-line text, items): items split at SEP, empty ones dropped. A
    {{flag}} country stays only in an item that has no other text ("{{flag|Canada}}" ->
    "Canada", but "{{flag|Belarus}} [[Maryna Vasileuskaya]]" -> "Maryna Vasileuskaya")."""
    items = []
    for part in s.split(SEP):
        if FLAG_OPEN in part:
            without = clean_inline(_FLAG.sub("", part))
            part = without or part
        item = clean_inline(part)
        if item:
            items.append(item)
    return ", ".join(items), items


_LOST_TOKEN = re.compile(
    r"^(?:utc|gmt|frameless|frame|framed|thumb|thumbnail|border|upright(?:=[\d.]+)?|"
    r"\d*x?\d+\s*px|alt=.*)$", re.I)


_ONLY_PUNCT = re.compile(r"[\s()\[\],;|:]+")
_LOST_SPLIT = re.compile(r"[\s|,;()\[\]]+")
_LOST_FIRST = re.compile(r"[\s|,;()\[\]]*([^\s|,;()\[\]]+)")


def is_lost(text: str) -> bool:
    """True when text is only rendering residue: a bare "UTC" (or "UTC UTC"), empty brackets
    "()", image options such as "frameless|100px". Empty text is not residue (it is empty)."""
    t = text.strip()
    if not t:
        return False
    if _ONLY_PUNCT.fullmatch(t):
        return True
    first = _LOST_FIRST.match(t)  # most values fail on their first word: skip the full split
    if first is not None and not _LOST_TOKEN.match(first.group(1)):
        return False
    tokens = [tok for tok in _LOST_SPLIT.split(t) if tok]
    return bool(tokens) and all(_LOST_TOKEN.match(tok) for tok in tokens)


def citation_from_ref(tag: Tag) -> Citation:
    """A <ref> tag as a Citation: name attribute, and url/title/date of the first cite template
    inside. A ref without content (a reuse, <ref name="x" />) gives just the name."""
    cite = Citation()
    if tag.has("name"):
        cite.name = str(tag.get("name").value).strip().strip("\"'") or None
    if tag.contents is not None:
        cite.text = str(tag.contents).strip()
        fill_citation(cite, tag.contents)
    return cite


def fill_citation(cite: Citation, code: Wikicode) -> None:
    # = code.filter_templates(recursive=False), without mwparserfromhell's filter machinery
    for t in code.nodes:
        if not isinstance(t, Template):
            continue
        name = normalize_name(mwtree.to_str(t.name)).lower()
        if name.startswith("cite") or name.startswith("citation"):
            a = Args(t, Context())
            cite.url = a.get("url") or a.get("chapter-url") or a.get("chapterurl") or None
            cite.title = a.get("title") or None
            cite.date = a.get("date") or None
            return


# --- renderers -------------------------------------------------------------------------------

Renderer = Callable[[Args, Context], str]
RENDERERS: dict[str, Renderer] = {}


@lru_cache(maxsize=8192)
def renderer_for(name: str) -> Renderer | None:
    """The renderer for a canonical template name, or None (families such as Lang-xx, Cite *
    and the ship prefixes are matched by prefix)."""
    key = name.lower()
    fn = RENDERERS.get(key)
    if fn is not None:
        return fn
    if key.startswith("lang-"):
        return RENDERERS["lang-xx"]
    if key.startswith(("cite ", "citation")) and key not in RENDERERS:
        return _cite
    return None


def register(*names: str) -> Callable[[Renderer], Renderer]:
    def deco(fn: Renderer) -> Renderer:
        for name in names:
            RENDERERS[name] = fn
        renderer_for.cache_clear()
        return fn
    return deco


def constant(value: str, *names: str) -> None:
    register(*names)(lambda a, ctx: value)


def _cite(a: Args, ctx: Context) -> str:
    """A bare {{cite ...}} in a value (outside a ref) is a citation too."""
    cite = Citation(text=str(a.template))
    fill_citation(cite, _code_of(a.template))
    ctx.citations.append(cite)
    return ""


# --- entry points ------------------------------------------------------------------------------

def render_value(param: str, code: Wikicode,
                 on_infobox: Callable[[Template], None] | None = None) -> Value:
    """One infobox parameter as a Value. on_infobox is called for each nested infobox template
    (which renders as ""). lost is set when the rendered text is residue (is_lost) that the raw
    wikitext did not already say as such. Never raises on malformed wikitext."""
    ctx = Context(on_infobox)
    text, items = finish(ctx.render(code))
    raw = str(code).strip()
    # Residue only counts when rendering produced it: a plain "250px" is the editor's value.
    lost = is_lost(text) and text != clean_inline(raw)
    return Value(param=param, raw=raw, text=text, items=items, links=ctx.links, coords=ctx.coords,
                 quantities=ctx.quantities, citations=ctx.citations,
                 unknown_templates=ctx.unknown_templates, lost=lost)


def render_wikitext(wikitext: str) -> str:
    """Reader text of a small wikitext snippet (one template from the prose), one line, with
    apostrophes as APOS (clean_inline turns them back)."""
    code = _light_parse(wikitext) or mwtree.parse(wikitext, skip_style_tags=True)
    # Apostrophes stay protected: the caller strips '' markup around this text later.
    return finish(Context().render(code))[0].replace("'", APOS)


_NOT_LIGHT = re.compile(r"[\[\]<>&'\n]|\{\{.*\{\{|\}\}.*\}\}", re.S)


def _light_parse(wikitext: str) -> Wikicode | None:
    """A one-template snippet without markup inside ({{convert|47.5|lb|kg}}) built directly:
    even the lean parse costs ~30 us and the prose has dozens of these snippets."""
    if not (wikitext.startswith("{{") and wikitext.endswith("}}")) or _NOT_LIGHT.search(wikitext):
        return None
    name, *parts = wikitext[2:-2].split("|")
    params, position = [], 0
    for part in parts:
        key, eq, val = part.partition("=")
        if not eq:
            position += 1
            key, val = str(position), part
        params.append((key, val, bool(eq)))
    return _code_of(mwtree.template(name, params))


def _code_of(node) -> Wikicode:
    return mwtree.code([node])


# The template renderers register themselves in RENDERERS when their module is imported.
from pipeline.extract import render_templates  # noqa: E402,F401
