"""Prose traps (pipeline.extract.prose_traps via extract_events): sentences in our own words,
each built on the habit of a real rendering (URL beside each test)."""
from datetime import datetime, timezone

from pipeline.core.instants import Instant
from pipeline.extract.prose import extract_events
from pipeline.records import Section


def utc(*parts):
    return datetime(*parts, tzinfo=timezone.utc)


def _events(text, title, *, aliases=(), launch=None, heading=""):
    return extract_events([Section(heading, 2 if heading else 0, text)], title, aliases=aliases,
                          launch=launch)


def _own(events):
    return [(e.event, e.utc) for e in events if e.mission is None and not e.set_aside]


def test_another_designation_of_this_mission_is_this_mission():
    # https://en.wikipedia.org/wiki/Soyuz_MS-26: "..., identified by NASA as Soyuz 72S, was ...
    # launched ... on 11 September 2024"
    text = ("Soyuz MS-26, known to NASA as Soyuz 72S, was a crewed flight launched from Baikonur "
            "on 11 September 2024.")
    assert ("launch", utc(2024, 9, 11)) in _own(_events(text, "Soyuz MS-26"))
    # the same designation in brackets, and by its serial shared with a name of the mission
    text = "Soyuz MS-26 (Soyuz 72S) launched on 11 September 2024."
    assert ("launch", utc(2024, 9, 11)) in _own(_events(text, "Soyuz MS-26"))
    text = "Soyuz 72S was launched on 11 September 2024."
    assert ("launch", utc(2024, 9, 11)) in _own(_events(text, "Soyuz MS-26", aliases=["ISS 72S"]))
    # another mission named without apposition stays another mission's
    text = "Its predecessor Soyuz MS-25 was launched on 23 March 2024."
    assert ("launch", utc(2024, 3, 23)) not in _own(_events(text, "Soyuz MS-26"))


def test_historical_references_are_not_this_missions_events():
    # https://en.wikipedia.org/wiki/Crew_Dragon_Demo-2: "... launched from the United States
    # since STS-4 in 1982", "... since the final Space Shuttle mission in 2011"
    text = ("Demo-2 launched on May 30, 2020. It was the first two-person flight launched from "
            "the United States since STS-4 in 1982, and the first crewed one launched there since "
            "the last shuttle mission in 2011.")
    assert _own(_events(text, "Crew Dragon Demo-2")) == [("launch", utc(2020, 5, 30))]


def test_a_date_range_is_a_launch_and_a_landing_when_the_sentence_says_so():
    # https://en.wikipedia.org/wiki/Soyuz_MS-20: "a Russian Soyuz spaceflight to the ISS on
    # 8–20 December 2021"
    text = "Soyuz MS-20 was a Soyuz spaceflight to the station on 8\u201320 December 2021."
    events = _own(_events(text, "Soyuz MS-20"))
    assert events == [("launch", utc(2021, 12, 8)), ("landing", utc(2021, 12, 20))]
    text = "The crew flew December 8\u201320, 2021 aboard Soyuz MS-20."
    assert _own(_events(text, "Soyuz MS-20")) == [("launch", utc(2021, 12, 8)), ("landing", utc(2021, 12, 20))]
    # a range that is not the flight's (no flight word before it) gives nothing
    text = "Soyuz MS-20 crew training took place on 1\u201310 June 2021."
    assert _own(_events(text, "Soyuz MS-20")) == []


def test_a_record_set_before_launch_is_not_this_missions():
    # seed Soyuz MS-25 (launched 23 March 2024): Kononenko broke the record on 4 February 2024,
    # aboard the station before MS-25 flew
    text = ("Soyuz MS-25 launched on 23 March 2024. Kononenko broke the record for time in space "
            "on 4 February 2024. He became the first person to spend 1,000 days in space on "
            "4 June 2024.")
    events = _events(text, "Soyuz MS-25")
    assert ("record", utc(2024, 6, 4)) in _own(events)
    aside = [e for e in events if e.set_aside]
    assert [(e.event, e.utc) for e in aside] == [("record", utc(2024, 2, 4))]
    assert "before the launch" in aside[0].set_aside


def test_a_docking_dated_before_launch_is_fixed_or_set_aside():
    launch = Instant(utc(2023, 2, 24, 0, 24), "minute")
    # the year of "26 February" came from the sentence about the previous December: moved on
    text = ("The leak on Soyuz MS-22 was found on 14 December 2022. "
            "Soyuz MS-23 docked with the station on 26 February.")
    events = _events(text, "Soyuz MS-23", launch=launch, heading="Flight")
    assert ("docking", utc(2023, 2, 26)) in _own(events)
    # a written year before launch is a misreading: set aside, never published as this mission's
    text = "Soyuz MS-23 docked with the station on 26 February 2022."
    events = _events(text, "Soyuz MS-23", launch=launch, heading="Flight")
    assert _own(events) == []
    assert [e.event for e in events if e.set_aside] == ["docking"]
