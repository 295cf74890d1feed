"""The cheaper prose flattener gives the very text the plain one gave (issue 17, branch
prosemake): each shortcut beside the straightforward form it replaces, on generated text."""
import html
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.mediawiki import is_text_link
from pipeline.extract import wikitext as W
from pipeline.wikitext import tree as mwtree
from pipeline.wikitext.inline import APOS, clean_inline

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "wikitext"


def _text(pieces, max_size=40):
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


# --- links: the stack over every "[[" / "]]" token ------------------------------------------------

def _plain_links(s: str) -> str:
    out, stack, pos = [], [], 0
    for m in re.finditer(r"\[\[|\]\]", s):
        if m.group(0) == "[[":
            stack.append(m.start())
        elif stack:
            start = stack.pop()
            if not stack:
                out.append(s[pos:start])
                out.append(_plain_label(s[start + 2:m.start()]))
                pos = m.end()
    out.append(s[pos:])
    return "".join(out)


def _plain_label(inner: str) -> str:
    target, bar, label = inner.partition("|")
    if not is_text_link(target):
        return ""
    if "[[" in label:
        label = _plain_links(label)
    return label if bar else target.lstrip(":").replace("_", " ")


LINK_PIECES = ["[[", "]]", "[", "]", "|", "a", "B_c", " ", ":", "File:", "de:", "Category:", "\n",
               "[[x]]", "[[x|y]]", "[[[", "]]]"]


@settings(max_examples=400, deadline=None)
@given(_text(LINK_PIECES))
def test_links_as_the_plain_stack_reads_them(s):
    assert W._links(s) == _plain_links(s)


EASY_LINK_PIECES = LINK_PIECES + ["[[a_b]]", "[[a:b|c]]", "[[a|b|c]]", "[[|x]]", "[[]]", "[[a|b_c:d]]",
                                 "[[:x]]", "[[File:y|z]]", "[[a|]]", "x", "[[wikt:w]]"]


@settings(max_examples=600, deadline=None)
@given(_text(EASY_LINK_PIECES))
def test_links_with_easy_and_hard_links_as_the_plain_stack_reads_them(s):
    # the easy links are cut out by one re.split up to the first "[[" of a hard link
    assert W._links(s) == _plain_links(s)


@pytest.mark.parametrize("s", ["[[[a]]", "[[a [[b]] c", "[[File:x.jpg|thumb|A [[cap]]]] t", "]][[a]]",
                               "[[a|[[b]]]]]] [[c", "x [[:Category:K]] [[de:Y]] [[a_b]]"])
def test_links_on_nested_and_unclosed_brackets(s):
    assert W._links(s) == _plain_links(s)


# --- clean_inline: the straightforward form, one regex pass per step ---------------------------------

def _plain_clean(s: str, keep_lines: bool = False) -> str:
    s = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1d\x1f\u00ad\u200b\u200e\u200f\ufeff]", "", s)
    s = re.sub("\ue000([^\ue000\ue001]*)\ue001", r"\1", s).replace("\x1e", " ")
    s = re.sub(r"[\u00a0\u2007\u202f\u2009\u200a\u2002\u2003]", " ", s).replace("\u2011", "-")
    s = re.sub(r"(?<!')'''?(?!')", "", s)
    s = re.sub(r"'{4,}", lambda m: "'" if len(m.group(0)) == 4 else "'" * (len(m.group(0)) - 5)
               if len(m.group(0)) > 5 else "", s)
    s = s.replace(APOS, "'")
    s = re.sub(r"\(\s*[,;]?\s*\)|\[\s*\]", "", s)
    s = "\n".join(" ".join(line.split()) for line in s.split("\n")) if keep_lines else " ".join(s.split())
    s = re.sub(r"UTC(?<!\wUTC)(?:\s+UTC\b)+", "UTC", s)
    s = re.sub(r" ([,;.:)])", r"\1", s).replace("( ", "(")
    if keep_lines:
        return "\n".join(line.strip(" ,;") for line in s.split("\n"))
    return s.strip(" ,;")


CLEAN_PIECES = ["'", "''", "'''", "''''", "'''''", " ", "  ", "(", ")", "[", "]", ",", ";", ".", ":",
                "\n", "\t", "\u00a0", "\u2009", "\u00ad", "\x0b", "\x1f", "\u2011", "\x1e", "\ue000",
                "\ue001", APOS, "a", "UTC", " UTC", "xUTC", "é", "\ue003", "\x85", "\u3000"]


@settings(max_examples=600, deadline=None)
@given(_text(CLEAN_PIECES), st.booleans())
def test_clean_inline_as_the_plain_passes(s, keep_lines):
    assert clean_inline(s, keep_lines=keep_lines) == _plain_clean(s, keep_lines)


