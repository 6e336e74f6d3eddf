"""The one table of error answers -> outcomes, and where each rule comes from.

A repay moves money, so an answer says "not executed" only when Binance documents it as a
refusal; every other answer is `unknown`: reconcile with the records, never resend. Outcomes:

- `rejected`: not executed, and the same request gets the same answer;
- `not-executed`: not executed, and it may be sent again later (429, 418, 503 "Service
  Unavailable.");
- `unknown`: it may have been executed.

Each row matches on the HTTP status, the Binance `code` and/or the `msg` of a
`{"code": int, "msg": str}` body; it names the outcome, the error the classifier raises, and
its source: an id of openapi.yaml's `info.x-source-legend`, the same the spec's `x-source`
uses (`client-choice` is this client's own conservative rule, where no source says more).

Precedence: the first matching row wins. The rows come in this order:

1. Answers that say the execution status is unknown, whatever else they say: HTTP 408, and
   codes -1006 and -1007 with any status (a 403, 418 or 429 carrying -1007 is unknown too).
2. Statuses that decide alone, whatever the body: 418, 429, 403 (the firewall).
3. 503 whose msg is exactly "Service Unavailable.".
4. A 4xx carrying a code of a rejection family: -1021; -1022, -2014, -2015; -1023; -11xx; -3xxx.
5. Any 5xx.
6. Anything else: a 4xx with any other body (an HTML page, an empty body, `{"oops": 1}`,
   -1000, -1001, ...), a 1xx, a 3xx, a 2xx the caller could not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from auth_plugin.safe.errors import (
    AuthError,
    Banned,
    BusinessRejection,
    InvalidRequest,
    OutcomeUnknown,
    RateLimited,
    RequestRejected,
    ServiceUnavailable,
    TimestampRejected,
)

Outcome = Literal["rejected", "not-executed", "unknown"]

CLIENT_ERRORS = range(400, 500)
SERVER_ERRORS = range(500, 600)
VALIDATION_CODES = range(-1199, -1099)  # -11xx
BUSINESS_CODES = range(-3999, -2999)  # -3xxx

# The x-source ids of openapi.yaml.
PAPI = "binance-papi-docs"
MARGIN = "binance-margin-docs"
DERIVATIVES = "binance-derivatives-general"
SPOT = "binance-spot-docs"
CLIENT = "client-choice"


def _just(number: int) -> range:
    return range(number, number + 1)


@dataclass(frozen=True, slots=True)
class Row:
    """Answers with a status in `statuses` (None: any), a Binance error body whose code is in
    `codes` (None: any body) and whose msg, stripped, is `msg` (None: any body)."""

    statuses: range | None
    codes: range | None
    msg: str | None
    outcome: Outcome
    error: type[RequestRejected] | type[OutcomeUnknown]
    source: str

    def matches(self, status: int, code: int | None, msg: str | None) -> bool:
        return (
            (self.statuses is None or status in self.statuses)
            # `code is not None` first: `None in range(...)` walks the whole range.
            and (self.codes is None or (code is not None and code in self.codes))
            and (self.msg is None or (msg is not None and msg.strip() == self.msg))
        )


TABLE: tuple[Row, ...] = (
    # 1. The execution status is unknown, whatever else the answer says.
    Row(_just(408), None, None, "unknown", OutcomeUnknown, DERIVATIVES),
    Row(None, _just(-1006), None, "unknown", OutcomeUnknown, PAPI),
    Row(None, _just(-1007), None, "unknown", OutcomeUnknown, PAPI),
    # 2. The status decides alone.
    Row(_just(418), None, None, "not-executed", Banned, PAPI),
    Row(_just(429), None, None, "not-executed", RateLimited, PAPI),
    Row(_just(403), None, None, "rejected", RequestRejected, PAPI),
    # 3. The one 503 that says it failed.
    Row(_just(503), None, "Service Unavailable.", "not-executed", ServiceUnavailable, DERIVATIVES),
    # 4. The documented refusals.
    Row(CLIENT_ERRORS, _just(-1021), None, "rejected", TimestampRejected, PAPI),
    Row(CLIENT_ERRORS, _just(-1022), None, "rejected", AuthError, PAPI),
    Row(CLIENT_ERRORS, _just(-2014), None, "rejected", AuthError, PAPI),
    Row(CLIENT_ERRORS, _just(-2015), None, "rejected", AuthError, PAPI),
    Row(CLIENT_ERRORS, _just(-1023), None, "rejected", InvalidRequest, PAPI),
    Row(CLIENT_ERRORS, VALIDATION_CODES, None, "rejected", InvalidRequest, PAPI),
    Row(CLIENT_ERRORS, BUSINESS_CODES, None, "rejected", BusinessRejection, MARGIN),
    # 5. and 6. Everything else may have run.
    Row(SERVER_ERRORS, None, None, "unknown", OutcomeUnknown, SPOT),
    Row(None, None, None, "unknown", OutcomeUnknown, CLIENT),
)


def outcome_of(status: int, code: int | None, msg: str | None) -> Row:
    """The row deciding an answer: the first that matches (the last matches everything)."""
    for row in TABLE:
        if row.matches(status, code, msg):
            return row
    raise AssertionError("the table's last row matches every answer")  # pragma: no cover
