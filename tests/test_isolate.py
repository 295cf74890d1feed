"""Page isolation: order, time and memory limits, dying workers, real pathological wikitext.

The functions run in worker processes, so they live at the top level of this module (the
"spawn" workers import it by name). Limits are short (1-2 s, 256 MB) to keep the file fast.
"""
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.isolate import Limits, map_isolated
from pipeline.run import quarantine_result
from pipeline.records import RawInput
from pipeline.run import PageResult, process
from pipeline.sources.files import ReadFailure

ROOT = Path(__file__).resolve().parents[1]
FAST = Limits(seconds=2, memory_mb=256, workers=2)


def square(x):
    return x * x


def sleepy(x):
    if x == 3:
        time.sleep(3600)
    return x


def spin(x):
    """A busy loop: like a C tokenizer loop, no signal handler would interrupt it in time."""
    if x == 2:
        while True:
            pass
    return x


def hog(x):
    if x == 1:
        return len(bytearray(4 * 2**30))  # 4 GB at once
    if x == 4:
        chunks = []
        while True:  # grows a MB at a time until the limit stops it
            chunks.append(bytearray(2**20))
    return x


def exits(x):
    if x == 2:
        os._exit(3)
    if x == 5:
        os.kill(os.getpid(), signal.SIGKILL)
    return x


def raises(x):
    if x == 2:
        raise ValueError("a bug on item 2")
    return x


def slowish(x):
    time.sleep(0.4)
    return x


def pid_then_hang(path):
    Path(path).write_text(str(os.getpid()))
    time.sleep(3600)


def labelled(item, reason):
    return ("limit", item, reason)


def test_results_come_in_input_order():
    out = list(map_isolated(square, range(500), FAST, on_limit=labelled))
    assert out == [x * x for x in range(500)]


def test_in_process_mode_needs_no_pickling():
    assert list(map_isolated(lambda x: x + 1, range(5), Limits(workers=0), on_limit=labelled)) == [1, 2, 3, 4, 5]


def test_fn_must_be_importable_by_workers():
    with pytest.raises(TypeError, match="picklable top-level function"):
        list(map_isolated(lambda x: x, range(3), FAST, on_limit=labelled))


@pytest.mark.parametrize("fn", [sleepy, spin], ids=["sleep", "busy-loop"])
def test_an_item_over_time_is_killed_and_the_rest_complete(fn):
    limits = Limits(seconds=1, memory_mb=256, workers=2)
    t = time.monotonic()
    out = list(map_isolated(fn, range(8), limits, on_limit=labelled))
    elapsed = time.monotonic() - t
    bad = 3 if fn is sleepy else 2
    assert out == [("limit", x, "page exceeded 1 s") if x == bad else x for x in range(8)]
    assert elapsed < 8, elapsed  # start-up + one 1 s limit + a replacement worker


def test_the_time_limit_is_per_item_not_per_chunk():
    """One worker gets the four items as one chunk (1.6 s together): each is within its 1 s."""
    out = list(map_isolated(slowish, range(4), Limits(seconds=1, memory_mb=256, workers=1), on_limit=labelled))
    assert out == [0, 1, 2, 3]


def test_the_items_done_before_a_timeout_in_the_same_chunk_are_kept():
    """One worker, one chunk: items 0-2 are done when item 3 hangs; their answers die with the
    killed worker, and they are done again by its replacement."""
    out = list(map_isolated(sleepy, range(6), Limits(seconds=1, memory_mb=256, workers=1), on_limit=labelled))
    assert out == [0, 1, 2, ("limit", 3, "page exceeded 1 s"), 4, 5]


def test_an_item_over_memory_gets_the_memory_reason():
    out = list(map_isolated(hog, range(6), FAST, on_limit=labelled))
    assert out == [0, ("limit", 1, "page exceeded 256 MB"), 2, 3, ("limit", 4, "page exceeded 256 MB"), 5]


def test_a_dying_worker_is_replaced_and_its_item_quarantined():
    out = list(map_isolated(exits, range(8), FAST, on_limit=labelled))
    assert out[2] == ("limit", 2, "worker died: exit code 3")
    assert out[5] == ("limit", 5, "worker died: signal 9 (SIGKILL)")
    assert [x for i, x in enumerate(out) if i not in (2, 5)] == [0, 1, 3, 4, 6, 7]


def test_a_single_worker_survives_repeated_deaths():
    out = list(map_isolated(exits, range(8), Limits(seconds=2, memory_mb=256, workers=1), on_limit=labelled))
    assert [isinstance(o, tuple) for o in out] == [i in (2, 5) for i in range(8)]


def own_pid(x):
    return os.getpid()


def test_workers_killed_from_outside_lose_no_item():
    """Kill every worker from outside midway, idle or busy: each item still yields exactly once,
    as its result or as a 'worker died' result."""
    pids = []

    def items():
        for i in range(60):
            if i == 30:
                for pid in set(pids):
                    os.kill(pid, signal.SIGKILL)
                time.sleep(0.2)
            yield i

    out = []
    for r in map_isolated(own_pid, items(), FAST, on_limit=labelled, window=4):
        out.append(r)
        if isinstance(r, int):
            pids.append(r)
    assert len(out) == 60
    died = [r for r in out if isinstance(r, tuple)]
    assert all(r[2] == "worker died: signal 9 (SIGKILL)" for r in died)
    assert len(died) <= 2 * 8  # at most what the two workers held


