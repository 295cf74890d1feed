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
from datetime import datetime, timedelta, timezone

from pipeline.records import Section
from pipeline.core.instants import Instant, find_instants

_FINE = ("day", "hour", "minute", "second")
# A bare year is an event's date only as "in 1969" / "during early 1969"; elsewhere it is a
# citation ("Chaikin 1994"), a book or a count.
_YEAR_CUE = re.compile(r"\b(?:in|during)\s+(?:(?:early|late|mid-?)\s*)?$", re.I)
# Longer "sentences" are flattened tables or lists, not prose (Apollo 11's longest is 519).
_MAX_SENTENCE = 1500
_RANK = {"year": 0, "month": 1, "day": 2, "hour": 3, "minute": 4, "second": 5}


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


@dataclass(frozen=True)
class DatedSpan:
    """A date found in a sentence. how: `absolute`, `year_inferred`, `time_inferred` (a bare UTC
    time on the day of the date before it) or `relative`."""

    start: int
    end: int
    utc: datetime
    precision: str
    how: str


# --- sentences -------------------------------------------------------------------------------

_ABBREVIATIONS = frozenset("""
no nos nr jr sr dr mr mrs ms prof st mt ft gen col lt capt cmdr cdr sgt rev hon gov sen rep pres
adm maj approx ca c vs v fig figs vol vols pp p ed eds est ltd co corp bros cf al op
jan feb mar apr jun jul aug sep sept oct nov dec
""".split())
_TERMINAL = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)")
_ZONE_WORD = re.compile(r"(?:UTC|GMT|[ECMP][SD]T|MSK|local|Eastern|Central|Pacific|Mountain|Moscow)\b")


def split_sentences(text: str) -> list[str]:
    """Sentences of a prose text; every line break also ends a sentence (paragraphs, lists).

    Abbreviations ("No. 756", "U.S.", "Jr.", "approx."), initials ("Neil A. Armstrong"),
    decimals ("51.66") and "a.m." before a time zone do not end a sentence. Bad input: any
    string gives a list (possibly empty); a non-string gives [].
    """
    if not isinstance(text, str):
        return []
    out: list[str] = []
    for line in text.splitlines():
        start = 0
        for match in _TERMINAL.finditer(line):
            # Small windows keep this linear on pathological lines ("A. B. C. ..." x 10,000).
            rest = line[match.end():match.end() + 40].lstrip()
            if not rest or not _opens_sentence(rest):
                continue
            before = line[max(start, match.start() - 40):match.start()]
            if match.group().startswith(".") and _abbreviation(before, rest):
                continue
            if line[start:match.end()].strip():
                out.append(line[start:match.end()].strip())
            start = match.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


def _opens_sentence(rest: str) -> bool:
    head = rest.lstrip("\"'\u201c\u2018([")
    return bool(head) and (head[0].isupper() or head[0].isdigit())


def _abbreviation(before: str, rest: str) -> bool:
    token = re.search(r"(\S+)$", before)
    if token is None:
        return False
    word = token.group(1).lstrip("\"'\u201c\u2018([")
    if re.fullmatch(r"[ap]\.m", word, re.I):
        return bool(_ZONE_WORD.match(rest))
    if re.fullmatch(r"[A-Z]", word) or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word):
        return True
    return word.lower() in _ABBREVIATIONS


# --- dates -----------------------------------------------------------------------------------

_MONTH_NAMES = ("January|February|March|April|May|June|July|August|September|October|November"
                "|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec")
_NO_YEAR_AFTER = r"(?![\d:])(?!\.?\s*,?\s*\d{3,4}(?!\d))(?!\s*[\u2013\u2014-]\s*\d)"
_MONTH_DAY = re.compile(
    rf"\b(?:{_MONTH_NAMES})\.?\s+([0-3]?\d)(?:st|nd|rd|th)?{_NO_YEAR_AFTER}")
_DAY_MONTH = re.compile(rf"(?<![\d.,])\b([0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_NAMES})\b"
                        rf"\.?{_NO_YEAR_AFTER}")
_WEEKDAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+(?=[A-Z0-9])")
# Long zone names -> the abbreviation dates.py knows, padded so offsets stay the same.
_LONG_ZONES = {"eastern standard time": "EST", "eastern daylight time": "EDT",
               "central standard time": "CST", "central daylight time": "CDT",
               "pacific standard time": "PST", "pacific daylight time": "PDT",
               "mountain standard time": "MST", "mountain daylight time": "MDT",
               "moscow time": "MSK", "coordinated universal time": "UTC"}
_LONG_ZONE = re.compile("|".join(_LONG_ZONES), re.I)
# "the night before the launch": the narrative moved to a time the text does not date.
_EVENT_RELATIVE = re.compile(
    r"\b(?:day|night|morning|evening|week|hours?|minutes?)s? (?:before|after|prior to) (?:the )?"
    r"(?:scheduled |planned )?(?:launch|landing|lift-?off|splashdown|docking|flight|mission)\b",
    re.I)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_RELATIVE = re.compile(
    r"\b(?:(?P<next>the (?:following|next) (?:day|morning|afternoon|evening|night))"
    r"|(?P<same>(?:later |earlier )?(?:that|the same) (?:day|morning|afternoon|evening))"
    r"|(?P<prev>the (?:previous|preceding) (?:day|morning|afternoon|evening|night))"
    r"|(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r" (?P<unit>days?|weeks?) (?P<dir>later|afterwards?|earlier))\b", re.I)


_HAS_DIGIT = re.compile(r"\d")


def _normalise_for_dates(sentence: str) -> str:
    """Same-length rewrite that lets find_instants join "20:17:40 UTC on Sunday July 20" and
    read "7:51:00 a.m. Eastern Standard Time": weekday names blanked, long zones abbreviated."""
    text = _WEEKDAY.sub(lambda m: " " * len(m.group()), sentence)
    return _LONG_ZONE.sub(lambda m: _LONG_ZONES[m.group().lower()].ljust(len(m.group())), text)


def find_dates(sentence: str, anchor: Instant | None = None, *,
               relative: bool = True) -> list[DatedSpan]:
    """Dates in one sentence, with spans into it.

    Full dates are read by find_instants. With an anchor (the last date read before this
    sentence), a date without a year takes the anchor's year, and, if `relative`, when the
    sentence has no date at all a day-relative phrase gives anchor ± days at day precision
    (only if the anchor is known at least to the day). Bad input: text without dates gives [].
    """
    if not isinstance(sentence, str) or not sentence:
        return []
    text = _normalise_for_dates(sentence)
    found = [DatedSpan(s, e, i.utc, i.precision, "absolute") for s, e, i in find_instants(text)]
    if anchor is not None:
        found = _with_inferred_years(text, found, anchor.utc.year)
    found = _with_bare_times(text, found, anchor)
    if found or not relative or anchor is None or anchor.precision not in _FINE:
        return found
    match = _RELATIVE.search(sentence)
    if match is None:
        return []
    if match.group("next"):
        days = 1
    elif match.group("prev"):
        days = -1
    elif match.group("same"):
        days = 0
    else:
        count = match.group("n").lower()
        days = int(count) if count.isdigit() else _NUMBERS[count]
        days *= 7 if match.group("unit").lower().startswith("week") else 1
        days *= -1 if match.group("dir").lower() == "earlier" else 1
    base = anchor.utc.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        utc = base + timedelta(days=days)
    except OverflowError:
        return []
    return [DatedSpan(match.start(), match.end(), utc, "day", "relative")]


# "... and landed at 07:17 UTC the same day": a time with an explicit UTC zone and no date of
# its own. Local times are not read (their day may differ), nor times in a sentence that moves
# to another day.
_BARE_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?\s*(?:UTC|GMT)\b")
_OTHER_DAY = re.compile(r"\b(?:next|following|previous|preceding)\s+(?:day|morning|evening|night)|"
                        r"\bmidnight\b", re.I)


