"""raw/ reading: format detection by content, bad input becomes a ReadFailure."""
from pipeline.sources.files import ReadFailure, detect_format, list_inputs, read_file


def test_bundled_inputs_are_recognised_by_content(raw_dir):
    found = {p.name: read_file(p, raw_dir, 10**8) for p in list_inputs(raw_dir)}
    assert set(found) == {"Soyuz_MS-25.txt", "Apollo_11.wikitext", "Apollo_8.wikitext"}
    assert found["Soyuz_MS-25.txt"].fmt == "text"
    assert found["Apollo_11.wikitext"].fmt == "wikitext"


def test_format_does_not_depend_on_the_file_name(tmp_path, raw_dir):
    (tmp_path / "article.txt").write_bytes((raw_dir / "Apollo_8.wikitext").read_bytes())
    (tmp_path / "article.wikitext").write_bytes((raw_dir / "Soyuz_MS-25.txt").read_bytes())
    assert read_file(tmp_path / "article.txt", tmp_path, 10**8).fmt == "wikitext"
    assert read_file(tmp_path / "article.wikitext", tmp_path, 10**8).fmt == "text"


def test_bad_inputs_are_failures_with_reasons(tmp_path):
    cases = {
        "empty.txt": (b"", "empty"),
        "blank.txt": (b"  \n\n", "empty"),
        "binary.bin": (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        "latin1.txt": ("Caf\u00e9 {{Infobox}}".encode("latin-1"), "UTF-8"),
        "big.txt": (b"{{x}}" * 100, "over the limit"),
        "noise.txt": (b"just some words with no markup at all", "neither"),
    }
    for name, (data, _) in cases.items():
        (tmp_path / name).write_bytes(data)
    for name, (_, why) in cases.items():
        r = read_file(tmp_path / name, tmp_path, 400)
        assert isinstance(r, ReadFailure), name
        assert why in r.reason, (name, r.reason)


def test_documentation_files_are_not_inputs(tmp_path):
    for name in ("README.md", "ATTRIBUTION.md", ".hidden", "a.wikitext"):
        (tmp_path / name).write_text("{{x}}")
    assert [p.name for p in list_inputs(tmp_path)] == ["a.wikitext"]


def test_detect_format():
    assert detect_format("#REDIRECT [[Apollo 11]]") == "wikitext"
    assert detect_format("nothing here") is None


def test_fetched_pages_carry_their_revision_metadata(tmp_path, raw_dir):
    import json
    from datetime import datetime, timezone
    api = tmp_path / "api"
    api.mkdir()
    (api / "Apollo_8.wikitext").write_bytes((raw_dir / "Apollo_8.wikitext").read_bytes())
    (api / "Apollo_8.wikitext.meta.json").write_text(json.dumps({
        "title": "Apollo 8", "page_id": 663, "rev_id": 716637143, "rev_timestamp": "2016-04-22T21:55:10Z",
        "sha1": "x", "source_format": "api", "source_url": "https://en.wikipedia.org/wiki/Apollo_8"}))
    (paths,) = [list_inputs(tmp_path)]
    assert [p.name for p in paths] == ["Apollo_8.wikitext"]
    r = read_file(paths[0], tmp_path, 10**8)
    assert (r.source, r.source_format, r.title, r.page_id, r.rev_id) == \
        ("api/Apollo_8.wikitext", "api", "Apollo 8", 663, 716637143)
    assert r.rev_timestamp == datetime(2016, 4, 22, 21, 55, 10, tzinfo=timezone.utc)


def test_a_broken_sidecar_does_not_lose_the_page(tmp_path, raw_dir):
    (tmp_path / "A.wikitext").write_bytes((raw_dir / "Apollo_8.wikitext").read_bytes())
    (tmp_path / "A.wikitext.meta.json").write_text("{not json")
    r = read_file(tmp_path / "A.wikitext", tmp_path, 10**8)
    assert r.fmt == "wikitext" and r.rev_id is None and r.source_format == "wikitext"
