"""One call from a base URL and credentials to a ready, signing generated client.

About the generated `AuthenticatedClient`'s own header: it always adds
`{auth_header_name}: {prefix} {token}` to the client's default headers (by default
`Authorization: Bearer <token>`). We point that mechanism at `X-MBX-APIKEY` with an empty prefix
and an empty token, so no `Authorization` header exists at all and the client's fields and repr
hold nothing secret; `BinanceAuth` then writes the real API key into `X-MBX-APIKEY` on every
request it signs. Binance does not look at `Authorization`, so nothing is lost.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from auth_plugin.auth import API_KEY_HEADER, BinanceAuth
from auth_plugin.clock import Clock
from auth_plugin.credentials import Credentials, resolve_credentials
from auth_plugin.errors import InvalidInput

if TYPE_CHECKING:
    from papi_repay_client import AuthenticatedClient

DEFAULT_CONNECT_TIMEOUT = 3.0
DEFAULT_READ_TIMEOUT = 10.0

# Set by AuthenticatedClient itself; passing them again through httpx_args would either clash
# (TypeError from httpx) or silently replace our signer.
_RESERVED_HTTPX_ARGS = frozenset(
    {"auth", "base_url", "cookies", "headers", "timeout", "verify", "follow_redirects"}
)


def trading_timeout(
    connect: float = DEFAULT_CONNECT_TIMEOUT, read: float = DEFAULT_READ_TIMEOUT
) -> httpx.Timeout:
    """Timeouts for order-path calls: fail fast on connect, wait for a matching engine's answer.

    A read timeout after the request was sent leaves a repay's outcome unknown, so `read` is
    generous; `write` follows `read`, and waiting for a pooled connection is a connect.
    """
    return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


def build_client(
    base_url: str,
    credentials: Credentials | None = None,
    *,
    api_key: str | None = None,
    api_secret: str | None = None,
    private_key_path: str | os.PathLike[str] | None = None,
    private_key_passphrase: str | None = None,
    clock: Clock | None = None,
    recv_window: int | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    httpx_args: Mapping[str, Any] | None = None,
    allow_insecure_http: bool = False,
    env: Mapping[str, str] | None = None,
) -> AuthenticatedClient:
    """A generated `AuthenticatedClient` for `base_url` that signs every request.

    Credentials: `credentials`, else the keyword arguments, else environment variables
    (see `resolve_credentials`). `raise_on_unexpected_status` is on. `httpx_args` may add e.g.
    a `transport`, but not the arguments the client sets itself. Plain `http://` is accepted
    only for loopback hosts (the sandbox) unless `allow_insecure_http` is set, because the API
    key header would cross the network in clear.
    """
    # Imports the generated package, so only when a client is made.
    from auth_plugin.query_folding import SigningClient

    _check_base_url(base_url, allow_insecure_http=allow_insecure_http)
    if credentials is None:
        credentials = resolve_credentials(
            api_key=api_key,
            api_secret=api_secret,
            private_key_path=private_key_path,
            private_key_passphrase=private_key_passphrase,
            env=env,
        )
    extra = dict(httpx_args or {})
    reserved = _RESERVED_HTTPX_ARGS.intersection(extra)
    if reserved:
        raise InvalidInput(f"httpx_args may not set {', '.join(sorted(reserved))}")
    auth = BinanceAuth(credentials.api_key, credentials.key, clock=clock, recv_window=recv_window)
    return SigningClient(
        base_url=base_url,
        token="",
        prefix="",
        auth_header_name=API_KEY_HEADER,
        timeout=trading_timeout(connect_timeout, read_timeout),
        raise_on_unexpected_status=True,
        httpx_args={**extra, "auth": auth},
    )


def _check_base_url(base_url: str, *, allow_insecure_http: bool) -> None:
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as exc:
        raise InvalidInput(f"base_url {base_url!r} is not a valid URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise InvalidInput(f"base_url {base_url!r} must be an absolute http(s) URL")
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise InvalidInput(
            f"base_url {base_url!r} uses plain http to a non-loopback host; use https "
            "(or allow_insecure_http=True for a trusted network)"
        )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
