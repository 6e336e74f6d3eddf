"""A client that hangs up: a request received in full executes anyway, as on a real server (its
answer is dropped with a debug line); one whose body never arrived in full executes nothing.
Neither is logged as an application error (uvicorn's "Exception in ASGI application"), and the
server goes on."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import urlencode

import httpx
import pytest

from papi_sandbox.testing import ServedSandbox
from tests.sandbox.helpers import RECORDS, REPAY, now_ms, sign_hmac

LATENCY = 0.4
BORROW = "/papi/v1/marginLoan"
REPAY_DEBT = "/papi/v1/margin/repay-debt"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def server_log() -> Iterator[list[logging.LogRecord]]:
    """Everything uvicorn's and the sandbox's loggers emit (uvicorn's do not propagate to the
    root logger, so caplog alone would miss them); the sandbox's at debug level too."""
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error", "papi_sandbox")]
    sandbox_logger = loggers[-1]
    old_level = sandbox_logger.level
    sandbox_logger.setLevel(logging.DEBUG)
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        sandbox_logger.setLevel(old_level)


def wait_until_served(sandbox: ServedSandbox, not_before: float) -> None:
    """Until the fault's delay is over and the server has no request task left."""
    deadline = time.monotonic() + 10
    while time.monotonic() < not_before or sandbox.server.server_state.tasks:
        assert time.monotonic() < deadline, "the sandbox never finished the request"
        time.sleep(0.02)


def no_problems(server_log: list[logging.LogRecord]) -> None:
    problems = [r for r in server_log if r.levelno >= logging.WARNING]
    assert problems == [], [r.getMessage() for r in problems]


def sandbox_lines(server_log: list[logging.LogRecord], text: str) -> list[logging.LogRecord]:
    return [r for r in server_log if r.name == "papi_sandbox" and text in r.getMessage()]


@pytest.mark.parametrize("where", ["query", "body", "mixed"])
def test_client_gone_during_latency_before_the_repay_still_executes_once(
    sandbox, client, server_log, where
):
    sandbox.faults.inject("latency_before", seconds=LATENCY)
    before = sandbox.ledger.balances("acct-hmac")["BTC"]
    sent = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.repay("BTC", "0.01", where=where, timeout=LATENCY / 4)
    client.http.close()  # httpx already dropped the timed-out connection; be explicit
    wait_until_served(sandbox, sent + LATENCY + 0.05)

    (record,) = sandbox.ledger.repays("acct-hmac")
    assert record.amount == Decimal("0.01")
    assert sandbox.ledger.balances("acct-hmac")["BTC"].liability == before.liability - Decimal(
        "0.01"
    )
    assert sandbox.counters.get("POST", REPAY) == 1
    no_problems(server_log)
    (dropped,) = sandbox_lines(server_log, "was not delivered")
    assert dropped.levelno == logging.DEBUG
    assert "HTTP 200" in dropped.getMessage()

    # The server is fine: the next repay (on a new connection) goes through.
    with httpx.Client(base_url=sandbox.base_url, trust_env=False, timeout=10) as fresh:
        client.http = fresh
        assert client.repay("BTC", "0.01", where=where).status_code == 200
    assert len(sandbox.ledger.repays("acct-hmac")) == 2


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (BORROW, [("asset", "ETH"), ("amount", "2")]),
        (REPAY_DEBT, [("asset", "BTC"), ("amount", "0.5")]),
    ],
)
def test_client_gone_during_latency_before_borrow_and_repay_debt_still_execute(
    sandbox, client, server_log, path, params
):
    sandbox.faults.inject("latency_before", seconds=LATENCY, path=path)
    sent = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.send("POST", path, body=[*params, ("timestamp", str(now_ms()))], timeout=LATENCY / 4)
    client.http.close()
    wait_until_served(sandbox, sent + LATENCY + 0.05)
    if path == BORROW:
        (loan,) = sandbox.ledger.loans("acct-hmac")
        assert (loan.asset, loan.principal) == ("ETH", Decimal(2))
        assert sandbox.ledger.balances("acct-hmac")["ETH"].principal == Decimal(2)
    else:
        (record,) = sandbox.ledger.repays("acct-hmac")
        assert (record.asset, record.amount) == ("BTC", Decimal("0.5"))
    no_problems(server_log)
    assert len(sandbox_lines(server_log, "was not delivered")) == 1


@pytest.mark.parametrize("armed", [True, False])
def test_a_client_gone_before_its_body_arrived_gets_nothing_executed(
    sandbox, keys, server_log, armed
):
    if armed:  # the body is read before the fault's delay: the client leaves meanwhile
        sandbox.faults.inject("latency_before", seconds=LATENCY)
    key = keys["hmac"]
    assert key.secret is not None
    payload = urlencode([("asset", "BTC"), ("amount", "0.01"), ("timestamp", str(now_ms()))])
    body = f"{payload}&signature={sign_hmac(key.secret, payload.encode())}".encode()
    head = (
        f"POST {REPAY} HTTP/1.1\r\nHost: sandbox\r\nX-MBX-APIKEY: {key.api_key}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as sock:
        sock.sendall(head + body[:-10])
        time.sleep(0.1)
    wait_until_served(sandbox, time.monotonic() + 0.05)

    assert sandbox.ledger.repays("acct-hmac") == []
    assert sandbox.counters.get("POST", REPAY) == 1  # it did arrive, and was counted
    no_problems(server_log)
    (gone,) = sandbox_lines(server_log, "before its request was read")
    assert gone.levelno == logging.DEBUG
    assert [f.kind for f in sandbox.faults.active()] == (["latency_before"] if armed else [])


def test_client_gone_during_latency_before_on_a_record_query(sandbox, client, server_log):
    """A read executes too (nothing changes) and its answer is dropped the same way."""
    sandbox.faults.inject("latency_before", seconds=LATENCY, path=None)
    sent = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.send(
            "GET",
            RECORDS,
            query=[("asset", "BTC"), ("startTime", str(now_ms())), ("timestamp", str(now_ms()))],
            timeout=LATENCY / 4,
        )
    client.http.close()
    wait_until_served(sandbox, sent + LATENCY + 0.05)
    no_problems(server_log)
    assert len(sandbox_lines(server_log, "disconnected")) == 1
