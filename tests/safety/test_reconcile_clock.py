"""The reconciliation's clock logic, driven without a server: the flow is sans-IO, so a small
simulated world answers its effects with exact times.

The world: the server's clock runs `OFFSET_MS` ahead of the local one; each time read takes a
round trip of the given length, and the server reads its clock at the very end of it (the
worst case for the midpoint guess: it is half a round trip ahead of the server). The records
endpoint answers an empty page and notes the server's true time when it was first read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest

from auth_plugin.safe.answers import Headers, Reply
from auth_plugin.safe.config import ClientConfig
from auth_plugin.safe.effects import Call, Sleep
from auth_plugin.safe.flow import SafeFlow
from auth_plugin.safe.reconcile import LoanRequest, Margins, Verdict
from auth_plugin.signer.clock import Clock, ReadServerTime, TimeReading
from auth_plugin.signer.credentials import Credentials
from auth_plugin.signer.keys import HmacKey

OFFSET_MS = 3_000
MS = 1_000_000  # ns


@dataclass
class World:
    round_trips_ms: list[int]  # one per time read, in order (the last repeats)
    step_back_ms: int = 0  # the server's clock steps back by this after the first read
    local_ns: int = 1_800_000_000_000 * MS
    reads: int = 0
    first_records_read_at: int | None = None  # the server's true time then
    log: list[str] = field(default_factory=list)

    def local(self) -> int:
        return self.local_ns

    def server_ms(self) -> int:
        step = self.step_back_ms if self.reads > 3 else 0
        return self.local_ns // MS + OFFSET_MS - step

    def perform(self, effect: object) -> object:
        if isinstance(effect, Sleep):
            self.local_ns += round(effect.seconds * 1000) * MS
            return None
        if isinstance(effect, ReadServerTime):
            rtt = self.round_trips_ms[min(self.reads, len(self.round_trips_ms) - 1)]
            self.reads += 1
            sent = self.local_ns
            self.local_ns += rtt * MS
            body = json.dumps({"serverTime": self.server_ms()}).encode()
            return TimeReading(sent, self.local_ns, 200, body)
        assert isinstance(effect, Call)
        if self.first_records_read_at is None:
            self.first_records_read_at = self.server_ms()
        self.local_ns += 1 * MS
        return Reply(200, Headers(()), b'{"rows":[],"total":0}')


def _reconcile(world: World, request: LoanRequest, margins: Margins):
    config = ClientConfig(
        base_url="http://sim",
        credentials=Credentials("k" * 16, HmacKey("s" * 16)),
        clock=Clock(source=world.local),
        margins=margins,
    )
    flow = SafeFlow(config).reconcile(request, wait=True)
    value = None
    try:
        while True:
            effect = flow.send(value)
            value = world.perform(effect)
    except StopIteration as done:
        return done.value


MARGINS = Margins(stamp_ms=500, lag_ms=500)


def _request(world: World, offset_ms: int | None = None) -> LoanRequest:
    t = world.server_ms()
    unc = None if offset_ms is None else 5
    return LoanRequest(
        "BTC", "0.01", t, 10_000, sent_id="s1", offset_ms=offset_ms, uncertainty_ms=unc
    )


@pytest.mark.parametrize(
    "round_trips",
    [
        [1_400, 1_400, 1_400, 200],  # a slow first measurement, a faster one after the wait
        [1],
        [300, 1, 1, 1],
        [1, 1, 1, 900],
    ],
)
def test_records_are_read_only_once_the_server_is_surely_past_the_window(round_trips):
    world = World(round_trips)
    request = _request(world)
    result = _reconcile(world, request, MARGINS)
    shown_by = request.window(MARGINS).last + MARGINS.lag_ms
    assert world.first_records_read_at is not None
    assert world.first_records_read_at > shown_by, world.first_records_read_at - shown_by
    assert result.verdict is Verdict.NOT_EXECUTED


def test_a_clock_that_stepped_back_since_a_measured_send_is_unknown_not_not_executed():
    world = World([1], step_back_ms=10_000)
    request = _request(world, offset_ms=OFFSET_MS)
    result = _reconcile(world, request, MARGINS)
    assert result.verdict is Verdict.UNKNOWN and "stepped back" in str(result)
    unmeasured = _reconcile(World([1], step_back_ms=10_000), _request(World([1])), MARGINS)
    assert unmeasured.verdict is Verdict.NOT_EXECUTED
    assert "sent before any measurement of the server's clock" in str(unmeasured)
