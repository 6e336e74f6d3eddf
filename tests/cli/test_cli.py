"""papi-repay against the sandbox: success, every error path, and the documented exit codes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from auth_plugin import PRODUCTION_BASE_URL, PRODUCTION_TIME_URL, RequestRejected, default_time_url
from auth_plugin.cli import EXIT_CODES_HELP, ExitCode, exit_code_for, main
from papi_sandbox.testing import running_sandbox
from tests.cli.conftest import ENV_NAMES, PASSPHRASE, PROXY_NAMES
from tests.safety.helpers import (
    ACCOUNT,
    RECORDS,
    TIME,
    account_spec,
    closed_port,
    liability,
    repay_posts,
)

CONSOLE_SCRIPT = Path(sys.executable).with_name("papi-repay")


def assert_no_secret(run, key) -> None:
    text = run.out + run.err
    assert key.secret is None or key.secret not in text
    assert key.api_key not in text
    assert "signature=" not in text


def test_success_prints_the_tran_id_and_exits_0(sandbox, hmac_env, cli):
    before = liability(sandbox)
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert (run.code, run.out, run.err) == (0, f"{record.tran_id}\n", "")
    assert liability(sandbox) == before - Decimal("0.01")
    assert_no_secret(run, hmac_env)


def test_an_encrypted_ed25519_key_file_from_the_environment(
    sandbox, monkeypatch, ed25519_key, ed25519_key_file, cli
):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BINANCE_API_KEY", ed25519_key.api_key)
    monkeypatch.setenv("BINANCE_PRIVATE_KEY_PATH", str(ed25519_key_file))
    monkeypatch.setenv("BINANCE_PRIVATE_KEY_PASSPHRASE", PASSPHRASE)
    run = cli("BTC", "0.5", "--base-url", sandbox.base_url, "--recv-window", "10000")
    (record,) = sandbox.ledger.repays("acct-ed25519")
    assert (run.code, run.out) == (0, f"{record.tran_id}\n")
    assert PASSPHRASE not in run.out + run.err


@pytest.mark.parametrize(
    "argv",
    [
        ["BTC", "1e-5"],
        ["BTC", "-1"],
        ["BTC", "0"],
        ["BTC", "abc"],
        ["BTC", "0.000000001"],
        ["btc", "1"],
        ["BTC", "1", "--recv-window", "70000"],
        ["BTC", "1", "--recv-window", "1.5"],
        ["BTC"],
        ["BTC", "1", "--base-url", "ftp://example"],
        ["BTC", "1", "--read-timeout", "0"],
    ],
)
def test_bad_input_exits_2_and_sends_nothing(sandbox, hmac_env, cli, argv):
    if "--base-url" not in argv:
        argv = [*argv, "--base-url", sandbox.base_url]
    run = cli(*argv)
    assert run.code == ExitCode.BAD_INPUT == 2
    assert run.out == ""
    assert run.err.strip()
    assert sandbox.counters.snapshot() == {}


def test_plain_http_to_a_remote_host_is_refused_before_sending(sandbox, hmac_env, cli):
    run = cli("BTC", "1", "--base-url", "http://203.0.113.7")
    assert run.code == ExitCode.BAD_INPUT
    assert "plain http" in run.err


def test_missing_credentials_exit_3_and_send_nothing(sandbox, monkeypatch, cli):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert run.code == ExitCode.CREDENTIALS == 3
    assert "BINANCE_API_KEY" in run.err
    assert sandbox.counters.snapshot() == {}


@pytest.mark.parametrize(
    ("asset", "amount", "code", "msg"),
    [
        ("BTC", "1000", -3015, "Repay amount exceeds borrow amount."),
        ("USDT", "60", -3041, "Balance is not enough"),
        ("DOGE", "1", -3027, "Not a valid margin asset."),
    ],
)
def test_business_rejections_exit_6_with_code_and_message(
    sandbox, hmac_env, cli, asset, amount, code, msg
):
    run = cli(asset, amount, "--base-url", sandbox.base_url)
    assert run.code == ExitCode.BUSINESS_REJECTED == 6
    assert str(code) in run.err and msg in run.err
    assert run.out == ""
    assert repay_posts(sandbox) == 1
    assert_no_secret(run, hmac_env)


def test_a_wrong_secret_exits_4_with_1022(sandbox, hmac_env, monkeypatch, cli):
    monkeypatch.setenv("BINANCE_API_SECRET", "not-the-secret")
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert run.code == ExitCode.AUTH_REJECTED == 4
    assert "-1022" in run.err
    assert "not-the-secret" not in run.err
    assert repay_posts(sandbox) == 1


def test_an_unknown_api_key_exits_4_with_2015(sandbox, hmac_env, monkeypatch, cli):
    monkeypatch.setenv("BINANCE_API_KEY", "someone-else-entirely-0000000000")
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert run.code == ExitCode.AUTH_REJECTED
    assert "-2015" in run.err


def test_1021_resyncs_from_the_default_time_url_and_retries_once(sandbox, hmac_env, cli):
    sandbox.clock.shift(30_000)
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert (run.code, run.out) == (0, f"{record.tran_id}\n")
    assert repay_posts(sandbox) == 2
    assert sandbox.counters.get("GET", TIME) > 0


def test_1021_resyncs_from_the_given_time_url_and_retries_exactly_once(
    sandbox, hmac_env, cli, hmac_key
):
    with running_sandbox(accounts=(account_spec(hmac_key),), clock_offset_ms=-25_000) as skewed:
        own_time = skewed.base_url + TIME
        run = cli("BTC", "0.01", "--base-url", skewed.base_url, "--time-url", own_time)
        assert run.code == 0
        assert repay_posts(skewed) == 2
        assert skewed.counters.get("GET", TIME) > 0
        # With an unskewed time source the resync can't help: one retry, then -1021.
        other_time = sandbox.base_url + TIME
        run = cli("BTC", "0.01", "--base-url", skewed.base_url, "--time-url", other_time)
        assert run.code == ExitCode.AUTH_REJECTED
        assert "-1021" in run.err
        assert repay_posts(skewed) == 4
    assert sandbox.counters.get("GET", TIME) > 0


def test_an_unreachable_time_url_exits_4(sandbox, hmac_env, cli):
    sandbox.clock.shift(30_000)
    time_url = f"http://127.0.0.1:{closed_port()}/api/v3/time"
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--time-url", time_url)
    assert run.code == ExitCode.AUTH_REJECTED
    assert "time endpoint" in run.err
    assert repay_posts(sandbox) == 1


@pytest.mark.parametrize("fault", ["unknown_after", "drop_after"])
def test_outcome_unknown_reconciles_and_reports_executed(sandbox, hmac_env, cli, fault):
    sandbox.faults.inject(fault)
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--recv-window", "1000")
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert run.code == ExitCode.UNKNOWN_EXECUTED == 10
    assert "outcome unknown" in run.err
    assert f"executed (txId {record.tran_id}," in run.err
    assert run.out == ""
    assert repay_posts(sandbox) == 1  # never resent
    assert sandbox.counters.get("GET", RECORDS) == 1
    assert_no_secret(run, hmac_env)


def test_outcome_unknown_reconciles_and_reports_not_executed(sandbox, hmac_env, cli):
    sandbox.faults.inject("overloaded")
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--recv-window", "1000")
    assert run.code == ExitCode.UNKNOWN_NOT_EXECUTED == 11
    assert "-1008" in run.err
    assert "reconciliation: not executed" in run.err
    assert sandbox.ledger.repays(ACCOUNT) == []
    assert repay_posts(sandbox) == 1


def test_outcome_unknown_whose_records_cant_be_read_exits_12(sandbox, hmac_env, cli):
    sandbox.faults.inject("unknown_after")
    sandbox.faults.inject("unavailable", times=None, path=RECORDS)
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--recv-window", "1000")
    assert run.code == ExitCode.UNKNOWN_UNRESOLVED == 12
    assert "reconciliation failed" in run.err
    assert repay_posts(sandbox) == 1
    assert sandbox.counters.get("GET", RECORDS) == 3  # reads are retried within the budget


def test_service_unavailable_beyond_the_retries_exits_9(sandbox, hmac_env, cli):
    sandbox.faults.inject("unavailable", times=3)
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert run.code == ExitCode.NOT_EXECUTED_UNAVAILABLE == 9
    assert "Service Unavailable." in run.err
    assert repay_posts(sandbox) == 3
    assert sandbox.ledger.repays(ACCOUNT) == []


def test_service_unavailable_once_is_retried_and_succeeds(sandbox, hmac_env, cli):
    sandbox.faults.inject("unavailable")
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert run.code == 0
    assert repay_posts(sandbox) == 2


def test_connection_refused_exits_9(hmac_env, cli):
    run = cli("BTC", "0.01", "--base-url", f"http://127.0.0.1:{closed_port()}")
    assert run.code == ExitCode.NOT_EXECUTED_UNAVAILABLE
    assert "could not connect" in run.err


NO_CONFIRM = ("--confirm-within", "0")  # the record read would take the last weight


def test_rate_limited_exits_7_and_banned_exits_8(hmac_env, cli, hmac_key):
    with running_sandbox(accounts=(account_spec(hmac_key),), weight_limit=100) as limited:
        assert cli("BTC", "0.01", "--base-url", limited.base_url, *NO_CONFIRM).code == 0
        run = cli("BTC", "0.01", "--base-url", limited.base_url)
        assert run.code == ExitCode.RATE_LIMITED == 7
        assert "429" in run.err and "-1003" in run.err
        assert repay_posts(limited) == 2  # Retry-After (~60 s) is beyond the cap: no wait
    with running_sandbox(
        accounts=(account_spec(hmac_key),), weight_limit=100, ban_after_rejections=0
    ) as strict:
        assert cli("BTC", "0.01", "--base-url", strict.base_url, *NO_CONFIRM).code == 0
        run = cli("BTC", "0.01", "--base-url", strict.base_url)
        assert run.code == ExitCode.BANNED == 8
        assert "418" in run.err
        assert repay_posts(strict) == 2


def test_an_unexpected_failure_exits_1_without_a_traceback(sandbox, hmac_env, cli, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("auth_plugin.safe.sync_client.RepayClient.repay", broken)
    run = cli("BTC", "0.01", "--base-url", sandbox.base_url)
    assert run.code == ExitCode.INTERNAL_ERROR == 1
    assert "internal error: RuntimeError: boom" in run.err
    assert "Traceback" not in run.err


def test_other_rejections_map_to_13():
    assert exit_code_for(RequestRejected("403 from a firewall", status=403)) == 13


def test_help_documents_every_exit_code(cli):
    run = cli("--help")
    assert run.code == 0
    documented = {int(n) for n in re.findall(r"^\s+(\d+)\s{2}", EXIT_CODES_HELP, re.MULTILINE)}
    assert documented == {code.value for code in ExitCode}
    assert EXIT_CODES_HELP.strip() in run.out
    for name in ENV_NAMES:
        assert name in run.out


def test_default_time_urls():
    assert default_time_url(PRODUCTION_BASE_URL) == PRODUCTION_TIME_URL
    assert default_time_url(PRODUCTION_BASE_URL + "/") == PRODUCTION_TIME_URL
    assert default_time_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000/api/v3/time"
    assert main(["--help"]) == 0


def _script_env(key) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES + PROXY_NAMES}
    env["BINANCE_API_KEY"] = key.api_key
    env["BINANCE_API_SECRET"] = key.secret
    return env


def test_the_console_script_repays_and_reports_errors(sandbox, hmac_key):
    assert CONSOLE_SCRIPT.exists()
    ok = subprocess.run(
        [str(CONSOLE_SCRIPT), "BTC", "0.01", "--base-url", sandbox.base_url],
        env=_script_env(hmac_key),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    (record,) = sandbox.ledger.repays(ACCOUNT)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, f"{record.tran_id}\n", "")
    rejected = subprocess.run(
        [str(CONSOLE_SCRIPT), "BTC", "1000", "--base-url", sandbox.base_url],
        env=_script_env(hmac_key),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert rejected.returncode == ExitCode.BUSINESS_REJECTED
    assert "-3015" in rejected.stderr
    assert hmac_key.secret not in rejected.stdout + rejected.stderr
    assert repay_posts(sandbox) == 2


def test_the_console_script_refuses_a_float_like_amount_before_sending(sandbox, hmac_key):
    refused = subprocess.run(
        [str(CONSOLE_SCRIPT), "BTC", "1e-05", "--base-url", sandbox.base_url],
        env=_script_env(hmac_key),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == ExitCode.BAD_INPUT
    assert "amount" in refused.stderr
    assert sandbox.counters.snapshot() == {}
