"""The ledger's modules import one way, without a cycle: records, rules, store, ledger."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "papi_sandbox"
LAYERS = ("ledger_records", "ledger_rules", "ledger_store", "ledger")


def _imported_modules(name: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_each_ledger_module_imports_only_the_ones_before_it():
    for index, name in enumerate(LAYERS):
        later = {f"papi_sandbox.{module}" for module in LAYERS[index + 1 :]}
        assert not later & _imported_modules(name), name
