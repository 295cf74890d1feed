"""Dated events from prose (pipeline.extract.prose): sentences, dates, events, attribution.

The articles are the bundled raw/ copies of the shared corpus files (seed/Soyuz_MS-25.txt,
wikitext/spaceflight/Apollo_11.wikitext and Apollo_8.wikitext; byte-identical).
`pytest -s` prints the date accuracy table.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.patterns import fold
from pipeline.extract import prose as prose_module
from pipeline.extract import sentences as sentences_module
from pipeline.extract.prose import ProseEvent, extract_events
from pipeline.extract.sentences import find_dates, split_sentences
from pipeline.records import RawInput, Section
from pipeline.core.instants import Instant, find_instants, format_instant

SEED_ALIASES = ["ISS 71S", "Soyuz 71S", "MS-25"]
_HEADING = re.compile(r"^(={2,6})\s*(.*?)\s*\1\s*$")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def seed_sections(path: Path) -> list[Section]:
    """The seed's prose: the lead is the lines after the "- Key: Value" block up to the first
    "== ... ==" heading; each heading (without "=") opens a section."""
    lines = path.read_text(encoding="utf-8").splitlines()
    last_param = max(i for i, line in enumerate(lines) if line.startswith("- "))
    sections, heading, level, buf = [], "", 0, []
    for line in lines[last_param + 1:]:
        match = _HEADING.match(line)
        if match:
            sections.append(Section(heading, level, "\n".join(buf).strip()))
            heading, level, buf = match.group(2), len(match.group(1)), []
        else:
            buf.append(line)
    sections.append(Section(heading, level, "\n".join(buf).strip()))
    return sections


def wikitext_sections(path: Path) -> list[Section]:
    """Plain prose sections of a wikitext article, as pipeline.extract.wikitext makes them."""
    text = path.read_text(encoding="utf-8")
    raw = RawInput(source=path.name, fmt="wikitext", content=text, source_format="wikitext",
                   title=path.stem.replace("_", " "))
    from pipeline.extract.wikitext import extract_wikitext
    return extract_wikitext(raw).sections


@pytest.fixture(scope="module")
def seed_events(raw_dir: Path) -> list[ProseEvent]:
    path = raw_dir / "Soyuz_MS-25.txt"
    if not path.is_file():
        pytest.skip("raw/Soyuz_MS-25.txt is missing")
    return extract_events(seed_sections(path), "Soyuz MS-25", aliases=SEED_ALIASES)


def _article(raw_dir: Path, name: str) -> list[Section]:
    path = raw_dir / f"{name}.wikitext"
    if not path.is_file():
        pytest.skip(f"raw/{name}.wikitext is missing")
    return wikitext_sections(path)


def ours(events: list[ProseEvent]) -> list[ProseEvent]:
    return [e for e in events if e.mission is None]


def brief(events: list[ProseEvent]) -> list[tuple[str, str, str | None]]:
    return [(e.event, format_instant(Instant(e.utc, e.precision)), e.outcome) for e in events]


# --- sentences -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Soyuz MS-25, Russian production No. 756 and identified by NASA as Soyuz 71S, was a flight. "
     "It docked.", 2),
    ("It was proposed by the U.S. President John F. Kennedy before the U.S. Congress. Next.", 2),
    ("Martin Luther King Jr. was there. Dr. Smith counted approx. 6 people.", 2),
    ("Neil A. Armstrong flew at an inclination of 51.66 degrees. The end.", 2),
    ("Apollo 8 launched at 7:51:00 a.m. Eastern Standard Time on December 21, 1968. It flew.", 2),
    ("The crew landed at 9 a.m. The next day they rested.", 2),
    ('He said "Thanks a lot." Armstrong replied. Was it? Yes!', 4),
    ("First paragraph without a stop\n\nSecond paragraph.", 2),
    ("", 0),
])
def test_split_sentences_survives_abbreviations(text, expected):
    sentences = split_sentences(text)
    assert len(sentences) == expected, sentences
    assert "".join(sentences).replace(" ", "") == re.sub(r"\s", "", text)


# --- the seed ----------------------------------------------------------------------------------

def test_seed_gives_exactly_the_ms25_events(seed_events):
    assert brief(ours(seed_events)) == [
        ("record", "2024-02-04T07:30:08Z", None),
        ("record", "2024-02-25", None),
        ("launch_attempt", "2024-03-21", "scrubbed"),
        ("launch", "2024-03-23", "success"),
        ("record", "2024-06-04", None),
        ("record", "2024-09-12", None),
        ("landing", "2024-09-23", "success"),
    ]


def test_seed_scrub_reason_and_record_holder(seed_events):
    by_kind = {}
    for event in ours(seed_events):
        by_kind.setdefault(event.event, []).append(event)
    assert "voltage drop" in by_kind["launch_attempt"][0].detail
    assert {e.person for e in by_kind["record"]} == {"Kononenko"}
    assert by_kind["landing"][0].evidence.startswith("At the end of Expedition 71, Caldwell-Dyson")
    assert by_kind["landing"][0].section == "Undocking and Return"


def test_seed_traps_never_become_ms25_launch_or_landing(seed_events):
    record_days = {utc(2024, 2, 4).date(), utc(2024, 2, 25).date(), utc(2024, 6, 4).date(),
                   utc(2024, 9, 12).date()}
    for event in ours(seed_events):
        if event.utc.date() in record_days:
            assert event.event == "record"
        # "They arrived with ... O'Hara on Soyuz MS-24 on 15 September 2023" is MS-24's.
        assert event.utc.year == 2024
        assert "MS-24" not in event.evidence


def test_seed_is_deterministic(raw_dir):
    sections = seed_sections(raw_dir / "Soyuz_MS-25.txt")
    first = extract_events(sections, "Soyuz MS-25", aliases=SEED_ALIASES)
    assert extract_events(sections, "Soyuz MS-25", aliases=SEED_ALIASES) == first


def test_seed_read_by_the_project_reader_gives_the_same_events(raw_dir, seed_events):
    from pipeline.extract import text as text_reader
    raw = RawInput(source="Soyuz_MS-25.txt", fmt="text", source_format="text",
                   content=(raw_dir / "Soyuz_MS-25.txt").read_text(encoding="utf-8"))
    sections = text_reader.extract_text(raw).sections
    assert extract_events(sections, "Soyuz MS-25", aliases=SEED_ALIASES) == seed_events


# --- attribution -------------------------------------------------------------------------------

def _events(text: str, heading: str = "Flight", title: str = "Soyuz MS-25", **kwargs):
    return extract_events([Section(heading, 2, text)], title, **kwargs)


@pytest.mark.parametrize("text, heading, mission", [
    # Names another mission only: that mission's event.
    ("O'Hara returned to Earth on MS-24 with Novitsky on 6 April 2024.", "Flight", "Soyuz MS-24"),
    ("Progress MS-26 docked with the station on 1 June 2024.", "Flight", "Progress MS-26"),
    ("The crew of Crew Dragon Endurance launched on 3 March 2024.", "Flight",
     "Crew Dragon Endurance"),
    # Names both: the mission nearest the trigger.
    ("MS-24 undocked on 6 April 2024, leaving Soyuz MS-25 at the station.", "Flight",
     "Soyuz MS-24"),
    ("Soyuz MS-25 docked on 23 March 2024, three days after Soyuz MS-24 left.", "Flight", None),
    # Names this mission through an alias.
    ("ISS 71S landed on 23 September 2024.", "Crew", None),
])
def test_a_sentence_is_attributed_to_the_mission_it_names(text, heading, mission):
    events = _events(text, heading, aliases=SEED_ALIASES, other_missions=["Crew Dragon Endurance"])
    assert [e.mission for e in events] == [mission]


def test_a_mission_named_as_a_point_of_reference_is_not_the_subject():
    events = _events("On July 13, 1969, three days before Apollo 11's launch, they launched "
                     "Luna 15, which reached lunar orbit before Apollo 11.", "Moon race",
                     title="Apollo 11")
    assert [(e.mission, e.event) for e in events] == [("Luna 15", "launch")]


@pytest.mark.parametrize("heading, kept", [
    ("", True), ("Flight", True), ("Undocking and Return", True), ("Mission highlights", True),
    ("Crew", False), ("Background", False), ("Legacy", False), ("References", False),
])
def test_an_unnamed_sentence_counts_only_in_a_flight_section(heading, kept):
    assert bool(_events("The spacecraft landed on 23 September 2024.", heading)) is kept


def test_sections_about_legacy_never_give_events_even_naming_the_mission():
    sections = [Section("Mission", 2, "Soyuz MS-25 launched on 23 March 2024."),
                Section("Spacecraft location", 2, "In March 2025 crews found the rocket that "
                        "launched Soyuz MS-25."),
                Section("Anniversary", 2, "On 23 March 2025, Soyuz MS-25 landed in a museum.")]
    assert brief(extract_events(sections, "Soyuz MS-25")) == [("launch", "2024-03-23", "success")]


def test_subsections_inherit_the_kind_of_their_parent():
    sections = [Section("Mission", 2, ""), Section("Earthrise", 3, "It landed on 27 May 2020."),
                Section("Legacy", 2, ""), Section("Stamps", 3, "It landed on 28 May 2020.")]
    assert brief(extract_events(sections, "X-1")) == [("landing", "2020-05-27", "success")]


def test_what_an_excluded_section_says_changes_no_event_of_the_page():
    """extract_events does not read excluded sections (legacy, references, ...): nothing read
    there could leave the section. Their text, dated or not, makes no difference elsewhere."""
    def sections(legacy_text):
        return [Section("", 0, "X-1 was a flight."), Section("Legacy", 2, legacy_text),
                Section("Stamps", 3, legacy_text), Section("Mission", 2, "It launched on 27 May 2020."),
                Section("Landing", 3, "It landed on 29 May 2020.")]
    expected = brief(extract_events(sections(""), "X-1"))
    assert expected == [("launch", "2020-05-27", "success"), ("landing", "2020-05-29", "success")]
    for text in ("On 1 June 2031, X-1 landed in a museum.", "X-1 launched in 1999. The next day it landed.",
                 "Apollo 8 launched on December 21, 1968, 12:51 UTC."):
        assert brief(extract_events(sections(text), "X-1", other_missions=["Apollo 8"])) == expected


def test_a_persons_stay_is_not_an_event():
    text = ("As the mission lasted 374 days, Kononenko spent a total of 1,111 days in space by "
            "the time he returned to Earth. Kononenko and Chub remained aboard for a year.")
    assert _events(text, "Undocking and Return") == []


# --- events and outcomes ---------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("The launch on 5 May 2020 was scrubbed because of high winds.",
     ("launch_attempt", "scrubbed", "high winds")),
    ("The launch was postponed from 1 May 2020 due to a faulty valve.",
     ("launch_attempt", "scrubbed", "faulty valve")),
    ("The rocket launched on 7 May 2020 but exploded 40 seconds later.",
     ("launch", "failure", None)),
    ("The launch on 7 May 2020 failed when the second stage shut down early.",
     ("launch", "failure", None)),
    ("The second launch attempt on 9 May 2020 was successful.", ("launch", "success", None)),
    ("The spacecraft docked with the ISS on 10 May 2020.", ("docking", "success", None)),
    ("It undocked from the station on 1 June 2020.", ("undocking", "success", None)),
    ("The capsule splashed down in the Atlantic Ocean on 2 June 2020.", ("landing", "success", None)),
    ("The crew performed a spacewalk on 20 May 2020.", ("eva", None, None)),
    ("It entered lunar orbit on 12 May 2020.", ("orbit_insertion", "success", "lunar orbit")),
    ("Eagle landed on the Moon on July 20, 1969.", ("lunar_landing", "success", None)),
    ("They returned to Earth and landed in the Pacific Ocean on July 24, 1969.",
     ("landing", "success", None)),
])
def test_event_kinds_and_outcomes(text, expected):
    events = _events(text)
    assert [(e.event, e.outcome, e.detail) for e in events] == [expected]


def test_no_trigger_or_no_date_gives_no_event():
    assert _events("The crew trained in Star City on 5 May 2020.") == []
    assert _events("The spacecraft launched from Baikonur.") == []
    assert _events("The crew visited the launch pad on 5 May 2020.") == []


def test_a_record_is_about_its_holder_and_a_date_list_shares_the_trigger():
    text = ("Kononenko spent many days in space. He later became the first person to stay 900 "
            "and 1,000 days in space on 25 February 2024 and 4 June 2024 respectively.")
    events = _events(text, "Undocking and Return")
    assert [(e.event, e.utc.date().isoformat(), e.person) for e in events] == [
        ("record", "2024-02-25", "Kononenko"), ("record", "2024-06-04", "Kononenko")]


@pytest.mark.parametrize("text, person", [
    ("Tracy Dyson conducted a spacewalk on 24 June 2024.", "Tracy Dyson"),
    ("Jasmin Moghbeli and Loral O'Hara performed a spacewalk on 1 November 2023.", None),
    ("The crew performed a spacewalk on 1 November 2023.", None),
])
def test_a_spacewalk_names_its_one_person(text, person):
    assert [e.person for e in _events(text)] == [person]


@pytest.mark.parametrize("text, expected", [
    ("Dominick and Barratt were to perform a spacewalk on 1 May 2024, but it was postponed.", []),
    ("The docking on 5 March 2024 was called off after a thruster fault.", []),
    ("The launch, delayed by two days, took place on 23 March 2024.",
     [("launch", "2024-03-23", "success")]),
])
def test_postponed_events_did_not_happen_on_that_date(text, expected):
    assert brief(_events(text)) == expected


def test_the_same_event_twice_is_reported_once_at_the_finest_precision():
    text = ("It landed on the Moon on July 20, 1969, at 20:18 UTC.\n"
            "Armstrong landed on the Moon at 20:17:40 UTC on Sunday July 20.")
    events = _events(text, "", title="Apollo 11")
    assert brief(events) == [("lunar_landing", "1969-07-20T20:17:40Z", "success")]


# --- relative and year-less dates ------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("The crew launched on 5 May 2020. The spacecraft docked with the ISS the following night.",
     [("launch", "2020-05-05"), ("docking", "2020-05-06")]),
    ("The crew launched on 5 May 2020. The spacecraft docked two days later.",
     [("launch", "2020-05-05"), ("docking", "2020-05-07")]),
    ("The crew launched on 5 May 2020. It landed on May 9.",
     [("launch", "2020-05-05"), ("landing", "2020-05-09")]),
    # Not honest: hours, a new paragraph, an undated moment in between, no anchor at all.
    ("The crew launched on 5 May 2020. It docked six hours later.", [("launch", "2020-05-05")]),
    ("The crew launched on 5 May 2020.\n\nIt docked the next day.", [("launch", "2020-05-05")]),
    ("The crew launched on 5 May 2020. They met the press the night before the launch. "
     "It docked the next day.", [("launch", "2020-05-05")]),
    ("It docked the next day.", []),
])
def test_relative_dates_resolve_only_when_honest(text, expected):
    events = _events(text, title="X-1")
    assert [(e.event, format_instant(Instant(e.utc, e.precision))) for e in events] == expected
    assert all(e.precision == "day" for e in events)


def test_year_less_dates_take_the_year_of_the_flight_sections_not_of_background():
    sections = [Section("", 0, "Apollo 8 was launched on December 21, 1968."),
                Section("Saturn V", 2, "The rocket was erected on December 20, 1967."),
                Section("Lunar orbit", 2, "It entered lunar orbit on December 24.")]
    events = extract_events(sections, "Apollo 8")
    assert brief(events)[-1] == ("orbit_insertion", "1968-12-24", "success")


# --- the Apollo articles -----------------------------------------------------------------------

def test_apollo_11(raw_dir):
    events = extract_events(_article(raw_dir, "Apollo_11"), "Apollo 11")
    mine = {e.event: e for e in ours(events)}
    # "A Saturn V launched Apollo 11 ... on July 16, 1969 at 13:32:00 UTC" (the lead's "on July
    # 16" is the same launch, merged into the more precise one).
    assert (mine["launch"].utc, mine["launch"].precision) == (utc(1969, 7, 16, 13, 32), "second")
    # Lead: "landed on July 20, 1969, at 20:18 UTC"; Landing: "landed at 20:17:40 UTC on Sunday
    # July 20". Both are the lunar landing; the finer time is kept (it rounds to 20:18).
    landing = mine["lunar_landing"]
    assert abs((landing.utc - utc(1969, 7, 20, 20, 18)).total_seconds()) <= 60
    # "On July 24, the astronauts returned home ... just before dawn local time (16:51 UTC)":
    # the bare UTC time takes the sentence's date (the mission report has 16:50:35).
    assert (mine["landing"].utc, mine["landing"].precision) == (utc(1969, 7, 24, 16, 51), "minute")
    # "first step ... at 02:56:15 UTC" refines the lead's "July 21 at 02:56 UTC"
    assert (mine["eva"].utc, mine["eva"].person) == (utc(1969, 7, 21, 2, 56, 15), "Armstrong")
    assert (mine["orbit_insertion"].utc, mine["orbit_insertion"].detail) == (
        utc(1969, 7, 19, 17, 21, 50), "lunar orbit")
    assert mine["undocking"].utc == utc(1969, 7, 20)   # Eagle separated from Columbia
    # Every event of this mission lies within the flight; nothing from "In March 2012 ... the
    # F-1 engines that launched Apollo 11" or the anniversary sections.
    assert all(utc(1969, 7, 16) <= e.utc < utc(1969, 7, 25) for e in ours(events))
    assert len(ours(events)) == len(mine)
    # Luna 15 was launched "On July 13, three days before Apollo 11's launch".
    assert [(e.mission, e.event, e.utc) for e in events if e.mission] == [
        ("Luna 15", "launch", utc(1969, 7, 13))]
    # Not events: TLI "at 16:22:13 UTC" (no event kind for it); lunar liftoff "at 17:54 UTC" is
    # dated (a bare UTC time on the anchor's day) but not classified; the docking of Eagle with
    # Columbia is not dated in the prose.


def test_apollo_8(raw_dir):
    events = extract_events(_article(raw_dir, "Apollo_8"), "Apollo 8")
    # "Apollo 8 launched at 7:51:00 a.m. Eastern Standard Time on December 21, 1968".
    assert brief(ours(events)) == [("launch", "1968-12-21T12:51:00Z", "success"),
                                   ("landing", "1968-12-27", "success")]
    # "... on Zond 5 and return to Earth on September 21" is Zond 5's.
    assert [(e.mission, e.event, e.utc) for e in events if e.mission] == [
        ("Zond 5", "landing", utc(1968, 9, 21))]
    # Missed: lunar orbit insertion and trans-Earth injection are given in mission elapsed time
    # ("At 64 hours into the flight"), the TV broadcast on "Christmas Eve"; the prose says
    # "began its journey back to Earth on December 25", which has no event kind here.


# --- date accuracy table -----------------------------------------------------------------------

def _anchor(iso: str | None, precision: str = "day") -> Instant | None:
    return None if iso is None else Instant(datetime.fromisoformat(iso).replace(
        tzinfo=timezone.utc), precision)


# (sentence, anchor = the last date a reader has seen, [(expression, expected, known gap)])
ACCURACY_CASES = [
    ("It was originally scheduled for launch on 21 March 2024, but due to a voltage drop in one "
     "of the power generators, the launch was aborted.", None,
     [("21 March 2024", "2024-03-21", False)]),
    ("The second launch attempt on 23 March 2024 was successful.", None,
     [("23 March 2024", "2024-03-23", False)]),
    ("At the end of Expedition 71, Caldwell-Dyson returned to Earth on Soyuz MS-25 with Roscosmos "
     "cosmonauts Oleg Kononenko and Nikolai Chub on 23 September 2024.", None,
     [("23 September 2024", "2024-09-23", False)]),
    ("They arrived with NASA astronaut Loral O'Hara on Soyuz MS-24 on 15 September 2023.", None,
     [("15 September 2023", "2023-09-15", False)]),
    ("As the mission lasted 374 days, Kononenko spent a total of 1,111 days in space by the time "
     "he returned to Earth.", None, []),
    ("He broke the world record of 878 days in space held by Gennady Padalka on February 4, 2024 "
     "at 07:30:08 UTC.", None,
     [("February 4, 2024 at 07:30:08 UTC", "2024-02-04T07:30:08Z", False)]),
    ("He later became the first person to stay 900, 1,000, and 1,100 days in space on 25 "
     "February 2024, 4 June 2024, and 12 September 2024 respectively.", None,
     [("25 February 2024", "2024-02-25", False), ("4 June 2024", "2024-06-04", False),
      ("12 September 2024", "2024-09-12", False)]),
    ("Soyuz MS-25, Russian production No. 756 and identified by NASA as Soyuz 71S, was a Russian "
     "crewed Soyuz spaceflight from Baikonur Cosmodrome to the International Space Station.",
     None, []),
    ("Americans Neil Armstrong and Buzz Aldrin landed on July 20, 1969, at 20:18 UTC.", None,
     [("July 20, 1969, at 20:18 UTC", "1969-07-20T20:18Z", False)]),
    ("Armstrong became the first to step onto the lunar surface six hours later on July 21 at "
     "02:56 UTC; Aldrin joined him about 20 minutes later.", "1969-07-20T20:18",
     [("July 21 at 02:56 UTC", "1969-07-21T02:56Z", False)]),
    ("Launched by a Saturn V rocket from Kennedy Space Center in Merritt Island, Florida, on July "
     "16, Apollo 11 was the fifth manned mission of NASA's Apollo program.", "1969-07-21",
     [("July 16", "1969-07-16", False)]),
    ("After lifting off in the upper part of the Lunar Module and rejoining Collins in the Command "
     "Module, they returned to Earth and landed in the Pacific Ocean on July 24.", "1969-07-21",
     [("July 24", "1969-07-24", False)]),
    ("A Saturn V launched Apollo 11 from Launch Pad 39A, part of the Launch Complex 39 site at the "
     "Kennedy Space Center on July 16, 1969 at 13:32:00 UTC (9:32:00 a.m. EDT local time).", None,
     [("July 16, 1969 at 13:32:00 UTC", "1969-07-16T13:32:00Z", False)]),
    ("It entered Earth orbit, at an altitude of 185.9 km by 183.2 km, twelve minutes later.",
     "1969-07-16T13:32:00", [("twelve minutes later", "1969-07-16T13:44Z", True)]),
    ("After one and a half orbits, the S-IVB third-stage engine pushed the spacecraft onto its "
     "trajectory toward the Moon with the trans-lunar injection (TLI) burn at 16:22:13 UTC.",
     "1969-07-16T13:32:00", [("16:22:13 UTC", "1969-07-16T16:22:13Z", True)]),
    ("On July 19 at 17:21:50 UTC, Apollo 11 passed behind the Moon and fired its service "
     "propulsion engine to enter lunar orbit.", "1969-07-16T13:32:00",
     [("July 19 at 17:21:50 UTC", "1969-07-19T17:21:50Z", False)]),
    ("On July 20, 1969, the Lunar Module Eagle separated from the Command Module Columbia.", None,
     [("July 20, 1969", "1969-07-20", False)]),
    ("Armstrong took semi-automatic control and, with Aldrin calling out altitude and velocity "
     "data, landed at 20:17:40 UTC on Sunday July 20 with about 25 seconds of fuel left.",
     "1969-07-20", [("20:17:40 UTC on Sunday July 20", "1969-07-20T20:17:40Z", False)]),
    ("At 02:39 UTC on Monday July 21, 1969, Armstrong opened the hatch, and at 02:51 UTC began his "
     "descent to the lunar surface.", "1969-07-20T20:17:40",
     [("02:39 UTC on Monday July 21, 1969", "1969-07-21T02:39Z", False),
      ("02:51 UTC", "1969-07-21T02:51Z", True)]),
    ("Two and a half hours later, at 17:54 UTC, they lifted off in Eagle's ascent stage to rejoin "
     "Collins aboard Columbia in lunar orbit.", "1969-07-21T02:56",
     [("17:54 UTC", "1969-07-21T17:54Z", True)]),
    ("After rendezvous with Columbia, Eagle's ascent stage was jettisoned into lunar orbit on July "
     "21, 1969, at 23:41 UTC.", None, [("July 21, 1969, at 23:41 UTC", "1969-07-21T23:41Z", False)]),
    ("On July 24, the astronauts returned home aboard the Command Module Columbia just before dawn "
     "local time (16:51 UTC), in the Pacific Ocean.", "1969-07-23",
     [("July 24", "1969-07-24", False), ("16:51 UTC", "1969-07-24T16:51Z", False)]),
    ("On July 13, three days before Apollo 11's launch, they launched Luna 15, which reached lunar "
     "orbit before Apollo 11.", "1969-09-16", [("July 13", "1969-07-13", False)]),
    ("In early 1969, Anders accepted a job with the National Space Council effective August 1969 "
     "and announced that he would retire as an astronaut on that date.", None,
     [("early 1969", "1969", False), ("August 1969", "1969-08", False)]),
    ("Apollo 8, the second human spaceflight mission in the United States Apollo space program, "
     "was launched on December 21, 1968, and became the first manned spacecraft to leave Earth "
     "orbit, reach the Earth's Moon, orbit it and return safely to Earth.", None,
     [("December 21, 1968", "1968-12-21", False)]),
    ("Apollo 8 launched at 7:51:00 a.m. Eastern Standard Time on December 21, 1968, using the "
     "Saturn V's three stages to achieve Earth orbit.", None,
     [("7:51:00 a.m. Eastern Standard Time on December 21, 1968", "1968-12-21T12:51:00Z", False)]),
    ("The Apollo 8 astronauts returned to Earth on December 27, 1968, when their spacecraft "
     "splashed down in the Northern Pacific Ocean.", None, [("December 27, 1968", "1968-12-27", False)]),
    ("The spacecraft began its journey back to Earth on December 25, Christmas Day.", "1968-12-24",
     [("December 25", "1968-12-25", False)]),
    ("It orbited ten times over the course of 20 hours, during which the crew made a Christmas Eve "
     "television broadcast.", "1968-12-21", [("Christmas Eve", "1968-12-24", True)]),
    ("The next day, at about 124 hours into the mission, the sixth and final TV transmission "
     "showed the mission's best video images of the earth.", "1968-12-25",
     [("The next day", "1968-12-26", False)]),
    ("Testing continued all through December until the day before launch, including various "
     "levels of readiness testing from December 5 through 11.", "1968-10-09",
     [("December 5", "1968-12-05", False), ("11", "1968-12-11", True)]),
    ("No public announcement was made about the change in mission until November 12, three weeks "
     "after Apollo 7's successful Earth-orbit mission and less than 40 days before launch.",
     "1968-09-09", [("November 12", "1968-11-12", False)]),
    ("Added pressure on the Apollo program was provided by the Soviet Union's flight of some "
     "living creatures in a cislunar loop around the Moon on Zond 5 and return to Earth on "
     "September 21.", "1968-09-09", [("September 21", "1968-09-21", False)]),
    ("The crew witnessed Earthrise for the first time (NASA's Lunar Orbiter 1 took the very first "
     "picture of an Earthrise, on August 23, 1966).", "1968-12-24",
     [("August 23, 1966", "1966-08-23", False)]),
]
# Found + known gaps = all: every gap in the table is a kind of expression the module skips on
# purpose (a bare time, "N minutes later", a holiday, a range end) because its day is not
# written. So recall must stay at least (cases - known gaps) / cases; a new miss fails below.
RECALL_FLOOR = 0.80


def test_date_accuracy_table():
    rows, found, baseline, false_positives = [], 0, 0, []
    total = sum(len(expected) for _, _, expected in ACCURACY_CASES)
    gaps = sum(gap for _, _, expected in ACCURACY_CASES for *_, gap in expected)
    unexpected_misses = []
    for sentence, anchor, expected in ACCURACY_CASES:
        spans = find_dates(sentence, _anchor(anchor))
        got = {(s.start, s.end): format_instant(Instant(s.utc, s.precision)) for s in spans}
        plain = {format_instant(i) for _, _, i in find_instants(sentence)}
        baseline += sum(value in plain for _, value, _ in expected)
        matched = set()
        for expression, value, gap in expected:
            at = sentence.find(expression)
            assert at >= 0, expression
            hit = [k for k, v in got.items() if v == value and k[0] < at + len(expression)
                   and at < k[1]]
            near = [v for k, v in got.items() if k[0] < at + len(expression) and at < k[1]]
            matched.update(hit or [k for k in got if k[0] < at + len(expression) and at < k[1]])
            status = "found" if hit else ("coarse " + near[0]) if near else "missed"
            found += bool(hit)
            if not hit and not gap:
                unexpected_misses.append(expression)
            rows.append((status, expression, value, "known gap" if gap and not hit else ""))
        false_positives += [(sentence[s:e], v) for (s, e), v in got.items() if (s, e) not in matched]
    recall = found / total
    width = max(len(r[1]) for r in rows)
    print(f"\n{'status':<20} {'expression':<{width}} {'expected':<22} note")
    for status, expression, value, note in rows:
        print(f"{status:<20} {expression:<{width}} {value:<22} {note}")
    print(f"recall {found}/{total} = {recall:.2f} ({gaps} known gaps); find_instants alone, "
          f"without years from context: {baseline}/{total}; "
          f"false positives: {false_positives or 'none'}")
    assert unexpected_misses == []
    assert false_positives == []
    assert recall >= RECALL_FLOOR
    assert RECALL_FLOOR <= (total - gaps) / total


# --- robustness --------------------------------------------------------------------------------

_WORDS = ["launched", "landed", "on", "23 March 2024", "July 20", "the next day", "two days later",
          "Soyuz MS-24", "MS-25", "Apollo 11's", "before", "scrubbed", "due to", "record", "He",
          "broke the world record", "at 07:59 UTC", "No.", "U.S.", ".", ",", ";", "\n", "\n\n",
          "returned to Earth", "docked", "spacewalk", "first person to", "Sunday", "1969", "(",
          "respectively", "and", "the night before the launch", "Eastern Standard Time"]
_text = st.one_of(st.text(max_size=200),
                  st.lists(st.sampled_from(_WORDS) | st.text(max_size=8), max_size=40)
                  .map(" ".join))
_sections = st.lists(st.builds(Section, heading=st.one_of(st.text(max_size=20),
                                                          st.sampled_from(["", "Flight", "Legacy"])),
                               level=st.integers(-1, 7), text=_text), max_size=4)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sections=_sections, title=st.one_of(st.text(max_size=20), st.sampled_from(
    ["Soyuz MS-25", "Apollo 11", "0", "", "(", "MS-"])),
       aliases=st.lists(st.text(max_size=10), max_size=3),
       others=st.lists(st.text(max_size=10), max_size=3))
@pytest.mark.slow
def test_extract_events_never_raises(sections, title, aliases, others):
    events = extract_events(sections, title, aliases=aliases, other_missions=others)
    assert events == extract_events(sections, title, aliases=aliases, other_missions=others)
    for event in events:
        assert event.utc.tzinfo is not None and event.evidence
        assert event.outcome in (None, "success", "scrubbed", "failure")
    for section in sections:
        split_sentences(section.text)
        find_dates(section.text, Instant(utc(2024, 3, 23), "day"))


def test_odd_inputs_give_no_events():
    assert extract_events([], "Soyuz MS-25") == []
    assert extract_events(None, None) == []
    assert extract_events([Section(None, None, None)], "x") == []
    assert split_sentences(None) == []
    assert find_dates("", None) == []


def test_robustness_corpus_never_raises(shared_corpus):
    from pipeline.extract.wikitext import extract_wikitext
    folder = shared_corpus / "wikitext" / "robustness"
    for path in sorted(folder.glob("*"))[:40]:
        text = path.read_text(encoding="utf-8", errors="replace")
        page = extract_wikitext(RawInput(source=path.name, fmt="wikitext", content=text,
                                         source_format="wikitext", title=path.stem))
        extract_events(page.sections, path.stem.split("__")[-1].replace("_", " "))


def test_an_overlong_alias_is_not_made_into_a_pattern():
    """A spacecraft value of 900 KB (a hostile page) was compiled into a pattern of its own size
    (10 s a page); a mission's name is a few words, so such a value is no alias."""
    from pipeline.extract.mentions import Missions as _Missions
    long_name = "Ab " * 100_000
    missions = _Missions("Soyuz MS-25", [long_name, "ISS 71S"], ["Ab " * 50_000])
    assert all(len(p.pattern) < 2_000 for p in missions.patterns)
    assert any("71s" in p.pattern for p in missions.patterns)  # the short alias stays


