"""Rendered plain-text articles ("- Key: Value" infobox lines, then prose) -> Page.

The format is what a text renderer of a Wikipedia page produces (see raw/Soyuz_MS-25.txt):

    = Title =
    Caption line
    - Launch Date: UTC
    - Crew Launching: Oleg Novitsky, Maryna Vasileuskaya
    ...
    Lead paragraph.
    == Section ==
    Prose.

A label becomes the template parameter it was rendered from by MediaWiki's own convention for
parameter names: lower case, spaces as underscores ("Launch Date" -> `launch_date`). The
renderer dropped date and coordinate templates, so a value may be residue ("UTC", "()",
"frameless|100px"): such values are kept, flagged `lost`, and never read as data.

Bad input: lines that fit neither the infobox nor the heading pattern are prose; a file with
no "- Key:" lines gives a Page without infoboxes (the orchestrator then reports no_mission).
"""
from __future__ import annotations

import re

from pipeline.core.mappings import load_mappings
from pipeline.extract.joined import Evidence, fold_link_pairs, split_names, split_people
from pipeline.extract.text_table import Table, read_table, row_param, section_kind
from pipeline.extract.labels import EMPTY_BRACKETS, FOOTNOTE, SPACES, clean_text, param_name
from pipeline.wikitext.inline import is_lost
from pipeline.records import Infobox, Page, RawInput, Section, Value

# "- Label: value". Linear on any line (possessive runs, Python 3.11): no run of spaces is
# scanned twice, whatever the label and value hold. Group 1 is the label (at most 80 characters
# before the colon, less its trailing spaces), group 2 the value without its surrounding spaces;
# tests/test_hostile.py checks it against the backtracking form it replaced.
_PARAM_LINE = re.compile(r"^\s*+[-*\u2022](?:\s++(?!:)|\s+(?=\s:))([^:\n]{1,80}?)\s*+:"
                         r"(?:\s++((?:\S++|\s++(?=\S))*+))?\s*+$")
# A "== Heading ==" line, read from the stripped line: the same marks on both ends (linear:
# the greedy middle gives back at most the closing marks' length).
_HEADING = re.compile(r"(={1,6})(.*)\1")
# A coordinate pair as {{Coord}} renders it: 47°21′N 69°34′E, 47.350°N 69.567°E, 13°19′0″N 169°9′W.
_DMS = r"(\d{1,3}(?:\.\d+)?)\s*°\s*(?:(\d{1,2}(?:\.\d+)?)\s*[′']\s*)?(?:(\d{1,2}(?:\.\d+)?)\s*[″\"]\s*)?([NSEW])\b"
_COORD_PAIR = re.compile(_DMS + r"\s*,?\s*" + _DMS)
_COORD_LEFTOVER = re.compile(r"\(\s*[/;,]?\s*\)|\s+/\s+(?=\)|$)|(?<=\()\s*/\s*")
# An item of a list value rendered on its own lines below an empty "- Key:" line.
# Possessive, so a long run of spaces inside an item is scanned once (tests/test_hostile.py); an
# item of nothing but spaces is no item.
_ITEM_LINE = re.compile(r"^(\s++)[-*\u2022]\s++(\S(?:\S++|[^\S\n]++(?=\S))*+)\s*+$"
                        r"|^\s*+[-*\u2022]\s++([^:\s](?:[^:\s]++|[^\S\n]++(?=[^:\s]))*+)\s*+$")

RENDERED_TEMPLATE = "Infobox (rendered)"


def _degrees(d, m, sec, hemi) -> float:
    value = float(d) + float(m or 0) / 60 + float(sec or 0) / 3600
    return -value if hemi in "SW" else value


def split_coords(text: str) -> tuple[str, tuple[float, float] | None]:
    """Rendered {{Coord}} output out of a value: (text without it, (lat, lon) of the first pair).
    A pair whose hemispheres are not one of N/S then one of E/W, or out of range, is left alone."""
    found = None
    for m in _COORD_PAIR.finditer(text):
        g = m.groups()
        if g[3] in "NS" and g[7] in "EW":
            lat, lon = _degrees(*g[:4]), _degrees(*g[4:])
            if abs(lat) <= 90 and abs(lon) <= 180:
                found = found or (round(lat, 6), round(lon, 6))
                text = text.replace(m.group(0), " ")
    if found:
        text = _COORD_LEFTOVER.sub("", text)
        text = EMPTY_BRACKETS.sub("", SPACES.sub(" ", text)).strip(" ,;/")
    return text, found


def looks_rendered(content: str) -> bool:
    """True when the text has the rendered-infobox shape: at least two "- Key: Value" lines
    near the top and no wikitext template syntax at line starts."""
    head = content[:20000].splitlines()[:400]
    params = sum(1 for line in head if _PARAM_LINE.match(line))
    wiki = sum(1 for line in head if line.lstrip().startswith(("{{", "|", "}}")))
    return params >= 2 and params > wiki


