"""Local validation of amount, recvWindow and asset: exact accepted forms, clear refusals."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auth_plugin import (
    InvalidInput,
    PapiError,
    canonical_amount,
    validate_asset,
    validate_recv_window,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1.50"), "1.5"),
        (Decimal("1E-5"), "0.00001"),
        (Decimal("1E+2"), "100"),
        (Decimal("100"), "100"),
        (Decimal("100.000"), "100"),
        (Decimal("0.00000001"), "0.00000001"),
        (Decimal("1.500000000000"), "1.5"),  # trailing zeros don't count as places
        (Decimal("1234567890123456789.12345678"), "1234567890123456789.12345678"),
        (1, "1"),
        (10**18, "1000000000000000000"),
        ("12", "12"),
        ("0.5", "0.5"),
        ("007.50", "7.5"),
        ("0.00000001", "0.00000001"),
    ],
)
def test_accepted_amounts_become_canonical_decimal_strings(value, expected) -> None:
    assert canonical_amount(value) == expected


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (Decimal("0"), "greater than zero"),
        (Decimal("-0"), "greater than zero"),
        (Decimal("-1.5"), "greater than zero"),
        (0, "greater than zero"),
        (-3, "greater than zero"),
        (Decimal("NaN"), "finite"),
        (Decimal("sNaN"), "finite"),
        (Decimal("Infinity"), "finite"),
        (Decimal("1E-9"), "more than 8 decimal places"),
        (Decimal("0.123456789"), "more than 8 decimal places"),
        (Decimal("1E-999999999"), "more than 8 decimal places"),
        (Decimal("1E+19"), "too large"),
        (10**19, "too large"),
        ("0", "greater than zero"),
        ("0.000", "greater than zero"),
        ("0.000000001", "more than 8 decimal places"),
        ("", "plain positive decimal"),
        ("1e5", "plain positive decimal"),
        ("1E-5", "plain positive decimal"),
        ("+1", "plain positive decimal"),
        ("-1", "plain positive decimal"),
        (" 1", "plain positive decimal"),
        ("1 ", "plain positive decimal"),
        ("1.", "plain positive decimal"),
        (".5", "plain positive decimal"),
        ("1,5", "plain positive decimal"),
        ("1_000", "plain positive decimal"),
        ("1.5abc", "plain positive decimal"),
        ("NaN", "plain positive decimal"),
        ("Infinity", "plain positive decimal"),
        ("\u0661", "plain positive decimal"),  # ARABIC-INDIC DIGIT ONE
        ("\uff11", "plain positive decimal"),  # FULLWIDTH DIGIT ONE
        ("1" * 100, "plain positive decimal"),
        (True, "not bool"),
        (None, "not NoneType"),
        (b"1", "not bytes"),
    ],
)
def test_refused_amounts_say_why(value, why) -> None:
    with pytest.raises(InvalidInput, match=why):
        canonical_amount(value)


@pytest.mark.parametrize("value", [0.1, 1e-05, 1.0, float("nan")])
def test_floats_are_refused_with_an_explanation(value) -> None:
    with pytest.raises(InvalidInput) as caught:
        canonical_amount(value)
    message = str(caught.value)
    assert "float" in message
    assert "binary floats" in message
    assert "Decimal" in message and "str" in message


def test_invalid_input_is_a_papi_error_and_a_value_error() -> None:
    with pytest.raises(PapiError):
        canonical_amount("x")
    with pytest.raises(ValueError):
        canonical_amount("x")


def test_callers_decimal_context_does_not_change_the_result() -> None:
    with decimal.localcontext(decimal.Context(prec=3, traps=[decimal.Inexact, decimal.Rounded])):
        assert canonical_amount(Decimal("12345.12345678")) == "12345.12345678"


@settings(max_examples=300, derandomize=True, database=None)
@given(st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("9" * 18), places=8))
def test_canonical_amount_round_trips_and_is_canonical(value: Decimal) -> None:
    text = canonical_amount(value)
    assert Decimal(text) == value
    assert canonical_amount(text) == text
    assert "E" not in text and "e" not in text and not text.startswith(("+", "-"))
    assert not (("." in text) and text.endswith("0"))
    assert not text.endswith(".")
    assert len(text.partition(".")[2]) <= 8


@pytest.mark.parametrize("value", [1, 5000, 60_000])
def test_recv_window_in_range_is_accepted(value) -> None:
    assert validate_recv_window(value) == value


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (0, "between 1 and 60000"),
        (-1, "between 1 and 60000"),
        (60_001, "between 1 and 60000"),
        (True, "not bool"),
        (5000.0, "not float"),
        ("5000", "not str"),
        (None, "not NoneType"),
    ],
)
def test_recv_window_out_of_range_or_not_int_is_refused(value, why) -> None:
    with pytest.raises(InvalidInput, match=why):
        validate_recv_window(value)


@pytest.mark.parametrize("value", ["BNB", "USDT", "1INCH", "A", "A" * 20, "BTC2"])
def test_asset_codes_are_accepted(value) -> None:
    assert validate_asset(value) == value


@pytest.mark.parametrize(
    "value", ["", "A" * 21, "bnb", "BN B", "BNB\n", "BN-B", "\uff22NB", "É", "BNB/USDT"]
)
def test_bad_asset_codes_are_refused(value) -> None:
    with pytest.raises(InvalidInput, match="upper-case letters or digits"):
        validate_asset(value)


def test_lower_case_asset_gets_a_hint() -> None:
    with pytest.raises(InvalidInput, match="did you mean 'BNB'"):
        validate_asset("bnb")


def test_asset_must_be_a_str() -> None:
    with pytest.raises(InvalidInput, match="not bytes"):
        validate_asset(b"BNB")
