"""The drivers' side of a `Call`, on httpx: the request built from the generated operation,
and what came back turned into an `answers` value (no exception crosses into the flow).

The request comes from the generated module's `_get_kwargs(**params)`, the function its own
`sync_detailed` / `asyncio_detailed` build their request with: the method, URL and query of
the spec, without the generated parser (the flow reads the answer itself).
tests/spec/test_generated_request_builder.py fails if a regeneration changes it.
"""

from __future__ import annotations

from typing import Any

import httpx

from auth_plugin.safe.answers import Headers, NoReply, Reply
from auth_plugin.safe.effects import Call
from auth_plugin.signer.auth import PINNED_TIMESTAMP
from auth_plugin.signer.redaction import redact

# Failures that happen before any byte of the request is written: opening the connection
# (TCP, TLS), waiting for a pooled one, and a proxy refusing the CONNECT tunnel or the SOCKS
# handshake. tests/safety/test_transport_errors.py gives the reason for each httpx error.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)


def request_kwargs(call: Call) -> dict[str, Any]:
    """`httpx.Client.build_request` arguments for `call`: the generated operation's own, with
    the timestamp the flow picked pinned for the signer."""
    kwargs: dict[str, Any] = call.endpoint.operation._get_kwargs(**call.params)
    kwargs["extensions"] = {PINNED_TIMESTAMP: call.timestamp_ms}
    return kwargs


def reply(response: httpx.Response) -> Reply:
    """An answer (its body already read) as a value."""
    return Reply(response.status_code, Headers(response.headers.raw), response.content)


def no_reply(failure: httpx.HTTPError) -> NoReply:
    """A failure to get an answer as a value: whether the request can have left, and why."""
    reason = f"{type(failure).__name__}: {redact(str(failure)) or 'no details'}"
    return NoReply(sent=not isinstance(failure, NOT_SENT), reason=reason)
