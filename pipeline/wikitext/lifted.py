"""Prose templates parsed with their refs lifted out, when that renders the same text.

A {{quote}} in the prose often holds refs that are most of its wikitext (cite templates of a
dozen parameters) and render nothing there; the tokenizer is the costly part of rendering it.
prose_tree lifts such refs out (pipeline.wikitext.refs.lift_refs) before the parse when the
refs and the places their marks land keep the rest of the text read the same way.
"""
from __future__ import annotations

import re

from mwparserfromhell.nodes import Template, Text
from mwparserfromhell.wikicode import Wikicode

from pipeline.core.mappings import canonical_name
from pipeline.wikitext import tree as mwtree
from pipeline.wikitext.refs import LIFTABLE, REF_END, REF_OPEN, lift_refs
from pipeline.wikitext.render import _SIMPLE_CITE
from pipeline.wikitext.templates import is_silent, renderer_for


def prose_tree(wikitext: str) -> tuple[Wikicode, list[str] | None]:
    """(tree, refs) to render a prose template with (render_wikitext(wikitext, tree, refs)):
    mwtree.parse(wikitext, skip_style_tags=True) and None, or, when the snippet is one template
    whose text is an argument ({{quote}}: templates.shows_first_arg) and whose refs are all
    plain (_plain_ref), the tree of the text with those refs lifted out (lift_refs) and the
    refs, when each ref's mark lies in a Text of the template's own argument values. A quote's
    refs are often most of its text and render nothing in the prose; those conditions keep
    the tokenizer's reading of the rest the same, and such a ref's Tag and its mark both
    render "" in the same place (tests/wikitext/test_render.py compares the two)."""
    if "<ref" in wikitext:
        lifted, refs = lift_refs(wikitext)
        if refs and all(_plain_ref(ref) for ref in refs):
            try:
                code = mwtree.parse(lifted, skip_style_tags=True)
            except Exception:  # (the text as written decides what then happens)
                code = None
            if code is not None and _marks_in_arguments(code) == len(refs):
                return code, refs
    return mwtree.parse(wikitext, skip_style_tags=True), None


# The body of a ref that the tokenizer reads as a whole whatever lies around it: no markup
# that could reach past its end (a link, a template, a tag, a comment, a line break)...
_PLAIN_REF_BODY = re.compile(r"[^\[\]{}<>\n]*+")


def _plain_ref(ref: str) -> bool:
    """True for a lifted ref that is self-closing or whose body, closed comments left out, is
    plain text (_PLAIN_REF_BODY) or one simple template (_SIMPLE_CITE, with only white space
    after it)."""
    head = LIFTABLE.match(ref)
    if head is None:
        return False
    if head.group(2):
        return True
    body = ref[head.end():REF_END.search(ref, head.end()).start()]
    if "<!--" in body:  # each comment closed, and left out
        parts, pos = [], 0
        while (at := body.find("<!--", pos)) != -1:
            parts.append(body[pos:at])
            pos = body.find("-->", at + 4)
            if pos == -1:
                return False
            pos += 3
        parts.append(body[pos:])
        body = "".join(parts)
    if _PLAIN_REF_BODY.fullmatch(body):
        return True
    m = _SIMPLE_CITE.match(body)
    return m is not None and (m.end() == len(body) or body[m.end():].isspace())


def _marks_in_arguments(code: Wikicode) -> int:
    """How many ref marks lie in Text nodes of the argument values of code's one template
    (code must be that template alone, with a renderer that shows an argument); -1 when code
    is not so or a mark lies anywhere else (a name, a key, a link, a tag, a nested template)."""
    nodes = code.nodes
    if len(nodes) != 1 or type(nodes[0]) is not Template:
        return -1
    t = nodes[0]
    name = mwtree.to_str(t.name)
    if REF_OPEN in name:
        return -1
    fn = renderer_for(canonical_name(name))
    if not getattr(fn, "first_arg", False):
        return -1
    found = 0
    for p in t.params:
        if p.showkey and REF_OPEN in mwtree.to_str(p.name):
            return -1
        for n in p.value.nodes:
            if type(n) is Text:
                found += n.value.count(REF_OPEN)
            elif REF_OPEN in str(n):
                if type(n) is not Template or not _renders_nothing(n):
                    return -1
                found += str(n).count(REF_OPEN)
    return found


def _renders_nothing(t: Template) -> bool:
    """True for a template that renders "" in the prose without reading its arguments (a
    footnote such as {{efn}}, any silent or unknown template: Context._template), its name
    holding no ref mark."""
    name = mwtree.to_str(t.name)
    if REF_OPEN in name:
        return False
    name = canonical_name(name)
    fn = renderer_for(name)
    return name.startswith("Infobox") or fn is None or is_silent(fn)
