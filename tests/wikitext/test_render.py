"""render: one parameter value -> Value, through the template renderer registry."""
import re
import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.wikitext.inline import is_lost
from pipeline.wikitext.render import render_value, render_wikitext


def value(wikitext, on_infobox=None):
    return render_value("p", mwparserfromhell.parse(wikitext, skip_style_tags=True), on_infobox)


def text(wikitext):
    return value(wikitext).text


# --- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("src, expected", [
    ("{{Start date|1969|7|16|13|32|00|TZ=Z}}", "July 16, 1969, 13:32:00 UTC"),
    ("{{Start date|1969|7|16|13|32|00|TZ=Z|df=yes}}", "16 July 1969, 13:32:00 UTC"),
    ("{{End date|1969|7|24}}", "July 24, 1969"),
    ("{{start date|1969|7}}", "July 1969"),
    ("{{start-date|July 16, 1969, 13:32:00|timezone=yes}}&nbsp;UTC", "July 16, 1969, 13:32:00 UTC"),
    ("{{start-date|16 July 1969, 13:32:00 UTC|timezone=yes}}&nbsp;UTC", "16 July 1969, 13:32:00 UTC"),
    ("{{end-date|July 24, 1969, 16:50:35|timezone=yes}}&nbsp;UTC", "July 24, 1969, 16:50:35 UTC"),
    ("{{Start date text|2020-05-30 19:22 UTC}}", "30 May 2020, 19:22 UTC"),
    ("{{Start date and age|2020|05|30|df=yes}}", "30 May 2020"),
    ("{{dts|1969|7|16}}", "July 16, 1969"),
    ("{{dts|July 16, 1969}}", "July 16, 1969"),
    ("{{Start date|2020|5|30|19|22|TZ=-04:00}}", "May 30, 2020, 19:22 UTC-04:00"),
    ("{{Death date and age|2020|12|07|1923|02|13}}", "December 7, 2020"),
    ("{{start-date|sometime soon}}", "sometime soon"),
    ("{{start-date|NET 2025}}", "NET 2025"),
    ("{{start-date|1969-07-16T13:32:00Z}}", "16 July 1969, 13:32:00 UTC"),
    ("{{start-date|13:32 UTC, 16 July 1969}}", "16 July 1969, 13:32 UTC"),
    ("{{Start date}}", ""),
])
def test_date_templates(src, expected):
    assert text(src) == expected


def test_date_text_reads_back():
    from pipeline.core import instants as dates
    for src, iso in [("{{Start date|1969|7|16|13|32|00|TZ=Z}}", "1969-07-16T13:32:00+00:00"),
                     ("{{start-date|July 16, 1969, 13:32:00|timezone=yes}}&nbsp;UTC",
                      "1969-07-16T13:32:00+00:00"),
                     ("{{Start date|2020|5|30|19|22|TZ=-04:00|df=y}}", "2020-05-30T23:22:00+00:00")]:
        assert dates.parse_instant(text(src)).utc.isoformat() == iso


@pytest.mark.parametrize("src, expected", [
    ("{{duration|d=8|h=3|m=18|s=35}}", "8 days, 3 hours, 18 minutes, 35 seconds"),
    ("{{Duration|1|22|34}}", "1 hour, 22 minutes, 34 seconds"),
    # Module:Age joins the last unit with "and" unless sep=, (Template:Time interval doc)
    ("{{time interval|1969-07-16 13:32|1969-07-24 16:50:35|show=dhms}}",
     "8 days, 3 hours, 18 minutes and 35 seconds"),
    ("{{time interval|1969-07-16 13:32|1969-07-24 16:50:35|show=dhms|sep=,}}",
     "8 days, 3 hours, 18 minutes, 35 seconds"),
    ("{{time interval|garbage|1969}}", ""),
])
def test_durations(src, expected):
    assert text(src) == expected


# --- convert ------------------------------------------------------------------------------------

def test_convert_shows_metric_and_records_quantity():
    v = value("{{convert|100756|lb|kg}}")
    assert v.text == "45702 kg"
    [q] = v.quantities
    assert (q.value, q.unit, q.converted_unit) == (100756, "lb", "kg")
    assert q.converted_value == pytest.approx(45701.9, abs=1)


