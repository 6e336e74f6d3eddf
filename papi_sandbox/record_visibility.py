"""Records that exist but the record queries do not show yet (the record_lag fault).

Kept beside the ledger, not in it: the ledger holds every record at once (balances moved,
the admin API lists it); the public record queries filter out those whose "visible from"
instant the sandbox clock has not reached. Keyed by tranId, which repays and loans share.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, TypeVar


class _HasTranId(Protocol):
    @property
    def tran_id(self) -> int: ...


R = TypeVar("R", bound=_HasTranId)


class HiddenRecords:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._visible_from: dict[int, int] = {}

    def hide(self, tran_id: int, until_ms: int) -> None:
        """Show the record only while the sandbox clock is at `until_ms` or later."""
        with self._lock:
            self._visible_from[tran_id] = until_ms

    def visible(self, rows: Sequence[R], now_ms: int) -> Sequence[R]:
        if not self._visible_from:  # the usual case: nothing hidden
            return rows
        with self._lock:
            visible_from = dict(self._visible_from)
        return [row for row in rows if visible_from.get(row.tran_id, now_ms) <= now_ms]

    def clear(self) -> None:
        with self._lock:
            self._visible_from.clear()