def test_caseless_spellings_outside_lower_do_not_raise():
    """re.IGNORECASE matches the long s and the dotless i, which str.lower() keeps: a month
    ("\u017fep") or a long zone name ("Moscow t\u0131me") spelled so is read or left, never a KeyError."""
    from pipeline.extract.sentences import find_dates
    assert find_dates("It launched on \u017fep 16, 1969.") == find_dates("It launched on Sep 16, 1969.")
    assert find_dates("Launch at 10:00 Moscow t\u0131me on 16 July 1969.")[0].utc.day == 16


# One phrase per alternative of each trigger (in _TRIGGERS' order), then caseless variants of
# them in odd text: a trigger's words must be in every sentence its pattern matches.
_TRIGGER_PHRASES = [
    "was launched", "lifted off|took off|blasted off|lifting off", "lift-off|liftoff",
    "launch attempt|launches", "second attempt", "undocking", "separated from the CSM",
    "docked|berthed", "docking|berthing", "arrived at the ISS",
    "landed|crash-landed|touched down|splashed down", "returned safely home", "return to Earth",
    "splashdown|touchdown|landing", "entered lunarorbit|reached a low Earth orbit|went into orbit"
    "|achieved a stable parking orbit|inserted into Mars orbit|placed into orbit|enters orbit",
    "lunar orbit insertion| orbital insertion", "spacewalk|moon walks|EVAs|extravehicular activity",
    "stepped onto the lunar surface|set her left foot on the Moon", "broke the altitude record",
    "became the first woman"]


