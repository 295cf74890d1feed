"""Infobox vs prose: gap filling, the infobox winning, disagreements, roles, one key per person."""
from datetime import datetime, timezone
from pathlib import Path

from pipeline.records import RawInput
from pipeline.run import process
from pipeline.sources.files import read_file

RAW = Path(__file__).resolve().parents[1] / "raw"
UTC = timezone.utc


def _seed():
    return process(read_file(RAW / "Soyuz_MS-25.txt", RAW, 10**8)).bundle


def _wikitext(name, edit=None):
    text = (RAW / name).read_text(encoding="utf-8")
    if edit:
        text = text.replace(*edit)
    return process(RawInput(source=name, fmt="wikitext", content=text, source_format="wikitext")).bundle


def test_seed_gaps_are_filled_from_prose_at_day_precision_and_the_gap_stays_visible():
    m = _seed().row
    assert (m["launch_utc"], m["launch_precision"], m["launch_source"]) == \
        (datetime(2024, 3, 23, tzinfo=UTC), "day", "prose")
    assert (m["landing_utc"], m["landing_precision"], m["landing_source"]) == \
        (datetime(2024, 9, 23, tzinfo=UTC), "day", "prose")
    assert m["duration_s"] == 184 * 86400 and m["duration_source"] == "derived"
    assert {"launch_date", "landing_date"} <= set(m["lost_fields"])
    # 2944 orbits in 184 days is ~16 a day: consistent with low Earth orbit
    assert 15 < m["orbits_completed"] / 184 < 16.5


def test_seed_traps_do_not_become_ms25_launch_or_landing():
    events = _seed().events
    launch_like = {(e["event"], e["utc"].date().isoformat()) for e in events
                   if e["event"] in ("launch", "landing", "launch_attempt")}
    assert launch_like == {("launch_attempt", "2024-03-21"), ("launch", "2024-03-23"),
                           ("landing", "2024-09-23")}
    assert all(e["utc"].date().isoformat() != "2023-09-15" for e in events)


def test_the_infobox_wins_and_a_disagreement_is_reported():
    b = _wikitext("Apollo_8.wikitext", ("{{start-date|December 21, 1968, 12:51:00|timezone=yes}}",
                                        "{{start-date|December 25, 1968, 12:51:00|timezone=yes}}"))
    m = b.row
    assert m["launch_utc"] == datetime(1968, 12, 25, 12, 51, tzinfo=UTC) and m["launch_source"] == "infobox"
    assert len(m["prose_conflicts"]) == 1 and "1968-12-21" in m["prose_conflicts"][0]
    assert any(i.code == "infobox_prose_disagree" for i in b.issues)


def test_agreement_within_precision_is_not_a_conflict():
    assert _wikitext("Apollo_8.wikitext").row["prose_conflicts"] == []
    assert _wikitext("Apollo_11.wikitext").row["prose_conflicts"] == []


def test_roles_stated_in_prose_fill_crew_roles():
    roles = {c["person_key"]: c["role"] for c in _wikitext("Apollo_8.wikitext").crew}
    assert roles == {"Frank Borman": "Commander", "Jim Lovell": "Command Module Pilot",
                     "William Anders": "Lunar Module Pilot"}
    seed = {(c["leg"], c["person"]): c["role"] for c in _seed().crew}
    assert seed[("launch", "Oleg Novitsky")] == "Commander"


def test_one_person_key_across_spellings():
    persons = _seed().persons
    key = persons.resolve("Tracy Caldwell Dyson")
    assert key == "Tracy Caldwell Dyson"
    assert persons.resolve("Caldwell-Dyson") == key and persons.resolve("Dyson") == key


def test_crew_table_gives_roles():
    roles = [(c["leg"], c["person_key"], c["role"]) for c in _wikitext("Apollo_11.wikitext").crew]
    assert roles[:3] == [("launch", "Neil Armstrong", "Commander"),
                         ("launch", "Michael Collins (astronaut)", "Command Module Pilot"),
                         ("launch", "Buzz Aldrin", "Lunar Module Pilot")]


