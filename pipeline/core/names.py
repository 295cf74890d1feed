"""Titles, slugs and person names, by MediaWiki's own title rules.

MediaWiki (Manual:Page title): "_" and " " are the same character, runs of whitespace are one
space, leading/trailing whitespace is dropped, the first letter is upper case and "#..." is a
section, not part of the title. A person's stable identity is the wikilink target ("Michael
Collins (astronaut)"), disambiguator included; a bare name gets a folded, title-cased key.

Error policy: bad data is data. Nothing here raises on text; a non-string is treated as "".
"""
from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote

from pipeline.core.mediawiki import FOOTNOTE_MARK
from pipeline.core.quantities import clean_text

_WS = re.compile(r"[\s_\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_DISAMBIGUATOR = re.compile(r"\s*\([^()]*\)\s*$")
_FOOTNOTES = re.compile(rf"(?:\s*{FOOTNOTE_MARK})+\s*$", re.I)
_EDGE = "*•·,;:!?|/\\-–—~ \t"
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "„": "“", "«": "»", "`": "'"}
_DASHES = re.compile(r"[\-‐‑‒–—]+")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_KEEP_DOT = re.compile(r"(?:\b(?:Jr|Sr|St|Dr)|(?<![^\W\d_])[^\W\d_])\.$")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _fold(text: str) -> str:
    """Diacritics off (NFKD, combining marks dropped); other characters kept."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalise_title(title: str) -> str:
    """MediaWiki title normalisation: "_" is a space, whitespace collapsed, first letter upper,
    "#fragment" and a leading ":" dropped, HTML entities and %XX escapes decoded.

    Bad input: a non-string or a title that is only a fragment gives "".
    """
    title = html.unescape(_text(title))
    if _PERCENT.search(title):
        title = unquote(title)
    title = title.split("#", 1)[0]
    title = _WS.sub(" ", title).strip().lstrip(":").strip()
    if not title:
        return ""
    first = title[0].upper()
    # MediaWiki keeps letters whose capital is two characters ("ß") as they are.
    return (first if len(first) == 1 else title[0]) + title[1:]


def mission_slug(title: str) -> str:
    """A URL- and file-safe id: "Soyuz MS-25" -> "soyuz-ms-25", "Apollo 11" -> "apollo-11".

    Diacritics are folded (NFKD), everything else that is not [a-z0-9] becomes one "-".
    Bad input: when letters cannot be spelled in ASCII ("Союз МС-25") a 10-hex sha1 of the
    normalised title is appended ("25-<sha1>"), and a title with nothing left gets "t-<sha1>",
    so the slug is never empty, stays stable and does not collide with "Apollo 25".
    """
    name = normalise_title(title)
    folded = _fold(name).casefold()
    slug = _NOT_SLUG.sub("-", folded).strip("-")
    lost = any(c.isalnum() and not c.isascii() for c in folded)
    if slug and not lost:
        return slug
    digest = hashlib.sha1((name or _text(title)).encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}" if slug else f"t-{digest}"


def clean_person(display: str) -> str:
    """A person's display name tidied (see _clean_person); a non-string gives ""."""
    return _clean_person(display) if isinstance(display, str) else ""


# A page names each person several times (infobox, crew table, prose) and every mention is
# cleaned, keyed and folded more than once: these pure functions remember recent names.
@lru_cache(maxsize=4096)
def _clean_person(display: str) -> str:
    """A person's display name tidied: markup and footnotes ("[1]") dropped, whitespace
    collapsed, surrounding quotes and punctuation stripped; "Jr." and initials keep their dot.

    Bad input: a non-string or a name with nothing left gives "".
    """
    text = html.unescape(clean_text(_text(display)))
    text = _FOOTNOTES.sub("", text)
    text = _WS.sub(" ", text.replace("''", "")).strip()
    while True:
        before = text
        text = text.strip(_EDGE)
        if text.endswith(".") and not _KEEP_DOT.search(text):
            text = text[:-1]
        text = _strip_quotes(text)
        if text.endswith(")") and text.count("(") < text.count(")"):
            text = text[:-1]
        if text.startswith("(") and text.count("(") > text.count(")"):
            text = text[1:]
        if text.endswith("]") and text.count("[") < text.count("]"):
            text = text[:-1]
        if text.startswith("[") and text.count("[") > text.count("]"):
            text = text[1:]
        if text == before:
            return text


