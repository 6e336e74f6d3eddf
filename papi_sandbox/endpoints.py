"""The public Binance endpoints the sandbox serves.

Each endpoint is a synchronous function of the request's scope and its whole body, already
received: `(sandbox, scope, body, as_of) -> (status, JSON body)`, answering a rejection with
its Binance error. `as_of` is the instant of the sandbox clock the request is checked and
executed at (a held request's release instant); None: now. The gateway calls them directly
(`ENDPOINTS`); `routes` wraps them for Starlette's router, which serves them only without the
gateway (and answers 404/405 around them).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Scope

from papi_sandbox import errors
from papi_sandbox.errors import Answer, error_answer, json_bytes
from papi_sandbox.ledger_records import (
    STATUS_CONFIRMED,
    STATUS_PENDING,
    ZERO_BALANCE,
    Balance,
    LoanRecord,
    RepayRecord,
    format8,
)
from papi_sandbox.ledger_rules import (
    BorrowLimitExceeded,
    ExceedsLiability,
    InsufficientBalance,
    UnknownAsset,
)
from papi_sandbox.params import ParamSpec, parse_amount, parse_asset, parse_bool, parse_long
from papi_sandbox.paths import (
    BALANCE_PATH,
    BORROW_PATH,
    LOAN_RECORDS_PATH,
    PING_PATH,
    RECORDS_PATH,
    REPAY_DEBT_PATH,
    REPAY_PATH,
    TIME_PATH,
)
from papi_sandbox.record_faults import RecordFaults, record_faults
from papi_sandbox.sandbox import Sandbox
from papi_sandbox.signed_request import authenticate

Endpoint = Callable[[Sandbox, Scope, bytes, int | None], Answer]

# Request weight per (method, path); anything else weighs 1.
WEIGHTS: dict[tuple[str, str], int] = {
    ("POST", REPAY_PATH): 100,
    ("GET", RECORDS_PATH): 10,
    ("GET", BALANCE_PATH): 20,
    ("POST", BORROW_PATH): 100,
    ("GET", LOAN_RECORDS_PATH): 10,
    ("POST", REPAY_DEBT_PATH): 3000,
    ("GET", PING_PATH): 1,
    ("GET", TIME_PATH): 1,
}

DAY_MS = 24 * 60 * 60 * 1000
MAX_LOOKUP_MS = 30 * DAY_MS
ARCHIVE_AGE_MS = 180 * DAY_MS
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 10

_SIGNED = ("recvWindow", "timestamp", "signature")

REPAY_SPEC = ParamSpec(
    allowed=frozenset({"asset", "amount", *_SIGNED}),
    mandatory=("asset", "amount", "timestamp", "signature"),
)
RECORDS_SPEC = ParamSpec(
    allowed=frozenset(
        {"asset", "txId", "startTime", "endTime", "current", "size", "archived", *_SIGNED}
    ),
    mandatory=("asset", "timestamp", "signature"),
)
BALANCE_SPEC = ParamSpec(
    allowed=frozenset({"asset", *_SIGNED}), mandatory=("timestamp", "signature")
)
BORROW_SPEC = REPAY_SPEC
REPAY_DEBT_SPEC = ParamSpec(
    allowed=frozenset({"asset", "amount", "specifyRepayAssets", *_SIGNED}),
    mandatory=("asset", "timestamp", "signature"),
)
# x-sandbox-choice repay-debt-same-asset: Binance documents no range for the list.
REPAY_ASSETS_RANGE = "^[A-Z0-9]{1,20}(,[A-Z0-9]{1,20})*$"
_REPAY_ASSETS = re.compile(REPAY_ASSETS_RANGE)
ZERO8 = format8(Decimal(0))


def _repay_fields(params: Mapping[str, str]) -> tuple[str, Decimal]:
    return parse_asset(params["asset"]), parse_amount(params["amount"])


def _record_faults(sandbox: Sandbox, path: str, pending: bool = False) -> RecordFaults | None:
    """The record faults this request consumes if it succeeds; None when no fault is armed
    (the usual case: no lookup)."""
    faults = sandbox.faults
    return record_faults(faults, path, pending) if faults.armed else None


def _used(sandbox: Sandbox, marks: RecordFaults | None, tran_id: int, stamp: int) -> None:
    if marks is not None:
        marks.use(sandbox.faults, sandbox.hidden, tran_id, stamp)


def repay(sandbox: Sandbox, scope: Scope, body: bytes, as_of: int | None = None) -> Answer:
    """POST /papi/v1/repayLoan, the hot path (written out, without _json_endpoint)."""
    try:
        account, (asset, amount), checked = authenticate(
            scope, body, sandbox, REPAY_SPEC, _repay_fields, as_of
        )
        faults = sandbox.faults
        marks = record_faults(faults, REPAY_PATH, pending=True) if faults.armed else None
        if marks is None:
            stamp, status = checked, STATUS_CONFIRMED
        else:
            stamp = marks.stamp(checked)
            status = STATUS_CONFIRMED if marks.pending is None else STATUS_PENDING
        try:
            tran_id = sandbox.ledger.repay_tran_id(account.name, asset, amount, stamp, status)
        except UnknownAsset as exc:
            raise errors.not_a_margin_asset() from exc
        except ExceedsLiability as exc:
            raise errors.repay_exceeds_borrow() from exc
        except InsufficientBalance as exc:
            raise errors.balance_not_enough() from exc
        if marks is not None:
            marks.use(faults, sandbox.hidden, tran_id, stamp)
    except errors.ApiError as error:
        return error_answer(error)
    return 200, b'{"tranId":%d}' % tran_id


def _json_endpoint(
    handler: Callable[[Sandbox, Scope, bytes, int | None], object],
) -> Endpoint:
    """An endpoint answering 200 with handler's payload as JSON, or the ApiError it raised."""

    @functools.wraps(handler)
    def endpoint(sandbox: Sandbox, scope: Scope, body: bytes, as_of: int | None = None) -> Answer:
        try:
            payload = handler(sandbox, scope, body, as_of)
        except errors.ApiError as error:
            return error_answer(error)
        return 200, json_bytes(payload)

    return endpoint


