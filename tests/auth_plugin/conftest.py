"""Shared fixtures: pinned clocks, generated keys, and a transport that records requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from auth_plugin import Clock

TEST_API_KEY = "testAPIkey00000000000000000000000000000000000000000000000000000a"


def pinned_clock(ms: int) -> Clock:
    """A clock that always says `ms` (no offset)."""
    return Clock(source=lambda: ms * 1_000_000)


@dataclass
class Recorder:
    """A MockTransport handler that keeps every request it was sent."""

    requests: list[httpx.Request] = field(default_factory=list)
    status: int = 200
    body: dict[str, object] = field(default_factory=lambda: {"tranId": 1})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(self.status, json=self.body)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def clock_at() -> Callable[[int], Clock]:
    return pinned_clock


@pytest.fixture
def api_key() -> str:
    return TEST_API_KEY


@pytest.fixture
def pem() -> Callable[..., str]:
    """PEM text (PKCS#8) of a private key, encrypted when a passphrase is given."""
    return pem_of


@pytest.fixture(scope="session")
def rsa_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ed25519_private_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def pem_of(
    private_key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey, passphrase: bytes | None = None
) -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    ).decode("ascii")


@pytest.fixture(scope="session")
def rsa_pem(rsa_private_key: rsa.RSAPrivateKey) -> str:
    return pem_of(rsa_private_key)


@pytest.fixture(scope="session")
def ed25519_pem(ed25519_private_key: ed25519.Ed25519PrivateKey) -> str:
    return pem_of(ed25519_private_key)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
