"""A send still in flight is a rival: registered before it leaves, it keeps another send's
verdict from taking its record; a send that can't be journaled is never sent; a restarted
client finds its unresolved sends in its journal."""

from __future__ import annotations

import asyncio
import fcntl
import os

import pytest

from auth_plugin import OutcomeUnknown
from auth_plugin.safe.journal import Journal, JournalError
from auth_plugin.safe.reconcile import Verdict
from tests.safety.helpers import ACCOUNT, wait_until


@pytest.mark.anyio
async def test_a_cancelled_send_is_never_given_the_record_of_one_still_in_flight(
    sandbox, make_async_client
):
    client = make_async_client()
    # A: held by the server until far past its window, then refused (-1021); the caller
    # gives up on it first.
    sandbox.faults.inject("queue", ms=600_000)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.repay("BTC", "0.01"), timeout=0.2)
    (cancelled,) = client.unresolved
    # B: the same asset and amount, executed at once, its answer slow to come back.
    sandbox.faults.inject("latency_after", seconds=1.0)
    in_flight = asyncio.create_task(client.repay("BTC", "0.01"))
    await asyncio.to_thread(wait_until, lambda: len(sandbox.ledger.repays(ACCOUNT)) == 1)
    (record,) = sandbox.ledger.repays(ACCOUNT)

    result = await client.reconcile_sent(cancelled)
    assert result.verdict is Verdict.AMBIGUOUS, result  # B's record, B in flight: not A's
    assert "in flight" in str(result)

    done = await in_flight
    assert done.tran_id == record.tran_id
    settled = await client.reconcile_sent(cancelled)
    assert settled.verdict is Verdict.NOT_EXECUTED, settled  # B owns it now
    assert client.unresolved == ()
    assert len(sandbox.ledger.repays(ACCOUNT)) == 1  # A never executed


def test_a_send_whose_journal_line_cant_be_written_is_never_sent(sandbox, make_client, tmp_path):
    path = tmp_path / "x.journal"
    client = make_client(journal=Journal(path))
    path.unlink(missing_ok=True)
    path.mkdir()  # a directory where the file should be: nothing can be written
    with pytest.raises(JournalError, match="not a regular file"):
        client.repay("BTC", "0.01")
    with pytest.raises(JournalError):  # a journal unreadable from the start: refused at once
        make_client(journal=Journal(path))
    assert sandbox.counters.get("POST", "/papi/v1/repayLoan") == 0
    assert client.unresolved == ()


def test_a_send_whose_journal_stays_locked_by_another_process_is_never_sent(
    sandbox, make_client, tmp_path
):
    path = tmp_path / "x.journal"
    client = make_client(journal=Journal(path, lock_timeout=0.2))
    holder = os.open(f"{path}.lock", os.O_RDONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # another open file: another process, to flock(2)
        with pytest.raises(JournalError, match="held by another process for over 0.2 s"):
            client.repay("BTC", "0.01")
        assert sandbox.counters.get("POST", "/papi/v1/repayLoan") == 0
        assert client.unresolved == ()
    finally:
        os.close(holder)  # released: the next repay is journaled and sent
    assert client.repay("BTC", "0.01").tran_id == sandbox.ledger.repays(ACCOUNT)[0].tran_id
    assert len(Journal(path).read()) == 2  # its send line and its ack


def test_a_bot_that_restarts_finds_its_unresolved_send_in_the_journal(
    sandbox, make_client, tmp_path
):
    path = tmp_path / "bot.journal"
    first = make_client(journal=Journal(path))
    sandbox.faults.inject("unknown_after")
    with pytest.raises(OutcomeUnknown):
        first.repay("BTC", "0.01")
    first.close()  # the bot dies before reconciling
    again = make_client(journal=Journal(path))
    (sent,) = again.unresolved
    result = again.reconcile_sent(sent)
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert (result.verdict, result.tran_id) == (Verdict.EXECUTED, record.tran_id)
    assert make_client(journal=Journal(path)).unresolved == ()
