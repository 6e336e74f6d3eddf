"""`papi-repay ASSET AMOUNT` after its arguments are parsed: one repay (or one check).

Prints the tranId on success. On failure prints the reason (Binance code and message, or the
local reason) on stderr and exits with a code that says what happened (see EXIT_CODES_HELP).
After an unknown outcome it never resends: it checks the repay records and says what it found.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import TextIO

from auth_plugin.cli.help import PROG, ExitCode
from auth_plugin.cli.journal import Journal, default_path
from auth_plugin.cli.parser import DEBT
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
from auth_plugin.safe.reconcile import SentRepay, Verdict
from auth_plugin.safe.results import RepayResult, plain
from auth_plugin.safe.sync_client import RepayClient
from auth_plugin.signer.credentials import resolve_credentials
from auth_plugin.signer.redaction import redact
from auth_plugin.signer.validation import canonical_amount, validate_asset, validate_recv_window

ALL = "all"  # AMOUNT that repays the whole debt

# Most specific first: the first class an error is an instance of decides.
_EXIT_BY_ERROR: tuple[tuple[type[PapiError], ExitCode], ...] = (
    (InvalidInput, ExitCode.BAD_INPUT),
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
    args: argparse.Namespace, env: Mapping[str, str], stdout: TextIO, stderr: TextIO
) -> ExitCode:
    def fail(error: PapiError) -> ExitCode:
        print(f"{PROG}: {error}", file=stderr)
        return exit_code_for(error)

    debt_only = args.command == DEBT
    try:
        asset = None if args.asset is None else validate_asset(args.asset)
        whole = not debt_only and args.amount == ALL
        amount = "" if debt_only or whole else canonical_amount(args.amount)
        recv_window = None if debt_only else _recv_window(args)
        if not debt_only and args.check is not None and (args.check <= 0 or whole):
            raise InvalidInput("--check needs the repay's AMOUNT and timestamp (ms)")
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
    journal = None if debt_only or args.no_journal else Journal(default_path(env))
    try:
        with client:
            if debt_only:
                return _print_debt(client, asset, stdout, fail)
            assert asset is not None
            if journal is not None:
                journal.load_into(client.tran_ids)
            if whole:
                return _repay_all(client, asset, args.cap, journal, stdout, stderr, fail)
            if args.check is not None:
                request = client.flow.request(asset, amount, args.check, recv_window)
                return _reconcile(client, request, journal, stderr)
            try:
                result = client.repay(asset, amount)
            except OutcomeUnknown as unknown:
                return _unknown(client, unknown, journal, stderr)
            except PapiError as error:
                return fail(error)
            _acknowledge(journal, result)
            print(result.tran_id, file=stdout)
            return ExitCode.OK
    except Exception as exc:  # a bug: say what, never how (no traceback with request data)
        print(f"{PROG}: internal error: {type(exc).__name__}: {redact(str(exc))}", file=stderr)
        return ExitCode.INTERNAL_ERROR


def _recv_window(args: argparse.Namespace) -> int | None:
    return None if args.recv_window is None else validate_recv_window(args.recv_window)


def _acknowledge(journal: Journal | None, result: RepayResult) -> None:
    if journal is not None and result.timestamp_ms is not None:
        request = SentRepay(result.asset, result.amount, result.timestamp_ms, 0)
        journal.acknowledged(result.tran_id, request)


def _unknown(
    client: RepayClient, unknown: OutcomeUnknown, journal: Journal | None, stderr: TextIO
) -> ExitCode:
    print(f"{PROG}: {unknown}", file=stderr)
    if unknown.timestamp_ms is None:  # never signed: nothing to look for
        print(f"{PROG}: the request's timestamp is not known", file=stderr)
        return ExitCode.UNKNOWN_UNRESOLVED
    request = client.request_of(unknown)
    if journal is not None:
        journal.unknown(request)
    return _reconcile(client, request, journal, stderr)


def _print_debt(
    client: RepayClient, asset: str | None, stdout: TextIO, fail: Callable[[PapiError], ExitCode]
) -> ExitCode:
    try:
        debts = client.debt(asset)
    except PapiError as error:
        return fail(error)
    rows = [d for d in debts.values() if asset is not None or d.total > 0]
    if not rows:
        print("nothing owed", file=stdout)
        return ExitCode.OK
    table = [("ASSET", "PRINCIPAL", "INTEREST", "TOTAL", "FREE")] + [
        (d.asset, plain(d.principal), plain(d.interest), plain(d.total), plain(d.free))
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
    cap: bool,
    journal: Journal | None,
    stdout: TextIO,
    stderr: TextIO,
    fail: Callable[[PapiError], ExitCode],
) -> ExitCode:
    try:
        before = client.debt(asset)[asset]
        print(
            f"owed: {plain(before.total)} {asset} (principal {plain(before.principal)} + "
            f"interest {plain(before.interest)}); free {plain(before.free)}",
            file=stdout,
        )
        result = client.repay_all(asset, cap=cap, before=before)
    except OutcomeUnknown as unknown:
        return _unknown(client, unknown, journal, stderr)
    except PapiError as error:
        return fail(error)
    if result.repaid is None:
        print("nothing to repay", file=stdout)
    else:
        _acknowledge(journal, result.repaid)
        repaid = result.repaid
        print(f"repaid: {repaid.amount} {asset} (tranId {repaid.tran_id})", file=stdout)
    left = f"left: {plain(result.left)} {asset}"
    print(f"{left} ({result.reason})" if result.reason else left, file=stdout)
    return ExitCode.OK


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
