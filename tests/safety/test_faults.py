"""Each sandbox fault leads to the documented error, and an applied repay runs exactly once."""

from __future__ import annotations

import itertools
import time
from decimal import Decimal

import pytest

from auth_plugin import (
    AuthError,
    BusinessRejection,
    Clock,
    ConnectionFailed,
    InvalidInput,
    OutcomeUnknown,
    RetryPolicy,
    ServiceUnavailable,
)
from auth_plugin.safe.flow import REPAY_RECV_WINDOW_MS
from papi_sandbox.testing import generate_key
from tests.safety.helpers import ACCOUNT, closed_port, liability, repay_posts

UNKNOWN_MSG = "Unknown error, please check your request or try again later."
AMOUNT = Decimal("0.01")


def assert_executed_once(sandbox, before: Decimal) -> None:
    assert liability(sandbox) == before - AMOUNT
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert record.amount == AMOUNT
    assert repay_posts(sandbox) == 1


def assert_not_executed(sandbox, before: Decimal) -> None:
    assert liability(sandbox) == before
    assert sandbox.ledger.repays(ACCOUNT) == []


def test_a_plain_repay_returns_the_tran_id_and_the_used_weight(sandbox, make_client):
    client = make_client()
    result = client.repay("BTC", "0.01")
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert result.tran_id == record.tran_id
    assert result.used_weight == 100
    assert client.used_weight == 100
    assert (result.asset, result.amount, result.attempts) == ("BTC", "0.01", 1)
    assert isinstance(result.timestamp_ms, int)


def test_unknown_after_503_raises_outcome_unknown_and_executes_exactly_once(sandbox, make_client):
    sandbox.faults.inject("unknown_after")
    before = liability(sandbox)
    client = make_client()
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", AMOUNT)
    error = caught.value
    assert (error.status, error.code, error.msg) == (503, -1000, UNKNOWN_MSG)
    assert (error.asset, error.amount, error.recv_window) == ("BTC", "0.01", REPAY_RECV_WINDOW_MS)
    assert isinstance(error.timestamp_ms, int)
    assert error.executed is None
    assert "x-mbx-used-weight-1m" in error.headers
    assert_executed_once(sandbox, before)


def test_dropped_connection_after_applying_is_outcome_unknown_and_executes_once(
    sandbox, make_client
):
    sandbox.faults.inject("drop_after")
    before = liability(sandbox)
    with pytest.raises(OutcomeUnknown) as caught:
        make_client().repay("BTC", "0.01")
    assert caught.value.status is None
    assert "RemoteProtocolError" in str(caught.value)
    assert_executed_once(sandbox, before)


def test_read_timeout_after_applying_is_outcome_unknown_and_not_resent(sandbox, make_client):
    sandbox.faults.inject("latency_after", seconds=0.6)
    before = liability(sandbox)
    with pytest.raises(OutcomeUnknown, match="ReadTimeout"):
        make_client(read_timeout=0.2).repay("BTC", "0.01")
    assert_executed_once(sandbox, before)


def test_overloaded_503_is_outcome_unknown_not_resent(sandbox, make_client, sleeper):
    # Only "Service Unavailable." says "not executed"; any other 5xx is unknown by contract.
    sandbox.faults.inject("overloaded")
    before = liability(sandbox)
    with pytest.raises(OutcomeUnknown) as caught:
        make_client().repay("BTC", "0.01")
    assert caught.value.code == -1008
    assert repay_posts(sandbox) == 1
    assert sleeper.calls == []
    assert_not_executed(sandbox, before)


def test_service_unavailable_is_resent_with_a_fresh_timestamp_and_signature(
    sandbox, make_client, sleeper
):
    sent = []
    ticks = itertools.count()
    # Each reading is 1 ms later, so two sends can't share a timestamp by chance.
    clock = Clock(source=lambda: time.time_ns() + next(ticks) * 1_000_000)
    sandbox.faults.inject("unavailable")
    client = make_client(clock=clock, httpx_args={"event_hooks": {"request": [sent.append]}})
    result = client.repay("BTC", "0.01")
    assert result.attempts == 2
    assert repay_posts(sandbox) == 2
    assert len(sandbox.ledger.repays(ACCOUNT)) == 1
    assert sleeper.calls == [0.5]
    first, second = (request.url.params for request in sent)
    assert first["signature"] != second["signature"]
    assert int(second["timestamp"]) > int(first["timestamp"])
    assert result.timestamp_ms == int(second["timestamp"])


