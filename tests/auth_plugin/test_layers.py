"""The layout is the architecture: signer <- client <- safe <- cli, and the sandbox apart.

Each part may import only the parts below it (read from the source, so a lazy import inside a
function counts too); the sandbox imports nothing of the client, and the client nothing of
the sandbox.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {
    "auth_plugin.signer": {"auth_plugin.signer"},
    "auth_plugin.client": {"auth_plugin.signer", "auth_plugin.client", "papi_repay_client"},
    "auth_plugin.safe": {
        "auth_plugin.signer",
        "auth_plugin.client",
        "auth_plugin.safe",
        "papi_repay_client",
    },
    "auth_plugin.cli": {
        "auth_plugin.signer",
        "auth_plugin.client",
        "auth_plugin.safe",
        "auth_plugin.cli",
    },
    "papi_sandbox": {"papi_sandbox"},
    "papi_repay_client": {"papi_repay_client"},  # the generated package (not a folder scanned)
}
OURS = ("auth_plugin", "papi_sandbox", "papi_repay_client")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in OURS}


def _part_of(module: str) -> str:
    for part in sorted(ALLOWED, key=len, reverse=True):
        if module == part or module.startswith(part + "."):
            return part
    return module


@pytest.mark.parametrize("part", sorted(set(ALLOWED) - {"papi_repay_client"}))
def test_each_part_imports_only_the_parts_below_it(part):
    folder = ROOT.joinpath(*part.split("."))
    files = sorted(folder.rglob("*.py"))
    assert files
    for path in files:
        for module in _imports(path):
            assert _part_of(module) in ALLOWED[part], f"{path.relative_to(ROOT)} imports {module}"
