"""The orchestrator: read -> extract -> transform -> validate -> load -> report.

Every input ends in the inputs table exactly once: `curated`, `no_mission` or `quarantined`.
A failure inside a stage is wrapped here, once, with the stage and the input in the message,
and quarantines that input; the run goes on.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from functools import partial

from pipeline import load
from pipeline.config import Config
from pipeline.engines import process_all, uses_partitions
from pipeline.incremental import Previous, code_fingerprint
from pipeline.intake import Intake, PageResult, quarantined
from pipeline.intake import collect as _collect
from pipeline.parts import PART_TABLES, Staging, write_task_part
from pipeline.extract import extract_page, make_prose
from pipeline.records import Issue, Page, RawInput, RunSummary
from pipeline.schema import SCHEMA_VERSION, TABLES, check_rows, to_table
from pipeline.sources import ReadFailure, is_dump, is_enterprise, is_zim, iter_inputs, list_inputs
from pipeline.core import names
from pipeline.core.untrusted import clean_and_hash, clean_text, text_sha256
from pipeline.transform.mapper import Bundle, map_all
from pipeline.transform.people import unify_person_keys
from pipeline.transform.reconcile import reconcile

EXCERPT = 300
log = logging.getLogger("pipeline.run")
MAX_PARAMS = 10_000   # infobox parameters of one page (a long real infobox has a few hundred)


@dataclass
class RunResult:
    run_id: str
    summary: RunSummary
    exit_code: int
    report: dict
    manifest: dict | None


class _Clock:
    """Wall-clock seconds per stage, for the summary (what a scheduler's operator wants to see),
    and the driver process's own CPU seconds per stage (`process_time`: its threads, not the
    worker processes): how much of a stage the driver itself carries, which bounds how many
    workers one driver can feed. The CPU of the background import of Great Expectations is
    kept apart (its own entry), so that a stage's figure is the stage's work."""

    BACKGROUND = "import great_expectations (background)"

    def __init__(self, background: "_WarmUp | None" = None):
        self.laps: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._background = background
        self._t = time.perf_counter()
        self._c = time.process_time()
        self._b = background.cpu_s() if background else 0.0

    def lap(self, stage: str, then: str | None = None) -> None:
        """End `stage` (logged with its seconds) and say which stage comes next, if any."""
        now, cpu = time.perf_counter(), time.process_time()
        bg = self._background.cpu_s() if self._background else 0.0
        self.laps[stage] = round(now - self._t, 3)
        self.cpu[stage] = round(max(0.0, (cpu - self._c) - (bg - self._b)), 3)
        if self._background:
            self.cpu.pop(self.BACKGROUND, None)  # kept last, with the total so far
            self.cpu[self.BACKGROUND] = round(bg, 3)
        self._t, self._c, self._b = now, cpu, bg
        log.info("%s: %.1f s%s", stage, self.laps[stage], f"; {then}…" if then else "",
                 extra={"data": {"event": "stage", "stage": stage, "seconds": self.laps[stage],
                                 "next": then}})


def quarantine_result(item: RawInput | ReadFailure, reason: str) -> PageResult:
    """The result of an input that hit a limit of its engine (time, memory, a killed worker):
    quarantined at stage `extract` with the reason. The engines call it in the driver."""
    if isinstance(item, ReadFailure):  # it never reaches a parser, but keep its facts
        return quarantined(item.source, None, None, "extract", reason, item.excerpt, item.sha256)
    excerpt = item.content[:EXCERPT] if item.cleaned else clean_text(item.content[:EXCERPT])
    return quarantined(item.source, item.fmt, item.title, "extract", reason,
                       excerpt, content_sha(item), item.rev_id)


def make_run_id(now: datetime, fingerprint: str) -> str:
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{fingerprint[:8]}"


def content_sha(item: RawInput) -> str:
    """The hash of the input as read (sources keep it before cleaning the text), else of its text."""
    if item.sha256:
        return item.sha256
    return text_sha256(item.content)


def reuse(item: RawInput | ReadFailure, previous: Previous | None) -> PageResult | None:
    """The previous snapshot's rows for an unchanged input (incremental run), else None."""
    if previous is None or isinstance(item, ReadFailure):
        return None
    found = previous.reuse(item.source, content_sha(item), item.rev_id, title=item.title,
                           page_id=item.page_id, rev_timestamp=item.rev_timestamp,
                           source_format=item.source_format)
    if found is None:
        return None
    input_row, params, keyed, rows, issues = found
    bundles = []
    for table, key, row in keyed:
        mine = [i for i in issues if i[0] == table and i[1] == row[key]]
        b = Bundle(table=table, row=row, key=key, issues=[i[2] for i in mine])
        if table == "missions":
            b.crew, b.events, b.facts = rows["crew"], rows["events"], rows["facts"]
        bundles.append(b)
    missions = next((b for b in bundles if b.table == "missions"), None)
    return PageResult(input_row, params, missions, reused=True,
                      others=[b for b in bundles if b is not missions])


