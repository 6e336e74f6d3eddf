"""The sandbox's own control API under /sandbox-admin/ (only when enabled).

Not a Binance API: plain JSON in and out, errors as {"error": "..."} with 400 or 404 (403
for a request `admin_guard` refuses, 413 for a body over MAX_BODY_BYTES). Every input is
checked before anything changes (types exactly: a bool is not a number, a string is not a
number; unknown fields refused; no file paths), and answers are strict JSON: a value that
would need NaN or Infinity is an error, never emitted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from papi_sandbox.accounts import account_from_mapping, parse_seed_amount
from papi_sandbox.admin_guard import refusal
from papi_sandbox.errors import ASSET_RANGE
from papi_sandbox.ledger_records import RECORD_STATUSES, format8
from papi_sandbox.ledger_rules import UnknownAccount, UnknownRecord
from papi_sandbox.params import INT64_MAX
from papi_sandbox.paths import ADMIN_PREFIX, REPAY_PATH
from papi_sandbox.sandbox import Account, Sandbox
from papi_sandbox.signed_request import MAX_BODY_BYTES, BodyTooLarge, receive_body

Handler = Callable[[Request], Awaitable[Response]]

# About year 2286 in ms: far beyond any test, far below what a client's int64 can hold.
MAX_CLOCK_MS = 10**13
FAULT_FIELDS = frozenset({"kind", "times", "path", "seconds", "code", "msg", "status", "ms"})


class AdminError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def admin_json(
    payload: object, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    try:
        body = json.dumps(payload, separators=(",", ":"), allow_nan=False)
    except ValueError as exc:
        raise AdminError(f"answer is not representable as JSON: {exc}", 500) from exc
    return Response(body, status_code=status, headers=headers, media_type="application/json")


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.sandbox
    return sandbox


async def _json_object(
    request: Request, allowed: frozenset[str] | None = None
) -> Mapping[str, Any]:
    """The body as a JSON object ({} if empty); with `allowed`, other fields are refused."""
    try:
        raw = await receive_body(request.scope, request.receive)
    except BodyTooLarge:
        raise AdminError(f"body is larger than {MAX_BODY_BYTES} bytes", 413) from None
    try:
        document = json.loads(raw or b"{}")
    except ValueError as exc:
        raise AdminError(f"body is not JSON: {exc}") from exc
    if not isinstance(document, Mapping):
        raise AdminError("body must be a JSON object")
    if allowed is not None:
        unknown = set(document) - allowed
        if unknown:
            raise AdminError(f"fields not understood: {sorted(unknown)}")
    return document


async def _no_fields(request: Request) -> None:
    """Endpoints that take no input accept an empty body or {} only."""
    await _json_object(request, frozenset())


def _whole(body: Mapping[str, Any], field: str, low: int, high: int) -> int:
    value = body[field]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise AdminError(f"{field} must be a whole number from {low} to {high}, not {value!r}")
    return value


def _text(body: Mapping[str, Any], field: str) -> str:
    if field not in body:
        raise AdminError(f"{field} is missing")
    value = body[field]
    if not isinstance(value, str):
        raise AdminError(f"{field} must be a string, not {value!r}")
    return value


def _guarded(handler: Handler) -> Handler:
    async def run(request: Request) -> Response:
        refused = refusal(request, _sandbox(request).config)
        if refused is not None:
            return admin_json({"error": refused}, 403)
        try:
            return await handler(request)
        except AdminError as exc:
            return admin_json({"error": str(exc)}, exc.status)
        except UnknownAccount as exc:
            return admin_json({"error": f"no account named {exc.args[0]!r}"}, 404)
        except UnknownRecord as exc:
            return admin_json({"error": f"no repay record with tranId {exc.args[0]!r}"}, 404)
        except (ValueError, TypeError) as exc:
            return admin_json({"error": str(exc)}, 400)
        except RecursionError:  # JSON nested deeper than Python parses (or shows) it
            return admin_json({"error": "body is nested too deeply"}, 400)

    return run


def _account_json(account: Account) -> dict[str, str]:
    return {"name": account.name, "api_key": account.api_key, "key_type": account.key_type}


async def list_accounts(request: Request) -> Response:
    await _no_fields(request)
    return admin_json({"accounts": [_account_json(a) for a in _sandbox(request).accounts()]})


async def put_account(request: Request) -> Response:
    """Create or replace an account; its assets replace all the ones it had."""
    spec = account_from_mapping(await _json_object(request), key_files=False)
    return admin_json(_account_json(_sandbox(request).add_account(spec)))


async def read_ledger(request: Request) -> Response:
    await _no_fields(request)
    name = request.path_params["name"]
    balances = _sandbox(request).ledger.balances(name)
    return admin_json(
        {"account": name, "assets": {asset: bal.as_json() for asset, bal in balances.items()}}
    )


async def set_asset(request: Request) -> Response:
    name, asset = request.path_params["name"], request.path_params["asset"]
    if not re.fullmatch(ASSET_RANGE, asset):
        raise AdminError(f"asset must match {ASSET_RANGE}")
    body = await _json_object(request, frozenset({"principal", "interest", "free"}))
    amounts = {field: parse_seed_amount(value, field) for field, value in body.items()}
    balance = _sandbox(request).ledger.set_balance(name, asset, **amounts)
    return admin_json({"account": name, "asset": asset, **balance.as_json()})


async def list_repays(request: Request) -> Response:
    await _no_fields(request)
    name = request.path_params["name"]
    sandbox = _sandbox(request)
    sandbox.ledger.balances(name)  # 404 for an unknown account rather than an empty list
    records = sorted(sandbox.ledger.repays(name), key=lambda record: record.tran_id)
    return admin_json({"repays": [{"tranId": r.tran_id, **r.as_api_row()} for r in records]})


async def faults(request: Request) -> Response:
    board = _sandbox(request).faults
    if request.method == "POST":
        body = await _json_object(request, FAULT_FIELDS)
        # FaultBoard.inject checks every value's type and range (ValueError: 400).
        board.inject(
            kind=body.get("kind", ""),
            times=body.get("times", 1),
            path=body.get("path", REPAY_PATH),
            seconds=body.get("seconds", 0.0),
            code=body.get("code"),
            msg=body.get("msg"),
            status=body.get("status"),
            ms=body.get("ms", 0),
        )
    else:
        await _no_fields(request)
        if request.method == "DELETE":
            board.clear()
    return admin_json({"faults": [fault.as_json() for fault in board.active()]})


async def clock(request: Request) -> Response:
    """POST applies, in this order: offset_ms (set), shift_ms (add), pin_ms (int, or null to
    unpin); all are checked before any is applied."""
    sandbox_clock = _sandbox(request).clock
    if request.method != "POST":
        await _no_fields(request)
        return admin_json(sandbox_clock.snapshot())
    body = await _json_object(request, frozenset({"offset_ms", "shift_ms", "pin_ms"}))
    offset = _whole(body, "offset_ms", -MAX_CLOCK_MS, MAX_CLOCK_MS) if "offset_ms" in body else None
    shift = _whole(body, "shift_ms", -MAX_CLOCK_MS, MAX_CLOCK_MS) if "shift_ms" in body else None
    pin = _whole(body, "pin_ms", 0, MAX_CLOCK_MS) if body.get("pin_ms") is not None else None
    if offset is not None:
        sandbox_clock.set_offset(offset)
    if shift is not None:
        sandbox_clock.shift(shift)
    if "pin_ms" in body:
        if pin is None:
            sandbox_clock.unpin()
        else:
            sandbox_clock.pin(pin)
    return admin_json(sandbox_clock.snapshot())


async def rate_limits(request: Request) -> Response:
    await _no_fields(request)
    return admin_json({"clients": _sandbox(request).rate_limiter.snapshot()})


async def reset_rate_limits(request: Request) -> Response:
    await _no_fields(request)
    limiter = _sandbox(request).rate_limiter
    limiter.reset()
    return admin_json({"clients": limiter.snapshot()})


async def requests(request: Request) -> Response:
    await _no_fields(request)
    counters = _sandbox(request).counters
    if request.method == "DELETE":
        counters.reset()
    return admin_json({"counts": counters.snapshot()})


async def reset(request: Request) -> Response:
    await _no_fields(request)
    _sandbox(request).reset()
    return admin_json({"reset": True})


async def record_status(request: Request) -> Response:
    """Relabel a repay record PENDING, CONFIRMED or FAILED (balances stay as they are)."""
    body = await _json_object(request, frozenset({"account", "tranId", "status"}))
    account = _text(body, "account")
    if "tranId" not in body:
        raise AdminError("tranId is missing")
    tran_id = _whole(body, "tranId", 0, INT64_MAX)  # a tranId is a Binance LONG
    status = _text(body, "status")
    if status not in RECORD_STATUSES:
        raise AdminError(f"status must be one of {RECORD_STATUSES}, not {status!r}")
    record = _sandbox(request).ledger.set_record_status(account, tran_id, status)
    return admin_json({"account": account, "tranId": record.tran_id, **record.as_api_row()})


def _asset(asset: object) -> str:
    if not isinstance(asset, str) or not re.fullmatch(ASSET_RANGE, asset):
        raise AdminError(f"asset must be a string matching {ASSET_RANGE}, not {asset!r}")
    return asset


async def add_interest(request: Request) -> Response:
    """Accrue interest: {"account", "asset", "interest"} adds `interest` to the asset's
    interest (a new asset starts from zeros). Answers the asset's balance after it."""
    body = await _json_object(request, frozenset({"account", "asset", "interest"}))
    account = _text(body, "account")
    asset = _asset(_text(body, "asset"))
    if "interest" not in body:
        raise AdminError("interest is missing")
    interest = parse_seed_amount(body["interest"], "interest")
    balance = _sandbox(request).ledger.add_interest(account, asset, interest)
    return admin_json({"account": account, "asset": asset, **balance.as_json()})


