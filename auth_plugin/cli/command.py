"""`papi-repay ASSET AMOUNT` after its arguments are parsed: one repay (or one check).

Prints the tranId on success. On failure prints the reason (Binance code and message, or the
local reason) on stderr and exits with a code that says what happened (see EXIT_CODES_HELP).
After an unknown outcome it never resends: it checks the repay records and says what it found.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import TextIO

from auth_plugin.cli.help import PROG, ExitCode
from auth_plugin.cli.journal import Journal, default_path
from auth_plugin.client.defaults import default_time_url
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
from auth_plugin.safe.sync_client import RepayClient
from auth_plugin.signer.credentials import resolve_credentials
from auth_plugin.signer.redaction import redact
from auth_plugin.signer.validation import canonical_amount, validate_asset, validate_recv_window

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

    try:
        asset = validate_asset(args.asset)
        amount = canonical_amount(args.amount)
        recv_window = None if args.recv_window is None else validate_recv_window(args.recv_window)
        if args.check is not None and args.check <= 0:
            raise InvalidInput("--check needs the repay's timestamp (ms since the epoch)")
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
