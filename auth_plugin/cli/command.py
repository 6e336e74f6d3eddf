"""`papi-repay ASSET AMOUNT`: one Portfolio Margin repay from the command line.

Prints the tranId on success. On failure prints the reason (Binance code and message, or the
local reason) on stderr and exits with a code that says what happened (see EXIT_CODES_HELP).
After an unknown outcome it never resends: it checks the repay records and says what it found.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import textwrap
from collections.abc import Mapping, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, TextIO

from auth_plugin.cli.journal import ENV_JOURNAL, Journal, default_path
from auth_plugin.client.defaults import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    PRODUCTION_BASE_URL,
    default_time_url,
)
from auth_plugin.safe.errors import (
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
from auth_plugin.safe.reconcile import DEFAULT_RECV_WINDOW_MS, SentRepay, Verdict
from auth_plugin.signer.environment import (
    ENV_API_KEY,
    ENV_API_SECRET,
    ENV_PRIVATE_KEY_PASSPHRASE,
    ENV_PRIVATE_KEY_PATH,
)
from auth_plugin.signer.redaction import redact
from auth_plugin.signer.validation import canonical_amount, validate_asset, validate_recv_window

if TYPE_CHECKING:  # httpx and the generated client load only when a repay is made
    from auth_plugin.safe.sync_client import RepayClient

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
    UNKNOWN_AMBIGUOUS = 14
    UNKNOWN_PENDING = 15


# The one table of exit codes: (code, whether the repay happened, what it means). The help
# text and the summary below it are made from it.
EXIT_CODES: tuple[tuple[ExitCode, str, str], ...] = (
    (ExitCode.OK, "yes", "repaid; the tranId is on stdout"),
    (ExitCode.INTERNAL_ERROR, "unknown", "internal error (a bug: please report it)"),
    (ExitCode.BAD_INPUT, "no", "bad input (usage, asset, amount, recvWindow, timeouts, URL)"),
    (ExitCode.CREDENTIALS, "no", "credentials missing or unusable"),
    (
        ExitCode.AUTH_REJECTED,
        "no",
        "rejected: API key, signature or timestamp (-1021, -1022, -2014, -2015), or the "
        "clock could not be re-synced",
    ),
    (ExitCode.INVALID_REQUEST, "no", "rejected: invalid request (-11xx)"),
    (
        ExitCode.BUSINESS_REJECTED,
        "no",
        "rejected by the account: -3xxx (exceeds the borrow, balance not enough, ...)",
    ),
    (ExitCode.RATE_LIMITED, "no", "rate limited (HTTP 429); wait Retry-After"),
    (ExitCode.BANNED, "no", "IP banned (HTTP 418); send nothing until Retry-After"),
    (
        ExitCode.NOT_EXECUTED_UNAVAILABLE,
        "no",
        '503 "Service Unavailable." or no connection could be made',
    ),
    (
        ExitCode.UNKNOWN_EXECUTED,
        "yes",
        "outcome unknown; the repay records show it EXECUTED (txId on stderr)",
    ),
    (
        ExitCode.UNKNOWN_NOT_EXECUTED,
        "no",
        "outcome unknown; its whole window in the repay records was read: NOT executed",
    ),
    (
        ExitCode.UNKNOWN_UNRESOLVED,
        "unknown",
        "outcome unknown and the records could not settle it (unreadable, incomplete, or "
        "the request could still execute): check again with --check before repaying again",
    ),
    (ExitCode.REJECTED_OTHER, "no", "rejected by the server for another reason (e.g. HTTP 403)"),
    (
        ExitCode.UNKNOWN_AMBIGUOUS,
        "unknown",
        "outcome unknown; more than one record could be this repay (listed on stderr), or "
        "one an earlier unresolved repay could own: check them before repaying again",
    ),
    (
        ExitCode.UNKNOWN_PENDING,
        "pending",
        "outcome unknown; its record exists but is PENDING: check again later with --check",
    ),
)


def _codes(happened: str) -> str:
    numbers = [str(int(code)) for code, status, _ in EXIT_CODES if status == happened]
    return ", ".join(numbers[:-1]) + f" and {numbers[-1]}" if len(numbers) > 1 else numbers[0]


def _exit_codes_help() -> str:
    lines = ["exit codes:"]
    for code, _, meaning in EXIT_CODES:
        lines.extend(
            textwrap.wrap(meaning, 88, initial_indent=f"  {code:2d}  ", subsequent_indent="      ")
        )
    summary = (
        f"The repay happened: {_codes('yes')}. It did not happen (nothing to undo, safe to "
        f"send again): {_codes('no')}. Recorded but not confirmed yet: {_codes('pending')}. "
        f"Not known: {_codes('unknown')}; check before repaying again."
    )
    return "\n".join([*lines, *textwrap.wrap(summary, 90)])


EXIT_CODES_HELP = _exit_codes_help() + "\n"

ENVIRONMENT_HELP = f"""\
environment:
  {ENV_API_KEY}                 the API key (required)
  {ENV_API_SECRET}              its HMAC secret, or
  {ENV_PRIVATE_KEY_PATH}        a PEM private key file (RSA or Ed25519)
  {ENV_PRIVATE_KEY_PASSPHRASE}  the key file's passphrase, if encrypted
  {ENV_JOURNAL}              where runs remember their repays (see --no-journal)
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

