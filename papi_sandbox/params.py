"""Reading request parameters the way Binance does: query string and form body, query wins.

Field parsers raise the Binance error a malformed value earns; they never coerce.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import parse_qsl

from papi_sandbox import errors

MAX_FIELDS_PER_PART = 64
MAX_DECIMAL_PLACES = 8

_LONG = re.compile(errors.LONG_RANGE)
_DECIMAL = re.compile(errors.DECIMAL_RANGE)
_ASSET = re.compile(errors.ASSET_RANGE)


@dataclass(frozen=True)
class ParamSpec:
    """What an endpoint reads: anything else sent is an unread parameter (-1104)."""

    allowed: frozenset[str]
    mandatory: tuple[str, ...]


def parse_part(raw: bytes) -> list[tuple[str, str]]:
    """Decode one urlencoded part (query string or body); reject duplicates within it."""
    if not raw:
        return []
    try:
        pairs = parse_qsl(
            raw.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS_PER_PART,
        )
    except UnicodeDecodeError as exc:
        raise errors.illegal_characters() from exc
    except ValueError as exc:  # more than MAX_FIELDS_PER_PART fields
        raise errors.ApiError(-1101, "Too many parameters sent for this endpoint.") from exc
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise errors.duplicate_parameter()
    return pairs


def merge_parts(query: bytes, body: bytes) -> dict[str, str]:
    """Both parts together; a name present in both takes the query string's value."""
    body_pairs = parse_part(body)
    query_pairs = parse_part(query)
    merged = dict(body_pairs)
    merged.update(query_pairs)
    return merged


def check_names(params: Mapping[str, str], spec: ParamSpec) -> None:
    """Unknown names first (-1104), then mandatory ones in the endpoint's order (-1102)."""
    unread = [name for name in params if name not in spec.allowed]
    if unread:
        raise errors.unread_parameters(len(params) - len(unread), len(params))
    for name in spec.mandatory:
        if params.get(name, "") == "":
            raise errors.mandatory_missing(name)


INT64_MAX = 2**63 - 1


def parse_long(name: str, raw: str) -> int:
    # Binance's LONG is a signed 64-bit integer: 20 digits can still overflow it.
    if not _LONG.fullmatch(raw) or int(raw) > INT64_MAX:
        raise errors.illegal_characters(name, errors.LONG_RANGE)
    return int(raw)


def parse_asset(raw: str) -> str:
    if not _ASSET.fullmatch(raw):
        raise errors.illegal_characters("asset", errors.ASSET_RANGE)
    return raw


def parse_amount(raw: str) -> Decimal:
    """A positive plain decimal with at most 8 places (by value: trailing zeros are free).

    Zero is answered like an empty amount (-1102): Binance has no zero-repay semantics and a
    zero usually means a client rounded a small amount away.
    """
    if not _DECIMAL.fullmatch(raw):
        raise errors.illegal_characters("amount", errors.DECIMAL_RANGE)
    value = Decimal(raw)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise errors.bad_precision()
    if value == 0:
        raise errors.mandatory_missing("amount")
    return value


def parse_bool(name: str, raw: str) -> bool:
    if raw == "true":
        return True
    if raw == "false":
        return False
    raise errors.invalid_parameter(name)
