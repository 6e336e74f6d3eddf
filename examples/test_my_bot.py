"""Testing your own bot against the sandbox with the `papi_sandbox` pytest fixture.

    pip install '.[sandbox]' pytest      # from a clone (or 'papi_repay-*.whl[sandbox]')
    pytest examples/test_my_bot.py

The fixture is a real server on 127.0.0.1, fresh for each test, seeded with a loan on every
account: USDT principal 1000, interest 5, free 10000; BTC principal 0.5, interest 0.001, free 2.

The bot's client waits on the sandbox's clock (`sleep=papi_sandbox.sleep`): a reconciliation
after an unknown outcome waits about 15 s in production and a few ms here, with the same
settings.
"""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from auth_plugin import (
    Credentials,
    HmacKey,
    OutcomeUnknown,
    RepayClient,
    SigningKey,
    Verdict,
    load_private_key,
)
from papi_sandbox.pytest_plugin import PapiSandbox

REPAY = ("POST", "/papi/v1/repayLoan")


def bot_client(papi_sandbox: PapiSandbox) -> RepayClient:
    """How the bot under test connects; here, to the sandbox with the fixture's account, its
    waits moving the sandbox's clock instead of taking real time."""
    key: SigningKey
    if papi_sandbox.secret is not None:
        key = HmacKey(papi_sandbox.secret)
    else:
        assert papi_sandbox.private_key_pem is not None
        key = load_private_key(papi_sandbox.private_key_pem)
    return RepayClient(
        papi_sandbox.base_url,
        Credentials(papi_sandbox.api_key, key),
        sleep=papi_sandbox.sleep,
        monotonic=papi_sandbox.monotonic,
    )


def test_a_repay_pays_the_interest_first_then_the_principal(papi_sandbox: PapiSandbox) -> None:
    with bot_client(papi_sandbox) as bot:
        result = bot.repay("USDT", "100")

    usdt = papi_sandbox.balances()["USDT"]
    assert (usdt.interest, usdt.principal, usdt.free) == (Decimal(0), Decimal(905), Decimal(9900))
    [record] = papi_sandbox.repays()
    assert (record.tran_id, record.amount) == (result.tran_id, Decimal(100))


def test_a_503_before_execution_is_retried_and_repays_once(papi_sandbox: PapiSandbox) -> None:
    papi_sandbox.faults.inject("unavailable", times=1)

    with bot_client(papi_sandbox) as bot:
        result = bot.repay("BTC", "0.1")

    assert result.attempts == 2
    assert papi_sandbox.request_count(*REPAY) == 2
    assert len(papi_sandbox.repays()) == 1


def test_a_lost_answer_is_never_resent_and_reconciled_as_executed(
    papi_sandbox: PapiSandbox,
) -> None:
    papi_sandbox.faults.inject("drop_after")  # the repay executes, its answer is lost

    with bot_client(papi_sandbox) as bot:
        with pytest.raises(OutcomeUnknown) as lost:
            bot.repay("USDT", "10")
        started = time.monotonic()
        result = bot.reconcile_outcome(lost.value)
        took = time.monotonic() - started

    [record] = papi_sandbox.repays()
    assert result.verdict is Verdict.EXECUTED
    assert result.tran_id == record.tran_id
    assert papi_sandbox.request_count(*REPAY) == 1
    assert papi_sandbox.balances()["USDT"].interest == 0  # it did execute, once
    # It waited recvWindow + both margins (about 15 s) on the sandbox's clock, not in real time.
    assert papi_sandbox.slept > 10
    assert took < 5


def test_an_unknown_error_before_execution_is_reconciled_then_repaid(
    papi_sandbox: PapiSandbox,
) -> None:
    papi_sandbox.faults.inject("unknown_before")  # 503 "Unknown error": nothing executed

    with bot_client(papi_sandbox) as bot:
        with pytest.raises(OutcomeUnknown) as unknown:
            bot.repay("BTC", "0.2")
        verdict = bot.reconcile_outcome(unknown.value)
        assert verdict.verdict is Verdict.NOT_EXECUTED  # safe to repay again
        bot.repay("BTC", "0.2")

    assert [record.amount for record in papi_sandbox.repays()] == [Decimal("0.2")]


def test_a_server_clock_ahead_costs_one_resync(papi_sandbox: PapiSandbox) -> None:
    papi_sandbox.clock.shift(120_000)  # -1021 for an unsynced client

    with bot_client(papi_sandbox) as bot:
        result = bot.repay("USDT", "1")

    assert result.attempts == 2
    assert len(papi_sandbox.repays()) == 1


def test_a_debt_set_for_this_test_only(papi_sandbox: PapiSandbox) -> None:
    papi_sandbox.set_balance("ETH", principal="2", free="1")

    with bot_client(papi_sandbox) as bot:
        bot.repay("ETH", "1")

    assert papi_sandbox.balances()["ETH"].principal == 1


@pytest.mark.papi_sandbox(key_type="ed25519")
def test_an_ed25519_account(papi_sandbox: PapiSandbox) -> None:
    assert papi_sandbox.secret is None  # this test's account signs with a private key

    with bot_client(papi_sandbox) as bot:
        bot.repay("BTC", "0.001")

    assert papi_sandbox.balances()["BTC"].interest == 0
