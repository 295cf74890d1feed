"""Planned is not actual, crew as listed, lists as lists: the mapper on infoboxes built from
real snippets of the current corpus (corpus/wikitext/current/<file>, cited per test; only the
parameters under test are kept, refs dropped). The revision time is given, so "after the
revision" does not depend on the day the tests run."""
from __future__ import annotations

from datetime import datetime, timezone

from pipeline.records import RawInput
from pipeline.run import process
from pipeline.schema import TABLES

REV = datetime(2026, 11, 1, tzinfo=timezone.utc)


def box(*lines: str, rev: datetime = REV, prose: str = "'''X''' is a spaceflight.") -> object:
    text = "{{Infobox spaceflight\n" + "\n".join(lines) + "\n}}\n" + prose + "\n"
    raw = RawInput(source="x.wikitext", fmt="wikitext", content=text, source_format="api",
                   title="Test mission", rev_timestamp=rev)
    b = process(raw).bundle
    b.row = {c: b.row.get(c) for c in TABLES["missions"].names}   # absent = null, as in the table
    return b


def legs(b) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for c in sorted(b.crew, key=lambda c: (c["leg"], c["seat"])):
        out.setdefault(c["leg"], []).append(c["person"])
    return out


def test_planned_launch_is_not_a_launch():
    # Artemis_III.wikitext
    b = box("| mission_type = Crewed demonstration flight",
            "| mission_duration = ≈2 weeks (''planned'')",
            "| crew_members = {{Unbulleted list | [[Randy Bresnik]] | [[Luca Parmitano]] }}",
            "| launch_date = NET June 2027 (''planned'')")
    m = b.row
    assert m["launch_utc"] is None and m["launch_source"] is None
    assert (m["launch_planned_utc"].isoformat(), m["launch_planned_precision"]) == ("2027-06-01T00:00:00+00:00", "month")
    assert m["status"] == "planned" and "NET June 2027" in m["status_evidence"]
    assert m["duration_s"] is None and m["duration_planned_s"] == 14 * 86_400
    assert b.crew == [] and m["crew_assigned"] == ["Randy Bresnik", "Luca Parmitano"]
    assert not [e for e in b.events if e["event"] == "launch"]
    assert any(f["field"] == "launch_utc.planned" for f in b.facts)


def test_cancelled_mission_never_launched():
    # Mercury-Atlas_10.wikitext
    b = box("| mission_duration = 3&nbsp;days (planned)", "| crew_members = [[Alan Shepard]]",
            "| launch_date = 1963 (cancelled)")
    assert (b.row["status"], b.row["launch_utc"]) == ("cancelled", None)
    assert b.row["status_evidence"] == "launch_date: 1963 (cancelled)"
    assert b.row["duration_planned_s"] == 3 * 86_400 and b.crew == []


def test_programme_says_cancelled():
    # STS-61-E.wikitext: a planned launch and "Cancelled Shuttle missions"
    b = box("| launch_date = 6 March 1986, 10:45 [[Coordinated Universal Time|UTC]] (planned)",
            "| landing_date = 15 March 1986, 08:47 UTC (planned)",
            "| programme2 = Cancelled Shuttle missions")
    m = b.row
    assert m["status"] == "cancelled" and m["landing_utc"] is None
    assert m["landing_planned_utc"].isoformat() == "1986-03-15T08:47:00+00:00"


def test_destroyed_in_flight():
    # STS-51-L.wikitext
    b = box("| mission_duration = 6 days and 34 minutes (planned)<br />1 minute and 13 seconds (achieved)",
            "| orbits_completed = Failed to achieve orbit (96 planned)",
            "| crew_members = {{Unbulleted list|[[Dick Scobee|Francis R. \"Dick\" Scobee]]|[[Michael J. Smith]]}}",
            "| launch_date = January 28, 1986, 16:38:00&nbsp;[[UTC]] (11:38&nbsp;am&nbsp;[[Eastern Standard Time|EST]])",
            "| destroyed = [[Space Shuttle Challenger disaster|January 28, 1986, 16:39:13&nbsp;UTC]]",
            "| landing_date = February 3, 1986, 17:12:00&nbsp;UTC (12:12&nbsp;pm EST) (planned)")
    m = b.row
    assert m["status"] == "failed" and m["launch_utc"].isoformat() == "1986-01-28T16:38:00+00:00"
    assert m["landing_utc"] is None and m["landing_planned_utc"].isoformat() == "1986-02-03T17:12:00+00:00"
    assert (m["duration_s"], m["duration_planned_s"]) == (73, 6 * 86_400 + 34 * 60)
    assert legs(b) == {"launch": ['Francis R. "Dick" Scobee', "Michael J. Smith"]}


