"""Reconciliation after an unknown outcome: a verdict that is never wrong (see reconcile.py)."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from auth_plugin import InvalidInput, OutcomeUnknown, RetryPolicy, ServiceUnavailable
from auth_plugin.safe.flow import CLOCK_SAMPLES
from auth_plugin.safe.reconcile import (
    EXECUTION_SLACK_MS,
    PAGE_SIZE,
    RecordWalk,
    SentRepay,
    Verdict,
    judge,
)
from papi_repay_client.models import RepayRecord
from tests.safety.helpers import ACCOUNT, RECORDS, TIME, Sleeper, repay_posts


def close_windows(sandbox, ms: int = 7_000) -> None:
    """Move the server's clock past every window of a request just sent (default recvWindow)."""
    sandbox.clock.shift(ms)


def test_after_a_dropped_connection_the_executed_repay_is_found(sandbox, make_client, sleeper):
    client = make_client()
    sandbox.faults.inject("drop_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    close_windows(sandbox)
    result = client.reconcile_outcome(caught.value)
    (record,) = sandbox.repays(ACCOUNT)
    assert result.verdict is Verdict.EXECUTED and result.executed
    assert result.tran_id == record.tran_id
    assert str(result) == f"executed (txId {record.tran_id})"
    assert repay_posts(sandbox) == 1
    assert sandbox.request_count("GET", RECORDS) == 1
    assert sandbox.request_count("GET", TIME) == CLOCK_SAMPLES  # the server's clock, measured
    assert sleeper.calls == []  # the window had closed: nothing to wait for


def test_it_waits_until_the_window_has_closed_and_says_unknown_if_it_has_not(
    sandbox, make_client, sleeper
):
    client = make_client(recv_window=3000)
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    result = client.reconcile_outcome(caught.value)  # the fake sleep does not let time pass
    (delay,) = sleeper.calls
    assert 3.0 < delay < 3.0 + EXECUTION_SLACK_MS / 1000 + 0.05
    assert result.verdict is Verdict.UNKNOWN and result.tran_id is None
    assert "could still execute" in str(result)
    assert str(sandbox.repays(ACCOUNT)[0].tran_id) in str(result)  # listed, not claimed


def test_a_read_timeout_before_applying_reconciles_as_not_executed(sandbox, make_client):
    # latency_before: the server sleeps before executing; the client gives up at 0.2 s. The
    # sandbox then finds the client gone and drops the request (it never executes).
    sandbox.faults.inject("latency_before", seconds=0.6)
    client = make_client(read_timeout=0.2, recv_window=1000, sleep=Sleeper(real=True))
    with pytest.raises(OutcomeUnknown, match="ReadTimeout") as caught:
        client.repay("BTC", "0.01")
    assert caught.value.recv_window == 1000
    started = time.monotonic()
    result = client.reconcile_outcome(caught.value)  # waits until the window has closed
    assert 1.0 < time.monotonic() - started < 2.5
    assert result.verdict is Verdict.NOT_EXECUTED and str(result) == "not executed"
    assert sandbox.repays(ACCOUNT) == []
    assert repay_posts(sandbox) == 1


def test_after_service_unavailable_a_known_earlier_repay_is_set_aside(sandbox, make_client):
    client = make_client(retry=RetryPolicy.none())
    earlier = client.repay("BTC", "0.01")  # the same amount, known to the client
    sandbox.faults.inject("unavailable")
    since = client.clock.now_ms()
    with pytest.raises(ServiceUnavailable) as caught:
        client.repay("BTC", "0.01")
    assert caught.value.executed is False  # not unknown; reconcile by hand to confirm
    close_windows(sandbox)
    result = client.reconcile("BTC", "0.01", since)
    assert result.verdict is Verdict.NOT_EXECUTED
    assert result.known_elsewhere == (earlier.tran_id,)
    assert len(sandbox.repays(ACCOUNT)) == 1


def test_an_acknowledged_repay_reconciles_as_its_own_record(sandbox, make_client):
    client = make_client()
    done = client.repay("BTC", "0.01")
    close_windows(sandbox)
    result = client.reconcile("BTC", "0.01", done.timestamp_ms)
    assert (result.verdict, result.tran_id) == (Verdict.EXECUTED, done.tran_id)


def test_an_overloaded_503_is_unknown_and_reconciles_as_not_executed(sandbox, make_client):
    client = make_client()
    client.repay("BTC", "0.01")
    sandbox.faults.inject("overloaded")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    close_windows(sandbox)
    assert client.reconcile_outcome(caught.value).verdict is Verdict.NOT_EXECUTED
    assert client.unresolved == ()


def test_reconciling_the_same_outcome_twice_gives_the_same_answer(sandbox, make_client):
    client = make_client()
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    assert client.unresolved == (client.request_of(caught.value),)
    close_windows(sandbox)
    first = client.reconcile_outcome(caught.value)
    second = client.reconcile_outcome(caught.value)
    assert first.executed and second.tran_id == first.tran_id
    assert client.unresolved == ()


def test_two_unknown_outcomes_settled_in_turn_each_get_their_own_answer(sandbox, make_client):
    client = make_client()
    sandbox.faults.inject("unknown_after", times=1)
    with pytest.raises(OutcomeUnknown) as first:
        client.repay("BTC", "0.01")
    close_windows(sandbox)
    found_first = client.reconcile_outcome(first.value)
    sandbox.faults.inject("overloaded")  # refused before executing
    with pytest.raises(OutcomeUnknown) as second:
        client.repay("BTC", "0.01")
    close_windows(sandbox)
    found_second = client.reconcile_outcome(second.value)
    assert found_first.executed
    assert found_second.verdict is Verdict.NOT_EXECUTED
    assert found_second.candidates == ()  # the first's record is outside its window


def test_one_record_two_unresolved_requests_could_own_is_ambiguous(sandbox, make_client):
    client = make_client()
    sandbox.faults.inject("unknown_after", times=1)  # executed
    with pytest.raises(OutcomeUnknown) as first:
        client.repay("BTC", "0.01")
    sandbox.faults.inject("overloaded")  # not executed
    with pytest.raises(OutcomeUnknown) as second:
        client.repay("BTC", "0.01")
    close_windows(sandbox)
    (record,) = sandbox.repays(ACCOUNT)
    for error in (second.value, first.value):
        result = client.reconcile_outcome(error)
        assert result.verdict is Verdict.AMBIGUOUS, result
        assert [c.tx_id for c in result.candidates] == [record.tran_id]
        assert "earlier repay whose outcome is unknown" in str(result)


def test_two_records_in_one_window_are_ambiguous_and_both_listed(sandbox, make_client):
    client = make_client()
    sandbox.faults.inject("unknown_after", times=2)
    errors = []
    for _ in range(2):
        with pytest.raises(OutcomeUnknown) as caught:
            client.repay("BTC", "0.01")
        errors.append(caught.value)
    close_windows(sandbox)
    result = client.reconcile_outcome(errors[1])
    assert result.verdict is Verdict.AMBIGUOUS
    assert {c.tx_id for c in result.candidates} == {r.tran_id for r in sandbox.repays(ACCOUNT)}
    assert "2 records could be this repay" in str(result)


def test_a_client_clock_ahead_of_the_server_with_a_short_window_is_found(sandbox, make_client):
    # Defect 1: the server 600 ms behind, recvWindow 500: the record is stamped before the
    # request's timestamp minus its recvWindow, where the old search never looked.
    sandbox.clock.shift(-600)
    client = make_client(recv_window=500)
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("USDT", "0.005")
    (record,) = sandbox.repays(ACCOUNT)
    assert record.timestamp < caught.value.timestamp_ms - 500
    close_windows(sandbox)
    result = client.reconcile_outcome(caught.value)
    assert (result.verdict, result.tran_id) == (Verdict.EXECUTED, record.tran_id)


def test_every_page_of_a_full_window_is_read(sandbox, make_client):
    # Defect 2: 1100 other records in the window used to stop the search at 1000.
    client = make_client()
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.00777")
    stamp = caught.value.timestamp_ms
    for n in range(1100):
        sandbox.ledger.repay(ACCOUNT, "BTC", Decimal("0.001"), stamp + n % 500)
    close_windows(sandbox)
    result = client.reconcile_outcome(caught.value)
    assert result.verdict is Verdict.EXECUTED
    assert result.records_read == 1101
    assert sandbox.request_count("GET", RECORDS) == 12


def test_reconcile_refuses_bad_input_before_sending(sandbox, make_client):
    client = make_client()
    for args in (("btc", "1", 1), ("BTC", 0.1, 1), ("BTC", "1", 0), ("BTC", "1", True)):
        with pytest.raises(InvalidInput):
            client.reconcile(*args)
    with pytest.raises(InvalidInput):
        client.reconcile_outcome(OutcomeUnknown("no facts"))
    assert sandbox.counters.snapshot() == {}


@pytest.mark.anyio
async def test_async_reconcile_after_unknown_after(sandbox, make_async_client):
    client = make_async_client()
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown) as caught:
        await client.repay("BTC", "0.01")
    close_windows(sandbox)
    result = await client.reconcile_outcome(caught.value)
    (record,) = sandbox.repays(ACCOUNT)
    assert result.tran_id == record.tran_id


