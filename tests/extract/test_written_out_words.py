"""Gates written out as `"word" in folded or ...` (quicker than any() over a generator) test
exactly the words of the tuples the rest of the code and the tests use."""
from __future__ import annotations

import inspect
import re

from pipeline.core import patterns
from pipeline.extract import sentences as S


def _written(function, marker: str) -> list[str]:
    """The words tested as `"word" in <marker>` in the source of function, in order."""
    return re.findall(rf'"([^"]+)" in {marker}\b', inspect.getsource(function))


def test_event_relative_tests_its_words():
    assert _written(S.event_relative, "folded") == list(S._EVENT_RELATIVE_WORDS)


def test_find_relative_tests_its_words():
    assert _written(S.find_relative, "folded") == list(S._RELATIVE_WORDS)


def test_bare_times_test_the_other_day_words():
    assert _written(S._with_bare_times, "folded") == list(S._OTHER_DAY_WORDS)


def test_has_digit_tests_every_ascii_digit():
    assert _written(patterns.has_digit, "text") == list("0123456789")
    for text in ["", "abc", "a1", "9", "x\u0665", "\u0665", "no digit \u00e9", "\u00e9 7"]:
        assert patterns.has_digit(text) == (re.search(r"\d", text) is not None), text


# --- sentence spans: the spaces around a sentence stepped over in place -------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SPACES = [" ", "  ", "\t", "\u00a0", "\u2009", "\u3000", "\x1c", "\x85", "\u200b", "\ufeff", "a", "B.", "7", ".", "\u00e9"]


def _plain_add_span(out, line, start, end):   # the form with copies, as it was written
    piece = line[start:end]
    stripped = piece.strip()
    if stripped:
        lead = start + len(piece) - len(piece.lstrip())
        out.append((lead, lead + len(stripped)))


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_SPACES), max_size=12), st.integers(0, 40), st.integers(0, 40))
def test_add_span_as_strip_finds_it(pieces, a, b):
    line = "".join(pieces)
    start, end = min(a, b, len(line)), min(max(a, b), len(line))
    got, want = [], []
    S._add_span(got, line, start, end)
    _plain_add_span(want, line, start, end)
    assert got == want


def test_every_code_point_isspace_as_strip_removes_it():
    for cp in range(0x110000):
        c = chr(cp)
        assert c.isspace() == (not c.strip()), hex(cp)


# --- date ranges: the ASCII form of the range hint ------------------------------------------------

_HINT_PIECES = ["1", "16", "1969", " ", "  ", "-", "\u2013", "to", "until", "through", "July", "J", "Ju",
                "x", "A", ",", ".", "\t", "\u00a0", "\u0665"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_HINT_PIECES), max_size=14))
def test_the_ascii_range_hint_as_the_plain_one(pieces):
    from pipeline.extract import prose_traps as T
    text = "".join(pieces)
    if text.isascii():
        plain = T._RANGE_HINT.search(text)
        fast = T._ASCII_RANGE_HINT.search(text)
        assert (plain and plain.span()) == (fast and fast.span())


# --- the Moon / Earth words of a landing, led by their first letters ------------------------------

_PLACE_PIECES = ["Moon", "MOON", "moon", "lunar", "Lunar Module", "LM", "crater", "Mare", "Tranquility",
                 "Tranquillity", "Earth", "ocean", "Pacific", "Atlantic", "splashdown", "steppe", "Kazakhstan",
                 "recovery", "runway", "desert", "parachute", "parachutes", "home", "\u212aazakh", "\u017fteppe",
                 "\u0130", " ", "-", "x", "s", "_", "1", ".", "the "]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PLACE_PIECES), max_size=10))
def test_lunar_and_earth_words_as_the_plain_patterns(pieces):
    import re

    from pipeline.extract import prose as P
    text = "".join(pieces)
    for led, plain in ((P._LUNAR, P._LUNAR_PLAIN), (P._EARTH, P._EARTH_PLAIN)):
        assert [m.span() for m in led.finditer(text)] == [m.span() for m in re.finditer(plain, text, re.I)]
