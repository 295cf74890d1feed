"""Golden pairs: each bundled article and its expected rows (tests/golden/<input>.json).

Regenerate after a deliberate change with `UPDATE_GOLDEN=1 make test` and review the diff.
The explicit assertions below pin the values the foundation issue names, so a wrong golden file
cannot pass unnoticed.
"""
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.run import process
from pipeline.sources.files import list_inputs, read_file

GOLDEN = Path(__file__).parent / "golden"
RAW = Path(__file__).resolve().parents[1] / "raw"
CORPUS = Path(__file__).parent / "corpus"   # real non-mission articles (see ATTRIBUTION.md)


def _plain(v):
    if isinstance(v, datetime):
        return v.isoformat()
    return v


def snapshot(result) -> dict:
    b = result.bundle
    out = {"input": result.input_row, "infobox_params": len(result.params)}
    out["input"] = {k: v for k, v in out["input"].items() if k != "sha256"}
    boxes: dict = {}
    for p in result.params:
        box = boxes.setdefault(str(p["infobox"]), {"template": p["template"], "parent": p["parent"],
                                                  "params": {}})
        if len(box["params"]) < 12:
            box["params"][p["param"]] = p["text"][:160]
    out["infoboxes"] = boxes
    for other in result.others:
        out[other.table] = {k: _plain(v) for k, v in sorted(other.row.items())}
    if b is not None:
        out["mission"] = {k: _plain(v) for k, v in sorted(b.row.items())}
        out["crew"] = [{k: _plain(v) for k, v in c.items()} for c in b.crew]
        out["events"] = sorted(({k: _plain(v) for k, v in e.items()} for e in b.events),
                               key=lambda e: (e["utc"], e["event"], e["evidence"]))
        out["issues"] = sorted(f"{i.code}:{i.field}" for i in b.issues)
        out["facts"] = sorted(({k: _plain(v)[:160] if isinstance(v, str) else _plain(v)
                                for k, v in f.items()} for f in b.facts),
                              key=lambda f: (f["field"], f["location"] or "", f["raw"] or ""))
    return out


def _process(name, folder=RAW):
    return process(read_file(folder / name, folder, 10**8))


CASES = [(RAW, p.name) for p in list_inputs(RAW)] + [(CORPUS, p.name) for p in list_inputs(CORPUS)]


@pytest.mark.parametrize("folder,name", CASES, ids=[n for _, n in CASES])
def test_golden(folder, name):
    got = snapshot(_process(name, folder))
    path = GOLDEN / f"{name}.json"
    text = json.dumps(got, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with UPDATE_GOLDEN=1"
    assert json.loads(text) == json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [p.name for p in list_inputs(CORPUS)])
def test_non_mission_articles_make_no_mission_but_keep_their_infoboxes(name):
    r = _process(name, CORPUS)
    assert r.bundle is None, "a page without a spaceflight infobox must not become a mission"
    assert r.input_row["outcome"] == "no_mission", r.input_row
    if "{{infobox" in (CORPUS / name).read_text(encoding="utf-8", errors="replace").lower():
        assert r.params, "its infoboxes still land in infobox_params"


def test_seed_mission_as_the_foundation_issue_states():
    m = _process("Soyuz_MS-25.txt").bundle.row
    expected = {
        "title": "Soyuz MS-25", "mission_id": "soyuz-ms-25", "names_list": ["ISS 71S"],
        "mission_type": "ISS crew transport", "operator": "Roscosmos", "orbits_completed": 2944,
        "spacecraft": "Soyuz MS-25 No. 756", "spacecraft_type": "Soyuz MS", "manufacturer": "Energia",
        "launch_rocket": "Soyuz-2.1a No. 15000-066", "launch_site": "Baikonur, Site 31/6",
        "launch_contractor": "RKTs Progress", "landing_site": "Kazakh Steppe, Kazakhstan",
        "crew_callsign": "Kazbek", "orbit_reference": "Geocentric orbit",
        "orbit_regime": "Low Earth orbit", "inclination_deg": 51.66, "programme": "Soyuz programme",
        "previous_mission": "Soyuz MS-24", "next_mission": "Soyuz MS-26", "source_format": "text",
    }
    assert {k: m.get(k) for k in expected} == expected
    # media and template switches are not mission data
    assert "gee" not in {str(v) for v in m.values()}
    assert set(m["lost_fields"]) >= {"launch_date", "landing_date"}


def test_seed_crew_legs():
    crew = _process("Soyuz_MS-25.txt").bundle.crew
    legs = {leg: [c["person"] for c in sorted(crew, key=lambda c: c["seat"]) if c["leg"] == leg]
            for leg in ("launch", "landing")}
    # seats in the order the box lists them: "Crew Members" (line 17 of the seed) before "Crew
    # Launching" / "Crew Landing" (the crew photo caption agrees: "from left: Dyson, Novitsky, ...")
    assert legs == {"launch": ["Tracy Caldwell Dyson", "Oleg Novitsky", "Maryna Vasileuskaya"],
                    "landing": ["Tracy Caldwell Dyson", "Oleg Kononenko", "Nikolai Chub"]}
    keys = {c["person"]: c["person_key"] for c in crew}
    assert keys["Tracy Caldwell Dyson"] == "Tracy Caldwell Dyson"


@pytest.mark.parametrize("name,launch,landing,site,rocket,crew", [
    ("Apollo_11.wikitext", datetime(1969, 7, 16, 13, 32, tzinfo=timezone.utc),
     datetime(1969, 7, 24, 16, 50, 35, tzinfo=timezone.utc), "Kennedy LC-39A", "Saturn V SA-506",
     ["Neil Armstrong", "Michael Collins (astronaut)", "Buzz Aldrin"]),
    ("Apollo_8.wikitext", datetime(1968, 12, 21, 12, 51, tzinfo=timezone.utc),
     datetime(1968, 12, 27, 15, 51, 42, tzinfo=timezone.utc), "Kennedy LC-39A", "Saturn V SA-503",
     ["Frank Borman", "Jim Lovell", "William Anders"]),
])
def test_apollo_instants_sites_crew(name, launch, landing, site, rocket, crew):
    b = _process(name).bundle
    m = b.row
    assert (m["launch_utc"], m["launch_precision"], m["launch_source"]) == (launch, "second", "infobox")
    assert (m["landing_utc"], m["landing_precision"], m["landing_source"]) == (landing, "second", "infobox")
    assert m["launch_site"] == site and m["launch_rocket"] == rocket
    assert [c["person_key"] for c in b.crew if c["leg"] == "launch"] == crew
    assert m["crew_size"] == 3 and m["crew_launch_count"] == 3


def test_apollo_11_orbit_and_units():
    m = _process("Apollo_11.wikitext").bundle.row
    assert m["inclination_deg"] == pytest.approx(1.25)
    assert m["period_min"] == pytest.approx(120)
    assert m["perigee_km"] == pytest.approx(54.5 * 1.852, rel=1e-3)
    assert m["apogee_km"] == pytest.approx(66.1 * 1.852, rel=1e-3)
    assert m["launch_mass_kg"] == pytest.approx(100756 * 0.45359237, rel=1e-4)
    assert m["landing_lat"] == pytest.approx(13 + 19 / 60, abs=1e-4)
    assert m["landing_lon"] == pytest.approx(-(169 + 9 / 60), abs=1e-4)
    assert m["landing_site"] == "North Pacific Ocean"
    assert m["duration_s"] == 8 * 86400 + 3 * 3600 + 18 * 60 + 35
    assert m["cospar_id"] == "1969-059A" and m["satcat"] == 4039
