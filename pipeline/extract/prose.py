"""Dated events from article prose, each attributed to the mission the sentence is about.

extract_events reads a page's prose Sections sentence by sentence and returns ProseEvents:
`launch`, `launch_attempt` (scrubbed, aborted, postponed, delayed), `orbit_insertion`,
`docking`, `undocking`, `eva`, `lunar_landing`, `lunar_liftoff`, `landing` (returned to Earth,
splashed down, touched down, landed) and `record` (broke a record, became the first person to).

How a sentence becomes events:
- Dates come from pipeline.core.instants.find_instants (weekday names and long zone names
  such as "Eastern Standard Time" are normalised first). A date written without a year
  ("on July 16") takes the year of the last day-precise date before it in the same section,
  else in the lead or a flight section before it. A day-relative phrase ("the next day", "the
  following night", "two days later") in a sentence without a date resolves against the last
  day-precise date of the same paragraph, at day precision, unless the text moved to an undated
  time in between ("the night before the launch"). Hour- and minute-relative phrases ("six
  hours later") and bare times ("at 16:22:13 UTC") are skipped: their day cannot be known
  honestly. A bare year counts only as "in 1969" / "during 1969" (not "Chaikin 1994").
- Each date goes to the nearest event trigger in the sentence, preferring one written before it
  in the same clause ("launched ... on 23 March 2024"). Nouns ("launch", "landing") must sit
  right next to the date; a date list ("on A, B, and C respectively") shares one trigger.
- Attribution: a sentence that names this mission (title, aliases, short form "MS-25" of
  "Soyuz MS-25") is about it, unless the mission closest to the trigger is another one.
  A sentence that names only another mission (other_missions, or any designation such as
  "Soyuz MS-24", "MS-24", "Apollo 10", "Luna 15") gives that mission's events: they are
  returned with `mission` set and the caller keeps `mission is None`. A sentence that names
  no mission counts only in the lead or in a section about the flight. Sections about legacy,
  anniversaries, references and the like never give events. A mission named after "before",
  "after", "than", "since", "like" is a point of reference, not the subject.
- Same event, same mission, same day (from two sentences) is reported once, at the finest
  precision; the order of the result is chronological, then by position in the text.

Bad input: never raises on odd text; a sentence whose date, event or mission cannot be read
honestly gives no event, and a "sentence" over 1,500 characters (a flattened table or list,
not prose) is skipped. Work is linear in the text length.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from pipeline.records import Section
from pipeline.core.instants import Instant
from pipeline.core.instants import PRECISION_RANK as RANK
from pipeline.core.patterns import caseless_first, fold_for_words, has_digit
from pipeline.extract.mentions import Mention as _Mention
from pipeline.extract.mentions import Missions as _Missions
from pipeline.extract.people import subject
from pipeline.extract.prose_traps import HISTORIC, after_launch, date_range
from pipeline.extract.sentences import (DatedSpan, RecentSentences, event_relative, find_absolute,
                                         find_relative, may_date_without_year, sentence_spans,
                                         year_runs)

_FINE = ("day", "hour", "minute", "second")
# A bare year is an event's date only as "in 1969" / "during early 1969"; elsewhere it is a
# citation ("Chaikin 1994"), a book or a count.
# (led by a case-sensitive test of "i" and "d" as re.I finds them: the same matches, the engine
# skipping to those letters at once)
_YEAR_CUE = re.compile("(?-i:(?=" + caseless_first("di") + r"))\b(?:in|during)\s+(?:(?:early|late|mid-?)\s*)?$",
                       re.I)
# Longer "sentences" are flattened tables or lists, not prose (Apollo 11's longest is 519).
_MAX_SENTENCE = 1500


@dataclass
class ProseEvent:
    """One dated event read from one sentence. `mission` None means the mission asked for."""

    event: str
    utc: datetime
    precision: str
    outcome: str | None
    detail: str | None
    evidence: str
    section: str
    person: str | None = None
    mission: str | None = None
    inferred: bool = False            # the year was taken from an earlier sentence
    set_aside: str | None = None      # why this reading is not published (see prose_traps)


# --- triggers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Trigger:
    kind: str        # launch, landing, dock, undock, orbit, eva, record (refined later)
    start: int
    end: int
    noun: bool       # a noun must sit right next to its date
    done: bool       # a completed verb ("launched", "landed"): outcome success
    detail: str | None = None


_NOT_LAUNCH = (r"(?! (?:pad|complex|site|vehicle|window|escape|abort|control|tower|umbilical"
               r"|director|operations|facility|mass|date|team|crew|configuration|campaign))")
_NOT_LANDING = (r"(?! (?:site|target|gear|zone|area|ellipse|phase|goal|legs?|radar|craft|module"
                r"|stage|point|spot|light|checklist|mission|missions|sites|party))")
_ORBIT_WORDS = r"(?:(?:a|an|the|its|their)\s+)?(?:(?:low|high|elliptical|circular|parking|stable|initial)\s+)*"
# The letters a match of each trigger can start with (in the order of the list below; None: not
# only letters): tested first, case-sensitively with what re.I lets through, they let the engine
# pass most positions of a sentence at once instead of testing the word boundary and every
# alternative there (the same matches: tests/extract/test_prose.py compares with the plain form).
_TRIGGER_STARTS = ("wbl", "lbt", "l", "l", "fstanl", "u", "s", "db", "db", "a", "ltsc", "r", "r", "stl",
                   "eiarwp", None, "sme", "s", "bse", "bwi")


def _led(letters: str | None) -> str:
    """The leading test of a trigger pattern whose matches start with one of letters."""
    return "(?-i:(?=" + caseless_first(letters) + "))" if letters else ""


_TRIGGERS: list[tuple[str, re.Pattern, bool, bool]] = [
    (kind, re.compile(_led(letters) + pattern, re.I), noun, done)
    for letters, (kind, pattern, noun, done) in zip(_TRIGGER_STARTS, [
        ("launch", r"\b(?:was |were |been )?launched\b", False, True),
        ("launch", r"\b(?:lift(?:ed)?|lifting|blasted|took) off\b", False, True),
        ("launch", r"\blift-?off\b", True, False),
        ("launch", rf"\blaunch(?:es)?(?: attempt)?\b{_NOT_LAUNCH}", True, False),
        # "A second attempt on 5 June was postponed": a launch attempt only where the text is
        # about a launch (heading or the sentences before it; see _sentence_events).
        ("attempt", r"\b(?:first|second|third|fourth|fifth|another|next|new|later|final) attempt\b",
         True, False),
        ("undock", r"\bundock(?:ed|ing|s)?\b", False, True),
        ("undock", r"\bseparated from the (?:Command Module|CSM|command ship|ISS"
                   r"|(?:International Space )?Station)\b", False, True),
        ("dock", r"\b(?:docked|berthed)\b", False, True),
        ("dock", r"\b(?:docking|berthing)\b(?! (?:port|adapter|mechanism|system|target|probe))",
         True, False),
        ("dock", r"\barrived at the (?:International Space Station|ISS|space station|station"
                 r"|orbital (?:complex|laboratory)|Tiangong|Mir)\b", False, True),
        ("landing", r"\b(?:landed|touched down|splashed down|crash-landed)\b", False, True),
        ("landing", r"\breturned (?:safely )?(?:to Earth|home)\b", False, True),
        ("landing", r"\breturn (?:safely )?to Earth\b", True, False),
        ("landing", rf"\b(?:splashdown|touchdown|landing)\b{_NOT_LANDING}", True, False),
        ("orbit", rf"\b(?:enter(?:ed|ing|s)?|inserted into|achiev(?:ed|e|ing)|reach(?:ed|ing)?"
                  rf"|went into|placed into) {_ORBIT_WORDS}(?P<body>lunar|Earth|Moon|Mars)?\s?orbit\b",
         False, True),
        ("orbit", r"\b(?P<body>lunar|Earth|Mars)?\s?orbit(?:al)? insertion\b", True, False),
        ("eva", r"\b(?:space ?walks?|moon ?walks?|EVAs?|extravehicular activit(?:y|ies))\b",
         True, False),
        ("eva", r"\b(?:step(?:ped|s)?|set (?:his|her) (?:left |right )?foot) (?:out )?(?:onto|on to|on)"
                r" the (?:lunar )?(?:surface|Moon)\b", False, True),
        ("record", r"\b(?:broke|breaking|break|set|setting|surpass(?:ed|ing)?|beat|exceeded)"
                   r" (?:the |a |an |his |her |their )?(?:new )?(?:[\w-]+ ){0,3}records?\b",
         False, False),
        ("record", r"\b(?:became|becoming|become|was|is) the first (?:person|woman|man|human"
                   r"|astronaut|cosmonaut|taikonaut|individual|people)\b", False, False),
    ], strict=True)]
_SCRUB = re.compile(r"\b(?:scrub(?:bed)?|abort(?:ed)?|postponed|delayed|called off|stood down"
                    r"|cancell?ed)\b", re.I)
# "The launch, delayed by two days, took place on ...": the delay did not stop it.
_HAPPENED = re.compile(r"\b(?:took place|occurred|happened|finally|eventually|successful(?:ly)?"
                       r"|succeeded|nominal(?:ly)?)\b", re.I)
_FAILURE = re.compile(r"\b(?:failed|failure|exploded|explosion|destroyed|crash(?:ed|-landed)?"
                      r"|malfunction(?:ed)?|anomaly)\b", re.I)
_LAUNCH_CONTEXT = re.compile(r"\b(?:launch\w*|lift-?off|countdown)\b", re.I)
_VEHICLE_FAILED = re.compile(
    r",?\s*(?:but|however|and)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:stage|rocket|booster|launch vehicle|"
    r"engines?|fairing|launcher)\s+(?:\w+\s+){0,2}(?:failed|exploded|malfunctioned|broke up|shut down early)\b",
    re.I)
_REASON = re.compile(r"\b(?:due to|because of|owing to|caused by|because)\s+(?:(?:a|an|the)\s+)?"
                     r"(?P<r>[^,;.]+)", re.I)
# (led by their words' first letters, as the triggers are: the same matches, found quicker)
_LUNAR_PLAIN = r"\b(?:Moon|lunar|crater|Mare|Tranquill?ity|LM|Lunar Module)\b"
_LUNAR = re.compile(_led("mlct") + _LUNAR_PLAIN, re.I)
_EARTH_PLAIN = (r"\b(?:Earth|ocean|Pacific|Atlantic|splash\w*|steppe|Kazakh\w*|recovery"
                r"|runway|desert|parachutes?|home)\b")
_EARTH = re.compile(_led("eopaskrdh") + _EARTH_PLAIN, re.I)
_LIFTOFF_LUNAR = re.compile(r"from the (?:lunar )?surface|from the Moon|ascent stage|ascent engine"
                            r"|Lunar Module", re.I)


_ORBIT_DETAIL = {"lunar": "lunar orbit", "moon": "lunar orbit", "earth": "Earth orbit",
                 "mars": "Mars orbit"}


# What every match of each trigger contains, lowercase (one of these strings; spaces as the
# pattern writes them): a trigger whose words are not in the folded sentence is not tried.
# Most sentences have none at all (tests/extract/test_prose.py checks each pattern's words).
_TRIGGER_WORDS: list[tuple[str, ...]] = [
    ("launched",), ("lift", "blasted off", "took off"), ("liftoff", "lift-off"), ("launch",),
    (" attempt",), ("undock",), ("separated from the ",), ("docked", "berthed"),
    ("docking", "berthing"), ("arrived at the ",), ("landed", "touched down", "splashed down"),
    ("returned ",), ("return ",), ("splashdown", "touchdown", "landing"),
    ("enter", "inserted into", "achiev", "reach", "went into", "placed into"), ("insertion",),
    ("spacewalk", "space walk", "moonwalk", "moon walk", "eva", "extravehicular activit"),
    ("step", "foot"), ("record",), (" the first ",)]
assert len(_TRIGGER_WORDS) == len(_TRIGGERS)


# Each word once, with the triggers it lets be tried (in the order of _TRIGGERS).
_WORD_TRIGGERS: tuple[tuple[str, tuple[int, ...]], ...] = tuple(
    (word, tuple(i for i, words in enumerate(_TRIGGER_WORDS) if word in words))
    for word in dict.fromkeys(w for words in _TRIGGER_WORDS for w in words))
_HAS_BODY = tuple("body" in pattern.groupindex for _, pattern, _, _ in _TRIGGERS)


def _triggers(sentence: str) -> list[_Trigger]:
    folded = fold_for_words(sentence)
    tried: set[int] = set()
    for word, indexes in _WORD_TRIGGERS:
        if word in folded:
            tried.update(indexes)
    if not tried:
        return []
    found: list[_Trigger] = []
    for i in sorted(tried):
        kind, pattern, noun, done = _TRIGGERS[i]
        for match in pattern.finditer(sentence):
            start, end = match.span()
            if any(t.start < end and start < t.end for t in found):
                continue
            detail = _ORBIT_DETAIL.get((match.group("body") or "").lower()) if _HAS_BODY[i] else None
            found.append(_Trigger(kind, start, end, noun, done, detail))
    return sorted(found, key=lambda t: t.start)


_CLAUSE_BREAK = re.compile(r";|,\s+(?:but|while|whereas|although|however)\b|\s\u2013\s|\s\u2014\s")


def _clause_breaks(sentence: str) -> list[int]:
    return [m.start() for m in _CLAUSE_BREAK.finditer(sentence)]


# "The launch, delayed by two days, took place on ...": the noun's own verb joins it to the date.
_COMMA = re.compile(r",\s")
_ORDER_WORD = re.compile(r"\b(?:before|after|until|since|prior)\b", re.I)
_PREDICATE = re.compile(r"\b(?:took place|occurred|happened|was (?:carried out|performed|conducted"
                        r"|completed))\s+(?:\w+\s+)?(?:on|at|in)\s*$", re.I)


def _score(trigger: _Trigger, date: DatedSpan, sentence: str, breaks: list[int]) -> float | None:
    """Distance from a trigger to a date; None when they cannot belong together."""
    before = trigger.end <= date.start
    lo, hi = (trigger.end, date.start) if before else (date.end, trigger.start)
    if hi < lo:  # overlapping spans
        lo, hi = hi, hi
    between = sentence[lo:hi]
    commas = len(_COMMA.findall(between))
    if trigger.noun and not (before and _PREDICATE.search(between)):
        if len(between) > (30 if before else 15) or (before and commas):
            return None
        if not before and _ORDER_WORD.search(between):
            return None
    if any(lo <= b < hi for b in breaks):
        return None
    if before and HISTORIC.search(between):
        return None     # "launched ... since STS-4 in 1982": the date is the reference's
    return len(between) * (1 if before else 2) + 40 * commas


# --- sections --------------------------------------------------------------------------------

def _words(*stems: str) -> re.Pattern:
    """Heading keywords: word starts ("anniversar" also finds "anniversary")."""
    return re.compile(r"\b(?:" + "|".join(stems) + ")")


_EXCLUDED = _words(
    "see also", "notes", "references?\\b", "further reading", "external links?", "bibliograph",
    "gallery", "legacy", "anniversar", "popular culture", "in film", "in fiction", "media",
    "commemorat", "memorial", "honou?rs?\\b", "awards?\\b", "spacecraft location",
    "current location", "display", "celebration", "reaction", "reception",
    "historical importance", "significance", "sources", "citations", "footnotes", "controvers",
    "in art", "documentar", "tribute", "preservation")
_NOT_FLIGHT = _words(
    "crew", "directors?\\b", "insignia", "patch", "call signs?", "memento", "planning",
    "background", "training", "control\\b", "race\\b", "spacecraft", "payload", "hardware",
    "personnel", "development", "rocket", "vehicle")
_FLIGHT = _words(
    "flight", "mission", "launch", "landing", "return", "recovery", "splashdown", "entry",
    "re-entry", "docking", "undocking", "orbit", "lunar", "moon", "descent", "ascent", "evas?\\b",
    "spacewalk", "extravehicular", "surface", "highlights?", "timeline", "profile", "summary",
    "events", "trans-", "trajectory", "cruise", "operations", "injection", "rendezvous",
    "stay\\b", "expedition", "chronology", "coast", "earthrise", "sphere of influence")


def _section_kinds(sections: list[Section]) -> list[str]:
    """'excluded', 'flight' or 'other' for each section; subsections inherit when unmarked."""
    kinds: list[str] = []
    stack: list[tuple[int, str]] = []
    for section in sections:
        heading = section.heading.casefold() if isinstance(section.heading, str) else ""
        level = section.level if isinstance(section.level, int) else 2
        while stack and stack[-1][0] >= level:
            stack.pop()
        inherited = stack[-1][1] if stack else "other"
        if not heading.strip():
            kind = "flight"
        elif _EXCLUDED.search(heading) or inherited == "excluded":
            kind = "excluded"
        elif _NOT_FLIGHT.search(heading):
            kind = "other"
        elif _FLIGHT.search(heading):
            kind = "flight"
        else:
            kind = inherited
        kinds.append(kind)
        if heading.strip():
            stack.append((level, kind))
    return kinds


# --- events ----------------------------------------------------------------------------------

def extract_events(sections: list[Section], mission_title: str, *, aliases=(),
                   other_missions=(), launch: Instant | None = None) -> list[ProseEvent]:
    """Dated events in the prose of one article; see the module docstring for the rules.

    Events of other missions come back with `mission` naming them; the mission asked for has
    `mission` None. An event of this mission that cannot be what it says (a docking dated
    before `launch`, the infobox's launch, else the prose's first launch) comes back with
    `set_aside` saying why (see prose_traps). Bad input: never raises; odd text, headings or
    titles give fewer events.
    """
    missions = _Missions(mission_title, list(aliases or ()), list(other_missions or ()))
    sections = [s for s in (sections or []) if isinstance(s, Section)]
    events: list[tuple[int, ProseEvent]] = []
    year_anchor: Instant | None = None   # last day-precise date of the lead or a flight section
    for section, kind in zip(sections, _section_kinds(sections)):
        if kind == "excluded":
            # Nothing read there leaves the section: it gives no events, its dates anchor only
            # its own later sentences, and only a flight section moves year_anchor.
            continue
        text = section.text if isinstance(section.text, str) else ""
        day_anchor: Instant | None = None    # last day-precise date of this section
        recent = RecentSentences(_MAX_SENTENCE)
        for paragraph in text.splitlines():
            if not paragraph:
                continue   # (no sentence: recent.add_paragraph("") would add none)
            digits = has_digit(paragraph)
            # may_date is True for each sentence that holds one of these (and for the paragraph)
            years = year_runs(paragraph) if digits else []
            if not years and (not digits or not may_date_without_year(paragraph, day_anchor or year_anchor)):
                # No sentence of it has a date (every date has a digit and more, see may_date;
                # the anchor stays the same while no date is read; a relative phrase counts
                # only after a date of the same paragraph), a date range (it has a year), or
                # an anchor to move: its sentences matter only as the ones before a later
                # event's.
                recent.add_paragraph(paragraph)
                continue
            relative_anchor: Instant | None = None   # ... of this paragraph
            # (a paragraph is one line: its sentences are split_sentences(paragraph))
            for start, end in sentence_spans(paragraph):
                if end - start > _MAX_SENTENCE:
                    continue
                sentence = paragraph[start:end]
                if not _holds(years, start, end) and (
                        not has_digit(sentence)
                        or not may_date_without_year(sentence, day_anchor or year_anchor)):
                    # no date of its own (find_dates gives []), no date range (it has a year):
                    # only a relative phrase, and only after a date of this paragraph
                    if relative_anchor is None:
                        recent.add(sentence)
                        continue
                    dates = find_relative(sentence, relative_anchor)
                    ranged = None
                else:
                    dates = find_absolute(sentence, day_anchor or year_anchor)
                    if not dates and relative_anchor is not None:
                        # relative_anchor is day_anchor here (set together; only
                        # relative_anchor is ever cleared alone): find_dates(sentence,
                        # relative_anchor) would read the same absolute dates again, none,
                        # then the relative phrase
                        dates = find_relative(sentence, relative_anchor)
                    ranged = date_range(sentence)
                if dates:
                    dates = [d for d in dates
                             if d.precision != "year" or _YEAR_CUE.search(sentence[:d.start])]
                    fine = [d for d in dates if d.precision in _FINE]
                    if fine:
                        last = max(fine, key=lambda d: d.end)
                        day_anchor = relative_anchor = Instant(last.utc, last.precision)
                        if kind == "flight":
                            year_anchor = day_anchor
                if relative_anchor is not None and event_relative(sentence):
                    relative_anchor = None
                if ranged is not None:
                    for event in _range_events(sentence, ranged, kind, missions, section.heading):
                        events.append((len(events), event))
                elif dates:
                    for event in _sentence_events(sentence, dates, kind, missions,
                                                  section.heading, recent):
                        events.append((len(events), event))
                recent.add(sentence)
    return after_launch(_merge(events), launch)


def _holds(positions: list[int], start: int, end: int) -> bool:
    """Whether one of positions (sorted) lies in [start, end)."""
    i = bisect.bisect_left(positions, start)
    return i < len(positions) and positions[i] < end


def _range_events(sentence, ranged, section_kind, missions, heading) -> list[ProseEvent]:
    """A flight written as a date range: a launch on the first day, a landing on the last."""
    start, first, last = ranged
    trigger = _Trigger("launch", start, start, True, False)
    found, mission = _attribute(trigger, missions.find(sentence), section_kind)
    if not found:
        return []
    heading = heading if isinstance(heading, str) else ""
    return [ProseEvent(event, utc, "day", None, "date range", sentence, heading, mission=mission)
            for event, utc in (("launch", first), ("landing", last))]



def _sentence_events(sentence, dates, section_kind, missions, heading, recent: RecentSentences):
    triggers = _triggers(sentence)
    if not triggers:
        return []
    previous = recent.last(3)   # (split only now: most dated sentences have no trigger)
    if any(t.kind == "attempt" for t in triggers):
        about_launch = _LAUNCH_CONTEXT.search(" ".join([heading if isinstance(heading, str) else "",
                                                        *previous[-2:]]))
        triggers = [t if t.kind != "attempt" else _Trigger("launch", t.start, t.end, t.noun, t.done)
                    for t in triggers if t.kind != "attempt" or about_launch]
    triggers = [_refine(t, sentence, previous, heading) for t in triggers]
    if not triggers:
        return []
    breaks = _clause_breaks(sentence)
    mentions = missions.find(sentence)
    out = []
    for group in _date_groups(dates, sentence):
        scored = [(s, t) for t in triggers
                  if (s := _score(t, group[0], sentence, breaks)) is not None]
        if not scored:
            continue
        trigger = min(scored, key=lambda st: (st[0], st[1].start))[1]
        found, mission = _attribute(trigger, mentions, section_kind)
        if not found:
            continue
        person = (subject(sentence, trigger.start, trigger.end, previous)
                  if trigger.kind in ("record", "eva") else None)
        outcome, detail = _outcome(trigger, sentence, breaks)
        if outcome == "skip":
            continue
        for date in group:
            out.append(ProseEvent(
                event=trigger.kind if outcome != "scrubbed" else "launch_attempt",
                utc=date.utc, precision=date.precision, outcome=outcome, detail=detail,
                evidence=sentence, section=heading if isinstance(heading, str) else "",
                person=person, mission=mission, inferred=date.how == "year_inferred"))
    return out


def _refine(trigger: _Trigger, sentence: str, previous: list[str], heading) -> _Trigger:
    """Name the trigger's event: landing on the Moon or on Earth, liftoff from the Moon, ..."""
    kinds = {"dock": "docking", "undock": "undocking", "orbit": "orbit_insertion", "attempt": "launch"}
    kind = kinds.get(trigger.kind, trigger.kind)
    text = sentence[trigger.start:trigger.end].lower()
    if trigger.kind == "landing" and not text.startswith("return") and "splash" not in text:
        kind = "lunar_landing" if _on_moon(trigger, sentence, previous, heading) else "landing"
    if trigger.kind == "launch" and "launch" not in text and _LIFTOFF_LUNAR.search(sentence):
        kind = "lunar_liftoff"
    return _Trigger(kind, trigger.start, trigger.end, trigger.noun, trigger.done, trigger.detail)


