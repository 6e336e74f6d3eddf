"""The `papi_sandbox` pytest fixture, as the editable install registers it in the dev venv."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from auth_plugin import AsyncRepayClient, Credentials, HmacKey, OutcomeUnknown, RepayClient, Verdict
from papi_sandbox.pytest_plugin import DEFAULT_LOAN, PapiSandbox

USER_TESTS = """
import sys, threading
from decimal import Decimal

import pytest

SEEN = []


def test_loading_the_plugin_starts_and_imports_nothing(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("papi_sandbox")
    assert not {"uvicorn", "starlette", "yaml", "papi_sandbox.testing"} & set(sys.modules)
    assert not [t for t in threading.enumerate() if t.name.startswith("papi-sandbox")]


def test_a_test_changes_everything(papi_sandbox):
    SEEN.append(papi_sandbox.base_url)
    papi_sandbox.ledger.repay(papi_sandbox.account.name, "USDT", Decimal(10), 0)
    papi_sandbox.set_balance("ETH", principal=1)
    papi_sandbox.clock.pin(1)
    papi_sandbox.faults.inject("unavailable", times=None)


def test_the_next_test_starts_from_the_seed(papi_sandbox):
    SEEN.append(papi_sandbox.base_url)
    assert papi_sandbox.repays() == []
    assert set(papi_sandbox.balances()) == {"USDT", "BTC"}
    assert papi_sandbox.balances()["USDT"].interest == 5
    assert papi_sandbox.clock.now_ms() > 1
    assert papi_sandbox.faults.active() == []
    assert SEEN[0] == SEEN[1]  # one server per session


@pytest.mark.papi_sandbox(key_type="rsa")
def test_the_marker_picks_the_rsa_account(papi_sandbox):
    assert papi_sandbox.key_type == "rsa"
    assert papi_sandbox.secret is None
    assert papi_sandbox.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert papi_sandbox.account.name == "bot-rsa"


@pytest.mark.papi_sandbox(key_type="dsa")
def test_an_unknown_key_type_is_refused(papi_sandbox):
    pass
"""


def _pytest(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rE", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_fixture_gives_a_seeded_server_and_its_hmac_keys(papi_sandbox: PapiSandbox) -> None:
    assert papi_sandbox.base_url.startswith("http://127.0.0.1:")
    assert httpx.get(papi_sandbox.base_url + "/papi/v1/ping").json() == {}
    assert (papi_sandbox.key_type, papi_sandbox.private_key_pem) == ("hmac", None)
    assert papi_sandbox.secret and papi_sandbox.api_key
    assert set(papi_sandbox.accounts) == {"hmac", "rsa", "ed25519"}
    for account in papi_sandbox.accounts.values():
        balances = papi_sandbox.balances(account.name)
        assert {
            asset: (balance.principal, balance.interest, balance.free)
            for asset, balance in balances.items()
        } == {asset: tuple(map(Decimal, seed)) for asset, seed in DEFAULT_LOAN.items()}
    assert papi_sandbox.repays() == []
    assert papi_sandbox.request_count("GET", "/papi/v1/ping") == 1


def test_set_balance_takes_exact_amounts_only(papi_sandbox: PapiSandbox) -> None:
    balance = papi_sandbox.set_balance("ETH", principal="1.5", free=2)
    assert (balance.principal, balance.interest, balance.free) == (Decimal("1.5"), 0, 2)
    with pytest.raises(TypeError, match="not float"):
        papi_sandbox.set_balance("ETH", free=0.1)  # type: ignore[arg-type]


def test_the_package_loads_its_names_on_first_use() -> None:
    import papi_sandbox
    from papi_sandbox.config import SandboxConfig

    assert papi_sandbox.SandboxConfig is SandboxConfig
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        papi_sandbox.nothing  # noqa: B018


def test_the_plugin_resets_per_test_and_loads_lazily(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(USER_TESTS)

    done = _pytest([], tmp_path)

    assert "4 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "key_type must be one of ('hmac', 'rsa', 'ed25519'), not 'dsa'" in done.stdout


def test_sleep_moves_the_sandbox_clock_instead_of_waiting(papi_sandbox: PapiSandbox) -> None:
    papi_sandbox.clock.pin(1_000_000)
    real = time.monotonic()
    client_time = papi_sandbox.monotonic()

    papi_sandbox.sleep(12.3456)
    asyncio.run(papi_sandbox.asleep(0.5))

    assert papi_sandbox.clock.now_ms() == 1_000_000 + 12_346 + 500
    assert papi_sandbox.slept == pytest.approx(12.8456)
    assert papi_sandbox.monotonic() - client_time >= 12.8456
    assert time.monotonic() - real < 5
    with pytest.raises(ValueError, match="finite"):
        papi_sandbox.sleep(float("nan"))
    with pytest.raises(ValueError, match=">= 0"):
        papi_sandbox.sleep(-1)


def test_each_test_starts_with_nothing_slept(papi_sandbox: PapiSandbox) -> None:
    assert papi_sandbox.slept == 0


def _credentials(papi_sandbox: PapiSandbox) -> Credentials:
    assert papi_sandbox.secret is not None
    return Credentials(papi_sandbox.api_key, HmacKey(papi_sandbox.secret))


def test_a_reconciliation_waits_on_the_sandbox_clock(papi_sandbox: PapiSandbox) -> None:
    papi_sandbox.faults.inject("drop_after")
    with RepayClient(
        papi_sandbox.base_url,
        _credentials(papi_sandbox),
        sleep=papi_sandbox.sleep,
        monotonic=papi_sandbox.monotonic,
    ) as bot:
        with pytest.raises(OutcomeUnknown) as lost:
            bot.repay("USDT", "10")
        started = time.monotonic()
        result = bot.reconcile_outcome(lost.value)
        took = time.monotonic() - started

    assert result.verdict is Verdict.EXECUTED
    margins, window = bot.config.margins, lost.value.recv_window
    assert window is not None  # the repay's default (short) recvWindow
    assert papi_sandbox.slept * 1000 >= window + margins.stamp_ms + margins.lag_ms - 1000
    assert took < 5


def test_the_async_client_waits_on_the_sandbox_clock_too(papi_sandbox: PapiSandbox) -> None:
    papi_sandbox.faults.inject("unknown_before")

    async def scenario() -> Verdict:
        async with AsyncRepayClient(
            papi_sandbox.base_url,
            _credentials(papi_sandbox),
            sleep=papi_sandbox.asleep,
            monotonic=papi_sandbox.monotonic,
        ) as bot:
            try:
                await bot.repay("BTC", "0.1")
            except OutcomeUnknown as unknown:
                return (await bot.reconcile_outcome(unknown)).verdict
        raise AssertionError("the fault was not used")

    started = time.monotonic()
    verdict = asyncio.run(scenario())

    assert verdict is Verdict.NOT_EXECUTED
    assert papi_sandbox.slept > 10
    assert time.monotonic() - started < 5