def test_in_progress_mission_has_no_landing_leg_and_no_planned_undocking():
    # Shenzhou_23.wikitext (main box and its /Dock box)
    b = box("| mission_duration = ''(in progress)''<br>180 days (''planned'')",
            "| crew_members = [[Zhu Yangzhu]]<br>[[Zhang Zhiyuan (astronaut)|Zhang Zhiyuan]]<br>[[Lai Ka-ying]]",
            "| launch_date = 24 May 2026, 15:08:36&nbsp;[[UTC]] (23:08:36&nbsp;[[China Standard Time|CST]])",
            "| landing_date = November 2026 (''planned'')",
            "| docking = {{Infobox spaceflight/Dock",
            "  | docking_target = [[Tiangong space station|''Tiangong'']]",
            "  | docking_date = 24 May 2026, 18:45&nbsp;UTC",
            "  | undocking_date = November 2026 (''planned'')",
            "}}")
    m = b.row
    assert m["status"] == "in_progress" and m["landing_utc"] is None
    assert m["duration_s"] is None and m["duration_planned_s"] == 180 * 86_400
    assert list(legs(b)) == ["launch"] and m["crew_launch_count"] == 3 and m["crew_landing_count"] is None
    assert sorted(e["event"] for e in b.events if e["source"] == "infobox") == ["docking", "launch"]
    assert any(f["field"] == "event.undocking.planned" for f in b.facts)


def test_a_date_after_the_revision_is_planned():
    # SpaceX_Crew-12.wikitext landing_date, read as of a revision before it
    b = box("| launch_date = 13 February 2026, 10:15:55 [[Coordinated Universal Time|UTC]]",
            "| landing_date = 8 October 2026, 15:34:26 UTC (08:34:26 am [[Pacific Time Zone|PDT]])",
            rev=datetime(2026, 6, 1, tzinfo=timezone.utc))
    m = b.row
    assert m["landing_utc"] is None and m["landing_planned_utc"].isoformat() == "2026-10-08T15:34:26+00:00"
    assert m["status"] == "in_progress" and "after 2026-06-01" in m["status_evidence"]
    assert m["duration_s"] is None
    # the same page as of a later revision: a fact
    later = box("| launch_date = 13 February 2026, 10:15:55 [[Coordinated Universal Time|UTC]]",
                "| landing_date = 8 October 2026, 15:34:26 UTC (08:34:26 am [[Pacific Time Zone|PDT]])")
    assert later.row["status"] == "completed" and later.row["duration_source"] == "derived"
    assert (later.row["duration_precision"], later.row["duration_tolerance_s"]) == ("second", 1)


def test_placeholders_are_not_people():
    # Boeing_Crew_Flight_Test.wikitext
    b = box("| launch_date = 5{{nbsp}}June 2024, 14:52:15{{nbsp}}[[UTC]]",
            "| landing_date = 7{{nbsp}}September 2024, 04:01:35{{nbsp}}[[UTC]]",
            "| crew_launching = {{Unbulleted list|[[Barry E. Wilmore]]|[[Sunita Williams]]}}",
            "| crew_landing = None")
    assert legs(b) == {"launch": ["Barry E. Wilmore", "Sunita Williams"]}
    # Shenzhou_22.wikitext: a count where the names go, and None
    b = box("| crew_members = 0 up, 3 down", "| crew_launching = None",
            "| crew_landing = {{Unbulleted list|[[Zhang Lu (taikonaut)|Zhang Lu]]|[[Wu Fei (taikonaut)|Wu Fei]]}}",
            "| launch_date = 25 November 2025, 04:11:45{{nbsp}}[[UTC]]",
            "| landing_date = 29 May 2026, 12:11&nbsp;UTC")
    assert legs(b) == {"landing": ["Zhang Lu", "Wu Fei"]}
    assert [c["person_key"] for c in b.crew] == ["Zhang Lu (taikonaut)", "Wu Fei (taikonaut)"]
    # Shenzhou_22's derived duration: launch to the second, landing to the minute
    assert (b.row["duration_source"], b.row["duration_precision"], b.row["duration_tolerance_s"]) == \
        ("derived", "minute", 60)
    # Vast-1.wikitext: TBA seats are not people
    b = box("| crew_members = {{Unbulleted list  | TBA   | TBA   | [[Arnaud Prost]]  | TBA }}",
            "| launch_date = 14 May 2026, 10:00 UTC")
    assert legs(b) == {"launch": ["Arnaud Prost"], "landing": ["Arnaud Prost"]}