def _on_moon(trigger: _Trigger, sentence: str, previous: list[str], heading) -> bool:
    after = sentence[trigger.end:trigger.end + 60]
    lunar, earth = _LUNAR.search(after), _EARTH.search(after)
    if lunar or earth:
        return bool(lunar) and (not earth or lunar.start() < earth.start())
    for text in [sentence, *previous[-1:], heading if isinstance(heading, str) else ""]:
        lunar, earth = bool(_LUNAR.search(text)), bool(_EARTH.search(text))
        if lunar != earth:
            return lunar
    return False


_LIST_GLUE = re.compile(r"\s*(?:,|,?\s*and|,?\s*or)\s*")


def _date_groups(dates: list[DatedSpan], sentence: str) -> list[list[DatedSpan]]:
    """Dates in a list ("on A, B, and C respectively") go together to one trigger."""
    groups: list[list[DatedSpan]] = []
    for date in sorted(dates, key=lambda d: d.start):
        if groups and _LIST_GLUE.fullmatch(sentence, groups[-1][-1].end, date.start):
            groups[-1].append(date)
        else:
            groups.append([date])
    return groups


def _attribute(trigger: _Trigger, mentions: list[_Mention], section_kind: str):
    """(keep, mission): mission None is this mission, else the other mission's name."""
    if not mentions:
        return section_kind == "flight", None
    own = [m for m in mentions if m.name is None]
    others = [m for m in mentions if m.name is not None]
    if not others:
        return True, None
    subjects = [m for m in mentions if not m.reference] or mentions
    if not own:
        subjects = [m for m in others if not m.reference] or others
    nearest = min(subjects, key=lambda m: (min(abs(m.start - trigger.end), abs(trigger.start - m.end)),
                                           m.start))
    return True, nearest.name


