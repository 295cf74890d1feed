"""Find templates (above all infoboxes) in a whole article without a full wikitext parse.

mwparserfromhell parses whole articles at only ~100 pages/s, so the page is scanned once here
with plain string matching and only the small spans that matter are parsed later. The scanner
follows MediaWiki's preprocessor where it can, in linear time:

* ``{{ ... }}`` nest; a ``}}`` closes the innermost open ``{{``. An unclosed ``{{`` is literal
  text (as in MediaWiki) and the templates inside it are still found.
* ``[[ ... ]]`` change nothing: a ``}}`` inside a link closes the innermost open ``{{`` (more
  forgiving than MediaWiki), so an unclosed ``[[`` inside a template does not swallow the rest
  of the page. (Links were once tracked on the stack, but a ``}}`` dropped them all before
  closing its template: they never changed a span, and are not read any more.)
* ``<!-- -->`` comments are skipped (an unclosed comment runs to the end of the page, as in
  MediaWiki); extension tags (``<ref>``, ``<nowiki>``, ``<pre>``, ``<math>``, ...) are opaque:
  braces inside them do not count. An extension tag without its closing tag is literal text.
* Runs of three or more braces (``{{{param}}}``) are read as pairs from the right for ``{`` and
  from the left for ``}``; article text practically never has them.

Template names follow MediaWiki (pipeline.core.mediawiki.normalize_name); the redirects of a
mapped template map to it through the mappings' aliases (pipeline.core.mappings).

Bad input never raises: NUL bytes, unbalanced brackets and 50,000 unclosed ``{{`` just give
fewer (or no) spans.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.core.mappings import canonical_name, names_of
from pipeline.core.mediawiki import EXTENSION_TAGS, normalize_name

_CLOSERS = {tag: re.compile(r"</" + tag + r"\s*>", re.IGNORECASE) for tag in EXTENSION_TAGS}

_TAG_OPEN = r"<(" + "|".join(EXTENSION_TAGS) + r")(?=[\s/>])([^<>]{0,2000}?)(/?)>"
_TOKEN = re.compile(r"\{\{+|\}\}+|<!--|" + _TAG_OPEN, re.IGNORECASE)
# Outside every template only an opening {{, a comment or a tag can change anything: a }} closes
# nothing there. Skipping the rest saves the Python loop most of the page's tokens.
_BRACES = re.compile(r"\{\{+")
_ANGLE = re.compile(r"<!--|" + _TAG_OPEN, re.IGNORECASE)


def _search_top(text: str, pos: int, next_brace: list[int]) -> re.Match | None:
    """The first "{{", comment or extension tag at or after pos: what _TOKEN would find outside
    templates, found with str.find (memchr) instead of running the regex over every character
    of the prose. next_brace caches where the next "{{" is (-1: none left), so that a page of
    50,000 tags does not look for it 50,000 times to its end."""
    brace = next_brace[0]
    if brace != -1 and brace < pos:
        brace = next_brace[0] = text.find("{{", pos)
    angle = text.find("<", pos)
    while angle != -1 and (brace == -1 or angle < brace):
        m = _ANGLE.match(text, angle)
        if m is not None:
            return m
        angle = text.find("<", angle + 1)
    return _BRACES.match(text, brace) if brace != -1 else None


# A template with no brace, comment or tag inside ({{convert|47.5|lb|kg}}), closed by a "}}"
# that is not part of a longer run: the scanner's next token would be that "}}" and close it,
# so its pair is taken at once.
_FLAT = re.compile(r"\{\{[^{}<]*+\}\}(?!\})")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# How deep find_infoboxes looks inside non-infobox templates (keeps adversarial pages linear).
_MAX_WRAPPER_DEPTH = 3


def in_comment(text: str, pos: int) -> bool:
    """True when pos lies inside a <!-- --> comment of text (one of comment_spans).

    Outside a comment, the last "<!--" that starts at or before pos is closed by the first
    "-->" after it, before pos; so when that holds, pos is outside. Otherwise (rare: the
    "<!--" may sit inside an earlier comment, overlapping its "-->") the spans decide."""
    opened = text.rfind("<!--", 0, pos + 4)
    if opened == -1:
        return False
    closed = text.find("-->", opened + 4)
    if closed != -1 and closed + 3 <= pos:
        return False
    return any(start <= pos < end for start, end in comment_spans(text[:pos + 4]))


def comment_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every <!-- --> comment of a text, in order; an unclosed one runs to
    the end, as in MediaWiki."""
    return [c.span() for c in _COMMENT.finditer(text)]


