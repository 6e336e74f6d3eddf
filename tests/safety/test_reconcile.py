"""Reconciliation after an unknown outcome: executed (with its txId) or not executed."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from auth_plugin import InvalidInput, OutcomeUnknown, RetryPolicy, ServiceUnavailable
from auth_plugin.reconcile import RecordRow, match_records
from tests.safety.helpers import ACCOUNT, RECORDS, Sleeper, repay_posts


def test_after_a_dropped_connection_the_executed_repay_is_found(sandbox, make_client, sleeper):
    client = make_client()
    sandbox.faults.inject("drop_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    result = client.reconcile_outcome(caught.value)
    (record,) = sandbox.repays(ACCOUNT)
    assert result.executed
    assert result.tran_id == record.tran_id
    assert str(result) == f"executed (txId {record.tran_id})"
    assert repay_posts(sandbox) == 1
    assert sandbox.request_count("GET", RECORDS) == 1
    assert len(sleeper.calls) == 1  # it waited out the recvWindow first (fake sleep here)
    assert 5 < sleeper.calls[0] <= 5.3


def test_after_service_unavailable_with_retries_disabled_it_reports_not_executed(
    sandbox, make_client
):
    client = make_client(retry=RetryPolicy.none())
    client.repay("BTC", "0.01")  # an earlier repay of the same amount, known to the client
    sandbox.faults.inject("unavailable")
    with pytest.raises(ServiceUnavailable) as caught:
        client.repay("BTC", "0.01")
    assert caught.value.executed is False  # not unknown; reconcile by hand to confirm
    result = client.reconcile("BTC", "0.01", client.clock.now_ms() - 50)
    assert not result.executed
    assert str(result) == "not executed"
    assert len(sandbox.repays(ACCOUNT)) == 1
    assert result.known_elsewhere == (sandbox.repays(ACCOUNT)[0].tran_id,)


def test_an_overloaded_503_is_unknown_and_reconciles_as_not_executed(sandbox, make_client):
    client = make_client()
    client.repay("BTC", "0.01")
    sandbox.faults.inject("overloaded")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    assert not client.reconcile_outcome(caught.value).executed


def test_a_read_timeout_before_applying_reconciles_as_not_executed(sandbox, make_client):
    # latency_before: the server sleeps before executing; the client gives up at 0.2 s. The
    # sandbox then finds the client gone and drops the request (it never executes).
    sandbox.faults.inject("latency_before", seconds=0.6)
    client = make_client(read_timeout=0.2, recv_window=1000, sleep=Sleeper(real=True))
    with pytest.raises(OutcomeUnknown, match="ReadTimeout") as caught:
        client.repay("BTC", "0.01")
    assert caught.value.recv_window == 1000
    started = time.monotonic()
    result = client.reconcile_outcome(caught.value)  # waits until the recvWindow has passed
    assert 0.5 < time.monotonic() - started < 2.0
    assert not result.executed
    assert sandbox.repays(ACCOUNT) == []
    assert repay_posts(sandbox) == 1


def test_reconciling_the_same_outcome_twice_gives_the_same_answer(sandbox, make_client):
    client = make_client()
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    first = client.reconcile_outcome(caught.value)
    second = client.reconcile_outcome(caught.value)
    assert first.executed and second.tran_id == first.tran_id


def test_two_unknown_outcomes_of_the_same_amount_each_get_their_own_record(sandbox, make_client):
    client = make_client()
    sandbox.faults.inject("unknown_after", times=1)
    with pytest.raises(OutcomeUnknown) as first:
        client.repay("BTC", "0.01")
    found_first = client.reconcile_outcome(first.value)
    sandbox.faults.inject("overloaded")  # refused before executing
    with pytest.raises(OutcomeUnknown) as second:
        client.repay("BTC", "0.01")
    found_second = client.reconcile_outcome(second.value)
    assert found_first.executed
    assert not found_second.executed
    assert found_second.known_elsewhere == (found_first.tran_id,)


def test_reconcile_refuses_bad_input_before_sending(sandbox, make_client):
    client = make_client()
    for args in (("btc", "1", 1), ("BTC", 0.1, 1), ("BTC", "1", 0), ("BTC", "1", True)):
        with pytest.raises(InvalidInput):
            client.reconcile(*args)
    with pytest.raises(InvalidInput):
        client.reconcile_outcome(OutcomeUnknown("no facts"))
    assert sandbox.counters.snapshot() == {}


def test_records_are_paged_through(sandbox, make_client):
    client = make_client()
    since = client.clock.now_ms()
    for _ in range(3):
        client.repay("BTC", "0.02")
    for _ in range(105):  # other repays inside the searched interval (from since - 5000)
        sandbox.ledger.repay(ACCOUNT, "BTC", Decimal("0.01"), since - 100)
    result = client.reconcile("BTC", "0.02", since)
    assert len(result.known_elsewhere) == 3 and not result.executed
    assert sandbox.request_count("GET", RECORDS) == 2


@pytest.mark.anyio
async def test_async_reconcile_after_unknown_after(sandbox, make_async_client):
    client = make_async_client()
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown) as caught:
        await client.repay("BTC", "0.01")
    result = await client.reconcile_outcome(caught.value)
    (record,) = sandbox.repays(ACCOUNT)
    assert result.tran_id == record.tran_id


@pytest.mark.anyio
async def test_async_reconcile_reports_not_executed(sandbox, make_async_client):
    client = make_async_client(retry=RetryPolicy.none())
    sandbox.faults.inject("unavailable")
    since = client.clock.now_ms()
    with pytest.raises(ServiceUnavailable):
        await client.repay("BTC", "0.01")
    assert not (await client.reconcile("BTC", "0.01", since)).executed


def _row(tx_id, amount="0.01", status="CONFIRMED", timestamp=1_000, asset="BTC"):
    return RecordRow(tx_id, asset, amount, status, timestamp)


def test_matching_compares_amounts_by_value_and_skips_failed_and_earlier_records():
    rows = [
        _row(1, amount="0.01000000", timestamp=1_000),
        _row(2, status="FAILED", timestamp=1_100),
        _row(3, timestamp=400),  # before the search start
        _row(4, amount="0.02", timestamp=1_200),
        _row(5, asset="ETH", timestamp=1_300),
        _row(6, amount="0.0100", timestamp=1_400),
    ]
    result = match_records(rows, asset="BTC", amount="0.01", since_ms=1_500, searched_from_ms=500)
    assert [m.tx_id for m in result.matches] == [6, 1]
    assert result.tran_id == 6
    assert str(result) == "executed (txId 6); 2 matching records since 500: 6, 1"


def test_the_most_likely_match_is_the_closest_one_the_server_could_have_executed():
    since = 10_000
    rows = [
        _row(1, timestamp=since - 3_000),  # too early for the server's timestamp rule
        _row(2, timestamp=since - 20),  # an earlier repay of the same amount, just before
        _row(3, timestamp=since + 5),  # ours
        _row(4, timestamp=since + 4_000),
    ]
    result = match_records(rows, asset="BTC", amount="0.01", since_ms=since, searched_from_ms=5_000)
    assert [m.tx_id for m in result.matches] == [3, 2, 4, 1]
    assert result.executed and result.tran_id == 3
    empty = match_records([], asset="BTC", amount="0.01", since_ms=since, searched_from_ms=5_000)
    assert (empty.executed, empty.tran_id, str(empty)) == (False, None, "not executed")
