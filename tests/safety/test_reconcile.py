"""Reconciliation after an unknown outcome: a verdict that is never wrong (see reconcile.py)."""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal

import pytest

from auth_plugin import InvalidInput, OutcomeUnknown, RetryPolicy, ServiceUnavailable
from auth_plugin.safe.flow import CLOCK_SAMPLES
from auth_plugin.safe.reconcile import (
    PAGE_SIZE,
    LoanRequest,
    Margins,
    Reading,
    RecordWalk,
    Verdict,
    Window,
    groups_of,
    judge,
    judge_group,
)
from auth_plugin.safe.sends import SendLedger
from papi_repay_client.models import RepayRecord
from tests.safety.helpers import ACCOUNT, RECORDS, TIME, Sleeper, repay_posts

# The default margins and a repay's default recvWindow, written out (not imported from the
# code under test).
STAMP_MS, LAG_MS = 5_000, 5_000
REPAY_WINDOW_MS = 2_000


def close_windows(sandbox, ms: int = 5_000 + STAMP_MS + LAG_MS + 1_000) -> None:
    """Move the server's clock past every window of a request just sent (default recvWindow)
    and past the time its record must be shown."""
    sandbox.clock.shift(ms)


def test_after_a_dropped_connection_the_executed_repay_is_found(sandbox, make_client, sleeper):
    client = make_client()
    sandbox.faults.inject("drop_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    shown_by = caught.value.timestamp_ms + REPAY_WINDOW_MS + STAMP_MS + LAG_MS
    assert f"can be had once the server's clock is past {shown_by}" in str(caught.value)
    assert "assuming a record stamped within 5000 ms" in str(caught.value)
    close_windows(sandbox)
    result = client.reconcile_outcome(caught.value)
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert result.verdict is Verdict.EXECUTED and result.executed
    assert result.tran_id == record.tran_id
    assert str(result).startswith(f"executed (txId {record.tran_id}, stamped ")
    assert "another program in this window would look the same" in str(result)
    assert repay_posts(sandbox) == 1
    assert sandbox.counters.get("GET", RECORDS) == 1
    assert sandbox.counters.get("GET", TIME) == CLOCK_SAMPLES  # the server's clock, measured
    assert sleeper.calls == []  # the window had closed: nothing to wait for


def test_it_waits_until_the_window_has_closed_and_says_unknown_if_it_has_not(
    sandbox, make_client, sleeper
):
    client = make_client(recv_window=3000)
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    sleeper.clock = None  # the sleep lets no time pass at all
    result = client.reconcile_outcome(caught.value)
    delays = sleeper.calls
    assert len(delays) == 3  # measured again after each wait: still open, waited again
    until_shown = (3_000 + STAMP_MS + LAG_MS) / 1000  # after the timestamp
    assert until_shown - 0.5 < delays[0] <= until_shown + 0.05
    assert result.verdict is Verdict.UNKNOWN and result.tran_id is None
    assert "could still execute" in str(result)
    assert str(sandbox.ledger.repays(ACCOUNT)[0].tran_id) in str(result)  # listed, not claimed


def test_a_read_timeout_with_real_waits_and_small_margins_reconciles(sandbox, make_client):
    # Real time, real waits: margins lowered knowingly so that the test takes about 2 s.
    sandbox.faults.inject("overloaded")
    margins = Margins(stamp_ms=300, lag_ms=300)
    client = make_client(recv_window=1000, margins=margins, sleep=Sleeper(real=True))
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("BTC", "0.01")
    assert caught.value.recv_window == 1000
    started = time.monotonic()
    result = client.reconcile_outcome(caught.value)  # waits until the window has closed
    assert 1.6 < time.monotonic() - started < 3.5
    assert result.verdict is Verdict.NOT_EXECUTED, result
    text = str(result)
    assert text.startswith("not executed (window [") and "within 300 ms" in text
    assert sandbox.ledger.repays(ACCOUNT) == []
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
    assert len(sandbox.ledger.repays(ACCOUNT)) == 1


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
    (record,) = sandbox.ledger.repays(ACCOUNT)
    for error in (second.value, first.value):
        result = client.reconcile_outcome(error)
        assert result.verdict is Verdict.AMBIGUOUS, result
        assert [c.tx_id for c in result.candidates] == [record.tran_id]
        assert "outcome is not established" in str(result)


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
    assert {c.tx_id for c in result.candidates} == {
        r.tran_id for r in sandbox.ledger.repays(ACCOUNT)
    }
    assert "2 records could be this repay" in str(result)


def test_a_client_clock_ahead_of_the_server_with_a_short_window_is_found(sandbox, make_client):
    # The server 600 ms behind, recvWindow 500: the record is stamped before the request's
    # timestamp minus its recvWindow.
    sandbox.clock.shift(-600)
    client = make_client(recv_window=500)
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown) as caught:
        client.repay("USDT", "0.005")
    (record,) = sandbox.ledger.repays(ACCOUNT)
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
    assert sandbox.counters.get("GET", RECORDS) == 12


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
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert result.tran_id == record.tran_id


