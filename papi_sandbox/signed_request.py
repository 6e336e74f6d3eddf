"""The gate every SIGNED endpoint passes, in Binance's order of checks:

1. API key header: missing/empty/malformed -> 401 -2014, unknown -> 401 -2015.
2. Parameters: undecodable -> -1100; a name repeated within the query or within the body
   -> -1101; unknown names -> -1104; mandatory ones missing or empty, in the endpoint's
   order -> -1102; then formats, endpoint fields first, then recvWindow and timestamp
   (-1100 illegal characters, -1111 precision, -1102 zero amount, -1130 bad value).
3. recvWindow above 60000 -> -1131 (Binance's message); of 0 -> -1131 ("greater than 0").
4. timestamp: accepted only if timestamp < now + 1000 and now - timestamp <= recvWindow
   (default 5000), else -1021.
5. signature over totalParams (see signatures.py) -> -1022.
Business rules come after, in the endpoint.

A body is read as parameters when it is application/x-www-form-urlencoded (or has no
content type, as some clients send); any other body is ignored, also for signing. It works on
the raw ASGI scope and the body already received (`receive_body`), so the hot repay path needs
no Starlette Request, and a held request is checked as of its release instant (`as_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive, Scope

from papi_sandbox import errors
from papi_sandbox.accounts import is_valid_api_key
from papi_sandbox.params import ParamSpec, check_names, parse_long, parse_params
from papi_sandbox.sandbox import Account, Sandbox

DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60000
FUTURE_TOLERANCE_MS = 1000
FORM = "application/x-www-form-urlencoded"
# The largest body any endpoint (admin API included) reads. A repay's parameters with an RSA
# signature take a few hundred bytes, an account with a 16384-bit RSA public key about 3 KB.
MAX_BODY_BYTES = 8 * 1024

Fields = TypeVar("Fields")


def check_timestamp(timestamp: int, recv_window: int, now_ms: int) -> None:
    if timestamp >= now_ms + FUTURE_TOLERANCE_MS:
        raise errors.timestamp_ahead()
    if now_ms - timestamp > recv_window:
        raise errors.timestamp_outside_window()


class BodyTooLarge(Exception):
    """A request body over MAX_BODY_BYTES: refused before (or while) it is read."""


async def receive_body(scope: Scope, receive: Receive) -> bytes:
    """The whole request body, at most MAX_BODY_BYTES of it: BodyTooLarge when Content-Length
    says more (nothing is read) or when a body without one grows past it (the rest is never
    read). Raises starlette's ClientDisconnect if the client left before all of it arrived."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > MAX_BODY_BYTES:
            raise BodyTooLarge()
    # The usual request arrives in one message: take its body here, without another coroutine.
    first = await receive()
    if first["type"] == "http.request" and not first.get("more_body", False):
        body: bytes = first.get("body", b"")
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        return body
    return await read_body(receive, first)


def authenticate(
    scope: Scope,
    body: bytes,
    sandbox: Sandbox,
    spec: ParamSpec,
    read_fields: Callable[[Mapping[str, str]], Fields],
    as_of: int | None = None,
) -> tuple[Account, Fields, int]:
    """The account, the endpoint's fields and the instant of the timestamp check (`as_of`, or
    the sandbox clock's now), or the ApiError of the first check that fails."""
    api_key, content_type = _headers(scope)
    account = _account(sandbox, api_key)
    params, signed = _params(scope, body, content_type)
    check_names(params, spec)
    fields = read_fields(params)
    recv_window = _recv_window(params)
    timestamp = parse_long("timestamp", params["timestamp"])
    # A window of 0 ms would accept only a request that arrives in the millisecond it was
    # signed: a coin toss, not a rule. It is INVALID_RECV_WINDOW, as above 60000, with a
    # message that says what is wrong with it.
    if recv_window <= 0:
        raise errors.recv_window_not_positive()
    if recv_window > MAX_RECV_WINDOW:
        raise errors.bad_recv_window()
    now = sandbox.clock.now_ms() if as_of is None else as_of
    check_timestamp(timestamp, recv_window, now)
    if not account.verifier.verify(signed, params["signature"]):
        raise errors.invalid_signature()
    return account, fields, now


def last_valid_instant(scope: Scope, body: bytes) -> int | None:
    """timestamp + recvWindow: the last instant of the sandbox clock at which the request's
    timestamp check can pass; None if they cannot be read (the request will be refused)."""
    try:
        params, _ = _params(scope, body, _headers(scope)[1])
        if "timestamp" not in params:
            return None
        return parse_long("timestamp", params["timestamp"]) + _recv_window(params)
    except errors.ApiError:
        return None


def _params(scope: Scope, body: bytes, content_type: str) -> tuple[dict[str, str], bytes]:
    if body and content_type and not content_type.lower().startswith(FORM):
        body = b""
    return parse_params(scope.get("query_string", b""), body)


def _recv_window(params: Mapping[str, str]) -> int:
    if "recvWindow" in params:
        return parse_long("recvWindow", params["recvWindow"])
    return DEFAULT_RECV_WINDOW


def _headers(scope: Scope) -> tuple[str, str]:
    """The X-MBX-APIKEY and Content-Type values ("" when absent; the first of repeats)."""
    api_key: bytes | None = None
    content_type: bytes | None = None
    for name, value in scope["headers"]:
        if name == b"x-mbx-apikey":
            if api_key is None:
                api_key = value
        elif name == b"content-type" and content_type is None:
            content_type = value
    return (
        "" if api_key is None else api_key.decode("latin-1"),
        "" if content_type is None else content_type.decode("latin-1"),
    )


def _account(sandbox: Sandbox, api_key: str) -> Account:
    if not is_valid_api_key(api_key):
        raise errors.api_key_format_invalid()
    account = sandbox.account_for_key(api_key)
    if account is None:
        raise errors.api_key_rejected()
    return account


async def read_body(receive: Receive, first: Message | None = None) -> bytes:
    """The whole request body, as starlette's Request.body() reads it (`first`: a message
    already received), but BodyTooLarge as soon as it passes MAX_BODY_BYTES."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if first is not None:
            message, first = first, None
        else:
            message = await receive()
        if message["type"] == "http.request":
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise BodyTooLarge()
            if not message.get("more_body", False):
                if not chunks:
                    return chunk
                chunks.append(chunk)
                return b"".join(chunks)
            if chunk:
                chunks.append(chunk)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()
