"""Which mission a sentence names: this one (its title, other names, short form "MS-25"), one
of the others the article mentions, or one in a known series ("Apollo 12", "STS-4"). Used by
pipeline.extract.prose to attribute events. Patterns are built from short names only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.patterns import finditer_at, fold_for_words, occurrences
from pipeline.extract.prose_traps import apposition, serial

# --- missions --------------------------------------------------------------------------------

_PROGRAMME = (r"(?:Apollo|Gemini|Vostok|Voskhod|Luna|Zond|Ranger|Surveyor|Lunar Orbiter|Mariner"
              r"|Pioneer|Venera|Viking|Voyager|Shenzhou|Tianzhou|Chang'e|Chandrayaan|Skylab"
              r"|Salyut|Artemis|Gaganyaan|Soyuz|Progress|Explorer|Sputnik|Kosmos|Cosmos"
              r"|Mercury-Atlas|Mercury-Redstone|Tiangong|Gemini-Titan)")
_DESIGNATIONS = [re.compile(p) for p in (
    rf"\b{_PROGRAMME} (?:\d{{1,4}}[A-Z]?|[IVX]{{1,5}})(?![\w-])(?!\.\d)",
    r"\b(?:(?:Soyuz|Progress) )?(?:MS|TMA|TMA-M)-\d{1,3}[A-Z]?(?![\w-])",
    r"\b(?:Soyuz|Progress) (?:T|TM|M|M1|M-M)-\d{1,3}[A-Z]?(?![\w-])",
    r"\b(?:SpaceX )?Crew-\d{1,2}(?![\w-])",
    r"\b(?:Ax|CRS|NG|OA|SpX|Boe-OFT)-\d{1,2}(?![\w-])",
    r"\bSTS-\d{1,3}(?:-?[A-Z])?(?![\w-])",
)]
# What every match of each designation contains, as written (a pattern whose words are not in
# the sentence is not tried; tests/extract/test_sentences_exact.py checks it on generated text).
_DESIGNATION_WORDS = [tuple(_PROGRAMME[3:-1].split("|")), ("MS-", "TMA-"), ("Soyuz ", "Progress "),
                      ("Crew-",), ("Ax-", "CRS-", "NG-", "OA-", "SpX-", "Boe-OFT-"), ("STS-",)]
assert len(_DESIGNATION_WORDS) == len(_DESIGNATIONS)
_REFERENCE_WORDS = frozenset("before after than since like unlike following preceding".split())


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    name: str | None   # None: this mission
    reference: bool    # "three days before Apollo 11's launch"


_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SPACES = re.compile(r"\s+")
_WORD_BEFORE = re.compile(r"(\w+)\W*(?:the\s+)?$")


def _norm(name: str) -> str:
    name = _DASHES.sub("-", name)
    return _SPACES.sub(" ", name).strip().casefold()


_MAX_NAME = 200


class Missions:
    """Finds this mission and others in a sentence."""

    def __init__(self, title: str, aliases, others) -> None:
        title = title if isinstance(title, str) else ""
        # A name is a few words: a longer "alias" (a value gone wrong, a hostile page) would be
        # compiled into a pattern of its own size for every page.
        names = [title, *[a for a in aliases if isinstance(a, str) and len(a) <= _MAX_NAME]]
        others = [n for n in others if isinstance(n, str) and len(n) <= _MAX_NAME]
        self.prefix, self.short_family = "", None
        short = re.fullmatch(r"(.*\S)\s+(\S*[A-Za-z]\S*-\S*\d\S*)", title.strip())
        if short:
            self.prefix, self.short_family = short.group(1), _family(short.group(2))
            names.append(short.group(2))
        self.own = {_norm(n) for n in names if len(re.sub(r"\W", "", n)) >= 2}
        # serials of the mission's other names that carry a letter ("ISS 72S" -> "72S")
        self.serials = {s for n in names[1:] if (s := serial(n)) and not s.isdigit()}
        literals = [n for n in sorted(self.own, key=len, reverse=True)]
        literals += [n for n in others if isinstance(n, str) and len(re.sub(r"\W", "", n)) >= 2]
        self.patterns = [_literal(n) for n in literals]
        # (pattern, words, caseless): a pattern is tried only when one of its words is written
        # (caseless: as re.I finds it, looked for in patterns.fold_for_words, and only where one
        # is: every match of a name starts with its first word); no words: always
        self._gated = [(p, _caseless_start(n), True) for p, n in zip(self.patterns, literals)]
        self.patterns += _DESIGNATIONS
        self._gated += [(p, words, False) for p, words in zip(_DESIGNATIONS, _DESIGNATION_WORDS)]
        for name in [title, short.group(2)] if short else [title]:
            family = _family(name)
            if family is not None:
                self.patterns.append(family)
                self._gated.append((family, _caseless_start(re.split(r"\d", name.strip(), 1)[0]), True))

    def find(self, sentence: str) -> list[Mention]:
        spans: list[tuple[int, int]] = []
        folded = None
        found: dict[tuple[str, ...], list[int]] = {}   # (names often share their first word)
        for pattern, words, caseless in self._gated:
            if words and caseless:
                if folded is None:
                    folded = fold_for_words(sentence)
                starts = found.get(words)
                if starts is None:
                    starts = found[words] = occurrences(folded, words)
                if starts:
                    # (a name never matches empty: its words have two word characters)
                    spans += [m.span() for m in finditer_at(pattern, sentence, starts)]
                continue
            if words:
                for word in words:
                    if word in sentence:
                        break
                else:
                    continue
            spans += [(m.start(), m.end()) for m in pattern.finditer(sentence) if m.end() > m.start()]
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        out: list[Mention] = []
        for start, end in spans:
            if out and start < out[-1].end:
                continue
            text = sentence[start:end]
            own = _norm(text) in self.own or serial(text) in self.serials or (
                any(m.name is None for m in out) and apposition(sentence, start))
            name = None if own else self._full(text)
            word = _WORD_BEFORE.search(sentence[max(0, start - 30):start])
            reference = bool(word and word.group(1).lower() in _REFERENCE_WORDS)
            out.append(Mention(start, end, name, reference))
        return out

    def _full(self, text: str) -> str:
        """"MS-24" in an article about "Soyuz MS-25" is "Soyuz MS-24"."""
        text = _SPACES.sub(" ", text.strip())
        if self.short_family is not None and self.short_family.fullmatch(text):
            return f"{self.prefix} {text}"
        return text


def _caseless_start(name: str) -> tuple[str, ...]:
    """What every match of _literal(name) (or of _family(name + digits)) starts with as
    fold_for_words writes it: the name's first word up to a dash, when that is ASCII
    (fold_for_words keeps ASCII words where re.I finds them, one character for one); else ()
    (no test)."""
    parts = name.split()
    head = parts[0].split("-", 1)[0] if parts else ""
    if not head or not head.isascii():
        return ()
    return (head.lower(),)


def _literal(name: str) -> re.Pattern:
    body = r"[\s\u00a0]+".join(re.escape(part) for part in name.split())
    body = body.replace(r"\-", r"[-\u2010-\u2015]")
    return re.compile(rf"(?<![\w-]){body}(?![\w]|-\w|\.\d)", re.I)


def _family(name: str) -> re.Pattern | None:
    """"Soyuz MS-25" -> Soyuz MS-<number>: siblings of the title are other missions."""
    if not re.search(r"[A-Za-z]{2}.*\d", name):
        return None
    parts = re.split(r"(\d+)", name.strip())
    body = "".join(r"\d{1,4}" if p.isdigit() else re.escape(p) for p in parts)
    return re.compile(rf"(?<![\w-]){body}(?![\w]|-\w|\.\d)", re.I)