def process(item: RawInput | ReadFailure) -> PageResult:
    """One input through extract and transform, its rows checked against the tables' types.
    Never raises: a failure quarantines the input, with the stage it happened in."""
    if isinstance(item, ReadFailure):
        return quarantined(item.source, None, None, "read", item.reason, item.excerpt, item.sha256)
    if item.cleaned:
        sha = content_sha(item)
    else:  # text as read (a dump page): hashed and cleaned here, in the worker
        content, sha = clean_and_hash(item.content)
        item = replace(item, content=content, sha256=sha, cleaned=True)
    stage = ["extract"]
    try:
        result = _process(item, sha, stage)
        stage[0] = "transform"  # the rows are built; now they must fit the tables
        return checked(result)
    except MemoryError:
        raise  # a page over its memory limit: the isolating worker must be replaced
    except Exception as e:  # a bug or a pathological page: quarantine it, keep the run going
        reason = f"{stage[0]} failed: {type(e).__name__}: {e}"
        return quarantined(item.source, item.fmt, item.title, stage[0], reason, item.content[:EXCERPT],
                           sha, item.rev_id)


def _process(item: RawInput, sha: str, stage: list[str]) -> PageResult:
    """extract, then transform (stage[0] says which one is running)."""
    page = make_prose(extract_page(item))
    title = page.title or _title_from_source(item.source)
    count = sum(len(box.params) for box in page.infoboxes)
    if count > MAX_PARAMS:  # its rows would be unbounded in the driver
        return quarantined(item.source, item.fmt, title, "extract",
                           f"{count:,} infobox parameters, over the limit of {MAX_PARAMS:,} per page",
                           item.content[:EXCERPT], sha, item.rev_id)
    params = _param_rows(page, title)
    if page.redirect:
        return PageResult(_input(item, page.fmt, "no_mission", 0, f"redirect to {page.redirect}",
                                 title, sha), params)
    stage[0] = "transform"
    bundles = map_all(page, title)
    bundle = next((b for b in bundles if b.table == "missions"), None)
    others = [b for b in bundles if b is not bundle]
    if bundle is None:
        kinds = sorted({b.template for b in page.infoboxes if b.parent is None})
        why = ("no mission infobox (found: " + ", ".join(kinds) + ")") if kinds else "no infobox"
        if others:
            why += "; rows in " + ", ".join(sorted(b.table for b in others))
        return PageResult(_input(item, page.fmt, "no_mission", 0, why, title, sha), params,
                          others=others)
    bundle = reconcile(bundle, page)
    return PageResult(_input(item, page.fmt, "curated", 1, None, title, sha), params, bundle,
                      others=others)


