"""Requests received per endpoint, so client tests can count what reached the server."""

from __future__ import annotations

import threading
from collections import Counter


class RequestCounters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    @staticmethod
    def key(method: str, path: str) -> str:
        return f"{method.upper()} {path}"

    def record(self, method: str, path: str) -> None:
        key = f"{method.upper()} {path}"  # `key()` inlined: this runs for every request
        with self._lock:
            self._counts[key] += 1

    def get(self, method: str, path: str) -> int:
        with self._lock:
            return self._counts[self.key(method, path)]

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
