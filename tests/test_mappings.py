"""The declarative mappings: well-formed against the schema, matched as MediaWiki matches
template names, and a second infobox type (rocket) through the same code path."""
from pathlib import Path

import pytest

from pipeline.core.mappings import guess_mapping, load_mappings, mapping_for, normalise_template
from pipeline.records import RawInput
from pipeline.run import process
from pipeline.schema import TABLES

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("mapping", load_mappings(), ids=lambda m: m.table)
def test_mapping_columns_exist_in_their_table(mapping):
    names = set(TABLES[mapping.table].names)
    assert mapping.key in names
    for col in mapping.columns:
        assert col.name in names, f"{mapping.table}.{col.name} is not in schema.py"


def test_at_least_two_infobox_types_are_mapped():
    assert {m.table for m in load_mappings()} >= {"missions", "rockets"}


@pytest.mark.parametrize("written", [
    "Infobox spaceflight", "infobox spaceflight", "Infobox_spaceflight", "  Infobox spaceflight \n",
    "Template:Infobox spaceflight", "Infobox space mission", "infobox  space_mission"])
def test_template_names_match_like_mediawiki(written):
    assert mapping_for(written).table == "missions"


def test_only_the_first_letter_is_case_insensitive():
    assert normalise_template("infobox Spaceflight") == "Infobox Spaceflight"
    assert mapping_for("Infobox rocket").table == "rockets"
    assert mapping_for("Infobox person") is None


def test_rendered_text_is_matched_by_its_labels():
    assert guess_mapping({"launch_date", "launch_site", "orbit_regime", "operator"}).table == "missions"
    assert guess_mapping({"birth_date", "occupation"}) is None


def test_rocket_page_fills_the_rockets_table_and_no_mission():
    content = (DATA / "rocket_constructed.wikitext").read_text()
    r = process(RawInput(source="Saturn_V.wikitext", fmt="wikitext", content=content, source_format="wikitext"))
    assert r.input_row["outcome"] == "no_mission" and "rockets" in r.input_row["reason"]
    (b,) = r.others
    row = b.row
    assert b.table == "rockets" and row["rocket_id"] == "saturn-v"
    assert row["height_m"] == pytest.approx(363.0 * 0.3048)
    assert row["mass_kg"] == pytest.approx(6540000 * 0.45359237, rel=1e-6)
    assert (row["stages"], row["total_launches"], row["successes"], row["partial_failures"]) == (3, 13, 12, 1)
    assert row["first_flight_utc"].isoformat() == "1967-11-09T00:00:00+00:00"
    assert row["first_flight_precision"] == "day"
    assert row["manufacturer"] == "Boeing (S-IC)"


def test_unknown_templates_are_counted_per_parameter_never_dropped():
    text = (Path(__file__).resolve().parents[1] / "raw" / "Apollo_8.wikitext").read_text()
    text = text.replace("| operator              = [[NASA]]", "| operator              = {{Some new template|NASA}}")
    r = process(RawInput(source="a8.wikitext", fmt="wikitext", content=text, source_format="wikitext"))
    unknown = [i for i in r.bundle.issues if i.code == "unknown_template"]
    assert [(i.field, i.mission_id) for i in unknown] == [("operator", "apollo-8")]
    assert "Some new template" in unknown[0].message
    assert r.bundle.row["unknown_templates"] == ["Some new template"]


def test_modern_markup_habits():
    content = (DATA / "modern_markup.wikitext").read_text()
    b = process(RawInput(source="m.wikitext", fmt="wikitext", content=content, source_format="wikitext")).bundle
    m = b.row
    assert m["launch_utc"].isoformat() == "2024-03-23T12:36:07+00:00" and m["launch_precision"] == "second"
    assert m["landing_utc"].isoformat() == "2024-09-23T07:31:41+00:00"
    assert m["duration_s"] == int((m["landing_utc"] - m["launch_utc"]).total_seconds())
    assert m["landing_site"] == "Kazakh Steppe, Kazakhstan"
    assert (m["landing_lat"], m["landing_lon"]) == (pytest.approx(47.35), pytest.approx(69 + 34 / 60))
    assert m["perigee_km"] == 418 and m["apogee_km"] == pytest.approx(261 * 1.609344)
    assert m["crew_callsign"] == "Kazbek" and m["launch_mass_kg"] == 7080
    crew = [(c["leg"], c["person_key"], c["nationality"]) for c in b.crew]
    # seats in box order: crew_members ("Members", shown first), then crew_launching
    assert crew[:3] == [("launch", "Tracy Caldwell Dyson", "USA"), ("launch", "Oleg Novitsky", "RUS"),
                        ("launch", "Maryna Vasileuskaya", "BLR")]
    docks = [(e["event"], e["utc"].isoformat(), e["detail"]) for e in b.events if e["source"] == "infobox"
             and e["event"] in ("docking", "undocking")]
    assert docks == [("docking", "2024-03-25T15:03:00+00:00", "Rassvet nadir"),
                     ("undocking", "2024-09-23T04:04:00+00:00", "Rassvet nadir")]


