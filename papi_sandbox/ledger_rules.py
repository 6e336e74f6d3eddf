"""The ledger's rules: what a repay, a repay-debt, a borrow, accrued interest or a set balance
does to an asset's balance, and the errors the ledger raises (a `LedgerRejection` is a rule's
refusal; every one leaves the ledger as it was)."""

from __future__ import annotations

from decimal import Context, Decimal
from typing import NamedTuple

from papi_sandbox.accounts import MAX_INTEGER_DIGITS
from papi_sandbox.ledger_records import EIGHT_PLACES, ZERO_BALANCE, Balance

# 20 integer + 8 decimal digits: sums and differences must never round.
EXACT_PRECISION = 64
_EXACT = Context(prec=EXACT_PRECISION)
# The exact context's own methods: `_quantize(value, EIGHT_PLACES)` is
# `value.quantize(EIGHT_PLACES, context=_EXACT)` (the same libmpdec call) without keywords.
_quantize = _EXACT.quantize
_subtract = _EXACT.subtract
# Every stored amount stays below 10^20 (20 integer digits, what the accounts file admits).
AMOUNT_LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS


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
