"""Half-sent requests are timed out: the head (request line + headers) must arrive within
header_timeout, the body within body_timeout, or the server closes the connection. Every test
runs on both of uvicorn's HTTP/1.1 implementations the sandbox can use (httptools only where
it is installed)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from papi_sandbox.deadlines import HTTPTOOLS_AVAILABLE
from papi_sandbox.testing import ServedSandbox, running_sandbox
from tests.sandbox.helpers import UNLIMITED

HEADER_TIMEOUT = 0.3
BODY_TIMEOUT = 0.6
PATIENCE = 5.0  # far above both timeouts: a server that never closes fails, not hangs
EXPECTED_PROTOCOL = {"h11": "DeadlineH11Protocol", "httptools": "DeadlineHttpToolsProtocol"}


@pytest.fixture(
    scope="module",
    params=[
        "h11",
        pytest.param(
            "httptools",
            marks=pytest.mark.skipif(not HTTPTOOLS_AVAILABLE, reason="httptools not installed"),
        ),
    ],
)
def strict(request: pytest.FixtureRequest) -> Iterator[ServedSandbox]:
    with running_sandbox(
        weight_limit=UNLIMITED,
        header_timeout=HEADER_TIMEOUT,
        body_timeout=BODY_TIMEOUT,
        http=request.param,
    ) as handle:
        served_by = {cls.__name__ for cls in handle.server.config.http_protocol_class.__mro__}
        assert EXPECTED_PROTOCOL[request.param] in served_by
        yield handle


def _connect(handle: ServedSandbox) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", handle.port), timeout=PATIENCE)
    sock.settimeout(PATIENCE)
    return sock


def _seconds_until_closed(sock: socket.socket) -> float:
    """Seconds until the server closes (EOF or reset); what it sent before that is ignored."""
    started = time.monotonic()
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {PATIENCE} s")
    return time.monotonic() - started


def test_a_half_sent_head_is_closed_after_the_header_timeout(strict):
    with _connect(strict) as sock:
        sock.sendall(b"POST /papi/v1/repayLoan HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: k\r\n")
        assert _seconds_until_closed(sock) < HEADER_TIMEOUT + 1.0


def test_a_connection_that_sends_nothing_is_closed(strict):
    with _connect(strict) as sock:
        assert _seconds_until_closed(sock) < HEADER_TIMEOUT + 1.0


def test_many_half_sent_heads_are_all_closed(strict):
    socks = [_connect(strict) for _ in range(50)]
    try:
        for sock in socks:
            sock.sendall(b"GET /papi/v1/ping HTTP/1.1\r\nHost: x\r\n")
        deadline = time.monotonic() + HEADER_TIMEOUT + 2.0
        for sock in socks:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            _seconds_until_closed(sock)
    finally:
        for sock in socks:
            sock.close()


def test_a_trickled_head_does_not_extend_the_deadline(strict):
    with _connect(strict) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /papi/v1/ping HTTP/1.1\r\n")
        try:
            for _ in range(20):
                time.sleep(HEADER_TIMEOUT / 4)
                sock.sendall(b"X-Slow: 1\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        _seconds_until_closed(sock)
        assert time.monotonic() - started < HEADER_TIMEOUT + 1.0


def test_a_half_sent_body_is_closed_after_the_body_timeout(strict):
    with _connect(strict) as sock:
        sock.sendall(
            b"POST /papi/v1/repayLoan HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: k\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nasset="
        )
        # The body's own deadline, not the head's (which ended with the head).
        assert BODY_TIMEOUT * 0.9 < _seconds_until_closed(sock) < BODY_TIMEOUT + 1.0


def test_whole_requests_and_keep_alive_still_work(strict):
    with httpx.Client(base_url=strict.base_url, trust_env=False, timeout=PATIENCE) as http:
        assert http.get("/papi/v1/ping").json() == {}
        assert http.post("/papi/v1/repayLoan", content=b"asset=BTC").status_code == 401


def test_idle_time_between_requests_is_not_a_head_deadline(strict):
    """An idle kept-alive connection is uvicorn's keep-alive timeout's business (5 s)."""
    ping = b"GET /papi/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n"
    with _connect(strict) as sock:
        sock.sendall(ping)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
        time.sleep(HEADER_TIMEOUT * 1.5)
        sock.sendall(ping)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")


def test_a_half_sent_head_after_a_whole_request_is_closed(strict):
    """On a kept-alive connection the head deadline runs from the next head's first byte."""
    with _connect(strict) as sock:
        sock.sendall(b"GET /papi/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
        time.sleep(HEADER_TIMEOUT * 1.5)
        sock.sendall(b"GET /papi/v1/ping HTTP/1.1\r\nHost: x\r\n")
        assert _seconds_until_closed(sock) < HEADER_TIMEOUT + 1.0


def test_a_body_sent_in_pieces_in_time_is_answered(strict):
    body = b"asset=BTC&amount=1&timestamp=1&signature=00"
    with _connect(strict) as sock:
        sock.sendall(
            b"POST /papi/v1/repayLoan HTTP/1.1\r\nHost: x\r\nX-MBX-APIKEY: k\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        for piece in (body[:10], body[10:20], body[20:]):
            time.sleep(BODY_TIMEOUT / 8)
            sock.sendall(piece)
        assert sock.recv(4096).startswith(b"HTTP/1.1 401 ")


def test_a_pipelined_head_has_no_deadline_while_the_answer_before_it_is_slow(strict):
    """As with h11 on either protocol: the next head's deadline starts once the answer to the
    request before it is sent, so a slow answer does not cost the client its connection."""
    strict.faults.inject("latency_before", path="/papi/v1/ping", seconds=HEADER_TIMEOUT * 2)
    with _connect(strict) as sock:
        sock.sendall(b"GET /papi/v1/ping HTTP/1.1\r\nHost: x\r\n\r\nGET /papi/v1/ping HTTP/1.1\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
        assert _seconds_until_closed(sock) < HEADER_TIMEOUT + 1.0
