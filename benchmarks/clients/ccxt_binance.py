"""ccxt's `binance` exchange class, through its implicit papi method."""

from __future__ import annotations

from benchmarks.credentials import AMOUNT, ASSET, RECV_WINDOW

LABEL = "ccxt binance"
NOTE = (
    "import ccxt; ccxt.binance({enableRateLimit: False}); urls['api']['papi'] set; "
    "papiPostRepayLoan({...})"
)


class CcxtBinance:
    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        import ccxt

        self._exchange = ccxt.binance(
            {
                "apiKey": api_key,
                "secret": secret,
                "enableRateLimit": False,
                "options": {"adjustForTimeDifference": False},
            }
        )
        self._exchange.urls["api"]["papi"] = f"{base_url}/papi/v1"
        self._exchange.urls["api"]["papiV2"] = f"{base_url}/papi/v2"

    def repay(self) -> object:
        # Raises a ccxt error on any non-2xx answer.
        return self._exchange.papiPostRepayLoan(
            {"asset": ASSET, "amount": AMOUNT, "recvWindow": RECV_WINDOW}
        )

    def close(self) -> None:
        session = getattr(self._exchange, "session", None)
        if session is not None:
            session.close()


def build(base_url: str, api_key: str, secret: str) -> CcxtBinance:
    return CcxtBinance(base_url, api_key, secret)
