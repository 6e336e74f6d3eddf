"""Ours, safety layer: `auth_plugin.repay.RepayClient` (input checks, typed errors, retry policy,
ban memory, wire capture) on top of the generated client and `BinanceAuth` (HMAC)."""

from __future__ import annotations

import importlib.util

from benchmarks.credentials import AMOUNT, ASSET, RECV_WINDOW

LABEL = "ours: RepayClient.repay() safety layer (HMAC)"
NOTE = (
    "RepayClient(base_url, Credentials(api_key, HmacKey(secret))); "
    "repay(asset, amount, recv_window) -> RepayResult"
)


def unavailable() -> str | None:
    if importlib.util.find_spec("auth_plugin.repay") is None:
        return "auth_plugin has no repay layer (auth_plugin/repay.py) yet"
    return None


class OursRepay:
    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        from auth_plugin import Credentials, HmacKey
        from auth_plugin.repay import RepayClient

        self._client = RepayClient(base_url, Credentials(api_key, HmacKey(secret)))

    def repay(self) -> object:
        # Raises a PapiError subclass on anything but an executed repay.
        return self._client.repay(ASSET, AMOUNT, recv_window=RECV_WINDOW)

    def close(self) -> None:
        self._client.close()


def build(base_url: str, api_key: str, secret: str) -> OursRepay:
    return OursRepay(base_url, api_key, secret)
