"""What a client knows of its own money-moving sends, so reconciliation can tell them apart.

Every send is registered **before** its request leaves (`register`, write-ahead): from then
until an answer or a verdict establishes its outcome it is *open*, and an open send is a rival
of every other alike send (a record it could own is never given to another). A send is then
acknowledged (answered with a tranId, which it owns), refused (a documented rejection: not
executed), or settled by a verdict (owning the record the verdict named, if any).

With a `Journal` the ledger is shared with earlier and concurrent runs: each fact is a line,
written before it is applied (a send whose line can't be written is never sent), and the
journal is read again before a verdict (`refresh`). A tranId claimed by two sends that could
both own its record (same kind, asset and amount, overlapping windows) is a contradiction:
the journal is refused. Claims whose windows are apart can't both count for one record (say,
a journal kept across a server that reused tranIds): both are kept, and each counts only for
a record its window holds.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Literal

from auth_plugin.safe.journal import (
    AckLine,
    Journal,
    JournalError,
    Line,
    RefusedLine,
    SettledLine,
)
from auth_plugin.safe.reconcile import (
    GroupResult,
    Key,
    LoanRequest,
    Margins,
    Owners,
    ReconcileResult,
    Verdict,
)

State = Literal["open", "acked", "refused", "settled"]
RESOLVING = {
    Verdict.EXECUTED: "EXECUTED",
    Verdict.PENDING: "PENDING",
    Verdict.NOT_EXECUTED: "NOT_EXECUTED",
}


@dataclass(frozen=True, slots=True)
class Standing:
    """What a client's own history says about one request, for `judge`."""

    identity: LoanRequest | None  # which send it is (None: not one of this client's, or several)
    owners: Owners  # txIds claimed by other sends
    rivals: tuple[LoanRequest, ...]  # other open sends
    sends_alike: int = 1  # sends a hand description fits


