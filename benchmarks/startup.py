"""Section 2: import + construction time of each client, in fresh interpreter processes.

Each sample is one new `python -c` process that reads the clock first, then installs the loopback
guard, imports the client's benchmark module and calls its `build` (which imports the library and
constructs a client pointed at a loopback URL; nothing is sent), reads the clock again and prints
the difference. Clients take turns process by process, after one untimed process each (to write
byte-code caches). The baseline row is the same process with no library at all.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from benchmarks import clients
from benchmarks.child_process import PROJECT_ROOT, child_env
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
