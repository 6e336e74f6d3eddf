"""When a repay may be sent again, and when it must not.

Retry policy for POST /papi/v1/repayLoan
=======================================

A repay moves money, so the one rule that matters is: **a repay is resent only when the
server provably did not execute it.** Everything else follows from that.

1. **Never resend when the outcome is unknown.** Every answer that is not a documented
   refusal (the table in `auth_plugin.safe.outcomes`): HTTP 408, and -1006 or -1007 with any
   status; a 5xx other than 503 "Service Unavailable." (including 503 "Unknown error, please
   check your request or try again later.", a 500, a 502 from a proxy, a 5xx whose body
   can't be read); a 4xx whose body is not a documented refusal (an HTML page, an empty
   body, -1000, -1001, ...). Likewise a read or write timeout, or a connection lost after
   the request was sent: the repay may have been executed. The client raises
   `OutcomeUnknown` at once, carrying the request's asset, amount, signed timestamp and
   recvWindow, and does not send it again. Call `reconcile_outcome(error)` (or
   `reconcile(asset, amount, since_ms)`) to look for it in the repay records before deciding
   to repay again; the `papi-repay` CLI does this by itself.
2. **Resend what was provably not executed, within a small budget.** These are retried, at
   most `max_retries` times per call (default 2):
   - HTTP 429 (rate limited): after `Retry-After` seconds;
   - -1021 (timestamp outside recvWindow): after re-syncing the clock once against the time
     endpoint (`GET /api/v3/time`), immediately; a second -1021 in the same call is raised;
   - HTTP 503 "Service Unavailable.": after a backoff (or its `Retry-After`);
   - connection refused, connect timeout, no free pooled connection, a proxy refusing the
     tunnel (nothing of the request was sent): after a backoff.
   Each resend is a new request: the signer stamps a fresh timestamp and signature on every
   send. Backoff is `backoff_seconds` doubled per retry (0.5 s, 1 s, ...) and no wait is
   longer than `max_backoff_seconds` (default 5 s): when `Retry-After` asks for more, the
   client does not sleep but raises `RateLimited` (or `ServiceUnavailable`) with
   `retry_after`, and the caller decides.
3. **Never resend a rejection.** Only a documented refusal is one: a 4xx carrying an invalid
   request (-11xx), a bad key or signature (-1022, -2014, -2015) or a business rule (-3015,
   -3041, -3027, ...), and a 403 from the web application firewall: the same request gets
   the same answer. Any other 4xx is an unknown outcome (rule 1).
4. **After a 418, send nothing until Retry-After has passed.** The client object remembers
   when the ban ends (Retry-After, or 120 s when the header is missing) and raises `Banned`
   locally, without sending, for every call before then: repays, record queries, all of it.
   Likewise, after a 429 nothing is sent until its Retry-After has passed: the client waits
   when that is within `max_backoff_seconds`, else raises `RateLimited` locally.
5. **Reads are idempotent.** The record query used by reconciliation is also retried after
   an unknown outcome (5xx, read timeout, lost connection), within the same budget.

Sleeping goes through an injectable function, so tests run without waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from auth_plugin.safe.errors import (
    ConnectionFailed,
    OutcomeUnknown,
    PapiError,
    RateLimited,
    ServiceUnavailable,
    TimestampRejected,
)

DEFAULT_BAN_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class RetryStep:
    """What to do before the next send: re-sync the clock, then wait `delay` seconds."""

    delay: float
    resync_clock: bool = False


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """The budget and waits of the policy above; `RetryPolicy.none()` never retries."""

    max_retries: int = 2
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 5.0
    resync_clock: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise ValueError("max_retries must be an int >= 0")
        if self.backoff_seconds < 0 or self.max_backoff_seconds < 0:
            raise ValueError("backoff_seconds and max_backoff_seconds must not be negative")

    @classmethod
    def none(cls) -> RetryPolicy:
        return cls(max_retries=0)

    def backoff(self, retry_number: int) -> float:
        """The wait before retry `retry_number` (1-based) when the server named none."""
        return float(min(self.backoff_seconds * 2 ** (retry_number - 1), self.max_backoff_seconds))

    def next_step(
        self,
        error: PapiError,
        retry_number: int,
        *,
        idempotent: bool = False,
        clock_resynced: bool = False,
    ) -> RetryStep | None:
        """The step before retry `retry_number` (1-based) after `error`, or None to raise it.

        `idempotent` is True for reads, which may also be resent after an unknown outcome.
        `clock_resynced` says whether this call already re-synced the clock once.
        """
        if retry_number > self.max_retries:
            return None
        if isinstance(error, TimestampRejected):
            if not self.resync_clock or clock_resynced:
                return None
            return RetryStep(0.0, resync_clock=True)
        if isinstance(error, RateLimited | ServiceUnavailable):
            if not error.sent:
                return None  # raised locally: the wait is already known to be too long
            wait = error.retry_after
            if wait is None:
                wait = self.backoff(retry_number)
            return RetryStep(wait) if wait <= self.max_backoff_seconds else None
        if isinstance(error, ConnectionFailed):
            return RetryStep(self.backoff(retry_number))
        if idempotent and isinstance(error, OutcomeUnknown):
            return RetryStep(self.backoff(retry_number))
        return None