def _with_bare_times(text: str, found: list[DatedSpan], anchor: Instant | None) -> list[DatedSpan]:
    """Add each bare UTC time that no date claimed, on the day of the last full date before it in
    the sentence, else of the anchor (when that is known to the day)."""
    if ":" not in text or _OTHER_DAY.search(text):
        return found
    out = list(found)
    for m in _BARE_TIME.finditer(text):
        if any(d.start <= m.start() < d.end for d in found):
            continue
        before = [d for d in found if d.end <= m.start() and d.precision in _FINE]
        base = max(before, key=lambda d: d.end).utc if before else (
            anchor.utc if anchor is not None and anchor.precision in _FINE else None)
        if base is None:
            continue
        day = base.replace(hour=0, minute=0, second=0, microsecond=0)
        utc = day + timedelta(hours=int(m.group(1)), minutes=int(m.group(2)), seconds=int(m.group(3) or 0))
        out.append(DatedSpan(m.start(), m.end(), utc, "second" if m.group(3) else "minute", "time_inferred"))
    return sorted(out, key=lambda d: d.start)


def _with_inferred_years(text: str, found: list[DatedSpan], year: int) -> list[DatedSpan]:
    """Append the anchor year to each year-less "July 16" / "16 July" and read again."""
    if not _HAS_DIGIT.search(text):
        return found  # a day of the month needs a digit
    taken = sorted((d.start, d.end) for d in found)   # non-overlapping spans
    inserts: list[tuple[int, str]] = []
    for pattern, glue in ((_MONTH_DAY, ", "), (_DAY_MONTH, " ")):
        for match in pattern.finditer(text):
            if not 1 <= int(match.group(1)) <= 31:
                continue
            i = bisect.bisect_left(taken, (match.end(), -1))
            if i and taken[i - 1][1] > match.start():
                continue
            taken.insert(i, (match.start(), match.end()))
            inserts.append((match.end(), f"{glue}{year:04d}"))
    if not inserts:
        return found
    inserts.sort()
    pieces, prev = [], 0
    for pos, extra in inserts:
        pieces += [text[prev:pos], extra]
        prev = pos
    modified = "".join(pieces) + text[prev:]
    # Where each inserted year starts in modified, and the total shift before it.
    starts, shifts, shift = [], [], 0
    for pos, extra in inserts:
        starts.append(pos + shift)
        shifts.append(shift)
        shift += len(extra)
    positions = [pos for pos, _ in inserts]

    def back(index: int) -> int:
        """Offset in text of an offset in modified (inside an inserted year: its position)."""
        i = bisect.bisect_left(starts, index) - 1
        if i < 0:
            return index
        pos, extra = inserts[i]
        inside = index - starts[i]
        return pos if inside < len(extra) else index - shifts[i] - len(extra)

    out = []
    for start, end, instant in find_instants(modified):
        s, e = back(start), back(end)
        i = bisect.bisect_left(positions, s)
        inserted = i < len(positions) and positions[i] <= e
        out.append(DatedSpan(s, max(s, e), instant.utc, instant.precision,
                             "year_inferred" if inserted else "absolute"))
    return out


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
_TRIGGERS: list[tuple[str, re.Pattern, bool, bool]] = [
    (kind, re.compile(pattern, re.I), noun, done) for kind, pattern, noun, done in [
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
    ]]
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
_LUNAR = re.compile(r"\b(?:Moon|lunar|crater|Mare|Tranquill?ity|LM|Lunar Module)\b", re.I)
_EARTH = re.compile(r"\b(?:Earth|ocean|Pacific|Atlantic|splash\w*|steppe|Kazakh\w*|recovery"
                    r"|runway|desert|parachutes?|home)\b", re.I)
_LIFTOFF_LUNAR = re.compile(r"from the (?:lunar )?surface|from the Moon|ascent stage|ascent engine"
                            r"|Lunar Module", re.I)


_ORBIT_DETAIL = {"lunar": "lunar orbit", "moon": "lunar orbit", "earth": "Earth orbit",
                 "mars": "Mars orbit"}


# Any trigger at all: most sentences have none, and one pass of the alternation tells that
# sooner than twenty passes of the patterns one by one.
_ANY_TRIGGER = re.compile("|".join(f"(?:{pattern.pattern.replace('?P<body>', '')})"
                                   for _, pattern, _, _ in _TRIGGERS), re.I)


def _triggers(sentence: str) -> list[_Trigger]:
    found: list[_Trigger] = []
    if _ANY_TRIGGER.search(sentence) is None:
        return found
    for kind, pattern, noun, done in _TRIGGERS:
        for match in pattern.finditer(sentence):
            if any(t.start < match.end() and match.start() < t.end for t in found):
                continue
            body = (match.groupdict().get("body") or "").lower()
            detail = _ORBIT_DETAIL.get(body)
            found.append(_Trigger(kind, match.start(), match.end(), noun, done, detail))
    return sorted(found, key=lambda t: t.start)


