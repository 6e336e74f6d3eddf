"""Client-side signing for Binance Portfolio Margin SIGNED endpoints (POST /papi/v1/repayLoan).

The pieces, each testable on its own:

- `payload`: what is signed (query string + body, as on the wire);
- `keys`: how it is signed (HMAC-SHA256, RSA PKCS#1 v1.5 SHA-256, Ed25519);
- `clock`: when (local time plus a measured or set offset);
- `auth`: `BinanceAuth`, the `httpx.Auth` that puts them together on every request;
- `validation`: local checks of amounts, assets and recvWindow before anything is sent;
- `credentials` and `client_factory`: from env vars or arguments to a ready generated client.

The safe repay layer on top:

- `repay`: `RepayClient` / `AsyncRepayClient` (`repay`, `reconcile`, `reconcile_outcome`);
- `errors`: the `PapiError` family (status, code, msg, headers; outcome unknown vs rejected);
- `http_errors`: which answer or transport failure becomes which error;
- `retry_policy`: when a repay may be resent (never after an unknown outcome);
- `pacing`: the weight budget that keeps bursts under the IP limit;
- `reconcile`: finding a repay in the records after an unknown outcome;
- `cli`: the `papi-repay` command.
"""

from typing import TYPE_CHECKING, Any

from auth_plugin.auth import API_KEY_HEADER, BinanceAuth
from auth_plugin.client_factory import build_client, trading_timeout
from auth_plugin.clock import Clock, OffsetSample, ameasure_offset, measure_offset
from auth_plugin.credentials import Credentials, resolve_credentials
from auth_plugin.errors import (
    AuthError,
    Banned,
    BusinessRejection,
    ClockSyncError,
    ConnectionFailed,
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
from auth_plugin.keys import (
    Ed25519Key,
    HmacKey,
    RsaKey,
    SigningKey,
    load_private_key,
    load_private_key_file,
)
from auth_plugin.pacing import WeightBudget
from auth_plugin.reconcile import ReconcileResult, RepayRecordMatch
from auth_plugin.retry_policy import RetryPolicy
from auth_plugin.validation import canonical_amount, validate_asset, validate_recv_window

if TYPE_CHECKING:
    from auth_plugin.repay import (
        PRODUCTION_BASE_URL,
        PRODUCTION_TIME_URL,
        AsyncRepayClient,
        RepayClient,
        RepayResult,
        default_time_url,
    )

# The repay layer imports the generated client; like `build_client`, load it only when used.
_LAZY = frozenset(
    {
        "PRODUCTION_BASE_URL",
        "PRODUCTION_TIME_URL",
        "AsyncRepayClient",
        "RepayClient",
        "RepayResult",
        "default_time_url",
    }
)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from auth_plugin import repay

    value = getattr(repay, name)
    globals()[name] = value
    return value


__all__ = [
    "API_KEY_HEADER",
    "PRODUCTION_BASE_URL",
    "PRODUCTION_TIME_URL",
    "AsyncRepayClient",
    "AuthError",
    "Banned",
    "BinanceAuth",
    "BusinessRejection",
    "Clock",
    "ClockSyncError",
    "ConnectionFailed",
    "Credentials",
    "Ed25519Key",
    "HmacKey",
    "InvalidInput",
    "InvalidRequest",
    "KeyLoadError",
    "OffsetSample",
    "OutcomeUnknown",
    "PapiError",
    "RateLimited",
    "ReconcileResult",
    "RepayClient",
    "RepayRecordMatch",
    "RepayResult",
    "RequestRejected",
    "RetryPolicy",
    "RsaKey",
    "ServiceUnavailable",
    "SigningKey",
    "TimestampRejected",
    "WeightBudget",
    "ameasure_offset",
    "build_client",
    "canonical_amount",
    "default_time_url",
    "load_private_key",
    "load_private_key_file",
    "measure_offset",
    "resolve_credentials",
    "trading_timeout",
    "validate_asset",
    "validate_recv_window",
]