def extract_text(raw: RawInput) -> Page:
    """Parse a rendered plain-text article. Never raises on odd text."""
    lines = raw.content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title = raw.title
    start = 0
    # A level-1 heading on the first non-blank line is the page title.
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = _HEADING.fullmatch(line.strip())
        if m and len(m.group(1)) == 1:
            title = title or clean_text(m.group(2).strip()) or None
            start = i + 1
        break

    params: dict[str, Value] = {}
    body: list[str] = []
    param_rows: list[int] = []
    in_prose = False
    before = 0                        # non-blank lines before the infobox block
    listing: Value | None = None      # a "- Key:" with no value: its items follow, one a line
    for i in range(start, len(lines)):
        line = lines[i]
        if not in_prose:
            item = _ITEM_LINE.match(line) if listing is not None else None
            if item and not _PARAM_LINE.match(line.strip() if item.group(1) else line):
                _add_item(listing, item.group(2) or item.group(3))
                continue
            m = _PARAM_LINE.match(line)
            if m and _HEADING.fullmatch(line.strip()) is None:
                name = param_name(m.group(1))
                if name:
                    raw_value = m.group(2) or ""
                    text, coords = split_coords(clean_text(raw_value))
                    lost = bool(raw_value.strip()) and is_lost(raw_value)
                    params[name] = Value(
                        param=name, raw=raw_value.strip(), text="" if lost else text,
                        items=[text] if text and not lost else [], lost=lost, coords=coords)
                    listing = params[name] if not raw_value.strip() else None
                    param_rows.append(i)
                    continue
            if _HEADING.fullmatch(line.strip()):
                in_prose = True
        body.append(line)
        if line.strip() and not _PARAM_LINE.match(line):
            # The first prose line after the infobox block ends the block; before it only a
            # caption may stand (one or two short lines): "- Apogee:" lists further down a
            # page that has no infobox block are prose.
            before += 1
            if param_rows or before > 2 or len(line) > 80 or (
                    line.rstrip().endswith(".") and len(line.split()) > 5):
                in_prose = True

    if param_rows:
        caption = _caption(lines, start, param_rows[0])
        title = title or caption
        body = _drop_caption(body, caption)
    if not params:
        table = read_table(lines[start:])
        if table is not None:
            return _table_page(raw, title, table)
    sections = _sections(body)
    read_joined(params, sections)
    infoboxes = [Infobox(index=0, template=RENDERED_TEMPLATE, params=params)] if params else []
    return Page(
        source=raw.source, source_format=raw.source_format, fmt="text", title=title,
        infoboxes=infoboxes, sections=sections, page_id=raw.page_id,
        rev_id=raw.rev_id, rev_timestamp=raw.rev_timestamp)


def _table_page(raw: RawInput, title: str | None, table: Table) -> Page:
    """A Page from the two-column table form (see pipeline.extract.text_table)."""
    main: dict[str, Value] = {}
    boxes = [Infobox(index=0, template=RENDERED_TEMPLATE, params=main)]
    for section in table.sections:
        kind, target = section_kind(section.header)
        if kind == "main":
            params = main
        else:
            template = {"dock": "Infobox spaceflight/Dock", "ip": "Infobox spaceflight/IP"}.get(
                kind, f"{RENDERED_TEMPLATE}/{section.header}")
            params = {}
            if target:
                key = "docking_target" if kind == "dock" else "object"
                params[key] = _table_value(key, [target])
            boxes.append(Infobox(index=len(boxes), template=template, params=params, parent=0,
                                 parent_param=section.header))
        last = {}                      # the last row of a name wins, as in MediaWiki
        for row in section.rows:
            name = row_param(kind, section.header, row.label)
            if name:
                last[name] = row
        for name, row in last.items():
            params[name] = _table_value(name, row.lines)
    sections = _sections(table.prose)
    read_joined(main, sections, captions=table.captions)
    return Page(
        source=raw.source, source_format=raw.source_format, fmt="text", title=title,
        infoboxes=boxes, sections=sections, page_id=raw.page_id, rev_id=raw.rev_id,
        rev_timestamp=raw.rev_timestamp)


def _table_value(name: str, lines: list[str]) -> Value:
    raw_value = "\n".join(lines).strip()
    lost = bool(raw_value) and is_lost(FOOTNOTE.sub("", raw_value))
    items, coords = [], None
    for line in lines:
        text, found = split_coords(clean_text(line))
        coords = coords or found
        if text:
            items.append(text)
    if lost:
        items = []
    return Value(param=name, raw=raw_value, text=", ".join(items), items=items, lost=lost,
                 coords=coords)