def _title_from_source(source: str) -> str:
    stem = Path(source.split("#", 1)[0]).name
    for suffix in (".wikitext", ".wiki", ".txt", ".mediawiki"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
    return names.normalise_title(clean_text(stem)) or source


def _input(item: RawInput, fmt, outcome, missions, reason, title, sha) -> dict:
    return {"source": item.source, "format": fmt, "outcome": outcome, "missions": missions,
            "reason": reason, "title": title, "sha256": sha, "rev_id": item.rev_id}


def _param_rows(page: Page, title: str) -> list[dict]:
    return [{"source": page.source, "title": title, "infobox": box.index, "template": box.template,
             "param": name, "raw": v.raw, "text": v.text, "parent": box.parent}
            for box in page.infoboxes for name, v in box.params.items()]


VALIDATION_CACHE = "_validation_cache"   # in reports_dir: suite results of the last run (suites.py)


class _WarmUp:
    """Import Great Expectations (seconds of pure Python) in a thread while the pages are being
    extracted (workers are spawned, never forked, so the thread is safe), so that validation
    and the report do not wait for it afterwards. `cpu_s()` is the CPU the thread has used so
    far (its own CPU clock while it runs, its final figure once it is done)."""

    def __init__(self):
        import threading
        self._clock_id: int | None = None
        self._final: float | None = None
        self._started = threading.Event()
        threading.Thread(target=self._load, name="import-great-expectations", daemon=True).start()
        self._started.wait(5)

    def _load(self) -> None:
        import threading
        try:
            self._clock_id = time.pthread_getcpuclockid(threading.get_ident())
        except (AttributeError, OSError):  # not every platform has per-thread CPU clocks
            pass
        self._started.set()
        try:
            from pipeline.validate.suites import gx_module
            gx_module()
        except Exception:  # the validate stage imports it again and reports what is wrong
            pass
        finally:
            self._final = time.thread_time()

    def cpu_s(self) -> float:
        if self._final is not None:
            return self._final
        if self._clock_id is not None:
            try:
                return time.clock_gettime(self._clock_id)
            except OSError:  # the thread ended between the two reads
                pass
        return self._final or 0.0


class PreflightError(ValueError):
    """A run that could not finish is refused before it reads anything (message says why)."""


def preflight(config: Config) -> None:
    """Check before any work what would otherwise fail after publishing: the output and reports
    folders exist (or can be made) and accept a new file. Raises PreflightError."""
    import tempfile
    for what, folder in (("--out", config.out_dir), ("--reports", config.reports_dir)):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".preflight-"):
                pass
        except OSError as e:
            raise PreflightError(f"{what} {folder}: not a writable folder ({e.strerror or e})") from e


def run(config: Config, inputs: Iterable[RawInput | ReadFailure] | None = None,
        now: datetime | None = None, total: int | None = None) -> RunResult:
    """Run the whole pipeline on config.raw_dir (or on `inputs`, `total` of them if known),
    publish, report."""
    preflight(config)
    with Staging(config.out_dir) as staging:  # the run's part files (pipeline/parts.py)
        return _run(config, inputs, now, total, staging)


