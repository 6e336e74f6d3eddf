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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyperf

from benchmarks import loopback_guard

SECTIONS = ("overhead", "startup", "async", "sandbox", "lifecycle")
HERE = Path(__file__).resolve().parent


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sections(quick: bool, names: list[str]) -> dict[str, tuple[Any, Callable[[], Any]]]:
    """Each section: its module (with `render`) and how it runs, full or `quick` (a smoke run);
    `max_seconds` bounds it (checked between rounds)."""
    from benchmarks import async_throughput, lifecycle, overhead, sandbox_capacity, startup

    def pick(full: Any, tiny: Any) -> Any:
        return tiny if quick else full

    budget = {"log": _log}
    scale = pick(1.0, 0.5)
    async_requests = pick({1: 100, 8: 400, 64: 384}, {1: 16, 8: 32, 64: 128})
    lifecycle_calls = {"debt()": pick(3000, 20), "repay_all()": pick(1200, 10)}
    return {
        "overhead": (
            overhead,
            lambda: overhead.run(
                names,
                calls=pick(5400, 120),
                rounds=pick(30, 2),
                warmup=pick(200, 20),
                max_seconds=150 * scale,
                **budget,
            ),
        ),
        "startup": (
            startup,
            lambda: startup.run(
                names, rounds=pick(2, 1), values=pick(3, 1), max_seconds=40 * scale, **budget
            ),
        ),
        "async": (
            async_throughput,
            lambda: async_throughput.run(
                requests=async_requests, rounds=pick(9, 1), max_seconds=55 * scale, **budget
            ),
        ),
        "sandbox": (
            sandbox_capacity,
            lambda: sandbox_capacity.run(
                concurrency=16,
                requests=pick(10000, 300),
                rounds=pick(7, 1),
                max_seconds=25 * scale,
                **budget,
            ),
        ),
        "lifecycle": (
            lifecycle,
            lambda: lifecycle.run(
                calls=lifecycle_calls,
                rounds=pick(30, 2),
                warmup=pick(20, 2),
                max_seconds=40 * scale,
                **budget,
            ),
        ),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="repeatable")
    parser.add_argument("--clients", help="comma-separated client ids (sections 1 and 2)")
    parser.add_argument("--output", type=Path, help="where to write the report")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 on a missed target")
    args = parser.parse_args(argv)
    loopback_guard.install()
    from benchmarks import clients, report

    names = args.clients.split(",") if args.clients else list(clients.CLIENTS)
    if unknown := [name for name in names if name not in clients.CLIENTS]:
        parser.error(f"unknown client ids {unknown}; known: {list(clients.CLIENTS)}")
    chosen = [key for key in SECTIONS if key in (args.only or SECTIONS)]
    started, results = time.perf_counter(), {}
    targets, rendered, benchmarks = [], [], []
    for index, (key, (module, run)) in enumerate(_sections(args.quick, names).items()):
        if key not in chosen:
            continue
        _log(f"{index + 1}/{len(SECTIONS)} {key}")
        result = results[key] = run()
        lines, judged = module.render(result)
        rendered.append(lines)
        targets += judged
        found = result.benchmarks
        benchmarks += list(found.values()) if isinstance(found, dict) else found
    if args.output:
        output = args.output
    elif len(chosen) == len(SECTIONS) and not args.quick and not args.clients:
        output = HERE / "latest.md"
    else:
        output = HERE / ".bench" / ("latest-quick.md" if args.quick else "latest-partial.md")
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    seconds = time.perf_counter() - started
    text = report.render(
        title=f"Benchmarks: POST /papi/v1/repayLoan clients ({stamp}, {seconds:.0f} s)",
        command=" ".join(["python -m benchmarks", *argv]),
        targets=targets,
        sections=rendered,
        overhead=results.get("overhead"),
        startup=results.get("startup"),
    )
    print(text)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    suite = output.with_suffix(".json")
    suite.unlink(missing_ok=True)
    if benchmarks:
        pyperf.BenchmarkSuite(benchmarks).dump(str(suite))
    _log(f"written to {output} and {suite}\ntargets:")
    verdicts = {True: "met", False: "NOT MET", None: "not judged"}
    for target in targets:
        _log(f"  {verdicts[target.met]:>10}  {target.name}: {target.measured.replace('**', '')}")
    missed = [target.name for target in targets if target.met is False]
    return 1 if missed and args.fail_on_miss else 0


if __name__ == "__main__":
    sys.exit(main())
