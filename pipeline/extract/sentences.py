"""Sentences of prose and the dates in them, as an article writes them: sentence splitting
that knows abbreviations and times, and dates with their precision (absolute, a year or a
time inferred from the sentences before, relative: "two days later"). Used by
pipeline.extract.prose. Nothing raises on junk text; patterns are linear.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline.core.instants import MONTHS, Instant, find_instants
from pipeline.core.patterns import (caseless_first, digit_run_starts, finditer_at, fold_for_words, has_digit,
                                     occurrences)

_FINE = ("day", "hour", "minute", "second")
# A bare year is an event's date only as "in 1969" / "during early 1969"; elsewhere it is a
# citation ("Chaikin 1994"), a book or a count.
_YEAR_CUE = re.compile(r"\b(?:in|during)\s+(?:(?:early|late|mid-?)\s*)?$", re.I)


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
_TERMINAL_STARTS = (".", "!", "?")
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
        out += [line[start:end] for start, end in sentence_spans(line)]
    return out


def sentence_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one line (no line break in it), as split_sentences
    gives them: line[start:end] is the sentence."""
    out: list[tuple[int, int]] = []
    start = 0
    # _TERMINAL starts only at a ".", "!" or "?": tried only there (the same matches)
    for match in finditer_at(_TERMINAL, line, occurrences(line, _TERMINAL_STARTS)):
        end = match.end()
        # Small windows keep this linear on pathological lines ("A. B. C. ..." x 10,000).
        rest = line[end:end + 40].lstrip()
        # does the rest open a sentence (after quotes and brackets, a capital or a digit)?
        head = rest.lstrip("\"'\u201c\u2018([")
        if not head or not (head[0].isupper() or head[0].isdigit()):
            continue
        at = match.start()
        if line[at] == "." and _abbreviation(line[max(start, at - 40):at], rest):
            continue
        _add_span(out, line, start, end)
        start = end
    _add_span(out, line, start, len(line))
    return out


def _add_span(out: list[tuple[int, int]], line: str, start: int, end: int) -> None:
    """The span of line[start:end].strip(), if that is not empty."""
    # (the spaces stepped over in place: a sentence has a few around it, and no copy is made;
    # str.strip removes what isspace() finds, one character at a time)
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    if start < end:
        out.append((start, end))


class RecentSentences:
    """The sentences of a text read so far, of which only the last few are ever asked for (the
    ones before an event's sentence); a paragraph given whole is split only if asked, and
    sentences longer than max_length (which the reader skips) are left out."""

    def __init__(self, max_length: int) -> None:
        self._max = max_length
        self._items: list = []   # sentences (str) and paragraphs not split yet (a 1-tuple)

    def add(self, sentence: str) -> None:
        self._items.append(sentence)

    def add_paragraph(self, paragraph: str) -> None:
        self._items.append((paragraph,))

    def last(self, n: int) -> list[str]:
        """The last n sentences (fewer at the start), as split_sentences gives them."""
        out: list[str] = []
        items = self._items
        i = len(items) - 1
        while i >= 0 and len(out) < n:
            item = items[i]
            if isinstance(item, tuple):
                split = [s for s in split_sentences(item[0]) if len(s) <= self._max]
                items[i:i + 1] = split   # split once
                i += len(split) - 1
                continue
            out.append(item)
            i -= 1
        out.reverse()
        return out


_INITIALS = re.compile(r"[A-Z]|(?:[A-Za-z]\.)+[A-Za-z]")


def _abbreviation(before: str, rest: str) -> bool:
    # the last run of non-spaces, if before ends with one (a line has no "\n": what \S+$ finds)
    if not before or before[-1].isspace():
        return False
    word = before.rsplit(None, 1)[-1].lstrip("\"'\u201c\u2018([")
    # "a.m" / "p.m" in any case (re.I folds no other character to a, p or m)
    if len(word) == 3 and word[1] == "." and word[0] in "apAP" and word[2] in "mM":
        return bool(_ZONE_WORD.match(rest))
    # _INITIALS.fullmatch(word): a capital alone, or letters joined by dots (a word with a dot)
    if len(word) == 1 and "A" <= word <= "Z" or "." in word and _INITIALS.fullmatch(word):
        return True
    return word.lower() in _ABBREVIATIONS


# --- dates -----------------------------------------------------------------------------------