@pytest.mark.anyio
async def test_a_repay_cancelled_after_sending_can_still_be_reconciled(sandbox, make_async_client):
    client = make_async_client()
    sandbox.faults.inject("latency_after", seconds=0.5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.repay("BTC", "0.01"), timeout=0.2)
    (request,) = client.unresolved
    assert (request.asset, request.amount, request.recv_window) == ("BTC", "0.01", REPAY_WINDOW_MS)
    await asyncio.sleep(0.5)
    close_windows(sandbox)
    result = await client.reconcile_sent(request)
    (record,) = sandbox.ledger.repays(ACCOUNT)
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

MARGINS = Margins(stamp_ms=500, lag_ms=200)
REQUEST = LoanRequest("BTC", "0.01", 10_000, 1_000, sent_id="a")
CLOSED = Reading(Window(0, 0), MARGINS, read_from_ms=10**9)
OPEN = Reading(Window(0, 20_000), MARGINS, read_from_ms=11_000)


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


def test_the_window_follows_the_servers_acceptance_rule_and_the_stamp_margin():
    # timestamp 10000, recvWindow 1000, D 500: [10000 - 999 - 500, 10000 + 1000 + 500]
    assert REQUEST.window(MARGINS) == Window(8_501, 11_500)
    inside = [_row(1, timestamp=8_501), _row(2, timestamp=11_500)]
    outside = [_row(3, timestamp=8_500), _row(4, timestamp=11_501)]
    owns = [REQUEST.could_own(r, MARGINS) for r in inside + outside]
    assert owns == [True, True, False, False]


def test_a_hand_description_searches_the_largest_window():
    by_hand = LoanRequest("BTC", "0.01", 10_000, 1_000)
    assert by_hand.window(MARGINS) == Window(8_501, 10_000 + 60_000 + 500)


def test_the_window_is_closed_only_after_its_end_plus_the_lag():
    window = REQUEST.window(MARGINS)
    assert not Reading(window, MARGINS, read_from_ms=11_500 + 200).closed
    assert Reading(window, MARGINS, read_from_ms=11_500 + 201).closed


def test_matching_compares_amounts_by_value_and_skips_failed_and_other_assets():
    rows = [
        _row(1, amount="0.01000000", timestamp=10_100),
        _row(2, status="FAILED"),
        _row(4, amount="0.02"),
        _row(5, asset="ETH"),
    ]
    result = judge(REQUEST, _walked(rows), CLOSED)
    assert (result.verdict, result.tran_id) == (Verdict.EXECUTED, 1)


def test_a_failed_record_is_named_in_not_executed():
    result = judge(REQUEST, _walked([_row(2, status="FAILED")]), CLOSED)
    assert result.verdict is Verdict.NOT_EXECUTED
    assert str(result).startswith("not executed: record 2 FAILED (window [")


def test_a_pending_record_is_pending_not_executed():
    result = judge(REQUEST, _walked([_row(7, status="PENDING")]), CLOSED)
    assert (result.verdict, result.tran_id, result.executed) == (Verdict.PENDING, 7, False)
    assert "pending (txId 7, status PENDING)" in str(result)


