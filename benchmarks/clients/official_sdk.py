"""Binance's official SDK: `binance-sdk-derivatives-trading-portfolio-margin` (requests-based)."""

from __future__ import annotations

from benchmarks.credentials import AMOUNT, ASSET, RECV_WINDOW

LABEL = "official Binance SDK (derivatives-trading-portfolio-margin)"
NOTE = (
    "DerivativesTradingPortfolioMargin(ConfigurationRestAPI(base_path=...)).rest_api"
    ".margin_account_repay(asset, amount: float, recv_window)"
)


class OfficialSdk:
    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        from binance_common.configuration import ConfigurationRestAPI
        from binance_sdk_derivatives_trading_portfolio_margin import (
            DerivativesTradingPortfolioMargin,
        )

        # Defaults kept (keep-alive, compression header, 3 retries, 1 s timeout) except where
        # the requests go: the loopback server.
        configuration = ConfigurationRestAPI(api_key=api_key, api_secret=secret, base_path=base_url)
        self._sdk = DerivativesTradingPortfolioMargin(config_rest_api=configuration)
        self._rest = self._sdk.rest_api
        self._amount = float(AMOUNT)  # the SDK types amount as float

    def repay(self) -> object:
        # Raises on any non-2xx answer.
        response = self._rest.margin_account_repay(
            asset=ASSET, amount=self._amount, recv_window=RECV_WINDOW
        )
        return response.data()

    def close(self) -> None:
        self._rest._session.close()


def build(base_url: str, api_key: str, secret: str) -> OfficialSdk:
    return OfficialSdk(base_url, api_key, secret)
