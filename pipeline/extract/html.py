"""MediaWiki's own HTML of an article (saved page, REST/Parsoid, Kiwix ZIM entry) -> Page.

What MediaWiki renders is read as a reader sees it, with what the markup says exactly that the
text does not:

- every infobox table (class ``infobox``; ``infobox-subbox`` tables nested in one become child
  boxes), its rows as Module:Infobox writes them: ``th.infobox-label`` + ``td.infobox-data``
  (older pages: ``th[scope=row]`` + ``td``), section headers (``th.infobox-header``, colspan 2),
  full-width cells;
- rows of sub-templates that Module:Infobox splices into the parent table (``child=yes`` boxes
  such as ``{{Infobox spaceflight/Dock}}``) are split off behind the header row that opens them,
  as the mapping's ``[nested.<template>.html]`` table says, so that their labels ("Landing date"
  of a lunar lander) do not overwrite the main box's;
- a label becomes the template parameter it was rendered from by the mapping's ``[html.labels]``
  table, else by MediaWiki's convention for parameter names (lower case, ``_`` for spaces);
- the hidden ISO stamps of start/end date templates (``.dtstart``, ``.dtend``) -> Value.instants;
  the geo microformat of ``{{Coord}}`` -> Value.coords (in the form it was given: the other
  form is rounded); link targets (``/wiki/T``, ``./T``, ``T``) -> Value.links; flag icons ->
  ``flag:<Country>`` links; reference marks -> citations resolved against the page's reference
  list (cells are read by pipeline.extract.html_cells);
- a row label shown twice in one box keeps its first value; the footer's "← previous | next →"
  row gives the mapping's navigation parameters; a wikitable that a nested template renders
  (``{{Spaceflight crew}}``: "Position" | crew) is read as that template;
- Parsoid's ``data-mw`` (on the transclusion's first node) gives the template name and each
  parameter's wikitext, which become the box's template and each Value's ``raw``.

Bad input is read safely: lxml's HTML parser recovers truncated or broken markup and never runs
or fetches anything; scripts, styles and hidden spans are not text; work is bounded per page
(infoboxes, rows, characters per cell and label), and every pattern runs on bounded, anchored
text. A page without an infobox gives a Page without infoboxes; the title, page id and revision
id come from the input (sidecar, archive), else from the page (`<h1>`, `<title>`, Parsoid's
`<html about>` and `mw:pageId`, a desktop page's RLCONF read as text).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from urllib.parse import unquote

from lxml import etree

from pipeline.core import names
from pipeline.core.mappings import Mapping, canonical_name, load_mappings, mapping_for
from pipeline.core.mediawiki import normalize_param
from pipeline.extract.html_cells import classes, link_target, read_cell, text_of
from pipeline.extract.text import param_name
from pipeline.records import Citation, Infobox, Page, RawInput, Section, Value

HTML_TEMPLATE = "Infobox (html)"   # an infobox table no mapping recognises and no data-mw names
MAX_BOXES = 50                     # infobox tables read per page
MAX_ROWS = 500                     # rows read per infobox table
MAX_RAW = 4_000                    # characters of a cell's HTML kept as `raw`
MAX_DATA_MW = 1_000_000            # bytes of a data-mw attribute parsed as JSON
MAX_PARAGRAPHS = 2_000             # prose paragraphs read per page

_HEAD = re.compile(r"<(!doctype\s+html|html|head|body|meta|div|section|table|main|article)\b", re.IGNORECASE)
MAX_LABEL = 200                    # characters: a longer "label" is not one (its row is skipped)
MAX_SHORT = 300                    # characters of a footer cell or title matched against patterns
_TITLE_SUFFIX = re.compile(r"\s+[-\u2013\u2014]\s+[^-\u2013\u2014]*wiki[^-\u2013\u2014]*$", re.IGNORECASE)
_REV_IN_ABOUT = re.compile(r"/revision/(\d{1,12})\b")
_RLCONF = {"rev_id": re.compile(r'"wgRevisionId"\s*:\s*(\d{1,12})\b'),
           "page_id": re.compile(r'"wgArticleId"\s*:\s*(\d{1,12})\b')}
_ARROW_PREV = re.compile(r"^\s*\u2190\s*(.+?)\s*$")
_ARROW_NEXT = re.compile(r"^\s*(.+?)\s*\u2192\s*$")


def looks_html(content: str) -> bool:
    """True when the text is an HTML document or fragment (a saved page, Parsoid or ZIM HTML):
    it starts with a doctype, an html/head/body element, or a block element, and has no
    wikitext template syntax near the top."""
    head = content[:4096].lstrip("\ufeff \t\r\n")
    while head.startswith("<!--"):         # leading comments, skipped without a regex
        end = head.find("-->")
        if end < 0:
            return False
        head = head[end + 3:].lstrip()
    m = _HEAD.match(head)
    if not m:
        return False
    start = m.group(1).lower()
    if start.startswith(("!doctype", "html", "head", "body")):
        return True
    return "{{" not in head and "</" in head


# ---------------------------------------------------------------- the mappings' HTML tables

@dataclass(frozen=True)
class _Nested:
    template: str
    header: re.Pattern
    sets: tuple[tuple[str, str], ...]
    labels: tuple[tuple[re.Pattern, str], ...]


@dataclass(frozen=True)
class _Spec:
    """A mapping's `[html]` tables, compiled: label patterns, footer, nested boxes' headers."""

    mapping: Mapping
    labels: tuple[tuple[re.Pattern, str], ...]
    navigation: dict
    nested: tuple[_Nested, ...]


def _labels(table: dict) -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(p, re.IGNORECASE), v) for p, v in table.items())


@lru_cache(maxsize=1)
def _specs() -> tuple[_Spec, ...]:
    out = []
    for m in load_mappings():
        nested = []
        for template, spec in m.nested.items():
            html_spec = spec.get("html") or {}
            for h in html_spec.get("headers", ()):
                nested.append(_Nested(template, re.compile(h["pattern"], re.IGNORECASE),
                                      tuple(sorted((h.get("set") or {}).items())),
                                      _labels(html_spec.get("labels") or {})))
        out.append(_Spec(m, _labels(m.html.get("labels") or {}), m.html.get("navigation") or {},
                         tuple(nested)))
    return tuple(out)


def _to_param(label: str, tables) -> str:
    """The parameter a row's label shows: the first table whose pattern matches the whole label,
    else MediaWiki's convention (lower case, "_" for spaces: "Launch date" -> launch_date)."""
    for table in tables:
        for pattern, param in table:
            if pattern.fullmatch(label):
                return param
    return param_name(label)


