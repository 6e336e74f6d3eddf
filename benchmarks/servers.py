"""The loopback servers the sections measure against, each run in its own process:
`python -m benchmarks.servers KIND [--max-seconds S] ...`, announcing `PORT <n>` on stdout (the
sandbox: its own `listening on http://HOST:PORT` line) and ending by itself after
`--max-seconds` or once its parent is gone. Every answer to a repay is `{"tranId":N}` (N counting
up: the safety layer refuses a tranId given to two sends) with `X-MBX-USED-WEIGHT-1M`.

- `constant`: hand-written HTTP/1.1 keep-alive on asyncio + uvloop, the cheapest answer, so the
  clients' own costs dominate. With `--verify KEY:SECRET` it checks each request as Binance
  checks a SIGNED call (API key, HMAC over query + body, asset/amount/timestamp) and counts the
  outcomes (`GET /__bench/stats`): every client is verified once before it is timed.
- `asgi --framing content-length|chunked`: uvicorn + httptools + uvloop and a bare ASGI app, a
  typical stack, so that a ranking is not an artifact of one hand-written server.
- `starlette`: the sandbox's ceiling, the same stack as `python -m papi_sandbox` (Starlette on
  uvicorn, same HTTP implementation) with one constant route and nothing else.
- `sandbox -- ARGS`: the real `papi_sandbox.serve.main(ARGS)`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from benchmarks import loopback_guard

BODY = b'{"tranId":1}'


def _response(status: int, body: bytes, *, close: bool = False) -> bytes:
    head = (
        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\nContent-Type: "
        f"application/json\r\nContent-Length: {len(body)}\r\nX-MBX-USED-WEIGHT-1M: 100\r\n"
    )
    return (head + ("Connection: close\r\n" if close else "") + "\r\n").encode() + body


def _ok(tran_ids: Iterator[int]) -> bytes:
    """A repay's answer with the next tranId: the safety layer refuses a tranId given twice."""
    return _response(200, b'{"tranId":%d}' % next(tran_ids))


def watchdog(max_seconds: float) -> None:
    """End this process after `max_seconds`, or once its parent is gone."""
    parent, deadline = os.getppid(), time.monotonic() + max_seconds

    def watch() -> None:
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


class Verifier:
    """Checks a request the way Binance checks a SIGNED call; counts the outcomes."""

    def __init__(self, api_key: str, secret: str, tran_ids: Iterator[int]) -> None:
        self.api_key, self.secret, self.tran_ids = api_key, secret.encode(), tran_ids
        self.passed = self.failed = 0
        self.last_failure = ""

    def check(self, target: str, headers: dict[str, str], body: bytes) -> bytes:
        why = self._why_not(target.partition("?")[2], headers, body.decode("ascii", "replace"))
        if why is None:
            self.passed += 1
            return _ok(self.tran_ids)
        self.failed += 1
        self.last_failure = f"{target} body={body!r}: {why}"
        return _response(400, json.dumps({"code": -1022, "msg": why}).encode())

    def _why_not(self, query: str, headers: dict[str, str], form: str) -> str | None:
        if headers.get("x-mbx-apikey") != self.api_key:
            return "API-key format invalid."
        if form and "application/x-www-form-urlencoded" not in headers.get("content-type", ""):
            return "body is not a form"
        signature = None
        parts = {"query": query, "form": form}
        for name, text in parts.items():  # `signature=` must be the last parameter of one part
            head, sep, tail = text.rpartition("signature=")
            if sep and (head == "" or head.endswith("&")) and "&" not in tail:
                signature, parts[name] = tail, head.removesuffix("&")
        if signature is None:
            return "Mandatory parameter 'signature' was not sent."
        payload = (parts["query"] + parts["form"]).encode()
        if not hmac.compare_digest(
            hmac.new(self.secret, payload, hashlib.sha256).hexdigest(), signature.lower()
        ):
            return "Signature for this request is not valid."
        params = dict(parse_qsl(parts["form"])) | dict(parse_qsl(parts["query"]))
        missing = [name for name in ("asset", "amount", "timestamp") if not params.get(name)]
        return f"Mandatory parameter '{missing[0]}' was not sent." if missing else None

    def stats(self) -> bytes:
        counts = {"passed": self.passed, "failed": self.failed, "last_failure": self.last_failure}
        return _response(200, json.dumps(counts).encode())


