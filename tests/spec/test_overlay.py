"""overlays/sandbox.overlay.yaml states the sandbox's choices as schema constraints, and the
overlaid description accepts exactly what the sandbox's own parsers accept.

The overlay is applied by oas-patch (tests/contract/overlaid_spec.py). Each action is named by
the `x-sandbox-choice` id it states and must change something; the parsers of papi_sandbox and
the overlaid schemas are then compared value by value (Hypothesis), so a sandbox that drifts
from its overlay, or an overlay that drifts from its sandbox, fails here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonpath_ng.ext import parse as jsonpath
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from papi_sandbox import errors, params
from papi_sandbox.endpoints import MAX_PAGE_SIZE, REPAY_ASSETS_RANGE
from papi_sandbox.signed_request import MAX_RECV_WINDOW
from tests.contract.overlaid_spec import overlay, sandbox_spec
from tests.spec.spec_doc import SPEC, resolve
from tests.spec.test_provenance import _readme_choice_ids

ACTIONS: list[dict[str, Any]] = overlay()["actions"]
APPLIED = sandbox_spec()
INT64_MAX = 2**63 - 1


def _schema(document: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    operation = document["paths"][path][method]
    for parameter in operation["parameters"]:
        target = parameter
        if "$ref" in parameter:
            target = document
            for part in parameter["$ref"].removeprefix("#/").split("/"):
                target = target[part]
        if target["name"] == name:
            schema = target["schema"]
            while "$ref" in schema:
                resolved: Any = document
                for part in schema["$ref"].removeprefix("#/").split("/"):
                    resolved = resolved[part]
                schema = resolved
            return dict(schema)
    raise KeyError(name)


def _valid(schema: dict[str, Any], value: Any) -> bool:
    return OAS30Validator(schema).is_valid(value)


def _sandbox_accepts(parser: Any, *args: Any) -> bool:
    try:
        parser(*args)
    except errors.ApiError:
        return False
    return True


@pytest.mark.parametrize("action", ACTIONS, ids=[a["x-sandbox-choice"] for a in ACTIONS])
def test_each_action_is_a_listed_choice_named_by_its_id(action: dict[str, Any]) -> None:
    choice = action["x-sandbox-choice"]
    assert choice in _readme_choice_ids()
    assert action["description"].startswith(f"{choice}: ")


@pytest.mark.parametrize("action", ACTIONS, ids=[a["x-sandbox-choice"] for a in ACTIONS])
def test_each_action_targets_something_and_changes_it(action: dict[str, Any]) -> None:
    matches = jsonpath(action["target"]).find(SPEC)
    assert matches, f"{action['target']} matches nothing in openapi.yaml"
    for match in matches:
        before = match.value
        after = match.full_path.find(APPLIED)[0].value
        assert after != before, (action["x-sandbox-choice"], str(match.full_path))


def test_the_overlaid_description_is_valid_and_openapi_yaml_is_untouched() -> None:
    validate(APPLIED)
    assert sandbox_spec() == APPLIED
    assert [server["url"] for server in SPEC["servers"]] == ["https://papi.binance.com"]
    assert [server["url"] for server in APPLIED["servers"]] == [
        "https://papi.binance.com",
        "http://127.0.0.1:8000",
    ]
    assert "pattern" not in resolve(SPEC["components"]["parameters"]["Asset"])["schema"]


def test_one_action_per_choice_except_records_paging() -> None:
    choices = [action["x-sandbox-choice"] for action in ACTIONS]
    repeated = {choice for choice in choices if choices.count(choice) > 1}
    assert repeated == {"records-paging"}  # `current` and `size`: two nodes, two constraints


ASSET_SCHEMAS = [
    _schema(APPLIED, "/papi/v1/repayLoan", "post", "asset"),
    _schema(APPLIED, "/papi/v1/balance", "get", "asset"),
]
AMOUNT = _schema(APPLIED, "/papi/v1/repayLoan", "post", "amount")
RECV_WINDOW = _schema(APPLIED, "/papi/v1/repayLoan", "post", "recvWindow")
REPAY_ASSETS = _schema(APPLIED, "/papi/v1/margin/repay-debt", "post", "specifyRepayAssets")
text = st.text(st.sampled_from("AZaz09-_.,é ")) | st.from_regex(r"[A-Z0-9]{1,22}", fullmatch=True)


@given(text)
@settings(max_examples=300)
def test_asset_the_overlay_accepts_is_what_the_sandbox_accepts(value: str) -> None:
    for schema in ASSET_SCHEMAS:
        assert _valid(schema, value) == _sandbox_accepts(params.parse_asset, value), value


# Amounts of at most 28 characters: longer ones the sandbox judges after rounding to 28
# significant digits (Decimal's context), which accepts a few the overlay refuses (see below).
decimals = st.from_regex(r"[0-9]{1,12}(\.[0-9]{1,15})?", fullmatch=True) | st.from_regex(
    r"0{1,3}(\.0{1,12}[0-9]?0{0,10})?", fullmatch=True
)
junk = st.text(st.sampled_from("0123456789.-e+ "), max_size=12)


@given(decimals | junk)
@settings(max_examples=500)
def test_amount_the_overlay_accepts_is_what_the_sandbox_accepts(value: str) -> None:
    if len(value) > 28:
        return
    assert _valid(AMOUNT, value) == _sandbox_accepts(params.parse_amount, value), value


def test_the_overlay_is_stricter_than_the_sandbox_only_for_amounts_past_28_characters() -> None:
    """A known gap, on the safe side: such an amount is rounded before its places are
    counted, so the sandbox takes one the overlay refuses (never the other way round)."""
    long_amount = "12345678901234567890.123456789"  # 29 significant digits, 9 places
    assert len(long_amount) == 30
    assert _sandbox_accepts(params.parse_amount, long_amount)
    assert not _valid(AMOUNT, long_amount)
    assert Decimal(long_amount).as_tuple().exponent == -9


@given(st.integers(min_value=-5, max_value=MAX_RECV_WINDOW + 5))
def test_recv_window_the_overlay_accepts_is_what_the_sandbox_accepts(value: int) -> None:
    sandbox = 0 < value <= MAX_RECV_WINDOW
    assert _valid(RECV_WINDOW, value) == sandbox, value


@pytest.mark.parametrize("path", ["/papi/v1/margin/repayLoan", "/papi/v1/margin/marginLoan"])
def test_paging_the_overlay_accepts_is_what_the_sandbox_accepts(path: str) -> None:
    current = _schema(APPLIED, path, "get", "current")
    size = _schema(APPLIED, path, "get", "size")
    for value in (-1, 0, 1, 2, MAX_PAGE_SIZE, MAX_PAGE_SIZE + 1, 2**31 - 1, 2**31, INT64_MAX):
        assert _valid(current, value) == (1 <= value <= 2**31 - 1), ("current", value)
        assert _valid(size, value) == (1 <= value <= MAX_PAGE_SIZE), ("size", value)


@given(st.text(st.sampled_from("AZ09,é "), max_size=30))
@settings(max_examples=300)
def test_repay_assets_the_overlay_accepts_is_what_the_sandbox_accepts(value: str) -> None:
    assert _valid(REPAY_ASSETS, value) == bool(re.fullmatch(REPAY_ASSETS_RANGE, value)), value


def test_long_parameters_need_no_action() -> None:
    """`long-range`: openapi.yaml's `minimum: 0` and `format: int64` are the sandbox's range."""
    for path in ("/papi/v1/margin/repayLoan", "/papi/v1/margin/marginLoan"):
        for name in ("txId", "startTime", "endTime"):
            schema = _schema(APPLIED, path, "get", name)
            assert (schema["minimum"], schema["format"]) == (0, "int64")
            assert _sandbox_accepts(params.parse_long, name, str(INT64_MAX))
            assert not _sandbox_accepts(params.parse_long, name, str(INT64_MAX + 1))
            assert not _sandbox_accepts(params.parse_long, name, "-1")
