"""Reader text from rendered pieces: the marks rendering uses, whitespace and quote cleanup,
list items, and the test for rendering residue.

Conventions: list items are separated by SEP while rendering; ``finish`` splits on it (``<br>``,
bullets, ubl/plainlist/flatlist/hlist) and joins the items with ", " for the one-line text.
Nothing here parses wikitext and nothing raises on junk.
"""
from __future__ import annotations

import re

from pipeline.core.patterns import finditer_at, occurrences

SEP = "\x1e"
# Brackets a flag's country: shown only when nothing else shares its list item (see finish).
FLAG_OPEN, FLAG_CLOSE = "\ue000", "\ue001"
# A literal apostrophe from an entity or {{'}}: kept apart from the '' and ''' markup until
# the quotes are stripped (MediaWiki emits &#39; for the same reason).
APOS = "\ue002"
_FLAG = re.compile("\ue000([^\ue000\ue001]*)\ue001")
# The marks rendering uses (SEP, FLAG_*, APOS, REF_*), never in real wikitext.
_MARKS = re.compile("[\x1e\ue000-\ue0ff]")

_INVISIBLE_WIDE = "\u00ad\u200b\u200e\u200f\ufeff"
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1d\x1f" + _INVISIBLE_WIDE + "]")
_QUOTES = re.compile(r"'{4,}")
# '' and ''' (the common runs) go without a callback; longer runs take _quotes. A run of exactly
# two or three, written with the literal '' first (the lookbehind after it), so that the engine
# skips ahead to it instead of setting up a lookbehind at every character.
_SHORT_QUOTES = re.compile(r"''(?<!''')'?(?!')")
# "( )", "(;)", "[ ]". Possessive, so that a "(" before a long run of spaces is read once, not
# once per split of the run between two \s* (the same matches: \s never matches , ; or a ")").
_EMPTY_BRACKETS = re.compile(r"\(\s*+(?:[,;]\s*+)?\)|\[\s*+\]")
# "UTC" first so that the regex engine can skip ahead to it; the lookbehind is the \b before it.
_REPEATED_UTC = re.compile(r"UTC(?<!\wUTC)(?:\s+UTC\b)+")


def _quotes(m: re.Match) -> str:
    n = len(m.group(0))
    return "'" if n == 4 else "'" * (n - 5) if n > 5 else ""


# A space before one of these goes (each pair found with str.find, which is faster than one
# regex over the whole text).
_SPACE_BEFORE = (" ,", " ;", " .", " :", " )")
_SPACE_BEFORE_ANY = re.compile(r" [,;.:)]")
# ASCII that is not printable text, a tab or a line break (SEP is one such character)
_CONTROL = re.compile(r"[^\t\n\r\x20-\x7e]")


# Whether a long text (a section's) has one of the ASCII characters a pattern matches, read
# from its UTF-8 bytes mapped to 0 (such a character) or 1 (any other byte: the bytes of a
# character past ASCII are all 0x80 or more): a third of the cost of the regex search there,
# though more for a short text (a value), which the regex reads.
_LONG = 300


def _ascii_table(pattern: re.Pattern) -> bytes:
    return bytes(0 if b < 0x80 and pattern.match(chr(b)) else 1 for b in range(256))


_INVISIBLE_ASCII_BYTES = _ascii_table(_INVISIBLE)
_CONTROL_BYTES = _ascii_table(_CONTROL)


def _has_ascii(s: str, table: bytes) -> bool:
    return b"\x00" in s.encode("utf-8", "surrogatepass").translate(table)


def _has_invisible(s: str) -> bool:
    """_INVISIBLE.search(s) is not None (tests/wikitext/test_render.py checks each code point)."""
    if len(s) < _LONG:
        return _INVISIBLE.search(s) is not None
    return _has_ascii(s, _INVISIBLE_ASCII_BYTES) or any(c in s for c in _INVISIBLE_WIDE)


def _has_control(s: str) -> bool:
    """_CONTROL.search(s) is not None, for an ASCII s."""
    if len(s) < _LONG:
        return _CONTROL.search(s) is not None
    return _has_ascii(s, _CONTROL_BYTES)


