"""The request signer: an `httpx.Auth` for Binance SIGNED endpoints.

It works unchanged with `httpx.Client`, `httpx.AsyncClient` and the generated
`AuthenticatedClient` (through `httpx_args={"auth": ...}`). Every time httpx runs the auth flow
(the first send, and any re-send of the same request) the request is signed anew:

1. leftover `timestamp`/`signature` query parameters from an earlier signing are dropped;
2. `recvWindow` is added to the query if configured and the caller sent none (query or body);
3. `timestamp` is appended to the query: the one pinned on the request
   (`request.extensions[PINNED_TIMESTAMP]`, an int of ms: a caller that recorded the send
   before it left picks it), else the clock's now (clock + offset);
4. the signature is computed over `query + body`, exactly the bytes that go on the wire;
5. `signature` is appended as the last query parameter (percent-encoded when base64);
6. `X-MBX-APIKEY` is set;
7. what was stamped is recorded on the request itself, `request.extensions[SIGNED]` (a
   `Stamp`), so nobody needs to read it back out of the URL.

Creating one attaches a filter to the `httpx` logger that blanks `signature=` in its records
(`redaction.redact_httpx_logs`): httpx logs every request's URL at INFO.

Where the signature goes: always in the query string, also when there is a form body. The body
is then sent untouched (no re-encoding, no Content-Length change), and Binance's rule
`totalParams = query + body` holds with the query taken without its trailing `signature`.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

import httpx

from auth_plugin.signer.api_key import API_KEY_HEADER, check_api_key
from auth_plugin.signer.clock import Clock
from auth_plugin.signer.errors import InvalidInput, KeyLoadError
from auth_plugin.signer.keys import SigningKey
from auth_plugin.signer.payload import (
    RECV_WINDOW,
    SIGNATURE,
    TIMESTAMP,
    has_param,
    signed_query,
    total_params,
    unsigned_query,
    url_safe_signature,
)
from auth_plugin.signer.redaction import mask_api_key, redact_httpx_logs
from auth_plugin.signer.url_query import with_query
from auth_plugin.signer.validation import validate_recv_window

SIGNED = "papi_signed"  # the request.extensions key of the Stamp
PINNED_TIMESTAMP = "papi_timestamp"  # request.extensions: the timestamp to sign, if chosen


@dataclass(frozen=True, slots=True)
class Stamp:
    """What the signer put on a request: its `timestamp`, and the `recvWindow` it added (None
    when the request carried its own, or none at all)."""

    timestamp_ms: int
    recv_window: int | None


def stamp_of(request: httpx.Request) -> Stamp | None:
    """The Stamp of a signed request, None for one never signed."""
    stamp = request.extensions.get(SIGNED)
    return stamp if isinstance(stamp, Stamp) else None


class BinanceAuth(httpx.Auth):
    """Signs each request for a Binance SIGNED endpoint (HMAC, RSA or Ed25519 key)."""

    # The body is part of what is signed, so httpx must have read it before auth_flow runs.
    requires_request_body = True

    def __init__(
        self,
        api_key: str,
        key: SigningKey,
        *,
        clock: Clock | None = None,
        recv_window: int | None = None,
    ) -> None:
        self._api_key = check_api_key(api_key)
        redact_httpx_logs()  # also for plain httpx clients: httpx logs signed URLs at INFO
        if not isinstance(key, SigningKey):
            raise KeyLoadError(
                f"key must be an HmacKey, RsaKey or Ed25519Key, not {type(key).__name__}"
            )
        self._key = key
        self._clock = clock if clock is not None else Clock()
        self._recv_window = None if recv_window is None else validate_recv_window(recv_window)

    @property
    def key(self) -> SigningKey:
        return self._key

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def recv_window(self) -> int | None:
        return self._recv_window

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign_request(request)
        yield request

    def sign_request(self, request: httpx.Request) -> None:
        """Sign `request` in place (its body must already be read)."""
        body = request.content
        if body and (has_param(body, TIMESTAMP) or has_param(body, SIGNATURE)):
            # Ours go in the query; a second copy in the body would be a duplicate parameter.
            raise InvalidInput(
                "timestamp and signature are added by the signer; remove them from the body"
            )
        timestamp = _pinned(request)
        if timestamp is None:
            timestamp = self._clock.now_ms()
        original = request.url.query
        query = unsigned_query(
            original, body, timestamp_ms=timestamp, default_recv_window=self._recv_window
        )
        signature = self._key.sign(total_params(query, body))
        if not self._key.signature_is_url_safe:
            signature = url_safe_signature(signature)
        request.url = with_query(request.url, signed_query(query, signature))
        request.headers[API_KEY_HEADER] = self._api_key
        added = self._recv_window is not None and not _carries_recv_window(original, body)
        request.extensions[SIGNED] = Stamp(timestamp, self._recv_window if added else None)

    def __repr__(self) -> str:
        return (
            f"BinanceAuth(api_key={mask_api_key(self._api_key)!r}, key={self._key!r}, "
            f"clock={self._clock!r}, recv_window={self._recv_window!r})"
        )


def _pinned(request: httpx.Request) -> int | None:
    pinned = request.extensions.get(PINNED_TIMESTAMP)
    if pinned is None:
        return None
    if not isinstance(pinned, int) or isinstance(pinned, bool) or pinned <= 0:
        raise InvalidInput(f"a pinned timestamp must be a positive int of ms, not {pinned!r}")
    return pinned


def _carries_recv_window(query: bytes, body: bytes) -> bool:
    return has_param(query, RECV_WINDOW) or bool(body) and has_param(body, RECV_WINDOW)