@pytest.mark.parametrize("src, expected", [
    ("{{cvt|100756|lb}}", "45702 kg"),
    ("{{convert|54.5|nmi|km|disp=flip|sp=us}}", "100.9 km"),
    ("{{convert|63650|lb|kg|order=flip}}", "28871 kg"),
    ("{{convert|100|km|mi|abbr=on|lk=on}}", "100 km"),
    ("{{convert|2|to|3|km}}", "2 to 3 km"),
    ("{{convert|2|to|3|mi|km|adj=on}}", "3.2 to 4.8 km"),
    ("{{convert|1,000|ft|m|0}}", "305 m"),
    ("{{convert|5|ft|11|in|m}}", "1.80 m"),
    ("{{convert|3|ft|m}}", "0.91 m"),
    ("{{convert|x|kg}}", "x kg"),
    ("{{convert}}", ""),
])
def test_convert_forms(src, expected):
    assert text(src) == expected


def test_convert_range_records_each_number():
    v = value("{{convert|2|to|3|mi|km}}")
    assert [q.value for q in v.quantities] == [2, 3]
    assert all(q.converted_unit == "km" for q in v.quantities)


# --- coordinates --------------------------------------------------------------------------------

@pytest.mark.parametrize("src, expected", [
    ("{{Coord|13|19|N|169|9|W|type:event|name=Apollo 11 splashdown}}", (13.3167, -169.15)),
    ("{{coord|13.3|-169.15|display=inline,title}}", (13.3, -169.15)),
    ("{{coord|33|51|35.9|S|151|12|40|E|region:AU}}", (-33.86, 151.2111)),
    ("{{coord|8.1|N|165.0|W}}", (8.1, -165.0)),
])
def test_coords(src, expected):
    v = value("North Pacific Ocean<br/>" + src)
    assert v.text == "North Pacific Ocean"
    assert v.coords == pytest.approx(expected, abs=1e-3)


def test_bad_and_foreign_coords_fill_nothing():
    assert value("{{coord|95|0|N|10|0|E}}").coords is None
    assert value("{{coord|abc}}").coords is None
    v = value("Mare Tranquillitatis<br/>{{Lunar coords and quad cat|0.67408|N|23.47297|E}}")
    assert (v.text, v.coords, v.unknown_templates) == ("Mare Tranquillitatis", None, [])


# --- lists, links, flags ------------------------------------------------------------------------

@pytest.mark.parametrize("src", [
    "{{ubl|a|[[b]]|c}}", "{{Unbulleted list|a|b|c}}", "{{plainlist|\n* a\n* [[b]]\n* c\n}}",
    "{{Plain list|\n*a\n*b\n*c}}", "{{flatlist|\n* a\n* b\n* c\n}}", "{{hlist|a|b|c}}",
    "* a\n* b\n* c", "a<br>b<br/>c", "a<br />b</br>c",
])
def test_lists(src):
    v = value(src)
    assert v.items == ["a", "b", "c"]
    assert v.text == "a, b, c"


def test_single_and_empty_values():
    assert value("plain").items == ["plain"]
    v = value("  ")
    assert (v.text, v.items, v.raw) == ("", [], "")


def test_links():
    v = value("[[Neil Armstrong|Neil A. Armstrong]], [[buzz_Aldrin]], [[Foo#Bar|x]], "
              "[[File:X.jpg|thumb|cap [[y]]]][[Category:C]] [http://example.com label]")
    assert v.text == "Neil A. Armstrong, buzz Aldrin, x, label"
    assert v.links == [("Neil A. Armstrong", "Neil Armstrong"), ("buzz Aldrin", "Buzz Aldrin"),
                       ("x", "Foo")]


