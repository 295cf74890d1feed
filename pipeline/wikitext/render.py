"""Render parsed wikitext (an infobox parameter value, a small template) as a reader sees it.

Templates are looked up with templates.renderer_for (canonical name -> function(args, ctx)
returning text); what each template shows is data, in the table templates.toml, with code in
templates.py only for those that compute (the date and {{convert}}/{{coord}} arithmetic is in
date_templates.py and convert.py). Trees come from pipeline.wikitext.tree. Side results
(links, coordinates, quantities, citations, unknown templates, nested infoboxes) are collected
on a Context while rendering.

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
* A template the table does not list renders "" and its name goes to unknown_templates (the
  fallback is documented at the top of templates.toml).

Bad input never raises: a template with missing or junk arguments renders what it can, often "".
"""

import re
from collections.abc import Callable
from functools import cached_property

from mwparserfromhell.nodes import (Argument, Comment, ExternalLink, Heading, HTMLEntity, Tag,
                                    Template, Text, Wikilink)
from mwparserfromhell.wikicode import Wikicode

from pipeline.core.mappings import canonical_name
from pipeline.core.mediawiki import (BREAK_TAGS, HIDDEN_TAGS, LITERAL_TAGS, is_text_link,
                                     link_target, normalize_name, normalize_param)
from pipeline.records import Citation, Quantity, Value
from pipeline.wikitext import tree as mwtree
from pipeline.wikitext.inline import (APOS, FLAG_CLOSE, FLAG_OPEN, SEP, _MARKS, clean_inline,
                                      finish, is_lost)
from pipeline.wikitext.refs import LIFTABLE, NAME_ATTR, REF_END, REF_MARK, REF_OPEN, unlift
from pipeline.wikitext.templates import is_silent, renderer_for

_PIPE_TRICK = re.compile(r"\s*\([^)]*\)\s*$")
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)


class Context:
    """What rendering one value collects besides its text."""

    def __init__(self, on_infobox: Callable[[Template], None] | None = None,
                 refs: list[str] | None = None, text_only: bool = False) -> None:
        self.links: list[tuple[str, str]] = []
        self.coords: tuple[float, float] | None = None
        self.quantities: list[Quantity] = []
        self.citations: list[Citation] = []
        self.unknown_templates: list[str] = []
        self.on_infobox = on_infobox
        self.refs = refs or None  # the refs lifted out of the text being rendered (lift_refs)
        # Only the text is wanted (the prose): what renders no text whatever it holds (a ref, a
        # silent template: templates.is_silent) is not rendered, since its side results (the
        # citations) would be thrown away; the text is the same either way.
        self.text_only = text_only

    def fill_citation(self, cite: Citation, code: Wikicode) -> None:
        """Fill a citation's url/title/date from a cite template in code (for templates)."""
        fill_citation(cite, code, self.refs)

    def unlift(self, s: str) -> str:
        """Wikitext as written: lifted refs put back in place of their marks."""
        return unlift(s, self.refs) if self.refs is not None and REF_OPEN in s else s

    def _lifted(self, s: str) -> str:
        """A text's lifted refs become citations, in order (unless only the text is wanted),
        and leave the text."""
        if not self.text_only:
            refs = self.refs
            for m in REF_MARK.finditer(s):
                self.citations.append(citation_from_source(refs[int(m.group(1))]))
        return REF_MARK.sub("", s)

    def render(self, code: Wikicode | None) -> str:
        """Text of a Wikicode with SEP between list items (call finish() on the result)."""
        if code is None:
            return ""
        return "".join([self.node(n) for n in code.nodes])

    def node(self, n) -> str:
        kind = type(n)  # exact types first: this runs for every node of every value
        if kind is Text:
            v = n.value
            if v.isascii():  # no marks but SEP can be in it
                return v.replace(SEP, "") if SEP in v else v
            if self.refs is not None and REF_OPEN in v:
                v = self._lifted(v)
            return v.replace(SEP, "").replace(FLAG_OPEN, "").replace(FLAG_CLOSE, "")
        if kind is Template:
            return self.template(n)
        if kind is Wikilink:
            return self.wikilink(n)
        if isinstance(n, Text):
            return self.node(_as_text(n.value))
        if isinstance(n, Template):
            return self.template(n)
        if isinstance(n, Wikilink):
            return self.wikilink(n)
        if isinstance(n, HTMLEntity):
            try:
                return n.normalize().replace("'", APOS)
            except (ValueError, OverflowError):
                return self.unlift(str(n))
        if isinstance(n, Tag):
            return self.tag(n)
        if isinstance(n, ExternalLink):
            if n.brackets:
                return self.render(n.title) if n.title else ""
            return self.unlift(str(n.url))
        if isinstance(n, Heading):
            return self.render(n.title)
        if isinstance(n, Argument):
            return self.render(n.default) if n.default is not None else ""
        if isinstance(n, Comment):
            return ""
        return self.unlift(str(n))

    def template(self, t: Template) -> str:
        return self._template(mwtree.to_str(t.name), t)

    def _template(self, written: str, t: Template | None,
                  params: list[tuple[str, str, bool]] | None = None) -> str:
        """A template by the name as written: the tree t, or (t None) a light snippet's
        params (_light_split), whose Args are read from its strings."""
        name = canonical_name(written)
        if name.startswith("Infobox"):
            if self.on_infobox is not None:
                self.on_infobox(t if t is not None else mwtree.template(written, params))
            return ""
        fn = renderer_for(name)
        if fn is None:
            self.unknown_templates.append(name)
            return ""
        if self.text_only and is_silent(fn):
            return ""
        args = Args(t, self, name.lower()) if t is not None else _LightArgs(written, params, self,
                                                                              name.lower())
        return fn(args, self)

    def wikilink(self, link: Wikilink) -> str:
        title = plain(link.title, self.refs)
        if not is_text_link(title):
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
            if not self.text_only:
                self.citations.append(citation_from_ref(tag))
            return ""
        if name in BREAK_TAGS:
            return SEP + (self.render(tag.contents) + SEP if tag.contents else "")
        if name in LITERAL_TAGS:
            return self.unlift(str(tag.contents)) if tag.contents is not None else ""
        if name in HIDDEN_TAGS or tag.wiki_markup == "{|":
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
        return plain(self.positional[i], self.ctx.refs) if i < len(self.positional) else ""

    def get(self, key: str, default: str = "") -> str:
        """Named argument rendered without side results (for options such as df, TZ)."""
        return plain(self.named[key], self.ctx.refs) if key in self.named else default

    def texts(self) -> list[str]:
        return [self.text(i) for i in range(len(self.positional))]

    def plains(self) -> list[str]:
        return [self.plain(i) for i in range(len(self.positional))]


