"""The pure pieces: building totalParams from wire bytes, and swapping a URL's query."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auth_plugin.signer import payload, url_query


@pytest.mark.parametrize(
    ("encoded", "name", "present"),
    [
        (b"recvWindow=5000", b"recvWindow", True),
        (b"asset=BNB&recvWindow=5000", b"recvWindow", True),
        (b"asset=BNB&recvWindow", b"recvWindow", True),
        (b"asset=recvWindow", b"recvWindow", False),
        (b"xrecvWindow=1", b"recvWindow", False),
        (b"recvWindowX=1", b"recvWindow", False),
        (b"note=a%26recvWindow%3D1", b"recvWindow", False),
        (b"", b"recvWindow", False),
    ],
)
def test_has_param_matches_whole_names_only(encoded, name, present) -> None:
    assert payload.has_param(encoded, name) is present


def test_without_params_drops_every_copy_and_keeps_the_rest_byte_for_byte() -> None:
    encoded = b"asset=%EF%BC%A2&timestamp=1&amount=1.5&signature=x&timestamp=2"
    assert payload.without_params(encoded, payload.SIGNER_OWNED) == b"asset=%EF%BC%A2&amount=1.5"
    assert payload.without_params(b"asset=BNB", payload.SIGNER_OWNED) == b"asset=BNB"


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [(b"", b"k=v"), (b"a=1", b"a=1&k=v"), (b"a=1&", b"a=1&k=v")],
)
def test_with_param_appends_last_with_one_separator(encoded, expected) -> None:
    assert payload.with_param(encoded, b"k", b"v") == expected


def test_unsigned_query_puts_recv_window_before_timestamp() -> None:
    assert (
        payload.unsigned_query(b"asset=BNB", b"", timestamp_ms=5, default_recv_window=5000)
        == b"asset=BNB&recvWindow=5000&timestamp=5"
    )


def test_unsigned_query_replaces_earlier_signing() -> None:
    signed = b"asset=BNB&recvWindow=5000&timestamp=1&signature=abc"
    assert (
        payload.unsigned_query(signed, b"", timestamp_ms=2, default_recv_window=5000)
        == b"asset=BNB&recvWindow=5000&timestamp=2"
    )


def test_unsigned_query_leaves_recv_window_to_a_body_that_has_one() -> None:
    assert (
        payload.unsigned_query(b"", b"recvWindow=10", timestamp_ms=2, default_recv_window=5000)
        == b"timestamp=2"
    )


def test_total_params_is_plain_concatenation() -> None:
    assert payload.total_params(b"a=1&timestamp=2", b"b=3") == b"a=1&timestamp=2b=3"


def test_url_safe_signature_escapes_exactly_the_base64_specials() -> None:
    assert payload.url_safe_signature("ab+/cd==") == "ab%2B%2Fcd%3D%3D"
    assert payload.url_safe_signature("0123abcdef") == "0123abcdef"


def test_signed_query_appends_signature_last() -> None:
    assert payload.signed_query(b"a=1&timestamp=2", "ff") == b"a=1&timestamp=2&signature=ff"


# --- swapping the query of an httpx.URL -----------------------------------------------------


def test_fast_query_swap_is_in_use_with_this_httpx() -> None:
    # If this fails after an httpx upgrade, signing still works (public path), only slower.
    assert url_query.DIRECT_PATH_AVAILABLE


values = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
param_lists = st.lists(st.tuples(st.text("abcXYZ_", min_size=1, max_size=6), values), max_size=5)
hosts = st.sampled_from(
    ["http://127.0.0.1:8000", "https://papi.binance.com", "http://[::1]:9", "http://localhost"]
)
paths = st.sampled_from(["/papi/v1/repayLoan", "/", "/a%20b/c"])


@settings(max_examples=300, derandomize=True, database=None)
@given(
    hosts,
    paths,
    param_lists,
    param_lists,
    st.integers(0, 2**53),
    st.text("0123456789abcdef%2BFD", max_size=90),
)
def test_fast_query_swap_equals_httpx_copy_with(host, path, before, added, ts, signature) -> None:
    url = httpx.URL(host + path, params=before)
    # The signer only ever sends: an httpx-encoded query, with params dropped and URL-safe
    # params appended. Build the same kind of query here.
    new_query = payload.without_params(url.query, {b"abc"})
    new_query = payload.with_param(new_query, b"timestamp", str(ts).encode())
    new_query += b"&" + str(httpx.QueryParams(added)).encode() if added else b""
    new_query = payload.signed_query(new_query, signature.replace("%", "%25"))
    fast = url_query.with_query(url, new_query)
    public = url_query.with_query_public(url, new_query)
    assert fast == public
    assert fast.raw_path == public.raw_path
    assert fast.query == public.query == new_query
    assert str(fast) == str(public)
