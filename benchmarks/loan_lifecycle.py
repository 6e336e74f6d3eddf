"""Section 5: the loan-lifecycle calls per call, ours (`RepayClient`) next to the official SDK.

Two operations, each made by both clients against the same sandbox process (`python -m
papi_sandbox` under a watchdog, on loopback, `--admin`, `--weight-limit` out of reach):

- `debt()`: `RepayClient.debt(asset)` vs the SDK's `account_balance(asset)`: one signed
  GET /papi/v1/balance?asset= (weight 20), answer parsed;
- `repay_all()`: `RepayClient.repay_all(asset)` vs the SDK doing the same three requests:
  `account_balance(asset)`, `margin_account_repay(asset, amount)` of principal + interest (as
  the float the SDK takes), `account_balance(asset)` again.

The sandbox holds one HMAC account with a large free balance. Before every `repay_all()` call,
outside the timed part, the account's debt is set again (admin API, own connection) to the same
principal + interest, so every call reads a debt, repays all of it and reads zero; each answer is
checked after its block (debt repaid in full, nothing left), and at the end the sandbox's repay
records must number exactly the repays made.

Timing is as in section 1: in rounds, each operation in a block of sequential calls per client,
which client goes first alternating from round to round; every call is timed on its own
(`perf_counter_ns`), and this process's CPU time (`process_time_ns`) around it, so the untimed
re-seeding is left out of both. Per round and client: wall = median µs of the block's calls,
CPU = the block's CPU time per call; figures are medians over rounds, and the ratio ours / SDK
is taken round by round before its median. Request counts are bounded (calls per client and
operation), and so is the time (a deadline between rounds).
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

from benchmarks import clients
from benchmarks.child_process import ServerProcess
from benchmarks.credentials import API_KEY, API_SECRET, ASSET
from benchmarks.sandbox_capacity import (
    LISTENING,
    recorded_repays,
    sandbox_args,
    sandbox_unavailable,
    write_one_account,
)
from benchmarks.stats import Rounds, median

OURS = "ours-repay"
SDK = "official-sdk"
CLIENTS = (OURS, SDK)
DEBT = "debt()"
REPAY_ALL = "repay_all()"
OPERATIONS = (DEBT, REPAY_ALL)
#: Requests each operation sends per call.
REQUESTS_PER_CALL = {DEBT: 1, REPAY_ALL: 3}

ACCOUNT = "bench-lifecycle"
# The debt set again before every repay_all(): principal + interest = 251.25, a float the SDK
# sends as it is ("251.25"); the free balance covers millions of such repays.
PRINCIPAL = "250"
INTEREST = "1.25"
DEBT_TOTAL = Decimal(PRINCIPAL) + Decimal(INTEREST)
FREE = "1000000000"
WEIGHT_LIMIT = 10**15
LABELS = {
    OURS: "ours: RepayClient safety layer (HMAC)",
    SDK: "official Binance SDK (derivatives-trading-portfolio-margin)",
}


@dataclass
class LifecycleResult(Rounds):
    operation: str
    client: str
    label: str


@dataclass
class LifecycleReport:
    results: list[LifecycleResult]
    skipped: dict[str, str]
    notes: dict[str, str]  # client id: what it calls
    calls: dict[str, int]  # operation: timed calls per client
    rounds: int
    warmup: dict[str, int]
    seconds: float
    checks: list[str] = field(default_factory=list)
    failure: str | None = None  # a call failed or answered wrong: nothing is judged

    def get(self, operation: str, client: str) -> LifecycleResult | None:
        return next(
            (r for r in self.results if r.operation == operation and r.client == client), None
        )


def write_accounts_file(directory: Path) -> Path:
    seed = {"principal": PRINCIPAL, "interest": INTEREST, "free": FREE}
    return write_one_account(directory / "lifecycle_accounts.json", ACCOUNT, seed)


class Reseeder:
    """Sets the account's debt again through the sandbox's admin API, on its own connection."""

    def __init__(self, port: int) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self._path = f"/sandbox-admin/accounts/{ACCOUNT}/assets/{ASSET}"
        self._body = json.dumps({"principal": PRINCIPAL, "interest": INTEREST}).encode()
        self._headers = {"Content-Type": "application/json"}

    def __call__(self) -> None:
        self._connection.request("PUT", self._path, body=self._body, headers=self._headers)
        answer = self._connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"re-seeding answered HTTP {answer.status}: {body[:200]!r}")

    def ledger(self) -> dict[str, Any]:
        self._connection.request("GET", f"/sandbox-admin/accounts/{ACCOUNT}/ledger")
        answer = self._connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"ledger read answered HTTP {answer.status}: {body[:200]!r}")
        assets: dict[str, Any] = json.loads(body)["assets"][ASSET]
        return assets

    def close(self) -> None:
        self._connection.close()


def _check(operation: str, client: Any, answer: object) -> None:
    """Raise unless the answer is what the operation must give (outside the timed part)."""
    if operation == DEBT:
        if client.debt_asset(answer) != ASSET:
            raise RuntimeError(f"debt() answered another asset: {repr(answer)[:200]}")
        return
    repaid, left = client.settled(answer)
    if repaid != DEBT_TOTAL or left != 0:
        raise RuntimeError(
            f"repay_all() repaid {repaid:f} of a debt of {DEBT_TOTAL:f} and left {left:f}"
        )


def _block(operation: str, client: Any, reseed: Reseeder, calls: int) -> tuple[list[int], int]:
    """`calls` sequential calls; (wall ns of each, CPU ns of all), re-seeding left out."""
    call = client.debt if operation == DEBT else client.repay_all
    prepare = reseed if operation == REPAY_ALL else None
    perf_counter_ns, process_time_ns = time.perf_counter_ns, time.process_time_ns
    samples = [0] * calls
    answers: list[object] = [None] * calls
    cpu = 0
    gc.collect()
    for i in range(calls):
        if prepare is not None:
            prepare()
        c0 = process_time_ns()
        t0 = perf_counter_ns()
        answers[i] = call()
        t1 = perf_counter_ns()
        cpu += process_time_ns() - c0
        samples[i] = t1 - t0
    for answer in answers:
        _check(operation, client, answer)
    return samples, cpu


def unavailable() -> str | None:
    why_not = sandbox_unavailable()
    if why_not:
        return why_not
    for name in CLIENTS:
        why_not = clients.available(name)
        if why_not:
            return f"`{name}`: {why_not}"
    try:
        from auth_plugin import RepayClient
    except ImportError as error:
        return f"auth_plugin.RepayClient is not importable: {error}"
    missing = [m for m in ("debt", "repay_all") if not hasattr(RepayClient, m)]
    if missing:
        return f"RepayClient has no {', '.join(missing)} yet"
    return None


def run(
    *,
    debt_calls: int,
    repay_all_calls: int,
    rounds: int,
    warmup: int,
    max_seconds: float,
    log: Callable[[str], None] = print,
) -> LifecycleReport:
    started = time.perf_counter()
    notes = {name: clients.load(name).LIFECYCLE_NOTE for name in CLIENTS}
    calls_of = {DEBT: debt_calls, REPAY_ALL: repay_all_calls}
    warmup_of = {DEBT: warmup, REPAY_ALL: max(1, warmup // 2)}
    why_not = unavailable()
    if why_not:
        return LifecycleReport([], {"section": why_not}, notes, calls_of, 0, warmup_of, 0.0)
    per_round = {op: max(1, calls // rounds) for op, calls in calls_of.items()}
    results = {
        (op, name): LifecycleResult(op, name, LABELS[name]) for op in OPERATIONS for name in CLIENTS
    }
    checks: list[str] = []
    failure = None
    completed = 0
    repays_made = 0
    with tempfile.TemporaryDirectory(prefix="papi-bench-") as scratch:
        accounts = write_accounts_file(Path(scratch))
        server = ServerProcess(
            "benchmarks.sandbox_server",
            "--max-seconds",
            str(max_seconds + 120),
            "--",
            *sandbox_args(accounts, WEIGHT_LIMIT, admin=True),
            port_line=LISTENING,
        )
        built: dict[str, Any] = {}
        reseed: Reseeder | None = None
        with server:
            since_ms = time.time_ns() // 1_000_000 - 1000
            try:
                reseed = Reseeder(server.port)
                for name in CLIENTS:
                    built[name] = clients.load(name).build(server.base_url, API_KEY, API_SECRET)
                log(f"  warming up ({warmup_of[DEBT]} debt(), {warmup_of[REPAY_ALL]} repay_all())")
                for name, client in built.items():
                    for op in OPERATIONS:
                        _block(op, client, reseed, warmup_of[op])
                    repays_made += warmup_of[REPAY_ALL]
                    balance = reseed.ledger()
                    if Decimal(balance["principal"]) or Decimal(balance["interest"]):
                        raise RuntimeError(f"{name}: debt left after repay_all(): {balance}")
                gc.collect()
                gc.freeze()
                deadline = started + max_seconds
                for round_index in range(rounds):
                    if time.perf_counter() > deadline:
                        log(f"  time budget spent after {round_index} rounds")
                        break
                    order = CLIENTS if round_index % 2 == 0 else CLIENTS[::-1]
                    for op in OPERATIONS:
                        for name in order:
                            samples, cpu = _block(op, built[name], reseed, per_round[op])
                            result = results[op, name]
                            result.samples_ns.extend(samples)
                            result.round_medians_us.append(median(samples) / 1000)
                            result.round_cpu_us.append(cpu / len(samples) / 1000)
                            if op == REPAY_ALL:
                                repays_made += len(samples)
                    completed = round_index + 1
                    if completed % 10 == 0 or completed == rounds:
                        log(f"  round {completed}/{rounds} done")
                checks.append(_ledger_check(server.base_url, since_ms, repays_made))
            except Exception as error:  # a wrong answer must not cost the other sections
                failure = f"{type(error).__name__}: {error}"[:600]
                log(f"  failed: {failure}")
            finally:
                gc.unfreeze()
                for client in built.values():
                    client.close()
                if reseed is not None:
                    reseed.close()
    return LifecycleReport(
        results=[r for r in results.values() if r.samples_ns],
        skipped={},
        notes=notes,
        calls={op: per_round[op] * completed for op in OPERATIONS},
        rounds=completed,
        warmup=warmup_of,
        seconds=time.perf_counter() - started,
        checks=checks,
        failure=failure,
    )


def _ledger_check(base_url: str, since_ms: int, expected: int) -> str:
    """Every repay_all() made is exactly one repay record in the sandbox."""
    try:
        recorded = recorded_repays(base_url, since_ms)
    except (OSError, RuntimeError, KeyError, ValueError) as error:
        return f"lifecycle ledger check failed: {error}"
    verdict = "match" if recorded == expected else "**MISMATCH**"
    return (
        f"lifecycle ledger check: {recorded} repay records in the sandbox vs {expected} "
        f"repay_all() calls (warm-up included), each checked to repay {DEBT_TOTAL} and leave "
        f"0: {verdict}"
    )