@pytest.mark.anyio
async def test_a_repay_cancelled_after_sending_can_still_be_reconciled(sandbox, make_async_client):
    client = make_async_client()
    sandbox.faults.inject("latency_after", seconds=0.5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.repay("BTC", "0.01"), timeout=0.2)
    (request,) = client.unresolved
    assert (request.asset, request.amount, request.recv_window) == ("BTC", "0.01", 5000)
    await asyncio.sleep(0.5)
    close_windows(sandbox)
    result = await client.reconcile_sent(request)
    (record,) = sandbox.repays(ACCOUNT)
    assert (result.verdict, result.tran_id) == (Verdict.EXECUTED, record.tran_id)
    assert client.unresolved == ()


@pytest.mark.anyio
async def test_async_reconcile_reports_not_executed(sandbox, make_async_client):
    client = make_async_client(retry=RetryPolicy.none())
    sandbox.faults.inject("unavailable")
    since = client.clock.now_ms()
    with pytest.raises(ServiceUnavailable):
        await client.repay("BTC", "0.01")
    close_windows(sandbox)
    assert (await client.reconcile("BTC", "0.01", since)).verdict is Verdict.NOT_EXECUTED


# -- the pure parts, driven without a server ---------------------------------------------

REQUEST = SentRepay("BTC", "0.01", 10_000, 1_000)


