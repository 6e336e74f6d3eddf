"""A client that hangs up before the sandbox reads its request: nothing executes, nothing is
logged as an application error (uvicorn's "Exception in ASGI application"), the server goes on."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import pytest

from papi_sandbox.testing import SandboxHandle
from tests.sandbox.helpers import RECORDS, REPAY, now_ms

LATENCY = 0.4


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


def _wait_until_served(sandbox: SandboxHandle, not_before: float) -> None:
    """Until the fault's delay is over and the server has no request task left."""
    deadline = time.monotonic() + 10
    while time.monotonic() < not_before or sandbox.server.server_state.tasks:
        assert time.monotonic() < deadline, "the sandbox never finished the request"
        time.sleep(0.02)


@pytest.mark.parametrize("where", ["query", "body", "mixed"])
def test_client_gone_during_latency_before_changes_nothing_and_logs_no_error(
    sandbox, client, server_log, where
):
    sandbox.faults.inject("latency_before", seconds=LATENCY)
    before = sandbox.balances("acct-hmac")
    sent = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        client.repay("BTC", "0.01", where=where, timeout=LATENCY / 4)
    client.http.close()  # httpx already dropped the timed-out connection; be explicit
    _wait_until_served(sandbox, sent + LATENCY + 0.05)

    assert sandbox.balances("acct-hmac") == before
    assert sandbox.repays("acct-hmac") == []
    assert sandbox.request_count("POST", REPAY) == 1  # it did arrive, and was counted
    problems = [r for r in server_log if r.levelno >= logging.WARNING]
    assert problems == [], [r.getMessage() for r in problems]
    gone = [r for r in server_log if r.name == "papi_sandbox" and "disconnected" in r.getMessage()]
    assert len(gone) == 1
    assert gone[0].levelno == logging.DEBUG

    # The server is fine: the next repay (on a new connection) goes through.
    with httpx.Client(base_url=sandbox.base_url, trust_env=False, timeout=10) as fresh:
        client.http = fresh
        assert client.repay("BTC", "0.01", where=where).status_code == 200
    assert len(sandbox.repays("acct-hmac")) == 1


def test_client_gone_during_latency_before_on_a_routed_endpoint(sandbox, client, server_log):
    """The record query goes through Starlette's router: the same clean handling."""
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
    _wait_until_served(sandbox, sent + LATENCY + 0.05)
    problems = [r for r in server_log if r.levelno >= logging.WARNING]
    assert problems == [], [r.getMessage() for r in problems]
    assert any(r.name == "papi_sandbox" and "disconnected" in r.getMessage() for r in server_log)
