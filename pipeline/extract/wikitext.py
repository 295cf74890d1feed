"""Wikitext article -> Page: every infobox with typed Values, and the prose as plain sections.

Only the infobox spans (found by pipeline.wikitext.scan's linear scanner) are parsed with
mwparserfromhell (its tokenizer, with the lean tree builder of pipeline.wikitext.tree); the
prose is flattened with a cheap scan (templates dropped unless a renderer in
pipeline.wikitext.render turns them into text, refs/comments/tables/files removed).

Conventions the transform stage relies on:

* Infobox.template is the canonical name (MediaWiki normalisation plus locate.ALIASES, so
  "Template:Infobox_Space mission" is "Infobox spaceflight"). Every template whose name starts
  with "Infobox" is a box, at any depth: a box inside a parameter value (``| docking =
  {{Infobox spaceflight/Dock ...}}``) is its own Infobox with parent/parent_param set, and the
  parent's Value keeps whatever text remains (usually ""). Indexes follow document order, a
  parent before its children.
* Parameter names: comments dropped, trimmed, lower case, spaces as "_"; positional ones keep
  their number ("1"); the last duplicate wins.
* Flags / nationality: every flag template ({{flagicon|USA}}, {{flag|Belarus}}, {{flagcountry}},
  {{flagu}}, {{flagdeco}}) is recorded as a link ``(country, "flag:" + country)`` at its place
  in Value.links, i.e. just before the link of the person or thing it stands beside; the
  country is the template's first argument as written (a code such as "USA" is not expanded).
  In the text, flagicon/flagdeco never show; {{flag}}-style templates show the country only
  when nothing else shares their list item ("{{flag|Canada}}" -> "Canada", but
  "{{flag|Belarus}} [[Maryna Vasileuskaya]]" -> "Maryna Vasileuskaya"), so crew items stay
  person names.
* Dates: see pipeline.wikitext.render ("July 16, 1969, 13:32:00 UTC", or day-first "16 July
  1969, ..." with df=y or day-first input; offsets as "UTC-04:00"), readable by
  pipeline.core.instants.parse_instant. {{convert}}: the metric number and symbol without
  thousands separators ("45702 kg"); Value.quantities holds the stated number and unit and the
  metric value shown (Quantity(100756, "lb", 45702.15..., "kg"); a metric input converts to
  itself).
* Value.lost: the rendered text is residue (render.is_lost) that the raw value did not already
  say as such, e.g. a template that rendered to a bare "UTC"; a plain "250px" is not lost.
* Citations: ``<ref>``s and sfn/efn/refn leave the text and go to Value.citations (name, and
  url/title/date of the first cite template; Citation.text is the ref's wikitext). A reused
  ``<ref name="x" />`` is filled from the page's definition of that name when there is one.
* Unknown templates (no renderer) render "" (their arguments are not guessed at) and are
  listed in Value.unknown_templates; maintenance tags ({{citation needed}}, {{anchor}}, ...)
  render "" without being listed.
* Prose: the lead is Section("", 0, ...) when it has text; each heading gives a Section with its
  level (the number of "="). Templates render only when render.py has a renderer (convert,
  dates, nowrap, lang, ships, ...); everything else (navboxes, {{Spaceflight crew}}, {{age}})
  is dropped, as are refs, comments, tables, files, categories and interwiki links.
  Page.sections is a LazySections: the page past its infoboxes is scanned and split into
  sections when the list is first used, and each section's text when it is first read (the
  same text either way).
* Coordinates of other bodies ({{Lunar coords ...}}) render "" and leave Value.coords empty.

Bad input never raises: broken markup gives partial text, an infobox mwparserfromhell cannot
read as a template gives an Infobox without params, a page without infoboxes gives [].
"""
from __future__ import annotations

import html
import re

from mwparserfromhell.nodes import Template
from mwparserfromhell.wikicode import Wikicode

from pipeline.wikitext import tree as mwtree
from pipeline.wikitext.scan import (Scan, box_scan, canonical_name, find_infoboxes,
                                     in_comment, scan, template_name_at)
from pipeline.core.mediawiki import LITERAL_TAGS, is_text_link, link_target, normalize_param
from pipeline.wikitext.inline import APOS, clean_inline
from pipeline.wikitext.refs import lift_refs
from pipeline.wikitext.lifted import prose_tree
from pipeline.wikitext.render import (citation_from_ref, plain_ref_citation, render_value,
                                      render_wikitext)
