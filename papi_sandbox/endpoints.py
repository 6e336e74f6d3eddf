"""The public Binance endpoints the sandbox serves."""

from __future__ import annotations

from collections.abc import Mapping
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
    ExceedsLiability,
    InsufficientBalance,
    UnknownAsset,
)
from papi_sandbox.params import ParamSpec, parse_amount, parse_asset, parse_bool, parse_long
from papi_sandbox.paths import PING_PATH, RECORDS_PATH, REPAY_PATH, TIME_PATH
from papi_sandbox.sandbox import Sandbox
from papi_sandbox.signed_request import authenticate

# Request weight per (method, path); anything else weighs 1.
WEIGHTS: dict[tuple[str, str], int] = {
    ("POST", REPAY_PATH): 100,
    ("GET", RECORDS_PATH): 10,
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
        # use of a pending_record fault, and a rejected repay leaves it armed.
        pending = sandbox.faults.peek(REPAY_PATH, PENDING_RECORD)
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
            sandbox.faults.use(pending.id)
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


async def repay_records(request: Request) -> Response:
    """txId wins over the time range; a range is at most 30 days, endTime defaults to now;
    startTime after endTime matches nothing. Non-archived queries see the last 180 days,
    archived=true only what is older."""
    sandbox = _sandbox(request)
    account, query = await authenticate(
        request.scope, request.receive, sandbox, RECORDS_SPEC, _record_fields
    )
    now = sandbox.clock.now_ms()
    if query.tx_id is not None:
        rows = sandbox.ledger.repays(account.name, asset=query.asset, tran_id=query.tx_id)
    else:
        start = query.start_time or 0
        end = now if query.end_time is None else query.end_time
        if end - start > MAX_LOOKUP_MS:
            raise errors.lookup_interval_too_big()
        rows = sandbox.ledger.repays(account.name, asset=query.asset, start_ms=start, end_ms=end)
        cutoff = now - ARCHIVE_AGE_MS
        rows = [r for r in rows if (r.timestamp < cutoff) == query.archived]
    first = (query.current - 1) * query.size
    page = rows[first : first + query.size]
    return json_response({"rows": [r.as_api_row() for r in page], "total": len(rows)})


async def ping(request: Request) -> Response:
    return json_response({})


async def server_time(request: Request) -> Response:
    return json_response({"serverTime": _sandbox(request).clock.now_ms()})


routes = [
    Route(REPAY_PATH, repay_loan, methods=["POST"]),
    Route(RECORDS_PATH, repay_records, methods=["GET"]),
    Route(PING_PATH, ping, methods=["GET"]),
    Route(TIME_PATH, server_time, methods=["GET"]),
]
