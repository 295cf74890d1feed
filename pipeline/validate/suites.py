"""Expectation suites: read them from expectations/*.json, prepare the tables, run Great Expectations.

A suite file is a Great Expectations 1.x ExpectationSuite in JSON (`name`, `meta`, `expectations`:
`[{type, kwargs, meta}]`) that GE loads as it is. This project adds, per expectation, `meta.name`
(a stable snake_case id), `meta.severity` (`error` or `warning`), `meta.scope` (`row` when the
failing rows name missions that can be held back, `table` otherwise) and `meta.description`; per
suite, `meta.table` (the table it checks) and `meta.arrow_checks` (checks made on the Arrow table
itself, see below). A suite file that breaks these rules raises SuiteError: that is a bug in the
repository, not bad data.

Derived helper columns. A few checks need a value that no column holds. Rather than string
conditions (deprecated since GX 1.9), `prepare_frame` appends helper columns named `dq_*` to the
frame GE sees; each suite's `meta.derived_columns` documents the ones it uses and
pipeline/validate/derived.py computes them (null where the check does not apply). A helper may
join another table of the run (events -> missions by mission_id); without that table it is all
null and its check reports "not evaluated" in its detail. A check on a helper reports the
helper's source columns as its columns.

Row conditions are GE Condition objects in their JSON form (`{"type": "comparison", ...}`).
The schema check `expect_table_columns_to_match_ordered_list` takes its list from the suite
parameter `$PARAMETER: schema_columns`, which validation fills from pipeline/schema.py (plus the
helpers, appended last), so the JSON cannot drift from the schema. Arrow types are compared on
the Arrow table (`arrow_checks`): the pandas frame GE sees cannot tell int64-with-nulls from
float64.

Great Expectations is imported only inside `gx_module` (it takes ~2 s), with its analytics off.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.validate.derived import DERIVED, Derived  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

log = logging.getLogger("pipeline.validate")
SEVERITIES = ("error", "warning")
SCOPES = ("row", "table")
ID_COLUMN = "mission_id"
SCHEMA_PARAMETER = "schema_columns"
DERIVED_PREFIX = "dq_"
# "COMPLETE" lists every failing row; the id column names the mission behind each one.
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": [ID_COLUMN]}


class SuiteError(ValueError):
    """A suite file is malformed (a repository bug, reported with the file's path)."""


@dataclass(frozen=True)
class Check:
    """One declared check: a GE expectation of a suite, or an Arrow check from its meta."""

    name: str
    suite: str
    table: str
    columns: tuple[str, ...]
    severity: str
    scope: str
    description: str
    ge_type: str | None  # None for an Arrow check
    helpers: tuple[str, ...] = ()  # the dq_ helper columns it reads


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    path: Path
    data: dict          # the JSON as read, handed to GE unchanged
    checks: tuple[Check, ...]


def load_suites(expectations_dir: Path) -> list[Suite]:
    """Read every *.json in expectations_dir and check its meta; missions' suite comes first.

    Raises SuiteError on a file that is not JSON, lacks a required meta key, uses an unknown
    severity/scope, reuses an expectation name, or refers to an undefined dq_ helper.
    """
    expectations_dir = Path(expectations_dir)
    paths = sorted(expectations_dir.glob("*.json"))
    if not paths:
        raise SuiteError(f"no expectation suites (*.json) in {expectations_dir}")
    suites, seen = [], {}
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise SuiteError(f"{path}: {exc}") from exc
        suite = _parse_suite(path, data)
        for check in suite.checks:
            if check.name in seen:
                raise SuiteError(f"{path}: expectation name {check.name!r} already used in {seen[check.name]}")
            seen[check.name] = path
        suites.append(suite)
    # Report in the order of pipeline/schema.py's tables (missions first), then by file name.
    from pipeline.schema import TABLES
    order = {name: i for i, name in enumerate(TABLES)}
    return sorted(suites, key=lambda s: (order.get(s.table, len(order)), s.path.name))


def _parse_suite(path: Path, data: Any) -> Suite:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise SuiteError(f"{path}: a suite is a JSON object with a 'name'")
    meta = data.get("meta") or {}
    table = meta.get("table")
    from pipeline.schema import TABLES
    if table not in TABLES:
        raise SuiteError(f"{path}: meta.table must name a table of pipeline/schema.py, not {table!r}")
    derived = DERIVED.get(table, {})
    checks = []
    for i, exp in enumerate(data.get("expectations") or []):
        where = f"{path}: expectations[{i}]"
        if not isinstance(exp, dict) or not isinstance(exp.get("type"), str):
            raise SuiteError(f"{where}: needs a 'type'")
        kwargs = exp.get("kwargs") or {}
        columns, helpers = [], []
        for col in _kwarg_columns(kwargs):
            if col.startswith(DERIVED_PREFIX):
                if col not in derived:
                    raise SuiteError(f"{where}: helper column {col!r} is not defined in derived.DERIVED")
                helpers.append(col)
                columns.extend(c for c in derived[col].sources if c not in columns)
            elif col not in columns:
                columns.append(col)
        checks.append(_check(where, exp.get("meta") or {}, data["name"], table, columns, exp["type"],
                             tuple(helpers)))
    arrow = [_check(f"{path}: meta.arrow_checks[{i}]", extra, data["name"], table, [], None)
             for i, extra in enumerate(meta.get("arrow_checks") or [])]
    # Report the Arrow type check beside the GE column-list check, both being "the schema".
    at = next((i + 1 for i, c in enumerate(checks) if c.ge_type and c.ge_type.startswith("expect_table_columns")), 0)
    checks[at:at] = arrow
    return Suite(data["name"], table, path, data, tuple(checks))


def _check(where: str, meta: dict, suite: str, table: str, columns: list[str], ge_type: str | None,
           helpers: tuple[str, ...] = ()) -> Check:
    for key in ("name", "severity", "scope", "description"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise SuiteError(f"{where}: meta.{key} is required")
    if meta["severity"] not in SEVERITIES:
        raise SuiteError(f"{where}: severity must be one of {SEVERITIES}")
    if meta["scope"] not in SCOPES:
        raise SuiteError(f"{where}: scope must be one of {SCOPES}")
    return Check(meta["name"], suite, table, tuple(columns), meta["severity"], meta["scope"],
                 meta["description"], ge_type, helpers)


def _kwarg_columns(kwargs: dict) -> list[str]:
    cols = [kwargs[k] for k in ("column", "column_A", "column_B") if isinstance(kwargs.get(k), str)]
    if isinstance(kwargs.get("column_list"), list):
        cols.extend(c for c in kwargs["column_list"] if isinstance(c, str))
    return cols


def helper_columns(table: str) -> list[str]:
    return list(DERIVED.get(table, {}))


def unjoined_tables(check: Check, tables: dict) -> list[str]:
    """The tables a check's helpers join that are not in `tables` (the check is then vacuous)."""
    derived = DERIVED.get(check.table, {})
    return sorted({t for c in check.helpers for t in derived[c].tables if t not in tables})


def schema_columns(table: str) -> list[str]:
    """The column list GE should see for `table`: schema.py's columns, then the dq_ helpers."""
    from pipeline.schema import TABLES
    return list(TABLES[table].names) + helper_columns(table)


def arrow_type_mismatches(table_name: str, table: "pa.Table") -> list[str]:
    """Columns whose Arrow type differs from pipeline/schema.py, as 'col: expected X, got Y'.

    Missing and extra columns are the GE schema check's business and are not listed here.
    """
    from pipeline.schema import TABLES
    expected = TABLES[table_name]
    out = []
    for f in expected:
        idx = table.schema.get_field_index(f.name)
        if idx >= 0 and not table.schema.field(idx).type.equals(f.type):
            out.append(f"{f.name}: expected {f.type}, got {table.schema.field(idx).type}")
    return out


def prepare_frame(table_name: str, table: "pa.Table", tables: dict | None = None,
                  problems: dict | None = None) -> "pd.DataFrame":
    """The pandas frame GE validates: prepare_table's table, converted."""
    return prepare_table(table_name, table, tables, problems).to_pandas()


def prepare_table(table_name: str, table: "pa.Table", tables: dict | None = None,
                  problems: dict | None = None) -> "pa.Table":
    """The frame GE validates, as Arrow: the table plus its dq_ helper columns, times as naive UTC.

    `tables` holds the run's other tables for the helpers that join one. A helper whose source
    columns or joined table are missing (a schema failure, reported separately, or a test
    validating one table) is filled with nulls rather than raising, so the other checks still run.
    A helper that raises while computing (odd values in a column of the right name) is filled
    with nulls too, and `problems[helper]` says why: validate() then fails the checks using it.
    """
    import pyarrow as pa
    tables = tables or {}
    base = table
    for name, d in DERIVED.get(table_name, {}).items():
        if all(c in base.column_names for c in d.sources) and all(t in tables for t in d.tables):
            try:
                values = d.compute(base, tables)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, KeyError,
                    TypeError, ValueError, AttributeError, OverflowError) as exc:
                if problems is not None:
                    problems[name] = f"{type(exc).__name__}: {exc}"
                values = pa.nulls(base.num_rows)
        else:
            values = pa.nulls(base.num_rows)
        table = table.append_column(name, values)
    # Times are UTC by contract. GE 1.24 reads Series.values, which pandas 3.1 deprecates for
    # tz-aware columns, so GE gets naive UTC instants: same comparisons, no warning.
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type) and f.type.tz is not None:
            naive = pa.timestamp(f.type.unit)
            table = table.set_column(i, pa.field(f.name, naive), table[f.name].cast(naive))
    return table