def test_flags_become_links_before_the_person():
    v = value("{{flagicon|USA}} [[Neil Armstrong]]<br>{{flag|Belarus}} [[Maryna Vasileuskaya]]")
    assert v.items == ["Neil Armstrong", "Maryna Vasileuskaya"]
    assert v.links == [("USA", "flag:USA"), ("Neil Armstrong", "Neil Armstrong"),
                       ("Belarus", "flag:Belarus"), ("Maryna Vasileuskaya", "Maryna Vasileuskaya")]
    assert text("{{flag|Canada}}") == "Canada"  # alone in its item, the country is what shows


# --- text templates, markup, entities -----------------------------------------------------------

@pytest.mark.parametrize("src, expected", [
    ("{{USS|Hornet|CV-12|6}}", "USS Hornet (CV-12)"),
    ("{{HMS|Dreadnought|1906}}", "HMS Dreadnought (1906)"),
    ("{{ship|SS|Great Eastern}}", "SS Great Eastern"),
    ("{{nowrap|a b}}", "a b"),
    ("{{lang|ru|Союз}}", "Союз"),
    ("{{lang-ru|Союз}}", "Союз"),
    ("{{transl|ru|Soyuz}}", "Soyuz"),
    ("{{abbr|LEO|Low Earth orbit}}", "LEO"),
    ("x{{!}}y", "x|y"),
    ("a{{nbsp}}b", "a b"),
    ("{{small|s}} {{nobr|t}}", "s t"),
    ("{{circa|1950}}", "c. 1950"),
    ("''Columbia''{{'s}} hatch", "Columbia's hatch"),
    ("Soyuz&#8209;MS 25\u2011x&nbsp;y", "Soyuz-MS 25-x y"),
    ("'''bold''' and ''it''", "bold and it"),
    ("<small>(small)</small><sup>1</sup><span style=\"display:none\">hidden</span>", "(small)1"),
    ("<!-- {{Start date|2020|1|1}} -->", ""),
    ("2020 <!-- old: 2019 -->", "2020"),
    ("x (<ref>r</ref>)", "x"),
])
def test_text_templates_and_markup(src, expected):
    assert text(src) == expected


def test_citations_leave_the_text():
    v = value('[[NASA]]<ref name="x">{{cite web|url=http://a.example|title=T|date=2020}}</ref>'
              '<ref name="y"/>{{efn|a note}}{{sfn|Orloff|2004|p=5}}')
    assert v.text == "NASA"
    assert [(c.name, c.url, c.title, c.date) for c in v.citations[:2]] == [
        ("x", "http://a.example", "T", "2020"), ("y", None, None, None)]
    assert len(v.citations) == 4
    assert v.links == [("NASA", "NASA")]  # links inside refs are not the value's


def test_bare_cite_template_is_a_citation():
    v = value("NASA {{cite web|url=http://u.example|title=T}}")
    assert v.text == "NASA"
    assert (v.citations[0].url, v.citations[0].title, v.unknown_templates) == ("http://u.example", "T", [])


def test_lost_only_when_rendering_made_residue():
    assert value("{{Some date template}}&nbsp;UTC").lost is True
    assert value("250px").lost is False  # the editor wrote exactly that
    assert value("{{Start date|1969|7|16}} UTC").lost is False


def test_unknown_templates_are_reported():
    v = value("{{Some unknown|a|b}} text")
    assert (v.text, v.unknown_templates) == ("text", ["Some unknown"])


def test_nested_infobox_is_handed_over():
    seen = []
    v = value("x {{Infobox spaceflight/Dock|a=1}}", on_infobox=lambda t: seen.append(t))
    assert v.text == "x" and len(seen) == 1 and v.unknown_templates == []


@pytest.mark.parametrize("src", ["{{", "}}", "[[", "[[a|", "<ref>", "<ref name=", "{{convert|",
                                 "{{coord|", "{{Start date|x|y|z}}", "\x00\x1e\ue000", "{{ubl}}",
                                 "{{duration|d=x}}", "{{USS}}", "{{flag}}", "&#99999999;"])
def test_broken_input_never_raises(src):
    value(src)
    render_wikitext(src)


@pytest.mark.parametrize("residue, lost", [
    ("UTC", True), ("UTC UTC", True), ("()", True), ("frameless|100px", True), ("250px", True),
    ("", False), ("13:32 UTC", False), ("none", False), ("NASA", False), ("–", False),
])
def test_is_lost(residue, lost):
    assert is_lost(residue) is lost