def _run(config: Config, inputs, now, total, staging: Staging) -> RunResult:
    warm_up = _WarmUp()
    now = now or datetime.now(timezone.utc)
    clock = _Clock(warm_up)
    if inputs is None:
        paths = list_inputs(config.raw_dir)
        total = None if any(is_dump(p) or is_zim(p) or is_enterprise(p) for p in paths) else len(paths)
        inputs = iter_inputs(config.raw_dir, config.max_input_bytes)
    previous = Previous.load(config.out_dir) if config.incremental else None
    log.info("reading %s inputs from %s (engine %s)", total if total is not None else "the",
             config.raw_dir, config.engine,
             extra={"data": {"event": "start", "inputs": total, "engine": config.engine}})
    reuse_fn = None if previous is None else (lambda item: reuse(item, previous))
    by_results = uses_partitions(inputs, config, reuse_fn)   # the workers read the pages
    if not by_results:
        inputs = _progress(inputs, total, config)
    # Each result is accounted for as it comes (pipeline/intake.py): its inputs row and its
    # infobox_params rows go to the staging parts (the latter written by the Dask workers
    # themselves, or buffered here for the local engine), so the driver keeps only the results
    # with mission (or other mapped) rows or quarantine rows; their facts are kept as Arrow.
    intake = Intake(staging)
    results = process_all(inputs, config, process, quarantine_result, reuse_fn,
                          finish=partial(write_task_part, str(staging.folder)))
    if by_results:  # counted as they come back (one result per input)
        results = _progress(results, total, config)
    for r in results:
        intake.take(r)
    intake.finish()
    clock.lap("read+extract+transform", "tables")

    run_id = make_run_id(now, intake.fingerprint())
    rows = _collect(intake.kept, skip=PART_TABLES)
    unify_person_keys(rows)   # one key per person across pages ("Peggy A. Whitson" = "Peggy Whitson")
    tables = {name: intake.facts_table(run_id) if name == "facts"
              else to_table(name, rows[name], run_id) for name in TABLES if name not in PART_TABLES}

    from pipeline.validate import (  # GE loads only here
        check_row_counts, prune_reports, validate, write_report)
    clock.lap("tables", "validate")
    result = validate(tables, expectations_dir=config.expectations_dir,
                      cache_dir=config.reports_dir / VALIDATION_CACHE)
    held = result.quarantine_ids()
    if held:
        rows, tables = _hold_back(rows, tables, held, run_id, intake)

    # Table-level checks against the published snapshot: a big drop in rows blocks publishing,
    # and the previous snapshot stays current. The guard reads the published manifest under the
    # publish lock, so a run that published meanwhile is the one compared against.
    # --allow-shrink accepts any drop (a table emptied still blocks).
    max_drop = 1.0 if config.allow_shrink else 0.2

    def guard(published: dict | None) -> bool:
        result.outcomes += check_row_counts(tables, published, max_drop=max_drop)
        return bool(result.blocks_publish())

    # What the summary and the report need of the per-page rows, taken now: the rows themselves
    # go before the load stage (they are in `tables`), so its peak is not on top of theirs.
    summary = _summary(rows, result, intake, run_id, config)
    titles = {b.row["mission_id"]: b.row["title"] for r in intake.kept if r.bundle for b in [r.bundle]}
    quarantine = rows["quarantine"]
    del rows
    intake.kept = []
    clock.lap("validate", "load")
    manifest = None
    if result.blocks_publish():  # not published anyway; the report still compares row counts
        result.outcomes += check_row_counts(tables, load.read_manifest(config.out_dir), max_drop=max_drop)
    else:
        manifest = load.publish(tables, config.out_dir, run_id, keep=config.keep_snapshots,
                                extra={"code": code_fingerprint(), "schema_version": SCHEMA_VERSION},
                                guard=guard, staged={"infobox_params": staging, "inputs": intake.inputs})
    blocked = manifest is None
    clock.lap("load", "report")
    summary.expectations_failed = _failed(result)   # with the row-count checks made at load
    summary.published = not blocked
    summary.timings_s = clock.laps  # the same dict: dq.json gets the stages up to load
    summary.driver_cpu_s = clock.cpu
    report = write_report(result, run_dir=(config.reports_dir / run_id).resolve(), run_id=run_id,
                          summary=summary, titles=titles, tables=tables, changes=summary.changes)
    clock.lap("report")
    summary.report = {k: str(v) for k, v in report.items()}
    config.reports_dir.mkdir(parents=True, exist_ok=True)
    (config.reports_dir / "LATEST").write_text(run_id + "\n", encoding="utf-8")
    summary.reports_pruned = len(prune_reports(config.reports_dir, config.keep_reports))
    exit_code = 3 if blocked else _exit_code(config.fail_on, summary)
    _log_outcome(summary, quarantine, exit_code)
    return RunResult(run_id, summary, exit_code, report, manifest)


def _log_outcome(summary: RunSummary, quarantine: list[dict], exit_code: int) -> None:
    for q in quarantine:
        title = _shown_title(q)
        log.warning("quarantined %s (%s) at %s: %s", title or q["source"], q["source"], q["stage"],
                    q["reason"], extra={"data": {"event": "quarantine", "source": q["source"],
                                                 "title": title, "stage": q["stage"],
                                                 "reason": q["reason"]}})
    for c in summary.changes.get("items") or []:
        log.warning("new since the last published run: %s", c["why"], extra={"data": {"event": "change", **c}})
    log.info("run %s: exit %d, %s", summary.run_id, exit_code,
             "published" if summary.published else "NOT published",
             extra={"data": {"event": "end", "run_id": summary.run_id, "exit_code": exit_code,
                             "published": summary.published, "inputs": summary.inputs_read,
                             "quarantined": summary.inputs_quarantined,
                             "failed": summary.expectations_failed,
                             "changes": len(summary.changes.get("items") or []),
                             "report": summary.report.get("markdown")}})


