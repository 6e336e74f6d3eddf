"""The hand-written spec says what BINANCE-FACTS.md says, and the generated client follows it."""

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from papi_repay_client.api.margin import query_repay_records, repay_loan
from papi_repay_client.types import Unset

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text())
REPAY = SPEC["paths"]["/papi/v1/repayLoan"]["post"]
RECORDS = SPEC["paths"]["/papi/v1/margin/repayLoan"]["get"]
AMOUNT_PATTERN = re.compile(SPEC["components"]["schemas"]["PositiveDecimal"]["pattern"])


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_spec_is_valid_openapi() -> None:
    validate(SPEC)


def test_servers_are_production_and_the_local_sandbox() -> None:
    urls = [server["url"] for server in SPEC["servers"]]
    assert urls == ["https://papi.binance.com", "http://127.0.0.1:8000"]


def test_repay_is_signed_with_the_api_key_header() -> None:
    scheme = SPEC["components"]["securitySchemes"]["ApiKeyAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-MBX-APIKEY")
    assert set(scheme["x-binance-signing"]["keyTypes"]) == {"HMAC_SHA256", "RSA", "ED25519"}
    assert list(SPEC["components"]["securitySchemes"]) == ["ApiKeyAuth"]
    assert REPAY["security"] == [{"ApiKeyAuth": []}]
    assert REPAY["x-binance-weight"] == {"type": "IP", "value": 100}


def test_timestamp_and_signature_are_injected_not_parameters() -> None:
    for operation in (REPAY, RECORDS):
        names = {resolve(p)["name"] for p in operation["parameters"]}
        assert not names & {"timestamp", "signature"}


def test_repay_parameters() -> None:
    params = {resolve(p)["name"]: resolve(p) for p in REPAY["parameters"]}
    assert set(params) == {"asset", "amount", "recvWindow"}
    assert all(p["in"] == "query" for p in params.values())
    assert params["asset"]["required"] and params["amount"]["required"]
    assert not params["recvWindow"]["required"]
    assert resolve(params["amount"]["schema"])["type"] == "string"
    assert params["recvWindow"]["schema"]["maximum"] == 60000


@pytest.mark.parametrize(
    "amount", ["1", "0.1", "0.00000001", "12.5", "1.50", "100000000", "999999999999.99999999"]
)
def test_amount_pattern_accepts_positive_fixed_point_decimals(amount: str) -> None:
    assert AMOUNT_PATTERN.fullmatch(amount)


@pytest.mark.parametrize(
    "amount",
    [
        "",
        "0",
        "0.0",
        "0.00000000",
        "-1",
        "+1",
        "1e-05",
        "1E5",
        ".5",
        "5.",
        "01",
        "1.123456789",
        " 1",
        "1 ",
        "1,5",
        "NaN",
        "Infinity",
        "0x10",
        "１",
    ],
)
def test_amount_pattern_refuses_everything_else(amount: str) -> None:
    assert not AMOUNT_PATTERN.fullmatch(amount)


@pytest.mark.parametrize("operation", [REPAY, RECORDS], ids=["repayLoan", "queryRepayRecords"])
def test_every_status_is_listed_and_there_is_no_default(operation: dict[str, Any]) -> None:
    statuses = set(operation["responses"])
    assert "default" not in statuses
    assert statuses == {"200", "400", "401", "403", "418", "429", "500", "503"}
    for status in ("418", "429"):
        assert "Retry-After" in resolve(operation["responses"][status])["headers"]
    for status in ("200", "400", "418", "429"):
        assert "X-MBX-USED-WEIGHT-1M" in resolve(operation["responses"][status])["headers"]


def test_every_documented_error_code_has_an_example() -> None:
    examples = [
        example["value"]["code"]
        for name in ("BadRequest", "Unauthorized")
        for example in SPEC["components"]["responses"][name]["content"]["application/json"][
            "examples"
        ].values()
    ]
    documented = {
        -1021,
        -1022,
        -1100,
        -1101,
        -1102,
        -1104,
        -1111,
        -1131,
        -2014,
        -2015,
        -3015,
        -3027,
        -3041,
    }
    assert documented <= set(examples)


def test_generated_repay_takes_asset_amount_and_optional_recv_window_only() -> None:
    for function in (
        repay_loan.sync,
        repay_loan.sync_detailed,
        repay_loan.asyncio,
        repay_loan.asyncio_detailed,
    ):
        params = inspect.signature(function).parameters
        assert list(params) == ["client", "asset", "amount", "recv_window"]
        assert params["asset"].annotation is str
        assert params["amount"].annotation is str
        assert params["recv_window"].annotation == int | Unset


def test_generated_record_query_links_to_repay_tran_id() -> None:
    params = inspect.signature(query_repay_records.sync_detailed).parameters
    assert {"asset", "tx_id", "start_time", "end_time", "current", "size"} <= set(params)
    link = REPAY["responses"]["200"]["links"]["RepayRecordOfThisRepay"]
    assert link["parameters"]["txId"] == "$response.body#/tranId"