def clean_inline(s: str, sep: str = " ", keep_lines: bool = False) -> str:
    """One line of reader text: invisible characters dropped, non-breaking spaces and hyphens
    made plain, '' and ''' removed, empty brackets removed, whitespace collapsed. With
    keep_lines, newlines survive and each line is trimmed."""
    if s.isalnum():  # one word (a unit, a name): no step below changes it (tested)
        return s
    # Each step runs only when its trigger is present: this runs for every value, list item
    # and prose section, and the `in` tests cost far less than a regex pass. Printable ASCII
    # (most values) has no invisible, special-space or marker characters to look for.
    special = not s.isascii() or not s.isprintable() and _has_control(s)
    if special:
        if _has_invisible(s):
            s = _INVISIBLE.sub("", s)
        if FLAG_OPEN in s:
            s = _FLAG.sub(r"\1", s)
        if SEP in s:
            s = s.replace(SEP, sep)
        # Non-breaking and other special spaces need no pass of their own: every step before
        # the collapse below reads them as \s reads a space, and str.split() (the collapse)
        # splits on them (they are Unicode white space), so they end up as one " " anyway.
        if "\u2011" in s:
            s = s.replace("\u2011", "-")
    if "''" in s:
        s = _SHORT_QUOTES.sub("", s)
        if "''''" in s:
            s = _QUOTES.sub(_quotes, s)
    if special and APOS in s:
        s = s.replace(APOS, "'")
    if "(" in s or "[" in s:
        s = _EMPTY_BRACKETS.sub("", s) if len(s) < 200 else _drop_empty_brackets(s)
    # Runs of whitespace become one space: str.split() splits on exactly the characters \s
    # matches, and the ends it drops are stripped below anyway.
    if keep_lines:
        # Most lines of a section have nothing to collapse: when a line's only white space is
        # single " "s between other characters, split and join give it back as it is. Every
        # white-space character but " " is one that str.isprintable() rejects
        # (tests/wikitext/test_render.py checks each code point), so a printable line (or one
        # printable after a first character that is not white space, such as a list item's
        # mark) with no "  " and no space at either end is such a line. A no-break space, the
        # commonest other space, is made " " first, as the split would make it.
        if "\u00a0" in s:
            s = s.replace("\u00a0", " ")
        s = "\n".join([line if (line.isprintable() or not line[:1].isspace()
                                 and line[1:].isprintable())
                        and "  " not in line and line[:1] != " " and line[-1:] != " "
                        else " ".join(line.split()) for line in s.split("\n")])
    else:
        s = " ".join(s.split())
    if "UTC" in s:
        s = _REPEATED_UTC.sub("UTC", s)
    if " " in s:
        # " ([,;.:)])" -> "\1" in one pass is the same as pair by pair: removing the spaces
        # before one character cannot put a space before another one. One regex search says
        # whether there is any pair (most texts have none), cheaper than a search per pair.
        if _SPACE_BEFORE_ANY.search(s) is not None:
            for pair in _SPACE_BEFORE:
                if pair in s:
                    s = s.replace(pair, pair[1])
        if "( " in s:
            s = s.replace("( ", "(")
    if keep_lines:
        # Most sections have no line that starts or ends with one of " ,;" (each line but the
        # first starts after a "\n", each but the last ends before one): nothing to strip.
        if s[:1] in _STRIPPED or s[-1:] in _STRIPPED or _STRIP_AT_BREAK.search(s) is not None:
            return "\n".join([line.strip(" ,;") for line in s.split("\n")])
        return s
    return s.strip(" ,;")


_STRIPPED = frozenset(" ,;")
# A line break with one of " ,;" before or after it ("\n" first: the engine skips to it).
_STRIP_AT_BREAK = re.compile(r"\n(?:(?<=[ ,;]\n)|[ ,;])")


def _drop_empty_brackets(s: str) -> str:
    """_EMPTY_BRACKETS.sub("", s), trying the pattern only at each "(" and "[" (found with
    str.find): for a long text, far fewer steps than the regex engine's scan of every
    character."""
    matches = finditer_at(_EMPTY_BRACKETS, s, occurrences(s, "(["))
    if not matches:
        return s
    out, pos = [], 0
    for m in matches:
        out.append(s[pos:m.start()])
        pos = m.end()
    out.append(s[pos:])
    return "".join(out)


def finish(s: str) -> tuple[str, list[str]]:
    """Rendered text -> (one-line text, items): items split at SEP, empty ones dropped. A
    {{flag}} country stays only in an item that has no other text ("{{flag|Canada}}" ->
    "Canada", but "{{flag|Belarus}} [[Maryna Vasileuskaya]]" -> "Maryna Vasileuskaya")."""
    items = []
    for part in s.split(SEP):
        if FLAG_OPEN in part:
            without = clean_inline(_FLAG.sub("", part))
            part = without or part
        item = clean_inline(part)
        if item:
            items.append(item)
    return ", ".join(items), items


_LOST_TOKEN = re.compile(
    r"^(?:utc|gmt|frameless|frame|framed|thumb|thumbnail|border|upright(?:=[\d.]+)?|"
    r"\d*x?\d+\s*px|alt=.*)$", re.I)


# What a residue text can start with: a _LOST_TOKEN's first letter or digit, or punctuation.
_LOST_STARTS = frozenset("ugftbaxUGFTBAX0123456789()[],;|:")
_ONLY_PUNCT = re.compile(r"[\s()\[\],;|:]+")
_LOST_SPLIT = re.compile(r"[\s|,;()\[\]]+")
_LOST_FIRST = re.compile(r"[\s|,;()\[\]]*([^\s|,;()\[\]]+)")


def is_lost(text: str) -> bool:
    """True when text is only rendering residue: a bare "UTC" (or "UTC UTC"), empty brackets
    "()", image options such as "frameless|100px". Empty text is not residue (it is empty)."""
    t = text.strip()
    if not t:
        return False
    if t[0] not in _LOST_STARTS:  # no residue word and no punctuation starts so
        return False
    if _ONLY_PUNCT.fullmatch(t):
        return True
    first = _LOST_FIRST.match(t)  # most values fail on their first word: skip the full split
    if first is not None and not _LOST_TOKEN.match(first.group(1)):
        return False
    tokens = [tok for tok in _LOST_SPLIT.split(t) if tok]
    return bool(tokens) and all(_LOST_TOKEN.match(tok) for tok in tokens)


