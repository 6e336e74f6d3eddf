"""The send ledger stays bounded: past its capacity it forgets the oldest resolved sends (never
an open one), and with them what they owned, so each new send costs the same however long the
client has run (the cost itself is measured by `make bench`, not here)."""

from __future__ import annotations

import re

from auth_plugin.safe.reconcile import LoanRequest
from auth_plugin.safe.sends import SendLedger


def _send(ledger: SendLedger, n: int) -> LoanRequest:
    return ledger.register(LoanRequest("BTC", "0.01", 1_700_000_000_000 + 10_000 * n, 2000))


def test_past_capacity_the_oldest_resolved_sends_are_forgotten_and_open_ones_kept():
    ledger = SendLedger(capacity=5)
    still_open = _send(ledger, 0)  # never answered: must never be forgotten
    acked = []
    for n in range(1, 12):
        sent = _send(ledger, n)
        ledger.acknowledged(sent, 100 + n)
        acked.append(sent)

    assert ledger.unresolved() == (still_open,)
    kept = set(ledger.owners())
    assert kept == {100 + n for n in range(8, 12)}  # the 4 newest, beside the open one
    for sent in acked[:7]:
        assert ledger.find(sent) == ()  # forgotten, and its tranId released
    for sent in acked[7:]:
        assert ledger.find(sent) == (sent,)


def test_a_forgotten_send_releases_its_tranid_for_a_later_owner():
    ledger = SendLedger(capacity=1)
    first = _send(ledger, 0)
    ledger.acknowledged(first, 7)
    second = _send(ledger, 1)  # the first, resolved, is forgotten here
    ledger.acknowledged(second, 7)  # no contradiction with a send no longer known
    assert ledger.owners() == {7: (second,)}


def test_open_sends_past_capacity_are_all_kept_and_the_first_resolved_go_first():
    ledger = SendLedger(capacity=3)
    sends = [_send(ledger, n) for n in range(6)]  # all open: none may be forgotten
    assert ledger.unresolved() == tuple(sends)
    ledger.refused(sends[4])  # resolved first, though sent after the others
    ledger.acknowledged(sends[1], 11)
    _send(ledger, 6)  # 7 known, 3 allowed: both resolved ones go, the open ones stay
    assert ledger.find(sends[4]) == ledger.find(sends[1]) == ()
    assert ledger.owners() == {}
    assert len(ledger.unresolved()) == 5


def test_a_new_send_gets_a_sent_id_the_journal_accepts_and_a_given_one_is_kept():
    ledger = SendLedger()
    ids = {_send(ledger, n).sent_id for n in range(200)}
    assert len(ids) == 200
    assert all(isinstance(i, str) and re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)
    given = LoanRequest("BTC", "0.01", 1_700_000_000_000, 2000, sent_id="00000000000000ab")
    assert ledger.register(given) is given
