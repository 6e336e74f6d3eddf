"""The public Binance endpoints the sandbox serves."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope

from papi_sandbox import errors
from papi_sandbox.errors import json_response
from papi_sandbox.faults import PENDING_RECORD
from papi_sandbox.ledger import (
    STATUS_CONFIRMED,
    STATUS_PENDING,
    ZERO_BALANCE,
    Balance,
    BorrowLimitExceeded,
    ExceedsLiability,
    InsufficientBalance,
    LoanRecord,
    RepayRecord,
    UnknownAsset,
    format8,
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
from papi_sandbox.sandbox import Sandbox
from papi_sandbox.signed_request import authenticate

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


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _repay_fields(params: Mapping[str, str]) -> tuple[str, Decimal]:
    return parse_asset(params["asset"]), parse_amount(params["amount"])


async def repay(sandbox: Sandbox, scope: Scope, receive: Receive) -> tuple[int, bytes]:
    """POST /papi/v1/repayLoan on the raw ASGI channel (the gateway's fast path): the status
    and JSON body of the answer. Raises starlette's ClientDisconnect, with nothing executed, if
    the client left before its body was read."""
    try:
        account, (asset, amount) = await authenticate(
            scope, receive, sandbox, REPAY_SPEC, _repay_fields
        )
        # No await from peek to use: no other request on this event loop can take the same
        # use of a pending_record fault, and a rejected repay leaves it armed. No fault armed
        # (the usual case): no lookup.
        faults = sandbox.faults
        pending = faults.peek(REPAY_PATH, PENDING_RECORD) if faults.armed else None
        status = STATUS_CONFIRMED if pending is None else STATUS_PENDING
        try:
            record = sandbox.ledger.repay(
                account.name, asset, amount, sandbox.clock.now_ms(), status
            )
        except UnknownAsset as exc:
            raise errors.not_a_margin_asset() from exc
        except ExceedsLiability as exc:
            raise errors.repay_exceeds_borrow() from exc
        except InsufficientBalance as exc:
            raise errors.balance_not_enough() from exc
        if pending is not None:
            faults.use(pending.id)
    except errors.ApiError as error:
        return error.status, errors.error_body(error)
    return 200, b'{"tranId":%d}' % record.tran_id


async def repay_loan(request: Request) -> Response:
    """The same as a Starlette endpoint, for the route (the gateway answers it first)."""
    status, body = await repay(_sandbox(request), request.scope, request.receive)
    return Response(body, status_code=status, media_type="application/json")


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
    sandbox: Sandbox, query: RecordQuery, fetch: Callable[..., Sequence[Row]]
) -> Response:
    """txId wins over the time range; a range is at most 30 days, endTime defaults to now;
    startTime after endTime matches nothing. Non-archived queries see the last 180 days,
    archived=true only what is older."""
    now = sandbox.clock.now_ms()
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
    first = (query.current - 1) * query.size
    page = rows[first : first + query.size]
    return json_response({"rows": [r.as_api_row() for r in page], "total": len(rows)})


async def repay_records(request: Request) -> Response:
    """GET /papi/v1/margin/repayLoan: repay records (repayLoan and repay-debt)."""
    sandbox = _sandbox(request)
    account, query = await authenticate(
        request.scope, request.receive, sandbox, RECORDS_SPEC, _record_fields
    )
    return _record_page(sandbox, query, lambda **kw: sandbox.ledger.repays(account.name, **kw))


async def loan_records(request: Request) -> Response:
    """GET /papi/v1/margin/marginLoan: loan records, with the rules of the repay records."""
    sandbox = _sandbox(request)
    account, query = await authenticate(
        request.scope, request.receive, sandbox, RECORDS_SPEC, _record_fields
    )
    return _record_page(sandbox, query, lambda **kw: sandbox.ledger.loans(account.name, **kw))


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


async def account_balance(request: Request) -> Response:
    """GET /papi/v1/balance: one object with `asset` (zeros for an asset the account does not
    hold), else a list of every asset the account holds, by name."""
    sandbox = _sandbox(request)
    account, asset = await authenticate(
        request.scope, request.receive, sandbox, BALANCE_SPEC, _balance_fields
    )
    balances = sandbox.ledger.balances(account.name)
    updated = sandbox.ledger.last_activity(account.name)
    if asset is not None:
        held = balances.get(asset, ZERO_BALANCE)
        return json_response(balance_row(asset, held, updated.get(asset, 0), listed=False))
    return json_response(
        [
            balance_row(name, bal, updated.get(name, 0), listed=True)
            for name, bal in balances.items()
        ]
    )


async def borrow(request: Request) -> Response:
    """POST /papi/v1/marginLoan: principal and free grow by the amount; -3006 past the
    account's borrow limit for the asset."""
    sandbox = _sandbox(request)
    account, (asset, amount) = await authenticate(
        request.scope, request.receive, sandbox, BORROW_SPEC, _repay_fields
    )
    try:
        record = sandbox.ledger.borrow(account.name, asset, amount, sandbox.clock.now_ms())
    except BorrowLimitExceeded as exc:
        raise errors.borrow_exceeds_limit() from exc
    return json_response({"tranId": record.tran_id})


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


async def repay_debt(request: Request) -> Response:
    """POST /papi/v1/margin/repay-debt: `amount` or (without it) the whole debt, interest
    first, from the asset's own free balance (x-sandbox-choice repay-debt-same-asset), with the
    repay's rules and codes; recorded as a repay record (repay-debt-record)."""
    sandbox = _sandbox(request)
    account, fields = await authenticate(
        request.scope, request.receive, sandbox, REPAY_DEBT_SPEC, _repay_debt_fields
    )
    now = sandbox.clock.now_ms()
    try:
        record = sandbox.ledger.repay_debt(account.name, fields.asset, fields.amount, now)
    except UnknownAsset as exc:
        raise errors.not_a_margin_asset() from exc
    except ExceedsLiability as exc:
        raise errors.repay_exceeds_borrow() from exc
    except InsufficientBalance as exc:
        raise errors.balance_not_enough() from exc
    return json_response(
        {
            "amount": format8(record.amount),
            "asset": fields.asset,
            "specifyRepayAssets": fields.specify_repay_assets,
            "updateTime": now,
            "success": True,
        }
    )


async def ping(request: Request) -> Response:
    return json_response({})


async def server_time(request: Request) -> Response:
    return json_response({"serverTime": _sandbox(request).clock.now_ms()})


routes = [
    Route(REPAY_PATH, repay_loan, methods=["POST"]),
    Route(RECORDS_PATH, repay_records, methods=["GET"]),
    Route(BALANCE_PATH, account_balance, methods=["GET"]),
    Route(BORROW_PATH, borrow, methods=["POST"]),
    Route(LOAN_RECORDS_PATH, loan_records, methods=["GET"]),
    Route(REPAY_DEBT_PATH, repay_debt, methods=["POST"]),
    Route(PING_PATH, ping, methods=["GET"]),
    Route(TIME_PATH, server_time, methods=["GET"]),
]