def test_less_common_spaceflight_parameters_are_typed():
    text = (Path(__file__).resolve().parents[1] / "raw" / "Apollo_8.wikitext").read_text()
    extra = ("| distance_travelled = {{convert|1000000|mi|km}}\n| crew_EVAs = 2\n"
             "| crew_EVA_duration = 2 hours, 31 minutes\n| decay_date = {{end date|1969|1|3}}\n"
             "| orbit_RAAN = 12.5°\n| payload_mass = 500 kg\n| disposal_type = Recovered\n")
    text = text.replace("| crew_size             = 3\n", "| crew_size             = 3\n" + extra)
    m = process(RawInput(source="a8.wikitext", fmt="wikitext", content=text, source_format="wikitext")).bundle.row
    assert m["distance_travelled_km"] == pytest.approx(1609344, rel=1e-6)
    assert (m["crew_evas"], m["crew_eva_duration_s"]) == (2, 2 * 3600 + 31 * 60)
    assert m["decay_utc"].isoformat() == "1969-01-03T00:00:00+00:00"
    assert (m["raan_deg"], m["payload_mass_kg"], m["disposal_type"]) == (12.5, 500, "Recovered")


def _fixture(name):
    content = (DATA / name).read_text()
    return process(RawInput(source=name, fmt="wikitext", content=content, source_format="wikitext")).bundle


def test_old_infobox_space_mission_names():
    b = _fixture("old_infobox_space_mission.wikitext")
    m = b.row
    assert m["title"] == "Soyuz TMA-1" and m["mission_id"] == "soyuz-tma-1"
    assert m["launch_utc"].isoformat() == "2002-10-30T03:11:11+00:00"
    assert m["landing_utc"].isoformat() == "2003-05-04T02:04:25+00:00"
    assert b.crew == []            # "Landing" is a date here, never a crew member
    assert (m["orbits_completed"], m["inclination_deg"], m["launch_site"]) == (2950, 51.6, "Baikonur LC-1")


def test_a_planned_duration_is_not_the_mission_duration():
    m = _fixture("uncrewed_planned_duration.wikitext").row
    elapsed = (m["decay_utc"] - m["launch_utc"]).total_seconds()
    assert m["duration_s"] < 4 * 365.25 * 86400 and abs(m["duration_s"] - elapsed) < 40 * 86400
    assert (m["spacecraft_type"], m["orbit_regime"], m["period_min"]) == ("Eurostar-3000", "Geostationary orbit", 1436.1)


def test_shuttle_habits_roles_after_names_and_orbiter_template():
    b = _fixture("shuttle_roles.wikitext")
    m = b.row
    assert m["spacecraft"] == "Space Shuttle Discovery" and m["unknown_templates"] == []
    assert m["launch_utc"].isoformat() == "2005-07-26T14:39:00+00:00"
    assert m["duration_s"] == int((m["landing_utc"] - m["launch_utc"]).total_seconds())
    crew = [(c["person"], c["person_key"], c["role"]) for c in b.crew if c["leg"] == "launch"]
    assert crew[:3] == [("Eileen Collins", "Eileen Collins", "Commander"),
                        ("James M. Kelly", "James Kelly (astronaut)", "Pilot"),
                        ("Soichi Noguchi", "Soichi Noguchi", None)]
    assert len(crew) == m["crew_size"] == 7
    assert [(e["event"], e["detail"]) for e in b.events if e["event"] == "docking"] == [("docking", "ISS, PMA-2")]
