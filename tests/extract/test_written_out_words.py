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
