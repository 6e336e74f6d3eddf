"""Test-side helpers: a signing client written independently of the sandbox's verifier."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from papi_sandbox.accounts import AccountSpec, AssetSeed
from papi_sandbox.testing import GeneratedKey

REPAY = "/papi/v1/repayLoan"
RECORDS = "/papi/v1/margin/repayLoan"
KEY_TYPES = ("hmac", "rsa", "ed25519")
UNLIMITED = 10**9
# What the ledger tests see of the wall clock's tranId (conftest's frozen_tran_ids).
FROZEN_TRAN_ID = 1_700_000_000_000_000

# BTC: interest to pay first; USDT: free balance below the liability; ETH: held, nothing owed.
STANDARD_ASSETS = {
    "BTC": AssetSeed(principal=Decimal("1"), interest=Decimal("0.1"), free=Decimal("10")),
    "USDT": AssetSeed(principal=Decimal("100"), interest=Decimal("0"), free=Decimal("50")),
    "ETH": AssetSeed(principal=Decimal("0"), interest=Decimal("0"), free=Decimal("5")),
}

Pairs = Sequence[tuple[str, str]] | str


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def sign_hmac(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=32)
def _private_key(private_pem: str) -> PrivateKeyTypes:
    return serialization.load_pem_private_key(private_pem.encode(), password=None)


def sign_private(private_pem: str, payload: bytes) -> str:
    key = _private_key(private_pem)
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.sign(payload)
    else:
        raise TypeError(type(key))
    return base64.b64encode(raw).decode()


def sign_with(key: GeneratedKey, payload: bytes) -> str:
    """Hex HMAC, or base64 RSA/Ed25519, not yet percent-encoded."""
    if key.key_type == "hmac":
        assert key.secret is not None
        return sign_hmac(key.secret, payload)
    assert key.private_key_pem is not None
    return sign_private(key.private_key_pem, payload)


def _encode(part: Pairs | None) -> str:
    if part is None:
        return ""
    return part if isinstance(part, str) else urlencode(list(part))


@dataclass
class SignedClient:
    """Builds requests byte by byte, so tests control exactly what goes on the wire."""

    http: httpx.Client
    key: GeneratedKey
    api_key: str | None = None  # header override; None sends the key's own
    headers: dict[str, str] = field(default_factory=dict)

    def sign(self, payload: bytes) -> str:
        return sign_with(self.key, payload)

    def send(
        self,
        method: str,
        path: str,
        query: Pairs | None = None,
        body: Pairs | None = None,
        *,
        sign_in: str | None = None,
        signature: str | None = None,
        send_api_key: bool = True,
        headers: dict[str, str] | None = None,
        **httpx_kwargs: Any,
    ) -> httpx.Response:
        """Sign query+body and append `&signature=` (percent-encoded) to `sign_in`
        ("query" or "body"; default: body if there is one) unless sign_in == "none"."""
        query_text, body_text = _encode(query), _encode(body)
        where = sign_in or ("body" if body_text else "query")
        if where != "none":
            sig = (
                signature if signature is not None else self.sign((query_text + body_text).encode())
            )
            suffix = "signature=" + quote(sig, safe="")
            if where == "query":
                query_text = f"{query_text}&{suffix}" if query_text else suffix
            else:
                body_text = f"{body_text}&{suffix}" if body_text else suffix
        sent_headers = {**self.headers, **(headers or {})}
        if send_api_key:
            sent_headers.setdefault("X-MBX-APIKEY", self.api_key or self.key.api_key)
        if body_text:
            sent_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        url = path + ("?" + query_text if query_text else "")
        return self.http.request(
            method, url, content=body_text.encode() or None, headers=sent_headers, **httpx_kwargs
        )

    def repay(
        self,
        asset: str = "BTC",
        amount: str = "0.01",
        *,
        where: str = "query",
        timestamp: int | None = None,
        recv_window: int | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """where: "query", "body", or "mixed" (asset in the query, the rest in the body)."""
        params = [("asset", asset), ("amount", amount)]
        if recv_window is not None:
            params.append(("recvWindow", str(recv_window)))
        params.append(("timestamp", str(now_ms() if timestamp is None else timestamp)))
        if where == "query":
            return self.send("POST", REPAY, query=params, **kwargs)
        if where == "body":
            return self.send("POST", REPAY, body=params, **kwargs)
        return self.send("POST", REPAY, query=params[:1], body=params[1:], **kwargs)

    def records(self, **params: str | int) -> httpx.Response:
        pairs = [(name, str(value)) for name, value in params.items()]
        if "timestamp" not in params:
            pairs.append(("timestamp", str(now_ms())))
        return self.send("GET", RECORDS, query=pairs)


def assert_error(response: httpx.Response, status: int, code: int, msg: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "msg"}
    assert body["code"] == code, body
    assert isinstance(body["msg"], str)
    if msg is not None:
        assert body["msg"] == msg


def standard_accounts(keys: dict[str, GeneratedKey]) -> tuple[AccountSpec, ...]:
    return tuple(keys[t].account(f"acct-{t}", STANDARD_ASSETS) for t in KEY_TYPES)