def _row(tx_id, amount="0.01", status="CONFIRMED", timestamp=10_000, asset="BTC"):
    return RepayRecord(
        tx_id=tx_id,
        asset=asset,
        amount=amount,
        interest="0",
        principal=amount,
        status=status,
        timestamp=timestamp,
    )


def _walked(rows):
    walk = RecordWalk()
    walk.add(rows, len(rows))
    return walk


def test_the_window_follows_the_servers_acceptance_rule():
    assert (REQUEST.earliest_ms, REQUEST.latest_ms) == (9_001, 11_000 + EXECUTION_SLACK_MS)
    inside = [_row(1, timestamp=9_001), _row(2, timestamp=11_000 + EXECUTION_SLACK_MS)]
    outside = [_row(3, timestamp=9_000), _row(4, timestamp=11_001 + EXECUTION_SLACK_MS)]
    assert [REQUEST.could_own(r) for r in inside + outside] == [True, True, False, False]


def test_matching_compares_amounts_by_value_and_skips_failed_and_other_assets():
    rows = [
        _row(1, amount="0.01000000", timestamp=10_100),
        _row(2, status="FAILED"),
        _row(4, amount="0.02"),
        _row(5, asset="ETH"),
    ]
    result = judge(REQUEST, _walked(rows), window_closed=True)
    assert (result.verdict, result.tran_id) == (Verdict.EXECUTED, 1)


def test_a_pending_record_is_pending_not_executed():
    result = judge(REQUEST, _walked([_row(7, status="PENDING")]), window_closed=True)
    assert (result.verdict, result.tran_id, result.executed) == (Verdict.PENDING, 7, False)
    assert "pending (txId 7, status PENDING)" in str(result)


def test_records_known_to_be_other_requests_are_set_aside():
    rows = [_row(1), _row(2, timestamp=10_300)]
    result = judge(REQUEST, _walked(rows), window_closed=True, known_elsewhere={1, 99})
    assert (result.verdict, result.tran_id, result.known_elsewhere) == (Verdict.EXECUTED, 2, (1,))
    none_left = judge(REQUEST, _walked(rows), window_closed=True, known_elsewhere={1, 2})
    assert none_left.verdict is Verdict.NOT_EXECUTED


def test_an_open_window_or_an_incomplete_walk_is_never_not_executed():
    assert judge(REQUEST, _walked([]), window_closed=False).verdict is Verdict.UNKNOWN
    walk = RecordWalk()
    walk.add([_row(n, amount="0.5") for n in range(PAGE_SIZE)], 250)
    walk.add([], 250)  # the server stopped early
    assert walk.next_page() is None and not walk.complete
    result = judge(REQUEST, walk, window_closed=True)
    assert result.verdict is Verdict.UNKNOWN and "page 2 was empty" in str(result)


