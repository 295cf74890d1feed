"""The README's scheduling recipes use only options that exist: the Airflow DAG is valid Python
with a real DAG around the task, and every flag of its command and the cron line is accepted."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def run_options() -> set[str]:
    help_text = CliRunner().invoke(cli, ["run", "--help"]).output
    return set(re.findall(r"(--[a-z][a-z-]+)", help_text))


def test_the_airflow_dag_is_python_with_a_dag_around_the_task():
    block = next(b for b in re.findall(r"```python\n(.*?)```", README, re.S) if "DAG(" in b)
    tree = ast.parse(block)
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert {"DAG", "BashOperator"} <= calls
    with_dag = [n for n in ast.walk(tree) if isinstance(n, ast.With)]
    assert with_dag and any(isinstance(c, ast.Call) and getattr(c.func, "id", "") == "BashOperator"
                            for w in with_dag for c in ast.walk(w))
    command = "".join(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                      and isinstance(n.value, str) and ("infobox-etl" in n.value or "--" in n.value))
    flags = set(re.findall(r"(--[a-z][a-z-]+)", command))
    assert {"--fail-on", "--quiet", "--log-json"} <= flags
    assert flags <= run_options()


def test_the_cron_line_uses_real_options():
    block = re.search(r"```cron\n(.*?)```", README, re.S).group(1)
    line = next(ln for ln in block.splitlines() if ln and not ln.startswith("#"))
    run_part = line.split("infobox-etl run", 1)[1].split(">", 1)[0]
    flags = set(re.findall(r"(--[a-z][a-z-]+)", run_part))
    assert "--fail-on" in flags and flags <= run_options()
