"""Was a repay executed? A verdict from the repay records (GET /papi/v1/margin/repayLoan).

Where the record of a request can be. The server executes a request stamped `t` only while
its own clock S satisfies `t < S + 1000` and `S - t <= recvWindow` (else -1021), so it passes
that check at a server time in `[t - 999, t + recvWindow]`. Binance documents neither when the
record is stamped relative to that check nor how soon the records endpoint shows it, so two
bounds are assumed (`Margins`, configurable, stated in every verdict):

- stamp margin D: a record's timestamp lies within D of the check, before it or after it;
- visibility lag L: a record is shown at most L after its timestamp.

So the record lies in `[t - 999 - D, t + recvWindow + D]` (`Window`), and once the server's
clock is past `t + recvWindow + D + L` every record the request can ever have is shown. The
bounds follow from `t` as it was signed, so no error of the local clock enters them; the local
clock matters only for *when* the window is closed, judged on a fresh measurement of the
server's clock minus its uncertainty, taken after any wait.

A record in the window is a candidate when its asset and amount (by value) are the request's,
its status is not FAILED, and it is not known to be another send's (a tranId another send was
answered with, or one an earlier verdict gave to another send: an owner counts only for a
record its own window, asset and amount could hold).

Verdicts (`Verdict`):
- executed: exactly one candidate, CONFIRMED, and no other unresolved send of this client
  (same kind, asset and amount; in flight or of unknown outcome) could own it;
- pending: the same, but the record is not CONFIRMED yet (PENDING): reconcile again later;
- not executed: the window was closed, every page of it was read, and nothing is a candidate
  (a FAILED record of it is named); "unknown" instead if the server's clock is measured to
  have stepped back since the send;
- ambiguous: more than one candidate, or one another unresolved send could own, or a request
  described by hand that fits several of this client's sends, or a record beyond the
  recvWindow a hand description claimed;
- unknown: not every page could be read, the pages disagreed, or the window was still open.
Alike sends that stay ambiguous one by one are settled together (`judge_group`).

Limit no client can lift: a repay of the same asset and amount made by someone else (another
program, the web UI) inside the same window looks exactly like this one; the repay endpoint
has no client id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING

from auth_plugin.signer.errors import InvalidInput

if TYPE_CHECKING:  # one record type per kind: the generated model of a record row
    from papi_repay_client.models import LoanRecord, RepayRecord

    Record = RepayRecord | LoanRecord

DEFAULT_RECV_WINDOW_MS = 5000  # the server's default when none is sent
MAX_RECV_WINDOW_MS = 60000  # the most the server accepts: a hand description without one
# The server executes a request only while timestamp < serverTime + 1000.
FUTURE_TOLERANCE_MS = 1000
EARLIEST_BEFORE_MS = FUTURE_TOLERANCE_MS - 1
# Binance documents neither bound. 5 s each: far beyond the sub-second processing Binance's
# own order docs describe and the client's default read timeout, cheap next to a repay's cost
# of a double payment. Wider bounds only make "ambiguous" likelier and the wait longer.
DEFAULT_STAMP_MARGIN_MS = 5000
DEFAULT_VISIBILITY_LAG_MS = 5000
MAX_MARGIN_MS = 3_600_000
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
    SETTLED = "settled"  # a group of alike sends: "k of n executed" (`judge_group`)


@dataclass(frozen=True, slots=True)
class Margins:
    """The two bounds a verdict rests on (see the module's docstring), in ms."""

    stamp_ms: int = DEFAULT_STAMP_MARGIN_MS
    lag_ms: int = DEFAULT_VISIBILITY_LAG_MS

    def __post_init__(self) -> None:
        for name in ("stamp_ms", "lag_ms"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise InvalidInput(f"{name} must be an int (ms), not {value!r}")
            if not 0 <= value <= MAX_MARGIN_MS:
                raise InvalidInput(f"{name} must be from 0 to {MAX_MARGIN_MS} ms, not {value}")

    def describe(self) -> str:
        return (
            f"a record stamped within {self.stamp_ms} ms of the server's timestamp check and "
            f"shown within {self.lag_ms} ms of its stamp"
        )

    def shown_by(self, window: Window) -> int:
        """The server time by which every record `window` can hold is shown."""
        return window.last + self.lag_ms


Key = tuple[str, str, str, int]


@dataclass(frozen=True, slots=True)
class LoanRequest:
    """One request that moves money (a repay, or a borrow with `kind="borrow"`), as signed:
    the one record of a send, made when the send is (its timestamp picked, before it leaves),
    and carried by the send ledger, the journal, `OutcomeUnknown.request` and every verdict.

    `sent_id` names one send of a client (None: described by hand, not known to be a send of
    this client: its `recv_window` is only a claim, and its window is searched with the
    largest the server allows). `offset_ms` / `uncertainty_ms`: the clock offset the client
    signed `timestamp_ms` with, as last measured (None: never measured).
    """

    asset: str
    amount: str  # canonical decimal text, as sent
    timestamp_ms: int
    recv_window: int  # the one the server applied (its default when none was sent)
    kind: str = "repay"  # "repay": the repay records; "borrow": the loan records
    sent_id: str | None = None
    offset_ms: int | None = None
    uncertainty_ms: int | None = None

    @property
    def key(self) -> Key:
        """What the records can tell of it: kind, asset, amount and signed timestamp."""
        return self.kind, self.asset, self.amount, self.timestamp_ms

    @property
    def operation(self) -> str:
        return self.kind

    def describe(self) -> str:
        return f"{self.kind} of {self.amount} {self.asset} (timestamp {self.timestamp_ms})"

    @property
    def by_hand(self) -> bool:
        return self.sent_id is None

    @property
    def searched_recv_window(self) -> int:
        return MAX_RECV_WINDOW_MS if self.by_hand else self.recv_window

    def window(self, margins: Margins) -> Window:
        """Where its record's timestamp can lie, on the server's clock."""
        return Window(
            self.timestamp_ms - EARLIEST_BEFORE_MS - margins.stamp_ms,
            self.timestamp_ms + self.searched_recv_window + margins.stamp_ms,
        )

    def fits(self, record: Record) -> bool:
        """`record` moved this request's asset and amount (any status, any time)."""
        moved = record.principal if self.kind == "borrow" else getattr(record, "amount", None)
        return (
            record.asset == self.asset
            and isinstance(moved, str)
            and same_amount(moved, self.amount)
        )

    def alike(self, other: LoanRequest) -> bool:
        """Same kind, asset and amount (by value): a record can't tell the two apart."""
        same = (self.kind, self.asset) == (other.kind, other.asset)
        return same and same_amount(self.amount, other.amount)

    def could_own(self, record: Record, margins: Margins) -> bool:
        """Whether `record` can be this request's, by what the server allows."""
        return (
            record.status != FAILED
            and self.fits(record)
            and record.timestamp in self.window(margins)
        )


@dataclass(frozen=True, slots=True)
class Window:
    """Server times `first` to `last`, both included."""

    first: int
    last: int

    def __contains__(self, ms: object) -> bool:
        return isinstance(ms, int) and self.first <= ms <= self.last

    def overlaps(self, other: Window) -> bool:
        return self.first <= other.last and other.first <= self.last

    def union(self, other: Window) -> Window:
        return Window(min(self.first, other.first), max(self.last, other.last))


@dataclass(frozen=True, slots=True)
class Reading:
    """How the records were read: the window searched, the earliest the server's clock could
    show when reading began, and the clock that was measured."""

    window: Window
    margins: Margins
    read_from_ms: int
    clock: str = "the server's time endpoint"
    stepped_back: str = ""  # why the server's clock is known to have stepped back, if it has
    uncalibrated: bool = False  # a send was made before any measurement of the server's clock

    @property
    def closed(self) -> bool:
        """Every record the request(s) can have was shown when reading began."""
        return self.read_from_ms > self.margins.shown_by(self.window)

    def basis(self) -> str:
        """What a "not executed" rests on."""
        text = (
            f"window [{self.window.first}, {self.window.last}] read from server time "
            f"{self.read_from_ms}, as measured at {self.clock}; assumes {self.margins.describe()}"
        )
        if self.uncalibrated:
            text += (
                "; sent before any measurement of the server's clock, so a step back of that "
                "clock since the send could not be seen"
            )
        return text


SAME_AMOUNT_ELSEWHERE = (
    "a repay of the same asset and amount by another program in this window would look the same"
)


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """The verdict on `request`, with the records it rests on."""

    verdict: Verdict
    request: LoanRequest
    candidates: tuple[Record, ...] = ()  # closest in time first
    known_elsewhere: tuple[int, ...] = ()  # txIds in the window set aside: other sends'
    reason: str = ""
    records_read: int = 0
    failed: tuple[int, ...] = ()  # FAILED records of this request's asset, amount and window
    reading: Reading | None = None

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

    def __str__(self) -> str:
        what = "repay" if self.request.kind == "repay" else self.request.kind
        if self.verdict is Verdict.EXECUTED:
            record = self.candidates[0]
            return (
                f"executed (txId {record.tx_id}, stamped {record.timestamp}): the only record "
                f"of a {what} of {self.request.amount} {self.request.asset} that can be this "
                f"one; {SAME_AMOUNT_ELSEWHERE}"
            )
        if self.verdict is Verdict.PENDING:
            record = self.candidates[0]
            return (
                f"pending (txId {record.tx_id}, status {record.status}): the {what} is recorded "
                "but not confirmed yet; reconcile again later"
            )
        if self.verdict is Verdict.NOT_EXECUTED:
            failed = "".join(f": record {tx} FAILED" for tx in self.failed)
            basis = "" if self.reading is None else f" ({self.reading.basis()})"
            return f"not executed{failed}{basis}"
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


Owners = Mapping[int, Sequence[LoanRequest]]  # txId -> the sends that claim it


def _set_apart(
    rows: Iterable[Record], owners: Owners, margins: Margins
) -> tuple[list[Record], list[int]]:
    """(rows not known to be another send's, txIds of those that are): an owner counts only
    for a record its own asset, amount and window could hold."""
    free, taken = [], []
    for row in rows:
        if any(owner.could_own(row, margins) for owner in owners.get(row.tx_id, ())):
            taken.append(row.tx_id)
        else:
            free.append(row)
    return free, sorted(taken)


def judge(
    request: LoanRequest,
    walk: RecordWalk,
    reading: Reading,
    *,
    owners: Owners | None = None,
    rivals: Iterable[LoanRequest] = (),
    sends_alike: int = 1,
) -> ReconcileResult:
    """The verdict on `request` from what `walk` read (see the module's docstring).

    `owners`: txIds known to be other sends' (tranId -> that send). `rivals`: this client's
    other sends whose outcome is not established (in flight, or unknown). `sends_alike`: how
    many sends of this client a hand description fits (more than one: it can't say which).
    """
    margins = reading.margins
    window = request.window(margins)
    fitting = [row for row in walk.rows.values() if request.fits(row) and row.timestamp in window]
    failed = tuple(sorted(row.tx_id for row in fitting if row.status == FAILED))
    live = [row for row in fitting if row.status != FAILED]
    free, set_aside = _set_apart(live, owners or {}, margins)
    candidates = tuple(
        sorted(free, key=lambda row: (abs(row.timestamp - request.timestamp_ms), row.tx_id))
    )

    def result(verdict: Verdict, reason: str = "") -> ReconcileResult:
        return ReconcileResult(
            verdict,
            request,
            candidates,
            tuple(set_aside),
            reason,
            len(walk.rows),
            failed,
            reading,
        )

    what = request.kind
    if not walk.complete:
        return result(Verdict.UNKNOWN, walk.problem or "the records were not read")
    if len(candidates) > 1:
        return result(Verdict.AMBIGUOUS, f"{len(candidates)} records could be this {what}")
    claimed_last = request.timestamp_ms + request.recv_window + margins.stamp_ms
    beyond = [row for row in candidates if row.timestamp > claimed_last]
    if request.by_hand and beyond:
        return result(
            Verdict.AMBIGUOUS,
            f"a record at {beyond[0].timestamp} lies outside the recvWindow you gave "
            f"({request.recv_window} ms)",
        )
    if not reading.closed:
        return result(
            Verdict.UNKNOWN,
            f"the request could still execute or its record still appear until server time "
            f"{margins.shown_by(window)}; reconcile again after it",
        )
    if not candidates:
        if reading.stepped_back:
            return result(Verdict.UNKNOWN, reading.stepped_back)
        return result(Verdict.NOT_EXECUTED)
    if sends_alike > 1:
        return result(
            Verdict.AMBIGUOUS,
            f"{sends_alike} sends of this client were signed with this asset, amount and "
            "timestamp, and the records can't tell them apart",
        )
    (record,) = candidates
    could = [
        other for other in rivals if other.kind == request.kind and other.could_own(record, margins)
    ]
    if could:
        stamps = ", ".join(str(other.timestamp_ms) for other in could)
        return result(
            Verdict.AMBIGUOUS,
            f"the record could also be that of another {what} of this client whose outcome "
            f"is not established, in flight or unknown (timestamp {stamps})",
        )
    if record.status != CONFIRMED:
        return result(Verdict.PENDING)
    return result(Verdict.EXECUTED)


@dataclass(frozen=True, slots=True)
class GroupResult:
    """The verdict on alike sends reconciled together: SETTLED ("k of n executed", with the
    records, which settles every one of them), AMBIGUOUS or UNKNOWN."""

    verdict: Verdict
    sends: tuple[LoanRequest, ...]
    executed: tuple[Record, ...] = ()  # CONFIRMED records of the group
    pending: tuple[Record, ...] = ()  # recorded, not confirmed yet
    owner_of: Mapping[int, LoanRequest] = field(default_factory=dict)  # one matching, by txId
    reason: str = ""
    reading: Reading | None = None

    @property
    def not_executed(self) -> int:
        return len(self.sends) - len(self.executed) - len(self.pending)

    def __str__(self) -> str:
        first = self.sends[0]
        what = f"{len(self.sends)} {first.kind}s of {first.amount} {first.asset}"
        if self.verdict is not Verdict.SETTLED:
            return f"{self.verdict.value}: {what}: {self.reason}"
        ids = ", ".join(str(r.tx_id) for r in self.executed) or "none"
        text = f"{len(self.executed)} of {what} executed (txIds: {ids})"
        if self.pending:
            text += (
                f", {len(self.pending)} pending ({', '.join(str(r.tx_id) for r in self.pending)})"
            )
        text += f", {self.not_executed} not executed"
        basis = "" if self.reading is None else f" ({self.reading.basis()})"
        return f"{text}; {SAME_AMOUNT_ELSEWHERE}{basis}"


def groups_of(sends: Iterable[LoanRequest], margins: Margins) -> list[tuple[LoanRequest, ...]]:
    """Sends of one kind, asset and amount whose windows overlap (transitively), as groups."""
    by_kind: dict[tuple[str, str, Decimal], list[LoanRequest]] = {}
    for sent in sends:
        by_kind.setdefault((sent.kind, sent.asset, Decimal(sent.amount)), []).append(sent)
    groups: list[tuple[LoanRequest, ...]] = []
    for alike in by_kind.values():
        alike.sort(key=lambda s: s.window(margins).first)
        current: list[LoanRequest] = []
        reach: Window | None = None
        for sent in alike:
            window = sent.window(margins)
            if reach is not None and window.overlaps(reach):
                current.append(sent)
                reach = reach.union(window)
            else:
                if current:
                    groups.append(tuple(current))
                current, reach = [sent], window
        if current:
            groups.append(tuple(current))
    return groups


def group_window(sends: Sequence[LoanRequest], margins: Margins) -> Window:
    window = sends[0].window(margins)
    for sent in sends[1:]:
        window = window.union(sent.window(margins))
    return window


def judge_group(
    sends: Sequence[LoanRequest],
    walk: RecordWalk,
    reading: Reading,
    *,
    owners: Owners | None = None,
) -> GroupResult:
    """The verdict on a group (`groups_of`): k records in the union of the windows, each given
    to a different send whose window holds it, settle all n as "k of n executed"."""
    margins = reading.margins
    group = tuple(sends)

    def result(verdict: Verdict, reason: str = "", **found: object) -> GroupResult:
        return GroupResult(verdict, group, reason=reason, reading=reading, **found)  # type: ignore[arg-type]

    if not walk.complete:
        return result(Verdict.UNKNOWN, walk.problem or "the records were not read")
    if not reading.closed:
        return result(
            Verdict.UNKNOWN,
            f"a send could still execute or its record still appear until server time "
            f"{margins.shown_by(reading.window)}",
        )
    live = [
        row for row in walk.rows.values() if any(sent.could_own(row, margins) for sent in group)
    ]
    records, _ = _set_apart(live, owners or {}, margins)
    if len(records) > len(group):
        return result(
            Verdict.AMBIGUOUS,
            f"{len(records)} records for {len(group)} sends: not all can be theirs",
        )
    matching = _match(records, group, margins)
    if matching is None:
        return result(
            Verdict.AMBIGUOUS,
            "the records can't each be given to a different send whose window holds it",
        )
    if not records and reading.stepped_back:
        return result(Verdict.UNKNOWN, reading.stepped_back)
    ordered = sorted(records, key=lambda row: row.tx_id)
    return result(
        Verdict.SETTLED,
        executed=tuple(r for r in ordered if r.status == CONFIRMED),
        pending=tuple(r for r in ordered if r.status != CONFIRMED),
        owner_of=matching,
    )


def _match(
    records: Sequence[Record], sends: Sequence[LoanRequest], margins: Margins
) -> dict[int, LoanRequest] | None:
    """Each record given to a different send that could own it (augmenting paths), or None."""
    holder: dict[int, int] = {}  # send index -> record index

    def place(r: int, seen: set[int]) -> bool:
        for s, sent in enumerate(sends):
            if s in seen or not sent.could_own(records[r], margins):
                continue
            seen.add(s)
            if s not in holder or place(holder[s], seen):
                holder[s] = r
                return True
        return False

    for r in range(len(records)):
        if not place(r, set()):
            return None
    return {records[r].tx_id: sends[s] for s, r in holder.items()}


def same_amount(text: str, wanted: str) -> bool:
    try:
        return Decimal(text) == Decimal(wanted)
    except (InvalidOperation, TypeError):
        return False