def test_crew_table_is_the_crew_when_the_infobox_lists_none():
    b = _wikitext("Apollo_8.wikitext", (
        "| crew_members          = [[Frank Borman|Frank F. Borman, II]]<br/>[[Jim Lovell|James A. Lovell, Jr.]]"
        "<br/>[[William Anders|William A. Anders]]", ""))
    crew = [(c["leg"], c["seat"], c["person_key"], c["role"]) for c in b.crew]
    assert crew[:3] == [("launch", 1, "Frank Borman", "Commander"), ("launch", 2, "Jim Lovell", "Command Module Pilot"),
                        ("launch", 3, "William Anders", "Lunar Module Pilot")]
    assert [c[2] for c in crew if c[0] == "landing"] == ["Frank Borman", "Jim Lovell", "William Anders"]
    assert b.row["crew_launch_count"] == 3


def test_bare_utc_times_in_prose_take_the_day_of_their_sentence_or_paragraph():
    content = (Path(__file__).parent / "data" / "rendered_prose_times.txt").read_text(encoding="utf-8")
    b = process(RawInput(source="p.txt", fmt="text", content=content, source_format="text")).bundle
    m = b.row
    assert (m["launch_utc"], m["launch_precision"], m["launch_source"]) == \
        (datetime(2023, 9, 15, 15, 44, 36, tzinfo=UTC), "second", "prose")
    assert (m["landing_utc"], m["landing_precision"], m["landing_source"]) == \
        (datetime(2024, 4, 6, 7, 17, tzinfo=UTC), "minute", "prose")
    events = {(e["event"], e["utc"]) for e in b.events}
    assert ("docking", datetime(2023, 9, 15, 18, 53, tzinfo=UTC)) in events
    assert ("undocking", datetime(2024, 4, 6, 3, 54, tzinfo=UTC)) in events
    # "Soyuz MS-25 launched the following March" is another mission's launch
    assert all(e["utc"].year < 2025 and not (e["event"] == "launch" and e["utc"].month == 3) for e in b.events)


def test_scrubs_postponements_and_a_failed_launch_in_prose():
    content = (Path(__file__).parent / "data" / "rendered_launch_failure.txt").read_text(encoding="utf-8")
    b = process(RawInput(source="f.txt", fmt="text", content=content, source_format="text")).bundle
    got = [(e["event"], e["utc"].date().isoformat(), e["outcome"], e["detail"]) for e in b.events]
    assert got == [("launch_attempt", "2022-06-03", "scrubbed", "high winds"),
                   ("launch_attempt", "2022-06-05", "scrubbed", "sensor fault"),
                   ("launch", "2022-06-08", "failure", "but the second stage failed")]
    m = b.row
    assert (m["launch_utc"], m["launch_precision"], m["launch_source"]) == \
        (datetime(2022, 6, 8, 21, 4, tzinfo=UTC), "minute", "prose")


def test_roles_the_infobox_gave_are_kept_and_the_prose_is_not_read_for_them():
    # The prose scan fills only rows without a role: with every role given it is skipped, and
    # the general path (forced by leaving one row empty) changes no other row.
    from dataclasses import replace

    from pipeline.extract import extract_page
    from pipeline.transform import reconcile as R
    from pipeline.transform.mapper import map_page
    text = (RAW / "Apollo_8.wikitext").read_text(encoding="utf-8")
    page = extract_page(RawInput(source="Apollo_8.wikitext", fmt="wikitext", content=text,
                                 source_format="wikitext"))
    base = map_page(page, page.title or "Apollo 8")
    given = [dict(c, role=c["role"] or "Given") for c in base.crew]
    full = replace(base, crew=[dict(c) for c in given])
    R._roles_from_prose(full, page)
    assert full.crew == given
    for n in range(len(given)):
        one = replace(base, crew=[dict(c, role=None) if i == n else dict(c) for i, c in enumerate(given)])
        R._roles_from_prose(one, page)
        assert [c for i, c in enumerate(one.crew) if i != n] == [c for i, c in enumerate(given) if i != n]
        assert one.crew[n]["role"] is not None   # Apollo 8's prose names each position
