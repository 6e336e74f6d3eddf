"""`make bench` keeps working: a tiny run of every section, judged on what it did, not on speed
(speed is the benchmarks' business, never a unit test's)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from benchmarks import report as bench_report
from benchmarks.loan_lifecycle import (
    DEBT,
    OURS,
    REPAY_ALL,
    SDK,
    LifecycleReport,
    LifecycleResult,
)
from benchmarks.stats import Spread, paired_ratios

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
LIFECYCLE_MATCH = (
    "repay_all() calls (warm-up included), each checked to repay 251.25 and leave 0: match"
)


def test_ratios_are_taken_round_by_round_and_summarised() -> None:
    ratios = paired_ratios([110.0, 300.0, 105.0, 99.0], [100.0, 280.0, 100.0, 100.0])
    assert [round(r, 3) for r in ratios] == [1.1, 1.071, 1.05, 0.99]
    spread = Spread.of(ratios)
    assert (spread.low, spread.high, spread.count) == (0.99, 1.1, 4)
    assert spread.q1 <= spread.median <= spread.q3
    assert spread.show(2, extremes=True) == "1.06 (0.99–1.07) [0.99–1.10]"


def test_every_section_runs_every_client_against_loopback_servers(tmp_path: Path) -> None:
    report = tmp_path / "bench.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--calls",
            "40",
            "--rounds",
            "2",
            "--startup-processes",
            "1",
            "--cli-processes",
            "1",
            "--async-requests",
            "50",
            "--async-rounds",
            "2",
            "--sandbox-requests",
            "300",
            "--debt-calls",
            "20",
            "--repay-all-calls",
            "10",
            "--lifecycle-rounds",
            "2",
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
        "## Targets (same run)",
        "## 1. Client overhead",
        "### 1a. `constant`",
        "## 2. Start-up",
        "## 2b. Start-up of the command line: `papi-repay --help`",
        "## 3. Async throughput",
        "## 4. Sandbox",
        "## 5. Loan lifecycle: `debt()` and `repay_all()` against the sandbox",
    ):
        assert section in text
    if importlib.util.find_spec("httptools") is not None:
        # The second server, in both framings, checked on the wire before timing.
        assert "### 1b. `uvicorn-cl`" in text
        assert "### 1c. `uvicorn-chunked`" in text
        assert "Answer framing seen on the wire: content-length: 12." in text
        assert "Answer framing seen on the wire: chunked." in text
    else:
        assert "server `uvicorn-cl` skipped: needs uvicorn + httptools" in text
    for client in CLIENTS:
        assert f"`{client}`" in text
    # Every target is printed with a figure and a verdict, in the report and on stderr.
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    for target in TARGETS:
        matching = [row for row in rows if target in row]
        assert matching, target
        for row in matching:
            assert re.search(r"\| (met|\*\*not met\*\*|not judged) \|$", row), row
    assert "targets:" in result.stderr
    # Per-round spreads: median (q1–q3) for the figures, [min–max] for the ratios.
    assert re.search(r"\| \d+\.\d \(\d+\.\d–\d+\.\d\) \| \d\.\d\d \(\d\.\d\d–\d\.\d\d\) \[", text)
    assert "): match" in result.stdout  # every 200 from the sandbox is a repay in its ledger
    # Section 5: both calls by both clients, every repay_all() repaid the whole debt, one repay
    # record each.
    for operation in ("`debt()`", "`repay_all()`"):
        lifecycle_rows = [row for row in rows if row.startswith(f"| {operation} |")]
        assert [row.rsplit("| ", 2)[-1] for row in lifecycle_rows] == [
            "`ours-repay` |",
            "`official-sdk` |",
        ], lifecycle_rows
    assert LIFECYCLE_MATCH in text


def _lifecycle_report(
    ours_us: list[float], sdk_us: list[float], **extra: object
) -> LifecycleReport:
    results = []
    for operation in (DEBT, REPAY_ALL):
        for name, walls in ((OURS, ours_us), (SDK, sdk_us)):
            results.append(
                LifecycleResult(
                    operation,
                    name,
                    name,
                    round_medians_us=walls,
                    round_cpu_us=walls,
                    samples_ns=[int(w * 1000) for w in walls],
                )
            )
    return LifecycleReport(
        results=results,
        skipped={},
        notes={OURS: "ours", SDK: "sdk"},
        calls={DEBT: 2, REPAY_ALL: 2},
        rounds=2,
        warmup={DEBT: 1, REPAY_ALL: 1},
        seconds=1.0,
        checks=[f"lifecycle ledger check: 4 repay records vs 4 {LIFECYCLE_MATCH}"],
        **extra,  # type: ignore[arg-type]
    )


def test_lifecycle_target_is_judged_on_round_by_round_ratios() -> None:
    def verdict(report: LifecycleReport) -> bool | None:
        targets: list[bench_report.Target] = []
        bench_report.lifecycle_section(report, targets)
        (target,) = targets
        assert target.name == "debt() and repay_all() below the official SDK per call"
        return target.met

    assert verdict(_lifecycle_report([90.0, 200.0], [100.0, 210.0])) is True
    assert verdict(_lifecycle_report([110.0, 200.0], [100.0, 190.0])) is False
    # A wrong answer (e.g. a repay_all() that left debt) is a miss, never a figure.
    assert verdict(_lifecycle_report([90.0], [100.0], failure="repay_all() left 1.25")) is False
    skipped = LifecycleReport([], {"section": "no sandbox"}, {}, {}, 0, {}, 0.0)
    assert verdict(skipped) is None
