"""The ceiling for the sandbox: the same stack (Starlette on uvicorn, same uvicorn settings as
`python -m papi_sandbox`) answering the repay path with a constant result and nothing else.

Mirrors `papi_sandbox/serve.py`: a socket bound first, then
`uvicorn.Server(uvicorn.Config(app, http=..., log_level=..., timeout_graceful_shutdown=5))`
`.run(sockets=[sock])`, and the same "listening on" line. `http` is the HTTP/1.1 implementation
the sandbox picks (`papi_sandbox.deadlines.resolve_http`: httptools when installed, else h11),
here without the sandbox's slow-client deadlines, so both sides parse HTTP alike and the
deadlines count as the sandbox's own cost. If the sandbox's server settings change, change them
here too.
"""

from __future__ import annotations

import argparse
import socket
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from benchmarks import loopback_guard, watchdog
from benchmarks.profiled_main import run_profiled
from papi_sandbox.deadlines import resolve_http


def create_app() -> Starlette:
    async def repay_loan(request: Request) -> Response:
        return Response(
            b'{"tranId":1}',
            media_type="application/json",
            headers={"X-MBX-USED-WEIGHT-1M": "100"},
        )

    return Starlette(routes=[Route("/papi/v1/repayLoan", repay_loan, methods=["POST"])])


def main(argv: list[str]) -> None:
    loopback_guard.install()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--profile", metavar="PATH", help="write a pyinstrument text profile here")
    args = parser.parse_args(argv)
    watchdog.start(args.max_seconds)
    app = create_app()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    host, port = sock.getsockname()[:2]
    print(f"bare endpoint listening on http://{host}:{port}", flush=True)
    try:
        server = uvicorn.Server(
            uvicorn.Config(
                app, http=resolve_http(), log_level=args.log_level, timeout_graceful_shutdown=5
            )
        )
        run_profiled(lambda: server.run(sockets=[sock]), args.profile)
    finally:
        sock.close()


if __name__ == "__main__":
    main(sys.argv[1:])
