"""Hostile input, round two (issue 18): each attack, then the guarantee it must not break.

Attacks that the fuzzer did not generate: surrogates, ids and instants out of range, hostile
file-system entries in raw/, quadratic lines, oversized inputs. The guarantees: the run never
crashes (exit 0 or 3, tables published), every entry of raw/ and every page of a dump is
accounted for exactly once with a reason, no work grows faster than the input.
"""
from __future__ import annotations

import json
import os
import re
import threading
import time
from datetime import timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.core.untrusted import clean_text, int64, text_sha256, utc_instant
from pipeline.extract.text import _PARAM_LINE, looks_rendered
from pipeline.run import run
from pipeline.schema import to_table
from pipeline.sources import iter_inputs, walk
from pipeline.sources.dump import is_dump, iter_dump
from pipeline.sources.files import ReadFailure, detect_format, read_file
from pipeline.validate.derived import _DESIGNATION

ROOT = Path(__file__).resolve().parents[1]


def page(name: str, extra: str = "") -> str:
    """A minimal mission article (written for these tests)."""
    return (f"{{{{Infobox spaceflight\n| name = {name}\n| mission_type = Test\n"
            f"| launch_date = {{{{start date|2020|1|1}}}}\n{extra}}}}}\n'''{name}''' was a test flight.\n")


def dump_xml(pages: list[dict], before: str = "") -> str:
    body = []
    for p in pages:
        idx = f"<id>{p['id']}</id>" if "id" in p else ""
        rev = f"<id>{p.get('rev', 1)}</id><timestamp>{p.get('ts', '2024-01-01T00:00:00Z')}</timestamp>"
        body.append(f"<page><title>{p['title']}</title><ns>0</ns>{idx}<revision>{rev}"
                    f"<text>{p.get('text', page(p['title']))}</text></revision></page>")
    return f"{before}<mediawiki>{''.join(body)}</mediawiki>"


def config(tmp: Path, **over) -> Config:
    return Config(raw_dir=tmp / "raw", out_dir=tmp / "out", reports_dir=tmp / "reports",
                  expectations_dir=ROOT / "expectations", progress=False, workers=0, **over)


def table(tmp: Path, name: str) -> list[dict]:
    return pq.read_table(tmp / "out" / f"{name}.parquet").to_pylist()


# --- one input must not crash the run ---------------------------------------------------------

@pytest.mark.slow  # whole runs
def test_surrogates_ids_and_instants_out_of_range_do_not_stop_the_run(tmp_path):
    """Attack: a surrogate entity in an infobox (lone, and an editor's pair for a rocket), a
    sidecar with rev_id 10^23, a title with a lone surrogate and a right-to-left override, a dump
    page with ids >= 2^63 and a timestamp that leaves year 1 once in UTC. Each used to stop the
    whole run in to_table (UnicodeEncodeError / OverflowError). Guarantee: the run publishes,
    every input has its row, out-of-range values are null, text is what UTF-8 can hold."""
    raw = tmp_path / "raw"
    (raw / "api").mkdir(parents=True)
    (raw / "Alpha_1.wikitext").write_text(page("Alpha 1", "| spacecraft = X&#xD800;Y &#xD83D;&#xDE80;\n"))
    (raw / "api" / "Beta_2.wikitext").write_text(page("Beta 2"))
    (raw / "api" / "Beta_2.wikitext.meta.json").write_text(
        '{"title": "Beta \\ud800\\u202e2", "page_id": 12, "rev_id": 100000000000000000000000, '
        '"rev_timestamp": "0001-01-01T00:00:00+14:00", "source_format": "api"}')
    (raw / "d.xml").write_text(dump_xml([
        {"title": "Gamma 3", "id": 2**63, "rev": 2**64, "ts": "0001-01-01T00:00:00+14:00"},
        {"title": "Delta 4", "id": 4, "rev": 5, "ts": "9999-12-31T23:00:00-02:00"}]))
    result = run(config(tmp_path))
    assert result.exit_code == 0 and result.summary.published
    missions = {m["title"]: m for m in table(tmp_path, "missions")}
    assert set(missions) == {"Alpha 1", "Beta \ufffd2", "Gamma 3", "Delta 4"}
    assert missions["Alpha 1"]["spacecraft"] == "X\ufffdY \U0001F680"
    assert missions["Beta \ufffd2"]["rev_id"] is None and missions["Beta \ufffd2"]["rev_timestamp"] is None
    assert missions["Beta \ufffd2"]["page_id"] == 12
    assert missions["Gamma 3"]["page_id"] is None and missions["Gamma 3"]["rev_id"] is None
    assert missions["Gamma 3"]["rev_timestamp"] is None and missions["Delta 4"]["rev_timestamp"] is None
    assert {r["source"] for r in table(tmp_path, "inputs")} == {
        "Alpha_1.wikitext", "api/Beta_2.wikitext", "d.xml#page=Gamma 3", "d.xml#page=4"}


