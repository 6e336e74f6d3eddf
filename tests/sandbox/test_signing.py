"""Signatures of each key type, over params in the query, the body, or both."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from papi_sandbox.signatures import HmacVerifier, signed_payload
from papi_sandbox.testing import generate_key
from tests.sandbox.helpers import KEY_TYPES, REPAY, SignedClient, assert_error, now_ms

INVALID_SIGNATURE = "Signature for this request is not valid."


def _btc_principal_and_interest(sandbox, key_type: str) -> Decimal:
    btc = sandbox.ledger.balances(f"acct-{key_type}")["BTC"]
    return btc.principal + btc.interest


@pytest.mark.parametrize("key_type", KEY_TYPES)
@pytest.mark.parametrize("where", ["query", "body", "mixed"])
def test_each_key_type_repays_from_query_body_or_both(sandbox, clients, key_type, where):
    before = _btc_principal_and_interest(sandbox, key_type)
    response = clients[key_type].repay("BTC", "0.01", where=where)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"tranId"}
    assert _btc_principal_and_interest(sandbox, key_type) == before - Decimal("0.01")


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_tampered_payload_is_rejected_with_1022(sandbox, clients, key_type):
    client = clients[key_type]
    query = f"asset=BTC&amount=0.01&timestamp={now_ms()}"
    signature = client.sign(query.encode())
    tampered = query.replace("0.01", "0.02")
    response = client.send("POST", REPAY, query=tampered, signature=signature)
    assert_error(response, 400, -1022, INVALID_SIGNATURE)
    assert sandbox.ledger.repays(f"acct-{key_type}") == []


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_signature_by_another_key_of_the_same_type_is_rejected(http, keys, key_type):
    impostor = SignedClient(http, generate_key(key_type), api_key=keys[key_type].api_key)
    assert_error(impostor.repay(), 400, -1022, INVALID_SIGNATURE)


@pytest.mark.parametrize("key_type", ["rsa", "ed25519"])
def test_base64_signature_that_is_not_percent_encoded_is_rejected(clients, key_type):
    signer = clients[key_type]
    for _ in range(100):  # find a signature with '+', which a raw query turns into a space
        query = f"asset=BTC&amount=0.01&timestamp={now_ms()}"
        signature = signer.sign(query.encode())
        if "+" in signature:
            break
    else:
        pytest.skip("no signature with '+' found")
    response = signer.send("POST", REPAY, query=f"{query}&signature={signature}", sign_in="none")
    assert_error(response, 400, -1022)


@pytest.mark.parametrize("key_type", ["rsa", "ed25519"])
@pytest.mark.parametrize("bad", ["!!!not-base64!!!", "QUJD", ""])
def test_malformed_base64_signature_is_rejected(clients, key_type, bad):
    response = clients[key_type].send(
        "POST", REPAY, query=f"asset=BTC&amount=0.01&timestamp={now_ms()}", signature=bad
    )
    if bad == "":
        assert_error(response, 400, -1102)
    else:
        assert_error(response, 400, -1022)


def test_hmac_hex_signature_is_case_insensitive(client):
    query = f"asset=BTC&amount=0.01&timestamp={now_ms()}"
    upper = client.sign(query.encode()).upper()
    assert client.send("POST", REPAY, query=query, signature=upper).status_code == 200


def test_non_hex_hmac_signature_is_rejected(client):
    response = client.send(
        "POST", REPAY, query=f"asset=BTC&amount=0.01&timestamp={now_ms()}", signature="zz" * 32
    )
    assert_error(response, 400, -1022)


def test_missing_signature_is_1102(client):
    response = client.send(
        "POST", REPAY, query=f"asset=BTC&amount=0.01&timestamp={now_ms()}", sign_in="none"
    )
    assert_error(
        response,
        400,
        -1102,
        "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    )


def test_signature_in_query_covers_params_in_body(sandbox, client):
    body = urlencode([("asset", "BTC"), ("amount", "0.01"), ("timestamp", str(now_ms()))])
    response = client.send("POST", REPAY, body=body, sign_in="query")
    assert response.status_code == 200, response.text
    assert len(sandbox.ledger.repays("acct-hmac")) == 1


def test_signature_alone_in_body_covers_params_in_query(sandbox, client):
    query = f"asset=BTC&amount=0.01&timestamp={now_ms()}"
    response = client.send("POST", REPAY, query=query, sign_in="body")
    assert response.status_code == 200, response.text


def test_query_value_wins_over_body_value(sandbox, client):
    query = [("asset", "BTC"), ("amount", "0.01")]
    body = [("amount", "0.02"), ("timestamp", str(now_ms()))]
    response = client.send("POST", REPAY, query=query, body=body)
    assert response.status_code == 200, response.text
    (record,) = sandbox.ledger.repays("acct-hmac")
    assert record.amount == Decimal("0.01")


def test_signed_payload_is_query_then_body_without_the_signature():
    assert signed_payload(b"a=1&b=2&signature=xx", b"") == b"a=1&b=2"
    assert signed_payload(b"a=1", b"b=2&signature=xx") == b"a=1b=2"
    assert signed_payload(b"signature=xx", b"a=1&b=2") == b"a=1&b=2"
    assert signed_payload(b"a=1&signature=xx", b"b=2") == b"a=1b=2"
    assert signed_payload(b"", b"") == b""


def test_percent_encoded_values_are_signed_as_sent(sandbox, client):
    # An asset name with non-ASCII characters: signed in its percent-encoded form, then
    # refused as illegal characters (not as a bad signature).
    query = urlencode([("asset", "１２３"), ("amount", "0.01"), ("timestamp", str(now_ms()))])
    assert "%EF%BC%91" in query
    assert_error(client.send("POST", REPAY, query=query), 400, -1100)


def test_body_that_is_not_a_form_is_ignored(client):
    response = client.send(
        "POST",
        REPAY,
        body=f"asset=BTC&amount=0.01&timestamp={now_ms()}",
        sign_in="body",
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, -1102)


@pytest.mark.parametrize(
    ("secret", "payload", "expected"),
    [
        (
            "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
            "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
            "&recvWindow=5000&timestamp=1499827319559",
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
        ),
        (
            "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
            "symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT"
            "&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
            "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3",
        ),
        (
            "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
            "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC"
            "&recvWindow=5000&timestamp=1591702613943",
            "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9",
        ),
    ],
)
def test_hmac_verifier_matches_binance_known_answers(secret, payload, expected):
    verifier = HmacVerifier(secret)
    assert verifier.verify(payload.encode(), expected)
    assert verifier.verify(payload.encode(), expected.upper())
    assert not verifier.verify(payload.encode() + b"&", expected)


@pytest.mark.parametrize("length", [1, 32, 63, 64, 65, 128, 300])
def test_hmac_verifier_agrees_with_hmac_for_any_key_length(length):
    # The verifier keeps precomputed inner and outer states; keys longer than SHA-256's
    # 64-byte block are hashed first, shorter ones padded, as RFC 2104 says.
    secret = ("k\u20ac" * length)[:length]
    payload = b"asset=BTC&amount=1&timestamp=1"
    expected = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    assert HmacVerifier(secret).verify(payload, expected)
    assert HmacVerifier(secret).verify(payload, expected)  # the states are reused, not spent
    assert not HmacVerifier(secret + "x").verify(payload, expected)


def test_a_body_sent_in_chunks_is_read_whole(sandbox, client):
    body = f"asset=BTC&amount=0.01&timestamp={now_ms()}"
    sent = f"{body}&signature={client.sign(body.encode())}".encode()

    def chunks():
        yield sent[:7]
        yield sent[7:30]
        yield sent[30:]

    response = client.http.post(
        REPAY,
        content=chunks(),  # no length known: Transfer-Encoding: chunked
        headers={
            "X-MBX-APIKEY": client.key.api_key,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 200, response.text
    assert len(sandbox.ledger.repays("acct-hmac")) == 1
