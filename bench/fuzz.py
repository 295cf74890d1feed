"""Fuzz the whole pipeline, then SIGKILL publishing runs at random points.

    python bench/fuzz.py [--n 10000] [--seed 0] [--kills 200] [--out DIR] [--keep]
                         [--seconds 20] [--memory-mb 1024] [--workers 2] [--small]

1. Inputs. At least N files are written into a fresh raw/ folder: the fixed garbage set below
   (unclosed templates, links and refs; 200- and 2,000-deep nesting; 50,000 "{{"; NUL bytes;
   invalid UTF-8; 5 MB pages; empty and binary files; rendered text with thousands of "- Key:"
   lines; small XML dumps, truncated and hostile ones) and mutations of the real corpus
   (raw/ and ../shared/corpus/wikitext/**, whichever exist): byte flips, truncations, splices
   of two pages, markup tokens inserted, spans deleted or repeated, windows cut out. Everything
   follows from --seed.
2. The real pipeline runs on that folder (pipeline.run.run, isolated worker processes with the
   given per-page limits) and the checks are: the run returns normally; every input file is
   in curated/inputs.parquet exactly once (a dump: one row per article page, or its read
   error) with outcome curated / no_mission / quarantined; a quarantined input has a reason
   and a quarantine row; every quarantine row has a reason; a curated input has mission rows.
   The inputs include the families of issue 18 (hostile_entries: surrogates, values out of
   range, long lines, duplicate ids and slugs, FIFOs, broken links and links out of raw/, names
   that are not UTF-8, deep folders): every entry of raw/ must have its row.
   Then lying multistream indexes (lines missing, none, a dump cut short: no page may vanish
   without a failure row) and hostile API servers on 127.0.0.1 (drip, endless continuation,
   gzip bomb, cross-host redirect, JSON surrogate: each fetch ends within its limits).
3. Kill test, --kills times: a child process publishes a snapshot (pipeline.load.publish) over
   the previous one and is SIGKILLed at a random moment. To spread the kills over every step
   of a publish, the child sleeps a random 0-`slow` s before each file-system call the loader
   makes (pq.write_table, os.fsync, os.mkdir, os.rename, os.replace, os.symlink,
   shutil.rmtree); the kill time is uniform over the calibrated length of such a publish.
   After each kill: every <table>.parquet opens with pyarrow, and the tables' content hashes
   (pipeline.load.content_hash) and the manifest are all those of the previous snapshot or
   all those of the new one. Then an ordinary publish runs: no `.tmp-*` leftovers remain, it
   is current, at most `keep` snapshots remain.

Figures are printed (inputs, outcomes, quarantine reasons, time, pages/s, kill outcomes and the
step each kill interrupted); the exit status is 1 when any check failed.
"""
from __future__ import annotations

import argparse
import bz2
import dataclasses
import html
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
MB = 1_000_000
SENTINEL = Path(tempfile.gettempdir()) / "infobox-fuzz-pwned"  # created only if input were executed

# --- the corpus --------------------------------------------------------------------------------


def load_corpus() -> list[tuple[str, bytes]]:
    """Real pages to mutate: the bundled raw/ inputs and, when present, the shared corpus."""
    from pipeline.sources.files import is_input_file

    found: dict[str, bytes] = {}
    dirs = [ROOT / "raw", SHARED / "wikitext", SHARED / "seed"]
    for d in dirs:
        if not d.is_dir():
            continue
        for p in sorted(d.rglob("*")):
            if is_input_file(p):
                found.setdefault(p.name, p.read_bytes())
    if not found:
        raise SystemExit("fuzz: no corpus found (raw/ is empty and ../shared/corpus is absent)")
    return sorted(found.items())


# --- the fixed garbage set ---------------------------------------------------------------------

BOX = "{{Infobox spaceflight\n| name = Fuzz\n| launch_date = "


def _dump(pages: list[tuple[str, str]], ns: str = "0") -> str:
    body = "".join(
        f"<page><title>{t}</title><ns>{ns}</ns><id>{i + 1}</id><revision><id>{100 + i}</id>"
        f"<timestamp>2016-04-20T01:32:15Z</timestamp><text xml:space=\"preserve\">{x}</text>"
        f"</revision></page>\n" for i, (t, x) in enumerate(pages))
    return ('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/" version="0.10">\n'
            + body + "</mediawiki>\n")


