"""Joined list values of rendered articles taken apart (pipeline.extract.joined).

Each habit was seen in real en.wikipedia renderings (the search tool's `pages` corpus); the
strings below are the values as those renderings wrote them, the evidence in our own words.
"""
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract.joined import Evidence, fold_link_pairs, split_names, split_people


def _evidence(*texts: str, caption: str | None = None) -> Evidence:
    ev = Evidence()
    for text in texts:
        ev.add_text(text)
    if caption:
        ev.add_text(caption, caption=True)
    return ev


def test_caption_surnames_cut_a_joined_crew():
    # https://en.wikipedia.org/wiki/Soyuz_MS-27: "Sergey Ryzhikov Alexey Zubritsky Jonny Kim"
    people, how = split_people("Sergey Ryzhikov Alexey Zubritsky Jonny Kim",
                               _evidence(caption="From left: Kim, Ryzhikov and Zubritsky"))
    assert people == ["Sergey Ryzhikov", "Alexey Zubritsky", "Jonny Kim"]
    assert how == "surnames in the crew photo caption"


def test_full_names_in_prose_cut_names_with_initials():
    # https://en.wikipedia.org/wiki/STS-107: initials in the list, none in the caption
    people, how = split_people("Rick D. Husband William C. McCool Ilan Ramon",
                               _evidence("Husband commanded; the crew were Rick Husband, "
                                         "William McCool and Ilan Ramon."))
    assert people == ["Rick D. Husband", "William C. McCool", "Ilan Ramon"]
    assert how == "names written elsewhere on the page"


def test_a_leading_initial_starts_a_name():
    # https://en.wikipedia.org/wiki/SpaceX_Crew-2: "Shane Kimbrough K. Megan McArthur ..."
    people, _ = split_people("Shane Kimbrough K. Megan McArthur Akihiko Hoshide Thomas Pesquet",
                             _evidence(caption="From left: McArthur, Pesquet, Hoshide and Kimbrough"))
    assert people == ["Shane Kimbrough", "K. Megan McArthur", "Akihiko Hoshide", "Thomas Pesquet"]


def test_nicknames_two_capital_given_names_and_suffix_commas():
    # real crew lists of the shared corpus (wikitext/current: STS-51-L, Galactic 02, STS-63),
    # joined the way the renderer joins a plainlist
    people, _ = split_people('Francis R. "Dick" Scobee Michael J. Smith Ellison S. Onizuka',
                             _evidence(caption="Front: Smith, Scobee; back: Onizuka"))
    assert people == ['Francis R. "Dick" Scobee', "Michael J. Smith", "Ellison S. Onizuka"]
    assert split_people("CJ Sturckow Kelly Latimer Beth Moses", Evidence())[0] == [
        "CJ Sturckow", "Kelly Latimer", "Beth Moses"]
    # caption family names written first ("(L-R) Nie, Zhang and Wang", Shenzhou 10)
    assert split_people("Nie Haisheng Zhang Xiaoguang Wang Yaping",
                        _evidence(caption="(L-R) Nie, Zhang and Wang"))[0] == [
        "Nie Haisheng", "Zhang Xiaoguang", "Wang Yaping"]
    # a hyphenated caption surname supports a spaced one ("Chang-Díaz", STS-46)
    assert split_people("Franklin Chang Díaz Franco Malerba",
                        _evidence(caption="Chang-Díaz and Malerba"))[0] == [
        "Franklin Chang Díaz", "Franco Malerba"]


def test_a_link_pair_inside_a_joined_run():
    people, _ = split_people("Matthew Dominick Michael Barratt (astronaut) Michael Barratt", Evidence())
    assert people == ["Matthew Dominick", "Michael Barratt (astronaut)", "Michael Barratt"]
    assert fold_link_pairs(people)[0] == ["Matthew Dominick", "Michael Barratt"]


def test_a_suffix_stays_with_its_name():
    # https://en.wikipedia.org/wiki/Gemini_6A: "Walter M. Schirra Jr. Thomas P. Stafford"
    people, _ = split_people("Walter M. Schirra Jr. Thomas P. Stafford",
                             _evidence(caption="(L-R) Stafford, Schirra"))
    assert people == ["Walter M. Schirra Jr.", "Thomas P. Stafford"]


def test_family_name_first_is_cut_by_full_names_not_by_shape():
    # https://kiwix.aage21.com/content/wikipedia_en_all_maxi_2023-11_(1)/A/Shenzhou_17
    people, how = split_people("Tang Hongbo Tang Shengjie Jiang Xinlin",
                               _evidence(caption="Jiang Xinlin, Tang Hongbo and Tang Shengjie"))
    assert people == ["Tang Hongbo", "Tang Shengjie", "Jiang Xinlin"]
    assert how == "names written elsewhere on the page"


