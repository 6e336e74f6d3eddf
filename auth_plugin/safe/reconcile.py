"""Was a repay executed? A verdict from the repay records (GET /papi/v1/margin/repayLoan).

Where the record of a request can be. The server executes a request stamped `t` only while
its own clock S satisfies `t < S + 1000` and `S - t <= recvWindow` (else -1021), and the
record carries S at execution. So on the server's clock the record lies in
`[t - 999, t + recvWindow + EXECUTION_SLACK_MS]` (the slack covers the time between the
server's timestamp check and the stamp on the record). The bounds follow from `t` as it was
sent, so no error of the local clock enters them. The local clock matters only for *when* the
window is closed, i.e. the server's clock is past its end and the request can no longer
execute: that is judged on a fresh measurement of the server's clock minus its uncertainty
(`window_closed`).

A record in the window is a candidate when its asset and amount (by value) are the request's,
its status is not FAILED, and it is not known to be another request's: a tranId this client
received in a success, or a record an earlier reconciliation gave to another request.

Verdicts (`Verdict`):
- executed: exactly one candidate, CONFIRMED, and no other unresolved request of this client
  (same asset and amount, its outcome never established) could own it;
- pending: the same, but the record is not CONFIRMED yet (PENDING): reconcile again later;
- not executed: the window was closed, every page of it was read, and nothing is a candidate;
- ambiguous: more than one candidate, or one an unresolved earlier request could own, or
  the request was described by hand and fits several of this client's sends (signed in the
  same ms with the same asset and amount: `SentRepay.sent_id` tells them apart);
- unknown: not every page could be read, the pages disagreed, or the window was still open.

Limit: a repay of the same asset and amount made by someone else (another program, the web
UI) inside the same window looks exactly like this one; the repay endpoint has no client id.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # one record type per kind: the generated model of a record row
    from papi_repay_client.models import LoanRecord, RepayRecord

    Record = RepayRecord | LoanRecord

DEFAULT_RECV_WINDOW_MS = 5000  # the server's default when none is sent
# The server executes a request only while timestamp < serverTime + 1000.
FUTURE_TOLERANCE_MS = 1000
EARLIEST_BEFORE_MS = FUTURE_TOLERANCE_MS - 1
# Between the server's timestamp check and the record's stamp. Binance documents no figure;
# the sandbox stamps in the same step. Wider only makes "ambiguous" likelier, never a lie.
EXECUTION_SLACK_MS = 500
PAGE_SIZE = 100  # the endpoint's maximum
MAX_PAGES = 100  # 10,000 records (1,000 weight); a fuller window is reported as unknown
FAILED = "FAILED"
CONFIRMED = "CONFIRMED"


class Verdict(StrEnum):
    EXECUTED = "executed"
    PENDING = "pending"
    NOT_EXECUTED = "not executed"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


Key = tuple[str, str, str, int]


def key_of(kind: str, asset: str, amount: str, timestamp_ms: int) -> Key:
    """What the records can tell of a send: its kind, asset, amount (canonical text) and
    signed timestamp. Two sends signed in the same ms with the same asset and amount share it."""
    return kind, asset, amount, timestamp_ms


@dataclass(frozen=True, slots=True)
class SentRepay:
    """What reconciliation needs of one request that moves money (a repay, or a borrow with
    `kind="borrow"`): what was signed."""

    asset: str
    amount: str  # canonical decimal text, as sent
    timestamp_ms: int
    recv_window: int  # the one the server applied (its default when none was sent)
    # A call interrupted in flight (e.g. cancelled) knows only that it was signed with a
    # timestamp in [timestamp_ms, signed_until_ms].
    signed_until_ms: int | None = None
    kind: str = "repay"  # "repay": the repay records; "borrow": the loan records
    # Which send of its client this is (given by `TranIdLedger`); None when described by hand.
    # Two sends signed in the same ms with the same asset and amount share a `key`.
    sent_id: int | None = None

    @property
    def earliest_ms(self) -> int:
        """The earliest server time its record can carry."""
        return self.timestamp_ms - EARLIEST_BEFORE_MS

    @property
    def latest_ms(self) -> int:
        """The latest server time its record can carry; after it, it can't execute."""
        last_stamp = self.timestamp_ms if self.signed_until_ms is None else self.signed_until_ms
        return last_stamp + self.recv_window + EXECUTION_SLACK_MS

    @property
    def key(self) -> Key:
        """What the records can tell of it (`key_of`)."""
        return key_of(self.kind, self.asset, self.amount, self.timestamp_ms)

    def could_own(self, record: Record) -> bool:
        """Whether `record` can be this request's, by what the server allows."""
        moved = record.principal if self.kind == "borrow" else getattr(record, "amount", None)
        return (
            record.asset == self.asset
            and record.status != FAILED
            and self.earliest_ms <= record.timestamp <= self.latest_ms
            and isinstance(moved, str)
            and _same_amount(moved, self.amount)
        )


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """The verdict on `request`, with the records it rests on."""

    verdict: Verdict
    request: SentRepay
    candidates: tuple[Record, ...] = ()  # closest in time first
    known_elsewhere: tuple[int, ...] = ()  # txIds in the window set aside: other requests'
    reason: str = ""
    records_read: int = 0

    @property
    def executed(self) -> bool:
        """True only for the verdict "executed"."""
        return self.verdict is Verdict.EXECUTED

    @property
    def tran_id(self) -> int | None:
        """The txId of the record that is this request's (executed or pending), else None."""
        if self.verdict in (Verdict.EXECUTED, Verdict.PENDING):
            return self.candidates[0].tx_id
        return None

    @property
    def matches(self) -> tuple[Record, ...]:
        return self.candidates

    @property
    def searched_from_ms(self) -> int:
        return self.request.earliest_ms

    @property
    def searched_to_ms(self) -> int:
        return self.request.latest_ms

    def __str__(self) -> str:
        if self.verdict is Verdict.EXECUTED:
            return f"executed (txId {self.candidates[0].tx_id})"
        if self.verdict is Verdict.PENDING:
            record = self.candidates[0]
            return (
                f"pending (txId {record.tx_id}, status {record.status}): the repay is recorded "
                "but not confirmed yet; reconcile again later"
            )
        if self.verdict is Verdict.NOT_EXECUTED:
            return "not executed"
        listed = ", ".join(f"txId {r.tx_id} at {r.timestamp}" for r in self.candidates)
        if self.verdict is Verdict.AMBIGUOUS:
            return f"ambiguous: {self.reason}: {listed}"
        text = f"unknown: {self.reason}"
        return f"{text}; candidates seen so far: {listed}" if listed else text


