"""`papi-repay ASSET AMOUNT`: one Portfolio Margin repay from the command line.

Prints the tranId on success. On failure prints the reason (Binance code and message, or the
local reason) on stderr and exits with a code that says what happened (see EXIT_CODES_HELP).
After an unknown outcome it never resends: it checks the repay records and says what it found.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from enum import IntEnum
from typing import TextIO

from auth_plugin.client_factory import DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT
from auth_plugin.credentials import (
    ENV_API_KEY,
    ENV_API_SECRET,
    ENV_PRIVATE_KEY_PASSPHRASE,
    ENV_PRIVATE_KEY_PATH,
    resolve_credentials,
)
from auth_plugin.errors import (
    AuthError,
    Banned,
    BusinessRejection,
    ClockSyncError,
    ConnectionFailed,
    InvalidInput,
    InvalidRequest,
    KeyLoadError,
    OutcomeUnknown,
    PapiError,
    RateLimited,
    RequestRejected,
    ServiceUnavailable,
)
from auth_plugin.http_errors import redact
from auth_plugin.repay import PRODUCTION_BASE_URL, RepayClient, default_time_url
from auth_plugin.validation import canonical_amount, validate_asset, validate_recv_window

PROG = "papi-repay"


class ExitCode(IntEnum):
    OK = 0
    INTERNAL_ERROR = 1
    BAD_INPUT = 2
    CREDENTIALS = 3
    AUTH_REJECTED = 4
    INVALID_REQUEST = 5
    BUSINESS_REJECTED = 6
    RATE_LIMITED = 7
    BANNED = 8
    NOT_EXECUTED_UNAVAILABLE = 9
    UNKNOWN_EXECUTED = 10
    UNKNOWN_NOT_EXECUTED = 11
    UNKNOWN_UNRESOLVED = 12
    REJECTED_OTHER = 13


EXIT_CODES_HELP = """\
exit codes:
   0  repaid; the tranId is on stdout
   1  internal error (a bug: please report it)
   2  bad input (usage, asset, amount, recvWindow, URL): nothing was sent
   3  credentials missing or unusable: nothing was sent
   4  rejected: API key, signature or timestamp (-1021, -1022, -2014, -2015), or the
      clock could not be re-synced
   5  rejected: invalid request (-11xx)
   6  rejected by the account: -3xxx (exceeds the borrow, balance not enough, ...)
   7  rate limited (HTTP 429): not executed; wait Retry-After
   8  IP banned (HTTP 418): not executed; send nothing until Retry-After
   9  not executed: 503 "Service Unavailable." or no connection could be made
  10  outcome unknown; the repay records show it EXECUTED (txId on stderr)
  11  outcome unknown; the repay records show NO such repay (not executed)
  12  outcome unknown and the records could not be checked: check before repaying again
  13  rejected by the server for another reason (e.g. HTTP 403)
Only code 0 and 10 mean the repay happened. Codes 2-9 and 11 mean it did not.
"""

ENVIRONMENT_HELP = f"""\
environment:
  {ENV_API_KEY}                 the API key (required)
  {ENV_API_SECRET}              its HMAC secret, or
  {ENV_PRIVATE_KEY_PATH}        a PEM private key file (RSA or Ed25519)
  {ENV_PRIVATE_KEY_PASSPHRASE}  the key file's passphrase, if encrypted
