"""What happens around every public endpoint, in this order:

count the request -> rate limit (429/418, nothing executes) -> "before" faults (latency,
503 refusals) -> the endpoint -> "after" faults on a 200 (latency, 503 unknown, dropped
connection). Every answer carries X-MBX-USED-WEIGHT-1M. Admin paths bypass all of it.

POST /papi/v1/repayLoan, the hot path, is answered here on raw ASGI (endpoints.repay) rather
than through Starlette's router, Request and Response: the same bytes, a fraction of the cost.
A client that hangs up before its request is read (say during a latency fault) gets nothing
executed and nothing answered; that is logged at debug level, not as an application error.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papi_sandbox import endpoints, errors
from papi_sandbox.connection_drop import RAW_SEND_KEY, drop_connection
from papi_sandbox.endpoints import WEIGHTS
from papi_sandbox.faults import BREAK_AFTER, LATENCY_AFTER, LATENCY_BEFORE, REFUSE_BEFORE, Fault
from papi_sandbox.paths import ADMIN_PREFIX, REPAY_PATH
from papi_sandbox.ratelimit import Admission
from papi_sandbox.sandbox import Sandbox

USED_WEIGHT_HEADER = "x-mbx-used-weight-1m"
_USED_WEIGHT_RAW = USED_WEIGHT_HEADER.encode()
_JSON_CONTENT_TYPE = (b"content-type", b"application/json")

logger = logging.getLogger("papi_sandbox")


class Gateway:
    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        method: str = scope["method"]
        sandbox = self.sandbox
        sandbox.counters.record(method, path)
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        admission = sandbox.rate_limiter.admit(ip, WEIGHTS.get((method, path), 1))
        used_weight = str(admission.used_weight)
        if admission.verdict != "ok":
            headers = {USED_WEIGHT_HEADER: used_weight, "retry-after": str(admission.retry_after)}
            await _send_error(send, self._rate_limit_error(admission, ip), headers)
            return
        faults = sandbox.faults
        if faults.armed:  # else no fault lookups at all (the usual case)
            latency = faults.take(path, LATENCY_BEFORE)
            if latency is not None:
                await asyncio.sleep(latency.seconds)
            refusal = faults.take(path, REFUSE_BEFORE)
            if refusal is not None:
                await _send_error(send, _fault_error(refusal), {USED_WEIGHT_HEADER: used_weight})
                return
        if path == REPAY_PATH and method == "POST":
            await self._repay(scope, receive, send, path, used_weight)
            return
        weight_header = {USED_WEIGHT_HEADER: used_weight}
        await self.app(scope, receive, _AfterFaults(sandbox, path, send, scope, weight_header))

    async def _repay(
        self, scope: Scope, receive: Receive, send: Send, path: str, used_weight: str
    ) -> None:
        sandbox = self.sandbox
        try:
            status, body = await endpoints.repay(sandbox, scope, receive)
        except ClientDisconnect:
            log_client_gone(scope)
            return
        if (
            status == 200
            and sandbox.faults.armed
            and await _broke_instead(sandbox, path, scope, send, {USED_WEIGHT_HEADER: used_weight})
        ):
            return
        # Starlette's Response with the weight header appended, as _AfterFaults would send it.
        headers = [
            (b"content-length", b"%d" % len(body)),
            _JSON_CONTENT_TYPE,
            (_USED_WEIGHT_RAW, used_weight.encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _rate_limit_error(self, admission: Admission, ip: str) -> errors.ApiError:
        limiter = self.sandbox.rate_limiter
        if admission.verdict == "banned":
            until = self.sandbox.clock.now_ms() + admission.retry_after * 1000
            return errors.ApiError(
                -1003,
                f"Way too many requests; IP({ip}) banned until {until}. "
                "Please use the websocket for live updates to avoid bans.",
                418,
            )
        return errors.ApiError(
            -1003,
            f"Too many requests; current limit of IP({ip}) is {limiter.weight_limit} request "
            f"weight per {limiter.window_seconds:g} seconds. "
            "Please use the websocket for live updates to avoid polling the API.",
            429,
        )


def _fault_error(fault: Fault) -> errors.ApiError:
    default = {
        "unavailable": errors.service_unavailable,
        "overloaded": errors.server_overloaded,
        "unknown_after": errors.unknown_error,
    }[fault.kind]()
    return errors.ApiError(
        default.code if fault.code is None else fault.code,
        default.msg if fault.msg is None else fault.msg,
        503,
    )


async def _send_error(send: Send, error: errors.ApiError, headers: dict[str, str]) -> None:
    response = errors.error_response(error, headers)
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": response.body})


def log_client_gone(scope: Scope) -> None:
    client = scope.get("client")
    logger.debug(
        "%s %s: client %s disconnected before its request was read; not executed",
        scope.get("method"),
        scope.get("path"),
        f"{client[0]}:{client[1]}" if client else "unknown",
    )


async def _broke_instead(
    sandbox: Sandbox, path: str, scope: Scope, send: Send, weight_header: dict[str, str]
) -> bool:
    """Apply the armed "after" faults to a request that succeeded: latency, then a 503 or a
    dropped connection instead of the answer (True: the answer must not be sent)."""
    faults = sandbox.faults
    latency = faults.take(path, LATENCY_AFTER)
    if latency is not None:
        await asyncio.sleep(latency.seconds)
    breaking = faults.take(path, BREAK_AFTER)
    if breaking is None:
        return False
    if breaking.kind == "drop_after":
        await drop_connection(scope.get(RAW_SEND_KEY))
    else:
        await _send_error(send, _fault_error(breaking), weight_header)
    return True


class _AfterFaults:
    """The send channel of one request routed through Starlette: stamps the weight header and,
    when the endpoint answered 200, applies any armed "after" fault instead of (or before)
    that answer."""

    def __init__(
        self, sandbox: Sandbox, path: str, send: Send, scope: Scope, headers: dict[str, str]
    ) -> None:
        self._sandbox = sandbox
        self._path = path
        self._send = send
        self._scope = scope
        self._headers = headers
        self._swallow = False

    async def __call__(self, message: Message) -> None:
        if self._swallow:
            return
        if message["type"] == "http.response.start":
            if (
                message["status"] == 200
                and self._sandbox.faults.armed
                and await _broke_instead(
                    self._sandbox, self._path, self._scope, self._send, self._headers
                )
            ):
                self._swallow = True
                return
            headers = MutableHeaders(scope=message)
            for name, value in self._headers.items():
                headers[name] = value
        await self._send(message)
