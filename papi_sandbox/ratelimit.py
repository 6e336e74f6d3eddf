"""IP request-weight limiter: a rolling window, 429 past the limit, 418 for those who keep going.

A client over the limit gets 429 with Retry-After (seconds until enough weight leaves the
window). After `ban_after_rejections` such 429s in a row, its next over-limit request starts a
ban: 418 with Retry-After (seconds left) on every request until the ban ends. Rejected requests
add no weight and never execute.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple


class Admission(NamedTuple):
    """A request's verdict (a named tuple: built on every request, at half a frozen
    dataclass's cost)."""

    verdict: Literal["ok", "limited", "banned"]
    used_weight: int
    retry_after: int = 0


@dataclass
class _ClientState:
    entries: deque[tuple[float, int]] = field(default_factory=deque)
    used: int = 0
    rejections: int = 0
    banned_until: float = 0.0


class RateLimiter:
    def __init__(
        self,
        weight_limit: int = 6000,
        window_seconds: float = 60.0,
        ban_after_rejections: int = 3,
        ban_seconds: float = 120.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if weight_limit < 1 or window_seconds <= 0 or ban_seconds <= 0:
            raise ValueError("weight_limit, window_seconds and ban_seconds must be positive")
        self.weight_limit = weight_limit
        self.window_seconds = window_seconds
        self.ban_after_rejections = ban_after_rejections
        self.ban_seconds = ban_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._clients: dict[str, _ClientState] = {}

    def admit(self, client: str, weight: int) -> Admission:
        with self._lock:
            now = self._monotonic()
            state = self._clients.get(client)
            if state is None:
                state = self._clients[client] = _ClientState()
            entries = state.entries
            if entries and entries[0][0] <= now - self.window_seconds:  # else nothing expires
                self._expire(state, now)
            if state.banned_until > now:
                return Admission("banned", state.used, _ceil_seconds(state.banned_until - now))
            if state.used + weight <= self.weight_limit:
                entries.append((now, weight))
                state.used += weight
                state.rejections = 0
                return Admission("ok", state.used)
            if state.rejections >= self.ban_after_rejections:
                state.banned_until = now + self.ban_seconds
                state.rejections = 0
                return Admission("banned", state.used, _ceil_seconds(self.ban_seconds))
            state.rejections += 1
            return Admission("limited", state.used, self._seconds_until_room(state, weight, now))

    def used_weight(self, client: str) -> int:
        with self._lock:
            state = self._clients.get(client)
            if state is None:
                return 0
            self._expire(state, self._monotonic())
            return state.used

    def snapshot(self) -> dict[str, dict[str, float | int]]:
        with self._lock:
            now = self._monotonic()
            result: dict[str, dict[str, float | int]] = {}
            for client, state in self._clients.items():
                self._expire(state, now)
                result[client] = {
                    "used_weight": state.used,
                    "banned_for_seconds": max(0.0, state.banned_until - now),
                }
            return result

    def reset(self) -> None:
        with self._lock:
            self._clients.clear()

    def _expire(self, state: _ClientState, now: float) -> None:
        horizon = now - self.window_seconds
        while state.entries and state.entries[0][0] <= horizon:
            _, weight = state.entries.popleft()
            state.used -= weight

    def _seconds_until_room(self, state: _ClientState, weight: int, now: float) -> int:
        remaining = state.used
        for stamp, entry_weight in state.entries:
            remaining -= entry_weight
            if remaining + weight <= self.weight_limit:
                return _ceil_seconds(stamp + self.window_seconds - now)
        return _ceil_seconds(self.window_seconds)


def _ceil_seconds(seconds: float) -> int:
    return max(1, math.ceil(seconds))
