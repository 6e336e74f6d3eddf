"""Everything a safe client is configured with, in one frozen object."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, NoReturn

from auth_plugin.client.defaults import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    PRODUCTION_BASE_URL,
    default_time_url,
)
from auth_plugin.safe.journal import Journal
from auth_plugin.safe.pacing import DEFAULT_WEIGHT_LIMIT, DEFAULT_WINDOW_SECONDS
from auth_plugin.safe.reconcile import Margins
from auth_plugin.safe.retry_policy import RetryPolicy
from auth_plugin.signer.clock import Clock
from auth_plugin.signer.credentials import Credentials


@dataclass(frozen=True, kw_only=True, repr=False)
class ClientConfig:
    """The settings of `RepayClient` / `AsyncRepayClient` (their keyword arguments).

    Credentials: `credentials`, else environment variables (see `resolve_credentials`, with
    `env`). `recv_window` is the default for every repay (else `flow.REPAY_RECV_WINDOW_MS`,
    2000 ms; reads always carry the server's default, 5000). `time_url` is where the clock is
    measured (after -1021, and before reconciling); default: see `default_time_url`. `retry`
    is the retry budget. `pace=True` spaces calls to stay under `weight_limit` per
    `window_seconds`. `monotonic` is injectable for tests. `httpx_args` go to the httpx
    client (e.g. a `transport`).

    `margins` are the two bounds every reconciliation verdict rests on (`reconcile.Margins`:
    how far a record's stamp may lie from the server's timestamp check, and how late the
    records endpoint may show it; 5 s each by default); lowering them makes verdicts faster
    and less safe. `journal` (a `Journal`, e.g. `Journal.for_account(...)`) keeps this
    client's sends on disk, written before each money-moving request leaves, shared with
    earlier and concurrent runs: bots restart, and an in-memory record dies with them.

    Its repr shows neither `env`'s values nor `httpx_args`'s, and it refuses to be pickled.
    """

    base_url: str = PRODUCTION_BASE_URL
    credentials: Credentials | None = None
    clock: Clock = field(default_factory=Clock)
    recv_window: int | None = None
    time_url: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    pace: bool = False
    weight_limit: int = DEFAULT_WEIGHT_LIMIT
    window_seconds: float = DEFAULT_WINDOW_SECONDS
    monotonic: Callable[[], float] = time.monotonic
    httpx_args: Mapping[str, Any] = field(default_factory=dict)
    env: Mapping[str, str] | None = None
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

    @property
    def effective_time_url(self) -> str:
        return self.time_url if self.time_url is not None else default_time_url(self.base_url)
