"""Secrets stay secret: not in reprs, str, logs (httpx/httpcore at DEBUG), errors or tracebacks."""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cryptography.hazmat.primitives import serialization

from auth_plugin import (
    BinanceAuth,
    Clock,
    Credentials,
    HmacKey,
    KeyLoadError,
    load_private_key,
    resolve_credentials,
)

API_KEY = "SECRETAPIKEYpart2xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
HMAC_SECRET = "hmacSECRETvalue0000000000000000000000000000000000000000000000000"
PASSPHRASE = "pass-PHRASE-do-not-leak"


class _Handler(BaseHTTPRequestHandler):
    """Answers the two endpoints the signer talks to; records what it received."""

    received: list[tuple[str, dict[str, str]]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.startswith("/api/v3/time"):
            self._answer({"serverTime": time.time_ns() // 1_000_000 + 1500})
        else:
            self._answer({"rows": [], "total": 0})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self._answer({"tranId": 1})

    def _answer(self, document: object) -> None:
        self.received.append((self.path, dict(self.headers)))
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep the test output clean


@pytest.fixture
def loopback_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _secrets(pem_text: str) -> list[str]:
    # The PEM body lines are the key material; any one of them leaking is a leak.
    pem_lines = [line for line in pem_text.splitlines() if line and not line.startswith("-----")]
    return [API_KEY, HMAC_SECRET, PASSPHRASE, *pem_lines]


def _assert_no_secret(text: str, pem_text: str) -> None:
    for secret in _secrets(pem_text):
        assert secret not in text


def test_reprs_and_strs_hide_secrets_and_show_at_most_4_chars_of_the_api_key(
    rsa_pem, ed25519_pem
) -> None:
    objects = [
        HmacKey(HMAC_SECRET),
        load_private_key(rsa_pem),
        load_private_key(ed25519_pem),
        BinanceAuth(API_KEY, HmacKey(HMAC_SECRET)),
        BinanceAuth(API_KEY, load_private_key(rsa_pem)),
        Credentials(API_KEY, HmacKey(HMAC_SECRET)),
    ]
    for obj in objects:
        for shown in (repr(obj), str(obj), f"{obj}", f"{obj!r}"):
            _assert_no_secret(shown, rsa_pem + ed25519_pem)
            assert API_KEY[:5] not in shown
    assert "SECR****" in repr(BinanceAuth(API_KEY, HmacKey(HMAC_SECRET)))


def test_key_objects_keep_no_attribute_holding_the_secret() -> None:
    key = HmacKey(HMAC_SECRET)
    for name in HmacKey.__slots__:
        assert HMAC_SECRET not in repr(getattr(key, name))
        assert HMAC_SECRET.encode() not in repr(getattr(key, name)).encode()


def test_key_loading_errors_and_their_tracebacks_hold_no_key_material(rsa_private_key) -> None:
    encrypted = rsa_private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSPHRASE.encode()),
    ).decode()
    plain = rsa_private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    attempts = [
        lambda: load_private_key(encrypted, PASSPHRASE + "x"),
        lambda: load_private_key(encrypted),
        lambda: load_private_key(plain, PASSPHRASE),
        lambda: load_private_key(plain.replace("A", "B", 5)),
        lambda: load_private_key(plain[:200]),
        lambda: HmacKey(HMAC_SECRET + "\n"),
        lambda: BinanceAuth(API_KEY + " ", HmacKey(HMAC_SECRET)),
        lambda: resolve_credentials(api_key=API_KEY, api_secret=HMAC_SECRET, private_key_pem=plain),
    ]
    for attempt in attempts:
        with pytest.raises(KeyLoadError) as caught:
            attempt()
        rendered = "".join(traceback.format_exception(caught.value))
        _assert_no_secret(str(caught.value) + repr(caught.value) + rendered, plain + encrypted)


def test_debug_logs_of_a_signed_round_trip_hold_no_secret(
    loopback_server, caplog, rsa_pem, ed25519_pem
) -> None:
    caplog.set_level(logging.DEBUG)
    for key in (HmacKey(HMAC_SECRET), load_private_key(rsa_pem), load_private_key(ed25519_pem)):
        auth = BinanceAuth(API_KEY, key, recv_window=5000)
        logging.getLogger("test").debug("auth=%r key=%s", auth, key)
        with httpx.Client(base_url=loopback_server, auth=auth) as client:
            auth.clock.calibrate(client, samples=2)
            client.post("/papi/v1/repayLoan", params={"asset": "BNB", "amount": "1"})
            client.get("/papi/v1/margin/repayLoan", params={"asset": "BNB", "txId": 1})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "HTTP Request: POST" in text  # httpx did log, at INFO
    assert any(record.name.startswith("httpcore") for record in caplog.records)  # and DEBUG
    _assert_no_secret(text, rsa_pem + ed25519_pem)


def test_requests_reach_the_real_loopback_server_signed_and_with_the_api_key(
    loopback_server,
) -> None:
    _Handler.received.clear()
    auth = BinanceAuth(API_KEY, HmacKey(HMAC_SECRET), clock=Clock())
    with httpx.Client(base_url=loopback_server, auth=auth) as client:
        best = auth.clock.calibrate(client, samples=3)
        client.post("/papi/v1/repayLoan", params={"asset": "BNB", "amount": "1"})
    # The server runs 1500 ms ahead and read its clock somewhere inside the round trip, so the
    # midpoint estimate is off by at most half of it (plus rounding to whole ms).
    assert abs(best.offset_ms - 1500) <= best.rtt_ms / 2 + 2
    time_requests = [
        headers for path, headers in _Handler.received if path.startswith("/api/v3/time")
    ]
    assert all("X-MBX-APIKEY" not in headers for headers in time_requests)
    path, headers = _Handler.received[-1]
    assert path.startswith("/papi/v1/repayLoan?asset=BNB&amount=1&timestamp=")
    assert "&signature=" in path
    assert headers["X-MBX-APIKEY"] == API_KEY
    assert "Authorization" not in headers


def test_httpx_logs_of_a_signed_request_carry_no_signature(loopback_server, caplog) -> None:
    """A logged signed URL could be replayed: the filter BinanceAuth installs blanks it, also
    for a plain httpx client."""
    caplog.set_level(logging.DEBUG)
    sent: list[httpx.Request] = []
    auth = BinanceAuth(API_KEY, HmacKey(HMAC_SECRET))
    with httpx.Client(
        base_url=loopback_server, auth=auth, event_hooks={"request": [sent.append]}
    ) as client:
        client.post("/papi/v1/repayLoan", params={"asset": "BNB", "amount": "1"})
    (request,) = sent
    signature = request.url.params["signature"]
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "HTTP Request: POST" in text
    assert "signature=<redacted>" in text
    assert signature not in text


def test_the_log_filter_is_attached_once() -> None:
    for _ in range(3):
        BinanceAuth(API_KEY, HmacKey(HMAC_SECRET))
    filters = logging.getLogger("httpx").filters
    assert [type(f).__name__ for f in filters].count("SignatureFilter") == 1
