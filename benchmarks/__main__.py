"""python -m benchmarks [--quick] [--only SECTION ...] [--profile] [--fail-on-miss] [sizes]

Runs the benchmark sections, prints one markdown report and writes it to a file: a full run of
every section writes `benchmarks/latest.md`; a `--quick` or partial run writes
`benchmarks/.bench/latest-quick.md` or `latest-partial.md` there instead (git-ignored), so it
never replaces the last full result. Every server and load generator runs on 127.0.0.1 in child
processes that end by themselves; every loop is bounded in count and time (a full run takes
about 3 minutes on 2 cores; 185 s the last time).

Sections (`--only`): overhead (1), startup (2, 2b), async (3), sandbox (4), lifecycle (5:
`RepayClient.debt()` / `repay_all()` vs the official SDK against the sandbox).

The report opens with every target judged in this run, its figure and its verdict (met / not
met); ratios there are medians of round-by-round ratios, so drift between rounds cancels out.

Sizes can also come from the environment: BENCH_CALLS (calls per client and server in section 1).
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

from benchmarks import loopback_guard

SECTIONS = ("overhead", "startup", "async", "sandbox", "lifecycle")
FULL_OUTPUT = Path(__file__).resolve().parent / "latest.md"
SCRATCH = Path(__file__).resolve().parent / ".bench"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run (< 1 min)")
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        help="run only this section (repeatable); default: all",
    )
    parser.add_argument("--clients", help="comma-separated client ids for sections 1-2")
    parser.add_argument(
        "--servers",
        help="section 1: comma-separated server ids (default: constant,uvicorn-cl,uvicorn-chunked)",
    )
    parser.add_argument("--calls", type=int, help="section 1: timed calls per client and server")
    parser.add_argument("--rounds", type=int, help="section 1: rounds")
    parser.add_argument("--startup-processes", type=int, help="section 2: processes per client")
    parser.add_argument(
        "--cli-processes", type=int, help="section 2b: processes per command (papi-repay --help)"
    )
    parser.add_argument("--async-requests", type=int, help="section 3: requests per level")
    parser.add_argument("--async-rounds", type=int, help="section 3: rounds")
    parser.add_argument("--sandbox-requests", type=int, help="section 4: requests per run")
    parser.add_argument("--concurrency", type=int, help="section 4: load generator connections")
    parser.add_argument("--debt-calls", type=int, help="section 5: timed debt() calls per client")
    parser.add_argument(
        "--repay-all-calls", type=int, help="section 5: timed repay_all() calls per client"
    )
    parser.add_argument("--lifecycle-rounds", type=int, help="section 5: rounds")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also break down our per-call time and profile the sandbox (benchmarks/.bench/)",
    )
    parser.add_argument("--output", type=Path, help="where to write the report")
    parser.add_argument("--note", help="a line to print under the command (what was measured)")
    parser.add_argument(
        "--fail-on-miss",
        action="store_true",
        help="exit with status 1 when a target judged in this run was missed",
    )
    return parser.parse_args(argv)


def _sizes(args: argparse.Namespace) -> dict[str, int]:
    quick = args.quick
    env_calls = os.environ.get("BENCH_CALLS")
    return {
        "calls": args.calls or (int(env_calls) if env_calls else (300 if quick else 3600)),
        "rounds": args.rounds or (3 if quick else 40),
        "warmup": 30 if quick else 200,
        "processes": args.startup_processes or (3 if quick else 7),
        "cli_processes": args.cli_processes or (3 if quick else 11),
        "async_requests": args.async_requests or (200 if quick else 300),
        "async_rounds": args.async_rounds or (1 if quick else 16),
        "sandbox_requests": args.sandbox_requests or (500 if quick else 10000),
        "sandbox_rounds": 1 if quick else 3,
        "concurrency": args.concurrency or 16,
        "debt_calls": args.debt_calls or (60 if quick else 3000),
        "repay_all_calls": args.repay_all_calls or (30 if quick else 1200),
        "lifecycle_rounds": args.lifecycle_rounds or (3 if quick else 30),
        "lifecycle_warmup": 6 if quick else 40,
    }


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    loopback_guard.install()
    from benchmarks import (
        async_throughput,
        client_overhead,
        clients,
        loan_lifecycle,
        machine,
        profile_ours,
        profile_sandbox,
        report,
        sandbox_capacity,
        startup,
    )

    sections = tuple(args.only) if args.only else SECTIONS
    sizes = _sizes(args)
    names = args.clients.split(",") if args.clients else list(clients.CLIENT_MODULES)
    unknown = [name for name in names if name not in clients.CLIENT_MODULES]
    if unknown:
        print(
            f"unknown client ids {unknown}; known: {list(clients.CLIENT_MODULES)}", file=sys.stderr
        )
        return 2
    servers = args.servers.split(",") if args.servers else list(client_overhead.SERVERS)
    unknown = [server for server in servers if server not in client_overhead.SERVERS]
    if unknown:
        print(
            f"unknown server ids {unknown}; known: {list(client_overhead.SERVERS)}",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    overhead = startup_report = cli_report = async_report = capacity = lifecycle = None
    extra: list[str] = []
    if "overhead" in sections:
        _log("1/5 client overhead")
        overhead = client_overhead.run(
            names,
            calls=sizes["calls"],
            rounds=sizes["rounds"],
            warmup=sizes["warmup"],
            max_seconds=60 if args.quick else 240,
            server_ids=servers,
            log=_log,
        )
    if "startup" in sections:
        _log("2/5 start-up")
        startup_report = startup.run(
            names, processes=sizes["processes"], max_seconds=60 if args.quick else 120, log=_log
        )
        _log("2b/5 start-up of papi-repay --help")
        cli_report = startup.run_cli(
            processes=sizes["cli_processes"], max_seconds=30 if args.quick else 60, log=_log
        )
    if "async" in sections:
        _log("3/5 async throughput")
        async_report = async_throughput.run(
            levels=(1, 8, 64),
            requests=sizes["async_requests"],
            rounds=sizes["async_rounds"],
            max_seconds=60 if args.quick else 100,
            log=_log,
        )
    if "sandbox" in sections:
        _log("4/5 sandbox capacity")
        capacity = sandbox_capacity.run(
            concurrency=sizes["concurrency"],
            requests=sizes["sandbox_requests"],
            rounds=sizes["sandbox_rounds"],
            max_seconds=60 if args.quick else 600,
            log=_log,
        )
    if "lifecycle" in sections:
        _log("5/5 loan lifecycle: debt() and repay_all() vs the official SDK")
        lifecycle = loan_lifecycle.run(
            debt_calls=sizes["debt_calls"],
            repay_all_calls=sizes["repay_all_calls"],
            rounds=sizes["lifecycle_rounds"],
            warmup=sizes["lifecycle_warmup"],
            max_seconds=40 if args.quick else 75,
            log=_log,
        )
    if args.profile:
        _log("profiling our client loop")
        extra += profile_ours.run(SCRATCH, calls=500 if args.quick else 6000, log=_log)
        if "sandbox" in sections:
            _log("profiling the sandbox")
            extra += [
                "",
                *profile_sandbox.run(SCRATCH, requests=1000 if args.quick else 8000, log=_log),
            ]

    full = sections == SECTIONS and not args.quick and servers == list(client_overhead.SERVERS)
    command = " ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)])
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text, targets = report.render(
        title=(
            f"Benchmarks: POST /papi/v1/repayLoan clients "
            f"({stamp}, {time.perf_counter() - started:.0f} s)"
        ),
        command=command.strip(),
        machine=machine.describe(),
        overhead=overhead,
        startup=startup_report,
        async_report=async_report,
        capacity=capacity,
        cli_startup=cli_report,
        lifecycle=lifecycle,
        extra=extra,
        note=args.note,
    )
    print(text)
    if args.output is not None:
        output = args.output
    elif full:
        output = FULL_OUTPUT
    else:
        output = SCRATCH / ("latest-quick.md" if args.quick else "latest-partial.md")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    _log(f"written to {output}")
    _log("targets:")
    for target in targets:
        verdict = {True: "met", False: "NOT MET", None: "not judged"}[target.met]
        _log(f"  {verdict:>10}  {target.name}: {target.measured.replace('**', '')}")
    missed = [target.name for target in targets if target.met is False]
    if missed:
        _log("targets not met: " + "; ".join(missed))
    return 1 if missed and args.fail_on_miss else 0


if __name__ == "__main__":
    sys.exit(main())