# Full names first, then abbreviations ("Sept" before "Sep"): the first alternative that matches wins.
_MONTH_NAMES = "|".join([*MONTHS, *(short for m in MONTHS if len(m) > 3
                                    for short in (("Sept", "Sep") if m == "September" else (m[:3],)))])
_NO_YEAR_AFTER = r"(?![\d:])(?!\.?\s*,?\s*\d{3,4}(?!\d))(?!\s*[\u2013\u2014-]\s*\d)"
_MONTH_DAY = re.compile(
    rf"\b(?:{_MONTH_NAMES})\.?\s+([0-3]?\d)(?:st|nd|rd|th)?{_NO_YEAR_AFTER}")
_DAY_MONTH = re.compile(rf"(?<![\d.,])\b([0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_NAMES})\b"
                        rf"\.?{_NO_YEAR_AFTER}")
_WEEKDAY = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+(?=[A-Z0-9])")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")   # one in each match
# Long zone names -> the abbreviation dates.py knows, padded so offsets stay the same.
_LONG_ZONES = {"eastern standard time": "EST", "eastern daylight time": "EDT",
               "central standard time": "CST", "central daylight time": "CDT",
               "pacific standard time": "PST", "pacific daylight time": "PDT",
               "mountain standard time": "MST", "mountain daylight time": "MDT",
               "moscow time": "MSK", "coordinated universal time": "UTC"}
# (led by a case-sensitive test of the names' first letters as re.I finds them: the engine skips
# to those at once instead of trying every name at every character; the same matches)
_LONG_ZONE = re.compile("(?-i:(?=" + caseless_first(sorted({z[0] for z in _LONG_ZONES})) + "))(?:"
                        + "|".join(_LONG_ZONES) + ")", re.I)


def _has_time_word(text: str) -> bool:
    """Whether "time" is written as re.I finds it (it is in every long zone name, as _LONG_ZONE
    matches it): "time" in fold_for_words(text), one C scan instead of the caseless engine at
    every character (tests/extract/test_sentences_exact.py compares with the caseless search)."""
    return "time" in fold_for_words(text)


# "the night before the launch": the narrative moved to a time the text does not date.
EVENT_RELATIVE = re.compile(
    # the leading test (a match's first letter, case-sensitively) is quicker than the caseless one
    "(?-i:(?=" + caseless_first("dnmewh") + "))"
    r"\b(?:day|night|morning|evening|week|hours?|minutes?)s? (?:before|after|prior to) (?:the )?"
    r"(?:scheduled |planned )?(?:launch|landing|lift-?off|splashdown|docking|flight|mission)\b",
    re.I)
_EVENT_RELATIVE_WORDS = ("before", "after", "prior to")   # one is in every match, as fold() writes it
# (event_relative, find_relative and _with_bare_times write their words out; tests/extract/
# test_sentences_exact.py checks them against these tuples)


def event_relative(sentence: str) -> bool:
    """True when EVENT_RELATIVE matches in sentence (tried only where its words are)."""
    folded = fold_for_words(sentence)
    # (the words of _EVENT_RELATIVE_WORDS written out: quicker than any() over a generator)
    return (("before" in folded or "after" in folded or "prior to" in folded)
            and EVENT_RELATIVE.search(sentence) is not None)


_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_RELATIVE = re.compile(
    r"\b(?:(?P<next>the (?:following|next) (?:day|morning|afternoon|evening|night))"
    r"|(?P<same>(?:later |earlier )?(?:that|the same) (?:day|morning|afternoon|evening))"
    r"|(?P<prev>the (?:previous|preceding) (?:day|morning|afternoon|evening|night))"
    r"|(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
    r" (?P<unit>days?|weeks?) (?P<dir>later|afterwards?|earlier))\b", re.I)
_RELATIVE_WORDS = ("day", "morning", "afternoon", "evening", "night", "week")   # as for event_relative




def _normalise_for_dates(sentence: str) -> str:
    """Same-length rewrite that lets find_instants join "20:17:40 UTC on Sunday July 20" and
    read "7:51:00 a.m. Eastern Standard Time": weekday names blanked, long zones abbreviated."""
    # each pass only where a literal its every match contains is present (one C scan each)
    text = _WEEKDAY.sub(_blank, sentence) if "day" in sentence and any(
        day in sentence for day in _WEEKDAYS) else sentence
    if not _has_time_word(text):
        return text
    return _LONG_ZONE.sub(_abbreviated, text)


