"""The one-call generated client: signs every request, API key only in X-MBX-APIKEY."""

from __future__ import annotations

import base64
from urllib.parse import unquote_to_bytes

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from auth_plugin import (
    BinanceAuth,
    HmacKey,
    InvalidInput,
    build_client,
    canonical_amount,
    trading_timeout,
)

# Skipped as a whole until the generated client exists (it is built from openapi.yaml).
papi_repay_client = pytest.importorskip("papi_repay_client")
repay_loan = pytest.importorskip("papi_repay_client.api.margin.repay_loan")
query_repay_records = pytest.importorskip("papi_repay_client.api.margin.query_repay_records")

API_KEY = "factoryAPIkey00000000000000000000000000000000000000000000000000"
SECRET = "factorySECRET0000000000000000000000000000000000000000000000000"
BASE_URL = "http://127.0.0.1:9"


@pytest.fixture
def rsa_key_file(tmp_path, rsa_private_key, pem):
    path = tmp_path / "rsa.pem"
    path.write_text(pem(rsa_private_key))
    return path


def _client(recorder, **kwargs):
    return build_client(
        BASE_URL,
        api_key=API_KEY,
        api_secret=SECRET,
        httpx_args={"transport": recorder.transport()},
        env={},
        **kwargs,
    )


def test_build_client_returns_a_strict_authenticated_client_with_trading_timeouts(recorder) -> None:
    client = _client(recorder)
    assert isinstance(client, papi_repay_client.AuthenticatedClient)
    assert client.raise_on_unexpected_status is True
    timeout = client.get_httpx_client().timeout
    assert (timeout.connect, timeout.read) == (3.0, 10.0)
    assert isinstance(client.get_httpx_client().auth, BinanceAuth)


def test_timeouts_are_configurable(recorder) -> None:
    client = _client(recorder, connect_timeout=1.0, read_timeout=30.0)
    timeout = client.get_async_httpx_client().timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (1.0, 30.0, 30.0, 1.0)
    assert trading_timeout() == httpx.Timeout(connect=3.0, read=10.0, write=10.0, pool=3.0)


def test_generated_repay_is_signed_and_sends_the_api_key_only_in_x_mbx_apikey(recorder) -> None:
    client = _client(recorder, recv_window=5000)
    result = repay_loan.sync(client=client, asset="BNB", amount=canonical_amount("1.50"))
    assert result is not None and result.tran_id == 1

    sent = recorder.last
    unsigned, _, signature = sent.url.query.rpartition(b"&signature=")
    assert unsigned.startswith(b"asset=BNB&amount=1.5&recvWindow=5000&timestamp=")
    assert signature.decode() == HmacKey(SECRET).sign(unsigned + sent.content)
    assert sent.headers.get_list("X-MBX-APIKEY") == [API_KEY]
    assert "Authorization" not in sent.headers
    assert API_KEY not in repr(client)


def test_generated_record_query_get_is_signed(recorder) -> None:
    recorder.body = {"rows": [], "total": 0}
    client = _client(recorder)
    query_repay_records.sync_detailed(client=client, asset="BNB", tx_id=42)
    sent = recorder.last
    assert sent.method == "GET"
    unsigned, _, signature = sent.url.query.rpartition(b"&signature=")
    assert b"txId=42" in unsigned
    assert signature.decode() == HmacKey(SECRET).sign(unsigned)


@pytest.mark.anyio
async def test_generated_async_repay_matches_sync_for_a_pinned_clock(recorder, clock_at) -> None:
    client = _client(recorder, clock=clock_at(1_700_000_000_000))
    repay_loan.sync(client=client, asset="BNB", amount="2", recv_window=6000)
    await repay_loan.asyncio(client=client, asset="BNB", amount="2", recv_window=6000)
    sync_sent, async_sent = recorder.requests
    assert sync_sent.url == async_sent.url
    assert sync_sent.headers["X-MBX-APIKEY"] == async_sent.headers["X-MBX-APIKEY"] == API_KEY
    assert "Authorization" not in async_sent.headers


def test_generated_client_with_rsa_key_file(recorder, rsa_key_file, rsa_private_key) -> None:
    client = build_client(
        BASE_URL,
        env={"BINANCE_API_KEY": API_KEY, "BINANCE_PRIVATE_KEY_PATH": str(rsa_key_file)},
        httpx_args={"transport": recorder.transport()},
    )
    repay_loan.sync(client=client, asset="USDT", amount="0.00000001")
    unsigned, _, quoted = recorder.last.url.query.rpartition(b"&signature=")
    rsa_private_key.public_key().verify(
        base64.b64decode(unquote_to_bytes(quoted)), unsigned, padding.PKCS1v15(), hashes.SHA256()
    )


@pytest.mark.parametrize("reserved", ["auth", "headers", "timeout", "base_url"])
def test_httpx_args_may_not_replace_what_the_client_sets(recorder, reserved) -> None:
    with pytest.raises(InvalidInput, match=reserved):
        build_client(
            BASE_URL, api_key=API_KEY, api_secret=SECRET, env={}, httpx_args={reserved: None}
        )


@pytest.mark.parametrize(
    "url", ["http://papi.binance.com", "http://10.0.0.5:8000", "ftp://127.0.0.1", "/relative"]
)
def test_unsafe_or_invalid_base_urls_are_refused(url) -> None:
    with pytest.raises(InvalidInput, match="base_url"):
        build_client(url, api_key=API_KEY, api_secret=SECRET, env={})


@pytest.mark.parametrize(
    "url",
    ["https://papi.binance.com", "http://localhost:8000", "http://[::1]:9", "http://127.0.0.2"],
)
def test_https_and_loopback_http_base_urls_are_accepted(url) -> None:
    client = build_client(url, api_key=API_KEY, api_secret=SECRET, env={})
    assert str(client.get_httpx_client().base_url).rstrip("/") == url.rstrip("/")


def test_insecure_http_can_be_allowed_explicitly() -> None:
    client = build_client(
        "http://10.0.0.5:8000", api_key=API_KEY, api_secret=SECRET, env={}, allow_insecure_http=True
    )
    assert client.get_httpx_client().base_url.host == "10.0.0.5"  # built, nothing sent
