"""The ledger modules import without a cycle: implementations depend on ledger_base only."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "papi_sandbox"


def _imported_modules(name: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{name}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_implementations_do_not_import_the_facade():
    for name in ("ledger_base", "ledger_memory", "ledger_sqlite"):
        assert "papi_sandbox.ledger" not in _imported_modules(name), name


def test_the_facade_still_exports_everything():
    from papi_sandbox import ledger

    for name in (
        "Ledger",
        "open_ledger",
        "RepayRecord",
        "Balance",
        "UnknownAccount",
        "wall_clock_tran_id",
    ):
        assert hasattr(ledger, name)
