"""The orchestrator: read -> extract -> transform -> validate -> load -> report.

Every input ends in the inputs table exactly once: `curated`, `no_mission` or `quarantined`.
A failure inside a stage is wrapped here, once, with the stage and the input in the message,
and quarantines that input; the run goes on.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from functools import partial

from pipeline import load
from pipeline.config import Config
from pipeline.engines import process_all
from pipeline.incremental import Previous, code_fingerprint
from pipeline.parts import PART_TABLES, RowBuffer, Staging, write_task_part
from pipeline.extract import extract_page, make_prose
from pipeline.records import Issue, Page, RawInput, RunSummary
from pipeline.schema import SCHEMA_VERSION, TABLES, check_rows, to_table
from pipeline.sources import ReadFailure, is_dump, is_enterprise, is_zim, iter_inputs, list_inputs
from pipeline.core import names
from pipeline.core.untrusted import clean_text
from pipeline.transform.mapper import Bundle, map_all
from pipeline.transform.people import unify_person_keys
from pipeline.transform.reconcile import reconcile

EXCERPT = 300
log = logging.getLogger("pipeline.run")
MAX_PARAMS = 10_000   # infobox parameters of one page (a long real infobox has a few hundred)


@dataclass
class PageResult:
    """What one input contributed: its accounting row and its rows for every table."""

    input_row: dict
    params: list[dict] = field(default_factory=list)
    bundle: Bundle | None = None
    quarantine: list[dict] = field(default_factory=list)
    reused: bool = False
    others: list[Bundle] = field(default_factory=list)   # rows of other mapped tables (rockets, ...)
    # where `params` went once staged as a Parquet part (pipeline.parts): (part, page), and how
    # many rows; `params` is then empty
    params_at: tuple[str, int] | None = None
    n_params: int = 0

    def bundles(self) -> list[Bundle]:
        return ([self.bundle] if self.bundle else []) + self.others

    def rows(self) -> dict[str, list[dict]]:
        """This input's rows, by table (the tables it has rows in)."""
        out: dict[str, list[dict]] = {"inputs": [self.input_row], "infobox_params": list(self.params),
                                      "quarantine": list(self.quarantine)}
        for b in self.bundles():
            out.setdefault(b.table, []).append(b.row)
            for t, rows in (("crew", b.crew), ("events", b.events), ("facts", b.facts)):
                out.setdefault(t, []).extend(rows)
            out.setdefault("issues", []).extend(
                {"mission_id": i.mission_id, "table": b.table, "row_key": b.row[b.key],
                 "source": b.row["source"], "code": i.code, "field": i.field, "message": i.message}
                for i in b.issues)
        return out


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
        return _quarantined(item.source, None, None, "extract", reason, item.excerpt, item.sha256)
    excerpt = item.content[:EXCERPT] if item.cleaned else clean_text(item.content[:EXCERPT])
    return _quarantined(item.source, item.fmt, item.title, "extract", reason,
                        excerpt, content_sha(item), item.rev_id)


def make_run_id(now: datetime, fingerprint: str) -> str:
    return f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{fingerprint[:8]}"


def content_sha(item: RawInput) -> str:
    """The hash of the input as read (sources keep it before cleaning the text), else of its text."""
    if item.sha256:
        return item.sha256
    return hashlib.sha256(item.content.encode("utf-8", "surrogatepass")).hexdigest()


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
        return _quarantined(item.source, None, None, "read", item.reason, item.excerpt, item.sha256)
    sha = content_sha(item)
    if not item.cleaned:  # text as read (a dump page): cleaned here, in the worker
        item = replace(item, content=clean_text(item.content), sha256=sha, cleaned=True)
    stage = ["extract"]
    try:
        result = _process(item, sha, stage)
        stage[0] = "transform"  # the rows are built; now they must fit the tables
        return checked(result)
    except MemoryError:
        raise  # a page over its memory limit: the isolating worker must be replaced
    except Exception as e:  # a bug or a pathological page: quarantine it, keep the run going
        reason = f"{stage[0]} failed: {type(e).__name__}: {e}"
        return _quarantined(item.source, item.fmt, item.title, stage[0], reason, item.content[:EXCERPT],
                            sha, item.rev_id)


