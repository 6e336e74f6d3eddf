"""Section 3: requests per second of our async client at fixed concurrency levels, next to a
hand-signed plain `httpx.AsyncClient` (the floor), both against the constant server.

`concurrency` tasks share one client (fresh for each level and round, warmed up with two bursts
at that concurrency) and take requests from a common budget until it is spent or a deadline
passes. Within a round, at each level, the two clients take turns: the requests are cut in
slices (up to SLICES, each at least SLICE_DEPTH × the concurrency) run alternately, which
client goes first alternating by round. Per round and client: µs of wall time per completed
request (its inverse is requests/s) and this process's CPU µs per request; the ratio ours /
floor of requests/s is taken round by round.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pyperf

from benchmarks.child_process import ServerProcess
from benchmarks.clients import AMOUNT, API_KEY, API_SECRET, ASSET, FIXED_QUERY, RECV_WINDOW
from benchmarks.common import Series, Spread, Target, even_parts, percentile, ratios, table

OURS = "ours (generated asyncio_detailed + BinanceAuth, httpx.AsyncClient)"
FLOOR = "plain httpx.AsyncClient, hand-signed (floor)"
TARGET, TARGET_LEVELS = 0.95, (8, 64)
SLICES, SLICE_DEPTH = 12, 2
Client = tuple[Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]  # repay, close


@dataclass
class AsyncReport:
    series: dict[tuple[int, str], Series] = field(default_factory=dict)
    errors: dict[tuple[int, str], int] = field(default_factory=dict)
    requests: dict[int, int] = field(default_factory=dict)  # level: requests per client, round
    rounds: int = 0
    seconds: float = 0.0
    benchmarks: list[pyperf.Benchmark] = field(default_factory=list)


async def _ours(base_url: str) -> Client:
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


async def _floor(base_url: str) -> Client:
    import httpx

    client = httpx.AsyncClient(base_url=base_url, headers={"X-MBX-APIKEY": API_KEY})
    secret = API_SECRET.encode()

    async def repay() -> None:
        query = FIXED_QUERY + str(time.time_ns() // 1_000_000)
        signature = hmac.new(secret, query.encode(), hashlib.sha256).hexdigest()
        response = await client.post(f"/papi/v1/repayLoan?{query}&signature={signature}")
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}")
        response.json()

    return repay, client.aclose


async def _slice(
    repay: Callable[[], Awaitable[None]], concurrency: int, requests: int, deadline: float
) -> tuple[list[int], int, int, int]:
    """`requests` shared by `concurrency` tasks: (latencies ns, errors, wall ns, CPU ns)."""
    remaining, latencies, errors = requests, [], 0

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

    cpu0, t0 = time.process_time_ns(), time.perf_counter_ns()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors, time.perf_counter_ns() - t0, time.process_time_ns() - cpu0


async def _run(
    base_url: str,
    report: AsyncReport,
    rounds: int,
    deadline: float,
    log: Callable[[str], None],
) -> None:
    builders = {OURS: _ours, FLOOR: _floor}
    for index in range(rounds):
        if time.perf_counter() > deadline:
            log(f"  time budget spent after {index} rounds")
            break
        order = list(builders) if index % 2 == 0 else list(builders)[::-1]
        totals: dict[tuple[int, str], list[int]] = {}
        for level in report.requests:
            # Fresh clients per level: a pool holds this level's connections only.
            opened = {name: await builders[name](base_url) for name in order}
            try:
                for repay, _ in opened.values():  # warm-up: two bursts at this concurrency
                    for _ in range(2):
                        await asyncio.gather(*(repay() for _ in range(level)))
                requests = report.requests[level]
                parts = even_parts(requests, min(SLICES, requests // (SLICE_DEPTH * level)))
                for size in parts:
                    for name, (repay, _) in opened.items():
                        latencies, errors, wall, cpu = await _slice(repay, level, size, deadline)
                        total = totals.setdefault((level, name), [0, 0, 0, 0])
                        total[0] += len(latencies)
                        total[1:] = [total[1] + errors, total[2] + wall, total[3] + cpu]
                        report.series.setdefault((level, name), Series(name, name)).calls_us.extend(
                            ns / 1000 for ns in latencies
                        )
            finally:
                for _, close in opened.values():
                    await close()
        if any(done == 0 for done, *_ in totals.values()):
            continue  # keep whole rounds only, so every series stays aligned round by round
        for key, (done, errors, wall, cpu) in totals.items():
            report.series[key].wall.append(wall / done / 1000)
            report.series[key].cpu.append(cpu / done / 1000)
            report.errors[key] = report.errors.get(key, 0) + errors
        report.rounds += 1
        log(f"  round {index + 1}/{rounds} done")


def run(
    *,
    requests: dict[int, int],
    rounds: int,
    max_seconds: float,
    log: Callable[[str], None],
) -> AsyncReport:
    started = time.perf_counter()
    report = AsyncReport(requests=requests)
    with ServerProcess("constant", max_seconds=max_seconds + 60) as server:
        asyncio.run(_run(server.base_url, report, rounds, started + max_seconds, log))
    report.seconds = time.perf_counter() - started
    for (level, name), series in report.series.items():
        client = "ours" if name == OURS else "floor"
        report.benchmarks += series.benchmarks(f"async {level} in flight {client}")
    return report


def render(report: AsyncReport) -> tuple[list[str], list[Target]]:
    levels = ", ".join(f"{n} at {level}" for level, n in report.requests.items())
    lines = [
        "## 3. Async throughput: our client on httpx.AsyncClient",
        "",
        f"Requests per client and round at each concurrency: {levels}; in {report.rounds} "
        "rounds, against the constant server; at each level the two clients take turns in "
        f"slices of at least {SLICE_DEPTH} × the concurrency (up to {SLICES}). requests/s: "
        "median over rounds (IQR); × floor: ours / floor "
        "taken round by round, median (IQR) [min–max]; CPU µs per request: this process's "
        "(median over rounds); p50/p99 over all requests. Section time "
        f"{report.seconds:.0f} s.",
        "",
    ]
    rows, targets = [], []
    for (level, name), series in report.series.items():
        if not series.wall:
            continue
        floor = report.series[level, FLOOR]
        per_second = [1e6 / us for us in series.wall]
        rows.append(
            [
                name,
                str(level),
                Spread.of(per_second).show(0),
                ratios(floor.wall, series.wall).show(extremes=True),
                f"{series.cpu_us:.0f}",
                f"{ratios(series.cpu, floor.cpu).median:.2f}",
                f"{percentile(series.calls_us, 50) / 1000:.2f}",
                f"{percentile(series.calls_us, 99) / 1000:.2f}",
                str(report.errors.get((level, name), 0)),
            ]
        )
    header = ["client", "concurrency", "requests/s", "× floor", "CPU µs", "CPU × floor"]
    lines += table([*header, "p50 ms", "p99 ms", "errors"], rows)
    for level in TARGET_LEVELS:
        name = (
            f"async, {level} in flight: ours ≥ {TARGET:.2f} × hand-signed httpx.AsyncClient req/s"
        )
        ours, floor = report.series.get((level, OURS)), report.series.get((level, FLOOR))
        if ours is None or floor is None or not ours.wall:
            targets.append(Target(name, "not measured", None))
            continue
        spread, errors = ratios(floor.wall, ours.wall), report.errors.get((level, OURS), 0)
        text = f"{spread.judged()}; {1e6 / ours.median_us:.0f} / {1e6 / floor.median_us:.0f} req/s"
        text += f"; {errors} errors" if errors else ""
        targets.append(Target(name, text, spread.median >= TARGET and not errors))
    return lines, targets