def test_an_exception_in_fn_is_a_bug_and_propagates():
    with pytest.raises(ValueError, match="a bug on item 2") as info:
        list(map_isolated(raises, range(5), FAST, on_limit=labelled))
    assert "raises" in str(info.value.__cause__)  # the worker's traceback


def test_input_is_read_lazily_with_a_bounded_window():
    taken = []

    def endless():
        for i in itertools.count():
            taken.append(i)
            yield i

    out = list(itertools.islice(map_isolated(square, endless(), FAST, on_limit=labelled, window=32), 100))
    assert out == [x * x for x in range(100)]
    assert len(taken) <= 100 + 32


def test_workers_do_not_outlive_a_killed_parent(tmp_path):
    """SIGKILL the parent while its worker hangs: the kernel kills the worker too (Linux)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux-only")
    pidfile = tmp_path / "worker.pid"
    script = (f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(Path(__file__).parent)!r}]\n"
              "from pipeline.isolate import Limits, map_isolated\n"
              "from test_isolate import pid_then_hang, labelled\n"
              "if __name__ == '__main__':\n"
              f"    list(map_isolated(pid_then_hang, [{str(pidfile)!r}], Limits(60, 256, 1), on_limit=labelled))\n")
    (tmp_path / "parent.py").write_text(script)
    parent = subprocess.Popen([sys.executable, str(tmp_path / "parent.py")], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while not pidfile.exists() or not pidfile.read_text():
            assert time.monotonic() < deadline and parent.poll() is None, "worker never started"
            time.sleep(0.05)
        worker = int(pidfile.read_text())
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 5
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"  # a zombie is dead
    except FileNotFoundError:
        return False


def test_quarantine_result_has_the_orchestrators_shape():
    """Same keys as pipeline.run's own quarantine rows, so the tables take it as is."""
    item = RawInput(source="x.wikitext", fmt="wikitext", content="{{" * 10, source_format="wikitext",
                    title="X", rev_id=7)
    r = quarantine_result(item, "page exceeded 20 s")
    ref = process(ReadFailure("y.txt", "empty input"))
    assert isinstance(r, PageResult)
    assert set(r.input_row) == set(ref.input_row)
    assert set(r.quarantine[0]) == set(ref.quarantine[0])
    assert r.input_row["outcome"] == "quarantined" and r.input_row["reason"] == "page exceeded 20 s"
    assert r.input_row["rev_id"] == 7 and r.input_row["sha256"]
    assert r.quarantine[0]["stage"] == "extract" and r.quarantine[0]["excerpt"] == "{{" * 10
    f = quarantine_result(ReadFailure("z.bin", "binary", excerpt="b'\\x00'", sha256="ab"), "worker died")
    assert f.input_row["source"] == "z.bin" and f.input_row["sha256"] == "ab"


def pathological_pages() -> dict[str, str]:
    apollo = (ROOT / "raw" / "Apollo_11.wikitext").read_text(encoding="utf-8")
    box = "{{Infobox spaceflight\n| name = X\n| launch_date = "
    return {
        "open-templates": "{{" * 50_000,
        "open-templates-in-box": box + "{{" * 50_000,
        "nested-200": box + "{{a|" * 200 + "x" + "}}" * 200 + "\n}}",
        "nested-2000": box + "{{a|" * 2000 + "x" + "}}" * 2000 + "\n}}",
        "open-links": "[[" * 50_000,
        "open-refs": box + "<ref>" * 20_000 + "\n}}",  # about 40 s in-process (mwparserfromhell 0.7.2)
        "tag-soup": box + "<div><span><b>'''''[[a|{{b|" * 5_000 + "}}",
        "open-tables": box + "{|\n|-\n|" * 10_000 + "}}",
        "comments": box + "<!--" * 10_000 + "}}",
        "apollo-unclosed": apollo.replace("}}", "", 50),
        "apollo-in-box": box + apollo + "\n}}",
    }


@pytest.mark.slow
def test_pathological_wikitext_is_accounted_for():
    pages = pathological_pages()
    items = [RawInput(source=k, fmt="wikitext", content=v, source_format="wikitext") for k, v in pages.items()]
    items.append(ReadFailure("broken.bin", "binary content (NUL bytes), not an article"))
    t = time.monotonic()
    out = list(map_isolated(process, items, FAST, on_limit=quarantine_result))
    elapsed = time.monotonic() - t
    assert [r.input_row["source"] for r in out] == [i.source for i in items]
    for r in out:
        row = r.input_row
        assert row["outcome"] in ("curated", "no_mission", "quarantined"), row
        if row["outcome"] == "quarantined":
            assert row["reason"] and r.quarantine and r.quarantine[0]["reason"] == row["reason"]
    assert elapsed < 25, elapsed
