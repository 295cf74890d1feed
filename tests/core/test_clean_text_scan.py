"""clean_text's single scan for suspect characters cleans exactly as the three separate checks
(surrogates, unsafe controls, NFC) it replaced."""
import unicodedata

from hypothesis import given, strategies as st

from pipeline.core.untrusted import _SURROGATE, _UNSAFE, clean_text, fix_surrogates


def reference(text: str) -> str:
    if text.isascii():
        return _UNSAFE.sub("", text)
    if _SURROGATE.search(text):
        text = fix_surrogates(text)
    text = _UNSAFE.sub("", text)
    return unicodedata.normalize("NFC", text)


_CHARS = st.sampled_from(["a", "é", "e\u0301", "\ud83d", "\ude80", "\x07", "\x85", "\u202e", "\u2067",
                          "\t", "\n", "ß", "\u200f", "\U0001F680"])


@given(st.lists(_CHARS, max_size=30).map("".join))
def test_clean_text_equals_the_three_checks(text):
    assert clean_text(text) == reference(text)


def test_the_utf8_look_finds_exactly_the_suspect_characters():
    """_suspect (a look at the UTF-8 bytes) against the _SUSPECT pattern it stands for, for
    every code point up to U+30FF and around each range, alone and inside other text."""
    from pipeline.core.untrusted import _SUSPECT, _suspect
    points = list(range(0x3100)) + list(range(0xD7F0, 0xE010)) + [0xFEFF, 0xFFFD, 0x1F680, 0x10FFFF]
    for cp in points:
        for text in (chr(cp), "é" + chr(cp) + "x", "\u202f" + chr(cp)):
            assert _suspect(text) == (_SUSPECT.search(text) is not None), hex(cp)
    assert not _suspect("plain é text – with “quotes” and \u00a0 spaces")


# Long texts of lines that mix normalised text, decomposed accents, reordered marks, Indic vowel
# signs and Hangul jamo (NFC_QC "Maybe"), a canonically misordered pair, lone marks at a
# line's start, and CR/LF; long enough that nfc() works piece by piece.
_LINE_PARTS = st.sampled_from(["plain text ", "é", "e\u0301", "a\u0323\u0302", "a\u0302\u0323",
                               "\u0b95\u0bbe", "\u1100\u1161\u11a8", "\u0301", "\u0345",
                               "\ud55c", "\u212b", "\r", "x" * 700, "\u0915\u093c"])
_LINES = st.lists(st.lists(_LINE_PARTS, max_size=60).map("".join), min_size=1, max_size=120)


@given(_LINES)
def test_nfc_piece_by_piece_equals_whole_normalisation(lines):
    from pipeline.core.untrusted import nfc
    text = "\n".join(lines)
    assert nfc(text) == unicodedata.normalize("NFC", text)
    assert nfc("\u0301" + text) == unicodedata.normalize("NFC", "\u0301" + text)


def test_nfc_of_a_long_page_with_one_decomposed_line():
    from pipeline.core.untrusted import _NFC_PIECE, nfc
    clean_line = "Launch – “quoted” é " * 40
    lines = [clean_line] * (4 * _NFC_PIECE // len(clean_line))
    lines[len(lines) // 2] += " Tamil \u0b92\u0bd7 name, decomposed e\u0301"
    text = "\n".join(lines)
    assert len(text) > 3 * _NFC_PIECE
    out = nfc(text)
    assert out == unicodedata.normalize("NFC", text)
    assert "\u0b94" in out and "e\u0301" not in out and len(out) == len(text) - 2
    assert nfc(unicodedata.normalize("NFC", text)) == unicodedata.normalize("NFC", text)


@given(st.lists(_CHARS, max_size=30).map("".join))
def test_clean_and_hash_is_clean_text_and_the_hash_of_what_was_read(text):
    from pipeline.core.untrusted import clean_and_hash, text_sha256
    assert clean_and_hash(text) == (clean_text(text), text_sha256(text))


def test_clean_and_hash_finds_surrogates_in_the_bytes_it_hashed():
    from pipeline.core.untrusted import clean_and_hash, text_sha256
    for text in ("é\ud83d\ude80", "é\udfff", "é\ud800x", "\ud7ff é", "\ue000 é", "é\x85", "é\u2066"):
        assert clean_and_hash(text) == (clean_text(text), text_sha256(text)), ascii(text)
