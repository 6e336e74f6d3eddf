"""The ledger's interface, types and rules, shared by both implementations.

`Ledger` is the interface (`ledger.open_ledger` picks an implementation). Both apply the same
rules (`settle_repay`, `settle_borrow`, `debt_to_repay`, `added_interest`, `merged_balance`,
`check_status`) under one lock per ledger, so concurrent repays and borrows can neither lose
nor double an update, and both keep every amount as SQLite stores it: quantized to 8 places.
The implementations import this module, never `papi_sandbox.ledger`, which imports them.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import NamedTuple

from papi_sandbox.accounts import MAX_INTEGER_DIGITS, AccountSpec, AssetSeed
from papi_sandbox.signatures import KeyType

# tranIds are numbered from the wall clock (ms x 1000), never from a fixed start: a sandbox
# started later, or reset, or reopened on its --db file, issues ids above every id issued
# before (as long as it issues fewer than 1000 per millisecond on average), so a client's
# journal from an earlier run can never mistake a new tranId for one it knew.
TRAN_IDS_PER_MS = 1000
EIGHT_PLACES = Decimal("0.00000001")
STATUS_PENDING = "PENDING"
STATUS_CONFIRMED = "CONFIRMED"
STATUS_FAILED = "FAILED"
RECORD_STATUSES = (STATUS_PENDING, STATUS_CONFIRMED, STATUS_FAILED)
# 20 integer + 8 decimal digits: sums and differences must never round.
EXACT_PRECISION = 64
_EXACT = Context(prec=EXACT_PRECISION)
# The exact context's own methods: `_quantize(value, EIGHT_PLACES)` is
# `value.quantize(EIGHT_PLACES, context=_EXACT)` (the same libmpdec call) without keywords.
_quantize = _EXACT.quantize
_subtract = _EXACT.subtract
# Every stored amount stays below 10^20 (20 integer digits, what the accounts file admits).
AMOUNT_LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS


def wall_clock_tran_id() -> int:
    """The lowest tranId a ledger may issue from now on: the real wall clock (not the
    sandbox's shiftable one) in ms, times TRAN_IDS_PER_MS."""
    return time.time_ns() // 1_000_000 * TRAN_IDS_PER_MS


def quantize8(value: Decimal) -> Decimal:
    """An amount as the ledger keeps it: 8 places (rounded in the current decimal context)."""
    return value.quantize(EIGHT_PLACES)


def format8(value: Decimal) -> str:
    return format(value.quantize(EIGHT_PLACES), "f")


class LedgerRejection(Exception):
    """A business rule refused a repay; nothing was changed."""


class UnknownAsset(LedgerRejection):
    pass


class ExceedsLiability(LedgerRejection):
    pass


class InsufficientBalance(LedgerRejection):
    pass


class BorrowLimitExceeded(LedgerRejection):
    """A borrow would take the asset's debt (principal + interest) above the account's borrow
    limit for it, or an amount above what the ledger can store (10^20)."""


class UnknownAccount(KeyError):
    pass


class UnknownRecord(KeyError):
    """No repay record with this tranId belongs to the account."""


def check_status(status: str) -> str:
    if status not in RECORD_STATUSES:
        raise ValueError(f"status must be one of {RECORD_STATUSES}, not {status!r}")
    return status


@dataclass(frozen=True)
class Balance:
    principal: Decimal
    interest: Decimal
    free: Decimal

    @property
    def liability(self) -> Decimal:
        return self.principal + self.interest

    def as_json(self) -> dict[str, str]:
        return {
            "principal": format8(self.principal),
            "interest": format8(self.interest),
            "free": format8(self.free),
        }

    def stored(self) -> Balance:
        """As the ledger keeps it (8 places)."""
        return Balance(quantize8(self.principal), quantize8(self.interest), quantize8(self.free))


ZERO_BALANCE = Balance(Decimal(0), Decimal(0), Decimal(0))


@dataclass(frozen=True)
class RepayRecord:
    tran_id: int
    account: str
    asset: str
    amount: Decimal
    interest: Decimal
    principal: Decimal
    status: str
    timestamp: int

    def as_api_row(self) -> dict[str, str | int]:
        """The row shape of GET /papi/v1/margin/repayLoan."""
        return {
            "amount": format8(self.amount),
            "asset": self.asset,
            "interest": format8(self.interest),
            "principal": format8(self.principal),
            "status": self.status,
            "timestamp": self.timestamp,
            "txId": self.tran_id,
        }


@dataclass(frozen=True)
class LoanRecord:
    """A borrow (POST /papi/v1/marginLoan); its tranId comes from the repays' sequence."""

    tran_id: int
    account: str
    asset: str
    principal: Decimal
    status: str
    timestamp: int

    def as_api_row(self) -> dict[str, str | int]:
        """The row shape of GET /papi/v1/margin/marginLoan."""
        return {
            "asset": self.asset,
            "principal": format8(self.principal),
            "status": self.status,
            "timestamp": self.timestamp,
            "txId": self.tran_id,
        }


@dataclass(frozen=True)
class StoredAccount:
    name: str
    api_key: str
    key_type: KeyType
    key: str


class Settlement(NamedTuple):
    """A repay worked out: the asset's balance after it and the record to keep, both as stored
    (8 places), and the parts of the amount as computed (what `Ledger.repay` returns)."""

    balance: Balance
    interest: Decimal
    principal: Decimal
    stored_amount: Decimal
    stored_interest: Decimal
    stored_principal: Decimal


def settle_repay(current: Balance | None, asset: str, amount: Decimal) -> Settlement:
    """Interest first, then principal, paid from the free balance.

    Rules in order: asset never held by the account (UnknownAsset), amount above
    principal+interest (ExceedsLiability), free balance short (InsufficientBalance).
    Arithmetic in an explicit 64-digit context, which never rounds these amounts (and, unlike
    `localcontext`, leaves the caller's decimal context alone).
    """
    # Every repay runs this: the context's bound methods are called positionally (the
    # `context=` keyword of Decimal.quantize costs more than the quantize itself).
    if current is None:
        raise UnknownAsset(asset)
    principal, interest, free = current.principal, current.interest, current.free
    if amount > _EXACT.add(principal, interest):
        raise ExceedsLiability(asset)
    if amount > free:
        raise InsufficientBalance(asset)
    # min(amount, interest) without the builtin's call: `amount` unless interest is smaller.
    interest_part = interest if interest < amount else amount
    principal_part = _subtract(amount, interest_part)
    stored_amount = _quantize(amount, EIGHT_PLACES)
    # Paid from interest alone, the interest part is the amount itself: quantize it once.
    stored_interest = (
        stored_amount if interest_part is amount else _quantize(interest_part, EIGHT_PLACES)
    )
    after = Balance(
        _quantize(_subtract(principal, principal_part), EIGHT_PLACES),
        _quantize(_subtract(interest, interest_part), EIGHT_PLACES),
        _quantize(_subtract(free, amount), EIGHT_PLACES),
    )
    return Settlement(
        after,
        interest_part,
        principal_part,
        stored_amount,
        stored_interest,
        _quantize(principal_part, EIGHT_PLACES),
    )


def _exact8(value: Decimal) -> Decimal:
    return _quantize(value, EIGHT_PLACES)


def debt_to_repay(current: Balance | None, asset: str, amount: Decimal | None) -> Decimal:
    """What a repay-debt repays: `amount`, or all of the debt (principal + interest) without
    one. UnknownAsset for an asset never held; ExceedsLiability when nothing is owed."""
    if current is None:
        raise UnknownAsset(asset)
    if amount is not None:
        return amount
    debt = _EXACT.add(current.principal, current.interest)
    if debt == 0:
        raise ExceedsLiability(asset)
    return debt


def settle_borrow(
    current: Balance | None, limit: Decimal | None, asset: str, amount: Decimal
) -> Balance:
    """A borrow raises principal and free by `amount` (a new asset starts from zeros).

    BorrowLimitExceeded if the debt after it (principal + interest) would pass `limit` (None:
    no limit), or principal or free would reach 10^20, beyond what the ledger stores.
    """
    base = current or ZERO_BALANCE
    exact = _EXACT
    principal = exact.add(base.principal, amount)
    free = exact.add(base.free, amount)
    if limit is not None and exact.add(principal, base.interest) > limit:
        raise BorrowLimitExceeded(asset)
    if principal >= AMOUNT_LIMIT or free >= AMOUNT_LIMIT:
        raise BorrowLimitExceeded(asset)
    return Balance(_exact8(principal), _exact8(base.interest), _exact8(free))


def added_interest(current: Balance | None, interest: Decimal) -> Balance:
    """Interest accrued on an asset (a new asset starts from zeros). ValueError if the interest
    would reach 10^20, beyond what the ledger stores."""
    base = current or ZERO_BALANCE
    total = _EXACT.add(base.interest, interest)
    if total >= AMOUNT_LIMIT:
        raise ValueError(f"interest would reach 10^{MAX_INTEGER_DIGITS}: {total:f}")
    return Balance(base.principal, _exact8(total), base.free)


def merged_balance(
    current: Balance | None,
    principal: Decimal | None,
    interest: Decimal | None,
    free: Decimal | None,
) -> Balance:
    """set_balance's result: the given fields over the current ones (a new asset: zeros)."""
    base = current or ZERO_BALANCE
    return Balance(
        principal=base.principal if principal is None else principal,
        interest=base.interest if interest is None else interest,
        free=base.free if free is None else free,
    )


class Ledger(ABC):
    """What the sandbox keeps. Every method is atomic and safe to call from any thread."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def wipe(self) -> None:
        """Forget everything: accounts, balances, records. The next tranId is the larger of
        the wall clock's (`wall_clock_tran_id`) and one above the last issued."""

    @abstractmethod
    def save_account(self, spec: AccountSpec, replace_balances: bool) -> None:
        """Store the account's key; seed its assets (all of them anew if replace_balances,
        else only assets it does not hold yet, so a restart keeps what the ledger learned)."""

    @abstractmethod
    def accounts(self) -> list[StoredAccount]:
        """All accounts, by name."""

    @abstractmethod
    def set_balance(
        self,
        account: str,
        asset: str,
        principal: Decimal | None = None,
        interest: Decimal | None = None,
        free: Decimal | None = None,
    ) -> Balance:
        """Set any of principal/interest/free; a new asset starts from zeros. UnknownAccount
        if there is no such account. Returns the balance as given (before quantizing)."""

    def seed(self, account: str, asset: str, seed: AssetSeed) -> Balance:
        balance = self.set_balance(account, asset, seed.principal, seed.interest, seed.free)
        if seed.borrow_limit is not None:
            self.set_borrow_limit(account, asset, seed.borrow_limit)
        return balance

    @abstractmethod
    def balances(self, account: str) -> dict[str, Balance]:
        """The account's assets, by asset name. UnknownAccount if there is no such account."""

    @abstractmethod
    def repay(
        self,
        account: str,
        asset: str,
        amount: Decimal,
        timestamp_ms: int,
        status: str = STATUS_CONFIRMED,
    ) -> RepayRecord:
        """Apply `settle_repay` and record it under the next tranId with this status (see
        settle_repay for the rules and the LedgerRejection each raises; a rejected repay
        changes nothing). ValueError for a status not in RECORD_STATUSES."""

    @abstractmethod
    def set_record_status(self, account: str, tran_id: int, status: str) -> RepayRecord:
        """Relabel one of the account's records (balances stay as they are); returns it as
        stored. ValueError for a status not in RECORD_STATUSES, UnknownAccount, or
        UnknownRecord if the account has no record with this tranId."""

    @abstractmethod
    def repays(
        self,
        account: str,
        asset: str | None = None,
        tran_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> list[RepayRecord]:
        """Matching records of one account, newest first (times inclusive)."""

    @abstractmethod
    def repay_debt(
        self, account: str, asset: str, amount: Decimal | None, timestamp_ms: int
    ) -> RepayRecord:
        """POST /papi/v1/margin/repay-debt: repay `amount` of the asset's debt, or all of it
        (principal + interest) when None, from the asset's own free balance, interest first
        (`debt_to_repay`, then `settle_repay`: UnknownAsset, ExceedsLiability,
        InsufficientBalance). Recorded like a repay, CONFIRMED, under the next tranId."""

    @abstractmethod
    def borrow(self, account: str, asset: str, amount: Decimal, timestamp_ms: int) -> LoanRecord:
        """Apply `settle_borrow` (with the account's limit for the asset) and record the loan,
        CONFIRMED, under the next tranId (the repays' sequence). UnknownAccount if there is no
        such account; a refused borrow (BorrowLimitExceeded) changes nothing."""

    @abstractmethod
    def loans(
        self,
        account: str,
        asset: str | None = None,
        tran_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> list[LoanRecord]:
        """Matching loan records of one account, newest first (times inclusive)."""

    @abstractmethod
    def add_interest(self, account: str, asset: str, interest: Decimal) -> Balance:
        """Accrue interest on an asset (`added_interest`); returns the balance as stored.
        UnknownAccount if there is no such account, ValueError past what the ledger stores."""

    @abstractmethod
    def set_borrow_limit(self, account: str, asset: str, limit: Decimal | None) -> None:
        """The most the asset's debt (principal + interest) may reach by borrowing; None
        removes the limit. UnknownAccount if there is no such account."""

    @abstractmethod
    def borrow_limits(self, account: str) -> dict[str, Decimal]:
        """The account's borrow limits, by asset. UnknownAccount if there is no such account."""

    @abstractmethod
    def last_activity(self, account: str) -> dict[str, int]:
        """Per asset, the timestamp of its newest repay or loan record (assets without any
        are left out)."""
