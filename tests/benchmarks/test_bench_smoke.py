"""`make bench` keeps working: a tiny run of every section, judged on what it did, not on speed
(speed is the benchmarks' business, never a unit test's)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = (
    "ours",
    "ours-repay",
    "official-sdk",
    "python-binance",
    "ccxt",
    "httpx-floor",
    "http.client-floor",
)


def test_every_section_runs_every_client_against_loopback_servers(tmp_path: Path) -> None:
    report = tmp_path / "bench.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--calls",
            "50",
            "--rounds",
            "1",
            "--startup-processes",
            "1",
            "--async-requests",
            "50",
            "--sandbox-requests",
            "300",
            "--output",
            str(report),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    text = report.read_text()
    for section in (
        "## 1. Client overhead",
        "## 2. Start-up",
        "## 3. Async throughput",
        "## 4. Sandbox",
    ):
        assert section in text
    for client in CLIENTS:
        assert f"`{client}`" in text
    assert "): match" in result.stdout  # every 200 from the sandbox is a repay in its ledger
