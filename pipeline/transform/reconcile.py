"""Reconcile the infobox with the article's prose.

- Prose events about this mission join the events table (source `prose`, the sentence as
  evidence). Events the prose attributes to another mission are left out.
- Gap filling: where the infobox gives no launch (landing) instant and the prose gives a
  successful launch (a landing), the mission takes the prose value with source `prose` and the
  prose precision. An infobox value always wins.
- A disagreement between the infobox and the prose beyond the precision of both is an Issue
  (`infobox_prose_disagree`), and the mission's `prose_conflicts` names both values.
- The gap stays visible: `lost_fields` and the value_lost issues are not touched here.
- Planned is not actual (transform/status.py): prose events dated after the reference (the
  revision, else the run date) are left out, and no planned leg is filled from the prose.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from pipeline.records import Issue, Page
from pipeline.core import instants
from pipeline.core.patterns import caseless_first, finditer_at, fold_for_words, occurrences
from pipeline.core.roles import ROLES
from pipeline.transform import status as planned
from pipeline.transform.mapper import Bundle

# Events whose first successful occurrence fills a missions column.
_FILL = {"launch": "launch", "landing": "landing"}
# The lookahead (the first letters a match can start with, tested case-sensitively: the same
# characters re.I would let through) lets the engine skip most positions of a long prose
# section at once: a fraction of the time, the same matches.
_ROLE_NAME = re.compile(
    r"\b(?-i:(?=" + caseless_first(sorted({r[0].lower() for r in (*ROLES, "mission")})) + r"))"
    r"(?:mission\s+)?(" + "|".join(r.replace(" ", r"\s+") for r in ROLES) + r")\b,?\s+"
    r"((?:[A-Z][\w'\u2019.-]*\s?){1,4})", re.IGNORECASE)
# Where a match of _ROLE_NAME can start: "mission" or the first word of a position, as re.I
# finds them (the pattern is tried only there: the same matches, without the engine setting up
# \b and the lookahead at every character of the prose). A match holds a whole position, so
# its last word: the first words looked for are those of the positions whose last word a
# section has ("pilot": "command", "lunar", "science", "pilot"), and "mission" with them; a
# section with none of the last words (most) is passed with six scans.
_ROLE_FIRST_WORDS: dict[str, tuple[str, ...]] = {
    last: tuple(sorted({r.split()[0].lower() for r in ROLES if r.split()[-1].lower() == last}))
    for last in sorted({r.split()[-1].lower() for r in ROLES})}


def _aliases(bundle: Bundle) -> list[str]:
    row = bundle.row
    out = list(row.get("names_list") or [])
    if row.get("spacecraft"):
        out.append(row["spacecraft"])
    return out


def reconcile(bundle: Bundle, page: Page) -> Bundle:
    """A new bundle: the given one with the prose events added, launch/landing gaps filled and
    disagreements recorded. The given bundle and page are not changed."""
    from pipeline.extract.prose import extract_events

    bundle = replace(bundle, row=dict(bundle.row), crew=[dict(c) for c in bundle.crew],
                     events=list(bundle.events), facts=list(bundle.facts), issues=list(bundle.issues))
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
        if bundle.reference is not None and ev.utc is not None and ev.utc > bundle.reference:
            continue   # dated after the revision (or the run): planned, not an event
        bundle.events.append({
            "mission_id": row["mission_id"], "event": ev.event, "utc": ev.utc, "precision": ev.precision,
            "outcome": ev.outcome, "source": "prose", "evidence": ev.evidence, "detail": ev.detail,
            "person_key": bundle.persons.resolve(ev.person) if ev.person else None})
    # planned is not actual: no prose fill for a mission that has not flown (or not yet landed),
    # and nothing dated after the reference (the revision, else the run date)
    for event, prefix in _FILL.items():
        if row.get("status") in ("planned", "cancelled") or (event == "landing" and row.get("status") == "in_progress"):
            continue
        # a failed launch still lifted off (a scrubbed attempt did not): its instant is the launch
        candidates = [ev for ev in events if ev.event == event and not getattr(ev, "mission", None)
                      and not ev.set_aside and ev.outcome in (None, "success", "failure")
                      and (bundle.reference is None or ev.utc <= bundle.reference)]
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
            # prose rounds ("16:51 UTC" for 16:50:35): a difference within the coarser unit of
            # the two, counted from the start of the prose value's unit, is agreement
            slack = max(instants.PRECISION_SPAN[row.get(f"{prefix}_precision") or "second"], instants.PRECISION_SPAN[first.precision])
            if abs(instants.floor_to(have, first.precision) - first.utc) >= slack:
                msg = (f"{event}: infobox {have.isoformat()} ({row.get(f'{prefix}_precision')}) but prose "
                       f"{first.utc.isoformat()} ({first.precision}): {first.evidence[:160]}")
                conflicts.append(msg)
                bundle.issues.append(Issue("infobox_prose_disagree", col, msg, row["mission_id"]))
    row["prose_conflicts"] = conflicts
    planned.derive_duration(row)
    if "status" in row and row.get("status") not in ("planned", "cancelled"):
        row["status"], row["status_evidence"] = planned.mission_status(row, bundle.evidence)
    _roles_from_prose(bundle, page)
    return bundle


def _role_matches(text: str) -> list[re.Match]:
    """_ROLE_NAME.finditer(text), tried only where a match can start."""
    folded = fold_for_words(text)
    words = [word for last, firsts in _ROLE_FIRST_WORDS.items() if last in folded for word in firsts]
    if not words:
        return []
    # (occurrences in folded: where occurrences(text, ..., caseless=True) finds them)
    return finditer_at(_ROLE_NAME, text, occurrences(folded, ["mission", *words]))


def _roles_from_prose(bundle: Bundle, page: Page) -> None:
    """Crew roles the prose states ("Commander Frank Borman", "the mission commander, Oleg
    Novitsky"), for crew rows whose role the infobox left empty. A name that does not resolve
    to exactly one listed crew member is ignored."""
    if all(c["role"] is not None for c in bundle.crew):
        return   # no crew row left to fill (none at all, or every role given): nothing to look for
    found: dict[str, str] = {}
    for section in page.sections:
        for m in _role_matches(section.text):
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
