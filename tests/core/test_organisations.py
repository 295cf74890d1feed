"""One canonical name per organisation. Snippets are raw operator/manufacturer/launch_contractor
values of corpus/wikitext/current/<file>, given here as the renderer's items and links."""
from __future__ import annotations

import pytest

from pipeline.core.organisations import canonical, fold, organisations


@pytest.mark.parametrize(("items", "links", "expected"), [
    (["Roscosmos"], [("Roscosmos", "Roscosmos")], ["Roscosmos"]),                 # Soyuz_MS-01
    (["Roskosmos"], [("Roskosmos", "Roskosmos")], ["Roscosmos"]),                 # [[Roskosmos]]
    (["Roscosmos"], [("Roscosmos", "Roscosmos State Corporation")], ["Roscosmos"]),
    (["Experimental Design Bureau (OKB-1)"], [("Experimental Design Bureau", "OKB")], ["OKB-1"]),  # Soyuz_1
    (["Experimental Design Bureau OKB-1"], [("OKB-1", "OKB-1")], ["OKB-1"]),      # "Experimental Design Bureau [[OKB-1]]"
    (["OKB-1"], [("OKB-1", "Energia (corporation)")], ["OKB-1"]),                 # Soyuz_7K-ST_No.16L operator
    (["US Air Force/NASA"], [("US Air Force", "US Air Force"), ("NASA", "NASA")],
     ["US Air Force", "NASA"]),                                                   # X-15 flights
    (["USAF/NASA"], [("NASA", "NASA")], ["US Air Force", "NASA"]),                # "USAF/[[NASA]]"
    (["NASA and DLR"], [("NASA", "NASA"), ("DLR", "German Aerospace Center")],
     ["NASA", "German Aerospace Center"]),
    (["Vast and SpaceX"], [("Vast", "Vast (company)"), ("SpaceX", "SpaceX")], ["Vast", "SpaceX"]),  # Vast-1
    (["Axiom Space", "SpaceX"], [("Axiom Space", "Axiom Space"), ("SpaceX", "SpaceX")],
     ["Axiom Space", "SpaceX"]),                                                  # {{hlist|...}}
    (["Boeing Defense, Space & Security"], [], ["Boeing Defense, Space & Security"]),  # not split
    (["NPO Energia"], [("NPO Energia", "Energia (corporation)")], ["Energia"]),
    (["RKK Energia"], [("RKK Energia", "S.P. Korolev Rocket and Space Corporation Energia")], ["Energia"]),
    (["RKTs Progress"], [("RKTs Progress", "Progress Rocket Space Centre")], ["Progress Rocket Space Centre"]),
    (["Airbus"], [("Airbus", "Airbus Defence and Space")], ["Airbus Defence and Space"]),  # the link decides
    (["Rosaviakosmos"], [("Rosaviakosmos", "Rosaviakosmos")], ["Rosaviakosmos"]),  # a former name stays
])
def test_canonical_names_from_real_values(items, links, expected):
    assert organisations(items, links) == expected


def test_fold_ignores_case_dots_and_hyphens():
    assert fold("U.S. Air Force") == fold("US Air Force") == fold("us air-force")
    assert canonical("U.S. Air Force") == "US Air Force"


def test_unknown_organisation_keeps_its_name_or_link_target():
    assert canonical("Sierra Space") == "Sierra Space"
    assert canonical("Sierra", "Sierra Space (company)") == "Sierra Space"
    assert canonical(None) == "" and organisations([None, "", "  "]) == []
