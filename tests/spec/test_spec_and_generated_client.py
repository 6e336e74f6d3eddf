"""The hand-written spec says what BINANCE-FACTS.md says, and the generated client follows it."""

from __future__ import annotations

import copy
import inspect
import re
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from papi_repay_client.api.general import ping
from papi_repay_client.api.margin import query_repay_records, repay_loan
from papi_repay_client.models import RepayLoanResponse, RepayRecordPage  # noqa: F401  (names users import)
from papi_repay_client.types import UNSET
from tests.spec.spec_doc import RECORDS, REPAY, ROOT, SPEC, resolve

AMOUNT_PATTERN = re.compile(resolve(REPAY["parameters"][1]["schema"])["pattern"])
BINANCE_DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"


def test_spec_is_valid_openapi() -> None:
    validate(SPEC)


def test_production_spec_lists_production_only_and_the_overlay_adds_the_sandbox() -> None:
    assert [server["url"] for server in SPEC["servers"]] == ["https://papi.binance.com"]
    overlay = yaml.safe_load((ROOT / "overlays" / "sandbox.overlay.yaml").read_text())
    assert overlay["overlay"].startswith("1.") and overlay["extends"] == "../openapi.yaml"
    applied = copy.deepcopy(SPEC)
    for action in overlay["actions"]:
        assert action["target"] == "$.servers"  # the only kind of action this test applies
        applied["servers"].append(action["update"])
    validate(applied)
    urls = [server["url"] for server in applied["servers"]]
    assert urls == ["https://papi.binance.com", "http://127.0.0.1:8000"]
    assert applied["servers"][1]["x-source"] == "sandbox-choice"


def test_signed_operations_need_the_key_header_and_the_signature() -> None:
    schemes = SPEC["components"]["securitySchemes"]
    key, signature = schemes["ApiKeyAuth"], schemes["Signature"]
    assert (key["type"], key["in"], key["name"]) == ("apiKey", "header", "X-MBX-APIKEY")
    assert (signature["type"], signature["in"], signature["name"]) == (
        "apiKey",
        "query",
        "signature",
    )
    signing = signature["x-binance-signing"]
    assert set(signing["keyTypes"]) == {"HMAC_SHA256", "RSA", "ED25519"}
    assert set(signing["injectedParameters"]) == {"timestamp", "signature"}
    assert signing["injectedParameters"]["signature"]["position"] == "last"
    assert signing["injectedBy"] == "signer"
    for operation in (REPAY, RECORDS):
        assert operation["security"] == [{"ApiKeyAuth": [], "Signature": []}]
    assert REPAY["x-binance-weight"]["value"] == 100
    assert RECORDS["x-binance-weight"]["value"] == 10


def test_timestamp_and_signature_are_injected_not_parameters() -> None:
    for operation in (REPAY, RECORDS):
        names = {resolve(p)["name"] for p in operation["parameters"]}
        assert not names & {"timestamp", "signature"}
        assert "requestBody" not in operation


def test_form_body_placement_is_declared_for_the_post_only() -> None:
    placement = REPAY["x-binance-parameter-locations"]
    assert placement["in"] == ["query", "body"]
    assert placement["bodyMediaType"] == "application/x-www-form-urlencoded"
    assert placement["precedence"] == "query"
    assert set(placement["parameters"]) == {resolve(p)["name"] for p in REPAY["parameters"]}
    records = RECORDS["x-binance-parameter-locations"]
    assert records["in"] == ["query"]
    assert set(records["parameters"]) == {resolve(p)["name"] for p in RECORDS["parameters"]}


def test_repay_parameters() -> None:
    params = {resolve(p)["name"]: resolve(p) for p in REPAY["parameters"]}
    assert set(params) == {"asset", "amount", "recvWindow"}
    assert all(p["in"] == "query" for p in params.values())
    assert params["asset"]["required"] and params["amount"]["required"]
    assert not params["recvWindow"]["required"]
    assert resolve(params["amount"]["schema"])["type"] == "string"
    recv_window = params["recvWindow"]["schema"]
    assert recv_window["maximum"] == 60000 and "minimum" not in recv_window
    # Binance documents no range for asset names (and has non-ASCII ones).
    assert "pattern" not in params["asset"]["schema"]


def test_amount_pattern_is_binances_decimal_range() -> None:
    assert AMOUNT_PATTERN.pattern == BINANCE_DECIMAL_RANGE
    message = SPEC["components"]["examples"]["IllegalCharactersInAmount"]["value"]["msg"]
    assert f"legal range is '{BINANCE_DECIMAL_RANGE}'" in message