def _abbreviated(match: re.Match) -> str:
    """A long zone name as its abbreviation, padded; a caseless match lower() does not map
    ("Moscow t\u0131me", dotless i) stays as written."""
    short = _LONG_ZONES.get(match.group().lower())
    return short.ljust(len(match.group())) if short is not None else match.group()


def _blank(match: re.Match) -> str:
    return " " * len(match.group())


_MONTH_STARTS = tuple(m[:3].lower() for m in MONTHS)
# (no \b before: a long zone name's padding can put a word boundary there, "TimeJul 4")
_MONTH_WORD = re.compile(rf"(?:{_MONTH_NAMES})\b")
# A run of exactly four digits, or of exactly five after a numeric date's "/", ".", "-" or minus
# sign ("1/2/20245"); led by the digit (the engine skips to digits at once), the run's start is
# checked behind it. Runs of three: the same way.
_YEAR_RUN = re.compile(r"\d(?:(?<!\d\d)\d{3}|(?<=[/.\-\u2212]\d)\d{4})(?!\d)")
_ASCII_YEAR_RUN = re.compile(r"[0-9](?:(?<![0-9][0-9])[0-9]{3}|(?<=[/.\-\u2212][0-9])[0-9]{4})(?![0-9])")


def _year_run(text: str) -> re.Pattern:
    # the same runs in ASCII text (no other digits), found faster
    return _ASCII_YEAR_RUN if text.isascii() else _YEAR_RUN
_THREE_RUN = re.compile(r"\d(?<!\d\d)\d\d(?!\d)")
_ASCII_THREE_RUN = re.compile(r"[0-9](?<![0-9][0-9])[0-9][0-9](?![0-9])")   # the same in ASCII text, faster
# Every date find_instants reads holds its year, a run of exactly three or four digits, or the
# first four of a run of five after a numeric date's "/", "." or "-" ("1/2/20245"); the
# normalising and cleaning before it write no digit and blank only whole runs (markup and
# footnote marks start and end with brackets): a sentence without a run of three to five digits
# has no date of its own, only the year-less days and bare times an anchor may give it.
_DATE_RUN = re.compile(r"\d(?<!\d\d)\d{2,4}(?!\d)")
_ASCII_DATE_RUN = re.compile(r"[0-9](?<![0-9][0-9])[0-9]{2,4}(?![0-9])")   # the same in ASCII text, faster


def may_date(sentence: str, anchor: Instant | None) -> bool:
    """False only when find_dates(sentence, anchor, relative=False) is surely [] (and so for
    every part of sentence: each test below looks for something written in it).

    Every instants._DATE match holds a year: a run of four digits (or of five after the "/",
    ".", "-" or minus sign of a numeric date, "1/2/20245"), or of three after or before a
    month's name (its first three letters as re.I finds them); a year-less "July 16" or "16
    July" (read only with an anchor) is a capitalised month name ending a word; a bare time
    (read only on an anchor's day, when no date is found) holds a ":" and "UTC" or "GMT" (or a
    long zone name, which has "time"). The normalising and cleaning before the scan only blank,
    abbreviate zones in capitals and make odd spaces and minus signs plain: they write none of
    these (tests/extract/test_sentences_exact.py compares with the full reading on generated
    text)."""
    return _year_run(sentence).search(sentence) is not None or may_date_without_year(sentence, anchor)


def year_runs(text: str) -> list[int]:
    """Where each run of digits that may_date counts as a year starts: may_date is True for a
    sentence of text that holds one (runs end at a sentence's ends, which are spaces)."""
    return [m.start() for m in _year_run(text).finditer(text)]


def may_date_without_year(sentence: str, anchor: Instant | None) -> bool:
    """may_date(sentence, anchor) for a sentence without a year run (see year_runs)."""
    # (the tests with an anchor first: they are the quicker ones, and prose after a date has one)
    if anchor is not None:
        # (led by the capitals of the month names, the pattern skips to them at once)
        if _MONTH_WORD.search(sentence) is not None:
            return True
        if (":" in sentence and anchor.precision in _FINE
                and ("UTC" in sentence or "GMT" in sentence or _has_time_word(sentence))):
            return True
    if (_ASCII_THREE_RUN if sentence.isascii() else _THREE_RUN).search(sentence) is not None:
        folded = fold_for_words(sentence)
        for month in _MONTH_STARTS:
            if month in folded:
                return True
    return False


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
    if not has_digit(sentence) or not may_date(sentence, anchor):
        # every absolute date, year-less day and bare time has a digit (and the normalising
        # adds none), and more (see may_date): only a relative phrase can date this sentence
        found: list[DatedSpan] = []
    else:
        found = find_absolute(sentence, anchor)
    if found or not relative:
        return found
    return find_relative(sentence, anchor)


