"""What the safe flow asks its driver to do.

A flow yields one of these and is sent what performing it gave:

    Call(endpoint, params, timestamp_ms)  ->  the httpx.Response (body read), or the
                                              httpx.HTTPError that stopped it
    Sleep(seconds)                        ->  None
    ReadServerTime(path)                  ->  a TimeReading (auth_plugin.signer.clock)

A driver builds a Call's request from the generated operation (`request_kwargs`), with the
timestamp the flow picked pinned for the signer (`PINNED_TIMESTAMP`), and sends it itself: the
answer never reaches the generated parser; the flow reads it once, from the response.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auth_plugin.safe.endpoints import Endpoint
from auth_plugin.signer.auth import PINNED_TIMESTAMP
from auth_plugin.signer.clock import ReadServerTime


@dataclass(frozen=True, slots=True)
class Call:
    endpoint: Endpoint[Any]
    params: Mapping[str, Any]
    timestamp_ms: int  # what the signer must sign: the flow registered the send with it

    def request_kwargs(self) -> dict[str, Any]:
        """`httpx.Client.build_request` arguments: the generated operation's own, plus the
        pinned timestamp."""
        kwargs: dict[str, Any] = self.endpoint.operation._get_kwargs(**self.params)
        kwargs["extensions"] = {PINNED_TIMESTAMP: self.timestamp_ms}
        return kwargs


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


Effect = Call | Sleep | ReadServerTime


async def asyncio_sleep(seconds: float) -> None:
    """The async driver's sleep (asyncio is imported only by those who sleep with it)."""
    import asyncio

    await asyncio.sleep(seconds)