def test_records_known_to_be_other_sends_are_set_aside_only_if_they_could_be_theirs():
    rows = [_row(1), _row(2, timestamp=10_300)]
    other = LoanRequest("BTC", "0.01", 10_050, 1_000, sent_id="b")
    result = judge(REQUEST, _walked(rows), CLOSED, owners={1: (other,), 99: (other,)})
    assert (result.verdict, result.tran_id, result.known_elsewhere) == (Verdict.EXECUTED, 2, (1,))
    none_left = judge(REQUEST, _walked(rows), CLOSED, owners={1: (other,), 2: (other,)})
    assert none_left.verdict is Verdict.NOT_EXECUTED
    # An owner of another amount (say, a journal from another server that reused the tranId)
    # does not take the record away.
    stranger = LoanRequest("BTC", "0.5", 10_050, 1_000, sent_id="c")
    kept = judge(REQUEST, _walked(rows[:1]), CLOSED, owners={1: (stranger,)})
    assert (kept.verdict, kept.tran_id) == (Verdict.EXECUTED, 1)


def test_an_open_window_or_an_incomplete_walk_is_never_not_executed():
    assert judge(REQUEST, _walked([]), OPEN).verdict is Verdict.UNKNOWN
    walk = RecordWalk()
    walk.add([_row(n, amount="0.5") for n in range(PAGE_SIZE)], 250)
    walk.add([], 250)  # the server stopped early
    assert walk.next_page() is None and not walk.complete
    result = judge(REQUEST, walk, CLOSED)
    assert result.verdict is Verdict.UNKNOWN and "page 2 was empty" in str(result)


def test_a_clock_that_stepped_back_makes_nothing_found_unknown():
    stepped = Reading(Window(0, 0), MARGINS, 10**9, stepped_back="the clock stepped back")
    assert judge(REQUEST, _walked([]), stepped).verdict is Verdict.UNKNOWN
    found = judge(REQUEST, _walked([_row(1)]), stepped)
    assert found.verdict is Verdict.EXECUTED  # a record is a record


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
    assert judge(REQUEST, failed, CLOSED).verdict is Verdict.UNKNOWN


def test_a_typed_recv_window_is_a_claim_a_record_beyond_it_makes_ambiguous():
    by_hand = LoanRequest("BTC", "0.01", 10_000, 1_000)
    beyond = judge(by_hand, _walked([_row(3, timestamp=20_000)]), CLOSED)
    assert beyond.verdict is Verdict.AMBIGUOUS
    assert "outside the recvWindow you gave (1000 ms)" in str(beyond)
    within = judge(by_hand, _walked([_row(3, timestamp=10_500)]), CLOSED)
    assert within.verdict is Verdict.EXECUTED


def test_an_acknowledged_send_signed_in_the_same_ms_is_never_an_unknown_ones_record():
    ledger = SendLedger()
    acked = ledger.register(LoanRequest("BTC", "0.01", 10_000, 1_000))
    ledger.acknowledged(acked, 7)
    unknown = ledger.register(LoanRequest("BTC", "0.01", 10_000, 1_000))
    standing = ledger.standing(unknown)
    assert set(standing.owners) == {7}
    result = judge(unknown, _walked([_row(7)]), CLOSED, owners=standing.owners)
    assert result.verdict is Verdict.NOT_EXECUTED


def test_a_description_that_fits_two_sends_is_never_given_one_verdict():
    """Described by hand, two sends signed in the same ms can't be told apart: "executed"
    would be a lie for one of them, whichever record exists."""
    ledger = SendLedger()
    acked = ledger.register(LoanRequest("BTC", "0.01", 10_000, 1_000))
    ledger.acknowledged(acked, 7)
    unknown = ledger.register(LoanRequest("BTC", "0.01", 10_000, 1_000))
    by_hand = LoanRequest("BTC", "0.01", 10_000, 1_000)
    standing = ledger.standing(by_hand)
    assert standing.identity is None and standing.sends_alike == 2
    for rows in ([_row(7)], [_row(7), _row(8)], [_row(8)]):
        result = judge(
            by_hand,
            _walked(rows),
            CLOSED,
            owners=standing.owners,
            rivals=standing.rivals,
            sends_alike=standing.sends_alike,
        )
        assert result.verdict is Verdict.AMBIGUOUS, rows
        assert {r.tx_id for r in result.candidates} == {r.tx_id for r in rows}
    nothing = judge(by_hand, _walked([]), CLOSED, sends_alike=2)
    assert nothing.verdict is Verdict.NOT_EXECUTED  # true of both
    ledger.settle(nothing, None)
    assert unknown not in ledger.unresolved()


