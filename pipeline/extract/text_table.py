"""Rendered articles whose infobox is a two-column text table (Markdown-like), as other tools
write Wikipedia pages:

    | Names | ISS 69S |                       Mission type | Tiangong space station crew transport |
    |---|---|                                 ---|---|
    | Launch date | 24 February 2023, 00:24 UTC |     Crew | |
    | Docking with ISS | |                    Members | Tang Hongbo Tang Shengjie Jiang Xinlin[1] |

With or without the leading bar, a separator row, extra empty cells ("| ||||"), a colon after
the label ("Names List: | Ax-3 |"), `[1]` footnote markers, image stubs `![](...)`, and a value
over several lines (a "Label |" line, value lines, a line ending in "|"). A row with a single
cell is a section header ("Crew", "Start of mission", "Docking with ISS"), an image caption
("![]() From left: ...") or the title row. Labels become parameters by the same rule as the
"- Key:" form (pipeline.extract.labels.param_name: "Launch date" -> launch_date); inside the
"Crew" section "Members"/"Launching"/"Landing" are the crew rows. A "Docking with X" section is
a nested `Infobox spaceflight/Dock` box (target X), a lander/orbiter/flyby section a nested
`Infobox spaceflight/IP` box; other unknown sections are nested boxes of their own, kept in the
generic layer but never merged into the mission. Only the first table that carries infobox
labels is the infobox; lines outside it are prose (short title-like lines become headings),
rows of later tables (crew tables) are dropped.

Bad input: never raises; rows that are not label/value pairs are skipped. Linear in the input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.core.mappings import load_mappings
from pipeline.extract.labels import clean_text, param_name

_IMAGE = re.compile(r"!\[[^\]\n]{0,300}\]\([^)\n]{0,500}\)")
_SEPARATOR = re.compile(r"^:?-{3,}:?$")
_WIKI_START = ("{{", "}}", "{|", "|-", "|}", "|+")
_MAIN_SECTIONS = frozenset({"", "spacecraft properties", "crew", "start of mission", "end of mission",
                            "orbital parameters", "expedition", "mission statistics", "mission insignia",
                            "crew photo", "related missions", "navigation", "mission"})
_DOCK = re.compile(r"^(?:docking|berthing)\s+(?:with|at|to)\s+(?P<target>.+)$", re.I)
_IP = re.compile(r"\b(?:orbiter|lander|rover|impactor|flyby of|flyby|probe|sample return)\b", re.I)
# Rows of the /Dock and /IP templates, by their display labels (Template:Infobox spaceflight/Dock
# and /IP on en.wikipedia.org).
_DOCK_LABELS = {"docking port": "docking_port", "docking date": "docking_date",
                "undocking date": "undocking_date", "berthing port": "berthing_port",
                "rms capture": "berthing_date", "berthing date": "berthing_date",
                "rms release": "unberthing_date", "unberthing date": "unberthing_date",
                "time docked": "time_docked", "time berthed": "time_berthed"}
_IP_LABELS = {"orbital insertion": "arrival_date", "landing date": "arrival_date",
              "closest approach": "arrival_date", "impact date": "arrival_date",
              "orbital departure": "departure_date", "return launch": "departure_date",
              "spacecraft component": "component", "landing site": "location",
              "impact site": "location"}
_CREW_LABELS = {"members": "crew_members", "launching": "crew_launching", "landing": "crew_landing"}
_SECTION_WORDS = frozenset({"crew", "cargo", "transponders", "instruments", "payload"})


@dataclass
class Row:
    """One label/value row of the table (value lines kept apart when the cell spanned lines)."""

    label: str
    lines: list[str]


@dataclass
class Section:
    """Rows under one header of the table ('' before the first header)."""

    header: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Table:
    """The infobox table: its sections, its single-cell rows (captions, title), and the page's
    other lines (prose, with plain headings marked as "== Heading ==")."""

    sections: list[Section]
    captions: list[str]
    prose: list[str]


def cells(line: str) -> list[str]:
    """Cells of a table line: outer bars dropped, split on "|", image stubs removed."""
    text = _IMAGE.sub(" ", line).strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|"):
        text = text[:-1]
    return [c.strip() for c in text.split("|")]


_MD_SEPARATOR = re.compile(r"^\|?[ :]*-{3,}[ :]*(?:\|[ :]*-{3,}[ :]*)*\|?$")


def _is_table_line(line: str) -> bool:
    """A row of a text table (a Markdown separator "|---|---|" included; wikitext table and
    template lines "{|", "|-", "{{" excluded)."""
    stripped = line.strip()
    if "|" not in stripped:
        return False
    if _MD_SEPARATOR.match(stripped):
        return stripped.count("|") >= 2 or not stripped.startswith("|")
    return not stripped.startswith(_WIKI_START)


def _is_separator(parts: list[str]) -> bool:
    non_empty = [p for p in parts if p]
    return bool(non_empty) and all(_SEPARATOR.match(p) for p in non_empty)


@lru_cache(maxsize=1)
def _known_labels() -> frozenset[str]:
    names = set()
    for m in load_mappings():
        names.update(m.params())
    return frozenset(names | set(_CREW_LABELS))


@lru_cache(maxsize=4096)
def _label_param(label: str) -> str:
    return param_name(clean_text(label).rstrip(":").strip())


def looks_tabular(content: str) -> bool:
    """True when the text has a two-column table whose labels are infobox labels (at least
    three rows), and fewer wikitext lines than such rows."""
    known = _known_labels()
    hits = wiki = 0
    for line in content[:20000].splitlines()[:400]:
        stripped = line.strip()
        if stripped.startswith(_WIKI_START) or (stripped.startswith("|") and "=" in stripped.split("|")[1][:60]):
            wiki += 1
            continue
        if "|" not in stripped:
            continue
        parts = [p for p in cells(stripped) if p]
        opens_cell = len(parts) == 1 and stripped.count("|") == 1 and stripped.endswith("|")
        if (len(parts) >= 2 or opens_cell) and _label_param(parts[0]) in known:
            hits += 1
    return hits >= 3 and hits > wiki


def read_table(lines: list[str]) -> Table | None:
    """The infobox table of a page and its other lines; None when no table has infobox labels."""
    known = _known_labels()
    blocks = _blocks(lines, known)
    chosen = None
    for start, end in blocks:
        labels = 0
        for line in lines[start:end]:
            parts = [p for p in cells(line) if p] if _is_table_line(line) else []
            if len(parts) >= 2 and _label_param(parts[0]) in known:
                labels += 1
                if labels >= 2:
                    chosen = (start, end)
                    break
        if chosen:
            break
    if chosen is None:
        return None
    sections, captions = _parse_block(lines[chosen[0]:chosen[1]], known)
    others = [(s, e) for s, e in blocks if (s, e) != chosen]
    prose_lines = [line for i, line in enumerate(lines)
                   if not chosen[0] <= i < chosen[1] and not any(s <= i < e for s, e in others)]
    return Table(sections, captions, _mark_headings(prose_lines))


def _opens_cell(line: str) -> bool:
    stripped = line.strip()
    return stripped.count("|") == 1 and stripped.endswith("|") and len(stripped) > 1


def _cell_end(lines: list[str], i: int, known: frozenset[str]) -> int | None:
    """For a "Label |" line whose label is an infobox label: the index of the line that closes
    its value (value lines without bars, then a line ending in the one bar), else None."""
    if not _opens_cell(lines[i]) or "![" in lines[i] or _label_param(cells(lines[i])[0]) not in known:
        return None
    k = i + 1
    while k < len(lines) and k - i <= 6 and lines[k].strip() and "|" not in lines[k] \
            and len(lines[k]) <= 200:
        k += 1
    if k < len(lines) and (_opens_cell(lines[k]) or lines[k].strip() == "|"):
        return k
    return None


def _blocks(lines: list[str], known: frozenset[str]) -> list[tuple[int, int]]:
    """Runs of table lines (a multi-line cell included, see _cell_end)."""
    blocks: list[tuple[int, int]] = []
    i, n = 0, len(lines)
    while i < n:
        if not _is_table_line(lines[i]):
            i += 1
            continue
        start = i
        while i < n and _is_table_line(lines[i]):
            end = _cell_end(lines, i, known)
            i = (end if end is not None else i) + 1
        blocks.append((start, i))
    return blocks


def _parse_block(block: list[str], known: frozenset[str]) -> tuple[list[Section], list[str]]:
    sections = [Section("")]
    captions: list[str] = []
    seen_label = False
    i = 0
    while i < len(block):
        line = block[i]
        table_line = _is_table_line(line)
        end = _cell_end(block, i, known) if table_line else None
        if end is not None:
            value_lines = [ln.strip() for ln in block[i + 1:end]] + [cells(block[end])[0]]
            sections[-1].rows.append(Row(cells(line)[0], [v for v in value_lines if v]))
            seen_label = True
            i = end + 1
            continue
        i += 1
        if not table_line:
            continue
        parts = cells(line)
        if _is_separator(parts):
            continue
        non_empty = [p for p in parts if p]
        if not non_empty:
            continue
        if len(non_empty) >= 2:
            sections[-1].rows.append(Row(non_empty[0], [non_empty[1]]))
            seen_label = True
            continue
        text = non_empty[0]
        if "![" in line or not seen_label or not _HEADER_LIKE.match(text):
            captions.append(text)
        elif _is_header(text, known):
            sections.append(Section(text))
        else:
            sections[-1].rows.append(Row(text, []))
    return sections, captions


def _is_header(text: str, known: frozenset[str]) -> bool:
    name = _label_param(text)
    return (name not in known or name in _SECTION_WORDS or text.casefold() in _MAIN_SECTIONS
            or bool(_DOCK.match(text)) or bool(_IP.search(text)))


def section_kind(header: str) -> tuple[str, str | None]:
    """('main' | 'dock' | 'ip' | 'other', target) of a section header."""
    h = header.strip()
    if h.casefold() in _MAIN_SECTIONS:
        return "main", None
    m = _DOCK.match(h)
    if m:
        return "dock", m.group("target").strip()
    if _IP.search(h):
        return "ip", h
    return "other", None


def row_param(kind: str, header: str, label: str) -> str:
    """The template parameter a row stands for, given its section."""
    key = re.sub(r"\s+", " ", label.rstrip(":").strip()).casefold()
    if kind == "dock" and key in _DOCK_LABELS:
        return _DOCK_LABELS[key]
    if kind == "ip" and key in _IP_LABELS:
        return _IP_LABELS[key]
    if kind == "main" and header.casefold() == "crew" and key in _CREW_LABELS:
        return _CREW_LABELS[key]
    return _label_param(label)


_TITLE_LIKE = re.compile(r"^[^\W\d_][^.!?:;|]{0,58}$")
# A section header is short and plain; a caption row ("From left: Rubio, Prokopyev, and
# Petelin") is not.
_HEADER_LIKE = re.compile(r"^[^\W\d_][^.!?:;,|]{0,58}$")


def _mark_headings(lines: list[str]) -> list[str]:
    """Plain short lines followed by a longer paragraph line are headings ("Background")."""
    out = []
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    following = {a: b for a, b in zip(nonblank, nonblank[1:])}
    for i, line in enumerate(lines):
        text = line.strip()
        nxt = following.get(i)
        if (text and _TITLE_LIKE.match(text) and len(text.split()) <= 6 and nxt is not None
                and len(lines[nxt].strip()) > 2 * len(text) and lines[nxt].strip().endswith((".", ":", "]"))):
            out.append(f"== {text} ==")
        else:
            out.append(line)
    return out
