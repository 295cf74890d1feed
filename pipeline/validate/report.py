"""The data-quality report of a run: dq.json (for machines), dq.md (one screen), Data Docs (HTML).

dq.json layout (keys in this order):
    run_id       the run
    run          the orchestrator's summary, verbatim
    totals       {"checks", "passed", "failed": {"error", "warning"}, "missions_with_errors",
                  "missions_with_warnings", "missions_held_back"}
    publish      {"blocked": bool, "by": [names of the failed checks that block publishing]}
                 (ValidationResult.blocks_publish: publish-scope and error table-scope checks)
    expectations one entry per check: name, suite, table, columns, severity, scope (row, table,
                 publish), description, success, unexpected_count, failing_ids, failing_titles
                 {mission_id: title|null}, detail
    missions     missions named by a failed check, worst first (most errors, then most
                 warnings): mission_id, title, errors, warnings (check names), held_back
    quarantine   mission_id -> failed error-severity row checks (what the orchestrator holds back)
    coverage     field coverage of the missions table (coverage.py), or null without one:
                 {"missions": n, "columns": {column: {"present", "share", "by_source"?}}}
    tables       every table of the schema: {"checks", "failed", "why_unchecked": null | why}
    trend        the newest runs in this reports folder, oldest first, this run included:
                 {"runs": [run_id], "failed": {"error": [n], "warning": [n]},
                  "expectations": [{"name", "severity", "failures": [n | null]}]}
                 failures = failing missions (or rows) of a failed check, 0 when it passed, null
                 when that run did not have it; only checks that failed in one of the runs
    changes      what is new or worse than the last published run in this reports folder
                 (changes.py): {"against": run_id | null, "items": [{"kind", "name",
                 "severity", "before", "now", "why"}]}
    files        paths of dq.md and Data Docs, relative to the run folder

A mission's title comes from `titles`; a mission missing from it is shown by its id.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from pipeline.records import RunSummary
    from pipeline.validate.results import ValidationResult

JSON_NAME = "dq.json"
MARKDOWN_NAME = "dq.md"
DATADOCS_DIR = "datadocs"
SEVERITIES = ("error", "warning")
TREND_RUNS = 10
BASELINE_RUNS = 60           # earlier reports searched for the last published run
# dq.md fits one screen (~60 lines) however bad the run: each section is capped.
MD_MAX_MISSIONS = 6
MD_MAX_CHECKS = 6
MD_MAX_NAMES = 3             # check names per cell of the missions table
MD_COVERAGE_EXTRA = 3        # least-covered columns shown besides the source-split ones
MD_MAX_NEVER = 8             # names listed on the "never present" line
MD_TREND_ROWS = 4
CLI_MAX_MISSIONS = 5
# Columns that dq.md's coverage table leaves out: bookkeeping, precision/source companions,
# lists of problems (those are checks of their own) and values the pipeline always derives.
MD_COVERAGE_SKIP = {"mission_id", "title", "source_format", "source", "launch_precision",
                    "launch_source", "landing_precision", "landing_source", "duration_source",
                    "lost_fields", "unknown_templates", "prose_conflicts", "crewed", "has_landing",
                    "crew_launch_count", "crew_landing_count"}


def write_report(result: "ValidationResult", *, run_dir: Path, run_id: str,
                 summary: "RunSummary | dict",
                 titles: dict[str, str], tables: dict[str, "pa.Table"] | None = None,
                 trend_runs: int = TREND_RUNS, changes: dict | None = None) -> dict[str, Path]:
    """Write dq.json, dq.md and datadocs/ into run_dir (created); return their paths.

    `changes`, when given, is filled with dq.json's "changes" (what is new or worse than the
    last published run, changes.py), for the caller's exit code and summary.

    dq.json and dq.md are written before Data Docs, so a failure while rendering HTML (an
    environment problem, raised to the caller) still leaves the machine-readable report.
    """
    run_dir = Path(run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    coverage = result.coverage
    if tables is not None and "missions" in tables:
        from pipeline.validate.coverage import field_coverage
        coverage = field_coverage(tables["missions"])
    if not isinstance(summary, dict):
        summary = summary.to_dict()
    from pipeline.validate.changes import compare, latest_published
    dq = build_dq(result, run_id=run_id, summary=summary, titles=titles, coverage=coverage)
    earlier = earlier_reports(run_dir, max(trend_runs, BASELINE_RUNS))
    dq["trend"] = build_trend(dq, earlier, trend_runs)
    dq["changes"] = compare(dq, latest_published(earlier, before=run_id))
    if changes is not None:
        changes.update(dq["changes"])
    json_path = run_dir / JSON_NAME
    json_path.write_text(json.dumps(dq, indent=2, ensure_ascii=False, default=str) + "\n",
                         encoding="utf-8")
    md_path = run_dir / MARKDOWN_NAME
    md_path.write_text(render_markdown(dq), encoding="utf-8")

    from pipeline.validate.datadocs import SHARED_STATIC, build_data_docs
    index = build_data_docs(result.ge_results, run_dir / DATADOCS_DIR, run_id,
                            shared_static=run_dir.parent / SHARED_STATIC, outcomes=result.outcomes)
    return {"json": json_path, "markdown": md_path, "datadocs": index}


def build_dq(result: "ValidationResult", *, run_id: str, summary: dict,
             titles: dict[str, str], coverage: dict | None = None) -> dict[str, Any]:
    """The dq.json document as a dict (see the module docstring); its trend holds this run only."""
    held = result.quarantine_ids()
    expectations, missions = [], {}
    for o in result.outcomes:
        expectations.append({
            "name": o.name, "suite": o.suite, "table": o.table, "columns": list(o.columns),
            "severity": o.severity, "scope": o.scope, "description": o.description,
            "success": o.success, "unexpected_count": o.unexpected_count,
            "failing_ids": list(o.failing_ids),
            "failing_titles": {mid: titles.get(mid) for mid in o.failing_ids},
            "detail": o.detail,
        })
        if o.success:
            continue
        for mid in o.failing_ids:
            m = missions.setdefault(mid, {"mission_id": mid, "title": titles.get(mid),
                                          "errors": [], "warnings": [], "held_back": mid in held})
            bucket = m["errors"] if o.severity == "error" else m["warnings"]
            if o.name not in bucket:
                bucket.append(o.name)
    ordered = sorted(missions.values(), key=_worst_first)
    failed = {sev: sum(1 for o in result.outcomes if not o.success and o.severity == sev)
              for sev in SEVERITIES}
    blocking = [o.name for o in result.blocks_publish()]
    dq = {
        "run_id": run_id,
        "run": summary,
        "totals": {
            "checks": len(result.outcomes),
            "passed": sum(1 for o in result.outcomes if o.success),
            "failed": failed,
            "missions_with_errors": sum(1 for m in ordered if m["errors"]),
            "missions_with_warnings": sum(1 for m in ordered if m["warnings"]),
            "missions_held_back": len(held),
        },
        "publish": {"blocked": bool(blocking), "by": blocking},
        "expectations": expectations,
        "missions": ordered,
        "quarantine": held,
        "coverage": coverage,
        "tables": table_coverage(result),
        "trend": None,
        "changes": None,
        "files": {"markdown": MARKDOWN_NAME, "datadocs": f"{DATADOCS_DIR}/index.html"},
    }
    dq["trend"] = build_trend(dq, [], 1)
    return dq


UNCHECKED_WHY = ("no expectation suite: its columns and types are enforced by the Arrow schema "
                 "(pipeline/schema.py) when it is written, its rows are not checked")


def table_coverage(result: "ValidationResult") -> dict[str, dict]:
    """Every table of the schema with the checks run on it, or why it has none."""
    from pipeline.schema import TABLES
    out = {}
    for name in TABLES:
        mine = [o for o in result.outcomes if o.table == name]
        out[name] = {"checks": len(mine), "failed": sum(1 for o in mine if not o.success),
                     "why_unchecked": None if mine else UNCHECKED_WHY}
    return out


def _worst_first(m: dict) -> tuple:
    return (-len(m["errors"]), -len(m["warnings"]), (m["title"] or m["mission_id"]).lower(),
            m["mission_id"])


# --- trend ----------------------------------------------------------------------------------------

def earlier_reports(run_dir: Path, limit: int = TREND_RUNS) -> list[dict]:
    """The dq.json of the newest `limit` other runs beside run_dir (run_dir.parent/*/dq.json,
    newest by folder name, which is the run id). Unreadable or foreign files are skipped: the
    trend is a convenience, never a reason to fail a run."""
    out = []
    run_dir = Path(run_dir).resolve()
    paths = sorted((p for p in run_dir.parent.glob(f"*/{JSON_NAME}") if p.parent.resolve() != run_dir),
                   key=lambda p: p.parent.name)
    for path in paths[-limit:] if limit > 0 else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("expectations"), list):
            data.setdefault("run_id", path.parent.name)
            if isinstance(data["run_id"], str):
                out.append(data)
    return out


