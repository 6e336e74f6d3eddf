"""Client-side signing for Binance Portfolio Margin SIGNED endpoints (POST /papi/v1/repayLoan).

The pieces, each testable on its own:

- `payload`: what is signed (query string + body, as on the wire);
- `keys`: how it is signed (HMAC-SHA256, RSA PKCS#1 v1.5 SHA-256, Ed25519);
- `clock`: when (local time plus a measured or set offset);
- `auth`: `BinanceAuth`, the `httpx.Auth` that puts them together on every request;
- `validation`: local checks of amounts, assets and recvWindow before anything is sent;
- `credentials` and `client_factory`: from env vars or arguments to a ready generated client.
"""

from auth_plugin.auth import API_KEY_HEADER, BinanceAuth
from auth_plugin.client_factory import build_client, trading_timeout
from auth_plugin.clock import Clock, OffsetSample, ameasure_offset, measure_offset
from auth_plugin.credentials import Credentials, resolve_credentials
from auth_plugin.errors import ClockSyncError, InvalidInput, KeyLoadError, PapiError
from auth_plugin.keys import (
    Ed25519Key,
    HmacKey,
    RsaKey,
    SigningKey,
    load_private_key,
    load_private_key_file,
)
from auth_plugin.validation import canonical_amount, validate_asset, validate_recv_window

__all__ = [
    "API_KEY_HEADER",
    "BinanceAuth",
    "Clock",
    "ClockSyncError",
    "Credentials",
    "Ed25519Key",
    "HmacKey",
    "InvalidInput",
    "KeyLoadError",
    "OffsetSample",
    "PapiError",
    "RsaKey",
    "SigningKey",
    "ameasure_offset",
    "build_client",
    "canonical_amount",
    "load_private_key",
    "load_private_key_file",
    "measure_offset",
    "resolve_credentials",
    "trading_timeout",
    "validate_asset",
    "validate_recv_window",
]
