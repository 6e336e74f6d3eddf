"""The timestamp clock: offsets set by hand or measured against a time endpoint, RTT-aware."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from auth_plugin import BinanceAuth, Clock, ClockSyncError, HmacKey, OffsetSample
from auth_plugin.signer.clock import ameasure_offset, best_sample, measure_offset, sample_from

MS = 1_000_000  # ns


class FakeTimeServer:
    """Plays both sides: the local clock (source) and a server whose clock is `skew_ms` ahead.

    Each exchange takes `rtts_ms[i]`; the server reads its clock at `server_at` of the way
    through (0.5 = the middle, what the estimate assumes).
    """

    def __init__(self, start_ms: int, skew_ms: int, rtts_ms: list[int], server_at: float = 0.5):
        self.now_ns = start_ms * MS
        self.skew_ms = skew_ms
        self.rtts: Iterator[int] = iter(rtts_ms)
        self.server_at = server_at
        self.pending_rtt = 0
        self.requests: list[httpx.Request] = []

    def source(self) -> int:
        return self.now_ns

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        rtt = next(self.rtts)
        self.now_ns += int(rtt * self.server_at * MS)
        server_time = self.now_ns // MS + self.skew_ms
        self.now_ns += int(rtt * (1 - self.server_at) * MS)
        return httpx.Response(200, json={"serverTime": server_time})


def test_now_ms_is_local_time_plus_offset() -> None:
    clock = Clock(250, source=lambda: 1_000_123_456_789)
    assert clock.now_ms() == 1_000_123 + 250
    clock.offset_ms = -1000
    assert clock.now_ms() == 1_000_123 - 1000


def test_default_clock_follows_wall_time() -> None:
    import time

    before = time.time_ns() // MS
    assert before <= Clock().now_ms() <= time.time_ns() // MS


@pytest.mark.parametrize("bad", [1.5, "10", True, None])
def test_offset_must_be_whole_milliseconds(bad) -> None:
    with pytest.raises(TypeError, match="offset_ms"):
        Clock(bad)
    clock = Clock()
    with pytest.raises(TypeError, match="offset_ms"):
        clock.offset_ms = bad


def test_sample_takes_the_server_reading_as_mid_round_trip() -> None:
    sample = sample_from(t_send_ns=1_000 * MS, t_recv_ns=1_100 * MS, server_time_ms=2_050)
    assert sample == OffsetSample(offset_ms=1_000, rtt_ms=100.0, server_time_ms=2_050)


def test_sample_refuses_a_clock_that_went_backwards() -> None:
    with pytest.raises(ClockSyncError, match="backwards"):
        sample_from(t_send_ns=2 * MS, t_recv_ns=1 * MS, server_time_ms=5)


def test_best_sample_is_the_one_with_the_smallest_round_trip() -> None:
    samples = [
        OffsetSample(offset_ms=900, rtt_ms=300.0, server_time_ms=1),
        OffsetSample(offset_ms=1003, rtt_ms=4.0, server_time_ms=2),
        OffsetSample(offset_ms=1100, rtt_ms=80.0, server_time_ms=3),
    ]
    assert best_sample(samples).offset_ms == 1003
    with pytest.raises(ClockSyncError):
        best_sample([])


def test_measurement_finds_the_skew_and_prefers_the_fastest_exchange() -> None:
    # The slow exchanges have the server reading its clock early, so their midpoint guess is
    # off by tens of ms; the 2 ms exchange is off by at most 1 ms.
    server = FakeTimeServer(
        start_ms=1_700_000_000_000, skew_ms=1_234, rtts_ms=[200, 120, 2, 90, 60], server_at=0.1
    )
    with httpx.Client(
        base_url="http://127.0.0.1:9", transport=httpx.MockTransport(server.handler)
    ) as client:
        best = measure_offset(client, samples=5, source=server.source)
    assert best.rtt_ms == 2.0
    assert abs(best.offset_ms - 1_234) <= 1
    assert [r.url.path for r in server.requests] == ["/api/v3/time"] * 5


def test_calibrate_sets_the_clock_offset_so_timestamps_match_server_time() -> None:
    server = FakeTimeServer(start_ms=1_700_000_000_000, skew_ms=-3_000, rtts_ms=[10, 4, 8])
    clock = Clock(source=server.source)
    with httpx.Client(
        base_url="http://127.0.0.1:9", transport=httpx.MockTransport(server.handler)
    ) as client:
        best = clock.calibrate(client, samples=3)
    assert clock.offset_ms == best.offset_ms == -3_000
    assert clock.now_ms() == server.now_ns // MS - 3_000


@pytest.mark.anyio
async def test_async_calibration_measures_the_same_way() -> None:
    server = FakeTimeServer(start_ms=1_700_000_000_000, skew_ms=777, rtts_ms=[30, 6, 12])

    async def handler(request: httpx.Request) -> httpx.Response:
        return server.handler(request)

    clock = Clock(source=server.source)
    async with httpx.AsyncClient(
        base_url="http://127.0.0.1:9", transport=httpx.MockTransport(handler)
    ) as client:
        best = await clock.acalibrate(client, samples=3)
    assert best.rtt_ms == 6.0
    assert clock.offset_ms == 777

    server2 = FakeTimeServer(start_ms=5_000, skew_ms=10, rtts_ms=[2])
    async with httpx.AsyncClient(
        base_url="http://127.0.0.1:9",
        transport=httpx.MockTransport(lambda r: server2.handler(r)),
    ) as client:
        assert (await ameasure_offset(client, samples=1, source=server2.source)).offset_ms == 10


def test_time_requests_are_not_signed_even_through_a_signing_client() -> None:
    server = FakeTimeServer(start_ms=1_000_000, skew_ms=0, rtts_ms=[1])
    auth = BinanceAuth("timeAPIkey0000000000000000000000", HmacKey("s3cr3t"))
    with httpx.Client(
        base_url="http://127.0.0.1:9", transport=httpx.MockTransport(server.handler), auth=auth
    ) as client:
        measure_offset(client, samples=1, source=server.source)
    (request,) = server.requests
    assert request.url.query == b""
    assert "X-MBX-APIKEY" not in request.headers


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(503, json={"serverTime": 1}),
        httpx.Response(200, text="<html>"),
        httpx.Response(200, json={"time": 1}),
        httpx.Response(200, json={"serverTime": "1700000000000"}),
        httpx.Response(200, json={"serverTime": True}),
        httpx.Response(200, json={"serverTime": -5}),
        httpx.Response(200, json=[1]),
    ],
)
def test_unusable_time_answers_raise_clock_sync_error(response) -> None:
    with (
        httpx.Client(
            base_url="http://127.0.0.1:9", transport=httpx.MockTransport(lambda r: response)
        ) as client,
        pytest.raises(ClockSyncError),
    ):
        measure_offset(client, samples=1)


@pytest.mark.parametrize("bad", [0, -1, True, 1.0])
def test_sample_count_must_be_positive(bad) -> None:
    with (
        httpx.Client(
            base_url="http://127.0.0.1:9",
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        ) as client,
        pytest.raises(ValueError, match="samples"),
    ):
        measure_offset(client, samples=bad)


def test_clock_repr_shows_only_the_offset() -> None:
    assert repr(Clock(12)) == "Clock(offset_ms=12)"
