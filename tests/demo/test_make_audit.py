"""`make audit` (not run here: it needs the network) audits both locks with tools kept out of
them: pip-audit in a throwaway venv, never in .venv or requirements.lock."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_audit_plans_both_audits_with_a_throwaway_pip_audit() -> None:
    plan = subprocess.run(
        ["make", "-n", "audit"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "mktemp -d" in plan and "rm -rf" in plan
    assert '-m venv "$tmp/venv"' in plan
    assert 'pip install --quiet "pip-audit==' in plan
    assert "--requirement requirements.lock --require-hashes --disable-pip" in plan
    assert "could not be audited" in plan  # an unchecked package fails the run
    assert "npm audit --package-lock-only" in plan
    assert ".venv/bin/python -m pip install" not in plan
    assert "pip-audit" not in (ROOT / "requirements.lock").read_text()
    assert (
        "audit"
        in subprocess.run(
            ["make", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
        ).stdout
    )