class _LightArgs(Args):
    """The Args of a light snippet (_light_split: every value one plain Text), read from its
    strings: the trees Args holds (positional, named, template) are built only when a renderer
    asks for them ({{convert}} asks for none). Each answer is the one Args gives for the
    snippet's tree: a value's tree is mwtree.text_code of its string."""

    def __init__(self, written: str, params: list[tuple[str, str, bool]], ctx: Context,
                 name: str) -> None:
        self.ctx, self.name = ctx, name
        self._written, self._params = written, params
        self._positional = [value for _, value, showkey in params if not showkey]
        self._named: dict[str, str] = {}
        for key, value, showkey in params:
            if showkey:
                self._named[normalize_param(key)] = value  # the last duplicate wins, as in Args

    @cached_property
    def template(self) -> Template:
        return mwtree.template(self._written, self._params)

    @cached_property
    def positional(self) -> list[Wikicode]:
        return [mwtree.text_code(value) for value in self._positional]

    @cached_property
    def named(self) -> dict[str, Wikicode]:
        return {key: mwtree.text_code(value) for key, value in self._named.items()}

    def plain(self, i: int) -> str:
        values = self._positional
        return _plain_string(values[i], self.ctx.refs) if i < len(values) else ""

    def get(self, key: str, default: str = "") -> str:
        value = self._named.get(key)
        return _plain_string(value, self.ctx.refs) if value is not None else default

    def plains(self) -> list[str]:
        refs = self.ctx.refs
        return [_plain_string(value, refs) for value in self._positional]


def plain(code: Wikicode | None, refs: list[str] | None = None) -> str:
    """Text of a Wikicode with no side results (refs, links and templates rendered away).
    refs: the refs lifted out of the text the code was parsed from, if any."""
    if code is None:
        return ""
    nodes = code.nodes
    if len(nodes) == 1:
        (node,) = nodes
        if type(node) is Text and node.value.isascii() and SEP not in node.value:
            return clean_inline(node.value)  # what rendering one mark-free Text gives
    return clean_inline(Context(refs=refs).render(code))


def _plain_string(value: str, refs: list[str] | None) -> str:
    """plain(mwtree.text_code(value), refs), the tree made only when plain needs more than
    its one-Text shortcut."""
    if value.isascii() and SEP not in value:
        return clean_inline(value)
    return plain(mwtree.text_code(value), refs)


def citation_from_source(source: str) -> Citation:
    """The Citation of a lifted ref's wikitext (what citation_from_ref gives for its Tag)."""
    m = LIFTABLE.match(source)
    named = NAME_ATTR.search(m.group(1)) if m is not None and "name" in m.group(1) else None
    name = next((g for g in named.groups() if g is not None), None) if named else None
    name = name.strip().strip("\"'") or None if name is not None else None
    if m is None or m.group(2):  # a reuse: <ref name="x" />
        return Citation(name=name)
    body = source[m.end():REF_END.search(source, m.end()).start()]
    return _LiftedCitation(name, body)


