"""Switchable failures, consumed per request, for testing what a client does when things break.

Kinds, by when they strike:
  before the endpoint runs (nothing executed):
    latency_before   sleep `seconds`, then process normally
    unavailable      `status` (503) {"code": -1000, "msg": "Service Unavailable."}
    overloaded       `status` (503) {"code": -1008, "msg": "Server is currently overloaded ..."}
    unknown_before   `status` (503) {"code": -1000, "msg": "Unknown error, please check ..."}:
                     the answer of unknown_after, WITHOUT executing
  received in full, held before the timestamp check, then checked and executed as of the
  release instant X of the sandbox clock (see held_requests.py; `ms` 0..600000):
    queue            X = the sandbox clock at arrival + `ms`
    queue_deadline   X = the request's timestamp + its recvWindow - `ms` (never before arrival;
                     not held if they cannot be read): for ms = 0 the last instant it passes
  after the endpoint succeeded (for a repay: the ledger has changed):
    latency_after    sleep `seconds`, then send the real answer
    unknown_after    `status` (503) {"code": -1000, "msg": "Unknown error, please check ..."}
    drop_after       close the connection without sending any response
  while a request that creates a record succeeds (the answer is the normal 200):
    pending_record   a repay's record is stored with status PENDING instead of CONFIRMED
    stamp_shift      the record is stamped `ms` (-60000..60000) after its timestamp check
                     (negative: before it, as if the gateway had received it earlier)
    record_lag       the record exists at once (balances move) but the record queries show it
                     only once the sandbox clock reaches its stamp + `ms` (0..600000)

A fault hits requests to `path` (None: every public endpoint, record reads included),
`times` times (None: until cleared); pending_record, stamp_shift and record_lag only hit the
requests that create a record (repayLoan, marginLoan, repay-debt; pending_record: repayLoan).
"after" faults and the record faults are consumed only by requests that succeeded, so a
rejected request (bad signature, -3015, ...) gets its real error and leaves the fault
armed; the others are consumed by the requests they strike. `code`, `msg` and `status` (an
HTTP status from 400 to 599) replace the answer of the kinds that answer instead of the
endpoint: a 408 with -1007 or a 400 with -1006 are answers whose outcome is unknown too.
Every argument of `inject` is checked (types, finite bounded seconds and ms, whole positive
times; `status` only for kinds that answer, `ms` only for kinds that take it) so that a fault
can neither hang a request forever nor break one after it executed.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal, get_args

from papi_sandbox.paths import REPAY_PATH

FaultKind = Literal[
    "latency_before",
    "unavailable",
    "overloaded",
    "unknown_before",
    "queue",
    "queue_deadline",
    "latency_after",
    "unknown_after",
    "drop_after",
    "pending_record",
    "stamp_shift",
    "record_lag",
]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)

LATENCY_BEFORE: frozenset[FaultKind] = frozenset({"latency_before"})
ANSWER_BEFORE: frozenset[FaultKind] = frozenset({"unavailable", "overloaded", "unknown_before"})
QUEUE: frozenset[FaultKind] = frozenset({"queue", "queue_deadline"})
LATENCY_AFTER: frozenset[FaultKind] = frozenset({"latency_after"})
BREAK_AFTER: frozenset[FaultKind] = frozenset({"unknown_after", "drop_after"})
PENDING_RECORD: frozenset[FaultKind] = frozenset({"pending_record"})
STAMP_SHIFT: frozenset[FaultKind] = frozenset({"stamp_shift"})
RECORD_LAG: frozenset[FaultKind] = frozenset({"record_lag"})
# The kinds whose Binance-shaped error answer `code`, `msg` and `status` may replace.
ANSWERING: frozenset[FaultKind] = ANSWER_BEFORE | {"unknown_after"}

MAX_SECONDS = 600.0
MAX_MS = 600_000
MAX_STAMP_SHIFT_MS = 60_000
# The range of `ms` per kind that takes it; every other kind takes none (0).
MS_RANGES: dict[FaultKind, range] = {
    "queue": range(MAX_MS + 1),
    "queue_deadline": range(MAX_MS + 1),
    "stamp_shift": range(-MAX_STAMP_SHIFT_MS, MAX_STAMP_SHIFT_MS + 1),
    "record_lag": range(MAX_MS + 1),
}
STATUS_RANGE = range(400, 600)
# Codes and messages go into a client's JSON answer: keep codes within a 32-bit int.
CODE_RANGE = range(-(2**31), 2**31)


@dataclass
class Fault:
    id: int
    kind: FaultKind
    path: str | None
    times: int | None
    seconds: float = 0.0
    code: int | None = None
    msg: str | None = None
    status: int | None = None  # None: the kind's own (503)
    ms: int = 0

    def as_json(self) -> dict[str, object]:
        return asdict(self)


class FaultBoard:
    """Armed faults, oldest first. `armed` is False while none is: the request path checks it
    once and skips every lookup (a fault armed meanwhile races either way)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self.armed = False

    def inject(
        self,
        kind: FaultKind | str,
        times: int | None = 1,
        path: str | None = REPAY_PATH,
        seconds: float = 0.0,
        code: int | None = None,
        msg: str | None = None,
        status: int | None = None,
        ms: int = 0,
    ) -> Fault:
        checked_kind = _checked_kind(kind)
        fault = Fault(
            id=0,
            kind=checked_kind,
            path=_checked_path(path),
            times=_checked_times(times),
            seconds=_checked_seconds(seconds),
            code=_checked_code(code),
            msg=_checked_msg(msg),
            status=_checked_status(checked_kind, status),
            ms=_checked_ms(checked_kind, ms),
        )
        fault.id = next(self._ids)
        with self._lock:
            self._faults.append(fault)
            self.armed = True
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.armed = False

    def active(self) -> list[Fault]:
        with self._lock:
            return [Fault(**asdict(fault)) for fault in self._faults]

    def take(self, path: str, kinds: Iterable[FaultKind]) -> Fault | None:
        """Consume one use of the oldest armed fault of these kinds for this path."""
        if not self.armed:  # the usual case; a fault armed meanwhile races either way
            return None
        wanted = set(kinds)
        with self._lock:
            for fault in self._faults:
                if fault.kind in wanted and fault.path in (None, path):
                    self._use(fault)
                    return Fault(**asdict(fault))
        return None

    def peek(self, path: str, kinds: Iterable[FaultKind]) -> Fault | None:
        """The fault `take` would consume, left armed (see `use`)."""
        if not self.armed:
            return None
        wanted = set(kinds)
        with self._lock:
            for fault in self._faults:
                if fault.kind in wanted and fault.path in (None, path):
                    return Fault(**asdict(fault))
        return None

    def use(self, fault_id: int) -> None:
        """Consume one use of a peeked fault, if it is still armed (not cleared meanwhile)."""
        with self._lock:
            for fault in self._faults:
                if fault.id == fault_id:
                    self._use(fault)
                    return

    def _use(self, fault: Fault) -> None:
        if fault.times is not None:
            fault.times -= 1
            if fault.times == 0:
                self._faults.remove(fault)
                self.armed = bool(self._faults)


