"""Section 3: requests per second of our async client at fixed concurrency levels.

`concurrency` tasks share one client (fresh for each level and round, warmed up with two bursts
at that concurrency) and take request slots from a common budget of `requests` until it is
spent (bounded by count and by a deadline). Throughput is completed requests over the
wall time of the level; each request's latency is kept for p50/p99, and this process's CPU time
(user + system) over the level gives CPU µs per request. Next to ours, the same load through a
hand-signed plain `httpx.AsyncClient` gives the floor. Both talk to the same constant-answer
server process.

Levels are repeated in rounds; within a round, at each level, the two clients take turns: the
level's requests are cut in slices (up to 6, each at least 4 x the concurrency) that the
clients run alternately, the one going first alternating from round to round, so a slow
moment of the machine falls on both. The ratio ours / floor is taken round by
round (both measured seconds apart), then its median and spread over rounds are reported;
throughput and CPU figures are medians over rounds, latencies pooled over all rounds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from benchmarks.child_process import ServerProcess
from benchmarks.credentials import AMOUNT, API_KEY, API_SECRET, ASSET, RECV_WINDOW
from benchmarks.stats import Spread, even_parts, median, paired_ratios, percentile

MAX_SLICES = 6
SLICE_DEPTH = 4
OURS = "ours (generated asyncio_detailed + BinanceAuth, httpx.AsyncClient)"
FLOOR = "plain httpx.AsyncClient, hand-signed (floor)"


@dataclass
class LevelResult:
    client: str
    concurrency: int
    requests: int
    seconds: float
    latencies_ns: list[int] = field(default_factory=list)
    errors: int = 0
    cpu_ns: int = 0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def after(self, earlier: LevelResult | None) -> LevelResult:
        """This slice added to the `earlier` slices of the same client and level."""
        if earlier is None:
            return self
        return LevelResult(
            self.client,
            self.concurrency,
            earlier.requests + self.requests,
            earlier.seconds + self.seconds,
            earlier.latencies_ns + self.latencies_ns,
            earlier.errors + self.errors,
            earlier.cpu_ns + self.cpu_ns,
        )

    @property
    def cpu_us(self) -> float:
        """This process's CPU time per completed request (client + event loop)."""
        return self.cpu_ns / self.requests / 1000 if self.requests else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ns, 0.50) / 1e6

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ns, 0.99) / 1e6


@dataclass
class LevelSeries:
    """One client at one concurrency level, over all rounds (aligned round by round)."""

    client: str
    concurrency: int
    runs: list[LevelResult]

    @property
    def per_second(self) -> float:
        return median([run.per_second for run in self.runs])

    @property
    def per_second_spread(self) -> Spread:
        return Spread.of([run.per_second for run in self.runs])

    @property
    def cpu_us(self) -> float:
        return median([run.cpu_us for run in self.runs])

    @property
    def requests(self) -> int:
        return sum(run.requests for run in self.runs)

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)

    @property
    def p50_ms(self) -> float:
        return percentile([ns for run in self.runs for ns in run.latencies_ns], 0.50) / 1e6

    @property
    def p99_ms(self) -> float:
        return percentile([ns for run in self.runs for ns in run.latencies_ns], 0.99) / 1e6

    def vs(self, other: LevelSeries) -> Spread:
        """Round-by-round throughput ratio, this client over `other`."""
        return Spread.of(
            paired_ratios([r.per_second for r in self.runs], [r.per_second for r in other.runs])
        )

    def cpu_vs(self, other: LevelSeries) -> Spread:
        mine, theirs = [r.cpu_us for r in self.runs], [r.cpu_us for r in other.runs]
        return Spread.of(paired_ratios(mine, theirs))


@dataclass
class AsyncReport:
    results: list[LevelSeries]
    skipped: dict[str, str]
    requests_per_level: int
    seconds: float
    rounds: int = 0

    def series(self, client: str, concurrency: int) -> LevelSeries | None:
        return next(
            (s for s in self.results if s.client == client and s.concurrency == concurrency),
            None,
        )


Repay = Callable[[], Awaitable[None]]


async def _ours(base_url: str) -> tuple[Repay, Callable[[], Awaitable[None]]]:
    from auth_plugin import build_client
    from papi_repay_client.api.margin import repay_loan

    client = build_client(base_url, api_key=API_KEY, api_secret=API_SECRET)

    async def repay() -> None:
        response = await repay_loan.asyncio_detailed(
            client=client, asset=ASSET, amount=AMOUNT, recv_window=RECV_WINDOW
        )
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")

    return repay, client.get_async_httpx_client().aclose


