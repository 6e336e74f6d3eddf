"""Render the measured results as one markdown document, targets included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from benchmarks import clients
from benchmarks.async_throughput import FLOOR as ASYNC_FLOOR
from benchmarks.async_throughput import AsyncReport
from benchmarks.client_overhead import OverheadReport
from benchmarks.sandbox_capacity import BARE, SANDBOX, CapacityReport
from benchmarks.startup import StartupReport

OVERHEAD_TARGET = 1.10
CAPACITY_TARGET = 0.5


@dataclass
class Target:
    name: str
    measured: str
    met: bool | None  # None: could not be judged in this run


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    align = ["---:" if i else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "not judged"}[met]


def _skipped(skipped: Mapping[str, str]) -> list[str]:
    return [f"- skipped `{name}`: {why}" for name, why in skipped.items()]


def overhead_section(report: OverheadReport, targets: list[Target]) -> list[str]:
    lines = [
        "## 1. Client overhead: sequential signed repays, constant-answer server",
        "",
        "The server is `benchmarks/constant_server.py` in its own process: hand-written HTTP/1.1 "
        "keep-alive on asyncio (uvloop when installed) answering every request with "
        '`{"tranId":1}` and `X-MBX-USED-WEIGHT-1M`, so it costs every client the same. '
        f"{report.calls_per_client} timed calls per client after {report.warmup} warm-up calls, "
        f"in {report.rounds} rounds (clients interleaved, order rotated each round). "
        "Median = median of the round medians; p90 over all calls; client CPU = this process's "
        "user + system CPU time per call (median over rounds), i.e. without waiting for the "
        "server. Every client's request was "
        "first checked by a verifying server (API key, HMAC over query + body, asset/amount/"
        f"timestamp). Section time {report.seconds:.0f} s.",
        "",
    ]
    by_name = {r.name: r for r in report.results}
    ours = by_name.get(clients.OURS)
    rows = []
    for result in report.results:
        ratio = f"{result.median_us / ours.median_us:.2f}" if ours else "n/a"
        cpu_ratio = f"{result.cpu_us / ours.cpu_us:.2f}" if ours else "n/a"
        rows.append(
            [
                result.label,
                f"{result.median_us:.1f}",
                f"{result.p90_us:.1f}",
                ratio,
                f"{result.cpu_us:.1f}",
                cpu_ratio,
                str(result.calls),
                f"`{result.name}`",
            ]
        )
    lines += _table(
        [
            "client",
            "median µs/call",
            "p90 µs",
            "× ours",
            "client CPU µs/call",
            "CPU × ours",
            "calls",
            "id",
        ],
        rows,
    )
    lines += ["", "What each row calls:", ""]
    lines += [f"- `{r.name}`: {r.note}" for r in report.results]
    lines += _skipped(report.skipped)

    floor = by_name.get(clients.FLOOR)
    if ours and floor:
        floor_ratio = ours.median_us / floor.median_us
        targets.append(
            Target(
                f"ours ≤ {OVERHEAD_TARGET:.2f} × plain-httpx floor per call",
                f"{ours.median_us:.1f} / {floor.median_us:.1f} µs = {floor_ratio:.3f} "
                f"(client CPU: {ours.cpu_us:.1f} / {floor.cpu_us:.1f} µs = "
                f"{ours.cpu_us / floor.cpu_us:.3f})",
                floor_ratio <= OVERHEAD_TARGET,
            )
        )
    else:
        targets.append(Target("ours ≤ 1.10 × plain-httpx floor per call", "not measured", None))
    public = [by_name[name] for name in clients.PUBLIC_CLIENTS if name in by_name]
    if ours and public:
        fastest = min(public, key=lambda r: r.median_us)
        targets.append(
            Target(
                "ours per call below every public client",
                f"ours {ours.median_us:.1f} µs vs fastest public ({fastest.name}) "
                f"{fastest.median_us:.1f} µs",
                ours.median_us < fastest.median_us and len(public) == len(clients.PUBLIC_CLIENTS),
            )
        )
    else:
        targets.append(Target("ours per call below every public client", "not measured", None))
    repay_layer = by_name.get("ours-repay")
    if repay_layer:
        lines += [
            "",
            f"Note on `ours-repay`: its client made {report.warmup + repay_layer.calls} repays "
            f"within this section's {report.seconds:.0f} s, far past Binance's real limit "
            "(60 repays a minute); its weight log keeps every send of the last 60 s, at a "
            "constant cost per call however long the log grows.",
        ]
    return lines


def startup_section(report: StartupReport, targets: list[Target]) -> list[str]:
    lines = [
        "## 2. Start-up: import + client construction, fresh process each",
        "",
        f"Median (and minimum) of {report.processes} fresh `python -c` processes per client, "
        "clients taking turns; timed from the first statement to a constructed client (no "
        "request sent; `-X importtime` off). The baseline row is the same process without a "
        f"client library. Section time {report.seconds:.0f} s.",
        "",
    ]
    by_name = {r.name: r for r in report.results}
    ours = by_name.get(clients.OURS)
    rows = []
    for result in report.results:
        ratio = f"{result.median_ms / ours.median_ms:.2f}" if ours else "n/a"
        rows.append(
            [
                result.label,
                f"{result.median_ms:.1f}",
                f"{result.min_ms:.1f}",
                ratio,
                f"`{result.name}`",
            ]
        )
    lines += _table(["client", "median ms", "min ms", "× ours", "id"], rows)
    lines += _skipped(report.skipped)
    public = [by_name[name] for name in clients.PUBLIC_CLIENTS if name in by_name]
    if ours and public:
        fastest = min(public, key=lambda r: r.median_ms)
        targets.append(
            Target(
                "ours start-up below every public client",
                f"ours {ours.median_ms:.1f} ms vs fastest public ({fastest.name}) "
                f"{fastest.median_ms:.1f} ms",
                ours.median_ms < fastest.median_ms and len(public) == len(clients.PUBLIC_CLIENTS),
            )
        )
    else:
        targets.append(Target("ours start-up below every public client", "not measured", None))
    return lines


def async_section(report: AsyncReport) -> list[str]:
    lines = [
        "## 3. Async throughput: our client on httpx.AsyncClient",
        "",
        f"{report.requests_per_level} requests per concurrency level and client, shared by "
        "`concurrency` tasks on one client (a fresh client per level and round, warmed up at "
        "that concurrency), against the constant-answer server; each level repeated in rounds, "
        f"the round with the median throughput shown. Section time {report.seconds:.0f} s.",
        "",
    ]
    floors = {r.concurrency: r for r in report.results if r.client == ASYNC_FLOOR}
    rows = []
    for result in report.results:
        floor = floors.get(result.concurrency)
        ratio = f"{result.per_second / floor.per_second:.2f}" if floor else "n/a"
        rows.append(
            [
                result.client,
                str(result.concurrency),
                f"{result.per_second:.0f}",
                f"{result.p50_ms:.2f}",
                f"{result.p99_ms:.2f}",
                ratio,
                str(result.errors),
            ]
        )
    lines += _table(
        ["client", "concurrency", "requests/s", "p50 ms", "p99 ms", "× floor req/s", "errors"],
        rows,
    )
    lines += _skipped(report.skipped)
    return lines


def capacity_section(report: CapacityReport, targets: list[Target]) -> list[str]:
    lines = [
        "## 4. Sandbox capacity: signed repays vs the bare endpoint on the same stack",
        "",
        f"A closed-loop load generator in its own process, {report.concurrency} keep-alive "
        f"connections, {report.requests} requests per run, {report.rounds} rounds with the "
        "servers taking turns (medians shown). Every server gets the same freshly signed HMAC "
        "repays (fresh timestamp + signature per request); the sandbox is `python -m "
        "papi_sandbox` with one seeded account (loan and balance far beyond the run) and "
        "`--weight-limit` out of reach; the bare endpoint is Starlette + uvicorn with the "
        "sandbox's uvicorn settings and one constant route. "
        f"Section time {report.seconds:.0f} s.",
        "",
    ]
    bare = report.result(BARE)
    rows = []
    for result in report.results:
        ratio = f"{result.per_second / bare.per_second:.2f}" if bare else "n/a"
        statuses = ", ".join(f"{k}: {v}" for k, v in result.statuses.items())
        errors = ", ".join(f"{k}: {v}" for k, v in result.errors.items()) or "none"
        rows.append(
            [
                result.server,
                f"{result.per_second:.0f}",
                f"{result.p50_ms:.2f}",
                f"{result.p99_ms:.2f}",
                ratio,
                statuses,
                errors,
            ]
        )
    lines += _table(
        ["server", "requests/s", "p50 ms", "p99 ms", "× bare", "HTTP statuses", "errors"], rows
    )
    lines += _skipped(report.skipped)
    lines += [f"- {note}" for note in report.notes]
    sandbox = report.result(SANDBOX)
    if sandbox and bare:
        capacity_ratio = sandbox.per_second / bare.per_second
        all_ok = set(sandbox.statuses) == {"200"} and not sandbox.errors
        targets.append(
            Target(
                f"sandbox signed repays ≥ {CAPACITY_TARGET} × bare endpoint (all answered 200)",
                f"{sandbox.per_second:.0f} / {bare.per_second:.0f} req/s = {capacity_ratio:.2f}"
                + ("" if all_ok else " (not all answers were 200)"),
                capacity_ratio >= CAPACITY_TARGET and all_ok,
            )
        )
    else:
        targets.append(Target("sandbox ≥ 0.5 × bare endpoint", "not measured", None))
    return lines


def summary_section(overhead: OverheadReport | None, startup: StartupReport | None) -> list[str]:
    """One row per client: per-call cost and start-up side by side."""
    per_call = {r.name: r for r in overhead.results} if overhead else {}
    boot = {r.name: r for r in startup.results} if startup else {}
    names = [name for name in clients.CLIENT_MODULES if name in per_call or name in boot]
    if not names:
        return []
    ours_call, floor_call = per_call.get(clients.OURS), per_call.get(clients.FLOOR)
    ours_boot = boot.get(clients.OURS)
    rows = []
    for name in names:
        call, start = per_call.get(name), boot.get(name)
        rows.append(
            [
                f"`{name}`",
                f"{call.median_us:.1f}" if call else "",
                f"{call.median_us / ours_call.median_us:.2f}" if call and ours_call else "",
                f"{call.median_us / floor_call.median_us:.2f}" if call and floor_call else "",
                f"{start.median_ms:.1f}" if start else "",
                f"{start.median_ms / ours_boot.median_ms:.2f}" if start and ours_boot else "",
            ]
        )
    return [
        "## Summary per client (details in sections 1 and 2)",
        "",
        *_table(
            [
                "client",
                "µs per repay (median)",
                "× ours",
                "× httpx floor",
                "start-up ms (median)",
                "start-up × ours",
            ],
            rows,
        ),
    ]


def targets_section(targets: list[Target]) -> list[str]:
    rows = [[t.name, t.measured, _verdict(t.met)] for t in targets]
    return ["## Targets (same run)", "", *_table(["target", "measured", "verdict"], rows)]


def render(
    *,
    title: str,
    command: str,
    machine: Mapping[str, str],
    overhead: OverheadReport | None,
    startup: StartupReport | None,
    async_report: AsyncReport | None,
    capacity: CapacityReport | None,
    extra: list[str] | None = None,
) -> tuple[str, list[Target]]:
    """The markdown report, and the targets it judged."""
    targets: list[Target] = []
    body: list[str] = []
    if overhead is not None:
        body += ["", *overhead_section(overhead, targets)]
    if startup is not None:
        body += ["", *startup_section(startup, targets)]
    if async_report is not None:
        body += ["", *async_section(async_report)]
    if capacity is not None:
        body += ["", *capacity_section(capacity, targets)]
    head = [
        f"# {title}",
        "",
        f"Command: `{command}`",
        "",
        *_table(["machine", ""], [[k, v] for k, v in machine.items()]),
    ]
    if targets:
        head += ["", *targets_section(targets)]
    summary = summary_section(overhead, startup)
    if summary:
        head += ["", *summary]
    tail = ["", *extra] if extra else []
    return "\n".join(head + body + tail) + "\n", targets
