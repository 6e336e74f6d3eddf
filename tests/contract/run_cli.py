"""`make contract`: start a sandbox, run the schemathesis CLI against it on the sandbox's
contract (openapi.yaml + overlays/sandbox.overlay.yaml, written to build/), print its report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from papi_sandbox.testing import running_sandbox
from tests.contract.overlaid_spec import write_sandbox_spec
from tests.contract.seed import contract_account
from tests.contract.signing import API_KEY_ENV, SECRET_ENV

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("schemathesis.toml")
SANDBOX_SPEC = ROOT / "build" / "sandbox-openapi.yaml"


def main() -> int:
    spec = write_sandbox_spec(SANDBOX_SPEC)
    account, key = contract_account()
    assert key.secret is not None
    env = {
        **os.environ,
        API_KEY_ENV: key.api_key,
        SECRET_ENV: key.secret,
        "SCHEMATHESIS_HOOKS": "tests.contract.cli_hooks",
        "PYTHONPATH": str(ROOT),
    }
    schemathesis = Path(sys.executable).with_name("schemathesis")
    with running_sandbox(accounts=(account,), weight_limit=10**9) as sandbox:
        command = [
            str(schemathesis),
            "--no-color",
            "--config-file",
            str(CONFIG),
            "run",
            str(spec),
            "--url",
            sandbox.base_url,
        ]
        # Bounded by the config's max-examples; the timeout only guards against a hang.
        completed = subprocess.run(command, env=env, cwd=ROOT, timeout=900, check=False)
        repays = len(sandbox.ledger.repays("contract"))
    print(f"sandbox ledger: {repays} repays executed during the run")
    return completed.returncode


if __name__ == "__main__":
    raise SystemExit(main())
