"""Sign schemathesis' requests with our own signer, at send time.

schemathesis sends through `requests`; the `before_call` hook hands `requests` an auth callable,
which runs after the request is prepared, so it signs the final query string and body, with a
timestamp taken just before sending. Only the query string is taken from our signer: the
`X-MBX-APIKEY` header stays whatever schemathesis put there, so its ignored-auth check can still
send a request without a key, or with a wrong one.

`form_body=True` moves the parameters schemathesis put in the query string into an
`application/x-www-form-urlencoded` body before signing (the placement the spec declares in
`x-binance-parameter-locations`): the signer then adds `timestamp` and `signature` to the query
string and signs query string + body, as Binance's rule says.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import httpx
import requests

from auth_plugin import BinanceAuth, Clock, HmacKey

API_KEY_ENV = "PAPI_CONTRACT_API_KEY"
SECRET_ENV = "PAPI_CONTRACT_SECRET"  # a throwaway key made for the run, never a real one


FORM = "application/x-www-form-urlencoded"


class SignAtSendTime(requests.auth.AuthBase):
    def __init__(self, auth: BinanceAuth, *, form_body: bool = False) -> None:
        self._auth = auth
        self.form_body = form_body

    def __call__(self, prepared: requests.PreparedRequest) -> requests.PreparedRequest:
        if self.form_body and not prepared.body:
            _query_to_form_body(prepared)
        body = prepared.body or b""
        if isinstance(body, str):
            body = body.encode()
        request = httpx.Request(str(prepared.method), str(prepared.url), content=body)
        self._auth.sign_request(request)
        prepared.url = str(request.url)
        return prepared


SIGNER_PARAMS = ("timestamp", "signature")


def _query_to_form_body(prepared: requests.PreparedRequest) -> None:
    """Move the query string's parameters, byte for byte, into a form body; the signer's own
    (`timestamp`, `signature`, e.g. schemathesis' placeholder signature) stay in the query."""
    parts = urlsplit(str(prepared.url))
    fields = [field for field in parts.query.split("&") if field]
    stay = [field for field in fields if field.partition("=")[0] in SIGNER_PARAMS]
    move = [field for field in fields if field.partition("=")[0] not in SIGNER_PARAMS]
    prepared.url = urlunsplit(parts._replace(query="&".join(stay)))
    prepared.body = "&".join(move).encode()
    prepared.headers["Content-Type"] = FORM
    prepared.headers["Content-Length"] = str(len(prepared.body))


_signer: SignAtSendTime | None = None
_form_signer: SignAtSendTime | None = None


def form_body_signer() -> SignAtSendTime:
    """The same key and clock as `signer()`, with the parameters sent in a form body."""
    global _form_signer
    if _form_signer is None:
        _form_signer = SignAtSendTime(signer()._auth, form_body=True)
    return _form_signer


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
