"""The hand-written spec says what BINANCE-FACTS.md says, and the generated client follows it."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from papi_repay_client.api.general import ping
from papi_repay_client.api.margin import (
    account_balance,
    margin_account_borrow,
    margin_account_repay_debt,
    query_margin_loan_records,
    query_repay_records,
    repay_loan,
)
from papi_repay_client.models import (  # noqa: F401  (names users import)
    AccountBalance,
    LoanRecord,
    LoanRecordPage,
    MarginLoanResponse,
    RepayDebtResponse,
    RepayLoanResponse,
    RepayRecordPage,
)
from papi_repay_client.types import UNSET
from tests.contract.overlaid_spec import sandbox_spec
from tests.spec.spec_doc import (
    BALANCE,
    BORROW,
    LOAN_RECORDS,
    RECORDS,
    REPAY,
    REPAY_DEBT,
    ROOT,
    SIGNED_OPERATIONS,
    SPEC,
    resolve,
)

AMOUNT_PATTERN = re.compile(resolve(REPAY["parameters"][1]["schema"])["pattern"])
BINANCE_DECIMAL_RANGE = r"^([0-9]{1,20})(\.[0-9]{1,20})?$"


def test_spec_is_valid_openapi() -> None:
    validate(SPEC)


def test_production_spec_lists_production_only_and_the_overlay_adds_the_sandbox() -> None:
    assert [server["url"] for server in SPEC["servers"]] == ["https://papi.binance.com"]
    overlay = yaml.safe_load((ROOT / "overlays" / "sandbox.overlay.yaml").read_text())
    assert overlay["overlay"].startswith("1.") and overlay["extends"] == "../openapi.yaml"
    applied = sandbox_spec()  # oas-patch applies every action (tests/spec/test_overlay.py)
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
    for operation in SIGNED_OPERATIONS.values():
        assert operation["security"] == [{"ApiKeyAuth": [], "Signature": []}]
    assert REPAY["x-binance-weight"]["value"] == 100
    assert RECORDS["x-binance-weight"]["value"] == 10


# BINANCE-FACTS.md, "Loan lifecycle": weight and security type of each operation.
LIFECYCLE = {
    "accountBalance": (20, "USER_DATA"),
    "marginAccountBorrow": (100, "MARGIN"),
    "queryMarginLoanRecords": (10, "USER_DATA"),
    "marginAccountRepayDebt": (3000, "TRADE"),
}


@pytest.mark.parametrize("operation_id", list(LIFECYCLE))
def test_lifecycle_weights_and_security_types(operation_id: str) -> None:
    operation = SIGNED_OPERATIONS[operation_id]
    weight, security_type = LIFECYCLE[operation_id]
    assert operation["operationId"] == operation_id
    assert operation["x-binance-weight"] == {**operation["x-binance-weight"], "value": weight}
    assert operation["x-binance-weight"]["type"] == "IP"
    assert operation["x-binance-security-type"]["value"] == security_type


def test_the_sandbox_weights_are_the_specs() -> None:
    from papi_sandbox.endpoints import WEIGHTS

    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            assert WEIGHTS[(method.upper(), path)] == operation["x-binance-weight"]["value"]


def test_balance_answers_one_object_or_a_list_of_it() -> None:
    schema = BALANCE["responses"]["200"]["content"]["application/json"]["schema"]
    one, many = schema["oneOf"]
    assert one == {"$ref": "#/components/schemas/AccountBalance"}
    assert many == {"type": "array", "items": one}
    balance = SPEC["components"]["schemas"]["AccountBalance"]
    # Binance's one-object example (and its SDK's model) has no crossMarginAsset.
    assert "crossMarginAsset" in balance["properties"]
    assert "crossMarginAsset" not in balance["required"]
    assert set(balance["required"]) >= {
        "crossMarginBorrowed",
        "crossMarginInterest",
        "crossMarginFree",
        "crossMarginLocked",
        "updateTime",
    }
    params = {resolve(p)["name"]: resolve(p) for p in BALANCE["parameters"]}
    assert set(params) == {"asset", "recvWindow"} and not params["asset"]["required"]


def test_repay_debt_amount_is_optional() -> None:
    params = {resolve(p)["name"]: resolve(p) for p in REPAY_DEBT["parameters"]}
    assert set(params) == {"asset", "amount", "specifyRepayAssets", "recvWindow"}
    assert params["asset"]["required"] and not params["amount"]["required"]
    assert resolve(params["amount"]["schema"])["pattern"] == BINANCE_DECIMAL_RANGE
    borrow = {resolve(p)["name"]: resolve(p) for p in BORROW["parameters"]}
    assert set(borrow) == {"asset", "amount", "recvWindow"}
    assert borrow["amount"]["required"]


def test_post_operations_declare_form_body_placement() -> None:
    for operation in (BORROW, REPAY_DEBT):
        placement = operation["x-binance-parameter-locations"]
        assert placement["in"] == ["query", "body"] and placement["precedence"] == "query"
        assert set(placement["parameters"]) == {resolve(p)["name"] for p in operation["parameters"]}
    for operation in (BALANCE, LOAN_RECORDS):
        placement = operation["x-binance-parameter-locations"]
        assert placement["in"] == ["query"]
        assert set(placement["parameters"]) == {resolve(p)["name"] for p in operation["parameters"]}


def test_loan_record_query_mirrors_the_repay_record_query() -> None:
    def shape(operation: dict[str, Any]) -> dict[str, Any]:
        return {resolve(p)["name"]: resolve(p)["schema"] for p in operation["parameters"]}

    assert shape(LOAN_RECORDS) == shape(RECORDS)


def _link(operation: dict[str, Any], name: str) -> dict[str, Any]:
    link: dict[str, Any] = operation["responses"]["200"]["links"][name]
    return link


def test_links_chain_borrow_record_repay_record_balance() -> None:
    """The stateful contract run follows these: borrow -> loan record -> repay -> repay record
    -> balance (and repay-debt -> balance, repay record)."""
    assert _link(BORROW, "LoanRecordOfThisBorrow")["operationId"] == "queryMarginLoanRecords"
    assert _link(BORROW, "LoanRecordOfThisBorrow")["parameters"]["txId"] == (
        "$response.body#/tranId"
    )
    assert _link(LOAN_RECORDS, "RepayThisLoan")["operationId"] == "repayLoan"
    assert _link(REPAY, "RepayRecordOfThisRepay")["operationId"] == "queryRepayRecords"
    assert _link(RECORDS, "BalanceOfThisAsset")["operationId"] == "accountBalance"
    assert _link(REPAY, "BalanceAfterThisRepay")["operationId"] == "accountBalance"
    assert _link(REPAY_DEBT, "BalanceAfterRepayDebt")["operationId"] == "accountBalance"
    ids = {op["operationId"] for item in SPEC["paths"].values() for op in item.values()}
    for operation in SIGNED_OPERATIONS.values():
        for link in operation["responses"]["200"].get("links", {}).values():
            assert link["operationId"] in ids


def test_timestamp_and_signature_are_injected_not_parameters() -> None:
    for operation in SIGNED_OPERATIONS.values():
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
    # The maximum is documented; the lower bound is the LONG range Binance's -1100 gives.
    assert (recv_window["minimum"], recv_window["maximum"]) == (0, 60000)
    assert params["recvWindow"]["x-source"]["minimum"] == "binance-observed"
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
    for name in ("txId", "startTime", "endTime", "size"):
        assert params[name]["schema"]["minimum"] == 0, name
        assert params[name]["x-source"]["minimum"] == "binance-observed", name
    assert params["current"]["schema"]["minimum"] == 1  # "Start from 1"
    # Binance does not say the bounds are inclusive: the sandbox does.
    for name in ("startTime", "endTime"):
        assert "Inclusive in the sandbox (Binance does not say)" in params[name]["description"]
        assert params[name]["x-source"]["inclusive"] == "sandbox-choice"


EXPLICIT = {"200", "400", "401", "403", "408", "418", "429", "500", "502", "503", "504"}


@pytest.mark.parametrize("operation", list(SIGNED_OPERATIONS.values()), ids=list(SIGNED_OPERATIONS))
def test_statuses_listed_with_catch_alls_and_no_default(operation: dict[str, Any]) -> None:
    statuses = set(operation["responses"])
    assert "default" not in statuses
    assert statuses == EXPLICIT | {"4XX", "5XX"}
    for status in ("418", "429"):
        assert "Retry-After" in resolve(operation["responses"][status])["headers"]
    for status in ("200", "400", "418", "429"):
        assert "X-MBX-USED-WEIGHT-1M" in resolve(operation["responses"][status])["headers"]


@pytest.mark.parametrize("status", ["403", "408", "502", "504", "4XX", "5XX"])
def test_gateway_and_firewall_answers_may_be_html(status: str) -> None:
    for operation in SIGNED_OPERATIONS.values():
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
    assert _codes(LOAN_RECORDS["responses"]["400"]) == records
    balance = _codes(BALANCE["responses"]["400"])
    assert common <= balance and not {-1111, -1127, -1130, -3006, -3015, -3027, -3041} & balance
    borrow = _codes(BORROW["responses"]["400"])
    assert common | {-1111, -3006} <= borrow and not {-3015, -3027, -3041} & borrow
    debt = _codes(REPAY_DEBT["responses"]["400"])
    assert common | {-1111, -3015, -3027, -3041} <= debt and -3006 not in debt


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
    # Binance documents the third as a failure; keeping it unknown is the client's choice.
    documented = internal["x-documented-outcome"]
    assert documented["binance-derivatives-general"].startswith("failed")
    assert documented["binance-papi-docs"].startswith("failed")
    assert internal["x-outcome"] == "unknown"
    assert internal["x-source"]["outcome"] == "client-choice"


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
UNSET_STR = "str | papi_repay_client.types.Unset"
BALANCE_ARGS = (
    f"(*, client: {CLIENT}, asset: {UNSET_STR} = UNSET, recv_window: {UNSET_INT} = UNSET)"
)
BALANCE_MODEL = "papi_repay_client.models.account_balance.AccountBalance"
BALANCE_OK = f"{BALANCE_MODEL} | list[{BALANCE_MODEL}] | {ERROR}"
BORROW_OK = "papi_repay_client.models.margin_loan_response.MarginLoanResponse"
LOAN_PAGE = "papi_repay_client.models.loan_record_page.LoanRecordPage"
DEBT_ARGS = (
    f"(*, client: {CLIENT}, asset: str, amount: {UNSET_STR} = UNSET, "
    f"specify_repay_assets: {UNSET_STR} = UNSET, recv_window: {UNSET_INT} = UNSET)"
)
DEBT_OK = "papi_repay_client.models.repay_debt_response.RepayDebtResponse"
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
# The loan lifecycle's functions, as first generated: pinned from here on.
EXPECTED_SIGNATURES.update(
    {
        account_balance.sync: f"{BALANCE_ARGS} -> {BALANCE_OK} | None",
        account_balance.asyncio: f"{BALANCE_ARGS} -> {BALANCE_OK} | None",
        account_balance.sync_detailed: f"{BALANCE_ARGS} -> {RESP}[{BALANCE_OK}]",
        account_balance.asyncio_detailed: f"{BALANCE_ARGS} -> {RESP}[{BALANCE_OK}]",
        margin_account_borrow.sync: f"{REPAY_ARGS} -> {ERROR} | {BORROW_OK} | None",
        margin_account_borrow.asyncio: f"{REPAY_ARGS} -> {ERROR} | {BORROW_OK} | None",
        margin_account_borrow.sync_detailed: f"{REPAY_ARGS} -> {RESP}[{ERROR} | {BORROW_OK}]",
        margin_account_borrow.asyncio_detailed: f"{REPAY_ARGS} -> {RESP}[{ERROR} | {BORROW_OK}]",
        query_margin_loan_records.sync: f"{RECORD_ARGS} -> {ERROR} | {LOAN_PAGE} | None",
        query_margin_loan_records.asyncio: f"{RECORD_ARGS} -> {ERROR} | {LOAN_PAGE} | None",
        query_margin_loan_records.sync_detailed: f"{RECORD_ARGS} -> {RESP}[{ERROR} | {LOAN_PAGE}]",
        query_margin_loan_records.asyncio_detailed: (
            f"{RECORD_ARGS} -> {RESP}[{ERROR} | {LOAN_PAGE}]"
        ),
        margin_account_repay_debt.sync: f"{DEBT_ARGS} -> {ERROR} | {DEBT_OK} | None",
        margin_account_repay_debt.asyncio: f"{DEBT_ARGS} -> {ERROR} | {DEBT_OK} | None",
        margin_account_repay_debt.sync_detailed: f"{DEBT_ARGS} -> {RESP}[{ERROR} | {DEBT_OK}]",
        margin_account_repay_debt.asyncio_detailed: (f"{DEBT_ARGS} -> {RESP}[{ERROR} | {DEBT_OK}]"),
    }
)


def test_generated_balance_parses_one_object_or_a_list() -> None:
    import httpx

    from papi_repay_client.client import AuthenticatedClient

    row = {
        "asset": "BTC",
        "totalWalletBalance": "2.00000000",
        "crossMarginBorrowed": "1.00000000",
        "crossMarginFree": "2.00000000",
        "crossMarginInterest": "0.10000000",
        "crossMarginLocked": "0.00000000",
        "umWalletBalance": "0.00000000",
        "umUnrealizedPNL": "",
        "cmWalletBalance": "0.00000000",
        "cmUnrealizedPNL": "0.00000000",
        "updateTime": 0,
        "negativeBalance": "0",
    }
    client = AuthenticatedClient(base_url="http://127.0.0.1:1", token="unused")
    one = account_balance._parse_response(client=client, response=httpx.Response(200, json=row))
    many = account_balance._parse_response(
        client=client, response=httpx.Response(200, json=[{**row, "crossMarginAsset": "2"}])
    )
    assert isinstance(one, AccountBalance) and one.cross_margin_borrowed == "1.00000000"
    assert isinstance(many, list) and isinstance(many[0], AccountBalance)
    assert many[0].cross_margin_asset == "2"


@pytest.mark.parametrize(
    "function",
    list(EXPECTED_SIGNATURES),
    ids=lambda f: f"{f.__module__.rsplit('.', 1)[1]}.{f.__name__}",
)
def test_generated_signatures_are_unchanged(function: Any) -> None:
    assert _rendered(function) == EXPECTED_SIGNATURES[function]


@pytest.mark.parametrize("status", [402, 404, 408, 499, 502, 504, 505, 599])
def test_generated_client_does_not_parse_the_catch_alls(status: int) -> None:
    """4XX, 5XX, 408, 502 and 504 are declared as `*/*` (JSON or an HTML page), which the generator
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
