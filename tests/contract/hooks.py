"""schemathesis hooks and checks for the contract run (pytest and `make contract` alike).

Each deliberate departure from schemathesis' defaults is here, with its reason.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure

from tests.contract.seed import SEEDED_ASSETS
from tests.contract.signing import form_body_signer, signer

REPAY = "/papi/v1/repayLoan"
RECORDS = "/papi/v1/margin/repayLoan"
BALANCE = "/papi/v1/balance"
BORROW = "/papi/v1/marginLoan"
LOAN_RECORDS = "/papi/v1/margin/marginLoan"
REPAY_DEBT = "/papi/v1/margin/repay-debt"
RECORD_QUERIES = (RECORDS, LOAN_RECORDS)
DAY_MS = 86_400_000


# The only refusals a request valid against the sandbox's contract (openapi.yaml + the overlay)
# may get, per schemathesis' positive-data check: each depends on the account's state, on
# several parameters at once (which a JSON Schema of separate parameters cannot state) or on
# timing. Everything else the sandbox refuses for a request's shape is a constraint of the
# overlay, so schemathesis does not generate it as valid data.
@dataclass(frozen=True)
class Exemption:
    code: int
    paths: frozenset[str]
    kind: str  # "account state", "several parameters" or "timing"
    reason: str
    holds: Callable[[dict[str, Any]], bool] = lambda query: True


def _neither_tx_id_nor_start(query: dict[str, Any]) -> bool:
    return query.get("txId") is None and query.get("startTime") is None


def _span_over_30_days(query: dict[str, Any]) -> bool:
    # Without endTime the server measures the span up to its own clock.
    start, end = _as_int(query.get("startTime")), _as_int(query.get("endTime"))
    return (
        query.get("txId") is None
        and start is not None
        and (end is None or end - start > 30 * DAY_MS)
    )


def _short_recv_window(query: dict[str, Any]) -> bool:
    recv_window = _as_int(query.get("recvWindow"))
    return recv_window is not None and recv_window < TRANSIT_MS


# The signer stamps requests 500 ms ahead (signing.py); a window shorter than this may still
# run out between signing and the server's check on a loaded machine.
TRANSIT_MS = 1000
SIGNED_PATHS = frozenset({REPAY, RECORDS, BALANCE, BORROW, LOAN_RECORDS, REPAY_DEBT})
EXEMPTIONS: tuple[Exemption, ...] = (
    Exemption(
        -3027,
        frozenset({REPAY, REPAY_DEBT}),
        "account state",
        "an asset the account never held (x-sandbox-choice business-codes)",
    ),
    Exemption(
        -3015,
        frozenset({REPAY, REPAY_DEBT}),
        "account state",
        "more than the asset's debt, or no debt (x-sandbox-choice business-codes)",
    ),
    Exemption(
        -3041,
        frozenset({REPAY, REPAY_DEBT}),
        "account state",
        "a free balance smaller than the amount (x-sandbox-choice business-codes)",
    ),
    Exemption(
        -3006,
        frozenset({BORROW}),
        "account state",
        "the debt would pass the most the ledger holds, 10^20 (x-sandbox-choice borrow-limit)",
    ),
    Exemption(
        -1102,
        frozenset(RECORD_QUERIES),
        "several parameters",
        "neither txId nor startTime (x-sandbox-choice records-txid-or-starttime)",
        _neither_tx_id_nor_start,
    ),
    Exemption(
        -1127,
        frozenset(RECORD_QUERIES),
        "several parameters",
        "startTime to endTime (or to now) over 30 days (x-sandbox-choice records-span)",
        _span_over_30_days,
    ),
    Exemption(
        -1021,
        SIGNED_PATHS,
        "timing",
        f"a recvWindow under {TRANSIT_MS} ms that ran out in transit",
        _short_recv_window,
    ),
)
# Statuses of the repays this run sent with a form body (see before_call), for the tests.
FORM_BODY_REPAYS: Counter[int] = Counter()
# 200s per path in this run, for the tests.
SUCCESSES: Counter[str] = Counter()


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    kwargs["auth"] = signer()
    if _is_positive(case) and case.operation.path in (REPAY, REPAY_DEBT):
        _land_on_a_seeded_asset(case)
    if _is_positive(case) and case.operation.path == REPAY and _as_form_body(case):
        kwargs["auth"] = form_body_signer()


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    if response.status_code == 200:
        SUCCESSES[case.operation.path] += 1
    if case.operation.path == REPAY and sent_as_form_body(response):
        FORM_BODY_REPAYS[response.status_code] += 1


@schemathesis.deserializer("text/html")
def html_page(ctx: Any, response: Any) -> str:
    """Gateways and the firewall may answer with an HTML page (the spec's `HtmlPage`, a string):
    read it as text so that such an answer is checked against the schema too."""
    return str(response.content.decode("utf-8", errors="replace"))


def _as_form_body(case: Any) -> bool:
    """One valid repay in three goes as a form body (parameters in the body, timestamp and
    signature in the query string): the placement the spec declares for POST."""
    amount = case.query.get("amount")
    return isinstance(amount, str) and zlib.crc32(amount.encode()) % 3 == 0


def sent_as_form_body(response: Any) -> bool:
    request = getattr(response, "request", None)
    body = getattr(request, "body", None)
    return bool(body) and "amount=" in (body.decode() if isinstance(body, bytes) else str(body))


def _is_positive(case: Any) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _land_on_a_seeded_asset(case: Any) -> None:
    """Three in four valid repays (and repay-debts) are steered to a seeded loan so that 200s get
    checked too; the fourth keeps its random asset and must get -3027, the sandbox's answer for
    an asset the account never held (an exemption: account state)."""
    asset = case.query.get("asset")
    if not isinstance(asset, str) or asset in SEEDED_ASSETS:
        return
    digest = zlib.crc32(asset.encode())
    if digest % 4:
        case.query["asset"] = SEEDED_ASSETS[digest % len(SEEDED_ASSETS)]


class ValidRequestRejected(Failure):
    def __init__(self, operation: str, status: int, body: str, query: dict[str, Any]) -> None:
        super().__init__(
            operation=operation,
            title="Request valid against the sandbox's contract refused, and no exemption applies",
            message=f"HTTP {status}: {body[:300]} for query {query!r}",
        )
        self.status = status

    @property
    def _unique_key(self) -> str:
        return str(self.status)


def exemption_for(path: str, code: int | None, query: dict[str, Any]) -> Exemption | None:
    for exemption in EXEMPTIONS:
        if exemption.code == code and path in exemption.paths and exemption.holds(query):
            return exemption
    return None


@schemathesis.check
def positive_refusal_is_an_exemption(ctx: Any, response: Any, case: Any) -> None:
    """With schemathesis' own positive_data_acceptance (on; schemathesis.toml allows 2xx and
    400): a 400 to valid data passes only as one of EXEMPTIONS."""
    if not _is_positive(case) or response.status_code != 400:
        return
    query = case.query or {}
    if exemption_for(case.operation.path, _error_code(response), query) is None:
        raise ValidRequestRejected(case.operation.label, response.status_code, response.text, query)


def _as_int(value: Any) -> int | None:
    """Query values arrive as ints or, from the coverage phase, as digit strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _error_code(response: Any) -> int | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    code = payload.get("code") if isinstance(payload, dict) else None
    return code if isinstance(code, int) else None
