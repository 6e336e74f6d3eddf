"""Section 4: signed repays per second the sandbox serves, against its own stack's ceiling.

Three servers, each loaded in turn, round by round, by `load_generator` in its own process at
the same concurrency and request count, all with the same freshly signed repays: the sandbox
(`python -m papi_sandbox`, one HMAC account owing and holding far more than a run repays, a
weight limit out of reach), the bare endpoint (`servers starlette`: the sandbox's stack with one
constant route) and the constant server (the generator's own ceiling). Afterwards the sandbox's
record query must show one repay per HTTP 200 it gave.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyperf

from benchmarks.child_process import ServerProcess, run_python
from benchmarks.clients import API_KEY, API_SECRET, ASSET
from benchmarks.common import Spread, Target, benchmark, ratios, table

SANDBOX = "sandbox: signed repay (ledger, signature, limiter)"
BARE = "bare endpoint, same Starlette + uvicorn settings (ceiling)"
GENERATOR = "constant server (the load generator's own ceiling)"
TARGET = 0.5
WEIGHT_LIMIT = 10**15


@dataclass
class CapacityReport:
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # server: its runs
    concurrency: int = 0
    requests: int = 0
    rounds: int = 0
    seconds: float = 0.0
    ledger: str = ""
    benchmarks: list[pyperf.Benchmark] = field(default_factory=list)

    def median(self, server: str, key: str) -> float:
        return statistics.median(float(run[key]) for run in self.runs[server])

    def per_bare(self, server: str) -> Spread:
        """requests/s of `server` / the bare endpoint's, round by round (they take turns)."""
        rates = {name: [run["per_second"] for run in self.runs[name]] for name in (server, BARE)}
        return ratios(rates[server], rates[BARE])


def write_account(path: Path, name: str, seed: dict[str, str]) -> Path:
    """A sandbox accounts file: one HMAC account (the benchmarks' key) with `seed` (principal,
    interest, free) of ASSET."""
    account = {"name": name, "api_key": API_KEY, "key_type": "hmac", "secret": API_SECRET}
    path.write_text(json.dumps({"accounts": [{**account, "assets": {ASSET: seed}}]}))
    return path


def sandbox_args(accounts: Path, *, admin: bool = False) -> list[str]:
    """`python -m papi_sandbox` arguments: a free loopback port, quiet, limiter out of reach."""
    return [
        *("--host", "127.0.0.1", "--port", "0", "--accounts", str(accounts)),
        *(("--admin",) if admin else ()),
        *("--weight-limit", str(WEIGHT_LIMIT), "--log-level", "warning"),
    ]


def recorded_repays(port: int, since_ms: int) -> int:
    """How many repay records the sandbox holds for the benchmarks' account since `since_ms`."""
    query = f"asset={ASSET}&startTime={since_ms}&size=1&timestamp={time.time_ns() // 1_000_000}"
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        path = f"/papi/v1/margin/repayLoan?{query}&signature={signature}"
        connection.request("GET", path, headers={"X-MBX-APIKEY": API_KEY})
        answer = connection.getresponse()
        body = answer.read()
    finally:
        connection.close()
    if answer.status != 200:
        raise RuntimeError(f"record query answered HTTP {answer.status}: {body[:200]!r}")
    return int(json.loads(body)["total"])


