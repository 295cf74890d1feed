"""extract_wikitext on the shared spaceflight pages, the robustness corpus and hostile pages."""
from pathlib import Path

import pytest

from pipeline.extract.wikitext import extract_sections, extract_wikitext
from pipeline.records import RawInput

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "wikitext"


def page_of(content, title=None, source="test.wikitext"):
    return extract_wikitext(RawInput(source=source, fmt="wikitext", content=content,
                                     source_format="wikitext", title=title))


def corpus_page(*parts):
    path = CORPUS.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"shared corpus file {path} is not beside the checkout")
    return page_of(path.read_text(errors="replace"), source=path.name)


@pytest.fixture(scope="module")
def apollo11():
    return corpus_page("spaceflight", "Apollo_11.wikitext")


@pytest.fixture(scope="module")
def apollo8():
    return corpus_page("spaceflight", "Apollo_8.wikitext")


def main_box(page):
    [box] = [b for b in page.infoboxes if b.template == "Infobox spaceflight"]
    return box.params


def test_apollo11_dates(apollo11):
    from pipeline.core.instants import parse_instant
    params = main_box(apollo11)
    instant = parse_instant(params["launch_date"].text)
    assert instant.utc.isoformat() == "1969-07-16T13:32:00+00:00"
    assert params["launch_date"].text == "July 16, 1969, 13:32:00 UTC"
    assert params["landing_date"].text == "July 24, 1969, 16:50:35 UTC"
    assert params["mission_duration"].text == "8 days, 3 hours, 18 minutes, 35 seconds"


def test_apollo11_landing_and_masses(apollo11):
    params = main_box(apollo11)
    site = params["landing_site"]
    assert site.text == "North Pacific Ocean"
    assert site.coords == pytest.approx((13.3167, -169.15), abs=1e-3)
    [q] = params["launch_mass"].quantities
    assert (q.value, q.unit, q.converted_unit) == (100756, "lb", "kg")
    assert q.converted_value == pytest.approx(45702, abs=1)
    assert params["launch_mass"].text == "45702 kg"
    assert params["recovery_by"].text == "USS Hornet (CV-12)"


def test_apollo11_crew_and_ids(apollo11):
    params = main_box(apollo11)
    crew = params["crew_members"]
    assert len(crew.items) == 3
    assert [t for _, t in crew.links] == ["Neil Armstrong", "Michael Collins (astronaut)", "Buzz Aldrin"]
    assert params["cospar_id"].items == ["CSM: 1969-059A", "LM: 1969-059C"]
    assert params["cospar_id"].raw == "CSM: 1969-059A<br/>LM: 1969-059C"
    assert params["crew_callsign"].items == ["CSM: Columbia", "LM: Eagle", "On surface: Tranquility Base"]


def test_apollo11_operator_citation(apollo11):
    operator = main_box(apollo11)["operator"]
    assert operator.text == "NASA"
    assert operator.citations[0].url == "http://history.nasa.gov/SP-4029/SP-4029.htm"
    assert operator.citations[0].name == "Orloff"
    assert operator.links == [("NASA", "NASA")]


def test_apollo11_nested_boxes(apollo11):
    boxes = apollo11.infoboxes
    assert [b.index for b in boxes] == list(range(len(boxes)))
    ip = [b for b in boxes if b.template == "Infobox spaceflight/IP"]
    dock = [b for b in boxes if b.template == "Infobox spaceflight/Dock"]
    assert len(ip) == 2 and len(dock) == 2
    assert all(b.parent == 0 for b in ip + dock)
    assert {b.parent_param for b in ip} == {"interplanetary"}
    assert {b.parent_param for b in dock} == {"docking"}
    assert main_box(apollo11)["docking"].text == ""
    assert dock[0].params["docking_date"].text == "July 16, 1969, 16:56:03 UTC"
    assert ip[1].params["location"].text == "Mare Tranquillitatis"
    assert ip[1].params["location"].coords is None  # lunar, not Earth, coordinates
    # a reused <ref name="A11timeline" /> is filled from its definition in the prose
    assert dock[0].params["docking_date"].citations[0].url


