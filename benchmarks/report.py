"""Render the measured results as one markdown document, targets included."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from benchmarks import clients
from benchmarks.async_throughput import FLOOR as ASYNC_FLOOR
from benchmarks.async_throughput import OURS as ASYNC_OURS
from benchmarks.async_throughput import AsyncReport
from benchmarks.client_overhead import SLICES, OverheadReport, ServerResults
from benchmarks.loan_lifecycle import (
    DEBT,
    OPERATIONS,
    REPAY_ALL,
    REQUESTS_PER_CALL,
    LifecycleReport,
)
from benchmarks.loan_lifecycle import OURS as LIFECYCLE_OURS
from benchmarks.loan_lifecycle import SDK as LIFECYCLE_SDK
from benchmarks.sandbox_capacity import BARE, SANDBOX, CapacityReport
from benchmarks.startup import (
    CLI_HELP,
    CLI_HELP_TARGET_S,
    PYTHON_BARE,
    PYTHON_HTTPX,
    CliStartupReport,
    StartupReport,
)
from benchmarks.stats import Spread

WALL_TARGET = 1.05  # ours / plain-httpx floor, wall time per call
CPU_TARGET = 1.10  # ours / plain-httpx floor, client CPU time per call
REPAY_LAYER_TARGET = 1.10  # RepayClient.repay() / plain-httpx floor, wall time per call
ASYNC_TARGET = 0.95  # ours / hand-signed httpx.AsyncClient, requests per second
ASYNC_TARGET_LEVELS = (8, 64)
CAPACITY_TARGET = 0.5
LIFECYCLE_TARGET = "debt() and repay_all() below the official SDK per call"
REPAY_LAYER = "ours-repay"


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
    return {True: "met", False: "**not met**", None: "not judged"}[met]


def _skipped(skipped: Mapping[str, str]) -> list[str]:
    return [f"- skipped `{name}`: {why}" for name, why in skipped.items()]


def _ratio(spread: Spread) -> str:
    """A round-by-round ratio: median (IQR) [min–max]."""
    return spread.show(2, extremes=True)


def _server_table(server: ServerResults) -> list[str]:
    ours = server.get(clients.OURS)
    floor = server.get(clients.FLOOR)
    rows = []
    for result in server.results:
        rows.append(
            [
                result.label,
                result.wall_spread.show(1),
                _ratio(result.wall_vs(floor)) if floor else "n/a",
                result.cpu_spread.show(1),
                _ratio(result.cpu_vs(floor)) if floor else "n/a",
                f"{result.wall_vs(ours).median:.2f}" if ours else "n/a",
                f"{result.p90_us:.1f}",
                f"`{result.name}`",
            ]
        )
    return _table(
        [
            "client",
            "wall µs/call",
            "wall × httpx floor",
            "client CPU µs/call",
            "CPU × httpx floor",
            "wall × ours",
            "p90 µs",
            "id",
        ],
        rows,
    )


def _overhead_targets(server: ServerResults, rounds: int, targets: list[Target]) -> None:
    tag = f"[{server.server.id}]"
    ours = server.get(clients.OURS)
    floor = server.get(clients.FLOOR)
    layer = server.get(REPAY_LAYER)
    checks = [
        (f"{tag} ours wall ≤ {WALL_TARGET:.2f} × plain-httpx floor", ours, "wall", WALL_TARGET),
        (f"{tag} ours client CPU ≤ {CPU_TARGET:.2f} × plain-httpx floor", ours, "cpu", CPU_TARGET),
        (
            f"{tag} RepayClient.repay() wall ≤ {REPAY_LAYER_TARGET:.2f} × plain-httpx floor",
            layer,
            "wall",
            REPAY_LAYER_TARGET,
        ),
    ]
    for name, result, kind, limit in checks:
        if result is None or floor is None:
            targets.append(Target(name, "not measured", None))
            continue
        spread = result.wall_vs(floor) if kind == "wall" else result.cpu_vs(floor)
        mine, theirs = (
            (result.median_us, floor.median_us) if kind == "wall" else (result.cpu_us, floor.cpu_us)
        )
        targets.append(
            Target(
                name,
                f"**{spread.median:.3f}** (IQR {spread.q1:.3f}–{spread.q3:.3f}; range "
                f"{spread.low:.3f}–{spread.high:.3f}; {spread.count} rounds); "
                f"{mine:.1f} / {theirs:.1f} µs",
                spread.median <= limit,
            )
        )
    name = f"{tag} ours per call below every public client"
    public = [server.get(n) for n in clients.PUBLIC_CLIENTS]
    measured = [p for p in public if p is not None]
    if ours is None or not measured:
        targets.append(Target(name, "not measured", None))
        return
    ratios = {p.name: p.wall_vs(ours) for p in measured}
    closest = min(ratios, key=lambda n: ratios[n].median)
    missing = [n for n, p in zip(clients.PUBLIC_CLIENTS, public, strict=True) if p is None]
    text = (
        f"closest public: {closest} **{ratios[closest].median:.2f}** × ours (IQR "
        f"{ratios[closest].q1:.2f}–{ratios[closest].q3:.2f}); "
        + ", ".join(f"{n} {r.median:.2f}" for n, r in ratios.items())
    )
    if missing:
        text += f"; not measured: {', '.join(missing)}"
    targets.append(Target(name, text, all(r.median > 1.0 for r in ratios.values()) and not missing))


def overhead_section(report: OverheadReport, targets: list[Target]) -> list[str]:
    lines = [
        "## 1. Client overhead: sequential signed repays, three servers",
        "",
        "Every client against each server in its own process, all answering "
        '`{"tranId":1}` with `X-MBX-USED-WEIGHT-1M`: `constant` is '
        "`benchmarks/constant_server.py` (hand-written HTTP/1.1 keep-alive on asyncio + uvloop, "
        "the cheapest answer, so the clients' own costs dominate); `uvicorn-cl` and "
        "`uvicorn-chunked` are `benchmarks/asgi_server.py` (uvicorn + httptools + uvloop, a bare "
        "ASGI app) answering with `Content-Length` and with `Transfer-Encoding: chunked` "
        "(framing checked on the wire before timing). "
        f"{report.calls_per_client} timed calls per client and server after {report.warmup} "
        f"warm-up calls, in {report.rounds} rounds: in each round, for each server, every client "
        f"makes one block of sequential calls, cut in {SLICES} slices that the clients take "
        "in turn (interleaved), the clients' order rotated each round. "
        "Per round and client: wall = median µs of the block's calls; client CPU = this "
        "process's user + system CPU time over the block's slices per call (the client's own "
        "work, not waiting for the server). Cells: median over rounds (IQR). "
        "Ratios (× floor, × ours) are taken round by round between blocks of the same round, "
        "then summarised as median (IQR) [min–max]; targets are judged on those medians. "
        "p90 over all calls. Every client's request was first checked by a verifying server "
        "(API key, HMAC over query + body, asset/amount/timestamp). "
        f"Section time {report.seconds:.0f} s.",
        "",
    ]
    for server_id, why in report.skipped_servers.items():
        lines.append(f"- server `{server_id}` skipped: {why}")
    for index, server in enumerate(report.servers):
        lines += [
            "",
            f"### 1{'abcdefgh'[index]}. `{server.server.id}`: {server.server.label}",
            "",
            f"Answer framing seen on the wire: {server.framing}.",
            "",
            *_server_table(server),
        ]
        _overhead_targets(server, report.rounds, targets)
    if not report.servers:
        for name in ("ours wall", "ours client CPU", "RepayClient.repay() wall", "ranking"):
            targets.append(Target(f"section 1: {name}", "not measured", None))
    lines += ["", "What each row calls:", ""]
    lines += [f"- `{r.name}`: {r.note}" for r in report.results]
    lines += _skipped(report.skipped)
    repay_layer = next((r for r in report.results if r.name == REPAY_LAYER), None)
    if repay_layer:
        lines += [
            "",
            f"Note on `ours-repay`: each of its clients made {report.warmup + repay_layer.calls} "
            f"repays within this section's {report.seconds:.0f} s, far past Binance's real limit "
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


def cli_startup_section(report: CliStartupReport, targets: list[Target]) -> list[str]:
    help_name = f"`{CLI_HELP}` < {CLI_HELP_TARGET_S:.3f} s (whole process, median)"
    httpx_name = f"`{CLI_HELP}` does not import httpx"
    lines = [
        f"## 2b. Start-up of the command line: `{CLI_HELP}`",
        "",
    ]
    if report.skipped:
        targets.append(Target(help_name, "not measured", None))
        targets.append(Target(httpx_name, "not measured", None))
        return [*lines, f"- skipped: {report.skipped}"]
    lines += [
        f"Whole processes timed from outside, fork to reaped ({report.processes} per command, "
        "commands taking turns, after one untimed run each): wall time, and the process's user "
        "+ system CPU time from the kernel's accounting of children. `python` is the "
        f"interpreter of this environment; the script is `{report.command}`. Section time "
        f"{report.seconds:.0f} s.",
        "",
    ]
    rows = [
        [
            f"`{r.name}`",
            f"{r.median_ms:.1f}",
            f"{r.min_ms:.1f}–{r.max_ms:.1f}",
            f"{r.cpu_median_ms:.1f}",
        ]
        for r in report.results
    ]
    lines += _table(["command", "wall ms (median)", "wall min–max", "CPU ms (median)"], rows)
    imported = "yes" if report.imports_httpx else "no"
    heaviest = ", ".join(f"`{name}` {ms:.1f}" for name, ms in report.heaviest_imports)
    lines += [
        "",
        f"One more run with `-X importtime`: {report.imported_modules} modules imported; httpx "
        f"imported: **{imported}**"
        + (f" ({report.httpx_import_ms:.1f} ms cumulative)" if report.imports_httpx else "")
        + f"; heaviest imports of the first two levels (cumulative ms): {heaviest}.",
    ]
    cli = report.get(CLI_HELP)
    bare, with_httpx = report.get(PYTHON_BARE), report.get(PYTHON_HTTPX)
    if cli:
        context = ""
        if bare and with_httpx:
            context = (
                f"; `{PYTHON_BARE}` {bare.median_ms / 1000:.3f} s, "
                f"`{PYTHON_HTTPX}` {with_httpx.median_ms / 1000:.3f} s"
            )
        targets.append(
            Target(
                help_name,
                f"**{cli.median_ms / 1000:.3f} s** (min {cli.min_ms / 1000:.3f}, max "
                f"{cli.max_ms / 1000:.3f}; CPU {cli.cpu_median_ms / 1000:.3f} s){context}",
                cli.median_ms / 1000 < CLI_HELP_TARGET_S,
            )
        )
    else:
        targets.append(Target(help_name, "not measured", None))
    targets.append(
        Target(
            httpx_name,
            f"httpx imported: {imported} ({report.imported_modules} modules imported)",
            None if report.imports_httpx is None else not report.imports_httpx,
        )
    )
    return lines


def async_section(report: AsyncReport, targets: list[Target]) -> list[str]:
    lines = [
        "## 3. Async throughput: our client on httpx.AsyncClient",
        "",
        f"{report.requests_per_level} requests per concurrency level, client and round, shared "
        "by `concurrency` tasks on one client (a fresh client per level and round, warmed up at "
        f"that concurrency), against the constant-answer server, in {report.rounds} rounds; "
        "within a round, at each level, the two clients take turns: the requests are cut in "
        "slices (up to 6, each at least 4 × the concurrency) run by the clients alternately, "
        "which goes first alternating by round. requests/s: median over rounds (IQR); "
        "× floor: the ratio ours / floor taken round by round, as median (IQR) [min–max]; "
        "CPU µs/request: this process's user + system time per request (median over rounds); "
        "p50/p99 over all rounds' "
        f"requests. Section time {report.seconds:.0f} s.",
        "",
    ]
    rows = []
    for series in report.results:
        floor = report.series(ASYNC_FLOOR, series.concurrency)
        rows.append(
            [
                series.client,
                str(series.concurrency),
                series.per_second_spread.show(0),
                _ratio(series.vs(floor)) if floor else "n/a",
                f"{series.cpu_us:.0f}",
                f"{series.cpu_vs(floor).median:.2f}" if floor else "n/a",
                f"{series.p50_ms:.2f}",
                f"{series.p99_ms:.2f}",
                str(series.errors),
            ]
        )
    lines += _table(
        [
            "client",
            "concurrency",
            "requests/s",
            "× floor req/s",
            "CPU µs/request",
            "CPU × floor",
            "p50 ms",
            "p99 ms",
            "errors",
        ],
        rows,
    )
    lines += _skipped(report.skipped)
    for level in ASYNC_TARGET_LEVELS:
        name = (
            f"async, {level} in flight: ours ≥ {ASYNC_TARGET:.2f} × hand-signed "
            "httpx.AsyncClient req/s"
        )
        ours, floor = report.series(ASYNC_OURS, level), report.series(ASYNC_FLOOR, level)
        if ours is None or floor is None:
            targets.append(Target(name, "not measured", None))
            continue
        ratio = ours.vs(floor)
        errors = ours.errors or floor.errors
        targets.append(
            Target(
                name,
                f"**{ratio.median:.3f}** (IQR {ratio.q1:.3f}–{ratio.q3:.3f}; range "
                f"{ratio.low:.3f}–{ratio.high:.3f}; {ratio.count} rounds); "
                f"{ours.per_second:.0f} / {floor.per_second:.0f} req/s"
                + (f"; errors {ours.errors} / {floor.errors}" if errors else ""),
                ratio.median >= ASYNC_TARGET and not ours.errors,
            )
        )
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


def lifecycle_section(report: LifecycleReport, targets: list[Target]) -> list[str]:
    calls = ", ".join(f"{report.calls.get(op, 0)} `{op}`" for op in OPERATIONS)
    warmup = ", ".join(f"{report.warmup.get(op, 0)} `{op}`" for op in OPERATIONS)
    lines = [
        "## 5. Loan lifecycle: `debt()` and `repay_all()` against the sandbox, ours vs the "
        "official SDK",
        "",
        "`RepayClient.debt(asset)` (one signed `GET /papi/v1/balance?asset=`, weight 20) and "
        "`RepayClient.repay_all(asset)` (balance, one `POST /papi/v1/repayLoan` of principal + "
        "interest, balance again) next to the official SDK making the same requests "
        "(`account_balance(asset)`; `account_balance`, `margin_account_repay` of principal + "
        "interest as a float, `account_balance`). One sandbox process (`python -m papi_sandbox "
        "--admin`, one HMAC account, `--weight-limit` out of reach) on loopback; before each "
        "`repay_all()` call, outside the timed part, the account's debt is set again (admin "
        "API, its own connection) to principal 250 + interest 1.25, so every call repays "
        "251.25 and leaves 0 (each answer checked after its block). "
        f"Timed calls per client: {calls}, after {warmup} warm-up calls, in {report.rounds} "
        "rounds: in each round, for each operation, each client makes one block of sequential "
        "calls, which client goes first alternating by round. Per round and client: wall = "
        "median µs of the block's calls; client CPU = this process's user + system CPU time "
        "per call (around each call: the re-seeding is left out). Cells: median over rounds "
        "(IQR); × SDK: ours / SDK taken round by round, as median (IQR) [min–max]; p90 over "
        f"all calls. Section time {report.seconds:.0f} s.",
        "",
    ]
    if report.skipped:
        targets.append(Target(LIFECYCLE_TARGET, "not measured", None))
        return [*lines, *_skipped(report.skipped)]
    if report.failure:
        targets.append(Target(LIFECYCLE_TARGET, f"failed: {report.failure}", False))
        return [*lines, f"- **failed**, nothing judged: {report.failure}"]
    rows = []
    for op in OPERATIONS:
        sdk = report.get(op, LIFECYCLE_SDK)
        for name in (LIFECYCLE_OURS, LIFECYCLE_SDK):
            result = report.get(op, name)
            if result is None:
                continue
            rows.append(
                [
                    f"`{op}`",
                    result.label,
                    str(REQUESTS_PER_CALL[op]),
                    result.wall_spread.show(1),
                    _ratio(result.wall_vs(sdk)) if sdk else "n/a",
                    result.cpu_spread.show(1),
                    _ratio(result.cpu_vs(sdk)) if sdk else "n/a",
                    f"{result.p90_us:.1f}",
                    str(result.calls),
                    f"`{name}`",
                ]
            )
    lines += _table(
        [
            "call",
            "client",
            "requests/call",
            "wall µs/call",
            "wall × SDK",
            "client CPU µs/call",
            "CPU × SDK",
            "p90 µs",
            "calls",
            "id",
        ],
        rows,
    )
    lines += ["", "What each client calls:", ""]
    lines += [f"- `{name}`: {note}" for name, note in report.notes.items()]
    lines += [f"- {check}" for check in report.checks]
    parts, met = [], True
    for op in (DEBT, REPAY_ALL):
        ours, sdk = report.get(op, LIFECYCLE_OURS), report.get(op, LIFECYCLE_SDK)
        if ours is None or sdk is None:
            parts.append(f"`{op}` not measured")
            met = False
            continue
        ratio = ours.wall_vs(sdk)
        parts.append(
            f"`{op}` **{ratio.median:.3f}** × SDK (IQR {ratio.q1:.3f}–{ratio.q3:.3f}; range "
            f"{ratio.low:.3f}–{ratio.high:.3f}; {ratio.count} rounds), {ours.median_us:.1f} / "
            f"{sdk.median_us:.1f} µs"
        )
        met = met and ratio.median < 1.0
    checked = all(check.endswith(": match") for check in report.checks) and report.checks
    if not checked:
        parts.append("ledger check failed")
    measured_any = any(report.get(op, LIFECYCLE_OURS) for op in OPERATIONS)
    targets.append(
        Target(
            LIFECYCLE_TARGET,
            "; ".join(parts),
            (met and bool(checked)) if measured_any else None,
        )
    )
    return lines


def summary_section(overhead: OverheadReport | None, startup: StartupReport | None) -> list[str]:
    """One row per client: per-call cost on each server and start-up side by side."""
    primary = overhead.primary if overhead else None
    per_call = {r.name: r for r in primary.results} if primary else {}
    others = [s for s in overhead.servers if s is not primary] if overhead else []
    boot = {r.name: r for r in startup.results} if startup else {}
    names = [name for name in clients.CLIENT_MODULES if name in per_call or name in boot]
    if not names:
        return []
    ours_call, floor_call = per_call.get(clients.OURS), per_call.get(clients.FLOOR)
    ours_boot = boot.get(clients.OURS)
    rows = []
    for name in names:
        call, start = per_call.get(name), boot.get(name)
        row = [
            f"`{name}`",
            f"{call.median_us:.1f}" if call else "",
            f"{call.wall_vs(ours_call).median:.2f}" if call and ours_call else "",
            f"{call.wall_vs(floor_call).median:.2f}" if call and floor_call else "",
        ]
        for server in others:
            mine, floor = server.get(name), server.get(clients.FLOOR)
            row.append(f"{mine.wall_vs(floor).median:.2f}" if mine and floor else "")
        row += [
            f"{start.median_ms:.1f}" if start else "",
            f"{start.median_ms / ours_boot.median_ms:.2f}" if start and ours_boot else "",
        ]
        rows.append(row)
    primary_id = primary.server.id if primary else "-"
    header = [
        "client",
        f"µs per repay (`{primary_id}`, median)",
        "× ours",
        "× httpx floor",
        *(f"× httpx floor (`{server.server.id}`)" for server in others),
        "start-up ms (median)",
        "start-up × ours",
    ]
    return [
        "## Summary per client (details in sections 1 and 2)",
        "",
        "Ratios are medians of round-by-round ratios (section 1).",
        "",
        *_table(header, rows),
    ]


def targets_section(targets: list[Target]) -> list[str]:
    rows = [[t.name, t.measured, _verdict(t.met)] for t in targets]
    met = sum(t.met is True for t in targets)
    not_met = sum(t.met is False for t in targets)
    return [
        "## Targets (same run)",
        "",
        f"{met} met, {not_met} not met, {len(targets) - met - not_met} not judged. Per-call "
        "and throughput ratios: median of the round-by-round ratios (IQR; range; rounds), "
        "then the medians of the two sides.",
        "",
        *_table(["target", "measured", "verdict"], rows),
    ]


def render(
    *,
    title: str,
    command: str,
    machine: Mapping[str, str],
    overhead: OverheadReport | None,
    startup: StartupReport | None,
    async_report: AsyncReport | None,
    capacity: CapacityReport | None,
    cli_startup: CliStartupReport | None = None,
    lifecycle: LifecycleReport | None = None,
    extra: list[str] | None = None,
    note: str | None = None,
) -> tuple[str, list[Target]]:
    """The markdown report, and the targets it judged."""
    targets: list[Target] = []
    body: list[str] = []
    if overhead is not None:
        body += ["", *overhead_section(overhead, targets)]
    if startup is not None:
        body += ["", *startup_section(startup, targets)]
    if cli_startup is not None:
        body += ["", *cli_startup_section(cli_startup, targets)]
    if async_report is not None:
        body += ["", *async_section(async_report, targets)]
    if capacity is not None:
        body += ["", *capacity_section(capacity, targets)]
    if lifecycle is not None:
        body += ["", *lifecycle_section(lifecycle, targets)]
    head = [
        f"# {title}",
        "",
        f"Command: `{command}`",
        "",
        *([note, ""] if note else []),
        *_table(["machine", ""], [[k, v] for k, v in machine.items()]),
    ]
    if targets:
        head += ["", *targets_section(targets)]
    summary = summary_section(overhead, startup)
    if summary:
        head += ["", *summary]
    tail = ["", *extra] if extra else []
    return "\n".join(head + body + tail) + "\n", targets
