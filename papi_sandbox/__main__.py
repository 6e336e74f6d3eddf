"""python -m papi_sandbox --accounts FILE [--port 8000] [--db PATH] [--admin] ...

--admin on a --host that is not loopback is refused unless --admin-beyond-loopback is given,
and then admin requests need a token (from --admin-token-file or $PAPI_SANDBOX_ADMIN_TOKEN).

A start that cannot work prints one line, `papi_sandbox: error: ...`, on stderr and exits with
EXIT_ACCOUNTS, EXIT_DATABASE or EXIT_LISTEN (argparse's usage errors keep their 2; the
`papi-sandbox` command exits 6 when the sandbox extra is not installed, see `command`).
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import sys
from pathlib import Path

import uvicorn

from papi_sandbox.accounts import load_accounts_file
from papi_sandbox.admin_guard import is_loopback
from papi_sandbox.app import SandboxApp, create_app
from papi_sandbox.config import SandboxConfig
from papi_sandbox.deadlines import uvicorn_config

ENV_ADMIN_TOKEN = "PAPI_SANDBOX_ADMIN_TOKEN"  # noqa: S105 (the name of a variable)
EXIT_ACCOUNTS = 3  # the accounts file is missing, unreadable or invalid
EXIT_DATABASE = 4  # the --db ledger cannot be opened or is not a sandbox ledger
EXIT_LISTEN = 5  # cannot listen on --host/--port (in use, not an address of this host, ...)


class StartupError(Exception):
    def __init__(self, exit_code: int, message: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code


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
    parser.add_argument(
        "--admin-beyond-loopback",
        action="store_true",
        help="with --admin and a --host that is not loopback: serve /sandbox-admin/ to "
        f"requests that carry the token (${ENV_ADMIN_TOKEN} or --admin-token-file)",
    )
    parser.add_argument(
        "--admin-token-file",
        type=Path,
        metavar="FILE",
        help="a file holding the token admin requests must send as 'Authorization: Bearer "
        f"TOKEN' (else ${ENV_ADMIN_TOKEN}, if set)",
    )
    parser.add_argument("--weight-limit", type=int, default=defaults.weight_limit)
    parser.add_argument("--window-seconds", type=float, default=defaults.window_seconds)
    parser.add_argument("--ban-after", type=int, default=defaults.ban_after_rejections)
    parser.add_argument("--ban-seconds", type=float, default=defaults.ban_seconds)
    parser.add_argument("--clock-offset-ms", type=int, default=defaults.clock_offset_ms)
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=defaults.header_timeout,
        help="seconds a client has to send a request's head (request line and headers)",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=defaults.body_timeout,
        help="seconds a client has to send a request's body once its head arrived",
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    try:
        args.admin_token = _admin_token(args)
        if args.admin and not is_loopback(args.host) and not args.admin_beyond_loopback:
            raise ValueError(
                f"--admin with --host {args.host!r}, which is not loopback, would let anyone who "
                "reaches it change the sandbox: add --admin-beyond-loopback, with a token"
            )
        _config(args)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def _admin_token(args: argparse.Namespace) -> str | None:
    """The token from --admin-token-file, else the environment (its text is never shown)."""
    path: Path | None = args.admin_token_file
    if path is None:
        return os.environ.get(ENV_ADMIN_TOKEN) or None
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not ASCII text"
        raise ValueError(f"cannot read --admin-token-file {path}: {reason}") from None


def _config(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        accounts_file=args.accounts,
        db_path=args.db,
        enable_admin=args.admin,
        admin_token=args.admin_token,
        admin_beyond_loopback=args.admin_beyond_loopback,
        weight_limit=args.weight_limit,
        window_seconds=args.window_seconds,
        ban_after_rejections=args.ban_after,
        ban_seconds=args.ban_seconds,
        clock_offset_ms=args.clock_offset_ms,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
    )


def _reason(exc: BaseException) -> str:
    """The cause in one line: an OSError's text and file rather than its repr."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return " ".join(str(exc).split()) or type(exc).__name__


def _build_app(config: SandboxConfig) -> SandboxApp:
    if config.accounts_file is not None:
        # Read once up front so that its errors are told apart from the ledger's.
        try:
            load_accounts_file(config.accounts_file)
        except (OSError, ValueError) as exc:
            raise StartupError(EXIT_ACCOUNTS, f"cannot load accounts file: {_reason(exc)}") from exc
    try:
        return create_app(config)
    except (sqlite3.Error, OSError) as exc:
        raise StartupError(
            EXIT_DATABASE, f"cannot open ledger database {config.db_path}: {_reason(exc)}"
        ) from exc
    except ValueError as exc:  # e.g. the file's api key belongs to another account in --db
        raise StartupError(
            EXIT_ACCOUNTS, f"accounts do not fit the ledger {config.db_path}: {_reason(exc)}"
        ) from exc


def _listen(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise StartupError(EXIT_LISTEN, f"cannot listen on {host}:{port}: {_reason(exc)}") from exc
    return sock


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    config = _config(args)
    try:
        app = _build_app(config)
        try:
            # Bind and listen first: --port 0 works, and the announced address accepts
            # connections at once (they wait in the backlog until uvicorn serves them).
            sock = _listen(args.host, args.port)
        except StartupError:
            app.sandbox.close()
            raise
    except StartupError as exc:
        print(f"papi_sandbox: error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(exc.exit_code) from None
    host, port = sock.getsockname()[:2]
    print(f"papi_sandbox listening on http://{host}:{port}", flush=True)
    try:
        server = _uvicorn_server(app, config, args.log_level)
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.sandbox.close()


def _uvicorn_server(app: SandboxApp, config: SandboxConfig, log_level: str) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn_config(
            app,
            config.header_timeout,
            config.body_timeout,
            log_level=log_level,
            timeout_graceful_shutdown=5,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
