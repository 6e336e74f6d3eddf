"""`papi-repay ASSET AMOUNT` after its arguments are parsed: one repay (or one check).

Prints the tranId on success. On failure prints the reason (Binance code and message, or the
local reason) on stderr and exits with a code that says what happened (see EXIT_CODES_HELP).
Whatever came from a server is printed through `terminal.printable`.
After an unknown outcome it never resends: it checks the repay records and says what it found.
With --json, stdout is one JSON object (`report`) and every human line goes to stderr.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from auth_plugin.cli import inputs
from auth_plugin.cli.help import PROG, ExitCode
from auth_plugin.cli.parser import DEBT
from auth_plugin.cli.report import Report
from auth_plugin.cli.terminal import printable
from auth_plugin.client.defaults import default_time_url
from auth_plugin.safe.errors import (
    AuthError,
    Banned,
    BusinessRejection,
    ClockSyncError,
    ConnectionFailed,
    FreeBalanceShort,
    InvalidInput,
    InvalidRequest,
    KeyLoadError,
    OutcomeUnknown,
    PapiError,
    RateLimited,
    RequestRejected,
    ServiceUnavailable,
)
from auth_plugin.safe.journal import Journal, JournalError
from auth_plugin.safe.reconcile import LoanRequest, Margins, Verdict
from auth_plugin.safe.results import RepayResult, plain
from auth_plugin.safe.sync_client import RepayClient
from auth_plugin.signer.redaction import redact
from auth_plugin.signer.validation import validate_asset, validate_recv_window

ALL = "all"  # AMOUNT that repays the whole debt

# Most specific first: the first class an error is an instance of decides.
_EXIT_BY_ERROR: tuple[tuple[type[PapiError], ExitCode], ...] = (
    (InvalidInput, ExitCode.BAD_INPUT),
    (JournalError, ExitCode.JOURNAL_UNUSABLE),
    (KeyLoadError, ExitCode.CREDENTIALS),
    (ClockSyncError, ExitCode.AUTH_REJECTED),
    (AuthError, ExitCode.AUTH_REJECTED),
    (InvalidRequest, ExitCode.INVALID_REQUEST),
    (BusinessRejection, ExitCode.BUSINESS_REJECTED),
    (FreeBalanceShort, ExitCode.BUSINESS_REJECTED),
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


def exit_code_for(error: PapiError) -> ExitCode:
    for kind, code in _EXIT_BY_ERROR:
        if isinstance(error, kind):
            return code
    return ExitCode.INTERNAL_ERROR


def run(
    args: argparse.Namespace,
    env: Mapping[str, str],
    stdout: TextIO,
    stderr: TextIO,
    sleep: Callable[[float], Any] | None = None,
) -> ExitCode:
    report = Report()
    code = _run(args, env, stderr if args.json else stdout, stderr, sleep, report)
    if args.json:
        report.write(code, stdout)
    return code


def _run(
    args: argparse.Namespace,
    env: Mapping[str, str],
    stdout: TextIO,
    stderr: TextIO,
    sleep: Callable[[float], Any] | None,
    report: Report,
) -> ExitCode:
    def fail(error: PapiError) -> ExitCode:
        print(f"{PROG}: {printable(error)}", file=stderr)
        report.error(error)
        return exit_code_for(error)

    debt_only = args.command == DEBT
    checking = not debt_only and (args.check is not None or args.check_unresolved)
    try:
        asset = None if args.asset is None else validate_asset(args.asset)
        whole = not debt_only and args.amount == ALL
        amount = "" if debt_only or whole else inputs.amount(args.amount)
        recv_window = None if debt_only else _recv_window(args)
        if checking and whole:
            raise InvalidInput("--check and --check-unresolved need the repay's AMOUNT")
        if not debt_only and args.check is not None:
            check_timestamp(args.check)
        credentials = inputs.credentials(env)
        journal = None
        if not debt_only and not args.no_journal:
            directory = Journal.default_directory(env)
            try:
                journal = Journal.for_account(directory, args.base_url, credentials.api_key)
            except ValueError as error:
                raise InvalidInput(f"--base-url: {error}") from None
        margins = None if debt_only else Margins(args.stamp_margin, args.visibility_lag)
        client = RepayClient(
            args.base_url,
            credentials,
            recv_window=recv_window,
            time_url=args.time_url or default_time_url(args.base_url),
            connect_timeout=args.connect_timeout,
            read_timeout=args.read_timeout,
            journal=journal,
            margins=margins,
            sleep=sleep or Countdown(stderr),
        )
    except PapiError as error:
        return fail(error)
    resume: list[str] = []
    try:
        with client:
            if debt_only:
                return _print_debt(client, asset, stdout, fail, report)
            assert asset is not None
            if args.check_unresolved:
                return _reconcile_unresolved(client, asset, amount, stderr, report)
            if whole:
                return _repay_all(client, asset, args, stdout, stderr, fail, resume, report)
            if args.check is not None:
                try:
                    _check_not_ahead(client, args.check)
                except PapiError as error:
                    return fail(error)
                request = client.flow.request(asset, amount, args.check, recv_window)
                return _reconcile(client, request, stderr, resume, report)
            try:
                result = client.repay(asset, amount)
            except OutcomeUnknown as unknown:
                return _unknown(client, unknown, stderr, resume, report)
            except PapiError as error:
                return fail(error)
            print(result.tran_id, file=stdout)
            report.repay(result)
            return _confirm(client, result, args.confirm_within, stderr, resume, report)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=stderr)
        for line in resume:
            print(f"{PROG}: {line}", file=stderr)
            report.check_again(line)
        return ExitCode.INTERRUPTED
    except Exception as exc:  # a bug: say what, never how (no traceback with request data)
        reason = printable(redact(str(exc)))
        print(f"{PROG}: internal error: {type(exc).__name__}: {reason}", file=stderr)
        report.error(exc)
        return ExitCode.INTERNAL_ERROR


def _recv_window(args: argparse.Namespace) -> int | None:
    return None if args.recv_window is None else validate_recv_window(args.recv_window)


# Binance's API began in 2017; a timestamp before that, or with other than 13 digits, is a
# typo (seconds, a digit dropped or added), not a repay of this account.
EARLIEST_TIMESTAMP_MS = 1_483_228_800_000  # 2017-01-01T00:00:00Z
LATEST_TIMESTAMP_MS = 10**13 - 1
AHEAD_TOLERANCE_MS = 5_000


def check_timestamp(timestamp: int) -> None:
    """Refuse a --check timestamp that is not plausibly ms since the epoch (InvalidInput)."""
    if EARLIEST_TIMESTAMP_MS // 1000 <= timestamp <= LATEST_TIMESTAMP_MS // 1000:
        raise InvalidInput(
            f"--check {timestamp}: looks like seconds; the timestamp is in ms (13 digits), "
            "as printed after an unknown outcome"
        )
    if not EARLIEST_TIMESTAMP_MS <= timestamp <= LATEST_TIMESTAMP_MS:
        raise InvalidInput(
            f"--check {timestamp}: not a timestamp in ms since the epoch from 2017 on (13 "
            "digits); check for a digit dropped or added"
        )


def _check_not_ahead(client: RepayClient, timestamp: int) -> None:
    """Refuse a --check timestamp ahead of the server's time (measured now)."""
    client.sync_clock()
    ahead = timestamp - client.clock.now_ms()
    if ahead > AHEAD_TOLERANCE_MS:
        raise InvalidInput(
            f"--check {timestamp} is {ahead / 1000:.0f} s ahead of the server's time: no repay "
            "can carry it yet; check for a typo"
        )


