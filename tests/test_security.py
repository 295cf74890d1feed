"""Hostile input: XML entity attacks, titles that look like paths, text that looks like code.

Nothing from the input may be expanded (entities), fetched (external entities, DTDs), turned
into a file path outside curated/ and reports/, or executed.
"""
import html
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import Config
from pipeline.core.untrusted import clean_text
from pipeline.records import RawInput
from pipeline.run import process, run
from pipeline.sources import ReadFailure, is_dump, iter_dump

ROOT = Path(__file__).resolve().parents[1]
MEDIAWIKI = '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10">'
PAGE = ("<page><title>{title}</title><ns>0</ns><id>{id}</id><revision><id>{rev}</id>"
        "<timestamp>2016-04-20T01:32:15Z</timestamp><text xml:space=\"preserve\">{text}</text></revision></page>\n")
BOX = ("{{Infobox spaceflight\n| name = X\n| mission_type = Crewed\n| launch_rocket = [[Saturn V]]\n"
       "| crew_members = [[Neil Armstrong]]\n}}\nThe mission launched.")


@pytest.fixture()
def secret(tmp_path) -> tuple[Path, str]:
    """A file standing in for /etc/passwd, with a token that must never show up anywhere."""
    token = f"TOPSECRET-{uuid.uuid4().hex}"
    path = tmp_path / "secret.txt"
    path.write_text(token + "\n")
    return path, token


def _laughs(levels: int = 10) -> str:
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, levels)]
    return f'<?xml version="1.0"?>\n<!DOCTYPE mediawiki [{"".join(ents)}]>\n'


def hostile_dumps(secret_path: Path) -> dict[str, str]:
    url = secret_path.as_uri()
    page = PAGE.format(title="X", id=1, rev=2, text="{text}")
    return {
        "billion-laughs": _laughs() + MEDIAWIKI + page.format(text="&lol9;") + "</mediawiki>",
        "quadratic-blowup": '<?xml version="1.0"?>\n<!DOCTYPE mediawiki [<!ENTITY a "' + "a" * 1000 + '">]>\n'
        + MEDIAWIKI + page.format(text="&a;" * 10_000) + "</mediawiki>",
        "xxe-secret": f'<?xml version="1.0"?>\n<!DOCTYPE mediawiki [<!ENTITY xxe SYSTEM "{url}">]>\n'
        + MEDIAWIKI + page.format(text="{{Infobox spaceflight|name=&xxe;}}") + "</mediawiki>",
        "xxe-passwd": '<?xml version="1.0"?>\n<!DOCTYPE mediawiki [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        + MEDIAWIKI + page.format(text="&xxe;") + "</mediawiki>",
        "external-dtd": f'<?xml version="1.0"?>\n<!DOCTYPE mediawiki SYSTEM "{url}">\n'
        + MEDIAWIKI + page.format(text="x") + "</mediawiki>",
        "parameter-entity": f'<?xml version="1.0"?>\n<!DOCTYPE mediawiki [<!ENTITY % p SYSTEM "{url}"> %p;]>\n'
        + MEDIAWIKI + page.format(text="x") + "</mediawiki>",
        "undeclared-entity": MEDIAWIKI + page.format(text="&xxe;") + "</mediawiki>",
    }


def _passwd_marker() -> str | None:
    try:
        first = Path("/etc/passwd").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    return first if len(first) > 8 else None


def _all_strings(folder: Path):
    """Every string cell of every table and every text file below folder."""
    for p in folder.rglob("*"):
        if p.is_symlink() or not p.is_file():
            continue
        if p.suffix == ".parquet":
            t = pq.read_table(p)
            for col in t.columns:
                for v in col.to_pylist():
                    if v is not None:
                        yield str(v)
        else:
            yield p.read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("name", ["billion-laughs", "quadratic-blowup", "xxe-secret", "xxe-passwd",
                                  "external-dtd", "parameter-entity", "undeclared-entity"])