from pipeline.wikitext.templates import is_silent, renderer_for, shows_first_arg
from pipeline.records import Citation, Infobox, Page, RawInput, Section

# "#REDIRECT" in the languages of the corpus and the largest wikis (MediaWiki's
# languages/messages/Messages*.php, magic word "redirect").
_REDIRECT = re.compile(
    r"^\s*#\s*(?:REDIRECT|WEITERLEITUNG|REDIRECTION|RENVOI|REDIRECCIÓN|RINVIA|RINVIO|"
    r"DOORVERWIJZING|PRZEKIERUJ|ПЕРЕНАПРАВЛЕНИЕ|ПЕРЕНАПР|REDIRECIONAMENTO|"
    r"転送|リダイレクト|"
    r"重定向|OMDIRIGERING|YÖNLENDİRME)\s*:?\s*\[\[([^\[\]|\n]+)", re.IGNORECASE)


def extract_wikitext(raw: RawInput) -> Page:
    """Parse one wikitext input into a Page (title, redirect, infoboxes, prose sections).

    Title: raw.title, else the text of the first infobox's `name`, else None. A redirect page
    gets Page.redirect and no sections. Malformed wikitext never raises.
    """
    text = raw.content.replace("\x00", "") if raw.content else ""
    page = Page(source=raw.source, source_format=raw.source_format, fmt=raw.fmt, title=raw.title,
                page_id=raw.page_id, rev_id=raw.rev_id, rev_timestamp=raw.rev_timestamp)
    m = _REDIRECT.match(text)
    if m:
        page.redirect = link_target(m.group(1)) or None
    sc = box_scan(text)  # the rest of the page is scanned when the prose is first read
    page.infoboxes = extract_infoboxes(text, sc)
    if page.title is None:
        # "name" in today's infoboxes; older spaceflight boxes used "mission_name"
        page.title = next((b.params[k].text for b in page.infoboxes if b.parent is None
                           for k in ("name", "mission_name") if k in b.params and b.params[k].text), None)
    if page.redirect is None:
        page.sections = LazySections(lambda: extract_sections(text, sc))
    return page


def extract_infoboxes(text: str, sc: Scan | None = None) -> list[Infobox]:
    """All infoboxes of a page, nested ones included, in document order (see module doc).
    sc is the page's scan() when the caller has it already."""
    sc = sc or box_scan(text)
    boxes: list[Infobox] = []
    for start, end, name in find_infoboxes(text, sc):
        # refs leave the text before it is parsed; see render.lift_refs
        box_text, refs = lift_refs(text[start:end])
        code = mwtree.parse(box_text, skip_style_tags=True)
        templates = [n for n in code.nodes if isinstance(n, Template)]
        if templates:
            _add_box(templates[0], boxes, None, None, refs)
        else:
            boxes.append(Infobox(index=len(boxes), template=name))
    _resolve_citations(boxes, text)
    return boxes


def _add_box(t: Template, boxes: list[Infobox], parent: int | None,
             parent_param: str | None, refs: list[str] | None = None) -> None:
    box = Infobox(index=len(boxes), template=canonical_name(mwtree.to_str(t.name)), parent=parent,
                  parent_param=parent_param)
    boxes.append(box)
    for p in t.params:
        name = normalize_param(mwtree.to_str(p.name))

        def nested(child: Template, name: str = name) -> None:
            _add_box(child, boxes, box.index, name, refs)

        box.params.pop(name, None)  # the last duplicate wins, and sits at its own position
        box.params[name] = render_value(name, p.value, on_infobox=nested, refs=refs)


_REF_NAME = re.compile(r"""<ref\s[^>]*?\bname\s*=\s*["']?([^"'>/]+)""", re.I)
_REF_CLOSE = re.compile(r"</ref\s*>", re.I)


