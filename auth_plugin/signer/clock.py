"""When a request is signed: the `timestamp` clock, with an offset to the server's clock.

Binance accepts a signed request only if `timestamp < serverTime + 1000` and
`serverTime - timestamp <= recvWindow` (otherwise -1021), so a local clock that is off by a
second or more breaks every trade. The offset can be set by hand or measured against a server
time endpoint (`GET /api/v3/time` -> `{"serverTime": <ms>}`).

Measuring: for each sample the local time is read just before sending (t_send) and just after
the answer arrives (t_recv). The server read its clock somewhere in between; assuming the
middle, offset = serverTime - (t_send + t_recv) / 2, and the error of that guess is at most
half the round trip. So several samples are taken and the one with the smallest round trip
wins.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

import httpx

from auth_plugin.signer.errors import ClockSyncError, InvalidInput

#: Returns the local wall-clock time in nanoseconds since the epoch (like `time.time_ns`).
TimeSource = Callable[[], int]

DEFAULT_TIME_PATH = "/api/v3/time"
DEFAULT_SAMPLES = 5
# An offset beyond this is a wrong system clock (or a time endpoint that is not the server's),
# not something to sign around: timestamps and reconciliation windows rest on it.
MAX_OFFSET_MS = 3_600_000
_NS_PER_MS = 1_000_000


@dataclass(frozen=True, slots=True)
class OffsetSample:
    """One exchange with the time endpoint."""

    offset_ms: int
    rtt_ms: float
    server_time_ms: int


class Clock:
    """Milliseconds for `timestamp`: local time from an injectable source, plus an offset."""

    __slots__ = ("_source", "_offset_ms")

    def __init__(self, offset_ms: int = 0, *, source: TimeSource = time.time_ns) -> None:
        self._source = source
        self._offset_ms = _checked_offset(offset_ms)

    @property
    def offset_ms(self) -> int:
        """Server time minus local time, in ms; added to every timestamp."""
        return self._offset_ms

    @offset_ms.setter
    def offset_ms(self, value: int) -> None:
        self._offset_ms = _checked_offset(value)

    @property
    def source(self) -> TimeSource:
        return self._source

    def now_ms(self) -> int:
        """The timestamp to sign now: local time plus the offset."""
        return self._source() // _NS_PER_MS + self._offset_ms

    def calibrate(
        self,
        client: httpx.Client,
        *,
        path: str = DEFAULT_TIME_PATH,
        samples: int = DEFAULT_SAMPLES,
    ) -> OffsetSample:
        """Measure the offset against `client`'s time endpoint and start using it."""
        best = measure_offset(client, path=path, samples=samples, source=self._source)
        self._offset_ms = best.offset_ms
        return best

    async def acalibrate(
        self,
        client: httpx.AsyncClient,
        *,
        path: str = DEFAULT_TIME_PATH,
        samples: int = DEFAULT_SAMPLES,
    ) -> OffsetSample:
        """Async form of `calibrate`."""
        best = await ameasure_offset(client, path=path, samples=samples, source=self._source)
        self._offset_ms = best.offset_ms
        return best

    def __repr__(self) -> str:
        return f"Clock(offset_ms={self._offset_ms})"


def sample_from(t_send_ns: int, t_recv_ns: int, server_time_ms: int) -> OffsetSample:
    """The offset estimate of one exchange, taking the server's reading as mid-round-trip."""
    if t_recv_ns < t_send_ns:
        raise ClockSyncError("local clock went backwards during the measurement")
    midpoint_ms = (t_send_ns + t_recv_ns) / (2 * _NS_PER_MS)
    return OffsetSample(
        offset_ms=round(server_time_ms - midpoint_ms),
        rtt_ms=(t_recv_ns - t_send_ns) / _NS_PER_MS,
        server_time_ms=server_time_ms,
    )


def best_sample(samples: Sequence[OffsetSample]) -> OffsetSample:
    """The sample with the smallest round trip: its midpoint guess has the smallest error."""
    if not samples:
        raise ClockSyncError("no clock samples were taken")
    return min(samples, key=lambda sample: sample.rtt_ms)


@dataclass(frozen=True, slots=True)
class ReadServerTime:
    """The one effect of a measurement: read the time endpoint at `path` (a path, or a URL)."""

    path: str


@dataclass(frozen=True, slots=True)
class TimeReading:
    """One read of the time endpoint, as the I/O side saw it: local times around the call,
    and the answer's status and body (`status` None: no answer, `failure` names why)."""

    t_send_ns: int
    t_recv_ns: int
    status: int | None
    body: bytes = b""
    failure: str | None = None


