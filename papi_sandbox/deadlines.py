"""Deadlines for slow clients, on uvicorn's HTTP/1.1 protocols (httptools when installed, h11).

uvicorn only times out idle keep-alive connections: a client that opens a connection and
sends part of a request head (or of a body) and then nothing holds a file descriptor for as
long as it likes, so a few hundred such clients exhaust the server. Here a request's head must
arrive within `header_timeout` seconds of the connection opening (or of its first byte, on a
kept-alive connection), and its body within `body_timeout` of the head; otherwise the
connection is closed without an answer. Trickling bytes does not extend either deadline, and
no deadline runs while the server still answers an earlier request on the connection.

The body deadline counts the client's sending: both parsers read a body off the socket whether
or not the endpoint has asked for it yet (up to uvicorn's 64 KiB buffer, far above any request
here).

Cost: after each chunk received and each response sent a protocol works out what the client
owes (head, body or nothing) and touches a timer only when that changes. A request that
arrives whole, the usual case, arms nothing (a fresh connection arms one head deadline, which
its first whole request cancels); on httptools, such a request costs a few attribute writes
and checks in the parser's callbacks.
"""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any, Literal

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is optional (not in the sandbox extra); h11 always works
    HTTPTOOLS_AVAILABLE = False
else:
    HTTPTOOLS_AVAILABLE = True

DEFAULT_HEADER_TIMEOUT = 5.0
DEFAULT_BODY_TIMEOUT = 10.0
IDLE_KEEP_ALIVE = 30

logger = logging.getLogger("papi_sandbox")

HttpImpl = Literal["auto", "httptools", "h11"]
_Phase = Literal["head", "body"]


def check_timeout(value: float, what: str) -> float:
    if isinstance(value, bool) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what} must be a positive number of seconds, not {value!r}")
    return value


class _Deadlines(asyncio.Protocol):
    """The deadline logic, mixed in before one of uvicorn's protocols. A protocol calls
    `_sync()` wherever what the client owes may have changed, and says what it owes in
    `_owed()`."""

    header_timeout = DEFAULT_HEADER_TIMEOUT
    body_timeout = DEFAULT_BODY_TIMEOUT
    # Class-level defaults: no per-connection __init__ work. What uvicorn's protocols set:
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    client: tuple[str, int] | None
    _deadline: asyncio.TimerHandle | None = None
    _deadline_phase: _Phase | None = None

    def _owed(self) -> _Phase | None:
        """What the client has yet to send and must send now, if anything."""
        raise NotImplementedError

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm("head")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _sync(self) -> None:
        phase = self._owed()
        if phase != self._deadline_phase:  # a deadline runs from its phase's start
            if phase is None:
                self._disarm()
            else:
                self._arm(phase)

    def _arm(self, phase: _Phase) -> None:
        self._disarm()
        if self.transport.is_closing():
            return
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


class DeadlineH11Protocol(_Deadlines, H11Protocol):
    """uvicorn's h11 protocol with the deadlines. h11's own state says what the client owes;
    `handle_events` runs after every chunk received and after every response."""

    def handle_events(self) -> None:
        super().handle_events()
        self._sync()

    def _owed(self) -> _Phase | None:
        conn = self.conn
        state = conn.their_state
        if state is h11.SEND_BODY:
            return "body"
        if state is h11.IDLE and conn.trailing_data[0]:
            return "head"  # part of the next head; none at all: keep-alive's business
        return None  # a whole request is in, or the server is still answering one


if HTTPTOOLS_AVAILABLE:

    class DeadlineHttpToolsProtocol(_Deadlines, HttpToolsProtocol):
        """uvicorn's httptools protocol with the deadlines. The parser's callbacks, run while
        a chunk is fed to it, note where the request stands; the deadline follows after the
        chunk (and after each response), so a request that arrives whole arms nothing."""

        _request_phase: _Phase | None = None  # where the request being parsed stands

        # The base class's methods are called directly (no super() object per call): these
        # run for every request.
        def data_received(self, data: bytes) -> None:
            HttpToolsProtocol.data_received(self, data)
            if self._request_phase is not None or self._deadline_phase is not None:
                self._sync()

        def on_response_complete(self) -> None:
            HttpToolsProtocol.on_response_complete(self)
            # A request that waited for this answer may owe bytes from now on.
            if self._request_phase is not None or self._deadline_phase is not None:
                self._sync()

        def on_message_begin(self) -> None:
            HttpToolsProtocol.on_message_begin(self)
            self._request_phase = "head"

        def on_headers_complete(self) -> None:
            HttpToolsProtocol.on_headers_complete(self)
            self._request_phase = "body"

        def on_message_complete(self) -> None:
            HttpToolsProtocol.on_message_complete(self)
            self._request_phase = None

        def _owed(self) -> _Phase | None:
            phase = self._request_phase
            if phase is None:
                return None
            # A pipelined request waits for the answer to an earlier one: as with h11, its
            # deadline starts once that answer is sent.
            if self.pipeline:
                return None
            if phase == "head" and self.cycle is not None and not self.cycle.response_complete:
                return None
            return phase


def resolve_http(http: HttpImpl = "auto") -> Literal["httptools", "h11"]:
    """The protocol implementation `http` stands for: "auto" is httptools when installed."""
    if http == "auto":
        return "httptools" if HTTPTOOLS_AVAILABLE else "h11"
    if http == "httptools" and not HTTPTOOLS_AVAILABLE:
        raise ValueError("http='httptools' needs the httptools package")
    if http not in ("httptools", "h11"):
        raise ValueError(f"http must be 'auto', 'httptools' or 'h11', not {http!r}")
    return http


def protocol_class(
    header_timeout: float, body_timeout: float, http: HttpImpl = "auto"
) -> type[_Deadlines]:
    """A protocol class with these deadlines, on httptools or h11 (see `resolve_http`)."""
    check_timeout(header_timeout, "header_timeout")
    check_timeout(body_timeout, "body_timeout")
    implementation = resolve_http(http)
    base: type[_Deadlines] = (
        DeadlineHttpToolsProtocol if implementation == "httptools" else DeadlineH11Protocol
    )
    timeouts = {"header_timeout": header_timeout, "body_timeout": body_timeout}
    configured: type[_Deadlines] = type(f"Configured{base.__name__}", (base,), timeouts)
    return configured


def uvicorn_config(
    app: Any, header_timeout: float, body_timeout: float, http: HttpImpl = "auto", **options: Any
) -> uvicorn.Config:
    """uvicorn's Config for the sandbox: HTTP/1.1 over httptools when installed (as uvicorn's
    own http="auto" picks), else h11, with the deadlines above.

    An idle kept-alive connection is closed after IDLE_KEEP_ALIVE seconds: longer than
    httpx's pool keeps one (5 s), so the client always drops it first. Were they equal, a
    client could send a request on a connection the server was closing that instant, and see
    the request fail unanswered (a sandbox choice; Binance does not document its own)."""
    options.setdefault("timeout_keep_alive", IDLE_KEEP_ALIVE)
    return uvicorn.Config(app, http=protocol_class(header_timeout, body_timeout, http), **options)
