"""`make demo` and `make sandbox` do what the README says."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_demo_repays_with_each_key_type_and_shows_the_ledger_move() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "demo" / "repay_demo.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    out = result.stdout
    # Three repays, the borrow, the repay of all of it: one sequence, from the wall clock.
    ids = [int(found) for found in re.findall(r"tranId\s+(\d+)", out)]
    assert ids == [ids[0] + i for i in range(5)]
    assert "repay all    0.751025 BTC" in out
    assert "debt         principal   0.00000000  interest  0.00000000  total   0.00000000" in out
    assert "left         0 BTC" in out
    assert "after   principal   150.75000000  interest  0.00000000  free   299.50000000" in out
    assert "sent as amount=0.00001" in out
    assert "NOT-A-REAL-KEY" not in out + result.stderr
    assert out.rstrip().endswith("sandbox stopped")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_make_sandbox_serves_the_demo_accounts_on_the_given_port() -> None:
    port = free_port()
    with subprocess.Popen(
        ["make", "--no-print-directory", "sandbox", f"PORT={port}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    pong = httpx.get(f"http://127.0.0.1:{port}/papi/v1/ping", timeout=1)
                    break
                except httpx.TransportError:
                    assert server.poll() is None, "make sandbox exited early"
                    assert time.monotonic() < deadline, "make sandbox never answered"
                    time.sleep(0.1)
            assert pong.status_code == 200 and pong.json() == {}
            unsigned = httpx.post(
                f"http://127.0.0.1:{port}/papi/v1/repayLoan",
                headers={"X-MBX-APIKEY": "demo-hmac-api-key"},
                params={"asset": "USDT", "amount": "1", "timestamp": "1"},
            )
            assert unsigned.json()["code"] == -1102  # a known key: signature is what's missing
        finally:
            server.terminate()
            server.wait(timeout=15)


def test_make_help_shows_values_not_variable_names() -> None:
    done = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "$(" not in done.stdout
    assert "build/docs/index.html" in done.stdout
    assert "127.0.0.1:8000 with papi_sandbox/demo_accounts.yaml" in done.stdout
    assert "(about 3 minutes)" in done.stdout
