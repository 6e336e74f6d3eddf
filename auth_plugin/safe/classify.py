"""From what happened on the wire to one error of the `PapiError` family.

The classification reads the raw answer (status, headers, body bytes), not the generated
client's parsed model: an HTML 503 from a proxy, a 502 the spec doesn't list, or a 200 without
`tranId` must still become the right error. Which error is decided by one table,
`auth_plugin.safe.outcomes` (its docstring gives the rows' precedence): only an answer Binance
documents as a refusal (-1021, -1022, -1023, -2014, -2015, -11xx and -3xxx with a 4xx;
403; 418; 429; 503 "Service Unavailable.") is "not executed"; every other answer, 408, -1006
and -1007 included, is `OutcomeUnknown`.

Transport failures arrive as `answers.NoReply`: only one that provably never left (`sent`
False: see `wire.NOT_SENT`) is `ConnectionFailed`; everything else may come after the first
byte was sent (`OutcomeUnknown`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from auth_plugin.safe.answers import Headers, NoReply
from auth_plugin.safe.errors import (
    Banned,
    ConnectionFailed,
    OutcomeUnknown,
    PapiError,
    RateLimited,
    ServiceUnavailable,
)
from auth_plugin.safe.outcomes import outcome_of
from auth_plugin.safe.reconcile import LoanRequest
from auth_plugin.signer.redaction import redact

USED_WEIGHT_HEADER = "x-mbx-used-weight-1m"
RETRY_AFTER_HEADER = "retry-after"


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """What a read was (a balance or records query), for messages. A send that moves money is
    described by its `LoanRequest` instead."""

    operation: str  # e.g. "balance query" or "repay-record query"
    timestamp_ms: int | None = None

    def describe(self) -> str:
        if self.timestamp_ms is None:
            return self.operation
        return f"{self.operation} (timestamp {self.timestamp_ms})"


About = ReadRequest | LoanRequest  # the request an error is about


def error_from_response(
    status: int, headers: Mapping[str, str], content: bytes, what: About
) -> PapiError:
    """The error for an answer the caller could not use (any status, any body)."""
    code, msg = binance_error_body(content)
    facts: dict[str, Any] = {"status": status, "code": code, "msg": msg, "headers": headers}
    said = _what_was_said(status, code, msg, content)
    error = outcome_of(status, code, msg).error
    if error is OutcomeUnknown:
        return outcome_unknown(what, said, **facts)
    if error is Banned:
        retry_after = retry_after_seconds(headers)
        return Banned(
            f"{what.describe()} refused: IP banned ({said}); send nothing for "
            f"{_seconds(retry_after)}",
            retry_after=retry_after,
            **facts,
        )
    if error is RateLimited:
        retry_after = retry_after_seconds(headers)
        return RateLimited(
            f"{what.describe()} refused: rate limited ({said}); retry after "
            f"{_seconds(retry_after)}",
            retry_after=retry_after,
            **facts,
        )
    if error is ServiceUnavailable:
        return ServiceUnavailable(
            f"{what.describe()} not executed: {said}",
            retry_after=retry_after_seconds(headers),
            **facts,
        )
    return error(f"{what.describe()} rejected: {said}", **facts)


def error_from_transport(failure: NoReply, what: About) -> PapiError:
    """The error for a request that got no answer."""
    if not failure.sent:
        return ConnectionFailed(f"{what.describe()} not sent: could not connect ({failure.reason})")
    return outcome_unknown(what, f"no answer ({failure.reason})")


def outcome_unknown(what: About, reason: str, **facts: Any) -> OutcomeUnknown:
    records = "loan" if what.operation == "borrow" else "repay"
    return OutcomeUnknown(
        f"outcome unknown for {what.describe()}: {reason.removesuffix('.')}; it may have "
        "been executed: "
        f"do not resend before checking the {records} records",
        request=what if isinstance(what, LoanRequest) else None,
        **facts,
    )


def binance_error_body(content: bytes) -> tuple[int | None, str | None]:
    """(code, msg) of a `{"code": int, "msg": str}` body, (None, None) for anything else."""
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(document, dict):
        return None, None
    code, msg = document.get("code"), document.get("msg")
    code = code if isinstance(code, int) and not isinstance(code, bool) else None
    msg = msg if isinstance(msg, str) else None
    return code, msg


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None if absent or unreadable."""
    value = _header(headers, RETRY_AFTER_HEADER)
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def used_weight(headers: Mapping[str, str]) -> int | None:
    """The X-MBX-USED-WEIGHT-1M header as an int, None if absent or not a number."""
    value = _header(headers, USED_WEIGHT_HEADER)
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else None


def _what_was_said(status: int, code: int | None, msg: str | None, content: bytes) -> str:
    if code is not None and msg is not None:
        return f"HTTP {status}, code {code}: {redact(msg)}"
    if not content:
        return f"HTTP {status}, empty body"
    return f"HTTP {status}, body is not a Binance error ({len(content)} bytes)"


def _seconds(value: float | None) -> str:
    return "an unspecified time" if value is None else f"{value:g} s"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    if isinstance(headers, Headers):  # looks names up in any case itself
        return headers.get(name)
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