@dataclass(frozen=True)
class RecordQuery:
    asset: str
    tx_id: int | None
    start_time: int | None
    end_time: int | None
    current: int
    size: int
    archived: bool


def _optional_long(params: Mapping[str, str], name: str) -> int | None:
    return parse_long(name, params[name]) if name in params else None


def _paging(params: Mapping[str, str], name: str, default: int, upper: int) -> int:
    value = _optional_long(params, name)
    if value is None:
        return default
    if not 1 <= value <= upper:
        raise errors.invalid_parameter(name)
    return value


def _record_fields(params: Mapping[str, str]) -> RecordQuery:
    query = RecordQuery(
        asset=parse_asset(params["asset"]),
        tx_id=_optional_long(params, "txId"),
        start_time=_optional_long(params, "startTime"),
        end_time=_optional_long(params, "endTime"),
        current=_paging(params, "current", 1, 2**31 - 1),
        size=_paging(params, "size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
        archived=parse_bool("archived", params["archived"]) if "archived" in params else False,
    )
    if query.tx_id is None and query.start_time is None:
        raise errors.one_of_missing("txId", "startTime")
    return query


Row = RepayRecord | LoanRecord


def _record_page(
    sandbox: Sandbox, query: RecordQuery, now: int, fetch: Callable[..., Sequence[Row]]
) -> dict[str, object]:
    """txId wins over the time range; a range is at most 30 days, endTime defaults to now;
    startTime after endTime matches nothing. Non-archived queries see the last 180 days,
    archived=true only what is older. Records hidden by record_lag are left out, from the
    rows and from `total`."""
    rows: Sequence[Row]
    if query.tx_id is not None:
        rows = fetch(asset=query.asset, tran_id=query.tx_id)
    else:
        start = query.start_time or 0
        end = now if query.end_time is None else query.end_time
        if end - start > MAX_LOOKUP_MS:
            raise errors.lookup_interval_too_big()
        rows = fetch(asset=query.asset, start_ms=start, end_ms=end)
        cutoff = now - ARCHIVE_AGE_MS
        rows = [r for r in rows if (r.timestamp < cutoff) == query.archived]
    rows = sandbox.hidden.visible(rows, now)
    first = (query.current - 1) * query.size
    page = rows[first : first + query.size]
    return {"rows": [r.as_api_row() for r in page], "total": len(rows)}


@_json_endpoint
def repay_records(
    sandbox: Sandbox, scope: Scope, body: bytes, as_of: int | None
) -> dict[str, object]:
    """GET /papi/v1/margin/repayLoan: repay records (repayLoan and repay-debt)."""
    account, query, now = authenticate(scope, body, sandbox, RECORDS_SPEC, _record_fields, as_of)
    return _record_page(sandbox, query, now, lambda **kw: sandbox.ledger.repays(account.name, **kw))


@_json_endpoint
def loan_records(
    sandbox: Sandbox, scope: Scope, body: bytes, as_of: int | None
) -> dict[str, object]:
    """GET /papi/v1/margin/marginLoan: loan records, with the rules of the repay records."""
    account, query, now = authenticate(scope, body, sandbox, RECORDS_SPEC, _record_fields, as_of)
    return _record_page(sandbox, query, now, lambda **kw: sandbox.ledger.loans(account.name, **kw))


def _balance_fields(params: Mapping[str, str]) -> str | None:
    return parse_asset(params["asset"]) if "asset" in params else None


def balance_row(asset: str, balance: Balance, update_ms: int, listed: bool) -> dict[str, object]:
    """One asset of GET /papi/v1/balance, derived from the ledger (x-sandbox-choice
    balance-derived): borrowed = principal, interest, free; nothing locked; no UM/CM wallet;
    totalWalletBalance = crossMarginAsset = free + locked. `crossMarginAsset` is in the list's
    rows only, as in Binance's examples and its SDK's models."""
    locked = Decimal(0)
    wallet = format8(balance.free + locked)
    row: dict[str, object] = {"asset": asset, "totalWalletBalance": wallet}
    if listed:
        row["crossMarginAsset"] = wallet
    row.update(
        {
            "crossMarginBorrowed": format8(balance.principal),
            "crossMarginFree": format8(balance.free),
            "crossMarginInterest": format8(balance.interest),
            "crossMarginLocked": format8(locked),
            "umWalletBalance": ZERO8,
            "umUnrealizedPNL": ZERO8,
            "cmWalletBalance": ZERO8,
            "cmUnrealizedPNL": ZERO8,
            "updateTime": update_ms,
            "negativeBalance": ZERO8,
        }
    )
    return row


@_json_endpoint
def account_balance(sandbox: Sandbox, scope: Scope, body: bytes, as_of: int | None) -> object:
    """GET /papi/v1/balance: one object with `asset` (zeros for an asset the account does not
    hold), else a list of every asset the account holds, by name."""
    account, asset, _ = authenticate(scope, body, sandbox, BALANCE_SPEC, _balance_fields, as_of)
    balances = sandbox.ledger.balances(account.name)
    updated = sandbox.ledger.last_activity(account.name)
    if asset is not None:
        held = balances.get(asset, ZERO_BALANCE)
        return balance_row(asset, held, updated.get(asset, 0), listed=False)
    return [
        balance_row(name, bal, updated.get(name, 0), listed=True) for name, bal in balances.items()
    ]


@_json_endpoint
def borrow(sandbox: Sandbox, scope: Scope, body: bytes, as_of: int | None) -> object:
    """POST /papi/v1/marginLoan: principal and free grow by the amount; -3006 past the
    account's borrow limit for the asset."""
    account, (asset, amount), checked = authenticate(
        scope, body, sandbox, BORROW_SPEC, _repay_fields, as_of
    )
    marks = _record_faults(sandbox, BORROW_PATH)
    stamp = checked if marks is None else marks.stamp(checked)
    try:
        record = sandbox.ledger.borrow(account.name, asset, amount, stamp)
    except BorrowLimitExceeded as exc:
        raise errors.borrow_exceeds_limit() from exc
    _used(sandbox, marks, record.tran_id, stamp)
    return {"tranId": record.tran_id}


@dataclass(frozen=True)
class RepayDebtFields:
    asset: str
    amount: Decimal | None
    specify_repay_assets: list[str]


def _repay_debt_fields(params: Mapping[str, str]) -> RepayDebtFields:
    asset = parse_asset(params["asset"])
    amount = parse_amount(params["amount"]) if "amount" in params else None
    assets: list[str] = []
    if "specifyRepayAssets" in params:
        raw = params["specifyRepayAssets"]
        if not _REPAY_ASSETS.fullmatch(raw):
            raise errors.illegal_characters("specifyRepayAssets", REPAY_ASSETS_RANGE)
        assets = raw.split(",")
    return RepayDebtFields(asset, amount, assets)


@_json_endpoint
def repay_debt(sandbox: Sandbox, scope: Scope, body: bytes, as_of: int | None) -> object:
    """POST /papi/v1/margin/repay-debt: `amount` or (without it) the whole debt, interest
    first, from the asset's own free balance (x-sandbox-choice repay-debt-same-asset), with the
    repay's rules and codes; recorded as a repay record (repay-debt-record), whose timestamp
    is the answer's updateTime."""
    account, fields, checked = authenticate(
        scope, body, sandbox, REPAY_DEBT_SPEC, _repay_debt_fields, as_of
    )
    marks = _record_faults(sandbox, REPAY_DEBT_PATH)
    stamp = checked if marks is None else marks.stamp(checked)
    try:
        record = sandbox.ledger.repay_debt(account.name, fields.asset, fields.amount, stamp)
    except UnknownAsset as exc:
        raise errors.not_a_margin_asset() from exc
    except ExceedsLiability as exc:
        raise errors.repay_exceeds_borrow() from exc
    except InsufficientBalance as exc:
        raise errors.balance_not_enough() from exc
    _used(sandbox, marks, record.tran_id, stamp)
    return {
        "amount": format8(record.amount),
        "asset": fields.asset,
        "specifyRepayAssets": fields.specify_repay_assets,
        "updateTime": stamp,
        "success": True,
    }


@_json_endpoint
def ping(sandbox: Sandbox, scope: Scope, body: bytes, as_of: int | None) -> object:
    return {}


@_json_endpoint
def server_time(sandbox: Sandbox, scope: Scope, body: bytes, as_of: int | None) -> object:
    return {"serverTime": sandbox.clock.now_ms() if as_of is None else as_of}


# The public endpoints by (method, path): what the gateway answers itself.
ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("POST", REPAY_PATH): repay,
    ("GET", RECORDS_PATH): repay_records,
    ("GET", BALANCE_PATH): account_balance,
    ("POST", BORROW_PATH): borrow,
    ("GET", LOAN_RECORDS_PATH): loan_records,
    ("POST", REPAY_DEBT_PATH): repay_debt,
    ("GET", PING_PATH): ping,
    ("GET", TIME_PATH): server_time,
}


def _routed(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    async def route(request: Request) -> Response:
        sandbox: Sandbox = request.app.sandbox
        status, body = endpoint(sandbox, request.scope, await request.body(), None)
        return Response(body, status_code=status, media_type="application/json")

    route.__name__ = endpoint.__name__  # Starlette names the route after it
    return route


routes = [
    Route(path, _routed(endpoint), methods=[method])
    for (method, path), endpoint in ENDPOINTS.items()
]