@dataclass
class Scan:
    """Top-level constructs of a text, each as (start, end) offsets in document order.

    templates -- outermost closed ``{{...}}`` (not inside another template, comment or tag)
    opaque    -- comments and extension tags outside every template: (start, end, kind) where
                 kind is "comment" or the lower-case tag name ("ref", "nowiki", ...)
    end       -- how far the text was scanned: len(text) for a whole scan; less for a scan
                 stopped early (scan(text, upto=...)), whose lists cover text[:end] exactly as
                 a whole scan would. whole() carries it on to the end of the text.
    """

    templates: list[tuple[int, int]] = field(default_factory=list)
    opaque: list[tuple[int, int, str]] = field(default_factory=list)
    end: int = 0
    _scanner: "_Scanner | None" = field(default=None, repr=False, compare=False)

    @property
    def complete(self) -> bool:
        return self._scanner is None

    def whole(self) -> "Scan":
        """This scan carried on to the end of its text (itself when it is complete)."""
        if self._scanner is None:
            return self
        if self._scanner.whole is None:
            self._scanner.whole = self._scanner.run(None)
        return self._scanner.whole


# Templates that are not named "Infobox ..." but hold a mission's data in parameters, extracted
# like infoboxes: {{Spaceflight crew}} is the crew table of a spaceflight article
# (positionN, crewN_up, crewN_down, backupN; Template:Spaceflight crew on en.wikipedia.org).
DATA_BOXES = frozenset({"Spaceflight crew"})


# Every box name holds "nfobox" or the name of a data box right after its first letter (which
# may be either case). A template name with a comment inside it ("Info<!-- -->box") is not
# seen, as in may_have_infobox.
_DATA_BOX_HINT = re.compile("|".join(
    r"[\s_\u00a0]+".join(re.escape(word) for word in name[1:].split())
    for name in sorted(DATA_BOXES)))


def box_scan(text: str) -> Scan:
    """scan() only as far as find_infoboxes needs: to the end of whatever holds the last place
    a box name could be (most infoboxes sit at the top of a long article). The rest of the
    page is scanned when Scan.whole() is asked for (for the prose)."""
    last = text.rfind("nfobox")
    for m in _DATA_BOX_HINT.finditer(text, last + 1):
        last = max(last, m.start())
    return scan(text, upto=last)


def is_infobox_name(name: str) -> bool:
    """True when the (normalised or raw) template name starts with "Infobox", or is a data box."""
    name = normalize_name(name)
    return name.startswith("Infobox") or name in DATA_BOXES


def template_name_at(text: str, start: int, end: int) -> str:
    """The canonical name of the template whose ``{{`` is at start and ``}}`` ends at end.

    A name built from other templates (``{{ {{x}} }}``) gives "".
    """
    head = text[start + 2: min(end - 2, start + 2 + 400)]
    if "<!--" in head:
        head = _COMMENT.sub("", head)
    cut = len(head)
    for stop in ("|", "}", "{", "\n\n"):
        pos = head.find(stop)
        if pos != -1 and pos < cut:
            cut = pos
    if cut < len(head) and head[cut] == "{":
        return ""
    return canonical_name(head[:cut])


def scan(text: str, upto: int | None = None) -> Scan:
    """Locate the top-level templates, comments and extension tags of a wikitext string.

    Linear in the length of the text. Unclosed constructs are literal text; see the module
    docstring for how unbalanced markup is read. With upto, the scan stops at the first point
    past upto that is outside every template (what lies before such a point cannot change
    later); Scan.whole() resumes it.
    """
    return _Scanner(text).run(upto)


