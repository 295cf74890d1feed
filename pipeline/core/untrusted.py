"""Untrusted values where they enter the pipeline: text made safe once, numbers and instants
range-checked, so that nothing downstream (parsers, Arrow, Parquet, reports) meets a value it
cannot hold.

Every source -- files in raw/ and their sidecars, dump pages, API answers -- passes its strings
through `clean_text` and its ids and instants through `int64` and `utc_instant` before it builds a
RawInput. The hash of what was read is taken before cleaning (`text_sha256`), so the inputs table
still names the bytes on disk.

- `clean_text`: surrogates (a JSON `\\ud800` escape, a surrogate-escaped file name) are paired
  into the character they encode where they can be, else become U+FFFD; C0 controls other than tab, line feed and carriage return, DEL and C1 controls are
  dropped, as are the bidirectional embeddings, overrides and isolates (U+202A-U+202E,
  U+2066-U+2069) that can make a title display as something else; the result is in Unicode
  NFC, so "été" typed in two forms is one title. Left-to-right and right-to-left marks stay
  (they are ordinary in Arabic and Hebrew text).
- `int64`: an id that Arrow's int64 can hold and that is not negative, else None.
- `utc_instant`: an ISO 8601 instant with an offset (`Z` allowed) converted to UTC, or None when
  it does not parse or falls outside years 1-9999 once in UTC (`0001-01-01T00:00:00+14:00`).
Bad input is never an exception here: it is replaced, dropped or None, and the caller says why.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timezone

INT64_MAX = 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` with lone surrogates replaced, unsafe controls dropped, in NFC (see the module)."""
    if text.isascii():  # the common case: only controls can be wrong
        return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text
    return _clean(text, _suspect(text))


def clean_and_hash(text: str) -> tuple[str, str]:
    """(clean_text(text), text_sha256(text)) from one UTF-8 encoding of the text: a page read from
    a dump is hashed and cleaned, and encoding it twice was a tenth of reading it."""
    try:   # strict UTF-8 fails exactly on a surrogate; without one it is "surrogatepass"'s bytes
        data = text.encode("utf-8")
        surrogates = False
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
        surrogates = True
    sha = hashlib.sha256(data).hexdigest()
    if text.isascii():
        return (_UNSAFE.sub("", text) if _UNSAFE.search(text) else text), sha
    return _clean(text, surrogates or _suspect_bytes(data)), sha


def _clean(text: str, suspect: bool) -> str:
    if suspect:
        if _SURROGATE.search(text):
            text = fix_surrogates(text)
        if _UNSAFE.search(text):
            text = _UNSAFE.sub("", text)
    return nfc(text)


# NFC is decided piece by piece: CPython's is_normalized scans about 1.6 ns a character while
# every character is NFC_QC=Yes, but one "Maybe" character (a combining mark, an Indic vowel
# sign, a Hangul jamo) sends the whole text to a full normalisation and comparison, about
# 20 ns a character: a long page with one Tamil name paid that for all of its text. Pieces
# start at a line feed, which has a normalisation boundary before it (combining class 0,
# NFC_QC=Yes, the first of no composition, the second of none), so the NFC of the text is the
# NFC of its pieces joined, and only a piece with such a character pays the slow path.
_NFC_PIECE = 4096


def nfc(text: str) -> str:
    """unicodedata.normalize("NFC", text), without the whole text paying for one line's
    combining characters."""
    if len(text) <= 2 * _NFC_PIECE:
        return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
    pieces, changed, start, end = [], False, 0, len(text)
    while start < end:
        cut = text.find("\n", start + _NFC_PIECE)
        cut = end if cut < 0 else cut
        piece = text[start:cut]
        if not unicodedata.is_normalized("NFC", piece):
            piece, changed = unicodedata.normalize("NFC", piece), True
        pieces.append(piece)
        start = cut
    return "".join(pieces) if changed else text


# _SUSPECT in UTF-8: C0 controls and DEL are single bytes that no other character's encoding
# holds; C1 controls are C2 80-9F; the bidirectional controls E2 80 AA-AE and E2 81 A6-A9.
_C0_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20)) + b"\x7f"
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_BIDI_UTF8 = (re.compile(b"\xe2\x80[\xaa-\xae]"), re.compile(b"\xe2\x81[\xa6-\xa9]"))


def _suspect(text: str) -> bool:
    """_SUSPECT.search(text) is not None, about twice as fast on a long page: a surrogate makes
    strict UTF-8 encoding fail, and the other characters are found in the bytes by C loops
    (a byte deletion for the controls, searches that skip ahead to a lead byte for the rest)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return _suspect_bytes(data)


def _suspect_bytes(data: bytes) -> bool:
    """A C0 control, DEL, a C1 control or a bidirectional control in UTF-8 bytes."""
    if len(data.translate(None, _C0_BYTES)) != len(data):
        return True
    return (_C1_UTF8.search(data) is not None
            or any(p.search(data) is not None for p in _BIDI_UTF8))


def fix_surrogates(text: str) -> str:
    """Surrogates that form a pair become the character they encode (an editor's `&#xD83D;&#xDE80;`
    is the rocket it meant); lone ones become U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def text_sha256(text: str) -> str:
    """SHA-256 of text as read (UTF-8; a lone surrogate is hashed as its code point)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def int64(value) -> int | None:
    """A non-negative id that fits Arrow's int64 (an int, or digits as text), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit() or len(value) > 19:
            return None
        value = int(value)
    if isinstance(value, int) and 0 <= value <= INT64_MAX:
        return value
    return None


def utc_instant(value, *, assume_utc: bool = False) -> datetime | None:
    """An ISO 8601 instant in UTC, or None (not text, no offset unless assume_utc, out of range)."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        t = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        if not assume_utc:
            return None
        t = t.replace(tzinfo=timezone.utc)
    try:
        return t.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
