"""Apply a declarative mapping (mappings/*.toml) to an extracted Page: one typed row, its crew,
its dated events and a provenance fact per value.

Bad data is data: a value that does not parse becomes null plus an Issue with a stable code
(`value_lost`, `unparsed`, `unknown_template`); nothing here raises on odd input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.core.mappings import Column, Mapping, guess_mapping, mapping_for, normalise_template
from pipeline.records import Infobox, Issue, Page, Value
from pipeline.schema import TABLES
from pipeline.core import instants, names, quantities

# A complete international designator: launch year, launch number, piece letter(s).
_COSPAR = re.compile(r"\b(19[5-9]\d|2\d{3})-(\d{3})([A-Z]{1,3})\b")
# "CSM: 1969-059A" -> the part after a short label naming a component of the spacecraft.
_LABEL_PREFIX = re.compile(r"^\s*([A-Za-z][\w .'/-]{0,24}?)\s*:\s+(?=\S)")
_PLANNED = re.compile(r"\s*(planned|expected|design(ed)?|nominal|scheduled|primary mission|goal)\b", re.I)
# "Eileen Collins (CDR)": crew roles written after the name, as NASA abbreviates them.
_ROLE_ABBREVIATIONS = {"CDR": "Commander", "PLT": "Pilot", "MS": "Mission Specialist",
                       "PS": "Payload Specialist", "FE": "Flight Engineer", "CMP": "Command Module Pilot",
                       "LMP": "Lunar Module Pilot", "SFP": "Spaceflight Participant", "SP": "Science Pilot"}
_ROLE_SUFFIX = re.compile(
    r"\s*[(\[]\s*(CDR|PLT|MS\d?|PS\d?|FE\d?|CMP|LMP|SFP|SP|commander|pilot|flight engineer|"
    r"mission specialist(?: \d)?|payload specialist(?: \d)?)\s*[)\]]\s*$", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_ROLE_PREFIX = re.compile(r"^\s*(commander|pilot|flight engineer|mission specialist|payload specialist|"
                          r"command module pilot|lunar module pilot|cosmonaut|spaceflight participant|"
                          r"science pilot|mission commander)\s*[:\-\u2013]\s*", re.IGNORECASE)


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


def map_page(page: Page, title: str) -> Bundle | None:
    """The mission rows of a page, or None when it has no mission infobox."""
    return next((b for b in map_all(page, title) if b.table == "missions"), None)


def map_all(page: Page, title: str) -> list[Bundle]:
    """One Bundle per mapped infobox type found on the page (missions, rockets, ...)."""
    return [map_box(page, box, mapping, title) for box, mapping in find_boxes(page)]


def map_box(page: Page, main: Infobox, mapping: Mapping, title: str) -> Bundle:
    """Apply `mapping` to the infobox `main` of `page`."""
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
    b = Bundle(table=mapping.table, row=row, key=mapping.key)
    used: set[str] = set()
    unknown: dict[str, set[str]] = {}   # parameter -> templates without a renderer

    for col in mapping.columns:
        param, value = _first_present(params, col.params)
        if value is None:
            continue
        used.add(param)
        if value.unknown_templates:
            unknown.setdefault(param, set()).update(value.unknown_templates)
        if value.lost:
            continue
        parsed, shown, unit = _parse(col, value, page.fmt, columns)
        if parsed is None:
            b.issues.append(Issue("unparsed", col.name, f"{param} = {value.text!r} is not a {col.parser}"
                                  + (f" in {col.unit}" if col.unit else ""), mission_id))
        else:
            row.update(parsed)
        if missions:
            b.facts.append(_fact(mission_id, col.name, value, shown, unit, param, page.rev_id))
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
    if not missions:
        return b
    for p, v in params.items():
        if p not in used:
            b.facts.append(_fact(mission_id, f"param.{p}", v, v.text or None, None, p, page.rev_id))
    _crew(b, mapping, params, page.fmt, children)
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


def _items(value: Value, fmt: str, split: bool) -> list[str]:
    items = [i for i in value.items if i.strip()] or ([value.text] if value.text else [])
    if split and fmt == "text":
        items = [p for i in items for p in _LIST_SPLIT.split(i) if p.strip()]
    return [i.strip() for i in items]


def _parse(col: Column, value: Value, fmt: str, columns: list[str]):
    """(column values, normalised text for facts, unit) or (None, text, unit) when unparsable."""
    name = col.name
    prefix = name.rsplit("_", 1)[0]
    if col.parser == "text":
        return {name: value.text}, value.text, None
    if col.parser == "first":
        items = _items(value, fmt, split=False)
        first = strip_label(items[0]) if items else None
        return ({name: first} if first else None), first, None
    if col.parser == "list":
        items = _items(value, fmt, split=True)
        return ({name: items} if items else None), "; ".join(items), None
    if col.parser in ("int", "number"):
        items = _items(value, fmt, split=False)
        text = strip_label(items[0]) if items else ""
        n = quantities.parse_int(text) if col.parser == "int" else quantities.parse_number(text)
        return ({name: n} if n is not None else None), text, None
    if col.parser == "cospar":
        m = _COSPAR.search(value.text)
        v = m.group(0) if m else None
        return ({name: v} if v else None), v or value.text, None
    if col.parser == "quantity":
        v = _quantity(value, col.unit)
        return ({name: v} if v is not None else None), (None if v is None else repr(v)), col.unit
    if col.parser == "instant":
        inst = _instant(value)
        if inst is None:
            return None, value.text, None
        out = {name: inst.utc}
        if f"{prefix}_precision" in columns:
            out[f"{prefix}_precision"] = inst.precision
        if f"{prefix}_source" in columns:
            out[f"{prefix}_source"] = "infobox"
        return out, instants.format_instant(inst), "UTC"
    if col.parser == "duration":
        # "Planned: 5 years<br>Elapsed: ..." -- a planned or design duration is not the mission's
        items = [i for i in _items(value, fmt, split=False) if not _PLANNED.match(i)]
        if not items:
            return None, value.text, "s"
        d = instants.parse_duration(strip_label(items[0]))
        if d is None:
            return None, value.text, "s"
        out = {name: d.seconds}
        if "duration_source" in columns:
            out["duration_source"] = "infobox"
        return out, str(d.seconds), "s"
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


def strip_trailing_brackets(text: str) -> str:
    return re.sub(r"\s*\(\s*\)\s*", " ", text).strip(" ,;")


def _quantity(value: Value, unit: str) -> float | None:
    for q in value.quantities:
        for v, u in ((q.converted_value, q.converted_unit), (q.value, q.unit)):
            if v is None or u is None:
                continue
            conv = quantities.convert_value(v, u, unit)
            if conv is not None:
                return round(conv[0], 6)
    items = _items(value, "wikitext", split=False)
    m = quantities.parse_quantity(strip_label(items[0]) if items else value.text, unit)
    return None if m is None else round(m.value, 6)


def _fact(mission_id, field_, value: Value, shown, unit, location, rev_id, raw=None):
    return {"mission_id": mission_id, "field": field_, "raw": value.raw if raw is None else raw,
            "value": None if shown is None else str(shown), "unit": unit, "source": "infobox",
            "location": location, "rev_id": rev_id}


def _crew_table(b: Bundle, mapping: Mapping, children, fmt: str) -> None:
    """Roles from a crew table ({{Spaceflight crew}}); its rows become the crew when the infobox
    listed nobody."""
    for box, spec in children:
        table = spec.get("crew_table")
        if not table:
            continue
        rows = []
        for n in range(1, 41):
            up = box.params.get(table["launch"].format(n=n))
            if up is None or not up.text:
                if n > 1 and box.params.get(table["role"].format(n=n)) is None:
                    break
                continue
            role_v = box.params.get(table["role"].format(n=n))
            role = role_v.text.strip() if role_v is not None and role_v.text.strip() else None
            down = box.params.get(table["landing"].format(n=n))
            rows.append((role, _people(up, fmt), _people(down, fmt) if down is not None and down.text else None))
        if not rows:
            continue
        roles = {key: role for role, up, _ in rows if role for _, key, *_ in up}
        if b.crew:
            for c in b.crew:
                if c["role"] is None and c["leg"] == "launch" and c["person_key"] in roles:
                    c["role"] = roles[c["person_key"]]
            landing_roles = {key: role for role, up, down in rows if role for _, key, *_ in (down or up)}
            for c in b.crew:
                if c["role"] is None and c["leg"] == "landing" and c["person_key"] in landing_roles:
                    c["role"] = landing_roles[c["person_key"]]
            return
        for leg in ("launch", "landing"):
            seat = 0
            for role, up, down in rows:
                for person, key, _, nat, target in (up if leg == "launch" else down or up):
                    b.persons.add(person, target)
                    seat += 1
                    b.crew.append({"mission_id": b.row["mission_id"], "leg": leg, "seat": seat,
                                   "person": person, "person_key": key, "role": role,
                                   "source": f"{box.template}[{box.index}]", "nationality": nat})
        return


def _crew(b: Bundle, mapping: Mapping, params: dict[str, Value], fmt: str, children=()) -> None:
    legs = {"launch": [], "landing": []}
    for leg_name in ("launch", "landing", "both"):
        for p in mapping.crew.get(leg_name, ()):
            v = params.get(p)
            if v is None or v.lost or not v.text:
                continue
            people = _people(v, fmt)
            targets = ("launch", "landing") if leg_name == "both" else (leg_name,)
            for person, key, role, nat, target in people:
                b.persons.add(person, target)
                for t in targets:
                    legs[t].append((person, key, role, nat, p))
            break
    for leg, people in legs.items():
        seen = set()
        seat = 0
        for person, key, role, nat, p in people:
            if key in seen:
                continue
            seen.add(key)
            seat += 1
            b.crew.append({"mission_id": b.row["mission_id"], "leg": leg, "seat": seat,
                           "person": person, "person_key": key, "role": role,
                           "source": f"infobox:{p}", "nationality": nat})
    _crew_table(b, mapping, children, fmt)
    b.row["crew_launch_count"] = len({c["person_key"] for c in b.crew if c["leg"] == "launch"}) or None
    b.row["crew_landing_count"] = len({c["person_key"] for c in b.crew if c["leg"] == "landing"}) or None


def _people(value: Value, fmt: str) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(display name, person_key, role, nationality, link target) for each person listed."""
    out = []
    links = [(lbl, tgt) for lbl, tgt in value.links if not tgt.startswith("flag:")]
    flags = [lbl for lbl, tgt in value.links if tgt.startswith("flag:")]
    for n, item in enumerate(_items(value, fmt, split=True)):
        role = None
        m = _ROLE_PREFIX.match(item)
        if m:
            role = m.group(1).title()
            item = item[m.end():]
        m = _ROLE_SUFFIX.search(item)
        if m:
            role = role or _ROLE_ABBREVIATIONS.get(m.group(1).upper().rstrip("0123456789"), m.group(1).title())
            item = item[:m.start()]
        display = names.clean_person(item)
        if not display:
            continue
        target = next((tgt for lbl, tgt in links if lbl and lbl in item), None)
        nat = flags[n] if len(flags) == len(value.items) and n < len(flags) else None
        out.append((display, names.person_key(display, target), role, nat, target))
    return out


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
    if inst is None:
        b.issues.append(Issue("unparsed", spec["event"], f"{location} = {v.text!r} is not a date",
                              row["mission_id"]))
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
    launch, landing = row.get("launch_utc"), row.get("landing_utc")
    if row.get("duration_s") is None and launch is not None and landing is not None and landing >= launch:
        row["duration_s"] = int((landing - launch).total_seconds())
        row["duration_source"] = "derived"
    crew_listed = bool(row.get("crew_launch_count") or row.get("crew_landing_count"))
    row["crewed"] = bool(crew_listed or (row.get("crew_size") or 0) > 0)
    landing_params = {c.params[0] for c in mapping.columns if c.name in ("landing_utc", "landing_site")}
    landing_params.update(mapping.crew.get("landing", ()))
    row["has_landing"] = any(p in params and (params[p].text or params[p].lost) for p in landing_params)
