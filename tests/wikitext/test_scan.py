"""locate: template names, the linear brace scanner and find_infoboxes on hostile input."""
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.mappings import aliases, canonical_name, load_mappings
from pipeline.core.mediawiki import normalize_name
from pipeline.wikitext.scan import find_infoboxes, is_infobox_name, scan

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "wikitext"


def names(text):
    return [name for _, _, name in find_infoboxes(text)]


@pytest.mark.parametrize("raw, expected", [
    ("Infobox spaceflight", "Infobox spaceflight"),
    ("infobox spaceflight", "Infobox spaceflight"),
    ("Template:Infobox_spaceflight", "Infobox spaceflight"),
    ("  template : Infobox   spaceflight \n", "Infobox spaceflight"),
    ("Infobox spaceflight <!-- comment -->", "Infobox spaceflight"),
    ("Infobox Spaceflight", "Infobox spaceflight"),
    ("Infobox space mission", "Infobox spaceflight"),
    ("Infobox space expedition", "Infobox spaceflight"),
    ("Infobox space mission/IP", "Infobox spaceflight/IP"),
    ("Infobox spacecraft", "Infobox spacecraft"),
    ("Infobox spaceflight/Dock", "Infobox spaceflight/Dock"),
    # drift fixed: the alias lists of the scanner and the mapping differed
    ("Infobox manned spaceflight/Dock", "Infobox spaceflight/Dock"),
    ("Infobox Space Shuttle mission", "Infobox spaceflight"),
])
def test_canonical_name(raw, expected):
    assert canonical_name(raw) == expected


def test_aliases_point_at_real_names():
    assert set(aliases().values()) == {m.template for m in load_mappings() if m.aliases}
    assert all(normalize_name(k) == k for k in aliases())


def test_is_infobox_name():
    assert is_infobox_name("infobox_country")
    assert is_infobox_name("Spaceflight crew")          # a data box: the crew table
    assert not is_infobox_name("Spaceflight crew member")
    assert not is_infobox_name("")


def test_spans_are_exact():
    text = "intro {{Infobox spaceflight|name=X|a={{convert|1|kg}}}} after {{Other|x}}"
    [(start, end, name)] = find_infoboxes(text)
    assert text[start:end] == "{{Infobox spaceflight|name=X|a={{convert|1|kg}}}}"
    assert name == "Infobox spaceflight"


def test_several_and_nested_boxes():
    text = "{{Infobox a|x={{Infobox a/sub|y=1}}}}\n{{Infobox b}}"
    assert names(text) == ["Infobox a", "Infobox b"]  # the sub-box belongs to its parent


def test_box_inside_bold_and_wrapper_template():
    assert names("'''{{Infobox spaceflight|name=A}}'''") == ["Infobox spaceflight"]
    assert names("{{Wrapper|1={{Infobox spaceflight|name=A}}}}") == ["Infobox spaceflight"]


def test_comments_nowiki_and_refs_hide_braces():
    assert names("<!-- {{Infobox spaceflight|a=1}} -->") == []
    assert names("<nowiki>{{Infobox spaceflight}}</nowiki>") == []
    text = "{{Infobox x|a=<ref>}}</ref>|b=2}} tail"
    [(start, end, _)] = find_infoboxes(text)
    assert text[start:end] == "{{Infobox x|a=<ref>}}</ref>|b=2}}"


def test_unclosed_constructs_do_not_swallow_the_box():
    assert names("{{ broken {{Infobox a|b=1}} text") == ["Infobox a"]
    assert names("{{Infobox a|image=[[File:x.jpg|thumb}}\ntext") == ["Infobox a"]
    assert names("{{Infobox a|ref=<ref>unclosed}}\n") == ["Infobox a"]
    assert names("<!-- unclosed {{Infobox a}}") == []  # MediaWiki: comment runs to the end


def test_deep_nesting_and_nul_bytes():
    deep = "{{Infobox a|p=" + "{{x|" * 200 + "y" + "}}" * 200 + "}}"
    assert names(deep) == ["Infobox a"]
    assert names("\x00{{Infobox\x00 a|b=\x00}}") == ["Infobox a"]
    assert names("{{Infobox a|b=\x00c}}") == ["Infobox a"]