def _load(url: str, concurrency: int, requests: int, max_seconds: float) -> dict[str, Any]:
    done = run_python(
        *("-m", "benchmarks.load_generator", "--url", url, "--sign", f"{API_KEY}:{API_SECRET}"),
        *("--concurrency", str(concurrency), "--requests", str(requests)),
        *("--max-seconds", str(max_seconds)),
        timeout=max_seconds + 60,
    )
    if done.returncode:
        raise RuntimeError(f"load generator failed: {done.stderr.strip()[-800:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(
    *, concurrency: int, requests: int, rounds: int, max_seconds: float, log: Callable[[str], None]
) -> CapacityReport:
    started = time.perf_counter()
    report = CapacityReport(concurrency=concurrency, requests=requests)
    lifetime = max_seconds + 120
    with tempfile.TemporaryDirectory(prefix="papi-bench-") as scratch:
        seed = {"principal": "1000000000", "interest": "0", "free": "1000000000"}
        accounts = write_account(Path(scratch) / "accounts.json", "bench-hmac", seed)
        since_ms = time.time_ns() // 1_000_000 - 1000
        with (
            ServerProcess(
                "sandbox", "--", *sandbox_args(accounts), max_seconds=lifetime
            ) as sandbox,
            ServerProcess("starlette", max_seconds=lifetime) as bare,
            ServerProcess("constant", max_seconds=lifetime) as constant,
        ):
            servers = {SANDBOX: sandbox, BARE: bare, GENERATOR: constant}
            warmed = {
                name: _load(s.base_url, concurrency, min(requests, 500), 30)
                for name, s in servers.items()  # warm-up: first-request costs, caches
            }
            per_run = max(10.0, max_seconds / (3 * rounds))
            for index in range(rounds):
                if time.perf_counter() - started > max_seconds:
                    log(f"  time budget spent after {index} rounds")
                    break
                for name, server in servers.items():
                    result = _load(server.base_url, concurrency, requests, per_run)
                    report.runs.setdefault(name, []).append(result)
                report.rounds = index + 1
                log(f"  round {report.rounds}/{rounds} done")
            runs = [warmed[SANDBOX], *report.runs.get(SANDBOX, [])]
            expected = sum(run["statuses"].get("200", 0) for run in runs)
            try:
                recorded = recorded_repays(sandbox.port, since_ms)
                verdict = "match" if recorded == expected else "**MISMATCH**"
                report.ledger = (
                    f"ledger check: {recorded} repay records in the sandbox vs {expected} "
                    f"HTTP 200 answers to repays (warm-up included): {verdict}"
                )
            except (OSError, RuntimeError, KeyError, ValueError) as error:
                report.ledger = f"ledger check failed: {error}"
    report.seconds = time.perf_counter() - started
    for name, runs in report.runs.items():
        tag = name.split(":")[0].split(",")[0]
        report.benchmarks.append(
            benchmark(f"capacity {tag} s/request", [1 / run["per_second"] for run in runs])
        )
    return report


def render(report: CapacityReport) -> tuple[list[str], list[Target]]:
    lines = [
        "## 4. Sandbox capacity: signed repays vs the bare endpoint on the same stack",
        "",
        f"A closed-loop load generator in its own process, {report.concurrency} keep-alive "
        f"connections, {report.requests} freshly signed repays per run, {report.rounds} rounds "
        "with the servers taking turns: medians over rounds; × bare is taken round by round, "
        f"then its median shown. Section time {report.seconds:.0f} s.",
        "",
    ]
    rows = []
    for name, runs in report.runs.items():
        statuses: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        for run in runs:
            statuses.update(run["statuses"])
            errors.update(run["errors"])
        rows.append(
            [
                name,
                f"{report.median(name, 'per_second'):.0f}",
                f"{report.median(name, 'p50_ms'):.2f}",
                f"{report.median(name, 'p99_ms'):.2f}",
                f"{report.per_bare(name).median:.2f}",
                ", ".join(f"{k}: {v}" for k, v in statuses.items()),
                ", ".join(f"{k}: {v}" for k, v in errors.items()) or "none",
            ]
        )
    header = ["server", "requests/s", "p50 ms", "p99 ms", "× bare", "HTTP statuses", "errors"]
    lines += [*table(header, rows), "", f"- {report.ledger}"]
    name = f"sandbox signed repays ≥ {TARGET} × bare endpoint (all answered 200)"
    if SANDBOX not in report.runs or BARE not in report.runs:
        return lines, [Target(name, "not measured", None)]
    sandbox, bare = report.median(SANDBOX, "per_second"), report.median(BARE, "per_second")
    all_ok = all(
        set(run["statuses"]) == {"200"} and not run["errors"] for run in report.runs[SANDBOX]
    )
    spread = report.per_bare(SANDBOX)
    text = f"{spread.judged()}; {sandbox:.0f} / {bare:.0f} req/s"
    text += "" if all_ok else " (not all answers were 200)"
    met = spread.median >= TARGET and all_ok and report.ledger.endswith(": match")
    return lines, [Target(name, text, met)]