def test_service_unavailable_beyond_the_budget_raises_not_executed(sandbox, make_client, sleeper):
    sandbox.faults.inject("unavailable", times=3)
    before = liability(sandbox)
    with pytest.raises(ServiceUnavailable) as caught:
        make_client().repay("BTC", "0.01")
    assert (caught.value.status, caught.value.code) == (503, -1000)
    assert caught.value.executed is False
    assert repay_posts(sandbox) == 3  # one try + two retries
    assert sleeper.calls == [0.5, 1.0]
    assert_not_executed(sandbox, before)


def test_service_unavailable_with_retries_disabled_is_raised_at_once(sandbox, make_client):
    sandbox.faults.inject("unavailable")
    with pytest.raises(ServiceUnavailable):
        make_client(retry=RetryPolicy.none()).repay("BTC", "0.01")
    assert repay_posts(sandbox) == 1


def test_connection_refused_is_retried_within_the_budget_then_raised(make_client, sleeper):
    client = make_client(base_url=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(ConnectionFailed, match="could not connect") as caught:
        client.repay("BTC", "0.01")
    assert caught.value.executed is False
    assert sleeper.calls == [0.5, 1.0]


@pytest.mark.parametrize(
    ("asset", "amount", "code"),
    [("BTC", "1000", -3015), ("USDT", "60", -3041), ("DOGE", "1", -3027), ("ETH", "1", -3015)],
)
def test_business_rejections_are_raised_and_never_resent(
    sandbox, make_client, sleeper, asset, amount, code
):
    with pytest.raises(BusinessRejection) as caught:
        make_client().repay(asset, amount)
    assert (caught.value.status, caught.value.code) == (400, code)
    assert str(code) in str(caught.value)
    assert repay_posts(sandbox) == 1
    assert sleeper.calls == []
    assert sandbox.ledger.repays(ACCOUNT) == []


def test_an_unknown_api_key_is_an_auth_error(sandbox, make_client):
    stranger = generate_key("hmac")
    with pytest.raises(AuthError) as caught:
        make_client(key=stranger).repay("BTC", "0.01")
    assert (caught.value.status, caught.value.code) == (401, -2015)
    assert repay_posts(sandbox) == 1


def test_a_wrong_secret_is_an_auth_error(sandbox, make_client, key):
    impostor = generate_key("hmac", api_key=key.api_key)  # same key id, other secret
    with pytest.raises(AuthError) as caught:
        make_client(key=impostor).repay("BTC", "0.01")
    assert caught.value.code == -1022
    assert impostor.secret not in str(caught.value) + repr(caught.value)
    assert repay_posts(sandbox) == 1


@pytest.mark.parametrize(
    ("asset", "amount", "recv_window"),
    [
        ("BTC", 0.01, None),  # a float
        ("BTC", "1e-5", None),
        ("BTC", "-1", None),
        ("BTC", "0", None),
        ("BTC", "0.000000001", None),
        ("btc", "1", None),
        ("BTC", "1", 60_001),
        ("BTC", "1", 0),
    ],
)
def test_bad_input_is_refused_before_anything_is_sent(
    sandbox, make_client, asset, amount, recv_window
):
    with pytest.raises(InvalidInput):
        make_client().repay(asset, amount, recv_window=recv_window)
    assert sandbox.counters.snapshot() == {}


@pytest.mark.anyio
async def test_async_unknown_after_executes_once_and_raises_outcome_unknown(
    sandbox, make_async_client
):
    sandbox.faults.inject("unknown_after")
    before = liability(sandbox)
    client = make_async_client()
    with pytest.raises(OutcomeUnknown) as caught:
        await client.repay("BTC", AMOUNT)
    assert caught.value.code == -1000
    assert_executed_once(sandbox, before)


@pytest.mark.anyio
async def test_async_dropped_connection_executes_once(sandbox, make_async_client):
    sandbox.faults.inject("drop_after")
    before = liability(sandbox)
    with pytest.raises(OutcomeUnknown):
        await make_async_client().repay("BTC", "0.01")
    assert_executed_once(sandbox, before)


@pytest.mark.anyio
async def test_async_service_unavailable_is_retried_once(sandbox, make_async_client, sleeper):
    sandbox.faults.inject("unavailable")
    result = await make_async_client().repay("BTC", "0.01")
    assert result.attempts == 2
    assert repay_posts(sandbox) == 2
    assert sleeper.calls == [0.5]
    assert len(sandbox.ledger.repays(ACCOUNT)) == 1


@pytest.mark.anyio
async def test_async_business_rejection_and_bad_input(sandbox, make_async_client):
    client = make_async_client()
    with pytest.raises(BusinessRejection):
        await client.repay("BTC", "1000")
    with pytest.raises(InvalidInput):
        await client.repay("BTC", 0.5)
    assert repay_posts(sandbox) == 1
