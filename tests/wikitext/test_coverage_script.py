"""bench/coverage.py: typed share of filled key parameters and unknown templates, on a folder."""
from bench import coverage

# A small infobox in the shape of the current corpus (Apollo_13.wikitext's landing_date habit),
# with one template the table does not know and one value that has no number.
BOX = """{{Infobox spaceflight
| name = Test mission
| launch_date = {{start date text|April 11, 1970, 19:13:00|timezone=yes}}&nbsp;UTC
| landing_date = {{end date text|April 17, 1970, 18:07:41|timezone=yes}}&nbsp;UTC
| spacecraft = {{Some new vehicle template|X-1}}
| launch_mass = (Classified)
| orbit_periapsis = {{convert|100|km|mi}}
}}
"""


def test_coverage_counts_filled_and_typed_parameters(tmp_path, capsys):
    (tmp_path / "Test_mission.wikitext").write_text(BOX, encoding="utf-8")
    figures = coverage.measure(tmp_path)
    cols = figures["columns"]
    assert (figures["pages"], figures["missions"]) == (1, 1)
    assert (cols["launch_utc"]["filled"], cols["launch_utc"]["typed"]) == (1, 1)
    assert (cols["landing_utc"]["filled"], cols["landing_utc"]["typed"]) == (1, 1)
    assert (cols["perigee_km"]["filled"], cols["perigee_km"]["typed"]) == (1, 1)
    assert (cols["spacecraft"]["filled"], cols["spacecraft"]["typed"]) == (1, 0)
    assert (cols["launch_mass_kg"]["filled"], cols["launch_mass_kg"]["typed"]) == (1, 0)
    assert cols["operator"]["filled"] == 0
    assert figures["total"] == {"filled": 5, "typed": 3, "share": 60.0}
    assert figures["unknown_templates_mapped"] == {"Some new vehicle template": 1}
    assert figures["unknown_templates_all"] == {"Some new vehicle template": 1}
    assert coverage.main([str(tmp_path), "--fail-under", "99.5"]) == 1
    out = capsys.readouterr().out
    assert "all key columns" in out and "Some new vehicle template 1" in out
    assert "Test_mission.wikitext | (Classified)" in out


def test_every_column_adds_the_other_mapped_columns_outside_the_total(tmp_path, capsys):
    box = BOX.replace("| name = Test mission", "| name = Test mission\n| crew_size = Two")
    (tmp_path / "Test_mission.wikitext").write_text(box, encoding="utf-8")
    figures = coverage.measure(tmp_path, every_column=True)
    assert figures["total"]["filled"] == 5
    assert figures["columns"]["crew_size"] == {
        "filled": 1, "typed": 0, "share": 0.0, "key": False,
        "untyped": [("Test_mission.wikitext", "Two", "Two")]}
    assert coverage.main([str(tmp_path), "--all"]) == 0
    assert "other mapped columns (not in the total):" in capsys.readouterr().out


def test_a_missing_folder_is_a_usage_error(tmp_path, capsys):
    assert coverage.main([str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err
