"""`make bench` keeps working: a tiny run of every section, judged on what it did, not on speed
(speed is the benchmarks' business, never a unit test's)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyperf
import pytest

from benchmarks import clients, lifecycle
from benchmarks.common import Series, Spread, even_parts, ratios

ROOT = Path(__file__).resolve().parents[2]
TARGETS = (
    "ours wall ≤ 1.05 × plain-httpx floor",
    "ours client CPU ≤ 1.10 × plain-httpx floor",
    "RepayClient.repay() wall ≤ 1.10 × plain-httpx floor",
    "ours per call below every public client",
    "`papi-repay --help` < 0.080 s",
    "`papi-repay --help` does not import httpx",
    "async, 8 in flight: ours ≥ 0.95",
    "async, 64 in flight: ours ≥ 0.95",
    "ours start-up below every public client",
    "sandbox signed repays",
    "debt() and repay_all() below the official SDK per call",
)


def test_ratios_are_taken_round_by_round_and_summarised() -> None:
    spread = ratios([200.0, 280.0, 120.0, 320.0], [200.0, 200.0, 100.0, 200.0])
    # Ratios 1.0, 1.4, 1.2, 1.6: quartiles interpolated (`statistics.quantiles`, inclusive).
    assert (spread.low, spread.high, spread.count) == (1.0, 1.6, 4)
    assert (spread.q1, spread.median, spread.q3) == pytest.approx((1.15, 1.3, 1.45))
    assert spread.show(1, extremes=True) == "1.3 (1.1–1.4) [1.0–1.6]"
    assert Spread.of([2.0]).show() == "2.00 (2.00–2.00)"
    assert even_parts(10, 3) == [4, 3, 3] and even_parts(2, 5) == [1, 1]


def test_every_section_runs_every_client_against_loopback_servers(tmp_path: Path) -> None:
    report = tmp_path / "bench.md"
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--output", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    text = report.read_text()
    for section in (
        "## Targets (same run)",
        "## Summary per client",
        "## 1. Client overhead",
        "### 1a. `constant`",
        "### 1b. `uvicorn-cl`: uvicorn + httptools + uvloop, bare ASGI app, Content-Length "
        "(content-length: ",
        "### 1c. `uvicorn-chunked`: uvicorn + httptools + uvloop, bare ASGI app, "
        "Transfer-Encoding: chunked (chunked)",
        "## 2. Start-up: whole processes (pyperf `command`)",
        "## 3. Async throughput",
        "## 4. Sandbox",
        "## 5. Loan lifecycle: `debt()` and `repay_all()` against the sandbox",
    ):
        assert section in text
    assert "skipped" not in text
    for client in clients.CLIENTS:
        assert f"`{client}`" in text
    # Every target is printed with a figure and a verdict, in the report and on stderr.
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for target in TARGETS:
        matching = [row for row in rows if target in row]
        assert matching, target
        for row in matching:
            assert re.search(r"\| (met|\*\*not met\*\*|not judged) \|$", row), row
            assert "not measured" not in row, row
    assert "targets:" in result.stderr
    # Ratios as median (q1–q3) [min–max].
    assert re.search(r"\| \d\.\d\d \(\d\.\d\d–\d\.\d\d\) \[\d\.\d\d–\d\.\d\d\] \|", text)
    # Every 200 from the sandbox is a repay in its ledger, in sections 4 and 5.
    assert "HTTP 200 answers to repays (warm-up included): match" in text
    assert "repay_all() calls (untimed ones included), each checked to repay 251.25" in text
    # The per-round figures, as a pyperf suite that pyperf's own tools read.
    suite = pyperf.BenchmarkSuite.load(str(report.with_suffix(".json")))
    names = suite.get_benchmark_names()
    assert "overhead constant ours wall" in names and "startup papi-repay --help" in names
    assert "lifecycle debt() ours-repay wall" in names
    compared = subprocess.run(
        [sys.executable, "-m", "pyperf", "compare_to", "-q", str(report.with_suffix(".json"))]
        + [str(report.with_suffix(".json"))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert compared.returncode == 0, compared.stderr


def _lifecycle(ours: list[float], sdk: list[float], **extra: object) -> lifecycle.LifecycleReport:
    series = {
        op: {
            name: Series(name, name, wall=walls, cpu=walls, calls_us=walls)
            for name, walls in ((lifecycle.OURS, ours), (lifecycle.SDK, sdk))
        }
        for op in lifecycle.OPERATIONS
    }
    ledger = "ledger check: 4 repay records vs 4 repay_all() calls: match"
    return lifecycle.LifecycleReport(series=series, rounds=len(ours), ledger=ledger, **extra)  # type: ignore[arg-type]


def test_lifecycle_target_is_judged_on_round_by_round_ratios() -> None:
    def verdict(report: lifecycle.LifecycleReport) -> bool | None:
        _, (target,) = lifecycle.render(report)
        assert target.name == "debt() and repay_all() below the official SDK per call"
        return target.met

    assert verdict(_lifecycle([90.0, 200.0], [100.0, 210.0])) is True
    assert verdict(_lifecycle([110.0, 200.0], [100.0, 190.0])) is False
    # A wrong answer (e.g. a repay_all() that left debt) is a miss, never a figure.
    assert verdict(_lifecycle([90.0], [100.0], failure="repay_all() left 1.25")) is False
    # A ledger that does not match is a miss too.
    mismatch = _lifecycle([90.0], [100.0])
    mismatch.ledger = "ledger check: 3 repay records vs 4 repay_all() calls: **MISMATCH**"
    assert verdict(mismatch) is False
    assert verdict(lifecycle.LifecycleReport()) is None
