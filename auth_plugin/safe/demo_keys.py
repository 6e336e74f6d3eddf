"""The demo keys shipped with the sandbox are fake: they are refused for any base URL that is
not on this machine, so a copied quickstart never sends them to Binance.

A demo key is recognised by its API key, or by its signature of a fixed probe (the same for
any API key it is paired with): the three keys' signatures are deterministic (HMAC, RSA
PKCS#1 v1.5, Ed25519), so their digests stand in for the keys. `tests/safety` recomputes
them from `papi_sandbox/demo_accounts.yaml` and the packaged private keys.
"""

from __future__ import annotations

import hashlib

import httpx

from auth_plugin.client.factory import is_loopback_host
from auth_plugin.signer.credentials import Credentials
from auth_plugin.signer.errors import KeyLoadError

DEMO_API_KEYS = frozenset({"demo-hmac-api-key", "demo-rsa-api-key", "demo-ed25519-api-key"})
PROBE = b"papi-repay: is this one of the shipped demo keys?"
# sha256 of each demo key's signature of PROBE, first 32 hex digits: HMAC, RSA, Ed25519.
DEMO_SIGNATURE_DIGESTS = frozenset(
    {
        "540ee93f6eb36aae875dcce61356c35f",
        "00e5c81571a14af50874f785df5a0f94",
        "ddf28a3e1b8b263ef310f716917ca994",
    }
)


def is_loopback(base_url: str) -> bool:
    return is_loopback_host(httpx.URL(base_url).host)


def is_demo_key(credentials: Credentials) -> bool:
    if credentials.api_key in DEMO_API_KEYS:
        return True
    signature = credentials.key.sign(PROBE).encode("ascii")
    return hashlib.sha256(signature).hexdigest()[:32] in DEMO_SIGNATURE_DIGESTS


def refuse_demo_keys(base_url: str, credentials: Credentials) -> None:
    """KeyLoadError if `credentials` are the shipped demo keys and `base_url` is not local."""
    if is_loopback(base_url) or not is_demo_key(credentials):
        return
    raise KeyLoadError(
        "these are the fake demo keys shipped for the local sandbox; refusing to send them "
        f"to {httpx.URL(base_url).host} (not a loopback address): use your own API key there, "
        "or a sandbox URL such as http://127.0.0.1:8000"
    )