class SendLedger:
    """The sends of one client (and, with a journal, of every run sharing it). Bounded: past
    `capacity`, the oldest resolved sends are forgotten."""

    def __init__(
        self,
        capacity: int = 10_000,
        journal: Journal | None = None,
        margins: Margins | None = None,
    ) -> None:
        self._sends: dict[str, LoanRequest] = {}
        self._state: dict[str, State] = {}
        self._resolved: OrderedDict[str, None] = OrderedDict()  # in the order they resolved
        self._owners: dict[int, list[str]] = {}
        self._owned: dict[str, list[int]] = {}  # sent_id -> the tranIds it holds in _owners
        self._margins = margins or Margins()
        self._by_key: dict[Key, list[str]] = {}
        self._capacity = capacity
        self._journal = journal
        self._lock = threading.Lock()
        if journal is not None:
            self.refresh()

    @property
    def journal(self) -> Journal | None:
        return self._journal

    # -- facts --------------------------------------------------------------------------------

    def register(self, request: LoanRequest) -> LoanRequest:
        """A send about to leave: it, with its `sent_id` (a new one if it has none).
        JournalError: not to be sent."""
        sent = request if request.sent_id is not None else replace(request, sent_id=new_sent_id())
        if self._journal is not None:
            self._journal.append(sent)
        with self._lock:
            self._add(sent)
        return sent

    def acknowledged(self, sent: LoanRequest, tran_id: int) -> None:
        self._record(AckLine(_id(sent), tran_id))

    def refused(self, sent: LoanRequest) -> None:
        """Answered with a documented rejection: not executed."""
        self._record(RefusedLine(_id(sent)))

    def settle(self, result: ReconcileResult, identity: LoanRequest | None) -> None:
        """Learn from a verdict on the send `identity` (None: several alike sends, of which a
        "not executed" settles every one)."""
        name = RESOLVING.get(result.verdict)
        if name is None:
            return
        if identity is not None:
            self._record(SettledLine(_id(identity), name, result.tran_id))
        elif result.verdict is Verdict.NOT_EXECUTED:
            for sent in self.find(result.request):
                self._record(SettledLine(_id(sent), name, None))

    def settle_group(self, result: GroupResult) -> None:
        if result.verdict is not Verdict.SETTLED:
            return
        owned = {_id(sent): tx_id for tx_id, sent in result.owner_of.items()}
        pending = {r.tx_id for r in result.pending}
        for sent in result.sends:
            tx_id = owned.get(_id(sent))
            name = (
                "NOT_EXECUTED" if tx_id is None else "PENDING" if tx_id in pending else "EXECUTED"
            )
            self._record(SettledLine(_id(sent), name, tx_id))

    def _record(self, line: Line) -> None:
        """A fact learnt after a send: kept in memory even if the journal can't take it (the
        send then stays open there, which only makes later verdicts more careful)."""
        if self._journal is not None:
            with contextlib.suppress(JournalError):
                self._journal.append(line)
        with self._lock:
            self._apply(line)

    def refresh(self) -> None:
        """Apply what the journal holds now (other runs' sends and answers)."""
        if self._journal is None:
            return
        lines = self._journal.read()
        with self._lock:
            for line in lines:
                self._apply(line)

    def _apply(self, line: Line) -> None:
        if isinstance(line, LoanRequest):
            if line.sent_id is not None:
                self._add(line)
            return
        if line.sent_id not in self._sends:
            return  # a send forgotten (trimmed, compacted away)
        if isinstance(line, AckLine):
            self._ack(line.sent_id, line.tran_id)
        elif isinstance(line, RefusedLine):
            self._resolve(line.sent_id, "refused")
        else:
            if line.tx_id is not None:
                self._own(line.tx_id, line.sent_id)
            self._resolve(line.sent_id, "settled")

    def _add(self, sent: LoanRequest) -> None:
        sent_id = sent.sent_id
        assert sent_id is not None
        if sent_id in self._sends:
            return
        self._sends[sent_id] = sent
        self._state[sent_id] = "open"
        self._by_key.setdefault(sent.key, []).append(sent_id)
        self._trim()

    def _ack(self, sent_id: str, tran_id: int) -> None:
        if sent_id not in self._sends:
            return  # a send forgotten (trimmed, compacted away)
        self._own(tran_id, sent_id)
        self._state[sent_id] = "acked"
        self._resolved[sent_id] = None

    def _resolve(self, sent_id: str, state: State) -> None:
        """An open send's outcome established (an ack, which owns a tranId, overrides it)."""
        if self._state[sent_id] == "open":
            self._state[sent_id] = state
            self._resolved[sent_id] = None

    def _own(self, tran_id: int, sent_id: str) -> None:
        holders = self._owners.setdefault(tran_id, [])
        if sent_id in holders:
            return
        claim = self._sends[sent_id]
        for holder in holders:
            if _could_share(self._sends[holder], claim, self._margins):
                raise JournalError(
                    f"tranId {tran_id} is given to two sends ({holder} and {sent_id}) that "
                    "could both own its record; "
                    + ("" if self._journal is None else f"the journal {self._journal.path} ")
                    + "can't be trusted: check those repays by hand, then move the file aside"
                )
        holders.append(sent_id)
        self._owned.setdefault(sent_id, []).append(tran_id)

    def _trim(self) -> None:
        # Resolved sends in the order they resolved, the oldest forgotten first: O(1) a send,
        # however many sends stay open.
        while len(self._sends) > self._capacity and self._resolved:
            self._forget(self._resolved.popitem(last=False)[0])

    def _forget(self, sent_id: str) -> None:
        sent = self._sends.pop(sent_id)
        del self._state[sent_id]
        alike = self._by_key.get(sent.key, [])
        if sent_id in alike:
            alike.remove(sent_id)
        if not alike:
            self._by_key.pop(sent.key, None)
        for tran_id in self._owned.pop(sent_id, ()):
            holders = self._owners[tran_id]
            holders.remove(sent_id)
            if not holders:
                del self._owners[tran_id]

    # -- questions ----------------------------------------------------------------------------

    def unresolved(self) -> tuple[LoanRequest, ...]:
        """Open sends: in flight, or of unknown outcome, and settled by no verdict yet."""
        with self._lock:
            return tuple(s for i, s in self._sends.items() if self._state[i] == "open")

    def find(self, request: LoanRequest) -> tuple[LoanRequest, ...]:
        """The known sends a hand description fits (kind, asset, amount, timestamp)."""
        with self._lock:
            return tuple(self._sends[i] for i in self._by_key.get(request.key, ()))

    def standing(self, request: LoanRequest) -> Standing:
        with self._lock:
            identity: LoanRequest | None = None
            alike = 1
            if request.sent_id is not None and request.sent_id in self._sends:
                identity = self._sends[request.sent_id]
            elif request.sent_id is None:
                fitting = self._by_key.get(request.key, [])
                if len(fitting) == 1:
                    identity = self._sends[fitting[0]]
                alike = max(1, len(fitting))
            mine = None if identity is None else identity.sent_id
            if identity is None and alike > 1:
                # Several sends fit and it does not say which: only other keys' records are set
                # aside, and none of those sends is its rival (they are all "it").
                skip = set(self._by_key.get(request.key, ()))
            else:
                skip = {mine} if mine is not None else set()
            owners = {
                t: tuple(self._sends[s] for s in holders if s not in skip)
                for t, holders in self._owners.items()
            }
            rivals = tuple(
                s for i, s in self._sends.items() if self._state[i] == "open" and i not in skip
            )
            return Standing(identity, owners, rivals, alike)

    def owners(self) -> dict[int, tuple[LoanRequest, ...]]:
        with self._lock:
            return {t: tuple(self._sends[s] for s in h) for t, h in self._owners.items()}


def _could_share(one: LoanRequest, other: LoanRequest, margins: Margins) -> bool:
    """Whether one record could be both sends' (then one tranId can't be given to both)."""
    return one.alike(other) and one.window(margins).overlaps(other.window(margins))


def new_sent_id() -> str:
    """16 hex digits naming one send, unique among the runs sharing a journal. Not a secret:
    `random`'s generator (seeded from the OS, reseeded in a forked child) at a third of the
    cost of `secrets`, on every repay's path."""
    return f"{random.getrandbits(64):016x}"


def _id(sent: LoanRequest) -> str:
    if sent.sent_id is None:
        raise ValueError("a send of this client has a sent_id")
    return sent.sent_id
