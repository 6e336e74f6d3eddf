"""What the safe layer answers: executed repays and borrows, what is owed, a whole repay."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class Executed:
    """What an accepted repay or borrow answered, and what it cost."""

    tran_id: int
    asset: str
    amount: str  # canonical decimal text, as sent
    timestamp_ms: int | None  # the signed timestamp of the request that succeeded
    used_weight: int | None  # X-MBX-USED-WEIGHT-1M of the answer
    attempts: int  # sends it took (retries included)


@dataclass(frozen=True, slots=True)
class RepayResult(Executed):
    """An executed repay (its record is in the repay records)."""


@dataclass(frozen=True, slots=True)
class BorrowResult(Executed):
    """An executed borrow (its record is in the loan records)."""


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the record of an acknowledged repay (or borrow) said: CONFIRMED, FAILED, PENDING
    (still, when the wait ended) or NOT_FOUND (not shown yet when the wait ended)."""

    tran_id: int
    status: str
    record: Any = None  # the record row, if one was read

    @property
    def confirmed(self) -> bool:
        return self.status == "CONFIRMED"

    def __str__(self) -> str:
        if self.status == "NOT_FOUND":
            return f"txId {self.tran_id}: no record shown yet; check again later"
        return f"txId {self.tran_id}: {self.status}"


@dataclass(frozen=True, slots=True)
class Debt:
    """What one asset owes, exactly as the balance said (crossMargin* fields)."""

    asset: str
    principal: Decimal
    interest: Decimal
    free: Decimal

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


@dataclass(frozen=True, slots=True)
class RepayAllResult:
    """A whole repay: the debt as read, the one repay made (None if nothing was owed), the
    debt read right after it, and why anything is left."""

    asset: str
    before: Debt
    repaid: RepayResult | None
    after: Debt
    capped: bool  # True if the free balance was short and only it was repaid

    @property
    def left(self) -> Decimal:
        return self.after.total

    @property
    def reason(self) -> str:
        """Why `left` is not zero ("" when it is)."""
        if self.left == 0:
            return ""
        if self.capped:
            covered, total = plain(self.repaid_amount), plain(self.before.total)
            return f"the free balance covered only {covered} of {total}"
        grown = self.left - (self.before.total - self.repaid_amount)
        # A borrow in between would have raised the free balance too; accrued interest doesn't.
        if grown > 0 and self.after.free <= self.before.free - self.repaid_amount:
            return f"interest of {plain(grown)} accrued between the read and the repay"
        return f"the debt changed by {plain(grown)} since it was read (a borrow, or interest)"

    @property
    def repaid_amount(self) -> Decimal:
        return Decimal(0) if self.repaid is None else Decimal(self.repaid.amount)


def plain(value: Decimal) -> str:
    """A Decimal as plain text without trailing zeros (0E-8 -> "0")."""
    return format(value.normalize(), "f") if value else "0"
