"""Folding the generated client's params into the URL string changes no byte on the wire."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from auth_plugin import build_client
from auth_plugin.client.query_folding import AsyncQueryFoldingClient, QueryFoldingClient
from papi_repay_client import AuthenticatedClient

BASE = "http://127.0.0.1:9"
PATH = "/papi/v1/repayLoan"
names = st.text(min_size=1, max_size=12)
values = st.one_of(
    st.text(max_size=20), st.integers(), st.booleans(), st.lists(st.text(max_size=5), max_size=3)
)


PLAIN = httpx.Client(base_url=BASE)
FOLDED = QueryFoldingClient(base_url=BASE)


@settings(max_examples=300, derandomize=True)
@given(st.dictionaries(names, values, max_size=5))
def test_folded_url_is_the_url_httpx_would_build(params: dict[str, object]) -> None:
    expected = PLAIN.build_request("POST", PATH, params=params)
    actual = FOLDED.build_request("POST", PATH, params=params)
    assert actual.url.raw_path == expected.url.raw_path
    assert str(actual.url) == str(expected.url)


def test_async_client_folds_the_same_way() -> None:
    params = {"asset": "BTC", "amount": "0.5", "recvWindow": 5000, "note": "a b+c&d=é"}
    expected = httpx.AsyncClient(base_url=BASE).build_request("POST", PATH, params=params)
    actual = AsyncQueryFoldingClient(base_url=BASE).build_request("POST", PATH, params=params)
    assert actual.url.raw_path == expected.url.raw_path


def test_a_url_that_already_has_a_query_is_left_to_httpx() -> None:
    with QueryFoldingClient(base_url=BASE) as folded, httpx.Client(base_url=BASE) as plain:
        args = ("GET", f"{PATH}?a=1")
        assert (
            folded.build_request(*args, params={"b": "2"}).url
            == plain.build_request(*args, params={"b": "2"}).url
        )


def test_build_client_uses_folding_httpx_clients_with_the_signer() -> None:
    client = build_client(BASE, api_key="test-api-key", api_secret="test-secret-not-real")
    assert type(client) is AuthenticatedClient  # the generated class, given its httpx clients
    assert isinstance(client.get_httpx_client(), QueryFoldingClient)
    assert isinstance(client.get_async_httpx_client(), AsyncQueryFoldingClient)
    sync = client.get_httpx_client()
    assert sync.timeout.connect == 3.0 and sync.timeout.read == 10.0
    assert "authorization" not in sync.headers