async def list_borrow_limits(request: Request) -> Response:
    await _no_fields(request)
    name = request.path_params["name"]
    limits = _sandbox(request).ledger.borrow_limits(name)
    return admin_json(
        {"account": name, "limits": {asset: format8(limit) for asset, limit in limits.items()}}
    )


async def set_borrow_limit(request: Request) -> Response:
    """{"limit": "100"} caps the asset's debt (principal + interest) a borrow may reach;
    {"limit": null} removes the cap."""
    name = request.path_params["name"]
    asset = _asset(request.path_params["asset"])
    body = await _json_object(request, frozenset({"limit"}))
    if "limit" not in body:
        raise AdminError("limit is missing (a decimal string, or null for no limit)")
    raw = body["limit"]
    limit = None if raw is None else parse_seed_amount(raw, "limit")
    _sandbox(request).ledger.set_borrow_limit(name, asset, limit)
    return admin_json(
        {"account": name, "asset": asset, "limit": None if limit is None else format8(limit)}
    )


async def list_loans(request: Request) -> Response:
    await _no_fields(request)
    name = request.path_params["name"]
    sandbox = _sandbox(request)
    sandbox.ledger.balances(name)  # 404 for an unknown account rather than an empty list
    records = sorted(sandbox.ledger.loans(name), key=lambda record: record.tran_id)
    return admin_json({"loans": [{"tranId": r.tran_id, **r.as_api_row()} for r in records]})


def _route(path: str, handler: Handler, methods: list[str]) -> Route:
    return Route(ADMIN_PREFIX + path, _guarded(handler), methods=methods)


routes = [
    _route("accounts", list_accounts, ["GET"]),
    _route("accounts", put_account, ["POST"]),
    _route("accounts/{name}/ledger", read_ledger, ["GET"]),
    _route("accounts/{name}/assets/{asset}", set_asset, ["PUT"]),
    _route("accounts/{name}/repays", list_repays, ["GET"]),
    _route("accounts/{name}/loans", list_loans, ["GET"]),
    _route("accounts/{name}/borrow-limits", list_borrow_limits, ["GET"]),
    _route("accounts/{name}/borrow-limits/{asset}", set_borrow_limit, ["PUT"]),
    _route("interest", add_interest, ["POST"]),
    _route("faults", faults, ["GET", "POST", "DELETE"]),
    _route("clock", clock, ["GET", "POST"]),
    _route("rate-limits", rate_limits, ["GET"]),
    _route("rate-limits/reset", reset_rate_limits, ["POST"]),
    _route("requests", requests, ["GET", "DELETE"]),
    _route("reset", reset, ["POST"]),
    _route("records/status", record_status, ["POST"]),
]