# What every match of each outcome pattern contains, as patterns.fold_for_words writes it: a
# pattern is searched only where one of its words is (tests/extract/test_prose.py).
_OUTCOME_WORDS = {
    _REASON: ("due to", "because", "owing to", "caused by"),
    _SCRUB: ("scrub", "abort", "postponed", "delayed", "called off", "stood down", "cancel"),
    _HAPPENED: ("took place", "occurred", "happened", "finally", "eventually", "successful",
                "succeeded", "nominal"),
    _FAILURE: ("failed", "failure", "explo", "destroyed", "crash", "malfunction", "anomaly"),
    _VEHICLE_FAILED: ("failed", "exploded", "malfunctioned", "broke up", "shut down early"),
}


def _search(pattern: re.Pattern, sentence: str, folded: str, pos: int = 0) -> re.Match | None:
    """pattern.search(sentence, pos), tried only where one of its _OUTCOME_WORDS is in folded."""
    for word in _OUTCOME_WORDS[pattern]:
        if word in folded:
            return pattern.search(sentence, pos)
    return None


def _outcome(trigger: _Trigger, sentence: str, breaks: list[int]) -> tuple[str | None, str | None]:
    folded = fold_for_words(sentence)
    reason = _search(_REASON, sentence, folded)
    why = reason.group("r").strip() if reason else None
    scrub = _search(_SCRUB, sentence, folded)
    if scrub and trigger.kind != "record" and not _search(_HAPPENED, sentence, folded) and (
            not trigger.done or _same_clause(scrub.start(), trigger.start, breaks)):
        # A postponed spacewalk or docking did not happen on that date: no event at all.
        return ("scrubbed", why) if trigger.kind == "launch" else ("skip", None)
    if trigger.kind in ("launch", "landing", "docking", "undocking", "lunar_landing",
                        "orbit_insertion", "eva"):
        failure = _search(_FAILURE, sentence, folded)
        if failure and _same_clause(failure.start(), trigger.start, breaks):
            return "failure", why
        # "launched on 8 June, but the second stage failed": the vehicle failing is the launch's
        vehicle = _search(_VEHICLE_FAILED, sentence, folded, trigger.end) if trigger.kind == "launch" else None
        if vehicle:
            return "failure", vehicle.group(0).strip(" ,")
    if trigger.kind == "record":
        return None, None
    if trigger.done or _search(_HAPPENED, sentence, folded):
        return "success", trigger.detail
    return None, trigger.detail


