"""The `papi_sandbox` pytest fixture: a real, seeded sandbox server for your own bot's tests.

Registered through the `pytest11` entry point when `papi-repay` is installed; it works once the
`sandbox` extra is there (`pip install 'papi-repay[sandbox]'`) and needs no configuration:

    def test_my_bot_repays(papi_sandbox):
        bot = MyBot(papi_sandbox.base_url, papi_sandbox.api_key, papi_sandbox.secret)
        bot.repay("USDT", "100")
        assert papi_sandbox.balances()["USDT"].principal == Decimal("905")

One server per test session, started on a free 127.0.0.1 port the first time a test asks for
the fixture and stopped at the end of the session; every test starts from the seed again
(ledger, clock, rate limits, faults and request counts, see `Sandbox.reset`; tranIds go on
rising, never reissued).
Loading the plugin imports nothing but this module: no server, no starlette or uvicorn, until a
test requests `papi_sandbox`.

The seed: one account per key type (`hmac`, `rsa`, `ed25519`), each owing DEFAULT_LOAN.
`papi_sandbox.api_key` / `.secret` are the HMAC account's; `@pytest.mark.papi_sandbox(
key_type="rsa")` (or "ed25519") makes the fixture's account that one instead, with
`.private_key_pem`. Limits are Binance's (6000 request weight per minute per IP: 60 repays).

Fast fault tests: a client made with `sleep=papi_sandbox.sleep` (`asleep` for the async
client) and `monotonic=papi_sandbox.monotonic` waits on the sandbox's time, not yours: each
wait moves the sandbox's clock instead of sleeping. The client measures the server's clock
again after every wait, so a reconciliation still waits for everything it waits for in
production (recvWindow plus both margins, about 15 s), with no setting lowered, in a few ms.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest

from papi_sandbox.command import EXTRA_HINT

if TYPE_CHECKING:
    from papi_sandbox.clock import Clock
    from papi_sandbox.faults import FaultBoard
    from papi_sandbox.ledger import Ledger
    from papi_sandbox.ledger_records import Balance, RepayRecord
    from papi_sandbox.signatures import KeyType
    from papi_sandbox.testing import ServedSandbox

FIXTURE = "papi_sandbox"
MARKER = "papi_sandbox"

# What every seeded account owes and holds, per asset: (principal, interest, free).
DEFAULT_LOAN: Mapping[str, tuple[str, str, str]] = {
    "USDT": ("1000", "5", "10000"),
    "BTC": ("0.5", "0.001", "2"),
}
KEY_TYPES: tuple[KeyType, ...] = ("hmac", "rsa", "ed25519")
DEFAULT_KEY_TYPE: KeyType = "hmac"


@dataclass(frozen=True)
class SandboxAccount:
    """A seeded account and what a client signs with: `secret` (HMAC) or `private_key_pem`
    (RSA, Ed25519; unencrypted PKCS#8). Its ledger name is `name`."""

    name: str
    api_key: str
    key_type: KeyType
    secret: str | None = field(default=None, repr=False)
    private_key_pem: str | None = field(default=None, repr=False)


class PapiSandbox:
    """What the `papi_sandbox` fixture gives a test (see the module docstring)."""

    def __init__(
        self, served: ServedSandbox, account: SandboxAccount, accounts: Mapping[str, SandboxAccount]
    ) -> None:
        self._counters = served.counters
        self.base_url = served.base_url
        """`http://127.0.0.1:<port>`: serves /papi/v1/repayLoan, /papi/v1/margin/repayLoan,
        /papi/v1/ping and /api/v3/time."""
        self.ledger: Ledger = served.ledger
        """The server's ledger (accounts by `SandboxAccount.name`)."""
        self.clock: Clock = served.clock
        """The server's clock: `.pin(ms)`, `.shift(ms)`, `.unpin()`, `.now_ms()`."""
        self.faults: FaultBoard = served.faults
        """`.inject(kind, times=1, path="/papi/v1/repayLoan", seconds=0.0, code=None,
        msg=None)` and `.clear()`; kinds in papi_sandbox/README.md."""
        self.account = account
        """The test's account (HMAC unless the `papi_sandbox` marker says otherwise)."""
        self.accounts: Mapping[str, SandboxAccount] = accounts
        """Every seeded account, by key type: "hmac", "rsa", "ed25519"."""
        self.slept = 0.0
        """Seconds the clients' waits (`sleep`, `asleep`) moved the sandbox's clock in this
        test."""

    @property
    def api_key(self) -> str:
        return self.account.api_key

    @property
    def secret(self) -> str | None:
        """The HMAC secret (None for an RSA or Ed25519 account)."""
        return self.account.secret

    @property
    def private_key_pem(self) -> str | None:
        """The RSA or Ed25519 private key, PEM (None for the HMAC account)."""
        return self.account.private_key_pem

    @property
    def key_type(self) -> KeyType:
        return self.account.key_type

    def balances(self, account: str | None = None) -> dict[str, Balance]:
        """An account's balances by asset (default: the test's account)."""
        return self.ledger.balances(account or self.account.name)

    def repays(self, account: str | None = None) -> list[RepayRecord]:
        """An account's repay records, newest first (default: the test's account)."""
        return self.ledger.repays(account or self.account.name)

    def set_balance(
        self,
        asset: str,
        *,
        principal: Decimal | int | str | None = None,
        interest: Decimal | int | str | None = None,
        free: Decimal | int | str | None = None,
        account: str | None = None,
    ) -> Balance:
        """Set any of an asset's principal, interest and free balance (a new asset starts at
        zero) for this test; the next test starts from the seed again."""
        return self.ledger.set_balance(
            account or self.account.name,
            asset,
            _decimal(principal),
            _decimal(interest),
            _decimal(free),
        )

    def request_count(self, method: str, path: str) -> int:
        """Requests the server received for `method` `path` in this test."""
        return self._counters.get(method, path)

    def sleep(self, seconds: float) -> None:
        """A client's `sleep` that moves the sandbox's clock by `seconds` instead of waiting:
        `RepayClient(..., sleep=papi_sandbox.sleep, monotonic=papi_sandbox.monotonic)`."""
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"sleep: seconds must be a finite number >= 0, not {seconds!r}")
        self.slept += seconds
        self.clock.shift(math.ceil(seconds * 1000))

    async def asleep(self, seconds: float) -> None:
        """`sleep` for `AsyncRepayClient`; it lets other tasks run, as a real wait would."""
        import asyncio

        self.sleep(seconds)
        await asyncio.sleep(0)

    def monotonic(self) -> float:
        """A client's `monotonic` that counts the time `sleep` skipped: the client's own
        waits (a `Retry-After`, pacing) then end when it has "slept" them. The sandbox's rate
        limits still count real time."""
        return time.monotonic() + self.slept


