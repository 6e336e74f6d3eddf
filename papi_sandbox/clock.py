"""The sandbox's notion of "now": wall clock plus an offset, or a pinned instant for exact tests.

Listeners (`add_listener`) are called after every change made through the clock (pin, unpin,
shift, set_offset, reset), in the caller's thread and outside the clock's lock: held requests
that a jump made due are released before the call returns. Reading the clock calls nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    def __init__(self, offset_ms: int = 0, wall_ms: Callable[[], int] | None = None) -> None:
        self._lock = threading.Lock()
        self._offset_ms = offset_ms
        self._pinned_ms: int | None = None
        # None: the system clock, read inline in now_ms (no extra call on every request).
        self._wall_ms = wall_ms
        self._listeners: list[Callable[[], None]] = []

    def now_ms(self) -> int:
        with self._lock:
            if self._pinned_ms is not None:
                return self._pinned_ms
            wall_ms = self._wall_ms
            wall = time.time_ns() // 1_000_000 if wall_ms is None else wall_ms()
            return wall + self._offset_ms

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after every change of "now" made through this clock."""
        with self._lock:
            self._listeners.append(listener)

    def _changed(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

    def pin(self, ms: int) -> None:
        with self._lock:
            self._pinned_ms = ms
        self._changed()

    def unpin(self) -> None:
        with self._lock:
            self._pinned_ms = None
        self._changed()

    def shift(self, delta_ms: int) -> None:
        """Move "now" by delta_ms, whether pinned or running."""
        with self._lock:
            if self._pinned_ms is not None:
                self._pinned_ms += delta_ms
            self._offset_ms += delta_ms
        self._changed()

    def set_offset(self, offset_ms: int) -> None:
        with self._lock:
            self._offset_ms = offset_ms
        self._changed()

    def reset(self, offset_ms: int = 0) -> None:
        with self._lock:
            self._pinned_ms = None
            self._offset_ms = offset_ms
        self._changed()

    def snapshot(self) -> dict[str, int | None]:
        with self._lock:
            pinned, offset = self._pinned_ms, self._offset_ms
        return {"now_ms": self.now_ms(), "offset_ms": offset, "pinned_ms": pinned}