def _unknown(
    client: RepayClient,
    unknown: OutcomeUnknown,
    stderr: TextIO,
    resume: list[str],
    report: Report,
) -> ExitCode:
    print(f"{PROG}: {printable(unknown)}", file=stderr)
    report.error(unknown)
    return _reconcile(client, client.request_of(unknown), stderr, resume, report)


def _confirm(
    client: RepayClient,
    done: RepayResult,
    within: float,
    stderr: TextIO,
    resume: list[str],
    report: Report,
) -> ExitCode:
    """Exit 0 only for a record read CONFIRMED (a 200 means accepted, not completed)."""
    if within <= 0:
        return ExitCode.OK
    resume.append(_check_again(done.asset, done.amount, done.timestamp_ms, None))
    try:
        confirmation = client.confirm(done, within)
    except PapiError as error:
        print(f"{PROG}: accepted; its record could not be read: {printable(error)}", file=stderr)
        report.error(error)
        _say_check_again(resume, stderr, report)
        return ExitCode.ACCEPTED_PENDING
    report.confirmation(confirmation)
    if confirmation.confirmed:
        return ExitCode.OK
    print(f"{PROG}: accepted, but {printable(confirmation)}", file=stderr)
    if confirmation.status == "FAILED":
        return ExitCode.ACCEPTED_FAILED
    _say_check_again(resume, stderr, report)
    return ExitCode.ACCEPTED_PENDING


def _print_debt(
    client: RepayClient,
    asset: str | None,
    stdout: TextIO,
    fail: Callable[[PapiError], ExitCode],
    report: Report,
) -> ExitCode:
    try:
        debts = client.debt(asset)
    except PapiError as error:
        return fail(error)
    rows = [d for d in debts.values() if asset is not None or d.total > 0]
    report.debts({d.asset: d for d in rows})
    if not rows:
        print("nothing owed", file=stdout)
        return ExitCode.OK
    table = [("ASSET", "PRINCIPAL", "INTEREST", "TOTAL", "FREE")] + [
        (printable(d.asset), plain(d.principal), plain(d.interest), plain(d.total), plain(d.free))
        for d in sorted(rows, key=lambda d: d.asset)
    ]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print(line.rstrip(), file=stdout)
    return ExitCode.OK