@pytest.mark.parametrize("text", [
    lambda k: "{{" * k,
    lambda k: "{{a|" * k,
    lambda k: "}}" * k,
    lambda k: "[[" * k + "}}",
    lambda k: "<ref>" * k,
    lambda k: "<ref name=x" * (k // 2),
    lambda k: "<!--" * k,
    lambda k: "{{Infobox a|" + "[[" * k,
    lambda k: "{{{" * k,
])
def test_hostile_input_is_linear(text, assert_linear):
    assert_linear(lambda t: (find_infoboxes(t), scan(t)), text, 50_000)


def test_scan_reports_top_level_opaque_spans():
    text = "a<ref>r</ref>{{t|<ref>in</ref>}}<!--c--><nowiki>{{x}}</nowiki>"
    sc = scan(text)
    assert [text[s:e] for s, e in sc.templates] == ["{{t|<ref>in</ref>}}"]
    assert [(text[s:e], k) for s, e, k in sc.opaque] == [
        ("<ref>r</ref>", "ref"), ("<!--c-->", "comment"), ("<nowiki>{{x}}</nowiki>", "nowiki")]


def test_corpus_pages():
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present beside the checkout")
    assert names((CORPUS / "spaceflight" / "Apollo_11.wikitext").read_text()) == \
        ["Infobox spaceflight", "Spaceflight crew", "Spaceflight crew"]   # prime and backup crew
    found = {p.name: names(p.read_text(errors="replace")) for p in (CORPUS / "robustness").iterdir()}
    assert found["dijs__copper.txt"][0] == "Infobox element"
    assert found["spencermountain__United-Kingdom.txt"] == ["Infobox country"]
    assert found["spencermountain__redirect.txt"] == []
    assert all("Infobox spaceflight" not in v for v in found.values())


# --- the spaceflight prefilter --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("{{Infobox spaceflight\n| name = X}}", True),
    ("{{infobox_spaceflight|name=X}}", True),
    ("{{Template:Infobox  Spaceflight}}", True),
    ("{{Infobox space mission}}", True),
    ("{{Infobox Space Shuttle mission}}", True),
    ("{{Infobox space expedition}}", True),
    ("{{Infobox rocket}}", False),
    ("{{Infobox spacecraft}}", False),
    ("no infobox at all", False),
])
def test_may_have_infobox(text, expected):
    from pipeline.wikitext.scan import may_have_infobox
    assert may_have_infobox(text) is expected


def test_prefilter_never_drops_a_page_that_has_a_mission_box():
    from pipeline.wikitext.scan import SPACEFLIGHT_NAMES, may_have_infobox
    for name in SPACEFLIGHT_NAMES + tuple(a for a, t in aliases().items() if t == "Infobox spaceflight"):
        for spelled in (name, name[0].lower() + name[1:], name.replace(" ", "_"), name.replace(" ", "  ")):
            page = "Prose.\n{{" + spelled + "\n| name = X\n}}"
            assert canonical_name(spelled) == "Infobox spaceflight"
            assert may_have_infobox(page), spelled


def test_scan_skips_links_outside_templates_without_changing_the_result():
    # Links outside any template are not tracked (they cannot change which }} closes what);
    # an unclosed [[ before a template and a stray ]] after it leave the spans as they were.
    text = "[[a [[b]] {{x|[[c|d]]}} ]] ]] {{y|[[e}}"
    sc = scan(text)
    assert [text[s:e] for s, e in sc.templates] == ["{{x|[[c|d]]}}", "{{y|[[e}}"]


# --- scanning only as far as the boxes ---------------------------------------------------------

_PIECES = ["{{", "}}", "{{{", "}}}", "[[", "]]", "<!--", "-->", "<ref>", "</ref>", "<ref name=a/>",
           "<nowiki>", "</nowiki>", "Infobox x", "infobox_y", "Spaceflight crew", "|", "\n", "text ",
           "{{Infobox spaceflight|a=", "{{wrap|{{Infobox rocket|b=1}}}}"]


def _texts():
    import random
    rng = random.Random(20261125)
    for _ in range(3000):
        yield "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 30)))


