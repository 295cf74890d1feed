"""Each stage of the orchestrator is what it says: a failure is quarantined with the stage it
happened in, and the steps do not change what they are given."""
from __future__ import annotations

from pathlib import Path

from pipeline.extract import extract_page
from pipeline.records import RawInput
from pipeline.run import process
from pipeline.transform.mapper import map_all
from pipeline.transform.reconcile import reconcile

ROOT = Path(__file__).resolve().parents[1]


def apollo11() -> RawInput:
    return RawInput(source="Apollo_11.wikitext", fmt="wikitext", source_format="wikitext",
                    content=(ROOT / "raw" / "Apollo_11.wikitext").read_text(encoding="utf-8"),
                    title="Apollo 11")


def test_a_failure_in_the_prose_is_an_extract_failure(monkeypatch):
    from pipeline.extract import wikitext

    def broken(*args, **kwargs):
        raise RuntimeError("prose renderer broke")
    monkeypatch.setattr(wikitext, "_prose", broken)
    result = process(apollo11())
    assert result.input_row["outcome"] == "quarantined"
    assert result.quarantine[0]["stage"] == "extract"
    assert "prose renderer broke" in result.quarantine[0]["reason"]


def test_reconcile_returns_a_new_bundle_and_leaves_its_inputs_alone():
    page = extract_page(apollo11())
    [bundle] = [b for b in map_all(page, "Apollo 11") if b.table == "missions"]
    before = (dict(bundle.row), list(bundle.events), list(bundle.facts), [dict(c) for c in bundle.crew])
    out = reconcile(bundle, page)
    assert (bundle.row, bundle.events, bundle.facts, bundle.crew) == before
    assert len(out.events) > len(bundle.events)  # the prose events were added to the new one


def test_a_row_the_tables_cannot_store_quarantines_its_input_not_the_run(monkeypatch):
    """A row builder that puts a value of the wrong type in a column (a bug) is caught in the
    worker, against the same Arrow types the driver builds: this input is quarantined at stage
    transform, instead of the whole run failing when the tables are built."""
    from pipeline import run as run_module

    real = run_module.map_all

    def wrong_type(page, title):
        bundles = real(page, title)
        for b in bundles:
            if b.table == "missions":
                b.row["perigee_km"] = "low"   # text where a number belongs
        return bundles
    monkeypatch.setattr(run_module, "map_all", wrong_type)
    result = process(apollo11())
    assert result.input_row["outcome"] == "quarantined"
    assert result.quarantine[0]["stage"] == "transform"
    assert "missions.perigee_km cannot hold 'low'" in result.quarantine[0]["reason"]