def _process(item: RawInput, sha: str, stage: list[str]) -> PageResult:
    """extract, then transform (stage[0] says which one is running)."""
    page = make_prose(extract_page(item))
    title = page.title or _title_from_source(item.source)
    count = sum(len(box.params) for box in page.infoboxes)
    if count > MAX_PARAMS:  # its rows would be unbounded in the driver
        return _quarantined(item.source, item.fmt, title, "extract",
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


def _one_row_per_source(results: list[PageResult]) -> list[PageResult]:
    """Every input once in the inputs table: a second input under a source already seen (two
    dump pages with one id, or one title and no id) is quarantined as `<source>#duplicate=N`,
    so neither the tables nor the next incremental run mix the two."""
    seen: Counter = Counter()
    out = []
    for r in results:
        source = r.input_row["source"]
        seen[source] += 1
        if seen[source] == 1:
            out.append(r)
            continue
        row = r.input_row
        why = (f"duplicate input: {source} was read already (page id or title repeated in the "
               "dump); the first one is kept")
        out.append(_quarantined(f"{source}#duplicate={seen[source]}", row["format"], row["title"], "read",
                                why, "", row["sha256"], row["rev_id"]))
    return out


def _distinct_ids(results: list[PageResult], renamed: list | None = None) -> list[PageResult]:
    """Row ids (mission_id, rocket_id) are slugs of the title, and a slug loses case, accents and
    punctuation: "Apollo 11", "APOLLO 11" and "Apollo-11" are one slug. Pages are told apart by
    their normalised title (MediaWiki's rules, in NFC: sources clean titles where they enter).

    A title read a second time (two files, or the two Unicode forms of "Été 1") is one page:
    the first input keeps it, a later one is quarantined as its duplicate. Where different
    titles share a slug, each gets the slug plus 8 hex digits of its title's SHA-1, in every row
    that names it. Idempotent: reused rows are keyed again from their titles. Each renamed
    bundle is appended to `renamed` as (bundle, old id, new id) (for rows held elsewhere)."""
    owner: dict[tuple[str, str], str] = {}
    kept = []
    for r in results:
        first = next((owner[(b.table, b.row["title"])] for b in r.bundles()
                      if (b.table, b.row["title"]) in owner), None)
        if first is not None:
            row = r.input_row
            kept.append(_quarantined(row["source"], row["format"], row["title"], "transform",
                                     f"duplicate page: the title {row['title']!r} is read from {first} "
                                     "already (same normalised title); that one is kept",
                                     "", row["sha256"], row["rev_id"]))
            continue
        for b in r.bundles():
            owner[(b.table, b.row["title"])] = r.input_row["source"]
        kept.append(r)
    groups: dict[tuple[str, str], list[Bundle]] = {}
    for r in kept:
        for b in r.bundles():
            groups.setdefault((b.table, names.mission_slug(b.row["title"])), []).append(b)
    for (_, slug), bundles in groups.items():
        clash = len({b.row["title"] for b in bundles}) > 1
        for b in bundles:
            new = f"{slug}-{hashlib.sha1(b.row['title'].encode('utf-8')).hexdigest()[:8]}" if clash else slug
            old = b.row[b.key]
            if new == old:
                continue
            b.row[b.key] = new
            if renamed is not None:
                renamed.append((b, old, new))
            for row in (*b.crew, *b.events, *b.facts):
                if row.get("mission_id") == old:
                    row["mission_id"] = new
            for issue in b.issues:
                if issue.mission_id == old:
                    issue.mission_id = new
    return kept


def _held(result: PageResult, facts: RowBuffer, owner: dict[int, int]) -> PageResult:
    """What the driver keeps of a result until the tables are built: the facts rows of each of
    its bundles go to `facts` (as Arrow, about a third of their size as dicts), numbered in
    `owner` by the bundle's id(); the person index and the planned-marks evidence, which served
    reconcile in the worker and nothing reads later, are dropped (together about 40 of a
    mission's 55 KB)."""
    for b in result.bundles():
        owner[id(b)] = n = len(owner)
        facts.add(n, b.facts)
        b.facts, b.persons, b.evidence = [], names.PersonIndex(), []
    return result


def _input(item: RawInput, fmt, outcome, missions, reason, title, sha) -> dict:
    return {"source": item.source, "format": fmt, "outcome": outcome, "missions": missions,
            "reason": reason, "title": title, "sha256": sha, "rev_id": item.rev_id}


def _quarantined(source, fmt, title, stage, reason, excerpt, sha, rev_id=None) -> PageResult:
    row = {"source": source, "format": fmt, "outcome": "quarantined", "missions": 0, "reason": reason,
           "title": title, "sha256": sha, "rev_id": rev_id}
    q = {"source": source, "stage": stage, "reason": reason, "excerpt": excerpt or "", "row": None,
         "title": title}
    return PageResult(row, quarantine=[q])


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
    if not (config.engine == "dask" and previous is None and hasattr(inputs, "partitions")):
        inputs = _progress(inputs, total, config)  # (partitions are read by the Dask workers)
    # Each result's infobox_params rows go to the staging parts as it comes (written by the Dask
    # workers themselves, or buffered here for the local engine), so the driver keeps only the
    # accounting and the mission rows; the facts, most of those, are kept as Arrow.
    facts, owner = RowBuffer("facts"), {}
    results = [_held(staging.take(r), facts, owner) for r in process_all(
        inputs, config, process, quarantine_result,
        None if previous is None else (lambda item: reuse(item, previous)),
        finish=partial(write_task_part, str(staging.folder)))]
    staging.finish()
    read, renamed = results, []
    results = _distinct_ids(_one_row_per_source(results), renamed)
    kept = {id(r) for r in results}
    staging.drop(r for r in read if id(r) not in kept)  # their rows stay out of the table
    facts_kept = {owner[id(b)] for r in results for b in r.bundles()}
    facts_renamed = {(owner[id(b)], old): new for b, old, new in renamed}
    del read, kept, owner, renamed
    clock.lap("read+extract+transform", "tables")

    fingerprint = hashlib.sha256("\n".join(sorted(r.input_row["sha256"] or r.input_row["source"]
                                                  for r in results)).encode()).hexdigest()
    run_id = make_run_id(now, fingerprint)
    rows = _collect(results)
    unify_person_keys(rows)   # one key per person across pages ("Peggy A. Whitson" = "Peggy Whitson")
    tables = {name: facts.table(run_id, facts_kept, facts_renamed) if name == "facts"
              else to_table(name, rows[name], run_id) for name in TABLES if name not in PART_TABLES}
    del facts

    from pipeline.validate import (  # GE loads only here
        check_row_counts, prune_reports, validate, write_report)
    clock.lap("tables", "validate")
    result = validate(tables, expectations_dir=config.expectations_dir,
                      cache_dir=config.reports_dir / VALIDATION_CACHE)
    held = result.quarantine_ids()
    if held:
        rows, tables = _hold_back(rows, tables, held, run_id)

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
    summary = _summary(rows, result, results, run_id, config)
    titles = {b.row["mission_id"]: b.row["title"] for r in results if r.bundle for b in [r.bundle]}
    quarantine = rows["quarantine"]
    del rows, results
    clock.lap("validate", "load")
    manifest = None
    if result.blocks_publish():  # not published anyway; the report still compares row counts
        result.outcomes += check_row_counts(tables, load.read_manifest(config.out_dir), max_drop=max_drop)
    else:
        manifest = load.publish(tables, config.out_dir, run_id, keep=config.keep_snapshots,
                                extra={"code": code_fingerprint(), "schema_version": SCHEMA_VERSION},
                                guard=guard, staged={name: staging for name in PART_TABLES})
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


def _collect(results: list[PageResult]) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for r in results:
        for table, part in r.rows().items():
            rows[table].extend(part)
    return rows


def checked(result: PageResult) -> PageResult:
    """The result, once its rows are known to fit the tables' Arrow types (the same build the
    driver makes): a value that cannot be stored quarantines this input, not the run."""
    for table, rows in result.rows().items():
        if rows:
            check_rows(table, rows)
    return result


def _hold_back(rows: dict[str, list[dict]], tables: dict, held: dict[str, list[str]],
               run_id: str) -> tuple[dict[str, list[dict]], dict]:
    """Rows and tables without the missions that failed an error-severity row check: each such
    mission goes to quarantine with its reasons and its row as JSON, its input is marked
    quarantined, and its crew, events, facts and issues leave with it. The inputs are not
    changed; the mission tables are filtered, only inputs and quarantine are built anew."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = dict(rows)
    quarantined = {}
    for m in rows["missions"]:
        reasons = held.get(m["mission_id"])
        if reasons:
            quarantined[m["source"]] = ", ".join(sorted(reasons))
    rows["quarantine"] = rows["quarantine"] + [{
        "source": m["source"], "stage": "validate", "reason": quarantined[m["source"]],
        "excerpt": m["title"], "row": json.dumps(m, default=str, sort_keys=True), "title": m["title"]}
        for m in rows["missions"] if m["mission_id"] in held]
    rows["inputs"] = [inp if inp["source"] not in quarantined else {
        **inp, "outcome": "quarantined", "missions": 0,
        "reason": "validation failed: " + quarantined[inp["source"]]} for inp in rows["inputs"]]
    gone = pa.array(sorted(held), pa.string())
    tables = dict(tables)
    for t in ("missions", "crew", "events", "facts", "issues"):
        rows[t] = [r for r in rows[t] if r["mission_id"] not in held]
        tables[t] = tables[t].filter(pc.invert(pc.is_in(tables[t]["mission_id"], value_set=gone)))
    for t in ("inputs", "quarantine"):
        tables[t] = to_table(t, rows[t], run_id)
    return rows, tables


def _summary(rows, result, results, run_id, config: Config) -> RunSummary:
    outcomes = Counter(r["outcome"] for r in rows["inputs"])
    issues: list[Issue] = [i for r in results for b in r.bundles() for i in b.issues]
    by_code = Counter(i.code for i in issues)
    lost = Counter(i.field for i in issues if i.code == "value_lost")
    unknown = Counter(i.field for i in issues if i.code == "unknown_template")
    return RunSummary(
        run_id=run_id,
        inputs_read=len(rows["inputs"]),
        missions_curated=len(rows["missions"]),
        inputs_curated=outcomes.get("curated", 0),
        inputs_no_mission=outcomes.get("no_mission", 0),
        inputs_quarantined=outcomes.get("quarantined", 0),
        inputs_reused=sum(r.reused for r in results),
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
