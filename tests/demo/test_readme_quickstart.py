"""The README's snippets run as written, against the sandbox instead of port 8000, and its
tables say what the code does."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from auth_plugin import RepayClient
from auth_plugin.cli.help import EXIT_CODES
from auth_plugin.cli.report import KEYS
from papi_sandbox.demo import DEMO_ACCOUNTS_FILE
from papi_sandbox.testing import running_sandbox
from tests.safety.helpers import Sleeper

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
DEMO_SECRET = "demo-hmac-secret-NOT-A-REAL-KEY-do-not-use-anywhere"


def snippet(marker: str) -> str:
    (block,) = [block for block in BLOCKS if marker in block]
    assert "http://127.0.0.1:8000" in block or "papi_sandbox" in block
    return block


def run(block: str, base_url: str) -> None:
    code = compile(block.replace("http://127.0.0.1:8000", base_url), "README", "exec")
    exec(code, {})  # noqa: S102


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's exports for the demo HMAC account."""
    monkeypatch.setenv("BINANCE_API_KEY", "demo-hmac-api-key")
    monkeypatch.setenv("BINANCE_API_SECRET", DEMO_SECRET)
    monkeypatch.delenv("BINANCE_PRIVATE_KEY_PATH", raising=False)
    assert f"BINANCE_API_SECRET={DEMO_SECRET}" in README


def test_readme_generated_client_snippet_repays(capsys: pytest.CaptureFixture[str]) -> None:
    with running_sandbox(accounts_file=DEMO_ACCOUNTS_FILE) as sandbox:
        run(snippet("repay_loan.sync("), sandbox.base_url)
        repays = sandbox.ledger.repays("demo-hmac")
    assert [str(r.amount) for r in repays] == ["0.00001000"]
    assert f"RepayLoanResponse(tran_id={repays[0].tran_id}" in capsys.readouterr().out


def test_readme_lifecycle_snippet_runs_against_the_sandbox(
    capsys: pytest.CaptureFixture[str], demo_env: None
) -> None:
    with running_sandbox(accounts_file=DEMO_ACCOUNTS_FILE) as sandbox:
        sandbox.ledger.set_balance(
            "demo-hmac", "BTC", principal=Decimal(1), interest=Decimal(0), free=Decimal(3)
        )
        run(snippet("papi.repay_all"), sandbox.base_url)
        after = sandbox.ledger.balances("demo-hmac")["BTC"]
    assert after.principal + after.interest == 0
    assert Decimal(capsys.readouterr().out.split()[0]) == 0


@pytest.mark.parametrize(
    ("fault", "says"),
    [
        (None, "repaid, tranId "),
        ("drop_after", "executed after all, txId "),
        ("unknown_before", "not executed: safe to repay again"),
    ],
)
def test_readme_repay_client_snippet_teaches_the_verdicts(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    demo_env: None,
    fault: str | None,
    says: str,
) -> None:
    with running_sandbox(accounts_file=DEMO_ACCOUNTS_FILE) as sandbox:
        # The snippet's wait for the window to close moves the sandbox's clock instead.
        monkeypatch.setattr(
            RepayClient, "_default_sleep", lambda self: Sleeper(clock=sandbox.clock)
        )
        if fault:
            sandbox.faults.inject(fault)
        run(snippet("reconcile_outcome(unknown)"), sandbox.base_url)
        repays = sandbox.ledger.repays("demo-hmac")
    out = capsys.readouterr().out
    assert out.startswith(says)
    assert len(repays) == (0 if fault == "unknown_before" else 1)


SANDBOX_README = (ROOT / "papi_sandbox" / "README.md").read_text()
SANDBOX_BLOCKS = re.findall(r"```python\n(.*?)```", SANDBOX_README, re.DOTALL)


@pytest.mark.parametrize(
    "block",
    [snippet("def test_"), *[b for b in SANDBOX_BLOCKS if "def test_" in b]],
    ids=["README.md", "papi_sandbox/README.md"],
)
def test_readme_fixture_snippets_pass_with_the_installed_plugin(tmp_path: Path, block: str) -> None:
    (tmp_path / "test_readme_bot.py").write_text(block)

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_readme_bot.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_the_sandbox_readme_in_tests_snippet_runs() -> None:
    [block] = [b for b in SANDBOX_BLOCKS if "running_sandbox(" in b]

    exec(compile(block, "papi_sandbox/README.md", "exec"), {})  # noqa: S102


def test_readme_exit_code_table_is_the_cli_s() -> None:
    rows = re.findall(r"^\| (\d+) \| (\w+) \| ", README, re.MULTILINE)

    assert [(int(code), happened) for code, happened in rows] == [
        (int(code), happened) for code, happened, _ in EXIT_CODES
    ]


def test_readme_documents_every_json_key() -> None:
    [table] = re.findall(r"\*\*`--json`\*\*.*?\n\n(\| key \|.*?)\n\n", README, re.DOTALL)
    documented = re.findall(
        r"`(\w+)`", " ".join(line.split(" | ")[0] for line in table.splitlines())
    )

    assert documented == list(KEYS)