def test_prose_snippet_rendering():
    assert render_wikitext("{{convert|47.5|lb|kg}}") == "21.5 kg"
    assert render_wikitext("{{Spaceflight crew|x=1}}") == ""


# --- the lean tree builder and clean_inline -----------------------------------------------------

CORPUS_DIR = __import__("pathlib").Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def _corpus_texts():
    texts = [p.read_text(errors="replace") for p in sorted((CORPUS_DIR / "wikitext").glob("*/*"))]
    if not texts:
        pytest.skip("shared corpus not beside the checkout")
    return texts


@pytest.mark.slow
def test_lean_builder_builds_the_same_tree_as_mwparserfromhell():
    from pipeline.wikitext import tree as mwtree
    assert mwtree._self_check()
    for text in _corpus_texts():
        for skip in (True, False):
            lean = mwtree.parse(text, skip_style_tags=skip)
            assert mwtree.same_tree(lean, mwparserfromhell.parse(text, skip_style_tags=skip))
            assert str(lean) == text


@pytest.mark.parametrize("wikitext", [
    "{{a|b=c|d}}", "<ref name=\"x\">{{cite web|url=u}}</ref>", "[[A|b]] [http://x y] &amp; &#x41;",
    "<!-- c -->{{{1|d}}}", "== H ==\n* i\n# j\n{| t\n|c\n|}", "{{unclosed", "<span style=a>x</span",
    "''i'' '''b'''", "<br/><br>", "[[File:x.jpg|thumb|{{y|z}}]]",
])
def test_lean_builder_on_small_and_broken_markup(wikitext):
    from pipeline.wikitext import tree as mwtree
    for skip in (True, False):
        assert mwtree.same_tree(mwtree.parse(wikitext, skip), mwparserfromhell.parse(wikitext, skip_style_tags=skip))


def test_same_tree_sees_a_difference():
    from pipeline.wikitext import tree as mwtree
    assert not mwtree.same_tree(mwtree.parse("{{a|b}}"), mwparserfromhell.parse("{{a|c}}"))
    assert not mwtree.same_tree(mwtree.parse("{{a|b=c}}"), mwparserfromhell.parse("{{a|b}}"))


def test_rendering_a_lean_tree_equals_rendering_mwparserfromhell_s():
    from pipeline.wikitext import tree as mwtree
    src = ("{{convert|100756|lb|kg}}<ref name=\"o\">{{cite book|title=T|url=http://u}}</ref>"
           "<br/>[[Neil Armstrong|Neil]] {{flagicon|USA}} {{Start date|1969|7|16|13|32|00|TZ=Z}}")
    a = render_value("p", mwtree.parse(src, skip_style_tags=True))
    b = render_value("p", mwparserfromhell.parse(src, skip_style_tags=True))
    assert a == b and a.text


@pytest.mark.parametrize("s, keep_lines, expected", [
    ("a  b\t c", False, "a b c"),
    (" ''x'' '''y''' ''''z'''' ", False, "x y 'z'"),
    ("UTC  UTC", False, "UTC"),
    ("xUTC UTC", False, "xUTC UTC"),
    ("a ( ) b [ ] c", False, "a b c"),
    ("line one \n  line two ,", True, "line one\nline two"),
    ("a\u00a0b\u2011c", False, "a b-c"),
    ("a ,b ;c .", False, "a,b;c."),
    # ASCII with line breaks takes the short path; other control characters do not
    ("a ,b\n( c )\t", False, "a,b (c)"),
    ("x\x0by\n", False, "xy"),
    ("a\x1eb\n", False, "a b"),
])
def test_clean_inline(s, keep_lines, expected):
    from pipeline.wikitext.inline import clean_inline
    assert clean_inline(s, keep_lines=keep_lines) == expected


def test_a_printable_line_has_no_white_space_but_the_space():
    # clean_inline leaves a printable line with no "  " and no space at its ends as it is:
    # split() and join would give it back unchanged only if " " is its only white space.
    import sys
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        if ch.isspace() and ch != " ":
            assert not ch.isprintable(), hex(c)


