"""The person a sentence is about, as prose.py reads it for records and spacewalks: the subject
of a verb ("Leonov stepped", "Armstrong became"), one person only ("Moghbeli and O'Hara" is
none), a pronoun taken back to the last person named before it. Patterns are linear; nothing
raises on odd text.
"""
from __future__ import annotations

import re

# A capitalised word with a lowercase letter after its first. (A name is always followed by a
# space, so it takes its whole run of word characters: the possessive run and the lookahead
# keep a failed try linear, where "[A-Z]\w*[a-z]\w*" tried every split of every word and took
# half a millisecond on "Modular Equipment Stowage Assembly".)
_NAME = r"[A-Z](?=[\w'\u2019-]*[a-z])[\w'\u2019-]*+"
_SUBJECT = re.compile(
    rf"(?<!\band )\b({_NAME}(?:\s+{_NAME}){{0,2}})\s+(?:(?:later|also|then|subsequently|eventually"
    rf"|had|has|have)\s+)*(?:\w+ed|spent|broke|became|set|made|took|flew|stayed|won|held|began"
    rf"|left|went|was|stepped)\b")
_PLURAL = re.compile(r"(?:\band|&)\s+(?:[A-Z][\w'\u2019-]*\s+)*$")
_PRONOUNS = frozenset({"He", "She"})
_NOT_PEOPLE = frozenset("""The A An It Its They Their This That These Those We On In At After
Before During When While As But And Then Later Also NASA Roscosmos Mission Control Houston Earth
Moon Station International Space Soviet Russian American Americans US Both Each All""".split())


def subject(sentence: str, start: int, end: int, previous: list[str]) -> str | None:
    """The one person an event is about (a record, a spacewalk, its trigger at sentence[start:end]),
    as written, else None; a pronoun ("He") is the last person named in the sentences before."""
    matches = [m for m in _SUBJECT.finditer(sentence[:end]) if m.start() < start]
    if not matches:
        return None
    name = _one_person(matches[-1])
    if name in _PRONOUNS:
        for prior in reversed(previous):
            for match in reversed(list(_SUBJECT.finditer(prior))):
                found = _one_person(match)
                if found and found not in _PRONOUNS:
                    return found
        return None
    return name


def _one_person(match: re.Match) -> str | None:
    """The subject's name, or None for "Moghbeli and Loral O'Hara" (two people)."""
    if _PLURAL.search(match.string[:match.start(1)]):
        return None
    return _clean_name(match.group(1))


def _clean_name(name: str) -> str | None:
    words = name.split()
    while words and words[0] in _NOT_PEOPLE:
        words.pop(0)
    return " ".join(words) or None
