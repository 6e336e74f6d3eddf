"""BinanceAuth on real httpx clients: what goes on the wire, where, and how often."""

from __future__ import annotations

import base64
import itertools
from urllib.parse import unquote_to_bytes

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from auth_plugin import BinanceAuth, Clock, HmacKey, InvalidInput, KeyLoadError, load_private_key

SECRET = "flowSECRET000000000000000000000000000000000000000000000000000000"
BASE_URL = "http://127.0.0.1:9"
PATH = "/papi/v1/repayLoan"
TS = 1_700_000_000_000


def split_signed(query: bytes) -> tuple[bytes, bytes]:
    """(query without the trailing signature, raw signature) of a signed query string."""
    unsigned, separator, signature = query.rpartition(b"&signature=")
    assert separator, query
    return unsigned, signature


def names(encoded: bytes) -> list[bytes]:
    return [segment.partition(b"=")[0] for segment in encoded.split(b"&") if segment]


def hmac_auth(clock: Clock, **kwargs) -> BinanceAuth:
    return BinanceAuth(
        "flowAPIkey000000000000000000000000000000000000000000000000000000",
        HmacKey(SECRET),
        clock=clock,
        **kwargs,
    )


def send(auth: BinanceAuth, recorder, method: str = "POST", **kwargs) -> httpx.Request:
    with httpx.Client(base_url=BASE_URL, transport=recorder.transport(), auth=auth) as client:
        client.request(method, PATH, **kwargs)
    return recorder.last


# --- where the parameters and the signature go ------------------------------------------------


def test_query_only_request_signs_the_query_and_appends_signature_last(recorder, clock_at) -> None:
    sent = send(hmac_auth(clock_at(TS)), recorder, params={"asset": "BNB", "amount": "1.5"})
    unsigned, signature = split_signed(sent.url.query)
    assert unsigned == b"asset=BNB&amount=1.5&timestamp=1700000000000"
    assert names(sent.url.query)[-1] == b"signature"
    assert signature.decode() == HmacKey(SECRET).sign(unsigned)


def test_body_only_request_signs_query_then_body_with_no_separator(recorder, clock_at) -> None:
    sent = send(hmac_auth(clock_at(TS)), recorder, data={"asset": "BNB", "amount": "1.5"})
    assert sent.content == b"asset=BNB&amount=1.5"
    unsigned, signature = split_signed(sent.url.query)
    assert unsigned == b"timestamp=1700000000000"
    assert signature.decode() == HmacKey(SECRET).sign(
        b"timestamp=1700000000000asset=BNB&amount=1.5"
    )


def test_mixed_query_and_body_sign_the_concatenation(recorder, clock_at) -> None:
    sent = send(
        hmac_auth(clock_at(TS), recv_window=5000),
        recorder,
        params={"asset": "BNB"},
        data={"amount": "1.5"},
    )
    unsigned, signature = split_signed(sent.url.query)
    assert unsigned == b"asset=BNB&recvWindow=5000&timestamp=1700000000000"
    assert sent.content == b"amount=1.5"
    assert signature.decode() == HmacKey(SECRET).sign(unsigned + b"amount=1.5")


def test_form_body_is_sent_untouched(recorder, clock_at) -> None:
    sent = send(hmac_auth(clock_at(TS)), recorder, data={"asset": "BNB", "amount": "1.5"})
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["Content-Length"] == str(len(b"asset=BNB&amount=1.5"))


@pytest.mark.parametrize("placement", ["query", "body", "mixed"])
def test_rsa_signature_is_percent_encoded_and_verifies_over_query_plus_body(
    placement, recorder, clock_at, rsa_pem, rsa_private_key
) -> None:
    auth = BinanceAuth("rsaAPIkey0000000000000000", load_private_key(rsa_pem), clock=clock_at(TS))
    kwargs = {
        "query": {"params": {"asset": "BNB", "amount": "1.5"}},
        "body": {"data": {"asset": "BNB", "amount": "1.5"}},
        "mixed": {"params": {"asset": "BNB"}, "data": {"amount": "1.5"}},
    }[placement]
    sent = send(auth, recorder, **kwargs)
    unsigned, quoted = split_signed(sent.url.query)
    assert not set(quoted.decode()) & set("+/="), "base64 must be percent-encoded on the wire"
    signature = base64.b64decode(unquote_to_bytes(quoted), validate=True)
    rsa_private_key.public_key().verify(
        signature, unsigned + sent.content, padding.PKCS1v15(), hashes.SHA256()
    )


