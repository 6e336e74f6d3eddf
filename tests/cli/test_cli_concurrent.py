"""Two papi-repay processes at once on one journal: neither takes the other's record."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

from tests.safety.helpers import ACCOUNT

CHILD = """
import sys
from auth_plugin.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def test_two_cli_runs_at_once_never_take_each_others_record(sandbox, hmac_env, tmp_path):
    """Two processes repay the same amount at the same time through one journal; one answer
    is lost. Whatever the interleaving, the one that reconciles never names the other's
    record, and never says "not executed" (both executed)."""
    env = {**os.environ, "PAPI_REPAY_JOURNAL_DIR": str(tmp_path)}
    fast = ("--stamp-margin", "200", "--visibility-lag", "200", "--recv-window", "1000")
    for _ in range(3):
        sandbox.reset()
        sandbox.ledger.set_balance(ACCOUNT, "BTC", principal=Decimal(10), free=Decimal(10))
        sandbox.faults.inject("unknown_after", times=1)
        argv = ["BTC", "0.01", "--base-url", sandbox.base_url, "--confirm-within", "0", *fast]
        runs = [
            subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-c", CHILD, *argv],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [(run.wait(timeout=60), *run.communicate()) for run in runs]
        codes = sorted(code for code, _, _ in results)
        assert len(sandbox.ledger.repays(ACCOUNT)) == 2
        assert codes in ([0, 10], [0, 14]), results
        acked = next(out.strip() for code, out, _ in results if code == 0)
        found = next(err for code, _, err in results if code != 0)
        assert f"txId {acked}," not in found, results  # never the other run's record