# ---------------------------------------------------------------- tables -> rows

@dataclass
class _Row:
    kind: str              # "header", "row", "full", "above"
    label: str = ""
    cell: object = None    # the data cell (td) or the header cell


def _direct_rows(table) -> list:
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("tbody", "thead", "tfoot"):
            rows.extend(c for c in child if c.tag == "tr")
        if len(rows) >= MAX_ROWS:
            break
    return rows[:MAX_ROWS]


def _rows(table) -> list[_Row]:
    out = []
    caption = table.find("caption")
    if caption is not None:
        out.append(_Row("above", read_cell(caption).text, caption))
    for tr in _direct_rows(table):
        cells = [c for c in tr if c.tag in ("th", "td")]
        if not cells:
            continue
        first = cells[0]
        cls = classes(first)
        if len(cells) >= 2 and first.tag == "th":
            out.append(_Row("row", read_cell(first).text, cells[1]))
        elif len(cells) >= 2 and "infobox-label" in cls:
            out.append(_Row("row", read_cell(first).text, cells[1]))
        elif first.tag == "th" and cls & {"infobox-above", "infobox-title"}:
            out.append(_Row("above", read_cell(first).text, first))
        elif first.tag == "th":
            out.append(_Row("header", read_cell(first).text, first))
        else:
            out.append(_Row("full", "", first))
    return out


# ---------------------------------------------------------------- Parsoid's data-mw

def _data_mw(table) -> tuple[str | None, dict[str, str]]:
    """(template name, {parameter: wikitext}) from the Parsoid transclusion that produced the
    table: data-mw sits on the transclusion's first node, the table or a node before it with the
    same `about` (often the TemplateStyles link). (None, {}) when there is none or it is junk."""
    about = table.get("about")
    node = table
    for _ in range(20):
        if node is None or not isinstance(node.tag, str):
            break
        if "mw:Transclusion" in (node.get("typeof") or "") and node.get("data-mw"):
            return _parse_data_mw(node.get("data-mw"))
        if not about:
            break
        node = node.getprevious()
        if node is not None and node.get("about") != about:
            break
    return None, {}


