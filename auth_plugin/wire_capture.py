"""What one call really sent and got back, seen through httpx event hooks.

The generated functions return a parsed model, and raise when a body doesn't parse (an HTML
503, a 502 the spec doesn't list); either way the signed request (with the `timestamp` the
signer chose) and the raw answer are out of reach. httpx runs request hooks after the auth flow
(so on the signed request, exactly as it goes on the wire) and response hooks as soon as the
headers arrive. The hooks write into the `Exchange` of the current context, so concurrent calls
(threads, asyncio tasks) each see their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import httpx


@dataclass(slots=True)
class Exchange:
    """The last signed request and raw response of one call (None until seen)."""

    request: httpx.Request | None = None
    response: httpx.Response | None = None

    @property
    def timestamp_ms(self) -> int | None:
        """The `timestamp` the signer put on the request, if it was signed."""
        if self.request is None:
            return None
        # A byte scan: parsing the whole query into `url.params` costs more than the call.
        for part in self.request.url.query.split(b"&"):
            name, _, value = part.partition(b"=")
            if name == b"timestamp":
                return int(value) if value.isdigit() else None
        return None


_current: ContextVar[Exchange | None] = ContextVar("papi_repay_exchange", default=None)


@contextmanager
def capturing() -> Iterator[Exchange]:
    """Capture the request and response sent by the code in the `with` block."""
    exchange = Exchange()
    token = _current.set(exchange)
    try:
        yield exchange
    finally:
        _current.reset(token)


def _on_request(request: httpx.Request) -> None:
    exchange = _current.get()
    if exchange is not None:
        exchange.request = request


def _on_response(response: httpx.Response) -> None:
    exchange = _current.get()
    if exchange is not None:
        exchange.response = response


async def _aon_request(request: httpx.Request) -> None:
    _on_request(request)


async def _aon_response(response: httpx.Response) -> None:
    _on_response(response)


def install(client: httpx.Client) -> None:
    """Add the capturing hooks to a sync client (once), keeping its other hooks."""
    hooks = client.event_hooks
    if _on_request not in hooks["request"]:
        client.event_hooks = {
            **hooks,
            "request": [*hooks["request"], _on_request],
            "response": [*hooks["response"], _on_response],
        }


def ainstall(client: httpx.AsyncClient) -> None:
    """Add the capturing hooks to an async client (once), keeping its other hooks."""
    hooks = client.event_hooks
    if _aon_request not in hooks["request"]:
        client.event_hooks = {
            **hooks,
            "request": [*hooks["request"], _aon_request],
            "response": [*hooks["response"], _aon_response],
        }
