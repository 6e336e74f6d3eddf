"""The gateway answers POST /papi/v1/repayLoan itself, on raw ASGI; the Starlette route for it
(reached only without the gateway) must give the same answers, minus the gateway's header."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp

from papi_sandbox import endpoints
from papi_sandbox.app import create_app
from papi_sandbox.config import SandboxConfig
from papi_sandbox.sandbox import Sandbox
from papi_sandbox.testing import GeneratedKey
from tests.sandbox.helpers import REPAY, STANDARD_ASSETS, sign_hmac

NOW = 1_700_000_000_000


def _config(key: GeneratedKey) -> SandboxConfig:
    return SandboxConfig(accounts=(key.account("acct", STANDARD_ASSETS),), weight_limit=10**9)


class InProcess:
    """A synchronous client calling an ASGI app in this process."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
                return await http.request(method, url, **kwargs)

        return asyncio.run(call())


@pytest.fixture
def two_apps(keys, frozen_tran_ids) -> Iterator[tuple[InProcess, InProcess, Sandbox, Sandbox]]:
    """Two sandboxes whose tranIds start alike (the wall clock's frozen), so answers match."""
    fast = create_app(_config(keys["hmac"]))
    routed_sandbox = Sandbox(_config(keys["hmac"]))
    routed = Starlette(routes=endpoints.routes)
    routed.sandbox = routed_sandbox
    for sandbox in (fast.sandbox, routed_sandbox):
        sandbox.clock.pin(NOW)
    yield InProcess(fast), InProcess(routed), fast.sandbox, routed_sandbox
    fast.sandbox.close()
    routed_sandbox.close()


@pytest.mark.parametrize(
    ("params", "in_body"),
    [
        ([("asset", "BTC"), ("amount", "0.15")], False),
        ([("asset", "BTC"), ("amount", "0.15")], True),
        ([("asset", "XRP"), ("amount", "1")], False),  # -3027
        ([("asset", "BTC"), ("amount", "5")], False),  # -3015
        ([("asset", "BTC"), ("amount", "1e-5")], False),  # -1100
        ([("asset", "BTC")], False),  # -1102
    ],
)
def test_the_route_answers_like_the_fast_path(two_apps, keys, params, in_body):
    fast_client, routed_client, fast_sandbox, routed_sandbox = two_apps
    key = keys["hmac"]
    assert key.secret is not None
    payload = urlencode([*params, ("timestamp", str(NOW))])
    signed = f"{payload}&signature={sign_hmac(key.secret, payload.encode())}"
    headers = {"X-MBX-APIKEY": key.api_key}
    if in_body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = {"url": REPAY, "content": signed, "headers": headers}
    else:
        request = {"url": f"{REPAY}?{signed}", "headers": headers}
    fast = fast_client.request("POST", **request)
    routed = routed_client.request("POST", **request)
    assert (fast.status_code, fast.content) == (routed.status_code, routed.content)
    assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json"
    assert fast.headers["content-length"] == routed.headers["content-length"]
    assert fast.headers["x-mbx-used-weight-1m"] == "100"
    assert "x-mbx-used-weight-1m" not in routed.headers
    assert fast_sandbox.ledger.balances("acct") == routed_sandbox.ledger.balances("acct")
    if fast.status_code == 200:
        assert fast_sandbox.ledger.balances("acct")["BTC"].liability == Decimal("0.95")


def test_other_methods_on_the_repay_path_still_get_405(two_apps):
    fast_client = two_apps[0]
    response = fast_client.request("GET", REPAY)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


class _ServerCycle:
    """What uvicorn's RequestResponseCycle is to a request: it holds the scope, and the `send`
    it hands the app is its own bound method."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.statuses: list[int] = []

    async def receive(self) -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.statuses.append(message["status"])


def test_a_served_request_is_freed_without_the_garbage_collector(keys):
    """The app keeps the server's `send` in the scope while the request runs (connection_drop
    needs it); left there, the cycle -> scope -> send -> cycle loop would leave every request
    to the garbage collector, whose collections cost a repay several microseconds."""
    key = keys["hmac"]
    assert key.secret is not None
    app = create_app(_config(key))
    app.sandbox.clock.pin(NOW)
    payload = f"asset=BTC&amount=0.15&timestamp={NOW}"
    query = f"{payload}&signature={sign_hmac(key.secret, payload.encode())}"
    scope = {
        "type": "http",
        "method": "POST",
        "path": REPAY,
        "query_string": query.encode(),
        "headers": [(b"x-mbx-apikey", key.api_key.encode())],
        "client": ("127.0.0.1", 50000),
    }
    cycle = _ServerCycle(scope)
    gc.disable()
    try:
        asyncio.run(app(scope, cycle.receive, cycle.send))
        assert cycle.statuses == [200]
        gone = weakref.ref(cycle)
        del cycle, scope
        assert gone() is None
    finally:
        gc.enable()
        app.sandbox.close()
