"""References (``<ref>``) lifted out of wikitext before it is parsed, and put back.

Nothing here parses wikitext; citations are built from lifted refs by pipeline.wikitext.render.
"""
from __future__ import annotations

import re

# --- refs lifted out before parsing ------------------------------------------------------------
#
# An infobox's refs are most of its wikitext (a {{cite web}} of a dozen parameters behind many
# values) but only ever become Citations, whose url/title/date are read for few of them. So
# lift_refs takes each simple <ref ...>...</ref> and <ref ... /> out of the text before it is
# parsed, leaving a mark REF_OPEN + index + REF_CLOSE; rendering turns a mark into the Citation
# (Context.refs), the raw text gets the ref back (unlift), and a ref's cite template is parsed
# only when its url, title or date is first read (_LiftedCitation). Refs are opaque to the
# parser either way (MediaWiki expands extension tags before it splits template arguments).
# Anything unusual (attributes beyond plain name=value pairs, upper case, a ref inside a
# comment, nowiki, pre, code or math, an unclosed ref) is left in the text for the parser.

REF_OPEN, REF_CLOSE = "\ue020", "\ue021"
REF_MARK = re.compile("\ue020(\\d+)\ue021")
_ATTR = r"""\s+[a-z][a-z-]*\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s"'<>/=]+)"""
LIFTABLE = re.compile(r"<ref((?:" + _ATTR + r")*)\s*(/?)>")
REF_END = re.compile(r"</ref\s*>")
NAME_ATTR = re.compile(r"""\sname\s*=\s*(?:"([^"<>]*)"|'([^'<>]*)'|([^\s"'<>/=]+))""")
_KEEP_OUT = re.compile(r"<!--.*?(?:-->|\Z)|<(nowiki|pre|code|tt|math|syntaxhighlight|source)\b.*?"
                       r"(?:</\1\s*>|\Z)", re.S | re.I)


def lift_refs(text: str) -> tuple[str, list[str]]:
    """(text with each liftable ref replaced by its mark, the refs' wikitext by index)."""
    if "<ref" not in text or REF_OPEN in text or REF_CLOSE in text:
        return text, []
    kept = [(m.start(), m.end()) for m in _KEEP_OUT.finditer(text)] if (
        "<!--" in text or "<" in text.replace("<ref", "")) else []
    refs: list[str] = []
    out: list[str] = []
    pos = 0
    at = text.find("<ref", pos)
    k = 0
    close: re.Match | None = None  # the next </ref> looked for (None with looked: there is none)
    looked = False
    while at != -1:
        while k < len(kept) and kept[k][1] <= at:
            k += 1
        if k < len(kept) and kept[k][0] <= at:  # inside a comment or a literal tag
            at = text.find("<ref", kept[k][1])
            continue
        m = LIFTABLE.match(text, at)
        end = None
        if m is not None:
            if m.group(2):
                end = m.end()
            else:
                # One search per closing tag, not per opening one: thousands of unclosed refs
                # must not make this quadratic.
                if not looked or (close is not None and close.start() < m.end()):
                    close, looked = REF_END.search(text, m.end()), True
                if close is not None and text.find("<ref", m.end(), close.start()) == -1:
                    end = close.end()
        if end is None:
            at = text.find("<ref", at + 4)
            continue
        out.append(text[pos:at])
        out.append(f"{REF_OPEN}{len(refs)}{REF_CLOSE}")
        refs.append(text[at:end])
        pos = end
        at = text.find("<ref", pos)
    if not refs:
        return text, []
    out.append(text[pos:])
    return "".join(out), refs


def unlift(s: str, refs: list[str]) -> str:
    """The wikitext as written: each mark replaced by its ref."""
    return REF_MARK.sub(lambda m: refs[int(m.group(1))], s)