@pytest.mark.parametrize("compress", [False, True], ids=["xml", "bz2"])
def test_entity_attacks_are_refused_quickly(tmp_path, secret, name, compress):
    import bz2

    body = hostile_dumps(secret[0])[name].encode()
    path = tmp_path / ("d.xml.bz2" if compress else "d.xml")
    path.write_bytes(bz2.compress(body) if compress else body)
    assert is_dump(path)
    t = time.monotonic()
    items = list(iter_dump(path))
    assert time.monotonic() - t < 1.0
    assert len(items) == 1 and isinstance(items[0], ReadFailure), items
    reason = items[0].reason
    assert reason.startswith("dump read stopped: "), reason
    assert re.search(r"DTDForbidden|EntitiesForbidden|ExternalReferenceForbidden|undefined entity", reason), reason
    text = repr(items)
    assert secret[1] not in text
    marker = _passwd_marker()
    assert marker is None or marker not in text


def test_nothing_from_an_external_entity_reaches_the_outputs(tmp_path, secret):
    """The whole pipeline on each hostile dump: the secret is in no table and no report."""
    path, token = secret
    dumps = hostile_dumps(path)
    inputs = []
    for name, body in dumps.items():
        (tmp_path / f"{name}.xml").write_text(body)
        inputs.extend(iter_dump(tmp_path / f"{name}.xml"))
    result = run(Config(raw_dir=tmp_path / "raw", out_dir=tmp_path / "curated", reports_dir=tmp_path / "reports",
                        expectations_dir=ROOT / "expectations", fail_on="never", progress=False, workers=0),
                 inputs)
    assert result.summary.inputs_quarantined == len(dumps)
    marker = _passwd_marker()
    for text in _all_strings(tmp_path / "curated"):
        assert token not in text and (marker is None or marker not in text)
    for text in _all_strings(tmp_path / "reports"):
        assert token not in text and (marker is None or marker not in text)


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@pytest.mark.slow
def test_titles_never_become_paths(tmp_path):
    """`infobox-etl run --dump` with page titles that are paths: nothing is written outside
    curated/ and reports/ (HOME included), and no path named after a title appears anywhere."""
    work = tmp_path / "work"
    (work / "raw").mkdir(parents=True)
    (work / "home").mkdir()
    outside = tmp_path / "outside"
    titles = ["../x", "AC/DC", "../../outside/evil", str(outside / "abs-evil"), "..\\..\\win", "CON", "NUL",
              ".", "..", "~", "-rf", "L" * 10_000, "a\u202eb", "%2e%2e%2fx", "<script>alert(1)</script>"]
    pages = "".join(PAGE.format(title=html.escape(t), id=i + 1, rev=i + 100, text=html.escape(BOX))
                    for i, t in enumerate(titles))
    # XML cannot carry NUL, not even as &#0;: the page is a read error, the pages before it are read.
    pages += PAGE.format(title="nul&#0;title", id=99, rev=999, text="x")
    (work / "titles.xml").write_text(MEDIAWIKI + "\n" + pages + "</mediawiki>\n", encoding="utf-8")
    before = _tree(work)
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "--dump", "titles.xml", "--no-progress",
                           "--workers", "0"], cwd=work, capture_output=True, text=True, timeout=300,
                          env={"GX_ANALYTICS_ENABLED": "false", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                               "HOME": str(work / "home")})
    assert proc.returncode in (0, 3), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    new = _tree(work) - before
    assert new and all(p.split("/")[0] in ("curated", "reports") for p in new), sorted(new)[:20]
    assert not outside.exists() and not (tmp_path / "x").exists()
    for p in new:  # titles are data, never a file name
        name = p.rsplit("/", 1)[-1]
        assert not any(t in (name, Path(name).stem) for t in ("x", "DC", "evil", "abs-evil", "L" * 255)), p
    inputs = pq.read_table(work / "curated" / "inputs.parquet").to_pylist()
    got = {r["title"] for r in inputs if r["title"]}
    # every title kept as data, cleaned as text is where it enters (the override in "a\u202eb" goes)
    assert {clean_text(t) for t in titles} <= got and "ab" in got
    for r in inputs:  # titles that slug alike ("../x", "%2e%2e%2fx") are held back as duplicates: fine
        assert r["outcome"] == "curated" or r["source"] == "titles.xml#error" or \
            r["reason"].startswith("validation failed"), r


