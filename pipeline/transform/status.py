"""Planned is not actual: which values of a mission are facts, and the mission's status.

A value is planned (never an actual column, event or crew leg) when it carries a mark
(pipeline.core.qualifiers: "(planned)", "NET", "TBA", "(cancelled)", ...) or when its instant
starts after the reference date: the source's revision time where the input has one (API, dump),
else the run's date (a date after the run cannot have happened; see the README, "status").

The mission's status, from the infobox's own evidence:
  cancelled    no launch, and the launch (or the programme) says cancelled / never launched
  planned      no launch yet: the launch is planned, or dated after the reference
  failed       launched, and the box says the vehicle was destroyed or never reached its orbit
               (`destroyed`, "Failed to achieve orbit", an orbit marked planned)
  in_progress  launched, not landed, and the box says "(in progress)" or plans the landing
               (an expedition: started, no end yet)
  completed    launched and landed (an expedition: its end_date is a past fact)
  launched     launched; the box states no end (stations, modules, lost landing dates)
  null         nothing says whether it flew
`status_evidence` names the parameter and the text that decided.

Error policy: bad data is data; nothing here raises on odd rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pipeline.core import qualifiers
from pipeline.core.instants import PRECISIONS, Instant, interval_end, parse_instant

# Parameters whose marks can say the whole mission was cancelled (not, e.g., next_mission's
# "Cancelled: STS-61-E", which is about another mission).
_CANCEL_PARAMS = re.compile(r"^(?:launch(?:_date)?|launchdate|programme\d*|program\d*|status)$")
# Parameters that say a flown mission failed.
_FAILURE_PARAMS = ("destroyed", "orbit_reference", "orbits_completed", "orbit_regime")
_FAILURE_WORDS = re.compile(r"(?<![\w-])(?:fail(?:ed|ure)|destroyed|disintegrated|lost)(?![\w-])", re.I)


@dataclass(frozen=True)
class Evidence:
    """A mark read from a parameter: kind (planned, cancelled, in_progress, failed), the
    parameter, and the text it was read from (or why: "after 2026-12-04")."""

    kind: str
    param: str
    text: str


def planned_reason(text: str, instant: Instant | None, reference: datetime | None) -> str | None:
    """Why a dated value is not a fact ("planned", "NET", "cancelled", "after 2026-12-04"), or
    None when it is one. An instant counts as after the reference when its interval starts
    after it (a year-precision "2026" is not after 4 December 2026)."""
    mark = qualifiers.mark_of(text)
    if mark is not None and mark.kind in (qualifiers.PLANNED, qualifiers.CANCELLED):
        return mark.word
    if instant is not None and reference is not None and instant.utc > reference:
        return f"after {reference.date().isoformat()}"
    return None


# An expedition's box gives its start and end (`start_date`, `end_date`: Mir EO-3, ISS EP-1)
# instead of a launch and a landing.
_EXPEDITION = (("end_date", "ended"), ("start_date", "started"))


def evidence_from_params(params: dict, reference: datetime | None = None) -> list[Evidence]:
    """Marks that bear on the whole mission: cancellation, failure, in progress, and an
    expedition's actual start and end."""
    out = []
    for name, kind in _EXPEDITION:
        text = getattr(params.get(name), "text", "") or ""
        inst = parse_instant(text) if text else None
        if inst is not None and planned_reason(text, inst, reference) is None:
            out.append(Evidence(kind, name, text))
    for name, value in params.items():
        text = getattr(value, "text", "") or ""
        if not text:
            continue
        mark = qualifiers.mark_of(text)
        if mark is not None and mark.kind == qualifiers.CANCELLED and _CANCEL_PARAMS.match(name):
            out.append(Evidence("cancelled", name, text))
        elif mark is not None and mark.kind == qualifiers.IN_PROGRESS:
            out.append(Evidence("in_progress", name, text))
        if name in _FAILURE_PARAMS and (name == "destroyed" or _FAILURE_WORDS.search(text)
                                        or qualifiers.is_planned(text)):
            out.append(Evidence("failed", name, text))
    return out


def mission_status(row: dict, evidence: list[Evidence]) -> tuple[str | None, str | None]:
    """(status, evidence text) of a mission row; see the module docstring."""
    def first(kind: str, params: tuple[str, ...] = ()) -> Evidence | None:
        return next((e for e in evidence if e.kind == kind and (not params or e.param in params)), None)

    def say(e: Evidence) -> str:
        return (e.text if e.kind == "planned" else f"{e.param}: {e.text}")[:200]

    if row.get("launch_utc") is None:
        e = first("cancelled")
        if e:
            return "cancelled", say(e)
        e = first("planned", ("launch_utc",))
        if e:
            return "planned", say(e)
        e = first("ended")
        if e:
            return "completed", say(e)
        e = first("started")
        if e:
            return "in_progress", say(e)
        return None, None
    e = first("failed")
    if e:
        return "failed", say(e)
    if row.get("landing_utc") is not None:
        return "completed", f"landing_utc: {row['landing_utc'].isoformat()}"
    e = first("in_progress") or first("planned", ("landing_utc",))
    if e:
        return "in_progress", say(e)
    return "launched", f"launch_utc: {row['launch_utc'].isoformat()}"


def interval_seconds(start: datetime, precision: str | None) -> int:
    """Length in seconds of the interval an instant stands for (a day 86400, a month its days)."""
    return int((interval_end(start, precision) - start).total_seconds())


def coarser(a: str | None, b: str | None) -> str:
    """The coarser of two precisions (unknown counts as second)."""
    rank = {p: i for i, p in enumerate(PRECISIONS)}
    a, b = a or "second", b or "second"
    return a if rank.get(a, 5) <= rank.get(b, 5) else b


def derive_duration(row: dict) -> None:
    """duration_s from landing - launch where no duration is stated, with the coarser precision
    of the two and a tolerance: the true duration lies within duration_s minus the launch
    interval and plus the landing interval, so the tolerance is the longer of the two."""
    launch, landing = row.get("launch_utc"), row.get("landing_utc")
    if row.get("duration_source") not in (None, "derived") or launch is None or landing is None:
        return
    if landing < launch:
        return
    lp, dp = row.get("launch_precision"), row.get("landing_precision")
    row["duration_s"] = int((landing - launch).total_seconds())
    row["duration_source"] = "derived"
    row["duration_precision"] = coarser(lp, dp)
    row["duration_tolerance_s"] = max(interval_seconds(launch, lp), interval_seconds(landing, dp))
