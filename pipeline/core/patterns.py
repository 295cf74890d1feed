"""Regex helpers for scanning long text cheaply with the same results.

Python's regex engine tries a pattern at every position of a text unless the pattern starts
with a literal or a character class; a pattern that starts with a lookaround (a date that must
not follow a digit, a month name that must start a word) pays its whole setup at every
character. Two ways around that, both exact:

- `finditer_at`: when every match can only start at a few known places (runs of digits,
  month names: `digit_run_starts`, `occurrences`), try the pattern there only.
- `caseless` / `caseless_first`: a leading test written case-sensitively with exactly the
  characters re.IGNORECASE would let through (tests/core/test_dates.py checks the table), which
  the engine tests faster than the caseless form.

Nothing here raises on odd text; every function is linear in the text (finditer_at: in the
positions given, each tried once by a linear pattern).
"""
from __future__ import annotations

import re

# Characters beyond an ASCII letter's two cases that re.IGNORECASE also matches (Unicode simple
# case folding): the long s, the dotted and dotless i, the Kelvin sign.
_FOLDS = {"s": ("\u017f",), "i": ("\u0130", "\u0131"), "k": ("\u212a",)}
# One lowercase form for what re.IGNORECASE lets through for a lowercase ASCII word (the folds
# that lower() keeps, or lengthens, mapped by hand).
_FOLD = str.maketrans({**{c.upper(): c for c in "abcdefghijklmnopqrstuvwxyz"},
                       **{f: c for c, fs in _FOLDS.items() for f in fs}})
_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"\d+")
_ASCII_DIGIT_RUN = re.compile(r"[0-9]+")   # the same runs in ASCII text, found faster


def caseless(word: str) -> str:
    """word (ASCII letters) as case-sensitive character classes that match what re.IGNORECASE
    matches ("sep" -> [Ss\u017f][Ee][Pp]); in a pattern compiled with re.I, put it inside
    "(?-i:...)"."""
    return "".join("[" + "".join(re.escape(c) for c in sorted({ch, ch.upper(), *_FOLDS.get(ch, ())})) + "]"
                   for ch in word)


def caseless_first(letters) -> str:
    """One character class of every character re.IGNORECASE matches for any of letters."""
    return "[" + "".join(caseless(c)[1:-1] for c in letters) + "]"


def has_digit(text: str) -> bool:
    """re.search(r"\\d", text) is not None: first ten C scans for the ASCII digits (several
    times quicker than the engine's test at every character; nearly every text with a digit has
    one of them), then, in text that is not ASCII only, the engine for the other digits."""
    # (written out: a generator over the digits costs more than the scans)
    if ("0" in text or "1" in text or "2" in text or "3" in text or "4" in text or "5" in text
            or "6" in text or "7" in text or "8" in text or "9" in text):
        return True
    return not text.isascii() and _DIGIT.search(text) is not None


def digit_run_starts(text: str) -> list[int]:
    """Where each run of digits (\\d, any script) starts: the only places a pattern can match
    whose every alternative starts with a digit not preceded by one."""
    runs = _ASCII_DIGIT_RUN if text.isascii() else _DIGIT_RUN
    return [m.start() for m in runs.finditer(text)]


def fold(text: str) -> str:
    """text with every character re.IGNORECASE matches to a lowercase ASCII letter written as
    that letter (same length): a lowercase ASCII word a caseless pattern matches in text is
    `in` fold(text)."""
    return text.lower() if text.isascii() else text.translate(_FOLD)


# str.lower() writes every character re.IGNORECASE matches to an ASCII letter as that letter
# (the Kelvin sign included), one character for one, and no other character as an ASCII
# character, except these three: the long s and the dotless i (left as they are) and the dotted
# capital I (made two characters). Without them, lower() puts an ASCII word where fold() does,
# and it is far faster than fold's translate on non-ASCII text (tests/core/test_patterns.py
# checks every code point).
_LOWER_DIFFERS = ("\u017f", "\u0131", "\u0130")


def fold_for_words(text: str) -> str:
    """A text in which every ASCII word (lowercase letters and other ASCII characters) is
    written at the same places as in fold(text): text.lower() when that is so (nearly always,
    and faster), else fold(text). For `word in ...` and str.find, not for keys."""
    if text.isascii() or not any(c in text for c in _LOWER_DIFFERS):
        return text.lower()
    return fold(text)


def occurrences(text: str, words, *, caseless: bool = False) -> list[int]:
    """Every position where one of words is written, overlapping ones included; with caseless,
    words are lowercase ASCII and found as re.IGNORECASE would find them."""
    if caseless:
        text = fold_for_words(text)
    out = []
    for word in words:
        i = text.find(word)
        while i >= 0:
            out.append(i)
            i = text.find(word, i + 1)
    return out


def finditer_at(pattern: re.Pattern, text: str, starts: list[int]) -> list[re.Match]:
    """pattern.finditer(text) for a pattern that never matches empty and can start only at
    the given positions: the same leftmost, non-overlapping matches, tried only there
    (lookbehinds still see the text before a position)."""
    out, pos = [], 0
    for start in sorted(starts):
        if start >= pos and (m := pattern.match(text, start)) is not None:
            out.append(m)
            pos = m.end()
    return out
