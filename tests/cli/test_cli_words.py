"""What papi-repay says to its user: what to set, what was typed, no doubled punctuation, and
the demo keys refused off this machine."""

from __future__ import annotations

import httpx
import pytest

from auth_plugin.cli import ExitCode
from papi_sandbox.accounts import load_accounts_file
from papi_sandbox.demo import DEMO_ACCOUNTS_FILE, private_key_file
from tests.cli.conftest import ENV_NAMES
from tests.safety.helpers import repay_posts


@pytest.fixture
def no_network(monkeypatch):
    """Any connection attempt fails the test: what is checked must be refused before it."""

    def refuse(self, request):
        raise AssertionError(f"nothing may be sent, yet {request.url.host} was asked")

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", refuse)


def test_no_api_key_names_the_variables_to_set(monkeypatch, cli, no_network):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)

    run = cli("BTC", "0.01", "--base-url", "http://127.0.0.1:9")

    assert run.code == ExitCode.CREDENTIALS
    assert run.err == (
        "papi-repay: no API key: set BINANCE_API_KEY, and BINANCE_API_SECRET (its HMAC secret) "
        "or BINANCE_PRIVATE_KEY_PATH (an RSA or Ed25519 PEM file; "
        "BINANCE_PRIVATE_KEY_PASSPHRASE if it is encrypted)\n"
    )
    assert "pass" not in run.err


def test_no_signing_key_names_the_variables_to_set(monkeypatch, cli, no_network):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BINANCE_API_KEY", "my-key")

    run = cli("BTC", "0.01", "--base-url", "http://127.0.0.1:9")

    assert run.code == ExitCode.CREDENTIALS
    assert run.err.startswith("papi-repay: no signing key for BINANCE_API_KEY: set ")
    assert "BINANCE_API_SECRET" in run.err and "BINANCE_PRIVATE_KEY_PATH" in run.err
    assert "pass one" not in run.err


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("0.000000001", "amount 0.000000001 has more than 8 decimal places"),
        ("1.123456789", "amount 1.123456789 has more than 8 decimal places"),
        ("0.00000000", "amount must be greater than zero, got 0.00000000"),
        ("1e-5", "amount '1e-5' is not a plain positive decimal"),
    ],
)
def test_a_refused_amount_is_quoted_as_typed(sandbox, hmac_env, cli, typed, said):
    run = cli("BTC", typed, "--base-url", sandbox.base_url)

    assert run.code == ExitCode.BAD_INPUT
    assert run.err.startswith(f"papi-repay: {said}")
    assert "E-" not in run.err
    assert sandbox.counters.snapshot() == {}


def test_an_unknown_outcome_reads_without_doubled_punctuation(sandbox, hmac_env, cli):
    sandbox.faults.inject("unknown_after")

    run = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--recv-window", "1000")

    assert run.code == ExitCode.UNKNOWN_EXECUTED
    assert "try again later; it may have been executed" in run.err
    assert ".;" not in run.err


def test_check_says_what_it_checks_and_sends_no_repay(sandbox, hmac_env, cli):
    timestamp = sandbox.clock.now_ms() - 60_000

    run = cli("BTC", "0.01", "--base-url", sandbox.base_url, "--check", str(timestamp))

    assert run.code == ExitCode.UNKNOWN_NOT_EXECUTED
    assert f"checking the repay records for a repay of 0.01 BTC signed at {timestamp}" in run.err
    assert "outcome unknown" not in run.err
    assert repay_posts(sandbox) == 0


@pytest.mark.parametrize("key_type", ["hmac", "rsa", "ed25519"])
def test_the_demo_keys_are_refused_for_production(monkeypatch, cli, no_network, key_type):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    [spec] = [s for s in load_accounts_file(DEMO_ACCOUNTS_FILE) if s.key_type == key_type]
    monkeypatch.setenv("BINANCE_API_KEY", spec.api_key)
    if key_type == "hmac":
        monkeypatch.setenv("BINANCE_API_SECRET", spec.key)
    else:
        monkeypatch.setenv("BINANCE_PRIVATE_KEY_PATH", str(private_key_file(key_type)))

    run = cli("BTC", "0.01")  # the default base URL: production

    assert run.code == ExitCode.CREDENTIALS
    assert "fake demo keys" in run.err and "papi.binance.com" in run.err
    assert run.out == ""
