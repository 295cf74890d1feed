"""The `infobox-etl` command: parse arguments, call the library, print a summary, set the exit code.

Exit codes (for schedulers): 0 success (warnings allowed), 3 data-quality failures at the
--fail-on level, 2 usage error, 1 internal error. Heavy libraries load only inside commands, so
`--help` answers fast.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_DQ = 0, 1, 2, 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="infobox-etl")
def cli() -> None:
    """Wikipedia spaceflight mission articles -> typed, validated Parquet tables.

    \b
    Example:
      infobox-etl run                      # raw/ -> curated/, report in reports/<run_id>/
      infobox-etl run --fail-on warning    # strict scheduled run: exit 3 on any warning
      infobox-etl report                   # summary of the latest run
    """


@cli.command()
@click.option("--raw", "raw_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("raw"),
              show_default=True, help="Folder of input articles (rendered text or wikitext).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("curated"),
              show_default=True, help="Where the Parquet tables are published.")
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports"), show_default=True, help="Where each run's report goes.")
@click.option("--expectations", "expectations_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Expectation suites (default: expectations/ beside raw/, else the bundled ones).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), default="error",
              show_default=True, help="Exit 3 when data-quality failures of this level (or worse) occur.")
@click.option("--dump", "dump", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Read this MediaWiki XML dump (.xml or .xml.bz2) instead of --raw.")
@click.option("--full", is_flag=True,
              help="Process every input again (default: inputs unchanged since the published snapshot keep their rows).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal, long runs).")
def run(raw_dir, out_dir, reports_dir, expectations_dir, fail_on, dump, full, progress) -> None:
    """Run the pipeline: read raw/, extract, transform, validate, publish, report.

    \b
    Example:
      infobox-etl run --raw raw --out curated --reports reports --fail-on error
      infobox-etl run --dump enwiki-pages-articles.xml.bz2 --out curated
    """
    if dump is None and not raw_dir.is_dir():
        raise click.UsageError(f"--raw {raw_dir}: no such folder")
    from pipeline.config import Config
    from pipeline.run import run as run_pipeline

    config = Config(raw_dir=raw_dir, out_dir=out_dir, reports_dir=reports_dir,
                    expectations_dir=expectations_dir or _default_expectations(raw_dir),
                    fail_on=fail_on, progress=progress, incremental=not full)
    inputs = None
    if dump is not None:
        from pipeline.sources import iter_dump
        inputs = iter_dump(dump)
    result = run_pipeline(config, inputs)
    click.echo(format_run_summary(result.summary))
    sys.exit(result.exit_code)


@cli.command()
@click.argument("run_id", required=False)
@click.option("--reports", "reports_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("reports"), show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print dq.json instead of the summary.")
def report(run_id, reports_dir, as_json) -> None:
    """Print the data-quality summary of the latest run, or of RUN_ID.

    \b
    Example:
      infobox-etl report
      infobox-etl report 20261124T120000000Z-1a2b3c4d --json
    """
    if run_id is None:
        latest = reports_dir / "LATEST"
        if not latest.exists():
            raise click.UsageError(f"no runs in {reports_dir} yet: run `infobox-etl run` first")
        run_id = latest.read_text(encoding="utf-8").strip()
    path = reports_dir / run_id / "dq.json"
    if not path.exists():
        raise click.UsageError(f"no report for run {run_id!r} in {reports_dir}")
    data = json.loads(path.read_text(encoding="utf-8"))
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    from pipeline.validate.report import format_summary
    click.echo(format_summary(data))


def _default_expectations(raw_dir: Path) -> Path:
    beside = raw_dir.resolve().parent / "expectations"
    if beside.is_dir():
        return beside
    return Path(__file__).resolve().parent.parent / "expectations"


def format_run_summary(s: dict) -> str:
    failed = s["expectations_failed"]
    lines = [
        f"run {s['run_id']}",
        f"  inputs read          {s['inputs_read']}"
        f"  (curated {s['inputs_curated']}, no mission {s['inputs_no_mission']},"
        f" quarantined {s['inputs_quarantined']})",
        f"  missions curated     {s['missions_curated']}  -> {s['out_dir']}/missions.parquet",
        f"  unchanged, reused    {s.get('inputs_reused', 0)}",
        f"  expectations failed  {failed['error']} error, {failed['warning']} warning",
    ]
    if s.get("values_lost_by_param"):
        lost = ", ".join(f"{k} ({v})" for k, v in s["values_lost_by_param"].items())
        lines.append(f"  lost in rendering    {lost}")
    for q in s.get("quarantine", [])[:5]:
        lines.append(f"  quarantined          {q['source']} [{q['stage']}] {q['reason'][:100]}")
    if len(s.get("quarantine", [])) > 5:
        lines.append(f"  ... and {len(s['quarantine']) - 5} more in quarantine.parquet")
    report = s.get("report", {})
    if report.get("markdown"):
        lines.append(f"  report               {report['markdown']}")
    return "\n".join(lines)


def main() -> None:
    """Console entry point with the exit-code contract."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_INTERNAL)
    except click.ClickException as e:  # usage errors and bad options
        e.show()
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except Exception as e:  # a bug or a broken environment: say so in one line, no traceback
        click.echo(f"infobox-etl: internal error: {type(e).__name__}: {e}", err=True)
        if os.environ.get("INFOBOX_ETL_DEBUG"):
            raise
        sys.exit(EXIT_INTERNAL)
