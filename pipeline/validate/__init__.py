"""Validate the curated tables against expectations/*.json and write the data-quality report.

    result = validate(tables, expectations_dir=Path("expectations"))
    result.quarantine_ids()      # {mission_id: [failed error-severity row checks]}
    write_report(result, run_dir=..., run_id=..., summary=..., titles=...)

Great Expectations (slow to import) is loaded only inside these two calls, never at import time.
Suites whose table is absent from `tables` are skipped (tests validate one table at a time); a
malformed suite file raises suites.SuiteError. A failing expectation is data, never an exception.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ExpectationOutcome", "ValidationResult", "validate", "write_report"]


@dataclass
class ExpectationOutcome:
    """The result of one check on one table.

    failing_ids are the mission_ids of the failing rows (sorted, unique; rows without an id are
    only counted). unexpected_count is GE's count of failing rows; for the schema checks it is
    the number of offending columns. detail says why when there is more to say (missing or
    retyped columns, or the exception GE caught while evaluating the expectation).
    """

    name: str
    suite: str
    table: str
    columns: list[str]
    severity: str
    scope: str
    description: str
    success: bool
    unexpected_count: int
    failing_ids: list[str]
    detail: str | None = None


@dataclass
class ValidationResult:
    outcomes: list[ExpectationOutcome]
    ge_results: list = field(default_factory=list)  # GE ExpectationSuiteValidationResult per suite

    def failures(self, severity: str | None = None) -> list[ExpectationOutcome]:
        """Failed outcomes, optionally only those of one severity ("error" or "warning")."""
        return [o for o in self.outcomes
                if not o.success and (severity is None or o.severity == severity)]

    def quarantine_ids(self) -> dict[str, list[str]]:
        """mission_id -> sorted names of the failed error-severity row checks naming it.

        Row checks of the crew and events tables name their mission too: a mission whose crew
        lists a person twice on one leg is held back as a whole.
        """
        held: dict[str, set[str]] = {}
        for o in self.failures("error"):
            if o.scope != "row":
                continue
            for mid in o.failing_ids:
                held.setdefault(mid, set()).add(o.name)
        return {mid: sorted(names) for mid, names in sorted(held.items())}


def validate(tables: dict[str, "pa.Table"], *, expectations_dir: Path) -> ValidationResult:
    """Run every suite in expectations_dir on its table; one outcome per declared check."""
    from pipeline.validate import suites as S

    loaded = S.load_suites(Path(expectations_dir))
    pairs = [(s, tables[s.table]) for s in loaded if s.table in tables]
    ge_results = S.run_suites(pairs)
    outcomes: list[ExpectationOutcome] = []
    for (suite, table), ge_result in zip(pairs, ge_results):
        by_name = {(r.expectation_config.meta or {}).get("name"): r for r in ge_result.results}
        for check in suite.checks:
            if check.ge_type is None:
                outcomes.append(_arrow_outcome(check, table, S))
            else:
                outcomes.append(_ge_outcome(check, by_name.get(check.name), S))
    return ValidationResult(outcomes=outcomes, ge_results=ge_results)


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
                 titles: dict[str, str]) -> dict[str, Path]:
    """Write dq.json, dq.md and Data Docs (datadocs/index.html) into run_dir; see report.py."""
    from pipeline.validate.report import write_report as _write
    return _write(result, run_dir=run_dir, run_id=run_id, summary=summary, titles=titles)
