"""The markdown report: machine, targets with verdicts, a summary per client, then each
section's own tables (rendered by its module)."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks import clients
from benchmarks.common import Target, ratios, table
from benchmarks.overhead import OverheadReport
from benchmarks.startup import StartupReport


def machine() -> list[list[str]]:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = [line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line]
    return [
        ["CPU", models[0] if models else platform.processor() or "unknown"],
        ["cores", f"{os.cpu_count()} (usable by this process: {len(os.sched_getaffinity(0))})"],
        ["Python", f"{platform.python_implementation()} {sys.version.split()[0]}"],
        ["OS", f"{platform.system()} {platform.release()}"],
        ["load average (1, 5, 15 min) at the end", ", ".join(f"{x:.2f}" for x in os.getloadavg())],
    ]


def summary(overhead: OverheadReport | None, startup: StartupReport | None) -> list[str]:
    """One row per client: per-call wall time on each server, and start-up."""
    servers = overhead.series if overhead else {}
    boot = startup.benchmarks if startup else {}
    names = [n for n in clients.CLIENTS if n in boot or any(n in s for s in servers.values())]
    if not names:
        return []
    rows = []
    for name in names:
        row = [f"`{name}`"]
        for index, series in enumerate(servers.values()):
            mine, ours, floor = (series.get(n) for n in (name, clients.OURS, clients.FLOOR))
            if index == 0:
                row += [f"{mine.median_us:.1f}" if mine else ""]
                row += [f"{ratios(mine.wall, ours.wall).median:.2f}" if mine and ours else ""]
            row += [f"{ratios(mine.wall, floor.wall).median:.2f}" if mine and floor else ""]
        if boot:
            mine, ours = boot.get(name), boot.get(clients.OURS)
            row += [f"{mine.median() * 1000:.1f}" if mine else ""]
            row += [f"{mine.median() / ours.median():.2f}" if mine and ours else ""]
        rows.append(row)
    first = next(iter(servers), "")
    header = ["client", *([f"µs per repay (`{first}`)", "× ours"] if servers else [])]
    header += [f"× httpx floor (`{server}`)" for server in servers]
    header += ["start-up ms", "start-up × ours"] if boot else []
    return [
        "## Summary per client",
        "",
        "Medians; ratios are medians of round-by-round ratios (section 1); start-up: section 2.",
        "",
        *table(header, rows),
    ]


def render(
    *,
    title: str,
    command: str,
    targets: Sequence[Target],
    sections: Sequence[list[str]],
    overhead: OverheadReport | None,
    startup: StartupReport | None,
) -> str:
    verdict = {True: "met", False: "**not met**", None: "not judged"}
    met = sum(t.met is True for t in targets)
    missed = sum(t.met is False for t in targets)
    lines = [
        f"# {title}",
        "",
        f"Command: `{command}`. The raw per-round figures are in `benchmarks/latest.json` "
        "(pyperf's format: `python -m pyperf compare_to benchmarks/latest.json other.json`).",
        "",
        *table(["machine", ""], machine()),
        "",
        "## Targets (same run)",
        "",
        f"{met} met, {missed} not met, {len(targets) - met - missed} not judged. Ratios: median "
        "of the round-by-round ratios (IQR; range; rounds), then the medians of both sides.",
        "",
        *table(
            ["target", "measured", "verdict"],
            [[t.name, t.measured, verdict[t.met]] for t in targets],
        ),
    ]
    if overhead or startup:
        lines += ["", *summary(overhead, startup)]
    for section in sections:
        lines += ["", *section]
    return "\n".join(lines) + "\n"