@settings(max_examples=100, deadline=None)
@given(_text(CLEAN_PIECES + ["word " * 20, "( ; ) "], max_size=120), st.booleans())
def test_clean_inline_on_long_text_as_the_plain_passes(s, keep_lines):
    # past 200 characters the empty brackets are looked for at each "(" and "[" only
    assert clean_inline(s, keep_lines=keep_lines) == _plain_clean(s, keep_lines)


# --- _inline: each pass only where its first character is ---------------------------------------------

def _plain_inline(s: str) -> str:
    s = _plain_links(s)
    s = re.sub(r"\[(?:https?:|ftp:|//|mailto:)[^\s\]]*(?:\s+([^\]\n]*))?\]", lambda m: m.group(1) or "", s,
               flags=re.I)
    s = re.sub(r"<\s*/?\s*br\s*/?\s*>", " ", s, flags=re.I)
    s = re.sub(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]{0,500})?/?>", "", s)
    s = re.sub(r"__[A-Z]+__", "", s)
    return html.unescape(re.sub(r"&#0*39;|&apos;|&#x0*27;", APOS, s, flags=re.I))


INLINE_PIECES = LINK_PIECES + ["[http://x.org y]", "[http://x.org]", "[//z  lab el]", "[mailto:a \n b]",
                               "<br />", "< BR >", "<span a=b>", "</span>", "<", ">", "__NOTOC__", "__",
                               "&amp;", "&#39;", "&apos;", "&", "&nbsp;", "  "]


@settings(max_examples=400, deadline=None)
@given(_text(INLINE_PIECES))
def test_inline_as_the_plain_passes(s):
    assert W._inline(s) == _plain_inline(s)


EXTERNAL_PIECES = ["[http:", "[HTTPS://", "[//", "[mailto:", "[ftp:", "[", "]", " ", "  ", "\n", "\t", "a",
                   "x y", "[http:x]", "\u00a0", "http:"]


@settings(max_examples=600, deadline=None)
@given(_text(EXTERNAL_PIECES))
def test_external_links_as_the_regex_reads_them(s):
    assert W._external_links(s) == W._EXTERNAL.sub(lambda m: m.group(1) or "", s)


@pytest.mark.parametrize("make", [
    lambda k: "[http:x a " * (k // 10),                   # never closed: each opening saw the rest
    lambda k: "[http:" * (k // 6) + " " * k,              # one run of spaces after many openings
    lambda k: "[mailto:[//" * (k // 11) + " a" * (k // 2),
])
def test_external_links_are_linear_on_unclosed_openings(make, assert_linear):
    assert_linear(W._inline, make, 80_000)


# --- patterns made possessive stay linear on long runs of spaces -----------------------------------

@pytest.mark.parametrize("make", [
    lambda k: "<" + " " * k + "/" + " " * k,             # <br> with spaces that never close
    lambda k: "[http:x " + " " * (2 * k),                  # an external link's label, unclosed
    lambda k: "(" + " " * k + ";" + " " * k,               # an empty bracket, unclosed
])
def test_prose_passes_are_linear_on_long_space_runs(make, assert_linear):
    assert_linear(W._inline, make, 40_000)
    assert_linear(lambda s: clean_inline(s, keep_lines=True), make, 40_000)


# --- a quote's first argument read from its tree, as from its tokens -------------------------------

def _prose_templates():
    texts = [p.read_text(errors="replace") for p in sorted(CORPUS.glob("*/*.wikitext"))[:60]]
    if not texts:
        pytest.skip("shared corpus not beside the checkout")
    out = []
    for text in texts:
        sc = W.scan(text)
        out.extend(text[s:e] for s, e in sc.templates if e - s < 20_000)
    return out


MUTANT_HEADS = ["{{quote|", "{{quote| x=", "{{quote|=", "{{quote|{{x}}", "{{quote|[[a]] b", "{{quote|'a",
                "{{quote|<ref>r</ref>a", "{{quote|\n|b", "{{quote", "{{quote|a|b=c", "{{ {{x}} |a"]


def test_first_argument_text_is_first_argument_head():
    snippets = _prose_templates()
    snippets += [head + tail for head in MUTANT_HEADS for tail in ("}}", "a}}", "a=b}}", "|c}}", "}}x")]
    for snippet in snippets:
        tree = mwtree.parse(snippet, skip_style_tags=True)
        assert mwtree.first_argument_text(tree) == mwtree.first_argument_head(snippet), snippet[:200]


# --- tables dropped: a line led by none of " :{|" is kept or dropped without its lstrip ---------

def _plain_drop_tables(lines):
    out, depth = [], 0
    for line in lines:
        stripped = line.lstrip(" :")
        if stripped.startswith("{|"):
            depth += 1
        elif depth and stripped.startswith("|}"):
            depth -= 1
        elif not depth:
            out.append(line)
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(_text(["{|", "|}", "|", "{", " ", ":", "a", "=", "\ue010"], max_size=5), max_size=20))
def test_drop_tables_as_the_plain_loop(lines):
    assert W._drop_tables(lines) == _plain_drop_tables(lines)
