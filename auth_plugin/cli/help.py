"""What `papi-repay --help` shows: the one table of exit codes, and the environment.

Cheap to import on purpose (no httpx, no generated client): the help is printed from here.
"""

import textwrap
from enum import IntEnum

from auth_plugin.signer.environment import (
    ENV_API_KEY,
    ENV_API_SECRET,
    ENV_PRIVATE_KEY_PASSPHRASE,
    ENV_PRIVATE_KEY_PATH,
)

PROG = "papi-repay"
ENV_JOURNAL = "PAPI_REPAY_JOURNAL_DIR"


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
    UNKNOWN_GROUP_SETTLED = 16
    ACCEPTED_PENDING = 17
    ACCEPTED_FAILED = 18
    JOURNAL_UNUSABLE = 19
    INTERRUPTED = 130


# The one table of exit codes: (code, whether the repay happened, what it means). The help
# text and the summary below it are made from it.
EXIT_CODES: tuple[tuple[ExitCode, str, str], ...] = (
    (ExitCode.OK, "yes", "repaid: accepted and its record CONFIRMED; the tranId is on stdout"),
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
    (
        ExitCode.REJECTED_OTHER,
        "no",
        "rejected by the server's web application firewall (HTTP 403); any other answer "
        "that is not a documented refusal is an unknown outcome, reconciled (10, 11, 12, 14, "
        "15)",
    ),
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
    (
        ExitCode.UNKNOWN_GROUP_SETTLED,
        "counted",
        "--check-unresolved: every unresolved repay of ASSET AMOUNT settled; how many of them "
        "executed ('k of n executed') and their txIds are on stderr",
    ),
    (
        ExitCode.ACCEPTED_PENDING,
        "pending",
        "accepted (tranId on stdout) but its record was not CONFIRMED within --confirm-within: "
        "check again later with --check",
    ),
    (ExitCode.ACCEPTED_FAILED, "no", "accepted (tranId on stdout), but its record is FAILED"),
    (
        ExitCode.JOURNAL_UNUSABLE,
        "unknown",
        "the journal can't be used safely (not a regular file of yours, unwritable, its lock "
        "held too long by another process, or it gives one tranId to two repays): what to do "
        "is on stderr; a repay it could not record was not sent",
    ),
    (
        ExitCode.INTERRUPTED,
        "unknown",
        "interrupted (Ctrl-C); the line to resume the check is on stderr",
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
        f"Counted (k of n): {_codes('counted')}. "
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
  {ENV_JOURNAL}          the directory of the journals of this tool's repays, one per
                              base URL and API key (see --no-journal)
"""