"""

# Most specific first: the first class an error is an instance of decides.
_EXIT_BY_ERROR: tuple[tuple[type[PapiError], ExitCode], ...] = (
    (InvalidInput, ExitCode.BAD_INPUT),
    (KeyLoadError, ExitCode.CREDENTIALS),
    (ClockSyncError, ExitCode.AUTH_REJECTED),
    (AuthError, ExitCode.AUTH_REJECTED),
    (InvalidRequest, ExitCode.INVALID_REQUEST),
    (BusinessRejection, ExitCode.BUSINESS_REJECTED),
    (RateLimited, ExitCode.RATE_LIMITED),
    (Banned, ExitCode.BANNED),
    (ServiceUnavailable, ExitCode.NOT_EXECUTED_UNAVAILABLE),
    (ConnectionFailed, ExitCode.NOT_EXECUTED_UNAVAILABLE),
    (RequestRejected, ExitCode.REJECTED_OTHER),
)


def exit_code_for(error: PapiError) -> ExitCode:
    for kind, code in _EXIT_BY_ERROR:
        if isinstance(error, kind):
            return code
    return ExitCode.INTERNAL_ERROR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Repay a Binance Portfolio Margin margin loan (POST /papi/v1/repayLoan). "
        "A repay whose outcome is unknown is never resent: the repay records are checked "
        "instead.",
        epilog=ENVIRONMENT_HELP + "\n" + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("asset", metavar="ASSET", help="asset to repay, e.g. BTC")
    parser.add_argument("amount", metavar="AMOUNT", help="amount as a plain decimal, e.g. 0.01")
    parser.add_argument(
        "--recv-window", type=int, metavar="MS", help="recvWindow in ms (1-60000; server: 5000)"
    )
    parser.add_argument(
        "--base-url",
        default=PRODUCTION_BASE_URL,
        metavar="URL",
        help=f"API base URL (default: {PRODUCTION_BASE_URL})",
    )
    parser.add_argument(
        "--time-url",
        metavar="URL",
        help="server time endpoint used to re-sync the clock after -1021 (default: "
        "https://api.binance.com/api/v3/time for production, else BASE_URL/api/v3/time)",
    )
    parser.add_argument(
        "--connect-timeout",
        type=float,
        default=DEFAULT_CONNECT_TIMEOUT,
        metavar="S",
        help=f"seconds to connect (default: {DEFAULT_CONNECT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--read-timeout",
        type=float,
        default=DEFAULT_READ_TIMEOUT,
        metavar="S",
        help=f"seconds to wait for the answer (default: {DEFAULT_READ_TIMEOUT:g})",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `papi-repay` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else ExitCode.BAD_INPUT
    return int(run(args, os.environ, sys.stdout, sys.stderr))


def run(
    args: argparse.Namespace, env: Mapping[str, str], stdout: TextIO, stderr: TextIO
) -> ExitCode:
    def fail(error: PapiError) -> ExitCode:
        print(f"{PROG}: {error}", file=stderr)
        return exit_code_for(error)

    try:
        asset = validate_asset(args.asset)
        amount = canonical_amount(args.amount)
        recv_window = None if args.recv_window is None else validate_recv_window(args.recv_window)
        if not (args.connect_timeout > 0 and args.read_timeout > 0):
            raise InvalidInput("timeouts must be positive")
        credentials = resolve_credentials(env=env)
        client = RepayClient(
            args.base_url,
            credentials,
            recv_window=recv_window,
            time_url=args.time_url or default_time_url(args.base_url),
            connect_timeout=args.connect_timeout,
            read_timeout=args.read_timeout,
        )
    except PapiError as error:
        return fail(error)
    try:
        with client:
            try:
                result = client.repay(asset, amount)
            except OutcomeUnknown as unknown:
                print(f"{PROG}: {unknown}", file=stderr)
                return _reconcile(client, unknown, stderr)
            except PapiError as error:
                return fail(error)
            print(result.tran_id, file=stdout)
            return ExitCode.OK
    except Exception as exc:  # a bug: say what, never how (no traceback with request data)
        print(f"{PROG}: internal error: {type(exc).__name__}: {redact(str(exc))}", file=stderr)
        return ExitCode.INTERNAL_ERROR


def _reconcile(client: RepayClient, unknown: OutcomeUnknown, stderr: TextIO) -> ExitCode:
    print(f"{PROG}: outcome unknown; checking the repay records", file=stderr)
    try:
        result = client.reconcile_outcome(unknown)
    except PapiError as error:
        print(f"{PROG}: outcome unknown; reconciliation failed: {error}", file=stderr)
        return ExitCode.UNKNOWN_UNRESOLVED
    print(f"{PROG}: outcome unknown; reconciliation: {result}", file=stderr)
    return ExitCode.UNKNOWN_EXECUTED if result.executed else ExitCode.UNKNOWN_NOT_EXECUTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
