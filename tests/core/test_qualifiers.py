"""Marks, placeholders, labels and footnotes as current infoboxes write them. Every snippet is
copied from a file of the shared corpus (corpus/wikitext/current/<file>), as the renderer shows
it (the value's text), unless the test says otherwise."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core import qualifiers as q
from pipeline.core.qualifiers import (
    CANCELLED,
    IN_PROGRESS,
    PLANNED,
    is_note,
    is_placeholder,
    is_planned,
    mark_of,
    read_items,
    says_actual,
    split_label,
    strip_name_marks,
)


@pytest.mark.parametrize(("text", "kind", "word"), [
    ("November 2026 (planned)", PLANNED, "planned"),                       # Shenzhou_23 landing_date
    ("NET June 2027 (planned)", PLANNED, "planned"),                       # Artemis_III launch_date
    ("NET January 2027", PLANNED, "NET"),                                  # Axiom_Mission_5 ({{Abbr|NET|...}})
    ("Early 2028 (planned)", PLANNED, "planned"),                          # Artemis_IV launch_date
    ("14–21 days (planned)", PLANNED, "planned"),                          # Axiom_Mission_5 mission_duration
    ("TBA", PLANNED, "TBA"),                                               # Axiom_Mission_5 crew_members
    ("1963 (cancelled)", CANCELLED, "cancelled"),                          # Mercury-Atlas_10 launch_date
    ("20 May 1986, 20:21:00 UTC, (planned) - Never launched", CANCELLED, "Never launched"),  # STS-61-G
    ("(in progress), 180 days (planned)", IN_PROGRESS, "in progress"),     # Shenzhou_23 mission_duration
])
def test_marks_of_real_values(text, kind, word):
    mark = mark_of(text)
    assert mark is not None and (mark.kind, mark.word) == (kind, word)


@pytest.mark.parametrize("text", [
    "24 May 2026, 15:08:36 UTC (23:08:36 CST)",      # Shenzhou_23 launch_date: a fact
    "Space rendezvous",                               # Gemini_8 mission_type
    "net mass 1200 kg",                               # "net" in lower case is not No Earlier Than
    "Planetary",                                      # a word containing "planet", not "planned"
    "", None,
])
def test_unmarked_values(text):
    assert mark_of(text) is None and not is_planned(text)


def test_actual_items_say_so():
    # Boeing_Crew_Flight_Test mission_duration: "Planned: 8 days<br/> Actual: {{time interval|...}}"
    assert says_actual("Actual: 93 days, 13 hours, 9 minutes") and not says_actual("Planned: 8 days")
    # STS-51-L: "6 days and 34 minutes (planned)<br />1 minute and 13 seconds (achieved)"
    assert says_actual("1 minute and 13 seconds (achieved)")


@pytest.mark.parametrize("text", ["None", "TBA", "N/A", "Uncrewed", "—", "(TBA)", " tba. ", ""])
def test_placeholders(text):
    # "None": Boeing_Crew_Flight_Test crew_landing and Shenzhou_22 crew_launching; "TBA": Vast-1
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["Arnaud Prost", "Nonna Ivanova", "Tba Station"])
def test_names_are_not_placeholders(text):
    assert not is_placeholder(text)


@pytest.mark.parametrize(("item", "label", "rest"), [
    ("CSM: 1970-029A", "CSM", "1970-029A"),                       # Apollo_13 cospar_id
    ("LM ascent stage: 1969-018C", "LM ascent stage", "1969-018C"),  # Apollo_9 cospar_id
    ("Vostok 3: Andriyan Nikolayev", "Vostok 3", "Andriyan Nikolayev"),  # Vostok_4 crew_members
    ("Apollo:", "Apollo", ""),                                    # a group header
    ("16:50:35 UTC", None, "16:50:35 UTC"),                       # a time is not a label
    ("Peggy Whitson", None, "Peggy Whitson"),
])
def test_labels(item, label, rest):
    assert split_label(item) == (label, rest)


def test_footnotes_and_name_marks():
    # Mir_EO-23 crew_members: "[[Jerry Linenger]]* (February–May)<br />[[Colin Michael Foale]]†<br />
    # <small>* - transferred from [[Mir EO-22|EO-22]]<br />† - transferred to [[Mir EO-24|EO-24]]</small>"
    assert is_note("* - transferred from EO-22") and is_note("† - transferred to EO-24")
    assert not is_note("Jerry Linenger* (February–May)")
    assert strip_name_marks("Jerry Linenger* (February–May)") == ("Jerry Linenger", "February–May")
    assert strip_name_marks("Colin Michael Foale†") == ("Colin Michael Foale", None)
    # Mir_EO-24: "[[David Wolf (astronaut)|David Wolf]] (September-January)"
    assert strip_name_marks("David Wolf (September-January)") == ("David Wolf", "September-January")
    assert strip_name_marks("Peggy Whitson") == ("Peggy Whitson", None)


def test_read_items_applies_group_headers_and_drops_notes():
    # group headers as Apollo–Soyuz-style boxes write them (own lines, not from the corpus)
    items = read_items(["Apollo:", "Thomas Stafford", "Vance Brand", "Soyuz:", "Alexei Leonov",
                        "* - transferred to EO-4", "TBA"])
    assert [(i.label, i.text, i.placeholder) for i in items] == [
        ("Apollo", "Thomas Stafford", False), ("Apollo", "Vance Brand", False),
        ("Soyuz", "Alexei Leonov", False), ("Soyuz", "TBA", True)]


@given(st.text(max_size=300))
def test_never_raises(text):
    mark_of(text), is_placeholder(text), split_label(text), is_note(text), strip_name_marks(text)
    read_items([text, text])


def test_linear_on_long_hostile_text(assert_linear):
    def hostile(k):
        return "a" + " " * k + "b" + "*" * k + "(" * (k // 50)
    assert_linear(lambda t: (mark_of(t), split_label(t), strip_name_marks(t), is_note(t)), hostile, 50_000)


def _mark_by_searches(text):
    """mark_of as the four searches alone (no shortcut for text without any mark word)."""
    text = text if isinstance(text, str) else ""
    for kind, pattern in ((q.CANCELLED, q._CANCELLED_WORDS), (q.IN_PROGRESS, q._IN_PROGRESS_WORDS),
                          (q.PLANNED, q._PLANNED_WORDS), (q.PLANNED, q._NET)):
        m = pattern.search(text) if text else None
        if m:
            return q.Mark(kind, " ".join(m.group(0).split()))
    return None


_WORDS = ["cancelled", "canceled", "CANCELED", "never launched", "never\tflew", "in progress",
          "In  Progress", "ongoing", "underway", "planned", "PLANNED", "expected", "scheduled",
          "tentative", "tentatively", "proposed", "targeted", "targeting", "anticipated", "projected",
          "no earlier than", "not before", "no later than", "TBA", "tbd", "TbC", "to be announced",
          "to be determined", "to be confirmed", "NET", "net", "Net", "ſcheduled", "plannedx",
          "-planned", "Kancelled", "ıngoing", "tarKeted", " ", "(", ")", "''", "x", "2027", "é", "\n"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=4)), max_size=6))
def test_mark_of_shortcut_agrees_with_the_searches(pieces):
    for text in ("".join(pieces), " ".join(pieces)):
        assert q.mark_of(text) == _mark_by_searches(text), text


def test_mark_of_shortcut_on_the_usual_and_the_odd():
    for text in [*_WORDS, "Kennedy LC-39A", "1969-07-16 (planned)", "ſcheduled", "NET June 2027",
                 "Apollo 18 (canceled)", "Never Flown", "", None, 5]:
        assert q.mark_of(text) == _mark_by_searches(text), text
    assert q.mark_of("ſcheduled") is not None   # non-ASCII text: the searches decide
