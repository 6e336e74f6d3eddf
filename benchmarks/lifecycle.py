"""Section 5: the loan-lifecycle calls, ours (`RepayClient`) next to the official SDK, against
one sandbox process (`python -m papi_sandbox --admin`, one HMAC account, limiter out of reach).

- `debt()`: `RepayClient.debt(asset)` vs the SDK's `account_balance(asset)`: one signed
  GET /papi/v1/balance?asset= (weight 20), answer parsed;
- `repay_all()`: `RepayClient.repay_all(asset)` vs the SDK making the same three requests
  (balance, a repay of principal + interest as the float it takes, balance again).

Before every `repay_all()` call, untimed, the account's debt is set again through the admin
API (its own connection) to principal 250 + interest 1.25, so that every call repays 251.25 and
leaves 0; every answer is checked after its round, and at the end the sandbox's repay records
must number exactly the repays made. Timing is section 1's interleaved runner.
"""

from __future__ import annotations

import gc
import http.client
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyperf

from benchmarks import clients
from benchmarks.child_process import ServerProcess
from benchmarks.clients import API_KEY, API_SECRET, ASSET
from benchmarks.common import Series, Target, interleaved_round, percentile, ratios, table
from benchmarks.sandbox_capacity import recorded_repays, sandbox_args, write_account

OURS, SDK = clients.REPAY_LAYER, "official-sdk"
OPERATIONS = {"debt()": 1, "repay_all()": 3}  # requests per call
ACCOUNT, PRINCIPAL, INTEREST = "bench-lifecycle", "250", "1.25"
DEBT_TOTAL = Decimal(PRINCIPAL) + Decimal(INTEREST)
SLICES, REWARM = 5, 1  # calls are longer here: fewer turns, one re-warm call each
TARGET = "debt() and repay_all() below the official SDK per call"


@dataclass
class LifecycleReport:
    series: dict[str, dict[str, Series]] = field(default_factory=dict)  # operation: client: ...
    calls: dict[str, int] = field(default_factory=dict)  # operation: timed calls per client
    rounds: int = 0
    seconds: float = 0.0
    ledger: str = ""
    failure: str | None = None  # a call failed or answered wrong: nothing is judged
    benchmarks: list[pyperf.Benchmark] = field(default_factory=list)


