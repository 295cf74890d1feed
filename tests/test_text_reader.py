"""The rendered-text reader on the seed article and on odd renderings."""
from pipeline.extract.text import extract_text, looks_rendered, param_name
from pipeline.records import RawInput


def _page(content, source="x.txt"):
    return extract_text(RawInput(source=source, fmt="text", content=content, source_format="text"))


def test_labels_become_parameter_names():
    assert param_name("Launch Date") == "launch_date"
    assert param_name("Crew Launching") == "crew_launching"
    assert param_name("COSPAR ID") == "cospar_id"
    assert param_name("  Orbit  Inclination ") == "orbit_inclination"


def test_seed_infobox_and_sections(raw_dir):
    content = (raw_dir / "Soyuz_MS-25.txt").read_text(encoding="utf-8")
    page = _page(content, "Soyuz_MS-25.txt")
    assert page.title == "Soyuz MS-25"
    (box,) = page.infoboxes
    p = box.params
    assert p["names_list"].text == "ISS 71S"
    assert p["orbits_completed"].text == "2,944"
    assert p["landing_site"].text == "Kazakh Steppe, Kazakhstan"
    for lost in ("launch_date", "landing_date", "docking", "insignia", "crew_photo"):
        assert p[lost].lost, lost
        assert p[lost].text == ""
    assert not p["apsis"].lost and p["apsis"].text == "gee"
    assert not p["crew_callsign"].lost
    headings = [s.heading for s in page.sections]
    assert headings == ["", "Crew", "Flight", "Undocking and Return"]
    assert page.sections[0].text.startswith("Soyuz MS-25, Russian production No. 756")
    assert "Soyuz MS-25\n" not in page.sections[0].text  # the caption line is not prose
    assert "voltage drop" in page.sections[2].text


def test_format_detection_by_content():
    assert looks_rendered("= T =\n- Launch Date: 1 May 2020\n- Operator: NASA\n")
    assert not looks_rendered("{{Infobox spaceflight\n| launch_date = x\n| operator = y\n}}")
    assert not looks_rendered("Just one paragraph.\n- Note: a list item\n")


def test_page_without_infobox_lines_has_no_infobox():
    page = _page("= Plain =\n\nSome prose.\n\n== History ==\nMore prose.\n")
    assert page.infoboxes == []
    assert [s.heading for s in page.sections] == ["", "History"]


def test_thousands_of_key_lines_stay_linear():
    content = "= Big =\n" + "".join(f"- Key {i}: value {i}\n" for i in range(20000)) + "\nProse.\n"
    page = _page(content)
    assert len(page.infoboxes[0].params) == 20000
    assert page.sections[0].text == "Prose."


def test_display_labels_of_other_renderers_map_to_the_same_columns():
    from pathlib import Path
    from pipeline.run import process
    data = Path(__file__).parent / "data"
    content = (data / "rendered_display_labels.txt").read_text(encoding="utf-8")
    r = process(RawInput(source="ms24.txt", fmt="text", content=content, source_format="text"))
    m = r.bundle.row
    assert (m["perigee_km"], m["apogee_km"], m["period_min"], m["inclination_deg"]) == (418, 422, 92.68, 51.66)
    assert m["orbit_reference"] == "Geocentric orbit" and m["orbit_regime"] == "Low Earth orbit"
    assert (m["launch_precision"], m["launch_source"]) == ("second", "infobox")
    assert m["launch_utc"].isoformat() == "2023-09-15T15:44:36+00:00"
    assert m["cospar_id"] == "2023-143A" and m["satcat"] == 57880 and m["crew_size"] == 3
    assert m["launch_mass_kg"] == 7080
    assert m["duration_s"] == 204 * 86400 + 15 * 3600 + 32 * 60 and m["duration_source"] == "infobox"
    assert [c["person"] for c in r.bundle.crew if c["leg"] == "launch"] == \
        ["Oleg Kononenko", "Nikolai Chub", "Loral O'Hara"]
    docking = [e for e in r.bundle.events if e["event"] == "docking"]
    assert [(e["utc"].isoformat(), e["source"]) for e in docking] == [("2023-09-15T18:53:00+00:00", "prose")]


def test_variant_rendering_caption_title_footnotes_nested_lists():
    from pathlib import Path
    from pipeline.run import process
    content = (Path(__file__).parent / "data" / "rendered_variant.txt").read_text(encoding="utf-8")
    r = process(RawInput(source="variant.txt", fmt="text", content=content, source_format="text"))
    m = r.bundle.row
    assert (m["title"], m["mission_id"]) == ("Soyuz MS-22", "soyuz-ms-22")
    assert m["operator"] == "Roscosmos" and m["cospar_id"] == "2022-121A"
    assert m["landing_utc"].isoformat() == "2023-03-28T11:45:45+00:00"
    assert m["crew_size"] == 3 and m["crew_launch_count"] == 3
    assert [c["person"] for c in r.bundle.crew if c["leg"] == "launch"] == \
        ["Sergey Prokopyev", "Dmitry Petelin", "Francisco Rubio"]
    page = extract_text(RawInput(source="variant.txt", fmt="text", content=content, source_format="text"))
    assert "[4]" not in page.sections[0].text and "Soyuz MS-22\n" not in page.sections[0].text


def test_rendered_coordinates_become_lat_lon_and_leave_the_place_name():
    from pipeline.extract.text import split_coords
    assert split_coords("Kazakh Steppe, Kazakhstan (47°21′N 69°34′E / 47.350°N 69.567°E)") == \
        ("Kazakh Steppe, Kazakhstan", (47.35, 69.566667))
    assert split_coords("North Pacific Ocean 13°19′N 169°9′W") == ("North Pacific Ocean", (13.316667, -169.15))
    assert split_coords("Pad 39A (28°36′30″N 80°36′15″W)") == ("Pad 39A", (28.608333, -80.604167))
    assert split_coords("Baikonur, Site 31/6") == ("Baikonur, Site 31/6", None)
    assert split_coords("51.66°") == ("51.66°", None)
    assert split_coords("99°N 10°E")[1] is None       # out of range: left alone
    content = "= X-1 =\n- Launch Date: 1 May 2020\n- Operator: NASA\n- Landing Site: Steppe (47°21′N 69°34′E)\n"
    box = extract_text(RawInput(source="x.txt", fmt="text", content=content, source_format="text")).infoboxes[0]
    assert (box.params["landing_site"].text, box.params["landing_site"].coords) == ("Steppe", (47.35, 69.566667))