@dataclass
class RecordWalk:
    """Reads the window's records page by page, until `total` is covered or a page fails."""

    max_pages: int = MAX_PAGES
    rows: dict[int, Record] = field(default_factory=dict)
    total: int | None = None
    pages_read: int = 0
    problem: str | None = None

    def next_page(self) -> int | None:
        """The page to read next (1-based), or None when done (see `complete`)."""
        if self.problem is not None or (self.total is not None and len(self.rows) >= self.total):
            return None
        return self.pages_read + 1

    def add(self, rows: Sequence[Record], total: int) -> None:
        page = self.pages_read + 1
        self.pages_read = page
        if self.total is None:
            self.total = total
            if total > self.max_pages * PAGE_SIZE:
                self.problem = (
                    f"the window holds {total} records, more than the {self.max_pages * PAGE_SIZE} "
                    "this client reads"
                )
                return
        elif total != self.total:
            self.problem = f"the record count changed from {self.total} to {total} while reading"
            return
        if len(rows) > PAGE_SIZE or any(row.tx_id in self.rows for row in rows):
            self.problem = f"page {page} repeated records or was longer than asked"
            return
        self.rows.update((row.tx_id, row) for row in rows)
        if not rows and len(self.rows) < total:
            self.problem = f"page {page} was empty after {len(self.rows)} of {total} records"

    def fail(self, reason: str) -> None:
        self.problem = reason

    @property
    def complete(self) -> bool:
        return self.problem is None and self.total is not None and len(self.rows) == self.total


