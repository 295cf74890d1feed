"""List values that a text renderer joined: people and names run together, link targets shown
beside their labels.

Renderers print the items of `{{Plainlist}}`/`{{Unbulleted list}}` with one space between them
("Sergey Ryzhikov Alexey Zubritsky Jonny Kim") and some print a link's target before its label
("Michael Barratt (astronaut), Michael Barratt"). This module takes such a value apart again
using the evidence on the same page, and says how it decided:

- people (`split_people`): the token run is cut into names by dynamic programming. A cut is
  supported by a full name written elsewhere on the page (prose, captions, other crew lines;
  middle initials and diacritics do not matter: "David Brown" supports "David M. Brown") or by
  a surname from the crew photo caption ("From left: Kim, Ryzhikov and Zubritsky"). A name is
  optional initials ("K. Megan McArthur"), a given name, optional initials and particles, a
  surname, an optional suffix ("Jr.", "II").
  Fallback without evidence: only an even run of plain two-word names is cut ("Anna Kikina
  Josh Cassada"); anything else stays one item and the note says it was not split.
  A header item ending in ":" ("Expedition 69/70:") is a group label, not a person.
- link pairs (`fold_link_pairs`): an item followed by the same name without its disambiguator,
  or by a shorter form with the same first and last word ("Nicole Aunapu Mann, Nicole Mann"), is
  one person: the first is the link target (the person's key), the second the label.
- designations (`split_names`): "Crew Demo-2 SpaceX Demo-2 Demonstration Mission-2" is cut into
  the fewest pieces that the prose writes as names; otherwise it stays one item.

Bad input: never raises; anything not understood is returned as it came, with a note.
Work is bounded: at most _MAX_TOKENS tokens are segmented (longer values are left whole).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.core.names import name_form

_MAX_TOKENS = 120
_MAX_WORDS = 5          # words in one name (initials and suffixes not counted)
_INITIAL = re.compile(r"^(?:[A-Z]\.){1,3}$|^[A-Z]$")
_SUFFIX = re.compile(r"^(?:Jr\.?|Sr\.?|II|III|IV)$")
_PARTICLE = frozenset("bin ibn al el de da das dos del della di van von der den le la du".split())
# A run of capitalised words (a name as prose or a caption writes it); particles may sit inside.
_RUN = re.compile(r"[A-Z\u00C0-\u024F][\w'\u2019.\-\u00C0-\u024F]*"
                  r"(?:[ \u00a0]+(?:(?:bin|ibn|al|de|da|van|von|der|le|la|du) )?"
                  r"[A-Z\u00C0-\u024F][\w'\u2019.\-\u00C0-\u024F]*)*")
_DIGIT = re.compile(r"\d")
# "TBA", "TBD", "N/A": a placeholder holds a seat of its own (pipeline.core decides what it means)
_CAPS = re.compile(r"^[A-Z]{2,4}(?:/[A-Z]{1,3})?$")
# Francis R. "Dick" Scobee, Edwin E. "Buzz" Aldrin Jr.: a nickname in quotes inside a name
# "Michael Barratt (astronaut)": a link target's disambiguator ends a name
_DISAMBIGUATOR = re.compile(r"^\([a-z][a-z ]{2,20}\)$")
_NICKNAME = re.compile(r"^[\"\u201c'\u2018(][^\s\"\u201d'\u2019()]+[\"\u201d'\u2019)]$")


@dataclass
class Evidence:
    """What the page says about names: full names and caption surnames, in matching form."""

    full: set[str] = field(default_factory=set)
    surnames: set[str] = field(default_factory=set)

    def add_text(self, text: str, *, caption: bool = False) -> None:
        """Every capitalised run of `text` is a possible full name (its last two to four words
        too: "NASA astronaut Jonny Kim"); in a caption every run's last word is a surname."""
        if not isinstance(text, str):
            return
        for match in _RUN.finditer(text):
            words = [w for w in match.group().split() if not _INITIAL.match(w) and not _SUFFIX.match(w)]
            if caption and words:
                self.surnames.add(name_form(words[-1]))
            for size in range(2, min(len(words), 4) + 1):
                self.full.add(name_form(" ".join(words[-size:])))
                self.full.add(name_form(" ".join(words[:size])))


def _kind(token: str) -> str:
    if _INITIAL.match(token):
        return "initial"
    if _SUFFIX.match(token):
        return "suffix"
    if token.endswith(":"):
        return "label"
    if token.casefold() in _PARTICLE:
        return "particle"
    if _CAPS.match(token):
        return "given" if len(token) == 2 else "caps"     # "CJ Sturckow"; "TBA" holds a seat
    if _DISAMBIGUATOR.match(token):
        return "disambiguator"
    if _NICKNAME.match(token):
        return "nickname"
    return "word" if token[:1].isupper() else "other"


def _person_shape(kinds: list[str]) -> int | None:
    """Number of words of a well-formed name (initials, a word, then words/initials/particles,
    ending on a word, then suffixes), else None."""
    end = len(kinds)
    if end and kinds[end - 1] == "disambiguator":
        end -= 1
    while end and kinds[end - 1] == "suffix":
        end -= 1
    core = kinds[:end]
    if len(core) >= 2 and core[0] == "given":     # "CJ Sturckow": two capitals for a given name
        core = ["word"] + core[1:]
    lead = 0
    while lead < len(core) - 1 and core[lead] == "initial":   # "K. Megan McArthur"
        lead += 1
    core = core[lead:]
    if not core or core[0] != "word" or core[-1] != "word":
        return None
    if any(k not in ("word", "initial", "particle", "nickname") for k in core):
        return None
    words = sum(k == "word" for k in core)
    return words if 2 <= words <= _MAX_WORDS else None