def test_a_word_of_letters_and_digits_is_clean_as_it_is():
    # clean_inline returns an isalnum() text at once: no step changes a letter or digit (the
    # character with a space after it, which takes every step, gives the character back) and
    # every step but the marks' and invisibles' needs a character that is neither
    import sys
    from pipeline.wikitext.inline import clean_inline
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        if ch.isalnum():
            assert clean_inline(ch + " ") == ch, hex(c)
            assert clean_inline(ch + " ", keep_lines=True) == ch, hex(c)
    for word in ("Apollo11", "\u00e9t\u00e91969", "NASA", "km", "\u0661\u0662"):
        assert clean_inline(word + " ") == clean_inline(word) == word


def test_the_invisible_and_control_tests_read_each_code_point_as_the_regexes_do():
    # a long text is read from its bytes, a short one by the regex: either finds a character
    # exactly where the regex would (whether a text has one is whether any of its characters is)
    import sys
    from pipeline.wikitext import inline
    found = [chr(c) for c in range(sys.maxunicode + 1) if inline._INVISIBLE.match(chr(c))]
    assert len(found) == 33
    others = "".join(chr(c) for c in range(sys.maxunicode + 1) if not inline._INVISIBLE.match(chr(c)))
    for at in range(0, len(others), 5000):
        chunk = others[at:at + 5000]
        assert not inline._has_invisible(chunk) and not inline._has_invisible(chunk[:50])
    for ch in found:
        for s in (ch, "a\u00e9" + ch + "\n", "a\u00e9" + ch + "\n" + "x" * inline._LONG):
            assert inline._has_invisible(s), hex(ord(ch))
    for c in range(128):
        for s in ("a" + chr(c) + "\n", "a" + chr(c) + "\n" + "x" * inline._LONG):
            assert inline._has_control(s) == (inline._CONTROL.search(s) is not None), c


@pytest.mark.parametrize("s", ["a\u00a0b\nc", " a\nb ", "a  b\nc", "a\u2009b", "a\x85b\nc\u3000d", "x\n\ny",
                               "\ue003 a b\n\ue003\ta", "\t\ue003a\n\ue003 a \n\ue003a\u00a0 b", "\u00a0\u00a0a\n\u00a0"])
def test_clean_lines_collapse_what_is_not_plain(s):
    from pipeline.wikitext.inline import clean_inline
    assert clean_inline(s, keep_lines=True) == "\n".join(" ".join(line.split()).strip(" ,;")
                                                          for line in s.split("\n"))


def _corpus_prose_templates():
    from pipeline.wikitext.scan import scan
    out = []
    for text in _corpus_texts():
        sc = scan(text)
        out.extend(text[s:e] for s, e in sc.templates if e - s < 20_000)
    return out


def test_text_only_rendering_gives_the_text_of_full_rendering():
    # render_wikitext (the prose) renders neither refs nor silent templates: the same text
    from pipeline.wikitext import tree as mwtree
    from pipeline.wikitext.inline import finish
    from pipeline.wikitext.render import Context
    snippets = _corpus_prose_templates() + [
        "{{quote|a<ref>{{cite web|url=u|title=t}}</ref> b{{efn|note<ref name=x/>}} c}}",
        "{{nowrap|x{{coord|1|2}}{{citation needed}}{{sfn|A|2001}} y}}", "{{quote|{{cite book|title=B}}z}}"]
    assert len(snippets) > 50
    for snippet in snippets:
        tree = mwtree.parse(snippet, skip_style_tags=True)
        full = finish(Context().render(tree))[0]
        assert finish(Context(text_only=True).render(tree))[0] == full, snippet[:200]


