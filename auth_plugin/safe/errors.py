"""The errors of the server's answers (or of its silence), under the signer's `PapiError`.

PapiError                 (auth_plugin.signer.errors, with InvalidInput, KeyLoadError,
|                          ClockSyncError)
+-- RequestRejected       a documented refusal: NOT executed (itself: a 403, the firewall)
|   +-- InvalidRequest        -11xx with a 4xx: a parameter is wrong; fix the request
|   +-- AuthError             -1022, -2014, -2015 with a 4xx: fix the key, secret or permissions
|   |   +-- TimestampRejected     -1021 with a 4xx: re-sync the clock, then resend
|   +-- BusinessRejection     -3xxx with a 4xx (-3015, -3041, -3027, ...): the account says no
|   +-- RateLimited           429: wait `retry_after` seconds
|   +-- Banned                418: send nothing for `retry_after` seconds
|   +-- ServiceUnavailable    503 "Service Unavailable.": may be resent later
+-- ConnectionFailed      no connection was made (refused, connect timeout, no pooled
|                         connection, proxy tunnel refused): NOT executed
+-- JournalError          (auth_plugin.safe.journal) the journal of sends can't be used
|                         safely: a send it could not record was NOT sent
+-- OutcomeUnknown        every other answer: 408; -1006 or -1007 with any status; a 5xx
                          other than "Service Unavailable."; a 4xx without a documented
                          refusal (HTML, empty, -1000, ...); a read timeout or a connection
                          lost after sending: MAY HAVE EXECUTED; never resend blindly,
                          reconcile with the repay records first

Which answer is which: the one table in `auth_plugin.safe.outcomes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from auth_plugin.signer.errors import ClockSyncError, InvalidInput, KeyLoadError, PapiError

if TYPE_CHECKING:
    from auth_plugin.safe.reconcile import LoanRequest, Margins


class RequestRejected(PapiError):
    """The server answered with a documented refusal: the request was not executed.

    Only an answer Binance documents as a refusal is one (`auth_plugin.safe.outcomes`); any
    other error answer is an `OutcomeUnknown`. Raised as is for a 403 from the web
    application firewall.
    `sent` is False when the client raised it locally, from a remembered 429 or 418, without
    sending anything.
    """

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: int | None = None,
        msg: str | None = None,
        headers: Mapping[str, str] | None = None,
        sent: bool = True,
    ) -> None:
        super().__init__(message, status=status, code=code, msg=msg, headers=headers)
        self.sent = sent


class InvalidRequest(RequestRejected):
    """-11xx: a parameter is missing, malformed or not allowed. Resending won't help."""


class AuthError(RequestRejected):
    """The API key, signature or permissions were refused (-1022, -2014, -2015 with a 4xx)."""


class TimestampRejected(AuthError):
    """-1021: the timestamp was outside recvWindow or ahead of the server: re-sync the clock."""


class BusinessRejection(RequestRejected):
    """-3xxx: the request was valid but the account refused it (amount exceeds the borrow,
    balance not enough, not a margin asset, ...)."""


class _WaitRequired(RequestRejected):
    """A rejection that says how long to wait (`retry_after`, seconds, or None if unsaid)."""

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: int | None = None,
        msg: str | None = None,
        headers: Mapping[str, str] | None = None,
        sent: bool = True,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, msg=msg, headers=headers, sent=sent)
        self.retry_after = retry_after


class RateLimited(_WaitRequired):
    """HTTP 429: over the IP weight limit. Wait `retry_after` seconds; keep going and get 418."""


class Banned(_WaitRequired):
    """HTTP 418: the IP is banned for `retry_after` seconds; nothing may be sent until then."""


class ServiceUnavailable(_WaitRequired):
    """HTTP 503 "Service Unavailable.": not executed; the request may be sent again later."""


class FreeBalanceShort(PapiError):
    """`repay_all` refused locally: the free balance can't pay the whole debt (nothing sent;
    `repay_all(..., cap=True)` repays what it covers)."""


class ConnectionFailed(PapiError):
    """No connection to the server could be made (refused, connect timeout, no free pooled
    connection, a proxy that refused the tunnel): the request never left, so it was not
    executed."""


class OutcomeUnknown(PapiError):
    """The request may or may not have been executed: never resend a repay blindly.

    Raised for every answer that is not a documented refusal: HTTP 408, -1006 or -1007 with
    any status, a 5xx other than 503 "Service Unavailable." (including one whose body can't
    be read), a 4xx whose body is not a documented refusal (an HTML page, an empty body,
    -1000, ...), an answer that makes no sense (a 200 without a tranId); and for a read
    timeout or a connection lost after the request was sent. For a send that moves money,
    `request` is its record (a `LoanRequest`: asset, amount, signed timestamp, recvWindow, and
    the send's id, which tells it apart from another signed in the same ms);
    `RepayClient.reconcile_outcome(error)` looks for it in the records. `asset`, `amount`,
    `timestamp_ms`, `recv_window`, `kind` and `sent_id` read from it (None for a read).
    """

    executed: ClassVar[bool | None] = None

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: int | None = None,
        msg: str | None = None,
        headers: Mapping[str, str] | None = None,
        request: LoanRequest | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, msg=msg, headers=headers)
        self.request = request

    @property
    def asset(self) -> str | None:
        return None if self.request is None else self.request.asset

    @property
    def amount(self) -> str | None:
        return None if self.request is None else self.request.amount

    @property
    def timestamp_ms(self) -> int | None:
        return None if self.request is None else self.request.timestamp_ms

    @property
    def recv_window(self) -> int | None:
        return None if self.request is None else self.request.recv_window

    @property
    def kind(self) -> str | None:
        """ "repay" or "borrow": which records to reconcile with."""
        return None if self.request is None else self.request.kind

    @property
    def sent_id(self) -> str | None:
        return None if self.request is None else self.request.sent_id

    def say_when_judged(self, margins: Margins) -> None:
        """Say in the message when a verdict on `request` can be had, and what it will assume
        (`margins`)."""
        if self.request is None:
            return
        window = self.request.window(margins)
        self.message = (
            f"{self.message}; a verdict (`reconcile_outcome`) can be had once the server's "
            f"clock is past {margins.shown_by(window)}, assuming {margins.describe()}"
        )
        self.args = (self.message,)


__all__ = [
    "AuthError",
    "Banned",
    "BusinessRejection",
    "ClockSyncError",
    "ConnectionFailed",
    "FreeBalanceShort",
    "InvalidInput",
    "InvalidRequest",
    "KeyLoadError",
    "OutcomeUnknown",
    "PapiError",
    "RateLimited",
    "RequestRejected",
    "ServiceUnavailable",
    "TimestampRejected",
]