def _parse_data_mw(text: str) -> tuple[str | None, dict[str, str]]:
    if len(text) > MAX_DATA_MW:
        return None, {}
    try:
        data = json.loads(text)
    except ValueError:
        return None, {}
    parts = data.get("parts") if isinstance(data, dict) else None
    for part in parts if isinstance(parts, list) else ():
        tpl = part.get("template") if isinstance(part, dict) else None
        if not isinstance(tpl, dict):
            continue
        target = tpl.get("target") if isinstance(tpl.get("target"), dict) else {}
        name = target.get("wt") if isinstance(target.get("wt"), str) else None
        href = target.get("href")
        if isinstance(href, str) and "Template:" in href:
            name = unquote(href.split("Template:", 1)[1])
        if not name:
            continue
        params = {}
        raw_params = tpl.get("params") if isinstance(tpl.get("params"), dict) else {}
        for key, val in raw_params.items():
            if isinstance(val, dict) and isinstance(val.get("wt"), str):
                params[normalize_param(str(key))] = val["wt"]
        return canonical_name(name), params
    return None, {}


# ---------------------------------------------------------------- rows -> Infobox records

class _Page:
    """State of one page being read: its reference list and the boxes found so far."""

    def __init__(self, root):
        self.root = root
        self.boxes: list[Infobox] = []
        self._notes: dict[str, Citation] | None = None

    def citations(self, ids: list[str]) -> list[Citation]:
        if not ids:
            return []
        if self._notes is None:
            self._notes = {}
            for li in self.root.iterfind(".//li[@id]"):
                nid = li.get("id")
                if not nid.startswith("cite_note") or len(self._notes) >= 5000:
                    continue
                ref = next((s for s in li.iter("span") if "reference-text" in classes(s)), li)
                url = next((a.get("href") for a in ref.iter("a") if "external" in classes(a)), None)
                self._notes[nid] = Citation(name=nid, url=url, text=read_cell(ref).text[:1000])
        return [self._notes.get(i) or Citation(name=i) for i in ids]

    def value(self, param: str, cell, raw_params: dict[str, str]) -> Value:
        c = read_cell(cell)
        raw = raw_params.get(param)
        if raw is None:
            raw = etree.tostring(cell, encoding="unicode", method="html", with_tail=False)[:MAX_RAW]
        return Value(param=param, raw=raw, text=c.text, items=c.items, links=c.links, coords=c.coords,
                     citations=self.citations(c.notes), instants=c.instants)

    def add(self, template: str, parent: int | None) -> Infobox:
        box = Infobox(index=len(self.boxes), template=template, parent=parent)
        self.boxes.append(box)
        return box


def _pick(rows: list[_Row], template: str | None) -> _Spec | None:
    """The mapping a table belongs to: by data-mw's template name, else the one whose signature
    parameters its labels show most (at least 3), as for rendered text."""
    if template:
        m = mapping_for(template)
        return next((s for s in _specs() if s.mapping is m), None)
    best, hits = None, 2
    labels = [r.label for r in rows if r.kind == "row"]
    for spec in _specs():
        found = {_to_param(lbl, (spec.labels,)) for lbl in labels} & set(spec.mapping.signature)
        if len(found) > hits:
            best, hits = spec, len(found)
    return best