_LIFT_CASES = [
    "{{quote|a<ref>http://a.com/x</ref>b c}}", "{{quote|a<ref>see http://a.com</ref> b}}",
    "{{quote|a<ref>x|y</ref> b|author}}", "{{quote|a<ref>x=y</ref> b}}", "{{quote|[[a<ref>x</ref>|b]] c}}",
    "{{quote|[[a|b<ref>x</ref>]] c}}", "{{quote|[http://x.org<ref>y</ref> l] c}}",
    "{{quote|a<ref name=q>{{cite web|url=http://x.org|title=t}}</ref> b|c}}",
    "{{quote|a<ref name=q/> b<ref name=q>{{cite web|url=http://x.org|title=[[t]]}}</ref>}}",
    "{{quote|text=a<ref>x</ref>}}", "{{quote|'''A'''<ref>x</ref>}}", "{{nowrap|a<ref>x</ref>}}",
    "{{Quote|{{lang|fr|a<ref>x</ref>}}}}", "{{quote|a<ref>x<!-- c -->y</ref>b c}}",
    "{{quote|a<ref>x<!-- c </ref> -->y</ref>b c}}", "{{quote|a<ref>x<!-- c y</ref>b c}}",
    "{{quote|a{{efn|x<ref>y</ref>}} b}}", "{{quote|a{{nowrap|x<ref>y</ref>}} b}}",
    "{{quote|a<ref>{{cite web|url=http://x|date=1 <!--bot-->|title=t}}</ref> b}}",
    "{{quote|a<ref>{{cite|x</ref>}}}}", "{{quote|a<ref>{{</ref>b}}", "{{quote|a<ref>}}</ref>b}}",
    "{{quote|<ref>x</ref>Letter}}", "{{quote|\"<ref>x</ref>Letter}}", "{{quote|a<ref>[[x|y]]</ref>}}",
    "{{quote|a<ref>x\n* y</ref> b}}", "{{quote|a<ref><span>x</span></ref> b}}", "{{quote|a<ref/>b}}",
    "{{{{quote}}|a<ref>x</ref>}}", "{{quote<ref>x</ref>|a}}", "{{quote|a<ref>x</ref>=b}}",
    "{{quote|a<ref>x</ref>|sign=b<ref>y</ref>}}", "{{age|1|2|sep=<ref>x</ref>}}",
    "{{quote|a<ref>x</ref>{{Infobox x|y<ref>z</ref>}} b}}", "{{quote|a{{unknown x|y<ref>z</ref>}} b}}"]


def test_a_prose_template_renders_the_same_with_its_refs_lifted():
    # lifted.prose_tree lifts the refs of a {{quote}} out before parsing when that changes
    # neither the text nor whether its first argument starts with a letter
    from pipeline.wikitext import tree as mwtree
    from pipeline.wikitext.lifted import prose_tree
    letter = re.compile(r"""['"]*[^\W_]""")
    snippets = [t for t in _corpus_prose_templates() if "<ref" in t] + _LIFT_CASES
    lifted = 0
    for snippet in snippets:
        code, refs = prose_tree(snippet)
        whole = mwtree.parse(snippet, skip_style_tags=True)
        if refs is None:
            assert str(code) == snippet
            continue
        lifted += 1
        assert render_wikitext(snippet, code, refs) == render_wikitext(snippet, whole), snippet[:200]
        head, whole_head = mwtree.first_argument_text(code), mwtree.first_argument_text(whole)
        assert (head is not None and letter.match(head) is not None) == (
            whole_head is not None and letter.match(whole_head) is not None), snippet[:200]
    assert lifted > 15


def test_render_wikitext_light_and_full_paths_agree():
    from pipeline.wikitext import tree as mwtree
    from pipeline.wikitext.inline import finish
    from pipeline.wikitext.render import Context, _light_parse
    for snippet in ("{{convert|47.5|lb|kg}}", "{{USS|Hornet|CV-12}}", "{{nowrap|8 days}}"):
        light = _light_parse(snippet)
        assert light is not None
        assert finish(Context().render(light)) == finish(Context().render(mwtree.parse(snippet, True)))


