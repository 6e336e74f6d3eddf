"""Reading request parameters the way Binance does: query string and form body, query wins.

Field parsers raise the Binance error a malformed value earns; they never coerce.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, getcontext
from urllib.parse import unquote

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


def _unquote(text: str) -> str:
    # parse_qsl's decoding of one name or value: '+' is a space, %XX is UTF-8, strictly.
    return unquote(text.replace("+", " "), encoding="utf-8", errors="strict")


def parse_part(raw: bytes) -> tuple[dict[str, str], bytes]:
    """Decode one urlencoded part (query string or body); reject duplicates within it.

    Reads exactly what urllib's parse_qsl(keep_blank_values=True, errors="strict") reads, in
    one pass: empty components are skipped, a component without '=' has an empty value.
    Returns the fields and the part as signed: without its `signature` component (see
    signatures.signed_payload; a part holds at most one, a second would be a duplicate).
    """
    if not raw:
        return {}, b""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise errors.illegal_characters() from exc
    if text.count("&") >= MAX_FIELDS_PER_PART:  # parse_qsl counts 1 + separators, as here
        raise errors.too_many_parameters()
    components = text.split("&")
    fields: dict[str, str] = {}
    read = 0
    signature_at = -1
    # Signed requests rarely carry an escape: one look at the whole part spares each
    # component its own two.
    escaped = "%" in text or "+" in text
    for index, component in enumerate(components):
        if not component:
            continue
        name, _, value = component.partition("=")
        if escaped and ("%" in component or "+" in component):
            try:
                name, value = _unquote(name), _unquote(value)
            except UnicodeDecodeError as exc:
                raise errors.illegal_characters() from exc
        if name == "signature":
            signature_at = index
        fields[name] = value
        read += 1
    if len(fields) != read:
        raise errors.duplicate_parameter()
    if signature_at < 0:
        return fields, raw
    last = len(components) - 1
    if 0 < signature_at == last and raw.isascii():
        # The usual place, last: the part up to its '&' is the join of the others (ASCII:
        # characters and bytes line up).
        return fields, raw[: len(raw) - len(components[last]) - 1]
    del components[signature_at]
    return fields, "&".join(components).encode("utf-8")


def parse_params(query: bytes, body: bytes) -> tuple[dict[str, str], bytes]:
    """Both parts (the body's errors first); a name present in both takes the query string's
    value. Also returns totalParams as signed: query then body, each without its signature."""
    body_fields, body_signed = parse_part(body)
    query_fields, query_signed = parse_part(query)
    if body_fields:
        body_fields.update(query_fields)
        return body_fields, query_signed + body_signed
    return query_fields, query_signed + body_signed


def check_names(params: Mapping[str, str], spec: ParamSpec) -> None:
    """Unknown names first (-1104), then mandatory ones in the endpoint's order (-1102)."""
    if not spec.allowed.issuperset(params):
        unread = [name for name in params if name not in spec.allowed]
        raise errors.unread_parameters(len(params) - len(unread), len(params))
    for name in spec.mandatory:
        if params.get(name, "") == "":
            raise errors.mandatory_missing(name)


INT64_MAX = 2**63 - 1


def parse_long(name: str, raw: str) -> int:
    # Binance's LONG is a signed 64-bit integer: 20 digits can still overflow it.
    if not _LONG.fullmatch(raw):
        raise errors.illegal_characters(name, errors.LONG_RANGE)
    value = int(raw)  # converted once: timestamp and recvWindow go through here per request
    if value > INT64_MAX:
        raise errors.illegal_characters(name, errors.LONG_RANGE)
    return value


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
    if len(raw) <= getcontext().prec:
        # No more digits than normalize() keeps, so it would only drop trailing zeros: the
        # places by value are the fraction's without them (the same verdict, without
        # building a DecimalTuple on every repay).
        places = len(raw.partition(".")[2].rstrip("0"))
    else:
        # normalize() rounds to the context's precision first (28 digits by default), which
        # can bring a long amount back to 8 places.
        exponent = value.normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) else 0
    if places > MAX_DECIMAL_PLACES:
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