def judge(
    request: SentRepay,
    walk: RecordWalk,
    *,
    window_closed: bool,
    known_elsewhere: Iterable[int] = (),
    unresolved: Iterable[SentRepay] = (),
    sends_alike: int = 1,
) -> ReconcileResult:
    """The verdict on `request` from what `walk` read (see the module's docstring).

    `unresolved`: this client's other requests whose outcome is unknown. `sends_alike`: how
    many requests of this client `request` describes (more than one were signed in the same
    ms with its asset and amount, and it does not say which it is).
    """
    elsewhere = frozenset(known_elsewhere)
    in_window = [row for row in walk.rows.values() if request.could_own(row)]
    set_aside = tuple(sorted(row.tx_id for row in in_window if row.tx_id in elsewhere))
    candidates = tuple(
        sorted(
            (row for row in in_window if row.tx_id not in elsewhere),
            key=lambda row: (abs(row.timestamp - request.timestamp_ms), row.tx_id),
        )
    )

    def result(verdict: Verdict, reason: str = "") -> ReconcileResult:
        return ReconcileResult(verdict, request, candidates, set_aside, reason, len(walk.rows))

    if not walk.complete:
        return result(Verdict.UNKNOWN, walk.problem or "the records were not read")
    if len(candidates) > 1:
        return result(Verdict.AMBIGUOUS, f"{len(candidates)} records could be this repay")
    if not window_closed:
        return result(
            Verdict.UNKNOWN,
            f"the request could still execute until server time {request.latest_ms}; "
            "reconcile again after it",
        )
    if not candidates:
        return result(Verdict.NOT_EXECUTED)
    if sends_alike > 1:
        return result(
            Verdict.AMBIGUOUS,
            f"{sends_alike} requests of this client were signed with this asset, amount and "
            "timestamp, and the records can't tell them apart",
        )
    (record,) = candidates
    rivals = [
        other for other in unresolved if other.kind == request.kind and other.could_own(record)
    ]
    if rivals:
        stamps = ", ".join(str(other.timestamp_ms) for other in rivals)
        return result(
            Verdict.AMBIGUOUS,
            f"the record could also be that of an earlier {request.kind} whose outcome is unknown "
            f"(timestamp {stamps})",
        )
    if record.status != CONFIRMED:
        return result(Verdict.PENDING)
    return result(Verdict.EXECUTED)


Identity = tuple[Key, int | None]  # a key and a sent_id: one send (None: one described by hand)


@dataclass(frozen=True, slots=True)
class Standing:
    """What a client's own history says about one request, for `judge`."""

    identity: Identity | None  # which send it is; None if it fits several and doesn't say
    known_elsewhere: frozenset[int]  # txIds owned by other requests
    rivals: tuple[SentRepay, ...]  # other requests whose outcome is unknown
    sends_alike: int = 1