class Reseeder:
    """Sets the account's debt again through the sandbox's admin API, on its own connection."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.body = json.dumps({"principal": PRINCIPAL, "interest": INTEREST}).encode()

    def __call__(self) -> None:
        path, headers = (
            f"/sandbox-admin/accounts/{ACCOUNT}/assets/{ASSET}",
            {"Content-Type": "application/json"},
        )
        self.connection.request("PUT", path, body=self.body, headers=headers)
        answer = self.connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"re-seeding answered HTTP {answer.status}: {body[:200]!r}")


def _check(operation: str, client: Any, answer: object) -> None:
    if operation == "debt()":
        if client.debt_asset(answer) != ASSET:
            raise RuntimeError(f"debt() answered another asset: {repr(answer)[:200]}")
        return
    repaid, left = client.settled(answer)
    if repaid != DEBT_TOTAL or left != 0:
        raise RuntimeError(f"repay_all() repaid {repaid:f} of {DEBT_TOTAL:f} and left {left:f}")


def _keeping(call: Callable[[], object], answers: list[object]) -> Callable[[], object]:
    return lambda: answers.append(call())


def _round(
    built: dict[str, Any], reseed: Reseeder, per_round: dict[str, int], index: int
) -> tuple[dict[str, dict[str, tuple[list[int], int]]], int]:
    """One round of both operations, every answer checked afterwards; and how many repay_all()
    calls were made (timed or not)."""
    measured, repays = {}, 0
    for operation, calls in per_round.items():
        answers: dict[str, list[object]] = {name: [] for name in built}
        method = operation.removesuffix("()")
        calls_of = {name: _keeping(getattr(built[name], method), answers[name]) for name in built}
        prepare = reseed if operation == "repay_all()" else None
        measured[operation] = interleaved_round(calls_of, calls, SLICES, index, prepare, REWARM)
        for name, taken in answers.items():
            for answer in taken:
                _check(operation, built[name], answer)
            repays += len(taken) if operation == "repay_all()" else 0
    return measured, repays


def run(
    *,
    calls: dict[str, int],
    rounds: int,
    warmup: int,
    max_seconds: float,
    log: Callable[[str], None],
) -> LifecycleReport:
    started = time.perf_counter()
    report = LifecycleReport()
    per_round = {op: max(1, n // rounds) for op, n in calls.items()}
    repays = 0
    with tempfile.TemporaryDirectory(prefix="papi-bench-") as scratch:
        seed = {"principal": PRINCIPAL, "interest": INTEREST, "free": "1000000000"}
        accounts = write_account(Path(scratch) / "lifecycle.json", ACCOUNT, seed)
        args = sandbox_args(accounts, admin=True)
        with ServerProcess("sandbox", "--", *args, max_seconds=max_seconds + 120) as server:
            since_ms = time.time_ns() // 1_000_000 - 1000
            built: dict[str, Any] = {}
            reseed = Reseeder(server.port)
            try:
                for name in (OURS, SDK):
                    built[name] = clients.CLIENTS[name](server.base_url, API_KEY, API_SECRET)
                log(f"  warming up ({warmup} calls of each operation per client)")
                repays += _round(built, reseed, dict.fromkeys(OPERATIONS, warmup), 0)[1]
                gc.collect()
                gc.freeze()
                for index in range(rounds):
                    if time.perf_counter() - started > max_seconds:
                        log(f"  time budget spent after {index} rounds")
                        break
                    measured_round, made = _round(built, reseed, per_round, index)
                    repays += made
                    for operation, measured in measured_round.items():
                        for name, (walls, cpu) in measured.items():
                            label = clients.CLIENTS[name].LABEL
                            series = report.series.setdefault(operation, {})
                            series.setdefault(name, Series(name, label)).add_round(walls, cpu)
                    report.rounds = index + 1
                    if report.rounds % 10 == 0:
                        log(f"  round {report.rounds}/{rounds} done")
                recorded = recorded_repays(server.port, since_ms)
                verdict = "match" if recorded == repays else "**MISMATCH**"
                report.ledger = (
                    f"ledger check: {recorded} repay records in the sandbox vs {repays} "
                    "repay_all() calls (untimed ones included), each checked to repay "
                    f"{DEBT_TOTAL} and leave 0: {verdict}"
                )
            except Exception as error:  # a wrong answer must not cost the other sections
                report.failure = f"{type(error).__name__}: {error}"[:600]
                log(f"  failed: {report.failure}")
            finally:
                gc.unfreeze()
                for client in built.values():
                    client.close()
                reseed.connection.close()
    report.calls = {op: n * report.rounds for op, n in per_round.items()}
    report.seconds = time.perf_counter() - started
    for operation, series in report.series.items():
        for one in series.values():
            report.benchmarks += one.benchmarks(f"lifecycle {operation}")
    return report


def render(report: LifecycleReport) -> tuple[list[str], list[Target]]:
    calls = ", ".join(f"{n} `{op}`" for op, n in report.calls.items())
    lines = [
        "## 5. Loan lifecycle: `debt()` and `repay_all()` against the sandbox, ours vs the "
        "official SDK",
        "",
        "One sandbox process; before each `repay_all()`, untimed, the debt is set again to "
        "250 + 1.25 (admin API), so every call repays 251.25 and leaves 0 (every answer "
        f"checked). Timed calls per client: {calls}, in {report.rounds} rounds of the "
        f"interleaved runner ({SLICES} slices). Cells as in section 1; × SDK: ours / SDK "
        f"round by round. Section time {report.seconds:.0f} s.",
        "",
    ]
    if report.failure:
        return [*lines, f"- **failed**, nothing judged: {report.failure}"], [
            Target(TARGET, f"failed: {report.failure}", False)
        ]
    rows, parts, met = [], [], bool(report.series) and report.ledger.endswith(": match")
    for operation, series in report.series.items():
        sdk = series[SDK]
        for one in series.values():
            rows.append(
                [
                    f"`{operation}`",
                    f"{one.label} (`{one.name}`)",
                    str(OPERATIONS[operation]),
                    f"{one.median_us:.1f}",
                    ratios(one.wall, sdk.wall).show(extremes=True),
                    f"{one.cpu_us:.1f}",
                    ratios(one.cpu, sdk.cpu).show(extremes=True),
                    f"{percentile(one.calls_us, 90):.1f}",
                ]
            )
        spread = ratios(series[OURS].wall, sdk.wall)
        parts.append(
            f"`{operation}` {spread.judged()} × SDK, "
            f"{series[OURS].median_us:.1f} / {sdk.median_us:.1f} µs"
        )
        met = met and spread.median < 1.0
    header = ["call", "client", "requests", "wall µs", "wall × SDK", "CPU µs", "CPU × SDK"]
    lines += [*table([*header, "p90 µs"], rows), "", "What each client calls:", ""]
    lines += [f"- `{n}`: {clients.CLIENTS[n].LIFECYCLE_NOTE}" for n in (OURS, SDK)]
    lines += [f"- {report.ledger}"]
    if not parts:
        return lines, [Target(TARGET, "not measured", None)]
    return lines, [Target(TARGET, "; ".join(parts), met)]