def _strip_quotes(text: str) -> str:
    """Drop a quote pair around the whole name, or a lone unpaired quote at either end."""
    if not text:
        return text
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        return text[1:-1]
    pair = (text[0], _QUOTES.get(text[0]))
    if text[0] in _QUOTES and sum(c in pair for c in text) == 1:
        return text[1:]
    if text[-1] in '"”»' and text.count(text[-1]) == 1:
        return text[:-1]
    return text


def _capitalise(token: str) -> str:
    return "'".join(part[:1].upper() + part[1:].lower() for part in token.split("'"))


def person_key(display: str, link_target: str | None = None) -> str:
    """The stable key of a person: the normalised link target when there is one (keeping a
    disambiguator: "Michael Collins (astronaut)"), else the folded name with hyphens as spaces
    and title-cased tokens ("Tracy Caldwell-Dyson" -> "Tracy Caldwell Dyson").

    Bad input: an empty link target falls back to the name; no usable name gives "".
    """
    target = normalise_title(link_target) if isinstance(link_target, str) else ""
    if target:
        return target
    name = _DASHES.sub(" ", _fold(clean_person(display)))
    return " ".join(_capitalise(token) for token in name.split())


def name_form(name: str) -> str:
    """The form in which two spellings of a name compare equal: diacritics folded, case-less,
    hyphens as spaces, no dots ("Tracy Caldwell-Dyson" == "tracy caldwell dyson")."""
    return _form(name)


def _form(name: str) -> str:
    """Matching form of a name (see _form_of); a non-string gives ""."""
    return _form_of(name) if isinstance(name, str) else ""


@lru_cache(maxsize=4096)
def _form_of(name: str) -> str:
    """Matching form of a name: folded, case-less, hyphens as spaces, no dots."""
    name = _DASHES.sub(" ", _fold(clean_person(name)).casefold()).replace(".", " ")
    return " ".join(name.split())


class PersonIndex:
    """Names seen on a page, resolved back to person keys.

    add() registers a person under the full display name, the link target without its
    disambiguator, "first last", the name without middle initials, and every surname form
    (each trailing run of tokens: "Caldwell Dyson", "Dyson"). resolve() tries full forms first,
    then surname forms.

    Bad input: an empty or unknown mention, or one shared by two people, resolves to None.
    """

    def __init__(self) -> None:
        self._full: dict[str, set[str]] = {}
        self._partial: dict[str, set[str]] = {}
        self._linked: set[str] = set()

    def __len__(self) -> int:
        return len({key for keys in self._full.values() for key in keys})

    def keys(self) -> set[str]:
        """Every registered person key."""
        return {key for keys in self._full.values() for key in keys}

    def add(self, display: str, link_target: str | None = None) -> str:
        """Register a person; returns the key (see person_key).

        A name added again without a link joins the person it already names; a linked add
        whose name matches exactly one unlinked person takes that person over.
        Bad input: a name and target that are both empty give "" and register nothing.
        """
        key = person_key(display, link_target)
        if not key:
            return ""
        linked = isinstance(link_target, str) and bool(normalise_title(link_target))
        known = self._unique(self._full, _form(display))
        if not linked and known:
            return known
        if linked and known and known not in self._linked and known != key:
            self._rekey(known, key)
        if linked:
            self._linked.add(key)
        names = [display]
        if linked:
            names.append(_DISAMBIGUATOR.sub("", normalise_title(link_target)))
        for name in names:
            self._register(name, key)
        return key

    def resolve(self, mention: str) -> str | None:
        """The key of the one person a mention names ("Dyson", "Oleg Novitsky"), else None.

        Bad input: empty, unknown or ambiguous mentions give None.
        """
        form = _form(_text(mention))
        if not form:
            return None
        if form in self._full:
            return self._unique(self._full, form)
        return self._unique(self._partial, form)

    @staticmethod
    def _unique(table: dict[str, set[str]], form: str) -> str | None:
        keys = table.get(form)
        return next(iter(keys)) if keys and len(keys) == 1 else None

    def _register(self, name: str, key: str) -> None:
        tokens = _form(name).split()
        while len(tokens) > 1 and tokens[-1] in _SUFFIXES:
            tokens = tokens[:-1]
        if not tokens:
            return
        full = {" ".join(tokens), _form(name)}
        plain = [t for t in tokens if len(t) > 1]
        if len(plain) >= 2:
            full.add(" ".join(plain))
            full.add(f"{plain[0]} {plain[-1]}")
        for form in full:
            self._full.setdefault(form, set()).add(key)
        for start in range(1, len(plain)):
            self._partial.setdefault(" ".join(plain[start:]), set()).add(key)

    def _rekey(self, old: str, new: str) -> None:
        for table in (self._full, self._partial):
            for keys in table.values():
                if old in keys:
                    keys.discard(old)
                    keys.add(new)


