"""The two-column table form of rendered articles (pipeline.extract.text_table, read by
pipeline.extract.text). Fixtures: tests/data/rendered/table_*.txt (sources in tests/data/README.md).
"""
from datetime import datetime, timezone
from pathlib import Path

from pipeline.extract.text import extract_text
from pipeline.extract.text_table import cells, looks_tabular
from pipeline.records import RawInput
from pipeline.run import process
from pipeline.sources.files import detect_format, read_file

DATA = Path(__file__).resolve().parents[1] / "data" / "rendered"


def _run(name: str):
    return process(read_file(DATA / name, DATA, 10_000_000))


def _page(content: str):
    return extract_text(RawInput(source="t.txt", fmt="text", content=content, source_format="text"))


def test_table_renderings_are_recognised_not_quarantined():
    for name in ("table_no_bars.txt", "table_leading_bars.txt", "table_colon_labels.txt",
                 "table_multiline.txt"):
        content = (DATA / name).read_text(encoding="utf-8")
        assert detect_format(content) == "text", name
        assert _run(name).input_row["outcome"] == "curated", name


def test_wikitext_tables_and_prose_with_bars_are_not_tables():
    wikitext = ("{{Infobox spaceflight\n| launch_date = 1 May 2020\n| operator = NASA\n}}\n"
                "{| class=wikitable\n|-\n| Launch date || 1 May 2020\n|-\n| Rocket || Soyuz\n|}\n")
    assert not looks_tabular(wikitext)
    assert detect_format(wikitext) == "wikitext"
    assert not looks_tabular("A | B | C\nsome prose | with bars |\n")


def test_no_bars_typed_like_the_seed():
    # https://kiwix.aage21.com/content/wikipedia_en_all_maxi_2023-11_(1)/A/Shenzhou_17
    result = _run("table_no_bars.txt")
    row = result.bundle.row
    assert row["launch_utc"] == datetime(2023, 10, 26, 3, 14, 2, tzinfo=timezone.utc)  # [2] dropped
    assert row["launch_precision"] == "second" and row["launch_source"] == "infobox"
    assert row["landing_utc"] == datetime(2024, 4, 30, 9, 46, tzinfo=timezone.utc)
    assert row["satcat"] == 58146                                   # image stub dropped
    assert row["operator"] == "China Manned Space Agency"
    crew = [(c["leg"], c["person_key"]) for c in result.bundle.crew]
    assert crew[:3] == [("launch", "Tang Hongbo"), ("launch", "Tang Shengjie"), ("launch", "Jiang Xinlin")]


def test_docking_section_is_a_dock_box_and_later_tables_are_not_read():
    result = _run("table_no_bars.txt")
    docking = [e for e in result.bundle.events if e["event"] == "docking"]
    assert len(docking) == 1
    assert docking[0]["utc"] == datetime(2023, 10, 26, 9, 46, tzinfo=timezone.utc)
    assert docking[0]["detail"] == "Tiangong space station, Tianhe forward"
    params = {(p["infobox"], p["param"]) for p in result.params}
    assert (0, "commander") not in params and (0, "position") not in params  # the crew table below


def test_plain_headings_and_prose_after_the_table():
    page = _page((DATA / "table_no_bars.txt").read_text(encoding="utf-8"))
    assert [s.heading for s in page.sections][:2] == ["", "Background"]
    assert page.sections[0].text.startswith("Shenzhou 17 was a Chinese spaceflight")
    assert all("|" not in s.text for s in page.sections)


def test_leading_bars_caption_row_and_crew_section():
    # https://kiwix.prodb.cz/content/wikipedia_en_all_mini_2025-06/Soyuz_MS-23
    result = _run("table_leading_bars.txt")
    row = result.bundle.row
    assert row["launch_utc"] == datetime(2023, 2, 24, 0, 24, tzinfo=timezone.utc)
    assert row["names_list"] == ["ISS 69S"]
    assert row.get("launch_mass_kg") is None      # "Mass" under "Cargo" is not the launch mass
    # "Landing" inside the Crew section is the landing crew, not the landing date
    assert [(c["leg"], c["person"]) for c in result.bundle.crew] == [
        ("landing", "Sergey Prokopyev"), ("landing", "Dmitry Petelin"), ("landing", "Francisco Rubio")]
    notes = [f["value"] for f in result.bundle.facts if f["field"] == "read.crew_landing"]
    assert notes and "crew photo caption" in notes[0]   # the caption row is evidence


def test_colon_labels_and_extra_empty_cells():
    # http://cryer.org.uk/Axiom-3 and
    # https://wikipedia2007.classicistranieri.com/en/v/o/s/Vostok_6.html
    row = _run("table_colon_labels.txt").bundle.row
    assert row["names_list"] == ["Ax-3"]
    assert row["launch_utc"] == datetime(2024, 1, 18, 21, 49, tzinfo=timezone.utc)
    assert row["inclination_deg"] == 51.66
    assert row["landing_site"] == "Atlantic Ocean"


def test_values_over_several_lines():
    # the cell continues below its label (https://kids.kiddle.co/SpaceX_Crew-5 "Members |" / "|")
    result = _run("table_multiline.txt")
    row = result.bundle.row
    assert row["launch_utc"] == datetime(1963, 6, 16, 9, 29, 52, tzinfo=timezone.utc)
    assert row["inclination_deg"] == 64.9
    assert row["orbit_reference"] == "Geocentric"
    assert {c["person"] for c in result.bundle.crew} == {"Valentina Tereshkova"}
    page = _page("Mission type |\nCrewed |\nMembers |\n|\nLaunch date | 1 May 2020 |\nRocket | X |\n")
    assert page.infoboxes[0].params["members"].text == ""


def test_cells_and_linear_time(assert_linear):
    assert cells("| Launch date | 24 February 2023, 00:24 UTC |") == ["Launch date", "24 February 2023, 00:24 UTC"]
    assert cells("SATCAT no. | 58146![]() |") == ["SATCAT no.", "58146"]

    def read(big: str) -> None:
        looks_tabular(big)
        _page(big)
    assert_linear(read, lambda k: "Launch date | 1 May 2020 |\n" + "| " * k + "\n" + "x |\n" * (k // 5),
                  100_000)