def _clause_breaks(sentence: str) -> list[int]:
    return [m.start() for m in re.finditer(r";|,\s+(?:but|while|whereas|although|however)\b"
                                           r"|\s\u2013\s|\s\u2014\s", sentence)]


# "The launch, delayed by two days, took place on ...": the noun's own verb joins it to the date.
_PREDICATE = re.compile(r"\b(?:took place|occurred|happened|was (?:carried out|performed|conducted"
                        r"|completed))\s+(?:\w+\s+)?(?:on|at|in)\s*$", re.I)


def _score(trigger: _Trigger, date: DatedSpan, sentence: str, breaks: list[int]) -> float | None:
    """Distance from a trigger to a date; None when they cannot belong together."""
    before = trigger.end <= date.start
    lo, hi = (trigger.end, date.start) if before else (date.end, trigger.start)
    if hi < lo:  # overlapping spans
        lo, hi = hi, hi
    between = sentence[lo:hi]
    commas = len(re.findall(r",\s", between))
    if trigger.noun and not (before and _PREDICATE.search(between)):
        if len(between) > (30 if before else 15) or (before and commas):
            return None
        if not before and re.search(r"\b(?:before|after|until|since|prior)\b", between, re.I):
            return None
    if any(lo <= b < hi for b in breaks):
        return None
    return len(between) * (1 if before else 2) + 40 * commas


# --- missions --------------------------------------------------------------------------------

_PROGRAMME = (r"(?:Apollo|Gemini|Vostok|Voskhod|Luna|Zond|Ranger|Surveyor|Lunar Orbiter|Mariner"
              r"|Pioneer|Venera|Viking|Voyager|Shenzhou|Tianzhou|Chang'e|Chandrayaan|Skylab"
              r"|Salyut|Artemis|Gaganyaan|Soyuz|Progress|Explorer|Sputnik|Kosmos|Cosmos"
              r"|Mercury-Atlas|Mercury-Redstone|Tiangong|Gemini-Titan)")
_DESIGNATIONS = [re.compile(p) for p in (
    rf"\b{_PROGRAMME} (?:\d{{1,4}}[A-Z]?|[IVX]{{1,5}})(?![\w-])(?!\.\d)",
    r"\b(?:(?:Soyuz|Progress) )?(?:MS|TMA|TMA-M)-\d{1,3}[A-Z]?(?![\w-])",
    r"\b(?:Soyuz|Progress) (?:T|TM|M|M1|M-M)-\d{1,3}[A-Z]?(?![\w-])",
    r"\b(?:SpaceX )?Crew-\d{1,2}(?![\w-])",
    r"\b(?:Ax|CRS|NG|OA|SpX|Boe-OFT)-\d{1,2}(?![\w-])",
    r"\bSTS-\d{1,3}(?:-?[A-Z])?(?![\w-])",
)]
_REFERENCE_WORDS = frozenset("before after than since like unlike following preceding".split())


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    name: str | None   # None: this mission
    reference: bool    # "three days before Apollo 11's launch"


def _norm(name: str) -> str:
    name = re.sub(r"[\u2010-\u2015\u2212]", "-", name)
    return re.sub(r"\s+", " ", name).strip().casefold()


