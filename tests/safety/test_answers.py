"""The values a driver hands the flow (`answers`, built by `wire`), and how the drivers step
a flow: nothing but a Reply or a NoReply crosses into it, and a flow left mid-way is closed."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from auth_plugin import AsyncRepayClient, RepayClient
from auth_plugin.safe.answers import Headers, NoReply, Reply
from auth_plugin.safe.effects import Sleep
from auth_plugin.safe.wire import NOT_SENT, no_reply, reply
from papi_sandbox.testing import generate_key
from tests.safety.helpers import credentials_for


def test_headers_are_looked_up_in_any_case_and_repeats_are_joined():
    headers = Headers(
        [(b"X-MBX-USED-WEIGHT-1M", b"12"), (b"Vary", b"a"), (b"vary", b"b")],
    )
    assert headers["x-mbx-used-weight-1m"] == headers.get("X-Mbx-Used-Weight-1m") == "12"
    assert headers["VARY"] == "a, b"
    assert list(headers) == ["x-mbx-used-weight-1m", "vary"]
    assert len(headers) == 2
    assert headers.get("retry-after") is None
    with pytest.raises(KeyError):
        headers["retry-after"]


def test_a_response_becomes_a_reply():
    response = httpx.Response(418, headers={"Retry-After": "60"}, content=b'{"code":-1003}')
    assert reply(response) == Reply(418, reply(response).headers, b'{"code":-1003}')
    assert reply(response).headers["retry-after"] == "60"


@pytest.mark.parametrize("failure", [*NOT_SENT, httpx.ReadTimeout, httpx.RemoteProtocolError])
def test_a_transport_failure_becomes_a_no_reply(failure):
    secret = "signature=" + "f" * 64
    answer = no_reply(failure(f"lost at /papi/v1/repayLoan?{secret}"))
    assert answer.sent is (failure not in NOT_SENT)
    assert answer.reason.startswith(failure.__name__ + ": ")
    assert "f" * 64 not in answer.reason
    assert isinstance(answer, NoReply)


@pytest.fixture
def creds():
    return credentials_for(generate_key("hmac"))


def _closing_flow(log: list[str]):
    try:
        yield Sleep(0)
        yield "not an effect"
    finally:
        log.append("closed")


def test_an_effect_that_is_none_of_the_three_is_refused(creds):
    log: list[str] = []
    client = RepayClient("http://127.0.0.1:9", creds, sleep=lambda seconds: None)
    with client, pytest.raises(TypeError, match="not an effect"):
        client._run(_closing_flow(log))
    assert log == ["closed"]


def test_the_sync_driver_closes_a_flow_it_leaves(creds, monkeypatch):
    log: list[str] = []
    with RepayClient("http://127.0.0.1:9", creds, sleep=lambda seconds: None) as client:
        flow = _closing_flow(log)
        client._first(flow)  # the flow is now suspended at its first effect
        monkeypatch.setattr(client, "_first", lambda flow: (False, Sleep(0)))
        monkeypatch.setattr(client, "_advance", _raise_interrupt)
        with pytest.raises(KeyboardInterrupt):
            client._run(flow)
    assert log == ["closed"]


def test_the_async_driver_closes_a_flow_it_leaves(creds, monkeypatch):
    log: list[str] = []

    async def nap(seconds: float) -> None:
        return None

    async def run() -> None:
        async with AsyncRepayClient("http://127.0.0.1:9", creds, sleep=nap) as client:
            flow = _closing_flow(log)
            client._first(flow)
            monkeypatch.setattr(client, "_first", lambda flow: (False, Sleep(0)))
            monkeypatch.setattr(client, "_advance", _raise_interrupt)
            with pytest.raises(KeyboardInterrupt):
                await client._run(flow)

    asyncio.run(run())
    assert log == ["closed"]


def _raise_interrupt(*args: object) -> None:
    raise KeyboardInterrupt  # Ctrl-C between two steps, in the driver's own code