def _words(tokens: list[str]) -> list[str]:
    return [t for t in tokens if _kind(t) in ("word", "particle", "given")]


def _score(tokens: list[str], kinds: list[str], evidence: Evidence) -> tuple[int, str] | None:
    """(score, support) of one candidate person; None when it is not a name."""
    words = _person_shape(kinds)
    if words is None:
        return None
    plain = _words(tokens)
    if name_form(" ".join(plain)) in evidence.full or name_form(" ".join(tokens)) in evidence.full \
            or name_form(f"{plain[0]} {plain[-1]}") in evidence.full:
        return 10, "name"
    # a caption names people by surname: the last word(s) ("Chang-Díaz"), or the first word
    # for names written family name first ("(L-R) Nie, Zhang and Wang")
    if {name_form(plain[-1]), name_form(" ".join(plain[-2:])), name_form(plain[0])} & evidence.surnames:
        return 6, "surname"
    return (1 if words == 2 else -1 if words == 3 else -4), "shape"


def split_people(text: str, evidence: Evidence) -> tuple[list[str], str | None]:
    """The people of one joined item, and how the cut was decided (None: nothing to cut)."""
    tokens = text.split()
    if len(tokens) < 3 or len(tokens) > _MAX_TOKENS:
        return [text], None
    kinds = [_kind(t) for t in tokens]
    n = len(tokens)
    # best[i]: (score, segments) for tokens[:i]; a segment is (start, end, support)
    best: list[tuple[int, list] | None] = [None] * (n + 1)
    best[0] = (0, [])
    for end in range(1, n + 1):
        for start in range(max(0, end - (_MAX_WORDS * 3 + 2)), end):
            if best[start] is None:
                continue
            seg_tokens, seg_kinds = tokens[start:end], kinds[start:end]
            if seg_kinds[-1] == "label" and all(k != "label" for k in seg_kinds[:-1]) and end - start <= 4:
                scored = (0, "label")
            elif seg_kinds == ["caps"]:
                scored = (0, "placeholder")
            else:
                scored = _score(seg_tokens, seg_kinds, evidence)
            if scored is None:
                continue
            total = best[start][0] + scored[0]
            if best[end] is None or total > best[end][0]:
                best[end] = (total, best[start][1] + [(start, end, scored[1])])
    if best[n] is None:
        return [text], None     # not a run of names (a role, a note): left to the mapper
    segments = best[n][1]
    people = [s for s in segments if s[2] != "label"]
    labels = [" ".join(tokens[s:e]) for s, e, how in segments if how == "label"]
    supports = {how for _, _, how in people}
    if len(people) <= 1 and not labels:
        return [text], None
    if len(people) > 1 and supports == {"placeholder"}:
        how = "one placeholder per seat"
        return [" ".join(tokens[s:e]) for s, e, _ in people], how
    if supports <= {"shape", "placeholder"} and any(
            _person_shape(kinds[s:e]) != 2 for s, e, how in people if how == "shape"):
        return [text], "not split: no evidence on the page and the names are not all two words"
    how = {frozenset({"name"}): "names written elsewhere on the page",
           frozenset({"surname"}): "surnames in the crew photo caption",
           frozenset({"shape"}): "name shape (no evidence on the page: two-word names)",
           frozenset({"shape", "placeholder"}): "name shape and placeholders (no evidence on the page)"}.get(
        frozenset(supports), "names on the page, caption surnames and name shape")
    if labels:
        how += "; group labels dropped: " + ", ".join(labels)
    return [" ".join(tokens[s:e]) for s, e, _ in people], how


def _strip_disambiguator(name: str) -> str:
    return re.sub(r"\s*\([^()]*\)\s*$", "", name)


def fold_link_pairs(items: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Items with target/label pairs folded: (labels, [(label, target)])."""
    out: list[str] = []
    links: list[tuple[str, str]] = []
    i = 0
    while i < len(items):
        item = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if nxt is not None and _same_person(item, nxt):
            out.append(nxt)
            links.append((nxt, item))
            i += 2
            continue
        out.append(item)
        i += 1
    return out, links


def _same_person(target: str, label: str) -> bool:
    base = _strip_disambiguator(target)
    if base != target:
        return name_form(base) == name_form(label)
    t, lab = name_form(target).split(), name_form(label).split()
    return (len(t) > len(lab) >= 2 and t[0] == lab[0] and t[-1] == lab[-1]
            and all(w in t for w in lab))


def split_names(text: str, prose: str) -> tuple[list[str], str | None]:
    """Designations run together, cut into the fewest pieces the prose writes as names."""
    tokens = text.split()
    if len(tokens) < 3 or len(tokens) > _MAX_TOKENS or not prose or _found(text, prose):
        return [text], None
    n = len(tokens)
    best: list[list[tuple[int, int]] | None] = [None] * (n + 1)
    best[0] = []
    for end in range(1, n + 1):
        for start in range(max(0, end - 8), end):
            if best[start] is None or (end - start == n):
                continue
            piece = " ".join(tokens[start:end])
            if (end - start < 2 and not _DIGIT.search(piece)) or not _found(piece, prose):
                continue
            if best[end] is None or len(best[start]) + 1 < len(best[end]):
                best[end] = best[start] + [(start, end)]
    if best[n] is None or len(best[n]) < 2:
        return [text], None
    return [" ".join(tokens[s:e]) for s, e in best[n]], "names the prose writes"


def _found(piece: str, prose: str) -> bool:
    return re.search(r"(?<![\w-])" + re.escape(piece) + r"(?![\w-])", prose) is not None
