"""Section 3: requests per second of our async client at fixed concurrency levels.

`concurrency` tasks share one client (fresh for each level and round, warmed up with two bursts
at that concurrency) and take request slots from a common budget of `requests` until it is
spent (bounded by count and by a deadline). Throughput is completed requests over the
wall time of the level; each request's latency is kept for p50/p99. Levels are repeated in
rounds and the round with the median throughput is reported. Next to ours, the same load
through a hand-signed plain `httpx.AsyncClient` gives the floor. Both talk to the same
constant-answer server process.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from benchmarks.child_process import ServerProcess
from benchmarks.credentials import AMOUNT, API_KEY, API_SECRET, ASSET, RECV_WINDOW
from benchmarks.stats import percentile

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

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ns, 0.50) / 1e6

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ns, 0.99) / 1e6


@dataclass
class AsyncReport:
    results: list[LevelResult]
    skipped: dict[str, str]
    requests_per_level: int
    seconds: float


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

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return LevelResult(
        name, concurrency, len(latencies), time.perf_counter() - started, latencies, errors
    )


async def _run(
    base_url: str,
    levels: Sequence[int],
    requests: int,
    rounds: int,
    deadline: float,
    log: Callable[[str], None],
) -> list[LevelResult]:
    builders = {OURS: _ours, FLOOR: _floor}
    runs: dict[tuple[str, int], list[LevelResult]] = {}
    for round_index in range(rounds):
        for concurrency in levels:
            for name, builder in builders.items():
                # A fresh client per level: its pool then holds the connections of this level
                # only, not the idle leftovers of a bigger one.
                repay, close = await builder(base_url)
                try:
                    await asyncio.gather(*(repay() for _ in range(concurrency)))  # warm-up
                    await asyncio.gather(*(repay() for _ in range(concurrency)))
                    result = await _level(name, repay, concurrency, requests, deadline)
                finally:
                    await close()
                if result.requests:
                    runs.setdefault((name, concurrency), []).append(result)
        log(f"  round {round_index + 1}/{rounds} done")
    # Of the rounds of one (client, level), report the one with the median throughput.
    return [
        sorted(runs[key], key=lambda r: r.per_second)[len(runs[key]) // 2]
        for key in ((name, level) for level in levels for name in builders)
        if key in runs
    ]


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
        results = asyncio.run(
            _run(server.base_url, levels, requests, rounds, started + max_seconds, log)
        )
    return AsyncReport(results, {}, requests, time.perf_counter() - started)
