"""The gate every SIGNED endpoint passes, in Binance's order of checks:

1. API key header: missing/empty/malformed -> 401 -2014, unknown -> 401 -2015.
2. Parameters: undecodable -> -1100; a name repeated within the query or within the body
   -> -1101; unknown names -> -1104; mandatory ones missing or empty, in the endpoint's
   order -> -1102; then formats, endpoint fields first, then recvWindow and timestamp
   (-1100 illegal characters, -1111 precision, -1102 zero amount, -1130 bad value).
3. recvWindow above 60000 -> -1131.
4. timestamp: accepted only if timestamp < now + 1000 and now - timestamp <= recvWindow
   (default 5000), else -1021.
5. signature over totalParams (see signatures.py) -> -1022.
Business rules come after, in the endpoint.

A body is read as parameters when it is application/x-www-form-urlencoded (or has no
content type, as some clients send); any other body is ignored, also for signing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from starlette.requests import Request

from papi_sandbox import errors
from papi_sandbox.accounts import is_valid_api_key
from papi_sandbox.params import ParamSpec, check_names, merge_parts, parse_long
from papi_sandbox.sandbox import Account, Sandbox
from papi_sandbox.signatures import signed_payload

DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60000
FUTURE_TOLERANCE_MS = 1000
FORM = "application/x-www-form-urlencoded"

Fields = TypeVar("Fields")


def check_timestamp(timestamp: int, recv_window: int, now_ms: int) -> None:
    if timestamp >= now_ms + FUTURE_TOLERANCE_MS:
        raise errors.timestamp_ahead()
    if now_ms - timestamp > recv_window:
        raise errors.timestamp_outside_window()


async def authenticate(
    request: Request,
    sandbox: Sandbox,
    spec: ParamSpec,
    read_fields: Callable[[Mapping[str, str]], Fields],
) -> tuple[Account, Fields]:
    account = _account_from_header(request, sandbox)
    query = request.scope.get("query_string", b"")
    body = await _form_body(request)
    params = merge_parts(query, body)
    check_names(params, spec)
    fields = read_fields(params)
    recv_window = (
        parse_long("recvWindow", params["recvWindow"])
        if "recvWindow" in params
        else DEFAULT_RECV_WINDOW
    )
    timestamp = parse_long("timestamp", params["timestamp"])
    if recv_window > MAX_RECV_WINDOW:
        raise errors.bad_recv_window()
    check_timestamp(timestamp, recv_window, sandbox.clock.now_ms())
    if not account.verifier.verify(signed_payload(query, body), params["signature"]):
        raise errors.invalid_signature()
    return account, fields


def _account_from_header(request: Request, sandbox: Sandbox) -> Account:
    api_key = request.headers.get("x-mbx-apikey", "")
    if not is_valid_api_key(api_key):
        raise errors.api_key_format_invalid()
    account = sandbox.account_for_key(api_key)
    if account is None:
        raise errors.api_key_rejected()
    return account


async def _form_body(request: Request) -> bytes:
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if not body or (content_type and not content_type.lower().startswith(FORM)):
        return b""
    return body