def test_to_table_pairs_or_replaces_surrogates_made_inside_a_stage():
    """Attack: text decoded after the edge (an entity) holds surrogates. Guarantee: the Arrow
    table is built, pairs become their character and lone ones U+FFFD."""
    t = to_table("inputs", [{"source": "a\ud800", "title": "\ud83d\ude80", "reason": None}], "r")
    assert t.column("source").to_pylist() == ["a\ufffd"]
    assert t.column("title").to_pylist() == ["\U0001F680"]


def test_clean_text_is_the_one_edge_rule():
    assert clean_text("e\u0301te\u0301") == "\u00e9t\u00e9"                 # NFC: one form of "été"
    assert clean_text("Apollo\u202e 11\u2066\x07\x1b[31m") == "Apollo 11[31m"   # bidi, C0 controls
    assert clean_text("tab\tline\ncr\r") == "tab\tline\ncr\r"
    assert clean_text("\u200fRTL mark\u200e stays") == "\u200fRTL mark\u200e stays"
    assert clean_text("\udcff") == "\ufffd"
    assert text_sha256("x\ud800") != text_sha256("x\ufffd")               # the hash is of what was read


def test_ids_and_instants_are_range_checked_where_they_enter():
    assert int64("9223372036854775807") == 2**63 - 1
    assert int64(2**63) is None and int64("9223372036854775808") is None and int64("1" * 400) is None
    assert int64(-1) is None and int64(True) is None and int64("１２") is None and int64(1.0) is None
    assert utc_instant("0001-01-01T00:00:00+14:00") is None
    assert utc_instant("9999-12-31T23:00:00-02:00") is None
    assert utc_instant("2024-01-01T02:00:00+02:00").isoformat() == "2024-01-01T00:00:00+00:00"
    assert utc_instant("2024-01-01T00:00:00") is None
    assert utc_instant("2024-01-01T00:00:00", assume_utc=True).tzinfo is timezone.utc


def test_the_hash_of_what_was_read_is_kept(tmp_path):
    """The inputs table names the text as read, not as cleaned (so a changed file is seen)."""
    (tmp_path / "a.wikitext").write_bytes(page("E\u0301te\u0301 1").encode())
    item = read_file(tmp_path / "a.wikitext", tmp_path, 10**6)
    assert "\u00c9t\u00e9 1" in item.content
    assert item.sha256 == text_sha256(page("E\u0301te\u0301 1"))


# --- every entry of raw/ accounted for ----------------------------------------------------------