class _Missions:
    """Finds this mission and others in a sentence."""

    def __init__(self, title: str, aliases, others) -> None:
        title = title if isinstance(title, str) else ""
        names = [title, *[a for a in aliases if isinstance(a, str)]]
        self.prefix, self.short_family = "", None
        short = re.fullmatch(r"(.*\S)\s+(\S*[A-Za-z]\S*-\S*\d\S*)", title.strip())
        if short:
            self.prefix, self.short_family = short.group(1), _family(short.group(2))
            names.append(short.group(2))
        self.own = {_norm(n) for n in names if len(re.sub(r"\W", "", n)) >= 2}
        self.patterns = [_literal(n) for n in sorted(self.own, key=len, reverse=True)]
        self.patterns += [_literal(n) for n in others if isinstance(n, str)
                          and len(re.sub(r"\W", "", n)) >= 2]
        self.patterns += _DESIGNATIONS
        for name in [title, short.group(2)] if short else [title]:
            family = _family(name)
            if family is not None:
                self.patterns.append(family)

    def find(self, sentence: str) -> list[_Mention]:
        spans: list[tuple[int, int]] = []
        for pattern in self.patterns:
            spans += [(m.start(), m.end()) for m in pattern.finditer(sentence) if m.end() > m.start()]
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        out: list[_Mention] = []
        for start, end in spans:
            if out and start < out[-1].end:
                continue
            text = sentence[start:end]
            name = None if _norm(text) in self.own else self._full(text)
            word = re.search(r"(\w+)\W*(?:the\s+)?$", sentence[max(0, start - 30):start])
            reference = bool(word and word.group(1).lower() in _REFERENCE_WORDS)
            out.append(_Mention(start, end, name, reference))
        return out

    def _full(self, text: str) -> str:
        """"MS-24" in an article about "Soyuz MS-25" is "Soyuz MS-24"."""
        text = re.sub(r"\s+", " ", text.strip())
        if self.short_family is not None and self.short_family.fullmatch(text):
            return f"{self.prefix} {text}"
        return text


def _literal(name: str) -> re.Pattern:
    body = r"[\s\u00a0]+".join(re.escape(part) for part in name.split())
    body = body.replace(r"\-", r"[-\u2010-\u2015]")
    return re.compile(rf"(?<![\w-]){body}(?![\w]|-\w|\.\d)", re.I)


def _family(name: str) -> re.Pattern | None:
    """"Soyuz MS-25" -> Soyuz MS-<number>: siblings of the title are other missions."""
    if not re.search(r"[A-Za-z]{2}.*\d", name):
        return None
    parts = re.split(r"(\d+)", name.strip())
    body = "".join(r"\d{1,4}" if p.isdigit() else re.escape(p) for p in parts)
    return re.compile(rf"(?<![\w-]){body}(?![\w]|-\w|\.\d)", re.I)


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


# --- people ----------------------------------------------------------------------------------

_NAME = r"[A-Z][\w'\u2019-]*[a-z][\w'\u2019-]*"
_SUBJECT = re.compile(
    rf"(?<!\band )\b({_NAME}(?:\s+{_NAME}){{0,2}})\s+(?:(?:later|also|then|subsequently|eventually"
    rf"|had|has|have)\s+)*(?:\w+ed|spent|broke|became|set|made|took|flew|stayed|won|held|began"
    rf"|left|went|was|stepped)\b")
_PLURAL = re.compile(r"(?:\band|&)\s+(?:[A-Z][\w'\u2019-]*\s+)*$")
_PRONOUNS = frozenset({"He", "She"})
_NOT_PEOPLE = frozenset("""The A An It Its They Their This That These Those We On In At After
Before During When While As But And Then Later Also NASA Roscosmos Mission Control Houston Earth
Moon Station International Space Soviet Russian American Americans US Both Each All""".split())


def _person(sentence: str, trigger: _Trigger, previous: list[str]) -> str | None:
    """The one person an event is about (a record, a spacewalk), as written; else None."""
    matches = [m for m in _SUBJECT.finditer(sentence[:trigger.end]) if m.start() < trigger.start]
    if not matches:
        return None
    name = _one_person(matches[-1])
    if name in _PRONOUNS:
        for prior in reversed(previous):
            for match in reversed(list(_SUBJECT.finditer(prior))):
                found = _one_person(match)
                if found and found not in _PRONOUNS:
                    return found
        return None
    return name


def _one_person(match: re.Match) -> str | None:
    """The subject's name, or None for "Moghbeli and Loral O'Hara" (two people)."""
    if _PLURAL.search(match.string[:match.start(1)]):
        return None
    return _clean_name(match.group(1))


def _clean_name(name: str) -> str | None:
    words = name.split()
    while words and words[0] in _NOT_PEOPLE:
        words.pop(0)
    return " ".join(words) or None


# --- events ----------------------------------------------------------------------------------

