"""The proof that reconciliation never lies, against the real sandbox, counted at the server.

Each example: a server clock skewed by -999..+999 ms against the client's, a recvWindow of
1..60000 ms, a history of earlier repays of the same asset and amount (acknowledged to this
client; or by someone else, older than the earliest time the server allows for this request;
or an earlier one of this client whose outcome was left unknown), 0 to over 1000 records of
other amounts inside the window (so up to 12 pages), then one repay through a fault of every
kind (latencies before and after execution around the read timeout, refusals, lost answers,
a record stored PENDING), and faults on the record query. Then the verdict is checked against
the ledger:

- "not executed" only if this request's record does not exist (after the server is done);
- "executed (X)" / "pending (X)" only if X is this request's record, in that status;
- "ambiguous" lists this request's record if it exists;
- and the verdict is definite (executed / pending / not executed, and right) whenever the
  records were readable, the window was closed and nothing of this client was unresolved:
  a client that always answered "unknown" would fail here.

Out of scope by design (see reconcile.py): a repay of the same asset and amount by someone
else inside this request's window, which no client can tell from its own.

`make test` runs a few derandomized examples; `make reconcile-proof` runs many more
(RECONCILE_EXAMPLES, default 2000).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from auth_plugin import OutcomeUnknown, PapiError, RepayClient
from auth_plugin.safe.reconcile import SentRepay, Verdict
from auth_plugin.signer.errors import ClockSyncError
from papi_sandbox.testing import SandboxHandle
from tests.safety.helpers import ACCOUNT, RECORDS, Sleeper, credentials_for

EXAMPLES = int(os.environ.get("RECONCILE_EXAMPLES", "30"))
ASSET, AMOUNT = "BTC", "0.00777"
READ_TIMEOUT = 0.15
READ_TRIES = 5
REPAY_FAULTS = (
    None,
    "latency_before",
    "latency_after",
    "unavailable",
    "overloaded",
    "unknown_after",
    "drop_after",
    "pending_record",
)


@dataclass(frozen=True)
class Scenario:
    skew_ms: int
    recv_window: int
    fault: str | None
    latency: float
    pending_too: bool
    acknowledged: int
    unresolved: bool
    older: tuple[int, ...]
    noise: int
    records_fault: str | None
    close_window: bool


scenarios = st.builds(
    Scenario,
    skew_ms=st.integers(-999, 999),
    recv_window=st.one_of(st.integers(1, 2000), st.integers(1, 60_000)),
    fault=st.sampled_from(REPAY_FAULTS),
    latency=st.sampled_from([0.0, 0.05, READ_TIMEOUT + 0.1, 0.4]),
    pending_too=st.booleans(),
    acknowledged=st.integers(0, 2),
    unresolved=st.booleans(),
    older=st.lists(st.integers(1, 60_000), max_size=3).map(tuple),
    noise=st.sampled_from([0, 0, 120, 1050]),
    records_fault=st.sampled_from([None, None, "once", "always"]),
    close_window=st.booleans(),
)


@pytest.mark.timeout(max(300, 2 * EXAMPLES))  # pytest-timeout counts all examples together
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 100,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
def test_reconciliation_never_lies(shared_sandbox, key, scenario):
    sandbox = shared_sandbox
    sandbox.reset()
    sandbox.ledger.set_balance(
        ACCOUNT, ASSET, principal=Decimal(1000), interest=Decimal(0), free=Decimal(2000)
    )
    sandbox.clock.shift(scenario.skew_ms)
    with RepayClient(
        sandbox.base_url,
        credentials_for(key),
        recv_window=scenario.recv_window,
        read_timeout=READ_TIMEOUT,
        sleep=Sleeper(),  # retries don't wait; windows are closed by the server's clock
    ) as client:  # closed after each example (function-scoped fixtures last all examples)
        _example(sandbox, client, scenario)


def _example(sandbox: SandboxHandle, client: RepayClient, scenario: Scenario) -> None:
    earlier = [_try(client.repay, ASSET, AMOUNT) for _ in range(scenario.acknowledged)]
    unresolved = False  # (a 1 ms recvWindow may still meet -1021)
    if scenario.unresolved:
        sandbox.faults.inject("unknown_after")
        earlier.append(_try(client.repay, ASSET, AMOUNT))
        unresolved = isinstance(earlier[-1], OutcomeUnknown)
        sandbox.faults.clear()
    _add_older_records(sandbox, scenario)
    before = {r.tran_id for r in sandbox.repays(ACCOUNT)}

    if scenario.fault is not None:
        sandbox.faults.inject(scenario.fault, seconds=scenario.latency)
    if scenario.pending_too and scenario.fault != "pending_record":
        sandbox.faults.inject("pending_record")
    request, acknowledged = _send(client, scenario)
    sandbox.faults.clear()
    if request is None:  # refused before a timestamp existed: nothing may have executed
        time.sleep(scenario.latency)
        assert _new_records(sandbox, before) == []
        return
    _add_noise(sandbox, request, scenario.noise)
    if scenario.records_fault is not None:
        times = 1 if scenario.records_fault == "once" else None
        sandbox.faults.inject("unavailable", times=times, path=RECORDS)
    if scenario.close_window:
        sandbox.clock.shift(request.recv_window + 3_000)

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
    # An acknowledged request is described by hand (asset, amount, timestamp): if an earlier
    # send was signed in the same ms, nothing can tell which of the two it means.
    alike = request.sent_id is None and request.timestamp_ms in _stamps(earlier)
    if alike:
        event("described by hand, alike an earlier send")
    definite_expected = (
        scenario.close_window
        and scenario.records_fault != "always"
        and not unresolved
        and not alike
    )
    if definite_expected:
        assert result.verdict in (Verdict.EXECUTED, Verdict.PENDING, Verdict.NOT_EXECUTED), result
        assert (result.verdict is Verdict.NOT_EXECUTED) == (not ours), result


def _reconcile(client: RepayClient, request: SentRepay, scenario: Scenario):
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


def _stamps(sent) -> set[int | None]:
    return {getattr(outcome, "timestamp_ms", None) for outcome in sent}


def _try(call, *args):
    try:
        return call(*args)
    except PapiError as error:
        return error


def _send(client: RepayClient, scenario: Scenario) -> tuple[SentRepay | None, list[int]]:
    """The request to reconcile, and the tranId if the repay was answered with one."""
    try:
        done = client.repay(ASSET, AMOUNT)
    except OutcomeUnknown as error:
        return client.request_of(error), []
    except PapiError:
        return None, []
    assert done.timestamp_ms is not None
    request = SentRepay(ASSET, AMOUNT, done.timestamp_ms, scenario.recv_window)
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


def _new_records(sandbox: SandboxHandle, before: set[int]) -> list:
    return [
        r
        for r in sandbox.repays(ACCOUNT)
        if r.tran_id not in before and r.asset == ASSET and r.amount == Decimal(AMOUNT)
    ]


def _add_older_records(sandbox: SandboxHandle, scenario: Scenario) -> None:
    """Someone else's repays of the same amount, older than the request's earliest time: the
    request is stamped no earlier than the server's now minus the skew (uncalibrated client)
    or a few ms (calibrated), so these lie before its timestamp minus 999."""
    now = sandbox.clock.now_ms()
    for age in scenario.older:
        when = now - max(scenario.skew_ms, 0) - 1_000 - 20 - age
        sandbox.ledger.repay(ACCOUNT, ASSET, Decimal(AMOUNT), when)


def _add_noise(sandbox: SandboxHandle, request: SentRepay, count: int) -> None:
    """Repays of other amounts inside the request's window: pages to walk, nothing to match."""
    span = request.latest_ms - request.earliest_ms + 1
    for n in range(count):
        when = request.earliest_ms + (n * 7919) % span
        sandbox.ledger.repay(ACCOUNT, ASSET, Decimal("0.00001"), when)
