"""`make docs` renders openapi.yaml into one static HTML page that needs no network to view,
carrying every operation, every documented error code and the signing section."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.spec.spec_doc import ROOT, SPEC, documented_messages, operations

pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or shutil.which("npm") is None,
    reason="make docs needs make and node (npm ci installs the pinned Redocly CLI)",
)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("docs")
    subprocess.run(
        ["make", "--no-print-directory", "docs", f"DOCS_DIR={out}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=240,
    )
    return (Path(out) / "index.html").read_text(encoding="utf-8")


def _definition(page: str) -> dict[str, Any]:
    """The description the page renders (Redoc hydrates the page from it)."""
    match = re.search(r"const __redoc_definition = (\{.*?\});\s*\n", page, flags=re.DOTALL)
    assert match, "no embedded API definition found"
    definition: dict[str, Any] = json.loads(match.group(1))
    return definition


def test_the_page_is_self_contained(page: str) -> None:
    """Nothing to fetch: no external script, stylesheet, font or image (links to click are
    fine). The one image Redoc would load, Redocly's logo from its CDN, is blanked by make."""
    assert not re.search(r"<script[^>]+\bsrc=", page)
    assert not re.search(r"<link[^>]+\bhref=", page)
    assert not re.search(r"@import\s+url|@font-face[^}]*url\(\s*[\"']?https?:", page)
    assert not re.search(r"\bsrc\s*[:=]\s*[`\"']?https?://", page)
    assert "cdn.redoc.ly" not in page and "fonts.googleapis" not in page


def test_the_page_renders_the_whole_description(page: str) -> None:
    assert _definition(page)["paths"] == json.loads(json.dumps(SPEC["paths"]))


def test_every_operation_appears(page: str) -> None:
    definition = _definition(page)
    for path, method, operation in operations():
        assert operation["summary"] in page
        assert definition["paths"][path][method]["operationId"] == operation["operationId"]


def test_every_error_code_appears(page: str) -> None:
    codes = {
        example["value"]["code"]
        for _, _, operation in operations()
        for _, _, _, example in documented_messages(operation)
        if isinstance(example["value"], dict)
    }
    assert {-1021, -1022, -1100, -1101, -1102, -1111, -1127, -2014, -3015, -3041} <= codes
    for code in codes:
        assert re.search(rf"\"code\":\s*{code}\b", page), code


def test_the_signing_section_appears(page: str) -> None:
    signature = _definition(page)["components"]["securitySchemes"]["Signature"]
    assert "How a SIGNED request is signed" in signature["description"]
    assert "x-binance-signing" in signature
    assert "totalParams" in page
