"""The start-position scans give exactly the matches of a plain finditer."""
from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core import instants
from pipeline.core.patterns import digit_run_starts, finditer_at, fold, occurrences
from pipeline.extract import sentences

_PIECES = st.sampled_from(list("0123456789 ,.-/:()+\u017fJjAaNnSsEePpMmDdCcOoTtZ\u0663") + [
    "July ", "Sep", "Sept ", "sep", "\u017fep", "1969", "20:17", ":40", " UTC", " GMT", "Dec.", "2021-03-04",
    "16 ", "of ", "th", "March", "MAY", "janov", " a.m.", "h"])
_TEXT = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_scanning_from_the_possible_starts_finds_what_finditer_finds(text):
    runs = digit_run_starts(text)
    date_starts, time_starts = instants._starts(text)
    cases = [(instants._DATE, date_starts), (instants._TIME, time_starts),
             (sentences._MONTH_DAY, occurrences(text, sentences._MONTH_PREFIXES)),
             (sentences._DAY_MONTH, runs)]
    for pattern, starts in cases:
        plain = [(m.span(), m.groups()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groups()) for m in finditer_at(pattern, text, starts)] == plain


def test_occurrences_overlap_and_fold():
    assert occurrences("janjan", ["jan"]) == [0, 3]
    assert occurrences("aaa", ["aa"]) == [0, 1]
    assert occurrences("\u017fEP 5, JAN", ["sep", "jan"], caseless=True) == [0, 7]
    assert digit_run_starts("a12 3\u0663x") == [1, 4]


def test_fold_writes_as_its_letter_exactly_what_ignorecase_matches_to_an_ascii_letter():
    letters = "abcdefghijklmnopqrstuvwxyz"
    either = re.compile("|".join(f"({c})" for c in letters), re.I)
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        m = either.fullmatch(char)
        folded = fold(char)
        assert len(folded) == 1, hex(point)
        assert (folded in letters) == (m is not None), hex(point)
        if m is not None:
            assert folded == letters[m.lastindex - 1], hex(point)
    assert fold("\u017fEP KELVIN \u212a \u0130\u0131 Caf\u00e9") == "sep kelvin k ii caf\u00e9"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["12", "7", " ", "h", "hrs", "Z", "UTC", "GMT", " (", ":", "05", "z",
                                 "utc", "a.m.", ".", "EDT", "+3"]), max_size=12).map("".join))
def test_a_time_is_only_where_its_scan_looks(text):
    # instants._scan reads times only in text with one of these (every _TIME match has one)
    if instants._TIME.search(text):
        assert any(mark in text for mark in (":", "Z", "UTC", "GMT"))


def test_lower_puts_ascii_where_fold_does_but_for_three_characters():
    """fold_for_words uses str.lower() when none of patterns._LOWER_DIFFERS is in the text: for
    every other code point lower() gives one character, ASCII exactly when fold's is, and then
    the same one (so an ASCII word is found at the same places)."""
    from pipeline.core.patterns import _LOWER_DIFFERS
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000 or c in _LOWER_DIFFERS:
            continue
        low, folded = c.lower(), fold(c)
        assert len(low) == 1, hex(cp)
        assert (low if low.isascii() else None) == (folded if folded.isascii() else None), hex(cp)
    for c in _LOWER_DIFFERS:  # each of the three does differ
        assert c.lower() != fold(c)


_WORD_TEXT = st.lists(st.sampled_from(["Pilot", "PILOT", "p\u0131lot", "\u0130", "\u017f", "K\u212a",
                                       "\u00c9", "\u00e9", "Mission ", " the first ", "Before", "x", "-"]),
                      max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(_WORD_TEXT)
def test_fold_for_words_finds_ascii_words_where_fold_does(text):
    from pipeline.core.patterns import fold_for_words
    for word in ("pilot", "mission", " the first ", "before", "k", "i", "s", "x-"):
        assert (word in fold_for_words(text)) == (word in fold(text))
        assert occurrences(text, [word], caseless=True) == [
            i for i in range(len(text)) if fold(text).startswith(word, i)]


def test_words_looked_for_in_folded_text_are_ascii():
    from pipeline.extract import prose
    from pipeline.transform import reconcile
    words = [w for ws in prose._TRIGGER_WORDS for w in ws] + list(sentences._RELATIVE_WORDS)
    words += list(sentences._EVENT_RELATIVE_WORDS)
    words += [w for last, firsts in reconcile._ROLE_FIRST_WORDS.items() for w in (last, *firsts)]
    assert all(w.isascii() and w == w.lower() for w in words)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Commander ", "commander, ", "Mission ", "mission  ", "Lunar Module Pilot ",
                                 "Command Module Pilot ", "pilot ", "Frank ", "Borman", "Jim Lovell", "the ", "x",
                                 "\u017fcience Pilot ", "\u0130", "\u212a", "é", ".", "\n", "Flight Engineer ",
                                 "Mission Specialist ", "payload specialist, ", "Research \u212aosmonaut ",
                                 "\u017fpaceflight Participant ", "Lunar\nModule  Pilot ", "Science ",
                                 "Flight ", "Payload ", "Research ", "Spaceflight "]),
                max_size=25).map("".join))
def test_role_mentions_are_found_from_their_possible_starts(text):
    from pipeline.transform.reconcile import _ROLE_NAME, _role_matches
    plain = [(m.span(), m.groups()) for m in _ROLE_NAME.finditer(text)]
    assert [(m.span(), m.groups()) for m in _role_matches(text)] == plain


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .,:-0189") + ["\u0661", "\u00e9", "\u2013", "\uff11", "\n"]),
               max_size=30))
def test_has_digit_is_the_digit_search(text):
    from pipeline.core.patterns import has_digit
    assert has_digit(text) == (re.search(r"\d", text) is not None)
