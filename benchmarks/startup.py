"""Section 2: import + construction time of each client, in fresh interpreter processes.

Each sample is one new `python -c` process that reads the clock first, then installs the loopback
guard, imports the client's benchmark module and calls its `build` (which imports the library and
constructs a client pointed at a loopback URL; nothing is sent), reads the clock again and prints
the difference. Clients take turns process by process, after one untimed process each (to write
byte-code caches). The baseline row is the same process with no library at all.

`run_cli` times the command line the way a user meets it: `papi-repay --help` as a whole process,
from fork to reaped (wall, and its user + system CPU from the kernel's child accounting), next to
`python -c pass` (the interpreter alone) and `python -c 'import httpx'`, commands taking turns.
One more untimed run with `-X importtime` lists what `--help` imported (httpx or not).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import clients
from benchmarks.child_process import PROJECT_ROOT, child_env, shown_path
from benchmarks.credentials import API_KEY, API_SECRET
from benchmarks.stats import median

BASELINE = "baseline"
# Nothing listens there: construction must not connect, and the guard refuses anything else.
_UNUSED_URL = "http://127.0.0.1:9"

_SNIPPET = """\
import time
t0 = time.perf_counter_ns()
from benchmarks import loopback_guard
loopback_guard.install()
import {module} as bench_module
client = bench_module.build({url!r}, {key!r}, {secret!r})
t1 = time.perf_counter_ns()
print("STARTUP_NS", t1 - t0)
"""


@dataclass
class StartupResult:
    name: str
    label: str
    samples_ms: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return median(self.samples_ms)

    @property
    def min_ms(self) -> float:
        return min(self.samples_ms)


@dataclass
class StartupReport:
    results: list[StartupResult]
    skipped: dict[str, str]
    processes: int
    seconds: float


def _module_of(name: str) -> str:
    return "benchmarks.clients.no_client" if name == BASELINE else clients.CLIENT_MODULES[name]


def _one_process(name: str, timeout: float) -> float:
    snippet = _SNIPPET.format(
        module=_module_of(name), url=_UNUSED_URL, key=API_KEY, secret=API_SECRET
    )
    completed = subprocess.run(
        [sys.executable, "-c", snippet],
        cwd=PROJECT_ROOT,
        env=child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("STARTUP_NS "):
            return int(line.split()[1]) / 1e6
    raise RuntimeError(
        f"start-up snippet for {name} failed (exit {completed.returncode}): "
        f"{completed.stderr.strip()[-500:]}"
    )


def run(
    names: Sequence[str],
    *,
    processes: int,
    max_seconds: float,
    log: Callable[[str], None] = print,
) -> StartupReport:
    started = time.perf_counter()
    deadline = started + max_seconds
    skipped: dict[str, str] = {}
    runnable = [BASELINE]
    for name in names:
        why_not = clients.available(name)
        if why_not:
            skipped[name] = why_not
        else:
            runnable.append(name)
    labels = {BASELINE: "baseline: interpreter + loopback guard, no client"}
    labels.update({name: clients.load(name).LABEL for name in runnable if name != BASELINE})
    results = {name: StartupResult(name, labels[name]) for name in runnable}

    for name in list(runnable):  # untimed: compiles and caches byte code
        try:
            _one_process(name, timeout=120)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            skipped[name] = str(error)[:300]
            runnable.remove(name)
    for index in range(processes):
        if time.perf_counter() > deadline:
            log(f"  time budget spent after {index} processes per client")
            break
        for name in runnable:
            results[name].samples_ms.append(_one_process(name, timeout=120))
        log(f"  process {index + 1}/{processes} of each client done")
    return StartupReport(
        results=[results[name] for name in runnable if results[name].samples_ms],
        skipped=skipped,
        processes=processes,
        seconds=time.perf_counter() - started,
    )


# --- The command line: `papi-repay --help`, timed from outside as a whole process ---------------

CLI_HELP = "papi-repay --help"
PYTHON_BARE = "python -c pass"
PYTHON_HTTPX = "python -c 'import httpx'"
CLI_HELP_TARGET_S = 0.080


@dataclass
class CliStartupResult:
    name: str
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return median(self.wall_ms)

    @property
    def min_ms(self) -> float:
        return min(self.wall_ms)

    @property
    def max_ms(self) -> float:
        return max(self.wall_ms)

    @property
    def cpu_median_ms(self) -> float:
        return median(self.cpu_ms)


@dataclass
class CliStartupReport:
    results: list[CliStartupResult]
    command: str  # the script that was run, as shown
    imports_httpx: bool | None  # None: not measured
    httpx_import_ms: float  # cumulative -X importtime figure of `httpx` when imported
    imported_modules: int
    heaviest_imports: list[tuple[str, float]]  # top-level imports, cumulative ms
    processes: int
    seconds: float
    skipped: str | None = None

    def get(self, name: str) -> CliStartupResult | None:
        return next((r for r in self.results if r.name == name), None)


def papi_repay_script() -> Path | None:
    """The `papi-repay` console script of the environment running the benchmarks."""
    beside = Path(sys.executable).parent / "papi-repay"
    if beside.exists():
        return beside
    found = shutil.which("papi-repay")
    return Path(found) if found else None


def _cli_env() -> dict[str, str]:
    """The caller's environment as a user's shell has it, minus import-time profiling."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPROFILEIMPORTTIME"}


