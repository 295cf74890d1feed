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
