"""Fixtures: a real uvicorn sandbox on loopback with one account per key type, and clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from papi_sandbox import ledger
from papi_sandbox.testing import GeneratedKey, ServedSandbox, generate_key, running_sandbox
from tests.sandbox.helpers import (
    FROZEN_TRAN_ID,
    KEY_TYPES,
    UNLIMITED,
    SignedClient,
    standard_accounts,
)


@pytest.fixture(scope="session")
def keys() -> dict[str, GeneratedKey]:
    """One key of each type per session (RSA generation is the slow part)."""
    return {key_type: generate_key(key_type) for key_type in KEY_TYPES}  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def shared_sandbox(keys: dict[str, GeneratedKey]) -> Iterator[ServedSandbox]:
    with running_sandbox(
        accounts=standard_accounts(keys), weight_limit=UNLIMITED, enable_admin=True
    ) as handle:
        yield handle


@pytest.fixture
def sandbox(shared_sandbox: ServedSandbox) -> ServedSandbox:
    """One server per module (a uvicorn shutdown takes ~0.2 s); fresh state per test."""
    shared_sandbox.reset()
    return shared_sandbox


@pytest.fixture
def http(sandbox: ServedSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, trust_env=False, timeout=10) as client:
        yield client


@pytest.fixture
def clients(http: httpx.Client, keys: dict[str, GeneratedKey]) -> dict[str, SignedClient]:
    return {key_type: SignedClient(http, keys[key_type]) for key_type in KEY_TYPES}


@pytest.fixture
def client(clients: dict[str, SignedClient]) -> SignedClient:
    return clients["hmac"]


@pytest.fixture
def make_client(
    keys: dict[str, GeneratedKey],
) -> Iterator[Callable[[ServedSandbox, str], SignedClient]]:
    """A client for a sandbox started inside a test; closed at teardown."""
    opened: list[httpx.Client] = []

    def build(handle: ServedSandbox, key_type: str = "hmac") -> SignedClient:
        http = httpx.Client(base_url=handle.base_url, trust_env=False, timeout=10)
        opened.append(http)
        return SignedClient(http, keys[key_type])

    yield build
    for http in opened:
        http.close()


@pytest.fixture
def frozen_tran_ids(monkeypatch: pytest.MonkeyPatch) -> int:
    """Ledgers opened in this test see the wall clock's tranId stand still at FROZEN_TRAN_ID:
    the first id a fresh ledger issues."""
    monkeypatch.setattr(ledger, "wall_clock_tran_id", lambda: FROZEN_TRAN_ID)
    return FROZEN_TRAN_ID