def test_footnotes_and_marks_in_crew_lists():
    # Mir&nbsp;EO-3.wikitext and Mir_EO-24.wikitext
    b = box("| crew_members = [[Vladimir Titov (cosmonaut)|Vladimir Titov]]<br/>[[Musa Manarov]]<br/>"
            "[[Valeri Polyakov]]*<br/><small>* - Transferred to EO-4</small>",
            "| launch_date = 21 December 1987, 11:18 UTC")
    assert legs(b)["launch"] == ["Vladimir Titov", "Musa Manarov", "Valeri Polyakov"]
    b = box("| crew_members = [[Anatoly Solovyev]]<br/>[[David Wolf (astronaut)|David Wolf]] (September-January)"
            "<br/>[[Andy Thomas]]† (January-February)<br/><small>* - transferred from [[Mir EO-23|EO-23]]"
            "<br/>† - transferred to [[Mir EO-25|EO-25]]</small>",
            "| launch_date = 5 August 1997, 15:35 UTC")
    assert legs(b)["launch"] == ["Anatoly Solovyev", "David Wolf", "Andy Thomas"]
    assert "Mir EO-25" not in {c["person_key"] for c in b.crew}


def test_group_labels_are_kept_beside_the_person():
    # Vostok_4.wikitext
    b = box("| crew_members = {{Unbulleted list|Vostok 3: [[Andriyan Nikolayev]] | Vostok 4: [[Pavel Popovich]]}}",
            "| launch_date = 12 August 1962, 08:02 UTC")
    assert [(c["person"], c["group"]) for c in b.crew if c["leg"] == "launch"] == \
        [("Andriyan Nikolayev", "Vostok 3"), ("Pavel Popovich", "Vostok 4")]


def test_seats_in_box_order():
    # SpaceX_Crew-9.wikitext: members first, then the crew who only landed
    b = box("| crew_members = {{Unbulleted list|[[Nick Hague]]|[[Aleksandr Gorbunov]]}}",
            "| crew_launching = <!-- There are no crew who only launched. -->",
            "| crew_landing = {{Unbulleted list|[[Barry E. Wilmore]]|[[Sunita Williams]]}}",
            "| launch_date = September 28, 2024, 17:17:21{{nbsp}}[[UTC]]",
            "| landing_date = March 18, 2025, 21:57:07{{nbsp}}[[UTC]]")
    assert legs(b) == {"launch": ["Nick Hague", "Aleksandr Gorbunov"],
                       "landing": ["Nick Hague", "Aleksandr Gorbunov", "Barry E. Wilmore", "Sunita Williams"]}


