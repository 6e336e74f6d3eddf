"""Everything a safe client is configured with, in one frozen object."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, NoReturn

import httpx

from auth_plugin.client.defaults import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    PRODUCTION_BASE_URL,
    default_time_url,
)
from auth_plugin.client.factory import prepare_client, trading_timeout
from auth_plugin.safe.journal import Journal
from auth_plugin.safe.pacing import DEFAULT_WEIGHT_LIMIT, DEFAULT_WINDOW_SECONDS
from auth_plugin.safe.reconcile import Margins
from auth_plugin.safe.retry_policy import RetryPolicy
from auth_plugin.signer.clock import Clock
from auth_plugin.signer.credentials import Credentials, resolve_credentials

if TYPE_CHECKING:
    from papi_repay_client import AuthenticatedClient

# What only the safe clients use: a bare generated client (`build_client`) refuses them.
SAFE_CLIENT_ONLY = frozenset(
    {
        "time_url",
        "retry",
        "pace",
        "weight_limit",
        "window_seconds",
        "monotonic",
        "sleep",
        "margins",
        "journal",
    }
)
_HIDDEN = frozenset({"api_secret", "private_key_passphrase"})


@dataclass(frozen=True, kw_only=True, repr=False)
class ClientConfig:
    """Every setting of `RepayClient` / `AsyncRepayClient` and of `build_client` (their keyword
    arguments), in one place.

    Credentials: `credentials`, else `api_key` with `api_secret` (HMAC) or `private_key_path`
    (RSA / Ed25519, with `private_key_passphrase` if encrypted), else environment variables
    (see `resolve_credentials`, with `env`). Plain `http://` is refused off loopback unless
    `allow_insecure_http`. `recv_window` is the default for every repay (else
    `flow.REPAY_RECV_WINDOW_MS`, 2000 ms; reads always carry the server's default, 5000).
    `connect_timeout` / `read_timeout` in seconds. `httpx_args` go to the httpx client (e.g. a
    `transport`). `clock` holds the offset every signed timestamp is corrected by.

    Only the safe clients use the rest (`SAFE_CLIENT_ONLY`): `time_url` is where the clock is
    measured (after -1021, and before reconciling); default: see `default_time_url`. `retry`
    is the retry budget. `pace=True` spaces calls to stay under `weight_limit` per
    `window_seconds`. `monotonic` and `sleep` are injectable for tests (`sleep` None: the
    driver's own, `time.sleep` or `asyncio.sleep`; the `papi_sandbox` fixture's `sleep` moves
    the sandbox's clock instead of waiting).

    `margins` are the two bounds every reconciliation verdict rests on (`reconcile.Margins`:
    how far a record's stamp may lie from the server's timestamp check, and how late the
    records endpoint may show it; 5 s each by default); lowering them makes verdicts faster
    and less safe. `journal` (a `Journal`, e.g. `Journal.for_account(...)`) keeps this
    client's sends on disk, written before each money-moving request leaves, shared with
    earlier and concurrent runs: bots restart, and an in-memory record dies with them.

    Its repr shows neither `env`'s values, `httpx_args`'s, `api_secret` nor the passphrase,
    and it refuses to be pickled.
    """

    base_url: str = PRODUCTION_BASE_URL
    credentials: Credentials | None = None
    api_key: str | None = None
    api_secret: str | None = None
    private_key_path: str | os.PathLike[str] | None = None
    private_key_passphrase: str | None = None
    env: Mapping[str, str] | None = None
    allow_insecure_http: bool = False
    clock: Clock = field(default_factory=Clock)
    recv_window: int | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    httpx_args: Mapping[str, Any] = field(default_factory=dict)
    time_url: str | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    pace: bool = False
    weight_limit: int = DEFAULT_WEIGHT_LIMIT
    window_seconds: float = DEFAULT_WINDOW_SECONDS
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Any] | None = None
    margins: Margins = field(default_factory=Margins)
    journal: Journal | None = None

    def __post_init__(self) -> None:
        # None means "the default" for the arguments that used to be optional.
        for name, default in (
            ("clock", Clock),
            ("retry", RetryPolicy),
            ("httpx_args", dict),
            ("margins", Margins),
        ):
            if getattr(self, name) is None:
                object.__setattr__(self, name, default())

    def __repr__(self) -> str:
        # `env` holds BINANCE_API_SECRET (or a passphrase), `httpx_args` may hold a proxy URL
        # with its password: only their names are shown.
        shown = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "env" and value is not None:
                text = f"<{len(value)} variables, values hidden>"
            elif item.name in _HIDDEN and value is not None:
                text = "<hidden>"
            elif item.name == "httpx_args":
                text = "{" + ", ".join(f"{name!r}: <hidden>" for name in value) + "}"
            else:
                text = repr(value)
            shown.append(f"{item.name}={text}")
        return f"ClientConfig({', '.join(shown)})"

    def __reduce__(self) -> NoReturn:
        raise TypeError("ClientConfig can hold secrets (env, credentials) and cannot be pickled")

    def __copy__(self) -> ClientConfig:
        return self  # frozen: sharing is copying

    def __deepcopy__(self, memo: dict[int, Any]) -> ClientConfig:
        return self

    def resolved_credentials(self) -> Credentials:
        """`credentials`, else the ones the key settings or the environment give."""
        if self.credentials is not None:
            return self.credentials
        return resolve_credentials(
            api_key=self.api_key,
            api_secret=self.api_secret,
            private_key_path=self.private_key_path,
            private_key_passphrase=self.private_key_passphrase,
            env=self.env,
        )

    def prepared(self, credentials: Credentials) -> tuple[AuthenticatedClient, dict[str, Any]]:
        """The generated client for these settings, and its signing httpx client's settings
        (see `client.factory.prepare_client`)."""
        return prepare_client(
            self.base_url,
            credentials,
            clock=self.clock,
            recv_window=self.recv_window,
            timeout=self.timeout,
            httpx_args=self.httpx_args,
            allow_insecure_http=self.allow_insecure_http,
        )

    @property
    def timeout(self) -> httpx.Timeout:
        return trading_timeout(self.connect_timeout, self.read_timeout)

    @property
    def effective_time_url(self) -> str:
        return self.time_url if self.time_url is not None else default_time_url(self.base_url)
