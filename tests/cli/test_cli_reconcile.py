"""papi-repay after an unknown outcome: the three repros of the reconciliation issue, the
verdict exit codes, --check, the journal, and input the parser must refuse."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest

from auth_plugin.cli import EXIT_CODES, EXIT_CODES_HELP, ExitCode
from auth_plugin.safe.journal import AckLine, Journal
from auth_plugin.safe.reconcile import LoanRequest
from auth_plugin.signer.keys import MAX_KEY_FILE_BYTES
from tests.safety.helpers import ACCOUNT, RECORDS, repay_posts


def test_repro_1_server_behind_with_a_short_window_is_executed(sandbox, hmac_env, cli):
    sandbox.clock.shift(-600)
    sandbox.faults.inject("unknown_after")
    run = cli("USDT", "0.005", "--base-url", sandbox.base_url, "--recv-window", "500")
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert run.code == ExitCode.UNKNOWN_EXECUTED, run.err
    assert f"executed (txId {record.tran_id}," in run.err


def test_repro_2_more_than_1000_records_are_all_read(sandbox, hmac_env, cli):
    sandbox.faults.inject("unknown_after")
    stamp = sandbox.clock.now_ms()
    for n in range(1100):  # other repays of the account inside the window
        sandbox.ledger.repay(ACCOUNT, "BTC", Decimal("0.001"), stamp + n % 900)
    run = cli("BTC", "0.00777", "--base-url", sandbox.base_url, "--recv-window", "1000")
    assert run.code == ExitCode.UNKNOWN_EXECUTED, run.err
    assert sandbox.counters.get("GET", RECORDS) == 12


def _journal(directory, sandbox, api_key):
    return Journal.for_account(directory, sandbox.base_url, api_key)


def test_repro_3_an_earlier_run_of_the_same_amount_is_not_taken_for_this_one(
    sandbox, hmac_env, cli, private_journal
):
    first = cli("USDT", "0.00444", "--base-url", sandbox.base_url)
    assert first.code == 0
    tran_id = int(first.out)
    lines = _journal(private_journal, sandbox, hmac_env.api_key).read()
    assert AckLine(lines[0].sent_id, tran_id) in lines
    sandbox.faults.inject("latency_before", seconds=1.5)
    second = cli(
        "USDT", "0.00444", "--base-url", sandbox.base_url, "--read-timeout", "0.3",
        "--recv-window", "1000",
    )  # fmt: skip
    assert second.code == ExitCode.UNKNOWN_NOT_EXECUTED, second.err
    assert f"txId {tran_id}" not in second.err
    time.sleep(1.5)  # the server, done sleeping, finds the request's window long closed
    assert [r.tran_id for r in sandbox.ledger.repays(ACCOUNT)] == [tran_id]


def test_an_unknown_outcome_left_by_an_earlier_run_makes_one_record_ambiguous(
    sandbox, hmac_env, cli, private_journal
):
    # An earlier run sent a repay, got no answer and was killed while it waited to check:
    # the journal holds its send, the ledger its record, a moment ago.
    stamp = sandbox.clock.now_ms()
    earlier = sandbox.ledger.repay(ACCOUNT, "BTC", Decimal("0.01"), stamp)
    sent = LoanRequest("BTC", "0.01", stamp, 1000, "repay", "0123456789abcdef")
    _journal(private_journal, sandbox, hmac_env.api_key).append(sent)
    sandbox.faults.inject("overloaded")
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--recv-window", "1000")
    assert [r.tran_id for r in sandbox.ledger.repays(ACCOUNT)] == [earlier.tran_id]
    assert run.code == ExitCode.UNKNOWN_AMBIGUOUS == 14, run.err
    assert f"txId {earlier.tran_id}" in run.err and "outcome is not established" in run.err
    assert "--check" in run.err


def test_a_journal_of_another_server_does_not_take_this_ones_records(
    sandbox, hmac_env, cli, private_journal
):
    # Yesterday's sandbox answered a repay with the tranId today's gives this one: an owner
    # counts only for a record with its asset, amount and window.
    sandbox.faults.inject("unknown_after")
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--recv-window", "1000")
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert run.code == ExitCode.UNKNOWN_EXECUTED, run.err
    stale = _journal(private_journal, sandbox, hmac_env.api_key)
    yesterday = sandbox.clock.now_ms() - 86_400_000
    old = LoanRequest("BTC", "0.01", yesterday, 1000, "repay", "fedcba9876543210")
    stale.append(old, AckLine(old.sent_id, record.tran_id + 1))
    sandbox.faults.inject("unknown_after")
    again = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--recv-window", "1000")
    newest = sandbox.ledger.repays(ACCOUNT)[0]
    assert newest.tran_id == record.tran_id + 1 or again.code == ExitCode.UNKNOWN_EXECUTED
    assert again.code == ExitCode.UNKNOWN_EXECUTED, again.err


def test_a_pending_record_exits_15_and_check_confirms_it_later(sandbox, hmac_env, cli):
    sandbox.faults.inject("unknown_after")
    sandbox.faults.inject("pending_record")
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--recv-window", "1000")
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert run.code == ExitCode.UNKNOWN_PENDING == 15, run.err
    assert f"pending (txId {record.tran_id}" in run.err
    command = re.search(r"to check again: papi-repay (.*) \(with", run.err)
    assert command is not None
    sandbox.ledger.set_record_status(ACCOUNT, record.tran_id, "CONFIRMED")
    check = cli(*command.group(1).split(), "--base-url", sandbox.base_url)
    assert check.code == ExitCode.UNKNOWN_EXECUTED, check.err
    assert repay_posts(sandbox) == 1  # --check sends no repay


def test_check_of_a_repay_that_never_happened_is_not_executed(sandbox, hmac_env, cli):
    stamp = sandbox.clock.now_ms() - 10_000
    run = cli("BTC", "0.01", "--check", str(stamp), "--base-url", sandbox.base_url)
    assert run.code == ExitCode.UNKNOWN_NOT_EXECUTED
    assert repay_posts(sandbox) == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["--recv-window", "５０００"],
        ["--recv-window", "5_000"],
        ["--recv-window", " 5000"],
        ["--recv-window", "+5000"],
        ["--read-timeout", "inf"],
        ["--connect-timeout", "inf"],
        ["--read-timeout", "nan"],
        ["--read-timeout", "-1"],
        ["--read-timeout", "1e9"],
        ["--check", "soon"],
        ["--check", "0"],
    ],
)
def test_bad_numbers_exit_2_and_send_nothing(sandbox, hmac_env, cli, argv):
    run = cli("BTC", "0.01", *argv, "--base-url", sandbox.base_url)
    assert run.code == ExitCode.BAD_INPUT, run.err
    assert "internal error" not in run.err
    assert sandbox.counters.snapshot() == {}


def test_an_oversized_key_file_is_refused_without_reading_it_all(
    sandbox, monkeypatch, cli, tmp_path
):
    monkeypatch.setenv("BINANCE_API_KEY", "some-key")
    monkeypatch.delenv("BINANCE_API_SECRET", raising=False)
    monkeypatch.setenv("BINANCE_PRIVATE_KEY_PATH", "/dev/zero")
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert run.code == ExitCode.CREDENTIALS
    assert f"larger than {MAX_KEY_FILE_BYTES} bytes" in run.err
    assert sandbox.counters.snapshot() == {}


def test_the_help_summary_names_every_code_once_by_what_happened():
    summary = EXIT_CODES_HELP[EXIT_CODES_HELP.index("The repay happened") :]
    named = [int(n) for n in re.findall(r"\d+", summary)]
    assert sorted(named) == sorted(code.value for code, _, _ in EXIT_CODES)
    did_not_happen = summary[summary.index("did not happen") : summary.index("Recorded")]
    assert "13" in did_not_happen and "11" in did_not_happen
    assert {code for code, _, _ in EXIT_CODES} == set(ExitCode)


def test_help_loads_neither_httpx_nor_the_generated_client():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from auth_plugin.cli import main\n"
        "assert main(['--help']) == 0\n"
        "heavy = {'httpx', 'papi_repay_client', 'cryptography'} & set(sys.modules)\n"
        "print(sorted(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_debt_prints_what_is_owed_as_a_table(sandbox, hmac_env, cli):
    run = cli("debt", "--base-url", sandbox.base_url)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0].split() == ["ASSET", "PRINCIPAL", "INTEREST", "TOTAL", "FREE"]
    assert lines[1].split() == ["BTC", "100", "0.5", "100.5", "200"]
    assert lines[2].split() == ["USDT", "100", "0", "100", "50"]
    assert len(lines) == 3  # ETH owes nothing: not listed
    one = cli("debt", "ETH", "--base-url", sandbox.base_url)
    assert one.out.splitlines()[1].split() == ["ETH", "0", "0", "0", "5"]
    assert repay_posts(sandbox) == 0


def test_all_shows_the_debt_repays_it_once_and_prints_what_is_left(sandbox, hmac_env, cli):
    run = cli("BTC", "all", "--base-url", sandbox.base_url)
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "owed: 100.5 BTC (principal 100 + interest 0.5); free 200",
        f"repaid: 100.5 BTC (tranId {record.tran_id})",
        "left: 0 BTC",
    ]
    assert record.amount == Decimal("100.5") and repay_posts(sandbox) == 1


def test_all_with_a_short_free_balance_sends_nothing_unless_capped(sandbox, hmac_env, cli):
    refused = cli("USDT", "all", "--base-url", sandbox.base_url)
    assert refused.code == ExitCode.BUSINESS_REJECTED
    assert "short of the debt" in refused.err and repay_posts(sandbox) == 0
    capped = cli("USDT", "all", "--cap", "--base-url", sandbox.base_url)
    assert capped.code == 0, capped.err
    assert capped.out.splitlines()[-1] == "left: 50 USDT (the free balance covered only 50 of 100)"
