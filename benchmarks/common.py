"""What the sections share: the interleaved runner, per-round series, their spreads and
round-by-round ratios (`statistics`), targets, markdown tables and pyperf benchmarks."""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyperf


@dataclass(frozen=True)
class Spread:
    """Median, quartiles (`statistics.quantiles`, inclusive) and extremes of per-round figures."""

    median: float
    q1: float
    q3: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if len(values) > 1:
            q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        else:
            q1 = median = q3 = values[0]
        return cls(median, q1, q3, min(values), max(values), len(values))

    def show(self, digits: int = 2, *, extremes: bool = False) -> str:
        """`median (q1–q3)`, and `[min–max]` with `extremes`."""
        d = digits
        text = f"{self.median:.{d}f} ({self.q1:.{d}f}–{self.q3:.{d}f})"
        return text + (f" [{self.low:.{d}f}–{self.high:.{d}f}]" if extremes else "")

    def judged(self) -> str:
        """How a target shows a ratio: the median in bold, IQR, range and rounds."""
        return (
            f"**{self.median:.3f}** (IQR {self.q1:.3f}–{self.q3:.3f}; range "
            f"{self.low:.3f}–{self.high:.3f}; {self.count} rounds)"
        )


def ratios(mine: Sequence[float], theirs: Sequence[float]) -> Spread:
    """Round-by-round ratios of two series measured side by side, summarised."""
    return Spread.of([a / b for a, b in zip(mine, theirs, strict=True)])


def percentile(values: Sequence[float], percent: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


@dataclass
class Series:
    """One client in one group (a server, a concurrency level, an operation): per round, the
    median wall µs of its calls and this process's CPU µs per call; every call's wall µs."""

    name: str
    label: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    calls_us: list[float] = field(default_factory=list)

    def add_round(self, walls_ns: Sequence[int], cpu_ns: int) -> None:
        self.wall.append(statistics.median(walls_ns) / 1000)
        self.cpu.append(cpu_ns / len(walls_ns) / 1000)
        self.calls_us.extend(ns / 1000 for ns in walls_ns)

    @property
    def median_us(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_us(self) -> float:
        return statistics.median(self.cpu)

    def benchmarks(self, prefix: str) -> list[pyperf.Benchmark]:
        """The per-round figures as pyperf benchmarks (seconds), one value per round."""
        return [
            benchmark(f"{prefix} {self.name} wall", [v / 1e6 for v in self.wall]),
            benchmark(f"{prefix} {self.name} cpu", [v / 1e6 for v in self.cpu]),
        ]


def benchmark(name: str, seconds: Sequence[float]) -> pyperf.Benchmark:
    """A pyperf benchmark of one run holding `seconds` (the per-round figures)."""
    metadata = {"name": name, "unit": "second", "loops": 1}
    return pyperf.Benchmark([pyperf.Run(list(seconds), metadata=metadata, collect_metadata=False)])


@dataclass
class Target:
    name: str
    measured: str
    met: bool | None  # None: not judged in this run


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    align = ["---:" if i else "---" for i in range(len(header))]
    return [f"| {' | '.join(line)} |" for line in (header, align, *rows)]


def even_parts(total: int, count: int) -> list[int]:
    """`total` cut in `count` parts (at least one, at most `total`) differing by one at most."""
    count = max(1, min(count, total))
    return [total // count + (i < total % count) for i in range(count)]


def interleaved_round(
    calls: dict[str, Callable[[], object]],
    per_client: int,
    slices: int,
    round_index: int,
    prepare: Callable[[], object] | None = None,
    rewarm: int = 2,
) -> dict[str, tuple[list[int], int]]:
    """One round of the interleaved runner: every client makes `per_client` sequential calls,
    cut in `slices` slices that the clients take in turn (A's first slice, B's, ..., A's
    second, ...), so that a slow moment of the machine falls on all of them; the clients'
    order is shuffled for every turn (seeded by the round), so that no client always follows
    the same one. A turn starts with `rewarm` untimed calls: the first calls after another
    client's are slower (here, measured: +30 to 60 %, +15 %, +7 %, +4 % for the first four)
    while the caches refill, and what is timed is the steady state. Per client: each timed
    call's wall ns (`perf_counter_ns`), and this process's CPU ns (`process_time_ns`) over its
    timed calls; `prepare` runs untimed before every call, left out of both."""
    names, order, shuffle = list(calls), list(calls), random.Random(round_index).shuffle
    walls: dict[str, list[int]] = {name: [] for name in names}
    cpu = dict.fromkeys(names, 0)
    perf, process = time.perf_counter_ns, time.process_time_ns
    gc.collect()
    for size in even_parts(per_client, slices):
        shuffle(order)
        for name in order:
            call, taken = calls[name], walls[name]
            for _ in range(rewarm):
                if prepare is not None:
                    prepare()
                call()
            for _ in range(size):
                if prepare is not None:
                    prepare()
                c0, t0 = process(), perf()
                call()
                t1 = perf()
                cpu[name] += process() - c0
                taken.append(t1 - t0)
    return {name: (walls[name], cpu[name]) for name in names}
