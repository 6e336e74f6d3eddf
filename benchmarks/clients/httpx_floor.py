"""The floor for an httpx-based client: a hand-built, hand-signed query on a plain httpx.Client."""

from __future__ import annotations

from benchmarks.credentials import AMOUNT, ASSET, RECV_WINDOW

LABEL = "plain httpx.Client, hand-signed (floor)"
NOTE = "f-string query + hmac.new().hexdigest(); client.post(url); response.json()"


class HttpxHandSigned:
    def __init__(self, base_url: str, api_key: str, secret: str) -> None:
        import hashlib
        import hmac
        import time

        import httpx

        self._hmac_new = hmac.new
        self._sha256 = hashlib.sha256
        self._time_ns = time.time_ns
        self._secret = secret.encode()
        self._fixed = f"asset={ASSET}&amount={AMOUNT}&recvWindow={RECV_WINDOW}&timestamp="
        self._client = httpx.Client(base_url=base_url, headers={"X-MBX-APIKEY": api_key})

    def repay(self) -> object:
        query = self._fixed + str(self._time_ns() // 1_000_000)
        signature = self._hmac_new(self._secret, query.encode(), self._sha256).hexdigest()
        response = self._client.post(f"/papi/v1/repayLoan?{query}&signature={signature}")
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text}")
        return response.json()

    def close(self) -> None:
        self._client.close()


def build(base_url: str, api_key: str, secret: str) -> HttpxHandSigned:
    return HttpxHandSigned(base_url, api_key, secret)