def test_every_entry_of_raw_has_a_row_and_links_out_are_not_followed(tmp_path):
    """Attack: a name that is not UTF-8, folders 1,200 deep (RecursionError before), a FIFO, a
    dangling link, a link to a folder, a link to /etc/passwd (its first 200 characters used to
    reach quarantine.excerpt). Guarantee: each is one ReadFailure with the reason, in order,
    nothing outside raw/ is opened, and the deep file is read."""
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    (raw / "sub" / "Ok.wikitext").write_text(page("Ok 1"))
    with open(os.path.join(os.fsencode(raw), b"bad\xff.wikitext"), "w") as fh:
        fh.write(page("Bad 1"))
    os.mkfifo(raw / "fifo.wikitext")
    os.symlink(raw / "gone.wikitext", raw / "dangling.wikitext")
    os.symlink(raw / "sub", raw / "linkdir")
    os.symlink("/etc/passwd", raw / "passwd.txt")
    os.symlink(raw / "sub" / "Ok.wikitext", raw / "inside.wikitext")
    fd = os.open(raw, os.O_RDONLY)
    for _ in range(1200):  # os.makedirs itself recurses
        os.mkdir("d", dir_fd=fd)
        fd, old = os.open("d", os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    with open(os.open("Deep.wikitext", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as fh:
        fh.write(page("Deep 1"))
    os.close(fd)
    try:
        (raw / "README.md").write_text("documentation, not an input")

        entries = walk(raw)
        failures = {e.source: e.reason for e in entries if isinstance(e, ReadFailure)}
        assert failures == {
            "bad\\xff.wikitext": "name is not valid UTF-8; not read (rename it)",
            "fifo.wikitext": "a FIFO, not a file; not read",
            "dangling.wikitext": "broken symbolic link (its target does not exist)",
            "linkdir": "symbolic link to a folder, not followed (the folder's own files are read where they are)",
            "passwd.txt": "symbolic link to outside the input folder, not followed",
        }
        paths = [e.relative_to(raw).as_posix() for e in entries if isinstance(e, Path)]
        assert paths == ["d/" * 1200 + "Deep.wikitext", "inside.wikitext", "sub/Ok.wikitext"]
        items = list(iter_inputs(raw, 10**6))  # no FIFO is opened (that would block), no recursion
        assert len(items) == len(entries)
        assert not any("root:" in (getattr(i, "excerpt", "") or "") for i in items)
    finally:  # pytest's own clean-up would recurse 1,200 deep
        _remove_chain(raw, 1200, "Deep.wikitext")


def _remove_chain(top: Path, depth: int, leaf: str) -> None:
    """Remove d/d/.../leaf without recursion (shutil.rmtree recurses once per level)."""
    fds = [os.open(top, os.O_RDONLY)]
    for _ in range(depth):
        fds.append(os.open("d", os.O_RDONLY, dir_fd=fds[-1]))
    os.unlink(leaf, dir_fd=fds[-1])
    for parent in reversed(fds[:-1]):
        os.close(fds.pop())
        os.rmdir("d", dir_fd=parent)
    os.close(fds.pop())


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_an_unreadable_folder_is_a_row(tmp_path):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.wikitext").write_text(page("A 1"))
    os.chmod(tmp_path / "locked", 0)
    try:
        assert [(e.source, e.reason) for e in walk(tmp_path)] == [
            ("locked", "cannot list folder: Permission denied")]
    finally:
        os.chmod(tmp_path / "locked", 0o755)


def test_fetched_pages_with_documentation_titles_are_read(tmp_path):
    """Attack: `fetch` stores "Readme" and "License to Launch" as Readme.wikitext and
    License_to_Launch.wikitext (with sidecars); the README/LICENSE filter then skipped them
    silently. Guarantee: a file with a sidecar is a page; documentation without one is not."""
    api = tmp_path / "api"
    api.mkdir()
    for stem, title in (("Readme", "Readme"), ("License_to_Launch", "License to Launch")):
        (api / f"{stem}.wikitext").write_text(page(title))
        (api / f"{stem}.wikitext.meta.json").write_text(json.dumps({"title": title, "source_format": "api"}))
    (tmp_path / "LICENSE.txt").write_text("not an input")
    assert sorted(p.name for p in walk(tmp_path)) == ["License_to_Launch.wikitext", "Readme.wikitext"]


def test_a_file_over_the_cap_is_refused_without_being_read(tmp_path):
    """Attack: a 6 GB file (sparse here) was read whole before the size check (MemoryError).
    Guarantee: refused from its size, quickly, and nothing more than the cap is ever read."""
    big = tmp_path / "big.wikitext"
    with open(big, "wb") as fh:
        fh.truncate(6 * 2**30)
    start = time.perf_counter()
    failure = read_file(big, tmp_path, 20_000_000)
    assert isinstance(failure, ReadFailure)
    assert failure.reason == "input is 6,442,450,944 bytes, over the limit of 20,000,000"
    assert time.perf_counter() - start < 1


# --- dumps ------------------------------------------------------------------------------------

def test_a_dump_page_over_the_cap_is_refused_while_reading(tmp_path):
    """Attack: a huge <text> reached the driver whole (1.5 GB for 500 MB). Guarantee: the text is
    counted, not held, past the cap, and the page is a ReadFailure; the next page is read."""
    (tmp_path / "d.xml").write_text(dump_xml([{"title": "Huge", "id": 1, "text": "x" * 50_000},
                                              {"title": "Small", "id": 2}]))
    items = list(iter_dump(tmp_path / "d.xml", max_text=10_000))
    assert isinstance(items[0], ReadFailure)
    assert items[0].reason == "page text is 50,000 characters, over the limit of 10,000"
    assert items[1].title == "Small"
    via_raw = list(iter_inputs(tmp_path, 10_000))  # raw/'s size limit is the dump pages' limit too
    assert isinstance(via_raw[0], ReadFailure) and via_raw[1].title == "Small"


def test_an_export_with_a_long_licence_comment_is_a_dump(tmp_path):
    """Attack: more than 2 KB before <mediawiki> (a licence comment) made the export one
    wikitext page. Guarantee: the prolog is skipped, the pages are read."""
    before = '<?xml version="1.0"?>\n<!-- ' + "licence text - - " * 500 + " -->\n"
    (tmp_path / "d.xml").write_text(dump_xml([{"title": "Alpha 1", "id": 1}], before=before))
    assert is_dump(tmp_path / "d.xml")
    assert [i.title for i in iter_dump(tmp_path / "d.xml")] == ["Alpha 1"]
    (tmp_path / "w.wikitext").write_text("Text that quotes <mediawiki> in its first lines.\n{{Infobox}}")
    assert not is_dump(tmp_path / "w.wikitext")


# --- no regex on untrusted text is worse than linear ----------------------------------------------

_OLD_PARAM_LINE = re.compile(r"^\s*[-*\u2022]\s+([^:\n]{1,80}?)\s*:(?:\s+(.*?))?\s*$")
_OLD_DESIGNATION = re.compile(r"\b((?:[A-Z][A-Za-z]+\s+)+)([A-Z]{1,4})-(\d{1,4}[A-Z]?)(?![\w-])")


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \t\u00a0-*\u2022:ab\u00e9x", max_size=24))
def test_param_line_reads_what_the_backtracking_form_read(line):
    old, new = _OLD_PARAM_LINE.match(line), _PARAM_LINE.match(line)
    assert (old and old.groups()) == (new and new.groups())


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["Soyuz", "MS", "A", "Crew", " ", "  ", "-", "25", "7A", "x", "\u00a0"]),
                max_size=14).map("".join))
