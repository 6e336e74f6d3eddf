# ruff: noqa: F401  (the imports for type checkers only; the names load in __getattr__)
"""Signing and safe repaying for Binance Portfolio Margin's Margin Account Repay.

Three parts, each depending only on the ones before it:

- `signer`: the `httpx.Auth` that signs (`BinanceAuth`), what is signed (`payload`), how
  (`keys`: HMAC-SHA256, RSA, Ed25519), when (`clock`), by whom (`credentials`), input checks
  (`validation`) and the errors it raises. It imports nothing else of ours.
- `client`: the generated client, wired to the signer (`prepare_client`).
- `safe`: `RepayClient` / `AsyncRepayClient`, thin drivers of one sans-IO flow (`safe.flow`):
  typed errors, retries of what provably did not execute, pacing, reconciliation; and
  `build_client`, the generated client alone, set up from the same `ClientConfig`.
- `cli`: the `papi-repay` command, on top.

Every name below loads on first use, so `import auth_plugin` (and `papi-repay --help`) stays
cheap: httpx and the generated client load only with the part that needs them.
"""

from importlib import import_module as _import_module

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy knows the name)

_HOMES = {
    "auth_plugin.signer.api_key": ("API_KEY_HEADER",),
    "auth_plugin.signer.auth": ("BinanceAuth",),
    "auth_plugin.signer.clock": ("Clock", "OffsetSample", "ameasure_offset", "measure_offset"),
    "auth_plugin.signer.credentials": ("Credentials", "resolve_credentials"),
    "auth_plugin.signer.keys": (
        "Ed25519Key",
        "HmacKey",
        "RsaKey",
        "SigningKey",
        "load_private_key",
        "load_private_key_file",
    ),
    "auth_plugin.signer.validation": ("canonical_amount", "validate_asset", "validate_recv_window"),
    "auth_plugin.safe.errors": (
        "AuthError",
        "Banned",
        "BusinessRejection",
        "ClockSyncError",
        "ConnectionFailed",
        "FreeBalanceShort",
        "InvalidInput",
        "InvalidRequest",
        "KeyLoadError",
        "OutcomeUnknown",
        "PapiError",
        "RateLimited",
        "RequestRejected",
        "ServiceUnavailable",
        "TimestampRejected",
    ),
    "auth_plugin.client.defaults": (
        "PRODUCTION_BASE_URL",
        "PRODUCTION_TIME_URL",
        "default_time_url",
    ),
    "auth_plugin.client.factory": ("trading_timeout",),
    "auth_plugin.safe.generated_client": ("build_client",),
    "auth_plugin.safe.config": ("ClientConfig",),
    "auth_plugin.safe.pacing": ("WeightBudget",),
    "auth_plugin.safe.retry_policy": ("RetryPolicy",),
    "auth_plugin.safe.reconcile": (
        "GroupResult",
        "Margins",
        "ReconcileResult",
        "LoanRequest",
        "Verdict",
    ),
    "auth_plugin.safe.journal": ("Journal", "JournalError"),
    "papi_repay_client.models": ("RepayRecord",),
    "auth_plugin.safe.results": (
        "BorrowResult",
        "Confirmation",
        "Debt",
        "RepayAllResult",
        "RepayResult",
    ),
    "auth_plugin.safe.sync_client": ("RepayClient",),
    "auth_plugin.safe.async_client": ("AsyncRepayClient",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:
    from typing import Any

    from auth_plugin.client.defaults import (
        PRODUCTION_BASE_URL,
        PRODUCTION_TIME_URL,
        default_time_url,
    )
    from auth_plugin.client.factory import trading_timeout
    from auth_plugin.safe.async_client import AsyncRepayClient
    from auth_plugin.safe.config import ClientConfig
    from auth_plugin.safe.errors import (
        AuthError,
        Banned,
        BusinessRejection,
        ClockSyncError,
        ConnectionFailed,
        FreeBalanceShort,
        InvalidInput,
        InvalidRequest,
        KeyLoadError,
        OutcomeUnknown,
        PapiError,
        RateLimited,
        RequestRejected,
        ServiceUnavailable,
        TimestampRejected,
    )
    from auth_plugin.safe.generated_client import build_client
    from auth_plugin.safe.journal import Journal, JournalError
    from auth_plugin.safe.pacing import WeightBudget
    from auth_plugin.safe.reconcile import (
        GroupResult,
        LoanRequest,
        Margins,
        ReconcileResult,
        Verdict,
    )
    from auth_plugin.safe.results import (
        BorrowResult,
        Confirmation,
        Debt,
        RepayAllResult,
        RepayResult,
    )
    from auth_plugin.safe.retry_policy import RetryPolicy
    from auth_plugin.safe.sync_client import RepayClient
    from auth_plugin.signer.api_key import API_KEY_HEADER
    from auth_plugin.signer.auth import BinanceAuth
    from auth_plugin.signer.clock import (
        Clock,
        OffsetSample,
        ameasure_offset,
        measure_offset,
    )
    from auth_plugin.signer.credentials import (
        Credentials,
        resolve_credentials,
    )
    from auth_plugin.signer.keys import (
        Ed25519Key,
        HmacKey,
        RsaKey,
        SigningKey,
        load_private_key,
        load_private_key_file,
    )
    from auth_plugin.signer.validation import (
        canonical_amount,
        validate_asset,
        validate_recv_window,
    )
    from papi_repay_client.models import RepayRecord


def __getattr__(name: str) -> "Any":
    home = _HOME_OF.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, each once (not the loader's own)."""
    return list(__all__)


__all__ = sorted(_HOME_OF)