class _Scanner:
    """The state of one scan, so that a scan stopped early can carry on where it stopped."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pairs: list[tuple[int, int]] = []
        self.opaque: list[tuple[int, int, str]] = []
        self.stack: list[int] = []  # where each open {{ starts
        self.templates_open = 0
        self.close_cache: dict[str, int] = {}  # tag -> next known closing tag (-1: none)
        self.next_brace = [-2]  # next "{{" outside templates (-2: not looked for yet)
        self.pos = 0
        self.whole: Scan | None = None  # the complete scan, once made

    def run(self, upto: int | None) -> Scan:
        text, pairs, opaque, stack = self.text, self.pairs, self.opaque, self.stack
        close_cache, next_brace = self.close_cache, self.next_brace
        templates_open, pos = self.templates_open, self.pos
        n = len(text)
        stop = n if upto is None else upto
        while pos < n:
            if pos > stop and not templates_open:
                break
            m = _TOKEN.search(text, pos) if templates_open else _search_top(text, pos, next_brace)
            if m is None:
                pos = n
                break
            tok = m.group(0)
            first = tok[0]
            if first == "{":
                run = len(tok)
                if run == 2:
                    flat = _FLAT.match(text, m.start())
                    if flat is not None:
                        pairs.append((m.start(), flat.end()))
                        pos = flat.end()
                        continue
                offset = m.start() + run % 2
                for k in range(run // 2):
                    stack.append(offset + 2 * k)
                    templates_open += 1
                pos = m.end()
            elif first == "}":
                run = len(tok)
                at = m.start()
                while run >= 2 and templates_open:
                    start = stack.pop()
                    templates_open -= 1
                    at += 2
                    run -= 2
                    pairs.append((start, at))
                pos = m.end()
            elif tok == "<!--":
                close = text.find("-->", m.end())
                end = n if close == -1 else close + 3
                opaque.append((m.start(), end, "comment"))
                pos = end
            else:
                tag = m.group(1).lower()
                if m.group(3):  # self-closing <ref name="x" />
                    opaque.append((m.start(), m.end(), tag))
                    pos = m.end()
                    continue
                close_at = close_cache.get(tag)
                if close_at is None or (close_at != -1 and close_at < m.end()):
                    cm = _CLOSERS[tag].search(text, m.end())
                    close_at = -1 if cm is None else cm.start()
                    close_cache[tag] = close_at
                if close_at == -1:
                    pos = m.end()  # unclosed: the tag is literal text
                    continue
                end = text.find(">", close_at) + 1
                opaque.append((m.start(), end, tag))
                pos = end
        self.templates_open, self.pos = templates_open, pos
        templates = _outermost(pairs)
        return Scan(templates=templates, opaque=_outside(opaque, templates), end=min(pos, n),
                    _scanner=None if pos >= n else self)


def _outermost(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep the spans not inside another span (spans from one stack never partly overlap)."""
    pairs = sorted(pairs)
    out: list[tuple[int, int]] = []
    reach = -1
    for start, end in pairs:
        if start >= reach:
            out.append((start, end))
            reach = end
    return out


def _outside(spans: list[tuple[int, int, str]],
             templates: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The spans that do not start inside one of the (sorted, disjoint) template spans."""
    out = []
    i = 0
    for span in spans:
        while i < len(templates) and templates[i][1] <= span[0]:
            i += 1
        if i < len(templates) and templates[i][0] <= span[0] < templates[i][1]:
            continue
        out.append(span)
    return out


def find_infoboxes(wikitext: str, scanned: Scan | None = None) -> list[tuple[int, int, str]]:
    """Spans (start, end, canonical name) of the infobox templates of a page, in order.

    These are the top-level templates whose name starts with "Infobox", plus infoboxes wrapped
    in another template (up to three levels deep). Infoboxes inside an infobox parameter are not
    listed: they belong to their parent and are found when the parent is parsed. scanned is
    scan(wikitext) when the caller has it already. Bad input never raises; it gives [].
    """
    found: list[tuple[int, int, str]] = []
    _collect(wikitext, 0, len(wikitext), 0, found, scanned)
    return found


def _collect(text: str, lo: int, hi: int, depth: int, found: list[tuple[int, int, str]],
             scanned: Scan | None = None) -> None:
    chunk = text if (lo, hi) == (0, len(text)) else text[lo:hi]
    for start, end in (scanned or scan(chunk)).templates:
        name = template_name_at(chunk, start, end)
        if name.startswith("Infobox") or name in DATA_BOXES:
            found.append((lo + start, lo + end, name))
        elif depth < _MAX_WRAPPER_DEPTH and "nfobox" in chunk[start:end].lower():
            _collect(text, lo + start + 2, lo + end - 2, depth + 1, found)


# --- prefilter -------------------------------------------------------------------------------

SPACEFLIGHT_NAMES = names_of("Infobox spaceflight")


@lru_cache(maxsize=32)
def _hint(names: tuple[str, ...]) -> re.Pattern:
    alternatives = []
    for name in names:
        rest = name[1:]
        if not rest.startswith("nfobox"):
            raise ValueError(f"not an infobox name: {name!r}")
        words = rest[len("nfobox"):].split()
        alternatives.append(r"[\s_\u00a0]+".join(re.escape(w) for w in words))
    # "nfobox" first, so that the regex engine can skip ahead to it; the first letter, in
    # either case, is checked behind it.
    return re.compile(r"nfobox(?<=[Ii]nfobox)[\s_\u00a0]+(?:" + "|".join(alternatives) + ")")


def may_have_infobox(text: str, names: tuple[str, ...] = SPACEFLIGHT_NAMES) -> bool:
    """Cheap prefilter: False when the text cannot hold any of these infoboxes (names as in
    the mappings' aliases: first letter in either case, `_`/whitespace runs between words), so the page can
    skip extraction. True says only "maybe" (a mention in prose or a comment also counts).

    A name written with a comment or an entity inside it ("Infobox<!-- -->spaceflight") is not
    seen; MediaWiki would not call that template either."""
    return _hint(tuple(names)).search(text) is not None
