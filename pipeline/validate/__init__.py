"""Validate the curated tables against expectations/*.json and write the data-quality report.

    result = validate(tables, expectations_dir=Path("expectations"))
    result.quarantine_ids()      # {mission_id: [failed error-severity row checks]}
    result.outcomes += check_row_counts(tables, load.read_manifest(out_dir))  # before publishing
    result.blocks_publish()      # failed checks that must stop load.publish
    write_report(result, run_dir=..., run_id=..., summary=..., titles=..., tables=tables)

Scopes: `row` checks name missions (error ones hold them back), `table` checks judge a table
as a whole, `publish` checks compare the run with the published snapshot (check_row_counts).

Great Expectations (slow to import) is loaded only inside these two calls, never at import time.
Suites whose table is absent from `tables` are skipped (tests validate one table at a time); a
malformed suite file raises suites.SuiteError. A failing expectation is data, never an exception.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.validate.results import ExpectationOutcome, ValidationResult

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ExpectationOutcome", "ValidationResult", "check_row_counts", "field_coverage", "prune_reports",
           "validate", "write_report"]


def validate(tables: dict[str, "pa.Table"], *, expectations_dir: Path,
             cache_dir: Path | None = None) -> ValidationResult:
    """Run every suite in expectations_dir on its table; one outcome per declared check.

    All of `tables` is handed to the helpers that join another table (events -> missions).
    `cache_dir` keeps each expectation's result: a later run carries those whose columns did
    not change and asks GE only for the others (see carry.py and suites.run_suites).
    """
    from pipeline.validate import suites as S
    from pipeline.validate.coverage import field_coverage as _coverage

    loaded = S.load_suites(Path(expectations_dir))
    pairs = [(s, tables[s.table]) for s in loaded if s.table in tables]
    problems: dict[str, dict[str, str]] = {}
    ge_results = S.run_suites(pairs, tables, problems, cache_dir=cache_dir)
    outcomes: list[ExpectationOutcome] = []
    for (suite, table), ge_result in zip(pairs, ge_results):
        by_name = {(r.expectation_config.meta or {}).get("name"): r for r in ge_result.results}
        for check in suite.checks:
            if check.ge_type is None:
                outcomes.append(_arrow_outcome(check, table, S))
                continue
            broken = [f"{h}: {problems[suite.table][h]}" for h in check.helpers
                      if h in problems.get(suite.table, {})]
            if broken:  # the helper could not be computed: the check was not evaluated
                outcomes.append(_outcome(check, False, 0, [], "helper failed: " + "; ".join(broken)))
                continue
            o = _ge_outcome(check, by_name.get(check.name), S)
            missing = S.unjoined_tables(check, tables)
            if missing and o.detail is None:
                o.detail = f"not evaluated: needs the {', '.join(missing)} table"
            outcomes.append(o)
    coverage = _coverage(tables["missions"]) if "missions" in tables else None
    return ValidationResult(outcomes=outcomes, ge_results=ge_results, coverage=coverage)


def check_row_counts(tables: dict[str, "pa.Table"], previous: dict | None,
                     max_drop: float = 0.2) -> list[ExpectationOutcome]:
    """Compare row counts with the previously published snapshot; see rowcounts.py."""
    from pipeline.validate.rowcounts import check_row_counts as _check
    return _check(tables, previous, max_drop)


def prune_reports(reports_dir: Path, keep: int) -> list[Path]:
    """Keep the newest `keep` run folders of reports_dir (and the last published one); see report.py."""
    from pipeline.validate.report import prune_reports as _prune
    return _prune(reports_dir, keep)


def field_coverage(missions: "pa.Table") -> dict:
    """Share of missions having each column, split by source; see coverage.py."""
    from pipeline.validate.coverage import field_coverage as _coverage
    return _coverage(missions)


def _outcome(check, success: bool, count: int, ids: list[str], detail: str | None) -> ExpectationOutcome:
    return ExpectationOutcome(
        name=check.name, suite=check.suite, table=check.table, columns=list(check.columns),
        severity=check.severity, scope=check.scope, description=check.description,
        success=success, unexpected_count=count, failing_ids=ids, detail=detail)


def _arrow_outcome(check, table: "pa.Table", S) -> ExpectationOutcome:
    bad = S.arrow_type_mismatches(check.table, table)
    return _outcome(check, not bad, len(bad), [], "; ".join(bad) or None)


def _ge_outcome(check, r, S) -> ExpectationOutcome:
    if r is None:  # GE dropped it: should not happen, but must not pass silently
        return _outcome(check, False, 0, [], "Great Expectations returned no result")
    res = dict(r.result or {})
    detail = _exception_message(r.exception_info)
    if check.ge_type == "expect_table_columns_to_match_ordered_list" and not r.success and detail is None:
        expected = S.schema_columns(check.table)
        observed = list(res.get("observed_value") or [])
        missing = [c for c in expected if c not in observed]
        extra = [c for c in observed if c not in expected]
        parts = ([f"missing: {', '.join(missing)}"] if missing else []) + \
                ([f"unexpected: {', '.join(extra)}"] if extra else [])
        detail = "; ".join(parts) or "columns out of order"
        return _outcome(check, False, len(missing) + len(extra) or 1, [], detail)
    ids = sorted({str(row.get(S.ID_COLUMN)) for row in res.get("unexpected_index_list") or []
                  if isinstance(row, dict) and isinstance(row.get(S.ID_COLUMN), str)})
    count = res.get("unexpected_count")
    if not isinstance(count, int):
        count = 0 if r.success else max(len(ids), 1)
    return _outcome(check, bool(r.success), count, ids, detail)


def _exception_message(info: Any) -> str | None:
    """GE reports a caught exception either flat or keyed by metric; return the first message."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception")
    for v in info.values():
        if isinstance(v, dict) and v.get("raised_exception"):
            return str(v.get("exception_message") or "exception")
    return None


def write_report(result: ValidationResult, *, run_dir: Path, run_id: str, summary: dict,
                 titles: dict[str, str], tables: dict[str, "pa.Table"] | None = None,
                 trend_runs: int = 10, changes: dict | None = None) -> dict[str, Path]:
    """Write dq.json, dq.md and Data Docs (datadocs/index.html) into run_dir; see report.py.

    `tables`, when given, are the tables as published (after hold-back): field coverage is
    computed from their missions table instead of the one validated. The trend reads the dq.json
    of the newest `trend_runs` runs in run_dir's parent folder (this run included). `changes`,
    when given, receives what is new or worse than the last published run (changes.py).
    """
    from pipeline.validate.report import write_report as _write
    return _write(result, run_dir=run_dir, run_id=run_id, summary=summary, titles=titles,
                  tables=tables, trend_runs=trend_runs, changes=changes)
