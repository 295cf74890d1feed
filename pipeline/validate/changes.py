"""What is new or worse than the last published run: the basis of `--fail-on new`.

A nightly job should alert on change, not on the steady state. The baseline is the newest
earlier report in the same reports folder whose run published its snapshot (dq.json's
"run"."published"); a run that was blocked is no baseline, so its problems keep alerting
until a run publishes again. Compared with it, a change is

- `check_new`: a check that fails now and passed (or did not exist) in the baseline;
- `check_worse`: a check that failed in both and fails on more missions (or rows) now;
- `quarantined`: an input quarantined now that the baseline did not quarantine;
- `not_published`: this run did not publish (a publish check failed).

Without a baseline (the first run, or reports pruned) every failing check and quarantined
input is new. Each change carries a one-line `why` for the log and the mail.
"""
from __future__ import annotations

SEVERITY_ORDER = {"error": 0, "warning": 1}


def failures(e: dict) -> int:
    """Failing missions (or rows) of one dq.json expectation; 0 when it passed."""
    if e.get("success"):
        return 0
    return len(e.get("failing_ids") or []) or int(e.get("unexpected_count") or 0) or 1


def latest_published(reports: list[dict], before: str | None = None) -> dict | None:
    """The newest report (by run id) whose run published, earlier than run id `before`."""
    ok = [d for d in reports if isinstance(d.get("run"), dict) and d["run"].get("published")
          and isinstance(d.get("run_id"), str) and (before is None or d["run_id"] < before)]
    return max(ok, key=lambda d: d["run_id"]) if ok else None


def _quarantined(dq: dict) -> dict[str, str]:
    """source -> how to say it: "Title (source) [stage] reason"."""
    run = dq.get("run") if isinstance(dq.get("run"), dict) else {}
    out = {}
    for q in run.get("quarantine") or []:
        if isinstance(q, dict) and isinstance(q.get("source"), str):
            who = f"{q['title']} ({q['source']})" if q.get("title") else q["source"]
            out.setdefault(q["source"], f"{who} [{q.get('stage')}] {q.get('reason')}")
    return out


def compare(current: dict, baseline: dict | None) -> dict:
    """{"against": baseline run id or None, "items": [change, ...]} (see the module doc); each
    change: kind, name (check or input source), severity, before, now, why. Errors first."""
    items = []
    before = {e["name"]: e for e in (baseline or {}).get("expectations") or []
              if isinstance(e, dict) and isinstance(e.get("name"), str)}
    for e in current.get("expectations") or []:
        if e.get("success"):
            continue
        now = failures(e)
        old = before.get(e["name"])
        was = failures(old) if old is not None else None
        label = "mission" if e.get("scope") == "row" and e.get("failing_ids") else "row"
        label += "" if now == 1 else "s"
        detail = f" ({e['detail']})" if e.get("detail") else ""
        if not was:
            had = ("not in the last published run" if old is None and baseline is not None
                   else "no published run to compare with" if baseline is None else "passed before")
            kind, why = "check_new", (f"{e.get('severity')} check {e['name']} now fails on {now} "
                                      f"{label}, {had}{detail}")
        elif now > was:
            kind, why = "check_worse", (f"{e.get('severity')} check {e['name']} fails on {now} "
                                        f"{label}, {was} before{detail}")
        else:
            continue
        new_ids = sorted(set(e.get("failing_ids") or []) - set((old or {}).get("failing_ids") or []))
        if new_ids:
            titles = e.get("failing_titles") or {}
            shown = ", ".join(titles.get(i) or i for i in new_ids[:5])
            why += f"; newly failing: {shown}" + (f" and {len(new_ids) - 5} more" if len(new_ids) > 5 else "")
        items.append({"kind": kind, "name": e["name"], "severity": e.get("severity"),
                      "before": was, "now": now, "why": why})
    old_q = _quarantined(baseline or {})
    for source, said in _quarantined(current).items():
        if source not in old_q:
            items.append({"kind": "quarantined", "name": source, "severity": "error", "before": None,
                          "now": 1, "why": f"newly quarantined: {said}"})
    publish = current.get("publish") or {}
    if publish.get("blocked"):
        items.append({"kind": "not_published", "name": "publish", "severity": "error", "before": None,
                      "now": 1, "why": "not published: " + ", ".join(publish.get("by") or [])
                      + " failed; the previous snapshot stays current"})
    items.sort(key=lambda c: (SEVERITY_ORDER.get(c["severity"], 2), c["kind"], c["name"]))
    return {"against": (baseline or {}).get("run_id"), "items": items}

