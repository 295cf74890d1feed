"""Apply a declarative mapping (mappings/*.toml) to an extracted Page: one typed row, its crew,
its dated events and a provenance fact per value.

Bad data is data: a value that does not parse becomes null plus an Issue with a stable code
(`value_lost`, `unparsed`, `unknown_template`); nothing here raises on odd input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from pipeline.core.mappings import Column, Mapping, guess_mapping, mapping_for, normalise_template
from pipeline.records import Infobox, Issue, Page, Value
from pipeline.schema import TABLES
from pipeline.core import instants, names, organisations, quantities, qualifiers
from pipeline.transform import crew as crew_rows
from pipeline.transform import status as planned
from pipeline.transform.crew import items_of as _items

# A complete international designator: launch year, launch number, piece letter(s).
_COSPAR = re.compile(r"\b(19[5-9]\d|2\d{3})-(\d{3})([A-Z]{1,3})\b")
# "CSM: 1969-059A" -> the part after a short label naming a component of the spacecraft.
_LABEL_PREFIX = re.compile(r"^\s*([A-Za-z][\w .'/-]{0,24}?)\s*:\s+(?=\S)")
# "Design life: 5 years", "Primary mission: 90 days": a target, not the mission's duration.
_DESIGN = re.compile(r"\s*(design(ed)?|nominal|primary mission|goal)\b", re.I)
_PLANNED_KEY = "__planned__"   # _parse's note that a value went to the planned columns


@dataclass
class Bundle:
    """What one page contributes to the typed tables."""

    table: str
    row: dict
    key: str = "mission_id"
    crew: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    persons: names.PersonIndex = field(default_factory=names.PersonIndex)
    evidence: list[planned.Evidence] = field(default_factory=list)   # planned/failed/... marks
    reference: datetime | None = None   # values dated after this are planned (see status.py)


def find_boxes(page: Page) -> list[tuple[Infobox, Mapping]]:
    """For each mapping, the first top-level infobox it knows (by name; for rendered text, which
    names no template, by its labels), in page order."""
    found: dict[str, tuple[Infobox, Mapping]] = {}
    for box in page.infoboxes:
        if box.parent is not None:
            continue
        m = mapping_for(box.template)
        if m is None and page.fmt == "text":
            m = guess_mapping(set(box.params))
        if m is not None and m.table not in found:
            found[m.table] = (box, m)
    return list(found.values())


def map_page(page: Page, title: str, as_of: datetime | None = None) -> Bundle | None:
    """The mission rows of a page, or None when it has no mission infobox."""
    return next((b for b in map_all(page, title, as_of) if b.table == "missions"), None)


def map_all(page: Page, title: str, as_of: datetime | None = None) -> list[Bundle]:
    """One Bundle per mapped infobox type found on the page (missions, rockets, ...)."""
    return [map_box(page, box, mapping, title, as_of) for box, mapping in find_boxes(page)]


def reference_date(page: Page, as_of: datetime | None = None) -> datetime:
    """The date after which a value cannot be a fact: the page's revision time, else `as_of`
    (the run's date), else now (UTC)."""
    for t in (page.rev_timestamp, as_of):
        if isinstance(t, datetime):
            return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def map_box(page: Page, main: Infobox, mapping: Mapping, title: str, as_of: datetime | None = None) -> Bundle:
    """Apply `mapping` to the infobox `main` of `page`; values dated after `as_of` (or the
    page's revision time) are planned, not facts."""
    key = names.mission_slug(title)
    params, children = _gather(page, main, mapping)
    columns = TABLES[mapping.table].names
    row: dict = {
        mapping.key: key, "title": title, "source_format": page.source_format,
        "source": page.source, "page_id": page.page_id, "rev_id": page.rev_id,
        "rev_timestamp": page.rev_timestamp,
    }
    missions = mapping.table == "missions"
    mission_id = key if missions else None
    b = Bundle(table=mapping.table, row=row, key=mapping.key, reference=reference_date(page, as_of))
    used: set[str] = set()
    unknown: dict[str, set[str]] = {}   # parameter -> templates without a renderer
    planned_fields: list[str] = []      # columns whose source value is planned, not a fact

    for col in mapping.columns:
        param, value = _first_present(params, col.params)
        if value is None:
            continue
        used.add(param)
        if value.unknown_templates:
            unknown.setdefault(param, set()).update(value.unknown_templates)
        if value.lost:
            continue
        its = _Items(value, page.fmt)
        parsed, shown, unit = _parse(col, value, page.fmt, columns, b.reference, its)
        why = parsed.pop(_PLANNED_KEY, None) if parsed else None
        if parsed is None:
            b.issues.append(Issue("unparsed", col.name, f"{param} = {value.text!r} is not a {col.parser}"
                                  + (f" in {col.unit}" if col.unit else ""), mission_id))
        else:
            row.update(parsed)
        if why:
            planned_fields.append(col.name)
            b.evidence.append(planned.Evidence("planned", col.name, f"{param}: {value.text}"
                                               + ("" if why in value.text else f" ({why})")))
        if col.all and col.all in columns:
            listed = _all_items(col, value, page.fmt, its)
            if listed:
                row[col.all] = listed
            if missions:   # "CSM: 1970-029A": the component each item belongs to, as a fact
                for i in its.read:
                    if i.label and not i.placeholder:
                        b.facts.append(_fact(mission_id, f"{col.name}[{i.label}]", value, i.text, None,
                                             param, page.rev_id, raw=f"{i.label}: {i.text}"))
        if missions:
            b.facts.append(_fact(mission_id, f"{col.name}.planned" if why else col.name, value, shown, unit,
                                 param, page.rev_id))
            for c in value.citations:
                b.facts.append(_fact(mission_id, f"{col.name}.citation", value, c.url or c.title or c.text,
                                     None, param, page.rev_id, raw=c.text or c.url or ""))

    lost = sorted(p for p, v in params.items() if v.lost and p not in mapping.ignore)
    for p in lost:
        b.issues.append(Issue("value_lost", p, f"{p} was lost in rendering (raw {params[p].raw!r})",
                              mission_id))
    for p, templates in sorted(unknown.items()):
        for t in sorted(templates):
            b.issues.append(Issue("unknown_template", p, f"{{{{{t}}}}} in {p} has no renderer", mission_id))
    row["lost_fields"] = lost
    row["unknown_templates"] = sorted({t for ts in unknown.values() for t in ts})
    if "planned_fields" in columns:
        row["planned_fields"] = sorted(planned_fields)
    if not missions:
        return b
    for p, v in params.items():
        if p not in used:
            b.facts.append(_fact(mission_id, f"param.{p}", v, v.text or None, None, p, page.rev_id))
        for note in v.notes:   # how the reader decided (a joined list taken apart)
            b.facts.append(_fact(mission_id, f"read.{p}", v, note, None, p, page.rev_id))
    b.evidence.extend(planned.evidence_from_params(params, b.reference))
    row["status"], row["status_evidence"] = planned.mission_status(row, b.evidence)
    if row["status"] in ("planned", "cancelled") and row.get("duration_s") is not None:
        # the stated length of a mission that has not flown is its planned length
        row["duration_planned_s"] = row.get("duration_planned_s") or row["duration_s"]
        for k in ("duration_s", "duration_source", "duration_precision", "duration_tolerance_s"):
            row.pop(k, None)
        if "planned_fields" in row and "duration_s" not in row["planned_fields"]:
            row["planned_fields"] = sorted(row["planned_fields"] + ["duration_s"])
    if row["status"] in ("planned", "cancelled"):
        flown: tuple[str, ...] = ()
    elif row["status"] == "in_progress" or (row["status"] == "failed" and row.get("landing_utc") is None):
        flown = ("launch",)
    else:
        flown = crew_rows.LEGS
    crew_rows.add_crew(b, mapping, params, page.fmt, children, flown)
    _events(b, mapping, params, children, page.rev_id)
    _derive(b, params, mapping)
    return b


def _gather(page: Page, main: Infobox, mapping: Mapping):
    """Main box parameters plus those of boxes the mapping merges (footers); nested boxes."""
    params = dict(main.params)
    children = []
    for box in page.infoboxes:
        if box is main:
            continue
        spec = mapping.nested.get(normalise_template(box.template))
        if spec is None:
            continue
        if spec.get("merge"):
            for k, v in box.params.items():
                params.setdefault(k, v)
        else:
            children.append((box, spec))
    return params, children


def _first_present(params: dict[str, Value], names_: tuple[str, ...]):
    for p in names_:
        v = params.get(p)
        if v is not None and (v.text or v.lost or v.coords or v.unknown_templates):
            return p, v
    return None, None


def strip_label(item: str) -> str:
    m = _LABEL_PREFIX.match(item)
    return item[m.end():].strip() if m else item.strip()


class _Items:
    """A value's list items (crew.items_of, not split) and their reading (qualifiers.read_items),
    each made once for every use of one column's value (both are pure; nobody edits the lists)."""

    __slots__ = ("value", "fmt", "_plain", "_read")

    def __init__(self, value: Value, fmt: str) -> None:
        self.value, self.fmt, self._plain, self._read = value, fmt, None, None

    @property
    def plain(self) -> list[str]:
        if self._plain is None:
            self._plain = _items(self.value, self.fmt, split=False)
        return self._plain

    @property
    def read(self) -> list[qualifiers.Item]:
        if self._read is None:
            self._read = qualifiers.read_items(self.plain)
        return self._read


def _parse(col: Column, value: Value, fmt: str, columns: list[str], reference: datetime | None = None,
           its: _Items | None = None):
    """(column values, normalised text for facts, unit) or (None, text, unit) when unparsable.
    A planned value fills the planned columns (or none) and says why under _PLANNED_KEY."""
    its = its or _Items(value, fmt)
    name = col.name
    prefix = name.rsplit("_", 1)[0]
    if col.parser not in ("instant", "duration"):
        # "Kennedy, SLF Runway 33 (planned)", "Failed to achieve orbit (96 planned)", "4 (planned)":
        # a value that is planned in every item is no fact (its fact row keeps it). "Cancelled"
        # on such a value is about the thing it names ("Apollo 18 (canceled)"), not this mission.
        items = its.plain or [value.text]
        marks = [qualifiers.mark_of(i) for i in items]
        if all(m is not None and m.kind == qualifiers.PLANNED for m in marks):
            return {_PLANNED_KEY: marks[0].word}, value.text, col.unit
    if col.parser == "text":
        return {name: value.text}, value.text, None
    if col.parser == "first":
        items = [i.text for i in its.read if not i.placeholder]
        first = items[0] if items else None
        return ({name: first} if first else None), first, None
    if col.parser == "list":
        items = _items(value, fmt, split=True)
        return ({name: items} if items else None), "; ".join(items), None
    if col.parser in ("int", "number"):
        items = its.plain
        text = strip_label(items[0]) if items else ""
        n = quantities.parse_int(text) if col.parser == "int" else quantities.parse_number(text)
        return ({name: n} if n is not None else None), text, None
    if col.parser == "cospar":
        m = _COSPAR.search(value.text)
        v = m.group(0) if m else None
        return ({name: v} if v else None), v or value.text, None
    if col.parser == "quantity":
        v = _quantity(value, col.unit, its.plain)
        return ({name: v} if v is not None else None), (None if v is None else repr(v)), col.unit
    if col.parser == "instant":
        inst = _instant(value)
        if inst is None:   # "TBA": planned, with no date yet
            why = planned.planned_reason(value.text, None, None)
            return ({_PLANNED_KEY: why} if why else None), value.text, None
        why = planned.planned_reason(value.text, inst, reference)
        if why:
            out = {_PLANNED_KEY: why}
            if f"{prefix}_planned_utc" in columns:
                out[f"{prefix}_planned_utc"] = inst.utc
                out[f"{prefix}_planned_precision"] = inst.precision
            return out, instants.format_instant(inst), "UTC"
        out = {name: inst.utc}
        if f"{prefix}_precision" in columns:
            out[f"{prefix}_precision"] = inst.precision
        if f"{prefix}_source" in columns:
            out[f"{prefix}_source"] = "infobox"
        return out, instants.format_instant(inst), "UTC"
    if col.parser == "duration":
        return _duration(name, value, fmt, columns, its.plain)
    if col.parser == "place":
        site = strip_trailing_brackets(value.text)
        out = {name: site} if site else {}
        place = name[:-len("_site")] if name.endswith("_site") else name
        if value.coords and f"{place}_lat" in columns:
            out[f"{place}_lat"], out[f"{place}_lon"] = value.coords
        return (out or None), site, None
    raise ValueError(f"unknown parser {col.parser}")  # a mapping error, caught at load time


def _instant(value: Value):
    """The instant a value states. A stamp the source gives exactly (the hidden stamp of a date
    template in MediaWiki's HTML) wins where it agrees with what the reader sees (it may be more
    precise); where it says something else (templates have emitted stamps a second off), the
    reader's text wins."""
    said = instants.parse_instant(value.text)
    stamped = instants.parse_instant(value.instants[0]) if value.instants else None
    if stamped is None or said is None:
        return stamped or said
    s, t = stamped.utc, said.utc
    agree = {"year": s.year == t.year, "month": (s.year, s.month) == (t.year, t.month),
             "day": s.date() == t.date()}.get(said.precision, s == t)
    return stamped if agree else said


def _duration(name: str, value: Value, fmt: str, columns: list[str], items: list[str] | None = None):
    """A stated duration: the first item that is not planned, in progress or a design target
    ("Planned: 8 days<br>Actual: 93 days", "6 days and 34 minutes (planned)<br>1 minute and 13
    seconds (achieved)"); the first planned item goes to duration_planned_s."""
    actual, planned_items, running = [], [], False
    for item in _items(value, fmt, split=False) if items is None else items:
        mark = qualifiers.mark_of(item)
        label, rest = qualifiers.split_label(item)
        if mark is not None and mark.kind in (qualifiers.PLANNED, qualifiers.CANCELLED):
            planned_items.append(rest)
        elif mark is not None and mark.kind == qualifiers.IN_PROGRESS:
            running = True   # "... ''(in progress)''": the length is not known yet
        elif mark is None and not _DESIGN.match(item):
            actual.append(rest)
    out: dict = {}
    shown = None
    for rest in planned_items:
        d = instants.parse_duration(rest)
        if d is not None and "duration_planned_s" in columns:
            out["duration_planned_s"] = d.seconds
            break
    for rest in actual:
        d = instants.parse_duration(rest)
        if d is None:
            continue
        out[name] = d.seconds
        shown = str(d.seconds)
        if "duration_source" in columns:
            out["duration_source"] = "infobox"
        if "duration_precision" in columns:
            out["duration_precision"] = d.precision
            out["duration_tolerance_s"] = planned.interval_seconds(_EPOCH, d.precision)
        break
    if name not in out and (planned_items or running):
        out[_PLANNED_KEY] = "in progress" if running and not planned_items else "planned"
    return (out or None), shown if shown is not None else value.text, "s"


_EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)   # a month or year counted from here is 31/366 days