class ConstantAnswer(asyncio.Protocol):
    """One connection: parse requests as they arrive (Content-Length bodies, pipelining,
    `Connection: close`), answer each in order."""

    def __init__(self, verifier: Verifier | None, tran_ids: Iterator[int]) -> None:
        self.verifier, self.tran_ids = verifier, tran_ids
        self.buffer = b""
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        out, close = [], False
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if "chunked" in headers.get("transfer-encoding", "").lower():
                out.append(_response(501, b"{}", close=True))
                close = True
                break
            if len(self.buffer) < end + 4 + length:
                break
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            target = lines[0].split(" ")[1] if " " in lines[0] else "/"
            if self.verifier is None:
                out.append(_ok(self.tran_ids))
            elif target.startswith("/__bench/stats"):
                out.append(self.verifier.stats())
            else:
                out.append(self.verifier.check(target, headers, body))
            if headers.get("connection", "").lower() == "close":
                close = True
                break
        if out:
            self.transport.write(b"".join(out))
        if close:
            self.transport.close()


def _constant(args: argparse.Namespace, sock: socket.socket) -> None:
    tran_ids = itertools.count(1)
    verifier = Verifier(*args.verify.split(":", 1), tran_ids) if args.verify else None

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        protocol = lambda: ConstantAnswer(verifier, tran_ids)  # noqa: E731
        server = await loop.create_server(protocol, sock=sock, backlog=1024)
        print(f"PORT {sock.getsockname()[1]}", flush=True)
        async with server:
            await asyncio.sleep(args.max_seconds)

    try:
        import uvloop

        run: Callable[[Any], object] = uvloop.run
    except ImportError:
        run = asyncio.run
    with contextlib.suppress(KeyboardInterrupt):
        run(serve())


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def asgi_app(framing: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """`content-length`: one body message after a Content-Length header; `chunked`: no
    Content-Length, the body as a first message with more_body and an empty last one."""
    headers = [(b"content-type", b"application/json"), (b"x-mbx-used-weight-1m", b"100")]
    chunked, tran_ids = framing == "chunked", itertools.count(1)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):  # read (and drop) the body, as an endpoint
            pass
        body = b'{"tranId":%d}' % next(tran_ids)
        length = [] if chunked else [(b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers + length})
        await send({"type": "http.response.body", "body": body, "more_body": chunked})
        if chunked:
            await send({"type": "http.response.body", "body": b""})

    return app


def _uvicorn(app: Any, sock: socket.socket, **options: Any) -> None:
    import uvicorn

    print(f"PORT {sock.getsockname()[1]}", flush=True)
    options = {"lifespan": "off", "log_level": "warning", "timeout_graceful_shutdown": 1} | options
    uvicorn.Server(uvicorn.Config(app, **options)).run(sockets=[sock])


def _starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def repay_loan(request: Any) -> Response:
        headers = {"X-MBX-USED-WEIGHT-1M": "100"}
        return Response(BODY, media_type="application/json", headers=headers)

    return Starlette(routes=[Route("/papi/v1/repayLoan", repay_loan, methods=["POST"])])


def main(argv: list[str]) -> None:
    loopback_guard.install()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.servers")
    parser.add_argument("kind", choices=("constant", "asgi", "starlette", "sandbox"))
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--verify", metavar="KEY:SECRET", help="constant: check every request")
    parser.add_argument("--framing", choices=("content-length", "chunked"))
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    watchdog(args.max_seconds + 5)
    if args.kind == "sandbox":
        from papi_sandbox.serve import main as sandbox_main

        sandbox_main(argv[cut + 1 :])
        return
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    # Idle kept-alive connections live as long as the process: clients wait for each other's
    # turns, and a server closing a connection would time a reconnect.
    keep_alive = int(args.max_seconds) + 60
    if args.kind == "constant":
        _constant(args, sock)
    elif args.kind == "asgi":
        app = asgi_app(args.framing or "content-length")
        _uvicorn(app, sock, http="httptools", loop="auto", timeout_keep_alive=keep_alive)
    else:  # the sandbox's uvicorn settings (papi_sandbox.serve), without its deadlines
        from papi_sandbox.deadlines import IDLE_KEEP_ALIVE, resolve_http

        options = {"lifespan": "auto", "timeout_graceful_shutdown": 5, "http": resolve_http()}
        _uvicorn(_starlette_app(), sock, timeout_keep_alive=IDLE_KEEP_ALIVE, **options)


if __name__ == "__main__":
    main(sys.argv[1:])