def _resolve_citations(boxes: list[Infobox], text: str) -> None:
    """Fill reused refs (<ref name="x" />) from the definition of x in the boxes or the page:
    the first <ref name="x">...</ref> of the page that is not inside a comment, wherever it
    is (in the prose, in a template, or list-defined in {{reflist|refs=}} or <references>)."""
    wanted: list[Citation] = []
    known: dict[str, Citation] = {}
    for box in boxes:
        for value in box.params.values():
            for cite in value.citations:
                if cite.name and not cite.text:
                    wanted.append(cite)
                elif cite.name and cite.text:
                    known.setdefault(cite.name, cite)
    missing = {c.name for c in wanted if c.name not in known}
    for m in _REF_NAME.finditer(text) if missing else ():
        if m.group(1).strip() not in missing:
            continue
        opened = text.find(">", m.end())
        if opened == -1:
            break
        if text[opened - 1] == "/":  # another reuse
            continue
        close = _REF_CLOSE.search(text, opened)
        if close is None:
            break
        if in_comment(text, m.start()):
            continue
        source = text[m.start():close.end()]
        cite = plain_ref_citation(source)
        if cite is not None:
            defined = [cite]
        else:
            defined = [citation_from_ref(node) for node in mwtree.parse(source).nodes
                       if getattr(node, "tag", None) == "ref" and node.contents is not None]
        for cite in defined:
            if cite.name in missing:
                known[cite.name] = cite
                missing.discard(cite.name)
        if not missing:
            break
    for cite in wanted:
        source = known.get(cite.name or "")
        if source is not None:
            cite.url, cite.title, cite.date = source.url, source.title, source.date


# --- prose ---------------------------------------------------------------------------------------

# A "== Heading ==" line (matched against the line without trailing spaces): the same marks on
# both ends; greedy, so a long line is scanned in linear time.
_HEADING = re.compile(r"(={1,6})(.+)\1")
# Possessive where a run cannot usefully give back (what follows it cannot start inside it):
# the same matches, without trying every split of a long run of spaces between two of them.
_EXTERNAL = re.compile(r"\[(?:https?:|ftp:|//|mailto:)[^\s\]]*+(?:\s++([^\]\n]*+))?\]", re.I)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]{0,500})?/?>")
_BR = re.compile(r"<\s*+/?\s*+br\s*+/?\s*+>", re.I)
_APOS_ENTITY = re.compile(r"&(?:#0*39;|apos;|#x0*27;)", re.I)  # "&" first: the engine skips to it
_MAGIC = re.compile(r"__[A-Z]+__")
_LIST_MARK = re.compile(r"[*#:;]+\s*")
_LIST_FIRST = "*#:;"


# What a line must start with for lstrip(" :") to change it or leave a placeholder first, and
# for it to be able to open or close a table (a non-empty string: "" is in none of them).
_LINE_LEADS = frozenset(" :" + "\ue010")
_TABLE_LEADS = frozenset(" :{|")


def extract_sections(text: str, sc: Scan | None = None) -> list[Section]:
    """Prose as sections: the lead (heading "", level 0) when it has text, then every heading
    with its level (number of "=") and plain text. Paragraphs are separated by a blank line;
    list items stay on their own lines. Broken markup gives partial text, never an exception.

    The headings are found at once; the text of a section other than the lead is made when it
    is first read (most pages of a dump are never read past their infoboxes), and is the same
    text either way."""
    sc = sc.whole() if sc is not None else scan(text)
    pending = _Pending(text)
    flat = _flatten(text, sc, pending if pending.active else None)
    lines = flat.split("\n")
    if pending.spans:
        for i, line in enumerate(lines):
            # A template rendered at the start of a line can make it a heading or a table
            # border, so those lines are rendered now, unless the template's text is known to
            # start with a letter (a {{quote}} of prose). (A line led by any other character
            # is left as it is: lstrip(" :") keeps it whole.)
            first = line[:1]
            if first == "=" or (first in _LINE_LEADS and line.lstrip(" :")[:1] == _MARK_OPEN
                                and not pending.starts_with_letter(line.lstrip(" :"))):
                lines[i] = pending.fill(line)
    sections: list[Section] = []
    heading, level, body = "", 0, []
    for line in _drop_tables(lines) + ["== =="]:
        m = _HEADING.fullmatch(line.rstrip()) if line[:1] == "=" else None
        if not m:
            body.append(line)
            continue
        if level:
            sections.append(_LazySection(heading, level, make=_section_text(pending, body)))
        else:  # the lead is listed only when it has text, so it is made now
            section_text = _prose(pending.fill("\n".join(body)))
            if section_text:
                sections.append(Section(heading=heading, level=level, text=section_text))
        heading, level, body = clean_inline(_inline(m.group(2))), len(m.group(1)), []
    return sections