def measurement(
    path: str, samples: int = DEFAULT_SAMPLES
) -> Generator[ReadServerTime, TimeReading, OffsetSample]:
    """Measuring the offset, without I/O: yields a `ReadServerTime` per sample and is sent
    back its `TimeReading`; returns the best sample. `measure_offset` and `ameasure_offset`
    (and the safe clients) drive it."""
    _check_sample_count(samples)
    taken = []
    for _ in range(samples):
        reading = yield ReadServerTime(path)
        if reading.status is None:
            raise ClockSyncError(f"time endpoint {path} did not answer ({reading.failure})")
        server_time = server_time_from(path, reading.status, reading.body)
        taken.append(sample_from(reading.t_send_ns, reading.t_recv_ns, server_time))
    best = best_sample(taken)
    if abs(best.offset_ms) > MAX_OFFSET_MS:
        direction = "behind" if best.offset_ms > 0 else "ahead of"
        raise ClockSyncError(
            f"this machine's clock is {abs(best.offset_ms) / 3_600_000:.1f} h {direction} the "
            f"server's time ({path}); more than an hour off is a wrong system clock: fix it "
            "(e.g. enable NTP) and try again"
        )
    return best


def read_time(client: httpx.Client, path: str, source: TimeSource) -> TimeReading:
    """Perform one `ReadServerTime` (the time endpoint is public: unsigned, no API key)."""
    t_send = source()
    try:
        response = client.get(path, auth=None)
    except httpx.HTTPError as exc:
        return TimeReading(t_send, source(), None, failure=type(exc).__name__)
    return TimeReading(t_send, source(), response.status_code, response.content)


async def aread_time(client: httpx.AsyncClient, path: str, source: TimeSource) -> TimeReading:
    """`read_time` for an async client."""
    t_send = source()
    try:
        response = await client.get(path, auth=None)
    except httpx.HTTPError as exc:
        return TimeReading(t_send, source(), None, failure=type(exc).__name__)
    return TimeReading(t_send, source(), response.status_code, response.content)


class MeasureOptions(TypedDict, total=False):
    path: str  # default DEFAULT_TIME_PATH
    samples: int  # default DEFAULT_SAMPLES
    source: TimeSource  # default time.time_ns


class _Driven:
    """A measurement and the read it waits for: what both drivers below step through."""

    def __init__(self, **options: Unpack[MeasureOptions]) -> None:
        self.source = options.get("source", time.time_ns)
        self._flow = measurement(
            options.get("path", DEFAULT_TIME_PATH), options.get("samples", DEFAULT_SAMPLES)
        )
        self.pending: ReadServerTime | None = next(self._flow)
        self.best: OffsetSample | None = None

    def feed(self, reading: TimeReading) -> None:
        try:
            self.pending = self._flow.send(reading)
        except StopIteration as done:
            self.pending, self.best = None, done.value


def measure_offset(client: httpx.Client, **options: Unpack[MeasureOptions]) -> OffsetSample:
    """Take `samples` readings of the server clock through `client`; return the best one."""
    driven = _Driven(**options)
    while driven.pending is not None:
        driven.feed(read_time(client, driven.pending.path, driven.source))
    assert driven.best is not None
    return driven.best


async def ameasure_offset(
    client: httpx.AsyncClient, **options: Unpack[MeasureOptions]
) -> OffsetSample:
    """Async form of `measure_offset`."""
    driven = _Driven(**options)
    while driven.pending is not None:
        driven.feed(await aread_time(client, driven.pending.path, driven.source))
    assert driven.best is not None
    return driven.best


def server_time_from(path: str, status: int, body: bytes) -> int:
    """`serverTime` from a time endpoint's answer, refusing anything else."""
    if status != 200:
        raise ClockSyncError(f"time endpoint {path} answered HTTP {status}")
    try:
        document: Any = json.loads(body)
    except ValueError:
        document = None
    server_time = document.get("serverTime") if isinstance(document, dict) else None
    if not isinstance(server_time, int) or isinstance(server_time, bool) or server_time <= 0:
        raise ClockSyncError('time endpoint did not answer {"serverTime": <ms>}')
    return server_time


def _checked_offset(value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"offset_ms must be an int (ms), got {type(value).__name__}")
    if abs(value) > MAX_OFFSET_MS:
        raise InvalidInput(
            f"offset_ms {value} is more than an hour ({MAX_OFFSET_MS} ms): fix the system clock "
            "(e.g. enable NTP) rather than offsetting it"
        )
    return value


def _check_sample_count(samples: int) -> None:
    if not isinstance(samples, int) or isinstance(samples, bool) or samples < 1:
        raise ValueError("samples must be a positive int")
