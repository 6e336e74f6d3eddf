"""What the safe flow asks its driver to do.

A flow yields one of these and is sent what performing it gave:

    Call(endpoint, params, timestamp_ms)  ->  an `answers.Reply` (status, headers, body), or
                                              an `answers.NoReply` (no answer, and why)
    Sleep(seconds)                        ->  None
    ReadServerTime(path)                  ->  a TimeReading (auth_plugin.signer.clock)

A driver builds a Call's request from the generated operation, with the timestamp the flow
picked (`wire.request_kwargs`), sends it, and hands back what came as a value
(`wire.reply` / `wire.no_reply`): the flow reads the answer once, and raises its own errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auth_plugin.safe.endpoints import Endpoint
from auth_plugin.signer.clock import ReadServerTime


@dataclass(frozen=True, slots=True)
class Call:
    endpoint: Endpoint[Any]
    params: Mapping[str, Any]
    timestamp_ms: int  # what the signer must sign: the flow registered the send with it


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


Effect = Call | Sleep | ReadServerTime


async def asyncio_sleep(seconds: float) -> None:
    """The async driver's sleep (asyncio is imported only by those who sleep with it)."""
    import asyncio

    await asyncio.sleep(seconds)