def _repay_all(
    client: RepayClient,
    asset: str,
    args: argparse.Namespace,
    stdout: TextIO,
    stderr: TextIO,
    fail: Callable[[PapiError], ExitCode],
    resume: list[str],
    report: Report,
) -> ExitCode:
    try:
        before = client.debt(asset)[asset]
        print(
            f"owed: {plain(before.total)} {asset} (principal {plain(before.principal)} + "
            f"interest {plain(before.interest)}); free {plain(before.free)}",
            file=stdout,
        )
        report.owed(before)
        result = client.repay_all(asset, cap=args.cap, before=before)
    except OutcomeUnknown as unknown:
        return _unknown(client, unknown, stderr, resume, report)
    except PapiError as error:
        return fail(error)
    report.repay_all(result)
    left = f"left: {plain(result.left)} {asset}"
    if result.repaid is None:
        print("nothing to repay", file=stdout)
        print(f"{left} ({printable(result.reason)})" if result.reason else left, file=stdout)
        return ExitCode.OK
    repaid = result.repaid
    report.repay(repaid)
    print(f"repaid: {repaid.amount} {asset} (tranId {repaid.tran_id})", file=stdout)
    print(f"{left} ({printable(result.reason)})" if result.reason else left, file=stdout)
    return _confirm(client, repaid, args.confirm_within, stderr, resume, report)


def _reconcile(
    client: RepayClient, request: LoanRequest, stderr: TextIO, resume: list[str], report: Report
) -> ExitCode:
    what = f"a repay of {request.amount} {request.asset} signed at {request.timestamp_ms}"
    print(f"{PROG}: checking the repay records for {what}", file=stderr)
    known = client.flow.identify(request)
    resume.append(
        _check_again(request.asset, request.amount, request.timestamp_ms, known.recv_window)
    )
    try:
        result = client.reconcile_sent(request)
    except PapiError as error:
        print(f"{PROG}: reconciliation failed: {printable(error)}", file=stderr)
        report.error(error)
        _say_check_again(resume, stderr, report)
        return ExitCode.UNKNOWN_UNRESOLVED
    print(f"{PROG}: reconciliation: {printable(result)}", file=stderr)
    report.reconciliation(result)
    if result.verdict not in (Verdict.EXECUTED, Verdict.NOT_EXECUTED):
        _say_check_again(resume, stderr, report)
    return _EXIT_BY_VERDICT[result.verdict]


def _reconcile_unresolved(
    client: RepayClient, asset: str, amount: str, stderr: TextIO, report: Report
) -> ExitCode:
    try:
        results = client.reconcile_unresolved("repay", asset, amount)
    except PapiError as error:
        print(f"{PROG}: reconciliation failed: {printable(error)}", file=stderr)
        report.error(error)
        return ExitCode.UNKNOWN_UNRESOLVED
    report.groups(results)
    if not results:
        print(f"{PROG}: no unresolved repay of {amount} {asset} in the journal", file=stderr)
        return ExitCode.OK
    for result in results:
        print(f"{PROG}: reconciliation: {printable(result)}", file=stderr)
    verdicts = {result.verdict for result in results}
    if Verdict.UNKNOWN in verdicts:
        return ExitCode.UNKNOWN_UNRESOLVED
    if Verdict.AMBIGUOUS in verdicts:
        return ExitCode.UNKNOWN_AMBIGUOUS
    return ExitCode.UNKNOWN_GROUP_SETTLED


def _say_check_again(resume: list[str], stderr: TextIO, report: Report) -> None:
    """Print and report the latest line to check again with."""
    print(f"{PROG}: {resume[-1]}", file=stderr)
    report.check_again(resume[-1])


def _check_again(asset: str, amount: str, timestamp_ms: int | None, recv_window: int | None) -> str:
    window = "" if recv_window is None else f" --recv-window {recv_window}"
    return (
        f"to check again: {PROG} {asset} {amount} --check {timestamp_ms}{window} "
        "(with the same --base-url)"
    )


class Countdown:
    """The CLI's sleep: says what it waits for and until when, counting down on a terminal."""

    def __init__(self, stderr: TextIO, sleep: Callable[[float], Any] = time.sleep) -> None:
        self.stderr = stderr
        self.sleep = sleep

    def __call__(self, seconds: float) -> None:
        if seconds < 1:
            self.sleep(seconds)
            return
        print(
            f"{PROG}: waiting {seconds:.1f} s until the request can no longer execute and its "
            "record must be shown (Ctrl-C to stop; the line to check later is printed)",
            file=self.stderr,
            flush=True,
        )
        tty = self.stderr.isatty()
        left = seconds
        while left > 0:
            step = min(1.0, left)
            if tty:
                print(f"\r{PROG}: {left:5.0f} s left ", end="", file=self.stderr, flush=True)
            self.sleep(step)
            left -= step
        if tty:
            print("", file=self.stderr)
