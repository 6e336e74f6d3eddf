"""Local checks of request values, done before anything is sent.

The generated client types `amount` as a plain `str` and validates nothing, and the public
clients get amounts wrong (floats such as 0.00001 go out as `1e-05`, which Binance rejects with
-1100). These helpers turn user input into exactly what Binance accepts, or raise
`InvalidInput` saying why.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from auth_plugin.signer.errors import InvalidInput

MAX_DECIMAL_PLACES = 8
# int64-sized amounts are already absurd; the cap stops a Decimal like 1E+999999999 from being
# expanded into a gigabyte-long string.
MAX_INTEGER_DIGITS = 19
MAX_AMOUNT_TEXT_LENGTH = 64

_STEP = Decimal(1).scaleb(-MAX_DECIMAL_PLACES)
# Enough precision for MAX_INTEGER_DIGITS + MAX_DECIMAL_PLACES digits, with room to spare.
_CONTEXT = Context(prec=MAX_INTEGER_DIGITS + MAX_DECIMAL_PLACES + 5)

RECV_WINDOW_MIN = 1
RECV_WINDOW_MAX = 60_000

# ASCII digits only: str.isdigit and \d also accept other scripts' digits.
_DECIMAL_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_ASSET = re.compile(r"[A-Z0-9]{1,20}", re.ASCII)


def canonical_amount(value: Decimal | int | str) -> str:
    """The canonical decimal string of a positive amount, e.g. Decimal('1.50') -> '1.5'.

    Accepts `Decimal`, `int`, or a plain decimal string ('12', '0.5'); refuses floats, bools,
    signs, exponents in strings, whitespace, NaN/Infinity, zero, negatives and more than
    8 decimal places (after dropping trailing zeros).
    """
    if isinstance(value, float):
        raise InvalidInput(
            f"amount {value!r} is a float: binary floats can't hold decimal amounts exactly "
            "(0.1 is really 0.1000000000000000055...) and small ones print as '1e-05', which "
            "Binance rejects; pass a Decimal or a str such as '0.1'"
        )
    if isinstance(value, bool):
        raise InvalidInput("amount must be a Decimal, int or str, not bool")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        number = _decimal_from_text(value)
    elif isinstance(value, Decimal):
        number = value
    else:
        raise InvalidInput(f"amount must be a Decimal, int or str, not {type(value).__name__}")
    return _canonical_positive(number)


def validate_recv_window(value: Any) -> int:
    """Return `value` if it is an int in 1..60000 (ms), else raise `InvalidInput`."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f"recvWindow must be an int number of ms, not {type(value).__name__}")
    if not RECV_WINDOW_MIN <= value <= RECV_WINDOW_MAX:
        raise InvalidInput(
            f"recvWindow must be between {RECV_WINDOW_MIN} and {RECV_WINDOW_MAX} ms, got {value}"
        )
    return value


def validate_asset(value: Any) -> str:
    """Return `value` if it is an asset code (1..20 upper-case ASCII letters/digits)."""
    if not isinstance(value, str):
        raise InvalidInput(f"asset must be a str, not {type(value).__name__}")
    if not _ASSET.fullmatch(value):
        hint = f"; did you mean {value.upper()!r}?" if _ASSET.fullmatch(value.upper()) else ""
        raise InvalidInput(
            f"asset {_clipped(value)!r} is not 1 to 20 upper-case letters or digits{hint}"
        )
    return value


def _decimal_from_text(text: str) -> Decimal:
    if len(text) > MAX_AMOUNT_TEXT_LENGTH or not _DECIMAL_TEXT.fullmatch(text):
        raise InvalidInput(
            f"amount {_clipped(text)!r} is not a plain positive decimal: use digits with an "
            "optional '.' and fraction, e.g. '12' or '0.5' (no sign, exponent, space, separator)"
        )
    try:
        return Decimal(text)
    except InvalidOperation:  # unreachable after the pattern check; kept as a guard
        raise InvalidInput(f"amount {text!r} is not a decimal number") from None


def _canonical_positive(number: Decimal) -> str:
    if not number.is_finite():
        raise InvalidInput(f"amount must be a finite number, got {number}")
    if number.is_signed() or number.is_zero():
        raise InvalidInput(f"amount must be greater than zero, got {_shown(number)}")
    if number.adjusted() >= MAX_INTEGER_DIGITS:
        raise InvalidInput(f"amount is too large (more than {MAX_INTEGER_DIGITS} integer digits)")
    # Quantizing under our own context never rounds silently (we compare) and never expands
    # something like 1E-999999999 into a huge string, whatever the caller's decimal context.
    quantized = number.quantize(_STEP, context=_CONTEXT)
    if quantized != number:
        raise InvalidInput(
            f"amount {_shown(number)} has more than {MAX_DECIMAL_PLACES} decimal places"
        )
    # format(..., "f") never writes an exponent; trailing zeros are then dropped by hand
    # because Decimal.normalize would turn 100 into 1E+2.
    text = format(quantized, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _shown(number: Decimal) -> str:
    return _clipped(str(number))


def _clipped(text: str, limit: int = 40) -> str:
    # Error messages quote the bad value, but not a megabyte of it.
    return text if len(text) <= limit else text[:limit] + "..."
