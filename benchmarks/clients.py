"""The clients under test, one class each with the same shape, and the fake credentials they
sign with (loopback servers only).

A class has `LABEL` (how tables name it), `NOTE` (what exactly is called), a constructor
`(base_url, api_key, secret)` that imports its library and builds a client (nothing is sent),
`repay()` (one signed repay, raising unless HTTP 200) and `close()`. Libraries are imported in
the constructors, so that start-up is timed by `python -c` importing this module (which
imports nothing heavy) and constructing one client. Public names of `auth_plugin` only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

API_KEY = "benchAPIkey0000000000000000000000000000000000000000000000000000"
API_SECRET = "benchSECRET00000000000000000000000000000000000000000000000000000"
ASSET, AMOUNT, RECV_WINDOW = "USDT", "1.5", 5000  # the one repay every client sends
FIXED_QUERY = f"asset={ASSET}&amount={AMOUNT}&recvWindow={RECV_WINDOW}&timestamp="


class Ours:
    LABEL = "ours: generated client + BinanceAuth (HMAC)"
    NOTE = (
        "auth_plugin.build_client(base_url, api_key=, api_secret=); "
        "repay_loan.sync_detailed(client, asset, amount, recv_window)"
    )

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


class OursRepay:
    LABEL = "ours: RepayClient.repay() safety layer (HMAC)"
    NOTE = (
        "RepayClient(base_url, Credentials(api_key, HmacKey(secret))); "
        "repay(asset, amount, recv_window) -> RepayResult"
    )
    LIFECYCLE_NOTE = (
        "debt: RepayClient.debt(asset) -> dict[str, Debt]; repay_all: RepayClient.repay_all("
        "asset) -> RepayAllResult (balance, one repay of principal + interest, balance again)"
    )

    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        from auth_plugin import Credentials, HmacKey, RepayClient

        self._client = RepayClient(base_url, Credentials(api_key, HmacKey(secret)))

    def repay(self) -> object:  # raises a PapiError subclass on anything but an executed repay
        return self._client.repay(ASSET, AMOUNT, recv_window=RECV_WINDOW)

    def debt(self) -> Any:
        return self._client.debt(ASSET)

    def repay_all(self) -> Any:
        return self._client.repay_all(ASSET)

    @staticmethod
    def debt_asset(answer: Any) -> str:
        (asset,) = answer
        return str(asset)

    @staticmethod
    def settled(answer: Any) -> tuple[Decimal, Decimal]:
        """(amount repaid, debt left after) of one repay_all() answer."""
        return answer.repaid_amount, answer.left

    def close(self) -> None:
        self._client.close()


class OfficialSdk:
    LABEL = "official Binance SDK (derivatives-trading-portfolio-margin)"
    NOTE = (
        "DerivativesTradingPortfolioMargin(ConfigurationRestAPI(base_path=...)).rest_api"
        ".margin_account_repay(asset, amount: float, recv_window)"
    )
    LIFECYCLE_NOTE = (
        "debt: account_balance(asset).data(); repay_all: account_balance(asset).data(), then "
        "margin_account_repay(asset, amount=float(Decimal(crossMarginBorrowed) + "
        "Decimal(crossMarginInterest))).data(), then account_balance(asset).data() again"
    )

    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        from binance_common.configuration import ConfigurationRestAPI
        from binance_sdk_derivatives_trading_portfolio_margin import (
            DerivativesTradingPortfolioMargin,
        )

        # Defaults kept (keep-alive, compression header, 3 retries, 1 s timeout), except where
        # the requests go: the loopback server.
        configuration = ConfigurationRestAPI(api_key=api_key, api_secret=secret, base_path=base_url)
        self._rest = DerivativesTradingPortfolioMargin(config_rest_api=configuration).rest_api

    def repay(self) -> object:  # raises on any non-2xx answer; the SDK types amount as float
        answer = self._rest.margin_account_repay(
            asset=ASSET, amount=float(AMOUNT), recv_window=RECV_WINDOW
        )
        return answer.data()

    def debt(self) -> Any:
        return self._rest.account_balance(asset=ASSET).data().actual_instance

    def repay_all(self) -> tuple[Decimal, Any]:
        """Balance, a repay of principal + interest (as the float the SDK takes), balance
        again: (amount repaid, the balance after)."""
        before = self.debt()
        amount = Decimal(before.cross_margin_borrowed) + Decimal(before.cross_margin_interest)
        self._rest.margin_account_repay(asset=ASSET, amount=float(amount)).data()
        return amount, self.debt()

    @staticmethod
    def debt_asset(answer: Any) -> str:
        return str(answer.asset)

    @staticmethod
    def settled(answer: tuple[Decimal, Any]) -> tuple[Decimal, Decimal]:
        amount, after = answer
        return amount, Decimal(after.cross_margin_borrowed) + Decimal(after.cross_margin_interest)

    def close(self) -> None:
        self._rest._session.close()


class PythonBinance:
    LABEL = "python-binance"
    NOTE = (
        "Client(key, secret, ping=False); PAPI_URL set to the server; "
        "papi_repay_loan(asset, amount, recvWindow)"
    )

    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        from binance.client import Client

        # ping=False: the constructor would otherwise GET /api/v3/ping on api.binance.com.
        self._client = Client(api_key, secret, ping=False)
        self._client.PAPI_URL = f"{base_url}/papi"  # class attribute, formatted per request

    def repay(self) -> object:  # raises BinanceAPIException on any non-2xx answer
        return self._client.papi_repay_loan(asset=ASSET, amount=AMOUNT, recvWindow=RECV_WINDOW)

    def close(self) -> None:
        self._client.close_connection()


class Ccxt:
    LABEL = "ccxt binance"
    NOTE = (
        "import ccxt; ccxt.binance({enableRateLimit: False}); urls['api']['papi'] set; "
        "papiPostRepayLoan({...})"
    )

    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        import ccxt

        options = {"adjustForTimeDifference": False}
        config = {"apiKey": api_key, "secret": secret, "enableRateLimit": False}
        self._exchange = ccxt.binance({**config, "options": options})
        self._exchange.urls["api"]["papi"] = f"{base_url}/papi/v1"
        self._exchange.urls["api"]["papiV2"] = f"{base_url}/papi/v2"

    def repay(self) -> object:  # raises a ccxt error on any non-2xx answer
        params = {"asset": ASSET, "amount": AMOUNT, "recvWindow": RECV_WINDOW}
        return self._exchange.papiPostRepayLoan(params)

    def close(self) -> None:
        session = getattr(self._exchange, "session", None)
        if session is not None:
            session.close()


class HttpxFloor:
    LABEL = "plain httpx.Client, hand-signed (floor)"
    NOTE = "f-string query + hmac.new().hexdigest(); client.post(url); response.json()"

    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        import hashlib
        import hmac
        import time

        import httpx

        self._hmac_new, self._sha256, self._time_ns = hmac.new, hashlib.sha256, time.time_ns
        self._secret = secret.encode()
        self._client = httpx.Client(base_url=base_url, headers={"X-MBX-APIKEY": api_key})

    def repay(self) -> object:
        query = FIXED_QUERY + str(self._time_ns() // 1_000_000)
        signature = self._hmac_new(self._secret, query.encode(), self._sha256).hexdigest()
        response = self._client.post(f"/papi/v1/repayLoan?{query}&signature={signature}")
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text}")
        return response.json()

    def close(self) -> None:
        self._client.close()


class HttpClientFloor:
    LABEL = "http.client.HTTPConnection, hand-signed (loopback floor)"
    NOTE = "f-string query + hmac; conn.request/getresponse/read; json.loads"

    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        import hashlib
        import hmac
        import http.client
        import json
        import time

        parts = urlsplit(base_url)
        self._connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
        self._hmac_new, self._sha256, self._time_ns = hmac.new, hashlib.sha256, time.time_ns
        self._loads, self._secret = json.loads, secret.encode()
        self._headers = {"X-MBX-APIKEY": api_key}

    def repay(self) -> object:
        query = FIXED_QUERY + str(self._time_ns() // 1_000_000)
        signature = self._hmac_new(self._secret, query.encode(), self._sha256).hexdigest()
        path = f"/papi/v1/repayLoan?{query}&signature={signature}"
        self._connection.request("POST", path, headers=self._headers)
        response = self._connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body!r}")
        return self._loads(body)

    def close(self) -> None:
        self._connection.close()


#: Table order: ours first, then the public clients, then the floors.
CLIENTS: dict[str, type[Any]] = {
    "ours": Ours,
    "ours-repay": OursRepay,
    "official-sdk": OfficialSdk,
    "python-binance": PythonBinance,
    "ccxt": Ccxt,
    "httpx-floor": HttpxFloor,
    "http.client-floor": HttpClientFloor,
}
OURS, REPAY_LAYER, FLOOR = "ours", "ours-repay", "httpx-floor"
PUBLIC = ("official-sdk", "python-binance", "ccxt")