@pytest.mark.slow
def test_titles_are_inert_in_the_markdown_report(tmp_path):
    title = "<script>alert(1)</script>"
    item = RawInput(source="t.xml#page=1", fmt="wikitext", content=BOX, source_format="dump", title=title)
    run(Config(raw_dir=tmp_path / "raw", out_dir=tmp_path / "curated", reports_dir=tmp_path / "reports",
               expectations_dir=ROOT / "expectations", fail_on="never", progress=False, workers=0), [item])
    md = next((tmp_path / "reports").rglob("dq.md")).read_text(encoding="utf-8")
    assert "alert(1)" in md  # the mission is listed (it has no launch date) ...
    assert "<script>" not in md  # ... but as text


def test_api_file_names_stay_in_their_folder(tmp_path):
    """The one place a title becomes a file name (`infobox-etl fetch` -> raw/api/<stem>.wikitext)."""
    from pipeline.sources.api_store import safe_stem
    from hypothesis import given, settings
    from hypothesis import strategies as st

    folder = tmp_path / "api"
    folder.mkdir()
    special = st.sampled_from(["../x", "AC/DC", "a\x00b", "L" * 10_000, ".", "..", "CON", "/etc/passwd",
                               "..\\..\\x", "~", " ", "", "\u202e", "%2e%2e/"])

    @settings(max_examples=200, deadline=None)
    @given(st.one_of(special, st.text(max_size=300)))
    def check(title):
        stem = safe_stem(title)
        assert stem and stem not in (".", "..")
        assert not set(stem) & {"/", "\\", "\x00"}
        assert len((stem + ".wikitext").encode("utf-8")) <= 255
        assert (folder / (stem + ".wikitext")).resolve().parent == folder.resolve()

    check()


def test_no_eval_exec_or_unpickling_in_the_pipeline():
    """Grep: nothing in pipeline/ evaluates, executes or unpickles. pipeline/isolate.py talks to
    its own worker processes over multiprocessing pipes (pickle inside the standard library);
    what crosses them is built by our code, and a worker never sends input back as code."""
    banned = re.compile(r"(?<![\w.])(eval|exec|compile|__import__|execfile)\s*\(|pickle\.loads?\b|"
                        r"marshal\.loads?\b|shelve\.|yaml\.(unsafe_)?load\b|os\.system|os\.popen|"
                        r"shell\s*=\s*True|subprocess\.|pty\.spawn|dill\.|jsonpickle")
    hits = []
    for p in sorted((ROOT / "pipeline").rglob("*.py")):
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if banned.search(code):
                hits.append(f"{p.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_code_in_wikitext_is_only_text(tmp_path):
    sentinel = tmp_path / "pwned"
    payload = f"__import__('os').system('touch {sentinel}')"
    content = ("{{Infobox spaceflight\n| name = Code\n| mission_type = {{#invoke:String|sub|" + payload + "}}\n"
               f"| operator = {payload}\n| launch_rocket = {{{{#expr: 6*7}}}} ${{7*7}} <script>alert(1)</script>\n"
               "}}\n{{#invoke:Navbox|navbox}} " + payload)
    rendered = f"= Code =\nCode\n- Operator: {payload}\n- Launch Date: {payload}\n"
    for fmt, text in (("wikitext", content), ("text", rendered)):
        result = process(RawInput(source=f"code.{fmt}", fmt=fmt, content=text, source_format=fmt))
        assert result.input_row["outcome"] in ("curated", "no_mission", "quarantined")
        params = {r["param"]: r for r in result.params}
        assert params["operator"]["text"] == payload
        if fmt == "wikitext":
            assert "{{#invoke:String|sub|" in params["mission_type"]["raw"]
            assert "42" not in params["launch_rocket"]["text"] and "49" not in params["launch_rocket"]["text"]
    assert not sentinel.exists()