@pytest.mark.parametrize(
    "amount",
    ["1", "0.1", "0.00000001", "12.5", "1.50", "1.500000000", "01", "0", "1.123456789"]
    + ["9" * 20 + "." + "9" * 20],
)
def test_amount_pattern_accepts_what_binance_reads_as_a_decimal(amount: str) -> None:
    assert AMOUNT_PATTERN.fullmatch(amount)


@pytest.mark.parametrize(
    "amount",
    ["", "-1", "+1", "1e-05", "1E5", ".5", "5.", " 1", "1 ", "1,5", "NaN", "Infinity", "0x10"]
    + ["１", "9" * 21, "1." + "0" * 21],
)
def test_amount_pattern_refuses_everything_else(amount: str) -> None:
    assert not AMOUNT_PATTERN.fullmatch(amount)


def test_record_paging_parameters_are_long() -> None:
    params = {resolve(p)["name"]: resolve(p) for p in RECORDS["parameters"]}
    for name in ("txId", "startTime", "endTime", "current", "size"):
        assert params[name]["schema"] == {**params[name]["schema"], "format": "int64"}
    assert params["size"]["schema"]["maximum"] == 100
    assert "inclusive" in params["startTime"]["description"]
    assert "inclusive" in params["endTime"]["description"]


EXPLICIT = {"200", "400", "401", "403", "418", "429", "500", "502", "503", "504"}


@pytest.mark.parametrize("operation", [REPAY, RECORDS], ids=["repayLoan", "queryRepayRecords"])
def test_statuses_listed_with_catch_alls_and_no_default(operation: dict[str, Any]) -> None:
    statuses = set(operation["responses"])
    assert "default" not in statuses
    assert statuses == EXPLICIT | {"4XX", "5XX"}
    for status in ("418", "429"):
        assert "Retry-After" in resolve(operation["responses"][status])["headers"]
    for status in ("200", "400", "418", "429"):
        assert "X-MBX-USED-WEIGHT-1M" in resolve(operation["responses"][status])["headers"]


@pytest.mark.parametrize("status", ["403", "502", "504", "4XX", "5XX"])
def test_gateway_and_firewall_answers_may_be_html(status: str) -> None:
    for operation in (REPAY, RECORDS):
        content = resolve(operation["responses"][status])["content"]
        schemas = [resolve(media["schema"]) for media in content.values()]
        admits_text = any(
            schema.get("type") == "string"
            or any(resolve(s).get("type") == "string" for s in schema.get("oneOf", []))
            for schema in schemas
        )
        assert admits_text, status


def _codes(response: dict[str, Any]) -> set[int]:
    examples = resolve(response)["content"]["application/json"]["examples"]
    return {resolve(example)["value"]["code"] for example in examples.values()}


def test_each_operation_lists_its_own_400_codes() -> None:
    repay, records = _codes(REPAY["responses"]["400"]), _codes(RECORDS["responses"]["400"])
    common = {-1021, -1022, -1100, -1101, -1102, -1104, -1131}
    assert common <= repay and common <= records
    assert {-1111, -3015, -3027, -3041} <= repay
    assert not {-1127, -1130} & repay
    assert {-1127, -1130} <= records
    assert not {-1111, -3015, -3027, -3041} & records
    assert _codes(REPAY["responses"]["401"]) == {-2014, -2015}


def test_duplicate_parameter_message_is_binances() -> None:
    example = SPEC["components"]["examples"]["DuplicateParameter"]["value"]
    assert example == {"code": -1101, "msg": "Duplicate values for a parameter detected."}


def test_200_means_accepted_not_completed() -> None:
    description = REPAY["responses"]["200"]["description"]
    assert "executed" not in description.lower()
    assert "Accepted" in description and "tranId" in description and "status" in description
    statuses = SPEC["components"]["schemas"]["RepayRecord"]["properties"]["status"]["enum"]
    assert statuses == ["PENDING", "CONFIRMED", "FAILED"]


def test_the_three_503_messages_are_stated() -> None:
    messages = {
        resolve(example)["value"]["msg"]: resolve(example)
        for example in SPEC["components"]["responses"]["ServiceUnavailable"]["content"][
            "application/json"
        ]["examples"].values()
    }
    unknown = messages["Unknown error, please check your request or try again later."]
    unavailable = messages["Service Unavailable."]
    internal = messages["Internal error; unable to process your request. Please try again."]
    assert (unknown["x-outcome"], unavailable["x-outcome"]) == ("unknown", "not-executed")
    # The sources disagree about the third: both are stated, the conservative one is kept.
    assert set(internal["x-documented-outcome"]) == {
        "binance-derivatives-general",
        "binance-spot-docs",
    }
    assert internal["x-outcome"] == "unknown" and "disagree" in internal["x-note"]


