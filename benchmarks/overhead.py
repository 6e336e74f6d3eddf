"""Section 1: time per signed repay, every client against the same three servers.

Every client first sends two repays to a verifying server: only clients whose requests Binance
would accept are timed. Each server's framing is checked on the wire. Then all clients run in
this process, each with its own connection to each server, in rounds of the interleaved runner
(`common.interleaved_round`); after warm-up every object alive is moved out of the collector's
reach (`gc.freeze`), so the collection before each block is cheap and alike for all.
"""

from __future__ import annotations

import gc
import http.client
import json
import time
import urllib.request
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import pyperf

from benchmarks import clients
from benchmarks.child_process import ServerProcess
from benchmarks.clients import API_KEY, API_SECRET
from benchmarks.common import Series, Target, interleaved_round, percentile, ratios, table

SLICES = 10
#: id: (what it is, `benchmarks.servers` arguments, expected framing)
SERVERS = {
    "constant": ("hand-written HTTP/1.1 on asyncio + uvloop", ("constant",), "content-length"),
    "uvicorn-cl": (
        "uvicorn + httptools + uvloop, bare ASGI app, Content-Length",
        ("asgi", "--framing", "content-length"),
        "content-length",
    ),
    "uvicorn-chunked": (
        "uvicorn + httptools + uvloop, bare ASGI app, Transfer-Encoding: chunked",
        ("asgi", "--framing", "chunked"),
        "chunked",
    ),
}
WALL_TARGET, CPU_TARGET, REPAY_LAYER_TARGET = 1.05, 1.10, 1.10  # × the plain-httpx floor


@dataclass
class OverheadReport:
    series: dict[str, dict[str, Series]]  # server: client: its rounds
    framing: dict[str, str]
    skipped: dict[str, str]
    rounds: int = 0
    calls: int = 0  # timed calls per client and server
    warmup: int = 0
    seconds: float = 0.0
    benchmarks: list[pyperf.Benchmark] = field(default_factory=list)


def verify(names: Sequence[str]) -> dict[str, str]:
    """Two repays per client to a verifying server: {client: why it failed}."""
    failures: dict[str, str] = {}
    with ServerProcess("constant", "--verify", f"{API_KEY}:{API_SECRET}", max_seconds=300) as s:

        def stats() -> dict[str, Any]:
            with urllib.request.urlopen(f"{s.base_url}/__bench/stats", timeout=10) as answer:
                return dict(json.loads(answer.read()))

        for name in names:
            before = stats()
            try:
                client = clients.CLIENTS[name](s.base_url, API_KEY, API_SECRET)
                try:
                    client.repay()
                    client.repay()
                finally:
                    client.close()
            except Exception as error:  # any failure disqualifies the client
                failures[name] = f"{type(error).__name__}: {error}"[:300]
                continue
            after = stats()
            if after["passed"] - before["passed"] != 2 or after["failed"] != before["failed"]:
                failures[name] = f"server saw a bad request: {after['last_failure']}"[:300]
    return failures


