"""The repay hot path's shortcuts compute exactly what the plain code computes.

`settle_repay` calls the exact context positionally and quantizes a shared part once;
`parse_amount` counts places from the text when normalize() would only drop trailing zeros.
Each is checked here against the straightforward version: the same results, down to the
Decimal exponents.
"""

from __future__ import annotations

import time
from decimal import Context, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papi_sandbox import errors
from papi_sandbox.clock import Clock
from papi_sandbox.ledger_records import EIGHT_PLACES, Balance
from papi_sandbox.ledger_rules import (
    ExceedsLiability,
    InsufficientBalance,
    LedgerRejection,
    Settlement,
    UnknownAsset,
    settle_repay,
)
from papi_sandbox.params import _DECIMAL, parse_amount

D = Decimal
_EXACT = Context(prec=64)


def _reference_settle(current: Balance | None, asset: str, amount: Decimal) -> Settlement:
    """settle_repay as it was written before the shortcuts."""
    if current is None:
        raise UnknownAsset(asset)
    if amount > _EXACT.add(current.principal, current.interest):
        raise ExceedsLiability(asset)
    if amount > current.free:
        raise InsufficientBalance(asset)

    def exact8(value: Decimal) -> Decimal:
        return value.quantize(EIGHT_PLACES, context=_EXACT)

    interest_part = min(amount, current.interest)
    principal_part = _EXACT.subtract(amount, interest_part)
    after = Balance(
        principal=exact8(_EXACT.subtract(current.principal, principal_part)),
        interest=exact8(_EXACT.subtract(current.interest, interest_part)),
        free=exact8(_EXACT.subtract(current.free, amount)),
    )
    return Settlement(
        after,
        interest_part,
        principal_part,
        exact8(amount),
        exact8(interest_part),
        exact8(principal_part),
    )


def _outcome(current: Balance | None, amount: Decimal) -> str:
    try:
        return repr(settle_repay(current, "BTC", amount))
    except LedgerRejection as error:
        return f"{type(error).__name__}: {error}"


def _reference_outcome(current: Balance | None, amount: Decimal) -> str:
    try:
        return repr(_reference_settle(current, "BTC", amount))
    except LedgerRejection as error:
        return f"{type(error).__name__}: {error}"


# Amounts as the ledger sees them (8 places, stored) and as callers may hand them in (fewer or
# more places, trailing zeros, huge): the exponents in the results must match too.
_amounts = st.one_of(
    st.decimals(min_value=0, max_value=10**6, places=8, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=10, places=12, allow_nan=False, allow_infinity=False),
    st.sampled_from([D("0"), D("0E-8"), D("1.5"), D("1.50000000"), D("9" * 20 + ".99999999")]),
)


@settings(max_examples=400, deadline=None)
@given(principal=_amounts, interest=_amounts, free=_amounts, amount=_amounts)
def test_settle_repay_matches_the_plain_version(principal, interest, free, amount):
    current = Balance(principal, interest, free)
    assert _outcome(current, amount) == _reference_outcome(current, amount)


@pytest.mark.parametrize(
    ("balance", "amount"),
    [
        (None, "1"),
        (("1", "0.1", "10"), "0.1"),  # exactly the interest: paid from interest alone
        (("1", "0.1", "10"), "0.05"),  # less than the interest
        (("1", "0.1", "10"), "0.15"),
        (("1.00000000", "0E-8", "10.00000000"), "1.5"),
        (("1", "0", "0.5"), "0.50000001"),
        (("1", "0", "5"), "1.000000005"),  # more than 8 places: stored rounded half-even
    ],
)
def test_settle_repay_cases(balance, amount):
    current = None if balance is None else Balance(*(D(value) for value in balance))
    assert _outcome(current, D(amount)) == _reference_outcome(current, D(amount))


def test_clock_reads_the_wall_clock_by_default():
    before = time.time_ns() // 1_000_000
    reading = Clock(offset_ms=5).now_ms()
    after = time.time_ns() // 1_000_000
    assert before + 5 <= reading <= after + 5
    assert Clock(offset_ms=3, wall_ms=lambda: 1_000).now_ms() == 1_003


def _reference_amount(raw: str) -> str:
    """parse_amount's precision check as it was: by the normalized exponent, always."""
    try:
        if not _DECIMAL.fullmatch(raw):
            raise errors.illegal_characters("amount", errors.DECIMAL_RANGE)
        value = Decimal(raw)
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and exponent < -8:
            raise errors.bad_precision()
        if value == 0:
            raise errors.mandatory_missing("amount")
        return repr(value)
    except errors.ApiError as error:
        return f"{error.code}: {error.msg}"


def _amount(raw: str) -> str:
    try:
        return repr(parse_amount(raw))
    except errors.ApiError as error:
        return f"{error.code}: {error.msg}"


_digits = st.text("0123456789", max_size=21)


@settings(max_examples=500, deadline=None)
@given(whole=_digits, fraction=st.one_of(st.none(), _digits))
def test_parse_amount_places_match_the_normalized_exponent(whole, fraction):
    raw = whole if fraction is None else f"{whole}.{fraction}"
    assert _amount(raw) == _reference_amount(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "1.5",
        "0.00000001",
        "0.000000001",
        "1.100000000000",
        "0.0000000000",
        "12345678901234567890.123456785",  # 29 digits: normalize rounds it to 8 places
        "12345678901234567890.12345678912",
        "1234567890123456789.123456789",  # 28 digits: 9 places stay
    ],
)
def test_parse_amount_cases(raw):
    assert _amount(raw) == _reference_amount(raw)