def _shown_title(q: dict) -> str | None:
    """A quarantined input's title for people: its own, else one read from a file's name (an
    input that could not be read has no title of its own; a dump page without one keeps none)."""
    if q.get("title"):
        return q["title"]
    return None if "#" in q["source"] else _title_from_source(q["source"])


def _progress(items, total: int | None, config: Config):
    show = config.progress if config.progress is not None else (
        sys.stderr.isatty() and (total is None or total >= 20))
    if not show:
        return items
    from tqdm import tqdm
    return tqdm(items, total=total, unit="page", desc="extract", file=sys.stderr)


def checked(result: PageResult) -> PageResult:
    """The result, once its rows are known to fit the tables' Arrow types (the same build the
    driver makes): a value that cannot be stored quarantines this input, not the run."""
    for table, rows in result.rows().items():
        if rows:
            check_rows(table, rows)
    return result


def _hold_back(rows: dict[str, list[dict]], tables: dict, held: dict[str, list[str]],
               run_id: str, intake: Intake) -> tuple[dict[str, list[dict]], dict]:
    """Rows and tables without the missions that failed an error-severity row check: each such
    mission goes to quarantine with its reasons and its row as JSON, its input is marked
    quarantined (the staged inputs row is amended at publish: intake.hold_back), and its crew,
    events, facts and issues leave with it. The mission tables are filtered, only quarantine is
    built anew."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = dict(rows)
    why = {}
    for m in rows["missions"]:
        reasons = held.get(m["mission_id"])
        if reasons:
            why[m["source"]] = ", ".join(sorted(reasons))
    rows["quarantine"] = rows["quarantine"] + [{
        "source": m["source"], "stage": "validate", "reason": why[m["source"]],
        "excerpt": m["title"], "row": json.dumps(m, default=str, sort_keys=True), "title": m["title"]}
        for m in rows["missions"] if m["mission_id"] in held]
    intake.hold_back(why)
    gone = pa.array(sorted(held), pa.string())
    tables = dict(tables)
    for t in ("missions", "crew", "events", "facts", "issues"):
        rows[t] = [r for r in rows[t] if r["mission_id"] not in held]
        tables[t] = tables[t].filter(pc.invert(pc.is_in(tables[t]["mission_id"], value_set=gone)))
    tables["quarantine"] = to_table("quarantine", rows["quarantine"], run_id)
    return rows, tables


def _summary(rows, result, intake: Intake, run_id, config: Config) -> RunSummary:
    outcomes = intake.outcomes
    issues: list[Issue] = [i for r in intake.kept for b in r.bundles() for i in b.issues]
    by_code = Counter(i.code for i in issues)
    lost = Counter(i.field for i in issues if i.code == "value_lost")
    unknown = Counter(i.field for i in issues if i.code == "unknown_template")
    return RunSummary(
        run_id=run_id,
        inputs_read=intake.inputs.added,
        missions_curated=len(rows["missions"]),
        inputs_curated=outcomes.get("curated", 0),
        inputs_no_mission=outcomes.get("no_mission", 0),
        inputs_quarantined=outcomes.get("quarantined", 0),
        inputs_reused=intake.reused,
        expectations_failed=_failed(result),
        issues=dict(sorted(by_code.items())),
        values_lost_by_param=dict(sorted(lost.items())),
        unknown_templates=dict(sorted(unknown.items())),
        issue_list=[{"code": i.code, "field": i.field, "mission_id": i.mission_id,
                     "message": i.message} for i in issues],
        quarantine=[{"source": q["source"], "title": _shown_title(q), "stage": q["stage"],
                     "reason": q["reason"]} for q in rows["quarantine"]],
        out_dir=str(config.out_dir),
    )


def _failed(result) -> dict[str, int]:
    return {"error": len(result.failures("error")), "warning": len(result.failures("warning"))}


def _exit_code(fail_on: str, summary: RunSummary) -> int:
    failed = summary.expectations_failed
    if fail_on == "never":
        return 0
    if fail_on == "new":  # only what is new or worse than the last published run
        return 3 if summary.changes.get("items") else 0
    errors = failed["error"] + summary.inputs_quarantined
    if errors or (fail_on == "warning" and failed["warning"]):
        return 3
    return 0
