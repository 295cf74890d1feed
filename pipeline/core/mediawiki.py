"""MediaWiki's own rules, written once: how names of templates, parameters and pages are
normalised, which namespaces and tags exist, and what they do to reader text.

Sources: MediaWiki core's title normalisation (Title::newFromText: '_' is a space, whitespace
runs collapse, the first letter is upper case, a leading ':' and a '#fragment' do not name
another page); the extension tags registered on en.wikipedia.org (Special:Version, "Parser
extension tags": Cite, Math, SyntaxHighlight, Score, Graph, Kartographer, ...); the namespace
names of the English, German, French and Spanish wikis for File and Category (the
namespaces a link drops out of the text). Template aliases (redirects) are data of the
mappings: see pipeline.core.mappings.canonical_name.

Nothing here raises on junk: an empty or junk name gives "" or the junk trimmed.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

# Extension tags whose content the preprocessor does not expand.
EXTENSION_TAGS = (
    "ref", "references", "nowiki", "pre", "math", "chem", "ce", "gallery", "source",
    "syntaxhighlight", "score", "timeline", "poem", "graph", "templatedata", "mapframe",
    "maplink", "hiero", "imagemap", "inputbox", "categorytree", "templatestyles", "section",
)
# Tags whose content a reader does not see as running text (footnotes, formulas, galleries,
# styles, scripts, tables).
HIDDEN_TAGS = frozenset({
    "ref", "references", "math", "chem", "ce", "gallery", "templatestyles", "score", "timeline",
    "graph", "mapframe", "maplink", "templatedata", "imagemap", "hiero", "syntaxhighlight",
    "source", "inputbox", "categorytree", "section", "table", "includeonly", "style", "script"})
# Tags whose content is shown as written (no markup inside is interpreted).
LITERAL_TAGS = frozenset({"nowiki", "pre", "code", "tt", "poem"})
# Tags that end a line of reader text.
BREAK_TAGS = frozenset({"br", "li", "dt", "dd", "hr", "tr", "p"})
# Namespaces whose links are not text: files and categories (en, de, fr, es names), and
# Media:. A link to one of them with a leading ':' is an ordinary link.
DROP_NAMESPACES = frozenset({
    "file", "image", "media", "category", "datei", "bild", "kategorie", "fichier", "catégorie",
    "archivo", "imagen", "categoría"})
# Interlanguage prefixes ("de:", "zh-yue:", "simple:"): such a link is not text either.
_INTERWIKI = re.compile(r"^[a-z]{2,3}(?:-[a-z]{2,8})*$|^simple$")

# A footnote or maintenance marker as a reader sees it once rendered (Cite's "[1]", "[a]",
# "[note 2]", "[nb 1]"; {{citation needed}} and its kin as "[citation needed]", "[when?]",
# "[dubious – discuss]"): what renderings keep of refs and inline maintenance templates. A
# pattern source, to compile with re.IGNORECASE.
FOOTNOTE_MARK = (r"\[\s*(?:\d{1,3}|[a-z]|[a-z]?\s*note\s*\d*|nb\s*\d+|n\s*\d+|[^\[\]]{0,40}needed|"
                 r"when\?|by whom\?|according to whom\?|dubious[^\[\]]{0,30}|failed verification|"
                 r"update)\s*\]")

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_SPACES = re.compile(r"[\s_\u00a0]+")
_TEMPLATE_PREFIX = re.compile(r"^\s*(?:template|tl|msg)\s*:\s*", re.IGNORECASE)
_PARAM_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def normalize_name(name: str) -> str:
    """A template's name as MediaWiki resolves it: comments dropped, ``_`` and runs of white
    space one space, ends trimmed, a ``Template:`` prefix removed, the first letter upper
    case."""
    name = _COMMENT.sub("", name).replace("\x00", "")
    name = _SPACES.sub(" ", name).strip()
    name = _TEMPLATE_PREFIX.sub("", name).strip()
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=8192)
def normalize_param(name: str) -> str:
    """A template parameter's name as the records use it: comments dropped, trimmed, lower
    case, spaces as underscores. Positional parameters keep their number ("1")."""
    if "<!--" in name:
        name = _COMMENT.sub("", name)
    return _PARAM_SPACE.sub("_", name.strip().lower())


def link_target(title: str) -> str:
    """A wikilink target as MediaWiki resolves it: fragment and leading colon dropped, entities
    decoded, "_" as space, whitespace collapsed, first letter upper case. "" for [[#section]]."""
    if "&" in title:
        title = html.unescape(title)
    title = title.split("#", 1)[0].lstrip(":")
    if "_" in title or "  " in title or not title.isascii() or not title.isprintable():
        title = _SPACES.sub(" ", title)
    title = title.strip()
    return title[:1].upper() + title[1:]


def is_text_link(target: str) -> bool:
    """False for a link that MediaWiki does not show as text: a file, image or category (in
    the namespace names above) or an interlanguage link; True otherwise, also for a link
    escaped with a leading ':' (``[[:Category:X]]`` is an ordinary link)."""
    target = target.strip()
    if target.startswith(":"):
        return True
    ns, colon, _ = target.partition(":")
    if not colon:
        return True
    ns = _SPACES.sub(" ", ns).strip().lower()
    return not (ns in DROP_NAMESPACES or _INTERWIKI.match(ns))