class TranIdLedger:
    """What this client knows of its own repays, so reconciliation can tell them apart.

    Every send it hears of (an acknowledgement, or an unknown outcome) gets a `sent_id`.
    Owners: a tranId received in a success belongs to that send; the record an "executed" or
    "pending" verdict named belongs to the send reconciled. Unresolved: sends whose outcome
    is unknown and not yet established by a verdict. A request described by hand (no
    `sent_id`) is the one send of its key, if there is one. Bounded: the oldest entries are
    forgotten.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._owners: OrderedDict[int, Identity | None] = OrderedDict()
        self._unresolved: OrderedDict[Identity, SentRepay] = OrderedDict()
        self._sends: OrderedDict[Key, list[int]] = OrderedDict()
        self._next_id = 1
        self._capacity = capacity
        self._lock = threading.Lock()

    def executed(self, tran_id: int, request: SentRepay | None = None) -> None:
        """A send of `request` (if known) acknowledged with `tran_id`."""
        if request is None:
            with self._lock:
                self._own(tran_id, None)
        else:
            self.acknowledged(tran_id, request.key)

    def acknowledged(self, tran_id: int, key: Key) -> None:
        """A new send of `key` (`key_of`) acknowledged with `tran_id`."""
        with self._lock:
            self._own(tran_id, (key, self._register(key, None)))

    def unknown(self, request: SentRepay) -> SentRepay:
        """`request` was sent and its outcome is unknown: it, with its `sent_id`."""
        with self._lock:
            sent_id = self._register(request.key, request.sent_id)
            if sent_id != request.sent_id:
                request = replace(request, sent_id=sent_id)
            self._unresolved[(request.key, sent_id)] = request
            _trim(self._unresolved, self._capacity)
            return request

    def unresolved(self) -> tuple[SentRepay, ...]:
        with self._lock:
            return tuple(self._unresolved.values())

    def standing(self, request: SentRepay) -> Standing:
        with self._lock:
            key, sends = request.key, self._sends.get(request.key, [])
            identity = self._identify(request, sends)
            owners = self._owners.items()
            if identity is None:  # several sends alike: only other keys' records are set aside
                elsewhere = frozenset(t for t, o in owners if o is None or o[0] != key)
            else:
                elsewhere = frozenset(t for t, o in owners if o != identity)
            rivals = tuple(r for i, r in self._unresolved.items() if i != identity)
            return Standing(identity, elsewhere, rivals, 1 if identity else len(sends))

    def not_for(self, request: SentRepay) -> frozenset[int]:
        """txIds known to belong to requests other than `request`."""
        return self.standing(request).known_elsewhere

    def settle(self, result: ReconcileResult, identity: Identity | None) -> None:
        """Learn from a verdict on the send `identity` (None: on every send of its key)."""
        self._learn(result.request.key, identity, result.verdict, result.tran_id)

    def resolved(self, request: SentRepay, tran_id: int | None) -> None:
        """`request`'s outcome is known: it owns `tran_id`, or (None) it did not execute."""
        with self._lock:
            identity = self._identify(request, self._sends.get(request.key, []))
        verdict = Verdict.NOT_EXECUTED if tran_id is None else Verdict.EXECUTED
        self._learn(request.key, identity, verdict, tran_id)

    def _learn(
        self, key: Key, identity: Identity | None, verdict: Verdict, tran_id: int | None
    ) -> None:
        with self._lock:
            if identity is None:  # several sends alike: only "none of them executed" is learnt
                if verdict is Verdict.NOT_EXECUTED:
                    for sent_id in self._sends.get(key, []):
                        self._unresolved.pop((key, sent_id), None)
            elif verdict in (Verdict.EXECUTED, Verdict.PENDING, Verdict.NOT_EXECUTED):
                if tran_id is not None:
                    self._own(tran_id, identity)
                self._unresolved.pop(identity, None)

    def _identify(self, request: SentRepay, sends: list[int]) -> Identity | None:
        if request.sent_id is not None and request.sent_id in sends:
            return request.key, request.sent_id
        if len(sends) > 1:
            return None
        return request.key, (sends[0] if sends else None)

    def _register(self, key: Key, sent_id: int | None) -> int:
        """A send of `key` (a new one, given the next id, if `sent_id` is None): its id."""
        sends = self._sends.get(key)
        if sent_id is None:
            sent_id, self._next_id = self._next_id, self._next_id + 1
        elif sends is not None and sent_id in sends:
            return sent_id
        if sends is None:
            self._sends[key] = [sent_id]
            _trim(self._sends, self._capacity)
        else:
            sends.append(sent_id)
        return sent_id

    def _own(self, tran_id: int, owner: Identity | None) -> None:
        self._owners[tran_id] = owner
        self._owners.move_to_end(tran_id)
        _trim(self._owners, self._capacity)


def _trim(entries: OrderedDict[Any, Any], capacity: int) -> None:
    while len(entries) > capacity:
        entries.popitem(last=False)


def _same_amount(text: str, wanted: str) -> bool:
    try:
        return Decimal(text) == Decimal(wanted)
    except (InvalidOperation, TypeError):
        return False
