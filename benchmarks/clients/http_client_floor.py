"""The loopback floor: a hand-signed request on one kept-alive http.client.HTTPConnection."""

from __future__ import annotations

from urllib.parse import urlsplit

from benchmarks.credentials import AMOUNT, ASSET, RECV_WINDOW

LABEL = "http.client.HTTPConnection, hand-signed (loopback floor)"
NOTE = "f-string query + hmac; conn.request/getresponse/read; json.loads"


class HttpClientHandSigned:
    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        import hashlib
        import hmac
        import http.client
        import json
        import time

        parts = urlsplit(base_url)
        self._connection = http.client.HTTPConnection(parts.hostname or "", parts.port)
        self._hmac_new = hmac.new
        self._sha256 = hashlib.sha256
        self._time_ns = time.time_ns
        self._loads = json.loads
        self._secret = secret.encode()
        self._headers = {"X-MBX-APIKEY": api_key}
        self._fixed = f"asset={ASSET}&amount={AMOUNT}&recvWindow={RECV_WINDOW}&timestamp="

    def repay(self) -> object:
        query = self._fixed + str(self._time_ns() // 1_000_000)
        signature = self._hmac_new(self._secret, query.encode(), self._sha256).hexdigest()
        self._connection.request(
            "POST", f"/papi/v1/repayLoan?{query}&signature={signature}", headers=self._headers
        )
        response = self._connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body!r}")
        return self._loads(body)

    def close(self) -> None:
        self._connection.close()


def build(base_url: str, api_key: str, secret: str) -> HttpClientHandSigned:
    return HttpClientHandSigned(base_url, api_key, secret)
