"""The proof that reconciliation never lies, against the real sandbox, counted at the server.

Everything runs on the sandbox's clock: the client's waits move it (`Sleeper(clock=...)`), and
the client measures it again after each wait, as it does in production. So an example costs
no real wait, and the space can include everything Binance's documentation allows:

- a server clock skewed by -999..+999 ms, measured by the client or not; a step back of the
  server's clock after the send;
- a recvWindow of 1..60000 ms;
- a history of earlier repays of the same asset and amount: acknowledged to this client, of
  unknown outcome, or someone else's older than the window;
- 0 to over 1000 records of other amounts in the window (up to 12 pages);
- one repay through a fault of every kind: latencies around the read timeout, refusals, 5xx
  and 4xx "execution status unknown" answers before and after execution, lost answers, a
  request queued until the last moment its timestamp passes (or past it), a record stamped
  up to D before or after the timestamp check, a record shown only up to L after its stamp,
  a record stored PENDING;
- faults on the record reads (503, and 408/-1007).

Then the verdict is checked against the ledger, after the server is done:
- "not executed" only if this request's record does not exist (or is FAILED);
- "executed (X)" / "pending (X)" only if X is this request's record, in that status;
- "ambiguous" lists this request's record if it exists;
- and the verdict is definite (and right) whenever the records were readable, nothing of this
  client was unresolved, the clock did not step back and the faults stayed within the margins
  assumed: a client that always answered "unknown" would fail here.

Out of scope by design (see reconcile.py): a repay of the same asset and amount by someone
else inside this request's window, which no client can tell from its own.

`make test` runs RECONCILE_EXAMPLES (default 300) random examples with the seed printed in
the test header (RECONCILE_SEED to repeat one) plus the explicit examples; `make
reconcile-proof` runs 2000.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, example, given, seed, settings
from hypothesis import strategies as st

from auth_plugin import OutcomeUnknown, PapiError, RepayClient, RetryPolicy
from auth_plugin.safe.reconcile import LoanRequest, Margins, Verdict
from auth_plugin.signer.clock import Clock
from auth_plugin.signer.errors import ClockSyncError
from papi_sandbox.testing import ServedSandbox
from tests.safety.helpers import ACCOUNT, RECORDS, TIME, Sleeper, credentials_for

EXAMPLES = int(os.environ.get("RECONCILE_EXAMPLES", "300"))
SEED = int(os.environ["RECONCILE_SEED"])  # set (or chosen and printed) by tests/conftest.py
ASSET, AMOUNT = "BTC", "0.00777"
READ_TIMEOUT = 0.15
READ_TRIES = 5
# The client's margins, written out: the faults below stay within them.
D, L = 5_000, 5_000
# The 4xx "execution status unknown" answers: code -> msg (the error-code pages).
UNKNOWN_MSGS = {
    -1007: "Timeout waiting for response from backend server. Send status unknown; execution "
    "status unknown.",
    -1006: "An unexpected response was received from the message bus. Execution status unknown.",
}

# (kind, extra inject arguments)
REPAY_FAULTS = (
    None,
    "latency_before",
    "latency_after",
    "unavailable",
    "overloaded",
    "unknown_after",
    # kind_status_code: an unknown answer with that HTTP status and Binance code
    "unknown_after_408_1007",
    "unknown_after_400_1006",
    "unknown_after_400_1007",
    "unknown_before_408_1007",
    "unknown_before_400_1007",
    "drop_after",
    "pending_record",
    "queue",
    "queue_deadline",
)


@dataclass(frozen=True)
class Scenario:
    skew_ms: int
    calibrated: bool
    recv_window: int
    fault: str | None
    latency: float
    queue_ms: int
    stamp_shift_ms: int
    lag_ms: int
    pending_too: bool
    acknowledged: int
    unresolved: bool
    older: tuple[int, ...]
    noise: int
    records_fault: str | None
    step_back_ms: int
    time_latency: float = 0.0
    frozen_clock: bool = False  # every send signed in the same ms: alike sends
    unresolved_fault: str = "unknown_after"


scenarios = st.builds(
    Scenario,
    skew_ms=st.integers(-999, 999),
    calibrated=st.booleans(),
    recv_window=st.one_of(st.integers(1, 2000), st.integers(1, 60_000)),
    fault=st.sampled_from(REPAY_FAULTS),
    latency=st.sampled_from([0.0, 0.05, READ_TIMEOUT + 0.1]),
    queue_ms=st.one_of(st.integers(0, 500), st.integers(0, 70_000)),
    stamp_shift_ms=st.one_of(st.just(0), st.integers(-D, D), st.sampled_from([-D, D])),
    lag_ms=st.one_of(st.just(0), st.integers(0, L), st.just(L)),
    pending_too=st.booleans(),
    acknowledged=st.integers(0, 2),
    unresolved=st.booleans(),
    older=st.lists(st.integers(1, 60_000), max_size=3).map(tuple),
    noise=st.sampled_from([0, 0, 120, 1050]),
    records_fault=st.sampled_from([None, None, "once", "always", "unknown_408"]),
    step_back_ms=st.sampled_from([0, 0, 0, 2_000, 30_000]),
    time_latency=st.sampled_from([0.0, 0.0, 0.0, 0.1]),
    frozen_clock=st.sampled_from([False] * 7 + [True]),
    unresolved_fault=st.sampled_from(["unknown_after", "unknown_before"]),
)

QUIET = Scenario(
    skew_ms=0,
    calibrated=False,
    recv_window=5000,
    fault=None,
    latency=0.0,
    queue_ms=0,
    stamp_shift_ms=0,
    lag_ms=0,
    pending_too=False,
    acknowledged=0,
    unresolved=False,
    older=(),
    noise=0,
    records_fault=None,
    step_back_ms=0,
)


def _with(**changes: object) -> Scenario:
    return Scenario(**{**QUIET.__dict__, **changes})  # type: ignore[arg-type]


@pytest.mark.timeout(max(600, 2 * EXAMPLES))  # pytest-timeout counts all examples together
@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
# The client's clock 999 ms ahead of the server's, never measured.
@example(_with(skew_ms=-999, fault="drop_after", recv_window=1))
# The server 999 ms ahead of an uncalibrated client: the record is stamped at t - 999, and
# D earlier still: the first ms of the window.
@example(_with(skew_ms=999, fault="unknown_after", stamp_shift_ms=-D))
# Executed at the last moment its timestamp passes, stamped D later, shown L after that: the
# last ms of the window, visible only just before the records are read.
@example(_with(fault="queue_deadline", queue_ms=0, stamp_shift_ms=D, lag_ms=L, recv_window=3000))
# A slow time endpoint (a 100 ms round trip): the server's clock is known to +-50 ms only, and
# the record is shown at the last ms it may be.
@example(
    _with(fault="queue_deadline", stamp_shift_ms=D, lag_ms=L, recv_window=2000, time_latency=0.1)
)
# Signed in the same ms as an earlier send of unknown outcome that never executed: described
# by its asset, amount and timestamp, the acknowledged send can't be told from it.
@example(_with(frozen_clock=True, unresolved=True, unresolved_fault="unknown_before"))
# A definite "not executed": refused before executing with a 4xx "execution status unknown".
@example(_with(fault="unknown_before_408_1007"))
# Executed, then answered 400 -1007: the body says the execution status is unknown.
@example(_with(fault="unknown_after_400_1007"))
# Queued past its window: the server refuses it (-1021) when it comes to it.
@example(_with(fault="queue", queue_ms=70_000, recv_window=2000))
# A 400 -1006 after execution; the records read once answered 408 -1007.
@example(_with(fault="unknown_after_400_1006", records_fault="unknown_408", noise=120))
# Measured, then the server's clock steps back 30 s: "not executed" would rest on nothing.
@example(_with(fault="overloaded", calibrated=True, step_back_ms=30_000))
def test_reconciliation_never_lies(shared_sandbox, key, scenario):
    sandbox = shared_sandbox
    sandbox.reset()
    sandbox.ledger.set_balance(
        ACCOUNT, ASSET, principal=Decimal(1000), interest=Decimal(0), free=Decimal(2000)
    )
    sandbox.clock.shift(scenario.skew_ms)
    frozen = time.time_ns()
    with RepayClient(
        sandbox.base_url,
        credentials_for(key),
        clock=Clock(source=lambda: frozen) if scenario.frozen_clock else None,
        recv_window=scenario.recv_window,
        read_timeout=READ_TIMEOUT,
        margins=Margins(D, L),
        sleep=Sleeper(clock=sandbox.clock),  # waits move the server's clock, not real time
    ) as client:  # closed after each example (function-scoped fixtures last all examples)
        if scenario.calibrated:
            _calibrate(client)
        _example(sandbox, client, scenario)


def _calibrate(client: RepayClient) -> None:
    """Measure the clock before any send (asked again if a read times out under load)."""
    for _ in range(READ_TRIES):
        try:
            client.sync_clock()
            return
        except ClockSyncError as error:
            if "Timeout" not in str(error):
                raise
    raise AssertionError(f"every time read timed out {READ_TRIES} times")


def _example(sandbox: ServedSandbox, client: RepayClient, scenario: Scenario) -> None:
    earlier = [_try(client.repay, ASSET, AMOUNT) for _ in range(scenario.acknowledged)]
    unresolved = False  # (a 1 ms recvWindow may still meet -1021)
    if scenario.unresolved:
        sandbox.faults.inject(scenario.unresolved_fault)
        earlier.append(_try(client.repay, ASSET, AMOUNT))
        unresolved = isinstance(earlier[-1], OutcomeUnknown)
        sandbox.faults.clear()
    _add_older_records(sandbox, scenario)
    before = {r.tran_id for r in sandbox.ledger.repays(ACCOUNT)}

    _arm(sandbox, scenario)
    # The faults stay armed: a request the server still holds consumes its record faults when
    # it executes, later (the reconciliation arms only record-read faults).
    request, acknowledged = _send(client, scenario)
    if request is None:  # refused before a timestamp existed: nothing may have executed
        time.sleep(scenario.latency)
        assert _new_records(sandbox, before) == []
        return
    _add_noise(sandbox, request, scenario.noise)
    if scenario.step_back_ms:
        sandbox.clock.shift(-scenario.step_back_ms)
    if scenario.records_fault == "unknown_408":
        code = -1007
        sandbox.faults.inject(
            "unknown_before", path=RECORDS, status=408, code=code, msg=UNKNOWN_MSGS[code]
        )
    elif scenario.records_fault is not None:
        times = 1 if scenario.records_fault == "once" else None
        sandbox.faults.inject("unavailable", times=times, path=RECORDS)
    if scenario.time_latency:
        sandbox.faults.inject("latency_before", None, TIME, seconds=scenario.time_latency)

    # Under load an earlier send can time out too: any other open send makes rivals.
    others_open = any(s.sent_id != request.sent_id for s in client.unresolved)
    result = _reconcile(client, request, scenario)
    sandbox.faults.clear()
    time.sleep(scenario.latency)  # let a request still sleeping in the server finish
    ours = _new_records(sandbox, before)  # noise has another amount

    assert len(ours) <= 1, "executed twice"
    if acknowledged:
        assert [r.tran_id for r in ours] == acknowledged
    if result is None:
        assert scenario.records_fault == "always"
        return
    _check(result, ours)
    # An acknowledged request is described by hand (asset, amount, timestamp): if another send
    # of this client (an earlier one, or a retry of this one) was signed in the same ms, nothing
    # can tell which of them it means.
    alike = request.sent_id is None and len(client.sends.find(request)) > 1
    if alike:
        event("described by hand, alike an earlier send")
        # Whichever send it means, only these are true of every send it fits.
        assert result.verdict in (Verdict.AMBIGUOUS, Verdict.UNKNOWN), result
    stepped = scenario.step_back_ms > 0 and scenario.calibrated
    definite_expected = (
        scenario.records_fault != "always"
        and not (unresolved or others_open)
        and not alike
        and not stepped
    )
    if definite_expected:
        event(f"definite verdict demanded: {result.verdict.value}")
        assert result.verdict in (Verdict.EXECUTED, Verdict.PENDING, Verdict.NOT_EXECUTED), result
        executed = [r for r in ours if r.status != "FAILED"]
        assert (result.verdict is Verdict.NOT_EXECUTED) == (not executed), result
    else:
        event(f"verdict: {result.verdict.value}")


def _arm(sandbox: ServedSandbox, scenario: Scenario) -> None:
    fault = scenario.fault
    if fault is not None and fault.startswith("unknown_") and fault.count("_") == 3:
        kind, status, number = fault.rsplit("_", 2)
        code = -int(number)
        sandbox.faults.inject(kind, status=int(status), code=code, msg=UNKNOWN_MSGS[code])
    elif fault in ("queue", "queue_deadline"):
        sandbox.faults.inject(fault, ms=scenario.queue_ms)
    elif fault is not None:
        sandbox.faults.inject(fault, seconds=scenario.latency)
    if scenario.pending_too and fault != "pending_record":
        sandbox.faults.inject("pending_record")
    if scenario.stamp_shift_ms:
        sandbox.faults.inject("stamp_shift", ms=scenario.stamp_shift_ms)
    if scenario.lag_ms:
        sandbox.faults.inject("record_lag", ms=scenario.lag_ms)


def _reconcile(client: RepayClient, request: LoanRequest, scenario: Scenario):
    """The verdict, or None when the records could not be read.

    As the CLI tells its user, a "could not check" is asked again. The short read timeout
    (there for the repay's latency faults) also applies to every read, and a loaded machine
    can miss it on all three tries; such a read is asked again, a bounded number of times,
    so that the verdict is still required whenever the records are readable.
    """
    for _ in range(READ_TRIES):
        try:
            return client.reconcile_sent(request)
        except PapiError as error:
            if scenario.records_fault == "always":
                return None
            if not _read_timed_out(error):
                raise
            event("reconcile asked again: a read timed out")
    raise AssertionError(f"every read timed out {READ_TRIES} times")


def _read_timed_out(error: PapiError) -> bool:
    """A clock or record read (never a repay: no amount) that got no answer in time."""
    if isinstance(error, ClockSyncError):
        return "Timeout" in str(error)
    return isinstance(error, OutcomeUnknown) and error.amount is None and "Timeout" in str(error)


def _try(call, *args):
    try:
        return call(*args)
    except PapiError as error:
        return error


def _send(client: RepayClient, scenario: Scenario) -> tuple[LoanRequest | None, list[int]]:
    """The request to reconcile, and the tranId if the repay was answered with one."""
    try:
        done = client.repay(ASSET, AMOUNT)
    except OutcomeUnknown as error:
        return client.request_of(error), []
    except PapiError:
        return None, []
    assert done.timestamp_ms is not None
    request = LoanRequest(ASSET, AMOUNT, done.timestamp_ms, scenario.recv_window)
    return request, [done.tran_id]


def _check(result, ours) -> None:
    ids = {r.tran_id: r for r in ours}
    if result.verdict is Verdict.NOT_EXECUTED:
        assert all(r.status == "FAILED" for r in ours), f"said not executed: {result}"
    elif result.verdict is Verdict.EXECUTED:
        assert result.tran_id in ids, f"named a record not ours: {result}"
        assert ids[result.tran_id].status == "CONFIRMED"
    elif result.verdict is Verdict.PENDING:
        assert result.tran_id in ids, f"named a record not ours: {result}"
        assert ids[result.tran_id].status != "CONFIRMED"
    elif result.verdict is Verdict.AMBIGUOUS:
        listed = {c.tx_id for c in result.candidates}
        assert len(listed) >= 1 and set(ids) <= listed, result


def _new_records(sandbox: ServedSandbox, before: set[int]) -> list:
    return [
        r
        for r in sandbox.ledger.repays(ACCOUNT)
        if r.tran_id not in before and r.asset == ASSET and r.amount == Decimal(AMOUNT)
    ]


def _add_older_records(sandbox: ServedSandbox, scenario: Scenario) -> None:
    """Someone else's repays of the same amount, older than the request's earliest time: the
    request is stamped no earlier than the server's now minus the skew (uncalibrated client)
    or a few ms (calibrated), so these lie before its timestamp minus 999 minus D."""
    now = sandbox.clock.now_ms()
    for age in scenario.older:
        # A frozen client clock signs up to a recvWindow before the server's now.
        when = now - max(scenario.skew_ms, 0) - scenario.recv_window - 1_000 - D - 20 - age
        sandbox.ledger.repay(ACCOUNT, ASSET, Decimal(AMOUNT), when)


def _add_noise(sandbox: ServedSandbox, request: LoanRequest, count: int) -> None:
    """Repays of other amounts inside the request's window: pages to walk, nothing to match."""
    window = request.window(Margins(D, L))
    span = window.last - window.first + 1
    for n in range(count):
        when = window.first + (n * 7919) % span
        sandbox.ledger.repay(ACCOUNT, ASSET, Decimal("0.00001"), when)


GROUP_FAULTS = (
    "unknown_after",
    "unknown_after_408_1007",
    "overloaded",
    "unknown_before_408_1007",
    "drop_after",
    "queue_deadline",
)


@dataclass(frozen=True)
class GroupScenario:
    faults: tuple[str, ...]
    gap_ms: int
    recv_window: int
    stamp_shift_ms: int
    lag_ms: int
    pending_too: bool


group_scenarios = st.builds(
    GroupScenario,
    faults=st.lists(st.sampled_from(GROUP_FAULTS), min_size=1, max_size=4).map(tuple),
    gap_ms=st.sampled_from([0, 100, 3_000, 20_000]),
    recv_window=st.sampled_from([1000, 5000, 30_000]),
    stamp_shift_ms=st.one_of(st.just(0), st.integers(-D, D)),
    lag_ms=st.one_of(st.just(0), st.integers(0, L)),
    pending_too=st.booleans(),
)


@pytest.mark.timeout(max(600, 2 * EXAMPLES))
@seed(SEED)
@settings(
    max_examples=max(1, EXAMPLES // 3),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=group_scenarios)
# Three alike sends, two executed, windows overlapping: "2 of 3 executed".
@example(GroupScenario(("unknown_after", "overloaded", "drop_after"), 100, 5000, 0, 0, False))
def test_alike_sends_settled_together_never_lie(shared_sandbox, key, scenario):
    """Alike sends whose outcomes are all unknown, left unresolved, then reconciled together:
    a group settled as "k of n" has exactly k (+ pending) records of its own sends; anything
    it can't share out is "ambiguous", never a count."""
    sandbox = shared_sandbox
    sandbox.reset()
    sandbox.ledger.set_balance(
        ACCOUNT, ASSET, principal=Decimal(1000), interest=Decimal(0), free=Decimal(2000)
    )
    with RepayClient(
        sandbox.base_url,
        credentials_for(key),
        recv_window=scenario.recv_window,
        read_timeout=READ_TIMEOUT,
        retry=RetryPolicy.none(),
        margins=Margins(D, L),
        sleep=Sleeper(clock=sandbox.clock),
    ) as client:
        for fault in scenario.faults:
            faults = _with(
                fault=fault,
                stamp_shift_ms=scenario.stamp_shift_ms,
                lag_ms=scenario.lag_ms,
                pending_too=scenario.pending_too,
            )
            _arm(sandbox, faults)
            _try(client.repay, ASSET, AMOUNT)
            sandbox.clock.shift(scenario.gap_ms)
        sends = client.unresolved
        results = _patient(lambda: client.reconcile_unresolved("repay", ASSET, AMOUNT))
    ours = {r.tran_id: r for r in sandbox.ledger.repays(ACCOUNT)}
    assert len(ours) <= len(scenario.faults)
    settled = [r for r in results if r.verdict is Verdict.SETTLED]
    assert sum(len(r.sends) for r in results) == len(sends)
    for result in settled:
        listed = [*result.executed, *result.pending]
        assert {r.tx_id for r in listed} <= set(ours), result
        assert all(ours[r.tx_id].status == "CONFIRMED" for r in result.executed), result
    if len(settled) == len(results):
        event(f"{len(sends)} sends, {len(results)} group(s), all settled")
        counted = sum(len(r.executed) + len(r.pending) for r in settled)
        assert counted == len(ours), (results, ours)
    else:
        event("a group left ambiguous")


def _patient(call):
    for _ in range(READ_TRIES):
        try:
            return call()
        except PapiError as error:
            if not _read_timed_out(error):
                raise
    raise AssertionError(f"every read timed out {READ_TRIES} times")