def test_ed25519_signature_verifies_over_query_plus_body(
    recorder, clock_at, ed25519_pem, ed25519_private_key
) -> None:
    auth = BinanceAuth(
        "edAPIkey00000000000000000", load_private_key(ed25519_pem), clock=clock_at(TS)
    )
    sent = send(auth, recorder, params={"asset": "BNB"}, data={"amount": "0.00000001"})
    unsigned, quoted = split_signed(sent.url.query)
    signature = base64.b64decode(unquote_to_bytes(quoted), validate=True)
    ed25519_private_key.public_key().verify(signature, unsigned + sent.content)


def test_get_requests_are_signed_too(recorder, clock_at) -> None:
    sent = send(hmac_auth(clock_at(TS)), recorder, "GET", params={"asset": "BNB", "txId": 7})
    unsigned, signature = split_signed(sent.url.query)
    assert unsigned == b"asset=BNB&txId=7&timestamp=1700000000000"
    assert signature.decode() == HmacKey(SECRET).sign(unsigned)


def test_api_key_header_is_set_and_replaces_a_client_default(recorder, clock_at) -> None:
    auth = hmac_auth(clock_at(TS))
    with httpx.Client(
        base_url=BASE_URL,
        transport=recorder.transport(),
        auth=auth,
        headers={"X-MBX-APIKEY": "placeholder"},
    ) as client:
        client.post(PATH, params={"asset": "BNB"})
    assert recorder.last.headers.get_list("X-MBX-APIKEY") == [
        "flowAPIkey000000000000000000000000000000000000000000000000000000"
    ]
    assert "Authorization" not in recorder.last.headers


# --- recvWindow ------------------------------------------------------------------------------


def test_default_recv_window_is_added_when_absent(recorder, clock_at) -> None:
    sent = send(hmac_auth(clock_at(TS), recv_window=7000), recorder, params={"asset": "BNB"})
    assert split_signed(sent.url.query)[0] == b"asset=BNB&recvWindow=7000&timestamp=1700000000000"


def test_no_recv_window_is_added_unless_configured(recorder, clock_at) -> None:
    sent = send(hmac_auth(clock_at(TS)), recorder, params={"asset": "BNB"})
    assert b"recvWindow" not in sent.url.query


def test_callers_recv_window_in_the_query_is_kept(recorder, clock_at) -> None:
    sent = send(
        hmac_auth(clock_at(TS), recv_window=7000),
        recorder,
        params={"asset": "BNB", "recvWindow": 1234},
    )
    assert split_signed(sent.url.query)[0] == b"asset=BNB&recvWindow=1234&timestamp=1700000000000"


def test_callers_recv_window_in_the_body_is_kept_and_not_shadowed(recorder, clock_at) -> None:
    # A query recvWindow would win over the body's on the server, so none may be added.
    sent = send(
        hmac_auth(clock_at(TS), recv_window=7000),
        recorder,
        data={"asset": "BNB", "recvWindow": "1234"},
    )
    assert b"recvWindow" not in sent.url.query
    assert sent.content == b"asset=BNB&recvWindow=1234"


def test_default_recv_window_is_validated_at_construction() -> None:
    for bad in (0, 60_001, True, "5000"):
        with pytest.raises(InvalidInput, match="recvWindow"):
            hmac_auth(Clock(), recv_window=bad)


# --- re-signing ------------------------------------------------------------------------------


def _ticking_clock(start_ms: int, step_ms: int) -> Clock:
    ticks = itertools.count(start_ms, step_ms)
    return Clock(source=lambda: next(ticks) * 1_000_000)