def wire_framing(port: int) -> str:
    """How the server frames a repay answer: `chunked`, `content-length: N`, or what it did."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/papi/v1/repayLoan?asset=USDT&amount=1.5")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    encoding = (response.getheader("Transfer-Encoding") or "").lower()
    length = response.getheader("Content-Length")
    if response.status != 200 or not isinstance(json.loads(body).get("tranId"), int):
        return f"unexpected answer: HTTP {response.status} {body[:80]!r}"
    if encoding == "chunked" and length is None:
        return "chunked"
    if length is not None and not encoding:
        return f"content-length: {length}"
    return f"unexpected framing: transfer-encoding={encoding!r} content-length={length!r}"


def run(
    names: Sequence[str],
    *,
    calls: int,
    rounds: int,
    warmup: int,
    max_seconds: float,
    log: Callable[[str], None],
) -> OverheadReport:
    started = time.perf_counter()
    log(f"  verifying the requests of {len(names)} clients")
    failed = verify(names)
    report = OverheadReport({}, {}, {n: f"request rejected: {why}" for n, why in failed.items()})
    names = [name for name in names if name not in failed]
    per_round = max(1, calls // rounds)
    built: dict[tuple[str, str], Any] = {}
    with ExitStack() as stack:
        for server, (_, args, expected) in SERVERS.items():
            process = stack.enter_context(ServerProcess(*args, max_seconds=max_seconds + 60))
            framing = report.framing[server] = wire_framing(process.port)
            if not framing.startswith(expected):
                report.skipped[server] = f"wrong framing on the wire: {framing}"
                continue
            report.series[server] = {
                name: Series(name, clients.CLIENTS[name].LABEL) for name in names
            }
            for name in names:
                built[server, name] = clients.CLIENTS[name](process.base_url, API_KEY, API_SECRET)
                stack.callback(built[server, name].close)
        log(f"  warming up {len(built)} clients ({warmup} calls each)")
        for client in built.values():
            for _ in range(warmup):
                client.repay()
        gc.collect()
        gc.freeze()
        stack.callback(gc.unfreeze)
        for index in range(rounds):
            if time.perf_counter() - started > max_seconds:
                log(f"  time budget spent after {index} rounds")
                break
            for server, series in report.series.items():
                repays = {name: built[server, name].repay for name in series}
                for name, (walls, cpu) in interleaved_round(
                    repays, per_round, SLICES, index
                ).items():
                    series[name].add_round(walls, cpu)
            report.rounds = index + 1
            if report.rounds % 5 == 0:
                log(f"  round {report.rounds}/{rounds} done")
    report.calls, report.warmup = per_round * report.rounds, warmup
    report.seconds = time.perf_counter() - started
    for server, series in report.series.items():
        for one in series.values():
            report.benchmarks += one.benchmarks(f"overhead {server}")
    return report


def _targets(server: str, series: dict[str, Series]) -> list[Target]:
    tag, found = f"[{server}]", [series.get(n) for n in (clients.OURS, clients.REPAY_LAYER)]
    ours, layer, floor = *found, series.get(clients.FLOOR)
    targets = []
    for what, mine, kind, limit in (
        ("ours wall", ours, "wall", WALL_TARGET),
        ("ours client CPU", ours, "cpu", CPU_TARGET),
        ("RepayClient.repay() wall", layer, "wall", REPAY_LAYER_TARGET),
    ):
        name = f"{tag} {what} ≤ {limit:.2f} × plain-httpx floor"
        if mine is None or floor is None:
            targets.append(Target(name, "not measured", None))
            continue
        spread = ratios(getattr(mine, kind), getattr(floor, kind))
        a, b = (mine.median_us, floor.median_us) if kind == "wall" else (mine.cpu_us, floor.cpu_us)
        targets.append(
            Target(name, f"{spread.judged()}; {a:.1f} / {b:.1f} µs", spread.median <= limit)
        )
    name = f"{tag} ours per call below every public client"
    public = {n: ratios(series[n].wall, ours.wall) for n in clients.PUBLIC if n in series and ours}
    if not public:
        return [*targets, Target(name, "not measured", None)]
    closest = min(public, key=lambda n: public[n].median)
    text = (
        f"closest public: {closest} **{public[closest].median:.2f}** × ours (IQR "
        f"{public[closest].q1:.2f}–{public[closest].q3:.2f}); "
        + ", ".join(f"{n} {spread.median:.2f}" for n, spread in public.items())
    )
    missing = [n for n in clients.PUBLIC if n not in public]
    text += f"; not measured: {', '.join(missing)}" if missing else ""
    met = not missing and all(spread.median > 1.0 for spread in public.values())
    return [*targets, Target(name, text, met)]


def render(report: OverheadReport) -> tuple[list[str], list[Target]]:
    lines = [
        "## 1. Client overhead: sequential signed repays, three servers",
        "",
        f"{report.calls} timed calls per client and server after {report.warmup} warm-up calls, "
        f"in {report.rounds} rounds; in each round, for each server, every client's block of "
        f"sequential calls is cut in {SLICES} turns that the clients take in an order shuffled "
        "for every turn, each turn opening with 2 untimed calls (the first calls after another "
        "client's run slower while the caches refill). Per round and client: wall = median µs "
        "of the block's calls; CPU = this process's user + system time per call (the client's "
        "own work). Cells: median over rounds; ratios are taken round by round, then shown as "
        "median (IQR) [min–max]; p90 over all calls. Every client's request was first checked "
        "by a verifying server (API key, HMAC over query + body, asset/amount/timestamp). "
        f"Section time {report.seconds:.0f} s.",
    ]
    lines += [f"- skipped `{name}`: {why}" for name, why in report.skipped.items()]
    targets: list[Target] = []
    for index, (server, series) in enumerate(report.series.items()):
        ours, floor = series.get(clients.OURS), series.get(clients.FLOOR)
        rows = []
        for one in series.values():
            rows.append(
                [
                    one.label,
                    f"{one.median_us:.1f}",
                    ratios(one.wall, floor.wall).show(extremes=True) if floor else "",
                    f"{one.cpu_us:.1f}",
                    ratios(one.cpu, floor.cpu).show(extremes=True) if floor else "",
                    f"{ratios(one.wall, ours.wall).median:.2f}" if ours else "",
                    f"{percentile(one.calls_us, 90):.1f}",
                    f"`{one.name}`",
                ]
            )
        header = ["client", "wall µs", "wall × floor", "CPU µs", "CPU × floor", "× ours"]
        lines += [
            "",
            f"### 1{'abc'[index]}. `{server}`: {SERVERS[server][0]} ({report.framing[server]})",
            "",
            *table([*header, "p90 µs", "id"], rows),
        ]
        targets += _targets(server, series)
    lines += ["", "What each row calls:", ""]
    lines += [f"- `{name}`: {clients.CLIENTS[name].NOTE}" for name in clients.CLIENTS]
    return lines, targets
