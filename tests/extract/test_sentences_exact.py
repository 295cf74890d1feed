"""The cheaper prose event reader reads what the plain one read (issue 17, branch events): each
shortcut beside the straightforward form it replaces, on generated text."""
import re
from datetime import datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.core.instants import Instant, find_instants
from pipeline.core.patterns import fold
from pipeline.extract import mentions as M
from pipeline.extract import people
from pipeline.extract import prose as P
from pipeline.extract import sentences as S
from pipeline.extract import prose_traps
from pipeline.extract.prose_traps import date_range

ANCHORS = [None, Instant(datetime(1969, 7, 16, 13, 32, tzinfo=timezone.utc), "minute"),
           Instant(datetime(2024, 3, 1, tzinfo=timezone.utc), "month")]

# Pieces of prose around dates: digits of every length, months written every way (and inside
# words), times, zones (short and long, caseless variants), weekdays, terminals, abbreviations.
PIECES = ["1", "16", "969", "1969", "20241", "12:", "13:32", "13:32:00", " UTC", " GMT", "UTC+3", ":", " ",
          "  ", ", ", ". ", "! ", "? ", ".\" ", ".) ", " on ", " in ", " at ", "July", "july", "JULY", "Jul",
          "Jul.", "jul", "Sept", "Sep", "\u017fep", "September", "Mar", "Mars", "Maroon", "march", "May",
          "may", "Dec", "decided", "Eastern Standard Time", "coordinated universal time", "Moscow t\u0131me",
          "Moscow time", " time", "Sunday", "Monday, ", "day", "th", "st", "–", "-", "/", "8\u201320 December",
          "[[", "]]", "[1]", "&nbsp;", "\u00a0", "\u2212", "\u0661\u0669\u0666\u0669", "\u0130", "K\u212a",
          "Dr", "No", "U.S", "a.m", "p.m", "A", "c", "approx", "Jr", "He", "It", "The", "launched", "the ",
          "flight", "mission ", "12 km", "Apollo 11", "'", "(", ")", "\n"]


# Whole phrases, joined by spaces: dates as prose writes them, and near misses.
PHRASES = ["on July 16", "16 July", "July 16, 1969", "in 1969", "Chaikin 1994", "in March 969", "969 BC",
           "at 13:32 UTC", "13:32:00 GMT", "at 13:32", "at 9:32 a.m. EDT", "7:51 Coordinated Universal Time",
           "the next day", "Sept. 3", "ſep 3, 1969", "Sunday July 20", "1969-07-16", "16/07/1969", "Mars",
           "May", "it may", "decided", "12 km", "185 km", "Apollo 11", "20241 m", "١٩٦٩",
           "3rd of May", "the 20th", "midnight", "8–20 December 2021", "mission", "launched", ",", ".",
           "[[July 16]]", "[1]", " ", "16 July", "Eastern Standard Time", "time", "UTC", "Jul. 4",
           "the next morning", "the following night", "at midnight", "Next day", "14:05 UTC", "1:5 UTC",
           "24:00 UTC", "12:30:61 GMT", "09:15UTC", "\u0661\u0662:\u0663\u0660 UTC", "\u0661\u0669:30 UTC"]