def _checked_kind(kind: object) -> FaultKind:
    for known in FAULT_KINDS:
        if kind == known and isinstance(kind, str):
            return known
    raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")


def _checked_path(path: object) -> str | None:
    if path is None or (isinstance(path, str) and path.startswith("/")):
        return path
    raise ValueError(f"path must be a string starting with '/', or None for all, not {path!r}")


def _checked_times(times: object) -> int | None:
    if times is None or (isinstance(times, int) and not isinstance(times, bool) and times >= 1):
        return times
    raise ValueError(
        f"times must be a whole count >= 1, or None for 'until cleared', not {times!r}"
    )


def _checked_seconds(seconds: object) -> float:
    if (
        isinstance(seconds, int | float)
        and not isinstance(seconds, bool)
        and math.isfinite(seconds)
        and 0 <= seconds <= MAX_SECONDS
    ):
        return float(seconds)
    raise ValueError(f"seconds must be a number from 0 to {MAX_SECONDS:g}, not {seconds!r}")


def _checked_code(code: object) -> int | None:
    if code is None or (
        isinstance(code, int) and not isinstance(code, bool) and code in CODE_RANGE
    ):
        return code
    raise ValueError(f"code must be a 32-bit integer or None, not {code!r}")


def _checked_msg(msg: object) -> str | None:
    if msg is None or isinstance(msg, str):
        return msg
    raise ValueError(f"msg must be a string or None, not {msg!r}")


def _checked_status(kind: FaultKind, status: object) -> int | None:
    if status is None:
        return None
    if kind not in ANSWERING:
        raise ValueError(f"status applies to {sorted(ANSWERING)} only, not to {kind!r}")
    if isinstance(status, int) and not isinstance(status, bool) and status in STATUS_RANGE:
        return status
    raise ValueError(f"status must be an HTTP status from 400 to 599 or None, not {status!r}")


def _checked_ms(kind: FaultKind, ms: object) -> int:
    allowed = MS_RANGES.get(kind)
    if allowed is None:
        if ms == 0 and isinstance(ms, int) and not isinstance(ms, bool):
            return 0
        raise ValueError(f"ms applies to {sorted(MS_RANGES)} only, not to {kind!r}")
    if isinstance(ms, int) and not isinstance(ms, bool) and ms in allowed:
        return ms
    raise ValueError(
        f"ms of {kind} must be a whole number from {allowed.start} to {allowed.stop - 1}, "
        f"not {ms!r}"
    )