def test_lists_keep_every_item():
    # Gemini_8.wikitext mission_type; Apollo_13.wikitext components; Axiom_Mission_1.wikitext operator
    b = box("| mission_type = {{Unbulleted list | [[Space rendezvous]] | [[Docking and berthing of spacecraft|"
            "Spacecraft docking]] | [[Extravehicular activity]] (failed)}}",
            "| operator = {{hlist|[[Axiom Space]]|[[SpaceX]]}}",
            "| spacecraft = {{Unbulleted list|[[Apollo command and service module|Apollo CSM]]-109 |"
            "[[Apollo Lunar Module|Apollo LM]]-7}}",
            "| cospar_id = {{Unbulleted list|CSM: 1970-029A|LM: 1970-029C}}",
            "| satcat = {{Unbulleted list   |CSM: 4900   |LM: 4905 }}",
            "| manufacturer = {{Unbulleted list|CSM: [[North American Rockwell]]|LM: [[Grumman]]}}",
            "| crew_callsign = {{Unbulleted list  |CSM: ''Odyssey''  |LM: ''Aquarius''}}",
            "| launch_date = April 11, 1970, 19:13:00 UTC")
    m = b.row
    assert m["mission_type"] == "Space rendezvous"          # the contract column: the first item
    assert m["mission_types"] == ["Space rendezvous", "Spacecraft docking", "Extravehicular activity (failed)"]
    assert (m["operator"], m["operators"]) == ("Axiom Space", ["Axiom Space", "SpaceX"])
    assert m["spacecraft_list"] == ["Apollo CSM-109", "Apollo LM-7"]
    assert (m["cospar_id"], m["cospar_ids"]) == ("1970-029A", ["1970-029A", "1970-029C"])
    assert m["satcats"] == [4900, 4905]
    assert m["manufacturers"] == ["North American Rockwell", "Grumman"]
    assert m["crew_callsigns"] == ["Odyssey", "Aquarius"]
    # Salyut_6_EO-1.wikitext: a callsign and its gloss are one callsign, not two
    b = box("| crew_callsign = {{lang|ru|Таймыр}} {{lang|ru-Latn|Taymyr}},<br/>[[Taymyr Peninsula]]",
            "| launch_date = 10 December 1977, 01:18:40 UTC")
    assert len(b.row["crew_callsigns"]) == 1


def test_organisations_get_one_name():
    # Soyuz_1.wikitext and Soyuz_7K-ST_No.16L.wikitext write OKB-1 two ways
    a = box("| operator = [[OKB|Experimental Design Bureau]] (OKB-1)", "| launch_date = 23 April 1967")
    b = box("| operator = [[Energia (corporation)|OKB-1]]", "| launch_date = 26 September 1983")
    assert a.row["operators"] == b.row["operators"] == ["OKB-1"]
    assert a.row["operator"] == "Experimental Design Bureau (OKB-1)"   # the raw text stays


def test_component_labels_are_kept_as_facts():
    # Apollo_13.wikitext cospar_id
    b = box("| cospar_id = {{Unbulleted list|CSM: 1970-029A|LM: 1970-029C}}",
            "| launch_date = April 11, 1970, 19:13:00 UTC")
    facts = {f["field"]: f["value"] for f in b.facts if f["field"].startswith("cospar_id[")}
    assert facts == {"cospar_id[CSM]": "1970-029A", "cospar_id[LM]": "1970-029C"}


def test_expedition_status_from_its_start_and_end():
    # Mir&nbsp;EO-3.wikitext: an expedition box has start_date/end_date, no launch or landing
    b = box("| start_date = 21 December 1987", "| end_date = 21 December 1988, 02:32:54 UTC")
    assert (b.row["status"], b.row["status_evidence"]) == ("completed", "end_date: 21 December 1988, 02:32:54 UTC")
    b = box("| start_date = 21 December 1987", "| end_date = December 2027 (planned)")
    assert b.row["status"] == "in_progress"


def test_planned_values_of_other_columns_are_not_facts():
    # STS-51-L.wikitext: the planned landing site and orbit of a flight destroyed on ascent
    b = box("| launch_date = January 28, 1986, 16:38:00&nbsp;[[UTC]]",
            "| landing_site = Kennedy, [[Shuttle Landing Facility|SLF&nbsp;Runway&nbsp;33]] (planned)",
            "| orbit_reference = [[Geocentric orbit]] (planned)",
            "| orbits_completed = Failed to achieve orbit (96 planned)",
            "| orbit_regime = [[Low Earth orbit]]")
    m = b.row
    assert (m["landing_site"], m["orbit_reference"], m["orbits_completed"]) == (None, None, None)
    assert m["orbit_regime"] == "Low Earth orbit" and m["status"] == "failed"
    planned = {f["field"] for f in b.facts if f["field"].endswith(".planned")}
    assert planned == {"landing_site.planned", "orbit_reference.planned", "orbits_completed.planned"}
    assert not [i for i in b.issues if i.code == "unparsed"]