def test_caption_words_after_the_last_name_do_not_matter():
    # https://en.wikipedia.org/wiki/Axiom_Mission_3: "... and Villadei in black jumpsuits"
    people, _ = split_people("Michael López-Alegría Walter Villadei Alper Gezeravcı Marcus Wandt",
                             _evidence(caption="From left: López-Alegría, Wandt, Gezeravcı, and "
                                               "Villadei in black jumpsuits"))
    assert people == ["Michael López-Alegría", "Walter Villadei", "Alper Gezeravcı", "Marcus Wandt"]


def test_fallback_without_evidence_cuts_only_two_word_names():
    # https://en.wikipedia.org/wiki/Soyuz_11 (its caption removed here)
    people, how = split_people("Georgy Dobrovolsky Vladislav Volkov Viktor Patsayev", Evidence())
    assert people == ["Georgy Dobrovolsky", "Vladislav Volkov", "Viktor Patsayev"]
    assert how.startswith("name shape")
    # an odd run of words cannot be cut honestly: it stays one item, and the note says so
    people, how = split_people("Nicole Aunapu Mann Josh Cassada", Evidence())
    assert people == ["Nicole Aunapu Mann Josh Cassada"]
    assert how.startswith("not split")


def test_one_person_is_never_cut():
    for name in ("Tracy Caldwell Dyson", "Walter M. Schirra Jr.", "Sultan bin Salman Al Saud"):
        assert split_people(name, Evidence()) == ([name], None)
    assert split_people("Tracy Caldwell Dyson", _evidence("Tracy Caldwell-Dyson flew."))[0] == \
        ["Tracy Caldwell Dyson"]


def test_group_labels_inside_a_joined_list_are_not_people():
    # https://en.wikipedia.org/wiki/Expedition_70: "Expedition 69/70: Jasmin Moghbeli ..."
    people, how = split_people("Expedition 69/70: Jasmin Moghbeli Andreas Mogensen "
                               "Expedition 69/70/71: Oleg Kononenko Nikolai Chub", Evidence())
    assert people == ["Jasmin Moghbeli", "Andreas Mogensen", "Oleg Kononenko", "Nikolai Chub"]
    assert "group labels dropped" in how


def test_placeholders_hold_one_seat_each():
    assert split_people("TBA TBA TBA", Evidence())[0] == ["TBA", "TBA", "TBA"]
    assert split_people("TBA TBA Arnaud Prost TBA", Evidence())[0] == ["TBA", "TBA", "Arnaud Prost", "TBA"]


def test_link_target_and_label_are_one_person_keyed_by_the_target():
    # https://en.wikipedia.org/wiki/SpaceX_Crew-8 and https://en.wikipedia.org/wiki/SpaceX_Crew-5
    items, links = fold_link_pairs(["Matthew Dominick", "Michael Barratt (astronaut)", "Michael Barratt",
                                    "Nicole Aunapu Mann", "Nicole Mann", "Jeanette Epps"])
    assert items == ["Matthew Dominick", "Michael Barratt", "Nicole Mann", "Jeanette Epps"]
    assert links == [("Michael Barratt", "Michael Barratt (astronaut)"),
                     ("Nicole Mann", "Nicole Aunapu Mann")]
    # two people who share a surname are not a link pair
    assert fold_link_pairs(["Mark Kelly", "Scott Kelly"]) == (["Mark Kelly", "Scott Kelly"], [])


def test_joined_designations_are_cut_by_the_names_the_prose_writes():
    # https://en.wikipedia.org/wiki/Crew_Dragon_Demo-2
    prose = "Demo-2 (officially Crew Demo-2, SpaceX Demo-2, or Demonstration Mission-2) flew in 2020."
    assert split_names("Crew Demo-2 SpaceX Demo-2 Demonstration Mission-2", prose) == (
        ["Crew Demo-2", "SpaceX Demo-2", "Demonstration Mission-2"], "names the prose writes")
    # one name the prose does not spell out stays whole
    assert split_names("Space Transportation System-107", "STS-107 was a shuttle flight.") == (
        ["Space Transportation System-107"], None)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_never_raises_and_keeps_every_word(text):
    people, _ = split_people(text, _evidence(text[:100], caption=text[100:200]))
    # the people are the input's words in order (only group labels may be left out)
    words = iter(text.split())
    assert all(any(w == t for t in words) for w in " ".join(people).split())
    split_names(text, text[::-1])
    fold_link_pairs(text.split(","))
