"""The retry policy as a table: what is resent, after how long, and what never is."""

from __future__ import annotations

import pytest

from auth_plugin import (
    AuthError,
    Banned,
    BusinessRejection,
    ConnectionFailed,
    InvalidRequest,
    OutcomeUnknown,
    RateLimited,
    RetryPolicy,
    ServiceUnavailable,
    TimestampRejected,
)
from auth_plugin.safe.retry_policy import RetryStep

POLICY = RetryPolicy()


@pytest.mark.parametrize(
    "error",
    [
        OutcomeUnknown("5xx"),
        Banned("418", retry_after=1),
        BusinessRejection("-3015"),
        InvalidRequest("-1102"),
        AuthError("-1022"),
    ],
)
def test_never_resent(error):
    assert POLICY.next_step(error, 1) is None


def test_provably_not_executed_is_resent_with_bounded_backoff():
    assert POLICY.next_step(ServiceUnavailable("503"), 1) == RetryStep(0.5)
    assert POLICY.next_step(ServiceUnavailable("503"), 2) == RetryStep(1.0)
    assert POLICY.next_step(ServiceUnavailable("503"), 3) is None  # budget: 2 retries
    assert POLICY.next_step(ConnectionFailed("refused"), 1) == RetryStep(0.5)
    assert RetryPolicy(max_retries=10).backoff(9) == 5.0  # capped


def test_rate_limits_honour_retry_after_up_to_the_cap():
    assert POLICY.next_step(RateLimited("429", retry_after=2), 1) == RetryStep(2)
    assert POLICY.next_step(RateLimited("429", retry_after=5), 1) == RetryStep(5)
    assert POLICY.next_step(RateLimited("429", retry_after=6), 1) is None
    assert POLICY.next_step(RateLimited("429"), 1) == RetryStep(0.5)
    assert POLICY.next_step(RateLimited("429", retry_after=1, sent=False), 1) is None
    assert POLICY.next_step(ServiceUnavailable("503", retry_after=60), 1) is None


def test_1021_resyncs_the_clock_once():
    error = TimestampRejected("-1021")
    assert POLICY.next_step(error, 1) == RetryStep(0.0, resync_clock=True)
    assert POLICY.next_step(error, 2, clock_resynced=True) is None
    assert RetryPolicy(resync_clock=False).next_step(error, 1) is None


def test_reads_are_also_resent_after_an_unknown_outcome():
    assert POLICY.next_step(OutcomeUnknown("timeout"), 1, idempotent=True) == RetryStep(0.5)
    assert POLICY.next_step(OutcomeUnknown("timeout"), 3, idempotent=True) is None


def test_no_retries_at_all():
    assert RetryPolicy.none().next_step(ServiceUnavailable("503"), 1) is None
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)
