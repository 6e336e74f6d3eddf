"""python -m benchmarks [--quick] [--only SECTION ...] [--clients IDS] [--output PATH]

Runs the sections, prints one markdown report and writes it, with the raw per-round figures as
a pyperf JSON file beside it (same name, `.json`): a full run writes `benchmarks/latest.md` and
`benchmarks/latest.json`; a `--quick` or partial run writes under `benchmarks/.bench/`
(git-ignored), so it never replaces the last full result. Compare two runs' figures with
`python -m pyperf compare_to A.json B.json`. Every server and load generator runs on 127.0.0.1
in child processes that end by themselves; every loop is bounded in count and time.

Sections: overhead (1), startup (2), async (3), sandbox (4), lifecycle (5). The report opens
with every target judged in this run, its figure and its verdict.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

import pyperf

from benchmarks import loopback_guard

SECTIONS = ("overhead", "startup", "async", "sandbox", "lifecycle")
HERE = Path(__file__).resolve().parent
#: (full, quick) sizes
SIZES = {
    "calls": (3600, 120),  # section 1: timed calls per client and server
    "rounds": (20, 2),
    "warmup": (200, 20),
    "startup_rounds": (2, 1),  # section 2: pyperf command runs per command ...
    "startup_values": (3, 1),  # ... each timing this many processes
    "async_requests": ({1: 100, 8: 400, 64: 384}, {1: 16, 8: 32, 64: 128}),
    "async_rounds": (10, 1),
    "sandbox_requests": (10000, 300),
    "sandbox_rounds": (3, 1),
    "debt_calls": (3000, 20),
    "repay_all_calls": (1200, 10),
    "lifecycle_rounds": (30, 2),
    "lifecycle_warmup": (20, 2),
}


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="repeatable")
    parser.add_argument("--clients", help="comma-separated client ids (sections 1 and 2)")
    parser.add_argument("--output", type=Path, help="where to write the report")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 on a missed target")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    loopback_guard.install()
    from benchmarks import (
        async_throughput,
        clients,
        lifecycle,
        overhead,
        report,
        sandbox_capacity,
        startup,
    )

    size = {key: pair[1 if args.quick else 0] for key, pair in SIZES.items()}
    sections = tuple(args.only or SECTIONS)
    names = args.clients.split(",") if args.clients else list(clients.CLIENTS)
    if unknown := [name for name in names if name not in clients.CLIENTS]:
        parser.error(f"unknown client ids {unknown}; known: {list(clients.CLIENTS)}")
    budget = 1 if not args.quick else 0.5  # × the full run's time limits (seconds)
    started = time.perf_counter()
    results: dict[str, object] = {}
    if "overhead" in sections:
        _log("1/5 client overhead")
        results["overhead"] = overhead.run(
            names,
            calls=size["calls"],
            rounds=size["rounds"],
            warmup=size["warmup"],
            max_seconds=150 * budget,
            log=_log,
        )
    if "startup" in sections:
        _log("2/5 start-up (pyperf command)")
        results["startup"] = startup.run(
            names,
            rounds=size["startup_rounds"],
            values=size["startup_values"],
            max_seconds=90 * budget,
            log=_log,
        )
    if "async" in sections:
        _log("3/5 async throughput")
        results["async"] = async_throughput.run(
            requests=size["async_requests"],
            rounds=size["async_rounds"],
            max_seconds=100 * budget,
            log=_log,
        )
    if "sandbox" in sections:
        _log("4/5 sandbox capacity")
        results["sandbox"] = sandbox_capacity.run(
            concurrency=16,
            requests=size["sandbox_requests"],
            rounds=size["sandbox_rounds"],
            max_seconds=120 * budget,
            log=_log,
        )
    if "lifecycle" in sections:
        _log("5/5 loan lifecycle: debt() and repay_all() vs the official SDK")
        results["lifecycle"] = lifecycle.run(
            calls={"debt()": size["debt_calls"], "repay_all()": size["repay_all_calls"]},
            rounds=size["lifecycle_rounds"],
            warmup=size["lifecycle_warmup"],
            max_seconds=75 * budget,
            log=_log,
        )
    modules = {
        "overhead": overhead,
        "startup": startup,
        "async": async_throughput,
        "sandbox": sandbox_capacity,
        "lifecycle": lifecycle,
    }
    targets, rendered, benchmarks = [], [], []
    for key, result in results.items():
        lines, judged = modules[key].render(result)
        rendered.append(lines)
        targets += judged
        found = result.benchmarks
        benchmarks += list(found.values()) if isinstance(found, dict) else found
    full = sections == SECTIONS and not args.quick and not args.clients
    output = args.output or (
        HERE / "latest.md"
        if full
        else HERE / ".bench" / ("latest-quick.md" if args.quick else "latest-partial.md")
    )
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    seconds = time.perf_counter() - started
    text = report.render(
        title=f"Benchmarks: POST /papi/v1/repayLoan clients ({stamp}, {seconds:.0f} s)",
        command=" ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)]),
        targets=targets,
        sections=rendered,
        overhead=results.get("overhead"),  # type: ignore[arg-type]
        startup=results.get("startup"),  # type: ignore[arg-type]
    )
    print(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    suite_path = output.with_suffix(".json")
    suite_path.unlink(missing_ok=True)
    if benchmarks:
        pyperf.BenchmarkSuite(benchmarks).dump(str(suite_path))
    _log(f"written to {output} and {suite_path}")
    _log("targets:")
    verdicts = {True: "met", False: "NOT MET", None: "not judged"}
    for target in targets:
        _log(f"  {verdicts[target.met]:>10}  {target.name}: {target.measured.replace('**', '')}")
    missed = [target.name for target in targets if target.met is False]
    if missed:
        _log("targets not met: " + "; ".join(missed))
    return 1 if missed and args.fail_on_miss else 0


if __name__ == "__main__":
    sys.exit(main())