class LazySections(list):
    """A page's sections, found when the list is first used: the transform stage reads no
    prose, and most pages of a dump have no mission, so most pages never need it. It is a
    list in every way (compares, prints, pickles and copies as the plain list it stands for)."""

    __slots__ = ("_make",)

    def __init__(self, make=None) -> None:
        super().__init__()
        if make is not None and not callable(make):  # LazySections(iterable), as for a list
            list.extend(self, make)
            make = None
        self._make = make

    def _fill(self) -> None:
        make = self._make
        if make is not None:
            self._make = None
            list.extend(self, make())

    def __reduce_ex__(self, protocol):
        self._fill()
        return (list, (list(list.__iter__(self)),))

    def __copy__(self) -> list:
        self._fill()
        return list(list.__iter__(self))


def _filled(method):
    def call(self, *args, **kwargs):
        self._fill()
        return method(self, *args, **kwargs)
    call.__name__ = method.__name__
    return call


for _name in ("__iter__", "__len__", "__getitem__", "__contains__", "__eq__", "__ne__",
              "__lt__", "__le__", "__gt__", "__ge__", "__repr__", "__reversed__", "__add__",
              "__mul__", "__rmul__", "__iadd__", "__imul__", "__setitem__", "__delitem__",
              "index", "count", "copy", "append", "extend", "insert", "pop", "remove", "clear",
              "sort", "reverse"):
    setattr(LazySections, _name, _filled(getattr(list, _name)))
del _name


def _section_text(pending: _Pending, body: list[str]):
    return lambda: _prose(pending.fill("\n".join(body)))


class _LazySection(Section):
    """A Section whose text is made on first read. It compares, prints and pickles as the
    plain Section it stands for."""

    def __init__(self, heading: str, level: int, text: str | None = None, make=None) -> None:
        self.heading, self.level = heading, level
        self._text, self._make = text, make

    @property
    def text(self) -> str:
        if self._make is not None:
            self._text, self._make = self._make(), None
        return self._text or ""

    @text.setter
    def text(self, value: str) -> None:
        self._text, self._make = value, None

    def __eq__(self, other):
        if not isinstance(other, Section):
            return NotImplemented
        return (self.heading, self.level, self.text) == (other.heading, other.level, other.text)

    __hash__ = None

    def __reduce__(self):
        return (Section, (self.heading, self.level, self.text))


# What the first argument of a template whose text is that argument ({{quote}}, {{nowrap}},
# ...: templates.shows_first_arg) must start with for the rendered text to start with a letter:
# quote marks are stripped by clean_inline, a letter or digit survives it as the first character.
_LETTER_FIRST = re.compile(r"""['"]*[^\W_]""")

# Placeholders for prose templates not rendered yet: \ue010<index>\ue011.
_MARK_OPEN, _MARK_CLOSE = "\ue010", "\ue011"
_MARK = re.compile("\ue010(\\d+)\ue011")


