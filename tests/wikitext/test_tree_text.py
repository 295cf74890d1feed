"""pipeline.wikitext.tree: the text of a Wikicode put together from its nodes' fields (_joined)
is str() of each node joined, as mwparserfromhell writes it, on lean trees and on
mwparserfromhell's own trees alike, at every depth."""
import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mwparserfromhell.wikicode import Wikicode

from pipeline.wikitext import tree as mwtree

SNIPPETS = [
    "", "plain", "{{a}}", "{{a|b}}", "{{a|b=c|d}}", "{{a|b=c=d}}", "{{a||}}", "{{ a | b = {{c|d}} }}",
    "[[A]]", "[[A|b]]", "[[A|b|c]]", "[[A|{{b}}]]", "[http://x y] [//z] http://w.org",
    "&nbsp;&#39;&#x41;", "<!-- c -->{{{arg|def}}}{{{bare}}}", "<ref name=\"a\">{{cite web|url=u}}</ref>",
    "<br/><br><span style=\"x y\">s</span>", "{{unclosed", "[[unclosed", "{{a|[[b|c]]|d=[[e]]}}",
    "{{Infobox spaceflight|name=X|mass={{convert|1|lb|kg}}|crew=[[A|b]]<br>[[C]]|3}}",
]


def _wikicodes(code):
    """Every Wikicode of a tree (the code itself, and those of its nodes, at any depth)."""
    yield code
    for node in code.nodes:
        for child in node.__children__():
            yield from _wikicodes(child)


def _agrees(text: str) -> None:
    for skip in (True, False):
        for code in (mwtree.parse(text, skip_style_tags=skip), mwparserfromhell.parse(text, skip_style_tags=skip)):
            for w in _wikicodes(code):
                assert mwtree._joined(w.nodes) == "".join(str(n) for n in w.nodes), text
            assert str(code) == text


@pytest.mark.parametrize("text", SNIPPETS)
def test_joined_text_is_the_nodes_text(text):
    _agrees(text)


def test_joined_text_of_built_templates():
    t = mwtree.template("convert", [("1", "47.5", False), ("2", "lb", False), ("disp", "x", True)])
    assert mwtree._joined([t]) == str(t) == "{{convert|47.5|lb|disp=x}}"
    assert isinstance(mwtree.code([t]), Wikicode) and str(mwtree.code([t])) == str(t)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["{{", "}}", "[[", "]]", "|", "=", "a", " ", "<br>", "&amp;", "{{{",
                                 "}}}", "<!--", "-->", "[http://x ", "]", "\n", "<ref>", "</ref>"]),
                max_size=14))
def test_joined_text_on_random_markup(pieces):
    _agrees("".join(pieces))