def garbage_cases(corpus: dict[str, bytes], full: bool) -> list[tuple[str, bytes]]:
    """Hand-made hostile inputs (name, bytes). `full` adds the costly ones (5 MB, oversize)."""
    apollo = corpus.get("Apollo_11.wikitext") or max(corpus.values(), key=len)
    seed = corpus.get("Soyuz_MS-25.txt", b"Soyuz MS-25\n- Launch Date: UTC\n- Crew Size: 3\n")
    a = apollo.decode("utf-8", "replace")
    t = {
        "open-templates.wikitext": "{{" * 50_000,
        "close-templates.wikitext": "}}" * 50_000,
        "open-params.wikitext": "{{{" * 20_000,
        "open-templates-in-box.wikitext": BOX + "{{" * 50_000,
        "unclosed-box.wikitext": BOX + "{{Start date|1969|7|16\n| crew_members = [[Neil Armstrong",
        "nested-200.wikitext": BOX + "{{a|" * 200 + "x" + "}}" * 200 + "\n}}",
        "nested-2000.wikitext": BOX + "{{a|" * 2000 + "x" + "}}" * 2000 + "\n}}",
        "nested-boxes-200.wikitext": "{{Infobox spaceflight/Dock|target=" * 200 + "x" + "}}" * 200,
        "open-links.wikitext": "[[" * 50_000,
        "open-file-links.wikitext": BOX + "[[File:x.jpg|thumb|[[a|" * 1000 + "\n}}",
        "open-refs.wikitext": BOX + "<ref>" * 20_000 + "\n}}",
        "open-ref-names.wikitext": BOX + '<ref name="' * 5000 + "\n}}",
        "tag-soup.wikitext": BOX + "<div><span><b>'''''[[a|{{b|" * 5000 + "}}",
        "html-soup.wikitext": "<table><tr><td>" * 20_000 + "{{Infobox spaceflight|name=x}}",
        "open-tables.wikitext": BOX + "{|\n|-\n|" * 10_000 + "}}",
        "open-comments.wikitext": BOX + "<!--" * 10_000 + "}}",
        "open-nowiki.wikitext": BOX + "<nowiki>" * 10_000 + "}}",
        "many-params.wikitext": "{{Infobox spaceflight\n" + "".join(f"| p{i} = {i}\n" for i in range(10_000)) + "}}",
        "many-crew.wikitext": BOX + "July 16, 1969\n| crew_members = "
        + "<br>".join(f"[[Person {i}]]" for i in range(10_000)) + "\n}}",
        "odd-values.wikitext": BOX + "{{Start date|99999999999|13|45}}\n| launch_mass = {{convert|1e308|kg}}"
        "\n| landing_mass = {{convert|nan|kg}}\n| orbit_inclination = {{convert|inf|deg}}"
        "\n| mission_duration = " + "9" * 10_000 + " days\n| apoapsis = -0 km\n| landing_date = 0000-00-00\n}}",
        "unicode.wikitext": BOX + "\u202e1969\u202c \u0301\u0301\u0301 \U0001F680 \ufffe \u2028 \u2029"
        " \U000E0001\n| name = " + "\u0300" * 5000 + "\n}}",
        "code-as-text.wikitext": BOX + "{{#invoke:String|sub|x}} __import__('os').system('touch " + str(SENTINEL) + "')"
        " {{#expr: 1+1}} ${7*7} <script>alert(1)</script>\n}}",
        "redirect-open.wikitext": "#REDIRECT [[" + "a" * 100_000,
        "redirect-long.wikitext": "#REDIRECT [[" + "a" * 100_000 + "]]",
        "long-line.wikitext": "{{Infobox spaceflight|name=" + "x" * 1_000_000,
        "headings.wikitext": "".join(f"\n== Section {i} ==\nText {i}. " for i in range(20_000)),
        "rendered-keys.txt": seed.decode("utf-8", "replace").split("\n", 1)[0] + "\n"
        + "".join(f"- Key {i}: value {i}\n" for i in range(20_000)),
        "rendered-dup-keys.txt": "Fuzz\n" + "- Launch Date: 16 July 1969\n" * 5000,
        "rendered-empty-keys.txt": "Fuzz\n" + "- Key:\n" * 5000 + "- Launch Date: UTC\n",
        "rendered-long-values.txt": "Fuzz\n- Launch Date: " + "1969 " * 200_000 + "\n- Crew Size: 3\n",
    }
    b: dict[str, bytes] = {k: v.encode("utf-8") for k, v in t.items()}
    b.update({
        "empty.wikitext": b"",
        "blank.txt": b" \n\t\r\n",
        "binary.bin": bytes(random.Random(1).randrange(256) for _ in range(4096)),
        "nul-early.wikitext": apollo[:1000] + b"\x00" + apollo[1000:],
        "nul-late.wikitext": apollo + b"\n" * 70_000 + b"\x00tail",
        "utf16.wikitext": a[:20_000].encode("utf-16"),
        "bad-utf8.wikitext": apollo[:5000] + b"\xff\xfe\xc0\xaf" + apollo[5000:],
        "surrogate.wikitext": apollo[:5000] + b"\xed\xa0\x80" + apollo[5000:],
        "cut-utf8.wikitext": "{{Infobox spaceflight|name=\u00e9\u00e9".encode()[:-1],
        "bom.wikitext": b"\xef\xbb\xbf" + apollo,
        "crlf.wikitext": apollo.replace(b"\n", b"\r\n"),
        "cr-only.wikitext": apollo.replace(b"\n", b"\r"),
        "dump-small.xml": _dump([("../x", "{{Infobox spaceflight|name=Dot dot}}"),
                                 ("AC/DC", "{{Infobox spaceflight|name=AC/DC}}"),
                                 ("L" * 10_000, "[[x]]")]).encode(),
        "dump-other-ns.xml": _dump([("Talk:X", "{{Infobox spaceflight|name=x}}")], ns="1").encode()
        + b"<!-- only a talk page -->",
        "dump-truncated.xml": _dump([("A", a[:3000]), ("B", a[:3000])]).encode()[:-400],
        "dump-laughs.xml": (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                            b'<mediawiki><page><title>&lol2;</title><ns>0</ns><revision><text>&lol2;'
                            b'</text></revision></page></mediawiki>'),
        "dump-xxe.xml": (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                         b'<mediawiki><page><title>X</title><ns>0</ns><revision><text>&x;</text>'
                         b'</revision></page></mediawiki>'),
        "dump-garbage.xml.bz2": b"BZh9" + bytes(random.Random(2).randrange(256) for _ in range(2000)),
        "dump-bz2.xml.bz2": bz2.compress(_dump([("Apollo 11", a)]).replace("&", "&amp;").encode()),
    })
    if full:
        b["five-mb-apollo.wikitext"] = (apollo * (5 * MB // len(apollo) + 1))[:5 * MB]
        b["five-mb-prose.wikitext"] = (BOX + "July 16, 1969\n}}\n").encode() + b"Lorem ipsum dolor sit amet. " * 180_000
        b["five-mb-braces.wikitext"] = b"{{" * (5 * MB // 2)
        b["five-mb-rendered.txt"] = b"Fuzz\n" + b"- Key: value\n" * (5 * MB // 13)
        b["oversize.wikitext"] = b"{{Infobox spaceflight|name=big}}" + b"x" * 20_000_001
    return sorted(b.items())


def hostile_entries(raw_dir: Path, corpus: dict[str, bytes]) -> dict[str, str]:
    """The families of issue 18, written into raw_dir: surrogates (entities, JSON escapes in a
    sidecar), values out of range (ids >= 2^63, instants that leave years 1-9999 in UTC), long
    lines for the readers' regexes, duplicate ids and titles that share a slug, and entries that
    are not files (FIFO, broken link, link out of raw/, link to a folder, a name that is not
    UTF-8, folders 600 deep). Returns {entry: kind}; each must have its row in inputs."""
    apollo = (corpus.get("Apollo_11.wikitext") or max(corpus.values(), key=len)).decode("utf-8", "replace")
    kinds: dict[str, str] = {}

    def put(name: str, data: bytes | str, meta: dict | str | None = None) -> None:
        path = raw_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        if meta is not None:
            side = meta if isinstance(meta, str) else json.dumps(meta)
            path.with_name(path.name + ".meta.json").write_text(side, encoding="utf-8")
        kinds[name] = "hostile:" + name

    put("h-surrogate-entities.wikitext", BOX + "X&#xD800;Y &#xD83D;&#xDE80; &#xDFFF;&#55296;\n}}")
    put("h-surrogate-rendered.txt", "Fuzz\n- Name: X&#xD800;\n- Launch Date: 16 July 1969\n")
    put("h-sidecar-surrogate.wikitext", BOX + "\n}}",
        '{"title": "S\\ud800\\u202eX", "page_id": 1e400, "rev_id": 100000000000000000000000, '
        '"rev_timestamp": "0001-01-01T00:00:00+14:00", "source_format": "api"}')
    put("h-sidecar-odd.wikitext", BOX + "\n}}", '{"title": ["x"], "page_id": -5, "rev_id": true}')
    put("h-overflow.xml", _dump_pages([("Overflow 1", BOX + "\n}}", str(2**63), str(2**64),
                                        "0001-01-01T00:00:00+14:00"),
                                       ("Overflow 2", BOX + "\n}}", "9" * 400, "-1", "9999-12-31T23:00:00-02:00")]))
    put("h-dup-ids.xml", _dump_pages([("Dup A", BOX + "\n}}", "7", "1", None),
                                      ("Dup B", BOX + "\n}}", "7", "2", None),
                                      ("Dup A", BOX + "\n}}", None, None, None),
                                      ("Dup A", BOX + "\n}}", None, None, None)]))
    for i, title in enumerate(("Apollo 11", "APOLLO 11", "Apollo-11", "E\u0301te\u0301 1", "\u00c9t\u00e9 1")):
        put(f"h-slug-{i}.wikitext", apollo, {"title": title, "source_format": "api"})
    put("h-long-param-line.txt", "Fuzz\n- " + " " * 200_000 + "x\n- Launch Date: 1969\n")
    put("h-long-value-spaces.txt", "Fuzz\n- Key: a" + " " * 200_000 + "b\n- Launch Date: 1969\n")
    put("h-long-designation.wikitext", BOX + "\n| spacecraft = " + "Ab " * 300_000 + "\n}}")
    put("h-licence-prolog.xml", "<!-- " + "licence - " * 1000 + " -->\n" + _dump([("Prolog 1", BOX + "\n}}")]))
    put("README", BOX + "\n}}", {"title": "Readme", "source_format": "api"})  # a page, not documentation
    entries = {"h-fifo.wikitext": lambda p: os.mkfifo(p),
               "h-dangling.wikitext": lambda p: os.symlink(raw_dir / "h-nowhere", p),
               "h-passwd.txt": lambda p: os.symlink("/etc/passwd", p),
               "h-linkdir": lambda p: os.symlink(raw_dir / "h-deep", p)}
    for name, make in entries.items():
        try:
            make(raw_dir / name)
            kinds[name] = "hostile:" + name
        except (OSError, NotImplementedError):
            pass
    with open(os.path.join(os.fsencode(raw_dir), b"h-bad-name-\xff.wikitext"), "wb") as fh:
        fh.write((BOX + "\n}}").encode())
    kinds["h-bad-name-\\xff.wikitext"] = "hostile:bad name"
    deep = raw_dir / "h-deep"
    deep.mkdir()
    fd = os.open(deep, os.O_RDONLY)
    for _ in range(600):  # deeper than the fuzz's own clean-up (shutil.rmtree) could remove
        os.mkdir("d", dir_fd=fd)
        fd, old = os.open("d", os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    with open(os.open("Deep.wikitext", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as fh:
        fh.write((BOX + "\n}}").encode())
    os.close(fd)
    kinds["h-deep/" + "d/" * 600 + "Deep.wikitext"] = "hostile:deep"
    return kinds


def _dump_pages(pages: list[tuple[str, str, str | None, str | None, str | None]]) -> str:
    """A small export whose ids and timestamps are given as text (None: the element is left out)."""
    body = []
    for title, text, pid, rid, ts in pages:
        rev = (f"<id>{rid}</id>" if rid is not None else "") + (f"<timestamp>{ts}</timestamp>" if ts else "")
        body.append(f"<page><title>{title}</title><ns>0</ns>" + (f"<id>{pid}</id>" if pid is not None else "")
                    + f"<revision>{rev}<text>{html.escape(text, quote=False)}</text></revision></page>\n")
    return "<mediawiki>\n" + "".join(body) + "</mediawiki>\n"


# --- mutations ---------------------------------------------------------------------------------

TOKENS = [b"{{", b"}}", b"[[", b"]]", b"<ref>", b"</ref>", b"<ref name=x/>", b"<!--", b"-->", b"|",
          b"=", b"{|", b"|}", b"\n== X ==\n", b"<nowiki>", b"</nowiki>", b"{{Infobox spaceflight\n|",
          "\u200f".encode(), b"'''''", b"&amp;", b"&#xFFFFFF;", b"&#0;", b"<br>", b"\n- Key: ",
          b"{{{1|", b"}}}", b"\n|", b"\n}}\n", b"{{convert|", b"{{Start date|", b"\r", b"\t", b"<",
          b">", b"{{#invoke:", b"\n#REDIRECT [[X]]\n", b"[[Category:", b"__NOTOC__"]
BAD_BYTES = [b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf"]  # NUL, invalid UTF-8, BOM
STRUCTURAL = b"{}[]|<>=!'\n#*:;-/ \t"


# Byte-level damage (random bytes, NUL, invalid UTF-8) is rarer than markup damage: such a file
# stops at the reader, and the point is to reach the parsers.
BINARY = 0.1


def _flip(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    binary = rng.random() < BINARY
    for _ in range(rng.randint(1, 50)):
        if not buf:
            break
        i = rng.randrange(len(buf))
        buf[i] = rng.randrange(256) if binary else rng.choice(STRUCTURAL)
    return bytes(buf)


def _truncate(rng, data):
    return data[:rng.randrange(len(data) + 1)]


def _insert(rng, data):
    tokens = TOKENS + BAD_BYTES if rng.random() < BINARY else TOKENS
    for _ in range(rng.randint(1, 30)):
        i = rng.randrange(len(data) + 1)
        data = data[:i] + rng.choice(tokens) * rng.choice((1, 1, 1, 2, 10, 200)) + data[i:]
    return data


def _delete(rng, data):
    i = rng.randrange(len(data) + 1)
    return data[:i] + data[i + rng.randint(1, 5000):]


def _repeat(rng, data):
    i = rng.randrange(len(data) + 1)
    span = data[i:i + rng.randint(1, 2000)]
    return data[:i] + span * rng.randint(2, 50) + data[i:]


def _window(rng, data):
    size = rng.randint(2_000, 60_000)
    i = rng.randrange(max(1, len(data) - size))
    return data[i:i + size]


def _head(rng, data):  # the infobox and lead: where the parsers work hardest
    return data[:rng.randint(1_000, 30_000)]


def _drop_closers(rng, data):
    for token in (b"}}", b"]]", b"</ref>", b"-->"):
        if rng.random() < 0.5:
            data = data.replace(token, b"", rng.randint(1, 40))
    return data


MUTATIONS = [_flip, _truncate, _insert, _delete, _repeat, _window, _head, _drop_closers]


def _splice(rng, a: bytes, b: bytes) -> bytes:
    return a[:rng.randrange(len(a) + 1)] + b[rng.randrange(len(b) + 1):]


_NAMES = (re.compile(rb"^\|\s*name\s*=[^\n|]*?(?=\s*$)", re.M),  # wikitext: | name = X
          re.compile(rb"^= .*?(?= =\s*$)", re.M))                  # rendered text: = X =


_SPACE: dict[int, list] = {}


def _spaceflight(corpus: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    key = id(corpus)
    if key not in _SPACE:
        _SPACE[key] = [c for c in corpus
                       if re.search(rb"\{\{\s*Infobox[ _]spaceflight|^- Launch Date", c[1], re.I | re.M)]
    return _SPACE[key]


def mutate(rng: random.Random, corpus: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """One mutated page: (a name saying what was done, bytes). Spaceflight pages are picked most
    often, since they go through every stage."""
    space = _spaceflight(corpus)
    name, data = rng.choice(space) if space and rng.random() < 0.6 else rng.choice(corpus)
    ops = []
    if rng.random() < 0.9:  # a title of its own, or validation only sees duplicates of Apollo 11
        tag = b" fuzz %d" % rng.randrange(10**9)
        for pattern in _NAMES:
            data = pattern.sub(lambda m: m.group(0) + tag, data, count=1)
    if rng.random() < 0.15:
        other_name, other = rng.choice(corpus)
        data = _splice(rng, data, other)
        ops.append("splice")
    if len(data) > 60_000 and rng.random() < 0.6:
        data = _window(rng, data) if rng.random() < 0.5 else _head(rng, data)
        ops.append("cut")
    for op in rng.sample(MUTATIONS, rng.randint(1, 3)):
        data = op(rng, data)
        ops.append(op.__name__.strip("_"))
    return f"{Path(name).stem}.{'+'.join(ops)}", data


def build_inputs(raw_dir: Path, n: int, seed: int, full: bool) -> dict[str, str]:
    """Write at least n inputs into raw_dir; returns {file name: kind} (garbage name or mutation)."""
    rng = random.Random(seed)
    corpus = load_corpus()
    raw_dir.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, str] = {}
    for name, data in garbage_cases(dict(corpus), full):
        (raw_dir / f"g-{name}").write_bytes(data)
        kinds[f"g-{name}"] = "garbage:" + name
    for name, data in corpus:  # the originals too: they must still curate
        (raw_dir / f"c-{name}").write_bytes(data)
        kinds[f"c-{name}"] = "corpus:" + name
    kinds.update(hostile_entries(raw_dir, dict(corpus)))
    i = 0
    while len(kinds) < n:
        what, data = mutate(rng, corpus)
        ext = rng.choice((".wikitext", ".txt", ".wiki", "", ".dat"))
        fname = f"m-{i:05d}{ext}"
        (raw_dir / fname).write_bytes(data)
        kinds[fname] = "mutation:" + what
        i += 1
    return kinds


# --- running and checking ----------------------------------------------------------------------


def make_config(work: Path, limits: dict, **over):
    from pipeline.config import Config

    names = {f.name for f in dataclasses.fields(Config)}
    want = {"raw_dir": work / "raw", "out_dir": work / "curated", "reports_dir": work / "reports",
            "expectations_dir": ROOT / "expectations", "fail_on": "never", "progress": False,
            "incremental": False, "workers": limits["workers"], "page_seconds": limits["seconds"],
            "page_memory_mb": limits["memory_mb"], **over}
    missing = {k for k in ("workers", "page_seconds", "page_memory_mb") if k not in names}
    if missing:
        print(f"fuzz: Config has no {sorted(missing)}: the run is not isolated", file=sys.stderr)
    return Config(**{k: v for k, v in want.items() if k in names})


def _reason_group(reason: str) -> str:
    reason = re.sub(r"^(\w+ failed: \w+).*", r"\1", reason or "")
    reason = re.sub(r"\(found: .*\)", "(found: ...)", reason)
    reason = re.sub(r"^redirect to .*", "redirect to ...", reason)
    reason = re.sub(r"\d[\d,.]*", "N", reason)
    return reason[:80]


def check_accounting(raw_dir: Path, out_dir: Path, summary=None) -> tuple[list[str], dict]:
    """The invariants of a finished run; returns (failures, figures)."""
    import pyarrow.parquet as pq

    from pipeline.sources import ReadFailure, is_dump, walk

    failures: list[str] = []
    inputs = pq.read_table(out_dir / "inputs.parquet").to_pylist()
    quarantine = pq.read_table(out_dir / "quarantine.parquet").to_pylist()
    missions = pq.read_table(out_dir / "missions.parquet", columns=["source"]).to_pylist()
    by_source = Counter(r["source"] for r in inputs)
    for src, k in by_source.items():
        if k != 1:
            failures.append(f"{src}: {k} rows in inputs")
    entries = walk(raw_dir)  # every entry: input files, and what cannot be read (with a reason)
    files = [e.source if isinstance(e, ReadFailure) else e.relative_to(raw_dir).as_posix() for e in entries]
    unreadable = {e.source for e in entries if isinstance(e, ReadFailure)}
    dumps = {f for f in files if f not in unreadable and is_dump(raw_dir / f)}
    accounted = set()
    for f in files:
        if f in dumps:
            rows = [s for s in by_source if s.startswith(f + "#")]
            accounted.update(rows)
            if not rows and b"<ns>0</ns>" in (raw_dir / f).read_bytes()[:1_000_000]:
                failures.append(f"{f}: dump with article pages but no row in inputs")
        else:
            accounted.add(f)
            if f not in by_source:
                failures.append(f"{f}: missing from inputs")
    for src in set(by_source) - accounted:
        failures.append(f"{src}: in inputs but not an input file")
    q_sources = {q["source"] for q in quarantine if q["reason"]}
    mission_sources = Counter(m["source"] for m in missions)
    for r in inputs:
        if r["outcome"] not in ("curated", "no_mission", "quarantined"):
            failures.append(f"{r['source']}: outcome {r['outcome']!r}")
        if r["outcome"] == "quarantined":
            if not r["reason"]:
                failures.append(f"{r['source']}: quarantined without a reason")
            if r["source"] not in q_sources:
                failures.append(f"{r['source']}: quarantined without a quarantine row")
        if r["outcome"] == "curated" and not mission_sources.get(r["source"]):
            failures.append(f"{r['source']}: curated without a mission row")
    for q in quarantine:
        if not q["reason"] or not q["stage"]:
            failures.append(f"quarantine row of {q['source']} without reason or stage")
    if summary is not None and summary.inputs_read != len(inputs):
        failures.append(f"summary says {summary.inputs_read} inputs, the table has {len(inputs)}")
    figures = {
        "inputs": len(inputs),
        "files": len(files),
        "outcomes": dict(Counter(r["outcome"] for r in inputs).most_common()),
        "quarantine_reasons": dict(Counter(_reason_group(r["reason"]) for r in inputs
                                           if r["outcome"] == "quarantined").most_common()),
        "missions": len(missions),
    }
    return failures, figures


def fuzz_run(work: Path, n: int, seed: int, limits: dict, full: bool) -> tuple[list[str], dict]:
    """Build the inputs, run the pipeline, check; returns (failures, figures)."""
    from pipeline.run import run

    t = time.monotonic()
    kinds = build_inputs(work / "raw", n, seed, full)
    built = time.monotonic() - t
    size = sum(p.lstat().st_size for p in (work / "raw").iterdir())
    config = make_config(work, limits)
    SENTINEL.unlink(missing_ok=True)
    t = time.monotonic()
    try:
        result = run(config)
    except BaseException as e:  # the one thing that must never happen
        import traceback
        return [f"CRASH: run() raised {type(e).__name__}: {e}\n{traceback.format_exc()}"], {
            "files": len(kinds), "build_s": round(built, 1)}
    wall = time.monotonic() - t
    failures, figures = check_accounting(work / "raw", work / "curated", result.summary)
    if SENTINEL.exists():
        failures.append(f"{SENTINEL} exists: text from an input was executed")
    figures.update({"seed": seed, "bytes": size, "build_s": round(built, 1), "run_s": round(wall, 1),
                    "pages_per_s": round(figures["inputs"] / wall, 1), "exit_code": result.exit_code,
                    "limits": limits})
    return failures, figures


# --- lying indexes and hostile servers ---------------------------------------------------------

def lying_indexes(work: Path, seed: int) -> tuple[list[str], dict]:
    """A small multistream dump (header stream, blocks of pages, footer) read through indexes
    that lie: lines missing for a random block, for the first block, every line, and a dump cut
    before its last block. Checked: the reader returns, and a page the dump holds that does not
    come through is named by a ReadFailure (no page vanishes silently)."""
    from pipeline.sources.files import ReadFailure
    from pipeline.sources.multistream import index_path_for, iter_multistream

    rng = random.Random(seed)
    folder = work / "multistream"
    folder.mkdir(parents=True, exist_ok=True)
    pages = [(f"Page {i}", f"{{{{Infobox spaceflight|name=Page {i}}}}}") for i in range(rng.randint(20, 60))]
    per = rng.randint(3, 9)
    failures: list[str] = []
    figures: Counter = Counter()
    variants = {"complete": lambda b, n: True, "block missing": None, "first missing": lambda b, n: b != 0,
                "empty": lambda b, n: False, "cut": lambda b, n: True}
    blocks = -(-len(pages) // per)
    missing = rng.randrange(1, blocks) if blocks > 1 else 0
    variants["block missing"] = lambda b, n: b != missing
    for name, keep in variants.items():
        dump = folder / "x-pages-articles-multistream.xml.bz2"
        lines, offsets = [], []
        with open(dump, "wb") as fh:
            fh.write(bz2.compress(b"<mediawiki><siteinfo/>\n"))
            for b in range(blocks):
                chunk = pages[b * per:(b + 1) * per]
                offsets.append(fh.tell())
                fh.write(bz2.compress(_dump_pages([(t, x, str(b * per + i + 1), "1", None)
                                                   for i, (t, x) in enumerate(chunk)])
                                      .removeprefix("<mediawiki>\n").removesuffix("</mediawiki>\n").encode()))
                lines += [f"{offsets[-1]}:{b * per + i + 1}:{t}" for i, (t, _) in enumerate(chunk) if keep(b, i)]
            fh.write(bz2.compress(b"</mediawiki>\n"))
        if name == "cut":
            with open(dump, "r+b") as fh:
                fh.truncate(offsets[-1])
        with bz2.open(index_path_for(dump), "wt", encoding="utf-8") as fh:
            fh.write("".join(line + "\n" for line in lines))
        try:
            items = list(iter_multistream(dump, workers=1))
        except BaseException as e:  # noqa: BLE001 - the one thing that must never happen
            failures.append(f"lying index {name}: iter_multistream raised {type(e).__name__}: {e}")
            continue
        read = {i.title for i in items if not isinstance(i, ReadFailure)}
        told = [i for i in items if isinstance(i, ReadFailure)]
        figures[f"{name}: pages read"] = len(read)
        figures[f"{name}: failure rows"] = len(told)
        if len(read) < len(pages) and not told:
            failures.append(f"lying index {name}: {len(pages) - len(read)} pages vanished without a row")
        if name == "complete" and (told or len(read) != len(pages)):
            failures.append(f"lying index complete: {len(read)} of {len(pages)} pages, {len(told)} failures")
    return failures, dict(figures)


def hostile_servers() -> tuple[list[str], dict]:
    """The API client against servers on 127.0.0.1 that drip, never end their continuation,
    send a gzip bomb, redirect to another host, or spell a lone surrogate in JSON. Checked: each
    fetch returns within its limits (an error for the first four, the page stored for the last)."""
    import gzip
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from pipeline.sources.api import MediaWikiClient
    from pipeline.sources.api_store import fetch_to_raw

    class Handler(BaseHTTPRequestHandler):
        mode, calls = "", 0

        def log_message(self, *a):
            pass

        def answer(self, body: bytes, status: int = 200, headers: dict | None = None):
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return body

        def do_GET(self):
            Handler.calls += 1
            if Handler.mode == "drip":
                for ch in self.answer(b'{"query": {}}' + b" " * 50):
                    try:
                        self.wfile.write(bytes([ch]))
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.1)
            elif Handler.mode == "loop":
                self.wfile.write(self.answer(json.dumps({"query": {"embeddedin": [{"ns": 0, "title": "X"}]},
                                                         "continue": {"eicontinue": str(Handler.calls)}}).encode()))
            elif Handler.mode == "bomb":
                self.wfile.write(self.answer(gzip.compress(b" " * 30_000_000), headers={"Content-Encoding": "gzip"}))
            elif Handler.mode == "redirect":
                port = self.server.server_address[1]
                self.wfile.write(self.answer(b"", 302, {"Location": f"http://localhost:{port}/w/api.php"}))
            else:
                page = ('{"query": {"pages": [{"pageid": 1, "ns": 0, "title": "S", "revisions": [{"revid": 2, '
                        '"slots": {"main": {"content": "X\\ud800 {{Infobox spaceflight|name=S}}"}}}]}]}}')
                self.wfile.write(self.answer(page.encode()))

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/w/api.php"
    failures: list[str] = []
    figures: dict = {}
    try:
        for mode in ("drip", "loop", "bomb", "redirect", "surrogate"):
            Handler.mode, Handler.calls = mode, 0
            start = time.monotonic()
            with tempfile.TemporaryDirectory() as raw, \
                    MediaWikiClient(url, user_agent="infobox-etl-fuzz/1.0 (fuzz@example.org)", max_retries=1,
                                    sleep=lambda s: None, deadline=1.0, max_bytes=2_000_000,
                                    max_continuations=50) as client:
                try:
                    report = fetch_to_raw(client, Path(raw), titles=None if mode == "loop" else ["S"],
                                          template="Template:X")
                except BaseException as e:  # noqa: BLE001
                    failures.append(f"hostile server {mode}: fetch raised {type(e).__name__}: {e}")
                    continue
                took = time.monotonic() - start
                figures[mode] = f"{took:.1f} s, {Handler.calls} requests, " + (report.error or "stored")[:80]
                if mode == "surrogate" and (report.error or report.pages_written != 1):
                    failures.append(f"hostile server surrogate: {report.error or 'not stored'}")
                if mode != "surrogate" and not report.error:
                    failures.append(f"hostile server {mode}: no error reported")
                if took > 30:
                    failures.append(f"hostile server {mode}: took {took:.0f} s")
    finally:
        httpd.shutdown()
        httpd.server_close()
    return failures, figures


# --- the kill test -----------------------------------------------------------------------------

CHILD = r"""
import os, random, shutil, sys, time
from pathlib import Path
import pyarrow as pa
import pyarrow.parquet as pq
from pipeline import load

src, out, run_id, slow, seed = sys.argv[1], Path(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
tables = {}
for p in sorted(Path(src).glob("*.arrow")):
    with pa.memory_map(str(p)) as f:
        tables[p.stem] = pa.ipc.open_file(f).read_all()
rng = random.Random(seed)

def slowed(name, fn):
    def step(*a, **k):
        sys.stdout.write("step " + name + "\n")
        sys.stdout.flush()
        time.sleep(rng.uniform(0, slow))
        return fn(*a, **k)
    return step

for mod, attr in ((pq, "write_table"), (os, "fsync"), (os, "mkdir"), (os, "rename"), (os, "replace"),
                  (os, "symlink"), (shutil, "rmtree")):
    setattr(mod, attr, slowed(attr, getattr(mod, attr)))
print("ready", flush=True)
sys.stdin.readline()
load.publish(tables, out, run_id, keep=int(os.environ.get("KEEP", "3")))
print("done", flush=True)
"""


def save_tables(tables: dict, folder: Path) -> None:
    import pyarrow as pa

    folder.mkdir(parents=True, exist_ok=True)
    for name, t in tables.items():
        with pa.OSFile(str(folder / f"{name}.arrow"), "wb") as sink:
            with pa.ipc.new_file(sink, t.schema) as w:
                w.write_table(t)


def published_state(out_dir: Path, names) -> tuple[dict[str, str] | None, dict | None, str | None]:
    """(hashes of every <name>.parquet as read, the current manifest, an error) of out_dir."""
    import pyarrow.parquet as pq

    from pipeline.load import content_hash, read_manifest

    try:
        hashes = {name: content_hash(pq.read_table(out_dir / f"{name}.parquet")) for name in names}
        return hashes, read_manifest(out_dir), None
    except Exception as e:  # unreadable: that is the failure being looked for
        return None, None, f"{type(e).__name__}: {e}"


def leftovers(out_dir: Path) -> list[str]:
    snaps = out_dir / "_snapshots"
    found = list(out_dir.glob(".tmp-*")) + (list(snaps.glob(".tmp-*")) if snaps.is_dir() else [])
    return sorted(p.name for p in found)


def _child(src: Path, out: Path, run_id: str, slow: float, seed: int, keep: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(src), str(out), run_id, str(slow), str(seed)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "KEEP": str(keep)}, cwd=ROOT)
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        raise RuntimeError(f"kill-test child did not start: {line!r}")
    return proc


def _manifest_hashes(manifest: dict | None) -> dict[str, str] | None:
    return {n: m["sha256"] for n, m in manifest["tables"].items()} if manifest else None


def _load_saved(folder: Path) -> dict:
    import pyarrow as pa

    out = {}
    for p in sorted(folder.glob("*.arrow")):
        with pa.memory_map(str(p)) as f:
            out[p.stem] = pa.ipc.open_file(f).read_all()
    return out


def kill_test(work: Path, tables_a: dict, tables_b: dict, kills: int, seed: int, slow: float = 0.03,
              keep: int = 3, log=print) -> tuple[list[str], dict]:
    """SIGKILL `kills` publishes at random points; see the module docstring. Returns
    (failures, figures).

    The expected states are taken from clean publishes of each table set (the hashes of the
    files as read back, and the manifest's own hashes): pipeline.load.content_hash depends on
    Arrow's buffer layout, so a table read back from Parquet need not hash like the one written.
    """
    from pipeline import load

    rng = random.Random(seed)
    out = work / "kill-curated"
    shutil.rmtree(out, ignore_errors=True)
    for k, v in (("a", tables_a), ("b", tables_b)):
        save_tables(v, work / f"kill-tables-{k}")
    sets = {k: _load_saved(work / f"kill-tables-{k}") for k in "ab"}  # exactly what the child reads
    names = sorted(tables_a)
    failures: list[str] = []
    read: dict[str, dict] = {}
    listed: dict[str, dict] = {}

    def clean_publish(label: str, run_id: str) -> None:
        load.publish(sets[label], out, run_id, keep=keep)
        got, manifest, err = published_state(out, names)
        if err:
            raise RuntimeError(f"a clean publish is unreadable: {err}")
        read.setdefault(label, got)
        listed.setdefault(label, _manifest_hashes(manifest))
        if got != read[label] or _manifest_hashes(manifest) != listed[label]:
            failures.append(f"{run_id}: a clean publish of the same tables gave other hashes")

    clean_publish("b", "00000-a-init")
    clean_publish("a", "00000-b-init")
    if read["a"] == read["b"]:
        raise ValueError("the two table sets must differ")
    current = "a"

    # Calibrate: the length of an unkilled, slowed publish (from "go" to "done").
    durations = []
    for i in range(2):
        nxt = "b" if current == "a" else "a"
        proc = _child(work / f"kill-tables-{nxt}", out, f"00000-c-cal{i}", slow, rng.randrange(2**31), keep)
        t = time.monotonic()
        proc.stdin.write("go\n")
        proc.stdin.flush()
        proc.communicate(timeout=120)
        durations.append(time.monotonic() - t)
        got, manifest, err = published_state(out, names)
        if err or got != read[nxt] or _manifest_hashes(manifest) != listed[nxt]:
            failures.append(f"calibration {i}: the child's publish differs from a clean one")
        current = nxt
    span = max(durations) * 1.05

    outcomes: Counter = Counter()
    steps: Counter = Counter()
    seen_leftovers = 0
    t0 = time.monotonic()
    nxt_proc = None
    for k in range(1, kills + 1):
        new = "b" if current == "a" else "a"
        proc = nxt_proc or _child(work / f"kill-tables-{new}", out, f"{k:05d}-kill", slow,
                                  rng.randrange(2**31), keep)
        nxt_proc = None
        delay = rng.uniform(0, span)
        proc.stdin.write("go\n")
        proc.stdin.flush()
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        stdout, _ = proc.communicate()
        lines = stdout.strip().splitlines()
        steps["completed" if "done" in lines else (lines[-1] if lines else "before first step")
              .replace("step ", "")] += 1
        if k < kills:  # start the next child now: its start-up overlaps the checks below
            nxt_proc = _child(work / f"kill-tables-{current}", out, f"{k + 1:05d}-kill", slow,
                              rng.randrange(2**31), keep)
        got, manifest, err = published_state(out, names)
        state = next((s for s, lab in (("old", current), ("new", new)) if got == read[lab]), None)
        if err:
            failures.append(f"kill {k} at {delay:.3f}s: tables unreadable: {err}")
        elif state is None:
            failures.append(f"kill {k} at {delay:.3f}s: tables are neither the old nor the new snapshot")
        elif _manifest_hashes(manifest) != listed[current if state == "old" else new]:
            failures.append(f"kill {k}: the current manifest does not belong to the tables read")
        outcomes[state or "broken"] += 1
        seen_leftovers += bool(leftovers(out))
        # The next ordinary run cleans up and converges.
        load.publish(sets[new], out, f"{k:05d}-next", keep=keep)
        got, manifest, err = published_state(out, names)
        if err or got != read[new] or manifest["run_id"] != f"{k:05d}-next":
            failures.append(f"kill {k}: the next publish did not converge ({err or 'other content'})")
        if leftovers(out):
            failures.append(f"kill {k}: leftovers after the next publish: {leftovers(out)}")
        snaps = [p for p in (out / "_snapshots").iterdir() if not p.name.startswith(".")]
        if len(snaps) > keep:
            failures.append(f"kill {k}: {len(snaps)} snapshots kept, more than {keep}")
        current = new
        if k % 50 == 0:
            log(f"  kill {k}/{kills}: {dict(outcomes)}")
    if nxt_proc is not None:
        nxt_proc.kill()
        nxt_proc.communicate()
    figures = {"kills": kills, "publish_span_s": round(span, 3), "after_kill": dict(outcomes),
               "interrupted_step": dict(steps.most_common()), "kills_leaving_tmp": seen_leftovers,
               "seconds": round(time.monotonic() - t0, 1)}
    return failures, figures


def kill_tables(out_dir: Path | None, max_rows: int = 400) -> tuple[dict, dict]:
    """Two different table sets for the kill test: the fuzz run's published tables (cut to
    max_rows) and the same without their second half; synthetic rows when there is no run."""
    import pyarrow.parquet as pq

    from pipeline.schema import TABLES, to_table

    if out_dir is not None and (out_dir / "inputs.parquet").exists():
        a = {name: pq.read_table(out_dir / f"{name}.parquet").slice(0, max_rows) for name in TABLES}
    else:
        rows = [{"source": f"s{i}.txt", "format": "text", "outcome": "no_mission", "missions": 0,
                 "reason": "no infobox"} for i in range(max_rows)]
        a = {name: to_table(name, rows if name == "inputs" else [], "fuzz") for name in TABLES}
    b = {name: t.slice(0, t.num_rows // 2) for name, t in a.items()}
    return a, b


# --- the command -------------------------------------------------------------------------------


def _print_figures(title: str, figures: dict) -> None:
    print(title)
    for k, v in figures.items():
        if isinstance(v, dict) and len(v) > 3:
            print(f"  {k}:")
            for kk, vv in v.items():
                print(f"    {vv:>7}  {kk}")
        else:
            print(f"  {k}: {v}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000, help="inputs to build (at least; default 10000)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--kills", type=int, default=200, help="SIGKILLed publishes (default 200)")
    ap.add_argument("--out", type=Path, default=None, help="work folder (default: a temporary one, removed)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--seconds", type=float, default=20.0, help="per-page time limit (default 20)")
    ap.add_argument("--memory-mb", type=int, default=1024, help="per-page memory limit (default 1024)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--small", action="store_true",
                    help="leave out the 5 MB and oversize inputs (automatic below --n 1000)")
    args = ap.parse_args(argv)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

    work = args.out or Path(tempfile.mkdtemp(prefix="infobox-fuzz-"))
    if args.out and (work / "raw").exists():
        shutil.rmtree(work / "raw")
        shutil.rmtree(work / "curated", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    limits = {"seconds": args.seconds, "memory_mb": args.memory_mb, "workers": args.workers}
    full = not args.small and args.n >= 1000
    failures: list[str] = []
    try:
        print(f"fuzz: {args.n} inputs, seed {args.seed}, limits {limits}, work {work}", flush=True)
        f, figures = fuzz_run(work, args.n, args.seed, limits, full)
        failures += f
        _print_figures("fuzz run", figures)
        for title, step in (("lying indexes", lambda: lying_indexes(work, args.seed)),
                            ("hostile servers", hostile_servers)):
            f, extra = step()
            failures += f
            _print_figures(title, extra)
            figures[title.replace(" ", "_")] = extra
        if args.kills:
            a, b = kill_tables(work / "curated" if not f else None)
            print(f"kill test: {args.kills} SIGKILLs of a slowed publish", flush=True)
            f, kfig = kill_test(work, a, b, args.kills, args.seed)
            failures += f
            _print_figures("kill test", kfig)
            figures["kill_test"] = kfig
        (work / "fuzz.json").write_text(json.dumps({"figures": figures, "failures": failures}, indent=2,
                                                   default=str), encoding="utf-8")
    finally:
        if not args.out and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for line in failures[:50]:
        print("FAIL", line)
    if len(failures) > 50:
        print(f"FAIL ... and {len(failures) - 50} more")
    print("fuzz: FAILED" if failures else "fuzz: all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