def test_designation_finds_what_the_backtracking_form_found(text):
    def keys(rx):
        return [(m.group(1).split()[-1], m.group(2), m.group(3), m.end()) for m in rx.finditer(text)]
    assert keys(_OLD_DESIGNATION) == keys(_DESIGNATION)


@pytest.mark.parametrize("line", [
    lambda k: "- " + " " * k + "x",                   # 20 KB of this took 80 s
    lambda k: "- a" + " " * k + "b: c",
    lambda k: "- a: " + "x " * (k // 2) + "  y",
    lambda k: "- a:" + " " * k + "y" + " " * k,
    lambda k: "* " + "\u00a0 " * (k // 2),
])
def test_reading_a_long_line_is_linear(line, assert_linear):
    def read(text):
        _PARAM_LINE.match(text)
        looks_rendered(text + "\n" + text)
        detect_format(text)
    assert_linear(read, line, 200_000)


@pytest.mark.parametrize("text", [lambda k: "Ab " * (k // 3), lambda k: "Soyuz " * (k // 6) + "MS-25",
                                  lambda k: "A" * k])
def test_designations_in_a_megabyte_are_linear(text, assert_linear):
    assert_linear(lambda t: list(_DESIGNATION.finditer(t)), text, 1_000_000)


# --- publishing and the report ---------------------------------------------------------------

@pytest.mark.slow  # whole runs
def test_the_shrink_guard_sees_a_snapshot_published_while_the_run_validated(tmp_path, monkeypatch):
    """Attack: a run starts on an empty output folder; while it validates, an overlapping run
    holds the publish lock and publishes five missions. The guard read the manifest before taking
    the lock, so the late run then published 5 -> 1 missions with exit 0. Guarantee: the guard and the publish happen
    under one lock; the late run is blocked and the five missions stay current."""
    import pipeline.validate as V
    from pipeline import load

    other = tmp_path / "other"
    (other / "raw").mkdir(parents=True)
    for i in range(5):
        (other / "raw" / f"M{i}.wikitext").write_text(page(f"Mission {i}"))
    assert run(config(other)).exit_code == 0
    published = {p.stem: pq.read_table(p) for p in (other / "out").glob("*.parquet")}

    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "Late.wikitext").write_text(page("Late 1"))
    (tmp_path / "out").mkdir()
    real, holding = V.validate, threading.Event()

    def overlapping_run():  # takes the lock first, publishes a second later, lets go
        with load._publish_lock(tmp_path / "out"):
            holding.set()
            time.sleep(1.0)
            load._publish(published, tmp_path / "out", "20000101T000000000Z-overlap", 3, None)

    def validate_while_another_run_publishes(*a, **k):
        outcome = real(*a, **k)
        threading.Thread(target=overlapping_run, daemon=True).start()
        holding.wait(5)
        return outcome

    monkeypatch.setattr(V, "validate", validate_while_another_run_publishes)
    result = run(config(tmp_path))
    assert result.exit_code == 3 and not result.summary.published
    assert len(table(tmp_path, "missions")) == 5


def test_titles_are_literal_text_in_the_markdown_report():
    """Attack: a title with a Markdown link, an image, emphasis and code reached dq.md verbatim
    (a link to anywhere in the team's report). Guarantee: it is escaped as Markdown."""
    from pipeline.validate.report import _label

    shown = _label({"title": "[click](http://evil.example) ![x](http://evil.example/p.png) *b* `c` a|b",
                    "mission_id": "m-1"})
    assert shown == (r"\[click\](http://evil.example) !\[x\](http://evil.example/p.png) \*b\* \`c\` a\|b"
                     " (`m-1`)")


# --- identity -----------------------------------------------------------------------------------

@pytest.mark.slow  # whole runs
def test_pages_are_told_apart_by_title_not_by_slug_and_duplicates_are_one_row(tmp_path):
    """Attack: "Apollo 11", "APOLLO 11" and "Apollo-11" share the slug apollo-11 and knocked each
    other out (mission_id_unique held all back); "Été 1" typed in its two Unicode forms too; two
    dump <page>s with one id gave two inputs rows under one source, and the next incremental run
    on the same input lost a mission. Guarantee: different titles, different ids (slug + hash);
    one title twice, one mission and one duplicate row; the incremental run gives the same tables."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for stem in ("Apollo_11", "APOLLO_11", "Apollo-11", "E\u0301te\u0301_1", "\u00c9t\u00e9_1"):
        (raw / f"{stem}.wikitext").write_text(page(stem.replace("_", " ")))
    (raw / "d.xml").write_text(dump_xml([{"title": "Gamma 7", "id": 7}, {"title": "Gamma 8", "id": 7}]))
    first = run(config(tmp_path))
    missions = {m["title"]: m["mission_id"] for m in table(tmp_path, "missions")}
    assert sorted(missions) == ["APOLLO 11", "Apollo 11", "Apollo-11", "Gamma 7", "\u00c9t\u00e9 1"]
    assert len(set(missions.values())) == 5
    assert all(re.fullmatch(r"apollo-11-[0-9a-f]{8}", missions[t]) for t in ("APOLLO 11", "Apollo 11", "Apollo-11"))
    assert missions["Gamma 7"] == "gamma-7"
    inputs = {r["source"]: r for r in table(tmp_path, "inputs")}
    assert len(inputs) == 7
    assert inputs["d.xml#page=7#duplicate=2"]["outcome"] == "quarantined"
    dup = [r for r in inputs.values() if r["reason"] and r["reason"].startswith("duplicate page")]
    assert len(dup) == 1 and dup[0]["title"] == "\u00c9t\u00e9 1"
    crew_ids = {r["mission_id"] for r in table(tmp_path, "facts")}
    assert crew_ids <= set(missions.values())

    second = run(config(tmp_path))
    assert second.summary.inputs_reused >= 4
    assert {t: v["sha256"] for t, v in second.manifest["tables"].items()} == \
           {t: v["sha256"] for t, v in first.manifest["tables"].items()}


@pytest.mark.slow  # whole runs
def test_an_incremental_run_sees_a_changed_sidecar(tmp_path):
    """Attack: the sidecar of a fetched page changes (title, page id, timestamp) while content
    and revision stay. The incremental run reused the old rows. Guarantee: processed again."""
    api = tmp_path / "raw" / "api"
    api.mkdir(parents=True)
    (api / "Alpha_1.wikitext").write_text(page("Alpha 1"))
    meta = {"title": "Alpha 1", "page_id": 1, "rev_id": 10, "rev_timestamp": "2024-01-01T00:00:00Z",
            "source_format": "api"}
    (api / "Alpha_1.wikitext.meta.json").write_text(json.dumps(meta))
    run(config(tmp_path))
    for change in ({"page_id": 2}, {"rev_timestamp": "2024-02-02T00:00:00Z"}, {"title": "Alpha 2"}):
        meta.update(change)
        (api / "Alpha_1.wikitext.meta.json").write_text(json.dumps(meta))
        result = run(config(tmp_path))
        assert result.summary.inputs_reused == 0, change
        (m,) = table(tmp_path, "missions")
        assert (m["title"], m["page_id"], m["rev_timestamp"].isoformat()) == \
            (meta["title"], meta["page_id"], meta["rev_timestamp"].replace("Z", "+00:00"))
    assert run(config(tmp_path)).summary.inputs_reused == 1


def test_a_page_with_unbounded_parameters_is_quarantined_in_its_worker():
    """Attack: 300,000 infobox parameters made 670 MB of rows in the driver. Guarantee: over
    MAX_PARAMS the page is quarantined by process(), which runs in the worker, with the reason."""
    from pipeline.records import RawInput
    from pipeline.run import MAX_PARAMS, process

    text = "{{Infobox spaceflight\n" + "".join(f"| p{i} = v\n" for i in range(MAX_PARAMS + 1)) + "}}\n"
    result = process(RawInput(source="big.wikitext", fmt="wikitext", content=text, source_format="wikitext"))
    assert result.input_row["outcome"] == "quarantined" and not result.params
    assert result.input_row["reason"] == "10,001 infobox parameters, over the limit of 10,000 per page"


def test_foreign_entries_in_the_output_folder_do_not_break_a_publish(tmp_path):
    """Attack: `out/.tmp-keep` as a folder, `_current` as a real folder, a table path that is a
    folder: every run exited 1, some after publishing. Guarantee: the publish completes; the
    foreign folders are kept (set aside), not deleted."""
    import pyarrow as pa

    from pipeline import load

    out = tmp_path / "out"
    for folder in (".tmp-keep", "_current", "missions.parquet"):
        (out / folder).mkdir(parents=True)
        (out / folder / "mine.txt").write_text("keep me")
    tables = {"missions": pa.table({"mission_id": ["a"]})}
    manifest = load.publish(tables, out, "20240101T000000000Z-00000000")
    assert manifest["tables"]["missions"]["rows"] == 1
    assert pq.read_table(out / "missions.parquet").num_rows == 1
    assert (out / ".tmp-keep" / "mine.txt").exists()
    assert (out / "_current.foreign-20240101T000000000Z-00000000" / "mine.txt").exists()
    assert (out / "missions.parquet.foreign-20240101T000000000Z-00000000" / "mine.txt").exists()


def test_a_foreign_report_with_odd_types_does_not_break_the_trend():
    from pipeline.validate.report import build_trend

    current = {"run_id": "b", "expectations": [{"name": "x", "success": False, "severity": "error",
                                                "unexpected_count": 2}]}
    odd = {"run_id": "a", "expectations": [{"name": "x", "success": False, "failing_ids": 7,
                                            "unexpected_count": "many"}, {"name": "y", "success": 0,
                                                                          "unexpected_count": [1]}]}
    trend = build_trend(current, [odd])
    assert trend["runs"] == ["a", "b"]
    assert {r["name"]: r["failures"] for r in trend["expectations"]} == {"x": [1, 2], "y": [1, None]}


def test_a_date_template_with_an_eleven_digit_year_is_no_date():
    """Attack (found by the fuzzer's odd-values page): {{Start date|99999999999|13|45}} raised
    OverflowError and quarantined its page. Guarantee: it is not a date, the page is read."""
    from pipeline.wikitext.date_templates import render_numeric

    assert isinstance(render_numeric(["99999999999", "13", "45"]), str)


def test_enterprise_records_are_cleaned_and_range_checked_where_they_enter():
    """The Wikimedia Enterprise NDJSON reader meets the same attacks: a JSON `\\ud800` in the HTML
    or the name, an identifier >= 2^63, a date out of range once in UTC, a record nested 100,000
    deep (RecursionError in json). Guarantee: RawInputs Arrow can hold, or a ReadFailure."""
    import io

    from pipeline.sources.enterprise import _records

    good = ('{"name": "A\\ud800", "identifier": 9223372036854775808, "date_modified": '
            '"0001-01-01T00:00:00+14:00", "version": {"identifier": 5}, '
            '"article_body": {"html": "<table class=\\"infobox\\">x\\ud800</table>"}}\n')
    deep = "[" * 100_000 + "]" * 100_000 + "\n"
    items = list(_records(io.BytesIO((good + deep).encode()), "e.tar.gz", 10**7))
    item, failure = items
    assert (item.title, item.page_id, item.rev_id, item.rev_timestamp) == ("A\ufffd", None, 5, None)
    assert item.content == '<table class="infobox">x\ufffd</table>'
    assert isinstance(failure, ReadFailure) and "RecursionError" in failure.reason


def test_the_linearity_check_rejects_quadratic_work(assert_linear):
    """The guard above can fail: a loop over all pairs is 64x from n/8 to n."""
    def pairs(text):
        return sum(1 for i in range(len(text)) for _ in range(i))
    assert_linear(lambda t: t.count("a"), lambda k: "a" * k, 3_000)
    with pytest.raises(AssertionError, match="not linear"):
        assert_linear(pairs, lambda k: "a" * k, 3_000)
