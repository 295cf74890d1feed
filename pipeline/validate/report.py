"""The data-quality report of a run: dq.json (for machines), dq.md (one screen), Data Docs (HTML).

dq.json layout (keys in this order):
    run_id       the run
    run          the orchestrator's summary, verbatim
    totals       {"checks", "passed", "failed": {"error", "warning"}, "missions_with_errors",
                  "missions_with_warnings", "missions_held_back"}
    expectations one entry per check: name, suite, table, columns, severity, scope, description,
                 success, unexpected_count, failing_ids, failing_titles {mission_id: title|null},
                 detail
    missions     missions named by a failed check, worst first (most errors, then most
                 warnings): mission_id, title, errors, warnings (check names), held_back
    quarantine   mission_id -> failed error-severity row checks (what the orchestrator holds back)
    files        paths of dq.md and Data Docs, relative to the run folder

A mission's title comes from `titles`; a mission missing from it is shown by its id.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.validate import ValidationResult

JSON_NAME = "dq.json"
MARKDOWN_NAME = "dq.md"
DATADOCS_DIR = "datadocs"
MD_MAX_MISSIONS = 15
MD_MAX_CHECKS = 12
CLI_MAX_MISSIONS = 5


def write_report(result: "ValidationResult", *, run_dir: Path, run_id: str, summary: dict,
                 titles: dict[str, str]) -> dict[str, Path]:
    """Write dq.json, dq.md and datadocs/ into run_dir (created); return their paths.

    dq.json and dq.md are written before Data Docs, so a failure while rendering HTML (an
    environment problem, raised to the caller) still leaves the machine-readable report.
    """
    run_dir = Path(run_dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    dq = build_dq(result, run_id=run_id, summary=summary, titles=titles)
    json_path = run_dir / JSON_NAME
    json_path.write_text(json.dumps(dq, indent=2, ensure_ascii=False, default=str) + "\n",
                         encoding="utf-8")
    md_path = run_dir / MARKDOWN_NAME
    md_path.write_text(render_markdown(dq), encoding="utf-8")

    from pipeline.validate.datadocs import build_data_docs
    index = build_data_docs(result.ge_results, run_dir / DATADOCS_DIR, run_id)
    return {"json": json_path, "markdown": md_path, "datadocs": index}


def build_dq(result: "ValidationResult", *, run_id: str, summary: dict,
             titles: dict[str, str]) -> dict[str, Any]:
    """The dq.json document as a dict (see the module docstring)."""
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
              for sev in ("error", "warning")}
    return {
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
        "expectations": expectations,
        "missions": ordered,
        "quarantine": held,
        "files": {"markdown": MARKDOWN_NAME, "datadocs": f"{DATADOCS_DIR}/index.html"},
    }


def _worst_first(m: dict) -> tuple:
    return (-len(m["errors"]), -len(m["warnings"]), (m["title"] or m["mission_id"]).lower(),
            m["mission_id"])


def _label(m: dict) -> str:
    return f"{m['title']} (`{m['mission_id']}`)" if m.get("title") else f"`{m['mission_id']}`"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _run_line(summary: dict) -> str:
    """The summary's counts on one line: numbers as they are, dicts of numbers as their total."""
    parts = []
    for key, value in summary.items():
        label = key.replace("_", " ")
        if isinstance(value, bool) or key == "run_id":
            continue
        if isinstance(value, (int, float)):
            parts.append(f"{label}: {value}")
        elif isinstance(value, dict) and value and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()):
            parts.append(f"{label}: {sum(value.values())}")
    return " · ".join(parts)


def render_markdown(dq: dict) -> str:
    """dq.md: counts by severity, missions x problems (worst first, by title), failed checks."""
    t = dq["totals"]
    out = [f"# Data quality — run {dq['run_id']}", ""]
    line = _run_line(dq.get("run") or {})
    if line:
        out += [line, ""]
    run_by = {sev: sum(1 for e in dq["expectations"] if e["severity"] == sev) for sev in ("error", "warning")}
    hit_by = {"error": t["missions_with_errors"], "warning": t["missions_with_warnings"]}
    out += ["| severity | checks failed | checks run | missions affected |",
            "|---|---:|---:|---:|"]
    for sev in ("error", "warning"):
        out.append(f"| {sev} | {t['failed'][sev]} | {run_by[sev]} | {hit_by[sev]} |")
    out += ["", f"Missions held back by error checks: {t['missions_held_back']}.", ""]

    missions = dq["missions"]
    if missions:
        out += ["## Missions with problems (worst first)", "",
                "| mission | errors | warnings |", "|---|---|---|"]
        for m in missions[:MD_MAX_MISSIONS]:
            name = _label(m) + (" — held back" if m["held_back"] else "")
            out.append(f"| {_cell(name)} | {_cell(', '.join(m['errors']) or '—')} | "
                       f"{_cell(', '.join(m['warnings']) or '—')} |")
        if len(missions) > MD_MAX_MISSIONS:
            out.append(f"\n…and {len(missions) - MD_MAX_MISSIONS} more missions: see {JSON_NAME}.")
        out.append("")
    else:
        out += ["No mission failed a check.", ""]

    failed = [e for e in dq["expectations"] if not e["success"]]
    failed.sort(key=lambda e: (e["severity"] != "error", e["table"], e["name"]))
    if failed:
        out += ["## Failed checks", ""]
        for e in failed[:MD_MAX_CHECKS]:
            n = e["unexpected_count"]
            what = f"{n} row{'' if n == 1 else 's'}" if e["scope"] == "row" else "table"
            extra = f" ({e['detail']})" if e.get("detail") else ""
            out.append(f"- **{e['severity']}** `{e['name']}` [{e['table']}, {what}]: "
                       f"{e['description']}{extra}")
        if len(failed) > MD_MAX_CHECKS:
            out.append(f"- …and {len(failed) - MD_MAX_CHECKS} more: see {JSON_NAME}.")
        out.append("")
    files = dq.get("files", {})
    out.append(f"Details: [{JSON_NAME}]({JSON_NAME}) · Data Docs: "
               f"[{files.get('datadocs', '')}]({files.get('datadocs', '')})")
    return "\n".join(out) + "\n"


def format_summary(dq_json: dict) -> str:
    """A short plain-text block for the CLI: failed checks by severity, then the worst missions."""
    t = dq_json["totals"]
    lines = [f"Data quality, run {dq_json['run_id']}: {t['checks']} checks, "
             f"{t['failed']['error']} failed with severity error, "
             f"{t['failed']['warning']} with severity warning."]
    for sev in ("error", "warning"):
        failed = [e for e in dq_json["expectations"] if not e["success"] and e["severity"] == sev]
        if failed:
            items = ", ".join(f"{e['name']} ({len(e['failing_ids']) or e['unexpected_count']})"
                              for e in failed)
            lines.append(f"  {sev:<8} {items}")
    if t.get("missions_held_back"):
        lines.append(f"  held back: {t['missions_held_back']} mission(s)")
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
