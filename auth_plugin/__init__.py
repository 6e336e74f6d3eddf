"""Signing and safe repaying for Binance Portfolio Margin's Margin Account Repay.

Three parts, each depending only on the ones before it:

- `signer`: the `httpx.Auth` that signs (`BinanceAuth`), what is signed (`payload`), how
  (`keys`: HMAC-SHA256, RSA, Ed25519), when (`clock`), by whom (`credentials`), input checks
  (`validation`) and the errors it raises. It imports nothing else of ours.
- `client`: `build_client`, the generated client signed by it.
- `safe`: `RepayClient` / `AsyncRepayClient`, thin drivers of one sans-IO flow (`safe.flow`):
  typed errors, retries of what provably did not execute, pacing, reconciliation.
- `cli`: the `papi-repay` command, on top.

Every name below loads on first use, so `import auth_plugin` (and `papi-repay --help`) stays
cheap: httpx and the generated client load only with the part that needs them.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
    "auth_plugin.client.factory": ("build_client", "trading_timeout"),
    "auth_plugin.safe.config": ("ClientConfig",),
    "auth_plugin.safe.pacing": ("WeightBudget",),
    "auth_plugin.safe.retry_policy": ("RetryPolicy",),
    "auth_plugin.safe.reconcile": ("ReconcileResult", "RepayRecordMatch", "SentRepay", "Verdict"),
    "auth_plugin.safe.flow": ("RepayResult",),
    "auth_plugin.safe.sync_client": ("RepayClient",),
    "auth_plugin.safe.async_client": ("AsyncRepayClient",),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

if TYPE_CHECKING:
    from auth_plugin.client.defaults import (
        PRODUCTION_BASE_URL as PRODUCTION_BASE_URL,
    )
    from auth_plugin.client.defaults import (
        PRODUCTION_TIME_URL as PRODUCTION_TIME_URL,
    )
    from auth_plugin.client.defaults import (
        default_time_url as default_time_url,
    )
    from auth_plugin.client.factory import (
        build_client as build_client,
    )
    from auth_plugin.client.factory import (
        trading_timeout as trading_timeout,
    )
    from auth_plugin.safe.async_client import (
        AsyncRepayClient as AsyncRepayClient,
    )
    from auth_plugin.safe.config import (
        ClientConfig as ClientConfig,
    )
    from auth_plugin.safe.errors import (
        AuthError as AuthError,
    )
    from auth_plugin.safe.errors import (
        Banned as Banned,
    )
    from auth_plugin.safe.errors import (
        BusinessRejection as BusinessRejection,
    )
    from auth_plugin.safe.errors import (
        ClockSyncError as ClockSyncError,
    )
    from auth_plugin.safe.errors import (
        ConnectionFailed as ConnectionFailed,
    )
    from auth_plugin.safe.errors import (
        InvalidInput as InvalidInput,
    )
    from auth_plugin.safe.errors import (
        InvalidRequest as InvalidRequest,
    )
    from auth_plugin.safe.errors import (
        KeyLoadError as KeyLoadError,
    )
    from auth_plugin.safe.errors import (
        OutcomeUnknown as OutcomeUnknown,
    )
    from auth_plugin.safe.errors import (
        PapiError as PapiError,
    )
    from auth_plugin.safe.errors import (
        RateLimited as RateLimited,
    )
    from auth_plugin.safe.errors import (
        RequestRejected as RequestRejected,
    )
    from auth_plugin.safe.errors import (
        ServiceUnavailable as ServiceUnavailable,
    )
    from auth_plugin.safe.errors import (
        TimestampRejected as TimestampRejected,
    )
    from auth_plugin.safe.flow import (
        RepayResult as RepayResult,
    )
    from auth_plugin.safe.pacing import (
        WeightBudget as WeightBudget,
    )
    from auth_plugin.safe.reconcile import (
        ReconcileResult as ReconcileResult,
    )
    from auth_plugin.safe.reconcile import (
        RepayRecordMatch as RepayRecordMatch,
    )
    from auth_plugin.safe.reconcile import (
        SentRepay as SentRepay,
    )
    from auth_plugin.safe.reconcile import (
        Verdict as Verdict,
    )
    from auth_plugin.safe.retry_policy import (
        RetryPolicy as RetryPolicy,
    )
    from auth_plugin.safe.sync_client import (
        RepayClient as RepayClient,
    )
    from auth_plugin.signer.api_key import (
        API_KEY_HEADER as API_KEY_HEADER,
    )
    from auth_plugin.signer.auth import (
        BinanceAuth as BinanceAuth,
    )
    from auth_plugin.signer.clock import (
        Clock as Clock,
    )
    from auth_plugin.signer.clock import (
        OffsetSample as OffsetSample,
    )
    from auth_plugin.signer.clock import (
        ameasure_offset as ameasure_offset,
    )
    from auth_plugin.signer.clock import (
        measure_offset as measure_offset,
    )
    from auth_plugin.signer.credentials import (
        Credentials as Credentials,
    )
    from auth_plugin.signer.credentials import (
        resolve_credentials as resolve_credentials,
    )
    from auth_plugin.signer.keys import (
        Ed25519Key as Ed25519Key,
    )
    from auth_plugin.signer.keys import (
        HmacKey as HmacKey,
    )
    from auth_plugin.signer.keys import (
        RsaKey as RsaKey,
    )
    from auth_plugin.signer.keys import (
        SigningKey as SigningKey,
    )
    from auth_plugin.signer.keys import (
        load_private_key as load_private_key,
    )
    from auth_plugin.signer.keys import (
        load_private_key_file as load_private_key_file,
    )
    from auth_plugin.signer.validation import (
        canonical_amount as canonical_amount,
    )
    from auth_plugin.signer.validation import (
        validate_asset as validate_asset,
    )
    from auth_plugin.signer.validation import (
        validate_recv_window as validate_recv_window,
    )


def __getattr__(name: str) -> Any:
    home = _HOME_OF.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOME_OF])


__all__ = sorted(_HOME_OF)
