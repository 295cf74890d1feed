"""The line patterns of the readers stay linear on hostile lines, and read what they read before
the rewrite (issue 18: every regex on untrusted text linear)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import text, wikitext
from pipeline.records import RawInput

# The backtracking forms they replaced, kept here only to check the new ones against.
OLD_HEADING = re.compile(r"^\s*(={1,6})\s*(.*?)\s*\1\s*$")
OLD_ITEM = re.compile(r"^(\s+)[-*\u2022]\s+(\S.*?)\s*$|^\s*[-*\u2022]\s+([^:\n]+?)\s*$")

LINE = st.lists(st.sampled_from([" ", "\t", "=", "a", "b", "-", "*", ":", "\u2022", "x y"]),
                max_size=16).map("".join)


@settings(max_examples=800, deadline=None)
@given(LINE)
def test_the_heading_pattern_reads_what_the_old_one_read(line):
    old = OLD_HEADING.match(line)
    new = text._HEADING.fullmatch(line.strip())
    assert (old and (old.group(1), old.group(2))) == (new and (new.group(1), new.group(2).strip()))


@settings(max_examples=800, deadline=None)
@given(LINE)
def test_the_item_pattern_reads_what_the_old_one_read_but_blank_items(line):
    old, new = OLD_ITEM.match(line), text._ITEM_LINE.match(line)
    if old is not None and not (old.group(2) or old.group(3)).strip():
        assert new is None  # a bullet followed by nothing but spaces is no item
    else:
        assert (old and old.groups()) == (new and new.groups())


@pytest.mark.parametrize("line", [lambda k: "== a" + " " * k + "b", lambda k: "  - x" + " " * k + "y",
                                  lambda k: "- x" + " " * k + "y", lambda k: "=" + " " * k])
def test_long_lines_of_spaces_are_read_in_linear_time(line, assert_linear):
    def read(line):   # the backtracking forms took minutes here
        text._HEADING.fullmatch(line.strip())
        text._ITEM_LINE.match(line)
        wikitext._HEADING.fullmatch(line.rstrip())
        page = "- Launch Date: 1 May 2020\n- Crew Members:\n" + line + "\n\nProse.\n" + line + "\n"
        text.extract_text(RawInput(source="x.txt", fmt="text", content=page, source_format="text"))
    assert_linear(read, line, 100_000)


@pytest.mark.parametrize("head", [lambda k: b" " * k, lambda k: b" \n" * (k // 2) + b"x",
                                  lambda k: b"<!--" + b"-" * k, lambda k: b"<?" + b"?" * k,
                                  lambda k: b"<!DOCTYPE" + b"[" * k])
def test_recognising_a_dump_is_linear_in_its_prolog(tmp_path, head, assert_linear):
    """The prolog pattern once tried every way of splitting a run of spaces: a file of a few
    dozen spaces took seconds in the driver, 64 KB forever."""
    from pipeline.sources.dump import is_dump
    path = tmp_path / "x.xml"

    def recognise(content: bytes) -> None:
        path.write_bytes(content)
        assert is_dump(path) is False
    assert_linear(recognise, head, 65_536)
    path.write_bytes(b"<?xml version='1.0'?>\n<!-- a licence -- notice -->\n<mediawiki xmlns='x'>")
    assert is_dump(path) is True