def _same_clause(a: int, b: int, breaks: list[int]) -> bool:
    lo, hi = min(a, b), max(a, b)
    return not any(lo <= x < hi for x in breaks)


def _merge(events: list[tuple[int, ProseEvent]]) -> list[ProseEvent]:
    """One event per mission, event, person and instant; the finest precision wins, then the
    first. Instants are the same when they agree to the coarser precision ("March 2024" and
    "23 March 2024") or lie within a minute ("20:18" and "20:17:40"); records and spacewalks
    at distinct times stay apart."""
    kept: dict[tuple, list[list]] = {}
    for order, event in events:
        same = kept.setdefault((event.mission, event.event, event.person), [])
        for slot in same:
            k = slot[1]
            coarse = min(RANK[k.precision], RANK[event.precision])
            if _truncate(k.utc, coarse) == _truncate(event.utc, coarse) or \
                    abs((k.utc - event.utc).total_seconds()) <= 60:
                if RANK[event.precision] > RANK[k.precision]:
                    slot[1] = event
                break
        else:
            same.append([order, event])
    merged = [slot for slots in kept.values() for slot in slots]
    merged.sort(key=lambda slot: (slot[1].utc, slot[0]))
    return [event for _, event in merged]


def _truncate(utc: datetime, rank: int) -> datetime:
    fields = [utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second]
    # defaults of the fields below the precision: month 1, day 1, then zeros
    keep = fields[:rank + 1] + [0, 1, 1, 0, 0, 0][rank + 1:]
    return datetime(*keep, tzinfo=timezone.utc)