def plain_ref_citation(source: str) -> Citation | None:
    """citation_from_source for a ref definition with no tags or comments in its body
    ("<ref name=x>{{cite web |...}}</ref>", as lift_refs would lift it); None otherwise."""
    head = LIFTABLE.match(source)
    if head is None or head.group(2):
        return None
    end = REF_END.search(source, head.end())
    if end is None or end.end() != len(source) or "<" in source[head.end():end.start()]:
        return None
    return citation_from_source(source)


def _as_text(value: str) -> Text:
    t = object.__new__(Text)
    t._value = value
    return t


class _LiftedCitation(Citation):
    """A Citation whose url, title and date are read from its ref's cite template when first
    asked for. It compares, prints, copies and pickles as the plain Citation it stands for."""

    def __init__(self, name: str | None, body: str) -> None:
        self.name, self.text, self._body, self._filled = name, body.strip(), body, None

    def _fill(self) -> dict:
        if self._filled is None:
            self._filled = _light_cite(self._body)
            if self._filled is None:
                plain_cite = Citation()
                fill_citation(plain_cite, mwtree.parse(self._body, skip_style_tags=True))
                self._filled = {"url": plain_cite.url, "title": plain_cite.title,
                                "date": plain_cite.date}
        return self._filled

    def _field(key: str):  # noqa: N805 - a property factory used in the class body
        def get(self):
            return self._fill()[key]

        def set_(self, value):
            self._fill()[key] = value
        return property(get, set_)

    url = _field("url")
    title = _field("title")
    date = _field("date")
    del _field

    def _plain(self) -> Citation:
        return Citation(name=self.name, url=self.url, title=self.title, date=self.date, text=self.text)

    def __eq__(self, other):
        if not isinstance(other, Citation):
            return NotImplemented
        return self._plain() == (other._plain() if isinstance(other, _LiftedCitation) else other)

    __hash__ = None

    def __repr__(self) -> str:
        return repr(self._plain())

    def __reduce_ex__(self, protocol):
        return (Citation, (self.name, self.url, self.title, self.date, self.text))


# A ref body that starts with a template whose arguments hold at most simple [[links]] and
# {{templates}} (nothing nested, no tags, comments or headings): its arguments split at the
# top-level pipes exactly as the tokenizer splits them, so the fields can be read without
# parsing (most refs are so). A link or template whose title is empty, spans lines or has a colon (a URL, an
# interwiki) may be text to the tokenizer, or an external link: those bodies are parsed.
_LINK = r"\[\[[^\[\]{}<>|\n:]*+(?<=[^\s\[|])(?:\|[^\[\]{}<>\n]*+)?\]\]"
_INNER = r"\{\{[^\[\]{}<>|\n]*+(?<=[^\s{])(?:\|[^\[\]{}<>]*+)?\}\}"
_SIMPLE_CITE = re.compile(r"\s*\{\{(\s*[^\[\]{}<>|\n]*+\s*)((?:\|(?:[^\[\]{}<>]++|"
                          + _LINK + "|" + _INNER + r")*+)?)\}\}")
_CITE_PART = re.compile(r"\|((?:[^|\[{]++|\[\[[^\]]*+\]\]|\{\{[^}]*+\}\})*+)")
# What the tokenizer would make a node of in a field read as text: brackets, braces, an entity,
# or line-start markup (a list item, a rule).
_NOT_PLAIN_FIELD = re.compile(r"[\[\]{}]|&#?\w+;|\n(?:[*#:;]|----)")
_CITE_FIELDS = {"url": "url", "chapter-url": "url", "chapterurl": "url", "title": "title",
                "date": "date"}


def _light_cite(body: str) -> dict | None:
    """fill_citation's url, title and date of a simple ref body (_SIMPLE_CITE) without parsing
    it; None when the body needs the parser (or a field holds markup)."""
    m = _SIMPLE_CITE.match(body)  # what follows the template cannot change how it parses
    if m is None:
        return None
    # A heading would hold pipes; a ";" term makes a later ":" markup, even in another argument.
    head = m.group(0)
    if "\n=" in head or "\n;" in head or _MARKS.search(head):
        return None
    fields = {"url": None, "title": None, "date": None}
    name = normalize_name(m.group(1)).lower()
    if not (name.startswith("cite") or name.startswith("citation")):
        # fill_citation goes on to the next template, if there is one
        return fields if body.find("{{", m.end()) == -1 else None
    found: dict[str, str] = {}
    for part in _CITE_PART.findall(m.group(2)):
        key, eq, value = part.partition("=")
        if eq:
            if "[[" in key or "{{" in key:  # markup in a key: the tokenizer has its own ideas
                return None
            found[normalize_param(key)] = value  # the last duplicate wins, as in Args
    for key in ("url", "chapter-url", "chapterurl", "title", "date"):
        value = found.get(key)
        if value is None:
            continue
        if _NOT_PLAIN_FIELD.search(value):
            return None
        field = _CITE_FIELDS[key]
        if fields[field] is None:
            fields[field] = clean_inline(value) or None
    return fields


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