def _timed_process(command: Sequence[str], timeout: float) -> tuple[float, float]:
    """(wall ms, CPU ms user + system) of one whole process, fork to reaped, output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter_ns()
    completed = subprocess.run(
        list(command),
        cwd=PROJECT_ROOT,
        env=_cli_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    wall = (time.perf_counter_ns() - t0) / 1e6
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {completed.returncode}: "
            f"{completed.stderr.decode(errors='replace').strip()[-300:]}"
        )
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def import_profile(command: Sequence[str]) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Run `command` once with `-X importtime` (as PYTHONPROFILEIMPORTTIME): {module imported:
    cumulative ms}, and the imports of the first two levels (imported by the script, or by
    those) by cumulative time, heaviest first."""
    env = _cli_env() | {"PYTHONPROFILEIMPORTTIME": "1"}
    completed = subprocess.run(
        list(command),
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    modules: dict[str, float] = {}
    top: list[tuple[str, float]] = []
    for line in completed.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue  # the header line
        raw_name = parts[2]
        name = raw_name.strip()
        cumulative_ms = int(parts[1]) / 1000
        modules[name] = cumulative_ms
        depth = (len(raw_name) - len(raw_name.lstrip(" "))) // 2  # " name" is depth 0
        if depth <= 1:
            top.append((name, cumulative_ms))
    top.sort(key=lambda item: item[1], reverse=True)
    return modules, top


def run_cli(
    *, processes: int, max_seconds: float, log: Callable[[str], None] = print
) -> CliStartupReport:
    started = time.perf_counter()
    deadline = started + max_seconds
    script = papi_repay_script()
    if script is None:
        return CliStartupReport(
            [], "", None, 0.0, 0, [], processes, 0.0, "no papi-repay script found"
        )
    commands = {
        PYTHON_BARE: [sys.executable, "-c", "pass"],
        PYTHON_HTTPX: [sys.executable, "-c", "import httpx"],
        CLI_HELP: [str(script), "--help"],
    }
    results = {name: CliStartupResult(name) for name in commands}
    try:
        for command in commands.values():  # untimed: byte-code caches, page cache
            _timed_process(command, timeout=120)
        for index in range(processes):
            if time.perf_counter() > deadline:
                log(f"  time budget spent after {index} processes per command")
                break
            order = list(commands.items())
            shift = index % len(order)
            for name, command in order[shift:] + order[:shift]:
                wall, cpu = _timed_process(command, timeout=120)
                results[name].wall_ms.append(wall)
                results[name].cpu_ms.append(cpu)
        modules, top = import_profile(commands[CLI_HELP])
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        return CliStartupReport(
            [], shown_path(script), None, 0.0, 0, [], processes, 0.0, str(error)[:300]
        )
    log(f"  {CLI_HELP}: {processes} processes timed")
    return CliStartupReport(
        results=[r for r in results.values() if r.wall_ms],
        command=shown_path(script),
        imports_httpx=any(m == "httpx" or m.startswith("httpx.") for m in modules),
        httpx_import_ms=modules.get("httpx", 0.0),
        imported_modules=len(modules),
        heaviest_imports=top[:6],
        processes=processes,
        seconds=time.perf_counter() - started,
    )
