"""Binance's official SDK: `binance-sdk-derivatives-trading-portfolio-margin` (requests-based)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from benchmarks.credentials import AMOUNT, ASSET, RECV_WINDOW

if TYPE_CHECKING:  # not imported at run time: the start-up section times this module's import
    from decimal import Decimal

LABEL = "official Binance SDK (derivatives-trading-portfolio-margin)"
NOTE = (
    "DerivativesTradingPortfolioMargin(ConfigurationRestAPI(base_path=...)).rest_api"
    ".margin_account_repay(asset, amount: float, recv_window)"
)
#: What section 5 (loan lifecycle) calls on this client.
LIFECYCLE_NOTE = (
    "debt: account_balance(asset).data(); repay_all: account_balance(asset).data(), then "
    "margin_account_repay(asset, amount=float(Decimal(crossMarginBorrowed) + "
    "Decimal(crossMarginInterest))).data(), then account_balance(asset).data() again"
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
        from decimal import Decimal

        self._decimal = Decimal

    def repay(self) -> object:
        # Raises on any non-2xx answer.
        response = self._rest.margin_account_repay(
            asset=ASSET, amount=self._amount, recv_window=RECV_WINDOW
        )
        return response.data()

    # -- section 5: the loan lifecycle calls (the same requests as RepayClient's) ---------------

    def debt(self) -> Any:
        """One GET /papi/v1/balance?asset=: the asset's balance object."""
        return self._rest.account_balance(asset=ASSET).data().actual_instance

    def repay_all(self) -> tuple[Decimal, Any, Any]:
        """Read the balance, repay principal + interest (as the float the SDK takes), read the
        balance again: (amount repaid, the repay's answer, the balance after)."""
        rest, decimal = self._rest, self._decimal
        before: Any = rest.account_balance(asset=ASSET).data().actual_instance
        amount = decimal(before.cross_margin_borrowed) + decimal(before.cross_margin_interest)
        repaid = rest.margin_account_repay(asset=ASSET, amount=float(amount)).data()
        after = rest.account_balance(asset=ASSET).data().actual_instance
        return amount, repaid, after

    @staticmethod
    def debt_asset(answer: Any) -> str:
        return str(answer.asset)

    def settled(self, answer: tuple[Decimal, Any, Any]) -> tuple[Decimal, Decimal]:
        """(amount repaid, debt left after) of one repay_all() answer."""
        amount, _, after = answer
        borrowed, interest = after.cross_margin_borrowed, after.cross_margin_interest
        return amount, self._decimal(borrowed) + self._decimal(interest)

    def close(self) -> None:
        self._rest._session.close()


def build(base_url: str, api_key: str, secret: str) -> OfficialSdk:
    return OfficialSdk(base_url, api_key, secret)
