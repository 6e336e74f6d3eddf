"""schemathesis hooks and checks for the contract run (pytest and `make contract` alike).

Each deliberate departure from schemathesis' defaults is here, with its reason.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from decimal import Decimal
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure

from tests.contract.seed import SEEDED_ASSETS
from tests.contract.signing import form_body_signer, signer

REPAY = "/papi/v1/repayLoan"
RECORDS = "/papi/v1/margin/repayLoan"
BALANCE = "/papi/v1/balance"
BORROW = "/papi/v1/marginLoan"
LOAN_RECORDS = "/papi/v1/margin/marginLoan"
REPAY_DEBT = "/papi/v1/margin/repay-debt"
RECORD_QUERIES = (RECORDS, LOAN_RECORDS)
DAY_MS = 86_400_000
# 400s that a schema-valid request can still get, because they depend on state the schema can't
# describe (the account's loans, balances and borrow limits), never on the request's shape, per
# path. The codes are Binance Margin's, used by the sandbox (openapi.yaml: x-sandbox-choice
# business-codes).
REPAY_REJECTIONS = {
    -3015: "exceeds borrow amount (or, for repay-debt, nothing owed)",
    -3027: "not a margin asset",
    -3041: "balance not enough",
}
BUSINESS_REJECTIONS: dict[str, dict[int, str]] = {
    REPAY: REPAY_REJECTIONS,
    REPAY_DEBT: REPAY_REJECTIONS,
    # The loan would pass the ledger's 10^20 (x-sandbox-choice borrow-limit).
    BORROW: {-3006: "over the maximum borrowable"},
}
SANDBOX_REPAY_ASSETS = re.compile(r"^[A-Z0-9]{1,20}(,[A-Z0-9]{1,20})*$")
# The sandbox's choices where Binance is silent (openapi.yaml `x-sandbox-choice`, and the table in
# papi_sandbox/README.md): the schema describes Binance, so a schema-valid request may still get
# one of these answers from the sandbox.
SANDBOX_ASSET_RANGE = re.compile(r"^[A-Z0-9]{1,20}$")
SANDBOX_MAX_DECIMALS = 8
SANDBOX_MAX_PAGE = 2**31 - 1
LONG_PARAMS = ("recvWindow", "txId", "startTime", "endTime", "current", "size")
# Statuses of the repays this run sent with a form body (see before_call), for the tests.
FORM_BODY_REPAYS: Counter[int] = Counter()
# 200s per path in this run, for the tests.
SUCCESSES: Counter[str] = Counter()


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    kwargs["auth"] = signer()
    if _is_positive(case) and case.operation.path in (REPAY, REPAY_DEBT):
        _land_on_a_seeded_asset(case)
    if _is_positive(case) and case.operation.path == REPAY and _as_form_body(case):
        kwargs["auth"] = form_body_signer()


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    if response.status_code == 200:
        SUCCESSES[case.operation.path] += 1
    if case.operation.path == REPAY and sent_as_form_body(response):
        FORM_BODY_REPAYS[response.status_code] += 1


@schemathesis.deserializer("text/html")
def html_page(ctx: Any, response: Any) -> str:
    """Gateways and the firewall may answer with an HTML page (the spec's `HtmlPage`, a string):
    read it as text so that such an answer is checked against the schema too."""
    return str(response.content.decode("utf-8", errors="replace"))


def _as_form_body(case: Any) -> bool:
    """One valid repay in three goes as a form body (parameters in the body, timestamp and
    signature in the query string): the placement the spec declares for POST."""
    amount = case.query.get("amount")
    return isinstance(amount, str) and zlib.crc32(amount.encode()) % 3 == 0


def sent_as_form_body(response: Any) -> bool:
    request = getattr(response, "request", None)
    body = getattr(request, "body", None)
    return bool(body) and "amount=" in (body.decode() if isinstance(body, bytes) else str(body))


def _is_positive(case: Any) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _land_on_a_seeded_asset(case: Any) -> None:
    """Three in four valid repays (and repay-debts) are steered to a seeded loan so that 200s get
    checked too; the fourth keeps its random asset and must get -3027, the sandbox's answer for
    an unknown loan (or -1100 for a name outside the sandbox's range: x-sandbox-choice
    asset-charset)."""
    asset = case.query.get("asset")
    if not isinstance(asset, str) or asset in SEEDED_ASSETS:
        return
    digest = zlib.crc32(asset.encode())
    if digest % 4:
        case.query["asset"] = SEEDED_ASSETS[digest % len(SEEDED_ASSETS)]


class ValidRequestRejected(Failure):
    def __init__(self, operation: str, status: int, body: str, query: dict[str, Any]) -> None:
        super().__init__(
            operation=operation,
            title="Schema-valid request rejected for its shape",
            message=f"HTTP {status}: {body[:300]} for query {query!r}",
        )
        self.status = status

    @property
    def _unique_key(self) -> str:
        return str(self.status)


@schemathesis.check
def positive_data_accepted_unless_state_rejects(ctx: Any, response: Any, case: Any) -> None:
    """Replaces the built-in positive_data_acceptance, which counts every 400 as a failure.

    A valid request must get 2xx, or a 400 whose code is explained by state or by a rule across
    parameters that JSON Schema cannot state; a -11xx shape error on valid data still fails.
    """
    if not _is_positive(case) or 200 <= response.status_code < 300:
        return
    if response.status_code in (418, 429):
        return  # rate limiting is state too; the run's limit is set so high it should not happen
    code = _error_code(response)
    query = case.query or {}
    path = case.operation.path
    if response.status_code == 400 and _explained(path, code, query):
        return
    raise ValidRequestRejected(case.operation.label, response.status_code, response.text, query)


def _explained(path: str, code: int | None, query: dict[str, Any]) -> bool:
    return _sandbox_choice(code, query) is not None or _state_or_cross_rule(path, code, query)


def _sandbox_choice(code: int | None, query: dict[str, Any]) -> str | None:
    """The `x-sandbox-choice` id that explains this answer to a schema-valid request, if any."""
    asset = query.get("asset")
    if code == -1100 and isinstance(asset, str) and not SANDBOX_ASSET_RANGE.fullmatch(asset):
        return "asset-charset"
    repay_assets = query.get("specifyRepayAssets")
    if (
        code == -1100
        and isinstance(repay_assets, str)
        and not SANDBOX_REPAY_ASSETS.fullmatch(repay_assets)
    ):
        return "repay-assets-range"
    longs = [_as_signed_int(query.get(name)) for name in LONG_PARAMS]
    if code == -1100 and any(value is not None and value < 0 for value in longs):
        return "long-range"
    if code == -1131 and _as_signed_int(query.get("recvWindow")) == 0:
        return "recv-window-zero"
    amount = _as_decimal(query.get("amount"))
    if code == -1102 and amount is not None and amount == 0:
        return "amount-zero"
    if code == -1111 and amount is not None and _decimal_places(amount) > SANDBOX_MAX_DECIMALS:
        return "amount-precision"
    current = _as_int(query.get("current"))
    if code == -1130 and current is not None and current > SANDBOX_MAX_PAGE:
        return "records-paging"
    return None


def _state_or_cross_rule(path: str, code: int | None, query: dict[str, Any]) -> bool:
    if code in BUSINESS_REJECTIONS.get(path, {}):
        return True
    if path in RECORD_QUERIES and query.get("txId") is None:
        start, end = _as_int(query.get("startTime")), _as_int(query.get("endTime"))
        if code == -1102:
            return start is None
        if code == -1127:
            # Without endTime the server measures the span up to its own clock.
            return start is not None and (end is None or end - start > 30 * DAY_MS)
    return False


def _as_int(value: Any) -> int | None:
    """Query values arrive as ints or, from the coverage phase, as digit strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _as_signed_int(value: Any) -> int | None:
    if isinstance(value, str) and value.startswith("-"):
        magnitude = _as_int(value[1:])
        return None if magnitude is None else -magnitude
    return _as_int(value)


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, str) and re.fullmatch(r"[0-9]+(\.[0-9]+)?", value):
        return Decimal(value)
    return None


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _error_code(response: Any) -> int | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    code = payload.get("code") if isinstance(payload, dict) else None
    return code if isinstance(code, int) else None