def test_apollo11_title_and_sections(apollo11):
    assert apollo11.title == "Apollo 11"  # from the infobox name (no raw.title)
    lead = apollo11.sections[0]
    assert (lead.heading, lead.level) == ("", 0)
    assert lead.text.startswith("Apollo 11 was the first spaceflight that landed humans on the Moon.")
    assert "\n\n" in lead.text
    headings = [s.heading for s in apollo11.sections]
    assert "Launch and flight to lunar orbit" in headings and "Lunar descent" in headings
    launch = next(s for s in apollo11.sections if s.heading == "Launch and flight to lunar orbit")
    assert launch.level == 3
    assert "on July 16, 1969 at 13:32:00 UTC" in launch.text
    everything = "\n".join(s.text for s in apollo11.sections)
    for junk in ("{{", "}}", "[[", "]]", "<ref", "'''", "&nbsp;", "cite web"):
        assert junk not in everything


def test_apollo8(apollo8):
    params = main_box(apollo8)
    assert "02:30" in params["orbit_epoch"].text
    assert params["landing_site"].coords == pytest.approx((8.1333, -165.0167), abs=1e-3)
    assert params["landing_site"].text == ""
    assert len(params["launch_mass"].quantities) == 4  # converts inside refs are not values
    assert params["launch_mass"].items[0] == "CSM: 28871 kg"
    assert [b.template for b in apollo8.infoboxes] == ["Infobox spaceflight", "Infobox spaceflight/IP",
                                                      "Spaceflight crew", "Spaceflight crew"]


def test_robustness_corpus():
    folder = CORPUS / "robustness"
    if not folder.is_dir():
        pytest.skip("shared robustness corpus is not beside the checkout")
    for path in sorted(folder.iterdir()):
        page = page_of(path.read_text(errors="replace"), source=path.name)
        assert all(b.template != "Infobox spaceflight" for b in page.infoboxes), path.name
        assert all(b.template.startswith("Infobox") for b in page.infoboxes), path.name
        for box in page.infoboxes:
            for v in box.params.values():
                assert "\n" not in v.text and "{{" not in v.text, (path.name, v.param)
    copper = page_of((folder / "dijs__copper.txt").read_text())
    nested = [b for b in copper.infoboxes if b.parent is not None]
    assert nested and all(b.template.startswith("Infobox element/isotopes") for b in nested)
    uk = page_of((folder / "spencermountain__United-Kingdom.txt").read_text())
    assert uk.infoboxes[0].template == "Infobox country"
    assert any(b.template == "Infobox" and b.parent == 0 for b in uk.infoboxes)


def test_redirect():
    assert page_of("#REDIRECT [[Toronto]]").redirect == "Toronto"
    assert page_of("#redirect:[[apollo_11#Launch]]\n{{R from move}}").redirect == "Apollo 11"
    page = page_of("#WEITERLEITUNG [[Bazooka]]")
    assert (page.redirect, page.sections, page.infoboxes) == ("Bazooka", [], [])
    assert page_of("Text about #REDIRECT [[X]]").redirect is None


def test_title_precedence():
    assert page_of("{{Infobox spaceflight|name=Box}}", title="Given").title == "Given"
    assert page_of("{{Infobox spaceflight|name=''Box''}}").title == "Box"
    assert page_of("no box").title is None


def test_params_names_duplicates_and_positional():
    page = page_of("{{Template:Infobox_spaceflight| Launch Date =1|COSPAR_ID=x|a=first|a=last|pos}}")
    [box] = page.infoboxes
    assert box.template == "Infobox spaceflight"
    assert box.params["a"].text == "last"
    assert set(box.params) == {"launch_date", "cospar_id", "a", "1"}
    assert box.params["1"].text == "pos"


def test_commented_out_value_and_bold_box():
    page = page_of("'''{{Infobox spaceflight|launch_date=<!-- {{Start date|2020|1|1}} -->|name=X}}'''")
    params = page.infoboxes[0].params
    assert params["launch_date"].text == ""
    assert params["launch_date"].raw == "<!-- {{Start date|2020|1|1}} -->"


def test_other_infoboxes_and_wrapped_box():
    page = page_of("{{Infobox person|name=A}}\n{{Wrapper|{{Infobox spaceflight|name=B}}}}")
    assert [b.template for b in page.infoboxes] == ["Infobox person", "Infobox spaceflight"]