def _text(pieces=PIECES, max_size=30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


def _phrases(max_size=8):
    return st.lists(st.sampled_from(PHRASES), max_size=max_size).map(" ".join)


def _plain_find_dates(sentence, anchor):
    """find_dates(sentence, anchor, relative=False) without its shortcuts (no may_date, every
    normalising pass)."""
    if not re.search(r"\d", sentence):
        return []
    text = S._LONG_ZONE.sub(S._abbreviated, S._WEEKDAY.sub(S._blank, sentence))
    found = [S.DatedSpan(s, e, i.utc, i.precision, "absolute") for s, e, i in find_instants(text)]
    if anchor is not None:
        found = S._with_inferred_years(text, found, anchor.utc.year)
    return _plain_bare_times(text, found, anchor)


def _plain_bare_times(text, found, anchor):
    if ":" not in text or S._OTHER_DAY.search(text):
        return found
    out = list(found)
    for m in S._BARE_TIME.finditer(text):
        if any(d.start <= m.start() < d.end for d in found):
            continue
        before = [d for d in found if d.end <= m.start() and d.precision in S._FINE]
        base = max(before, key=lambda d: d.end).utc if before else (
            anchor.utc if anchor is not None and anchor.precision in S._FINE else None)
        if base is None:
            continue
        day = base.replace(hour=0, minute=0, second=0, microsecond=0)
        utc = day + timedelta(hours=int(m.group(1)), minutes=int(m.group(2)), seconds=int(m.group(3) or 0))
        out.append(S.DatedSpan(m.start(), m.end(), utc, "second" if m.group(3) else "minute", "time_inferred"))
    return sorted(out, key=lambda d: d.start)


def _check_may_date(text):
    for anchor in ANCHORS:
        plain = _plain_find_dates(text, anchor)
        assert S.find_dates(text, anchor, relative=False) == plain, (text, anchor)
        if not S.may_date(text, anchor):
            assert plain == [], (text, anchor)


@settings(max_examples=1500, deadline=None)
@given(_text())
@example("Eastern Standard TimeJul\n1")        # the zone's padding makes "Jul" start a word
@example("on 1\u22122\u221220245 then")          # a minus sign becomes a numeric date's "-"
def test_may_date_is_false_only_where_find_dates_reads_nothing(text):
    _check_may_date(text)


@settings(max_examples=1500, deadline=None)
@given(_phrases())
def test_may_date_is_false_only_where_find_dates_reads_nothing_in_phrases(text):
    _check_may_date(text)


@settings(max_examples=1500, deadline=None)
@given(_text(PIECES + ["TIME", "tIme", "t\u0130me", "\u017ftime", "tim", "ime"]))
def test_the_time_word_is_found_where_the_caseless_search_finds_it(text):
    assert S._has_time_word(text) == (re.search("time", text, re.I) is not None)


@settings(max_examples=1500, deadline=None)
@given(_phrases())
def test_a_year_less_day_holding_a_capital_inside_a_date_overlaps_that_date(text):
    # what lets _with_inferred_years stop when every capitalised month name is inside a date
    spans = [(s, e) for s, e, _ in find_instants(text)]
    capitals = [i for i in range(len(text)) if text.startswith(tuple(S._MONTH_PREFIXES), i)]
    for pattern in (S._MONTH_DAY, S._DAY_MONTH):
        for match in pattern.finditer(text):
            held = [c for c in capitals if match.start() <= c < match.end()]
            assert held, (text, match)
            if all(any(s <= c < e for s, e in spans) for c in capitals):
                assert any(s < match.end() and match.start() < e for s, e in spans), (text, match)


@settings(max_examples=1500, deadline=None)
@given(_text(PIECES + ["20245", "1/2/", "12.3.", "-", "[12]", "[[1969 in spaceflight|", "123456", "July 16, 969"]))
def test_a_sentence_without_a_run_of_three_to_five_digits_has_no_date_of_its_own(text):
    if S._DATE_RUN.search(text) is None:
        assert find_instants(text) == [] and find_instants(S._normalise_for_dates(text)) == []


@settings(max_examples=500, deadline=None)
@given(_text())
def test_find_absolute_is_find_dates_where_may_date_lets_a_sentence_through(text):
    for anchor in ANCHORS:
        if re.search(r"\d", text) and S.may_date(text, anchor):
            assert S.find_absolute(text, anchor) == S.find_dates(text, anchor, relative=False)


@settings(max_examples=500, deadline=None)
@given(_text(max_size=60))
def test_may_date_of_a_paragraph_covers_each_of_its_sentences(text):
    for line in text.splitlines():
        for anchor in ANCHORS:
            if not S.may_date(line, anchor):
                assert not any(S.may_date(s, anchor) for s in S.split_sentences(line)), (line, anchor)


_PLAIN_RANGE_HINT = re.compile(r"\d\s*(?:[\u2010-\u2015-]|to|until|through)\s*[\dA-Z]"
                               r"|\d\s+[A-Z][a-z]+\s*(?:[\u2010-\u2015-]|to)")


@settings(max_examples=1500, deadline=None)
@given(_text(PIECES + ["8", "20", "\u2013", "\u2010", " to ", "to", " until ", "through", " December", "Dec", "X",
                       "  ", "\t"]))
def test_the_date_range_hint_as_the_plain_one(text):
    assert (prose_traps._RANGE_HINT.search(text) is None) == (_PLAIN_RANGE_HINT.search(text) is None)


@settings(max_examples=500, deadline=None)
@given(_text())
def test_date_range_needs_a_four_digit_year(text):
    if not re.search(r"\d{4}", text):
        assert date_range(text) is None


# --- sentence splitting: the plain form (every _TERMINAL match, the helpers called) -------------

def _plain_split(text):
    out = []
    for line in text.splitlines():
        start = 0
        for match in S._TERMINAL.finditer(line):
            rest = line[match.end():match.end() + 40].lstrip()
            head = rest.lstrip("\"'\u201c\u2018([")
            if not rest or not (bool(head) and (head[0].isupper() or head[0].isdigit())):
                continue
            before = line[max(start, match.start() - 40):match.start()]
            if match.group().startswith(".") and _plain_abbreviation(before, rest):
                continue
            if line[start:match.end()].strip():
                out.append(line[start:match.end()].strip())
            start = match.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


def _plain_abbreviation(before, rest):
    if not before or before[-1].isspace():
        return False
    word = before.rsplit(None, 1)[-1].lstrip("\"'\u201c\u2018([")
    if re.fullmatch(r"[ap]\.m", word, re.I):
        return bool(S._ZONE_WORD.match(rest))
    if S._INITIALS.fullmatch(word):
        return True
    return word.lower() in S._ABBREVIATIONS


SPLIT_PIECES = ["Word", "word", " ", "  ", ".", "!", "?", "...", ". ", "! ", "?! ", ".\" ", ".) ", ".] ",
                "\u201d", "\u2019", "\u201c", "\u2018", "(", "[", "A", "a", "B.", "U.S", "Dr", "dr", "No", "p.m",
                "P.M", "a.M", "\u0251.m", " EDT", " UTC", " local", "3", "51.66", "\u00a0", "\u2009", "\t",
                "\n", "\u0130", "\u00c9t\u00e9", "approx", "Jan", "c"]


@settings(max_examples=1500, deadline=None)
@given(_text(SPLIT_PIECES, max_size=50))
def test_split_sentences_as_the_plain_form(text):
    assert S.split_sentences(text) == _plain_split(text)
    for line in text.splitlines():
        assert [line[a:b] for a, b in S.sentence_spans(line)] == _plain_split(line)


@settings(max_examples=1500, deadline=None)
@given(_text(PIECES + SPLIT_PIECES + ["/2024", ".19691", "-20245", "\u221212345", "1969.", "(1969)", "\u0661\u0669\u0666\u0669."],
             max_size=50))
def test_a_sentence_holds_a_year_run_of_its_paragraph_where_it_has_one_of_its_own(text):
    for line in text.splitlines():
        years = S.year_runs(line)
        for start, end in S.sentence_spans(line):
            sentence = line[start:end]
            own = S._YEAR_RUN.search(sentence) is not None
            assert own == (S._year_run(sentence).search(sentence) is not None)
            assert own == any(len(m.group()) == 4 or len(m.group()) == 5 and m.start()
                              and sentence[m.start() - 1] in "/.-\u2212" for m in re.finditer(r"\d+", sentence))
            assert (S._THREE_RUN.search(sentence) is not None) == any(
                len(m.group()) == 3 for m in re.finditer(r"\d+", sentence))
            assert P._holds(years, start, end) == own, (line, sentence)
            for anchor in ANCHORS:
                assert S.may_date(sentence, anchor) == (own or S.may_date_without_year(sentence, anchor))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), _text(SPLIT_PIECES, max_size=20)), max_size=12),
       st.integers(0, 5), st.integers(5, 40))
