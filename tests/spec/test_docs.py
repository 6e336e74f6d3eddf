"""`make docs` renders openapi.yaml into one static HTML page that needs no network to view,
carrying every operation, every documented error code with its source and outcome, every rule
with its source, the table of sources and the signing section with a signed URL."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.spec.spec_doc import ROOT, SPEC, documented_messages, operations, resolve


def _fold_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "fold_provenance", ROOT / "docs" / "fold_provenance.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FOLD = _fold_module()
FOLDED: dict[str, Any] = FOLD.fold(SPEC)

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
    """openapi.yaml, with its provenance folded into the prose (docs/fold_provenance.py)."""
    definition = _definition(page)
    assert definition["paths"] == json.loads(json.dumps(FOLDED["paths"]))
    assert definition["components"] == json.loads(json.dumps(FOLDED["components"]))


def test_folding_only_adds_text() -> None:
    """Everything but the prose is openapi.yaml's, and each folded description starts with the
    original one."""

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != "description"}
        if isinstance(node, list):
            return [strip(item) for item in node]
        return node

    assert strip(FOLDED) == strip(SPEC)
    for path, method, operation in operations():
        folded = FOLDED["paths"][path][method]["description"]
        assert folded.startswith(operation["description"].rstrip())


def _page_responses(page: str) -> dict[str, Any]:
    definition = _definition(page)
    return {
        f"{method} {path} {status}": resolve(reference, definition)
        for path, item in definition["paths"].items()
        for method, operation in item.items()
        for status, reference in operation["responses"].items()
    }


def test_each_code_on_the_page_shows_its_source_and_outcome(page: str) -> None:
    """Where the reader is: each error response's text lists its documented answers, each with
    its code, message, outcome and source, and says the outcome of any other body."""
    seen = 0
    for where, response in _page_responses(page).items():
        if where.split()[-1].startswith("2"):
            continue
        text = response["description"]
        assert "Outcome of any body not listed below" in text, where
        for content in response.get("content", {}).values():
            for example in content.get("examples", {}).values():
                example = resolve(example)
                assert FOLD._message_line(example) in text, (where, example["summary"])
                if isinstance(example["value"], dict):
                    line = FOLD._message_line(example)
                    assert f"`{example['value']['code']}` {example['value']['msg']}" in line
                    assert f"outcome {FOLD.OUTCOME_WORDS[example['x-outcome']]}" in line
                    assert FOLD.source_text(example["x-source"]) in line
                    seen += 1
    assert seen > 100


def test_the_repay_400_on_the_page_shows_a_code_with_its_source_and_outcome(page: str) -> None:
    text = _page_responses(page)["post /papi/v1/repayLoan 400"]["description"]
    assert (
        "- `-1021` Timestamp for this request is outside of the recvWindow. — outcome **rejected**"
        in text
    )
    assert "source `binance-papi-docs`" in text
    assert "`-3015` Repay amount exceeds borrow amount." in text
    assert "code: `binance-margin-docs`" in text


def test_every_rule_is_on_the_page_with_its_source(page: str) -> None:
    definition = _definition(page)
    with_rules = [(p, m, o) for p, m, o in operations() if o.get("x-rules")]
    assert len(with_rules) == 6  # every signed operation
    for path, method, operation in with_rules:
        text = definition["paths"][path][method]["description"]
        # The sentence that sends the reader to `x-rules` points at what the page shows.
        assert "shows them under this description" in " ".join(operation["description"].split())
        assert "**Rules and their sources** (`x-rules`):" in text
        for rule in operation["x-rules"]:
            assert f"- *{rule['id']}*: {rule['rule']} Source: {FOLD._with_choice(rule)}." in text


def test_the_table_of_sources_is_on_the_page(page: str) -> None:
    text = _definition(page)["info"]["description"]
    assert "## The table of sources" in text
    for name, entry in SPEC["info"]["x-source-legend"].items():
        assert f"- **`{name}`**: {entry['title']}." in text
        for page_entry in entry.get("pages", []):
            assert str(page_entry.get("url") or page_entry.get("page")) in text
        for message in entry.get("messages", []):
            assert f"quoted message: {message}" in text


def test_the_attribution_logo_is_an_inline_blank_image_not_a_broken_one(page: str) -> None:
    assert "alt:`redocly logo`" in page
    assert "data:image/svg+xml,%3Csvg" in page
    assert not re.search(r"src:\s*\w+\s*\?\s*``", page)  # no empty src (a broken-image icon)


def test_the_signed_url_example_is_on_the_page(page: str) -> None:
    signature = SPEC["components"]["securitySchemes"]["Signature"]["description"]
    url = re.search(r"POST (https://papi\.binance\.com/\S+)", signature)
    assert url and url.group(1) in page


def test_the_readme_does_not_link_to_a_page_a_clone_lacks() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](build/docs/index.html)" not in readme
    assert "run `make docs` first" in readme


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
