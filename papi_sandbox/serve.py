"""`papi-sandbox` / `python -m papi_sandbox` [--accounts FILE] [--port 8000] [--db PATH] ...

Without --accounts it serves the shipped demo accounts (FAKE keys) and says so on stderr. A
start that cannot work prints one line, `papi_sandbox: error: ...`, on stderr and exits with
EXIT_ACCOUNTS, EXIT_DATABASE or EXIT_LISTEN (argparse's usage errors keep their 2; without the
sandbox extra both commands exit 6 with one line, see `command`).

--admin on a --host that is not loopback is refused unless --admin-beyond-loopback is given,
and then admin requests need a token (from --admin-token-file or $PAPI_SANDBOX_ADMIN_TOKEN).
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
from papi_sandbox.demo import DEMO_ACCOUNTS_FILE, announcement

ENV_ADMIN_TOKEN = "PAPI_SANDBOX_ADMIN_TOKEN"  # noqa: S105 (the name of a variable)
EXIT_ACCOUNTS = 3  # the accounts file is missing, unreadable or invalid
EXIT_DATABASE = 4  # the --db ledger cannot be opened or is not a sandbox ledger
EXIT_LISTEN = 5  # cannot listen on --host/--port (in use, not an address of this host, ...)


class StartupError(Exception):
    def __init__(self, exit_code: int, message: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code


LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")


def parse_args(argv: list[str] | None = None, prog: str = "papi-sandbox") -> argparse.Namespace:
    parser = build_parser(prog)
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


def build_parser(prog: str = "papi-sandbox") -> argparse.ArgumentParser:
    defaults = SandboxConfig()
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A local sandbox of Binance Portfolio Margin's repay endpoints "
        "(POST /papi/v1/repayLoan and the loan lifecycle around it): signatures, clock window, "
        "ledger, weights, 429/418 and faults on demand. Nothing here talks to Binance.",
        epilog="The first line on stdout is 'papi_sandbox listening on http://HOST:PORT'. "
        "Exit codes: 2 bad usage, 3 accounts file unusable, 4 --db unusable, 5 cannot listen, "
        "6 the sandbox extra is not installed. Accounts file format, faults and admin API: "
        "papi_sandbox/README.md.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s; keep it on loopback)",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port (default: %(default)s; 0 picks a free one)"
    )
    parser.add_argument(
        "--accounts",
        type=Path,
        metavar="FILE",
        help="YAML or JSON accounts file (default: the shipped demo accounts, with FAKE "
        "keys; the start-up lines say where their keys are)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="SQLite file keeping the ledger across restarts (default: in memory)",
    )
    parser.add_argument(
        "--admin",
        action="store_true",
        help="serve the admin API under /sandbox-admin/ (JSON to a loopback host only; "
        "default: off)",
    )
    parser.add_argument(
        "--admin-beyond-loopback",
        action="store_true",
        help="with --admin and a --host that is not loopback: serve /sandbox-admin/ to "
        f"requests that carry the token (${ENV_ADMIN_TOKEN} or --admin-token-file; "
        "default: off)",
    )
    parser.add_argument(
        "--admin-token-file",
        type=Path,
        metavar="FILE",
        help="a file holding the token admin requests must send as 'Authorization: Bearer "
        f"TOKEN' (default: ${ENV_ADMIN_TOKEN}, if set)",
    )
    parser.add_argument(
        "--weight-limit",
        type=int,
        default=defaults.weight_limit,
        metavar="N",
        help="request weight allowed per IP per window (default: %(default)s, Binance's)",
    )
    parser.add_argument(
        "--window-seconds",
        type=float,
        default=defaults.window_seconds,
        metavar="S",
        help="the rate-limit window (default: %(default)g)",
    )
    parser.add_argument(
        "--ban-after",
        type=int,
        default=defaults.ban_after_rejections,
        metavar="N",
        help="429s in a row before the next one is a 418 ban (default: %(default)s)",
    )
    parser.add_argument(
        "--ban-seconds",
        type=float,
        default=defaults.ban_seconds,
        metavar="S",
        help="how long a ban lasts (default: %(default)g)",
    )
    parser.add_argument(
        "--clock-offset-ms",
        type=int,
        default=defaults.clock_offset_ms,
        metavar="MS",
        help="the server's clock runs MS ahead of this machine's (negative: behind; "
        "default: %(default)s)",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=defaults.header_timeout,
        metavar="S",
        help="seconds a client has to send a request's head (default: %(default)g)",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=defaults.body_timeout,
        metavar="S",
        help="seconds a client has to send a request's body once its head arrived "
        "(default: %(default)g)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=LOG_LEVELS,
        help="uvicorn's log level (default: %(default)s)",
    )
    return parser


def _config(args: argparse.Namespace) -> SandboxConfig:
    return SandboxConfig(
        accounts_file=args.accounts or DEMO_ACCOUNTS_FILE,
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


def main(argv: list[str] | None = None, prog: str = "papi-sandbox") -> None:
    args = parse_args(argv, prog)
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
    if args.accounts is None:
        print(announcement(), file=sys.stderr, flush=True)
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
