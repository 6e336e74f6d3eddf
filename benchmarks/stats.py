"""Order statistics for timing samples (nearest-rank percentiles, no interpolation)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least `fraction` at or below it."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return float(ordered[rank - 1])


def median(samples: Sequence[float]) -> float:
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class Spread:
    """Minimum, quartiles (nearest rank) and maximum of a handful of per-round figures."""

    low: float
    q1: float
    median: float
    q3: float
    high: float
    count: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Spread:
        if not samples:
            raise ValueError("no samples")
        return cls(
            low=float(min(samples)),
            q1=percentile(samples, 0.25),
            median=median(samples),
            q3=percentile(samples, 0.75),
            high=float(max(samples)),
            count=len(samples),
        )

    def show(self, digits: int = 1, *, extremes: bool = False) -> str:
        """`median (q1–q3)`, and `[min–max]` with `extremes`."""
        text = f"{self.median:.{digits}f} ({self.q1:.{digits}f}–{self.q3:.{digits}f})"
        if extremes:
            text += f" [{self.low:.{digits}f}–{self.high:.{digits}f}]"
        return text


def even_parts(total: int, count: int) -> list[int]:
    """`total` cut in `count` parts (at least one, at most `total`) that differ by one at most."""
    count = max(1, min(count, total))
    return [total // count + (i < total % count) for i in range(count)]


def paired_ratios(numerator: Sequence[float], denominator: Sequence[float]) -> list[float]:
    """Round-by-round ratios of two series measured side by side in the same rounds."""
    if len(numerator) != len(denominator):
        raise ValueError("the two series cover different rounds")
    return [a / b for a, b in zip(numerator, denominator, strict=True) if b]


@dataclass(kw_only=True)
class Rounds:
    """One client's figures over the rounds of a section: per round, the median wall time and
    the process CPU time per call (µs); and every call's wall time (ns)."""

    round_medians_us: list[float] = field(default_factory=list)
    round_cpu_us: list[float] = field(default_factory=list)
    samples_ns: list[int] = field(default_factory=list)

    @property
    def median_us(self) -> float:
        return median(self.round_medians_us)

    @property
    def cpu_us(self) -> float:
        """This process's CPU time (user + system) per call: the client's own work."""
        return median(self.round_cpu_us)

    @property
    def wall_spread(self) -> Spread:
        return Spread.of(self.round_medians_us)

    @property
    def cpu_spread(self) -> Spread:
        return Spread.of(self.round_cpu_us)

    @property
    def p90_us(self) -> float:
        return percentile(self.samples_ns, 0.90) / 1000

    @property
    def calls(self) -> int:
        return len(self.samples_ns)

    def wall_vs(self, other: Rounds) -> Spread:
        """Round-by-round ratio of wall time per call, this client over `other`."""
        return Spread.of(paired_ratios(self.round_medians_us, other.round_medians_us))

    def cpu_vs(self, other: Rounds) -> Spread:
        return Spread.of(paired_ratios(self.round_cpu_us, other.round_cpu_us))