def fill_citation(cite: Citation, code: Wikicode, refs: list[str] | None = None) -> None:
    # = code.filter_templates(recursive=False), without mwparserfromhell's filter machinery
    for t in code.nodes:
        if not isinstance(t, Template):
            continue
        name = normalize_name(mwtree.to_str(t.name)).lower()
        if name.startswith("cite") or name.startswith("citation"):
            a = Args(t, Context(refs=refs))
            cite.url = a.get("url") or a.get("chapter-url") or a.get("chapterurl") or None
            cite.title = a.get("title") or None
            cite.date = a.get("date") or None
            return


# --- entry points ------------------------------------------------------------------------------

def render_value(param: str, code: Wikicode,
                 on_infobox: Callable[[Template], None] | None = None,
                 refs: list[str] | None = None) -> Value:
    """One infobox parameter as a Value. on_infobox is called for each nested infobox template
    (which renders as ""). lost is set when the rendered text is residue (is_lost) that the raw
    wikitext did not already say as such. refs: the refs lifted out of the text the code was
    parsed from (lift_refs). Never raises on malformed wikitext."""
    nodes = code.nodes
    if len(nodes) == 1:
        (node,) = nodes
        if type(node) is Text and _MARKS.search(node.value) is None:
            # Plain text (two values in five): rendering it is clean_inline, and its text
            # cannot be residue that the raw text did not say already.
            text = clean_inline(node.value)
            return Value(param=param, raw=node.value.strip(), text=text,
                         items=[text] if text else [], links=[], coords=None, quantities=[],
                         citations=[], unknown_templates=[], lost=False)
    ctx = Context(on_infobox, refs)
    text, items = finish(ctx.render(code))
    raw = ctx.unlift(str(code).strip())
    # Residue only counts when rendering produced it: a plain "250px" is the editor's value.
    lost = is_lost(text) and text != clean_inline(raw)
    return Value(param=param, raw=raw, text=text, items=items, links=ctx.links, coords=ctx.coords,
                 quantities=ctx.quantities, citations=ctx.citations,
                 unknown_templates=ctx.unknown_templates, lost=lost)


def render_wikitext(wikitext: str, parsed: Wikicode | None = None,
                    refs: list[str] | None = None) -> str:
    """Reader text of a small wikitext snippet (one template from the prose), one line, with
    apostrophes as APOS (clean_inline turns them back). parsed: mwtree.parse(wikitext,
    skip_style_tags=True), when the caller has it already, or the tree and refs
    pipeline.wikitext.lifted.prose_tree gives."""
    ctx = Context(text_only=True, refs=refs)
    light = _light_split(wikitext)
    if light is not None:  # what rendering _light_parse's tree gives, without the tree
        text = ctx._template(*light)
    else:
        text = ctx.render(parsed if parsed is not None else mwtree.parse(wikitext, skip_style_tags=True))
    # finish(text)[0]: one item, cleaned, when nothing splits or flags it
    text = clean_inline(text) if SEP not in text and FLAG_OPEN not in text else finish(text)[0]
    # Apostrophes stay protected: the caller strips '' markup around this text later.
    return text.replace("'", APOS)


# A light snippet has none of these characters, and one "{{" and one "}}" (its own).
_NOT_LIGHT = re.compile(r"[\[\]<>&'\n]")


def _light_split(wikitext: str) -> tuple[str, None, list[tuple[str, str, bool]]] | None:
    """A one-template snippet without markup inside ({{convert|47.5|lb|kg}}) as (name, None,
    params), params as mwtree.template takes them; None for any other snippet. Even the lean
    parse costs ~30 us and the prose has dozens of these snippets."""
    if (not (wikitext.startswith("{{") and wikitext.endswith("}}")) or wikitext.count("{{") != 1
            or wikitext.count("}}") != 1 or _NOT_LIGHT.search(wikitext)):
        return None
    name, *parts = wikitext[2:-2].split("|")
    params, position = [], 0
    for part in parts:
        if "=" in part:
            key, _, val = part.partition("=")
            params.append((key, val, True))
        else:
            position += 1
            params.append((str(position), part, False))
    return name, None, params


def _light_parse(wikitext: str) -> Wikicode | None:
    """The tree of a light snippet (_light_split), built directly; None for any other."""
    light = _light_split(wikitext)
    return None if light is None else _code_of(mwtree.template(light[0], light[2]))


def _code_of(node) -> Wikicode:
    return mwtree.code([node])
