"""Closing a client's connection mid-request, with no response at all.

ASGI has no message for "hang up", so this reaches the server's transport through the
original `send` callable: under uvicorn it is a bound method of the request cycle, which
holds the asyncio transport and learns of the disconnect via `connection_lost`.
"""

from __future__ import annotations

import asyncio

from starlette.types import Send

RAW_SEND_KEY = "papi_sandbox.raw_send"
_DISCONNECT_POLLS = 200


class ConnectionDropped(Exception):
    """Raised where the server offers no transport to abort (e.g. an in-process ASGI client)."""


async def drop_connection(raw_send: Send | None) -> None:
    cycle = getattr(raw_send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionDropped("connection dropped by fault injection")
    transport.abort()
    # Let connection_lost run, so the server does not answer 500 on a dead socket.
    for _ in range(_DISCONNECT_POLLS):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.001)


def client_gone(raw_send: Send | None) -> bool:
    """Whether the server has seen the client disconnect (False where it cannot tell)."""
    cycle = getattr(raw_send, "__self__", None)
    return bool(getattr(cycle, "disconnected", False))
