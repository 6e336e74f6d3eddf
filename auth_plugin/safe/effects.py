"""What the safe flow asks its driver to do, and how a driver hands an answer back.

A flow yields one of these and is sent what performing it gave:

    Call(endpoint, params)  ->  the httpx.Response, or the httpx.HTTPError that stopped it
    Sleep(seconds)          ->  None
    ReadServerTime(path)    ->  a TimeReading (auth_plugin.signer.clock)

The generated operation builds and sends a Call's request. Its answer never reaches the
generated parser: the driver's httpx client carries `deliver` (or `adeliver`) as its last
response hook, which reads the body and raises `Delivered` with the raw response, so the flow
reads every answer once, itself, from the response.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from auth_plugin.safe.endpoints import Endpoint
from auth_plugin.signer.clock import ReadServerTime


@dataclass(frozen=True, slots=True)
class Call:
    endpoint: Endpoint[Any]
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


Effect = Call | Sleep | ReadServerTime


class Delivered(Exception):  # noqa: N818 (not an error: the answer, on its way to the flow)
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def deliver(response: httpx.Response) -> None:
    response.read()
    raise Delivered(response)


async def adeliver(response: httpx.Response) -> None:
    await response.aread()
    raise Delivered(response)


async def asyncio_sleep(seconds: float) -> None:
    """The async driver's sleep (asyncio is imported only by those who sleep with it)."""
    import asyncio

    await asyncio.sleep(seconds)
