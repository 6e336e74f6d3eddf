"""The command line's arguments; numbers are refused unless written plainly."""

import argparse
import math
from typing import NoReturn

from auth_plugin.cli.help import ENV_JOURNAL, ENVIRONMENT_HELP, EXIT_CODES_HELP, PROG
from auth_plugin.client.defaults import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    PRODUCTION_BASE_URL,
)

MAX_TIMEOUT_SECONDS = 3600.0
DEFAULT_CONFIRM_SECONDS = 30.0
# reconcile.DEFAULT_STAMP_MARGIN_MS / DEFAULT_VISIBILITY_LAG_MS (tested equal): the parser stays
# cheap to import.
DEFAULT_STAMP_MARGIN_MS = 5000
DEFAULT_VISIBILITY_LAG_MS = 5000
REPAY_RECV_WINDOW_MS = 2000  # flow.REPAY_RECV_WINDOW_MS (tested equal)


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


def _seconds_or_zero(text: str) -> float:
    return 0.0 if text.strip() in ("0", "0.0") else _seconds(text)


DEBT = "debt"


class Parser(argparse.ArgumentParser):
    """argparse's parser, keeping the message of a usage error (`usage_error`) for --json."""

    usage_error: str | None = None

    def error(self, message: str) -> NoReturn:
        self.usage_error = message
        super().error(message)


def build_parser(command: str | None = None) -> Parser:
    """`papi-repay ASSET AMOUNT|all`, or with command "debt": `papi-repay debt [ASSET]`."""
    if command == DEBT:
        parser = Parser(
            prog=f"{PROG} {DEBT}",
            description="Print what is owed per asset (GET /papi/v1/balance): principal, "
            "interest, their total and the free balance. Repays nothing.",
            epilog=ENVIRONMENT_HELP + "\n" + EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument("asset", metavar="ASSET", nargs="?", help="one asset, e.g. BTC")
        _connection_options(parser)
        parser.set_defaults(command=DEBT)
        return parser
    parser = Parser(
        prog=PROG,
        description="Repay a Binance Portfolio Margin margin loan (POST /papi/v1/repayLoan). "
        "A repay whose outcome is unknown is never resent: the repay records are checked "
        "instead. AMOUNT 'all' repays the whole debt as read (principal + interest) and "
        f"prints what is left. '{PROG} {DEBT} [ASSET]' prints what is owed.",
        epilog=ENVIRONMENT_HELP + "\n" + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("asset", metavar="ASSET", help="asset to repay, e.g. BTC")
    parser.add_argument(
        "amount", metavar="AMOUNT", help="amount as a plain decimal, e.g. 0.01, or 'all'"
    )
    parser.add_argument(
        "--cap",
        action="store_true",
        help="with 'all': when the free balance is short of the debt, repay what it covers "
        "(without it, nothing is sent)",
    )
    parser.add_argument(
        "--recv-window",
        type=_milliseconds,
        metavar="MS",
        help=f"a repay's recvWindow in ms (1-60000; default: {REPAY_RECV_WINDOW_MS}, short: "
        "see README's security notes)",
    )
    parser.add_argument(
        "--check",
        type=_milliseconds,
        metavar="TIMESTAMP",
        help="repay nothing: give the verdict on a repay of ASSET AMOUNT sent earlier with "
        "this timestamp (ms since the epoch), as printed after an unknown outcome. Its "
        "recvWindow comes from the journal, else --recv-window, else the largest allowed "
        "(60000) is assumed",
    )
    parser.add_argument(
        "--check-unresolved",
        action="store_true",
        help="repay nothing: reconcile together every unresolved repay of ASSET AMOUNT in the "
        "journal, and say how many of them executed",
    )
    parser.add_argument(
        "--confirm-within",
        type=_seconds_or_zero,
        default=DEFAULT_CONFIRM_SECONDS,
        metavar="S",
        help="after a repay is accepted, read its record until it is CONFIRMED or FAILED, for "
        f"at most S seconds (0: don't; default: {DEFAULT_CONFIRM_SECONDS:g})",
    )
    parser.add_argument(
        "--stamp-margin",
        type=_milliseconds,
        default=DEFAULT_STAMP_MARGIN_MS,
        metavar="MS",
        help="reconciliation assumes a record is stamped within MS of the server's timestamp "
        f"check (default: {DEFAULT_STAMP_MARGIN_MS}; lower only knowingly)",
    )
    parser.add_argument(
        "--visibility-lag",
        type=_milliseconds,
        default=DEFAULT_VISIBILITY_LAG_MS,
        metavar="MS",
        help="reconciliation assumes the records endpoint shows a record within MS of its "
        f"stamp (default: {DEFAULT_VISIBILITY_LAG_MS}; lower only knowingly)",
    )
    parser.add_argument(
        "--no-journal",
        action="store_true",
        help=f"do not read or write the journal of this tool's repays (${ENV_JOURNAL})",
    )
    _connection_options(parser)
    parser.set_defaults(command=None)
    return parser


def _connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the answer as one JSON object on stdout (every human line goes to stderr); "
        "its keys are always the same, null when they don't apply: exit_code, result, "
        "happened, error, repay, confirmation, reconciliation, groups, debts, repay_all, "
        "check_again (see the README)",
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
