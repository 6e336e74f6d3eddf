"""Section 2: start-up, whole processes timed by pyperf's `command` benchmark.

Each client's command is a fresh `python -c` that installs the loopback guard, imports
`benchmarks.clients` and constructs the client (which imports its library; nothing is sent);
the baseline is the same process without constructing a client. The command line is timed the
way a user meets it: `papi-repay --help`, next to `python -c pass` and `python -c 'import
httpx'`. Every command runs once untimed (byte-code caches), then in rounds, the commands
taking turns in an order rotated each round: one `python -m pyperf command --append` per command
and round (one worker process, `values` timed processes, fork to reaped), so the file gathers
every round's values. One more run of `papi-repay --help` with `-X importtime` lists what it
imports.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyperf

from benchmarks import clients
from benchmarks.child_process import PROJECT_ROOT, child_env, run_python
from benchmarks.common import Target, table

BASELINE = "baseline"
CLI_HELP, PYTHON_BARE, PYTHON_HTTPX = (
    "papi-repay --help",
    "python -c pass",
    "python -c 'import httpx'",
)
CLI_HELP_TARGET_S = 0.080
_SNIPPET = (
    "from benchmarks import loopback_guard; loopback_guard.install(); "
    "from benchmarks.clients import CLIENTS; "
)


@dataclass
class StartupReport:
    benchmarks: dict[str, pyperf.Benchmark] = field(default_factory=dict)  # name: its values
    skipped: dict[str, str] = field(default_factory=dict)
    rounds: int = 0
    values: int = 0
    imports: dict[str, float] = field(default_factory=dict)  # `--help`: module: cumulative ms
    heaviest: list[tuple[str, float]] = field(default_factory=list)
    seconds: float = 0.0

    def ms(self, name: str) -> float:
        return self.benchmarks[name].median() * 1000


def _commands(names: Sequence[str]) -> dict[str, list[str]]:
    # Nothing listens on port 9: constructing must not connect, and the guard refuses the rest.
    key, secret = clients.API_KEY, clients.API_SECRET
    build = "CLIENTS[{!r}]('http://127.0.0.1:9', {!r}, {!r})"
    commands = {BASELINE: [sys.executable, "-c", _SNIPPET + "pass"]}
    commands |= {n: [sys.executable, "-c", _SNIPPET + build.format(n, key, secret)] for n in names}
    script = Path(sys.executable).parent / "papi-repay"
    commands |= {
        PYTHON_BARE: [sys.executable, "-c", "pass"],
        PYTHON_HTTPX: [sys.executable, "-c", "import httpx"],
        CLI_HELP: [str(script), "--help"],
    }
    return commands


def import_profile(command: Sequence[str]) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """`command` once with `-X importtime`: {module: cumulative ms}, and the imports of the
    first two levels, heaviest first."""
    env = child_env() | {"PYTHONPROFILEIMPORTTIME": "1"}
    stderr = subprocess.run(
        list(command), cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    ).stderr
    modules: dict[str, float] = {}
    top: list[tuple[str, float]] = []
    for line in stderr.splitlines():
        parts = line.split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name, depth = parts[2].strip(), (len(parts[2]) - len(parts[2].lstrip(" "))) // 2
        modules[name] = int(parts[1]) / 1000
        if depth <= 1:
            top.append((name, modules[name]))
    return modules, sorted(top, key=lambda item: item[1], reverse=True)


def run(
    names: Sequence[str],
    *,
    rounds: int,
    values: int,
    max_seconds: float,
    log: Callable[[str], None],
) -> StartupReport:
    started = time.perf_counter()
    report = StartupReport(values=values)
    commands = _commands(names)
    for name, command in list(commands.items()):  # untimed: byte-code caches, page cache
        warm = subprocess.run(command, cwd=PROJECT_ROOT, env=child_env(), capture_output=True)
        if warm.returncode:
            report.skipped[name] = warm.stderr.decode(errors="replace").strip()[-300:]
            del commands[name]
    with tempfile.TemporaryDirectory(prefix="papi-bench-") as scratch:
        results = Path(scratch) / "startup.json"
        order = list(commands)
        round_seconds = 0.0
        for index in range(rounds):
            round_started = time.perf_counter()
            if round_started - started + round_seconds > max_seconds:  # the next would not fit
                log(f"  time budget spent after {index} rounds")
                break
            shift = index % len(order)
            for name in order[shift:] + order[:shift]:
                pyperf_args = ["--quiet", "-p", "1", "-n", str(values), "-l", "1", "-w", "0"]
                done = run_python(
                    *("-m", "pyperf", "command", *pyperf_args, "--name", f"startup {name}"),
                    *("--append", str(results), "--", *commands[name]),
                    timeout=300,
                )
                if done.returncode:
                    raise RuntimeError(f"pyperf command {name}: {done.stderr[-500:]}")
            report.rounds, round_seconds = index + 1, time.perf_counter() - round_started
            log(f"  round {report.rounds}/{rounds} done")
        if results.exists():
            suite = pyperf.BenchmarkSuite.load(str(results))
            found = suite.get_benchmarks()
            report.benchmarks = {b.get_name().removeprefix("startup "): b for b in found}
    if CLI_HELP in commands:
        report.imports, report.heaviest = import_profile(commands[CLI_HELP])
    report.seconds = time.perf_counter() - started
    return report


def render(report: StartupReport) -> tuple[list[str], list[Target]]:
    found = report.benchmarks
    lines = [
        "## 2. Start-up: whole processes (pyperf `command`)",
        "",
        f"Median (min–max) of {report.rounds * report.values} fresh processes per command, "
        f"{report.values} per round in {report.rounds} rounds, commands taking turns, each run "
        "once untimed before; timed by `python -m pyperf command`, fork to reaped. A client's "
        "command constructs one client (imports included, nothing sent); the baseline row is "
        "the same process without a client. Section time "
        f"{report.seconds:.0f} s.",
        "",
    ]
    ours = found.get(clients.OURS)
    rows = []
    for name, bench in found.items():
        label = clients.CLIENTS[name].LABEL if name in clients.CLIENTS else f"`{name}`"
        values = bench.get_values()
        rows.append(
            [
                label if name not in clients.CLIENTS else f"{label} (`{name}`)",
                f"{report.ms(name):.1f}",
                f"{min(values) * 1000:.1f}–{max(values) * 1000:.1f}",
                f"{bench.median() / ours.median():.2f}" if ours else "",
            ]
        )
    lines += table(["command", "median ms", "min–max ms", "× ours"], rows)
    lines += [f"- skipped `{name}`: {why}" for name, why in report.skipped.items()]
    targets = []
    name = "ours start-up below every public client"
    public = {n: found[n].median() for n in clients.PUBLIC if n in found}
    if ours and len(public) == len(clients.PUBLIC):
        fastest = min(public, key=lambda n: public[n])
        text = f"ours {report.ms(clients.OURS):.1f} ms vs fastest public ({fastest}) "
        targets.append(
            Target(name, text + f"{report.ms(fastest):.1f} ms", ours.median() < public[fastest])
        )
    else:
        targets.append(Target(name, "not measured", None))
    help_name = f"`{CLI_HELP}` < {CLI_HELP_TARGET_S:.3f} s (whole process, median)"
    if CLI_HELP in found and PYTHON_BARE in found and PYTHON_HTTPX in found:
        values = found[CLI_HELP].get_values()
        text = (
            f"**{report.ms(CLI_HELP) / 1000:.3f} s** (min {min(values):.3f}, max "
            f"{max(values):.3f}); `{PYTHON_BARE}` {report.ms(PYTHON_BARE) / 1000:.3f} s, "
            f"`{PYTHON_HTTPX}` {report.ms(PYTHON_HTTPX) / 1000:.3f} s"
        )
        targets.append(Target(help_name, text, found[CLI_HELP].median() < CLI_HELP_TARGET_S))
    else:
        targets.append(Target(help_name, "not measured", None))
    httpx = any(m == "httpx" or m.startswith("httpx.") for m in report.imports)
    targets.append(
        Target(
            f"`{CLI_HELP}` does not import httpx",
            f"httpx imported: {'yes' if httpx else 'no'} ({len(report.imports)} modules imported)",
            not httpx if report.imports else None,
        )
    )
    heaviest = ", ".join(f"`{name}` {ms:.1f}" for name, ms in report.heaviest[:6])
    lines += [
        "",
        f"`{CLI_HELP}` with `-X importtime`: {len(report.imports)} modules imported, httpx "
        f"{'**imported**' if httpx else 'not imported'}; heaviest imports of the first two "
        f"levels (cumulative ms): {heaviest}.",
    ]
    return lines, targets
