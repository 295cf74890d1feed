"""What a run may carry from the previous run's validation instead of asking Great Expectations
again: each expectation's result, keyed by exactly what that result depends on.

Why per expectation. Great Expectations costs about a tenth of a second per expectation
whatever the size of a small table (graph building, metric resolution, result formatting), so
a nightly run that changed one article of three pays as much as the first run if any suite is
re-run whole. But most expectations read one or two columns, and an edit to one article
changes a few of its values: the other expectations would compute the very same result.

What is sound. An expectation of a column domain (`expect_column_*`, `expect_compound_columns_*`,
`expect_multicolumn_*`, `expect_select_column_values_*`) sees only the frame's rows restricted by
its row_condition, its domain columns and the id column its result names (RESULT_FORMAT's
`unexpected_index_column_names`); its result (counts, percentages, the failing values and
their row positions) is a function of those columns, in row order, and of its own kwargs.
So its key hashes: the expectation's JSON, the suite's name and table (the batch id in its
result), the result format and expectation parameters, the column names of the frame (a missing
column is an exception whose text must match), the row count, and the content of every column
it reads (domain, row condition, id), helper dq_ columns as computed (so a change in how a
helper is derived, or in a table it joins, changes the key); plus the code stamp: this package,
schema.py and the versions of GE, pandas, pyarrow and numpy. A table-shape expectation
(`expect_table_columns_*`, `expect_table_column_count_*`, `expect_table_row_count_*`) reads the
column names and the row count only. Any other expectation, or a row condition this module
cannot read, is keyed on every column of the frame: never carried unless the whole table is
the same.

Why not per row. Carrying the failing rows of unchanged missions and validating only new rows
would also save work on big tables, but GE's result of a column expectation is not a sum of
row results: its percentages, its partial lists (the first 20 failing values), the failing
values' counts and the row positions in its index query are all computed over the whole
column, and Data Docs show them. Re-deriving them by hand would re-implement GE's result
formatting; for a handful of missions it would save nothing either (the cost is per
expectation, not per row). So an expectation whose columns changed is evaluated by GE on the
whole table, as a table-level or aggregate one must be anyway.

Results are kept in the validation cache folder, one JSON file per suite named by the suite's
key (the hash of its expectations' keys): the suite's GE result and the key of each expectation.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    import pyarrow as pa

COLUMN_DOMAIN = ("expect_column_", "expect_compound_columns_", "expect_multicolumn_",
                 "expect_select_column_values_")
TABLE_SHAPE = ("expect_table_columns_", "expect_table_column_count_", "expect_table_row_count_")
_CONDITION_KEYS = {"type", "column", "operator", "parameter", "conditions", "condition", "name"}


@functools.lru_cache(maxsize=1)
def code_stamp() -> bytes:
    """What every key depends on besides the data: the validating code and the libraries'
    versions (read once per process)."""
    from importlib.metadata import version
    h = hashlib.sha256()
    for package in ("great-expectations", "pandas", "pyarrow", "numpy"):
        h.update(f"{package}=={version(package)};".encode())
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")) + [here.parent / "schema.py"]:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.digest()


def column_digests(table: "pa.Table") -> dict[str, str]:
    """SHA-256 of each column (its name, Arrow type and values in row order)."""
    import pyarrow as pa
    out = {}
    for name in table.column_names:
        one = table.select([name]).combine_chunks()
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, one.schema) as writer:
            writer.write_table(one)
        out[name] = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
    return out


def columns_read(expectation: dict, id_columns: Iterable[str]) -> list[str] | None:
    """The columns of the frame an expectation's result depends on, besides the column names and
    the row count; None when that cannot be told (then it depends on every column)."""
    kind = expectation.get("type") or ""
    kwargs = expectation.get("kwargs") or {}
    if kind.startswith(TABLE_SHAPE):
        return []
    if not kind.startswith(COLUMN_DOMAIN):
        return None
    cols = [kwargs[k] for k in ("column", "column_A", "column_B") if isinstance(kwargs.get(k), str)]
    if isinstance(kwargs.get("column_list"), list):
        if not all(isinstance(c, str) for c in kwargs["column_list"]):
            return None
        cols.extend(kwargs["column_list"])
    if not cols:
        return None
    condition = kwargs.get("row_condition")
    if condition is not None:
        named = _condition_columns(condition)
        if named is None:
            return None
        cols.extend(named)
    cols.extend(id_columns)
    return sorted(set(cols))


def _condition_columns(node) -> list[str] | None:
    """Columns named in a row condition in GE's JSON form; None for any other form."""
    if isinstance(node, list):
        out = []
        for item in node:
            found = _condition_columns(item)
            if found is None:
                return None
            out.extend(found)
        return out
    if not isinstance(node, dict) or not set(node) <= _CONDITION_KEYS:
        return None
    out = []
    for key, value in node.items():
        if key == "column":
            name = value.get("name") if isinstance(value, dict) else value
            if not isinstance(name, str):
                return None
            out.append(name)
        elif key in ("conditions", "condition"):
            found = _condition_columns(value)
            if found is None:
                return None
            out.extend(found)
    return out


