"""The sandbox's own control API under /sandbox-admin/ (only when enabled).

Not a Binance API: plain JSON in and out, errors as {"error": "..."} with 400 or 404.
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
from papi_sandbox.errors import ASSET_RANGE, json_response
from papi_sandbox.ledger import UnknownAccount
from papi_sandbox.paths import ADMIN_PREFIX
from papi_sandbox.sandbox import Account, Sandbox

Handler = Callable[[Request], Awaitable[Response]]


class AdminError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


async def _json_object(request: Request) -> Mapping[str, Any]:
    raw = await request.body()
    try:
        document = json.loads(raw or b"{}")
    except ValueError as exc:
        raise AdminError(f"body is not JSON: {exc}") from exc
    if not isinstance(document, Mapping):
        raise AdminError("body must be a JSON object")
    return document


def _guarded(handler: Handler) -> Handler:
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except AdminError as exc:
            return json_response({"error": str(exc)}, exc.status)
        except UnknownAccount as exc:
            return json_response({"error": f"no account named {exc.args[0]!r}"}, 404)
        except (ValueError, TypeError) as exc:
            return json_response({"error": str(exc)}, 400)

    return run


def _account_json(account: Account) -> dict[str, str]:
    return {"name": account.name, "api_key": account.api_key, "key_type": account.key_type}


async def list_accounts(request: Request) -> Response:
    return json_response({"accounts": [_account_json(a) for a in _sandbox(request).accounts()]})


async def put_account(request: Request) -> Response:
    """Create or replace an account; its assets replace all the ones it had."""
    spec = account_from_mapping(await _json_object(request))
    return json_response(_account_json(_sandbox(request).add_account(spec)))


async def read_ledger(request: Request) -> Response:
    name = request.path_params["name"]
    balances = _sandbox(request).ledger.balances(name)
    return json_response(
        {"account": name, "assets": {asset: bal.as_json() for asset, bal in balances.items()}}
    )


async def set_asset(request: Request) -> Response:
    name, asset = request.path_params["name"], request.path_params["asset"]
    if not re.fullmatch(ASSET_RANGE, asset):
        raise AdminError(f"asset must match {ASSET_RANGE}")
    body = await _json_object(request)
    unknown = set(body) - {"principal", "interest", "free"}
    if unknown:
        raise AdminError(f"fields not understood: {sorted(unknown)}")
    amounts = {field: parse_seed_amount(value, field) for field, value in body.items()}
    balance = _sandbox(request).ledger.set_balance(name, asset, **amounts)
    return json_response({"account": name, "asset": asset, **balance.as_json()})


async def list_repays(request: Request) -> Response:
    name = request.path_params["name"]
    sandbox = _sandbox(request)
    sandbox.ledger.balances(name)  # 404 for an unknown account rather than an empty list
    records = sorted(sandbox.ledger.repays(name), key=lambda record: record.tran_id)
    return json_response({"repays": [{"tranId": r.tran_id, **r.as_api_row()} for r in records]})


async def faults(request: Request) -> Response:
    board = _sandbox(request).faults
    if request.method == "POST":
        body = await _json_object(request)
        board.inject(
            kind=str(body.get("kind", "")),
            times=body.get("times", 1),
            path=body.get("path", "/papi/v1/repayLoan"),
            seconds=float(body.get("seconds", 0.0)),
            code=body.get("code"),
            msg=body.get("msg"),
        )
    elif request.method == "DELETE":
        board.clear()
    return json_response({"faults": [fault.as_json() for fault in board.active()]})


async def clock(request: Request) -> Response:
    """POST applies, in this order: offset_ms (set), shift_ms (add), pin_ms (int, or null to
    unpin)."""
    sandbox_clock = _sandbox(request).clock
    if request.method == "POST":
        body = await _json_object(request)
        if "offset_ms" in body:
            sandbox_clock.set_offset(int(body["offset_ms"]))
        if "shift_ms" in body:
            sandbox_clock.shift(int(body["shift_ms"]))
        if "pin_ms" in body:
            pin = body["pin_ms"]
            if pin is None:
                sandbox_clock.unpin()
            else:
                sandbox_clock.pin(int(pin))
    return json_response(sandbox_clock.snapshot())


async def rate_limits(request: Request) -> Response:
    return json_response({"clients": _sandbox(request).rate_limiter.snapshot()})


async def reset_rate_limits(request: Request) -> Response:
    limiter = _sandbox(request).rate_limiter
    limiter.reset()
    return json_response({"clients": limiter.snapshot()})


async def requests(request: Request) -> Response:
    counters = _sandbox(request).counters
    if request.method == "DELETE":
        counters.reset()
    return json_response({"counts": counters.snapshot()})


async def reset(request: Request) -> Response:
    _sandbox(request).reset()
    return json_response({"reset": True})


def _route(path: str, handler: Handler, methods: list[str]) -> Route:
    return Route(ADMIN_PREFIX + path, _guarded(handler), methods=methods)


routes = [
    _route("accounts", list_accounts, ["GET"]),
    _route("accounts", put_account, ["POST"]),
    _route("accounts/{name}/ledger", read_ledger, ["GET"]),
    _route("accounts/{name}/assets/{asset}", set_asset, ["PUT"]),
    _route("accounts/{name}/repays", list_repays, ["GET"]),
    _route("faults", faults, ["GET", "POST", "DELETE"]),
    _route("clock", clock, ["GET", "POST"]),
    _route("rate-limits", rate_limits, ["GET"]),
    _route("rate-limits/reset", reset_rate_limits, ["POST"]),
    _route("requests", requests, ["GET", "DELETE"]),
    _route("reset", reset, ["POST"]),
]
