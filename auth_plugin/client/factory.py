"""One call from a base URL and credentials to a ready, signing generated client.

The generated `AuthenticatedClient` is handed its httpx clients through its public
`set_httpx_client` / `set_async_httpx_client`: they carry our signer (`BinanceAuth`, which
writes the API key into `X-MBX-APIKEY`) and fold the query into the URL (`query_folding`). The
generated class's own token header is never used: its token is empty and no `Authorization`
header exists, so neither its fields nor its repr hold anything secret.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from auth_plugin.client.defaults import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT
from auth_plugin.signer.api_key import API_KEY_HEADER
from auth_plugin.signer.auth import BinanceAuth
from auth_plugin.signer.clock import Clock
from auth_plugin.signer.credentials import Credentials
from auth_plugin.signer.errors import InvalidInput

if TYPE_CHECKING:
    from papi_repay_client import AuthenticatedClient


# Set here; passing them again through httpx_args would either clash (TypeError from httpx)
# or silently replace our signer.
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


def prepare_client(
    base_url: str,
    credentials: Credentials,
    *,
    clock: Clock | None,
    recv_window: int | None,
    timeout: httpx.Timeout,
    httpx_args: Mapping[str, Any] | None,
    allow_insecure_http: bool = False,
) -> tuple[AuthenticatedClient, dict[str, Any]]:
    """The generated client, and the settings of the signing httpx client to give it through
    its public `set_httpx_client` / `set_async_httpx_client` (the caller picks the kind)."""
    from papi_repay_client import AuthenticatedClient

    check_url(base_url, allow_insecure_http=allow_insecure_http)
    extra = dict(httpx_args or {})
    reserved = _RESERVED_HTTPX_ARGS.intersection(extra)
    if reserved:
        raise InvalidInput(f"httpx_args may not set {', '.join(sorted(reserved))}")
    extra = without_proxy_for_loopback(base_url, extra)
    auth = BinanceAuth(credentials.api_key, credentials.key, clock=clock, recv_window=recv_window)
    generated = AuthenticatedClient(
        base_url=base_url,
        token="",
        prefix="",
        auth_header_name=API_KEY_HEADER,
        timeout=timeout,
        raise_on_unexpected_status=True,
    )
    settings = {**extra, "base_url": base_url, "timeout": timeout, "auth": auth}
    return generated, settings


def without_proxy_for_loopback(url: str, httpx_args: Mapping[str, Any]) -> dict[str, Any]:
    """`httpx_args` with `url`'s host, if loopback, mounted on the direct transport: a proxy
    (from HTTP_PROXY or ALL_PROXY, or `proxy=`) would get the API key and the signed request,
    in clear over plain http, and a local server is never behind one."""
    args = dict(httpx_args)
    host = httpx.URL(url).host
    if is_loopback_host(host):
        pattern = f"all://[{host}]" if ":" in host else f"all://{host}"
        args["mounts"] = {**args.get("mounts", {}), pattern: None}
    return args


def check_url(url: str, what: str = "base_url", *, allow_insecure_http: bool = False) -> None:
    """Refuse (InvalidInput) a base or time URL requests must not be sent to: not absolute
    http(s); with user info (`https://papi.binance.com@evil.example/` goes to evil.example), a
    query or a fragment (joined to a path, they garble it); plain http to a host that is not
    loopback, unless `allow_insecure_http`."""
    try:
        parsed = httpx.URL(url)
        netloc = urlsplit(url).netloc
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise InvalidInput(f"{what} {url!r:.100} is not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInput(f"{what} {url!r:.100} must be an absolute http(s) URL")
    if "@" in netloc:  # the URL is not shown: the part before "@" may be a password
        raise InvalidInput(
            f"{what} has user info before '@', so requests would go to {parsed.host!r}: give "
            "the host alone, e.g. https://papi.binance.com"
        )
    if "?" in url or "#" in url:
        raise InvalidInput(f"{what} {url!r:.100} must not have a query ('?') or fragment ('#')")
    if parsed.scheme == "http" and not allow_insecure_http and not is_loopback_host(parsed.host):
        raise InvalidInput(
            f"{what} {url!r:.100} uses plain http to a non-loopback host; use https "
            "(or allow_insecure_http=True for a trusted network)"
        )


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
