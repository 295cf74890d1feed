"""The shape of the package: imports flow one way and no module imports itself in a circle.

The layers are declared once, in pyproject.toml ([tool.importlinter]); this runs import-linter
on them, and checks the whole module graph for cycles (a cycle inside one layer is not a
layers violation, but it is still a cycle)."""
from __future__ import annotations

from pathlib import Path

import grimp
from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 600  # "split a module before it passes ~500 lines" (STYLE.md); this is the hard stop


def test_import_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    configure()
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) is True


def _cycles(graph) -> list[list[str]]:
    found, state = [], {}

    def visit(module, stack):
        state[module] = "open"
        stack.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(other) == "open":
                found.append(stack[stack.index(other):] + [other])
            elif other not in state:
                visit(other, stack)
        stack.pop()
        state[module] = "done"

    for module in sorted(graph.modules):
        if module not in state:
            visit(module, [])
    return found


def test_no_module_imports_itself_in_a_circle():
    graph = grimp.build_graph("pipeline", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_the_cycle_check_sees_a_cycle():
    graph = grimp.ImportGraph()
    for m in ("p.a", "p.b", "p.c"):
        graph.add_module(m)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == [["p.a", "p.b", "p.c", "p.a"]]


def test_modules_stay_small():
    big = {str(p.relative_to(ROOT)): n for p in (ROOT / "pipeline").rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert big == {}