# --- one key per person across a run ------------------------------------------------------------

_INITIAL = re.compile(r"^[^\W\d_]\.?$")


def _name_parts(key: str) -> tuple[str, str, tuple[str, ...], str | None] | None:
    """(given, surname, other given tokens, disambiguator) of a person key, for matching forms:
    "Vladimir Titov (cosmonaut)" -> ("vladimir", "titov", (), "cosmonaut"); "C. Michael Foale"
    -> ("michael", "foale", ("c",), None). None when the key has fewer than two names."""
    m = _DISAMBIGUATOR.search(key)
    disamb = m.group(0).strip(" ()").casefold() if m else None
    base = key[:m.start()] if m else key
    tokens = [t for t in _DASHES.sub(" ", _fold(base)).replace(".", ". ").split()]
    while tokens and tokens[-1].rstrip(".,").casefold() in _SUFFIXES:
        tokens.pop()
    tokens = [t.rstrip(",").casefold() for t in tokens if t.rstrip(",")]
    full = [i for i, t in enumerate(tokens) if not _INITIAL.match(t)]
    if len(full) < 2:
        return None
    given_at, surname_at = full[0], full[-1]
    others = tuple(t.rstrip(".") for i, t in enumerate(tokens) if i not in (given_at, surname_at))
    return tokens[given_at], tokens[surname_at], others, disamb


def _compatible(a, b) -> bool:
    """Two name forms can be one person: same given name and surname, no two different
    disambiguators, and every other token of the shorter form agrees (as the full token or its
    initial) with one of the longer form, in order ("Edward T. Lu" ~ "Edward Tsang Lu";
    "Gregory H. Johnson" !~ "Gregory C. Johnson")."""
    if a[:2] != b[:2] or (a[3] and b[3] and a[3] != b[3]):
        return False
    short, long_ = sorted((a[2], b[2]), key=len)
    at = 0
    for token in short:
        while at < len(long_) and not _agree(token, long_[at]):
            at += 1
        if at == len(long_):
            return False
        at += 1
    return True


def _agree(x: str, y: str) -> bool:
    if len(x) == 1 or len(y) == 1:
        return x[0] == y[0]
    return x == y


def unify_person_keys(mentions) -> dict[str, str]:
    """One key per person across a run: {key -> the key to use} for keys that name the same
    person in different forms ("Peggy A. Whitson" -> "Peggy Whitson", "Sergei K. Krikalev" ->
    "Sergei Krikalev"). `mentions` yields (person_key, linked) per crew row.

    Keys are grouped when their forms are compatible (see _compatible) with every member of
    the group; a key compatible with two groups that are not (a bare "Gregory Johnson" beside
    "Gregory H." and "Gregory C. Johnson") stays on its own. The group's key is a linked one
    (the link target decides), the most mentioned, then one with a disambiguator, then the one
    with the fewest middle names, then the first in order.
    Bad input: keys with fewer than two names are left alone; nothing raises.
    """
    count: dict[str, int] = {}
    linked: dict[str, bool] = {}
    for key, is_linked in mentions:
        if not isinstance(key, str) or not key:
            continue
        count[key] = count.get(key, 0) + 1
        linked[key] = linked.get(key, False) or bool(is_linked)
    by_base: dict[tuple[str, str], list[tuple[str, tuple]]] = {}
    for key in sorted(count):
        parts = _name_parts(key)
        if parts is not None:
            by_base.setdefault(parts[:2], []).append((key, parts))
    out: dict[str, str] = {}
    for members in by_base.values():
        if len(members) < 2:
            continue
        # most specific forms first, so that a bare form meets the groups it could join
        members.sort(key=lambda kp: (-len(kp[1][2]) - bool(kp[1][3]), kp[0]))
        groups: list[list[tuple[str, tuple]]] = []
        alone: list[str] = []
        for key, parts in members:
            fits = [g for g in groups if all(_compatible(parts, p) for _, p in g)]
            if len(fits) == 1:
                fits[0].append((key, parts))
            elif not fits:
                groups.append([(key, parts)])
            else:
                alone.append(key)
        for g in groups:
            # a link target first; then the most mentioned; then a disambiguated title (written
            # only when linking the article itself), the fewest middle names, the first in order
            best = min(g, key=lambda kp: (not linked.get(kp[0]), -count[kp[0]], not kp[1][3],
                                          len(kp[1][2]), kp[0]))[0]
            out.update({k: best for k, _ in g if k != best})
    return out