def test_recent_sentences_as_a_plain_list(items, n, max_length):
    recent, plain = S.RecentSentences(max_length), []
    for whole, text in items:
        line = text.replace("\n", " ")
        if whole:
            recent.add_paragraph(line)
            plain += [s for s in S.split_sentences(line) if len(s) <= max_length]
        else:
            recent.add(line)
            plain.append(line)
        assert recent.last(n) == plain[-n:] if n else recent.last(n) == []


# --- words that gate a pattern: in every text the pattern matches, as fold writes it -------------

_OUTCOME_PHRASES = {
    P._REASON: "due to a leak|because of rain|owing to wind|caused by a fault|because it",
    P._SCRUB: "scrubbed|scrub|aborted|abort|postponed|delayed|called off|stood down|cancelled|canceled",
    P._HAPPENED: "took place|occurred|happened|finally|eventually|successful|successfully|succeeded"
                 "|nominal|nominally",
    P._FAILURE: "failed|failure|exploded|explosion|destroyed|crash|crashed|crash-landed|malfunction"
                "|malfunctioned|anomaly",
    P._VEHICLE_FAILED: ", but the second stage failed| and the booster exploded|, however the rocket "
                       "engines malfunctioned| but the fairing broke up| and the engines shut down early",
}


def _caseless_variant(text, data):
    swaps = {"s": "\u017f", "k": "\u212a", "i": "\u0131", "I": "\u0130"}
    return "".join(ch.swapcase() if (c := data.draw(st.integers(0, 2))) == 1 else swaps.get(ch, ch) if c == 2
                   else ch for ch in text)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.text(max_size=15), st.text(max_size=15))