def _caseless_variant(text: str, data) -> str:
    swaps = {"s": "\u017f", "k": "\u212a", "i": "\u0131", "I": "\u0130"}
    out = []
    for ch in text:
        choice = data.draw(st.integers(0, 2))
        out.append(ch.swapcase() if choice == 1 else swaps.get(ch, ch) if choice == 2 else ch)
    return "".join(out)


def test_trigger_phrases_match_their_patterns():
    assert len(_TRIGGER_PHRASES) == len(prose_module._TRIGGERS)
    for phrases, (kind, pattern, _, _) in zip(_TRIGGER_PHRASES, prose_module._TRIGGERS):
        for phrase in phrases.split("|"):
            assert pattern.search(f"It {phrase} then."), (kind, phrase)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.text(max_size=20), st.text(max_size=20))
def test_a_trigger_is_tried_whenever_its_pattern_can_match(data, before, after):
    for phrases, words, (kind, pattern, _, _) in zip(_TRIGGER_PHRASES, prose_module._TRIGGER_WORDS,
                                                      prose_module._TRIGGERS):
        for phrase in phrases.split("|"):
            text = f"{before} {_caseless_variant(phrase, data)} {after}"
            if pattern.search(text):
                assert any(word in fold(text) for word in words), (kind, text)


_RELATIVE_PHRASES = ["the following night", "the next day", "later that evening", "the same morning",
                     "the preceding afternoon", "two weeks later", "3 days afterward", "an day earlier",
                     "hours before the launch", "the night prior to the scheduled flight",
                     "minutes after lift-off", "morning before docking"]


