"""Section 4: how many signed repays per second the sandbox serves, against its own stack's ceiling.

Three servers, each in its own process, each loaded by `load_generator` in another process at the
same fixed concurrency and request count:

- the sandbox (`python -m papi_sandbox`, under a watchdog), seeded with one HMAC account holding a
  loan and a balance far larger than the run can repay, and a weight limit no run can reach;
- the bare endpoint: the same Starlette + uvicorn settings answering a constant result;
- `constant_server`, to show the load generator's own ceiling is well above both.

All three get the same freshly signed repay requests (same bytes on the wire). Servers take turns
round by round; each figure is the median over rounds. Afterwards the sandbox's own record query
must show one repay per HTTP 200 it gave.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.child_process import PROJECT_ROOT, ServerProcess, child_env
from benchmarks.credentials import API_KEY, API_SECRET, ASSET
from benchmarks.stats import median

SANDBOX = "sandbox: signed repay (ledger, signature, limiter)"
BARE = "bare endpoint, same Starlette + uvicorn settings (ceiling)"
GENERATOR = "constant_server (the load generator's own ceiling)"

# Large enough that no bounded run repays it all; the limiter's weight limit likewise.
_SEED_AMOUNT = "1000000000"
# The first line the sandbox and the bare server print: where they listen.
LISTENING = r"listening on http://[^\s:]+:(\d+)"
_WEIGHT_LIMIT = 10**15
_ACCOUNT_NAME = "bench-hmac"


@dataclass
class CapacityResult:
    server: str
    runs: list[dict[str, object]] = field(default_factory=list)

    def _median(self, key: str) -> float:
        return median([float(run[key]) for run in self.runs if run.get(key) is not None])  # type: ignore[arg-type]

    @property
    def per_second(self) -> float:
        return self._median("per_second")

    @property
    def p50_ms(self) -> float:
        return self._median("p50_ms")

    @property
    def p99_ms(self) -> float:
        return self._median("p99_ms")

    @property
    def statuses(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for run in self.runs:
            for status, count in run["statuses"].items():  # type: ignore[attr-defined]
                total[status] = total.get(status, 0) + count
        return total

    @property
    def errors(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for run in self.runs:
            for error, count in run["errors"].items():  # type: ignore[attr-defined]
                total[error] = total.get(error, 0) + count
        return total


@dataclass
class CapacityReport:
    results: list[CapacityResult]
    skipped: dict[str, str]
    concurrency: int
    requests: int
    rounds: int
    seconds: float
    notes: list[str] = field(default_factory=list)

    def result(self, server: str) -> CapacityResult | None:
        return next((r for r in self.results if r.server == server), None)


def write_accounts_file(directory: Path) -> Path:
    """A sandbox accounts file with one HMAC account owing and holding plenty of ASSET."""
    seed = {"principal": _SEED_AMOUNT, "interest": "0", "free": _SEED_AMOUNT}
    return write_one_account(directory / "bench_accounts.json", _ACCOUNT_NAME, seed)


def sandbox_args(accounts: Path, weight_limit: int, *, admin: bool = False) -> list[str]:
    """`python -m papi_sandbox` on a free loopback port with `accounts`, quiet, under this
    weight limit (with `admin`, its admin API too)."""
    return [
        *("--host", "127.0.0.1", "--port", "0", "--accounts", str(accounts)),
        *(("--admin",) if admin else ()),
        *("--weight-limit", str(weight_limit), "--log-level", "warning"),
    ]


def write_one_account(path: Path, name: str, seed: dict[str, str]) -> Path:
    """A sandbox accounts file at `path`: one HMAC account (the benchmarks' key) with `seed`
    (principal, interest, free) of ASSET."""
    account = {"name": name, "api_key": API_KEY, "key_type": "hmac", "secret": API_SECRET}
    document = {"accounts": [{**account, "assets": {ASSET: seed}}]}
    path.write_text(json.dumps(document, indent=2))
    return path


def _load(
    url: str, *, signed: bool, concurrency: int, requests: int, max_seconds: float
) -> dict[str, object]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.load_generator",
        "--url",
        url,
        "--concurrency",
        str(concurrency),
        "--requests",
        str(requests),
        "--max-seconds",
        str(max_seconds),
    ]
    if signed:
        command += ["--sign", f"{API_KEY}:{API_SECRET}"]
    completed = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=max_seconds + 60,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"load generator failed: {completed.stderr.strip()[-800:]}")
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def recorded_repays(base_url: str, since_ms: int) -> int:
    """How many repay records the sandbox's ledger holds for the bench account since `since_ms`."""
    query = f"asset={ASSET}&startTime={since_ms}&size=1&timestamp={time.time_ns() // 1_000_000}"
    signature = hmac.new(API_SECRET.encode(), query.encode(), hashlib.sha256).hexdigest()
    host, port = base_url.split("://", 1)[1].rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(
            "GET",
            f"/papi/v1/margin/repayLoan?{query}&signature={signature}",
            headers={"X-MBX-APIKEY": API_KEY},
        )
        answer = connection.getresponse()
        body = answer.read()
    finally:
        connection.close()
    if answer.status != 200:
        raise RuntimeError(f"record query answered HTTP {answer.status}: {body[:200]!r}")
    total: int = json.loads(body)["total"]
    return total


def sandbox_unavailable() -> str | None:
    try:
        import papi_sandbox.serve  # noqa: F401
    except ImportError as error:
        return f"papi_sandbox is not importable yet: {error}"
    return None


def run(
    *,
    concurrency: int,
    requests: int,
    rounds: int,
    max_seconds: float,
    log: Callable[[str], None] = print,
) -> CapacityReport:
    started = time.perf_counter()
    why_not = sandbox_unavailable()
    if why_not:
        return CapacityReport([], {SANDBOX: why_not}, concurrency, requests, rounds, 0.0)
    per_run_seconds = max(10.0, max_seconds / (3 * rounds))
    lifetime = str(max_seconds + 120)
    with tempfile.TemporaryDirectory(prefix="papi-bench-") as scratch:
        accounts = write_accounts_file(Path(scratch))
        servers = {
            SANDBOX: ServerProcess(
                "benchmarks.sandbox_server",
                "--max-seconds",
                lifetime,
                "--",
                *sandbox_args(accounts, _WEIGHT_LIMIT),
                port_line=LISTENING,
            ),
            BARE: ServerProcess(
                "benchmarks.bare_server",
                "--max-seconds",
                lifetime,
                "--log-level",
                "warning",
                port_line=LISTENING,
            ),
            GENERATOR: ServerProcess("benchmarks.constant_server", "--max-seconds", lifetime),
        }
        results = {name: CapacityResult(name) for name in servers}
        notes: list[str] = []
        since_ms = time.time_ns() // 1_000_000 - 1000
        try:
            for server in servers.values():
                server.start()
            warmup_ok = 0
            for name, server in servers.items():  # warm-up: first-request costs, caches
                warm = _load(
                    server.base_url,
                    signed=True,
                    concurrency=concurrency,
                    requests=min(requests, 500),
                    max_seconds=30,
                )
                if name == SANDBOX:
                    warmup_ok = _ok_answers(warm)
            deadline = started + max_seconds
            for round_index in range(rounds):
                if time.perf_counter() > deadline:
                    log(f"  time budget spent after {round_index} rounds")
                    break
                for name, server in servers.items():
                    results[name].runs.append(
                        _load(
                            server.base_url,
                            signed=True,
                            concurrency=concurrency,
                            requests=requests,
                            max_seconds=per_run_seconds,
                        )
                    )
                log(f"  round {round_index + 1}/{rounds} done")
            expected = warmup_ok + sum(_ok_answers(run) for run in results[SANDBOX].runs)
            notes.append(_ledger_check(servers[SANDBOX].base_url, since_ms, expected))
        finally:
            for server in servers.values():
                server.stop()
    return CapacityReport(
        results=[r for r in results.values() if r.runs],
        skipped={},
        concurrency=concurrency,
        requests=requests,
        rounds=rounds,
        seconds=time.perf_counter() - started,
        notes=notes,
    )


def _ok_answers(run: dict[str, object]) -> int:
    statuses = run["statuses"]
    assert isinstance(statuses, dict)
    return int(statuses.get("200", 0))


def _ledger_check(base_url: str, since_ms: int, expected: int) -> str:
    """Cross-check that every 200 the generator counted is a repay the ledger recorded."""
    try:
        recorded = recorded_repays(base_url, since_ms)
    except (OSError, RuntimeError, KeyError, ValueError) as error:
        return f"ledger check failed: {error}"
    verdict = "match" if recorded == expected else "**MISMATCH**"
    return (
        f"ledger check: {recorded} repay records in the sandbox vs {expected} HTTP 200 answers "
        f"to repays (warm-up included): {verdict}"
    )