def test_an_outcome_pattern_is_searched_whenever_it_can_match(data, before, after):
    assert set(_OUTCOME_PHRASES) == set(P._OUTCOME_WORDS)
    for pattern, phrases in _OUTCOME_PHRASES.items():
        for phrase in phrases.split("|"):
            assert pattern.search(f"It was {phrase} then."), phrase
            text = f"{before} {_caseless_variant(phrase, data)} {after}"
            if pattern.search(text):
                assert P._search(pattern, text, fold(text)) is not None, text


NAMES = ["Apollo 11", "Soyuz MS-25", "Crew-8", "STS-4", "ISS 72S", "Apollo XI", "Chang'e 5", "Ax-3",
         "Soyuz TMA-M-20", "Progress M-12", "\u00c9t\u00e9 1", "-x 2", "Lunar Orbiter 3", "CSM-107"]
MENTION_PIECES = NAMES + ["apollo 11", "APOLLO 11", "\u017fTS-4", "Apollo\u00a011", "Soyuz MS\u201025", "MS-24",
                          "MS-26", "crew-9", "Crew-", "STS", "-", " ", ", ", ". ", " and ", " before ",
                          " known as ", "(", "Soyuz 72S", "Apollo 12", "Apollo 11s", "x", "7", "\u0130"]


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(NAMES), st.lists(st.sampled_from(NAMES), max_size=2),
       st.lists(st.sampled_from(NAMES), max_size=2), _text(MENTION_PIECES, max_size=16))
def test_mentions_as_every_pattern_finds_them(title, aliases, others, sentence):
    missions = M.Missions(title, aliases, others)
    gated = missions.find(sentence)
    missions._gated = [(p, (), False) for p, _, _ in missions._gated]   # every pattern tried
    assert gated == missions.find(sentence)
    assert [p for p, _, _ in missions._gated] == missions.patterns


# --- the subject of a record or a spacewalk: the plain name pattern (every split of a word) -----

_PLAIN_NAME = r"[A-Z][\w'\u2019-]*[a-z][\w'\u2019-]*"
_PLAIN_SUBJECT = re.compile(people._SUBJECT.pattern.replace(people._NAME, _PLAIN_NAME))
SUBJECT_PIECES = ["Armstrong", "Neil", "MESA", "McDivitt", "O'Hara", "O\u2019Hara", "Jean-Loup", "A", "Ab", "aB",
                  "X-1", "Z\u00e9", "\u00c9t\u00e9", "D-ring", " ", "  ", "\n", ", ", " and ", "&", " later", " also",
                  " had", " walked", " set", " stepped", " was", "ed", "1", "_", "-", "'", "(", ")", "."]


@settings(max_examples=1500, deadline=None)
@given(_text(SUBJECT_PIECES, max_size=25))
def test_the_subject_pattern_as_the_plain_one(text):
    assert people._NAME != _PLAIN_NAME and people._NAME in people._SUBJECT.pattern
    assert [(m.span(), m.groups()) for m in people._SUBJECT.finditer(text)] == \
        [(m.span(), m.groups()) for m in _PLAIN_SUBJECT.finditer(text)]
