"""Requests held before their timestamp check (the queue faults), released at an instant X of
the sandbox clock and then checked and executed as of X.

A held request is released by whichever comes first: its own poll (every <= 10 ms of real
time) finding the sandbox clock at X, or a change of the clock (pin, shift, offset) past X,
which releases it before the clock call returns, so that a test that jumps the clock sees
the execution at once. Either way it executes exactly once (its lock and `answer`), on the
event loop that serves it: a clock changed from another thread waits for that loop to run
the release. At most MAX_HELD are held; one more is refused with 503 "Service Unavailable."
(nothing executed). `clear()` (the sandbox's reset) answers every held request -1021 "outside
of the recvWindow" without executing it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from papi_sandbox import errors
from papi_sandbox.clock import Clock
from papi_sandbox.errors import Answer

MAX_HELD = 1000
POLL_SECONDS = 0.01
# How long a clock change made in another thread waits for the serving loop to release.
RELEASE_WAIT_SECONDS = 10.0

Execute = Callable[[int], Answer]


class _Held:
    __slots__ = ("due_ms", "execute", "loop", "thread", "lock", "answer")

    def __init__(self, due_ms: int, execute: Execute, loop: asyncio.AbstractEventLoop) -> None:
        self.due_ms = due_ms
        self.execute = execute
        self.loop = loop
        self.thread = threading.get_ident()
        self.lock = threading.Lock()
        self.answer: Answer | None = None


class HeldRequests:
    def __init__(self, clock: Clock, limit: int = MAX_HELD) -> None:
        self._clock = clock
        self._limit = limit
        self._lock = threading.Lock()
        self._held: list[_Held] = []
        clock.add_listener(self._clock_changed)

    def __len__(self) -> int:
        with self._lock:
            return len(self._held)

    async def hold(self, due_ms: int, execute: Execute) -> Answer:
        """`execute(X)`'s answer, once the sandbox clock has reached X = due_ms (or a refusal,
        see the module's docstring)."""
        held = _Held(due_ms, execute, asyncio.get_running_loop())
        with self._lock:
            if len(self._held) >= self._limit:
                return errors.error_answer(errors.service_unavailable())
            self._held.append(held)
        try:
            while held.answer is None:
                remaining_ms = due_ms - self._clock.now_ms()
                if remaining_ms <= 0:
                    self._release(held)
                else:
                    await asyncio.sleep(min(POLL_SECONDS, remaining_ms / 1000))
        finally:
            self._forget(held)
        return held.answer

    def clear(self) -> None:
        with self._lock:
            held, self._held = self._held, []
        for request in held:
            with request.lock:
                if request.answer is None:
                    request.answer = errors.error_answer(errors.timestamp_outside_window())

    def _release(self, held: _Held) -> None:
        with held.lock:
            if held.answer is None:
                held.answer = held.execute(held.due_ms)
        self._forget(held)

    def _forget(self, held: _Held) -> None:
        with self._lock:
            if held in self._held:
                self._held.remove(held)

    def _clock_changed(self) -> None:
        now = self._clock.now_ms()
        with self._lock:
            due = [held for held in self._held if held.due_ms <= now]
        here = threading.get_ident()
        elsewhere: dict[asyncio.AbstractEventLoop, list[_Held]] = {}
        for held in due:
            if held.thread == here:
                self._release(held)
            else:
                elsewhere.setdefault(held.loop, []).append(held)
        for loop, group in elsewhere.items():
            self._release_on(loop, group)

    def _release_on(self, loop: asyncio.AbstractEventLoop, group: list[_Held]) -> None:
        """Release on the loop that serves them, and wait for it (a loop no longer running
        leaves them to nobody: their requests are gone)."""
        done = threading.Event()

        def release() -> None:
            try:
                for held in group:
                    self._release(held)
            finally:
                done.set()

        if not loop.is_running():
            return
        try:
            loop.call_soon_threadsafe(release)
        except RuntimeError:  # closed meanwhile
            return
        done.wait(RELEASE_WAIT_SECONDS)
