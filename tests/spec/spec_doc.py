"""Shared helpers for the spec tests: the spec, loaded once, and `$ref` resolution."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
REPAY: dict[str, Any] = SPEC["paths"]["/papi/v1/repayLoan"]["post"]
RECORDS: dict[str, Any] = SPEC["paths"]["/papi/v1/margin/repayLoan"]["get"]
BALANCE: dict[str, Any] = SPEC["paths"]["/papi/v1/balance"]["get"]
BORROW: dict[str, Any] = SPEC["paths"]["/papi/v1/marginLoan"]["post"]
LOAN_RECORDS: dict[str, Any] = SPEC["paths"]["/papi/v1/margin/marginLoan"]["get"]
REPAY_DEBT: dict[str, Any] = SPEC["paths"]["/papi/v1/margin/repay-debt"]["post"]
SIGNED_OPERATIONS = {
    "repayLoan": REPAY,
    "queryRepayRecords": RECORDS,
    "accountBalance": BALANCE,
    "marginAccountBorrow": BORROW,
    "queryMarginLoanRecords": LOAN_RECORDS,
    "marginAccountRepayDebt": REPAY_DEBT,
}


def resolve(node: Any, document: dict[str, Any] = SPEC) -> Any:
    """`node`, its `$ref`s followed within `document` (the spec by default)."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def documented_messages(
    operation: dict[str, Any],
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(status, media type, response, example) for every example of every error response."""
    for status, reference in operation["responses"].items():
        if status.startswith("2"):
            continue
        response = resolve(reference)
        for media_type, content in response.get("content", {}).items():
            for example in content.get("examples", {}).values():
                yield status, media_type, response, resolve(example)
