"""What a value says about itself, as infobox editors write it: planned or not yet known,
a placeholder instead of a person, a label naming a component or a group, a footnote.

One home for these habits, whatever the input format (wikitext, rendered text, prose): the
mapper, the rendered-text reader and the prose reader all ask here. Facts from the current
Template:Infobox spaceflight articles (a survey of the shared corpus's 330 current infoboxes;
test snippets cite their file):

- planned values carry a word next to the value: "(planned)", "(''planned'')", "expected",
  "scheduled", "tentative", "proposed", "targeted", "NET" / "No earlier than", "TBA", "TBD";
  a mission that did not fly says "(cancelled)" or "Never launched"; one still flying says
  "(in progress)" or "ongoing";
- placeholders stand where a person or a value would be: "None", "TBA", "TBD", "N/A",
  "Uncrewed", "Unmanned", "—";
- a label names the component or group of an item: "CSM: 1970-029A", "Vostok 3: Pavel
  Popovich"; an item that is only a label ("Apollo:") heads the items after it;
- a footnote item explains a mark on a name: "* - Transferred to EO-4", "† - transferred
  to EO-24"; the mark itself ("Valeri Polyakov*", "Andy Thomas† (January-February)") is not
  part of the name.

Error policy: bad data is data. Nothing here raises on text; a non-string is treated as "".
Every pattern is linear-time (no nested quantifiers over the same characters).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Kinds of marks, and the words that make them. "NET" counts only in capitals ("net mass" is
# not a bound); the others are matched without case.
PLANNED = "planned"
CANCELLED = "cancelled"
IN_PROGRESS = "in_progress"

_PLANNED_WORDS = re.compile(
    r"(?<![\w-])(?:planned|expected|scheduled|tentative(?:ly)?|proposed|targeted|targeting|"
    r"anticipated|projected|no\s+earlier\s+than|not\s+before|no\s+later\s+than|"
    r"TBA|TBD|TBC|to\s+be\s+(?:announced|determined|confirmed))(?![\w-])", re.I)
_NET = re.compile(r"(?<![\w-])NET(?![\w-])")
_CANCELLED_WORDS = re.compile(
    r"(?<![\w-])(?:cancell?ed|never\s+(?:launched|flown|flew))(?![\w-])", re.I)
_IN_PROGRESS_WORDS = re.compile(r"(?<![\w-])(?:in\s+progress|ongoing|underway)(?![\w-])", re.I)
# A piece of every word above, in lower case: ASCII text (where ignoring case is lower()) without
# any of them (nor "NET") has no mark. Not for other text: ignoring case, "ſ" is an "s".
_MARK_PIECES = re.compile(
    r"cancel|never|progress|ongoing|underway|planned|expected|scheduled|tentative|proposed|target|"
    r"anticipated|projected|earlier|before|later|tba|tbd|tbc|announced|determined|confirmed")
# "Actual:", "(achieved)": an item that says it is the actual value.
_ACTUAL_WORDS = re.compile(r"(?<![\w-])(?:actual|achieved|elapsed)(?![\w-])", re.I)

_PLACEHOLDERS = {
    "none", "tba", "tbd", "tbc", "n/a", "na", "nil", "unknown", "uncrewed", "unmanned",
    "uncrewed flight", "uncrewed mission", "none (uncrewed)", "none, uncrewed", "not applicable",
    "to be announced", "to be determined", "to be confirmed", "vacant", "-", "—", "–", "?",
}
_PUNCT_EDGES = " \t.,;:()[]'\"*"
# "CSM: 1970-029A", "LM ascent stage: 1969-018C", "Vostok 3: Pavel Popovich", "Apollo:".
# A label is short, starts with a letter or digit, and holds no sentence punctuation.
_LABEL = re.compile(r"^\s*([^\W_][\w .'’/&+-]{0,30}?)\s*:(?:\s+|$)")
# A footnote line: a mark (*, †, ‡, §, #, or "a)"), optionally " - ", then its text.
_NOTE = re.compile(r"^\s*(?:[*†‡§#¹²³]+|\(?[a-z]\))\s*(?:[-–—:]\s*)?(?=\S)")
# Marks and notes after a name: "Valeri Polyakov*", "Andy Thomas† (January-February)",
# "Shannon Lucid* (from March)".
_NAME_MARKS = re.compile(r"\s*[*†‡§¹²³]*\s*(?:\(([^()]{0,60})\))?\s*$")


@dataclass(frozen=True)
class Mark:
    """A mark found on a value: its kind (planned, cancelled, in_progress) and the words."""

    kind: str
    word: str


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def mark_of(text: str) -> Mark | None:
    """The mark a value carries, if any: cancelled beats in_progress beats planned.

    "1963 (cancelled)" -> cancelled; "(in progress)" -> in_progress; "NET June 2027 (planned)",
    "{{Abbr|NET|no earlier than}} January 2027" (rendered "NET January 2027"), "TBA" ->
    planned. Bad input: a non-string or unmarked text gives None.
    """
    text = _text(text)
    if not text:
        return None
    if text.isascii() and "NET" not in text and _MARK_PIECES.search(text.lower()) is None:
        return None   # (most values: a quarter of the time of the four searches)
    for kind, pattern in ((CANCELLED, _CANCELLED_WORDS), (IN_PROGRESS, _IN_PROGRESS_WORDS),
                          (PLANNED, _PLANNED_WORDS), (PLANNED, _NET)):
        m = pattern.search(text)
        if m:
            return Mark(kind, " ".join(m.group(0).split()))
    return None


def is_planned(text: str) -> bool:
    """True when the value says it is not (yet) a fact: planned, NET, TBA, cancelled."""
    mark = mark_of(text)
    return mark is not None and mark.kind in (PLANNED, CANCELLED)


def says_actual(text: str) -> bool:
    """True when an item says it is the actual value ("Actual: ...", "... (achieved)")."""
    return bool(_ACTUAL_WORDS.search(_text(text)))


def is_placeholder(text: str) -> bool:
    """True for a stand-in where a person or value would be: "None", "TBA", "N/A", "Uncrewed",
    "—", "(TBA)". Bad input: a non-string or empty text is a placeholder (nothing is there)."""
    core = _text(text).strip(_PUNCT_EDGES).casefold()
    return not core or " ".join(core.split()) in _PLACEHOLDERS


def split_label(item: str) -> tuple[str | None, str]:
    """("CSM", "1970-029A") for "CSM: 1970-029A"; ("Apollo", "") for a bare "Apollo:";
    (None, item) when the item has no label. Times ("13:32") and URLs are not labels.

    Bad input: a non-string gives (None, "").
    """
    item = _text(item)
    m = _LABEL.match(item)
    if not m or m.group(1).strip().isdigit():
        return None, item.strip()
    return m.group(1).strip(), item[m.end():].strip()


def is_note(item: str) -> bool:
    """True for a footnote item: "* - Transferred to EO-4", "† - transferred to EO-24"."""
    return bool(_NOTE.match(_text(item)))


def strip_name_marks(name: str) -> tuple[str, str | None]:
    """A name without its footnote mark and the note in brackets after it:
    "Jerry Linenger* (February–May)" -> ("Jerry Linenger", "February–May"), "David Wolf
    (September-January)" -> ("David Wolf", "September-January"). A name without either is
    returned as it is. Bad input: a non-string gives ("", None)."""
    name = _text(name).strip()
    cut = max(0, len(name) - 80)   # marks and notes are short: only the tail is searched
    m = _NAME_MARKS.search(name, cut)
    if not m or m.start() == len(name) or not name[:m.start()].strip():
        return name, None
    return name[:m.start()].strip(), (m.group(1) or None)


@dataclass(frozen=True)
class Item:
    """One list item read for its meaning: the label it is under (its own "CSM:" or the last
    group header), the value text, and whether it is a placeholder."""

    label: str | None
    text: str
    placeholder: bool


def read_items(items: list[str]) -> list[Item]:
    """List items with labels and group headers applied, footnotes dropped.

    ["Apollo:", "Thomas Stafford", "Soyuz:", "Alexei Leonov"] -> items under "Apollo" and
    "Soyuz"; ["CSM: Odyssey", "LM: Aquarius"] -> labelled items; "* - Transferred to EO-4"
    is dropped; "TBA" is kept with placeholder=True (it holds a seat or a position in the list).
    Bad input: non-strings and empty items are skipped.
    """
    out: list[Item] = []
    group: str | None = None
    for raw in items:
        raw = _text(raw).strip()
        if not raw or is_note(raw):
            continue
        label, rest = split_label(raw)
        if label is not None and not rest:
            group = label
            continue
        out.append(Item(label or group, rest, is_placeholder(rest)))
    return out
