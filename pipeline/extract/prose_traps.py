"""Sentences that look like events of the mission but are not, or are but do not look it
(the rules prose.py applies before and after reading a sentence's events).

- Another designation of this mission: "Soyuz MS-26, ... identified by NASA as Soyuz 72S, was
  launched ..." names this mission twice. A designation is this mission's when an apposition
  introduces it right after this mission was named ("identified ... as", "also known as",
  "officially", "or", an opening bracket), or when its serial ("72S") is the serial of one of the
  mission's own names ("ISS 72S").
- Historical references: in "the first crewed flight launched from the United States since
  STS-4 in 1982" the date belongs to the reference: a date that follows "since", "than" or
  "until" after the trigger is not the trigger's.
- A flight written as a date range: "a Russian Soyuz spaceflight to the ISS on 8–20 December
  2021" is a launch on the first day and a landing on the last, when a flight word ("flight",
  "spaceflight", "mission", "flew") leads to the range in the same clause.
- Events after launch dated before it: a docking, undocking, spacewalk, landing, orbit
  insertion or record before this mission's launch is a misreading. When its year was only
  inferred (a date written without a year took the year of an earlier sentence), the first later
  year that puts it on or after the launch is taken; otherwise the event is set aside with the
  reason, never published as this mission's.

Bad input: never raises. Every pattern here is linear in the sentence.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from pipeline.core.instants import Instant
from pipeline.core.instants import PRECISION_RANK as _RANK

_APPOSITION = re.compile(
    r"(?:\b(?:identified|designated|known|referred to|called|named|listed|designated)\b[^.;()]{0,40}?"
    r"\bas|\balso known as|\ba\.?k\.?a\.?|\bofficially|\bor|\bformerly)\s*$|\(\s*$", re.I)
_SERIAL = re.compile(r"\b\d{1,4}[A-Z]{0,3}\b")
# "since STS-4 in 1982", "than any flight before 2011", "until the final mission in 2011"
HISTORIC = re.compile(r"\b(?:since|than|until)\b", re.I)

_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DASH = r"\s*(?:[\u2010-\u2015-]|to|until|through)\s*"
_RANGES = [
    # 8–20 December 2021
    (re.compile(rf"\b(\d{{1,2}}){_DASH}(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b"), "d-d M y"),
    # December 8–20, 2021
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_DASH}(\d{{1,2}}),?\s+(\d{{4}})\b"), "M d-d y"),
    # 30 May – 2 August 2020
    (re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}{_DASH}(\d{{1,2}})\s+{_MONTH}\s+(\d{{4}})\b"), "d M-d M y"),
    # May 30 – August 2, 2020
    (re.compile(rf"\b{_MONTH}\s+(\d{{1,2}}){_DASH}{_MONTH}\s+(\d{{1,2}}),?\s+(\d{{4}})\b"), "M d-M d y"),
]
_YEAR = re.compile(r"\d{4}")   # in every match of _RANGES
_ASCII_YEAR = re.compile(r"[0-9]{4}")   # the same in ASCII text, faster
# (led by the digit both forms start with, not by an alternation: the engine then skips to
# digits at once)
_RANGE_HINT = re.compile(r"\d(?:\s*(?:[\u2010-\u2015-]|to|until|through)\s*[\dA-Z]"
                         r"|\s+[A-Z][a-z]+\s*(?:[\u2010-\u2015-]|to))")
_ASCII_RANGE_HINT = re.compile("[0-9]" + _RANGE_HINT.pattern[2:])   # the same in ASCII text, faster
_FLIGHT_WORD = re.compile(r"\b(?:space ?flight|flight|mission|flew|flown|voyage|trip)\b[^;:.]{0,80}$",
                          re.I)

AFTER_LAUNCH = frozenset({"docking", "undocking", "eva", "landing", "lunar_landing",
                          "lunar_liftoff", "orbit_insertion", "record"})


def serial(name: str) -> str | None:
    """The serial of a designation: its last number-bearing token ("ISS 72S" -> "72S")."""
    found = _SERIAL.findall(name or "")
    return found[-1].upper() if found else None


def apposition(sentence: str, start: int) -> bool:
    """True when the text just before `start` introduces another name of what came before."""
    return _APPOSITION.search(sentence[max(0, start - 60):start]) is not None


def date_range(sentence: str) -> tuple[int, datetime, datetime] | None:
    """(position, first day, last day) of a flight written as a date range, else None."""
    ascii = sentence.isascii()
    if not (_ASCII_YEAR if ascii else _YEAR).search(sentence) or not (
            _ASCII_RANGE_HINT if ascii else _RANGE_HINT).search(sentence):
        return None
    for pattern, shape in _RANGES:
        for m in pattern.finditer(sentence):
            if not _FLIGHT_WORD.search(sentence[max(0, m.start() - 120):m.start()]):
                continue
            g = m.groups()
            try:
                if shape == "d-d M y":
                    month, year = _MONTHS[g[2].lower()], int(g[3])
                    first, last = _day(year, month, g[0]), _day(year, month, g[1])
                elif shape == "M d-d y":
                    month, year = _MONTHS[g[0].lower()], int(g[3])
                    first, last = _day(year, month, g[1]), _day(year, month, g[2])
                elif shape == "d M-d M y":
                    year = int(g[4])
                    first = _day(year, _MONTHS[g[1].lower()], g[0])
                    last = _day(year, _MONTHS[g[3].lower()], g[2])
                else:
                    year = int(g[4])
                    first = _day(year, _MONTHS[g[0].lower()], g[1])
                    last = _day(year, _MONTHS[g[2].lower()], g[3])
            except ValueError:
                continue
            if first <= last:
                return m.start(), first, last
    return None


def _day(year: int, month: int, day: str) -> datetime:
    return datetime(year, month, int(day), tzinfo=timezone.utc)




def before(utc: datetime, precision: str, launch: datetime, launch_precision: str) -> bool:
    """True when an instant lies before the launch at the coarser of the two precisions."""
    coarse = min(_RANK.get(precision, 5), _RANK.get(launch_precision, 5))
    return _floor(utc, coarse) < _floor(launch, coarse)


def _floor(utc: datetime, rank: int) -> tuple:
    return (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)[:rank + 1]


def after_launch(events: list, launch: Instant | None) -> list:
    """Set aside (or move to the next year, when the year was inferred) this mission's
    after-launch events (prose.ProseEvent) dated before its launch; `launch` None: the first
    launch the prose gives this mission."""
    if launch is None:
        own = [e for e in events if e.event == "launch" and e.mission is None and not e.set_aside
               and e.outcome in (None, "success", "failure")]
        if not own:
            return events
        first = min(own, key=lambda e: e.utc)
        launch = Instant(first.utc, first.precision)
    for ev in events:
        if ev.mission is not None or ev.event not in AFTER_LAUNCH:
            continue
        if not before(ev.utc, ev.precision, launch.utc, launch.precision):
            continue
        if ev.inferred:
            for years in (1, 2):
                try:
                    moved = ev.utc.replace(year=ev.utc.year + years)
                except ValueError:
                    break
                if not before(moved, ev.precision, launch.utc, launch.precision):
                    ev.utc = moved
                    break
        if before(ev.utc, ev.precision, launch.utc, launch.precision):
            ev.set_aside = (f"{ev.event} dated {ev.utc.date().isoformat()} is before the launch "
                            f"({launch.utc.date().isoformat()}): not this mission's")
    return sorted(events, key=lambda e: e.utc)