_EXIT_BY_VERDICT = {
    Verdict.EXECUTED: ExitCode.UNKNOWN_EXECUTED,
    Verdict.NOT_EXECUTED: ExitCode.UNKNOWN_NOT_EXECUTED,
    Verdict.UNKNOWN: ExitCode.UNKNOWN_UNRESOLVED,
    Verdict.AMBIGUOUS: ExitCode.UNKNOWN_AMBIGUOUS,
    Verdict.PENDING: ExitCode.UNKNOWN_PENDING,
}

MAX_TIMEOUT_SECONDS = 3600.0


def _milliseconds(text: str) -> int:
    """An argparse type: ASCII digits only (int() would take '５０００', '5_000', ' 5000')."""
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of ms (digits 0-9)")
    return int(text)


def _seconds(text: str) -> float:
    """An argparse type: a finite, positive number of seconds, at most an hour."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT_SECONDS):
        raise argparse.ArgumentTypeError(
            f"{text!r}: a timeout must be above 0 and at most {MAX_TIMEOUT_SECONDS:g} s"
        )
    return value


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
        "--recv-window",
        type=_milliseconds,
        metavar="MS",
        help="recvWindow in ms (1-60000; server: 5000)",
    )
    parser.add_argument(
        "--check",
        type=_milliseconds,
        metavar="TIMESTAMP",
        help="repay nothing: give the verdict on a repay of ASSET AMOUNT sent earlier with "
        "this timestamp (and --recv-window), as printed after an unknown outcome",
    )
    parser.add_argument(
        "--no-journal",
        action="store_true",
        help=f"do not read or write the journal of this tool's repays (${ENV_JOURNAL})",
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
        type=_seconds,
        default=DEFAULT_CONNECT_TIMEOUT,
        metavar="S",
        help=f"seconds to connect (default: {DEFAULT_CONNECT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--read-timeout",
        type=_seconds,
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
        if args.check is not None and args.check <= 0:
            raise InvalidInput("--check needs the repay's timestamp (ms since the epoch)")
        from auth_plugin.safe.sync_client import RepayClient
        from auth_plugin.signer.credentials import resolve_credentials

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
    journal = None if args.no_journal else Journal(default_path(env))
    try:
        with client:
            if journal is not None:
                journal.load_into(client.tran_ids)
            if args.check is not None:
                window = recv_window or DEFAULT_RECV_WINDOW_MS
                request = SentRepay(asset, amount, args.check, window)
                return _reconcile(client, request, journal, stderr)
            try:
                result = client.repay(asset, amount)
            except OutcomeUnknown as unknown:
                print(f"{PROG}: {unknown}", file=stderr)
                if unknown.timestamp_ms is None:  # never signed: nothing to look for
                    print(f"{PROG}: the request's timestamp is not known", file=stderr)
                    return ExitCode.UNKNOWN_UNRESOLVED
                request = client.request_of(unknown)
                if journal is not None:
                    journal.unknown(request)
                return _reconcile(client, request, journal, stderr)
            except PapiError as error:
                return fail(error)
            if journal is not None and result.timestamp_ms is not None:
                journal.acknowledged(
                    result.tran_id, SentRepay(asset, amount, result.timestamp_ms, 0)
                )
            print(result.tran_id, file=stdout)
            return ExitCode.OK
    except Exception as exc:  # a bug: say what, never how (no traceback with request data)
        print(f"{PROG}: internal error: {type(exc).__name__}: {redact(str(exc))}", file=stderr)
        return ExitCode.INTERNAL_ERROR


def _reconcile(
    client: RepayClient, request: SentRepay, journal: Journal | None, stderr: TextIO
) -> ExitCode:
    print(f"{PROG}: outcome unknown; checking the repay records", file=stderr)
    try:
        result = client.reconcile_sent(request)
    except PapiError as error:
        print(f"{PROG}: outcome unknown; reconciliation failed: {error}", file=stderr)
        print(f"{PROG}: {_check_again(request)}", file=stderr)
        return ExitCode.UNKNOWN_UNRESOLVED
    print(f"{PROG}: outcome unknown; reconciliation: {result}", file=stderr)
    if journal is not None:
        journal.settled(result)
    if result.verdict not in (Verdict.EXECUTED, Verdict.NOT_EXECUTED):
        print(f"{PROG}: {_check_again(request)}", file=stderr)
    return _EXIT_BY_VERDICT[result.verdict]


def _check_again(request: SentRepay) -> str:
    return (
        f"to check again: {PROG} {request.asset} {request.amount} --check "
        f"{request.timestamp_ms} --recv-window {request.recv_window} (with the same --base-url)"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
