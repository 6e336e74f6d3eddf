"""What happens around every public endpoint, in this order:

count the request -> rate limit (429/418, nothing executes) -> with a fault armed: the whole
body received, then "before" faults (latency; 503 or other refusals and unknown answers;
a queue hold) -> the endpoint -> "after" faults on a 200 (latency, unknown answer, dropped
connection). Every answer carries X-MBX-USED-WEIGHT-1M. Admin paths bypass all of it. A body
over MAX_BODY_BYTES is answered 413 unread (`receive_body`).

The public endpoints (endpoints.ENDPOINTS) are answered here on raw ASGI rather than through
Starlette's router, Request and Response: the same bytes, a fraction of the cost. Anything
else (404, 405, HEAD) goes on to Starlette.

A request received in full executes whatever its client does next, as on a real server: with
a fault armed the body is read before any delay, and an answer for a client that has gone is
dropped with a debug line. A client that hangs up before its body has arrived gets nothing
executed and nothing answered; that too is logged at debug level, not as an application error.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.datastructures import MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papi_sandbox import errors
from papi_sandbox.connection_drop import RAW_SEND_KEY, client_gone, drop_connection
from papi_sandbox.endpoints import ENDPOINTS, WEIGHTS, Endpoint
from papi_sandbox.errors import Answer
from papi_sandbox.faults import (
    ANSWER_BEFORE,
    BREAK_AFTER,
    LATENCY_AFTER,
    LATENCY_BEFORE,
    QUEUE,
    Fault,
)
from papi_sandbox.paths import ADMIN_PREFIX
from papi_sandbox.ratelimit import Admission
from papi_sandbox.sandbox import Sandbox
from papi_sandbox.signed_request import (
    MAX_BODY_BYTES,
    BodyTooLarge,
    last_valid_instant,
    receive_body,
)

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
        endpoint = ENDPOINTS.get((method, path))
        if sandbox.faults.armed:  # else no fault lookups at all (the usual case)
            await self._faulted(scope, receive, send, endpoint, used_weight)
            return
        if endpoint is None:
            weight_header = {USED_WEIGHT_HEADER: used_weight}
            await self.app(scope, receive, _AfterFaults(sandbox, path, send, scope, weight_header))
            return
        try:
            body = await receive_body(scope, receive)
        except ClientDisconnect:
            log_client_gone(scope)
            return
        except BodyTooLarge:
            too_large = errors.body_too_large(MAX_BODY_BYTES)
            await _send_error(send, too_large, {USED_WEIGHT_HEADER: used_weight})
            return
        status, answer = endpoint(sandbox, scope, body, None)
        await _answer(send, status, answer, used_weight)

    async def _faulted(
        self, scope: Scope, receive: Receive, send: Send, endpoint: Endpoint | None, weight: str
    ) -> None:
        sandbox = self.sandbox
        faults = sandbox.faults
        path: str = scope["path"]
        weight_header = {USED_WEIGHT_HEADER: weight}
        body = b""
        if endpoint is not None:
            try:
                body = await receive_body(scope, receive)
            except ClientDisconnect:
                log_client_gone(scope)
                return
            except BodyTooLarge:
                await _send_error(send, errors.body_too_large(MAX_BODY_BYTES), weight_header)
                return
            send = _unless_gone(scope, send)
        latency = faults.take(path, LATENCY_BEFORE)
        if latency is not None:
            await asyncio.sleep(latency.seconds)
        refusal = faults.take(path, ANSWER_BEFORE)
        if refusal is not None:
            await _send_error(send, fault_error(refusal), weight_header)
            return
        if endpoint is None:
            await self.app(scope, receive, _AfterFaults(sandbox, path, send, scope, weight_header))
            return
        queued = faults.take(path, QUEUE)
        if queued is None:
            status, answer = endpoint(sandbox, scope, body, None)
        else:
            status, answer = await self._after_hold(scope, body, endpoint, queued)
        if (
            status == 200
            and faults.armed
            and await _broke_instead(sandbox, path, scope, send, weight_header)
        ):
            return
        await _answer(send, status, answer, weight)

    async def _after_hold(
        self, scope: Scope, body: bytes, endpoint: Endpoint, fault: Fault
    ) -> Answer:
        """The answer of a request held by a queue fault until the sandbox clock reaches its
        release instant, then checked and executed as of that instant."""
        sandbox = self.sandbox
        arrival = sandbox.clock.now_ms()
        if fault.kind == "queue":
            release = arrival + fault.ms
        else:
            last = last_valid_instant(scope, body)
            release = arrival if last is None else max(arrival, last - fault.ms)
        return await sandbox.held.hold(release, lambda at: endpoint(sandbox, scope, body, at))

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


_FAULT_ANSWERS = {
    "unavailable": errors.service_unavailable,
    "overloaded": errors.server_overloaded,
    "unknown_before": errors.unknown_error,
    "unknown_after": errors.unknown_error,
}


def fault_error(fault: Fault) -> errors.ApiError:
    """The answer of a fault that answers instead of the endpoint, with its overrides."""
    default = _FAULT_ANSWERS[fault.kind]()
    return errors.ApiError(
        default.code if fault.code is None else fault.code,
        default.msg if fault.msg is None else fault.msg,
        default.status if fault.status is None else fault.status,
    )


async def _answer(send: Send, status: int, body: bytes, used_weight: str) -> None:
    # Starlette's Response with the weight header appended, as _AfterFaults would send it.
    headers = [
        (b"content-length", b"%d" % len(body)),
        _JSON_CONTENT_TYPE,
        (_USED_WEIGHT_RAW, used_weight.encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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


def _client_name(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "unknown"


def log_client_gone(scope: Scope) -> None:
    logger.debug(
        "%s %s: client %s disconnected before its request was read; not executed",
        scope.get("method"),
        scope.get("path"),
        _client_name(scope),
    )


def _unless_gone(scope: Scope, send: Send) -> Send:
    """`send`, which drops the answer, with a debug line, if the client has disconnected."""
    gone = False

    async def deliver(message: Message) -> None:
        nonlocal gone
        if message["type"] == "http.response.start" and client_gone(scope.get(RAW_SEND_KEY)):
            gone = True
            logger.debug(
                "%s %s: client %s disconnected; its answer (HTTP %s) was not delivered",
                scope.get("method"),
                scope.get("path"),
                _client_name(scope),
                message["status"],
            )
        if not gone:
            await send(message)

    return deliver


async def _broke_instead(
    sandbox: Sandbox, path: str, scope: Scope, send: Send, weight_header: dict[str, str]
) -> bool:
    """Apply the armed "after" faults to a request that succeeded: latency, then an unknown
    answer or a dropped connection instead of the answer (True: the answer must not be sent)."""
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
        await _send_error(send, fault_error(breaking), weight_header)
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
