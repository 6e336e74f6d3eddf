"""Ours: the generated client (`papi_repay_client`) signed by `auth_plugin.BinanceAuth` (HMAC)."""

from __future__ import annotations

from benchmarks.credentials import AMOUNT, ASSET, RECV_WINDOW

LABEL = "ours: generated client + BinanceAuth (HMAC)"
NOTE = (
    "auth_plugin.build_client(base_url, api_key=, api_secret=); "
    "repay_loan.sync_detailed(client, asset, amount, recv_window)"
)


def unavailable() -> str | None:
    try:
        import auth_plugin
        import papi_repay_client.api.margin.repay_loan  # noqa: F401
    except ImportError as error:
        return f"not importable yet: {error}"
    if not hasattr(auth_plugin, "build_client"):
        return "auth_plugin.build_client does not exist yet"
    return None


class OursGenerated:
    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        from auth_plugin import build_client
        from papi_repay_client.api.margin import repay_loan

        self._client = build_client(base_url, api_key=api_key, api_secret=secret)
        self._sync_detailed = repay_loan.sync_detailed

    def repay(self) -> object:
        response = self._sync_detailed(
            client=self._client, asset=ASSET, amount=AMOUNT, recv_window=RECV_WINDOW
        )
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.content!r}")
        return response.parsed

    def close(self) -> None:
        self._client.get_httpx_client().close()


def build(base_url: str, api_key: str, secret: str) -> OursGenerated:
    return OursGenerated(base_url, api_key, secret)
