"""A typical ASGI stack answering every request with the constant repay result: uvicorn with its
httptools parser (and uvloop when installed), a bare ASGI app, no framework.

Section 1 runs the clients against it as well as against the hand-written `constant_server`, so
that their ranking is not an artifact of one server's way of answering. Two framings of the same
answer (`{"tranId":1}` plus `X-MBX-USED-WEIGHT-1M`), chosen with ``--framing``:

- ``content-length``: one ``http.response.body`` message after a ``Content-Length`` header;
- ``chunked``: no ``Content-Length``, the body sent as a first message with ``more_body`` and an
  empty last one, so uvicorn frames it with ``Transfer-Encoding: chunked``.

Idle keep-alive connections are kept for as long as the process lives (uvicorn's default closes
them after 5 s), as the constant server does. The socket is bound and listening before
``PORT <n>`` is printed on stdout, so the first connection waits in the backlog until uvicorn
accepts it. The process ends by itself after ``--max-seconds`` or when its parent is gone.
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from benchmarks import loopback_guard, watchdog

FRAMINGS = ("content-length", "chunked")
BODY = b'{"tranId":1}'

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def missing() -> str | None:
    """None if this server can run here, else why not (httptools is what makes it typical)."""
    try:
        import httptools  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        return f"needs uvicorn + httptools: {error}"
    return None


def create_app(framing: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    headers = [(b"content-type", b"application/json"), (b"x-mbx-used-weight-1m", b"100")]
    if framing == "content-length":
        headers.append((b"content-length", str(len(BODY)).encode()))
    chunked = framing == "chunked"

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off; nothing else is served
            return
        # Read (and drop) the request body, as a real endpoint would.
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False) and message["type"] == "http.request"
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        if chunked:
            await send({"type": "http.response.body", "body": BODY, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "http.response.body", "body": BODY})

    return app


def main(argv: list[str]) -> None:
    loopback_guard.install()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framing", choices=FRAMINGS, default="content-length")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    args = parser.parse_args(argv)
    watchdog.start(args.max_seconds)
    why_not = missing()
    if why_not:
        print(why_not, file=sys.stderr, flush=True)
        sys.exit(2)
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(1024)
    config = uvicorn.Config(
        create_app(args.framing),
        http="httptools",
        loop="auto",  # uvloop when installed, as `uvicorn[standard]` runs
        lifespan="off",
        access_log=False,
        log_level="warning",
        # Clients take turns: a connection waits for the other blocks of a round. uvicorn's
        # default would close it after 5 s idle and time a reconnect (or break http.client).
        timeout_keep_alive=int(args.max_seconds) + 60,
        timeout_graceful_shutdown=1,
    )
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


if __name__ == "__main__":
    main(sys.argv[1:])
