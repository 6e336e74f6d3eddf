"""HeldRequests on its own: released exactly once whichever path gets there first (its own poll
or a clock change from another thread), bounded, and cleared with a -1021 answer."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future

import pytest

from papi_sandbox.clock import Clock
from papi_sandbox.errors import Answer
from papi_sandbox.held_requests import HeldRequests

START = 1_000_000


class Wall:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.ms = START

    def __call__(self) -> int:
        return self.ms


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running in its own thread, as uvicorn's does."""
    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, daemon=True)
    thread.start()
    yield running
    running.call_soon_threadsafe(running.stop)
    thread.join(5)
    running.close()


def _hold(
    loop: asyncio.AbstractEventLoop, held: HeldRequests, due: int, calls: list[int]
) -> Future[Answer]:
    def execute(at: int) -> Answer:
        calls.append(at)
        return 200, b"{}"

    return asyncio.run_coroutine_threadsafe(held.hold(due, execute), loop)


def _wait_held(held: HeldRequests, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(held) != count:
        assert time.monotonic() < deadline, f"{len(held)} held, not {count}"
        time.sleep(0.002)


def test_a_release_racing_the_poll_executes_once(loop):
    wall = Wall()
    clock = Clock(wall_ms=wall)
    held = HeldRequests(clock)
    for round_ in range(30):
        calls: list[int] = []
        due = wall.ms + 10
        answer = _hold(loop, held, due, calls)
        _wait_held(held, 1)
        wall.ms = due  # the poll may release it now...
        clock.shift(0)  # ...and so does this clock change, from this thread
        assert answer.result(timeout=5) == (200, b"{}")
        assert calls == [due], round_
        assert len(held) == 0


def test_a_clock_change_releases_before_it_returns_as_of_the_due_instant(loop):
    clock = Clock()
    clock.pin(START)
    held = HeldRequests(clock)
    calls: list[int] = []
    answer = _hold(loop, held, START + 500, calls)
    _wait_held(held, 1)
    clock.shift(499)
    assert calls == []
    clock.set_offset(10_000)  # no effect while pinned: still not due
    assert calls == []
    clock.pin(START + 100_000)
    assert calls == [START + 500]
    assert answer.result(timeout=5) == (200, b"{}")


def test_beyond_the_limit_a_request_is_refused_unexecuted(loop):
    clock = Clock()
    clock.pin(START)
    held = HeldRequests(clock, limit=2)
    calls: list[int] = []
    kept = [_hold(loop, held, START + 1_000, calls) for _ in range(2)]
    _wait_held(held, 2)
    status, body = _hold(loop, held, START + 1_000, calls).result(timeout=5)
    assert (status, json.loads(body)) == (503, {"code": -1000, "msg": "Service Unavailable."})
    clock.shift(1_000)
    assert [answer.result(timeout=5)[0] for answer in kept] == [200, 200]
    assert calls == [START + 1_000] * 2


def test_clear_answers_1021_and_executes_nothing(loop):
    clock = Clock()
    clock.pin(START)
    held = HeldRequests(clock)
    calls: list[int] = []
    answer = _hold(loop, held, START + 1_000, calls)
    _wait_held(held, 1)
    held.clear()
    status, body = answer.result(timeout=5)
    assert (status, json.loads(body)["code"]) == (400, -1021)
    clock.shift(5_000)
    assert calls == []
    assert len(held) == 0