# A run folder's name is its run id (run.make_run_id): UTC time to the millisecond, content hash.
RUN_ID = re.compile(r"\d{8}T\d{9}Z-[0-9a-f]{8}")


def prune_reports(reports_dir: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` run folders of reports_dir (0: keep all); return those
    removed. Only folders named like a run id are touched. The newest run that published is
    kept too, even when older: it is the baseline of `--fail-on new` (changes.py)."""
    reports_dir = Path(reports_dir)
    if keep <= 0 or not reports_dir.is_dir():
        return []
    runs = sorted((p for p in reports_dir.iterdir() if p.is_dir() and not p.is_symlink()
                   and RUN_ID.fullmatch(p.name)), key=lambda p: p.name)
    old = runs[:-keep]
    if not old:
        return []
    protect = next((p.name for p in reversed(runs) if _published(p / JSON_NAME)), None)
    removed = []
    for p in old:
        if p.name != protect:
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def _published(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and isinstance(data.get("run"), dict) and data["run"].get("published") is True


def _failures(e: dict) -> int:
    """Failures of one check in a dq.json, which may be foreign: values of odd types count as 1."""
    if e.get("success"):
        return 0
    ids, n = e.get("failing_ids"), e.get("unexpected_count")
    count = len(ids) if isinstance(ids, list) else 0
    if not count and isinstance(n, int) and not isinstance(n, bool) and n > 0:
        count = n
    return count or 1


def build_trend(current: dict, earlier: list[dict], runs: int = TREND_RUNS) -> dict:
    """Failures per check over the newest `runs` runs by run_id (run ids start with the UTC
    time, so their order is the runs' order), `current` included; see the module docstring."""
    by_id = {d["run_id"]: d for d in earlier if d.get("run_id") != current["run_id"]}
    by_id[current["run_id"]] = current
    chosen = [by_id[k] for k in sorted(by_id)][-max(runs, 1):]
    if current not in chosen:  # an earlier run with a later id (clock moved back): keep this one
        chosen = chosen[1:] + [current]
    failed = {sev: [] for sev in SEVERITIES}
    per_run = []
    severity: dict[str, str] = {}
    for d in chosen:
        exps = [e for e in d.get("expectations") or [] if isinstance(e, dict) and isinstance(e.get("name"), str)]
        counts = {e["name"]: _failures(e) for e in exps}
        per_run.append(counts)
        for sev in SEVERITIES:
            failed[sev].append(sum(1 for e in exps if not e.get("success") and e.get("severity") == sev))
        for e in exps:
            if not e.get("success") or e["name"] not in severity:
                severity[e["name"]] = e.get("severity") if e.get("severity") in SEVERITIES else "error"
    names = {n for counts in per_run for n, c in counts.items() if c}
    rows = [{"name": n, "severity": severity[n], "failures": [counts.get(n) for counts in per_run]}
            for n in names]
    rows.sort(key=lambda r: (r["severity"] != "error", -(r["failures"][-1] or 0),
                             -sum(c or 0 for c in r["failures"]), r["name"]))
    return {"runs": [d["run_id"] for d in chosen], "failed": failed, "expectations": rows}


def _series(values: list) -> str:
    return " ".join("–" if v is None else str(v) for v in values)


# --- Markdown ---------------------------------------------------------------------------------------

def _label(m: dict) -> str:
    """A mission in dq.md: its title as literal text, its id as code (ids are slugs)."""
    code = "`" + str(m["mission_id"]).replace("`", "") + "`"
    return f"{_literal(m['title'])} ({code})" if m.get("title") else code


def _cell(text: str) -> str:
    """Report text in a Markdown table cell: no HTML (Markdown viewers render it), no pipes."""
    text = text.replace("&", "&amp;").replace("<", "&lt;")  # no tag can open; ">" stays readable
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


# Markdown that article text could use to become a link, an image, emphasis or code in dq.md.
_MARKDOWN = re.compile(r"([`*_\[\]])")


def _literal(text: str) -> str:
    """Article text (a title) as literal Markdown in a table cell: as _cell, and the punctuation
    of links, images, emphasis and code escaped ("[x](http://...)" and "![](...)" stay text)."""
    return _MARKDOWN.sub(r"\\\1", _cell(text))


def _num(value) -> str:
    """A number for people: integers as they are, others to at most one decimal (14.7, not
    14.650000000000002)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _total(value) -> int | float | None:
    if isinstance(value, dict):
        nums = [v for v in value.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return sum(nums) if nums else None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _run_line(summary: dict) -> str:
    """The run's counts on one line, with words for labels and numbers rounded for people."""
    if not summary:
        return ""
    parts = []
    if isinstance(summary.get("inputs_read"), int):
        split = [f"{label} {_num(summary[k])}" for k, label in (
            ("inputs_curated", "curated"), ("inputs_no_mission", "no mission"),
            ("inputs_quarantined", "quarantined"), ("inputs_reused", "reused"))
            if isinstance(summary.get(k), int)]
        parts.append(f"inputs read: {_num(summary['inputs_read'])}" + (f" ({', '.join(split)})" if split else ""))
    if isinstance(summary.get("missions_curated"), int):
        parts.append(f"missions curated: {_num(summary['missions_curated'])}")
    failed = summary.get("expectations_failed")
    if isinstance(failed, dict):
        parts.append("checks failed: " + ", ".join(f"{_num(failed.get(sev, 0))} {sev}" for sev in SEVERITIES))
    for key, label in (("values_lost_by_param", "values lost in rendering"), ("issues", "issues"),
                       ("unknown_templates", "values with unknown templates")):
        n = _total(summary.get(key))
        if n:
            parts.append(f"{label}: {_num(n)}")
    seconds = _total(summary.get("timings_s"))
    if seconds is not None:
        parts.append(f"seconds: {_num(seconds)}")
    if "published" in summary:
        parts.append("published" if summary["published"] else "**not published**")
    return " · ".join(parts)


def _names(names: list[str]) -> str:
    if not names:
        return "—"
    extra = len(names) - MD_MAX_NAMES
    return ", ".join(names[:MD_MAX_NAMES]) + (f" +{extra} more" if extra > 0 else "")


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


def _coverage_md(cov: dict | None) -> list[str]:
    if not cov or not cov.get("columns"):
        return []
    cols = cov["columns"]
    split = [(n, c) for n, c in cols.items() if "by_source" in c]
    sources = []
    for _, c in split:
        sources.extend(s for s in c["by_source"] if s not in sources)
    rest = [(n, c) for n, c in cols.items() if "by_source" not in c and n not in MD_COVERAGE_SKIP]
    partial = sorted((x for x in rest if x[1]["share"] not in (None, 0, 1.0) and x[1]["present"]),
                     key=lambda x: (x[1]["share"], x[0]))[:MD_COVERAGE_EXTRA]
    never = [n for n, c in rest if not c["present"]]
    out = [f"## Field coverage ({cov['missions']} missions)", "",
           "| field | have | " + " | ".join(sources) + " |",
           "|---|---:|" + "---:|" * len(sources)]
    for n, c in split:
        out.append(f"| {n} | {_pct(c['share'])} | " +
                   " | ".join(str(c["by_source"].get(s, 0)) for s in sources) + " |")
    for n, c in partial:
        out.append(f"| {n} | {_pct(c['share'])} | " + " | ".join("" for _ in sources) + " |")
    if never:
        shown = ", ".join(never[:MD_MAX_NEVER]) + (", …" if len(never) > MD_MAX_NEVER else "")
        out.append(f"\nNever present ({len(never)} columns): {shown}.")
    return out + [""]


def _changes_md(changes: dict | None) -> list[str]:
    if not changes:
        return []
    against = changes.get("against")
    items = changes.get("items") or []
    head = (f"## New since the last published run ({against})" if against
            else "## New (no earlier published run to compare with)")
    if not items:
        return [head, "", "Nothing new or worse.", ""]
    out = [head, ""]
    for c in items[:MD_MAX_CHECKS]:
        out.append(f"- **{c['severity']}** {_cell(c['why'])}")
    if len(items) > MD_MAX_CHECKS:
        out.append(f"- …and {len(items) - MD_MAX_CHECKS} more: see {JSON_NAME}.")
    return out + [""]


def _trend_md(trend: dict | None) -> list[str]:
    if not trend or len(trend.get("runs") or []) < 2:
        return []
    runs = trend["runs"]
    rows = trend.get("expectations") or []
    more = (f"; {MD_TREND_ROWS} of {len(rows)} checks, all in {JSON_NAME}"
            if len(rows) > MD_TREND_ROWS else "")
    out = [f"## Trend (last {len(runs)} runs, oldest first: {runs[0]} … {runs[-1]}{more})", "",
           f"Failed checks per run — error: {_series(trend['failed']['error'])} · "
           f"warning: {_series(trend['failed']['warning'])}", ""]
    if rows:
        out += ["| check | severity | failures per run |", "|---|---|---|"]
        for r in rows[:MD_TREND_ROWS]:
            out.append(f"| `{r['name']}` | {r['severity']} | {_series(r['failures'])} |")
        out.append("")
    return out


def render_markdown(dq: dict) -> str:
    """dq.md: counts by severity, missions x problems (worst first, by title), failed checks,
    field coverage, trend; each part capped so the page stays one screen."""
    t = dq["totals"]
    out = [f"# Data quality — run {dq['run_id']}", ""]
    line = _run_line(dq.get("run") or {})
    if line:
        out += [line, ""]
    run_by = {sev: sum(1 for e in dq["expectations"] if e["severity"] == sev) for sev in SEVERITIES}
    hit_by = {"error": t["missions_with_errors"], "warning": t["missions_with_warnings"]}
    out += ["| severity | checks failed | checks run | missions affected |",
            "|---|---:|---:|---:|"]
    for sev in SEVERITIES:
        out.append(f"| {sev} | {t['failed'][sev]} | {run_by[sev]} | {hit_by[sev]} |")
    held = f"Missions held back by error checks: {t['missions_held_back']}."
    publish = dq.get("publish") or {}
    if publish.get("blocked"):
        held += f" **Not published**: {', '.join(f'`{n}`' for n in publish['by'])} failed."
    out += ["", held, ""]
    tables = dq.get("tables") or {}
    if tables:
        checked = [f"{n} ({_num(t['checks'])})" for n, t in tables.items() if t["checks"]]
        unchecked = [n for n, t in tables.items() if not t["checks"]]
        line = "Checks per table: " + (", ".join(checked) or "none") + "."
        if unchecked:
            line += (f" Not checked: {', '.join(unchecked)} — no expectation suite; their columns "
                     f"and types are enforced by the schema when written.")
        out += [line, ""]

    missions = dq["missions"]
    if missions:
        more = (f"; {MD_MAX_MISSIONS} of {len(missions)}, all in {JSON_NAME}"
                if len(missions) > MD_MAX_MISSIONS else "")
        out += [f"## Missions with problems (worst first{more})", "",
                "| mission | errors | warnings |", "|---|---|---|"]
        for m in missions[:MD_MAX_MISSIONS]:
            name = _label(m) + (" — held back" if m["held_back"] else "")
            out.append(f"| {name} | {_cell(_names(m['errors']))} | {_cell(_names(m['warnings']))} |")
        out.append("")
    else:
        out += ["No mission failed a check.", ""]

    failed = [e for e in dq["expectations"] if not e["success"]]
    failed.sort(key=lambda e: (e["severity"] != "error", e["scope"] != "publish", e["table"], e["name"]))
    if failed:
        out += ["## Failed checks", ""]
        for e in failed[:MD_MAX_CHECKS]:
            n = e["unexpected_count"]
            what = f"{n} row{'' if n == 1 else 's'}" if e["scope"] == "row" else e["scope"]
            extra = f" ({e['detail']})" if e.get("detail") else ""
            out.append(f"- **{e['severity']}** `{e['name']}` [{e['table']}, {what}]: "
                       f"{_cell(e['description'] + extra)}")
        if len(failed) > MD_MAX_CHECKS:
            out.append(f"- …and {len(failed) - MD_MAX_CHECKS} more: see {JSON_NAME}.")
        out.append("")
    out += _changes_md(dq.get("changes"))
    out += _coverage_md(dq.get("coverage"))
    out += _trend_md(dq.get("trend"))
    files = dq.get("files", {})
    out.append(f"Details: [{JSON_NAME}]({JSON_NAME}) · Data Docs: "
               f"[{files.get('datadocs', '')}]({files.get('datadocs', '')})")
    return "\n".join(out) + "\n"


# --- CLI ----------------------------------------------------------------------------------------------

def format_summary(dq_json: dict) -> str:
    """A short plain-text block for the CLI (at most 12 lines): failed checks by severity,
    publishing, the worst missions and the trend of failed checks over recent runs."""
    t = dq_json["totals"]
    lines = [f"Data quality, run {dq_json['run_id']}: {t['checks']} checks, "
             f"{t['failed']['error']} failed with severity error, "
             f"{t['failed']['warning']} with severity warning."]
    for sev in SEVERITIES:
        failed = [e for e in dq_json["expectations"] if not e["success"] and e["severity"] == sev]
        if failed:
            items = ", ".join(f"{e['name']} ({len(e['failing_ids']) or e['unexpected_count']})"
                              for e in failed)
            lines.append(f"  {sev:<8} {items}")
    status = []
    if t.get("missions_held_back"):
        status.append(f"held back: {t['missions_held_back']} mission(s)")
    publish = dq_json.get("publish") or {}
    if publish.get("blocked"):
        status.append(f"NOT PUBLISHED: {', '.join(publish.get('by') or [])}")
    if status:
        lines.append("  " + "; ".join(status))
    changes = dq_json.get("changes") or {}
    if changes:
        items = changes.get("items") or []
        against = changes.get("against") or "no earlier published run"
        first = f": {items[0]['why']}" + (f" (+{len(items) - 1} more)" if len(items) > 1 else "") if items else ""
        lines.append(f"New or worse than {against}: {len(items)}{first}")
    trend = dq_json.get("trend") or {}
    if len(trend.get("runs") or []) >= 2:
        lines.append(f"Trend, failed checks over the last {len(trend['runs'])} runs (oldest first): "
                     f"errors {_series(trend['failed']['error'])}; "
                     f"warnings {_series(trend['failed']['warning'])}")
    missions = dq_json.get("missions") or []
    if missions:
        lines.append("Worst missions:")
        for m in missions[:CLI_MAX_MISSIONS]:
            name = f"{m['title']} [{m['mission_id']}]" if m.get("title") else m["mission_id"]
            probs = "; ".join(p for p in (
                f"errors: {', '.join(m['errors'])}" if m["errors"] else "",
                f"warnings: {', '.join(m['warnings'])}" if m["warnings"] else "") if p)
            lines.append(f"  {name}: {probs}")
        if len(missions) > CLI_MAX_MISSIONS:
            lines.append(f"  …and {len(missions) - CLI_MAX_MISSIONS} more")
    return "\n".join(lines)
