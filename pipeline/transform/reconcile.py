"""Reconcile the infobox with the article's prose.

- Prose events about this mission join the events table (source `prose`, the sentence as
  evidence). Events the prose attributes to another mission are left out.
- Gap filling: where the infobox gives no launch (landing) instant and the prose gives a
  successful launch (a landing), the mission takes the prose value with source `prose` and the
  prose precision. An infobox value always wins.
- A disagreement between the infobox and the prose beyond the precision of both is an Issue
  (`infobox_prose_disagree`), and the mission's `prose_conflicts` names both values.
- The gap stays visible: `lost_fields` and the value_lost issues are not touched here.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from pipeline.records import Issue, Page
from pipeline.core import instants
from pipeline.transform.mapper import Bundle

_SLACK = {"second": timedelta(seconds=1), "minute": timedelta(minutes=1), "hour": timedelta(hours=1),
          "day": timedelta(days=1), "month": timedelta(days=31), "year": timedelta(days=366)}
# Events whose first successful occurrence fills a missions column.
_FILL = {"launch": "launch", "landing": "landing"}
# Crew positions as articles name them, longest first so "Command Module Pilot" beats "Pilot".
_ROLES = ["Command Module Pilot", "Lunar Module Pilot", "Commander", "Flight Engineer",
          "Mission Specialist", "Payload Specialist", "Spaceflight Participant", "Science Pilot",
          "Research Cosmonaut", "Pilot"]
# The lookahead (the first letters a match can start with) lets the engine skip most
# positions of a long prose section at once: half the time, the same matches.
_ROLE_NAME = re.compile(
    r"\b(?=[" + "".join(sorted({r[0] for r in _ROLES + ["mission"]})) + r"])"
    r"(?:mission\s+)?(" + "|".join(r.replace(" ", r"\s+") for r in _ROLES) + r")\b,?\s+"
    r"((?:[A-Z][\w'\u2019.-]*\s?){1,4})", re.IGNORECASE)


def _aliases(bundle: Bundle) -> list[str]:
    row = bundle.row
    out = list(row.get("names_list") or [])
    if row.get("spacecraft"):
        out.append(row["spacecraft"])
    return out


def reconcile(bundle: Bundle, page: Page) -> None:
    """Add prose events to the bundle, fill launch/landing gaps, record disagreements."""
    from pipeline.extract.prose import extract_events

    row = bundle.row
    others = [row[k] for k in ("previous_mission", "next_mission") if row.get(k)]
    launch = (instants.Instant(row["launch_utc"], row.get("launch_precision") or "second")
              if row.get("launch_utc") is not None else None)
    events = extract_events(page.sections, row["title"], aliases=_aliases(bundle), other_missions=others,
                            launch=launch)
    conflicts: list[str] = []
    for ev in events:
        if getattr(ev, "mission", None):
            continue
        if ev.set_aside:
            bundle.issues.append(Issue("prose_set_aside", ev.event, f"{ev.set_aside}: {ev.evidence[:160]}",
                                       row["mission_id"]))
            continue
        bundle.events.append({
            "mission_id": row["mission_id"], "event": ev.event, "utc": ev.utc, "precision": ev.precision,
            "outcome": ev.outcome, "source": "prose", "evidence": ev.evidence, "detail": ev.detail,
            "person_key": bundle.persons.resolve(ev.person) if ev.person else None})
    for event, prefix in _FILL.items():
        # a failed launch still lifted off (a scrubbed attempt did not): its instant is the launch
        candidates = [ev for ev in events if ev.event == event and not getattr(ev, "mission", None)
                      and not ev.set_aside and ev.outcome in (None, "success", "failure")]
        if not candidates:
            continue
        first = min(candidates, key=lambda e: e.utc) if event == "launch" else max(candidates, key=lambda e: e.utc)
        col = f"{prefix}_utc"
        have: datetime | None = row.get(col)
        if have is None:
            row[col] = first.utc
            row[f"{prefix}_precision"] = first.precision
            row[f"{prefix}_source"] = "prose"
            bundle.facts.append({
                "mission_id": row["mission_id"], "field": col, "raw": first.evidence,
                "value": instants.format_instant(instants.Instant(first.utc, first.precision)), "unit": "UTC",
                "source": "prose", "location": f"{first.section}: {first.evidence[:200]}",
                "rev_id": row.get("rev_id")})
        else:
            slack = max(_SLACK[row.get(f"{prefix}_precision") or "second"], _SLACK[first.precision])
            if abs(_floor(have, first.precision) - first.utc) >= slack:
                msg = (f"{event}: infobox {have.isoformat()} ({row.get(f'{prefix}_precision')}) but prose "
                       f"{first.utc.isoformat()} ({first.precision}): {first.evidence[:160]}")
                conflicts.append(msg)
                bundle.issues.append(Issue("infobox_prose_disagree", col, msg, row["mission_id"]))
    row["prose_conflicts"] = conflicts
    _rederive_duration(row)
    _roles_from_prose(bundle, page)


def _roles_from_prose(bundle: Bundle, page: Page) -> None:
    """Crew roles the prose states ("Commander Frank Borman", "the mission commander, Oleg
    Novitsky"), for crew rows whose role the infobox left empty. A name that does not resolve
    to exactly one listed crew member is ignored."""
    if not bundle.crew:
        return
    found: dict[str, str] = {}
    for section in page.sections:
        for m in _ROLE_NAME.finditer(section.text):
            role = " ".join(w.capitalize() if w.lower() not in ("module",) else "Module"
                            for w in m.group(1).split())
            words = m.group(2).split()
            for n in range(len(words), 0, -1):
                name = " ".join(words[:n]).strip(" .,")
                # the full mention, else its last word as a surname ("James Lovell" -> Lovell)
                key = bundle.persons.resolve(name) or (n > 1 and bundle.persons.resolve(words[n - 1].strip(" .,")))
                if key:
                    found.setdefault(key, role)
                    break
    for c in bundle.crew:
        if c["role"] is None and c["person_key"] in found:
            c["role"] = found[c["person_key"]]


def _floor(t: datetime, precision: str) -> datetime:
    if precision in ("day", "month", "year"):
        t = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if precision in ("month", "year"):
        t = t.replace(day=1)
    if precision == "year":
        t = t.replace(month=1)
    return t


def _rederive_duration(row: dict) -> None:
    launch, landing = row.get("launch_utc"), row.get("landing_utc")
    if row.get("duration_source") in (None, "derived") and launch and landing and landing >= launch:
        row["duration_s"] = int((landing - launch).total_seconds())
        row["duration_source"] = "derived"
