"""Binance's published HMAC examples reproduce exactly: through the key, and on the wire."""

from __future__ import annotations

import httpx
import pytest

from auth_plugin import BinanceAuth, HmacKey

SPOT_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
SPOT_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
FUTURES_SECRET = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
FUTURES_API_KEY = "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83"

FULLWIDTH_123456 = "\uff11\uff12\uff13\uff14\uff15\uff16"

# (secret, api key, params in wire order without timestamp, timestamp, payload, signature)
VECTORS = {
    "spot": (
        SPOT_SECRET,
        SPOT_API_KEY,
        {
            "symbol": "LTCBTC",
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "1",
            "price": "0.1",
            "recvWindow": "5000",
        },
        1499827319559,
        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
        "&recvWindow=5000&timestamp=1499827319559",
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
    ),
    "spot_non_ascii": (
        SPOT_SECRET,
        SPOT_API_KEY,
        {
            "symbol": FULLWIDTH_123456,
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "1",
            "price": "0.1",
            "recvWindow": "5000",
        },
        1499827319559,
        "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT"
        "&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
    ),
    "futures": (
        FUTURES_SECRET,
        FUTURES_API_KEY,
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "LIMIT",
            "quantity": "1",
            "price": "9000",
            "timeInForce": "GTC",
            "recvWindow": "5000",
        },
        1591702613943,
        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
        "&recvWindow=5000&timestamp=1591702613943",
        "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
    ),
}


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_hmac_key_reproduces_published_signature(name: str) -> None:
    secret, _, _, _, payload, expected = VECTORS[name]
    assert HmacKey(secret).sign(payload.encode("ascii")) == expected


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_signed_request_on_the_wire_matches_published_payload_and_signature(
    name: str, recorder, clock_at
) -> None:
    secret, api_key, params, timestamp, payload, expected = VECTORS[name]
    auth = BinanceAuth(api_key, HmacKey(secret), clock=clock_at(timestamp))
    with httpx.Client(transport=recorder.transport(), auth=auth) as client:
        client.post("https://api.binance.com/api/v3/order", params=params)

    sent = recorder.last
    assert sent.url.query == f"{payload}&signature={expected}".encode("ascii")
    assert sent.headers["X-MBX-APIKEY"] == api_key
    assert sent.content == b""


def test_spot_vector_with_all_params_in_the_body_signs_the_body(recorder, clock_at) -> None:
    # Binance's "example 2": everything in the form body. Our timestamp goes in the query, so
    # the payload is "timestamp=..." followed by the body; the signature must cover exactly that.
    secret, api_key, params, timestamp, _, _ = VECTORS["spot"]
    auth = BinanceAuth(api_key, HmacKey(secret), clock=clock_at(timestamp))
    with httpx.Client(transport=recorder.transport(), auth=auth) as client:
        client.post("https://api.binance.com/api/v3/order", data=params)

    sent = recorder.last
    body = sent.content
    assert body == (
        b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000"
    )
    query, _, signature = sent.url.query.partition(b"&signature=")
    assert query == b"timestamp=1499827319559"
    assert signature.decode() == HmacKey(secret).sign(query + body)