def _rendered(function: Any) -> str:
    return str(inspect.signature(function)).replace(repr(UNSET), "UNSET")


CLIENT = "papi_repay_client.client.AuthenticatedClient"
UNSET_INT = "int | papi_repay_client.types.Unset"
ERROR = "papi_repay_client.models.binance_error.BinanceError"
REPAY_OK = "papi_repay_client.models.repay_loan_response.RepayLoanResponse"
PAGE = "papi_repay_client.models.repay_record_page.RepayRecordPage"
REPAY_ARGS = f"(*, client: {CLIENT}, asset: str, amount: str, recv_window: {UNSET_INT} = UNSET)"
RECORD_ARGS = (
    f"(*, client: {CLIENT}, asset: str, tx_id: {UNSET_INT} = UNSET, "
    f"start_time: {UNSET_INT} = UNSET, end_time: {UNSET_INT} = UNSET, "
    f"current: {UNSET_INT} = 1, size: {UNSET_INT} = 10, "
    "archived: bool | papi_repay_client.types.Unset = False, "
    f"recv_window: {UNSET_INT} = UNSET)"
)
PING_ARGS = f"(*, client: {CLIENT} | papi_repay_client.client.Client)"
PING_OK = "papi_repay_client.models.empty.Empty"
RESP = "papi_repay_client.types.Response"

# The generated functions exactly as they were before the spec recorded provenance, 4XX/5XX
# catch-alls, HTML bodies, the Signature scheme and the form-body placement: none of those may
# change what callers pass or get back.
EXPECTED_SIGNATURES = {
    repay_loan.sync: f"{REPAY_ARGS} -> {ERROR} | {REPAY_OK} | None",
    repay_loan.asyncio: f"{REPAY_ARGS} -> {ERROR} | {REPAY_OK} | None",
    repay_loan.sync_detailed: f"{REPAY_ARGS} -> {RESP}[{ERROR} | {REPAY_OK}]",
    repay_loan.asyncio_detailed: f"{REPAY_ARGS} -> {RESP}[{ERROR} | {REPAY_OK}]",
    query_repay_records.sync: f"{RECORD_ARGS} -> {ERROR} | {PAGE} | None",
    query_repay_records.asyncio: f"{RECORD_ARGS} -> {ERROR} | {PAGE} | None",
    query_repay_records.sync_detailed: f"{RECORD_ARGS} -> {RESP}[{ERROR} | {PAGE}]",
    query_repay_records.asyncio_detailed: f"{RECORD_ARGS} -> {RESP}[{ERROR} | {PAGE}]",
    ping.sync: f"{PING_ARGS} -> {ERROR} | {PING_OK} | None",
    ping.asyncio: f"{PING_ARGS} -> {ERROR} | {PING_OK} | None",
    ping.sync_detailed: f"{PING_ARGS} -> {RESP}[{ERROR} | {PING_OK}]",
    ping.asyncio_detailed: f"{PING_ARGS} -> {RESP}[{ERROR} | {PING_OK}]",
}


@pytest.mark.parametrize(
    "function",
    list(EXPECTED_SIGNATURES),
    ids=lambda f: f"{f.__module__.rsplit('.', 1)[1]}.{f.__name__}",
)
def test_generated_signatures_are_unchanged(function: Any) -> None:
    assert _rendered(function) == EXPECTED_SIGNATURES[function]


@pytest.mark.parametrize("status", [402, 404, 408, 499, 502, 504, 505, 599])
def test_generated_client_does_not_parse_the_catch_alls(status: int) -> None:
    """4XX, 5XX, 502 and 504 are declared as `*/*` (JSON or an HTML page), which the generator
    does not parse: the generated client raises UnexpectedStatus for them instead of crashing on
    an HTML body, and auth_plugin classifies the raw answer."""
    source = inspect.getsource(repay_loan._parse_response)
    assert f"response.status_code == {status}" not in source
    assert "<= response.status_code <=" not in source


def test_generated_record_query_links_to_repay_tran_id() -> None:
    params = inspect.signature(query_repay_records.sync_detailed).parameters
    assert {"asset", "tx_id", "start_time", "end_time", "current", "size"} <= set(params)
    link = REPAY["responses"]["200"]["links"]["RepayRecordOfThisRepay"]
    assert link["parameters"]["txId"] == "$response.body#/tranId"