def find_absolute(sentence: str, anchor: Instant | None) -> list[DatedSpan]:
    """find_dates(sentence, anchor, relative=False) for a sentence that has a digit and that
    may_date(sentence, anchor) lets through, without testing both again (the prose reader
    has just tested them)."""
    text = _normalise_for_dates(sentence)
    found = [DatedSpan(s, e, i.utc, i.precision, "absolute") for s, e, i in find_instants(text)
             ] if (_ASCII_DATE_RUN if sentence.isascii() else _DATE_RUN).search(sentence) is not None else []
    if anchor is not None:
        found = _with_inferred_years(text, found, anchor.utc.year)
    return _with_bare_times(text, found, anchor)


def find_relative(sentence: str, anchor: Instant | None) -> list[DatedSpan]:
    """The day-relative phrase of a sentence ("two days later") as anchor ± days, at day
    precision (only if the anchor is known at least to the day): what find_dates(sentence,
    anchor) gives when it finds no other date. Bad input: gives []."""
    if not isinstance(sentence, str) or anchor is None or anchor.precision not in _FINE:
        return []
    folded = fold_for_words(sentence)
    if not ("day" in folded or "morning" in folded or "afternoon" in folded or "evening" in folded
            or "night" in folded or "week" in folded):   # _RELATIVE_WORDS, written out
        return []
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
_OTHER_DAY_WORDS = ("next", "following", "previous", "preceding", "midnight")   # one in each match
_OTHER_DAY = re.compile(r"\b(?:next|following|previous|preceding)\s+(?:day|morning|evening|night)|"
                        r"\bmidnight\b", re.I)


def _with_bare_times(text: str, found: list[DatedSpan], anchor: Instant | None) -> list[DatedSpan]:
    """Add each bare UTC time that no date claimed, on the day of the last full date before it in
    the sentence, else of the anchor (when that is known to the day)."""
    if ":" not in text:
        return found
    folded = fold_for_words(text)
    if ("next" in folded or "following" in folded or "previous" in folded or "preceding" in folded
            or "midnight" in folded) and _OTHER_DAY.search(text):   # _OTHER_DAY_WORDS, written out
        return found
    out = list(found)
    # a bare time starts a run of digits and has "UTC" or "GMT": tried only there
    starts = digit_run_starts(text) if "UTC" in text or "GMT" in text else []
    for m in finditer_at(_BARE_TIME, text, starts):
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


_MONTH_PREFIXES = sorted({m[:3] for m in MONTHS})
# Every occurrence of one of them in one scan (they cannot overlap: each starts with a capital
# followed by two lowercase letters)
_MONTH_CAPITALS = re.compile("|".join(_MONTH_PREFIXES))


def _with_inferred_years(text: str, found: list[DatedSpan], year: int) -> list[DatedSpan]:
    """Append the anchor year to each year-less "July 16" / "16 July" and read again. (text has
    a digit: find_absolute reads only such sentences, and the normalising writes none away.)"""
    # _MONTH_DAY starts with a month's name (capitalised), _DAY_MONTH with a digit that follows
    # none and has a month's name after it: without a capitalised month name, nothing to add
    capitals = [m.start() for m in _MONTH_CAPITALS.finditer(text)]
    if not capitals:
        return found
    taken = sorted((d.start, d.end) for d in found)   # non-overlapping spans
    # A match holds a capitalised month name, and one holding a capital inside a date read
    # already overlaps that date and is dropped below: with every capital inside one (a
    # sentence whose month names all have their years), nothing to add
    for at in capitals:
        for start, end in taken:
            if start <= at < end:
                break
        else:
            break   # a capital outside every date read
    else:
        return found
    inserts: list[tuple[int, str]] = []
    for pattern, glue, starts in ((_MONTH_DAY, ", ", capitals), (_DAY_MONTH, " ", digit_run_starts(text))):
        for match in finditer_at(pattern, text, starts):
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


