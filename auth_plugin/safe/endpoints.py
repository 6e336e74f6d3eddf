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

from papi_repay_client.api.margin import query_repay_records, repay_loan
from papi_repay_client.models import RepayLoanResponse, RepayRecord, RepayRecordPage
from papi_repay_client.models.repay_record_status import REPAY_RECORD_STATUS_VALUES

T = TypeVar("T")
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


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _tran_id(body: Any) -> int:
    if not (isinstance(body, dict) and _is_int(body.get("tranId"))):
        raise UnusableAnswer("the answer carries no integer tranId")
    return RepayLoanResponse.from_dict(body).tran_id


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


def _record_page(body: Any) -> tuple[list[RepayRecord], int]:
    if not (isinstance(body, dict) and _is_int(body.get("total"))):
        raise UnusableAnswer("the record page carries no integer total")
    rows = body.get("rows")
    if not isinstance(rows, list) or not all(_usable_row(row) for row in rows):
        raise UnusableAnswer("the record page's rows are not all records")
    page = RepayRecordPage.from_dict(body)
    return page.rows, page.total


def _usable_row(row: Any) -> bool:
    return (
        isinstance(row, dict)
        and all(isinstance(row.get(name), kind) for name, kind in _ROW_FIELDS.items())
        and not isinstance(row["txId"], bool)
        and row["status"] in _STATUSES
    )


REPAY: Endpoint[int] = Endpoint("repay", repay_loan, 100, False, _tran_id)
REPAY_RECORDS: Endpoint[tuple[list[RepayRecord], int]] = Endpoint(
    "repay-record query", query_repay_records, 10, True, _record_page
)