def test_prose_after_the_revision_is_not_an_event():
    # the infobox gives no launch; the prose names a date after the revision (own sentence,
    # the date of SpaceX_Crew-13.wikitext's launch)
    prose = "'''X''' is a spaceflight. The spacecraft launched on 1 October 2026 at 15:10 UTC."
    b = box("| mission_type = Crewed flight", "| crew_members = [[Jessica Watkins]]", prose=prose,
            rev=datetime(2026, 6, 1, tzinfo=timezone.utc))
    assert b.row["launch_utc"] is None
    assert not [e for e in b.events if e["utc"] is not None and e["utc"] > datetime(2026, 6, 1, tzinfo=timezone.utc)]
    later = box("| mission_type = Crewed flight", "| crew_members = [[Jessica Watkins]]", prose=prose)
    assert later.row["launch_utc"] is not None and later.row["launch_source"] == "prose"


def test_a_cancelled_next_mission_is_still_the_next_mission():
    # Apollo_17.wikitext: "| next_mission = Apollo 18 ([[Canceled Apollo missions|canceled]])"
    b = box("| next_mission = Apollo 18 ([[Canceled Apollo missions|canceled]])",
            "| launch_date = December 7, 1972, 05:33:00 UTC")
    assert b.row["next_mission"] == "Apollo 18 (canceled)" and b.row["status"] == "launched"


def test_a_launch_to_be_announced_is_planned_not_unparsed():
    # Axiom_Mission_5.wikitext writes TBA for its crew; a launch "TBA" reads the same way
    b = box("| launch_date = TBA", "| crew_members = {{Unbulleted list | TBA | TBA }}")
    assert b.row["status"] == "planned" and b.row["launch_planned_utc"] is None
    assert not [i for i in b.issues if i.code == "unparsed"] and b.crew == []


def test_one_person_key_across_pages():
    # Axiom_Mission_4.wikitext links [[Peggy Whitson]]; older pages link [[Peggy A. Whitson]]
    from pipeline.transform.people import unify_person_keys
    rows = {"crew": [
        {"mission_id": "axiom-mission-4", "person": "Peggy Whitson", "person_key": "Peggy Whitson"},
        {"mission_id": "sts-111", "person": "Peggy A. Whitson", "person_key": "Peggy A. Whitson"},
        {"mission_id": "soyuz-ms-03", "person": "Peggy Whitson", "person_key": "Peggy Whitson"},
        {"mission_id": "sts-125", "person": "Gregory C. Johnson", "person_key": "Gregory C. Johnson"},
        {"mission_id": "sts-123", "person": "Gregory H. Johnson", "person_key": "Gregory H. Johnson"}],
        "events": [{"mission_id": "sts-111", "event": "eva", "person_key": "Peggy A. Whitson"}]}
    assert unify_person_keys(rows) == {"Peggy A. Whitson": "Peggy Whitson"}
    assert {c["person_key"] for c in rows["crew"]} == {"Peggy Whitson", "Gregory C. Johnson", "Gregory H. Johnson"}
    assert rows["events"][0]["person_key"] == "Peggy Whitson"


def test_planned_fields_name_the_columns_kept_out():
    # SpaceX_Crew-13.wikitext: launched, landing planned, duration still running
    b = box("| launch_date = 1 October 2026 15:10:06 [[Coordinated Universal Time|UTC]]",
            "| landing_date = NET March 2027 (planned)",
            "| landing_site = [[Pacific Ocean]] (''planned'')",
            "| mission_duration = {{time interval|1 October 2026 15:10:06||show=dhm}} ''(in progress)''",
            rev=datetime(2026, 11, 1, tzinfo=timezone.utc))
    m = b.row
    assert m["planned_fields"] == ["duration_s", "landing_site", "landing_utc"]
    assert (m["status"], m["duration_s"], m["landing_site"]) == ("in_progress", None, None)
    assert not [i for i in b.issues if i.code == "unparsed"]
