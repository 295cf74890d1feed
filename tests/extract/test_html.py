"""MediaWiki's HTML of a page -> Page: Module:Infobox rows, nested boxes split by their headers,
hidden date stamps, the geo microformat, link targets, Parsoid's data-mw; bad HTML read safely."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import extract_page
from pipeline.extract.html import MAX_ROWS, extract_html, looks_html
from pipeline.extract.html_cells import link_target, read_cell
from pipeline.records import RawInput
from pipeline.sources.files import detect_format
from pipeline.transform.mapper import map_page

DATA = Path(__file__).resolve().parents[1] / "data" / "html"


def page_of(content: str, source: str = "page.html"):
    return extract_html(RawInput(source=source, fmt="html", content=content, source_format="html"))


@pytest.fixture(scope="module")
def apollo():
    return page_of((DATA / "Apollo_11.html").read_text(encoding="utf-8"), "Apollo_11.html")


@pytest.fixture(scope="module")
def soyuz():
    return page_of((DATA / "Soyuz_MS-25.parsoid.html").read_text(encoding="utf-8"), "api/Soyuz_MS-25.html")


def test_saved_page_title_and_ids_come_from_the_page(apollo):
    assert apollo.title == "Apollo 11"
    assert (apollo.page_id, apollo.rev_id) == (662, 716123666)   # RLCONF, read as text, never run


def test_rows_become_the_template_parameters_they_show(apollo):
    main = apollo.infoboxes[0]
    assert main.template == "Infobox spaceflight" and main.parent is None
    p = main.params
    assert p["launch_rocket"].text == "Saturn V SA-506"              # label "Rocket"
    assert p["cospar_id"].items == ["CSM: 1969-059A", "LM: 1969-059C"]   # <br> ends an item
    assert p["crew_members"].links[2] == ('Edwin E. "Buzz" Aldrin, Jr.', "Buzz Aldrin")
    assert p["orbit_periapsis"].text == "100.9 kilometers (54.5 nmi)"   # "Periselene altitude"
    assert p["orbit_period"].text == "2 hours"                       # not taken for a periapsis
    assert p["operator"].text == "NASA"                              # the [1] mark is not text
    assert p["operator"].citations[0].url == "http://history.nasa.gov/SP-4029/SP-4029.htm"
    assert (p["programme"].text, p["previous_mission"].text, p["next_mission"].text) == (
        "Apollo program", "Apollo 10", "Apollo 12")                  # the "← | →" footer


def test_the_crew_table_is_read_as_its_template(apollo):
    crew = apollo.infoboxes[-1]
    assert (crew.template, crew.parent) == ("Spaceflight crew", None)
    assert crew.params["position2"].text == "Command Module Pilot"
    assert crew.params["crew2_up"].text == "Michael Collins"            # not its "Second spaceflight"
    assert crew.params["crew2_up"].links == [("Michael Collins", "Michael Collins (astronaut)")]


def test_child_box_rows_do_not_overwrite_the_main_box(apollo):
    main, orbiter, lander, dock1, dock2, _crew = apollo.infoboxes
    assert main.params["landing_date"].text == "July 24, 1969, 16:50:35 UTC"
    assert main.params["landing_site"].text == "North Pacific Ocean"
    assert (lander.template, lander.parent) == ("Infobox spaceflight/IP", 0)
    assert lander.params["arrival_date"].text == "July 20, 1969, 20:18:04 UTC"   # its "Landing date"
    assert (lander.params["object"].text, lander.params["type"].text) == ("Lunar", "lander")
    assert orbiter.params["arrival_date"].text == "July 19, 1969, 17:21:50 UTC"  # "Orbital insertion"
    assert [dock1.params["docking_target"].text, dock2.params["docking_target"].text] == ["LM", "LM Ascent Stage"]
    assert dock1.params["docking_type"].text == "dock"


def test_hidden_stamps_and_coordinates(apollo):
    p = apollo.infoboxes[0].params
    assert p["launch_date"].text == "July 16, 1969, 13:32:00 UTC"   # the hidden span is not text
    assert p["launch_date"].instants == ["1969-07-16T13:32:00Z"]
    assert p["landing_date"].instants == ["1969-07-24T16:50:35Z"]    # .dtend
    assert p["landing_site"].coords == (13.316667, -169.15)          # DMS given: exact, not 13.317
    assert apollo.infoboxes[2].params["location"].coords == (0.67408, 23.47297)  # decimal given


def test_prose_sections_leave_out_tables_and_references(apollo):
    lead = apollo.sections[0]
    assert lead.heading == "" and lead.text.startswith("Apollo 11 was the first spaceflight")
    assert [s.heading for s in apollo.sections] == ["", "Framework", "Crew", "References"]
    assert all("Commander" not in s.text and "Orloff" not in s.text for s in apollo.sections)


def test_parsoid_data_mw_gives_template_and_raw_wikitext(soyuz):
    main = soyuz.infoboxes[0]
    assert main.template == "Infobox spaceflight"
    assert main.params["launch_rocket"].raw == "[[Soyuz-2.1a]] No. 15000-066"      # data-mw wikitext
    assert main.params["orbit_inclination"].raw.startswith("<td")                  # not in data-mw: HTML
    assert main.params["crew_launching"].links == [("Russia", "flag:Russia"), ("Oleg Novitsky", "Oleg Novitsky"),
                                                   ("Belarus", "flag:Belarus"),
                                                   ("Maryna Vasileuskaya", "Maryna Vasileuskaya")]
    assert (soyuz.page_id, soyuz.rev_id) == (74000001, 1250000001)
    dock = soyuz.infoboxes[1]
    assert dock.params["docking_target"].text == "ISS" and dock.params["docking_port"].text == "Prichal nadir"


def test_a_malformed_stamp_is_read_and_a_disagreeing_one_loses_to_the_text(soyuz):
    p = soyuz.infoboxes[0].params
    assert p["launch_date"].instants == ["2024-03-23T12:36:10Z"]      # "2024-03-23UTC12:36:10Z"
    assert p["landing_date"].instants == ["2024-09-23T11:59:05Z"]     # one second off the text
    row = map_page(soyuz, soyuz.title).row
    assert row["launch_utc"].isoformat() == "2024-03-23T12:36:10+00:00"
    assert row["landing_utc"].isoformat() == "2024-09-23T11:59:04+00:00"   # what the reader sees
    assert row["source_format"] == "html" and row["rev_id"] == 1250000001


def test_old_infobox_markup_without_classes(shared_corpus):
    """action=parse HTML of 2017-18 (Blue Train (album)): th[scope=row] + td, no infobox-* classes."""
    data = json.loads((shared_corpus / "api" / "wptools" / "parse_infobox.json").read_text(encoding="utf-8"))
    page = page_of(data["response"]["parse"]["text"])
    [box] = page.infoboxes
    assert box.template == "Infobox (html)"          # no mapping knows an album box
    assert box.params["released"].text == "1958"
    assert box.params["genre"].text == "Hard bop"     # "[1]" mark dropped
    assert box.params["label"].items == ["Blue Note", "BLP 1577"]
    assert box.params["length"].text == "42:50"
    assert map_page(page, "Blue Train") is None


@pytest.mark.parametrize("href, target", [
    ("/wiki/Michael_Collins_(astronaut)", "Michael Collins (astronaut)"),
    ("./Buzz_Aldrin", "Buzz Aldrin"),
    ("Neil_Armstrong", "Neil Armstrong"),
    ("https://en.wikipedia.org/wiki/Saturn_V#Design", "Saturn V"),
    ("/wiki/AC%2FDC", "AC/DC"),
    ("/wiki/File:Apollo_11.jpg", None),
    ("/wiki/Category:Apollo_program", None),
    ("/w/index.php?title=Red&action=edit&redlink=1", None),
    ("#cite_note-1", None),
    ("https://history.nasa.gov/", None),
    ("javascript:alert(1)", None),
    (None, None),
])
def test_link_targets(href, target):
    assert link_target(href) == target


@pytest.mark.parametrize("content, fmt", [
    ("<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
    ('<div class="mw-parser-output"><table class="infobox"><tr><th>A</th><td>b</td></tr></table></div>', "html"),
    ("<!-- note -->\n{{Infobox spaceflight\n| name = X\n}}\n'''X''' is a mission.", "wikitext"),
    ("<div>{{Infobox spaceflight | name = X}}</div>\n'''X'''", "wikitext"),
    ("= X =\n- Launch Date: 1 May 2020\n- Operator: NASA\nProse.", "text"),
])
def test_format_detection(content, fmt):
    assert detect_format(content) == fmt
    assert looks_html(content) == (fmt == "html")


def test_extract_page_dispatches_html(apollo):
    raw = RawInput(source="a.html", fmt="html", content="<html><body><p>x</p></body></html>", source_format="html")
    assert extract_page(raw).fmt == "html"


# ------------------------------------------------------------------ bad HTML, read safely

BOX = ('<table class="infobox"><tr><th scope="row" class="infobox-label">{label}</th>'
       '<td class="infobox-data">{value}</td></tr></table>')


def test_no_infobox_and_empty_markup():
    assert page_of("<html><body><p>Just prose.</p></body></html>").infoboxes == []
    assert page_of("").infoboxes == []
    assert page_of("<<<>>>&&&").infoboxes == []


def test_scripts_styles_and_handlers_are_never_text():
    cell = ('<script>document.write("Saturn V")</script><style>td{}</style>'
            '<img src=x onerror="alert(1)"><noscript>N</noscript>Soyuz<iframe src="https://x.example/">I</iframe>')
    page = page_of(BOX.format(label="Rocket", value=cell))
    assert page.infoboxes[0].params["rocket"].text == "Soyuz"


def test_truncated_page_keeps_what_was_there():
    full = BOX.format(label="Operator", value="NASA") + BOX.format(label="Mission type", value="Crewed")
    page = page_of(full[: full.index("Crewed") + 3])
    assert page.infoboxes[0].params["operator"].text == "NASA"
    assert page.infoboxes[1].params["mission_type"].text == "Cre"


def _table(n: int) -> str:
    return '<table class="infobox">' + "".join(
        f'<tr><th scope="row">Label {i}</th><td>{i}</td></tr>' for i in range(n)) + "</table>"


def test_huge_tables_are_bounded(assert_linear):
    page = page_of(_table(20_000))
    assert len(page.infoboxes[0].params) == MAX_ROWS
    assert_linear(page_of, _table, 20_000)


def test_deep_nesting_and_long_cells_do_not_recurse_or_grow():
    deep = "<span>" * 5000 + "x" + "</span>" * 5000
    page = page_of(BOX.format(label="Deep", value=deep))
    assert page.infoboxes[0].params["deep"].text in ("x", "")
    long = "y" * 300_000
    v = page_of(BOX.format(label="Long", value=long)).infoboxes[0].params["long"]
    assert len(v.text) <= 20_000 and len(v.raw) <= 4_000


def test_junk_data_mw_is_ignored():
    html = ('<link about="#mwt1" typeof="mw:Transclusion" data-mw="{not json">'
            '<table class="infobox" about="#mwt1"><tr><th scope="row">Operator</th><td>NASA</td></tr></table>')
    box = page_of(html).infoboxes[0]
    assert box.template == "Infobox (html)" and box.params["operator"].raw.startswith("<td")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/=\"' abtdhrspnclas-infoboxgeo;:0123456789&#")), max_size=300))
def test_reader_never_raises_on_arbitrary_markup(text):
    page = page_of('<table class="infobox"><tr><th scope="row">L</th><td>' + text)
    assert page.fmt == "html"
    from lxml import html as lxml_html
    read_cell(lxml_html.fragment_fromstring("<div>" + text + "</div>", create_parent=False)
              if text.strip() else lxml_html.fragment_fromstring("<div></div>"))


def _adversarial(k: int) -> str:
    spaces = " " * k
    return (BOX.format(label="Launch date" + spaces + "x", value="1")
            + BOX.format(label="Operator", value='<span class="dtstart">2020-01-01' + spaces + "</span>")
            + '<table class="infobox"><tr><td colspan="2"><table><tr><td>\u2190' + spaces
            + 'x</td></tr></table></td></tr></table>'
            + "<title>" + "a - " * (k // 2) + "wiki</title>")


def test_adversarial_text_stays_linear(assert_linear):
    """Patterns run on bounded, anchored text only (linear time on untrusted input)."""
    assert not looks_html("<!--" * 5000)
    assert looks_html("<!-- a -->" * 300 + "<html><body></body></html>")
    page = page_of(_adversarial(50_000))
    assert "operator" in page.infoboxes[1].params and page.infoboxes[1].params["operator"].instants == []
    assert_linear(looks_html, lambda k: "<!--" * k, 40_000)
    assert_linear(page_of, _adversarial, 50_000)
