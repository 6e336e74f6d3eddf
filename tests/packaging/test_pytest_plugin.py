"""The `papi_sandbox` pytest fixture, as the editable install registers it in the dev venv."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

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
