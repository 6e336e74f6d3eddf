"""python-binance (`binance.Client`, requests-based)."""

from __future__ import annotations

from benchmarks.credentials import AMOUNT, ASSET, RECV_WINDOW

LABEL = "python-binance"
NOTE = (
    "Client(key, secret, ping=False); PAPI_URL set to the server; "
    "papi_repay_loan(asset, amount, recvWindow)"
)


class PythonBinance:
    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        from binance.client import Client

        # ping=False: the constructor would otherwise GET /api/v3/ping on api.binance.com.
        self._client = Client(api_key, secret, ping=False)
        # Class attribute "https://papi.binance.{}/papi", formatted with the tld per request.
        self._client.PAPI_URL = f"{base_url}/papi"

    def repay(self) -> object:
        # Raises BinanceAPIException on any non-2xx answer.
        return self._client.papi_repay_loan(asset=ASSET, amount=AMOUNT, recvWindow=RECV_WINDOW)

    def close(self) -> None:
        self._client.close_connection()


def build(base_url: str, api_key: str, secret: str) -> PythonBinance:
    return PythonBinance(base_url, api_key, secret)
