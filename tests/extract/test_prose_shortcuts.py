"""Shortcuts of the prose event reader (issue 17, branch events5) beside the plain forms they
replace, on generated text: led patterns, ASCII twins of digit patterns, skipped paragraphs."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import prose as P
from pipeline.extract import prose_traps as T
from pipeline.extract import sentences as S

ZONE_PIECES = ["Eastern Standard Time", "eastern daylight time", "EASTERN", "Central Daylight Time",
               "central standard time", "Pacific Standard Time", "pacific daylight time", "Mountain Standard Time",
               "mountain daylight time", "Moscow time", "Moscow t\u0131me", "MO\u017fCOW TIME", "Coordinated Universal Time",
               "coordinated universal time", "\u212aelvin", " ", "  ", "time", "Time", "e", "c", "p", "m", "Mo", "7:51", "a.m. "]
CUE_PIECES = ["in", "In", "IN", "\u0130n", "\u0131n", "during", "DURING", "Dur\u0131ng", "early", "late", "mid", "mid-",
              "Mid-", " ", "  ", "\t", "x", "din", "within", ",", "1969"]
DIGIT_PIECES = ["1", "12", "123", "1234", "12345", "123456", "/", ".", "-", "\u2212", " ", "x", "a", ":"]


def _text(pieces, max_size=30):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


_PLAIN_LONG_ZONE = re.compile("|".join(S._LONG_ZONES), re.I)
_PLAIN_YEAR_CUE = re.compile(r"\b(?:in|during)\s+(?:(?:early|late|mid-?)\s*)?$", re.I)


@settings(max_examples=1500, deadline=None)
@given(_text(ZONE_PIECES))
def test_long_zones_found_as_the_plain_pattern_finds_them(text):
    assert [m.span() for m in S._LONG_ZONE.finditer(text)] == [m.span() for m in _PLAIN_LONG_ZONE.finditer(text)]
    assert S._LONG_ZONE.sub(S._abbreviated, text) == _PLAIN_LONG_ZONE.sub(S._abbreviated, text)


@settings(max_examples=1500, deadline=None)
@given(_text(CUE_PIECES))
def test_the_year_cue_as_the_plain_pattern(text):
    assert (P._YEAR_CUE.search(text) is None) == (_PLAIN_YEAR_CUE.search(text) is None)


@settings(max_examples=1500, deadline=None)
@given(_text(DIGIT_PIECES))
def test_ascii_twins_of_digit_patterns_find_the_same(text):
    for plain, ascii_ in ((S._THREE_RUN, S._ASCII_THREE_RUN), (S._DATE_RUN, S._ASCII_DATE_RUN),
                          (T._YEAR, T._ASCII_YEAR)):
        assert [m.span() for m in plain.finditer(text)] == [m.span() for m in ascii_.finditer(text)]


def test_ascii_twins_differ_only_on_other_digits():
    # (why they are used only on ASCII text)
    assert S._THREE_RUN.search("\u0661\u0662\u0663") and not S._ASCII_THREE_RUN.search("\u0661\u0662\u0663")
