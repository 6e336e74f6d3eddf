"""A tiny HTTP/1.1 keep-alive server that answers every request with the same repay result.

It runs in its own process (``python -m benchmarks.constant_server``) so that the server costs
every client the same and does not share the client's interpreter. It understands just enough
HTTP/1.1 for the clients under test: a request line, headers, a ``Content-Length`` body,
pipelining and ``Connection: close``.

With ``--verify KEY:SECRET`` it also checks each request as Binance would (API-key header, HMAC
over query string + body, required params) and answers -1022 / -2014 / -1102 when it is wrong;
``GET /__bench/stats`` returns how many requests passed and failed. The benchmarks use that mode
once per client before measuring, so every client is timed sending a request Binance would accept.

On start it prints ``PORT <n>`` on stdout; it exits by itself after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import socket
import sys
from urllib.parse import parse_qsl

from benchmarks import loopback_guard, watchdog

OK_BODY = b'{"tranId":1}'
OK_RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: " + str(len(OK_BODY)).encode() + b"\r\n"
    b"X-MBX-USED-WEIGHT-1M: 100\r\n"
    b"\r\n" + OK_BODY
)
_MAX_HEAD = 64 * 1024


def _response(status: int, reason: str, body: bytes, *, close: bool = False) -> bytes:
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-MBX-USED-WEIGHT-1M: 100\r\n"
    )
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + body


def _error(code: int, msg: str, status: int = 400) -> bytes:
    return _response(status, "Error", json.dumps({"code": code, "msg": msg}).encode())


class Verifier:
    """Checks a request the way Binance checks a SIGNED call; counts the outcomes."""

    def __init__(self, api_key: str, secret: str) -> None:
        self._api_key = api_key
        self._secret = secret.encode()
        self.passed = 0
        self.failed = 0
        self.last_failure = ""

    def check(self, target: str, headers: dict[str, str], body: bytes) -> bytes:
        answer = self._answer(target, headers, body)
        if answer is OK_RESPONSE:
            self.passed += 1
        else:
            self.failed += 1
            self.last_failure = f"{target} body={body!r} -> {answer[-120:]!r}"
        return answer

    def _answer(self, target: str, headers: dict[str, str], body: bytes) -> bytes:
        if headers.get("x-mbx-apikey") != self._api_key:
            return _error(-2014, "API-key format invalid.", 401)
        query = target.partition("?")[2]
        form = body.decode("ascii", "replace")
        if form and "application/x-www-form-urlencoded" not in headers.get("content-type", ""):
            return _error(-1102, "body is not a form")
        signature, unsigned_query, unsigned_form = None, query, form
        for part_name in ("query", "form"):
            text = query if part_name == "query" else form
            head, sep, tail = text.rpartition("signature=")
            if sep and (head == "" or head.endswith("&")) and "&" not in tail:
                signature = tail
                stripped = head[:-1] if head.endswith("&") else head
                if part_name == "query":
                    unsigned_query = stripped
                else:
                    unsigned_form = stripped
        if signature is None:
            return _error(-1102, "Mandatory parameter 'signature' was not sent.")
        expected = hmac.new(
            self._secret, (unsigned_query + unsigned_form).encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, signature.lower()):
            return _error(-1022, "Signature for this request is not valid.")
        params = dict(parse_qsl(unsigned_form)) | dict(parse_qsl(unsigned_query))
        for name in ("asset", "amount", "timestamp"):
            if not params.get(name):
                return _error(-1102, f"Mandatory parameter '{name}' was not sent.")
        return OK_RESPONSE

    def stats(self) -> bytes:
        body = json.dumps(
            {"passed": self.passed, "failed": self.failed, "last_failure": self.last_failure}
        ).encode()
        return _response(200, "OK", body)


class ConstantAnswer(asyncio.Protocol):
    """One connection: parse requests as they arrive, answer each in order."""

    def __init__(self, verifier: Verifier | None) -> None:
        self._verifier = verifier
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        out = []
        close = False
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    out.append(_response(431, "Too Large", b"{}", close=True))
                    close = True
                break
            head = self._buffer[:end].decode("latin-1")
            lines = head.split("\r\n")
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", "").lower():
                out.append(_response(501, "Not Implemented", b"{}", close=True))
                close = True
                break
            length = int(headers.get("content-length", "0") or 0)
            if len(self._buffer) < end + 4 + length:
                break
            body = self._buffer[end + 4 : end + 4 + length]
            self._buffer = self._buffer[end + 4 + length :]
            out.append(self._answer(lines[0], headers, body))
            if headers.get("connection", "").lower() == "close":
                close = True
                break
        if out and self._transport is not None:
            self._transport.write(b"".join(out) if len(out) > 1 else out[0])
        if close and self._transport is not None:
            self._transport.close()

    def _answer(self, request_line: str, headers: dict[str, str], body: bytes) -> bytes:
        if self._verifier is None:
            return OK_RESPONSE
        target = request_line.split(" ")[1] if " " in request_line else "/"
        if target.startswith("/__bench/stats"):
            return self._verifier.stats()
        return self._verifier.check(target, headers, body)


async def serve(sock: socket.socket, verifier: Verifier | None, max_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: ConstantAnswer(verifier), sock=sock, backlog=1024)
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    try:
        await asyncio.sleep(max_seconds)
    finally:
        server.close()


def main(argv: list[str] | None = None) -> None:
    loopback_guard.install()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--verify", metavar="KEY:SECRET", default=None)
    parser.add_argument("--no-uvloop", action="store_true", help="plain asyncio loop")
    args = parser.parse_args(argv)
    watchdog.start(args.max_seconds + 5)
    verifier = None
    if args.verify:
        key, _, secret = args.verify.partition(":")
        verifier = Verifier(key, secret)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    run = asyncio.run
    if not args.no_uvloop:
        try:
            import uvloop

            run = uvloop.run
        except ImportError:
            pass
    with contextlib.suppress(KeyboardInterrupt):
        run(serve(sock, verifier, args.max_seconds))
    sys.exit(0)


if __name__ == "__main__":
    main()
