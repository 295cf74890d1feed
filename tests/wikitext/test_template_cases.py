"""Template habits of current infoboxes, one case file per family (tests/wikitext/cases/*.toml):
each case is a real snippet of the shared corpus with the text a reader sees. Plus the template
table itself (pipeline/wikitext/templates.toml): it loads, and every entry is well formed."""
import tomllib
from pathlib import Path

import mwparserfromhell
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.instants import parse_duration, parse_instant
from pipeline.wikitext import templates
from pipeline.wikitext.render import render_value

CASES_DIR = Path(__file__).parent / "cases"
CASE_KEYS = {"name", "file", "param", "wikitext", "text", "items", "links", "coords", "citations",
             "instant", "seconds", "unknown"}


def _cases():
    for path in sorted(CASES_DIR.glob("*.toml")):
        for case in tomllib.loads(path.read_text(encoding="utf-8"))["case"]:
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


CASES = list(_cases())


def render(wikitext):
    return render_value("p", mwparserfromhell.parse(wikitext, skip_style_tags=True))


@pytest.mark.parametrize("case", CASES)
def test_case(case):
    assert set(case) <= CASE_KEYS, f"unknown keys {set(case) - CASE_KEYS}"
    v = render(case["wikitext"])
    assert v.text == case["text"]
    assert v.unknown_templates == case.get("unknown", [])
    if "items" in case:
        assert v.items == case["items"]
    if "links" in case:
        assert [list(link) for link in v.links] == case["links"]
    if "coords" in case:
        assert list(v.coords) == case["coords"]
    if "citations" in case:
        assert len(v.citations) == case["citations"]
    if "instant" in case:
        assert parse_instant(v.text).utc.isoformat() == case["instant"]
    if "seconds" in case:
        assert parse_duration(v.text).seconds == case["seconds"]


@pytest.mark.parametrize("case", CASES)
def test_case_is_quoted_from_its_file(case, shared_corpus):
    """Each snippet is the corpus file's own text (the citation is checkable)."""
    source = (shared_corpus / "wikitext" / "current" / case["file"]).read_text(encoding="utf-8")
    assert case["wikitext"] in source


def test_every_case_file_has_cases():
    assert len(CASES) >= 30
    for path in CASES_DIR.glob("*.toml"):
        assert tomllib.loads(path.read_text(encoding="utf-8"))["case"], path.name


# --- the table ----------------------------------------------------------------------------------

def test_table_loads_and_every_entry_is_well_formed():
    text = (Path(templates.__file__).parent / templates.TABLE_FILE).read_text(encoding="utf-8")
    assert text.startswith("# Template handlers")
    entries = templates.load_table(text)
    assert entries == templates.TABLE
    for e in entries:
        assert e.rule in templates.RULES and e.source.strip()
        assert e.names or e.prefixes
        for name in e.names:
            assert name == name.strip() and templates.renderer_for(name) is not None
        if e.rule == "code":
            assert e.options["handler"] in templates.HANDLERS


def test_every_handler_is_used_by_the_table():
    used = {e.options["handler"] for e in templates.TABLE if e.rule == "code"}
    assert used == set(templates.HANDLERS)


@pytest.mark.parametrize("bad, message", [
    ('[[template]]\nnames = ["x"]\nrule = "first"\nsource = "s"', "unknown rule"),
    ('[[template]]\nnames = ["x"]\nrule = "drop"', "needs a source"),
    ('[[template]]\nnames = []\nrule = "drop"\nsource = "s"', "needs non-empty names"),
    ('[[template]]\nnames = ["x"]\nrule = "drop"\nsource = "s"\ntext = "y"', "do not belong"),
    ('[[template]]\nnames = ["x"]\nrule = "code"\nhandler = "nope"\nsource = "s"', "no handler"),
    ('[[template]]\nnames = ["x"]\nrule = "fixed"\nsource = "s"', "needs a text"),
    ('[[template]]\nnames = ["X"]\nrule = "drop"\nsource = "s"\n'
     '[[template]]\nnames = ["x"]\nrule = "drop"\nsource = "s"', "already in"),
])
def test_a_malformed_table_is_refused_with_the_entry_named(bad, message):
    with pytest.raises(ValueError, match=message):
        templates.load_table(bad)


def test_names_match_as_mediawiki_matches_them():
    assert templates.renderer_for("End date text") is templates.renderer_for("end date text")
    assert templates.renderer_for("Lang-ru") is templates.renderer_for("lang-xx")
    assert templates.renderer_for("Cite web") is templates.HANDLERS["cite"]
    assert templates.renderer_for("Formatnum:12") is templates.HANDLERS["formatnum"]
    assert templates.renderer_for("Some unknown") is None