class _Pending:
    """The prose templates of one page that have a renderer, rendered on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] = []
        self.done: dict[int, str] = {}
        self.by_source: dict[str, str] = {}
        # trees (and lifted refs) made by starts_with_letter: lifted.prose_tree
        self.parsed: dict[int, tuple[Wikicode, list[str] | None]] = {}
        self.names: dict[int, str] = {}  # template names found by starts_with_letter
        # A page that has the placeholder characters itself is rendered at once instead.
        self.active = _MARK_OPEN not in text and _MARK_CLOSE not in text

    def add(self, start: int, end: int) -> str:
        self.spans.append((start, end))
        return f"{_MARK_OPEN}{len(self.spans) - 1}{_MARK_CLOSE}"

    def starts_with_letter(self, s: str) -> bool:
        """True when s starts with a placeholder whose template will render text that starts
        with a letter or digit (quotes before it allowed): a {{quote}}-like template (its first
        positional argument is its text) whose first argument starts so."""
        m = _MARK.match(s)
        if m is None:
            return False
        i = int(m.group(1))
        start, end = self.spans[i]
        name = self.names[i] = template_name_at(self.text, start, end)
        if not shows_first_arg(renderer_for(name)):
            return False
        # The template's tree, kept for rendering it (a {{quote}} is long: one tokenizing
        # instead of one here and one again in render_wikitext).
        source = self.text[start:end]
        try:
            # (refs lifted out when that renders the same: a ref's mark is no letter either)
            code, _ = self.parsed[i] = prose_tree(source)
            head = mwtree.first_argument_text(code)
        except Exception:  # what first_argument_head does when the tokenizer fails
            head = mwtree.first_argument_head(source)
        return head is not None and _LETTER_FIRST.match(head) is not None

    def fill(self, s: str) -> str:
        return _MARK.sub(self._one, s) if self.active and _MARK_OPEN in s else s

    def _one(self, m: re.Match) -> str:
        i = int(m.group(1))
        out = self.done.get(i)
        if out is None:
            start, end = self.spans[i]
            # The same template written again on the page ({{'s}}) renders the same text.
            source = self.text[start:end]
            out = self.by_source.get(source)
            if out is None:
                out = self.by_source[source] = _render_prose_template(
                    self.text, start, end, self.parsed.get(i), self.names.get(i))
            self.done[i] = out
        return out


def _render_prose_template(text: str, start: int, end: int,
                           parsed: tuple[Wikicode, list[str] | None] | None = None,
                           name: str | None = None) -> str:
    """A template of the prose as text: rendered when it has a renderer that shows text, else
    dropped (infoboxes, navboxes, citations, coordinates...). parsed: its lifted.prose_tree,
    and name: its template_name_at, when made."""
    if name is None:
        name = template_name_at(text, start, end)
    fn = renderer_for(name) if name and not name.startswith("Infobox") else None
    # A template whose render is side results only is not worth a parse in the prose.
    if fn is not None and not is_silent(fn):
        source = text[start:end]
        if parsed is None and shows_first_arg(fn) and "<ref" in source:
            parsed = prose_tree(source)
        return render_wikitext(source, *parsed) if parsed is not None else render_wikitext(source)
    return ""


def _flatten(text: str, sc: Scan, pending: _Pending | None = None) -> str:
    """Templates rendered (or, with pending, replaced by placeholders) or dropped; comments,
    refs and other extension tags removed."""
    spans = sorted([(s, e, "template") for s, e in sc.templates] + sc.opaque)
    out, pos = [], 0
    for start, end, kind in spans:
        if start < pos:
            continue
        out.append(text[pos:start])
        if kind == "template":
            # With pending, even the name is looked at only when the text is needed.
            out.append(pending.add(start, end) if pending is not None
                       else _render_prose_template(text, start, end))
        elif kind in LITERAL_TAGS:
            inner = re.sub(r"^<[^>]*>|</[^>]*>$", "", text[start:end])
            out.append(html.escape(inner, quote=False).replace("[", "&#91;").replace("{", "&#123;"))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _drop_tables(lines: list[str]) -> list[str]:
    out, depth = [], 0
    for line in lines:
        if line[:1] not in _TABLE_LEADS:  # (lstrip(" :") keeps it whole: no "{|" or "|}")
            if not depth:
                out.append(line)
            continue
        stripped = line.lstrip(" :")
        if stripped.startswith("{|"):
            depth += 1
        elif depth and stripped.startswith("|}"):
            depth -= 1
        elif not depth:
            out.append(line)
    return out


_ITEM = "\ue003"  # marks a list-item line through the cleanup


def _prose(body: str) -> str:
    """Paragraphs separated by a blank line; lines of a paragraph joined, list items kept on
    their own lines."""
    lines = [_ITEM + line[_LIST_MARK.match(line).end():] if line and line[0] in _LIST_FIRST else line
             for line in _inline(body).split("\n")]
    paragraphs: list[list[str]] = []
    current: list[str] = []
    after_item = False
    for line in clean_inline("\n".join(lines), keep_lines=True).split("\n"):
        is_item = line.startswith(_ITEM)
        text = line.lstrip(_ITEM + " ,;") if is_item else line
        if not line:
            if current:
                paragraphs.append(current)
            current, after_item = [], False
        elif text:
            if is_item or after_item or not current:
                current.append(text)
            else:
                current[-1] += " " + text
            after_item = is_item
    if current:
        paragraphs.append(current)
    return "\n\n".join("\n".join(p) for p in paragraphs)


def _inline(s: str) -> str:
    """Links to labels (files, categories, interwiki removed), external links to their label,
    HTML tags stripped, entities decoded. Newlines are kept."""
    s = _links(s)
    # Each pattern only where the character it starts with is (a regex pass over the whole
    # section costs far more than str.find).
    if "[" in s:
        s = _external_links(s)
    if "<" in s:
        s = _TAG.sub("", _BR.sub(" ", s))
    if "__" in s:
        s = _MAGIC.sub("", s)
    if "&" in s:
        # Every "&" that of a "&nbsp;" (the commonest by far): html.unescape makes each one
        # "\u00a0" and _APOS_ENTITY finds nothing, so one replace does it all.
        if s.count("&") == s.count("&nbsp;"):
            return s.replace("&nbsp;", "\u00a0")
        s = html.unescape(_APOS_ENTITY.sub(APOS, s))
    return s


# _EXTERNAL's parts, for _external_links.
_EXTERNAL_OPEN = re.compile(r"\[(?:https?:|ftp:|//|mailto:)", re.I)
_URL_STOP = re.compile(r"[\s\]]")
_SPACE_RUN = re.compile(r"\s+")
_LABEL_STOP = re.compile(r"[\]\n]")


def _external_links(s: str) -> str:
    """_EXTERNAL.sub(label or "", s), in linear time. The regex alone reads the rest of the line
    again from every "[http:" that is never closed ("[http:x a " ten thousand times: seconds);
    here each part of a match ends where the first character that stops it is, and that place
    is kept: the next opening looked at lies further on, so where it ends is the same place
    while the opening is still before it."""
    out, pos, at, n = [], 0, 0, len(s)
    url_end = space_from = space_end = label_end = -1
    while (m := _EXTERNAL_OPEN.search(s, at)) is not None:
        if m.end() > url_end:
            stop = _URL_STOP.search(s, m.end())
            url_end = stop.start() if stop else n
        end = label = None
        if url_end < n and s[url_end] == "]":
            end = url_end + 1
        elif url_end < n:  # a space: the label runs to the next "]" (a line break ends it)
            if url_end != space_from:
                space_from, space_end = url_end, _SPACE_RUN.match(s, url_end).end()
            if space_end > label_end:
                stop = _LABEL_STOP.search(s, space_end)
                label_end = stop.start() if stop else n
            if label_end < n and s[label_end] == "]":
                end, label = label_end + 1, s[space_end:label_end]
        if end is None:
            at = m.start() + 1
            continue
        out.append(s[pos:m.start()])
        out.append(label or "")
        pos = at = end
    if not out:
        return s
    out.append(s[pos:])
    return "".join(out)


# _links reads the tokens "[[" and "]]" (leftmost, not overlapping) with a stack. Outside every
# link a "]]" changes nothing, and no "]]" token can hide part of a "[[" (it holds no "["), so
# the next token that matters there is the next "[[". A link that holds no bracket ("[[a|b]]",
# nearly all of them) is its "[[" and "]]" tokens with nothing between, so it is read as one:
# _LINK_OR_OPEN finds each such link, or the next "[[" that starts none, in one search.
_LINK_OR_OPEN = re.compile(r"\[\[([^\[\]]*+)\]\]|\[\[")
_LINK_TOKEN = re.compile(r"\[\[([^\[\]]*+)\]\]|\[\[|\]\]")


def _links(s: str) -> str:
    """Replace top-level [[...]] by their label in one linear pass; unclosed [[ stays literal."""
    if "[[" not in s:
        return s
    out, pos = [], 0
    append = out.append
    while True:
        for m in _LINK_OR_OPEN.finditer(s, pos):
            inner = m.group(1)
            if inner is None:  # a "[[" that starts no simple link
                break
            append(s[pos:m.start()])
            if ":" in inner:
                append(_label(inner))
            else:  # _label's answer when the target has no ":" (nor, here, the label a "[[")
                target, bar, label = inner.partition("|")
                append(label if bar else target.replace("_", " "))
            pos = m.end()
        else:
            break
        # a link with links inside, or an unclosed "[[": the stack from here
        at = m.start()
        stack = [at]
        for m in _LINK_TOKEN.finditer(s, at + 2):
            if m.group(1) is not None:  # a "[[" and its "]]" inside: no change
                continue
            if m.group(0) == "[[":
                stack.append(m.start())
                continue
            start = stack.pop()
            if not stack:
                append(s[pos:start])
                append(_label(s[start + 2:m.start()]))
                pos = m.end()
                break
        else:  # never closed: the rest is literal
            break
    append(s[pos:])
    return "".join(out)


def _label(inner: str) -> str:
    target, _, label = inner.partition("|")
    if ":" in target and not is_text_link(target):  # (without a colon, every link is text)
        return ""
    if "[[" in label:
        label = _links(label)
    return label if _ else target.lstrip(":").replace("_", " ")