def test_a_light_snippet_renders_as_its_tree_renders():
    # render_wikitext reads a light snippet's arguments from its strings (render._LightArgs)
    from pipeline.wikitext import tree as mwtree
    from pipeline.wikitext.inline import APOS, finish
    from pipeline.wikitext.render import Context, _light_split
    from pipeline.wikitext.templates import RENDERERS
    snippets = [t for t in _corpus_prose_templates() if _light_split(t) is not None]
    args = ["|1969|7|16", "|47.5|lb|kg|0", "|5|ft|11|in|m", "|1|to|3|mi|km|abbr=on", "|a|b|c",
            "|x=1|y=2|x=3", "|Hornet|CV-12", "| a b |=c| d=", "|\u00a0x\u2011y é|\x1ez",
            "|USA", "|df=y|1969|7|16|13|32|TZ=Z", "|2020|5|30|19|22|TZ=-04:00", "", "|1=a|2=b"]
    snippets += ["{{" + name + a + "}}" for name in sorted(RENDERERS) for a in args]
    snippets = [s for s in snippets if _light_split(s) is not None]
    assert len(snippets) > 1000
    for snippet in snippets:
        tree = mwtree.parse(snippet, skip_style_tags=True)
        expected = finish(Context(text_only=True).render(tree))[0].replace("'", APOS)
        assert render_wikitext(snippet) == expected, snippet


# --- a ref's cite template read without the parser (render._light_cite) ------------------------

def _parsed_cite(body):
    from pipeline.wikitext import tree as mwtree
    from pipeline.wikitext.render import fill_citation
    from pipeline.records import Citation
    cite = Citation()
    fill_citation(cite, mwtree.parse(body, skip_style_tags=True))
    return {"url": cite.url, "title": cite.title, "date": cite.date}


@pytest.mark.parametrize("body, expected", [
    ("{{cite web |url=http://a.example/?q=1&r=2 |title=A ''B'' |date=May 5, 2020 |publisher=[[NASA]]}}",
     {"url": "http://a.example/?q=1&r=2", "title": "A B", "date": "May 5, 2020"}),
    (" {{Cite book\n| title = T \n| chapter-url = http://c.example | work={{lang|fr|X}} }} p. 5",
     {"url": "http://c.example", "title": "T", "date": None}),
    ("{{cite news|url=|chapterurl=http://c.example|url=http://last.example|title=}}",
     {"url": "http://last.example", "title": None, "date": None}),
    ("{{harvnb|Smith|2001|p=5}}", {"url": None, "title": None, "date": None}),
])
def test_a_simple_cite_is_read_without_the_parser(body, expected, monkeypatch):
    from pipeline.wikitext import tree as mwtree
    from pipeline.wikitext.render import _light_cite
    assert _parsed_cite(body) == expected
    monkeypatch.setattr(mwtree, "parse", lambda *a, **k: pytest.fail("parsed"))
    assert _light_cite(body) == expected


@pytest.mark.parametrize("body", [
    "{{cite web|url=http://a.example|title=[[A]]}}",            # markup in a field
    "{{cite web|title=A &amp; B}}",                             # an entity in a field
    "{{cite web|a=[[|x]]|title=T}}",                            # not a link: the pipe splits
    "{{cite web|a={{|}}|title=T}}",                             # not a template either
    "{{cite web|a=[[http://x.example|y]]|title=T}}",            # an external link
    "{{cite web|a=x\n== H | I ==\n|title=T}}",                  # a heading holds its pipe
    "{{cite web|a=\n;t|title=x:y}}",                            # ";" makes a later ":" markup
    "{{cite\nweb|title=T}}",                                    # not a template name
    "{{cite web|{{x}}{{y}}=1|title=T}}",                        # markup in a key
    "{{harvnb|X}} {{cite web|url=http://u.example}}",           # the cite comes second
    "{{cite web|title=<!-- c -->T}}", "<ref>", "plain text {{cite web|title=T}}",
])
def test_a_cite_the_light_reader_cannot_vouch_for_goes_to_the_parser(body):
    from pipeline.wikitext.render import _light_cite
    assert _light_cite(body) is None


