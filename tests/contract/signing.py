"""Sign schemathesis' requests with our own signer, at send time.

schemathesis sends through `requests`; the `before_call` hook hands `requests` an auth callable,
which runs after the request is prepared, so it signs the final query string and body, with a
timestamp taken just before sending. Only the query string is taken from our signer: the
`X-MBX-APIKEY` header stays whatever schemathesis put there, so its ignored-auth check can still
send a request without a key, or with a wrong one.
"""

from __future__ import annotations

import os

import httpx
import requests

from auth_plugin import BinanceAuth, Clock, HmacKey

API_KEY_ENV = "PAPI_CONTRACT_API_KEY"
SECRET_ENV = "PAPI_CONTRACT_SECRET"  # a throwaway key made for the run, never a real one


class SignAtSendTime(requests.auth.AuthBase):
    def __init__(self, auth: BinanceAuth) -> None:
        self._auth = auth

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode()
        request = httpx.Request(str(prepared.method), str(prepared.url), content=body)
        self._auth.sign_request(request)
        prepared.url = str(request.url)
        return prepared


_signer: SignAtSendTime | None = None


def signer() -> SignAtSendTime:
    global _signer
    if _signer is None:
        # Stamped 500 ms ahead (the server allows up to 1000): a request then meets its
        # recvWindow whatever the window and however long the trip on a busy machine, so the
        # server's answer to a case does not depend on timing. Hypothesis replays cases and
        # fails on an answer that changes; the clock edges are tested in tests/sandbox.
        auth = BinanceAuth(
            os.environ[API_KEY_ENV], HmacKey(os.environ[SECRET_ENV]), clock=Clock(offset_ms=500)
        )
        _signer = SignAtSendTime(auth)
    return _signer