def _all_items(col: Column, value: Value, fmt: str, its: _Items | None = None) -> list | None:
    """Every item of a multi-valued field, in order, labels ("CSM:") and placeholders off:
    COSPAR ids, SATCAT numbers, canonical organisation names, or the items' text."""
    items = [i for i in (its or _Items(value, fmt)).read if not i.placeholder]
    if col.parser == "text" and not all(i.label for i in items):
        # one text ("Таймыр Taymyr, Taymyr Peninsula": a callsign and its gloss) unless every
        # item names its component ("CSM: Odyssey", "LM: Aquarius")
        return [value.text] if value.text and not qualifiers.is_placeholder(value.text) else None
    if col.organisation:
        return organisations.organisations([i.text for i in items], value.links) or None
    out: list = []
    for i in items:
        if col.parser == "cospar":
            out.extend(m.group(0) for m in _COSPAR.finditer(i.text))
        elif col.parser == "int":
            n = quantities.parse_int(i.text)
            if n is not None:
                out.append(n)
        elif i.text:
            out.append(i.text)
    return out or None


def strip_trailing_brackets(text: str) -> str:
    return re.sub(r"\s*\(\s*\)\s*", " ", text).strip(" ,;")


def _quantity(value: Value, unit: str, items: list[str] | None = None) -> float | None:
    for q in value.quantities:
        for v, u in ((q.converted_value, q.converted_unit), (q.value, q.unit)):
            if v is None or u is None:
                continue
            conv = quantities.convert_value(v, u, unit)
            if conv is not None:
                return round(conv[0], 6)
    if items is None:   # (items_of without splitting: the same for any format)
        items = _items(value, "wikitext", split=False)
    m = quantities.parse_quantity(strip_label(items[0]) if items else value.text, unit)
    return None if m is None else round(m.value, 6)