async def _floor(base_url: str) -> tuple[Repay, Callable[[], Awaitable[None]]]:
    import hashlib
    import hmac

    import httpx

    client = httpx.AsyncClient(base_url=base_url, headers={"X-MBX-APIKEY": API_KEY})
    secret = API_SECRET.encode()
    fixed = f"asset={ASSET}&amount={AMOUNT}&recvWindow={RECV_WINDOW}&timestamp="

    async def repay() -> None:
        query = fixed + str(time.time_ns() // 1_000_000)
        signature = hmac.new(secret, query.encode(), hashlib.sha256).hexdigest()
        response = await client.post(f"/papi/v1/repayLoan?{query}&signature={signature}")
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
        response.json()

    return repay, client.aclose


async def _level(
    name: str, repay: Repay, concurrency: int, requests: int, deadline: float
) -> LevelResult:
    remaining = requests
    latencies: list[int] = []
    errors = 0

    async def worker() -> None:
        nonlocal remaining, errors
        while remaining > 0 and time.perf_counter() < deadline:
            remaining -= 1
            t0 = time.perf_counter_ns()
            try:
                await repay()
            except Exception:
                errors += 1
                continue
            latencies.append(time.perf_counter_ns() - t0)

    cpu0 = time.process_time_ns()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    cpu = time.process_time_ns() - cpu0
    return LevelResult(name, concurrency, len(latencies), seconds, latencies, errors, cpu)


def _slices(requests: int, concurrency: int) -> list[int]:
    """A level's requests cut in slices the clients take in turn, each slice at least
    SLICE_DEPTH times the concurrency (so ramping up and down stays a small part of it)."""
    return even_parts(requests, min(MAX_SLICES, requests // (SLICE_DEPTH * concurrency)))


async def _run(
    base_url: str,
    levels: Sequence[int],
    requests: int,
    rounds: int,
    deadline: float,
    log: Callable[[str], None],
) -> tuple[list[LevelSeries], int]:
    builders = {OURS: _ours, FLOOR: _floor}
    runs: dict[tuple[str, int], list[LevelResult]] = {}
    completed = 0
    for round_index in range(rounds):
        if time.perf_counter() > deadline:
            log(f"  time budget spent after {round_index} rounds")
            break
        order = list(builders.items())
        if round_index % 2:
            order.reverse()
        finished: dict[tuple[str, int], LevelResult] = {}
        for concurrency in levels:
            # Fresh clients per level: a pool then holds the connections of this level only,
            # not the idle leftovers of a bigger one.
            opened = {name: await builder(base_url) for name, builder in order}
            try:
                for repay, _ in opened.values():
                    await asyncio.gather(*(repay() for _ in range(concurrency)))  # warm-up
                    await asyncio.gather(*(repay() for _ in range(concurrency)))
                for size in _slices(requests, concurrency):
                    for name, (repay, _) in opened.items():
                        part = await _level(name, repay, concurrency, size, deadline)
                        finished[name, concurrency] = part.after(finished.get((name, concurrency)))
            finally:
                for _, close in opened.values():
                    await close()
        # Keep only whole rounds, so that every series stays aligned round by round.
        if all(result.requests for result in finished.values()):
            for key, result in finished.items():
                runs.setdefault(key, []).append(result)
            completed += 1
        log(f"  round {round_index + 1}/{rounds} done")
    series = [
        LevelSeries(name, level, runs[name, level])
        for level in levels
        for name in builders
        if (name, level) in runs
    ]
    return series, completed


def run(
    *,
    levels: Sequence[int],
    requests: int,
    rounds: int,
    max_seconds: float,
    log: Callable[[str], None] = print,
) -> AsyncReport:
    from benchmarks import clients

    started = time.perf_counter()
    why_not = clients.available(clients.OURS)
    if why_not:
        return AsyncReport([], {clients.OURS: why_not}, requests, 0.0)
    with ServerProcess(
        "benchmarks.constant_server", "--max-seconds", str(max_seconds + 60)
    ) as server:
        results, completed = asyncio.run(
            _run(server.base_url, levels, requests, rounds, started + max_seconds, log)
        )
    return AsyncReport(results, {}, requests, time.perf_counter() - started, completed)
