"""The faults a request that creates a record consumes when it succeeds: pending_record (repays
only), stamp_shift and record_lag (see faults.py).

They are peeked before the ledger call and used after it succeeded, with no await in between:
no other request on the event loop can take the same use, and a rejected request leaves them
armed.
"""

from __future__ import annotations

from typing import NamedTuple

from papi_sandbox.faults import PENDING_RECORD, RECORD_LAG, STAMP_SHIFT, Fault, FaultBoard
from papi_sandbox.record_visibility import HiddenRecords


class RecordFaults(NamedTuple):
    pending: Fault | None
    shift: Fault | None
    lag: Fault | None

    def stamp(self, checked_ms: int) -> int:
        """The record's timestamp for a request whose timestamp check ran at checked_ms."""
        return checked_ms if self.shift is None else checked_ms + self.shift.ms

    def use(self, faults: FaultBoard, hidden: HiddenRecords, tran_id: int, stamp: int) -> None:
        for fault in self:
            if fault is not None:
                faults.use(fault.id)
        if self.lag is not None:
            hidden.hide(tran_id, stamp + self.lag.ms)


def record_faults(faults: FaultBoard, path: str, pending: bool = False) -> RecordFaults:
    """The record faults armed for `path` (pending_record too if `pending`), left armed."""
    return RecordFaults(
        faults.peek(path, PENDING_RECORD) if pending else None,
        faults.peek(path, STAMP_SHIFT),
        faults.peek(path, RECORD_LAG),
    )