def test_running_the_auth_flow_twice_re_signs_with_a_fresh_timestamp() -> None:
    auth = hmac_auth(_ticking_clock(TS, 250), recv_window=5000)
    request = httpx.Request("POST", BASE_URL + PATH, params={"asset": "BNB", "amount": "1"})
    first = next(auth.sync_auth_flow(request)).url.query
    second = next(auth.sync_auth_flow(request)).url.query

    assert (
        names(first)
        == names(second)
        == [b"asset", b"amount", b"recvWindow", b"timestamp", b"signature"]
    )
    assert b"timestamp=1700000000000&" in first
    assert b"timestamp=1700000000250&" in second
    unsigned, signature = split_signed(second)
    assert signature.decode() == HmacKey(SECRET).sign(unsigned)


def test_a_request_sent_again_by_the_caller_is_re_signed_once(recorder) -> None:
    auth = hmac_auth(_ticking_clock(TS, 1000))
    with httpx.Client(base_url=BASE_URL, transport=recorder.transport(), auth=auth) as client:
        request = client.build_request("POST", PATH, params={"asset": "BNB"}, data={"amount": "2"})
        client.send(request)
        client.send(request)
    first, second = recorder.requests
    assert first.url.query.count(b"timestamp=") == second.url.query.count(b"timestamp=") == 1
    assert second.url.query.count(b"signature=") == 1
    assert b"timestamp=1700000001000" in second.url.query
    unsigned, signature = split_signed(second.url.query)
    assert signature.decode() == HmacKey(SECRET).sign(unsigned + b"amount=2")


def test_caller_supplied_timestamp_in_the_query_is_replaced_not_duplicated(
    recorder, clock_at
) -> None:
    sent = send(
        hmac_auth(clock_at(TS)),
        recorder,
        params={"asset": "BNB", "timestamp": 1, "signature": "stale"},
    )
    assert split_signed(sent.url.query)[0] == b"asset=BNB&timestamp=1700000000000"


@pytest.mark.parametrize("field", ["timestamp", "signature"])
def test_signer_owned_params_in_the_body_are_refused_before_sending(
    field, recorder, clock_at
) -> None:
    with pytest.raises(InvalidInput, match="remove them from the body"):
        send(hmac_auth(clock_at(TS)), recorder, data={"asset": "BNB", field: "1"})
    assert recorder.requests == []


# --- sync and async --------------------------------------------------------------------------


@pytest.mark.anyio
async def test_sync_and_async_clients_send_identical_signed_requests(clock_at) -> None:
    auth = hmac_auth(clock_at(TS), recv_window=5000)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"tranId": 1})

    kwargs = {"params": {"asset": "\uff22NB", "amount": "0.5"}, "data": {"note": "a b&c"}}
    with httpx.Client(base_url=BASE_URL, transport=httpx.MockTransport(handler), auth=auth) as c:
        c.post(PATH, **kwargs)
    async with httpx.AsyncClient(
        base_url=BASE_URL, transport=httpx.MockTransport(handler), auth=auth
    ) as ac:
        await ac.post(PATH, **kwargs)

    sync_request, async_request = seen
    assert sync_request.url == async_request.url
    assert sync_request.content == async_request.content
    assert sync_request.headers["X-MBX-APIKEY"] == async_request.headers["X-MBX-APIKEY"]


@pytest.mark.anyio
async def test_async_client_reads_a_streamed_body_before_signing(clock_at) -> None:
    auth = hmac_auth(clock_at(TS))
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        await request.aread()
        seen.append(request)
        return httpx.Response(200, json={})

    async def body():
        yield b"asset=BNB&"
        yield b"amount=1"

    async with httpx.AsyncClient(
        base_url=BASE_URL, transport=httpx.MockTransport(handler), auth=auth
    ) as client:
        await client.post(
            PATH, content=body(), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
    unsigned, signature = split_signed(seen[0].url.query)
    assert signature.decode() == HmacKey(SECRET).sign(unsigned + b"asset=BNB&amount=1")


# --- construction ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", "has space", "tab\there", "n\u00e9", 42])
def test_unusable_api_keys_are_refused(bad) -> None:
    with pytest.raises(KeyLoadError, match="API key"):
        BinanceAuth(bad, HmacKey(SECRET))


def test_key_must_be_a_signing_key() -> None:
    with pytest.raises(KeyLoadError, match="HmacKey, RsaKey or Ed25519Key"):
        BinanceAuth("someAPIkey0000000000", SECRET)  # type: ignore[arg-type]
