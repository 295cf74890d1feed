"""pipeline/schema.py honours the data contract (a copy of the shared contract.json)."""
import json
from pathlib import Path

import pyarrow as pa

from pipeline.schema import TABLES

CONTRACT = json.loads((Path(__file__).parent / "data" / "contract.json").read_text())


def _fits(t: pa.DataType, want: str) -> bool:
    return {
        "string": pa.types.is_string(t),
        "int": pa.types.is_integer(t),
        "float": pa.types.is_floating(t),
        "timestamp": pa.types.is_timestamp(t) and t.tz == "UTC",
        "list<string>": pa.types.is_list(t) and pa.types.is_string(t.value_type),
    }[want]


def test_every_contract_column_is_declared_with_its_type():
    problems = []
    for table, columns in CONTRACT.items():
        if table.startswith("_"):
            continue
        schema = TABLES[table]
        for name, want in columns.items():
            if name not in schema.names:
                problems.append(f"{table}.{name} missing")
            elif not _fits(schema.field(name).type, want):
                problems.append(f"{table}.{name}: {schema.field(name).type} is not {want}")
    assert problems == []


def test_contract_columns_come_first_in_contract_order():
    for table, columns in CONTRACT.items():
        if table.startswith("_"):
            continue
        names = [n for n in TABLES[table].names if n not in ("run_id", "schema_version")]
        want = [n for n in columns if n not in ("run_id", "schema_version")]
        assert names[: len(want)] == want, table


def test_check_rows_without_arrow_agrees_with_building_the_table():
    """check_rows skips the Arrow build only for rows it can see fit: every value here is
    accepted or refused exactly as to_table accepts or refuses it."""
    import pytest

    from pipeline.schema import _plainly_fits, check_rows, to_table

    values = [None, "x", "\ud800 lone surrogate", "", 0, -1, 2**63 - 1, 2**63, -2**63, -2**63 - 1,
              True, False, 1.5, float("nan"), b"bytes", ["list"], {"a": 1}]
    for table in ("inputs", "infobox_params", "missions", "quarantine"):
        for column in TABLES[table].names:
            for value in values:
                rows = [{column: value}]
                try:
                    to_table(table, rows, "")
                    fits = True
                except Exception:
                    fits = False
                if _plainly_fits(table, rows):
                    assert fits, (table, column, value)
                if fits:
                    check_rows(table, rows)
                else:
                    with pytest.raises(ValueError):
                        check_rows(table, rows)
    assert _plainly_fits("infobox_params", [{"source": "s", "infobox": 0, "param": "p", "raw": "r",
                                            "text": "t", "parent": None, "template": "T", "title": "x"}])
    with pytest.raises(ValueError, match="unknown columns"):
        check_rows("inputs", [{"source": "s", "nope": None}])
