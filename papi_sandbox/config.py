"""Everything a sandbox instance can be started with; defaults are Binance's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from papi_sandbox.accounts import AccountSpec
from papi_sandbox.deadlines import DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, check_timeout


@dataclass(frozen=True)
class SandboxConfig:
    accounts: tuple[AccountSpec, ...] = ()
    accounts_file: Path | None = None
    db_path: Path | None = None  # None: in-memory ledger, gone when the process ends
    enable_admin: bool = False
    weight_limit: int = 6000  # request weight per client IP per window
    window_seconds: float = 60.0
    ban_after_rejections: int = 3  # 429s tolerated in a row before the next one becomes a ban
    ban_seconds: float = 120.0
    clock_offset_ms: int = 0  # server clock = wall clock + offset (a skewed server)
    # Slow clients (see deadlines.py): seconds to send a request's head, then its body.
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT

    def __post_init__(self) -> None:
        check_timeout(self.header_timeout, "header_timeout")
        check_timeout(self.body_timeout, "body_timeout")
