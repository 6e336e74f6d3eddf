"""What a signed request signed, and whether its signature holds for the account's key.

totalParams is the raw query string concatenated with the raw body, exactly as received,
minus the `signature=...` component (clients append it last, to either part). Removing the
component together with one adjacent `&` keeps every other byte where the client put it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Literal, Protocol
from urllib.parse import unquote_plus

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

KeyType = Literal["hmac", "rsa", "ed25519"]
KEY_TYPES: tuple[KeyType, ...] = ("hmac", "rsa", "ed25519")


def strip_signature(raw: bytes) -> bytes:
    """One part (query or body) without its signature component(s)."""
    kept = [component for component in raw.split(b"&") if _component_name(component) != "signature"]
    return b"&".join(kept)


def signed_payload(query: bytes, body: bytes) -> bytes:
    return strip_signature(query) + strip_signature(body)


def _component_name(component: bytes) -> str:
    name = component.partition(b"=")[0]
    return unquote_plus(name.decode("utf-8", errors="replace"))


class Verifier(Protocol):
    def verify(self, payload: bytes, signature: str) -> bool: ...


_SHA256_BLOCK = 64
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))


class HmacVerifier:
    """HMAC-SHA256 (RFC 2104) with the keyed inner and outer hash states computed once, so a
    check costs two hash copies instead of a fresh HMAC key setup."""

    def __init__(self, secret: str) -> None:
        key = secret.encode("utf-8")
        if len(key) > _SHA256_BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(key.translate(_INNER_PAD))
        self._outer = hashlib.sha256(key.translate(_OUTER_PAD))

    def hexdigest(self, payload: bytes) -> str:
        inner = self._inner.copy()
        inner.update(payload)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def verify(self, payload: bytes, signature: str) -> bool:
        expected = self.hexdigest(payload).encode("ascii")
        # Binance treats the hex digest case-insensitively.
        return hmac.compare_digest(expected, signature.lower().encode("utf-8"))


def _decode_base64(signature: str) -> bytes | None:
    try:
        return base64.b64decode(signature.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


class RsaVerifier:
    def __init__(self, public_key: rsa.RSAPublicKey) -> None:
        self._key = public_key

    def verify(self, payload: bytes, signature: str) -> bool:
        raw = _decode_base64(signature)
        if raw is None:
            return False
        try:
            self._key.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True


class Ed25519Verifier:
    def __init__(self, public_key: ed25519.Ed25519PublicKey) -> None:
        self._key = public_key

    def verify(self, payload: bytes, signature: str) -> bool:
        raw = _decode_base64(signature)
        if raw is None:
            return False
        try:
            self._key.verify(raw, payload)
        except InvalidSignature:
            return False
        return True


def make_verifier(key_type: KeyType, key: str) -> Verifier:
    """key is the HMAC secret, or the PEM public key for rsa/ed25519. Raises ValueError."""
    if key_type == "hmac":
        if not key:
            raise ValueError("an hmac account needs a non-empty secret")
        return HmacVerifier(key)
    public_key = serialization.load_pem_public_key(key.encode("ascii"))
    if key_type == "rsa":
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise ValueError("key_type rsa needs an RSA public key")
        return RsaVerifier(public_key)
    if key_type == "ed25519":
        if not isinstance(public_key, ed25519.Ed25519PublicKey):
            raise ValueError("key_type ed25519 needs an Ed25519 public key")
        return Ed25519Verifier(public_key)
    raise ValueError(f"unknown key_type {key_type!r}")