def test_a_scan_stopped_early_then_resumed_is_the_whole_scan():
    for text in _texts():
        whole = scan(text)
        for upto in (-1, 0, len(text) // 3, len(text) // 2, len(text)):
            part = scan(text, upto=upto)
            # what a stopped scan lists is exactly the whole scan's view of text[:end]
            assert part.templates == [t for t in whole.templates if t[1] <= part.end], (text, upto)
            assert all(t[0] >= part.end for t in whole.templates if t[1] > part.end)
            assert part.whole() == whole and part.whole() is part.whole()
            assert part.complete is (part.end == len(text))


def test_box_scan_finds_the_same_boxes_as_a_whole_scan():
    from pipeline.wikitext.scan import box_scan
    for text in _texts():
        assert find_infoboxes(text, box_scan(text)) == find_infoboxes(text, scan(text)), text
    page = "{{Infobox spaceflight|name=A}}\n" + "Prose {{cite|x}} <ref>r</ref>\n" * 2000
    part = box_scan(page)
    assert part.end < 100 and not part.complete  # the prose after the box is not scanned yet
    assert part.whole() == scan(page)
    crew = "{{Infobox spaceflight|name=A}}\n" + "Prose.\n" * 50 + "{{Spaceflight crew|a=b}}\nMore."
    assert [n for _, _, n in find_infoboxes(crew, box_scan(crew))] == \
        ["Infobox spaceflight", "Spaceflight crew"]


def test_in_comment_agrees_with_comment_spans_everywhere():
    import random
    from pipeline.wikitext.scan import comment_spans, in_comment
    rng = random.Random(4)
    pieces = ["<!--", "-->", "<!-->", "<!--->", "<!---->", "-", "<", "!", ">", "x", "\n"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 9)))
        spans = comment_spans(text)
        for pos in range(len(text) + 1):
            assert in_comment(text, pos) == any(s <= pos < e for s, e in spans), (text, pos)


# --- links change no span --------------------------------------------------------------------

_LINKY = ["{{", "}}", "{{{", "}}}", "[[", "]]", "[", "]", "|", "a", "\n", "<ref>", "</ref>",
          "<ref name=[[x]] />", "<!--", "-->", "<nowiki>", "</nowiki>", "{{Infobox spaceflight"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_LINKY), max_size=50).map("".join))
def test_links_change_no_span(text):
    # the scanner does not read [[ ]] (see the module doc): the same spans with the brackets
    # written as letters, which no token starts with
    plain = text.replace("[[", "xx").replace("]]", "yy")
    a, b = scan(text), scan(plain)
    assert (a.templates, a.opaque) == (b.templates, b.opaque)


# --- a flat template's pair taken at once -----------------------------------------------------

_FLATTISH = ["{{", "}}", "{{{", "}}}", "{", "}", "a", "|", "<", "<ref>", "</ref>", "<ref name=a/>",
             "<!--", "-->", "{{x|1}}", "{{y}}}", "{{{z}}", "\n"]


def _general_scan(text, upto=None):
    """scan() with the flat-template shortcut off: every brace run read as a token."""
    import re
    from pipeline.wikitext import scan as scan_module
    kept = scan_module._FLAT
    scan_module._FLAT = re.compile(r"(?!)")
    try:
        part = scan_module.scan(text, upto)
        part.whole()  # (made now, and kept by the scan, with the shortcut off)
        return part
    finally:
        scan_module._FLAT = kept


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_FLATTISH), max_size=40).map("".join))
def test_flat_templates_give_the_spans_every_token_gives(text):
    a, b = scan(text), _general_scan(text)
    assert (a.templates, a.opaque, a.end) == (b.templates, b.opaque, b.end)
    for upto in (0, len(text) // 2):
        a, b = scan(text, upto), _general_scan(text, upto)
        assert (a.templates, a.opaque, a.end) == (b.templates, b.opaque, b.end)
        assert a.whole() == b.whole()


def test_flat_templates_on_the_corpus_give_the_spans_every_token_gives():
    from pipeline.wikitext.scan import box_scan
    pages = sorted(p for p in CORPUS.rglob("*.wikitext"))[:200] if CORPUS.exists() else []
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert scan(text) == _general_scan(text), path
        assert box_scan(text).whole() == _general_scan(text), path
