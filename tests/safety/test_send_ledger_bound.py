"""The send ledger stays bounded: past its capacity it forgets the oldest resolved sends (never
an open one), and with them what they owned, so each new send costs the same however long the
client has run (the cost itself is measured by `make bench`, not here)."""

from __future__ import annotations

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
