"""Crew rows of a mission: who flew on which leg, in the order the infobox lists them.

- Seats follow the box: Template:Infobox spaceflight shows "Members" (`crew_members`, the crew
  who flew both ways) first, then "Launching" / "Landing" (`crew_launching`, `crew_landing`: the
  crew who only launched or only landed). A leg is the members, then its own list.
- Placeholders (None, TBA, N/A, Uncrewed), footnote items ("* - Transferred to EO-4") and
  group labels ("Apollo:") are not people (pipeline.core.qualifiers). A label in front of a
  name ("Vostok 3: Andriyan Nikolayev") is kept in the row's `group`.
- Only flown legs become rows: a mission that has not flown keeps its assigned crew in
  missions.crew_assigned; a mission in progress has no landing leg yet.

Error policy: bad data is data; an item that is not a person is skipped, nothing raises.
"""
from __future__ import annotations

import re

from pipeline.core import names, qualifiers
from pipeline.core.roles import ROLE_ABBREVIATIONS
from pipeline.records import Value

# "Eileen Collins (CDR)": crew roles written after the name, as NASA abbreviates them.
_ROLE_SUFFIX = re.compile(
    r"\s*[(\[]\s*(CDR|PLT|MS\d?|PS\d?|FE\d?|CMP|LMP|SFP|SP|commander|pilot|flight engineer|"
    r"mission specialist(?: \d)?|payload specialist(?: \d)?)\s*[)\]]\s*$", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_ROLE_PREFIX = re.compile(r"^\s*(commander|pilot|flight engineer|mission specialist|payload specialist|"
                          r"command module pilot|lunar module pilot|cosmonaut|spaceflight participant|"
                          r"science pilot|mission commander)\s*[:\-\u2013]\s*", re.IGNORECASE)
# "0 up, 3 down", "2 (launching)": a count written where the names go.
_COUNT = re.compile(r"^\s*(?:\d+|zero|one|two|three|four|five|six|seven|eight)\s*(?:up|down|\(|$)", re.I)
LEGS = ("launch", "landing")


def items_of(value: Value, fmt: str, split: bool) -> list[str]:
    """A value's list items (its text when it is not a list); rendered text, which has lost the
    list markup, is split at commas, semicolons and "and" when `split`."""
    items = [i for i in value.items if i.strip()] or ([value.text] if value.text else [])
    if split and fmt == "text":
        items = [p for i in items for p in _LIST_SPLIT.split(i) if p.strip()]
    return [i.strip() for i in items]


def people(value: Value, fmt: str) -> list[dict]:
    """Each person a crew value lists: display name, person_key, role, nationality, link target
    and group label. Placeholders, notes, counts and group headers are left out."""
    out = []
    links = [(lbl, tgt) for lbl, tgt in value.links if not tgt.startswith("flag:")]
    flags = [lbl for lbl, tgt in value.links if tgt.startswith("flag:")]
    raw_items = items_of(value, fmt, split=True)
    for n, item in enumerate(qualifiers.read_items(raw_items)):
        text = item.text
        if item.placeholder or _COUNT.match(text) or qualifiers.is_planned(text):
            continue
        role = None
        m = _ROLE_PREFIX.match(text)
        if m:
            role = m.group(1).title()
            text = text[m.end():]
        m = _ROLE_SUFFIX.search(text)
        if m:
            role = role or ROLE_ABBREVIATIONS.get(m.group(1).upper().rstrip("0123456789"), m.group(1).title())
            text = text[:m.start()]
        text, _note = qualifiers.strip_name_marks(text)
        display = names.clean_person(text)
        if not display or qualifiers.is_placeholder(display):
            continue
        target = next((tgt for lbl, tgt in links if lbl and lbl in text), None)
        nat = flags[n] if len(flags) == len(value.items) and n < len(flags) else None
        out.append({"person": display, "person_key": names.person_key(display, target), "role": role,
                    "nationality": nat, "target": target, "group": item.label})
    return out


def listed_crew(mapping, params: dict[str, Value], fmt: str) -> dict[str, list[tuple[dict, str]]]:
    """Per leg, (person, parameter) in box order: members first, then the leg's own list."""
    legs: dict[str, list[tuple[dict, str]]] = {leg: [] for leg in LEGS}
    for leg_name in ("both", "launch", "landing"):
        for p in mapping.crew.get(leg_name, ()):
            v = params.get(p)
            if v is None or v.lost or not v.text:
                continue
            for person in people(v, fmt):
                for t in (LEGS if leg_name == "both" else (leg_name,)):
                    legs[t].append((person, p))
            break
    return legs


def add_crew(b, mapping, params: dict[str, Value], fmt: str, children=(), flown=LEGS) -> None:
    """Crew rows of the flown legs (see the module docstring); the names of a crew that has not
    flown go to missions.crew_assigned."""
    legs = listed_crew(mapping, params, fmt)
    for leg, listed in legs.items():
        for person, _ in listed:
            b.persons.add(person["person"], person["target"])
    if "launch" not in flown:
        assigned = []
        for person, _ in legs["launch"] + legs["landing"]:
            if person["person"] not in assigned:
                assigned.append(person["person"])
        b.row["crew_assigned"] = assigned or None
    for leg in flown:
        seen: set[str] = set()
        for person, p in legs[leg]:
            if person["person_key"] in seen:
                continue
            seen.add(person["person_key"])
            b.crew.append({"mission_id": b.row["mission_id"], "leg": leg, "seat": len(seen),
                           "person": person["person"], "person_key": person["person_key"],
                           "role": person["role"], "source": f"infobox:{p}",
                           "nationality": person["nationality"], "group": person["group"]})
    _crew_table(b, children, fmt, flown)
    b.row["crew_launch_count"] = len({c["person_key"] for c in b.crew if c["leg"] == "launch"}) or None
    b.row["crew_landing_count"] = len({c["person_key"] for c in b.crew if c["leg"] == "landing"}) or None


def _crew_table(b, children, fmt: str, flown) -> None:
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
            rows.append((role, people(up, fmt), people(down, fmt) if down is not None and down.text else None))
        if not rows:
            continue
        if b.crew:
            roles = {p["person_key"]: role for role, up, _ in rows if role for p in up}
            landing_roles = {p["person_key"]: role for role, up, down in rows if role for p in (down or up)}
            for c in b.crew:
                found = (roles if c["leg"] == "launch" else landing_roles).get(c["person_key"])
                if c["role"] is None and found:
                    c["role"] = found
            return
        for leg in flown:
            seat = 0
            for role, up, down in rows:
                for p in (up if leg == "launch" else down or up):
                    b.persons.add(p["person"], p["target"])
                    seat += 1
                    b.crew.append({"mission_id": b.row["mission_id"], "leg": leg, "seat": seat,
                                   "person": p["person"], "person_key": p["person_key"], "role": role,
                                   "source": f"{box.template}[{box.index}]",
                                   "nationality": p["nationality"], "group": p["group"]})
        return
