"""Switchable failures, consumed per request, for testing what a client does when things break.

Kinds, by when they strike:
  before the endpoint runs (nothing executed):
    latency_before   sleep `seconds`, then process normally
    unavailable      503 {"code": -1000, "msg": "Service Unavailable."}
    overloaded       503 {"code": -1008, "msg": "Server is currently overloaded ..."}
  after the endpoint succeeded (for a repay: the ledger has changed):
    latency_after    sleep `seconds`, then send the real answer
    unknown_after    503 {"code": -1000, "msg": "Unknown error, please check your request ..."}
    drop_after       close the connection without sending any response

A fault hits requests to `path` (None: every public endpoint), `times` times (None: until
cleared). "after" faults are consumed only by requests that succeeded, so a rejected request
(bad signature, -3015, ...) gets its real error and leaves the fault armed.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal, get_args

from papi_sandbox.paths import REPAY_PATH

FaultKind = Literal[
    "latency_before", "unavailable", "overloaded", "latency_after", "unknown_after", "drop_after"
]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

LATENCY_BEFORE: frozenset[FaultKind] = frozenset({"latency_before"})
REFUSE_BEFORE: frozenset[FaultKind] = frozenset({"unavailable", "overloaded"})
LATENCY_AFTER: frozenset[FaultKind] = frozenset({"latency_after"})
BREAK_AFTER: frozenset[FaultKind] = frozenset({"unknown_after", "drop_after"})


@dataclass
class Fault:
    id: int
    kind: FaultKind
    path: str | None
    times: int | None
    seconds: float = 0.0
    code: int | None = None
    msg: str | None = None

    def as_json(self) -> dict[str, object]:
        return asdict(self)


class FaultBoard:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def inject(
        self,
        kind: FaultKind | str,
        times: int | None = 1,
        path: str | None = REPAY_PATH,
        seconds: float = 0.0,
        code: int | None = None,
        msg: str | None = None,
    ) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")
        if times is not None and times < 1:
            raise ValueError("times must be a positive count, or None for 'until cleared'")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        fault = Fault(
            id=next(self._ids),
            kind=kind,
            path=path,
            times=times,
            seconds=seconds,
            code=code,
            msg=msg,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return [Fault(**asdict(fault)) for fault in self._faults]

    def take(self, path: str, kinds: Iterable[FaultKind]) -> Fault | None:
        """Consume one use of the oldest armed fault of these kinds for this path."""
        if not self._faults:  # the usual case; a fault armed meanwhile races either way
            return None
        wanted = set(kinds)
        with self._lock:
            for fault in self._faults:
                if fault.kind in wanted and fault.path in (None, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return Fault(**asdict(fault))
        return None
