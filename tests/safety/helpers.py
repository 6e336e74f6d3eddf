"""Shared by tests/safety and tests/cli: sandbox accounts, a loopback guard, fake sleeping."""

from __future__ import annotations

import math
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from auth_plugin import Credentials, HmacKey, load_private_key
from papi_sandbox.accounts import AccountSpec, AssetSeed
from papi_sandbox.testing import GeneratedKey, ServedSandbox

REPAY = "/papi/v1/repayLoan"
RECORDS = "/papi/v1/margin/repayLoan"
TIME = "/api/v3/time"
ACCOUNT = "acct"
UNLIMITED = 10**9

# BTC: plenty owed and free; USDT: free balance below the liability (-3041 above 50);
# ETH: held with nothing owed (-3015); any other asset was never held (-3027).
ASSETS = {
    "BTC": AssetSeed(principal=Decimal("100"), interest=Decimal("0.5"), free=Decimal("200")),
    "USDT": AssetSeed(principal=Decimal("100"), interest=Decimal("0"), free=Decimal("50")),
    "ETH": AssetSeed(principal=Decimal("0"), interest=Decimal("0"), free=Decimal("5")),
}


def account_spec(key: GeneratedKey, name: str = ACCOUNT) -> AccountSpec:
    return key.account(name, ASSETS)


def credentials_for(key: GeneratedKey) -> Credentials:
    if key.key_type == "hmac":
        assert key.secret is not None
        return Credentials(key.api_key, HmacKey(key.secret))
    assert key.private_key_pem is not None
    return Credentials(key.api_key, load_private_key(key.private_key_pem))


def liability(sandbox: ServedSandbox, asset: str = "BTC", name: str = ACCOUNT) -> Decimal:
    return sandbox.ledger.balances(name)[asset].liability


def repay_posts(sandbox: ServedSandbox) -> int:
    """Repay requests that reached the server (rejected ones included)."""
    return sandbox.counters.get("POST", REPAY)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class Sleeper:
    """An injectable `sleep` that records what it was asked; `real=True` also waits; with a
    sandbox `clock`, the sandbox's time passes instead (the client measures it after a wait,
    so a wait for a window to close costs no real time)."""

    real: bool = False
    calls: list[float] = field(default_factory=list)
    clock: Any = None

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.clock is not None:
            self.clock.shift(math.ceil(seconds * 1000))
        if self.real:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.clock is not None:
            self.clock.shift(math.ceil(seconds * 1000))
        if self.real:
            import asyncio

            await asyncio.sleep(seconds)


@dataclass
class FakeTime:
    """A monotonic clock that moves only when slept on."""

    now: float = 1000.0
    calls: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.now += seconds


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)