def _fact(mission_id, field_, value: Value, shown, unit, location, rev_id, raw=None):
    return {"mission_id": mission_id, "field": field_, "raw": value.raw if raw is None else raw,
            "value": None if shown is None else str(shown), "unit": unit, "source": "infobox",
            "location": location, "rev_id": rev_id}


def _events(b: Bundle, mapping: Mapping, params: dict[str, Value], children, rev_id) -> None:
    row = b.row
    for spec in mapping.events:
        if "column" in spec:
            utc = row.get(spec["column"])
            if utc is None:
                continue
            prefix = spec["column"].rsplit("_", 1)[0]
            b.events.append({"mission_id": row["mission_id"], "event": spec["event"], "utc": utc,
                             "precision": row.get(f"{prefix}_precision"), "outcome": None,
                             "source": "infobox", "evidence": f"{prefix}_date", "detail": None})
        else:
            _param_event(b, spec, params, spec["param"], rev_id)
    for box, spec in children:
        for ev in spec.get("events", ()):
            _param_event(b, ev, box.params, f"{box.template}[{box.index}].{ev['param']}", rev_id)


def _param_event(b: Bundle, spec: dict, params: dict[str, Value], location: str, rev_id) -> None:
    """An event dated by a parameter (a /Dock box's docking_date, or a flat one)."""
    row = b.row
    v = params.get(spec["param"])
    if v is None or v.lost or not v.text:
        return
    inst = instants.parse_instant(v.text)
    if inst is None and planned.planned_reason(v.text, None, None):
        return   # "TBA": a planned event without a date
    if inst is None:
        b.issues.append(Issue("unparsed", spec["event"], f"{location} = {v.text!r} is not a date",
                              row["mission_id"]))
        return
    why = planned.planned_reason(v.text, inst, b.reference)
    if why:   # a planned docking is not an event; the fact keeps it
        b.facts.append(_fact(row["mission_id"], f"event.{spec['event']}.planned", v,
                             instants.format_instant(inst), "UTC", location, rev_id))
        return
    detail = ", ".join(params[d].text for d in spec.get("detail", ())
                       if d in params and params[d].text) or None
    b.events.append({"mission_id": row["mission_id"], "event": spec["event"], "utc": inst.utc,
                     "precision": inst.precision, "outcome": None, "source": "infobox",
                     "evidence": location, "detail": detail})
    b.facts.append(_fact(row["mission_id"], f"event.{spec['event']}", v, instants.format_instant(inst),
                         "UTC", location, rev_id))


def _derive(b: Bundle, params: dict[str, Value], mapping: Mapping) -> None:
    row = b.row
    if row.get("duration_s") is None:
        planned.derive_duration(row)
    crew_listed = bool(row.get("crew_launch_count") or row.get("crew_landing_count"))
    row["crewed"] = bool(crew_listed or (row.get("crew_size") or 0) > 0)
    landing_params = {c.params[0] for c in mapping.columns if c.name in ("landing_utc", "landing_site")}
    landing_params.update(mapping.crew.get("landing", ()))
    row["has_landing"] = any(p in params and (params[p].text or params[p].lost) for p in landing_params)
