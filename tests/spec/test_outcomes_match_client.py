"""The retry policy reads the spec: every documented status and body, fed to the client's
classifier, lands in the class the spec's `x-outcome` says, and the retry policy treats it so.

- `rejected`: a `RequestRejected` that is not one of the wait-and-resend kinds; `executed` is
  False; never resent as is (a -1021 only after a clock re-sync, as a new request);
- `not-executed`: `RateLimited`, `Banned` or `ServiceUnavailable`; `executed` is False;
- `unknown`: `OutcomeUnknown`; `executed` is None; a repay is never resent.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from auth_plugin import (
    Banned,
    OutcomeUnknown,
    PapiError,
    RateLimited,
    RequestRejected,
    ServiceUnavailable,
    TimestampRejected,
)
from auth_plugin.safe.classify import SendContext, error_from_response
from auth_plugin.safe.retry_policy import RetryPolicy
from tests.spec.spec_doc import SPEC, documented_messages, operations, resolve

WAIT_KINDS = (RateLimited, Banned, ServiceUnavailable)
CONTEXT = SendContext("repay", "USDT", amount="1", timestamp_ms=1_700_000_000_000, recv_window=5000)
# Statuses that stand for a range: every explicitly listed status is excluded from its range.
RANGE_SAMPLES = {"4XX": (402, 404, 405, 409, 415, 499), "5XX": (501, 505, 520, 599)}


def _statuses(status: str, operation: dict[str, Any]) -> tuple[int, ...]:
    if status in RANGE_SAMPLES:
        assert not {str(s) for s in RANGE_SAMPLES[status]} & set(operation["responses"])
        return RANGE_SAMPLES[status]
    return (int(status),)


def _body(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else json.dumps(value).encode()


def _cases() -> list[tuple[str, int, bytes, str]]:
    cases = []
    for path, method, operation in operations():
        label = f"{method.upper()} {path}"
        for status, reference in operation["responses"].items():
            if status.startswith("2"):
                continue
            response = resolve(reference)
            default_outcome = response["x-outcome"]
            bodies = [
                (_body(example["value"]), example["x-outcome"])
                for s, _, _, example in documented_messages(operation)
                if s == status
            ]
            # An undocumented body (empty, or not a Binance error) gets the response's outcome.
            bodies += [(b"", default_outcome), (b"<html>oops</html>", default_outcome)]
            if status == "503":
                bodies.append((_body({"code": -1000, "msg": "Something else."}), default_outcome))
            for code in _statuses(status, operation):
                for body, outcome in bodies:
                    cases.append((label, code, body, outcome))
    return cases


CASES = _cases()


def _classify(status: int, body: bytes) -> PapiError:
    headers = {"Retry-After": "1"} if status in (418, 429) else {}
    return error_from_response(status, headers, body, CONTEXT)


@pytest.mark.parametrize(
    ("label", "status", "body", "outcome"),
    CASES,
    ids=[f"{label} {status} {body[:40]!r}" for label, status, body, _ in CASES],
)
def test_client_class_matches_the_specs_outcome(
    label: str, status: int, body: bytes, outcome: str
) -> None:
    error = _classify(status, body)
    if outcome == "unknown":
        assert isinstance(error, OutcomeUnknown), (status, body, type(error))
        assert error.executed is None
    elif outcome == "not-executed":
        assert isinstance(error, WAIT_KINDS), (status, body, type(error))
        assert error.executed is False
    else:
        assert outcome == "rejected", outcome
        assert isinstance(error, RequestRejected) and not isinstance(error, WAIT_KINDS), (
            status,
            body,
            type(error),
        )
        assert error.executed is False


@pytest.mark.parametrize(
    ("label", "status", "body", "outcome"),
    CASES,
    ids=[f"{label} {status} {body[:40]!r}" for label, status, body, _ in CASES],
)
def test_retry_policy_never_resends_a_repay_the_spec_says_may_have_run(
    label: str, status: int, body: bytes, outcome: str
) -> None:
    error = _classify(status, body)
    step = RetryPolicy().next_step(error, 1)
    if outcome == "unknown":
        assert step is None
    elif outcome == "rejected":
        # Only a -1021 is sent again, as a new request after the clock is re-synced.
        assert step is None or (isinstance(error, TimestampRejected) and step.resync_clock)


def test_every_outcome_in_the_spec_is_in_the_legend() -> None:
    legend = set(SPEC["info"]["x-outcome-legend"])
    assert legend == {"rejected", "not-executed", "unknown"}
    for _, _, outcome_status, _ in [(c[0], c[1], c[3], c[2]) for c in CASES]:
        assert outcome_status in legend


def test_the_spec_covers_each_client_class() -> None:
    kinds = {type(_classify(status, body)) for _, status, body, _ in CASES}
    assert {OutcomeUnknown, ServiceUnavailable, RateLimited, Banned, TimestampRejected} <= kinds