def test_a_walk_reads_until_total_and_notices_changes_and_overflow():
    walk = RecordWalk()
    assert walk.next_page() == 1
    walk.add([_row(n, amount="0.5") for n in range(PAGE_SIZE)], 150)
    assert walk.next_page() == 2
    walk.add([_row(n, amount="0.5") for n in range(PAGE_SIZE, 150)], 150)
    assert walk.next_page() is None and walk.complete
    changed = RecordWalk()
    changed.add([_row(n, amount="0.5") for n in range(PAGE_SIZE)], 150)
    changed.add([_row(n, amount="0.5") for n in range(PAGE_SIZE, 151)], 151)
    assert not changed.complete and "changed from 150 to 151" in str(changed.problem)
    repeated = RecordWalk()
    repeated.add([_row(1)], 2)
    repeated.add([_row(1)], 2)
    assert not repeated.complete
    small = RecordWalk(max_pages=2)
    small.add([], 2 * PAGE_SIZE + 1)
    assert small.next_page() is None and "more than the 200" in str(small.problem)
    failed = RecordWalk()
    failed.fail("HTTP 503")
    assert judge(REQUEST, failed, window_closed=True).verdict is Verdict.UNKNOWN


def test_an_acknowledged_repay_signed_in_the_same_ms_is_never_an_unknown_ones_record():
    from auth_plugin.safe.reconcile import TranIdLedger

    ledger = TranIdLedger()
    acked = SentRepay("BTC", "0.01", 10_000, 0)
    ledger.executed(7, acked)
    by_hand = SentRepay("BTC", "0.01", 10_000, 1_000)  # the same key: same ms, asset, amount
    assert 7 not in ledger.not_for(by_hand)  # the one send of this key: the ack's
    unknown = ledger.unknown(by_hand)
    assert unknown.sent_id is not None
    assert 7 in ledger.not_for(unknown)  # it never got an ack: 7 is another send's
    standing = ledger.standing(unknown)
    result = judge(
        unknown, _walked([_row(7)]), window_closed=True, known_elsewhere=standing.known_elsewhere
    )
    assert result.verdict is Verdict.NOT_EXECUTED


def test_a_description_that_fits_two_sends_is_never_given_one_verdict():
    """Described by hand, two sends signed in the same ms can't be told apart: "executed"
    would be a lie for one of them, whichever record exists."""
    from auth_plugin.safe.reconcile import TranIdLedger

    ledger = TranIdLedger()
    ledger.executed(7, SentRepay("BTC", "0.01", 10_000, 0))
    unknown = ledger.unknown(SentRepay("BTC", "0.01", 10_000, 1_000))
    by_hand = SentRepay("BTC", "0.01", 10_000, 1_000)
    standing = ledger.standing(by_hand)
    assert standing.identity is None and standing.sends_alike == 2
    for rows in ([_row(7)], [_row(7), _row(8)], [_row(8)]):
        result = judge(
            by_hand,
            _walked(rows),
            window_closed=True,
            known_elsewhere=standing.known_elsewhere,
            unresolved=standing.rivals,
            sends_alike=standing.sends_alike,
        )
        assert result.verdict is Verdict.AMBIGUOUS, rows
        assert {r.tx_id for r in result.candidates} == {r.tx_id for r in rows}
    nothing = judge(by_hand, _walked([]), window_closed=True, sends_alike=2)
    assert nothing.verdict is Verdict.NOT_EXECUTED  # true of both
    ledger.settle(nothing, None)
    assert unknown not in ledger.unresolved()


def test_two_unknown_sends_alike_are_rivals_of_each_other():
    from auth_plugin.safe.reconcile import TranIdLedger

    ledger = TranIdLedger()
    first = ledger.unknown(SentRepay("BTC", "0.01", 10_000, 1_000))
    second = ledger.unknown(SentRepay("BTC", "0.01", 10_000, 1_000))
    assert first.sent_id != second.sent_id
    standing = ledger.standing(first)
    assert standing.rivals == (second,)
    result = judge(first, _walked([_row(7)]), window_closed=True, unresolved=standing.rivals)
    assert result.verdict is Verdict.AMBIGUOUS  # the record could be either's
