"""Section 1: time per signed repay, every client against the same servers.

Three servers, each in its own process, all answering every repay with `{"tranId":1}`:

- `constant`: `constant_server`, hand-written HTTP/1.1 on asyncio (uvloop when installed), the
  cheapest possible answer, so the clients' own costs dominate;
- `uvicorn-cl` and `uvicorn-chunked`: `asgi_server`, uvicorn + httptools (a typical ASGI stack)
  answering with `Content-Length`, and with `Transfer-Encoding: chunked`; so that a ranking is
  not an artifact of one hand-written server. Each server's framing is checked on the wire
  before timing.

Every client gets its own connection to each server. All clients run in this one process, in
rounds: in each round, for each server, every client makes `calls / rounds` sequential calls
(a block), cut in `SLICES` slices that the clients take in turn (client A's first slice, B's,
..., A's second, ...), in an order rotated from round to round, so drift (CPU frequency, other
load, a neighbour on the host) hits all of them alike within tens of milliseconds. Each call is
timed on its own with `perf_counter_ns`; per slice this process's CPU time (user + system,
`process_time_ns` before and after it) is summed into the block's: the client's own work,
without the time spent waiting for the server.

Per client and server the figures are the per-round values (block median wall µs/call, block CPU
µs/call) with their spread over rounds, and the ratios to another client computed round by
round (both measured in the same round, minutes apart at most) before taking their median: a
slow round slows both sides of a ratio.

Before timing, each client sends two requests to a verifying server, so only clients whose
requests Binance would accept (API key, HMAC over query + body, asset/amount/timestamp) are
timed. After warm-up, every object alive is moved out of the collector's reach (`gc.freeze`), so
that an explicit collection before each block is cheap and every block starts with the same
young heap.
"""

from __future__ import annotations

import gc
import http.client
import json
import time
import urllib.request
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from benchmarks import asgi_server, clients
from benchmarks.child_process import ServerProcess
from benchmarks.credentials import API_KEY, API_SECRET
from benchmarks.stats import Rounds, even_parts, median


@dataclass(frozen=True)
class ServerSpec:
    id: str
    label: str
    module: str
    args: tuple[str, ...]
    expect_chunked: bool


SLICES = 10  # per round: each client's block cut in this many slices, taken in turn
CONSTANT = "constant"
SERVERS: dict[str, ServerSpec] = {
    CONSTANT: ServerSpec(
        CONSTANT,
        "constant_server: hand-written HTTP/1.1 on asyncio + uvloop, Content-Length",
        "benchmarks.constant_server",
        (),
        False,
    ),
    "uvicorn-cl": ServerSpec(
        "uvicorn-cl",
        "uvicorn + httptools + uvloop, bare ASGI app, Content-Length",
        "benchmarks.asgi_server",
        ("--framing", "content-length"),
        False,
    ),
    "uvicorn-chunked": ServerSpec(
        "uvicorn-chunked",
        "uvicorn + httptools + uvloop, bare ASGI app, Transfer-Encoding: chunked",
        "benchmarks.asgi_server",
        ("--framing", "chunked"),
        True,
    ),
}


@dataclass
class OverheadResult(Rounds):
    name: str
    label: str
    note: str


@dataclass
class ServerResults:
    server: ServerSpec
    framing: str  # what the server's answer looked like on the wire
    results: list[OverheadResult]

    def get(self, name: str) -> OverheadResult | None:
        return next((r for r in self.results if r.name == name), None)


@dataclass
class OverheadReport:
    servers: list[ServerResults]
    skipped: dict[str, str]
    skipped_servers: dict[str, str]
    calls_per_client: int
    rounds: int
    warmup: int
    seconds: float

    @property
    def results(self) -> list[OverheadResult]:
        """The primary server's results (the constant server, else the first measured)."""
        return self.primary.results if self.primary else []

    @property
    def primary(self) -> ServerResults | None:
        return next((s for s in self.servers if s.server.id == CONSTANT), None) or next(
            iter(self.servers), None
        )


def verify_requests(names: Sequence[str]) -> dict[str, str]:
    """Send two repays per client to a verifying server; return {name: why it failed}."""
    failures: dict[str, str] = {}
    with ServerProcess(
        "benchmarks.constant_server", "--verify", f"{API_KEY}:{API_SECRET}", "--max-seconds", "300"
    ) as server:
        for name in names:
            before = _verifier_stats(server.base_url)
            client = clients.load(name).build(server.base_url, API_KEY, API_SECRET)
            try:
                client.repay()
                client.repay()
            except Exception as error:  # any failure disqualifies the client from timing
                failures[name] = f"{type(error).__name__}: {error}"[:300]
            finally:
                client.close()
            after = _verifier_stats(server.base_url)
            if name not in failures and (
                after["passed"] - before["passed"] != 2 or after["failed"] != before["failed"]
            ):
                failures[name] = f"server saw a bad request: {after['last_failure']}"[:300]
    return failures