def test_the_light_cite_reader_agrees_with_the_parser_on_corpus_refs_and_mutants():
    import random
    import re
    from pathlib import Path
    from pipeline.wikitext.render import _light_cite
    bodies = set()
    roots = [Path(__file__).resolve().parents[1] / "corpus",
             Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "wikitext"]
    for path in sorted(p for root in roots if root.is_dir() for p in root.rglob("*.wikitext")):
        text = path.read_text(encoding="utf-8", errors="replace")
        bodies.update(re.findall(r"<ref(?:\s[^>]*)?>(.*?)</ref\s*>", text, re.S | re.I))
    pieces = ["[[a|b]]", "[[|x]]", "[[]]", "[[http://x.example|y]]", "[[a|b|c]]", "[[a:b|c]]", "{{x|y}}",
              "{{}}", "{{|}}", "{{=}}", "{{!}}", "=", "|", "&amp;", "&", "\n", "\n*", "\n=", "\n;", "\n:",
              "\n----", " ", "''", "http://e.example/a?b=c&d", "mailto:q@r", "[", "]", "{", "}", "url=",
              "title=", "date=", "chapter-url=", "x", "<!--c-->", "<br>", "\u00a0", "[[a\nb]]"]
    rng = random.Random(7)
    for _ in range(4000):
        parts = ["|" + rng.choice(["url", "title", "date", "chapter-url", "chapterurl", "work", " Title "])
                 + rng.choice(["=", " = ", ""]) + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
                 for _ in range(rng.randint(0, 4))]
        bodies.add(rng.choice(["", " ", "\n"]) + "{{" + rng.choice(["cite web", "Cite_news", " citation ", "harvnb", ""])
                   + "".join(parts) + "}}" + rng.choice(["", " x", " {{cite web|url=u}}", "}}", "\n;a:b"]))
    light = 0
    for body in sorted(bodies):
        fields = _light_cite(body)
        if fields is not None:
            light += 1
            assert fields == _parsed_cite(body), body
    assert light > len(bodies) / 5  # the light reader does read most refs


# --- plain text values take a short path --------------------------------------------------------

_TEXTY = st.lists(st.sampled_from(list("ab 1,;.:()[]'\n\t|") + ["UTC", "''", "px", "\u00a0", "é", "\u200b",
                                                                  "\x1e", "\ue000", "frameless"]),
                  max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTY, _TEXTY)
def test_a_plain_text_value_renders_as_the_general_path_renders_it(a, b):
    from pipeline.wikitext import tree as mwtree
    from pipeline.wikitext.render import _as_text, plain
    one = mwtree.text_code(a + b)
    two = mwtree.code([_as_text(a), _as_text(b)])  # two nodes: the general path
    assert render_value("p", one) == render_value("p", two)
    assert plain(one) == plain(two)


_OLD_NOT_LIGHT = re.compile(r"[\[\]<>&'\n]|\{\{.*\{\{|\}\}.*\}\}", re.S)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["{{", "}}", "{", "}", "{{{", "}}}", "a", "|", "=", "[", "<", "'", "\n", " "]),
                max_size=12).map(lambda xs: "{{" + "".join(xs) + "}}"))
def test_light_split_takes_the_snippets_the_regex_took(snippet):
    # one "{{" and one "}}" counted, in place of the regex's ".*" between two of them
    from pipeline.wikitext.render import _light_split
    assert (_light_split(snippet) is None) == (_OLD_NOT_LIGHT.search(snippet) is not None)


# --- {{convert}}'s numbers (convert._number's digits shortcut) --------------------------------

def _number_in_general(s):
    import math
    from pipeline.wikitext.convert import _NUMBER
    s = s.replace(",", "").replace("−", "-").strip()
    if not _NUMBER.fullmatch(s):
        return None
    try:
        v = float(s)
    except ValueError:
        return None
    mant = s.lower().split("e")[0]
    return (v, len(mant.split(".")[1]) if "." in mant else 0) if math.isfinite(v) else None


@settings(max_examples=500)
@given(st.text(alphabet="0123456789.,e-+ \u2212\u0663\u00b2", max_size=10)
       | st.sampled_from(["30", "193.3", "123.", ".5", ".", "1" * 400, "1" * 400 + ".5", "007"]))
def test_convert_number_shortcut_reads_as_the_general_path(s):
    from pipeline.wikitext.convert import _number
    assert _number(s) == _number_in_general(s)
