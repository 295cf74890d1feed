"""The driver's intake (pipeline/intake.py): every input accounted for once, as its result comes
in, its inputs row staged as Parquet parts (parts.RowParts) and the same table published."""
import hashlib
import random
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import load, parts
from pipeline.intake import Intake, PageResult, quarantined
from pipeline.parts import RowParts, Staging
from pipeline.schema import to_table
from pipeline.transform.mapper import Bundle

ROOT = Path(__file__).resolve().parents[1]


def _input_rows(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [{"source": rng.choice(["d.xml#page=", "raw/É", "raw/z", "a"]) + f"{rng.randint(0, 10**6)}-{i}",
             "format": rng.choice(["wikitext", "text", None]),
             "outcome": rng.choice(["curated", "no_mission", "quarantined"]),
             "missions": rng.choice([0, 1]), "reason": rng.choice([None, "", "no infobox", "ü"]),
             "title": rng.choice([None, "Apollo 11", "Été 1"]), "sha256": rng.choice([None, "", f"{i:064x}"]),
             "rev_id": rng.choice([None, i])} for i in range(n)]


def _published(out: Path, name: str):
    return pq.read_table(out / f"{name}.parquet")


def test_inputs_rows_are_the_same_table_whether_buffered_or_staged_in_parts(tmp_path, small_parts):
    rows = _input_rows(50, seed=1)
    for folder, tiny in (("big", False), ("tiny", True)):
        if tiny:
            small_parts(9, 4, 3, 2, 3)
        out = tmp_path / folder
        with Staging(out) as staging:
            staged = RowParts("inputs", staging.folder)
            for r in rows:
                staged.add(dict(r))
            staged.finish()
            assert (len(staged.parts) > parts.FANIN) == tiny     # tiny: several parts, merged in passes
            assert staged.added == staged.num_rows() == 50
            manifest = load.publish({}, out, "r1", staged={"inputs": staged})
        want = to_table("inputs", rows, "r1")
        assert _published(out, "inputs").equals(want)
        assert manifest["tables"]["inputs"] == {"rows": 50, "sha256": load.content_hash(want)}


def test_amended_rows_are_published_amended_and_the_others_as_they_were(tmp_path, small_parts):
    small_parts(9, 4, 3, 2, 3)
    rows = _input_rows(30, seed=2)
    held = {rows[3]["source"]: "inclination_in_range", rows[17]["source"]: "a, b"}
    with Staging(tmp_path) as staging:
        staged = RowParts("inputs", staging.folder)
        for r in rows:
            staged.add(dict(r))
        staged.finish()
        staged.amend({s: {"outcome": "quarantined", "missions": 0, "reason": "validation failed: " + why}
                      for s, why in held.items()})
        load.publish({}, tmp_path, "r1", staged={"inputs": staged})
    want = [r if r["source"] not in held else {**r, "outcome": "quarantined", "missions": 0,
                                                "reason": "validation failed: " + held[r["source"]]}
            for r in rows]
    assert _published(tmp_path, "inputs").equals(to_table("inputs", want, "r1"))


def _mission(source: str, title: str, slug: str, facts: int = 2) -> PageResult:
    row = {"source": source, "format": "wikitext", "outcome": "curated", "missions": 1, "reason": None,
           "title": title, "sha256": hashlib.sha256(source.encode()).hexdigest(), "rev_id": 1}
    b = Bundle(table="missions", row={"mission_id": slug, "title": title, "source": source},
               facts=[{"mission_id": slug, "field": f"f{i}", "source": "infobox"} for i in range(facts)])
    return PageResult(row, params=_params(source, title), bundle=b)


def _plain(source: str, sha: str | None = "x") -> PageResult:
    row = {"source": source, "format": "wikitext", "outcome": "no_mission", "missions": 0,
           "reason": "no infobox", "title": source.upper(), "sha256": sha, "rev_id": None}
    return PageResult(row, params=_params(source, source.upper()))


def _params(source: str, title: str) -> list[dict]:
    return [{"source": source, "title": title, "infobox": 0, "template": "Infobox x", "param": p,
             "raw": p, "text": p, "parent": None} for p in ("a", "b")]


def test_every_input_is_accounted_for_once_as_it_comes(tmp_path, small_parts):
    """Duplicate sources (twice again), a title read twice, a read failure, a reused input: one
    inputs row each, the duplicates quarantined with their reasons; the duplicates' params and
    facts left out; only results with table rows kept; the counts are the table's."""
    small_parts(9, 4, 3, 2, 3)
    results = [
        _plain("d#page=1"), _mission("d#page=2", "Apollo 11", "apollo-11"),
        _plain("d#page=1", sha=None),                                   # duplicate source
        _mission("raw/Apollo_11.txt", "Apollo 11", "apollo-11"),        # duplicate title
        quarantined("raw/bad.bin", None, None, "read", "binary file", "", "ff"),
        _plain("d#page=1"),                                             # the source a third time
        _mission("d#page=3", "APOLLO 11", "apollo-11", facts=3),        # another title, same slug
        *[_plain(f"d#page={i}", sha="") for i in range(4, 24)],
    ]
    results[-1].reused = True
    with Staging(tmp_path) as staging:
        intake = Intake(staging)
        for r in results:
            intake.take(r)
        intake.finish()
        fingerprint = intake.fingerprint()
        facts = intake.facts_table("r1")
        intake.hold_back({"d#page=3": "crew_size_matches"})
        manifest = load.publish({}, tmp_path, "r1", staged={"infobox_params": staging, "inputs": intake.inputs})
    inputs = _published(tmp_path, "inputs").to_pylist()
    by_source = {r["source"]: r for r in inputs}
    assert len(inputs) == len(by_source) == len(results)               # once each, none lost
    assert by_source["d#page=1#duplicate=2"]["outcome"] == "quarantined"
    assert by_source["d#page=1#duplicate=3"]["reason"].startswith("duplicate input: d#page=1 was read already")
    assert by_source["raw/Apollo_11.txt"]["reason"].startswith("duplicate page: the title 'Apollo 11' is read from d#page=2")
    assert by_source["d#page=3"] | {"run_id": None} == {
        **results[6].input_row, "outcome": "quarantined", "missions": 0, "reason": "validation failed: crew_size_matches",
        "run_id": None, "schema_version": by_source["d#page=3"]["schema_version"]}
    assert by_source["d#page=1"]["sha256"] == "x" and by_source["d#page=2"]["outcome"] == "curated"
    assert intake.outcomes == {"no_mission": 21, "curated": 1, "quarantined": 5}
    assert sum(intake.outcomes.values()) == intake.inputs.added == len(inputs)
    assert intake.reused == 1
    # kept: the two missions, the three duplicates' and the read failure's quarantine results
    assert sorted(r.input_row["source"] for r in intake.kept) == sorted(
        ["d#page=2", "d#page=3", "d#page=1#duplicate=2", "d#page=1#duplicate=3", "raw/Apollo_11.txt", "raw/bad.bin"])
    # the params of the inputs kept, once each; the facts of the two missions, ids told apart
    params = _published(tmp_path, "infobox_params")
    assert sorted(set(params["source"].to_pylist())) == sorted(
        ["d#page=1", "d#page=2", "d#page=3"] + [f"d#page={i}" for i in range(4, 24)])
    assert manifest["tables"]["infobox_params"]["rows"] == params.num_rows == 2 * 23
    ids = {m: hashlib.sha1(t.encode()).hexdigest()[:8] for m, t in (("2", "Apollo 11"), ("3", "APOLLO 11"))}
    assert sorted(facts["mission_id"].to_pylist()) == sorted(
        [f"apollo-11-{ids['2']}"] * 2 + [f"apollo-11-{ids['3']}"] * 3)
    keys = sorted((r["sha256"] or r["source"]) for r in inputs)
    assert fingerprint == hashlib.sha256("\n".join(keys).encode()).hexdigest()


def test_fingerprint_of_no_inputs(tmp_path):
    with Staging(tmp_path) as staging:
        intake = Intake(staging)
        intake.finish()
        assert intake.fingerprint() == hashlib.sha256(b"").hexdigest()


@pytest.mark.slow  # two whole runs
def test_a_run_publishes_the_same_tables_with_parts_of_a_few_rows(tmp_path, small_parts):
    """Whole runs over articles, duplicates, bad files and a mission held back by validation:
    every table the same, whether the driver writes its parts every few rows or never; the
    summary's counts are those of the published inputs table."""
    from pipeline.config import Config
    from pipeline.run import run

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("Apollo_8.wikitext", "Soyuz_MS-25.txt"):
        shutil.copy(ROOT / "raw" / name, raw)
    shutil.copy(ROOT / "raw" / "Apollo_8.wikitext", raw / "Apollo_8.txt")      # the title read twice
    broken = (ROOT / "raw" / "Apollo_11.wikitext").read_text().replace(
        "| orbit_inclination     = 1.25&nbsp;degrees", "| orbit_inclination     = 200&nbsp;degrees")
    (raw / "Broken_11.wikitext").write_text(broken)                                          # held back
    (raw / "binary.dat").write_bytes(b"\x00\x01garbage")
    body = "".join(f"<page><title>{t}</title><ns>0</ns><id>{i}</id><revision><id>1</id>"
                   f"<timestamp>2024-01-01T00:00:00Z</timestamp><text>Text {t}.</text></revision></page>"
                   for t, i in (("Town", 7), ("Town again", 7), *((f"Plain {n}", n) for n in range(8, 30))))
    (raw / "d.xml").write_text(f"<mediawiki>{body}</mediawiki>")   # page id 7 twice; 22 plain pages

    def once(out: str):
        result = run(Config(raw_dir=raw, out_dir=tmp_path / out, reports_dir=tmp_path / f"{out}-reports",
                            progress=False, workers=0, fail_on="never", expectations_dir=ROOT / "expectations"))
        return result.manifest["tables"], result.summary

    big, summary = once("big")
    small_parts(9, 4, 3, 2, 3)
    tiny, tiny_summary = once("tiny")
    assert big == tiny
    inputs = pq.read_table(tmp_path / "tiny" / "inputs.parquet").to_pylist()
    outcomes = [r["outcome"] for r in inputs]
    assert (tiny_summary.inputs_read, tiny_summary.inputs_curated, tiny_summary.inputs_no_mission,
            tiny_summary.inputs_quarantined) == (len(inputs), outcomes.count("curated"),
                                                 outcomes.count("no_mission"), outcomes.count("quarantined"))
    assert (summary.inputs_read, summary.inputs_quarantined) == (tiny_summary.inputs_read, 4)
    by_source = {r["source"]: r for r in inputs}
    assert by_source["Broken_11.wikitext"]["reason"].startswith("validation failed: ")
    assert by_source["d.xml#page=7#duplicate=2"]["outcome"] == "quarantined"
    assert by_source["Apollo_8.wikitext"]["reason"].startswith("duplicate page")   # .txt comes first