_GX_LOCK = threading.Lock()


def gx_module():
    """Import Great Expectations with its usage statistics switched off. One thread imports it
    at a time (run.py warms it up in a thread): a second importer waits instead of seeing a
    half-initialised module."""
    with _GX_LOCK:
        os.environ["GX_ANALYTICS_ENABLED"] = "False"
        import great_expectations as gx
        import great_expectations.core.expectation_validation_result  # noqa: F401
        import great_expectations.core.run_identifier  # noqa: F401
        import great_expectations.data_context.types.resource_identifiers  # noqa: F401
    return gx


def gx_context(data_docs_dir: Path | None = None):
    """An in-memory GE context: no analytics, no progress bars, optionally one local docs site.

    `data_docs_dir` must be absolute (GE resolves relative paths against its own root).
    """
    gx = gx_module()
    from great_expectations.data_context.types.base import (
        DataContextConfig, InMemoryStoreBackendDefaults, ProgressBarsConfig)
    sites = {}
    if data_docs_dir is not None:
        data_docs_dir = Path(data_docs_dir)
        if not data_docs_dir.is_absolute():
            raise ValueError(f"Data Docs need an absolute directory, not {data_docs_dir}")
        sites["local_site"] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(data_docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        data_docs_sites=sites,
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def run_suites(pairs: list[tuple[Suite, "pa.Table"]], tables: dict | None = None,
               problems: dict | None = None, cache_dir: Path | None = None) -> list:
    """Validate each (suite, table) with GE; return one ExpectationSuiteValidationResult each.

    One ephemeral context and one pandas datasource serve all suites; each table is a dataframe
    asset with a whole-dataframe batch, validated by one GE call per suite. `tables` (all tables
    of the run) feeds the helpers that join another table; `problems` collects
    {table: {helper: why}} for helpers that failed.

    With `cache_dir`, each expectation's result is kept under a key of exactly what it depends
    on (carry.py). A later run carries every expectation whose key is unchanged and asks GE only
    for the others, in one call per suite; a suite none of whose expectations changed is read
    back whole, without importing GE (the nightly steady state). Only this call's entries are
    kept. Without `cache_dir` every expectation is evaluated by GE.
    """
    from pipeline.validate import carry
    if not pairs:
        return []
    store = carry.Store(cache_dir) if cache_dir is not None else None
    settings = {"result_format": RESULT_FORMAT}
    ge = {}
    results = []
    count = {"expectations": 0, "evaluated": 0, "suites_reused": 0, "ge_import_wait_s": 0.0}
    for suite, table in pairs:
        mine = None if problems is None else problems.setdefault(suite.table, {})
        prepared = prepare_table(suite.table, table, tables, mine)
        params = {SCHEMA_PARAMETER: schema_columns(suite.table)}
        expectations = list(suite.data.get("expectations") or [])
        count["expectations"] += len(expectations)
        names = [(e.get("meta") or {}).get("name") for e in expectations]
        carried: dict = {}
        if store is not None:
            keys = dict(zip(names, carry.expectation_keys(
                suite.name, suite.table, expectations, prepared, {**settings, "parameters": params},
                [ID_COLUMN])))
            whole = carry.suite_key(suite.data, list(keys.values()))
            stored = store.suite(whole)
            if stored is not None:
                results.append(CachedSuiteResult(stored))
                count["suites_reused"] += 1
                continue
            for name, k in keys.items():
                found = store.expectation(k)
                if found is not None:
                    carried[name] = found
        if not ge:
            t = time.perf_counter()
            ge["gx"] = gx_module()  # waits for run.py's warm-up import if it is still going
            count["ge_import_wait_s"] = round(time.perf_counter() - t, 3)
            ge["source"] = gx_context().data_sources.add_pandas("curated")
        carried = carry.load(carried)
        asset = ge["source"].add_dataframe_asset(name=f"{suite.table}__{suite.name}")
        batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
            batch_parameters={"dataframe": prepared.to_pandas()})
        data = {k: v for k, v in suite.data.items() if k in ("name", "meta", "notes")}
        data["expectations"] = [e for e, name in zip(expectations, names) if name not in carried]
        count["evaluated"] += len(data["expectations"])
        result = batch.validate(ge["gx"].ExpectationSuite(**data), result_format=RESULT_FORMAT,
                                expectation_parameters=params)
        if carried:
            result = carry.merge(result, carried, expectations)
        results.append(result)
        if store is not None:
            store.put(whole, result.to_json_dict(),
                      [keys[(r.expectation_config.meta or {}).get("name")] for r in result.results])
    if store is not None:
        store.prune()
    carried_count = count["expectations"] - count["evaluated"]
    log.info("validate: Great Expectations evaluated %d of %d expectations%s; %.1f s waiting for its import",
             count["evaluated"], count["expectations"],
             f" ({carried_count} carried from the last run)" if carried_count else "",
             count["ge_import_wait_s"], extra={"data": {"event": "validation", **count}})
    return results


class CachedSuiteResult:
    """A suite's GE result read back from the cache, without importing GE: what validate()
    reads (results: expectation_config.meta, success, result, exception_info) as plain
    objects, and as_ge() for Data Docs, which need GE's own object."""

    def __init__(self, data: dict):
        from types import SimpleNamespace
        self.data = data
        self.suite_name = data.get("suite_name")
        self.success = bool(data.get("success"))
        self.results = [SimpleNamespace(
            success=bool(r.get("success")), result=r.get("result") or {},
            exception_info=r.get("exception_info"),
            expectation_config=SimpleNamespace(meta=(r.get("expectation_config") or {}).get("meta") or {}))
            for r in data["results"]]

    def as_ge(self):
        gx_module()
        from great_expectations.core.expectation_validation_result import (
            ExpectationSuiteValidationResultSchema)
        return ExpectationSuiteValidationResultSchema().load(self.data)