def _decimal(value: Decimal | int | str | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError("give amounts as Decimal, int or str, not float")
    return Decimal(value)


@dataclass(frozen=True)
class _Session:
    served: ServedSandbox
    accounts: Mapping[str, SandboxAccount]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(key_type='hmac'): which seeded account (hmac, rsa or ed25519) the "
        f"{FIXTURE} fixture's api_key/secret/private_key_pem belong to",
    )


@pytest.fixture(scope="session")
def _papi_sandbox_session() -> Iterator[_Session]:
    try:
        from papi_sandbox.accounts import AssetSeed
        from papi_sandbox.testing import make_account, running_sandbox
    except ImportError as missing:
        pytest.fail(
            f"the {FIXTURE} fixture needs the sandbox extra ({EXTRA_HINT}): {missing}",
            pytrace=False,
        )
    seed = {
        asset: AssetSeed(Decimal(principal), Decimal(interest), Decimal(free))
        for asset, (principal, interest, free) in DEFAULT_LOAN.items()
    }
    specs = []
    accounts: dict[str, SandboxAccount] = {}
    for key_type in KEY_TYPES:
        spec, key = make_account(key_type, name=f"bot-{key_type}", assets=seed)
        specs.append(spec)
        accounts[key_type] = SandboxAccount(
            spec.name, key.api_key, key_type, key.secret, key.private_key_pem
        )
    with running_sandbox(accounts=tuple(specs)) as served:
        yield _Session(served, accounts)


@pytest.fixture
def papi_sandbox(
    _papi_sandbox_session: _Session, request: pytest.FixtureRequest
) -> Iterator[PapiSandbox]:
    """A seeded sandbox server on 127.0.0.1, fresh for this test: .base_url, .api_key, .secret,
    .private_key_pem, .ledger, .clock, .faults, .balances(), .repays(), .set_balance(),
    .request_count(), and .sleep / .asleep / .monotonic for a client that waits on the
    sandbox's clock. Marker: @pytest.mark.papi_sandbox(key_type="rsa" | "ed25519")."""
    marker = request.node.get_closest_marker(MARKER)
    key_type = marker.kwargs.get("key_type", DEFAULT_KEY_TYPE) if marker else DEFAULT_KEY_TYPE
    if key_type not in _papi_sandbox_session.accounts:
        pytest.fail(f"{MARKER} marker: key_type must be one of {KEY_TYPES}, not {key_type!r}")
    served = _papi_sandbox_session.served
    served.reset()
    yield PapiSandbox(
        served, _papi_sandbox_session.accounts[key_type], _papi_sandbox_session.accounts
    )
    # Nothing left armed for whoever talks to the server next (e.g. a late background call).
    served.faults.clear()
    served.clock.unpin()
