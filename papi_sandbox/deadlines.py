"""Deadlines for slow clients, on uvicorn's HTTP/1.1 protocol (h11).

uvicorn only times out idle keep-alive connections: a client that opens a connection and
sends part of a request head (or of a body) and then nothing holds a file descriptor for as
long as it likes, so a few hundred such clients exhaust the server. Here a request's head must
arrive within `header_timeout` seconds of the connection opening (or of its first byte, on a
kept-alive connection), and its body within `body_timeout` of the head; otherwise the
connection is closed without an answer. Trickling bytes does not extend either deadline.

The body deadline counts the client's sending: h11 reads a body off the socket whether or not
the endpoint has asked for it yet (up to uvicorn's 64 KiB buffer, far above any request here).
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any, Literal

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_HEADER_TIMEOUT = 5.0
DEFAULT_BODY_TIMEOUT = 10.0

logger = logging.getLogger("papi_sandbox")

_Phase = Literal["head", "body"]


def check_timeout(value: float, what: str) -> float:
    if isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a positive number of seconds, not {value!r}")
    return value


class DeadlineH11Protocol(H11Protocol):
    header_timeout = DEFAULT_HEADER_TIMEOUT
    body_timeout = DEFAULT_BODY_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._deadline_phase: _Phase | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm("head")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        # Runs after every chunk received and after every response: whatever the client
        # still owes decides which deadline, if any, applies now.
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            self._arm("body")
        elif state is h11.IDLE:
            if self.conn.trailing_data[0]:  # part of the next head; none: keep-alive's job
                self._arm("head")
        else:
            self._disarm()

    def _arm(self, phase: _Phase) -> None:
        if self._deadline_phase == phase:
            return  # the deadline runs from the phase's start, not from the latest byte
        self._disarm()
        seconds = self.header_timeout if phase == "head" else self.body_timeout
        self._deadline = self.loop.call_later(seconds, self._expire, phase, seconds)
        self._deadline_phase = phase

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._deadline_phase = None

    def _expire(self, phase: _Phase, seconds: float) -> None:
        self._deadline = None
        self._deadline_phase = None
        if self.transport.is_closing():
            return
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "unknown"
        logger.debug("closing %s: request %s not received within %g s", client, phase, seconds)
        # An endpoint waiting for the body sees http.disconnect (ClientDisconnect): nothing
        # is executed and nothing answered.
        self.transport.close()


def protocol_class(header_timeout: float, body_timeout: float) -> type[DeadlineH11Protocol]:
    check_timeout(header_timeout, "header_timeout")
    check_timeout(body_timeout, "body_timeout")

    class Configured(DeadlineH11Protocol):
        pass

    Configured.header_timeout = header_timeout
    Configured.body_timeout = body_timeout
    return Configured


def uvicorn_config(
    app: Any, header_timeout: float, body_timeout: float, **options: Any
) -> uvicorn.Config:
    """uvicorn's Config for the sandbox: HTTP/1.1 over h11, with the deadlines above."""
    return uvicorn.Config(app, http=protocol_class(header_timeout, body_timeout), **options)
