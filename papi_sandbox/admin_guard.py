"""Who may use the admin API: nothing a web page in a developer's browser can send.

A browser sends a cross-site POST without asking first only with a "simple" content type
(text/plain or a form); `application/json` needs a CORS preflight, which the sandbox never
grants (OPTIONS is a 405 without CORS headers). A DNS-rebinding page reaches 127.0.0.1 under
its own host name, which its Host header shows. So an admin request is refused (403, before its
body is read or anything changes) when:

- it is a POST or PUT whose Content-Type is not `application/json` (even with no body);
- its Host, or its Origin if it has one, is not loopback (`localhost`, 127.0.0.0/8, ::1),
  unless the admin API was opened beyond loopback on purpose (`admin_beyond_loopback`);
- a token is configured and its `Authorization` is not `Bearer <token>`.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from starlette.requests import Request

from papi_sandbox.config import SandboxConfig

JSON = "application/json"
BODY_METHODS = frozenset({"POST", "PUT"})


def is_loopback(host: str | None) -> bool:
    """Whether `host` (a name or an address, IPv6 without brackets) is this machine only."""
    if not host:
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refusal(request: Request, config: SandboxConfig) -> str | None:
    """Why `request` may not use the admin API, or None if it may."""
    headers = request.headers
    if request.method in BODY_METHODS:
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != JSON:
            return f"admin {request.method} requests must be sent as {JSON} (even with no body)"
    if not config.admin_beyond_loopback:
        if not is_loopback(_hostname("//" + headers.get("host", ""))):
            return "the admin API answers only requests to a loopback Host"
        origin = headers.get("origin")
        if origin is not None and not is_loopback(_hostname(origin)):
            return "the admin API answers only requests from a loopback Origin"
    if config.admin_token is not None:
        scheme, _, given = headers.get("authorization", "").partition(" ")
        expected = config.admin_token.encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected):
            return "the admin API needs the header Authorization: Bearer <token>"
    return None


def _hostname(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None
