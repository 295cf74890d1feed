"""Rendered articles as real renderers write them, end to end (format detection -> extract ->
transform -> reconcile). Fixtures: tests/data/rendered/ (sources in tests/data/README.md),
expected crew legs in tests/data/rendered/expected.json, scored by bench/rendered_eval.py.
"""
from pathlib import Path

from bench.rendered_eval import evaluate
from pipeline.run import process
from pipeline.sources.files import read_file

DATA = Path(__file__).resolve().parent / "data" / "rendered"


def _run(name: str):
    return process(read_file(DATA / name, DATA, 10_000_000))


def _read_facts(result, param):
    return [f["value"] for f in result.bundle.facts if f["field"] == f"read.{param}"]


def test_every_crew_leg_of_the_fixtures_is_right():
    score = evaluate(DATA)
    wrong = [(p.file, p.missing, p.extra) for p in score.pages if p.missing or p.extra]
    assert wrong == []
    assert score.figure == 1.0 and score.right == 53


def test_joined_crew_is_one_row_per_person_and_facts_say_how():
    result = _run("joined_crew_caption.txt")
    assert [(c["leg"], c["seat"], c["person"]) for c in result.bundle.crew if c["leg"] == "launch"] == [
        ("launch", 1, "Sergey Ryzhikov"), ("launch", 2, "Alexey Zubritsky"), ("launch", 3, "Jonny Kim")]
    assert result.bundle.row["crew_launch_count"] == 3
    (note,) = _read_facts(result, "crew_members")
    assert "surnames in the crew photo caption" in note


def test_each_leg_list_is_split_on_its_own():
    result = _run("joined_crew_legs.txt")
    legs = {(c["leg"], c["person_key"]) for c in result.bundle.crew}
    assert ("landing", "Sunita Williams") in legs and ("launch", "Sunita Williams") not in legs
    assert result.bundle.row["crew_landing_count"] == 4


def test_link_target_is_the_key_and_the_label_the_display():
    result = _run("link_target_and_label.txt")
    people = {(c["person"], c["person_key"]) for c in result.bundle.crew}
    assert people == {("Matthew Dominick", "Matthew Dominick"),
                      ("Michael Barratt", "Michael Barratt (astronaut)"),
                      ("Nicole Mann", "Nicole Aunapu Mann")}
    assert "link target and label both rendered" in _read_facts(result, "crew_members")[0]


def test_joined_names_list_and_historical_reference():
    result = _run("joined_names_list.txt")
    row = result.bundle.row
    assert row["names_list"] == ["Crew Demo-2", "SpaceX Demo-2", "Demonstration Mission-2"]
    assert _read_facts(result, "names_list")
    # "since STS-4 in 1982" is not this mission's launch: the prose launch is 30 May 2020
    assert row["launch_utc"].year == 2020 and row["launch_source"] == "prose"
    assert {e["utc"].year for e in result.bundle.events if e["event"] == "launch"} == {2020}


def test_bullet_lists_inside_sections_are_prose():
    result = _run("bullets_in_prose.txt")
    assert result.bundle.row["apogee_km"] == 475.0          # the infobox line, not "- Apogee: 500 km"
    assert result.bundle.row.get("perigee_km") is None
    assert {p["param"] for p in result.params} >= {"orbit_apoapsis"}
    assert "apogee" not in {p["param"] for p in result.params}
    # a page whose only "- Key:" lines stand below its prose has no infobox at all
    bare = _run("bullets_without_infobox.txt")
    assert bare.input_row["outcome"] == "no_mission" and bare.params == []


def test_suffix_after_a_comma_stays_with_its_name():
    # "Bernard Harris, Jr." in a comma-joined crew line (the shared corpus's STS-63 crew)
    from pipeline.extract.text import extract_text
    from pipeline.records import RawInput
    content = ("= STS-63 =\n\nSTS-63\n- Mission Type: Mir rendezvous\n"
               "- Crew Members: James Wetherbee, Eileen Collins, Bernard Harris, Jr., Michael Foale\n\n"
               "STS-63 flew to Mir.\n")
    value = extract_text(RawInput(source="x.txt", fmt="text", content=content,
                                  source_format="text")).infoboxes[0].params["crew_members"]
    assert value.items == ["James Wetherbee", "Eileen Collins", "Bernard Harris Jr.", "Michael Foale"]