def extract_events(sections: list[Section], mission_title: str, *, aliases=(),
                   other_missions=()) -> list[ProseEvent]:
    """Dated events in the prose of one article; see the module docstring for the rules.

    Events of other missions come back with `mission` naming them; the mission asked for has
    `mission` None. Bad input: never raises; odd text, headings or titles give fewer events.
    """
    missions = _Missions(mission_title, list(aliases or ()), list(other_missions or ()))
    sections = [s for s in (sections or []) if isinstance(s, Section)]
    events: list[tuple[int, ProseEvent]] = []
    year_anchor: Instant | None = None   # last day-precise date of the lead or a flight section
    for section, kind in zip(sections, _section_kinds(sections)):
        text = section.text if isinstance(section.text, str) else ""
        day_anchor: Instant | None = None    # last day-precise date of this section
        sentences: list[str] = []
        for paragraph in text.splitlines():
            relative_anchor: Instant | None = None   # ... of this paragraph
            for sentence in split_sentences(paragraph):
                if len(sentence) > _MAX_SENTENCE:
                    continue
                dates = find_dates(sentence, day_anchor or year_anchor, relative=False)
                if not dates and relative_anchor is not None:
                    dates = find_dates(sentence, relative_anchor)
                dates = [d for d in dates
                         if d.precision != "year" or _YEAR_CUE.search(sentence[:d.start])]
                fine = [d for d in dates if d.precision in _FINE]
                if fine:
                    last = max(fine, key=lambda d: d.end)
                    day_anchor = relative_anchor = Instant(last.utc, last.precision)
                    if kind == "flight":
                        year_anchor = day_anchor
                if _EVENT_RELATIVE.search(sentence):
                    relative_anchor = None
                if kind != "excluded" and dates:
                    for event in _sentence_events(sentence, dates, kind, missions,
                                                  section.heading, sentences[-3:]):
                        events.append((len(events), event))
                sentences.append(sentence)
    return _merge(events)


def _sentence_events(sentence, dates, section_kind, missions, heading, previous):
    triggers = _triggers(sentence)
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
        person = _person(sentence, trigger, previous) if trigger.kind in ("record", "eva") else None
        outcome, detail = _outcome(trigger, sentence, breaks)
        if outcome == "skip":
            continue
        for date in group:
            out.append(ProseEvent(
                event=trigger.kind if outcome != "scrubbed" else "launch_attempt",
                utc=date.utc, precision=date.precision, outcome=outcome, detail=detail,
                evidence=sentence, section=heading if isinstance(heading, str) else "",
                person=person, mission=mission))
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


def _date_groups(dates: list[DatedSpan], sentence: str) -> list[list[DatedSpan]]:
    """Dates in a list ("on A, B, and C respectively") go together to one trigger."""
    groups: list[list[DatedSpan]] = []
    for date in sorted(dates, key=lambda d: d.start):
        if groups and re.fullmatch(r"\s*(?:,|,?\s*and|,?\s*or)\s*",
                                   sentence[groups[-1][-1].end:date.start]):
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


def _outcome(trigger: _Trigger, sentence: str, breaks: list[int]) -> tuple[str | None, str | None]:
    reason = _REASON.search(sentence)
    why = reason.group("r").strip() if reason else None
    scrub = _SCRUB.search(sentence)
    if scrub and trigger.kind != "record" and not _HAPPENED.search(sentence) and (
            not trigger.done or _same_clause(scrub.start(), trigger.start, breaks)):
        # A postponed spacewalk or docking did not happen on that date: no event at all.
        return ("scrubbed", why) if trigger.kind == "launch" else ("skip", None)
    if trigger.kind in ("launch", "landing", "docking", "undocking", "lunar_landing",
                        "orbit_insertion", "eva"):
        failure = _FAILURE.search(sentence)
        if failure and _same_clause(failure.start(), trigger.start, breaks):
            return "failure", why
        # "launched on 8 June, but the second stage failed": the vehicle failing is the launch's
        vehicle = _VEHICLE_FAILED.search(sentence, trigger.end) if trigger.kind == "launch" else None
        if vehicle:
            return "failure", vehicle.group(0).strip(" ,")
    if trigger.kind == "record":
        return None, None
    if trigger.done or _HAPPENED.search(sentence):
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
            coarse = min(_RANK[k.precision], _RANK[event.precision])
            if _truncate(k.utc, coarse) == _truncate(event.utc, coarse) or \
                    abs((k.utc - event.utc).total_seconds()) <= 60:
                if _RANK[event.precision] > _RANK[k.precision]:
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