def test_an_unknown_template_is_reported_and_shows_nothing():
    v = render("Falcon 9 {{Some new template|B1080}}")
    assert (v.text, v.unknown_templates) == ("Falcon 9", ["Some new template"])


# Templates the corpus does not use but current infoboxes of the same kind do (minimal snippets
# in our own words; behaviour from each template's documentation, named in templates.toml).
@pytest.mark.parametrize("src, expected, items", [
    ("{{langx|ru|Кедр}}", "Кедр", ["Кедр"]),
    ("{{Lang-ru|Союз}}", "Союз", ["Союз"]),
    ("[[Klim Shipenko]]{{break}}[[Yulia Peresild]]", "Klim Shipenko, Yulia Peresild",
     ["Klim Shipenko", "Yulia Peresild"]),
    ("{{Unbulleted list|{{TBA}}|{{TBD}}}}", "TBA, TBD", ["TBA", "TBD"]),
    ("{{N/A}}", "N/A", ["N/A"]),
    ("{{N/A|Suborbital}}", "Suborbital", ["Suborbital"]),
    ("{{sort|Kennedy|[[Kennedy Space Center|Kennedy]] LC-39A}}", "Kennedy LC-39A",
     ["Kennedy LC-39A"]),
    ("{{circa}} 2030", "c. 2030", ["c. 2030"]),
    ("7{{thinsp}}days", "7 days", ["7 days"]),
    ("{{update inline|date=May 2025}}", "", []),
    ("{{zh|s=神舟十三号|p=Shénzhōu Shísān Hào}}", "神舟十三号", ["神舟十三号"]),
    # Template:Time interval's own example: calendar units by default for dates without times
    ("{{time interval|1 Jan 2001|March 4, 2002}}", "1 year, 2 months and 3 days",
     ["1 year, 2 months and 3 days"]),
    ("{{time interval|1 Jan 2001|March 4, 2002|show=d}}", "427 days", ["427 days"]),
])
def test_documented_templates(src, expected, items):
    v = render(src)
    assert (v.text, v.items, v.unknown_templates) == (expected, items, [])


@pytest.mark.parametrize("src, shown", [
    ("{{Start date|2020|13|45}}", "invalid date 2020-13-45"),
    ("{{Start date|2021|2|30|12|00}}", "invalid date 2021-2-30 12:00"),
    ("{{End date|2021|2|3|25|00|00|Z}}", "invalid date 2021-2-3 25:00:00"),
])
def test_impossible_date_parts_are_shown_as_such_not_read_as_a_coarser_date(src, shown):
    v = render(src)
    assert v.text == shown and parse_instant(v.text) is None


def test_an_impossible_launch_date_is_reported_unparsed():
    from pipeline.records import RawInput
    from pipeline.run import process
    box = "{{Infobox spaceflight\n| name = X\n| launch_date = {{Start date|2020|13|45}}\n}}"
    result = process(RawInput(source="X.wikitext", fmt="wikitext", content=box,
                              source_format="wikitext"))
    assert result.bundle.row.get("launch_utc") is None
    assert any(i.code == "unparsed" and i.field == "launch_utc" for i in result.bundle.issues)


# Bad input never raises: every name of the table with arbitrary arguments renders some text.
_ARG = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "Z", "-04:00", "13", "2020", "0", "99", "CST", "DMY", "show=ymd",
                     "sep=,", "February 30, 2021", "1 Jan 2001 25:61", "lb", "kg", "N", "W",
                     "{{nbsp}}", "[[X|Y]]", "''a''", "text=", "1=", "|", "—", "−3",
                     "December 31, 9999", "January 1, 0001", "NZDT", "HST", "23", "59", "60"]))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(templates.RENDERERS)), st.lists(_ARG, max_size=8))
def test_no_template_raises_on_junk_arguments(name, args):
    src = "{{" + name + "".join("|" + a.replace("}", "").replace("{", "") for a in args) + "}}"
    v = render(src)
    assert isinstance(v.text, str) and isinstance(v.items, list)


def test_the_prose_renders_the_same_templates():
    from pipeline.extract.wikitext import extract_sections
    sections = extract_sections(
        "== Flight ==\nThe crew flew aboard {{ComV|SpaceX Crew Dragon|Endurance}} and splashed"
        " down on {{End date text|April 17, 1970, 18:07:41}} UTC.{{Official URL}}\n")
    assert sections[-1].text == ("The crew flew aboard Crew Dragon Endurance and splashed down"
                                 " on April 17, 1970, 18:07:41 UTC.")
