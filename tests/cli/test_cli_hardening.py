"""papi-repay never lets a server drive the terminal (text from a server is printed with its
control characters escaped), refuses a base URL with user info, and stops at once, sending
nothing, when a FIFO sits where its journal goes."""

from __future__ import annotations

import os
import time

import pytest

from auth_plugin.cli import ExitCode
from auth_plugin.cli.terminal import printable
from auth_plugin.safe.journal import Journal
from tests.safety.helpers import ACCOUNT, repay_posts

# Sets the terminal's title, erases the line, returns the cursor, then forges a line of ours.
HOSTILE = "\x1b]0;pwned\x07\x1b[2K\rpapi-repay: repaid\npapi-repay: \u202eforged\x9b"
ESCAPED = "\\x1b]0;pwned\\x07\\x1b[2K\\rpapi-repay: repaid\\npapi-repay: \\u202eforged\\x9b"


def _assert_tamed(err: str) -> None:
    assert ESCAPED in err
    for control in ("\x1b", "\x07", "\r", "\u202e", "\x9b"):
        assert control not in err
    assert not any(line.startswith("papi-repay: repaid") for line in err.splitlines())


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text: Balance is not enough", "plain text: Balance is not enough"),
        ("caf\u00e9 \u4e2d\u6587", "caf\u00e9 \u4e2d\u6587"),  # printable non-ASCII stays
        ("a\tb\x00c\x7f", "a\\tb\\x00c\\x7f"),
        ("\u200b\u2028\U000e0001", "\\u200b\\u2028\\U000e0001"),
        (HOSTILE, ESCAPED),
    ],
)
def test_printable_escapes_every_control_character(text, shown):
    assert printable(text) == shown
    assert printable(shown) == shown  # already safe: unchanged


def test_a_rejections_message_cannot_drive_the_terminal(sandbox, hmac_env, cli):
    sandbox.faults.inject("unavailable", status=400, code=-3041, msg=HOSTILE)
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert run.code == ExitCode.BUSINESS_REJECTED
    _assert_tamed(run.err)
    assert len(run.err.splitlines()) == 1
    assert sandbox.ledger.repays(ACCOUNT) == []


def test_an_unknown_outcomes_message_cannot_drive_the_terminal(sandbox, hmac_env, cli):
    sandbox.faults.inject("unknown_after", msg=HOSTILE)
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert run.code == ExitCode.UNKNOWN_EXECUTED
    _assert_tamed(run.err)
    assert len(sandbox.ledger.repays(ACCOUNT)) == 1


def test_a_base_url_with_user_info_is_bad_input_and_nothing_is_sent(sandbox, hmac_env, cli):
    fooled = sandbox.base_url.replace("http://", "http://papi.binance.com@")
    run = cli("BTC", "0.01", "--base-url", fooled)
    assert run.code == ExitCode.BAD_INPUT
    assert "user info" in run.err
    assert repay_posts(sandbox) == 0


@pytest.mark.timeout(20)
@pytest.mark.parametrize("suffix", ["", ".lock"])
def test_a_fifo_at_the_journal_path_stops_the_cli_at_once_with_nothing_sent(
    sandbox, hmac_env, cli, private_journal, suffix
):
    journal = Journal.for_account(private_journal, sandbox.base_url, hmac_env.api_key)
    os.mkfifo(f"{journal.path}{suffix}")
    started = time.monotonic()
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert time.monotonic() - started < 5
    assert run.code == ExitCode.JOURNAL_UNUSABLE
    assert "not a regular file" in run.err
    assert repay_posts(sandbox) == 0
