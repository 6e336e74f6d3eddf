"""The README's first quickstart runs as written, against the sandbox instead of port 8000."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from papi_sandbox.testing import running_sandbox

ROOT = Path(__file__).resolve().parents[2]


def test_readme_quickstart_repays_against_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    quickstart = blocks[0]
    assert "http://127.0.0.1:8000" in quickstart
    accounts = ROOT / "papi_sandbox" / "demo_accounts.yaml"
    with running_sandbox(accounts_file=accounts) as sandbox:
        exec(
            compile(
                quickstart.replace("http://127.0.0.1:8000", sandbox.base_url), "README", "exec"
            ),
            {},
        )  # noqa: S102
        repays = sandbox.repays("demo-hmac")
    assert [str(r.amount) for r in repays] == ["0.00001000"]
    assert f"RepayLoanResponse(tran_id={repays[0].tran_id}" in capsys.readouterr().out


def test_readme_lifecycle_snippet_runs_against_the_sandbox(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    (snippet,) = [block for block in blocks if "papi.repay_all" in block]
    accounts = ROOT / "papi_sandbox" / "demo_accounts.yaml"
    monkeypatch.setenv("BINANCE_API_KEY", "demo-hmac-api-key")
    monkeypatch.setenv("BINANCE_API_SECRET", "demo-hmac-secret-NOT-A-REAL-KEY-do-not-use-anywhere")
    monkeypatch.delenv("BINANCE_PRIVATE_KEY_PATH", raising=False)
    with running_sandbox(accounts_file=accounts) as sandbox:
        sandbox.ledger.set_balance(
            "demo-hmac", "BTC", principal=Decimal(1), interest=Decimal(0), free=Decimal(3)
        )
        exec(
            compile(snippet.replace("http://127.0.0.1:8000", sandbox.base_url), "README", "exec"),
            {},
        )  # noqa: S102
        after = sandbox.balances("demo-hmac")["BTC"]
    assert after.principal + after.interest == 0
    assert Decimal(capsys.readouterr().out.split()[0]) == 0