@pytest.mark.parametrize("content", [
    lambda k: "{{" * k, lambda k: "[[" * k, lambda k: "<ref>" * (k // 2),
    lambda k: "\x00" * (k // 50) + "{{Infobox a|b=\x00}}",
    lambda k: "{{Infobox a|x=[[unclosed|y=<ref>open}}\n== H ==\n" + "text " * k,
    lambda k: "{{Infobox a|p=" + "{{x|" * (k // 250) + "y" + "}}" * (k // 250) + "}}",
    lambda k: "{| class=wikitable\n| {{Infobox a}}" + "\n| cell" * (k // 10),
    lambda k: "", lambda k: "== only heading ==", lambda k: "<!--" + "-" * k,
])
def test_hostile_pages(content, assert_linear):
    page = page_of(content(50_000))
    assert isinstance(page.sections, list)
    assert_linear(page_of, content, 50_000)


def test_unclosed_link_and_ref_in_box_keep_the_rest():
    page = page_of("{{Infobox a|x=[[unclosed|y=2}}\nProse here.")
    assert page.infoboxes[0].template == "Infobox a"
    assert page.sections[0].text.endswith("Prose here.")


def test_prose_cleanup():
    sections = extract_sections(
        "{{Infobox a|b=c}}\n'''Apollo''' went to the [[Moon|moon]].<ref>{{cite web|url=x}}</ref> "
        "It weighed {{convert|100|lb|kg}}.<!-- hidden -->\n\n[[File:A.jpg|thumb|A [[cap]]]]\n"
        "{| class=wikitable\n| cell\n|}\nNext {{nowrap|para}}.\n== See ''also'' ==\n* [[A]]\n* B\n"
        "[[Category:Missions]]")
    assert sections[0].text == "Apollo went to the moon. It weighed 45 kg.\n\nNext para."
    assert (sections[1].heading, sections[1].level, sections[1].text) == ("See also", 2, "A\nB")


# --- lazy section text ----------------------------------------------------------------------------

def test_section_text_is_made_on_first_read_and_is_the_same(apollo11):
    import pickle
    from pipeline.extract import wikitext as W
    from pipeline.records import Section

    text = (CORPUS / "spaceflight" / "Apollo_11.wikitext").read_text()
    lazy = W.extract_sections(text)
    later = [s for s in lazy if s.level]
    assert later and all(isinstance(s, Section) for s in lazy)
    assert all(s._make is not None for s in later)  # nothing made yet
    eager = [Section(s.heading, s.level, s.text) for s in lazy]
    assert lazy == eager and eager == lazy
    assert all(s._make is None for s in later)
    back = pickle.loads(pickle.dumps(lazy))
    assert back == eager and all(type(s) is Section for s in back)


def test_a_page_that_uses_the_placeholder_characters_is_rendered_at_once():
    text = "Lead \ue010 0 \ue011 {{convert|1|km|mi}}.\n== A ==\nBody {{convert|2|km|mi}}."
    sections = extract_sections(text)
    assert sections[0].text.startswith("Lead \ue010 0 \ue011 1 km")
    assert sections[1].text == "Body 2 km."


def test_a_template_at_the_start_of_a_line_can_make_a_heading():
    # {{=}} renders "=": the line is a heading only once the template is rendered.
    sections = extract_sections("Lead.\n{{=}}{{=}} Launch {{=}}{{=}}\nText.")
    assert [(s.heading, s.level, s.text) for s in sections] == [("", 0, "Lead."), ("Launch", 2, "Text.")]


def test_a_quote_at_the_start_of_a_line_stays_lazy_only_when_its_text_starts_with_a_letter():
    from pipeline.extract import wikitext as W
    text = "Lead.\n{{quote|''Here'' men [[Moon|came]].}}\n{{quote|text===}} Launch {{=}}{{=}}\nText."
    sections = extract_sections(text)
    assert [(s.heading, s.level) for s in sections] == [("", 0), ("Launch", 2)]
    assert sections[0].text == "Lead. Here men came."
    pending = W._Pending(text)
    W._flatten(text, W.scan(text), pending)
    assert pending.starts_with_letter(pending.add(*pending.spans[0])) is True
    assert pending.starts_with_letter(pending.add(*pending.spans[2])) is False  # named text=


def test_placeholder_lookalikes_in_the_page_are_kept_as_text():
    sections = extract_sections("Lead \ue0100\ue011 {{convert|1|km|mi}}.\n== A ==\nB \ue0101\ue011.")
    assert [s.text for s in sections] == ["Lead \ue0100\ue011 1 km.", "B \ue0101\ue011."]


def test_sections_are_made_on_first_use_and_behave_as_a_list():
    import copy
    import pickle
    from pipeline.extract.wikitext import LazySections
    text = "{{Infobox spaceflight|name=A}}\nLead.\n== Launch ==\nIt flew.\n== Landing ==\nIt landed."
    eager = extract_sections(text)
    calls = []

    def make():
        calls.append(1)
        return extract_sections(text)

    lazy = LazySections(make)
    assert calls == []
    assert lazy == eager and len(lazy) == 3 and calls == [1]
    assert [s.heading for s in lazy] == ["", "Launch", "Landing"] and calls == [1]
    for other in (LazySections(make), LazySections(make), LazySections(make)):
        assert pickle.loads(pickle.dumps(other)) == eager
    assert type(pickle.loads(pickle.dumps(LazySections(make)))) is list
    assert copy.deepcopy(LazySections(make)) == eager and copy.copy(LazySections(make)) == eager
    assert bool(LazySections(lambda: [])) is False and repr(LazySections(lambda: [])) == "[]"
    assert LazySections(eager) == eager  # built from an iterable, as a list is
    page = extract_wikitext(RawInput(source="t", fmt="wikitext", content=text, source_format="file"))
    assert isinstance(page.sections, LazySections) and page.sections == eager


def test_a_reused_ref_is_filled_from_its_definition_wherever_the_page_has_it():
    box = "{{Infobox spaceflight\n| name = A\n| launch_mass = 5 kg<ref name=m/>\n| cospar_id = X<ref name=c />\n}}\n"
    page = extract_wikitext(RawInput(source="t", fmt="wikitext", source_format="file", content=(
        box + "Prose.<!-- <ref name=c>{{cite web|url=http://old.example|title=Old}}</ref> -->\n"
        "== Notes ==\n{{Reflist|refs=\n<ref name=m>{{cite web|url=http://mass.example|title=Mass}}</ref>\n"
        "<ref name=c>{{cite web|url=http://c.example|title=C}}</ref>\n}}\n")))
    cites = {k: v.citations[0] for k, v in page.infoboxes[0].params.items() if v.citations}
    # list-defined refs (inside a template) are found; a definition inside a comment is not
    assert (cites["launch_mass"].url, cites["launch_mass"].title) == ("http://mass.example", "Mass")
    assert cites["cospar_id"].url == "http://c.example"


# --- refs lifted out of infoboxes before parsing -------------------------------------------------

_TRICKY_BOXES = [
    "{{Infobox spaceflight|name=A<ref name=a>{{cite web|url=http://a.example|title=A|date=2020}}</ref>"
    "|mass=5 kg<ref name=a/><ref name='b' />|crew=[[X]]<ref>plain text ref</ref>, [[Y]]}}",
    "{{Infobox spaceflight|launch_date={{start date|1969|7|16}}<ref group=n name=\"d\">{{cite news"
    "|title=T|url=u}}</ref>|x={{cvt|1|km}}<ref>{{Cite web|title=C1}}</ref><ref>{{cite book|title=C2}}</ref>}}",
    "{{Infobox spaceflight|a=<!-- <ref>commented</ref> -->1|b=<nowiki><ref>n</ref></nowiki>|c=<REF>up</REF>"
    "|d=<ref name=x/y>odd</ref>|e=<ref>unclosed|f=2}}",
    "{{Infobox spaceflight|a=x<ref>{{cite web|title=a|b}}</ref>|b=<ref>one</ref><ref>two</ref>"
    "|c={{ubl|<ref>in list</ref>A|B}}|d=[http://e.example E<ref>in link</ref>]|e=<code>c<ref>r</ref></code>}}",
    "{{Infobox spaceflight|a={{efn|note<ref>inner</ref>}}|b={{Infobox spaceflight/IP|c=1<ref>nested</ref>}}"
    "|c=\ue020 0\ue021 kept|d=<ref name=\"q\">{{cite web|url=http://q.example}}</ref>}}",
]


def _boxes(text, monkeypatch=None, lift=True):
    from pipeline.extract import wikitext as W
    if not lift:
        monkeypatch.setattr(W, "lift_refs", lambda t: (t, []))
    boxes = W.extract_infoboxes(text)
    if not lift:
        monkeypatch.undo()
    return repr(boxes)


@pytest.mark.parametrize("text", _TRICKY_BOXES)
def test_lifting_refs_before_parsing_changes_nothing(text, monkeypatch):
    assert _boxes(text) == _boxes(text, monkeypatch, lift=False)


@pytest.mark.slow
def test_lifting_refs_changes_nothing_on_the_corpus(monkeypatch):
    pages = sorted((Path(__file__).resolve().parents[1] / "corpus").glob("*.wikitext"))
    pages += sorted(CORPUS.glob("*/*.wikitext")) if CORPUS.is_dir() else []
    assert pages
    for path in pages:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert _boxes(text) == _boxes(text, monkeypatch, lift=False), path.name


def test_a_lifted_ref_is_parsed_only_when_its_url_is_read(monkeypatch):
    import pickle
    from pipeline.wikitext import tree as mwtree, render
    from pipeline.wikitext.refs import lift_refs, unlift
    from pipeline.records import Citation
    # (a title with a link needs the parser; simpler cites are read without it, see test_render)
    text, refs = lift_refs("x<ref name=a>{{cite web|url=http://a.example|title=[[A]]}}</ref>y<ref name=a/>")
    assert text == "x\ue0200\ue021y\ue0201\ue021" and len(refs) == 2
    assert unlift(text, refs) == "x<ref name=a>{{cite web|url=http://a.example|title=[[A]]}}</ref>y<ref name=a/>"
    parsed = []
    real = mwtree.parse
    monkeypatch.setattr(mwtree, "parse", lambda *a, **k: parsed.append(a[0]) or real(*a, **k))
    cite = render.citation_from_source(refs[0])
    assert (cite.name, cite.text, parsed) == ("a", "{{cite web|url=http://a.example|title=[[A]]}}", [])
    assert cite.url == "http://a.example" and len(parsed) == 1
    plain = Citation(name="a", url="http://a.example", title="A", text=cite.text)
    assert cite == plain and plain == cite and repr(cite) == repr(plain)
    assert pickle.loads(pickle.dumps(cite)) == plain and type(pickle.loads(pickle.dumps(cite))) is Citation
    cite.url = "http://b.example"
    assert cite.url == "http://b.example" and cite.title == "A"
    assert render.citation_from_source(refs[1]) == Citation(name="a")


@pytest.mark.parametrize("make", [lambda k: "<ref>" * k, lambda k: '<ref name="' * k,
                                  lambda k: "<ref>a</ref>" * (k // 2), lambda k: "<ref>" * k + "</ref>",
                                  lambda k: "<ref name=a/>" * (k // 2)])
def test_lifting_refs_is_linear_on_hostile_input(make, assert_linear):
    from pipeline.wikitext.refs import lift_refs
    assert_linear(lambda text: lift_refs("{{Infobox spaceflight|a=" + text + "}}"), make, 100_000)
    lifted, refs = lift_refs("{{Infobox spaceflight|a=" + make(1000) + "}}")
    assert lifted.count("\ue020") == len(refs)


def test_a_file_link_is_not_text_in_prose_or_in_a_value():
    """Drift fixed: the prose knew fewer File/Category namespace names than infobox values did,
    so a French file link ([[Fichier:...]]) came out as "thumb|A caption" in the prose only."""
    from pipeline.wikitext.render import render_wikitext
    text = "Intro.\n\n== Flight ==\nIt flew.[[Fichier:x.jpg|thumb|A caption]] It landed.\n"
    page = extract_wikitext(RawInput(source="x", fmt="wikitext", content=text,
                                     source_format="wikitext", title="X"))
    assert "caption" not in " ".join(s.text for s in page.sections)
    assert render_wikitext("[[Fichier:x.jpg|thumb|A caption]]") == ""
