"""A closed-loop HTTP/1.1 load generator, run in its own process by the sandbox-capacity section.

`--concurrency` keep-alive connections each send one repay, wait for the whole answer, and send
the next, until `--requests` answers have arrived or `--max-seconds` have passed. Every request
gets a fresh timestamp and HMAC signature (`--sign KEY:SECRET`) the moment it is sent. The
HTTP is written by hand on asyncio streams (uvloop when installed) so that the generator costs
far less per request than the servers it measures.

Prints one JSON line: completed requests, statuses seen, wall seconds, latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

from benchmarks import loopback_guard
from benchmarks.clients import FIXED_QUERY
from benchmarks.common import percentile
from benchmarks.servers import watchdog


def request_maker(host: str, api_key: str, secret: str) -> Callable[[], bytes]:
    """A repay request, freshly signed at each call."""
    tail = f" HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nX-MBX-APIKEY: {api_key}\r\n\r\n"

    def make() -> bytes:
        query = FIXED_QUERY + str(time.time_ns() // 1_000_000)
        signature = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
        return f"POST /papi/v1/repayLoan?{query}&signature={signature}{tail}".encode()

    return make


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the server will close the connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    close = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
        elif name == "transfer-encoding":
            raise RuntimeError("chunked answers are not supported by this generator")
    if length:
        await reader.readexactly(length)
    return status, close


async def _run(
    url: str, concurrency: int, requests: int, max_seconds: float, make: Callable[[], bytes]
) -> dict[str, object]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    remaining = requests
    latencies: list[int] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    deadline = time.perf_counter() + max_seconds

    async def connection() -> None:
        nonlocal remaining
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                t0 = time.perf_counter_ns()
                writer.write(make())
                try:
                    status, close = await _read_answer(reader)
                except (asyncio.IncompleteReadError, ConnectionError) as error:
                    errors[type(error).__name__] += 1
                    return
                latencies.append(time.perf_counter_ns() - t0)
                statuses[status] += 1
                if close:
                    errors["server closed the connection"] += 1
                    return
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return {
        "completed": len(latencies),
        "seconds": seconds,
        "per_second": len(latencies) / seconds if seconds else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": dict(errors),
        "p50_ms": percentile([ns / 1e6 for ns in latencies], 50) if latencies else None,
        "p99_ms": percentile([ns / 1e6 for ns in latencies], 99) if latencies else None,
    }


def main(argv: list[str] | None = None) -> None:
    loopback_guard.install()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="base URL, loopback only")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--sign", metavar="KEY:SECRET", required=True)
    args = parser.parse_args(argv)
    # uvloop connects below Python's socket module, out of the guard's reach: check the URL too.
    loopback_guard.require_loopback_url(args.url)
    watchdog(args.max_seconds + 30)
    make = request_maker(urlsplit(args.url).netloc, *args.sign.split(":", 1))
    try:
        from uvloop import run
    except ImportError:
        from asyncio import run
    result = run(_run(args.url, args.concurrency, args.requests, args.max_seconds, make))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