def expectation_keys(suite_name: str, table_name: str, expectations: list[dict], table: "pa.Table",
                     settings: dict, id_columns: Iterable[str]) -> list[str]:
    """One key per expectation (see the module doc). `table` is the frame GE sees, as Arrow;
    `settings` the result format and expectation parameters of the call."""
    digests = column_digests(table)
    shared = hashlib.sha256(code_stamp())
    shared.update(json.dumps([suite_name, table_name, settings, table.column_names, table.num_rows],
                             sort_keys=True, default=str).encode())
    ids = list(id_columns)
    keys = []
    for exp in expectations:
        h = shared.copy()
        h.update(json.dumps(exp, sort_keys=True, default=str).encode())
        cols = columns_read(exp, ids)
        for col in (table.column_names if cols is None else cols):
            h.update(f"\0{col}={digests.get(col, 'missing')}".encode())
        keys.append(h.hexdigest())
    return keys


def suite_key(suite_data: dict, keys: list[str]) -> str:
    """The key of a suite's whole result: its JSON (meta included) and its expectations' keys."""
    h = hashlib.sha256(code_stamp())
    h.update(json.dumps(suite_data, sort_keys=True, default=str).encode())
    for k in keys:
        h.update(k.encode())
    return h.hexdigest()


class Store:
    """The cache folder: `<suite key>.json` = {"result": GE suite result as JSON, "keys": the key
    of each of its expectation results, in the order of result["results"]}. Unreadable files
    are ignored (validated again); a folder that cannot be written only costs the next run its
    shortcut."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.used: set[str] = set()
        self._by_expectation: dict[str, dict] | None = None

    def suite(self, key: str) -> dict | None:
        """A suite's stored result (JSON) under `key`, else None."""
        data = self._read(self.folder / f"{key}.json")
        if data is None:
            return None
        self.used.add(key)
        return data["result"]

    def expectation(self, key: str) -> dict | None:
        """An expectation's result (JSON) stored under `key` by an earlier run, else None."""
        if self._by_expectation is None:
            self._by_expectation = {}
            for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
                data = self._read(path)
                if data is not None:
                    self._by_expectation.update(zip(data["keys"], data["result"]["results"]))
        return self._by_expectation.get(key)

    @staticmethod
    def _read(path: Path) -> dict | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            results = data["result"]["results"]
            if not isinstance(data["keys"], list) or len(data["keys"]) != len(results):
                return None
            if not all(isinstance(r, dict) and isinstance(r.get("expectation_config"), dict)
                       for r in results):
                return None
            return data
        except Exception:  # missing, damaged or foreign: validate again
            return None

    def put(self, key: str, result: dict, keys: list[str]) -> None:
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{key}.{os.getpid()}.tmp"
            tmp.write_text(json.dumps({"result": result, "keys": keys}, default=str), encoding="utf-8")
            tmp.replace(self.folder / f"{key}.json")
        except OSError:  # the cache is a convenience, never a reason to fail a run
            pass

    def prune(self) -> None:
        """Keep only the suites this run used (its own results are the next run's baseline)."""
        if self.folder.is_dir():
            for old in self.folder.glob("*.json"):
                if old.stem not in self.used:
                    old.unlink(missing_ok=True)


def ge_order(expectations: list[dict]) -> list[int]:
    """The order in which GE 1.x returns a suite's results when none raised: grouped by the
    `column` kwarg, groups in order of first appearance, expectations without one grouped
    together (Validator.process_expectations_for_validation)."""
    groups: dict[str, list[int]] = {}
    for i, exp in enumerate(expectations):
        column = (exp.get("kwargs") or {}).get("column")
        groups.setdefault(column if isinstance(column, str) else "\0", []).append(i)
    return [i for group in groups.values() for i in group]


def load(carried: dict[str, dict]) -> dict[str, object]:
    """The carried results (JSON) as GE's ExpectationValidationResult objects; one that GE
    cannot read (a damaged or foreign entry) is left out, so it is evaluated again."""
    from great_expectations.core.expectation_validation_result import ExpectationValidationResultSchema
    schema = ExpectationValidationResultSchema()
    out = {}
    for name, data in carried.items():
        try:
            out[name] = schema.load(data)
        except Exception:  # marshmallow's ValidationError, or anything a foreign file provokes
            continue
    return out


def merge(fresh, carried: dict[str, object], expectations: list[dict]):
    """GE's result of the expectations it evaluated (`fresh`) with the carried ones (`carried`:
    meta.name -> result, see load()), as the one suite result a full validation returns:
    results in GE's order (ge_order; as GE does, those whose evaluation raised come first),
    statistics and success recomputed by GE's own function, the batch meta of the fresh call."""
    from great_expectations.validator.validation_statistics import calc_validation_statistics

    new = {_name(r): r for r in fresh.results}
    results = []
    for i in ge_order(expectations):
        name = (expectations[i].get("meta") or {}).get("name")
        if name in carried:
            results.append(carried[name])
        elif name in new:  # (one GE returned nothing for stays missing: validate() fails it)
            results.append(new[name])
    results.sort(key=lambda r: not _raised(r))  # stable: the order above otherwise
    stats = calc_validation_statistics(results)
    fresh.results = results
    fresh.success = stats.success
    fresh.statistics = {"evaluated_expectations": stats.evaluated_expectations,
                        "successful_expectations": stats.successful_expectations,
                        "unsuccessful_expectations": stats.unsuccessful_expectations,
                        "success_percent": stats.success_percent}
    return fresh


def _name(result) -> str | None:
    return (result.expectation_config.meta or {}).get("name")


def _raised(result) -> bool:
    info = result.exception_info
    return bool(isinstance(info, dict) and (info.get("raised_exception") or any(
        isinstance(v, dict) and v.get("raised_exception") for v in info.values())))