def _list_params() -> tuple[frozenset[str], frozenset[str]]:
    """(crew parameters, list-of-names parameters) of every mapping: the mappings say which
    parameters list people and which list names."""
    crew, names = set(), set()
    for m in load_mappings():
        for leg in ("launch", "landing", "both"):
            crew.update(m.crew.get(leg, ()))
        names.update(p for c in m.columns if c.parser == "list" for p in c.params)
    return frozenset(crew), frozenset(names)


# Items of a rendered list; "Bernard Harris, Jr." is one name (the comma before a suffix stays).
_LIST_COMMA = re.compile(r"\s*[,;](?!\s*(?:Jr|Sr)\b|\s*I{2,3}\b|\s*IV\b)\s*")
_SUFFIX_COMMA = re.compile(r",\s*(?=(?:Jr|Sr)\b|I{2,3}\b|IV\b)")


def read_joined(params: dict[str, Value], sections: list[Section], captions=()) -> None:
    """Take apart the list values a renderer joined (see pipeline.extract.joined), in place:
    crew values become one item per person (link target/label pairs become links), lists of
    names one item per name; each decision is noted on the Value."""
    crew, names = _list_params()
    prose = "\n".join(s.text for s in sections)
    evidence = Evidence()
    evidence.add_text(prose)
    for name, value in params.items():
        if "caption" in name and value.text:
            evidence.add_text(value.text, caption=True)
    for caption in captions:
        evidence.add_text(caption, caption=True)
    for name in crew & params.keys():
        for item in _LIST_COMMA.split(params[name].text):
            if len(item.split()) <= 3:
                evidence.add_text(item)
    for name in sorted(crew & params.keys()):
        _read_people(params[name], evidence)
    for name in sorted(names & params.keys()):
        value = params[name]
        if value.lost or len(value.items) != 1:
            continue
        items, how = split_names(value.items[0], prose)
        if how:
            value.items = items
            value.notes.append(f"{how}: {' | '.join(items)}")


def _read_people(value: Value, evidence: Evidence) -> None:
    if value.lost or not value.text:
        return
    items = [i for text in (value.items or [value.text]) for i in _LIST_COMMA.split(text) if i]
    items, links = fold_link_pairs(items)
    if links:
        value.links.extend(links)
        value.notes.append("link target and label both rendered: " + "; ".join(
            f"{label} -> {target}" for label, target in links))
    people: list[str] = []
    for item in items:
        # the mapper reads commas as separators: "Bernard Harris, Jr." -> "Bernard Harris Jr."
        split, how = split_people(_SUFFIX_COMMA.sub(" ", item), evidence)
        people.extend(split)
        if how:
            value.notes.append(f"{item!r} split by {how}: {' | '.join(split)}"
                               if len(split) > 1 or not how.startswith("not") else f"{item!r} {how}")
    if len(people) > len(items):      # a joined run may hold target/label pairs too
        people, more = fold_link_pairs(people)
        if more:
            value.links.extend(more)
            value.notes.append("link target and label both rendered: " + "; ".join(
                f"{label} -> {target}" for label, target in more))
    value.items = people
    value.text = ", ".join(people)


def _add_item(value: Value, item: str) -> None:
    """An item rendered on its own line below an empty "- Crew Members:" line."""
    text = clean_text(item)
    if not text or is_lost(item):
        return
    value.items.append(text)
    value.text = ", ".join(value.items)
    value.raw = (value.raw + "\n" if value.raw else "") + item.strip()


def _caption(lines: list[str], start: int, first_param: int) -> str | None:
    """The one short line just above the "- Key:" block: the infobox caption, which renderers
    take from the page name. It names the page when no "= Title =" line does."""
    caption = [ln for ln in lines[start:first_param] if ln.strip()]
    if len(caption) == 1 and len(caption[0]) <= 120:
        return clean_text(caption[0]) or None
    return None


def _drop_caption(body: list[str], caption: str | None) -> list[str]:
    """The caption is not prose."""
    if caption:
        for j, ln in enumerate(body):
            if clean_text(ln) == caption:
                return body[:j] + body[j + 1:]
    return body


def _sections(lines: list[str]) -> list[Section]:
    sections: list[Section] = []
    heading, level, buf = "", 0, []

    def flush():
        paragraphs, para = [], []
        for ln in buf + [""]:
            if ln.strip():
                para.append(FOOTNOTE.sub("", ln.strip()))
            elif para:
                paragraphs.append(" ".join(para))
                para = []
        text = "\n\n".join(paragraphs)
        if text or heading:
            sections.append(Section(heading=heading, level=level, text=text))

    for line in lines:
        m = _HEADING.fullmatch(line.strip())
        if m and len(m.group(1)) >= 2:
            flush()
            heading, level, buf = clean_text(m.group(2).strip()), len(m.group(1)), []
        else:
            buf.append(line)
    flush()
    return sections
