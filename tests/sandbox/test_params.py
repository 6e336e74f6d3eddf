"""The one-pass parameter reader against a plain reference: urllib's parse_qsl per part, query
over body, and signatures.signed_payload for what was signed. Same fields, same payload, same
error, for any bytes."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from papi_sandbox import errors
from papi_sandbox.params import MAX_FIELDS_PER_PART, parse_params
from papi_sandbox.signatures import signed_payload


def _reference_part(raw: bytes) -> list[tuple[str, str]]:
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
    except ValueError as exc:
        raise errors.too_many_parameters() from exc
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        raise errors.duplicate_parameter()
    return pairs


def _reference(query: bytes, body: bytes) -> tuple[dict[str, str], bytes]:
    body_pairs = _reference_part(body)
    merged = dict(body_pairs)
    merged.update(_reference_part(query))
    return merged, signed_payload(query, body)


def _outcome(read, query: bytes, body: bytes) -> object:
    try:
        fields, signed = read(query, body)
    except errors.ApiError as error:
        return ("error", error.code, error.msg)
    return (list(fields.items()), signed)


# Pieces that exercise every branch: separators, escapes (valid, invalid, partial), '+',
# the signature name (plain and escaped), non-ASCII text and bytes that are not UTF-8.
_PIECES = [
    b"&", b"=", b"&&", b"a", b"b", b"asset", b"amount", b"signature", b"sig%6Eature",
    b"signature=", b"x=1", b"%", b"%2", b"%41", b"%C3%A9", b"%FF", b"%E2%82", b"+", b"a+b",
    b"\xc3\xa9", b"\xff", b"\xe2\x82\xac", b"1.5", b"=%3D", b"%26",
]  # fmt: skip
_part = st.lists(st.sampled_from(_PIECES), max_size=12).map(b"".join) | st.binary(max_size=24)


@settings(max_examples=3000, deadline=None, database=None)
@given(query=_part, body=_part)
@example(query=b"a=1&b=2&signature=xx", body=b"")
@example(query=b"a=1", body=b"b=2&signature=xx&&")
@example(query=b"signature", body=b"signature=1")
@example(query=b"a=1&signature=x&a=2", body=b"")
@example(query=b"signature=x&sig%6Eature=y", body=b"")
@example(query=b"&".join([b"x=1"] * 64), body=b"")
@example(query=b"&".join([b"x=1"] * 65), body=b"\xff")
def test_parse_params_matches_the_reference(query, body):
    assert _outcome(parse_params, query, body) == _outcome(_reference, query, body)


@pytest.mark.parametrize("fields", [MAX_FIELDS_PER_PART - 1, MAX_FIELDS_PER_PART])
def test_up_to_64_fields_per_part(fields):
    query = "&".join(f"f{i}=1" for i in range(fields)).encode()
    assert len(parse_params(query, b"")[0]) == fields


def test_more_than_64_fields_is_1101():
    query = b"&".join([b"f=1"] * (MAX_FIELDS_PER_PART + 1))
    with pytest.raises(errors.ApiError) as caught:
        parse_params(query, b"")
    assert (caught.value.code, caught.value.msg) == (
        -1101,
        "Too many parameters sent for this endpoint.",
    )
