"""End to end through the real command line: exit codes, outputs, quarantine, determinism."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow  # end-to-end runs: `make test-fast` leaves them out

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True,
                          text=True, env={"GX_ANALYTICS_ENABLED": "false", "PATH": "/usr/bin:/bin",
                                          "HOME": str(cwd)}, timeout=300)


@pytest.fixture(scope="module")
def bundled_run(tmp_path_factory):
    """One run over a copy of raw/, as `make run` does it."""
    work = tmp_path_factory.mktemp("run")
    shutil.copytree(ROOT / "raw", work / "raw")
    shutil.copytree(ROOT / "expectations", work / "expectations")
    proc = cli("run", cwd=work)
    return work, proc


def test_run_succeeds_and_prints_a_summary(bundled_run):
    work, proc = bundled_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "inputs read          3" in proc.stdout
    assert "missions curated     3" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_tables_and_report_are_written(bundled_run):
    work, _ = bundled_run
    missions = pq.read_table(work / "curated" / "missions.parquet").to_pylist()
    assert sorted(m["title"] for m in missions) == ["Apollo 11", "Apollo 8", "Soyuz MS-25"]
    inputs = pq.read_table(work / "curated" / "inputs.parquet").to_pylist()
    assert {i["outcome"] for i in inputs} == {"curated"}
    run_id = (work / "reports" / "LATEST").read_text().strip()
    run_dir = work / "reports" / run_id
    dq = json.loads((run_dir / "dq.json").read_text())
    assert (run_dir / "dq.md").exists() and (run_dir / "datadocs" / "index.html").exists()
    # The seed's lost launch and landing times are flagged by name.
    failing = {e["name"]: e["failing_ids"] for e in dq["expectations"]}
    assert "soyuz-ms-25" in failing["launch_time_present"]
    assert "soyuz-ms-25" in failing["landing_time_present"]
    assert "Soyuz MS-25" in (run_dir / "dq.md").read_text()


def test_contract_check_passes(bundled_run):
    checker = ROOT.parent / "shared" / "tools" / "check_contract.py"
    if not checker.exists():
        pytest.skip("shared/tools/check_contract.py not beside this checkout")
    work, _ = bundled_run
    proc = subprocess.run([sys.executable, str(checker), str(work / "curated")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_rerun_gives_identical_table_contents(bundled_run):
    work, _ = bundled_run
    first = json.loads((work / "curated" / "_current" / "_manifest.json").read_text())
    proc = cli("run", cwd=work)
    assert proc.returncode == 0
    second = json.loads((work / "curated" / "_current" / "_manifest.json").read_text())
    assert first["run_id"] != second["run_id"]
    assert {t: v["sha256"] for t, v in first["tables"].items()} == \
           {t: v["sha256"] for t, v in second["tables"].items()}


def test_fail_on_warning_exits_3(bundled_run):
    work, _ = bundled_run
    proc = cli("run", "--fail-on", "warning", cwd=work)
    assert proc.returncode == 3, proc.stdout + proc.stderr


def test_report_command_prints_the_latest_run(bundled_run):
    work, _ = bundled_run
    proc = cli("report", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "Soyuz MS-25" in proc.stdout


def test_usage_errors_exit_2(tmp_path):
    assert cli("run", "--raw", str(tmp_path / "nope"), cwd=tmp_path).returncode == 2
    assert cli("run", "--fail-on", "sometimes", cwd=tmp_path).returncode == 2
    assert cli("report", cwd=tmp_path).returncode == 2
    assert cli("frobnicate", cwd=tmp_path).returncode == 2


def test_internal_error_exits_1_without_traceback(tmp_path):
    (tmp_path / "raw").mkdir()
    shutil.copy(ROOT / "raw" / "Apollo_8.wikitext", tmp_path / "raw")
    (tmp_path / "suites").mkdir()   # a broken suite file is a bug in the repository, not bad data
    (tmp_path / "suites" / "missions.json").write_text("{not json")
    proc = cli("run", "--expectations", "suites", cwd=tmp_path)
    assert proc.returncode == 1
    assert "internal error" in proc.stderr and "Traceback" not in proc.stderr
    # An output folder that cannot be written is found before anything runs: a usage error.
    (tmp_path / "blocked").write_text("a file where the output folder should be")
    proc = cli("run", "--out", "blocked/curated", cwd=tmp_path)
    assert proc.returncode == 2 and "not a writable folder" in proc.stderr


def test_bad_inputs_are_quarantined_and_the_rest_published(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(ROOT / "raw" / "Apollo_8.wikitext", raw)
    (raw / "binary.dat").write_bytes(b"\x00\x01\x02garbage")
    (raw / "empty.txt").write_bytes(b"")
    broken = (ROOT / "raw" / "Apollo_11.wikitext").read_text().replace(
        "| orbit_inclination     = 1.25&nbsp;degrees", "| orbit_inclination     = 200&nbsp;degrees")
    (raw / "Broken_11.wikitext").write_text(broken)
    proc = cli("run", cwd=tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    inputs = {i["source"]: i for i in pq.read_table(tmp_path / "curated" / "inputs.parquet").to_pylist()}
    assert len(inputs) == 4
    assert inputs["Apollo_8.wikitext"]["outcome"] == "curated"
    for src in ("binary.dat", "empty.txt", "Broken_11.wikitext"):
        assert inputs[src]["outcome"] == "quarantined", src
    q = {r["source"]: r for r in pq.read_table(tmp_path / "curated" / "quarantine.parquet").to_pylist()}
    assert q["Broken_11.wikitext"]["stage"] == "validate"
    assert "inclination_in_range" in q["Broken_11.wikitext"]["reason"]
    assert json.loads(q["Broken_11.wikitext"]["row"])["inclination_deg"] == 200
    titles = [m["title"] for m in pq.read_table(tmp_path / "curated" / "missions.parquet").to_pylist()]
    assert titles == ["Apollo 8"]


def test_help_is_light():
    code = ("import sys; from pipeline.cli import cli; "
            "import click.testing as t; r = t.CliRunner().invoke(cli, ['run', '--help']); "
            "assert r.exit_code == 0, r.output; "
            "heavy = [m for m in ('great_expectations', 'pandas', 'pyarrow', 'mwparserfromhell') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_the_console_entry_leaves_its_heap_to_the_os_on_every_exit():
    # main() freezes the heap as the process ends (shutdown then skips collecting it), on a
    # normal exit and on a refused one alike, and its output is complete
    for args, code in ((["--help"], 0), (["run", "--no-such-option"], 2)):
        prog = ("import gc, sys; from pipeline.cli import main; sys.argv = ['infobox-etl', *sys.argv[1:]]\n"
                "rc = 0\ntry:\n    main()\nexcept SystemExit as e:\n    rc = e.code\n"
                "print('frozen', gc.get_freeze_count() > 0, rc, file=sys.stderr)")
        out = subprocess.run([sys.executable, "-c", prog, *args], capture_output=True, text=True, cwd=ROOT)
        assert out.returncode == 0, out.stderr
        assert out.stderr.strip().splitlines()[-1] == f"frozen True {code}"
        if code == 0:
            assert "Usage:" in out.stdout


def test_the_report_says_how_long_each_stage_took(tmp_path, raw_dir):
    from pipeline.config import Config
    from pipeline.run import run
    result = run(Config(raw_dir=raw_dir, out_dir=tmp_path / "curated", reports_dir=tmp_path / "reports"))
    dq = json.loads((tmp_path / "reports" / result.run_id / "dq.json").read_text())
    stages = dq["run"]["timings_s"]
    assert list(stages) == ["read+extract+transform", "tables", "validate", "load"]
    assert all(isinstance(v, float) and v >= 0 for v in stages.values())
    assert list(result.summary.timings_s)[-1] == "report"
    # and how much of each the driver process carried itself (its CPU, not the workers')
    cpu = dq["run"]["driver_cpu_s"]
    assert list(cpu)[:len(stages)] == list(stages)
    assert list(cpu)[len(stages):] == ["import great_expectations (background)"]
    assert all(isinstance(v, float) and v >= 0 for v in cpu.values())
    assert cpu["validate"] > 0  # the driver validates in its own process
