"""Request-weight bookkeeping, and the waits that keep a burst under the IP limit.

Binance counts weight per IP in a window (6000 per minute for PAPI; a repay weighs 100) and
reports the count in `X-MBX-USED-WEIGHT-1M` on every answer. The header alone can't pace a
burst: it says how much is used, not when each part leaves the window, and it is per IP, so it
includes other processes. So the budget combines two things:

- a rolling log of this client's own sends, each stamped when its answer arrived (the server
  counted it before answering, so the entry leaves the server's window no later than ours);
  a send still in flight counts in full;
- the header's excess over that log ("foreign" weight: other processes on this IP), assumed to
  stay for a whole window after the answer that reported it.

Before a send of weight w, if estimated use + w would pass the limit, the caller waits until
enough of the log (or the foreign weight) has left the window. A rolling window that is never
exceeded is never exceeded in any fixed-minute bucket either, so this is safe whichever way the
server counts.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_WEIGHT_LIMIT = 6000
DEFAULT_WINDOW_SECONDS = 60.0
DEFAULT_MARGIN_SECONDS = 0.05


@dataclass(slots=True)
class Send:
    """One send in the log; `settled_at` is None while its answer is awaited."""

    weight: int
    sent_at: float
    settled_at: float | None = None


class WeightBudget:
    """Thread-safe weight log of one client. Use `try_reserve` before a send (it returns the
    seconds to wait, or reserves and returns 0) and `settle` when the answer (or failure)
    arrives.

    Every operation is O(1) amortised however many sends are in the window: answered sends sit
    in a deque in the order they settled (the monotonic clock is read under the lock), with a
    running total; sends in flight are only a running total, since they all leave the window
    no sooner than a full window from now.
    """

    def __init__(
        self,
        weight_limit: int = DEFAULT_WEIGHT_LIMIT,
        window_seconds: float = DEFAULT_WINDOW_SECONDS,
        *,
        margin_seconds: float = DEFAULT_MARGIN_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if not isinstance(weight_limit, int) or weight_limit < 1:
            raise ValueError("weight_limit must be a positive int")
        if not window_seconds > 0 or margin_seconds < 0:
            raise ValueError("window_seconds must be positive and margin_seconds >= 0")
        self.weight_limit = weight_limit
        self.window_seconds = float(window_seconds)
        self.margin_seconds = float(margin_seconds)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._settled: deque[Send] = deque()
        self._settled_weight = 0
        self._in_flight_weight = 0
        self._foreign = 0
        self._foreign_until = 0.0
        self._last_header: int | None = None

    @property
    def last_used_weight(self) -> int | None:
        """The latest X-MBX-USED-WEIGHT-1M the server reported, if any."""
        return self._last_header

    def estimate(self) -> int:
        """Weight believed to be in the server's window now (own log + foreign)."""
        with self._lock:
            now = self._monotonic()
            self._expire(now)
            return self._estimate(now)

    def record(self, weight: int) -> Send:
        """Log a send without checking the budget (pacing off)."""
        with self._lock:
            return self._start(weight, self._monotonic())

    def note(self, weight: int) -> None:
        """Log weight already spent elsewhere (e.g. clock samples), answered now."""
        with self._lock:
            now = self._monotonic()
            self._expire(now)
            self._append_settled(Send(weight, now, settled_at=now))

    def try_reserve(self, weight: int) -> tuple[Send | None, float]:
        """(the logged send, 0.0) if `weight` fits now, else (None, seconds to wait first)."""
        if weight > self.weight_limit:
            raise ValueError(
                f"a send of weight {weight} can never fit a limit of {self.weight_limit}"
            )
        with self._lock:
            now = self._monotonic()
            self._expire(now)
            if self._estimate(now) + weight <= self.weight_limit:
                return self._start(weight, now), 0.0
            return None, self._wait_for(weight, now)

    def settle(self, send: Send, used_weight: int | None) -> None:
        """The answer to `send` arrived (or the send failed); `used_weight` is its header."""
        with self._lock:
            now = self._monotonic()
            if send.settled_at is None:
                self._in_flight_weight -= send.weight
                send.settled_at = now
                self._append_settled(send)
            self._expire(now)
            if used_weight is not None:
                self._last_header = used_weight
                self._foreign = max(0, used_weight - self._settled_weight)
                self._foreign_until = now + self.window_seconds

    def _start(self, weight: int, now: float) -> Send:
        self._in_flight_weight += weight
        return Send(weight, now)

    def _append_settled(self, send: Send) -> None:
        self._settled.append(send)
        self._settled_weight += send.weight

    def _expiry(self, send: Send) -> float:
        assert send.settled_at is not None
        return send.settled_at + self.window_seconds + self.margin_seconds

    def _expire(self, now: float) -> None:
        while self._settled and self._expiry(self._settled[0]) <= now:
            self._settled_weight -= self._settled.popleft().weight
        if self._foreign_until <= now:
            self._foreign = 0

    def _estimate(self, now: float) -> int:
        foreign = self._foreign if self._foreign_until > now else 0
        return self._settled_weight + self._in_flight_weight + foreign

    def _wait_for(self, weight: int, now: float) -> float:
        """Seconds until the log makes room. A send still in flight leaves the window no
        sooner than a window from now; the caller checks again after waiting."""
        in_flight_expiry = now + self.window_seconds + self.margin_seconds
        events = sorted(
            [(self._expiry(s), s.weight) for s in self._settled]
            + ([(in_flight_expiry, self._in_flight_weight)] if self._in_flight_weight else [])
            + ([(self._foreign_until, self._foreign)] if self._foreign else [])
        )
        used = self._estimate(now)
        for at, freed in events:
            used -= freed
            if used + weight <= self.weight_limit:
                return max(at - now, 0.001)
        return self.window_seconds