@settings(max_examples=300, deadline=None)
@given(st.data(), st.text(max_size=20), st.text(max_size=20))
def test_relative_phrases_are_read_only_where_their_words_are(data, before, after):
    matched = 0
    for phrase in _RELATIVE_PHRASES:
        text = f"{before} {_caseless_variant(phrase, data)} {after}"
        folded = fold(text)
        if sentences_module._RELATIVE.search(text):
            matched += 1
            assert any(word in folded for word in sentences_module._RELATIVE_WORDS), text
        if sentences_module.EVENT_RELATIVE.search(text):
            matched += 1
            assert sentences_module.event_relative(text), text
        else:
            assert not sentences_module.event_relative(text), text
    assert matched >= len(_RELATIVE_PHRASES)


@settings(max_examples=300, deadline=None)
@given(st.data(), st.text(max_size=20), st.text(max_size=20))
def test_a_trigger_led_by_its_first_letters_finds_what_the_plain_pattern_finds(data, before, after):
    every = " ".join(_TRIGGER_PHRASES).replace("|", " ")
    for phrases, letters, (kind, pattern, _, _) in zip(_TRIGGER_PHRASES, prose_module._TRIGGER_STARTS,
                                                       prose_module._TRIGGERS, strict=True):
        lead = prose_module._led(letters)
        assert pattern.pattern.startswith(lead)
        plain = re.compile(pattern.pattern[len(lead):], re.I)
        for phrase in phrases.split("|"):
            for text in (f"{before}{_caseless_variant(phrase, data)}{after}",
                         f"{before} {_caseless_variant(phrase, data)} {after} {every}"):
                assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in plain.finditer(text)], \
                    (kind, text)
