"""python -m papi_sandbox --accounts FILE [--port 8000] [--db PATH] [--admin] ..."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

import uvicorn

from papi_sandbox.app import create_app
from papi_sandbox.config import SandboxConfig


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    defaults = SandboxConfig()
    parser = argparse.ArgumentParser(
        prog="python -m papi_sandbox",
        description="Local sandbox of Binance Portfolio Margin POST /papi/v1/repayLoan.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--accounts", type=Path, help="YAML or JSON accounts file")
    parser.add_argument("--db", type=Path, help="SQLite file keeping the ledger across restarts")
    parser.add_argument("--admin", action="store_true", help="serve /sandbox-admin/")
    parser.add_argument("--weight-limit", type=int, default=defaults.weight_limit)
    parser.add_argument("--window-seconds", type=float, default=defaults.window_seconds)
    parser.add_argument("--ban-after", type=int, default=defaults.ban_after_rejections)
    parser.add_argument("--ban-seconds", type=float, default=defaults.ban_seconds)
    parser.add_argument("--clock-offset-ms", type=int, default=defaults.clock_offset_ms)
    parser.add_argument("--log-level", default="info")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = SandboxConfig(
        accounts_file=args.accounts,
        db_path=args.db,
        enable_admin=args.admin,
        weight_limit=args.weight_limit,
        window_seconds=args.window_seconds,
        ban_after_rejections=args.ban_after,
        ban_seconds=args.ban_seconds,
        clock_offset_ms=args.clock_offset_ms,
    )
    app = create_app(config)
    # Bind and listen first: --port 0 works, and the announced address accepts connections
    # at once (they wait in the backlog until uvicorn serves them).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    host, port = sock.getsockname()[:2]
    print(f"papi_sandbox listening on http://{host}:{port}", flush=True)
    try:
        server = uvicorn.Server(
            uvicorn.Config(app, log_level=args.log_level, timeout_graceful_shutdown=5)
        )
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.sandbox.close()


if __name__ == "__main__":
    main(sys.argv[1:])