def _verifier_stats(base_url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{base_url}/__bench/stats", timeout=10) as answer:
        stats: dict[str, Any] = json.loads(answer.read())
        return stats


def wire_framing(port: int) -> str:
    """How the server frames a repay answer: `chunked`, `content-length: N` or what else it did."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/papi/v1/repayLoan?asset=USDT&amount=1.5")
        response = connection.getresponse()
        body = response.read()
        encoding = (response.getheader("Transfer-Encoding") or "").lower()
        length = response.getheader("Content-Length")
        if response.status != 200 or json.loads(body) != {"tranId": 1}:
            return f"unexpected answer: HTTP {response.status} {body[:80]!r}"
        if encoding == "chunked" and length is None:
            return "chunked"
        if length is not None and not encoding:
            return f"content-length: {length}"
        return f"unexpected framing: transfer-encoding={encoding!r} content-length={length!r}"
    finally:
        connection.close()


def _start_servers(
    stack: ExitStack, server_ids: Sequence[str], max_seconds: float
) -> tuple[dict[str, tuple[ServerProcess, str]], dict[str, str]]:
    started: dict[str, tuple[ServerProcess, str]] = {}
    skipped: dict[str, str] = {}
    for server_id in server_ids:
        spec = SERVERS[server_id]
        if spec.module == "benchmarks.asgi_server":
            why_not = asgi_server.missing()
            if why_not:
                skipped[server_id] = why_not
                continue
        process = stack.enter_context(
            ServerProcess(spec.module, *spec.args, "--max-seconds", str(max_seconds + 60))
        )
        framing = wire_framing(process.port)
        expected_ok = framing == "chunked" if spec.expect_chunked else framing.startswith("content")
        if not expected_ok:
            skipped[server_id] = f"wrong framing on the wire: {framing}"
            continue
        started[server_id] = (process, framing)
    return started, skipped


def run(
    names: Sequence[str],
    *,
    calls: int,
    rounds: int,
    warmup: int,
    max_seconds: float,
    server_ids: Sequence[str] = tuple(SERVERS),
    log: Callable[[str], None] = print,
) -> OverheadReport:
    started = time.perf_counter()
    skipped: dict[str, str] = {}
    runnable = []
    for name in names:
        why_not = clients.available(name)
        if why_not:
            skipped[name] = why_not
        else:
            runnable.append(name)
    log(f"  verifying the requests of {len(runnable)} clients")
    failures = verify_requests(runnable)
    skipped.update({name: f"request rejected: {why}" for name, why in failures.items()})
    runnable = [name for name in runnable if name not in failures]

    per_round = max(1, calls // rounds)
    # A round's calls of one client and server, cut in slices taken in turn by the clients.
    slice_sizes = even_parts(per_round, SLICES)
    deadline = started + max_seconds
    completed_rounds = 0
    with ExitStack() as stack:
        servers, skipped_servers = _start_servers(stack, server_ids, max_seconds)
        for server_id, why in skipped_servers.items():
            log(f"  server {server_id} skipped: {why}")
        results = {
            (server_id, name): OverheadResult(
                name, clients.load(name).LABEL, clients.load(name).NOTE
            )
            for server_id in servers
            for name in runnable
        }
        built = {}
        try:
            for server_id, (process, _) in servers.items():
                for name in runnable:
                    built[server_id, name] = clients.load(name).build(
                        process.base_url, API_KEY, API_SECRET
                    )
            log(f"  warming up {len(built)} clients ({warmup} calls each)")
            for client in built.values():
                for _ in range(warmup):
                    client.repay()
            gc.collect()
            gc.freeze()
            perf_counter_ns = time.perf_counter_ns
            process_time_ns = time.process_time_ns
            for round_index in range(rounds):
                if time.perf_counter() > deadline:
                    log(f"  time budget spent after {round_index} rounds")
                    break
                shift = round_index % max(1, len(runnable))
                order = runnable[shift:] + runnable[:shift]
                for server_id in servers:
                    samples = {name: [] for name in order}
                    cpu = dict.fromkeys(order, 0)
                    gc.collect()
                    for size in slice_sizes:
                        for name in order:
                            repay = built[server_id, name].repay
                            taken = samples[name]
                            cpu0 = process_time_ns()
                            for _ in range(size):
                                t0 = perf_counter_ns()
                                repay()
                                taken.append(perf_counter_ns() - t0)
                            cpu[name] += process_time_ns() - cpu0
                    for name in order:
                        result = results[server_id, name]
                        result.round_cpu_us.append(cpu[name] / per_round / 1000)
                        result.samples_ns.extend(samples[name])
                        result.round_medians_us.append(median(samples[name]) / 1000)
                completed_rounds = round_index + 1
                if completed_rounds % 4 == 0 or completed_rounds == rounds:
                    log(f"  round {completed_rounds}/{rounds} done")
        finally:
            gc.unfreeze()
            for client in built.values():
                client.close()
    return OverheadReport(
        servers=[
            ServerResults(
                SERVERS[server_id],
                framing,
                [
                    results[server_id, name]
                    for name in runnable
                    if results[server_id, name].samples_ns
                ],
            )
            for server_id, (_, framing) in servers.items()
        ],
        skipped=skipped,
        skipped_servers=skipped_servers,
        calls_per_client=per_round * completed_rounds,
        rounds=completed_rounds,
        warmup=warmup,
        seconds=time.perf_counter() - started,
    )
