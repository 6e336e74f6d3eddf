"""Was a repay executed? The answer from the repay records (GET /papi/v1/margin/repayLoan).

After an unknown outcome the client looks for a record of the same asset and amount whose
server timestamp is at or after the request's timestamp minus recvWindow. The server accepts a
request only while `serverTime - timestamp <= recvWindow` and `timestamp < serverTime + 1000`,
so the execution time of our repay lies after `timestamp - 1000`; starting the search a whole
recvWindow earlier also covers a local clock that drifted since it was last synced.

"Not executed" means "no matching record at query time". A request can still be queued at the
server for a short while; `RepayClient.reconcile_outcome` therefore waits until the request's
recvWindow has passed (after which the server refuses to execute it with -1021) before
querying.

A match may also be another repay of the same amount in that interval. Records whose txId the
client already knows to belong to another request (a tranId it received, or a record an
earlier reconciliation attributed to another request) are set aside (`known_elsewhere`); any
other match counts, and all of them are reported. When in doubt the answer leans to
"executed": wrongly resending a repay is the mistake this module exists to prevent.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

DEFAULT_RECV_WINDOW_MS = 5000  # the server's default when none is sent
# The server executes a request only while timestamp < serverTime + 1000.
FUTURE_TOLERANCE_MS = 1000
PAGE_SIZE = 100  # the endpoint's maximum
MAX_PAGES = 10
FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class RepayRecordMatch:
    """One repay record that fits the request."""

    tx_id: int
    asset: str
    amount: str
    status: str
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What the records say about a repay of `amount` `asset` sent at `since_ms`."""

    asset: str
    amount: str
    since_ms: int
    searched_from_ms: int
    matches: tuple[RepayRecordMatch, ...]  # most likely first
    known_elsewhere: tuple[int, ...] = ()  # txIds set aside: known to be other requests'

    @property
    def executed(self) -> bool:
        return bool(self.matches)

    @property
    def tran_id(self) -> int | None:
        """The txId of the most likely match (the tranId the repay would have had)."""
        return self.matches[0].tx_id if self.matches else None

    def __str__(self) -> str:
        if not self.matches:
            return "not executed"
        text = f"executed (txId {self.matches[0].tx_id})"
        if len(self.matches) > 1:
            ids = ", ".join(str(m.tx_id) for m in self.matches)
            text += f"; {len(self.matches)} matching records since {self.searched_from_ms}: {ids}"
        return text


def search_start(since_ms: int, recv_window: int | None) -> int:
    """The startTime to query: the request's timestamp minus its recvWindow."""
    return since_ms - (DEFAULT_RECV_WINDOW_MS if recv_window is None else recv_window)


@dataclass(frozen=True, slots=True)
class RecordRow:
    """The fields of a record row that matching needs (from the generated model)."""

    tx_id: int
    asset: str
    amount: str
    status: str
    timestamp_ms: int


def match_records(
    rows: Iterable[RecordRow],
    *,
    asset: str,
    amount: str,
    since_ms: int,
    searched_from_ms: int,
    exclude: Collection[int] = (),
) -> ReconcileResult:
    """The rows of `asset` with the same amount (by value), not FAILED, from the search start,
    except those whose txId is in `exclude`; the most likely match first."""
    wanted = Decimal(amount)
    found = {
        row.tx_id: RepayRecordMatch(row.tx_id, row.asset, row.amount, row.status, row.timestamp_ms)
        for row in rows
        if row.asset == asset
        and row.status != FAILED
        and row.timestamp_ms >= searched_from_ms
        and _same_amount(row.amount, wanted)
    }
    # Most likely ours first: executed no earlier than the server's own rule allows, then
    # closest in time to the request's timestamp.
    earliest_possible = since_ms - FUTURE_TOLERANCE_MS
    ordered = sorted(
        found.values(),
        key=lambda m: (
            m.timestamp_ms <= earliest_possible,
            abs(m.timestamp_ms - since_ms),
            m.tx_id,
        ),
    )
    return ReconcileResult(
        asset,
        amount,
        since_ms,
        searched_from_ms,
        tuple(m for m in ordered if m.tx_id not in exclude),
        tuple(m.tx_id for m in ordered if m.tx_id in exclude),
    )


RequestKey = tuple[str, str, int]  # asset, amount, timestamp of one repay request


class TranIdLedger:
    """Which txIds this client knows the origin of, so reconciliation can set them aside.

    A tranId received in a success belongs to that request; the first record a reconciliation
    matched belongs to the request reconciled. Asking again about the same request sees its own
    record again (reconciling is repeatable). Bounded: the oldest entries are forgotten.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._owners: OrderedDict[int, RequestKey | None] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def executed(self, tran_id: int, request: RequestKey | None = None) -> None:
        with self._lock:
            self._owners.setdefault(tran_id, request)
            self._owners.move_to_end(tran_id)
            while len(self._owners) > self._capacity:
                self._owners.popitem(last=False)

    def not_for(self, request: RequestKey) -> frozenset[int]:
        """txIds known to belong to requests other than `request`."""
        with self._lock:
            return frozenset(t for t, owner in self._owners.items() if owner != request)


def _same_amount(text: str, wanted: Decimal) -> bool:
    try:
        return Decimal(text) == wanted
    except (InvalidOperation, TypeError):
        return False
