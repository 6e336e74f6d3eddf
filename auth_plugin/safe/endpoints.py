"""The endpoints the safe layer calls: one small definition each, over the generated client.

A definition names the generated operation module (which builds and sends the request), the
endpoint's weight (`x-binance-weight` in openapi.yaml; tests/spec checks they agree), whether
a resend is harmless, and how a 200's JSON body becomes the result. The body is checked before
the generated model reads it, so a 200 that can't be used is an error of ours with a reason
(for a repay: outcome unknown), never a KeyError from a parser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Generic, TypeVar

from papi_repay_client.api.margin import (
    account_balance,
    margin_account_borrow,
    query_margin_loan_records,
    query_repay_records,
    repay_loan,
)
from papi_repay_client.models import (
    AccountBalance,
    LoanRecord,
    LoanRecordPage,
    RepayRecord,
    RepayRecordPage,
)
from papi_repay_client.models.repay_record_status import REPAY_RECORD_STATUS_VALUES

T = TypeVar("T")
TRAN_ID = "tranId"
TIME_PATH_WEIGHT = 1  # GET /api/v3/time (spot general info)


class UnusableAnswer(ValueError):
    """A 2xx answer whose body does not say what the endpoint promises."""


@dataclass(frozen=True, slots=True)
class Endpoint(Generic[T]):
    name: str  # for messages: "repay", "repay-record query"
    operation: ModuleType  # generated: sync_detailed / asyncio_detailed
    weight: int
    idempotent: bool
    parse: Callable[[Any], T]


def _has(body: Any, fields: dict[str, type]) -> bool:
    """`body` is a JSON object with these fields of these types (an int is never a bool)."""
    if not isinstance(body, dict):
        return False
    for name, kind in fields.items():
        value = body.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return False
    return True


def _tran_id(body: Any) -> int:
    """The `tranId` of a repay's or a borrow's answer (RepayLoanResponse and
    MarginLoanResponse in the spec: an int64 and nothing else required)."""
    if not _has(body, {TRAN_ID: int}):
        raise UnusableAnswer("the answer carries no integer tranId")
    tran_id: int = body[TRAN_ID]
    return tran_id


_BALANCE_FIELDS = {
    "asset": str,
    "totalWalletBalance": str,
    "crossMarginBorrowed": str,
    "crossMarginFree": str,
    "crossMarginInterest": str,
    "crossMarginLocked": str,
    "umWalletBalance": str,
    "umUnrealizedPNL": str,
    "cmWalletBalance": str,
    "cmUnrealizedPNL": str,
    "updateTime": int,
    "negativeBalance": str,
}


def _balances(body: Any) -> list[AccountBalance]:
    """One object (an asset was named) or a list: always a list here."""
    items = body if isinstance(body, list) else [body]
    if not all(_has(item, _BALANCE_FIELDS) for item in items):
        raise UnusableAnswer("the balance is not a list of balances")
    return [AccountBalance.from_dict(item) for item in items]


_LOAN_ROW_FIELDS = {"txId": int, "asset": str, "principal": str, "status": str, "timestamp": int}
_ROW_FIELDS = {
    "txId": int,
    "asset": str,
    "amount": str,
    "interest": str,
    "principal": str,
    "status": str,
    "timestamp": int,
}
_STATUSES = frozenset(REPAY_RECORD_STATUS_VALUES)


def _usable_page(body: Any, row_fields: dict[str, type]) -> None:
    if not _has(body, {"total": int, "rows": list}):
        raise UnusableAnswer("the record page carries no integer total and list of rows")
    if not all(_has(row, row_fields) and row["status"] in _STATUSES for row in body["rows"]):
        raise UnusableAnswer("the record page's rows are not all records")


def _record_page(body: Any) -> tuple[list[RepayRecord], int]:
    _usable_page(body, _ROW_FIELDS)
    page = RepayRecordPage.from_dict(body)
    return page.rows, page.total


def _loan_page(body: Any) -> tuple[list[LoanRecord], int]:
    _usable_page(body, _LOAN_ROW_FIELDS)
    page = LoanRecordPage.from_dict(body)
    return page.rows, page.total


REPAY: Endpoint[int] = Endpoint("repay", repay_loan, 100, False, _tran_id)
REPAY_RECORDS: Endpoint[tuple[list[RepayRecord], int]] = Endpoint(
    "repay-record query", query_repay_records, 10, True, _record_page
)
BALANCE: Endpoint[list[AccountBalance]] = Endpoint(
    "balance query", account_balance, 20, True, _balances
)
BORROW: Endpoint[int] = Endpoint("borrow", margin_account_borrow, 100, False, _tran_id)
LOAN_RECORDS: Endpoint[tuple[list[LoanRecord], int]] = Endpoint(
    "loan-record query", query_margin_loan_records, 10, True, _loan_page
)
RECORDS_OF_KIND: dict[str, Endpoint[tuple[list[Any], int]]] = {
    "repay": REPAY_RECORDS,
    "borrow": LOAN_RECORDS,
}