def _read_table(page: _Page, table, parent: int | None) -> None:
    rows = _rows(table)
    template, raw_params = _data_mw(table)
    spec = _pick(rows, template)
    name = template or (spec.mapping.template if spec else HTML_TEMPLATE)
    main = page.add(name, parent)
    main_labels = (spec.labels,) if spec else ()
    box, tables = main, main_labels
    header: str | None = None       # the last main-box header, and whether rows followed it
    header_rows = 0
    for row in rows:
        if row.kind == "header":
            row.label = row.label[:MAX_LABEL]
            nested = next(((n, n.header.fullmatch(row.label)) for n in (spec.nested if spec else ())
                           if n.header.fullmatch(row.label)), None)
            if nested:
                n, m = nested
                box = page.add(n.template, main.index)
                box.parent_param = None
                for key, val in list(m.groupdict().items()) + list(n.sets):
                    if val:
                        box.params[key] = Value(param=key, raw=row.label, text=val, items=[val])
                tables = (n.labels,) + main_labels
                header = None
            else:
                box, tables = main, main_labels
                header, header_rows = row.label, 0
            continue
        if row.kind == "row":
            if not row.label or len(row.label) > MAX_LABEL:
                continue
            param = _to_param(row.label, tables)
            if param and param not in box.params:     # a label shown twice in one box: the first
                box.params[param] = page.value(param, row.cell, raw_params if box is main else {})
            header_rows += 1
            continue
        if row.kind == "full" and spec and spec.navigation:
            _navigation(page, main, row.cell, spec.navigation, header if header_rows == 0 else None)


def _navigation(page: _Page, box: Infobox, cell, nav: dict, header: str | None) -> None:
    """The footer of a box: "← previous" and "next →" cells (and the programme header above)."""
    found = False
    for td in cell.iter("td", "th"):
        if td is cell:
            continue
        text = read_cell(td).text
        for key, rx in (("previous", _ARROW_PREV), ("next", _ARROW_NEXT)):
            m = rx.match(text) if len(text) <= MAX_SHORT else None
            param = nav.get(key)
            if m and param and param not in box.params:
                v = page.value(param, td, {})
                v.text = m.group(1)
                v.items = [m.group(1)]
                box.params[param] = v
                found = True
    if found and header and nav.get("header") and nav["header"] not in box.params:
        box.params[nav["header"]] = Value(param=nav["header"], raw=header, text=header, items=[header])


def _crew_tables(page: _Page, root) -> None:
    """Tables that a mapping's nested template renders as a wikitable (`table_header` names the
    first header cell; `columns` the parameter each cell of a row gives, {n} its row): the crew
    table of a spaceflight, so that roles reach the crew as from wikitext."""
    specs = [(template, spec["html"]) for s in _specs() for template, spec in s.mapping.nested.items()
             if isinstance(spec.get("html"), dict) and spec["html"].get("table_header")]
    if not specs:
        return
    seen = 0
    for table in root.iter("table"):
        if "wikitable" not in classes(table):
            continue
        seen += 1
        if seen > MAX_BOXES:
            return
        rows = _direct_rows(table)
        if not rows:
            continue
        head = [c for c in rows[0] if c.tag in ("th", "td")]
        if not head:
            continue
        first = read_cell(head[0]).text[:MAX_LABEL]
        for template, spec in specs:
            if not re.fullmatch(spec["table_header"], first, re.IGNORECASE):
                continue
            box = page.add(template, None)
            columns = spec.get("columns", ())
            for n, tr in enumerate(rows[1:], start=1):
                cells = [c for c in tr if c.tag in ("th", "td")]
                for name, cell in zip(columns, cells):
                    param = name.format(n=n)
                    v = page.value(param, cell, {})
                    if v.items:      # the member's name; notes below it ("Second spaceflight") are not
                        first_item = v.items[0]
                        v.links = [(lbl, tgt) for lbl, tgt in v.links if lbl in first_item or tgt.startswith("flag:")]
                        v.text, v.items = first_item, [first_item]
                    box.params[param] = v
            break


def _infobox_tables(root) -> list[tuple[object, object]]:
    """(table, enclosing infobox table or None) for every infobox table, in document order."""
    found = []
    for table in root.iter("table"):
        cls = classes(table)
        if "infobox" in cls or "infobox-subbox" in cls:
            found.append(table)
            if len(found) >= MAX_BOXES:
                break
    ids = {id(t) for t in found}
    out = []
    for t in found:
        parent = next((a for a in t.iterancestors("table") if id(a) in ids), None)
        out.append((t, parent))
    return out


# ---------------------------------------------------------------- the page

_PARSER = etree.HTMLParser(recover=True, no_network=True, remove_comments=True, remove_pis=True,
                           default_doctype=False)
_PARSER_UTF8 = etree.HTMLParser(recover=True, no_network=True, remove_comments=True, remove_pis=True,
                                default_doctype=False, encoding="utf-8")