def test_an_in_flight_or_unknown_send_is_a_rival():
    ledger = SendLedger()
    first = ledger.register(LoanRequest("BTC", "0.01", 10_000, 1_000))
    second = ledger.register(LoanRequest("BTC", "0.01", 10_000, 1_000))
    assert first.sent_id != second.sent_id
    standing = ledger.standing(first)
    assert standing.rivals == (second,)
    result = judge(first, _walked([_row(7)]), CLOSED, rivals=standing.rivals)
    assert result.verdict is Verdict.AMBIGUOUS  # the record could be either's
    ledger.refused(second)  # a documented rejection: not executed, no longer a rival
    assert ledger.standing(first).rivals == ()


def _sent(sent_id, timestamp, amount="0.01"):
    return LoanRequest("BTC", amount, timestamp, 1_000, sent_id=sent_id)


def test_alike_sends_with_overlapping_windows_form_one_group():
    sends = [_sent("a", 10_000), _sent("b", 12_000), _sent("c", 60_000), _sent("d", 10_000, "1")]
    groups = groups_of(sends, MARGINS)
    assert sorted(tuple(s.sent_id for s in g) for g in groups) == [("a", "b"), ("c",), ("d",)]


def test_a_group_is_settled_as_k_of_n_when_each_record_has_its_own_send():
    group = [_sent("a", 10_000), _sent("b", 11_000), _sent("c", 12_000)]
    rows = [_row(1, timestamp=10_200), _row(2, timestamp=12_100, status="PENDING")]
    result = judge_group(group, _walked(rows), CLOSED)
    assert result.verdict is Verdict.SETTLED
    assert ([r.tx_id for r in result.executed], [r.tx_id for r in result.pending]) == ([1], [2])
    assert result.not_executed == 1
    assert str(result).startswith("1 of 3 repays of 0.01 BTC executed (txIds: 1), 1 pending")
    none = judge_group(group, _walked([]), CLOSED)
    assert (none.verdict, none.not_executed) == (Verdict.SETTLED, 3)


def test_a_group_with_more_records_than_sends_or_no_matching_is_ambiguous():
    group = [_sent("a", 10_000), _sent("b", 10_500)]
    three = [_row(n, timestamp=10_000 + n) for n in (1, 2, 3)]
    assert judge_group(group, _walked(three), CLOSED).verdict is Verdict.AMBIGUOUS
    # Two records only the first send's window holds: they can't go to different sends.
    early = [_sent("a", 10_000), _sent("b", 12_000)]
    rows = [_row(1, timestamp=8_600), _row(2, timestamp=8_700)]
    result = judge_group(early, _walked(rows), CLOSED)
    assert result.verdict is Verdict.AMBIGUOUS and "can't each be given" in str(result)
    assert judge_group(group, _walked([]), OPEN).verdict is Verdict.UNKNOWN


def test_a_settled_group_settles_every_send_in_the_ledger():
    ledger = SendLedger()
    sends = [ledger.register(LoanRequest("BTC", "0.01", 10_000 + n, 1_000)) for n in range(3)]
    assert len(ledger.unresolved()) == 3
    result = judge_group(sends, _walked([_row(1, timestamp=10_001)]), CLOSED)
    ledger.settle_group(result)
    assert ledger.unresolved() == ()
    assert set(ledger.owners()) == {1}


def test_a_journal_that_gives_one_tranid_to_two_sends_alike_is_refused(tmp_path):
    from auth_plugin.safe.journal import AckLine, Journal, JournalError

    journal = Journal(tmp_path / "j.journal")
    first = LoanRequest("BTC", "0.01", 10_000, 1_000, "repay", "00000000000000a1")
    second = LoanRequest("BTC", "0.01", 10_400, 1_000, "repay", "00000000000000a2")
    far = LoanRequest("BTC", "0.01", 900_000, 1_000, "repay", "00000000000000a3")
    journal.append(first, AckLine(first.sent_id, 7), far, AckLine(far.sent_id, 7))
    ledger = SendLedger(journal=journal)  # windows apart: both claims kept, each for its own
    assert [s.sent_id for s in ledger.owners()[7]] == [first.sent_id, far.sent_id]
    journal.append(second, AckLine(second.sent_id, 7))
    with pytest.raises(JournalError, match="tranId 7 is given to two sends"):
        SendLedger(journal=journal)
