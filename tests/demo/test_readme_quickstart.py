"""The README's first quickstart runs as written, against the sandbox instead of port 8000."""

from __future__ import annotations

import re
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
