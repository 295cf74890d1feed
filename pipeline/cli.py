"""The `infobox-etl` command: parse arguments, call the library, print a summary, set the exit code.

Exit codes (for schedulers): 0 success (warnings allowed), 3 data-quality failures at the
--fail-on level, 2 usage error, 1 internal error. Heavy libraries load only inside commands, so
`--help` answers fast.
"""
from __future__ import annotations

import gc
import json
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from pipeline.records import RunSummary

EXIT_OK, EXIT_INTERNAL, EXIT_USAGE, EXIT_DQ = 0, 1, 2, 3
USER_AGENT_ENV = "INFOBOX_ETL_USER_AGENT"
CONFIG_NAME = "infobox-etl.toml"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="infobox-etl")
def cli() -> None:
    """Wikipedia spaceflight mission articles -> typed, validated Parquet tables.

    \b
    Example:
      infobox-etl run                      # raw/ -> curated/, report in reports/<run_id>/
      infobox-etl run --fail-on new        # nightly: exit 3 only on what is new or worse
      infobox-etl run --fail-on warning    # strict: exit 3 on any warning
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
@click.option("--fail-on", type=click.Choice(["error", "warning", "new", "never"]), default="error",
              show_default=True, help="Exit 3 when data-quality failures of this level (or worse) occur; "
                                      "`new`: only on what is new or worse than the last published run.")
@click.option("--dump", "dump", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Read this MediaWiki XML dump (.xml, .xml.bz2, .xml.zst, .xml.gz), or a Wikimedia "
                   "Enterprise HTML dump (.json.tar.gz), instead of --raw.")
@click.option("--dump-index", "dump_index", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="Index of a multistream dump (default: Wikimedia's "
                                 "...-multistream-index.txt.bz2 beside it, if present).")
@click.option("--zim", "zim", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Read the articles with an infobox of this Kiwix ZIM archive instead of --raw.")
@click.option("--full", is_flag=True,
              help="Process every input again (default: inputs unchanged since the published snapshot keep their rows).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extract+transform run: local worker processes, or a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); default: a local Dask cluster.")
@click.option("--workers", type=click.IntRange(min=0), default=2, show_default=True,
              help="Worker processes (local engine, or the local Dask cluster); 0 = in-process, no page limits.")
@click.option("--page-timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds one page may take before it is quarantined (local engine).")
@click.option("--page-memory", type=click.IntRange(min=64), default=1024, show_default=True,
              help="MB of memory one page may take before it is quarantined (local engine).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal, long runs).")
@click.option("--keep-reports", type=click.IntRange(min=0), default=30, show_default=True,
              help="Run folders kept in --reports, newest first (and the last published one); 0 = all.")
@click.option("--allow-shrink", is_flag=True,
              help="Publish even if missions has more than 20 % fewer rows than the published snapshot.")
@click.option("-v", "--verbose", "verbosity", flag_value="verbose",
              help="Log every stage with its seconds, and details, on stderr.")
@click.option("-q", "--quiet", "verbosity", flag_value="quiet",
              help="No progress bar, only errors on stderr (the summary still goes to stdout).")
@click.option("--log-json", "log_json", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the run's log to FILE as JSON lines (stages, quarantines, changes, the end).")
def run(raw_dir, out_dir, reports_dir, expectations_dir, fail_on, dump, dump_index, zim, full, engine,
        scheduler, workers, page_timeout, page_memory, progress, keep_reports, allow_shrink, verbosity,
        log_json) -> None:
    """Run the pipeline: read raw/, extract, transform, validate, publish, report.

    \b
    Example:
      infobox-etl run --raw raw --out curated --reports reports --fail-on error
      infobox-etl run --dump enwiki-pages-articles.xml.bz2 --out curated
      infobox-etl run --zim wikipedia_en_all_nopic_2025-01.zim --out curated
      infobox-etl run --engine dask --scheduler tcp://scheduler:8786
    """
    if dump is not None and zim is not None:
        raise click.UsageError("give --dump or --zim, not both")
    if dump is None and zim is None and not raw_dir.is_dir():
        raise click.UsageError(f"--raw {raw_dir}: no such folder")
    if scheduler is not None and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    from pipeline.config import Config
    from pipeline.run import PreflightError, preflight
    from pipeline.run import run as run_pipeline

    config = Config(raw_dir=raw_dir, out_dir=out_dir, reports_dir=reports_dir,
                    expectations_dir=expectations_dir or _default_expectations(raw_dir),
                    fail_on=fail_on, progress=progress, incremental=not full, engine=engine,
                    scheduler=scheduler, workers=workers, page_seconds=page_timeout,
                    page_memory_mb=page_memory, keep_reports=keep_reports, allow_shrink=allow_shrink)
    try:
        preflight(config)
    except PreflightError as e:
        raise click.UsageError(str(e)) from e
    if verbosity == "quiet" and progress is None:
        config = replace(config, progress=False)
    restore = setup_logging(verbosity, log_json)
    try:
        inputs = total = None
        if dump is not None:
            from pipeline.sources.enterprise import is_enterprise, iter_enterprise
            if is_enterprise(dump):
                inputs = iter_enterprise(dump, config.max_input_bytes)
            else:
                inputs, total = _dump_inputs(dump, dump_index, workers,
                                             show_total=config.progress is not False)
        if zim is not None:
            from pipeline.sources.zim import iter_zim
            inputs = iter_zim(zim, config.max_input_bytes)
        result = run_pipeline(config, inputs, total=total)
    finally:
        restore()
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


@cli.command()
@click.option("--api", "api_url", default="https://en.wikipedia.org/w/api.php", show_default=True,
              help="MediaWiki Action API endpoint (any MediaWiki).")
@click.option("--template", default="Template:Infobox spaceflight", show_default=True,
              help="Without --titles: fetch every article (namespace 0) that transcludes this template.")
@click.option("--titles", "titles", multiple=True, metavar="TITLE",
              help="Fetch this article instead of the template's (repeat the option for more).")
@click.option("--titles-file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Fetch the titles in this UTF-8 file, one per line (blank lines and # comments skipped).")
@click.option("--raw", "raw_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("raw"),
              show_default=True, help="Raw folder; pages go to its api/ subfolder.")
@click.option("--user-agent", default=None,
              help="User-Agent with your contact (a mail or URL); required for Wikimedia wikis "
                   "[default: $INFOBOX_ETL_USER_AGENT, else user_agent under [fetch] in "
                   "./infobox-etl.toml or ~/.config/infobox-etl/config.toml].")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Fetch at most N titles.")
@click.option("--max-attempts", type=click.IntRange(min=1), default=5, show_default=True,
              help="Attempts per API request before giving up (retries back off and honour Retry-After).")
@click.option("--format", "fmt", type=click.Choice(["wikitext", "html"]), default="wikitext", show_default=True,
              help="Store each page's wikitext (Action API), or the HTML MediaWiki renders for it (REST API, "
                   "rest.php beside --api).")
@click.option("--from-dump", "from_dump", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="Backfill instead: store the mission pages of this XML dump in RAW/api/.")
@click.pass_context
def fetch(ctx, api_url, template, titles, titles_file, raw_dir, user_agent, limit, max_attempts, fmt,
          from_dump) -> None:
    """Store articles' wikitext from a MediaWiki API in RAW/api/, with revision metadata.

    Each page becomes <title>.wikitext plus <title>.wikitext.meta.json (revision id, timestamp,
    SHA-1, URL); pages whose stored revision is current are left alone. Missing, invalid,
    normalised and redirected titles are reported, and every run is logged in RAW/api/.fetch-log.json.
    Exit 0 when the API answered (missing titles included), 1 when it could not be used after
    retries, 2 on a usage error.

    \b
    Example:
      infobox-etl fetch                                  # every article with {{Infobox spaceflight}}
      infobox-etl fetch --titles "Apollo 11" --titles "Apollo 8" --raw raw
      infobox-etl fetch --titles-file missions.txt --user-agent "my-bot/1.0 (me@example.org)"
      infobox-etl fetch --from-dump enwiki-pages-articles.xml.bz2   # backfill, same layout
      infobox-etl fetch --format html --titles "Apollo 11"   # MediaWiki's HTML: <title>.html
    """
    from urllib.parse import urlsplit

    if from_dump is not None:
        if fmt == "html":
            raise click.UsageError("--from-dump stores wikitext; --format html needs the REST API")
        if titles or titles_file:
            raise click.UsageError("--from-dump takes the dump's mission pages; do not give titles")
        from pipeline.sources.backfill import backfill_from_dump
        click.echo(backfill_from_dump(from_dump, raw_dir, limit=limit).summary())
        return

    from pipeline.sources.api import MediaWikiClient, default_user_agent
    from pipeline.sources.useragent import ContactRequired, require_contact
    from pipeline.sources.api_store import fetch_to_raw, read_titles_file

    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.UsageError(f"--api {api_url!r}: not an http(s) URL")
    if user_agent is not None and not user_agent.strip():
        raise click.UsageError("--user-agent must not be empty (name the tool and a contact)")
    user_agent = user_agent or _configured_user_agent()
    try:
        require_contact(api_url, user_agent or default_user_agent())
    except ContactRequired as e:
        raise click.UsageError(
            f"{e}.\nName yourself and a contact, e.g. --user-agent \"nightly-etl/1.0 (ops@your-domain.org)\", "
            f"or set {USER_AGENT_ENV}, or write user_agent = \"...\" under [fetch] in ./{CONFIG_NAME} "
            f"or ~/.config/infobox-etl/config.toml.") from e
    source = ctx.get_parameter_source("template")
    asked = list(titles)
    if titles_file is not None:
        try:
            asked += read_titles_file(titles_file)
        except (OSError, ValueError) as e:
            raise click.UsageError(f"--titles-file: {e}")
        if not asked:
            raise click.UsageError(f"--titles-file {titles_file}: no titles in it")
    if asked and source is not None and source.name != "DEFAULT":
        raise click.UsageError("give --template or titles (--titles/--titles-file), not both")
    if fmt == "html":
        from pipeline.sources.rest import RestClient, fetch_html_to_raw
        with RestClient(api_url, user_agent=user_agent, max_retries=max_attempts) as client:
            result = fetch_html_to_raw(client, raw_dir, titles=asked or None, template=template, limit=limit)
    else:
        with MediaWikiClient(api_url, user_agent=user_agent, max_retries=max_attempts) as client:
            result = fetch_to_raw(client, raw_dir, titles=asked or None, template=template, limit=limit)
    if result.outcomes or not result.error:
        click.echo(result.summary())
    if result.error:
        click.echo(f"infobox-etl fetch: {result.error}", err=True)
        sys.exit(EXIT_INTERNAL)


@cli.command("export")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("curated"),
              show_default=True, help="The published tables to export.")
@click.option("--to", "dest", type=click.Path(file_okay=False, path_type=Path), default=Path("export"),
              show_default=True, help="Folder for the CSV files.")
@click.option("--table", "tables", multiple=True, help="Export only this table (repeatable).")
def export_cmd(out_dir, dest, tables) -> None:
    """Export the published tables as CSV, safe to open in a spreadsheet.

    Text cells that a spreadsheet would take for a formula (starting with = + - @) are
    prefixed with a quote.

    \b
    Example:
      infobox-etl export --to export --table missions --table crew
    """
    from pipeline.export import export_csv
    from pipeline.schema import TABLES
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise click.UsageError(f"unknown table(s): {', '.join(sorted(unknown))}")
    try:
        files = export_csv(out_dir, dest, list(tables) or None)
    except FileNotFoundError as e:
        raise click.UsageError(str(e)) from e
    for f in files:
        click.echo(str(f))


@cli.command()
@click.argument("src", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pages-per-frame", type=click.IntRange(min=1), default=100, show_default=True,
              help="<page> elements per zstd frame (the unit a worker reads).")
@click.option("--level", type=click.IntRange(min=1, max=22), default=3, show_default=True,
              help="zstd compression level.")
def transcode(src, out, pages_per_frame, level) -> None:
    """Re-pack a dump (.xml.bz2, .xml.gz, .xml.zst, .xml) once as independent zstd frames plus an
    index, so that later runs read it on several cores at zstd's speed.

    OUT should be named NAME.xml.zst; its index is written beside it as NAME-index.txt.zst
    ("offset:page_id:title" per page, as Wikimedia's multistream index), and `run --dump OUT`
    finds it there.

    \b
    Example:
      infobox-etl transcode enwiki-pages-articles.xml.bz2 enwiki-pages-articles.xml.zst
      infobox-etl run --dump enwiki-pages-articles.xml.zst --workers 16
    """
    from pipeline.sources.transcode import TranscodeError
    from pipeline.sources.transcode import transcode as repack
    if not out.name.endswith(".xml.zst"):
        raise click.UsageError(f"OUT {out}: name it NAME.xml.zst (its index is NAME-index.txt.zst)")
    if out.resolve() == src.resolve():
        raise click.UsageError("OUT must not be SRC")
    try:
        result = repack(src, out, pages_per_frame=pages_per_frame, level=level)
    except TranscodeError as e:
        click.echo(f"infobox-etl transcode: {e}", err=True)
        sys.exit(EXIT_INTERNAL)
    click.echo(result.summary())


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, and the
    record's `data` (extra={"data": {...}}: event, stage, seconds, source, title, ...)."""

    def format(self, record: logging.LogRecord) -> str:
        from datetime import datetime, timezone
        out = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        data = getattr(record, "data", None)
        if isinstance(data, dict):
            out.update({k: v for k, v in data.items() if k not in out})
        return json.dumps(out, ensure_ascii=False, default=str)


def setup_logging(verbosity: str | None, log_json: Path | None):
    """stderr: warnings (quarantined inputs, changes), plus the stages on a terminal or with
    --verbose, only errors with --quiet. --log-json FILE: the same events, at info (debug with
    --verbose), as JSON lines appended to FILE. Returns a function that undoes this."""
    root = logging.getLogger("pipeline")
    before = (list(root.handlers), root.level, root.propagate)
    for h in before[0]:
        root.removeHandler(h)
    level = {"verbose": logging.DEBUG, "quiet": logging.ERROR}.get(
        verbosity, logging.INFO if sys.stderr.isatty() else logging.WARNING)
    text = logging.StreamHandler(sys.stderr)
    text.setLevel(level)
    text.setFormatter(logging.Formatter("infobox-etl: %(message)s"))
    root.addHandler(text)
    lowest = level
    if log_json is not None:
        try:
            log_json.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(log_json, mode="a", encoding="utf-8")
        except OSError as e:
            raise click.UsageError(f"--log-json {log_json}: cannot write ({e.strerror or e})") from e
        handler.setLevel(logging.DEBUG if verbosity == "verbose" else logging.INFO)
        handler.setFormatter(JsonLines())
        root.addHandler(handler)
        lowest = min(lowest, handler.level)
    root.setLevel(lowest)
    root.propagate = False

    def restore() -> None:
        for h in list(root.handlers):
            root.removeHandler(h)
            if h not in before[0]:
                h.close()
        for h in before[0]:
            root.addHandler(h)
        root.setLevel(before[1])
        root.propagate = before[2]
    return restore


def _configured_user_agent() -> str | None:
    """The User-Agent from $INFOBOX_ETL_USER_AGENT, else from `user_agent` under [fetch] in
    ./infobox-etl.toml, else in $XDG_CONFIG_HOME/infobox-etl/config.toml (~/.config by default)."""
    import tomllib
    value = os.environ.get(USER_AGENT_ENV, "").strip()
    if value:
        return value
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    for path in (Path(CONFIG_NAME), Path(home) / "infobox-etl" / "config.toml"):
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise click.UsageError(f"{path}: not a readable TOML file ({e})") from e
        value = (data.get("fetch") or {}).get("user_agent") if isinstance(data.get("fetch"), dict) else None
        if value is not None:
            if not isinstance(value, str) or not value.strip():
                raise click.UsageError(f"{path}: [fetch] user_agent must be a non-empty string")
            return value.strip()
    return None


def _dump_inputs(dump: Path, index: Path | None, workers: int, show_total: bool = True):
    """(inputs, total): a multistream dump (bz2, or a zstd re-pack from `transcode`) with its
    index is read block by block on `workers` processes (on Dask, by the workers themselves), its
    article count (for the progress bar) read from the index; any other dump (bz2, zstd, gzip,
    plain) as one stream, of unknown length, its page texts cleaned in the workers."""
    from pipeline.sources.multistream import MultistreamDump, count_pages, index_path_for
    if index is None and index_path_for(dump).is_file():
        index = index_path_for(dump)
    if index is not None:
        total = count_pages(dump, index) if show_total else None
        return MultistreamDump(dump, index, workers=max(1, workers)), total
    from pipeline.sources import iter_dump
    return iter_dump(dump, clean_content=False), None


def _default_expectations(raw_dir: Path) -> Path:
    beside = raw_dir.resolve().parent / "expectations"
    if beside.is_dir():
        return beside
    return Path(__file__).resolve().parent.parent / "expectations"


def format_run_summary(s: RunSummary) -> str:
    failed = s.expectations_failed
    lines = [
        f"run {s.run_id}",
        f"  inputs read          {s.inputs_read}"
        f"  (curated {s.inputs_curated}, no mission {s.inputs_no_mission},"
        f" quarantined {s.inputs_quarantined})",
        f"  missions curated     {s.missions_curated}  -> {s.out_dir}/missions.parquet",
        f"  unchanged, reused    {s.inputs_reused}",
        f"  expectations failed  {failed['error']} error, {failed['warning']} warning",
    ]
    if s.values_lost_by_param:
        lost = ", ".join(f"{k} ({v})" for k, v in s.values_lost_by_param.items())
        lines.append(f"  lost in rendering    {lost}")
    for q in s.quarantine[:5]:
        who = f"{q['title']} ({q['source']})" if q.get("title") else q["source"]
        lines.append(f"  quarantined          {who} [{q['stage']}] {q['reason'][:100]}")
    if len(s.quarantine) > 5:
        lines.append(f"  ... and {len(s.quarantine) - 5} more in quarantine.parquet")
    if s.timings_s:
        lines.append("  seconds by stage     " + ", ".join(f"{k} {v:.1f}" for k, v in s.timings_s.items()))
    if s.changes:
        items = s.changes.get("items") or []
        against = s.changes.get("against") or "none yet"
        lines.append(f"  new since published  {len(items)} (against {against})")
        for c in items[:10]:
            lines.append(f"    {c['why'][:160]}")
        if len(items) > 10:
            lines.append(f"    ... and {len(items) - 10} more in dq.json")
    if not s.published:
        lines.append("  NOT PUBLISHED        a publish check failed; the previous snapshot stays current")
    if s.report.get("markdown"):
        lines.append(f"  report               {s.report['markdown']}")
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
    finally:
        _leave_heap_to_the_os()


def _leave_heap_to_the_os() -> None:
    """The process ends after this (main is the console entry point only; tests drive `cli`):
    every object it holds moves to the collector's permanent generation, so the interpreter's
    collections at shutdown skip them. After a run, Great Expectations' modules alone made those
    collections about half a second of a run's wall time; the memory goes back to the OS when
    the process exits either way. Output, files and atexit handlers are finished as before
    (objects are still freed by reference counting; only cyclic garbage is left uncollected)."""
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()