def parse(content: str):
    """The document tree of an HTML text (lxml's HTML parser in recover mode: broken or cut
    markup is closed as a browser would; nothing is fetched or run). None for a text without
    any element."""
    if not content.strip():
        return None
    try:
        try:
            root = etree.fromstring(content, _PARSER)
        except ValueError:  # an XML declaration naming an encoding: parse the UTF-8 bytes
            root = etree.fromstring(content.encode("utf-8"), _PARSER_UTF8)
    except etree.LxmlError:
        return None
    return root


def _title(root, raw: RawInput) -> str | None:
    if raw.title:
        return raw.title
    for el in root.iter("h1"):
        if el.get("id") == "firstHeading" or "firstHeading" in classes(el):
            t = read_cell(el).text
            if t:
                return t
    el = root.find(".//title")
    if el is not None:
        t = _TITLE_SUFFIX.sub("", (text_of(el) or "").strip()[:MAX_SHORT])
        if t:
            return names.normalise_title(t) or None
    stem = PurePosixPath(raw.source.split("#", 1)[0]).name
    for suffix in (".html", ".htm", ".xhtml"):
        if stem.lower().endswith(suffix):
            return names.normalise_title(stem[: -len(suffix)]) or None
    return None


def _ids(root, raw: RawInput) -> tuple[int | None, int | None]:
    """(page id, revision id): the input's, else what the HTML states (Parsoid's
    `<html about=".../revision/N">` and `mw:pageId`; a desktop page's RLCONF, read as text)."""
    page_id, rev_id = raw.page_id, raw.rev_id
    if rev_id is None:
        m = _REV_IN_ABOUT.search(root.get("about") or "")
        rev_id = int(m.group(1)) if m else None
    if page_id is None:
        for meta in root.iter("meta"):
            if meta.get("property") == "mw:pageId" and (meta.get("content") or "").isdigit():
                page_id = int(meta.get("content"))
                break
    if page_id is None or rev_id is None:
        for script in root.iter("script"):
            text = (script.text or "")[:200_000]
            if page_id is None and (m := _RLCONF["page_id"].search(text)):
                page_id = int(m.group(1))
            if rev_id is None and (m := _RLCONF["rev_id"].search(text)):
                rev_id = int(m.group(1))
    return page_id, rev_id


def _redirect(root) -> str | None:
    for link in root.iter("link"):
        if link.get("rel") == "mw:PageProp/redirect":
            return link_target(link.get("href")) or None
    return None


def _sections(root) -> list[Section]:
    """Prose: paragraph text under each heading (the lead has heading ''); paragraphs inside
    tables, infoboxes, navboxes and reference lists are not prose."""
    sections: list[Section] = []
    heading, level, paragraphs = "", 0, []

    def flush():
        if paragraphs or heading:
            sections.append(Section(heading=heading, level=level, text="\n\n".join(paragraphs)))

    count = 0
    for el in root.iter("h2", "h3", "h4", "h5", "h6", "p"):
        if any(a.tag == "table" or classes(a) & {"reflist", "navbox", "mw-references-wrap", "hatnote"}
               for a in el.iterancestors()):
            continue
        if el.tag == "p":
            count += 1
            if count > MAX_PARAGRAPHS:
                break
            text = " ".join(read_cell(el).items)
            if text:
                paragraphs.append(text)
            continue
        flush()
        heading, level, paragraphs = read_cell(el).text, int(el.tag[1]), []
    flush()
    return sections


def extract_html(raw: RawInput) -> Page:
    """Read an article's HTML (see the module docstring). Never raises on odd markup."""
    root = parse(raw.content)
    page = Page(source=raw.source, source_format=raw.source_format, fmt="html", title=raw.title,
                page_id=raw.page_id, rev_id=raw.rev_id, rev_timestamp=raw.rev_timestamp)
    if root is None:
        return page
    page.title = _title(root, raw)
    page.page_id, page.rev_id = _ids(root, raw)
    page.redirect = _redirect(root)
    state = _Page(root)
    index_of: dict[int, int] = {}
    for table, enclosing in _infobox_tables(root):
        parent = index_of.get(id(enclosing)) if enclosing is not None else None
        index_of[id(table)] = len(state.boxes)
        _read_table(state, table, parent)
    _crew_tables(state, root)
    page.infoboxes = state.boxes
    page.sections = _sections(root)
    return page
