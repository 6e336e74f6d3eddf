"""Section 1: time per signed repay, every client against the same constant-answer server.

All clients run in this one process, against one `constant_server` child process, in rounds: in
each round every client makes `calls / rounds` sequential calls, in an order rotated from round
to round, so drift (CPU frequency, other load) hits all of them alike. Each call is timed on its
own with `perf_counter_ns`. A client's figure is the median of its round medians; p90 is over all
of its calls. The process's CPU time per call (user + system, `process_time_ns` over each round)
is kept too: it is the client's own work, without the time spent waiting for the server.

Before timing, each client sends two requests to a verifying server, so only clients whose
requests Binance would accept (API key, HMAC over query + body, asset/amount/timestamp) are
timed.
"""

from __future__ import annotations

import gc
import json
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks import clients
from benchmarks.child_process import ServerProcess
from benchmarks.credentials import API_KEY, API_SECRET
from benchmarks.stats import median, percentile


@dataclass
class OverheadResult:
    name: str
    label: str
    note: str
    round_medians_us: list[float] = field(default_factory=list)
    round_cpu_us: list[float] = field(default_factory=list)
    samples_ns: list[int] = field(default_factory=list)

    @property
    def median_us(self) -> float:
        return median(self.round_medians_us)

    @property
    def cpu_us(self) -> float:
        """This process's CPU time (user + system) per call: the client's own work."""
        return median(self.round_cpu_us)

    @property
    def p90_us(self) -> float:
        return percentile(self.samples_ns, 0.90) / 1000

    @property
    def calls(self) -> int:
        return len(self.samples_ns)


@dataclass
class OverheadReport:
    results: list[OverheadResult]
    skipped: dict[str, str]
    calls_per_client: int
    rounds: int
    warmup: int
    seconds: float


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


def run(
    names: Sequence[str],
    *,
    calls: int,
    rounds: int,
    warmup: int,
    max_seconds: float,
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
    results = {
        name: OverheadResult(name, clients.load(name).LABEL, clients.load(name).NOTE)
        for name in runnable
    }
    deadline = started + max_seconds
    with ServerProcess(
        "benchmarks.constant_server", "--max-seconds", str(max_seconds + 60)
    ) as server:
        built = {
            name: clients.load(name).build(server.base_url, API_KEY, API_SECRET)
            for name in runnable
        }
        try:
            for client in built.values():
                for _ in range(warmup):
                    client.repay()
            perf_counter_ns = time.perf_counter_ns
            process_time_ns = time.process_time_ns
            for round_index in range(rounds):
                if time.perf_counter() > deadline:
                    log(f"  time budget spent after {round_index} rounds")
                    break
                shift = round_index % len(runnable)
                order = runnable[shift:] + runnable[:shift]
                for name in order:
                    repay = built[name].repay
                    samples = [0] * per_round
                    gc.collect()
                    cpu0 = process_time_ns()
                    for i in range(per_round):
                        t0 = perf_counter_ns()
                        repay()
                        samples[i] = perf_counter_ns() - t0
                    results[name].round_cpu_us.append((process_time_ns() - cpu0) / per_round / 1000)
                    results[name].samples_ns.extend(samples)
                    results[name].round_medians_us.append(median(samples) / 1000)
                log(f"  round {round_index + 1}/{rounds} done")
        finally:
            for client in built.values():
                client.close()
    return OverheadReport(
        results=[results[name] for name in runnable if results[name].samples_ns],
        skipped=skipped,
        calls_per_client=per_round * rounds,
        rounds=rounds,
        warmup=warmup,
        seconds=time.perf_counter() - started,
    )
