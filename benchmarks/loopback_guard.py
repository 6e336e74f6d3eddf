"""Refuse every network connection that does not go to the loopback interface.

The public clients default to the real Binance hosts: a benchmark must never reach them, even
through a mistake in pointing a client at the local server, so every benchmark process installs
this guard before it imports any client. Plain parsing, not `ipaddress`: the start-up section
runs the guard in every timed process.
"""

from __future__ import annotations

import socket
from typing import Any


class NonLoopbackConnectionRefused(RuntimeError):
    """A benchmark tried to reach a host other than the loopback interface."""


def is_loopback(host: object) -> bool:
    """Whether `host` (a name or an address literal) is the loopback interface."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host in ("localhost", "127.0.0.1", "::1"):
        return True
    try:
        return socket.inet_pton(socket.AF_INET, host)[0] == 127
    except OSError:
        pass
    try:
        packed = socket.inet_pton(socket.AF_INET6, host.split("%", 1)[0])
    except OSError:
        return False
    mapped = packed[:12] == bytes(10) + b"\xff\xff" and packed[12] == 127  # ::ffff:127.x.y.z
    return packed == bytes(15) + b"\x01" or mapped


def require_loopback_url(url: str) -> None:
    """Refuse a base URL whose host is not loopback (for code paths the patches don't see)."""
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1]
    host = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0]
    if not is_loopback(host):
        raise NonLoopbackConnectionRefused(f"benchmarks only talk to loopback, not {url!r}")


def install() -> None:
    """Patch name resolution and socket connects; idempotent."""
    if getattr(socket.getaddrinfo, "loopback_guard", False):
        return
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # Resolving a public name is already traffic (DNS): refuse it before it happens.
        if host is not None and not is_loopback(host):
            raise NonLoopbackConnectionRefused(f"benchmarks do not resolve {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def check(sock: socket.socket, address: Any) -> None:
        inet = sock.family in (socket.AF_INET, socket.AF_INET6)
        if inet and isinstance(address, tuple) and not is_loopback(address[0]):
            raise NonLoopbackConnectionRefused(f"benchmarks only talk to loopback: {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return real_connect_ex(self, address)

    getaddrinfo.loopback_guard = True  # type: ignore[attr-defined]
    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
